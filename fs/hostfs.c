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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include "base/option.h"
#include "hw/disk.h"
#include "block/machine.h"
#include "fs/machine.h"

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

/* Mounts the root on first use: the fs= directory, or a fresh scratch one. */
static int hostfs_mount(struct kmm *k)
{
	struct fs_machine *fs = k->fs;
	size_t n = strlen(k->cfg.fs);

	if (fs->root_fd > 0)
		return 0;
	if (!n) {
		const char *tmp = getenv("TMPDIR");

		snprintf(fs->root, sizeof(fs->root), "%s/kmm-fs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(fs->root))
			return -errno;
		fs->scratch = true;
	} else {
		if (n > 3 && !strcmp(k->cfg.fs + n - 3, ":ro")) {
			n -= 3;
			fs->ro = true;
		}
		snprintf(fs->root, sizeof(fs->root), "%.*s", (int)n, k->cfg.fs);
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

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* Shutdown: the host fds close; a scratch root goes with its files. */
void hostfs_exit(struct kmm *k)
{
	struct fs_machine *fs = k->fs;

	while (fs->host_inodes) {
		struct hostfs_inode *hi = fs->host_inodes;

		fs->host_inodes = hi->next;
		close(hi->fd);
		free(hi);
	}
	if (fs->root_fd > 0) {
		close(fs->root_fd);
		if (fs->scratch)
			nftw(fs->root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	fs->root_fd = 0;
}

const char *hostfs_root(struct kmm *k)
{
	return hostfs_mount(k) ? NULL : k->fs->root;
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

static const struct address_space_operations hostfs_aops = {
	.readahead = hostfs_readahead,
	.writepages = hostfs_writepages,
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
	for (hi = fs->host_inodes; hi; hi = hi->next)
		if (hi->host_dev == st.st_dev && hi->host_ino == st.st_ino)
			break;
	if (hi) {
		/* The inode's fd serves every open; a writable one replaces
		 * a read-only one. */
		if (!hi->writable && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR) {
			close(hi->fd);
			hi->fd = fd;
			hi->writable = true;
		} else {
			close(fd);
		}
	} else {
		hi = calloc(1, sizeof(*hi));
		if (!hi) {
			close(fd);
			*err = -ENOMEM;
			return NULL;
		}
		hi->k = k;
		hi->host_dev = st.st_dev;
		hi->host_ino = st.st_ino;
		hi->ino = fs->next_host_ino++;
		hi->fd = fd;
		hi->writable = (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR;
		hi->next = fs->host_inodes;
		fs->host_inodes = hi;
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
	/* The inode cache's own reference: the inode and its pages (dirty
	 * ones too) outlive the last close, as in Linux's icache. */
	hi->inode->i_count++;
	hi->inode->i_mode = st.st_mode;
	hi->disk_size = st.st_size;
	hi->inode->i_rdonly = fs->ro || !hi->writable;
	hi->inode->i_evict = hostfs_evict;
	hi->inode->i_setsize = hostfs_setsize;
	hi->inode->i_private = hi;
	hi->inode->i_data.a_ops = &hostfs_aops;
	return hi->inode;
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

struct file *hostfs_open(struct kmm *k, const char *path, int flags, unsigned int mode, int *err)
{
	struct fs_machine *fs = k->fs;
	struct walk *w;
	struct inode *inode;
	struct file *f = NULL;
	bool missing;
	int r, fd;

	r = hostfs_mount(k);
	if (r) {
		*err = r;
		return NULL;
	}
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
		f = alloc_file(inode, path, open_fmode(flags));
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

/* sync(2): every in-memory inode's dirty pages go to the host file. */
void ksys_sync(struct kmm *k)
{
	struct hostfs_inode *hi;

	for (hi = k->fs->host_inodes; hi; hi = hi->next)
		if (hi->inode)
			filemap_fdatawrite_range(&hi->inode->i_data, 0, 0x7fffffffffffffffll);
}

/*
 * drop_caches: 1 drops every file's clean, unmapped pages (the page
 * cache); 2 also lets go of the inodes nothing holds any more, which is
 * what Linux's dentry and inode shrinkers free.  tmpfs pages are left:
 * they have nowhere else to be.  Returns the pages dropped.
 */
unsigned long drop_pagecache_sb(struct kmm *k)
{
	struct hostfs_inode *hi;
	unsigned long n = 0;

	for (hi = k->fs->host_inodes; hi; hi = hi->next)
		if (hi->inode)
			n += invalidate_mapping_pages(&hi->inode->i_data, 0, ~0ul);
	/* Linux walks the bdev pseudo-superblock too: its clean buffer pages. */
	return n + invalidate_bdevs(k);
}

void prune_icache_sb(struct kmm *k)
{
	struct hostfs_inode *hi;

	for (hi = k->fs->host_inodes; hi; hi = hi->next)
		if (hi->inode && hi->inode->i_count == 1 && !hi->inode->i_data.nrpages)
			iput(hi->inode);	/* the icache's own reference: evicted */
}
