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

/* The out-of-line parts of cpu_access (hw/cpu.c). */
unsigned int cpu_access_switch(struct hw_cpus *c, int cpu, const struct cpu_context *ctx,
			       unsigned long addr, unsigned int access, bool restart,
			       phys_addr_t *phys);
unsigned int cpu_access_walk(struct hw_cpus *c, int cpu, const struct cpu_context *ctx,
			     unsigned long addr, unsigned int access, phys_addr_t *phys);

/*
 * The PKRU check of a translation: its key against the thread's PKRU.
 * Instruction fetches are never checked.
 */
static inline bool pkey_refused(uint32_t pkru, unsigned int perm, unsigned int access)
{
	if (access & PF_INSTR)
		return false;
	return !pkru_allows_pkey(pkru, (int)((perm & TLB_PERM_PKEY) >> TLB_PERM_PKEY_SHIFT),
				 access & PF_WRITE);
}

/* The #PF a protection key raises on a present page. */
static inline unsigned int pkey_error(unsigned int access)
{
	return PF_FAULT | PF_PROT | PF_PK | PF_USER | access;
}

/*
 * One access (PF_WRITE, PF_INSTR or a read) by cpu in ctx: 0 with the
 * physical address, or PF_FAULT | the error code of the fault it raises
 * (PF_PK when PKRU refused a data access; PF_NONCANONICAL for a #GP).
 * restart: the access again after a fault the kernel fixed; the TLB
 * holds nothing for addr then, and the model goes straight to the walk
 * (the lookup is not counted twice).  The TLB hit is inline; a CR3 write,
 * a restart and the walk are not.
 */
static inline unsigned int cpu_access(struct hw_cpus *c, int cpu, const struct cpu_context *ctx,
				      unsigned long addr, unsigned int access, bool restart,
				      phys_addr_t *phys)
{
	struct tlb_result res;

	if (unlikely(restart || c->cr3[cpu] != ctx->pgd))
		return cpu_access_switch(c, cpu, ctx, addr, access, restart, phys);
	if (unlikely(tlb_lookup(&c->tlbs[cpu], addr, access | PF_USER, ctx->pcid, &res) ==
		     TLB_MISS))
		return cpu_access_walk(c, cpu, ctx, addr, access, phys);
	if (unlikely(pkey_refused(ctx->pkru, res.perm, access)))
		return pkey_error(access);
	*phys = res.phys;
	return 0;
}

#endif
