/*
 * tests/fuzz/fuzz_parse.c - libFuzzer target for the small parsers behind
 * the script language and the boot options:
 *
 *   parse_ulong()      against a reference written from base/parse.h: decimal
 *                      digits, or 0x and hex digits (a leading 0 is a
 *                      digit, not octal as in Linux's memparse), an optional
 *                      K/M/G/T suffix with "B" or "iB" after it when suffixes
 *                      are allowed and the number is not hex, no overflow;
 *   gfp_parse()        never reads or writes out of bounds; a name it
 *                      accepts formats back to the same flags;
 *   gfp_format()       into a buffer of exactly len bytes: never writes past
 *                      it, always terminates it, and parse(format(flags)) ==
 *                      flags for every combination of defined bits;
 *   kmm_config_set()   a value it stores is the parsed value and in the
 *                      option's range, nothing else in the config changes,
 *                      and a refusal leaves the config untouched with a
 *                      terminated message.
 *
 * Input: byte 0 picks the function, byte 1 is a parameter (suffixes
 * allowed, buffer length), the rest is the text (or the flags).
 *
 * Known bugs in the code under test are kept out of the way with
 * KMM_FUZZ_KNOWN_BUGS (default 1); build with -DKMM_FUZZ_KNOWN_BUGS=0 to
 * check whether they are fixed.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/kmm.h>
#include "base/option.h"
#include "hw/tlb.h"
#include "base/parse.h"

#ifndef KMM_FUZZ_KNOWN_BUGS
#define KMM_FUZZ_KNOWN_BUGS 1
#endif

#define MAX_TEXT 512

#define FUZZ_BUG(...)							\
	do {								\
		fprintf(stderr, "fuzz_parse: ");			\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	} while (0)

/* ------------------------------------------------------------------ */
/* parse_ulong                                                         */
/* ------------------------------------------------------------------ */

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

