/*
 * tests/proc/test_host_faithful.c - differential tests against the host
 * kernel, which is a real Linux:
 *   1. the host's /proc/zoneinfo gives each zone's managed pages and the
 *      host's min_free_kbytes; kmm's sizing code, fed the same inputs, must
 *      print the same watermarks, protection, pcp batch/high_min/high_max
 *      and vm stats threshold;
 *   2. /proc/meminfo, /proc/zoneinfo, /proc/buddyinfo and
 *      /proc/pagetypeinfo of a kmm machine must have exactly the host's
 *      layout: the same lines, in the same order, with the same spacing,
 *      once every number is blanked out.
 * A host without these files (not Linux) skips the tests.
 */
#include <ctype.h>
#include <unistd.h>
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/host_features.h"

struct host_zone {
	char name[16];
	unsigned long managed, present, spanned;
	unsigned long wmark[NR_WMARK];
	long protection[MAX_NR_ZONES];
	int batch, high_min, high_max, threshold;
};

static char host_zoneinfo[1 << 20];

static long read_file(const char *path, char *buf, size_t size)
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

static long read_long(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static int zone_index(const char *name)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		if (!strcmp(zone_names[i], name))
			return i;
	return -1;
}

static void parse_field(const char *line, const char *key, unsigned long *v)
{
	const char *p = strstr(line, key);

	if (p == line + strspn(line, " "))
		*v = strtoul(p + strlen(key), NULL, 10);
}

/* Fills zones[] from the host's /proc/zoneinfo; returns the CPU count. */
static int parse_host_zoneinfo(struct host_zone zones[MAX_NR_ZONES])
{
	char *save = NULL, *line;
	struct host_zone *z = NULL;
	int cpus = 0, cur_cpus = 0;

	for (line = strtok_r(host_zoneinfo, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[16];
		unsigned long v = ~0ul;

		if (sscanf(line, "Node %*d, zone %15s", name) == 1) {
			int i = zone_index(name);

			z = i >= 0 ? &zones[i] : NULL;
			if (z)
				snprintf(z->name, sizeof(z->name), "%s", name);
			cur_cpus = 0;
			continue;
		}
		if (!z)
			continue;
		parse_field(line, "managed", &z->managed);
		parse_field(line, "present", &z->present);
		parse_field(line, "spanned", &z->spanned);
		parse_field(line, "min", &z->wmark[WMARK_MIN]);
		parse_field(line, "low", &z->wmark[WMARK_LOW]);
		parse_field(line, "high ", &z->wmark[WMARK_HIGH]);
		parse_field(line, "promo", &z->wmark[WMARK_PROMO]);
		if (strstr(line, "protection: (")) {
			const char *p = strchr(line, '(') + 1;
			int i;

			for (i = 0; i < MAX_NR_ZONES; i++) {
				z->protection[i] = strtol(p, (char **)&p, 10);
				p += strspn(p, ", ");
			}
		}
		if (strstr(line, "cpu: ")) {
			cur_cpus++;
			if (cur_cpus > cpus)
				cpus = cur_cpus;
		}
		if (cur_cpus == 1) {
			parse_field(line, "batch:", &v);
			if (v != ~0ul) z->batch = (int)v, v = ~0ul;
			parse_field(line, "high_min:", &v);
			if (v != ~0ul) z->high_min = (int)v, v = ~0ul;
			parse_field(line, "high_max:", &v);
			if (v != ~0ul) z->high_max = (int)v, v = ~0ul;
			if (sscanf(line, "  vm stats threshold: %lu", &v) == 1)
				z->threshold = (int)v;
		}
	}
	return cpus;
}

static int host_has_proc(void)
{
	return access("/proc/zoneinfo", R_OK) == 0 && access("/proc/meminfo", R_OK) == 0;
}

TEST(watermarks_and_pcp_sizes_match_host)
{
	struct host_zone hz[MAX_NR_ZONES] = { 0 };
	struct kmm *k;
	char ours[1 << 16];
	long mfk = read_long("/proc/sys/vm/min_free_kbytes");
	long wsf = read_long("/proc/sys/vm/watermark_scale_factor");
	int cpus, i;

	if (!host_has_proc() || mfk < 0 || read_file("/proc/zoneinfo", host_zoneinfo,
						     sizeof(host_zoneinfo)) < 0) {
		printf("  skipped: no host /proc\n");
		return;
	}
	cpus = parse_host_zoneinfo(hz);
	ASSERT_TRUE(cpus > 0);
	/* A machine that only exists to be sized like the host. */
	k = calloc(1, sizeof(*k));
	k->mem = calloc(1, sizeof(*k->mem));
	k->mem->kmm = k;
	k->nr_cpus = (unsigned int)cpus;
	k->cfg.min_free_kbytes = (int)mfk;
	k->cfg.watermark_scale_factor = (int)wsf;
	ASSERT_EQ(page_alloc_init(k), 0);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &k->mem->node.node_zones[i];

		z->idx = i;
		z->name = zone_names[i];
		z->managed_pages = hz[i].managed;
		z->present_pages = hz[i].present;
		z->spanned_pages = hz[i].spanned;
	}
	k->mem->min_free_kbytes = (int)mfk;
	setup_per_zone_wmarks(k);
	setup_per_zone_lowmem_reserve(k);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &k->mem->node.node_zones[i];
		int w, j;

		if (!hz[i].name[0])
			continue;
		for (w = 0; w < NR_WMARK; w++)
			if (z->_watermark[w] != hz[i].wmark[w])
				TEST_FAIL_("zone %s watermark %d: kmm %lu, host %lu",
					   hz[i].name, w, z->_watermark[w], hz[i].wmark[w]);
		for (j = 0; j < MAX_NR_ZONES; j++)
			if (z->lowmem_reserve[j] != hz[i].protection[j])
				TEST_FAIL_("zone %s protection[%d]: kmm %ld, host %ld",
					   hz[i].name, j, z->lowmem_reserve[j], hz[i].protection[j]);
		if (!populated_zone(z))
			continue;
		zone_pcp_update(k, z);
		ASSERT_EQ(z->pageset_batch, hz[i].batch);
		ASSERT_EQ(z->pageset_high_min, hz[i].high_min);
		ASSERT_EQ(z->pageset_high_max, hz[i].high_max);
	}
	/* The vm stats threshold is printed by zoneinfo: check it there. */
	kmm_set_machine_globals(NULL);
	{
		struct kmm_config cfg = { .mem = 64ul << 20, .cpus = (unsigned int)cpus, .quiet = 1 };
		struct kmm *m = kmm_boot(&cfg);

		ASSERT_NOT_NULL(m);
		kmm_proc_read("/proc/zoneinfo", ours, sizeof(ours));
		/* DMA has the host's size, so it must have the host's threshold. */
		if (hz[ZONE_DMA].managed == zone_managed_pages(&m->mem->node.node_zones[ZONE_DMA])) {
			char want[64];

			snprintf(want, sizeof(want), "  vm stats threshold: %d\n", hz[ZONE_DMA].threshold);
			ASSERT_CONTAINS(ours, want);
		}
		kmm_shutdown(m);
	}
	page_alloc_exit(k);
	free(k->mem);
	free(k);
}

