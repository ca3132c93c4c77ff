/*
 * tests/mm/test_mmap.c - mmap, munmap, mprotect, mremap and madvise against
 * the host kernel.  The same random sequence of calls runs twice: on the host, as
 * real system calls inside a 64 MiB window of this process's address
 * space, and in a kmm address space inside a window at the same offsets.
 * Every return value and errno, and the VMA layout of the window (what
 * /proc/self/maps shows: bounds and permissions), must be identical after
 * every call.  The window starts as one PROT_NONE reservation on both
 * sides, so neighbours outside it never merge in.
 *
 * What cannot be compared: where a non-fixed move lands when the hint is
 * not taken, because that depends on the whole address space (the host's
 * holds libc, the stack and more).  Such a move must happen on both sides
 * and is unmapped again on both.  KMM_TEST_VERBOSE=1 prints each mremap.
 */
#define _GNU_SOURCE	/* mremap */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "mm/mmap.h"
#include "mm/vma.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define WIN_PAGES	16384ul			/* 64 MiB */
#define WIN		(WIN_PAGES << 12)
#define KBASE		0x10000000ul		/* the window in the kmm mm */

struct layout {
	unsigned long start[512], end[512];
	char perm[512][5];
	int n;
};

/* The window's lines of /proc/self/maps, as offsets. */
static int host_layout(char *base, struct layout *l)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	if (!f)
		return -1;
	l->n = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char perm[5];

		if (sscanf(line, "%lx-%lx %4s", &s, &e, perm) != 3)
			continue;
		if (e <= (unsigned long)base || s >= (unsigned long)base + WIN)
			continue;
		if (s < (unsigned long)base)
			s = (unsigned long)base;
		if (e > (unsigned long)base + WIN)
			e = (unsigned long)base + WIN;
		l->start[l->n] = s - (unsigned long)base;
		l->end[l->n] = e - (unsigned long)base;
		memcpy(l->perm[l->n], perm, 5);
		if (++l->n == 512)
			break;
	}
	fclose(f);
	return 0;
}

static void kmm_layout(struct mm_struct *mm, struct layout *l)
{
	struct vm_area_struct *v;

	l->n = 0;
	for (v = mm->mmap; v && l->n < 512; v = v->vm_next) {
		if (v->vm_end <= KBASE || v->vm_start >= KBASE + WIN)
			continue;
		l->start[l->n] = max(v->vm_start, KBASE) - KBASE;
		l->end[l->n] = min(v->vm_end, KBASE + WIN) - KBASE;
		l->perm[l->n][0] = v->vm_flags & VM_READ ? 'r' : '-';
		l->perm[l->n][1] = v->vm_flags & VM_WRITE ? 'w' : '-';
		l->perm[l->n][2] = v->vm_flags & VM_EXEC ? 'x' : '-';
		l->perm[l->n][3] = v->vm_flags & VM_MAYSHARE ? 's' : 'p';
		l->perm[l->n][4] = 0;
		l->n++;
	}
}

/*
 * The host window: a PROT_NONE reservation that merged with nothing.  A
 * plain mmap(NULL) may land next to a PROT_NONE region of the process
 * (malloc's arenas reserve them) and merge with it, inheriting its
 * anon_vma, which changes later merges invisibly.  So: map it r-x (no
 * neighbour looks like that) with a page of margin, cut the margins off
 * to leave holes, and only then make it PROT_NONE.
 */
static char *host_window(void)
{
	char *p = mmap(NULL, WIN + 2 * 4096, PROT_READ | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, 4096);
	munmap(p + 4096 + WIN, 4096);
	if (mprotect(p + 4096, WIN, PROT_NONE))
		return NULL;
	return p + 4096;
}

static void print_layouts(const struct layout *hl, const struct layout *kl)
{
	for (int i = 0; i < hl->n || i < kl->n; i++)
		fprintf(stderr, "  %2d host %#9lx-%#9lx %s   kmm %#9lx-%#9lx %s\n", i,
			i < hl->n ? hl->start[i] : 0, i < hl->n ? hl->end[i] : 0,
			i < hl->n ? hl->perm[i] : "", i < kl->n ? kl->start[i] : 0,
			i < kl->n ? kl->end[i] : 0, i < kl->n ? kl->perm[i] : "");
}

