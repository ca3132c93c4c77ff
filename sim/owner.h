/*
 * sim/owner.h - what a script has allocated.  A script plays a kernel
 * module: it may free what it allocated, and misuse of that (double frees,
 * wrong orders, pointers into the middle) goes to the kernel, which
 * reports it.  But memory the simulated kernel itself holds (per-CPU
 * arrays, page tables, its own slab objects) looks like any allocated
 * memory to the allocators; a script freeing it would corrupt the machine,
 * so the interpreter refuses that, using this set.
 */
#ifndef KMM_SIM_OWNER_H
#define KMM_SIM_OWNER_H

#include <stdbool.h>
#include <stddef.h>

struct owner_set {
	unsigned long *keys;	/* open addressing; 0 empty, 1 deleted */
	size_t cap;
	size_t used;		/* live keys and tombstones */
};

/* Keys: pages by pfn, objects and vmalloc areas by kernel address. */
static inline unsigned long owner_page_key(unsigned long pfn) { return pfn << 4 | 2; }
static inline unsigned long owner_addr_key(unsigned long kaddr) { return kaddr | 4; }

void owner_add(struct owner_set *o, unsigned long key);
bool owner_has(const struct owner_set *o, unsigned long key);
bool owner_del(struct owner_set *o, unsigned long key);
void owner_free(struct owner_set *o);

#endif
