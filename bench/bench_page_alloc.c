/*
 * bench/bench_page_alloc.c - million alloc+free pairs per second of kmm's
 * page allocator (orders 0, 3 and 9) beside the 4 KiB malloc/free of
 * mimalloc, jemalloc, tcmalloc and glibc, measured in the same run, single
 * thread and on all cores.
 *
 * Every allocator runs the same loop shape (see pair_loop, batch_loop):
 * "pair" allocates one block, writes one byte of it and frees it; "batch"
 * allocates BATCH blocks (writing one byte of each) and frees them last
 * in, first out.  Each figure is the median of --reps timed runs after a
 * warm-up; with N threads each thread runs its own loop and the figure is
 * the total pairs over the time from the first start to the last finish.
 *
 * The peers are loaded with dlopen(RTLD_LOCAL) (bench/peers.c) so that
 * none of them replaces the process's malloc; the header prints, for each
 * column, the file that dladdr() says holds the function it called.  A
 * peer that was not found at configure time (HAVE_MIMALLOC, ...) or fails
 * to load is printed as n/a.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include "peers.h"

#define BATCH		64	/* blocks held at once by the batch loop */
#define MAX_REPS	15
#define PEER_SIZE	4096	/* bytes: the peers' counterpart of order 0 */

enum kind { KIND_KMM, KIND_MALLOC, KIND_MALLOCX, NR_KINDS };
enum mode { MODE_PAIR, MODE_BATCH, NR_MODES };

/* One row of the table: an allocator and a block size. */
struct allocator {
	const char *name;		/* "kmm", "mimalloc", ... */
	enum kind kind;
	unsigned int order;		/* KIND_KMM: alloc_pages order */
	size_t size;			/* the others: bytes per block */
	malloc_fn malloc;		/* KIND_MALLOC, copied from the peer */
	free_fn free;
	mallocx_fn mallocx;		/* KIND_MALLOCX (jemalloc) */
	dallocx_fn dallocx;
	enum peer_id peer;		/* the others: which peer */
	const char *missing;		/* why the row is n/a; empty if it runs */
	bool skipped;			/* not selected by --only */
	long iters[NR_MODES];		/* per thread and run, set on 1 thread */
	double mpairs[2][NR_MODES];	/* [1 thread, all threads] median */
	double spread[2][NR_MODES];	/* (max - min) / median of the runs */
};

static struct {
	int reps;
	long iters;			/* 0: calibrate to target_ms per run */
	double target_ms;
	int nr_threads;			/* the "all cores" thread count */
	const char *only;		/* run only these rows: "kmm0,tcmalloc" */
	unsigned int modes;		/* bit per enum mode to run */
	int cpus[CPU_SETSIZE];		/* host CPUs we may run on */
	int nr_cpus;
} opt = { .reps = 7, .target_ms = 100, .modes = (1u << NR_MODES) - 1 };

/* ------------------------------------------------------------------ */
/* The loops: one shape, inlined once per kind of allocator           */
/* ------------------------------------------------------------------ */

static void __attribute__((noreturn)) out_of_memory(const struct allocator *a)
{
	fprintf(stderr, "bench_page_alloc: %s returned NULL\n", a->name);
	exit(1);
}

static inline __attribute__((always_inline))
void *blk_alloc(const struct allocator *a, enum kind kind)
{
	if (kind == KIND_KMM)
		return alloc_pages(GFP_KERNEL, a->order);
	if (kind == KIND_MALLOCX)
		return a->mallocx(a->size, 0);
	return a->malloc(a->size);
}

static inline __attribute__((always_inline))
void blk_free(const struct allocator *a, enum kind kind, void *blk)
{
	if (kind == KIND_KMM)
		__free_pages(blk, a->order);
	else if (kind == KIND_MALLOCX)
		a->dallocx(blk, 0);
	else
		a->free(blk);
}

/* Writes one byte of the block, so that no allocator can skip work. */
static inline __attribute__((always_inline))
void blk_touch(enum kind kind, void *blk, long i)
{
	char *p = kind == KIND_KMM ? page_address(blk) : blk;

	*(volatile char *)p = (char)i;
}

/* Returns the number of pairs done. */
static inline __attribute__((always_inline))
long pair_loop(const struct allocator *ap, enum kind kind, long n)
{
	const struct allocator a = *ap;	/* fields stay in registers */
	long i;

	for (i = 0; i < n; i++) {
		void *blk = blk_alloc(&a, kind);

		if (unlikely(!blk))
			out_of_memory(ap);
		blk_touch(kind, blk, i);
		blk_free(&a, kind, blk);
	}
	return n;
}

