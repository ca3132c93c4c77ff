/*
 * mm/slab.c - object caches: the classic SLAB allocator (Bonwick's design as
 * Linux 2.6-6.7 built it), with per-CPU array caches in front.
 * The structures and their invariants are described in mm/slab.h.
 *
 * Lock order: slab_mutex, a CPU's array (local lock), node->list_lock,
 * then the page allocator's locks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "mm/slab.h"

#define BATCHREFILL_LIMIT 16

/* ------------------------------------------------------------------ */
/* Reports                                                             */
/* ------------------------------------------------------------------ */

void slab_report(struct kmem_cache *s, const void *obj, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s)
		__atomic_fetch_add(&s->nr_reports, 1, __ATOMIC_RELAXED);
	kmm_report(s ? s->k : kmm_global, "BUG %s: %s: object 0x%lx\n",
		   s ? s->name : "kmalloc", msg,
		   obj ? kmm_kaddr(obj) : 0ul);
}

/*
 * A handle the caller passes in: a live cache, or a report naming the
 * function.  The machine is the current one: a stale s->k is no better
 * than the rest of a dead descriptor.
 */
static bool __cold bad_cache_handle(const struct kmem_cache *s, const char *fn)
{
	struct kmm *k = kmm_cur();
	unsigned long addr = s && __virt_addr_valid(k, s) ? kmm_kaddr(s) : (unsigned long)s;

	kmm_report(k, "BUG: %s: stale or invalid cache handle %#lx (%s)\n", fn, addr,
		   !s ? "NULL" : s->magic == KMEM_CACHE_DEAD ? "the cache was destroyed" :
		   "not a cache");
	return true;
}

/*
 * A cache is live: its handle passes, and it takes the fast paths unless
 * debugging checks every call or an on-slab guard cache (a constructor)
 * has no fast way to its bufctl marks.
 */
static void cache_set_live(struct kmem_cache *s)
{
	s->magic = KMEM_CACHE_MAGIC;
	if (!slab_debug(s) && (marker_guard(s) || (s->flags & CFLGS_OFF_SLAB)))
		s->fastpath = KMEM_CACHE_MAGIC;
}

static inline bool cache_handle_bad(const struct kmem_cache *s, const char *fn)
{
	if (likely(s && s->magic == KMEM_CACHE_MAGIC))
		return false;
	return bad_cache_handle(s, fn);
}

/* ------------------------------------------------------------------ */
/* Objects and slabs                                                   */
/* ------------------------------------------------------------------ */

/* offset / size by multiplication; exact for multiples of size. */
static inline unsigned int obj_to_index(struct kmem_cache *s,
					struct slab *slabp, const void *slot)
{
	unsigned long off = (unsigned long)((const char *)slot - (const char *)slabp->s_mem);

	return (unsigned int)((off * s->reciprocal_size) >> 32);
}

/*
 * The hot paths find object 0 in the head page (page->index holds s_mem)
 * rather than in the slab descriptor: one cache line fewer per free.
 */
static inline unsigned int page_obj_index(struct kmem_cache *s,
					  const struct page *page, const void *slot)
{
	unsigned long off = (unsigned long)((const char *)slot - (const char *)page->index);

	return (unsigned int)((off * s->reciprocal_size) >> 32);
}

/* ------------------------------------------------------------------ */
/* The free marker and the slab map (mm/slab.h)                        */
/* ------------------------------------------------------------------ */


/* The slab map word of every frame of slabp (mm/slab.h, SLAB_MAP_*). */
static unsigned long slab_map_entry(const struct kmem_cache *s, const struct slab *slabp)
{
	unsigned long mem = slabp->order == s->gfporder ?
			    (unsigned long)slabp->colouroff : SLAB_MAP_FALLBACK;

	if (s->flags & CFLGS_OFF_SLAB)
		return (uintptr_t)slabp | SLAB_MAP_DESC;
	return (uintptr_t)s | mem << SLAB_MAP_MEM_SHIFT;
}

/* Points every frame of slabp at it (or at nothing: entry 0). */
static void slab_map_set(struct kmem_cache *s, struct slab *slabp, bool on)
{
	unsigned long pfn = page_to_pfn(slabp->page), i;
	unsigned long e = on ? slab_map_entry(s, slabp) : 0;

	for (i = 0; i < 1ul << slabp->order; i++)
		WRITE_ONCE(s->slab_map[pfn + i], e);
}


static void mod_slab_pages(struct kmem_cache *s, long pages)
{
	enum node_stat_item item = (s->flags & SLAB_RECLAIM_ACCOUNT) ?
				   NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE;

	__atomic_fetch_add(&s->k->mem->node.vm_stat[item], pages, __ATOMIC_RELAXED);
}

/* A newly carved object: in its free debug state, and constructed. */
static void init_object(struct kmem_cache *s, void *slot)
{
	if (unlikely(slab_debug(s)))
		slab_debug_init_object(s, slot);
	if (s->ctor)
		s->ctor(slot_to_obj(s, slot));
	if (marker_guard(s))
		set_free_marker(s, slot);	/* never handed out: free */
}

static struct slab *alloc_slabmgmt(struct kmem_cache *s, void *addr,
				   unsigned long colouroff, unsigned int order,
				   gfp_t gfp)
{
	bool fallback = order != s->gfporder;
	struct slab *slabp;

	if (s->flags & CFLGS_OFF_SLAB) {
		slabp = __kmem_cache_alloc(s->slabp_cache, gfp & ~__GFP_ZERO, 0);
		if (!slabp)
			return NULL;
	} else {
		slabp = addr;			/* first, then the colour */
		colouroff += fallback ? s->min_mgmt_size : s->mgmt_size;
	}
	slabp->cache = s;
	slabp->order = (unsigned char)order;
	slabp->num = (unsigned short)(fallback ? s->min_num : s->num);
	slabp->colouroff = colouroff;
	slabp->s_mem = (char *)addr + colouroff;
	slabp->inuse = 0;
	return slabp;
}

static void free_slabmgmt(struct kmem_cache *s, struct slab *slabp)
{
	if (s->flags & CFLGS_OFF_SLAB)
		__kmem_cache_free(s->slabp_cache, slabp, 0);
}

static struct page *alloc_slab_page(struct kmem_cache *s, gfp_t gfp,
				    unsigned int order)
{
	return __alloc_pages(s->k, order ? gfp | __GFP_COMP : gfp, order);
}

/*
 * A slab's pages, as SLUB's allocate_slab: the preferred order without
 * trying hard (no warning, no reclaim, no reserves: a free block is there
 * or not), then the minimum order with the caller's flags.  So fragmented
 * RAM still gives slabs while min_order blocks are free, and reclaim is
 * only ever entered for the order the cache truly needs.
 */
