/*
 * bench/bench_slab.c - kmm's slab caches and kmalloc beside mimalloc,
 * jemalloc, tcmalloc and glibc, measured in the same run on the same work:
 *
 *   objcache  192-byte objects, 100,000 live, random replace, 1 thread
 *   batch     1,000 allocations then 1,000 frees of 64-byte objects
 *   mixed     random sizes 8..1024 bytes in 10,000 live slots, random replace
 *   cross     one thread allocates 256-byte objects, another frees them;
 *             they pass through a bounded ring, the same code for everyone
 *   memory    bytes held for 1,000,000 live 192-byte objects
 *
 * With --threads 2, objcache, batch and mixed run a second time on two
 * threads at once, each with its own live set or batch array and its own
 * random seed; the table beside the main one gives their aggregate
 * throughput and its ratio to the same row's 1-thread figure (issue 13's
 * scaling target).  kmm's caches are shared by the two threads, each of
 * which claims its own simulated CPU (and so its own per-CPU arrays).
 *
 * kmm runs objcache and memory on a "session" cache (192 bytes,
 * SLAB_HWCACHE_ALIGN), batch on a 64-byte cache, cross on a 256-byte cache
 * and mixed on kmalloc/kfree; each peer runs malloc/free (or mallocx /
 * dallocx) of the same sizes.  Every allocator runs the same loops, inlined
 * once per calling convention (enum kind); every allocation writes one
 * byte of its object, and so does the consumer before it frees.  Random
 * choices come from the same seeded generator for everyone.
 *
 * Each timed figure is the median of --reps runs; the runs go round-robin
 * over the allocators (a warm-up of an eighth of a run before each), so a
 * busy moment of the machine disturbs every allocator alike.  The memory
 * test runs first, on fresh allocators, and counts the growth of the
 * process's resident set (/proc/self/statm) while the objects are made:
 * one method for everyone.  For kmm it also prints the cache's own count
 * (kmem_cache_get_info: slab pages x 4096), the target's definition.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include "base/smp.h"		/* smp_processor_id: which CPU a thread claimed */
#include "peers.h"

#define MAX_REPS	15
#define OBJ_SIZE	192		/* objcache and memory */
#define OBJ_LIVE	100000
#define BATCH_SIZE	64
#define BATCH		1000		/* objects held at once by the batch loop */
#define MIXED_MIN	8
#define MIXED_MAX	1024
#define MIXED_LIVE	10000
#define CROSS_SIZE	256
#define RING_SLOTS	1024		/* power of two */
#define RING_PUBLISH	32		/* objects between index updates */
#define MEM_OBJS	1000000
#define MAX_THREADS	2		/* --threads: the kmm machine's simulated CPUs */
#define SEED		0x2545f4914f6cdd1dull

enum test { T_OBJCACHE, T_BATCH, T_MIXED, T_CROSS, NR_TIMED, T_MEMORY = NR_TIMED, NR_TESTS };
#define NR_SCALED	T_CROSS		/* the tests --threads 2 runs: objcache, batch, mixed */

static const char *const test_name[NR_TESTS] = {
	"objcache", "batch", "mixed", "cross", "memory",
};

/* How a loop calls the allocator: each kind gets its own copy of the loops. */
enum kind {
	KIND_CACHE,		/* kmem_cache_alloc / kmem_cache_free */
	KIND_KMALLOC,		/* kmalloc / kfree */
	KIND_MALLOC,		/* a peer's malloc / free */
	KIND_MALLOCX,		/* jemalloc's mallocx / dallocx */
	NR_KINDS
};

struct ops {
	enum kind kind;
	struct kmem_cache *cache;	/* KIND_CACHE */
	malloc_fn malloc;		/* KIND_MALLOC */
	free_fn free;
	mallocx_fn mallocx;		/* KIND_MALLOCX */
	dallocx_fn dallocx;
};

/* One row of the table: kmm or a peer. */
struct row {
	const char *name;
	struct peer *peer;		/* NULL for kmm */
	const char *missing;		/* why n/a; empty if it runs */
	bool skipped;			/* not selected by --only */
	struct ops ops[NR_TESTS];	/* how each test calls it */
	double run_ns[NR_TIMED][MAX_REPS]; /* ns per operation of each run */
	double ns[NR_TIMED];		/* median */
	double spread[NR_TIMED];	/* (slowest - fastest) / median */
	double mem_rss;			/* resident bytes / live bytes - 1 */
	double mem_own;			/* kmm: slab pages x 4096 / live bytes - 1 */
	/* --threads 2: ns per operation over all threads (wall time / operations) */
	double par_run_ns[NR_SCALED][MAX_REPS];
	double par_ns[NR_SCALED];	/* median */
	double par_spread[NR_SCALED];
	bool par_done[NR_SCALED];
	const struct row *same_heap;	/* memory: an earlier row with the same heap */
	bool done[NR_TESTS];
};

static struct row rows[1 + NR_PEERS];
#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))
#define for_each_row(r) for ((r) = rows; (r) < rows + NR_ROWS; (r)++)

static struct {
	int reps;
	long ops[NR_TIMED];		/* operations per timed run */
	long mem_objs;
	const char *only;		/* rows to run: "kmm,jemalloc" */
	unsigned int tests;		/* bit per enum test */
	int threads;			/* 1, or 2: objcache, batch, mixed on 2 threads too */
	bool quick;
	bool verbose;			/* print every run */
	int cpus[CPU_SETSIZE];		/* host CPUs we may run on */
	int nr_cpus;
} opt = {
	.reps = 7,
	.ops = { [T_OBJCACHE] = 2000000, [T_BATCH] = 2000000, [T_MIXED] = 2000000,
		 [T_CROSS] = 1000000 },
	.mem_objs = MEM_OBJS,
	.tests = (1u << NR_TESTS) - 1,
	.threads = 1,
};

