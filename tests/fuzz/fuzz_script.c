/*
 * tests/fuzz/fuzz_script.c - libFuzzer target: the input is a script for
 * sim/script.c.  Bad input may be rejected, but it must never crash the
 * interpreter, break its output discipline or corrupt the machine.
 *
 * Each physical line of the input (split at '\n', at most MAX_LINES of
 * them, MAX_INPUT bytes in all) is handed to sim_run_stream() on its own
 * fmemopen() stream, so the stream reader (long lines, NUL bytes, CRLF) is
 * exercised as `kmm run` uses it, and what each line printed can be told
 * apart.  Unless the first line with words is a boot line, the script runs
 * on a booted "mem=32M cpus=1" machine (the environment also makes that the
 * default machine, so a failed boot stays cheap).  Boot lines that would
 * really boot more than MAX_BOOT_MEM are skipped: they are valid, merely
 * slow (see the README).
 *
 * The oracles, each an abort() so libFuzzer keeps the input:
 *   - a model of the language (written from sim/script.h, DESIGN.md and
 *     the help text, not from the tokenizer's code) says what each line
 *     must print: nothing (blank, comment, boot), exactly one line
 *     ("error EINVAL" for a malformed line, with "kmm: fuzz:N: ..." on err
 *     naming the right line), or a file (cat);
 *   - sim_run_stream() returns 1 for a malformed line and 0 otherwise;
 *   - every block alloc_pages hands out is tracked: a new block must not
 *     overlap a live one, free_pages of a live block (right order) must
 *     print "ok" and any other free must be reported, not done;
 *   - no "Bad page state" report and no failed `check`;
 *   - at the end every live block is freed, the pcp lists drained, MemFree
 *     must be what it was right after boot, and check_buddy_invariants()
 *     must return 0.
 *
 * Known bugs in the code under test are kept out of the way with
 * KMM_FUZZ_KNOWN_BUGS (default 1); build with -DKMM_FUZZ_KNOWN_BUGS=0 to
 * check whether they are fixed.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/kmm.h>
#include "base/option.h"
#include "base/parse.h"
#include "sim/script.h"

#ifndef KMM_FUZZ_KNOWN_BUGS
#define KMM_FUZZ_KNOWN_BUGS 1
#endif

#define MAX_INPUT	(16u << 10)
#define MAX_LINES	64
#define MAX_BOOT_MEM	(256ul << 20)
#define MAX_LIVE	(MAX_LINES + 8)
#define SIM_MAX_LINE	4096		/* MAX_LINE of sim/script.c */
#define SIM_MAX_ARGS	16		/* MAX_ARGS of sim/script.c */
#define SIM_MAX_ORDER	10		/* MAX_PAGE_ORDER */

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

struct block {
	unsigned long pfn;
	unsigned int order;
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
	bool have_baseline;
	unsigned long baseline_free_kb;
	struct block live[MAX_LIVE];
	int nr_live;
};

/* ------------------------------------------------------------------ */
/* The model of the language                                           */
/* ------------------------------------------------------------------ */

enum kind {
	K_BLANK,	/* nothing to run: prints nothing */
	K_MALFORMED,	/* "error EINVAL" */
	K_BOOT,		/* prints nothing, or malformed if the machine won't boot */
	K_CAT,
	K_ALLOC,
	K_FREE,
	K_DRAIN,
	K_CHECK,
	K_HELP,
	K_SKIP,		/* not to be run (too expensive) */
};

struct expect {
	enum kind kind;
	enum kind cmd;		/* the command, even if the line is malformed */
	bool dispatched;	/* reaches the command's function (sim counts it) */
	unsigned long pfn;
	unsigned int order;
};

