/*
 * mm/oom_kill.c - when memory is gone: the page allocator's last resort
 * kills the process whose death gives back the most (Linux 6.x's
 * mm/oom_kill.c).
 *
 * The victim is the killable process with the highest badness: its
 * resident pages (anonymous, file, shmem), swap entries and page-table
 * pages, plus oom_score_adj thousandths of RAM + swap.  Init and
 * oom_score_adj -1000 are never chosen; vm.oom_kill_allocating_task
 * kills the allocating task instead, vm.panic_on_oom panics.  The kill
 * is reported as Linux reports it (dump_header: the allocation, the
 * Mem-Info block, the task table, the oom-kill summary, "Out of memory:
 * Killed process"), counted in /proc/vmstat's oom_kill, and sends the
 * victim SIGKILL.
 *
 * Where kmm differs, because a simulated task runs only while a call is
 * made on its behalf:
 *   - The OOM reaper (Linux's kthread, 2 s after the kill) runs at once
 *     on a victim that is not the current task: its anonymous and private
 *     pages go back before the allocation retries.  The current task's
 *     memory is in use by the call that allocates (Linux's reaper would
 *     fail mmap_read_trylock): it keeps it, with access to the reserves
 *     (ALLOC_OOM), until it dies, or until the next out_of_memory finds
 *     it no longer current and reaps it then.
 *   - The victim dies on its way back to user space: the simulator
 *     delivers the SIGKILL after the command (deliver_fatal_signals).
 *   - A GFP_NOFS/GFP_NOIO allocation fails instead of waiting for others
 *     to free memory (Linux loops; nothing else runs here).
 *   - A machine without processes (libkmm as an allocator library) has
 *     nothing to kill: its allocations fail, as they always did, instead
 *     of Linux's "no killable processes" panic.
 *   - No cpusets, memcgs or NUMA policies: the constraint is always
 *     CONSTRAINT_NONE; no stack dump, no unreclaimable-slab dump; every
 *     task is uid 0 with CAP_SYS_RESOURCE; no oom notifiers.
 *
 * Lock order: oom_lock (taken by the page allocator), then the zones.
 */
#include <limits.h>
#include <stdio.h>
#include <kmm/oom.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/vma.h"

#define K(pages)	((pages) << (PAGE_SHIFT - 10))

