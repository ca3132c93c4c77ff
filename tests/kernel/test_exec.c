/*
 * tests/kernel/test_exec.c - the layout of a freshly exec'd program
 * (fs/exec.c, fs/binfmt_elf.c, arch/x86/mm/mmap.c) against the host kernel.
 *
 * The host side: a child asks to be traced (PTRACE_TRACEME), turns ASLR
 * off for itself (personality(ADDR_NO_RANDOMIZE), what `setarch -R`
 * does), sets RLIMIT_STACK to the 8 MiB kmm assumes (it places
 * mmap_base), and execs /usr/bin/cat or /usr/bin/dash.  The exec stops it
 * with SIGTRAP before its first instruction, so /proc/CHILD/maps shows
 * exactly what execve built.  The kmm side: a machine booted with
 * norandmaps (aslr=off) spawns "cat" or "sh" and prints /proc/1/maps.
 *
 * The maps must be byte-identical except the device and inode columns
 * (the simulated disk is 08:01 with its own inode numbers); the column
 * where the name starts is still compared.  Of /proc/PID/status the
 * address-space sizes are compared (VmPeak VmSize VmLck VmData VmStk
 * VmExe VmLib) and what exec itself touched: the argument page of the
 * stack and the two pages whose .bss tail padzero cleared (VmHWM VmRSS
 * RssAnon RssFile RssShmem) and the page tables that took (VmPTE).  The VmFlags of every VMA in /proc/PID/smaps
 * are compared too ("sd" aside when the host kernel has no soft-dirty).
 *
 * The test skips, saying why, if the host's cat, dash or ld.so is not the
 * Debian 12 file whose program headers kmm has built in (checked by size),
 * or if the host does not let a child be traced.
 *
 * With ASLR on, the layout must be a function of the boot seed, and every
 * random offset must lie in Linux's range (checked on the host too, when
 * the host randomizes: the ranges are then not just our own reading).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "tests/harness.h"
#include "tests/host_features.h"
#include "tests/kmm_test.h"

#define LD_SO		"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
#define STACK_LIMIT	(8ul << 20)
#define PG		4096ul
#define NAME_COLUMN	73

struct program {
	const char *path;	/* on the host */
	const char *name;	/* for kernel_spawn */
	long size;		/* of the built-in image's file */
	unsigned long bss_end;	/* p_vaddr + p_memsz of the last PT_LOAD */
};

static const struct program cat = { "/usr/bin/cat", "cat", 44016, 0xac30 + 0x7e8 };
static const struct program dash = { "/usr/bin/dash", "sh", 125640, 0x1de30 + 0x4140 };

static char skip_reason[256];
static unsigned long host_start_brk;	/* from the last host_exec's /proc/PID/stat */
static char host_smaps[131072];		/* the last host_exec's /proc/PID/smaps */

/* NULL if the host has the file the built-in image describes. */
static const char *host_file_differs(const char *path, long size)
{
	struct stat st;

	if (stat(path, &st))
		snprintf(skip_reason, sizeof(skip_reason), "%s: %s", path, strerror(errno));
	else if (st.st_size != size)
		snprintf(skip_reason, sizeof(skip_reason),
			 "%s is %ld bytes, the built-in image is of %ld", path,
			 (long)st.st_size, size);
	else
		return NULL;
	return skip_reason;
}

static long slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
	fclose(f);
	return (long)n;
}