static inline __attribute__((always_inline))
long batch_loop(const struct allocator *ap, enum kind kind, long n)
{
	const struct allocator a = *ap;
	void *blk[BATCH];
	long done;
	int j;

	for (done = 0; done < n; done += BATCH) {
		for (j = 0; j < BATCH; j++) {
			blk[j] = blk_alloc(&a, kind);
			if (unlikely(!blk[j]))
				out_of_memory(ap);
			blk_touch(kind, blk[j], j);
		}
		for (j = BATCH - 1; j >= 0; j--)
			blk_free(&a, kind, blk[j]);
	}
	return done;
}

typedef long (*loop_fn)(const struct allocator *a, long n);

#define DEFINE_LOOPS(suffix, kind)						\
static long __attribute__((noinline))						\
pair_##suffix(const struct allocator *a, long n)				\
{										\
	return pair_loop(a, kind, n);						\
}										\
static long __attribute__((noinline))						\
batch_##suffix(const struct allocator *a, long n)				\
{										\
	return batch_loop(a, kind, n);						\
}
DEFINE_LOOPS(kmm, KIND_KMM)
DEFINE_LOOPS(malloc, KIND_MALLOC)
DEFINE_LOOPS(mallocx, KIND_MALLOCX)

static const loop_fn loops[NR_KINDS][NR_MODES] = {
	[KIND_KMM]	= { pair_kmm, batch_kmm },
	[KIND_MALLOC]	= { pair_malloc, batch_malloc },
	[KIND_MALLOCX]	= { pair_mallocx, batch_mallocx },
};

/* ------------------------------------------------------------------ */
/* Timed runs on 1..N threads                                         */
/* ------------------------------------------------------------------ */

struct job {
	struct allocator *a;
	enum mode mode;
	int nr_threads;
	long iters;
	pthread_barrier_t start;
	double t0[MAX_REPS], t1[MAX_REPS];	/* earliest start, latest end */
	pthread_mutex_t lock;
};

struct worker {
	struct job *job;
	int idx;
	pthread_t tid;
};

/* Threads of a multi-thread run get a CPU each; a lone one goes where it likes. */
static void pin_to(int idx, int nr_threads)
{
	cpu_set_t set;

	if (!opt.nr_cpus || nr_threads == 1)
		return;
	CPU_ZERO(&set);
	CPU_SET(opt.cpus[idx % opt.nr_cpus], &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);	/* best effort */
}

/* Finds an iteration count that makes one run last about target_ms. */
static long calibrate(const struct allocator *a, loop_fn loop)
{
	long n = BATCH;
	double t;

	for (;;) {
		t = now_ns();
		loop(a, n);
		t = now_ns() - t;
		if (t >= opt.target_ms * 1e6 / 8 || n > (1l << 40))
			break;
		n *= t < opt.target_ms * 1e6 / 200 ? 16 : 4;
	}
	n = (long)(n * (opt.target_ms * 1e6 / t));
	return n < BATCH ? BATCH : n;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *job = w->job;
	loop_fn loop = loops[job->a->kind][job->mode];
	double t0, t1;
	int r;

	pin_to(w->idx, job->nr_threads);
	/* Warm up: first touch of every block, pcp lists filled, caches warm. */
	if (!job->iters)
		job->iters = calibrate(job->a, loop);	/* only when alone */
	loop(job->a, job->iters / 4 + BATCH);
	for (r = 0; r < opt.reps; r++) {
		pthread_barrier_wait(&job->start);
		t0 = now_ns();
		loop(job->a, job->iters);
		t1 = now_ns();
		pthread_mutex_lock(&job->lock);
		if (!job->t0[r] || t0 < job->t0[r])
			job->t0[r] = t0;
		if (t1 > job->t1[r])
			job->t1[r] = t1;
		pthread_mutex_unlock(&job->lock);
	}
	return NULL;
}

/* What one loop(a, iters) does: batch_loop rounds up to whole batches. */
static long pairs_per_run(enum mode mode, long iters)
{
	if (mode == MODE_BATCH)
		return (iters + BATCH - 1) / BATCH * BATCH;
	return iters;
}

