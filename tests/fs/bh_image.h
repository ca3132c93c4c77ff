/*
 * tests/fs/bh_image.h - a test double of the buffer cache
 * (include/kmm/buffer_head.h, include/kmm/blkdev.h) over a disk image held
 * in memory: __bread, __getblk, brelse, mark_buffer_dirty,
 * sync_dirty_buffer, __find_get_block, bforget, set_blocksize and
 * sync_blockdev, with the reads and writes counted.  Built into
 * test_ext2 and fuzz_ext2 in place of fs/buffer.c, so fs/ext2/ can be
 * tested on its own, fast and without a machine.
 */
#ifndef KMM_TESTS_FS_BH_IMAGE_H
#define KMM_TESTS_FS_BH_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <kmm/blkdev.h>
#include <kmm/buffer_head.h>

struct bh_image {
	struct block_device bdev;	/* "kda"; bd_private points back here */
	unsigned char *data;		/* the image: what "the disk" holds */
	size_t size;
	struct buffer_head **cache;	/* by block number at bd_block_size */
	size_t nr_cache;
	unsigned long reads;		/* blocks read from data */
	unsigned long writes;		/* blocks written to data */
	unsigned long refused_writes;	/* writes to a read-only device */
	long long fail_read;		/* this block's read fails (-1: none) */
	long refs;			/* references held now */
	long bad_releases;		/* brelse of a buffer nobody held */
};

/* The image from a host file (copied into memory), or from bytes. */
struct bh_image *bh_image_open(const char *path, bool read_only);
struct bh_image *bh_image_from_mem(const void *buf, size_t len, bool read_only);
/* Writes the dirty buffers into data, then data to a host file: 0 or -errno. */
int bh_image_save(struct bh_image *img, const char *path);
/* Frees everything; the references still held (0 when ext2 gave all back). */
long bh_image_close(struct bh_image *img);

#endif /* KMM_TESTS_FS_BH_IMAGE_H */
