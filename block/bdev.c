/*
 * block/bdev.c - block devices (Linux's block/bdev.c and genhd.c): a host
 * image file given at boot as `disk=IMAGE` (`disk=IMAGE:ro` read-only) is
 * the device kda, 254:0, in 512-byte sectors (`disk=scratch:SIZE`: an
 * empty one of the machine's own, gone at shutdown), served by its own disk
 * model (hw/disk.c: latency plus transfer time).  Its page cache is its
 * bd_inode's i_data, as in Linux since 2.4: the buffer heads of
 * fs/buffer.c live in those pages, /proc/meminfo counts them as Buffers,
 * and the flusher writes them back like any inode's pages (block/fops.c
 * has their address_space_operations).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kmm/bio.h>
#include <kmm/buffer_head.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include "block/machine.h"
#include "hw/machine.h"
#include "base/option.h"
#include "base/printk.h"
#include "base/parse.h"

#define KDA_MAJOR		254	/* the first dynamic block major, as virtio's vda */
#define BLK_DEF_MAX_SECTORS_KB	1280	/* Linux's default max_sectors_kb (BLK_DEF_MAX_SECTORS_CAP) */

extern const struct address_space_operations def_blk_aops;	/* block/fops.c */

/* Splits "IMAGE" or "IMAGE:ro" into path (of size n) and *ro. */
static void parse_disk_option(const char *value, char *path, size_t n, bool *ro)
{
	size_t len = strlen(value);

	*ro = len > 3 && !strcmp(value + len - 3, ":ro");
	if (*ro)
		len -= 3;
	snprintf(path, n, "%.*s", (int)len, value);
}

#define SCRATCH_PREFIX		"scratch:"
#define SCRATCH_MAX		(64ul << 30)

/* disk=scratch:SIZE: the size of a fresh, empty image (0 if not that form,
 * -1 if the size is bad). */
static long scratch_size(const char *value)
{
	unsigned long size;

	if (strncmp(value, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)))
		return 0;
	if (parse_ulong(value + strlen(SCRATCH_PREFIX), &size, true) || !size ||
	    size % SECTOR_SIZE || size > SCRATCH_MAX)
		return -1;
	return (long)size;
}

/* disk= at boot: a regular host file, not empty, whole sectors; or
 * scratch:SIZE, an empty image of the machine's own. */
static int disk_check_option(const char *value, char *err, size_t errlen)
{
	char path[sizeof(((struct kmm_config *)0)->disk)];
	struct stat st;
	bool ro;

	if (scratch_size(value) < 0) {
		snprintf(err, errlen, "option disk: %s: SIZE must be a multiple of 512 bytes "
			 "up to 64G (disk=scratch:8M)", value);
		return -1;
	}
	if (scratch_size(value))
		return 0;
	parse_disk_option(value, path, sizeof(path), &ro);
	if (!*path || stat(path, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "option disk: %s is not a host image file (disk=IMAGE or disk=IMAGE:ro)",
			 *path ? path : "(empty)");
		return -1;
	}
	if (!st.st_size || st.st_size % SECTOR_SIZE) {
		snprintf(err, errlen, "option disk: %s is %lld bytes, not a non-zero multiple of 512",
			 path, (long long)st.st_size);
		return -1;
	}
	return 0;
}
KMM_OPTION_CHECK("disk", disk_check_option)

/*
 * disk=scratch:SIZE: an unnamed host file of SIZE zero bytes (sparse: it
 * costs the host nothing until written), gone when the machine stops, as
 * a fresh disk; `mkfs` formats it.
 */
static int open_scratch(long size, bool *ro, long long *sizep)
{
	int fd = hw_disk_tmpfile(size, false);

	if (fd < 0)
		return fd;
	*ro = false;
	*sizep = size;
	return fd;
}

/* The image, read-write unless :ro or the host forbids it. */
static int open_image(const char *value, bool *ro, long long *size)
{
	char path[sizeof(((struct kmm_config *)0)->disk)];
	struct stat st;
	int fd = -1;

	if (scratch_size(value) > 0)
		return open_scratch(scratch_size(value), ro, size);
	parse_disk_option(value, path, sizeof(path), ro);
	if (!*ro)
		fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		*ro = true;
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !st.st_size || st.st_size % SECTOR_SIZE) {
		close(fd);
		return -EINVAL;
	}
	*size = st.st_size;
	return fd;
}

/* The device's inode: its i_data is the buffer cache (bdev_alloc_inode). */
static struct inode *bdev_inode_alloc(struct block_device *bdev)
{
	struct inode *inode = new_inode(0, bdev->bd_dev, (long long)bdev->bd_nr_sectors << SECTOR_SHIFT);

	if (!inode)
		return NULL;
	inode->i_mode = 060600;		/* S_IFBLK | 0600 */
	inode->i_rdonly = bdev->bd_read_only;
	inode->i_private = bdev;
	inode->i_data.a_ops = &def_blk_aops;
	return inode;
}

