/*
 * include/kmm/pagemap.h - the page cache's calls (mm/filemap.c,
 * mm/page-writeback.c), as Linux's linux/pagemap.h and linux/writeback.h
 * declare them: what the VFS (fs/) and the fault path use.
 */
#ifndef KMM_PAGEMAP_H
#define KMM_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <kmm/fs.h>
#include <kmm/mm_types.h>

/* One disk request moves at most this many pages (max_sectors_kb 1024). */
#define MAX_IO_PAGES	256

struct page *find_get_page(struct address_space *as, pgoff_t index);
/* The page a fault maps, read from the disk if needed (*major), or ERR_PTR. */
struct page *filemap_fault_page(struct address_space *as, pgoff_t index, bool *major);
/* Reads the missing pages of [index, index + nr) in runs: pages read or -errno. */
long page_cache_read_range(struct address_space *as, pgoff_t index, unsigned long nr);
/* The pages of [start, end] marked tag, in index order, at most max. */
unsigned long find_get_pages_tag(struct address_space *as, pgoff_t start, pgoff_t end,
				 xa_mark_t tag, struct page **pages, unsigned long max);
/* Marks every dirty page of [start, end] TOWRITE, for a sync pass. */
void tag_pages_for_writeback(struct address_space *as, pgoff_t start, pgoff_t end);
/* A new inode's empty page cache (its xarray, nodes from radix_tree_node). */
void address_space_init_once(struct address_space *as);

bool mapping_can_writeback(const struct address_space *as);
/* Marks page dirty; true if it was clean (folio_mark_dirty). */
bool set_page_dirty(struct page *page);
void folio_account_cleaned(struct page *page);

/* pread(2) and pwrite(2) through the cache: bytes, or -errno. */
long filemap_read(struct file *f, long long pos, void *buf, size_t len);
long generic_perform_write(struct file *f, long long pos, const void *buf, size_t len);
/* Drops the clean, unmapped, idle pages of [start, end]: how many went. */
unsigned long invalidate_mapping_pages(struct address_space *as, pgoff_t start, pgoff_t end);
/* The file shrank or grew to newsize: the cache and the mappings follow. */
void truncate_pagecache(struct inode *inode, long long newsize);

/*
 * mm/page-writeback.c.  Writes the dirty pages of byte range [start, end]
 * (each run of consecutive pages one request) and waits: 0, or the error
 * a writeback of this file met since the last check (-EIO, -ENOSPC),
 * which the check clears.
 */
int filemap_write_and_wait_range(struct address_space *as, long long start, long long end);
/* Only starts the writes (MS_ASYNC, the flusher): 0 or -errno of this pass. */
int filemap_fdatawrite_range(struct address_space *as, long long start, long long end);
/* The recorded writeback error, cleared (filemap_check_errors). */
int filemap_check_errors(struct address_space *as);
/*
 * A writer dirtied pages of as: every few pages it checks the dirty limits,
 * wakes the flusher above the background threshold and waits (in simulated
 * time) above the hard limit.
 */
void balance_dirty_pages_ratelimited(struct address_space *as);
/* Sleeps (simulated time) until page's write is done (folio_wait_writeback). */
void folio_wait_writeback(struct page *page);
/* rmap.c: write-protects and cleans every PTE mapping page (folio_mkclean). */
int page_mkclean(struct page *page);

#endif /* KMM_PAGEMAP_H */
