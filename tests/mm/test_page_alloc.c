/*
 * tests/mm/test_page_alloc.c - the buddy allocator: boot layout, split and
 * merge, watermarks and reserves, zone fallback, migratetypes, compound
 * pages, per-CPU lists and every kind of bad free.
 */
#include <errno.h>
#include <stdint.h>
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"


static struct kmm *boot(unsigned long mem, unsigned int cpus)
{
	struct kmm_config cfg = { .mem = mem, .cpus = cpus, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

static struct zone *zone_of(struct kmm *k, enum zone_type t)
{
	return &k->mem->node.node_zones[t];
}

static unsigned long zone_free(struct kmm *k, enum zone_type t)
{
	return zone_page_state(zone_of(k, t), NR_FREE_PAGES);
}


TEST(boot_layout_is_a_pc)
{
	struct kmm *k = boot(1ul << 30, 2);
	struct zone *dma, *dma32;
	char buf[8192];

	ASSERT_NOT_NULL(k);
	dma = zone_of(k, ZONE_DMA);
	dma32 = zone_of(k, ZONE_DMA32);
	/* Exactly what a 6.x x86-64 kernel shows for DMA on a PC. */
	ASSERT_EQ(dma->zone_start_pfn, 1);
	ASSERT_EQ(dma->spanned_pages, 4095);
	ASSERT_EQ(dma->present_pages, 3998);
	ASSERT_EQ(dma->managed_pages, 3840);
	ASSERT_EQ(dma32->zone_start_pfn, 4096);
	ASSERT_EQ(dma32->spanned_pages, 262144 - 4096);
	/* 8 sections x 2 MiB of struct pages, the pageblock map, and the
	 * direct map's tables: PGD, PUD, PMD and the PTE page of the first
	 * 2 MiB (which starts at 1 MiB, so it cannot be one 2 MiB leaf). */
	ASSERT_EQ(dma32->present_pages - dma32->managed_pages, 8 * 512 + 1 + 4);
	ASSERT_FALSE(populated_zone(zone_of(k, ZONE_NORMAL)));
	/* Every managed page is free, except what the slab bootstrap took:
	 * slabs of the kmem_cache cache and the per-CPU arrays. */
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages() + node_page_state(&k->mem->node, NR_SLAB_UNRECLAIMABLE) +
		  node_page_state(&k->mem->node, NR_SLAB_RECLAIMABLE) + k->mem->percpu_pages,
		  dma->managed_pages + dma32->managed_pages);
	/* The hole and the reserved megabyte are not RAM for the allocator. */
	ASSERT_TRUE(PageReserved(pfn_to_page(0xa0)));
	ASSERT_TRUE(PageReserved(pfn_to_page(0x10)));
	/* Like x86-64 Linux: the hole has struct pages (reserved), so its
	 * addresses are valid; outside RAM they are not. */
	ASSERT_TRUE(virt_addr_valid(__va(0xa0000)));
	ASSERT_FALSE(virt_addr_valid(__va(2ul << 30)));
	ASSERT_TRUE(virt_addr_valid(__va(0x200000)));
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_TRUE(kmm_proc_read("/proc/buddyinfo", buf, sizeof(buf)) > 0);
	ASSERT_CONTAINS(buf, "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n");
	kmm_shutdown(k);
}

TEST(big_machine_has_normal_zone_above_4g)
{
	struct kmm *k = boot(6ul << 30, 1);
	struct zone *normal;

	ASSERT_NOT_NULL(k);
	normal = zone_of(k, ZONE_NORMAL);
	/* RAM above 3 GiB is moved above the PCI window, as on a PC. */
	ASSERT_EQ(normal->zone_start_pfn, (4ul << 30) >> PAGE_SHIFT);
	ASSERT_EQ(normal->spanned_pages, (3ul << 30) >> PAGE_SHIFT);
	ASSERT_EQ(zone_of(k, ZONE_DMA32)->spanned_pages, ((3ul << 30) >> PAGE_SHIFT) - 4096);
	ASSERT_FALSE(pfn_valid(((3ul << 30) >> PAGE_SHIFT) + 5));
	/* GFP_KERNEL prefers the highest zone. */
	{
		struct page *p = alloc_pages(GFP_KERNEL, 0);

		ASSERT_NOT_NULL(p);
		ASSERT_EQ(page_zonenum(p), ZONE_NORMAL);
		__free_pages(p, 0);
	}
	/* DMA32 protects itself from NORMAL-capable allocations. */
	ASSERT_EQ(zone_of(k, ZONE_DMA32)->lowmem_reserve[ZONE_NORMAL],
		  (long)(zone_managed_pages(normal) / 256));
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

/* The watermark formulas of Linux's __setup_per_zone_wmarks, recomputed. */
TEST(watermarks_follow_linux_formulas)
{
	struct kmm *k = boot(1ul << 30, 2);
	unsigned long managed = 0, lowmem_kb, sqrt_kb, pages_min;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		managed += zone_managed_pages(zone_of(k, i));
	lowmem_kb = managed * 4;
	for (sqrt_kb = 0; (sqrt_kb + 1) * (sqrt_kb + 1) <= lowmem_kb * 16; sqrt_kb++)
		;
	ASSERT_EQ(k->mem->min_free_kbytes, sqrt_kb);
	pages_min = sqrt_kb / 4;
	for (i = ZONE_DMA; i <= ZONE_DMA32; i++) {
		struct zone *z = zone_of(k, i);
		unsigned long m = zone_managed_pages(z);
		unsigned long min = pages_min * m / managed;
		unsigned long gap = max(min / 4, m * 10 / 10000);

		ASSERT_EQ(min_wmark_pages(z), min);
		ASSERT_EQ(low_wmark_pages(z), min + gap);
		ASSERT_EQ(high_wmark_pages(z), min + 2 * gap);
		ASSERT_EQ(promo_wmark_pages(z), min + 3 * gap);
	}
	ASSERT_EQ(zone_of(k, ZONE_DMA)->lowmem_reserve[ZONE_DMA32],
		  (long)(zone_managed_pages(zone_of(k, ZONE_DMA32)) / 256));
	ASSERT_EQ(zone_of(k, ZONE_DMA)->lowmem_reserve[ZONE_DMA], 0);
	/* The host's DMA zone: batch 1 and high_min = low / cpus. */
	ASSERT_EQ(zone_of(k, ZONE_DMA)->per_cpu_pageset[0].batch, 1);
	ASSERT_EQ(zone_of(k, ZONE_DMA)->per_cpu_pageset[1].high_min,
		  (int)(low_wmark_pages(zone_of(k, ZONE_DMA)) / 2));
	kmm_shutdown(k);
}

TEST(min_free_kbytes_option_is_honoured)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .min_free_kbytes = 67584, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	char buf[64];

	ASSERT_NOT_NULL(k);
	ASSERT_EQ(k->mem->min_free_kbytes, 67584);
	kmm_proc_read("/proc/sys/vm/min_free_kbytes", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "67584\n");
	kmm_shutdown(k);
}

TEST(bad_config_is_refused)
{
	struct kmm_config cfg = { .mem = (64ul << 20) + 4096 };
	char err[160];

	ASSERT_NULL(kmm_boot(&cfg));
	ASSERT_NULL(kmm_current());
	ASSERT_EQ(kmm_config_set(&cfg, "mem", "12Q", err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "mem");
	ASSERT_EQ(kmm_config_set(&cfg, "cpus", "0", err, sizeof(err)), -1);
	ASSERT_EQ(kmm_config_set(&cfg, "nosuch", "1", err, sizeof(err)), -1);
	ASSERT_EQ(kmm_config_set(&cfg, "mem", "64M", err, sizeof(err)), 0);
	ASSERT_EQ(cfg.mem, 64ul << 20);
}

struct held {
	struct page *page;
	unsigned int order;
	unsigned char fill;
};

/*
 * Random alloc/free of every order in every zone, checking the invariants
 * after each step and the bytes of every held block; then everything is
 * freed and buddyinfo must be exactly the boot-time one.
 */
TEST(split_merge_restores_buddyinfo)
{
	static struct held held[600];
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_KERNEL | __GFP_DMA,
				      GFP_KERNEL | __GFP_DMA32, GFP_ATOMIC,
				      GFP_HIGHUSER_MOVABLE, GFP_KERNEL | __GFP_RECLAIMABLE,
				      GFP_KERNEL | __GFP_COMP };
	struct kmm *k = boot(64ul << 20, 2);
	char before[4096], after[4096];
	unsigned long free_before;
	int n = 0, step, steps = 1500 * (int)TEST_SCALE();

	ASSERT_NOT_NULL(k);
	rnd_state = TEST_SEED() * 0x9e3779b97f4a7c15ull + 1;
	drain_all_pages(NULL);
	kmm_proc_read("/proc/buddyinfo", before, sizeof(before));
	free_before = nr_free_pages();
	for (step = 0; step < steps; step++) {
		if (n < (int)ARRAY_SIZE(held) && (n == 0 || rnd() % 100 < 55)) {
			unsigned int order = (unsigned int)(rnd() % NR_PAGE_ORDERS);
			gfp_t gfp = gfps[rnd() % ARRAY_SIZE(gfps)] | __GFP_NOWARN;
			struct page *p = alloc_pages(gfp, order);

			if (p) {
				if (gfp & __GFP_DMA)
					ASSERT_EQ(page_zonenum(p), ZONE_DMA);
				ASSERT_EQ(page_to_pfn(p) & ((1ul << order) - 1), 0);
				held[n].page = p;
				held[n].order = order;
				held[n].fill = (unsigned char)rnd();
				memset(page_address(p), held[n].fill, PAGE_SIZE << order);
				n++;
			}
		} else {
			int i = (int)(rnd() % (unsigned)n);
			unsigned char *b = page_address(held[i].page);
			unsigned long j, len = PAGE_SIZE << held[i].order;

			for (j = 0; j < len; j += 512)
				ASSERT_EQ(b[j], held[i].fill);
			__free_pages(held[i].page, held[i].order);
			held[i] = held[--n];
		}
		if (check_buddy_invariants())
			TEST_FAIL_("invariants broken at step %d: %s", step, last_report);
	}
	while (n > 0) {
		n--;
		__free_pages(held[n].page, held[n].order);
	}
	drain_all_pages(NULL);
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_EQ(nr_free_pages(), free_before);
	kmm_proc_read("/proc/buddyinfo", after, sizeof(after));
	ASSERT_STR_EQ(after, before);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

/* Allocates order-0 pages with gfp until it fails; returns how many. */
static unsigned long exhaust(gfp_t gfp, struct page ***list, unsigned long *cap,
			     unsigned long *n)
{
	unsigned long got = 0;
	struct page *p;

	while ((p = alloc_pages(gfp | __GFP_NOWARN, 0))) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			*list = realloc(*list, *cap * sizeof(**list));
		}
		(*list)[(*n)++] = p;
		got++;
	}
	return got;
}

