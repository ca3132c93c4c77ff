/*
 * include/kmm/gfp.h - "get free pages" flags: which zone an allocation may
 * come from, how hard the allocator may try, and what the caller wants done
 * to the pages.  Names and meanings follow Linux 6.x include/linux/gfp_types.h;
 * the bit values are kmm's own (they are not visible to programs).
 */
#ifndef KMM_GFP_H
#define KMM_GFP_H

typedef unsigned int gfp_t;

/* Zone modifiers: at most one of DMA/DMA32/HIGHMEM, optionally MOVABLE. */
#define __GFP_DMA		0x01u
#define __GFP_HIGHMEM		0x02u
#define __GFP_DMA32		0x04u
#define __GFP_MOVABLE		0x08u	/* also a mobility hint */
#define GFP_ZONEMASK		(__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)

/* Mobility: picks the migratetype free list. */
#define __GFP_RECLAIMABLE	0x10u
#define GFP_MOVABLE_MASK	(__GFP_RECLAIMABLE | __GFP_MOVABLE)
#define GFP_MOVABLE_SHIFT	3

/* Watermark and reserve access. */
#define __GFP_HIGH		0x20u	/* high priority: may use part of the min reserve */
#define __GFP_MEMALLOC		0x40u	/* may use all reserves (reclaim paths only) */
#define __GFP_NOMEMALLOC	0x80u	/* never use the emergency reserves */

/* Reclaim modifiers. */
#define __GFP_IO		0x100u
#define __GFP_FS		0x200u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_RETRY_MAYFAIL	0x1000u
#define __GFP_NOFAIL		0x2000u
#define __GFP_NORETRY		0x4000u

/* Action modifiers. */
#define __GFP_NOWARN		0x8000u
#define __GFP_COMP		0x10000u
#define __GFP_ZERO		0x20000u
#define __GFP_HARDWALL		0x40000u
#define __GFP_THISNODE		0x80000u
#define __GFP_ACCOUNT		0x100000u
#define __GFP_WRITE		0x200000u

#define __GFP_BITS_SHIFT	22
#define __GFP_BITS_MASK		((gfp_t)((1u << __GFP_BITS_SHIFT) - 1))

/* The combinations callers use. */
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER		(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA			__GFP_DMA
#define GFP_DMA32		__GFP_DMA32
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_TRANSHUGE_LIGHT	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | \
				  __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE		(GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

static inline int gfpflags_allow_blocking(gfp_t gfp)
{
	return !!(gfp & __GFP_DIRECT_RECLAIM);
}

struct page;

struct page *alloc_pages(gfp_t gfp, unsigned int order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
void __free_pages(struct page *page, unsigned int order);
#define __free_page(page) __free_pages((page), 0)
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr) free_pages((addr), 0)
/* Makes a non-compound 2^order block into independent order-0 pages. */
void split_page(struct page *page, unsigned int order);
void *alloc_pages_exact(size_t size, gfp_t gfp);
void free_pages_exact(void *virt, size_t size);

/* Give every per-CPU page list back to the buddy lists (NULL: all zones). */
struct zone;
void drain_all_pages(struct zone *zone);

/*
 * Parses "GFP_KERNEL|__GFP_ZERO" style names into *gfp.  Returns 0, or -1
 * with the offending name copied into bad (if given); an empty name (a
 * '|' at either end, "||", or nothing at all) is refused with bad "".
 */
int gfp_parse(const char *s, gfp_t *gfp, char *bad, unsigned long badlen);
/* Prints flags as Linux's %pGg does: "GFP_KERNEL|__GFP_ZERO". */
int gfp_format(gfp_t gfp, char *buf, unsigned long len);

#endif /* KMM_GFP_H */
