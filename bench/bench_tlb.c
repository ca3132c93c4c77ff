/*
 * bench/bench_tlb.c - the TLB model's lookups per second (hw/tlb.c), beside
 * two peers measured in the same run on the same address sequences: a
 * plain hash table holding the same translations, and the host's own loads
 * (one byte of each page of a host buffer: the real TLB and L1 cache).
 *
 * Rows, each over a cyclic sequence of pages touched in order:
 *   L1 hit      48 pages: 3 per set of the 64-entry 4-way L1D; every
 *               lookup hits the L1.
 *   STLB hit    1024 pages: 64 per L1D set, so LRU misses every time; 8 per
 *               set of the 1536-entry 12-way STLB, so every lookup hits
 *               there (and refills the L1D).
 *   miss+fill   65536 pages: every lookup misses both levels; the figure is
 *               a lookup plus the tlb_fill a walk would make.
 * The hit rates the counters saw are printed beside the rows.  Then the
 * cost of the flushes on a full TLB.  Each figure is the median of --reps
 * runs, the rows alternating.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <kmm/compiler.h>
#include "hw/tlb.h"
#include "peers.h"

#define MAX_REPS	15
#define SEQ_LEN		65536		/* addresses per sequence (a power of two) */
#define UBASE		0x00007f0000000000ul
#define PFN_BASE	0x100000ul

enum row { R_L1, R_STLB, R_FILL, NR_ROWS };
enum variant { V_KMM, V_HASH, V_HOST, NR_VARIANTS };

static const char *const row_name[NR_ROWS] = { "L1 hit", "STLB hit (L1 miss)", "miss + fill" };
static const char *const row_key[NR_ROWS] = { "l1_hit", "stlb_hit", "miss_fill" };
static const unsigned long row_pages[NR_ROWS] = { 48, 1024, 65536 };

static struct {
	int reps;
	long ops;
} opt = { 7, 20000000 };

static unsigned long *seq[NR_ROWS];	/* virtual addresses, per row */
static double result[NR_ROWS][NR_VARIANTS];	/* million lookups per second */
static double spread[NR_ROWS][NR_VARIANTS];
static double hit_rate[NR_ROWS];
static volatile unsigned long sink;

static void die(const char *what)
{
	fprintf(stderr, "bench_tlb: %s failed\n", what);
	exit(1);
}

/* ------------------------------------------------------------ the peer */

/*
 * The same translations in an open-addressing hash table (vpn -> pfn,
 * multiplicative hash, linear probing, at most half full), inlined into its
 * loop as tlb_lookup's fast path is.
 */
struct hent {
	unsigned long vpn, pfn;
};

static struct hent *ht;
static unsigned int ht_bits;

static inline unsigned long ht_slot(unsigned long vpn)
{
	return (vpn * 0x9e3779b97f4a7c15ul) >> (64 - ht_bits);
}

static void ht_build(unsigned long pages)
{
	unsigned long mask;

	for (ht_bits = 1; (1ul << ht_bits) < 2 * pages; ht_bits++)
		;
	free(ht);
	ht = calloc(1ul << ht_bits, sizeof(*ht));
	if (!ht)
		die("calloc");
	mask = (1ul << ht_bits) - 1;
	for (unsigned long p = 0; p < pages; p++) {
		unsigned long vpn = (UBASE >> 12) + p, i = ht_slot(vpn);

		while (ht[i].vpn)
			i = (i + 1) & mask;
		ht[i] = (struct hent){ vpn, PFN_BASE + p };
	}
}

static inline unsigned long ht_lookup(unsigned long va)
{
	unsigned long vpn = va >> 12, i = ht_slot(vpn), mask = (1ul << ht_bits) - 1;

	while (ht[i].vpn != vpn) {
		if (!ht[i].vpn)
			return ~0ul;
		i = (i + 1) & mask;
	}
	return ht[i].pfn << 12 | (va & 0xfff);
}

/* ------------------------------------------------------------- the runs */

static double run_kmm(struct tlb *tlb, enum row row)
{
	const unsigned long *s = seq[row];
	struct tlb_result res;
	unsigned long sum = 0;
	double t0 = now_ns();

	for (long i = 0; i < opt.ops; i++) {
		unsigned long va = s[i & (SEQ_LEN - 1)];

		if (tlb_lookup(tlb, va, TLB_ACC_READ | TLB_ACC_USER, 1, &res)) {
			sum += res.phys;
		} else {
			/* What the MMU does after its walk. */
			tlb_fill(tlb, va, 4096, PFN_BASE + ((va - UBASE) >> 12),
				 TLB_PERM_RW | TLB_PERM_USER | TLB_PERM_DIRTY | TLB_PERM_NX, 1, false);
			sum++;
		}
	}
	sink = sum;
	return opt.ops / (now_ns() - t0) * 1e3;
}

