/*
 * bench/bench_filemap.c - the page cache's hot paths (mm/filemap.c over
 * fs/hostfs.c and hw/disk.c), beside the host kernel doing the same on
 * the same host file in the same run:
 *
 *   pread_4k     4 KiB preads of a file already in the page cache, walking
 *                it page by page (kmm: ksys_pread64 on a file of the
 *                fs= mount; host: pread(2) of that host file, warm in the
 *                host's page cache)
 *   pread_1m     the same with 1 MiB preads
 *   mmap_touch   mmap a cached file MAP_SHARED, PROT_READ, read one byte of
 *                every page, munmap; faults per second, each fault mapping
 *                its neighbours too (fault-around, 16 pages on both sides)
 *   cold_4k,     a sequential read of a file none of which is cached, in
 *   cold_1m      4 KiB or 1 MiB preads: the disk requests it took and their
 *                average size, beside the host's (its device's counters)
 *                and the host's ideal, one request per read_ahead_kb
 *
 * Targets (issue 14): cached preads at least 0.5x the host; at least 1
 * million mmap_touch faults per second and at least the host's rate.  kmm
 * boots with the host device's read_ahead_kb, so its readahead
 * (mm/readahead.c) ramps up to windows of that size, each one disk
 * request: the cold rows should take about as many requests as the
 * ideal plus the ramp (4, 16, 60, ... pages), not one a page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "hw/machine.h"
#include "hw/disk.h"
#include "arch/x86/mm/fault.h"
#include "peers.h"

#define MAX_REPS	15
#define PG		4096ul
#define MIB		(1ul << 20)
#define TMPFS_MAGIC_	0x01021994
#define RAMFS_MAGIC_	0x858458f6

enum row { R_PREAD4K, R_PREAD1M, R_TOUCH, NR_ROWS };
static const char *const row_name[NR_ROWS] = { "pread_4k", "pread_1m", "mmap_touch" };
static const char *const row_unit[NR_ROWS] = { "ops", "ops", "faults" };
static const size_t row_chunk[NR_ROWS] = { PG, MIB, 0 };

enum cold { C_4K, C_1M, NR_COLD };
static const char *const cold_name[NR_COLD] = { "cold_4k", "cold_1m" };
static const size_t cold_chunk[NR_COLD] = { PG, MIB };

static struct {
	int reps;
	unsigned long cached_size;	/* the cached file: pread and mmap rows */
	unsigned long cold_size;	/* the cold file */
	long ops4k, ops1m;		/* preads per timed run */
	int touch_rounds;		/* mmap + touch + munmap per timed run */
	unsigned long mem;		/* the machine's RAM */
} opt = { 7, 64 * MIB, 256 * MIB, 200000, 1000, 8, 1024 * MIB };

/* The host side: where the files are and what device holds them. */
static struct {
	char dir[PATH_MAX];
	char fstype[16];
	bool disk_backed;
	char sysfs[PATH_MAX];		/* /sys/dev/block/M:m of the file system */
	char devname[64];
	long read_ahead_kb;		/* -1: not found */
	long max_sectors_kb;
	int cached_fd, cold_fd;
} host = { .read_ahead_kb = -1, .max_sectors_kb = -1, .cached_fd = -1, .cold_fd = -1 };

static struct task_struct *task;
static int kmm_cached_fd, kmm_cold_fd;
static unsigned char *buf;		/* MIB: every pread's destination */
static volatile unsigned long sink;

static double result[NR_ROWS][2], spread[NR_ROWS][2];	/* per second: kmm, host */
static double touch_ppf[2];		/* pages per fault of the last touch run */
static double touch_pps[2][MAX_REPS];	/* pages touched per second, run by run */
static int touch_runs[2];

