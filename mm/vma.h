/*
 * mm/vma.h - the VMA set of an address space (mm/vma.c): flags, lookups,
 * link/unlink/split/merge and the free-space searches.
 */
#ifndef KMM_MM_VMA_H
#define KMM_MM_VMA_H

#include <errno.h>
#include <kmm/fs.h>
#include <kmm/rbtree_augmented.h>
#include "mm/internal.h"

/* mm/rmap.c: false for an anon_vma made by fork (a non-singular chain). */
bool anon_vma_chain_singular(const struct anon_vma *av);
/* mm/rmap.c: a VMA joins / leaves the lists reverse mapping walks. */
void rmap_vma_link(struct vm_area_struct *v);
void rmap_vma_unlink(struct vm_area_struct *v);
/* A VMA in its tree takes (or drops, NULL) an anon_vma. */
void vma_set_anon_vma(struct vm_area_struct *v, struct anon_vma *av);

/* vm_flags, with Linux's values */
#define VM_NONE		0x00000000ul
#define VM_READ		0x00000001ul
#define VM_WRITE	0x00000002ul
#define VM_EXEC		0x00000004ul
#define VM_SHARED	0x00000008ul
#define VM_MAYREAD	0x00000010ul
#define VM_MAYWRITE	0x00000020ul
#define VM_MAYEXEC	0x00000040ul
#define VM_MAYSHARE	0x00000080ul
#define VM_GROWSDOWN	0x00000100ul
#define VM_STACK	VM_GROWSDOWN	/* x86: stacks grow down */
#define VM_LOCKED	0x00002000ul
#define VM_SEQ_READ	0x00008000ul
#define VM_RAND_READ	0x00010000ul
#define VM_DONTCOPY	0x00020000ul
#define VM_DONTEXPAND	0x00040000ul
#define VM_ACCOUNT	0x00100000ul
#define VM_NORESERVE	0x00200000ul
#define VM_IO		0x00004000ul
#define VM_PFNMAP	0x00000400ul
#define VM_HUGETLB	0x00400000ul
#define VM_WIPEONFORK	0x02000000ul
#define VM_DONTDUMP	0x04000000ul
#define VM_SOFTDIRTY	0x08000000ul
#define VM_HUGEPAGE	0x20000000ul
#define VM_NOHUGEPAGE	0x40000000ul
#define VM_MERGEABLE	0x80000000ul
#define VM_LOCKONFAULT	0x00080000ul
/* x86 protection keys: four high architecture bits (VM_HIGH_ARCH_BIT_0..3)
 * hold the VMA's key, so a key splits and merges VMAs like a flag. */
#define VM_PKEY_SHIFT	32
#define VM_PKEY_BIT0	(1ul << 32)
#define VM_PKEY_BIT1	(1ul << 33)
#define VM_PKEY_BIT2	(1ul << 34)
#define VM_PKEY_BIT3	(1ul << 35)
#define ARCH_VM_PKEY_FLAGS (VM_PKEY_BIT0 | VM_PKEY_BIT1 | VM_PKEY_BIT2 | VM_PKEY_BIT3)
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP)

/* The protection key of a VMA (0 on a CPU without them). */
static inline int vma_pkey(const struct vm_area_struct *v)
{
	return (int)((v->vm_flags & ARCH_VM_PKEY_FLAGS) >> VM_PKEY_SHIFT);
}

#define STACK_GUARD_GAP	(256ul << PAGE_SHIFT)	/* stack_guard_gap's default */
/* Where next's reach starts: its start, less the guard gap for a stack. */
static inline unsigned long vm_start_gap(const struct vm_area_struct *next)
{
	unsigned long start = next->vm_start;

	if (unlikely(next->vm_flags & VM_GROWSDOWN))
		start = start > STACK_GUARD_GAP ? start - STACK_GUARD_GAP : 0;
	return start;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start, unsigned long end);
/* The vma containing addr, or NULL (a hole). */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
/* Pages of [start, end) that lie in vmas having any of flags. */
unsigned long vma_pages_with_flags(struct mm_struct *mm, unsigned long start,
				   unsigned long end, unsigned long flags);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_adjust_bounds(struct mm_struct *mm, struct vm_area_struct *vma,
		       unsigned long start, unsigned long end);
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
		struct vm_area_struct *new, unsigned long addr, int new_below);
bool can_vma_merge(const struct vm_area_struct *a, const struct vm_area_struct *b);
long unmapped_area_topdown(struct mm_struct *mm, unsigned long length,
			   unsigned long low, unsigned long high);
long unmapped_area(struct mm_struct *mm, unsigned long length,
		   unsigned long low, unsigned long high);
int validate_mm(struct mm_struct *mm, const char **why);

#endif
