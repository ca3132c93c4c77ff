/*
 * mm/mlock.c - mlock, mlock2, munlock, mlockall, munlockall and the
 * RLIMIT_MEMLOCK accounting of mm->locked_vm, as Linux 6.x answers them.
 * Locking sets VM_LOCKED (and VM_LOCKONFAULT for MLOCK_ONFAULT) on whole
 * or split VMAs, which merge back when unlocked.  Populating the locked
 * range comes with the page-fault issue: until then no VMA has pages.
 */
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/pkeys.h"
#include <kmm/mm_inline.h>
#include "mm/internal.h"

static bool can_do_mlock(const struct mm_struct *mm)
{
	return mm->rlim_memlock != 0 || mm->cap_ipc_lock;
}

bool mlock_future_ok(const struct mm_struct *mm, unsigned long vm_flags,
		     unsigned long bytes)
{
	if (!(vm_flags & VM_LOCKED) || mm->cap_ipc_lock)
		return true;
	return (bytes >> PAGE_SHIFT) + mm->locked_vm <= mm->rlim_memlock >> PAGE_SHIFT;
}

static void mlock_vma_pages_range(struct vm_area_struct *v, unsigned long start,
				  unsigned long end, bool lock);

/* [start, end) of one VMA gets newflags; locked_vm and its mapped pages
 * follow. */
static int mlock_fixup(struct mm_struct *mm, struct vm_area_struct *v,
		       unsigned long start, unsigned long end,
		       unsigned long newflags, struct vm_area_struct **vp)
{
	unsigned long oldflags = v->vm_flags;
	long nr_pages = (long)((end - start) >> PAGE_SHIFT);
	int err;

	*vp = v;
	if (newflags == oldflags || (oldflags & (VM_SPECIAL | VM_HUGETLB)))
		return 0;		/* nothing to do, or never locked */
	err = vma_modify_flags(mm, start, end, newflags, vp);
	if (err)
		return err;
	if (!(newflags & VM_LOCKED))
		nr_pages = -nr_pages;
	else if (oldflags & VM_LOCKED)
		nr_pages = 0;		/* VM_LOCKONFAULT changed only */
	mm->locked_vm += (unsigned long)nr_pages;
	if ((newflags ^ oldflags) & VM_LOCKED)
		mlock_vma_pages_range(*vp, start, end, newflags & VM_LOCKED);
	return 0;
}

/* Every VMA of [start, end) gets lock flags `flags`; a hole is -ENOMEM
 * after what came before it was changed. */
static int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start,
				unsigned long len, unsigned long flags)
{
	unsigned long end = start + len, nstart = start, tmp;
	struct vm_area_struct *v;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	v = vma_lookup(mm, start);
	if (!v)
		return -ENOMEM;
	tmp = v->vm_start;
	while (v && v->vm_start < end) {
		int err;

		if (v->vm_start != tmp)
			return -ENOMEM;
		tmp = min(v->vm_end, end);
		err = mlock_fixup(mm, v, nstart, tmp,
				  (v->vm_flags & ~VM_LOCKED_MASK) | flags, &v);
		if (err)
			return err;
		tmp = v->vm_end;
		nstart = tmp;
		v = v->vm_next;
	}
	return tmp < end ? -ENOMEM : 0;
}

/*
 * Faults in [start, start + len) as mlock and MAP_POPULATE do (Linux's
 * __mm_populate and populate_vma_page_range in mm/gup.c): a write fault
 * on every page of a writable private VMA (breaking copy-on-write), a
 * read fault elsewhere; pages already mapped as needed are left alone.
 * A PROT_NONE VMA cannot be faulted: -EFAULT there, or the next VMA with
 * ignore_errors.  VM_LOCKONFAULT and VM_IO/VM_PFNMAP VMAs are skipped.
 */
