/*
 * tests/hw/test_repl.c - the replacement policies of hw/repl/, on their own:
 * each policy's victims on short traces worked out by hand from its
 * definition; LRU's renumbering before the clock wraps; the same answers on
 * a strided set as on a plain array; and, for every registered policy, the
 * interface's contract under random operations (victims in range, the
 * policy's check holds, remove zeroes the way's word).
 */
#include <kmm/compiler.h>
#include "hw/repl/repl.h"
#include "tests/harness.h"

#define NR_SETS		2
#define MAX_STRIDE	3

/* A tiny owner: NR_SETS sets of ways words, stride words apart. */
struct owner {
	struct repl r;
	uint32_t clock;
	unsigned int ways, stride;
	uint32_t words[NR_SETS][REPL_MAX_WAYS * MAX_STRIDE];
	struct repl_set set[NR_SETS];
	uint64_t valid[NR_SETS];	/* the owner's idea of which ways are full */
};

static void owner_for_each_set(struct repl *r, void (*fn)(struct repl *r,
							   const struct repl_set *s))
{
	struct owner *o = container_of(r, struct owner, r);

	for (int i = 0; i < NR_SETS; i++)
		fn(r, &o->set[i]);
}

static void owner_init(struct owner *o, const struct repl_ops *ops, unsigned int ways,
		       unsigned int stride, unsigned int seed)
{
	memset(o, 0, sizeof(*o));
	o->ways = ways;
	o->stride = stride;
	for (int i = 0; i < NR_SETS; i++)
		o->set[i] = (struct repl_set){ o->words[i], stride, ways };
	repl_init(&o->r, ops, &o->clock, owner_for_each_set, seed);
}

/* Puts a new item in set as a cache would: an empty way, else the victim. */
static unsigned int fill(struct owner *o, int set)
{
	unsigned int w;

	for (w = 0; w < o->ways; w++)
		if (!(o->valid[set] >> w & 1))
			break;
	if (w == o->ways)
		w = repl_victim(&o->r, &o->set[set]);
	o->valid[set] |= 1ull << w;
	repl_insert(&o->r, &o->set[set], w);
	return w;
}

static void drop(struct owner *o, int set, unsigned int w)
{
	o->valid[set] &= ~(1ull << w);
	repl_remove(&o->r, &o->set[set], w);
}

TEST(registry_finds_every_policy_by_name)
{
	ASSERT_EQ(nr_repl_policies, 3);
	for (unsigned int i = 0; i < nr_repl_policies; i++)
		ASSERT_TRUE(repl_find(repl_policies[i]->name) == repl_policies[i]);
	ASSERT_TRUE(repl_find("lru") == &repl_lru_ops);
	ASSERT_TRUE(repl_find("plru") == &repl_plru_ops);
	ASSERT_TRUE(repl_find("random") == &repl_random_ops);
	ASSERT_NULL(repl_find("fifo"));
	ASSERT_NULL(repl_find(""));
}

/*
 * LRU: the victim is the way used longest ago.  Ways a b c d filled in
 * order; then the traces below, each victim derived from the order of last
 * use (most recent last).
 */
TEST(lru_victims_follow_the_order_of_last_use)
{
	struct owner o;
	struct repl_set *s = &o.set[0];

	/* a b c, then a again: b is the least recent. */
	owner_init(&o, &repl_lru_ops, 3, 1, 1);
	ASSERT_EQ(fill(&o, 0), 0);		/* a */
	ASSERT_EQ(fill(&o, 0), 1);		/* b */
	ASSERT_EQ(fill(&o, 0), 2);		/* c */
	repl_hit(&o.r, s, 0);			/* a: order b c a */
	ASSERT_EQ(repl_victim(&o.r, s), 1);
	ASSERT_EQ(fill(&o, 0), 1);		/* d replaces b: order c a d */
	ASSERT_EQ(repl_victim(&o.r, s), 2);
	repl_hit(&o.r, s, 2);			/* c: order a d c */
	ASSERT_EQ(repl_victim(&o.r, s), 0);
	repl_hit(&o.r, s, 0);			/* a: order d c a */
	ASSERT_EQ(repl_victim(&o.r, s), 1);
	ASSERT_NULL(repl_check(&o.r, s, o.valid[0]));

	/* 4 ways: a b c d, hits d b a: order c d b a; the victims c, d, b, a. */
	owner_init(&o, &repl_lru_ops, 4, 1, 1);
	for (unsigned int i = 0; i < 4; i++)
		ASSERT_EQ(fill(&o, 0), i);
	repl_hit(&o.r, s, 3);
	repl_hit(&o.r, s, 1);
	repl_hit(&o.r, s, 0);
	ASSERT_EQ(fill(&o, 0), 2);		/* e replaces c: order d b a e */
	ASSERT_EQ(fill(&o, 0), 3);		/* f replaces d: order b a e f */
	ASSERT_EQ(fill(&o, 0), 1);		/* g replaces b: order a e f g */
	ASSERT_EQ(fill(&o, 0), 0);		/* h replaces a */

	/* A removed way's stamp is 0: the smallest, so LRU names it first. */
	drop(&o, 0, 3);
	ASSERT_EQ(*repl_word(s, 3), 0);
	ASSERT_EQ(repl_victim(&o.r, s), 3);
	drop(&o, 0, 1);				/* two empty: the first of them */
	ASSERT_EQ(repl_victim(&o.r, s), 1);
	ASSERT_NULL(repl_check(&o.r, s, o.valid[0]));
}