/* The kmm side: the machine and its caches. */
static struct {
	struct kmm *k;
	struct kmem_cache *session;	/* 192 bytes: objcache, memory */
	struct kmem_cache *batch;	/* 64 bytes */
	struct kmem_cache *cross;	/* 256 bytes */
	unsigned long free_before, free_after;
	unsigned long kmalloc_out_before, kmalloc_out_after;
	unsigned long reports;
	int par_cpu[NR_SCALED][MAX_THREADS]; /* --threads 2: the CPU each thread claimed */
	char caches[3][160];		/* layouts, for the header */
} km;

/* ------------------------------------------------------------------ */
/* Calling the allocators; the loops                                  */
/* ------------------------------------------------------------------ */

static void __attribute__((noreturn)) out_of_memory(const char *what)
{
	fprintf(stderr, "bench_slab: %s: allocation failed\n", what);
	exit(1);
}

static __always_inline void *obj_alloc(const struct ops *o, enum kind kind, size_t size)
{
	switch (kind) {
	case KIND_CACHE:
		return kmem_cache_alloc(o->cache, GFP_KERNEL);
	case KIND_KMALLOC:
		return kmalloc(size, GFP_KERNEL);
	case KIND_MALLOCX:
		return o->mallocx(size, 0);
	default:
		return o->malloc(size);
	}
}

static __always_inline void obj_free(const struct ops *o, enum kind kind, void *obj)
{
	switch (kind) {
	case KIND_CACHE:
		kmem_cache_free(o->cache, obj);
		break;
	case KIND_KMALLOC:
		kfree(obj);
		break;
	case KIND_MALLOCX:
		o->dallocx(obj, 0);
		break;
	default:
		o->free(obj);
	}
}

/* Writes one byte of the object, so that no allocator can skip work. */
static __always_inline void touch(void *obj, long i)
{
	*(volatile char *)obj = (char)i;
}

/* xorshift64*: the same sequence for every allocator. */
static __always_inline unsigned long long next_rand(unsigned long long *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

/* A random slot below n (high half) and a size in MIXED_MIN..MAX (low half). */
static __always_inline unsigned int rand_slot(unsigned long long r, unsigned int n)
{
	return (unsigned int)(((r >> 32) * n) >> 32);
}

static __always_inline size_t rand_size(unsigned long long r)
{
	return MIXED_MIN + (size_t)(((r & 0xffffffffull) *
				     (MIXED_MAX - MIXED_MIN + 1)) >> 32);
}

/* The live objects of objcache, mixed and memory. */
struct live {
	void **slot;
	unsigned int n;
	size_t size;			/* 0: random MIXED_MIN..MIXED_MAX */
	unsigned long long rng;
};

/*
 * Random replace: free the object in a random slot, allocate another (of
 * the slot's size, or a random one when mixed), write one byte of it.
 */
static __always_inline long replace_loop(const struct ops *op, enum kind kind,
					 struct live *lv, long n, bool mixed)
{
	const struct ops o = *op;	/* fields stay in registers */
	void **slot = lv->slot;
	unsigned long long x = lv->rng;
	unsigned int nr = lv->n;
	size_t size = lv->size;
	long i;

	for (i = 0; i < n; i++) {
		unsigned long long r = next_rand(&x);
		unsigned int j = rand_slot(r, nr);
		void *obj;

		obj_free(&o, kind, slot[j]);
		obj = obj_alloc(&o, kind, mixed ? rand_size(r) : size);
		if (unlikely(!obj))
			out_of_memory("replace");
		touch(obj, i);
		slot[j] = obj;
	}
	lv->rng = x;
	return n;
}

/* BATCH allocations (one byte written in each), then BATCH frees in order. */
static __always_inline long batch_loop(const struct ops *op, enum kind kind, void **blk,
				       long n)
{
	const struct ops o = *op;
	long done;
	int j;

	for (done = 0; done < n; done += BATCH) {
		for (j = 0; j < BATCH; j++) {
			blk[j] = obj_alloc(&o, kind, BATCH_SIZE);
			if (unlikely(!blk[j]))
				out_of_memory("batch");
			touch(blk[j], j);
		}
		for (j = 0; j < BATCH; j++)
			obj_free(&o, kind, blk[j]);
	}
	return done;
}

/*
 * The cross-thread ring: one producer, one consumer, bounded, lock-free.
 * Each side works on private copies of the indexes and publishes its own
 * every RING_PUBLISH objects (and before it waits), so the shared lines
 * move once per RING_PUBLISH objects rather than once per object.  A full
 * producer waits until a quarter of the ring is free again.
 */
struct ring {
	unsigned long prod_head __attribute__((aligned(64)));	/* producer's line */
	unsigned long prod_tail;	/* the consumer's tail as last read */
	unsigned long cons_tail __attribute__((aligned(64)));	/* consumer's line */
	unsigned long cons_head;	/* the producer's head as last read */
	unsigned long head __attribute__((aligned(64)));	/* published */
	unsigned long tail __attribute__((aligned(64)));	/* published */
	void *slot[RING_SLOTS] __attribute__((aligned(64)));
};

static void cpu_relax(unsigned int *spins)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
	if (++*spins % 256 == 0)
		sched_yield();	/* the other side may not be running */
}