static struct page *alloc_slab_pages(struct kmem_cache *s, gfp_t gfp,
				     unsigned int *orderp)
{
	gfp_t try_gfp = (gfp | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
	struct page *page;

	*orderp = s->gfporder;
	if (s->min_order == s->gfporder)
		return alloc_slab_page(s, gfp, s->gfporder);
	if (try_gfp & __GFP_DIRECT_RECLAIM)
		try_gfp = (try_gfp | __GFP_NOMEMALLOC) & ~__GFP_RECLAIM;
	page = alloc_slab_page(s, try_gfp, s->gfporder);
	if (likely(page))
		return page;
	*orderp = s->min_order;
	page = alloc_slab_page(s, gfp, s->min_order);
	if (page)
		__atomic_fetch_add(&s->order_fallback, 1, __ATOMIC_RELAXED);
	return page;
}

/* The colour offset of a new slab: preferred slabs take turns, fallback
 * slabs have no leftover to spare and start at 0. */
static unsigned long next_colour(struct kmem_cache *s, unsigned int order)
{
	struct kmem_cache_node *n = &s->node;
	unsigned long offset;

	if (order != s->gfporder)
		return 0;
	pthread_mutex_lock(&n->list_lock);
	offset = (unsigned long)n->colour_next * s->colour_off;
	if (++n->colour_next >= s->colour)
		n->colour_next = 0;
	pthread_mutex_unlock(&n->list_lock);
	return offset;
}

/* A slab joins (+1) or leaves (-1) the node's counters.  Node lock held. */
static void account_slab(struct kmem_cache *s, struct slab *slabp, long sign)
{
	struct kmem_cache_node *n = &s->node;

	n->total_slabs += sign;
	n->free_objects += sign * slabp->num;
	n->total_objects += sign * slabp->num;
	n->total_pages += sign * (1l << slabp->order);
	if (slabp->order != s->gfporder)
		WRITE_ONCE(s->nr_fallback_slabs, s->nr_fallback_slabs + sign);
}

/*
 * kmem_cache_grow: one more slab, coloured, with every object constructed
 * and chained free.  Called without the node lock.  Returns 0 or -ENOMEM.
 */
static int cache_grow(struct kmem_cache *s, gfp_t gfp)
{
	struct kmem_cache_node *n = &s->node;
	gfp_t pgfp = (gfp & (GFP_KERNEL | GFP_ATOMIC | __GFP_NOWARN | __GFP_NORETRY |
			     __GFP_NOFAIL | __GFP_HIGH | __GFP_MEMALLOC |
			     __GFP_NOMEMALLOC | __GFP_RETRY_MAYFAIL)) | s->allocflags;
	struct slab *slabp;
	struct page *page;
	kmem_bufctl_t *bufctl;
	unsigned int i, order;

	page = alloc_slab_pages(s, pgfp, &order);
	if (!page)
		return -ENOMEM;
	slabp = alloc_slabmgmt(s, page_address(page), next_colour(s, order), order, gfp);
	if (!slabp) {
		___free_pages(s->k, page, order);
		return -ENOMEM;
	}
	slabp->page = page;
	bufctl = slab_bufctl(slabp);
	for (i = 0; i < slabp->num; i++) {
		init_object(s, index_to_obj(s, slabp, i));
		bufctl[i] = (kmem_bufctl_t)(i + 1);
	}
	bufctl[slabp->num - 1] = BUFCTL_END;
	slabp->free = 0;
	page->slab_cache = s;
	page->slab = slabp;
	page->index = (pgoff_t)slabp->s_mem;
	__SetPageSlab(page);
	slab_map_set(s, slabp, true);
	mod_slab_pages(s, 1l << order);

	pthread_mutex_lock(&n->list_lock);
	list_add_tail(&slabp->list, &n->slabs_free);
	account_slab(s, slabp, 1);
	n->free_slabs++;
	pthread_mutex_unlock(&n->list_lock);
	return 0;
}

/* Gives a slab's pages back.  The slab is off every list already. */
static void slab_destroy(struct kmem_cache *s, struct slab *slabp)
{
	struct page *page = slabp->page;
	unsigned int order = slabp->order;	/* off-slab: freed below */

	if (unlikely(slab_debug(s)))
		slab_debug_check_slab(s, slabp);
	slabp->cache = NULL;	/* a stale descriptor must never match */
	slab_map_set(s, slabp, false);
	free_slabmgmt(s, slabp);
	__ClearPageSlab(page);
	page->slab_cache = NULL;
	page->slab = NULL;
	page->index = 0;
	mod_slab_pages(s, -(1l << order));
	___free_pages(s->k, page, order);
}

/* Puts slabp on the list its inuse count calls for. Node lock held. */
static void slab_relist(struct kmem_cache *s, struct slab *slabp, bool was_free)
{
	struct kmem_cache_node *n = &s->node;

	/* Freeing into a partial slab that stays partial, the common case
	 * of free_block, moves it to the head (the next refill's choice). */
	if (!was_free && slabp->inuse && slabp->inuse != slabp->num &&
	    slabp->list.prev == &n->slabs_partial)
		return;		/* already there */
	list_del(&slabp->list);
	if (!slabp->inuse) {
		list_add(&slabp->list, &n->slabs_free);
		if (!was_free)
			n->free_slabs++;
		return;
	}
	if (was_free)
		n->free_slabs--;
	if (slabp->inuse == slabp->num)
		list_add(&slabp->list, &n->slabs_full);
	else
		list_add(&slabp->list, &n->slabs_partial);
}

/* Takes one object out of slabp's free chain.  Node lock held. */
static void *slab_get_obj(struct kmem_cache *s, struct slab *slabp)
{
	kmem_bufctl_t *bufctl = slab_bufctl(slabp);
	unsigned int idx = slabp->free;
	void *slot = index_to_obj(s, slabp, idx);

	slabp->free = bufctl[idx];
	bufctl[idx] = BUFCTL_CACHED;
	slabp->inuse++;
	return slot_to_obj(s, slot);
}

/*
 * Returns objects to their slabs; slabs that become free beyond the
 * node's free_limit are moved to *destroy.  Node lock held.
 */
static void free_block(struct kmem_cache *s, void **objs, unsigned int nr,
		       struct list_head *destroy)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		void *slot = obj_to_slot(s, objs[i]);
		struct page *page = compound_head(virt_to_page(slot));
		struct slab *slabp = page->slab;
		unsigned int idx = obj_to_index(s, slabp, slot);
		bool was_free = false;

		slab_bufctl(slabp)[idx] = slabp->free;
		slabp->free = (kmem_bufctl_t)idx;
		slabp->inuse--;
		n->free_objects++;
		if (!slabp->inuse && n->free_objects > n->free_limit) {
			list_move(&slabp->list, destroy);
			account_slab(s, slabp, -1);
			continue;
		}
		slab_relist(s, slabp, was_free);
	}
}

static void destroy_list(struct kmem_cache *s, struct list_head *destroy)
{
	struct slab *slabp, *tmp;

	list_for_each_entry_safe(slabp, tmp, destroy, list) {
		list_del(&slabp->list);
		slab_destroy(s, slabp);
	}
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */


/* Moves up to batch objects from the shared array or the slabs to ac. */
static unsigned int refill_from_node(struct kmem_cache *s,
				     struct array_cache *ac, unsigned int batch)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int got = 0;

	pthread_mutex_lock(&n->list_lock);
	if (n->shared && n->shared->avail) {
		struct array_cache *sh = n->shared;

		got = min(batch, sh->avail);
		sh->avail -= got;
		memcpy(&ac->entry[ac->avail], &sh->entry[sh->avail], got * sizeof(void *));
		ac_set_avail(ac, ac->avail + got);
		sh->touched = 1;
		pthread_mutex_unlock(&n->list_lock);
		return got;
	}
	while (got < batch) {
		struct slab *slabp;
		bool was_free;

		if (!list_empty(&n->slabs_partial)) {
			slabp = list_first_entry(&n->slabs_partial, struct slab, list);
			was_free = false;
		} else if (!list_empty(&n->slabs_free)) {
			slabp = list_first_entry(&n->slabs_free, struct slab, list);
			was_free = true;
		} else {
			break;
		}
		while (slabp->inuse < slabp->num && got < batch) {
			ac->entry[ac->avail] = slab_get_obj(s, slabp);
			ac_set_avail(ac, ac->avail + 1);
			n->free_objects--;
			got++;
		}
		slab_relist(s, slabp, was_free);
	}
	pthread_mutex_unlock(&n->list_lock);
	return got;
}

static void *cache_alloc_refill(struct kmem_cache *s, gfp_t gfp,
				struct array_cache *ac)
{
	unsigned int batch = ac->batchcount;

	if (!ac->touched && batch > BATCHREFILL_LIMIT)
		batch = BATCHREFILL_LIMIT;	/* an idle CPU needs less */
	while (!refill_from_node(s, ac, min(batch, ac->limit - ac->avail))) {
		if (cache_grow(s, gfp))
			return NULL;
	}
	ac->touched = 1;
	ac_set_avail(ac, ac->avail - 1);
	return ac->entry[ac->avail];
}

