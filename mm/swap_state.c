/*
 * mm/swap_state.c - the swap cache, as Linux's mm/swap_state.c: an
 * anonymous page on its way out to swap, or back in from it, is in the
 * swap cache of its slot, so that every process that maps it (or held a
 * swap PTE to it) finds one page, and a page written to swap and mapped
 * again need not be written twice while it stays clean.
 *
 * One xarray per swap area (Linux splits each area into 64 MiB
 * address_spaces; one is enough here), indexed by slot offset.  A swap
 * cache page has PG_swapcache, its slot in page->private (folio->swap),
 * one reference held by the cache, SWAP_HAS_CACHE in its slot's
 * swap_map byte; it stays an anonymous page (PG_swapbacked).  When
 * reclaim takes it out of the cache it leaves a shadow entry, as the page
 * cache does, so that a swap-in refault is measured too (workingset).
 */
#include <stdlib.h>
#include <kmm/mm_inline.h>
#include <kmm/sched.h>
#include <kmm/swapops.h>
#include <kmm/pagemap.h>
#include "mm/swap.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "base/machine.h"

/* The cache of entry's area: its xarray (swap_address_space). */
static struct xarray *swap_cache_xa(swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(entry);

	return si ? &si->swap_cache : NULL;
}

/* The page in the swap cache of entry, if any (swap_cache_get_folio). */
struct page *swap_cache_get_folio(swp_entry_t entry)
{
	struct xarray *xa = swap_cache_xa(entry);
	void *p;

	if (!xa)
		return NULL;
	p = xa_load(xa, swp_offset(entry));
	return xa_is_value(p) ? NULL : p;
}

/*
 * add_to_swap_cache: page (locked by the caller, not yet in any cache)
 * becomes the cache page of entry, whose SWAP_HAS_CACHE the caller holds.
 * *shadowp gets a shadow entry it replaced.  0 or -ENOMEM.
 */
int add_to_swap_cache(struct page *page, swp_entry_t entry, void **shadowp)
{
	struct xarray *xa = swap_cache_xa(entry);
	XA_STATE(xas, xa, swp_offset(entry));
	void *old;

	xas_set_update(&xas, workingset_update_node);
	do {
		xas_lock(&xas);
		old = xas_load(&xas);
		if (old && !xa_is_value(old)) {
			xas_unlock(&xas);
			return -EEXIST;
		}
		xas_store(&xas, page);
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_NOWAIT));
	if (xas_error(&xas))
		return xas_error(&xas);
	if (shadowp)
		*shadowp = old;
	get_page(page);				/* the cache's reference */
	SetPageSwapCache(page);
	page->private = entry.val;
	mod_node_page_state(kmm_cur(), NR_SWAPCACHED, 1);
	return 0;
}

/*
 * __delete_from_swap_cache: page leaves its slot's cache, shadow (or
 * NULL) taking its place.  The cache's reference and the slot's
 * SWAP_HAS_CACHE are the caller's to drop.
 */
void __delete_from_swap_cache(struct page *page, swp_entry_t entry, void *shadow)
{
	struct xarray *xa = swap_cache_xa(entry);
	XA_STATE(xas, xa, swp_offset(entry));

	xas_set_update(&xas, workingset_update_node);
	xas_lock(&xas);
	if (xas_load(&xas) == page)
		xas_store(&xas, shadow);
	xas_unlock(&xas);
	ClearPageSwapCache(page);
	page->private = 0;
	mod_node_page_state(kmm_cur(), NR_SWAPCACHED, -1);
}

/* delete_from_swap_cache: out of the cache, the slot's cache bit and the
 * cache's reference dropped (the slot is free if no PTE holds it). */
void delete_from_swap_cache(struct page *page)
{
	swp_entry_t entry = page_swap_entry(page);

	__delete_from_swap_cache(page, entry, NULL);
	put_swap_folio(page, entry);
	put_page(page);
}

/*
 * add_to_swap: reclaim gives an anonymous page a slot and puts it in the
 * slot's cache, dirty (it must be written before it can go).  false when
 * swap is full.
 */
bool add_to_swap(struct page *page)
{
	swp_entry_t entry = folio_alloc_swap(page);

	if (!entry.val)
		return false;
	if (add_to_swap_cache(page, entry, NULL)) {
		put_swap_folio(page, entry);
		return false;
	}
	/* Linux: dirty, so that a clean anonymous page (never written since
	 * fault-in) still goes to swap rather than being dropped. */
	SetPageDirty(page);
	return true;
}