static int ref_parse_ulong(const char *s, unsigned long *out, bool allow_suffix)
{
	unsigned long v = 0;
	unsigned int base = 10, shift = 0;
	const char *p = s;
	bool hex = false;

	if (!(*p >= '0' && *p <= '9'))
		return -1;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		base = 16;
		hex = true;
		p += 2;
	}
	for (; digit_value(*p) < (int)base; p++)
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (unsigned long)digit_value(*p), &v))
			return -1;
	if (*p && allow_suffix && !hex) {
		switch (*p) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: return -1;
		}
		p++;
		if (p[0] == 'i' && p[1] == 'B')
			p += 2;
		else if (p[0] == 'B')
			p++;
	}
	if (*p)
		return -1;
	if (shift && v > (ULONG_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static void fuzz_parse_ulong(const char *s, bool allow_suffix)
{
	unsigned long got = 0xdeadbeef, want = 0xfeedface, again;
	int r = parse_ulong(s, &got, allow_suffix);
	int w = ref_parse_ulong(s, &want, allow_suffix);
	char buf[32];

	if (r != 0 && r != -1)
		FUZZ_BUG("parse_ulong(\"%s\") returned %d", s, r);
	if (r != w)
		FUZZ_BUG("parse_ulong(\"%s\", %d) returned %d, reference %d", s, allow_suffix, r, w);
	if (r) {
		if (got != 0xdeadbeef)
			FUZZ_BUG("parse_ulong(\"%s\") failed but wrote the result", s);
		return;
	}
	if (got != want)
		FUZZ_BUG("parse_ulong(\"%s\", %d) = %lu, reference %lu", s, allow_suffix, got, want);
	/* Whatever it reads, it reads back when printed plainly. */
	snprintf(buf, sizeof(buf), "%lu", got);
	if (buf[0] != '0' || !buf[1]) {
		if (parse_ulong(buf, &again, false) || again != got)
			FUZZ_BUG("parse_ulong does not read back %s", buf);
	}
	snprintf(buf, sizeof(buf), "%#lx", got);
	if (got && (parse_ulong(buf, &again, allow_suffix) || again != got))
		FUZZ_BUG("parse_ulong does not read back %s", buf);
}

/* ------------------------------------------------------------------ */
/* gfp_parse / gfp_format                                              */
/* ------------------------------------------------------------------ */

/*
 * Formats into a buffer of len bytes followed by a canary (ASan does not
 * catch a write to malloc(0), which it serves with one byte): nothing past
 * len may change.
 */
#define CANARY 16

static char *format_exact(gfp_t gfp, size_t len, int *n)
{
	char *buf = malloc(len + CANARY);
	size_t i;

	if (!buf)
		abort();
	memset(buf, 0xa5, len + CANARY);
	*n = gfp_format(gfp, buf, len);
	for (i = len; i < len + CANARY; i++)
		if ((unsigned char)buf[i] != 0xa5)
			FUZZ_BUG("gfp_format(%#x, len %zu) wrote byte %zu", gfp, len, i);
	if (*n < 0)
		FUZZ_BUG("gfp_format(%#x) returned %d", gfp, *n);
	if (len && !memchr(buf, 0, len))
		FUZZ_BUG("gfp_format(%#x, len %zu) left the buffer unterminated", gfp, len);
	return buf;
}

static void fuzz_gfp_format(gfp_t gfp, size_t len)
{
	char big[1024], *buf;
	gfp_t back = ~0u;
	int n;

	if (KMM_FUZZ_KNOWN_BUGS && !len)
		len = 1;	/* KNOWN BUG: gfp_format writes buf[0] even if len is 0 */
	buf = format_exact(gfp, len, &n);
	free(buf);

	/* KNOWN BUG-ish: bits above __GFP_BITS_MASK have no name and are
	 * dropped silently (Linux prints them in hex); only the defined bits
	 * are expected to survive the round trip. */
	if (KMM_FUZZ_KNOWN_BUGS)
		gfp &= __GFP_BITS_MASK;
	n = gfp_format(gfp, big, sizeof(big));
	if ((size_t)n >= sizeof(big))
		FUZZ_BUG("gfp_format(%#x) needs %d bytes", gfp, n);
	if (gfp && (size_t)n != strlen(big))
		FUZZ_BUG("gfp_format(%#x) returned %d for \"%s\"", gfp, n, big);
	if (!big[0])
		FUZZ_BUG("gfp_format(%#x) printed nothing", gfp);
	/* Bits past __GFP_BITS_MASK print in hex but are not valid input. */
	if (gfp & ~__GFP_BITS_MASK)
		return;
	if (gfp_parse(big, &back, NULL, 0))
		FUZZ_BUG("gfp_parse refuses gfp_format(%#x) = \"%s\"", gfp, big);
	if (back != gfp)
		FUZZ_BUG("gfp_parse(gfp_format(%#x) = \"%s\") = %#x", gfp, big, back);
	/* The same text in a buffer just big enough must be identical. */
	buf = format_exact(gfp, strlen(big) + 1, &n);
	if (strcmp(buf, big))
		FUZZ_BUG("gfp_format(%#x) differs with an exact buffer: \"%s\" vs \"%s\"", gfp, buf, big);
	free(buf);
}

static void fuzz_gfp_parse(const char *s, size_t badlen)
{
	gfp_t gfp = 0x5a5a5a5a, again;
	char *bad = badlen ? malloc(badlen) : NULL;
	char big[1024];
	int r;

	if (badlen && !bad)
		abort();
	r = gfp_parse(s, &gfp, bad, badlen);
	if (r != 0 && r != -1)
		FUZZ_BUG("gfp_parse(\"%s\") returned %d", s, r);
	if (r) {
		if (gfp != 0x5a5a5a5a)
			FUZZ_BUG("gfp_parse(\"%s\") failed but wrote the flags", s);
		if (bad && !memchr(bad, 0, badlen))
			FUZZ_BUG("gfp_parse(\"%s\") left 'bad' unterminated", s);
		if (bad && !strstr(s, bad))
			FUZZ_BUG("gfp_parse(\"%s\") blames '%s', not part of the text", s, bad);
		free(bad);
		return;
	}
	free(bad);
	if (gfp & ~__GFP_BITS_MASK)
		FUZZ_BUG("gfp_parse(\"%s\") = %#x: undefined bits", s, gfp);
	gfp_format(gfp, big, sizeof(big));
	if (gfp_parse(big, &again, NULL, 0) || again != gfp)
		FUZZ_BUG("gfp_parse(\"%s\") = %#x, but \"%s\" reads back as %#x", s, gfp, big, again);
}

/* ------------------------------------------------------------------ */
/* kmm_config_set                                                      */
/* ------------------------------------------------------------------ */

static unsigned long field(const struct kmm_config *cfg, const struct kmm_option *o)
{
	const char *p = (const char *)cfg + o->offset;

	if (o->width == sizeof(unsigned long))
		return *(const unsigned long *)p;
	return *(const unsigned int *)p;
}

static void fuzz_config_set(const char *name, const char *value, size_t errlen,
			    unsigned char fill)
{
	struct kmm_config cfg, before, res;
	const struct kmm_option *o = NULL;
	char *err = errlen ? malloc(errlen) : NULL;
	char rerr[160];
	unsigned long v;
	unsigned int i;
	int r;

	if (errlen && !err)
		abort();
	memset(&cfg, fill, sizeof(cfg));
	before = cfg;
	r = kmm_config_set(&cfg, name, value, err, errlen);
	for (i = 0; i < kmm_nr_options; i++)
		if (!strcmp(kmm_options[i].name, name))
			o = &kmm_options[i];
	if (r != 0 && r != -1)
		FUZZ_BUG("kmm_config_set(%s, %s) returned %d", name, value, r);
	if (!strcmp(name, "tlb")) {
		/* A string option checked by the TLB model's parser. */
		struct tlb_config tc;
		char terr[160];
		int ok;

		tlb_config_default(&tc);
		ok = strlen(value) < sizeof(cfg.tlb) &&
		     !tlb_config_parse(value, &tc, terr, sizeof(terr));
		if (ok != !r)
			FUZZ_BUG("kmm_config_set(tlb, %s) answered %d, tlb_config_parse %s", value,
				 r, ok ? "accepts" : "refuses");
		if (!r && strcmp(cfg.tlb, value))
			FUZZ_BUG("kmm_config_set(tlb, %s) stored '%s'", value, cfg.tlb);
		if (r && memcmp(&cfg, &before, sizeof(cfg)))
			FUZZ_BUG("kmm_config_set(tlb, %s) failed but changed the config", value);
		free(err);
		return;
	}
	if (o && o->type == KMM_OPT_STRING) {
		/* Another string option (fs=, fail_page_alloc=, failslab=): its
		 * layer's validator decides, if it is linked in; what is taken
		 * is stored as it is, what is refused changes nothing. */
		const char *stored = (const char *)&cfg + o->offset;

		if (!r && (strlen(value) >= o->width || strcmp(stored, value)))
			FUZZ_BUG("kmm_config_set(%s, %s) stored '%.*s'", name, value, (int)o->width,
				 stored);
		if (r && memcmp(&cfg, &before, sizeof(cfg)))
			FUZZ_BUG("kmm_config_set(%s, %s) failed but changed the config", name, value);
		if (r && err && errlen > 1 && !err[0])
			FUZZ_BUG("kmm_config_set(%s, %s): empty message", name, value);
		free(err);
		return;
	}
	if (o && o->type == KMM_OPT_ENUM) {
		/* One of the option's words, stored as its index. */
		unsigned long w, found = ~0ul;

		for (w = 0; o->names[w]; w++)
			if (!strcmp(value, o->names[w]))
				found = w;
		if ((found != ~0ul) != !r)
			FUZZ_BUG("kmm_config_set(%s, %s) answered %d", name, value, r);
		if (!r && field(&cfg, o) != found)
			FUZZ_BUG("kmm_config_set(%s, %s) stored %lu", name, value, field(&cfg, o));
		if (r && memcmp(&cfg, &before, sizeof(cfg)))
			FUZZ_BUG("kmm_config_set(%s, %s) failed but changed the config", name, value);
		free(err);
		return;
	}
	if (o && (o->type == KMM_OPT_OFF || o->type == KMM_OPT_KILL)) {
		/* Words, not numbers: on/off, kill/handle. */
		const char *one = o->type == KMM_OPT_OFF ? "off" : "kill";
		const char *zero = o->type == KMM_OPT_OFF ? "on" : "handle";
		int ok = !strcmp(value, one) || !strcmp(value, zero);

		if (ok != !r)
			FUZZ_BUG("kmm_config_set(%s, %s) answered %d", name, value, r);
		if (!r && field(&cfg, o) != (unsigned long)!strcmp(value, one))
			FUZZ_BUG("kmm_config_set(%s, %s) stored %lu", name, value, field(&cfg, o));
		if (r && memcmp(&cfg, &before, sizeof(cfg)))
			FUZZ_BUG("kmm_config_set(%s, %s) failed but changed the config", name, value);
		free(err);
		return;
	}
	if (r) {
		if (memcmp(&cfg, &before, sizeof(cfg)))
			FUZZ_BUG("kmm_config_set(%s, %s) failed but changed the config", name, value);
		if (err && !memchr(err, 0, errlen))
			FUZZ_BUG("kmm_config_set(%s, %s): message unterminated", name, value);
		if (err && errlen > 1 && !err[0])
			FUZZ_BUG("kmm_config_set(%s, %s): empty message", name, value);
		if (o && !parse_ulong(value, &v, o->type == KMM_OPT_SIZE) &&
		    v >= o->min && v <= o->max)
			FUZZ_BUG("kmm_config_set(%s, %s) refused a valid value", name, value);
		free(err);
		return;
	}
	free(err);
	if (!o)
		FUZZ_BUG("kmm_config_set accepted unknown option '%s'", name);
	if (parse_ulong(value, &v, o->type == KMM_OPT_SIZE))
		FUZZ_BUG("kmm_config_set(%s, %s) accepted what parse_ulong refuses", name, value);
	if (v < o->min || v > o->max)
		FUZZ_BUG("kmm_config_set(%s, %s) accepted %lu outside %lu..%lu", name, value,
			 v, o->min, o->max);
	if (field(&cfg, o) != v)
		FUZZ_BUG("kmm_config_set(%s, %s) stored %lu, not %lu", name, value, field(&cfg, o), v);
	/* Nothing but the field changed. */
	memcpy((char *)&before + o->offset, (char *)&cfg + o->offset, o->width);
	if (memcmp(&cfg, &before, sizeof(cfg)))
		FUZZ_BUG("kmm_config_set(%s, %s) changed other fields", name, value);

	/* And a config built from this one value resolves sanely. */
	memset(&cfg, 0, sizeof(cfg));
	if (kmm_config_set(&cfg, name, value, rerr, sizeof(rerr)))
		FUZZ_BUG("kmm_config_set(%s, %s) not repeatable", name, value);
	if (!kmm_config_resolve(&res, &cfg, rerr, sizeof(rerr))) {
		if (res.mem % (2ul << 20) || res.mem < (32ul << 20) || res.max_mem < res.mem ||
		    res.cpus < 1 || res.cpus > KMM_MAX_CPUS)
			FUZZ_BUG("kmm_config_resolve after %s=%s: mem %lu max_mem %lu cpus %u",
				 name, value, res.mem, res.max_mem, res.cpus);
	} else if (!memchr(rerr, 0, sizeof(rerr)) || !rerr[0]) {
		FUZZ_BUG("kmm_config_resolve after %s=%s: bad message", name, value);
	}
}

/* ------------------------------------------------------------------ */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* kmm_config_resolve reads KMM_<NAME>: none of that here. */
	unsetenv("KMM_MEM");
	unsetenv("KMM_MAX_MEM");
	unsetenv("KMM_CPUS");
	unsetenv("KMM_SEED");
	unsetenv("KMM_MIN_FREE_KBYTES");
	unsetenv("KMM_WATERMARK_SCALE_FACTOR");
	unsetenv("KMM_BAD_PAGE_PANIC");
	unsetenv("KMM_QUIET");
	setenv("KMM_CPUS", "2", 1);	/* no sysconf() dependence */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[MAX_TEXT + 1], *eq;
	unsigned char sel, param;
	size_t n;

	if (size < 2 || size - 2 > MAX_TEXT)
		return -1;
	sel = data[0];
	param = data[1];
	n = size - 2;
	memcpy(text, data + 2, n);
	text[n] = 0;		/* text stops at the first NUL, as a C string does */

	switch (sel % 4) {
	case 0:
		fuzz_parse_ulong(text, param & 1);
		break;
	case 1: {
		gfp_t gfp = 0;

		memcpy(&gfp, data + 2, n < sizeof(gfp) ? n : sizeof(gfp));
		fuzz_gfp_format(gfp, param);
		break;
	}
	case 2:
		fuzz_gfp_parse(text, param % 80);
		break;
	case 3:
		eq = strchr(text, '=');
		if (eq)
			*eq++ = 0;
		fuzz_config_set(text, eq ? eq : "", param % 200, (unsigned char)(sel >> 2));
		break;
	}
	return 0;
}
