/*
 * tools/host_exec.c - the process commands of the script language run as
 * real system calls, printing what the simulator prints: mmap, munmap,
 * mprotect, mremap, madvise, mlock, mlock2, munlock, pkey_alloc,
 * pkey_free, pkey_mprotect and cat /proc/PID/maps|smaps here; touch, read and write in tools/host_access.c;
 * spawn, fork and exit in tools/host_procs.c.  The system calls are raw
 * (syscall(2)): the sanitizers' runtimes replace some libc wrappers
 * (mlock) with no-ops.
 *
 * Each script process is a real process (tools/host_int.h); a line runs
 * in the process of its pid, and a pid that does not exist answers
 * "error ESRCH".  Every range a call could change must lie in
 * the window (host_exec.h); a call that could reach outside it is refused
 * with "error EPERM" and not made, so a script can never unmap the
 * executor's own code, heap or stack.  Not run on the host: brk (the
 * heap belongs to malloc), file mappings by PATH (those of an fd the
 * script opened below --root are: tools/host_files.c), MADV_HWPOISON and
 * MADV_SOFT_OFFLINE (they would poison real frames when run as root).
 *
 * --pku=off (host_exec_set_pku) answers as a host without protection
 * keys would, on a host that has them: a protection of exactly PROT_EXEC
 * is made PROT_EXEC|PROT_SEM (PROT_SEM has no vm flag on x86, and any
 * protection but PROT_EXEC keeps pkey 0, so the vma is the readable
 * exec-only vma of such a host), pkey_alloc fails with ENOSPC (after its
 * argument checks), pkey_free with EINVAL, pkey_mprotect with a key
 * other than -1 with EINVAL (after the checks mprotect makes first), and
 * smaps has no ProtectionKey lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "base/parse.h"
#include "tools/host_int.h"


struct name_val {
	const char *name;
	unsigned long val;
};

static const struct name_val prot_names[] = {
	{ "PROT_NONE", PROT_NONE }, { "PROT_READ", PROT_READ },
	{ "PROT_WRITE", PROT_WRITE }, { "PROT_EXEC", PROT_EXEC },
	{ "PROT_SEM", 0x8 }, { "PROT_GROWSDOWN", 0x01000000 },
	{ "PROT_GROWSUP", 0x02000000 }, { NULL, 0 },
};

static const struct name_val map_names[] = {
	{ "MAP_SHARED", 0x01 }, { "MAP_PRIVATE", 0x02 },
	{ "MAP_SHARED_VALIDATE", 0x03 }, { "MAP_DROPPABLE", 0x08 },
	{ "MAP_FIXED", 0x10 }, { "MAP_ANONYMOUS", 0x20 }, { "MAP_ANON", 0x20 },
	{ "MAP_32BIT", 0x40 }, { "MAP_GROWSDOWN", 0x100 },
	{ "MAP_DENYWRITE", 0x800 }, { "MAP_EXECUTABLE", 0x1000 },
	{ "MAP_LOCKED", 0x2000 }, { "MAP_NORESERVE", 0x4000 },
	{ "MAP_POPULATE", 0x8000 }, { "MAP_NONBLOCK", 0x10000 },
	{ "MAP_STACK", 0x20000 }, { "MAP_HUGETLB", 0x40000 },
	{ "MAP_SYNC", 0x80000 }, { "MAP_FIXED_NOREPLACE", 0x100000 },
	{ "MAP_UNINITIALIZED", 0x4000000 }, { NULL, 0 },
};

#define HOST_MAP_FIXED		0x10ul
#define HOST_MAP_FIXED_NOREPLACE 0x100000ul

static const struct name_val mremap_names[] = {
	{ "MREMAP_MAYMOVE", 1 }, { "MREMAP_FIXED", 2 },
	{ "MREMAP_DONTUNMAP", 4 }, { NULL, 0 },
};

#define HOST_MREMAP_FIXED	2ul

static const struct name_val mlock_names[] = {
	{ "MLOCK_ONFAULT", 1 }, { NULL, 0 },
};

static const struct name_val madv_names[] = {
	{ "MADV_NORMAL", 0 }, { "MADV_RANDOM", 1 }, { "MADV_SEQUENTIAL", 2 },
	{ "MADV_WILLNEED", 3 }, { "MADV_DONTNEED", 4 }, { "MADV_FREE", 8 },
	{ "MADV_REMOVE", 9 }, { "MADV_DONTFORK", 10 }, { "MADV_DOFORK", 11 },
	{ "MADV_MERGEABLE", 12 }, { "MADV_UNMERGEABLE", 13 },
	{ "MADV_HUGEPAGE", 14 }, { "MADV_NOHUGEPAGE", 15 },
	{ "MADV_DONTDUMP", 16 }, { "MADV_DODUMP", 17 },
	{ "MADV_WIPEONFORK", 18 }, { "MADV_KEEPONFORK", 19 },
	{ "MADV_COLD", 20 }, { "MADV_PAGEOUT", 21 },
	{ "MADV_POPULATE_READ", 22 }, { "MADV_POPULATE_WRITE", 23 },
	{ "MADV_DONTNEED_LOCKED", 24 }, { "MADV_COLLAPSE", 25 },
	{ "MADV_HWPOISON", 100 }, { "MADV_SOFT_OFFLINE", 101 },
	{ "MADV_GUARD_INSTALL", 102 }, { "MADV_GUARD_REMOVE", 103 },
	{ NULL, 0 },
};

#define HOST_MADV_HWPOISON	100
#define HOST_MADV_SOFT_OFFLINE	101

#define HOST_PROT_EXEC		0x4ul
#define HOST_PROT_SEM		0x8ul
#define HOST_PROT_GROWS		0x03000000ul	/* PROT_GROWSDOWN|PROT_GROWSUP */
#define HOST_NR_PKEYS		16		/* x86: keys 0-15; 16 is never allocated */

