/*
 * mm/vmscan.c - page reclaim: kswapd and direct reclaim over the node's
 * LRU lists, as Linux 6.x's classic (non-MGLRU) reclaim does it.
 *
 * The shape, from the top:
 *
 *   kswapd (balance_pgdat)          direct reclaim (try_to_free_pages)
 *      woken below a low watermark     an allocation below min, kswapd behind
 *      reclaims to the high one        reclaims SWAP_CLUSTER_MAX and retries
 *                  \                  /
 *                   shrink_node: shrink_lruvec + shrink_slab
 *                     get_scan_count: how many of each list, at this priority
 *                     (list size >> priority, anon vs file by swappiness and
 *                     cost; file only while there is no swap)
 *                   shrink_active_list: the active tail goes inactive
 *                     (executable file pages that were used stay active)
 *                   shrink_inactive_list -> shrink_folio_list: per folio,
 *                     referenced? (PTE accessed bits through rmap, then
 *                     PG_referenced) -> activate / keep / reclaim;
 *                     mapped -> try_to_unmap; dirty -> PG_reclaim, to the
 *                     flusher; buffers -> try_to_free_buffers; then out of
 *                     the page cache and freed.
 *
 * Simulated time: kswapd is a kernel thread with a CPU of its own.  When
 * an allocation that may sleep wakes it, it runs its pass at once (the
 * allocating task would wait for it no longer on a real machine with a
 * spare CPU); woken by one that may not (GFP_ATOMIC), it runs at the next
 * point timers run.  Direct reclaim that meets only pages under
 * writeback sleeps in simulated time for the disk (reclaim_throttle).
 *
 * What is not here yet: anonymous reclaim (needs swap), the workingset's
 * MGLRU.
 */
#include <kmm/mm_inline.h>
#include <kmm/pagemap.h>
#include <kmm/fs.h>
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "hw/disk.h"
#include "mm/swap.h"

#define DEF_PRIORITY		12
#define SWAP_CLUSTER_MAX	32ul

struct reclaim_stat {
	unsigned int nr_dirty;
	unsigned int nr_unqueued_dirty;
	unsigned int nr_writeback;
	unsigned int nr_immediate;
	unsigned int nr_activate[2];
	unsigned int nr_ref_keep;
	unsigned int nr_unmap_fail;
};

struct scan_control {
	unsigned long nr_to_reclaim;
	gfp_t gfp_mask;
	int order;
	int priority;
	enum zone_type reclaim_idx;	/* the highest zone it reclaims for */
	bool kswapd;
	bool may_writepage;
	bool may_unmap;
	bool may_swap;
	bool ignore_references;		/* MADV_PAGEOUT: reclaim even if used */
	unsigned int may_deactivate;	/* DEACTIVATE_ANON | DEACTIVATE_FILE */
	bool skipped_deactivate;
	unsigned long nr_scanned;
	unsigned long nr_reclaimed;
	struct {
		unsigned int dirty;
		unsigned int unqueued_dirty;
		unsigned int writeback;
		unsigned int immediate;
		unsigned int file_taken;
		unsigned int taken;
	} nr;
};

#define DEACTIVATE_ANON	1
#define DEACTIVATE_FILE	2

/* The reclaiming thread's PF_MEMALLOC: its own allocations neither reclaim
 * again nor wait, and may go below the watermarks. */
static __thread bool current_reclaims;

bool current_is_reclaimer(void)
{
	return current_reclaims;
}

/* The anon lists can be reclaimed only into free swap. */
static bool can_reclaim_anon_pages(struct kmm *k)
{
	return get_nr_swap_pages(k) > 0;
}

/* ---- sizes and ratios --------------------------------------------------- */

/* Pages on lru in the zones reclaim may take from (lruvec_lru_size). */
static unsigned long lruvec_lru_size(pg_data_t *pgdat, enum lru_list lru, int zone_idx)
{
	unsigned long size = 0;
	int z;

	for (z = 0; z <= zone_idx && z < MAX_NR_ZONES; z++)
		size += zone_page_state(&pgdat->node_zones[z], NR_ZONE_INACTIVE_ANON + lru);
	return size;
}

/*
 * inactive_is_low: the inactive list should hold at least 1/ratio of the
 * type, ratio = sqrt(10 x GiB of the type) (1 below 1 GiB): 3 at 1 GiB,
 * 10 at 10 GiB, 31 at 100 GiB, as Linux's comment tabulates.
 */
static bool inactive_is_low(pg_data_t *pgdat, enum lru_list inactive_lru)
{
	unsigned long inactive = node_page_state(pgdat, NR_INACTIVE_ANON + inactive_lru);
	unsigned long active = node_page_state(pgdat, NR_INACTIVE_ANON + inactive_lru + LRU_ACTIVE);
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT);
	unsigned long ratio = gb ? int_sqrt(10 * gb) : 1;

	return inactive * ratio < active;
}

/* ---- references: folio_referenced --------------------------------------- */

struct folio_referenced_arg {
	int referenced;
	unsigned long vm_flags;
};

/*
 * One PTE of the folio: its accessed bit is tested and cleared.  As on
 * x86 (ptep_clear_flush_young), the TLB is not flushed: a translation it
 * still holds keeps the page looking unused until the entry goes, which
 * Linux accepts as the price of not flushing.
 */
