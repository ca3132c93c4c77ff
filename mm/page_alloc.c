/*
 * mm/page_alloc.c - the buddy allocator: per-zone free lists by order and
 * migratetype, watermarks, per-CPU page lists (pcp), and the misuse checks
 * on free.
 * Mirrors Linux 6.x mm/page_alloc.c; one node; no CMA; the reclaim and
 * compaction steps of the slow path are hooks (docs/faithfulness.md); the
 * last step is the OOM killer (mm/oom_kill.c, docs/reclaim.md).
 *
 * Lock order: a CPU's pcp (its owner enters lock-free; others go through
 * local_lock_remote, base/smp.c), then zone->lock.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kmm/oom.h>
#include <kmm/sched.h>
#include "mm/internal.h"


/* alloc_flags, as Linux's mm/internal.h */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM		0x08
#define ALLOC_NON_BLOCK		0x10	/* caller cannot block: GFP_ATOMIC, GFP_NOWAIT */
#define ALLOC_MIN_RESERVE	0x20	/* __GFP_HIGH: half the min reserve */
#define ALLOC_CPUSET		0x40
#define ALLOC_NOFRAGMENT	0x100	/* steal whole pageblocks or nothing */
#define ALLOC_HIGHATOMIC	0x200	/* may use and create HIGHATOMIC reserves */
#define ALLOC_KSWAPD		0x800
#define ALLOC_RESERVES		(ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)


const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

/* Where to look when the wanted migratetype has nothing free. */
/*
 * clear_page: x86's clear_page_erms is one `rep stosb`, which on CPUs with
 * ERMS writes whole lines without reading them first (no read for
 * ownership); a vector memset of a cold page reads every line it writes.
 */
static inline void clear_pages(void *p, unsigned long bytes)
{
#if defined(__x86_64__) && !defined(KMM_SANITIZED)
	__asm__ volatile("rep stosb" : "+D"(p), "+c"(bytes) : "a"(0) : "memory");
#else
	memset(p, 0, bytes);
#endif
}

static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

struct zone *page_zone(const struct page *page)
{
	return &kmm_global->mem->node.node_zones[page_zonenum(page)];
}

static struct zone *kmm_page_zone(struct kmm *k, const struct page *page)
{
	return &k->mem->node.node_zones[page_zonenum(page)];
}

void set_pageblock_migratetype(struct kmm *k, unsigned long pfn, int mt)
{
	WRITE_ONCE(k->mem->pageblock_mt[pfn >> pageblock_order], (unsigned char)mt);
}

static bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

static inline unsigned int buddy_order(const struct page *page)
{
	return (unsigned int)page->private;
}

static inline void zone_lock(struct zone *zone)
{
	pthread_mutex_lock(&zone->lock);
}

static inline void zone_unlock(struct zone *zone)
{
	pthread_mutex_unlock(&zone->lock);
}

static void zone_stat_add(struct zone *zone, enum zone_stat_item item, long nr)
{
	__mod_zone_page_state(zone, item, nr);
}

/* Free pages count everywhere except in isolated blocks. */
static void account_freepages(struct zone *zone, unsigned int order, int mt,
			      long sign)
{
	long nr = sign * (1l << order);

	if (mt == MIGRATE_ISOLATE)
		return;
	zone_stat_add(zone, NR_FREE_PAGES, nr);
	if (order >= pageblock_order)
		zone_stat_add(zone, NR_FREE_PAGES_BLOCKS, nr);
}

/* ------------------------------------------------------------------ */
/* Free lists                                                          */
/* ------------------------------------------------------------------ */

/*
 * Free-area counts change under zone->lock but are read without it by the
 * watermark check, so they are written as single relaxed stores.
 */
static inline void area_count(unsigned long *counter, long delta)
{
	WRITE_ONCE(*counter, READ_ONCE(*counter) + delta);
}

static void add_to_free_list(struct page *page, struct zone *zone,
			     unsigned int order, int mt, bool tail)
{
	struct free_area *area = &zone->free_area[order];

	set_buddy_order(page, order);
	if (tail)
		list_add_tail(&page->lru, &area->free_list[mt]);
	else
		list_add(&page->lru, &area->free_list[mt]);
	area_count(&area->nr_free, 1);
	area_count(&area->nr_free_mt[mt], 1);
	account_freepages(zone, order, mt, 1);
}

static void del_page_from_free_list(struct page *page, struct zone *zone,
				    unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];

	list_del(&page->lru);
	__ClearPageBuddy(page);
	page->private = 0;
	area_count(&area->nr_free, -1);
	area_count(&area->nr_free_mt[mt], -1);
	account_freepages(zone, order, mt, -1);
}

static void move_to_free_list(struct page *page, struct zone *zone,
			      unsigned int order, int old_mt, int new_mt)
{
	struct free_area *area = &zone->free_area[order];

	list_move_tail(&page->lru, &area->free_list[new_mt]);
	area_count(&area->nr_free_mt[old_mt], -1);
	area_count(&area->nr_free_mt[new_mt], 1);
	account_freepages(zone, order, old_mt, -1);
	account_freepages(zone, order, new_mt, 1);
}

static struct page *get_page_from_free_area(struct free_area *area, int mt)
{
	return list_first_entry_or_null(&area->free_list[mt], struct page, lru);
}

/*
 * The free block of exactly this order in the same zone at buddy_pfn, or
 * NULL.  The struct page is looked at only once the pfn is known valid.
 */
static struct page *find_buddy(struct kmm *k, struct page *page,
			       unsigned long buddy_pfn, unsigned int order)
{
	struct page *buddy;

	if (buddy_pfn >= k->mem->max_pfn || !__pfn_valid(k, buddy_pfn))
		return NULL;
	buddy = pfn_to_page(buddy_pfn);
	if (!PageBuddy(buddy) || buddy_order(buddy) != order)
		return NULL;
	return page_zonenum(page) == page_zonenum(buddy) ? buddy : NULL;
}

/*
 * Frees a block and merges it with its buddy (pfn ^ (1 << order)) as long
 * as the buddy is free at the same order.  Caller holds zone->lock.
 */
static void __free_one_page(struct kmm *k, struct page *page, unsigned long pfn,
			    struct zone *zone, unsigned int order, int mt,
			    bool tail)
{
	VM_BUG_ON_PAGE(pfn & ((1ul << order) - 1), page);	/* a block starts aligned */
	VM_BUG_ON_PAGE(page_to_pfn(page) != pfn, page);
	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1ul << order);
		struct page *buddy = find_buddy(k, page, buddy_pfn, order);
		int buddy_mt;

		if (!buddy)
			break;
		buddy_mt = get_pageblock_migratetype(k, buddy_pfn);
		/* Reserves and isolated blocks never merge with other types. */
		if (order >= pageblock_order && mt != buddy_mt &&
		    (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt)))
			break;
		del_page_from_free_list(buddy, zone, order, buddy_mt);
		if (buddy_mt != mt)
			set_pageblock_migratetype(k, buddy_pfn, mt);
		pfn &= buddy_pfn;
		page = pfn_to_page(pfn);
		order++;
	}
	add_to_free_list(page, zone, order, mt, tail);
}

/* Splits a 2^high block down to 2^low, freeing the upper halves. */
static void expand(struct zone *zone, struct page *page, unsigned int low,
		   unsigned int high, int mt)
{
	unsigned long size = 1ul << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high, mt, false);
	}
}

static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order,
				       int mt)
{
	unsigned int current_order;

	for (current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		struct page *page = get_page_from_free_area(area, mt);

		if (!page)
			continue;
		del_page_from_free_list(page, zone, current_order, mt);
		expand(zone, page, order, current_order, mt);
		return page;
	}
	return NULL;
}