static const struct name_val pkey_rights_names[] = {
	{ "PKEY_UNRESTRICTED", 0 }, { "PKEY_DISABLE_ACCESS", 1 },
	{ "PKEY_DISABLE_WRITE", 2 }, { NULL, 0 },
};

int host_syntax_error(struct host_exec *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(h->err, "kmm-host: %s:%lu: ", h->source, h->lineno);
	va_start(ap, fmt);
	vfprintf(h->err, fmt, ap);
	va_end(ap);
	fputc('\n', h->err);
	fprintf(h->out, "error EINVAL\n");
	return -1;
}

/* A call that could change memory outside the window: not made. */
int host_refuse(struct host_exec *h, const char *cmd)
{
	fprintf(h->err, "kmm-host: %s:%lu: %s: the range leaves the window %#lx-%#lx; not run\n",
		h->source, h->lineno, cmd, HOST_WINDOW_START,
		HOST_WINDOW_START + HOST_WINDOW_SIZE);
	fprintf(h->out, "error EPERM\n");
	return -1;
}

/* NAME|NAME|NUMBER, each word a name of the table or a number. */
static int parse_names(const struct name_val *t, const char *str,
		       unsigned long *out)
{
	unsigned long v = 0, n;

	if (!*str)
		return -1;
	while (*str) {
		size_t len = strcspn(str, "|");
		char word[64];
		int i;

		if (!len || len >= sizeof(word))
			return -1;
		memcpy(word, str, len);
		word[len] = 0;
		for (i = 0; t[i].name; i++)
			if (!strcmp(t[i].name, word))
				break;
		if (t[i].name)
			v |= t[i].val;
		else if (!parse_ulong(word, &n, false))
			v |= n;
		else
			return -1;
		str += len;
		if (*str && !*++str)
			return -1;	/* a trailing '|' */
	}
	*out = v;
	return 0;
}

int host_parse_pid(struct host_exec *h, const char *arg)
{
	unsigned long pid;

	if (parse_ulong(arg, &pid, false))
		return host_syntax_error(h, "PID must be a number, got '%s'", arg);
	if (!h->self_pid || pid != (unsigned long)h->self_pid) {
		fprintf(h->out, "error ESRCH\n");
		return 1;
	}
	return 0;
}

