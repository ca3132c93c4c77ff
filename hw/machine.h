/*
 * hw/machine.h - the hardware's part of a machine (struct kmm's hw): its
 * RAM and its CPUs with their TLBs.
 */
#ifndef KMM_HW_MACHINE_H
#define KMM_HW_MACHINE_H

#include "hw/ram.h"
#include "hw/cpu.h"

struct hw_machine {
	struct hw_ram ram;
	struct hw_cpus cpus;		/* each CPU's TLB and CR3, made on first use */
};

#endif /* KMM_HW_MACHINE_H */
