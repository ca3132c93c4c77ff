/*
 * tools/script_gen.c - random scripts whose every line can run on the
 * host (tools/host_exec.c) and in the simulator with comparable results.
 *
 * Every placement is fixed: MAP_FIXED, MAP_FIXED_NOREPLACE, MREMAP_FIXED
 * targets, shrinking and growing in place.  Where a non-fixed mapping or
 * move lands depends on the rest of the address space, which the host
 * and the simulator do not share, so such lines are never made.  Every
 * range lies in the window, except huge and wrapping lengths that the
 * kernel refuses before it looks at the address space.
 *
 * Merges and splits happen at the edges of VMAs, which random pages
 * rarely meet: a third of the addresses are ones where an earlier line
 * started or ended, and most calls fall in a "hot" part of the window
 * whose size each seed picks.
 *
 * SCRIPT_GEN_FAULTS adds touch, read and write lines, fork and exit (up
 * to MAX_LIVE processes, each line naming a live one) and shared
 * anonymous mappings; its extra draws happen only in that mode.
 *
 * SCRIPT_GEN_KERNEL_ADDR lets the kernel choose: mmap with ADDR 0 or a
 * hint, mremap with MREMAP_MAYMOVE alone.  The script language has no
 * variables, so the generator keeps a model of each process's window
 * (which pages are mapped, which belong to MAP_GROWSDOWN vmas) and
 * searches it as Linux's top-down allocator does (the highest gap that
 * fits, below a stack's guard gap; with THP, an anonymous private
 * mapping or move whose length is a multiple of 2 MiB is aligned to
 * 2 MiB from a gap 2 MiB longer; a free hint, rounded down to its page,
 * is taken as it is), and later
 * lines use the addresses it predicts.  The model only steers which
 * addresses later lines name: where it is wrong (an mremap of several
 * vmas, a limit it does not know) the lines are still valid ones, run
 * alike on both sides, and the comparison holds.  It is updated by every
 * line in every mode but draws nothing, so it changes no other script.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tools/host_exec.h"
#include "tools/script_gen.h"

#define PG		4096ul
#define WIN		HOST_WINDOW_SIZE
#define NR_BOUNDS	64
#define CAT_EVERY	25	/* at most this many lines between two cats */
#define MAX_LIVE	4	/* processes at once (SCRIPT_GEN_FAULTS) */
#define BLOCK		(64 * 1024ul)	/* SCRIPT_GEN_ALIGN_64K's granule */
#define NR_PAGES	(WIN / PG)
#define HUGE		(2ul << 20)	/* PMD_SIZE: THP alignment */
#define GUARD_GAP	(256 * PG)	/* stack_guard_gap below a MAP_GROWSDOWN vma */
#define KERNEL_ROOM	(48ul << 20)	/* SCRIPT_GEN_KERNEL_ADDR: the top, unmapped at start */
#define MAX_PLACED	32

/* The generator's model of one process's window. */
struct space {
	uint64_t mapped[NR_PAGES / 64];
	uint64_t growsdown[NR_PAGES / 64];	/* pages of MAP_GROWSDOWN vmas */
};

/* A range the kernel chose (or was predicted to), for later lines. */
struct placed {
	unsigned long off;
	unsigned long len;
};

struct gen {
	FILE *f;
	uint64_t state;
	unsigned long hot;		/* bytes from the window's start */
	unsigned long bounds[NR_BOUNDS]; /* offsets of earlier starts and ends */
	unsigned int nr_bounds;
	unsigned int next_bound;
	unsigned int since_cat;
	const char *const *without;	/* patterns of lines not to write */
	unsigned int flags;		/* SCRIPT_GEN_* */
	int pid;			/* of the line being written */
	int pids[MAX_LIVE];		/* the live processes */
	unsigned int nr_pids;
	int next_pid;			/* the pid the next spawn or fork gets */
	struct space space[MAX_LIVE];	/* of pids[i] */
	struct placed placed[MAX_PLACED];
	unsigned int nr_placed;
	unsigned int next_placed;
};

/* splitmix64: small consecutive seeds give unrelated streams. */
static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned long below(struct gen *g, unsigned long n)
{
	return (unsigned long)(rnd(g) % n);
}

static bool one_in(struct gen *g, unsigned long n)
{
	return below(g, n) == 0;
}

static void add_bound(struct gen *g, unsigned long off)
{
	unsigned int i;

	if (off >= WIN || off % PG)
		return;
	for (i = 0; i < g->nr_bounds; i++)
		if (g->bounds[i] == off)
			return;
	g->bounds[g->next_bound] = off;
	g->next_bound = (g->next_bound + 1) % NR_BOUNDS;
	if (g->nr_bounds < NR_BOUNDS)
		g->nr_bounds++;
}

/* ---- The model of the window (SCRIPT_GEN_KERNEL_ADDR) ------------- */

static struct space *cur_space(struct gen *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_pids; i++)
		if (g->pids[i] == g->pid)
			return &g->space[i];
	return &g->space[0];
}

static bool test_page(const uint64_t *bits, unsigned long pg)
{
	return bits[pg / 64] >> (pg % 64) & 1;
}