static int folio_referenced_one(struct page *folio, struct vm_area_struct *v,
				unsigned long addr, void *arg)
{
	struct folio_referenced_arg *ra = arg;
	pte_t *pte = pte_lookup(v->vm_mm, addr), e = ptep_get(pte);

	(void)folio;
	if (v->vm_flags & VM_LOCKED) {
		ra->vm_flags |= VM_LOCKED;
		return 1;			/* stop: it goes to the unevictable list */
	}
	if (pte_young(e)) {
		set_pte(pte, pte_mkold(e));
		ra->referenced++;
	}
	ra->vm_flags |= v->vm_flags;
	return 0;
}

/* How many PTEs mapping folio (any of its pages) were accessed since the
 * last look. */
static int folio_referenced(struct page *folio, unsigned long *vm_flags)
{
	struct folio_referenced_arg ra = { 0, 0 };
	unsigned long i, nr = folio_nr_pages(folio);

	for (i = 0; i < nr && !(ra.vm_flags & VM_LOCKED); i++)
		if (page_mapcount(folio + i))
			rmap_walk(folio + i, folio_referenced_one, &ra);
	*vm_flags = ra.vm_flags;
	return ra.referenced;
}

enum folio_references {
	FOLIOREF_RECLAIM,
	FOLIOREF_RECLAIM_CLEAN,
	FOLIOREF_KEEP,
	FOLIOREF_ACTIVATE,
};

/*
 * The second chance (folio_check_references).  A mapped folio was touched
 * by its first fault, so one young PTE only keeps it on the inactive list
 * (marked referenced); a second look that finds it used again, or two
 * PTEs, activate it; an executable file page is activated at once.  An
 * unmapped page read by read(2) twice (PG_referenced) was activated by
 * folio_mark_accessed already; once, it is reclaimed if clean.
 */
static enum folio_references folio_check_references(struct page *folio)
{
	unsigned long vm_flags;
	int referenced_ptes = folio_referenced(folio, &vm_flags);
	bool referenced_folio = TestClearPageReferenced(folio);

	if (vm_flags & VM_LOCKED)
		return FOLIOREF_ACTIVATE;
	if (referenced_ptes) {
		SetPageReferenced(folio);
		if (referenced_folio || referenced_ptes > 1)
			return FOLIOREF_ACTIVATE;
		if ((vm_flags & VM_EXEC) && folio_is_file_lru(folio))
			return FOLIOREF_ACTIVATE;
		return FOLIOREF_KEEP;
	}
	if (referenced_folio && folio_is_file_lru(folio))
		return FOLIOREF_RECLAIM_CLEAN;
	return FOLIOREF_RECLAIM;
}

/* ---- isolation and putback ---------------------------------------------- */

/*
 * Takes up to nr_to_scan pages' worth of folios from the tail of lru onto
 * dst, each with a reference and PG_lru cleared (isolate_lru_folios).
 * Folios of zones above the reclaim index are skipped (pgskip_*), and
 * put back at the head of the list afterwards.  Caller holds lru_lock.
 */
static unsigned long isolate_lru_folios(struct kmm *k, unsigned long nr_to_scan,
					pg_data_t *pgdat, struct list_head *dst,
					unsigned long *nr_scanned, struct scan_control *sc,
					enum lru_list lru)
{
	struct list_head *src = &pgdat->__lruvec.lists[lru];
	unsigned long nr_taken = 0, scan = 0, skipped[MAX_NR_ZONES] = { 0 };
	LIST_HEAD(folios_skipped);
	int z;

	while (scan < nr_to_scan && !list_empty(src)) {
		struct page *folio = list_last_entry(src, struct page, lru);
		unsigned long nr = folio_nr_pages(folio);

		if (page_zonenum(folio) > (int)sc->reclaim_idx) {
			list_move(&folio->lru, &folios_skipped);
			skipped[page_zonenum(folio)] += nr;
			continue;
		}
		scan += nr;
		if (!get_page_unless_zero(folio)) {
			list_move(&folio->lru, src);	/* being freed: let it go */
			continue;
		}
		ClearPageLRU(folio);
		lruvec_del_folio(pgdat, folio);
		list_add(&folio->lru, dst);
		nr_taken += nr;
	}
	if (!list_empty(&folios_skipped)) {
		list_splice(&folios_skipped, src);
		for (z = 0; z < MAX_NR_ZONES; z++)
			if (skipped[z])
				__count_vm_events(k, smp_processor_id(k), PGSKIP_DMA + z, (long)skipped[z]);
	}
	*nr_scanned = scan;
	return nr_taken;
}

/*
 * Puts isolated folios back on the lists their flags now name
 * (move_folios_to_lru) and drops the isolation references; a reference
 * that was the last frees the folio after the lock is let go.  Returns the
 * pages moved to an active list.
 */
static unsigned long move_folios_to_lru(struct kmm *k, pg_data_t *pgdat, struct list_head *list)
{
	unsigned long nr_moved = 0;
	LIST_HEAD(folios_to_free);
	struct page *folio, *next;

	pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
	while (!list_empty(list)) {
		folio = list_first_entry(list, struct page, lru);
		list_del(&folio->lru);
		if (!folio_evictable(folio)) {
			ClearPageActive(folio);
			SetPageUnevictable(folio);
			*folio_mlock_count(folio) = 1;
			__count_vm_events(k, smp_processor_id(k), UNEVICTABLE_PGS_CULLED,
					  (long)folio_nr_pages(folio));
		}
		SetPageLRU(folio);
		if (page_ref_dec_and_test(folio)) {
			ClearPageLRU(folio);
			ClearPageActive(folio);
			ClearPageUnevictable(folio);
			list_add(&folio->lru, &folios_to_free);
			continue;
		}
		lruvec_add_folio(pgdat, folio);
		if (PageActive(folio)) {
			nr_moved += folio_nr_pages(folio);
			workingset_age_nonresident(k, folio_nr_pages(folio));
		}
	}
	pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
	/* Their last reference went under the lock: the put path's free,
	 * with the count given back for it to take. */
	list_for_each_entry_safe(folio, next, &folios_to_free, lru) {
		list_del(&folio->lru);
		set_page_count(folio, 1);
		put_page(folio);
	}
	return nr_moved;
}