/* KMM_TEST_VERBOSE=2: kmm's VMAs in the window with flags and anon_vma. */
static void dump_kmm(struct mm_struct *mm)
{
	struct vm_area_struct *v;

	if (!getenv("KMM_TEST_VERBOSE") || strcmp(getenv("KMM_TEST_VERBOSE"), "2"))
		return;
	for (v = mm->mmap; v; v = v->vm_next)
		if (v->vm_end > KBASE && v->vm_start < KBASE + WIN)
			fprintf(stderr, "    kmm %#9lx-%#9lx flags %#lx pgoff %#lx anon %p\n",
				v->vm_start - KBASE, v->vm_end - KBASE, v->vm_flags, v->vm_pgoff,
				(void *)v->anon_vma);
}

static long host_ret(long r, int is_mmap, char *base)
{
	if (is_mmap)
		return r == (long)MAP_FAILED ? -errno : r - (long)base;
	return r ? -errno : 0;
}

static const unsigned long prots[] = {
	PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
	PROT_READ | PROT_WRITE | PROT_EXEC, PROT_WRITE, PROT_READ | PROT_SEM,
	0x10 /* not a protection bit */,
};

static unsigned long rand_len(void)
{
	switch (rnd() % 12) {
	case 0: return 0;
	case 1: return rnd() % 10000;				/* not page-sized */
	case 2: return 1ul << 62;				/* huge */
	default: return ((rnd() % 64) + 1) << 12;
	}
}

static const int advices[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
	MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
	MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP,
	MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
	22, 23,		/* MADV_POPULATE_READ, MADV_POPULATE_WRITE */
	24,		/* MADV_DONTNEED_LOCKED */
	102, 103,	/* MADV_GUARD_INSTALL, MADV_GUARD_REMOVE */
	5, 200,		/* not advices */
};

/* mlock, mlock2 (plain, MLOCK_ONFAULT, a bad flag) or munlock, as raw
 * system calls: the sanitizers' runtimes replace the libc ones with
 * no-ops. */
static void op_mlock(struct mm_struct *mm, char *base, unsigned long off,
		     unsigned long len, long *h, long *km)
{
	switch (rnd() % 5) {
	case 0:
		*h = host_ret(syscall(SYS_mlock, base + off, len), 0, base);
		*km = do_mlock(mm, KBASE + off, len, VM_LOCKED);
		break;
	case 1:
	case 2: {
		unsigned int f = rnd() % 4 ? MLOCK_ONFAULT : 2;

		*h = host_ret(syscall(SYS_mlock2, base + off, len, f), 0, base);
		*km = do_mlock2(mm, KBASE + off, len, f);
		break;
	}
	default:
		*h = host_ret(syscall(SYS_munlock, base + off, len), 0, base);
		*km = do_munlock(mm, KBASE + off, len);
		break;
	}
}

static const unsigned long remap_flags[] = {
	0, MREMAP_MAYMOVE, MREMAP_MAYMOVE | MREMAP_FIXED,
	MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
	MREMAP_MAYMOVE | MREMAP_DONTUNMAP, MREMAP_FIXED, 8 /* unknown */,
};

/*
 * One random mremap on both sides.  Targets lie in the window; when a
 * move lands outside it (no room inside, or a hint not taken) both sides
 * must have moved, and the moved mapping is unmapped again on both so the
 * windows stay comparable.
 */
