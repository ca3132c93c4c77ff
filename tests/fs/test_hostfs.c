/*
 * tests/fs/test_hostfs.c - files over a host directory (fs/hostfs.c) and
 * the page cache and writeback under them (mm/filemap.c,
 * mm/page-writeback.c), through the system calls a process makes:
 *
 *   - a walk never leaves the mounted directory: `..` above it and
 *     absolute symlinks are EACCES, symlink loops ELOOP, relative
 *     symlinks inside it work; a read-only mount refuses writes (EROFS);
 *   - pread returns the host file's bytes, a second read does no disk
 *     I/O (the page cache hit), reads past EOF return 0 bytes;
 *   - pwrite dirties pages (NR_DIRTY) and leaves the host file alone
 *     until fsync/sync, after which it holds exactly the bytes written;
 *     close writes nothing back;
 *   - ftruncate drops pages past EOF and a touch of a mapping past EOF is
 *     SIGBUS; the partial last page reads zeros past EOF after growing;
 *   - a shared writable mapping of a file takes a write fault after a
 *     read fault (write notification) and again after writeback;
 *   - a disk error during writeback makes fsync say EIO once, the page
 *     stays dirty, and the next fsync writes it;
 *   - bad fds, writes on O_RDONLY fds, negative offsets, offsets past the
 *     largest file size: Linux's errnos; a host file that shrinks under
 *     the simulation reads as EIO, one removed on the host stays readable
 *     through the open file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <kmm/fs.h>
#include <kmm/sched.h>
#include <kmm/mman.h>
#include <kmm/pagemap.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "fs/machine.h"
#include "hw/machine.h"
#include "arch/x86/mm/fault.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"
#include "tests/fs_test.h"

static void write_host(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static long host_read(const char *name, char *buf, size_t size)
{
	char path[256];
	int fd;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	close(fd);
	return n;
}

/* A fresh host directory mounted as the root of a fresh machine, and pid 1. */
static struct task_struct *boot_on_dir(const char *suffix)
{
	make_test_dir("hostfs");
	write_host("hello.txt", "hello world\n");
	mkdir(strcat(strcpy((char[256]){ 0 }, dir), "/sub"), 0755);
	return boot_on_test_dir(suffix);
}

TEST(walk_stays_inside_the_mounted_directory)
{
	struct task_struct *t = boot_on_dir("");
	char link[256];

	snprintf(link, sizeof(link), "%s/sub/rel", dir);
	ASSERT_EQ(symlink("../hello.txt", link), 0);
	snprintf(link, sizeof(link), "%s/abs", dir);
	ASSERT_EQ(symlink("/etc/passwd", link), 0);
	snprintf(link, sizeof(link), "%s/up", dir);
	ASSERT_EQ(symlink("../../../etc/passwd", link), 0);
	snprintf(link, sizeof(link), "%s/loop", dir);
	ASSERT_EQ(symlink("loop", link), 0);

	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDONLY, 0), 3);
	ASSERT_EQ(ksys_open(t, "/sub/rel", O_RDONLY, 0), 4);	/* same inode, shared cache */
	ASSERT_TRUE(fget_raw(t->files, 3)->f_inode == fget_raw(t->files, 4)->f_inode);
	ASSERT_EQ(ksys_open(t, "/sub/../hello.txt", O_RDONLY, 0), 5);
	ASSERT_EQ(ksys_open(t, "/../etc/passwd", O_RDONLY, 0), -EACCES);
	ASSERT_EQ(ksys_open(t, "/sub/../../etc/passwd", O_RDONLY, 0), -EACCES);
	ASSERT_EQ(ksys_open(t, "/abs", O_RDONLY, 0), -EACCES);
	ASSERT_EQ(ksys_open(t, "/up", O_RDONLY, 0), -EACCES);
	ASSERT_EQ(ksys_open(t, "/loop", O_RDONLY, 0), -ELOOP);
	ASSERT_EQ(ksys_open(t, "/sub/rel", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	ASSERT_EQ(ksys_open(t, "/nope", O_RDONLY, 0), -ENOENT);
	ASSERT_EQ(ksys_open(t, "/hello.txt/x", O_RDONLY, 0), -ENOTDIR);
	ASSERT_EQ(ksys_open(t, "/sub", O_RDWR, 0), -EISDIR);
	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
	ASSERT_EQ(ksys_open(t, "/usr/bin/cat", O_RDWR, 0), -EACCES);
	ASSERT_EQ(kmm_nr_reports(), 0);
	shutdown_dir();
}

TEST(read_only_mount_refuses_writes)
{
	struct task_struct *t = boot_on_dir(":ro");
	char buf[16];

	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDWR, 0), -EROFS);
	ASSERT_EQ(ksys_open(t, "/new", O_RDWR | O_CREAT, 0644), -EROFS);
	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDONLY, 0), 3);
	ASSERT_EQ(ksys_pread64(t, 3, buf, 5, 0), 5);
	ASSERT_EQ(ksys_ftruncate(t, 3, 0), -EINVAL);	/* not open for writing */
	shutdown_dir();
	ASSERT_EQ(access(dir, F_OK), -1);		/* removed by this test, not by kmm */
}