TEST(watermarks_gate_reserves)
{
	struct kmm *k = boot(64ul << 20, 1);
	struct zone *z = zone_of(k, ZONE_DMA32);
	struct page **list = NULL;
	unsigned long cap = 0, n = 0, i, min = min_wmark_pages(z);
	long free_after_kernel, free_after_high, free_after_atomic;

	ASSERT_NOT_NULL(k);
	/* GFP_DMA32 keeps DMA out of the picture. */
	exhaust(GFP_KERNEL | __GFP_DMA32, &list, &cap, &n);
	free_after_kernel = (long)zone_free(k, ZONE_DMA32);
	/* GFP_KERNEL stops at min: what is left, on the buddy or per-CPU
	 * lists, is about the min watermark. */
	ASSERT_LE(free_after_kernel, (long)min + 1);
	ASSERT_LE((long)min - 64, free_after_kernel + (long)zone_pcp_count(k, z));
	ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_DMA32 | __GFP_NOWARN, 0));
	/* __GFP_NOFAIL may dig into the min reserve. */
	{
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_DMA32 | __GFP_NOFAIL, 0);

		ASSERT_NOT_NULL(p);
		__free_pages(p, 0);
	}
	/* __GFP_HIGH may go down to half of min ... */
	exhaust(__GFP_HIGH | __GFP_DIRECT_RECLAIM | __GFP_DMA32, &list, &cap, &n);
	free_after_high = (long)zone_free(k, ZONE_DMA32);
	ASSERT_LE(free_after_high, (long)(min - min / 2) + 1);
	ASSERT_LE((long)(min - min / 2) - 1, free_after_high);
	/* ... and GFP_ATOMIC (high and non-blocking) to 3/8 of it. */
	exhaust(GFP_ATOMIC | __GFP_DMA32, &list, &cap, &n);
	free_after_atomic = (long)zone_free(k, ZONE_DMA32);
	{
		long m = (long)(min - min / 2);

		m -= m / 4;
		ASSERT_LE(free_after_atomic, m + 1);
		ASSERT_LE(m - 1, free_after_atomic);
	}
	/* A failure changes nothing and, without __GFP_NOWARN, warns. */
	reports_seen = 0;
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_DMA32, 0));
	ASSERT_EQ(reports_seen, 1);
	ASSERT_CONTAINS(last_report, "page allocation failure: order:0, mode:");
	ASSERT_CONTAINS(last_report, "mode:0xf04(GFP_KERNEL|GFP_DMA32)");
	/* Where nothing can ever free memory, __GFP_NOFAIL reports, not hangs. */
	k->mem->nofail_may_wait = false;
	ASSERT_NULL(alloc_pages(GFP_ATOMIC | __GFP_DMA32 | __GFP_NOFAIL, 0));
	ASSERT_CONTAINS(last_report, "__GFP_NOFAIL allocation cannot be met");
	for (i = 0; i < n; i++)
		__free_pages(list[i], 0);
	free(list);
	drain_all_pages(NULL);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

