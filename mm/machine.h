/*
 * mm/machine.h - memory management's part of a machine (struct kmm's mem):
 * memblock and the sections, the node and its zones, the allocators'
 * state, the vm.* tunables and what they derive, the kernel's page table.
 * Layers above mm/ read it (the /proc views); mm/internal.h is mm/'s own.
 */
#ifndef KMM_MM_MACHINE_H
#define KMM_MM_MACHINE_H

#include <pthread.h>
#include <kmm/kmm.h>
#include <kmm/vmstat.h>
#include <kmm/pgtable.h>
#include <kmm/mman.h>
#include <kmm/timer.h>
#include "base/machine.h"
#include "base/ratelimit.h"
#include "base/fault-inject.h"
#include "base/option.h"
#include <kmm/swapops.h>

#define MEMBLOCK_MAX_REGIONS 64

struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
};

struct memblock_type {
	unsigned long cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];	/* sorted, merged */
	const char *name;
};

struct memblock {
	struct memblock_type memory;	/* usable RAM (the e820 RAM ranges) */
	struct memblock_type reserved;	/* taken at boot; never in the buddy */
};

#define SECTION_IS_PRESENT	0x1ul	/* has RAM and a memmap */
#define SECTION_IS_ONLINE	0x2ul	/* its pages are in a zone */

struct mem_section {
	unsigned long flags;
	phys_addr_t memmap_phys;	/* frames backing its struct pages */
};

struct kmm_slab;
struct kmm_vmalloc;
struct seq_buf;

/*
 * Fault injection's capabilities (mm/fail_page_alloc.c, mm/failslab.c):
 * the generic attribute and each one's filters, its debugfs knobs.  A
 * filter is applied before should_fail, so the calls it skips do not
 * count down fail-nth either.  Written while others allocate: relaxed
 * atomics (READ_ONCE/WRITE_ONCE).
 */
struct fail_page_alloc_attr {
	struct fault_attr attr;
	int ignore_gfp_highmem;		/* 1: __GFP_HIGHMEM (user pages) never fail */
	int ignore_gfp_reclaim;		/* ignore-gfp-wait, 1: __GFP_DIRECT_RECLAIM never fails */
	unsigned int min_order;		/* orders below never fail */
};

struct failslab_attr {
	struct fault_attr attr;
	int ignore_gfp_reclaim;		/* ignore-gfp-wait, 1: __GFP_DIRECT_RECLAIM never fails */
	int cache_filter;		/* 1: only caches made with SLAB_FAILSLAB fail */
};

/* One CPU's event counters, a cache line (or more) of its own. */
/*
 * The disk's flusher (Linux's bdi_writeback of sda, mm/page-writeback.c):
 * the inodes with dirty pages and the timer that wakes it.
 */
struct bdi_writeback {
	struct list_head b_dirty;	/* inodes by i_io_list, oldest dirtied_when first */
	struct timer_list dwork;	/* the next run of wb_workfn */
	unsigned long long last_old_flush;	/* when the periodic (kupdate) pass last ran */
	bool start_all;			/* WB_start_all: write every dirty page */
	bool dirty_exceeded;		/* a writer is above the hard limit */
	/* The writer's ratelimit (Linux's current->nr_dirtied and
	 * nr_dirtied_pause; the script is the one writer). */
	unsigned long nr_dirtied;
	unsigned long nr_dirtied_pause;
	unsigned long nr_throttled;	/* times a writer waited above the limit */
};

/*
 * Folios on their way to or between LRU lists, a CPU's batch of each kind
 * (Linux's cpu_fbatches): adding a page to the LRU takes a reference and
 * a slot here, and the lists see it only when the batch is drained (full,
 * lru_add_drain, or reclaim's lru_add_drain_all).  Each batch set has a
 * lock of its own, uncontended but for a remote drain.
 */
#define PAGEVEC_SIZE	31

struct folio_batch {
	unsigned int nr;
	struct page *folios[PAGEVEC_SIZE];
};

struct cpu_fbatches {
	pthread_mutex_t lock;
	struct folio_batch lru_add;
	struct folio_batch lru_activate;
	struct folio_batch lru_deactivate;
	struct folio_batch lru_deactivate_file;
	struct folio_batch lru_move_tail;
} __attribute__((aligned(64)));

struct swap_info_struct;

/* The cluster a CPU allocates swap from (Linux 6.15's percpu_swap_cluster). */
struct percpu_swap_cluster {
	struct swap_info_struct *si;	/* NULL: none yet */
	unsigned int offset;		/* the next slot to try there; 0: none */
};

struct vm_event_state {
	unsigned long event[NR_VM_EVENT_ITEMS];
} __attribute__((aligned(64)));