TEST(pread_reads_the_host_bytes_and_hits_the_cache)
{
	struct task_struct *t = boot_on_dir("");
	struct hw_disk *d = &kmm_cur()->hw->disk;
	char buf[64] = { 0 };
	unsigned long ios, cached = node_stat(NR_FILE_PAGES);
	unsigned long long clock;

	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDONLY, 0), 3);
	ASSERT_EQ(ksys_pread64(t, 3, buf, sizeof(buf), 0), 12);
	ASSERT_STR_EQ(buf, "hello world\n");
	ASSERT_EQ(d->rd.ios, 1);
	ASSERT_EQ(node_stat(NR_FILE_PAGES), cached + 1);
	ios = d->rd.ios;
	clock = hw_clock_ns(kmm_cur());
	ASSERT_TRUE(clock >= d->latency_ns);		/* the read cost simulated time */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(ksys_pread64(t, 3, buf, 5, 6), 5);
	ASSERT_STR_EQ(buf, "world");
	ASSERT_EQ(d->rd.ios, ios);			/* a hit: no disk */
	ASSERT_EQ(hw_clock_ns(kmm_cur()), clock);
	ASSERT_EQ(ksys_pread64(t, 3, buf, 5, 12), 0);	/* EOF */
	ASSERT_EQ(ksys_pread64(t, 3, buf, 5, 1ll << 40), 0);
	ASSERT_EQ(ksys_pread64(t, 3, buf, 5, -1), -EINVAL);
	ASSERT_EQ(ksys_pread64(t, 9, buf, 5, 0), -EBADF);
	ASSERT_EQ(ksys_pwrite64(t, 3, "x", 1, 0), -EBADF);	/* O_RDONLY */
	ASSERT_EQ(ksys_close(t, 3), 0);
	ASSERT_EQ(ksys_close(t, 3), -EBADF);
	ASSERT_EQ(ksys_pread64(t, 3, buf, 5, 0), -EBADF);
	shutdown_dir();
}

