/*
 * hw/repl/random.c - random replacement from a seeded xorshift64, so that
 * a run repeats.  The ways' words are not used (they stay 0).
 */
#include "hw/repl/repl.h"

static void rnd_init(struct repl *r, unsigned int seed)
{
	r->rnd = (uint64_t)seed * 0x9e3779b97f4a7c15ull | 1;
}

static void rnd_insert(struct repl *r, const struct repl_set *s, unsigned int way)
{
	*repl_word(s, way) = 0;
}

static void rnd_hit(struct repl *r, const struct repl_set *s, unsigned int way)
{
}

static uint32_t rnd_next(struct repl *r)
{
	uint64_t x = r->rnd;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->rnd = x;
	return (uint32_t)(x >> 32);
}

/* A way chosen uniformly (the high half of next * ways). */
static unsigned int rnd_victim(struct repl *r, const struct repl_set *s)
{
	return (unsigned int)(((uint64_t)rnd_next(r) * s->ways) >> 32);
}

const struct repl_ops repl_random_ops = {
	.name = "random",
	.init = rnd_init,
	.insert = rnd_insert,
	.hit = rnd_hit,
	.victim = rnd_victim,
};
