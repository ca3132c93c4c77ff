/*
 * sim/file_cmds.c - the file system calls of the script language: open,
 * close, pread, pwrite, ftruncate, fsync, fdatasync, sync, fadvise and
 * cachestat; the path calls, mount, umount and mkfs.  Each
 * prints one line: the result as the system call returns it, or
 * "error ENAME" (docs/scripting.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/blkdev.h>
#include <kmm/buffer_head.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include <kmm/swap.h>
#include "base/parse.h"
#include "sim/sim.h"

#define MAX_PREAD	(64ul << 20)

#define F(x) { #x, x }
static const struct flag_name open_names[] = {
	F(O_RDONLY), F(O_WRONLY), F(O_RDWR), F(O_CREAT), F(O_EXCL), F(O_TRUNC), F(O_APPEND),
	F(O_SYNC), F(O_DSYNC), F(O_NOFOLLOW), F(O_DIRECTORY), F(O_CLOEXEC),
	{ NULL, 0 }
};
static const struct flag_name fadv_names[] = {
	F(POSIX_FADV_NORMAL), F(POSIX_FADV_RANDOM), F(POSIX_FADV_SEQUENTIAL),
	F(POSIX_FADV_WILLNEED), F(POSIX_FADV_DONTNEED), F(POSIX_FADV_NOREUSE),
	{ NULL, 0 }
};
#undef F

/* PID FD, the start of the fd calls; NULL after the error line. */
static struct task_struct *arg_fd(struct sim *s, char **argv, int *fd, int *bad)
{
	unsigned long v;
	struct task_struct *t;

	if (parse_ulong(argv[2], &v, false) || v > 0x7fffffff) {
		*bad = syntax_error(s, "%s: FD must be a file descriptor, got '%s'", argv[0], argv[2]);
		return NULL;
	}
	*fd = (int)v;
	t = arg_task(s, argv, bad);
	return t;
}

/* An OFFSET argument: a number, negative ones kept (the call says EINVAL). */
static int arg_offset(struct sim *s, char **argv, int i, long long *off)
{
	unsigned long v;
	const char *a = argv[i];
	bool neg = *a == '-';

	if (parse_ulong(a + neg, &v, true) || v > 0x7fffffffffffffff)
		return syntax_error(s, "%s: OFFSET must be a number, got '%s'", argv[0], a);
	*off = neg ? -(long long)v : (long long)v;
	return 0;
}

/* open PID PATH [FLAGS] -> fd N */
int cmd_open(struct sim *s, int argc, char **argv)
{
	unsigned long flags = O_RDONLY;
	struct task_struct *t;
	long fd;
	int bad;

	if (argc > 3 && arg_flags(s, argv, 3, open_names, "open flag", &flags))
		return -1;
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	fd = ksys_open(t, argv[2], (int)flags, 0644);
	if (fd < 0)
		return print_errno(s, fd);
	fprintf(s->out, "fd %ld\n", fd);
	return 0;
}

/* The calls of the form PID FD that answer ok or an errno. */
static int do_fd_call(struct sim *s, char **argv, long (*fn)(struct task_struct *t, int fd))
{
	int fd, bad;
	struct task_struct *t = arg_fd(s, argv, &fd, &bad);

	if (!t)
		return bad;
	return print_result(s, fn(t, fd));
}

static const struct flag_name mfd_names[] = {
	{ "MFD_CLOEXEC", 1 }, { "MFD_ALLOW_SEALING", 2 }, { "0", 0 }, { NULL, 0 }
};

/* memfd_create PID NAME [MFD_CLOEXEC|MFD_ALLOW_SEALING] -> fd N */
int cmd_memfd_create(struct sim *s, int argc, char **argv)
{
	unsigned long flags = 0;
	struct task_struct *t;
	long fd;
	int bad;

	if (argc > 3 && arg_flags(s, argv, 3, mfd_names, "MFD flag", &flags))
		return -1;
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	fd = ksys_memfd_create(t, argv[2], (unsigned int)flags);
	if (fd < 0)
		return print_errno(s, fd);
	fprintf(s->out, "fd %ld\n", fd);
	return 0;
}

