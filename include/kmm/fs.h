/*
 * include/kmm/fs.h - the little of the VFS that memory management needs
 * before the page cache arrives: an inode (device, number, size, link
 * count) and an open file on it, so that VMAs can name what they map and
 * /proc/PID/maps can print it as Linux does ("08:01 1234 /usr/bin/cat",
 * "00:01 5 /dev/zero (deleted)").  fs/file_table.c makes and frees them.
 */
#ifndef KMM_FS_H
#define KMM_FS_H

#include <stdbool.h>

#define MINORBITS	20
#define MKDEV(ma, mi)	(((unsigned int)(ma) << MINORBITS) | (unsigned int)(mi))
#define MAJOR(dev)	((unsigned int)(dev) >> MINORBITS)
#define MINOR(dev)	((unsigned int)(dev) & ((1u << MINORBITS) - 1))

struct page;
struct vm_area_struct;

/* The page cache of one inode (mm/filemap.c). */
struct address_space {
	struct inode *host;
	struct page **pages;		/* open addressing by index */
	unsigned long *index;
	unsigned long cap;
	unsigned long nrpages;
	struct vm_area_struct *i_mmap;	/* the VMAs mapping it (mm/rmap.c) */
};

struct inode {
	unsigned long i_ino;
	unsigned int i_dev;		/* the superblock's s_dev, MKDEV(major, minor) */
	unsigned int i_nlink;		/* 0: unlinked, printed "(deleted)" */
	long long i_size;
	int i_count;			/* references: files and the fs itself */
	bool i_shmem;			/* tmpfs/shmem: its pages are RssShmem */
	unsigned long i_acct_pages;	/* shmem: pages charged to Committed_AS */
	void (*i_evict)(struct inode *inode);	/* called when the last reference goes */
	void *i_private;		/* the filesystem's */
	struct address_space i_data;	/* its pages (i_mapping) */
};

struct file {
	struct inode *f_inode;
	char *f_path;			/* what d_path prints */
	int f_count;			/* get_file / fput */
	unsigned int f_mode;		/* FMODE_READ | FMODE_WRITE */
};

#define FMODE_READ	0x1u
#define FMODE_WRITE	0x2u

/* The simulated disk's root filesystem (/dev/sda1) and the internal shm mount. */
#define ROOT_DEV	MKDEV(8, 1)
#define SHMEM_DEV	MKDEV(0, 1)

struct inode *new_inode(unsigned int dev, unsigned long ino, long long size);
void iput(struct inode *inode);
/* A file on inode (whose reference it takes over), named path. */
struct file *alloc_file(struct inode *inode, const char *path, unsigned int mode);
struct file *get_file(struct file *f);
void fput(struct file *f);
/* "/usr/bin/cat", or "/dev/zero (deleted)" for an unlinked inode. */
int file_path(const struct file *f, char *buf, unsigned long size);
/* Inode numbers for pseudo filesystems, as Linux's get_next_ino. */
unsigned long get_next_ino(void);
/* fs/binfmt_elf.c: opens a file of the simulated disk read-only (the
 * built-in programs and libraries); NULL with *err = -ENOENT otherwise. */
struct file *filp_open_rootfs(const char *path, int *err);

#endif
