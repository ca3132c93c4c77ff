/*
 * bench/bench_block.c - a file through ext2, the page cache and the block
 * layer (fs/ext2, block/), beside the host's own dd of the same image file.
 *
 * An ext2 image (the host's mke2fs, 4 KiB blocks) on a disk-backed host
 * directory is kmm's disk (boot disk=IMAGE).  Two rows, each repeated:
 *
 *   writeback  a 256 MiB file written in 1 MiB pwrites, then fsync: the
 *              pages go to the image through ext2's block mapping and
 *              the block layer's merged requests;
 *   cold_read  the same file read back in 1 MiB preads after
 *              drop_caches, with the host's copy of the image dropped too
 *              (POSIX_FADV_DONTNEED), so both sides meet the real disk.
 *
 * For each: kmm's disk requests and their average size, its simulated
 * throughput (the disk model's time), and its host wall time per MiB;
 * beside it, `dd` run by the host on the image file itself (the anchor):
 * dd of 256 MiB into a file next to the image with conv=fsync, and dd of
 * the image's first 256 MiB with the host cache dropped.  The target
 * (issue 15): kmm's host time per MiB at most 2x dd's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <kmm/kmm.h>
#include <kmm/fs.h>
#include <kmm/sched.h>
#include "base/machine.h"
#include "hw/disk.h"
#include "peers.h"

extern char **environ;

#define MIB		(1ul << 20)
#define MAX_REPS	9

enum { ROW_WRITEBACK, ROW_COLD_READ, NR_ROWS };
static const char *const row_name[NR_ROWS] = { "writeback", "cold_read" };

struct run {
	double kmm_wall_ns, kmm_sim_ns, dd_wall_ns;
	double reqs, sectors;
};

static struct {
	unsigned long file_size;
	unsigned long image_size;
	int reps;
	char dir[160], image[200], ddfile[200];
} opt = { 256 * MIB, 640 * MIB, 3, "", "", "" };

static struct run runs[NR_ROWS][MAX_REPS];
static char *buf;

static void die(const char *what, long v)
{
	fprintf(stderr, "bench_block: %s failed (%ld)\n", what, v);
	exit(1);
}

/* Runs argv (dd, mke2fs) quietly: its wall time in ns, or -1. */
static double run_host(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	double t0 = now_ns();
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return now_ns() - t0;
}

/* The host forgets its cached copy of path (a cold read meets the disk). */
static void host_drop(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

static void make_image(void)
{
	const char *d = getenv("KMM_BENCH_DIR");
	char size[32];
	char *mkfs[] = { "mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", opt.image, size, NULL };
	int fd;

	snprintf(opt.dir, sizeof(opt.dir), "%s/kmm-bench-block-XXXXXX", d && *d ? d : "/var/tmp");
	if (!mkdtemp(opt.dir))
		die("mkdtemp", errno);
	snprintf(opt.image, sizeof(opt.image), "%s/disk.img", opt.dir);
	snprintf(opt.ddfile, sizeof(opt.ddfile), "%s/dd.out", opt.dir);
	fd = open(opt.image, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)opt.image_size))
		die("the image file", errno);
	close(fd);
	snprintf(size, sizeof(size), "%luk", opt.image_size / 1024);
	if (run_host(mkfs) < 0) {
		printf("# skipped: mke2fs (e2fsprogs) is not installed or failed\n");
		exit(0);
	}
}

/* The kda line's requests and sectors, read and written, from diskstats. */
static void kda_counters(double *rd_ios, double *rd_sec, double *wr_ios, double *wr_sec)
{
	char text[4096], *p;
	unsigned long v[8] = { 0 };

	*rd_ios = *rd_sec = *wr_ios = *wr_sec = 0;
	if (kmm_proc_read("/proc/diskstats", text, sizeof(text)) < 0)
		return;
	p = strstr(text, " kda ");
	if (!p || sscanf(p + 5, "%lu %lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3],
			 &v[4], &v[5], &v[6], &v[7]) != 8)
		return;
	*rd_ios = (double)v[0];
	*rd_sec = (double)v[2];
	*wr_ios = (double)v[4];
	*wr_sec = (double)v[6];
}

static struct task_struct *boot_kmm(void)
{
	struct kmm_config cfg = { .mem = 1024 * MIB, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct task_struct *t;
	struct kstat st = { 0 };
	int err;

