/*
 * tools/host_files.c - the file commands of the script language as real
 * system calls on the host, printing what the simulator prints: open,
 * close, pread, pwrite, ftruncate, fsync, fdatasync, and msync and
 * mincore over the window.  A script's paths are below the directory
 * given with --root (host_exec_set_root), as a simulated machine booted
 * with fs=DIR sees them; a path with a ".." component, or any path
 * without --root, is refused with "error EPERM" and not opened, so a
 * script never reaches a host file outside that directory.
 *
 * A script fd is the simulator's numbering (the lowest free from 3); each
 * server keeps its own table mapping it to the host fd, which fork
 * copies with the process as dup_fd does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "base/crc32.h"
#include "base/parse.h"
#include "tools/host_int.h"

#define FIRST_FD	3

static const struct { const char *name; int value; } open_flags[] = {
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT }, { "O_EXCL", O_EXCL }, { "O_TRUNC", O_TRUNC },
	{ "O_APPEND", O_APPEND }, { "O_SYNC", O_SYNC }, { "O_DSYNC", O_DSYNC },
	{ "O_NOFOLLOW", O_NOFOLLOW }, { "O_DIRECTORY", O_DIRECTORY }, { "O_CLOEXEC", O_CLOEXEC },
};

static int parse_open_flags(const char *str, int *out)
{
	int v = 0;

	do {
		size_t len = strcspn(str, "|"), i;

		for (i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
			if (strlen(open_flags[i].name) == len && !strncmp(open_flags[i].name, str, len))
				break;
		if (!len || i == sizeof(open_flags) / sizeof(open_flags[0]))
			return -1;
		v |= open_flags[i].value;
		str += len;
	} while (*str++ == '|');
	*out = v;
	return 0;
}

int host_file_fd(const struct host_exec *h, unsigned long n)
{
	return n < HOST_MAX_FDS && h->fds[n] ? h->fds[n] - 1 : -1;
}

/* A path the executor may open: absolute, below --root, no "..". */
static bool path_allowed(const struct host_exec *h, const char *path)
{
	const char *p = path;

	if (!h->root[0] || path[0] != '/' || !strncmp(path, "/dev/", 5))
		return false;
	while ((p = strstr(p, "..")))
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return false;
		else
			p += 2;
	return strlen(h->root) + strlen(path) < sizeof(h->root);
}

/* open PID PATH [FLAGS] -> fd N */
int host_cmd_open(struct host_exec *h, int argc, char **argv)
{
	char full[sizeof(h->root) * 2];
	int flags = O_RDONLY, r = host_parse_pid(h, argv[1]), n;
	long fd;

	if (r)
		return r < 0 ? r : 0;
	if (argc > 3 && parse_open_flags(argv[3], &flags))
		return host_syntax_error(h, "open: bad flags '%s'", argv[3]);
	if (!path_allowed(h, argv[2]))
		return host_refuse(h, "open");
	for (n = FIRST_FD; n < HOST_MAX_FDS && h->fds[n]; n++)
		;
	if (n == HOST_MAX_FDS) {
		host_print_errno(h, EMFILE);
		return 0;
	}
	snprintf(full, sizeof(full), "%s%s", h->root, argv[2]);
	fd = syscall(SYS_openat, AT_FDCWD, full, flags, 0644);
	if (fd < 0) {
		host_print_errno(h, errno);
		return 0;
	}
	h->fds[n] = (int)fd + 1;
	fprintf(h->out, "fd %d\n", n);
	return 0;
}

/* PID FD: 0 with the host fd, 1 after an error line, -1 malformed. */
static int fd_args(struct host_exec *h, char **argv, int *fd, unsigned long *n)
{
	int r = host_parse_pid(h, argv[1]);

	if (r)
		return r;
	if (parse_ulong(argv[2], n, false) || *n > 0x7fffffff)
		return host_syntax_error(h, "%s: FD must be a file descriptor, got '%s'", argv[0],
					 argv[2]);
	*fd = host_file_fd(h, *n);
	return 0;
}

/* An OFFSET: a number, possibly negative (the call says EINVAL). */
static int parse_offset(struct host_exec *h, const char *arg, long long *off)
{
	unsigned long v;
	bool neg = *arg == '-';

	if (parse_ulong(arg + neg, &v, true) || v > 0x7fffffffffffffff)
		return host_syntax_error(h, "OFFSET must be a number, got '%s'", arg);
	*off = neg ? -(long long)v : (long long)v;
	return 0;
}

