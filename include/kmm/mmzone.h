/*
 * include/kmm/mmzone.h - zones, free areas, per-CPU page lists and the node.
 *
 * Physical memory is one node (pglist_data) split into zones by address, as
 * on x86-64: ZONE_DMA below 16 MiB, ZONE_DMA32 below 4 GiB, ZONE_NORMAL
 * above; ZONE_MOVABLE and ZONE_DEVICE exist but stay empty.  Each zone keeps
 * buddy free lists per order and migratetype, its watermarks and per-CPU
 * page lists (pcp) for the small orders.
 *
 * Lock order: pcp->lock (trylock only), then zone->lock.
 */
#ifndef KMM_MMZONE_H
#define KMM_MMZONE_H

#include <pthread.h>
#include <kmm/timer.h>
#include <kmm/compiler.h>
#include <kmm/list.h>
#include <kmm/mm_types.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1ul << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PFN_PHYS(pfn)		((phys_addr_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(phys)		((unsigned long)((phys) >> PAGE_SHIFT))
#define PFN_UP(x)		(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)		((x) >> PAGE_SHIFT)
#define PAGE_ALIGN(x)		(((x) + PAGE_SIZE - 1) & PAGE_MASK)

#define MAX_PAGE_ORDER		10
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES	(1ul << MAX_PAGE_ORDER)
#define pageblock_order		9
#define pageblock_nr_pages	(1ul << pageblock_order)
#define PAGE_ALLOC_COSTLY_ORDER	3

/* Memory sections, as x86-64 SPARSEMEM: 128 MiB each. */
#define SECTION_SIZE_BITS	27
#define PFN_SECTION_SHIFT	(SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION	(1ul << PFN_SECTION_SHIFT)

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,	/* the number of types on the pcp lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,	/* can't allocate from here */
	MIGRATE_TYPES
};

enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	MAX_NR_ZONES
};

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	WMARK_PROMO,
	NR_WMARK
};

/* Per-zone counters (Linux's zone_stat_item); names in mm/vmstat.c. */
enum zone_stat_item {
	NR_FREE_PAGES,
	NR_FREE_PAGES_BLOCKS,	/* free pages in blocks of >= pageblock_order */
	NR_ZONE_INACTIVE_ANON,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_ZSPAGES,
	NR_FREE_CMA_PAGES,
	NR_VM_ZONE_STAT_ITEMS
};

/* Per-node counters (Linux's node_stat_item), in /proc/zoneinfo order. */
#define KMM_NODE_STATS(X) \
	X(NR_INACTIVE_ANON, "nr_inactive_anon") \
	X(NR_ACTIVE_ANON, "nr_active_anon") \
	X(NR_INACTIVE_FILE, "nr_inactive_file") \
	X(NR_ACTIVE_FILE, "nr_active_file") \
	X(NR_UNEVICTABLE, "nr_unevictable") \
	X(NR_SLAB_RECLAIMABLE, "nr_slab_reclaimable") \
	X(NR_SLAB_UNRECLAIMABLE, "nr_slab_unreclaimable") \
	X(NR_ISOLATED_ANON, "nr_isolated_anon") \
	X(NR_ISOLATED_FILE, "nr_isolated_file") \
	X(WORKINGSET_NODES, "workingset_nodes") \
	X(WORKINGSET_REFAULT_ANON, "workingset_refault_anon") \
	X(WORKINGSET_REFAULT_FILE, "workingset_refault_file") \
	X(WORKINGSET_ACTIVATE_ANON, "workingset_activate_anon") \
	X(WORKINGSET_ACTIVATE_FILE, "workingset_activate_file") \
	X(WORKINGSET_RESTORE_ANON, "workingset_restore_anon") \
	X(WORKINGSET_RESTORE_FILE, "workingset_restore_file") \
	X(WORKINGSET_NODERECLAIM, "workingset_nodereclaim") \
	X(NR_ANON_PAGES, "nr_anon_pages") \
	X(NR_MAPPED, "nr_mapped") \
	X(NR_FILE_PAGES, "nr_file_pages") \
	X(NR_DIRTY, "nr_dirty") \
	X(NR_WRITEBACK, "nr_writeback") \
	X(NR_SHMEM, "nr_shmem") \
	X(NR_SHMEM_HUGEPAGES, "nr_shmem_hugepages") \
	X(NR_SHMEM_PMDMAPPED, "nr_shmem_pmdmapped") \
	X(NR_FILE_HUGEPAGES, "nr_file_hugepages") \
	X(NR_FILE_PMDMAPPED, "nr_file_pmdmapped") \
	X(NR_ANON_TRANSPARENT_HUGEPAGES, "nr_anon_transparent_hugepages") \
	X(NR_VMSCAN_WRITE, "nr_vmscan_write") \
	X(NR_VMSCAN_IMMEDIATE_RECLAIM, "nr_vmscan_immediate_reclaim") \
	X(NR_DIRTIED, "nr_dirtied") \
	X(NR_WRITTEN, "nr_written") \
	X(NR_THROTTLED_WRITTEN, "nr_throttled_written") \
	X(NR_KERNEL_MISC_RECLAIMABLE, "nr_kernel_misc_reclaimable") \
	X(NR_FOLL_PIN_ACQUIRED, "nr_foll_pin_acquired") \
	X(NR_FOLL_PIN_RELEASED, "nr_foll_pin_released") \
	X(NR_KERNEL_STACK, "nr_kernel_stack") \
	X(NR_PAGE_TABLE_PAGES, "nr_page_table_pages") \
	X(NR_SEC_PAGE_TABLE_PAGES, "nr_sec_page_table_pages") \
	X(NR_IOMMU_PAGES, "nr_iommu_pages") \
	X(NR_SWAPCACHED, "nr_swapcached") \
	X(PGPROMOTE_SUCCESS, "pgpromote_success") \
	X(PGPROMOTE_CANDIDATE, "pgpromote_candidate") \
	X(PGPROMOTE_CANDIDATE_NRL, "pgpromote_candidate_nrl") \
	X(PGDEMOTE_KSWAPD, "pgdemote_kswapd") \
	X(PGDEMOTE_DIRECT, "pgdemote_direct") \
	X(PGDEMOTE_KHUGEPAGED, "pgdemote_khugepaged") \
	X(PGDEMOTE_PROACTIVE, "pgdemote_proactive") \
	X(NR_HUGETLB, "nr_hugetlb") \
	X(NR_BALLOON_PAGES, "nr_balloon_pages") \
	X(NR_KERNEL_FILE_PAGES, "nr_kernel_file_pages")

