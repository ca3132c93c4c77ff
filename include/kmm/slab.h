/*
 * include/kmm/slab.h - object caches (kmem_cache_*) and kmalloc.
 *
 * The classic SLAB design: a cache hands out objects of one size carved
 * from slabs (2^order contiguous pages); each slab is on its cache's full,
 * partial or free list; per-CPU array caches make an alloc+free pair avoid
 * every lock.  kmalloc is a set of caches of fixed sizes.
 */
#ifndef KMM_SLAB_H
#define KMM_SLAB_H

#include <stddef.h>
#include <kmm/gfp.h>

typedef unsigned int slab_flags_t;

#define SLAB_CONSISTENCY_CHECKS	0x00000100u	/* thorough checks on free */
#define SLAB_RED_ZONE		0x00000400u	/* guard words around objects */
#define SLAB_POISON		0x00000800u	/* 0x6b when free, 0xa5 at the end */
#define SLAB_HWCACHE_ALIGN	0x00002000u	/* align objects to cache lines */
#define SLAB_CACHE_DMA		0x00004000u	/* slabs from ZONE_DMA */
#define SLAB_CACHE_DMA32	0x00008000u	/* slabs from ZONE_DMA32 */
#define SLAB_STORE_USER		0x00010000u	/* record who allocated and freed */
#define SLAB_PANIC		0x00040000u	/* abort if the cache cannot be made */
#define SLAB_TYPESAFE_BY_RCU	0x00080000u
#define SLAB_RECLAIM_ACCOUNT	0x00020000u	/* counted as SReclaimable */
#define SLAB_NO_MERGE		0x01000000u
#define SLAB_FAILSLAB		0x02000000u	/* failslab's cache-filter may fail it */

#define SLAB_DEBUG_FLAGS (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_CONSISTENCY_CHECKS)

/* What kmem_cache_create accepts (Linux's SLAB_FLAGS_PERMITTED): any other
 * bit makes it fail with a report, and return NULL. */
#define SLAB_FLAGS_PERMITTED (SLAB_DEBUG_FLAGS | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | \
			      SLAB_CACHE_DMA32 | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | \
			      SLAB_RECLAIM_ACCOUNT | SLAB_NO_MERGE | SLAB_FAILSLAB)

/* Poison bytes, as Linux's poison.h. */
#define POISON_INUSE	0x5a	/* allocated, not yet initialised */
#define POISON_FREE	0x6b	/* for use-after-free poisoning */
#define POISON_END	0xa5	/* end-byte of poisoning */
#define RED_INACTIVE	0x09F911029D74E35BULL	/* when obj is inactive */
#define RED_ACTIVE	0xD84156C5635688C0ULL	/* when obj is active */

#define ZERO_SIZE_PTR	((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

#define KMALLOC_MIN_SIZE	8
#define KMALLOC_SHIFT_HIGH	(12 + 1)		/* largest cached: 8 KiB */
#define KMALLOC_MAX_CACHE_SIZE	(1ul << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_SIZE	(4096ul << 10)		/* MAX_PAGE_ORDER pages */

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);
/* Returns the number of objects allocated (size, or 0 on failure). */
int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t size, void **p);
void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p);
/* Gives free slabs back to the page allocator; returns 0 if none remain. */
int kmem_cache_shrink(struct kmem_cache *s);
unsigned int kmem_cache_size(struct kmem_cache *s);
const char *kmem_cache_name(struct kmem_cache *s);
/* Looks a cache up by name on the current machine (for tools and scripts). */
struct kmem_cache *kmem_cache_find(const char *name);

/* Statistics of one cache, as /proc/slabinfo counts them. */
struct kmem_cache_info {
	unsigned long active_objs;	/* handed out to callers */
	unsigned long num_objs;		/* in all slabs, whatever their size */
	unsigned long active_slabs;	/* slabs with at least one object out */
	unsigned long num_slabs;
	unsigned long pages;		/* pages held by the slabs */
	unsigned long mgmt_bytes;	/* off-slab descriptors, in kmalloc objects
					 * (counted in that cache's pages too) */
	unsigned int objsize;		/* bytes per object, with debug padding */
	unsigned int objperslab;	/* of a slab of the preferred order */
	unsigned int pagesperslab;	/* 2^preferred order */
	unsigned int colours;		/* distinct colour offsets */
	unsigned int limit, batchcount, shared;
	unsigned long shared_avail;
	unsigned long cpu_avail;	/* objects waiting in per-CPU arrays */
	unsigned long order_fallback;	/* slabs made at the minimum order, when
					 * no block of the preferred one was free */
};
int kmem_cache_get_info(struct kmem_cache *s, struct kmem_cache_info *info);

/* Full consistency check of one cache (lists, counts, free indexes). */
int check_slab_invariants(struct kmem_cache *s);

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kmalloc_array(size_t n, size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void *krealloc(const void *p, size_t new_size, gfp_t gfp);
void kfree(const void *p);
size_t ksize(const void *p);
char *kstrdup(const char *s, gfp_t gfp);
char *kstrndup(const char *s, size_t max, gfp_t gfp);
void *kmemdup(const void *src, size_t len, gfp_t gfp);
void *kvmalloc(size_t size, gfp_t gfp);
void *kvzalloc(size_t size, gfp_t gfp);
void kvfree(const void *p);

#endif /* KMM_SLAB_H */
