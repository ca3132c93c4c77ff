/*
 * arch/x86/mm/fault.h - the x86 fault entry (arch/x86/mm/fault.c) and
 * the user accesses made through it, as the CPU makes them.
 */
#ifndef KMM_ARCH_X86_MM_FAULT_H
#define KMM_ARCH_X86_MM_FAULT_H

#include <stdbool.h>
#include <kmm/mm_types.h>

struct task_struct;

/*
 * An access by a user task, as the CPU makes it: walk the page table,
 * take the fault and retry.  Returns 0 with the physical address, or a
 * signal: SIGSEGV (si_code SEGV_MAPERR / SEGV_ACCERR) or
 * SIGBUS (BUS_ADRERR), with the faulting address in *fault_addr.
 */
struct kmm_siginfo {
	int signo;
	int code;
	unsigned long addr;
	int pkey;			/* SEGV_PKUERR: the key (si_pkey) */
};

int do_user_addr_fault(struct task_struct *t, unsigned long addr, unsigned int error_code,
		       struct kmm_siginfo *si);
int user_access(struct task_struct *t, unsigned long addr, unsigned int access,
		phys_addr_t *phys, struct kmm_siginfo *si);
/*
 * Copies between buf and [addr, addr + len) of t as t's own loads or
 * stores would, page by page through the MMU; 0, or the signal of the
 * first page that could not be accessed (nothing of it is copied).
 */
int user_copy(struct task_struct *t, unsigned long addr, void *buf, unsigned long len,
	      bool write, struct kmm_siginfo *si);

#endif