TEST(zone_fallback_and_dma_only)
{
	struct kmm *k = boot(64ul << 20, 1);
	struct page **list = NULL;
	unsigned long cap = 0, n = 0, i, got_dma32 = 0, got_dma = 0;
	struct zone *dma = zone_of(k, ZONE_DMA);

	ASSERT_NOT_NULL(k);
	/* The static watermarks: no boost from the fallbacks on the way
	 * (kswapd, hopeless on a machine with nothing to reclaim, would keep
	 * it; tests/mm/test_vmscan.c tests the boost). */
	k->mem->watermark_boost_factor = 0;
	exhaust(GFP_KERNEL, &list, &cap, &n);
	for (i = 0; i < n; i++) {
		if (page_zonenum(list[i]) == ZONE_DMA32)
			got_dma32++;
		else if (page_zonenum(list[i]) == ZONE_DMA)
			got_dma++;
	}
	/* DMA32 first, then DMA, which keeps min plus its lowmem reserve. */
	ASSERT_TRUE(got_dma32 > 0);
	ASSERT_TRUE(got_dma > 0);
	ASSERT_EQ(page_zonenum(list[0]), ZONE_DMA32);
	ASSERT_LE((long)min_wmark_pages(dma) + dma->lowmem_reserve[ZONE_NORMAL] - 64,
		  (long)zone_free(k, ZONE_DMA) + (long)zone_pcp_count(k, dma));
	/* GFP_DMA may still use what DMA protected from the others. */
	{
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_DMA, 0);

		ASSERT_NOT_NULL(p);
		ASSERT_EQ(page_zonenum(p), ZONE_DMA);
		__free_pages(p, 0);
	}
	for (i = 0; i < n; i++)
		__free_pages(list[i], 0);
	n = 0;
	/* DMA exhausted: GFP_DMA fails even though DMA32 is free. */
	exhaust(GFP_KERNEL | __GFP_DMA, &list, &cap, &n);
	for (i = 0; i < n; i++)
		ASSERT_EQ(page_zonenum(list[i]), ZONE_DMA);
	ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_DMA | __GFP_NOWARN, 0));
	ASSERT_NOT_NULL(list[0]);
	{
		struct page *p = alloc_pages(GFP_KERNEL, 0);

		ASSERT_NOT_NULL(p);
		ASSERT_EQ(page_zonenum(p), ZONE_DMA32);
		__free_pages(p, 0);
	}
	for (i = 0; i < n; i++)
		__free_pages(list[i], 0);
	free(list);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

