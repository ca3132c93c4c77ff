/*
 * arch/x86/mm/mmap.c - where a new process's areas go on x86-64 (Linux's
 * arch/x86/mm/mmap.c and the ASLR helpers of fs/binfmt_elf.c): the mmap
 * base below the stack gap, the random offsets of each region, and the
 * vDSO.  With `boot aslr=off` every offset is 0 (Linux's norandmaps /
 * setarch -R), which is the layout the tests compare with the host.
 *
 * Randomness (randomize_va_space=2, from the boot seed):
 *   mmap base   28 bits of pages (mmap_rnd_bits) below the stack gap
 *   stack top   22 bits of pages (STACK_RND_MASK) below TASK_SIZE
 *   PIE base    ELF_ET_DYN_BASE + 28 bits of pages
 *   brk         a page past .bss, then up to 1 GiB higher
 */
#include <kmm/mm.h>
#include <kmm/sched.h>
#include "base/machine.h"

#define MMAP_RND_BITS	28
#define STACK_RND_MASK	0x3ffffful
#define SIZE_128M	(128ul << 20)

bool task_randomizes(void)
{
	return !kmm_cur()->cfg.norandmaps;
}

/* arch_mmap_rnd: a page-aligned offset of up to 2^28 pages. */
unsigned long arch_mmap_rnd(void)
{
	if (!task_randomizes())
		return 0;
	return (get_random_long(kmm_cur()) & ((1ul << MMAP_RND_BITS) - 1)) << PAGE_SHIFT;
}

/* How far below the stack limit the stack top may be moved. */
static unsigned long stack_maxrandom_size(void)
{
	return task_randomizes() ? STACK_RND_MASK << PAGE_SHIFT : 0;
}

unsigned long randomize_stack_top(unsigned long stack_top)
{
	if (!task_randomizes())
		return PAGE_ALIGN(stack_top);
	return PAGE_ALIGN(stack_top) -
	       ((get_random_long(kmm_cur()) & STACK_RND_MASK) << PAGE_SHIFT);
}

/* randomize_page(start, range): a page in [start, start + range). */
unsigned long arch_randomize_brk(struct mm_struct *mm)
{
	unsigned long pages = (1ul << 30) >> PAGE_SHIFT;

	return mm->brk + (get_random_long(mm->kmm) % pages << PAGE_SHIFT);
}

/*
 * The top-down layout: mmap_base sits below the largest the stack may
 * grow to (RLIMIT_STACK, the guard gap and the stack's random offset),
 * at least 128 MiB and at most 5/6 of the address space below the top.
 * An unlimited stack selects the legacy bottom-up layout from
 * TASK_UNMAPPED_BASE (a third of the address space).
 */
void arch_pick_mmap_layout(struct mm_struct *mm)
{
	unsigned long gap = mm->rlim_stack, pad, rnd = arch_mmap_rnd();

	if (mm->rlim_stack == ~0ul) {
		mm->mmap_legacy = true;
		mm->mmap_base = PAGE_ALIGN(TASK_SIZE / 3) + rnd;
		return;
	}
	pad = stack_maxrandom_size() + STACK_GUARD_GAP;
	if (gap + pad > gap)
		gap += pad;
	if (gap < SIZE_128M)
		gap = SIZE_128M;
	else if (gap > TASK_SIZE / 6 * 5)
		gap = TASK_SIZE / 6 * 5;
	mm->mmap_legacy = false;
	mm->mmap_base = PAGE_ALIGN(TASK_SIZE - gap - rnd);
}

/*
 * The vDSO: [vvar] (4 pages of kernel data), [vvar_vclock] (2 pages of
 * clock pages) and [vdso] (2 pages of code), in one free range found like
 * any mapping (Linux 6.18's x86-64 layout, as /proc/self/maps shows it).
 */
#define VVAR_PAGES		4
#define VVAR_VCLOCK_PAGES	2
#define VDSO_TEXT_PAGES		2

int arch_setup_additional_pages(struct mm_struct *mm)
{
	unsigned long len = (VVAR_PAGES + VVAR_VCLOCK_PAGES + VDSO_TEXT_PAGES) << PAGE_SHIFT;
	unsigned long data = VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP;
	long addr = get_unmapped_area(mm, NULL, 0, len, 0, 0);
	int err;

	if (addr < 0)
		return (int)addr;
	err = install_special_mapping(mm, (unsigned long)addr, VVAR_PAGES << PAGE_SHIFT,
				      data, "[vvar]");
	addr += VVAR_PAGES << PAGE_SHIFT;
	err = err ?: install_special_mapping(mm, (unsigned long)addr,
					     VVAR_VCLOCK_PAGES << PAGE_SHIFT, data, "[vvar_vclock]");
	addr += VVAR_VCLOCK_PAGES << PAGE_SHIFT;
	err = err ?: install_special_mapping(mm, (unsigned long)addr, VDSO_TEXT_PAGES << PAGE_SHIFT,
					     VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE |
					     VM_MAYEXEC, "[vdso]");
	return err;
}
