/*
 * tests/base/test_bitmap.c - bitmaps against a bool-array model: seeded
 * random single-bit and range operations on sizes around word boundaries,
 * every search from every offset, whole-bitmap logic, the aligned zero-area
 * search against a brute-force scan, guard words around each bitmap, and
 * garbage in the unused tail bits (which every result must ignore).  Ends
 * with threads racing on the atomic bit operations.
 */
#include <kmm/bitmap.h>

#include <pthread.h>
#include <stdint.h>

#include "tests/harness.h"

/* ---- random numbers ---------------------------------------------------- */

/* rng_next, rng_below, rng_seed: tests/harness.h */

/* ---- a bitmap under test with guards, and its model -------------------- */

#define MAXBITS 1100
#define GUARD 0x5a5a5a5a5a5a5a5aUL

static const unsigned long sizes[] = { 1, 2, 63, 64, 65, 127, 128, 129, 200,
				       511, 1000, MAXBITS };

struct tmap {
	unsigned long words[BITS_TO_LONGS(MAXBITS) + 2]; /* guard, map, guard */
	unsigned long *map;
	unsigned long nbits;
	bool model[MAXBITS];
	unsigned long tail;	/* garbage kept in the unused tail bits */
};

static unsigned long nwords(const struct tmap *t)
{
	return BITS_TO_LONGS(t->nbits);
}

/*
 * Zeroes map and model; with @dirty_tail, puts random garbage in the unused
 * tail bits, sometimes with the first tail bit clear, sometimes set.
 */
static void tmap_init(struct tmap *t, unsigned long nbits, bool dirty_tail)
{
	for (size_t i = 0; i < ARRAY_SIZE(t->words); i++)
		t->words[i] = GUARD;
	t->map = &t->words[1];
	t->nbits = nbits;
	memset(t->model, 0, sizeof(t->model));
	bitmap_zero(t->map, nbits);
	t->tail = dirty_tail ? rng_next() & ~BITMAP_LAST_WORD_MASK(nbits) : 0;
	t->map[nwords(t) - 1] |= t->tail;
	t->words[nwords(t) + 1] = GUARD;
}

/* Fills map and model with random bits at the given density (in 1/8s). */
static void tmap_randomize(struct tmap *t, unsigned long eighths)
{
	for (unsigned long i = 0; i < t->nbits; i++) {
		t->model[i] = rng_below(8) < eighths;
		if (t->model[i])
			__set_bit(i, t->map);
		else
			__clear_bit(i, t->map);
	}
}

/* Nothing outside the bits was written: guard words and tail garbage. */
static bool guards_intact(const struct tmap *t)
{
	unsigned long tail_mask = ~BITMAP_LAST_WORD_MASK(t->nbits);

	if (t->words[0] != GUARD || t->words[nwords(t) + 1] != GUARD)
		return false;
	return (t->map[nwords(t) - 1] & tail_mask) == t->tail;
}

static unsigned long model_weight(const struct tmap *t)
{
	unsigned long w = 0;

	for (unsigned long i = 0; i < t->nbits; i++)
		w += t->model[i];
	return w;
}

/* First bit at or after @from equal to @value, or nbits. */
static unsigned long model_next(const struct tmap *t, unsigned long from,
				bool value)
{
	while (from < t->nbits && t->model[from] != value)
		from++;
	return from < t->nbits ? from : t->nbits;
}

static unsigned long model_last(const struct tmap *t)
{
	for (unsigned long i = t->nbits; i-- > 0;)
		if (t->model[i])
			return i;
	return t->nbits;
}

/* ---- whole-state comparison -------------------------------------------- */

/* Returns 0 or a code naming what differs. */
static int bits_differ(const struct tmap *t)
{
	for (unsigned long i = 0; i < t->nbits; i++)
		if (test_bit(i, t->map) != t->model[i])
			return 1;
	return guards_intact(t) ? 0 : 2;
}

static int counts_differ(const struct tmap *t)
{
	unsigned long w = model_weight(t);

	if (bitmap_weight(t->map, t->nbits) != w)
		return 10;
	if (bitmap_empty(t->map, t->nbits) != (w == 0))
		return 11;
	if (bitmap_full(t->map, t->nbits) != (w == t->nbits))
		return 12;
	if (find_last_bit(t->map, t->nbits) != model_last(t))
		return 13;
	return 0;
}

