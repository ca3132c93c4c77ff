/*
 * mm/internal.h - what mm/ files share and nobody else sees: the machine
 * (struct kmm), memblock, sections, and the allocator's internal helpers.
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

#include <kmm/kmm.h>
#include <kmm/vmstat.h>
#include <kmm/pgtable.h>
#include "base/ratelimit.h"
#include "base/fault-inject.h"
#include "hw/ram.h"
#include "hw/cpu.h"

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
struct vm_event_state {
	unsigned long event[NR_VM_EVENT_ITEMS];
} __attribute__((aligned(64)));

struct kmm {
	unsigned long id;		/* unique per boot; keys per-thread caches */
	struct kmm_config cfg;
	struct hw_ram ram;
	struct memblock memblock;
	unsigned long max_pfn;		/* end of the highest RAM range */
	unsigned long max_possible_pfn;	/* hot-add limit */
	struct mem_section *mem_section;
	unsigned long nr_mem_sections;
	unsigned char *pageblock_mt;	/* migratetype per pageblock, by pfn */
	pg_data_t node;
	struct zone *fast_zone[MAX_NR_ZONES];	/* by gfp_zone: first zone to try */
	unsigned int nr_cpus;
	void **cpu_owner;		/* [nr_cpus]: the thread running each CPU */
	unsigned long cpu_release_gen;	/* bumped when a CPU is given back */
	struct list_head machines;	/* on the list of live machines */
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
	unsigned long nr_reports;	/* every report since boot */
	unsigned long nr_reports_bad_page;	/* bad_page() reports */
	unsigned long nr_reports_bad_free;	/* refused frees */
	unsigned long tainted;		/* TAINT_BAD_PAGE when set */
	bool nofail_may_wait;		/* another thread may free memory */
	struct fail_page_alloc_attr fail_page_alloc;	/* mm/fail_page_alloc.c */
	struct failslab_attr failslab;	/* mm/failslab.c */
	bool panicked;			/* panic_kmm() ran: the machine has stopped */
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

	/* Processes (kernel/fork.c) and the files they map (fs/). */
	struct list_head tasks;		/* every task_struct, by pid */
	int last_pid;			/* pids are handed out ascending from 1 */
	unsigned long last_ino;		/* get_next_ino() */
	struct rootfs_entry *rootfs;	/* the simulated disk's files (fs/binfmt_elf.c) */
	unsigned long rnd_state;	/* get_random_long(), seeded by boot seed= */
	struct page *zero_page;		/* what untouched anonymous memory reads as */
	struct hw_cpus cpus;		/* each CPU's TLB and CR3 (hw/cpu.c), made on first use */
	unsigned int last_pcid;		/* PCIDs handed to address spaces */
};

struct rootfs_entry;
struct tlb;

/*
 * The machine's random numbers (ASLR offsets, ...): splitmix64 seeded by
 * the boot seed, so a script and seed always give the same layout.
 */
static inline unsigned long get_random_long_kmm(struct kmm *k)
{
	unsigned long z = (k->rnd_state += 0x9e3779b97f4a7c15ul);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ul;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebul;
	return z ^ (z >> 31);
}

#define OVERCOMMIT_GUESS	0
#define OVERCOMMIT_ALWAYS	1
#define OVERCOMMIT_NEVER	2

/* mm/util.c */
void mm_util_init(struct kmm *k);
unsigned long vm_commit_limit(struct kmm *k);
void vm_acct_memory(struct kmm *k, long pages);
void vm_unacct_memory(struct kmm *k, long pages);
/* Charges pages if the policy lets them in (0), else -ENOMEM, uncharged. */
int __vm_enough_memory(struct kmm *k, unsigned long mm_total_vm, long pages,
		       bool cap_sys_admin);

extern struct kmm *kmm_global;
struct kmm *kmm_boot_default(void);

/* The machine the kernel-named calls act on; boots a default one if none. */
static inline struct kmm *kmm_cur(void)
{
	struct kmm *k = kmm_global;

	if (unlikely(!k))
		k = kmm_boot_default();
	return k;
}

/*
 * The simulated CPU the calling thread runs on, or -1 if it has none
 * (more threads than CPUs).  See mm/percpu.c.
 */
struct kmm_cpu_cache {
	unsigned long kmm_id;
	int cpu;
	unsigned long release_gen;
};
extern __thread struct kmm_cpu_cache kmm_this_cpu_cache;
extern bool kmm_membarrier_ok;
int kmm_claim_cpu(struct kmm *k);
void kmm_percpu_init(void);
void kmm_register_machine(struct kmm *k);
void kmm_unregister_machine(struct kmm *k);
void kmm_heavy_barrier(void);

void local_lock_slow(struct cpu_local_lock *ll);
void local_lock_remote(struct cpu_local_lock *ll);
void local_unlock_remote(struct cpu_local_lock *ll);

/*
 * The owner's side of a CPU-local critical section.  Returns true when the
 * owner may go ahead lock-free; false when a remote user is at work, in
 * which case the owner has queued behind it and holds ll->lock.  The store
 * to busy and the load of drain_req are ordered by kmm_heavy_barrier() on
 * the remote side (or by a full fence here when membarrier is missing).
 */