static struct block_device *bdev_open_image(struct kmm *k, const char *value)
{
	struct block_device *bdev = calloc(1, sizeof(*bdev));
	struct request_queue *q = calloc(1, sizeof(*q));
	long long size = 0;
	int fd;

	if (!bdev || !q)
		goto out_free;
	fd = open_image(value, &bdev->bd_read_only, &size);
	if (fd < 0)
		goto out_free;
	q->k = k;
	q->disk = &k->hw->blk_disk;
	q->fd = fd;
	q->max_sectors = BLK_DEF_MAX_SECTORS_KB * 2;
	bdev->bd_dev = MKDEV(KDA_MAJOR, 0);
	bdev->bd_name = "kda";
	bdev->bd_nr_sectors = (sector_t)size >> SECTOR_SHIFT;
	bdev->bd_block_size = PAGE_SIZE;	/* until the filesystem sets its own */
	bdev->bd_private = q;
	bdev->bd_inode = bdev_inode_alloc(bdev);
	if (bdev->bd_inode)
		return bdev;
	close(fd);
out_free:
	free(q);
	free(bdev);
	return NULL;
}

int bdev_init(struct kmm *k)
{
	if (!k->cfg.disk[0])
		return 0;
	k->block->kda = bdev_open_image(k, k->cfg.disk);
	if (k->block->kda)
		return 0;
	kmm_report(k, "kmm_boot: disk=%s: cannot open the image\n", k->cfg.disk);
	return -EIO;
}

struct block_device *lookup_bdev(const char *name)
{
	struct block_device *bdev = kmm_cur()->block->kda;

	if (!strncmp(name, "/dev/", 5))
		name += 5;
	return bdev && !strcmp(bdev->bd_name, name) ? bdev : NULL;
}

int sync_blockdev(struct block_device *bdev)
{
	if (!bdev)
		return 0;
	return filemap_write_and_wait_range(&bdev->bd_inode->i_data, 0, (long long)(~0ull >> 1));
}

/* kill_bdev: every buffer and page of the cache goes (after a sync). */
static void kill_bdev(struct block_device *bdev)
{
	truncate_inode_pages_range(&bdev->bd_inode->i_data, 0, ~0ul);
}

/* Whether anyone holds a buffer of the device (set_blocksize must not
 * pull pages from under a brelse still to come). */
static bool bdev_buffers_busy(struct block_device *bdev)
{
	struct address_space *as = &bdev->bd_inode->i_data;
	unsigned long index;
	struct page *page;

	xa_for_each(&as->i_pages, index, page) {
		struct buffer_head *head, *bh;

		if (xa_is_value(page))
			continue;	/* a shadow entry */
		head = bh = folio_buffers(page);
		if (!head)
			continue;
		do {
			if (bh->b_count)
				return true;
			bh = bh->b_this_page;
		} while (bh != head);
	}
	return false;
}

/*
 * A power of two from the sector size to PAGE_SIZE.  A new size writes
 * back and drops every buffer of the old one; -EBUSY while a buffer is
 * held (Linux refuses a claimed device the same way).
 */
int set_blocksize(struct block_device *bdev, unsigned int size)
{
	if (!bdev || size < SECTOR_SIZE || size > PAGE_SIZE || (size & (size - 1)))
		return -EINVAL;
	if (bdev->bd_block_size == size)
		return 0;
	if (bdev_buffers_busy(bdev))
		return -EBUSY;
	sync_blockdev(bdev);
	kill_bdev(bdev);
	bdev->bd_block_size = size;
	return 0;
}

unsigned long nr_blockdev_pages(struct kmm *k)
{
	struct block_device *bdev = k->block->kda;

	return bdev ? bdev->bd_inode->i_data.nrpages : 0;
}

unsigned long invalidate_bdevs(struct kmm *k)
{
	struct block_device *bdev = k->block->kda;

	return bdev ? invalidate_mapping_pages(&bdev->bd_inode->i_data, 0, ~0ul) : 0;
}

/*
 * Shutdown: everything dirty goes to the image and the cache is let go
 * of, while the machine is still the current one (the cache's calls act
 * on it).  A write that fails here is lost, as on a real power-off.
 */
void bdev_shutdown_sync(struct kmm *k)
{
	struct block_device *bdev = k->block->kda;

	if (!bdev || !bdev->bd_inode)
		return;
	sync_blockdev(bdev);
	VM_CHECK(check_buffer_invariants(bdev));
	iput(bdev->bd_inode);
	bdev->bd_inode = NULL;
}

void bdev_exit(struct kmm *k)
{
	struct block_device *bdev = k->block->kda;

	if (!bdev)
		return;
	close(bdev_get_queue(bdev)->fd);
	free(bdev->bd_private);
	free(bdev);
	k->block->kda = NULL;
}
