/*
 * tests/mm/test_fail_alloc_threads.c - fault injection while threads
 * allocate (mm/fail_page_alloc.c, mm/failslab.c): 4 threads with kmalloc,
 * kmem_cache_alloc, alloc_pages and vmalloc, some failing by probability,
 * some by their own fail-nth, while another thread turns the knobs.  The
 * failures are clean (NULL, nothing kept), the invariants hold, every
 * page comes back, and the run is clean under TSan (label "threads").
 */
#include <pthread.h>
#include "mm/slab.h"
#include "tests/harness.h"

#define NR_WORKERS	4
#define ROUNDS		4000

static struct kmem_cache *cache;
static int stop_knobs;
static unsigned long failures;

static void quiet(const char *r, void *a)
{
	(void)r;
	(void)a;
}

/* One round: a few allocations of each kind, freed again. */
static void one_round(unsigned int i)
{
	void *a = kmalloc(16 + (i % 64) * 32, GFP_ATOMIC);
	void *b = kmem_cache_alloc(cache, GFP_KERNEL);
	struct page *p = alloc_pages(GFP_KERNEL, i % 3);
	void *v = i % 64 ? NULL : vmalloc(64 << 10);

	__atomic_fetch_add(&failures, !a + !b + !p, __ATOMIC_RELAXED);
	kfree(a);
	if (b)
		kmem_cache_free(cache, b);
	if (p)
		__free_pages(p, i % 3);
	vfree(v);
}

static void *worker(void *arg)
{
	unsigned int id = (unsigned int)(unsigned long)arg;

	for (unsigned int i = 0; i < ROUNDS; i++) {
		if (id == 0 && i % 16 == 0)
			kmm_fail_nth_write(1 + i % 7);	/* its own countdown */
		one_round(i);
	}
	kmm_fail_nth_write(0);
	return NULL;
}

/* Turns the knobs while the workers allocate. */
static void *knobs(void *arg)
{
	long p = 0;

	(void)arg;
	while (!__atomic_load_n(&stop_knobs, __ATOMIC_RELAXED)) {
		p = p ? 0 : 10;
		kmm_fault_write("failslab", "probability", p);
		kmm_fault_write("fail_page_alloc", "probability", 10 - p);
		kmm_fault_write("failslab", "interval", 1 + p / 5);
		sched_yield();
	}
	kmm_fault_write("failslab", "probability", 0);
	kmm_fault_write("fail_page_alloc", "probability", 0);
	return NULL;
}

TEST(injection_while_threads_allocate)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = NR_WORKERS, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	pthread_t w[NR_WORKERS], t;
	unsigned long free_before;

	ASSERT_NOT_NULL(k);
	kmm_set_report_hook(quiet, NULL);
	cache = kmem_cache_create("fi_threads", 96, 0, 0, NULL);
	ASSERT_NOT_NULL(cache);
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	kmm_fault_write("fail_page_alloc", "ignore-gfp-wait", 0);
	kmm_fault_write("fail_page_alloc", "min-order", 0);
	kmm_fault_write("failslab", "ignore-gfp-wait", 0);
	kmm_fault_write("fail_page_alloc", "times", -1);
	kmm_fault_write("failslab", "times", -1);
	kmm_fault_write("fail_page_alloc", "verbose", 0);
	kmm_fault_write("failslab", "verbose", 0);
	ASSERT_EQ(pthread_create(&t, NULL, knobs, NULL), 0);
	for (unsigned long i = 0; i < NR_WORKERS; i++)
		ASSERT_EQ(pthread_create(&w[i], NULL, worker, (void *)i), 0);
	for (int i = 0; i < NR_WORKERS; i++)
		pthread_join(w[i], NULL);
	__atomic_store_n(&stop_knobs, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	printf("  %lu allocations failed, %lu injected\n", failures,
	       kmm_fault_injected("failslab") + kmm_fault_injected("fail_page_alloc"));
	ASSERT_TRUE(failures > 0);
	ASSERT_FALSE(fault_inject_armed());
	ASSERT_EQ(kmm_check_invariants(k), 0);
	vm_unmap_aliases();
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), free_before);
	kmem_cache_destroy(cache);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(injection_while_threads_allocate);
	return harness_summary();
}