/*
 * obj becomes the caller's: its free marker cleared, or its bufctl marked
 * ACTIVE.  Called inside the section that took it (the CPU's local lock,
 * or the node lock), where check_slab_invariants cannot look between.
 */
static void mark_active(struct kmem_cache *s, void *obj);
static inline void mark_allocated(struct kmem_cache *s, void *obj)
{
	if (likely(marker_guard(s)))
		WRITE_ONCE(*(unsigned long *)obj, 0);
	else
		mark_active(s, obj);
}

/* Threads without a CPU take one object straight from the slabs. */
static void *cache_alloc_nocpu(struct kmem_cache *s, gfp_t gfp)
{
	struct kmem_cache_node *n = &s->node;
	void *obj = NULL;

	for (;;) {
		struct slab *slabp = NULL;
		bool was_free = false;

		pthread_mutex_lock(&n->list_lock);
		if (!list_empty(&n->slabs_partial)) {
			slabp = list_first_entry(&n->slabs_partial, struct slab, list);
		} else if (!list_empty(&n->slabs_free)) {
			slabp = list_first_entry(&n->slabs_free, struct slab, list);
			was_free = true;
		}
		if (slabp) {
			obj = slab_get_obj(s, slabp);
			mark_allocated(s, obj);
			n->free_objects--;
			slab_relist(s, slabp, was_free);
		}
		pthread_mutex_unlock(&n->list_lock);
		if (obj || cache_grow(s, gfp))
			return obj;
	}
}

/*
 * On-slab: the descriptor of the slab holding slot, by masking with the
 * preferred slab size.  Right for every slab of gfporder; a smaller
 * fallback slab is found only if it starts the masked block.
 */
static inline struct slab *onslab_desc(const struct kmem_cache *s, const void *slot)
{
	return (struct slab *)((uintptr_t)slot & ~((PAGE_SIZE << s->gfporder) - 1));
}

/*
 * Records that obj is now the caller's: the cheap double-free guard.  The
 * object is ours, so masking is trusted while no fallback slab exists (a
 * fallback slab counts before any of its objects is handed out).
 */
static inline void mark_active(struct kmem_cache *s, void *obj)
{
	void *slot = obj_to_slot(s, obj);
	struct slab *slabp;

	if (likely(!(s->flags & CFLGS_OFF_SLAB) && !READ_ONCE(s->nr_fallback_slabs)))
		slabp = onslab_desc(s, slot);
	else
		slabp = compound_head(virt_to_page(slot))->slab;
	slab_bufctl(slabp)[obj_to_index(s, slabp, slot)] = BUFCTL_ACTIVE;
}

/* The allocation fast path, inline in each entry point (Linux's slab_alloc). */
static __always_inline void *slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	int cpu;
	void *obj;

	/* Fault injection (mm/failslab.c): NULL, as when no slab can grow. */
	if (fault_inject_armed() && should_failslab(s, gfp))
		return NULL;
	cpu = smp_processor_id(s->k);
	if (likely(cpu >= 0)) {
		struct array_cache *ac = s->cpu_cache[cpu];
		bool fast = local_enter(&ac->ll);

		if (likely(ac->avail)) {
			ac->touched = 1;
			ac_set_avail(ac, ac->avail - 1);
			obj = ac->entry[ac->avail];
		} else {
			obj = cache_alloc_refill(s, gfp, ac);
		}
		if (likely(obj))
			mark_allocated(s, obj);
		local_exit(&ac->ll, fast);
	} else {
		obj = cache_alloc_nocpu(s, gfp);
	}
	if (unlikely(!obj))
		return NULL;
	if (unlikely(slab_debug(s)))
		slab_debug_alloc(s, obj, caller);
	if (unlikely(gfp & __GFP_ZERO))
		memset(obj, 0, s->object_size);
	return obj;
}

void *__kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	return slab_alloc(s, gfp, caller);
}


/* Everything kmem_cache_alloc's fast path leaves out, from the start. */
static __noinline void *kmem_cache_alloc_slow(struct kmem_cache *s, gfp_t gfp,
					      unsigned long caller)
{
	if (cache_handle_bad(s, "kmem_cache_alloc"))
		return NULL;
	return slab_alloc(s, gfp, caller);
}

/* The fast path is slab_alloc_fast (mm/slab.h); the rest starts over. */
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	void *obj = slab_alloc_fast(s, gfp);

	if (likely(obj))
		return obj;
	return kmem_cache_alloc_slow(s, gfp, (unsigned long)__builtin_return_address(0));
}

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	if (cache_handle_bad(s, "kmem_cache_zalloc"))
		return NULL;
	return __kmem_cache_alloc(s, gfp | __GFP_ZERO,
				  (unsigned long)__builtin_return_address(0));
}

int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t size, void **p)
{
	size_t i;

	if (cache_handle_bad(s, "kmem_cache_alloc_bulk"))
		return 0;
	for (i = 0; i < size;) {
		struct array_cache *ac;

		/* As many as the CPU's array holds, in one critical section. */
		if (likely(marker_guard(s) && !(gfp & __GFP_ZERO) && !fault_inject_armed() &&
			   (ac = this_cpu_ac(s)) && local_try_enter(&ac->ll))) {
			unsigned int avail = ac->avail, n = (unsigned int)min((size_t)avail, size - i), j;

			for (j = 0; j < n; j++) {
				p[i + j] = ac->entry[avail - 1 - j];
				WRITE_ONCE(*(unsigned long *)p[i + j], 0);
			}
			if (n) {
				ac->touched = 1;
				ac_set_avail(ac, avail - n);
			}
			local_exit(&ac->ll, true);
			i += n;
			if (n)
				continue;
		}
		/* An empty array (the slow path refills it) or another mode. */
		p[i] = slab_alloc_fast(s, gfp);
		if (!p[i])
			p[i] = __kmem_cache_alloc(s, gfp, (unsigned long)__builtin_return_address(0));
		if (!p[i]) {
			kmem_cache_free_bulk(s, i, p);
			return 0;
		}
		i++;
	}
	return (int)size;
}

/* ------------------------------------------------------------------ */
/* Freeing                                                             */
/* ------------------------------------------------------------------ */

/*
 * Whether object idx of slabp (at obj) is free: in the slab's free chain,
 * or in a per-CPU or the shared array.  For a free-marker cache whose
 * free found the marker: a double free, or a caller whose object's first
 * word happened to hold it.  Takes every array's lock and the node lock,
 * as check_slab_invariants does; the caller holds none of them.
 */
static bool __cold object_is_free(struct kmem_cache *s, struct slab *slabp,
				  unsigned int idx, const void *obj)
{
	struct kmem_cache_node *n = &s->node;
	kmem_bufctl_t b;
	unsigned int cpu, i;
	bool found = false;

	for (cpu = 0; cpu < s->k->nr_cpus; cpu++)
		local_lock_remote(&s->cpu_cache[cpu]->ll);
	pthread_mutex_lock(&n->list_lock);
	b = slab_bufctl(slabp)[idx];
	if (b != BUFCTL_CACHED && b != BUFCTL_ACTIVE)
		found = true;		/* in the slab's free chain */
	for (cpu = 0; cpu < s->k->nr_cpus && !found; cpu++)
		for (i = 0; i < s->cpu_cache[cpu]->avail && !found; i++)
			found = s->cpu_cache[cpu]->entry[i] == obj;
	for (i = 0; n->shared && i < n->shared->avail && !found; i++)
		found = n->shared->entry[i] == obj;
	pthread_mutex_unlock(&n->list_lock);
	for (cpu = 0; cpu < s->k->nr_cpus; cpu++)
		local_unlock_remote(&s->cpu_cache[cpu]->ll);
	return found;
}

/*
 * Finds obj's slab and index, reporting every way it can be wrong.
 * Returns the slab, or NULL after a report (the free is then ignored).
 */
