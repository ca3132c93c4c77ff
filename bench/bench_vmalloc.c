/*
 * bench/bench_vmalloc.c - vmalloc+vfree of 16 KiB, 1 MiB and 64 MiB per
 * second, and the cost per page, beside mmap+munmap of the same sizes on
 * the host, measured in the same run.
 *
 * Both variants run the same loop (see area_loop): get an area, write one
 * byte in each of its pages, give it back.  The host pays a page fault
 * (and the zeroing of a fresh page) for each write, as kmm pays a frame
 * allocation, two page-table entries (the simulated swapper_pg_dir and the
 * host window the caller writes through) and a host fault on the RAM
 * memfd.  Each figure is the median of --reps timed runs; the runs go
 * round-robin over the sizes and the two variants, each after a warm-up
 * of an eighth of a run, and every kmm run starts with an empty lazy-purge
 * list (vm_unmap_aliases, untimed), so the purges a run triggers are its
 * own.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include "peers.h"

#define MAX_REPS	15

enum variant { V_KMM, V_HOST, NR_VARIANTS };

static const char *const variant_name[NR_VARIANTS] = { "kmm", "host" };

struct size_row {
	const char *name;
	const char *key;		/* of the summary line */
	unsigned long bytes;
	long ops;			/* areas per timed run (full mode) */
	double run_ns[NR_VARIANTS][MAX_REPS];	/* ns per area of each run */
	double ns[NR_VARIANTS];		/* median */
	double spread[NR_VARIANTS];
};

static struct size_row sizes[] = {
	{ .name = "16 KiB", .key = "16k", .bytes = 16ul << 10, .ops = 20000 },
	{ .name = "1 MiB", .key = "1m", .bytes = 1ul << 20, .ops = 800 },
	{ .name = "64 MiB", .key = "64m", .bytes = 64ul << 20, .ops = 12 },
};
#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static struct {
	int reps;
	double scale;
	bool quick;
} opt = { .reps = 7, .scale = 1 };

static struct {
	struct kmm *k;
	unsigned int cpus;
	unsigned long free_before, free_after, vmalloc_after, reports;
} km;

static void __attribute__((noreturn)) out_of_memory(const char *what, unsigned long bytes)
{
	fprintf(stderr, "bench_vmalloc: %s of %lu bytes failed\n", what, bytes);
	exit(1);
}

/* ------------------------------------------------------------------ */
/* The loop: one shape, inlined once per variant                      */
/* ------------------------------------------------------------------ */

static __always_inline char *area_get(enum variant v, unsigned long bytes)
{
	void *p;

	if (v == V_KMM)
		return vmalloc(bytes);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static __always_inline void area_put(enum variant v, char *p, unsigned long bytes)
{
	if (v == V_KMM)
		vfree(p);
	else
		munmap(p, bytes);
}

/* n areas: get, write one byte in every page, give back. */
static __always_inline long area_loop(enum variant v, unsigned long bytes, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		char *p = area_get(v, bytes);
		unsigned long off;

		if (unlikely(!p))
			out_of_memory(variant_name[v], bytes);
		for (off = 0; off < bytes; off += PAGE_SIZE)
			*(volatile char *)(p + off) = (char)i;
		area_put(v, p, bytes);
	}
	return n;
}

static __noinline long area_kmm(unsigned long bytes, long n)
{
	return area_loop(V_KMM, bytes, n);
}

static __noinline long area_host(unsigned long bytes, long n)
{
	return area_loop(V_HOST, bytes, n);
}

static long (*const loops[NR_VARIANTS])(unsigned long, long) = { area_kmm, area_host };

/* ------------------------------------------------------------------ */
/* Timed runs                                                         */
/* ------------------------------------------------------------------ */

static long ops_per_run(const struct size_row *s)
{
	long n = (long)(s->ops * opt.scale);

	return n < 1 ? 1 : n;
}

/* One timed run after its warm-up; returns ns per area. */
static double timed_run(struct size_row *s, enum variant v)
{
	long n = ops_per_run(s);
	double t0;

	if (v == V_KMM)
		vm_unmap_aliases();
	loops[v](s->bytes, n / 8 ? n / 8 : 1);
	if (v == V_KMM)
		vm_unmap_aliases();
	t0 = now_ns();
	loops[v](s->bytes, n);
	return (now_ns() - t0) / (double)n;
}