/* ---- shrink_folio_list -------------------------------------------------- */

typedef enum { PAGE_KEEP, PAGE_ACTIVATE, PAGE_SUCCESS } pageout_t;

/*
 * pageout for swap: the dirty swap cache folio is written to its slot
 * asynchronously (swap_writeout), PG_reclaim marking it to be rotated to
 * the inactive tail when the write ends.
 */
static pageout_t swap_pageout(struct kmm *k, struct page *folio)
{
	struct writeback_control wbc = { .nr_to_write = SWAP_CLUSTER_MAX };

	if (page_ref_count(folio) != 2)	/* the cache and us: nobody else looks */
		return PAGE_KEEP;
	ClearPageDirty(folio);
	SetPageReclaim(folio);
	if (swap_writepage(folio, &wbc)) {
		ClearPageReclaim(folio);
		return PAGE_ACTIVATE;
	}
	if (!PageWriteback(folio))
		ClearPageReclaim(folio);
	mod_node_page_state(k, NR_VMSCAN_WRITE, 1);
	return PAGE_SUCCESS;
}

/*
 * __remove_mapping for a clean swap cache folio nobody maps or holds:
 * out of the cache, a shadow left for the refault (workingset), its slot
 * kept if swap PTEs refer to it.  The cache's reference is dropped; the
 * caller's (the isolation) is the last.
 */
static bool remove_swap_mapping(struct page *folio)
{
	swp_entry_t entry = page_swap_entry(folio);

	if (page_ref_count(folio) != 2 || PageDirty(folio) || PageWriteback(folio) ||
	    folio_mapped(folio))
		return false;
	__delete_from_swap_cache(folio, entry, workingset_eviction(folio));
	put_swap_folio(folio, entry);
	put_page(folio);
	return true;
}

/*
 * Unmaps folio from every page table (try_to_unmap); true when no PTE
 * maps it any more.
 */
static int try_to_unmap_one(struct page *folio, struct vm_area_struct *v,
			    unsigned long addr, void *arg)
{
	(void)arg;
	if (v->vm_flags & VM_LOCKED)
		return 1;		/* mlocked after isolation: keep it */
	unmap_folio_pte(v, addr, folio);
	return 0;
}

static bool try_to_unmap(struct page *folio)
{
	unsigned long i, nr = folio_nr_pages(folio);

	for (i = 0; i < nr; i++)
		if (page_mapcount(folio + i))
			rmap_walk(folio + i, try_to_unmap_one, NULL);
	return !folio_mapped(folio);
}

/*
 * Reclaims what it can of the isolated folios on list; the rest stay on
 * it (some marked active) for the caller to put back.  Returns the pages
 * freed.
 */
static unsigned long shrink_folio_list(struct kmm *k, struct list_head *list,
				       pg_data_t *pgdat, struct scan_control *sc,
				       struct reclaim_stat *stat)
{
	LIST_HEAD(ret_folios);
	unsigned long nr_reclaimed = 0;

