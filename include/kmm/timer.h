/*
 * include/kmm/timer.h - timers on the machine's simulated clock (hw/timer.c),
 * as Linux's linux/timer.h declares them: a callback armed for a point of
 * simulated time, run when that time has come.
 *
 * Nothing runs on a host thread.  Due timers run, in expiry order, only at
 * defined points: when the simulator finishes a command (run_timers), when
 * time passes on purpose (hw_clock_sleep: the script's sleep, a throttled
 * writer's pause), so a script prints the same on every host.
 */
#ifndef KMM_TIMER_H
#define KMM_TIMER_H

#include <stdbool.h>
#include <kmm/compiler.h>
#include <kmm/list.h>

struct kmm;

struct timer_list {
	struct list_head entry;		/* on the machine's timers by expiry; empty: idle */
	unsigned long long expires;	/* simulated ns since boot (hw_clock_ns) */
	void (*function)(struct timer_list *t);
	struct kmm *k;			/* the machine whose clock it waits on */
};

#define from_timer(var, t, field)	container_of(t, typeof(*(var)), field)

/* t calls fn when it expires; it is idle until mod_timer arms it. */
void timer_setup(struct kmm *k, struct timer_list *t, void (*fn)(struct timer_list *t));
/* Arms t for expires (a pending t moves there); true if it was pending. */
bool mod_timer(struct timer_list *t, unsigned long long expires);
/* Disarms t; true if it was pending.  (Linux 6.2+ calls it timer_delete,
 * a name the C library's POSIX timers already take.) */
bool del_timer(struct timer_list *t);

static inline bool timer_pending(const struct timer_list *t)
{
	return !list_empty(&t->entry);
}

/*
 * Runs every timer whose expiry has come, earliest first (run_timer_softirq).
 * One armed again for a time already due by its own callback waits for the
 * next call, so a call always ends.
 */
void run_timers(struct kmm *k);
/*
 * ns of simulated time pass: each timer due on the way runs at its own
 * expiry (the clock is moved there first), then the clock reaches the end.
 * Work a timer does (disk I/O) takes time too: the clock never goes back,
 * so it may end past now + ns.
 */
void hw_clock_sleep(struct kmm *k, unsigned long long ns);

#endif /* KMM_TIMER_H */