enum node_stat_item {
#define X(id, name) id,
	KMM_NODE_STATS(X)
#undef X
	NR_VM_NODE_STAT_ITEMS
};

enum numa_stat_item {
	NUMA_HIT,
	NUMA_MISS,
	NUMA_FOREIGN,
	NUMA_INTERLEAVE_HIT,
	NUMA_LOCAL,
	NUMA_OTHER,
	NR_VM_NUMA_EVENT_ITEMS
};

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;		/* blocks of this order, all types */
	unsigned long nr_free_mt[MIGRATE_TYPES]; /* blocks per type (pagetypeinfo) */
};

/* pcp lists: one per (order 0..PAGE_ALLOC_COSTLY_ORDER, pcp migratetype)
 * plus one for pageblock_order (THP-sized), as Linux 6.x. */
#define NR_LOWORDER_PCP_LISTS	(MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_LISTS		(NR_LOWORDER_PCP_LISTS + 1)

/*
 * Guards data of one simulated CPU.  The CPU's owner thread works on it
 * lock-free, marking itself busy; anyone else takes lock, raises drain_req
 * and waits for the owner to be outside (base/smp.c).
 */
struct cpu_local_lock {
	int busy;			/* owner inside a fast critical section */
	int drain_req;			/* a remote user wants the data */
	int lock;			/* 0 free, 1 held: remote users, owner's slow path */
};

/* A CPU's page lists, guarded by ll. */
struct per_cpu_pages {
	struct cpu_local_lock ll;
	int count;			/* pages on all lists */
	int high;			/* free back to buddy above this */
	int high_min;
	int high_max;
	int batch;			/* refill / drain chunk */
	/* This CPU's PGALLOC_<this zone> and PGFREE rows of vm_events: the
	 * order-0 paths count with one add, as Linux's this_cpu_inc does. */
	unsigned long *pgalloc_event;
	unsigned long *pgfree_event;
	unsigned long vm_numa_event[6];	/* NUMA_HIT.. per CPU, summed on read */
	struct list_head lists[NR_PCP_LISTS];
} __attribute__((aligned(64)));

struct pglist_data;

/* zone->flags (Linux's zone_flags). */
enum zone_flags {
	ZONE_BOOSTED_WATERMARK,	/* a fragmenting fallback boosted the watermarks:
				 * the next allocation wakes kswapd */
};

struct zone {
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost;	/* raised by fragmenting fallbacks; kswapd resets it */
	unsigned long flags;		/* ZONE_*, atomic bit operations */
	unsigned long nr_reserved_highatomic;	/* pages in HIGHATOMIC blocks */
	long lowmem_reserve[MAX_NR_ZONES];	/* "protection" in zoneinfo */
	struct pglist_data *zone_pgdat;
	struct per_cpu_pages *per_cpu_pageset;	/* [nr_cpus] */
	int pageset_batch;
	int pageset_high_min;
	int pageset_high_max;
	enum zone_type idx;
	const char *name;

	unsigned long zone_start_pfn;
	unsigned long spanned_pages;		/* end - start, holes included */
	unsigned long present_pages;		/* RAM frames in the span */
	unsigned long managed_pages;		/* given to the buddy allocator */

