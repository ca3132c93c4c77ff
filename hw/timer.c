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
	bool pending = del_timer(t);

	t->expires = expires;
	/* After every timer of the same expiry: equal times run in arming order. */
	for (pos = timers->next; pos != timers; pos = pos->next)
		if (list_entry(pos, struct timer_list, entry)->expires > expires)
			break;
	list_add_tail(&t->entry, pos);
	return pending;
}

bool del_timer(struct timer_list *t)
{
	if (!timer_pending(t))
		return false;
	list_del_init(&t->entry);
	return true;
}

/* The earliest armed timer, or NULL. */
static struct timer_list *first_timer(struct kmm *k)
{
	return list_first_entry_or_null(&k->hw->timers, struct timer_list, entry);
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
	while ((t = first_timer(k)) && t->expires <= now)
		list_move_tail(&t->entry, &due);
	while ((t = list_first_entry_or_null(&due, struct timer_list, entry))) {
		list_del_init(&t->entry);
		t->function(t);
	}
	k->hw->running_timers = false;
}

void hw_clock_sleep(struct kmm *k, unsigned long long ns)
{
	unsigned long long end = hw_clock_ns(k) + ns;
	struct timer_list *t;

	if (k->hw->running_timers) {
		hw_clock_advance(k, ns);	/* inside a callback: the outer run goes on */
		return;
	}
	run_timers(k);
	while ((t = first_timer(k)) && t->expires <= end) {
		if (t->expires > hw_clock_ns(k))
			hw_clock_advance(k, t->expires - hw_clock_ns(k));
		run_timers(k);
	}
	if (end > hw_clock_ns(k))
		hw_clock_advance(k, end - hw_clock_ns(k));
	run_timers(k);
}
