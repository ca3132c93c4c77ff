/*
 * mm/madvise.c - madvise: every advice Linux 6.x accepts from an
 * unprivileged-looking caller, with its return values.  The advices that
 * change vm_flags (RANDOM, SEQUENTIAL, NORMAL, DONTFORK, DOFORK,
 * DONTDUMP, DODUMP, WIPEONFORK, KEEPONFORK, HUGEPAGE, NOHUGEPAGE,
 * MERGEABLE, UNMERGEABLE) split and re-merge VMAs exactly as Linux does,
 * which /proc/PID/maps shows.  The ones that act on pages (DONTNEED,
 * FREE, WILLNEED, COLD, PAGEOUT) validate the VMA and have nothing to do
 * until the page-fault issue puts pages under VMAs; KSM and THP only
 * record the flag for now.
 */
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"

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

/* The advices handled here (Linux also takes POPULATE_*, COLLAPSE,
 * GUARD_*, DONTNEED_LOCKED and, with CAP_SYS_ADMIN, HWPOISON: not yet). */
static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
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
static int madvise_pages(struct vm_area_struct *v, int behavior)
{
	switch (behavior) {
	case MADV_DONTNEED:
		return v->vm_flags & (VM_LOCKED | VM_PFNMAP) ? -EINVAL : 0;
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
		return 0;
	case MADV_COLD:
	case MADV_PAGEOUT:
		return v->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB) ? -EINVAL : 0;
	}
	return 0;			/* WILLNEED: nothing swapped out yet */
}

static bool changes_flags(int behavior)
{
	switch (behavior) {
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_COLD: case MADV_PAGEOUT:
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
			err = madvise_pages(v, behavior);
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
