/*
 * kernel/fork.c - processes come from here: the task table, pids, and
 * fork's copy of an address space (Linux's copy_process, dup_mm and
 * dup_mmap).  The child gets every VMA of the parent with these
 * exceptions, as in Linux:
 *   - VM_DONTCOPY areas (madvise MADV_DONTFORK) are left out;
 *   - locks are not inherited: VM_LOCKED/VM_LOCKONFAULT are cleared,
 *     locked_vm is 0, and mlockall(MCL_FUTURE) does not carry over;
 *   - accounted areas are charged again (the child may write them all);
 *   - an area with anonymous pages gets an anon_vma of its own, chained
 *     to the parent's (VM_WIPEONFORK areas start empty instead).
 * Copy-on-write of the pages themselves arrives with the page-fault layer.
 */
#include <errno.h>
#include <string.h>
#include <kmm/sched.h>
#include <kmm/fs.h>
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/pkeys.h"
#include "kernel/machine.h"

struct task_struct *find_task_by_vpid(int pid)
{
	struct kmm *k = kmm_cur();
	struct task_struct *t;

	list_for_each_entry(t, &k->kernel->tasks, tasks)
		if (t->pid == pid)
			return t;
	return NULL;
}

struct task_struct *next_task(int pid)
{
	struct kmm *k = kmm_cur();
	struct task_struct *t;

	list_for_each_entry(t, &k->kernel->tasks, tasks)
		if (t->pid > pid)
			return t;
	return NULL;
}

struct task_struct *task_after(struct kmm *k, struct task_struct *t)
{
	struct list_head *next = t ? t->tasks.next : k->kernel->tasks.next;

	return next == &k->kernel->tasks ? NULL : list_entry(next, struct task_struct, tasks);
}

void fork_init(struct kmm *k)
{
	INIT_LIST_HEAD(&k->kernel->tasks);
}

/* A task with the next pid, on the list; no address space yet. */
struct task_struct *alloc_task(const char *comm)
{
	struct kmm *k = kmm_cur();
	struct task_struct *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->pid = ++k->kernel->last_pid;
	t->pkru = INIT_PKRU_VALUE;	/* pid_max is far away for a simulator */
	strncpy(t->comm, comm, TASK_COMM_LEN - 1);
	list_add_tail(&t->tasks, &k->kernel->tasks);
	return t;
}

void free_task(struct task_struct *t)
{
	struct kmm *k = kmm_cur();

	if (k->current == t)		/* its call ends with it */
		k->current = NULL;
	put_files_struct(t->files);	/* exit_files */
	list_del(&t->tasks);
	kfree(t);
}

/* Copies one VMA into the child mm; 0 or -ENOMEM. */
static int dup_vma(struct mm_struct *mm, struct mm_struct *oldmm,
		   const struct vm_area_struct *src)
{
	unsigned long pages = (src->vm_end - src->vm_start) >> PAGE_SHIFT;
	struct vm_area_struct *v;

	if ((src->vm_flags & VM_ACCOUNT) && security_vm_enough_memory_mm(oldmm, (long)pages))
		return -ENOMEM;
	v = vm_area_alloc(mm);
	if (!v)
		goto unacct;
	*v = *src;
	v->vm_rb = (struct rb_node){ 0 };
	v->vm_mm = mm;
	v->vm_next = v->vm_prev = NULL;
	v->vm_flags &= ~VM_LOCKED_MASK;
	v->anon_vma = NULL;
	v->rmap_linked = false;		/* the copy is not on any list yet */
	/* The copy's own reference first: vm_area_free puts it back. */
	if (v->vm_file)
		get_file(v->vm_file);
	if (src->anon_vma && !(src->vm_flags & VM_WIPEONFORK) && anon_vma_fork(v, src)) {
		vm_area_free(v);
		goto unacct;
	}
	vma_link(mm, v);
	/* The pages: shared copy-on-write (unwound by mmput on failure). */
	return copy_page_range(v, (struct vm_area_struct *)src);
unacct:
	if (src->vm_flags & VM_ACCOUNT)
		vm_unacct_memory(mm->kmm, (long)pages);
	return -ENOMEM;
}