	memset(stat, 0, sizeof(*stat));
	while (!list_empty(list)) {
		struct page *folio = list_first_entry(list, struct page, lru);
		struct address_space *mapping;
		unsigned long nr = folio_nr_pages(folio);

		list_del(&folio->lru);
		if (TestSetPageLocked(folio))
			goto keep;
		if (!folio_evictable(folio))
			goto activate_locked;
		if (folio_is_file_lru(folio) && !PageUptodate(folio))
			goto keep_locked;	/* being read (Linux holds it locked) */
		if (!sc->may_unmap && folio_mapped(folio))
			goto keep_locked;
		if (folio_is_file_lru(folio) && PageDirty(folio)) {
			stat->nr_dirty += nr;
			if (!PageWriteback(folio))
				stat->nr_unqueued_dirty += nr;
		}
		/* Under writeback: mark it so its end rotates it to the tail. */
		if (PageWriteback(folio)) {
			if (sc->kswapd && PageReclaim(folio)) {
				stat->nr_immediate += nr;
			} else {
				SetPageReclaim(folio);
				stat->nr_writeback += nr;
			}
			goto keep_locked;
		}
		switch (sc->ignore_references ? FOLIOREF_RECLAIM : folio_check_references(folio)) {
		case FOLIOREF_ACTIVATE:
			goto activate_locked;
		case FOLIOREF_KEEP:
			stat->nr_ref_keep += nr;
			goto keep_locked;
		case FOLIOREF_RECLAIM:
		case FOLIOREF_RECLAIM_CLEAN:
			break;
		}
		/*
		 * An anonymous folio needs a slot first (add_to_swap: it is
		 * then in the swap cache, dirty); no slot, no reclaim.
		 * Shmem folios would go to swap through shmem, which kmm does
		 * not do yet: they stay.
		 */
		if (PageSwapBacked(folio) && !PageSwapCache(folio)) {
			if (!PageAnon(folio) || !sc->may_swap || !(sc->gfp_mask & __GFP_IO))
				goto activate_locked;
			if (!add_to_swap(folio))
				goto activate_locked;	/* swap is full */
		}
		if (folio_mapped(folio) && !try_to_unmap(folio)) {
			stat->nr_unmap_fail += nr;
			goto activate_locked;
		}
		/*
		 * Dirty file folios are the flusher's to write: Linux 6.16 and
		 * later never write them from reclaim.  PG_reclaim makes the
		 * end of their write put them at the inactive tail, so the
		 * next pass finds them clean.
		 */
		if (PageDirty(folio) && folio_is_file_lru(folio)) {
			mod_node_page_state(k, NR_VMSCAN_IMMEDIATE_RECLAIM, (long)nr);
			SetPageReclaim(folio);
			goto activate_locked;
		}
		/* pageout of a swap cache folio: written to its slot, it stays
		 * until the write ends (then it is rotated to the tail). */
		if (PageDirty(folio)) {
			if (!sc->may_writepage)
				goto keep_locked;
			switch (swap_pageout(k, folio)) {
			case PAGE_KEEP:
				goto keep_locked;
			case PAGE_ACTIVATE:
				goto activate_locked;
			case PAGE_SUCCESS:
				if (PageWriteback(folio))
					goto keep_locked;
				break;		/* written already: free it now */
			}
		}
		if (PageSwapCache(folio)) {
			if (!remove_swap_mapping(folio))
				goto keep_locked;
			ClearPageLocked(folio);
			nr_reclaimed += nr;
			put_page(folio);
			continue;
		}
		mapping = folio->mapping;
		if (PagePrivate(folio) && !filemap_release_folio(folio))
			goto activate_locked;
		if (!mapping || !remove_mapping(mapping, folio))
			goto keep_locked;
		ClearPageLocked(folio);
		nr_reclaimed += nr;
		put_page(folio);		/* the isolation reference: the last */
		continue;

activate_locked:
		if (!PageMlocked(folio)) {
			SetPageActive(folio);
			stat->nr_activate[folio_is_file_lru(folio)] += nr;
			__count_vm_events(k, smp_processor_id(k), PGACTIVATE, (long)nr);
		}
keep_locked:
		ClearPageLocked(folio);
keep:
		list_add(&folio->lru, &ret_folios);
	}
	list_splice(&ret_folios, list);
	return nr_reclaimed;
}

/*
 * folio_isolate_lru: takes folio off its LRU list for the caller (with a
 * reference); false if it is not on one (in a batch, or isolated).
 */
bool folio_isolate_lru(struct page *folio)
{
	struct kmm *k = kmm_cur();
	pg_data_t *pgdat = &k->mem->node;
	bool ret = false;

	pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
	if (PageLRU(folio) && get_page_unless_zero(folio)) {
		ClearPageLRU(folio);
		lruvec_del_folio(pgdat, folio);
		mod_node_page_state(k, NR_ISOLATED_ANON + folio_is_file_lru(folio),
				    (long)folio_nr_pages(folio));
		ret = true;
	}
	pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
	return ret;
}

/* folio_putback_lru: an isolated folio back on the list its flags name. */
void folio_putback_lru(struct page *folio)
{
	struct kmm *k = kmm_cur();
	LIST_HEAD(list);

	mod_node_page_state(k, NR_ISOLATED_ANON + folio_is_file_lru(folio),
			    -(long)folio_nr_pages(folio));
	list_add(&folio->lru, &list);
	move_folios_to_lru(k, &k->mem->node, &list);
}

/*
 * reclaim_pages (MADV_PAGEOUT): the isolated folios on list are reclaimed
 * regardless of their references; what cannot be goes back.  Returns the
 * pages freed.
 */
unsigned long reclaim_pages(struct list_head *list)
{
	struct kmm *k = kmm_cur();
	pg_data_t *pgdat = &k->mem->node;
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL,
		.reclaim_idx = MAX_NR_ZONES - 1,
		.priority = DEF_PRIORITY,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
		.ignore_references = true,
	};
	struct reclaim_stat stat;
	unsigned long nr_reclaimed, nr[2] = { 0, 0 };
	struct page *folio;

	if (list_empty(list))
		return 0;
	list_for_each_entry(folio, list, lru) {
		nr[folio_is_file_lru(folio)] += folio_nr_pages(folio);
		ClearPageActive(folio);		/* taken as if from the inactive list */
	}
	pthread_mutex_lock(&k->mem->reclaim_lock);
	current_reclaims = true;
	nr_reclaimed = shrink_folio_list(k, list, pgdat, &sc, &stat);
	current_reclaims = false;
	pthread_mutex_unlock(&k->mem->reclaim_lock);
	move_folios_to_lru(k, pgdat, list);
	mod_node_page_state(k, NR_ISOLATED_ANON, -(long)nr[0]);
	mod_node_page_state(k, NR_ISOLATED_FILE, -(long)nr[1]);
	return nr_reclaimed;
}

/* ---- the lists ---------------------------------------------------------- */

/*
 * shrink_inactive_list: isolate, try to reclaim, put the rest back.  A
 * batch that was all dirty and not yet queued wakes the flusher, whose
 * writes end with the folios rotated to the tail (PG_reclaim).
 */