static void op_mremap(struct mm_struct *mm, char *base, unsigned long off,
		      unsigned long len, long *h, long *km)
{
	unsigned long flags = remap_flags[rnd() % ARRAY_SIZE(remap_flags)];
	unsigned long new_len = rnd() % 3 ? rand_len() : len;
	unsigned long to = (rnd() % WIN_PAGES) << 12;
	void *r;
	long kr;
	bool hinted = flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);

	if (new_len > WIN)
		new_len = rnd() % 2 ? WIN - to : new_len;
	else if (to + new_len > WIN)
		new_len = WIN - to;
	if (flags & MREMAP_DONTUNMAP && rnd() % 2)
		new_len = len;
	/* A hint reaching past the window would meet the host's own
	 * mappings there (or not), which kmm's space does not have. */
	if (new_len < WIN && to + PAGE_ALIGN(new_len) > WIN)
		to = WIN - PAGE_ALIGN(new_len);
	/* Growing in place past the window would meet the host's other
	 * mappings (or not), which kmm's space does not have. */
	if (!(flags & MREMAP_FIXED) && new_len <= WIN && off + new_len > WIN)
		new_len = WIN - off;
	r = mremap(base + off, len, new_len, (int)flags, base + to);
	kr = do_mremap(mm, KBASE + off, len, new_len, flags, KBASE + to);
	*h = host_ret((long)r, 1, base);
	*km = kr >= 0 ? kr - (long)KBASE : kr;
	/* A move to neither the hint nor the window depends on the rest of
	 * the address space: unmap it and call it "moved elsewhere". */
	if (r != MAP_FAILED && r != base + off &&
	    !(hinted && r == base + to)) {
		munmap(r, PAGE_ALIGN(new_len));
		*h = -1000;		/* "moved out of the window" */
	}
	if (kr >= 0 && (unsigned long)kr != KBASE + off &&
	    !(hinted && (unsigned long)kr == KBASE + to)) {
		do_munmap(mm, (unsigned long)kr, new_len);
		*km = -1000;
	}
	if (*h != *km || getenv("KMM_TEST_VERBOSE"))
		fprintf(stderr, "  mremap(%#lx, %#lx, %#lx, %#lx, %#lx) = %ld / %ld\n",
			off, len, new_len, flags, to, *h, *km);
}

/* Whether this process has capability bit cap in effect (CapEff). */
static bool has_capability(int cap)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long eff = 0;
	char line[256];

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> cap) & 1;
}

static const char *limit_text(rlim_t v, char *buf, size_t size)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%luK", (unsigned long)v >> 10);
	return buf;
}