static __always_inline struct slab *free_validate(struct kmem_cache *s, const void *obj,
				  unsigned int *idxp)
{
	void *slot = obj_to_slot(s, obj);
	struct page *page;
	struct slab *slabp;
	unsigned int idx;

	if (unlikely(!__virt_addr_valid(s->k, slot))) {
		slab_report(s, obj, "free of a pointer that is not in RAM");
		return NULL;
	}
	/* The common case, without struct page: an on-slab descriptor that
	 * names this cache, the object at one of its slots, handed out.  (A
	 * fallback slab found by the mask must hold the slot, or the
	 * bounds fail and struct page decides.) */
	if (likely(!(s->flags & CFLGS_OFF_SLAB))) {
		slabp = onslab_desc(s, slot);
		if (likely(slabp->cache == s)) {
			idx = obj_to_index(s, slabp, slot);
			if (likely((char *)slot >= (char *)slabp->s_mem && idx < slabp->num &&
				   index_to_obj(s, slabp, idx) == slot &&
				   slab_bufctl(slabp)[idx] == BUFCTL_ACTIVE)) {
				*idxp = idx;
				return slabp;
			}
		}
	}
	page = compound_head(virt_to_page(slot));
	if (unlikely(!PageSlab(page))) {
		slab_report(s, obj, "free of a pointer that is not from any slab");
		return NULL;
	}
	if (unlikely(page->slab_cache != s)) {
		slab_report(s, obj, "object of cache %s freed to the wrong cache",
			    page->slab_cache->name);
		return NULL;
	}
	slabp = page->slab;
	idx = page_obj_index(s, page, slot);
	if (unlikely((unsigned long)slot < page->index || idx >= slabp->num ||
		     page->index + (unsigned long)s->size * idx != (unsigned long)slot)) {
		slab_report(s, obj, "pointer into the middle of an object");
		return NULL;
	}
	if (unlikely(marker_guard(s) ? has_free_marker(s, obj) && object_is_free(s, slabp, idx, obj)
				     : slab_bufctl(slabp)[idx] != BUFCTL_ACTIVE)) {
		slab_report(s, obj, "double free, or free of an object never allocated");
		return NULL;
	}
	*idxp = idx;
	return slabp;
}

/* A free-marker cache's free that the fast checks did not pass. */
static __noinline bool free_marker_slow(struct kmem_cache *s, void *obj)
{
	unsigned int idx;

	return free_validate(s, obj, &idx) != NULL;
}

/* Moves a batch from a full array to the shared array or the slabs. */
static void cache_flusharray(struct kmem_cache *s, struct array_cache *ac)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int batch = ac->batchcount;
	LIST_HEAD(destroy);

	pthread_mutex_lock(&n->list_lock);
	if (n->shared && n->shared->avail < n->shared->limit) {
		struct array_cache *sh = n->shared;

		batch = min(batch, sh->limit - sh->avail);
		memcpy(&sh->entry[sh->avail], ac->entry, batch * sizeof(void *));
		sh->avail += batch;
	} else {
		free_block(s, ac->entry, batch, &destroy);
	}
	pthread_mutex_unlock(&n->list_lock);
	destroy_list(s, &destroy);
	ac_set_avail(ac, ac->avail - batch);
	memmove(ac->entry, &ac->entry[batch], ac->avail * sizeof(void *));
}

/* The free fast path, inline in each entry point (Linux's slab_free). */
static __always_inline void slab_free(struct kmem_cache *s, void *obj, unsigned long caller)
{
	struct slab *slabp;
	unsigned int idx;
	int cpu;

	if (unlikely(!obj))
		return;
	if (likely(marker_guard(s))) {
		/* Neither the slab nor struct page: the map word and the
		 * object's own first word, which the free writes anyway. */
		if (unlikely((!free_fast_valid(s, obj, slab_map_word(s, obj)) || has_free_marker(s, obj)) &&
			     !free_marker_slow(s, obj)))
			return;
		set_free_marker(s, obj);
	} else {
		slabp = free_validate(s, obj, &idx);
		if (unlikely(!slabp))
			return;
		if (unlikely(slab_debug(s)))
			slab_debug_free(s, obj, caller);
		slab_bufctl(slabp)[idx] = BUFCTL_CACHED;
	}
	cpu = smp_processor_id(s->k);
	if (likely(cpu >= 0)) {
		struct array_cache *ac = s->cpu_cache[cpu];
		bool fast = local_enter(&ac->ll);

		if (unlikely(ac->avail >= ac->limit))
			cache_flusharray(s, ac);
		ac->entry[ac->avail] = obj;
		ac_set_avail(ac, ac->avail + 1);
		local_exit(&ac->ll, fast);
	} else {
		LIST_HEAD(destroy);

		pthread_mutex_lock(&s->node.list_lock);
		free_block(s, &obj, 1, &destroy);
		pthread_mutex_unlock(&s->node.list_lock);
		destroy_list(s, &destroy);
	}
}

void __kmem_cache_free(struct kmem_cache *s, void *obj, unsigned long caller)
{
	slab_free(s, obj, caller);
}

static __noinline void kmem_cache_free_slow(struct kmem_cache *s, void *obj,
					    unsigned long caller)
{
	if (unlikely(!obj))
		return;
	if (unlikely(!s)) {
		slab_report(NULL, obj, "kmem_cache_free with a NULL cache");
		return;
	}
	if (cache_handle_bad(s, "kmem_cache_free"))
		return;
	slab_free(s, obj, caller);
}

/* The fast path is slab_free_fast (mm/slab.h); the rest starts over. */
void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	if (likely(slab_free_fast(s, obj)))
		return;
	kmem_cache_free_slow(s, obj, (unsigned long)__builtin_return_address(0));
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p)
{
	size_t i;

	if (cache_handle_bad(s, "kmem_cache_free_bulk"))
		return;
	for (i = 0; i < size;) {
		struct array_cache *ac;

		/* Into the CPU's array while it has room and each object passes
		 * the fast checks, in one critical section. */
		if (likely(marker_guard(s) && (ac = this_cpu_ac(s)) && local_try_enter(&ac->ll))) {
			unsigned int avail = ac->avail;

			for (; i < size && avail < ac->limit; i++) {
				void *obj = p[i];

				if (!obj)
					continue;
				if (unlikely(!free_fast_valid(s, obj, slab_map_word(s, obj)) || has_free_marker(s, obj)))
					break;
				set_free_marker(s, obj);
				ac->entry[avail++] = obj;
			}
			ac_set_avail(ac, avail);
			local_exit(&ac->ll, true);
			if (i == size)
				break;
		}
		/* A full array (the slow path flushes it), a bad object (it
		 * reports), or another mode. */
		if (p[i] && !slab_free_fast(s, p[i]))
			__kmem_cache_free(s, p[i], (unsigned long)__builtin_return_address(0));
		i++;
	}
}

/*
 * Is p a live object: kmalloc'ed or kmem_cache_alloc'ed and not freed?
 * (For the simulator, which must not let a script free the kernel's own.)
 */
bool slab_object_in_use(struct kmm *k, const void *p)
{
	struct kmem_cache *s;
	struct page *page;
	unsigned int idx;
	void *slot;

	if (!__virt_addr_valid(k, p))
		return false;
	page = compound_head(virt_to_page(p));
	if (PageLargeKmalloc(page))
		return page_address(page) == p;
	if (!PageSlab(page))
		return false;
	s = page->slab_cache;
	slot = obj_to_slot(s, p);
	idx = page_obj_index(s, page, slot);
	if ((unsigned long)slot < page->index || idx >= page->slab->num ||
	    page->index + (unsigned long)s->size * idx != (unsigned long)slot)
		return false;
	if (marker_guard(s))
		return !(has_free_marker(s, p) && object_is_free(s, page->slab, idx, p));
	return slab_bufctl(page->slab)[idx] == BUFCTL_ACTIVE;
}

/* ------------------------------------------------------------------ */
/* Draining and shrinking                                              */
/* ------------------------------------------------------------------ */

