/*
 * bench/bench_reclaim.c - page reclaim throughput (mm/vmscan.c over the
 * LRU lists of mm/swap.c): clean page cache taken back by kswapd while a
 * file larger than RAM streams through, beside the same stream on a
 * machine that needs no reclaim, measured in the same run.
 *
 *   file_stream  a sparse file 4x the RAM of a machine of R (256 MiB;
 *                --quick 64 MiB) read in 1 MiB preads: host wall time,
 *                pages reclaimed (pgsteal_kswapd + pgsteal_direct) and
 *                scanned.  Its peer, file_stream_fits, is the same stream
 *                on a machine of 5R, which holds the whole file (it must
 *                reclaim nothing).  The reclaim cost per page is the
 *                difference of the two times over the pages reclaimed;
 *                its inverse, pages reclaimed per host second, has the
 *                issue's target: at least 1,000,000 for clean file pages.
 *                file_stream_4k: the same two machines booted
 *                large_folios=off (every folio one page).
 *   kswapd_pass  machines of 1, 4 and 16 GiB (--quick: 256 MiB, 1 GiB),
 *                RAM filled with clean page cache (a sparse file read
 *                until kswapd first runs), then another 1x RAM streamed,
 *                rep after rep: host ns per kswapd pass, pages it
 *                reclaimed, ns per page.  The issue: the cost grows
 *                linearly with RAM or better, i.e. ns per page at the
 *                largest size over the smallest is about 1 or less.
 *
 * A busy host (other processes on the same CPUs) adds more to a stream's
 * time than reclaim does, so the two machines of file_stream are booted
 * side by side and read by turns, a chunk of R / 16 on one and the same
 * chunk on the other (which goes first alternates): each chunk of the
 * reclaiming machine's steady state gives (its time - the peer's) / the
 * pages reclaimed in it, and the rep's figure is the median chunk's.  The
 * difference of the whole streams is printed too, and the thread's CPU
 * time beside the wall time.
 *
 * How a pass is timed: kswapd runs inside wakeup_kswapd (an allocation
 * that may sleep runs kswapd's pass before it continues, docs/reclaim.md),
 * so the program is linked with -Wl,--wrap=wakeup_kswapd: the allocator's
 * call lands in __wrap_wakeup_kswapd below, which times the real one and
 * keeps the calls that made a pass (PAGEOUTRUN moved).  Per rep the
 * median pass is reported (a pass the host interrupted is an outlier),
 * and the mean, all passes' time over their number and pages.
 *
 * The host files are sparse (ftruncate) in a fresh directory on tmpfs
 * (/dev/shm) mounted as the machine's root (fs=): a read of a hole copies
 * the host's zero page, so the host neither does I/O nor grows its own
 * page cache under a 16 GiB machine.  Without a tmpfs, the machine's
 * scratch root is used and the header says so.  Every frame of the
 * file_stream machines is touched once before the clock starts (the
 * memfd's first-touch faults are the host's work, not kmm's).  A 16 GiB
 * machine is skipped, with the reason, when the host has less than 20 GiB
 * MemAvailable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <kmm/kmm.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "mm/machine.h"
#include "peers.h"

#define MAX_REPS	15
#define PG		4096ul
#define MIB		(1ul << 20)
#define GIB		(1ul << 30)
#define TMPFS_MAGIC_	0x01021994
#define TARGET_PAGES_S	1e6
#define MAX_SIZES	3
#define BIG_MEM		(16 * GIB)	/* needs BIG_MEM_AVAIL of the host's */
#define BIG_MEM_AVAIL	(20 * GIB)

static struct {
	int reps;
	unsigned long stream_mem;	/* file_stream's R */
	unsigned long pass_mem[MAX_SIZES];
	int nr_sizes;
	char dir[PATH_MAX];		/* the host directory, "" for a scratch root */
} opt = { 7, 256 * MIB, { 1 * GIB, 4 * GIB, 16 * GIB }, 3, "" };

static unsigned char *buf;		/* every pread's destination */