TEST(random_calls_match_the_host)
{
	/* Big enough that overcommit never refuses a window-sized mapping
	 * the host (with its RAM) would take. */
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct layout hl, kl;
	struct mm_struct *mm;
	char *base;
	int seed, step, nseeds = 20 * (int)TEST_SCALE();
	unsigned long calls = 0;
	struct rlimit memlock;
	char soft[32], hard[32];
	bool ipc_lock, sys_admin;

	ASSERT_NOT_NULL(k);
	/* The host's ulimit -l and capabilities, which its mlock calls meet. */
	ASSERT_EQ(getrlimit(RLIMIT_MEMLOCK, &memlock), 0);
	ipc_lock = has_capability(14);		/* CAP_IPC_LOCK: no limit at all */
	sys_admin = has_capability(21);		/* CAP_SYS_ADMIN */
	printf("  RLIMIT_MEMLOCK read by getrlimit (ulimit -l): %s, hard %s%s; the kmm mm gets the same\n",
	       limit_text(memlock.rlim_cur, soft, sizeof(soft)),
	       limit_text(memlock.rlim_max, hard, sizeof(hard)),
	       ipc_lock ? ", with CAP_IPC_LOCK (the limit does not apply)" : "");
	for (seed = 0; seed < nseeds; seed++) {
		rnd_state = (TEST_SEED() + (uint64_t)seed) * 0x9e3779b97f4a7c15ull + 1;
		base = host_window();
		ASSERT_TRUE(base != NULL);
		hl.n = 0;
		mm = mm_alloc();
		mm->rlim_memlock = memlock.rlim_cur;	/* the host's own limits */
		mm->cap_ipc_lock = ipc_lock;		/* root may lack them in a container */
		mm->cap_sys_admin = sys_admin;
		ASSERT_EQ(do_mmap(mm, KBASE, WIN, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE), (long)KBASE);
		for (step = 0; step < 60; step++) {
			unsigned long off = (rnd() % WIN_PAGES) << 12, len = rand_len();

			/* A third of the calls start or end at a VMA boundary,
			 * where merges happen; random pages rarely do. */
			if (hl.n > 1 && rnd() % 3 == 0) {
				int i = 1 + (int)(rnd() % (unsigned long)(hl.n - 1));

				off = hl.start[i];
				if (rnd() % 2 && len < WIN && off >= len)
					off -= len;	/* end there instead */
			}
			unsigned long prot = prots[rnd() % ARRAY_SIZE(prots)];
			int op = (int)(rnd() % 7);
			long h, km;
			unsigned long mflags = 0;
			const char *why;

			if (rnd() % 10 == 0)
				off += rnd() % 4096;		/* unaligned */
			if (off + (len < WIN ? len : 0) > WIN)
				len = WIN - off;		/* stay in the window */
			if (len > WIN && op != 1)
				len = WIN - off;		/* huge only for plain mmap */
			switch (op) {
			case 0:
			case 1: {
				static const unsigned long extra[] = {
					0, 0, 0, 0, MAP_STACK, MAP_POPULATE, MAP_NORESERVE,
					MAP_GROWSDOWN, MAP_STACK | MAP_NORESERVE,
				};
				/* A quarter shared: shmem objects of their own. */
				unsigned long flags = (rnd() % 4 ? MAP_PRIVATE : MAP_SHARED) |
						      MAP_ANONYMOUS |
						      (op ? MAP_FIXED : MAP_FIXED_NOREPLACE) |
						      extra[rnd() % ARRAY_SIZE(extra)];

				if (prot & 0x10)
					prot = PROT_READ;	/* mmap ignores unknown bits */
				mflags = flags;
				h = host_ret((long)mmap(base + off, len, (int)prot, (int)flags, -1, 0), 1, base);
				km = do_mmap(mm, KBASE + off, len, prot, flags);
				if (km >= 0)
					km -= (long)KBASE;
				break;
			}
			case 2:
				h = host_ret(munmap(base + off, len), 0, base);
				km = do_munmap(mm, KBASE + off, len);
				break;
			case 3:
				h = host_ret(mprotect(base + off, len, (int)prot), 0, base);
				km = do_mprotect(mm, KBASE + off, len, prot);
				break;
			case 4:
				op_mremap(mm, base, off, len, &h, &km);
				break;
			case 6:
				op_mlock(mm, base, off, len, &h, &km);
				break;
			default: {
				/* Never MADV_HWPOISON / SOFT_OFFLINE: tests may run as root. */
				int adv = advices[rnd() % ARRAY_SIZE(advices)];

				h = host_ret(madvise(base + off, len, adv), 0, base);
				km = do_madvise(mm, KBASE + off, len, adv);
				prot = (unsigned long)adv;	/* for the failure message */
				break;
			}
			}
			calls++;
			if (getenv("KMM_TEST_VERBOSE"))
				fprintf(stderr, "seed %d step %d: op %d off %#lx len %#lx prot %#lx flags %#lx: host %ld kmm %ld\n",
					seed, step, op, off, len, prot, mflags, h, km);
			if (h != km) {
				/* The layout the call was made on. */
				print_layouts(&hl, &kl);
				TEST_FAIL_("seed %d step %d: op %d off %#lx len %#lx prot %#lx: host %ld, kmm %ld",
					   seed, step, op, off, len, prot, h, km);
			}
			ASSERT_EQ(host_layout(base, &hl), 0);
			kmm_layout(mm, &kl);
			dump_kmm(mm);
			if (hl.n != kl.n) {
				print_layouts(&hl, &kl);
				TEST_FAIL_("seed %d step %d (op %d): host has %d vmas in the window, kmm %d",
					   seed, step, op, hl.n, kl.n);
			}
			for (int i = 0; i < hl.n; i++)
				if (hl.start[i] != kl.start[i] || hl.end[i] != kl.end[i] ||
				    strcmp(hl.perm[i], kl.perm[i]))
					TEST_FAIL_("seed %d step %d (op %d): vma %d host %#lx-%#lx %s, kmm %#lx-%#lx %s",
						   seed, step, op, i, hl.start[i], hl.end[i], hl.perm[i],
						   kl.start[i], kl.end[i], kl.perm[i]);
			if (validate_mm(mm, &why))
				TEST_FAIL_("validate_mm: %s", why);
		}
		munmap(base, WIN);
		mmput(mm);
	}
	printf("  %lu calls compared with the host kernel\n", calls);
	kmm_shutdown(k);
}

