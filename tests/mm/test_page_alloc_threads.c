/*
 * tests/mm/test_page_alloc_threads.c - several threads allocating and
 * freeing every order at once.  Each thread stamps its blocks with its own
 * pattern and checks it before freeing, so a block handed to two threads,
 * or freed under another's feet, shows.  Runs under TSan in CI.
 * KMM_TEST_SCALE multiplies the run time (default 1 s).
 */
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define NTHREADS 4
#define HELD 64

struct worker {
	int id;
	double seconds;
	unsigned long ops;
	unsigned long failures;		/* allocation failures (allowed) */
	unsigned long corrupt;		/* pattern mismatches (never allowed) */
	pthread_t thread;
};

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

static void stamp(struct page *p, unsigned int order, uint64_t tag)
{
	unsigned long i, n = 1ul << order;

	for (i = 0; i < n; i++)
		*(uint64_t *)page_address(p + i) = tag + i;
}

static bool stamped(struct page *p, unsigned int order, uint64_t tag)
{
	unsigned long i, n = 1ul << order;

	for (i = 0; i < n; i++)
		if (*(uint64_t *)page_address(p + i) != tag + i)
			return false;
	return true;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct page *held[HELD] = { 0 };
	unsigned int order[HELD] = { 0 };
	uint64_t tag[HELD] = { 0 }, seed = TEST_SEED() * 7919 + (uint64_t)w->id * 104729 + 1;
	double end = now() + w->seconds;
	int i;

	while (now() < end) {
		for (i = 0; i < 256; i++) {
			int slot = (int)(next(&seed) % HELD);

			if (held[slot]) {
				if (!stamped(held[slot], order[slot], tag[slot]))
					w->corrupt++;
				__free_pages(held[slot], order[slot]);
				held[slot] = NULL;
			} else {
				/* Mostly the pcp orders, sometimes big ones. */
				unsigned int o = (unsigned int)(next(&seed) % 8 == 0 ?
					next(&seed) % NR_PAGE_ORDERS : next(&seed) % 4);
				gfp_t gfp = (next(&seed) & 1 ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE) |
					    __GFP_NOWARN;
				struct page *p = alloc_pages(gfp, o);

				if (!p) {
					w->failures++;
					continue;
				}
				held[slot] = p;
				order[slot] = o;
				tag[slot] = ((uint64_t)w->id << 56) ^ next(&seed);
				stamp(p, o, tag[slot]);
			}
			w->ops++;
		}
		if (w->id == 0 && next(&seed) % 16 == 0)
			drain_all_pages(NULL);	/* drains race with the others */
	}
	for (i = 0; i < HELD; i++)
		if (held[i]) {
			if (!stamped(held[i], order[i], tag[i]))
				w->corrupt++;
			__free_pages(held[i], order[i]);
		}
	return NULL;
}

static unsigned long reports;
static void count_report(const char *r, void *a)
{
	(void)r;
	(void)a;
	__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
}

static void run_threads(unsigned int cpus)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = cpus, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct worker w[NTHREADS];
	unsigned long free_before, ops = 0;
	char before[4096], after[4096];
	int i;

	ASSERT_NOT_NULL(k);
	kmm_set_report_hook(count_report, NULL);
	drain_all_pages(NULL);	/* boot (the slab caches) left pages on CPU 0 */
	kmm_proc_read("/proc/buddyinfo", before, sizeof(before));
	free_before = nr_free_pages();
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .id = i, .seconds = 1.0 * (double)TEST_SCALE() };
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].thread, NULL);
		ASSERT_EQ(w[i].corrupt, 0);
		ops += w[i].ops;
	}
	printf("  %lu alloc/free operations by %d threads on %u CPUs\n", ops,
	       NTHREADS, k->nr_cpus);
	ASSERT_TRUE(ops > 1000);
	drain_all_pages(NULL);
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_EQ(nr_free_pages(), free_before);
	kmm_proc_read("/proc/buddyinfo", after, sizeof(after));
	ASSERT_STR_EQ(after, before);
	ASSERT_EQ(reports, 0);
	/* Threads that exited gave their CPUs back; only the main thread,
	 * which booted the machine on CPU 0, still holds one. */
	ASSERT_EQ(smp_processor_id(k), 0);
	for (i = 1; i < (int)k->nr_cpus; i++)
		ASSERT_NULL(k->cpu_owner[i]);
	kmm_shutdown(k);
}

/* More threads than CPUs: two own CPUs, two allocate from the zones. */
TEST(threads_outnumber_cpus)
{
	run_threads(2);
}

/* Every thread owns a CPU; drains reach into the others' lists. */
TEST(threads_each_own_a_cpu)
{
	run_threads(NTHREADS);
}

int main(void)
{
	RUN_TEST(threads_outnumber_cpus);
	RUN_TEST(threads_each_own_a_cpu);
	return harness_summary();
}
