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
#include <fcntl.h>
#include <stddef.h>
#include <kmm/xarray.h>
#include <kmm/list.h>

struct kmm;

#define MINORBITS	20
#define MKDEV(ma, mi)	(((unsigned int)(ma) << MINORBITS) | (unsigned int)(mi))
#define MAJOR(dev)	((unsigned int)(dev) >> MINORBITS)
#define MINOR(dev)	((unsigned int)(dev) & ((1u << MINORBITS) - 1))

struct page;
struct vm_area_struct;

/* inode.i_flags: an active swap area (swapon): writes and truncation are
 * -ETXTBSY, a second swapon -EBUSY. */
#define S_SWAPFILE	(1u << 8)
#define IS_SWAPFILE(inode)	((inode)->i_flags & S_SWAPFILE)
struct file;
struct address_space;

/*
 * How a filesystem moves an address_space's pages to and from its disk
 * (hostfs: the host file).  Both take a run of nr pages of consecutive
 * index, so one disk request serves a readahead window or a run of dirty
 * pages.  readahead fills every page (zeros past the end of the file) and
 * returns 0 or -errno; writepages writes the bytes below i_size.
 */
struct address_space_operations {
	int (*readahead)(struct address_space *as, struct page **pages, unsigned int nr);
	/* done NULL: the caller waits; else the request is queued and
	 * *done is when it completes on the simulated clock. */
	int (*writepages)(struct address_space *as, struct page **pages, unsigned int nr,
			  unsigned long long *done);
	/* A page with private data (PG_private: buffer heads) may leave the
	 * cache only if this lets go of that data: true when it did
	 * (drop_caches, fadvise DONTNEED; try_to_free_buffers). */
	bool (*release_folio)(struct page *page);
	/* The page leaves the cache whatever its private data holds
	 * (truncate): that data is discarded (block_invalidate_folio). */
	void (*invalidate_folio)(struct page *page);
	/* Optional: a write of [pos, pos + len), inside one page, is about
	 * to be copied in; the filesystem allocates its blocks now, so that
	 * a full disk fails the write (-ENOSPC) and not the later writeback. */
	int (*write_begin)(struct address_space *as, long long pos, size_t len);
	/*
	 * Optional: swap to a file of this filesystem, past its page cache
	 * (Linux's swap_activate and swap_rw, which NFS has).  swap_activate
	 * is swapon's look at the file's first span bytes: 0 when every
	 * page of them has its blocks on the disk, -EINVAL when there is a
	 * hole.  swap_rw moves one page at pos between memory and the disk:
	 * done NULL waits for the request, else it is queued and *done is
	 * when it completes (as writepages).  0 or -errno.
	 */
	int (*swap_activate)(struct file *file, long long span);
	int (*swap_rw)(struct file *file, struct page *page, long long pos, bool write,
		       unsigned long long *done);
};

/* address_space.flags: an error writeback met, for the next fsync (AS_EIO). */
#define AS_EIO		0
#define AS_ENOSPC	1
/* address_space.flags: its pages are never reclaimed (ramfs, SHM_LOCK). */
#define AS_UNEVICTABLE	3

/* The page cache's marks on its xarray (Linux's PAGECACHE_TAG_*). */
#define PAGECACHE_TAG_DIRTY	XA_MARK_0	/* PG_dirty, to be written back */
#define PAGECACHE_TAG_WRITEBACK	XA_MARK_1	/* PG_writeback: I/O in flight */
#define PAGECACHE_TAG_TOWRITE	XA_MARK_2	/* picked by a sync pass (tag_pages_for_writeback) */

/* The page cache of one inode (mm/filemap.c). */
struct address_space {
	struct inode *host;
	struct xarray i_pages;		/* its pages by index, with the tags above */
	unsigned long nrpages;
	unsigned long nrdirty;		/* PG_dirty pages, for a mapping with a disk */
	unsigned long writeback_index;	/* where the flusher's next pass starts */
	unsigned long flags;		/* AS_EIO, AS_ENOSPC, AS_UNEVICTABLE */
	const struct address_space_operations *a_ops;	/* NULL: no disk (shmem, built-ins) */
	struct vm_area_struct *i_mmap;	/* the VMAs mapping it (mm/rmap.c) */
};

