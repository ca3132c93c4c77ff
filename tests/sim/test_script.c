/*
 * tests/sim/test_script.c - the script interpreter (sim/script.c) against
 * bad input: every seed and regression input of tests/fuzz/corpus/, and a
 * list of hand-written nasty lines.  Whatever the input, the interpreter
 * must survive, keep its output discipline (one line per command; nothing
 * for blank lines, comments, boot and quit; the file for cat; whole lines
 * for help; "error EINVAL" on out and "kmm: SOURCE:LINE: ..." on err for
 * a malformed line) and leave the machine's buddy invariants intact.
 *
 * Checks that fail because of a known bug are kept, disabled with #if 1
 * and marked "KNOWN BUG".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <kmm/kmm.h>
#include "mm/slab.h"
#include "sim/script.h"
#include "tests/harness.h"

#define SIM_MAX_LINE 4096	/* MAX_LINE of sim/script.c */

/* A sim writing to memory streams. */
struct cap {
	struct sim *s;
	FILE *out, *err;
	char *obuf, *ebuf;
	size_t olen, elen;
	size_t oseen, eseen;
	char o[1 << 16];	/* what the last call printed on out */
	char e[1 << 16];	/* ... and on err */
	size_t ol, el;
};

static struct cap *cap_new(const char *source)
{
	struct cap *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->out = open_memstream(&c->obuf, &c->olen);
	c->err = open_memstream(&c->ebuf, &c->elen);
	if (!c->out || !c->err)
		abort();
	c->s = sim_create(c->out, c->err);
	if (!c->s)
		abort();
	if (source)
		sim_set_source(c->s, source);
	return c;
}

static void cap_free(struct cap *c)
{
	sim_destroy(c->s);
	fclose(c->out);
	fclose(c->err);
	free(c->obuf);
	free(c->ebuf);
	free(c);
}

/* Copies what was printed since the last call into c->o / c->e. */
static void cap_take(struct cap *c)
{
	fflush(c->out);
	fflush(c->err);
	c->ol = c->olen - c->oseen;
	c->el = c->elen - c->eseen;
	if (c->ol >= sizeof(c->o))
		c->ol = sizeof(c->o) - 1;
	if (c->el >= sizeof(c->e))
		c->el = sizeof(c->e) - 1;
	memcpy(c->o, c->obuf + c->oseen, c->ol);
	memcpy(c->e, c->ebuf + c->eseen, c->el);
	c->o[c->ol] = 0;
	c->e[c->el] = 0;
	c->oseen = c->olen;
	c->eseen = c->elen;
}

static int run(struct cap *c, const char *line)
{
	int r = sim_run_line(c->s, line);

	cap_take(c);
	return r;
}

/* Runs bytes as a stream, the way `kmm run` reads a file. */
static int run_stream(struct cap *c, const char *data, size_t len)
{
	FILE *in = fmemopen((void *)data, len, "r");
	int bad;

	if (!in)
		abort();
	bad = sim_run_stream(c->s, in, 0);
	fclose(in);
	cap_take(c);
	return bad;
}

static size_t count_lines(const char *p, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	if (len && p[len - 1] != '\n')
		n++;
	return n;
}

/* How many lines of buf are exactly text. */
static size_t count_exact_lines(const char *buf, size_t len, const char *text)
{
	size_t n = 0, tl = strlen(text), i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (buf + i)) : len - i;

		n += ll == tl && !memcmp(buf + i, text, tl);
		i += ll + 1;
	}
	return n;
}

/* Does a line of buf start with prefix? */
static int has_line(const char *buf, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix), i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);

		if (len - i >= pl && !memcmp(buf + i, prefix, pl))
			return 1;
		if (!nl)
			break;
		i = (size_t)(nl - buf) + 1;
	}
	return 0;
}

static int machine_ok(void)
{
	return !kmm_current() || check_buddy_invariants() == 0;
}

/* "kmm: SOURCE:LINE: " */
static int err_names_line(const struct cap *c, const char *source, unsigned long line)
{
	char want[512];

	snprintf(want, sizeof(want), "kmm: %.400s:%lu: ", source, line);
	return !strncmp(c->e, want, strlen(want));
}

static char *repeat(char ch, size_t n, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *p = malloc(pl + n + sl + 1);

	if (!p)
		abort();
	memcpy(p, prefix, pl);
	memset(p + pl, ch, n);
	memcpy(p + pl + n, suffix, sl + 1);
	return p;
}

#define ASSERT_MALFORMED(c, src, n)                                           \
	do {                                                                  \
		ASSERT_STR_EQ((c)->o, "error EINVAL\n");                      \
		ASSERT_TRUE(err_names_line((c), (src), (n)));                 \
	} while (0)

/* ------------------------------------------------------------------ */
/* Blank lines, comments, long lines, quotes, words                    */
/* ------------------------------------------------------------------ */

TEST(test_blank_and_comment_lines_print_nothing)
{
	static const char *const lines[] = {
		"", " ", "      ", "\t", " \t \r", "\r", "#", "# a comment",
		"   # indented comment", "#alloc_pages 0", "\t#\t",
	};
	struct cap *c = cap_new("blank.kmm");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		ASSERT_EQ(run(c, lines[i]), 0);
		ASSERT_EQ(c->ol, 0);
		ASSERT_EQ(c->el, 0);
	}
	ASSERT_NULL(kmm_current());	/* nothing needed a machine */
	cap_free(c);
}