TEST(writes_stay_dirty_until_fsync_and_then_match)
{
	struct task_struct *t = boot_on_dir("");
	char *data = malloc(3 * 4096 + 100), back[3 * 4096 + 200];
	unsigned long dirty = node_stat(NR_DIRTY), written = node_stat(NR_WRITTEN);
	size_t i;

	for (i = 0; i < 3 * 4096 + 100; i++)
		data[i] = (char)('a' + i % 26);
	ASSERT_EQ(ksys_open(t, "/out.bin", O_RDWR | O_CREAT, 0644), 3);
	ASSERT_EQ(ksys_pwrite64(t, 3, data, 3 * 4096 + 100, 50), 3 * 4096 + 100);
	ASSERT_EQ(node_stat(NR_DIRTY), dirty + 4);
	ASSERT_EQ(host_read("out.bin", back, sizeof(back)), 0);	/* nothing written yet */
	ASSERT_EQ(ksys_close(t, 3), 0);				/* close writes nothing */
	ASSERT_EQ(host_read("out.bin", back, sizeof(back)), 0);
	ASSERT_EQ(ksys_open(t, "/out.bin", O_RDWR, 0), 3);
	ASSERT_EQ(ksys_fsync(t, 3), 0);
	ASSERT_EQ(node_stat(NR_DIRTY), dirty);
	ASSERT_EQ(node_stat(NR_WRITTEN), written + 4);
	ASSERT_EQ(kmm_cur()->hw->disk.wr.ios, 1);		/* four pages, one request */
	ASSERT_EQ(host_read("out.bin", back, sizeof(back)), 3 * 4096 + 150);
	for (i = 0; i < 50; i++)
		ASSERT_EQ(back[i], 0);				/* the hole reads zeros */
	ASSERT_TRUE(!memcmp(back + 50, data, 3 * 4096 + 100));
	/* A partial overwrite of a page not in the cache reads it first. */
	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDWR, 0), 4);
	ASSERT_EQ(ksys_pwrite64(t, 4, "HELLO", 5, 0), 5);
	ksys_sync(kmm_cur());
	memset(back, 0, sizeof(back));
	ASSERT_EQ(host_read("hello.txt", back, sizeof(back)), 12);
	ASSERT_STR_EQ(back, "HELLO world\n");
	/* O_APPEND: pwrite appends (Linux's documented quirk). */
	ASSERT_EQ(ksys_open(t, "/hello.txt", O_WRONLY | O_APPEND | O_SYNC, 0), 5);
	ASSERT_EQ(ksys_pwrite64(t, 5, "!", 1, 0), 1);
	memset(back, 0, sizeof(back));
	ASSERT_EQ(host_read("hello.txt", back, sizeof(back)), 13);	/* O_SYNC wrote it */
	ASSERT_STR_EQ(back, "HELLO world\n!");
	free(data);
	shutdown_dir();
}

TEST(truncate_drops_pages_and_a_touch_past_eof_is_sigbus)
{
	struct task_struct *t = boot_on_dir("");
	struct kmm_siginfo si = { 0 };
	char buf[8192];
	long addr;

	ASSERT_EQ(ksys_open(t, "/t.bin", O_RDWR | O_CREAT, 0644), 3);
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(ksys_pwrite64(t, 3, buf, 8192, 0), 8192);
	addr = do_mmap_pgoff(t->mm, fget_raw(t->files, 3), 0, 8192, PROT_READ, MAP_SHARED, 0);
	ASSERT_TRUE(addr > 0);
	ASSERT_EQ(user_copy(t, (unsigned long)addr + 4096, buf, 1, false, &si), 0);
	ASSERT_EQ(buf[0], 'x');
	ASSERT_EQ(ksys_ftruncate(t, 3, 100), 0);
	ASSERT_EQ(user_copy(t, (unsigned long)addr + 4096, buf, 1, false, &si), SIGBUS);
	ASSERT_EQ(si.code, BUS_ADRERR);
	ASSERT_EQ(ksys_ftruncate(t, 3, 8192), 0);
	memset(buf, 1, sizeof(buf));
	ASSERT_EQ(ksys_pread64(t, 3, buf, 8192, 0), 8192);
	ASSERT_EQ(buf[99], 'x');
	ASSERT_EQ(buf[100], 0);		/* zeroed past the old EOF */
	ASSERT_EQ(buf[5000], 0);
	ASSERT_EQ(ksys_ftruncate(t, 3, -1), -EINVAL);
	ASSERT_EQ(check_mm(t->mm), 0);
	shutdown_dir();
}