/* Every find_next_* from every offset, including the one past the end. */
static int searches_differ(const struct tmap *t)
{
	for (unsigned long i = 0; i <= t->nbits; i++) {
		if (find_next_bit(t->map, t->nbits, i) != model_next(t, i, true))
			return 20;
		if (find_next_zero_bit(t->map, t->nbits, i) !=
		    model_next(t, i, false))
			return 21;
	}
	if (find_first_bit(t->map, t->nbits) != model_next(t, 0, true))
		return 22;
	if (find_first_zero_bit(t->map, t->nbits) != model_next(t, 0, false))
		return 23;
	return 0;
}

static int iterators_differ(const struct tmap *t)
{
	unsigned long bit, expect_set = 0, expect_clear = 0;

	for_each_set_bit(bit, t->map, t->nbits) {
		expect_set = model_next(t, expect_set, true);
		if (bit != expect_set++)
			return 30;
	}
	if (model_next(t, expect_set, true) != t->nbits)
		return 31;
	for_each_clear_bit(bit, t->map, t->nbits) {
		expect_clear = model_next(t, expect_clear, false);
		if (bit != expect_clear++)
			return 32;
	}
	return model_next(t, expect_clear, false) != t->nbits ? 33 : 0;
}

static int tmap_differs(const struct tmap *t)
{
	int bad = bits_differ(t);

	if (!bad)
		bad = counts_differ(t);
	if (!bad)
		bad = searches_differ(t);
	if (!bad)
		bad = iterators_differ(t);
	return bad;
}

/* ---- tests ------------------------------------------------------------- */

TEST(bitmap_macros)
{
	DECLARE_BITMAP(small, 65);

	ASSERT_EQ(BITS_PER_LONG, sizeof(long) * 8);
	ASSERT_EQ(BITS_TO_LONGS(0), 0);
	ASSERT_EQ(BITS_TO_LONGS(1), 1);
	ASSERT_EQ(BITS_TO_LONGS(BITS_PER_LONG), 1);
	ASSERT_EQ(BITS_TO_LONGS(BITS_PER_LONG + 1), 2);
	ASSERT_EQ(sizeof(small), 2 * sizeof(long));
	ASSERT_EQ(BIT_WORD(BITS_PER_LONG + 3), 1);
	ASSERT_TRUE(BIT_MASK(BITS_PER_LONG + 3) == 8);
	ASSERT_TRUE(BITMAP_LAST_WORD_MASK(BITS_PER_LONG) == ~0UL);
	ASSERT_TRUE(BITMAP_LAST_WORD_MASK(1) == 1);
	ASSERT_TRUE(BITMAP_FIRST_WORD_MASK(0) == ~0UL);
	ASSERT_TRUE(BITMAP_FIRST_WORD_MASK(BITS_PER_LONG - 1) ==
		    1UL << (BITS_PER_LONG - 1));
	bitmap_zero(small, 65);
	__set_bit(64, small);
	ASSERT_TRUE(small[1] == 1 && small[0] == 0);
	ASSERT_EQ(find_first_bit(small, 65), 64);
	ASSERT_EQ(find_first_bit(small, 64), 64);	/* not found: size */
	ASSERT_EQ(find_last_bit(small, 0), 0);
}

/* Applies one random single-bit op to map and model; nonzero: bad return. */
static int random_bit_op(struct tmap *t)
{
	unsigned long nr = rng_below(t->nbits);
	bool old = t->model[nr], got = old;

	switch (rng_below(12)) {
	case 0: __set_bit(nr, t->map); t->model[nr] = true; break;
	case 1: __clear_bit(nr, t->map); t->model[nr] = false; break;
	case 2: __change_bit(nr, t->map); t->model[nr] = !old; break;
	case 3: got = __test_and_set_bit(nr, t->map); t->model[nr] = true; break;
	case 4: got = __test_and_clear_bit(nr, t->map); t->model[nr] = false; break;
	case 5: set_bit(nr, t->map); t->model[nr] = true; break;
	case 6: clear_bit(nr, t->map); t->model[nr] = false; break;
	case 7: change_bit(nr, t->map); t->model[nr] = !old; break;
	case 8: got = test_and_set_bit(nr, t->map); t->model[nr] = true; break;
	case 9: got = test_and_clear_bit(nr, t->map); t->model[nr] = false; break;
	case 10:
		got = test_and_set_bit_lock(nr, t->map);
		t->model[nr] = true;
		break;
	default: clear_bit_unlock(nr, t->map); t->model[nr] = false; break;
	}
	return got != old;
}

