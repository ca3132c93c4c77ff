/*
 * hw/repl/repl.h - replacement policies for set-associative structures: one
 * interface, one file per policy (lru.c, plru.c, random.c).  The TLB's
 * arrays use it (hw/tlb.c); the CPU caches and page-replacement
 * experiments are meant to.  docs/tlb.md describes it.
 *
 * Glossary:
 *   set     the ways an item can go to.  The policy sees a set as ways
 *           32-bit words of state, one per way, kept by the owner where it
 *           likes (the TLB keeps each in its entry, beside the tag):
 *           struct repl_set says where.  A fresh set's words are 0, and so
 *           is the word of an empty way once remove() has run.
 *   repl    one owner's policy: its ops and what all the owner's sets share
 *           (the LRU clock, the random generator).  The owner embeds it.
 *   victim  the way a new item replaces when every way is full.  Empty ways
 *           are the owner's business: it fills those first and asks for a
 *           victim only in a full set.
 *
 * The owner calls insert() when a way receives a new item (whatever it held
 * before is gone), hit() when a way's item is used, remove() when a way is
 * emptied, victim() to choose the way to replace.  Nothing here allocates
 * or locks: the owner serialises calls on its sets.
 */
#ifndef KMM_HW_REPL_REPL_H
#define KMM_HW_REPL_REPL_H

#include <stddef.h>
#include <stdint.h>

#define REPL_MAX_WAYS	64		/* ways of a set; the check's valid mask is 64 bits */
#define REPL_CLOCK_MAX	UINT32_MAX	/* the LRU clock is renumbered on reaching it */

/* One set, as a policy sees it. */
struct repl_set {
	uint32_t *word;			/* way 0's word; way w's is word[w * stride] */
	unsigned int stride;		/* in 32-bit words, 1 for a plain array */
	unsigned int ways;		/* 1..REPL_MAX_WAYS */
};

static inline uint32_t *repl_word(const struct repl_set *s, unsigned int way)
{
	return s->word + (size_t)way * s->stride;
}

struct repl;

/*
 * A policy: a const table, one per file.  Every op is required but remove
 * (NULL: emptying a way only zeroes its word, so an owner may zero words
 * wholesale, as the TLB's flushes do) and check.  Nothing is allocated per
 * set; a policy whose state does not fit its ways' words would add a
 * destructor here.
 */
struct repl_ops {
	const char *name;		/* as configurations spell it: "lru" */
	/* Sets up r's shared state (r->ops, clock, for_each_set are set). */
	void (*init)(struct repl *r, unsigned int seed);
	void (*insert)(struct repl *r, const struct repl_set *s, unsigned int way);
	void (*hit)(struct repl *r, const struct repl_set *s, unsigned int way);
	void (*remove)(struct repl *r, const struct repl_set *s, unsigned int way);
	/* The way to replace in a full set. */
	unsigned int (*victim)(struct repl *r, const struct repl_set *s);
	/*
	 * The policy's invariants on one set whose valid ways are the bits of
	 * valid; returns what is broken, or NULL.  May be NULL itself.
	 */
	const char *(*check)(const struct repl *r, const struct repl_set *s, uint64_t valid);
};

/*
 * An owner's policy and the state its sets share.  The LRU clock is a word
 * of the owner's (so an owner may stamp inline on its fast path, as
 * hw/tlb.h does); for_each_set lets a policy visit every set of the owner
 * (LRU renumbers them before the clock wraps).
 */
struct repl {
	const struct repl_ops *ops;
	uint32_t *clock;		/* LRU: the last stamp handed out */
	uint64_t rnd;			/* random: xorshift64 state, never 0 */
	void (*for_each_set)(struct repl *r, void (*fn)(struct repl *r,
							  const struct repl_set *s));
};

extern const struct repl_ops repl_lru_ops;	/* true LRU: stamps from a shared clock */
extern const struct repl_ops repl_plru_ops;	/* bit-PLRU: one recently-used bit per way */
extern const struct repl_ops repl_random_ops;	/* seeded xorshift */

/* Every policy, found by name. */
extern const struct repl_ops *const repl_policies[];
extern const unsigned int nr_repl_policies;
const struct repl_ops *repl_find(const char *name);

/* Sets r up for ops; clock: the owner's LRU clock word (the owner zeroes it). */
void repl_init(struct repl *r, const struct repl_ops *ops, uint32_t *clock,
	       void (*for_each_set)(struct repl *r,
				    void (*fn)(struct repl *r, const struct repl_set *s)),
	       unsigned int seed);

/*
 * The calls an owner makes.  LRU, the default, runs inline (hw/repl/lru.h):
 * one compare instead of a call through the table on the owner's hot paths.
 */
#include "hw/repl/lru.h"

static inline void repl_insert(struct repl *r, const struct repl_set *s, unsigned int way)
{
	if (r->ops == &repl_lru_ops)
		lru_stamp(r, s, way);
	else
		r->ops->insert(r, s, way);
}

static inline void repl_hit(struct repl *r, const struct repl_set *s, unsigned int way)
{
	if (r->ops == &repl_lru_ops)
		lru_stamp(r, s, way);
	else
		r->ops->hit(r, s, way);
}

static inline void repl_remove(struct repl *r, const struct repl_set *s, unsigned int way)
{
	if (r->ops->remove)
		r->ops->remove(r, s, way);
	else
		*repl_word(s, way) = 0;
}

static inline unsigned int repl_victim(struct repl *r, const struct repl_set *s)
{
	if (r->ops == &repl_lru_ops)
		return lru_oldest(s);
	return r->ops->victim(r, s);
}

static inline const char *repl_check(const struct repl *r, const struct repl_set *s,
				     uint64_t valid)
{
	return r->ops->check ? r->ops->check(r, s, valid) : NULL;
}

#endif /* KMM_HW_REPL_REPL_H */
