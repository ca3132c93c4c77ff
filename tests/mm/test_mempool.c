/*
 * tests/mm/test_mempool.c - a mempool keeps min_nr elements for when the
 * allocator behind it has nothing left.
 */
#include "mm/slab.h"
#include "tests/harness.h"

static void quiet(const char *r, void *a)
{
	(void)r;
	(void)a;
}

TEST(pool_survives_exhaustion)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct kmem_cache *c;
	mempool_t *pool;
	void *got[8], **hog = NULL;
	size_t nhog = 0, cap = 0;
	int i;

	ASSERT_NOT_NULL(k);
	kmm_set_report_hook(quiet, NULL);
	c = kmem_cache_create("io-request", 512, 0, 0, NULL);
	pool = mempool_create_slab_pool(8, c);
	ASSERT_NOT_NULL(pool);
	ASSERT_EQ(mempool_curr_nr(pool), 8);
	/* Eat every page the allocator will give. */
	for (;;) {
		struct page *p = alloc_page(GFP_ATOMIC | __GFP_NOWARN);

		if (!p)
			break;
		if (nhog == cap) {
			cap = cap ? cap * 2 : 4096;
			hog = realloc(hog, cap * sizeof(*hog));
		}
		hog[nhog++] = p;
	}
	/* Drain the cache's arrays so only the pool can answer. */
	kmem_cache_shrink(c);
	ASSERT_NULL(kmem_cache_alloc(c, GFP_NOWAIT));
	for (i = 0; i < 8; i++) {
		got[i] = mempool_alloc(pool, GFP_NOWAIT);
		ASSERT_NOT_NULL(got[i]);
	}
	ASSERT_EQ(mempool_curr_nr(pool), 0);
	ASSERT_NULL(mempool_alloc(pool, GFP_NOWAIT));	/* cannot sleep: fails */
	for (i = 0; i < 8; i++)
		mempool_free(got[i], pool);
	ASSERT_EQ(mempool_curr_nr(pool), 8);		/* refilled first */
	while (nhog)
		__free_pages(hog[--nhog], 0);
	free(hog);
	ASSERT_EQ(mempool_resize(pool, 16), 0);
	ASSERT_EQ(mempool_curr_nr(pool), 16);
	ASSERT_EQ(mempool_resize(pool, 2), 0);
	ASSERT_EQ(mempool_curr_nr(pool), 2);
	mempool_destroy(pool);
	ASSERT_EQ(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	kmm_shutdown(k);
}

TEST(kmalloc_and_page_pools)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	mempool_t *kp, *pp;
	void *e;

	ASSERT_NOT_NULL(k);
	kp = mempool_create_kmalloc_pool(4, 300);
	pp = mempool_create_page_pool(2, 1);
	ASSERT_NOT_NULL(kp);
	ASSERT_NOT_NULL(pp);
	e = mempool_alloc(kp, GFP_KERNEL);
	ASSERT_EQ(ksize(e), 512);
	mempool_free(e, kp);
	e = mempool_alloc(pp, GFP_KERNEL);
	memset(page_address(e), 1, 2 * PAGE_SIZE);
	mempool_free(e, pp);
	ASSERT_NULL(mempool_create(0, mempool_kmalloc, mempool_kfree, (void *)8));
	mempool_destroy(kp);
	mempool_destroy(pp);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(pool_survives_exhaustion);
	RUN_TEST(kmalloc_and_page_pools);
	return harness_summary();
}