TEST(bitmap_single_bits_vs_model)
{
	static struct tmap t;
	unsigned long steps = 3000 * TEST_SCALE();
	int bad;

	rng_seed(TEST_SEED());
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		tmap_init(&t, sizes[s], s % 2);
		for (unsigned long step = 0; step < steps; step++) {
			if (random_bit_op(&t))
				TEST_FAIL_("nbits %lu step %lu: old value", t.nbits,
					   step);
			if ((bad = bits_differ(&t)))
				TEST_FAIL_("nbits %lu step %lu: %d", t.nbits,
					   step, bad);
		}
		if ((bad = tmap_differs(&t)))
			TEST_FAIL_("nbits %lu: %d", t.nbits, bad);
	}
}

/* A random range inside the map: short, word-sized or long. */
static void random_range(const struct tmap *t, unsigned long *start,
			 unsigned long *len)
{
	unsigned long max_len;

	*start = rng_below(t->nbits + 1);
	max_len = t->nbits - *start;
	switch (rng_below(3)) {
	case 0:
		*len = rng_below(min(max_len, 5UL) + 1);
		break;
	case 1:
		*len = rng_below(min(max_len, 2 * BITS_PER_LONG) + 1);
		break;
	default:
		*len = rng_below(max_len + 1);
		break;
	}
}

TEST(bitmap_ranges_vs_model)
{
	static struct tmap t;
	unsigned long steps = 400 * TEST_SCALE(), start, len;
	int bad;

	rng_seed(TEST_SEED() + 1);
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (int dirty = 0; dirty < 2; dirty++) {
			tmap_init(&t, sizes[s], dirty);
			for (unsigned long step = 0; step < steps; step++) {
				bool set = rng_below(2);

				random_range(&t, &start, &len);
				if (set)
					bitmap_set(t.map, start, len);
				else
					bitmap_clear(t.map, start, len);
				for (unsigned long i = start; i < start + len; i++)
					t.model[i] = set;
				if ((bad = tmap_differs(&t)))
					TEST_FAIL_("nbits %lu dirty %d step %lu"
						   " %s(%lu, %lu): %d", t.nbits,
						   dirty, step,
						   set ? "set" : "clear", start,
						   len, bad);
			}
		}
	}
}

TEST(bitmap_fill_zero_copy_equal)
{
	static struct tmap a, b;

	rng_seed(TEST_SEED() + 2);
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned long n = sizes[s];

		tmap_init(&a, n, false);
		bitmap_fill(a.map, n);
		for (unsigned long i = 0; i < n; i++)
			a.model[i] = true;
		ASSERT_EQ(tmap_differs(&a), 0);		/* tail left clear */
		ASSERT_TRUE(bitmap_full(a.map, n));
		tmap_init(&b, n, true);
		tmap_randomize(&b, 4);
		bitmap_copy(a.map, b.map, n);
		ASSERT_TRUE(bitmap_equal(a.map, b.map, n));
		/* Tail garbage on one side only must not matter. */
		a.map[BITS_TO_LONGS(n) - 1] &= BITMAP_LAST_WORD_MASK(n);
		ASSERT_TRUE(bitmap_equal(a.map, b.map, n));
		for (unsigned long i = 0; i < n; i += 1 + n / 17) {
			__change_bit(i, a.map);
			ASSERT_FALSE(bitmap_equal(a.map, b.map, n));
			__change_bit(i, a.map);
		}
		bitmap_zero(a.map, n);
		ASSERT_TRUE(bitmap_empty(a.map, n));
		for (unsigned long w = 0; w < BITS_TO_LONGS(n); w++)
			ASSERT_TRUE(a.map[w] == 0);	/* tail zeroed too */
		ASSERT_TRUE(a.words[0] == GUARD &&
			    a.words[BITS_TO_LONGS(n) + 1] == GUARD);
	}
}

