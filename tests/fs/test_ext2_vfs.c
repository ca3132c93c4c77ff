/*
 * tests/fs/test_ext2_vfs.c - ext2 mounted under the VFS (fs/ext2/file.c),
 * on images the host's mke2fs makes, through the system calls a process
 * makes, checked afterwards with the host's e2fsck and debugfs:
 *
 *   - at 1, 2 and 4 KiB blocks every file reads back byte for byte
 *     through pread and through a shared mapping;
 *   - files through direct, indirect and double indirect blocks written
 *     with pwrite, mkdir, unlink, rename, rmdir, truncate: after shutdown
 *     `e2fsck -fn` finds nothing and `debugfs -R cat` returns the bytes;
 *   - a 64 MiB sequential write-back and a cold sequential read are a few
 *     large requests (the disk's counters, printed);
 *   - crashes at seeded points of a write workload: every fsync'ed file
 *     reads back intact after the reboot, e2fsck finds only what ext2
 *     without a journal leaves (counts, bitmaps, orphans, sizes), and
 *     after `e2fsck -fy` the image passes -fn;
 *   - a shared mapping writing into a hole gets only that block at fsync;
 *   - ENOSPC from pwrite on a full image, EROFS on disk=IMAGE:ro (the
 *     image unchanged), a bad image refused at the first call while the
 *     machine runs on, and fs=DIR with disk=IMAGE putting ext2 at /mnt;
 *   - do_mkfs through the real buffer cache at 1, 2 and 4 KiB blocks: the
 *     new filesystem mounts, takes a file, passes e2fsck; EBUSY while the
 *     device is mounted (at /mnt, or as the root of disk=IMAGE).
 *
 * Without e2fsprogs the tests say so and pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include "arch/x86/mm/fault.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"
#include "tests/fs/ext2_test.h"

static char tmp[128], src[256], mke2fs[256], e2fsck[256], debugfs[256];
static bool have_tools;

/* ---- host side: source tree, images, e2fsck, debugfs -------------------- */

static void pattern(unsigned char *buf, size_t len, unsigned int seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
}

static void put_host(const char *name, const void *data, size_t len, off_t at)
{
	put_file_in(src, name, data, len, at);
}

static void put_host_dir(const char *name)
{
	put_dir_in(src, name);
}

/* The files of the source tree, with the sizes that need each level of
 * block pointers at 1 KiB blocks (and double indirect at 4 KiB too). */
static const char *const src_files[] = {
	"hello.txt", "ind.bin", "dind.bin", "sparse.bin", "a/b/deep.txt", "many/f07",
};

static void make_source_tree(void)
{
	static unsigned char big[6 << 20];
	char name[64];
	int i;

	snprintf(src, sizeof(src), "%s/src", tmp);
	if (mkdir(src, 0755))
		abort();
	pattern(big, sizeof(big), 1);
	put_host("hello.txt", "hello, ext2\n", 12, 0);
	put_host("ind.bin", big, 300 << 10, 0);
	put_host("dind.bin", big, sizeof(big), 0);
	put_host("sparse.bin", big, 5000, 0);
	put_host("sparse.bin", big + 5000, 7000, 1 << 20);
	put_host("sparse.bin", big + 12000, 3000, 9 << 20);
	put_host_dir("a");
	put_host_dir("a/b");
	put_host("a/b/deep.txt", "deep down\n", 10, 0);
	put_host_dir("many");
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "many/f%02d", i);
		put_host(name, name, strlen(name), 0);
	}
}

static bool setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/kmm-test-ext2vfs-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	have_tools = find_e2fsprogs(mke2fs, e2fsck, debugfs);
	if (!have_tools)
		return false;
	make_source_tree();
	return true;
}

/* img: an ext2 of bs-byte blocks and `size`, of the source tree or empty. */
static int make_image(const char *img, unsigned int bs, const char *size, bool with_src)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s -q -F -t ext2 -b %u %s%s %s %s", mke2fs, bs,
		 with_src ? "-d " : "", with_src ? src : "", img, size);
	return run_quiet(cmd);
}