TEST(top_down_placement_and_errors)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct mm_struct *mm;
	long a, b;

	ASSERT_NOT_NULL(k);
	mm = mm_alloc();
	a = do_mmap(mm, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	b = do_mmap(mm, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	/* Below mmap_base, each new area right under the previous one, and
	 * compatible neighbours merge into one vma. */
	ASSERT_EQ(a, (long)(mm->mmap_base - 8192));
	ASSERT_EQ(b, a - 4096);
	ASSERT_EQ(mm->map_count, 1);
	ASSERT_EQ(do_mmap(mm, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS), -EINVAL);
	ASSERT_EQ(do_mmap(mm, 0, 4096, PROT_READ, MAP_ANONYMOUS), -EINVAL);
	ASSERT_EQ(do_mmap(mm, 0x1001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), -EINVAL);
	ASSERT_EQ(do_mmap(mm, (unsigned long)b, 4096, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE), -EEXIST);
	ASSERT_EQ(do_mmap(mm, 0, 1ul << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS), -ENOMEM);
	/* A hint that is free is taken as it is. */
	ASSERT_EQ(do_mmap(mm, 0x40000000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS), 0x40000000);
	ASSERT_EQ(do_munmap(mm, 0x40000001, 4096), -EINVAL);
	ASSERT_EQ(do_munmap(mm, 0x40000000, 0), -EINVAL);
	ASSERT_EQ(do_mprotect(mm, 0x50000000, 4096, PROT_READ), -ENOMEM);
	mmput(mm);
	kmm_shutdown(k);
}

/*
 * Where the kernel puts what it chooses (Linux 6.18's __get_unmapped_area):
 * an anonymous private mapping of a multiple of 2 MiB without a hint
 * gets a 2 MiB-aligned address (thp_get_unmapped_area: search 2 MiB more,
 * top-down move up when already aligned), mremap's moves too; shared
 * anonymous memory only when shmem may use huge pages; an unaligned hint
 * rounds down to its page; an unaligned MAP_FIXED_NOREPLACE is EINVAL.
 */
TEST(kernel_chosen_placement_follows_linux)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1 };
	const unsigned long M2 = 2ul << 20, anon = MAP_PRIVATE | MAP_ANONYMOUS;
	struct kmm *k = kmm_boot(&cfg);
	struct mm_struct *mm;
	long a, b, c;

	ASSERT_NOT_NULL(k);
	mm = mm_alloc();
	mm->mmap_base = 0x7f0000123000ul;	/* not 2 MiB-aligned, as after ASLR */
	a = do_mmap(mm, 0, 4096, PROT_READ, anon);
	ASSERT_EQ(a, (long)(mm->mmap_base - 4096));
	/* 4 MiB: the padded search ends at a; the start rounds up to 2 MiB. */
	b = do_mmap(mm, 0, 2 * M2, PROT_READ, anon);
	ASSERT_EQ(b, (long)(((unsigned long)a - 3 * M2 + M2 - 1) & ~(M2 - 1)));
	ASSERT_EQ(b & (long)(M2 - 1), 0);
	/* Just below an aligned b the padded area is aligned: moved up by 2 MiB,
	 * so the mapping ends at b (one VMA with it, they merge). */
	c = do_mmap(mm, 0, M2, PROT_READ, anon);
	ASSERT_EQ(c, b - (long)M2);
	ASSERT_EQ(mm->map_count, 2);
	/* Not a multiple of 2 MiB, or with a hint: the plain search. */
	ASSERT_EQ(do_mmap(mm, 0, M2 + 4096, PROT_WRITE, anon), c - (long)M2 - 4096);
	ASSERT_EQ(do_mmap(mm, 0x40000123, M2, PROT_READ, anon), 0x40000000);
	/* Shared anonymous memory: shmem never uses huge pages by default. */
	a = do_mmap(mm, 0, M2, PROT_READ, MAP_SHARED | MAP_ANONYMOUS);
	ASSERT_EQ(a, c - (long)M2 - 4096 - (long)M2);
	ASSERT_NE(a & (long)(M2 - 1), 0);
	/* An unaligned MAP_FIXED_NOREPLACE is EINVAL, an unaligned hint below
	 * mmap_min_addr moves up to it (one below a page is no hint). */
	ASSERT_EQ(do_mmap(mm, 0x50000010, 4096, PROT_READ, anon | MAP_FIXED_NOREPLACE), -EINVAL);
	ASSERT_EQ(do_mmap(mm, 0x1123, 4096, PROT_READ, anon), 0x10000);
	/* mremap's move of anonymous memory to 2 MiB multiples: aligned too. */
	a = do_mmap(mm, 0x60000000, 4096, PROT_READ | PROT_WRITE, anon);
	ASSERT_EQ(a, 0x60000000);
	ASSERT_EQ(do_mmap(mm, 0x60001000, 4096, PROT_READ, anon), 0x60001000);
	b = do_mremap(mm, 0x60000000, 4096, 2 * M2, MREMAP_MAYMOVE, 0);
	ASSERT_TRUE(b > 0);
	ASSERT_EQ(b & (long)(M2 - 1), 0);
	mmput(mm);
	kmm_shutdown(k);

	/* transparent_hugepage_shmem=always: shared anonymous memory aligned. */
	cfg.shmem_huge = SHMEM_HUGE_ALWAYS;
	k = kmm_boot(&cfg);
	ASSERT_NOT_NULL(k);
	mm = mm_alloc();
	mm->mmap_base = 0x7f0000123000ul;
	a = do_mmap(mm, 0, M2, PROT_READ, MAP_SHARED | MAP_ANONYMOUS);
	ASSERT_EQ(a, (long)((mm->mmap_base - M2) & ~(M2 - 1)));
	a = do_mmap(mm, 0, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS);	/* too small */
	ASSERT_NE(a & (long)(M2 - 1), 0);
	mmput(mm);
	kmm_shutdown(k);
}

