/*
 * tests/base/test_fault_inject.c - should_fail() (base/fault-inject.c):
 * each knob exactly as Linux's lib/fault-inject.c applies it, the order
 * in which they consume, the fail-nth countdown, the boot string, the
 * notice, and the armed count the allocators' fast paths test.
 */
#include <errno.h>
#include <pthread.h>
#include "base/fault-inject.h"
#include "tests/harness.h"

static char notice[4096];
static unsigned int nr_notices;

static void keep_notice(struct fault_attr *attr, const char *text)
{
	snprintf(notice, sizeof(notice), "%s", text);
	nr_notices++;
}

static void attr_new(struct fault_attr *a)
{
	fault_attr_init(a, "test_attr", 1, keep_notice);
	a->verbose = 0;
	notice[0] = 0;
	nr_notices = 0;
}

/* The 1-based numbers of the calls that fail among n calls of size. */
static unsigned int failures(struct fault_attr *a, unsigned int n, ssize_t size,
			     unsigned int *which, unsigned int max)
{
	unsigned int i, nr = 0;

	for (i = 1; i <= n; i++)
		if (should_fail(a, size)) {
			if (nr < max)
				which[nr] = i;
			nr++;
		}
	return nr;
}

TEST(defaults_are_linuxs_and_never_fail)
{
	struct fault_attr a;
	unsigned int w[1];

	fault_attr_init(&a, "x", 1, NULL);
	ASSERT_EQ(a.probability, 0);
	ASSERT_EQ(a.interval, 1);
	ASSERT_EQ(a.times, 1);
	ASSERT_EQ(a.space, 0);
	ASSERT_EQ(a.verbose, 2);
	ASSERT_EQ(failures(&a, 1000, 1, w, 1), 0);
	ASSERT_FALSE(fault_inject_armed());
}

TEST(probability_100_fails_times_calls)
{
	struct fault_attr a;
	unsigned int w[8];

	attr_new(&a);
	ASSERT_EQ(fault_attr_set(&a, "probability", 100), 0);
	ASSERT_EQ(fault_attr_set(&a, "times", 3), 0);
	ASSERT_EQ(failures(&a, 10, 1, w, 8), 3);
	ASSERT_EQ(w[0], 1);
	ASSERT_EQ(w[1], 2);
	ASSERT_EQ(w[2], 3);
	ASSERT_EQ(a.times, 0);
	ASSERT_EQ(a.nr_injected, 3);
	/* -1: no limit, and it stays -1. */
	ASSERT_EQ(fault_attr_set(&a, "times", -1), 0);
	ASSERT_EQ(failures(&a, 50, 1, w, 8), 50);
	ASSERT_EQ(a.times, -1);
	fault_attr_exit(&a);
}

TEST(interval_fails_every_nth_call)
{
	struct fault_attr a;
	unsigned int w[8];

	attr_new(&a);
	fault_attr_set(&a, "probability", 100);
	fault_attr_set(&a, "times", -1);
	fault_attr_set(&a, "interval", 4);
	ASSERT_EQ(failures(&a, 16, 1, w, 8), 4);
	ASSERT_EQ(w[0], 4);
	ASSERT_EQ(w[1], 8);
	ASSERT_EQ(w[2], 12);
	ASSERT_EQ(w[3], 16);
	/* 0 and 1 both mean every call. */
	fault_attr_set(&a, "interval", 0);
	ASSERT_EQ(failures(&a, 5, 1, w, 8), 5);
	fault_attr_set(&a, "interval", 1);
	ASSERT_EQ(failures(&a, 5, 1, w, 8), 5);
	fault_attr_exit(&a);
}

