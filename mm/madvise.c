/*
 * mm/madvise.c - madvise: every advice Linux 6.x accepts from an
 * unprivileged-looking caller, with its return values.  The advices that
 * change vm_flags (RANDOM, SEQUENTIAL, NORMAL, DONTFORK, DOFORK,
 * DONTDUMP, DODUMP, WIPEONFORK, KEEPONFORK, HUGEPAGE, NOHUGEPAGE,
 * MERGEABLE, UNMERGEABLE) split and re-merge VMAs exactly as Linux does,
 * which /proc/PID/maps shows.  The ones that act on pages: DONTNEED
 * zaps, WILLNEED reads ahead, COLD deactivates and PAGEOUT reclaims the
 * pages only this process maps (mm/vmscan.c's reclaim_pages); FREE
 * validates only (no lazy free yet).  KSM and THP only record the flag
 * for now.
 */
#include <fcntl.h>
#include <kmm/pagemap.h>
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/pkeys.h"
#include <kmm/mm_inline.h>
#include "mm/internal.h"

#ifndef MADV_FREE
#define MADV_FREE		8
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK		18
#define MADV_KEEPONFORK		19
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102
#define MADV_GUARD_REMOVE	103
#endif

#define HPAGE_PMD_SIZE		(2ul << 20)

/*
 * The advices Linux 6.18 accepts.  MADV_HWPOISON and MADV_SOFT_OFFLINE
 * exist only with CONFIG_MEMORY_FAILURE, which this kernel is built
 * without (there is no memory-failure handling to inject into), so they
 * are EINVAL, as on such a Linux.
 */
static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
	case MADV_DONTNEED_LOCKED: case MADV_COLLAPSE:
	case MADV_GUARD_INSTALL: case MADV_GUARD_REMOVE:
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL:
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK:
	case MADV_COLD: case MADV_PAGEOUT:
		return true;
	}
	return false;
}