int cmd_close(struct sim *s, int argc, char **argv)
{
	return do_fd_call(s, argv, ksys_close);
}

/* pread PID FD OFFSET LEN -> the bytes, as read prints them */
int cmd_pread(struct sim *s, int argc, char **argv)
{
	unsigned long len;
	long long off;
	unsigned char *buf;
	struct task_struct *t;
	long n;
	int fd, bad;

	if (arg_offset(s, argv, 3, &off) || arg_num(s, argv, 4, "LEN", &len))
		return -1;
	if (len > MAX_PREAD)
		return syntax_error(s, "pread: LEN is at most 64M, got '%s'", argv[4]);
	t = arg_fd(s, argv, &fd, &bad);
	if (!t)
		return bad;
	buf = malloc(len ? len : 1);
	if (!buf)
		return print_errno(s, -ENOMEM);
	n = ksys_pread64(t, fd, buf, len, off);
	if (n < 0) {
		print_errno(s, n);
	} else {
		if (!n && len)
			fprintf(s->out, "(eof)");
		print_bytes(s, buf, (unsigned long)n);
		fputc('\n', s->out);
	}
	free(buf);
	return 0;
}

/* pwrite PID FD OFFSET "text"|fill=0xAB:LEN -> N */
int cmd_pwrite(struct sim *s, int argc, char **argv)
{
	unsigned long len;
	long long off;
	unsigned char *buf;
	struct task_struct *t;
	long n;
	int fd, bad;

	if (arg_offset(s, argv, 3, &off))
		return -1;
	buf = arg_data(s, argv[4], &len);
	if (!buf)
		return -1;
	t = arg_fd(s, argv, &fd, &bad);
	if (!t) {
		free(buf);
		return bad;
	}
	n = ksys_pwrite64(t, fd, buf, len, off);
	free(buf);
	if (n < 0)
		return print_errno(s, n);
	fprintf(s->out, "%ld\n", n);
	return 0;
}

int cmd_ftruncate(struct sim *s, int argc, char **argv)
{
	long long len;
	struct task_struct *t;
	int fd, bad;

	if (arg_offset(s, argv, 3, &len))
		return -1;
	t = arg_fd(s, argv, &fd, &bad);
	if (!t)
		return bad;
	return print_result(s, ksys_ftruncate(t, fd, len));
}

int cmd_fsync(struct sim *s, int argc, char **argv)
{
	return do_fd_call(s, argv, ksys_fsync);
}

int cmd_fdatasync(struct sim *s, int argc, char **argv)
{
	return do_fd_call(s, argv, ksys_fdatasync);
}

int cmd_sync(struct sim *s, int argc, char **argv)
{
	ksys_sync(s->k);
	fprintf(s->out, "ok\n");
	return 0;
}

/* fadvise PID FD OFFSET LEN ADVICE -> ok | error E... */
int cmd_fadvise(struct sim *s, int argc, char **argv)
{
	long long off, len;
	unsigned long advice = 0;
	unsigned int i;
	struct task_struct *t;
	int fd, bad;

	if (arg_offset(s, argv, 3, &off) || arg_offset(s, argv, 4, &len))
		return -1;
	for (i = 0; fadv_names[i].name && strcmp(fadv_names[i].name, argv[5]); i++)
		;
	if (!fadv_names[i].name)
		return syntax_error(s, "fadvise: ADVICE must be POSIX_FADV_NORMAL, _RANDOM, "
				    "_SEQUENTIAL, _WILLNEED, _DONTNEED or _NOREUSE, got '%s'", argv[5]);
	advice = fadv_names[i].value;
	t = arg_fd(s, argv, &fd, &bad);
	if (!t)
		return bad;
	return print_result(s, ksys_fadvise64_64(t, fd, off, len, (int)advice));
}

