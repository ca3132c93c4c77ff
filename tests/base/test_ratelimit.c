/*
 * tests/base/test_ratelimit.c - a burst per interval of calls, the count
 * of what was held back handed to the first call of the next interval,
 * and no limit at all for interval 0.
 */
#include "base/ratelimit.h"
#include "tests/harness.h"

TEST(burst_then_silence_then_the_count)
{
	struct ratelimit_state rs;
	unsigned long missed, i;
	int ok = 0;

	ratelimit_state_init(&rs, 10, 3);
	for (i = 0; i < 10; i++) {
		ok += __ratelimit(&rs, &missed);
		ASSERT_EQ(missed, 0);
	}
	ASSERT_EQ(ok, 3);			/* 3 of the first 10 calls */
	ASSERT_TRUE(__ratelimit(&rs, &missed));	/* the 11th opens an interval */
	ASSERT_EQ(missed, 7);
	for (i = 0; i < 9; i++)
		__ratelimit(&rs, &missed);
	ASSERT_TRUE(__ratelimit(&rs, &missed));
	ASSERT_EQ(missed, 7);
	/* An interval that held nothing back says nothing. */
	ratelimit_state_init(&rs, 4, 4);
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(__ratelimit(&rs, &missed));
	ASSERT_TRUE(__ratelimit(&rs, &missed));
	ASSERT_EQ(missed, 0);
}

TEST(defaults_and_no_limit)
{
	struct ratelimit_state rs;
	unsigned long missed, i;
	int ok = 0;

	ratelimit_state_init(&rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
	for (i = 0; i < DEFAULT_RATELIMIT_INTERVAL; i++)
		ok += __ratelimit(&rs, &missed);
	ASSERT_EQ(ok, DEFAULT_RATELIMIT_BURST);
	ratelimit_state_init(&rs, 0, 0);
	for (i = 0; i < 100; i++)
		ASSERT_TRUE(__ratelimit(&rs, &missed));
}

int main(void)
{
	RUN_TEST(burst_then_silence_then_the_count);
	RUN_TEST(defaults_and_no_limit);
	return harness_summary();
}