/* Space passes calls while it is above their size (strictly, as Linux). */
TEST(space_lets_size_through_first)
{
	struct fault_attr a;
	unsigned int w[8];

	attr_new(&a);
	fault_attr_set(&a, "probability", 100);
	fault_attr_set(&a, "times", -1);
	fault_attr_set(&a, "space", 10000);
	/* 10000 > 4096: 5904 left; 5904 > 4096: 1808 left; then fails. */
	ASSERT_EQ(failures(&a, 4, 4096, w, 8), 2);
	ASSERT_EQ(w[0], 3);
	ASSERT_EQ(w[1], 4);
	ASSERT_EQ(a.space, 1808);
	/* Small calls still fit in what is left. */
	ASSERT_FALSE(should_fail(&a, 1000));
	ASSERT_EQ(a.space, 808);
	/* Equal is not above: the call fails. */
	fault_attr_set(&a, "space", 4096);
	ASSERT_TRUE(should_fail(&a, 4096));
	ASSERT_EQ(a.space, 4096);
	fault_attr_exit(&a);
}

/*
 * The order: times 0 stops before space is taken; space before interval
 * counts; interval before the draw.
 */
TEST(knobs_consume_in_linuxs_order)
{
	struct fault_attr a;
	unsigned int w[8];

	attr_new(&a);
	fault_attr_set(&a, "probability", 100);
	fault_attr_set(&a, "times", 0);
	fault_attr_set(&a, "space", 100);
	ASSERT_FALSE(should_fail(&a, 10));
	ASSERT_EQ(a.space, 100);
	ASSERT_EQ(a.count, 0);
	/* space 100, size 10: nine calls pass without counting for interval,
	 * then calls 10, 11, 12, ...: every 2nd of those (11, 13) fails. */
	fault_attr_set(&a, "times", -1);
	fault_attr_set(&a, "interval", 2);
	ASSERT_EQ(failures(&a, 13, 10, w, 8), 2);
	ASSERT_EQ(w[0], 11);
	ASSERT_EQ(w[1], 13);
	ASSERT_EQ(a.space, 10);
	ASSERT_EQ(a.count, 4);
	fault_attr_exit(&a);
}

TEST(probability_is_a_percentage_and_seeded)
{
	struct fault_attr a, b, c;
	unsigned int w[1], i, nr, same = 0;

	attr_new(&a);
	fault_attr_set(&a, "probability", 5);
	fault_attr_set(&a, "times", -1);
	nr = failures(&a, 100000, 1, w, 1);
	ASSERT_TRUE(nr > 4700 && nr < 5300);
	/* The same seed fails the same calls; another seed other ones. */
	fault_attr_init(&b, "b", 42, NULL);
	fault_attr_init(&c, "c", 42, NULL);
	b.verbose = c.verbose = 0;
	b.times = c.times = -1;
	fault_attr_set(&b, "probability", 30);
	fault_attr_set(&c, "probability", 30);
	for (i = 0; i < 1000; i++)
		same += should_fail(&b, 1) == should_fail(&c, 1);
	ASSERT_EQ(same, 1000);
	fault_attr_exit(&c);
	fault_attr_init(&c, "c", 43, NULL);
	c.verbose = 0;
	c.times = -1;
	fault_attr_set(&c, "probability", 30);
	for (i = 0, same = 0; i < 1000; i++)
		same += should_fail(&b, 1) == should_fail(&c, 1);
	ASSERT_TRUE(same < 1000);
	fault_attr_set(&a, "probability", 100);
	ASSERT_EQ(failures(&a, 100, 1, w, 1), 100);
	fault_attr_exit(&a);
	fault_attr_exit(&b);
	fault_attr_exit(&c);
}

TEST(fail_nth_fails_the_nth_call_once)
{
	struct fault_attr a;
	unsigned int w[8];

	attr_new(&a);
	fail_nth_write(3);
	ASSERT_EQ(fail_nth_read(), 3);
	ASSERT_EQ(failures(&a, 10, 1, w, 8), 1);
	ASSERT_EQ(w[0], 3);
	ASSERT_EQ(fail_nth_read(), 0);	/* 0: it was injected */
	ASSERT_EQ(a.nr_injected, 1);
	/* Not reached: what is left stays, as /proc/self/fail-nth reads. */
	fail_nth_write(5);
	ASSERT_FALSE(should_fail(&a, 1));
	ASSERT_FALSE(should_fail(&a, 1));
	ASSERT_EQ(fail_nth_read(), 3);
	fail_nth_write(0);
	ASSERT_EQ(failures(&a, 10, 1, w, 8), 0);
}

