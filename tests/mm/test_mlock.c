/*
 * tests/mm/test_mlock.c - what the host differential test (test_mmap.c)
 * cannot reach when it runs as root: RLIMIT_MEMLOCK for a process without
 * CAP_IPC_LOCK, mlockall/munlockall (locking the test process itself is
 * not an option), MAP_LOCKED, and mm->locked_vm through munmap and mremap.
 */
#include "mm/mmap.h"
#include "mm/vma.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG 4096ul
#define BASE 0x10000000ul

static struct mm_struct *new_mm(unsigned long limit)
{
	struct mm_struct *mm = mm_alloc();

	mm->rlim_memlock = limit;
	mm->cap_ipc_lock = false;
	return mm;
}

static unsigned long nr_vmas(struct mm_struct *mm)
{
	unsigned long n = 0;

	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		n++;
	return n;
}

TEST(rlimit_memlock_counts_pages_once)
{
	struct kmm_config cfg = { .mem = 32ul << 20, .cpus = 1, .quiet = 1 };
	struct mm_struct *mm;

	ASSERT_NOT_NULL(kmm_boot(&cfg));
	mm = new_mm(4 * PG);
	ASSERT_EQ(do_mmap(mm, BASE, 16 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		  (long)BASE);
	ASSERT_EQ(do_mlock(mm, BASE, 3 * PG, VM_LOCKED), 0);
	ASSERT_EQ(mm->locked_vm, 3ul);
	ASSERT_EQ(nr_vmas(mm), 2ul);			/* split at 3 pages */
	/* 5 pages, 3 of them locked already: 5 in all, over the limit of 4. */
	ASSERT_EQ(do_mlock(mm, BASE, 5 * PG, VM_LOCKED), -ENOMEM);
	/* 4 pages, 3 locked: fits. An unaligned start takes its page in. */
	ASSERT_EQ(do_mlock(mm, BASE + 100, 4 * PG - 100, VM_LOCKED), 0);
	ASSERT_EQ(mm->locked_vm, 4ul);
	ASSERT_EQ(do_munlock(mm, BASE, 16 * PG), 0);
	ASSERT_EQ(mm->locked_vm, 0ul);
	ASSERT_EQ(nr_vmas(mm), 1ul);			/* merged back */
	ASSERT_EQ(do_mlock2(mm, BASE, PG, 2), -EINVAL);	/* unknown mlock2 flag */
	/* MAP_LOCKED over the limit: EAGAIN, and nothing mapped. */
	ASSERT_EQ(do_mmap(mm, BASE + 32 * PG, 8 * PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED), -EAGAIN);
	ASSERT_EQ(nr_vmas(mm), 1ul);
	mm->rlim_memlock = 0;
	ASSERT_EQ(do_mlock(mm, BASE, PG, VM_LOCKED), -EPERM);
	ASSERT_EQ(do_mlockall(mm, MCL_CURRENT), -EPERM);
	mmput(mm);
}

TEST(locked_vm_follows_munmap_and_mremap)
{
	struct kmm_config cfg = { .mem = 32ul << 20, .cpus = 1, .quiet = 1 };
	struct mm_struct *mm;

	ASSERT_NOT_NULL(kmm_boot(&cfg));
	mm = new_mm(~0ul);
	ASSERT_EQ(do_mmap(mm, BASE, 8 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED), (long)BASE);
	ASSERT_EQ(mm->locked_vm, 8ul);
	ASSERT_EQ(do_munmap(mm, BASE + 6 * PG, 2 * PG), 0);
	ASSERT_EQ(mm->locked_vm, 6ul);
	ASSERT_EQ(do_mremap(mm, BASE, 6 * PG, 10 * PG, 0, 0), (long)BASE);	/* in place */
	ASSERT_EQ(mm->locked_vm, 10ul);
	ASSERT_EQ(do_mremap(mm, BASE, 10 * PG, 10 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			    BASE + 64 * PG), (long)(BASE + 64 * PG));
	ASSERT_EQ(mm->locked_vm, 10ul);
	/* DONTUNMAP leaves the source mapped but unlocked. */
	ASSERT_EQ(do_mremap(mm, BASE + 64 * PG, 10 * PG, 10 * PG,
			    MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, BASE),
		  (long)BASE);
	ASSERT_FALSE(find_vma(mm, BASE + 64 * PG)->vm_flags & VM_LOCKED);
	ASSERT_TRUE(find_vma(mm, BASE)->vm_flags & VM_LOCKED);
	/* Linux counts the new VMA and does not uncount the old one, whose
	 * VM_LOCKED it clears: VmLck doubles, and munlockall leaves half
	 * (seen on a 6.18 host: 40 kB, 80 kB, 40 kB for 10 pages). */
	ASSERT_EQ(mm->locked_vm, 20ul);
	ASSERT_EQ(do_munlockall(mm), 0);
	ASSERT_EQ(mm->locked_vm, 10ul);
	mmput(mm);
}

TEST(mlockall_current_and_future)
{
	struct kmm_config cfg = { .mem = 32ul << 20, .cpus = 1, .quiet = 1 };
	struct mm_struct *mm;

	ASSERT_NOT_NULL(kmm_boot(&cfg));
	mm = new_mm(~0ul);
	ASSERT_EQ(do_mlockall(mm, 0), -EINVAL);
	ASSERT_EQ(do_mlockall(mm, MCL_ONFAULT), -EINVAL);
	ASSERT_EQ(do_mlockall(mm, 64), -EINVAL);
	ASSERT_EQ(do_mmap(mm, BASE, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		  (long)BASE);
	ASSERT_EQ(do_mmap(mm, BASE + 8 * PG, 4 * PG, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)(BASE + 8 * PG));
	ASSERT_EQ(do_mlockall(mm, MCL_CURRENT | MCL_ONFAULT), 0);
	ASSERT_EQ(mm->locked_vm, 8ul);
	ASSERT_TRUE(find_vma(mm, BASE)->vm_flags & VM_LOCKONFAULT);
	ASSERT_EQ(mm->def_flags, 0ul);			/* not MCL_FUTURE */
	ASSERT_EQ(do_mlockall(mm, MCL_FUTURE), 0);
	ASSERT_EQ(mm->def_flags, VM_LOCKED);
	/* MCL_FUTURE alone leaves the current VMAs as they were. */
	ASSERT_TRUE(find_vma(mm, BASE)->vm_flags & VM_LOCKONFAULT);
	ASSERT_EQ(do_mmap(mm, BASE + 16 * PG, 2 * PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)(BASE + 16 * PG));
	ASSERT_TRUE(find_vma(mm, BASE + 16 * PG)->vm_flags & VM_LOCKED);
	ASSERT_EQ(mm->locked_vm, 10ul);
	/* A locked VMA refuses MADV_DONTNEED and MADV_FREE. */
	ASSERT_EQ(do_madvise(mm, BASE + 16 * PG, PG, MADV_DONTNEED), -EINVAL);
	ASSERT_EQ(do_munlockall(mm), 0);
	ASSERT_EQ(mm->def_flags, 0ul);
	ASSERT_EQ(mm->locked_vm, 0ul);
	ASSERT_EQ(do_madvise(mm, BASE + 16 * PG, PG, MADV_DONTNEED), 0);
	/* mlock of a PROT_NONE range locks it but cannot fault it: ENOMEM. */
	ASSERT_EQ(do_mlock(mm, BASE + 8 * PG, 4 * PG, VM_LOCKED), -ENOMEM);
	ASSERT_TRUE(find_vma(mm, BASE + 8 * PG)->vm_flags & VM_LOCKED);
	ASSERT_EQ(do_mlock2(mm, BASE + 8 * PG, 4 * PG, MLOCK_ONFAULT), 0);
	mmput(mm);
}

int main(void)
{
	RUN_TEST(rlimit_memlock_counts_pages_once);
	RUN_TEST(locked_vm_follows_munmap_and_mremap);
	RUN_TEST(mlockall_current_and_future);
	return harness_summary();
}
