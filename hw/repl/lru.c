/*
 * hw/repl/lru.c - true LRU.  A way's word is the value of the owner's clock
 * when its item was last used (0: empty); the victim is the smallest.  The
 * clock is shared by all the owner's sets, so one increment is the whole
 * bookkeeping of a hit: hw/tlb.h does it inline.  Before the clock wraps,
 * every set is renumbered 1..ways in the same order.  The hit and the
 * victim are inline in lru.h.
 */
#include <kmm/compiler.h>
#include "hw/repl/repl.h"

static void lru_init(struct repl *r, unsigned int seed)
{
	*r->clock = 0;
}

/* Renumbers s's stamps 1..ways, keeping their order; empty ways stay 0. */
static void lru_renumber_set(struct repl *r, const struct repl_set *s)
{
	uint32_t rank[REPL_MAX_WAYS];

	for (unsigned int w = 0; w < s->ways; w++) {
		uint32_t mine = *repl_word(s, w);

		rank[w] = 0;
		if (!mine)
			continue;
		for (unsigned int v = 0; v < s->ways; v++) {
			uint32_t other = *repl_word(s, v);

			rank[w] += other && other <= mine;
		}
	}
	for (unsigned int w = 0; w < s->ways; w++)
		*repl_word(s, w) = rank[w];
}

void repl_lru_renumber(struct repl *r)
{
	r->for_each_set(r, lru_renumber_set);
	*r->clock = REPL_MAX_WAYS;
}

/* The ops, for owners that call through the table (repl.h's wrappers inline them). */
static void lru_hit(struct repl *r, const struct repl_set *s, unsigned int way)
{
	lru_stamp(r, s, way);
}

static unsigned int lru_victim(struct repl *r, const struct repl_set *s)
{
	return lru_oldest(s);
}

/* Each valid way has a stamp in 1..clock, no two the same. */
static const char *lru_check(const struct repl *r, const struct repl_set *s, uint64_t valid)
{
	for (unsigned int w = 0; w < s->ways; w++) {
		uint32_t stamp = *repl_word(s, w);

		if (!(valid >> w & 1))
			continue;
		if (!stamp || stamp > *r->clock)
			return "LRU stamp out of range";
		for (unsigned int v = w + 1; v < s->ways; v++)
			if (valid >> v & 1 && *repl_word(s, v) == stamp)
				return "two LRU stamps equal";
	}
	return NULL;
}

const struct repl_ops repl_lru_ops = {
	.name = "lru",
	.init = lru_init,
	.insert = lru_hit,		/* a new item is the most recently used */
	.hit = lru_hit,
	.victim = lru_victim,
	.check = lru_check,
};