/*
 * folio_free_swap: a swap cache page no PTE refers to by its slot any
 * more (every mapping has the page itself) and not being written gives
 * the slot up: the data lives in the page alone now.  true if it did.
 */
bool folio_free_swap(struct page *page)
{
	if (!PageSwapCache(page) || PageWriteback(page) ||
	    __swap_count(page_swap_entry(page)))
		return false;
	delete_from_swap_cache(page);
	SetPageDirty(page);		/* its only copy now: write it again if it goes */
	return true;
}

/*
 * free_swap_and_cache: a swap PTE went (zap): its reference goes, and a
 * cache page nobody maps or refers to goes with the slot.
 */
void free_swap_and_cache(swp_entry_t entry)
{
	struct page *page;

	swap_free(entry);
	page = swap_cache_get_folio(entry);
	/* __try_to_reclaim_swap(TTRS_UNMAPPED): nobody maps the cache page
	 * and no PTE refers to the slot: both go (the page is freed unless
	 * reclaim or a swap-in holds it). */
	if (page && !folio_mapped(page) && !PageWriteback(page) && !__swap_count(entry))
		delete_from_swap_cache(page);
}

/* swapoff: the shadows go (with the workingset tracker told), then the
 * cache's nodes. */
void swap_cache_destroy(struct xarray *xa)
{
	unsigned long index;
	void *entry;

	xa_for_each(xa, index, entry) {
		XA_STATE(xas, xa, index);

		if (!xa_is_value(entry))
			continue;
		xas_set_update(&xas, workingset_update_node);
		xas_lock(&xas);
		xas_load(&xas);
		xas_store(&xas, NULL);
		xas_unlock(&xas);
	}
	xa_destroy(xa);
}

/*
 * swapoff is running on this thread: its swap-ins reclaim but do not call
 * the OOM killer; a page that cannot be had fails swapoff (ENOMEM).
 * Linux's swapoff may kill (it runs as a process the OOM killer can
 * pick); kmm's runs for the script, which the killer cannot pick.
 */
static __thread bool in_unuse;

/*
 * swapin: the page of a swap PTE, from the cache or read from swap now
 * (a major fault: *major).  The page has a reference for the caller and
 * is in the swap cache.  NULL: no memory, or the read failed (*err).
 */
struct page *swapin_folio(struct vm_area_struct *v, unsigned long addr, swp_entry_t entry,
			  bool *major, int *err)
{
	struct page *page = swap_cache_get_folio(entry);
	void *shadow = NULL;

	*major = false;
	*err = 0;
	if (page) {
		get_page(page);
		return page;
	}
	page = __alloc_pages(v->vm_mm->kmm, GFP_HIGHUSER_MOVABLE |
			     (in_unuse ? __GFP_NORETRY | __GFP_NOWARN : 0), 0);
	if (!page) {
		*err = -ENOMEM;
		return NULL;
	}
	/* The allocation may have reclaimed: the cache may hold it now. */
	if (swapcache_prepare(entry, 1)) {
		struct page *cached = swap_cache_get_folio(entry);

		__free_pages(page, 0);
		if (!cached) {
			*err = -EFAULT;
			return NULL;
		}
		get_page(cached);
		return cached;
	}
	__SetPageSwapBacked(page);
	if (add_to_swap_cache(page, entry, &shadow)) {
		swapcache_clear(swp_swap_info(entry), entry, 1);
		__free_pages(page, 0);
		*err = -ENOMEM;
		return NULL;
	}
	if (shadow)
		workingset_refault(page, shadow);
	folio_add_lru(page);
	*err = swap_read_folio(page);
	if (*err) {
		delete_from_swap_cache(page);
		put_page(page);
		return NULL;
	}
	*major = true;
	return page;
}

/*
 * The swap references checker: every slot's count in swap_map equals the
 * swap PTEs that name it, over every address space, and its cache bit is
 * set exactly when the swap cache holds a page for it (whose
 * page->private names the slot back).  0, or -1 after a report.
 */
