/*
 * mm/shrinker.c - the shrinker registry and shrink_slab(): how reclaim
 * asks caches (the slab allocator's free slabs today; the dentry and inode
 * caches of a real kernel) to give memory back.  Mirrors Linux 6.7+'s
 * mm/shrinker.c: each shrinker is asked to scan a share of its objects
 * that grows as the priority drops, in batches.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "mm/internal.h"
#include "fs/machine.h"
#include <kmm/shrinker.h>

#define SHRINK_BATCH 128

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *s = calloc(1, sizeof(*s));
	va_list ap;

	(void)flags;
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s->name, sizeof(s->name), fmt, ap);
	va_end(ap);
	s->seeks = DEFAULT_SEEKS;
	INIT_LIST_HEAD(&s->list);
	return s;
}

void shrinker_register(struct shrinker *s)
{
	struct kmm *k = kmm_cur();

	s->k = k;
	pthread_mutex_lock(&k->mem->shrinker_lock);
	list_add_tail(&s->list, &k->mem->shrinker_list);
	pthread_mutex_unlock(&k->mem->shrinker_lock);
}

void shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	if (s->k) {
		pthread_mutex_lock(&s->k->mem->shrinker_lock);
		list_del(&s->list);
		pthread_mutex_unlock(&s->k->mem->shrinker_lock);
	}
	free(s);
}

/* One shrinker: scan freeable >> priority objects (x 2 / seeks), in batches. */
static unsigned long do_shrink_slab(struct shrink_control *sc, struct shrinker *s,
				    int priority)
{
	unsigned long freeable = s->count_objects(s, sc), total, freed = 0;
	long batch = s->batch ? s->batch : SHRINK_BATCH;

	if (!freeable || freeable == SHRINK_EMPTY)
		return 0;
	total = (freeable >> priority) * 4 / (unsigned long)(s->seeks ? s->seeks : 1);
	if (!total)
		total = min(freeable, (unsigned long)batch);
	while (total) {
		unsigned long ret;

		sc->nr_to_scan = min(total, (unsigned long)batch);
		sc->nr_scanned = sc->nr_to_scan;
		ret = s->scan_objects(s, sc);
		if (ret == SHRINK_STOP)
			break;
		freed += ret;
		total -= min(total, sc->nr_scanned);
	}
	return freed;
}

unsigned long __shrink_slab(struct kmm *k, gfp_t gfp, int priority)
{
	struct shrink_control sc = { .gfp_mask = gfp };
	struct shrinker *s;
	unsigned long freed = 0;

	/* Never wait for the list: reclaim may run under a shrinker's caller. */
	if (pthread_mutex_trylock(&k->mem->shrinker_lock))
		return 0;
	list_for_each_entry(s, &k->mem->shrinker_list, list)
		freed += do_shrink_slab(&sc, s, priority);
	pthread_mutex_unlock(&k->mem->shrinker_lock);
	return freed;
}

unsigned long shrink_slab(gfp_t gfp, int nid, void *memcg, int priority)
{
	(void)nid;
	(void)memcg;
	return __shrink_slab(kmm_cur(), gfp, priority);
}

/*
 * drop_slab (echo 2 > /proc/sys/vm/drop_caches): every shrinker, again
 * and again while a round still frees more than a few objects, then the
 * slab caches' free slabs back to the page allocator.
 */
void drop_slab(struct kmm *k)
{
	unsigned long freed;
	int rounds = 0;

	do {
		freed = __shrink_slab(k, GFP_KERNEL, 0);
	} while (freed > 10 && ++rounds < 64);
}

/*
 * echo N > /proc/sys/vm/drop_caches (Linux's fs/drop_caches.c): 1 drops
 * the clean, unmapped page cache; 2 the reclaimable slab objects, with
 * the inodes nothing holds; 3 both; bit 4 only turns Linux's log line off
 * (kmm logs none).  Each counts in /proc/vmstat.
 */
void drop_caches(struct kmm *k, int what)
{
	if (what & 1) {
		drop_pagecache_sb(k);
		__count_vm_events(k, smp_processor_id(k), DROP_PAGECACHE, 1);
	}
	if (what & 2) {
		prune_icache_sb(k);
		drop_slab(k);
		__count_vm_events(k, smp_processor_id(k), DROP_SLAB, 1);
	}
}
