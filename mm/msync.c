/*
 * mm/msync.c - msync(2).  Since Linux 2.6.19 dirty pages of shared file
 * mappings are tracked by write faults (write notification), so MS_ASYNC
 * has nothing left to start and MS_INVALIDATE nothing to drop: only
 * MS_SYNC does work, an fsync of the range of each shared file mapping in
 * [start, start + len).  A hole in the range is ENOMEM after the rest is
 * synced (except for a plain MS_ASYNC, which stops there); a locked VMA
 * with MS_INVALIDATE is EBUSY.
 */
#include <errno.h>
#include <kmm/fs.h>
#include <kmm/mman.h>
#include "mm/vma.h"
#include "mm/mmap.h"

#ifndef MS_INVALIDATE
#define MS_INVALIDATE	2
#endif

long do_msync(struct mm_struct *mm, unsigned long start, unsigned long len, int flags)
{
	struct vm_area_struct *v;
	unsigned long end;
	int unmapped_error = 0;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	for (v = find_vma(mm, start);; v = find_vma(mm, start)) {
		long long fstart, fend;

		if (!v)
			return -ENOMEM;
		if (start < v->vm_start) {
			if (flags == MS_ASYNC)
				return -ENOMEM;
			start = v->vm_start;
			if (start >= end)
				return -ENOMEM;
			unmapped_error = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (v->vm_flags & VM_LOCKED))
			return -EBUSY;
		fstart = (long long)(start - v->vm_start) + ((long long)v->vm_pgoff << PAGE_SHIFT);
		fend = fstart + (long long)(min(end, v->vm_end) - start) - 1;
		start = v->vm_end;
		if ((flags & MS_SYNC) && v->vm_file && (v->vm_flags & VM_SHARED)) {
			int err = vfs_fsync_range(v->vm_file, fstart, fend, 1);

			if (err)
				return err;
		}
		if (start >= end)
			return unmapped_error;
	}
}