/*
 * Moves the free pages of the pageblock holding pfn from old_mt to new_mt
 * and retypes the block.  Returns the number of free pages moved, or -1 if
 * the block is not wholly inside the zone.  Caller holds zone->lock.
 */
static long move_freepages_block(struct kmm *k, struct zone *zone,
				 unsigned long pfn, int old_mt, int new_mt,
				 unsigned long *nr_free_found)
{
	unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	unsigned long end = start + pageblock_nr_pages;
	long moved = 0;

	if (!zone_spans_pfn(zone, start) || !zone_spans_pfn(zone, end - 1))
		return -1;
	for (pfn = start; pfn < end;) {
		struct page *page = pfn_to_page(pfn);

		if (PageBuddy(page)) {
			unsigned int order = buddy_order(page);

			move_to_free_list(page, zone, order, old_mt, new_mt);
			pfn += 1ul << order;
			moved += 1l << order;
		} else {
			pfn++;
		}
	}
	if (nr_free_found)
		*nr_free_found = (unsigned long)moved;
	set_pageblock_migratetype(k, start, new_mt);
	return moved;
}

/* Counts the free pages of pfn's pageblock; -1 if it leaves the zone. */
static int pageblock_free_pages(const struct zone *zone, unsigned long pfn,
				unsigned long *nr_free)
{
	unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	unsigned long end = start + pageblock_nr_pages;

	*nr_free = 0;
	if (!zone_spans_pfn(zone, start) || !zone_spans_pfn(zone, end - 1))
		return -1;
	for (pfn = start; pfn < end;) {
		struct page *page = pfn_to_page(pfn);

		if (PageBuddy(page)) {
			*nr_free += 1ul << buddy_order(page);
			pfn += 1ul << buddy_order(page);
		} else {
			pfn++;
		}
	}
	return 0;
}

static void change_pageblock_range(struct kmm *k, unsigned long pfn,
				   unsigned int order, int mt)
{
	unsigned long nr = max(1ul << order, pageblock_nr_pages);

	for (; nr >= pageblock_nr_pages; nr -= pageblock_nr_pages,
	     pfn += pageblock_nr_pages)
		set_pageblock_migratetype(k, pfn, mt);
}

static bool can_steal_fallback(unsigned int order, int start_mt)
{
	/*
	 * Big blocks are worth a whole pageblock; unmovable and reclaimable
	 * allocations always take the block, so they pollute fewer of them.
	 */
	return order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE;
}

static int find_suitable_fallback(struct free_area *area, unsigned int order,
				  int mt, bool *can_steal)
{
	int i;

	if (!area->nr_free)
		return -1;
	for (i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
		int fallback = fallbacks[mt][i];

		if (list_empty(&area->free_list[fallback]))
			continue;
		*can_steal = can_steal_fallback(order, mt);
		return fallback;
	}
	return -1;
}

/*
 * Takes page (free, 2^current_order, on block_mt's list) for an allocation
 * of start_mt, claiming its whole pageblock when that is worth it: when at
 * least half the block is free or already of the right kind.
 */
/*
 * boost_watermark: a fallback that fragments (another type's pageblock
 * is broken into) raises the zone's watermarks by a pageblock, up to
 * watermark_boost_factor / 10000 of the high watermark, so that kswapd
 * reclaims (and later compaction can make whole blocks) before the next
 * fallback.  Not in zones too small for it to help (under 4 pageblocks).
 * Caller holds zone->lock.
 */
static bool boost_watermark(struct kmm *k, struct zone *zone)
{
	unsigned long max_boost;

	if (!k->mem->watermark_boost_factor ||
	    pageblock_nr_pages * 4 > zone_managed_pages(zone))
		return false;
	max_boost = zone->_watermark[WMARK_HIGH] * (unsigned long)k->mem->watermark_boost_factor / 10000;
	if (!max_boost)
		return false;
	max_boost = max(pageblock_nr_pages, max_boost);
	WRITE_ONCE(zone->watermark_boost, min(zone->watermark_boost + pageblock_nr_pages, max_boost));
	return true;
}

static struct page *steal_suitable_fallback(struct kmm *k, struct zone *zone,
					    struct page *page,
					    unsigned int current_order,
					    unsigned int order, int start_mt,
					    int block_mt, bool whole_block,
					    unsigned int alloc_flags)
{
	unsigned long pfn = page_to_pfn(page), free_pages = 0, alike;

	if (current_order >= pageblock_order) {
		del_page_from_free_list(page, zone, current_order, block_mt);
		change_pageblock_range(k, pfn, current_order, start_mt);
		expand(zone, page, order, current_order, start_mt);
		return page;
	}
	if (!whole_block)
		goto single_page;
	/* Fewer fallbacks later: more reclaim now (the next allocation
	 * wakes kswapd, as rmqueue does). */
	if (boost_watermark(k, zone) && (alloc_flags & ALLOC_KSWAPD))
		__atomic_fetch_or(&zone->flags, 1ul << ZONE_BOOSTED_WATERMARK, __ATOMIC_RELAXED);
	/* Claim the block only if at least half of it is free or alike. */
	if (pageblock_free_pages(zone, pfn, &free_pages))
		goto single_page;
	/* No page is known movable yet, so allocated pages of a movable
	 * block count as alike only for unmovable/reclaimable stealers. */
	alike = block_mt == MIGRATE_MOVABLE && start_mt != MIGRATE_MOVABLE ?
		pageblock_nr_pages - free_pages : 0;
	if (free_pages + alike >= (1ul << (pageblock_order - 1))) {
		move_freepages_block(k, zone, pfn, block_mt, start_mt, NULL);
		return __rmqueue_smallest(zone, order, start_mt);
	}
single_page:
	del_page_from_free_list(page, zone, current_order, block_mt);
	expand(zone, page, order, current_order, block_mt);
	return page;
}

static struct page *__rmqueue_fallback(struct kmm *k, struct zone *zone,
				       unsigned int order, int start_mt,
				       unsigned int alloc_flags)
{
	unsigned int min_order = order;
	int current_order, fallback_mt = -1;
	bool can_steal = false;
	struct free_area *area = NULL;

	if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = pageblock_order;
	/* Steal the largest block first: fewer, bigger, cleaner pageblocks. */
	for (current_order = MAX_PAGE_ORDER; current_order >= (int)min_order;
	     current_order--) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, current_order,
						     start_mt, &can_steal);
		if (fallback_mt < 0)
			continue;
		if (!can_steal && start_mt == MIGRATE_MOVABLE &&
		    current_order > (int)order)
			goto find_smallest;
		goto do_steal;
	}
	return NULL;

find_smallest:
	/* Movable can't claim the block: break up the smallest instead. */
	for (current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, current_order,
						     start_mt, &can_steal);
		if (fallback_mt >= 0)
			break;
	}
	if (fallback_mt < 0)
		return NULL;
do_steal:
	return steal_suitable_fallback(k, zone,
				       get_page_from_free_area(area, fallback_mt),
				       current_order, order, start_mt,
				       fallback_mt, can_steal, alloc_flags);
}

static struct page *__rmqueue(struct kmm *k, struct zone *zone,
			      unsigned int order, int mt,
			      unsigned int alloc_flags)
{
	struct page *page = __rmqueue_smallest(zone, order, mt);

	if (!page)
		page = __rmqueue_fallback(k, zone, order, mt, alloc_flags);
	return page;
}

/* ------------------------------------------------------------------ */
/* Per-CPU page lists                                                  */
/* ------------------------------------------------------------------ */