/* e2fsck's exit status: 0 clean, 4 errors left (with -n), 8 and up broken. */
static int fsck(const char *img, const char *opts, char *out, size_t len)
{
	return run_e2fsck(e2fsck, opts, img, out, len);
}

/* Whether `debugfs -R "cat path"` prints exactly want[0..len). */
static bool debugfs_has(const char *img, const char *path, const void *want, size_t len)
{
	return debugfs_cat_is(debugfs, img, path, want, len);
}

/* debugfs's "Filesystem state:" of the superblock is "clean". */
static bool state_clean(const char *img)
{
	char cmd[1024], out[256];

	snprintf(cmd, sizeof(cmd), "%s -R stats %s 2>/dev/null | grep '^Filesystem state:'",
		 debugfs, img);
	run_capture(cmd, out, sizeof(out));
	return strstr(out, "clean") && !strstr(out, "not clean");
}

static void *host_file(const char *name, size_t *len)
{
	char path[512];
	struct stat st;
	void *buf;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", src, name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		abort();
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size)
		abort();
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp %s %s", from, to);
	if (run_quiet(cmd))
		abort();
}

/* ---- the machine ----------------------------------------------------------- */

/* A fresh machine on disk=IMAGE (suffix ":ro"), fs= too if given; pid 1. */
static struct task_struct *boot_disk(const char *img, const char *suffix, const char *fs)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };

	snprintf(cfg.disk, sizeof(cfg.disk), "%s%s", img, suffix);
	if (fs)
		snprintf(cfg.fs, sizeof(cfg.fs), "%s", fs);
	return boot_and_spawn(&cfg);
}

/* The disk's counters: requests and sectors, read (0) or written (1). */
static void disk_stat(unsigned long *reqs, unsigned long *sectors, int dir)
{
	char buf[512];
	unsigned long f[11] = { 0 };

	if (kmm_proc_read("/sys/block/kda/stat", buf, sizeof(buf)) < 0)
		abort();
	sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu %lu", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
	       &f[6], &f[7]);
	*reqs = f[dir * 4];
	*sectors = f[dir * 4 + 2];
}

/* Reads the whole file at path through pread: the bytes, or NULL. */
static unsigned char *read_all(struct task_struct *t, const char *path, size_t len)
{
	unsigned char *buf = malloc(len + 1);
	long fd = ksys_open(t, path, O_RDONLY, 0);

	if (fd < 0 || !buf || ksys_pread64(t, (int)fd, buf, len + 1, 0) != (long)len) {
		free(buf);
		buf = NULL;
	}
	if (fd >= 0)
		ksys_close(t, (int)fd);
	return buf;
}

/* The file at path, mapped shared and read through the MMU, is want. */
static bool mmap_matches(struct task_struct *t, const char *path, const unsigned char *want,
			 size_t len)
{
	static unsigned char page[4096];
	struct kmm_siginfo si = { 0 };
	long fd = ksys_open(t, path, O_RDONLY, 0), addr;
	size_t off, n;
	bool ok = true;

	if (fd < 0)
		return false;
	addr = do_mmap_pgoff(t->mm, fget_raw(t->files, (int)fd), 0, len, PROT_READ, MAP_SHARED, 0);
	for (off = 0; ok && addr > 0 && off < len; off += n) {
		n = len - off < sizeof(page) ? len - off : sizeof(page);
		ok = !user_copy(t, (unsigned long)addr + off, page, n, false, &si) &&
		     !memcmp(page, want + off, n);
	}
	if (addr > 0)
		do_munmap(t->mm, (unsigned long)addr, len);
	ksys_close(t, (int)fd);
	return ok && addr > 0;
}

/* ---- the tests ---------------------------------------------------------------- */

