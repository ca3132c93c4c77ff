/*
 * tests/mm/test_page_writeback.c - the flusher and the dirty limits
 * (mm/page-writeback.c) on a machine over a host directory, in simulated
 * time (hw/timer.c):
 *
 *   - pages dirtied and then 31 s of sleep (past dirty_expire_centisecs
 *     and a wakeup) are written by the flusher: the host file has the
 *     bytes, NR_DIRTY is 0, the inode is clean again; 1 s leaves them;
 *   - dirty_writeback_centisecs 0 keeps them dirty for good, and a new
 *     non-zero value makes the flusher write everything at once;
 *   - more than the background threshold wakes the flusher at once, and
 *     it writes down to that threshold;
 *   - a writer past the hard limit returns only under it, later in
 *     simulated time, whether it writes with pwrite or stores through a
 *     shared mapping (fault_dirty_shared_page);
 *   - fsync and truncate take the inode off the flusher's list;
 *   - the knobs: Linux's defaults and ranges, ratio and bytes exclude
 *     each other, -ERANGE past UINT_MAX pages, /proc/vmstat's thresholds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include <kmm/timer.h>
#include <kmm/mman.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/fault.h"
#include "hw/machine.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"
#include "tests/fs_test.h"

#define SEC	1000000000ull

/* A fresh machine over a fresh host directory; pid 1 has /f open as fd 3. */
static struct task_struct *boot_with_file(void)
{
	struct task_struct *t;

	make_test_dir("writeback");
	t = boot_on_test_dir("");
	if (ksys_open(t, "/f", O_RDWR | O_CREAT, 0644) != 3)
		abort();
	return t;
}

static long long host_size(void)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/f", dir);
	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* Writes pages pages of 0x5a at offset 0 of fd 3: what pwrite returned. */
static long write_pages(struct task_struct *t, unsigned long pages)
{
	size_t len = pages * PAGE_SIZE;
	char *buf = malloc(len);
	long n;

	memset(buf, 0x5a, len);
	n = ksys_pwrite64(t, 3, buf, len, 0);
	free(buf);
	return n;
}

static struct inode *file_inode(struct task_struct *t)
{
	return fget_raw(t->files, 3)->f_inode;
}

static int knob_write(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	return kmm_proc_write(path, value);
}