/*
 * LRU's clock is shared by the owner's sets; on reaching REPL_CLOCK_MAX,
 * every set is renumbered 1..ways in the same order and the clock rewinds.
 */
TEST(lru_renumbers_every_set_before_the_clock_wraps)
{
	struct owner o;

	owner_init(&o, &repl_lru_ops, 4, 2, 1);
	o.clock = REPL_CLOCK_MAX - 5;
	for (unsigned int i = 0; i < 4; i++)
		fill(&o, 0);			/* stamps MAX-4 .. MAX-1 */
	fill(&o, 1);				/* set 1, way 0: MAX */
	ASSERT_EQ(o.clock, REPL_CLOCK_MAX);
	repl_hit(&o.r, &o.set[0], 1);		/* wraps: set 0 order a c d b */
	ASSERT_EQ(o.clock, REPL_MAX_WAYS + 1);
	ASSERT_EQ(*repl_word(&o.set[0], 0), 1);	/* ranks 1..4, then b's new stamp */
	ASSERT_EQ(*repl_word(&o.set[0], 2), 3);
	ASSERT_EQ(*repl_word(&o.set[0], 3), 4);
	ASSERT_EQ(*repl_word(&o.set[0], 1), REPL_MAX_WAYS + 1);
	ASSERT_EQ(*repl_word(&o.set[1], 0), 1);	/* set 1 renumbered too */
	ASSERT_EQ(*repl_word(&o.set[1], 1), 0);	/* its empty ways stay 0 */
	ASSERT_EQ(repl_victim(&o.r, &o.set[0]), 0);
	for (int i = 0; i < NR_SETS; i++)
		ASSERT_NULL(repl_check(&o.r, &o.set[i], o.valid[i]));
}

/*
 * Bit-PLRU on 4 ways: a use sets the way's bit; when all four would be set,
 * only that way's stays.  The victim is the first clear bit.
 */
TEST(plru_victims_follow_the_bits)
{
	struct owner o;
	struct repl_set *s = &o.set[0];
	static const unsigned int bits_after_fill[4] = { 0x1, 0x3, 0x7, 0x8 };

	owner_init(&o, &repl_plru_ops, 4, 1, 1);
	for (unsigned int i = 0; i < 4; i++) {
		unsigned int bits = 0;

		ASSERT_EQ(fill(&o, 0), i);	/* a b c d */
		for (unsigned int w = 0; w < 4; w++)
			bits |= *repl_word(s, w) << w;
		ASSERT_EQ(bits, bits_after_fill[i]);	/* d's fill cleared a b c */
	}
	ASSERT_EQ(repl_victim(&o.r, s), 0);
	ASSERT_EQ(fill(&o, 0), 0);		/* e replaces a: bits a,d */
	ASSERT_EQ(repl_victim(&o.r, s), 1);
	repl_hit(&o.r, s, 3);			/* d again: no change */
	ASSERT_EQ(repl_victim(&o.r, s), 1);
	repl_hit(&o.r, s, 1);			/* b: bits e,b,d */
	ASSERT_EQ(repl_victim(&o.r, s), 2);
	repl_hit(&o.r, s, 2);			/* c: all four: only c stays */
	ASSERT_EQ(*repl_word(s, 0) + *repl_word(s, 1) + *repl_word(s, 3), 0);
	ASSERT_EQ(*repl_word(s, 2), 1);
	ASSERT_EQ(repl_victim(&o.r, s), 0);
	ASSERT_NULL(repl_check(&o.r, s, o.valid[0]));
	drop(&o, 0, 2);				/* c's bit goes with it */
	ASSERT_EQ(*repl_word(s, 2), 0);

	/* One way: its bit is always set, and it is always the victim. */
	owner_init(&o, &repl_plru_ops, 1, 1, 1);
	ASSERT_EQ(fill(&o, 0), 0);
	ASSERT_EQ(fill(&o, 0), 0);
	ASSERT_EQ(*repl_word(s, 0), 1);
}

