/*
 * base/machine.h - one booted machine, struct kmm, as every layer sees it.
 *
 * A machine is the sum of its layers' parts: the hardware (RAM, CPUs and
 * their TLBs), memory management (memblock, zones, the allocators and
 * their tunables), the files, the tasks.  Each layer declares its own part
 * in its own <layer>/machine.h and reaches it through the pointer here;
 * nothing below a layer sees that layer's part.  What every layer shares
 * is here: the machine's identity, its boot configuration, its random
 * numbers and whether it has reported or panicked.
 *
 * init/main.c makes a machine as one allocation of all parts, and boots
 * and shuts it down by calling each layer's init and exit, bottom up and
 * top down.
 *
 * Reaching the machine.  Kernel code reaches the machine from the object
 * it works on (mm->kmm for an address space, s->k for a slab cache) or is
 * handed it as its first argument, struct kmm *k.  kmm_cur(), the current
 * machine, is for the kernel-named entry points only: the functions of
 * include/kmm/ that, as in Linux, name no machine (alloc_pages, kmalloc).
 */
#ifndef KMM_BASE_MACHINE_H
#define KMM_BASE_MACHINE_H

#include <stdbool.h>
#include <kmm/kmm.h>

struct hw_machine;	/* hw/machine.h */
struct mm_machine;	/* mm/machine.h */
struct block_machine;	/* block/machine.h */
struct fs_machine;	/* fs/machine.h */
struct kernel_machine;	/* kernel/machine.h */

/*
 * The kernel log (base/printk.c), as Linux's log buffer: every report
 * since boot, whole lines, read by dmesg; when it is full the oldest
 * lines make room.  128 KiB, Linux's CONFIG_LOG_BUF_SHIFT=17.
 */
#define LOG_BUF_LEN	(1ul << 17)

struct printk_log {
	char buf[LOG_BUF_LEN];
	size_t len;			/* bytes kept: buf[0, len) */
};

struct kmm {
	unsigned long id;		/* unique per boot; keys per-thread caches */
	struct kmm_config cfg;		/* as booted, every default resolved */
	unsigned long rnd_state;	/* get_random_long(), seeded by boot seed= */
	unsigned long nr_reports;	/* every report since boot (mm/debug.c) */
	unsigned long tainted;		/* TAINT_BAD_PAGE when set */
	bool panicked;			/* panic() ran: the machine has stopped */
	struct printk_log log;		/* what dmesg prints (base/printk.c) */

	/* Its CPUs, each played by the host thread that claimed it (base/smp.c). */
	unsigned int nr_cpus;
	void **cpu_owner;		/* [nr_cpus]: the thread running each CPU */
	unsigned long cpu_release_gen;	/* bumped when a CPU is given back */
	struct list_head machines;	/* on the list of live machines */

	struct hw_machine *hw;
	struct mm_machine *mem;
	struct block_machine *block;
	struct fs_machine *fs;
	struct kernel_machine *kernel;
	/* The task whose system call or fault the machine is running (Linux's
	 * current), for what is charged to it: /proc/PID/io.  NULL between
	 * calls, and for the machine's own work (the flusher). */
	struct task_struct *current;
};

/*
 * The machine's random numbers (ASLR offsets, ...): splitmix64 seeded by
 * the boot seed, so a script and seed always give the same layout.
 */
static inline unsigned long get_random_long(struct kmm *k)
{
	unsigned long z = (k->rnd_state += 0x9e3779b97f4a7c15ul);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ul;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebul;
	return z ^ (z >> 31);
}

/* The current machine (init/main.c); kmm_boot_default() boots one. */
extern struct kmm *kmm_global __kmm_hidden;
struct kmm *kmm_boot_default(void);

/* The machine the kernel-named calls act on; boots a default one if none. */
static inline struct kmm *kmm_cur(void)
{
	struct kmm *k = kmm_global;

	if (unlikely(!k))
		k = kmm_boot_default();
	return k;
}

/* Enters a call on behalf of t (NULL: the machine's own): the previous
 * current, to be given back when the call returns. */
static inline struct task_struct *set_current(struct task_struct *t)
{
	struct kmm *k = kmm_cur();
	struct task_struct *old = k->current;

	k->current = t;
	return old;
}

static inline struct task_struct *get_current(void)
{
	return kmm_cur()->current;
}

#endif /* KMM_BASE_MACHINE_H */
