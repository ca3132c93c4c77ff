/*
 * bench/replacement.c - reference strings, Belady's OPT and exact LRU,
 * and their replay on a kmm machine (bench/replacement.h).
 *
 * Every generator is deterministic for its arguments (splitmix64 from the
 * seed); the two reference policies count misses with c frames from an
 * empty memory, compulsory misses included, as kmm's major faults do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <kmm/kmm.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "hw/machine.h"
#include "hw/disk.h"
#include "arch/x86/mm/fault.h"
#include "replacement.h"

#define REPL_PG		4096ul

/* ---- generators --------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 here). */
static unsigned long below(uint64_t *s, unsigned long n)
{
	return (unsigned long)(splitmix64(s) % n);
}

/* Uniform in [0, 1). */
static double unit(uint64_t *s)
{
	return (double)(splitmix64(s) >> 11) / 9007199254740992.0;
}

static int refstr_alloc(struct refstr *r, const char *name, unsigned long nr_pages,
			unsigned long len)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->nr_pages = nr_pages;
	r->len = len;
	r->page = malloc((len ? len : 1) * sizeof(*r->page));
	return r->page ? 0 : -1;
}

void refstr_free(struct refstr *r)
{
	free(r->page);
	r->page = NULL;
}

int refstr_loop(struct refstr *r, unsigned long nr_pages, unsigned long k,
		unsigned int passes)
{
	char name[32];

	snprintf(name, sizeof(name), "loop %lu", k);
	if (k > nr_pages || refstr_alloc(r, name, nr_pages, k * passes))
		return -1;
	for (unsigned long i = 0; i < r->len; i++)
		r->page[i] = (unsigned int)(i % k);
	return 0;
}

int refstr_scan(struct refstr *r, unsigned long nr_pages, unsigned long hot,
		unsigned long warm, unsigned int warm_hot, unsigned int cold_per_hot,
		uint64_t seed)
{
	unsigned long cold = nr_pages - hot, n = 0;
	uint64_t st = seed;

	if (!hot || hot + warm >= nr_pages || !cold_per_hot ||
	    refstr_alloc(r, "scan", nr_pages, warm * (1 + warm_hot) + cold + cold / cold_per_hot))
		return -1;
	r->hot = hot;
	for (unsigned long c = 0; c < cold; c++) {
		r->page[n++] = (unsigned int)(hot + c);
		if (c < warm)
			for (unsigned int j = 0; j < warm_hot; j++)
				r->page[n++] = (unsigned int)below(&st, hot);
		else if ((c - warm + 1) % cold_per_hot == 0)
			r->page[n++] = (unsigned int)below(&st, hot);
		if (c + 1 == warm)
			r->warmup = n;
	}
	r->len = n;
	return 0;
}

/*
 * Zipf by inversion of the cumulative weights (a binary search each
 * draw): exact for any s, O(nr_pages) memory.
 */
int refstr_zipf(struct refstr *r, unsigned long nr_pages, double s, unsigned long len,
		uint64_t seed)
{
	double *cdf = malloc(nr_pages * sizeof(*cdf)), total = 0;
	unsigned int *perm = malloc(nr_pages * sizeof(*perm));
	uint64_t st = seed;
	char name[32];

	snprintf(name, sizeof(name), "zipf %.1f", s);
	if (!cdf || !perm || refstr_alloc(r, name, nr_pages, len)) {
		free(cdf);
		free(perm);
		return -1;
	}
	for (unsigned long k = 0; k < nr_pages; k++) {
		total += pow((double)(k + 1), -s);
		cdf[k] = total;
		perm[k] = (unsigned int)k;
	}
	for (unsigned long k = nr_pages - 1; k > 0; k--) {	/* Fisher-Yates */
		unsigned long j = below(&st, k + 1);
		unsigned int x = perm[k];

		perm[k] = perm[j];
		perm[j] = x;
	}
	for (unsigned long i = 0; i < len; i++) {
		double u = unit(&st) * total;
		unsigned long lo = 0, hi = nr_pages - 1;

		while (lo < hi) {
			unsigned long mid = (lo + hi) / 2;

			if (cdf[mid] > u)
				hi = mid;
			else
				lo = mid + 1;
		}
		r->page[i] = perm[lo];
	}
	free(cdf);
	free(perm);
	return 0;
}

int refstr_shift(struct refstr *r, unsigned long nr_pages, unsigned long set,
		 unsigned int per_page, unsigned int per_cold, uint64_t seed)
{
	unsigned long phase = set * per_page, cold = per_cold ? 2 * phase / per_cold : 0, n = 0;
	uint64_t st = seed;

	if (2 * set + cold > nr_pages || refstr_alloc(r, "shift", nr_pages, 2 * phase + cold))
		return -1;
	for (unsigned long i = 0; i < 2 * phase; i++) {
		r->page[n++] = (unsigned int)(below(&st, set) + (i < phase ? 0 : set));
		if (per_cold && (i + 1) % per_cold == 0)
			r->page[n++] = (unsigned int)(2 * set + (i + 1) / per_cold - 1);
	}
	return 0;
}

