/*
 * mm/internal.h - what mm/ files share and nobody else sees: memblock,
 * sections, and the allocators' internal helpers.  Memory management's
 * part of the machine is in mm/machine.h.
 *
 * Design in one paragraph.  kmm_boot() builds a machine the way a PC boots
 * Linux: an e820-like map of usable RAM goes into memblock; memblock hands
 * out the boot-time metadata (the struct page array of every present
 * section, the pageblock bitmap); zones are sized from the map; every
 * struct page is initialised reserved, and then everything memblock did not
 * reserve is freed into the buddy allocator (memblock_free_all).  From then
 * on all memory comes from mm/page_alloc.c.
 */
#ifndef KMM_MM_INTERNAL_H
#define KMM_MM_INTERNAL_H

#include <kmm/mman.h>
#include "mm/machine.h"
#include "hw/machine.h"
#include "base/printk.h"
#include "base/smp.h"

/* mm/util.c */
void mm_util_init(struct kmm *k);
unsigned long int_sqrt(unsigned long x);
/* mm/oom_kill.c: the knobs' defaults and the OOM killer's state. */
void oom_init(struct kmm *k);
/* mm/show_mem.c: the zones' free and watermark lines of a report (the
 * length written), and the whole Mem-Info report. */
size_t show_zones(struct kmm *k, char *buf, size_t len);
void __show_mem(struct kmm *k);
struct inode;
/* mm/page-writeback.c: the dirty knobs' defaults and the flusher. */
void page_writeback_init(struct kmm *k);
/* The inode's first dirty page: it joins the flusher's list (I_DIRTY_PAGES). */
void __mark_inode_dirty(struct inode *inode);
/* The inode leaves the flusher's list (its pages are gone). */
void inode_io_list_del(struct inode *inode);
/*
 * Linux's writeback_control: what one pass over a mapping may do
 * (mm/page-writeback.c), or how one page is written (swap_writepage).
 */
struct writeback_control {
	long nr_to_write;		/* pages still allowed; each one written counts */
	pgoff_t first, last;		/* the range, in pages */
	bool range_cyclic;		/* from writeback_index on, wrapping (the flusher) */
	bool sync_all;			/* WB_SYNC_ALL (fsync, sync): what is dirty when the
					 * pass starts, tagged TOWRITE first; the caller
					 * waits for each write */
};
/* mm/filemap.c: a page whose write failed is dirty again, not newly dirtied. */
void folio_redirty_for_writepage(struct page *page);
/* Charges pages if the policy lets them in (0), else -ENOMEM, uncharged. */
int __vm_enough_memory(struct kmm *k, unsigned long mm_total_vm, long pages,
		       bool cap_sys_admin);

/*
 * Per-CPU event counters: the owner bumps its row with a plain load and
 * store (no locked instruction); CPU-less threads add atomically to the
 * spare row.
 */
static inline void __count_vm_events(struct kmm *k, int cpu,
				     enum vm_event_item item, long delta)
{
	unsigned long *p;

	if (likely(cpu >= 0)) {
		p = &k->mem->vm_events[cpu].event[item];
		WRITE_ONCE(*p, READ_ONCE(*p) + delta);
	} else {
		__atomic_fetch_add(&k->mem->vm_events[k->nr_cpus].event[item], delta,
				   __ATOMIC_RELAXED);
	}
}

/* A node counter (NR_FILE_PAGES, NR_DIRTY, ...) moves by delta. */
static inline void mod_node_page_state(struct kmm *k, enum node_stat_item item, long delta)
{
	__atomic_fetch_add(&k->mem->node.vm_stat[item], delta, __ATOMIC_RELAXED);
}

static inline void __mod_zone_page_state(struct zone *zone,
					 enum zone_stat_item item, long delta)
{
	__atomic_fetch_add(&zone->vm_stat[item], delta, __ATOMIC_RELAXED);
}


/* The highest zone an allocation with these flags may use. */
static inline enum zone_type gfp_zone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	/* No highmem on 64-bit: __GFP_HIGHMEM means "any zone". */
	return ZONE_NORMAL;
}

