/*
 * tests/mm/test_readahead.c - the readahead state machine (mm/readahead.c)
 * on a file of the machine's scratch directory: window sizes, the
 * PG_readahead marker, folio orders, random reads, large_folios=off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG 4096l

static struct task_struct *boot_file(unsigned long ra_kb, int no_large, long pages)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1,
				  .read_ahead_kb = ra_kb, .no_large_folios = no_large };
	struct task_struct *t;
	char *buf = calloc(1, 1 << 20);
	int err;

	if (!kmm_boot(&cfg) || !buf)
		abort();
	t = kernel_spawn("cat", &err);
	if (!t || ksys_open(t, "/f", O_RDWR | O_CREAT, 0644) != 3)
		abort();
	for (long i = 0; i < pages * PG; i += 1 << 20)
		ksys_pwrite64(t, 3, buf, 1 << 20, i);
	ksys_fsync(t, 3);
	ksys_fadvise64_64(t, 3, 0, 0, POSIX_FADV_DONTNEED);
	free(buf);
	return t;
}

static long cached(struct task_struct *t)
{
	struct cachestat cs;

	ksys_cachestat(t, 3, 0, 0, &cs, 0);
	return (long)cs.nr_cache;
}

static struct page *page_at(struct task_struct *t, pgoff_t index)
{
	return find_get_page(&fget_raw(t->files, 3)->f_inode->i_data, index);
}

TEST(init_and_next_sizes_follow_linux)
{
	struct file_ra_state ra = { .size = 4 };

	ASSERT_EQ(get_init_ra_size(1, 32), 4);		/* 128 KiB maximum */
	ASSERT_EQ(get_init_ra_size(4, 32), 8);
	ASSERT_EQ(get_init_ra_size(16, 32), 32);
	ASSERT_EQ(get_init_ra_size(256, 2048), 512);
	ASSERT_EQ(get_next_ra_size(&ra, 32), 8);	/* not below max / 16: x2 */
	ASSERT_EQ(get_next_ra_size(&ra, 2048), 16);	/* below it: x4 */
	ra.size = 16;
	ASSERT_EQ(get_next_ra_size(&ra, 32), 32);
	ra.size = 240;
	ASSERT_EQ(get_next_ra_size(&ra, 2048), 480);
	ra.size = 2048;
	ASSERT_EQ(get_next_ra_size(&ra, 2048), 2048);
}

TEST(sequential_reads_ramp_up_with_large_folios)
{
	static const long total[] = { 4, 20, 80, 320, 768, 1024, 1536, 2048, 3072, 4096, 6144 };
	static const long at[] = { 0, 1, 4, 20, 80, 320, 768, 1024, 1536, 2048, 3072 };
	struct task_struct *t = boot_file(8192, 0, 8192);
	char b;

	for (unsigned int i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		ASSERT_EQ(ksys_pread64(t, 3, &b, 1, at[i] * PG), 1);
		ASSERT_EQ(cached(t), total[i]);
	}
	/* The window [1024, 1536) is one order-9 folio, marker on its head. */
	ASSERT_EQ(compound_order(page_at(t, 1024)), 9);
	ASSERT_FALSE(PageReadahead(page_at(t, 1024)));	/* read: marker cleared */
	ASSERT_TRUE(PageReadahead(page_at(t, 4096)));
	ASSERT_EQ(compound_order(page_at(t, 4096)), 9);
	ASSERT_TRUE(compound_head(page_at(t, 4100)) == page_at(t, 4096));
	kmm_shutdown(NULL);
}

TEST(random_reads_read_one_page_and_default_max_is_128k)
{
	struct task_struct *t = boot_file(0, 0, 1024);
	char b;

	kmm_shutdown(NULL);
	t = boot_file(128, 0, 1024);
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, 500 * PG), 1);
	ASSERT_EQ(cached(t), 1);
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, 300 * PG), 1);
	ASSERT_EQ(cached(t), 2);
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, 0), 1);
	ASSERT_EQ(cached(t), 6);
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, PG), 1);	/* marker: 8 more (x2, max 32) */
	ASSERT_EQ(cached(t), 14);
	/* 16 more would end at 28: trimmed to the order-4 boundary, 16 */
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, 4 * PG), 1);
	ASSERT_EQ(cached(t), 18);
	ASSERT_EQ(ksys_fadvise64_64(t, 3, 0, 0, 99), -EINVAL);
	ASSERT_EQ(ksys_fadvise64_64(t, 9, 0, 0, POSIX_FADV_NORMAL), -EBADF);
	kmm_shutdown(NULL);
}

