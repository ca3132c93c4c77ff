/*
 * block/machine.h - the block layer's part of a machine (struct kmm's
 * block): its block devices (kda, from boot disk=IMAGE) with their request
 * queues, and the plug of the machine's one submitting context.  What
 * init/, fs/ and proc/ call of the block layer beyond include/kmm/.
 */
#ifndef KMM_BLOCK_MACHINE_H
#define KMM_BLOCK_MACHINE_H

#include <kmm/bio.h>
#include "base/machine.h"

struct hw_disk;

/*
 * A device's queue (Linux's request_queue with its gendisk's counters):
 * the host image, the disk model serving it, its limits and the counters
 * /proc/diskstats and /sys/block/NAME/stat print beyond the disk's own.
 */
struct request_queue {
	struct kmm *k;
	struct hw_disk *disk;		/* time and per-direction counters (hw/disk.c) */
	int fd;				/* the host image file */
	unsigned int max_sectors;	/* the largest request: max_sectors_kb * 2 */
	unsigned long merges[2];	/* bios merged into a request, by REQ_OP_* */
	bool warned_ro;			/* the write-to-read-only warning was given */
};

/* The request a plug gathers bios into (Linux's struct request). */
struct request {
	struct request *next;		/* on the plug */
	struct block_device *bdev;
	unsigned int opf;		/* its bios' REQ_OP_* | REQ_* */
	sector_t sector;		/* first sector */
	unsigned int nr_sectors;
	struct bio *bio, *biotail;	/* its bios, in sector order */
};

struct block_machine {
	struct block_device *kda;	/* boot disk=IMAGE[:ro], or NULL */
	struct blk_plug *plug;		/* the current plug (Linux's current->plug) */
};

/* block/blk-core.c: sends what plug holds to the disk (NULL: nothing). */
void blk_flush_plug(struct blk_plug *plug);

/* block/bdev.c: the disk= device at boot (0 or -errno), and at shutdown. */
int bdev_init(struct kmm *k);
/* Writes everything back while the machine is still current. */
void bdev_shutdown_sync(struct kmm *k);
void bdev_exit(struct kmm *k);
/* meminfo's Buffers: the pages of every block device's cache. */
unsigned long nr_blockdev_pages(struct kmm *k);
/* drop_caches: the clean buffer pages that can go (their number). */
unsigned long invalidate_bdevs(struct kmm *k);

static inline struct request_queue *bdev_get_queue(struct block_device *bdev)
{
	return bdev->bd_private;
}

#endif /* KMM_BLOCK_MACHINE_H */
