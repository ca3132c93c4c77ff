/*
 * base/parse.c - numbers as people type them: 4096, 0x1000, 4K, 1G.
 *
 * Decimal unless the number starts with 0x: a leading zero is only a
 * digit, so "010" is ten and "09" nine.  strtoul's base 0 (and Linux's
 * memparse, which uses it) would read "010" as octal eight and stop "09"
 * at the 9; the script language and the boot options promise decimal or
 * hex (DESIGN.md), and a zero-padded column pasted from a table must mean
 * what it says.  The digits are read here rather than by strtoul, which
 * would also take blanks, a sign or a second "0x" after the first.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
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

static int digit_value(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

/* The digits at *s in base; moves *s past them.  -1 if none, or overflow. */
static int parse_digits(const char **s, unsigned int base, unsigned long *out)
{
	const char *p = *s;
	unsigned long v = 0;
	int d;

	if (digit_value(*p, base) < 0)
		return -1;
	for (; (d = digit_value(*p, base)) >= 0; p++)
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (unsigned long)d, &v))
			return -1;
	*s = p;
	*out = v;
	return 0;
}

/* K, M, G or T, optionally followed by B or iB: the shift, or -1. */
static int parse_suffix(const char **s)
{
	const char *p = *s;
	int shift = suffix_shift(*p);

	if (shift < 0)
		return -1;
	p++;
	if (p[0] == 'i' && p[1] == 'B')		/* also accept KiB, MiB */
		p += 2;
	else if (p[0] == 'B')
		p++;
	*s = p;
	return shift;
}

int parse_ulong(const char *s, unsigned long *out, bool allow_suffix)
{
	bool hex;
	unsigned long v;
	int shift = 0;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex)
		s += 2;
	if (parse_digits(&s, hex ? 16 : 10, &v))
		return -1;
	/* No suffix after hex: "0x1B" and "0x2G" would read both ways. */
	if (*s && allow_suffix && !hex) {
		shift = parse_suffix(&s);
		if (shift < 0)
			return -1;
	}
	if (*s)
		return -1;
	if (shift && v > (~0ul >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/*
 * Linux's _kstrtoull (after the sign): base 0 means C's notation (0x hex, a leading 0
 * octal).  Every digit is read before an overflow is reported, as
 * _parse_integer does, so an overflowing number with junk after it is
 * -ERANGE, not -EINVAL.
 */
static int kstrtoull_(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v = 0;
	bool overflow = false;
	const char *p;
	int d;

	if (base == 0)
		base = s[0] != '0' ? 10 :
		       tolower((unsigned char)s[1]) == 'x' && isxdigit((unsigned char)s[2]) ? 16 : 8;
	if (base == 16 && s[0] == '0' && tolower((unsigned char)s[1]) == 'x')
		s += 2;
	for (p = s; (d = digit_value(*p, base)) >= 0; p++)
		overflow |= __builtin_mul_overflow(v, base, &v) ||
			    __builtin_add_overflow(v, (unsigned long long)d, &v);
	if (overflow)
		return -ERANGE;
	if (p == s)
		return -EINVAL;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	*res = v;
	return 0;
}

int kstrtoint(const char *s, unsigned int base, int *res)
{
	unsigned long long v;
	bool neg = s[0] == '-';
	int err = kstrtoull_(s + (neg || s[0] == '+'), base, &v);

	if (err)
		return err;
	if (v > (neg ? (unsigned long long)INT_MAX + 1 : (unsigned long long)INT_MAX))
		return -ERANGE;
	*res = neg ? (int)-(long long)v : (int)v;
	return 0;
}
