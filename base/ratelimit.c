/*
 * base/ratelimit.c - a burst of messages per interval of calls; see
 * base/ratelimit.h for why the interval is counted, not timed.
 */
#include "base/ratelimit.h"

void ratelimit_state_init(struct ratelimit_state *rs, unsigned long interval,
			  unsigned int burst)
{
	pthread_mutex_init(&rs->lock, NULL);
	rs->interval = interval;
	rs->burst = burst;
	rs->calls = 0;
	rs->printed = 0;
	rs->missed = 0;
}

bool __ratelimit(struct ratelimit_state *rs, unsigned long *suppressed)
{
	bool ok;

	*suppressed = 0;
	if (!rs->interval)
		return true;
	pthread_mutex_lock(&rs->lock);
	if (rs->calls++ >= rs->interval) {
		/* A new interval: this call is its first. */
		*suppressed = rs->missed;
		rs->calls = 1;
		rs->printed = 0;
		rs->missed = 0;
	}
	ok = rs->printed < rs->burst;
	if (ok)
		rs->printed++;
	else
		rs->missed++;
	pthread_mutex_unlock(&rs->lock);
	return ok;
}
