/*
 * tests/mm/test_slab_stress_threads.c - eight threads allocate and free
 * kmalloc objects of every size class, page blocks of small orders and
 * small vmalloc areas (whose page tables come and go: typed pages, freed
 * next to their buddies), while a ninth reads /proc/slabinfo and
 * /proc/buddyinfo over and over,
 * as `watch cat /proc/slabinfo` would on a busy machine.  Runs under TSan
 * in CI: the readers' looks at per-CPU array caches (ac->avail) and the
 * buddy allocator's at a neighbour's page_type must be locked or marked
 * as the intended racy reads they are.  Each thread stamps what it holds
 * and checks the stamp before freeing, and everything comes back.
 * KMM_TEST_SCALE multiplies the run time (default 0.5 s per machine).
 */
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include "mm/slab.h"
#include "tests/harness.h"

#define NTHREADS 8
#define HELD 48

struct worker {
	int id;
	unsigned long ops;
	unsigned long corrupt;		/* stamps that changed (never allowed) */
	pthread_t thread;
};

static double deadline;
static int stop_reader;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct held {
	void *obj;			/* a kmalloc object or vmalloc area, or NULL */
	bool vm;			/* obj is a vmalloc area */
	struct page *page;		/* or a block of 2^order pages */
	unsigned int order;
	uint64_t tag;
};

static void *stamp_of(struct held *h)
{
	return h->obj ? h->obj : page_address(h->page);
}

static void give_back(struct worker *w, struct held *h)
{
	if (*(uint64_t *)stamp_of(h) != h->tag)
		w->corrupt++;
	if (h->vm)
		vfree(h->obj);
	else if (h->obj)
		kfree(h->obj);
	else
		__free_pages(h->page, h->order);
	h->obj = NULL;
	h->page = NULL;
}

/* Most operations are kmalloc/kfree, a quarter pages, a few vmalloc. */
static void take(struct held *h, uint64_t *seed, int id)
{
	unsigned long kind = next(seed) % 16;

	h->tag = ((uint64_t)id << 56) ^ next(seed);
	h->vm = kind == 0;
	if (h->vm) {
		/* Some span PMDs: page tables are made and freed again. */
		unsigned long pages = next(seed) % 4 ? 1 + next(seed) % 8 : 512 + next(seed) % 512;

		h->obj = vmalloc(PAGE_SIZE * pages);
		if (!h->obj)
			return;
	} else if (kind < 12) {
		h->obj = kmalloc(8 + next(seed) % 4096, GFP_KERNEL | __GFP_NOWARN);
		if (!h->obj)
			return;
	} else {
		h->order = (unsigned int)(next(seed) % 4);
		h->page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, h->order);
		if (!h->page)
			return;
	}
	*(uint64_t *)stamp_of(h) = h->tag;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct held held[HELD] = { { 0 } };
	uint64_t seed = TEST_SEED() * 7919 + (uint64_t)w->id * 104729 + 1;
	int i;

	while (now() < deadline) {
		for (i = 0; i < 128; i++) {
			struct held *h = &held[next(&seed) % HELD];

			if (h->obj || h->page)
				give_back(w, h);
			else
				take(h, &seed, w->id);
			w->ops++;
		}
	}
	for (i = 0; i < HELD; i++)
		if (held[i].obj || held[i].page)
			give_back(w, &held[i]);
	return NULL;
}

/* Reads both files until told to stop; counts the reads. */
static void *reader(void *arg)
{
	static char buf[1 << 16];
	unsigned long *reads = arg;

	while (!__atomic_load_n(&stop_reader, __ATOMIC_ACQUIRE)) {
		if (kmm_proc_read("/proc/slabinfo", buf, sizeof(buf)) <= 0 ||
		    kmm_proc_read("/proc/buddyinfo", buf, sizeof(buf)) <= 0)
			break;
		(*reads)++;
	}
	return NULL;
}

static unsigned long reports;
static void count_report(const char *r, void *a)
{
	(void)a;
	fputs(r, stderr);
	__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
}

static void run(unsigned int cpus)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = cpus, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct worker w[NTHREADS];
	unsigned long ops = 0, reads = 0, free_before;
	pthread_t r;
	int i;

	ASSERT_NOT_NULL(k);
	kmm_set_report_hook(count_report, NULL);
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	deadline = now() + 0.5 * (double)TEST_SCALE();
	stop_reader = 0;
	pthread_create(&r, NULL, reader, &reads);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .id = i };
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].thread, NULL);
		ASSERT_EQ(w[i].corrupt, 0);
		ops += w[i].ops;
	}
	__atomic_store_n(&stop_reader, 1, __ATOMIC_RELEASE);
	pthread_join(r, NULL);
	printf("  %lu operations by %d threads on %u CPUs, %lu reads of slabinfo and buddyinfo\n",
	       ops, NTHREADS, k->nr_cpus, reads);
	ASSERT_TRUE(ops > 1000);
	ASSERT_TRUE(reads > 0);
	ASSERT_EQ(reports, 0);
	ASSERT_EQ(check_slab_invariants(kmem_cache_find("kmalloc-64")), 0);
	ASSERT_EQ(check_slab_invariants(kmem_cache_find("kmalloc-4k")), 0);
	ASSERT_EQ(check_buddy_invariants(), 0);
	/* Every object came back: shrinking the caches leaves what boot had. */
	kmem_cache_shrink(kmem_cache_find("kmalloc-64"));
	drain_all_pages(NULL);
	ASSERT_TRUE(nr_free_pages() <= free_before);
	kmm_shutdown(k);
}

/* Every worker owns a CPU; the reader runs on none. */
TEST(eight_threads_each_own_a_cpu)
{
	run(NTHREADS);
}

/* More threads than CPUs: the rest go to the zones directly. */
TEST(eight_threads_on_two_cpus)
{
	run(2);
}

int main(void)
{
	RUN_TEST(eight_threads_each_own_a_cpu);
	RUN_TEST(eight_threads_on_two_cpus);
	return harness_summary();
}