/* fail-nth wins over probability 0, times 0 and space, and counts down
 * on every attribute; a forced failure still takes from times. */
TEST(fail_nth_overrides_the_knobs)
{
	struct fault_attr a, b;

	attr_new(&a);
	attr_new(&b);
	fault_attr_set(&a, "times", 0);
	fault_attr_set(&a, "space", 1 << 20);
	fail_nth_write(1);
	ASSERT_TRUE(should_fail(&a, 1));
	ASSERT_EQ(a.times, 0);
	ASSERT_EQ(a.space, 1 << 20);
	fault_attr_set(&b, "times", 2);
	fail_nth_write(2);
	ASSERT_FALSE(should_fail(&a, 1));
	ASSERT_TRUE(should_fail(&b, 1));
	ASSERT_EQ(b.times, 1);
	ASSERT_EQ(a.nr_injected, 1);
	ASSERT_EQ(b.nr_injected, 1);
}

TEST(armed_while_a_probability_or_a_countdown_is_set)
{
	struct fault_attr a;

	attr_new(&a);
	ASSERT_FALSE(fault_inject_armed());
	fault_attr_set(&a, "probability", 10);
	ASSERT_TRUE(fault_inject_armed());
	fault_attr_set(&a, "probability", 20);	/* still one */
	fail_nth_write(2);
	fail_nth_write(4);
	ASSERT_EQ(fault_inject_nr_armed, 2);
	fault_attr_set(&a, "probability", 0);
	ASSERT_EQ(fault_inject_nr_armed, 1);
	ASSERT_FALSE(should_fail(&a, 1));
	ASSERT_FALSE(should_fail(&a, 1));
	ASSERT_FALSE(should_fail(&a, 1));
	ASSERT_TRUE(should_fail(&a, 1));	/* the countdown is spent */
	ASSERT_FALSE(fault_inject_armed());
	fault_attr_set(&a, "probability", 100);
	fault_attr_exit(&a);
	ASSERT_FALSE(fault_inject_armed());
}

static void *set_and_leave(void *arg)
{
	fail_nth_write(7);
	return NULL;
}

/* A thread that ends with its countdown set does not leave it armed. */
TEST(a_thread_exit_disarms_its_countdown)
{
	pthread_t t;

	ASSERT_EQ(pthread_create(&t, NULL, set_and_leave, NULL), 0);
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_FALSE(fault_inject_armed());
	ASSERT_EQ(fail_nth_read(), 0);	/* another thread's countdown */
}

TEST(verbose_notice_and_nowarn)
{
	struct fault_attr a;

	attr_new(&a);
	fault_attr_set(&a, "probability", 100);
	fault_attr_set(&a, "times", -1);
	ASSERT_TRUE(should_fail(&a, 1));
	ASSERT_EQ(nr_notices, 0);	/* verbose 0 */
	fault_attr_set(&a, "verbose", 1);
	ASSERT_TRUE(should_fail(&a, 1));
	ASSERT_STR_EQ(notice, "FAULT_INJECTION: forcing a failure.\n"
			      "name test_attr, interval 1, probability 100, space 0, times -1\n");
	fault_attr_set(&a, "verbose", 2);
	ASSERT_TRUE(should_fail(&a, 1));
	ASSERT_CONTAINS(notice, "\nCall Trace:\n ");
	ASSERT_EQ(nr_notices, 2);
	ASSERT_TRUE(should_fail_ex(&a, 1, FAULT_NOWARN));
	ASSERT_EQ(nr_notices, 2);
	ASSERT_EQ(a.nr_injected, 4);
	fault_attr_exit(&a);
}