static unsigned long shrink_inactive_list(struct kmm *k, unsigned long nr_to_scan,
					  pg_data_t *pgdat, struct scan_control *sc,
					  enum lru_list lru)
{
	bool file = is_file_lru(lru);
	int cpu = smp_processor_id(k);
	unsigned long nr_scanned, nr_taken, nr_reclaimed;
	struct reclaim_stat stat;
	LIST_HEAD(folio_list);

	lru_add_drain();
	pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
	nr_taken = isolate_lru_folios(k, nr_to_scan, pgdat, &folio_list, &nr_scanned, sc, lru);
	pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
	mod_node_page_state(k, NR_ISOLATED_ANON + file, (long)nr_taken);
	sc->nr_scanned += nr_scanned;
	__count_vm_events(k, cpu, sc->kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, (long)nr_scanned);
	__count_vm_events(k, cpu, PGSCAN_ANON + file, (long)nr_scanned);
	if (!nr_taken)
		return 0;

	nr_reclaimed = shrink_folio_list(k, &folio_list, pgdat, sc, &stat);
	move_folios_to_lru(k, pgdat, &folio_list);
	mod_node_page_state(k, NR_ISOLATED_ANON + file, -(long)nr_taken);
	__count_vm_events(k, cpu, sc->kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, (long)nr_reclaimed);
	__count_vm_events(k, cpu, PGSTEAL_ANON + file, (long)nr_reclaimed);
	/* What rotated costs its type: the scan balance leans away from it. */
	if (file)
		pgdat->__lruvec.file_cost += stat.nr_activate[1];
	else
		pgdat->__lruvec.anon_cost += stat.nr_activate[0];

	if (stat.nr_unqueued_dirty && stat.nr_unqueued_dirty == nr_taken)
		wakeup_flusher_threads(k);
	sc->nr.dirty += stat.nr_dirty;
	sc->nr.unqueued_dirty += stat.nr_unqueued_dirty;
	sc->nr.writeback += stat.nr_writeback;
	sc->nr.immediate += stat.nr_immediate;
	sc->nr.taken += (unsigned int)nr_taken;
	if (file)
		sc->nr.file_taken += (unsigned int)nr_taken;
	return nr_reclaimed;
}

/*
 * shrink_active_list: the tail of an active list goes to the inactive
 * one, unless it is an executable file page that was used since the last
 * look (it stays active: code is worth keeping).  Each page taken counts
 * in pgrefill, each moved in pgdeactivate.
 */
static void shrink_active_list(struct kmm *k, unsigned long nr_to_scan, pg_data_t *pgdat,
			       struct scan_control *sc, enum lru_list lru)
{
	bool file = is_file_lru(lru);
	int cpu = smp_processor_id(k);
	unsigned long nr_taken, nr_scanned, nr_rotated = 0, nr_deactivate = 0;
	LIST_HEAD(l_hold);
	LIST_HEAD(l_active);
	LIST_HEAD(l_inactive);

	lru_add_drain();
	pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
	nr_taken = isolate_lru_folios(k, nr_to_scan, pgdat, &l_hold, &nr_scanned, sc, lru);
	pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
	mod_node_page_state(k, NR_ISOLATED_ANON + file, (long)nr_taken);
	__count_vm_events(k, cpu, PGREFILL, (long)nr_scanned);

	while (!list_empty(&l_hold)) {
		struct page *folio = list_first_entry(&l_hold, struct page, lru);
		unsigned long vm_flags;

		list_del(&folio->lru);
		if (!folio_evictable(folio)) {
			list_add(&folio->lru, &l_active);	/* to the unevictable list */
			continue;
		}
		if (folio_referenced(folio, &vm_flags) && (vm_flags & VM_EXEC) &&
		    folio_is_file_lru(folio)) {
			nr_rotated += folio_nr_pages(folio);
			list_add(&folio->lru, &l_active);
			continue;
		}
		ClearPageActive(folio);
		SetPageWorkingset(folio);
		nr_deactivate += folio_nr_pages(folio);
		list_add(&folio->lru, &l_inactive);
	}
	move_folios_to_lru(k, pgdat, &l_active);
	move_folios_to_lru(k, pgdat, &l_inactive);
	mod_node_page_state(k, NR_ISOLATED_ANON + file, -(long)nr_taken);
	__count_vm_events(k, cpu, PGDEACTIVATE, (long)nr_deactivate);
	if (file)
		pgdat->__lruvec.file_cost += nr_rotated;
	else
		pgdat->__lruvec.anon_cost += nr_rotated;
}

static unsigned long shrink_list(struct kmm *k, enum lru_list lru, unsigned long nr_to_scan,
				 pg_data_t *pgdat, struct scan_control *sc)
{
	if (is_active_lru(lru)) {
		if (sc->may_deactivate & (is_file_lru(lru) ? DEACTIVATE_FILE : DEACTIVATE_ANON))
			shrink_active_list(k, nr_to_scan, pgdat, sc, lru);
		else
			sc->skipped_deactivate = true;
		return 0;
	}
	return shrink_inactive_list(k, nr_to_scan, pgdat, sc, lru);
}

/*
 * get_scan_count: how many pages of each evictable list this pass scans:
 * the list's size >> priority, split between anon and file.  Without swap
 * only file; with it, by swappiness against the costs seen (rotations):
 * anon's share is swappiness / (cost of anon), file's (200 - swappiness)
 * / (cost of file), as Linux's SCAN_FRACT.
 */