/* One cold read's figures. */
struct cold_run {
	double ios, sectors;		/* disk requests, 512-byte sectors */
	double wall_ns, sim_ns;		/* host time; kmm: the simulated disk's */
};
static struct cold_run cold_runs[NR_COLD][2][MAX_REPS];	/* [row][kmm, host][rep] */
static long host_left_cached = -1;	/* pages the host kept after DONTNEED */

static void cleanup(void);

static void die(const char *what, long err)
{
	fprintf(stderr, "bench_filemap: %s failed: %ld\n", what, err);
	cleanup();
	exit(1);
}

/* ---- the host directory and device ----------------------------------- */

static const char *fs_name(long type)
{
	switch (type) {
	case 0xEF53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x794c7630: return "overlay";
	case 0x2fc12fc1: return "zfs";
	case 0x6969: return "nfs";
	case TMPFS_MAGIC_: return "tmpfs";
	case RAMFS_MAGIC_: return "ramfs";
	default: return "other";
	}
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * The block device under dir: /sys/dev/block/MAJ:MIN, and for a partition
 * its disk's queue/read_ahead_kb and max_sectors_kb (the partition's stat
 * file counts the requests).
 */
static void find_device(const char *dir)
{
	char link[64], real[PATH_MAX], q[PATH_MAX + 64], disk[PATH_MAX];
	struct stat st;

	if (stat(dir, &st))
		return;
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	if (!realpath(link, real))
		return;
	snprintf(host.sysfs, sizeof(host.sysfs), "%s", real);
	snprintf(host.devname, sizeof(host.devname), "%s", basename(strcpy(q, real)));
	snprintf(disk, sizeof(disk), "%s", real);
	snprintf(q, sizeof(q), "%s/partition", real);
	if (!access(q, F_OK))
		dirname(disk);
	snprintf(q, sizeof(q), "%s/queue/read_ahead_kb", disk);
	host.read_ahead_kb = read_long(q);
	snprintf(q, sizeof(q), "%s/queue/max_sectors_kb", disk);
	host.max_sectors_kb = read_long(q);
}

/* A scratch directory on a disk-backed file system: $TMPDIR, /var/tmp, /tmp. */
static void make_dir(void)
{
	const char *cands[] = { getenv("TMPDIR"), "/var/tmp", "/tmp" };
	struct statfs sf;

	for (int pass = 0; pass < 2 && !host.dir[0]; pass++)
		for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
			bool disk;

			if (!cands[i] || statfs(cands[i], &sf))
				continue;
			disk = sf.f_type != TMPFS_MAGIC_ && sf.f_type != RAMFS_MAGIC_;
			if (!disk && pass == 0)
				continue;	/* a RAM file system only if nothing else */
			snprintf(host.dir, sizeof(host.dir), "%s/kmm-bench-filemap-XXXXXX", cands[i]);
			if (!mkdtemp(host.dir)) {
				host.dir[0] = 0;
				continue;
			}
			snprintf(host.fstype, sizeof(host.fstype), "%s", fs_name((long)sf.f_type));
			host.disk_backed = disk;
			break;
		}
	if (!host.dir[0])
		die("mkdtemp", errno);
	find_device(host.dir);
}

/* A host file of size bytes of pseudo-random data, written and synced. */
static int make_file(const char *name, unsigned long size)
{
	char path[PATH_MAX + 16];
	unsigned long x = 0x9e3779b97f4a7c15ul ^ size;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", host.dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open", errno);
	for (unsigned long off = 0; off < size; off += MIB) {
		for (size_t i = 0; i < MIB / 8; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			((unsigned long *)buf)[i] = x;
		}
		if (pwrite(fd, buf, MIB, (off_t)off) != (ssize_t)MIB)
			die("pwrite", errno);
	}
	if (fsync(fd))
		die("fsync", errno);
	return fd;
}

/* Reads the whole host file (into the host's page cache). */
static void host_read_all(int fd, unsigned long size)
{
	for (unsigned long off = 0; off < size; off += MIB)
		if (pread(fd, buf, MIB, (off_t)off) != (ssize_t)MIB)
			die("pread", errno);
}

