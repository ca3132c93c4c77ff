/*
 * mm/mm_init.c - booting a machine: the e820 map, memblock, sections, zone
 * sizes, struct page initialisation, and handing free memory to the buddy
 * allocator.  Mirrors Linux mm/mm_init.c and the x86 setup that precedes it.
 *
 * The physical map is a PC's (as QEMU lays it out):
 *   0x0000 - 0x0fff    reserved by the firmware (pfn 0 is never RAM)
 *   0x1000 - 0x9efff   RAM
 *   0x9f000 - 0xfffff  the legacy VGA/BIOS hole
 *   1 MiB  - min(mem, 3 GiB)   RAM
 *   3 GiB  - 4 GiB     the PCI window (device memory, no RAM)
 *   4 GiB  - ...       the rest of RAM, if mem > 3 GiB
 * and the whole first megabyte is reserved, as x86 Linux 5.13+ does.
 */
#define _GNU_SOURCE
#include "fs/exec.h"
#include "mm/memory.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/option.h"
#include "mm/slab.h"
#include <kmm/vmalloc.h>

#define LOW_RAM_END	0x9f000ul
#define HIGH_RAM_START	0x100000ul
#define PCI_HOLE_START	(3ul << 30)
#define FOUR_GB		(4ul << 30)

struct kmm *kmm_global;
struct page *kmm_vmemmap;
char *kmm_direct_map;
char *kmm_vmalloc_window;
unsigned long kmm_vmalloc_window_size;
unsigned long kmm_max_pfn;

const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "Movable", "Device",
};

/* Zone boundaries in pfns: [zone_lo[i], zone_lo[i + 1]). */
static const unsigned long zone_max_pfn[MAX_NR_ZONES] = {
	[ZONE_DMA] = (16ul << 20) >> PAGE_SHIFT,
	[ZONE_DMA32] = FOUR_GB >> PAGE_SHIFT,
	[ZONE_NORMAL] = ~0ul,
	[ZONE_MOVABLE] = 0,
	[ZONE_DEVICE] = 0,
};

/* Physical end of RAM for a machine of mem bytes, and its hot-add limit. */
static phys_addr_t ram_phys_end(unsigned long mem)
{
	return mem <= PCI_HOLE_START ? mem : FOUR_GB + (mem - PCI_HOLE_START);
}

static int e820_to_memblock(struct kmm *k)
{
	unsigned long mem = k->cfg.mem;
	phys_addr_t low_end = min(mem, PCI_HOLE_START);
	int err;

	err = memblock_add(&k->mem->memblock, PAGE_SIZE, LOW_RAM_END - PAGE_SIZE);
	err = err ?: memblock_add(&k->mem->memblock, HIGH_RAM_START, low_end - HIGH_RAM_START);
	if (!err && mem > PCI_HOLE_START)
		err = memblock_add(&k->mem->memblock, FOUR_GB, mem - PCI_HOLE_START);
	err = err ?: memblock_reserve(&k->mem->memblock, 0, HIGH_RAM_START);
	return err;
}

/* Counts RAM frames in [start, end) according to memblock.memory. */
static unsigned long ram_pages_in(struct kmm *k, unsigned long start,
				  unsigned long end)
{
	unsigned long i, n = 0;

	for (i = 0; i < k->mem->memblock.memory.cnt; i++) {
		const struct memblock_region *r = &k->mem->memblock.memory.regions[i];
		unsigned long s = max(PHYS_PFN(r->base), start);
		unsigned long e = min(PHYS_PFN(r->base + r->size), end);

		if (s < e)
			n += e - s;
	}
	return n;
}

/* First and last+1 RAM pfn inside [lo, hi), or 0/0 if none. */
static void ram_span_in(struct kmm *k, unsigned long lo, unsigned long hi,
			unsigned long *start, unsigned long *end)
{
	unsigned long i;

	*start = *end = 0;
	for (i = 0; i < k->mem->memblock.memory.cnt; i++) {
		const struct memblock_region *r = &k->mem->memblock.memory.regions[i];
		unsigned long s = max(PHYS_PFN(r->base), lo);
		unsigned long e = min(PHYS_PFN(r->base + r->size), hi);

		if (s >= e)
			continue;
		if (!*end)
			*start = s;
		*end = e;
	}
}