struct mm_machine {
	struct kmm *kmm;		/* the machine this is part of */
	struct memblock memblock;
	unsigned long max_pfn;		/* end of the highest RAM range */
	unsigned long max_possible_pfn;	/* hot-add limit */
	struct mem_section *mem_section;
	unsigned long nr_mem_sections;
	unsigned char *pageblock_mt;	/* migratetype per pageblock, by pfn */
	pg_data_t node;
	struct zone *fast_zone[MAX_NR_ZONES];	/* by gfp_zone: first zone to try */
	/* [nr_cpus + 1]; the last row, updated atomically, is for threads
	 * that run without a CPU */
	struct vm_event_state *vm_events;

	/* Tunables (sysctl names) and what they derive. */
	int min_free_kbytes;
	int user_min_free_kbytes;	/* -1: not set by the user */
	int watermark_scale_factor;
	int lowmem_reserve_ratio[MAX_NR_ZONES];
	unsigned long totalreserve_pages;
	unsigned long memblock_reserved_pages;
	unsigned long hotplug_added;	/* bytes hot-added so far */
	unsigned long vmemmap_pages;	/* hot-added memmap, on the memory itself */

	struct kmm_slab *slab;		/* slab caches and kmalloc (mm/slab.h) */
	pgd_t *swapper_pg_dir;		/* the kernel's page table */
	uint32_t *swapper_pg_dir32;	/* paging=2: the i386 view of lowmem */
	struct kmm_vmalloc *vmalloc;	/* vmalloc space (mm/vmalloc.c) */
	unsigned long direct_pages_count[3];	/* direct map leaves: 4K, 2M, 1G */
	bool pgtable_after_boot;	/* table pages now come from the buddy */
	struct list_head shrinker_list;	/* registered shrinkers */
	pthread_mutex_t shrinker_lock;
	unsigned long percpu_pages;	/* pages of per-CPU array caches */
	unsigned long nr_reports_bad_page;	/* bad_page() reports */
	unsigned long nr_reports_bad_free;	/* refused frees */
	bool nofail_may_wait;		/* another thread may free memory */
	struct fail_page_alloc_attr fail_page_alloc;	/* mm/fail_page_alloc.c */
	struct failslab_attr failslab;	/* mm/failslab.c */
	struct ratelimit_state nopage_rs;	/* warn_alloc: failures, stalls */
	struct ratelimit_state bad_order_rs;	/* orders above MAX_PAGE_ORDER */

	/* Overcommit (mm/util.c): vm.overcommit_* and what is committed. */
	int sysctl_overcommit_memory;	/* OVERCOMMIT_GUESS (0), _ALWAYS (1), _NEVER (2) */
	int sysctl_overcommit_ratio;	/* percent of RAM in CommitLimit (50) */
	unsigned long sysctl_overcommit_kbytes;	/* if set, instead of the ratio */
	unsigned long sysctl_user_reserve_kbytes;
	unsigned long sysctl_admin_reserve_kbytes;
	long vm_committed_as;		/* pages charged by VM_ACCOUNT vmas */

	int sysctl_max_map_count;	/* vm.max_map_count: VMAs per mm (65530) */

	/* Dirty page limits and the flusher (mm/page-writeback.c). */
	int vm_dirty_ratio;		/* vm.dirty_ratio: percent of dirtyable memory (20) */
	int dirty_background_ratio;	/* vm.dirty_background_ratio (10) */
	unsigned long vm_dirty_bytes;	/* vm.dirty_bytes: instead of the ratio if set */
	unsigned long dirty_background_bytes;
	int dirty_writeback_interval;	/* vm.dirty_writeback_centisecs (500; 0: never) */
	int dirty_expire_interval;	/* vm.dirty_expire_centisecs (3000) */
	int sysctl_drop_caches;		/* vm.drop_caches: the last value written */
	struct bdi_writeback wb;	/* sda's flusher */

	/* Reclaim (mm/swap.c, mm/vmscan.c). */
	struct cpu_fbatches *cpu_fbatches;	/* [nr_cpus + 1]: the last for CPU-less threads */
	int vm_swappiness;		/* vm.swappiness: anon vs file cost weight (60) */
	int vfs_cache_pressure;		/* vm.vfs_cache_pressure (100) */
	int watermark_boost_factor;	/* vm.watermark_boost_factor (15000: 150% of high) */
	pthread_mutex_t reclaim_lock;	/* one reclaimer walks page tables at a time */
	struct list_head shadow_nodes;	/* xarray leaves holding only shadows (workingset) */
	pthread_mutex_t shadow_nodes_lock;
	struct shrinker *shadow_shrinker;	/* frees shadow-only nodes beyond the limit */