void oom_init(struct kmm *k)
{
	k->mem->sysctl_panic_on_oom = 0;
	k->mem->sysctl_oom_kill_allocating_task = 0;
	k->mem->sysctl_oom_dump_tasks = 1;
	pthread_mutex_init(&k->mem->oom_lock, NULL);
	ratelimit_state_init(&k->mem->oom_rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
}

/* order -1: sysrq f asked for a kill, no allocation failed. */
static inline bool is_sysrq_oom(const struct oom_control *oc)
{
	return oc->order == -1;
}

/* Tasks that are never a candidate: init (kmm has no kernel threads). */
static bool oom_unkillable_task(const struct task_struct *p)
{
	return is_global_init(p);
}

unsigned long oom_totalpages(struct kmm *k)
{
	return __totalram_pages(k) + (unsigned long)get_total_swap_pages(k);
}

long oom_badness(struct task_struct *p, unsigned long totalpages)
{
	struct mm_struct *mm = p->mm;
	long points, adj;

	if (oom_unkillable_task(p) || !mm)
		return LONG_MIN;
	adj = p->oom_score_adj;
	if (adj == OOM_SCORE_ADJ_MIN || (mm->flags & MMF_OOM_SKIP))
		return LONG_MIN;
	points = (long)(get_mm_rss(mm) + get_mm_counter(mm, MM_SWAPENTS) +
			mm_pgtables_bytes(mm) / PAGE_SIZE);
	/* Normalised to oom_score_adj units: the division first, as Linux. */
	adj *= (long)(totalpages / 1000);
	return points + adj;
}

static const char *const oom_constraint_text[] = {
	[CONSTRAINT_NONE] = "CONSTRAINT_NONE",
	[CONSTRAINT_CPUSET] = "CONSTRAINT_CPUSET",
	[CONSTRAINT_MEMORY_POLICY] = "CONSTRAINT_MEMORY_POLICY",
	[CONSTRAINT_MEMCG] = "CONSTRAINT_MEMCG",
};

/* One node, no cpusets, no mempolicies: all of RAM and swap counts. */
static enum oom_constraint constrained_alloc(struct oom_control *oc)
{
	oc->totalpages = oom_totalpages(oc->kmm);
	return CONSTRAINT_NONE;
}

/*
 * Whether the call now running works on mm's page tables: the current
 * task's.  The reaper keeps off it (Linux's mmap_read_trylock fails on
 * a writer; kmm's faults and system calls take no lock to fail on).
 */
static bool mm_in_use(struct kmm *k, const struct mm_struct *mm)
{
	return k->current && k->current->mm == mm;
}

/* ---- choosing --------------------------------------------------------- */

static int oom_evaluate_task(struct task_struct *task, struct oom_control *oc)
{
	long points;

	if (oom_unkillable_task(task))
		return 0;
	/*
	 * A victim on its way out has the reserves: wait for it rather than
	 * kill another, unless the reaper took all it could already.
	 */
	if (!is_sysrq_oom(oc) && tsk_is_oom_victim(task)) {
		if (!task->mm || (task->mm->flags & MMF_OOM_SKIP))
			return 0;
		oc->chosen = OOM_ABORT;
		return 1;
	}
	points = oom_badness(task, oc->totalpages);
	/* Ties go to the later task, as in Linux's walk. */
	if (points == LONG_MIN || points < oc->chosen_points)
		return 0;
	oc->chosen = task;
	oc->chosen_points = points;
	return 0;
}

static void select_bad_process(struct oom_control *oc)
{
	struct task_struct *p;

	oc->chosen_points = LONG_MIN;
	for_each_process(oc->kmm, p)
		if (oom_evaluate_task(p, oc))
			break;
}

/* ---- the report --------------------------------------------------------- */

static void dump_tasks(struct oom_control *oc)
{
	struct task_struct *p;

	kmm_report(oc->kmm, "Tasks state (memory values in pages):\n"
		   "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem "
		   "pgtables_bytes swapents oom_score_adj name\n");
	for_each_process(oc->kmm, p) {
		struct mm_struct *mm = p->mm;

		if (oom_unkillable_task(p) || !mm)
			continue;
		kmm_report(oc->kmm, "[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8lu %8lu         %5hd %s\n",
			   p->pid, 0, p->pid, mm->total_vm, get_mm_rss(mm),
			   get_mm_counter(mm, MM_ANONPAGES), get_mm_counter(mm, MM_FILEPAGES),
			   get_mm_counter(mm, MM_SHMEMPAGES), mm_pgtables_bytes(mm),
			   get_mm_counter(mm, MM_SWAPENTS), (short)p->oom_score_adj, p->comm);
	}
}

/* As a kernel without CONFIG_CPUSETS and CONFIG_MEMCG prints it. */
static void dump_oom_summary(struct oom_control *oc, struct task_struct *victim)
{
	kmm_report(oc->kmm, "oom-kill:constraint=%s,nodemask=(null),task=%s,pid=%d,uid=%d\n",
		   oom_constraint_text[oc->constraint], victim->comm, victim->pid, 0);
}

static void dump_header(struct oom_control *oc, struct task_struct *p)
{
	struct kmm *k = oc->kmm;
	char gfp[256];

	gfp_format(oc->gfp_mask, gfp, sizeof(gfp));
	kmm_report(k, "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=%hd\n",
		   task_comm_or_kmm(k->current), oc->gfp_mask, gfp, oc->order,
		   (short)(k->current ? k->current->oom_score_adj : 0));
	if (oc->order > 0)	/* kmm has no compaction */
		kmm_report(k, "COMPACTION is disabled!!!\n");
	__show_mem(k);
	if (k->mem->sysctl_oom_dump_tasks)
		dump_tasks(oc);
	if (p)
		dump_oom_summary(oc, p);
}

/* ---- the kill ----------------------------------------------------------- */

static void mark_oom_victim(struct task_struct *tsk)
{
	tsk->oom_victim = true;
}

/*
 * What the reaper takes (__oom_reap_task_mm): the pages of every
 * private or anonymous VMA, which nothing but the victim needs; shared
 * mappings keep theirs (the file or shmem object holds them anyway).
 */
static void __oom_reap_task_mm(struct mm_struct *mm)
{
	struct vm_area_struct *v;

	for (v = mm->mmap; v; v = v->vm_next) {
		if (v->vm_flags & (VM_HUGETLB | VM_PFNMAP))
			continue;
		if (!v->vm_file || !(v->vm_flags & VM_SHARED))
			zap_page_range(mm, v->vm_start, v->vm_end);
	}
}

static void oom_reap_task(struct kmm *k, struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;

	__oom_reap_task_mm(mm);
	kmm_report(k, "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, "
		   "shmem-rss:%lukB\n", tsk->pid, tsk->comm, K(get_mm_counter(mm, MM_ANONPAGES)),
		   K(get_mm_counter(mm, MM_FILEPAGES)), K(get_mm_counter(mm, MM_SHMEMPAGES)));
	/* Reaped: the OOM killer looks elsewhere from now on. */
	mm->flags |= MMF_OOM_SKIP;
}

/* Whether the reaper may take tsk's pages now: some are left, and no call
 * is running on them. */
static bool oom_reapable(struct kmm *k, const struct task_struct *tsk)
{
	return tsk->mm && !(tsk->mm->flags & MMF_OOM_SKIP) && !mm_in_use(k, tsk->mm);
}

/* The reaper, now unless the victim's memory is in use (then later). */
static void queue_oom_reaper(struct kmm *k, struct task_struct *tsk)
{
	if (oom_reapable(k, tsk))
		oom_reap_task(k, tsk);
}

/*
 * The reaper's work a victim's own call held up: any victim no longer
 * current is reaped now.  Whether one was (memory came back).
 */
static bool oom_reap_deferred(struct kmm *k)
{
	struct task_struct *p;
	bool reaped = false;

	for_each_process(k, p) {
		if (!tsk_is_oom_victim(p) || !oom_reapable(k, p))
			continue;
		oom_reap_task(k, p);
		reaped = true;
	}
	return reaped;
}

/*
 * Whether task is dying already and will give its memory back without a
 * kill: SIGKILL is pending for it and every process sharing its mm, and
 * the reaper has not been at it.
 */
static bool task_will_free_mem(struct kmm *k, struct task_struct *task)
{
	struct mm_struct *mm = task->mm;
	struct task_struct *p;

	if (!mm || !fatal_signal_pending(task) || (mm->flags & MMF_OOM_SKIP))
		return false;
	for_each_process(k, p)
		if (p->mm == mm && !fatal_signal_pending(p))
			return false;
	return true;
}

static void __oom_kill_process(struct kmm *k, struct task_struct *victim, const char *message)
{
	struct mm_struct *mm = victim->mm;
	struct task_struct *p;
	bool can_oom_reap = true;

	if (!mm) {
		kmm_report(k, "%s: OOM victim %d (%s) is already exiting. Skip killing the task\n",
			   message, victim->pid, victim->comm);
		return;
	}
	__count_vm_events(k, smp_processor_id(k), OOM_KILL, 1);
	victim->sigkill = true;
	mark_oom_victim(victim);
	kmm_report(k, "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, "
		   "shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd\n",
		   message, victim->pid, victim->comm, K(mm->total_vm),
		   K(get_mm_counter(mm, MM_ANONPAGES)), K(get_mm_counter(mm, MM_FILEPAGES)),
		   K(get_mm_counter(mm, MM_SHMEMPAGES)), 0u, mm_pgtables_bytes(mm) >> 10,
		   (short)victim->oom_score_adj);
	/* Every other process on the same mm goes too; init pins it. */
	for_each_process(k, p) {
		if (p->mm != mm || p == victim)
			continue;
		if (is_global_init(p)) {
			can_oom_reap = false;
			mm->flags |= MMF_OOM_SKIP;
			kmm_report(k, "oom killer %d (%s) has mm pinned by %d (%s)\n",
				   victim->pid, victim->comm, p->pid, p->comm);
			continue;
		}
		p->sigkill = true;
	}
	if (can_oom_reap)
		queue_oom_reaper(k, victim);
}

/* The report (rate-limited: "oom_kill_process: N callbacks suppressed"
 * after a quiet spell, as __ratelimit says it), then the kill. */
static void oom_kill_process(struct oom_control *oc, const char *message)
{
	struct task_struct *victim = oc->chosen;
	struct kmm *k = oc->kmm;
	unsigned long missed;

	/* Already dying: let it, with the reserves, and say nothing. */
	if (task_will_free_mem(k, victim)) {
		mark_oom_victim(victim);
		queue_oom_reaper(k, victim);
		return;
	}
	if (__ratelimit(&k->mem->oom_rs, &missed)) {
		if (missed)
			kmm_report(k, "oom_kill_process: %lu callbacks suppressed\n", missed);
		dump_header(oc, victim);
	}
	__oom_kill_process(k, victim, message);
}

/* vm.panic_on_oom: 1 panics unless the allocation was constrained, 2 always. */
static void check_panic_on_oom(struct oom_control *oc)
{
	int panic_on_oom = oc->kmm->mem->sysctl_panic_on_oom;

	if (likely(!panic_on_oom))
		return;
	if (panic_on_oom != 2 && oc->constraint != CONSTRAINT_NONE)
		return;
	if (is_sysrq_oom(oc))
		return;
	dump_header(oc, NULL);
	panic(oc->kmm, "Out of memory: %s panic_on_oom is enabled",
	      panic_on_oom == 2 ? "compulsory" : "system-wide");
}

bool out_of_memory(struct oom_control *oc)
{
	struct kmm *k = oc->kmm;
	struct task_struct *cur = k->current;

	if (!task_after(k, NULL))	/* no process: nothing to blame */
		return false;
	if (oom_reap_deferred(k) && !is_sysrq_oom(oc))
		return true;
	/* The allocating task is dying already: it gets the reserves. */
	if (cur && task_will_free_mem(k, cur)) {
		mark_oom_victim(cur);
		queue_oom_reaper(k, cur);
		return true;
	}
	/*
	 * Linux lets a GFP_NOFS or GFP_NOIO caller retry until another task
	 * frees memory (and wishes it would fail instead); with nothing else
	 * running, kmm's fails.
	 */
	if (!(oc->gfp_mask & __GFP_FS))
		return false;
	oc->constraint = constrained_alloc(oc);
	check_panic_on_oom(oc);
	if (k->panicked)
		return false;
	if (k->mem->sysctl_oom_kill_allocating_task && cur && cur->mm &&
	    !oom_unkillable_task(cur) && cur->oom_score_adj != OOM_SCORE_ADJ_MIN) {
		oc->chosen = cur;
		oom_kill_process(oc, "Out of memory (oom_kill_allocating_task)");
		return true;
	}
	select_bad_process(oc);
	if (!oc->chosen) {
		dump_header(oc, NULL);
		kmm_report(k, "Out of memory and no killable processes...\n");
		if (!is_sysrq_oom(oc))
			panic(k, "System is deadlocked on memory");
		return false;
	}
	if (oc->chosen != OOM_ABORT)
		oom_kill_process(oc, "Out of memory");
	return true;
}

bool pagefault_out_of_memory(struct task_struct *t)
{
	return fatal_signal_pending(t);
}

void moom_callback(struct kmm *k)
{
	struct oom_control oc = { .kmm = k, .gfp_mask = GFP_KERNEL, .order = -1 };

	kmm_report(k, "sysrq: Manual OOM execution\n");
	pthread_mutex_lock(&k->mem->oom_lock);
	if (!out_of_memory(&oc))
		kmm_report(k, "OOM request ignored. No task eligible\n");
	pthread_mutex_unlock(&k->mem->oom_lock);
}