static __always_inline void ring_push(struct ring *rg, void *obj)
{
	unsigned long h = rg->prod_head;

	if (unlikely(h - rg->prod_tail == RING_SLOTS)) {
		unsigned int spins = 0;

		__atomic_store_n(&rg->head, h, __ATOMIC_RELEASE);
		while (h - (rg->prod_tail = __atomic_load_n(&rg->tail, __ATOMIC_ACQUIRE)) >
		       RING_SLOTS - RING_SLOTS / 4)
			cpu_relax(&spins);
	}
	rg->slot[h % RING_SLOTS] = obj;
	rg->prod_head = ++h;
	if (h % RING_PUBLISH == 0)
		__atomic_store_n(&rg->head, h, __ATOMIC_RELEASE);
}

static __always_inline void *ring_pop(struct ring *rg)
{
	unsigned long t = rg->cons_tail;
	void *obj;

	if (unlikely(t == rg->cons_head)) {
		unsigned int spins = 0;

		__atomic_store_n(&rg->tail, t, __ATOMIC_RELEASE);
		while (t == (rg->cons_head = __atomic_load_n(&rg->head, __ATOMIC_ACQUIRE)))
			cpu_relax(&spins);
	}
	obj = rg->slot[t % RING_SLOTS];
	rg->cons_tail = ++t;
	if (t % RING_PUBLISH == 0)
		__atomic_store_n(&rg->tail, t, __ATOMIC_RELEASE);
	return obj;
}

static __always_inline long produce_loop(const struct ops *op, enum kind kind,
					 struct ring *rg, long n)
{
	const struct ops o = *op;
	long i;

	for (i = 0; i < n; i++) {
		void *obj = obj_alloc(&o, kind, CROSS_SIZE);

		if (unlikely(!obj))
			out_of_memory("cross");
		touch(obj, i);
		ring_push(rg, obj);
	}
	__atomic_store_n(&rg->head, rg->prod_head, __ATOMIC_RELEASE);
	return n;
}

static __always_inline long consume_loop(const struct ops *op, enum kind kind,
					 struct ring *rg, long n)
{
	const struct ops o = *op;
	long i;

	for (i = 0; i < n; i++) {
		void *obj = ring_pop(rg);

		touch(obj, i);
		obj_free(&o, kind, obj);
	}
	__atomic_store_n(&rg->tail, rg->cons_tail, __ATOMIC_RELEASE);
	return n;
}

/* One noinline copy of each loop per kind (profilers name them). */
struct loops {
	long (*objcache)(const struct ops *o, struct live *lv, long n);
	long (*mixed)(const struct ops *o, struct live *lv, long n);
	long (*batch)(const struct ops *o, void **blk, long n);
	long (*produce)(const struct ops *o, struct ring *rg, long n);
	long (*consume)(const struct ops *o, struct ring *rg, long n);
};

#define DEFINE_LOOPS(suffix, kind)						\
static __noinline long objcache_##suffix(const struct ops *o, struct live *lv, long n) \
{										\
	return replace_loop(o, kind, lv, n, false);				\
}										\
static __noinline long mixed_##suffix(const struct ops *o, struct live *lv, long n) \
{										\
	return replace_loop(o, kind, lv, n, true);				\
}										\
static __noinline long batch_##suffix(const struct ops *o, void **blk, long n)	\
{										\
	return batch_loop(o, kind, blk, n);					\
}										\
static __noinline long produce_##suffix(const struct ops *o, struct ring *rg, long n) \
{										\
	return produce_loop(o, kind, rg, n);					\
}										\
static __noinline long consume_##suffix(const struct ops *o, struct ring *rg, long n) \
{										\
	return consume_loop(o, kind, rg, n);					\
}
DEFINE_LOOPS(cache, KIND_CACHE)
DEFINE_LOOPS(kmalloc, KIND_KMALLOC)
DEFINE_LOOPS(malloc, KIND_MALLOC)
DEFINE_LOOPS(mallocx, KIND_MALLOCX)

#define LOOPS(suffix) { objcache_##suffix, mixed_##suffix, batch_##suffix, \
			produce_##suffix, consume_##suffix }
static const struct loops loops[NR_KINDS] = {
	[KIND_CACHE] = LOOPS(cache),
	[KIND_KMALLOC] = LOOPS(kmalloc),
	[KIND_MALLOC] = LOOPS(malloc),
	[KIND_MALLOCX] = LOOPS(mallocx),
};

/* Untimed: the same calls, chosen at run time. */
static void fill(const struct ops *o, struct live *lv)
{
	unsigned int i;

	for (i = 0; i < lv->n; i++) {
		size_t size = lv->size ? lv->size : rand_size(next_rand(&lv->rng));
		void *obj = obj_alloc(o, o->kind, size);

		if (!obj)
			out_of_memory("fill");
		touch(obj, i);
		lv->slot[i] = obj;
	}
}

static void drain(const struct ops *o, struct live *lv)
{
	unsigned int i;

	for (i = 0; i < lv->n; i++)
		obj_free(o, o->kind, lv->slot[i]);
}

/*
 * The benchmark's own arrays come straight from mmap, written once: no
 * allocator under test (glibc's malloc is one) serves them, and they are
 * resident before the memory test starts counting.
 */
static void *bench_mem(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		out_of_memory("mmap");
	memset(p, 0, bytes);
	return p;
}

/* ------------------------------------------------------------------ */
/* The single-thread tests                                            */
/* ------------------------------------------------------------------ */

static bool runs(const struct row *r)
{
	return !r->skipped && !r->missing[0];
}

/* Every run's figure, before median_spread sorts them (par: --threads 2's). */
static void print_runs(enum test t, bool par)
{
	const struct row *r;
	int rep;

	for_each_row(r) {
		if (!runs(r))
			continue;
		printf("# runs %-8s %-9s ns%s:", test_name[t], r->name,
		       par ? " (2 threads)" : "");
		for (rep = 0; rep < opt.reps; rep++)
			printf(" %.1f", par ? r->par_run_ns[t][rep] : r->run_ns[t][rep]);
		printf("\n");
	}
}