int host_parse_num(struct host_exec *h, const char *what, const char *arg,
		   unsigned long *v, bool allow_suffix)
{
	if (parse_ulong(arg, v, allow_suffix))
		return host_syntax_error(h, "%s must be a number, got '%s'", what, arg);
	return 0;
}

/*
 * Whether a call on [addr, addr + len) changes nothing outside the
 * window: its first page is in the window, and its last page too unless
 * the rounded-up end passes limit, beyond which the kernel refuses the
 * call before looking at the address space (ULONG_MAX: only a wrapping
 * range; HOST_TASK_SIZE for mmap, munmap and mremap's target).
 */
bool host_in_window(unsigned long addr, unsigned long len, u128 limit)
{
	u128 end = ((u128)addr + len + HOST_PAGE_SIZE - 1) & ~(u128)(HOST_PAGE_SIZE - 1);
	unsigned long start = addr & ~(HOST_PAGE_SIZE - 1);

	if (start < HOST_WINDOW_START || start >= HOST_WINDOW_START + HOST_WINDOW_SIZE)
		return false;
	return end <= HOST_WINDOW_START + HOST_WINDOW_SIZE || end > limit;
}

void host_print_errno(struct host_exec *h, int err)
{
	const char *name = strerrorname_np(err);

	if (name)
		fprintf(h->out, "error %s\n", name);
	else
		fprintf(h->out, "error %d\n", err);
}

/* The line of a call that answers 0 or -1 with errno. */
static void print_status(struct host_exec *h, long ret)
{
	if (ret == -1)
		host_print_errno(h, errno);
	else
		fprintf(h->out, "ok\n");
}

