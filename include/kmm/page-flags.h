/*
 * include/kmm/page-flags.h - the page->flags bits and the page types, with
 * Linux's PageXxx()/SetPageXxx()/ClearPageXxx() accessors.
 *
 * flags layout (64 bits):
 *   bits  0..23  PG_* flags below
 *   bits 48..51  kmm: order + 1 of the block this head page was allocated as
 *                (0: not recorded) - lets __free_pages catch a wrong order
 *   bits 60..62  zone number (ZONES_PGSHIFT), as Linux keeps it in flags
 */
#ifndef KMM_PAGE_FLAGS_H
#define KMM_PAGE_FLAGS_H

#include <kmm/compiler.h>
#include <kmm/mm_types.h>

enum pageflags {
	PG_locked,
	PG_writeback,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,
	PG_waiters,
	PG_active,
	PG_workingset,
	PG_owner_priv_1,
	PG_owner_2,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	PG_slab,
	PG_hwpoison,
	PG_anon_exclusive,	/* an anonymous page only this PTE may write */
	NR_PAGEFLAGS,
	/* A page-cache folio where the next async readahead starts (its own
	 * bit in Linux too is PG_reclaim's: reclaim never marks cache folios
	 * that readahead has just read, and writeback excludes it). */
	PG_readahead = PG_reclaim,
	/* A swap-backed page in the swap cache (Linux's PG_swapcache, the
	 * owner's bit of swap-backed pages). */
	PG_swapcache = PG_owner_priv_1,
};

#define PAGE_ALLOC_ORDER_SHIFT	48
#define PAGE_ALLOC_ORDER_MASK	(0xful << PAGE_ALLOC_ORDER_SHIFT)
#define ZONES_PGSHIFT		60
#define ZONES_MASK		0x7ul

/* Flags that must be clear when a page is freed (Linux's check at free). */
#define PAGE_FLAGS_CHECK_AT_FREE                                               \
	(1ul << PG_lru | 1ul << PG_locked | 1ul << PG_private |                \
	 1ul << PG_private_2 | 1ul << PG_writeback | 1ul << PG_reserved |     \
	 1ul << PG_slab | 1ul << PG_active | 1ul << PG_unevictable |          \
	 1ul << PG_mlocked)
/* Flags that must be clear when a page leaves the allocator. */
#define PAGE_FLAGS_CHECK_AT_PREP ((1ul << NR_PAGEFLAGS) - 1)

#define PAGEFLAG_OPS(name, bit)                                                \
	static inline bool Page##name(const struct page *p)                   \
	{                                                                     \
		return (READ_ONCE(p->flags) >> (bit)) & 1;                    \
	}                                                                     \
	static inline void SetPage##name(struct page *p)                      \
	{                                                                     \
		__atomic_fetch_or(&p->flags, 1ul << (bit), __ATOMIC_RELAXED); \
	}                                                                     \
	static inline void ClearPage##name(struct page *p)                    \
	{                                                                     \
		__atomic_fetch_and(&p->flags, ~(1ul << (bit)),                \
				   __ATOMIC_RELAXED);                         \
	}                                                                     \
	static inline void __SetPage##name(struct page *p)                    \
	{                                                                     \
		p->flags |= 1ul << (bit);                                     \
	}                                                                     \
	static inline void __ClearPage##name(struct page *p)                  \
	{                                                                     \
		p->flags &= ~(1ul << (bit));                                  \
	}                                                                     \
	static inline bool TestSetPage##name(struct page *p)                  \
	{                                                                     \
		return (__atomic_fetch_or(&p->flags, 1ul << (bit),            \
					  __ATOMIC_RELAXED) >> (bit)) & 1;    \
	}                                                                     \
	static inline bool TestClearPage##name(struct page *p)                \
	{                                                                     \
		return (__atomic_fetch_and(&p->flags, ~(1ul << (bit)),        \
					   __ATOMIC_RELAXED) >> (bit)) & 1;   \
	}