static inline bool pcp_allowed_order(unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == pageblock_order;
}

static inline unsigned int order_to_pindex(int mt, unsigned int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS;
	return MIGRATE_PCPTYPES * order + mt;
}

static inline unsigned int pindex_to_order(unsigned int pindex)
{
	if (pindex == NR_LOWORDER_PCP_LISTS)
		return pageblock_order;
	return pindex / MIGRATE_PCPTYPES;
}

/* Takes up to count blocks of order from the buddy lists onto list. */
static int rmqueue_bulk(struct kmm *k, struct zone *zone, unsigned int order,
			int count, struct list_head *list, int mt,
			unsigned int alloc_flags)
{
	int i;

	zone_lock(zone);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(k, zone, order, mt, alloc_flags);

		if (!page)
			break;
		page->private = order;
		list_add_tail(&page->lru, list);
	}
	zone_unlock(zone);
	return i;
}

/*
 * Gives count pages from the pcp lists back to the buddy lists, oldest
 * first, taking the lists in turn.  Caller is inside the pcp's local lock.
 */
static void free_pcppages_bulk(struct kmm *k, struct zone *zone, int count,
			       struct per_cpu_pages *pcp)
{
	unsigned int pindex = 0;

	count = min(count, pcp->count);
	if (count <= 0)
		return;
	zone_lock(zone);
	while (count > 0) {
		struct list_head *list = &pcp->lists[pindex];
		struct page *page;
		unsigned int order;
		unsigned long pfn;

		if (list_empty(list)) {
			pindex = (pindex + 1) % NR_PCP_LISTS;
			continue;
		}
		page = list_last_entry(list, struct page, lru);
		order = pindex_to_order(pindex);
		list_del(&page->lru);
		WRITE_ONCE(pcp->count, pcp->count - (1 << order));
		count -= 1 << order;
		pfn = page_to_pfn(page);
		page->private = 0;
		__free_one_page(k, page, pfn, zone, order,
				get_pageblock_migratetype(k, pfn), true);
		pindex = (pindex + 1) % NR_PCP_LISTS;
	}
	zone_unlock(zone);
}

static int nr_pcp_alloc(const struct per_cpu_pages *pcp, unsigned int order)
{
	int batch = READ_ONCE(pcp->batch);

	if (order)
		batch = max(batch >> order, 2);
	return batch;
}

static struct page *rmqueue_pcplist(struct kmm *k, struct zone *zone,
				    unsigned int order, int mt,
				    unsigned int alloc_flags)
{
	int cpu = smp_processor_id(k);
	struct per_cpu_pages *pcp;
	struct list_head *list;
	struct page *page;
	bool fast;

	if (unlikely(cpu < 0))
		return NULL;
	pcp = &zone->per_cpu_pageset[cpu];
	fast = local_enter(&pcp->ll);
	list = &pcp->lists[order_to_pindex(mt, order)];
	if (unlikely(list_empty(list))) {
		int n = rmqueue_bulk(k, zone, order, nr_pcp_alloc(pcp, order),
				     list, mt, alloc_flags);

		WRITE_ONCE(pcp->count, pcp->count + (n << order));
		if (!n) {
			local_exit(&pcp->ll, fast);
			return NULL;
		}
	}
	page = list_first_entry(list, struct page, lru);
	list_del(&page->lru);
	WRITE_ONCE(pcp->count, pcp->count - (1 << order));
	local_exit(&pcp->ll, fast);
	page->private = 0;
	return page;
}

static struct page *rmqueue_buddy(struct kmm *k, struct zone *zone,
				  unsigned int order, int mt,
				  unsigned int alloc_flags)
{
	struct page *page = NULL;

	zone_lock(zone);
	if (order && (alloc_flags & ALLOC_HIGHATOMIC))
		page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
	if (!page)
		page = __rmqueue(k, zone, order, mt, alloc_flags);
	/* Failing now is worse than failing a future atomic allocation. */
	if (!page && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
		page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
	zone_unlock(zone);
	return page;
}

static struct page *rmqueue(struct kmm *k, struct zone *zone,
			    unsigned int order, int mt, unsigned int alloc_flags)
{
	struct page *page;

	if (likely(pcp_allowed_order(order))) {
		page = rmqueue_pcplist(k, zone, order, mt, alloc_flags);
		if (likely(page))
			goto out;
	}
	page = rmqueue_buddy(k, zone, order, mt, alloc_flags);
out:
	/* A fallback boosted the watermarks: kswapd now, as the node may be
	 * balanced overall and would not wake by itself. */
	if ((alloc_flags & ALLOC_KSWAPD) && unlikely(READ_ONCE(zone->flags) & (1ul << ZONE_BOOSTED_WATERMARK))) {
		__atomic_fetch_and(&zone->flags, ~(1ul << ZONE_BOOSTED_WATERMARK), __ATOMIC_RELAXED);
		wakeup_kswapd(k, zone, 0, 0, zone->idx);
	}
	return page;
}

/* ------------------------------------------------------------------ */
/* Watermarks                                                          */
/* ------------------------------------------------------------------ */

/* Free pages this allocation may not count toward the watermark. */
static long zone_watermark_unusable_free(const struct zone *z,
					 unsigned int order,
					 unsigned int alloc_flags)
{
	long unusable = (1l << order) - 1;

	if (likely(!(alloc_flags & ALLOC_RESERVES)))
		unusable += (long)READ_ONCE(z->nr_reserved_highatomic);
	return unusable;
}

static bool __zone_watermark_ok(struct zone *z, unsigned int order,
				unsigned long mark, int highest_zoneidx,
				unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;
	unsigned int o;
	int mt;

	free_pages -= zone_watermark_unusable_free(z, order, alloc_flags);
	if (unlikely(alloc_flags & ALLOC_RESERVES)) {
		/* __GFP_HIGH may use half the min reserve ... */
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			/* ... and callers that cannot block a quarter more. */
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	/* Enough pages, but is there a block big enough? */
	for (o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];

		if (!READ_ONCE(area->nr_free))
			continue;
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (READ_ONCE(area->nr_free_mt[mt]))
				return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    READ_ONCE(area->nr_free_mt[MIGRATE_HIGHATOMIC]))
			return true;
	}
	return false;
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   (long)zone_page_state(z, NR_FREE_PAGES));
}

