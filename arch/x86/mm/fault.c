/*
 * arch/x86/mm/fault.c - the kernel's side of a user access: the task's
 * context goes on a CPU (hw/cpu.c makes the access), and a page fault the
 * CPU raises comes here.  do_user_addr_fault decides between fixing the
 * page (handle_mm_fault, then the access is retried) and a signal:
 *   - no VMA at the address (or below a stack it cannot grow into):
 *     SIGSEGV, SEGV_MAPERR;
 *   - a data access its protection key forbids (PKRU; an execute-only
 *     mapping's key forbids all of them): SIGSEGV, SEGV_PKUERR, with the
 *     key in si_pkey; checked before the VMA's own permissions;
 *   - a VMA that does not allow the access (write to read-only, execute
 *     of non-executable, any access to PROT_NONE): SIGSEGV, SEGV_ACCERR;
 *   - a user access to a kernel address: SIGSEGV, SEGV_MAPERR;
 *   - a shared mapping past the end of its object: SIGBUS, BUS_ADRERR;
 *   - a non-canonical address is a general protection fault, not a page
 *     fault: SIGSEGV with si_code SI_KERNEL and no address;
 *   - no memory for the page (VM_FAULT_OOM), or the OOM killer chose the
 *     task meanwhile: SIGKILL, the task dies.
 */
#include <signal.h>
#include <string.h>
#include <kmm/mm.h>
#include <kmm/sched.h>
#include <kmm/oom.h>
#include "hw/cpu.h"
#include "arch/x86/mm/fault.h"
#include "arch/x86/mm/pkeys.h"
#include "arch/x86/mm/tlb.h"

static int bad_area(struct kmm_siginfo *si, int signo, int code, unsigned long addr)
{
	si->signo = signo;
	si->code = code;
	si->addr = addr;
	return signo;
}

/*
 * The protection key refused it: the CPU said so (PF_PK), or the page
 * is not mapped yet and the VMA's key would not allow it either.
 */
static bool access_error_pkey(unsigned int error_code, const struct vm_area_struct *v)
{
	if (!arch_pkeys_enabled())
		return false;
	if (error_code & PF_PK)
		return true;
	return !arch_vma_access_permitted(v, error_code & PF_WRITE, error_code & PF_INSTR, false);
}

/* The VMA forbids this access (x86's access_error; keys are checked first). */
static bool access_error(unsigned int error_code, const struct vm_area_struct *v)
{
	if (error_code & PF_WRITE)
		return !(v->vm_flags & VM_WRITE);
	if (error_code & PF_INSTR)
		return !(v->vm_flags & VM_EXEC);
	if (error_code & PF_PROT)
		return true;		/* a present page refused a read */
	return !(v->vm_flags & VM_ACCESS_FLAGS);
}

int do_user_addr_fault(struct task_struct *t, unsigned long addr, unsigned int error_code,
		       struct kmm_siginfo *si)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	unsigned int flags = FAULT_FLAG_USER;
	vm_fault_t ret;

	if (addr >= TASK_SIZE)
		return bad_area(si, SIGSEGV, SEGV_MAPERR, addr);
	v = find_vma(mm, addr);
	if (!v)
		return bad_area(si, SIGSEGV, SEGV_MAPERR, addr);
	if (v->vm_start > addr) {
		if (!(v->vm_flags & VM_GROWSDOWN) || expand_stack(mm, v, addr))
			return bad_area(si, SIGSEGV, SEGV_MAPERR, addr);
	}
	if (access_error_pkey(error_code, v)) {
		si->pkey = vma_pkey(v);
		return bad_area(si, SIGSEGV, SEGV_PKUERR, addr);
	}
	if (access_error(error_code, v))
		return bad_area(si, SIGSEGV, SEGV_ACCERR, addr);
	if (error_code & PF_WRITE)
		flags |= FAULT_FLAG_WRITE;
	if (error_code & PF_INSTR)
		flags |= FAULT_FLAG_INSTRUCTION;
	ret = handle_mm_fault(v, addr, flags);
	if (ret & VM_FAULT_SIGBUS)
		return bad_area(si, SIGBUS, BUS_ADRERR, addr);
	if (ret & VM_FAULT_SIGSEGV)	/* a guard region: mm_fault_error's MAPERR */
		return bad_area(si, SIGSEGV, SEGV_MAPERR, addr);
	/*
	 * Out of memory: the OOM killer chose t and its SIGKILL is pending
	 * (pagefault_out_of_memory), or the failure never reached the OOM
	 * killer (an injected one), where Linux retries the fault and kmm
	 * ends the process with SIGKILL (docs/fault_injection.md).
	 */
	if (ret & VM_FAULT_OOM) {
		pagefault_out_of_memory(t);
		return bad_area(si, SIGKILL, 0, addr);
	}
	/* Chosen during the fault: the signal comes before the access. */
	if (fatal_signal_pending(t))
		return bad_area(si, SIGKILL, 0, addr);
	return 0;
}