PAGEFLAG_OPS(Locked, PG_locked)
PAGEFLAG_OPS(Writeback, PG_writeback)
PAGEFLAG_OPS(Referenced, PG_referenced)
PAGEFLAG_OPS(Uptodate, PG_uptodate)
PAGEFLAG_OPS(AnonExclusive, PG_anon_exclusive)
PAGEFLAG_OPS(Dirty, PG_dirty)
PAGEFLAG_OPS(LRU, PG_lru)
PAGEFLAG_OPS(Head, PG_head)
PAGEFLAG_OPS(Active, PG_active)
PAGEFLAG_OPS(Workingset, PG_workingset)
PAGEFLAG_OPS(SwapCache, PG_swapcache)
PAGEFLAG_OPS(Reserved, PG_reserved)
PAGEFLAG_OPS(Private, PG_private)
PAGEFLAG_OPS(Reclaim, PG_reclaim)
PAGEFLAG_OPS(Readahead, PG_readahead)
PAGEFLAG_OPS(SwapBacked, PG_swapbacked)
PAGEFLAG_OPS(Unevictable, PG_unevictable)
PAGEFLAG_OPS(Mlocked, PG_mlocked)
PAGEFLAG_OPS(Slab, PG_slab)
PAGEFLAG_OPS(HWPoison, PG_hwpoison)

/*
 * Page types live in the top byte of page_type, which shares its word with
 * _mapcount: a typed page is never mapped, and an untyped, unmapped page
 * reads -1 (UINT_MAX) there, as in Linux 6.12+.
 *
 * The word is read without its owner's lock by design: the buddy
 * allocator, merging a freed block under zone->lock, asks whether the
 * neighbouring block is a free buddy (find_buddy) while that neighbour
 * may be in use by another thread that is just making it a page table or
 * changing its mapcount.  That is benign, as in Linux: a page becomes or
 * stops being PageBuddy only under zone->lock, which the asker holds, so
 * any other change leaves the answer "not a buddy".  The accesses are
 * single relaxed atomics (READ_ONCE/WRITE_ONCE) so the racing read is a
 * whole word, never a torn one, and TSan knows it is meant.
 */
enum pagetype {
	PGTY_buddy = 0xf0,
	PGTY_offline = 0xf1,
	PGTY_table = 0xf2,
	PGTY_guard = 0xf3,
	PGTY_large_kmalloc = 0xf4,
	PGTY_mapcount_underflow = 0xff,
};

/* A type's top byte is 0xf0..0xfe; a mapcount (-1 and up) is not one:
 * 0xffffffff unmapped, small numbers mapped. */
static inline bool page_has_type(const struct page *page)
{
	unsigned int top = READ_ONCE(page->page_type) >> 24;

	return top >= PGTY_buddy && top < PGTY_mapcount_underflow;
}

#define PAGE_TYPE_OPS(name, type)                                              \
	static inline bool Page##name(const struct page *p)                   \
	{                                                                     \
		return (READ_ONCE(p->page_type) >> 24) == (type);             \
	}                                                                     \
	static inline void __SetPage##name(struct page *p)                    \
	{                                                                     \
		WRITE_ONCE(p->page_type, (unsigned int)(type) << 24);         \
	}                                                                     \
	static inline void __ClearPage##name(struct page *p)                  \
	{                                                                     \
		WRITE_ONCE(p->page_type, ~0u);                                \
	}

PAGE_TYPE_OPS(Buddy, PGTY_buddy)
PAGE_TYPE_OPS(Offline, PGTY_offline)
PAGE_TYPE_OPS(Table, PGTY_table)
PAGE_TYPE_OPS(Guard, PGTY_guard)
PAGE_TYPE_OPS(LargeKmalloc, PGTY_large_kmalloc)

static inline bool PageTail(const struct page *page)
{
	return READ_ONCE(page->compound_head) & 1;
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

static inline struct page *compound_head(const struct page *page)
{
	unsigned long head = READ_ONCE(page->compound_head);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

static inline unsigned int compound_order(const struct page *page)
{
	if (!PageHead(page))
		return 0;
	return page[1].compound_order;
}

static inline unsigned long folio_nr_pages(const struct page *folio)
{
	return 1ul << compound_order(folio);
}

/* page->mapping of an anonymous page: its anon_vma with this bit set. */
#define PAGE_MAPPING_ANON	0x1ul

static inline bool PageAnon(const struct page *page)
{
	return (unsigned long)page->mapping & PAGE_MAPPING_ANON;
}

#endif /* KMM_PAGE_FLAGS_H */