/*
 * Addresses at and beyond TASK_SIZE, and lengths that wrap: the host's
 * answer for each call (they all fail there, touching nothing) must be
 * kmm's, and kmm's address space must not change.
 */
/*
 * MADV_COLLAPSE on populated memory, on ranges holding no whole aligned
 * 2 MiB block (kmm has no pages to collapse yet, so whole blocks cannot
 * be compared): Linux answers EINVAL when the range lies inside one block
 * without reaching its end, 0 when it reaches exactly one boundary or
 * straddles one.
 */
TEST(collapse_without_whole_blocks_matches_the_host)
{
	static const unsigned long ranges[][2] = {	/* offset, length from a 2M boundary */
		{ 0x1000, 0x3000 }, { 0, 0x10000 }, { 0x1ff000, 0x2000 },
		{ 0x100000, 0x100000 }, { 0x1000, 0x1ff000 }, { 0x10000, 0x1f0000 },
	};
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct mm_struct *mm;
	char *base = host_window();
	unsigned long hbase;
	size_t i;

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(base);
	/* A 2 MiB-aligned 6 MiB area inside the window, populated. */
	hbase = ALIGN((unsigned long)base, 2ul << 20);
	mm = mm_alloc();
	ASSERT_EQ(host_ret((long)mmap((void *)hbase, 6ul << 20, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0),
			   1, (char *)hbase), 0);
	ASSERT_EQ(do_mmap(mm, KBASE, 6ul << 20, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE), (long)KBASE);
	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		unsigned long off = (2ul << 20) + ranges[i][0], len = ranges[i][1];
		long h = host_ret(madvise((void *)(hbase + off), len, 25 /* MADV_COLLAPSE */), 0, base);
		long km = do_madvise(mm, KBASE + off, len, 25);

		if (getenv("KMM_TEST_VERBOSE"))
			fprintf(stderr, "  collapse +%#lx len %#lx: host %ld kmm %ld\n", off, len, h, km);

		if (h != km)
			TEST_FAIL_("MADV_COLLAPSE at +%#lx len %#lx: host %ld, kmm %ld", off, len, h, km);
	}
	munmap(base, WIN);
	mmput(mm);
	kmm_shutdown(k);
}