TEST(every_file_reads_back_through_pread_and_mmap)
{
	static const unsigned int sizes[] = { 1024, 2048, 4096 };
	char img[256];
	size_t i, f, len;

	if (!have_tools)
		return;
	for (i = 0; i < 3; i++) {
		struct task_struct *t;

		snprintf(img, sizeof(img), "%s/read-%u.img", tmp, sizes[i]);
		ASSERT_EQ(make_image(img, sizes[i], "32M", true), 0);
		t = boot_disk(img, "", NULL);
		for (f = 0; f < sizeof(src_files) / sizeof(src_files[0]); f++) {
			unsigned char *want = host_file(src_files[f], &len), *got;
			char path[128];

			snprintf(path, sizeof(path), "/%s", src_files[f]);
			got = read_all(t, path, len);
			ASSERT_NOT_NULL(got);
			ASSERT_TRUE(!memcmp(got, want, len));
			ASSERT_TRUE(mmap_matches(t, path, want, len));
			free(got);
			free(want);
		}
		ASSERT_EQ(ksys_open(t, "/nope", O_RDONLY, 0), -ENOENT);
		ASSERT_EQ(ksys_open(t, "/hello.txt/x", O_RDONLY, 0), -ENOTDIR);
		ASSERT_EQ(ksys_open(t, "/a", O_RDWR, 0), -EISDIR);
		ASSERT_EQ(reports_seen, 0);
		kmm_shutdown(NULL);
		ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
	}
}

/* Writes len bytes of pattern seed to path in uneven pieces: 0 or -errno. */
static long write_file(struct task_struct *t, const char *path, const unsigned char *data,
		       size_t len, long long at, bool do_fsync)
{
	long fd = ksys_open(t, path, O_RDWR | O_CREAT, 0644), r = 0;
	size_t off = 0, n;

	if (fd < 0)
		return fd;
	while (off < len && r >= 0) {
		n = len - off < 70001 ? len - off : 70001;
		r = ksys_pwrite64(t, (int)fd, data + off, n, at + (long long)off);
		off += r > 0 ? (size_t)r : 0;
	}
	if (r >= 0 && do_fsync)
		r = ksys_fsync(t, (int)fd);
	ksys_close(t, (int)fd);
	return r < 0 ? r : 0;
}

TEST(writes_and_names_pass_e2fsck_and_debugfs)
{
	static const unsigned int sizes[] = { 1024, 2048, 4096 };
	static unsigned char data[5 << 20], tail[3000];
	struct kstat st;
	char img[256];
	size_t i;

	if (!have_tools)
		return;
	pattern(data, sizeof(data), 7);
	pattern(tail, sizeof(tail), 8);
	for (i = 0; i < 3; i++) {
		struct task_struct *t;

		snprintf(img, sizeof(img), "%s/write-%u.img", tmp, sizes[i]);
		ASSERT_EQ(make_image(img, sizes[i], "64M", true), 0);
		t = boot_disk(img, "", NULL);
		ASSERT_EQ(ksys_mkdir(t, "/d", 0755), 0);
		ASSERT_EQ(ksys_mkdir(t, "/d/e", 0755), 0);
		ASSERT_EQ(ksys_mkdir(t, "/d", 0755), -EEXIST);
		/* direct, single and double indirect blocks; a hole, a far tail */
		ASSERT_EQ(write_file(t, "/d/e/big", data, sizeof(data), 0, false), 0);
		ASSERT_EQ(write_file(t, "/d/e/big", tail, sizeof(tail), 20 << 20, false), 0);
		ASSERT_EQ(write_file(t, "/small", data, 100, 0, false), 0);
		ASSERT_EQ(ksys_rename(t, "/d/e/big", "/big"), 0);
		ASSERT_EQ(ksys_rename(t, "/small", "/hello.txt"), 0);	/* replaces it */
		ASSERT_EQ(ksys_unlink(t, "/ind.bin"), 0);
		ASSERT_EQ(ksys_unlink(t, "/ind.bin"), -ENOENT);
		ASSERT_EQ(ksys_rmdir(t, "/d"), -ENOTEMPTY);
		ASSERT_EQ(ksys_rmdir(t, "/d/e"), 0);
		ASSERT_EQ(ksys_open(t, "/trunc", O_RDWR | O_CREAT, 0644), 3);
		ASSERT_EQ(ksys_pwrite64(t, 3, data, 1 << 20, 0), 1 << 20);
		ASSERT_EQ(ksys_ftruncate(t, 3, 5000), 0);
		ASSERT_EQ(ksys_close(t, 3), 0);
		/* unlinked while open: still readable, freed at the close */
		ASSERT_EQ(ksys_open(t, "/trunc", O_RDONLY, 0), 3);
		ASSERT_EQ(write_file(t, "/gone", data, 300000, 0, true), 0);
		ASSERT_EQ(ksys_open(t, "/gone", O_RDONLY, 0), 4);
		ASSERT_EQ(ksys_unlink(t, "/gone"), 0);
		ASSERT_EQ(ksys_open(t, "/gone", O_RDONLY, 0), -ENOENT);
		{
			static unsigned char back[300000];

			ASSERT_EQ(ksys_pread64(t, 4, back, sizeof(back), 0), 300000);
			ASSERT_TRUE(!memcmp(back, data, sizeof(back)));
		}
		ASSERT_EQ(ksys_close(t, 4), 0);
		ASSERT_EQ(ksys_close(t, 3), 0);
		ASSERT_EQ(ksys_stat(t, "/big", &st), 0);
		ASSERT_EQ(st.size, (20 << 20) + 3000);
		ASSERT_EQ(st.dev, MKDEV(254, 0));
		ASSERT_EQ(reports_seen, 0);
		ASSERT_FALSE(state_clean(img));		/* mounted read-write */
		kmm_shutdown(NULL);

		ASSERT_TRUE(state_clean(img));		/* shutdown unmounted it */
		ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
		ASSERT_TRUE(debugfs_has(img, "/hello.txt", data, 100));
		ASSERT_TRUE(debugfs_has(img, "/trunc", data, 5000));
		{
			unsigned char *whole = calloc(1, (20 << 20) + 3000);

			memcpy(whole, data, sizeof(data));
			memcpy(whole + (20 << 20), tail, sizeof(tail));
			ASSERT_TRUE(debugfs_has(img, "/big", whole, (20 << 20) + 3000));
			free(whole);
		}
	}
}

