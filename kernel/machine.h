/*
 * kernel/machine.h - the tasks' part of a machine (struct kmm's kernel):
 * every task_struct, and the pids.
 */
#ifndef KMM_KERNEL_MACHINE_H
#define KMM_KERNEL_MACHINE_H

#include <kmm/list.h>
#include "base/machine.h"

struct kernel_machine {
	struct list_head tasks;		/* every task_struct, by pid (kernel/fork.c) */
	int last_pid;			/* pids are handed out ascending from 1 */
};

/* kernel/fork.c: the empty task list of a booting machine. */
void fork_init(struct kmm *k);

#endif /* KMM_KERNEL_MACHINE_H */
