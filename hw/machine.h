/*
 * hw/machine.h - the hardware's part of a machine (struct kmm's hw): its
 * RAM, its CPUs with their TLBs, its disk and its clock.
 */
#ifndef KMM_HW_MACHINE_H
#define KMM_HW_MACHINE_H

#include "hw/ram.h"
#include "hw/cpu.h"
#include "hw/disk.h"

struct hw_machine {
	struct hw_ram ram;
	struct hw_cpus cpus;		/* each CPU's TLB and CR3, made on first use */
	struct hw_disk disk;		/* the files' disk (hw/disk.c) */
	unsigned long long clock_ns;	/* simulated time since boot */
};

#endif /* KMM_HW_MACHINE_H */
