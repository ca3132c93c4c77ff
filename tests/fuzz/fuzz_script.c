/*
 * tests/fuzz/fuzz_script.c - libFuzzer target: the input is a script for
 * sim/script.c.  Bad input may be refused, but it must never crash the
 * interpreter, break its output discipline or corrupt the machine.
 *
 * Each physical line of the input (split at '\n', at most MAX_LINES of
 * them, FUZZ_MAX_INPUT bytes in all) is handed to sim_run_stream() on its own
 * fmemopen() stream, so the stream reader (long lines, NUL bytes, CRLF) is
 * exercised as `kmm run` uses it, and what each line printed can be told
 * apart.  Unless the first line with words is a boot line, the script runs
 * on a booted "mem=32M cpus=1" machine (the environment also makes that the
 * default machine, so a bare boot stays cheap).  After a boot line that
 * fails there is no machine: every later command is refused, until a boot
 * line works.  Lines that would boot or hot-add a lot of memory are
 * skipped: they are valid, merely slow.
 *
 * The oracles, each an abort() so libFuzzer keeps the input:
 *   - a model of the language (written from sim/script.h, the help text
 *     and docs/scripting.md) says what each line must print: nothing
 *     (blank, comment, boot), one line ("error EINVAL" for a malformed
 *     line, with "kmm: fuzz:N: ..." on err naming the right line), or a
 *     file (cat, slabtop, help);
 *   - sim_run_stream() returns 1 for a malformed line and 0 otherwise;
 *   - everything handed out (alloc_pages blocks, kmalloc and
 *     kmem_cache_alloc objects, caches made by kmem_cache_create) is
 *     tracked: nothing new may overlap something live; freeing a live
 *     thing the right way prints "ok", and any other free must be
 *     reported and not done;
 *   - no "Bad page state" report, no failed `check`;
 *   - at the end everything live is given back (no report allowed),
 *     caches shrunk and pcp lists drained: MemFree must be what it was
 *     right after boot (unless memory was hot-added), and
 *     check_buddy_invariants() and check_slab_invariants() must pass.
 *
 * Known bugs in the code under test are stepped around while
 * KMM_FUZZ_KNOWN_BUGS is 1 (the default; see README.md): build with
 * -DKMM_FUZZ_KNOWN_BUGS=OFF to check whether they are fixed.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/kmm.h>
#include <kmm/slab.h>
#include "base/option.h"
#include "base/parse.h"
#include "mm/internal.h"
#include "sim/script.h"

#ifndef KMM_FUZZ_KNOWN_BUGS
#define KMM_FUZZ_KNOWN_BUGS 1
#endif

#define FUZZ_MAX_INPUT	(16u << 10)
#define MAX_LINES	64
#define MAX_BOOT_MEM	(256ul << 20)
#define MAX_HOTPLUG	(512ul << 20)	/* in all, per run */
#define MAX_LIVE	(MAX_LINES + 8)
#define MAX_CACHES	(MAX_LINES + 8)
#define SIM_MAX_LINE	4096		/* MAX_LINE of sim/script.c */
#define SIM_MAX_ARGS	16		/* MAX_ARGS of sim/script.c */
#define CACHE_NAME_MAX	31		/* longest name a cache keeps */

#define FUZZ_BUG(...)							\
	do {								\
		fprintf(stderr, "fuzz_script: line %lu: ", f->lineno);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		fflush(f->out);						\
		fflush(f->err);						\
		fprintf(stderr, "---- out ----\n%s---- err ----\n%s-------------\n", \
			f->outbuf ? f->outbuf : "", f->errbuf ? f->errbuf : ""); \
		abort();						\
	} while (0)

enum live_kind {
	L_PAGES,	/* alloc_pages: pfn, order */
	L_LARGE,	/* kmalloc above KMALLOC_MAX_CACHE_SIZE: pages too */
	L_OBJ,		/* kmalloc (cache[0] == 0) or kmem_cache_alloc */
};

struct live {
	enum live_kind kind;
	unsigned long addr;		/* simulated kernel address */
	unsigned long size;		/* bytes */
	unsigned long pfn;		/* L_PAGES, L_LARGE */
	unsigned int order;
	bool comp;			/* a compound page block */
	char cache[CACHE_NAME_MAX + 1];	/* L_OBJ from kmem_cache_alloc */
};

struct cache {
	char name[CACHE_NAME_MAX + 1];
	unsigned long size;
};

struct fuzz {
	struct sim *s;
	FILE *out, *err;
	char *outbuf, *errbuf;
	size_t outlen, errlen;
	size_t out_seen, err_seen;
	unsigned long lineno;		/* lines the sim has counted */
	int commands_run;		/* lines that reached a command */
	bool booted;			/* machine up */
	bool boot_failed;		/* the last boot line failed: no machine */
	bool have_baseline;
	bool untracked;			/* the model lost track: fewer checks */
	unsigned long hotplugged;	/* bytes asked for */
	unsigned long baseline_free_kb;
	struct live live[MAX_LIVE];
	int nr_live;
	struct cache caches[MAX_CACHES];	/* made by the script */
	int nr_caches;
};

/* ------------------------------------------------------------------ */
/* The model of the language                                           */
/* ------------------------------------------------------------------ */