/* cachestat PID FD OFFSET LEN -> cache=N dirty=N writeback=N evicted=N recently_evicted=N */
int cmd_cachestat(struct sim *s, int argc, char **argv)
{
	unsigned long off, len;
	struct cachestat cs;
	struct task_struct *t;
	long r;
	int fd, bad;

	if (arg_num(s, argv, 3, "OFFSET", &off) || arg_num(s, argv, 4, "LEN", &len))
		return -1;
	t = arg_fd(s, argv, &fd, &bad);
	if (!t)
		return bad;
	r = ksys_cachestat(t, fd, off, len, &cs, 0);
	if (r < 0)
		return print_errno(s, r);
	fprintf(s->out, "cache=%llu dirty=%llu writeback=%llu evicted=%llu recently_evicted=%llu\n",
		cs.nr_cache, cs.nr_dirty, cs.nr_writeback, cs.nr_evicted, cs.nr_recently_evicted);
	return 0;
}

/* ---- the path calls and the mount table ---------------------------------- */

/* mkdir PID PATH [MODE] -> ok | error E...  (MODE octal, default 0755) */
int cmd_mkdir(struct sim *s, int argc, char **argv)
{
	unsigned long mode = 0755;
	struct task_struct *t;
	char *end;
	int bad;

	if (argc > 3) {
		mode = strtoul(argv[3], &end, 8);
		if (*end || !*argv[3] || mode > 07777)
			return syntax_error(s, "mkdir: MODE must be octal permissions (0755), got '%s'",
					    argv[3]);
	}
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	return print_result(s, ksys_mkdir(t, argv[2], (unsigned int)mode));
}

/* unlink PID PATH / rmdir PID PATH -> ok | error E... */
int cmd_unlink(struct sim *s, int argc, char **argv)
{
	int bad;
	struct task_struct *t = arg_task(s, argv, &bad);

	return t ? print_result(s, ksys_unlink(t, argv[2])) : bad;
}

int cmd_rmdir(struct sim *s, int argc, char **argv)
{
	int bad;
	struct task_struct *t = arg_task(s, argv, &bad);

	return t ? print_result(s, ksys_rmdir(t, argv[2])) : bad;
}

/* rename PID FROM TO -> ok | error E... */
int cmd_rename(struct sim *s, int argc, char **argv)
{
	int bad;
	struct task_struct *t = arg_task(s, argv, &bad);

	return t ? print_result(s, ksys_rename(t, argv[2], argv[3])) : bad;
}

/* stat PID PATH -> size=N blocks=N ino=N mode=0NNNNNN nlink=N dev=MA:MI */
int cmd_stat(struct sim *s, int argc, char **argv)
{
	struct kstat st;
	struct task_struct *t;
	long r;
	int bad;

	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	r = ksys_stat(t, argv[2], &st);
	if (r < 0)
		return print_errno(s, r);
	fprintf(s->out, "size=%lld blocks=%llu ino=%lu mode=0%o nlink=%u dev=%u:%u\n", st.size,
		st.blocks, st.ino, st.mode, st.nlink, MAJOR(st.dev), MINOR(st.dev));
	return 0;
}

/* syncfs PID FD -> ok | error E... */
int cmd_syncfs(struct sim *s, int argc, char **argv)
{
	return do_fd_call(s, argv, ksys_syncfs);
}

/* mount SOURCE DIR TYPE [ro] -> ok | error E... */
int cmd_mount(struct sim *s, int argc, char **argv)
{
	unsigned int flags = 0;

	if (argc > 4) {
		if (strcmp(argv[4], "ro") && strcmp(argv[4], "rw"))
			return syntax_error(s, "mount: the option must be ro or rw, got '%s'", argv[4]);
		flags = !strcmp(argv[4], "ro") ? SB_RDONLY : 0;
	}
	return print_result(s, do_mount(s->k, argv[1], argv[2], argv[3], flags));
}

