/*
 * mm/swap.c - page references and the LRU lists' front door, as Linux's
 * mm/swap.c: get_page/put_page (the last put takes the folio off its LRU
 * list and frees it, __folio_put), and the per-CPU folio batches through
 * which folios join the lists (folio_add_lru), move between them
 * (folio_activate, folio_deactivate, deactivate_file_folio,
 * folio_rotate_reclaimable) and are drained (lru_add_drain).
 *
 * Why batches: every move takes the node's lru_lock; 31 at a time take it
 * once.  What users see of them is Linux's too: a page just faulted in is
 * not on any list yet (meminfo's Active/Inactive lag by up to a batch per
 * CPU), and it carries one extra reference until its batch drains.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/mm_inline.h>
#include <kmm/fs.h>
#include "mm/internal.h"

static void __page_cache_release(struct kmm *k, struct page *folio);

void get_page(struct page *page)
{
	page = compound_head(page);
	if (unlikely(page_ref_count(page) <= 0)) {
		bad_page(kmm_cur(), page, "get_page on a page with no references");
		return;
	}
	page_ref_inc(page);
}

bool get_page_unless_zero(struct page *page)
{
	int c = page_ref_count(page);

	while (c) {
		if (__atomic_compare_exchange_n(&page->_refcount, &c, c + 1, true,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

void put_page(struct page *page)
{
	struct kmm *k = kmm_cur();

	page = compound_head(page);
	if (unlikely(page_ref_count(page) <= 0)) {
		bad_page(k, page, "put_page on a page with no references");
		return;
	}
	if (page_ref_dec_and_test(page)) {
		if (unlikely(page->flags & (1ul << PG_lru | 1ul << PG_mlocked)))
			__page_cache_release(k, page);
		free_frozen_pages(k, page, compound_order(page));
	}
}

/* ---- the LRU lists ------------------------------------------------------ */

static pg_data_t *folio_pgdat(struct kmm *k, const struct page *folio)
{
	(void)folio;
	return &k->mem->node;	/* one node */
}

/*
 * The last reference to a folio still on an LRU list went: off the list,
 * its LRU flags cleared, as the free path requires.  No isolation can
 * race (isolating takes a reference first), so PG_lru is stable here.
 */
static void __page_cache_release(struct kmm *k, struct page *folio)
{
	pg_data_t *pgdat = folio_pgdat(k, folio);

	if (PageLRU(folio)) {
		pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
		lruvec_del_folio(pgdat, folio);
		__ClearPageLRU(folio);
		pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
	}
	__ClearPageActive(folio);
	__ClearPageUnevictable(folio);
	if (PageMlocked(folio)) {
		__ClearPageMlocked(folio);
		__mod_zone_page_state(page_zone(folio), NR_MLOCK, -(long)folio_nr_pages(folio));
		__count_vm_events(k, smp_processor_id(k), UNEVICTABLE_PGS_CLEARED,
				  (long)folio_nr_pages(folio));
	}
}

/*
 * Which folios may be reclaimed at all (Linux's folio_evictable): not
 * mlocked, not in an unevictable mapping (ramfs, SHM_LOCK).
 */
bool folio_evictable(const struct page *folio)
{
	const struct address_space *as = folio->mapping;

	if (PageMlocked(folio))
		return false;
	return PageAnon(folio) || !as || !mapping_unevictable(as);
}

/* The batches of the calling thread's CPU, locked. */
static struct cpu_fbatches *fbatches_lock(struct kmm *k)
{
	int cpu = smp_processor_id(k);
	struct cpu_fbatches *fbatches = &k->mem->cpu_fbatches[cpu < 0 ? (int)k->nr_cpus : cpu];

	pthread_mutex_lock(&fbatches->lock);
	return fbatches;
}

static void fbatches_unlock(struct cpu_fbatches *fbatches)
{
	pthread_mutex_unlock(&fbatches->lock);
}

typedef void (*move_fn_t)(struct kmm *k, pg_data_t *pgdat, struct page *folio);

/*
 * Applies move to every folio of the batch under one lru_lock, then drops
 * the batch's references (one may be a folio's last: it is freed after
 * the lock is let go, as folios_put does).
 */
static void folio_batch_move_lru(struct kmm *k, struct folio_batch *fbatch, move_fn_t move)
{
	pg_data_t *pgdat = &k->mem->node;
	unsigned int i;

	if (!fbatch->nr)
		return;
	pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
	for (i = 0; i < fbatch->nr; i++)
		move(k, pgdat, fbatch->folios[i]);
	pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
	for (i = 0; i < fbatch->nr; i++)
		put_page(fbatch->folios[i]);
	fbatch->nr = 0;
}

