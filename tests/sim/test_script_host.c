/*
 * tests/sim/test_script_host.c - the simulator against the host kernel,
 * through the script language.  For each seed, a random script
 * (tools/script_gen.c) runs twice: in the simulator, line by line, and on
 * the host by tools/host_exec.c in a forked child, as real system calls
 * inside a fixed window of the address space of real processes, one per
 * script pid.  Every line must print the same, and `cat /proc/PID/maps`
 * the same lines for the window (tests/sim/host_diff.h).  Two kinds of
 * scripts: system calls of process 1, and (SCRIPT_GEN_FAULTS) accesses,
 * forks and shared memory too, with the minor faults of every touch,
 * read and write compared (kmm run --faults, kmm-host --faults).  A
 * third kind (SCRIPT_GEN_KERNEL_ADDR, with accesses and forks too) lets
 * the kernel choose addresses: mmap with ADDR 0 or a hint, mremap with
 * MREMAP_MAYMOVE; both sides plug every gap above the window first
 * (DIFF_KERNEL_ADDR), so the kernel's top-down search lands in the
 * window on both, and the generator's model of the window names the
 * addresses it chose in later lines.  Both sides get the host's
 * features (tests/host_features.h; KMM_TEST_PKU=off: as on a host
 * without protection keys).
 *
 * KMM_TEST_SEED picks the first seed (1), KMM_TEST_SCALE multiplies the
 * number of seeds (40 scripts of 300 lines of each kind; 25 is 1,000).  A mismatch
 * names the seed and the kmm-host --generate command that writes the
 * script again (docs/differential.md).  Lines the simulator is known to
 * answer differently are left out of the scripts (known_differences[],
 * known_fault_differences[], KNOWN_FAULT_RESTRICTIONS); KMM_TEST_KNOWN=1
 * keeps them in.
 */
#define _GNU_SOURCE
#include <signal.h>
#include "tests/harness.h"
#include "tests/sim/host_diff.h"
#include "tools/script_gen.h"

#define NR_LINES	300
#define MAX_REPORTS	5

/*
 * Lines the generator leaves out (patterns of script_gen()) because the
 * simulator is known to answer them differently from Linux 6.18, or
 * because the host cannot answer them comparably; each entry says how.
 * Remove an entry when the simulator is fixed; KMM_TEST_KNOWN=1 keeps
 * them all in, to see the differences.
 */
static const char *const known_differences[] = {
	/*
	 * NOT COMPARED: the simulator has no transparent huge pages, and
	 * kmm-host disables them in its processes (PR_SET_THP_DISABLE) so
	 * that every fault maps 4 KiB; Linux then answers EINVAL to every
	 * MADV_COLLAPSE, the simulator ok where a range holds no whole
	 * 2 MiB block.
	 */
	"MADV_COLLAPSE",
	NULL,
};

/*
 * The same for the scripts with accesses, forks and shared memory
 * (SCRIPT_GEN_FAULTS), with the restrictions (SCRIPT_GEN_ALIGN_64K,
 * SCRIPT_GEN_CHILD_ACCESS_ONLY) that keep the differences that no line
 * pattern can name out of them.  docs/differential.md shows each one.
 */
static const char *const known_fault_differences[] = {
	"MADV_COLLAPSE",
	/*
	 * KNOWN DIFFERENCE: MADV_PAGEOUT of shared memory on a host without
	 * swap unmaps the pages (reclaim tries, then keeps them in the page
	 * cache) so the next access faults again; the simulator, which has no
	 * reclaim yet, leaves them mapped.  On the host the result also
	 * depends on which CPU's LRU batch holds a page, so it is not even
	 * repeatable there.
	 */
	"MADV_PAGEOUT",
	NULL,
};

/*
 * The same for the scripts whose addresses the kernel chooses.
 */
static const char *const known_kernel_addr_differences[] = {
	"MADV_COLLAPSE",
	"MADV_PAGEOUT",	/* as above */
	NULL,
};

/*
 * Restrictions on the scripts with accesses for differences no line
 * pattern can name: none left (fault-around's window and the reuse of a
 * forked neighbour's anon_vma were fixed; docs/differential.md).
 */
#define KNOWN_FAULT_RESTRICTIONS 0

/*
 * The patterns left out: the known differences (none with
 * KMM_TEST_KNOWN=1) and those of KMM_TEST_WITHOUT ("pkey_alloc,MAP_SHARED
 * MAP_GROWSDOWN": patterns separated by commas), to look past a
 * difference while it is being fixed.
 */