static inline bool mapping_unevictable(const struct address_space *as)
{
	return as->flags & (1ul << AS_UNEVICTABLE);
}

struct super_block;

struct inode {
	unsigned long i_ino;
	struct super_block *i_sb;	/* the mounted filesystem it is on (NULL: none) */
	unsigned int i_dev;		/* the superblock's s_dev, MKDEV(major, minor) */
	unsigned int i_mode;		/* S_IFREG, S_IFDIR | permission bits */
	unsigned int i_nlink;		/* 0: unlinked, printed "(deleted)" */
	long long i_size;
	int i_count;			/* references: files and the fs itself */
	bool i_shmem;			/* tmpfs/shmem: its pages are RssShmem */
	bool i_rdonly;			/* on a read-only mount, or the host forbids writes */
	unsigned int i_flags;		/* S_SWAPFILE */
	unsigned long i_acct_pages;	/* shmem: pages charged to Committed_AS */
	void (*i_evict)(struct inode *inode);	/* called when the last reference goes */
	/* Sets the size on the disk (truncate, or growth at writeback): 0 or -errno. */
	int (*i_setsize)(struct inode *inode, long long size);
	/* fallocate(2) mode 0 or FALLOC_FL_KEEP_SIZE: blocks for [offset,
	 * offset + len) on the disk (NULL: -EOPNOTSUPP, as ext2). */
	int (*i_fallocate)(struct inode *inode, int mode, long long offset, long long len);
	/* fsync/fdatasync after the data pages are written: the metadata the
	 * file needs on the disk (NULL: nothing more to write). */
	int (*i_fsync)(struct inode *inode, int datasync);
	void *i_private;		/* the filesystem's */
	/* On the disk's flusher list (b_dirty) while it has dirty pages. */
	struct list_head i_io_list;
	unsigned long long dirtied_when;	/* simulated ns its first dirty page was
						 * dirtied at; 0 while clean */
	struct address_space i_data;	/* its pages (i_mapping) */
};

/*
 * Readahead state of an open file (Linux's struct file_ra_state): the
 * current window [start, start + size), async_size pages of which,
 * counted from its end, begin with the page marked PG_readahead.
 */
struct file_ra_state {
	unsigned long start;
	unsigned int size;
	unsigned int async_size;
	unsigned int ra_pages;		/* the window's maximum (read_ahead_kb; 2x after
					 * POSIX_FADV_SEQUENTIAL) */
	unsigned short order;		/* the folio order the last window asked for */
	unsigned short mmap_miss;	/* faults that missed the cache, less hits:
					 * above MMAP_LOTSAMISS, no read-around */
	long long prev_pos;		/* where the last read ended (-1: none yet) */
};

struct file {
	struct inode *f_inode;
	char *f_path;			/* what d_path prints */
	int f_count;			/* get_file / fput */
	unsigned int f_mode;		/* FMODE_READ | FMODE_WRITE */
	unsigned int f_flags;		/* O_APPEND, O_SYNC, ... as open(2) took them */
	long long f_pos;
	struct file_ra_state f_ra;
};

#define FMODE_READ	0x1u
#define FMODE_WRITE	0x2u
#define FMODE_RANDOM	0x4u		/* POSIX_FADV_RANDOM: no readahead */
#define FMODE_NOREUSE	0x8u		/* POSIX_FADV_NOREUSE */

/* The FMODE_* an open(2) with these O_* flags gives its file. */
static inline unsigned int open_fmode(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		return FMODE_WRITE;
	case O_RDWR:
		return FMODE_READ | FMODE_WRITE;
	default:
		return FMODE_READ;
	}
}

/* The simulated disk's root filesystem (/dev/sda1) and the internal shm mount. */
#define ROOT_DEV	MKDEV(8, 1)
#define SHMEM_DEV	MKDEV(0, 1)
#define SHM_DEV		MKDEV(0, 25)	/* the tmpfs mounted at /dev/shm */

/* mm/shmem.c: /dev/shm/NAME (name after the directory) and memfd_create(2). */
struct file *shmem_open(const char *name, const char *path, int flags, int *err);
struct file *memfd_file(const char *name, int *err);

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
/*
 * open(2) of path on the machine's root filesystem (fs/open.c): a
 * built-in program, else the host directory mounted with fs= (hostfs).
 * flags are open(2)'s O_* flags, mode the new file's permissions with
 * O_CREAT.  NULL with *err = -errno (ENOENT, EACCES, ELOOP, EISDIR, ...).
 */
