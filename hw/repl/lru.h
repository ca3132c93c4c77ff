/*
 * hw/repl/lru.h - true LRU's hit and victim, inline: the default policy of
 * the TLB and the one on its hot paths, so repl.h's wrappers run these
 * without a call through the ops table.  Only repl.h includes this file;
 * the policy's definition is in lru.c.
 */
#ifndef KMM_HW_REPL_LRU_H
#define KMM_HW_REPL_LRU_H

/* Renumbers every set of r's owner and rewinds the clock (lru.c). */
void repl_lru_renumber(struct repl *r);

/* way was just used (or filled): the clock's next value. */
static inline void lru_stamp(struct repl *r, const struct repl_set *s, unsigned int way)
{
	if (__builtin_expect(*r->clock == REPL_CLOCK_MAX, 0))
		repl_lru_renumber(r);
	*repl_word(s, way) = ++*r->clock;
}

/*
 * The first way with the smallest stamp.  An empty way's stamp is 0, below
 * every used one, so this is the first empty way when there is one: an
 * owner need not look for those first.
 */
static inline unsigned int lru_oldest(const struct repl_set *s)
{
	unsigned int v = 0;
	uint32_t oldest = *repl_word(s, 0);

	for (unsigned int w = 1; w < s->ways; w++) {
		uint32_t stamp = *repl_word(s, w);

		if (stamp < oldest) {
			v = w;
			oldest = stamp;
		}
	}
	return v;
}

#endif /* KMM_HW_REPL_LRU_H */