enum kind {
	K_BLANK,	/* nothing to run: prints nothing */
	K_MALFORMED,	/* "error EINVAL", counted by sim_run_stream */
	K_BOOT,		/* prints nothing, or malformed if the machine won't boot */
	K_FILE,		/* cat, slabtop: any number of whole lines */
	K_ALLOC,
	K_FREE,
	K_CCREATE,
	K_CALLOC,
	K_CFREE,
	K_CSHRINK,
	K_CDESTROY,
	K_KMALLOC,
	K_KFREE,
	K_HOTPLUG,
	K_DRAIN,
	K_CHECK,
	K_HELP,
	K_SKIP,		/* not to be run (too expensive, or a known bug) */
};

struct expect {
	enum kind kind;
	enum kind cmd;		/* the command, even if the line is malformed */
	bool dispatched;	/* reaches the command's function (sim counts it) */
	bool boots;		/* a boot line that may boot (first, or after a
				 * failed one): it boots, or it fails */
	bool unknown_word;	/* well tokenised, but not a command of the model */
	bool must_refuse;	/* kmem_cache_create: the values are bad */
	const char *result;	/* hotplug_add: the one right answer, or NULL */
	unsigned long num;	/* pfn, size, address */
	unsigned int order;
	gfp_t gfp;
	char name[SIM_MAX_LINE];	/* cache name */
};

static const struct {
	const char *name;
	int min, max;
	enum kind kind;
} model_cmds[] = {
	{ "boot", 0, SIM_MAX_ARGS - 1, K_BOOT },
	{ "cat", 1, 9, K_FILE },	/* PATH [FIELD...]: only the lines starting with a FIELD */
	{ "alloc_pages", 1, 2, K_ALLOC },
	{ "free_pages", 2, 2, K_FREE },
	{ "kmem_cache_create", 2, 4, K_CCREATE },
	{ "kmem_cache_alloc", 1, 2, K_CALLOC },
	{ "kmem_cache_free", 2, 2, K_CFREE },
	{ "kmem_cache_shrink", 1, 1, K_CSHRINK },
	{ "kmem_cache_destroy", 1, 1, K_CDESTROY },
	{ "kmalloc", 1, 2, K_KMALLOC },
	{ "kfree", 1, 1, K_KFREE },
	{ "slabtop", 0, 0, K_FILE },
	{ "hotplug_add", 1, 1, K_HOTPLUG },
	{ "drain", 0, 0, K_DRAIN },
	{ "check", 0, 0, K_CHECK },
	{ "help", 0, 1, K_HELP },
};

static const char *const slab_flag_names[] = {
	"SLAB_HWCACHE_ALIGN", "SLAB_CACHE_DMA", "SLAB_CACHE_DMA32",
	"SLAB_RECLAIM_ACCOUNT", "SLAB_POISON", "SLAB_RED_ZONE",
	"SLAB_STORE_USER", "SLAB_PANIC", "SLAB_FAILSLAB", "0",
};

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Words of a line: separated by blanks; '#' starts a comment where a word
 * could start or inside an unquoted word; "a quoted string" is one word.
 * Returns the number of words, or -1 (unterminated quote, too many words).
 * Splits buf in place.
 */
static int model_words(char *buf, char **w)
{
	char *p = buf;
	int n = 0;

	for (;;) {
		while (blank(*p))
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == SIM_MAX_ARGS)
			return -1;
		if (*p == '"') {
			char *q = strchr(p + 1, '"');

			if (!q)
				return -1;
			*q = 0;
			w[n++] = p + 1;
			p = q + 1;
			continue;
		}
		w[n++] = p;
		while (*p && !blank(*p) && *p != '#')
			p++;
		if (*p == '#') {
			*p = 0;
			return n;
		}
		if (*p)
			*p++ = 0;
	}
}

static bool model_order(const char *s, unsigned int *order)
{
	unsigned long v;

	if (parse_ulong(s, &v, false) || v > 255)
		return false;
	*order = (unsigned int)v;
	return true;
}

/* "A|B|C" of names; an empty name ("", a '|' at either end, "||") is not. */
static bool model_slab_flags(const char *s)
{
	do {
		size_t len = strcspn(s, "|"), i;

		for (i = 0; i < sizeof(slab_flag_names) / sizeof(slab_flag_names[0]); i++)
			if (strlen(slab_flag_names[i]) == len &&
			    !strncmp(slab_flag_names[i], s, len))
				break;
		if (i == sizeof(slab_flag_names) / sizeof(slab_flag_names[0]))
			return false;
		s += len;
	} while (*s++ == '|');
	return true;
}

/* A cache name is a slabinfo column: printable ASCII, no blanks. */
static bool model_cache_name(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static struct cache *find_created(struct fuzz *f, const char *name)
{
	int i;

	for (i = 0; i < f->nr_caches; i++)
		if (!strcmp(f->caches[i].name, name))
			return &f->caches[i];
	return NULL;
}

/* Does the machine (booted) know a cache of that name? */
static bool cache_exists(const char *name)
{
	return kmm_current() && kmem_cache_find(name);
}

static bool model_knows(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(model_cmds) / sizeof(model_cmds[0]); i++)
		if (!strcmp(model_cmds[i].name, name))
			return true;
	return false;
}

/* What the sim must do with text (one line, no NUL inside). */
static struct expect model_line(struct fuzz *f, const char *text)
{
	char buf[SIM_MAX_LINE + 8], *w[SIM_MAX_ARGS];
	struct expect e = { .kind = K_MALFORMED, .cmd = K_MALFORMED };
	unsigned long v;
	size_t i;
	int n;