static const char *const *left_out(unsigned int flags)
{
	static const char *list[64];
	static char extra[1024];
	const char *const *known = flags & SCRIPT_GEN_KERNEL_ADDR ? known_kernel_addr_differences :
				   flags & SCRIPT_GEN_FAULTS ? known_fault_differences :
							       known_differences;
	const char *env = getenv("KMM_TEST_WITHOUT");
	char *save = NULL, *w;
	size_t n = 0;

	if (harness_env("KMM_TEST_KNOWN", 0))
		known = NULL;
	for (; known && *known && n < 32; known++)
		list[n++] = *known;
	snprintf(extra, sizeof(extra), "%s", env ? env : "");
	for (w = strtok_r(extra, ",", &save); w && n < 63; w = strtok_r(NULL, ",", &save))
		list[n++] = w;
	list[n] = NULL;
	return n ? list : NULL;
}

/* The generator's flags for a mode: the restrictions too, unless known;
 * shared mappings fixed where the host's shmem THP settings align them. */
static unsigned int gen_flags(unsigned int mode)
{
	if (mode & SCRIPT_GEN_KERNEL_ADDR && host_features_shmem_aligns(diff_host()))
		mode |= SCRIPT_GEN_FIXED_SHARED;
	if (!(mode & SCRIPT_GEN_FAULTS) || harness_env("KMM_TEST_KNOWN", 0))
		return mode;
	return mode | KNOWN_FAULT_RESTRICTIONS;
}

/* What run_host and run_sim compare for a generator mode. */
static unsigned int diff_mode(unsigned int flags)
{
	return (flags & SCRIPT_GEN_FAULTS ? DIFF_FAULTS : 0) |
	       (flags & SCRIPT_GEN_KERNEL_ADDR ? DIFF_KERNEL_ADDR : 0);
}

static void script_make(struct script *s, unsigned long seed, unsigned int flags)
{
	char *text = NULL;
	size_t size;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		abort();
	script_gen_flags(f, seed, NR_LINES, left_out(flags), gen_flags(flags));
	fclose(f);
	script_from_text(s, text);
}

/* The simulator knows the process commands (spawn) or the test skips. */
static bool sim_has_processes(void)
{
	struct script s = { 0 };
	struct outputs o = { 0 };
	bool yes;

	s.text = strdup("spawn");
	s.line = &s.text;
	s.n = 1;
	run_sim(&s, &o, false);
	yes = !strcmp(o.line[0], "pid 1\n");
	outputs_free(&o);
	free(s.text);
	return yes;
}

/* The last lines of a random comparison: how much was compared, and
 * whether it failed (bad < 0: the host executor gave up). */
#define report_seeds(kind, bad, lines, first, nseeds)					\
	do {										\
		printf("  %lu script lines %scompared with the host kernel (seeds %lu-%lu)\n", \
		       (lines), (kind), (first), (first) + (nseeds) - 1);		\
		if ((bad) < 0)								\
			TEST_FAIL_("%s", "the host executor failed or refused a line");	\
		if (bad)								\
			TEST_FAIL_("%ld of %lu seeds differ from the host", (bad), (nseeds)); \
	} while (0)

/*
 * nseeds random scripts from seed first, of script_gen_flags(flags), in
 * both; the number of seeds that differ (-1: the executor failed).
 */
static long compare_seeds(unsigned long first, unsigned long nseeds, unsigned int flags,
			  unsigned long *lines)
{
	bool faults = flags & SCRIPT_GEN_FAULTS;
	unsigned int mode = diff_mode(flags);
	unsigned long seed;
	long bad_seeds = 0;

	for (seed = first; seed < first + nseeds; seed++) {
		struct script s;
		struct outputs host = { 0 }, sim = { 0 };
		unsigned int bad;
		char what[64];

		script_make(&s, seed, flags);
		if (run_host(&s, &host, false, mode)) {
			fprintf(stderr, "  seed %lu: the host executor failed or refused a line\n", seed);
			script_free(&s);
			outputs_free(&host);
			return -1;
		}
		run_sim(&s, &sim, mode);
		snprintf(what, sizeof(what), "seed %lu", seed);
		bad = compare(what, &s, &host, &sim, bad_seeds < MAX_REPORTS);
		if (bad) {
			if (bad_seeds < MAX_REPORTS) {
				fprintf(stderr, "  reproduce: %s > s.kmm; kmm run%s s.kmm; kmm-host%s%s%s s.kmm\n",
					s.line[0] + 2, faults ? " --faults" : "", faults ? " --faults" : "",
					diff_host()->pku ? "" : " --pku=off",
					mode & DIFF_KERNEL_ADDR ? " --kernel-addresses" : "");
				snprintf(what, sizeof(what), "seed-%lu%s%s", seed, faults ? "-faults" : "",
					 mode & DIFF_KERNEL_ADDR ? "-kernel" : "");
				write_sim_script(what, &sim, faults);
			}
			bad_seeds++;
		}
		*lines += bad ? bad : s.n;
		outputs_free(&host);
		outputs_free(&sim);
		script_free(&s);
	}
	return bad_seeds;
}

