/*
 * include/kmm/mm.h - pages and addresses: pfn/page/address conversions,
 * page reference counts, and the allocator entry points that are not in
 * gfp.h.
 *
 * Addresses.  Simulated RAM is a memfd mapped once into this process: the
 * direct map.  A pointer the library hands out (page_address, kmalloc, ...)
 * is the host address of that byte, so it can be used directly.  The
 * simulated kernel address of the same byte is PAGE_OFFSET + phys, as on
 * x86-64 Linux; virt_to_phys() accepts either form, since host pointers
 * are always below 0x800000000000 and kernel addresses above it.
 */
#ifndef KMM_MM_H
#define KMM_MM_H

#include <kmm/compiler.h>
#include <kmm/gfp.h>
#include <kmm/mm_types.h>
#include <kmm/mmzone.h>
#include <kmm/page-flags.h>
#include <kmm/mmdebug.h>

#define PAGE_OFFSET		0xffff888000000000ul	/* simulated direct map */
#define VMEMMAP_START		0xffffea0000000000ul	/* simulated struct pages */
#define TASK_SIZE_MAX		0x00007ffffffff000ul

/* Set at boot (and by kmm_switch) to the current machine's mappings. */
extern struct page *kmm_vmemmap;
extern char *kmm_direct_map;
extern unsigned long kmm_max_pfn;

#define pfn_to_page(pfn)	(kmm_vmemmap + (pfn))
#define page_to_pfn(page)	((unsigned long)((page) - kmm_vmemmap))
#define page_to_phys(page)	PFN_PHYS(page_to_pfn(page))
#define phys_to_page(phys)	pfn_to_page(PHYS_PFN(phys))

/* True if pfn has a struct page (RAM or a hole inside a present section). */
bool pfn_valid(unsigned long pfn);

static inline void *page_address(const struct page *page)
{
	return kmm_direct_map + (page_to_pfn(page) << PAGE_SHIFT);
}

static inline phys_addr_t virt_to_phys(const volatile void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (a >= PAGE_OFFSET)
		return a - PAGE_OFFSET;
	return (phys_addr_t)((const char *)addr - kmm_direct_map);
}

static inline void *phys_to_virt(phys_addr_t phys)
{
	return kmm_direct_map + phys;
}

#define __pa(x)			virt_to_phys((const void *)(x))
#define __va(x)			phys_to_virt((phys_addr_t)(x))
#define virt_to_page(addr)	pfn_to_page(PHYS_PFN(virt_to_phys(addr)))
#define virt_to_pfn(addr)	PHYS_PFN(virt_to_phys(addr))

/* The host window mirroring vmalloc space (mm/vmalloc.c). */
extern char *kmm_vmalloc_window;
extern unsigned long kmm_vmalloc_window_size;

/* Host pointer -> simulated kernel address (what /proc and scripts show):
 * the direct map, or vmalloc space for a vmalloc/vmap/ioremap pointer. */
static inline unsigned long kmm_kaddr(const void *host)
{
	const char *h = (const char *)host;

	if (h >= kmm_vmalloc_window && h < kmm_vmalloc_window + kmm_vmalloc_window_size)
		return 0xffffc90000000000ul + (unsigned long)(h - kmm_vmalloc_window);
	return PAGE_OFFSET + virt_to_phys(host);
}

/* True if addr (host or kernel form) lies in the direct map of RAM. */
bool virt_addr_valid(const volatile void *addr);

/* Reference counts (atomic). */
static inline int page_ref_count(const struct page *page)
{
	return __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
}

static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

static inline void set_page_count(struct page *page, int v)
{
	__atomic_store_n(&page->_refcount, v, __ATOMIC_RELAXED);
}

static inline void page_ref_inc(struct page *page)
{
	__atomic_fetch_add(&page->_refcount, 1, __ATOMIC_RELAXED);
}

/* Returns true when the count dropped to zero. */
static inline bool page_ref_dec_and_test(struct page *page)
{
	return __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL) == 0;
}

static inline int page_mapcount(const struct page *page)
{
	return page->_mapcount + 1;
}

static inline int page_zonenum(const struct page *page)
{
	return (page->flags >> ZONES_PGSHIFT) & ZONES_MASK;
}

struct zone *page_zone(const struct page *page);

void get_page(struct page *page);
/* Drops a reference; the last one frees the page (or compound page). */
void put_page(struct page *page);
/* Takes a reference unless the count is zero; returns whether it did. */
bool get_page_unless_zero(struct page *page);

unsigned long nr_free_pages(void);
unsigned long totalram_pages(void);

/* Machine-explicit variants (the kernel-named calls use the current one). */
struct kmm;
struct page *__alloc_pages(struct kmm *k, gfp_t gfp, unsigned int order);
void __free_pages_kmm(struct kmm *k, struct page *page, unsigned int order);

#endif /* KMM_MM_H */