/* Pages [off, off + len) rounded out to pages, clipped to the window. */
static void set_pages(uint64_t *bits, unsigned long off, unsigned long len, bool on)
{
	unsigned long pg, end = off + len < off || off + len > WIN ? WIN : off + len;

	for (pg = off / PG; pg < (end + PG - 1) / PG; pg++) {
		if (on)
			bits[pg / 64] |= 1ull << (pg % 64);
		else
			bits[pg / 64] &= ~(1ull << (pg % 64));
	}
}

static bool any_mapped(const struct space *sp, unsigned long off, unsigned long len)
{
	unsigned long pg;

	for (pg = off / PG; pg < (off + len + PG - 1) / PG && pg < NR_PAGES; pg++)
		if (test_page(sp->mapped, pg))
			return true;
	return false;
}

static bool all_mapped(const struct space *sp, unsigned long off, unsigned long len)
{
	unsigned long pg;

	if (off + len > WIN || !len)
		return false;
	for (pg = off / PG; pg < (off + len + PG - 1) / PG; pg++)
		if (!test_page(sp->mapped, pg))
			return false;
	return true;
}

static void model_map(struct space *sp, unsigned long off, unsigned long len, bool growsdown)
{
	set_pages(sp->mapped, off, len, true);
	set_pages(sp->growsdown, off, len, growsdown);
}

static void model_unmap(struct space *sp, unsigned long off, unsigned long len)
{
	set_pages(sp->mapped, off, len, false);
	set_pages(sp->growsdown, off, len, false);
}

/*
 * The highest gap of the window at least len bytes long, as Linux's
 * unmapped_area_topdown finds it (a gap below a MAP_GROWSDOWN vma ends
 * GUARD_GAP lower); its end in *end.  Above the window nothing is free
 * (both sides plug it); below it is outside the model: false.
 */
static bool highest_gap(const struct space *sp, unsigned long len, unsigned long *end)
{
	unsigned long p = NR_PAGES, top, bottom;

	while (p > 0) {
		while (p > 0 && test_page(sp->mapped, p - 1))
			p--;
		top = p * PG;
		while (p > 0 && !test_page(sp->mapped, p - 1))
			p--;
		bottom = p * PG;
		if (top < WIN && test_page(sp->growsdown, top / PG))
			top = top - bottom > GUARD_GAP ? top - GUARD_GAP : bottom;
		if (top - bottom >= len) {
			*end = top;
			return true;
		}
	}
	return false;
}

/*
 * Where the kernel places len bytes (whole pages) with no usable hint:
 * thp for an anonymous private mapping or move whose length is a
 * multiple of 2 MiB (__get_unmapped_area takes pgoff as 0 for anonymous
 * memory, and thp_get_unmapped_area searches a gap 2 MiB longer and
 * aligns down), else the top of the highest gap.  -1: below the window.
 */
static long place(const struct space *sp, unsigned long len, bool thp)
{
	unsigned long end;

	if (thp && highest_gap(sp, len + HUGE, &end))
		return (long)((end - len) & ~(HUGE - 1));
	if (highest_gap(sp, len, &end))
		return (long)(end - len);
	return -1;
}

/* Whether a hint (page-aligned) is taken: the range is free, in the
 * window, and ends below the guard gap of a stack above it. */
static bool hint_fits(const struct space *sp, unsigned long at, unsigned long len)
{
	unsigned long pg;

	if (at + len > WIN || any_mapped(sp, at, len))
		return false;
	for (pg = (at + len) / PG; pg < NR_PAGES; pg++)
		if (test_page(sp->mapped, pg))
			return !test_page(sp->growsdown, pg) || pg * PG - GUARD_GAP >= at + len;
	return true;
}

static void add_placed(struct gen *g, unsigned long off, unsigned long len)
{
	if (len < PG)	/* mremap of 0 bytes: nothing placed to pick from */
		return;
	g->placed[g->next_placed] = (struct placed){ off, len };
	g->next_placed = (g->next_placed + 1) % MAX_PLACED;
	if (g->nr_placed < MAX_PLACED)
		g->nr_placed++;
}

/* A page-aligned offset in the window: an earlier edge, or a hot page
 * (a hot 64 KiB block with SCRIPT_GEN_ALIGN_64K); with
 * SCRIPT_GEN_KERNEL_ADDR, also a page the kernel chose. */
static unsigned long pick_off(struct gen *g)
{
	unsigned long off;

	if (g->nr_bounds && one_in(g, 3))
		return g->bounds[below(g, g->nr_bounds)];
	if (g->flags & SCRIPT_GEN_KERNEL_ADDR && g->nr_placed && one_in(g, 2)) {
		const struct placed *p = &g->placed[below(g, g->nr_placed)];

		return p->off + (one_in(g, 2) ? 0 : below(g, p->len / PG) * PG);
	}
	off = below(g, g->hot / PG) * PG;
	return g->flags & SCRIPT_GEN_ALIGN_64K ? off & ~(BLOCK - 1) : off;
}

