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

/* script_gen with SCRIPT_GEN_* flags. */
void script_gen_flags(FILE *f, unsigned long seed, unsigned int n,
		      const char *const *without, unsigned int flags);

#endif
