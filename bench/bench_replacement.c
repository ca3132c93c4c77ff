/*
 * bench/bench_replacement.c - page-replacement quality of kmm's reclaim
 * (the classic two-list LRU with refault detection, mm/vmscan.c and
 * mm/workingset.c) beside Belady's optimal policy and exact LRU on the
 * same reference strings (bench/replacement.h):
 *
 *   loop 0.8C    pages 0..K-1 over and over, K = 0.8 x C: fits
 *   loop 1.2C    the same with K = 1.2 x C: LRU's worst case
 *   scan         a hot set of C/4 pages read at random, interleaved with a
 *                single pass over the rest of the file: 4 hot accesses per
 *                cold page over the first 2C cold pages (the hot set is
 *                the working set), then one per 8 cold pages; use-once
 *                pages must not push the hot set out
 *   zipf S       Zipf-distributed accesses over the whole file, S = 0.8,
 *                1.0, 1.2
 *   shift        uniform accesses over a set A of 0.6 x C pages, then
 *                over another set B of the same size
 *   shift+str    the same with sets of 0.45 x C and a use-once stream
 *                beside them, one new page per 4 accesses: A must be
 *                given up for B while the stream keeps reclaim busy
 *
 * C, the frames the policies get, is measured: the most pages of the file
 * a machine of that size held at once while a single pass over the file
 * streamed through it.  Each string runs on a freshly booted machine; an
 * access is a read of one byte of its page through a MAP_SHARED,
 * PROT_READ mapping with MADV_RANDOM (no read-around), so every miss is
 * one major fault and one one-page disk read.  Nothing here is timed: the
 * figures are fault counts, deterministic for a seed.
 *
 * The run checks what Linux's design promises and exits 1 if one fails:
 * OPT <= kmm on every string, the loop that fits takes only its
 * compulsory faults, the scan leaves the hot set resident, no read-around
 * (every fault read one page), no report and the invariants hold.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "peers.h"
#include "replacement.h"

#define PG	4096ul
#define MIB	(1ul << 20)

enum kind { K_LOOP, K_SCAN, K_ZIPF, K_SHIFT };

/* A string as a fraction of C (or a Zipf exponent) and a count. */
struct spec {
	const char *name;
	enum kind kind;
	double size;			/* loop, shift: pages / C; scan: hot / C; zipf: s */
	unsigned int stream;		/* shift: a use-once page per this many accesses */
};

static const struct spec specs[] = {
	{ "loop 0.8C", K_LOOP, 0.8, 0 },
	{ "loop 1.2C", K_LOOP, 1.2, 0 },
	{ "scan", K_SCAN, 0.25, 0 },
	{ "zipf 0.8", K_ZIPF, 0.8, 0 },
	{ "zipf 1.0", K_ZIPF, 1.0, 0 },
	{ "zipf 1.2", K_ZIPF, 1.2, 0 },
	{ "shift", K_SHIFT, 0.6, 0 },
	{ "shift+str", K_SHIFT, 0.45, 4 },
};
#define NR_SPECS	(sizeof(specs) / sizeof(specs[0]))

static struct {
	unsigned long mem;		/* the machine's RAM */
	unsigned long file_ratio;	/* the file's pages over RAM's */
	unsigned long seed;
	unsigned int passes;		/* of the loops */
	unsigned int zipf_len;		/* Zipf accesses over the file's pages */
	unsigned int shift_per_page;	/* accesses per page of each shift set */
	unsigned int cold_per_hot;	/* scan: cold pages between hot accesses */
	const char *tlb;		/* the machine's TLB geometry (NULL: Skylake's) */
} opt = { 64 * MIB, 4, 1, 10, 4, 10, 8, NULL };

struct row {
	struct refstr r;
	struct replay_result kmm;
	struct repl_count lru, opt, opt_held;
	struct repl_count lru_mean;		/* LRU with kmm's mean held pages */
	unsigned long distinct;
};

static struct row rows[NR_SPECS];
static unsigned long capacity;		/* C */
static int failed;

static void die(const char *what, long err)
{
	fprintf(stderr, "bench_replacement: %s failed: %ld\n", what, err);
	exit(1);
}

struct replay_arg {
	const struct refstr *r;
	struct replay_result *res;
	int err;
};

static void *replay_thread(void *p)
{
	struct replay_arg *a = p;
	struct replay_config cfg = { .mem = opt.mem, .seed = opt.seed, .tlb = opt.tlb };

	a->err = kmm_replay(a->r, &cfg, a->res);
	return NULL;
}

/* kmm_replay on a short-lived thread (peers.h: run_on_kmm_thread). */
static void replay(const struct refstr *r, struct replay_result *res)
{
	struct replay_arg a = { r, res, 0 };

	run_on_kmm_thread(replay_thread, &a);
	if (a.err)
		die(r->name, a.err);
}

