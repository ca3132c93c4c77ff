/*
 * arch/x86/mm/tlb.h - the kernel's view of the CPUs' TLBs: which CPU an
 * access runs on, the machine's CPUs (made on the first user access),
 * and the shootdown behind flush_tlb_page/range/mm.
 */
#ifndef KMM_ARCH_X86_MM_TLB_H
#define KMM_ARCH_X86_MM_TLB_H

#include "mm/internal.h"
#include "hw/cpu.h"

/* The machine's CPUs, their TLBs made on first use (aborts without memory). */
struct hw_cpus *machine_cpus(struct kmm *k);
/* The CPU a simulated access runs on: the caller's, or CPU 0. */
int access_cpu(struct kmm *k);

#endif