	if (strlen(text) >= SIM_MAX_LINE)
		return e;
	strcpy(buf, text);
	n = model_words(buf, w);
	if (n < 0)
		return e;
	if (n == 0) {
		e.kind = K_BLANK;
		return e;
	}
	for (i = 0; i < sizeof(model_cmds) / sizeof(model_cmds[0]); i++)
		if (!strcmp(model_cmds[i].name, w[0]))
			break;
	if (i == sizeof(model_cmds) / sizeof(model_cmds[0])) {
		e.unknown_word = true;
		return e;
	}
	if (n - 1 < model_cmds[i].min || n - 1 > model_cmds[i].max)
		return e;
	if (model_cmds[i].kind == K_HELP && n == 2 && !model_knows(w[1])) {
		/* help about a command the model may not know */
		e.unknown_word = true;
		return e;
	}
	e.cmd = model_cmds[i].kind;
	e.dispatched = true;
	if (n > 1)
		snprintf(e.name, sizeof(e.name), "%s", w[1]);
	switch (e.cmd) {
	case K_BOOT: {
		struct kmm_config cfg = { 0 }, res;
		char err[160];
		int j;

		if (f->booted || (f->commands_run > 0 && !f->boot_failed))
			return e;
		e.boots = true;
		for (j = 1; j < n; j++) {
			char *eq = strchr(w[j], '=');

			if (!eq)
				return e;
			*eq = 0;
			if (kmm_config_set(&cfg, w[j], eq + 1, err, sizeof(err)))
				return e;
		}
		if (kmm_config_resolve(&res, &cfg, err, sizeof(err)))
			return e;
		/* Valid, but a big machine costs ~1/64 of its RAM in struct
		 * pages and seconds to boot: not for a fuzzer.  Nor is a host
		 * directory as the root (fs=): the fuzzer would write into it;
		 * it gets the machine's scratch directory. */
		e.kind = res.mem > MAX_BOOT_MEM || res.fs[0] ? K_SKIP : K_BOOT;
		return e;
	}
	case K_ALLOC:
		if (!model_order(w[1], &e.order))
			return e;
		e.gfp = GFP_KERNEL;
		if (n > 2 && gfp_parse(w[2], &e.gfp, NULL, 0))
			return e;
		break;
	case K_FREE:
		if (parse_ulong(w[1], &e.num, false) || !model_order(w[2], &e.order))
			return e;
		break;
	case K_CCREATE:
		if (cache_exists(w[1]))
			return e;
		if (parse_ulong(w[2], &e.num, true) || e.num > KMALLOC_MAX_SIZE)
			return e;
		v = 0;
		/* An alignment past a page is malformed (the interpreter
		 * refuses it before it could be cut to fit). */
		if (n > 3 && (parse_ulong(w[3], &v, true) || v > PAGE_SIZE))
			return e;
		if (n > 4 && !model_slab_flags(w[4]))
			return e;
		e.must_refuse = !w[1][0] || !e.num || (v & (v - 1)) ||
				strlen(w[1]) > CACHE_NAME_MAX || !model_cache_name(w[1]);
		if (KMM_FUZZ_KNOWN_BUGS && strlen(w[1]) > CACHE_NAME_MAX) {
			e.kind = K_SKIP;	/* KNOWN BUG: the name is cut */
			return e;
		}
		if (KMM_FUZZ_KNOWN_BUGS && n > 3 && v > 0xffffffffu) {
			e.kind = K_SKIP;	/* KNOWN BUG: ALIGN is cut to 32 bits */
			return e;
		}
		break;
	case K_CALLOC:
		if (!cache_exists(w[1]))
			return e;
		e.gfp = GFP_KERNEL;
		if (n > 2 && gfp_parse(w[2], &e.gfp, NULL, 0))
			return e;
		break;
	case K_CFREE:
		if (!cache_exists(w[1]) || parse_ulong(w[2], &e.num, false))
			return e;
		if (KMM_FUZZ_KNOWN_BUGS && e.num < 4096) {
			e.kind = K_SKIP;	/* KNOWN BUG: NULL + offset in obj_to_slot */
			return e;
		}
		break;
	case K_CSHRINK:
		if (!cache_exists(w[1]))
			return e;
		break;
	case K_CDESTROY:
		if (!cache_exists(w[1]))
			return e;
		if (KMM_FUZZ_KNOWN_BUGS && !find_created(f, w[1]) &&
		    strcmp(w[1], "kmem_cache")) {
			e.kind = K_SKIP;	/* KNOWN BUG: kmalloc caches can be destroyed */
			return e;
		}
		break;
	case K_KMALLOC:
		if (parse_ulong(w[1], &e.num, true))
			return e;
		e.gfp = GFP_KERNEL;
		if (n > 2 && gfp_parse(w[2], &e.gfp, NULL, 0))
			return e;
		if (KMM_FUZZ_KNOWN_BUGS && e.num > (1ul << 63)) {
			e.kind = K_SKIP;	/* KNOWN BUG: kmalloc_large never ends */
			return e;
		}
		break;
	case K_KFREE:
		if (parse_ulong(w[1], &e.num, false))
			return e;
		break;
	case K_HOTPLUG: {
		struct kmm *k = kmm_current();
		unsigned long used, room;

		if (parse_ulong(w[1], &e.num, true))
			return e;
		if (!k)
			break;	/* modelled again once the machine is up */
		used = k->cfg.mem + k->mem->hotplug_added;
		room = k->cfg.max_mem > used ? k->cfg.max_mem - used : 0;
		if (!e.num || e.num & ((1ul << SECTION_SIZE_BITS) - 1)) {
			e.result = "error EINVAL";
		} else if (e.num > room) {
			if (KMM_FUZZ_KNOWN_BUGS && used + e.num < used) {
				/* KNOWN BUG: the ENOSPC check overflows */
				e.kind = K_SKIP;
				return e;
			}
			e.result = "error ENOSPC";
		} else if (f->hotplugged + e.num > MAX_HOTPLUG) {
			e.kind = K_SKIP;	/* valid, but memory is dear */
			return e;
		}
		break;
	}
	default:
		break;
	}
	e.kind = e.cmd;
	return e;
}

