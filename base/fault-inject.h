/*
 * base/fault-inject.h - what every fault-injection capability shares, as
 * Linux's include/linux/fault-inject.h: a struct fault_attr says how often
 * the capability's eligible calls fail (probability, interval, times,
 * space, verbose), should_fail() asks it, and each thread has a fail-nth
 * countdown (Linux's /proc/self/fail-nth) that fails its Nth eligible call
 * whatever the attributes say.  The capabilities are mm/fail_page_alloc.c
 * and mm/failslab.c; docs/fault_injection.md says how to use them.
 *
 * Every field is read and written with relaxed atomics: a knob may change
 * while other threads allocate.  Random draws come from a per-attribute
 * counter seeded at init (splitmix64), so a single-threaded run fails the
 * same calls every time.
 */
#ifndef KMM_BASE_FAULT_INJECT_H
#define KMM_BASE_FAULT_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <kmm/compiler.h>

struct fault_attr {
	unsigned long probability;	/* percent of the calls let through that fail, 0..100 */
	unsigned long interval;		/* of those, only every interval-th (0 and 1: each) */
	int times;			/* failures left to inject; -1: no limit */
	int space;			/* size that succeeds before failing starts */
	unsigned long verbose;		/* 0: silent; 1: a notice per failure; 2: and callers */
	unsigned long count;		/* calls counted for interval */
	unsigned long rnd_state;	/* the random sequence's counter */
	unsigned long nr_injected;	/* failures injected, fail-nth's included */
	const char *name;		/* the capability: "failslab", "fail_page_alloc" */
	/* Where the notice goes (set at init; NULL: stderr). */
	void (*report)(struct fault_attr *attr, const char *text);
};

/* should_fail_ex flags: no notice (the caller passed __GFP_NOWARN). */
#define FAULT_NOWARN	0x1

/*
 * Linux's FAULT_ATTR_INITIALIZER: probability 0 (never fails but for
 * fail-nth), interval 1, times 1, space 0, verbose 2.
 */
void fault_attr_init(struct fault_attr *attr, const char *name, unsigned long seed,
		     void (*report)(struct fault_attr *attr, const char *text));
/* Stops an attribute that goes away from keeping the hooks armed. */
void fault_attr_exit(struct fault_attr *attr);

/* The boot option's four numbers, "<interval>,<probability>,<space>,<times>". */
struct fault_attr_params {
	unsigned long interval;
	unsigned long probability;
	int space;
	int times;
};
/* Parses a boot option's value; 0, or -1 with the reason in err. */
int fault_attr_parse(const char *str, struct fault_attr_params *p, char *err, size_t errlen);
/* A boot option's validator for a capability called name: 0, or -1 with
 * "option NAME: why" in err (each capability's KMM_OPTION_CHECK calls it). */
int fault_attr_check_option(const char *name, const char *value, char *err, size_t errlen);
/* Parses str and sets attr from it (Linux's setup_fault_attr); 0 or -1. */
int setup_fault_attr(struct fault_attr *attr, const char *str, char *err, size_t errlen);

/*
 * The debugfs knobs every capability has, by their file names:
 * probability, interval, times, space, verbose.  0; -ENOENT for another
 * name; -EINVAL for a value outside the knob's range (kept as it was).
 */
int fault_attr_set(struct fault_attr *attr, const char *knob, long value);
int fault_attr_get(struct fault_attr *attr, const char *knob, long *value);

/*
 * Whether this call fails: the thread's fail-nth countdown first, then
 * times, space (size is what the call asks for), interval, probability.
 * A failure counts in nr_injected and prints the notice unless verbose is
 * 0 or flags has FAULT_NOWARN.
 */
bool should_fail_ex(struct fault_attr *attr, ssize_t size, int flags);
bool should_fail(struct fault_attr *attr, ssize_t size);

/*
 * The calling thread's fail-nth (writing /proc/self/fail-nth): nth > 0
 * fails its nth eligible call from now on, once; 0 disarms.  Reading
 * gives what is left: 0 once the failure was injected (or none was set).
 */
void fail_nth_write(unsigned int nth);
unsigned int fail_nth_read(void);

/*
 * Non-zero while a fault could be injected anywhere: an attribute with a
 * probability, or a thread with a fail-nth countdown.  The allocators'
 * fast paths test only this, so fault injection costs them one load of a
 * word that does not change.
 */
extern unsigned int fault_inject_nr_armed __kmm_hidden;
static inline bool fault_inject_armed(void)
{
	return unlikely(__atomic_load_n(&fault_inject_nr_armed, __ATOMIC_RELAXED) != 0);
}

#endif