/*
 * With SCRIPT_GEN_ALIGN_64K, a length whose range (from a 64 KiB
 * boundary) ends on one once the kernel rounds it up to pages; a length
 * that is not whole pages stays so.  Huge lengths stay as they are.
 */
static unsigned long coarse_len(const struct gen *g, unsigned long len)
{
	unsigned long up;

	if (!(g->flags & SCRIPT_GEN_ALIGN_64K) || !len || len >= WIN)
		return len;
	up = (len + BLOCK - 1) & ~(BLOCK - 1);
	return len % PG ? up - PG + len % PG : up;
}

/* Lengths the kernel refuses before it looks at the address space. */
static const unsigned long huge_lens[] = {
	1ul << 62, 1ul << 47, 0x500000000000ul, ~0ul - PG + 1, ~0ul,
};

/* Wrapping ones only: accepted on the host for every call. */
static const unsigned long wrap_lens[] = { ~0ul - PG + 1, ~0ul };

static unsigned long pick_len(struct gen *g)
{
	switch (below(g, 16)) {
	case 0:
		return 0;
	case 1:
		return coarse_len(g, 1 + below(g, 10000));	/* not whole pages */
	case 2:
	case 3:
		return coarse_len(g, (1 + below(g, 4096)) * PG);	/* up to 16 MiB */
	default:
		return coarse_len(g, (1 + below(g, 64)) * PG);
	}
}

/*
 * ADDR and LEN of a call on a range: mostly whole pages from an edge or
 * a hot page, ending at an edge now and then; one in twelve unaligned.
 * The range stays in the window unless huge (mmap, munmap: huge_lens;
 * the others: wrap_lens) says which out-of-range lengths to try.
 */
static void pick_range(struct gen *g, unsigned long *off, unsigned long *len,
		       const unsigned long *huge, size_t nr_huge)
{
	*off = pick_off(g);
	*len = pick_len(g);
	if (*len && *len <= *off && one_in(g, 4))	/* end at the edge instead */
		*off -= g->flags & SCRIPT_GEN_ALIGN_64K ? (*len + PG - 1) & ~(PG - 1) :
							  *len & ~(PG - 1);
	if (one_in(g, 12)) {
		unsigned long skew = 1 + below(g, PG - 1);

		/* mlock rounds an unaligned start down: a page edge. */
		if (!(g->flags & SCRIPT_GEN_ALIGN_64K))
			*off += skew;
	}
	if (huge && one_in(g, 20)) {
		*len = huge[below(g, nr_huge)];
		return;
	}
	if (*off + *len > WIN)
		*len = WIN - *off;
}

static void print_len(struct gen *g, unsigned long len)
{
	if (len >= (1ul << 40))
		fprintf(g->f, " %#lx", len);	/* huge ones always alike */
	else if (len && !(len % (1ul << 20)) && len < (1ul << 30) && one_in(g, 2))
		fprintf(g->f, " %luM", len >> 20);
	else if (len && !(len % 1024) && len < (1ul << 30) && one_in(g, 3))
		fprintf(g->f, " %luK", len >> 10);
	else if (one_in(g, 2))
		fprintf(g->f, " %lu", len);
	else
		fprintf(g->f, " %#lx", len);
}

static void print_addr(struct gen *g, unsigned long off)
{
	fprintf(g->f, " %#lx", HOST_WINDOW_START + off);
}

static void print_range(struct gen *g, const char *cmd, unsigned long off,
			unsigned long len)
{
	fprintf(g->f, "%s %d", cmd, g->pid);
	print_addr(g, off);
	print_len(g, len);
	if (len <= WIN - off) {
		add_bound(g, off);
		add_bound(g, off + len);
	}
}

/* Protections as names, or a number for the odd ones. */
static const char *const prots[] = {
	"PROT_NONE", "PROT_READ", "PROT_READ", "PROT_READ|PROT_WRITE",
	"PROT_READ|PROT_WRITE", "PROT_READ|PROT_EXEC",
	"PROT_READ|PROT_WRITE|PROT_EXEC", "PROT_WRITE", "PROT_EXEC",
	"9" /* PROT_READ|PROT_SEM */,
};

/* Not protections (0x10), or PROT_READ|PROT_GROWSDOWN. */
static const char *const bad_prots[] = { "0x10", "0x1000001" };

static const char *pick_prot(struct gen *g)
{
	if (one_in(g, 25))
		return bad_prots[below(g, 2)];
	return prots[below(g, sizeof(prots) / sizeof(prots[0]))];
}

static const char *const map_extras[] = {
	"", "", "", "", "", "", "|MAP_NORESERVE", "|MAP_POPULATE",
	"|MAP_LOCKED", "|MAP_GROWSDOWN", "|MAP_STACK",
	"|MAP_STACK|MAP_NORESERVE", "|MAP_POPULATE|MAP_LOCKED",
};

/*
 * FLAGS of a bad or odd mmap, as a number: no MAP_PRIVATE, unknown bits
 * (ignored by Linux for private mappings), MAP_SHARED|MAP_PRIVATE.
 */
