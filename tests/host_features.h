/*
 * tests/host_features.h - what the host differential tests need to know
 * about the machine they run on, read in one place: whether the CPU and
 * kernel use protection keys, the transparent huge page settings, the
 * overcommit policy, vm.max_map_count, vm.mmap_min_addr, the mmap layout,
 * the stack guard gap, fault_around_bytes, RLIMIT_MEMLOCK and
 * RLIMIT_STACK.  A test boots the simulator with the same features
 * (host_features_boot_line, host_features_config), runs the same sysctl
 * and rlimit lines in it after spawn (host_features_setup_lines), and
 * says what it read, what it left out and why (host_features_print).
 *
 * RLIMIT_MEMLOCK is the host's own, as `ulimit -l` shows it (the soft
 * limit getrlimit reads): the host executor's processes get it back after
 * host_exec_drop_privileges (host_features_apply_limits), and the
 * simulator's pid 1 gets it by prlimit, so mlock meets the same limit on
 * both sides whatever the machine running the tests set.
 *
 * KMM_TEST_PKU=off treats the host as one without protection keys: the
 * simulator boots with pku=off and kmm-host runs with --pku=off, so the
 * whole suite runs "as on a host without PKU" on one that has it.
 */
#ifndef KMM_TESTS_HOST_FEATURES_H
#define KMM_TESTS_HOST_FEATURES_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <kmm/kmm.h>

/* Each test uses some of these. */
#define HF_STATIC	static __attribute__((unused))

#define HF_DEFAULT_GUARD_GAP	256ul		/* stack_guard_gap, pages */
#define HF_DEFAULT_FAULT_AROUND	65536l
#define HF_LINUX_LIMIT		(8ul << 20)	/* RLIMIT_MEMLOCK and RLIMIT_STACK */

struct host_features {
	bool cpu_pku;			/* /proc/cpuinfo: pku and ospke */
	bool pku;			/* cpu_pku, unless KMM_TEST_PKU=off */
	bool pku_forced_off;		/* KMM_TEST_PKU=off */
	bool sim_pku_option;		/* the simulator's boot takes pku= */
	bool zero_page;			/* reads of fresh anonymous memory map the zero page */
	bool thp;			/* the kernel has transparent huge pages */
	char thp_enabled[16];		/* always, madvise, never */
	char thp_shmem[16];		/* shmem_enabled: always ... never, deny, force */
	char thp_shmem_pmd[16];		/* hugepages-2048kB/shmem_enabled, "" if none */
	int overcommit_memory;
	int overcommit_ratio;
	unsigned long overcommit_kbytes;
	long max_map_count;
	unsigned long mmap_min_addr;
	bool legacy_layout;		/* bottom-up mmap (vm.legacy_va_layout,
					 * or RLIMIT_STACK unlimited at exec) */
	unsigned long guard_gap;	/* stack_guard_gap=, pages */
	long fault_around_bytes;	/* -1: debugfs not readable */
	struct rlimit memlock;
	struct rlimit stack;
};

/* The first word after "key: " or the bracketed one of a sysfs list. */
HF_STATIC void hf_read_word(const char *path, char *out, size_t size)
{
	char buf[256], *b, *e;
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (!f)
		return;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	b = strchr(buf, '[');
	e = b ? strchr(b, ']') : NULL;
	if (b && e) {
		*e = 0;
		snprintf(out, size, "%s", b + 1);
	} else {
		buf[strcspn(buf, " \n")] = 0;
		snprintf(out, size, "%s", buf);
	}
}

HF_STATIC long hf_read_long(const char *path, long def)
{
	char buf[64];

	hf_read_word(path, buf, sizeof(buf));
	return buf[0] ? strtol(buf, NULL, 10) : def;
}