TEST(shared_mapping_write_faults_after_read_and_after_writeback)
{
	struct task_struct *t = boot_on_dir("");
	struct kmm_siginfo si = { 0 };
	phys_addr_t phys;
	unsigned long before;
	long addr;
	char back[16] = { 0 };

	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDWR, 0), 3);
	addr = do_mmap_pgoff(t->mm, fget_raw(t->files, 3), 0, 4096, PROT_READ | PROT_WRITE,
			     MAP_SHARED, 0);
	ASSERT_TRUE(addr > 0);
	before = t->min_flt + t->maj_flt;
	ASSERT_EQ(user_access(t, (unsigned long)addr, 0, &phys, &si), 0);
	ASSERT_EQ(t->maj_flt, 1);		/* read from the disk */
	ASSERT_EQ(user_access(t, (unsigned long)addr, PF_WRITE, &phys, &si), 0);
	ASSERT_EQ(t->min_flt + t->maj_flt, before + 2);	/* write notification */
	ASSERT_EQ(user_copy(t, (unsigned long)addr, "J", 1, true, &si), 0);
	ASSERT_EQ(node_stat(NR_DIRTY), 1);
	ASSERT_EQ(ksys_fsync(t, 3), 0);
	ASSERT_EQ(host_read("hello.txt", back, sizeof(back)), 12);
	ASSERT_STR_EQ(back, "Jello world\n");
	before = t->min_flt + t->maj_flt;
	ASSERT_EQ(user_access(t, (unsigned long)addr, PF_WRITE, &phys, &si), 0);
	ASSERT_EQ(t->min_flt + t->maj_flt, before + 1);	/* cleaned: faults again */
	ASSERT_EQ(node_stat(NR_DIRTY), 1);
	ASSERT_EQ(check_mm(t->mm), 0);
	shutdown_dir();
}

TEST(writeback_error_is_reported_once_and_the_page_stays_dirty)
{
	struct task_struct *t = boot_on_dir("");
	char back[16] = { 0 };

	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDWR, 0), 3);
	ASSERT_EQ(ksys_pwrite64(t, 3, "Y", 1, 0), 1);
	hw_disk_fail_nth(kmm_cur(), 1);		/* hello.txt's page was read first: */
	ASSERT_EQ(ksys_fsync(t, 3), -EIO);		/* the write request fails */
	ASSERT_EQ(node_stat(NR_DIRTY), 1);
	ASSERT_EQ(host_read("hello.txt", back, sizeof(back)), 12);
	ASSERT_STR_EQ(back, "hello world\n");
	ASSERT_EQ(ksys_fsync(t, 3), 0);		/* written now, error reported once */
	ASSERT_EQ(host_read("hello.txt", back, sizeof(back)), 12);
	ASSERT_STR_EQ(back, "Yello world\n");
	ASSERT_EQ(node_stat(NR_DIRTY), 0);
	/* A read error: EIO to the program, nothing cached. */
	ASSERT_EQ(ksys_open(t, "/sub/../hello.txt", O_RDONLY, 0), 4);
	write_host("other.txt", "data");
	ASSERT_EQ(ksys_open(t, "/other.txt", O_RDONLY, 0), 5);
	hw_disk_fail_nth(kmm_cur(), 1);
	ASSERT_EQ(ksys_pread64(t, 5, back, 4, 0), -EIO);
	ASSERT_EQ(ksys_pread64(t, 5, back, 4, 0), 4);
	shutdown_dir();
}

TEST(fork_shares_open_files)
{
	struct task_struct *t = boot_on_dir(""), *c;
	char buf[8] = { 0 };
	int err;

	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDONLY, 0), 3);
	c = kernel_fork(t, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(ksys_close(t, 3), 0);
	ASSERT_EQ(ksys_pread64(c, 3, buf, 5, 0), 5);	/* the child's fd still works */
	ASSERT_STR_EQ(buf, "hello");
	do_exit(c);
	shutdown_dir();
}

TEST(scratch_root_is_made_and_removed)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1 };
	struct task_struct *t;
	char root[4096];
	int err;

	ASSERT_NOT_NULL(kmm_boot(&cfg));
	t = kernel_spawn("cat", &err);
	ASSERT_EQ(ksys_open(t, "/f", O_RDWR | O_CREAT, 0644), 3);
	snprintf(root, sizeof(root), "%s", hostfs_root(kmm_cur()));
	ASSERT_EQ(access(root, F_OK), 0);
	kmm_shutdown(NULL);
	ASSERT_EQ(access(root, F_OK), -1);
}

