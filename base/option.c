/*
 * base/option.c - the boot options, one table.  Each row: name, where it
 * lives in struct kmm_config, default, range, and a line of help.  A value
 * comes from the default, then the environment (KMM_<NAME>), then the
 * caller's struct kmm_config (non-zero fields), then the script's `boot`
 * line.  A bad value is an error naming the option and the allowed range.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/option.h"
#include "base/parse.h"

#define OPT(field) offsetof(struct kmm_config, field), sizeof(((struct kmm_config *)0)->field)

static const char *const pku_names[] = { "host", "on", "off", NULL };
static const char *const shmem_huge_names[] = {
	"never", "always", "within_size", "advise", "deny", "force", NULL
};

const struct kmm_option kmm_options[] = {
	{ "mem", OPT(mem), KMM_OPT_SIZE, 1ul << 30, 32ul << 20, 64ul << 30,
	  "bytes of simulated RAM (K/M/G suffixes); a multiple of 2M, at most 64G", NULL, NULL },
	{ "max_mem", OPT(max_mem), KMM_OPT_SIZE, 0, 0, 1ul << 42,
	  "limit for memory hot-add (default 4 x mem)", NULL, NULL },
	{ "cpus", OPT(cpus), KMM_OPT_INT, 0, 1, KMM_MAX_CPUS,
	  "simulated CPUs, each with its per-CPU page lists (default: host CPUs)", NULL, NULL },
	{ "seed", OPT(seed), KMM_OPT_INT, 1, 0, ~0ul >> 1,
	  "seed for every random choice the machine makes", NULL, NULL },
	{ "min_free_kbytes", OPT(min_free_kbytes), KMM_OPT_INT, 0, 0, 1 << 30,
	  "vm.min_free_kbytes; 0 computes it as Linux does (sqrt of 16 x lowmem KiB)", NULL, NULL },
	{ "watermark_scale_factor", OPT(watermark_scale_factor), KMM_OPT_INT, 10, 1, 3000,
	  "vm.watermark_scale_factor: gap between watermarks, in 1/10000 of a zone", NULL, NULL },
	{ "bad_page_panic", OPT(bad_page_panic), KMM_OPT_INT, 0, 0, 1,
	  "1: abort() after a bad page report (like panic_on_taint)", NULL, NULL },
	{ "slab_debug", OPT(slab_debug), KMM_OPT_INT, 0, 0, 1,
	  "1: every slab cache gets red zones, poisoning and owner tracking (slab_debug=)", NULL, NULL },
	{ "paging", OPT(paging), KMM_OPT_INT, 4, 2, 4,
	  "4: x86-64 4-level tables; 2: also build the i386 2-level view (10/10/12) for translate", NULL, NULL },
	{ "aslr", OPT(norandmaps), KMM_OPT_OFF, 0, 0, 1,
	  "on: processes get random layouts from the seed (randomize_va_space=2); off: Linux's norandmaps", NULL, NULL },
	{ "segv", OPT(segv_kill), KMM_OPT_KILL, 0, 0, 1,
	  "handle: a process survives SIGSEGV/SIGBUS (a handler skips the access); kill: it dies", NULL, NULL },
	{ "quiet", OPT(quiet), KMM_OPT_INT, 0, 0, 1,
	  "1: reports go only to the report hook, not to stderr", NULL, NULL },
	{ "pku", OPT(pku), KMM_OPT_ENUM, KMM_PKU_HOST, 0, 2,
	  "protection keys (x86 OSPKE): on, off, or host (what this host's CPU has)",
	  pku_names, NULL },
	{ "transparent_hugepage_shmem", OPT(shmem_huge), KMM_OPT_ENUM, SHMEM_HUGE_NEVER, 0, 5,
	  "shmem_enabled: never|always|within_size|advise|deny|force (aligns shared anonymous mappings)",
	  shmem_huge_names, NULL },
	{ "tlb", OPT(tlb), KMM_OPT_STRING, 0, 0, 0,
	  "TLB geometry: l1d=ENTRIES:WAYS,l1i=..,stlb=..,pcid=on|off,repl=lru|plru|random",
	  NULL, "skylake" },
	{ "fail_page_alloc", OPT(fail_page_alloc), KMM_OPT_STRING, 0, 0, 0,
	  "inject page allocation failures: <interval>,<probability>,<space>,<times> (Linux's)",
	  NULL, "off" },
	{ "failslab", OPT(failslab), KMM_OPT_STRING, 0, 0, 0,
	  "inject slab allocation failures: <interval>,<probability>,<space>,<times> (Linux's)",
	  NULL, "off" },
	{ "zero_page", OPT(nozeropage), KMM_OPT_OFF, 0, 0, 1,
	  "on: reads of fresh anonymous memory share the zero page; off: each gets its own page", NULL, NULL },
	{ "gbpages", OPT(nogbpages), KMM_OPT_OFF, 0, 0, 1,
	  "on: the CPU has 1 GiB pages (pdpe1gb) for the direct map; off: Linux's nogbpages", NULL, NULL },
	{ "fs", OPT(fs), KMM_OPT_STRING, 0, 0, 0,
	  "DIR[:ro]: a host directory as the root filesystem (hostfs); default a scratch directory",
	  NULL, "scratch" },
	{ "disk", OPT(disk), KMM_OPT_STRING, 0, 0, 0,
	  "IMAGE[:ro]: a host image file (a multiple of 512 bytes) as the block device kda",
	  NULL, "none" },
	{ "disk_latency_us", OPT(disk_latency_us), KMM_OPT_INT, 100, 0, 1000000,
	  "the disk's time per request in microseconds (an SSD's default)", NULL, NULL },
	{ "disk_mbps", OPT(disk_mbps), KMM_OPT_INT, 500, 1, 1000000,
	  "the disk's transfer rate in MB/s", NULL, NULL },
	{ "read_ahead_kb", OPT(read_ahead_kb), KMM_OPT_INT, 128, 0, 1 << 20,
	  "the disk's readahead maximum in KiB (its queue/read_ahead_kb; 0: no readahead)", NULL, NULL },
	{ "large_folios", OPT(no_large_folios), KMM_OPT_OFF, 0, 0, 1,
	  "on: readahead fills the page cache with large folios (as ext4); off: order-0 pages only", NULL, NULL },
	{ "swap", OPT(swap), KMM_OPT_SIZE, 0, 0, 64ul << 30,
	  "bytes of swap (K/M/G): an unnamed host file, mkswap'ed and swapped on at boot (priority -2); 0: none",
	  NULL, NULL },
};
const unsigned int kmm_nr_options = sizeof(kmm_options) / sizeof(kmm_options[0]);

/* The string options' validators, registered by their layers. */
static struct {
	const char *name;
	kmm_option_check_fn fn;
} checks[8];

