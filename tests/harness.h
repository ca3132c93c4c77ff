/*
 * tests/harness.h - the whole test harness: TEST(), ASSERT_*(), a runner
 * that prints one line per test and a closing "N passed, N failed" line.
 *
 * A test is a function; a failed assertion prints file:line and the two
 * values, marks the test failed and returns from it.  Tests run in the order
 * they are listed in main() via RUN_TEST().  Environment: KMM_TEST_SEED and
 * KMM_TEST_SCALE let stress tests be reproduced and scaled.
 */
#ifndef KMM_TESTS_HARNESS_H
#define KMM_TESTS_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static int harness_failed_now;
static int harness_passed;
static int harness_failed;

#define TEST(name) static void name(void)

#define TEST_FAIL_(fmt, ...)                                                  \
	do {                                                                  \
		fprintf(stderr, "  %s:%d: " fmt "\n", __FILE__, __LINE__,     \
			__VA_ARGS__);                                         \
		harness_failed_now = 1;                                       \
		return;                                                       \
	} while (0)

#define ASSERT_TRUE(c)                                                        \
	do {                                                                  \
		if (!(c))                                                     \
			TEST_FAIL_("assertion failed: %s", #c);               \
	} while (0)
#define ASSERT_FALSE(c) ASSERT_TRUE(!(c))

#define ASSERT_EQ(a, b)                                                       \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ != b_)                                                 \
			TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); \
	} while (0)
#define ASSERT_NE(a, b)                                                       \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ == b_)                                                 \
			TEST_FAIL_("%s != %s: both %lld", #a, #b, a_);        \
	} while (0)
#define ASSERT_LE(a, b)                                                       \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ > b_)                                                  \
			TEST_FAIL_("%s <= %s: %lld > %lld", #a, #b, a_, b_);  \
	} while (0)
#define ASSERT_NULL(p) ASSERT_TRUE((p) == NULL)
#define ASSERT_NOT_NULL(p) ASSERT_TRUE((p) != NULL)
#define ASSERT_STR_EQ(a, b)                                                   \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (strcmp(a_, b_) != 0)                                      \
			TEST_FAIL_("%s == %s:\n--- got\n%s\n--- want\n%s",    \
				   #a, #b, a_, b_);                           \
	} while (0)
#define ASSERT_CONTAINS(hay, needle)                                          \
	do {                                                                  \
		const char *h_ = (hay), *n_ = (needle);                       \
		if (!strstr(h_, n_))                                          \
			TEST_FAIL_("%s contains \"%s\":\n%s", #hay, n_, h_);  \
	} while (0)

#define RUN_TEST(name)                                                        \
	do {                                                                  \
		harness_failed_now = 0;                                       \
		name();                                                       \
		if (harness_failed_now)                                       \
			harness_failed++;                                     \
		else                                                          \
			harness_passed++;                                     \
		printf("%s %s\n", harness_failed_now ? "FAIL" : "ok  ", #name); \
		fflush(stdout);                                               \
	} while (0)

/* Prints the closing line and returns main()'s exit status. */
static inline int harness_summary(void)
{
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	return harness_failed ? 1 : 0;
}

static inline unsigned long harness_env(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

#define TEST_SEED() harness_env("KMM_TEST_SEED", 1)
#define TEST_SCALE() harness_env("KMM_TEST_SCALE", 1)

/* The tests' random numbers: xorshift64*, good enough for choosing
 * operations, and the same sequence for the same seed everywhere. */
static uint64_t rng_state __attribute__((unused));

static inline uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static inline unsigned long rng_below(unsigned long n)
{
	return (unsigned long)(rng_next() % n);
}

static inline void rng_seed(unsigned long seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
}

#endif /* KMM_TESTS_HARNESS_H */
