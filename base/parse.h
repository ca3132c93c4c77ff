/*
 * base/parse.h - number parsing shared by options, the script language and
 * the shell: decimal or 0x hex, optional K/M/G/T suffix (powers of 1024).
 */
#ifndef KMM_BASE_PARSE_H
#define KMM_BASE_PARSE_H

#include <stdbool.h>

/* Parses all of s.  Returns 0, or -1 if s is not such a number or overflows. */
int parse_ulong(const char *s, unsigned long *out, bool allow_suffix);

#endif