static inline bool zone_watermark_fast(struct zone *z, unsigned int order,
				       unsigned long mark, int highest_zoneidx,
				       unsigned int alloc_flags)
{
	long free_pages = (long)zone_page_state(z, NR_FREE_PAGES);

	/* Order 0 with no reserves in play: one comparison. */
	if (!order && !(alloc_flags & ALLOC_RESERVES)) {
		long reserved = (long)READ_ONCE(z->nr_reserved_highatomic);

		if (free_pages - min(free_pages, reserved) >
		    (long)mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   free_pages);
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

static inline int gfp_migratetype(gfp_t gfp)
{
	return (int)((gfp & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT);
}

struct alloc_context {
	enum zone_type highest_zoneidx;
	int migratetype;
	gfp_t gfp;
	unsigned int order;
};

/*
 * Marks a newly allocated block: one reference on the head, the order
 * recorded for the free-time check, zeroed and made compound on request.
 */
static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	unsigned long i, nr = 1ul << order;

	set_page_count(page, 1);
	page->flags = (page->flags & ~PAGE_ALLOC_ORDER_MASK) |
		      (unsigned long)(order + 1) << PAGE_ALLOC_ORDER_SHIFT;
	if (gfp & __GFP_ZERO)
		clear_pages(page_address(page), nr << PAGE_SHIFT);
	if (order && (gfp & __GFP_COMP)) {
		__SetPageHead(page);
		for (i = 1; i < nr; i++)
			page[i].compound_head = (unsigned long)page | 1;
		page[1].compound_order = order;
	}
}

/* All four "must be clean" fields at once: zero when the page is clean. */
static inline unsigned long page_dirty_state(const struct page *page,
					     unsigned long flag_mask)
{
	return (unsigned long)(page->_mapcount + 1) | (unsigned long)page->mapping |
	       (unsigned long)page_ref_count(page) | (page->flags & flag_mask);
}

static __noinline bool check_new_page_bad(struct kmm *k, struct page *page);

/*
 * Linux's page_bad_reason: the first state left on a page that is being
 * handed out or given back and must have none; flags are the page flags
 * that must be clear then (PAGE_FLAGS_CHECK_AT_PREP or _AT_FREE).  NULL:
 * nothing wrong.
 */
static const char *page_bad_reason(const struct page *page, unsigned long flags)
{
	if (unlikely(page->_mapcount != -1))
		return "nonzero mapcount";
	if (unlikely(page->mapping))
		return "non-NULL mapping";
	if (unlikely(page_ref_count(page)))
		return "nonzero _refcount";
	if (unlikely(page->flags & flags))
		return flags == PAGE_FLAGS_CHECK_AT_FREE ? "PAGE_FLAGS_CHECK_AT_FREE flag(s) set" :
							   "PAGE_FLAGS_CHECK_AT_PREP flag(s) set";
	return NULL;
}

static inline bool check_new_page(struct kmm *k, struct page *page)
{
	if (likely(!page_dirty_state(page, PAGE_FLAGS_CHECK_AT_PREP)))
		return true;
	return check_new_page_bad(k, page);
}

static __noinline bool check_new_page_bad(struct kmm *k, struct page *page)
{
	const char *bad = page_bad_reason(page, PAGE_FLAGS_CHECK_AT_PREP);

	if (likely(!bad))
		return true;
	bad_page(k, page, bad);
	return false;
}

static void reserve_highatomic_pageblock(struct kmm *k, struct page *page,
					 unsigned int order, struct zone *zone)
{
	unsigned long max_managed = ALIGN(zone_managed_pages(zone) / 100,
					  pageblock_nr_pages);
	unsigned long pfn = page_to_pfn(page);
	int mt;

	/* Limit to about 1% of the zone (at least one pageblock). */
	if (READ_ONCE(zone->nr_reserved_highatomic) >= max_managed)
		return;
	zone_lock(zone);
	if (zone->nr_reserved_highatomic >= max_managed)
		goto out;
	mt = get_pageblock_migratetype(k, pfn);
	if (!migratetype_is_mergeable(mt))
		goto out;
	if (order < pageblock_order) {
		if (move_freepages_block(k, zone, pfn, mt, MIGRATE_HIGHATOMIC, NULL) < 0)
			goto out;
		zone->nr_reserved_highatomic += pageblock_nr_pages;
	} else {
		change_pageblock_range(k, pfn, order, MIGRATE_HIGHATOMIC);
		zone->nr_reserved_highatomic += 1ul << order;
	}
out:
	zone_unlock(zone);
}

/*
 * Hands a HIGHATOMIC pageblock back to ordinary use when allocations are
 * failing; keeps one block unless force.  Returns whether it did.
 */
static bool unreserve_highatomic_pageblock(struct kmm *k,
					   const struct alloc_context *ac,
					   bool force)
{
	struct zone *const *zp;

	for (zp = k->mem->node.node_zonelist._zonerefs; *zp; zp++) {
		struct zone *zone = *zp;
		unsigned int order;

		if ((*zp)->idx > ac->highest_zoneidx)
			continue;
		if (!force && READ_ONCE(zone->nr_reserved_highatomic) <= pageblock_nr_pages)
			continue;
		zone_lock(zone);
		for (order = 0; order < NR_PAGE_ORDERS; order++) {
			struct page *page = get_page_from_free_area(
				&zone->free_area[order], MIGRATE_HIGHATOMIC);
			unsigned long pfn, size;

			if (!page)
				continue;
			pfn = page_to_pfn(page);
			size = max(pageblock_nr_pages, 1ul << order);
			zone->nr_reserved_highatomic -= min(size, zone->nr_reserved_highatomic);
			if (order >= pageblock_order) {
				change_pageblock_range(k, pfn, order, ac->migratetype);
				move_to_free_list(page, zone, order, MIGRATE_HIGHATOMIC,
						  ac->migratetype);
			} else {
				move_freepages_block(k, zone, pfn, MIGRATE_HIGHATOMIC,
						     ac->migratetype, NULL);
			}
			zone_unlock(zone);
			return true;
		}
		zone_unlock(zone);
	}
	return false;
}

/* Only fragment pageblocks of DMA32 when NORMAL is what was asked for. */
static unsigned int alloc_flags_nofragment(struct kmm *k, enum zone_type idx)
{
	if (idx != ZONE_NORMAL || !populated_zone(&k->mem->node.node_zones[ZONE_NORMAL]))
		return 0;
	if (!populated_zone(&k->mem->node.node_zones[ZONE_DMA32]))
		return 0;
	return ALLOC_NOFRAGMENT;
}

static const enum vm_event_item pgalloc_event[MAX_NR_ZONES] = {
	PGALLOC_DMA, PGALLOC_DMA32, PGALLOC_NORMAL, PGALLOC_MOVABLE, PGALLOC_DEVICE,
};

static inline void count_alloc_events_cpu(struct kmm *k, struct zone *zone,
					  unsigned int order, int cpu)
{
	unsigned long *numa;

	__count_vm_events(k, cpu, pgalloc_event[zone->idx], 1l << order);
	/* One node: every hit is also local (zoneinfo prints it twice). */
	if (likely(cpu >= 0)) {
		numa = zone->per_cpu_pageset[cpu].vm_numa_event;
		WRITE_ONCE(numa[NUMA_HIT], READ_ONCE(numa[NUMA_HIT]) + 1);
	} else {
		__atomic_fetch_add(&zone->numa_event_nocpu[NUMA_HIT], 1, __ATOMIC_RELAXED);
	}
}

static void count_alloc_events(struct kmm *k, struct zone *zone,
			       unsigned int order)
{
	count_alloc_events_cpu(k, zone, order, smp_processor_id(k));
}

static struct page *get_page_from_freelist(struct kmm *k, unsigned int alloc_flags,
					   const struct alloc_context *ac)
{
	struct zone *const *zp;

retry:
	for (zp = k->mem->node.node_zonelist._zonerefs; *zp; zp++) {
		struct zone *zone = *zp;
		struct page *page;

		if (zone->idx > ac->highest_zoneidx)
			continue;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !zone_watermark_fast(zone, ac->order,
					 wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK),
					 ac->highest_zoneidx, alloc_flags))
			continue;
		page = rmqueue(k, zone, ac->order, ac->migratetype, alloc_flags);
		if (!page)
			continue;
		if (unlikely(!check_new_page(k, page)))
			goto retry;	/* the bad page is leaked, as Linux does */
		prep_new_page(page, ac->order, ac->gfp);
		if (unlikely(alloc_flags & ALLOC_HIGHATOMIC) && ac->order)
			reserve_highatomic_pageblock(k, page, ac->order, zone);
		count_alloc_events(k, zone, ac->order);
		return page;
	}
	if (alloc_flags & ALLOC_NOFRAGMENT) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return NULL;
}

static unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	if (gfp & __GFP_HIGH)
		alloc_flags |= ALLOC_MIN_RESERVE;
	if (gfp & __GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	if (!(gfp & __GFP_DIRECT_RECLAIM)) {
		if (!(gfp & __GFP_NOMEMALLOC)) {
			alloc_flags |= ALLOC_NON_BLOCK;
			if (order > 0)
				alloc_flags |= ALLOC_HIGHATOMIC;
		}
		if (alloc_flags & ALLOC_MIN_RESERVE)
			alloc_flags &= ~ALLOC_CPUSET;
	}
	return alloc_flags;
}

/* "N callbacks suppressed", as __ratelimit prints it, for the next report. */
static void ratelimit_note(char *buf, size_t len, const char *func, unsigned long missed)
{
	buf[0] = 0;
	if (missed)
		snprintf(buf, len, "%s: %lu callbacks suppressed\n", func, missed);
}

/*
 * Linux's warn_alloc: what failed (or stalls), and the zones as show_mem
 * prints them.  Not for __GFP_NOWARN, and rate-limited as Linux's
 * nopage_rs (base/ratelimit.h: at most 10 reports in each 1000 calls,
 * counted; Linux 6.x times it, 1 per 10 s), so a loop of failing
 * allocations cannot flood the log.
 */
static void __cold warn_alloc(struct kmm *k, gfp_t gfp, unsigned int order,
			      const char *what)
{
	char gfpname[256], zones[1024], note[64];
	unsigned long missed;

	if ((gfp & __GFP_NOWARN) || !__ratelimit(&k->mem->nopage_rs, &missed))
		return;
	ratelimit_note(note, sizeof(note), "warn_alloc", missed);
	gfp_format(gfp, gfpname, sizeof(gfpname));
	show_zones(k, zones, sizeof(zones));
	kmm_report(k, "%skmm: %s: order:%u, mode:%#x(%s), nodemask=(null)\n%s",
		   note, what, order, gfp, gfpname, zones);
}

/*
 * An order no free list has: Linux WARNs (once); kmm says which order,
 * what the limit is, and rate-limits like warn_alloc.
 */
static void __cold warn_bad_order(struct kmm *k, gfp_t gfp, unsigned int order)
{
	unsigned long missed;
	char note[64];

	if ((gfp & __GFP_NOWARN) || !__ratelimit(&k->mem->bad_order_rs, &missed))
		return;
	ratelimit_note(note, sizeof(note), "alloc_pages", missed);
	kmm_report(k, "%sWARNING: alloc_pages: order %u (2^%u pages) is above MAX_PAGE_ORDER "
		   "(%d): the largest block is 2^%d pages (%lu kB); no allocation\n",
		   note, order, order, MAX_PAGE_ORDER, MAX_PAGE_ORDER,
		   (PAGE_SIZE << MAX_PAGE_ORDER) >> 10);
}

/*
 * Direct reclaim (mm/vmscan.c: the LRU lists, then the shrinkers, which
 * give back free slabs too) and a retry; if that fails, hands back a highatomic block
 * and drains the per-CPU lists before one last try, as Linux's
 * __alloc_pages_direct_reclaim does.
 */
static struct page *__alloc_pages_direct_reclaim(struct kmm *k,
						 unsigned int alloc_flags,
						 const struct alloc_context *ac,
						 unsigned long *progress)
{
	int cpu = smp_processor_id(k);
	struct page *page;

	__count_vm_events(k, cpu, ALLOCSTALL_DMA + ac->highest_zoneidx, 1);
	*progress = try_to_free_pages(k, ac->gfp, (int)ac->order);
	/* What reclaim always does too: ask the shrinkers (free slabs). */
	*progress += __shrink_slab(k, ac->gfp, 0);
	page = get_page_from_freelist(k, alloc_flags, ac);
	if (!page) {
		unreserve_highatomic_pageblock(k, ac, false);
		__drain_all_pages(k, NULL);
		page = get_page_from_freelist(k, alloc_flags, ac);
	}
	return page;
}

/* wake_all_kswapds: the node's kswapd, for the first zone the caller
 * may use that is below its low watermark. */
static void wake_all_kswapds(struct kmm *k, const struct alloc_context *ac)
{
	struct zone **zp;

	for (zp = k->mem->node.node_zonelist._zonerefs; *zp; zp++) {
		struct zone *zone = *zp;

		if (zone->idx > ac->highest_zoneidx || !zone_managed_pages(zone))
			continue;
		wakeup_kswapd(k, zone, ac->gfp, (int)ac->order, ac->highest_zoneidx);
		return;
	}
}

/*
 * Linux's __alloc_pages_may_oom: reclaim has failed, so the OOM killer
 * frees memory by killing (mm/oom_kill.c).  Not for costly orders, not
 * for callers that said they can fail (__GFP_RETRY_MAYFAIL) or want one
 * node, not for the low zones (killing does not help lowmem).  Sets
 * *did_some_progress when memory will come back and the caller should
 * retry.
 */
static struct page *__alloc_pages_may_oom(struct kmm *k, const struct alloc_context *ac,
					  unsigned long *did_some_progress)
{
	struct oom_control oc = { .kmm = k, .gfp_mask = ac->gfp, .order = (int)ac->order };
	struct page *page = NULL;

	*did_some_progress = 0;
	/* Another thread is killing already: that is progress for us too. */
	if (pthread_mutex_trylock(&k->mem->oom_lock)) {
		*did_some_progress = 1;
		sched_yield();
		return NULL;
	}
	/* A kill that just ended may have freed enough: the high mark, as
	 * Linux's last look, so that only a parallel kill's memory counts. */
	page = get_page_from_freelist(k, ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
	if (page)
		goto out;
	if (ac->order > PAGE_ALLOC_COSTLY_ORDER)
		goto out;
	if (ac->gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE))
		goto out;
	if (ac->highest_zoneidx < ZONE_NORMAL)
		goto out;
	if (out_of_memory(&oc))
		*did_some_progress = 1;
out:
	pthread_mutex_unlock(&k->mem->oom_lock);
	return page;
}

/* An OOM victim may dig into the reserves to get out of the way
 * (__gfp_pfmemalloc_flags' oom_reserves_allowed). */
static unsigned int oom_reserve_flags(const struct kmm *k, gfp_t gfp)
{
	if (gfp & __GFP_NOMEMALLOC)
		return 0;
	return k->current && tsk_is_oom_victim(k->current) ? ALLOC_OOM : 0;
}