/* ------------------------------------------------------------------ */
/* Tracking what is live                                               */
/* ------------------------------------------------------------------ */

static unsigned long live_end(const struct live *l)
{
	if (l->kind == L_OBJ)
		return l->addr + (l->size ? l->size : 1);
	return l->addr + (PAGE_SIZE << l->order);
}

static void add_live(struct fuzz *f, const struct live *n)
{
	unsigned long end = live_end(n);
	int i;

	if (n->addr < PAGE_OFFSET)
		FUZZ_BUG("address %#lx is not a direct-map address", n->addr);
	for (i = 0; i < f->nr_live; i++) {
		const struct live *l = &f->live[i];

		if (n->addr < live_end(l) && l->addr < end)
			FUZZ_BUG("new %#lx..%#lx overlaps live %#lx..%#lx",
				 n->addr, end, l->addr, live_end(l));
	}
	if (f->nr_live == MAX_LIVE)
		FUZZ_BUG("too many live things");
	f->live[f->nr_live++] = *n;
}

static void del_live(struct fuzz *f, int i)
{
	f->live[i] = f->live[--f->nr_live];
}

static int find_pages(struct fuzz *f, unsigned long pfn, unsigned int order)
{
	int i;

	for (i = 0; i < f->nr_live; i++)
		if (f->live[i].kind != L_OBJ && f->live[i].pfn == pfn &&
		    f->live[i].order == order)
			return i;
	return -1;
}

static int find_addr(struct fuzz *f, unsigned long addr)
{
	int i;

	for (i = 0; i < f->nr_live; i++)
		if (f->live[i].addr == addr)
			return i;
	return -1;
}

