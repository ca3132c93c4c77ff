/*
 * tests/mm/test_memory.c - page faults, copy-on-write and the page tables
 * under the mapping calls (mm/memory.c, arch/x86/mm/fault.c).
 *
 *   - fault semantics: the zero page for reads, one fault per written
 *     page, copy-on-write after fork in each writer, reuse of a page whose
 *     other mapper is gone, SIGSEGV codes, shared memory seen by both
 *     processes, SIGBUS past a shmem object, stack growth;
 *   - integrity: processes write pages with a per-page pattern (owner,
 *     page, generation) and go through random forks, writes, mprotects,
 *     mremap moves, munmaps, DONTNEEDs and exits; after every step every
 *     live process reads back exactly what its model says (never another
 *     process's bytes), the RSS counters equal the mapped pages, and
 *     validate_mm holds;
 *   - reverse mapping: for every mapped page, rmap_walk finds exactly the
 *     PTEs of every process that map it, and its mapcount agrees;
 *   - after every process exits, the free page count and the slab caches
 *     are exactly what they were before the first spawn.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/slab.h"
#include "mm/vma.h"
#include "arch/x86/mm/fault.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG 4096ul
#define BASE 0x10000000ul

static struct kmm *boot(void)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

static unsigned long faults(struct task_struct *t)
{
	return t->min_flt;
}

/* One access of one byte; returns the signal (0: done). */
static int touch(struct task_struct *t, unsigned long addr, bool write, struct kmm_siginfo *si)
{
	phys_addr_t phys;

	return user_access(t, addr, write ? PF_WRITE : 0, &phys, si);
}

static unsigned long touch_range(struct task_struct *t, unsigned long addr, unsigned long len,
				 bool write)
{
	unsigned long before = faults(t), a;
	struct kmm_siginfo si;

	for (a = addr; a < addr + len; a += PG)
		if (touch(t, a, write, &si))
			return ~0ul;	/* a signal: no count will match */
	return faults(t) - before;
}

