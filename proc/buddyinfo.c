/*
 * proc/buddyinfo.c - /proc/buddyinfo: free blocks per order, per populated
 * zone (Linux's frag_show).
 */
#include "proc/internal.h"

void buddyinfo_show(struct kmm *k, struct seq_buf *m)
{
	int i;
	unsigned int order;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];

		if (!populated_zone(zone))
			continue;
		pthread_mutex_lock(&zone->lock);
		seq_printf(m, "Node %d, zone %8s ", k->mem->node.node_id, zone->name);
		for (order = 0; order < NR_PAGE_ORDERS; order++)
			seq_printf(m, "%6lu ", zone->free_area[order].nr_free);
		seq_putc(m, '\n');
		pthread_mutex_unlock(&zone->lock);
	}
}