/* The line of a call that answers an address or -1 with errno. */
static void print_addr(struct host_exec *h, long ret)
{
	if (ret == -1)
		host_print_errno(h, errno);
	else
		fprintf(h->out, "%#lx\n", (unsigned long)ret);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

static int cmd_boot(struct host_exec *h, int argc, char **argv)
{
	return 0;		/* the host is booted; boot prints nothing */
}

static int cmd_brk(struct host_exec *h, int argc, char **argv)
{
	fprintf(h->err, "kmm-host: %s:%lu: brk is not run on the host: malloc owns its heap\n",
		h->source, h->lineno);
	fprintf(h->out, "error ENOSYS\n");
	return -1;
}

static int cmd_mmap(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len, prot, flags;
	int r = host_parse_pid(h, argv[1]);

	if (r)
		return r < 0 ? r : 0;
	if (host_parse_num(h, "ADDR", argv[2], &addr, false) ||
	    host_parse_num(h, "LEN", argv[3], &len, true))
		return -1;
	if (parse_names(prot_names, argv[4], &prot))
		return host_syntax_error(h, "mmap: bad PROT '%s'", argv[4]);
	if (parse_names(map_names, argv[5], &flags))
		return host_syntax_error(h, "mmap: bad FLAGS '%s'", argv[5]);
	if (argc > 6) {
		/* An fd the script opened (the PATH form is not run here). */
		unsigned long n, off = 0;
		int fd;

		if (parse_ulong(argv[6], &n, false) ||
		    (argc > 7 && host_parse_num(h, "OFFSET", argv[7], &off, true)))
			return host_syntax_error(h, "mmap: only an FD (and OFFSET) is run on the host");
		if (!(flags & (HOST_MAP_FIXED | HOST_MAP_FIXED_NOREPLACE)) ||
		    !host_in_window(addr, len, HOST_TASK_SIZE))
			return host_refuse(h, "mmap");	/* a file mapping only in the window */
		fd = host_file_fd(h, n);
		print_addr(h, syscall(SYS_mmap, addr, len, prot, flags & ~0x20ul, fd < 0 ? 9999 : fd,
				      off));
		return 0;
	}
	if (flags & (HOST_MAP_FIXED | HOST_MAP_FIXED_NOREPLACE) &&
	    !host_in_window(addr, len, HOST_TASK_SIZE))
		return host_refuse(h, "mmap");
	/* do_mmap gives exactly PROT_EXEC the execute-only key. */
	if (h->pku_off && prot == HOST_PROT_EXEC)
		prot |= HOST_PROT_SEM;
	print_addr(h, syscall(SYS_mmap, addr, len, prot, flags, -1, 0));
	return 0;
}

/* munmap, mprotect, mlock, munlock, madvise, mlock2: PID ADDR LEN [X]. */
int host_range_args(struct host_exec *h, char **argv, unsigned long *addr,
		    unsigned long *len, u128 limit)
{
	int r = host_parse_pid(h, argv[1]);

	if (r)
		return r;
	if (host_parse_num(h, "ADDR", argv[2], addr, false) ||
	    host_parse_num(h, "LEN", argv[3], len, true))
		return -1;
	if (!host_in_window(*addr, *len, limit))
		return host_refuse(h, argv[0]);
	return 0;
}

static int cmd_munmap(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len;
	int r = host_range_args(h, argv, &addr, &len, HOST_TASK_SIZE);

	if (!r)
		print_status(h, syscall(SYS_munmap, addr, len));
	return r < 0 ? r : 0;
}

/*
 * mprotect's protection with --pku=off: do_mprotect_pkey drops the GROWS
 * bits and gives what is left, if exactly PROT_EXEC, the exec-only key.
 */
static unsigned long mprotect_prot(const struct host_exec *h, unsigned long prot)
{
	if (h->pku_off && (prot & ~HOST_PROT_GROWS) == HOST_PROT_EXEC)
		return prot | HOST_PROT_SEM;
	return prot;
}

static int cmd_mprotect(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len, prot;
	int r;

	if (parse_names(prot_names, argv[4], &prot))
		return host_syntax_error(h, "mprotect: bad PROT '%s'", argv[4]);
	r = host_range_args(h, argv, &addr, &len, ~0ul);

	if (!r)
		print_status(h, syscall(SYS_mprotect, addr, len, mprotect_prot(h, prot)));
	return r < 0 ? r : 0;
}

/* KEY of pkey_free and pkey_mprotect: a number or -1, as the int the
 * system call takes. */
static int parse_key(struct host_exec *h, const char *arg, int *key)
{
	unsigned long v;

	if (parse_ulong(arg[0] == '-' ? arg + 1 : arg, &v, false))
		return host_syntax_error(h, "KEY must be a number, got '%s'", arg);
	*key = (int)(arg[0] == '-' ? -v : v);
	return 0;
}

/* pkey_alloc PID [FLAGS [ACCESS_RIGHTS]] -> pkey N */
static int cmd_pkey_alloc(struct host_exec *h, int argc, char **argv)
{
	unsigned long flags = 0, rights = 0;
	int r = host_parse_pid(h, argv[1]);
	long key;

	if (r)
		return r < 0 ? r : 0;
	if (argc > 2 && host_parse_num(h, "FLAGS", argv[2], &flags, false))
		return -1;
	if (argc > 3 && parse_names(pkey_rights_names, argv[3], &rights))
		return host_syntax_error(h, "pkey_alloc: bad ACCESS_RIGHTS '%s'", argv[3]);
	if (h->pku_off) {
		/* sys_pkey_alloc checks its arguments, then finds no key. */
		host_print_errno(h, flags || rights & ~3ul ? EINVAL : ENOSPC);
		return 0;
	}
	key = syscall(SYS_pkey_alloc, flags, rights);
	if (key < 0)
		host_print_errno(h, errno);
	else
		fprintf(h->out, "pkey %ld\n", key);
	return 0;
}

/* pkey_free PID KEY */
static int cmd_pkey_free(struct host_exec *h, int argc, char **argv)
{
	int r = host_parse_pid(h, argv[1]), key;

	if (r)
		return r < 0 ? r : 0;
	if (parse_key(h, argv[2], &key))
		return -1;
	if (h->pku_off) {
		host_print_errno(h, EINVAL);	/* no key is ever allocated */
		return 0;
	}
	print_status(h, syscall(SYS_pkey_free, key));
	return 0;
}

/* pkey_mprotect PID ADDR LEN PROT KEY */
static int cmd_pkey_mprotect(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len, prot;
	int r, key;

	if (parse_names(prot_names, argv[4], &prot))
		return host_syntax_error(h, "pkey_mprotect: bad PROT '%s'", argv[4]);
	if (parse_key(h, argv[5], &key))
		return -1;
	r = host_range_args(h, argv, &addr, &len, ~0ul);
	if (r)
		return r < 0 ? r : 0;
	if (h->pku_off && key != -1)
		key = HOST_NR_PKEYS;	/* never allocated: EINVAL after the same checks */
	if (key == -1)
		prot = mprotect_prot(h, prot);
	print_status(h, syscall(SYS_pkey_mprotect, addr, len, prot, key));
	return 0;
}

static int cmd_madvise(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len, advice;
	int r;

	if (parse_names(madv_names, argv[4], &advice) || strchr(argv[4], '|'))
		return host_syntax_error(h, "madvise: bad ADVICE '%s'", argv[4]);
	r = host_range_args(h, argv, &addr, &len, ~0ul);

	if (r)
		return r < 0 ? r : 0;
	if (advice == HOST_MADV_HWPOISON || advice == HOST_MADV_SOFT_OFFLINE) {
		fprintf(h->err, "kmm-host: %s:%lu: madvise: %s is not run on the host\n",
			h->source, h->lineno, argv[4]);
		fprintf(h->out, "error EPERM\n");
		return -1;
	}
	print_status(h, syscall(SYS_madvise, addr, len, advice));
	return 0;
}

static int cmd_mlock(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len;
	int r = host_range_args(h, argv, &addr, &len, ~0ul);

	if (!r)
		print_status(h, syscall(SYS_mlock, addr, len));
	return r < 0 ? r : 0;
}

static int cmd_mlock2(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len, flags;
	int r;

	if (parse_names(mlock_names, argv[4], &flags))
		return host_syntax_error(h, "mlock2: bad FLAGS '%s'", argv[4]);
	r = host_range_args(h, argv, &addr, &len, ~0ul);

	if (!r)
		print_status(h, syscall(SYS_mlock2, addr, len, flags));
	return r < 0 ? r : 0;
}

static int cmd_munlock(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, len;
	int r = host_range_args(h, argv, &addr, &len, ~0ul);

	if (!r)
		print_status(h, syscall(SYS_munlock, addr, len));
	return r < 0 ? r : 0;
}

/* mremap PID ADDR OLDLEN NEWLEN [FLAGS [NEWADDR]] */
static int cmd_mremap(struct host_exec *h, int argc, char **argv)
{
	unsigned long addr, old_len, new_len, flags = 0, new_addr = 0;
	int r = host_parse_pid(h, argv[1]);

	if (r)
		return r < 0 ? r : 0;
	if (host_parse_num(h, "ADDR", argv[2], &addr, false) ||
	    host_parse_num(h, "OLDLEN", argv[3], &old_len, true) ||
	    host_parse_num(h, "NEWLEN", argv[4], &new_len, true))
		return -1;
	if (argc > 5 && parse_names(mremap_names, argv[5], &flags))
		return host_syntax_error(h, "mremap: bad FLAGS '%s'", argv[5]);
	if (argc > 6 && host_parse_num(h, "NEWADDR", argv[6], &new_addr, false))
		return -1;
	/* The old range moves or shrinks; a fixed target is unmapped first. */
	if (!host_in_window(addr, old_len, ~(u128)0) ||
	    (flags & HOST_MREMAP_FIXED && !host_in_window(new_addr, new_len, HOST_TASK_SIZE)))
		return host_refuse(h, "mremap");
	print_addr(h, syscall(SYS_mremap, addr, old_len, new_len, flags, new_addr));
	return 0;
}

/*
 * The entries of /proc/self/maps or smaps (smaps: true) whose range
 * meets the window, as they are; with --pku=off, smaps without its
 * ProtectionKey lines (a host without keys has none).
 */
static int print_window_maps(struct host_exec *h, bool smaps)
{
	FILE *f = fopen(smaps ? "/proc/self/smaps" : "/proc/self/maps", "r");
	char *line = NULL;
	size_t cap = 0;
	bool in = false;

	if (!f) {
		fprintf(h->err, "kmm-host: cannot read /proc/self/%s\n", smaps ? "smaps" : "maps");
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		unsigned long start, end;
		char c;

		/* An entry's first line: START-END followed by a blank. */
		if (sscanf(line, "%lx-%lx%c", &start, &end, &c) == 3 && c == ' ')
			in = end > HOST_WINDOW_START && start < HOST_WINDOW_START + HOST_WINDOW_SIZE;
		if (in && !(h->pku_off && !strncmp(line, "ProtectionKey:", 14)))
			fputs(line, h->out);
	}
	free(line);
	fclose(f);
	return 0;
}

/* The pid of /proc/PID/maps or /proc/PID/smaps (*smaps set), or 0. */
static unsigned long maps_pid(const char *path, bool *smaps)
{
	unsigned long pid;
	char *end;

	if (strncmp(path, "/proc/", 6) || !strchr("123456789", path[6]))
		return 0;
	pid = strtoul(path + 6, &end, 10);
	*smaps = !strcmp(end, "/smaps");
	return strcmp(end, "/maps") && !*smaps ? 0 : pid;
}

static int cmd_cat(struct host_exec *h, int argc, char **argv)
{
	bool smaps;
	unsigned long pid = maps_pid(argv[1], &smaps);

	if (pid && h->self_pid && pid == (unsigned long)h->self_pid)
		return print_window_maps(h, smaps);
	if (!strncmp(argv[1], "/proc/", 6) && strchr("0123456789", argv[1][6])) {
		fprintf(h->out, "cat: %s: No such file or directory\n", argv[1]);
		return 0;
	}
	return host_syntax_error(h, "cat: only /proc/PID/maps and smaps are read on the host");
}

/* routed: run by the server of argv[1]'s pid (cat: of the path's pid). */
static const struct host_cmd host_cmds[] = {
	{ "boot", 0, HOST_MAX_ARGS - 1, "boot [...]   (ignored)", cmd_boot, false },
	{ "spawn", 0, 1, "spawn [NAME]", host_cmd_spawn, false },
	{ "fork", 1, 1, "fork PID", host_cmd_fork, false },
	{ "exit", 1, 2, "exit PID [STATUS]", host_cmd_exit, false },
	{ "mmap", 5, 7, "mmap PID ADDR LEN PROT FLAGS", cmd_mmap, true },
	{ "munmap", 3, 3, "munmap PID ADDR LEN", cmd_munmap, true },
	{ "mprotect", 4, 4, "mprotect PID ADDR LEN PROT", cmd_mprotect, true },
	{ "mremap", 4, 6, "mremap PID ADDR OLDLEN NEWLEN [FLAGS [NEWADDR]]", cmd_mremap, true },
	{ "madvise", 4, 4, "madvise PID ADDR LEN ADVICE", cmd_madvise, true },
	{ "mlock", 3, 3, "mlock PID ADDR LEN", cmd_mlock, true },
	{ "mlock2", 4, 4, "mlock2 PID ADDR LEN FLAGS", cmd_mlock2, true },
	{ "munlock", 3, 3, "munlock PID ADDR LEN", cmd_munlock, true },
	{ "pkey_alloc", 1, 3, "pkey_alloc PID [FLAGS [ACCESS_RIGHTS]]", cmd_pkey_alloc, true },
	{ "pkey_free", 2, 2, "pkey_free PID KEY", cmd_pkey_free, true },
	{ "pkey_mprotect", 5, 5, "pkey_mprotect PID ADDR LEN PROT KEY", cmd_pkey_mprotect, true },
	{ "brk", 1, 2, "brk PID [ADDR]   (not run on the host)", cmd_brk, false },
	{ "touch", 4, 4, "touch PID ADDR LEN r|w", host_cmd_touch, true },
	{ "read", 3, 3, "read PID ADDR LEN", host_cmd_read, true },
	{ "write", 3, 3, "write PID ADDR \"text\"|fill=0xAB:LEN", host_cmd_write, true },
	{ "cat", 1, 1, "cat /proc/PID/maps|smaps", cmd_cat, true },
	{ "open", 2, 3, "open PID PATH [O_FLAGS]   (below --root)", host_cmd_open, true },
	{ "close", 2, 2, "close PID FD", host_cmd_close, true },
	{ "pread", 4, 4, "pread PID FD OFFSET LEN", host_cmd_pread, true },
	{ "pwrite", 4, 4, "pwrite PID FD OFFSET \"text\"|fill=0xAB:LEN", host_cmd_pwrite, true },
	{ "ftruncate", 3, 3, "ftruncate PID FD LEN", host_cmd_ftruncate, true },
	{ "fsync", 2, 2, "fsync PID FD", host_cmd_fsync, true },
	{ "fdatasync", 2, 2, "fdatasync PID FD", host_cmd_fdatasync, true },
	{ "msync", 4, 4, "msync PID ADDR LEN MS_FLAGS", host_cmd_msync, true },
	{ "mincore", 3, 3, "mincore PID ADDR LEN", host_cmd_mincore, true },
	{ "mkdir", 2, 3, "mkdir PID PATH [MODE]", host_cmd_mkdir, true },
	{ "unlink", 2, 2, "unlink PID PATH", host_cmd_unlink, true },
	{ "rmdir", 2, 2, "rmdir PID PATH", host_cmd_rmdir, true },
	{ "rename", 3, 3, "rename PID FROM TO", host_cmd_rename, true },
	{ "stat", 2, 2, "stat PID PATH   (ino, blocks, dev: the host's)", host_cmd_stat, true },
};

const struct host_cmd *host_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(host_cmds) / sizeof(host_cmds[0]); i++)
		if (!strcmp(host_cmds[i].name, name))
			return &host_cmds[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

/* Splits line in place at blanks; '#' starts a comment; a "quoted
 * string" stays one word (as the simulator's tokenizer). */
static int tokenize(char *line, char **argv, int max, const char **why)
{
	char *p = line;
	int argc = 0;

	for (;;) {
		p += strspn(p, " \t\r\n");
		if (!*p || *p == '#')
			return argc;
		if (argc == max) {
			*why = "too many words";
			return -1;
		}
		if (*p == '"') {
			argv[argc++] = ++p;
			p += strcspn(p, "\"");
			if (!*p) {
				*why = "unterminated string";
				return -1;
			}
		} else {
			argv[argc++] = p;
			p += strcspn(p, " \t\r\n#");
			if (*p == '#') {
				*p = 0;
				return argc;
			}
		}
		if (*p)
			*p++ = 0;
	}
}

int host_split_line(struct host_exec *h, const char *text, char *line,
		    size_t size, char **argv, int max)
{
	const char *why = NULL;
	int argc;

	if (strlen(text) >= size)
		return host_syntax_error(h, "line longer than %zu characters", size - 1);
	strcpy(line, text);
	argc = tokenize(line, argv, max, &why);
	if (argc < 0)
		return host_syntax_error(h, "%s", why);
	return argc;
}

int host_run_cmd(struct host_exec *h, int argc, char **argv)
{
	const struct host_cmd *cmd = host_find_cmd(argv[0]);

	if (!cmd)
		return host_syntax_error(h, "'%s' is not run on the host", argv[0]);
	if (argc - 1 < cmd->min_args || argc - 1 > cmd->max_args)
		return host_syntax_error(h, "usage: %s", cmd->usage);
	return cmd->fn(h, argc, argv);
}

/*
 * In the dispatcher: a line of a live pid goes to its server; the rest
 * (spawn, fork, exit, boot, brk, pids that do not exist, malformed
 * lines) runs here.
 */
int host_exec_run_line(struct host_exec *h, const char *text)
{
	char line[HOST_MAX_LINE], *argv[HOST_MAX_ARGS];
	const struct host_cmd *cmd;
	struct host_proc *p = NULL;
	unsigned long pid;
	int argc;

	h->lineno++;
	argc = host_split_line(h, text, line, sizeof(line), argv, HOST_MAX_ARGS);
	if (argc <= 0)
		return argc;
	if (h->panicked) {
		/* As the simulator after a panic: no result line. */
		fprintf(h->err, "kmm-host: %s:%lu: not run: the machine has panicked\n",
			h->source, h->lineno);
		return -1;
	}
	cmd = host_find_cmd(argv[0]);
	if (cmd && cmd->routed && argc > 1 && argc - 1 >= cmd->min_args &&
	    argc - 1 <= cmd->max_args) {
		bool smaps;

		if (!strcmp(cmd->name, "cat"))
			pid = maps_pid(argv[1], &smaps);
		else if (parse_ulong(argv[1], &pid, false))
			pid = 0;
		p = pid ? host_find_proc(h, pid) : NULL;
	}
	if (p)
		return host_route_line(h, p, text);
	return host_run_cmd(h, argc, argv);
}

bool host_exec_panicked(const struct host_exec *h)
{
	return h->panicked;
}

int host_exec_run_stream(struct host_exec *h, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int bad = 0;

	while ((n = getline(&line, &cap, in)) >= 0) {
		if (n && line[n - 1] == '\n')
			line[--n] = 0;
		if (memchr(line, 0, (size_t)n)) {
			h->lineno++;
			host_syntax_error(h, "the line contains a NUL byte");
			bad++;
			continue;
		}
		if (host_exec_run_line(h, line))
			bad++;
		fflush(h->out);
		if (h->panicked)
			break;
	}
	free(line);
	return bad;
}

/* Sets resource's soft limit to want, or to the hard limit if that is
 * lower (then -EPERM). */
static int set_soft_limit(int resource, rlim_t want)
{
	struct rlimit rl;
	int err = 0;

	if (getrlimit(resource, &rl))
		return -errno;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
		want = rl.rlim_max;
		err = -EPERM;
	}
	rl.rlim_cur = want;
	if (setrlimit(resource, &rl))
		return -errno;
	return err;
}

