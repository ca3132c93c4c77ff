/*
 * mm/memory_hotplug.c - adding RAM to a running machine, a section at a
 * time, as Linux's memory hotplug does: the new range is placed above the
 * PCI window, from the first section boundary after the existing RAM
 * (hotplug_base), each section carries its own struct
 * pages in its first 2 MiB (memory_hotplug.memmap_on_memory), and the rest
 * is onlined into ZONE_NORMAL, after which watermarks, lowmem reserves and
 * per-CPU list sizes are recomputed.  Memory is never added behind the
 * caller's back: only add_memory() / the `hotplug_add` command do it.
 */
#include <errno.h>
#include "mm/slab.h"

#define MEMMAP_PAGES_PER_SECTION (PAGES_PER_SECTION * sizeof(struct page) / PAGE_SIZE)

static pthread_mutex_t hotplug_lock = PTHREAD_MUTEX_INITIALIZER;

/* Grows ZONE_NORMAL's span over [start, end) and counts the new RAM. */
static void resize_normal_zone(struct kmm *k, unsigned long start,
			       unsigned long end, unsigned long present)
{
	struct zone *zone = &k->mem->node.node_zones[ZONE_NORMAL];

	pthread_mutex_lock(&zone->lock);
	if (!zone->spanned_pages)
		zone->zone_start_pfn = start;
	zone->spanned_pages = end - zone->zone_start_pfn;
	WRITE_ONCE(zone->present_pages, zone->present_pages + present);
	pthread_mutex_unlock(&zone->lock);
	k->mem->node.node_spanned_pages = end - k->mem->node.node_start_pfn;
	k->mem->node.node_present_pages += present;
}

/* One section: memmap on its first pages, the rest to the buddy lists. */
static int online_section(struct kmm *k, unsigned long nr)
{
	unsigned long start = nr * PAGES_PER_SECTION;
	unsigned long end = start + PAGES_PER_SECTION;
	int err;

	err = sparse_add_section(k, nr, PFN_PHYS(start));
	if (err)
		return err;
	memmap_init_section(k, nr);
	k->mem->mem_section[nr].flags |= SECTION_IS_ONLINE;
	k->mem->vmemmap_pages += MEMMAP_PAGES_PER_SECTION;
	resize_normal_zone(k, start, end, PAGES_PER_SECTION);
	free_range(k, start + MEMMAP_PAGES_PER_SECTION, end);
	return 0;
}

/*
 * Adds bytes of RAM (a multiple of the 128 MiB section size) to machine k.
 * Returns 0, -EINVAL for a bad size, -ENOSPC past max_mem, or -ENOMEM
 * when the direct map's tables cannot be allocated (nothing is added).
 */
int __add_memory(struct kmm *k, unsigned long bytes)
{
	unsigned long sections = bytes >> SECTION_SIZE_BITS, i;
	phys_addr_t base;
	int err = 0;

	if (!bytes || bytes & ((1ul << SECTION_SIZE_BITS) - 1))
		return -EINVAL;
	pthread_mutex_lock(&hotplug_lock);
	/* Written so that no sum can wrap around. */
	if (k->cfg.mem + k->mem->hotplug_added > k->cfg.max_mem ||
	    bytes > k->cfg.max_mem - k->cfg.mem - k->mem->hotplug_added) {
		err = -ENOSPC;
		goto out;
	}
	base = hotplug_base(k->cfg.mem) + k->mem->hotplug_added;
	if (PHYS_PFN(base + bytes) > k->mem->max_possible_pfn) {
		err = -ENOSPC;
		goto out;
	}
	err = hw_ram_grow(&k->hw->ram, base + bytes);
	if (err)
		goto out;
	/*
	 * The direct map first, as Linux's arch_add_memory: the pages go to
	 * the buddy allocator mapped, and if the tables cannot be had,
	 * nothing was added.
	 */
	err = map_direct_memory(k, base, base + bytes);
	if (err) {
		unmap_direct_memory(k, base, base + bytes);
		goto out;
	}
	for (i = 0; i < sections; i++) {
		err = online_section(k, PFN_DOWN(base) / PAGES_PER_SECTION + i);
		if (err)
			break;
	}
	/* Only what came online is RAM, in memblock and in the direct map. */
	if (i < sections)
		unmap_direct_memory(k, base + (i << SECTION_SIZE_BITS), base + bytes);
	if (i) {
		unsigned long done = i << SECTION_SIZE_BITS;

		memblock_add(&k->mem->memblock, base, done);
		k->mem->hotplug_added += done;
		k->mem->max_pfn = PHYS_PFN(base + done);
		if (k == kmm_global)	/* the current machine's, for pfn_to_page users */
			kmm_max_pfn = k->mem->max_pfn;
		build_zonelists(k);
		init_per_zone_wmark_min(k);
	}
out:
	pthread_mutex_unlock(&hotplug_lock);
	return err;
}

int add_memory(unsigned long bytes)
{
	return __add_memory(kmm_cur(), bytes);
}
