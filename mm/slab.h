/*
 * mm/slab.h - the SLAB allocator's structures, shared by mm/slab.c,
 * mm/slab_common.c (kmalloc), mm/mempool.c and proc/slabinfo.c.
 *
 * A cache (struct kmem_cache) serves objects of one size.  Its memory is
 * slabs: 2^gfporder contiguous pages (a compound page), each holding `num`
 * objects of `size` bytes starting at s_mem, after a colour offset.  When
 * no block of that order is free, a slab of min_order (the smallest that
 * holds one object, SLUB's oo_min) is made instead, uncoloured, holding
 * min_num objects; so each slab records its own order and num.  The
 * slab descriptor (struct slab) and its index array (bufctl) sit at the
 * start of the slab for small objects, or in a kmalloc object ("off-slab")
 * for objects of 512 bytes and more.
 *
 * bufctl[i] says where object i is:
 *   0..num-1, BUFCTL_END  free in the slab: the next free index (a chain
 *                         starting at slab->free, as the classic SLAB)
 *   BUFCTL_CACHED         out of the chain: in a per-CPU or shared array,
 *                         or (free-marker caches) in a caller's hands
 *   BUFCTL_ACTIVE         in a caller's hands (bufctl-guard caches)
 *
 * Double frees are caught in O(1) on every free, two ways.  Most caches
 * use the free marker: a free object's first word is free_key ^ its
 * address (written when the slab is carved and at every free, cleared
 * when the object is handed out), so the fast paths never touch the
 * slab's descriptor; a free that finds the marker is confirmed against
 * the slab's chain and the arrays (object_is_free).  Caches whose free
 * objects must keep their contents (a constructor, SLAB_TYPESAFE_BY_RCU)
 * or are debugged (poison, red zones) use the bufctl marks instead
 * (CFLGS_BUFCTL_GUARD): ACTIVE at allocation, CACHED at free.
 *
 * The slab map (struct kmm_slab) gives the fast paths their checks: one
 * word per page frame (SLAB_MAP_*).  For an on-slab cache it names the
 * cache owning the slab there and the offset of object 0, so wrong-cache
 * and interior pointers are caught by arithmetic on one word of a small,
 * hot array, without the descriptor's line (on-slab descriptors sit at
 * page-aligned addresses, so they all fall into a few cache sets and miss).
 * For an off-slab cache (objects of 128 bytes and more) it points at the
 * slab's descriptor, which lives densely in a kmalloc slab: the fast
 * paths keep the bufctl marks there (ACTIVE at allocation, CACHED at
 * free) and never touch the object, so a free costs no read of a cold
 * object line.  The free marker is for on-slab caches only.
 *
 * Per cache: one node (kmem_cache_node) with the three slab lists under
 * list_lock and a shared array; one array_cache per simulated CPU, used
 * lock-free by the CPU's owner thread (base/smp.c).
 *
 * Lock order: slab_mutex (cache list), a CPU's array (local lock), then
 * the node's list_lock, then zone->lock (in the page allocator).
 */
#ifndef KMM_MM_SLAB_H
#define KMM_MM_SLAB_H

#include <kmm/slab.h>
#include <kmm/xarray.h>
#include <kmm/shrinker.h>
#include "mm/internal.h"

typedef unsigned short kmem_bufctl_t;
#define BUFCTL_END	((kmem_bufctl_t)0xffff)
#define BUFCTL_ACTIVE	((kmem_bufctl_t)0xfffe)
#define BUFCTL_CACHED	((kmem_bufctl_t)0xfffd)
#define SLAB_LIMIT	((unsigned int)0xfffc)	/* most objects per slab */

/* What no kmalloc may ask for: zones slab memory cannot be in, bits gfp_t
 * does not have.  kmalloc_fix_flags strips them, with a warning. */
#define GFP_SLAB_BUG_MASK	(__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

#define CFLGS_OFF_SLAB	0x80000000u	/* management kept off the slab */
#define CFLGS_PERMANENT	0x40000000u	/* kmalloc and internal caches: never destroyed */
#define CFLGS_BUFCTL_GUARD 0x20000000u	/* double frees caught by bufctl marks, not the marker */
#define SLAB_MAX_ORDER	3		/* unless one object needs more */
#define CACHE_LINE_SIZE	64
#define SLAB_OFF_SLAB_MIN 128		/* objects this big keep their management off-slab */
#define KMEM_CACHE_NAME_LEN 32

/*
 * On-slab, the descriptor is the first thing in the slab and the colour
 * offset comes after it, so a slab's descriptor is found from any object
 * address by masking (slabs are naturally aligned buddy blocks), without
 * touching struct page.
 */