static unsigned int order_for(unsigned long size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* ------------------------------------------------------------------ */
/* Running lines                                                       */
/* ------------------------------------------------------------------ */

static size_t count_lines(const char *p, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	if (len && p[len - 1] != '\n')
		n++;
	return n;
}

/* What the last line printed, on out and on err. */
static void take_output(struct fuzz *f, const char **out, size_t *olen,
			const char **err, size_t *elen)
{
	fflush(f->out);
	fflush(f->err);
	*out = f->outbuf + f->out_seen;
	*olen = f->outlen - f->out_seen;
	*err = f->errbuf + f->err_seen;
	*elen = f->errlen - f->err_seen;
	f->out_seen = f->outlen;
	f->err_seen = f->errlen;
}

static void check_malformed(struct fuzz *f, const char *out, size_t olen,
			    const char *err, size_t elen)
{
	char want[96];

	if (olen != strlen("error EINVAL\n") || memcmp(out, "error EINVAL\n", olen))
		FUZZ_BUG("malformed line must print exactly \"error EINVAL\", printed %zu bytes", olen);
	snprintf(want, sizeof(want), "kmm: fuzz:%lu: ", f->lineno);
	if (elen < strlen(want) || memcmp(err, want, strlen(want)))
		FUZZ_BUG("malformed line: err must start with \"%s\"", want);
}

static bool is_line(const char *out, size_t olen, const char *text)
{
	size_t n = strlen(text);

	return olen == n + 1 && !memcmp(out, text, n) && out[n] == '\n';
}

static bool is_report(const char *out, size_t olen)
{
	return olen > 1 && !is_line(out, olen, "ok") && out[olen - 1] == '\n';
}

/* "obj 0x...": the address; "obj ZERO_SIZE_PTR": 16; "error ENOMEM": 0. */
static unsigned long parse_obj(struct fuzz *f, const char *out, size_t olen, const char *cmd)
{
	unsigned long a;
	char *end;

	if (is_line(out, olen, "error ENOMEM"))
		return 0;
	if (is_line(out, olen, "obj ZERO_SIZE_PTR"))
		return 16;
	if (olen < 5 || memcmp(out, "obj ", 4))
		FUZZ_BUG("%s printed neither \"obj ADDR\" nor \"error ENOMEM\"", cmd);
	a = strtoul(out + 4, &end, 0);
	if (*end != '\n' || a < PAGE_OFFSET)
		FUZZ_BUG("%s: bad address", cmd);
	return a;
}

static void model_lost(struct fuzz *f)
{
	f->untracked = true;
}

/* Checks what one well-formed command printed, and tracks what it did. */
static void check_command(struct fuzz *f, const struct expect *e,
			  const char *out, size_t olen)
{
	size_t lines = count_lines(out, olen);
	struct live n = { 0 };
	unsigned long a;
	int i;

	if (e->kind != K_FILE && e->kind != K_HELP && lines != 1)
		FUZZ_BUG("command printed %zu lines, not one", lines);
	if (olen && out[olen - 1] != '\n')
		FUZZ_BUG("output does not end in a newline");
	switch (e->kind) {
	case K_FILE:
	case K_HELP:
		/* help: a usage per command; help CMD: usage, description */
		if (e->kind == K_HELP && (e->name[0] ? lines != 2 :
					  lines < sizeof(model_cmds) / sizeof(model_cmds[0])))
			FUZZ_BUG("help printed %zu lines", lines);
		break;
	case K_ALLOC: {
		char *p;

		if (is_line(out, olen, "error ENOMEM"))
			break;
		if (olen < 5 || memcmp(out, "pfn ", 4))
			FUZZ_BUG("alloc_pages printed neither \"pfn N\" nor \"error ENOMEM\"");
		n.pfn = strtoul(out + 4, &p, 0);
		if (*p != '\n')
			FUZZ_BUG("alloc_pages: bad pfn");
		if (e->order > MAX_PAGE_ORDER)
			FUZZ_BUG("alloc_pages: order %u above MAX_PAGE_ORDER succeeded", e->order);
		if (n.pfn & ((1ul << e->order) - 1))
			FUZZ_BUG("alloc_pages: pfn %#lx not aligned to order %u", n.pfn, e->order);
		n.kind = L_PAGES;
		n.order = e->order;
		n.addr = PAGE_OFFSET + (n.pfn << PAGE_SHIFT);
		n.comp = e->gfp & __GFP_COMP;
		add_live(f, &n);
		break;
	}
	case K_FREE:
		i = find_pages(f, e->num, e->order);
		if (i >= 0) {
			if (!is_line(out, olen, "ok"))
				FUZZ_BUG("free_pages of live block %#lx order %u refused", e->num, e->order);
			del_live(f, i);
		} else if (!is_report(out, olen) && !f->untracked) {
			FUZZ_BUG("free_pages %#lx order %u: not a live block, yet not reported",
				 e->num, e->order);
		}
		break;
	case K_CCREATE:
		if (is_line(out, olen, "error EINVAL"))
			break;	/* refused by kmem_cache_create: a result */
		if (e->must_refuse)
			FUZZ_BUG("kmem_cache_create %s accepted a bad name, size or align", e->name);
		if (!is_line(out, olen, "ok"))
			FUZZ_BUG("kmem_cache_create printed neither ok nor error EINVAL");
		if (!cache_exists(e->name))
			FUZZ_BUG("kmem_cache_create %s: ok, but no cache of that name", e->name);
		if (f->nr_caches == MAX_CACHES)
			FUZZ_BUG("too many caches");
		snprintf(f->caches[f->nr_caches].name, sizeof(f->caches[0].name), "%s", e->name);
		f->caches[f->nr_caches++].size = e->num;
		break;
	case K_CALLOC:
		a = parse_obj(f, out, olen, "kmem_cache_alloc");
		if (a == 16)
			FUZZ_BUG("kmem_cache_alloc returned ZERO_SIZE_PTR");
		if (!a)
			break;
		n.kind = L_OBJ;
		n.addr = a;
		n.size = find_created(f, e->name) ? find_created(f, e->name)->size : 1;
		snprintf(n.cache, sizeof(n.cache), "%s", e->name);
		add_live(f, &n);
		break;
	case K_KMALLOC:
		a = parse_obj(f, out, olen, "kmalloc");
		if (!e->num && a != 16)
			FUZZ_BUG("kmalloc 0 did not return ZERO_SIZE_PTR");
		if (e->num && a == 16)
			FUZZ_BUG("kmalloc %lu returned ZERO_SIZE_PTR", e->num);
		if (e->num > KMALLOC_MAX_SIZE && a)
			FUZZ_BUG("kmalloc %lu above KMALLOC_MAX_SIZE succeeded", e->num);
		if (a <= 16)
			break;
		n.addr = a;
		n.size = e->num;
		if (e->num > KMALLOC_MAX_CACHE_SIZE) {
			n.kind = L_LARGE;
			n.order = order_for(e->num);
			n.pfn = (a - PAGE_OFFSET) >> PAGE_SHIFT;
			n.comp = true;
			if (a & (PAGE_SIZE - 1))
				FUZZ_BUG("large kmalloc %#lx is not page aligned", a);
		} else {
			n.kind = L_OBJ;
		}
		add_live(f, &n);
		break;
	case K_KFREE:
		i = e->num > 16 ? find_addr(f, e->num) : -1;
		if (e->num <= 16) {
			if (!is_line(out, olen, "ok"))
				FUZZ_BUG("kfree of NULL or ZERO_SIZE_PTR reported");
		} else if (i >= 0 && f->live[i].kind == L_PAGES && f->live[i].comp) {
			/* A compound block from alloc_pages looks like a
			 * large kmalloc; Linux 6.18 refuses it. */
			if (is_line(out, olen, "ok"))
				del_live(f, i);
		} else if (i >= 0 && f->live[i].kind != L_PAGES) {
			if (!is_line(out, olen, "ok"))
				FUZZ_BUG("kfree of live %#lx refused", e->num);
			del_live(f, i);
		} else if (!is_report(out, olen) && !f->untracked) {
			FUZZ_BUG("kfree %#lx: not kmalloc'd, yet not reported", e->num);
		}
		break;
	case K_CFREE:
		i = find_addr(f, e->num);
		if (i >= 0 && f->live[i].kind == L_OBJ && !strcmp(f->live[i].cache, e->name)) {
			if (!is_line(out, olen, "ok"))
				FUZZ_BUG("kmem_cache_free %s of live %#lx refused", e->name, e->num);
			del_live(f, i);
		} else if (i >= 0 && f->live[i].kind == L_OBJ && !f->live[i].cache[0] &&
			   !find_created(f, e->name)) {
			/* kmalloc'd, freed to a built-in cache: right iff
			 * it is the kmalloc cache that served it. */
			if (is_line(out, olen, "ok"))
				del_live(f, i);
		} else if (!e->num) {
			/* NULL: a no-op, as for kfree. */
			if (!is_line(out, olen, "ok"))
				FUZZ_BUG("kmem_cache_free %s 0 is not a no-op", e->name);
		} else if (!is_report(out, olen) && !f->untracked) {
			FUZZ_BUG("kmem_cache_free %s %#lx: not an object of it, yet not reported",
				 e->name, e->num);
		}
		break;
	case K_CSHRINK:
	case K_DRAIN:
		if (!is_line(out, olen, "ok"))
			FUZZ_BUG("command did not print ok");
		break;
	case K_CDESTROY: {
		struct cache *c = find_created(f, e->name);
		bool has_objects = false;

		for (i = 0; i < f->nr_live; i++)
			if (f->live[i].kind == L_OBJ && !strcmp(f->live[i].cache, e->name))
				has_objects = true;
		if (!c) {
			if (is_line(out, olen, "ok"))
				FUZZ_BUG("kmem_cache_destroy of built-in cache %s done", e->name);
		} else if (has_objects || f->untracked) {
			if (is_line(out, olen, "ok") && !f->untracked)
				FUZZ_BUG("kmem_cache_destroy %s done with objects live", e->name);
			if (is_line(out, olen, "ok"))
				*c = f->caches[--f->nr_caches];
		} else {
			if (!is_line(out, olen, "ok"))
				FUZZ_BUG("kmem_cache_destroy of empty cache %s refused", e->name);
			*c = f->caches[--f->nr_caches];
		}
		break;
	}
	case K_HOTPLUG:
		if (!is_line(out, olen, "ok") && !is_line(out, olen, "error EINVAL") &&
		    !is_line(out, olen, "error ENOSPC") && !is_line(out, olen, "error ENOMEM"))
			FUZZ_BUG("hotplug_add printed something unexpected");
		if (e->result && !is_line(out, olen, e->result))
			FUZZ_BUG("hotplug_add %#lx must print %s", e->num, e->result);
		if (!e->result && !is_line(out, olen, "ok") && !is_line(out, olen, "error ENOMEM"))
			FUZZ_BUG("hotplug_add %#lx fits, yet was refused", e->num);
		if (is_line(out, olen, "ok"))
			f->hotplugged += e->num;
		break;
	case K_CHECK:
		if (!is_line(out, olen, "ok"))
			FUZZ_BUG("check failed: the machine is corrupt");
		break;
	default:
		FUZZ_BUG("model: kind %d", e->kind);
	}
}

/* Checks what one line did against the model and updates the model. */
static void check_line(struct fuzz *f, const struct expect *e, int bad,
		       const char *out, size_t olen, const char *err, size_t elen)
{
	if (bad < 0 || bad > 1)
		FUZZ_BUG("one line, sim_run_stream says %d malformed", bad);
	if (e->boots)
		f->boot_failed = bad;
	if (memchr(out, 0, olen))
		FUZZ_BUG("NUL byte in the output");
	if (bad) {
		if (e->kind != K_MALFORMED && e->kind != K_BOOT)
			FUZZ_BUG("well-formed line (kind %d) reported malformed", e->kind);
		check_malformed(f, out, olen, err, elen);
		if (e->dispatched)
			f->commands_run++;	/* a boot that failed still counts */
		return;
	}
	switch (e->kind) {
	case K_MALFORMED:
		if (e->unknown_word) {
			/* A command the model does not know yet: from here on
			 * only the checks that need no model of it. */
			model_lost(f);
			f->commands_run++;
			return;
		}
		FUZZ_BUG("malformed line accepted (printed %zu bytes)", olen);
	case K_BLANK:
	case K_BOOT:
		if (olen)
			FUZZ_BUG("blank line or boot printed %zu bytes", olen);
		if (e->kind == K_BOOT) {
			f->booted = true;
			f->commands_run++;
		}
		return;
	default:
		check_command(f, e, out, olen);
		f->commands_run++;
	}
}

/* Does a line of buf start with prefix?  (Echoed script text never starts
 * a line of err: it follows "kmm: fuzz:N: ".) */
static bool has_line(const char *buf, size_t len, const char *prefix)
{
	size_t n = strlen(prefix), i = 0;

	while (buf && i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);

		if (len - i >= n && !memcmp(buf + i, prefix, n))
			return true;
		if (!nl)
			break;
		i = (size_t)(nl - buf) + 1;
	}
	return false;
}