static const unsigned long odd_map_flags[] = {
	0x20 | 0x10,			/* MAP_ANONYMOUS|MAP_FIXED */
	0x02 | 0x20 | 0x10 | 0x200000,	/* and an unknown bit */
	0x02 | 0x20 | 0x100000 | 0x1000000,
	0x03 | 0x20 | 0x10 | 0x400000,	/* MAP_SHARED_VALIDATE, unknown bit */
};

/* Whether a fixed mmap of these flags would map [off, off + len). */
static bool fixed_mmap_maps(const struct space *sp, unsigned long off, unsigned long len,
			    bool shared, bool noreplace, bool growsdown)
{
	if (!len || off % PG || len > WIN - off || (shared && growsdown))
		return false;
	return !noreplace || !any_mapped(sp, off, len);
}

static void gen_mmap(struct gen *g)
{
	struct space *sp = cur_space(g);
	unsigned long off, len, odd;
	const char *extra;
	bool shared, noreplace;

	pick_range(g, &off, &len, huge_lens, sizeof(huge_lens) / sizeof(huge_lens[0]));
	print_range(g, "mmap", off, len);
	fprintf(g->f, " %s", pick_prot(g));
	if (one_in(g, 15)) {
		odd = below(g, 4);
		fprintf(g->f, " %#lx\n", odd_map_flags[odd]);
		/* Only the unknown bits of a private mapping are ignored. */
		if ((odd == 1 || odd == 2) && fixed_mmap_maps(sp, off, len, false, odd == 2, false))
			model_map(sp, off, len, false);
		return;
	}
	shared = g->flags & SCRIPT_GEN_FAULTS && one_in(g, 4);
	noreplace = one_in(g, 3);
	extra = map_extras[below(g, sizeof(map_extras) / sizeof(map_extras[0]))];
	fprintf(g->f, " %s|MAP_ANONYMOUS|%s%s\n", shared ? "MAP_SHARED" : "MAP_PRIVATE",
		noreplace ? "MAP_FIXED_NOREPLACE" : "MAP_FIXED", extra);
	if (fixed_mmap_maps(sp, off, len, shared, noreplace, strstr(extra, "GROWSDOWN")))
		model_map(sp, off, len, strstr(extra, "GROWSDOWN"));
}

static void gen_munmap(struct gen *g)
{
	unsigned long off, len;

	pick_range(g, &off, &len, huge_lens, sizeof(huge_lens) / sizeof(huge_lens[0]));
	print_range(g, "munmap", off, len);
	fputc('\n', g->f);
	if (len && !(off % PG) && len <= WIN - off)
		model_unmap(cur_space(g), off, len);
}

static void gen_mprotect(struct gen *g)
{
	unsigned long off, len;

	pick_range(g, &off, &len, wrap_lens, 2);
	print_range(g, "mprotect", off, len);
	fprintf(g->f, " %s\n", pick_prot(g));
}

static const char *const advices[] = {
	"MADV_NORMAL", "MADV_RANDOM", "MADV_SEQUENTIAL", "MADV_WILLNEED",
	"MADV_DONTNEED", "MADV_FREE", "MADV_REMOVE", "MADV_DONTFORK",
	"MADV_DOFORK", "MADV_MERGEABLE", "MADV_UNMERGEABLE", "MADV_HUGEPAGE",
	"MADV_NOHUGEPAGE", "MADV_DONTDUMP", "MADV_DODUMP", "MADV_WIPEONFORK",
	"MADV_KEEPONFORK", "MADV_COLD", "MADV_PAGEOUT", "MADV_POPULATE_READ",
	"MADV_POPULATE_WRITE", "MADV_DONTNEED_LOCKED", "MADV_COLLAPSE",
	"MADV_GUARD_INSTALL", "MADV_GUARD_REMOVE",
	/* Not advices (100 and 101 would poison frames as root). */
	"5", "6", "7", "26", "99", "104", "200",
};

static void gen_madvise(struct gen *g)
{
	unsigned long off, len;

	pick_range(g, &off, &len, wrap_lens, 2);
	print_range(g, "madvise", off, len);
	fprintf(g->f, " %s\n", advices[below(g, sizeof(advices) / sizeof(advices[0]))]);
}

static void gen_mlock(struct gen *g)
{
	static const char *const flags[] = { "MLOCK_ONFAULT", "0", "2" };
	unsigned long off, len, kind = below(g, 10);

	pick_range(g, &off, &len, wrap_lens, 2);
	if (kind < 3) {
		print_range(g, "mlock", off, len);
	} else if (kind < 7) {
		print_range(g, "mlock2", off, len);
		fprintf(g->f, " %s", flags[kind == 6 ? 2 : kind % 2]);
	} else {
		print_range(g, "munlock", off, len);
	}
	fputc('\n', g->f);
}

/* Where the target of a fixed move goes: an edge or a hot page. */
static unsigned long pick_target(struct gen *g, unsigned long *new_len)
{
	unsigned long to = pick_off(g);

	if (to + *new_len > WIN)
		*new_len = WIN - to;
	return to;
}

/*
 * What an mremap at fixed places does to the model: shrink, grow in
 * place, move to a fixed target (keeping the old range with
 * DONTUNMAP).  Bad flags and old ranges that are not mapped change
 * nothing.
 */