/* Compares the first nbits of @got with op(@a, @b) computed on the models. */
static int logic_differs(const unsigned long *got, const struct tmap *a,
			 const struct tmap *b, char op)
{
	for (unsigned long i = 0; i < a->nbits; i++) {
		bool x = a->model[i], y = b->model[i], want;

		switch (op) {
		case '&': want = x && y; break;
		case '|': want = x || y; break;
		case '^': want = x != y; break;
		case '-': want = x && !y; break;
		default: want = !x; break;
		}
		if (test_bit(i, got) != want)
			return 1;
	}
	return 0;
}

static bool model_any(const struct tmap *a, const struct tmap *b, bool negate_b)
{
	for (unsigned long i = 0; i < a->nbits; i++)
		if (a->model[i] && b->model[i] != negate_b)
			return true;
	return false;
}

TEST(bitmap_logic_vs_model)
{
	static struct tmap a, b;
	unsigned long dst[BITS_TO_LONGS(MAXBITS)];

	rng_seed(TEST_SEED() + 3);
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned long n = sizes[s];

		for (int round = 0; round < 40; round++) {
			tmap_init(&a, n, round % 2);
			tmap_init(&b, n, round % 3 == 0);
			tmap_randomize(&a, rng_below(9));
			tmap_randomize(&b, rng_below(9));
			ASSERT_EQ(bitmap_and(dst, a.map, b.map, n),
				  model_any(&a, &b, false));
			ASSERT_EQ(logic_differs(dst, &a, &b, '&'), 0);
			bitmap_or(dst, a.map, b.map, n);
			ASSERT_EQ(logic_differs(dst, &a, &b, '|'), 0);
			bitmap_xor(dst, a.map, b.map, n);
			ASSERT_EQ(logic_differs(dst, &a, &b, '^'), 0);
			ASSERT_EQ(bitmap_andnot(dst, a.map, b.map, n),
				  model_any(&a, &b, true));
			ASSERT_EQ(logic_differs(dst, &a, &b, '-'), 0);
			bitmap_complement(dst, a.map, n);
			ASSERT_EQ(logic_differs(dst, &a, &b, '~'), 0);
			ASSERT_EQ(bitmap_intersects(a.map, b.map, n),
				  model_any(&a, &b, false));
			ASSERT_EQ(bitmap_subset(a.map, b.map, n),
				  !model_any(&a, &b, true));
			ASSERT_TRUE(guards_intact(&a) && guards_intact(&b));
		}
	}
}

/* The smallest aligned start >= @start of @nr clear bits, or none (-1). */
static long brute_zero_area(const struct tmap *t, unsigned long start,
			    unsigned long nr, unsigned long mask,
			    unsigned long off)
{
	for (unsigned long i = start; i + nr <= t->nbits; i++) {
		unsigned long k = 0;

		if ((i + off) & mask)
			continue;
		while (k < nr && !t->model[i + k])
			k++;
		if (k == nr)
			return (long)i;
	}
	return -1;
}

TEST(bitmap_find_next_zero_area_vs_brute_force)
{
	static struct tmap t;
	static const unsigned long masks[] = { 0, 1, 3, 7, 15, 63 };
	unsigned long rounds = 3000 * TEST_SCALE();

	rng_seed(TEST_SEED() + 4);
	for (unsigned long r = 0; r < rounds; r++) {
		unsigned long n = sizes[rng_below(ARRAY_SIZE(sizes))];
		unsigned long nr = 1 + rng_below(min(n, 40UL));
		unsigned long mask = masks[rng_below(ARRAY_SIZE(masks))];
		unsigned long off = rng_below(2) ? rng_below(mask + 1) : 0;
		unsigned long start = rng_below(n + 1), got;
		long want;

		tmap_init(&t, n, r % 2);
		tmap_randomize(&t, rng_below(8));
		want = brute_zero_area(&t, start, nr, mask, off);
		got = off ? bitmap_find_next_zero_area_off(t.map, n, start, nr,
							   mask, off) :
			    bitmap_find_next_zero_area(t.map, n, start, nr, mask);
		if (want < 0 && got <= n)
			TEST_FAIL_("round %lu: n %lu nr %lu mask %lu off %lu "
				   "start %lu: got %lu, want none", r, n, nr,
				   mask, off, start, got);
		if (want >= 0 && got != (unsigned long)want)
			TEST_FAIL_("round %lu: n %lu nr %lu mask %lu off %lu "
				   "start %lu: got %lu, want %ld", r, n, nr, mask,
				   off, start, got, want);
	}
}

