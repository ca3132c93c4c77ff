/*
 * mm/vma.h - the VMA set of an address space (mm/vma.c) as mm/ shares it:
 * link/unlink/split/merge and the free-space searches.  The vm_flags and
 * the lookups (find_vma and friends) are in <kmm/mm.h>, for code outside
 * mm/ too, as in Linux's include/linux/mm.h.
 */
#ifndef KMM_MM_VMA_H
#define KMM_MM_VMA_H

#include <errno.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/rbtree_augmented.h>
#include "mm/internal.h"

/* mm/rmap.c: false for an anon_vma made by fork (a non-singular chain). */
bool anon_vma_chain_singular(const struct anon_vma *av);
/* mm/rmap.c: a VMA joins / leaves the lists reverse mapping walks. */
void rmap_vma_link(struct vm_area_struct *v);
void rmap_vma_unlink(struct vm_area_struct *v);
/* A VMA in its tree takes (or drops, NULL) an anon_vma. */
void vma_set_anon_vma(struct vm_area_struct *v, struct anon_vma *av);

/* Pages of [start, end) that lie in vmas having any of flags. */
unsigned long vma_pages_with_flags(struct mm_struct *mm, unsigned long start,
				   unsigned long end, unsigned long flags);
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