/*
 * Every number, with the blanks that pad it on the left, becomes " #": the
 * labels, their order, separators and units must then be identical.  (The
 * padding widths are pinned by golden tests on known values.)
 */
static void blank_numbers(char *text)
{
	static char copy[1 << 20];
	char *s = copy, *w = text;

	/* " #" may be longer than what it replaces: write from a copy. */
	snprintf(copy, sizeof(copy), "%s", text);

	while (*s) {
		size_t sp = strspn(s, " ");

		if (isdigit((unsigned char)s[sp])) {
			s += sp;
			while (isdigit((unsigned char)*s))
				s++;
			*w++ = ' ';
			*w++ = '#';
		} else if (sp) {
			memmove(w, s, sp);
			w += sp;
			s += sp;
		} else {
			*w++ = *s++;
		}
	}
	*w = 0;
}

/* The lines of text from the one starting with start, up to (not
 * including) the next line starting with stop, or the end. */
static void section(const char *text, const char *start, const char *stop,
		    char *out, size_t size)
{
	const char *b = strstr(text, start), *e;

	out[0] = 0;
	if (!b)
		return;
	e = stop ? strstr(b + strlen(start), stop) : NULL;
	if (!e)
		e = b + strlen(b);
	snprintf(out, size, "%.*s", (int)(e - b), b);
}

static char host[1 << 20], ours[1 << 20], hs[1 << 16], os[1 << 16];

/* The same section of the host's and kmm's text, numbers blanked. */
static void cut_both(const char *start, const char *stop)
{
	section(host, start, stop, hs, sizeof(hs));
	section(ours, start, stop, os, sizeof(os));
	blank_numbers(hs);
	blank_numbers(os);
}

static struct kmm *boot_like_host(void)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .quiet = 1 };

	cfg.cpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	/* The host's CPU decides whether meminfo has a DirectMap1G line. */
	cfg.nogbpages = !hf_cpu_flags("pdpe1gb", "pdpe1gb");
	if (cfg.nogbpages)
		printf("# host CPU has no pdpe1gb: booting gbpages=off (no DirectMap1G)\n");
	return kmm_boot(&cfg);
}

