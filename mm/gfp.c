/*
 * mm/gfp.c - GFP flag names: parsing "GFP_KERNEL|__GFP_ZERO" for scripts
 * and printing flags the way Linux's %pGg does (composite names first,
 * then the single bits left over).
 */
#include <stdio.h>
#include <string.h>
#include <kmm/gfp.h>
#include <kmm/compiler.h>
#include "base/parse.h"

struct gfp_name {
	gfp_t flags;
	const char *name;
};

/* Composite names first: the printer takes the first that fully matches. */
static const struct gfp_name gfp_names[] = {
	{ GFP_TRANSHUGE, "GFP_TRANSHUGE" },
	{ GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT" },
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ GFP_DMA, "GFP_DMA" },
	{ GFP_DMA32, "GFP_DMA32" },
	{ __GFP_DMA, "__GFP_DMA" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ __GFP_DMA32, "__GFP_DMA32" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_ACCOUNT, "__GFP_ACCOUNT" },
	{ __GFP_WRITE, "__GFP_WRITE" },
};

/* One word of a GFP string: a name, or 0 / raw bits as gfp_format prints them. */
static int gfp_word(const char *s, size_t len, gfp_t *flags)
{
	char num[32];
	unsigned long bits;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gfp_names); i++)
		if (strlen(gfp_names[i].name) == len && !strncmp(gfp_names[i].name, s, len)) {
			*flags = gfp_names[i].flags;
			return 0;
		}
	if (!len || len >= sizeof(num))
		return -1;
	snprintf(num, sizeof(num), "%.*s", (int)len, s);
	if (parse_ulong(num, &bits, false) || bits & ~(unsigned long)__GFP_BITS_MASK)
		return -1;
	*flags = (gfp_t)bits;
	return 0;
}

/*
 * Every word between the '|'s must be a flag: "GFP_KERNEL|", "|GFP_KERNEL",
 * "A||B" and "" hold an empty word and are refused (bad is then ""), as a
 * C compiler would refuse the same expression.
 */
int gfp_parse(const char *s, gfp_t *gfp, char *bad, unsigned long badlen)
{
	gfp_t v = 0, f;

	do {
		size_t len = strcspn(s, "|");

		if (gfp_word(s, len, &f)) {
			if (bad && badlen)
				snprintf(bad, badlen, "%.*s", (int)len, s);
			return -1;
		}
		v |= f;
		s += len;
	} while (*s++ == '|');
	*gfp = v;
	return 0;
}

int gfp_format(gfp_t gfp, char *buf, unsigned long len)
{
	size_t n = 0, i;
	gfp_t left = gfp;

	if (!len)
		return 0;
	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(gfp_names) && left; i++) {
		gfp_t f = gfp_names[i].flags;

		if ((left & f) != f)
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? "|" : "", gfp_names[i].name);
		left &= ~f;
	}
	/* Bits without a name are printed in hex, as %pGg does. */
	if (left)
		n += (size_t)snprintf(buf + min(n, (size_t)len), n < len ? len - n : 0,
				      "%s%#x", n ? "|" : "", left);
	if (!gfp)
		n = (size_t)snprintf(buf, len, "0");
	return (int)n;
}
