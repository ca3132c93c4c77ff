/*
 * mm/vmstat.c - counter names and the sums the /proc views print.
 * Zone counters are atomics in the zone; events are per CPU and summed here.
 */
#include "mm/internal.h"

const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {
	"nr_free_pages", "nr_free_pages_blocks", "nr_zone_inactive_anon",
	"nr_zone_active_anon", "nr_zone_inactive_file", "nr_zone_active_file",
	"nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock",
	"nr_zspages", "nr_free_cma",
};

const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS] = {
#define X(id, name) name,
	KMM_NODE_STATS(X)
#undef X
};

const char *const numa_stat_names[NR_VM_NUMA_EVENT_ITEMS] = {
	"numa_hit", "numa_miss", "numa_foreign", "numa_interleave",
	"numa_local", "numa_other",
};

const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
#define X(id, name) name,
	KMM_VM_EVENTS(X)
#undef X
};

unsigned long __global_zone_page_state(const struct kmm *k,
					 enum zone_stat_item item)
{
	unsigned long sum = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		sum += zone_page_state(&k->mem->node.node_zones[i], item);
	return sum;
}

unsigned long sum_vm_event(const struct kmm *k, enum vm_event_item item)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for (cpu = 0; cpu <= k->nr_cpus; cpu++)
		sum += READ_ONCE(k->mem->vm_events[cpu].event[item]);
	return sum;
}

unsigned long global_vm_event(enum vm_event_item item)
{
	return sum_vm_event(kmm_cur(), item);
}