/* The flags behavior gives v, or -EINVAL; page-only advices keep them. */
static long madvise_new_flags(const struct vm_area_struct *v, int behavior)
{
	unsigned long f = v->vm_flags;

	switch (behavior) {
	case MADV_NORMAL:
		return (long)(f & ~(VM_RAND_READ | VM_SEQ_READ));
	case MADV_SEQUENTIAL:
		return (long)((f & ~VM_RAND_READ) | VM_SEQ_READ);
	case MADV_RANDOM:
		return (long)((f & ~VM_SEQ_READ) | VM_RAND_READ);
	case MADV_DONTFORK:
		return (long)(f | VM_DONTCOPY);
	case MADV_DOFORK:
		return f & VM_IO ? -EINVAL : (long)(f & ~VM_DONTCOPY);
	case MADV_WIPEONFORK:
		if (v->vm_file || (f & VM_SHARED))
			return -EINVAL;		/* private anonymous memory only */
		return (long)(f | VM_WIPEONFORK);
	case MADV_KEEPONFORK:
		return (long)(f & ~VM_WIPEONFORK);
	case MADV_DONTDUMP:
		return (long)(f | VM_DONTDUMP);
	case MADV_DODUMP:
		if (!(f & VM_HUGETLB) && (f & VM_SPECIAL))
			return -EINVAL;
		return (long)(f & ~VM_DONTDUMP);
	case MADV_HUGEPAGE:
		return (long)((f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE);
	case MADV_NOHUGEPAGE:
		return (long)((f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE);
	case MADV_MERGEABLE:
		if (f & (VM_SHARED | VM_MAYSHARE | VM_SPECIAL | VM_HUGETLB))
			return (long)f;		/* not KSM-compatible: left alone */
		return (long)(f | VM_MERGEABLE);
	case MADV_UNMERGEABLE:
		return (long)(f & ~VM_MERGEABLE);
	}
	return (long)f;
}

/* The advices that act on the pages of [start, end) of v. */
/*
 * MADV_COLLAPSE of [start, end) in v: may this VMA hold a huge page at
 * all (not NOHUGEPAGE or special; anonymous memory only once it has an
 * anon_vma, as Linux's thp_vma_allowable_order says; shmem always; other
 * files not without CONFIG_READ_ONLY_THP_FOR_FS), then collapse every
 * aligned 2 MiB range inside.  Collapsing needs page tables with pages
 * in them; none exist before the page-fault layer, which is Linux's
 * answer for memory never touched: EINVAL (SCAN_PMD_NULL).
 */
static int madvise_collapse(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	unsigned long hstart = ALIGN(start, HPAGE_PMD_SIZE), hend = end & ~(HPAGE_PMD_SIZE - 1);

	if (v->vm_flags & (VM_SPECIAL | VM_HUGETLB | VM_NOHUGEPAGE))
		return -EINVAL;
	if (v->vm_file ? !v->vm_file->f_inode->i_shmem : !v->anon_vma)
		return -EINVAL;
	if (ALIGN(v->vm_start, HPAGE_PMD_SIZE) + HPAGE_PMD_SIZE > v->vm_end && !v->vm_file)
		return -EINVAL;		/* no aligned huge page fits in the VMA */
	/* Linux compares the huge pages it collapsed with (hend - hstart)
	 * >> 21 in unsigned arithmetic: a range inside one block that
	 * reaches neither boundary (hend below hstart) fails too. */
	return hend != hstart ? -EINVAL : 0;
}

/*
 * MADV_POPULATE_READ/WRITE: fault every page of [start, end) in, as a
 * read or a write, VMA after VMA from start; a hole stops it (ENOMEM), a
 * VMA that does not allow the access or has no struct pages stops it
 * (EINVAL).  A write populates private memory with anonymous pages: the
 * VMA gets its anon_vma.  No VMA is split or merged.
 */
static int madvise_populate(struct mm_struct *mm, unsigned long start, unsigned long end,
			    bool write)
{
	while (start < end) {
		struct vm_area_struct *v = vma_lookup(mm, start);

		if (!v)
			return -ENOMEM;
		if ((v->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    !(v->vm_flags & (write ? VM_WRITE : VM_READ)) ||
		    !arch_vma_access_permitted(v, write, false, false))
			return -EINVAL;
		for (; start < min(v->vm_end, end); start += PAGE_SIZE) {
			int err = faultin_page(v, start, write);

			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * MADV_WILLNEED: on a file mapping, POSIX_FADV_WILLNEED of the range's
 * file offsets (vfs_fadvise), so it is read now; anonymous memory has
 * nothing swapped out to bring in yet.
 */
static int madvise_willneed(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	long long offset;

	if (!v->vm_file)
		return 0;
	offset = (long long)(start - v->vm_start) + ((long long)v->vm_pgoff << PAGE_SHIFT);
	return generic_fadvise(v->vm_file, offset, (long long)(end - start), POSIX_FADV_WILLNEED);
}

/*
 * MADV_COLD and MADV_PAGEOUT over [start, end) of v
 * (madvise_cold_or_pageout_pte_range): each present page that only this
 * process maps loses its accessed bit (the TLB told) and its
 * PG_referenced; COLD moves an active one to the inactive list, PAGEOUT
 * isolates it for reclaim, which then drops it at once if it is clean (a
 * shadow entry remembers it) and leaves a dirty one to the flusher.
 * Pages others map too are left alone, as Linux does ("do not interfere
 * with other mappings").
 */
static void madvise_cold_or_pageout(struct vm_area_struct *v, unsigned long start,
				    unsigned long end, bool pageout)
{
	LIST_HEAD(folio_list);
	unsigned long a;

	lru_add_drain();
	for (a = start; a < end; a += PAGE_SIZE) {
		pte_t *pte = pte_lookup(v->vm_mm, a), e;
		struct page *page, *folio;

		if (!pte || !pte_present(e = ptep_get(pte)) || is_zero_pfn(pte_pfn(e)))
			continue;
		page = pte_page(e);
		folio = compound_head(page);
		if (page_mapcount(page) != 1)
			continue;
		if (pte_young(e)) {
			set_pte(pte, pte_mkold(e));
			flush_tlb_page(v->vm_mm, a);
		}
		ClearPageReferenced(folio);
		if (PageActive(folio))
			SetPageWorkingset(folio);
		if (!pageout) {
			folio_deactivate(folio);
			continue;
		}
		if (folio_isolate_lru(folio)) {
			if (PageUnevictable(folio))
				folio_putback_lru(folio);
			else
				list_add(&folio->lru, &folio_list);
		}
	}
	if (pageout)
		reclaim_pages(&folio_list);
}

static int madvise_pages(struct vm_area_struct *v, int behavior, unsigned long start,
			 unsigned long end)
{
	switch (behavior) {
	case MADV_DONTNEED:
		if (v->vm_flags & (VM_LOCKED | VM_PFNMAP))
			return -EINVAL;
		zap_pages_keep_guards(v->vm_mm, start, end);	/* reads 0 again */
		return 0;
	case MADV_DONTNEED_LOCKED:
		if (v->vm_flags & VM_PFNMAP)
			return -EINVAL;
		zap_pages_keep_guards(v->vm_mm, start, end);
		return 0;
	case MADV_COLLAPSE:
		return madvise_collapse(v, start, end);
	case MADV_GUARD_INSTALL:
		/* Guard markers live in page tables: the range now has
		 * some, so an anonymous VMA gets its anon_vma (fork must
		 * copy them). */
		if (v->vm_flags & (VM_SPECIAL | VM_HUGETLB | VM_LOCKED))
			return -EINVAL;
		if (!v->vm_file && anon_vma_prepare(v))
			return -ENOMEM;
		return guard_install(v, start, end);
	case MADV_GUARD_REMOVE:
		if (v->vm_flags & (VM_SPECIAL | VM_HUGETLB))
			return -EINVAL;
		guard_remove(v, start, end);
		return 0;
	case MADV_FREE:
		if (v->vm_flags & (VM_LOCKED | VM_PFNMAP))
			return -EINVAL;
		return v->vm_file ? -EINVAL : 0;	/* anonymous only */
	case MADV_REMOVE:
		/* Punches a hole in the file: needs one mapped shared and
		 * writable (shmem objects are; disk files are read-only). */
		if ((v->vm_flags & VM_LOCKED) || !v->vm_file)
			return -EINVAL;
		if ((v->vm_flags & (VM_SHARED | VM_MAYWRITE)) != (VM_SHARED | VM_MAYWRITE))
			return -EACCES;
		/* The hole: out of every mapping of the object (all
		 * processes), then out of the object itself. */
		unmap_mapping_range(&v->vm_file->f_inode->i_data, linear_page_index(v, start),
				    linear_page_index(v, end));
		truncate_inode_pages_range(&v->vm_file->f_inode->i_data, linear_page_index(v, start),
					   linear_page_index(v, end));
		return 0;
	case MADV_COLD:
	case MADV_PAGEOUT:
		if (v->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
			return -EINVAL;
		madvise_cold_or_pageout(v, start, end, behavior == MADV_PAGEOUT);
		return 0;
	}
	return madvise_willneed(v, start, end);
}

static bool changes_flags(int behavior)
{
	switch (behavior) {
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_COLD: case MADV_PAGEOUT:
	case MADV_DONTNEED_LOCKED: case MADV_COLLAPSE:
	case MADV_GUARD_INSTALL: case MADV_GUARD_REMOVE:
		return false;
	}
	return true;
}

/*
 * VMA by VMA over [start, end): holes are skipped but make the answer
 * -ENOMEM at the end; an error on a VMA stops the walk at once, keeping
 * what was done before it (Linux's madvise_walk_vmas).
 */
int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len_in,
	       int behavior)
{
	unsigned long len, end;
	struct vm_area_struct *v;
	int unmapped_error = 0;

	if (!madvise_behavior_valid(behavior))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;		/* rounded up from a huge length to 0 */
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE)
		return madvise_populate(mm, start, end, behavior == MADV_POPULATE_WRITE);
	v = find_vma(mm, start);
	for (;;) {
		unsigned long tmp;
		int err;

		if (!v)
			return -ENOMEM;
		if (start < v->vm_start) {
			unmapped_error = -ENOMEM;
			start = v->vm_start;
			if (start >= end)
				break;
		}
		tmp = min(v->vm_end, end);
		if (changes_flags(behavior)) {
			long f = madvise_new_flags(v, behavior);

			err = f < 0 ? (int)f : vma_modify_flags(mm, start, tmp, (unsigned long)f, &v);
		} else {
			err = madvise_pages(v, behavior, start, tmp);
		}
		if (err)
			return err;
		start = tmp;
		if (start >= end)
			break;
		v = find_vma(mm, start);
	}
	return unmapped_error;
}