static void cleanup(void)
{
	char path[PATH_MAX + 16];

	if (!host.dir[0])
		return;
	if (host.cached_fd >= 0)
		close(host.cached_fd);
	if (host.cold_fd >= 0)
		close(host.cold_fd);
	snprintf(path, sizeof(path), "%s/cached", host.dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cold", host.dir);
	unlink(path);
	rmdir(host.dir);
	host.dir[0] = 0;
}

/* The device's completed read requests and sectors (its stat file). */
static bool device_reads(double *ios, double *sectors)
{
	char path[PATH_MAX + 8];
	unsigned long v[3];
	FILE *f;
	bool ok;

	if (!host.sysfs[0])
		return false;
	snprintf(path, sizeof(path), "%s/stat", host.sysfs);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fscanf(f, "%lu %lu %lu", &v[0], &v[1], &v[2]) == 3;
	fclose(f);
	*ios = (double)v[0];
	*sectors = (double)v[2];
	return ok;
}

/* The pages of the host file still in the host's page cache (mincore). */
static long host_resident(int fd, unsigned long size)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	unsigned char *vec = malloc(size / PG);
	long n = 0;

	if (p == MAP_FAILED || !vec || mincore(p, size, vec))
		n = -1;
	for (unsigned long i = 0; n >= 0 && i < size / PG; i++)
		n += vec[i] & 1;
	free(vec);
	if (p != MAP_FAILED)
		munmap(p, size);
	return n;
}

/* ---- kmm ---------------------------------------------------------------- */

static void kmm_touch_page(unsigned long addr)
{
	struct kmm_siginfo si;
	phys_addr_t phys;

	if (user_access(task, addr, 0, &phys, &si))
		die("user_access", (long)addr);
	sink += phys;
}

__attribute__((noinline)) static double kmm_pread(size_t chunk, long ops)
{
	unsigned long nr = opt.cached_size / chunk;
	double t0 = now_ns();

	for (long i = 0; i < ops; i++)
		if (ksys_pread64(task, kmm_cached_fd, buf, chunk,
				 (long long)((unsigned long)i % nr * chunk)) != (long)chunk)
			die("ksys_pread64", i);
	return ops / ((now_ns() - t0) / 1e9);
}

__attribute__((noinline)) static double kmm_touch(void)
{
	struct file *f = fget_raw(task->files, kmm_cached_fd);
	unsigned long size = opt.cached_size, faults = 0, pages = 0;
	double t = 0;

	for (int r = 0; r < opt.touch_rounds; r++) {
		long addr = do_mmap_pgoff(task->mm, f, 0, size, PROT_READ, MAP_SHARED, 0);
		unsigned long flt = task->min_flt + task->maj_flt;
		double t0;

		if (addr < 0)
			die("do_mmap_pgoff", addr);
		t0 = now_ns();
		for (unsigned long a = (unsigned long)addr; a < (unsigned long)addr + size; a += PG)
			kmm_touch_page(a);
		t += now_ns() - t0;
		faults += task->min_flt + task->maj_flt - flt;
		pages += size / PG;
		do_munmap(task->mm, (unsigned long)addr, size);
	}
	touch_ppf[0] = (double)pages / (double)faults;
	touch_pps[0][touch_runs[0]++] = pages / (t / 1e9);
	return faults / (t / 1e9);
}

/* Drops the cold file's pages from kmm's cache (clean, unmapped: as
 * drop_caches would), then reads it whole in chunk-sized preads. */