struct slab {
	struct kmem_cache *cache;	/* its cache; NULL once destroyed */
	void *s_mem;			/* object 0 */
	unsigned short inuse;		/* objects out of the free chain */
	kmem_bufctl_t free;		/* first free index, or BUFCTL_END */
	unsigned short num;		/* objects: s->num, or s->min_num */
	unsigned char order;		/* s->gfporder, or s->min_order */
	struct list_head list;		/* on full, partial or free */
	unsigned long colouroff;	/* from the slab's start to s_mem */
	struct page *page;		/* the slab's head page */
};

static inline kmem_bufctl_t *slab_bufctl(struct slab *slabp)
{
	return (kmem_bufctl_t *)(slabp + 1);
}

struct array_cache {
	struct cpu_local_lock ll;	/* for per-CPU arrays; shared: ll.lock */
	unsigned int avail;		/* objects in entry[] */
	unsigned int limit;
	unsigned int batchcount;	/* moved at a time to/from the slabs */
	unsigned int touched;
	void *entry[];			/* LIFO: entry[avail - 1] is the hottest */
};

struct kmem_cache_node {
	pthread_mutex_t list_lock;
	struct list_head slabs_partial;	/* some objects free */
	struct list_head slabs_full;	/* no object free */
	struct list_head slabs_free;	/* every object free */
	unsigned long total_slabs;
	unsigned long free_slabs;
	unsigned long free_objects;	/* free in slabs (not in arrays) */
	unsigned long total_objects;	/* in all slabs, whatever their order */
	unsigned long total_pages;	/* held by all slabs */
	unsigned int free_limit;	/* keep at most this many free objects */
	unsigned int colour_next;	/* colour of the next slab */
	struct array_cache *shared;
};

/*
 * A live descriptor carries KMEM_CACHE_MAGIC; kmem_cache_destroy writes
 * KMEM_CACHE_DEAD.  Descriptors are objects of cache_cache, in RAM, so a
 * stale handle still points at readable memory: the public entry points
 * read the magic and report instead of following a dead cache's pointers.
 * Destroyed descriptors wait, poisoned, in a quarantine of
 * SLAB_DEAD_CACHES before going back to cache_cache, so that the next
 * kmem_cache_create does not hand the same address to a new cache at once.
 */
#define KMEM_CACHE_MAGIC	0x5ab1eca7u
#define KMEM_CACHE_DEAD		0xdeadcac7u
#define SLAB_DEAD_CACHES	16

/*
 * Slab map entries: the owning cache's address in the low 48 bits, the
 * offset of object 0 from the slab's start in the top 16 (FALLBACK for a
 * min_order slab, which the fast path leaves to struct page).  0: no slab.
 */
#define SLAB_MAP_CACHE_MASK	((1ul << 48) - 1)
#define SLAB_MAP_MEM_SHIFT	48
#define SLAB_MAP_FALLBACK	0xfffful
/* An off-slab cache's entry is its slab's descriptor, with this bit. */
#define SLAB_MAP_DESC		(1ul << 47)
#define SLAB_MAP_PTR_MASK	(SLAB_MAP_DESC - 1)

struct kmem_cache {
	/* The fast paths' fields first: one cache line. */
	struct array_cache **cpu_cache;	/* [nr_cpus] */
	unsigned int magic;		/* KMEM_CACHE_MAGIC while alive */
	unsigned int size;		/* stride between objects, with debug */
	unsigned int reciprocal_size;	/* for obj_to_index without division */
	slab_flags_t flags;
	unsigned int num;		/* objects per slab of gfporder */
	unsigned int slab_bytes;	/* PAGE_SIZE << gfporder: masks a slab's start */
	unsigned int fastpath;		/* KMEM_CACHE_MAGIC while alive and fast-path
					 * capable (cache_set_live): the fast paths' one test */
	unsigned int map_pfns;		/* frames the slab map covers from map_base */
	unsigned long *slab_map;	/* the machine's (struct kmm_slab), by pfn */
	uintptr_t map_base;		/* host address of pfn 0 (the direct map) */
	unsigned long free_key;		/* a free object's first word: free_key ^ address */
	unsigned long kmm_id;		/* s->k->id, for the CPU lookup without s->k */
	unsigned int batchcount;
	unsigned int limit;
	unsigned int shared;
	unsigned int nr_fallback_slabs;	/* live min_order slabs (node lock; read
					 * lock-free: 0 means every slab is
					 * gfporder, so masking finds them) */
	unsigned int gfporder;		/* the preferred order */
	unsigned int min_order;		/* oo_min: smallest order holding an object */
	unsigned int min_num;		/* objects per slab of min_order */
	unsigned int min_mgmt_size;	/* on-slab management of such a slab */
	unsigned long order_fallback;	/* min_order slabs made (SLUB's stat) */
	gfp_t allocflags;		/* __GFP_DMA, __GFP_RECLAIMABLE, ... */
	unsigned int colour;		/* number of colour offsets */
	unsigned int colour_off;	/* distance between them */
	unsigned int mgmt_size;		/* descriptor + bufctl bytes */
	struct kmem_cache *slabp_cache;	/* holds off-slab descriptors */
	void (*ctor)(void *obj);
	char name[KMEM_CACHE_NAME_LEN];
	struct list_head list;		/* on the machine's slab_caches */
	int refcount;
	unsigned int object_size;	/* what the creator asked for */
	unsigned int align;
	unsigned int obj_offset;	/* red zone before the object */
	struct kmem_cache_node node;
	void *arrays;			/* one block holding every array_cache */
	size_t arrays_size;
	struct kmm *k;
	unsigned long nr_reports;	/* bad frees and debug failures */
};

