/*
 * kernel/exit.c - a process goes away: its address space is torn down
 * (every VMA, anon_vma and file reference; the pages and page tables
 * once the fault layer maps them), its children are given to init (pid
 * 1, or to nobody once the machine itself tears init down), and
 * the task itself is freed.  A simulated task has no exit code to wait
 * for, so it is reaped at once.  Init never exits on its own: as in
 * Linux, that is a kernel panic (do_group_exit).
 */
#include <errno.h>
#include <kmm/sched.h>
#include "mm/slab.h"
#include "mm/mmap.h"
#include "kernel/machine.h"

int do_group_exit(struct task_struct *t, int exit_code)
{
	if (is_global_init(t)) {
		/* Nobody would be left to adopt orphans and reap them. */
		panic(kmm_cur(), "Attempted to kill init! exitcode=0x%08x", exit_code);
		return -EPERM;
	}
	do_exit(t);
	return 0;
}

void do_exit(struct task_struct *t)
{
	struct kmm *k = kmm_cur();
	struct task_struct *c, *init = find_task_by_vpid(1);
	struct mm_struct *mm;

	/* Orphans are adopted by init (pid 1), as forget_original_parent
	 * does; when the machine shuts down and tears init down, by nobody. */
	if (init == t)
		init = NULL;
	list_for_each_entry(c, &k->kernel->tasks, tasks)
		if (c->real_parent == t)
			c->real_parent = init;
	/* exit_mm: the task lets go of its mm before it goes, so nothing
	 * (the OOM killer) finds it half torn down. */
	mm = t->mm;
	t->mm = NULL;
	if (mm)
		mmput(mm);
	free_task(t);
}