/* memblock.c */
int memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_reserve(struct memblock *mb, phys_addr_t base, phys_addr_t size);
phys_addr_t memblock_phys_alloc(struct memblock *mb, phys_addr_t size,
				phys_addr_t align);
bool memblock_is_memory(const struct memblock *mb, phys_addr_t addr);
bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr);
phys_addr_t memblock_phys_mem_size(const struct memblock *mb);
phys_addr_t memblock_end_of_DRAM(const struct memblock *mb);

/* pfn_valid without the call: the pfn has a struct page. */
static inline bool __pfn_valid(const struct kmm *k, unsigned long pfn)
{
	unsigned long nr = pfn >> PFN_SECTION_SHIFT;

	return nr < k->mem->nr_mem_sections && (k->mem->mem_section[nr].flags & SECTION_IS_PRESENT);
}

/* virt_addr_valid for a host pointer, inline: in the direct map, with a
 * struct page (as Linux's __virt_addr_valid on x86-64). */
static inline bool __virt_addr_valid(const struct kmm *k, const void *addr)
{
	unsigned long off = (unsigned long)((const char *)addr - k->hw->ram.direct_map);

	return (const char *)addr >= k->hw->ram.direct_map && off < k->hw->ram.size &&
	       __pfn_valid(k, off >> PAGE_SHIFT);
}

/* sparse.c */
int sparse_init(struct kmm *k);
int sparse_add_section(struct kmm *k, unsigned long section_nr,
		       phys_addr_t memmap_phys);
static inline unsigned long pfn_to_section_nr(unsigned long pfn)
{
	return pfn >> PFN_SECTION_SHIFT;
}

/* mm_init.c */
enum zone_type pfn_zone(struct kmm *k, unsigned long pfn);
void memmap_init_section(struct kmm *k, unsigned long nr);
void free_range(struct kmm *k, unsigned long start, unsigned long end);
void build_zonelists(struct kmm *k);
phys_addr_t hotplug_base(unsigned long mem);

/* pgtable.c */
int init_mem_mapping(struct kmm *k);
int map_direct_memory(struct kmm *k, phys_addr_t start, phys_addr_t end);
void unmap_direct_memory(struct kmm *k, phys_addr_t start, phys_addr_t end);

/* vmalloc.c */
int vmalloc_init(struct kmm *k);
/* mm/filemap.c: the radix_tree_node cache of the page cache's xarrays. */
int radix_tree_init(struct kmm *k);
void vmalloc_exit(struct kmm *k);
int check_vmalloc_invariants(void);
unsigned long kmm_vmalloc_mirror_size(void);

/* shrinker.c */
unsigned long __shrink_slab(struct kmm *k, gfp_t gfp, int priority);

/* memory_hotplug.c */
int __add_memory(struct kmm *k, unsigned long bytes);

/* page_alloc.c */
int page_alloc_init(struct kmm *k);
void page_alloc_exit(struct kmm *k);
void __free_pages_core(struct kmm *k, struct page *page, unsigned int order);
/* Frees a page whose count already dropped to zero (pcp or buddy). */
void free_frozen_pages(struct kmm *k, struct page *page, unsigned int order);
void setup_per_zone_wmarks(struct kmm *k);
void setup_per_zone_lowmem_reserve(struct kmm *k);
void init_per_zone_wmark_min(struct kmm *k);
void zone_pcp_init(struct kmm *k, struct zone *zone);
void zone_pcp_update(struct kmm *k, struct zone *zone);
/* pcp high_max: managed pages / this fraction, split over the CPUs. */
#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8
int zone_batchsize(const struct zone *zone);
int zone_highsize(struct kmm *k, const struct zone *zone, int batch, int high_fraction);
void set_pageblock_migratetype(struct kmm *k, unsigned long pfn, int mt);
unsigned long nr_free_buffer_pages(struct kmm *k);
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags);
void __drain_all_pages(struct kmm *k, struct zone *zone);
int __check_buddy_invariants(struct kmm *k);

/*
 * The LRU lists (mm/swap.c) and mlock's unevictable folios (mm/mlock.c):
 * folios join through per-CPU batches and move between the lists there.
 */
