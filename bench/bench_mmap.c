/*
 * bench/bench_mmap.c - the VMA layer's hot paths in an address space that
 * already holds 1,000, 10,000 or 60,000 VMAs, beside the host kernel doing
 * the same calls in the same run.
 *
 * Two operations, each timed per pair so that every run leaves the space
 * as it found it:
 *   mmap+munmap   mmap(NULL, 4 KiB, RW, private anonymous), then munmap:
 *                 a top-down gap search, an insertion and a removal.
 *   mprotect      split a random 3-page VMA by making its middle page
 *                 PROT_NONE, then merge it back with PROT_READ: two
 *                 splits, a flags change and two merges.
 * The populated spaces are the same on both sides: N VMAs of 3 pages,
 * PROT_READ, one page apart (so they never merge), inside one reserved
 * range.  The host side runs in this process, whose own few dozen
 * mappings come on top; the host's max_map_count (65530) bounds N.
 * kmm's side is do_mmap/do_munmap/do_mprotect on an mm_struct.
 * Each figure is the median of --reps runs, the variants alternating.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <kmm/kmm.h>
#include "mm/mmap.h"
#include "peers.h"

#define MAX_REPS	15
#define VMA_PAGES	3
#define STRIDE		((VMA_PAGES + 1) * 4096ul)
#define KBASE		0x100000000ul	/* where kmm's populated range starts */

enum variant { V_KMM, V_HOST, NR_VARIANTS };
enum op { OP_MMAP, OP_MPROTECT, NR_OPS };

static const char *const op_name[NR_OPS] = { "mmap+munmap", "mprotect split+merge" };
static const char *const op_key[NR_OPS] = { "mmap_munmap", "mprotect_split" };

static const unsigned long sizes[] = { 1000, 10000, 60000 };
#define NR_SIZES	(sizeof(sizes) / sizeof(sizes[0]))

static struct {
	int reps;
	long ops;
} opt = { 7, 200000 };

static double result[NR_SIZES][NR_OPS][NR_VARIANTS];
static double spread[NR_SIZES][NR_OPS][NR_VARIANTS];

static unsigned long rnd_state = 88172645463325252ull;
static unsigned long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void die(const char *what, long err)
{
	fprintf(stderr, "bench_mmap: %s failed: %ld\n", what, err);
	exit(1);
}

/* One timed run of op on whichever side; returns ns per pair. */
static double run_host(enum op op, char *base, unsigned long n)
{
	double t0 = now_ns();

	for (long i = 0; i < opt.ops; i++) {
		if (op == OP_MMAP) {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED || munmap(p, 4096))
				die("host mmap/munmap", -1);
		} else {
			char *mid = base + (rnd() % n) * STRIDE + 4096;

			if (mprotect(mid, 4096, PROT_NONE) || mprotect(mid, 4096, PROT_READ))
				die("host mprotect", -1);
		}
	}
	return (now_ns() - t0) / (double)opt.ops;
}

static double run_kmm(enum op op, struct mm_struct *mm, unsigned long n)
{
	double t0 = now_ns();

	for (long i = 0; i < opt.ops; i++) {
		if (op == OP_MMAP) {
			long p = do_mmap(mm, 0, 4096, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS);

			if (p < 0 || do_munmap(mm, (unsigned long)p, 4096))
				die("do_mmap/do_munmap", p);
		} else {
			unsigned long mid = KBASE + (rnd() % n) * STRIDE + 4096;

			if (do_mprotect(mm, mid, 4096, PROT_NONE) ||
			    do_mprotect(mm, mid, 4096, PROT_READ))
				die("do_mprotect", -1);
		}
	}
	return (now_ns() - t0) / (double)opt.ops;
}

struct size_arg {
	unsigned long n;
	int si;
	struct mm_struct *mm;		/* kmm's space and the host's range, N VMAs each */
	char *base;
};

