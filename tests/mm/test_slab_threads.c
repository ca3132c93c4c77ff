/*
 * tests/mm/test_slab_threads.c - objects allocated on one thread and freed
 * on another, many threads sharing caches, remote drains (shrink) racing
 * with the owners of the per-CPU arrays.  Runs under TSan in CI.
 */
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include "mm/slab.h"
#include "tests/harness.h"

#define RING 1024

struct ring {
	pthread_mutex_t lock;
	void *slot[RING];
	unsigned int head, tail;
	int done;
};

static struct kmem_cache *cache;
static struct ring ring = { .lock = PTHREAD_MUTEX_INITIALIZER };
static unsigned long bad;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Allocates, stamps and hands objects to the consumer. */
static void *producer(void *arg)
{
	double end = now() + 0.5 * (double)TEST_SCALE();
	uintptr_t n = 0;

	(void)arg;
	while (now() < end) {
		uintptr_t *o = kmem_cache_alloc(cache, GFP_KERNEL);

		if (!o)
			continue;
		o[0] = (uintptr_t)o ^ 0x5a5a;
		o[31] = ++n;
		pthread_mutex_lock(&ring.lock);
		while (ring.head - ring.tail == RING) {
			pthread_mutex_unlock(&ring.lock);
			sched_yield();
			pthread_mutex_lock(&ring.lock);
		}
		ring.slot[ring.head++ % RING] = o;
		pthread_mutex_unlock(&ring.lock);
	}
	pthread_mutex_lock(&ring.lock);
	ring.done = 1;
	pthread_mutex_unlock(&ring.lock);
	return NULL;
}

/* Frees what the producer allocated: cross-CPU frees. */
static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		uintptr_t *o = NULL;
		int done;

		pthread_mutex_lock(&ring.lock);
		if (ring.tail != ring.head)
			o = ring.slot[ring.tail++ % RING];
		done = ring.done && ring.tail == ring.head;
		pthread_mutex_unlock(&ring.lock);
		if (o) {
			if (o[0] != ((uintptr_t)o ^ 0x5a5a))
				__atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
			kmem_cache_free(cache, o);
		} else if (done) {
			return NULL;
		} else {
			sched_yield();
		}
	}
}

/* Random kmalloc/kfree plus the odd shrink of the shared cache. */
static void *mixer(void *arg)
{
	double end = now() + 0.5 * (double)TEST_SCALE();
	uint64_t s = (uintptr_t)arg * 7919 + TEST_SEED();
	void *held[64] = { 0 };
	int i;

	while (now() < end) {
		for (i = 0; i < 64; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			if (held[i]) {
				kfree(held[i]);
				held[i] = NULL;
			} else {
				held[i] = kmalloc(8 + s % 2000, GFP_KERNEL);
			}
		}
		if (s % 64 == 0)
			kmem_cache_shrink(cache);
	}
	for (i = 0; i < 64; i++)
		kfree(held[i]);
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
	pthread_t t[4];
	struct kmem_cache_info info;

	ASSERT_NOT_NULL(k);
	kmm_set_report_hook(count_report, NULL);
	cache = kmem_cache_create("xthread", 256, 0, SLAB_HWCACHE_ALIGN, NULL);
	ring.head = ring.tail = 0;
	ring.done = 0;
	pthread_create(&t[0], NULL, producer, NULL);
	pthread_create(&t[1], NULL, consumer, NULL);
	pthread_create(&t[2], NULL, mixer, (void *)1);
	pthread_create(&t[3], NULL, mixer, (void *)2);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(reports, 0);
	ASSERT_EQ(check_slab_invariants(cache), 0);
	ASSERT_EQ(check_slab_invariants(kmem_cache_find("kmalloc-2k")), 0);
	kmem_cache_get_info(cache, &info);
	printf("  %lu objects in %lu slabs before shrink\n", info.num_objs, info.num_slabs);
	ASSERT_EQ(kmem_cache_shrink(cache), 0);	/* every object came back */
	kmem_cache_destroy(cache);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

TEST(cross_thread_frees_more_threads_than_cpus)
{
	run(2);
}

TEST(cross_thread_frees_every_thread_a_cpu)
{
	run(4);
}

int main(void)
{
	RUN_TEST(cross_thread_frees_more_threads_than_cpus);
	RUN_TEST(cross_thread_frees_every_thread_a_cpu);
	return harness_summary();
}