static inline void *index_to_obj(const struct kmem_cache *s, struct slab *slabp,
				 unsigned int idx)
{
	return (char *)slabp->s_mem + (size_t)s->size * idx;
}

/* The slot (start of the object's space) for a caller's pointer. */
static inline void *obj_to_slot(const struct kmem_cache *s, const void *obj)
{
	/* In integers: obj may be any pointer a caller passed to free. */
	return (void *)((uintptr_t)obj - s->obj_offset);
}

static inline void *slot_to_obj(const struct kmem_cache *s, void *slot)
{
	return (char *)slot + s->obj_offset;
}

static inline bool slab_debug(const struct kmem_cache *s)
{
	return s->flags & (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER);
}

/* ------------------------------------------------------------------ */
/* The fast paths, inline in kmem_cache_alloc/free and kmalloc/kfree   */
/* ------------------------------------------------------------------ */

/* On-slab caches whose free objects may hold the marker. */
static inline bool marker_guard(const struct kmem_cache *s)
{
	return !(s->flags & (CFLGS_BUFCTL_GUARD | CFLGS_OFF_SLAB));
}

/* What a free object's first word holds: not a value callers store. */
static inline unsigned long free_marker(const struct kmem_cache *s, const void *obj)
{
	return s->free_key ^ (uintptr_t)obj;
}

static inline bool has_free_marker(const struct kmem_cache *s, const void *obj)
{
	return READ_ONCE(*(const unsigned long *)obj) == free_marker(s, obj);
}

static inline void set_free_marker(const struct kmem_cache *s, void *obj)
{
	WRITE_ONCE(*(unsigned long *)obj, free_marker(s, obj));
}

/*
 * The free fast path's checks, from obj's slab map word e: obj is the start
 * of one of the objects of a slab of s at the preferred order.  False
 * sends the free to free_validate, which says what is wrong (or finds a
 * min_order slab right).
 */
static __always_inline bool free_fast_valid(const struct kmem_cache *s, const void *obj,
					    unsigned long e)
{
	uintptr_t base, d;
	unsigned long idx;

	if (unlikely((e & SLAB_MAP_CACHE_MASK) != (uintptr_t)s ||
		     (e >> SLAB_MAP_MEM_SHIFT) == SLAB_MAP_FALLBACK))
		return false;
	base = (uintptr_t)obj & ~((uintptr_t)s->slab_bytes - 1);
	d = (uintptr_t)obj - base - (e >> SLAB_MAP_MEM_SHIFT);
	idx = (d * s->reciprocal_size) >> 32;
	return idx < s->num && idx * s->size == d;
}

/*
 * An off-slab cache's object: its bufctl mark, through the slab map and
 * the descriptor (dense, in a kmalloc slab).  For objects the allocator
 * holds (popped from an array), so nothing is validated.
 */
static __always_inline kmem_bufctl_t *desc_bufctl(const struct kmem_cache *s, const void *obj)
{
	unsigned long e = READ_ONCE(s->slab_map[((uintptr_t)obj - s->map_base) >> PAGE_SHIFT]);
	struct slab *slabp = (struct slab *)(e & SLAB_MAP_PTR_MASK);
	uintptr_t d = (uintptr_t)obj - (uintptr_t)slabp->s_mem;

	return &slab_bufctl(slabp)[(d * s->reciprocal_size) >> 32];
}

