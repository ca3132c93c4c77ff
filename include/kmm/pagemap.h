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

struct task_struct;

/* One disk request moves at most this many pages (max_sectors_kb 1024). */
#define MAX_IO_PAGES	256

struct page *find_get_page(struct address_space *as, pgoff_t index);
/* A use of the page by the kernel for a user (read, a buffer lookup):
 * the LRU's second chance (mm/swap.c). */
void folio_mark_accessed(struct page *folio);
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

/*
 * mm/readahead.c.  One readahead: the file and its state, the next index
 * to add, and the new pages gathered for the next disk request.
 */
struct readahead_control {
	struct file *file;
	struct address_space *mapping;
	struct file_ra_state *ra;
	pgoff_t _index;			/* the first page not yet read */
	unsigned int _nr_pages;		/* new pages from _index, for read_pages */
	unsigned int _cap;
	struct page **_pages;
	unsigned long nr_read;		/* pages read from the disk */
	int err;			/* -EIO: a request failed */
};

#define DEFINE_READAHEAD(name, f, r, m, i) \
	struct readahead_control name = { .file = (f), .mapping = (m), .ra = (r), ._index = (i) }

void file_ra_state_init(struct file_ra_state *ra, struct address_space *as);
/* The disk's read_ahead_kb in pages. */
unsigned int inode_ra_pages(const struct inode *inode);
bool mapping_large_folio_support(const struct address_space *as);
unsigned long get_init_ra_size(unsigned long size, unsigned long max);
unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max);
void page_cache_sync_ra(struct readahead_control *rac, unsigned long req_count);
void page_cache_async_ra(struct readahead_control *rac, struct page *folio,
			 unsigned long req_count);
void page_cache_ra_order(struct readahead_control *rac, struct file_ra_state *ra);
void force_page_cache_ra(struct readahead_control *rac, unsigned long nr_to_read);
/* Frees what a readahead_control gathered (after the calls above). */
void readahead_done(struct readahead_control *rac);
int page_cache_sync_readahead(struct address_space *as, struct file_ra_state *ra,
			      struct file *file, pgoff_t index, unsigned long req_count);
void page_cache_async_readahead(struct address_space *as, struct file_ra_state *ra,
				struct file *file, struct page *folio, unsigned long req_count);

/*
 * mm/filemap.c, for readahead: a new folio of 2^order pages at index (each
 * page at its own index, the head the folio), -EEXIST if any is cached;
 * its removal; one disk request for n new pages of consecutive index.
 */
int filemap_add_folio(struct address_space *as, pgoff_t index, unsigned int order,
		      struct page **folio);
void filemap_remove_folio(struct address_space *as, struct page *folio);
int filemap_read_folios(struct address_space *as, struct page **pages, unsigned int n);

/*
 * A fault's page at index of file: cache hit (async readahead at a
 * marker) or a major fault that reads around it (do_sync_mmap_readahead),
 * as vm_flags (VM_SEQ_READ, VM_RAND_READ) ask.  ERR_PTR on failure.  The
 * caller holds a reference to the page (reclaim cannot take it while the
 * fault uses it) and drops it with put_page once the page is mapped.
 */
struct page *filemap_fault(struct file *file, unsigned long vm_flags, pgoff_t index,
			   bool *major);
/* Fault-around mapped nr cached pages: fewer misses counted. */
void filemap_map_pages_hit(struct file *file, unsigned long nr);

/* mm/fadvise.c: posix_fadvise(2) on f: 0 or -EINVAL. */
int generic_fadvise(struct file *f, long long offset, long long len, int advice);
long ksys_fadvise64_64(struct task_struct *t, int fd, long long offset, long long len,
		       int advice);
/* Drops the clean, unmapped folios wholly inside [start, end]: how many pages. */
unsigned long invalidate_mapping_pages(struct address_space *as, pgoff_t start, pgoff_t end);

/* cachestat(2) of [off, off + len) (len 0: to the end). */
struct cachestat {
	unsigned long long nr_cache;
	unsigned long long nr_dirty;
	unsigned long long nr_writeback;
	unsigned long long nr_evicted;
	unsigned long long nr_recently_evicted;
};
long ksys_cachestat(struct task_struct *t, int fd, unsigned long long off,
		    unsigned long long len, struct cachestat *cs, unsigned int flags);
void filemap_cachestat(struct address_space *as, pgoff_t first, pgoff_t last,
		       struct cachestat *cs);

#endif /* KMM_PAGEMAP_H */