/* Runs the row's loop on nr_threads threads; fills mpairs and spread. */
static void measure(struct allocator *a, enum mode mode, int nr_threads)
{
	struct job job = { .a = a, .mode = mode, .nr_threads = nr_threads };
	struct worker w[CPU_SETSIZE];
	double rate[MAX_REPS];
	int i, r, slot = nr_threads > 1;

	job.iters = slot ? a->iters[mode] : opt.iters;
	pthread_barrier_init(&job.start, NULL, (unsigned int)nr_threads);
	pthread_mutex_init(&job.lock, NULL);
	for (i = 0; i < nr_threads; i++) {
		w[i] = (struct worker){ .job = &job, .idx = i };
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i])) {
			perror("pthread_create");
			exit(1);
		}
	}
	for (i = 0; i < nr_threads; i++)
		pthread_join(w[i].tid, NULL);
	pthread_barrier_destroy(&job.start);
	pthread_mutex_destroy(&job.lock);
	if (!slot)
		a->iters[mode] = job.iters;
	for (r = 0; r < opt.reps; r++)
		rate[r] = (double)pairs_per_run(mode, job.iters) * nr_threads /
			  (job.t1[r] - job.t0[r]) * 1e3;
	a->mpairs[slot][mode] = median_spread(rate, opt.reps, &a->spread[slot][mode]);
}

/* ------------------------------------------------------------------ */
/* The rows and where their code comes from                           */
/* ------------------------------------------------------------------ */

static struct allocator rows[] = {
	{ .name = "kmm", .kind = KIND_KMM, .order = 0, .missing = "" },
	{ .name = "kmm", .kind = KIND_KMM, .order = 3, .missing = "" },
	{ .name = "kmm", .kind = KIND_KMM, .order = 9, .missing = "" },
	{ .name = "mimalloc", .kind = KIND_MALLOC, .size = PEER_SIZE, .peer = PEER_MIMALLOC },
	/* jemalloc's fast path is malloc/free; mallocx takes the generic one. */
	{ .name = "jemalloc", .kind = KIND_MALLOC, .size = PEER_SIZE, .peer = PEER_JEMALLOC },
	{ .name = "jemallocx", .kind = KIND_MALLOCX, .size = PEER_SIZE, .peer = PEER_JEMALLOCX },
	{ .name = "tcmalloc", .kind = KIND_MALLOC, .size = PEER_SIZE, .peer = PEER_TCMALLOC },
	{ .name = "glibc", .kind = KIND_MALLOC, .size = PEER_SIZE, .peer = PEER_GLIBC },
};
#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))

/* --only takes row names ("kmm" is all three orders) or kmm0, kmm3, kmm9. */
static bool selected(const struct allocator *a)
{
	char key[32], list[256], *tok, *save;

	if (!opt.only)
		return true;
	snprintf(key, sizeof(key), "%s%u", a->name, a->order);
	snprintf(list, sizeof(list), "%s", opt.only);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, a->name) || (a->kind == KIND_KMM && !strcmp(tok, key)))
			return true;
	return false;
}

/* Takes each peer row's entry points (peers_load has run) and --only. */
static void bind_rows(void)
{
	struct allocator *a;

	for (a = rows; a < rows + NR_ROWS; a++) {
		a->skipped = !selected(a);
		if (a->kind == KIND_KMM)
			continue;
		a->malloc = peers[a->peer].malloc;
		a->free = peers[a->peer].free;
		a->mallocx = peers[a->peer].mallocx;
		a->dallocx = peers[a->peer].dallocx;
		a->missing = peers[a->peer].missing;
		peers[a->peer].skipped = a->skipped;
	}
}

/* A row's block size: "order 3" for kmm, "4 KiB" for the peers. */
static const char *block_name(const struct allocator *a, char *buf, size_t len)
{
	if (a->kind == KIND_KMM)
		snprintf(buf, len, "order %u", a->order);
	else
		snprintf(buf, len, "%zu KiB", a->size >> 10);
	return buf;
}

/* ------------------------------------------------------------------ */
/* The machine and the report                                         */
/* ------------------------------------------------------------------ */

/*
 * The pcp sizing of the zone GFP_KERNEL pages come from (DMA32 when all
 * RAM is below 4 GiB), from /proc/zoneinfo of the machine.
 */
static void pcp_sizing(char *out, size_t len)
{
	static char buf[1 << 16];
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	char title[32], *zone, *high, *batch;

	if (!page)
		return;
	snprintf(title, sizeof(title), "zone %8s\n", page_zone(page)->name);
	__free_pages(page, 0);
	if (kmm_proc_read("/proc/zoneinfo", buf, sizeof(buf)) < 0)
		return;
	zone = strstr(buf, title);
	high = zone ? strstr(zone, "high:") : NULL;
	batch = zone ? strstr(zone, "batch:") : NULL;
	if (high && batch)
		snprintf(out, len, "kmm pcp of zone %s (cpu 0): high %ld pages, batch %ld pages",
			 page_zone(page)->name, strtol(high + 5, NULL, 10),
			 strtol(batch + 6, NULL, 10));
}

