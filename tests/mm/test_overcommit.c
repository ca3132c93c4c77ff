/*
 * tests/mm/test_overcommit.c - overcommit accounting (mm/util.c): the
 * committed total follows every VM_ACCOUNT page through random calls (and
 * total_vm / exec_vm / stack_vm / data_vm follow the VMAs' flags),
 * the three vm.overcommit_memory policies refuse what Linux refuses, and
 * /proc/meminfo shows CommitLimit and Committed_AS.
 */
#include <stdio.h>
#include <string.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG 4096ul
#define BASE 0x10000000ul
#define SPAN (4096 * PG)

static long accounted_pages(struct mm_struct *mm)
{
	long n = 0;

	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		if (v->vm_flags & VM_ACCOUNT)
			n += (long)((v->vm_end - v->vm_start) >> PAGE_SHIFT);
	return n;
}

/* total_vm, exec_vm, stack_vm, data_vm recomputed from the VMAs. */
static bool counters_agree(struct mm_struct *mm, const char **which)
{
	unsigned long total = 0, exec = 0, stack = 0, data = 0;

	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next) {
		unsigned long n = (v->vm_end - v->vm_start) >> PAGE_SHIFT, f = v->vm_flags;

		total += n;
		if ((f & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC)
			exec += n;
		else if (f & VM_STACK)
			stack += n;
		else if ((f & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			data += n;
	}
	*which = total != mm->total_vm ? "total_vm" : exec != mm->exec_vm ? "exec_vm" :
		 stack != mm->stack_vm ? "stack_vm" : data != mm->data_vm ? "data_vm" : NULL;
	return !*which;
}

TEST(committed_follows_vm_account)
{
	struct kmm_config cfg = { .mem = 256ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct mm_struct *mm;
	int steps = 3000 * (int)TEST_SCALE();

	ASSERT_NOT_NULL(k);
	rnd_state = TEST_SEED() * 0x9e3779b97f4a7c15ull + 7;
	mm = mm_alloc();
	for (int i = 0; i < steps; i++) {
		unsigned long off = (rnd() % (SPAN / PG)) * PG, len = ((rnd() % 64) + 1) * PG;
		static const unsigned long prots[] = {
			PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
			PROT_READ | PROT_WRITE | PROT_EXEC, PROT_NONE,
		};
		unsigned long prot = prots[rnd() % 5];
		const char *which;

		switch (rnd() % 6) {
		case 0:
			do_mmap(mm, BASE + off, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				(rnd() % 4 ? 0 : MAP_NORESERVE) | (rnd() % 4 ? 0 : MAP_POPULATE) |
				(rnd() % 8 ? 0 : MAP_GROWSDOWN));
			break;
		case 1:
			do_munmap(mm, BASE + off, len);
			break;
		case 2:
			do_mprotect(mm, BASE + off, len, prot);
			break;
		case 3:
			do_mremap(mm, BASE + off, len, ((rnd() % 64) + 1) * PG, MREMAP_MAYMOVE, 0);
			break;
		case 4:
			do_mremap(mm, BASE + off, len, len, MREMAP_MAYMOVE | MREMAP_FIXED |
				  (rnd() % 3 ? 0 : MREMAP_DONTUNMAP),
				  BASE + (rnd() % (SPAN / PG)) * PG);
			break;
		default:
			do_madvise(mm, BASE + off, len, MADV_DONTFORK);
			break;
		}
		/* DONTUNMAP included: the old range keeps VM_ACCOUNT and its
		 * charge, the new one is charged (Linux 6.18). */
		if (!counters_agree(mm, &which))
			TEST_FAIL_("step %d: %s disagrees with the VMAs", i, which);
		if (k->mem->vm_committed_as != accounted_pages(mm))
			TEST_FAIL_("step %d: committed %ld, VM_ACCOUNT pages %ld", i,
				   k->mem->vm_committed_as, accounted_pages(mm));
	}
	mmput(mm);
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
}

TEST(policies_refuse_as_linux)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct mm_struct *mm;
	unsigned long limit, ram = 0;
	long a;

	ASSERT_NOT_NULL(k);
	for (int i = 0; i < MAX_NR_ZONES; i++)
		ram += zone_managed_pages(&k->mem->node.node_zones[i]);
	mm = mm_alloc();
	/* 0, guess: one request beyond all RAM fails, many smaller pass. */
	a = do_mmap(mm, 0, (ram + 1) * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(a, -ENOMEM);
	ASSERT_TRUE(do_mmap(mm, 0, ram * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	ASSERT_TRUE(do_mmap(mm, 0, ram * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	/* Not writable or MAP_NORESERVE: never charged. */
	ASSERT_TRUE(do_mmap(mm, 0, (ram + 1) * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	ASSERT_TRUE(do_mmap(mm, 0, (ram + 1) * PG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE) > 0);
	ASSERT_EQ(k->mem->vm_committed_as, (long)(2 * ram));
	mmput(mm);
	ASSERT_EQ(k->mem->vm_committed_as, 0l);

	/* 2, never: CommitLimit = 50% of RAM, less the reserves. */
	k->mem->sysctl_overcommit_memory = OVERCOMMIT_NEVER;
	limit = vm_commit_limit(k);
	ASSERT_EQ(limit, ram / 2);
	mm = mm_alloc();
	a = do_mmap(mm, 0, limit * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(a, -ENOMEM);
	ASSERT_EQ(k->mem->vm_committed_as, 0l);		/* a refusal charges nothing */
	a = do_mmap(mm, 0, (limit / 2) * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0);
	/* MAP_NORESERVE is ignored under policy 2. */
	ASSERT_EQ(do_mmap(mm, 0, (limit / 2) * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE), -ENOMEM);
	/* mprotect to writable charges; refused when full, nothing changed. */
	{
		long r = do_mmap(mm, 0, (limit / 2) * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);

		ASSERT_TRUE(r > 0);
		ASSERT_EQ(do_mprotect(mm, (unsigned long)r, (limit / 2) * PG, PROT_READ | PROT_WRITE),
			  -ENOMEM);
		ASSERT_FALSE(find_vma(mm, (unsigned long)r)->vm_flags & VM_WRITE);
		/* A made-read-only, never-faulted mapping gives its charge back. */
		ASSERT_EQ(do_mprotect(mm, (unsigned long)a, (limit / 2) * PG, PROT_READ), 0);
		ASSERT_EQ(k->mem->vm_committed_as, 0l);
	}
	mmput(mm);
	/* 1, always: nothing is refused. */
	k->mem->sysctl_overcommit_memory = OVERCOMMIT_ALWAYS;
	mm = mm_alloc();
	ASSERT_TRUE(do_mmap(mm, 0, 1000 * ram * PG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	mmput(mm);
	k->mem->sysctl_overcommit_memory = OVERCOMMIT_GUESS;
}

TEST(meminfo_shows_commit)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct mm_struct *mm;
	char buf[8192], want[64];

	ASSERT_NOT_NULL(k);
	mm = mm_alloc();
	ASSERT_TRUE(do_mmap(mm, 0, 1000 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	ASSERT_TRUE(kmm_proc_read("/proc/meminfo", buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "Committed_AS:   %8lu kB\n", 4000ul);
	ASSERT_TRUE(strstr(buf, want) != NULL);
	snprintf(want, sizeof(want), "CommitLimit:    %8lu kB\n", vm_commit_limit(k) * 4);
	ASSERT_TRUE(strstr(buf, want) != NULL);
	mmput(mm);
}

int main(void)
{
	RUN_TEST(committed_follows_vm_account);
	RUN_TEST(policies_refuse_as_linux);
	RUN_TEST(meminfo_shows_commit);
	return harness_summary();
}
