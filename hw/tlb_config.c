/*
 * hw/tlb_config.c - the TLB's configuration: the Skylake default, the
 * checks, and the "key=value,..." syntax of the tlb= option (parse and
 * format).  The struct is in hw/tlb.h; docs/tlb.md lists the keys.
 */
#include <stdio.h>
#include <string.h>
#include "base/parse.h"
#include "base/seq_buf.h"
#include "hw/tlb.h"
#include "base/option.h"


/*
 * The keys of tlb_config_parse, one per array slot, in tlb_config_format's
 * order.  Slot sizes are fixed by the key: the STLB's first array holds 4K
 * and 2M together, as Skylake's does.
 */
static const struct tlb_key {
	const char *name;
	enum tlb_level level;
	int slot;
	unsigned int sizes;
} tlb_keys[] = {
	{ "l1d", TLB_L1D, 0, TLB_4K },
	{ "l1d_2m", TLB_L1D, 1, TLB_2M },
	{ "l1d_1g", TLB_L1D, 2, TLB_1G },
	{ "l1i", TLB_L1I, 0, TLB_4K },
	{ "l1i_2m", TLB_L1I, 1, TLB_2M },
	{ "l1i_1g", TLB_L1I, 2, TLB_1G },
	{ "stlb", TLB_STLB, 0, TLB_4K | TLB_2M },
	{ "stlb_1g", TLB_STLB, 2, TLB_1G },
};
#define NR_TLB_KEYS	(sizeof(tlb_keys) / sizeof(tlb_keys[0]))

const struct repl_ops *const tlb_repl_ops[NR_TLB_REPL] = {
	[TLB_REPL_LRU] = &repl_lru_ops,
	[TLB_REPL_PLRU] = &repl_plru_ops,
	[TLB_REPL_RANDOM] = &repl_random_ops,
};

/*
 * An Intel Skylake core: Intel 64 and IA-32 Architectures Optimization
 * Reference Manual, Skylake microarchitecture, table "TLB Parameters"
 * (docs/tlb.md).  The iTLB's 2M array is fully associative there.
 */
void tlb_config_default(struct tlb_config *cfg)
{
	static const unsigned int def[NR_TLB_KEYS][2] = {
		{ 64, 4 }, { 32, 4 }, { 4, 4 },		/* L1D 4K, 2M, 1G */
		{ 128, 8 }, { 8, 8 }, { 0, 0 },		/* L1I 4K, 2M, none */
		{ 1536, 12 }, { 16, 4 },		/* STLB 4K+2M, 1G */
	};

	memset(cfg, 0, sizeof(*cfg));
	for (unsigned int k = 0; k < NR_TLB_KEYS; k++) {
		struct tlb_array_config *ac = &cfg->array[tlb_keys[k].level][tlb_keys[k].slot];

		ac->entries = def[k][0];
		ac->ways = def[k][1];
		ac->sizes = tlb_keys[k].sizes;
	}
	cfg->repl = TLB_REPL_LRU;
	cfg->pcid = true;
	cfg->flush_ceiling = 33;
	cfg->seed = 1;
}

static bool is_pow2(unsigned int x)
{
	return x && !(x & (x - 1));
}

int tlb_config_check(const struct tlb_config *cfg, char *err, size_t errlen)
{
	static const char *const level_names[NR_TLB_LEVELS] = { "l1d", "l1i", "stlb" };

	for (int l = 0; l < NR_TLB_LEVELS; l++) {
		unsigned int seen = 0;

		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			const struct tlb_array_config *ac = &cfg->array[l][s];
			const char *why = NULL;

			if (!ac->entries)
				continue;
			if (!ac->ways || ac->ways > TLB_MAX_WAYS)
				why = "ways must be 1..64";
			else if (ac->entries > TLB_MAX_ENTRIES)
				why = "at most 65536 entries";
			else if (ac->entries % ac->ways || !is_pow2(ac->entries / ac->ways))
				why = "entries must be ways times a power of two";
			else if (!ac->sizes || ac->sizes & ~(TLB_4K | TLB_2M | TLB_1G))
				why = "no page size, or an unknown one";
			else if (ac->sizes & seen)
				why = "a page size in two arrays";
			if (why) {
				snprintf(err, errlen, "%s array %d (%u:%u): %s", level_names[l], s,
					 ac->entries, ac->ways, why);
				return -1;
			}
			seen |= ac->sizes;
		}
	}
	if (cfg->repl >= NR_TLB_REPL) {
		snprintf(err, errlen, "unknown replacement policy %d", (int)cfg->repl);
		return -1;
	}
	return 0;
}

