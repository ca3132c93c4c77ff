/*
 * base/parse.c - numbers as people type them: 4096, 0x1000, 4K, 1G.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include "base/parse.h"

static int suffix_shift(char c)
{
	switch (c) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	case 't': case 'T': return 40;
	default: return -1;
	}
}

int parse_ulong(const char *s, unsigned long *out, bool allow_suffix)
{
	unsigned long v;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end && allow_suffix && !((s[0] == '0') && (s[1] == 'x' || s[1] == 'X'))) {
		shift = suffix_shift(*end);
		if (shift < 0)
			return -1;
		end++;
		if (*end == 'i' && end[1] == 'B')	/* also accept KiB, MiB */
			end += 2;
		else if (*end == 'B')
			end++;
	}
	if (*end)
		return -1;
	if (shift && v > (~0ul >> shift))
		return -1;
	*out = v << shift;
	return 0;
}