/*
 * mkfs DEV TYPE [BLOCKSIZE] -> ok | error E...: what went wrong also on
 * err, as mkfs(8) says it.  BLOCKSIZE omitted: the type's choice.
 */
int cmd_mkfs(struct sim *s, int argc, char **argv)
{
	unsigned long bs = 0;
	const char *why = NULL;
	int r;

	if (argc > 3 && (parse_ulong(argv[3], &bs, true) || bs > UINT_MAX))
		return syntax_error(s, "mkfs: BLOCKSIZE must be a number of bytes (4096), got '%s'",
				    argv[3]);
	r = do_mkfs(s->k, argv[1], argv[2], (unsigned int)bs, &why);
	if (r && why)
		fprintf(s->err, "mkfs.%s: %s: %s\n", argv[2], argv[1], why);
	return print_result(s, r);
}

/* umount DIR -> ok | error E... */
int cmd_umount(struct sim *s, int argc, char **argv)
{
	return print_result(s, do_umount(s->k, argv[1]));
}

/* swapon PATH [PRIORITY] -> ok | error E...  (swapon -p: 0..32767, -1 the default) */
int cmd_swapon(struct sim *s, int argc, char **argv)
{
	unsigned long prio;
	int flags = 0;

	if (argc > 2 && strcmp(argv[2], "-1")) {
		if (parse_ulong(argv[2], &prio, false) || prio > SWAP_FLAG_PRIO_MASK)
			return syntax_error(s, "swapon: PRIORITY must be -1..32767, got '%s'", argv[2]);
		flags = SWAP_FLAG_PREFER | (int)(prio << SWAP_FLAG_PRIO_SHIFT);
	}
	return print_result(s, ksys_swapon(argv[1], flags));
}

/* swapoff PATH -> ok | error E... */
int cmd_swapoff(struct sim *s, int argc, char **argv)
{
	return print_result(s, ksys_swapoff(argv[1]));
}

/* mkswap PATH SIZE [LABEL] -> ok | error E... */
int cmd_mkswap(struct sim *s, int argc, char **argv)
{
	unsigned long size;

	if (parse_ulong(argv[2], &size, true))
		return syntax_error(s, "mkswap: SIZE must be a size (64M), got '%s'", argv[2]);
	if (argc > 3 && strlen(argv[3]) > 16)
		return syntax_error(s, "mkswap: LABEL is at most 16 characters, got '%s'", argv[3]);
	return print_result(s, kmm_mkswap(argv[1], size, argc > 3 ? argv[3] : NULL));
}

/*
 * buffers DEV BLOCK -> the buffer heads of the page of DEV's cache that
 * holds BLOCK (of the device's block size): one line each, "block N:"
 * and its states, or "not cached".  A teaching view (Linux prints none):
 * it shows a page of 1 KiB blocks holding four buffers, and which of
 * them writeback will write.
 */
int cmd_buffers(struct sim *s, int argc, char **argv)
{
	struct block_device *bdev = lookup_bdev(argv[1]);
	struct buffer_head *bh, *first, *b;
	unsigned long block;

	if (!bdev)
		return print_errno(s, -ENODEV);
	if (parse_ulong(argv[2], &block, false))
		return syntax_error(s, "buffers: BLOCK must be a block number, got '%s'", argv[2]);
	bh = __find_get_block(bdev, block, bdev->bd_block_size);
	if (!bh) {
		fprintf(s->out, "not cached (block size %u)\n", bdev->bd_block_size);
		return 0;
	}
	first = folio_buffers(bh->b_page);
	b = first;
	do {
		fprintf(s->out, "block %llu:%s%s%s%s\n", (unsigned long long)b->b_blocknr,
			buffer_uptodate(b) ? " uptodate" : "", buffer_dirty(b) ? " dirty" : "",
			buffer_locked(b) ? " locked" : "", buffer_mapped(b) ? "" : " unmapped");
		b = b->b_this_page;
	} while (b != first);
	brelse(bh);
	return 0;
}