/* The host directory and the files the machines made in it. */
static void cleanup(void)
{
	static const char *const files[] = { "stream", "fits", "fill" };
	char path[PATH_MAX + 16];

	if (!opt.dir[0])
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", opt.dir, files[i]);
		unlink(path);
	}
	rmdir(opt.dir);
	opt.dir[0] = 0;
}

static void die(const char *what, long err)
{
	fprintf(stderr, "bench_reclaim: %s failed: %ld\n", what, err);
	cleanup();
	exit(1);
}

/* ---- timing kswapd's passes --------------------------------------------- */

/* One call of wakeup_kswapd that made a pass. */
struct pass_sample {
	double ns;			/* host wall time of the call */
	double stolen;			/* pgsteal_kswapd in it */
	double scanned;			/* pgscan_kswapd in it */
};

/* What the passes made while one stream was being read. */
struct pass_acc {
	double ns;			/* the samples' time, added up */
	unsigned long calls;		/* wakeup_kswapd calls, passes or not */
	unsigned long passes;		/* PAGEOUTRUN */
	unsigned long stolen;
	unsigned long scanned;
	struct pass_sample *v;		/* one a call that made passes */
	unsigned int nr, max;
};

static struct pass_acc *acc;		/* NULL: not counting */

void __real_wakeup_kswapd(struct kmm *k, struct zone *zone, gfp_t gfp, int order,
			  enum zone_type highest_zoneidx);
void __wrap_wakeup_kswapd(struct kmm *k, struct zone *zone, gfp_t gfp, int order,
			  enum zone_type highest_zoneidx);

void __wrap_wakeup_kswapd(struct kmm *k, struct zone *zone, gfp_t gfp, int order,
			  enum zone_type highest_zoneidx)
{
	unsigned long runs, stolen, scanned;
	struct pass_sample x;
	double t0;

	if (!acc) {
		__real_wakeup_kswapd(k, zone, gfp, order, highest_zoneidx);
		return;
	}
	acc->calls++;
	runs = sum_vm_event(k, PAGEOUTRUN);
	stolen = sum_vm_event(k, PGSTEAL_KSWAPD);
	scanned = sum_vm_event(k, PGSCAN_KSWAPD);
	t0 = now_ns();
	__real_wakeup_kswapd(k, zone, gfp, order, highest_zoneidx);
	x.ns = now_ns() - t0;
	if (sum_vm_event(k, PAGEOUTRUN) == runs)
		return;
	x.stolen = (double)(sum_vm_event(k, PGSTEAL_KSWAPD) - stolen);
	x.scanned = (double)(sum_vm_event(k, PGSCAN_KSWAPD) - scanned);
	acc->ns += x.ns;
	acc->passes += sum_vm_event(k, PAGEOUTRUN) - runs;
	acc->stolen += (unsigned long)x.stolen;
	acc->scanned += (unsigned long)x.scanned;
	if (acc->nr < acc->max)
		acc->v[acc->nr++] = x;
}

static void pass_acc_init(struct pass_acc *pa)
{
	memset(pa, 0, sizeof(*pa));
	pa->max = 1u << 16;
	pa->v = malloc(pa->max * sizeof(*pa->v));
	if (!pa->v)
		die("malloc", 0);
}

enum { S_NS, S_STOLEN, S_SCANNED, S_NS_PER_PAGE };

/*
 * The median over the passes of one figure: a pass the host interrupted
 * (another process ran) is an outlier the median leaves out, where the
 * sum would not.
 */
static double pass_median(const struct pass_acc *pa, int what)
{
	double *x = malloc((pa->nr + 1) * sizeof(*x)), m, s;
	unsigned int n = 0;

	if (!x)
		die("malloc", 0);
	for (unsigned int i = 0; i < pa->nr; i++) {
		const struct pass_sample *p = &pa->v[i];

		if (what == S_NS)
			x[n++] = p->ns;
		else if (what == S_STOLEN)
			x[n++] = p->stolen;
		else if (what == S_SCANNED)
			x[n++] = p->scanned;
		else if (p->stolen > 0)
			x[n++] = p->ns / p->stolen;
	}
	m = n ? median_spread(x, (int)n, &s) : 0;
	free(x);
	return m;
}

