/*
 * tests/block/test_blkdev.c - the block device kda over a host image
 * (block/) and the buffer cache in its page cache (fs/buffer.c):
 *
 *   - 4 buffers of 1 KiB share one page; Buffers in /proc/meminfo;
 *   - a dirty buffer syncs as exactly one 1 KiB request at its sector and
 *     its page's clean buffers are not written;
 *   - 64 MiB of sequential dirty buffers leave as a few large merged
 *     requests (sync_blockdev, and the flusher's background writes);
 *   - drop_caches frees clean buffer pages, not dirty or held ones;
 *   - a read-only image refuses writes, an injected I/O error gives
 *     __bread NULL and a failed write stays dirty, blocks past the end
 *     are NULL, bad block sizes -EINVAL, held buffers -EBUSY;
 *   - /proc/diskstats and /sys/block/kda/stat, bad disk= options, and
 *     shutdown writing everything to the image.
 * The buffer cache's checker runs after every step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kmm/bio.h>
#include <kmm/buffer_head.h>
#include <kmm/pagemap.h>
#include <kmm/timer.h>
#include "block/machine.h"
#include "hw/machine.h"
#include "mm/internal.h"
#include "tests/fs_test.h"
#include "tests/harness.h"

static char image[256];
static struct block_device *bdev;

/* An image of size bytes in a fresh dir, block b of 1 KiB filled with b & 0xff. */
static void make_image(long long size)
{
	unsigned char blk[1024];
	long long b;
	int fd;

	make_test_dir("blkdev");
	snprintf(image, sizeof(image), "%s/disk.img", dir);
	fd = open(image, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, size))
		abort();
	for (b = 0; b < 64 && b * 1024 < size; b++) {
		memset(blk, (int)b, sizeof(blk));
		if (pwrite(fd, blk, sizeof(blk), b * 1024) != (ssize_t)sizeof(blk))
			abort();
	}
	close(fd);
}

static struct kmm *boot_image(const char *suffix, unsigned long mem)
{
	struct kmm_config cfg = { .mem = mem, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k;