static void init_zone(struct kmm *k, enum zone_type idx, unsigned long lo,
		      unsigned long hi)
{
	struct zone *zone = &k->mem->node.node_zones[idx];
	unsigned long start, end;
	int o, t;

	zone->idx = idx;
	zone->name = zone_names[idx];
	zone->zone_pgdat = &k->mem->node;
	spin_lock_init(&zone->lock);
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		for (t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[t]);
	ram_span_in(k, lo, hi, &start, &end);
	zone->zone_start_pfn = start;
	zone->spanned_pages = end - start;
	zone->present_pages = ram_pages_in(k, start, end);
	if (zone->present_pages)
		k->mem->node.nr_zones = idx + 1;
}

static void free_area_init(struct kmm *k)
{
	unsigned long lo = 0;
	int i;

	k->mem->node.node_id = 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		unsigned long hi = zone_max_pfn[i] ? zone_max_pfn[i] : lo;

		init_zone(k, i, lo, hi);
		lo = hi;
	}
	k->mem->node.node_start_pfn = PHYS_PFN(k->mem->memblock.memory.regions[0].base);
	k->mem->node.node_spanned_pages = k->mem->max_pfn - k->mem->node.node_start_pfn;
	k->mem->node.node_present_pages = ram_pages_in(k, 0, k->mem->max_pfn);
	build_zonelists(k);
}

/*
 * The fallback order: the highest populated zone first, down to DMA.
 * Rebuilt when memory is hot-added; written back to front with single
 * stores so that a concurrent reader always sees a usable list.
 */
void build_zonelists(struct kmm *k)
{
	struct zone *list[MAX_ZONES_PER_ZONELIST + 1];
	int i, n = 0, z;

	for (z = ZONE_NORMAL; z >= 0; z--)
		if (populated_zone(&k->mem->node.node_zones[z]))
			list[n++] = &k->mem->node.node_zones[z];
	list[n] = NULL;
	for (i = n; i >= 0; i--)
		WRITE_ONCE(k->mem->node.node_zonelist._zonerefs[i], list[i]);
	/* The first zone an allocation limited to zone idx tries. */
	for (z = 0; z < MAX_NR_ZONES; z++) {
		for (i = 0; list[i] && (int)list[i]->idx > z; i++)
			;
		WRITE_ONCE(k->mem->fast_zone[z], list[i]);
	}
}

enum zone_type pfn_zone(struct kmm *k, unsigned long pfn)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES - 1; i++)
		if (pfn < zone_max_pfn[i])
			return i;
	return ZONE_NORMAL;
}

/* Every struct page of a present section starts reserved with one ref. */
void memmap_init_section(struct kmm *k, unsigned long nr)
{
	unsigned long pfn = nr * PAGES_PER_SECTION;
	unsigned long end = pfn + PAGES_PER_SECTION;

	for (; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);

		memset(page, 0, sizeof(*page));
		page->flags = (unsigned long)pfn_zone(k, pfn) << ZONES_PGSHIFT |
			      1ul << PG_reserved;
		page->_mapcount = -1;
		page->_refcount = 1;
		INIT_LIST_HEAD(&page->lru);
	}
}

/* Frees [start, end) into the buddy lists in the largest aligned blocks. */
void free_range(struct kmm *k, unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = MAX_PAGE_ORDER;

		while (order && ((start & ((1ul << order) - 1)) ||
				 start + (1ul << order) > end))
			order--;
		__free_pages_core(k, pfn_to_page(start), order);
		start += 1ul << order;
	}
}