/* Resident bytes, from /proc/self/statm without stdio (no malloc). */
static long resident_bytes(void)
{
	char buf[128];
	long size, resident;
	ssize_t len = -1;
	int fd = open("/proc/self/statm", O_RDONLY);

	if (fd >= 0) {
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (len <= 0)
		return 0;
	buf[len] = 0;
	if (sscanf(buf, "%ld %ld", &size, &resident) != 2)
		return 0;
	return resident * sysconf(_SC_PAGESIZE);
}

/*
 * Resident-set growth while mem_objs objects are made (one byte written in
 * each), over their own bytes.  Runs first, so that no allocator finds
 * pages an earlier test left resident.
 */
static void measure_memory(struct row *r, void **slot)
{
	const struct ops *o = &r->ops[T_MEMORY];
	struct live lv = { .slot = slot, .n = (unsigned int)opt.mem_objs, .size = OBJ_SIZE };
	double live_bytes = (double)opt.mem_objs * OBJ_SIZE;
	long before, after;

	before = resident_bytes();
	fill(o, &lv);
	after = resident_bytes();
	r->mem_rss = (after - before) / live_bytes - 1;
	if (o->kind == KIND_CACHE) {
		struct kmem_cache_info info;

		kmem_cache_get_info(o->cache, &info);
		/* The slabs and, off-slab, their descriptors' kmalloc objects. */
		r->mem_own = ((double)info.pages * PAGE_SIZE + (double)info.mgmt_bytes) /
			     live_bytes - 1;
	}
	drain(o, &lv);
	r->done[T_MEMORY] = true;
}

/* Test t's loop for row r: n operations; returns how many (batch: whole rounds). */
static long run_loop(const struct row *r, enum test t, struct live *lv, void **blk, long n)
{
	const struct ops *o = &r->ops[t];
	const struct loops *l = &loops[o->kind];

	switch (t) {
	case T_OBJCACHE:
		return l->objcache(o, lv, n);
	case T_MIXED:
		return l->mixed(o, lv, n);
	default:
		return l->batch(o, blk, n);
	}
}

/* One timed run of a single-thread test; returns ns per operation. */
static double timed_run(struct row *r, enum test t, struct live *lv, void **blk, long n)
{
	double t0;

	run_loop(r, t, lv, blk, n / 8);		/* warm-up */
	t0 = now_ns();
	n = run_loop(r, t, lv, blk, n);
	return (now_ns() - t0) / (double)n;
}

/*
 * Every running row's live set for test t (none for batch), seeded with
 * seed and filled by the calling thread; close_live_sets gives them back.
 */
static void open_live_sets(enum test t, struct live *lv, unsigned long long seed)
{
	struct row *r;

	for_each_row(r) {
		struct live *l = &lv[r - rows];

		*l = (struct live){ .rng = seed };
		if (!runs(r) || t == T_BATCH)
			continue;
		l->n = t == T_OBJCACHE ? OBJ_LIVE : MIXED_LIVE;
		l->size = t == T_OBJCACHE ? OBJ_SIZE : 0;
		l->slot = bench_mem(l->n * sizeof(void *));
		fill(&r->ops[t], l);
	}
}

static void close_live_sets(enum test t, struct live *lv)
{
	struct row *r;

	for_each_row(r) {
		struct live *l = &lv[r - rows];

		if (!l->slot)
			continue;
		drain(&r->ops[t], l);
		munmap(l->slot, l->n * sizeof(void *));
	}
}

/* Runs test t for every row, round-robin over the rows, rep after rep. */
static void measure_single(enum test t)
{
	struct live lv[NR_ROWS];
	void **blk = bench_mem(BATCH * sizeof(void *));
	struct row *r;
	int rep;

	open_live_sets(t, lv, SEED);
	for (rep = 0; rep < opt.reps; rep++)
		for_each_row(r)
			if (runs(r))
				r->run_ns[t][rep] = timed_run(r, t, &lv[r - rows], blk,
							      opt.ops[t]);
	if (opt.verbose)
		print_runs(t, false);
	for_each_row(r) {
		if (!runs(r))
			continue;
		r->ns[t] = median_spread(r->run_ns[t], opt.reps, &r->spread[t]);
		r->done[t] = true;
	}
	close_live_sets(t, lv);
	munmap(blk, BATCH * sizeof(void *));
}

/*
 * kmalloc objects in callers' hands, over every kmalloc cache mixed uses,
 * once the caches are shrunk (off-slab descriptors are kmalloc objects too).
 */
static unsigned long kmalloc_out(void)
{
	static const char *const names[] = {
		"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
		"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
	};
	unsigned long out = 0;
	size_t i;

	kmm_shrink_all_caches();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct kmem_cache *s = kmem_cache_find(names[i]);
		struct kmem_cache_info info;

		if (s && !kmem_cache_get_info(s, &info))
			out += info.active_objs - info.cpu_avail - info.shared_avail;
	}
	return out;
}