void kmm_option_register_check(const char *name, kmm_option_check_fn fn)
{
	unsigned int i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (!checks[i].name || !strcmp(checks[i].name, name)) {
			checks[i].name = name;
			checks[i].fn = fn;
			return;
		}
	abort();	/* a table this small: grow it */
}

static kmm_option_check_fn find_check(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]) && checks[i].name; i++)
		if (!strcmp(checks[i].name, name))
			return checks[i].fn;
	return NULL;
}

/* A string option: it must fit, and its owner's validator must take it. */
static int set_string(struct kmm_config *cfg, const struct kmm_option *o, const char *value,
		      char *err, size_t errlen)
{
	kmm_option_check_fn check = find_check(o->name);

	if (strlen(value) >= o->width) {
		snprintf(err, errlen, "option %s: too long (at most %zu characters)", o->name,
			 o->width - 1);
		return -1;
	}
	if (check && check(value, err, errlen))
		return -1;
	memcpy((char *)cfg + o->offset, value, strlen(value) + 1);
	return 0;
}

static const struct kmm_option *find_option(const char *name)
{
	unsigned int i;

	for (i = 0; i < kmm_nr_options; i++)
		if (!strcmp(kmm_options[i].name, name))
			return &kmm_options[i];
	return NULL;
}

static void store(struct kmm_config *cfg, const struct kmm_option *o,
		  unsigned long v)
{
	char *p = (char *)cfg + o->offset;

	if (o->width == sizeof(unsigned long))
		*(unsigned long *)p = v;
	else
		*(unsigned int *)p = (unsigned int)v;
}

static unsigned long load(const struct kmm_config *cfg, const struct kmm_option *o)
{
	const char *p = (const char *)cfg + o->offset;

	if (o->width == sizeof(unsigned long))
		return *(const unsigned long *)p;
	return *(const unsigned int *)p;
}

int kmm_config_set(struct kmm_config *cfg, const char *name, const char *value,
		   char *err, size_t errlen)
{
	const struct kmm_option *o = find_option(name);
	unsigned long v;

	if (!o) {
		snprintf(err, errlen, "unknown option '%s'", name);
		return -1;
	}
	if (o->type == KMM_OPT_STRING)
		return set_string(cfg, o, value, err, errlen);
	if (o->type == KMM_OPT_KILL) {
		if (strcmp(value, "kill") && strcmp(value, "handle")) {
			snprintf(err, errlen, "option %s: '%s' is neither kill nor handle", name, value);
			return -1;
		}
		store(cfg, o, !strcmp(value, "kill"));
		return 0;
	}
	if (o->type == KMM_OPT_ENUM) {
		unsigned int i;

		for (i = 0; o->names[i]; i++)
			if (!strcmp(value, o->names[i])) {
				store(cfg, o, i);
				return 0;
			}
		{
			size_t n = (size_t)snprintf(err, errlen, "option %s: '%s' is not one of", name, value);

			for (i = 0; o->names[i] && n < errlen; i++)
				n += (size_t)snprintf(err + n, errlen - n, "%s %s", i ? "," : "", o->names[i]);
		}
		return -1;
	}
	if (o->type == KMM_OPT_OFF) {
		if (strcmp(value, "on") && strcmp(value, "off")) {
			snprintf(err, errlen, "option %s: '%s' is neither on nor off", name, value);
			return -1;
		}
		store(cfg, o, !strcmp(value, "off"));
		return 0;
	}
	if (parse_ulong(value, &v, o->type == KMM_OPT_SIZE)) {
		snprintf(err, errlen, "option %s: '%s' is not a %s", name, value,
			 o->type == KMM_OPT_SIZE ? "size (e.g. 256M)" : "number");
		return -1;
	}
	if (v < o->min || v > o->max) {
		snprintf(err, errlen, "option %s: %lu is outside %lu..%lu", name,
			 v, o->min, o->max);
		return -1;
	}
	store(cfg, o, v);
	return 0;
}