/*
 * An off-slab cache's free, checked from its slab map word e and the descriptor:
 * a slab of s, exactly at an object, which is in a caller's hands.
 * Returns its bufctl mark, or NULL for the slow path to say what is wrong.
 */
static __always_inline kmem_bufctl_t *free_fast_desc(const struct kmem_cache *s, const void *obj,
						     unsigned long e)
{
	unsigned long idx;
	struct slab *slabp;
	uintptr_t d;

	if (unlikely(!(e & SLAB_MAP_DESC)))
		return NULL;
	slabp = (struct slab *)(e & SLAB_MAP_PTR_MASK);
	d = (uintptr_t)obj - (uintptr_t)slabp->s_mem;
	idx = (d * s->reciprocal_size) >> 32;
	if (unlikely(slabp->cache != s || idx >= slabp->num || idx * s->size != d ||
		     slab_bufctl(slabp)[idx] != BUFCTL_ACTIVE))
		return NULL;
	return &slab_bufctl(slabp)[idx];
}

/*
 * A per-CPU array's count is written only under its local lock, but
 * /proc/slabinfo sums every CPU's count without taking those locks
 * (kmem_cache_get_info): each store is one relaxed atomic (WRITE_ONCE) so
 * that reader sees a whole recent value, never a torn one.  The owner's
 * own reads stay plain.
 */
static inline void ac_set_avail(struct array_cache *ac, unsigned int avail)
{
	WRITE_ONCE(ac->avail, avail);
}

/*
 * The fast paths' CPU: this thread's CPU's array for s, if the thread has
 * a CPU of s's machine (base/smp.c); NULL sends the call to the slow path.
 */
static __always_inline struct array_cache *this_cpu_ac(const struct kmem_cache *s)
{
	const struct kmm_cpu_cache *c = &kmm_this_cpu_cache;

	if (likely(c->kmm_id == s->kmm_id && c->cpu >= 0))
		return s->cpu_cache[c->cpu];
	return NULL;
}

/*
 * The allocation fast path (Linux's ac->entry[--ac->avail]): a live
 * cache without debugging, no fault injection, no __GFP_ZERO, a CPU whose
 * array has an object.  The object becomes the caller's: its marker is
 * cleared (on-slab) or its bufctl marked ACTIVE (off-slab).  It makes no
 * call; NULL sends the caller to its slow path, which begins again.
 */
static __always_inline void *slab_alloc_fast(struct kmem_cache *s, gfp_t gfp)
{
	struct array_cache *ac;

	if (likely(s && s->fastpath == KMEM_CACHE_MAGIC && !(gfp & __GFP_ZERO) &&
		   !fault_inject_armed() && (ac = this_cpu_ac(s)) &&
		   local_try_enter(&ac->ll))) {
		unsigned int avail = ac->avail;

		if (likely(avail)) {
			void *obj = ac->entry[--avail];

			ac->touched = 1;
			ac_set_avail(ac, avail);
			/* Inside the section: check_slab_invariants and
			 * object_is_free read these marks holding every lock. */
			if (s->flags & CFLGS_OFF_SLAB)
				*desc_bufctl(s, obj) = BUFCTL_ACTIVE;
			else
				WRITE_ONCE(*(unsigned long *)obj, 0);	/* the caller's now */
			local_exit(&ac->ll, true);
			return obj;
		}
		local_exit(&ac->ll, true);
	}
	return NULL;
}

/*
 * The free fast path: a live cache without debugging, an object the slab
 * map places exactly and that is not free already (no free marker, or a
 * bufctl mark ACTIVE), and a CPU whose array has room.  False sends the
 * caller to its slow path, which checks and reports from the top.
 */
static __always_inline bool slab_free_fast_entry(struct kmem_cache *s, void *obj,
						 unsigned long e)
{
	kmem_bufctl_t *ctl = NULL;
	struct array_cache *ac;

	if (likely(s && s->fastpath == KMEM_CACHE_MAGIC &&
		   ((s->flags & CFLGS_OFF_SLAB) ? (ctl = free_fast_desc(s, obj, e)) != NULL :
		    free_fast_valid(s, obj, e) && !has_free_marker(s, obj)) &&
		   (ac = this_cpu_ac(s)) && local_try_enter(&ac->ll))) {
		unsigned int avail = ac->avail;

		if (likely(avail < ac->limit)) {
			if (ctl)
				*ctl = BUFCTL_CACHED;
			else
				set_free_marker(s, obj);
			ac->entry[avail] = obj;
			ac_set_avail(ac, avail + 1);
			local_exit(&ac->ll, true);
			return true;
		}
		local_exit(&ac->ll, true);
	}
	return false;
}