static double run_hash(enum row row)
{
	const unsigned long *s = seq[row];
	unsigned long sum = 0;
	double t0 = now_ns();

	for (long i = 0; i < opt.ops; i++)
		sum += ht_lookup(s[i & (SEQ_LEN - 1)]);
	sink = sum;
	return opt.ops / (now_ns() - t0) * 1e3;
}

/* One byte of every page, through the host's own TLB: the same offsets. */
static double run_host(enum row row, const volatile unsigned char *buf)
{
	const unsigned long *s = seq[row];
	unsigned long sum = 0;
	double t0 = now_ns();

	for (long i = 0; i < opt.ops; i++)
		sum += buf[s[i & (SEQ_LEN - 1)] - UBASE];
	sink = sum;
	return opt.ops / (now_ns() - t0) * 1e3;
}

static void make_sequences(void)
{
	for (int r = 0; r < NR_ROWS; r++) {
		seq[r] = malloc(SEQ_LEN * sizeof(unsigned long));
		if (!seq[r])
			die("malloc");
		/* Pages in order, cyclically; a varying offset inside each. */
		for (unsigned long i = 0; i < SEQ_LEN; i++)
			seq[r][i] = UBASE + (i % row_pages[r]) * 4096 + (i * 64) % 4096;
	}
}

struct row_arg {
	struct tlb *tlb;
	const volatile unsigned char *buf;
	enum row row;
};

/* bench_peer_rounds' run: the row's lookups by kmm, the hash table or the host. */
static double run_variant(void *arg, int unused, int v)
{
	struct row_arg *ra = arg;

	return v == V_KMM ? run_kmm(ra->tlb, ra->row) :
	       v == V_HASH ? run_hash(ra->row) : run_host(ra->row, ra->buf);
}

static void bench_row(enum row row, const volatile unsigned char *buf)
{
	unsigned long hits, all;
	struct tlb tlb;
	struct row_arg ra = { &tlb, buf, row };

	if (tlb_init(&tlb, NULL))
		die("tlb_init");
	ht_build(row_pages[row]);
	run_kmm(&tlb, row);				/* warm up: fills the TLB */
	hits = tlb.stat[row == R_L1 ? TLBSTAT_DTLB_LOAD_HITS : TLBSTAT_STLB_HITS];
	all = tlb.stat[TLBSTAT_DTLB_LOAD_HITS] + tlb.stat[TLBSTAT_DTLB_LOAD_MISSES];
	/* Rep by rep, the variants taking turns to go first. */
	if (bench_peer_rounds(opt.reps, 1, NR_VARIANTS, run_variant, &ra, result[row], spread[row]))
		die("bench_peer_rounds");
	/* Of the timed lookups, the share that hit where the row means to. */
	hits = tlb.stat[row == R_L1 ? TLBSTAT_DTLB_LOAD_HITS : TLBSTAT_STLB_HITS] - hits;
	all = tlb.stat[TLBSTAT_DTLB_LOAD_HITS] + tlb.stat[TLBSTAT_DTLB_LOAD_MISSES] - all;
	hit_rate[row] = (double)hits / (double)all;
	tlb_exit(&tlb);
}

/* ------------------------------------------------------------- flushes */

enum flush_kind { F_INVLPG, F_RANGE33, F_FLUSH_MM, F_SWITCH_NOPCID, F_SWITCH_PCID, NR_FLUSH };
static const char *const flush_name[NR_FLUSH] = {
	"tlb_invlpg (one page, every array probed)",
	"tlb_flush_range, 33 pages (33 INVLPGs)",
	"tlb_flush_mm (scan of every entry)",
	"tlb_switch_mm, PCID off (flush non-global)",
	"tlb_switch_mm, PCID on (no flush)",
};
static double flush_ns[NR_FLUSH];