/* Both words among the flags of the first CPU in /proc/cpuinfo. */
HF_STATIC bool hf_cpu_flags(const char *a, const char *b)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char *line = NULL;
	size_t cap = 0;
	bool yes = false;

	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		char *p, *save = NULL, *w;
		bool has_a = false, has_b = false;

		if (strncmp(line, "flags", 5))
			continue;
		p = strchr(line, ':');
		for (w = strtok_r(p ? p + 1 : line, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
			has_a |= !strcmp(w, a);
			has_b |= !strcmp(w, b);
		}
		yes = has_a && has_b;
		break;
	}
	free(line);
	fclose(f);
	return yes;
}

/* stack_guard_gap=N on the kernel command line, in pages. */
HF_STATIC unsigned long hf_guard_gap(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	const char *p;
	size_t n;

	if (!f)
		return HF_DEFAULT_GUARD_GAP;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	p = strstr(buf, "stack_guard_gap=");
	return p ? strtoul(p + 16, NULL, 0) : HF_DEFAULT_GUARD_GAP;
}

/* Whether the simulator's boot takes option=value. */
HF_STATIC bool hf_sim_has_option(const char *name, const char *value)
{
	struct kmm_config cfg = { 0 };
	char err[160];

	return kmm_config_set(&cfg, name, value, err, sizeof(err)) == 0;
}

/*
 * Whether the host maps the shared zero page on a read of fresh anonymous
 * memory: then a write after the read faults again (copy on write);
 * a kernel that gives each read a page of its own takes no second fault.
 */
HF_STATIC bool hf_probe_zero_page(void)
{
	volatile char *p = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct rusage a, b;
	int i, sum = 0;

	if (p == MAP_FAILED)
		return true;
	for (i = 0; i < 16; i++)
		sum += p[i * 4096];
	getrusage(RUSAGE_SELF, &a);
	for (i = 0; i < 16; i++)
		p[i * 4096] = (char)(sum + 1);
	getrusage(RUSAGE_SELF, &b);
	munmap((void *)p, 16 * 4096);
	return b.ru_minflt - a.ru_minflt >= 8;
}

HF_STATIC void host_features_read(struct host_features *hf)
{
	const char *force = getenv("KMM_TEST_PKU");
	memset(hf, 0, sizeof(*hf));
	hf->cpu_pku = hf_cpu_flags("pku", "ospke");
	hf->pku_forced_off = force && !strcmp(force, "off");
	hf->pku = hf->cpu_pku && !hf->pku_forced_off;
	hf->sim_pku_option = hf_sim_has_option("pku", "off");
	hf->zero_page = hf_probe_zero_page();
	hf_read_word("/sys/kernel/mm/transparent_hugepage/enabled", hf->thp_enabled,
		     sizeof(hf->thp_enabled));
	hf->thp = hf->thp_enabled[0] != 0;
	hf_read_word("/sys/kernel/mm/transparent_hugepage/shmem_enabled", hf->thp_shmem,
		     sizeof(hf->thp_shmem));
	hf_read_word("/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/shmem_enabled",
		     hf->thp_shmem_pmd, sizeof(hf->thp_shmem_pmd));
	hf->overcommit_memory = (int)hf_read_long("/proc/sys/vm/overcommit_memory", 0);
	hf->overcommit_ratio = (int)hf_read_long("/proc/sys/vm/overcommit_ratio", 50);
	hf->overcommit_kbytes = (unsigned long)hf_read_long("/proc/sys/vm/overcommit_kbytes", 0);
	hf->max_map_count = hf_read_long("/proc/sys/vm/max_map_count", 65530);
	hf->mmap_min_addr = (unsigned long)hf_read_long("/proc/sys/vm/mmap_min_addr", 4096);
	getrlimit(RLIMIT_MEMLOCK, &hf->memlock);
	getrlimit(RLIMIT_STACK, &hf->stack);
	/* This process was exec'd with the RLIMIT_STACK it has now (as far
	 * as a test can tell): unlimited gives the legacy layout. */
	hf->legacy_layout = hf_read_long("/proc/sys/vm/legacy_va_layout", 0) != 0 ||
			    hf->stack.rlim_cur == RLIM_INFINITY;
	hf->guard_gap = hf_guard_gap();
	hf->fault_around_bytes = hf_read_long("/sys/kernel/debug/fault_around_bytes", -1);
}

