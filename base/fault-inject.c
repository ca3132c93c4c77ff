/*
 * base/fault-inject.c - should_fail(): whether a capability's call fails,
 * from its struct fault_attr and the thread's fail-nth countdown.  The
 * order of the tests and what each one consumes are those of Linux's
 * lib/fault-inject.c, so a knob set as its documentation says does here
 * what it does there:
 *
 *   fail-nth   counts down on every call that reaches should_fail (the
 *              capability's own filters, such as ignore-gfp-wait, come
 *              first); the call that brings it to 0 fails, whatever else
 *   probability 0 ends it: nothing fails
 *   times      0 ends it: the failures allowed are spent
 *   space      while above size, size is taken from it and the call passes
 *   interval   counts the calls that got this far; all but every Nth pass
 *   probability a draw below it fails the call
 *
 * A failure takes one from times (unless -1), counts in nr_injected and,
 * with verbose, prints a notice through the attribute's report function.
 *
 * Differs from Linux: no task-filter or stack-trace filter; the notice is
 * not rate-limited (runs are deterministic, and a quiet machine keeps it
 * off stderr); times, space and the rest are taken atomically, so several
 * threads never inject more than times failures between them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/fault-inject.h"

#define CALLERS_SHOWN	8

unsigned int fault_inject_nr_armed;

/* An attribute with a probability, or a thread with a countdown, arms. */
static void arm(long delta)
{
	__atomic_add_fetch(&fault_inject_nr_armed, (unsigned int)delta, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* fail-nth                                                            */
/* ------------------------------------------------------------------ */

static _Thread_local unsigned int fail_nth;
static pthread_key_t fail_nth_key;
static pthread_once_t fail_nth_once = PTHREAD_ONCE_INIT;

/* A thread that ends with its countdown set disarms it. */
static void fail_nth_thread_exit(void *unused)
{
	if (fail_nth) {
		fail_nth = 0;
		arm(-1);
	}
}

static void fail_nth_key_init(void)
{
	if (pthread_key_create(&fail_nth_key, fail_nth_thread_exit))
		abort();	/* out of keys at startup: nothing sensible to do */
}

void fail_nth_write(unsigned int nth)
{
	pthread_once(&fail_nth_once, fail_nth_key_init);
	if (!fail_nth && nth) {
		pthread_setspecific(fail_nth_key, &fail_nth);	/* the destructor runs */
		arm(1);
	} else if (fail_nth && !nth) {
		arm(-1);
	}
	fail_nth = nth;
}

unsigned int fail_nth_read(void)
{
	return fail_nth;
}

/* One step of the countdown: true if this call is the one to fail. */
static bool fail_nth_step(void)
{
	if (--fail_nth)
		return false;
	arm(-1);
	return true;
}

/* ------------------------------------------------------------------ */
/* Attributes                                                          */
/* ------------------------------------------------------------------ */

/* The probability, which decides whether the attribute arms the hooks. */
static void set_probability(struct fault_attr *attr, unsigned long p)
{
	unsigned long old = __atomic_exchange_n(&attr->probability, p, __ATOMIC_RELAXED);

	if (!old && p)
		arm(1);
	else if (old && !p)
		arm(-1);
}

void fault_attr_init(struct fault_attr *attr, const char *name, unsigned long seed,
		     void (*report)(struct fault_attr *attr, const char *text))
{
	memset(attr, 0, sizeof(*attr));
	attr->interval = 1;
	attr->times = 1;
	attr->verbose = 2;
	attr->rnd_state = seed;
	attr->name = name;
	attr->report = report;
}

void fault_attr_exit(struct fault_attr *attr)
{
	set_probability(attr, 0);
}

/* One number of the boot string, up to the next comma (or the end). */
static int parse_field(const char **s, long lo, long hi, long *v, bool last)
{
	char *end;

	if (!isdigit((unsigned char)**s) && **s != '-')
		return -1;
	errno = 0;
	*v = strtol(*s, &end, 10);
	if (errno || *v < lo || *v > hi || (last ? *end != 0 : *end != ','))
		return -1;
	*s = last ? end : end + 1;
	return 0;
}

int fault_attr_check_option(const char *name, const char *value, char *err, size_t errlen)
{
	struct fault_attr_params p;
	char why[160];

	if (!fault_attr_parse(value, &p, why, sizeof(why)))
		return 0;
	snprintf(err, errlen, "option %s: %s", name, why);
	return -1;
}

int fault_attr_parse(const char *str, struct fault_attr_params *p, char *err, size_t errlen)
{
	const char *s = str;
	long interval, probability, space, times;

	if (parse_field(&s, 0, LONG_MAX, &interval, false) ||
	    parse_field(&s, 0, 100, &probability, false) ||
	    parse_field(&s, 0, INT_MAX, &space, false) ||
	    parse_field(&s, -1, INT_MAX, &times, true)) {
		snprintf(err, errlen, "'%s' is not <interval>,<probability>,<space>,<times> "
			 "(interval >= 0, probability 0..100, space >= 0, times >= -1)", str);
		return -1;
	}
	p->interval = (unsigned long)interval;
	p->probability = (unsigned long)probability;
	p->space = (int)space;
	p->times = (int)times;
	return 0;
}

int setup_fault_attr(struct fault_attr *attr, const char *str, char *err, size_t errlen)
{
	struct fault_attr_params p;

	if (fault_attr_parse(str, &p, err, errlen))
		return -1;
	WRITE_ONCE(attr->interval, p.interval);
	WRITE_ONCE(attr->space, p.space);
	WRITE_ONCE(attr->times, p.times);
	set_probability(attr, p.probability);
	return 0;
}

/* The generic knobs: their file names, ranges, and where they live. */
enum knob_type { KNOB_ULONG, KNOB_INT };

static const struct {
	const char *name;
	enum knob_type type;
	size_t offset;
	long min, max;
} knobs[] = {
	{ "probability", KNOB_ULONG, offsetof(struct fault_attr, probability), 0, 100 },
	{ "interval", KNOB_ULONG, offsetof(struct fault_attr, interval), 0, LONG_MAX },
	{ "times", KNOB_INT, offsetof(struct fault_attr, times), -1, INT_MAX },
	{ "space", KNOB_INT, offsetof(struct fault_attr, space), 0, INT_MAX },
	{ "verbose", KNOB_ULONG, offsetof(struct fault_attr, verbose), 0, 2 },
};

static int find_knob(const char *knob)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (!strcmp(knobs[i].name, knob))
			return (int)i;
	return -1;
}

int fault_attr_set(struct fault_attr *attr, const char *knob, long value)
{
	int i = find_knob(knob);
	char *p;

	if (i < 0)
		return -ENOENT;
	if (value < knobs[i].min || value > knobs[i].max)
		return -EINVAL;
	p = (char *)attr + knobs[i].offset;
	if (p == (char *)&attr->probability)
		set_probability(attr, (unsigned long)value);
	else if (knobs[i].type == KNOB_ULONG)
		__atomic_store_n((unsigned long *)p, (unsigned long)value, __ATOMIC_RELAXED);
	else
		__atomic_store_n((int *)p, (int)value, __ATOMIC_RELAXED);
	return 0;
}

int fault_attr_get(struct fault_attr *attr, const char *knob, long *value)
{
	int i = find_knob(knob);
	char *p;

	if (i < 0)
		return -ENOENT;
	p = (char *)attr + knobs[i].offset;
	if (knobs[i].type == KNOB_ULONG)
		*value = (long)__atomic_load_n((unsigned long *)p, __ATOMIC_RELAXED);
	else
		*value = __atomic_load_n((int *)p, __ATOMIC_RELAXED);
	return 0;
}

/* ------------------------------------------------------------------ */
/* should_fail                                                         */
/* ------------------------------------------------------------------ */

/* A draw in 0..99: splitmix64 of the attribute's counter, scaled. */
static unsigned int random_percent(struct fault_attr *attr)
{
	unsigned long z = __atomic_add_fetch(&attr->rnd_state, 0x9e3779b97f4a7c15ul,
					     __ATOMIC_RELAXED);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ul;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebul;
	z ^= z >> 31;
	return (unsigned int)(((z >> 32) * 100) >> 32);
}

/* Takes size from space if space is above it (the call then passes). */
static bool consume_space(struct fault_attr *attr, ssize_t size)
{
	int old = __atomic_load_n(&attr->space, __ATOMIC_RELAXED);

	while (old > size)
		if (__atomic_compare_exchange_n(&attr->space, &old, old - (int)size, true,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return true;
	return false;
}

/*
 * Takes one failure from times: false if none is left (another thread
 * took the last one).  -1 stays -1; fail-nth fails even at 0.  *before:
 * times as it was, which the notice shows (as Linux's, printed first).
 */
static bool take_time(struct fault_attr *attr, bool forced, int *before)
{
	int old = __atomic_load_n(&attr->times, __ATOMIC_RELAXED);

	for (;;) {
		*before = old;
		if (old == -1)
			return true;
		if (old == 0)
			return forced;
		if (__atomic_compare_exchange_n(&attr->times, &old, old - 1, true,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return true;
	}
}

/*
 * The callers above should_fail, as symbol+offset, up to main: the
 * functions with a dynamic symbol (the program is linked -rdynamic);
 * static ones have no name to show and are left out.
 */
static size_t format_callers(char *buf, size_t len)
{
	void *frames[CALLERS_SHOWN * 3];
	int n = backtrace(frames, (int)ARRAY_SIZE(frames)), i, shown = 0;
	size_t used = (size_t)snprintf(buf, len, "Call Trace:\n");

	for (i = 1; i < n && shown < CALLERS_SHOWN && used < len; i++) {
		Dl_info info;

		if (!dladdr(frames[i], &info) || !info.dli_sname ||
		    !strncmp(info.dli_sname, "should_fail", 11))
			continue;
		used += (size_t)snprintf(buf + used, len - used, " %s+0x%lx\n", info.dli_sname,
					 (unsigned long)((char *)frames[i] - (char *)info.dli_saddr));
		shown++;
		if (!strcmp(info.dli_sname, "main"))
			break;
	}
	return used;
}

/* Linux's fail_dump: the notice that a failure was forced. */
static void __cold __noinline fail_dump(struct fault_attr *attr, int times)
{
	unsigned long verbose = READ_ONCE(attr->verbose);
	char text[2048];
	size_t n;

	if (!verbose)
		return;
	n = (size_t)snprintf(text, sizeof(text),
			     "FAULT_INJECTION: forcing a failure.\n"
			     "name %s, interval %lu, probability %lu, space %d, times %d\n",
			     attr->name, READ_ONCE(attr->interval), READ_ONCE(attr->probability),
			     READ_ONCE(attr->space), times);
	if (verbose > 1 && n < sizeof(text))
		format_callers(text + n, sizeof(text) - n);
	if (attr->report)
		attr->report(attr, text);
	else
		fputs(text, stderr);
}

/* The attributes' own tests, for a call fail-nth did not decide. */
static bool attr_says_fail(struct fault_attr *attr, ssize_t size)
{
	unsigned long interval;

	if (!READ_ONCE(attr->probability) || !READ_ONCE(attr->times))
		return false;
	if (consume_space(attr, size))
		return false;
	interval = READ_ONCE(attr->interval);
	if (interval > 1 && __atomic_add_fetch(&attr->count, 1, __ATOMIC_RELAXED) % interval)
		return false;
	return random_percent(attr) < READ_ONCE(attr->probability);
}

bool should_fail_ex(struct fault_attr *attr, ssize_t size, int flags)
{
	bool forced = false;
	int times;

	if (fail_nth) {
		if (!fail_nth_step())
			return false;
		forced = true;
	} else if (!attr_says_fail(attr, size)) {
		return false;
	}
	if (!take_time(attr, forced, &times))
		return false;
	__atomic_add_fetch(&attr->nr_injected, 1, __ATOMIC_RELAXED);
	if (!(flags & FAULT_NOWARN))
		fail_dump(attr, times);
	return true;
}

bool should_fail(struct fault_attr *attr, ssize_t size)
{
	return should_fail_ex(attr, size, 0);
}