/* Empties every per-CPU array and the shared array into the slabs. */
static void drain_cpu_caches(struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int cpu;
	LIST_HEAD(destroy);

	for (cpu = 0; cpu < s->k->nr_cpus; cpu++) {
		struct array_cache *ac = s->cpu_cache[cpu];

		local_lock_remote(&ac->ll);
		pthread_mutex_lock(&n->list_lock);
		free_block(s, ac->entry, ac->avail, &destroy);
		ac_set_avail(ac, 0);
		pthread_mutex_unlock(&n->list_lock);
		local_unlock_remote(&ac->ll);
	}
	pthread_mutex_lock(&n->list_lock);
	if (n->shared) {
		free_block(s, n->shared->entry, n->shared->avail, &destroy);
		n->shared->avail = 0;
	}
	pthread_mutex_unlock(&n->list_lock);
	destroy_list(s, &destroy);
}

/* Frees every free slab; returns how many pages went back. */
static unsigned long drain_freelist(struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	unsigned long pages = 0;
	LIST_HEAD(destroy);

	pthread_mutex_lock(&n->list_lock);
	while (!list_empty(&n->slabs_free)) {
		struct slab *slabp = list_first_entry(&n->slabs_free, struct slab, list);

		list_move(&slabp->list, &destroy);
		n->free_slabs--;
		account_slab(s, slabp, -1);
		pages += 1ul << slabp->order;
	}
	pthread_mutex_unlock(&n->list_lock);
	destroy_list(s, &destroy);
	return pages;
}

static unsigned long __kmem_cache_shrink(struct kmem_cache *s)
{
	drain_cpu_caches(s);
	return drain_freelist(s);
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	unsigned long left;

	if (cache_handle_bad(s, "kmem_cache_shrink"))
		return 0;
	__kmem_cache_shrink(s);
	pthread_mutex_lock(&s->node.list_lock);
	left = s->node.total_slabs;
	pthread_mutex_unlock(&s->node.list_lock);
	return left ? 1 : 0;
}

unsigned long kmm_slab_shrink_all(struct kmm *k)
{
	struct kmem_cache *s;
	unsigned long pages = 0;

	if (!k->mem->slab)
		return 0;
	pthread_mutex_lock(&k->mem->slab->slab_mutex);
	/* Freeing an off-slab cache's slab frees its descriptor into a
	 * kmalloc cache's per-CPU array, which this pass may have drained
	 * already: go round until a pass frees nothing. */
	for (;;) {
		unsigned long round = 0;

		list_for_each_entry(s, &k->mem->slab->slab_caches, list)
			round += __kmem_cache_shrink(s);
		pages += round;
		if (!round)
			break;
	}
	pthread_mutex_unlock(&k->mem->slab->slab_mutex);
	return pages;
}

/*
 * The slab shrinker: free slabs are what reclaim can have at once.  It
 * does not drain per-CPU arrays (their owners may be inside reclaim).
 */
static unsigned long slab_count_objects(struct shrinker *sh, struct shrink_control *sc)
{
	struct kmm *k = sh->private_data;
	struct kmem_cache *s;
	unsigned long pages = 0;

	if (pthread_mutex_trylock(&k->mem->slab->slab_mutex))
		return 0;
	list_for_each_entry(s, &k->mem->slab->slab_caches, list)
		pages += READ_ONCE(s->node.free_slabs) << s->gfporder;	/* at most */
	pthread_mutex_unlock(&k->mem->slab->slab_mutex);
	return pages;
}

static unsigned long slab_scan_objects(struct shrinker *sh, struct shrink_control *sc)
{
	struct kmm *k = sh->private_data;
	struct kmem_cache *s;
	unsigned long pages = 0;

	if (pthread_mutex_trylock(&k->mem->slab->slab_mutex))
		return SHRINK_STOP;
	list_for_each_entry(s, &k->mem->slab->slab_caches, list) {
		if (pages >= sc->nr_to_scan)
			break;
		pages += drain_freelist(s);
	}
	pthread_mutex_unlock(&k->mem->slab->slab_mutex);
	return pages;
}

static int register_slab_shrinker(struct kmm *k)
{
	struct shrinker *sh = shrinker_alloc(0, "slab-free-slabs");

	if (!sh)
		return -ENOMEM;
	sh->count_objects = slab_count_objects;
	sh->scan_objects = slab_scan_objects;
	sh->private_data = k;
	sh->seeks = 1;
	k->mem->slab->shrinker = sh;
	shrinker_register(sh);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sizing a cache                                                      */
/* ------------------------------------------------------------------ */

static void cache_estimate(unsigned int order, unsigned int size,
			   unsigned int align, bool off_slab,
			   unsigned int *num, unsigned int *mgmt, size_t *left)
{
	size_t bytes = PAGE_SIZE << order;
	size_t n, m = 0;

	if (off_slab) {
		n = bytes / size;
	} else {
		n = (bytes - sizeof(struct slab)) / (size + sizeof(kmem_bufctl_t));
		while (n && ALIGN(sizeof(struct slab) + n * sizeof(kmem_bufctl_t),
				  (size_t)align) + n * size > bytes)
			n--;
		m = ALIGN(sizeof(struct slab) + n * sizeof(kmem_bufctl_t), (size_t)align);
	}
	if (n > SLAB_LIMIT)
		n = SLAB_LIMIT;
	*num = (unsigned int)n;
	*mgmt = (unsigned int)m;
	*left = bytes - n * size - m;
}

/*
 * The smallest order whose leftover is below 1/32 of the slab (so the
 * memory overhead stays within a few percent), up to SLAB_MAX_ORDER unless
 * a single object needs more.
 */
static int calculate_slab_order(struct kmem_cache *s, size_t *left_over)
{
	bool off = s->flags & CFLGS_OFF_SLAB;
	unsigned int order, num, mgmt;
	size_t left;
	int found = -1;

	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		cache_estimate(order, s->size, s->align, off, &num, &mgmt, &left);
		if (!num)
			continue;
		found = (int)order;
		s->num = num;
		s->gfporder = order;
		s->mgmt_size = off ? (unsigned int)(sizeof(struct slab) +
						    num * sizeof(kmem_bufctl_t)) : mgmt;
		*left_over = left;
		/* Off-slab, the descriptor's kmalloc object is overhead too. */
		if (off)
			left += kmalloc_index(s->mgmt_size) ?
				kmalloc_info[kmalloc_index(s->mgmt_size)].size : PAGE_SIZE << order;
		if (order >= SLAB_MAX_ORDER || left * 32 < (PAGE_SIZE << order))
			break;
	}
	return found;
}

/*
 * oo_min: the smallest order that holds one object with the cache's final
 * management layout; the slab falls back to it when no block of gfporder
 * is free.  An off-slab descriptor sized for num also serves min_num.
 */
static void calculate_min_order(struct kmem_cache *s)
{
	bool off = s->flags & CFLGS_OFF_SLAB;
	unsigned int order, num = 0, mgmt = 0;
	size_t left;

	for (order = 0; order < s->gfporder; order++) {
		cache_estimate(order, s->size, s->align, off, &num, &mgmt, &left);
		if (num)
			break;
	}
	if (order == s->gfporder) {
		num = s->num;
		mgmt = s->mgmt_size;
	}
	s->min_order = order;
	s->min_num = num;
	s->min_mgmt_size = off ? s->mgmt_size : mgmt;
}

/* Per-CPU array sizes, from Linux's enable_cpucache(). */
static void cache_tunables(struct kmem_cache *s)
{
	unsigned int limit;

	if (s->size > 131072)
		limit = 1;
	else if (s->size > PAGE_SIZE)
		limit = 8;
	else if (s->size > 1024)
		limit = 24;
	else if (s->size > 256)
		limit = 54;
	else
		limit = 120;
	s->limit = limit;
	s->batchcount = (limit + 1) / 2;
	s->shared = (s->size <= PAGE_SIZE && s->k->nr_cpus > 1) ? 8 : 0;
}

static size_t ac_bytes(unsigned int entries)
{
	return ALIGN(sizeof(struct array_cache) + entries * sizeof(void *), (size_t)CACHE_LINE_SIZE);
}