TEST(random_scripts_match_the_host)
{
	unsigned long first = TEST_SEED(), nseeds = 40 * TEST_SCALE(), lines = 0;
	long bad;

	if (!sim_has_processes()) {
		printf("  skipped: the simulator does not run 'spawn' yet\n");
		return;
	}
	bad = compare_seeds(first, nseeds, 0, &lines);
	report_seeds("", bad, lines, first, nseeds);
}

/*
 * The same with accesses, forks and shared memory (SCRIPT_GEN_FAULTS),
 * every touch, read and write with its fault counts (--faults).
 */
TEST(random_fault_scripts_match_the_host)
{
	unsigned long first = TEST_SEED(), nseeds = 40 * TEST_SCALE(), lines = 0;
	long bad;

	if (!sim_has_processes()) {
		printf("  skipped: the simulator does not run 'spawn' yet\n");
		return;
	}
	bad = compare_seeds(first, nseeds, SCRIPT_GEN_FAULTS, &lines);
	report_seeds("with faults ", bad, lines, first, nseeds);
}

/*
 * The kernel chooses addresses (SCRIPT_GEN_KERNEL_ADDR, with accesses,
 * forks and shared memory): mmap with ADDR 0, hints, lengths that are
 * multiples of 2 MiB, mremap with MREMAP_MAYMOVE; results, the window's
 * maps and the fault counts compared.
 */
TEST(random_kernel_address_scripts_match_the_host)
{
	unsigned long first = TEST_SEED(), nseeds = 40 * TEST_SCALE(), lines = 0;
	const struct host_features *hf = diff_host();
	long bad;

	if (!sim_has_processes()) {
		printf("  skipped: the simulator does not run 'spawn' yet\n");
		return;
	}
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	/* The sanitizer's runtime maps its own memory at kernel-chosen
	 * addresses while the script runs, into the window's plugged gaps
	 * on the host side only (docs/differential.md). */
	printf("  skipped: under a sanitizer, whose runtime maps memory the kernel places in the window\n");
	(void)hf;
	(void)first;
	(void)nseeds;
	(void)lines;
	(void)bad;
	return;
#endif
	if (hf->legacy_layout) {
		printf("  skipped: the host's mmap layout is bottom-up (legacy_va_layout or an unlimited RLIMIT_STACK), the window is searched top-down\n");
		return;
	}
	if (!hf->thp) {
		printf("  skipped: the host kernel has no transparent huge pages (no THP alignment), the simulator aligns\n");
		return;
	}
	if (host_features_shmem_aligns(hf))
		printf("  shared mappings stay fixed: the host aligns shared anonymous memory (shmem_enabled=%s)\n",
		       hf->thp_shmem);
	bad = compare_seeds(first, nseeds, SCRIPT_GEN_FAULTS | SCRIPT_GEN_KERNEL_ADDR, &lines);
	report_seeds("with kernel-chosen addresses ", bad, lines, first, nseeds);
}