int host_cmd_close(struct host_exec *h, int argc, char **argv)
{
	unsigned long n;
	int fd, r = fd_args(h, argv, &fd, &n);

	if (r)
		return r < 0 ? r : 0;
	if (fd < 0) {
		host_print_errno(h, EBADF);
		return 0;
	}
	syscall(SYS_close, fd);
	h->fds[n] = 0;
	fprintf(h->out, "ok\n");
	return 0;
}

/* The line of a call answering 0 or -1 with errno. */
static int status_line(struct host_exec *h, long ret)
{
	if (ret < 0)
		host_print_errno(h, errno);
	else
		fprintf(h->out, "ok\n");
	return 0;
}

int host_cmd_pread(struct host_exec *h, int argc, char **argv)
{
	unsigned long n, len, i;
	long long off;
	unsigned char *buf;
	long got;
	int fd, r;

	if (parse_offset(h, argv[3], &off) || host_parse_num(h, "LEN", argv[4], &len, true))
		return -1;
	buf = host_rw_buffer(len);
	if (!buf)
		return host_syntax_error(h, "pread: LEN is at most 64M, got '%s'", argv[4]);
	r = fd_args(h, argv, &fd, &n);
	if (r)
		return r < 0 ? r : 0;
	got = syscall(SYS_pread64, fd, buf, len, off);
	if (got < 0) {
		host_print_errno(h, errno);
		return 0;
	}
	if (!got && len)
		fprintf(h->out, "(eof)");
	if (got > 64)
		fprintf(h->out, "crc32=%08x", crc32_le(0, buf, (size_t)got));
	else
		for (i = 0; i < (unsigned long)got; i++)
			fprintf(h->out, "%s%02x", i ? " " : "", buf[i]);
	fputc('\n', h->out);
	return 0;
}

int host_cmd_pwrite(struct host_exec *h, int argc, char **argv)
{
	bool fill = !strncmp(argv[4], "fill=", 5);
	unsigned long byte = 0, len, n;
	unsigned char *buf;
	long long off;
	long put;
	int fd, r;

	if (parse_offset(h, argv[3], &off))
		return -1;
	if (fill && host_parse_fill(argv[4], &byte, &len))
		return host_syntax_error(h, "pwrite: expected fill=BYTE:LEN with BYTE 0..0xff and LEN up to 64M");
	if (!fill)
		len = strlen(argv[4]);
	r = fd_args(h, argv, &fd, &n);
	if (r)
		return r < 0 ? r : 0;
	buf = host_rw_buffer(len);
	if (fill)
		memset(buf, (int)byte, len);
	else
		memcpy(buf, argv[4], len);
	put = syscall(SYS_pwrite64, fd, buf, len, off);
	if (put < 0)
		host_print_errno(h, errno);
	else
		fprintf(h->out, "%ld\n", put);
	return 0;
}

int host_cmd_ftruncate(struct host_exec *h, int argc, char **argv)
{
	unsigned long n;
	long long len;
	int fd, r;

	if (parse_offset(h, argv[3], &len))
		return -1;
	r = fd_args(h, argv, &fd, &n);
	if (r)
		return r < 0 ? r : 0;
	return status_line(h, syscall(SYS_ftruncate, fd, len));
}

/* fsync and fdatasync: PID FD, one system call on the host fd. */
static int fd_syscall(struct host_exec *h, char **argv, long nr)
{
	unsigned long n;
	int fd, r = fd_args(h, argv, &fd, &n);

	if (r)
		return r < 0 ? r : 0;
	return status_line(h, syscall(nr, fd));
}

int host_cmd_fsync(struct host_exec *h, int argc, char **argv)
{
	return fd_syscall(h, argv, SYS_fsync);
}

int host_cmd_fdatasync(struct host_exec *h, int argc, char **argv)
{
	return fd_syscall(h, argv, SYS_fdatasync);
}

int host_cmd_msync(struct host_exec *h, int argc, char **argv)
{
	static const struct { const char *name; int value; } ms[] = {
		{ "MS_ASYNC", 1 }, { "MS_INVALIDATE", 2 }, { "MS_SYNC", 4 }, { "0", 0 },
	};
	unsigned long addr, len;
	const char *p = argv[4];
	int flags = 0, r;

	do {
		size_t l = strcspn(p, "|"), i;
		unsigned long v;

		for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
			if (strlen(ms[i].name) == l && !strncmp(ms[i].name, p, l))
				break;
		if (i < sizeof(ms) / sizeof(ms[0])) {
			flags |= ms[i].value;
		} else {
			char word[32];

			snprintf(word, sizeof(word), "%.*s", (int)l, p);
			if (!l || parse_ulong(word, &v, false))
				return host_syntax_error(h, "msync: bad flags '%s'", argv[4]);
			flags |= (int)v;
		}
		p += l;
	} while (*p++ == '|');
	r = host_range_args(h, argv, &addr, &len, ~(u128)0);
	if (r)
		return r < 0 ? r : 0;
	return status_line(h, syscall(SYS_msync, addr, len, flags));
}