static const struct allocator *best_peer(int slot, enum mode mode)
{
	const struct allocator *best = NULL;
	size_t i;

	for (i = 0; i < NR_ROWS; i++) {
		const struct allocator *a = &rows[i];

		if (a->kind != KIND_KMM && a->mpairs[slot][mode] > 0 &&
		    (!best || a->mpairs[slot][mode] > best->mpairs[slot][mode]))
			best = a;
	}
	return best;
}

static void print_cell(const struct allocator *a, int slot, enum mode mode)
{
	double m = a->mpairs[slot][mode];

	if (a->missing[0])
		printf(" %9s %7s %5s", "n/a", "", "");
	else if (!m)
		printf(" %9s %7s %5s", "-", "", "");
	else
		printf(" %9.2f %7.1f %4.0f%%", m, 1e3 / m * (slot ? opt.nr_threads : 1),
		       a->spread[slot][mode] * 100);
}

static void print_ratio(const struct allocator *a, int slot, enum mode mode)
{
	const struct allocator *best = best_peer(slot, mode);

	if (a->kind != KIND_KMM)
		printf(" %-15s", "");
	else if (!a->mpairs[slot][mode])
		printf(" %-15s", a->missing[0] ? "n/a" : "-");
	else if (!best)
		printf(" %-15s", "n/a (no peer)");
	else
		printf(" %5.2fx %-8s", a->mpairs[slot][mode] / best->mpairs[slot][mode],
		       best->name);
}

static void print_table(void)
{
	int slot, nr_slots = opt.nr_threads > 1 ? 2 : 1;
	size_t i;

	printf("\n%-9s %-8s %3s | %9s %7s %5s | %9s %7s %5s | %-15s %-15s\n",
	       "allocator", "block", "thr", "pair Mp/s", "ns/pair", "sprd",
	       "batch Mp/s", "ns/pair", "sprd", "kmm/best pair", "kmm/best batch");
	for (slot = 0; slot < nr_slots; slot++) {
		for (i = 0; i < NR_ROWS; i++) {
			const struct allocator *a = &rows[i];
			char block[24];

			if (a->skipped)
				continue;
			printf("%-9s %-8s %3d |", a->name,
			       block_name(a, block, sizeof(block)),
			       slot ? opt.nr_threads : 1);
			print_cell(a, slot, MODE_PAIR);
			printf(" |");
			print_cell(a, slot, MODE_BATCH);
			printf(" |");
			print_ratio(a, slot, MODE_PAIR);
			print_ratio(a, slot, MODE_BATCH);
			printf("\n");
		}
	}
}

static void print_summary(void)
{
	const struct allocator *best = best_peer(0, MODE_PAIR);
	const struct allocator *kmm0 = &rows[0];

	if (best && kmm0->mpairs[0][MODE_PAIR] > 0)
		printf("order0_vs_best_peer_single=%.2f\n",
		       kmm0->mpairs[0][MODE_PAIR] / best->mpairs[0][MODE_PAIR]);
	else
		printf("order0_vs_best_peer_single=n/a\n");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_page_alloc [--quick] [--iters N] [--reps R] [--threads T]\n"
		"                        [--only NAMES] [--mode pair|batch]\n"
		"  --quick      short runs (CI smoke test): 3 reps of ~5 ms\n"
		"  --iters N    pairs per thread per timed run (default: ~%g ms worth)\n"
		"  --reps R     timed runs per figure, median reported (default %d, max %d)\n"
		"  --threads T  thread count of the all-cores rows (default: CPUs we may\n"
		"               run on; 1: single thread only)\n"
		"  --only NAMES run only these rows, e.g. \"kmm0,tcmalloc\" (kmm: all orders)\n"
		"  --mode M     run only the pair or the batch loop\n",
		opt.target_ms, opt.reps, MAX_REPS);
}

static void parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--quick")) {
			opt.target_ms = 5;
			opt.reps = 3;
		} else if (!strcmp(arg, "--iters") && val) {
			opt.iters = atol(val), i++;
		} else if (!strcmp(arg, "--reps") && val) {
			opt.reps = atoi(val), i++;
		} else if (!strcmp(arg, "--threads") && val) {
			opt.nr_threads = atoi(val), i++;
		} else if (!strcmp(arg, "--only") && val) {
			opt.only = val, i++;
		} else if (!strcmp(arg, "--mode") && val) {
			opt.modes = !strcmp(val, "pair") ? 1u << MODE_PAIR :
				    !strcmp(val, "batch") ? 1u << MODE_BATCH : 0;
			i++;
		} else {
			usage(strcmp(arg, "--help") ? stderr : stdout);
			exit(strcmp(arg, "--help") ? 2 : 0);
		}
	}
	if (opt.reps < 1 || opt.reps > MAX_REPS || opt.iters < 0 || !opt.modes ||
	    opt.nr_threads < 0 || opt.nr_threads > CPU_SETSIZE) {
		usage(stderr);
		exit(2);
	}
}

