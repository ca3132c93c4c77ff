/*
 * block/bio.c - the bio: one transfer between a run of sectors and a
 * vector of pieces of pages (Linux's block/bio.c).  Bios are kmalloc'ed
 * with their vector; Linux keeps them in bio_sets with a mempool so that
 * writeback never waits for memory, which kmm's allocations do not need
 * (a failed bio_alloc is the caller's -ENOMEM).
 */
#include <errno.h>
#include <string.h>
#include <kmm/bio.h>
#include <kmm/slab.h>
#include "block/machine.h"

struct bio *bio_alloc(struct block_device *bdev, unsigned short nr_vecs, unsigned int opf,
		      gfp_t gfp)
{
	struct bio *bio;

	if (!nr_vecs || nr_vecs > BIO_MAX_VECS)
		return NULL;
	bio = kzalloc(sizeof(*bio) + nr_vecs * sizeof(bio->bi_io_vec[0]), gfp);
	if (!bio)
		return NULL;
	bio->bi_bdev = bdev;
	bio->bi_opf = opf;
	bio->bi_max_vecs = nr_vecs;
	return bio;
}

void bio_put(struct bio *bio)
{
	kfree(bio);
}

/*
 * Adds a piece; one that continues the last piece in the same page
 * extends it (as Linux's bio_add_page merges physically contiguous
 * pieces), so the 4 buffers of a page are one piece.
 */
unsigned int bio_add_page(struct bio *bio, struct page *page, unsigned int len,
			  unsigned int off)
{
	struct bio_vec *bv = bio->bi_vcnt ? &bio->bi_io_vec[bio->bi_vcnt - 1] : NULL;

	if (bv && bv->bv_page == page && bv->bv_offset + bv->bv_len == off) {
		bv->bv_len += len;
	} else {
		if (bio->bi_vcnt == bio->bi_max_vecs)
			return 0;
		bv = &bio->bi_io_vec[bio->bi_vcnt++];
		bv->bv_page = page;
		bv->bv_offset = off;
		bv->bv_len = len;
	}
	bio->bi_size += len;
	return len;
}

/* The waiting submitter's completion: the status is read from the bio. */
static void submit_bio_wait_endio(struct bio *bio)
{
	*(bool *)bio->bi_private = true;
}

int submit_bio_wait(struct bio *bio)
{
	bool done = false;

	bio->bi_opf = (bio->bi_opf & ~REQ_BACKGROUND) | REQ_SYNC;
	bio->bi_private = &done;
	bio->bi_end_io = submit_bio_wait_endio;
	submit_bio(bio);
	/* A synchronous request is over when submit_bio returns, unless a
	 * plug holds it: waiting sends the plug to the disk (as Linux's
	 * io_schedule flushes the sleeper's plug). */
	if (!done)
		blk_flush_plug(kmm_cur()->block->plug);
	return done ? bio->bi_status : -EIO;
}
