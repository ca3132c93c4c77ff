/*
 * proc/vmstat.c - /proc/vmstat: every counter, one "name value" line each,
 * in Linux 6.18's order: zone counters, NUMA events, node counters, the
 * dirty thresholds, memmap pages, then the vm events.
 */
#include <kmm/vmstat.h>
#include "proc/internal.h"

static unsigned long numa_event_sum(struct kmm *k, int item)
{
	unsigned long sum = 0;
	unsigned int cpu;
	int z;

	/* One node: every allocation is both a hit and local. */
	if (item == NUMA_LOCAL)
		item = NUMA_HIT;
	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &k->mem->node.node_zones[z];

		for (cpu = 0; cpu < k->nr_cpus; cpu++)
			sum += READ_ONCE(zone->per_cpu_pageset[cpu].vm_numa_event[item]);
		sum += READ_ONCE(zone->numa_event_nocpu[item]);
	}
	return sum;
}

void vmstat_show(struct kmm *k, struct seq_buf *m)
{
	unsigned long thresh, bg, boot_memmap = 0, nr;
	int i;

	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(m, "%s %lu\n", zone_stat_names[i], __global_zone_page_state(k, i));
	for (i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		seq_printf(m, "%s %lu\n", numa_stat_names[i], numa_event_sum(k, i));
	for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		seq_printf(m, "%s %lu\n", node_stat_names[i], node_page_state(&k->mem->node, i));
	global_dirty_limits(k, &bg, &thresh);
	seq_printf(m, "nr_dirty_threshold %lu\n", thresh);
	seq_printf(m, "nr_dirty_background_threshold %lu\n", bg);
	/* struct pages: from memblock at boot, on the memory itself when hot-added. */
	for (nr = 0; nr < k->mem->nr_mem_sections; nr++)
		if (k->mem->mem_section[nr].flags & SECTION_IS_PRESENT)
			boot_memmap += PAGES_PER_SECTION * sizeof(struct page) / PAGE_SIZE;
	boot_memmap -= k->mem->vmemmap_pages;
	seq_printf(m, "nr_memmap_pages %lu\n", k->mem->vmemmap_pages);
	seq_printf(m, "nr_memmap_boot_pages %lu\n", boot_memmap);
	for (i = 0; i < NR_VM_EVENT_ITEMS; i++)
		seq_printf(m, "%s %lu\n", vm_event_names[i], sum_vm_event(k, i));
	seq_puts(m, "nr_unstable 0\n");
}