/* Field 47 of /proc/PID/stat (start_brk, shown to a tracer); 0 or -1. */
static int stat_start_brk(const char *path, unsigned long *start_brk)
{
	char buf[2048], *p;
	int field;

	if (slurp(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return -1;
	for (field = 2; field < 47 && p; field++)	/* to the space before field 47 */
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %lu", start_brk) != 1)
		return -1;
	return 0;
}

/*
 * Runs path on the host up to its exec stop and copies its maps and
 * status.  0, 1 with skip_reason set, or -1 (a failure, said on stderr).
 */
static int host_exec(const char *path, int norandom, char *maps, char *status, size_t size)
{
	char proc[64];
	int st, ret = -1;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit rl;
		char *argv[] = { (char *)path, NULL };

		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(3);
		if (norandom && personality(ADDR_NO_RANDOMIZE) < 0)
			_exit(4);
		if (getrlimit(RLIMIT_STACK, &rl) || rl.rlim_max < STACK_LIMIT)
			_exit(5);
		rl.rlim_cur = STACK_LIMIT;
		if (setrlimit(RLIMIT_STACK, &rl))
			_exit(5);
		execv(path, argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st)) {
		static const char *const why[] = {
			[3] = "ptrace(PTRACE_TRACEME) is not permitted",
			[4] = "personality(ADDR_NO_RANDOMIZE) is not permitted",
			[5] = "RLIMIT_STACK cannot be set to 8 MiB",
		};
		int code = WEXITSTATUS(st);

		if (code >= 3 && code <= 5) {
			snprintf(skip_reason, sizeof(skip_reason), "%s", why[code]);
			return 1;
		}
		fprintf(stderr, "  host child exited with %d (exec of %s failed?)\n", code, path);
		return -1;
	}
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP) {
		snprintf(proc, sizeof(proc), "/proc/%d/maps", (int)pid);
		ret = slurp(proc, maps, size) > 0 ? 0 : -1;
		snprintf(proc, sizeof(proc), "/proc/%d/status", (int)pid);
		if (!ret)
			ret = slurp(proc, status, size) > 0 ? 0 : -1;
		snprintf(proc, sizeof(proc), "/proc/%d/smaps", (int)pid);
		if (!ret)
			ret = slurp(proc, host_smaps, sizeof(host_smaps)) > 0 ? 0 : -1;
		snprintf(proc, sizeof(proc), "/proc/%d/stat", (int)pid);
		if (!ret)
			ret = stat_start_brk(proc, &host_start_brk);
	} else {
		fprintf(stderr, "  host child: unexpected wait status %#x\n", st);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return ret;
}

/*
 * One maps line with the device and inode masked: "start-end perms
 * offset DEV INO", then the column the name starts at and the name, or
 * the raw rest of the line when there is no name (Linux leaves one
 * trailing space).
 */
static void mask_line(const char *line, size_t len, char *out, size_t outlen)
{
	const char *p = line, *end = line + len;
	int field;

	for (field = 0; field < 3 && p < end; p++)
		if (*p == ' ')
			field++;
	snprintf(out, outlen, "%.*s DEV INO", (int)(p - line), line);
	while (p < end && *p != ' ')		/* device */
		p++;
	if (p < end)
		p++;
	while (p < end && *p != ' ')		/* inode */
		p++;
	{
		const char *name = p;

		while (name < end && *name == ' ')
			name++;
		if (name < end)
			snprintf(out + strlen(out), outlen - strlen(out), " @%ld %.*s",
				 (long)(name - line), (int)(end - name), name);
		else
			snprintf(out + strlen(out), outlen - strlen(out), "%.*s",
				 (int)(end - p), p);
	}
}

/* Compares two maps texts line by line, masked; 0 or the first bad line. */
static int compare_maps(const char *host, const char *kmm, char *why, size_t whylen)
{
	int n = 1;

	for (;; n++) {
		size_t hl = strcspn(host, "\n"), kl = strcspn(kmm, "\n");
		char hm[512], km[512];

		if (!*host && !*kmm)
			return 0;
		mask_line(host, hl, hm, sizeof(hm));
		mask_line(kmm, kl, km, sizeof(km));
		if (strcmp(hm, km) || !*host != !*kmm) {
			snprintf(why, whylen, "line %d:\n  host: %.*s\n  kmm:  %.*s", n,
				 (int)hl, host, (int)kl, kmm);
			return n;
		}
		host += hl + (host[hl] == '\n');
		kmm += kl + (kmm[kl] == '\n');
	}
}

/* The "Vm...:\t  N kB" line of label in a status text ("" if none). */
static void status_line(const char *status, const char *label, char *out, size_t outlen)
{
	const char *p = status;
	size_t n = strlen(label);

	out[0] = 0;
	for (; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n'))
		if (!strncmp(p, label, n) && p[n] == ':') {
			snprintf(out, outlen, "%.*s", (int)strcspn(p, "\n"), p);
			return;
		}
}

/*
 * The VmFlags lines of an smaps text, one per VMA, joined.  A kernel
 * without CONFIG_MEM_SOFT_DIRTY never prints "sd"; kmm models one with
 * it (Debian's), so "sd" is dropped when keep_sd is 0.
 */
static void vmflags(const char *smaps, int keep_sd, char *out, size_t size)
{
	const char *p;
	size_t len = 0;

	out[0] = 0;
	for (p = smaps; (p = strstr(p, "VmFlags:")); p += 8) {
		const char *end = p + strcspn(p, "\n"), *f;

		for (f = p + 8; f < end && len + 4 < size; f += 3) {
			while (*f == ' ')
				f++;
			if (f + 2 > end || (!keep_sd && !strncmp(f, "sd", 2)))
				continue;
			len += (size_t)snprintf(out + len, size - len, "%.2s ", f);
		}
		if (len + 2 < size)
			len += (size_t)snprintf(out + len, size - len, "|\n");
	}
}

static void self_check_mask(void)
{
	char a[512], b[512];

	/* Different device, inode and inode width: equal once masked. */
	mask_line("5000-6000 r--p 00000000 fe:00 247134                     /usr/bin/cat", 74,
		  a, sizeof(a));
	mask_line("5000-6000 r--p 00000000 08:01 1310721                    /usr/bin/cat", 74,
		  b, sizeof(b));
	if (strcmp(a, b))
		fprintf(stderr, "  mask_line: '%s' != '%s'\n", a, b), abort();
	/* A name one column off is not. */
	mask_line("5000-6000 r--p 00000000 08:01 1310721                     /usr/bin/cat", 75,
		  b, sizeof(b));
	if (!strcmp(a, b))
		fprintf(stderr, "  mask_line ignores the name column\n"), abort();
}

static void compare_with_host(const struct program *prog)
{
	static char hmaps[65536], hstatus[65536], kmaps[65536], kstatus[65536];
	static const char *const labels[] = {
		"VmPeak", "VmSize", "VmLck", "VmData", "VmStk", "VmExe", "VmLib",
		"VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmPTE",
	};
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k;
	struct task_struct *t;
	char why[2048];
	int err, r;
	size_t i;

	self_check_mask();
	if (host_file_differs(prog->path, prog->size) || host_file_differs(LD_SO, 215000)) {
		printf("SKIP: %s\n", skip_reason);
		return;
	}
	r = host_exec(prog->path, 1, hmaps, hstatus, sizeof(hmaps));
	if (r == 1) {
		printf("SKIP: %s\n", skip_reason);
		return;
	}
	ASSERT_EQ(r, 0);
	/* kmm lays out 6.18's vDSO ([vvar] 4 pages, [vvar_vclock] 2,
	 * [vdso] 2); older kernels map it differently. */
	if (!strstr(hmaps, "[vvar_vclock]")) {
		printf("SKIP: the host's vDSO layout is not Linux 6.18's (no [vvar_vclock])\n");
		return;
	}

	{
		struct host_features hf;

		host_features_read(&hf);	/* the host's features (pku=) */
		host_features_config(&hf, &cfg);
	}
	k = kmm_boot(&cfg);
	ASSERT_NOT_NULL(k);
	t = kernel_spawn(prog->name, &err);
	ASSERT_NOT_NULL(t);
	ASSERT_EQ(t->pid, 1);
	ASSERT_TRUE(kmm_proc_read("/proc/1/maps", kmaps, sizeof(kmaps)) > 0);
	ASSERT_TRUE(kmm_proc_read("/proc/1/status", kstatus, sizeof(kstatus)) > 0);
	if (compare_maps(hmaps, kmaps, why, sizeof(why)))
		TEST_FAIL_("%s: /proc/PID/maps differs at %s\n--- host\n%s--- kmm\n%s",
			   prog->path, why, hmaps, kmaps);
	for (i = 0; i < ARRAY_SIZE(labels); i++) {
		char h[128], km[128];

		status_line(hstatus, labels[i], h, sizeof(h));
		status_line(kstatus, labels[i], km, sizeof(km));
		ASSERT_TRUE(h[0] != 0);
		ASSERT_STR_EQ(km, h);
	}
	/* Each VMA's flags, as smaps prints them. */
	{
		static char ksmaps[131072], hf[16384], kf[16384];
		int host_sd = strstr(host_smaps, " sd ") != NULL;

		ASSERT_TRUE(kmm_proc_read("/proc/1/smaps", ksmaps, sizeof(ksmaps)) > 0);
		vmflags(host_smaps, 1, hf, sizeof(hf));
		vmflags(ksmaps, host_sd, kf, sizeof(kf));
		ASSERT_TRUE(strchr(hf, '|') != NULL);
		ASSERT_STR_EQ(kf, hf);
	}
	do_exit(t);
	kmm_shutdown(k);
}

TEST(exec_cat_as_host)
{
	compare_with_host(&cat);
}

TEST(exec_dash_as_host)
{
	compare_with_host(&dash);
}

/* What the random offsets decided for one exec. */
struct aslr_layout {
	unsigned long load_bias;	/* the PIE's first page */
	unsigned long mmap_base;
	unsigned long stack_end;	/* end of the [stack] vma */
	unsigned long start_brk;
	unsigned long interp;		/* ld.so's first page */
	unsigned long vdso;		/* [vvar]'s first page */
};

/* Reads the layout back from a maps text (start_brk and mmap_base: 0). */
static int parse_layout(const char *maps, struct aslr_layout *l)
{
	const char *p;

	memset(l, 0, sizeof(*l));
	for (p = maps; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n')) {
		unsigned long s, e;
		size_t n = strcspn(p, "\n");

		if (sscanf(p, "%lx-%lx", &s, &e) != 2)
			return -1;
		if (!l->load_bias)
			l->load_bias = s;
		if (!l->interp && memmem(p, n, "ld-linux", 8))
			l->interp = s;
		if (!l->vdso && memmem(p, n, "[vvar]", 6))
			l->vdso = s;
		if (memmem(p, n, "[stack]", 7))
			l->stack_end = e;
	}
	return l->load_bias && l->interp && l->vdso && l->stack_end ? 0 : -1;
}

static int kmm_layout(unsigned long seed, const char *name, struct aslr_layout *l,
		      char *maps, size_t size)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1, .seed = seed };
	struct kmm *k = kmm_boot(&cfg);
	struct task_struct *t;
	int err;

	if (!k)
		return -1;
	t = kernel_spawn(name, &err);
	if (!t || kmm_proc_read("/proc/1/maps", maps, size) <= 0 || parse_layout(maps, l)) {
		kmm_shutdown(k);
		return -1;
	}
	l->mmap_base = t->mm->mmap_base;
	l->start_brk = t->mm->start_brk;
	err = t->mm->brk == t->mm->start_brk ? 0 : -1;
	do_exit(t);
	kmm_shutdown(k);
	return err;
}