static void get_scan_count(struct kmm *k, pg_data_t *pgdat, struct scan_control *sc,
			   unsigned long *nr)
{
	unsigned long ap, fp, total_cost, anon_cost, file_cost;
	int swappiness = k->mem->vm_swappiness;
	bool file_only = !sc->may_swap || !can_reclaim_anon_pages(k);
	int lru;

	anon_cost = pgdat->__lruvec.anon_cost;
	file_cost = pgdat->__lruvec.file_cost;
	total_cost = anon_cost + file_cost;
	ap = (unsigned long)swappiness * (total_cost + 1) / (anon_cost + 1);
	fp = (unsigned long)(200 - swappiness) * (total_cost + 1) / (file_cost + 1);
	for (lru = 0; lru < NR_EVICTABLE_LRU_LISTS; lru++) {
		unsigned long size = lruvec_lru_size(pgdat, lru, (int)sc->reclaim_idx);
		unsigned long scan = size >> sc->priority;

		if (file_only)
			nr[lru] = is_file_lru(lru) ? scan : 0;
		else if (sc->priority == 0 && swappiness)
			nr[lru] = scan;		/* SCAN_EQUAL at the last resort */
		else
			nr[lru] = ap + fp ? scan * (is_file_lru(lru) ? fp : ap) / (ap + fp) : scan;
	}
	/* Halve the costs as they grow, so old history fades (lru_note_cost). */
	if (total_cost > (lruvec_lru_size(pgdat, LRU_INACTIVE_FILE, MAX_NR_ZONES) +
			  lruvec_lru_size(pgdat, LRU_ACTIVE_FILE, MAX_NR_ZONES) +
			  lruvec_lru_size(pgdat, LRU_INACTIVE_ANON, MAX_NR_ZONES) +
			  lruvec_lru_size(pgdat, LRU_ACTIVE_ANON, MAX_NR_ZONES)) / 4) {
		pgdat->__lruvec.anon_cost /= 2;
		pgdat->__lruvec.file_cost /= 2;
	}
}

static void shrink_lruvec(struct kmm *k, pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long nr[NR_EVICTABLE_LRU_LISTS], nr_reclaimed = 0;
	int lru;

	get_scan_count(k, pgdat, sc, nr);
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		for (lru = 0; lru < NR_EVICTABLE_LRU_LISTS; lru++) {
			unsigned long nr_to_scan = min(nr[lru], SWAP_CLUSTER_MAX);

			if (!nr[lru])
				continue;
			nr[lru] -= nr_to_scan;
			nr_reclaimed += shrink_list(k, lru, nr_to_scan, pgdat, sc);
		}
		/*
		 * Stop at the goal, as Linux's shrink_lruvec does, except
		 * direct reclaim's first, gentlest pass (DEF_PRIORITY), which
		 * scans its quota of every list so that the lists age in
		 * proportion ("proportional_reclaim").
		 */
		if (nr_reclaimed >= sc->nr_to_reclaim &&
		    (sc->kswapd || sc->priority != DEF_PRIORITY))
			break;
	}
	sc->nr_reclaimed += nr_reclaimed;
	/* The active anon list ages even when file is reclaimed (with swap). */
	if (can_reclaim_anon_pages(k) && inactive_is_low(pgdat, LRU_INACTIVE_ANON))
		shrink_active_list(k, SWAP_CLUSTER_MAX, pgdat, sc, LRU_ACTIVE_ANON);
}

/*
 * Which active lists this pass may deactivate (prepare_scan_control): the
 * file list when its inactive part is too small for its size, so a file
 * working set that fits stays active while streaming pages come and go.
 */
static void prepare_scan_control(pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long refaults;

	sc->may_deactivate = 0;
	refaults = node_page_state(pgdat, WORKINGSET_ACTIVATE_ANON);
	if (refaults != pgdat->__lruvec.refaults[0] || inactive_is_low(pgdat, LRU_INACTIVE_ANON))
		sc->may_deactivate |= DEACTIVATE_ANON;
	/* Refaults of the file working set: the active list must shrink to
	 * let the new working set in. */
	refaults = node_page_state(pgdat, WORKINGSET_ACTIVATE_FILE);
	if (refaults != pgdat->__lruvec.refaults[1] || inactive_is_low(pgdat, LRU_INACTIVE_FILE))
		sc->may_deactivate |= DEACTIVATE_FILE;
}

/* snapshot_refaults: the refaults seen by the end of a reclaim. */
static void snapshot_refaults(pg_data_t *pgdat)
{
	pgdat->__lruvec.refaults[0] = node_page_state(pgdat, WORKINGSET_ACTIVATE_ANON);
	pgdat->__lruvec.refaults[1] = node_page_state(pgdat, WORKINGSET_ACTIVATE_FILE);
}

static void shrink_node(struct kmm *k, pg_data_t *pgdat, struct scan_control *sc)
{
	unsigned long before = sc->nr_reclaimed;

	memset(&sc->nr, 0, sizeof(sc->nr));
	prepare_scan_control(pgdat, sc);
	shrink_lruvec(k, pgdat, sc);
	__shrink_slab(k, sc->gfp_mask, sc->priority);
	/* kswapd remembers that the tail was all dirty or all in writeback. */
	if (sc->kswapd) {
		if (sc->nr.unqueued_dirty && sc->nr.unqueued_dirty == sc->nr.file_taken)
			pgdat->flags |= 1ul << PGDAT_DIRTY;
		if (sc->nr.writeback && sc->nr.writeback == sc->nr.taken)
			pgdat->flags |= 1ul << PGDAT_WRITEBACK;
	}
	if (sc->nr_reclaimed > before)
		WRITE_ONCE(pgdat->kswapd_failures, 0);
}

