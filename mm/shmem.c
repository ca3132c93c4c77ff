/*
 * mm/shmem.c - shared anonymous memory.  A MAP_SHARED|MAP_ANONYMOUS
 * mapping is not "anonymous" inside Linux: it maps an unlinked file of the
 * internal tmpfs mount (device 00:01), named "dev/zero", one object per
 * mmap call, so fork's children and mremap see the same pages.  That is
 * why /proc/PID/maps prints it as "00:01 INODE /dev/zero (deleted)" and
 * why its memory counts as Shmem, not AnonPages.
 *
 * Accounting follows shmem_acct_size: the whole object is charged to
 * Committed_AS when it is made (unless VM_NORESERVE) and given back when
 * its last mapping goes (the inode is evicted), not per VMA.
 */
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"

int shmem_zero_setup(struct vm_area_struct *v)
{
	long long size = (long long)(v->vm_end - v->vm_start);
	struct inode *inode;
	struct file *file;

	if (!(v->vm_flags & VM_NORESERVE) &&
	    security_vm_enough_memory_mm(v->vm_mm, (long)(size >> PAGE_SHIFT)))
		return -ENOMEM;
	inode = new_inode(SHMEM_DEV, get_next_ino(), size);
	if (!inode)
		goto unacct;
	inode->i_shmem = true;
	inode->i_evict = shmem_evict_inode;
	inode->i_nlink = 0;		/* never linked: "(deleted)" */
	inode->i_acct_pages = v->vm_flags & VM_NORESERVE ? 0 : (unsigned long)(size >> PAGE_SHIFT);
	file = alloc_file(inode, "/dev/zero", FMODE_READ | FMODE_WRITE);
	if (!file) {
		inode->i_acct_pages = 0;
		iput(inode);
		goto unacct;
	}
	v->vm_file = file;
	v->vm_pgoff = 0;
	return 0;
unacct:
	if (!(v->vm_flags & VM_NORESERVE))
		vm_unacct_memory(v->vm_mm->kmm, (long)(size >> PAGE_SHIFT));
	return -ENOMEM;
}

/* The last reference to a shmem inode is gone: give back its charge. */
void shmem_evict_inode(struct inode *inode)
{
	if (inode->i_acct_pages)
		vm_unacct_memory(kmm_cur(), (long)inode->i_acct_pages);
	inode->i_acct_pages = 0;
}