/* The calling thread's CPU time: what the host's other processes do not add to. */
static double thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- machines and files -------------------------------------------------- */

/* A fresh directory on tmpfs for the host files, if there is a tmpfs. */
static void make_dir(void)
{
	struct statfs sf;

	if (statfs("/dev/shm", &sf) || sf.f_type != TMPFS_MAGIC_)
		return;
	snprintf(opt.dir, sizeof(opt.dir), "/dev/shm/kmm-bench-reclaim-XXXXXX");
	if (!mkdtemp(opt.dir))
		opt.dir[0] = 0;
}

static void warm_ram(void);

/* A machine of mem bytes with a task to read files; order0: boot
 * large_folios=off; warm: its frames touched. */
static struct task_struct *boot(unsigned long mem, bool order0, bool warm)
{
	struct kmm_config cfg = { .mem = mem, .cpus = 1, .quiet = 1, .norandmaps = 1,
				  .no_large_folios = order0 };
	struct task_struct *t;
	int err;

	if (strlen(opt.dir) >= sizeof(cfg.fs))
		die("fs= (directory name too long)", (long)strlen(opt.dir));
	memcpy(cfg.fs, opt.dir, strlen(opt.dir) + 1);
	if (!kmm_boot(&cfg))
		die("kmm_boot", (long)(mem / MIB));
	if (warm)
		warm_ram();
	t = kernel_spawn("cat", &err);
	if (!t)
		die("kernel_spawn", err);
	return t;
}

/* Every frame touched once (the memfd's first-touch faults are the host's). */
static void warm_ram(void)
{
	struct kmm *k = kmm_current();
	struct page *head = NULL, *page;

	while ((page = __alloc_pages(k, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
				     __GFP_NORETRY, 0))) {
		*(struct page **)page_address(page) = head;
		head = page;
	}
	while (head) {
		page = head;
		head = *(struct page **)page_address(page);
		___free_pages(k, page, 0);
	}
	drain_all_pages(NULL);
}