/* ---- OPT ---------------------------------------------------------------- */

/* A resident page and its next use (a time, or len + page for never). */
struct opt_slot {
	unsigned long next;
	unsigned int page;
};

struct opt_heap {
	struct opt_slot *v;
	unsigned long n, cap;
};

static int heap_push(struct opt_heap *h, unsigned long next, unsigned int page)
{
	unsigned long i;

	if (h->n == h->cap) {
		unsigned long cap = h->cap ? 2 * h->cap : 1024;
		struct opt_slot *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	for (i = h->n++; i && h->v[(i - 1) / 2].next < next; i = (i - 1) / 2)
		h->v[i] = h->v[(i - 1) / 2];
	h->v[i] = (struct opt_slot){ next, page };
	return 0;
}

/* Takes the slot of the furthest next use off the max-heap. */
static struct opt_slot heap_pop(struct opt_heap *h)
{
	struct opt_slot top = h->v[0], last = h->v[--h->n];
	unsigned long i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && h->v[c + 1].next > h->v[c].next)
			c++;
		if (h->v[c].next <= last.next)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/*
 * The heap keeps a slot per use; a slot is stale once its page was used
 * again (cur[page] moved on) or evicted.  A stale slot's next is a time
 * already past, smaller than every live slot's, so the maximum is live
 * whenever memory is full.
 */
int opt_faults(const struct refstr *r, unsigned long c, struct repl_count *out)
{
	unsigned long *next = malloc((r->len ? r->len : 1) * sizeof(*next));
	unsigned long *cur = malloc(r->nr_pages * sizeof(*cur));
	bool *in = calloc(r->nr_pages, sizeof(*in));
	struct opt_heap h = { 0 };
	unsigned long resident = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!next || !cur || !in || !c)
		goto out;
	for (unsigned long p = 0; p < r->nr_pages; p++)
		cur[p] = r->len + p;			/* "never", as next below */
	for (unsigned long i = r->len; i-- > 0; ) {
		next[i] = cur[r->page[i]];
		cur[r->page[i]] = i;
	}
	for (unsigned long i = 0; i < r->len; i++) {
		unsigned int p = r->page[i];

		if (!in[p]) {
			out->faults++;
			if (p < r->hot && i >= r->warmup)
				out->hot_faults++;
			while (resident == c) {
				struct opt_slot s = heap_pop(&h);

				if (in[s.page] && cur[s.page] == s.next) {
					in[s.page] = false;
					resident--;
				}
			}
			in[p] = true;
			resident++;
		}
		cur[p] = next[i];
		if (heap_push(&h, next[i], p))
			goto out;
	}
	ret = 0;
out:
	free(h.v);
	free(next);
	free(cur);
	free(in);
	return ret;
}

/* ---- LRU ---------------------------------------------------------------- */

#define LRU_NONE	(~0u)

/* A doubly linked list threaded through arrays, most recent at head. */
int lru_faults(const struct refstr *r, unsigned long c, struct repl_count *out)
{
	unsigned int *prev = malloc(r->nr_pages * sizeof(*prev));
	unsigned int *nxt = malloc(r->nr_pages * sizeof(*nxt));
	bool *in = calloc(r->nr_pages, sizeof(*in));
	unsigned int head = LRU_NONE, tail = LRU_NONE;
	unsigned long resident = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!prev || !nxt || !in || !c)
		goto out;
	for (unsigned long i = 0; i < r->len; i++) {
		unsigned int p = r->page[i];

		if (in[p]) {			/* unlink, to go to the head */
			if (p == head)
				continue;
			nxt[prev[p]] = nxt[p];
			if (nxt[p] != LRU_NONE)
				prev[nxt[p]] = prev[p];
			else
				tail = prev[p];
		} else {
			out->faults++;
			if (p < r->hot && i >= r->warmup)
				out->hot_faults++;
			if (resident == c) {	/* evict the tail */
				unsigned int v = tail;

				tail = prev[v];
				if (tail != LRU_NONE)
					nxt[tail] = LRU_NONE;
				else
					head = LRU_NONE;
				in[v] = false;
				resident--;
			}
			in[p] = true;
			resident++;
		}
		prev[p] = LRU_NONE;
		nxt[p] = head;
		if (head != LRU_NONE)
			prev[head] = p;
		head = p;
		if (tail == LRU_NONE)
			tail = p;
	}
	ret = 0;
out:
	free(prev);
	free(nxt);
	free(in);
	return ret;
}

/* ---- the replay on kmm -------------------------------------------------- */