	snprintf(cfg.disk, sizeof(cfg.disk), "%s%s", image, suffix);
	k = kmm_boot(&cfg);
	if (!k)
		abort();
	capture_reports();
	bdev = lookup_bdev("/dev/kda");
	if (!bdev)
		abort();
	return k;
}

static struct kmm *boot_disk(long long size, const char *suffix)
{
	make_image(size);
	return boot_image(suffix, 256ul << 20);
}

static unsigned char image_byte(long long pos)
{
	unsigned char c = 0;
	int fd = open(image, O_RDONLY);

	if (fd < 0 || pread(fd, &c, 1, pos) != 1)
		abort();
	close(fd);
	return c;
}

static unsigned long meminfo_kb(const char *field)
{
	static char buf[8192];
	char *p;

	kmm_proc_read("/proc/meminfo", buf, sizeof(buf));
	p = strstr(buf, field);
	return p ? strtoul(p + strlen(field), NULL, 10) : ~0ul;
}

#define WR(k)	((k)->hw->blk_disk.wr)
#define CHECK()	ASSERT_EQ(check_buffer_invariants(bdev), 0)

TEST(four_buffers_share_a_page)
{
	struct kmm *k = boot_disk(1 << 20, "");
	struct buffer_head *bh[4];
	unsigned long reads;
	int i;

	ASSERT_EQ(bdev->bd_dev, MKDEV(254, 0));
	ASSERT_EQ(bdev_nr_sectors(bdev), 2048ull);
	ASSERT_EQ(set_blocksize(bdev, 1024), 0);
	reads = k->hw->blk_disk.rd.ios;
	for (i = 0; i < 4; i++) {
		bh[i] = __bread(bdev, 4 + i, 1024);
		ASSERT_NOT_NULL(bh[i]);
		ASSERT_EQ((unsigned char)bh[i]->b_data[0], 4 + i);
		ASSERT_EQ((unsigned char)bh[i]->b_data[1023], 4 + i);
	}
	ASSERT_EQ(k->hw->blk_disk.rd.ios - reads, 4ul);	/* one read per buffer */
	ASSERT_EQ(bdev->bd_inode->i_data.nrpages, 1ul);
	ASSERT_TRUE(bh[0]->b_page == bh[3]->b_page);
	ASSERT_TRUE(bh[3]->b_this_page == bh[0]);
	ASSERT_TRUE(PageUptodate(bh[0]->b_page));
	ASSERT_EQ(meminfo_kb("Buffers:"), 4ul);
	/* Found again without I/O, the same head. */
	ASSERT_TRUE(__bread(bdev, 5, 1024) == bh[1]);
	ASSERT_EQ(bh[1]->b_count, 2);
	ASSERT_EQ(k->hw->blk_disk.rd.ios - reads, 4ul);
	brelse(bh[1]);
	for (i = 0; i < 4; i++)
		brelse(bh[i]);
	CHECK();
	kmm_shutdown(NULL);
	shutdown_dir();
}

TEST(one_dirty_buffer_one_request)
{
	struct kmm *k = boot_disk(1 << 20, "");
	struct buffer_head *bh, *clean;
	unsigned long ios, sectors;

	ASSERT_EQ(set_blocksize(bdev, 1024), 0);
	bh = __bread(bdev, 5, 1024);
	clean = __bread(bdev, 6, 1024);
	ASSERT_NOT_NULL(bh);
	ASSERT_NOT_NULL(clean);
	memset(bh->b_data, 0xab, 1024);
	memset(clean->b_data, 0xcd, 1024);	/* changed but not marked: not written */
	mark_buffer_dirty(bh);
	ASSERT_TRUE(PageDirty(bh->b_page));
	ASSERT_EQ(meminfo_kb("Dirty:"), 4ul);
	CHECK();
	ios = WR(k).ios;
	sectors = WR(k).sectors;
	ASSERT_EQ(sync_blockdev(bdev), 0);
	ASSERT_EQ(WR(k).ios - ios, 1ul);
	ASSERT_EQ(WR(k).sectors - sectors, 2ul);
	ASSERT_EQ(image_byte(5 * 1024), 0xab);
	ASSERT_EQ(image_byte(6 * 1024 - 1), 0xab);
	ASSERT_EQ(image_byte(6 * 1024), 6);
	ASSERT_EQ(image_byte(4 * 1024), 4);
	ASSERT_FALSE(buffer_dirty(bh));
	ASSERT_FALSE(PageDirty(bh->b_page));
	/* sync_dirty_buffer: one more request, and nothing for a clean one. */
	bh->b_data[0] = 0x11;
	mark_buffer_dirty(bh);
	ASSERT_EQ(sync_dirty_buffer(bh), 0);
	ASSERT_EQ(sync_dirty_buffer(clean), 0);
	ASSERT_EQ(WR(k).ios - ios, 2ul);
	ASSERT_EQ(image_byte(5 * 1024), 0x11);
	/* bforget: the block's new bytes are never written. */
	bh->b_data[0] = 0x22;
	mark_buffer_dirty(bh);
	get_bh(bh);
	bforget(bh);
	ASSERT_FALSE(buffer_dirty(bh));
	brelse(bh);
	brelse(clean);
	ASSERT_EQ(sync_blockdev(bdev), 0);
	ASSERT_EQ(image_byte(5 * 1024), 0x11);
	CHECK();
	kmm_shutdown(NULL);
	shutdown_dir();
}

/* Dirties nr sequential 1 KiB buffers from block 0, whole-block writes. */
static int dirty_sequential(unsigned long nr, int c)
{
	unsigned long b;

	for (b = 0; b < nr; b++) {
		struct buffer_head *bh = __getblk(bdev, b, 1024);

		if (!bh)
			return -1;
		memset(bh->b_data, c, 1024);
		set_buffer_uptodate(bh);	/* the whole block is new */
		mark_buffer_dirty(bh);
		brelse(bh);
	}
	return 0;
}

TEST(sequential_writeback_merges)
{
	struct kmm *k = boot_disk(72ll << 20, "");
	unsigned long ios, merges;
	struct request_queue *q;

	ASSERT_EQ(set_blocksize(bdev, 1024), 0);
	q = bdev_get_queue(bdev);
	ASSERT_EQ(dirty_sequential(65536, 0x5a), 0);
	ASSERT_EQ(bdev->bd_inode->i_data.nrpages, 16384ul);
	ASSERT_EQ(meminfo_kb("Buffers:"), 65536ul);
	ASSERT_EQ(meminfo_kb("Dirty:"), 65536ul);
	CHECK();
	ios = WR(k).ios;
	merges = q->merges[REQ_OP_WRITE];
	ASSERT_EQ(sync_blockdev(bdev), 0);
	/* One request per writeback run of 256 pages (1 MiB), not one a page. */
	ASSERT_EQ(WR(k).ios - ios, 64ul);
	ASSERT_EQ(q->merges[REQ_OP_WRITE] - merges, 65536ul - 64);
	ASSERT_EQ(WR(k).sectors, 131072ul);
	ASSERT_EQ(meminfo_kb("Dirty:"), 0ul);
	ASSERT_EQ(image_byte(0), 0x5a);
	ASSERT_EQ(image_byte((64ll << 20) - 1), 0x5a);
	ASSERT_EQ(image_byte(64ll << 20), 0);
	CHECK();
	kmm_shutdown(NULL);
	shutdown_dir();
}

TEST(flusher_writes_buffers_in_background)
{
	struct kmm *k = boot_disk(16ll << 20, "");
	unsigned long ios;

	ASSERT_EQ(set_blocksize(bdev, 1024), 0);
	ASSERT_EQ(dirty_sequential(8192, 0x77), 0);	/* 8 MiB */
	ios = WR(k).ios;
	wakeup_flusher_threads(k);
	run_timers(k);
	/* Queued: the image has the bytes, the pages are still in flight. */
	ASSERT_EQ(WR(k).ios - ios, 8ul);
	ASSERT_EQ(image_byte((8ll << 20) - 1), 0x77);
	ASSERT_EQ(meminfo_kb("Dirty:"), 0ul);
	ASSERT_TRUE(meminfo_kb("Writeback:") > 0);
	CHECK();
	hw_clock_sleep(k, 1000000000ull);
	ASSERT_EQ(meminfo_kb("Writeback:"), 0ul);
	ASSERT_TRUE(list_empty(&bdev->bd_inode->i_io_list));
	CHECK();
	kmm_shutdown(NULL);
	shutdown_dir();
}

TEST(drop_caches_frees_clean_buffers_only)
{
	struct buffer_head *a, *b, *held;

	boot_disk(1 << 20, "");
	ASSERT_EQ(set_blocksize(bdev, 1024), 0);
	a = __bread(bdev, 0, 1024);
	b = __bread(bdev, 4, 1024);
	held = __bread(bdev, 8, 1024);
	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	ASSERT_NOT_NULL(held);
	mark_buffer_dirty(b);
	brelse(a);
	brelse(b);
	ASSERT_EQ(bdev->bd_inode->i_data.nrpages, 3ul);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/drop_caches", "1"), 0);
	/* The clean, unheld page went; the dirty and the held ones stay. */
	ASSERT_EQ(bdev->bd_inode->i_data.nrpages, 2ul);
	ASSERT_EQ(meminfo_kb("Buffers:"), 8ul);
	ASSERT_NULL(__find_get_block(bdev, 0, 1024));
	CHECK();
	brelse(held);
	ASSERT_EQ(sync_blockdev(bdev), 0);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/drop_caches", "1"), 0);
	ASSERT_EQ(bdev->bd_inode->i_data.nrpages, 0ul);
	ASSERT_EQ(meminfo_kb("Buffers:"), 0ul);
	CHECK();
	kmm_shutdown(NULL);
	shutdown_dir();
}

TEST(read_only_image_refuses_writes)
{
	struct kmm *k = boot_disk(1 << 20, ":ro");
	struct buffer_head *bh;

	ASSERT_TRUE(bdev_read_only(bdev));
	ASSERT_EQ(set_blocksize(bdev, 1024), 0);
	bh = __bread(bdev, 3, 1024);
	ASSERT_NOT_NULL(bh);
	ASSERT_EQ((unsigned char)bh->b_data[0], 3);
	bh->b_data[0] = 0x99;
	mark_buffer_dirty(bh);
	ASSERT_EQ(sync_dirty_buffer(bh), -EIO);
	ASSERT_TRUE(buffer_dirty(bh));
	ASSERT_TRUE(buffer_write_io_error(bh));
	ASSERT_EQ(sync_blockdev(bdev), -EIO);
	ASSERT_EQ(WR(k).ios, 0ul);
	ASSERT_CONTAINS(last_report, "read-only block-device kda");
	ASSERT_EQ(image_byte(3 * 1024), 3);
	CHECK();
	brelse(bh);
	kmm_shutdown(NULL);
	ASSERT_EQ(image_byte(3 * 1024), 3);
	shutdown_dir();
}

TEST(io_errors_leave_state_sane)
{
	struct kmm *k = boot_disk(1 << 20, "");
	struct buffer_head *bh;

	ASSERT_EQ(set_blocksize(bdev, 2048), 0);
	hw_disk_fail_nth(k, 1);
	ASSERT_NULL(__bread(bdev, 1, 2048));
	CHECK();
	bh = __find_get_block(bdev, 1, 2048);	/* it stays, not uptodate */
	ASSERT_NOT_NULL(bh);
	ASSERT_FALSE(buffer_uptodate(bh));
	brelse(bh);
	bh = __bread(bdev, 1, 2048);		/* the next read works */
	ASSERT_NOT_NULL(bh);
	ASSERT_EQ((unsigned char)bh->b_data[0], 2);
	/* A failed write stays dirty and succeeds the next time. */
	bh->b_data[0] = 0x42;
	mark_buffer_dirty(bh);
	hw_disk_fail_nth(k, 1);
	ASSERT_EQ(sync_blockdev(bdev), -EIO);
	ASSERT_TRUE(buffer_dirty(bh));
	ASSERT_TRUE(PageDirty(bh->b_page));
	CHECK();
	ASSERT_EQ(sync_blockdev(bdev), 0);
	ASSERT_FALSE(buffer_dirty(bh));
	ASSERT_FALSE(buffer_write_io_error(bh));
	ASSERT_EQ(image_byte(2048), 0x42);
	brelse(bh);
	CHECK();
	kmm_shutdown(NULL);
	shutdown_dir();
}

TEST(bounds_and_block_sizes)
{
	struct buffer_head *bh;

	boot_disk(1 << 20, "");
	ASSERT_EQ(set_blocksize(bdev, 0), -EINVAL);
	ASSERT_EQ(set_blocksize(bdev, 256), -EINVAL);
	ASSERT_EQ(set_blocksize(bdev, 3072), -EINVAL);
	ASSERT_EQ(set_blocksize(bdev, 8192), -EINVAL);
	ASSERT_EQ(bdev->bd_block_size, 4096u);
	ASSERT_NULL(__getblk(bdev, 256, 4096));		/* the first block past the end */
	ASSERT_NULL(__bread(bdev, 1ull << 40, 4096));
	bh = __bread(bdev, 255, 4096);			/* the last one */
	ASSERT_NOT_NULL(bh);
	ASSERT_NULL(__getblk(bdev, 0, 1024));		/* not the device's size */
	ASSERT_EQ(set_blocksize(bdev, 1024), -EBUSY);	/* a buffer is held */
	brelse(bh);
	ASSERT_EQ(set_blocksize(bdev, 512), 0);
	ASSERT_EQ(bdev->bd_inode->i_data.nrpages, 0ul);	/* the old buffers went */
	bh = __bread(bdev, 2047, 512);			/* the last sector */
	ASSERT_NOT_NULL(bh);
	brelse(bh);
	ASSERT_NULL(__bread(bdev, 2048, 512));
	bh = __bread(bdev, 127, 512);			/* the second half of 1 KiB block 63 */
	ASSERT_NOT_NULL(bh);
	ASSERT_EQ((unsigned char)bh->b_data[0], 63);
	brelse(bh);
	CHECK();
	kmm_shutdown(NULL);
	shutdown_dir();
}

TEST(diskstats_and_sysfs_stat)
{
	static char buf[4096];
	unsigned long f[17];
	struct buffer_head *bh;
	int n;

	boot_disk(1 << 20, "");
	ASSERT_EQ(set_blocksize(bdev, 1024), 0);
	bh = __bread(bdev, 0, 1024);
	mark_buffer_dirty(bh);
	brelse(bh);
	bh = __getblk(bdev, 1, 1024);
	set_buffer_uptodate(bh);
	mark_buffer_dirty(bh);
	brelse(bh);
	ASSERT_EQ(sync_blockdev(bdev), 0);	/* two buffers, one merged request */
	ASSERT_TRUE(kmm_proc_read("/sys/block/kda/stat", buf, sizeof(buf)) > 0);
	n = sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu",
		   &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10],
		   &f[11], &f[12], &f[13], &f[14], &f[15], &f[16]);
	ASSERT_EQ(n, 17);
	ASSERT_EQ(f[0], 1ul);		/* reads */
	ASSERT_EQ(f[2], 2ul);		/* read sectors */
	ASSERT_EQ(f[4], 1ul);		/* writes */
	ASSERT_EQ(f[5], 1ul);		/* writes merged */
	ASSERT_EQ(f[6], 4ul);		/* write sectors */
	ASSERT_EQ(buf[8], ' ');		/* %8lu fields */
	kmm_proc_read("/proc/diskstats", buf, sizeof(buf));
	ASSERT_CONTAINS(buf, " 254       0 kda 1 0 2 ");
	ASSERT_TRUE(kmm_proc_read("/sys/block/kda/nope", buf, sizeof(buf)) < 0);
	ASSERT_TRUE(kmm_proc_read("/sys/block/sda1/stat", buf, sizeof(buf)) < 0);
	kmm_shutdown(NULL);
	shutdown_dir();

	/* Without disk= there is no kda. */
	make_test_dir("nodisk");
	boot_on_test_dir("");
	ASSERT_NULL(lookup_bdev("kda"));
	kmm_proc_read("/proc/diskstats", buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "kda") == NULL);
	ASSERT_TRUE(kmm_proc_read("/sys/block/kda/stat", buf, sizeof(buf)) < 0);
	ASSERT_TRUE(kmm_proc_read("/sys/block/sda/stat", buf, sizeof(buf)) > 0);
	ASSERT_EQ(meminfo_kb("Buffers:"), 0ul);
	shutdown_dir();
}