/* A protection-key fault: always a signal (access_error says so first). */
static int pkey_fault(struct task_struct *t, unsigned long addr, unsigned int error_code,
		      struct kmm_siginfo *si)
{
	int sig = do_user_addr_fault(t, addr, error_code, si);

	si->addr &= PAGE_MASK;
	return sig ? sig : bad_area(si, SIGSEGV, SEGV_PKUERR, addr & PAGE_MASK);
}

/*
 * The access raised a fault (error_code): the handler, and the access
 * again while the handler fixes what it raises; out of line, so that the
 * TLB hit of user_access stays short.
 */
/* The fault runs on behalf of t: the disk reads it waits for are t's. */
static int do_user_addr_fault_as(struct task_struct *t, unsigned long addr, unsigned int err,
				 struct kmm_siginfo *si)
{
	struct task_struct *old = set_current(t);
	int sig = do_user_addr_fault(t, addr, err, si);

	set_current(old);
	return sig;
}

static __noinline int user_access_fault(struct task_struct *t, struct hw_cpus *cpus, int cpu,
					const struct cpu_context *ctx, unsigned long addr,
					unsigned int access, unsigned int err, phys_addr_t *phys,
					struct kmm_siginfo *si)
{
	int tries, sig;

	for (tries = 1; err; tries++) {
		if (err & PF_NONCANONICAL)	/* a #GP, not a #PF: no address */
			return bad_area(si, SIGSEGV, SI_KERNEL, 0);
		if (err & PF_PK)
			return pkey_fault(t, addr, err & ~PF_FAULT, si);
		sig = do_user_addr_fault_as(t, addr, err & ~PF_FAULT, si);
		if (sig) {
			si->addr &= PAGE_MASK;
			return sig;
		}
		if (tries == 4)		/* fixed, and the walk still refuses: a kernel bug */
			return bad_area(si, SIGSEGV, SEGV_ACCERR, addr & PAGE_MASK);
		err = cpu_access_switch(cpus, cpu, ctx, addr, access, true, phys);
	}
	return 0;
}

/*
 * t's access on this thread's CPU: its page table, PCID and PKRU are
 * loaded, the CPU tries; a fault it raises goes to the handler, and a
 * fixed one is retried (up to four times in all).
 */
int user_access(struct task_struct *t, unsigned long addr, unsigned int access,
		phys_addr_t *phys, struct kmm_siginfo *si)
{
	struct kmm *k = t->mm->kmm;
	struct hw_cpus *cpus = machine_cpus(k);
	struct cpu_context ctx = { t->mm->pgd, t->mm->pcid, t->pkru };
	int cpu = access_cpu(k);
	unsigned int err;

	/* A task with SIGKILL pending runs no more user code. */
	if (unlikely(fatal_signal_pending(t)))
		return bad_area(si, SIGKILL, 0, addr & PAGE_MASK);
	err = cpu_access(cpus, cpu, &ctx, addr, access, false, phys);
	if (likely(!err))
		return 0;
	return user_access_fault(t, cpus, cpu, &ctx, addr, access, err, phys, si);
}

int user_copy(struct task_struct *t, unsigned long addr, void *buf, unsigned long len,
	      bool write, struct kmm_siginfo *si)
{
	unsigned char *p = buf;

	while (len) {
		unsigned long chunk = min(len, PAGE_SIZE - (addr & ~PAGE_MASK));
		phys_addr_t phys;
		int sig = user_access(t, addr, write ? PF_WRITE : 0, &phys, si);

		if (sig)
			return sig;
		if (write)
			memcpy(phys_to_virt(phys), p, chunk);
		else
			memcpy(p, phys_to_virt(phys), chunk);
		addr += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