TEST(host_file_changing_underneath_and_bad_offsets)
{
	struct task_struct *t = boot_on_dir("");
	char path[256], buf[64];

	write_host("big.txt", "0123456789abcdefghij");
	ASSERT_EQ(ksys_open(t, "/big.txt", O_RDWR, 0), 3);
	/* The host file shrinks under the simulation: the inode still says
	 * 20 bytes, the disk has 5: a read of the lost blocks is EIO. */
	snprintf(path, sizeof(path), "%s/big.txt", dir);
	ASSERT_EQ(truncate(path, 5), 0);
	ASSERT_EQ(ksys_pread64(t, 3, buf, 20, 0), -EIO);
	/* Removed on the host: the open file lives on, as an unlinked one. */
	write_host("gone.txt", "still here");
	ASSERT_EQ(ksys_open(t, "/gone.txt", O_RDONLY, 0), 4);
	snprintf(path, sizeof(path), "%s/gone.txt", dir);
	ASSERT_EQ(unlink(path), 0);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(ksys_pread64(t, 4, buf, 10, 0), 10);
	ASSERT_STR_EQ(buf, "still here");
	ASSERT_EQ(ksys_open(t, "/gone.txt", O_RDONLY, 0), -ENOENT);
	/* Offsets: past the largest file size, negative. */
	ASSERT_EQ(ksys_pwrite64(t, 3, "x", 1, 0x7fffffffffffffffll), -EFBIG);
	ASSERT_EQ(ksys_pwrite64(t, 3, "x", 1, -5), -EINVAL);
	ASSERT_EQ(ksys_ftruncate(t, 3, -1), -EINVAL);
	ASSERT_EQ(ksys_pwrite64(t, 3, "x", 0, 10), 0);
	ASSERT_EQ(ksys_close(t, 77), -EBADF);
	ASSERT_EQ(ksys_close(t, -1), -EBADF);
	ASSERT_EQ(kmm_nr_reports(), 0);
	shutdown_dir();
}

TEST(drop_caches_drops_only_clean_unmapped_pages)
{
	struct task_struct *t = boot_on_dir("");
	struct kmm_siginfo si = { 0 };
	struct hw_disk *d = &kmm_cur()->hw->disk;
	struct address_space *as;
	char buf[8];
	unsigned long ios;
	long addr;

	ASSERT_EQ(ksys_open(t, "/d.bin", O_RDWR | O_CREAT, 0644), 3);
	memset(buf, 'q', sizeof(buf));
	ASSERT_EQ(ksys_pwrite64(t, 3, buf, 8, 0), 8);		/* page 0 */
	ASSERT_EQ(ksys_pwrite64(t, 3, buf, 8, 4096), 8);	/* page 1 */
	ASSERT_EQ(ksys_pwrite64(t, 3, buf, 8, 8192), 8);	/* page 2 */
	ASSERT_EQ(ksys_fsync(t, 3), 0);
	ASSERT_EQ(ksys_pwrite64(t, 3, "D", 1, 0), 1);		/* page 0 dirty again */
	addr = do_mmap_pgoff(t->mm, fget_raw(t->files, 3), 0, 2 * 4096, PROT_READ, MAP_SHARED, 0);
	/* (fault-around maps every cached page of the VMA: page 2 stays out) */
	ASSERT_EQ(user_copy(t, (unsigned long)addr + 4096, buf, 1, false, &si), 0);	/* page 1 mapped */
	as = &fget_raw(t->files, 3)->f_inode->i_data;
	ASSERT_EQ(as->nrpages, 3);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/drop_caches", "1"), 0);
	ASSERT_EQ(as->nrpages, 2);			/* page 2 went: clean, unmapped */
	ASSERT_EQ(find_get_page(as, 2), NULL);
	ios = d->rd.ios;
	ASSERT_EQ(ksys_pread64(t, 3, buf, 1, 8192), 1);	/* read back from the disk */
	ASSERT_EQ(buf[0], 'q');
	ASSERT_EQ(d->rd.ios, ios + 1);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/drop_caches", "0"), -EINVAL);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/drop_caches", "3"), 0);
	ASSERT_EQ(check_mm(t->mm), 0);
	shutdown_dir();
}