static struct page *__alloc_pages_slowpath(struct kmm *k,
					   struct alloc_context *ac)
{
	bool can_direct_reclaim = ac->gfp & __GFP_DIRECT_RECLAIM;
	bool costly = ac->order > PAGE_ALLOC_COSTLY_ORDER;
	unsigned int alloc_flags = gfp_to_alloc_flags(ac->gfp, ac->order);
	unsigned int no_progress_loops = 0, reserve_flags;
	unsigned long progress;
	struct page *page;
	struct timespec start, now;

	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(k, ac);
	page = get_page_from_freelist(k, alloc_flags, ac);
	if (page)
		return page;
	/* A reclaimer's own allocation (PF_MEMALLOC): below the watermarks,
	 * and never reclaim inside reclaim. */
	if (current_is_reclaimer()) {
		page = get_page_from_freelist(k, alloc_flags | ALLOC_NO_WATERMARKS, ac);
		if (page)
			return page;
		goto nopage;
	}
	if ((ac->gfp & (__GFP_MEMALLOC | __GFP_NOMEMALLOC)) == __GFP_MEMALLOC) {
		page = get_page_from_freelist(k, alloc_flags | ALLOC_NO_WATERMARKS, ac);
		if (page)
			return page;
	}
	if (!can_direct_reclaim)
		goto nopage;
retry:
	reserve_flags = oom_reserve_flags(k, ac->gfp);
	if (reserve_flags) {
		alloc_flags = reserve_flags | (alloc_flags & ALLOC_KSWAPD);
		page = get_page_from_freelist(k, alloc_flags, ac);
		if (page)
			return page;
	}
	page = __alloc_pages_direct_reclaim(k, alloc_flags, ac, &progress);
	if (page)
		return page;
	if (ac->gfp & __GFP_NORETRY)
		goto nopage;
	if (costly && !(ac->gfp & __GFP_RETRY_MAYFAIL))
		goto nopage;
	/* Keep going while reclaim makes progress, at most 16 times without. */
	no_progress_loops = progress ? 0 : no_progress_loops + 1;
	if (no_progress_loops < MAX_RECLAIM_RETRIES && progress)
		goto retry;
	/* Reclaim has failed us, start killing things. */
	page = __alloc_pages_may_oom(k, ac, &progress);
	if (page)
		return page;
	if (unlikely(k->panicked))	/* panic_on_oom, or nothing to kill: stopped */
		return NULL;
	/* A victim that failed even with the reserves must not loop. */
	if (k->current && tsk_is_oom_victim(k->current) &&
	    ((alloc_flags & ALLOC_OOM) || (ac->gfp & __GFP_NOMEMALLOC)))
		goto nopage;
	/* Retry as long as the OOM killer is making progress. */
	if (progress) {
		no_progress_loops = 0;
		goto retry;
	}
nopage:
	if (ac->gfp & __GFP_NOFAIL) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		for (;;) {
			/* A NOFAIL caller may dig into the min reserve. */
			page = get_page_from_freelist(k, ALLOC_WMARK_MIN |
						      ALLOC_MIN_RESERVE |
						      ALLOC_NON_BLOCK, ac);
			if (page)
				return page;
			if (!k->mem->nofail_may_wait) {
				warn_alloc(k, ac->gfp & ~__GFP_NOWARN, ac->order,
					   "__GFP_NOFAIL allocation cannot be met (nothing can free memory in this machine)");
				return NULL;
			}
			sched_yield();
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= 10) {
				warn_alloc(k, ac->gfp & ~__GFP_NOWARN, ac->order,
					   "page allocation stalls for 10000ms");
				start = now;
			}
			__drain_all_pages(k, NULL);
		}
	}
	warn_alloc(k, ac->gfp, ac->order, "page allocation failure");
	return NULL;
}