int host_exec_drop_privileges(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int err, err2;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	err = set_soft_limit(RLIMIT_MEMLOCK, HOST_MEMLOCK_LIMIT);
	err2 = set_soft_limit(RLIMIT_STACK, HOST_STACK_LIMIT);
	return err ? err : err2;
}

/* Whether a line of /proc/self/maps meets the window. */
static bool window_is_empty(FILE *err)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool empty = true;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    end > HOST_WINDOW_START && start < HOST_WINDOW_START + HOST_WINDOW_SIZE) {
			fprintf(err, "kmm-host: the window is not empty: %s", line);
			empty = false;
		}
	}
	fclose(f);
	return empty;
}

struct host_exec *host_exec_create(FILE *out, FILE *err)
{
	struct host_exec *h;

	if (!window_is_empty(err))
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->out = out;
	h->err = err;
	h->source = "<stdin>";
	h->next_pid = 1;
	return h;
}

void host_exec_set_show_faults(struct host_exec *h, bool show)
{
	h->show_faults = show;
}

void host_exec_set_pku(struct host_exec *h, bool on)
{
	h->pku_off = !on;
}

int host_exec_set_root(struct host_exec *h, const char *dir)
{
	if (strlen(dir) + 1 >= sizeof(h->root) / 2)
		return -ENAMETOOLONG;
	snprintf(h->root, sizeof(h->root), "%s", dir);
	return 0;
}

void host_exec_set_kernel_addresses(struct host_exec *h, bool on)
{
	h->plug = on;
}

void host_exec_set_source(struct host_exec *h, const char *name)
{
	h->source = name;
	h->lineno = 0;
}

void host_exec_destroy(struct host_exec *h)
{
	if (!h)
		return;
	host_procs_destroy(h);
	free(h);
}
