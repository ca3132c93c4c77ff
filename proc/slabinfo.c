/*
 * proc/slabinfo.c - /proc/slabinfo in the "slabinfo - version: 2.1" format
 * of Linux's SLAB allocator (tunables and shared arrays included), and the
 * slabtop summary.
 */
#include "mm/slab.h"
#include "proc/internal.h"

void slabinfo_show(struct kmm *k, struct seq_buf *m)
{
	struct kmem_cache *s;

	seq_puts(m, "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>");
	seq_puts(m, " : tunables <limit> <batchcount> <sharedfactor>");
	seq_puts(m, " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	pthread_mutex_lock(&k->mem->slab->slab_mutex);
	list_for_each_entry_reverse(s, &k->mem->slab->slab_caches, list) {
		struct kmem_cache_info info;

		kmem_cache_get_info(s, &info);
		seq_printf(m, "%-17s %6lu %6lu %6u %4u %4u", s->name, info.active_objs,
			   info.num_objs, info.objsize, info.objperslab, info.pagesperslab);
		seq_printf(m, " : tunables %4u %4u %4u", info.limit, info.batchcount,
			   info.shared);
		seq_printf(m, " : slabdata %6lu %6lu %6lu\n", info.active_slabs,
			   info.num_slabs, info.shared_avail);
	}
	pthread_mutex_unlock(&k->mem->slab->slab_mutex);
}

/* slabtop's one-shot view: totals, then caches by memory held. */
void slabtop_show(struct kmm *k, struct seq_buf *m)
{
	struct kmem_cache *s, *order[256];
	struct kmem_cache_info info[256];
	unsigned long objs = 0, active = 0, slabs = 0, aslabs = 0, caches = 0, acaches = 0;
	unsigned long total = 0, used = 0;
	int n = 0, i, j;

	pthread_mutex_lock(&k->mem->slab->slab_mutex);
	list_for_each_entry(s, &k->mem->slab->slab_caches, list) {
		if (n == 256)
			break;
		order[n] = s;
		kmem_cache_get_info(s, &info[n]);
		n++;
	}
	pthread_mutex_unlock(&k->mem->slab->slab_mutex);
	for (i = 0; i < n; i++) {
		objs += info[i].num_objs;
		active += info[i].active_objs;
		slabs += info[i].num_slabs;
		aslabs += info[i].active_slabs;
		caches++;
		acaches += info[i].active_objs != 0;
		total += info[i].pages << PAGE_SHIFT;
		used += info[i].active_objs * order[i]->object_size;
	}
	/* Biggest memory first; insertion sort, n is small. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && info[j].pages > info[j - 1].pages; j--) {
			struct kmem_cache_info t = info[j];
			struct kmem_cache *ts = order[j];

			info[j] = info[j - 1];
			order[j] = order[j - 1];
			info[j - 1] = t;
			order[j - 1] = ts;
		}
	seq_printf(m, " Active / Total Objects (%% used)    : %lu / %lu (%.1f%%)\n",
		   active, objs, objs ? 100.0 * active / objs : 0.0);
	seq_printf(m, " Active / Total Slabs (%% used)      : %lu / %lu (%.1f%%)\n",
		   aslabs, slabs, slabs ? 100.0 * aslabs / slabs : 0.0);
	seq_printf(m, " Active / Total Caches (%% used)     : %lu / %lu (%.1f%%)\n",
		   acaches, caches, caches ? 100.0 * acaches / caches : 0.0);
	seq_printf(m, " Active / Total Size (%% used)       : %.2fK / %.2fK (%.1f%%)\n",
		   used / 1024.0, total / 1024.0, total ? 100.0 * used / total : 0.0);
	seq_puts(m, "\n  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME\n");
	for (i = 0; i < n; i++) {
		if (!info[i].num_objs)
			continue;
		seq_printf(m, "%6lu %6lu %3lu%% %7.2fK %6lu %8u %9luK %s\n",
			   info[i].num_objs, info[i].active_objs,
			   info[i].active_objs * 100 / info[i].num_objs,
			   order[i]->object_size / 1024.0, info[i].num_slabs,
			   info[i].objperslab, info[i].pages << (PAGE_SHIFT - 10),
			   order[i]->name);
	}
}