static void build(const struct spec *s, unsigned long nr_pages, uint64_t seed, struct refstr *r)
{
	unsigned long k = (unsigned long)(s->size * (double)capacity + 0.5);
	int err = -1;

	switch (s->kind) {
	case K_LOOP:
		err = refstr_loop(r, nr_pages, k, opt.passes);
		break;
	case K_SCAN:
		err = refstr_scan(r, nr_pages, k, 2 * capacity, 4, opt.cold_per_hot, seed);
		break;
	case K_ZIPF:
		err = refstr_zipf(r, nr_pages, s->size, opt.zipf_len * nr_pages, seed);
		break;
	case K_SHIFT:
		err = refstr_shift(r, nr_pages, k, s->stream ? opt.shift_per_page * 4 / 5 :
				   opt.shift_per_page, s->stream, seed);
		break;
	}
	if (err)
		die("building a reference string", err);
	snprintf(r->name, sizeof(r->name), "%s", s->name);
}

static unsigned long distinct_pages(const struct refstr *r)
{
	unsigned char *seen = calloc(r->nr_pages, 1);
	unsigned long n = 0;

	if (!seen)
		die("calloc", 0);
	for (unsigned long i = 0; i < r->len; i++)
		if (!seen[r->page[i]]++)
			n++;
	free(seen);
	return n;
}

/* The accesses to the hot set from the end of the warm-up on. */
static unsigned long hot_accesses(const struct refstr *r)
{
	unsigned long n = 0;

	for (unsigned long i = r->warmup; i < r->len; i++)
		n += r->page[i] < r->hot;
	return n;
}

static void check(bool ok, const char *what, const char *name)
{
	if (!ok) {
		printf("# check FAILED: %s: %s\n", name, what);
		failed = 1;
	}
}

/* One string: kmm, then the two references with C frames. */
static void run_row(struct row *w)
{
	unsigned long held;

	replay(&w->r, &w->kmm);
	w->distinct = distinct_pages(&w->r);
	if (lru_faults(&w->r, capacity, &w->lru) || opt_faults(&w->r, capacity, &w->opt))
		die("the reference policies", 0);
	/* The sanity check gives OPT at least the frames kmm had. */
	held = w->kmm.max_cached > capacity ? w->kmm.max_cached : capacity;
	if (opt_faults(&w->r, held, &w->opt_held))
		die("OPT", 0);
	held = w->kmm.mean_cached ? w->kmm.mean_cached : capacity;
	if (lru_faults(&w->r, held, &w->lru_mean))
		die("LRU", 0);
}

static void check_row(const struct row *w, const struct spec *s)
{
	const struct replay_result *k = &w->kmm;

	check(w->opt_held.faults <= k->kmm.faults, "OPT <= kmm", s->name);
	check(w->opt.faults <= w->lru.faults, "OPT <= LRU", s->name);
	check(k->disk_sectors == k->kmm.faults * (PG / 512) && k->disk_reads == k->kmm.faults,
	      "one one-page disk read per major fault (no read-around)", s->name);
	check(k->reports == 0, "no report", s->name);
	check(k->invariants == 0, "invariants hold", s->name);
	if (s->kind == K_LOOP && s->size < 1)
		check(k->kmm.faults == w->distinct, "only compulsory faults", s->name);
	if (s->kind == K_SCAN)
		check(k->kmm.hot_faults * 3 <= hot_accesses(&w->r) &&
		      k->kmm.hot_faults < w->lru.hot_faults,
		      "the hot set is protected: after warm-up, kmm misses at most a third of the"
		      " hot accesses and fewer than LRU(C)", s->name);
}

static void print_table(void)
{
	printf("\n%-10s %8s %7s | %8s %6s | %8s %8s | %7s %7s %7s | %8s | %s\n", "string",
	       "accesses", "pages", "kmm maj", "minor", "LRU(C)", "OPT(C)", "kmm/OPT", "kmm/LRU",
	       "LRU/OPT", "LRU(m)", "kmm held max/mean(m)/min");
	for (unsigned long i = 0; i < NR_SPECS; i++) {
		const struct row *w = &rows[i];
		const struct replay_result *k = &w->kmm;

		printf("%-10s %8lu %7lu | %8lu %6lu | %8lu %8lu | %7.2f %7.2f %7.2f | %8lu | %lu",
		       w->r.name, w->r.len, w->distinct, k->kmm.faults, k->min_flt, w->lru.faults,
		       w->opt.faults, (double)k->kmm.faults / (double)w->opt.faults,
		       (double)k->kmm.faults / (double)w->lru.faults,
		       (double)w->lru.faults / (double)w->opt.faults, w->lru_mean.faults,
		       k->max_cached);
		if (k->min_cached)
			printf("/%lu/%lu\n", k->mean_cached, k->min_cached);
		else
			printf(" (no reclaim)\n");
	}
}