int host_cmd_mincore(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len, pages, i;
	unsigned char *vec;
	int r = host_range_args(h, argv, &addr, &len, ~(u128)0);

	if (r)
		return r < 0 ? r : 0;
	pages = (len + HOST_PAGE_SIZE - 1) / HOST_PAGE_SIZE;
	vec = host_rw_buffer(pages);
	if (!vec)
		return host_syntax_error(h, "mincore: LEN is at most 64M");
	if (syscall(SYS_mincore, addr, len, vec) < 0) {
		host_print_errno(h, errno);
		return 0;
	}
	for (i = 0; i < pages; i++)
		fputc(vec[i] & 1 ? '1' : '0', h->out);
	fputc('\n', h->out);
	return 0;
}

/* ---- the path calls -------------------------------------------------------- */

/* PID PATH [PATH2]: 0 with the host paths, 1 after a refusal or error line. */
static int path_args(struct host_exec *h, int argc, char **argv, char *a, char *b, size_t size)
{
	int r = host_parse_pid(h, argv[1]);

	if (r)
		return r < 0 ? r : 1;
	if (!path_allowed(h, argv[2]) || (argc > 3 && b && !path_allowed(h, argv[3]))) {
		host_refuse(h, argv[0]);
		return 1;
	}
	snprintf(a, size, "%s%s", h->root, argv[2]);
	if (b && argc > 3)
		snprintf(b, size, "%s%s", h->root, argv[3]);
	return 0;
}

static int print_call(struct host_exec *h, long r)
{
	if (r < 0)
		host_print_errno(h, errno);
	else
		fprintf(h->out, "ok\n");
	return 0;
}

/* mkdir PID PATH [MODE] -> ok | error E */
int host_cmd_mkdir(struct host_exec *h, int argc, char **argv)
{
	char a[sizeof(h->root) * 2];
	unsigned long mode = argc > 3 ? strtoul(argv[3], NULL, 8) : 0755;
	int r = path_args(h, argc, argv, a, NULL, sizeof(a));

	return r ? (r < 0 ? r : 0) : print_call(h, mkdir(a, (mode_t)mode));
}

int host_cmd_unlink(struct host_exec *h, int argc, char **argv)
{
	char a[sizeof(h->root) * 2];
	int r = path_args(h, argc, argv, a, NULL, sizeof(a));

	return r ? (r < 0 ? r : 0) : print_call(h, unlink(a));
}

int host_cmd_rmdir(struct host_exec *h, int argc, char **argv)
{
	char a[sizeof(h->root) * 2];
	int r = path_args(h, argc, argv, a, NULL, sizeof(a));

	return r ? (r < 0 ? r : 0) : print_call(h, rmdir(a));
}

int host_cmd_rename(struct host_exec *h, int argc, char **argv)
{
	char a[sizeof(h->root) * 2], b[sizeof(h->root) * 2];
	int r = path_args(h, argc, argv, a, b, sizeof(a));

	return r ? (r < 0 ? r : 0) : print_call(h, rename(a, b));
}

/* stat PID PATH -> kmm's line (ino, blocks and dev are the host's: a
 * differential test compares size, mode and nlink). */
int host_cmd_stat(struct host_exec *h, int argc, char **argv)
{
	char a[sizeof(h->root) * 2];
	struct stat st;
	int r = path_args(h, argc, argv, a, NULL, sizeof(a));

	if (r)
		return r < 0 ? r : 0;
	if (stat(a, &st)) {
		host_print_errno(h, errno);
		return 0;
	}
	fprintf(h->out, "size=%lld blocks=%llu ino=%lu mode=0%o nlink=%u dev=%u:%u\n",
		(long long)st.st_size, (unsigned long long)st.st_blocks, (unsigned long)st.st_ino,
		st.st_mode, (unsigned int)st.st_nlink, major(st.st_dev), minor(st.st_dev));
	return 0;
}