/* Opens (creating it sparse) the file of the string; its fd or -errno. */
static long replay_file(struct task_struct *t, const struct refstr *r)
{
	long fd = ksys_open(t, "/refstr", O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return fd;
	if (ksys_ftruncate(t, (int)fd, (long long)(r->nr_pages * REPL_PG)))
		return -EIO;
	return fd;
}

/* The accesses themselves: one read of one byte of each page. */
static int replay_touch(struct task_struct *t, const struct refstr *r, unsigned long addr,
			const struct address_space *as, struct replay_result *out)
{
	unsigned long grown = 0, full_at = 0;
	double sum = 0;
	bool full = false;

	for (unsigned long i = 0; i < r->len; i++) {
		unsigned long maj = t->maj_flt, nr;
		struct kmm_siginfo si;
		phys_addr_t phys;

		if (user_access(t, addr + r->page[i] * REPL_PG, 0, &phys, &si))
			return -EFAULT;
		if (t->maj_flt != maj) {
			out->kmm.faults++;
			if (r->page[i] < r->hot && i >= r->warmup)
				out->kmm.hot_faults++;
		}
		nr = as->nrpages;
		if (nr > out->max_cached)
			out->max_cached = nr;
		if (nr < grown && !full) {		/* reclaim took some */
			full = true;
			full_at = i;
		}
		grown = nr;
		if (full) {
			if (!out->min_cached || nr < out->min_cached)
				out->min_cached = nr;
			sum += (double)nr;
		}
	}
	if (full)
		out->mean_cached = (unsigned long)(sum / (double)(r->len - full_at) + 0.5);
	return 0;
}

/* The machine's counters a replay reports, as they stand. */
static void replay_counters(struct replay_result *c)
{
	pg_data_t *pgdat = &kmm_cur()->mem->node;
	struct hw_disk *d = &kmm_cur()->hw->disk;

	c->disk_reads = d->rd.ios;
	c->disk_sectors = d->rd.sectors;
	c->pgscan = global_vm_event(PGSCAN_KSWAPD) + global_vm_event(PGSCAN_DIRECT);
	c->pgsteal = global_vm_event(PGSTEAL_KSWAPD) + global_vm_event(PGSTEAL_DIRECT);
	c->pgactivate = global_vm_event(PGACTIVATE);
	c->pgdeactivate = global_vm_event(PGDEACTIVATE);
	c->refault = node_page_state(pgdat, WORKINGSET_REFAULT_FILE);
	c->activate = node_page_state(pgdat, WORKINGSET_ACTIVATE_FILE);
}

/* out's counters become what they grew by since before. */
static void replay_counters_since(struct replay_result *out, const struct replay_result *before)
{
	replay_counters(out);
	out->disk_reads -= before->disk_reads;
	out->disk_sectors -= before->disk_sectors;
	out->pgscan -= before->pgscan;
	out->pgsteal -= before->pgsteal;
	out->pgactivate -= before->pgactivate;
	out->pgdeactivate -= before->pgdeactivate;
	out->refault -= before->refault;
	out->activate -= before->activate;
}

int kmm_replay(const struct refstr *r, const struct replay_config *cfg,
	       struct replay_result *out)
{
	struct kmm_config kc = { .mem = cfg->mem, .cpus = 1, .seed = cfg->seed, .quiet = 1,
				 .norandmaps = 1 };
	unsigned long len = r->nr_pages * REPL_PG, min0;
	struct replay_result before;
	struct task_struct *t;
	struct file *f;
	long fd, addr;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (cfg->tlb)
		snprintf(kc.tlb, sizeof(kc.tlb), "%s", cfg->tlb);
	if (!kmm_boot(&kc))
		return -ENOMEM;
	t = kernel_spawn("refstr", &err);
	if (!t) {
		kmm_shutdown(NULL);
		return err ? err : -ENOMEM;
	}
	fd = replay_file(t, r);
	if (fd < 0) {
		err = (int)fd;
		goto out_exit;
	}
	f = fget_raw(t->files, (int)fd);
	addr = do_mmap_pgoff(t->mm, f, 0, len, PROT_READ, MAP_SHARED, 0);
	if (addr < 0) {
		err = (int)addr;
		goto out_close;
	}
	err = do_madvise(t->mm, (unsigned long)addr, len, MADV_RANDOM);
	if (err)
		goto out_unmap;
	replay_counters(&before);
	min0 = t->min_flt;
	err = replay_touch(t, r, (unsigned long)addr, &f->f_inode->i_data, out);
	out->min_flt = t->min_flt - min0;
	replay_counters_since(out, &before);
out_unmap:
	do_munmap(t->mm, (unsigned long)addr, len);
out_close:
	ksys_close(t, (int)fd);
out_exit:
	do_exit(t);
	out->invariants = kmm_check_invariants(kmm_cur());
	out->reports = kmm_nr_reports();
	kmm_shutdown(NULL);
	return err;
}