static void find_cpus(void)
{
	opt.nr_cpus = bench_usable_cpus(opt.cpus);
	if (!opt.nr_threads)
		opt.nr_threads = opt.nr_cpus ? opt.nr_cpus : 1;
}

struct kmm_state {
	struct kmm *k;
	unsigned long free_before, free_after;
	char pcp[160];			/* pcp sizing, for the header */
};

/* Big enough for every thread to hold BATCH order-9 blocks, 2 GiB at least. */
static void *kmm_setup(void *arg)
{
	struct kmm_state *st = arg;
	struct kmm_config cfg = { 0 };
	unsigned long per_thread = (unsigned long)BATCH << (PAGE_SHIFT + 9);

	cfg.mem = 1ul << 30;
	cfg.mem += (unsigned long)opt.nr_threads * per_thread * 2;
	if (cfg.mem < 2ul << 30)
		cfg.mem = 2ul << 30;
	cfg.cpus = (unsigned int)opt.nr_threads;
	st->k = kmm_boot(&cfg);
	if (!st->k)
		return NULL;
	pcp_sizing(st->pcp, sizeof(st->pcp));
	drain_all_pages(NULL);
	st->free_before = nr_free_pages();
	return NULL;
}

/* Every page back in the buddy lists: as many free as before the run? */
static void *kmm_check(void *arg)
{
	struct kmm_state *st = arg;

	drain_all_pages(NULL);
	st->free_after = nr_free_pages();
	kmm_shutdown(NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	struct kmm_state st = { 0 };
	struct kmm_entry kmm = { "kmm", "alloc_pages", (const void *)alloc_pages };
	char model[128];
	size_t i;
	int slot, mode;

	parse_args(argc, argv);
	find_cpus();
	peers_load(argv);
	bind_rows();
	run_on_kmm_thread(kmm_setup, &st);
	if (!st.k) {
		fprintf(stderr, "bench_page_alloc: kmm_boot failed\n");
		return 1;
	}
	cpu_model(model, sizeof(model));
	printf("# bench_page_alloc: million alloc+free pairs per second (Mp/s)\n");
	printf("# host: %s, %ld CPUs online, %d usable; threads: 1%s%.0d\n",
	       model, sysconf(_SC_NPROCESSORS_ONLN), opt.nr_cpus,
	       opt.nr_threads > 1 ? " and " : "",
	       opt.nr_threads > 1 ? opt.nr_threads : 0);
	printf("# kmm machine: %lu MiB, %d simulated CPUs; reps %d, median; %s\n",
	       st.free_before >> (20 - PAGE_SHIFT), opt.nr_threads, opt.reps,
	       opt.iters ? "fixed --iters" : "iterations calibrated per row");
	if (st.pcp[0])
		printf("# %s\n", st.pcp);
	peers_print_reexec();
	print_provenance(&kmm, !rows[0].skipped);
	fflush(stdout);

	for (slot = 0; slot < (opt.nr_threads > 1 ? 2 : 1); slot++)
		for (i = 0; i < NR_ROWS; i++)
			for (mode = 0; mode < NR_MODES; mode++)
				if (!rows[i].missing[0] && !rows[i].skipped &&
				    opt.modes & 1u << mode)
					measure(&rows[i], (enum mode)mode,
						slot ? opt.nr_threads : 1);

	run_on_kmm_thread(kmm_check, &st);
	print_table();
	printf("# iterations per timed run and thread:");
	for (i = 0; i < NR_ROWS; i++) {
		char block[24];

		if (!rows[i].missing[0] && !rows[i].skipped)
			printf(" %s/%s=%ld/%ld", rows[i].name,
			       block_name(&rows[i], block, sizeof(block)),
			       rows[i].iters[MODE_PAIR], rows[i].iters[MODE_BATCH]);
	}
	printf("\n# kmm free pages before %lu, after %lu: %s\n", st.free_before,
	       st.free_after, st.free_before == st.free_after ? "ok" : "LEAK");
	print_summary();
	return st.free_before == st.free_after ? 0 : 1;
}