TEST(a_shared_mapping_writes_into_holes)
{
	static unsigned char want[64 << 10];
	struct kmm_siginfo si = { 0 };
	struct task_struct *t;
	struct kstat st;
	char img[256];
	long addr;

	if (!have_tools)
		return;
	snprintf(img, sizeof(img), "%s/mmap.img", tmp);
	ASSERT_EQ(make_image(img, 1024, "8M", false), 0);
	t = boot_disk(img, "", NULL);
	ASSERT_EQ(ksys_open(t, "/m", O_RDWR | O_CREAT, 0644), 3);
	ASSERT_EQ(ksys_ftruncate(t, 3, sizeof(want)), 0);	/* all hole */
	addr = do_mmap_pgoff(t->mm, fget_raw(t->files, 3), 0, sizeof(want),
			     PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_TRUE(addr > 0);
	memcpy(want + 5 * 4096 + 1500, "written through the MMU", 23);
	ASSERT_EQ(user_copy(t, (unsigned long)addr + 5 * 4096 + 1500,
			    "written through the MMU", 23, true, &si), 0);
	ASSERT_EQ(ksys_fsync(t, 3), 0);
	ASSERT_EQ(ksys_stat(t, "/m", &st), 0);
	ASSERT_EQ(st.blocks, 4);	/* block 21 and its indirect block: the rest a hole */
	ASSERT_EQ(do_munmap(t->mm, (unsigned long)addr, sizeof(want)), 0);
	ASSERT_EQ(ksys_close(t, 3), 0);
	kmm_shutdown(NULL);
	ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
	ASSERT_TRUE(debugfs_has(img, "/m", want, sizeof(want)));
}

TEST(sequential_io_is_a_few_large_requests)
{
	static unsigned char chunk[1 << 20];
	unsigned long w0, ws0, w1, ws1, r0, rs0, r1, rs1;
	struct task_struct *t;
	char img[256];
	int i;

	if (!have_tools)
		return;
	snprintf(img, sizeof(img), "%s/seq.img", tmp);
	ASSERT_EQ(make_image(img, 4096, "128M", false), 0);
	t = boot_disk(img, "", NULL);
	ASSERT_EQ(ksys_open(t, "/seq", O_RDWR | O_CREAT, 0644), 3);
	disk_stat(&w0, &ws0, 1);
	for (i = 0; i < 64; i++) {
		pattern(chunk, sizeof(chunk), 100 + i);
		ASSERT_EQ(ksys_pwrite64(t, 3, chunk, sizeof(chunk), (long long)i << 20), 1 << 20);
	}
	ASSERT_EQ(ksys_fsync(t, 3), 0);
	disk_stat(&w1, &ws1, 1);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/drop_caches", "3"), 0);
	disk_stat(&r0, &rs0, 0);
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(ksys_pread64(t, 3, chunk, sizeof(chunk), (long long)i << 20), 1 << 20);
		if (i == 63) {
			static unsigned char want[1 << 20];

			pattern(want, sizeof(want), 100 + i);
			ASSERT_TRUE(!memcmp(chunk, want, sizeof(want)));
		}
	}
	disk_stat(&r1, &rs1, 0);
	printf("  64 MiB write-back: %lu requests, %lu KiB each on average\n", w1 - w0,
	       (ws1 - ws0) / 2 / (w1 - w0));
	printf("  64 MiB cold read:  %lu requests, %lu KiB each on average\n", r1 - r0,
	       (rs1 - rs0) / 2 / (r1 - r0));
	ASSERT_TRUE(ws1 - ws0 >= 64 * 2048);
	/* 1 MiB runs (MAX_IO_PAGES), broken where an indirect block sits
	 * between the data blocks, and the metadata */
	ASSERT_LE(w1 - w0, 160);
	ASSERT_TRUE(rs1 - rs0 >= 64 * 2048);
	ASSERT_LE(r1 - r0, 700);	/* readahead windows of 128 KiB, the indirect blocks */
	ASSERT_EQ(ksys_close(t, 3), 0);
	kmm_shutdown(NULL);
	ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
}