/* ---- direct reclaim ----------------------------------------------------- */

/*
 * reclaim_throttle: a direct reclaimer that found its batch all under
 * writeback sleeps until the disk has done what is queued (at most 100 ms
 * of simulated time, Linux's VMSCAN_THROTTLE_WRITEBACK timeout), so the
 * next pass finds clean pages instead of failing.
 */
static void reclaim_throttle(struct kmm *k)
{
	unsigned long long now = hw_clock_ns(k), until = hw_disk_busy_until(k);

	if (until <= now || k->hw->running_timers)
		return;
	hw_clock_sleep(k, min(until - now, 100000000ull));
}

/*
 * Reclaim fell short while writes it (or the flusher) queued are in
 * flight: the pages it wants are the ones being written.  Linux's
 * reclaimers then sleep for the I/O (reclaim_throttle on writeback); here
 * the disk finishes them only as simulated time passes, so the reclaimer
 * lets it pass.
 */
static void throttle_if_writeback(struct kmm *k, struct scan_control *sc)
{
	if (sc->nr_reclaimed < sc->nr_to_reclaim &&
	    (node_page_state(&k->mem->node, NR_WRITEBACK) || sc->nr.writeback))
		reclaim_throttle(k);
}

static unsigned long do_try_to_free_pages(struct kmm *k, struct scan_control *sc)
{
	pg_data_t *pgdat = &k->mem->node;

	for (sc->priority = DEF_PRIORITY; sc->priority >= 0; sc->priority--) {
		sc->nr_scanned = 0;
		shrink_node(k, pgdat, sc);
		if (sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
		if (sc->priority < DEF_PRIORITY - 2)
			sc->may_writepage = true;
		throttle_if_writeback(k, sc);
	}
	snapshot_refaults(pgdat);
	/* Nothing found but lists it did not deactivate: once more, forced. */
	if (!sc->nr_reclaimed && sc->skipped_deactivate) {
		sc->skipped_deactivate = false;
		for (sc->priority = DEF_PRIORITY; sc->priority >= 0 && !sc->nr_reclaimed;
		     sc->priority--) {
			memset(&sc->nr, 0, sizeof(sc->nr));
			sc->may_deactivate = DEACTIVATE_ANON | DEACTIVATE_FILE;
			shrink_lruvec(k, pgdat, sc);
		}
	}
	return sc->nr_reclaimed;
}

/*
 * try_to_free_pages: the allocator's direct reclaim.  Returns the pages
 * freed (the allocator retries while it is not 0).  GFP_NOIO and GFP_NOFS
 * callers still drop clean page cache, which needs no I/O.
 */
unsigned long try_to_free_pages(struct kmm *k, gfp_t gfp, int order)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.gfp_mask = gfp,
		.order = order,
		.reclaim_idx = gfp_zone(gfp),
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
	};
	unsigned long nr;

	if (current_reclaims)
		return 0;
	pthread_mutex_lock(&k->mem->reclaim_lock);
	current_reclaims = true;
	nr = do_try_to_free_pages(k, &sc);
	current_reclaims = false;
	pthread_mutex_unlock(&k->mem->reclaim_lock);
	return nr;
}

/* ---- kswapd ------------------------------------------------------------- */

/*
 * pgdat_balanced: some zone the waker could use has its high watermark
 * free (Linux: any one will do; the allocation can fall back to it).
 */
static bool pgdat_balanced(pg_data_t *pgdat, int order, int highest_zoneidx)
{
	bool any = false;
	int z;

	for (z = 0; z <= highest_zoneidx && z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (!zone_managed_pages(zone))
			continue;
		any = true;
		if (zone_watermark_ok(zone, (unsigned int)order, high_wmark_pages(zone),
				      highest_zoneidx, 0))
			return true;
	}
	return !any;
}

/*
 * balance_pgdat: kswapd's pass.  From DEF_PRIORITY down, each round asks
 * for the high watermarks' worth and scans at the round's priority,
 * raising the priority (scanning harder) when a round fell short; done
 * as soon as a zone is balanced.  A pass that frees nothing counts as a
 * failure; after MAX_RECLAIM_RETRIES kswapd stops trying until an
 * allocation succeeds again (the OOM killer's business, then).
 */