/* The thread that runs the memory test, then objcache, batch and mixed. */
static void *single_thread_tests(void *arg)
{
	void **slot = NULL;
	struct row *r;
	int t;

	(void)arg;
	if (opt.tests & 1u << T_MEMORY) {
		slot = bench_mem(opt.mem_objs * sizeof(void *));
		for_each_row(r)
			if (runs(r) && !r->same_heap)
				measure_memory(r, slot);
		munmap(slot, opt.mem_objs * sizeof(void *));
	}
	km.kmalloc_out_before = kmalloc_out();
	for (t = 0; t < T_CROSS; t++)
		if (opt.tests & 1u << t)
			measure_single((enum test)t);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The cross-thread test                                              */
/* ------------------------------------------------------------------ */

struct cross_job {
	struct row *row;
	struct ring *ring;
	long n;
	pthread_barrier_t start;
	double t0[2], t1[2];		/* per side: start and end of the timed part */
};

struct cross_side {
	struct cross_job *job;
	int consumer;
	pthread_t tid;
};

/*
 * Thread i of a two-thread test (the producer 0, the consumer 1) on the
 * i-th usable host CPU, if there are two.
 */
static void pin_thread(int i)
{
	cpu_set_t set;

	if (opt.nr_cpus < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(opt.cpus[i], &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);	/* best effort */
}

static void *cross_main(void *arg)
{
	struct cross_side *side = arg;
	struct cross_job *job = side->job;
	const struct ops *o = &job->row->ops[T_CROSS];
	const struct loops *l = &loops[o->kind];
	long (*loop)(const struct ops *, struct ring *, long) =
		side->consumer ? l->consume : l->produce;

	pin_thread(side->consumer);
	pthread_barrier_wait(&job->start);
	loop(o, job->ring, job->n / 8);		/* warm-up */
	pthread_barrier_wait(&job->start);
	job->t0[side->consumer] = now_ns();
	loop(o, job->ring, job->n);
	job->t1[side->consumer] = now_ns();
	return NULL;
}

/* One timed run: ns per object passed from the producer to the consumer. */
static double cross_run(struct row *r, struct ring *ring, long n)
{
	struct cross_job job = { .row = r, .ring = ring, .n = n };
	struct cross_side side[2];
	int i;

	memset(ring, 0, sizeof(*ring));
	pthread_barrier_init(&job.start, NULL, 2);
	for (i = 0; i < 2; i++) {
		side[i] = (struct cross_side){ .job = &job, .consumer = i };
		if (pthread_create(&side[i].tid, NULL, cross_main, &side[i])) {
			perror("pthread_create");
			exit(1);
		}
	}
	for (i = 0; i < 2; i++)
		pthread_join(side[i].tid, NULL);
	pthread_barrier_destroy(&job.start);
	return (max(job.t1[0], job.t1[1]) - min(job.t0[0], job.t0[1])) / (double)n;
}

static void measure_cross(void)
{
	struct ring *ring = bench_mem(sizeof(*ring));
	struct row *r;
	int rep;

	for (rep = 0; rep < opt.reps; rep++)
		for_each_row(r)
			if (runs(r))
				r->run_ns[T_CROSS][rep] = cross_run(r, ring, opt.ops[T_CROSS]);
	if (opt.verbose)
		print_runs(T_CROSS, false);
	for_each_row(r) {
		if (!runs(r))
			continue;
		r->ns[T_CROSS] = median_spread(r->run_ns[T_CROSS], opt.reps,
					       &r->spread[T_CROSS]);
		r->done[T_CROSS] = true;
	}
	munmap(ring, sizeof(*ring));
}

/* ------------------------------------------------------------------ */
/* The two-thread tests (--threads 2)                                 */
/* ------------------------------------------------------------------ */

/*
 * One thread of a --threads run of test t: its own live sets (or batch
 * array) and seed, every row and rep in the same order as the others.
 * Each run's warm-up and timed part start at a barrier; the thread keeps
 * its start and end times, and main combines them after the join.
 */
struct par_thread {
	enum test t;
	int id;
	pthread_barrier_t *start;
	pthread_t tid;
	int cpu;			/* the simulated CPU it claimed; -1: none or no kmm row */
	double t0[NR_ROWS][MAX_REPS], t1[NR_ROWS][MAX_REPS];
};

static void *par_main(void *arg)
{
	struct par_thread *pt = arg;
	long n = opt.ops[pt->t];
	void **blk = bench_mem(BATCH * sizeof(void *));
	struct live lv[NR_ROWS];
	struct row *r;
	int rep;

	pin_thread(pt->id);
	open_live_sets(pt->t, lv, SEED ^ (unsigned long long)pt->id * 0x9e3779b97f4a7c15ull);
	pt->cpu = runs(&rows[0]) ? smp_processor_id(km.k) : -1;
	for (rep = 0; rep < opt.reps; rep++)
		for_each_row(r) {
			int i = (int)(r - rows);

			if (!runs(r))
				continue;
			pthread_barrier_wait(pt->start);
			run_loop(r, pt->t, &lv[i], blk, n / 8);		/* warm-up */
			pthread_barrier_wait(pt->start);
			pt->t0[i][rep] = now_ns();
			run_loop(r, pt->t, &lv[i], blk, n);
			pt->t1[i][rep] = now_ns();
		}
	close_live_sets(pt->t, lv);
	munmap(blk, BATCH * sizeof(void *));
	return NULL;
}

/*
 * Test t on opt.threads threads at once, each doing a 1-thread run's
 * operations: a run's figure is the time from the first thread's start
 * to the last one's end over the operations of all of them.
 */
static void measure_threads(enum test t)
{
	struct par_thread pt[MAX_THREADS];
	pthread_barrier_t start;
	struct row *r;
	int i, rep;

	pthread_barrier_init(&start, NULL, (unsigned int)opt.threads);
	for (i = 0; i < opt.threads; i++) {
		pt[i] = (struct par_thread){ .t = t, .id = i, .start = &start };
		if (pthread_create(&pt[i].tid, NULL, par_main, &pt[i])) {
			perror("pthread_create");
			exit(1);
		}
	}
	for (i = 0; i < opt.threads; i++) {
		pthread_join(pt[i].tid, NULL);
		km.par_cpu[t][i] = pt[i].cpu;
	}
	pthread_barrier_destroy(&start);
	for_each_row(r) {
		int row = (int)(r - rows);

		if (!runs(r))
			continue;
		for (rep = 0; rep < opt.reps; rep++) {
			double t0 = pt[0].t0[row][rep], t1 = pt[0].t1[row][rep];

			for (i = 1; i < opt.threads; i++) {
				t0 = min(t0, pt[i].t0[row][rep]);
				t1 = max(t1, pt[i].t1[row][rep]);
			}
			r->par_run_ns[t][rep] = (t1 - t0) / ((double)opt.ops[t] * opt.threads);
		}
	}
	if (opt.verbose)
		print_runs(t, true);
	for_each_row(r) {
		if (!runs(r))
			continue;
		r->par_ns[t] = median_spread(r->par_run_ns[t], opt.reps, &r->par_spread[t]);
		r->par_done[t] = true;
	}
}

/* ------------------------------------------------------------------ */
/* The kmm machine                                                    */
/* ------------------------------------------------------------------ */

static void describe_cache(struct kmem_cache *s, char *buf, size_t len)
{
	struct kmem_cache_info info;

	kmem_cache_get_info(s, &info);
	snprintf(buf, len, "%s: %u-byte objects, %u per %u-page slab, array limit %u, "
		 "batch %u, shared %u", kmem_cache_name(s), info.objsize,
		 info.objperslab, info.pagesperslab, info.limit, info.batchcount,
		 info.shared);
}

/* 2 GiB, 2 simulated CPUs: the producer's and the consumer's (--threads 2: each thread's). */
static void *kmm_setup(void *arg)
{
	(void)arg;
	km.k = kmm_boot(&(struct kmm_config){ .mem = 2ul << 30, .cpus = MAX_THREADS });
	if (!km.k)
		return NULL;
	kmm_shrink_all_caches();
	drain_all_pages(NULL);
	km.free_before = nr_free_pages();
	km.session = kmem_cache_create("session", OBJ_SIZE, 0, SLAB_HWCACHE_ALIGN, NULL);
	km.batch = kmem_cache_create("batch64", BATCH_SIZE, 0, SLAB_HWCACHE_ALIGN, NULL);
	km.cross = kmem_cache_create("cross256", CROSS_SIZE, 0, SLAB_HWCACHE_ALIGN, NULL);
	if (!km.session || !km.batch || !km.cross) {
		km.k = NULL;
		return NULL;
	}
	describe_cache(km.session, km.caches[0], sizeof(km.caches[0]));
	describe_cache(km.batch, km.caches[1], sizeof(km.caches[1]));
	describe_cache(km.cross, km.caches[2], sizeof(km.caches[2]));
	return NULL;
}

/* Every object back: the caches destroyed, every page free again? */
static void *kmm_check(void *arg)
{
	(void)arg;
	km.kmalloc_out_after = kmalloc_out();
	kmem_cache_destroy(km.session);
	kmem_cache_destroy(km.batch);
	kmem_cache_destroy(km.cross);
	kmm_shrink_all_caches();
	drain_all_pages(NULL);
	km.free_after = nr_free_pages();
	km.reports = kmm_nr_reports();
	kmm_shutdown(NULL);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Rows, options, report                                              */
/* ------------------------------------------------------------------ */

static bool selected(const char *name)
{
	char list[256], *tok, *save;

	if (!opt.only)
		return true;
	snprintf(list, sizeof(list), "%s", opt.only);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static void setup_rows(void)
{
	struct row *r = &rows[0];
	int t;

	*r = (struct row){ .name = "kmm", .missing = "" };
	r->ops[T_OBJCACHE] = (struct ops){ .kind = KIND_CACHE, .cache = km.session };
	r->ops[T_MEMORY] = r->ops[T_OBJCACHE];
	r->ops[T_BATCH] = (struct ops){ .kind = KIND_CACHE, .cache = km.batch };
	r->ops[T_MIXED] = (struct ops){ .kind = KIND_KMALLOC };
	r->ops[T_CROSS] = (struct ops){ .kind = KIND_CACHE, .cache = km.cross };
	r->skipped = !selected(r->name);
	for (r = rows + 1; r < rows + NR_ROWS; r++) {
		struct peer *p = &peers[r - rows - 1];

		*r = (struct row){ .name = p->name, .peer = p, .missing = p->missing };
		for (t = 0; t < NR_TESTS; t++)
			r->ops[t] = (struct ops){
				.kind = p->x ? KIND_MALLOCX : KIND_MALLOC,
				.malloc = p->malloc, .free = p->free,
				.mallocx = p->mallocx, .dallocx = p->dallocx,
			};
		r->skipped = p->skipped = !selected(r->name);
		if (r > rows + 1 && p->lib && p->lib == r[-1].peer->lib && !r[-1].skipped)
			r->same_heap = r - 1;	/* jemallocx: jemalloc's */
	}
}

/* The fastest peer of a timed test (lowest ns), or NULL. */
static const struct row *best_peer(enum test t)
{
	const struct row *r, *best = NULL;

	for (r = rows + 1; r < rows + NR_ROWS; r++)
		if (r->done[t] && (!best || r->ns[t] < best->ns[t]))
			best = r;
	return best;
}

/* kmm's speed over the fastest peer's (>1: kmm is faster); 0 if unknown. */
static double ratio(enum test t, const struct row **bestp)
{
	const struct row *best = best_peer(t);

	*bestp = best;
	if (!best || !rows[0].done[t])
		return 0;
	return best->ns[t] / rows[0].ns[t];
}

static const double target[NR_TESTS] = {
	[T_OBJCACHE] = 1.2, [T_BATCH] = 1.2, [T_MIXED] = 1.0, [T_CROSS] = 1.0,
	[T_MEMORY] = 0.05,		/* at most 5% above the objects' bytes */
};

static void print_table(void)
{
	const struct row *r, *best;
	int t;

	printf("\n%-9s |", "allocator");
	for (t = 0; t < NR_TIMED; t++)
		printf(" %8s ns  sprd |", test_name[t]);
	printf(" memory: RSS   own\n");
	for_each_row(r) {
		if (r->skipped)
			continue;
		printf("%-9s |", r->name);
		for (t = 0; t < NR_TIMED; t++) {
			if (r->missing[0])
				printf(" %11s %5s |", "n/a", "");
			else if (!r->done[t])
				printf(" %11s %5s |", "-", "");
			else
				printf(" %11.1f %4.0f%% |", r->ns[t], r->spread[t] * 100);
		}
		if (r->missing[0])
			printf(" %10s\n", "n/a");
		else if (r->same_heap && r->same_heap->done[T_MEMORY])
			printf(" %10s\n", "(its heap)");
		else if (!r->done[T_MEMORY])
			printf(" %10s\n", "-");
		else if (r == rows)
			printf(" %9.1f%% %4.1f%%\n", r->mem_rss * 100, r->mem_own * 100);
		else
			printf(" %9.1f%%\n", r->mem_rss * 100);
	}
	if (rows[0].skipped)
		return;
	printf("%-9s |", "kmm/best");
	for (t = 0; t < NR_TIMED; t++) {
		double x = ratio((enum test)t, &best);

		if (x)
			printf(" %5.2fx %-9.9s |", x, best->name);
		else
			printf(" %11s %5s |", "n/a", "");
	}
	printf("\n");
}

/*
 * Did each thread of every --threads run of the kmm row claim a simulated
 * CPU of its own?  (True when there were none.)
 */
static bool km_cpus_apart(void)
{
	int t;

	for (t = 0; t < NR_SCALED; t++)
		if (rows[0].par_done[t] &&
		    (km.par_cpu[t][0] < 0 || km.par_cpu[t][0] == km.par_cpu[t][1]))
			return false;
	return true;
}

/* Row r's 2-thread throughput over its 1-thread throughput on test t; 0 if unknown. */
static double scaling(const struct row *r, enum test t)
{
	if (!r->done[t] || !r->par_done[t])
		return 0;
	return r->ns[t] / r->par_ns[t];
}

#define SCALING_TARGET	1.8	/* issue 13: 2 threads at least 1.8x one (2 cores) */

/*
 * --threads 2: million operations per second of each row on one thread
 * (the main table's run) and on two at once (over both), and their ratio.
 */
static void print_scaling(void)
{
	const struct row *r;
	int t;

	printf("\n%-9s |", "allocator");
	for (t = 0; t < NR_SCALED; t++)
		printf(" %8s Mops/s x1    x2 sprd scale |", test_name[t]);
	printf("\n");
	for_each_row(r) {
		if (r->skipped)
			continue;
		printf("%-9s |", r->name);
		for (t = 0; t < NR_SCALED; t++) {
			if (r->missing[0])
				printf(" %18s %5s %4s %5s |", "n/a", "", "", "");
			else if (!scaling(r, (enum test)t))
				printf(" %18s %5s %4s %5s |", "-", "", "", "");
			else
				printf(" %18.1f %5.1f %3.0f%% %5.2f |", 1e3 / r->ns[t],
				       1e3 / r->par_ns[t], r->par_spread[t] * 100,
				       scaling(r, (enum test)t));
		}
		printf("\n");
	}
	for_each_row(r)
		for (t = 0; t < NR_SCALED; t++)
			if (scaling(r, (enum test)t))
				printf("%s_scaling_%s=%.2f\n", test_name[t], r->name,
				       scaling(r, (enum test)t));
	if (!runs(&rows[0]))
		return;
	printf("# kmm's threads on simulated CPUs:");
	for (t = 0; t < NR_SCALED; t++)
		if (rows[0].par_done[t])
			printf(" %s %d and %d;", test_name[t], km.par_cpu[t][0], km.par_cpu[t][1]);
	printf(" (each its own: %s)\n", km_cpus_apart() ? "ok" : "NO");
}

static void print_targets(void)
{
	const struct row *best;
	int t, met = 0, known = 0;

	printf("# targets (issue): kmm/best peer >= 1.20 on objcache and batch, >= 1.00 on\n"
	       "# mixed and cross; kmm memory overhead (slab pages, %ld objects) <= 5%%\n",
	       opt.mem_objs);
	for (t = 0; t < NR_TIMED; t++) {
		double x = ratio((enum test)t, &best);

		if (!x) {
			printf("%s_vs_best_peer=n/a\n", test_name[t]);
			continue;
		}
		known++;
		met += x >= target[t];
		printf("%s_vs_best_peer=%.2f\n", test_name[t], x);
	}
	if (rows[0].done[T_MEMORY]) {
		known++;
		met += rows[0].mem_own <= target[T_MEMORY];
		printf("memory_overhead_kmm=%.3f\n", rows[0].mem_own);
	} else {
		printf("memory_overhead_kmm=n/a\n");
	}
	if (opt.threads > 1) {
		printf("# scaling target (issue): kmm's 2-thread throughput >= %.2fx its 1-thread\n"
		       "# throughput on objcache, batch and mixed\n", SCALING_TARGET);
		for (t = 0; t < NR_SCALED; t++) {
			double x = scaling(&rows[0], (enum test)t);

			if (!x)
				continue;
			known++;
			met += x >= SCALING_TARGET;
			printf("# %s scaling of kmm %.2f: %s\n", test_name[t], x,
			       x >= SCALING_TARGET ? "met" : "NOT met");
		}
	}
	printf("# targets met: %d of %d measured\n", met, known);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_slab [--quick] [--reps R] [--scale F] [--only NAMES] [--test LIST]\n"
		"                  [--threads N] [--verbose]\n"
		"  --quick      smoke run (CI): 3 reps, 1/20 of the work, 100,000 objects\n"
		"               in the memory test\n"
		"  --reps R     timed runs per figure, median reported (default %d, max %d)\n"
		"  --scale F    multiply the operations per run by F (default 1)\n"
		"  --only NAMES rows to run: kmm,mimalloc,jemalloc,jemallocx,tcmalloc,glibc\n"
		"  --test LIST  tests to run: objcache,batch,mixed,cross,memory\n"
		"  --threads N  1 (default), or 2: objcache, batch and mixed also on 2\n"
		"               threads at once, and their scaling over 1 thread\n"
		"  --verbose    print the ns of every run, in the order they ran\n",
		opt.reps, MAX_REPS);
}

static unsigned int parse_tests(const char *val)
{
	char list[256], *tok, *save;
	unsigned int bits = 0;
	int t;

	snprintf(list, sizeof(list), "%s", val);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (t = 0; t < NR_TESTS && strcmp(tok, test_name[t]); t++)
			;
		if (t == NR_TESTS)
			return 0;
		bits |= 1u << t;
	}
	return bits;
}

static void parse_args(int argc, char **argv)
{
	double scale = 1;
	int i, t;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--quick")) {
			opt.quick = true;
		} else if (!strcmp(arg, "--reps") && val) {
			opt.reps = atoi(val), i++;
		} else if (!strcmp(arg, "--scale") && val) {
			scale = atof(val), i++;
		} else if (!strcmp(arg, "--only") && val) {
			opt.only = val, i++;
		} else if (!strcmp(arg, "--verbose")) {
			opt.verbose = true;
		} else if (!strcmp(arg, "--test") && val) {
			opt.tests = parse_tests(val), i++;
		} else if (!strcmp(arg, "--threads") && val) {
			opt.threads = atoi(val), i++;
		} else {
			usage(strcmp(arg, "--help") ? stderr : stdout);
			exit(strcmp(arg, "--help") ? 2 : 0);
		}
	}
	if (opt.quick) {
		scale /= 20;
		opt.reps = 3;
		opt.mem_objs = MEM_OBJS / 10;
	}
	for (t = 0; t < NR_TIMED; t++)
		opt.ops[t] = (long)(opt.ops[t] * scale) / BATCH * BATCH;
	if (opt.reps < 1 || opt.reps > MAX_REPS || !opt.tests || opt.ops[T_BATCH] < BATCH ||
	    opt.threads < 1 || opt.threads > MAX_THREADS) {
		usage(stderr);
		exit(2);
	}
}

