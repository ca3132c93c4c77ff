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
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "fs/machine.h"

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

/* ---- files of tmpfs: /dev/shm and memfd_create ------------------------ */

/*
 * A tmpfs file lives only in the page cache: its pages are Shmem, never
 * written anywhere, and a hole reads as zeros.  /dev/shm is a tmpfs mount
 * of its own (SHM_DEV); a memfd is an unlinked file of the internal shm
 * mount, named "/memfd:NAME (deleted)" in /proc/PID/maps, as in Linux.
 */
struct shm_entry {
	struct shm_entry *next;
	struct inode *inode;		/* the directory's reference */
	char name[];
};

static struct inode *shmem_new_inode(unsigned int dev, unsigned int nlink)
{
	struct inode *inode = new_inode(dev, get_next_ino(), 0);

	if (!inode)
		return NULL;
	inode->i_shmem = true;
	inode->i_mode = S_IFREG | 0600;
	inode->i_nlink = nlink;
	inode->i_evict = shmem_evict_inode;
	return inode;
}

/* open(2) of /dev/shm/NAME (name: the part after /dev/shm/). */
struct file *shmem_open(const char *name, const char *path, int flags, int *err)
{
	struct fs_machine *fs = kmm_cur()->fs;
	struct shm_entry *e;
	struct file *f;

	if (!*name || strchr(name, '/')) {
		*err = *name ? -ENOENT : -EISDIR;
		return NULL;
	}
	for (e = fs->shm_files; e; e = e->next)
		if (!strcmp(e->name, name))
			break;
	if (e && (flags & O_CREAT) && (flags & O_EXCL)) {
		*err = -EEXIST;
		return NULL;
	}
	if (!e && !(flags & O_CREAT)) {
		*err = -ENOENT;
		return NULL;
	}
	if (!e) {
		e = kmalloc(sizeof(*e) + strlen(name) + 1, GFP_KERNEL);
		if (!e || !(e->inode = shmem_new_inode(SHM_DEV, 1))) {
			kfree(e);
			*err = -ENOMEM;
			return NULL;
		}
		strcpy(e->name, name);
		e->next = fs->shm_files;
		fs->shm_files = e;
	}
	e->inode->i_count++;
	f = alloc_file(e->inode, path, open_fmode(flags));
	if (!f) {
		iput(e->inode);
		*err = -ENOMEM;
		return NULL;
	}
	f->f_flags = (unsigned int)flags;
	return f;
}

/* memfd_create(2): a new unlinked tmpfs file, open read-write. */
struct file *memfd_file(const char *name, int *err)
{
	char path[256];
	struct inode *inode;
	struct file *f;

	if (strlen(name) > 249) {
		*err = -EINVAL;		/* MFD_NAME_MAX_LEN */
		return NULL;
	}
	inode = shmem_new_inode(SHMEM_DEV, 0);
	if (!inode) {
		*err = -ENOMEM;
		return NULL;
	}
	snprintf(path, sizeof(path), "/memfd:%s", name);
	f = alloc_file(inode, path, FMODE_READ | FMODE_WRITE);
	if (!f) {
		iput(inode);
		*err = -ENOMEM;
		return NULL;
	}
	f->f_flags = O_RDWR;
	return f;
}
