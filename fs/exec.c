/*
 * fs/exec.c - execve: a new address space for a task, laid out as Linux
 * lays out a freshly exec'd program before its first instruction:
 *
 *   1. the mmap layout (arch_pick_mmap_layout: top-down below the stack
 *      gap, with ASLR from the boot seed unless aslr=off);
 *   2. the stack: one page holding argv/envp at the (randomised) stack
 *      top, grown by 128 KiB (setup_arg_pages), VM_GROWSDOWN, accounted;
 *   3. the program, its .bss, the interpreter and the vDSO
 *      (fs/binfmt_elf.c), then the heap's start (brk).
 *
 * The old address space, if any, is torn down only once the new one is
 * complete: a failed exec leaves the task as it was.
 */
#include <errno.h>
#include <string.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include <kmm/security.h>
#include "arch/x86/mm/pkeys.h"
#include "fs/exec.h"

#define STACK_TOP		TASK_SIZE
#define STACK_EXPAND		(128ul << 10)	/* setup_arg_pages' stack_expand */

/*
 * The stack VMA: Linux builds it at the top with the argument page(s),
 * then moves it to the randomised top and grows it by 128 KiB.  Writing
 * argv and envp faulted the argument page in, so it has anonymous memory.
 */
static int setup_arg_pages(struct mm_struct *mm)
{
	unsigned long top = randomize_stack_top(STACK_TOP), start;
	unsigned long flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
			      VM_GROWSDOWN | VM_ACCOUNT | mm->def_flags;
	unsigned long pages;
	struct vm_area_struct *v;

	start = top - PAGE_SIZE - STACK_EXPAND;
	pages = (top - start) >> PAGE_SHIFT;
	if (security_vm_enough_memory_mm(mm, (long)pages))
		return -ENOMEM;
	v = vm_area_alloc(mm);
	if (!v) {
		vm_unacct_memory(mm->kmm, (long)pages);
		return -ENOMEM;
	}
	v->vm_start = start;
	v->vm_end = top;
	v->vm_flags = flags | VM_SOFTDIRTY;
	v->vm_pgoff = start >> PAGE_SHIFT;
	vma_link(mm, v);
	vm_stat_account(mm, flags, (long)pages);
	/* argv ("NAME") and envp sit in the top page; sp below them. */
	mm->arg_start = top - 0x100;
	mm->arg_end = mm->arg_start + 0x10;
	mm->env_start = mm->arg_end;
	mm->env_end = top - 0x10;
	mm->start_stack = top - 0x200;
	/* copy_strings writes argv and envp: the top page is faulted in. */
	return faultin_page(v, top - PAGE_SIZE, true);
}

int kernel_execve(struct task_struct *t, const char *name)
{
	struct mm_struct *mm = mm_alloc(), *old = t->mm;
	const char *base = strrchr(name, '/');
	int err;

	if (!mm)
		return -ENOMEM;
	if (old) {
		/* The limits are the process's, not the image's. */
		mm->rlim_as = old->rlim_as;
		mm->rlim_data = old->rlim_data;
		mm->rlim_stack = old->rlim_stack;
		mm->rlim_memlock = old->rlim_memlock;
	}
	mm->owner = t;			/* exec's own faults are the task's */
	arch_pick_mmap_layout(mm);
	err = setup_arg_pages(mm);
	err = err ?: load_elf_binary(mm, name);
	if (err) {
		mmput(mm);
		return err;
	}
	mm->hiwater_vm = mm->total_vm;
	t->mm = mm;
	t->pkru = INIT_PKRU_VALUE;	/* exec resets the FPU state, PKRU with it */
	memset(t->comm, 0, sizeof(t->comm));
	strncpy(t->comm, base ? base + 1 : name, TASK_COMM_LEN - 1);
	if (old)
		mmput(old);
	return 0;
}