static long knob(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	if (kmm_proc_read(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

TEST(flusher_writes_pages_older_than_the_expiry)
{
	struct task_struct *t = boot_with_file();
	struct inode *inode;
	unsigned long long dirtied;
	char back[16];

	ASSERT_EQ(write_pages(t, 16), 16 * 4096);
	inode = file_inode(t);
	dirtied = inode->dirtied_when;
	ASSERT_EQ(dirtied, hw_clock_ns(kmm_cur()));
	ASSERT_EQ(node_stat(NR_DIRTY), 16);
	ASSERT_TRUE(timer_pending(&kmm_cur()->mem->wb.dwork));
	ASSERT_EQ(kmm_cur()->mem->wb.dwork.expires, dirtied + 5 * SEC);

	hw_clock_sleep(kmm_cur(), 1 * SEC);
	ASSERT_EQ(node_stat(NR_DIRTY), 16);		/* 1 s: nothing written */
	ASSERT_EQ(host_size(), 0);
	hw_clock_sleep(kmm_cur(), 25 * SEC);		/* wakeups at 5 .. 25 s: too young */
	ASSERT_EQ(node_stat(NR_DIRTY), 16);
	ASSERT_EQ(inode->dirtied_when, dirtied);

	hw_clock_sleep(kmm_cur(), 5 * SEC);		/* 31 s: the 30 s wakeup wrote them */
	ASSERT_EQ(node_stat(NR_DIRTY), 0);
	ASSERT_EQ(node_stat(NR_WRITTEN), 16);
	ASSERT_EQ(host_size(), 16 * 4096);
	ASSERT_EQ(inode->dirtied_when, 0);
	ASSERT_TRUE(list_empty(&kmm_cur()->mem->wb.b_dirty));
	ASSERT_FALSE(timer_pending(&kmm_cur()->mem->wb.dwork));	/* nothing left: idle */
	ASSERT_EQ(ksys_pread64(t, 3, back, 4, 4096 * 15), 4);
	ASSERT_EQ(back[0], 0x5a);
	ASSERT_EQ(kmm_nr_reports(), 0);
	shutdown_dir();
}

TEST(expire_centisecs_decides_which_wakeup_writes)
{
	struct task_struct *t = boot_with_file();

	ASSERT_EQ(knob_write("dirty_expire_centisecs", "100"), 0);	/* 1 s */
	ASSERT_EQ(write_pages(t, 4), 4 * 4096);
	hw_clock_sleep(kmm_cur(), 4 * SEC);
	ASSERT_EQ(node_stat(NR_DIRTY), 4);		/* old, but no wakeup yet */
	hw_clock_sleep(kmm_cur(), SEC + SEC / 10);
	ASSERT_EQ(node_stat(NR_DIRTY), 0);		/* the 5 s wakeup */
	shutdown_dir();
}

TEST(writeback_interval_zero_keeps_pages_dirty)
{
	struct task_struct *t = boot_with_file();

	ASSERT_EQ(knob_write("dirty_writeback_centisecs", "0"), 0);
	ASSERT_EQ(write_pages(t, 8), 8 * 4096);
	hw_clock_sleep(kmm_cur(), 120 * SEC);
	ASSERT_EQ(node_stat(NR_DIRTY), 8);
	ASSERT_EQ(host_size(), 0);
	ASSERT_FALSE(timer_pending(&kmm_cur()->mem->wb.dwork));

	/* A new non-zero interval wakes the flushers to write everything. */
	ASSERT_EQ(knob_write("dirty_writeback_centisecs", "500"), 0);
	run_timers(kmm_cur());
	ASSERT_EQ(node_stat(NR_DIRTY), 0);
	ASSERT_EQ(host_size(), 8 * 4096);
	shutdown_dir();
}

TEST(past_the_background_threshold_the_flusher_starts_at_once)
{
	struct task_struct *t = boot_with_file();
	struct bdi_writeback *wb = &kmm_cur()->mem->wb;
	unsigned long bg, thresh, pages;
	unsigned long long clock;

	global_dirty_limits(kmm_cur(), &bg, &thresh);
	ASSERT_TRUE(bg > 1000 && bg < thresh);
	pages = bg + 200;				/* under the freerun ceiling */
	ASSERT_TRUE(pages <= (bg + thresh) / 2);
	ASSERT_EQ(write_pages(t, pages), (long)(pages * 4096));
	ASSERT_EQ(node_stat(NR_DIRTY), pages);		/* the writer was not held */
	ASSERT_EQ(wb->nr_throttled, 0);
	clock = hw_clock_ns(kmm_cur());
	ASSERT_TRUE(timer_pending(&wb->dwork));
	ASSERT_LE(wb->dwork.expires, clock);		/* due now, not in 5 s */

	run_timers(kmm_cur());				/* the next point timers run */
	ASSERT_LE(node_stat(NR_DIRTY), bg);
	/* The flusher queued its writes: in flight (Writeback), not done,
	 * and the writer's clock did not wait for them. */
	ASSERT_TRUE(node_stat(NR_WRITEBACK) > 0);
	ASSERT_EQ(node_stat(NR_WRITTEN), 0);
	ASSERT_EQ(hw_clock_ns(kmm_cur()), clock);
	ASSERT_TRUE(host_size() > 0);
	hw_clock_sleep(kmm_cur(), 1000000000ull);	/* the disk finishes */
	ASSERT_EQ(node_stat(NR_WRITEBACK), 0);
	ASSERT_EQ(node_stat(NR_WRITTEN), pages - node_stat(NR_DIRTY));
	ASSERT_EQ(kmm_nr_reports(), 0);
	shutdown_dir();
}

TEST(past_the_hard_limit_the_writer_waits)
{
	struct task_struct *t = boot_with_file();
	struct bdi_writeback *wb = &kmm_cur()->mem->wb;
	unsigned long bg, thresh;
	unsigned long long clock = hw_clock_ns(kmm_cur());

	ASSERT_EQ(knob_write("dirty_bytes", "4194304"), 0);	/* 1024 pages */
	global_dirty_limits(kmm_cur(), &bg, &thresh);
	ASSERT_EQ(thresh, 1024);
	ASSERT_EQ(bg, 512);				/* the ratio's is above: half */
	ASSERT_EQ(write_pages(t, 4096), 4096 * 4096);	/* 16 MiB in one call */
	ASSERT_LE(node_stat(NR_DIRTY), thresh);
	ASSERT_TRUE(wb->nr_throttled > 0);
	ASSERT_TRUE(node_stat(NR_WRITTEN) >= 4096 - thresh);
	ASSERT_TRUE(hw_clock_ns(kmm_cur()) > clock);
	ASSERT_TRUE(host_size() > 0);
	ASSERT_EQ(node_stat(NR_DIRTIED), 4096);
	ASSERT_EQ(ksys_fsync(t, 3), 0);
	ASSERT_EQ(host_size(), 4096 * 4096);
	ASSERT_EQ(kmm_nr_reports(), 0);
	shutdown_dir();
}

TEST(a_writer_through_a_shared_mapping_is_throttled_too)
{
	struct task_struct *t = boot_with_file();
	struct bdi_writeback *wb = &kmm_cur()->mem->wb;
	struct kmm_siginfo si = { 0 };
	unsigned long bg, thresh, i, pages = 4096, most = 0;
	unsigned long long clock = hw_clock_ns(kmm_cur());
	phys_addr_t phys;
	long addr;

	ASSERT_EQ(ksys_ftruncate(t, 3, (long long)pages * 4096), 0);
	ASSERT_EQ(knob_write("dirty_bytes", "4194304"), 0);	/* 1024 pages */
	global_dirty_limits(kmm_cur(), &bg, &thresh);
	addr = do_mmap_pgoff(t->mm, fget_raw(t->files, 3), 0, pages * 4096,
			     PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_TRUE(addr > 0);
	/* fault_dirty_shared_page: each store that dirties a page counts
	 * against the ratelimit, and the writer waits past the hard limit. */
	for (i = 0; i < pages; i++) {
		ASSERT_EQ(user_access(t, (unsigned long)addr + i * 4096, PF_WRITE, &phys, &si), 0);
		if (node_stat(NR_DIRTY) > most)
			most = node_stat(NR_DIRTY);
	}
	ASSERT_TRUE(wb->nr_throttled > 0);
	ASSERT_LE(most, thresh + 32);		/* the ratelimit's slack past it */
	ASSERT_TRUE(node_stat(NR_WRITTEN) >= pages - thresh - 32);
	ASSERT_TRUE(hw_clock_ns(kmm_cur()) > clock);
	ASSERT_EQ(node_stat(NR_DIRTIED), pages);
	ASSERT_EQ(check_mm(t->mm), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	shutdown_dir();
}

TEST(fsync_and_truncate_take_the_inode_off_the_list)
{
	struct task_struct *t = boot_with_file();
	struct bdi_writeback *wb = &kmm_cur()->mem->wb;
	struct inode *inode;

	ASSERT_EQ(write_pages(t, 2), 2 * 4096);
	inode = file_inode(t);
	ASSERT_FALSE(list_empty(&inode->i_io_list));
	ASSERT_EQ(ksys_fsync(t, 3), 0);
	ASSERT_TRUE(list_empty(&inode->i_io_list));
	ASSERT_EQ(inode->dirtied_when, 0);
	hw_clock_sleep(kmm_cur(), 6 * SEC);		/* the armed wakeup finds nothing */
	ASSERT_FALSE(timer_pending(&wb->dwork));

	ASSERT_EQ(write_pages(t, 2), 2 * 4096);
	ASSERT_FALSE(list_empty(&wb->b_dirty));
	ASSERT_EQ(ksys_ftruncate(t, 3, 0), 0);
	ASSERT_TRUE(list_empty(&wb->b_dirty));
	ASSERT_EQ(node_stat(NR_DIRTY), 0);
	shutdown_dir();
}

TEST(fsync_and_truncate_wait_for_writes_in_flight)
{
	struct task_struct *t = boot_with_file();
	unsigned long long clock;

	ASSERT_EQ(write_pages(t, 512), 512l * 4096);
	wakeup_flusher_threads(kmm_cur());
	run_timers(kmm_cur());				/* the flusher queues 2 MiB */
	ASSERT_EQ(node_stat(NR_DIRTY), 0);
	ASSERT_EQ(node_stat(NR_WRITEBACK), 512);
	clock = hw_clock_ns(kmm_cur());
	ASSERT_EQ(ksys_fsync(t, 3), 0);			/* nothing dirty, but in flight */
	ASSERT_EQ(node_stat(NR_WRITEBACK), 0);
	ASSERT_EQ(node_stat(NR_WRITTEN), 512);
	ASSERT_TRUE(hw_clock_ns(kmm_cur()) > clock);	/* it waited for the disk */
	/* truncate of pages under writeback waits for them too */
	ASSERT_EQ(write_pages(t, 64), 64l * 4096);
	wakeup_flusher_threads(kmm_cur());
	run_timers(kmm_cur());
	ASSERT_EQ(node_stat(NR_WRITEBACK), 64);
	ASSERT_EQ(ksys_ftruncate(t, 3, 0), 0);
	ASSERT_EQ(node_stat(NR_WRITEBACK), 0);
	ASSERT_EQ(file_inode(t)->i_data.nrpages, 0);
	shutdown_dir();
}

TEST(knobs_have_linux_defaults_ranges_and_exclusions)
{
	static char vm[65536];
	char line[80];
	unsigned long bg, thresh;

	boot_with_file();
	ASSERT_EQ(knob("dirty_ratio"), 20);
	ASSERT_EQ(knob("dirty_background_ratio"), 10);
	ASSERT_EQ(knob("dirty_bytes"), 0);
	ASSERT_EQ(knob("dirty_background_bytes"), 0);
	ASSERT_EQ(knob("dirty_writeback_centisecs"), 500);
	ASSERT_EQ(knob("dirty_expire_centisecs"), 3000);

	ASSERT_EQ(knob_write("dirty_ratio", "101"), -EINVAL);
	ASSERT_EQ(knob_write("dirty_background_ratio", "-1"), -EINVAL);
	ASSERT_EQ(knob_write("dirty_bytes", "4096"), -EINVAL);	/* below 2 pages */
	ASSERT_EQ(knob_write("dirty_bytes", "0"), -EINVAL);
	ASSERT_EQ(knob_write("dirty_background_bytes", "0"), -EINVAL);
	ASSERT_EQ(knob_write("dirty_expire_centisecs", "-1"), -EINVAL);
	ASSERT_EQ(knob_write("dirty_writeback_centisecs", "x"), -EINVAL);
	ASSERT_EQ(knob("dirty_ratio"), 20);

	ASSERT_EQ(knob_write("dirty_bytes", "8192"), 0);
	ASSERT_EQ(knob("dirty_ratio"), 0);		/* setting one zeroes the other */
	ASSERT_EQ(knob_write("dirty_ratio", "30"), 0);
	ASSERT_EQ(knob("dirty_bytes"), 0);
	ASSERT_EQ(knob_write("dirty_bytes", "8192"), 0);
	ASSERT_EQ(knob_write("dirty_ratio", "0"), 0);	/* unchanged: bytes stay */
	ASSERT_EQ(knob("dirty_bytes"), 8192);
	ASSERT_EQ(knob_write("dirty_bytes", "17592186044416"), -ERANGE);	/* 2^32 pages */
	ASSERT_EQ(knob("dirty_bytes"), 8192);
	ASSERT_EQ(knob_write("dirty_background_bytes", "1"), 0);
	ASSERT_EQ(knob("dirty_background_ratio"), 0);
	ASSERT_EQ(knob_write("dirty_background_ratio", "5"), 0);
	ASSERT_EQ(knob("dirty_background_bytes"), 0);

	/* /proc/vmstat prints the limits in force. */
	ASSERT_EQ(knob_write("dirty_bytes", "40960000"), 0);
	global_dirty_limits(kmm_cur(), &bg, &thresh);
	ASSERT_EQ(thresh, 10000);
	ASSERT_TRUE(kmm_proc_read("/proc/vmstat", vm, sizeof(vm)) > 0);
	snprintf(line, sizeof(line), "\nnr_dirty_threshold %lu\n", thresh);
	ASSERT_CONTAINS(vm, line);
	snprintf(line, sizeof(line), "\nnr_dirty_background_threshold %lu\n", bg);
	ASSERT_CONTAINS(vm, line);
	shutdown_dir();
}

int main(void)
{
	RUN_TEST(flusher_writes_pages_older_than_the_expiry);
	RUN_TEST(expire_centisecs_decides_which_wakeup_writes);
	RUN_TEST(writeback_interval_zero_keeps_pages_dirty);
	RUN_TEST(past_the_background_threshold_the_flusher_starts_at_once);
	RUN_TEST(past_the_hard_limit_the_writer_waits);
	RUN_TEST(a_writer_through_a_shared_mapping_is_throttled_too);
	RUN_TEST(fsync_and_truncate_take_the_inode_off_the_list);
	RUN_TEST(fsync_and_truncate_wait_for_writes_in_flight);
	RUN_TEST(knobs_have_linux_defaults_ranges_and_exclusions);
	return harness_summary();
}