TEST(proc_pid_io_charges_the_task_that_did_the_io)
{
	struct task_struct *t = boot_on_dir("");
	struct kmm_siginfo si = { 0 };
	phys_addr_t phys;
	char buf[512], big[16384];
	long addr;

	memset(big, 0x42, sizeof(big));
	ASSERT_EQ(ksys_open(t, "/io", O_RDWR | O_CREAT, 0644), 3);
	ASSERT_EQ(ksys_pwrite64(t, 3, big, sizeof(big), 0), (long)sizeof(big));
	ASSERT_EQ(ksys_pwrite64(t, 3, big, 100, 0), 100);	/* the page is dirty already */
	ASSERT_EQ(t->ioac.wchar, sizeof(big) + 100);
	ASSERT_EQ(t->ioac.syscw, 2);
	ASSERT_EQ(t->ioac.write_bytes, sizeof(big));		/* 4 pages dirtied, once each */
	ASSERT_EQ(ksys_ftruncate(t, 3, 4096), 0);
	ASSERT_EQ(t->ioac.cancelled_write_bytes, 3 * 4096);	/* dropped dirty */
	ASSERT_EQ(ksys_fsync(t, 3), 0);				/* the flusher's work: no one's */
	ASSERT_EQ(t->ioac.write_bytes, sizeof(big));
	ASSERT_EQ(ksys_fadvise64_64(t, 3, 0, 0, POSIX_FADV_DONTNEED), 0);
	ASSERT_EQ(ksys_pread64(t, 3, buf, 10, 0), 10);
	ASSERT_EQ(t->ioac.read_bytes, 4096);			/* the disk read a page */
	ASSERT_EQ(ksys_pread64(t, 3, buf, 10, 0), 10);
	ASSERT_EQ(t->ioac.read_bytes, 4096);			/* a cache hit reads nothing */
	ASSERT_EQ(t->ioac.rchar, 20);
	ASSERT_EQ(t->ioac.syscr, 2);
	/* A fault that waits for the disk is charged to the faulting task. */
	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDONLY, 0), 4);
	addr = do_mmap_pgoff(t->mm, fget_raw(t->files, 4), 0, 4096, PROT_READ, MAP_SHARED, 0);
	ASSERT_TRUE(addr > 0);
	ASSERT_EQ(user_access(t, (unsigned long)addr, 0, &phys, &si), 0);
	ASSERT_EQ(t->ioac.read_bytes, 8192);
	ASSERT_TRUE(kmm_proc_read("/proc/1/io", buf, sizeof(buf)) > 0);
	ASSERT_STR_EQ(buf, "rchar: 20\nwchar: 16484\nsyscr: 2\nsyscw: 2\nread_bytes: 8192\n"
			   "write_bytes: 16384\ncancelled_write_bytes: 12288\n");
	ASSERT_EQ(kmm_cur()->current, NULL);			/* between calls: no one */
	shutdown_dir();
}

int main(void)
{
	RUN_TEST(walk_stays_inside_the_mounted_directory);
	RUN_TEST(proc_pid_io_charges_the_task_that_did_the_io);
	RUN_TEST(read_only_mount_refuses_writes);
	RUN_TEST(pread_reads_the_host_bytes_and_hits_the_cache);
	RUN_TEST(writes_stay_dirty_until_fsync_and_then_match);
	RUN_TEST(truncate_drops_pages_and_a_touch_past_eof_is_sigbus);
	RUN_TEST(shared_mapping_write_faults_after_read_and_after_writeback);
	RUN_TEST(writeback_error_is_reported_once_and_the_page_stays_dirty);
	RUN_TEST(fork_shares_open_files);
	RUN_TEST(scratch_root_is_made_and_removed);
	RUN_TEST(host_file_changing_underneath_and_bad_offsets);
	RUN_TEST(drop_caches_drops_only_clean_unmapped_pages);
	return harness_summary();
}
