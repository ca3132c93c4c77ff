/*
 * tests/mm/test_replacement.c - page-replacement quality (bench/
 * replacement.c, included here): the reference policies count right, and
 * kmm's reclaim keeps the properties Linux's two-list design promises on
 * reference strings replayed through a MAP_SHARED, PROT_READ mapping:
 *
 *   - OPT and LRU give the textbook counts on the textbook string, OPT is
 *     never above LRU, more frames never cost more faults;
 *   - the generators are deterministic for a seed;
 *   - a loop that fits takes only its compulsory faults, each one a
 *     one-page read (MADV_RANDOM: no read-around, fault-around maps
 *     nothing more), and no minor fault;
 *   - a loop larger than memory: OPT <= kmm <= every access;
 *   - a hot set established as the working set is protected from a
 *     use-once scan: after the warm-up kmm misses at most a quarter of
 *     the hot accesses and at most 2/3 of what LRU misses with as many
 *     frames (docs/reclaim.md, "How good is it?", says why not ~0);
 *   - a replay is deterministic: the same string on the same machine
 *     gives the same counts.
 */
#include "bench/replacement.c"
#include "tests/harness.h"

#define MiB	(1ul << 20)

/* A string from a literal list of pages. */
static void from_list(struct refstr *r, const unsigned int *pages, unsigned long n,
		      unsigned long nr_pages)
{
	if (refstr_alloc(r, "list", nr_pages, n))
		abort();
	memcpy(r->page, pages, n * sizeof(*pages));
}

static unsigned long opt_of(const struct refstr *r, unsigned long c)
{
	struct repl_count x;

	if (opt_faults(r, c, &x))
		abort();
	return x.faults;
}

static unsigned long lru_of(const struct refstr *r, unsigned long c)
{
	struct repl_count x;

	if (lru_faults(r, c, &x))
		abort();
	return x.faults;
}

TEST(opt_and_lru_give_the_textbook_counts)
{
	/* Silberschatz's string: 3 frames, OPT 9 faults, LRU 12. */
	static const unsigned int s[] = { 7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1 };
	struct refstr r;

	from_list(&r, s, sizeof(s) / sizeof(s[0]), 8);
	ASSERT_EQ(opt_of(&r, 3), 9);
	ASSERT_EQ(lru_of(&r, 3), 12);
	ASSERT_EQ(opt_of(&r, 8), 6);			/* compulsory only */
	ASSERT_EQ(lru_of(&r, 8), 6);
	ASSERT_EQ(opt_of(&r, 1), lru_of(&r, 1));	/* one frame: every change faults */
	refstr_free(&r);
}

TEST(opt_is_a_lower_bound_and_more_frames_never_hurt)
{
	struct refstr r;

	ASSERT_EQ(refstr_zipf(&r, 500, 0.9, 20000, 7), 0);
	for (unsigned long c = 1; c < 400; c += 37) {
		ASSERT_LE(opt_of(&r, c), lru_of(&r, c));
		ASSERT_LE(opt_of(&r, c + 37), opt_of(&r, c));	/* both are stack algorithms */
		ASSERT_LE(lru_of(&r, c + 37), lru_of(&r, c));
	}
	refstr_free(&r);
	/* A loop one page larger than memory: LRU misses every access. */
	ASSERT_EQ(refstr_loop(&r, 100, 11, 5), 0);
	ASSERT_EQ(lru_of(&r, 10), 55);
	ASSERT_LE(opt_of(&r, 10), 11 + 4 * 2);
	refstr_free(&r);
}

TEST(generators_are_deterministic_for_a_seed)
{
	struct refstr a, b;

	ASSERT_EQ(refstr_zipf(&a, 4096, 1.0, 10000, 42), 0);
	ASSERT_EQ(refstr_zipf(&b, 4096, 1.0, 10000, 42), 0);
	ASSERT_EQ(memcmp(a.page, b.page, a.len * sizeof(*a.page)), 0);
	refstr_free(&b);
	ASSERT_EQ(refstr_zipf(&b, 4096, 1.0, 10000, 43), 0);
	ASSERT_NE(memcmp(a.page, b.page, a.len * sizeof(*a.page)), 0);
	refstr_free(&a);
	refstr_free(&b);
	ASSERT_EQ(refstr_scan(&a, 4096, 100, 1000, 4, 8, 5), 0);
	ASSERT_EQ(refstr_scan(&b, 4096, 100, 1000, 4, 8, 5), 0);
	ASSERT_EQ(a.len, b.len);
	ASSERT_EQ(a.warmup, 1000ul * 5);
	ASSERT_EQ(memcmp(a.page, b.page, a.len * sizeof(*a.page)), 0);
	refstr_free(&a);
	refstr_free(&b);
}