TEST(bad_disk_options)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1 };
	int fd;

	make_test_dir("baddisk");
	snprintf(cfg.disk, sizeof(cfg.disk), "%s/missing.img", dir);
	ASSERT_NULL(kmm_boot(&cfg));
	snprintf(image, sizeof(image), "%s/odd.img", dir);
	fd = open(image, O_RDWR | O_CREAT, 0600);
	ASSERT_TRUE(fd >= 0 && !ftruncate(fd, 1000));
	close(fd);
	snprintf(cfg.disk, sizeof(cfg.disk), "%s", image);
	ASSERT_NULL(kmm_boot(&cfg));
	snprintf(cfg.disk, sizeof(cfg.disk), "%s", dir);	/* a directory */
	ASSERT_NULL(kmm_boot(&cfg));
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

TEST(scratch_disk_is_empty_and_private)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1 };
	struct buffer_head *bh;

	snprintf(cfg.disk, sizeof(cfg.disk), "scratch:8M");
	ASSERT_NOT_NULL(kmm_boot(&cfg));
	bdev = lookup_bdev("/dev/kda");
	ASSERT_NOT_NULL(bdev);
	ASSERT_EQ(bdev_nr_sectors(bdev), 16384);
	ASSERT_FALSE(bdev_read_only(bdev));
	bh = __bread(bdev, 2047, 4096);			/* the last block: zeros */
	ASSERT_NOT_NULL(bh);
	ASSERT_EQ(bh->b_data[0] | bh->b_data[4095], 0);
	bh->b_data[0] = 1;
	mark_buffer_dirty(bh);
	ASSERT_EQ(sync_dirty_buffer(bh), 0);
	brelse(bh);
	ASSERT_EQ(__bread(bdev, 2048, 4096), NULL);	/* past the end */
	kmm_shutdown(NULL);
	/* Each boot gets a fresh one. */
	ASSERT_NOT_NULL(kmm_boot(&cfg));
	bdev = lookup_bdev("/dev/kda");
	bh = __bread(bdev, 2047, 4096);
	ASSERT_EQ(bh->b_data[0], 0);
	brelse(bh);
	kmm_shutdown(NULL);
	snprintf(cfg.disk, sizeof(cfg.disk), "scratch:1000");	/* not whole sectors */
	ASSERT_NULL(kmm_boot(&cfg));
	snprintf(cfg.disk, sizeof(cfg.disk), "scratch:0");
	ASSERT_NULL(kmm_boot(&cfg));
	snprintf(cfg.disk, sizeof(cfg.disk), "scratch:65G");
	ASSERT_NULL(kmm_boot(&cfg));
}

