/*
 * include/kmm/oom.h - the OOM killer (mm/oom_kill.c), as Linux's
 * linux/oom.h and uapi/linux/oom.h: the oom_score_adj range, the
 * allocation's description handed to out_of_memory, and the badness
 * heuristic behind /proc/PID/oom_score.
 */
#ifndef KMM_OOM_H
#define KMM_OOM_H

#include <stdbool.h>
#include <kmm/gfp.h>

/* /proc/PID/oom_score_adj: OOM_SCORE_ADJ_MIN makes a task unkillable. */
#define OOM_SCORE_ADJ_MIN	(-1000)
#define OOM_SCORE_ADJ_MAX	1000
/* /proc/PID/oom_adj, the legacy scale: -17 disables, -16..15 otherwise. */
#define OOM_DISABLE		(-17)
#define OOM_ADJUST_MIN		(-16)
#define OOM_ADJUST_MAX		15

/* What limited the allocation (kmm has one node, no cpusets, no memcg). */
enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_CPUSET,
	CONSTRAINT_MEMORY_POLICY,
	CONSTRAINT_MEMCG,
};

struct kmm;
struct task_struct;

/* The allocation that found no memory, and what the OOM killer made of it. */
struct oom_control {
	struct kmm *kmm;		/* the machine out of memory */
	gfp_t gfp_mask;
	int order;			/* -1: a manual kill (sysrq f), not an allocation */
	/* Filled in by out_of_memory. */
	unsigned long totalpages;	/* RAM + swap the badness is scaled to */
	struct task_struct *chosen;	/* the victim; OOM_ABORT: one is dying already */
	long chosen_points;
	enum oom_constraint constraint;
};

/* oc->chosen when a victim still on its way out makes a new kill wait. */
#define OOM_ABORT	((struct task_struct *)-1l)

/*
 * Kills the task whose death frees the most memory (or panics, as
 * vm.panic_on_oom asks).  True when memory will come back and the
 * allocation may try again; false when nothing could be done.
 */
bool out_of_memory(struct oom_control *oc);
/*
 * A page fault that ended VM_FAULT_OOM, as the fault handler calls it
 * (Linux's pagefault_out_of_memory): whether t dies of it, i.e. the OOM
 * killer has already sent t its SIGKILL.  Otherwise the failure leaked
 * past the OOM killer (an injected failure): Linux's warning is printed.
 */
bool pagefault_out_of_memory(struct task_struct *t);
/*
 * The heuristic: t's resident pages, swap entries and page-table pages,
 * plus oom_score_adj thousandths of totalpages; LONG_MIN for a task that
 * may not be killed (init, oom_score_adj -1000, no memory left to take).
 */
long oom_badness(struct task_struct *t, unsigned long totalpages);
/* The pages badness is measured against: totalram_pages + total_swap_pages. */
unsigned long oom_totalpages(struct kmm *k);
/* sysrq f (echo f > /proc/sysrq-trigger): an OOM kill without an allocation. */
void moom_callback(struct kmm *k);

#endif /* KMM_OOM_H */