/*
 * Linux's ranges (randomize_va_space=2, 8 MiB stack limit): "" or what
 * is out of range.  mmap_base is 0 when unknown (the host).
 */
static const char *out_of_range(const struct aslr_layout *l, unsigned long bss_end)
{
	const unsigned long dyn_base = 0x555555554000ul, top = 0x7ffffffff000ul;
	const unsigned long mmap_rnd = (1ul << 28) * PG, stack_rnd = (1ul << 22) * PG;
	const unsigned long gap = STACK_LIMIT + (stack_rnd - PG) + 256 * PG;
	unsigned long heap = (l->load_bias + bss_end + PG - 1) / PG * PG + PG;

	if (l->load_bias < dyn_base || l->load_bias >= dyn_base + mmap_rnd || l->load_bias % PG)
		return "PIE base";
	if (l->mmap_base && (l->mmap_base > top - gap || l->mmap_base < top - gap - mmap_rnd ||
			     l->mmap_base % PG))
		return "mmap_base";
	if (l->mmap_base && (l->interp >= l->mmap_base || l->vdso >= l->mmap_base))
		return "ld.so and the vDSO below mmap_base";
	if (l->interp >= top - gap || l->vdso >= top - gap)
		return "ld.so and the vDSO below the stack gap";
	if (l->stack_end > top || l->stack_end < top - stack_rnd || l->stack_end % PG)
		return "stack top";
	if (l->start_brk && (l->start_brk < heap || l->start_brk >= heap + (1ul << 30) ||
			     l->start_brk % PG))
		return "start_brk";
	return "";
}