	snprintf(cfg.disk, sizeof(cfg.disk), "%s", opt.image);
	if (!kmm_boot(&cfg))
		die("kmm_boot disk=", 0);
	t = kernel_spawn("cat", &err);
	if (!t)
		die("kernel_spawn", err);
	/* The rows mean something only if "/" is ext2 on the image. */
	if (ksys_stat(t, "/", &st) || MAJOR(st.dev) != 254) {
		fprintf(stderr, "bench_block: / is not ext2 on kda (dev %u:%u)\n", MAJOR(st.dev),
			MINOR(st.dev));
		exit(1);
	}
	return t;
}

/* One round of both rows: kmm on the image, then dd on the host. */
static void *round_kmm(void *arg)
{
	int rep = (int)(long)arg, fd;
	struct run *w = &runs[ROW_WRITEBACK][rep], *r = &runs[ROW_COLD_READ][rep];
	double ri0, rs0, wi0, ws0, ri, rs, wi, ws, t0;
	unsigned long long s0;
	struct task_struct *t;

	host_drop(opt.image);
	t = boot_kmm();
	fd = (int)ksys_open(t, "/big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("ksys_open /big on ext2", fd);
	kda_counters(&ri0, &rs0, &wi0, &ws0);
	s0 = hw_clock_ns(kmm_cur());
	t0 = now_ns();
	for (unsigned long off = 0; off < opt.file_size; off += MIB)
		if (ksys_pwrite64(t, fd, buf, MIB, (long long)off) != (long)MIB)
			die("ksys_pwrite64", (long)off);
	if (ksys_fsync(t, fd))
		die("ksys_fsync", 0);
	w->kmm_wall_ns = now_ns() - t0;
	w->kmm_sim_ns = (double)(hw_clock_ns(kmm_cur()) - s0);
	kda_counters(&ri, &rs, &wi, &ws);
	w->reqs = wi - wi0;
	w->sectors = ws - ws0;

	if (kmm_proc_write("/proc/sys/vm/drop_caches", "3"))
		die("drop_caches", 0);
	host_drop(opt.image);
	kda_counters(&ri0, &rs0, &wi0, &ws0);
	s0 = hw_clock_ns(kmm_cur());
	t0 = now_ns();
	for (unsigned long off = 0; off < opt.file_size; off += MIB)
		if (ksys_pread64(t, fd, buf, MIB, (long long)off) != (long)MIB)
			die("ksys_pread64", (long)off);
	r->kmm_wall_ns = now_ns() - t0;
	r->kmm_sim_ns = (double)(hw_clock_ns(kmm_cur()) - s0);
	kda_counters(&ri, &rs, &wi, &ws);
	r->reqs = ri - ri0;
	r->sectors = rs - rs0;
	kmm_shutdown(NULL);
	return NULL;
}

static void round_dd(int rep)
{
	char count[32], of[320], in[320];
	char *ddw[] = { "dd", "if=/dev/zero", of, "bs=1M", count, "conv=fsync", NULL };
	char *ddr[] = { "dd", in, "of=/dev/null", "bs=1M", count, NULL };

	snprintf(count, sizeof(count), "count=%lu", opt.file_size / MIB);
	snprintf(of, sizeof(of), "of=%s", opt.ddfile);
	snprintf(in, sizeof(in), "if=%s", opt.image);
	unlink(opt.ddfile);
	runs[ROW_WRITEBACK][rep].dd_wall_ns = run_host(ddw);
	unlink(opt.ddfile);
	host_drop(opt.image);
	runs[ROW_COLD_READ][rep].dd_wall_ns = run_host(ddr);
}

static double med(int row, size_t off, double *spread)
{
	double v[MAX_REPS];

	for (int i = 0; i < opt.reps; i++)
		v[i] = *(const double *)((const char *)&runs[row][i] + off);
	return median_spread(v, opt.reps, spread);
}

static void print_results(void)
{
	double mib = (double)opt.file_size / MIB;
	int met = 0;

	printf("%-9s | %8s %9s %9s | %9s %6s | %9s %6s | %s\n", "row", "kmm reqs", "avg KiB",
	       "sim MB/s", "kmm ms", "spread", "dd ms", "spread", "kmm/dd time");
	for (int row = 0; row < NR_ROWS; row++) {
		double s, ks, ds;
		double reqs = med(row, offsetof(struct run, reqs), &s);
		double sec = med(row, offsetof(struct run, sectors), &s);
		double sim = med(row, offsetof(struct run, kmm_sim_ns), &s);
		double kw = med(row, offsetof(struct run, kmm_wall_ns), &ks);
		double dw = med(row, offsetof(struct run, dd_wall_ns), &ds);
		double ratio = dw > 0 ? kw / dw : -1;

		printf("%-9s | %8.0f %9.1f %9.0f | %9.1f %5.0f%% | %9.1f %5.0f%% | %.3fx\n",
		       row_name[row], reqs, reqs ? sec / 2 / reqs : 0,
		       (double)opt.file_size / 1e6 / (sim / 1e9), kw / 1e6, 100 * ks, dw / 1e6,
		       100 * ds, ratio);
		met += ratio >= 0 && ratio <= 2;
		printf("%s_requests=%.0f\n%s_kmm_ms_per_mib=%.3f\n%s_dd_ms_per_mib=%.3f\n",
		       row_name[row], reqs, row_name[row], kw / 1e6 / mib, row_name[row],
		       dw / 1e6 / mib);
	}
	printf("# target: kmm's host time per MiB <= 2x dd's: met %d of %d\n", met, NR_ROWS);
}

int main(int argc, char **argv)
{
	double scale = 1;
	char model[128];

	if (bench_simple_options(argc, argv, "bench_block", MAX_REPS, 1.0 / 8, &opt.reps, &scale))
		return 2;
	opt.file_size = (unsigned long)((double)opt.file_size * scale) & ~(MIB - 1);
	if (opt.file_size < 8 * MIB)
		opt.file_size = 8 * MIB;
	opt.image_size = opt.file_size * 2 + 128 * MIB;
	buf = aligned_alloc(4096, MIB);
	if (!buf)
		die("aligned_alloc", 0);
	memset(buf, 0x5a, MIB);
	make_image();
	cpu_model(model, sizeof(model));
	printf("# bench_block: a %lu MiB file through ext2 (4 KiB blocks), the page cache and"
	       " the block layer,\n# beside the host's dd on the same image file (%s)\n",
	       opt.file_size / MIB, opt.image);
	printf("# host: %s; reps %d, median (spread = (max - min) / median)\n", model, opt.reps);
	for (int rep = 0; rep < opt.reps; rep++) {
		run_on_kmm_thread(round_kmm, (void *)(long)rep);
		round_dd(rep);
	}
	print_results();
	unlink(opt.image);
	unlink(opt.ddfile);
	rmdir(opt.dir);
	free(buf);
	return 0;
}