/*
 * Adds folio (the caller holds a reference for the batch) and drains the
 * batch when it is full, or at once for a large folio, which is worth a
 * lock of its own (Linux's folio_batch_add_and_move).
 */
static void folio_batch_add_and_move(struct kmm *k, struct folio_batch *fbatch,
				     struct page *folio, move_fn_t move)
{
	fbatch->folios[fbatch->nr++] = folio;
	if (fbatch->nr == PAGEVEC_SIZE || PageHead(folio))
		folio_batch_move_lru(k, fbatch, move);
}

/*
 * Queues folio (a reference taken for the batch) on this CPU's batch at
 * offset batch in struct cpu_fbatches, moved with move when it drains.
 */
static void folio_batch_queue(struct kmm *k, struct page *folio, size_t batch, move_fn_t move)
{
	struct cpu_fbatches *fbatches;

	get_page(folio);
	fbatches = fbatches_lock(k);
	folio_batch_add_and_move(k, (struct folio_batch *)((char *)fbatches + batch), folio, move);
	fbatches_unlock(fbatches);
}

/* lru_add: a new folio joins the head of its list (unevictable if mlocked). */
static void lru_add(struct kmm *k, pg_data_t *pgdat, struct page *folio)
{
	if (folio_evictable(folio)) {
		if (PageUnevictable(folio)) {
			__ClearPageUnevictable(folio);
			__count_vm_events(k, smp_processor_id(k), UNEVICTABLE_PGS_RESCUED,
					  (long)folio_nr_pages(folio));
		}
	} else {
		__ClearPageActive(folio);
		__SetPageUnevictable(folio);
		__count_vm_events(k, smp_processor_id(k), UNEVICTABLE_PGS_CULLED,
				  (long)folio_nr_pages(folio));
	}
	SetPageLRU(folio);
	lruvec_add_folio(pgdat, folio);
}

/*
 * folio_add_lru: the folio will be on an LRU list once this CPU's batch
 * drains.  New page-cache folios start inactive; anonymous ones too
 * (Linux 6.x: anon pages prove themselves on the inactive list, and
 * folio_add_lru_vma puts those of a VM_LOCKED area on the unevictable list).
 */
void folio_add_lru(struct page *folio)
{
	struct kmm *k = kmm_cur();

	VM_BUG_ON_PAGE(PageLRU(folio), folio);
	folio_batch_queue(k, folio, offsetof(struct cpu_fbatches, lru_add), lru_add);
}

