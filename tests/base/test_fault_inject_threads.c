/*
 * tests/base/test_fault_inject_threads.c - should_fail() from 8 threads at
 * once (base/fault-inject.c): times, space and interval hold exactly
 * between them, each thread's fail-nth is its own, and the run is clean
 * under TSan (the "threads" label).
 */
#include <pthread.h>
#include "base/fault-inject.h"
#include "tests/harness.h"

#define NR_THREADS	8
#define CALLS		20000

static struct fault_attr attr;

struct worker {
	pthread_t thread;
	unsigned int nth;		/* the fail-nth this thread sets (0: none) */
	unsigned int failed;		/* its calls that failed */
	unsigned int first_failure;	/* 1-based, 0: none */
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	if (w->nth)
		fail_nth_write(w->nth);
	for (i = 1; i <= CALLS; i++)
		if (should_fail(&attr, 1)) {
			if (!w->failed)
				w->first_failure = i;
			w->failed++;
		}
	return NULL;
}

/* Runs the workers; the failures of all of them. */
static unsigned int run(struct worker *w)
{
	unsigned int i, total = 0;

	for (i = 0; i < NR_THREADS; i++)
		if (pthread_create(&w[i].thread, NULL, worker_run, &w[i]))
			abort();
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		total += w[i].failed;
	}
	return total;
}

static void attr_reset(void)
{
	fault_attr_exit(&attr);
	fault_attr_init(&attr, "threads", 1, NULL);
	attr.verbose = 0;
}

TEST(times_is_a_total_for_all_threads)
{
	struct worker w[NR_THREADS] = { 0 };

	attr_reset();
	fault_attr_set(&attr, "times", 1000);
	fault_attr_set(&attr, "probability", 100);
	ASSERT_EQ(run(w), 1000);
	ASSERT_EQ(attr.times, 0);
	ASSERT_EQ(attr.nr_injected, 1000);
}

TEST(space_and_interval_are_exact)
{
	struct worker w[NR_THREADS] = { 0 };

	attr_reset();
	fault_attr_set(&attr, "times", -1);
	fault_attr_set(&attr, "space", 40001);	/* 40000 calls of size 1 pass */
	fault_attr_set(&attr, "interval", 10);
	fault_attr_set(&attr, "probability", 100);
	ASSERT_EQ(run(w), (NR_THREADS * CALLS - 40000) / 10);
	ASSERT_EQ(attr.space, 1);
}

TEST(each_thread_has_its_own_countdown)
{
	struct worker w[NR_THREADS] = { 0 };
	unsigned int i;

	attr_reset();
	for (i = 0; i < NR_THREADS; i++)
		w[i].nth = i ? 100 * i : 0;
	ASSERT_EQ(run(w), NR_THREADS - 1);
	for (i = 1; i < NR_THREADS; i++)
		ASSERT_EQ(w[i].first_failure, 100 * i);
	ASSERT_EQ(w[0].failed, 0);
	ASSERT_FALSE(fault_inject_armed());
}

int main(void)
{
	fault_attr_init(&attr, "threads", 1, NULL);
	RUN_TEST(times_is_a_total_for_all_threads);
	RUN_TEST(space_and_interval_are_exact);
	RUN_TEST(each_thread_has_its_own_countdown);
	fault_attr_exit(&attr);
	return harness_summary();
}
