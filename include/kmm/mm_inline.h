/*
 * include/kmm/mm_inline.h - which LRU list a folio belongs on and the
 * list moves themselves (Linux's mm_inline.h).  The caller holds the
 * lruvec's lru_lock; the counters moved are the node's NR_INACTIVE_ANON..
 * and the zone's NR_ZONE_INACTIVE_ANON.., in folio_nr_pages units.
 */
#ifndef KMM_MM_INLINE_H
#define KMM_MM_INLINE_H

#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include <kmm/page-flags.h>

/*
 * File folios are those reclaim can drop or write back to their file;
 * anonymous and shmem folios are swap-backed and live on the anon lists
 * (Linux's folio_is_file_lru).
 */
static inline bool folio_is_file_lru(const struct page *folio)
{
	return !PageSwapBacked(folio);
}

/*
 * Is any page of the folio mapped?  A large page-cache folio is mapped
 * page by page (each subpage has its own mapcount and index).
 */
static inline bool folio_mapped(const struct page *folio)
{
	unsigned long i, nr = folio_nr_pages(folio);

	for (i = 0; i < nr; i++)
		if (page_mapcount(folio + i))
			return true;
	return false;
}

static inline enum lru_list folio_lru_base_type(const struct page *folio)
{
	return folio_is_file_lru(folio) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
}

/* The list the folio's flags say it is on. */
static inline enum lru_list folio_lru_list(const struct page *folio)
{
	if (PageUnevictable(folio))
		return LRU_UNEVICTABLE;
	return folio_lru_base_type(folio) + (PageActive(folio) ? LRU_ACTIVE : 0);
}

static inline void update_lru_size(pg_data_t *pgdat, enum lru_list lru,
				   const struct page *folio, long nr)
{
	struct zone *zone = &pgdat->node_zones[page_zonenum(folio)];

	__atomic_fetch_add(&pgdat->vm_stat[NR_INACTIVE_ANON + lru], nr, __ATOMIC_RELAXED);
	__atomic_fetch_add(&zone->vm_stat[NR_ZONE_INACTIVE_ANON + lru], nr, __ATOMIC_RELAXED);
}

/*
 * Unevictable folios are counted but not linked, as in Linux 6.x: nothing
 * scans them, and their lru.prev word holds the mlock count instead
 * (folio_mlock_count), the number of VM_LOCKED mappings holding them.
 */
static inline unsigned long *folio_mlock_count(struct page *folio)
{
	return (unsigned long *)&folio->lru.prev;
}

static inline void lruvec_add_folio(pg_data_t *pgdat, struct page *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	update_lru_size(pgdat, lru, folio, (long)folio_nr_pages(folio));
	if (lru != LRU_UNEVICTABLE)
		list_add(&folio->lru, &pgdat->__lruvec.lists[lru]);
}

static inline void lruvec_add_folio_tail(pg_data_t *pgdat, struct page *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	update_lru_size(pgdat, lru, folio, (long)folio_nr_pages(folio));
	if (lru != LRU_UNEVICTABLE)
		list_add_tail(&folio->lru, &pgdat->__lruvec.lists[lru]);
}

static inline void lruvec_del_folio(pg_data_t *pgdat, struct page *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	if (lru != LRU_UNEVICTABLE)
		list_del(&folio->lru);
	update_lru_size(pgdat, lru, folio, -(long)folio_nr_pages(folio));
}

#endif /* KMM_MM_INLINE_H */