static const struct {
	const char *name;
	int min, max;
	enum kind kind;
} model_cmds[] = {
	{ "boot", 0, SIM_MAX_ARGS - 1, K_BOOT },
	{ "cat", 1, 1, K_CAT },
	{ "alloc_pages", 1, 2, K_ALLOC },
	{ "free_pages", 2, 2, K_FREE },
	{ "drain", 0, 0, K_DRAIN },
	{ "check", 0, 0, K_CHECK },
	{ "help", 0, 0, K_HELP },
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

/* What the sim must do with text (one line, no NUL inside). */
static struct expect model_line(struct fuzz *f, const char *text)
{
	char buf[SIM_MAX_LINE + 8], *w[SIM_MAX_ARGS];
	struct expect e = { K_MALFORMED, K_MALFORMED, false, 0, 0 };
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
	if (i == sizeof(model_cmds) / sizeof(model_cmds[0]))
		return e;
	if (n - 1 < model_cmds[i].min || n - 1 > model_cmds[i].max)
		return e;
	e.cmd = model_cmds[i].kind;
	e.dispatched = true;
	switch (model_cmds[i].kind) {
	case K_BOOT: {
		struct kmm_config cfg = { 0 }, res;
		char err[160];
		int j;

		if (f->commands_run > 0 || f->booted)
			return e;
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
		 * pages and seconds to boot: not for a fuzzer. */
		e.kind = res.mem > MAX_BOOT_MEM ? K_SKIP : K_BOOT;
		return e;
	}
	case K_ALLOC: {
		gfp_t gfp;

		if (!model_order(w[1], &e.order))
			return e;
		if (n > 2 && gfp_parse(w[2], &gfp, NULL, 0))
			return e;
		break;
	}
	case K_FREE:
		if (parse_ulong(w[1], &e.pfn, false) || !model_order(w[2], &e.order))
			return e;
		break;
	default:
		break;
	}
	e.kind = model_cmds[i].kind;
	return e;
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

/* What the last line printed: points into outbuf, NUL-terminated copy. */
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

static int find_live(struct fuzz *f, unsigned long pfn, unsigned int order)
{
	int i;

	for (i = 0; i < f->nr_live; i++)
		if (f->live[i].pfn == pfn && f->live[i].order == order)
			return i;
	return -1;
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

/* Checks what one line did against the model and updates the model. */
static void check_line(struct fuzz *f, const struct expect *e, int bad,
		       const char *out, size_t olen, const char *err, size_t elen)
{
	size_t lines = count_lines(out, olen);

	if (bad < 0 || bad > 1)
		FUZZ_BUG("one line, sim_run_stream says %d malformed", bad);
	if (memmem(out, olen, "\0", 1))
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
		FUZZ_BUG("malformed line accepted (printed %zu lines)", lines);
	case K_BLANK:
	case K_BOOT:
		if (olen)
			FUZZ_BUG("blank line or boot printed %zu bytes", olen);
		if (e->kind == K_BOOT) {
			f->booted = true;
			f->commands_run++;
		}
		return;
	case K_CAT:
		if (lines < 1 || out[olen - 1] != '\n')
			FUZZ_BUG("cat printed no whole line");
		break;
	case K_ALLOC: {
		unsigned long pfn, end;
		char *p;
		int i;

		if (lines != 1)
			FUZZ_BUG("alloc_pages printed %zu lines", lines);
		if (is_line(out, olen, "error ENOMEM"))
			break;
		if (olen < 5 || memcmp(out, "pfn ", 4))
			FUZZ_BUG("alloc_pages printed neither \"pfn N\" nor \"error ENOMEM\"");
		pfn = strtoul(out + 4, &p, 0);
		if (*p != '\n')
			FUZZ_BUG("alloc_pages: bad pfn");
		if (e->order > SIM_MAX_ORDER)
			FUZZ_BUG("alloc_pages: order %u above MAX_PAGE_ORDER succeeded", e->order);
		if (pfn & ((1ul << e->order) - 1))
			FUZZ_BUG("alloc_pages: pfn %#lx not aligned to order %u", pfn, e->order);
		end = pfn + (1ul << e->order);
		for (i = 0; i < f->nr_live; i++) {
			unsigned long s = f->live[i].pfn, t = s + (1ul << f->live[i].order);

			if (pfn < t && s < end)
				FUZZ_BUG("alloc_pages: %#lx order %u overlaps live block %#lx order %u",
					 pfn, e->order, s, f->live[i].order);
		}
		if (f->nr_live == MAX_LIVE)
			FUZZ_BUG("too many live blocks");
		f->live[f->nr_live].pfn = pfn;
		f->live[f->nr_live++].order = e->order;
		break;
	}
	case K_FREE: {
		int i = find_live(f, e->pfn, e->order);

		if (lines != 1)
			FUZZ_BUG("free_pages printed %zu lines", lines);
		if (i >= 0) {
			if (!is_line(out, olen, "ok"))
				FUZZ_BUG("free_pages of live block %#lx order %u refused", e->pfn, e->order);
			f->live[i] = f->live[--f->nr_live];
		} else if (olen < 5 || memcmp(out, "BUG: ", 5)) {
			FUZZ_BUG("free_pages %#lx order %u: not a live block, yet not reported",
				 e->pfn, e->order);
		}
		break;
	}
	case K_DRAIN:
		if (!is_line(out, olen, "ok"))
			FUZZ_BUG("drain did not print ok");
		break;
	case K_CHECK:
		if (!is_line(out, olen, "ok"))
			FUZZ_BUG("check failed: the machine is corrupt");
		break;
	case K_HELP:
		if (lines != 1)
			FUZZ_BUG("help printed %zu lines", lines);
		break;
	case K_SKIP:
		break;
	}
	f->commands_run++;
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
		f->baseline_free_kb = mem_free_kb();
		f->have_baseline = true;
	}
}

static void run_physical_line(struct fuzz *f, const char *p, size_t len)
{
	char text[SIM_MAX_LINE + 8];
	const char *nul = memchr(p, 0, len);
	size_t llen = len && p[len - 1] == '\n' ? len - 1 : len;
	const char *out, *err;
	size_t olen, elen;
	struct expect e;
	FILE *in;
	int bad;

	if (nul) {
		/* The sim may take the text before the NUL, or refuse the
		 * line; nothing else. */
		if (KMM_FUZZ_KNOWN_BUGS && len > SIM_MAX_LINE + 1 &&
		    (size_t)(nul - p) < SIM_MAX_LINE + 1)
			return;	/* KNOWN BUG: such a line runs as two lines */
		e = model_line(f, p);
	} else if (llen >= SIM_MAX_LINE) {
		e = (struct expect){ K_MALFORMED, K_MALFORMED, false, 0, 0 };
	} else {
		memcpy(text, p, llen);
		text[llen] = 0;
		e = model_line(f, text);
	}
	if (e.kind == K_SKIP)
		return;
	if (e.dispatched && e.cmd != K_BOOT && e.cmd != K_HELP)
		need_machine(f);

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
		return;
	}
	if (nul && bad == 1 && e.kind != K_MALFORMED) {
		/* Refusing a line with a NUL byte is fine. */
		check_malformed(f, out, olen, err, elen);
		return;
	}
	check_line(f, &e, bad, out, olen, err, elen);
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
	struct fuzz f0 = { 0 }, *f = &f0;
	size_t pos = 0;
	int nlines = 0;
	char line[64];

	if (size > MAX_INPUT)
		return -1;	/* keep each run cheap: not added to the corpus */
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
	}

	fflush(f->err);
	if (f->errbuf && memmem(f->errbuf, f->errlen, "Bad page state", 14))
		FUZZ_BUG("a script caused a bad page report");
	if (f->errbuf && memmem(f->errbuf, f->errlen, "check_buddy_invariants:", 23))
		FUZZ_BUG("a script made check_buddy_invariants fail");

	/* Give everything back: the machine must be as it was after boot. */
	if (kmm_current()) {
		need_machine(f);
		while (f->nr_live) {
			struct block *b = &f->live[--f->nr_live];

			snprintf(line, sizeof(line), "free_pages %#lx %u", b->pfn, b->order);
			run_hidden(f, line, "ok");
		}
		run_hidden(f, "drain", "ok");
		run_hidden(f, "check", "ok");
		if (mem_free_kb() != f->baseline_free_kb)
			FUZZ_BUG("MemFree %lu kB after freeing everything, %lu kB after boot",
				 mem_free_kb(), f->baseline_free_kb);
		if (check_buddy_invariants())
			FUZZ_BUG("check_buddy_invariants() failed after the script");
	}

	sim_destroy(f->s);
	if (kmm_current())
		FUZZ_BUG("sim_destroy left a machine booted");
	fclose(f->out);
	fclose(f->err);
	free(f->outbuf);
	free(f->errbuf);
	return 0;
}