int __mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len,
		  bool ignore_errors)
{
	unsigned long end = start + len, a;
	struct vm_area_struct *v;

	if (start >= end)
		return 0;
	for (v = find_vma(mm, start); v && v->vm_start < end; v = v->vm_next) {
		bool write = (v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;

		if (v->vm_flags & (VM_IO | VM_PFNMAP | VM_LOCKONFAULT))
			continue;
		/* get_user_pages' check_vma_flags: PROT_NONE, or a protection
		 * key that refuses the access (an execute-only mapping's). */
		if (!(v->vm_flags & VM_ACCESS_FLAGS) ||
		    !arch_vma_access_permitted(v, write, false, false)) {
			if (ignore_errors)
				continue;
			return -EFAULT;
		}
		for (a = max(start, v->vm_start); a < min(end, v->vm_end); a += PAGE_SIZE) {
			int err = faultin_page(v, a, write);

			if (err && !ignore_errors)
				return err;
			if (err)
				break;
		}
	}
	return 0;
}

/*
 * One page of get_user_pages: nothing if its PTE already allows the
 * access, else a fault.  0, -ENOMEM or -EFAULT.
 */
int faultin_page(struct vm_area_struct *v, unsigned long addr, bool write)
{
	pte_t *pte = pte_lookup(v->vm_mm, addr);
	vm_fault_t ret;

	if (pte && pte_present(ptep_get(pte)) && (!write || pte_write(ptep_get(pte))))
		return 0;
	ret = handle_mm_fault(v, addr, write ? FAULT_FLAG_WRITE : 0);
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	return ret & VM_FAULT_ERROR ? -EFAULT : 0;
}

int do_mlock(struct mm_struct *mm, unsigned long start, unsigned long len,
	     unsigned long vm_flags)
{
	unsigned long locked, lock_limit;
	int err;

	if (!can_do_mlock(mm))
		return -EPERM;
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	lock_limit = mm->rlim_memlock >> PAGE_SHIFT;
	locked = (len >> PAGE_SHIFT) + mm->locked_vm;
	/* What is locked already in the range does not count twice. */
	if (locked > lock_limit && !mm->cap_ipc_lock)
		/* count_mm_mlocked_page_nr: a wrapping range counts to the top. */
		locked -= vma_pages_with_flags(mm, start, start > ~0ul - len ? ~0ul : start + len,
					       VM_LOCKED);
	if (locked > lock_limit && !mm->cap_ipc_lock)
		return -ENOMEM;
	err = apply_vma_lock_flags(mm, start, len, vm_flags);
	if (err)
		return err;
	err = __mm_populate(mm, start, len, false);
	/* POSIX wants ENOMEM for an unmappable range, EAGAIN for no memory. */
	return err == -EFAULT ? -ENOMEM : err == -ENOMEM ? -EAGAIN : err;
}

int do_mlock2(struct mm_struct *mm, unsigned long start, unsigned long len,
	      unsigned int flags)
{
	if (flags & ~(unsigned int)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(mm, start, len, VM_LOCKED | (flags & MLOCK_ONFAULT ? VM_LOCKONFAULT : 0));
}

int do_munlock(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	return apply_vma_lock_flags(mm, start, len, 0);
}

/* mlockall's flags to def_flags and, with MCL_CURRENT, to every VMA;
 * errors on single VMAs are ignored, as Linux does. */
static void apply_mlockall_flags(struct mm_struct *mm, int flags)
{
	unsigned long to_add = 0;
	struct vm_area_struct *v, *next;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT) {
		to_add = VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	for (v = mm->mmap; v; v = next) {
		unsigned long end = v->vm_end;

		mlock_fixup(mm, v, v->vm_start, v->vm_end,
			    (v->vm_flags & ~VM_LOCKED_MASK) | to_add, &v);
		next = find_vma(mm, end);	/* v may have merged */
	}
}

int do_mlockall(struct mm_struct *mm, int flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(mm))
		return -EPERM;
	if ((flags & MCL_CURRENT) && !mm->cap_ipc_lock &&
	    mm->total_vm > mm->rlim_memlock >> PAGE_SHIFT)
		return -ENOMEM;
	apply_mlockall_flags(mm, flags);
	if (flags & MCL_CURRENT)
		__mm_populate(mm, 0, TASK_SIZE, true);
	return 0;
}

int do_munlockall(struct mm_struct *mm)
{
	apply_mlockall_flags(mm, 0);
	return 0;
}

/* ---- mlocked folios: the unevictable list ------------------------------ */

/*
 * Linux 6.x keeps an mlocked folio off the evictable lists, counted as
 * Unevictable and Mlocked, with a count of the VM_LOCKED mappings that
 * hold it (folio->mlock_count); kmm does the moves under lru_lock at
 * once rather than through a per-CPU mlock batch.  A folio not yet on a
 * list (still in an lru_add batch) only gets PG_mlocked: lru_add puts it
 * on the unevictable list when the batch drains.
 */
static void mlock_count_folio(struct kmm *k, struct page *folio)
{
	long nr = (long)folio_nr_pages(folio);

	if (!TestSetPageMlocked(folio)) {
		__mod_zone_page_state(page_zone(folio), NR_MLOCK, nr);
		__count_vm_events(k, smp_processor_id(k), UNEVICTABLE_PGS_MLOCKED, nr);
	}
}

void mlock_folio(struct page *folio)
{
	struct kmm *k = kmm_cur();
	pg_data_t *pgdat = &k->mem->node;

	folio = compound_head(folio);
	pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
	mlock_count_folio(k, folio);
	if (PageLRU(folio)) {
		if (PageUnevictable(folio)) {
			(*folio_mlock_count(folio))++;
		} else {
			lruvec_del_folio(pgdat, folio);
			ClearPageActive(folio);
			SetPageUnevictable(folio);
			*folio_mlock_count(folio) = 1;
			lruvec_add_folio(pgdat, folio);
			__count_vm_events(k, smp_processor_id(k), UNEVICTABLE_PGS_CULLED,
					  (long)folio_nr_pages(folio));
		}
	}
	pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
}

/* A folio born in a VM_LOCKED area (folio_add_lru_vma): not yet on a list. */
void mlock_new_folio(struct page *folio)
{
	mlock_count_folio(kmm_cur(), compound_head(folio));
}

/*
 * One VM_LOCKED mapping of folio went (munlock, munmap): with the last,
 * the folio is evictable again, on the inactive list.
 */
void munlock_folio(struct page *folio)
{
	struct kmm *k = kmm_cur();
	pg_data_t *pgdat = &k->mem->node;
	long nr;

	folio = compound_head(folio);
	nr = (long)folio_nr_pages(folio);
	pthread_mutex_lock(&pgdat->__lruvec.lru_lock);
	if (PageLRU(folio) && PageUnevictable(folio) && *folio_mlock_count(folio) > 1) {
		(*folio_mlock_count(folio))--;
		goto out;
	}
	if (!TestClearPageMlocked(folio))
		goto out;
	__mod_zone_page_state(page_zone(folio), NR_MLOCK, -nr);
	__count_vm_events(k, smp_processor_id(k), UNEVICTABLE_PGS_MUNLOCKED, nr);
	if (PageLRU(folio) && PageUnevictable(folio) && folio_evictable(folio)) {
		lruvec_del_folio(pgdat, folio);
		ClearPageUnevictable(folio);
		lruvec_add_folio(pgdat, folio);
		__count_vm_events(k, smp_processor_id(k), UNEVICTABLE_PGS_RESCUED, nr);
	}
out:
	pthread_mutex_unlock(&pgdat->__lruvec.lru_lock);
}

/*
 * The pages already mapped in [start, end) of v when it gains or loses
 * VM_LOCKED (mlock_vma_pages_range): each is mlocked or munlocked once
 * for this mapping.
 */
static void mlock_vma_pages_range(struct vm_area_struct *v, unsigned long start,
				  unsigned long end, bool lock)
{
	unsigned long a;

	for (a = start; a < end; a += PAGE_SIZE) {
		pte_t *pte = pte_lookup(v->vm_mm, a);
		struct page *page;

		if (!pte || !pte_mapped(ptep_get(pte)) || is_zero_pfn(pte_pfn(ptep_get(pte))))
			continue;
		page = pte_page(ptep_get(pte));
		if (lock)
			mlock_folio(page);
		else
			munlock_folio(page);
	}
}