/* A sparse file of size bytes on the machine's root; its fd. */
static int sparse_file(struct task_struct *t, const char *path, unsigned long size)
{
	int fd = (int)ksys_open(t, path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	long err;

	if (fd < 0)
		die("ksys_open", fd);
	err = ksys_ftruncate(t, fd, (long long)size);
	if (err)
		die("ksys_ftruncate", err);
	return fd;
}

static void read_range(struct task_struct *t, int fd, unsigned long from, unsigned long to)
{
	for (unsigned long off = from; off < to; off += MIB)
		if (ksys_pread64(t, fd, buf, MIB, (long long)off) != (long)MIB)
			die("ksys_pread64", (long)(off / MIB));
}

/*
 * The timed reads, one function each so that a profiler can collect one
 * of them alone (valgrind --toggle-collect=stream_reclaim, docs/PERFORMANCE.md):
 * out of line, and not folded into an identical twin (GCC's ipa-icf).
 */
#ifdef __clang__
#define STREAM_FN __attribute__((noinline))
#else
#define STREAM_FN __attribute__((noipa))
#endif

STREAM_FN static void stream_reclaim(struct task_struct *t, int fd,
						 unsigned long from, unsigned long to)
{
	read_range(t, fd, from, to);
}

STREAM_FN static void stream_fits(struct task_struct *t, int fd,
					      unsigned long from, unsigned long to)
{
	read_range(t, fd, from, to);
}

STREAM_FN static void stream_pass(struct task_struct *t, int fd,
						  unsigned long from, unsigned long to)
{
	read_range(t, fd, from, to);
}

static unsigned long event(enum vm_event_item item)
{
	return global_vm_event(item);
}

/* ---- file_stream ---------------------------------------------------------- */

/* The machines: large folios (as kmm boots) or order-0 only; R or 5R of RAM. */
enum { F_LARGE, F_4K, NR_FOLIOS };
enum { V_RECLAIM, V_FITS, NR_VARIANTS };
static const char *const row_name[NR_FOLIOS][NR_VARIANTS] = {
	{ "file_stream", "file_stream_fits" },
	{ "file_stream_4k", "file_stream_4k_fits" },
};

/* One machine's whole stream in one rep. */
struct stream_run {
	double ns, cpu_ns;		/* host wall and thread CPU time */
	double stolen, scanned, direct;	/* pgsteal (kswapd + direct), pgscan, pgsteal_direct */
	double passes;
	double pass_ns;			/* the passes' wall time, added up */
	double pass_ns_per_page;	/* the median pass's */
};

static struct stream_run stream_runs[NR_FOLIOS][NR_VARIANTS][MAX_REPS];
/* The median chunk's reclaim cost per page of each rep, wall and CPU. */
static double chunk_cost[NR_FOLIOS][MAX_REPS], chunk_cpu_cost[NR_FOLIOS][MAX_REPS];
static unsigned long drop_left;		/* pages a drop left cached, at most */

/* One of the two machines of a stream pair. */
struct side {
	struct kmm *k;
	struct task_struct *t;
	int fd;
	struct pass_acc pa;
	struct stream_run *run;
};

/* The time and reclaim of one chunk read on one machine. */
struct chunk {
	double ns, cpu_ns, stolen;
};

static struct chunk read_chunk(struct side *sd, int v, unsigned long from, unsigned long to)
{
	unsigned long s0, sc0, d0;
	struct chunk c;
	double t0, c0;

	kmm_switch(sd->k);
	s0 = event(PGSTEAL_KSWAPD) + event(PGSTEAL_DIRECT);
	sc0 = event(PGSCAN_KSWAPD) + event(PGSCAN_DIRECT);
	d0 = event(PGSTEAL_DIRECT);
	acc = &sd->pa;
	c0 = thread_cpu_ns();
	t0 = now_ns();
	if (v == V_FITS)
		stream_fits(sd->t, sd->fd, from, to);
	else
		stream_reclaim(sd->t, sd->fd, from, to);
	c.ns = now_ns() - t0;
	c.cpu_ns = thread_cpu_ns() - c0;
	acc = NULL;
	c.stolen = (double)(event(PGSTEAL_KSWAPD) + event(PGSTEAL_DIRECT) - s0);
	sd->run->ns += c.ns;
	sd->run->cpu_ns += c.cpu_ns;
	sd->run->stolen += c.stolen;
	sd->run->scanned += (double)(event(PGSCAN_KSWAPD) + event(PGSCAN_DIRECT) - sc0);
	sd->run->direct += (double)(event(PGSTEAL_DIRECT) - d0);
	return c;
}

/* Empties the machine's cache of the file (POSIX_FADV_DONTNEED). */
static void drop_file(struct side *sd, unsigned long size)
{
	struct cachestat cs;

	kmm_switch(sd->k);
	ksys_fadvise64_64(sd->t, sd->fd, 0, 0, POSIX_FADV_DONTNEED);
	ksys_cachestat(sd->t, sd->fd, 0, size, &cs, 0);
	if (cs.nr_cache > drop_left)
		drop_left = cs.nr_cache;
}

/*
 * One rep of a stream pair: the file read chunk by chunk (R / 16), each
 * chunk on one machine and then on the other (which goes first
 * alternates), so that both see the host in the same state.  A chunk of
 * the reclaiming machine's steady state (past its first R) costs
 * (its time - the peer's time of the same chunk) / the pages reclaimed
 * in it; the rep's figure is the median chunk's.
 */
static void stream_rep(struct side *sd, int f, int r, double *d, double *dc)
{
	unsigned long size = 4 * opt.stream_mem, step = opt.stream_mem / 16;
	unsigned long nr = size / step, first = opt.stream_mem / step + 1;
	double sprd;
	int n = 0;

	for (int v = 0; v < NR_VARIANTS; v++) {
		sd[v].run = &stream_runs[f][v][r];
		drop_file(&sd[v], size);
		pass_acc_init(&sd[v].pa);
	}
	for (unsigned long i = 0; i < nr; i++) {
		struct chunk c[NR_VARIANTS];

		for (int w = 0; w < NR_VARIANTS; w++) {
			int v = (int)((w + i + (unsigned long)r) % NR_VARIANTS);

			c[v] = read_chunk(&sd[v], v, i * step, (i + 1) * step);
		}
		if (i >= first && c[V_RECLAIM].stolen > 0) {
			d[n] = (c[V_RECLAIM].ns - c[V_FITS].ns) / c[V_RECLAIM].stolen;
			dc[n++] = (c[V_RECLAIM].cpu_ns - c[V_FITS].cpu_ns) / c[V_RECLAIM].stolen;
		}
	}
	chunk_cost[f][r] = n ? median_spread(d, n, &sprd) : 0;
	chunk_cpu_cost[f][r] = n ? median_spread(dc, n, &sprd) : 0;
	for (int v = 0; v < NR_VARIANTS; v++) {
		sd[v].run->passes = (double)sd[v].pa.passes;
		sd[v].run->pass_ns = sd[v].pa.ns;
		sd[v].run->pass_ns_per_page = pass_median(&sd[v].pa, S_NS_PER_PAGE);
		free(sd[v].pa.v);
	}
}

/* Both machines of one folio kind, booted side by side, through every rep. */
static void *stream_pair(void *arg)
{
	int f = (int)(long)arg;
	unsigned long size = 4 * opt.stream_mem;
	struct side sd[NR_VARIANTS];
	double *d = malloc(64 * sizeof(*d)), *dc = malloc(64 * sizeof(*dc));

	if (!d || !dc)
		die("malloc", 0);
	for (int v = 0; v < NR_VARIANTS; v++) {
		sd[v].t = boot(v == V_FITS ? 5 * opt.stream_mem : opt.stream_mem, f == F_4K, true);
		sd[v].k = kmm_current();
		sd[v].fd = sparse_file(sd[v].t, v == V_FITS ? "/fits" : "/stream", size);
	}
	for (int r = 0; r < opt.reps; r++)
		stream_rep(sd, f, r, d, dc);
	for (int v = 0; v < NR_VARIANTS; v++) {
		kmm_switch(sd[v].k);
		ksys_close(sd[v].t, sd[v].fd);
		do_exit(sd[v].t);
		kmm_shutdown(sd[v].k);
	}
	free(d);
	free(dc);
	return NULL;
}

static double stream_median(int f, int v, size_t field, double *sprd)
{
	double x[MAX_REPS], s;

	for (int r = 0; r < opt.reps; r++)
		x[r] = *(const double *)((const char *)&stream_runs[f][v][r] + field);
	return median_spread(x, opt.reps, sprd ? sprd : &s);
}

#define STREAM(f, v, field, sprd) stream_median(f, v, offsetof(struct stream_run, field), sprd)

static void print_stream_row(int f, int v)
{
	double sprd, csprd, ns = STREAM(f, v, ns, &sprd), cpu = STREAM(f, v, cpu_ns, &csprd);

	printf("%-19s %6luM | %8.1f %5.0f%% | %8.1f %5.0f%% | %9.0f %9.0f %6.0f | %6.0f %8.1f\n",
	       row_name[f][v], (v == V_FITS ? 5 : 1) * opt.stream_mem / MIB, ns / 1e6, 100 * sprd,
	       cpu / 1e6, 100 * csprd, STREAM(f, v, stolen, NULL), STREAM(f, v, scanned, NULL),
	       STREAM(f, v, direct, NULL), STREAM(f, v, passes, NULL),
	       STREAM(f, v, pass_ns, NULL) / 1e6);
}

/* The whole streams' difference over the pages reclaimed, median over reps. */
static double whole_stream_cost(int f, double *sprd)
{
	double d[MAX_REPS];

	for (int r = 0; r < opt.reps; r++)
		d[r] = (stream_runs[f][V_RECLAIM][r].ns - stream_runs[f][V_FITS][r].ns) /
		       stream_runs[f][V_RECLAIM][r].stolen;
	return median_spread(d, opt.reps, sprd);
}

static double pages_per_s[NR_FOLIOS];

static void print_stream_cost(int f)
{
	const char *name = row_name[f][V_RECLAIM];
	double sprd, csprd, wsprd;
	double cost = median_spread(chunk_cost[f], opt.reps, &sprd);
	double cpu_cost = median_spread(chunk_cpu_cost[f], opt.reps, &csprd);
	double whole = whole_stream_cost(f, &wsprd);
	double kcost = STREAM(f, V_RECLAIM, pass_ns_per_page, NULL);
	double ratio = STREAM(f, V_RECLAIM, ns, NULL) / STREAM(f, V_FITS, ns, NULL);

	pages_per_s[f] = cost > 0 ? 1e9 / cost : 0;
	if (STREAM(f, V_FITS, stolen, NULL))
		printf("# WARNING: %s reclaimed: it does not hold the file\n", row_name[f][V_FITS]);
	printf("# %s: %.3fx the time of %s; reclaim cost per page, median chunk: %.0f ns"
	       " (sprd %.0f%%),\n#   %.0f ns of CPU time (sprd %.0f%%); whole streams: %.0f ns"
	       " (sprd %.0f%%); the median kswapd pass: %.0f ns\n", name, ratio,
	       row_name[f][V_FITS], cost, 100 * sprd, cpu_cost, 100 * csprd, whole, 100 * wsprd,
	       kcost);
	printf("%s_vs_fits=%.3f\n", name, ratio);
	printf("%s_reclaim_ns_per_page=%.1f\n", name, cost);
	printf("%s_pages_reclaimed_per_s=%.0f\n", name, pages_per_s[f]);
	printf("%s_reclaim_cpu_ns_per_page=%.1f\n", name, cpu_cost);
	printf("%s_whole_stream_ns_per_page=%.1f\n", name, whole);
	printf("%s_kswapd_pass_ns_per_page=%.1f\n", name, kcost);
}

static void file_stream(void)
{
	printf("\n# file_stream: a sparse %lu MiB file read in 1 MiB preads on a %lu MiB machine"
	       " (reclaim)\n# and on a %lu MiB one that holds it (_fits, the peer), by turns in"
	       " chunks of %lu MiB;\n# _4k: both booted large_folios=off\n",
	       4 * opt.stream_mem / MIB, opt.stream_mem / MIB, 5 * opt.stream_mem / MIB,
	       opt.stream_mem / 16 / MIB);
	for (int f = 0; f < NR_FOLIOS; f++)
		run_on_kmm_thread(stream_pair, (void *)(long)f);
	printf("%-19s %7s | %8s %6s | %8s %6s | %9s %9s %6s | %6s %8s\n", "row", "RAM", "wall ms",
	       "sprd", "cpu ms", "sprd", "reclaimed", "scanned", "direct", "passes", "pass ms");
	for (int f = 0; f < NR_FOLIOS; f++)
		for (int v = 0; v < NR_VARIANTS; v++)
			print_stream_row(f, v);
	if (drop_left)
		printf("# WARNING: POSIX_FADV_DONTNEED left up to %lu pages cached between reps\n",
		       drop_left);
	for (int f = 0; f < NR_FOLIOS; f++)
		print_stream_cost(f);
}

/* ---- kswapd_pass ----------------------------------------------------------- */

struct size_result {
	unsigned long mem;
	bool skipped;
	double passes, calls;		/* per rep */
	double ns_per_pass, pages_per_pass, scanned_per_pass;	/* the median pass's */
	double ns_per_page, sprd;	/* the median pass's, median over reps */
	double mean_ns_per_page;	/* all passes' time over all their pages */
	double mean_ns_per_pass, mean_pages_per_pass;	/* all passes' time, pages / passes */
	double stream_ms, direct;
};

static struct size_result sizes[MAX_SIZES];

static void *pass_size(void *arg)
{
	struct size_result *res = arg;
	unsigned long mem = res->mem, size = (unsigned long)(opt.reps + 2) * mem, off = 0;
	double npp[MAX_REPS], ppp[MAX_REPS], spp[MAX_REPS], nspg[MAX_REPS], mean[MAX_REPS];
	double nr[MAX_REPS], calls[MAX_REPS], ms[MAX_REPS], mnpp[MAX_REPS], mppp[MAX_REPS], s;
	struct task_struct *t = boot(mem, false, false);
	int fd = sparse_file(t, "/fill", size);
	unsigned long d0;
	struct pass_acc pa;

	/* Fill: until kswapd has made its first pass, RAM is clean cache. */
	while (!event(PAGEOUTRUN)) {
		if (off >= size)
			die("filling RAM (no kswapd pass)", (long)(mem / MIB));
		read_range(t, fd, off, off + MIB);
		off += MIB;
	}
	d0 = event(PGSTEAL_DIRECT);
	for (int r = 0; r < opt.reps; r++) {
		double t0;

		pass_acc_init(&pa);
		acc = &pa;
		t0 = now_ns();
		stream_pass(t, fd, off, off + mem);
		ms[r] = (now_ns() - t0) / 1e6;
		acc = NULL;
		off += mem;
		npp[r] = pass_median(&pa, S_NS);
		ppp[r] = pass_median(&pa, S_STOLEN);
		spp[r] = pass_median(&pa, S_SCANNED);
		nspg[r] = pass_median(&pa, S_NS_PER_PAGE);
		mean[r] = pa.stolen ? pa.ns / (double)pa.stolen : 0;
		mnpp[r] = pa.passes ? pa.ns / (double)pa.passes : 0;
		mppp[r] = pa.passes ? (double)pa.stolen / (double)pa.passes : 0;
		nr[r] = (double)pa.passes;
		calls[r] = (double)pa.calls;
		free(pa.v);
	}
	res->direct = (double)(event(PGSTEAL_DIRECT) - d0);
	res->ns_per_pass = median_spread(npp, opt.reps, &s);
	res->pages_per_pass = median_spread(ppp, opt.reps, &s);
	res->scanned_per_pass = median_spread(spp, opt.reps, &s);
	res->mean_ns_per_page = median_spread(mean, opt.reps, &s);
	res->mean_ns_per_pass = median_spread(mnpp, opt.reps, &s);
	res->mean_pages_per_pass = median_spread(mppp, opt.reps, &s);
	res->passes = median_spread(nr, opt.reps, &s);
	res->calls = median_spread(calls, opt.reps, &s);
	res->stream_ms = median_spread(ms, opt.reps, &s);
	res->ns_per_page = median_spread(nspg, opt.reps, &res->sprd);
	ksys_close(t, fd);
	do_exit(t);
	kmm_shutdown(NULL);
	return NULL;
}

/* The host's MemAvailable in bytes (0 if unreadable). */
static unsigned long host_mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static void kswapd_pass(void)
{
	struct size_result *lo = NULL, *hi = NULL;

	printf("\n# kswapd_pass: RAM filled with clean page cache, then 1x RAM more streamed per"
	       " rep.  The median pass's\n# host ns, pages reclaimed (pgsteal_kswapd), pages scanned"
	       " and ns/page; mean: all passes' time\n# and pages over their number, and time over"
	       " pages\n");
	printf("%-11s %6s | %6s %9s %10s %9s | %8s %6s | %9s %10s %8s | %9s %6s\n", "row", "RAM",
	       "passes", "ns/pass", "pages/pass", "scan/pass", "ns/page", "sprd", "mean ns/p",
	       "mean pg/p", "mean ns", "stream ms", "direct");
	for (int i = 0; i < opt.nr_sizes; i++) {
		struct size_result *res = &sizes[i];
		unsigned long avail = host_mem_available();

		res->mem = opt.pass_mem[i];
		if (res->mem >= BIG_MEM && avail < BIG_MEM_AVAIL) {
			res->skipped = true;
			printf("%-11s %5luM | skipped: the host has %.1f GiB MemAvailable, fewer than"
			       " %lu\n", "kswapd_pass", res->mem / MIB, (double)avail / GIB,
			       BIG_MEM_AVAIL / GIB);
			continue;
		}
		run_on_kmm_thread(pass_size, res);
		printf("%-11s %5luM | %6.0f %9.0f %10.1f %9.1f | %8.1f %5.0f%% | %9.0f %10.1f %8.1f |"
		       " %9.1f %6.0f\n", "kswapd_pass", res->mem / MIB, res->passes,
		       res->ns_per_pass, res->pages_per_pass, res->scanned_per_pass, res->ns_per_page,
		       100 * res->sprd, res->mean_ns_per_pass, res->mean_pages_per_pass,
		       res->mean_ns_per_page, res->stream_ms, res->direct);
		if (!lo)
			lo = res;
		hi = res;
	}
	for (int i = 0; i < opt.nr_sizes; i++)
		if (!sizes[i].skipped)
			printf("kswapd_pass_%luM_ns_per_pass=%.0f\nkswapd_pass_%luM_pages_per_pass=%.1f\n"
			       "kswapd_pass_%luM_ns_per_page=%.1f\n", sizes[i].mem / MIB,
			       sizes[i].ns_per_pass, sizes[i].mem / MIB, sizes[i].pages_per_pass,
			       sizes[i].mem / MIB, sizes[i].ns_per_page);
	if (lo && hi && lo != hi)
		printf("# ns/page at %lu MiB over %lu MiB: ~1 is linear in RAM, below 1 better\n"
		       "kswapd_pass_scaling_%luM_vs_%luM=%.3f\n", hi->mem / MIB, lo->mem / MIB,
		       hi->mem / MIB, lo->mem / MIB, hi->ns_per_page / lo->ns_per_page);
}

int main(int argc, char **argv)
{
	double scale = 1;
	bool quick = false;
	char model[128];

	for (int i = 1; i < argc; i++)
		quick |= !strcmp(argv[i], "--quick");
	if (bench_simple_options(argc, argv, "bench_reclaim", MAX_REPS, 1.0 / 4, &opt.reps, &scale))
		return 2;
	/* R: a multiple of 16 MiB, so that its chunks (R / 16) are whole preads. */
	opt.stream_mem = ((unsigned long)((double)opt.stream_mem * scale) + 16 * MIB - 1) &
			 ~(16 * MIB - 1);
	if (opt.stream_mem < 32 * MIB)
		opt.stream_mem = 32 * MIB;
	if (quick) {
		opt.pass_mem[0] = 256 * MIB;
		opt.pass_mem[1] = 1 * GIB;
		opt.nr_sizes = 2;
	}
	buf = aligned_alloc(PG, MIB);
	if (!buf)
		die("aligned_alloc", 0);
	make_dir();
	cpu_model(model, sizeof(model));
	printf("# bench_reclaim: clean page cache reclaimed by kswapd (mm/vmscan.c), beside the"
	       " same stream without reclaim\n");
	printf("# host: %s; reps %d, median (sprd = (max - min) / median)\n", model, opt.reps);
	printf("# host files: sparse, %s%s\n", opt.dir[0] ? "fs=" : "the machine's scratch root",
	       opt.dir[0] ? opt.dir : " (no tmpfs at /dev/shm: holes read from disk)");
	file_stream();
	kswapd_pass();
	printf("\n# target: >= %.0f clean file pages reclaimed per host second\n", TARGET_PAGES_S);
	for (int f = 0; f < NR_FOLIOS; f++)
		printf("# %s %.0f pages/s: %s\n", row_name[f][V_RECLAIM], pages_per_s[f],
		       pages_per_s[f] >= TARGET_PAGES_S ? "met" : "missed");
	cleanup();
	free(buf);
	return 0;
}
