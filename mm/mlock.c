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

/* [start, end) of one VMA gets newflags; locked_vm follows. */
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