int lru_init(struct kmm *k);
void lru_exit(struct kmm *k);
void folio_add_lru(struct page *folio);
void folio_add_lru_vma(struct page *folio, struct vm_area_struct *v);
void folio_activate(struct page *folio);
void folio_mark_accessed(struct page *folio);
void folio_deactivate(struct page *folio);
void deactivate_file_folio(struct page *folio);
void folio_rotate_reclaimable(struct page *folio);
void lru_add_drain(void);
void lru_add_drain_all(struct kmm *k);
bool folio_evictable(const struct page *folio);
int check_lru_invariants(struct kmm *k);
void mlock_folio(struct page *folio);
void mlock_new_folio(struct page *folio);
void munlock_folio(struct page *folio);

/*
 * Reclaim (mm/vmscan.c): kswapd woken by the allocator below a low
 * watermark, direct reclaim in its slow path.  A reclaiming thread's own
 * allocations do not reclaim (current_is_reclaimer, Linux's PF_MEMALLOC).
 */
void kswapd_init(struct kmm *k);
void wakeup_kswapd(struct kmm *k, struct zone *zone, gfp_t gfp, int order,
		   enum zone_type highest_zoneidx);
unsigned long try_to_free_pages(struct kmm *k, gfp_t gfp, int order);
bool current_is_reclaimer(void);
bool folio_isolate_lru(struct page *folio);
void folio_putback_lru(struct page *folio);
unsigned long reclaim_pages(struct list_head *list);
/* Free swap slots and all usable ones (mm/swapfile.c). */
long get_nr_swap_pages(struct kmm *k);
long get_total_swap_pages(struct kmm *k);

/*
 * mm/workingset.c: shadow entries left by eviction, refault distance,
 * the shadow-node tracker every page-cache store tells.
 */
int workingset_init(struct kmm *k);
void workingset_exit(struct kmm *k);
void workingset_age_nonresident(struct kmm *k, unsigned long nr_pages);
void *workingset_eviction(struct page *folio);
bool workingset_test_recent(const void *shadow, bool file, bool *workingset);
void workingset_refault(struct page *folio, const void *shadow);
void workingset_activation(struct page *folio);
struct xa_node;
void workingset_update_node(struct xa_node *node);

/* mm/memory.c: the PTE at addr in v maps folio; it goes (try_to_unmap_one). */
void unmap_folio_pte(struct vm_area_struct *v, unsigned long addr, struct page *folio);
/* mm/filemap.c: a clean, isolated, unmapped folio leaves its cache if no
 * one else holds it (__remove_mapping); its buffers may go first. */
bool remove_mapping(struct address_space *as, struct page *folio);
bool filemap_release_folio(struct page *folio);

/*
 * fail_page_alloc.c, failslab.c: whether to fail this allocation.  Called
 * only while fault_inject_armed(), so the fast paths pay one test.  Init
 * sets Linux's defaults; setup applies the boot options once the machine
 * is up (boot itself is not failed by them); exit disarms.  Knobs by
 * their debugfs file names: 0, -ENOENT or -EINVAL.
 */
bool should_fail_alloc_page(struct kmm *k, gfp_t gfp, unsigned int order);
void fail_page_alloc_init(struct kmm *k);
void fail_page_alloc_setup(struct kmm *k);
void fail_page_alloc_exit(struct kmm *k);
struct kmem_cache;
bool should_failslab(struct kmem_cache *s, gfp_t gfp);
void failslab_init(struct kmm *k);
void failslab_setup(struct kmm *k);
void failslab_exit(struct kmm *k);

/* debug.c */
/* kernel/panic.c: reports "Kernel panic - not syncing: ..." and marks k
 * panicked; it returns (a library never halts its host). */
__printf(2, 3) void panic(struct kmm *k, const char *fmt, ...);
void bad_page(struct kmm *k, struct page *page, const char *reason);
void dump_page(struct kmm *k, struct page *page, const char *reason,
	       char *buf, size_t len);

/* vmstat.c */

#endif /* KMM_MM_INTERNAL_H */