static void model_mremap(struct space *sp, unsigned long off, unsigned long len,
			 unsigned long new_len, const char *flags, unsigned long to)
{
	bool fixed = flags && strstr(flags, "MREMAP_FIXED");
	bool gd;

	if (!all_mapped(sp, off, len) || !new_len || new_len > WIN)
		return;
	gd = test_page(sp->growsdown, off / PG);
	if (fixed) {
		if (!strstr(flags, "MREMAP_MAYMOVE") || to % PG || new_len > WIN - to ||
		    (to < off + len && off < to + new_len))
			return;
		if (!strstr(flags, "MREMAP_DONTUNMAP"))
			model_unmap(sp, off, len);
		model_map(sp, to, new_len, gd);
	} else if (new_len <= len) {
		model_unmap(sp, off + new_len, len - new_len);
	} else if (hint_fits(sp, off + len, new_len - len)) {
		model_map(sp, off + len, new_len - len, gd);
	}
}

/*
 * mremap: shrink; grow in place; MAYMOVE|FIXED to a target in the
 * window, with or without DONTUNMAP; and bad flags.  Never a move whose
 * place the kernel picks (gen_mremap_kernel makes those).
 */
static void gen_mremap(struct gen *g)
{
	static const char *const bad_flags[] = {
		"MREMAP_FIXED", "MREMAP_DONTUNMAP", "MREMAP_FIXED|MREMAP_DONTUNMAP",
		"9" /* MAYMOVE and an unknown bit */,
	};
	unsigned long off, len, new_len, to = 0;
	const char *flags = NULL;

	pick_range(g, &off, &len, NULL, 0);
	switch (below(g, 10)) {
	case 0:
	case 1:		/* shrink (or keep the size) in place */
		new_len = len ? below(g, len / PG + 1) * PG : PG;
		if (new_len + PG <= len && one_in(g, 8))
			new_len += 1 + below(g, PG - 1);	/* still no growth */
		flags = one_in(g, 2) ? "MREMAP_MAYMOVE" : (one_in(g, 2) ? "0" : NULL);
		/* Old length 0 duplicates a shared mapping wherever the
		 * kernel finds room: not comparable. */
		if (!len && g->flags & SCRIPT_GEN_FAULTS && flags && flags[0] == 'M')
			flags = "0";
		break;
	case 2:
	case 3:		/* grow in place */
		new_len = len + (1 + below(g, 64)) * PG;
		if (off + new_len > WIN)
			new_len = WIN - off;
		flags = one_in(g, 2) ? "0" : NULL;
		break;
	case 4:
	case 5:
	case 6:		/* move to a fixed place */
		new_len = one_in(g, 2) ? len : pick_len(g);
		to = pick_target(g, &new_len);
		if (one_in(g, 25))
			new_len = huge_lens[below(g, 3)];
		flags = "MREMAP_MAYMOVE|MREMAP_FIXED";
		break;
	case 7:
	case 8:		/* ... keeping the old range mapped */
		new_len = one_in(g, 6) ? pick_len(g) : len;
		to = pick_target(g, &new_len);
		flags = "MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP";
		break;
	default:	/* bad flags: refused before anything moves */
		new_len = len;
		to = pick_target(g, &new_len);
		flags = bad_flags[below(g, 4)];
		break;
	}
	new_len = coarse_len(g, new_len);
	model_mremap(cur_space(g), off, len, new_len, flags, to);
	print_range(g, "mremap", off, len);
	print_len(g, new_len);
	if (flags)
		fprintf(g->f, " %s", flags);
	if (to || (flags && strchr(flags, 'F'))) {
		print_addr(g, to);
		add_bound(g, to);
		if (new_len <= WIN - to)
			add_bound(g, to + new_len);
	} else if (new_len <= WIN - off) {
		add_bound(g, off + new_len);
	}
	fputc('\n', g->f);
}

/* ---- SCRIPT_GEN_KERNEL_ADDR: the kernel chooses -------------------- */

/* munmap of a range the kernel chose, to make room for more. */
static void gen_unmap_placed(struct gen *g)
{
	struct placed *p = &g->placed[below(g, g->nr_placed)];

	print_range(g, "munmap", p->off, p->len);
	fputc('\n', g->f);
	model_unmap(cur_space(g), p->off, p->len);
}

/* A length for the kernel to place: pages, multiples of 2 MiB, odd. */
static unsigned long pick_kernel_len(struct gen *g)
{
	switch (below(g, 8)) {
	case 0:
	case 1:
		return (1 + below(g, 4)) * HUGE;
	case 2:
		return 1 + below(g, 4 * PG);	/* not whole pages */
	case 3:
		return (1 + below(g, 512)) * PG;
	default:
		return (1 + below(g, 64)) * PG;
	}
}

/*
 * mmap with ADDR 0 or a hint (mostly not page-aligned: Linux rounds it
 * down), private or (with accesses) shared; the model says where it
 * lands.  When the model finds no room in the window, a range the kernel
 * chose is unmapped instead.
 */