/* memblock_free_all: every RAM frame memblock did not reserve goes free. */
static void memblock_free_all(struct kmm *k)
{
	unsigned long i, pfn, run;

	for (i = 0; i < k->mem->memblock.memory.cnt; i++) {
		const struct memblock_region *r = &k->mem->memblock.memory.regions[i];
		unsigned long end = PHYS_PFN(r->base + r->size);

		for (pfn = PHYS_PFN(r->base), run = pfn; pfn <= end; pfn++) {
			if (pfn < end && !memblock_is_reserved(&k->mem->memblock, PFN_PHYS(pfn)))
				continue;
			free_range(k, run, pfn);
			run = pfn + 1;
		}
	}
	k->mem->memblock_reserved_pages = k->mem->node.node_present_pages;
	for (i = 0; i < MAX_NR_ZONES; i++)
		k->mem->memblock_reserved_pages -= k->mem->node.node_zones[i].managed_pages;
}

void kmm_set_machine_globals(struct kmm *k)
{
	kmm_global = k;
	kmm_vmemmap = k ? (struct page *)k->hw->ram.vmemmap : NULL;
	kmm_direct_map = k ? k->hw->ram.direct_map : NULL;
	kmm_max_pfn = k ? k->mem->max_pfn : 0;
	kmm_vmalloc_window = k && k->mem->vmalloc ? kmm_vmalloc_host(VMALLOC_START) : NULL;
	kmm_vmalloc_window_size = kmm_vmalloc_window ? kmm_vmalloc_mirror_size() : 0;
	kmm_slab_cur = k && k->mem->slab && k->mem->slab->slab_state == FULL ? k->mem->slab : NULL;
}

/*
 * Where hot-added memory goes: above the PCI window, after boot RAM, on
 * the next section boundary.  Hotplug adds whole sections (each has its
 * own memmap and online state, mm/sparse.c), so boot RAM that ends inside
 * a section (mem=3100M: 28 MiB above 4 GiB) leaves the rest of that one a
 * hole, as a real machine's memory map starts hot-pluggable ranges on a
 * boundary.
 */
phys_addr_t hotplug_base(unsigned long mem)
{
	return ALIGN(max(ram_phys_end(mem), FOUR_GB), 1ul << SECTION_SIZE_BITS);
}

static int setup_memory(struct kmm *k)
{
	unsigned long max_phys = k->cfg.max_mem > k->cfg.mem ?
		hotplug_base(k->cfg.mem) + (k->cfg.max_mem - k->cfg.mem) :
		ram_phys_end(k->cfg.mem);
	unsigned long bytes;
	phys_addr_t pb;
	int err;

	k->mem->max_possible_pfn = ALIGN(PHYS_PFN(max_phys), PAGES_PER_SECTION);
	k->mem->nr_mem_sections = k->mem->max_possible_pfn / PAGES_PER_SECTION;
	err = hw_ram_init(&k->hw->ram, PFN_PHYS(k->mem->max_possible_pfn),
			  k->mem->max_possible_pfn * sizeof(struct page));
	if (err)
		return err;
	err = e820_to_memblock(k);
	if (err)
		return err;
	k->mem->max_pfn = PHYS_PFN(memblock_end_of_DRAM(&k->mem->memblock));
	err = hw_ram_grow(&k->hw->ram, PFN_PHYS(k->mem->max_pfn));
	if (err)
		return err;
	k->mem->mem_section = calloc(k->mem->nr_mem_sections, sizeof(*k->mem->mem_section));
	if (!k->mem->mem_section)
		return -ENOMEM;
	kmm_set_machine_globals(k);	/* pfn_to_page works from here */
	err = sparse_init(k);
	if (err)
		return err;
	bytes = ALIGN(k->mem->max_possible_pfn >> pageblock_order, PAGE_SIZE);
	pb = memblock_phys_alloc(&k->mem->memblock, bytes, PAGE_SIZE);
	if (!pb)
		return -ENOMEM;
	k->mem->pageblock_mt = phys_to_virt(pb);
	memset(k->mem->pageblock_mt, MIGRATE_MOVABLE, bytes);
	return init_mem_mapping(k);
}