__attribute__((noinline)) static void kmm_cold(size_t chunk, struct cold_run *c)
{
	struct file *f = fget_raw(task->files, kmm_cold_fd);
	struct hw_disk *d = &kmm_cur()->hw->disk;
	unsigned long ios = d->rd.ios, sectors = d->rd.sectors;
	unsigned long long sim;
	double t0;

	truncate_inode_pages_range(&f->f_inode->i_data, 0, ~0ul);
	if (f->f_inode->i_data.nrpages)
		die("dropping kmm's cache", (long)f->f_inode->i_data.nrpages);
	/* The host file warm on the host: kmm's wall time is its own. */
	host_read_all(host.cold_fd, opt.cold_size);
	sim = hw_clock_ns(kmm_cur());
	t0 = now_ns();
	for (unsigned long off = 0; off < opt.cold_size; off += chunk)
		if (ksys_pread64(task, kmm_cold_fd, buf, chunk, (long long)off) != (long)chunk)
			die("ksys_pread64 (cold)", (long)off);
	c->wall_ns = now_ns() - t0;
	c->sim_ns = (double)(hw_clock_ns(kmm_cur()) - sim);
	c->ios = (double)(d->rd.ios - ios);
	c->sectors = (double)(d->rd.sectors - sectors);
}

/*
 * The simulated RAM is a memfd the host backs lazily: the first write to
 * a frame costs the host a page fault, which is not kmm's work (as in
 * bench_access).  Touch every frame once before measuring.
 */
static void warm_ram(void)
{
	struct kmm *k = kmm_current();
	struct page *head = NULL, *page;
	unsigned long n = 0;

	while ((page = __alloc_pages(k, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, 0))) {
		*(struct page **)page_address(page) = head;
		head = page;
		n++;
	}
	while (head) {
		page = head;
		head = *(struct page **)page_address(page);
		___free_pages(k, page, 0);
	}
	drain_all_pages(NULL);
	printf("# warmed %lu frames of simulated RAM\n", n);
}

/* ---- host --------------------------------------------------------------- */

static double host_pread(size_t chunk, long ops)
{
	unsigned long nr = opt.cached_size / chunk;
	double t0 = now_ns();

	for (long i = 0; i < ops; i++)
		if (pread(host.cached_fd, buf, chunk, (off_t)((unsigned long)i % nr * chunk)) !=
		    (ssize_t)chunk)
			die("pread", errno);
	return ops / ((now_ns() - t0) / 1e9);
}

static long thread_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static double host_touch(void)
{
	unsigned long size = opt.cached_size, faults = 0, pages = 0;
	double t = 0;

	for (int r = 0; r < opt.touch_rounds; r++) {
		char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, host.cached_fd, 0);
		long flt;
		double t0;

		if (p == MAP_FAILED)
			die("mmap", errno);
		flt = thread_minflt();
		t0 = now_ns();
		for (unsigned long i = 0; i < size; i += PG)
			sink += ((volatile char *)p)[i];
		t += now_ns() - t0;
		faults += (unsigned long)(thread_minflt() - flt);
		pages += size / PG;
		munmap(p, size);
	}
	touch_ppf[1] = (double)pages / (double)faults;
	touch_pps[1][touch_runs[1]++] = pages / (t / 1e9);
	return faults / (t / 1e9);
}

/* The host's cold read: its cache of the file dropped (clean pages go). */
static void host_cold(size_t chunk, struct cold_run *c)
{
	double ios0, sec0, ios1, sec1;
	bool have;
	double t0;

	if (posix_fadvise(host.cold_fd, 0, 0, POSIX_FADV_DONTNEED))
		die("posix_fadvise", errno);
	host_left_cached = host_resident(host.cold_fd, opt.cold_size);
	have = device_reads(&ios0, &sec0);
	t0 = now_ns();
	for (unsigned long off = 0; off < opt.cold_size; off += chunk)
		if (pread(host.cold_fd, buf, chunk, (off_t)off) != (ssize_t)chunk)
			die("pread (cold)", errno);
	c->wall_ns = now_ns() - t0;
	have = have && device_reads(&ios1, &sec1);
	c->ios = have ? ios1 - ios0 : -1;
	c->sectors = have ? sec1 - sec0 : -1;
	c->sim_ns = 0;
}