TEST(shutdown_writes_everything)
{
	struct buffer_head *bh;

	boot_disk(1 << 20, "");
	ASSERT_EQ(set_blocksize(bdev, 4096), 0);
	bh = __bread(bdev, 10, 4096);
	ASSERT_NOT_NULL(bh);
	memset(bh->b_data, 0xee, 4096);
	mark_buffer_dirty(bh);
	brelse(bh);
	ASSERT_EQ(image_byte(40960), 40);
	kmm_shutdown(NULL);
	ASSERT_EQ(image_byte(40960), 0xee);
	ASSERT_EQ(image_byte(40960 + 4095), 0xee);
	shutdown_dir();
}

int main(void)
{
	RUN_TEST(four_buffers_share_a_page);
	RUN_TEST(one_dirty_buffer_one_request);
	RUN_TEST(sequential_writeback_merges);
	RUN_TEST(flusher_writes_buffers_in_background);
	RUN_TEST(drop_caches_frees_clean_buffers_only);
	RUN_TEST(read_only_image_refuses_writes);
	RUN_TEST(io_errors_leave_state_sane);
	RUN_TEST(bounds_and_block_sizes);
	RUN_TEST(diskstats_and_sysfs_stat);
	RUN_TEST(bad_disk_options);
	RUN_TEST(scratch_disk_is_empty_and_private);
	RUN_TEST(shutdown_writes_everything);
	return harness_summary();
}
