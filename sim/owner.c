/*
 * sim/owner.c - a set of unsigned longs (open addressing, linear probing):
 * the allocations a script owns (sim/owner.h).
 */
#include <stdlib.h>
#include "sim/owner.h"

#define EMPTY 0ul
#define DELETED 1ul

static size_t slot_of(unsigned long key, size_t cap)
{
	key ^= key >> 29;
	key *= 0xbf58476d1ce4e5b9ul;
	key ^= key >> 32;
	return key & (cap - 1);
}

static void grow(struct owner_set *o)
{
	struct owner_set n = { 0 };
	size_t i;

	n.cap = o->cap ? o->cap * 2 : 64;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	if (!n.keys)
		abort();	/* the host is out of memory: nothing sensible left */
	for (i = 0; i < o->cap; i++)
		if (o->keys[i] > DELETED)
			owner_add(&n, o->keys[i]);
	free(o->keys);
	*o = n;
}

void owner_add(struct owner_set *o, unsigned long key)
{
	size_t i;

	if ((o->used + 1) * 4 >= o->cap * 3)
		grow(o);
	for (i = slot_of(key, o->cap); o->keys[i] > DELETED; i = (i + 1) & (o->cap - 1))
		if (o->keys[i] == key)
			return;
	if (o->keys[i] == EMPTY)
		o->used++;
	o->keys[i] = key;
}

static long find(const struct owner_set *o, unsigned long key)
{
	size_t i;

	if (!o->cap)
		return -1;
	for (i = slot_of(key, o->cap); o->keys[i] != EMPTY; i = (i + 1) & (o->cap - 1))
		if (o->keys[i] == key)
			return (long)i;
	return -1;
}

bool owner_has(const struct owner_set *o, unsigned long key)
{
	return find(o, key) >= 0;
}

bool owner_del(struct owner_set *o, unsigned long key)
{
	long i = find(o, key);

	if (i < 0)
		return false;
	o->keys[i] = DELETED;
	return true;
}

void owner_free(struct owner_set *o)
{
	free(o->keys);
	o->keys = NULL;
	o->cap = o->used = 0;
}