/* Whether shared anonymous memory gets THP-aligned addresses on the host. */
HF_STATIC bool host_features_shmem_aligns(const struct host_features *hf)
{
	bool pmd_inherits = !hf->thp_shmem_pmd[0] || !strcmp(hf->thp_shmem_pmd, "inherit");
	const char *mode = pmd_inherits ? hf->thp_shmem : hf->thp_shmem_pmd;

	return hf->thp && strcmp(mode, "never") && strcmp(mode, "deny") && mode[0];
}

/* The simulator's boot line for the host's features ("" if none), with
 * only the options the simulator takes. */
HF_STATIC void host_features_boot_line(const struct host_features *hf, char *buf, size_t size)
{
	buf[0] = 0;
	if (hf->sim_pku_option)
		snprintf(buf, size, "boot pku=%s%s", hf->pku ? "on" : "off",
			 hf->zero_page ? "" : " zero_page=off");
}

/* The same for a kmm_config (tests that boot through the C API). */
HF_STATIC void host_features_config(const struct host_features *hf, struct kmm_config *cfg)
{
	char err[160];

	if (hf->sim_pku_option)
		kmm_config_set(cfg, "pku", hf->pku ? "on" : "off", err, sizeof(err));
	if (!hf->zero_page)
		kmm_config_set(cfg, "zero_page", "off", err, sizeof(err));
}

/* The stack limit a kmm-host process ends up with (host_exec_drop_privileges). */
HF_STATIC unsigned long hf_limit(const struct rlimit *rl)
{
	return rl->rlim_max != RLIM_INFINITY && rl->rlim_max < HF_LINUX_LIMIT ?
	       (unsigned long)rl->rlim_max : HF_LINUX_LIMIT;
}

/* A limit in bytes as the simulator's prlimit takes it; ~0ul: unlimited. */
HF_STATIC unsigned long hf_bytes(rlim_t v)
{
	return v == RLIM_INFINITY ? ~0ul : (unsigned long)v;
}

/* RLIMIT_MEMLOCK as `ulimit -l` shows it: the soft limit, in bytes. */
HF_STATIC unsigned long hf_memlock(const struct host_features *hf)
{
	return hf_bytes(hf->memlock.rlim_cur);
}

/* "8192K" or "unlimited", for the test output. */
HF_STATIC const char *hf_kib(unsigned long bytes, char *buf, size_t size)
{
	if (bytes == ~0ul)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%luK", bytes >> 10);
	return buf;
}

/*
 * In a host executor's process, after host_exec_drop_privileges (which
 * sets Linux's default 8 MiB, the simulator's): the RLIMIT_MEMLOCK this
 * test was started with again.  0 or -errno.
 */
HF_STATIC int host_features_apply_limits(const struct host_features *hf)
{
	return setrlimit(RLIMIT_MEMLOCK, &hf->memlock) ? -errno : 0;
}

/*
 * The lines the simulator runs after the script spawns pid 1, so that
 * its sysctls and limits are the host's; returns how many it wrote.
 */