static void balance_pgdat(struct kmm *k, pg_data_t *pgdat, int order, int highest_zoneidx)
{
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL,
		.order = order,
		.reclaim_idx = (enum zone_type)highest_zoneidx,
		.kswapd = true,
		.may_unmap = true,
	};
	unsigned long zone_boosts[MAX_NR_ZONES] = { 0 }, nr_boost_reclaim = 0;
	int z;

	__count_vm_events(k, smp_processor_id(k), PAGEOUTRUN, 1);
	/* A boost (fragmenting fallbacks) asks for reclaim above the high
	 * watermark: gentle, without writes or swap. */
	for (z = 0; z <= highest_zoneidx; z++) {
		zone_boosts[z] = READ_ONCE(pgdat->node_zones[z].watermark_boost);
		nr_boost_reclaim += zone_boosts[z];
	}
	for (sc.priority = DEF_PRIORITY; sc.priority >= 1; ) {
		unsigned long before = sc.nr_reclaimed;
		bool raise_priority = true;

		if (!nr_boost_reclaim && pgdat_balanced(pgdat, order, highest_zoneidx))
			break;
		if (nr_boost_reclaim && sc.priority == DEF_PRIORITY - 2)
			raise_priority = false;
		sc.may_writepage = !nr_boost_reclaim;
		sc.may_swap = !nr_boost_reclaim;
		sc.nr_to_reclaim = 0;
		for (z = 0; z <= highest_zoneidx; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (zone_managed_pages(zone))
				sc.nr_to_reclaim += max(high_wmark_pages(zone), SWAP_CLUSTER_MAX);
		}
		sc.nr_scanned = 0;
		shrink_node(k, pgdat, &sc);
		throttle_if_writeback(k, &sc);
		if (sc.nr_scanned >= sc.nr_to_reclaim)
			raise_priority = false;
		if (nr_boost_reclaim)
			nr_boost_reclaim -= min(nr_boost_reclaim, sc.nr_reclaimed - before);
		if (raise_priority || sc.nr_reclaimed == before)
			sc.priority--;
	}
	snapshot_refaults(pgdat);
	if (!sc.nr_reclaimed)
		WRITE_ONCE(pgdat->kswapd_failures, pgdat->kswapd_failures + 1);
	/* The boost this pass saw is spent (raised again by the next
	 * fragmenting fallback). */
	for (z = 0; z <= highest_zoneidx; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (!zone_boosts[z])
			continue;
		pthread_mutex_lock(&zone->lock);
		zone->watermark_boost -= min(zone->watermark_boost, zone_boosts[z]);
		pthread_mutex_unlock(&zone->lock);
	}
	if (pgdat_balanced(pgdat, order, highest_zoneidx))
		pgdat->flags &= ~(1ul << PGDAT_DIRTY | 1ul << PGDAT_WRITEBACK);
}

/* Is any zone's watermark boosted (kswapd has reclaim to do even when
 * the node is balanced)? */
static bool pgdat_boosted(pg_data_t *pgdat)
{
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		if (READ_ONCE(pgdat->node_zones[z].watermark_boost))
			return true;
	return false;
}

/* One run of kswapd: what the wakeups since the last asked for. */
static void kswapd_run(struct kmm *k, pg_data_t *pgdat)
{
	int order, zoneidx;

	if (current_reclaims || pthread_mutex_trylock(&k->mem->reclaim_lock))
		return;		/* a reclaimer is at it: kswapd waits its turn */
	pthread_mutex_lock(&pgdat->kswapd_lock);
	order = pgdat->kswapd_order;
	zoneidx = pgdat->kswapd_highest_zoneidx;
	pgdat->kswapd_order = 0;
	pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	pthread_mutex_unlock(&pgdat->kswapd_lock);
	if (zoneidx < MAX_NR_ZONES) {
		current_reclaims = true;
		balance_pgdat(k, pgdat, order, zoneidx);
		current_reclaims = false;
	}
	pthread_mutex_unlock(&k->mem->reclaim_lock);
}

static void kswapd_timer_fn(struct timer_list *t)
{
	pg_data_t *pgdat = from_timer(pgdat, t, kswapd_timer);

	kswapd_run(t->k, pgdat);
}

/*
 * wakeup_kswapd: an allocation found zone below its low watermark.
 * Nothing if the node is balanced or kswapd has given up on it; else
 * kswapd runs now (a waker that may sleep) or at the next timer point.
 */
void wakeup_kswapd(struct kmm *k, struct zone *zone, gfp_t gfp, int order,
		   enum zone_type highest_zoneidx)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	bool now = gfp & __GFP_DIRECT_RECLAIM;

	if (!populated_zone(zone) || current_reclaims)
		return;
	pthread_mutex_lock(&pgdat->kswapd_lock);
	if (pgdat->kswapd_highest_zoneidx >= MAX_NR_ZONES ||
	    pgdat->kswapd_highest_zoneidx < (int)highest_zoneidx)
		pgdat->kswapd_highest_zoneidx = (int)highest_zoneidx;
	if (pgdat->kswapd_order < order)
		pgdat->kswapd_order = order;
	/* Hopeless, or balanced and not boosted: nothing to do. */
	if (READ_ONCE(pgdat->kswapd_failures) >= MAX_RECLAIM_RETRIES ||
	    (pgdat_balanced(pgdat, order, (int)highest_zoneidx) && !pgdat_boosted(pgdat))) {
		pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
		pgdat->kswapd_order = 0;
		now = false;
	} else if (!now) {
		mod_timer(&pgdat->kswapd_timer, hw_clock_ns(k));
	}
	pthread_mutex_unlock(&pgdat->kswapd_lock);
	if (now)
		kswapd_run(k, pgdat);
}

/* An allocation succeeded: kswapd may hope again (Linux resets the
 * failures when a pass frees something, and at a successful allocation
 * after the OOM killer). */
void kswapd_reset_failures(struct kmm *k)
{
	WRITE_ONCE(k->mem->node.kswapd_failures, 0);
}

void kswapd_init(struct kmm *k)
{
	pg_data_t *pgdat = &k->mem->node;

	pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	pgdat->kswapd_order = 0;
	pthread_mutex_init(&pgdat->kswapd_lock, NULL);
	timer_setup(k, &pgdat->kswapd_timer, kswapd_timer_fn);
	pthread_mutex_init(&k->mem->reclaim_lock, NULL);
	k->mem->vm_swappiness = 60;
	k->mem->vfs_cache_pressure = 100;
	k->mem->watermark_boost_factor = 15000;
}
