/*
 * arch/x86/mm/tlb.h - the kernel's view of the CPUs' TLBs: which CPU an
 * access runs on, the machine's CPUs (made on the first user access),
 * and the shootdown behind flush_tlb_page/range/mm.
 */
#ifndef KMM_ARCH_X86_MM_TLB_H
#define KMM_ARCH_X86_MM_TLB_H

#include "base/smp.h"
#include "hw/machine.h"
#include "hw/cpu.h"

/* The shootdown on every CPU's TLB (end ~0: all of mm), as Linux's
 * asm/tlbflush.h; mm/memory.c's flush_tlb_page and flush_tlb_range call it. */
void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end);

/* Makes the machine's CPUs on its first user access (aborts without memory). */
void machine_cpus_init(struct kmm *k);

/* The machine's CPUs, their TLBs made on first use. */
static inline struct hw_cpus *machine_cpus(struct kmm *k)
{
	if (unlikely(!k->hw->cpus.tlbs))
		machine_cpus_init(k);
	return &k->hw->cpus;
}

/* The CPU a simulated access runs on: the caller's, or CPU 0. */
static inline int access_cpu(struct kmm *k)
{
	int cpu = smp_processor_id(k);

	return cpu < 0 ? 0 : cpu;
}

#endif
