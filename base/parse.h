/*
 * base/parse.h - number parsing shared by options, the script language and
 * the shell: decimal or 0x hex, optional K/M/G/T suffix (powers of 1024).
 * A leading zero does not mean octal: "010" is 10 and "09" is 9 (unlike
 * strtoul's base 0 and Linux's memparse; /proc/sys writes, which follow
 * Linux's sysctl parser, keep octal in proc/sysctl.c).
 */
#ifndef KMM_BASE_PARSE_H
#define KMM_BASE_PARSE_H

#include <stdbool.h>

/*
 * Parses all of s: digits, or 0x and hex digits; with allow_suffix, a
 * decimal number may end in K, M, G or T (then optionally B or iB).
 * Returns 0, or -1 if s is not such a number or overflows (*out untouched).
 */
int parse_ulong(const char *s, unsigned long *out, bool allow_suffix);

/*
 * Linux's kstrtoint, for what the kernel parses as it does (/proc/PID
 * files): an optional sign, digits in base (0: 0x hex, leading 0 octal),
 * one optional newline, nothing else.  0, -EINVAL, or -ERANGE when the
 * number does not fit an int (*res untouched).
 */
int kstrtoint(const char *s, unsigned int base, int *res);

#endif
