/*
 * include/kmm/kmm.h - the whole public API of libkmm, and the machine.
 *
 * A machine (struct kmm) is simulated RAM with its struct pages, zones and
 * allocators.  kmm_boot() makes one and makes it current; the kernel-named
 * functions (alloc_pages, ...) act on the current machine, and boot a
 * default one on first use.  kmm_shutdown() gives everything back to the
 * host.
 */
#ifndef KMM_KMM_H
#define KMM_KMM_H

#include <stddef.h>
#include <kmm/compiler.h>
#include <kmm/list.h>
#include <kmm/rbtree.h>
#include <kmm/xarray.h>
#include <kmm/bitmap.h>
#include <kmm/gfp.h>
#include <kmm/mm_types.h>
#include <kmm/mmzone.h>
#include <kmm/page-flags.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/mempool.h>
#include <kmm/shrinker.h>
#include <kmm/pgtable.h>
#include <kmm/vmalloc.h>
#include <kmm/fault-inject.h>

/*
 * Boot configuration.  Zero fields take the default, which itself comes
 * from the option table (base/option.c) and the KMM_<NAME> environment.
 */
struct kmm_config {
	unsigned long mem;		/* bytes of RAM (default 1 GiB) */
	unsigned long max_mem;		/* hot-add limit (default 4 x mem) */
	unsigned int cpus;		/* simulated CPUs (default: host's) */
	unsigned long seed;		/* for everything random (default 1) */
	int min_free_kbytes;		/* 0: computed as Linux does */
	int watermark_scale_factor;	/* 0: 10, as Linux */
	int bad_page_panic;		/* 1: abort() on a bad-page report */
	int quiet;			/* 1: reports go to the hook only */
	int slab_debug;			/* 1: red zones, poison, owner for every cache */
	int paging;			/* 4 (x86-64, default) or 2 (adds the i386 view) */
	int norandmaps;			/* 1: no ASLR (boot aslr=off, Linux's norandmaps) */
	int segv_kill;			/* 1: SIGSEGV/SIGBUS kill the process (boot segv=kill) */
	int pku;			/* KMM_PKU_ON / KMM_PKU_OFF: the CPU's protection keys
					 * (0: as the host's CPU, boot pku=host) */
	int shmem_huge;			/* SHMEM_HUGE_*: transparent_hugepage_shmem= (0: never) */
	char tlb[128];			/* TLB geometry, "l1d=64:4,pcid=on,..." (hw/tlb.h);
					 * empty: an Intel Skylake core's */
	char fail_page_alloc[48];	/* "<interval>,<probability>,<space>,<times>":
					 * page allocation failures (docs/fault_injection.md) */
	char failslab[48];		/* the same for slab allocations */
	char fs[256];			/* "DIR" or "DIR:ro": the host directory mounted
					 * as the root filesystem (empty: a scratch
					 * directory of the machine's own) */
	char disk[256];			/* "IMAGE" or "IMAGE:ro": a host image file as
					 * the block device kda (empty: none) */
	int nozeropage;			/* 1: a read of fresh anonymous memory gets a page
					 * of its own, not the shared zero page (boot
					 * zero_page=off, as some hosts' kernels do) */
	int nogbpages;			/* 1: the CPU has no 1 GiB pages (boot gbpages=off,
					 * Linux's nogbpages): 2M leaves in the direct map */
	unsigned long disk_latency_us;	/* the disk's time per request (default 100) */
	unsigned long disk_mbps;	/* its transfer rate, MB/s (default 500) */
	unsigned long read_ahead_kb;	/* the disk's readahead maximum, KiB (default 128,
					 * /sys/block/sda/queue/read_ahead_kb) */
	int no_large_folios;		/* 1: the page cache keeps order-0 folios only
					 * (boot large_folios=off) */
	unsigned long swap;		/* bytes of the boot swap area, an unnamed host
					 * file swapped on at priority -2 (0: none) */
};

/* kmm_config.pku */
#define KMM_PKU_HOST	0
#define KMM_PKU_ON	1
#define KMM_PKU_OFF	2
/* kmm_config.shmem_huge: Linux's shmem_enabled values, in its order of
 * transparent_hugepage_shmem= names */
enum { SHMEM_HUGE_NEVER, SHMEM_HUGE_ALWAYS, SHMEM_HUGE_WITHIN_SIZE, SHMEM_HUGE_ADVISE,
       SHMEM_HUGE_DENY, SHMEM_HUGE_FORCE };

struct kmm *kmm_boot(const struct kmm_config *cfg);
/* Shuts a machine down (NULL: the current one): filesystems on block
 * devices are unmounted cleanly, every dirty buffer reaches the image. */
void kmm_shutdown(struct kmm *k);
/* Stops a machine at once, as a power cut: nothing more is written back
 * (the image keeps only what writeback had already put there). */
void kmm_crash(struct kmm *k);
/* The current machine, or NULL if none is booted. */
struct kmm *kmm_current(void);
/* Makes k current; returns the previous one. */
struct kmm *kmm_switch(struct kmm *k);

/*
 * Sets one configuration field from its option name and a string value
 * ("mem", "256M").  Returns 0, or -1 with a reason in err.
 */
int kmm_config_set(struct kmm_config *cfg, const char *name, const char *value,
		   char *err, size_t errlen);

/*
 * Fills buf with what `cat path` prints on the current machine
 * ("/proc/buddyinfo", ...).  Returns the full length of the file (which may
 * exceed size - 1; the text is then cut), or -ENOENT for an unknown path.
 */
long kmm_proc_read(const char *path, char *buf, size_t size);
/*
 * Writes buf to a /proc/sys/vm knob of the current machine as `echo buf >
 * path` does ("2", "65530\n").  Returns 0; -EINVAL if buf is not a number
 * in the knob's range (the knob keeps its value); -EACCES for a file that
 * cannot be written; -ENOENT for an unknown path.
 */
int kmm_proc_write(const char *path, const char *buf);
/* The paths kmm_proc_read knows, NULL-terminated. */
const char *const *kmm_proc_paths(void);

/*
 * Reports of misuse (bad page, bad free) go to stderr and to this hook.
 * The hook gets the whole multi-line report.
 */
typedef void (*kmm_report_fn)(const char *report, void *arg);
void kmm_set_report_hook(kmm_report_fn fn, void *arg);
/* Reports made since boot on the current machine. */
unsigned long kmm_nr_reports(void);

/*
 * Memory hotplug: adds bytes of RAM (a multiple of 128 MiB) to the current
 * machine, above the PCI window, into ZONE_NORMAL.  Returns 0, -EINVAL for
 * a bad size, -ENOSPC past the max_mem boot option, or -ENOMEM when the
 * page tables of its direct map cannot be allocated (nothing is added).
 */
int add_memory(unsigned long bytes);

/* Checks every buddy invariant; returns 0 or -1 (with a report). */
int check_buddy_invariants(void);
/*
 * Runs every invariant checker of machine k (buddy, slab caches, vmalloc,
 * each address space's vmas, page tables, RSS and mapcounts, the TLBs);
 * 0, or -1 after reporting what is broken.
 */
int kmm_check_invariants(struct kmm *k);

#endif /* KMM_KMM_H */