static void init_ac(struct array_cache *ac, unsigned int limit, unsigned int batch)
{
	memset(ac, 0, sizeof(*ac));
	ac->limit = limit;
	ac->batchcount = batch;
}

/* Every array of the cache in one block straight from the page allocator. */
static int setup_cpu_cache(struct kmem_cache *s)
{
	struct kmm *k = s->k;
	unsigned int shared = s->shared * s->batchcount;
	size_t per_cpu = ac_bytes(s->limit);
	size_t bytes = per_cpu * k->nr_cpus + (shared ? ac_bytes(shared) : 0);
	char *block;
	unsigned int cpu;

	s->cpu_cache = NULL;
	bytes += ALIGN(k->nr_cpus * sizeof(void *), (size_t)CACHE_LINE_SIZE);
	block = alloc_pages_exact(bytes, GFP_KERNEL | __GFP_ZERO);
	if (!block)
		return -ENOMEM;
	s->arrays = block;
	s->arrays_size = bytes;
	__atomic_fetch_add(&k->mem->percpu_pages, PFN_UP(bytes), __ATOMIC_RELAXED);
	s->cpu_cache = (struct array_cache **)block;
	block += ALIGN(k->nr_cpus * sizeof(void *), (size_t)CACHE_LINE_SIZE);
	for (cpu = 0; cpu < k->nr_cpus; cpu++, block += per_cpu) {
		s->cpu_cache[cpu] = (struct array_cache *)block;
		init_ac(s->cpu_cache[cpu], s->limit, s->batchcount);
	}
	s->node.shared = NULL;
	if (shared) {
		s->node.shared = (struct array_cache *)block;
		init_ac(s->node.shared, shared, s->batchcount);
	}
	s->node.free_limit = (1 + k->nr_cpus) * s->batchcount + s->num;
	return 0;
}

static void free_cpu_cache(struct kmem_cache *s)
{
	if (!s->arrays)
		return;
	free_pages_exact(s->arrays, s->arrays_size);
	__atomic_fetch_sub(&s->k->mem->percpu_pages, PFN_UP(s->arrays_size), __ATOMIC_RELAXED);
	s->arrays = NULL;
	s->cpu_cache = NULL;
}

static unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
					unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = CACHE_LINE_SIZE;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	return ALIGN(max(align, (unsigned int)sizeof(void *)), (unsigned int)sizeof(void *));
}

/* Fills s for an object of size bytes; 0 or -EINVAL/-ENOMEM. */
/*
 * The free marker's key, per cache: host entropy drawn once (as glibc's
 * tcache key), mixed with the descriptor's address.  Never printed, so
 * runs stay reproducible.
 */
static unsigned long slab_free_key(const struct kmem_cache *s)
{
	static unsigned long seed;
	unsigned long z = __atomic_load_n(&seed, __ATOMIC_RELAXED);

	if (!z) {
		if (getrandom(&z, sizeof(z), 0) != sizeof(z))
			z = (uintptr_t)&seed ^ 0x6a09e667f3bcc908ul;
		z |= 1;
		__atomic_store_n(&seed, z, __ATOMIC_RELAXED);
	}
	z ^= (uintptr_t)s * 0x9e3779b97f4a7c15ul;
	z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ul;
	return z ^ (z >> 29);
}

static int setup_cache(struct kmm *k, struct kmem_cache *s, const char *name,
		       unsigned int size, unsigned int align, slab_flags_t flags,
		       void (*ctor)(void *))
{
	struct kmm_slab *ks = k->mem->slab;
	size_t left_over = 0;

	memset(s, 0, sizeof(*s));
	s->k = k;
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (ks->debug_all && !(flags & SLAB_NO_MERGE))
		flags |= SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;
	s->flags = flags;
	s->object_size = size;
	s->ctor = ctor;
	s->align = calculate_alignment(flags, align, size);
	s->size = ALIGN(size, (unsigned int)sizeof(void *));
	if (flags & SLAB_RED_ZONE) {
		s->obj_offset = max(8u, s->align);
		s->size = s->obj_offset + ALIGN(size, 8u) + 8;
	}
	if (flags & SLAB_STORE_USER)
		s->size += 2 * sizeof(unsigned long);
	s->size = ALIGN(s->size, s->align);
	/*
	 * Objects of 128 bytes and more keep their management off the slab,
	 * once a kmalloc class exists for it: their descriptors then sit
	 * densely in that class's slabs, where the fast paths reach them
	 * through the slab map without a cache miss (mm/slab.h).  Smaller
	 * objects, and the kmalloc classes made before their descriptor's
	 * class, stay on-slab.
	 */
	if (s->size >= SLAB_OFF_SLAB_MIN && ks->slab_state >= PARTIAL)
		s->flags |= CFLGS_OFF_SLAB;
	if (calculate_slab_order(s, &left_over) < 0)
		return -EINVAL;
	if ((s->flags & CFLGS_OFF_SLAB) && !kmalloc_slab(k, s->mgmt_size, 0)) {
		s->flags &= ~CFLGS_OFF_SLAB;
		if (calculate_slab_order(s, &left_over) < 0)
			return -EINVAL;
	}
	calculate_min_order(s);
	s->slab_bytes = (unsigned int)(PAGE_SIZE << s->gfporder);
	/* Free objects that must keep their contents, or that debugging
	 * poisons, cannot hold the free marker. */
	if (ctor || slab_debug(s) || (flags & SLAB_TYPESAFE_BY_RCU))
		s->flags |= CFLGS_BUFCTL_GUARD;
	s->slab_map = ks->slab_map;
	s->map_base = (uintptr_t)k->hw->ram.direct_map;
	s->map_pfns = (unsigned int)ks->map_pfns;
	s->free_key = slab_free_key(s);
	s->kmm_id = k->id;
	s->colour_off = max((unsigned int)CACHE_LINE_SIZE, s->align);
	s->colour = (unsigned int)(left_over / s->colour_off);
	if (!s->colour)
		s->colour = 1;
	if (s->flags & CFLGS_OFF_SLAB) {
		s->slabp_cache = kmalloc_slab(k, s->mgmt_size, 0);
		if (!s->slabp_cache)
			return -EINVAL;
	}
	if (flags & SLAB_CACHE_DMA)
		s->allocflags |= __GFP_DMA;
	if (flags & SLAB_CACHE_DMA32)
		s->allocflags |= __GFP_DMA32;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;
	s->reciprocal_size = (unsigned int)(((1ull << 32) + s->size - 1) / s->size);
	spin_lock_init(&s->node.list_lock);
	INIT_LIST_HEAD(&s->node.slabs_partial);
	INIT_LIST_HEAD(&s->node.slabs_full);
	INIT_LIST_HEAD(&s->node.slabs_free);
	s->refcount = 1;
	cache_tunables(s);
	return setup_cpu_cache(s);
}

/*
 * A cache's name is the first column of /proc/slabinfo and slabtop, which
 * tools split at blanks: printable ASCII without spaces only.  Linux takes
 * any C string and trusts its callers; a name with a blank would shift
 * every column after it, a control character (an escape code) would reach
 * the terminal of whoever reads the file.
 */
static bool cache_name_ok(const char *name)
{
	for (; *name; name++)
		if ((unsigned char)*name <= ' ' || (unsigned char)*name >= 0x7f)
			return false;
	return true;
}

/* The name as a report may print it: other bytes than those as \xNN. */
static const char *cache_name_shown(const char *name, char *buf, size_t len)
{
	size_t n = 0;

	if (!name)
		return "(null)";
	for (buf[0] = 0; *name && n + 5 < len; name++) {
		unsigned char c = (unsigned char)*name;

		n += (size_t)snprintf(buf + n, len - n, c > ' ' && c < 0x7f ? "%c" : "\\x%02x", c);
	}
	return buf;
}