	/* The OOM killer (mm/oom_kill.c): its vm.* knobs and state. */
	int sysctl_panic_on_oom;	/* vm.panic_on_oom: 0 kill; 1 panic unless constrained; 2 panic */
	int sysctl_oom_kill_allocating_task;	/* vm.oom_kill_allocating_task: the allocating task first */
	int sysctl_oom_dump_tasks;	/* vm.oom_dump_tasks: the task table in the report (1) */
	pthread_mutex_t oom_lock;	/* one OOM kill at a time (Linux's oom_lock) */
	struct ratelimit_state oom_rs;	/* the report of a kill (dump_header) */
	bool oom_adj_warned;		/* /proc/PID/oom_adj's deprecation, said once */
	/* Swap areas (mm/swapfile.c): Linux's globals there, under swap_lock. */
	pthread_mutex_t swap_lock;
	struct swap_info_struct *swap_info[MAX_SWAPFILES];	/* by type; kept after swapoff */
	unsigned int nr_swapfiles;	/* entries of swap_info[] made so far */
	struct list_head swap_active_head;	/* the areas on, highest priority first */
	struct list_head swap_avail_head;	/* those with a free slot, in that order */
	long nr_swap_pages;		/* free slots of the writable areas */
	long total_swap_pages;		/* usable slots of the writable areas */
	int least_priority;		/* the last priority given by default (-1: none yet) */
	unsigned long nr_swap_writeback;	/* swap writes queued on the disk */
	struct percpu_swap_cluster percpu_swap_cluster[KMM_MAX_CPUS + 1];	/* last: no CPU */

	struct page *zero_page;		/* what untouched anonymous memory reads as */
	unsigned int last_pcid;		/* PCIDs handed to address spaces */
};


/*
 * Memory management's boot and shutdown (mm/mm_init.c), as init/main.c
 * calls them: mm_core_init sets up the RAM, memblock, the memmap and the
 * allocators (0, or -1 with the reason reported; mm_core_exit then gives
 * back what was made); mm_fault_inject_setup arms the fault-injection
 * boot options once the machine is up.  kmm_set_machine_globals makes k
 * the current machine (NULL: none).
 */
int mm_core_init(struct kmm *k);
void mm_core_exit(struct kmm *k);
void mm_fault_inject_setup(struct kmm *k);
void kmm_set_machine_globals(struct kmm *k);

/*
 * What the layers above read and set of memory management (the /proc
 * views, sysctl, debugfs, the simulator's commands).  The rest of mm/'s
 * helpers are its own (mm/internal.h).
 */
/* mm/util.c: totalram_pages() of machine k, which need not be the current one. */
unsigned long __totalram_pages(struct kmm *k);
/* mm/util.c: CommitLimit */
unsigned long vm_commit_limit(struct kmm *k);
/*
 * mm/page-writeback.c: the dirty limits in pages, as Linux's
 * global_dirty_limits (/proc/vmstat's nr_dirty_*threshold lines).
 */
void global_dirty_limits(struct kmm *k, unsigned long *pbackground, unsigned long *pdirty);
/* vm.dirty_writeback_centisecs changed to a new non-zero value: every
 * flusher writes everything now (wakeup_flusher_threads). */
void wakeup_flusher_threads(struct kmm *k);
/* mm/shrinker.c: vm.drop_caches (1 page cache, 2 slab and inodes, 3 both). */
void drop_caches(struct kmm *k, int what);
/* The migratetype of the pageblock holding pfn (read without zone->lock). */
static inline int get_pageblock_migratetype(const struct kmm *k, unsigned long pfn)
{
	return READ_ONCE(k->mem->pageblock_mt[pfn >> pageblock_order]);
}
/*
 * mm/swapfile.c: the swap state at boot, and the swap= area (0, or -errno
 * reported); at shutdown (k current) every area goes, after the writes in
 * flight, which a crash does not wait for.  /proc/swaps.
 */
int swapfile_init(struct kmm *k);
void swapfile_exit(struct kmm *k, bool crash);
void swaps_show(struct kmm *k, struct seq_buf *m);
/* mm/vmalloc.c: /proc/vmallocinfo */
void vmallocinfo_show(struct kmm *k, struct seq_buf *m);
/* mm/mm_init.c: after a watermark sysctl changes */
void refresh_per_zone_wmarks(struct kmm *k);
/* mm/page_alloc.c: pages on the zone's per-CPU lists */
unsigned long zone_pcp_count(const struct kmm *k, const struct zone *zone);
/* mm/fail_page_alloc.c, mm/failslab.c: the debugfs knobs by file name;
 * 0, -ENOENT or -EINVAL */
int fail_page_alloc_set(struct kmm *k, const char *knob, long value);
int fail_page_alloc_get(struct kmm *k, const char *knob, long *value);
int failslab_set(struct kmm *k, const char *knob, long value);
int failslab_get(struct kmm *k, const char *knob, long *value);
/* mm/vmstat.c */
extern const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS];
extern const char *const numa_stat_names[NR_VM_NUMA_EVENT_ITEMS];
unsigned long __global_zone_page_state(const struct kmm *k,
					 enum zone_stat_item item);
unsigned long sum_vm_event(const struct kmm *k, enum vm_event_item item);

#endif /* KMM_MM_MACHINE_H */