static void memmap_init(struct kmm *k)
{
	unsigned long nr;

	for (nr = 0; nr < k->mem->nr_mem_sections; nr++)
		if (k->mem->mem_section[nr].flags & SECTION_IS_PRESENT) {
			memmap_init_section(k, nr);
			k->mem->mem_section[nr].flags |= SECTION_IS_ONLINE;
		}
}

/* Gives back everything mm_core_init made, in reverse (a failed init too). */
void mm_core_exit(struct kmm *k)
{
	fail_page_alloc_exit(k);
	failslab_exit(k);
	vmalloc_exit(k);
	workingset_exit(k);
	kmem_cache_exit(k);
	page_alloc_exit(k);
	lru_exit(k);
	hw_ram_exit(&k->hw->ram);
	free(k->mem->mem_section);
	free(k->mem->vm_events);
}

/*
 * The kernel's own boot allocations failed: say why.  Memory this fresh
 * is neither fragmented nor in use, so it is the watermarks: no zone has
 * free pages above its min watermark (plus the reserve kept for lower
 * zones), which min_free_kbytes sets, for a boot option or a small mem.
 */
static void report_boot_oom(struct kmm *k, const char *what)
{
	unsigned long managed = 0, min = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];

		if (!populated_zone(zone))
			continue;
		managed += zone_managed_pages(zone);
		min += min_wmark_pages(zone);
	}
	if (k->mem->user_min_free_kbytes >= 0)
		kmm_report(NULL, "kmm_boot: cannot set up %s: min_free_kbytes=%d is larger "
			   "than what memory allows: mem=%luM leaves %lu kB to the page "
			   "allocator, and the kernel allocates only above the min watermarks "
			   "(%lu kB)\n", what, k->mem->user_min_free_kbytes, k->cfg.mem >> 20,
			   managed << (PAGE_SHIFT - 10), min << (PAGE_SHIFT - 10));
	else
		kmm_report(NULL, "kmm_boot: cannot set up %s: mem=%luM is too small "
			   "(%lu kB for the page allocator, min watermarks %lu kB)\n",
			   what, k->cfg.mem >> 20, managed << (PAGE_SHIFT - 10),
			   min << (PAGE_SHIFT - 10));
}

/*
 * Memory management's boot (Linux's mm_core_init and the setup_arch work
 * before it): RAM and memblock, the memmap, the buddy allocator, the slab,
 * vmalloc.  k has its configuration; 0, or -1 with the reason reported
 * (mm_core_exit then gives back what was made).
 */
