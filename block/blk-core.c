/*
 * block/blk-core.c - from bios to disk requests (Linux's block/blk-core.c
 * with the plugging and merging of blk-mq.c and blk-merge.c).
 *
 *   submit_bio -> checks (end of device, read-only) -> plugged?
 *        no:  a request of this one bio goes to the disk now
 *        yes: merged at the back of the plug's last request when it
 *             continues it (same device and operation, next sector,
 *             within max_sectors), else a new request on the plug
 *   blk_finish_plug -> each request: one hw_disk_rw of all its bios'
 *        pieces (one bounce buffer: the scatter list a real controller
 *        would take), then every bio's bi_end_io with the status.
 *
 * A request flagged REQ_BACKGROUND (the flusher's writeback) is queued
 * on the disk without waiting: its bytes are in the image at once, and
 * bi_done_ns says when it completes on the simulated clock.  Any other
 * request is waited for.  One queue per device, one request on the disk
 * at a time (hw/disk.c), so there is no I/O scheduler to model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/bio.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include "block/machine.h"
#include "hw/machine.h"
#include "base/printk.h"

static void bio_endio(struct bio *bio, int status, unsigned long long done)
{
	bio->bi_status = status;
	bio->bi_done_ns = done;
	if (bio->bi_end_io)
		bio->bi_end_io(bio);
}

static void req_init(struct request *rq, struct bio *bio)
{
	rq->next = NULL;
	rq->bdev = bio->bi_bdev;
	rq->opf = bio->bi_opf;
	rq->sector = bio->bi_sector;
	rq->nr_sectors = bio->bi_size >> SECTOR_SHIFT;
	rq->bio = rq->biotail = bio;
	bio->bi_next = NULL;
}

/* Copies between the request's pieces and buf (to_buf: for a write). */
static void req_copy(struct request *rq, unsigned char *buf, bool to_buf)
{
	struct bio *bio;
	unsigned short i;

	for (bio = rq->bio; bio; bio = bio->bi_next)
		for (i = 0; i < bio->bi_vcnt; i++) {
			struct bio_vec *bv = &bio->bi_io_vec[i];
			unsigned char *p = (unsigned char *)page_address(bv->bv_page) + bv->bv_offset;

			if (to_buf)
				memcpy(buf, p, bv->bv_len);
			else
				memcpy(p, buf, bv->bv_len);
			buf += bv->bv_len;
		}
}

/* One request of one piece needs no bounce buffer. */
static unsigned char *req_direct_buf(struct request *rq)
{
	struct bio_vec *bv = &rq->bio->bi_io_vec[0];

	if (rq->bio->bi_next || rq->bio->bi_vcnt != 1)
		return NULL;
	return (unsigned char *)page_address(bv->bv_page) + bv->bv_offset;
}

/* The request goes to the disk; every bio of it completes. */
static void blk_dispatch(struct request *rq)
{
	struct request_queue *q = bdev_get_queue(rq->bdev);
	size_t len = (size_t)rq->nr_sectors << SECTOR_SHIFT;
	bool write = (rq->opf & REQ_OP_MASK) == REQ_OP_WRITE;
	unsigned long long done = 0;
	unsigned char *buf = req_direct_buf(rq), *bounce = NULL;
	struct bio *bio, *next;
	long ret;

	if (!buf)
		buf = bounce = malloc(len);
	if (!buf) {
		ret = -ENOMEM;
	} else {
		if (bounce && write)
			req_copy(rq, bounce, true);
		ret = hw_disk_rw(q->k, q->disk, q->fd, buf, len,
				 (long long)rq->sector << SECTOR_SHIFT, write,
				 rq->opf & REQ_BACKGROUND ? &done : NULL);
		if (ret >= 0 && (size_t)ret < len)
			ret = -EIO;	/* the image shrank under the machine */
		if (ret >= 0 && bounce && !write)
			req_copy(rq, bounce, false);
	}
	free(bounce);
	if (!done)
		done = hw_clock_ns(q->k);
	for (bio = rq->bio; bio; bio = next) {
		next = bio->bi_next;
		bio_endio(bio, ret < 0 ? (int)ret : 0, done);
	}
}