static void gen_mmap_kernel(struct gen *g)
{
	struct space *sp = cur_space(g);
	unsigned long len = pick_kernel_len(g), hint = 0, rlen;
	const char *prot = pick_prot(g);
	const char *extra = map_extras[below(g, sizeof(map_extras) / sizeof(map_extras[0]))];
	bool shared = g->flags & SCRIPT_GEN_FAULTS && !(g->flags & SCRIPT_GEN_FIXED_SHARED) &&
		      one_in(g, 4);
	bool gd = strstr(extra, "GROWSDOWN");
	long at = -1;

	if (one_in(g, 40))
		len = 0;
	if (one_in(g, 4))
		hint = pick_off(g) + (one_in(g, 4) ? 0 : 1 + below(g, PG - 1));
	rlen = (len + PG - 1) & ~(PG - 1);
	if (len && !(shared && gd)) {
		if (hint && hint_fits(sp, hint & ~(PG - 1), rlen))
			at = (long)(hint & ~(PG - 1));
		else
			at = place(sp, rlen, !hint && !shared && !(len % HUGE));
		if (at < 0 && g->nr_placed) {
			gen_unmap_placed(g);
			return;
		}
	}
	fprintf(g->f, "mmap %d", g->pid);
	if (hint)
		print_addr(g, hint);
	else
		fputs(" 0", g->f);
	print_len(g, len);
	fprintf(g->f, " %s %s|MAP_ANONYMOUS%s\n", prot, shared ? "MAP_SHARED" : "MAP_PRIVATE",
		extra);
	if (at < 0)
		return;
	model_map(sp, (unsigned long)at, rlen, gd);
	add_bound(g, (unsigned long)at);
	add_bound(g, (unsigned long)at + rlen);
	add_placed(g, (unsigned long)at, rlen);
}

/*
 * mremap MREMAP_MAYMOVE growing a range the kernel chose (or any range):
 * in place if the model has room after it, else to where the kernel
 * places the new length (THP-aligned if a multiple of 2 MiB, shared
 * mappings too: the model does not know which are); now and then MREMAP_MAYMOVE|MREMAP_DONTUNMAP, which always
 * moves and keeps the old range.
 */
static void gen_mremap_kernel(struct gen *g)
{
	struct space *sp = cur_space(g);
	unsigned long off, len, new_len;
	bool dontunmap = one_in(g, 6), gd;
	long at = -1;

	if (g->nr_placed && !one_in(g, 4)) {
		const struct placed *p = &g->placed[below(g, g->nr_placed)];

		off = p->off;
		len = p->len;
	} else {
		pick_range(g, &off, &len, NULL, 0);
	}
	if (dontunmap)
		new_len = len;
	else if (one_in(g, 3))
		new_len = (len / HUGE + 1 + below(g, 2)) * HUGE;
	else
		new_len = len + (1 + below(g, 64)) * PG;
	fprintf(g->f, "mremap %d", g->pid);
	print_addr(g, off);
	print_len(g, len);
	print_len(g, new_len);
	fprintf(g->f, " %s\n", dontunmap ? "MREMAP_MAYMOVE|MREMAP_DONTUNMAP" : "MREMAP_MAYMOVE");
	if (off % PG || !all_mapped(sp, off, len) || new_len < len || new_len > WIN)
		return;
	gd = test_page(sp->growsdown, off / PG);
	if (!dontunmap && hint_fits(sp, off + len, new_len - len)) {
		model_map(sp, off + len, new_len - len, gd);
		add_bound(g, off + new_len);
		add_placed(g, off, new_len);
		return;
	}
	/* The old range stays in the model while the kernel searches. */
	at = place(sp, new_len, !(new_len % HUGE));
	if (at < 0)
		return;
	if (!dontunmap)
		model_unmap(sp, off, len);
	model_map(sp, (unsigned long)at, new_len, gd);
	add_bound(g, (unsigned long)at);
	add_bound(g, (unsigned long)at + new_len);
	add_placed(g, (unsigned long)at, new_len);
}

/* ---- Protection keys ---------------------------------------------- */

/*
 * pkey_alloc (now and then with bad flags or rights), pkey_free and
 * pkey_mprotect of keys that may or may not be allocated (0, the
 * execute-only key, keys past 15, -1: no key).
 */
static void gen_pkey(struct gen *g)
{
	static const char *const allocs[] = {
		"", " 0", " 0 0", " 0 PKEY_DISABLE_ACCESS", " 0 PKEY_DISABLE_WRITE",
		" 0 PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE", " 1", " 0 4",
	};
	static const int keys[] = { 1, 2, 2, 3, 3, 4, 5, 15, 16, 0, -1 };
	unsigned long kind = below(g, 10), off, len;
	int key;

	if (kind < 4) {
		fprintf(g->f, "pkey_alloc %d%s\n", g->pid, allocs[below(g, 8)]);
		return;
	}
	key = keys[below(g, sizeof(keys) / sizeof(keys[0]))];
	if (kind < 6) {
		/* Key 0 can be freed (Linux lets it): rarely. */
		fprintf(g->f, "pkey_free %d %d\n", g->pid, key || one_in(g, 4) ? key : 1);
		return;
	}
	pick_range(g, &off, &len, wrap_lens, 2);
	print_range(g, "pkey_mprotect", off, len);
	fprintf(g->f, " %s %d\n", pick_prot(g), one_in(g, 3) ? -1 : key);
}

