/*
 * include/kmm/buffer_head.h - the buffer cache (fs/buffer.c): a block of a
 * block device, held in a page of the device's page cache.  A page holds
 * PAGE_SIZE / b_size buffers chained by b_this_page (4 of 1 KiB, 2 of
 * 2 KiB, 1 of 4 KiB); each has its own uptodate and dirty bits, so that
 * writeback writes only the dirty blocks of a page.  The names, states
 * and calls are Linux's (include/linux/buffer_head.h).
 */
#ifndef KMM_BUFFER_HEAD_H
#define KMM_BUFFER_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <kmm/blkdev.h>
#include <kmm/mm_types.h>
#include <kmm/page-flags.h>

enum bh_state_bits {
	BH_Uptodate,	/* b_data holds the block's bytes */
	BH_Dirty,	/* b_data is newer than the disk */
	BH_Lock,	/* I/O in flight */
	BH_Req,		/* has been submitted for I/O */
	BH_Mapped,	/* b_bdev and b_blocknr are valid */
	BH_New,		/* get_block just allocated it: not yet on the disk */
	BH_Write_EIO,	/* the last write of it failed */
};

struct buffer_head {
	unsigned long b_state;		/* 1ul << BH_* */
	struct buffer_head *b_this_page;	/* circular list of the page's buffers */
	struct page *b_page;		/* the page it is in */
	sector_t b_blocknr;		/* block number, in b_size units */
	size_t b_size;			/* bytes */
	char *b_data;			/* the block's bytes, inside the page */
	struct block_device *b_bdev;
	int b_count;			/* users: get_bh / put_bh */
};

#define BUFFER_FNS(bit, name)							\
static inline int buffer_##name(const struct buffer_head *bh)			\
{ return (bh->b_state >> BH_##bit) & 1; }					\
static inline void set_buffer_##name(struct buffer_head *bh)			\
{ bh->b_state |= 1ul << BH_##bit; }						\
static inline void clear_buffer_##name(struct buffer_head *bh)			\
{ bh->b_state &= ~(1ul << BH_##bit); }

BUFFER_FNS(Uptodate, uptodate)
BUFFER_FNS(Dirty, dirty)
BUFFER_FNS(Lock, locked)
BUFFER_FNS(Req, req)
BUFFER_FNS(Mapped, mapped)
BUFFER_FNS(New, new)
BUFFER_FNS(Write_EIO, write_io_error)
#undef BUFFER_FNS

static inline void get_bh(struct buffer_head *bh) { bh->b_count++; }
static inline void put_bh(struct buffer_head *bh) { bh->b_count--; }

/*
 * The buffer of block `block` (of `size` bytes, the device's block size)
 * with a reference, made if absent; its bytes are read only by __bread.
 * NULL when no memory could be had, or the block is past the device's end.
 */
struct buffer_head *__getblk(struct block_device *bdev, sector_t block, unsigned int size);
/* __getblk, then reads the block if it is not uptodate: NULL on an I/O error. */
struct buffer_head *__bread(struct block_device *bdev, sector_t block, unsigned int size);
/* Drops the reference __getblk/__bread gave (NULL is fine). */
void brelse(struct buffer_head *bh);
/* Marks the buffer and its page dirty: the flusher will write it. */
void mark_buffer_dirty(struct buffer_head *bh);
/* Writes the buffer now if it is dirty and waits: 0 or -EIO. */
int sync_dirty_buffer(struct buffer_head *bh);
/* The buffer, if it is in the cache, with a reference; NULL otherwise. */
struct buffer_head *__find_get_block(struct block_device *bdev, sector_t block, unsigned int size);
/* Forgets a buffer's dirty bit (the filesystem freed the block). */
void bforget(struct buffer_head *bh);

/*
 * Beyond the contract above: what the block device's page cache
 * (block/fops.c) and the checkers use.
 */

/* The page's buffers (the first of its ring), or NULL if it has none. */
static inline struct buffer_head *folio_buffers(const struct page *page)
{
	return PagePrivate(page) ? (struct buffer_head *)page->private : NULL;
}

/* A ring of PAGE_SIZE / size buffers attached to page, with b_state. */
struct buffer_head *create_empty_buffers(struct page *page, unsigned int size,
					 unsigned long b_state);
/*
 * Writeback of nr pages of consecutive index (the bdev's a_ops
 * writepages): only their dirty buffers, all of them under one plug so
 * that adjacent ones leave as one request.  done NULL: waited for; else
 * queued, *done when the last completes.  0 or the first error.
 */
int block_write_full_pages(struct block_device *bdev, struct page **pages, unsigned int nr,
			   unsigned long long *done);
/* Frees the page's buffers if none is dirty, locked or held: true if it did. */
bool try_to_free_buffers(struct page *page);
/* The page leaves the cache (truncate): its buffers go whatever they hold. */
void block_invalidate_folio(struct page *page);
/* The buffer cache of bdev is consistent (KMM_DEBUG_VM checker): 0 or -1. */
int check_buffer_invariants(struct block_device *bdev);

#endif /* KMM_BUFFER_HEAD_H */