/*
 * bio_check_eod and bio_check_ro: a bio past the device's end is -EIO; a
 * write to a read-only device is -EROFS here (Linux 6.x only warns and
 * lets the driver fail it; the image is open read-only, so it would).
 */
static int bio_check(struct bio *bio)
{
	struct block_device *bdev = bio->bi_bdev;
	struct request_queue *q = bdev_get_queue(bdev);

	if (!bio->bi_size || (bio->bi_size & (SECTOR_SIZE - 1)) ||
	    bio_end_sector(bio) > bdev_nr_sectors(bdev) || bio_end_sector(bio) < bio->bi_sector)
		return -EIO;
	if (bio_op(bio) == REQ_OP_WRITE && bdev_read_only(bdev)) {
		if (!q->warned_ro)
			kmm_report(q->k, "Trying to write to read-only block-device %s\n",
				   bdev->bd_name);
		q->warned_ro = true;
		return -EROFS;
	}
	return 0;
}

/* blk_attempt_plug_merge: the bio continues the plug's last request. */
static bool plug_back_merge(struct blk_plug *plug, struct bio *bio)
{
	struct request *rq = plug->tail;
	struct request_queue *q = bdev_get_queue(bio->bi_bdev);

	if (!rq || rq->bdev != bio->bi_bdev || rq->opf != bio->bi_opf ||
	    rq->sector + rq->nr_sectors != bio->bi_sector ||
	    rq->nr_sectors + (bio->bi_size >> SECTOR_SHIFT) > q->max_sectors)
		return false;
	rq->biotail->bi_next = bio;
	rq->biotail = bio;
	bio->bi_next = NULL;
	rq->nr_sectors += bio->bi_size >> SECTOR_SHIFT;
	q->merges[bio_op(bio)]++;
	return true;
}

/* A new request on the plug; false when none could be had. */
static bool plug_add(struct blk_plug *plug, struct bio *bio)
{
	struct request *rq = kmalloc(sizeof(*rq), GFP_NOIO | __GFP_NOWARN);

	if (!rq)
		return false;
	req_init(rq, bio);
	if (plug->tail)
		plug->tail->next = rq;
	else
		plug->head = rq;
	plug->tail = rq;
	plug->rq_count++;
	return true;
}

void submit_bio(struct bio *bio)
{
	struct blk_plug *plug = kmm_cur()->block->plug;
	struct request rq;
	int err = bio_check(bio);

	if (err) {
		bio_endio(bio, err, hw_clock_ns(kmm_cur()));
		return;
	}
	if (plug) {
		if (plug_back_merge(plug, bio))
			return;
		if (plug->rq_count >= BLK_MAX_REQUEST_COUNT)
			blk_flush_plug(plug);
		if (plug_add(plug, bio))
			return;
	}
	req_init(&rq, bio);
	blk_dispatch(&rq);
}

void blk_flush_plug(struct blk_plug *plug)
{
	struct request *rq;

	if (!plug)
		return;
	while ((rq = plug->head)) {
		plug->head = rq->next;
		blk_dispatch(rq);
		kfree(rq);
	}
	plug->tail = NULL;
	plug->rq_count = 0;
}

void blk_start_plug(struct blk_plug *plug)
{
	struct block_machine *b = kmm_cur()->block;

	memset(plug, 0, sizeof(*plug));
	if (!b->plug)
		b->plug = plug;		/* a nested plug leaves the outer one in charge */
}

void blk_finish_plug(struct blk_plug *plug)
{
	struct block_machine *b = kmm_cur()->block;

	if (b->plug != plug)
		return;
	blk_flush_plug(plug);
	b->plug = NULL;
}
