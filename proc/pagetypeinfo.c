/*
 * proc/pagetypeinfo.c - /proc/pagetypeinfo: free blocks per order and
 * migratetype, then pageblocks per migratetype (Linux's pagetypeinfo_show).
 */
#include "proc/internal.h"

static void showfree(struct kmm *k, struct seq_buf *m)
{
	unsigned int order;
	int i, mt;

	seq_printf(m, "%-43s ", "Free pages count per migrate type at order");
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		seq_printf(m, "%6u ", order);
	seq_putc(m, '\n');
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];

		if (!populated_zone(zone))
			continue;
		pthread_mutex_lock(&zone->lock);
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			seq_printf(m, "Node %4d, zone %8s, type %12s ",
				   k->mem->node.node_id, zone->name, migratetype_names[mt]);
			for (order = 0; order < NR_PAGE_ORDERS; order++) {
				unsigned long n = zone->free_area[order].nr_free_mt[mt];

				/* Linux stops counting at 100000 and prints ">". */
				if (n >= 100000)
					seq_printf(m, ">%6lu ", 100000ul);
				else
					seq_printf(m, "%6lu ", n);
			}
			seq_putc(m, '\n');
		}
		pthread_mutex_unlock(&zone->lock);
	}
}

static void showblockcount(struct kmm *k, struct seq_buf *m)
{
	int i, mt;

	seq_printf(m, "\n%-23s", "Number of blocks type ");
	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		seq_printf(m, "%12s ", migratetype_names[mt]);
	seq_putc(m, '\n');
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &k->mem->node.node_zones[i];
		unsigned long count[MIGRATE_TYPES] = { 0 }, pfn;

		if (!populated_zone(zone))
			continue;
		for (pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone);
		     pfn += pageblock_nr_pages)
			if (pfn_valid(pfn))
				count[get_pageblock_migratetype(k, pfn)]++;
		seq_printf(m, "Node %d, zone %8s ", k->mem->node.node_id, zone->name);
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			seq_printf(m, "%12lu ", count[mt]);
		seq_putc(m, '\n');
	}
}

void pagetypeinfo_show(struct kmm *k, struct seq_buf *m)
{
	seq_printf(m, "Page block order: %d\n", pageblock_order);
	seq_printf(m, "Pages per block:  %lu\n", pageblock_nr_pages);
	seq_putc(m, '\n');
	showfree(k, m);
	showblockcount(k, m);
}