static inline bool local_enter(struct cpu_local_lock *ll)
{
	WRITE_ONCE(ll->busy, 1);
	if (likely(kmm_membarrier_ok))
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (likely(!__atomic_load_n(&ll->drain_req, __ATOMIC_ACQUIRE)))
		return true;
	__atomic_store_n(&ll->busy, 0, __ATOMIC_RELEASE);
	local_lock_slow(ll);
	return false;
}

static inline void local_exit(struct cpu_local_lock *ll, bool fast)
{
	if (likely(fast))
		__atomic_store_n(&ll->busy, 0, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&ll->lock, 0, __ATOMIC_RELEASE);
}

static inline int smp_processor_id_kmm(struct kmm *k)
{
	if (likely(kmm_this_cpu_cache.kmm_id == k->id && kmm_this_cpu_cache.cpu >= 0))
		return kmm_this_cpu_cache.cpu;
	return kmm_claim_cpu(k);
}

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
		p = &k->vm_events[cpu].event[item];
		WRITE_ONCE(*p, READ_ONCE(*p) + delta);
	} else {
		__atomic_fetch_add(&k->vm_events[k->nr_cpus].event[item], delta,
				   __ATOMIC_RELAXED);
	}
}

static inline void __mod_zone_page_state(struct zone *zone,
					 enum zone_stat_item item, long delta)
{
	__atomic_fetch_add(&zone->vm_stat[item], delta, __ATOMIC_RELAXED);
}

/* The migratetype of the pageblock holding pfn (read without zone->lock). */
static inline int get_pageblock_migratetype(const struct kmm *k, unsigned long pfn)
{
	return READ_ONCE(k->pageblock_mt[pfn >> pageblock_order]);
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

	return nr < k->nr_mem_sections && (k->mem_section[nr].flags & SECTION_IS_PRESENT);
}

/* virt_addr_valid for a host pointer, inline: in the direct map, with a
 * struct page (as Linux's __virt_addr_valid on x86-64). */
static inline bool __virt_addr_valid(const struct kmm *k, const void *addr)
{
	unsigned long off = (unsigned long)((const char *)addr - k->ram.direct_map);

	return (const char *)addr >= k->ram.direct_map && off < k->ram.size &&
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
void kmm_set_machine_globals(struct kmm *k);
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
void vmalloc_exit(struct kmm *k);
void vmallocinfo_show(struct kmm *k, struct seq_buf *m);
int check_vmalloc_invariants(void);
unsigned long kmm_vmalloc_mirror_size(void);

/* shrinker.c */
unsigned long shrink_slab_kmm(struct kmm *k, gfp_t gfp, int priority);

/* memory_hotplug.c */
int add_memory_kmm(struct kmm *k, unsigned long bytes);

/* page_alloc.c */
int page_alloc_init(struct kmm *k);
void page_alloc_exit(struct kmm *k);
void __free_pages_core(struct kmm *k, struct page *page, unsigned int order);
/* Frees a page whose count already dropped to zero (pcp or buddy). */
void free_frozen_pages(struct kmm *k, struct page *page, unsigned int order);
void setup_per_zone_wmarks(struct kmm *k);
void setup_per_zone_lowmem_reserve(struct kmm *k);
void init_per_zone_wmark_min(struct kmm *k);
void refresh_per_zone_wmarks(struct kmm *k);
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
void drain_all_pages_kmm(struct kmm *k, struct zone *zone);
int check_buddy_invariants_kmm(struct kmm *k);
unsigned long zone_pcp_count(const struct kmm *k, const struct zone *zone);

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
int fail_page_alloc_set(struct kmm *k, const char *knob, long value);
int fail_page_alloc_get(struct kmm *k, const char *knob, long *value);
struct kmem_cache;
bool should_failslab(struct kmem_cache *s, gfp_t gfp);
void failslab_init(struct kmm *k);
void failslab_setup(struct kmm *k);
void failslab_exit(struct kmm *k);
int failslab_set(struct kmm *k, const char *knob, long value);
int failslab_get(struct kmm *k, const char *knob, long *value);

/* debug.c */
__printf(2, 3) void kmm_report(struct kmm *k, const char *fmt, ...);
/* kernel/panic.c: reports "Kernel panic - not syncing: ..." and marks k
 * panicked; it returns (a library never halts its host). */
__printf(2, 3) void panic_kmm(struct kmm *k, const char *fmt, ...);
void bad_page(struct kmm *k, struct page *page, const char *reason);
void dump_page(struct kmm *k, struct page *page, const char *reason,
	       char *buf, size_t len);
/* A code address as Linux's %pS prints it: "func+0x1c [<0x55...>]". */
int sprint_caller(char *buf, size_t len, unsigned long caller);

/* vmstat.c */
extern const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS];
extern const char *const numa_stat_names[NR_VM_NUMA_EVENT_ITEMS];
unsigned long global_zone_page_state_kmm(const struct kmm *k,
					 enum zone_stat_item item);
unsigned long sum_vm_event(const struct kmm *k, enum vm_event_item item);

#endif /* KMM_MM_INTERNAL_H */