struct file *filp_open(const char *path, int flags, unsigned int mode, int *err);

/*
 * A mounted filesystem (fs/namespace.c, fs/super.c).  kmm's VFS hands a
 * filesystem the path below its mount point and lets it walk that path
 * itself (hostfs must: its walk is what keeps the host outside the
 * mounted directory safe); Linux walks dentries one component at a time
 * and asks each directory's inode_operations.  The operations are those
 * of Linux's inode_operations and super_operations on a path.
 */
struct kstat {
	unsigned long ino;
	unsigned int dev;
	unsigned int mode;
	unsigned int nlink;
	long long size;
	unsigned long long blocks;	/* 512-byte units, as stat(2)'s st_blocks */
	unsigned int blksize;
};

struct super_operations {
	/* open(2) of path (below the mount point; "" is its root). */
	struct file *(*open)(struct super_block *sb, const char *path, const char *name,
			     int flags, unsigned int mode, int *err);
	int (*mkdir)(struct super_block *sb, const char *path, unsigned int mode);
	int (*unlink)(struct super_block *sb, const char *path);
	int (*rmdir)(struct super_block *sb, const char *path);
	int (*rename)(struct super_block *sb, const char *from, const char *to);
	int (*getattr)(struct super_block *sb, const char *path, struct kstat *st);
	/* sync(2), syncfs(2), umount: the dirty pages and metadata to the disk. */
	int (*sync_fs)(struct super_block *sb, int wait);
	/* drop_caches 1: clean unmapped pages (their number); 2: unused inodes. */
	unsigned long (*drop_pagecache)(struct super_block *sb);
	void (*prune_icache)(struct super_block *sb);
	/* umount (after sync_fs) or shutdown: everything the mount holds goes. */
	void (*put_super)(struct super_block *sb);
	/* The machine stops without a sync (crash): from now on nothing of
	 * this filesystem may reach its disk (Linux's ->shutdown). */
	void (*shutdown)(struct super_block *sb);
};

#define SB_RDONLY	1u

struct super_block {
	struct kmm *s_kmm;
	unsigned int s_dev;		/* what stat and /proc/PID/maps print */
	unsigned int s_flags;		/* SB_RDONLY */
	const char *s_type;		/* "hostfs", "ext2": /proc/mounts */
	char s_id[64];			/* the source: a host directory, "/dev/kda" */
	const struct super_operations *s_op;
	struct block_device *s_bdev;	/* NULL for hostfs */
	void *s_fs_info;		/* the filesystem's */
	long s_nr_files;		/* open files on it: umount is EBUSY while any */
};

struct file_system_type {
	const char *name;
	/* A new super_block for source, or NULL with *err = -errno. */
	struct super_block *(*mount)(struct kmm *k, const char *source, unsigned int flags,
				     int *err);
	/* mkfs(8) of this type on the whole of bdev (NULL: the type lives on
	 * no device): 0 or -errno with *why saying what went wrong. */
	int (*mkfs)(struct block_device *bdev, unsigned int blocksize,
		    const unsigned char *uuid, const char **why);
};

/* The filesystems mount(2) knows (fs/namespace.c's table). */
extern const struct file_system_type hostfs_fs_type;
extern const struct file_system_type ext2_fs_type;	/* fs/ext2/file.c */

/* mount(2) of type's source at dir (an existing directory, or "/" while
 * nothing is mounted there): 0 or -ENODEV/-EBUSY/-ENOENT/-ENOTDIR/... */
int do_mount(struct kmm *k, const char *source, const char *dir, const char *type,
	     unsigned int flags);
/* umount(2): synced, then gone; -EINVAL if dir is no mount point, -EBUSY
 * while a file on it is open (or mapped). */
int do_umount(struct kmm *k, const char *dir);
/* The filesystem path is on (mounting the root on first use) and, in
 * *rest, the path below its mount point; NULL with *err = -errno. */
