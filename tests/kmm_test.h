/*
 * tests/kmm_test.h - what the kmm tests share beyond the harness: a report
 * hook that counts reports and keeps the last one, so a test can assert
 * that misuse was reported, and what was said.
 */
#ifndef KMM_TESTS_KMM_TEST_H
#define KMM_TESTS_KMM_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <kmm/kmm.h>
#include <kmm/sched.h>

static unsigned long reports_seen;
static char last_report[4096];

static void capture(const char *report, void *arg)
{
	(void)arg;
	reports_seen++;
	snprintf(last_report, sizeof(last_report), "%s", report);
}

/* Routes reports to capture() and clears what was seen. */
static inline void capture_reports(void)
{
	kmm_set_report_hook(capture, NULL);
	reports_seen = 0;
	last_report[0] = 0;
}

/*
 * Boots cfg (aborting if it cannot: the test would mean nothing),
 * captures its reports, and spawns pid 1 ("cat"), which most tests drive.
 */
static inline struct task_struct *boot_and_spawn(struct kmm_config *cfg)
{
	struct task_struct *t;
	int err;

	if (!kmm_boot(cfg))
		abort();
	capture_reports();
	t = kernel_spawn("cat", &err);
	if (!t)
		abort();
	return t;
}

/* A tiny xorshift so runs are reproducible from KMM_TEST_SEED. */
static uint64_t rnd_state;
static inline uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

#endif
