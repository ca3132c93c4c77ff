/*
 * include/kmm/blkdev.h - a block device (block/): a disk image on the host
 * seen as 512-byte sectors, with its own page cache (bd_inode's
 * address_space, where the buffer heads of include/kmm/buffer_head.h
 * live), and the bios that move its blocks (block/bio.c, block/blk-core.c).
 *
 * The contract between the block layer and the filesystems above it
 * (fs/ext2/): a filesystem reads and writes its metadata only through
 * buffer heads, and its file data through the page cache, whose a_ops
 * submit bios to the device.
 */
#ifndef KMM_BLKDEV_H
#define KMM_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>

typedef unsigned long long sector_t;	/* 512-byte sectors, or blocks (buffer_head) */

#define SECTOR_SHIFT	9
#define SECTOR_SIZE	(1u << SECTOR_SHIFT)

struct inode;
struct page;

struct block_device {
	unsigned int bd_dev;		/* MKDEV(major, minor): kda is 254:0 */
	const char *bd_name;		/* "kda": /proc/diskstats, /sys/block/NAME */
	sector_t bd_nr_sectors;		/* the image's size in sectors */
	bool bd_read_only;		/* disk=IMAGE:ro, or the image is not writable */
	unsigned int bd_block_size;	/* set_blocksize(): the buffer size in bytes */
	struct inode *bd_inode;		/* its page cache: i_data holds the buffer pages */
	void *bd_private;		/* the block layer's (the queue, the host fd) */
};

static inline sector_t bdev_nr_sectors(const struct block_device *bdev)
{
	return bdev->bd_nr_sectors;
}

static inline bool bdev_read_only(const struct block_device *bdev)
{
	return bdev->bd_read_only;
}

/*
 * The buffer size of the device's page cache: 512, 1024, 2048 or 4096
 * (at most PAGE_SIZE, a power of two, at least the sector).  Drops the
 * buffers of the old size first.  0 or -EINVAL.
 */
int set_blocksize(struct block_device *bdev, unsigned int size);
/* The machine's block device of that name ("kda" or "/dev/kda"), or NULL. */
struct block_device *lookup_bdev(const char *name);
/* Writes back every dirty buffer and page of the device and waits: 0 or -EIO. */
int sync_blockdev(struct block_device *bdev);

#endif /* KMM_BLKDEV_H */
