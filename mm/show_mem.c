/*
 * mm/show_mem.c - the state of memory in a report, as Linux's
 * mm/show_mem.c: the counters of the "Mem-Info:" block, one line per
 * zone with its free pages and watermarks, and the totals.  The page
 * allocator's warning (warn_alloc) prints the zone lines, the OOM
 * killer's report (dump_header) all of it.
 *
 * Shorter than Linux's: no per-node line of kB, no per-zone order
 * breakdown ("Node 0 DMA: 1*4kB ..."), and the zone lines carry the
 * fields kmm had first (free, min, low, high, managed).
 */
#include <stdio.h>
#include "mm/internal.h"

size_t show_zones(struct kmm *k, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &k->mem->node.node_zones[i];

		if (!populated_zone(z) || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n,
			"Node 0 %s free:%lukB min:%lukB low:%lukB high:%lukB managed:%lukB\n",
			z->name, zone_page_state(z, NR_FREE_PAGES) << 2,
			min_wmark_pages(z) << 2, low_wmark_pages(z) << 2,
			high_wmark_pages(z) << 2, zone_managed_pages(z) << 2);
	}
	return min(n, len);
}

/* The free pages on the CPUs' lists, every zone. */
static unsigned long free_pcp_pages(struct kmm *k)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		n += zone_pcp_count(k, &k->mem->node.node_zones[i]);
	return n;
}

void __show_mem(struct kmm *k)
{
	const pg_data_t *n = &k->mem->node;
	unsigned long ram = 0, present = 0;
	char zones[1024];
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		ram += zone_managed_pages(&n->node_zones[i]);
		present += n->node_zones[i].present_pages;
	}
	show_zones(k, zones, sizeof(zones));
	kmm_report(k, "Mem-Info:\n"
		   "active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n"
		   " active_file:%lu inactive_file:%lu isolated_file:%lu\n"
		   " unevictable:%lu dirty:%lu writeback:%lu\n"
		   " slab_reclaimable:%lu slab_unreclaimable:%lu\n"
		   " mapped:%lu shmem:%lu pagetables:%lu\n"
		   " sec_pagetables:%lu bounce:0\n"
		   " kernel_misc_reclaimable:%lu\n"
		   " free:%lu free_pcp:%lu free_cma:0\n"
		   "%s"
		   "%lu total pagecache pages\n"
		   "Free swap  = %lukB\n"
		   "Total swap = %lukB\n"
		   "%lu pages RAM\n"
		   "0 pages HighMem/MovableOnly\n"
		   "%lu pages reserved\n",
		   node_page_state(n, NR_ACTIVE_ANON), node_page_state(n, NR_INACTIVE_ANON),
		   node_page_state(n, NR_ISOLATED_ANON),
		   node_page_state(n, NR_ACTIVE_FILE), node_page_state(n, NR_INACTIVE_FILE),
		   node_page_state(n, NR_ISOLATED_FILE),
		   node_page_state(n, NR_UNEVICTABLE), node_page_state(n, NR_DIRTY),
		   node_page_state(n, NR_WRITEBACK),
		   node_page_state(n, NR_SLAB_RECLAIMABLE), node_page_state(n, NR_SLAB_UNRECLAIMABLE),
		   node_page_state(n, NR_MAPPED), node_page_state(n, NR_SHMEM),
		   node_page_state(n, NR_PAGE_TABLE_PAGES),
		   node_page_state(n, NR_SEC_PAGE_TABLE_PAGES),
		   node_page_state(n, NR_KERNEL_MISC_RECLAIMABLE),
		   __global_zone_page_state(k, NR_FREE_PAGES), free_pcp_pages(k),
		   zones, node_page_state(n, NR_FILE_PAGES),
		   (unsigned long)get_nr_swap_pages(k) << (PAGE_SHIFT - 10),
		   (unsigned long)get_total_swap_pages(k) << (PAGE_SHIFT - 10),
		   present, present - ram);
}
