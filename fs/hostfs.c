/*
 * fs/hostfs.c - a host directory as the simulated root filesystem, as
 * UML's hostfs mounts one: the simulated /a/b is DIR/a/b on the host and
 * its bytes are that file's bytes.  `boot fs=DIR` names the directory
 * (`fs=DIR:ro` mounts it read-only); without it the machine makes a
 * scratch directory of its own on first use and removes it at shutdown.
 *
 * The walk never leaves DIR.  Paths are resolved here one component at a
 * time: `..` above the root, and any absolute symlink, are EACCES; more
 * than 40 symlinks on one walk are ELOOP, as Linux's MAXSYMLINKS.  The
 * resolved path, free of symlinks, is then opened below the directory's
 * fd with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a symlink the
 * host adds between the walk and the open cannot lead out either.
 *
 * One inode per host file (found by its host device and inode number), so
 * two opens share one page cache; the inode cache keeps it (and its
 * pages, dirty ones too) after the last close, until shutdown.  It holds one host fd, read-write when
 * the host and the mount allow, through which hw/disk.c does all I/O.
 * Inode numbers are the machine's own, handed out from 12 in lookup
 * order, so that a run prints the same /proc/PID/maps on every host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/openat2.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include "base/option.h"
#include "hw/machine.h"
#include "base/printk.h"
#include "fs/machine.h"

#ifndef FS_IOC_FIEMAP
#define FS_IOC_FIEMAP	_IOWR('f', 11, struct fiemap)
#endif

#define MAXSYMLINKS	40
#define HOSTFS_FIRST_INO 12	/* ext4's first inode after the reserved ones */

struct hostfs_inode {
	struct hostfs_inode *next;
	struct kmm *k;			/* the machine whose disk it is on */
	dev_t host_dev;
	ino_t host_ino;
	unsigned long ino;
	int fd;				/* the host file, for hw/disk.c */
	bool writable;			/* fd is O_RDWR */
	long long disk_size;		/* the host file's size as the machine left it */
	struct inode *inode;		/* while referenced */
};

/* ---- the mount ---------------------------------------------------------- */

/* fs= as it was given: "DIR" or "DIR:ro". */
static int hostfs_check_option(const char *value, char *err, size_t errlen)
{
	size_t n = strlen(value);
	struct stat st;
	char dir[sizeof(((struct kmm_config *)0)->fs)];

	if (n > 3 && !strcmp(value + n - 3, ":ro"))
		n -= 3;
	memcpy(dir, value, n);
	dir[n] = 0;
	if (!n || stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "option fs: %s is not a host directory (fs=DIR or fs=DIR:ro)",
			 n ? dir : "(empty)");
		return -1;
	}
	return 0;
}
KMM_OPTION_CHECK("fs", hostfs_check_option)

static const struct super_operations hostfs_sops;

/* mount -t hostfs SOURCE: the directory SOURCE ("DIR" or "DIR:ro"), or a
 * fresh scratch one for an empty SOURCE.  One per machine. */