/* KMM_MIN_FREE_KBYTES for "min_free_kbytes". */
static void env_name(char *buf, size_t len, const char *name)
{
	size_t i, n = (size_t)snprintf(buf, len, "KMM_");

	for (i = 0; name[i] && n + 1 < len; i++)
		buf[n++] = (char)toupper((unsigned char)name[i]);
	buf[n] = 0;
}

/*
 * Does /proc/cpuinfo list both flags for the first CPU?  The simulated CPU
 * has the host's protection keys unless told otherwise, so that the tests
 * comparing with the host kernel compare like with like.
 */
static bool host_cpu_has_flags(const char *a, const char *b)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool has_a = false, has_b = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save;

		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok_r(strchr(line, ':') ? strchr(line, ':') + 1 : line, " \n", &save);
		     tok; tok = strtok_r(NULL, " \n", &save)) {
			has_a |= !strcmp(tok, a);
			has_b |= !strcmp(tok, b);
		}
		break;
	}
	fclose(f);
	return has_a && has_b;
}

int kmm_config_resolve(struct kmm_config *out, const struct kmm_config *in,
		       char *err, size_t errlen)
{
	char env[64];
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < kmm_nr_options; i++) {
		const struct kmm_option *o = &kmm_options[i];
		const char *s;

		if (o->type != KMM_OPT_STRING)
			store(out, o, o->def);
		env_name(env, sizeof(env), o->name);
		s = getenv(env);
		if (s && *s && kmm_config_set(out, o->name, s, err, errlen))
			return -1;
		if (o->type == KMM_OPT_STRING) {
			const char *v = in ? (const char *)in + o->offset : "";

			if (*v)
				snprintf((char *)out + o->offset, o->width, "%s", v);
		} else if (in && load(in, o)) {
			store(out, o, load(in, o));
		}
	}
	if (out->pku == KMM_PKU_HOST)
		out->pku = host_cpu_has_flags("pku", "ospke") ? KMM_PKU_ON : KMM_PKU_OFF;
	if (!out->cpus) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		out->cpus = n < 1 ? 1 : n > KMM_MAX_CPUS ? KMM_MAX_CPUS : (unsigned int)n;
	}
	if (out->mem % (2ul << 20)) {
		snprintf(err, errlen, "option mem: %lu is not a multiple of 2M", out->mem);
		return -1;
	}
	if (out->mem < (32ul << 20)) {
		snprintf(err, errlen, "option mem: %lu is below the 32M minimum", out->mem);
		return -1;
	}
	if (out->paging != 2 && out->paging != 4) {
		snprintf(err, errlen, "option paging: %d is neither 2 nor 4", out->paging);
		return -1;
	}
	if (!out->max_mem)
		out->max_mem = 4 * out->mem;
	if (out->max_mem < out->mem) {
		snprintf(err, errlen, "option max_mem: below mem");
		return -1;
	}
	return 0;
}

int kmm_options_print(const struct kmm_config *cfg, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < kmm_nr_options && n < len; i++) {
		const struct kmm_option *o = &kmm_options[i];

		if (o->type == KMM_OPT_STRING) {
			const char *v = (const char *)cfg + o->offset;

			n += (size_t)snprintf(buf + n, len - n, "%-24s %-12s %s\n", o->name,
					      *v ? v : o->shown, o->help);
		} else if (o->type == KMM_OPT_ENUM)
			n += (size_t)snprintf(buf + n, len - n, "%-24s %-12s %s\n", o->name,
					      o->names[load(cfg, o)], o->help);
		else if (o->type == KMM_OPT_OFF || o->type == KMM_OPT_KILL)
			n += (size_t)snprintf(buf + n, len - n, "%-24s %-12s %s\n", o->name,
					      o->type == KMM_OPT_OFF ? (load(cfg, o) ? "off" : "on") :
					      (load(cfg, o) ? "kill" : "handle"), o->help);
		else
			n += (size_t)snprintf(buf + n, len - n, "%-24s %-12lu %s\n",
					      o->name, load(cfg, o), o->help);
	}
	return (int)n;
}