/* What e2fsck may find after a power cut on ext2: counts, bitmaps, sizes,
 * orphans, link counts; never blocks claimed twice or pointers outside. */
static bool only_allowed_findings(const char *out)
{
	static const char *const bad[] = {
		"multiply-claimed", "Multiply-claimed", "illegal block", "Illegal block",
		"Bad magic", "corrupt", "Corruption",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(out, bad[i]))
			return false;
	return true;
}

#define CRASH_FILES	12

struct crash_file {
	char path[32];
	unsigned int seed;
	size_t len;
	bool synced;			/* fsync'ed: must survive */
};

/* One boot of the workload: files written, some fsync'ed, then a crash
 * after `steps` of them. */
static void crash_round(const char *img, struct crash_file *files, int round, int steps)
{
	struct task_struct *t = boot_disk(img, "", NULL);
	static unsigned char buf[400 << 10];
	int i;

	for (i = 0; i < steps; i++) {
		struct crash_file *cf = &files[round * CRASH_FILES + i];

		snprintf(cf->path, sizeof(cf->path), "/r%d-%02d", round, i);
		cf->seed = (unsigned int)rnd();
		cf->len = 1 + rnd() % sizeof(buf);
		cf->synced = rnd() % 2;
		pattern(buf, cf->len, cf->seed);
		if (write_file(t, cf->path, buf, cf->len, 0, cf->synced))
			cf->synced = false;
		if (rnd() % 4 == 0)
			ksys_sync(kmm_current());	/* the flusher's work, early */
	}
	kmm_crash(NULL);
}

/* Every fsync'ed file of rounds up to `round` reads back intact. */
static bool synced_files_intact(const char *img, struct crash_file *files, int rounds)
{
	static unsigned char want[400 << 10];
	struct task_struct *t = boot_disk(img, "", NULL);
	bool ok = true;
	int i;

	for (i = 0; ok && i < rounds * CRASH_FILES; i++) {
		unsigned char *got;

		if (!files[i].synced)
			continue;
		pattern(want, files[i].len, files[i].seed);
		got = read_all(t, files[i].path, files[i].len);
		ok = got && !memcmp(got, want, files[i].len);
		if (!ok)
			printf("  %s (%zu bytes, fsync'ed) lost\n", files[i].path, files[i].len);
		free(got);
	}
	kmm_shutdown(NULL);
	return ok;
}

