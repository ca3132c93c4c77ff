/*
 * include/kmm/bio.h - block I/O as Linux's linux/bio.h and blk_types.h
 * have it (block/bio.c, block/blk-core.c): a bio is one transfer between
 * a run of sectors of a block device and a vector of (page, offset,
 * length) pieces of memory; submit_bio hands it to the device.  Under a
 * plug (blk_start_plug .. blk_finish_plug) bios wait in the plug, and a
 * bio that starts where the previous request ends is merged into it, so
 * that a sequential writeback leaves as a few large requests.
 */
#ifndef KMM_BIO_H
#define KMM_BIO_H

#include <stdbool.h>
#include <kmm/blkdev.h>
#include <kmm/gfp.h>

/* bi_opf: the operation in the low bits, flags above (REQ_OP_*, REQ_*). */
#define REQ_OP_READ	0u
#define REQ_OP_WRITE	1u
#define REQ_OP_MASK	0xffu
#define REQ_SYNC	(1u << 8)	/* the submitter waits for it (sync_dirty_buffer) */
#define REQ_BACKGROUND	(1u << 9)	/* queued, completing later (the flusher) */

/* The most pieces a bio holds (BIO_MAX_VECS). */
#define BIO_MAX_VECS	256u

struct bio_vec {
	struct page *bv_page;
	unsigned int bv_len;
	unsigned int bv_offset;
};

struct bio;
typedef void bio_end_io_t(struct bio *bio);

struct bio {
	struct bio *bi_next;		/* the next bio of its request */
	struct block_device *bi_bdev;
	unsigned int bi_opf;		/* REQ_OP_* | REQ_* */
	sector_t bi_sector;		/* first 512-byte sector */
	unsigned int bi_size;		/* bytes, the sum of the vector's lengths */
	int bi_status;			/* after completion: 0 or -errno */
	unsigned long long bi_done_ns;	/* when its request completes (simulated clock) */
	bio_end_io_t *bi_end_io;	/* called once, when the request is done */
	void *bi_private;		/* the submitter's */
	unsigned short bi_vcnt;		/* pieces in use */
	unsigned short bi_max_vecs;	/* room in bi_io_vec */
	struct bio_vec bi_io_vec[];
};

static inline unsigned int bio_op(const struct bio *bio)
{
	return bio->bi_opf & REQ_OP_MASK;
}

static inline sector_t bio_end_sector(const struct bio *bio)
{
	return bio->bi_sector + (bio->bi_size >> SECTOR_SHIFT);
}

/* A bio with room for nr_vecs pieces (at most BIO_MAX_VECS), or NULL. */
struct bio *bio_alloc(struct block_device *bdev, unsigned short nr_vecs, unsigned int opf,
		      gfp_t gfp);
void bio_put(struct bio *bio);
/* Adds len bytes of page at off: the bytes added (0: the bio is full). */
unsigned int bio_add_page(struct bio *bio, struct page *page, unsigned int len,
			  unsigned int off);
/*
 * Sends the bio to its device: under a plug it waits there (merged into
 * the request it continues, if any), else its request goes to the disk
 * now.  bi_end_io runs when the request is done, with bi_status set; a
 * bio past the device's end, or a write to a read-only device, fails at
 * once (-EIO, -EROFS).
 */
void submit_bio(struct bio *bio);
/* submit_bio and wait: the bio's status (0 or -errno). */
int submit_bio_wait(struct bio *bio);

/*
 * A plug: requests gather in it and go to the disk at blk_finish_plug
 * (or when it holds BLK_MAX_REQUEST_COUNT of them).  One plug at a time
 * per machine, as Linux has one per task; a nested start is a no-op.
 */
#define BLK_MAX_REQUEST_COUNT	32

struct request;

struct blk_plug {
	struct request *head, *tail;	/* the plugged requests, in submit order */
	unsigned short rq_count;
	bool multiple_queues;		/* unused: one queue per device here */
};

void blk_start_plug(struct blk_plug *plug);
void blk_finish_plug(struct blk_plug *plug);

#endif /* KMM_BIO_H */