TEST(anonymous_faults_as_linux)
{
	struct kmm *k = boot();
	struct task_struct *p, *c;
	struct kmm_siginfo si;
	char buf[16];
	int err;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(do_mmap(p->mm, BASE, 16 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)BASE);
	/* A read maps the zero page (one fault a page), a write after it
	 * faults again, a second write does not. */
	ASSERT_EQ(touch_range(p, BASE, 8 * PG, false), 8ul);
	ASSERT_EQ(p->mm->rss_stat[MM_ANONPAGES], 3ul);	/* exec's own pages only */
	ASSERT_EQ(touch_range(p, BASE, 8 * PG, true), 8ul);
	ASSERT_EQ(touch_range(p, BASE, 8 * PG, true), 0ul);
	ASSERT_EQ(touch_range(p, BASE + 8 * PG, 8 * PG, true), 8ul);
	ASSERT_EQ(p->mm->rss_stat[MM_ANONPAGES], 3ul + 16);
	ASSERT_EQ(user_copy(p, BASE + 100, "parent", 6, true, &si), 0);

	/* After fork each writer faults once a page; the child sees the
	 * parent's bytes, then its own. */
	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(c->mm->rss_stat[MM_ANONPAGES], p->mm->rss_stat[MM_ANONPAGES]);
	ASSERT_EQ(touch_range(p, BASE, 4 * PG, true), 4ul);
	ASSERT_EQ(touch_range(c, BASE, 8 * PG, true), 8ul);
	ASSERT_EQ(user_copy(c, BASE + 100, buf, 6, false, &si), 0);
	ASSERT_EQ(memcmp(buf, "parent", 6), 0);
	ASSERT_EQ(user_copy(c, BASE + 100, "child!", 6, true, &si), 0);
	ASSERT_EQ(user_copy(p, BASE + 100, buf, 6, false, &si), 0);
	ASSERT_EQ(memcmp(buf, "parent", 6), 0);
	/* The child gone, the parent's pages 8..15 are its alone again:
	 * the next write reuses them (still one fault each). */
	do_exit(c);
	ASSERT_EQ(touch_range(p, BASE + 8 * PG, 8 * PG, true), 8ul);

	/* Signals: no VMA, a read-only VMA written, PROT_NONE read. */
	ASSERT_EQ(touch(p, BASE + 64 * PG, false, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_MAPERR);
	ASSERT_EQ(si.addr, BASE + 64 * PG);
	ASSERT_EQ(do_mprotect(p->mm, BASE, PG, PROT_READ), 0);
	ASSERT_EQ(touch(p, BASE + 5, true, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_ACCERR);
	ASSERT_EQ(touch(p, BASE + 5, false, &si), 0);
	ASSERT_EQ(do_mprotect(p->mm, BASE, PG, PROT_NONE), 0);
	ASSERT_EQ(touch(p, BASE, false, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_ACCERR);
	/* Back to read-write: the page, exclusive, is writable at once. */
	ASSERT_EQ(do_mprotect(p->mm, BASE, PG, PROT_READ | PROT_WRITE), 0);
	ASSERT_EQ(touch_range(p, BASE, PG, true), 0ul);
	/* An instruction fetch from non-executable memory: ACCERR; from
	 * executable memory (the program's text) it works. */
	{
		phys_addr_t phys;

		ASSERT_EQ(user_access(p, BASE + 8 * PG, PF_INSTR, &phys, &si), SIGSEGV);
		ASSERT_EQ(si.code, SEGV_ACCERR);
		ASSERT_EQ(user_access(p, p->mm->start_code, PF_INSTR, &phys, &si), 0);
	}
	/* A kernel address from user mode (as the host answers), and a
	 * non-canonical one: a #GP, si_code SI_KERNEL, no address. */
	ASSERT_EQ(touch(p, 0xffff888000000000ul, false, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_MAPERR);
	ASSERT_EQ(si.addr, 0xffff888000000000ul);
	ASSERT_EQ(touch(p, 0x800000000000ul, false, &si), SIGSEGV);
	ASSERT_EQ(si.code, SI_KERNEL);
	ASSERT_EQ(si.addr, 0ul);
	/* DONTNEED: anonymous memory reads as zero again, after a fault. */
	ASSERT_EQ(do_madvise(p->mm, BASE, PG, MADV_DONTNEED), 0);
	ASSERT_EQ(user_copy(p, BASE + 100, buf, 6, false, &si), 0);
	ASSERT_EQ(memcmp(buf, "\0\0\0\0\0\0", 6), 0);
	do_exit(p);
	kmm_shutdown(k);
}

TEST(shared_memory_and_sigbus)
{
	struct kmm *k = boot();
	struct task_struct *p, *c;
	struct kmm_siginfo si;
	char buf[8];
	int err;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("sh", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(do_mmap(p->mm, BASE, 32 * PG, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED), (long)BASE);
	ASSERT_EQ(touch_range(p, BASE, 16 * PG, true), 16ul);
	ASSERT_EQ(p->mm->rss_stat[MM_SHMEMPAGES], 16ul);
	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	/* The child's table is empty there (no anon_vma: not copied); a
	 * read maps the 16 cached pages of the 64 KiB around it at once. */
	ASSERT_EQ(c->mm->rss_stat[MM_SHMEMPAGES], 0ul);
	ASSERT_EQ(touch_range(c, BASE, 16 * PG, false), 1ul);
	ASSERT_EQ(user_copy(c, BASE + 3 * PG, "shared", 6, true, &si), 0);
	ASSERT_EQ(user_copy(p, BASE + 3 * PG, buf, 6, false, &si), 0);
	ASSERT_EQ(memcmp(buf, "shared", 6), 0);
	/* Grown by mremap past the object: the new pages are SIGBUS. */
	ASSERT_EQ(do_mremap(c->mm, BASE, 32 * PG, 40 * PG, 0, 0), (long)BASE);
	ASSERT_EQ(touch(c, BASE + 35 * PG, false, &si), SIGBUS);
	ASSERT_EQ(si.code, BUS_ADRERR);
	do_exit(c);
	do_exit(p);
	kmm_shutdown(k);
}

TEST(stack_grows_down_to_its_limit)
{
	struct kmm *k = boot();
	struct task_struct *p;
	struct kmm_siginfo si;
	unsigned long top;
	struct vm_area_struct *stack;
	int err;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	stack = find_vma(p->mm, p->mm->start_stack);
	ASSERT_NOT_NULL(stack);
	top = stack->vm_end;
	/* 64 KiB below the stack's start: it grows, one fault. */
	ASSERT_EQ(touch(p, stack->vm_start - 16 * PG, true, &si), 0);
	ASSERT_EQ(find_vma(p->mm, top - 1)->vm_start, stack->vm_start);
	ASSERT_TRUE(p->mm->stack_vm == (top - stack->vm_start) / PG);
	/* Beyond RLIMIT_STACK (8 MiB from the top): SIGSEGV MAPERR. */
	ASSERT_EQ(touch(p, top - (8ul << 20) - PG, true, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_MAPERR);
	do_exit(p);
	kmm_shutdown(k);
}

/* ---- random integrity ------------------------------------------------ */

#define NPROC	6
#define NPAGES	512		/* per process window, at BASE: 3,072 pages in all */

struct model {
	struct task_struct *t;
	unsigned char state[NPAGES];	/* 0 unmapped, 1 mapped (RW), 2 mapped read-only */
	uint32_t tag[NPAGES];		/* what page i holds: 0 = zeros */
};

static struct model procs[NPROC];
static void fill(unsigned char *buf, uint32_t tag)
{
	for (unsigned long i = 0; i < PG; i += 4)
		memcpy(buf + i, &(uint32_t){ tag * 2654435761u + (uint32_t)i }, 4);
}

static void check_process(struct model *m, int step)
{
	static unsigned char got[PG], want[PG];
	struct kmm_siginfo si;
	unsigned long anon = 0;

	for (int i = 0; i < NPAGES; i++) {
		int sig = user_copy(m->t, BASE + (unsigned long)i * PG, got, PG, false, &si);

		if (!m->state[i]) {
			if (sig != SIGSEGV)
				TEST_FAIL_("step %d pid %d page %d: unmapped but readable", step,
					   m->t->pid, i);
			continue;
		}
		if (sig)
			TEST_FAIL_("step %d pid %d page %d: signal %d", step, m->t->pid, i, sig);
		if (m->tag[i])
			fill(want, m->tag[i]);
		else
			memset(want, 0, PG);
		if (memcmp(got, want, PG))
			TEST_FAIL_("step %d pid %d page %d: wrong bytes (tag %u)", step, m->t->pid,
				   i, m->tag[i]);
		anon += m->tag[i] != 0;
	}
	/* Every written page is an anonymous page of this process (reads of
	 * the others map the zero page, which is nobody's). */
	if (m->t->mm->rss_stat[MM_ANONPAGES] < anon)
		TEST_FAIL_("step %d pid %d: RssAnon %lu pages, %lu written", step, m->t->pid,
			   m->t->mm->rss_stat[MM_ANONPAGES], anon);
}

static void random_step(int step)
{
	struct model *m = &procs[rnd() % NPROC];
	int i = (int)(rnd() % NPAGES), n = 1 + (int)(rnd() % 32), op = (int)(rnd() % 8), err;
	static unsigned char buf[PG];
	struct kmm_siginfo si;

	if (i + n > NPAGES)
		n = NPAGES - i;
	if (getenv("KMM_TEST_VERBOSE"))
		fprintf(stderr, "step %d: slot %ld pid %d op %d pages %d..%d\n", step,
			(long)(m - procs), m->t ? m->t->pid : 0, op, i, i + n - 1);
	if (!m->t) {
		/* Respawn, or fork a live one. */
		struct model *parent = &procs[rnd() % NPROC];

		if (parent->t && rnd() % 2) {
			m->t = kernel_fork(parent->t, &err);
			memcpy(m->state, parent->state, sizeof(m->state));
			memcpy(m->tag, parent->tag, sizeof(m->tag));
		} else {
			m->t = kernel_spawn("cat", &err);
			memset(m->state, 0, sizeof(m->state));
			memset(m->tag, 0, sizeof(m->tag));
		}
		ASSERT_NOT_NULL(m->t);
		return;
	}
	switch (op) {
	case 0:		/* map fresh memory */
		ASSERT_EQ(do_mmap(m->t->mm, BASE + (unsigned long)i * PG, (unsigned long)n * PG,
				  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
			  (long)(BASE + (unsigned long)i * PG));
		for (int j = i; j < i + n; j++) {
			m->state[j] = 1;
			m->tag[j] = 0;
		}
		break;
	case 1:
	case 2:		/* write a page */
		for (int j = i; j < i + n; j++) {
			uint32_t tag = (uint32_t)(rnd() | 1);

			if (m->state[j] != 1)
				continue;
			fill(buf, tag);
			ASSERT_EQ(user_copy(m->t, BASE + (unsigned long)j * PG, buf, PG, true, &si), 0);
			m->tag[j] = tag;
		}
		break;
	case 3:		/* read-only, or back */
		/* A hole makes it ENOMEM after the VMAs before it changed:
		 * read what it did back from the VMAs. */
		do_mprotect(m->t->mm, BASE + (unsigned long)i * PG, (unsigned long)n * PG,
			    rnd() % 2 ? PROT_READ : PROT_READ | PROT_WRITE);
		for (int j = i; j < i + n; j++) {
			struct vm_area_struct *v = vma_lookup(m->t->mm, BASE + (unsigned long)j * PG);

			if (v)
				m->state[j] = v->vm_flags & VM_WRITE ? 1 : 2;
		}
		break;
	case 4:		/* unmap */
		ASSERT_EQ(do_munmap(m->t->mm, BASE + (unsigned long)i * PG, (unsigned long)n * PG), 0);
		for (int j = i; j < i + n; j++)
			m->state[j] = 0, m->tag[j] = 0;
		break;
	case 5: {	/* move n pages to another place in the window */
		int to = (int)(rnd() % (NPAGES - n + 1)), j;
		long r;
		unsigned char st[NPAGES];
		uint32_t tg[NPAGES];

		for (j = i; j < i + n; j++)
			if (!m->state[j])
				return;		/* must be one VMA: keep it simple */
		if (!vma_lookup(m->t->mm, BASE + (unsigned long)i * PG) ||
		    vma_lookup(m->t->mm, BASE + (unsigned long)i * PG)->vm_end <
		    BASE + (unsigned long)(i + n) * PG)
			return;
		if (to < i + n && to + n > i)
			return;			/* overlapping: EINVAL */
		r = do_mremap(m->t->mm, BASE + (unsigned long)i * PG, (unsigned long)n * PG,
			      (unsigned long)n * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			      BASE + (unsigned long)to * PG);
		ASSERT_EQ(r, (long)(BASE + (unsigned long)to * PG));
		memcpy(st, m->state, sizeof(st));
		memcpy(tg, m->tag, sizeof(tg));
		for (j = 0; j < n; j++) {
			m->state[i + j] = 0;
			m->tag[i + j] = 0;
		}
		for (j = 0; j < n; j++) {
			m->state[to + j] = st[i + j];
			m->tag[to + j] = tg[i + j];
		}
		break;
	}
	case 6:		/* drop the pages: they read as zero again (holes in
			 * the range make it ENOMEM, the rest is dropped) */
		err = do_madvise(m->t->mm, BASE + (unsigned long)i * PG, (unsigned long)n * PG,
				 MADV_DONTNEED);
		ASSERT_TRUE(err == 0 || err == -ENOMEM);
		for (int j = i; j < i + n; j++)
			m->tag[j] = 0;
		break;
	default:	/* exit, now and then */
		if (rnd() % 4 == 0) {
			do_exit(m->t);
			m->t = NULL;
		}
		break;
	}
}

/*
 * The TLB never outlives a right: after each change below the access goes
 * through a TLB that held the old translation (it was just used), and
 * must see the new answer.  With PCID on and off.
 */
static void stale_entries(const char *tlbcfg)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k;
	struct task_struct *p, *c;
	struct kmm_siginfo si;
	char buf[8];
	int err;

	snprintf(cfg.tlb, sizeof(cfg.tlb), "%s", tlbcfg);
	k = kmm_boot(&cfg);
	ASSERT_NOT_NULL(k);
	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(do_mmap(p->mm, BASE, 4 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)BASE);
	ASSERT_EQ(user_copy(p, BASE, "AAAA", 4, true, &si), 0);
	/* Read-only now: the cached writable entry must not take a write. */
	ASSERT_EQ(do_mprotect(p->mm, BASE, PG, PROT_READ), 0);
	ASSERT_EQ(user_copy(p, BASE, "BBBB", 4, true, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_ACCERR);
	ASSERT_EQ(do_mprotect(p->mm, BASE, PG, PROT_READ | PROT_WRITE), 0);
	/* fork: the parent's writable entry must not write the shared page. */
	ASSERT_EQ(user_copy(p, BASE, "CCCC", 4, true, &si), 0);
	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(user_copy(p, BASE, "DDDD", 4, true, &si), 0);
	ASSERT_EQ(user_copy(c, BASE, buf, 4, false, &si), 0);
	ASSERT_EQ(memcmp(buf, "CCCC", 4), 0);
	/* The child's write after the parent's: neither sees the other's. */
	ASSERT_EQ(user_copy(c, BASE, "EEEE", 4, true, &si), 0);
	ASSERT_EQ(user_copy(p, BASE, buf, 4, false, &si), 0);
	ASSERT_EQ(memcmp(buf, "DDDD", 4), 0);
	/* munmap and DONTNEED: no read through the old entry. */
	ASSERT_EQ(user_copy(p, BASE + PG, "FFFF", 4, true, &si), 0);
	ASSERT_EQ(do_madvise(p->mm, BASE + PG, PG, MADV_DONTNEED), 0);
	ASSERT_EQ(user_copy(p, BASE + PG, buf, 4, false, &si), 0);
	ASSERT_EQ(memcmp(buf, "\0\0\0\0", 4), 0);
	ASSERT_EQ(do_munmap(p->mm, BASE + PG, PG), 0);
	ASSERT_EQ(user_copy(p, BASE + PG, buf, 4, false, &si), SIGSEGV);
	/* mremap: the old address is gone, the new one has the bytes. */
	ASSERT_EQ(do_mremap(p->mm, BASE, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 64 * PG),
		  (long)(BASE + 64 * PG));
	ASSERT_EQ(user_copy(p, BASE, buf, 4, false, &si), SIGSEGV);
	ASSERT_EQ(user_copy(p, BASE + 64 * PG, buf, 4, false, &si), 0);
	ASSERT_EQ(memcmp(buf, "DDDD", 4), 0);
	do_exit(c);
	do_exit(p);
	kmm_shutdown(k);
}

TEST(tlb_never_outlives_a_right)
{
	stale_entries("pcid=off");
	stale_entries("pcid=on");
	stale_entries("l1d=4:1,stlb=8:2,pcid=on");	/* tiny: evictions too */
}

/* ---- reverse mapping: rmap_walk finds exactly the PTEs that map a page - */

struct rmap_hit {
	struct mm_struct *mm;
	unsigned long addr;
};

struct rmap_found {
	struct rmap_hit hit[64];
	int n;
};

static int collect(struct page *page, struct vm_area_struct *v, unsigned long addr, void *arg)
{
	struct rmap_found *f = arg;

	(void)page;
	if (f->n < 64)
		f->hit[f->n++] = (struct rmap_hit){ v->vm_mm, addr };
	return 0;
}

/* Every page mapped in the window of a live process: the walk must find
 * each PTE mapping it, in whichever process, and nothing else. */
static void check_rmap(int step)
{
	struct page *zero = kmm_current()->mem->zero_page;

	for (int p = 0; p < NPROC; p++) {
		if (!procs[p].t)
			continue;
		for (int i = 0; i < NPAGES; i++) {
			unsigned long addr = BASE + (unsigned long)i * PG;
			pte_t *pte = pte_lookup(procs[p].t->mm, addr);
			struct rmap_found f = { .n = 0 };
			struct page *page;
			int expect = 0, found_self = 0;

			if (!pte || !pte_present(ptep_get(pte)))
				continue;
			page = pte_page(ptep_get(pte));
			if (page == zero)
				continue;
			rmap_walk(page, collect, &f);
			/* The brute-force answer: scan every process. */
			for (int q = 0; q < NPROC; q++) {
				if (!procs[q].t)
					continue;
				for (int j = 0; j < NPAGES; j++) {
					pte_t *e = pte_lookup(procs[q].t->mm, BASE + (unsigned long)j * PG);

					if (e && pte_present(ptep_get(e)) && pte_page(ptep_get(e)) == page)
						expect++;
				}
			}
			for (int h = 0; h < f.n; h++)
				if (f.hit[h].mm == procs[p].t->mm && f.hit[h].addr == addr)
					found_self++;
			if (f.n != expect || found_self != 1)
				TEST_FAIL_("step %d pid %d page %d: rmap_walk found %d mappings (self %d), "
					   "the page tables hold %d", step, procs[p].t->pid, i, f.n,
					   found_self, expect);
			if (page_mapcount(page) != expect)
				TEST_FAIL_("step %d pid %d page %d: mapcount %d, %d PTEs", step,
					   procs[p].t->pid, i, page_mapcount(page), expect);
		}
	}
}

TEST(random_processes_read_what_they_wrote)
{
	struct kmm *k = boot();
	unsigned long free_before;
	int steps = 3000 * (int)TEST_SCALE();

	ASSERT_NOT_NULL(k);
	rnd_state = TEST_SEED() * 0x9e3779b97f4a7c15ull + 5;
	/* What lives as long as the machine, made before the baseline. */
	{
		struct mm_struct *warm = mm_alloc();

		ASSERT_EQ(do_mmap(warm, BASE, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS), (long)BASE);
		mmput(warm);
		ASSERT_NOT_NULL(zero_page());
	}
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	memset(procs, 0, sizeof(procs));
	for (int step = 0; step < steps; step++) {
		const char *why;

		random_step(step);
		for (int p = 0; p < NPROC; p++) {
			if (!procs[p].t)
				continue;
			check_process(&procs[p], step);
			if (validate_mm(procs[p].t->mm, &why))
				TEST_FAIL_("step %d: validate_mm: %s", step, why);
		}
		if (step % 8 == 0)
			check_rmap(step);
	}
	for (int p = 0; p < NPROC; p++)
		if (procs[p].t)
			do_exit(procs[p].t);
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), free_before);
	ASSERT_EQ(reports_seen, 0ul);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(anonymous_faults_as_linux);
	RUN_TEST(shared_memory_and_sigbus);
	RUN_TEST(stack_grows_down_to_its_limit);
	RUN_TEST(tlb_never_outlives_a_right);
	RUN_TEST(random_processes_read_what_they_wrote);
	return harness_summary();
}
