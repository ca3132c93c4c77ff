/*
 * hw/repl/plru.c - bit-PLRU (also called MRU-bit or NRU): one "recently
 * used" bit per way, the way's word.  A use sets the way's bit; when that
 * would leave every bit set, the others are cleared.  The victim is the
 * first way whose bit is clear.  Unlike a tree-PLRU it works for any
 * number of ways.
 */
#include "hw/repl/repl.h"

static void plru_init(struct repl *r, unsigned int seed)
{
}

static void plru_hit(struct repl *r, const struct repl_set *s, unsigned int way)
{
	unsigned int used = 0;

	*repl_word(s, way) = 1;
	for (unsigned int w = 0; w < s->ways; w++)
		used += *repl_word(s, w);
	if (used == s->ways)
		for (unsigned int w = 0; w < s->ways; w++)
			*repl_word(s, w) = w == way;
}

/* The first way not recently used; way 0 if there is none (one way). */
static unsigned int plru_victim(struct repl *r, const struct repl_set *s)
{
	for (unsigned int w = 0; w < s->ways; w++)
		if (!*repl_word(s, w))
			return w;
	return 0;
}

/* Bits are 0 or 1, and a full set of more than one way has one clear. */
static const char *plru_check(const struct repl *r, const struct repl_set *s, uint64_t valid)
{
	unsigned int used = 0, nr_valid = 0;

	for (unsigned int w = 0; w < s->ways; w++) {
		if (!(valid >> w & 1))
			continue;
		if (*repl_word(s, w) > 1)
			return "PLRU bit not 0 or 1";
		used += *repl_word(s, w);
		nr_valid++;
	}
	if (s->ways > 1 && nr_valid == s->ways && used == s->ways)
		return "every PLRU bit set";
	return NULL;
}

const struct repl_ops repl_plru_ops = {
	.name = "plru",
	.init = plru_init,
	.insert = plru_hit,		/* a new item counts as used */
	.hit = plru_hit,
	.victim = plru_victim,
	.check = plru_check,
};