TEST(fsynced_files_survive_crashes)
{
	static struct crash_file files[4 * CRASH_FILES];
	char img[256], fixed[256], out[8192];
	int round, rc;

	if (!have_tools)
		return;
	rnd_state = getenv("KMM_TEST_SEED") ? strtoull(getenv("KMM_TEST_SEED"), NULL, 0) : 42;
	snprintf(img, sizeof(img), "%s/crash.img", tmp);
	snprintf(fixed, sizeof(fixed), "%s/crash-fixed.img", tmp);
	ASSERT_EQ(make_image(img, 1024, "24M", true), 0);
	for (round = 0; round < 4; round++) {
		crash_round(img, files, round, 1 + (int)(rnd() % CRASH_FILES));
		ASSERT_FALSE(state_clean(img));		/* never unmounted */
		rc = fsck(img, "-fn", out, sizeof(out));
		if (rc && !only_allowed_findings(out))
			printf("%s", out);
		ASSERT_TRUE(rc == 0 || rc == 4);
		ASSERT_TRUE(only_allowed_findings(out));
		copy_file(img, fixed);
		rc = fsck(fixed, "-fy", out, sizeof(out));
		if (rc != 0 && rc != 1)
			printf("e2fsck -fy: %d\n%s", rc, out);
		ASSERT_TRUE(rc == 0 || rc == 1);	/* clean, or fixed */
		ASSERT_EQ(fsck(fixed, "-fn", NULL, 0), 0);
		/* kmm on the crashed image as it is, and on the repaired one */
		ASSERT_TRUE(synced_files_intact(img, files, round + 1));
		ASSERT_TRUE(synced_files_intact(fixed, files, round + 1));
		copy_file(fixed, img);		/* the next round starts repaired */
	}
}

TEST(full_disk_is_enospc_from_pwrite)
{
	static unsigned char chunk[64 << 10];
	struct task_struct *t;
	long long total = 0;
	char img[256];
	long r;

	if (!have_tools)
		return;
	snprintf(img, sizeof(img), "%s/full.img", tmp);
	ASSERT_EQ(make_image(img, 1024, "1M", false), 0);
	t = boot_disk(img, "", NULL);
	ASSERT_EQ(ksys_open(t, "/fill", O_RDWR | O_CREAT, 0644), 3);
	pattern(chunk, sizeof(chunk), 3);
	while ((r = ksys_pwrite64(t, 3, chunk, sizeof(chunk), total)) > 0)
		total += r;
	ASSERT_EQ(r, -ENOSPC);
	ASSERT_TRUE(total > 512 << 10);
	ASSERT_EQ(ksys_fsync(t, 3), 0);
	ASSERT_EQ(ksys_mkdir(t, "/more", 0755), -ENOSPC);
	/* the blocks come back at the last close of the unlinked file */
	ASSERT_EQ(ksys_unlink(t, "/fill"), 0);
	ASSERT_EQ(ksys_open(t, "/again", O_RDWR | O_CREAT, 0644), 4);
	ASSERT_EQ(ksys_pwrite64(t, 4, chunk, sizeof(chunk), 0), -ENOSPC);
	ASSERT_EQ(ksys_close(t, 3), 0);
	ASSERT_EQ(ksys_pwrite64(t, 4, chunk, sizeof(chunk), 0), sizeof(chunk));
	ASSERT_EQ(ksys_close(t, 4), 0);
	kmm_shutdown(NULL);
	ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
}

static unsigned long long file_sum(const char *path)
{
	unsigned long long sum = 0;
	unsigned char buf[65536];
	ssize_t n, i;
	int fd = open(path, O_RDONLY);

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			sum = sum * 131 + buf[i];
	close(fd);
	return sum;
}

