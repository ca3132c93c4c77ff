/*
 * bench/replacement.h - page-replacement quality: reference strings over
 * the pages of one file, replayed on a small kmm machine as read touches
 * of a MAP_SHARED, PROT_READ mapping of the file (each miss of the page
 * cache one major fault), beside what Belady's optimal policy (OPT:
 * evict the page whose next use is furthest) and exact LRU would miss on
 * the same string with the same number of frames.
 *
 * Shared by bench/bench_replacement.c (the table) and
 * tests/mm/test_replacement.c (which includes replacement.c): the
 * generators, the two reference policies and the kmm replay.
 */
#ifndef KMM_BENCH_REPLACEMENT_H
#define KMM_BENCH_REPLACEMENT_H

#include <stdbool.h>
#include <stdint.h>

/* One reference string: the page of the file each access reads. */
struct refstr {
	char name[32];
	unsigned int *page;		/* page index of access i, < nr_pages */
	unsigned long len;		/* accesses */
	unsigned long nr_pages;		/* the file's size in pages */
	unsigned long hot;		/* pages [0, hot) are the hot set (0: none) */
	unsigned long warmup;		/* hot-set misses before this access are
					 * not counted in hot_faults */
};

/*
 * The generators.  Each allocates r->page (refstr_free gives it back) and
 * returns 0, or -1 out of memory.  Pages are numbered within a file of
 * nr_pages pages; every generator leaves the pages it does not use alone.
 */
/* 0, 1, ..., k - 1, passes times. */
int refstr_loop(struct refstr *r, unsigned long nr_pages, unsigned long k,
		unsigned int passes);
/*
 * A single pass over the cold pages [hot, nr_pages), in order, with
 * accesses to pages of the hot set [0, hot) drawn uniformly: warm_hot
 * after each of the first warm cold pages (the hot set becomes the
 * working set), then one after every cold_per_hot cold pages.  warmup is
 * the end of the first part.
 */
int refstr_scan(struct refstr *r, unsigned long nr_pages, unsigned long hot,
		unsigned long warm, unsigned int warm_hot, unsigned int cold_per_hot,
		uint64_t seed);
/*
 * len accesses drawn from a Zipf distribution of exponent s over all
 * nr_pages pages (rank k with probability ~ 1 / k^s), the ranks placed on
 * the pages by a permutation drawn from the same seed.
 */
int refstr_zipf(struct refstr *r, unsigned long nr_pages, double s, unsigned long len,
		uint64_t seed);
/*
 * A working-set shift: per_page x set accesses drawn uniformly from set A
 * = [0, set), then as many from B = [set, 2 x set); with per_cold, a
 * page of a use-once stream from 2 x set on after every per_cold of them
 * (0: none).
 */
int refstr_shift(struct refstr *r, unsigned long nr_pages, unsigned long set,
		 unsigned int per_page, unsigned int per_cold, uint64_t seed);
void refstr_free(struct refstr *r);

/* What a policy missed on a string. */
struct repl_count {
	unsigned long faults;		/* misses, compulsory ones included */
	unsigned long hot_faults;	/* misses on the hot set from r->warmup on */
};

/* Belady's OPT with c frames (furthest next use; O(len log len)).
 * Returns 0, or -1 out of memory. */
int opt_faults(const struct refstr *r, unsigned long c, struct repl_count *out);
/* Exact LRU with c frames.  Returns 0, or -1 out of memory. */
int lru_faults(const struct refstr *r, unsigned long c, struct repl_count *out);

/* The machine a string is replayed on. */
struct replay_config {
	unsigned long mem;		/* bytes of RAM */
	unsigned long seed;		/* kmm_config.seed */
	const char *tlb;		/* kmm_config.tlb (NULL: the default) */
};

/* What kmm did on a string. */
struct replay_result {
	struct repl_count kmm;		/* major faults, and those on the hot set */
	unsigned long min_flt;		/* minor faults: cached pages not mapped */
	unsigned long max_cached;	/* most pages of the file in its page cache */
	unsigned long min_cached;	/* the fewest cached once reclaim first
					 * took some (0 if it never did) */
	unsigned long mean_cached;	/* their mean over the accesses from then on */
	unsigned long disk_reads;	/* the disk's read requests */
	unsigned long disk_sectors;	/* and their 512-byte sectors */
	unsigned long pgscan, pgsteal;	/* reclaim's scans and frees of the run */
	unsigned long pgactivate, pgdeactivate;
	unsigned long refault, activate;	/* workingset_refault_file, _activate_file */
	unsigned long reports;		/* kmm_nr_reports() at the end */
	int invariants;			/* kmm_check_invariants() at the end */
};

/*
 * Boots a machine of cfg, creates a file of r->nr_pages pages (a sparse
 * one: its pages read as zeros, every read one disk request), maps it
 * MAP_SHARED, PROT_READ with MADV_RANDOM (no read-around), reads one
 * byte of the page of each access of r through the simulated MMU
 * (user_access), and shuts the machine down.  Call it on a thread that
 * may hold a simulated CPU.  Returns 0, or a negative errno of the step
 * that failed.
 */
int kmm_replay(const struct refstr *r, const struct replay_config *cfg,
	       struct replay_result *out);

#endif /* KMM_BENCH_REPLACEMENT_H */