void folio_add_lru_vma(struct page *folio, struct vm_area_struct *v)
{
	if (unlikely((v->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED))
		mlock_new_folio(folio);
	folio_add_lru(folio);
}

/* ---- moves between the lists ------------------------------------------- */

static void lru_activate(struct kmm *k, pg_data_t *pgdat, struct page *folio)
{
	long nr = (long)folio_nr_pages(folio);

	if (!PageLRU(folio) || PageActive(folio) || PageUnevictable(folio))
		return;
	lruvec_del_folio(pgdat, folio);
	SetPageActive(folio);
	lruvec_add_folio(pgdat, folio);
	__count_vm_events(k, smp_processor_id(k), PGACTIVATE, nr);
}

/* folio_activate: to the head of its active list, through the batch. */
void folio_activate(struct page *folio)
{
	struct kmm *k = kmm_cur();

	if (!PageLRU(folio) || PageActive(folio) || PageUnevictable(folio))
		return;
	folio_batch_queue(k, folio, offsetof(struct cpu_fbatches, lru_activate), lru_activate);
}

/*
 * A folio not yet drained to the lists but in this CPU's lru_add batch is
 * marked active there, so it joins the active list at once
 * (__lru_cache_activate_folio).
 */
static void lru_cache_activate_folio(struct kmm *k, struct page *folio)
{
	struct cpu_fbatches *fbatches = fbatches_lock(k);
	unsigned int i;

	for (i = fbatches->lru_add.nr; i--; )
		if (fbatches->lru_add.folios[i] == folio) {
			SetPageActive(folio);
			break;
		}
	fbatches_unlock(fbatches);
}

/*
 * folio_mark_accessed: the second chance of a page the kernel reads for
 * a user (read(2), a buffer lookup).  inactive,unreferenced ->
 * inactive,referenced -> active,unreferenced; mapped pages are judged by
 * their PTEs' accessed bits instead (folio_referenced, at reclaim).
 */
void folio_mark_accessed(struct page *folio)
{
	struct kmm *k = kmm_cur();

	folio = compound_head(folio);
	if (!PageReferenced(folio)) {
		SetPageReferenced(folio);
	} else if (PageUnevictable(folio)) {
		/* never activated: it stays where mlock put it */
	} else if (!PageActive(folio)) {
		if (PageLRU(folio))
			folio_activate(folio);
		else
			lru_cache_activate_folio(k, folio);
		ClearPageReferenced(folio);
		workingset_activation(folio);
	}
}

/* lru_deactivate: an active folio to the head of its inactive list. */
static void lru_deactivate(struct kmm *k, pg_data_t *pgdat, struct page *folio)
{
	long nr = (long)folio_nr_pages(folio);

	if (!PageLRU(folio) || PageUnevictable(folio) || !PageActive(folio))
		return;
	lruvec_del_folio(pgdat, folio);
	ClearPageActive(folio);
	ClearPageReferenced(folio);
	lruvec_add_folio(pgdat, folio);
	__count_vm_events(k, smp_processor_id(k), PGDEACTIVATE, nr);
}

/* folio_deactivate (MADV_COLD): to the inactive list, through the batch. */
void folio_deactivate(struct page *folio)
{
	struct kmm *k = kmm_cur();

	if (!PageLRU(folio) || PageUnevictable(folio) || !PageActive(folio))
		return;
	folio_batch_queue(k, folio, offsetof(struct cpu_fbatches, lru_deactivate), lru_deactivate);
}

/*
 * lru_deactivate_file: a page-cache folio that invalidation could not drop
 * (dirty, under writeback, mapped) goes inactive so reclaim finds it
 * soon: dirty or under writeback to the head with PG_reclaim (rotated to
 * the tail when its write ends), clean to the tail.
 */
static void lru_deactivate_file(struct kmm *k, pg_data_t *pgdat, struct page *folio)
{
	bool active = PageActive(folio);
	long nr = (long)folio_nr_pages(folio);

	if (!PageLRU(folio) || PageUnevictable(folio) || folio_mapped(folio))
		return;
	lruvec_del_folio(pgdat, folio);
	ClearPageActive(folio);
	ClearPageReferenced(folio);
	if (PageWriteback(folio) || PageDirty(folio)) {
		lruvec_add_folio(pgdat, folio);
		SetPageReclaim(folio);
	} else {
		lruvec_add_folio_tail(pgdat, folio);
		__count_vm_events(k, smp_processor_id(k), PGROTATED, nr);
	}
	if (active)
		__count_vm_events(k, smp_processor_id(k), PGDEACTIVATE, nr);
}

void deactivate_file_folio(struct page *folio)
{
	struct kmm *k = kmm_cur();

	folio = compound_head(folio);
	if (!PageLRU(folio) || PageUnevictable(folio))
		return;
	folio_batch_queue(k, folio, offsetof(struct cpu_fbatches, lru_deactivate_file), lru_deactivate_file);
}

/* lru_move_tail: a folio whose write for reclaim ended, to the inactive tail. */
static void lru_move_tail(struct kmm *k, pg_data_t *pgdat, struct page *folio)
{
	if (!PageLRU(folio) || PageUnevictable(folio))
		return;
	lruvec_del_folio(pgdat, folio);
	ClearPageActive(folio);
	lruvec_add_folio_tail(pgdat, folio);
	__count_vm_events(k, smp_processor_id(k), PGROTATED, (long)folio_nr_pages(folio));
}

/*
 * folio_rotate_reclaimable (folio_end_writeback of a PG_reclaim folio):
 * reclaim wanted it when it was dirty; now it is clean, so to the tail of
 * the inactive list, first in line.
 */
void folio_rotate_reclaimable(struct page *folio)
{
	struct kmm *k = kmm_cur();

	if (PageLocked(folio) || PageDirty(folio) || PageUnevictable(folio) || !PageLRU(folio))
		return;
	folio_batch_queue(k, folio, offsetof(struct cpu_fbatches, lru_move_tail), lru_move_tail);
}

static void lru_add_drain_cpu(struct kmm *k, struct cpu_fbatches *fb)
{
	folio_batch_move_lru(k, &fb->lru_add, lru_add);
	folio_batch_move_lru(k, &fb->lru_move_tail, lru_move_tail);
	folio_batch_move_lru(k, &fb->lru_deactivate_file, lru_deactivate_file);
	folio_batch_move_lru(k, &fb->lru_deactivate, lru_deactivate);
	folio_batch_move_lru(k, &fb->lru_activate, lru_activate);
}

/* lru_add_drain: this CPU's batches onto the lists. */
void lru_add_drain(void)
{
	struct kmm *k = kmm_cur();
	struct cpu_fbatches *fbatches = fbatches_lock(k);

	lru_add_drain_cpu(k, fbatches);
	fbatches_unlock(fbatches);
}

/* lru_add_drain_all: every CPU's (Linux schedules work on each; kmm
 * takes each batch set's lock in turn). */
void lru_add_drain_all(struct kmm *k)
{
	unsigned int cpu;

	for (cpu = 0; cpu <= k->nr_cpus; cpu++) {
		struct cpu_fbatches *fb = &k->mem->cpu_fbatches[cpu];

		pthread_mutex_lock(&fb->lock);
		lru_add_drain_cpu(k, fb);
		pthread_mutex_unlock(&fb->lock);
	}
}

/* The lists and batches at boot; the batches' memory is the host's. */
int lru_init(struct kmm *k)
{
	pg_data_t *pgdat = &k->mem->node;
	unsigned int i;

	for (i = 0; i < NR_LRU_LISTS; i++)
		INIT_LIST_HEAD(&pgdat->__lruvec.lists[i]);
	pthread_mutex_init(&pgdat->__lruvec.lru_lock, NULL);
	k->mem->cpu_fbatches = aligned_alloc(64, (k->nr_cpus + 1) * sizeof(struct cpu_fbatches));
	if (!k->mem->cpu_fbatches)
		return -1;
	memset(k->mem->cpu_fbatches, 0, (k->nr_cpus + 1) * sizeof(struct cpu_fbatches));
	for (i = 0; i <= k->nr_cpus; i++)
		pthread_mutex_init(&k->mem->cpu_fbatches[i].lock, NULL);
	return 0;
}

void lru_exit(struct kmm *k)
{
	free(k->mem->cpu_fbatches);
	k->mem->cpu_fbatches = NULL;
}

/*
 * The LRU checker: every folio on a list has PG_lru, is a head, holds a
 * reference and is on the list its flags name; each list's length in
 * pages equals its node counter and the zones' counters add up to it;
 * and every PG_lru folio of the memmap is on a list or counted as
 * unevictable (folios in a batch have no PG_lru yet).  0, or -1 with what
 * was wrong reported.
 */
int check_lru_invariants(struct kmm *k)
{
	pg_data_t *pgdat = &k->mem->node;
	unsigned long nr[NR_LRU_LISTS] = { 0 }, zone_nr, linked = 0, flagged = 0, pfn;
	struct page *folio;
	int lru, z, bad = 0;

	pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
	for (pfn = 0; pfn < k->mem->max_pfn; pfn++) {
		if (!__pfn_valid(k, pfn))
			continue;
		folio = pfn_to_page(pfn);
		if (!PageLRU(folio) || PageTail(folio) || page_has_type(folio))
			continue;
		if (PageUnevictable(folio))
			nr[LRU_UNEVICTABLE] += folio_nr_pages(folio);
		else
			flagged++;
	}
	for (lru = 0; lru < NR_EVICTABLE_LRU_LISTS && !bad; lru++) {
		list_for_each_entry(folio, &pgdat->__lruvec.lists[lru], lru) {
			if (!PageLRU(folio) || (int)folio_lru_list(folio) != lru ||
			    PageTail(folio) || page_ref_count(folio) <= 0) {
				kmm_report(k, "LRU: pfn %#lx on list %d has flags %#lx, refcount %d\n",
					   page_to_pfn(folio), lru, folio->flags, page_ref_count(folio));
				bad = 1;
				break;
			}
			nr[lru] += folio_nr_pages(folio);
			linked++;
		}
	}
	for (lru = 0; lru < NR_LRU_LISTS && !bad; lru++) {
		for (zone_nr = 0, z = 0; z < MAX_NR_ZONES; z++)
			zone_nr += (unsigned long)READ_ONCE(pgdat->node_zones[z].vm_stat[NR_ZONE_INACTIVE_ANON + lru]);
		if (nr[lru] != (unsigned long)READ_ONCE(pgdat->vm_stat[NR_INACTIVE_ANON + lru]) ||
		    zone_nr != nr[lru]) {
			kmm_report(k, "LRU: list %d holds %lu pages, its node counter says %ld, "
				   "its zones %lu\n", lru, nr[lru], pgdat->vm_stat[NR_INACTIVE_ANON + lru],
				   zone_nr);
			bad = 1;
		}
	}
	if (!bad && flagged != linked) {
		kmm_report(k, "LRU: %lu folios on the lists, %lu have PG_lru\n", linked, flagged);
		bad = 1;
	}
	pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
	return bad ? -1 : 0;
}