/*
 * Boots a machine shaped like the host and reads path from both into
 * host[] and ours[].  Returns the machine, or NULL (the test is skipped)
 * when the host has no such file.
 */
static struct kmm *read_both(const char *path)
{
	struct kmm *k;

	if (access(path, R_OK)) {
		printf("  skipped: no host %s\n", path);
		return NULL;
	}
	k = boot_like_host();
	if (!k) {
		fprintf(stderr, "read_both: the machine did not boot\n");
		abort();	/* a failure, never a skip */
	}
	read_file(path, host, sizeof(host));
	kmm_proc_read(path, ours, sizeof(ours));
	return k;
}

TEST(meminfo_layout_matches_host)
{
	struct kmm *k = read_both("/proc/meminfo");

	if (!k)
		return;
	blank_numbers(host);
	blank_numbers(ours);
	ASSERT_STR_EQ(ours, host);
	kmm_shutdown(k);
}

/* Every counter name, in the host's order (values differ, of course). */
TEST(vmstat_names_match_host)
{
	struct kmm *k = read_both("/proc/vmstat");

	if (!k)
		return;
	blank_numbers(host);
	blank_numbers(ours);
	ASSERT_STR_EQ(ours, host);
	kmm_shutdown(k);
}

TEST(zoneinfo_layout_matches_host)
{
	struct kmm *k = read_both("/proc/zoneinfo");

	if (!k)
		return;
	/* DMA: the first populated zone, with the per-node stats. */
	cut_both("Node 0, zone      DMA\n", "Node 0, zone    DMA32");
	ASSERT_TRUE(hs[0] != 0);
	ASSERT_STR_EQ(os, hs);
	/* An unpopulated zone: the short form. */
	cut_both("Node 0, zone  Movable", "Node 0, zone   Device");
	ASSERT_STR_EQ(os, hs);
	kmm_shutdown(k);
}

TEST(buddyinfo_and_pagetypeinfo_layout_match_host)
{
	struct kmm *k;

	if (access("/proc/pagetypeinfo", R_OK) || access("/proc/buddyinfo", R_OK)) {
		printf("  skipped: no host /proc/pagetypeinfo\n");
		return;
	}
	k = boot_like_host();
	ASSERT_NOT_NULL(k);
	read_file("/proc/buddyinfo", host, sizeof(host));
	kmm_proc_read("/proc/buddyinfo", ours, sizeof(ours));
	cut_both("Node 0, zone      DMA", "Node 0, zone    DMA32");
	ASSERT_STR_EQ(os, hs);
	read_file("/proc/pagetypeinfo", host, sizeof(host));
	kmm_proc_read("/proc/pagetypeinfo", ours, sizeof(ours));
	/* The header, and the DMA lines of both tables. */
	cut_both("Page block order", "Node    0, zone    DMA32");
	ASSERT_STR_EQ(os, hs);
	cut_both("\nNumber of blocks type", "Node 0, zone    DMA32");
	ASSERT_STR_EQ(os, hs);
	kmm_shutdown(k);
}

TEST(dma_zone_matches_a_real_pc)
{
	struct host_zone hz[MAX_NR_ZONES] = { 0 };
	struct kmm *k;
	struct zone *dma;

	if (read_file("/proc/zoneinfo", host_zoneinfo, sizeof(host_zoneinfo)) < 0) {
		printf("  skipped: no host /proc\n");
		return;
	}
	parse_host_zoneinfo(hz);
	if (hz[ZONE_DMA].spanned != 4095) {
		printf("  skipped: the host's DMA zone is not a standard PC's\n");
		return;
	}
	k = boot_like_host();
	ASSERT_NOT_NULL(k);
	dma = &k->mem->node.node_zones[ZONE_DMA];
	ASSERT_EQ(dma->spanned_pages, hz[ZONE_DMA].spanned);
	ASSERT_EQ(dma->present_pages, hz[ZONE_DMA].present);
	ASSERT_EQ(dma->managed_pages, hz[ZONE_DMA].managed);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(watermarks_and_pcp_sizes_match_host);
	RUN_TEST(meminfo_layout_matches_host);
	RUN_TEST(vmstat_names_match_host);
	RUN_TEST(zoneinfo_layout_matches_host);
	RUN_TEST(buddyinfo_and_pagetypeinfo_layout_match_host);
	RUN_TEST(dma_zone_matches_a_real_pc);
	return harness_summary();
}