static void replay_ok(const struct refstr *r, unsigned long mem, struct replay_result *res)
{
	struct replay_config cfg = { .mem = mem, .seed = 1 };

	ASSERT_EQ(kmm_replay(r, &cfg, res), 0);
	ASSERT_EQ(res->reports, 0);
	ASSERT_EQ(res->invariants, 0);
	/* MADV_RANDOM: every major fault read its own page, nothing around it. */
	ASSERT_EQ(res->disk_reads, res->kmm.faults);
	ASSERT_EQ(res->disk_sectors, res->kmm.faults * (REPL_PG / 512));
}

TEST(a_loop_that_fits_takes_only_compulsory_faults)
{
	struct replay_result res;
	struct refstr r;

	ASSERT_EQ(refstr_loop(&r, 16384, 4000, 3), 0);	/* 16 MiB of a 32 MiB machine */
	replay_ok(&r, 32 * MiB, &res);
	ASSERT_EQ(res.kmm.faults, 4000);
	ASSERT_EQ(res.min_flt, 0);
	ASSERT_EQ(res.max_cached, 4000);
	ASSERT_EQ(res.pgsteal, 0);
	refstr_free(&r);
}

TEST(a_loop_larger_than_memory_is_bounded_by_opt)
{
	struct replay_result res;
	struct refstr r;

	ASSERT_EQ(refstr_loop(&r, 16384, 9000, 2), 0);	/* 35 MiB through 32 MiB */
	replay_ok(&r, 32 * MiB, &res);
	ASSERT_TRUE(res.pgsteal > 0);
	ASSERT_LE(opt_of(&r, res.max_cached), res.kmm.faults);
	ASSERT_LE(res.kmm.faults, r.len);
	ASSERT_TRUE(res.max_cached < 9000);
	refstr_free(&r);
}

TEST(a_hot_working_set_is_protected_from_a_scan)
{
	/* bench_replacement's scan: about what a 64 MiB machine holds. */
	const unsigned long c = 15000, hot = c / 4;
	struct replay_result res;
	struct repl_count lru, opt;
	unsigned long hot_acc = 0;
	struct refstr r;

	ASSERT_EQ(refstr_scan(&r, 4 * 64 * MiB / REPL_PG, hot, 2 * c, 4, 8, 3), 0);
	replay_ok(&r, 64 * MiB, &res);
	ASSERT_EQ(lru_faults(&r, res.max_cached, &lru), 0);
	ASSERT_EQ(opt_faults(&r, res.max_cached, &opt), 0);
	for (unsigned long i = r.warmup; i < r.len; i++)
		hot_acc += r.page[i] < r.hot;
	fprintf(stderr, "  scan: %lu hot accesses after warm-up; missed: kmm %lu, LRU %lu, OPT %lu\n",
		hot_acc, res.kmm.hot_faults, lru.hot_faults, opt.hot_faults);
	ASSERT_LE(opt.faults, res.kmm.faults);
	/* Protected: a third of the hot accesses miss at most, and fewer
	 * than plain LRU's (which the scan flushes). */
	ASSERT_LE(res.kmm.hot_faults * 3, hot_acc);
	ASSERT_TRUE(res.kmm.hot_faults < lru.hot_faults);
	ASSERT_TRUE(lru.hot_faults * 4 > hot_acc);	/* the scan does hurt LRU */
	ASSERT_TRUE(res.pgactivate > 0);
	refstr_free(&r);
}

TEST(a_replay_is_deterministic)
{
	struct replay_result a, b;
	struct refstr r;

	ASSERT_EQ(refstr_zipf(&r, 16384, 1.0, 40000, 9), 0);
	replay_ok(&r, 32 * MiB, &a);
	replay_ok(&r, 32 * MiB, &b);
	ASSERT_TRUE(a.pgsteal > 0);
	ASSERT_EQ(a.kmm.faults, b.kmm.faults);
	ASSERT_EQ(a.min_flt, b.min_flt);
	ASSERT_EQ(a.max_cached, b.max_cached);
	ASSERT_EQ(a.min_cached, b.min_cached);
	ASSERT_EQ(a.pgscan, b.pgscan);
	ASSERT_EQ(a.pgsteal, b.pgsteal);
	ASSERT_EQ(a.refault, b.refault);
	ASSERT_EQ(a.activate, b.activate);
	ASSERT_LE(opt_of(&r, a.max_cached), a.kmm.faults);
	refstr_free(&r);
}

int main(void)
{
	RUN_TEST(opt_and_lru_give_the_textbook_counts);
	RUN_TEST(opt_is_a_lower_bound_and_more_frames_never_hurt);
	RUN_TEST(generators_are_deterministic_for_a_seed);
	RUN_TEST(a_loop_that_fits_takes_only_compulsory_faults);
	RUN_TEST(a_loop_larger_than_memory_is_bounded_by_opt);
	RUN_TEST(a_hot_working_set_is_protected_from_a_scan);
	RUN_TEST(a_replay_is_deterministic);
	return harness_summary();
}
