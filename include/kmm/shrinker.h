/*
 * include/kmm/shrinker.h - shrinkers: caches that can give memory back
 * register one, and reclaim asks them (Linux's include/linux/shrinker.h).
 */
#ifndef KMM_SHRINKER_H
#define KMM_SHRINKER_H

#include <kmm/gfp.h>
#include <kmm/list.h>

#define SHRINK_STOP	(~0ul)
#define SHRINK_EMPTY	(~0ul - 1)
#define DEFAULT_SEEKS	2

struct shrink_control {
	gfp_t gfp_mask;
	int nid;
	unsigned long nr_to_scan;	/* objects to scan this call */
	unsigned long nr_scanned;	/* objects scanned (set by scan) */
};

struct shrinker {
	/* How many objects could be freed now (0: none, SHRINK_EMPTY). */
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *);
	/* Frees up to nr_to_scan objects; returns how many, or SHRINK_STOP. */
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *);
	long batch;			/* objects per scan call (0: 128) */
	int seeks;			/* cost to recreate an object */
	void *private_data;
	char name[32];
	struct list_head list;
	struct kmm *k;
};

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void shrinker_register(struct shrinker *shrinker);
void shrinker_free(struct shrinker *shrinker);
/*
 * Asks every registered shrinker of the current machine for memory, as
 * reclaim does at priority (12 = gentle .. 0 = everything).  Returns the
 * objects freed.
 */
unsigned long shrink_slab(gfp_t gfp, int nid, void *memcg, int priority);

#endif /* KMM_SHRINKER_H */