TEST(read_only_image_is_erofs_and_untouched)
{
	struct task_struct *t;
	unsigned long long before;
	char img[256], buf[16] = { 0 };

	if (!have_tools)
		return;
	snprintf(img, sizeof(img), "%s/ro.img", tmp);
	ASSERT_EQ(make_image(img, 2048, "8M", true), 0);
	before = file_sum(img);
	t = boot_disk(img, ":ro", NULL);
	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDONLY, 0), 3);
	ASSERT_EQ(ksys_pread64(t, 3, buf, 12, 0), 12);
	ASSERT_STR_EQ(buf, "hello, ext2\n");
	ASSERT_EQ(ksys_open(t, "/hello.txt", O_RDWR, 0), -EROFS);
	ASSERT_EQ(ksys_open(t, "/new", O_RDWR | O_CREAT, 0644), -EROFS);
	ASSERT_EQ(ksys_mkdir(t, "/dir", 0755), -EROFS);
	ASSERT_EQ(ksys_unlink(t, "/hello.txt"), -EROFS);
	ASSERT_EQ(ksys_rename(t, "/hello.txt", "/x"), -EROFS);
	kmm_shutdown(NULL);
	ASSERT_EQ(file_sum(img), before);
}

TEST(bad_image_fails_the_first_call_and_the_machine_runs_on)
{
	struct task_struct *t;
	char img[256], root[256];
	struct kstat st;
	int fd;

	if (!have_tools)
		return;
	snprintf(img, sizeof(img), "%s/bad.img", tmp);
	ASSERT_EQ(make_image(img, 1024, "4M", false), 0);
	fd = open(img, O_WRONLY);
	ASSERT_EQ(pwrite(fd, "\0\0", 2, 1024 + 56), 2);	/* s_magic */
	close(fd);
	t = boot_disk(img, "", NULL);
	ASSERT_EQ(ksys_open(t, "/x", O_RDONLY, 0), -EINVAL);
	ASSERT_CONTAINS(last_report, "can't find an ext2 filesystem on dev kda");
	ASSERT_EQ(ksys_mkdir(t, "/x", 0755), -EINVAL);
	ASSERT_NOT_NULL(alloc_pages(GFP_KERNEL, 0));
	kmm_shutdown(NULL);

	/* Under a host root, the host root stays and /mnt is not left behind. */
	snprintf(root, sizeof(root), "%s/badroot", tmp);
	ASSERT_EQ(mkdir(root, 0755), 0);
	t = boot_disk(img, "", root);
	ASSERT_EQ(ksys_open(t, "/x", O_RDWR | O_CREAT, 0644), 3);
	ASSERT_CONTAINS(last_report, "can't find an ext2 filesystem on dev kda");
	ASSERT_EQ(ksys_stat(t, "/mnt", &st), -ENOENT);
	kmm_shutdown(NULL);
}

TEST(host_root_with_the_disk_at_mnt)
{
	struct task_struct *t;
	char img[256], root[256], buf[16] = { 0 };
	struct kstat st;

	if (!have_tools)
		return;
	snprintf(img, sizeof(img), "%s/mnt.img", tmp);
	snprintf(root, sizeof(root), "%s/hostroot", tmp);
	ASSERT_EQ(mkdir(root, 0755), 0);
	ASSERT_EQ(make_image(img, 4096, "8M", true), 0);
	t = boot_disk(img, "", root);
	ASSERT_EQ(ksys_open(t, "/mnt/hello.txt", O_RDONLY, 0), 3);
	ASSERT_EQ(ksys_pread64(t, 3, buf, 12, 0), 12);
	ASSERT_STR_EQ(buf, "hello, ext2\n");
	ASSERT_EQ(ksys_stat(t, "/mnt/a/b/deep.txt", &st), 0);
	ASSERT_EQ(st.dev, MKDEV(254, 0));
	ASSERT_EQ(ksys_open(t, "/mnt/w", O_RDWR | O_CREAT, 0644), 4);
	ASSERT_EQ(ksys_pwrite64(t, 4, "on ext2", 7, 0), 7);
	ASSERT_EQ(ksys_close(t, 4), 0);
	ASSERT_EQ(do_umount(kmm_current(), "/mnt"), -EBUSY);	/* fd 3 */
	ASSERT_EQ(ksys_close(t, 3), 0);
	/* umount(8) while the machine runs: synced and marked clean */
	ASSERT_EQ(do_umount(kmm_current(), "/mnt"), 0);
	ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
	ASSERT_TRUE(debugfs_has(img, "/w", "on ext2", 7));
	ASSERT_EQ(ksys_open(t, "/mnt/hello.txt", O_RDONLY, 0), -ENOENT);	/* the bare dir */
	ASSERT_EQ(do_mount(kmm_current(), "/dev/kda", "/mnt", "ext2", SB_RDONLY), 0);
	ASSERT_EQ(ksys_open(t, "/mnt/w", O_RDWR, 0), -EROFS);
	kmm_shutdown(NULL);
	ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
}