/* Everything runs on this thread, a kmm CPU's owner. */
static void *measure_all(void *arg)
{
	struct size_row *s;
	int rep, v;

	(void)arg;
	for (rep = 0; rep < opt.reps; rep++)
		for (s = sizes; s < sizes + NR_SIZES; s++)
			for (v = 0; v < NR_VARIANTS; v++)
				s->run_ns[v][rep] = timed_run(s, (enum variant)v);
	for (s = sizes; s < sizes + NR_SIZES; s++)
		for (v = 0; v < NR_VARIANTS; v++)
			s->ns[v] = median_spread(s->run_ns[v], opt.reps, &s->spread[v]);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The kmm machine                                                    */
/* ------------------------------------------------------------------ */

/* 2 GiB, as many simulated CPUs as the host has (lazy_max_pages depends on it). */
static void *kmm_setup(void *arg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	(void)arg;
	km.cpus = cpus < 1 ? 1 : cpus > 64 ? 64 : (unsigned int)cpus;
	km.k = kmm_boot(&(struct kmm_config){ .mem = 2ul << 30, .cpus = km.cpus });
	if (!km.k)
		return NULL;
	vm_unmap_aliases();
	kmm_shrink_all_caches();
	drain_all_pages(NULL);
	km.free_before = nr_free_pages();
	return NULL;
}

/* Every frame and page-table page back in the buddy lists? */
static void *kmm_check(void *arg)
{
	(void)arg;
	vm_unmap_aliases();
	kmm_shrink_all_caches();
	drain_all_pages(NULL);
	km.free_after = nr_free_pages();
	km.vmalloc_after = vmalloc_nr_pages();
	km.reports = kmm_nr_reports();
	kmm_shutdown(NULL);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Options and report                                                 */
/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_vmalloc [--quick] [--reps R] [--scale F]\n"
		"  --quick      smoke run (CI): 3 reps, 1/20 of the areas per run\n"
		"  --reps R     timed runs per figure, median reported (default %d, max %d)\n"
		"  --scale F    multiply the areas per run by F (default 1)\n",
		opt.reps, MAX_REPS);
}

static void parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--quick")) {
			opt.quick = true;
		} else if (!strcmp(arg, "--reps") && val) {
			opt.reps = atoi(val), i++;
		} else if (!strcmp(arg, "--scale") && val) {
			opt.scale = atof(val), i++;
		} else {
			usage(strcmp(arg, "--help") ? stderr : stdout);
			exit(strcmp(arg, "--help") ? 2 : 0);
		}
	}
	if (opt.quick) {
		opt.reps = 3;
		opt.scale /= 20;
	}
	if (opt.reps < 1 || opt.reps > MAX_REPS || !(opt.scale > 0)) {
		usage(stderr);
		exit(2);
	}
}

/* The host's transparent huge page mode: "[madvise]" etc. */
static void thp_mode(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128], *open, *close;

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && (open = strchr(line, '[')) &&
	    (close = strchr(open, ']')))
		snprintf(buf, len, "%.*s", (int)(close - open - 1), open + 1);
	fclose(f);
}

static void print_header(void)
{
	char model[128], thp[32];
	const struct size_row *s;

	cpu_model(model, sizeof(model));
	thp_mode(thp, sizeof(thp));
	printf("# bench_vmalloc: areas per second of get + one write per page + put\n");
	printf("# host: %s, %ld CPUs online; transparent huge pages: %s\n", model,
	       sysconf(_SC_NPROCESSORS_ONLN), thp);
	printf("# kmm:  vmalloc / vfree on a %lu MiB machine (%u simulated CPUs)\n",
	       km.free_before >> (20 - PAGE_SHIFT), km.cpus);
	printf("# host: mmap(MAP_PRIVATE | MAP_ANONYMOUS) / munmap\n");
	printf("# reps %d, median, round-robin; areas per run:", opt.reps);
	for (s = sizes; s < sizes + NR_SIZES; s++)
		printf(" %s %ld", s->name, ops_per_run(s));
	printf("\n");
	fflush(stdout);
}

static void print_cell(const struct size_row *s, enum variant v)
{
	unsigned long pages = s->bytes >> PAGE_SHIFT;

	printf(" %10.0f %10.0f %7.1f %4.0f%% |", 1e9 / s->ns[v], s->ns[v],
	       s->ns[v] / (double)pages, s->spread[v] * 100);
}

static void print_table(void)
{
	const struct size_row *s;

	printf("\n%-7s %5s | %10s %10s %7s %5s | %10s %10s %7s %5s | %s\n", "size", "pages",
	       "kmm ops/s", "ns/op", "ns/page", "sprd", "host ops/s", "ns/op", "ns/page",
	       "sprd", "kmm/host");
	for (s = sizes; s < sizes + NR_SIZES; s++) {
		printf("%-7s %5lu |", s->name, s->bytes >> PAGE_SHIFT);
		print_cell(s, V_KMM);
		print_cell(s, V_HOST);
		printf(" %7.2fx\n", s->ns[V_HOST] / s->ns[V_KMM]);
	}
}

int main(int argc, char **argv)
{
	const struct size_row *s;
	bool ok;

	parse_args(argc, argv);
	run_on_kmm_thread(kmm_setup, NULL);
	if (!km.k) {
		fprintf(stderr, "bench_vmalloc: kmm_boot failed\n");
		return 1;
	}
	print_header();
	run_on_kmm_thread(measure_all, NULL);
	run_on_kmm_thread(kmm_check, NULL);
	print_table();
	ok = km.free_before == km.free_after && !km.vmalloc_after && !km.reports;
	printf("# kmm free pages before %lu, after %lu; vmalloc pages left %lu; "
	       "reports %lu: %s\n", km.free_before, km.free_after, km.vmalloc_after,
	       km.reports, ok ? "ok" : "LEAK");
	printf("# kmm/host: host ns per area over kmm's (above 1: kmm is faster)\n");
	for (s = sizes; s < sizes + NR_SIZES; s++)
		printf("vmalloc_%s_vs_host=%.2f\n", s->key, s->ns[V_HOST] / s->ns[V_KMM]);
	return ok ? 0 : 1;
}