struct super_block *lookup_mnt(struct kmm *k, const char *path, const char **rest, int *err);
/* The filesystem mounted from bdev, or NULL (Linux's get_super, without
 * the reference: the mount table is the machine's, used by one caller). */
struct super_block *get_super(struct kmm *k, const struct block_device *bdev);
/*
 * mkfs(8): a new filesystem of type on the device named dev ("/dev/kda")
 * as the type's mkfs lays it out (blocksize 0: its own choice), with a
 * random UUID from the machine's seed.  0, or -ENODEV (no such type, or
 * one that makes nothing on a device), -ENOENT (no such device), -EBUSY
 * (mounted: the root is mounted first if it is still to be), or the
 * type's error; *why says which.
 */
int do_mkfs(struct kmm *k, const char *dev, const char *type, unsigned int blocksize,
	    const char **why);
/* Each mount, in mount order: fn's non-zero return stops the walk. */
int iterate_supers(struct kmm *k, int (*fn)(struct super_block *sb, void *arg), void *arg);
/* /proc/mounts: "SOURCE DIR TYPE rw|ro 0 0" a line. */
struct seq_buf;
void mounts_show(struct kmm *k, struct seq_buf *m);

/*
 * A process's open files (fs/file.c): fds 0-2 stand for the terminal and
 * are not modelled, so the first open returns 3 as on the host.
 */
struct files_struct {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct *files_alloc(void);
/* fork: the child's table holds the same files (each one reference more). */
struct files_struct *dup_fd(const struct files_struct *old, int *err);
/* exit: every file closed, the table freed. */
void put_files_struct(struct files_struct *files);
/* The lowest free fd >= 3 now holds f (its reference), or -EMFILE/-ENOMEM. */
int fd_install_lowest(struct files_struct *files, struct file *f);
/* The file at fd (no new reference), or NULL: EBADF. */
struct file *fget_raw(const struct files_struct *files, int fd);
/* close(2): 0 or -EBADF. */
int close_fd(struct files_struct *files, int fd);


/* fs/open.c: the file is now length bytes (cache, mappings, disk). */
int do_truncate(struct inode *inode, long long length);
/* fallocate(2) on an open file (mode 0 or FALLOC_FL_KEEP_SIZE): 0 or -errno. */
int vfs_fallocate(struct file *f, int mode, long long offset, long long len);
/*
 * fs/hostfs.c: an unnamed host file of size bytes with its blocks
 * allocated (O_TMPFILE in $TMPDIR, fallocate), in no directory of the
 * machine: the boot swap area's (swap=).  path is what /proc prints, with
 * " (deleted)" after it.  It goes with its last reference.
 */
struct file *hostfs_tmpfile(struct kmm *k, const char *path, long long size, int *err);
int vfs_fsync_range(struct file *f, long long start, long long end, int datasync);

/*
 * The file system calls of process t (fs/open.c, fs/read_write.c): what
 * the syscall returns, or -errno, with Linux's checks.
 */
struct task_struct;
long ksys_open(struct task_struct *t, const char *path, int flags, unsigned int mode);
long ksys_close(struct task_struct *t, int fd);
long ksys_memfd_create(struct task_struct *t, const char *name, unsigned int flags);
long ksys_pread64(struct task_struct *t, int fd, void *buf, size_t count, long long pos);
long ksys_pwrite64(struct task_struct *t, int fd, const void *buf, size_t count, long long pos);
long ksys_ftruncate(struct task_struct *t, int fd, long long length);
long ksys_fsync(struct task_struct *t, int fd);
long ksys_fdatasync(struct task_struct *t, int fd);
long ksys_fallocate(struct task_struct *t, int fd, int mode, long long offset, long long len);
/* fs/namei.c: the path calls, with Linux's errnos (EXDEV across mounts). */
long ksys_mkdir(struct task_struct *t, const char *path, unsigned int mode);
long ksys_unlink(struct task_struct *t, const char *path);
long ksys_rmdir(struct task_struct *t, const char *path);
long ksys_rename(struct task_struct *t, const char *from, const char *to);
long ksys_stat(struct task_struct *t, const char *path, struct kstat *st);
long ksys_syncfs(struct task_struct *t, int fd);
/* sync(2): every dirty page of machine k's files goes to the disk. */
void ksys_sync(struct kmm *k);

#endif
