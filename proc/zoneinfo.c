/*
 * proc/zoneinfo.c - /proc/zoneinfo: per zone its free pages, watermarks,
 * sizes, lowmem protection, counters and per-CPU pagesets, preceded for the
 * first populated zone by the node's counters (Linux 6.18's
 * zoneinfo_show_print).
 */
#include "proc/internal.h"

static int fls_ul(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

/* The per-CPU counter fold threshold Linux would use for this zone. */
static int stat_threshold(const struct kmm *k, const struct zone *zone)
{
	unsigned long mem = zone_managed_pages(zone) >> (27 - PAGE_SHIFT);
	int t = 2 * fls_ul(k->nr_cpus) * (1 + fls_ul(mem));

	return t < 125 ? t : 125;
}

static unsigned long zone_numa_event_state(const struct kmm *k,
					   const struct zone *zone, int item)
{
	unsigned long sum = 0;
	unsigned int cpu;

	/* One node: every allocation is a hit and local. */
	if (item == NUMA_LOCAL)
		item = NUMA_HIT;
	for (cpu = 0; cpu < k->nr_cpus; cpu++)
		sum += READ_ONCE(zone->per_cpu_pageset[cpu].vm_numa_event[item]);
	return sum + READ_ONCE(zone->numa_event_nocpu[item]);
}

static bool is_first_populated(const struct kmm *k, const struct zone *zone)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		if (populated_zone(&k->mem->node.node_zones[i]))
			return &k->mem->node.node_zones[i] == zone;
	return false;
}

static void show_pagesets(struct kmm *k, struct seq_buf *m, struct zone *zone)
{
	unsigned int cpu;

	seq_printf(m, "\n  pagesets");
	for (cpu = 0; cpu < k->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		seq_printf(m, "\n    cpu: %u"
			   "\n              count:    %i"
			   "\n              high:     %i"
			   "\n              batch:    %i"
			   "\n              high_min: %i"
			   "\n              high_max: %i",
			   cpu, READ_ONCE(pcp->count), READ_ONCE(pcp->high),
			   READ_ONCE(pcp->batch), READ_ONCE(pcp->high_min),
			   READ_ONCE(pcp->high_max));
		seq_printf(m, "\n  vm stats threshold: %d", stat_threshold(k, zone));
	}
}

static void zone_show(struct kmm *k, struct seq_buf *m, struct zone *zone)
{
	int i;

	seq_printf(m, "Node %d, zone %8s", k->mem->node.node_id, zone->name);
	if (is_first_populated(k, zone)) {
		seq_printf(m, "\n  per-node stats");
		for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
			seq_printf(m, "\n      %-12s %lu", node_stat_names[i],
				   node_page_state(&k->mem->node, i));
	}
	seq_printf(m, "\n  pages free     %lu"
		   "\n        boost    %lu"
		   "\n        min      %lu"
		   "\n        low      %lu"
		   "\n        high     %lu"
		   "\n        promo    %lu"
		   "\n        spanned  %lu"
		   "\n        present  %lu"
		   "\n        managed  %lu"
		   "\n        cma      %lu",
		   zone_page_state(zone, NR_FREE_PAGES), zone->watermark_boost,
		   min_wmark_pages(zone), low_wmark_pages(zone),
		   high_wmark_pages(zone), promo_wmark_pages(zone),
		   zone->spanned_pages, zone->present_pages,
		   zone_managed_pages(zone), 0ul);
	seq_printf(m, "\n        protection: (%ld", zone->lowmem_reserve[0]);
	for (i = 1; i < MAX_NR_ZONES; i++)
		seq_printf(m, ", %ld", zone->lowmem_reserve[i]);
	seq_putc(m, ')');
	if (!populated_zone(zone)) {
		seq_putc(m, '\n');
		return;
	}
	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(m, "\n      %-12s %lu", zone_stat_names[i],
			   zone_page_state(zone, i));
	for (i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		seq_printf(m, "\n      %-12s %lu", numa_stat_names[i],
			   zone_numa_event_state(k, zone, i));
	show_pagesets(k, m, zone);
	seq_printf(m, "\n  node_unreclaimable:  %u\n  start_pfn:           %lu",
		   0u, zone->zone_start_pfn);
	seq_putc(m, '\n');
}

void zoneinfo_show(struct kmm *k, struct seq_buf *m)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		zone_show(k, m, &k->mem->node.node_zones[i]);
}