/* The executor refuses what could touch memory outside its window. */
TEST(executor_stays_in_its_window)
{
	static const char *const lines[] = {
		"spawn",
		"mmap 1 0x300000000000 64M PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE|MAP_NORESERVE",
		"munmap 1 0x300003fff000 8K",			/* past the end */
		"munmap 1 0x2ffffffff000 4K",			/* below */
		"mprotect 1 0x300000000000 0x10000000000 PROT_READ",
		"madvise 1 0x300000000000 1G MADV_DONTNEED",
		"mremap 1 0x300000000000 4K 4K MREMAP_MAYMOVE|MREMAP_FIXED 0x400000",
		"mmap 1 0x200000 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED",
		"madvise 1 0x300000000000 4K MADV_HWPOISON",
		"touch 1 0x2ffffffff000 8K w",			/* starts below */
		"write 1 0x300003ffffff \"ab\"",		/* ends past the end */
		"read 1 0x7f0000000000 4",
		"munmap 1 0x300000000000 0x4000000000000000",	/* refused by Linux */
		"mmap 1 0x300000000000 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED",
		"mmap 2 0x300000000000 4K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED",
		"spawn",
		"brk 1",
		"cat /proc/1/maps",
	};
	static const char *const expected =
		"pid 1\n0x300000000000\n"
		"error EPERM\nerror EPERM\nerror EPERM\nerror EPERM\nerror EPERM\n"
		"error EPERM\nerror EPERM\nerror EPERM\nerror EPERM\nerror EPERM\n"
		"error EINVAL\n0x300000000000\n"
		"error ESRCH\npid 2\nerror ENOSYS\n"
		"300000000000-300000001000 r--p 00000000 00:00 0 \n"
		"300000001000-300004000000 ---p 00000000 00:00 0 \n";
	struct script s = { 0 };
	struct outputs o = { 0 };
	char *all = NULL;
	size_t len = 0;
	FILE *f;
	unsigned int i;

	s.line = (char **)lines;
	s.n = sizeof(lines) / sizeof(lines[0]);
	ASSERT_EQ(run_host(&s, &o, true, false), 11);
	f = open_memstream(&all, &len);
	ASSERT_NOT_NULL(f);
	for (i = 0; i < o.n; i++)
		fputs(o.line[i], f);
	fclose(f);
	outputs_free(&o);
	if (strcmp(all, expected)) {
		fprintf(stderr, "--- got\n%s--- want\n%s", all, expected);
		free(all);
		TEST_FAIL_("%s", "the executor's answers differ");
	}
	free(all);
}

/*
 * Every generated line runs on the host: none is malformed, none leaves
 * the window.  (Checked here too so that it holds while the simulator
 * cannot run the scripts.)
 */
TEST(generated_scripts_run_on_the_host)
{
	unsigned long first = TEST_SEED(), nseeds = 40 * TEST_SCALE(), seed;

	for (seed = first; seed < first + nseeds; seed++) {
		struct script s;
		struct outputs host = { 0 };
		int bad;

		static const unsigned int modes[] = {
			0, SCRIPT_GEN_FAULTS, SCRIPT_GEN_FAULTS | SCRIPT_GEN_KERNEL_ADDR,
		};
		unsigned int mode = modes[seed % 3];

		script_make(&s, seed, mode);
		bad = run_host(&s, &host, false, diff_mode(mode));
		outputs_free(&host);
		script_free(&s);
		if (bad)
			TEST_FAIL_("seed %lu: %d lines malformed or refused (-1: the executor failed)",
				   seed, bad);
	}
}

/* The same seed, the same script; another seed, another script. */
TEST(generator_is_deterministic)
{
	struct script a, b, c;
	unsigned int differ = 0;

	script_make(&a, 11, 0);
	script_make(&b, 11, 0);
	script_make(&c, 12, 0);
	ASSERT_EQ(a.n, b.n);
	ASSERT_EQ(a.n, NR_LINES + 4);
	for (unsigned int i = 0; i < a.n; i++)
		ASSERT_STR_EQ(a.line[i], b.line[i]);
	for (unsigned int i = 3; i < a.n; i++)
		differ += strcmp(a.line[i], c.line[i]) != 0;
	ASSERT_LE(NR_LINES / 2, differ);
	script_free(&a);
	script_free(&b);
	script_free(&c);
}

/* KMM_TEST_ONLY=WORD runs only the tests whose name contains WORD. */
#define RUN_SELECTED(name)                                                    \
	do {                                                                  \
		const char *only_ = getenv("KMM_TEST_ONLY");                  \
		if (!only_ || strstr(#name, only_))                           \
			RUN_TEST(name);                                       \
	} while (0)

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	host_features_print(diff_host(), stdout);
	RUN_SELECTED(generator_is_deterministic);
	RUN_SELECTED(executor_stays_in_its_window);
	RUN_SELECTED(generated_scripts_run_on_the_host);
	RUN_SELECTED(random_scripts_match_the_host);
	RUN_SELECTED(random_fault_scripts_match_the_host);
	RUN_SELECTED(random_kernel_address_scripts_match_the_host);
	return harness_summary();
}