TEST(large_folios_off_keeps_order_zero_and_trims_to_4)
{
	struct task_struct *t = boot_file(8192, 1, 4096);
	char b;

	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, 0), 1);
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, PG), 1);
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, 4 * PG), 1);
	ASSERT_EQ(cached(t), 84);		/* 4 + 16 + 64: no trim to order 4 */
	ASSERT_EQ(compound_order(page_at(t, 32)), 0);
	kmm_shutdown(NULL);
}

TEST(sysfs_read_ahead_kb_applies_to_files_opened_after_it)
{
	struct task_struct *t = boot_file(128, 0, 1024);
	char b, buf[16];

	ASSERT_EQ(kmm_proc_read("/sys/block/sda/queue/read_ahead_kb", buf, sizeof(buf)), 4);
	ASSERT_STR_EQ(buf, "128\n");
	ASSERT_EQ(kmm_proc_write("/sys/block/sda/queue/read_ahead_kb", "0"), 0);
	ASSERT_EQ(kmm_proc_write("/sys/block/sda/queue/read_ahead_kb", "-1"), -EINVAL);
	ASSERT_EQ(kmm_proc_write("/sys/block/sda/queue/read_ahead_kb", "2097152"), -EINVAL);
	ASSERT_EQ(kmm_proc_write("/sys/block/sda/queue/max_sectors_kb", "4"), -EACCES);
	ASSERT_EQ(ksys_open(t, "/f", O_RDONLY, 0), 4);
	ASSERT_EQ(ksys_pread64(t, 4, &b, 1, 0), 1);	/* no readahead: the page asked */
	ASSERT_EQ(cached(t), 1);
	ASSERT_EQ(ksys_pread64(t, 4, &b, 1, PG), 1);
	ASSERT_EQ(cached(t), 2);
	/* Back to 128: fd 4 keeps the maximum it was opened with ... */
	ASSERT_EQ(kmm_proc_write("/sys/block/sda/queue/read_ahead_kb", "128\n"), 0);
	ASSERT_EQ(ksys_fadvise64_64(t, 3, 0, 0, POSIX_FADV_DONTNEED), 0);
	ASSERT_EQ(ksys_pread64(t, 4, &b, 1, 0), 1);
	ASSERT_EQ(cached(t), 1);
	/* ... and a file opened now has the new one: 4 pages at offset 0. */
	ASSERT_EQ(ksys_open(t, "/f", O_RDONLY, 0), 5);
	ASSERT_EQ(ksys_fadvise64_64(t, 3, 0, 0, POSIX_FADV_DONTNEED), 0);
	ASSERT_EQ(ksys_pread64(t, 5, &b, 1, 0), 1);
	ASSERT_EQ(cached(t), 4);
	kmm_shutdown(NULL);
}

TEST(dontneed_keeps_dirty_and_truncate_keeps_a_straddling_folio)
{
	struct task_struct *t = boot_file(8192, 0, 4096);
	char b = 'z';

	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, 0), 1);
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, PG), 1);
	ASSERT_EQ(ksys_pread64(t, 3, &b, 1, 4 * PG), 1);	/* [32, 48) is order 4 */
	ASSERT_EQ(compound_order(page_at(t, 32)), 4);
	ASSERT_EQ(ksys_ftruncate(t, 3, 40 * PG), 0);
	ASSERT_EQ(cached(t), 48);		/* 40..47 zeroed, the folio stays whole */
	ASSERT_EQ(ksys_pwrite64(t, 3, &b, 1, 0), 1);
	ASSERT_EQ(ksys_fadvise64_64(t, 3, 0, 0, POSIX_FADV_DONTNEED), 0);
	ASSERT_EQ(cached(t), 0);		/* written first (synchronously), then dropped */
	kmm_shutdown(NULL);
}

int main(void)
{
	RUN_TEST(init_and_next_sizes_follow_linux);
	RUN_TEST(sequential_reads_ramp_up_with_large_folios);
	RUN_TEST(random_reads_read_one_page_and_default_max_is_128k);
	RUN_TEST(large_folios_off_keeps_order_zero_and_trims_to_4);
	RUN_TEST(sysfs_read_ahead_kb_applies_to_files_opened_after_it);
	RUN_TEST(dontneed_keeps_dirty_and_truncate_keeps_a_straddling_folio);
	return harness_summary();
}
