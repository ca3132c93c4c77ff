/*
 * hw/machine.h - the hardware's part of a machine (struct kmm's hw): its
 * RAM, its CPUs with their TLBs, its disk, its clock and the timers on it.
 */
#ifndef KMM_HW_MACHINE_H
#define KMM_HW_MACHINE_H

#include <pthread.h>
#include "hw/ram.h"
#include "hw/cpu.h"
#include "hw/disk.h"
#include <kmm/list.h>

struct hw_machine {
	struct hw_ram ram;
	struct hw_cpus cpus;		/* each CPU's TLB and CR3, made on first use */
	struct hw_disk disk;		/* the files' disk (hw/disk.c) */
	struct hw_disk blk_disk;	/* the block device's (disk=, block/) */
	unsigned long long clock_ns;	/* simulated time since boot */
	struct list_head timers;	/* armed timer_lists, earliest first (hw/timer.c) */
	pthread_mutex_t timers_lock;	/* the list: any thread may arm (kswapd's wakeup) */
	bool running_timers;		/* run_timers is calling them */
};

/* hw/timer.c: the empty timer list of a booting machine. */
void hw_timer_init(struct kmm *k);

#endif /* KMM_HW_MACHINE_H */
