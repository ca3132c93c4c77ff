/*
 * hw/fault.c - the CPU side of a user access (arch/x86/mm/fault.c): the
 * MMU walks the page table; on a fault, do_user_addr_fault decides
 * between fixing the page (handle_mm_fault, then the access is retried)
 * and a signal:
 *   - no VMA at the address (or below a stack it cannot grow into):
 *     SIGSEGV, SEGV_MAPERR;
 *   - a VMA that does not allow the access (write to read-only, execute
 *     of non-executable, any access to PROT_NONE): SIGSEGV, SEGV_ACCERR;
 *   - a user access to a kernel address: SIGSEGV, SEGV_MAPERR;
 *   - a shared mapping past the end of its object: SIGBUS, BUS_ADRERR.
 */
#include <signal.h>
#include <string.h>
#include <kmm/sched.h>
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"

static int bad_area(struct kmm_siginfo *si, int signo, int code, unsigned long addr)
{
	si->signo = signo;
	si->code = code;
	si->addr = addr;
	return signo;
}

/* The VMA forbids this access (x86's access_error). */
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
	if (ret & VM_FAULT_OOM)
		return bad_area(si, SIGKILL, 0, addr);	/* the OOM killer's, later */
	return 0;
}

int user_access(struct task_struct *t, unsigned long addr, unsigned int access,
		phys_addr_t *phys, struct kmm_siginfo *si)
{
	int tries;

	for (tries = 0; tries < 4; tries++) {
		struct mmu_walk w;
		int err = mmu_walk(t->mm->pgd, addr, PF_USER | access, &w);

		if (!err) {
			*phys = w.phys;
			return 0;
		}
		if (err & PF_NONCANONICAL)
			return bad_area(si, SIGSEGV, SEGV_MAPERR, addr & PAGE_MASK);
		err = do_user_addr_fault(t, addr, err & ~PF_FAULT, si);
		if (err) {
			si->addr &= PAGE_MASK;
			return err;
		}
	}
	/* A fault fixed that the walk still refuses: a kernel bug. */
	return bad_area(si, SIGSEGV, SEGV_ACCERR, addr & PAGE_MASK);
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