TEST(aslr_follows_the_seed)
{
	static char m1[65536], m2[65536], m3[65536];
	struct aslr_layout a, b, c;
	unsigned long seed;

	ASSERT_EQ(kmm_layout(1, "cat", &a, m1, sizeof(m1)), 0);
	ASSERT_EQ(kmm_layout(1, "cat", &b, m2, sizeof(m2)), 0);
	ASSERT_STR_EQ(m2, m1);
	ASSERT_EQ(kmm_layout(2, "cat", &c, m3, sizeof(m3)), 0);
	ASSERT_TRUE(strcmp(m1, m3) != 0);
	ASSERT_NE(a.load_bias, c.load_bias);
	ASSERT_NE(a.mmap_base, c.mmap_base);
	ASSERT_NE(a.stack_end, c.stack_end);
	ASSERT_NE(a.start_brk, c.start_brk);
	/* Not ASLR off in disguise. */
	ASSERT_NE(a.load_bias, 0x555555554000ul);
	ASSERT_NE(a.stack_end, 0x7ffffffff000ul);
	for (seed = 1; seed <= 50; seed++) {
		const struct program *prog = seed & 1 ? &cat : &dash;
		const char *bad;

		ASSERT_EQ(kmm_layout(seed, prog->name, &a, m1, sizeof(m1)), 0);
		bad = out_of_range(&a, prog->bss_end);
		if (*bad)
			TEST_FAIL_("seed %lu: %s out of Linux's range:\n%s", seed, bad, m1);
	}
}

