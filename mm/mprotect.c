/*
 * mm/mprotect.c - changing the protection of a range (Linux's
 * mm/mprotect.c): do_mprotect_pkey walks the VMAs of the range,
 * mprotect_fixup splits, re-flags and re-merges each one, and
 * change_protection (mm/memory.c) rewrites its PTEs.  The protection
 * keys system calls live here too, as in Linux: pkey_alloc, pkey_free,
 * and pkey_mprotect = mprotect with a key (arch/x86/mm/pkeys.c says
 * which key a plain mprotect gives).
 */
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/pkeys.h"

/*
 * [start, end) of *vp, which lies in it, gets the access and key bits
 * newbits (Linux's mprotect_fixup).  Turning writable charges the area
 * (VM_ACCOUNT); turning it read-only again keeps the charge once it has
 * anonymous pages (an anon_vma), and drops it before (Linux 6.2+), which
 * decides which neighbours can merge later.  A VMA whose flags would not
 * change is left alone, accounting included.
 */
static int mprotect_fixup(struct mm_struct *mm, struct vm_area_struct **vp,
			  unsigned long start, unsigned long end, unsigned long newbits)
{
	struct vm_area_struct *v = *vp;
	unsigned long oldflags = v->vm_flags;
	unsigned long flags = (oldflags & ~(VM_ACCESS_FLAGS | ARCH_VM_PKEY_FLAGS)) | newbits;
	unsigned long np = (end - start) >> PAGE_SHIFT;
	long charged = 0;
	int err;

	if (flags == oldflags)
		return 0;
	if (newbits & VM_WRITE) {
		/* Turning into data must fit RLIMIT_DATA. */
		if (!may_expand_vm(mm, flags, np) && may_expand_vm(mm, oldflags, np))
			return -ENOMEM;
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE))) {
			charged = (long)np;
			if (security_vm_enough_memory_mm(mm, charged))
				return -ENOMEM;
			flags |= VM_ACCOUNT;
		}
	} else if ((oldflags & VM_ACCOUNT) && !v->vm_file && !v->anon_vma) {
		flags &= ~VM_ACCOUNT;
		charged = -(long)np;
	}
	err = vma_modify_flags(mm, start, end, flags, vp);
	if (err) {
		if (charged > 0)
			vm_unacct_memory(mm->kmm, charged);
		return err;
	}
	if (charged < 0)
		vm_unacct_memory(mm->kmm, -charged);
	vm_stat_account(mm, oldflags, -(long)np);
	vm_stat_account(mm, flags, (long)np);
	change_protection(*vp, start, end);
	/* Locked memory turning writable is faulted in for writing at once:
	 * private pages are copied, so the VMA gets its anon_vma. */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED | VM_LOCKONFAULT)) == VM_LOCKED &&
	    (flags & VM_WRITE))
		__mm_populate(mm, start, end - start, true);
	return 0;
}

/*
 * mprotect (pkey -1) and pkey_mprotect: the checks in Linux's order, then
 * VMA by VMA; a hole stops the call after the earlier VMAs changed.  The
 * key is chosen per VMA (arch_override_mprotect_pkey), which may allocate
 * the execute-only key even if the call then fails.
 */
long do_mprotect_pkey(struct mm_struct *mm, unsigned long start, unsigned long len,
		      unsigned long prot, int pkey)
{
	unsigned long end, grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	struct vm_area_struct *v;
	int err;

	prot &= ~(unsigned long)(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;
	/* A key the process did not allocate cannot be used. */
	if (pkey != -1 && !mm_pkey_is_allocated(mm, pkey))
		return -EINVAL;
	v = find_vma(mm, start);
	if (!v || v->vm_start >= end)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		/* The change reaches down to the stack's start. */
		start = v->vm_start;
		if (!(v->vm_flags & VM_GROWSDOWN))
			return -EINVAL;
	} else if (v->vm_start > start) {
		return -ENOMEM;
	} else if (grows & PROT_GROWSUP) {
		return -EINVAL;		/* x86 has no VM_GROWSUP */
	}
	for (;;) {
		unsigned long tmp, newbits;

		newbits = calc_vm_prot_bits(prot, arch_override_mprotect_pkey(v, prot, pkey));
		if ((newbits & ~(v->vm_flags >> 4)) & VM_ACCESS_FLAGS)
			return -EACCES;		/* beyond VM_MAY* */
		tmp = min(v->vm_end, end);
		err = mprotect_fixup(mm, &v, start, tmp, newbits);
		if (err)
			return err;
		if (tmp >= end)
			return 0;
		start = tmp;
		v = vma_lookup(mm, start);
		if (!v)
			return -ENOMEM;
	}
}

long do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		 unsigned long prot)
{
	return do_mprotect_pkey(mm, start, len, prot, -1);
}

/* pkey_alloc(flags, init_val): a key with PKRU access rights init_val. */
long sys_pkey_alloc(struct task_struct *t, unsigned long flags, unsigned long init_val)
{
	int pkey;

	if (flags)
		return -EINVAL;		/* no flags defined yet */
	if (init_val & ~(unsigned long)PKEY_ACCESS_MASK)
		return -EINVAL;
	pkey = mm_pkey_alloc(t->mm);
	if (pkey == -1)
		return -ENOSPC;
	if (arch_set_user_pkey_access(t, pkey, init_val)) {
		mm_pkey_free(t->mm, pkey);
		return -EINVAL;
	}
	return pkey;
}

/* pkey_free(pkey): the key may be allocated again; PKRU keeps its bits. */
long sys_pkey_free(struct task_struct *t, int pkey)
{
	return mm_pkey_free(t->mm, pkey);
}
