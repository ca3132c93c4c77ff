/*
 * tools/script_gen.h - random scripts for the differential tests: process
 * 1's mmap, munmap, mprotect, mremap, madvise, mlock, mlock2 and munlock
 * calls at fixed addresses inside the window of tools/host_exec.h, good
 * and bad, with `cat /proc/1/maps` now and then.  The same seed always
 * gives the same script.
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

#endif