static unsigned long mem_free_kb(void)
{
	static char buf[16384];
	const char *p;

	if (kmm_proc_read("/proc/meminfo", buf, sizeof(buf)) < 0)
		abort();
	p = strstr(buf, "MemFree:");
	if (!p)
		abort();
	return strtoul(p + strlen("MemFree:"), NULL, 10);
}

/* Calls fn on every cache /proc/slabinfo lists. */
static int for_each_cache(int (*fn)(struct kmem_cache *s))
{
	static char buf[1 << 16];
	char name[64];
	const char *p = buf;
	int err = 0, line = 0;

	if (kmm_proc_read("/proc/slabinfo", buf, sizeof(buf)) < 0)
		return 0;
	while (*p) {
		size_t n = strcspn(p, " \n");
		struct kmem_cache *s;

		if (line++ >= 2 && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = 0;
			s = kmem_cache_find(name);
			if (s)
				err |= fn(s);
		}
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return err;
}

static int shrink_one(struct kmem_cache *s)
{
	kmem_cache_shrink(s);
	return 0;
}

/* Free pages, once everything that can be given back is. */
static unsigned long settled_free_kb(void)
{
	for_each_cache(shrink_one);
	drain_all_pages(NULL);
	return mem_free_kb();
}

/* A line the harness runs (prefix boot, tear-down); out must be want. */
static void run_hidden(struct fuzz *f, const char *line, const char *want)
{
	const char *out, *err;
	size_t olen, elen;

	f->lineno++;
	if (sim_run_line(f->s, line))
		FUZZ_BUG("harness line '%s' malformed", line);
	take_output(f, &out, &olen, &err, &elen);
	if (want && !is_line(out, olen, want))
		FUZZ_BUG("harness line '%s' did not print '%s'", line, want);
	if (!want && olen)
		FUZZ_BUG("harness line '%s' printed something", line);
}

/* Before a line that needs a machine: make sure there is one, note MemFree. */
static void need_machine(struct fuzz *f)
{
	if (!kmm_current()) {
		run_hidden(f, "drain", "ok");	/* boots the default machine */
		f->commands_run++;
	}
	f->booted = true;
	if (!f->have_baseline) {
		f->baseline_free_kb = settled_free_kb();
		f->have_baseline = true;
	}
}

/* The pfn of a free_pages line, if it names a slab page. */
static bool frees_slab_page(const char *text)
{
	char buf[SIM_MAX_LINE + 8], *w[SIM_MAX_ARGS];
	struct kmm *k = kmm_current();
	unsigned long pfn;

	if (!k || strlen(text) >= sizeof(buf))
		return false;
	strcpy(buf, text);
	if (model_words(buf, w) != 3 || parse_ulong(w[1], &pfn, false))
		return false;
	return pfn < k->mem->max_pfn && pfn_valid(pfn) && PageSlab(compound_head(pfn_to_page(pfn)));
}

static void run_physical_line(struct fuzz *f, const char *p, size_t len)
{
	char text[SIM_MAX_LINE + 8];
	const char *nul = memchr(p, 0, len);
	size_t llen = len && p[len - 1] == '\n' ? len - 1 : len;
	const char *out, *err;
	size_t olen, elen;
	struct expect *e = calloc(1, sizeof(*e));
	FILE *in;
	int bad;

	if (!e)
		abort();
	if (nul) {
		/* A line with a NUL byte is malformed, whatever it says. */
		e->kind = e->cmd = K_MALFORMED;
		text[0] = 0;
	} else if (llen >= SIM_MAX_LINE) {
		e->kind = e->cmd = K_MALFORMED;
		text[0] = 0;
	} else {
		memcpy(text, p, llen);
		text[llen] = 0;
		*e = model_line(f, text);
	}
	if (e->kind == K_SKIP)
		goto out;
	if (e->dispatched && e->cmd != K_BOOT && e->cmd != K_HELP && f->boot_failed) {
		/* Refused before the command runs: "no machine". */
		e->kind = K_MALFORMED;
		e->dispatched = false;
	} else if (e->dispatched && e->cmd != K_BOOT && e->cmd != K_HELP) {
		need_machine(f);
		/* The model asked about caches before the machine was up. */
		if ((e->cmd >= K_CCREATE && e->cmd <= K_CDESTROY) || e->cmd == K_HOTPLUG)
			*e = model_line(f, text);
		if (e->kind == K_SKIP)
			goto out;
	}
	if (KMM_FUZZ_KNOWN_BUGS && e->kind == K_FREE && frees_slab_page(text))
		goto out;	/* KNOWN BUG: free_pages of a slab page */

	in = fmemopen((void *)p, len, "r");
	if (!in)
		abort();
	f->lineno++;
	bad = sim_run_stream(f->s, in, 0);
	fclose(in);
	take_output(f, &out, &olen, &err, &elen);
	if (KMM_FUZZ_KNOWN_BUGS && bad == 1 && llen == SIM_MAX_LINE - 1 && llen < len && !nul) {
		/* KNOWN BUG: a 4095-character line is refused when it ends in
		 * '\n' (the newline is counted against MAX_LINE). */
		check_malformed(f, out, olen, err, elen);
		goto out;
	}
	check_line(f, e, bad, out, olen, err, elen);
out:
	free(e);
}

/* ------------------------------------------------------------------ */
/* Giving everything back                                              */
/* ------------------------------------------------------------------ */

static void *host_addr(unsigned long kaddr)
{
	return (char *)kmm_current()->hw->ram.direct_map + (kaddr - PAGE_OFFSET);
}

static void give_back(struct fuzz *f)
{
	char line[128];

	while (f->nr_live) {
		struct live *l = &f->live[f->nr_live - 1];
		unsigned long before = kmm_nr_reports();

		if (l->kind == L_PAGES) {
			snprintf(line, sizeof(line), "free_pages %#lx %u", l->pfn, l->order);
			run_hidden(f, line, "ok");
		} else if (l->cache[0]) {
			kmem_cache_free(kmem_cache_find(l->cache), host_addr(l->addr));
		} else {
			kfree(host_addr(l->addr));
		}
		if (kmm_nr_reports() != before)
			FUZZ_BUG("giving back %#lx (%s) was reported", l->addr,
				 l->cache[0] ? l->cache : "kmalloc");
		f->nr_live--;
	}
	while (f->nr_caches) {
		struct cache *c = &f->caches[--f->nr_caches];
		unsigned long before = kmm_nr_reports();

		kmem_cache_destroy(kmem_cache_find(c->name));
		if (kmm_nr_reports() != before || kmem_cache_find(c->name))
			FUZZ_BUG("kmem_cache_destroy %s (empty) failed", c->name);
	}
}

static int check_slab_one(struct kmem_cache *s)
{
	return check_slab_invariants(s);
}

/* ------------------------------------------------------------------ */
/* The target                                                          */
/* ------------------------------------------------------------------ */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The default machine (after a failed boot line) stays small. */
	setenv("KMM_MEM", "32M", 1);
	setenv("KMM_CPUS", "1", 1);
	unsetenv("KMM_MAX_MEM");
	unsetenv("KMM_FS");		/* never a host directory of ours */
	unsetenv("KMM_BAD_PAGE_PANIC");
	unsetenv("KMM_QUIET");
	return 0;
}

