/*
 * bench/peers.h - what every benchmark under bench/ shares: the malloc
 * peers (mimalloc, jemalloc, tcmalloc, glibc) loaded privately with
 * dlopen, the proof of which code each row calls, timing and medians, the
 * peer loop (kmm and its peers run by turns), the host's CPU model, and
 * running kmm calls on a short-lived thread.
 *
 * The peers are opened RTLD_LOCAL, never linked: each of them defines
 * malloc, and linking one would replace the process's malloc (and make
 * glibc's row measure it).  jemalloc's initial-exec TLS does not fit the
 * static TLS glibc keeps for dlopen, so peers_load() may execute the
 * program again, once, with GLIBC_TUNABLES=glibc.rtld.optional_static_tls.
 * A peer not found at configure time (HAVE_MIMALLOC, ...) or failing to
 * load has its reason in ->missing, and the benchmarks print it as n/a.
 */
#ifndef KMM_BENCH_PEERS_H
#define KMM_BENCH_PEERS_H

#include <stdbool.h>
#include <stddef.h>

typedef void *(*malloc_fn)(size_t);
typedef void (*free_fn)(void *);
typedef void *(*mallocx_fn)(size_t, int);
typedef void (*dallocx_fn)(void *, int);

/* The peers, in the order the tables print them. */
enum peer_id {
	PEER_MIMALLOC,		/* mi_malloc / mi_free */
	PEER_JEMALLOC,		/* jemalloc's malloc / free: its fast path */
	PEER_JEMALLOCX,		/* mallocx / dallocx: its non-standard API */
	PEER_TCMALLOC,		/* tc_malloc / tc_free (libtcmalloc_minimal) */
	PEER_GLIBC,		/* __libc_malloc / __libc_free */
	NR_PEERS
};

struct peer {
	const char *name;		/* row name: "mimalloc", "jemallocx", ... */
	bool x;				/* called as mallocx / dallocx */
	const char *alloc_sym;		/* entry points looked up in the library */
	const char *free_sym;
	malloc_fn malloc;		/* !x */
	free_fn free;
	mallocx_fn mallocx;		/* x */
	dallocx_fn dallocx;
	const void *entry;		/* the function dladdr() is asked about */
	void *lib;			/* dlopen handle; NULL for glibc (linked) */
	char version[48];
	char missing[160];		/* why the peer is n/a; empty if it runs */
	bool skipped;			/* left out by the benchmark (--only) */
};

extern struct peer peers[NR_PEERS];

#define for_each_peer(p) for ((p) = peers; (p) < peers + NR_PEERS; (p)++)

/*
 * Loads every peer; may re-execute the program (argv) once for jemalloc's
 * static TLS.  Call it first thing in main, before any thread exists.
 */
void peers_load(char **argv);
/* Prints the header line saying the program was re-executed, if it was. */
void peers_print_reexec(void);
/* Another symbol of a loaded peer's library (NULL if absent or n/a). */
void *peer_sym(const struct peer *p, const char *name);

/* A kmm entry point named in the provenance lines. */
struct kmm_entry {
	const char *name;		/* row name: "kmm" */
	const char *sym;		/* "alloc_pages" */
	const void *addr;
};

/*
 * Prints which file holds the code each row calls (dladdr of its entry
 * point, then realpath): the kmm entries, then every peer not skipped, then
 * the library the process's own malloc resolves to.
 */
void print_provenance(const struct kmm_entry *kmm, int nr_kmm);

/* CLOCK_MONOTONIC in nanoseconds. */
double now_ns(void);
/*
 * Sorts v[0..n) and returns its median (v[n / 2]); *spread gets
 * (max - min) / median, 0 when the median is 0.
 */
double median_spread(double *v, int n, double *spread);
/* The host CPU's "model name" from /proc/cpuinfo, or "unknown". */
void cpu_model(char *buf, size_t len);
/*
 * The host CPUs this process may run on (its affinity mask), ascending,
 * into cpus[CPU_SETSIZE]; returns how many (0 if the mask is unreadable).
 */
int bench_usable_cpus(int *cpus);

/*
 * Runs fn(arg) on a new thread and waits for it.  kmm gives a simulated
 * CPU to each of the first `cpus` threads that allocate and takes it back
 * when the thread exits (base/smp.c): a benchmark's main thread calls
 * kmm only through this, so that every measuring thread finds a CPU free.
 */
void run_on_kmm_thread(void *(*fn)(void *), void *arg);

/*
 * The peer loop of the benchmarks that time kmm beside its peers on the
 * same work: reps rounds; in each, for every row, one run(arg, row, v) of
 * every variant v (kmm, the host, a peer...), their order rotated round by
 * round (round r starts with variant r % nr_variants) so that none always
 * goes first.  Then median[row * nr_variants + v] and spread[...] of each
 * one's figures (median_spread).  Returns 0, or -1 out of memory.
 */
int bench_peer_rounds(int reps, int nr_rows, int nr_variants,
		      double (*run)(void *arg, int row, int variant), void *arg,
		      double *median, double *spread);

/*
 * The options of the benchmarks that take only these: --quick (3 reps,
 * the work times quick_scale), --reps R (1..max_reps), --scale F.  Sets
 * *reps and multiplies *scale; returns 0, or 2 after printing the usage.
 */
int bench_simple_options(int argc, char **argv, const char *name, int max_reps,
			 double quick_scale, int *reps, double *scale);
/*
 * Empties every slab cache's per-CPU and shared arrays and frees its free
 * slabs (kmem_cache_shrink of each cache /proc/slabinfo lists), so that a
 * count of free pages taken before a run compares with one taken after.
 */
void kmm_shrink_all_caches(void);

#endif /* KMM_BENCH_PEERS_H */