struct kmem_cache *__kmem_cache_create(struct kmm *k, const char *name,
				       unsigned int size, unsigned int align,
				       slab_flags_t flags, void (*ctor)(void *))
{
	struct kmm_slab *ks = k->mem->slab;
	struct kmem_cache *s;
	const char *why = NULL;
	char shown[4 * KMEM_CACHE_NAME_LEN + 8];

	if (!name || !*name)
		why = "a cache needs a name";
	else if (strlen(name) >= KMEM_CACHE_NAME_LEN)
		why = "the name is longer than 31 characters";
	else if (!cache_name_ok(name))
		why = "the name must be printable ASCII without blanks (a column of /proc/slabinfo)";
	else if (!size || size > KMALLOC_MAX_SIZE)
		why = "object size must be 1..4194304 bytes";
	else if (align & (align - 1))
		why = "align must be a power of two";
	else if (align > PAGE_SIZE)
		why = "align must be at most PAGE_SIZE";
	if (unlikely(flags & ~SLAB_FLAGS_PERMITTED)) {
		/* Not even SLAB_PANIC is believed from such a word. */
		kmm_report(k, "kmem_cache_create(%s): flags %#x outside SLAB_FLAGS_PERMITTED "
			   "(%#x): unknown bits %#x\n", name ? name : "(null)", flags,
			   SLAB_FLAGS_PERMITTED, flags & ~SLAB_FLAGS_PERMITTED);
		return NULL;
	}
	if (why) {
		kmm_report(k, "kmem_cache_create(%s): %s\n",
			   cache_name_shown(name, shown, sizeof(shown)), why);
		if (flags & SLAB_PANIC)
			abort();
		return NULL;
	}
	s = __kmem_cache_alloc(ks->kmem_cache, GFP_KERNEL, 0);
	if (!s)
		goto fail;
	if (setup_cache(k, s, name, size, align, flags, ctor)) {
		__kmem_cache_free(ks->kmem_cache, s, 0);
		goto fail;
	}
	cache_set_live(s);
	pthread_mutex_lock(&ks->slab_mutex);
	list_add_tail(&s->list, &ks->slab_caches);
	pthread_mutex_unlock(&ks->slab_mutex);
	return s;
fail:
	kmm_report(k, "kmem_cache_create(%s): cannot create the cache\n", name);
	if (flags & SLAB_PANIC)
		abort();
	return NULL;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	return __kmem_cache_create(kmm_cur(), name, size, align, flags, ctor);
}

/* Reports the objects still allocated in a cache being destroyed. */
static void report_leaks(struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	struct list_head *lists[2] = { &n->slabs_partial, &n->slabs_full };
	unsigned long shown = 0;
	char buf[2048];
	size_t len = 0;
	struct slab *slabp;
	int l;

	buf[0] = 0;
	pthread_mutex_lock(&n->list_lock);
	for (l = 0; l < 2; l++)
		list_for_each_entry(slabp, lists[l], list) {
			unsigned int i;

			for (i = 0; i < slabp->num; i++) {
				void *obj;

				/* The arrays are drained: out of the chain is in use. */
				if (slab_bufctl(slabp)[i] != BUFCTL_ACTIVE &&
				    slab_bufctl(slabp)[i] != BUFCTL_CACHED)
					continue;
				if (shown++ >= 16 || len >= sizeof(buf))
					continue;
				obj = slot_to_obj(s, index_to_obj(s, slabp, i));
				len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"Object 0x%lx @offset=%lu\n", kmm_kaddr(obj),
					(unsigned long)((char *)obj - (char *)page_address(slabp->page)));
			}
		}
	pthread_mutex_unlock(&n->list_lock);
	kmm_report(s->k, "kmem_cache_destroy %s: Slab cache still has objects (%lu), not destroyed\n%s",
		   s->name, shown, buf);
}

/*
 * A destroyed descriptor joins the quarantine, poisoned; returns the
 * oldest one when the quarantine is full, for cache_cache.  slab_mutex held.
 */
static struct kmem_cache *quarantine_cache(struct kmm_slab *ks, struct kmem_cache *s)
{
	struct kmem_cache *old;

	s->magic = KMEM_CACHE_DEAD;
	s->fastpath = 0;
	list_add_tail(&s->list, &ks->dead_caches);
	if (++ks->nr_dead_caches <= SLAB_DEAD_CACHES)
		return NULL;
	old = list_first_entry(&ks->dead_caches, struct kmem_cache, list);
	list_del(&old->list);
	ks->nr_dead_caches--;
	return old;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	struct kmem_cache *old;
	struct kmm_slab *ks;

	if (!s)
		return;
	if (cache_handle_bad(s, "kmem_cache_destroy"))
		return;
	VM_CHECK(check_slab_invariants(s));
	ks = s->k->mem->slab;
	if (s == ks->kmem_cache || (s->flags & CFLGS_PERMANENT)) {
		kmm_report(s->k, "kmem_cache_destroy %s: a cache of the kernel itself cannot be destroyed\n",
			   s->name);
		return;
	}
	pthread_mutex_lock(&ks->slab_mutex);
	if (--s->refcount > 0) {
		pthread_mutex_unlock(&ks->slab_mutex);
		return;
	}
	__kmem_cache_shrink(s);
	if (s->node.total_slabs) {
		s->refcount++;
		pthread_mutex_unlock(&ks->slab_mutex);
		report_leaks(s);
		return;
	}
	list_del(&s->list);
	free_cpu_cache(s);
	old = quarantine_cache(ks, s);
	pthread_mutex_unlock(&ks->slab_mutex);
	if (old)
		__kmem_cache_free(ks->kmem_cache, old, 0);
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	if (cache_handle_bad(s, "kmem_cache_size"))
		return 0;
	return s->object_size;
}

const char *kmem_cache_name(struct kmem_cache *s)
{
	if (cache_handle_bad(s, "kmem_cache_name"))
		return NULL;
	return s->name;
}

struct kmem_cache *kmem_cache_find(const char *name)
{
	struct kmm *k = kmm_cur();
	struct kmem_cache *s, *found = NULL;

	pthread_mutex_lock(&k->mem->slab->slab_mutex);
	list_for_each_entry(s, &k->mem->slab->slab_caches, list)
		if (!strcmp(s->name, name)) {
			found = s;
			break;
		}
	pthread_mutex_unlock(&k->mem->slab->slab_mutex);
	return found;
}

/* ------------------------------------------------------------------ */
/* Statistics and checks                                               */
/* ------------------------------------------------------------------ */

int kmem_cache_get_info(struct kmem_cache *s, struct kmem_cache_info *info)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int cpu;

	memset(info, 0, sizeof(*info));
	if (cache_handle_bad(s, "kmem_cache_get_info"))
		return -EINVAL;
	pthread_mutex_lock(&n->list_lock);
	info->num_slabs = n->total_slabs;
	info->active_slabs = n->total_slabs - n->free_slabs;
	info->num_objs = n->total_objects;
	info->pages = n->total_pages;
	if (s->flags & CFLGS_OFF_SLAB)
		info->mgmt_bytes = n->total_slabs * s->slabp_cache->size;
	info->active_objs = info->num_objs - n->free_objects;
	info->shared_avail = n->shared ? n->shared->avail : 0;
	pthread_mutex_unlock(&n->list_lock);
	/*
	 * Racy on purpose, as Linux's data_race() readers of per-CPU counts:
	 * taking every CPU's local lock would stall the allocation fast path
	 * for a statistic that is stale once printed anyway.  The owners
	 * store with WRITE_ONCE (ac_set_avail), so each count read is whole.
	 */
	for (cpu = 0; cpu < s->k->nr_cpus; cpu++)
		info->cpu_avail += READ_ONCE(s->cpu_cache[cpu]->avail);
	info->order_fallback = READ_ONCE(s->order_fallback);
	info->objsize = s->size;
	/* The preferred slab, as SLUB prints its oo: fallback slabs are
	 * counted in num_objs and pages at their own size. */
	info->objperslab = s->num;
	info->pagesperslab = 1u << s->gfporder;
	info->colours = s->colour;
	info->limit = s->limit;
	info->batchcount = s->batchcount;
	info->shared = s->shared;
	return 0;
}