/* ---- SCRIPT_GEN_FAULTS: accesses and processes -------------------- */

/* Bytes to touch, read or write: mostly a few pages, now and then 1 MiB. */
static unsigned long pick_access_len(struct gen *g, unsigned long pages)
{
	switch (below(g, 8)) {
	case 0:
		return 1 + below(g, 2 * PG);		/* a page or two, unaligned */
	case 1:
		return (1 + below(g, 256)) * PG;	/* up to 1 MiB */
	default:
		return (1 + below(g, pages)) * PG;
	}
}

/* Where an access starts: an edge or a hot page, sometimes unaligned. */
static unsigned long pick_access_off(struct gen *g)
{
	unsigned long off = pick_off(g);

	if (one_in(g, 6))
		off += below(g, PG);
	else if (off >= PG && one_in(g, 10))
		off -= 1 + below(g, 16);	/* just across a page boundary */
	return off;
}

static void gen_touch(struct gen *g)
{
	unsigned long off = pick_access_off(g), len = pick_access_len(g, 16);

	if (off + len > WIN)
		len = WIN - off;
	fprintf(g->f, "touch %d", g->pid);
	print_addr(g, off);
	print_len(g, len);
	fprintf(g->f, " %s\n", one_in(g, 2) ? "w" : "r");
}

static void gen_read(struct gen *g)
{
	unsigned long off = pick_access_off(g);
	unsigned long len = one_in(g, 4) ? pick_access_len(g, 4) : 1 + below(g, 64);

	if (off + len > WIN)
		len = WIN - off;
	fprintf(g->f, "read %d", g->pid);
	print_addr(g, off);
	print_len(g, len);
	fputc('\n', g->f);
}

static void gen_write(struct gen *g)
{
	unsigned long off = pick_access_off(g), len, i;

	fprintf(g->f, "write %d", g->pid);
	print_addr(g, off);
	if (one_in(g, 2)) {
		len = 1 + below(g, 40);
		if (off + len > WIN)
			len = WIN - off;
		fputs(" \"", g->f);
		for (i = 0; i < len; i++)
			fputc((int)('a' + below(g, 26)), g->f);
		fputs("\"\n", g->f);
		return;
	}
	len = pick_access_len(g, 8);
	if (off + len > WIN)
		len = WIN - off;
	fprintf(g->f, " fill=%#lx:%lu\n", below(g, 256), len);
}

/*
 * fork a live process (up to MAX_LIVE), exit one (never pid 1: init's
 * exit panics the simulated machine, as Linux does, and on the host it is
 * any process; so never the last either).  pids[0] stays pid 1.
 */
static void gen_process(struct gen *g)
{
	unsigned int i;

	if (g->nr_pids < MAX_LIVE && (g->nr_pids == 1 || one_in(g, 2) ||
				      (g->flags & SCRIPT_GEN_CHILD_ACCESS_ONLY && g->pid == 1))) {
		fprintf(g->f, "fork %d\n", g->pid);
		g->space[g->nr_pids] = *cur_space(g);
		g->pids[g->nr_pids++] = g->next_pid++;
		return;
	}
	if (g->pid == 1)
		g->pid = g->pids[1 + below(g, g->nr_pids - 1)];
	fprintf(g->f, "exit %d\n", g->pid);
	for (i = 0; i < g->nr_pids; i++)
		if (g->pids[i] == g->pid) {
			g->nr_pids--;
			g->pids[i] = g->pids[g->nr_pids];
			g->space[i] = g->space[g->nr_pids];
			break;
		}
}

/* With SCRIPT_GEN_KERNEL_ADDR, half the mmaps and a third of the
 * mremaps let the kernel choose. */
static void gen_any_mmap(struct gen *g)
{
	if (g->flags & SCRIPT_GEN_KERNEL_ADDR && one_in(g, 2))
		gen_mmap_kernel(g);
	else
		gen_mmap(g);
}

static void gen_any_mremap(struct gen *g)
{
	if (g->flags & SCRIPT_GEN_KERNEL_ADDR && one_in(g, 3))
		gen_mremap_kernel(g);
	else
		gen_mremap(g);
}

static void gen_one_faults(struct gen *g)
{
	unsigned long op;

	g->pid = g->pids[below(g, g->nr_pids)];
	op = below(g, 100);
	if (g->flags & SCRIPT_GEN_CHILD_ACCESS_ONLY && g->pid != 1 && op >= 4 && op < 55)
		op = 55 + below(g, 45);		/* an access or fork/exit instead */
	if (++g->since_cat >= CAT_EVERY || op < 3) {
		fprintf(g->f, "cat /proc/%d/maps\n", g->pid);
		g->since_cat = 0;
	} else if (op < 4) {
		fprintf(g->f, one_in(g, 2) ? "# a comment\n" : "\n");
	} else if (op < 20) {
		gen_any_mmap(g);
	} else if (op < 26) {
		gen_munmap(g);
	} else if (op < 35) {
		gen_mprotect(g);
	} else if (op < 42) {
		gen_any_mremap(g);
	} else if (op < 50) {
		gen_madvise(g);
	} else if (op < 52) {
		gen_pkey(g);
	} else if (op < 55) {
		gen_mlock(g);
	} else if (op < 80) {
		gen_touch(g);
	} else if (op < 87) {
		gen_read(g);
	} else if (op < 94) {
		gen_write(g);
	} else {
		gen_process(g);
	}
}