/* The definition, written out again: xorshift64 (13, 7, 17) from seed. */
static unsigned int expected_random_way(uint64_t *x, unsigned int ways)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (unsigned int)(((*x >> 32) * ways) >> 32);
}

TEST(random_victims_are_the_seeded_sequence)
{
	struct owner o, p;
	uint64_t x = 7 * 0x9e3779b97f4a7c15ull | 1;
	unsigned int count[8] = { 0 }, differ = 0;

	owner_init(&o, &repl_random_ops, 8, 1, 7);
	owner_init(&p, &repl_random_ops, 8, 1, 8);
	for (unsigned int i = 0; i < 8000; i++) {
		unsigned int w = repl_victim(&o.r, &o.set[0]);

		ASSERT_EQ(w, expected_random_way(&x, 8));
		count[w]++;
		differ += w != repl_victim(&p.r, &p.set[0]);
	}
	for (unsigned int w = 0; w < 8; w++) {
		ASSERT_LE(800, count[w]);	/* 1000 expected each */
		ASSERT_LE(count[w], 1200);
	}
	ASSERT_LE(6000, differ);		/* another seed, another sequence */
	/* The words are not used: they stay 0. */
	for (unsigned int i = 0; i < 8; i++)
		fill(&o, 0);
	repl_hit(&o.r, &o.set[0], 3);
	for (unsigned int w = 0; w < 8; w++)
		ASSERT_EQ(*repl_word(&o.set[0], w), 0);
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/*
 * Every registered policy, random operations on a plain set and a strided
 * one in step: the same victims, victims in range, the check holds, a
 * removed way's word is 0.
 */
TEST(every_policy_keeps_the_contract)
{
	static const unsigned int ways_list[] = { 1, 2, 3, 4, 8, 12, 64 };

	rnd_state = TEST_SEED() * 0x9e3779b97f4a7c15ull | 1;
	for (unsigned int p = 0; p < nr_repl_policies; p++)
		for (unsigned int k = 0; k < ARRAY_SIZE(ways_list); k++) {
			static struct owner a, b;
			unsigned int ways = ways_list[k];

			owner_init(&a, repl_policies[p], ways, 1, 5);
			owner_init(&b, repl_policies[p], ways, MAX_STRIDE, 5);
			for (unsigned int op = 0; op < 20000 * TEST_SCALE(); op++) {
				unsigned int choice = (unsigned int)(rnd() % 10);
				unsigned int w = (unsigned int)(rnd() % ways);
				int set = (int)(rnd() % NR_SETS);
				const char *why;

				if (op == 10000)	/* LRU: wrap the clock midway */
					a.clock = b.clock = REPL_CLOCK_MAX - 50;
				if (choice < 4) {
					unsigned int fa = fill(&a, set);

					ASSERT_EQ(fill(&b, set), fa);
					ASSERT_LE(fa, ways - 1);
				} else if (choice < 8) {
					if (!(a.valid[set] >> w & 1))
						continue;
					repl_hit(&a.r, &a.set[set], w);
					repl_hit(&b.r, &b.set[set], w);
				} else if (a.valid[set] >> w & 1) {
					drop(&a, set, w);
					drop(&b, set, w);
					ASSERT_EQ(*repl_word(&a.set[set], w), 0);
				}
				why = repl_check(&a.r, &a.set[set], a.valid[set]);
				if (why)
					TEST_FAIL_("%s, %u ways, op %u: %s", repl_policies[p]->name,
						   ways, op, why);
				for (unsigned int v = 0; v < ways; v++)
					ASSERT_EQ(*repl_word(&a.set[set], v),
						  *repl_word(&b.set[set], v));
			}
			if (a.r.ops == &repl_lru_ops)
				ASSERT_TRUE(a.clock < REPL_CLOCK_MAX - 50);	/* it wrapped */
		}
}

int main(void)
{
	RUN_TEST(registry_finds_every_policy_by_name);
	RUN_TEST(lru_victims_follow_the_order_of_last_use);
	RUN_TEST(lru_renumbers_every_set_before_the_clock_wraps);
	RUN_TEST(plru_victims_follow_the_bits);
	RUN_TEST(random_victims_are_the_seeded_sequence);
	RUN_TEST(every_policy_keeps_the_contract);
	return harness_summary();
}