/* obj's slab map word: 0 (no slab) outside the map. */
static __always_inline unsigned long slab_map_word(const struct kmem_cache *s, const void *obj)
{
	uintptr_t off = ((uintptr_t)obj - s->map_base) >> PAGE_SHIFT;

	return likely(off < s->map_pfns) ? READ_ONCE(s->slab_map[off]) : 0;
}

static __always_inline bool slab_free_fast(struct kmem_cache *s, void *obj)
{
	if (unlikely(!obj || !s))
		return false;
	return slab_free_fast_entry(s, obj, slab_map_word(s, obj));
}

struct kmalloc_info_struct {
	const char *name;
	const char *name_dma;
	unsigned int size;
};

#define KMALLOC_FAST_MAX 1024		/* kmalloc sizes the fast path's table covers */
#define KMALLOC_NR_CACHES 14		/* index 0 unused; 1: 96, 2: 192, 3..13: 8..8k */
enum kmalloc_cache_type { KMALLOC_NORMAL, KMALLOC_DMA, NR_KMALLOC_TYPES };

struct kmm_slab {
	struct kmem_cache *kmem_cache;	/* cache_cache: holds descriptors */
	struct list_head slab_caches;
	struct list_head dead_caches;	/* destroyed, poisoned, oldest first */
	unsigned int nr_dead_caches;
	pthread_mutex_t slab_mutex;
	struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_NR_CACHES];
	struct kmem_cache *vm_area_cachep;	/* made on first use (mm/mmap.c) */
	struct kmem_cache *radix_tree_node_cachep;	/* the page cache's xarray nodes
							 * (mm/filemap.c), on first use */
	struct xa_node_ops xa_node_ops;		/* hands them to every address_space */
	int slab_state;			/* DOWN, PARTIAL, UP, FULL */
	int debug_all;			/* slab_debug: debug flags for every cache */
	unsigned long fix_flags_sites[16];	/* kmalloc callers warned about bad gfp */
	unsigned int nr_fix_flags_sites;	/* under slab_mutex */
	struct shrinker *shrinker;	/* gives free slabs to reclaim */
	unsigned long *slab_map;	/* [map_pfns]: SLAB_MAP_* entry of each frame */
	unsigned long map_pfns;		/* max_possible_pfn: hot-added RAM included */
	uintptr_t map_base;		/* host address of pfn 0 */
	/* kmalloc's size classes by (size + 7) / 8, for sizes up to
	 * KMALLOC_FAST_MAX: the fast path's table lookup. */
	struct kmem_cache *kmalloc_by_size[KMALLOC_FAST_MAX / 8 + 1];
};

/* The current machine's slab state when it is up (kmm_set_machine_globals):
 * kmalloc's and kfree's fast paths start from it. */
extern struct kmm_slab *kmm_slab_cur;

enum slab_state { DOWN, PARTIAL, UP, FULL };

extern const struct kmalloc_info_struct kmalloc_info[KMALLOC_NR_CACHES];

/* slab.c */
int kmem_cache_init(struct kmm *k);
void kmem_cache_exit(struct kmm *k);
struct kmem_cache *__kmem_cache_create(struct kmm *k, const char *name,
				       unsigned int size, unsigned int align,
				       slab_flags_t flags, void (*ctor)(void *));
void *__kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller);
void __kmem_cache_free(struct kmem_cache *s, void *obj, unsigned long caller);
void slab_report(struct kmem_cache *s, const void *obj, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool slab_object_in_use(struct kmm *k, const void *p);
/* The shrinker: empties every per-CPU array and frees every free slab. */
unsigned long kmm_slab_shrink_all(struct kmm *k);

/* slab_debug.c: red zones, poison and the owner track (slab_debug(s)) */
void slab_debug_init_object(struct kmem_cache *s, void *slot);
void slab_debug_alloc(struct kmem_cache *s, void *obj, unsigned long caller);
void slab_debug_free(struct kmem_cache *s, void *obj, unsigned long caller);
void slab_debug_check_slab(struct kmem_cache *s, struct slab *slabp);

/* slab_common.c */
gfp_t kmalloc_fix_flags(struct kmm *k, gfp_t gfp, unsigned long caller);
unsigned int kmalloc_index(size_t size);
struct kmem_cache *kmalloc_slab(struct kmm *k, size_t size, gfp_t gfp);
int create_kmalloc_caches(struct kmm *k);

#endif /* KMM_MM_SLAB_H */