HF_STATIC int host_features_setup_lines(const struct host_features *hf, char lines[][96], int max)
{
	int n = 0;

	if (n < max)
		snprintf(lines[n++], 96, "echo %d > /proc/sys/vm/overcommit_memory", hf->overcommit_memory);
	if (n < max)
		snprintf(lines[n++], 96, "echo %d > /proc/sys/vm/overcommit_ratio", hf->overcommit_ratio);
	if (hf->overcommit_kbytes && n < max)
		snprintf(lines[n++], 96, "echo %lu > /proc/sys/vm/overcommit_kbytes", hf->overcommit_kbytes);
	if (n < max)
		snprintf(lines[n++], 96, "echo %ld > /proc/sys/vm/max_map_count", hf->max_map_count);
	if (hf_memlock(hf) == ~0ul && n < max)
		snprintf(lines[n++], 96, "prlimit 1 RLIMIT_MEMLOCK unlimited");
	else if (hf_memlock(hf) != HF_LINUX_LIMIT && n < max)
		snprintf(lines[n++], 96, "prlimit 1 RLIMIT_MEMLOCK %lu", hf_memlock(hf));
	if (hf_limit(&hf->stack) != HF_LINUX_LIMIT && n < max)
		snprintf(lines[n++], 96, "prlimit 1 RLIMIT_STACK %lu", hf_limit(&hf->stack));
	return n;
}

/* One paragraph: the features, what the simulator is given, and what
 * cannot be matched (then the tests that depend on it say so). */
HF_STATIC void host_features_print(const struct host_features *hf, FILE *f)
{
	char soft[32], hard[32];

	fprintf(f, "  host: pku=%s%s thp=%s shmem_thp=%s%s%s overcommit_memory=%d ratio=%d kbytes=%lu"
		   " max_map_count=%ld mmap_min_addr=%lu layout=%s memlock=%s (ulimit -l; hard %s)"
		   " stack=%luK\n",
		hf->cpu_pku ? "on" : "off", hf->pku_forced_off ? " (KMM_TEST_PKU=off: tested as off)" : "",
		hf->thp ? hf->thp_enabled : "none", hf->thp_shmem[0] ? hf->thp_shmem : "none",
		hf->thp_shmem_pmd[0] ? "/2M:" : "", hf->thp_shmem_pmd,
		hf->overcommit_memory, hf->overcommit_ratio, hf->overcommit_kbytes,
		hf->max_map_count, hf->mmap_min_addr, hf->legacy_layout ? "legacy" : "top-down",
		hf_kib(hf_memlock(hf), soft, sizeof(soft)),
		hf_kib(hf_bytes(hf->memlock.rlim_max), hard, sizeof(hard)), hf_limit(&hf->stack) >> 10);
	fprintf(f, "  mlock: both sides get RLIMIT_MEMLOCK %s, as getrlimit read it%s\n", soft,
		hf_memlock(hf) == HF_LINUX_LIMIT ? " (Linux's default: the simulator's too)" :
		" (the simulator's pid 1 by prlimit; kmm-host alone would use 8 MiB)");
	if (!hf->sim_pku_option)
		fprintf(f, "  note: the simulator's boot has no pku= option yet; booted without it%s\n",
			hf->pku ? " (lines with PROT_EXEC or pkeys differ where it lacks keys)" : "");
	if (!hf->zero_page)
		fprintf(f, "  note: this host's kernel maps no zero page on anonymous reads: the simulator boots zero_page=off (lines pinned to a default Linux's counts are not checked)\n");
	if (hf->overcommit_memory == 2)
		fprintf(f, "  note: overcommit_memory=2: the host's commit limit counts every process, mmap results may differ\n");
	if (hf->guard_gap != HF_DEFAULT_GUARD_GAP)
		fprintf(f, "  note: stack_guard_gap=%lu pages, the simulator has %lu: MAP_GROWSDOWN lines may differ\n",
			hf->guard_gap, HF_DEFAULT_GUARD_GAP);
	if (hf->fault_around_bytes >= 0 && hf->fault_around_bytes != HF_DEFAULT_FAULT_AROUND)
		fprintf(f, "  note: fault_around_bytes=%ld, the simulator has %ld: shared-memory fault counts may differ\n",
			hf->fault_around_bytes, HF_DEFAULT_FAULT_AROUND);
	if (hf_limit(&hf->stack) != HF_LINUX_LIMIT)
		fprintf(f, "  note: a hard RLIMIT_STACK below 8 MiB: the simulator gets the same by prlimit\n");
}

#endif
