/*
 * base/ratelimit.h - at most `burst` messages per interval, as Linux's
 * lib/ratelimit.c, and a count of those held back.
 *
 * kmm has no clock to measure an interval by (simulated time does not pass
 * inside a command, and the host's would make output depend on speed), so
 * the interval is counted in calls: of every `interval` calls to
 * __ratelimit, the first `burst` may print.  The first call of a new
 * interval learns how many the last one held back, to say
 * "N callbacks suppressed" as Linux does.
 */
#ifndef KMM_BASE_RATELIMIT_H
#define KMM_BASE_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>

/* Linux: 10 messages per 5 s (DEFAULT_RATELIMIT_BURST / _INTERVAL). */
#define DEFAULT_RATELIMIT_BURST		10
#define DEFAULT_RATELIMIT_INTERVAL	1000	/* calls */

struct ratelimit_state {
	pthread_mutex_t lock;
	unsigned long interval;	/* calls per interval; 0: no limit */
	unsigned int burst;	/* may print per interval */
	unsigned long calls;	/* in the current interval */
	unsigned int printed;	/* in the current interval */
	unsigned long missed;	/* held back in the current interval */
};

void ratelimit_state_init(struct ratelimit_state *rs, unsigned long interval,
			  unsigned int burst);

/*
 * May the caller print?  *suppressed is set to what the interval that just
 * ended held back (0 if it did not end now, or held back nothing): the
 * caller says so before its own message.
 */
bool __ratelimit(struct ratelimit_state *rs, unsigned long *suppressed);

#endif /* KMM_BASE_RATELIMIT_H */