TEST(beyond_task_size_matches_the_host)
{
	/* Big enough that overcommit never refuses a window-sized mapping
	 * the host (with its RAM) would take. */
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1 };
	const unsigned long top = TASK_SIZE, pg = 4096;
	const unsigned long addrs[] = { top, top - pg, top + pg, 1ul << 47, ~0ul & PAGE_MASK };
	const unsigned long lens[] = { pg, 2 * pg, ~0ul - pg, 1ul << 47 };
	struct mm_struct *mm;
	/* The page both sides move from: the same address on both. */
	char *src = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(src != MAP_FAILED);
	ASSERT_NOT_NULL(kmm_boot(&cfg));
	mm = mm_alloc();
	ASSERT_EQ(do_mmap(mm, (unsigned long)src, pg, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)src);
	for (unsigned int i = 0; i < ARRAY_SIZE(addrs); i++)
		for (unsigned int j = 0; j < ARRAY_SIZE(lens); j++) {
			unsigned long a = addrs[i], l = lens[j];
			long h, km;

			if (a == top - pg && l == pg)
				continue;	/* the host's vsyscall-free top page: not ours to map */
			h = host_ret((long)mmap((void *)a, l, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
						MAP_FIXED_NOREPLACE, -1, 0), 0, NULL);
			km = do_mmap(mm, a, l, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
			if ((h < 0) != (km < 0) || (h < 0 && h != km))
				TEST_FAIL_("mmap(%#lx, %#lx): host %ld, kmm %ld", a, l, h, km);
			h = host_ret(munmap((void *)a, l), 0, NULL);
			km = do_munmap(mm, a, l);
			if (h != km)
				TEST_FAIL_("munmap(%#lx, %#lx): host %ld, kmm %ld", a, l, h, km);
			h = host_ret(mprotect((void *)a, l, PROT_READ), 0, NULL);
			km = do_mprotect(mm, a, l, PROT_READ);
			if (h != km)
				TEST_FAIL_("mprotect(%#lx, %#lx): host %ld, kmm %ld", a, l, h, km);
			if (a != top - pg) {	/* a legal target: the move would happen */
				h = host_ret((long)mremap(src, pg, l, MREMAP_MAYMOVE | MREMAP_FIXED,
							  (void *)a), 1, NULL);
				km = do_mremap(mm, (unsigned long)src, pg, l,
					       MREMAP_MAYMOVE | MREMAP_FIXED, a);
				if (h >= 0 || h != km)
					TEST_FAIL_("mremap(to %#lx, %#lx): host %ld, kmm %ld", a, l,
						   h, km);
			}
			h = host_ret(madvise((void *)a, l, MADV_DONTNEED), 0, NULL);
			km = do_madvise(mm, a, l, MADV_DONTNEED);
			if (h != km)
				TEST_FAIL_("madvise(%#lx, %#lx): host %ld, kmm %ld", a, l, h, km);
		}
	ASSERT_EQ(mm->map_count, 1);
	ASSERT_EQ(mm->total_vm, 1ul);
	ASSERT_NOT_NULL(vma_lookup(mm, (unsigned long)src));
	munmap(src, pg);
	mmput(mm);
}

int main(void)
{
	RUN_TEST(top_down_placement_and_errors);
	RUN_TEST(kernel_chosen_placement_follows_linux);
	RUN_TEST(random_calls_match_the_host);
	RUN_TEST(beyond_task_size_matches_the_host);
	RUN_TEST(collapse_without_whole_blocks_matches_the_host);
	return harness_summary();
}
