/*
 * tools/host_plug.c - the address space of a kmm-host server for
 * scripts that let the kernel place mappings (kmm-host
 * --kernel-addresses, docs/differential.md).
 *
 * x86-64 places a mapping top-down: in the highest gap below mmap_base
 * that fits.  A server's gaps above the window (between its program,
 * heap, libraries and whatever the sanitizers map) are not a simulated
 * process's, so at spawn every one of them is filled with PROT_NONE
 * plugs: the kernel itself is asked for ever smaller areas, which it
 * places in the highest gap that fits, and each one it places above the
 * window is kept.  After that the highest gaps are the window's own, as
 * in a simulated process plugged the same way (tests/sim/host_diff.h).
 *
 * The server must then map nothing of its own (it would land in the
 * window): its buffers are mapped before, and malloc is told to grow
 * its heap now and never to use mmap.  A sanitizer runtime that maps
 * memory later cannot be told; docs/differential.md says so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tools/host_int.h"

#define PLUG_FIRST	(1ul << 46)	/* larger than any gap of a process */
#define HEAP_RESERVE	(32ul << 20)	/* what malloc may use after the plugs */

static unsigned long probe(unsigned long len)
{
	return (unsigned long)syscall(SYS_mmap, 0ul, len, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

/* Grows the heap now and keeps it: malloc will never need brk or mmap. */
static void reserve_heap(void)
{
	void *p;

	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, -1);
	p = malloc(HEAP_RESERVE);
	free(p);
}

int host_plug_above_window(void)
{
	unsigned long len, p, end = HOST_WINDOW_START + HOST_WINDOW_SIZE;

	reserve_heap();
	/* Shared: a vma of the script at the window's end never merges. */
	p = (unsigned long)syscall(SYS_mmap, HOST_WINDOW_FENCE, HOST_PAGE_SIZE, PROT_NONE,
				   MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE,
				   -1, 0);
	if (p != HOST_WINDOW_FENCE && errno != EEXIST)
		return -errno;
	for (len = PLUG_FIRST; len >= HOST_PAGE_SIZE; ) {
		bool placed;

		p = probe(len);
		placed = p < HOST_TASK_SIZE;
		if (placed && p >= end)
			continue;		/* a plug above the window: keep it */
		if (placed)
			syscall(SYS_munmap, p, len);	/* in or below the window */
		len >>= 1;
	}
	return 0;
}