/* ns per flush call; the TLB is refilled (untimed) before each timed call. */
static void bench_flushes(void)
{
	struct tlb_config cfg;
	long calls = opt.ops / 2000 > 10 ? opt.ops / 2000 : 10;

	for (int f = 0; f < NR_FLUSH; f++) {
		double runs[MAX_REPS];
		struct tlb tlb;

		tlb_config_default(&cfg);
		cfg.pcid = f != F_SWITCH_NOPCID;
		if (tlb_init(&tlb, &cfg))
			die("tlb_init");
		for (int r = 0; r < opt.reps; r++) {
			double total = 0;

			for (long c = 0; c < calls; c++) {
				double t0;

				for (unsigned long p = 0; p < 64; p++)
					tlb_fill(&tlb, UBASE + p * 4096, 4096, p, TLB_PERM_RW, 1, false);
				t0 = now_ns();
				switch (f) {
				case F_INVLPG:
					tlb_invlpg(&tlb, UBASE + (c & 63) * 4096, 1);
					break;
				case F_RANGE33:
					tlb_flush_range(&tlb, UBASE, UBASE + 33 * 4096, 1);
					break;
				case F_FLUSH_MM:
					tlb_flush_mm(&tlb, 1);
					break;
				default:
					tlb_switch_mm(&tlb, 1 + (c & 1));
					break;
				}
				total += now_ns() - t0;
			}
			runs[r] = total / calls;
		}
		flush_ns[f] = median_spread(runs, opt.reps, &(double){ 0 });
		tlb_exit(&tlb);
	}
}

int main(int argc, char **argv)
{
	unsigned long buf_len = row_pages[R_FILL] * 4096;
	unsigned char *buf;
	char model[128], line[256];
	struct tlb_config cfg;
	double scale = 1;

	if (bench_simple_options(argc, argv, "bench_tlb", MAX_REPS, 1.0 / 40, &opt.reps, &scale))
		return 2;
	opt.ops = (long)(opt.ops * scale);
	if (opt.ops < 1) {
		fprintf(stderr, "bench_tlb: --scale too small\n");
		return 2;
	}
	buf = mmap(NULL, buf_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	memset(buf, 1, buf_len);
	make_sequences();
	tlb_config_default(&cfg);
	tlb_config_format(&cfg, line, sizeof(line));
	cpu_model(model, sizeof(model));
	printf("# bench_tlb: million lookups per second of the same address sequences\n");
	printf("# host: %s; kmm tlb_lookup (hw/tlb.c) vs a hash table vs host loads\n", model);
	printf("# tlb %s\n", line);
	printf("# reps %d, median (spread = (max - min) / median), lookups per run %ld\n",
	       opt.reps, opt.ops);
	for (int r = 0; r < NR_ROWS; r++)
		bench_row(r, buf);
	bench_flushes();

	printf("\n%-20s %6s | %8s %5s %6s | %8s %6s | %8s %6s | %s\n", "row", "pages",
	       "kmm M/s", "ns", "sprd", "hash M/s", "sprd", "host M/s", "sprd", "hits where expected");
	for (int r = 0; r < NR_ROWS; r++)
		printf("%-20s %6lu | %8.1f %5.1f %5.0f%% | %8.1f %5.0f%% | %8.1f %5.0f%% | %s\n",
		       row_name[r], row_pages[r], result[r][V_KMM], 1e3 / result[r][V_KMM],
		       100 * spread[r][V_KMM], result[r][V_HASH], 100 * spread[r][V_HASH],
		       result[r][V_HOST], 100 * spread[r][V_HOST],
		       r == R_FILL ? "(all miss)" : r == R_L1 ? "L1 " : "STLB ");
	for (int r = 0; r < R_FILL; r++)
		printf("# %s: %.2f%% of the lookups hit %s\n", row_name[r], 100 * hit_rate[r],
		       r == R_L1 ? "the L1D" : "the STLB");
	printf("\n%-46s %8s\n", "flush (on a TLB holding 64 pages)", "ns/call");
	for (int f = 0; f < NR_FLUSH; f++)
		printf("%-46s %8.1f\n", flush_name[f], flush_ns[f]);
	printf("\n# ratios: kmm over the peer (below 1: the peer is faster)\n");
	for (int r = 0; r < NR_ROWS; r++)
		printf("%s_mlookups_per_sec=%.1f\n", row_key[r], result[r][V_KMM]);
	for (int r = 0; r < NR_ROWS; r++)
		for (int v = V_HASH; v < NR_VARIANTS; v++)
			printf("%s_vs_%s=%.2f\n", row_key[r], v == V_HASH ? "hashtable" : "host_load",
			       result[r][V_KMM] / result[r][v]);
	printf("l1_hit_target_100m=%s\n", result[R_L1][V_KMM] >= 100 ? "met" : "missed");
	munmap(buf, buf_len);
	return 0;
}
