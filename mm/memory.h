/*
 * mm/memory.h - page faults and the page-table side of the mapping
 * calls (mm/memory.c), as mm/ shares them; what code outside mm/ calls
 * (handle_mm_fault, the VM_FAULT_* values) is in <kmm/mm.h>, and the
 * arch fault entry in arch/x86/mm/fault.h.
 */
#ifndef KMM_MM_MEMORY_H
#define KMM_MM_MEMORY_H

#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/swapops.h>
#include <kmm/err.h>
#include "mm/internal.h"


struct vm_area_struct;
struct mm_struct;
struct task_struct;

/* The page's index in its VMA's object (file pages, anon_vma). */
static inline pgoff_t linear_page_index(const struct vm_area_struct *v, unsigned long addr)
{
	return ((addr - v->vm_start) >> PAGE_SHIFT) + v->vm_pgoff;
}

/*
 * PROT_NONE pages stay mapped (Linux keeps them as "protnone" PTEs, not
 * present to the MMU, _PAGE_PROTNONE in <kmm/pgtable.h>), so zap and
 * mprotect still find the page.  A PTE "maps" a page when it is present
 * or protnone (Linux's pte_present).
 */
/* The shared zero page's frame (none before the first anonymous read). */
static inline bool is_zero_pfn(unsigned long pfn)
{
	struct page *z = kmm_cur()->mem->zero_page;

	return z && pfn == page_to_pfn(z);
}

/* A PTE of a page out on swap (not a marker, not a migration entry). */
static inline bool pte_is_swapped(pte_t p)
{
	return is_swap_pte(p) && !non_swap_entry(pte_to_swp_entry(p));
}

static inline bool pte_mapped(pte_t p)
{
	return pte_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE);
}

/*
 * A guard marker (MADV_GUARD_INSTALL): a PTE marker (PTE_MARKER_GUARD,
 * <kmm/swapops.h>) that makes any access a SIGSEGV instead of a
 * fault-in.  It belongs to the page table: munmap and exit drop it,
 * MADV_DONTNEED keeps it, mremap moves it and fork copies it.
 */
#define _PAGE_GUARD	pte_val(make_pte_marker(PTE_MARKER_GUARD))

static inline bool pte_guard(pte_t p)
{
	return pte_val(p) == _PAGE_GUARD;
}

struct page *zero_page(void);
pte_t *pte_lookup(struct mm_struct *mm, unsigned long addr);
/* swapoff: the swap PTE at addr of v mapped to its page again (swap-in). */
vm_fault_t unuse_pte(struct vm_area_struct *v, unsigned long addr, pte_t *pte);
/* The same, allocating the tables above it (charged to mm); NULL: no memory. */
pte_t *pte_alloc_map(struct mm_struct *mm, unsigned long addr);
void zap_page_range(struct mm_struct *mm, unsigned long start, unsigned long end);
void unmap_mapping_range(struct address_space *as, pgoff_t first, pgoff_t last);
void zap_pages_keep_guards(struct mm_struct *mm, unsigned long start, unsigned long end);
int guard_install(struct vm_area_struct *v, unsigned long start, unsigned long end);
void guard_remove(struct vm_area_struct *v, unsigned long start, unsigned long end);
void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end);
void exit_mm_pages(struct mm_struct *mm);
void change_protection(struct vm_area_struct *v, unsigned long start, unsigned long end);
int move_page_tables(struct mm_struct *mm, unsigned long old, unsigned long new,
		     unsigned long len);
int copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src);
void flush_tlb_page(struct mm_struct *mm, unsigned long addr);
void flush_tlb_range(struct mm_struct *mm, unsigned long start, unsigned long end);
/*
 * The checker of every address space: its vma tree (validate_mm), its
 * page tables against its RSS counters, and every page's mapcount
 * against the PTEs that map it, over all processes.  0, or -1 after
 * reporting the first thing found broken.
 */
int check_mm_counters(struct kmm *k);
/* The same for one address space, mapcounts aside. */
int check_mm(struct mm_struct *mm);
/* proc/tlbstat.c: /proc/tlbstat and the `tlbstat` command's table. */
int tlb_proc_show(struct kmm *k, char *buf, size_t size);
int tlbstat_show(struct kmm *k, char *buf, size_t size);

#endif