__noinline struct page *__alloc_pages(struct kmm *k, gfp_t gfp, unsigned int order)
{
	struct alloc_context ac;
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	struct page *page;

	if (unlikely(order > MAX_PAGE_ORDER)) {
		warn_bad_order(k, gfp, order);
		return NULL;
	}
	ac.gfp = gfp & __GFP_BITS_MASK;
	ac.order = order;
	ac.highest_zoneidx = gfp_zone(gfp);
	ac.migratetype = gfp_migratetype(gfp);
	if (unlikely(ac.migratetype >= MIGRATE_PCPTYPES))
		ac.migratetype = MIGRATE_UNMOVABLE;	/* both mobility bits: as Linux warns, treat as unmovable */
	/* Fault injection (mm/fail_page_alloc.c): a failure like any other. */
	if (fault_inject_armed() && should_fail_alloc_page(k, ac.gfp, order))
		goto nopage;
	alloc_flags |= alloc_flags_nofragment(k, ac.highest_zoneidx);
	/* As Linux's alloc_flags_nofragment: the fast path may wake kswapd
	 * too (a boosted watermark, rmqueue). */
	if (gfp & __GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	page = get_page_from_freelist(k, alloc_flags, &ac);
	if (likely(page))
		return page;
	return __alloc_pages_slowpath(k, &ac);
nopage:
	warn_alloc(k, ac.gfp, ac.order, "page allocation failure");
	return NULL;
}

/*
 * The order-0 fast path, Linux's pcp hit in rmqueue_pcplist: a page from
 * the calling CPU's list for the zone, when the zone is above its low
 * watermark and nothing special is asked.  It makes exactly the checks and
 * counts of the general path for such a hit (check_new_page, the watermark,
 * PGALLOC and NUMA_HIT), and makes no call: anything else (an empty list,
 * a page check_new_page refuses, a remote user of the lists, low memory, a
 * corrupt list under KMM_DEBUG_VM) returns NULL with nothing changed, and
 * the caller's slow path begins again from the top, where the same cases
 * are handled or reported.  The thread's CPU belongs to kmm_global, so the
 * current machine's globals are k's.
 */
static __always_inline struct page *alloc_page_fast(gfp_t gfp, unsigned int order)
{
	const struct kmm_cpu_cache *c = &kmm_this_cpu_cache;
	struct kmm *k = kmm_global;
	struct per_cpu_pages *pcp;
	struct list_head *list;
	enum zone_type idx;
	struct zone *zone;
	struct page *page;
	int mt;

	if (unlikely(order || (gfp & (__GFP_ZERO | __GFP_COMP)) || !k ||
		     c->kmm_id != k->id || c->cpu < 0 || fault_inject_armed()))
		return NULL;
	mt = gfp_migratetype(gfp);
	idx = gfp_zone(gfp);
	zone = k->mem->fast_zone[idx];
	if (unlikely(mt >= MIGRATE_PCPTYPES || !zone))
		return NULL;
	/* zone_watermark_fast for order 0; a negative vm_stat fails it too. */
	if (unlikely(READ_ONCE(zone->vm_stat[NR_FREE_PAGES]) -
		     (long)READ_ONCE(zone->nr_reserved_highatomic) <=
		     (long)low_wmark_pages(zone) + zone->lowmem_reserve[idx]))
		return NULL;
	pcp = &zone->per_cpu_pageset[c->cpu];
	if (unlikely(!local_try_enter(&pcp->ll)))
		return NULL;
	list = &pcp->lists[order_to_pindex(mt, 0)];
	page = list_first_entry(list, struct page, lru);
	if (unlikely(list_empty(list) || page_dirty_state(page, PAGE_FLAGS_CHECK_AT_PREP) ||
		     !__list_del_entry_ok(&page->lru))) {
		local_exit(&pcp->ll, true);
		return NULL;
	}
	list_del(&page->lru);
	WRITE_ONCE(pcp->count, pcp->count - 1);
	local_exit(&pcp->ll, true);
	page->private = 0;
	set_page_count(page, 1);
	page->flags = (page->flags & ~PAGE_ALLOC_ORDER_MASK) | 1ul << PAGE_ALLOC_ORDER_SHIFT;
	/* The counters are the CPU's own: its owner adds with plain stores. */
	WRITE_ONCE(*pcp->pgalloc_event, *pcp->pgalloc_event + 1);
	WRITE_ONCE(pcp->vm_numa_event[NUMA_HIT], pcp->vm_numa_event[NUMA_HIT] + 1);
	return page;
}

/* Everything alloc_page_fast leaves: the general path, from the top. */
static __noinline struct page *alloc_pages_slow(gfp_t gfp, unsigned int order)
{
	return __alloc_pages(kmm_cur(), gfp, order);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_page_fast(gfp, order);

	if (likely(page))
		return page;
	return alloc_pages_slow(gfp, order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/* ------------------------------------------------------------------ */
/* Freeing                                                             */
/* ------------------------------------------------------------------ */

static bool free_page_is_bad(struct kmm *k, struct page *page)
{
	const char *bad;

	if (likely(!page_dirty_state(page, PAGE_FLAGS_CHECK_AT_FREE)))
		return false;
	bad = page_bad_reason(page, PAGE_FLAGS_CHECK_AT_FREE);
	if (likely(!bad))
		return false;
	bad_page(k, page, bad);
	return true;
}

static bool free_tail_page_prepare(struct kmm *k, struct page *head,
				   struct page *page, bool compound)
{
	if (compound) {
		if (unlikely(compound_head(page) != head)) {
			bad_page(k, page, "compound_head not consistent");
			return false;
		}
		page->compound_head = 0;
		page->compound_order = 0;
		INIT_LIST_HEAD(&page->lru);
	}
	if (unlikely(free_page_is_bad(k, page)))
		return false;
	return true;
}

/*
 * Checks a block about to be freed and clears what the owner left.  A bad
 * page is reported and kept out of the allocator for good (Linux does the
 * same): returns false then.
 */
static bool free_pages_prepare(struct kmm *k, struct page *page,
			       unsigned int order)
{
	bool compound = PageHead(page);
	unsigned long i;
	bool ok = true;

	if (compound)
		__ClearPageHead(page);
	if (order) {
		for (i = 1; i < (1ul << order); i++)
			ok &= free_tail_page_prepare(k, page, page + i, compound);
	}
	if (unlikely(free_page_is_bad(k, page)) || !ok)
		return false;
	page->flags &= ~(PAGE_FLAGS_CHECK_AT_PREP | PAGE_ALLOC_ORDER_MASK);
	page->private = 0;
	return true;
}

static void free_one_page(struct kmm *k, struct zone *zone, struct page *page,
			  unsigned long pfn, unsigned int order)
{
	zone_lock(zone);
	__free_one_page(k, page, pfn, zone, order,
			get_pageblock_migratetype(k, pfn), false);
	zone_unlock(zone);
}

/* The page's refcount is already zero: put it on a pcp list or the buddy. */
void free_frozen_pages(struct kmm *k, struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	struct zone *zone = kmm_page_zone(k, page);
	struct per_cpu_pages *pcp;
	int cpu, mt;
	bool fast;

	if (unlikely(!free_pages_prepare(k, page, order)))
		return;
	cpu = smp_processor_id(k);
	__count_vm_events(k, cpu, PGFREE, 1l << order);
	if (unlikely(!pcp_allowed_order(order) || cpu < 0)) {
		free_one_page(k, zone, page, pfn, order);
		return;
	}
	mt = get_pageblock_migratetype(k, pfn);
	if (unlikely(mt >= MIGRATE_PCPTYPES)) {
		if (mt == MIGRATE_ISOLATE) {
			free_one_page(k, zone, page, pfn, order);
			return;
		}
		mt = MIGRATE_MOVABLE;	/* highatomic pages wait on the movable list */
	}
	pcp = &zone->per_cpu_pageset[cpu];
	fast = local_enter(&pcp->ll);
	list_add(&page->lru, &pcp->lists[order_to_pindex(mt, order)]);
	WRITE_ONCE(pcp->count, pcp->count + (1 << order));
	if (unlikely(pcp->count >= pcp->high))
		free_pcppages_bulk(k, zone, pcp->count - pcp->high + pcp->batch, pcp);
	local_exit(&pcp->ll, fast);
}

/*
 * Dropping the last reference of a page still in use (a slab's, a page
 * table, mapped, flags left) would free it under its owner: Linux reports
 * the bad page state after the fact; kmm refuses the free first, so the
 * owner keeps a consistent page.  (put_page on such a page still gets
 * Linux's "Bad page state" report, and the page is kept out for good.)
 */
static bool last_ref_ok(struct kmm *k, struct page *page, unsigned int order,
			const char *caller)
{
	const char *why = NULL;

	if (page_ref_count(page) != 1)
		return true;		/* only a reference goes */
	if (PageSlab(page))
		why = "freeing a page a slab cache owns";
	else if (page_has_type(page))
		why = "freeing a typed page (page table, large kmalloc)";
	else if (page->_mapcount != -1)
		why = "nonzero mapcount";
	else if (page->mapping)
		why = "non-NULL mapping";
	else if (page->flags & PAGE_FLAGS_CHECK_AT_FREE)
		why = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
	if (!why)
		return true;
	kmm_report(k, "BUG: Bad page free in %s: pfn:%#lx order:%u: page still in use: %s\n",
		   caller, page_to_pfn(page), order, why);
	k->mem->nr_reports_bad_free++;
	return false;
}

/*
 * The checks Linux leaves to VM_BUG_ON, made always, before anything is
 * changed: a misused free is reported and ignored, so the allocator stays
 * consistent.  Returns true if the free may go ahead.
 */
static bool free_pages_valid(struct kmm *k, struct page *page,
			     unsigned int order, const char *caller)
{
	unsigned long pfn, rec;
	const char *why = NULL;

	if (unlikely((char *)page < k->hw->ram.vmemmap ||
		     (char *)page >= k->hw->ram.vmemmap + k->mem->max_pfn * sizeof(*page) ||
		     ((char *)page - k->hw->ram.vmemmap) % sizeof(*page))) {
		kmm_report(k, "BUG: %s: %p is not a struct page of this machine\n",
			   caller, (void *)page);
		return false;
	}
	pfn = page_to_pfn(page);
	if (!pfn_valid(pfn))
		why = "pfn is not RAM";
	else if (order > MAX_PAGE_ORDER)
		why = "order above MAX_PAGE_ORDER";
	else if (pfn & ((1ul << order) - 1))
		why = "pfn not aligned to the order";
	else if (PageTail(page))
		why = "freeing a tail page of a compound page";
	else if (PageBuddy(page) || !page_ref_count(page))
		why = "double free: page is already free";
	else if (PageReserved(page))
		why = "freeing a reserved page";
	if (!why) {
		rec = (page->flags & PAGE_ALLOC_ORDER_MASK) >> PAGE_ALLOC_ORDER_SHIFT;
		if (rec && rec - 1 != order) {
			kmm_report(k, "BUG: Bad page free in %s: pfn:%#lx order:%u but allocated as order:%lu\n",
				   caller, pfn, order, rec - 1);
			k->mem->nr_reports_bad_free++;
			return false;
		}
		return last_ref_ok(k, page, order, caller);
	}
	kmm_report(k, "BUG: Bad page free in %s: pfn:%#lx order:%u: %s\n",
		   caller, pfn, order, why);
	k->mem->nr_reports_bad_free++;
	return false;
}

__noinline void ___free_pages(struct kmm *k, struct page *page, unsigned int order)
{
	bool head;

	if (unlikely(!free_pages_valid(k, page, order, "__free_pages")))
		return;
	head = PageHead(page);
	if (page_ref_dec_and_test(page)) {
		free_frozen_pages(k, page, order);
	} else if (!head) {
		/* Someone still holds the first page: free the rest, and
		 * remember that only the first page is left to free. */
		page->flags = (page->flags & ~PAGE_ALLOC_ORDER_MASK) |
			      1ul << PAGE_ALLOC_ORDER_SHIFT;
		while (order-- > 0)
			free_frozen_pages(k, page + (1ul << order), order);
	}
}

/*
 * The order-0 fast path of __free_pages: a plain, clean page that only the
 * caller holds goes onto this CPU's list.  The checks are those of the
 * general path (free_pages_valid, free_pages_prepare) folded into a few
 * compares, all made before anything is changed; anything unusual (a
 * misuse to report, a second reference, a reserve block, a remote user of
 * the lists, a list at pcp->high that must be drained, a corrupt list
 * under KMM_DEBUG_VM) returns false and the slow path begins again from
 * the top.  It makes no call.  The count goes 1 -> 0 with a plain store:
 * the caller holds the only reference and kmm takes no speculative
 * references (no lockless lookups), so nobody can raise it concurrently.
 * The thread's CPU belongs to kmm_global, so kmm_vmemmap and kmm_max_pfn
 * are k's.
 */
static __always_inline bool free_page_fast(struct page *page, unsigned int order)
{
	const struct kmm_cpu_cache *c = &kmm_this_cpu_cache;
	struct kmm *k = kmm_global;
	unsigned long off = (unsigned long)((char *)page - (char *)kmm_vmemmap);
	unsigned long pfn = off / sizeof(struct page);
	struct per_cpu_pages *pcp;
	struct list_head *list;
	struct mm_machine *m;
	unsigned long flags;
	int mt, count;

	if (unlikely(order || !k || c->kmm_id != k->id || c->cpu < 0))
		return false;
	m = k->mem;
	if (unlikely(off % sizeof(struct page) || pfn >= kmm_max_pfn ||
		     !(m->mem_section[pfn_to_section_nr(pfn)].flags & SECTION_IS_PRESENT)))
		return false;
	/* Exactly: allocated as order 0, no flags, one ref, unmapped. */
	flags = page->flags;
	if (unlikely((flags & ~(ZONES_MASK << ZONES_PGSHIFT)) != 1ul << PAGE_ALLOC_ORDER_SHIFT ||
		     page_ref_count(page) != 1 || page->mapping || page->_mapcount != -1))
		return false;
	mt = READ_ONCE(m->pageblock_mt[pfn >> pageblock_order]);
	if (unlikely(mt >= MIGRATE_PCPTYPES))
		return false;
	pcp = &m->node.node_zones[(flags >> ZONES_PGSHIFT) & ZONES_MASK].per_cpu_pageset[c->cpu];
	if (unlikely(!local_try_enter(&pcp->ll)))
		return false;
	list = &pcp->lists[order_to_pindex(mt, 0)];
	count = pcp->count + 1;
	if (unlikely(count >= pcp->high || !__list_add_ok(&page->lru, list, list->next))) {
		local_exit(&pcp->ll, true);
		return false;
	}
	list_add(&page->lru, list);	/* first: its check is the one just made */
	set_page_count(page, 0);
	page->flags = flags & ~PAGE_ALLOC_ORDER_MASK;
	page->private = 0;
	WRITE_ONCE(pcp->count, count);
	local_exit(&pcp->ll, true);
	WRITE_ONCE(*pcp->pgfree_event, *pcp->pgfree_event + 1);
	return true;
}

/* Everything free_page_fast leaves: the general path, from the top. */
static __noinline void free_pages_slow(struct page *page, unsigned int order)
{
	___free_pages(kmm_cur(), page, order);
}

void __free_pages(struct page *page, unsigned int order)
{
	if (likely(free_page_fast(page, order)))
		return;
	free_pages_slow(page, order);
}

void free_pages(unsigned long addr, unsigned int order)
{
	struct kmm *k = kmm_cur();

	if (!addr)
		return;
	if (!virt_addr_valid((void *)addr)) {
		kmm_report(k, "BUG: Bad page free in free_pages: address %#lx is not in RAM\n",
			   addr);
		k->mem->nr_reports_bad_free++;
		return;
	}
	if (addr & (PAGE_SIZE - 1)) {
		kmm_report(k, "BUG: Bad page free in free_pages: address %#lx is not page aligned\n",
			   addr);
		k->mem->nr_reports_bad_free++;
		return;
	}
	___free_pages(k, virt_to_page((void *)addr), order);
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned int order = 0;
	unsigned long addr, used, alloc_end;

	if (!size)
		return NULL;
	while ((PAGE_SIZE << order) < size && order <= MAX_PAGE_ORDER)
		order++;
	addr = __get_free_pages(gfp & ~__GFP_COMP, order);
	if (!addr)
		return NULL;
	/* Split the block and give back the pages past size. */
	used = addr + ALIGN(size, PAGE_SIZE);
	alloc_end = addr + (PAGE_SIZE << order);
	split_page(virt_to_page((void *)addr), order);
	for (; used < alloc_end; used += PAGE_SIZE)
		free_page(used);
	return (void *)addr;
}

void free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt;
	unsigned long end = addr + ALIGN(size, PAGE_SIZE);

	for (; addr < end; addr += PAGE_SIZE)
		free_page(addr);
}

/* Turns a non-compound 2^order block into 2^order order-0 pages. */
void split_page(struct page *page, unsigned int order)
{
	unsigned long i;

	page->flags = (page->flags & ~PAGE_ALLOC_ORDER_MASK) |
		      1ul << PAGE_ALLOC_ORDER_SHIFT;
	for (i = 1; i < (1ul << order); i++) {
		set_page_count(page + i, 1);
		page[i].flags = (page[i].flags & ~PAGE_ALLOC_ORDER_MASK) |
				1ul << PAGE_ALLOC_ORDER_SHIFT;
	}
}

/* Boot: a reserved block becomes a free one and joins the zone. */
void __free_pages_core(struct kmm *k, struct page *page, unsigned int order)
{
	unsigned long i, nr = 1ul << order, pfn = page_to_pfn(page);
	struct zone *zone = kmm_page_zone(k, page);

	for (i = 0; i < nr; i++) {
		__ClearPageReserved(page + i);
		set_page_count(page + i, 0);
	}
	zone->managed_pages += nr;
	free_one_page(k, zone, page, pfn, order);
}

/* ------------------------------------------------------------------ */
/* Draining the per-CPU lists                                          */
/* ------------------------------------------------------------------ */

void __drain_all_pages(struct kmm *k, struct zone *only)
{
	unsigned int cpu;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];

		if (!populated_zone(zone) || (only && zone != only))
			continue;
		for (cpu = 0; cpu < k->nr_cpus; cpu++) {
			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

			local_lock_remote(&pcp->ll);
			free_pcppages_bulk(k, zone, pcp->count, pcp);
			local_unlock_remote(&pcp->ll);
		}
	}
}

