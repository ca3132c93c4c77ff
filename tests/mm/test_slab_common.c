/*
 * tests/mm/test_slab_common.c - kmalloc and friends: every size lands in
 * the smallest class that fits, large sizes go to the page allocator,
 * overflow checks, krealloc, string helpers, bad kfree.
 */
#include <stdint.h>
#include "mm/slab.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"


static struct kmm *boot(void)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

static size_t class_of(size_t size)
{
	static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512,
					  1024, 2048, 4096, 8192 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(classes); i++)
		if (size <= classes[i])
			return classes[i];
	return 0;
}

TEST(every_size_lands_in_smallest_class)
{
	struct kmm *k = boot();
	size_t size;

	ASSERT_NOT_NULL(k);
	for (size = 1; size <= 8192; size++) {
		void *p = kmalloc(size, GFP_KERNEL);
		struct kmem_cache *s;

		ASSERT_NOT_NULL(p);
		s = compound_head(virt_to_page(p))->slab_cache;
		if (kmem_cache_size(s) != class_of(size))
			TEST_FAIL_("kmalloc(%zu) came from %s", size, kmem_cache_name(s));
		ASSERT_TRUE(ksize(p) >= size);
		ASSERT_EQ(ksize(p), class_of(size));
		memset(p, 0xcc, size);
		kfree(p);
	}
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(large_and_zero_sizes)
{
	struct kmm *k = boot();
	unsigned long before;
	void *p;

	ASSERT_NOT_NULL(k);
	drain_all_pages(NULL);
	before = nr_free_pages();
	p = kmalloc(20000, GFP_KERNEL);			/* order 3 from the buddy */
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(ksize(p), 32768);
	ASSERT_FALSE(PageSlab(virt_to_page(p)));
	memset(p, 1, 20000);
	kfree(p);
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_TRUE(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	ASSERT_NULL(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(array_helpers_check_overflow)
{
	struct kmm *k = boot();
	unsigned int *a;
	size_t i;

	ASSERT_NOT_NULL(k);
	ASSERT_NULL(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	ASSERT_NULL(kcalloc(1ul << 40, 1ul << 40, GFP_KERNEL));
	a = kcalloc(100, sizeof(*a), GFP_KERNEL);
	for (i = 0; i < 100; i++)
		ASSERT_EQ(a[i], 0);
	kfree(a);
	a = kzalloc(64, GFP_KERNEL);
	ASSERT_EQ(a[15], 0);
	kfree(a);
	kmm_shutdown(k);
}

TEST(krealloc_keeps_contents)
{
	struct kmm *k = boot();
	unsigned char *p, *q;
	int i;

	ASSERT_NOT_NULL(k);
	p = kmalloc(50, GFP_KERNEL);
	for (i = 0; i < 50; i++)
		p[i] = (unsigned char)i;
	q = krealloc(p, 60, GFP_KERNEL);		/* same class (64): in place */
	ASSERT_TRUE(q == p);
	q = krealloc(p, 3000, GFP_KERNEL);		/* moves */
	ASSERT_TRUE(q != p);
	for (i = 0; i < 50; i++)
		ASSERT_EQ(q[i], i);
	q = krealloc(q, 50000, GFP_KERNEL);		/* to the page allocator */
	for (i = 0; i < 50; i++)
		ASSERT_EQ(q[i], i);
	ASSERT_TRUE(krealloc(q, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	p = krealloc(NULL, 10, GFP_KERNEL);
	ASSERT_EQ(ksize(p), 16);
	kfree(p);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(string_helpers)
{
	struct kmm *k = boot();
	char *s;
	int *m;
	int src[3] = { 1, 2, 3 };

	ASSERT_NOT_NULL(k);
	s = kstrdup("hello, kernel", GFP_KERNEL);
	ASSERT_STR_EQ(s, "hello, kernel");
	kfree(s);
	s = kstrndup("truncate me", 8, GFP_KERNEL);
	ASSERT_STR_EQ(s, "truncate");
	kfree(s);
	ASSERT_NULL(kstrdup(NULL, GFP_KERNEL));
	m = kmemdup(src, sizeof(src), GFP_KERNEL);
	ASSERT_EQ(m[2], 3);
	kvfree(m);
	m = kvzalloc(100000, GFP_KERNEL);
	ASSERT_NOT_NULL(m);
	ASSERT_EQ(m[9999], 0);
	kvfree(m);
	kmm_shutdown(k);
}

TEST(bad_kfree_is_reported)
{
	struct kmm *k = boot();
	char local[16];
	char *p, *big;

	ASSERT_NOT_NULL(k);
	p = kmalloc(100, GFP_KERNEL);
	kfree(p + 4);
	ASSERT_CONTAINS(last_report, "BUG kmalloc-128: pointer into the middle of an object");
	kfree(p);
	kfree(p);
	ASSERT_CONTAINS(last_report, "BUG kmalloc-128: double free");
	kfree(local);
	ASSERT_CONTAINS(last_report, "not a kmm pointer");
	big = kmalloc(40000, GFP_KERNEL);
	kfree(big + PAGE_SIZE);
	ASSERT_CONTAINS(last_report, "which kmalloc did not return");
	kfree(big);
	{
		/* A compound page from alloc_pages is not kmalloc's to free. */
		struct page *pg = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);

		kfree(page_address(pg));
		ASSERT_CONTAINS(last_report, "which kmalloc did not return");
		__free_pages(pg, 2);
	}
	kmem_cache_destroy(kmem_cache_find("kmalloc-64"));
	ASSERT_CONTAINS(last_report, "a cache of the kernel itself cannot be destroyed");
	ASSERT_NOT_NULL(kmalloc(64, GFP_KERNEL));
	ASSERT_NULL(kmalloc(0x8000000000000001ul, GFP_KERNEL | __GFP_NOWARN));
	ASSERT_EQ(reports_seen, 6);
	ASSERT_EQ(check_slab_invariants(kmem_cache_find("kmalloc-128")), 0);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

/* One call site, so the warning is given once for it. */
__attribute__((noinline)) void *fix_flags_site(size_t size, gfp_t gfp);
__attribute__((noinline)) void *fix_flags_site(size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);

	__asm__ volatile("" ::: "memory");	/* not a tail call */
	return p;
}

/* Nonsense gfp: warned about (once per call site), fixed, and served. */
TEST(kmalloc_fixes_bad_gfp)
{
	struct kmm *k = boot();
	struct page *page;
	unsigned char *p;
	void *q;
	int i;

	ASSERT_NOT_NULL(k);
	p = fix_flags_site(64, 0xffffffffu);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(reports_seen, 1);
	/* The flags named as %pGg names them (mm/gfp.c decides how). */
	ASSERT_CONTAINS(last_report, "WARNING: kmalloc: Unexpected gfp: 0xffc00006 (");
	ASSERT_CONTAINS(last_report, "__GFP_HIGHMEM|0xffc00000). Fixing up to gfp: 0x3ffff9 (");
	ASSERT_CONTAINS(last_report, "|__GFP_ZERO|");
	ASSERT_CONTAINS(last_report, "). Fix your code!\ncaller: fix_flags_site+0x");
	/* What is left is honoured: __GFP_DMA picks dma-kmalloc, and the
	 * object is zeroed (__GFP_ZERO). */
	page = compound_head(virt_to_page(p));
	ASSERT_STR_EQ(page->slab_cache->name, "dma-kmalloc-64");
	for (i = 0; i < 64; i++)
		ASSERT_EQ(p[i], 0);
	kfree(p);
	/* The same site again: fixed, not warned again. */
	for (i = 0; i < 1000; i++) {
		q = fix_flags_site(32, GFP_KERNEL | __GFP_DMA | __GFP_DMA32);
		ASSERT_NOT_NULL(q);
		ASSERT_STR_EQ(compound_head(virt_to_page(q))->slab_cache->name, "dma-kmalloc-32");
		kfree(q);
	}
	ASSERT_EQ(reports_seen, 1);
	/* Another site is warned on its own, the large path too. */
	q = kmalloc(64ul << 10, GFP_KERNEL | (1u << 30));
	ASSERT_NOT_NULL(q);
	ASSERT_EQ(reports_seen, 2);
	ASSERT_CONTAINS(last_report, "Unexpected gfp: 0x40000000 (0x40000000). Fixing up to gfp: 0xf00 (");
	kfree(q);
	q = kmalloc(100, GFP_KERNEL | __GFP_DMA | __GFP_DMA32);
	ASSERT_EQ(reports_seen, 3);
	ASSERT_CONTAINS(last_report, "Unexpected gfp: 0x4 (");
	ASSERT_CONTAINS(last_report, "). Fixing up to gfp: 0xf01 (");
	kfree(q);
	ASSERT_EQ(reports_seen, 3);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(every_size_lands_in_smallest_class);
	RUN_TEST(large_and_zero_sizes);
	RUN_TEST(array_helpers_check_overflow);
	RUN_TEST(krealloc_keeps_contents);
	RUN_TEST(string_helpers);
	RUN_TEST(bad_kfree_is_reported);
	RUN_TEST(kmalloc_fixes_bad_gfp);
	return harness_summary();
}