/* The real buffer cache under mkfs: the image it writes mounts, takes
 * files, and is clean; a mounted device (the root, or at /mnt) is EBUSY. */
TEST(mkfs_on_the_disk_then_mount_it)
{
	static unsigned char data[300 << 10];
	struct task_struct *t;
	char img[256], root[256], cmd[600];
	const char *why = NULL;
	unsigned int bs;

	if (!have_tools)
		return;
	pattern(data, sizeof(data), 9);
	snprintf(img, sizeof(img), "%s/mkfs.img", tmp);
	snprintf(root, sizeof(root), "%s/mkfsroot", tmp);
	ASSERT_EQ(mkdir(root, 0755), 0);
	for (bs = 1024; bs <= 4096; bs *= 2) {
		snprintf(cmd, sizeof(cmd), "rm -f %s && truncate -s 20M %s", img, img);
		ASSERT_EQ(run_quiet(cmd), 0);
		t = boot_disk(img, "", root);
		ASSERT_EQ(do_mkfs(kmm_current(), "/dev/kda", "ext2", bs, &why), 0);
		/* The root went up first, the disk's /mnt not (no ext2 yet). */
		ASSERT_CONTAINS(last_report, "can't find an ext2 filesystem");
		capture_reports();
		ASSERT_EQ(ksys_mkdir(t, "/mnt", 0755), 0);
		ASSERT_EQ(do_mount(kmm_current(), "/dev/kda", "/mnt", "ext2", 0), 0);
		ASSERT_EQ(do_mkfs(kmm_current(), "/dev/kda", "ext2", bs, &why), -EBUSY);
		ASSERT_STR_EQ(why, "the device is mounted");
		ASSERT_EQ(write_file(t, "/mnt/f", data, sizeof(data), 0, false), 0);
		ASSERT_EQ(do_umount(kmm_current(), "/mnt"), 0);
		ASSERT_EQ(ksys_rmdir(t, "/mnt"), 0);
		ASSERT_EQ(reports_seen, 0);
		kmm_shutdown(NULL);
		ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
		ASSERT_TRUE(debugfs_has(img, "/f", data, sizeof(data)));
	}
	/* disk=IMAGE alone: the root is on it, mounted by mkfs's look. */
	boot_disk(img, "", NULL);
	ASSERT_EQ(do_mkfs(kmm_current(), "/dev/kda", "ext2", 0, &why), -EBUSY);
	ASSERT_EQ(do_mkfs(kmm_current(), "/dev/kda", "xfs", 0, &why), -ENODEV);
	ASSERT_EQ(do_mkfs(kmm_current(), "/dev/kdb", "ext2", 0, &why), -ENOENT);
	kmm_shutdown(NULL);
	ASSERT_EQ(fsck(img, "-fn", NULL, 0), 0);
}

int main(void)
{
	char cmd[512];

	if (setup()) {
		RUN_TEST(every_file_reads_back_through_pread_and_mmap);
		RUN_TEST(writes_and_names_pass_e2fsck_and_debugfs);
		RUN_TEST(a_shared_mapping_writes_into_holes);
		RUN_TEST(sequential_io_is_a_few_large_requests);
		RUN_TEST(fsynced_files_survive_crashes);
		RUN_TEST(full_disk_is_enospc_from_pwrite);
		RUN_TEST(read_only_image_is_erofs_and_untouched);
		RUN_TEST(bad_image_fails_the_first_call_and_the_machine_runs_on);
		RUN_TEST(host_root_with_the_disk_at_mnt);
		RUN_TEST(mkfs_on_the_disk_then_mount_it);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	run_quiet(cmd);
	return harness_summary();
}