static void print_header(void)
{
	struct kmm_entry kmm[] = {
		{ "kmm", "kmem_cache_alloc", (const void *)kmem_cache_alloc },
		{ "kmm", "kmalloc", (const void *)kmalloc },
	};
	char model[128];
	int i;

	cpu_model(model, sizeof(model));
	printf("# bench_slab: ns per operation (alloc+free pair; cross: per object passed\n"
	       "# between two threads); memory: bytes held over the objects' own bytes - 1\n");
	printf("# host: %s, %ld CPUs online, %d usable\n", model,
	       sysconf(_SC_NPROCESSORS_ONLN), opt.nr_cpus);
	printf("# kmm machine: %lu MiB, 2 simulated CPUs; reps %d, median, round-robin\n",
	       km.free_before >> (20 - PAGE_SHIFT), opt.reps);
	printf("# operations per run: objcache %ld (%d live), batch %ld (%d at once), "
	       "mixed %ld (%d live), cross %ld; memory: %ld objects\n",
	       opt.ops[T_OBJCACHE], OBJ_LIVE, opt.ops[T_BATCH], BATCH, opt.ops[T_MIXED],
	       MIXED_LIVE, opt.ops[T_CROSS], opt.mem_objs);
	if (opt.threads > 1)
		printf("# --threads %d: objcache, batch and mixed again on %d threads at once, each\n"
		       "# with its own live set and seed and a 1-thread run's operations; kmm's\n"
		       "# caches shared, a simulated CPU (per-CPU arrays) per thread\n",
		       opt.threads, opt.threads);
	for (i = 0; i < 3; i++)
		printf("# kmm cache %s\n", km.caches[i]);
	peers_print_reexec();
	print_provenance(kmm, rows[0].skipped ? 0 : 2);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	bool ok;
	int t;

	parse_args(argc, argv);
	opt.nr_cpus = bench_usable_cpus(opt.cpus);
	peers_load(argv);
	run_on_kmm_thread(kmm_setup, NULL);
	if (!km.k) {
		fprintf(stderr, "bench_slab: kmm_boot or kmem_cache_create failed\n");
		return 1;
	}
	setup_rows();
	print_header();

	run_on_kmm_thread(single_thread_tests, NULL);
	for (t = 0; opt.threads > 1 && t < NR_SCALED; t++)
		if (opt.tests & 1u << t)
			measure_threads((enum test)t);
	if (opt.tests & 1u << T_CROSS)
		measure_cross();
	run_on_kmm_thread(kmm_check, NULL);

	print_table();
	if (opt.threads > 1)
		print_scaling();
	ok = km.free_before == km.free_after && !km.reports &&
	     km.kmalloc_out_before == km.kmalloc_out_after && km_cpus_apart();
	printf("# kmm free pages before %lu, after %lu; kmalloc objects out before %lu, "
	       "after %lu; reports %lu: %s\n", km.free_before, km.free_after,
	       km.kmalloc_out_before, km.kmalloc_out_after, km.reports, ok ? "ok" : "LEAK");
	print_targets();
	return ok ? 0 : 1;
}
