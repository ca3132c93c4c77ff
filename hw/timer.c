/*
 * hw/timer.c - the machine's timers on its simulated clock: Linux's
 * kernel/time/timer.c reduced to a list sorted by expiry.  It lives here,
 * beside the clock, because mm/ (the flusher) and the layers above arm
 * timers, and kernel/ sits above mm/.  A timer is the clock's event
 * device, programmed by the kernel; its callback runs as the timer
 * interrupt's softirq would, at the defined points include/kmm/timer.h
 * names, never on a host thread.
 */
#include <kmm/timer.h>
#include "hw/machine.h"
#include "base/machine.h"

void hw_timer_init(struct kmm *k)
{
	INIT_LIST_HEAD(&k->hw->timers);
	pthread_mutex_init(&k->hw->timers_lock, NULL);
}

/*
 * The list is locked, so that a thread allocating memory may arm a timer
 * (wakeup_kswapd from GFP_ATOMIC) while the machine's own thread runs
 * them; callbacks run unlocked.
 */
static void timers_lock(struct kmm *k)
{
	pthread_mutex_lock(&k->hw->timers_lock);
}

static void timers_unlock(struct kmm *k)
{
	pthread_mutex_unlock(&k->hw->timers_lock);
}

static bool __del_timer(struct timer_list *t)
{
	if (!timer_pending(t))
		return false;
	list_del_init(&t->entry);
	return true;
}

void timer_setup(struct kmm *k, struct timer_list *t, void (*fn)(struct timer_list *t))
{
	INIT_LIST_HEAD(&t->entry);
	t->expires = 0;
	t->function = fn;
	t->k = k;
}

bool mod_timer(struct timer_list *t, unsigned long long expires)
{
	struct list_head *timers = &t->k->hw->timers, *pos;
	bool pending;

	timers_lock(t->k);
	pending = __del_timer(t);
	t->expires = expires;
	/* After every timer of the same expiry: equal times run in arming order. */
	for (pos = timers->next; pos != timers; pos = pos->next)
		if (list_entry(pos, struct timer_list, entry)->expires > expires)
			break;
	list_add_tail(&t->entry, pos);
	timers_unlock(t->k);
	return pending;
}

bool del_timer(struct timer_list *t)
{
	bool pending;

	timers_lock(t->k);
	pending = __del_timer(t);
	timers_unlock(t->k);
	return pending;
}

/* When the earliest armed timer expires (~0: none). */
static unsigned long long first_expiry(struct kmm *k)
{
	struct timer_list *t;
	unsigned long long at;

	timers_lock(k);
	t = list_first_entry_or_null(&k->hw->timers, struct timer_list, entry);
	at = t ? t->expires : ~0ull;
	timers_unlock(k);
	return at;
}

void run_timers(struct kmm *k)
{
	unsigned long long now = hw_clock_ns(k);
	struct list_head due;
	struct timer_list *t;

	if (k->hw->running_timers)
		return;		/* a callback's own call: the outer one goes on */
	k->hw->running_timers = true;
	/* Those due now leave first, so a callback that re-arms runs next time. */
	INIT_LIST_HEAD(&due);
	timers_lock(k);
	while ((t = list_first_entry_or_null(&k->hw->timers, struct timer_list, entry)) &&
	       t->expires <= now)
		list_move_tail(&t->entry, &due);
	while ((t = list_first_entry_or_null(&due, struct timer_list, entry))) {
		list_del_init(&t->entry);
		timers_unlock(k);
		t->function(t);
		timers_lock(k);
	}
	timers_unlock(k);
	k->hw->running_timers = false;
}

void hw_clock_sleep(struct kmm *k, unsigned long long ns)
{
	unsigned long long end = hw_clock_ns(k) + ns, at;

	if (k->hw->running_timers) {
		hw_clock_advance(k, ns);	/* inside a callback: the outer run goes on */
		return;
	}
	run_timers(k);
	while ((at = first_expiry(k)) <= end) {
		if (at > hw_clock_ns(k))
			hw_clock_advance(k, at - hw_clock_ns(k));
		run_timers(k);
	}
	if (end > hw_clock_ns(k))
		hw_clock_advance(k, end - hw_clock_ns(k));
	run_timers(k);
}