TEST(zero_and_compound_pages)
{
	struct kmm *k = boot(64ul << 20, 1);
	struct page *p;
	unsigned char *b;
	unsigned long i;
	unsigned long free_before = nr_free_pages();

	ASSERT_NOT_NULL(k);
	/* Dirty a block, free it, get it back zeroed. */
	p = alloc_pages(GFP_KERNEL, 2);
	memset(page_address(p), 0xab, 4 * PAGE_SIZE);
	__free_pages(p, 2);
	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	b = page_address(p);
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		if (b[i])
			TEST_FAIL_("byte %lu not zero", i);
	__free_pages(p, 2);
	/* Compound: tails know their head; put_page frees the whole. */
	p = alloc_pages(GFP_KERNEL | __GFP_COMP, 4);
	ASSERT_TRUE(PageHead(p));
	ASSERT_EQ(compound_order(p), 4);
	for (i = 1; i < 16; i++) {
		ASSERT_TRUE(PageTail(p + i));
		ASSERT_TRUE(compound_head(p + i) == p);
	}
	get_page(p + 5);		/* a ref through a tail lands on the head */
	ASSERT_EQ(page_count(p), 2);
	put_page(p + 7);
	ASSERT_EQ(page_count(p), 1);
	put_page(p);
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), free_before);
	for (i = 1; i < 16; i++)
		ASSERT_FALSE(PageTail(p + i));
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(address_helpers)
{
	struct kmm *k = boot(64ul << 20, 1);
	unsigned long addr, z;
	struct page *p;
	void *v;

	ASSERT_NOT_NULL(k);
	addr = __get_free_pages(GFP_KERNEL, 1);
	ASSERT_TRUE(addr != 0);
	p = virt_to_page((void *)addr);
	ASSERT_TRUE(page_address(p) == (void *)addr);
	ASSERT_EQ(virt_to_phys((void *)addr), page_to_phys(p));
	ASSERT_TRUE(phys_to_virt(page_to_phys(p)) == (void *)addr);
	/* The simulated kernel address resolves to the same byte. */
	ASSERT_EQ(kmm_kaddr((void *)addr), PAGE_OFFSET + page_to_phys(p));
	ASSERT_EQ(virt_to_phys((void *)kmm_kaddr((void *)addr)), page_to_phys(p));
	ASSERT_TRUE(virt_addr_valid((void *)kmm_kaddr((void *)addr)));
	free_pages(addr, 1);
	z = get_zeroed_page(GFP_KERNEL);
	ASSERT_EQ(((unsigned char *)z)[100], 0);
	free_page(z);
	v = alloc_pages_exact(5 * PAGE_SIZE, GFP_KERNEL);
	ASSERT_NOT_NULL(v);
	memset(v, 1, 5 * PAGE_SIZE);
	free_pages_exact(v, 5 * PAGE_SIZE);
	ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1));
	drain_all_pages(NULL);
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