static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	const struct vm_area_struct *src;

	for (src = oldmm->mmap; src; src = src->vm_next) {
		if (src->vm_flags & VM_DONTCOPY) {
			vm_stat_account(mm, src->vm_flags,
					-(long)((src->vm_end - src->vm_start) >> PAGE_SHIFT));
			continue;
		}
		if (dup_vma(mm, oldmm, src))
			return -ENOMEM;
	}
	return 0;
}

/* The child's mm_struct: the parent's bookkeeping, then its VMAs. */
static struct mm_struct *dup_mm(struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return NULL;
	arch_dup_pkeys(oldmm, mm);
	mm->mmap_base = oldmm->mmap_base;
	mm->mmap_legacy = oldmm->mmap_legacy;
	mm->task_size = oldmm->task_size;
	mm->total_vm = oldmm->total_vm;
	mm->data_vm = oldmm->data_vm;
	mm->exec_vm = oldmm->exec_vm;
	mm->stack_vm = oldmm->stack_vm;
	mm->def_flags = oldmm->def_flags & VM_NOHUGEPAGE;	/* VM_INIT_DEF_MASK */
	mm->rlim_memlock = oldmm->rlim_memlock;
	mm->rlim_as = oldmm->rlim_as;
	mm->rlim_data = oldmm->rlim_data;
	mm->rlim_stack = oldmm->rlim_stack;
	mm->cap_ipc_lock = oldmm->cap_ipc_lock;
	mm->cap_sys_admin = oldmm->cap_sys_admin;
	mm->start_code = oldmm->start_code;
	mm->end_code = oldmm->end_code;
	mm->start_data = oldmm->start_data;
	mm->end_data = oldmm->end_data;
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->brk_randomized = oldmm->brk_randomized;
	mm->start_stack = oldmm->start_stack;
	mm->arg_start = oldmm->arg_start;
	mm->arg_end = oldmm->arg_end;
	mm->env_start = oldmm->env_start;
	mm->env_end = oldmm->env_end;
	if (dup_mmap(mm, oldmm)) {
		/* What was copied is unwound by mmput; the counters copied
		 * above describe the parent, so they go first. */
		mm->total_vm = mm->data_vm = mm->exec_vm = mm->stack_vm = 0;
		mmput(mm);
		return NULL;
	}
	mm->hiwater_vm = mm->total_vm;
	return mm;
}

/*
 * The parent's fork(2): its call, so its pages are the ones in use.  A
 * parent the OOM killer chose meanwhile gets no child (copy_process
 * gives up when a fatal signal is pending).
 */
struct task_struct *kernel_fork(struct task_struct *parent, int *err)
{
	struct task_struct *t, *old = set_current(parent);
	struct mm_struct *mm = dup_mm(parent->mm);

	set_current(old);
	if (mm && fatal_signal_pending(parent)) {
		mmput(mm);
		*err = -EINTR;
		return NULL;
	}
	if (!mm) {
		*err = -ENOMEM;
		return NULL;
	}
	t = alloc_task(parent->comm);
	if (!t) {
		mmput(mm);
		*err = -ENOMEM;
		return NULL;
	}
	t->mm = mm;
	mm->owner = t;
	if (parent->files && !(t->files = dup_fd(parent->files, err))) {
		free_task(t);
		mmput(mm);
		return NULL;
	}
	t->real_parent = parent;
	t->oom_score_adj = parent->oom_score_adj;
	t->pkru = parent->pkru;		/* the child's registers are the parent's */
	return t;
}

struct task_struct *kernel_spawn(const char *name, int *err)
{
	struct task_struct *t = alloc_task(name ? name : "init");

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = kernel_execve(t, name ? name : "init");
	if (*err) {
		free_task(t);
		return NULL;
	}
	return t;
}