/* The first line with words: is it a boot line? */
static bool starts_with_boot(const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i < size) {
		size_t j = i, k;

		while (j < size && data[j] != '\n' && data[j] != 0 && blank((char)data[j]))
			j++;
		if (j < size && data[j] != '\n' && data[j] != '#' && data[j] != 0) {
			if (data[j] == '"')
				j++;
			for (k = 0; k < 4 && j + k < size; k++)
				if (data[j + k] != (uint8_t)"boot"[k])
					return false;
			return k == 4;
		}
		while (i < size && data[i] != '\n')
			i++;
		i++;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz *f = calloc(1, sizeof(*f));
	size_t pos = 0;
	int nlines = 0;

	if (!f)
		abort();
	if (size > FUZZ_MAX_INPUT) {
		free(f);
		return -1;	/* keep each run cheap: not added to the corpus */
	}
	f->out = open_memstream(&f->outbuf, &f->outlen);
	f->err = open_memstream(&f->errbuf, &f->errlen);
	if (!f->out || !f->err)
		abort();
	f->s = sim_create(f->out, f->err);
	if (!f->s)
		abort();
	sim_set_source(f->s, "fuzz");

	if (!starts_with_boot(data, size)) {
		run_hidden(f, "boot mem=32M cpus=1", NULL);
		f->commands_run++;
		f->booted = true;
	}
	while (pos < size && nlines++ < MAX_LINES) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) + 1 : size - pos;

		run_physical_line(f, (const char *)data + pos, len);
		pos += len;
		if (sim_panicked(f->s))
			break;	/* exit 1 ended init: the machine runs nothing more */
	}

	fflush(f->err);
	if (has_line(f->errbuf, f->errlen, "BUG: Bad page state"))
		FUZZ_BUG("a script caused a bad page report");
	if (has_line(f->errbuf, f->errlen, "check_buddy_invariants:") ||
	    has_line(f->errbuf, f->errlen, "check_slab_invariants:"))
		FUZZ_BUG("a script made an invariant check fail");

	/* Give everything back: the machine must be as it was after boot.
	 * A panicked machine takes no more lines: its checkers only. */
	if (kmm_current() && sim_panicked(f->s)) {
		if (check_buddy_invariants())
			FUZZ_BUG("check_buddy_invariants() failed after a panic");
		if (for_each_cache(check_slab_one))
			FUZZ_BUG("check_slab_invariants() failed after a panic");
	} else if (kmm_current()) {
		need_machine(f);
		if (!f->untracked)
			give_back(f);
		run_hidden(f, "drain", "ok");
		run_hidden(f, "check", "ok");
		if (!f->untracked && !f->hotplugged) {
			unsigned long now = settled_free_kb();

			if (now != f->baseline_free_kb)
				FUZZ_BUG("MemFree %lu kB after giving everything back, %lu kB after boot",
					 now, f->baseline_free_kb);
		}
		if (check_buddy_invariants())
			FUZZ_BUG("check_buddy_invariants() failed after the script");
		if (for_each_cache(check_slab_one))
			FUZZ_BUG("check_slab_invariants() failed after the script");
	}

	sim_destroy(f->s);
	if (kmm_current())
		FUZZ_BUG("sim_destroy left a machine booted");
	fclose(f->out);
	fclose(f->err);
	free(f->outbuf);
	free(f->errbuf);
	free(f);
	return 0;
}