TEST(bitmap_iterators_from)
{
	DECLARE_BITMAP(map, 130);
	unsigned long bit, count = 0;

	bitmap_zero(map, 130);
	bitmap_set(map, 60, 10);		/* 60..69, across a word */
	bit = 65;
	for_each_set_bit_from(bit, map, 130)
		ASSERT_EQ(bit, 65 + count++);
	ASSERT_EQ(count, 5);
	bit = 68;
	count = 0;
	for_each_clear_bit_from(bit, map, 130) {
		ASSERT_TRUE(bit < 60 || bit >= 70);
		count++;
	}
	ASSERT_EQ(count, 130 - 70);
	/* 61 clear bits fit neither before nor after 60..69: > size. */
	ASSERT_TRUE(bitmap_find_next_zero_area(map, 130, 0, 61, 0) > 130);
	ASSERT_EQ(bitmap_find_next_zero_area(map, 130, 0, 60, 0), 0);
	ASSERT_EQ(bitmap_find_next_zero_area(map, 130, 1, 8, 7), 8);
	ASSERT_EQ(bitmap_find_next_zero_area(map, 130, 50, 8, 7), 72);
}

/* ---- atomics under contention ------------------------------------------ */

#define NTHREADS 4
#define RACEBITS 4096

static unsigned long race_map[BITS_TO_LONGS(RACEBITS)];
static unsigned long race_wins[NTHREADS];

/* Every thread tries to claim every bit; each bit must have one winner. */
static void *claim_all(void *arg)
{
	unsigned long t = (unsigned long)(uintptr_t)arg;

	for (unsigned long i = 0; i < RACEBITS; i++)
		if (!test_and_set_bit((i * 7 + t * 1031) % RACEBITS, race_map))
			race_wins[t]++;
	return NULL;
}

/* Threads flip their own bits, which share words with the others'. */
static void *own_bits(void *arg)
{
	unsigned long t = (unsigned long)(uintptr_t)arg;

	for (int round = 0; round < 3; round++)
		for (unsigned long i = t; i < RACEBITS; i += NTHREADS)
			change_bit(i, race_map);
	for (unsigned long i = t; i < RACEBITS; i += 2 * NTHREADS)
		clear_bit(i, race_map);
	return NULL;
}

static int run_threads(void *(*fn)(void *))
{
	pthread_t th[NTHREADS];

	for (unsigned long t = 0; t < NTHREADS; t++)
		if (pthread_create(&th[t], NULL, fn, (void *)(uintptr_t)t))
			return -1;
	for (unsigned long t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	return 0;
}

TEST(bitmap_atomic_races)
{
	unsigned long total = 0;

	bitmap_zero(race_map, RACEBITS);
	ASSERT_EQ(run_threads(claim_all), 0);
	for (int t = 0; t < NTHREADS; t++)
		total += race_wins[t];
	ASSERT_EQ(total, RACEBITS);
	ASSERT_TRUE(bitmap_full(race_map, RACEBITS));

	/*
	 * Three flips invert every bit, then bits i % 8 < 4 are cleared: from
	 * empty, exactly the bits i % 8 >= 4 remain; from full, none.
	 */
	bitmap_zero(race_map, RACEBITS);
	ASSERT_EQ(run_threads(own_bits), 0);
	for (unsigned long i = 0; i < RACEBITS; i++)
		ASSERT_EQ(test_bit(i, race_map), i % (2 * NTHREADS) >= NTHREADS);
	bitmap_fill(race_map, RACEBITS);
	ASSERT_EQ(run_threads(own_bits), 0);
	ASSERT_TRUE(bitmap_empty(race_map, RACEBITS));
}

int main(void)
{
	RUN_TEST(bitmap_macros);
	RUN_TEST(bitmap_single_bits_vs_model);
	RUN_TEST(bitmap_ranges_vs_model);
	RUN_TEST(bitmap_fill_zero_copy_equal);
	RUN_TEST(bitmap_logic_vs_model);
	RUN_TEST(bitmap_find_next_zero_area_vs_brute_force);
	RUN_TEST(bitmap_iterators_from);
	RUN_TEST(bitmap_atomic_races);
	return harness_summary();
}
