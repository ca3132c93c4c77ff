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
 * Reclaim hook: where Linux would run direct reclaim and compaction.  Until
 * the reclaim subsystem exists it reclaims nothing and returns 0 (pages
 * freed).  It is a pointer so that subsystem can plug in without touching
 * the allocator.
 */
typedef unsigned long (*kmm_reclaim_fn)(struct kmm *k, gfp_t gfp,
					unsigned int order);
extern kmm_reclaim_fn kmm_direct_reclaim_hook;

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