	pthread_mutex_t lock;			/* free_area, nr_reserved_highatomic */
	struct free_area free_area[NR_PAGE_ORDERS];

	long vm_stat[NR_VM_ZONE_STAT_ITEMS];	/* atomic */
	unsigned long numa_event_nocpu[NR_VM_NUMA_EVENT_ITEMS]; /* atomic; CPU-less threads */
} __attribute__((aligned(64)));

#define MAX_ZONES_PER_ZONELIST	MAX_NR_ZONES

struct zonelist {
	struct zone *_zonerefs[MAX_ZONES_PER_ZONELIST + 1];	/* NULL-ended */
};

/*
 * The LRU lists (Linux's enum lru_list): a folio is on one of them from
 * the moment its folio_batch is drained until it is freed or isolated.
 * The order is Linux's: base type (anon 0, file 2) + active, and the
 * node counters NR_INACTIVE_ANON.. and zone counters
 * NR_ZONE_INACTIVE_ANON.. are in the same order.
 */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};
#define LRU_BASE	0
#define LRU_ACTIVE	1
#define LRU_FILE	2
#define NR_EVICTABLE_LRU_LISTS	LRU_UNEVICTABLE

static inline bool is_file_lru(enum lru_list lru)
{
	return lru == LRU_INACTIVE_FILE || lru == LRU_ACTIVE_FILE;
}

static inline bool is_active_lru(enum lru_list lru)
{
	return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

/*
 * A node's LRU lists (memcg not modelled: one lruvec per node), most
 * recently added at the head; reclaim takes from the tail.  The costs
 * are what get_scan_count balances anon against file with: pages
 * rotated or refaulted of each kind, halved as they grow.
 */
struct lruvec {
	struct list_head lists[NR_LRU_LISTS];
	pthread_mutex_t lru_lock;
	unsigned long anon_cost;
	unsigned long file_cost;
	unsigned long nonresident_age;	/* workingset: evictions and activations */
	unsigned long refaults[2];	/* WORKINGSET_ACTIVATE_* at the last reclaim */
};

/* pgdat->flags (Linux's pgdat_flags). */
enum pgdat_flags {
	PGDAT_DIRTY,		/* reclaim found many dirty file folios at the tail */
	PGDAT_WRITEBACK,	/* reclaim found many folios under writeback */
	PGDAT_RECLAIM_LOCKED,	/* someone is reclaiming the node (node_reclaim) */
};

/* After this many kswapd runs without progress the node is "hopeless"
 * until an allocation succeeds again (Linux's MAX_RECLAIM_RETRIES). */
#define MAX_RECLAIM_RETRIES 16

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelist;	/* NORMAL -> DMA32 -> DMA */
	int nr_zones;			/* highest populated zone + 1 */
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	int node_id;
	long vm_stat[NR_VM_NODE_STAT_ITEMS];	/* atomic */

	struct lruvec __lruvec;		/* the node's LRU lists (mm/swap.c, mm/vmscan.c) */
	unsigned long flags;		/* PGDAT_* */
	/* kswapd (mm/vmscan.c): what the last wakeup asked for, how often it
	 * ran without progress, and the timer that runs it. */
	pthread_mutex_t kswapd_lock;	/* the wakeup's order and zone, any thread */
	int kswapd_order;
	int kswapd_highest_zoneidx;	/* MAX_NR_ZONES: not woken */
	int kswapd_failures;		/* READ_ONCE: written under reclaim_lock */
	struct timer_list kswapd_timer;
} pg_data_t;

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
{
	return zone->zone_start_pfn <= pfn && pfn < zone_end_pfn(zone);
}

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline unsigned long zone_managed_pages(const struct zone *zone)
{
	return READ_ONCE(zone->managed_pages);
}

static inline unsigned long zone_page_state(const struct zone *zone,
					    enum zone_stat_item item)
{
	long x = READ_ONCE(zone->vm_stat[item]);

	return x < 0 ? 0 : (unsigned long)x;
}

#define min_wmark_pages(z)  ((z)->_watermark[WMARK_MIN] + (z)->watermark_boost)
#define low_wmark_pages(z)  ((z)->_watermark[WMARK_LOW] + (z)->watermark_boost)
#define high_wmark_pages(z) ((z)->_watermark[WMARK_HIGH] + (z)->watermark_boost)
#define promo_wmark_pages(z) ((z)->_watermark[WMARK_PROMO] + (z)->watermark_boost)
#define wmark_pages(z, i)   ((z)->_watermark[i] + (z)->watermark_boost)

extern const char *const zone_names[MAX_NR_ZONES];
extern const char *const migratetype_names[MIGRATE_TYPES];
extern const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS];

static inline unsigned long node_page_state(const pg_data_t *pgdat,
					    enum node_stat_item item)
{
	long x = READ_ONCE(pgdat->vm_stat[item]);

	return x < 0 ? 0 : (unsigned long)x;
}

#endif /* KMM_MMZONE_H */