int check_swap_references(struct kmm *k)
{
	struct task_struct *t;
	unsigned int type;
	int err = 0;

	for (type = 0; type < k->mem->nr_swapfiles && !err; type++) {
		struct swap_info_struct *si = k->mem->swap_info[type];
		unsigned short *refs;
		unsigned long off;

		if (!si || !(si->flags & SWP_WRITEOK) || !si->swap_map)
			continue;
		refs = calloc(si->max, sizeof(*refs));
		if (!refs)
			return 0;
		for_each_process(k, t) {
			struct vm_area_struct *v;

			if (!t->mm || t->mm->owner != t)
				continue;
			for (v = t->mm->mmap; v; v = v->vm_next) {
				unsigned long a;

				for (a = v->vm_start; a < v->vm_end; a += PAGE_SIZE) {
					pte_t *pte = pte_lookup(t->mm, a);
					swp_entry_t e;

					if (!pte || !pte_is_swapped(ptep_get(pte)))
						continue;
					e = pte_to_swp_entry(ptep_get(pte));
					if (swp_type(e) == type && swp_offset(e) < si->max)
						refs[swp_offset(e)]++;
				}
			}
		}
		for (off = 1; off < si->max && !err; off++) {
			unsigned char map = si->swap_map[off];
			struct page *page = swap_cache_get_folio(swp_entry(type, off));
			unsigned int count = map == SWAP_MAP_BAD ? 0 : map & ~SWAP_HAS_CACHE;

			if (map == SWAP_MAP_BAD)
				continue;
			if (count != refs[off] || !!(map & SWAP_HAS_CACHE) != !!page ||
			    (page && (!PageSwapCache(page) || page->private != swp_entry(type, off).val))) {
				kmm_report(k, "swap: slot %u:%lu has count %u%s, %u swap PTEs name it, "
					   "the swap cache holds %s\n", type, off, count,
					   map & SWAP_HAS_CACHE ? " and the cache bit" : "", refs[off],
					   page ? "a page" : "nothing");
				err = -1;
			}
		}
		free(refs);
	}
	return err;
}

/*
 * One pass of try_to_unuse over every address space (unuse_mm): each swap
 * PTE of area type is swapped in and mapped again.  The pages it needed
 * may push others out meanwhile, but never to this area (it is no longer
 * writable).  Returns the PTEs brought back, or -ENOMEM.
 */
static long unuse_all_mms(struct kmm *k, unsigned int type)
{
	struct task_struct *t, *prev = get_current();
	long done = 0;

	for_each_process(k, t) {
		struct vm_area_struct *v;

		if (!t->mm || t->mm->owner != t)
			continue;
		set_current(t);		/* the OOM killer sees whose memory is in use */
		for (v = t->mm->mmap; v; v = v->vm_next) {
			unsigned long a;

			if (!v->anon_vma)
				continue;	/* swap PTEs are anonymous memory's */
			for (a = v->vm_start; a < v->vm_end; a += PAGE_SIZE) {
				pte_t *pte = pte_lookup(t->mm, a);
				vm_fault_t ret;

				if (!pte || !pte_is_swapped(ptep_get(pte)) ||
				    swp_type(pte_to_swp_entry(ptep_get(pte))) != type)
					continue;
				ret = unuse_pte(v, a, pte);
				if (ret & VM_FAULT_ERROR) {
					set_current(prev);
					return -ENOMEM;
				}
				done++;
			}
		}
	}
	set_current(prev);
	return done;
}

/*
 * try_to_unuse (swapoff): every slot of area type back into memory.  The
 * PTEs first, then the swap cache pages nobody names by slot any more,
 * which keep their data as plain dirty anonymous pages.  Repeated while
 * reclaim (to the other areas) keeps the total moving; -ENOMEM when
 * memory runs out, and the caller puts the area back on with every slot
 * and PTE as they are: nothing is lost.
 */
int try_to_unuse(struct kmm *k, unsigned int type)
{
	struct swap_info_struct *si = k->mem->swap_info[type];
	int passes;

	for (passes = 0; READ_ONCE(si->inuse_pages) && passes < 16; passes++) {
		long n;
		unsigned long off;

		in_unuse = true;
		n = unuse_all_mms(k, type);
		in_unuse = false;
		if (n < 0)
			return -ENOMEM;
		for (off = 1; off < si->max; off++) {
			struct page *page = swap_cache_get_folio(swp_entry(type, off));

			if (!page)
				continue;
			get_page(page);
			folio_wait_writeback(page);
			folio_free_swap(page);
			put_page(page);
		}
	}
	return READ_ONCE(si->inuse_pages) ? -ENOMEM : 0;
}