static void gen_one(struct gen *g)
{
	unsigned long op;

	if (g->flags & SCRIPT_GEN_FAULTS) {
		gen_one_faults(g);
		return;
	}
	op = below(g, 100);
	if (++g->since_cat >= CAT_EVERY || op < 4) {
		fprintf(g->f, "cat /proc/1/maps\n");
		g->since_cat = 0;
	} else if (op < 5) {
		fprintf(g->f, one_in(g, 2) ? "# a comment\n" : "\n");
	} else if (op < 30) {
		gen_any_mmap(g);
	} else if (op < 42) {
		gen_munmap(g);
	} else if (op < 56) {
		gen_mprotect(g);
	} else if (op < 72) {
		gen_any_mremap(g);
	} else if (op < 83) {
		gen_madvise(g);
	} else if (op < 86) {
		gen_pkey(g);
	} else {
		gen_mlock(g);
	}
}

/* Whether the words of line (split at blanks and '|') include every
 * blank-separated word of pattern. */
static bool line_matches(const char *line, const char *pattern)
{
	char words[256], *save = NULL, *w;

	snprintf(words, sizeof(words), "%s", pattern);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		size_t n = strlen(w);
		const char *p = line;
		bool found = false;

		while (!found && (p = strstr(p, w))) {
			found = (p == line || strchr(" |", p[-1])) && strchr(" |\n", p[n]);
			p += n;
		}
		if (!found)
			return false;
	}
	return true;
}

/* One line that no pattern of g->without matches, on out. */
static void gen_line(struct gen *g, FILE *out)
{
	struct gen saved = *g;
	const char *const *w;
	char *line = NULL;
	size_t size = 0;

	for (;;) {
		g->f = open_memstream(&line, &size);
		if (!g->f)
			abort();
		gen_one(g);
		fclose(g->f);
		for (w = g->without; w && *w && !line_matches(line, *w); w++)
			;
		if (!w || !*w)
			break;
		free(line);
		/* Another draw from where this one left the stream. */
		saved.state = g->state;
		*g = saved;
	}
	fputs(line, out);
	free(line);
	g->f = out;
}

void script_gen(FILE *f, unsigned long seed, unsigned int n,
		const char *const *without)
{
	script_gen_flags(f, seed, n, without, 0);
}

void script_gen_flags(FILE *f, unsigned long seed, unsigned int n,
		      const char *const *without, unsigned int flags)
{
	static const unsigned long hot_sizes[] = { 1ul << 20, 4ul << 20, 16ul << 20, WIN };
	struct gen g = { .f = f, .state = seed, .without = without, .flags = flags,
			 .pid = 1, .pids = { 1 }, .nr_pids = 1, .next_pid = 2 };
	const char *const *w;
	unsigned int i;

	/* With accesses, at most 16 MiB: 4 processes stay far from the
	 * simulator's RAM. */
	g.hot = hot_sizes[below(&g, flags & (SCRIPT_GEN_FAULTS | SCRIPT_GEN_KERNEL_ADDR) ? 3 : 4)];
	fprintf(f, "# kmm-host --generate %lu %u%s%s%s%s", seed, n,
		flags & SCRIPT_GEN_FAULTS ? " --faults" : "",
		flags & SCRIPT_GEN_KERNEL_ADDR ? " --kernel-addresses" : "",
		flags & SCRIPT_GEN_ALIGN_64K ? " --align-64k" : "",
		flags & SCRIPT_GEN_CHILD_ACCESS_ONLY ? " --child-access-only" : "");
	for (w = without; w && *w; w++)
		fprintf(f, "%s%s", w == without ? " --without '" : ",", *w);
	fprintf(f, "%s\n", without && *without ? "'" : "");
	fprintf(f, "spawn\n");
	fprintf(f, "mmap 1 %#lx %luM PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE|MAP_NORESERVE\n",
		HOST_WINDOW_START, WIN >> 20);
	model_map(&g.space[0], 0, WIN, false);
	if (flags & SCRIPT_GEN_KERNEL_ADDR) {
		fprintf(f, "munmap 1 %#lx %luM\n", HOST_WINDOW_START + WIN - KERNEL_ROOM,
			KERNEL_ROOM >> 20);
		model_unmap(&g.space[0], WIN - KERNEL_ROOM, KERNEL_ROOM);
	}
	for (i = 0; i < n; i++)
		gen_line(&g, f);
	if (!(flags & SCRIPT_GEN_FAULTS))
		fprintf(f, "cat /proc/1/maps\n");
	for (i = 0; flags & SCRIPT_GEN_FAULTS && i < g.nr_pids; i++)
		fprintf(f, "cat /proc/%d/maps\n", g.pids[i]);
}
