/*
 * tools/script_gen.h - random scripts for the differential tests: process
 * 1's mmap, munmap, mprotect, mremap, madvise, mlock, mlock2 and munlock
 * calls at fixed addresses inside the window of tools/host_exec.h, good
 * and bad, with `cat /proc/1/maps` now and then; with SCRIPT_GEN_FAULTS
 * also accesses and more processes.  The same seed always gives the same
 * script.
 */
#ifndef KMM_TOOLS_SCRIPT_GEN_H
#define KMM_TOOLS_SCRIPT_GEN_H

#include <stdio.h>

/*
 * Writes to f a comment, `spawn`, the line that reserves the window,
 * n random lines and a closing `cat /proc/1/maps`.  without: NULL, or a
 * NULL-terminated list of patterns of lines never to write: a pattern is
 * words separated by blanks ("MADV_COLLAPSE", "mlock2 0"), and matches a
 * line whose words (split at blanks and '|') include all of them.
 */
void script_gen(FILE *f, unsigned long seed, unsigned int n,
		const char *const *without);

/*
 * SCRIPT_GEN_FAULTS: also touch, read and write lines in the window, and
 * fork and exit, with shared anonymous mappings among the private ones:
 * scripts for kmm run --faults and kmm-host --faults, which compare the
 * faults of every access (docs/differential.md).
 */
#define SCRIPT_GEN_FAULTS	0x1u
/*
 * Restrictions that keep known differences out (tests/sim/
 * test_script_host.c): with SCRIPT_GEN_ALIGN_64K, the ranges of calls
 * start and end on 64 KiB boundaries (accesses stay byte-grained);
 * with SCRIPT_GEN_CHILD_ACCESS_ONLY, only pid 1 makes calls and never
 * exits: forked processes touch, read, write, fork and exit.
 */
#define SCRIPT_GEN_ALIGN_64K		0x2u
#define SCRIPT_GEN_CHILD_ACCESS_ONLY	0x4u

/*
 * SCRIPT_GEN_KERNEL_ADDR: also mmap lines that let the kernel choose the
 * address (ADDR 0, unaligned hints, lengths that are multiples of 2 MiB)
 * and mremap with MREMAP_MAYMOVE alone, growing (to multiples of 2 MiB
 * now and then); later lines use the addresses the generator's model of
 * the window (a top-down search of its gaps, as Linux's) says the kernel
 * chose.  For kmm-host --kernel-addresses and a simulated process plugged
 * the same way (docs/differential.md).  The window's top 48 MiB start
 * empty for the kernel's choices.
 */
#define SCRIPT_GEN_KERNEL_ADDR		0x8u
/*
 * With SCRIPT_GEN_KERNEL_ADDR: shared mappings are always fixed (for a
 * host whose shmem THP settings align them where the simulator does not).
 */
#define SCRIPT_GEN_FIXED_SHARED		0x10u

/* script_gen with SCRIPT_GEN_* flags. */
void script_gen_flags(FILE *f, unsigned long seed, unsigned int n,
		      const char *const *without, unsigned int flags);

#endif