static int hostfs_mount_dir(struct kmm *k, const char *source, unsigned int flags)
{
	struct fs_machine *fs = k->fs;
	size_t n = strlen(source);

	if (fs->root_fd > 0)
		return -EBUSY;
	fs->ro = flags & SB_RDONLY;
	fs->scratch = false;
	if (!n) {
		const char *tmp = getenv("TMPDIR");

		snprintf(fs->root, sizeof(fs->root), "%s/kmm-fs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(fs->root))
			return -errno;
		fs->scratch = true;
	} else {
		if (n > 3 && !strcmp(source + n - 3, ":ro")) {
			n -= 3;
			fs->ro = true;
		}
		snprintf(fs->root, sizeof(fs->root), "%.*s", (int)n, source);
	}
	fs->root_fd = open(fs->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->root_fd < 0) {
		int e = -errno;

		if (fs->scratch)
			rmdir(fs->root);
		fs->root_fd = 0;
		return e;
	}
	fs->next_host_ino = HOSTFS_FIRST_INO;
	return 0;
}

static struct super_block *hostfs_fill_super(struct kmm *k, const char *source,
					     unsigned int flags, int *err)
{
	struct super_block *sb = calloc(1, sizeof(*sb));

	if (!sb) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = hostfs_mount_dir(k, source, flags);
	if (*err) {
		free(sb);
		return NULL;
	}
	sb->s_dev = ROOT_DEV;
	sb->s_flags = k->fs->ro ? SB_RDONLY : 0;
	/* UML's hostfs shows "none" as its source in /proc/mounts. */
	snprintf(sb->s_id, sizeof(sb->s_id), "none");
	sb->s_op = &hostfs_sops;
	sb->s_fs_info = k->fs;
	k->fs->hostfs_sb = sb;
	return sb;
}

const struct file_system_type hostfs_fs_type = {
	.name = "hostfs",
	.mount = hostfs_fill_super,
};

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* umount, or shutdown: the host fds close; a scratch root goes with its
 * files.  Nothing is written back here (umount's sync_fs came first). */
static void hostfs_put_super(struct super_block *sb)
{
	struct fs_machine *fs = sb->s_fs_info;

	while (fs->host_inodes) {
		struct hostfs_inode *hi = fs->host_inodes;

		fs->host_inodes = hi->next;
		/* umount evicted the unused inodes first (prune_icache); at
		 * shutdown the machine's memory goes whole, inodes with it. */
		if (hi->inode) {
			hi->inode->i_sb = NULL;
			hi->inode->i_private = NULL;
		}
		if (hi->fd >= 0)
			close(hi->fd);
		free(hi);
	}
	if (fs->root_fd > 0) {
		close(fs->root_fd);
		if (fs->scratch)
			nftw(fs->root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	fs->root_fd = 0;
	fs->hostfs_sb = NULL;
	free(sb);
}

const char *hostfs_root(struct kmm *k)
{
	const char *rest;
	int err;

	if (!lookup_mnt(k, "/", &rest, &err))
		return NULL;
	return k->fs->root_fd > 0 ? k->fs->root : NULL;
}

/* ---- the walk ------------------------------------------------------------ */

/*
 * A path being walked: what is resolved so far (relative to the root, no
 * symlinks, no dots) and what is left to walk.
 */
struct walk {
	char done[PATH_MAX];
	size_t done_len;
	char todo[PATH_MAX];
	int links;
};

/* Takes the next component off w->todo into comp; false when none is left. */
static bool next_component(struct walk *w, char *comp, size_t size)
{
	char *p = w->todo, *slash;
	size_t n;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	if (n >= size)
		n = size - 1;
	memcpy(comp, p, n);
	comp[n] = 0;
	memmove(w->todo, p + n, strlen(p + n) + 1);
	return true;
}

static bool todo_empty(const struct walk *w)
{
	const char *p = w->todo;

	while (*p == '/')
		p++;
	return !*p;
}

static void pop_component(struct walk *w)
{
	while (w->done_len && w->done[w->done_len - 1] != '/')
		w->done_len--;
	if (w->done_len)
		w->done_len--;
	w->done[w->done_len] = 0;
}

static int push_component(struct walk *w, const char *comp)
{
	size_t n = strlen(comp);

	if (w->done_len + n + 2 > sizeof(w->done))
		return -ENAMETOOLONG;
	if (w->done_len)
		w->done[w->done_len++] = '/';
	memcpy(w->done + w->done_len, comp, n + 1);
	w->done_len += n;
	return 0;
}

/* The symlink at w->done replaces itself with its target in front of todo. */
static int splice_link(int root_fd, struct walk *w)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(root_fd, w->done, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = 0;
	if (target[0] == '/')
		return -EACCES;		/* would leave the mounted directory */
	if (++w->links > MAXSYMLINKS)
		return -ELOOP;
	if ((size_t)n + strlen(w->todo) + 2 > sizeof(w->todo))
		return -ENAMETOOLONG;
	memmove(w->todo + n + 1, w->todo, strlen(w->todo) + 1);
	memcpy(w->todo, target, (size_t)n);
	w->todo[n] = '/';
	pop_component(w);
	return 0;
}

/*
 * Resolves path into w->done.  Returns 0 when it exists, -ENOENT with
 * *last_missing when only its last component is missing (O_CREAT makes
 * it), or another -errno.  follow: whether a symlink in the last place is
 * followed (not with O_NOFOLLOW, where it is ELOOP).
 */
static int hostfs_walk(int root_fd, const char *path, bool follow, struct walk *w,
		       bool *last_missing)
{
	char comp[NAME_MAX + 1];
	struct stat st;
	int r;

	*last_missing = false;
	if (strlen(path) >= sizeof(w->todo))
		return -ENAMETOOLONG;
	if (!*path)
		return -ENOENT;
	strcpy(w->todo, path);
	w->done[0] = 0;
	w->done_len = 0;
	w->links = 0;
	while (next_component(w, comp, sizeof(comp))) {
		bool last = todo_empty(w);

		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (!w->done_len)
				return -EACCES;	/* above the mounted directory */
			pop_component(w);
			continue;
		}
		r = push_component(w, comp);
		if (r)
			return r;
		if (fstatat(root_fd, w->done, &st, AT_SYMLINK_NOFOLLOW)) {
			r = -errno;
			if (r == -ENOENT && last)
				*last_missing = true;
			return r;
		}
		if (S_ISLNK(st.st_mode)) {
			if (last && !follow)
				return -ELOOP;
			r = splice_link(root_fd, w);
			if (r)
				return r;
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
	}
	return 0;
}

/* Opens rel (symlink-free) below root_fd, never outside it. */
static int open_beneath(int root_fd, const char *rel, int flags, unsigned int mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, root_fd, *rel ? rel : ".", &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		fd = openat(root_fd, *rel ? rel : ".", flags | O_NOFOLLOW | O_CLOEXEC, mode);
	return fd < 0 ? -errno : (int)fd;
}

/* ---- inodes --------------------------------------------------------------- */

static int hostfs_readahead(struct address_space *as, struct page **pages, unsigned int nr);
static int hostfs_writepages(struct address_space *as, struct page **pages, unsigned int nr,
			     unsigned long long *done);

static int hostfs_swap_activate(struct file *file, long long span);
static int hostfs_swap_rw(struct file *file, struct page *page, long long pos, bool write,
			  unsigned long long *done);

static const struct address_space_operations hostfs_aops = {
	.readahead = hostfs_readahead,
	.writepages = hostfs_writepages,
	.swap_activate = hostfs_swap_activate,
	.swap_rw = hostfs_swap_rw,
};

static struct hostfs_inode *host_inode(const struct address_space *as)
{
	return as->host->i_private;
}

static void hostfs_evict(struct inode *inode)
{
	struct hostfs_inode *hi = inode->i_private;

	hi->inode = NULL;
}

static int hostfs_setsize(struct inode *inode, long long size)
{
	struct hostfs_inode *hi = inode->i_private;

	if (ftruncate(hi->fd, size))
		return -errno;
	hi->disk_size = size;
	return 0;
}

/*
 * fallocate(2): the host allocates the blocks; without KEEP_SIZE the file
 * grows to the range's end, on the host and in the inode alike.
 */
static int hostfs_fallocate(struct inode *inode, int mode, long long offset, long long len)
{
	struct hostfs_inode *hi = inode->i_private;

	if (fallocate(hi->fd, mode, offset, len))
		return -errno;
	if (!(mode & FALLOC_FL_KEEP_SIZE)) {
		hi->disk_size = max(hi->disk_size, offset + len);
		inode->i_size = max(inode->i_size, offset + len);
	}
	return 0;
}

/* The inode's operations on its host file, for every hostfs inode. */
static void hostfs_init_inode(struct inode *inode, struct hostfs_inode *hi)
{
	inode->i_setsize = hostfs_setsize;
	inode->i_fallocate = hostfs_fallocate;
	inode->i_private = hi;
	inode->i_data.a_ops = &hostfs_aops;
}

/*
 * The machine's record of the host file st describes, made on first
 * sight (then without a host fd: stat gives a file its inode number
 * before any open does).  NULL: no memory.
 */
static struct hostfs_inode *hostfs_lookup_ino(struct kmm *k, const struct stat *st)
{
	struct fs_machine *fs = k->fs;
	struct hostfs_inode *hi;

	for (hi = fs->host_inodes; hi; hi = hi->next)
		if (hi->host_dev == st->st_dev && hi->host_ino == st->st_ino)
			return hi;
	hi = calloc(1, sizeof(*hi));
	if (!hi)
		return NULL;
	hi->k = k;
	hi->host_dev = st->st_dev;
	hi->host_ino = st->st_ino;
	hi->ino = fs->next_host_ino++;
	hi->fd = -1;
	hi->next = fs->host_inodes;
	fs->host_inodes = hi;
	return hi;
}

/* The inode of the host file open at fd (which it takes over, or closes). */
static struct inode *hostfs_iget(struct kmm *k, int fd, int *err)
{
	struct fs_machine *fs = k->fs;
	struct hostfs_inode *hi;
	struct stat st;

	if (fstat(fd, &st)) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	hi = hostfs_lookup_ino(k, &st);
	if (!hi) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	/* The inode's fd serves every open; a writable one replaces a
	 * read-only one (or none: a file only stat'ed so far). */
	if (hi->fd < 0 || (!hi->writable && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR)) {
		if (hi->fd >= 0)
			close(hi->fd);
		hi->fd = fd;
		hi->writable = (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR;
	} else {
		close(fd);
	}
	if (hi->inode) {
		hi->inode->i_count++;
		hi->inode->i_rdonly = fs->ro || !hi->writable;
		return hi->inode;
	}
	hi->inode = new_inode(ROOT_DEV, hi->ino, st.st_size);
	if (!hi->inode) {
		*err = -ENOMEM;
		return NULL;
	}
	hi->inode->i_sb = fs->hostfs_sb;
	/* The inode cache's own reference: the inode and its pages (dirty
	 * ones too) outlive the last close, as in Linux's icache. */
	hi->inode->i_count++;
	hi->inode->i_mode = st.st_mode;
	hi->disk_size = st.st_size;
	hi->inode->i_rdonly = fs->ro || !hi->writable;
	hi->inode->i_evict = hostfs_evict;
	hostfs_init_inode(hi->inode, hi);
	return hi->inode;
}

/* The unnamed file's last reference: its host file goes with the fd. */
static void hostfs_tmpfile_evict(struct inode *inode)
{
	struct hostfs_inode *hi = inode->i_private;

	close(hi->fd);
	free(hi);
}

struct file *hostfs_tmpfile(struct kmm *k, const char *path, long long size, int *err)
{
	struct hostfs_inode *hi = calloc(1, sizeof(*hi));
	struct inode *inode = NULL;
	struct file *f;

	*err = -ENOMEM;
	if (!hi)
		return NULL;
	hi->k = k;
	hi->fd = hw_disk_tmpfile(size, true);
	if (hi->fd < 0) {
		*err = hi->fd;
		free(hi);
		return NULL;
	}
	hi->writable = true;
	hi->disk_size = size;
	hi->ino = get_next_ino();
	inode = new_inode(ROOT_DEV, hi->ino, size);	/* on the machine's disk */
	if (!inode) {
		close(hi->fd);
		free(hi);
		return NULL;
	}
	hi->inode = inode;
	inode->i_mode = S_IFREG | 0600;
	inode->i_nlink = 0;		/* no name: "(deleted)" */
	inode->i_evict = hostfs_tmpfile_evict;
	hostfs_init_inode(inode, hi);
	f = alloc_file(inode, path, FMODE_READ | FMODE_WRITE);
	if (!f)
		iput(inode);
	else
		*err = 0;
	return f;
}

/* The host fd for the walked path: read-write if the host allows. */
static int open_host_file(struct fs_machine *fs, const struct walk *w, int flags,
			  unsigned int mode, bool create)
{
	int hflags = create ? O_CREAT | O_EXCL : 0, fd;

	if (!fs->ro) {
		fd = open_beneath(fs->root_fd, w->done, hflags | O_RDWR, mode);
		if (fd == -EISDIR && (flags & O_ACCMODE) != O_RDONLY)
			return fd;
		if (fd != -EACCES && fd != -EISDIR && fd != -EROFS && fd != -ETXTBSY)
			return fd;
	} else if (create) {
		return -EROFS;
	}
	if ((flags & O_ACCMODE) != O_RDONLY)
		return fs->ro ? -EROFS : -EACCES;
	return open_beneath(fs->root_fd, w->done, O_RDONLY, 0);
}

static struct file *hostfs_open(struct super_block *sb, const char *path, const char *name,
				int flags, unsigned int mode, int *err)
{
	struct kmm *k = sb->s_kmm;
	struct fs_machine *fs = sb->s_fs_info;
	struct walk *w;
	struct inode *inode;
	struct file *f = NULL;
	bool missing;
	int r, fd;

	w = malloc(sizeof(*w));
	if (!w) {
		*err = -ENOMEM;
		return NULL;
	}
	r = hostfs_walk(fs->root_fd, path, !(flags & O_NOFOLLOW), w, &missing);
	if (r == -ENOENT && missing && (flags & O_CREAT))
		r = 0;
	else if (!r && (flags & O_CREAT) && (flags & O_EXCL))
		r = -EEXIST;
	else
		missing = false;
	fd = r ? r : open_host_file(fs, w, flags, mode & 07777, missing);
	free(w);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	inode = hostfs_iget(k, fd, err);
	if (!inode)
		return NULL;
	if (S_ISDIR(inode->i_mode) && (flags & O_ACCMODE) != O_RDONLY)
		*err = -EISDIR;
	else if ((flags & O_DIRECTORY) && !S_ISDIR(inode->i_mode))
		*err = -ENOTDIR;
	else if (inode->i_rdonly && (flags & O_ACCMODE) != O_RDONLY)
		*err = fs->ro ? -EROFS : -EACCES;
	else
		f = alloc_file(inode, name, open_fmode(flags));
	if (!f) {
		if (!*err)
			*err = -ENOMEM;
		iput(inode);
		return NULL;
	}
	f->f_flags = (unsigned int)flags;
	file_ra_state_init(&f->f_ra, &inode->i_data);
	return f;
}

/* ---- I/O ------------------------------------------------------------------ */

/*
 * Fills nr pages from the host file in one request; what lies past the
 * file's end reads as zeros.  A host file shorter than the inode says
 * (changed under the simulation) is an I/O error, as a disk that lost
 * blocks is.
 */
static int hostfs_readahead(struct address_space *as, struct page **pages, unsigned int nr)
{
	struct kmm *k = host_inode(as)->k;
	long long pos = (long long)pages[0]->index << PAGE_SHIFT;
	/* Below the size on the disk the host file has the bytes; between it
	 * and i_size is a hole a write made and writeback has not filled
	 * yet: zeros. */
	long long want = min(min(as->host->i_size, host_inode(as)->disk_size) - pos,
			     (long long)nr << PAGE_SHIFT);
	unsigned char *buf;
	unsigned int i;
	long got = 0;

	if (want > 0) {
		/* A contiguous run of pages is one request; the bounce buffer
		 * stands in for the scatter list a real disk would take. */
		buf = nr == 1 ? page_address(pages[0]) : malloc((size_t)nr << PAGE_SHIFT);
		if (!buf)
			return -ENOMEM;
		got = hw_disk_read(k, host_inode(as)->fd, buf, (size_t)want, pos);
		if (got >= 0 && got < want)
			got = -EIO;
		if (nr > 1) {
			for (i = 0; got > 0 && i < nr; i++)
				memcpy(page_address(pages[i]), buf + ((size_t)i << PAGE_SHIFT),
				       PAGE_SIZE);
			free(buf);
		}
		if (got < 0)
			return (int)got;
	}
	if (want < 0)
		want = 0;
	for (i = 0; i < nr; i++) {
		long long page_pos = (long long)i << PAGE_SHIFT;

		if (want < page_pos + (long long)PAGE_SIZE)
			memset((char *)page_address(pages[i]) + max(want - page_pos, 0ll), 0,
			       (size_t)(PAGE_SIZE - max(want - page_pos, 0ll)));
	}
	return 0;
}

/* One write request of len bytes; done: queue it and say when it ends. */
static long host_write(struct hostfs_inode *hi, const void *buf, size_t len, long long pos,
		       unsigned long long *done)
{
	long r = done ? hw_disk_write_async(hi->k, hi->fd, buf, len, pos, done) :
			hw_disk_write(hi->k, hi->fd, buf, len, pos);

	if (r > 0 && pos + r > hi->disk_size)
		hi->disk_size = pos + r;
	return r;
}

/*
 * Writes the bytes of nr pages that lie below i_size, in one request: the
 * caller waits for it, or (done) it is queued and completes at *done.
 */
static int hostfs_writepages(struct address_space *as, struct page **pages, unsigned int nr,
			     unsigned long long *done)
{
	struct kmm *k = host_inode(as)->k;
	long long pos = (long long)pages[0]->index << PAGE_SHIFT;
	long long len = min(as->host->i_size - pos, (long long)nr << PAGE_SHIFT);
	unsigned char *buf;
	unsigned int i;
	long r;

	if (done)
		*done = hw_clock_ns(k);
	if (len <= 0)
		return 0;		/* truncated meanwhile: nothing to write */
	if (nr == 1) {
		r = host_write(host_inode(as), page_address(pages[0]), (size_t)len, pos, done);
		return r < 0 ? (int)r : 0;
	}
	buf = malloc((size_t)nr << PAGE_SHIFT);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		memcpy(buf + ((size_t)i << PAGE_SHIFT), page_address(pages[i]), PAGE_SIZE);
	r = host_write(host_inode(as), buf, (size_t)len, pos, done);
	free(buf);
	return r < 0 ? (int)r : 0;
}

/* ---- swap files ------------------------------------------------------------ */

/*
 * Whether the host has blocks for every byte of [pos, end) of fd, by its
 * extent map: FIEMAP counts fallocate's unwritten extents as blocks, which
 * SEEK_HOLE on ext4 and xfs reports as holes.  -EOPNOTSUPP without FIEMAP.
 */
static int host_extents_cover(int fd, long long pos, long long end)
{
	enum { NR = 32 };
	/* struct fiemap and room for NR extents after it, 8-byte aligned. */
	unsigned long long buf[(sizeof(struct fiemap) + NR * sizeof(struct fiemap_extent)) / 8];
	struct fiemap *fm = (struct fiemap *)buf;
	unsigned int i;

	while (pos < end) {
		memset(buf, 0, sizeof(buf));
		fm->fm_start = (unsigned long long)pos;
		fm->fm_length = (unsigned long long)(end - pos);
		fm->fm_extent_count = NR;
		if (ioctl(fd, FS_IOC_FIEMAP, fm))
			return errno == ENOTTY || errno == EOPNOTSUPP ? -EOPNOTSUPP : -errno;
		if (!fm->fm_mapped_extents)
			return 0;
		for (i = 0; i < fm->fm_mapped_extents; i++) {
			const struct fiemap_extent *fe = &fm->fm_extents[i];

			if ((long long)fe->fe_logical > pos)
				return 0;	/* a gap before this extent */
			pos = max(pos, (long long)(fe->fe_logical + fe->fe_length));
			if (pos >= end)
				return 1;
			if (fe->fe_flags & FIEMAP_EXTENT_LAST)
				return 0;
		}
	}
	return 1;
}

/*
 * swapon's look at the file (Linux's bmap walk in
 * generic_swapfile_activate): swap writes go to the blocks the file has,
 * so each of its first span bytes must have one.  The host tells by
 * SEEK_HOLE; a hole it reports may still be an allocated, unwritten
 * extent (fallocate), which the extent map then shows.
 */
static int hostfs_swap_activate(struct file *file, long long span)
{
	struct hostfs_inode *hi = file->f_inode->i_private;
	off_t hole = lseek(hi->fd, 0, SEEK_HOLE);

	if (hole < 0)
		return -errno;
	if (hole >= span || host_extents_cover(hi->fd, hole, span) == 1)
		return 0;
	kmm_report(hi->k, "swapon: swapfile has holes\n");
	return -EINVAL;
}

/* One page of swap, straight between the page and the host file. */
static int hostfs_swap_rw(struct file *file, struct page *page, long long pos, bool write,
			  unsigned long long *done)
{
	struct hostfs_inode *hi = file->f_inode->i_private;
	long r = hw_disk_rw(hi->k, &hi->k->hw->disk, hi->fd, page_address(page), PAGE_SIZE, pos,
			    write, done);

	if (r >= 0 && r < (long)PAGE_SIZE)
		r = -EIO;		/* the host file lost the end of the area */
	return r < 0 ? (int)r : 0;
}

/* sync(2), umount: every in-memory inode's dirty pages go to the host file. */
static int hostfs_sync_fs(struct super_block *sb, int wait)
{
	struct fs_machine *fs = sb->s_fs_info;
	struct hostfs_inode *hi;
	int err = 0, r;

	for (hi = fs->host_inodes; hi; hi = hi->next) {
		if (!hi->inode)
			continue;
		r = wait ? filemap_write_and_wait_range(&hi->inode->i_data, 0, LLONG_MAX) :
			   filemap_fdatawrite_range(&hi->inode->i_data, 0, LLONG_MAX);
		if (r && !err)
			err = r;
	}
	return err;
}

/*
 * drop_caches: 1 drops every file's clean, unmapped pages (the page
 * cache); 2 also lets go of the inodes nothing holds any more, which is
 * what Linux's dentry and inode shrinkers free.  Returns the pages dropped.
 */
static unsigned long hostfs_drop_pagecache(struct super_block *sb)
{
	struct fs_machine *fs = sb->s_fs_info;
	struct hostfs_inode *hi;
	unsigned long n = 0;

	for (hi = fs->host_inodes; hi; hi = hi->next)
		if (hi->inode)
			n += invalidate_mapping_pages(&hi->inode->i_data, 0, ~0ul);
	return n;
}

static void hostfs_prune_icache(struct super_block *sb)
{
	struct fs_machine *fs = sb->s_fs_info;
	struct hostfs_inode *hi;

	for (hi = fs->host_inodes; hi; hi = hi->next)
		if (hi->inode && hi->inode->i_count == 1 && !hi->inode->i_data.nrpages)
			iput(hi->inode);	/* the icache's own reference: evicted */
}

/* ---- the path calls --------------------------------------------------------- */

/*
 * The directory that holds w->done, opened below the root (O_PATH), and
 * in *last the name in it: a call made there with *at() cannot be led
 * out of the mounted directory by a symlink the host adds meanwhile.
 */
static int parent_beneath(const struct fs_machine *fs, const struct walk *w, const char **last)
{
	const char *slash = strrchr(w->done, '/');
	char parent[PATH_MAX];

	if (!slash) {
		*last = w->done;
		return open_beneath(fs->root_fd, "", O_PATH | O_DIRECTORY, 0);
	}
	*last = slash + 1;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - w->done), w->done);
	return open_beneath(fs->root_fd, parent, O_PATH | O_DIRECTORY, 0);
}

/* Walks path (following a last symlink or not): 0, or -errno; with
 * *missing when only its last component does not exist. */
static int walk_path(const struct fs_machine *fs, const char *path, bool follow,
		     struct walk **pw, bool *missing)
{
	*pw = malloc(sizeof(**pw));
	if (!*pw)
		return -ENOMEM;
	return hostfs_walk(fs->root_fd, *path ? path : ".", follow, *pw, missing);
}

static int hostfs_getattr(struct super_block *sb, const char *path, struct kstat *ks)
{
	struct fs_machine *fs = sb->s_fs_info;
	struct hostfs_inode *hi;
	struct walk *w;
	struct stat st;
	bool missing;
	int r = walk_path(fs, path, true, &w, &missing);

	if (!r && fstatat(fs->root_fd, *w->done ? w->done : ".", &st, AT_SYMLINK_NOFOLLOW))
		r = -errno;
	free(w);
	if (r)
		return r;
	hi = hostfs_lookup_ino(sb->s_kmm, &st);
	if (!hi)
		return -ENOMEM;
	ks->ino = hi->ino;
	ks->dev = sb->s_dev;
	ks->mode = st.st_mode;
	ks->nlink = (unsigned int)st.st_nlink;
	/* An inode in memory knows better: its size may be ahead of the
	 * host's while pages are dirty. */
	ks->size = hi->inode ? hi->inode->i_size : st.st_size;
	ks->blocks = (unsigned long long)st.st_blocks;
	ks->blksize = PAGE_SIZE;
	return 0;
}

static int hostfs_mkdir(struct super_block *sb, const char *path, unsigned int mode)
{
	struct fs_machine *fs = sb->s_fs_info;
	const char *last;
	struct walk *w;
	bool missing;
	int r = walk_path(fs, path, false, &w, &missing), pfd;

	if (!r)
		r = -EEXIST;
	else if (r == -ENOENT && missing)
		r = fs->ro ? -EROFS : 0;
	if (!r) {
		pfd = parent_beneath(fs, w, &last);
		r = pfd < 0 ? pfd : mkdirat(pfd, last, mode & 07777) ? -errno : 0;
		if (pfd >= 0)
			close(pfd);
	}
	free(w);
	return r;
}

/*
 * Whether the walked path names an active swap file, whose name may not
 * go (may_delete: -EPERM).  Only looks: a file never seen gets no record.
 */
static bool walked_swapfile(const struct fs_machine *fs, const struct walk *w)
{
	const struct hostfs_inode *hi;
	struct stat st;

	if (!w || fstatat(fs->root_fd, *w->done ? w->done : ".", &st, AT_SYMLINK_NOFOLLOW))
		return false;
	for (hi = fs->host_inodes; hi; hi = hi->next)
		if (hi->host_dev == st.st_dev && hi->host_ino == st.st_ino)
			return hi->inode && IS_SWAPFILE(hi->inode);
	return false;
}

/* unlink and rmdir: the host removes it; an inode in memory that lost
 * its last name prints "(deleted)" in maps. */
static int hostfs_remove(struct super_block *sb, const char *path, bool dir)
{
	struct fs_machine *fs = sb->s_fs_info;
	const char *last;
	struct walk *w;
	struct stat st;
	bool missing;
	int r = walk_path(fs, path, false, &w, &missing), pfd = -1;

	if (!r && !*w->done)
		r = dir ? -EBUSY : -EISDIR;		/* the mounted root itself */
	if (!r && fstatat(fs->root_fd, w->done, &st, AT_SYMLINK_NOFOLLOW))
		r = -errno;
	if (!r && S_ISDIR(st.st_mode) != dir)
		r = dir ? -ENOTDIR : -EISDIR;
	if (!r && fs->ro)
		r = -EROFS;
	if (!r && walked_swapfile(fs, w))
		r = -EPERM;
	if (!r)
		pfd = parent_beneath(fs, w, &last);
	if (pfd < 0 && !r)
		r = pfd;
	if (!r && unlinkat(pfd, last, dir ? AT_REMOVEDIR : 0))
		r = -errno;
	if (pfd >= 0)
		close(pfd);
	free(w);
	if (!r) {
		struct hostfs_inode *hi = hostfs_lookup_ino(sb->s_kmm, &st);

		if (hi && hi->inode && st.st_nlink <= 1)
			hi->inode->i_nlink = 0;
	}
	return r;
}

static int hostfs_unlink(struct super_block *sb, const char *path)
{
	return hostfs_remove(sb, path, false);
}

static int hostfs_rmdir(struct super_block *sb, const char *path)
{
	return hostfs_remove(sb, path, true);
}

static int hostfs_rename(struct super_block *sb, const char *from, const char *to)
{
	struct fs_machine *fs = sb->s_fs_info;
	const char *lf, *lt;
	struct walk *wf = NULL, *wt = NULL;
	bool missing;
	int r = walk_path(fs, from, false, &wf, &missing), pf = -1, pt = -1;

	if (!r) {
		r = walk_path(fs, to, false, &wt, &missing);
		if (r == -ENOENT && missing)
			r = 0;
	}
	if (!r && (!*wf->done || !*wt->done))
		r = -EBUSY;				/* the mounted root */
	if (!r && fs->ro)
		r = -EROFS;
	if (!r && (walked_swapfile(fs, wf) || (!missing && walked_swapfile(fs, wt))))
		r = -EPERM;
	if (!r && (pf = parent_beneath(fs, wf, &lf)) < 0)
		r = pf;
	if (!r && (pt = parent_beneath(fs, wt, &lt)) < 0)
		r = pt;
	if (!r && renameat(pf, lf, pt, lt))
		r = -errno;
	if (pf >= 0)
		close(pf);
	if (pt >= 0)
		close(pt);
	free(wf);
	free(wt);
	return r;
}

static const struct super_operations hostfs_sops = {
	.open = hostfs_open,
	.mkdir = hostfs_mkdir,
	.unlink = hostfs_unlink,
	.rmdir = hostfs_rmdir,
	.rename = hostfs_rename,
	.getattr = hostfs_getattr,
	.sync_fs = hostfs_sync_fs,
	.drop_pagecache = hostfs_drop_pagecache,
	.prune_icache = hostfs_prune_icache,
	.put_super = hostfs_put_super,
};