/* Every misuse is reported, and nothing about the allocator changes. */
TEST(bad_frees_are_reported_and_ignored)
{
	struct kmm *k = boot(64ul << 20, 1);
	struct page *p0, *p3, *pc;
	unsigned long free_before, pcp_before, reports;
	char stack_buf[64];

	ASSERT_NOT_NULL(k);
	p0 = alloc_pages(GFP_KERNEL, 0);
	p3 = alloc_pages(GFP_KERNEL, 3);
	pc = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	__free_pages(p0, 0);			/* now on the pcp list */
	free_before = nr_free_pages();
	pcp_before = zone_pcp_count(k, zone_of(k, ZONE_DMA32));
	reports = reports_seen;

	__free_pages(p0, 0);			/* double free of a pcp page */
	ASSERT_CONTAINS(last_report, "double free");
	__free_pages(p3, 2);			/* wrong order */
	ASSERT_CONTAINS(last_report, "allocated as order:3");
	__free_pages(p3 + 1, 0);		/* a page inside the block */
	ASSERT_CONTAINS(last_report, "already free");
	__free_pages(pc + 1, 0);		/* a tail page */
	ASSERT_CONTAINS(last_report, "tail page");
	__free_pages(p3 + 2, 2);		/* unaligned to the order */
	ASSERT_CONTAINS(last_report, "not aligned");
	__free_pages(pfn_to_page(0x10), 0);	/* reserved low memory */
	ASSERT_CONTAINS(last_report, "reserved");
	__free_pages((struct page *)stack_buf, 0); /* not a struct page */
	ASSERT_CONTAINS(last_report, "not a struct page");
	free_pages((unsigned long)stack_buf, 0); /* not RAM */
	ASSERT_CONTAINS(last_report, "not in RAM");
	free_pages((unsigned long)page_address(p3) + 8, 0);
	ASSERT_CONTAINS(last_report, "not page aligned");
	__free_pages(p3, 11);			/* order out of range */
	ASSERT_CONTAINS(last_report, "MAX_PAGE_ORDER");
	ASSERT_EQ(reports_seen - reports, 10);
	ASSERT_EQ(nr_free_pages(), free_before);
	ASSERT_EQ(zone_pcp_count(k, zone_of(k, ZONE_DMA32)), pcp_before);
	ASSERT_EQ(check_buddy_invariants(), 0);
	/* The right frees still work afterwards. */
	__free_pages(p3, 3);
	__free_pages(pc, 2);
	drain_all_pages(NULL);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

TEST(bad_page_state_is_reported_and_page_kept_out)
{
	struct kmm *k = boot(64ul << 20, 1);
	struct page *p;
	unsigned long free_before;

	ASSERT_NOT_NULL(k);
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	p = alloc_pages(GFP_KERNEL, 0);
	p->mapping = (struct address_space *)0x1234;	/* still "mapped" */
	/* __free_pages refuses before it changes anything ... */
	__free_pages(p, 0);
	ASSERT_CONTAINS(last_report, "page still in use: non-NULL mapping");
	ASSERT_EQ(page_count(p), 1);
	/* ... put_page, like Linux, reports the bad state after the count
	 * dropped and keeps the page out of the allocator for good. */
	put_page(p);
	ASSERT_CONTAINS(last_report, "BUG: Bad page state");
	ASSERT_CONTAINS(last_report, "non-NULL mapping");
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), free_before - 1);
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_EQ(k->mem->nr_reports_bad_page, 1);
	ASSERT_EQ(k->mem->nr_reports_bad_free, 1);
	kmm_shutdown(k);
}

TEST(refcount_keeps_page_alive)
{
	struct kmm *k = boot(64ul << 20, 1);
	struct page *p;
	unsigned long free_before;

	ASSERT_NOT_NULL(k);
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	p = alloc_pages(GFP_KERNEL, 0);
	get_page(p);
	__free_pages(p, 0);		/* drops one ref, page stays */
	ASSERT_EQ(page_count(p), 1);
	ASSERT_TRUE(get_page_unless_zero(p));
	put_page(p);
	put_page(p);			/* last ref frees */
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), free_before);
	ASSERT_FALSE(get_page_unless_zero(p));
	put_page(p);			/* one too many */
	ASSERT_CONTAINS(last_report, "no references");
	ASSERT_EQ(nr_free_pages(), free_before);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

