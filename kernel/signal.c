/*
 * kernel/signal.c - the one signal a simulated task can be sent by the
 * kernel: SIGKILL, from the OOM killer (mm/oom_kill.c).  A task runs only
 * while a call is made for it, so the signal is delivered where Linux's
 * get_signal would act on it, on the way back to user space: after the
 * call (the simulator delivers after every command).  The task ends as
 * exit_group does, with SIGKILL as its exit code.
 */
#include <signal.h>
#include <kmm/sched.h>
#include "kernel/machine.h"

int deliver_fatal_signals(struct kmm *k, void (*fn)(struct task_struct *t, void *arg), void *arg)
{
	struct task_struct *t;
	int n = 0;

	/* Each exit changes the list: start over after every one. */
	for (;;) {
		list_for_each_entry(t, &k->kernel->tasks, tasks)
			if (fatal_signal_pending(t))
				break;
		if (&t->tasks == &k->kernel->tasks)
			return n;
		if (fn)
			fn(t, arg);
		n++;
		if (do_group_exit(t, SIGKILL))
			return n;	/* init: the machine panicked, t stays */
	}
}