/* The same ranges hold for the host's own randomised execs. */
TEST(aslr_ranges_hold_on_host)
{
	static char maps[65536], status[65536];
	char va[8] = "";
	int i;

	if (host_file_differs(cat.path, cat.size) || host_file_differs(LD_SO, 215000)) {
		printf("SKIP: %s\n", skip_reason);
		return;
	}
	if (slurp("/proc/sys/kernel/randomize_va_space", va, sizeof(va)) <= 0 || va[0] != '2') {
		printf("SKIP: host randomize_va_space is not 2\n");
		return;
	}
	for (i = 0; i < 8; i++) {
		struct aslr_layout l;
		const char *bad;
		int r = host_exec(cat.path, 0, maps, status, sizeof(maps));

		if (r == 1) {
			printf("SKIP: %s\n", skip_reason);
			return;
		}
		ASSERT_EQ(r, 0);
		ASSERT_EQ(parse_layout(maps, &l), 0);
		l.start_brk = host_start_brk;
		ASSERT_NE(l.start_brk, 0);
		bad = out_of_range(&l, cat.bss_end);
		if (*bad)
			TEST_FAIL_("host exec %d: %s out of the expected range:\n%s", i, bad, maps);
	}
}

int main(void)
{
	RUN_TEST(exec_cat_as_host);
	RUN_TEST(exec_dash_as_host);
	RUN_TEST(aslr_follows_the_seed);
	RUN_TEST(aslr_ranges_hold_on_host);
	return harness_summary();
}