/* ENTRIES:WAYS, ENTRIES (fully associative), 0 or off (no array). */
static int parse_geometry(const char *v, struct tlb_array_config *ac)
{
	unsigned long entries, ways;
	const char *colon = strchr(v, ':');
	char num[32];

	if (!strcmp(v, "off"))
		v = "0";
	if (!colon) {
		if (parse_ulong(v, &entries, false) || entries > TLB_MAX_ENTRIES)
			return -1;
		ways = entries;
	} else {
		if ((size_t)(colon - v) >= sizeof(num))
			return -1;
		memcpy(num, v, colon - v);
		num[colon - v] = 0;
		if (parse_ulong(num, &entries, false) || parse_ulong(colon + 1, &ways, false) ||
		    entries > TLB_MAX_ENTRIES || ways > TLB_MAX_ENTRIES)
			return -1;
	}
	ac->entries = entries;
	ac->ways = entries ? ways : 0;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "no"))
		*out = false;
	else
		return -1;
	return 0;
}

/* Applies one key=value to cfg; returns 0 or -1 with err set. */
static int parse_item(char *item, struct tlb_config *cfg, char *err, size_t errlen)
{
	char *v = strchr(item, '=');
	unsigned long n;

	if (!v) {
		snprintf(err, errlen, "'%s': expected key=value", item);
		return -1;
	}
	*v++ = 0;
	for (unsigned int k = 0; k < NR_TLB_KEYS; k++) {
		struct tlb_array_config *ac;

		if (strcmp(item, tlb_keys[k].name))
			continue;
		ac = &cfg->array[tlb_keys[k].level][tlb_keys[k].slot];
		ac->sizes = tlb_keys[k].sizes;
		if (!parse_geometry(v, ac))
			return 0;
		snprintf(err, errlen, "%s=%s: expected ENTRIES:WAYS, ENTRIES or 0", item, v);
		return -1;
	}
	if (!strcmp(item, "pcid")) {
		if (!parse_bool(v, &cfg->pcid))
			return 0;
		snprintf(err, errlen, "pcid=%s: expected on or off", v);
		return -1;
	}
	if (!strcmp(item, "repl")) {
		for (int r = 0; r < NR_TLB_REPL; r++)
			if (!strcmp(v, tlb_repl_ops[r]->name)) {
				cfg->repl = r;
				return 0;
			}
		snprintf(err, errlen, "repl=%s: expected lru, plru or random", v);
		return -1;
	}
	if (!strcmp(item, "ceiling") || !strcmp(item, "seed")) {
		if (parse_ulong(v, &n, false) || n > UINT32_MAX) {
			snprintf(err, errlen, "%s=%s: expected a number", item, v);
			return -1;
		}
		*(item[0] == 'c' ? &cfg->flush_ceiling : &cfg->seed) = (unsigned int)n;
		return 0;
	}
	snprintf(err, errlen, "unknown tlb option '%s'", item);
	return -1;
}

int tlb_config_parse(const char *s, struct tlb_config *cfg, char *err, size_t errlen)
{
	struct tlb_config c = *cfg;
	char item[64];

	while (*s) {
		size_t len = strcspn(s, ",");

		if (len >= sizeof(item)) {
			snprintf(err, errlen, "'%.20s...': option too long", s);
			return -1;
		}
		memcpy(item, s, len);
		item[len] = 0;
		s += len + (s[len] == ',');
		if (!len)
			continue;
		if (parse_item(item, &c, err, errlen))
			return -1;
	}
	if (tlb_config_check(&c, err, errlen))
		return -1;
	*cfg = c;
	return 0;
}

int tlb_config_format(const struct tlb_config *cfg, char *buf, size_t size)
{
	struct seq_buf s;

	seq_buf_init(&s, buf, size);
	for (unsigned int k = 0; k < NR_TLB_KEYS; k++) {
		const struct tlb_array_config *ac = &cfg->array[tlb_keys[k].level][tlb_keys[k].slot];

		if (ac->entries)
			seq_printf(&s, "%s=%u:%u,", tlb_keys[k].name, ac->entries, ac->ways);
		else
			seq_printf(&s, "%s=0,", tlb_keys[k].name);
	}
	seq_printf(&s, "pcid=%s,repl=%s,ceiling=%u,seed=%u", cfg->pcid ? "on" : "off",
		   cfg->repl < NR_TLB_REPL ? tlb_repl_ops[cfg->repl]->name : "?", cfg->flush_ceiling,
		   cfg->seed);
	return (int)s.len;
}

/* `boot tlb=...`: the option's validator, registered with base/option.c. */
static int tlb_option_check(const char *value, char *err, size_t errlen)
{
	struct tlb_config cfg;

	tlb_config_default(&cfg);
	return tlb_config_parse(value, &cfg, err, errlen);
}
KMM_OPTION_CHECK("tlb", tlb_option_check)