int mm_core_init(struct kmm *k)
{
	k->hw->ram.memfd = -1;
	INIT_LIST_HEAD(&k->mem->shrinker_list);
	ratelimit_state_init(&k->mem->nopage_rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
	ratelimit_state_init(&k->mem->bad_order_rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
	pthread_mutex_init(&k->mem->shrinker_lock, NULL);
	k->mem->nofail_may_wait = true;
	fail_page_alloc_init(k);
	failslab_init(k);
	k->mem->vm_events = aligned_alloc(64, (k->nr_cpus + 1) * sizeof(*k->mem->vm_events));
	if (k->mem->vm_events)
		memset(k->mem->vm_events, 0, (k->nr_cpus + 1) * sizeof(*k->mem->vm_events));
	if (!k->mem->vm_events || setup_memory(k)) {
		kmm_report(NULL, "kmm_boot: cannot set up %lu bytes of RAM\n", k->cfg.mem);
		return -1;
	}
	free_area_init(k);
	if (lru_init(k)) {
		kmm_report(NULL, "kmm_boot: cannot set up the LRU lists: out of host memory\n");
		return -1;
	}
	kswapd_init(k);
	memmap_init(k);
	if (page_alloc_init(k)) {
		kmm_report(NULL, "kmm_boot: cannot set up the page allocator: out of host memory\n");
		return -1;
	}
	memblock_free_all(k);
	k->mem->pgtable_after_boot = true;
	init_per_zone_wmark_min(k);
	if (kmem_cache_init(k)) {
		report_boot_oom(k, "the slab allocator");
		return -1;
	}
	if (vmalloc_init(k)) {
		report_boot_oom(k, "vmalloc");
		return -1;
	}
	if (radix_tree_init(k) || workingset_init(k)) {
		report_boot_oom(k, "the page cache");
		return -1;
	}
	mm_util_init(k);
	page_writeback_init(k);
	oom_init(k);
	return 0;
}

/* The boot options that fail allocations, once the machine is up: they
 * fail the machine's work, not its boot. */
void mm_fault_inject_setup(struct kmm *k)
{
	fail_page_alloc_setup(k);
	failslab_setup(k);
}

unsigned long totalram_pages(void)
{
	return __totalram_pages(kmm_cur());
}

/* ------------------------------------------------------------------ */
/* Sizing: watermarks, lowmem reserves, pcp batch and high (Linux's     */
/* page_alloc.c computations, kept here with the rest of zone setup)    */
/* ------------------------------------------------------------------ */

unsigned long nr_free_buffer_pages(struct kmm *k)
{
	unsigned long sum = 0;
	int i;

	/* Pages above the high watermark in zones GFP_USER may use. */
	for (i = 0; i <= ZONE_NORMAL; i++) {
		struct zone *z = &k->mem->node.node_zones[i];
		unsigned long size = zone_managed_pages(z);
		unsigned long high = high_wmark_pages(z);

		if (size > high)
			sum += size - high;
	}
	return sum;
}

static unsigned long rounddown_pow_of_two(unsigned long n)
{
	return n ? 1ul << (63 - __builtin_clzl(n)) : 0;
}

void setup_per_zone_wmarks(struct kmm *k)
{
	unsigned long pages_min = (unsigned long)k->mem->min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		if (i != ZONE_MOVABLE)
			lowmem_pages += zone_managed_pages(&k->mem->node.node_zones[i]);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];
		unsigned long managed = zone_managed_pages(zone);
		unsigned long tmp = lowmem_pages ? pages_min * managed / lowmem_pages : 0;

		pthread_mutex_lock(&zone->lock);
		if (i == ZONE_MOVABLE)	/* like highmem: a small fixed min */
			zone->_watermark[WMARK_MIN] = clamp(managed / 1024, 32ul, 128ul);
		else
			zone->_watermark[WMARK_MIN] = tmp;
		/* The gap is a quarter of min or watermark_scale_factor/10000. */
		tmp = max(tmp >> 2, managed * (unsigned long)k->mem->watermark_scale_factor / 10000);
		zone->watermark_boost = 0;
		zone->_watermark[WMARK_LOW] = min_wmark_pages(zone) + tmp;
		zone->_watermark[WMARK_HIGH] = low_wmark_pages(zone) + tmp;
		zone->_watermark[WMARK_PROMO] = high_wmark_pages(zone) + tmp;
		pthread_mutex_unlock(&zone->lock);
	}
}

void setup_per_zone_lowmem_reserve(struct kmm *k)
{
	int i, j;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];
		int ratio = k->mem->lowmem_reserve_ratio[i];
		bool clear = !ratio || !zone_managed_pages(zone);
		unsigned long managed = 0;

		for (j = i + 1; j < MAX_NR_ZONES; j++) {
			managed += zone_managed_pages(&k->mem->node.node_zones[j]);
			zone->lowmem_reserve[j] = clear ? 0 : (long)(managed / (unsigned long)ratio);
		}
	}
}

static void calculate_totalreserve_pages(struct kmm *k)
{
	unsigned long reserve = 0;
	int i, j;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];
		long max = 0;

		for (j = i; j < MAX_NR_ZONES; j++)
			if (zone->lowmem_reserve[j] > max)
				max = zone->lowmem_reserve[j];
		max += (long)high_wmark_pages(zone);
		if (max > (long)zone_managed_pages(zone))
			max = (long)zone_managed_pages(zone);
		reserve += (unsigned long)max;
	}
	k->mem->totalreserve_pages = reserve;
}

