/*
 * tests/mm/test_brk.c - sys_brk as Linux 6.x answers it: byte-exact
 * breaks over page-aligned heap VMAs, growth that expands the heap VMA,
 * shrinking that unmaps, refusals (below the data segment, into the next
 * mapping or a stack's guard gap) that return the old break and change
 * nothing.  The host's own brk cannot be compared: its heap belongs to
 * malloc.
 */
#include "mm/mmap.h"
#include "mm/vma.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG 4096ul
#define HEAP 0x600000ul

static struct mm_struct *heap_mm(void)
{
	struct mm_struct *mm = mm_alloc();

	/* What exec would leave: data up to end_data, the heap right after. */
	mm->start_data = HEAP - 4 * PG;
	mm->end_data = HEAP - 100;
	mm->start_brk = mm->brk = HEAP;
	return mm;
}

static int nr_vmas(struct mm_struct *mm)
{
	return mm->map_count;
}

TEST(grow_shrink_and_byte_exact_breaks)
{
	struct kmm_config cfg = { .mem = 32ul << 20, .cpus = 1, .quiet = 1 };
	struct mm_struct *mm;
	struct vm_area_struct *v;
	const char *why;

	ASSERT_NOT_NULL(kmm_boot(&cfg));
	mm = heap_mm();
	ASSERT_EQ(sys_brk(mm, 0), HEAP);			/* the query idiom */
	ASSERT_EQ(sys_brk(mm, HEAP + 100), HEAP + 100);	/* one page */
	v = find_vma(mm, HEAP);
	ASSERT_NOT_NULL(v);
	ASSERT_EQ(v->vm_start, HEAP);
	ASSERT_EQ(v->vm_end, HEAP + PG);
	ASSERT_EQ(v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_ACCOUNT),
		  VM_READ | VM_WRITE | VM_ACCOUNT);
	ASSERT_EQ(sys_brk(mm, HEAP + 3 * PG + 1), HEAP + 3 * PG + 1);
	ASSERT_EQ(nr_vmas(mm), 1);				/* expanded, not added */
	ASSERT_EQ(find_vma(mm, HEAP)->vm_end, HEAP + 4 * PG);
	ASSERT_EQ(sys_brk(mm, HEAP + 3 * PG + 50), HEAP + 3 * PG + 50);	/* same page */
	ASSERT_EQ(sys_brk(mm, HEAP + PG), HEAP + PG);		/* shrink: unmaps */
	ASSERT_EQ(find_vma(mm, HEAP)->vm_end, HEAP + PG);
	ASSERT_EQ(mm->total_vm, 1ul);
	ASSERT_EQ(sys_brk(mm, HEAP), HEAP);			/* back to empty */
	ASSERT_EQ(nr_vmas(mm), 0);
	/* Below end_data: refused, the old break comes back. */
	ASSERT_EQ(sys_brk(mm, HEAP - 200), HEAP);
	ASSERT_EQ(mm->brk, HEAP);
	/* Between end_data and start_brk is allowed when not randomized. */
	ASSERT_EQ(sys_brk(mm, HEAP - 50), HEAP - 50);
	mm->brk_randomized = true;
	ASSERT_EQ(sys_brk(mm, HEAP - 60), HEAP - 50);
	ASSERT_EQ(validate_mm(mm, &why), 0);
	mmput(mm);
}

TEST(refuses_to_collide)
{
	struct kmm_config cfg = { .mem = 32ul << 20, .cpus = 1, .quiet = 1 };
	struct mm_struct *mm;

	ASSERT_NOT_NULL(kmm_boot(&cfg));
	mm = heap_mm();
	/* A mapping 8 pages above the heap: growth must leave a page free. */
	ASSERT_EQ(do_mmap(mm, HEAP + 8 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
		  (long)(HEAP + 8 * PG));
	ASSERT_EQ(sys_brk(mm, HEAP + 8 * PG), HEAP);		/* would touch it */
	ASSERT_EQ(sys_brk(mm, HEAP + 7 * PG + 1), HEAP);	/* no page between */
	ASSERT_EQ(sys_brk(mm, HEAP + 7 * PG), HEAP + 7 * PG);
	ASSERT_EQ(nr_vmas(mm), 2);
	/* A heap VMA is never merged with what lies above it. */
	ASSERT_EQ(find_vma(mm, HEAP)->vm_end, HEAP + 7 * PG);
	/* Shrinking where the heap has been unmapped already: refused. */
	ASSERT_EQ(do_munmap(mm, HEAP, 7 * PG), 0);
	ASSERT_EQ(sys_brk(mm, HEAP), HEAP + 7 * PG);
	mmput(mm);

	/* A stack (VM_GROWSDOWN) keeps its 1 MiB guard gap clear. */
	mm = heap_mm();
	ASSERT_EQ(do_mmap(mm, HEAP + (2ul << 20), PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN),
		  (long)(HEAP + (2ul << 20)));
	ASSERT_EQ(sys_brk(mm, HEAP + (1ul << 20)), HEAP);	/* inside the gap */
	ASSERT_EQ(sys_brk(mm, HEAP + (1ul << 20) - PG), HEAP + (1ul << 20) - PG);
	mm->def_flags = VM_LOCKED;				/* mlockall(MCL_FUTURE) */
	ASSERT_EQ(sys_brk(mm, HEAP + (1ul << 20) - 2 * PG), HEAP + (1ul << 20) - 2 * PG);
	ASSERT_EQ(sys_brk(mm, HEAP + (1ul << 20) - PG), HEAP + (1ul << 20) - PG);
	ASSERT_EQ(mm->locked_vm, 1ul);				/* the page grown locked */
	mmput(mm);
}

int main(void)
{
	RUN_TEST(grow_shrink_and_byte_exact_breaks);
	RUN_TEST(refuses_to_collide);
	return harness_summary();
}