TEST(boot_string)
{
	static const char *const bad[] = {
		"", "1", "1,5,0", "1,5,0,1,", "1,5,0,1,2", "a,5,0,1", "1,101,0,1",
		"1,5,-1,1", "1,5,0,-2", " 1,5,0,1", "1,5,0,1 ", "1,,0,1", "-1,5,0,1",
		"1,5,0,99999999999", NULL,
	};
	struct fault_attr_params p;
	struct fault_attr a;
	char err[256];
	unsigned int i;

	ASSERT_EQ(fault_attr_parse("100,5,4096,-1", &p, err, sizeof(err)), 0);
	ASSERT_EQ(p.interval, 100);
	ASSERT_EQ(p.probability, 5);
	ASSERT_EQ(p.space, 4096);
	ASSERT_EQ(p.times, -1);
	for (i = 0; bad[i]; i++) {
		err[0] = 0;
		if (fault_attr_parse(bad[i], &p, err, sizeof(err)) != -1)
			TEST_FAIL_("'%s' was taken", bad[i]);
		ASSERT_CONTAINS(err, "<interval>,<probability>,<space>,<times>");
	}
	attr_new(&a);
	ASSERT_EQ(setup_fault_attr(&a, "3,100,0,2", err, sizeof(err)), 0);
	ASSERT_TRUE(fault_inject_armed());
	ASSERT_EQ(a.interval, 3);
	ASSERT_EQ(a.times, 2);
	ASSERT_EQ(setup_fault_attr(&a, "1,0,0,1", err, sizeof(err)), 0);
	ASSERT_FALSE(fault_inject_armed());
	ASSERT_EQ(setup_fault_attr(&a, "1,500,0,1", err, sizeof(err)), -1);
	ASSERT_EQ(a.probability, 0);
}

TEST(knobs_by_name)
{
	struct fault_attr a;
	long v;

	attr_new(&a);
	ASSERT_EQ(fault_attr_set(&a, "interval", 7), 0);
	ASSERT_EQ(fault_attr_get(&a, "interval", &v), 0);
	ASSERT_EQ(v, 7);
	ASSERT_EQ(fault_attr_set(&a, "times", -1), 0);
	ASSERT_EQ(fault_attr_get(&a, "times", &v), 0);
	ASSERT_EQ(v, -1);
	ASSERT_EQ(fault_attr_set(&a, "times", -2), -EINVAL);
	ASSERT_EQ(fault_attr_set(&a, "probability", 101), -EINVAL);
	ASSERT_EQ(fault_attr_set(&a, "verbose", 3), -EINVAL);
	ASSERT_EQ(fault_attr_set(&a, "space", -1), -EINVAL);
	ASSERT_EQ(fault_attr_set(&a, "min-order", 1), -ENOENT);
	ASSERT_EQ(fault_attr_get(&a, "nope", &v), -ENOENT);
	ASSERT_EQ(a.times, -1);
	ASSERT_FALSE(fault_inject_armed());
}

int main(void)
{
	RUN_TEST(defaults_are_linuxs_and_never_fail);
	RUN_TEST(probability_100_fails_times_calls);
	RUN_TEST(interval_fails_every_nth_call);
	RUN_TEST(space_lets_size_through_first);
	RUN_TEST(knobs_consume_in_linuxs_order);
	RUN_TEST(probability_is_a_percentage_and_seeded);
	RUN_TEST(fail_nth_fails_the_nth_call_once);
	RUN_TEST(fail_nth_overrides_the_knobs);
	RUN_TEST(armed_while_a_probability_or_a_countdown_is_set);
	RUN_TEST(a_thread_exit_disarms_its_countdown);
	RUN_TEST(verbose_notice_and_nowarn);
	RUN_TEST(boot_string);
	RUN_TEST(knobs_by_name);
	return harness_summary();
}