/* bench_peer_rounds' run: one op, kmm or the host. */
static double run_op(void *arg, int op, int v)
{
	struct size_arg *sa = arg;

	return v == V_KMM ? run_kmm(op, sa->mm, sa->n) : run_host(op, sa->base, sa->n);
}

static void *bench_size(void *a)
{
	struct size_arg *sa = a;
	unsigned long n = sa->n;
	struct mm_struct *mm = mm_alloc();
	char *base;

	/* The host range: reserve, then carve N separate VMAs in it. */
	base = mmap(NULL, n * STRIDE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED || !mm)
		die("setup", 0);
	if (munmap(base, n * STRIDE))
		die("host munmap of the reservation", -1);
	for (unsigned long i = 0; i < n; i++) {
		long k;

		if (mmap(base + i * STRIDE, VMA_PAGES * 4096, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED)
			die("host populate", (long)i);
		k = do_mmap(mm, KBASE + i * STRIDE, VMA_PAGES * 4096, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
		if (k < 0)
			die("kmm populate", k);
	}
	/* Rep by rep, every op, kmm and the host taking turns to go first. */
	sa->mm = mm;
	sa->base = base;
	if (bench_peer_rounds(opt.reps, NR_OPS, NR_VARIANTS, run_op, sa, &result[sa->si][0][0],
			      &spread[sa->si][0][0]))
		die("bench_peer_rounds", 0);
	if (mm->map_count != (int)n)
		die("kmm map_count after the runs", mm->map_count);
	munmap(base, n * STRIDE);
	mmput(mm);
	return NULL;
}

static void *boot(void *arg)
{
	(void)arg;
	if (!kmm_boot(&(struct kmm_config){ .mem = 256ul << 20, .cpus = 1, .quiet = 1 }))
		die("kmm_boot", 0);
	return NULL;
}

int main(int argc, char **argv)
{
	char model[128];

	double scale = 1;

	/* The options of the other benchmarks: --quick, --reps R, --scale F. */
	if (bench_simple_options(argc, argv, "bench_mmap", MAX_REPS, 1.0 / 40, &opt.reps, &scale))
		return 2;
	opt.ops = (long)(opt.ops * scale);
	if (opt.ops < 1) {
		fprintf(stderr, "bench_mmap: --scale too small\n");
		return 2;
	}
	cpu_model(model, sizeof(model));
	printf("# bench_mmap: ns per pair of calls in an address space of N VMAs\n");
	printf("# host: %s; kernel calls vs kmm's do_mmap/do_munmap/do_mprotect\n", model);
	printf("# reps %d, median (spread = (max - min) / median), pairs per run %ld\n",
	       opt.reps, opt.ops);
	run_on_kmm_thread(boot, NULL);
	for (unsigned int si = 0; si < NR_SIZES; si++) {
		struct size_arg sa = { .n = sizes[si], .si = (int)si };

		run_on_kmm_thread(bench_size, &sa);
	}
	printf("\n%-22s %6s | %9s %6s | %9s %6s | %s\n", "operation", "VMAs",
	       "kmm ns", "spread", "host ns", "spread", "host/kmm");
	for (int op = 0; op < NR_OPS; op++)
		for (unsigned int si = 0; si < NR_SIZES; si++)
			printf("%-22s %6lu | %9.0f %5.0f%% | %9.0f %5.0f%% | %7.2fx\n",
			       op_name[op], sizes[si], result[si][op][V_KMM],
			       100 * spread[si][op][V_KMM], result[si][op][V_HOST],
			       100 * spread[si][op][V_HOST],
			       result[si][op][V_HOST] / result[si][op][V_KMM]);
	printf("\n# host/kmm above 1: kmm is faster\n");
	for (int op = 0; op < NR_OPS; op++)
		for (unsigned int si = 0; si < NR_SIZES; si++)
			printf("%s_%lu_vs_host=%.2f\n", op_key[op], sizes[si],
			       result[si][op][V_HOST] / result[si][op][V_KMM]);
	return 0;
}
