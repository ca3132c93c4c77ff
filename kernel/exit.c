/*
 * kernel/exit.c - a process goes away: its address space is torn down
 * (every VMA, anon_vma and file reference; the pages and page tables
 * once the fault layer maps them), its children are given to init (pid
 * 1, or to nobody if init has exited), and
 * the task itself is freed.  A simulated task has no exit code to wait
 * for, so it is reaped at once.
 */
#include <kmm/sched.h>
#include "mm/slab.h"
#include "mm/mmap.h"

void do_exit(struct task_struct *t)
{
	struct kmm *k = kmm_cur();
	struct task_struct *c, *init = find_task_by_vpid(1);

	/* Orphans are adopted by init (pid 1), as forget_original_parent
	 * does; if init itself is gone (a simulator allows that), by nobody. */
	if (init == t)
		init = NULL;
	list_for_each_entry(c, &k->tasks, tasks)
		if (c->real_parent == t)
			c->real_parent = init;
	if (t->mm)
		mmput(t->mm);
	t->mm = NULL;
	free_task(t);
}
