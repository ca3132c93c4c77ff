/*
 * tests/mm/test_swapfile.c - swap areas (mm/swapfile.c, mm/page_io.c)
 * and the swap entries page tables hold (<kmm/swapops.h>, x86-64's
 * encoding in <kmm/pgtable.h>):
 *
 *   - encoding: every type and offset a PTE can hold comes back from it;
 *     a swap PTE is never present to the MMU, never protnone, never none;
 *     the guard marker is a PTE marker, not a slot of an area;
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include <kmm/swapops.h>
#include "mm/internal.h"
#include "mm/memory.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG	4096ul
#define BASE	0x10000000ul

static struct kmm *boot(void)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 2, .quiet = 1, .norandmaps = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

/* ---- swap entries in PTEs -------------------------------------------------- */

static int round_trips(unsigned long type, unsigned long offset)
{
	swp_entry_t e = swp_entry(type, offset), back;
	pte_t pte = swp_entry_to_pte(e);

	back = pte_to_swp_entry(pte);
	return back.val == e.val && swp_type(back) == type && swp_offset(back) == offset &&
	       is_swap_pte(pte) && !pte_present(pte) && !pte_none(pte) &&
	       !(pte_val(pte) & _PAGE_PROTNONE);
}

TEST(swap_pte_round_trips_every_type_and_offset)
{
	const unsigned long max_offset = (1ul << SWP_OFFSET_BITS) - 1;
	unsigned long type, i;

	rng_seed(TEST_SEED());
	for (type = 0; type < (1ul << MAX_SWAPFILES_SHIFT); type++) {
		ASSERT_TRUE(round_trips(type, 0));
		ASSERT_TRUE(round_trips(type, 1));
		ASSERT_TRUE(round_trips(type, 511));
		ASSERT_TRUE(round_trips(type, 512));
		ASSERT_TRUE(round_trips(type, 0xffffffffu));
		ASSERT_TRUE(round_trips(type, max_offset - 1));
		if (type)
			ASSERT_TRUE(round_trips(type, max_offset));
		for (i = 0; i < 64; i++)
			ASSERT_TRUE(round_trips(type, 1ul << (i % SWP_OFFSET_BITS)));
		for (i = 0; i < 1000; i++)
			ASSERT_TRUE(round_trips(type, rng_next() & (max_offset >> 1)));
	}
	/* The one entry that would read as an empty PTE: type 0 at the last
	 * offset.  No area gets there: an area's size (max) is 32 bits. */
	ASSERT_TRUE(pte_none(swp_entry_to_pte(swp_entry(0, max_offset))));
	/* x86-64's layout: type in bits 59-63, ~offset in 9-58, bits 0-8 clear. */
	ASSERT_EQ(pte_val(swp_entry_to_pte(swp_entry(0, 0))), 0x07fffffffffffe00ul);
	ASSERT_EQ(pte_val(swp_entry_to_pte(swp_entry(3, 1))), 0x1ffffffffffffc00ul);
	ASSERT_EQ(pte_val(swp_entry_to_pte(swp_entry(31, max_offset))), 0xf800000000000000ul);
	/* An offset past the 50 bits does not survive: the largest area. */
	ASSERT_EQ(swp_offset(pte_to_swp_entry(swp_entry_to_pte(swp_entry(0, ~0ul)))), max_offset);
}

TEST(guard_marker_is_a_pte_marker)
{
	pte_t g = __pte(_PAGE_GUARD);

	ASSERT_TRUE(is_swap_pte(g));
	ASSERT_TRUE(is_pte_marker(g));
	ASSERT_TRUE(non_swap_entry(pte_to_swp_entry(g)));
	ASSERT_EQ(pte_marker_get(g), PTE_MARKER_GUARD);
	ASSERT_FALSE(pte_mapped(g));
	ASSERT_FALSE(non_swap_entry(swp_entry(MAX_SWAPFILES - 1, 5)));
	ASSERT_EQ(MAX_SWAPFILES, 23);
}

/* A swap PTE in a process's page table: the MMU's walk faults on it as
 * not present (no PF_PROT), at the PTE level. */
TEST(swap_pte_is_not_present_to_the_mmu)
{
	struct kmm *k = boot();
	struct task_struct *p;
	struct mmu_walk w;
	unsigned int type;
	pte_t *ptep, old;
	int err;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(do_mmap(p->mm, BASE, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)BASE);
	ASSERT_EQ(mmu_walk(p->mm->pgd, BASE, PF_USER, &w) & PF_FAULT, PF_FAULT);
	ASSERT_EQ(handle_mm_fault(find_vma(p->mm, BASE), BASE, FAULT_FLAG_WRITE), 0);
	ASSERT_EQ(mmu_walk(p->mm->pgd, BASE, PF_USER | PF_WRITE, &w), 0);
	ptep = pte_lookup(p->mm, BASE);
	ASSERT_NOT_NULL(ptep);
	old = ptep_get(ptep);
	for (type = 0; type < MAX_SWAPFILES; type++) {
		pte_t swp = swp_entry_to_pte(swp_entry(type, 1 + type * 1000));
		int r;

		set_pte(ptep, swp);
		r = mmu_walk(p->mm->pgd, BASE, PF_USER | PF_WRITE | PF_PEEK, &w);
		ASSERT_EQ(r, PF_FAULT | PF_USER | PF_WRITE);
		ASSERT_EQ(w.level, PT_PTE);
		ASSERT_EQ(w.entries[3], pte_val(swp));
		ASSERT_FALSE(pte_mapped(swp));
	}
	set_pte(ptep, old);
	do_exit(p);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(swap_pte_round_trips_every_type_and_offset);
	RUN_TEST(guard_marker_is_a_pte_marker);
	RUN_TEST(swap_pte_is_not_present_to_the_mmu);
	return harness_summary();
}
