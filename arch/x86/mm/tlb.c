/*
 * arch/x86/mm/tlb.c - the kernel's TLB management: the CPUs are made on
 * the first user access of the machine, and flush_tlb_mm_range shoots
 * down the entries of an address space on every CPU that may hold them.
 */
#include <stdlib.h>
#include "arch/x86/mm/tlb.h"

void machine_cpus_init(struct kmm *k)
{
	if (hw_cpus_init(&k->hw->cpus, k->nr_cpus, k->cfg.tlb))
		abort();
}

/*
 * The shootdown behind flush_tlb_page/range/mm: every CPU that may hold
 * entries of mm.  Without PCID only the CPU that has mm loaded can (a
 * switch flushed the others); with PCID entries stay tagged after a
 * switch, so every CPU is told.  Other CPUs count a remote flush.
 */
void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct kmm *k = mm->kmm;
	struct hw_cpus *c = &k->hw->cpus;
	int me;
	unsigned int cpu;

	if (!c->tlbs)
		return;
	me = access_cpu(k);
	for (cpu = 0; cpu < c->nr; cpu++) {
		struct tlb *tlb = &c->tlbs[cpu];

		if (c->cr3[cpu] != mm->pgd && !tlb->pcid_mask)
			continue;
		if ((int)cpu != me) {
			tlb_count(&c->tlbs[me], TLBSTAT_NR_TLB_REMOTE_FLUSH);
			tlb_count(tlb, TLBSTAT_NR_TLB_REMOTE_FLUSH_RECEIVED);
		}
		if (end == ~0ul)
			tlb_flush_mm(tlb, mm->pcid);
		else if (end - start == PAGE_SIZE)
			tlb_invlpg(tlb, start, mm->pcid);
		else
			tlb_flush_range(tlb, start, end, mm->pcid);
		if (end == ~0ul && c->cr3[cpu] == mm->pgd)
			c->cr3[cpu] = NULL;	/* it goes away */
	}
}