TEST(pcp_lists_batch_and_drain)
{
	struct kmm *k = boot(256ul << 20, 2);
	struct zone *z = zone_of(k, ZONE_DMA32);
	struct per_cpu_pages *pcp;
	struct page *pages[2000];
	unsigned int cpu;
	int i;

	ASSERT_NOT_NULL(k);
	drain_all_pages(NULL);
	pages[0] = alloc_pages(GFP_KERNEL, 0);
	cpu = smp_processor_id(k);
	pcp = &z->per_cpu_pageset[cpu];
	/* One refill brought a batch; one page of it is in use. */
	ASSERT_EQ(pcp->count, pcp->batch - 1);
	for (i = 1; i < 2000; i++)
		pages[i] = alloc_pages(GFP_KERNEL, 0);
	for (i = 0; i < 2000; i++)
		__free_pages(pages[i], 0);
	/* Frees past high went back to the buddy in batches. */
	ASSERT_LE(pcp->count, pcp->high);
	ASSERT_TRUE(pcp->count > 0);
	drain_all_pages(NULL);
	ASSERT_EQ(pcp->count, 0);
	ASSERT_EQ(zone_pcp_count(k, z), 0);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

static unsigned long blocks_of(struct kmm *k, struct zone *z, int mt)
{
	unsigned long pfn, n = 0;

	for (pfn = ALIGN(z->zone_start_pfn, pageblock_nr_pages); pfn < zone_end_pfn(z);
	     pfn += pageblock_nr_pages)
		n += get_pageblock_migratetype(k, pfn) == mt;
	return n;
}

TEST(unmovable_steals_pageblocks)
{
	struct kmm *k = boot(64ul << 20, 1);
	struct zone *z = zone_of(k, ZONE_DMA32);
	struct page *p[3];
	char buf[16384];

	ASSERT_NOT_NULL(k);
	/* Everything starts movable; the first reclaimable allocation claims
	 * the whole order-10 block it splits: two pageblocks. */
	ASSERT_EQ(blocks_of(k, z, MIGRATE_RECLAIMABLE), 0);
	p[2] = alloc_pages(GFP_KERNEL | __GFP_RECLAIMABLE, 0);
	ASSERT_EQ(get_pageblock_migratetype(k, page_to_pfn(p[2])), MIGRATE_RECLAIMABLE);
	ASSERT_EQ(blocks_of(k, z, MIGRATE_RECLAIMABLE), 2);
	/* Each kind of allocation lands in a block of its kind. */
	p[0] = alloc_pages(GFP_KERNEL, 0);
	ASSERT_EQ(get_pageblock_migratetype(k, page_to_pfn(p[0])), MIGRATE_UNMOVABLE);
	p[1] = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	ASSERT_EQ(get_pageblock_migratetype(k, page_to_pfn(p[1])), MIGRATE_MOVABLE);
	kmm_proc_read("/proc/pagetypeinfo", buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "Page block order: 9\nPages per block:  512\n\n");
	{
		char want[128];

		snprintf(want, sizeof(want), "Node 0, zone    DMA32 %12lu %12lu %12lu ",
			 blocks_of(k, z, MIGRATE_UNMOVABLE), blocks_of(k, z, MIGRATE_MOVABLE),
			 blocks_of(k, z, MIGRATE_RECLAIMABLE));
		ASSERT_CONTAINS(buf, want);
	}
	__free_pages(p[0], 0);
	__free_pages(p[1], 0);
	__free_pages(p[2], 0);
	drain_all_pages(NULL);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

TEST(atomic_high_order_reserves_highatomic_block)
{
	struct kmm *k = boot(256ul << 20, 1);
	struct zone *z = zone_of(k, ZONE_DMA32);
	struct page **list = NULL, *p;
	unsigned long cap = 0, n = 0, i;

	ASSERT_NOT_NULL(k);
	/* Drive the zone below min so GFP_ATOMIC has to use the reserve path. */
	exhaust(GFP_KERNEL | __GFP_DMA32, &list, &cap, &n);
	for (i = 0; i < 64 && i < n; i++)	/* leave a few order-1 holes */
		if (!(page_to_pfn(list[i]) & 1) && i + 1 < n &&
		    page_to_pfn(list[i + 1]) == page_to_pfn(list[i]) + 1) {
			__free_pages(list[i], 0);
			__free_pages(list[i + 1], 0);
			list[i] = list[i + 1] = NULL;
			break;
		}
	drain_all_pages(NULL);
	p = alloc_pages(GFP_ATOMIC | __GFP_DMA32, 1);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(z->nr_reserved_highatomic, pageblock_nr_pages);
	ASSERT_EQ(blocks_of(k, z, MIGRATE_HIGHATOMIC), 1);
	ASSERT_EQ(check_buddy_invariants(), 0);
	__free_pages(p, 1);
	for (i = 0; i < n; i++)
		if (list[i])
			__free_pages(list[i], 0);
	free(list);
	drain_all_pages(NULL);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

TEST(vmstat_counts_allocations_and_frees)
{
	struct kmm *k = boot(64ul << 20, 1);
	unsigned long a0, f0;
	struct page *p[10];
	char buf[16384], want[64];
	int i;

	ASSERT_NOT_NULL(k);
	a0 = global_vm_event(PGALLOC_DMA32);
	f0 = global_vm_event(PGFREE);
	for (i = 0; i < 10; i++)
		p[i] = alloc_pages(GFP_KERNEL | __GFP_DMA32, i % 2);	/* 5 of 1 page, 5 of 2 */
	for (i = 0; i < 10; i++)
		__free_pages(p[i], i % 2);
	ASSERT_EQ(global_vm_event(PGALLOC_DMA32) - a0, 15);	/* counted in pages */
	ASSERT_EQ(global_vm_event(PGFREE) - f0, 15);
	kmm_proc_read("/proc/vmstat", buf, sizeof(buf));
	snprintf(want, sizeof(want), "\npgalloc_dma32 %lu\n", global_vm_event(PGALLOC_DMA32));
	ASSERT_CONTAINS(buf, want);
	kmm_shutdown(k);
}

TEST(proc_read_contract)
{
	struct kmm *k = boot(64ul << 20, 1);
	char small[16], big[65536];
	long full;

	ASSERT_NOT_NULL(k);
	ASSERT_EQ(kmm_proc_read("/proc/nosuch", big, sizeof(big)), -ENOENT);
	full = kmm_proc_read("/proc/zoneinfo", big, sizeof(big));
	ASSERT_EQ(full, (long)strlen(big));
	/* A small buffer gets the start, and the full length is still told. */
	ASSERT_EQ(kmm_proc_read("/proc/zoneinfo", small, sizeof(small)), full);
	ASSERT_EQ(strlen(small), sizeof(small) - 1);
	ASSERT_EQ(strncmp(small, big, sizeof(small) - 1), 0);
	ASSERT_CONTAINS(big, "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 0\n");
	ASSERT_CONTAINS(big, "\n  pagesets\n    cpu: 0\n              count:    ");
	ASSERT_CONTAINS(big, "\n  node_unreclaimable:  0\n  start_pfn:           1\n");
	kmm_proc_read("/proc/meminfo", big, sizeof(big));
	ASSERT_EQ(strncmp(big, "MemTotal:  ", 11), 0);
	ASSERT_CONTAINS(big, "\nHugePages_Total:       0\n");
	kmm_shutdown(k);
}

/*
 * Boot RAM above 4 GiB that ends inside a 128 MiB section: hot-added
 * memory starts at the next section boundary, the rest of the last boot
 * section stays a hole, and both ranges work.
 */
static void hot_add_after(unsigned long mem)
{
	struct kmm_config cfg = { .mem = mem, .max_mem = mem + (512ul << 20),
				  .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	unsigned long boot_end = (4ul << 30) + (mem - (3ul << 30));
	unsigned long base = ALIGN(boot_end, 1ul << SECTION_SIZE_BITS);
	unsigned long pfn, total;
	struct zone *normal;

	ASSERT_NOT_NULL(k);
	kmm_set_report_hook(capture, NULL);
	normal = zone_of(k, ZONE_NORMAL);
	total = totalram_pages();
	ASSERT_EQ(k->mem->max_pfn, boot_end >> PAGE_SHIFT);
	ASSERT_EQ(add_memory(128ul << 20), 0);
	ASSERT_EQ(k->mem->max_pfn, (base + (128ul << 20)) >> PAGE_SHIFT);
	ASSERT_EQ(totalram_pages(), total + PAGES_PER_SECTION - 512);	/* less its memmap */
	ASSERT_EQ(normal->zone_start_pfn, (4ul << 30) >> PAGE_SHIFT);
	ASSERT_EQ(zone_end_pfn(normal), k->mem->max_pfn);
	ASSERT_EQ(normal->present_pages, ((boot_end - (4ul << 30)) >> PAGE_SHIFT) + PAGES_PER_SECTION);
	/* The hole between the two is not RAM: reserved, never handed out. */
	for (pfn = boot_end >> PAGE_SHIFT; pfn < base >> PAGE_SHIFT; pfn += 4096) {
		ASSERT_FALSE(memblock_is_memory(&k->mem->memblock, PFN_PHYS(pfn)));
		ASSERT_TRUE(PageReserved(pfn_to_page(pfn)));
	}
	ASSERT_TRUE(memblock_is_memory(&k->mem->memblock, base));
	ASSERT_EQ(add_memory(256ul << 20), 0);		/* and the next ones follow */
	ASSERT_EQ(k->mem->max_pfn, (base + (384ul << 20)) >> PAGE_SHIFT);
	ASSERT_EQ(add_memory(256ul << 20), -ENOSPC);	/* max_mem */
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(hot_add_starts_on_a_section_boundary)
{
	hot_add_after(3100ul << 20);	/* 28 MiB above 4 GiB: the next section is a hole's end */
	hot_add_after(3200ul << 20);	/* exactly one section above 4 GiB */
	hot_add_after(3074ul << 20);	/* 2 MiB above */
}

TEST(memory_hot_add)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .max_mem = 768ul << 20,
				  .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct zone *normal;
	unsigned long total, free_before, min_before;
	struct page **list = NULL;
	unsigned long cap = 0, n = 0, i, in_normal = 0;

	ASSERT_NOT_NULL(k);
	kmm_set_report_hook(capture, NULL);
	normal = zone_of(k, ZONE_NORMAL);
	ASSERT_FALSE(populated_zone(normal));
	total = totalram_pages();
	min_before = k->mem->min_free_kbytes;
	ASSERT_EQ(add_memory(100ul << 20), -EINVAL);	/* not whole sections */
	ASSERT_EQ(add_memory(256ul << 20), 0);
	/* Above the PCI window, in ZONE_NORMAL, memmap on the memory itself. */
	ASSERT_EQ(normal->zone_start_pfn, (4ul << 30) >> PAGE_SHIFT);
	ASSERT_EQ(normal->present_pages, 65536);
	ASSERT_EQ(zone_managed_pages(normal), 65536 - 2 * 512);
	ASSERT_EQ(totalram_pages(), total + 65536 - 1024);
	ASSERT_TRUE(k->mem->min_free_kbytes > (int)min_before);	/* recomputed */
	ASSERT_TRUE(min_wmark_pages(normal) > 0);
	ASSERT_EQ(add_memory(512ul << 20), -ENOSPC);		/* past max_mem */
	ASSERT_EQ(add_memory(0xfffffffff8000000ul), -ENOSPC);	/* no wrap-around */
	ASSERT_EQ(check_buddy_invariants(), 0);
	/* The new memory is used first (highest zone) and is real. */
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	exhaust(GFP_KERNEL, &list, &cap, &n);
	for (i = 0; i < n; i++) {
		in_normal += page_zonenum(list[i]) == ZONE_NORMAL;
		*(unsigned long *)page_address(list[i]) = i;
	}
	ASSERT_EQ(page_zonenum(list[0]), ZONE_NORMAL);
	ASSERT_TRUE(in_normal > 60000);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(*(unsigned long *)page_address(list[i]), i);
		__free_pages(list[i], 0);
	}
	free(list);
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), free_before);
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(machines_are_independent)
{
	struct kmm *a = boot(64ul << 20, 1), *b;
	struct page *pa, *pb;

	ASSERT_NOT_NULL(a);
	pa = alloc_pages(GFP_KERNEL, 0);
	memset(page_address(pa), 0x5a, PAGE_SIZE);
	b = boot(128ul << 20, 1);
	ASSERT_TRUE(kmm_current() == b);
	pb = alloc_pages(GFP_KERNEL, 0);
	memset(page_address(pb), 0xa5, PAGE_SIZE);
	__free_pages(pb, 0);
	ASSERT_TRUE(kmm_switch(a) == b);
	ASSERT_EQ(((unsigned char *)page_address(pa))[17], 0x5a);
	__free_pages(pa, 0);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(b);
	ASSERT_TRUE(kmm_current() == a);
	kmm_shutdown(NULL);
	ASSERT_NULL(kmm_current());
	/* With none booted, the first call boots a default machine. */
	pa = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NOT_NULL(pa);
	ASSERT_NOT_NULL(kmm_current());
	__free_pages(pa, 0);
	kmm_shutdown(NULL);
}

/*
 * 1000 failing allocations do not print 1000 warnings: warn_alloc is
 * rate-limited (10 in each 1000 calls), and the first report of the next
 * interval says how many were held back.  The same for orders above
 * MAX_PAGE_ORDER, whose warning names the order and the limit.
 */
TEST(alloc_failure_warnings_are_rate_limited)
{
	struct kmm *k = boot(64ul << 20, 1);
	struct page *held[16], *p;
	unsigned long dumps = 0, n = 0, i;

	ASSERT_NOT_NULL(k);
	/* Every order-10 block of ZONE_DMA taken: the next one fails. */
	while (n < 16 && (p = alloc_pages(GFP_KERNEL | __GFP_DMA | __GFP_NOWARN, MAX_PAGE_ORDER)))
		held[n++] = p;
	ASSERT_TRUE(n > 0 && n < 16);
	/* __GFP_NOWARN failures are not counted against the burst. */
	for (i = 0; i < 50; i++)
		ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_DMA | __GFP_NOWARN, MAX_PAGE_ORDER));
	ASSERT_EQ(reports_seen, 0);
	for (i = 0; i < 1000; i++) {
		unsigned long before = reports_seen;

		ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_DMA, MAX_PAGE_ORDER));
		if (reports_seen != before) {
			dumps++;
			ASSERT_CONTAINS(last_report, "kmm: page allocation failure: order:10, mode:");
			ASSERT_CONTAINS(last_report, "\nNode 0 DMA free:");
			ASSERT_FALSE(strstr(last_report, "callbacks suppressed"));
		}
	}
	ASSERT_EQ(dumps, DEFAULT_RATELIMIT_BURST);
	ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_DMA, MAX_PAGE_ORDER));
	ASSERT_EQ(reports_seen, DEFAULT_RATELIMIT_BURST + 1);
	ASSERT_CONTAINS(last_report, "warn_alloc: 990 callbacks suppressed\n"
			"kmm: page allocation failure: order:10");
	while (n)
		__free_pages(held[--n], MAX_PAGE_ORDER);

	/* Orders no free list has: which order, and the limit. */
	reports_seen = 0;
	ASSERT_NULL(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	ASSERT_CONTAINS(last_report, "WARNING: alloc_pages: order 11 (2^11 pages) is above "
			"MAX_PAGE_ORDER (10): the largest block is 2^10 pages (4096 kB)");
	ASSERT_NULL(alloc_pages(GFP_KERNEL, 200));
	ASSERT_CONTAINS(last_report, "order 200 (2^200 pages)");
	for (i = 2; i < 1000; i++)
		ASSERT_NULL(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	ASSERT_EQ(reports_seen, DEFAULT_RATELIMIT_BURST);
	ASSERT_NULL(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	ASSERT_EQ(reports_seen, DEFAULT_RATELIMIT_BURST + 1);
	ASSERT_CONTAINS(last_report, "alloc_pages: 990 callbacks suppressed\nWARNING: alloc_pages: order 11");
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(boot_layout_is_a_pc);
	RUN_TEST(big_machine_has_normal_zone_above_4g);
	RUN_TEST(watermarks_follow_linux_formulas);
	RUN_TEST(min_free_kbytes_option_is_honoured);
	RUN_TEST(bad_config_is_refused);
	RUN_TEST(split_merge_restores_buddyinfo);
	RUN_TEST(watermarks_gate_reserves);
	RUN_TEST(zone_fallback_and_dma_only);
	RUN_TEST(zero_and_compound_pages);
	RUN_TEST(address_helpers);
	RUN_TEST(bad_frees_are_reported_and_ignored);
	RUN_TEST(bad_page_state_is_reported_and_page_kept_out);
	RUN_TEST(refcount_keeps_page_alive);
	RUN_TEST(pcp_lists_batch_and_drain);
	RUN_TEST(unmovable_steals_pageblocks);
	RUN_TEST(atomic_high_order_reserves_highatomic_block);
	RUN_TEST(vmstat_counts_allocations_and_frees);
	RUN_TEST(proc_read_contract);
	RUN_TEST(hot_add_starts_on_a_section_boundary);
	RUN_TEST(memory_hot_add);
	RUN_TEST(machines_are_independent);
	RUN_TEST(alloc_failure_warnings_are_rate_limited);
	return harness_summary();
}
