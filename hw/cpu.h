/*
 * hw/cpu.h - the machine's CPUs as a memory access sees them: each CPU's
 * TLB and the page table its CR3 points at, and the access itself (the
 * TLB, the page walk, the PKRU check).  An access the hardware refuses
 * comes back as the x86 page-fault error code, the way a CPU raises #PF:
 * the kernel's handler (arch/x86/mm/fault.c) decides what happens next.
 * Nothing here knows about tasks, VMAs or the kernel's allocators.
 */
#ifndef KMM_HW_CPU_H
#define KMM_HW_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <kmm/pgtable.h>
#include "hw/tlb.h"

struct hw_cpus {
	unsigned int nr;
	struct tlb *tlbs;		/* [nr]: each CPU's TLB, made on first use */
	pgd_t **cr3;			/* [nr]: the page table each CPU has loaded */
};

/* What the running thread has loaded: CR3 (its page table and PCID), PKRU. */
struct cpu_context {
	pgd_t *pgd;
	unsigned int pcid;
	uint32_t pkru;
};

/* Makes nr CPUs' TLBs from a `tlb=` spec (NULL or "": the default); 0 or -1. */
int hw_cpus_init(struct hw_cpus *c, unsigned int nr, const char *tlb_spec);
void hw_cpus_exit(struct hw_cpus *c);

/*
 * One access (PF_WRITE, PF_INSTR or a read) by cpu in ctx: 0 with the
 * physical address, or PF_FAULT | the error code of the fault it raises
 * (PF_PK when PKRU refused a data access; PF_NONCANONICAL for a #GP).
 * restart: the access again after a fault the kernel fixed; the TLB
 * holds nothing for addr then, and the model goes straight to the walk
 * (the lookup is not counted twice).
 */
unsigned int cpu_access(struct hw_cpus *c, int cpu, const struct cpu_context *ctx,
			unsigned long addr, unsigned int access, bool restart, phys_addr_t *phys);

#endif
