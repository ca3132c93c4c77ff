/*
 * block/fops.c - the address_space_operations of a block device's page
 * cache (Linux's def_blk_aops in block/fops.c): readahead reads whole
 * pages with one bio, writeback writes only the dirty buffers of each
 * page (fs/buffer.c), and a page leaves the cache only with its buffers.
 */
#include <errno.h>
#include <string.h>
#include <kmm/bio.h>
#include <kmm/buffer_head.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include "block/machine.h"

static struct block_device *as_bdev(struct address_space *as)
{
	return as->host->i_private;
}

/*
 * Fills nr pages of consecutive index with one bio; what lies past the
 * device's end (the last page of an image that is not a whole number of
 * pages) reads as zeros.
 */
static int blkdev_readahead(struct address_space *as, struct page **pages, unsigned int nr)
{
	struct block_device *bdev = as_bdev(as);
	sector_t sector = (sector_t)pages[0]->index << (PAGE_SHIFT - SECTOR_SHIFT);
	unsigned long long end = bdev_nr_sectors(bdev) << SECTOR_SHIFT;
	unsigned long long pos = sector << SECTOR_SHIFT;
	struct bio *bio = bio_alloc(bdev, (unsigned short)nr, REQ_OP_READ, GFP_NOIO);
	unsigned int i;
	int err = 0;

	if (!bio)
		return -ENOMEM;
	bio->bi_sector = sector;
	for (i = 0; i < nr; i++, pos += PAGE_SIZE) {
		unsigned int len = pos >= end ? 0 : (unsigned int)min(end - pos, (unsigned long long)PAGE_SIZE);

		if (len < PAGE_SIZE)
			memset((char *)page_address(pages[i]) + len, 0, PAGE_SIZE - len);
		if (len)
			bio_add_page(bio, pages[i], len, 0);
	}
	if (bio->bi_size)
		err = submit_bio_wait(bio);
	bio_put(bio);
	return err;
}

static int blkdev_writepages(struct address_space *as, struct page **pages, unsigned int nr,
			     unsigned long long *done)
{
	return block_write_full_pages(as_bdev(as), pages, nr, done);
}

/* swapon of the device: its every sector is there, no hole to have. */
static int blkdev_swap_activate(struct file *file, long long span)
{
	struct block_device *bdev = file->f_inode->i_private;

	return span > (long long)(bdev_nr_sectors(bdev) << SECTOR_SHIFT) ? -EINVAL : 0;
}

struct swap_bio_ctx {
	bool ended;
	int status;
	unsigned long long done;
};

static void swap_bio_end_io(struct bio *bio)
{
	struct swap_bio_ctx *ctx = bio->bi_private;

	ctx->ended = true;
	ctx->status = bio->bi_status;
	ctx->done = bio->bi_done_ns;
}

/*
 * One page of swap as one bio, past the device's page cache (Linux's
 * swap_writepage_bdev_*, swap_read_folio_bdev_*).  A queued write leaves
 * no plug holding it: its completion time is what the caller waits on.
 */
static int blkdev_swap_rw(struct file *file, struct page *page, long long pos, bool write,
			  unsigned long long *done)
{
	struct block_device *bdev = file->f_inode->i_private;
	unsigned int op = write ? REQ_OP_WRITE : REQ_OP_READ;
	struct bio *bio = bio_alloc(bdev, 1, op | (done ? REQ_BACKGROUND : REQ_SYNC), GFP_NOIO);
	struct swap_bio_ctx ctx = { 0 };
	int err;

	if (!bio)
		return -ENOMEM;
	bio->bi_sector = (sector_t)pos >> SECTOR_SHIFT;
	bio_add_page(bio, page, PAGE_SIZE, 0);
	if (!done) {
		err = submit_bio_wait(bio);
	} else {
		bio->bi_end_io = swap_bio_end_io;
		bio->bi_private = &ctx;
		submit_bio(bio);
		if (!ctx.ended)
			blk_flush_plug(kmm_cur()->block->plug);
		err = ctx.ended ? ctx.status : -EIO;
		*done = ctx.done;
	}
	bio_put(bio);
	return err;
}

const struct address_space_operations def_blk_aops = {
	.readahead = blkdev_readahead,
	.writepages = blkdev_writepages,
	.release_folio = try_to_free_buffers,
	.invalidate_folio = block_invalidate_folio,
	.swap_activate = blkdev_swap_activate,
	.swap_rw = blkdev_swap_rw,
};
