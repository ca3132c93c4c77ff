/*
 * fs/file_table.c - inodes and open files, reference counted.  A VMA that
 * maps a file holds a reference (get_file at mmap and at split, fput when
 * the VMA goes), so a file lives as long as anything maps it, as in
 * Linux.  The objects are kmalloc'ed from the simulated kernel's own
 * slab, so /proc/slabinfo sees them and exit must give every one back.
 */
#include <stdio.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include "fs/machine.h"

struct inode *new_inode(unsigned int dev, unsigned long ino, long long size)
{
	struct inode *inode = kzalloc(sizeof(*inode), GFP_KERNEL);

	if (!inode)
		return NULL;
	inode->i_dev = dev;
	inode->i_ino = ino;
	inode->i_size = size;
	inode->i_nlink = 1;
	inode->i_count = 1;
	inode->i_data.host = inode;
	address_space_init_once(&inode->i_data);
	INIT_LIST_HEAD(&inode->i_io_list);
	return inode;
}

void iput(struct inode *inode)
{
	if (!inode || --inode->i_count)
		return;
	if (inode->i_evict)
		inode->i_evict(inode);
	truncate_inode_pages_final(&inode->i_data);
	kfree(inode);
}

struct file *alloc_file(struct inode *inode, const char *path, unsigned int mode)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->f_path = kstrdup(path, GFP_KERNEL);
	if (!f->f_path) {
		kfree(f);
		return NULL;
	}
	f->f_inode = inode;
	if (inode->i_sb)
		inode->i_sb->s_nr_files++;	/* umount is EBUSY while it is open */
	f->f_count = 1;
	f->f_mode = mode;
	return f;
}

struct file *get_file(struct file *f)
{
	f->f_count++;
	return f;
}

void fput(struct file *f)
{
	if (!f || --f->f_count)
		return;
	if (f->f_inode->i_sb)
		f->f_inode->i_sb->s_nr_files--;
	iput(f->f_inode);
	kfree(f->f_path);
	kfree(f);
}

int file_path(const struct file *f, char *buf, unsigned long size)
{
	return snprintf(buf, size, "%s%s", f->f_path,
			f->f_inode->i_nlink ? "" : " (deleted)");
}

unsigned long get_next_ino(void)
{
	/* Linux hands out batches per CPU; one machine-wide counter is what
	 * a single CPU would see. */
	return ++kmm_cur()->fs->last_ino;
}