void drain_all_pages(struct zone *zone)
{
	__drain_all_pages(kmm_cur(), zone);
}

unsigned long zone_pcp_count(const struct kmm *k, const struct zone *zone)
{
	unsigned long n = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < k->nr_cpus; cpu++)
		n += (unsigned long)READ_ONCE(zone->per_cpu_pageset[cpu].count);
	return n;
}

/* ------------------------------------------------------------------ */
/* Per-CPU list sizes (the computation is in mm/mm_init.c)             */
/* ------------------------------------------------------------------ */

void zone_pcp_update(struct kmm *k, struct zone *zone)
{
	unsigned int cpu;

	zone->pageset_batch = zone_batchsize(zone);
	zone->pageset_high_min = zone_highsize(k, zone, zone->pageset_batch, 0);
	zone->pageset_high_max = zone_highsize(k, zone, zone->pageset_batch,
					       MIN_PERCPU_PAGELIST_HIGH_FRACTION);
	for (cpu = 0; cpu < k->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		local_lock_remote(&pcp->ll);
		WRITE_ONCE(pcp->batch, zone->pageset_batch);
		WRITE_ONCE(pcp->high_min, zone->pageset_high_min);
		WRITE_ONCE(pcp->high_max, zone->pageset_high_max);
		WRITE_ONCE(pcp->high, zone->pageset_high_min);
		if (pcp->count >= pcp->high)
			free_pcppages_bulk(k, zone, pcp->count - pcp->high + pcp->batch, pcp);
		local_unlock_remote(&pcp->ll);
	}
}

unsigned long nr_free_pages(void)
{
	return __global_zone_page_state(kmm_cur(), NR_FREE_PAGES);
}