struct slab_check {
	struct kmem_cache *s;
	int err;
	unsigned long free_objs, slabs, free_slabs, cached;
	unsigned long objs, pages, fallback;	/* by slab size */
};

static void slab_check_fail(struct slab_check *c, const char *what, struct slab *slabp)
{
	if (!c->err++)
		kmm_report(c->s->k, "check_slab_invariants: cache %s: %s (slab at pfn %#lx)\n",
			   c->s->name, what, slabp ? page_to_pfn(slabp->page) : 0ul);
}

static void check_one_slab(struct slab_check *c, struct slab *slabp, int kind)
{
	struct kmem_cache *s = c->s;
	kmem_bufctl_t *bufctl = slab_bufctl(slabp);
	unsigned int i, chain = 0, idx, active = 0, cached = 0;

	unsigned int num = slabp->num;

	if (!PageSlab(slabp->page) || slabp->page->slab != slabp ||
	    slabp->page->slab_cache != s || slabp->page->index != (pgoff_t)slabp->s_mem)
		return slab_check_fail(c, "page does not point back to its slab", slabp);
	for (i = 0; i < 1u << slabp->order; i++)
		if (READ_ONCE(s->slab_map[page_to_pfn(slabp->page) + i]) != slab_map_entry(s, slabp))
			return slab_check_fail(c, "slab map entry does not name the slab", slabp);
	if (!((slabp->order == s->gfporder && num == s->num) ||
	      (slabp->order == s->min_order && num == s->min_num)) ||
	    compound_order(slabp->page) != slabp->order ||
	    (char *)slabp->s_mem + (size_t)num * s->size >
	    (char *)page_address(slabp->page) + (PAGE_SIZE << slabp->order))
		return slab_check_fail(c, "slab size is neither the preferred nor the minimum", slabp);
	for (idx = slabp->free; idx != BUFCTL_END && chain <= num; idx = bufctl[idx], chain++)
		if (idx >= num)
			return slab_check_fail(c, "free chain leaves the slab", slabp);
	if (chain > num)
		return slab_check_fail(c, "free chain loops", slabp);
	if (marker_guard(s))
		for (idx = slabp->free; idx != BUFCTL_END; idx = bufctl[idx])
			if (!has_free_marker(s, index_to_obj(s, slabp, idx)))
				return slab_check_fail(c, "free object without the free marker "
						       "(written after its free?)", slabp);
	for (i = 0; i < num; i++) {
		active += bufctl[i] == BUFCTL_ACTIVE;
		cached += bufctl[i] == BUFCTL_CACHED;
	}
	if (chain + active + cached != num || num - chain != slabp->inuse)
		return slab_check_fail(c, "inuse disagrees with the free chain", slabp);
	if ((kind == 0 && slabp->inuse) || (kind == 1 && (!slabp->inuse || slabp->inuse == num)) ||
	    (kind == 2 && slabp->inuse != num))
		return slab_check_fail(c, "slab on the wrong list", slabp);
	c->objs += num;
	c->pages += 1ul << slabp->order;
	c->fallback += slabp->order != s->gfporder;
	c->free_objs += chain;
	c->cached += cached;
	c->slabs++;
	c->free_slabs += kind == 0;
}

int check_slab_invariants(struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	struct slab_check c = { .s = s };
	struct list_head *lists[3] = { &n->slabs_free, &n->slabs_partial, &n->slabs_full };
	unsigned long arrays = 0;
	unsigned int cpu;
	struct slab *slabp;
	int kind;

	if (cache_handle_bad(s, "check_slab_invariants"))
		return -1;
	for (cpu = 0; cpu < s->k->nr_cpus; cpu++)
		local_lock_remote(&s->cpu_cache[cpu]->ll);
	pthread_mutex_lock(&n->list_lock);
	for (kind = 0; kind < 3; kind++)
		list_for_each_entry(slabp, lists[kind], list)
			check_one_slab(&c, slabp, kind);
	if (c.slabs != n->total_slabs || c.free_slabs != n->free_slabs)
		slab_check_fail(&c, "slab counters disagree with the lists", NULL);
	if (c.free_objs != n->free_objects)
		slab_check_fail(&c, "free_objects disagrees with the free chains", NULL);
	if (c.objs != n->total_objects || c.pages != n->total_pages ||
	    c.fallback != s->nr_fallback_slabs)
		slab_check_fail(&c, "object, page or fallback counts disagree with the slabs", NULL);
	for (cpu = 0; cpu <= s->k->nr_cpus; cpu++) {
		struct array_cache *ac = cpu < s->k->nr_cpus ? s->cpu_cache[cpu] : n->shared;
		unsigned int i;

		for (i = 0; ac && i < ac->avail; i++)
			if (marker_guard(s) && !has_free_marker(s, ac->entry[i]))
				slab_check_fail(&c, "object in an array without the free marker", NULL);
		arrays += ac ? ac->avail : 0;
	}
	/* BUFCTL_CACHED: in an array; for free-marker caches, or in use. */
	if (marker_guard(s) ? arrays > c.cached : arrays != c.cached)
		slab_check_fail(&c, "objects in arrays disagree with BUFCTL_CACHED marks", NULL);
	pthread_mutex_unlock(&n->list_lock);
	for (cpu = 0; cpu < s->k->nr_cpus; cpu++)
		local_unlock_remote(&s->cpu_cache[cpu]->ll);
	return c.err ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Bootstrap                                                           */
/* ------------------------------------------------------------------ */

/*
 * The chicken and the egg: cache descriptors are objects of the
 * "kmem_cache" cache, whose own descriptor cannot come from itself.  It
 * is the boot descriptor, set up by hand (Linux's kmem_cache_boot); every
 * other descriptor, starting with the kmalloc caches', is allocated from
 * it.  On failure, what was set up stays reachable from k->slab, and
 * kmem_cache_exit (which the failed boot calls) takes it all down.
 */
int kmem_cache_init(struct kmm *k)
{
	struct kmm_slab *ks = calloc(1, sizeof(*ks));
	struct kmem_cache *boot;
	unsigned int i;

	if (!ks)
		return -ENOMEM;
	k->mem->slab = ks;
	INIT_LIST_HEAD(&ks->slab_caches);
	INIT_LIST_HEAD(&ks->dead_caches);
	pthread_mutex_init(&ks->slab_mutex, NULL);
	ks->debug_all = k->cfg.slab_debug;
	ks->slab_state = DOWN;
	ks->map_pfns = k->mem->max_possible_pfn;
	ks->slab_map = calloc(ks->map_pfns, sizeof(*ks->slab_map));
	if (!ks->slab_map)
		return -ENOMEM;
	boot = calloc(1, sizeof(*boot));
	if (!boot)
		return -ENOMEM;
	ks->kmem_cache = boot;
	if (setup_cache(k, boot, "kmem_cache", sizeof(struct kmem_cache), 0,
			SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_NO_MERGE, NULL))
		return -ENOMEM;
	cache_set_live(boot);
	list_add(&boot->list, &ks->slab_caches);
	ks->slab_state = PARTIAL;
	if (create_kmalloc_caches(k))
		return -ENOMEM;
	ks->map_base = (uintptr_t)k->hw->ram.direct_map;
	for (i = 1; i <= KMALLOC_FAST_MAX / 8; i++)
		ks->kmalloc_by_size[i] = kmalloc_slab(k, i * 8, 0);
	ks->slab_state = FULL;
	return register_slab_shrinker(k);
}

void kmem_cache_exit(struct kmm *k)
{
	struct kmm_slab *ks = k->mem->slab;

	if (!ks)
		return;
	/* Everything else (slabs, arrays, every other descriptor) lives in
	 * the machine's RAM and goes with it. */
	shrinker_free(ks->shrinker);
	free(ks->kmem_cache);
	free(ks->slab_map);
	free(ks);
	k->mem->slab = NULL;
}