/* ---- the rounds --------------------------------------------------------- */

/* bench_peer_rounds' run: variant 0 kmm, 1 the host. */
static double run_row(void *arg, int row, int v)
{
	(void)arg;
	switch (row) {
	case R_PREAD4K:
		return v ? host_pread(PG, opt.ops4k) : kmm_pread(PG, opt.ops4k);
	case R_PREAD1M:
		return v ? host_pread(MIB, opt.ops1m) : kmm_pread(MIB, opt.ops1m);
	default:
		return v ? host_touch() : kmm_touch();
	}
}

static void *bench(void *arg)
{
	struct kmm_config cfg = { .mem = opt.mem, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	int err;

	(void)arg;
	if (strlen(host.dir) >= sizeof(cfg.fs))
		die("fs= (directory name too long)", (long)strlen(host.dir));
	memcpy(cfg.fs, host.dir, strlen(host.dir) + 1);
	if (host.read_ahead_kb > 0)
		cfg.read_ahead_kb = (unsigned long)host.read_ahead_kb;	/* the same device */
	if (!kmm_boot(&cfg))
		die("kmm_boot", 0);
	warm_ram();
	task = kernel_spawn("cat", &err);
	if (!task)
		die("kernel_spawn", err);
	kmm_cached_fd = (int)ksys_open(task, "/cached", O_RDONLY, 0);
	kmm_cold_fd = (int)ksys_open(task, "/cold", O_RDONLY, 0);
	if (kmm_cached_fd < 0 || kmm_cold_fd < 0)
		die("ksys_open", kmm_cached_fd < 0 ? kmm_cached_fd : kmm_cold_fd);
	/* Both caches hold the whole cached file before any timing. */
	for (unsigned long off = 0; off < opt.cached_size; off += MIB)
		if (ksys_pread64(task, kmm_cached_fd, buf, MIB, (long long)off) != (long)MIB)
			die("ksys_pread64 (warm)", (long)off);
	host_read_all(host.cached_fd, opt.cached_size);

	if (bench_peer_rounds(opt.reps, NR_ROWS, 2, run_row, NULL, &result[0][0], &spread[0][0]))
		die("bench_peer_rounds", 0);
	/* The cold reads, kmm and the host taking turns to go first. */
	for (int rep = 0; rep < opt.reps; rep++)
		for (int c = 0; c < NR_COLD; c++)
			for (int i = 0; i < 2; i++) {
				int v = (i + rep) % 2;

				if (v)
					host_cold(cold_chunk[c], &cold_runs[c][1][rep]);
				else
					kmm_cold(cold_chunk[c], &cold_runs[c][0][rep]);
			}
	ksys_close(task, kmm_cached_fd);
	ksys_close(task, kmm_cold_fd);
	do_exit(task);
	kmm_shutdown(NULL);
	return NULL;
}

/* ---- printing ----------------------------------------------------------- */

/* The median (and spread) of one field of a cold row's runs. */
static double cold_median(int c, int v, size_t field, double *sprd)
{
	double x[MAX_REPS];

	for (int r = 0; r < opt.reps; r++)
		x[r] = *(const double *)((const char *)&cold_runs[c][v][r] + field);
	return median_spread(x, opt.reps, sprd);
}

static double pages_per_s[2], pages_spread[2];

static void print_cached(void)
{
	for (int v = 0; v < 2; v++)
		pages_per_s[v] = median_spread(touch_pps[v], touch_runs[v], &pages_spread[v]);
	printf("\n%-11s %-6s | %14s %6s | %14s %6s | %s\n", "row", "unit", "kmm /s", "spread",
	       "host /s", "spread", "kmm/host");
	for (int row = 0; row < NR_ROWS; row++)
		printf("%-11s %-6s | %14.0f %5.0f%% | %14.0f %5.0f%% | %7.3fx\n", row_name[row],
		       row_unit[row], result[row][0], 100 * spread[row][0], result[row][1],
		       100 * spread[row][1], result[row][0] / result[row][1]);
	printf("%-11s %-6s | %14.0f %5.0f%% | %14.0f %5.0f%% | %7.3fx\n", "mmap_touch", "pages",
	       pages_per_s[0], 100 * pages_spread[0], pages_per_s[1], 100 * pages_spread[1],
	       pages_per_s[0] / pages_per_s[1]);
	for (int row = 0; row < NR_ROWS; row++)
		if (row_chunk[row])
			printf("# %s: kmm %.2f GB/s, host %.2f GB/s\n", row_name[row],
			       result[row][0] * (double)row_chunk[row] / 1e9,
			       result[row][1] * (double)row_chunk[row] / 1e9);
	printf("# mmap_touch: %.1f pages touched per fault in kmm (fault-around), %.1f on the"
	       " host\n", touch_ppf[0], touch_ppf[1]);
}

static void print_cold(void)
{
	double ideal = host.read_ahead_kb > 0 ? (double)opt.cold_size / ((double)host.read_ahead_kb * 1024)
					      : -1;

	printf("\n# cold sequential read of %lu MiB (kmm: its disk's requests and simulated time;"
	       " host: %s's counters, device-wide)\n", opt.cold_size / MIB,
	       host.devname[0] ? host.devname : "no device");
	printf("%-8s | %8s %8s %9s %9s | %8s %8s %9s %6s | %8s | %s\n", "row", "kmm reqs",
	       "avg KiB", "sim MB/s", "wall MB/s", "host req", "avg KiB", "MB/s", "spread",
	       "ideal", "kmm/ideal reqs");
	for (int c = 0; c < NR_COLD; c++) {
		double s, hs, ios = cold_median(c, 0, offsetof(struct cold_run, ios), &s);
		double sec = cold_median(c, 0, offsetof(struct cold_run, sectors), &s);
		double sim = cold_median(c, 0, offsetof(struct cold_run, sim_ns), &s);
		double wall = cold_median(c, 0, offsetof(struct cold_run, wall_ns), &s);
		double hios = cold_median(c, 1, offsetof(struct cold_run, ios), &hs);
		double hsec = cold_median(c, 1, offsetof(struct cold_run, sectors), &hs);
		double hwall = cold_median(c, 1, offsetof(struct cold_run, wall_ns), &hs);
		double mb = (double)opt.cold_size / 1e6;

		printf("%-8s | %8.0f %8.1f %9.0f %9.0f | ", cold_name[c], ios,
		       sec / 2 / ios, mb / (sim / 1e9), mb / (wall / 1e9));
		if (hios >= 0)
			printf("%8.0f %8.1f ", hios, hios ? hsec / 2 / hios : 0);
		else
			printf("%8s %8s ", "n/a", "n/a");
		printf("%9.0f %5.0f%% | ", mb / (hwall / 1e9), 100 * hs);
		if (ideal > 0)
			printf("%8.0f | %.0fx\n", ideal, ios / ideal);
		else
			printf("%8s | n/a\n", "n/a");
	}
	if (host.read_ahead_kb > 0)
		printf("# ideal: file size / read_ahead_kb (%ld KiB, %s/queue); the device's"
		       " max_sectors_kb is %ld\n", host.read_ahead_kb,
		       host.devname, host.max_sectors_kb);
	else
		printf("# ideal: n/a, no read_ahead_kb found for the file system's device\n");
	printf("# host cache dropped with POSIX_FADV_DONTNEED: %ld of %lu pages were left\n",
	       host_left_cached, opt.cold_size / PG);
}

static void print_summary(void)
{
	double p4 = result[R_PREAD4K][0] / result[R_PREAD4K][1];
	double p1 = result[R_PREAD1M][0] / result[R_PREAD1M][1];
	double tr = result[R_TOUCH][0], th = tr / result[R_TOUCH][1];
	int met = (p4 >= 0.5) + (p1 >= 0.5) + (tr >= 1e6) + (th >= 1);

	printf("\n# targets: cached pread >= 0.5x host, mmap_touch >= 1000000 faults/s and"
	       " >= host\n");
	printf("# pread_4k %.3fx: %s\n", p4, p4 >= 0.5 ? "met" : "missed");
	printf("# pread_1m %.3fx: %s\n", p1, p1 >= 0.5 ? "met" : "missed");
	printf("# mmap_touch %.0f faults/s: %s\n", tr, tr >= 1e6 ? "met" : "missed");
	printf("# mmap_touch %.3fx host: %s\n", th, th >= 1 ? "met" : "missed");
	printf("# targets met: %d of 4\n", met);
	printf("pread_4k_vs_host=%.3f\npread_1m_vs_host=%.3f\n", p4, p1);
	printf("mmap_touch_faults_per_s=%.0f\nmmap_touch_vs_host=%.3f\n", tr, th);
	printf("mmap_touch_pages_vs_host=%.3f\n", pages_per_s[0] / pages_per_s[1]);
	for (int c = 0; c < NR_COLD; c++) {
		double s, ios = cold_median(c, 0, offsetof(struct cold_run, ios), &s);
		double sec = cold_median(c, 0, offsetof(struct cold_run, sectors), &s);

		printf("%s_requests_kmm=%.0f\n%s_avg_kib_kmm=%.1f\n", cold_name[c], ios,
		       cold_name[c], sec / 2 / ios);
	}
}

int main(int argc, char **argv)
{
	char model[128];
	double scale = 1;
	bool quick = false;

	for (int i = 1; i < argc; i++)
		quick |= !strcmp(argv[i], "--quick");
	if (bench_simple_options(argc, argv, "bench_filemap", MAX_REPS, 1.0 / 10, &opt.reps, &scale))
		return 2;
	if (quick) {
		opt.cached_size = 8 * MIB;
		opt.cold_size = 16 * MIB;
		opt.mem = 128 * MIB;
	}
	opt.ops4k = (long)(opt.ops4k * scale);
	opt.ops1m = (long)(opt.ops1m * scale);
	opt.touch_rounds = (int)(opt.touch_rounds * scale + 0.5);
	if (opt.ops4k < 100 || opt.ops1m < 10)
		opt.ops4k = 100, opt.ops1m = 10;
	if (opt.touch_rounds < 1)
		opt.touch_rounds = 1;
	buf = aligned_alloc(PG, MIB);
	if (!buf)
		die("aligned_alloc", 0);
	make_dir();
	host.cached_fd = make_file("cached", opt.cached_size);
	host.cold_fd = make_file("cold", opt.cold_size);

	cpu_model(model, sizeof(model));
	printf("# bench_filemap: the page cache (pread, mmap faults, cold reads), and the host's\n");
	printf("# host: %s; reps %d, median (spread = (max - min) / median)\n", model, opt.reps);
	printf("# host files in %s (%s%s, device %s, read_ahead_kb %ld, max_sectors_kb %ld)\n",
	       host.dir, host.fstype, host.disk_backed ? "" : ": NOT disk-backed",
	       host.devname[0] ? host.devname : "unknown", host.read_ahead_kb, host.max_sectors_kb);
	printf("# cached file %lu MiB, cold file %lu MiB; kmm: %lu MiB machine, fs=%s\n",
	       opt.cached_size / MIB, opt.cold_size / MIB, opt.mem / MIB, host.dir);
	printf("# pread: %ld x 4 KiB, %ld x 1 MiB per run; mmap_touch: %d rounds of %lu pages\n",
	       opt.ops4k, opt.ops1m, opt.touch_rounds, opt.cached_size / PG);
	run_on_kmm_thread(bench, NULL);
	print_cached();
	print_cold();
	print_summary();
	cleanup();
	free(buf);
	return 0;
}