TEST(test_long_line_is_malformed)
{
	struct cap *c = cap_new("long.kmm");
	char *line = repeat('a', 5000, "", "");
	char *ok = repeat('x', SIM_MAX_LINE - 2, "#", "");	/* 4095 characters */

	ASSERT_EQ(run(c, line), -1);
	ASSERT_MALFORMED(c, "long.kmm", 1);
	ASSERT_CONTAINS(c->e, "longer than");
	ASSERT_EQ(run(c, ok), 0);	/* the longest line allowed */
	ASSERT_EQ(c->ol, 0);
	free(ok);
	ok = repeat(' ', SIM_MAX_LINE - 1 - 5, "check", "");	/* 4095 characters */
	ASSERT_EQ(run(c, ok), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	free(ok);
	ok = repeat(' ', SIM_MAX_LINE - 5, "check", "");	/* 4096 characters */
	ASSERT_EQ(run(c, ok), -1);
	ASSERT_MALFORMED(c, "long.kmm", 4);
	ASSERT_TRUE(machine_ok());
	free(line);
	free(ok);
	cap_free(c);
}

TEST(test_long_line_in_a_stream)
{
	struct cap *c = cap_new("long.kmm");
	char *text = repeat('a', 10000, "boot mem=32M cpus=1\n", "\ncheck\n");
	int bad;

	bad = run_stream(c, text, strlen(text));
	ASSERT_EQ(bad, 1);
	ASSERT_STR_EQ(c->o, "error EINVAL\nok\n");
	ASSERT_TRUE(err_names_line(c, "long.kmm", 2));
	ASSERT_TRUE(machine_ok());
	free(text);
	cap_free(c);
}

TEST(test_longest_line_in_a_stream)
{
	/* 4095 characters and the newline: as long as a line may be. */
	struct cap *c = cap_new("long.kmm");
	char *text = repeat(' ', SIM_MAX_LINE - 1 - 5, "check", "\ncheck\n");
	int bad;

	ASSERT_EQ(strlen(text), (size_t)SIM_MAX_LINE - 1 + 1 + 6);
	bad = run_stream(c, text, strlen(text));
	/* Whatever happens, each line prints one line and the count agrees. */
	ASSERT_EQ(count_lines(c->o, c->ol), 2);
	ASSERT_EQ(count_exact_lines(c->o, c->ol, "error EINVAL"), (size_t)bad);
#if 1
	/* KNOWN BUG: sim_run_stream hands sim_run_line the line with its
	 * '\n', and sim_run_line counts the newline against MAX_LINE, so a
	 * 4095-character line (which sim_run_line alone accepts, and which
	 * the message "line longer than 4095 characters" allows) is refused
	 * when read from a file. */
	ASSERT_EQ(bad, 0);
	ASSERT_STR_EQ(c->o, "ok\nok\n");
#endif
	free(text);
	cap_free(c);
}

TEST(test_unterminated_quote)
{
	struct cap *c = cap_new("quote.kmm");

	ASSERT_EQ(run(c, "cat \"/proc/buddyinfo"), -1);
	ASSERT_MALFORMED(c, "quote.kmm", 1);
	ASSERT_CONTAINS(c->e, "unterminated");
	ASSERT_EQ(run(c, "\""), -1);
	ASSERT_MALFORMED(c, "quote.kmm", 2);
	ASSERT_EQ(run(c, "\"check\""), 0);	/* a quoted word is a word */
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "\"\""), -1);		/* the empty command */
	ASSERT_MALFORMED(c, "quote.kmm", 4);
	ASSERT_EQ(run(c, "check \"#\""), -1);	/* '#' in quotes is a word */
	ASSERT_MALFORMED(c, "quote.kmm", 5);
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_too_many_words)
{
	struct cap *c = cap_new("words.kmm");

	ASSERT_EQ(run(c, "alloc_pages 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18"), -1);
	ASSERT_MALFORMED(c, "words.kmm", 1);
	ASSERT_EQ(run(c, "a b c d e f g h i j k l m n o p q r s t"), -1);
	ASSERT_MALFORMED(c, "words.kmm", 2);
	/* 16 words: tokenises, then boot's usage or its options decide. */
	ASSERT_EQ(run(c, "boot a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1 l=1 m=1 n=1 o=1"), -1);
	ASSERT_MALFORMED(c, "words.kmm", 3);
	ASSERT_CONTAINS(c->e, "unknown option");
	ASSERT_EQ(run(c, "drain now"), -1);
	ASSERT_MALFORMED(c, "words.kmm", 4);
	ASSERT_CONTAINS(c->e, "usage");
	ASSERT_EQ(run(c, "alloc_pages"), -1);
	ASSERT_MALFORMED(c, "words.kmm", 5);
	ASSERT_EQ(run(c, "free_pages 1"), -1);
	ASSERT_MALFORMED(c, "words.kmm", 6);
	ASSERT_EQ(run(c, "bogus"), -1);
	ASSERT_MALFORMED(c, "words.kmm", 7);
	ASSERT_CONTAINS(c->e, "unknown command");
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

/* ------------------------------------------------------------------ */
/* Numbers                                                             */
/* ------------------------------------------------------------------ */

TEST(test_bad_numbers_are_malformed)
{
	static const char *const lines[] = {
		"alloc_pages 0xffffffffffffffffff",
		"alloc_pages 99999999999999999999",
		"alloc_pages 18446744073709551616",
		"alloc_pages -1",
		"alloc_pages +1",
		"alloc_pages 1K",
		"alloc_pages 0x",
		"alloc_pages x",
		"alloc_pages \"\"",
		"alloc_pages \" 1\"",
		"alloc_pages 256",
		"alloc_pages 4294967296",
		"alloc_pages 0 GFP_NOSUCH",
		"alloc_pages 0 GFP_KERNEL||__GFP_ZERO",
		"alloc_pages 0 |",
		"free_pages 0xffffffffffffffffff 0",
		"free_pages 99999999999999999999 0",
		"free_pages -1 0",
		"free_pages 1M 0",
		"free_pages 0x1000 -1",
		"free_pages 0x1000 1K",
		"free_pages 0x1000 0xffffffffffffffffff",
	};
	struct cap *c = cap_new("num.kmm");
	size_t i;

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		if (run(c, lines[i]) != -1)
			TEST_FAIL_("'%s' was accepted: %s", lines[i], c->o);
		ASSERT_MALFORMED(c, "num.kmm", i + 2);
	}
	ASSERT_EQ(run(c, "check"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

/* A leading zero is a digit, not octal (docs/scripting.md). */
TEST(test_leading_zeros_are_decimal)
{
	struct cap *c = cap_new("zeros.kmm");

	ASSERT_EQ(run(c, "boot mem=032M cpus=01"), 0);	/* 32 MiB, not 26 */
	ASSERT_EQ(kmm_current()->cfg.mem, 32ul << 20);
	ASSERT_EQ(run(c, "alloc_pages 09"), 0);		/* not malformed */
	ASSERT_TRUE(!strncmp(c->o, "pfn ", 4));
	ASSERT_EQ(run(c, "alloc_pages 011"), 0);	/* order 11, not 9 */
	ASSERT_STR_EQ(c->o, "error ENOMEM\n");
	ASSERT_EQ(run(c, "kmem_cache_create zeros 010"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(kmem_cache_find("zeros")->object_size, 10);
	ASSERT_EQ(run(c, "alloc_pages 0x"), -1);
	ASSERT_MALFORMED(c, "zeros.kmm", 5);
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

/* An empty name between '|'s is malformed, and err says at which column. */
TEST(test_empty_flag_names_are_malformed)
{
	static const struct {
		const char *line;
		const char *says;
	} lines[] = {
		{ "alloc_pages 0 GFP_KERNEL|", "alloc_pages: empty GFP flag name at column 25 in 'GFP_KERNEL|'" },
		{ "alloc_pages 0 GFP_KERNEL||__GFP_ZERO", "empty GFP flag name at column 25" },
		{ "alloc_pages 0 |GFP_KERNEL", "empty GFP flag name at column 15" },
		{ "kmalloc 8 \"\"", "kmalloc: empty GFP flag name at column 12: no flags at all" },
		{ "kmalloc 8 GFP_KERNEL|__GFP_ZORO", "kmalloc: unknown GFP flag '__GFP_ZORO' at column 22" },
		{ "kmem_cache_alloc kmalloc-8 __GFP_ZERO|", "kmem_cache_alloc: empty GFP flag name at column 38" },
		{ "kmem_cache_create f 8 0 SLAB_POISON|", "kmem_cache_create: empty SLAB flag name at column 36" },
		{ "kmem_cache_create f 8 0 |", "empty SLAB flag name at column 25" },
		{ "kmem_cache_create f 8 0 SLAB_POISON|SLAB_X", "unknown SLAB flag 'SLAB_X' at column 37" },
		{ "mmap 1 0 4K PROT_READ| MAP_PRIVATE|MAP_ANONYMOUS", "mmap: empty PROT flag name at column 22" },
		{ "mmap 1 0 4K PROT_READ MAP_PRIVATE||MAP_ANONYMOUS", "mmap: empty MAP flag name at column 34" },
		{ "madvise 1 0 4K |", "madvise: empty advice name at column 16" },
	};
	struct cap *c = cap_new("flags.kmm");
	size_t i;

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	ASSERT_EQ(run(c, "spawn"), 0);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		if (run(c, lines[i].line) != -1)
			TEST_FAIL_("'%s' was accepted: %s", lines[i].line, c->o);
		ASSERT_MALFORMED(c, "flags.kmm", i + 3);
		ASSERT_CONTAINS(c->e, lines[i].says);
	}
	ASSERT_EQ(kmem_cache_find("f"), NULL);
	ASSERT_EQ(run(c, "alloc_pages 0 GFP_KERNEL|__GFP_ZERO"), 0);	/* the right way */
	ASSERT_TRUE(!strncmp(c->o, "pfn ", 4));
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

/* kmem_cache_create refuses a name that would break slabinfo's columns. */
TEST(test_cache_names_with_blanks_are_refused)
{
	static const char *const lines[] = {
		"kmem_cache_create \"two words\" 64",
		"kmem_cache_create \"tab\there\" 64",
		"kmem_cache_create esc\x1b[31mred 64",
	};
	struct cap *c = cap_new("names.kmm");
	const char *p;
	size_t i;

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		ASSERT_EQ(run(c, lines[i]), 0);		/* a result, not malformed */
		ASSERT_STR_EQ(c->o, "error EINVAL\n");
		ASSERT_CONTAINS(c->e, "printable ASCII without blanks");
		ASSERT_EQ(strchr(c->e, '\x1b'), NULL);
	}
	ASSERT_EQ(run(c, "cat /proc/slabinfo"), 0);
	ASSERT_EQ(strstr(c->o, "two"), NULL);
	for (p = c->o; *p; p++)
		if (*p != '\n' && ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7f))
			TEST_FAIL_("slabinfo holds byte %#x", (unsigned char)*p);
	cap_free(c);
}

/* exit 1 ends init: a kernel panic, after which nothing runs. */
TEST(test_exit_of_init_panics)
{
	static const char script[] =
		"boot mem=32M cpus=1\n"
		"spawn\n"
		"fork 1\n"
		"exit 2 7\n"
		"exit 1\n"
		"check\n"
		"spawn\n";
	struct cap *c = cap_new("panic.kmm");

	ASSERT_EQ(run_stream(c, script, strlen(script)), 0);
	ASSERT_STR_EQ(c->o, "pid 1\npid 2\nok\n"
		      "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000\n");
	ASSERT_CONTAINS(c->e, "---[ end Kernel panic - not syncing: Attempted to kill init! "
			"exitcode=0x00000000 ]---\n");
	ASSERT_TRUE(sim_panicked(c->s));
	/* Lines given one by one are not run either: nothing on out. */
	ASSERT_EQ(run(c, "check"), -1);
	ASSERT_EQ(c->ol, 0);
	ASSERT_CONTAINS(c->e, "not run: the machine has panicked");
	ASSERT_EQ(run(c, "# a comment is still nothing"), 0);
	ASSERT_EQ(c->el, 0);
	ASSERT_TRUE(machine_ok());		/* the state is intact */
	cap_free(c);				/* and everything is torn down */
}

TEST(test_exit_status_and_fatal_signals_of_init)
{
	struct cap *c = cap_new("status.kmm");

	ASSERT_EQ(run(c, "boot mem=32M cpus=1 segv=kill"), 0);
	ASSERT_EQ(run(c, "spawn"), 0);
	ASSERT_EQ(run(c, "exit 1 256"), -1);		/* 0..255 */
	ASSERT_MALFORMED(c, "status.kmm", 3);
	ASSERT_EQ(run(c, "exit 1 x"), -1);
	ASSERT_MALFORMED(c, "status.kmm", 4);
	ASSERT_FALSE(sim_panicked(c->s));
	/* A fatal SIGSEGV in init: Linux panics with the signal's number. */
	ASSERT_EQ(run(c, "touch 1 0x1000 4K r"), 0);
	ASSERT_STR_EQ(c->o, "SIGSEGV at 0x1000 (SEGV_MAPERR)\npid 1 killed by SIGSEGV\n"
		      "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\n");
	ASSERT_TRUE(sim_panicked(c->s));
	cap_free(c);

	c = cap_new("status.kmm");
	ASSERT_EQ(run(c, "spawn"), 0);
	ASSERT_EQ(run(c, "exit 1 255"), 0);
	ASSERT_STR_EQ(c->o, "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000ff00\n");
	cap_free(c);
}

TEST(test_orders_above_max_fail_cleanly)
{
	struct cap *c = cap_new("order.kmm");

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	ASSERT_EQ(run(c, "alloc_pages 11"), 0);
	ASSERT_STR_EQ(c->o, "error ENOMEM\n");
	ASSERT_EQ(run(c, "alloc_pages 255 __GFP_NOFAIL"), 0);
	ASSERT_STR_EQ(c->o, "error ENOMEM\n");
	ASSERT_EQ(run(c, "free_pages 0x1000 255"), 0);
	ASSERT_EQ(count_lines(c->o, c->ol), 1);
	ASSERT_TRUE(!strncmp(c->o, "BUG: Bad page free", 18));
	ASSERT_EQ(run(c, "free_pages 0 11"), 0);
	ASSERT_TRUE(!strncmp(c->o, "BUG: Bad page free", 18));
	ASSERT_EQ(run(c, "check"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_free_pages_huge_pfn)
{
	static const char *const lines[] = {
		"free_pages 0xffffffffffffffff 0",
		"free_pages 18446744073709551615 10",
		"free_pages 0x8000000000000000 0",
		"free_pages 0xfffffffffffff 3",
		"free_pages 0x2000 0",		/* just past a 32M machine */
		"free_pages 0x1fff 0",		/* last page: not allocated */
		"free_pages 0 0",
	};
	struct cap *c = cap_new("pfn.kmm");
	size_t i;

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		ASSERT_EQ(run(c, lines[i]), 0);
		ASSERT_EQ(count_lines(c->o, c->ol), 1);
		if (strncmp(c->o, "BUG: Bad page free", 18))
			TEST_FAIL_("'%s' printed %s", lines[i], c->o);
	}
	ASSERT_EQ(run(c, "check"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

/* ------------------------------------------------------------------ */
/* boot                                                                */
/* ------------------------------------------------------------------ */

static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* Runs "boot ..." as the first line of a fresh sim; returns its result. */
static int boot_one(const char *line, char *out, size_t outlen, char *err, size_t errlen)
{
	struct cap *c = cap_new("boot.kmm");
	int r = run(c, line), ok = 1;

	copy_str(out, outlen, c->o);
	copy_str(err, errlen, c->e);
	if (r == 0 && !kmm_current())
		ok = 0;
	if (kmm_current() && check_buddy_invariants())
		ok = 0;
	cap_free(c);
	if (kmm_current())
		ok = 0;		/* sim_destroy shuts the machine down */
	return ok ? r : -2;
}

TEST(test_boot_bad_values)
{
	static const char *const lines[] = {
		"boot mem=1",
		"boot mem=0",
		"boot mem=31M",
		"boot mem=33M",		/* not a multiple of 2M */
		"boot mem=2T",
		"boot mem=99999999999999999999",
		"boot mem=0xffffffffffffffffff",
		"boot mem=16777216T",
		"boot mem=-1",
		"boot mem=",
		"boot mem",
		"boot =",
		"boot =32M",
		"boot cpus=0",
		"boot cpus=100000",
		"boot cpus=65",
		"boot cpus=4294967297",
		"boot cpus=1K",
		"boot mem=64M max_mem=32M",
		"boot seed=0x8000000000000000",
		"boot bad_page_panic=2",
		"boot nosuch=1",
		"boot mem=32M mem=33M",
		"boot mem=1T cpus=0",	/* mem=1T parses; cpus=0 does not */
	};
	char out[256], err[1024];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		int r = boot_one(lines[i], out, sizeof(out), err, sizeof(err));

		if (r != -1)
			TEST_FAIL_("'%s' returned %d", lines[i], r);
		ASSERT_STR_EQ(out, "error EINVAL\n");
		if (strncmp(err, "kmm: boot.kmm:1: boot: ", 23))
			TEST_FAIL_("'%s': err is %s", lines[i], err);
	}
}

TEST(test_boot_good_values)
{
	static const char *const lines[] = {
		"boot",
		"boot mem=32M cpus=1",
		"boot mem=0x2000000 cpus=1",
		"boot mem=32MiB cpus=1",
		"boot mem=32MB cpus=64",
		"boot mem=64M max_mem=64M cpus=2 seed=0 min_free_kbytes=1 watermark_scale_factor=3000",
		"boot \"mem=32M\" cpus=1 # a comment",
		"boot mem=32M cpus=1\r",
	};
	char out[256], err[1024];
	size_t i;

	setenv("KMM_MEM", "32M", 1);	/* a bare "boot" stays small */
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		int r = boot_one(lines[i], out, sizeof(out), err, sizeof(err));

		if (r != 0)
			TEST_FAIL_("'%s' returned %d: %s", lines[i], r, err);
		ASSERT_STR_EQ(out, "");
	}
}

TEST(test_boot_huge_machine)
{
	char out[256], err[1024];

	/* RAM is capped at 64G (every struct page is initialised at boot):
	 * a bigger machine is refused at once, naming the option. */
	ASSERT_EQ(boot_one("boot mem=1T cpus=1", out, sizeof(out), err, sizeof(err)), -1);
	ASSERT_STR_EQ(out, "error EINVAL\n");
	ASSERT_CONTAINS(err, "option mem");
}

TEST(test_boot_must_come_first)
{
	struct cap *c = cap_new("late.kmm");

	ASSERT_EQ(run(c, "# boot comes first, comments do not count"), 0);
	ASSERT_EQ(run(c, "help"), 0);
	ASSERT_CONTAINS(c->o, "\nquit\n");
	ASSERT_EQ(run(c, "boot mem=32M"), -1);
	ASSERT_MALFORMED(c, "late.kmm", 3);
	ASSERT_CONTAINS(c->e, "first");
	cap_free(c);

	c = cap_new("late.kmm");
	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), -1);
	ASSERT_MALFORMED(c, "late.kmm", 2);
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

/* A boot line that fails leaves no machine: never the default one in its
 * place.  Only another boot line is taken (the shell's way to retry). */
TEST(test_failed_boot_then_commands)
{
	struct cap *c = cap_new("fail.kmm");

	setenv("KMM_MEM", "32M", 1);	/* the default machine, if one came */
	ASSERT_EQ(run(c, "boot mem=33M cpus=1"), -1);
	ASSERT_MALFORMED(c, "fail.kmm", 1);
	ASSERT_NULL(kmm_current());
	ASSERT_EQ(run(c, "alloc_pages 0"), -1);
	ASSERT_MALFORMED(c, "fail.kmm", 2);
	ASSERT_CONTAINS(c->e, "no machine: the boot at line 1 failed");
	ASSERT_NULL(kmm_current());
	ASSERT_EQ(run(c, "help"), 0);		/* needs no machine */
	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);	/* a second try may boot */
	ASSERT_NOT_NULL(kmm_current());
	ASSERT_EQ(run(c, "alloc_pages 0"), 0);
	ASSERT_TRUE(!strncmp(c->o, "pfn ", 4));
	ASSERT_EQ(run(c, "boot mem=32M"), -1);	/* too late now */
	ASSERT_MALFORMED(c, "fail.kmm", 6);
	ASSERT_CONTAINS(c->e, "first");
	ASSERT_EQ(run(c, "check"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_TRUE(machine_ok());
	cap_free(c);
	ASSERT_NULL(kmm_current());
}

/* A script whose boot fails stops there, says why, and counts as failed. */
TEST(test_failed_boot_stops_the_script)
{
	static const char script[] =
		"boot mem=64M min_free_kbytes=65536\n"
		"cat /proc/meminfo\n"
		"alloc_pages 0\n";
	struct cap *c = cap_new("nomem.kmm");

	ASSERT_EQ(run_stream(c, script, sizeof(script) - 1), 1);
	ASSERT_STR_EQ(c->o, "error EINVAL\n");	/* the boot line, nothing after */
	ASSERT_TRUE(err_names_line(c, "nomem.kmm", 1));
	ASSERT_CONTAINS(c->e, "boot: the machine did not boot: cannot set up the slab "
			"allocator: min_free_kbytes=65536 is larger than what memory allows: "
			"mem=64M leaves ");
	ASSERT_NULL(kmm_current());
	cap_free(c);

	/* A bad option is a failed boot too. */
	c = cap_new("badopt.kmm");
	ASSERT_EQ(run_stream(c, "boot mem=33M\ndrain\n", 18), 1);
	ASSERT_STR_EQ(c->o, "error EINVAL\n");
	ASSERT_NULL(kmm_current());
	cap_free(c);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

TEST(test_each_command_prints_one_line)
{
	static const char *const lines[] = {
		"alloc_pages 0", "alloc_pages 3 GFP_KERNEL|__GFP_ZERO",
		"alloc_pages 2 __GFP_COMP", "alloc_pages 0 GFP_ATOMIC",
		"alloc_pages 0 0", "alloc_pages 9 GFP_TRANSHUGE",
		"alloc_pages 0 __GFP_DMA|__GFP_HIGHMEM|__GFP_DMA32|__GFP_MOVABLE|__GFP_RECLAIMABLE",
		"alloc_pages 0 __GFP_MEMALLOC", "alloc_pages 10 __GFP_NOFAIL",
		"free_pages 0x10 0", "drain", "check",
		"echo 1 > /proc/sys/vm/overcommit_memory", "echo 9 > /proc/sys/vm/overcommit_memory",
		"echo 1 > /proc/sys/vm/nosuch", "cat /proc/sys/vm/overcommit_memory",
		"cat /proc/nosuch", "  check  # trailing comment", "check#",
	};
	struct cap *c = cap_new("one.kmm");
	size_t i;

	ASSERT_EQ(run(c, "boot mem=32M cpus=2"), 0);
	ASSERT_EQ(c->ol, 0);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		ASSERT_EQ(run(c, lines[i]), 0);
		if (count_lines(c->o, c->ol) != 1 || c->o[c->ol - 1] != '\n')
			TEST_FAIL_("'%s' printed:\n%s", lines[i], c->o);
	}
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_alloc_until_enomem)
{
	struct cap *c = cap_new("enomem.kmm");
	unsigned long pfns[64];
	char line[64];
	int n = 0, i;

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(run(c, "alloc_pages 10"), 0);
		ASSERT_EQ(count_lines(c->o, c->ol), 1);
		if (!strcmp(c->o, "error ENOMEM\n"))
			break;
		ASSERT_EQ(sscanf(c->o, "pfn %li", &pfns[n]), 1);
		ASSERT_EQ(pfns[n] & 1023, 0);
		n++;
	}
	ASSERT_TRUE(i < 64);		/* ran out */
	ASSERT_TRUE(n >= 1 && n <= 8);	/* 32M holds eight 4M blocks */
	/* Out of memory is not corruption. */
	ASSERT_EQ(run(c, "alloc_pages 10 __GFP_NOFAIL"), 0);
	ASSERT_STR_EQ(c->o, "error ENOMEM\n");
	ASSERT_EQ(run(c, "check"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "free_pages %#lx 10", pfns[i]);
		ASSERT_EQ(run(c, line), 0);
		ASSERT_STR_EQ(c->o, "ok\n");
	}
	ASSERT_EQ(run(c, "alloc_pages 10"), 0);	/* and it comes back */
	ASSERT_TRUE(!strncmp(c->o, "pfn ", 4));
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_cat_outside_proc)
{
	static const char *const paths[] = {
		"/proc/../etc/passwd", "/etc/passwd", "../../../../etc/passwd",
		"/proc/self/maps", "/proc/buddyinfo/", "/proc//buddyinfo",
		"/proc/buddyinfo/../meminfo", "%s%s%s%n", "",
	};
	struct cap *c = cap_new("cat.kmm");
	char line[256], want[300];
	size_t i;

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		snprintf(line, sizeof(line), "cat \"%s\"", paths[i]);
		snprintf(want, sizeof(want), "cat: %s: No such file or directory\n", paths[i]);
		ASSERT_EQ(run(c, line), 0);
		ASSERT_STR_EQ(c->o, want);
	}
	ASSERT_EQ(run(c, "cat /proc/buddyinfo"), 0);
	ASSERT_CONTAINS(c->o, "Node 0, zone");
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_slab_commands_bad_input)
{
	static const char *const malformed[] = {
		"kmem_cache_create a 8 8192",		/* align above a page */
		"kmem_cache_create a",
		"kmem_cache_create a x",
		"kmem_cache_create a 5M",
		"kmem_cache_create a 8 x",
		"kmem_cache_create a 8 8 SLAB_NOSUCH",
		"kmem_cache_create a 8 8 SLAB_POISON||SLAB_RED_ZONE",
		"kmem_cache_create kmalloc-64 64",
		"kmem_cache_alloc nosuch",
		"kmem_cache_alloc kmalloc-64 GFP_NOSUCH",
		"kmem_cache_free nosuch 0xffff888000000000",
		"kmem_cache_free kmalloc-64 -1",
		"kmem_cache_shrink nosuch",
		"kmem_cache_destroy nosuch",
		"kmalloc -1",
		"kmalloc 99999999999999999999",
		"kmalloc 16384P",
		"kmalloc 8 GFP_NOSUCH",
		"kfree x",
		"kfree 1K",
		"hotplug_add x",
	};
	static const char *const refused[] = {	/* one line, not "ok" */
		"kmem_cache_create a 0",
		"kmem_cache_create a 8 3",
		"kmem_cache_create \"\" 8",
		"kmalloc 4194305",
		"kmalloc 1T __GFP_NOWARN",
		"kfree 0xffff888000000000",
		"kfree 0xffffffffffffffff",
		"kfree 0x7fffffff0000",
		"kmem_cache_free kmalloc-64 0xffff888000000000",
		"kmem_cache_free kmalloc-64 0xffffffffffffffff",
		"kmem_cache_destroy kmem_cache",
		"hotplug_add 0",
		"hotplug_add 1",
		"hotplug_add 0xfffffffff8000000",
	};
	struct cap *c = cap_new("slab.kmm");
	unsigned long obj, obj2;
	char line[128];
	size_t i;
	unsigned long n = 1;

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	for (i = 0; i < ARRAY_SIZE(malformed); i++) {
		n++;
		if (run(c, malformed[i]) != -1)
			TEST_FAIL_("'%s' was accepted: %s", malformed[i], c->o);
		ASSERT_MALFORMED(c, "slab.kmm", n);
	}
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		n++;
		ASSERT_EQ(run(c, refused[i]), 0);
		if (count_lines(c->o, c->ol) != 1 || !strcmp(c->o, "ok\n"))
			TEST_FAIL_("'%s' printed %s", refused[i], c->o);
	}
	/* The right free of each kind of object is ok; a second one is not. */
	ASSERT_EQ(run(c, "kmem_cache_create g 100 8 SLAB_RED_ZONE|SLAB_POISON"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "kmem_cache_alloc g"), 0);
	ASSERT_EQ(sscanf(c->o, "obj %lx", &obj), 1);
	snprintf(line, sizeof(line), "kmem_cache_free kmalloc-128 %#lx", obj);
	ASSERT_EQ(run(c, line), 0);	/* the wrong cache */
	ASSERT_TRUE(strcmp(c->o, "ok\n") && count_lines(c->o, c->ol) == 1);
	snprintf(line, sizeof(line), "kmem_cache_free g %#lx", obj + 1);
	ASSERT_EQ(run(c, line), 0);	/* the middle of the object */
	ASSERT_TRUE(strcmp(c->o, "ok\n") && count_lines(c->o, c->ol) == 1);
	snprintf(line, sizeof(line), "kmem_cache_free g %#lx", obj);
	ASSERT_EQ(run(c, line), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, line), 0);	/* double free */
	ASSERT_TRUE(strcmp(c->o, "ok\n") && count_lines(c->o, c->ol) == 1);
	ASSERT_EQ(run(c, "kmalloc 9000"), 0);
	ASSERT_EQ(sscanf(c->o, "obj %lx", &obj2), 1);
	snprintf(line, sizeof(line), "kfree %#lx", obj2 + 4096);
	ASSERT_EQ(run(c, line), 0);	/* inside a large kmalloc */
	ASSERT_TRUE(strcmp(c->o, "ok\n") && count_lines(c->o, c->ol) == 1);
	snprintf(line, sizeof(line), "kfree %#lx", obj2);
	ASSERT_EQ(run(c, line), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "kmem_cache_destroy g"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "check"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_FALSE(has_line(c->ebuf, c->elen, "BUG: Bad page state"));
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

/* A 32M machine with cache g (64 bytes) for the known-bug tests. */
static struct cap *slab_machine(void)
{
	struct cap *c = cap_new("slabbug.kmm");

	if (run(c, "boot mem=32M cpus=1") || run(c, "kmem_cache_create g 64") ||
	    strcmp(c->o, "ok\n"))
		abort();
	return c;
}

TEST(test_kmalloc_huge_size)
{
	struct cap *c = slab_machine();

	ASSERT_EQ(run(c, "kmalloc 0x8000000000000000"), 0);
	ASSERT_STR_EQ(c->o, "error ENOMEM\n");
#if 1
	/* KNOWN BUG: mm/slab_common.c kmalloc_large(): for a size above 2^63
	 * "(PAGE_SIZE << order) < size" holds for every order (the shift
	 * overflows; from 64 on it is undefined), so the loop never ends. */
	ASSERT_EQ(run(c, "kmalloc 0x8000000000000001"), 0);
	ASSERT_STR_EQ(c->o, "error ENOMEM\n");
#endif
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_destroy_kmalloc_cache)
{
	struct cap *c = slab_machine();

	ASSERT_EQ(run(c, "kmem_cache_destroy kmem_cache"), 0);
	ASSERT_TRUE(strcmp(c->o, "ok\n"));
#if 1
	/* KNOWN BUG: kmem_cache_destroy accepts the kmalloc caches; the
	 * next kmalloc of that size uses the freed cache and crashes
	 * (mm/slab.c __kmem_cache_alloc: s->cpu_cache is NULL). */
	ASSERT_EQ(run(c, "kmem_cache_destroy kmalloc-64"), 0);
	ASSERT_TRUE(strcmp(c->o, "ok\n"));
	ASSERT_EQ(run(c, "kmalloc 64"), 0);
	ASSERT_TRUE(!strncmp(c->o, "obj ", 4));
#endif
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_cache_free_null)
{
	struct cap *c = slab_machine();

	ASSERT_EQ(run(c, "kmem_cache_create r 64 0 SLAB_RED_ZONE"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "kmem_cache_free g 0"), 0);	/* no red zone: fine */
	ASSERT_EQ(count_lines(c->o, c->ol), 1);
#if 1
	/* KNOWN BUG: cmd_kmem_cache_free calls __kmem_cache_free, which
	 * (unlike kmem_cache_free) does not test for NULL: with a red zone
	 * obj_to_slot() subtracts 8 from a NULL pointer (UBSan: "applying
	 * non-zero offset to null pointer", mm/slab.c obj_to_slot). */
	ASSERT_EQ(run(c, "kmem_cache_free r 0"), 0);
	ASSERT_EQ(count_lines(c->o, c->ol), 1);
#endif
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_free_pages_of_a_slab_page)
{
	struct cap *c = slab_machine();
	unsigned long obj;
	char line[64];

	ASSERT_EQ(run(c, "kmem_cache_alloc g"), 0);
	ASSERT_EQ(sscanf(c->o, "obj %lx", &obj), 1);
	snprintf(line, sizeof(line), "free_pages %#lx 0", (obj - 0xffff888000000000ul) >> 12);
#if 1
	/* KNOWN BUG: free_pages of a page a slab owns passes
	 * free_pages_valid (refcount 1, not buddy, not reserved), drops the
	 * refcount to 0 and only then bad_page() reports "Bad page state"
	 * (mm/page_alloc.c free_pages_prepare); the slab later frees the
	 * page again ("double free").  It should be refused before anything
	 * changes. */
	/* The page is the kernel's (the slab's), not the script's: the
	 * interpreter refuses, and nothing changes. */
	ASSERT_EQ(run(c, line), 0);
	ASSERT_STR_EQ(c->o, "error EBUSY\n");
	ASSERT_FALSE(has_line(c->ebuf, c->elen, "BUG: Bad page state"));
	snprintf(line, sizeof(line), "kmem_cache_free g %#lx", obj);
	ASSERT_EQ(run(c, line), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "kmem_cache_destroy g"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
#endif
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_hotplug_bad_sizes)
{
	struct cap *c = cap_new("hotplug.kmm");

	ASSERT_EQ(run(c, "boot mem=256M max_mem=512M cpus=1"), 0);
	ASSERT_EQ(run(c, "hotplug_add 1"), 0);
	ASSERT_STR_EQ(c->o, "error EINVAL\n");
	ASSERT_EQ(run(c, "hotplug_add 384M"), 0);
	ASSERT_STR_EQ(c->o, "error ENOSPC\n");
#if 1
	/* KNOWN BUG: mm/memory_hotplug.c __add_memory(): the check
	 * "cfg.mem + hotplug_added + bytes > cfg.max_mem" wraps for bytes
	 * near 2^64, so the request goes on: memblock_add() inserts a region
	 * whose end wrapped below its base, the first online_section() fails
	 * (-ERANGE, printed as ENOMEM) and the loop still counts that
	 * section in hotplug_added and max_pfn.  Should be ENOSPC with
	 * nothing changed (test "bytes > cfg.max_mem - used"). */
	ASSERT_EQ(run(c, "hotplug_add 0xfffffffff8000000"), 0);
	ASSERT_STR_EQ(c->o, "error ENOSPC\n");
#endif
	ASSERT_EQ(run(c, "hotplug_add 128M"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "check"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

/* ------------------------------------------------------------------ */
/* Streams                                                             */
/* ------------------------------------------------------------------ */

TEST(test_nul_bytes_in_a_line)
{
	static const char text[] = "boot mem=32M cpus=1\ncheck\0garbage\nalloc_pages\0 0\ncheck\n";
	struct cap *c = cap_new("nul.kmm");
	int bad;

	bad = run_stream(c, text, sizeof(text) - 1);
	/* Three lines, three lines of output; the count of malformed lines
	 * matches what was printed. */
	ASSERT_EQ(count_lines(c->o, c->ol), 3);
	ASSERT_EQ(count_exact_lines(c->o, c->ol, "error EINVAL"), (size_t)bad);
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_nul_byte_in_a_long_line)
{
	/* "check", a NUL, 5000 x's: one line, however long. */
	struct cap *c = cap_new("nul.kmm");
	char *text = repeat('x', 5000, "boot mem=32M cpus=1\ncheck#", "\ncheck\n");
	size_t len = strlen(text);
	int bad;

	text[strlen("boot mem=32M cpus=1\ncheck")] = 0;
	bad = run_stream(c, text, len);
	ASSERT_EQ(count_exact_lines(c->o, c->ol, "error EINVAL"), (size_t)bad);
	ASSERT_TRUE(machine_ok());
#if 1
	/*
	 * KNOWN BUG: sim_run_stream measures what fgets() read with strlen(),
	 * so a NUL inside the first 4097 bytes of an over-long line hides the
	 * fact that the line was cut: the text before the NUL runs, and the
	 * rest of the line then runs as another line (another output line,
	 * and every later error names the wrong line number).
	 */
	ASSERT_EQ(count_lines(c->o, c->ol), 2);
	ASSERT_EQ(run(c, "bogus"), -1);
	ASSERT_TRUE(err_names_line(c, "nul.kmm", 4));
#endif
	free(text);
	cap_free(c);
}

TEST(test_crlf_line_endings)
{
	static const char text[] =
		"# CRLF\r\nboot mem=32M cpus=1\r\nalloc_pages 1\r\n\r\ndrain\r\nbogus\r\ncheck\r\n";
	struct cap *c = cap_new("crlf.kmm");
	int bad;

	bad = run_stream(c, text, sizeof(text) - 1);
	ASSERT_EQ(bad, 1);
	ASSERT_EQ(count_lines(c->o, c->ol), 4);
	ASSERT_TRUE(!strncmp(c->o, "pfn ", 4));
	ASSERT_CONTAINS(c->o, "\nok\nerror EINVAL\nok\n");
	ASSERT_TRUE(err_names_line(c, "crlf.kmm", 6));
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_stream_counts_malformed_lines)
{
	static const char text[] =
		"boot mem=32M cpus=1\n"		/* 1 */
		"alloc_pages x\n"		/* 2: malformed */
		"alloc_pages 0\n"		/* 3 */
		"bogus\n"			/* 4: malformed */
		"\n"				/* 5 */
		"free_pages 1\n"		/* 6: malformed */
		"# comment\n"			/* 7 */
		"check \"\n"			/* 8: malformed */
		"free_pages 0xffffffff 0\n"	/* 9: reported, not malformed */
		"boot mem=64M\n"		/* 10: malformed (too late) */
		"check";			/* 11, no newline */
	static const unsigned long malformed[] = { 2, 4, 6, 8, 10 };
	struct cap *c = cap_new("count.kmm");
	const char *e;
	size_t i;
	int bad;

	bad = run_stream(c, text, sizeof(text) - 1);
	ASSERT_EQ(bad, 5);
	ASSERT_EQ(count_exact_lines(c->o, c->ol, "error EINVAL"), 5);
	ASSERT_EQ(count_lines(c->o, c->ol), 8);
	e = c->e;
	for (i = 0; i < ARRAY_SIZE(malformed); i++) {
		char want[64];

		snprintf(want, sizeof(want), "kmm: count.kmm:%lu: ", malformed[i]);
		e = strstr(e, want);
		if (!e)
			TEST_FAIL_("err does not name line %lu:\n%s", malformed[i], c->e);
	}
	ASSERT_TRUE(machine_ok());
	cap_free(c);

	c = cap_new("count.kmm");	/* nothing malformed: 0 */
	ASSERT_EQ(run_stream(c, "boot mem=32M cpus=1\ncheck\n", 26), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	cap_free(c);

	c = cap_new("count.kmm");	/* an empty stream */
	ASSERT_EQ(run_stream(c, "", 0), 0);
	ASSERT_EQ(c->ol, 0);
	cap_free(c);
}

/* ------------------------------------------------------------------ */
/* The fuzz corpus                                                     */
/* ------------------------------------------------------------------ */

/* The first word of a line, as far as the output discipline cares. */
static void first_word(const char *line, char *w, size_t wlen)
{
	const char *p = line, *end;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '"') {
		end = strchr(++p, '"');
		if (!end)
			end = p + strlen(p);
	} else {
		end = p + strcspn(p, " \t\r\n#");
	}
	snprintf(w, wlen, "%.*s", (int)(end - p), p);
}

/* Replays one corpus file line by line; returns a description of the first
 * broken rule, or NULL. */
static const char *replay_lines(const char *name, const char *data, size_t len,
				unsigned long *where)
{
	struct cap *c = cap_new(name);
	const char *why = NULL;
	char *line = malloc(len + 1), w[64];
	size_t pos = 0;
	unsigned long n = 0;

	if (!line)
		abort();
	setenv("KMM_MEM", "32M", 1);
	while (pos < len && !why) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (data + pos)) : len - pos;
		int r;

		memcpy(line, data + pos, ll);
		line[ll] = 0;
		pos += ll + 1;
		n++;
		*where = n;
		first_word(line, w, sizeof(w));
		if (sim_panicked(c->s)) {
			/* After a kernel panic nothing runs or prints. */
			run(c, line);
			if (c->ol)
				why = "a line after a kernel panic printed something";
			continue;
		}
		r = run(c, line);
		if (r == -1) {
			if (strcmp(c->o, "error EINVAL\n"))
				why = "malformed line did not print exactly \"error EINVAL\"";
			else if (!err_names_line(c, name, n))
				why = "malformed line: err does not name the line";
		} else if (r != 0) {
			why = "sim_run_line returned neither 0 nor -1";
		} else if (ll < SIM_MAX_LINE && (!w[0] || w[0] == '#') && line[strspn(line, " \t\r\n")] != '"') {
			if (c->ol)
				why = "blank line or comment printed something";
		} else if (!strcmp(w, "boot") || !strcmp(w, "quit")) {
			if (c->ol)
				why = "boot or quit printed something";
		} else if (!strcmp(w, "cat") || !strcmp(w, "slabtop") || !strcmp(w, "help")) {
			if (c->ol && c->o[c->ol - 1] != '\n')
				why = "cat, slabtop or help printed no whole line";
		} else if (count_lines(c->o, c->ol) != 1 || c->o[c->ol - 1] != '\n') {
			why = "command did not print exactly one line";
		} else if (!strcmp(w, "check") && strcmp(c->o, "ok\n")) {
			why = "check failed";
		}
	}
	if (!why && (has_line(c->ebuf, c->elen, "BUG: Bad page state") ||
		     has_line(c->ebuf, c->elen, "check_buddy_invariants:")))
		why = "bad page or broken invariant reported";
	if (!why && !machine_ok())
		why = "check_buddy_invariants() failed at the end";
	free(line);
	cap_free(c);
	if (!why && kmm_current())
		why = "sim_destroy left the machine booted";
	return why;
}

/* Lines of buf starting with prefix. */
static size_t count_prefixed_lines(const char *buf, size_t len, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix), i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);

		n += len - i >= pl && !memcmp(buf + i, prefix, pl);
		if (!nl)
			break;
		i = (size_t)(nl - buf) + 1;
	}
	return n;
}

/* Replays one corpus file as `kmm run` would: each malformed line is
 * counted, prints "error EINVAL" (which some commands also print as a
 * result) and one "kmm: NAME:LINE: ..." line on err. */
static const char *replay_stream(const char *name, const char *data, size_t len)
{
	struct cap *c = cap_new(name);
	const char *why = NULL;
	char prefix[300];
	int bad;

	snprintf(prefix, sizeof(prefix), "kmm: %.250s:", name);
	bad = run_stream(c, data, len);
	fflush(c->err);
	if (bad < 0)
		why = "sim_run_stream returned a negative count";
	else if (count_prefixed_lines(c->ebuf, c->elen, prefix) != (size_t)bad)
		why = "sim_run_stream's count differs from the error messages on err";
	else if (count_exact_lines(c->obuf, c->olen, "error EINVAL") < (size_t)bad)
		why = "fewer \"error EINVAL\" lines than malformed lines";
	else if (has_line(c->ebuf, c->elen, "BUG: Bad page state") ||
		 has_line(c->ebuf, c->elen, "check_buddy_invariants:"))
		why = "bad page or broken invariant reported";
	else if (!machine_ok())
		why = "check_buddy_invariants() failed at the end";
	cap_free(c);
	if (!why && kmm_current())
		why = "sim_destroy left the machine booted";
	return why;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int nr_replayed;

/*
 * Corpus inputs that reproduce a known bug (see tests/fuzz/README.md):
 * replaying them would hang or crash this test, so they are skipped.
 */
static const char *const known_bug_inputs[] = {
	NULL,	/* none left: every regression input replays */
};

static int is_known_bug_input(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_bug_inputs); i++)
		if (known_bug_inputs[i] && !strcmp(name, known_bug_inputs[i]))
			return 1;
	return 0;
}

static void replay_dir(const char *dir, int *failed)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;
		const char *why;
		unsigned long where = 0;
		size_t len;
		char *data;

		if (de->d_name[0] == '.')
			continue;
		/* KNOWN BUG: drop this skip once the bugs above are fixed. */
		if (is_known_bug_input(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			replay_dir(path, failed);
			continue;
		}
		data = read_file(path, &len);
		if (!data) {
			fprintf(stderr, "  cannot read %s\n", path);
			(*failed)++;
			continue;
		}
		nr_replayed++;
		why = replay_stream(de->d_name, data, len);
		if (!why && !memchr(data, 0, len))
			why = replay_lines(de->d_name, data, len, &where);
		if (why) {
			fprintf(stderr, "  %s (line %lu): %s\n", path, where, why);
			(*failed)++;
		}
		free(data);
	}
	closedir(d);
}

/* tests/fuzz/corpus, found from this file's path (or $KMM_FUZZ_CORPUS). */
static void corpus_dir(char *buf, size_t len)
{
	const char *env = getenv("KMM_FUZZ_CORPUS");
	char *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	snprintf(buf, len, "%s", __FILE__);
	slash = strrchr(buf, '/');		/* .../tests/sim/test_script.c */
	if (slash)
		*slash = 0;
	slash = strrchr(buf, '/');		/* .../tests/sim */
	if (slash)
		*slash = 0;
	else
		snprintf(buf, len, "tests");
	strncat(buf, "/fuzz/corpus", len - strlen(buf) - 1);
}

TEST(test_fuzz_corpus_replays_cleanly)
{
	char dir[4096];
	int failed = 0;
	DIR *d;

	corpus_dir(dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		TEST_FAIL_("cannot open %s: %s", dir, strerror(errno));
	closedir(d);
	nr_replayed = 0;
	replay_dir(dir, &failed);
	ASSERT_TRUE(nr_replayed > 0);
	ASSERT_EQ(failed, 0);
}

/* ------------------------------------------------------------------ */
/* help, echo to /proc/sys/vm, quit, stop-on-error                     */
/* ------------------------------------------------------------------ */

TEST(test_help)
{
	struct cap *c = cap_new("help.kmm");
	size_t lines;

	ASSERT_EQ(run(c, "help"), 0);
	lines = count_lines(c->o, c->ol);
	ASSERT_TRUE(lines > 20);		/* one usage per command */
	ASSERT_TRUE(!strncmp(c->o, "boot ", 5));
	ASSERT_CONTAINS(c->o, "\nalloc_pages ORDER [GFP_FLAGS]\n");
	ASSERT_CONTAINS(c->o, "\necho VALUE > PATH\n");
	ASSERT_EQ(run(c, "help kfree"), 0);
	ASSERT_STR_EQ(c->o, "kfree ADDR\n    Frees a kmalloc'ed object.\n");
	ASSERT_EQ(c->el, 0);
	ASSERT_EQ(run(c, "help no_such"), -1);
	ASSERT_MALFORMED(c, "help.kmm", 3);
	ASSERT_EQ(run(c, "help kfree kmalloc"), -1);
	ASSERT_MALFORMED(c, "help.kmm", 4);
	/* help needs no machine */
	ASSERT_NULL(kmm_current());
	cap_free(c);
}

TEST(test_echo_and_cat_sysctl)
{
	struct cap *c = cap_new("sysctl.kmm");
	char limit[64];

	ASSERT_EQ(run(c, "boot mem=32M cpus=1"), 0);
	ASSERT_EQ(run(c, "cat /proc/sys/vm/overcommit_memory"), 0);
	ASSERT_STR_EQ(c->o, "0\n");
	ASSERT_EQ(run(c, "echo 2 > /proc/sys/vm/overcommit_memory"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "cat /proc/sys/vm/overcommit_memory"), 0);
	ASSERT_STR_EQ(c->o, "2\n");
	/* A value out of range is the write's error, not a malformed line. */
	ASSERT_EQ(run(c, "echo 3 > /proc/sys/vm/overcommit_memory"), 0);
	ASSERT_STR_EQ(c->o, "error EINVAL\n");
	ASSERT_EQ(c->el, 0);
	ASSERT_EQ(run(c, "echo -1 > /proc/sys/vm/max_map_count"), 0);
	ASSERT_STR_EQ(c->o, "error EINVAL\n");
	ASSERT_EQ(run(c, "cat /proc/sys/vm/overcommit_memory"), 0);
	ASSERT_STR_EQ(c->o, "2\n");
	ASSERT_EQ(run(c, "cat /proc/sys/vm/max_map_count"), 0);
	ASSERT_STR_EQ(c->o, "65530\n");
	/* CommitLimit follows overcommit_kbytes, which zeroes the ratio. */
	ASSERT_EQ(run(c, "echo 4096 > /proc/sys/vm/overcommit_kbytes"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(run(c, "cat /proc/meminfo"), 0);
	snprintf(limit, sizeof(limit), "\nCommitLimit:    %8lu kB\n", 4096ul);
	ASSERT_CONTAINS(c->o, limit);
	ASSERT_EQ(run(c, "cat /proc/sys/vm/overcommit_ratio"), 0);
	ASSERT_STR_EQ(c->o, "0\n");
	/* Unknown knobs, read-only files, a line without '>'. */
	ASSERT_EQ(run(c, "echo 1 > /proc/sys/vm/nosuch"), 0);
	ASSERT_STR_EQ(c->o, "error ENOENT\n");
	ASSERT_EQ(run(c, "cat /proc/sys/vm/nosuch"), 0);
	ASSERT_STR_EQ(c->o, "cat: /proc/sys/vm/nosuch: No such file or directory\n");
	ASSERT_EQ(run(c, "echo 1 > /proc/meminfo"), 0);
	ASSERT_STR_EQ(c->o, "error EACCES\n");
	ASSERT_EQ(run(c, "echo 1 /proc/sys/vm/overcommit_memory"), -1);
	ASSERT_MALFORMED(c, "sysctl.kmm", 15);
	ASSERT_EQ(run(c, "echo 1 >"), -1);
	ASSERT_MALFORMED(c, "sysctl.kmm", 16);
	ASSERT_TRUE(machine_ok());
	cap_free(c);
}

TEST(test_quit_stops_the_stream)
{
	static const char script[] = "check\nquit\ncheck\n";
	struct cap *c = cap_new("quit.kmm");

	ASSERT_EQ(run_stream(c, script, strlen(script)), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	/* The next stream reads on. */
	ASSERT_EQ(run_stream(c, "check\n", 6), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	cap_free(c);
}

TEST(test_stop_on_error)
{
	static const char script[] = "check\nbogus 1\ncheck\nalso bad\n";
	struct cap *c = cap_new("stop.kmm");

	ASSERT_EQ(run_stream(c, script, strlen(script)), 2);	/* goes on */
	ASSERT_STR_EQ(c->o, "ok\nerror EINVAL\nok\nerror EINVAL\n");
	cap_free(c);

	c = cap_new("stop.kmm");
	sim_set_stop_on_error(c->s, true);
	ASSERT_EQ(run_stream(c, script, strlen(script)), 1);
	ASSERT_STR_EQ(c->o, "ok\nerror EINVAL\n");
	ASSERT_STR_EQ(c->e, "kmm: stop.kmm:2: unknown command 'bogus' (try 'help')\n");
	cap_free(c);

	/* A NUL byte or an over-long line stops it too. */
	c = cap_new("stop.kmm");
	sim_set_stop_on_error(c->s, true);
	ASSERT_EQ(run_stream(c, "check\nch\0eck\ncheck\n", 18), 1);
	ASSERT_STR_EQ(c->o, "ok\nerror EINVAL\n");
	cap_free(c);
}

/*
 * fail_nth N arms the next command only; fail_nth alone says what that
 * command left; a countdown a script armed through /proc/self/fail-nth
 * ends with the script, not in the next one.
 */
TEST(test_fail_nth_arms_one_command)
{
	struct cap *c = cap_new("fail_nth.kmm");

	ASSERT_EQ(run(c, "echo N > /sys/kernel/debug/failslab/ignore-gfp-wait"), 0);
	ASSERT_EQ(run(c, "fail_nth 1"), 0);
	ASSERT_STR_EQ(c->o, "ok\n");
	ASSERT_EQ(kmm_fail_nth_read(), 0);	/* not yet: the next command */
	ASSERT_EQ(run(c, "kmalloc 64"), 0);
	ASSERT_STR_EQ(c->o, "error ENOMEM\n");
	ASSERT_EQ(run(c, "fail_nth"), 0);
	ASSERT_STR_EQ(c->o, "0\n");
	ASSERT_EQ(run(c, "kmalloc 64"), 0);	/* the countdown is gone */
	ASSERT_TRUE(!strncmp(c->o, "obj 0x", 6));
	ASSERT_EQ(run(c, "fail_nth x"), -1);
	ASSERT_STR_EQ(c->o, "error EINVAL\n");
	ASSERT_CONTAINS(c->e, "fail_nth: N must be a number 0..4294967295, got 'x'");
	ASSERT_EQ(run(c, "echo 5 > /proc/self/fail-nth"), 0);
	ASSERT_EQ(kmm_fail_nth_read(), 5);
	cap_free(c);
	ASSERT_EQ(kmm_fail_nth_read(), 0);
}

int main(void)
{
	/* Machines a script does not size itself stay small. */
	setenv("KMM_MEM", "32M", 1);
	setenv("KMM_CPUS", "2", 1);
	RUN_TEST(test_blank_and_comment_lines_print_nothing);
	RUN_TEST(test_fail_nth_arms_one_command);
	RUN_TEST(test_long_line_is_malformed);
	RUN_TEST(test_long_line_in_a_stream);
	RUN_TEST(test_longest_line_in_a_stream);
	RUN_TEST(test_unterminated_quote);
	RUN_TEST(test_too_many_words);
	RUN_TEST(test_bad_numbers_are_malformed);
	RUN_TEST(test_leading_zeros_are_decimal);
	RUN_TEST(test_empty_flag_names_are_malformed);
	RUN_TEST(test_cache_names_with_blanks_are_refused);
	RUN_TEST(test_exit_of_init_panics);
	RUN_TEST(test_exit_status_and_fatal_signals_of_init);
	RUN_TEST(test_orders_above_max_fail_cleanly);
	RUN_TEST(test_free_pages_huge_pfn);
	RUN_TEST(test_boot_bad_values);
	RUN_TEST(test_boot_good_values);
	RUN_TEST(test_boot_huge_machine);
	RUN_TEST(test_boot_must_come_first);
	RUN_TEST(test_failed_boot_then_commands);
	RUN_TEST(test_failed_boot_stops_the_script);
	RUN_TEST(test_each_command_prints_one_line);
	RUN_TEST(test_alloc_until_enomem);
	RUN_TEST(test_cat_outside_proc);
	RUN_TEST(test_slab_commands_bad_input);
	RUN_TEST(test_kmalloc_huge_size);
	RUN_TEST(test_destroy_kmalloc_cache);
	RUN_TEST(test_cache_free_null);
	RUN_TEST(test_free_pages_of_a_slab_page);
	RUN_TEST(test_hotplug_bad_sizes);
	RUN_TEST(test_nul_bytes_in_a_line);
	RUN_TEST(test_nul_byte_in_a_long_line);
	RUN_TEST(test_crlf_line_endings);
	RUN_TEST(test_stream_counts_malformed_lines);
	RUN_TEST(test_help);
	RUN_TEST(test_echo_and_cat_sysctl);
	RUN_TEST(test_quit_stops_the_stream);
	RUN_TEST(test_stop_on_error);
	RUN_TEST(test_fuzz_corpus_replays_cleanly);
	return harness_summary();
}