int zone_batchsize(const struct zone *zone)
{
	long batch = (long)min(zone_managed_pages(zone) >> 10, (1ul << 20) / PAGE_SIZE);

	/* About a quarter of a megabyte, rounded to 2^n - 1 (cache colouring). */
	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = (long)rounddown_pow_of_two((unsigned long)(batch + batch / 2)) - 1;
	return (int)max(batch, 1l);
}

int zone_highsize(struct kmm *k, const struct zone *zone, int batch,
			 int high_fraction)
{
	unsigned long total = high_fraction ?
			      zone_managed_pages(zone) / (unsigned long)high_fraction :
			      low_wmark_pages(zone);
	int high = (int)(total / k->nr_cpus);

	/* Split across the CPUs, but never below four batches. */
	return max(high, batch << 2);
}

void zone_pcp_init(struct kmm *k, struct zone *zone)
{
	struct vm_event_state *events = k->mem->vm_events;
	long zid = zone - k->mem->node.node_zones;
	unsigned int cpu;
	int i;

	for (cpu = 0; cpu < k->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		memset(pcp, 0, sizeof(*pcp));
		for (i = 0; i < NR_PCP_LISTS; i++)
			INIT_LIST_HEAD(&pcp->lists[i]);
		pcp->batch = 1;		/* boot pageset: no caching yet */
		pcp->high = 0;
		if (!events)
			continue;	/* a bare machine of a test: it never allocates */
		pcp->pgalloc_event = &events[cpu].event[PGALLOC_NORMAL - ZONE_NORMAL + zid];
		pcp->pgfree_event = &events[cpu].event[PGFREE];
	}
}

/*
 * After a write to vm.min_free_kbytes or vm.watermark_scale_factor (Linux's
 * setup_per_zone_wmarks): the watermarks, the reserve they add up to and
 * the per-CPU list sizes that follow the low watermark.
 */
void refresh_per_zone_wmarks(struct kmm *k)
{
	int i;

	setup_per_zone_wmarks(k);
	calculate_totalreserve_pages(k);
	for (i = 0; i < MAX_NR_ZONES; i++)
		if (populated_zone(&k->mem->node.node_zones[i]))
			zone_pcp_update(k, &k->mem->node.node_zones[i]);
}

/* Derives min_free_kbytes (unless set) and everything that follows from it. */
void init_per_zone_wmark_min(struct kmm *k)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages(k) * (PAGE_SIZE >> 10);
	long computed = (long)int_sqrt(lowmem_kbytes * 16);
	int i;

	if (k->mem->user_min_free_kbytes < 0)
		k->mem->min_free_kbytes = (int)clamp(computed, 128l, 262144l);
	else
		k->mem->min_free_kbytes = k->mem->user_min_free_kbytes;
	setup_per_zone_wmarks(k);
	setup_per_zone_lowmem_reserve(k);
	calculate_totalreserve_pages(k);
	for (i = 0; i < MAX_NR_ZONES; i++)
		if (populated_zone(&k->mem->node.node_zones[i]))
			zone_pcp_update(k, &k->mem->node.node_zones[i]);
}

int page_alloc_init(struct kmm *k)
{
	static const int ratio[MAX_NR_ZONES] = { 256, 256, 32, 0, 0 };
	int i;

	k->mem->user_min_free_kbytes = k->cfg.min_free_kbytes ? k->cfg.min_free_kbytes : -1;
	k->mem->watermark_scale_factor = k->cfg.watermark_scale_factor;
	memcpy(k->mem->lowmem_reserve_ratio, ratio, sizeof(ratio));
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];

		zone->per_cpu_pageset = aligned_alloc(64, k->nr_cpus * sizeof(struct per_cpu_pages));
		if (!zone->per_cpu_pageset)
			return -1;
		zone_pcp_init(k, zone);
	}
	return 0;
}

void page_alloc_exit(struct kmm *k)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		free(k->mem->node.node_zones[i].per_cpu_pageset);
		k->mem->node.node_zones[i].per_cpu_pageset = NULL;
		pthread_mutex_destroy(&k->mem->node.node_zones[i].lock);
	}
}