static void print_details(void)
{
	printf("\n%-10s | %8s %8s %9s %9s %9s %9s\n", "string", "pgscan", "pgsteal", "activate",
	       "deactiv", "refault", "ws_activ");
	for (unsigned long i = 0; i < NR_SPECS; i++) {
		const struct replay_result *k = &rows[i].kmm;

		printf("%-10s | %8lu %8lu %9lu %9lu %9lu %9lu\n", rows[i].r.name, k->pgscan,
		       k->pgsteal, k->pgactivate, k->pgdeactivate, k->refault, k->activate);
	}
	for (unsigned long i = 0; i < NR_SPECS; i++) {
		const struct row *w = &rows[i];

		if (!w->r.hot)
			continue;
		printf("# %s: hot set %lu pages; after warm-up (access %lu on) %lu hot accesses"
		       " missed: kmm %lu, LRU(C) %lu, OPT(C) %lu\n", w->r.name, w->r.hot,
		       w->r.warmup, hot_accesses(&w->r), w->kmm.kmm.hot_faults, w->lru.hot_faults,
		       w->opt.hot_faults);
	}
}

static void print_summary(void)
{
	printf("\n");
	for (unsigned long i = 0; i < NR_SPECS; i++) {
		const struct row *w = &rows[i];
		char key[32];
		char *c;

		snprintf(key, sizeof(key), "%.31s", w->r.name);
		for (c = key; *c; c++)
			if (*c == ' ' || *c == '.' || *c == '+')
				*c = '_';
		printf("%s_kmm_vs_opt=%.3f\n%s_kmm_vs_lru=%.3f\n", key,
		       (double)w->kmm.kmm.faults / (double)w->opt.faults, key,
		       (double)w->kmm.kmm.faults / (double)w->lru.faults);
	}
	printf("checks=%s\n", failed ? "FAILED" : "ok");
}

static int options(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--quick")) {
			opt.passes = 4;
			opt.zipf_len = 2;
			opt.shift_per_page = 6;
		} else if (!strcmp(argv[i], "--mem") && val) {
			opt.mem = strtoul(val, NULL, 0) * MIB, i++;
		} else if (!strcmp(argv[i], "--file") && val) {
			opt.file_ratio = strtoul(val, NULL, 0), i++;
		} else if (!strcmp(argv[i], "--tlb") && val) {
			opt.tlb = val, i++;
		} else if (!strcmp(argv[i], "--seed") && val) {
			opt.seed = strtoul(val, NULL, 0), i++;
		} else {
			fprintf(stderr, "usage: bench_replacement [--quick] [--mem MIB] [--file RATIO]"
				" [--seed S] [--tlb GEOMETRY]\n");
			return 2;
		}
	}
	if (opt.mem < 16 * MIB || opt.file_ratio < 2) {
		fprintf(stderr, "bench_replacement: --mem at least 16, --file at least 2\n");
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long nr_pages;
	struct replay_result cal;
	struct refstr stream;
	double t0;

	if (options(argc, argv))
		return 2;
	nr_pages = opt.file_ratio * opt.mem / PG;
	t0 = now_ns();
	printf("# bench_replacement: major faults of kmm's reclaim beside OPT (Belady) and LRU\n");
	printf("# machine: %lu MiB, 1 CPU; file: %lu pages (%lu MiB, %lux RAM), sparse, mapped"
	       " MAP_SHARED PROT_READ, MADV_RANDOM; seed %lu\n", opt.mem / MIB, nr_pages,
	       nr_pages * PG / MIB, opt.file_ratio, opt.seed);

	/* C: what a single pass over the file leaves the machine holding. */
	if (refstr_loop(&stream, nr_pages, nr_pages, 1))
		die("the calibration string", 0);
	replay(&stream, &cal);
	refstr_free(&stream);
	capacity = cal.max_cached;
	printf("# C = %lu frames: the most pages of the file held at once during one pass over"
	       " it (then mean %lu, min %lu)\n", capacity, cal.mean_cached, cal.min_cached);
	printf("# loops: %u passes; scan: hot set C/4, warm-up 2C cold pages x 4 hot accesses,"
	       " then %u cold pages per hot access; zipf: %ux file pages accesses; shift:"
	       " %u accesses per page of each set\n", opt.passes, opt.cold_per_hot, opt.zipf_len,
	       opt.shift_per_page);
	if (opt.tlb)
		printf("# tlb: %s\n", opt.tlb);

	for (unsigned long i = 0; i < NR_SPECS; i++) {
		build(&specs[i], nr_pages, opt.seed + i, &rows[i].r);
		run_row(&rows[i]);
		check_row(&rows[i], &specs[i]);
	}
	print_table();
	print_details();
	print_summary();
	printf("# %.1f s\n", (now_ns() - t0) / 1e9);
	for (unsigned long i = 0; i < NR_SPECS; i++)
		refstr_free(&rows[i].r);
	return failed;
}
