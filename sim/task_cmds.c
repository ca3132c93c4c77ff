/*
 * sim/task_cmds.c - the process commands of the script language
 * (DESIGN.md): spawn, fork, exit, and the memory system calls a process
 * makes, each printing one line: the result, "ok", or "error ENAME" with
 * Linux's errno.  Arguments take numbers (decimal, 0x hex, K/M/G
 * lengths) or the C names joined by '|'.  A pid that does not exist is
 * ESRCH, as kill(2) would say; a line that cannot be parsed is a syntax
 * error (sim/script.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include "base/crc32.h"
#include "base/parse.h"
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/fault.h"
#include "sim/sim.h"

#define MAX_RW	(64ul << 20)	/* read/write lengths a script may ask for */

#define F(x) { #x, x }
static const struct flag_name prot_names[] = {
	F(PROT_NONE), F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC), F(PROT_SEM),
	F(PROT_GROWSDOWN), F(PROT_GROWSUP), { NULL, 0 }
};
static const struct flag_name map_names[] = {
	F(MAP_SHARED), F(MAP_PRIVATE), F(MAP_SHARED_VALIDATE), F(MAP_FIXED),
	F(MAP_ANONYMOUS), { "MAP_ANON", MAP_ANONYMOUS }, F(MAP_GROWSDOWN),
	F(MAP_DENYWRITE), F(MAP_EXECUTABLE), F(MAP_LOCKED), F(MAP_NORESERVE),
	F(MAP_POPULATE), F(MAP_NONBLOCK), F(MAP_STACK), F(MAP_HUGETLB),
	F(MAP_FIXED_NOREPLACE), F(MAP_UNINITIALIZED), { NULL, 0 }
};
static const struct flag_name mremap_names[] = {
	F(MREMAP_MAYMOVE), F(MREMAP_FIXED), F(MREMAP_DONTUNMAP), { NULL, 0 }
};
static const struct flag_name madv_names[] = {
	F(MADV_NORMAL), F(MADV_RANDOM), F(MADV_SEQUENTIAL), F(MADV_WILLNEED),
	F(MADV_DONTNEED), { "MADV_FREE", 8 }, F(MADV_REMOVE), F(MADV_DONTFORK),
	F(MADV_DOFORK), F(MADV_MERGEABLE), F(MADV_UNMERGEABLE), F(MADV_HUGEPAGE),
	F(MADV_NOHUGEPAGE), F(MADV_DONTDUMP), F(MADV_DODUMP),
	{ "MADV_WIPEONFORK", 18 }, { "MADV_KEEPONFORK", 19 }, { "MADV_COLD", 20 },
	{ "MADV_PAGEOUT", 21 }, { "MADV_POPULATE_READ", 22 }, { "MADV_POPULATE_WRITE", 23 },
	{ "MADV_DONTNEED_LOCKED", 24 }, { "MADV_COLLAPSE", 25 },
	{ "MADV_HWPOISON", 100 }, { "MADV_SOFT_OFFLINE", 101 },
	{ "MADV_GUARD_INSTALL", 102 }, { "MADV_GUARD_REMOVE", 103 }, { NULL, 0 }
};
static const struct flag_name mlock_names[] = {
	{ "MLOCK_ONFAULT", MLOCK_ONFAULT }, { "0", 0 }, { NULL, 0 }
};
static const struct flag_name pkey_access_names[] = {
	{ "PKEY_UNRESTRICTED", 0 }, { "PKEY_DISABLE_ACCESS", 0x1 }, { "PKEY_DISABLE_WRITE", 0x2 },
	{ "0", 0 }, { NULL, 0 }
};
static const struct flag_name mcl_names[] = {
	F(MCL_CURRENT), F(MCL_FUTURE), { "MCL_ONFAULT", MCL_ONFAULT }, { NULL, 0 }
};
#undef F

/* NAME|NAME|NUMBER against table; -1 naming the bad word in bad. */
int parse_flags(const char *str, const struct flag_name *table,
		       unsigned long *out, char *bad, size_t badlen)
{
	unsigned long v = 0;

	do {
		size_t len = strcspn(str, "|");
		const struct flag_name *f;
		char word[64];
		unsigned long n;

		if (!len || len >= sizeof(word))
			goto bad;
		memcpy(word, str, len);
		word[len] = 0;
		for (f = table; f->name; f++)
			if (!strcmp(f->name, word))
				break;
		if (f->name)
			v |= f->value;
		else if (!parse_ulong(word, &n, false))
			v |= n;
		else
			goto bad;
		str += len;
	} while (*str++ == '|');
	*out = v;
	return 0;
bad:
	snprintf(bad, badlen, "%.*s", (int)strcspn(str, "|"), str);
	return -1;
}

int print_errno(struct sim *s, long err)
{
	const char *name = strerrorname_np((int)-err);

	fprintf(s->out, "error %s\n", name ? name : "EINVAL");
	return 0;
}

int print_result(struct sim *s, long ret)
{
	if (ret < 0)
		return print_errno(s, ret);
	fprintf(s->out, "ok\n");
	return 0;
}

/* An address or an errno (mmap, mremap). */
int print_addr(struct sim *s, long ret)
{
	if (ret < 0)
		return print_errno(s, ret);
	fprintf(s->out, "%#lx\n", (unsigned long)ret);
	return 0;
}

/* The task argv[1] names; NULL after printing ESRCH (or a syntax error). */
struct task_struct *arg_task(struct sim *s, char **argv, int *bad)
{
	unsigned long pid;
	struct task_struct *t;

	*bad = 0;
	if (parse_ulong(argv[1], &pid, false) || pid > 4194304) {
		*bad = syntax_error(s, "%s: PID must be a process id, got '%s'", argv[0], argv[1]);
		return NULL;
	}
	t = find_task_by_vpid((int)pid);
	if (!t)
		print_errno(s, -ESRCH);
	else
		s->k->current = t;	/* the command is t's system call (until it ends) */
	return t;
}

int arg_num(struct sim *s, char **argv, int i, const char *what, unsigned long *v)
{
	if (parse_ulong(argv[i], v, true))
		return syntax_error(s, "%s: %s must be a number, got '%s'", argv[0], what, argv[i]);
	return 0;
}

int arg_flags(struct sim *s, char **argv, int i, const struct flag_name *table,
		     const char *what, unsigned long *v)
{
	char bad[64];

	if (parse_flags(argv[i], table, v, bad, sizeof(bad)))
		return flags_error(s, argv[0], what, argv[i], bad);
	return 0;
}

/* PID ADDR LEN, the start of most calls. */
static struct task_struct *arg_range(struct sim *s, char **argv, unsigned long *addr,
				     unsigned long *len, int *bad)
{
	struct task_struct *t;

	*bad = arg_num(s, argv, 2, "ADDR", addr) ?: arg_num(s, argv, 3, "LEN", len);
	if (*bad)
		return NULL;
	t = arg_task(s, argv, bad);
	return t;
}

int cmd_spawn(struct sim *s, int argc, char **argv)
{
	struct task_struct *t;
	int err;

	if (argc > 1 && (!argv[1][0] || strlen(argv[1]) >= 100 || strchr(argv[1], '/') != NULL))
		return syntax_error(s, "spawn: NAME must be a program name like 'cat', got '%s'", argv[1]);
	t = kernel_spawn(argc > 1 ? argv[1] : NULL, &err);
	if (!t)
		return print_errno(s, err);
	fprintf(s->out, "pid %d\n", t->pid);
	return 0;
}

int cmd_fork(struct sim *s, int argc, char **argv)
{
	int bad, err;
	struct task_struct *t = arg_task(s, argv, &bad), *c;

	if (!t)
		return bad;
	c = kernel_fork(t, &err);
	if (!c)
		return print_errno(s, err);
	fprintf(s->out, "pid %d\n", c->pid);
	return 0;
}

/*
 * The result line of a process's end that panicked the machine (init
 * died): the report's first line, "Kernel panic - not syncing: ...".
 */
static void print_panic(struct sim *s)
{
	fprintf(s->out, "%s\n", s->report);
	s->report_consumed = 1;
}

/* exit PID [STATUS]: exit_group(STATUS) in process PID (STATUS 0..255, 0). */
int cmd_exit(struct sim *s, int argc, char **argv)
{
	unsigned long status = 0;
	struct task_struct *t;
	int bad;

	if (argc > 2 && (parse_ulong(argv[2], &status, false) || status > 255))
		return syntax_error(s, "exit: STATUS must be a number 0..255, got '%s'", argv[2]);
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	if (do_group_exit(t, EXIT_CODE((int)status)))
		print_panic(s);
	else
		fprintf(s->out, "ok\n");
	return 0;
}

int cmd_mmap(struct sim *s, int argc, char **argv)
{
	unsigned long addr, len, prot, flags, off = 0;
	struct task_struct *t;
	struct file *file = NULL;
	long ret;
	int bad, err;

	if (arg_flags(s, argv, 4, prot_names, "PROT flag", &prot) ||
	    arg_flags(s, argv, 5, map_names, "MAP flag", &flags) ||
	    (argc > 7 && arg_num(s, argv, 7, "OFFSET", &off)))
		return -1;
	t = arg_range(s, argv, &addr, &len, &bad);
	if (!t)
		return bad;
	if (argc > 6 && isdigit((unsigned char)argv[6][0])) {
		/* An fd the process opened. */
		unsigned long fd;

		if (parse_ulong(argv[6], &fd, false) || fd > 0x7fffffff)
			return syntax_error(s, "mmap: FD must be a file descriptor, got '%s'", argv[6]);
		file = fget_raw(t->files, (int)fd);
		if (!file)
			return print_errno(s, -EBADF);
		flags &= ~(unsigned long)MAP_ANONYMOUS;
		if (off & ~PAGE_MASK)
			ret = -EINVAL;
		else
			ret = do_mmap_pgoff(t->mm, file, addr, len, prot, flags, off >> PAGE_SHIFT);
	} else if (argc > 6) {
		/* open(PATH, O_RDONLY) first, as a program would. */
		file = filp_open(argv[6], O_RDONLY, 0, &err);
		if (!file)
			return print_errno(s, err);
		flags &= ~(unsigned long)MAP_ANONYMOUS;
		if (off & ~PAGE_MASK)
			ret = -EINVAL;
		else
			ret = do_mmap_pgoff(t->mm, file, addr, len, prot, flags, off >> PAGE_SHIFT);
		fput(file);
	} else {
		ret = do_mmap(t->mm, addr, len, prot, flags);
	}
	return print_addr(s, ret);
}



/*
 * The calls of the form PID ADDR LEN [FLAGS] that answer ok or an errno:
 * argv[4], when the call takes it, is parsed against table.
 */
struct range_call {
	const struct flag_name *table;	/* NULL: no fourth argument */
	const char *what;
	long (*fn)(struct mm_struct *mm, unsigned long addr, unsigned long len,
		   unsigned long arg);
};

static int do_range_call(struct sim *s, char **argv, const struct range_call *c)
{
	unsigned long addr, len, arg = 0;
	struct task_struct *t;
	int bad;

	if (c->table && arg_flags(s, argv, 4, c->table, c->what, &arg))
		return -1;
	t = arg_range(s, argv, &addr, &len, &bad);
	if (!t)
		return bad;
	return print_result(s, c->fn(t->mm, addr, len, arg));
}

static long call_munmap(struct mm_struct *mm, unsigned long a, unsigned long l, unsigned long f)
{
	return do_munmap(mm, a, l);
}

static long call_mprotect(struct mm_struct *mm, unsigned long a, unsigned long l, unsigned long f)
{
	return do_mprotect(mm, a, l, f);
}

static long call_madvise(struct mm_struct *mm, unsigned long a, unsigned long l, unsigned long f)
{
	return do_madvise(mm, a, l, (int)f);
}

static long call_mlock(struct mm_struct *mm, unsigned long a, unsigned long l, unsigned long f)
{
	return do_mlock(mm, a, l, VM_LOCKED);
}

static long call_mlock2(struct mm_struct *mm, unsigned long a, unsigned long l, unsigned long f)
{
	return do_mlock2(mm, a, l, (unsigned int)f);
}

static long call_munlock(struct mm_struct *mm, unsigned long a, unsigned long l, unsigned long f)
{
	return do_munlock(mm, a, l);
}

int cmd_munmap(struct sim *s, int argc, char **argv)
{
	return do_range_call(s, argv, &(struct range_call){ NULL, NULL, call_munmap });
}

int cmd_mprotect(struct sim *s, int argc, char **argv)
{
	return do_range_call(s, argv, &(struct range_call){ prot_names, "PROT flag", call_mprotect });
}

int cmd_madvise(struct sim *s, int argc, char **argv)
{
	return do_range_call(s, argv, &(struct range_call){ madv_names, "advice", call_madvise });
}

static const struct flag_name msync_names[] = {
	{ "MS_ASYNC", 1 }, { "MS_INVALIDATE", 2 }, { "MS_SYNC", 4 }, { "0", 0 }, { NULL, 0 }
};

static long call_msync(struct mm_struct *mm, unsigned long a, unsigned long l, unsigned long f)
{
	return do_msync(mm, a, l, (int)f);
}

int cmd_msync(struct sim *s, int argc, char **argv)
{
	return do_range_call(s, argv, &(struct range_call){ msync_names, "MS flag", call_msync });
}

/* mincore PID ADDR LEN -> one character a page: 1 resident, 0 not */
int cmd_mincore(struct sim *s, int argc, char **argv)
{
	unsigned long addr, len, i, n;
	struct task_struct *t;
	unsigned char *vec;
	long r;
	int bad;

	t = arg_range(s, argv, &addr, &len, &bad);
	if (!t)
		return bad;
	if (len > MAX_RW)
		return syntax_error(s, "mincore: LEN is at most 64M, got '%s'", argv[3]);
	n = PAGE_ALIGN(len) >> PAGE_SHIFT;
	vec = malloc(n ? n : 1);
	if (!vec)
		return print_errno(s, -ENOMEM);
	r = do_mincore(t->mm, addr, len, vec);
	if (r < 0)
		print_errno(s, r);
	else {
		for (i = 0; i < n; i++)
			fputc(vec[i] & 1 ? '1' : '0', s->out);
		fputc('\n', s->out);
	}
	free(vec);
	return 0;
}

int cmd_mlock(struct sim *s, int argc, char **argv)
{
	return do_range_call(s, argv, &(struct range_call){ NULL, NULL, call_mlock });
}

int cmd_mlock2(struct sim *s, int argc, char **argv)
{
	return do_range_call(s, argv, &(struct range_call){ mlock_names, "MLOCK flag", call_mlock2 });
}

int cmd_munlock(struct sim *s, int argc, char **argv)
{
	return do_range_call(s, argv, &(struct range_call){ NULL, NULL, call_munlock });
}

/* A protection key argument: a decimal number, -1 allowed (no key). */
static int arg_pkey(struct sim *s, char **argv, int i, int *pkey)
{
	char *end;
	long v = strtol(argv[i], &end, 10);

	if (!*argv[i] || *end || v < -2147483648L || v > 2147483647L)
		return syntax_error(s, "%s: KEY must be a decimal number (-1: none), got '%s'",
				    argv[0], argv[i]);
	*pkey = (int)v;
	return 0;
}

/* pkey_alloc PID [FLAGS [ACCESS_RIGHTS]]: "pkey N" or error ENAME. */
int cmd_pkey_alloc(struct sim *s, int argc, char **argv)
{
	unsigned long flags = 0, rights = 0;
	struct task_struct *t;
	int bad;
	long key;

	if ((argc > 2 && arg_num(s, argv, 2, "FLAGS", &flags)) ||
	    (argc > 3 && arg_flags(s, argv, 3, pkey_access_names, "access right", &rights)))
		return -1;
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	key = sys_pkey_alloc(t, flags, rights);
	if (key < 0)
		return print_errno(s, key);
	fprintf(s->out, "pkey %ld\n", key);
	return 0;
}

/* pkey_free PID KEY */
int cmd_pkey_free(struct sim *s, int argc, char **argv)
{
	struct task_struct *t;
	int bad, pkey;

	if (arg_pkey(s, argv, 2, &pkey))
		return -1;
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	return print_result(s, sys_pkey_free(t, pkey));
}

/* pkey_mprotect PID ADDR LEN PROT KEY */
int cmd_pkey_mprotect(struct sim *s, int argc, char **argv)
{
	unsigned long addr, len, prot;
	struct task_struct *t;
	int bad, pkey;

	if (arg_flags(s, argv, 4, prot_names, "PROT flag", &prot) || arg_pkey(s, argv, 5, &pkey))
		return -1;
	t = arg_range(s, argv, &addr, &len, &bad);
	if (!t)
		return bad;
	return print_result(s, do_mprotect_pkey(t->mm, addr, len, prot, pkey));
}

int cmd_mremap(struct sim *s, int argc, char **argv)
{
	unsigned long addr, old_len, new_len, flags = 0, new_addr = 0;
	struct task_struct *t;
	int bad;

	if (arg_num(s, argv, 4, "NEWLEN", &new_len) ||
	    (argc > 5 && arg_flags(s, argv, 5, mremap_names, "MREMAP flag", &flags)) ||
	    (argc > 6 && arg_num(s, argv, 6, "NEWADDR", &new_addr)))
		return -1;
	t = arg_range(s, argv, &addr, &old_len, &bad);
	if (!t)
		return bad;
	return print_addr(s, do_mremap(t->mm, addr, old_len, new_len, flags, new_addr));
}





int cmd_mlockall(struct sim *s, int argc, char **argv)
{
	unsigned long flags;
	struct task_struct *t;
	int bad;

	if (arg_flags(s, argv, 2, mcl_names, "MCL flag", &flags))
		return -1;
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	return print_result(s, do_mlockall(t->mm, (int)flags));
}

int cmd_munlockall(struct sim *s, int argc, char **argv)
{
	int bad;
	struct task_struct *t = arg_task(s, argv, &bad);

	if (!t)
		return bad;
	return print_result(s, do_munlockall(t->mm));
}

int cmd_brk(struct sim *s, int argc, char **argv)
{
	unsigned long addr = 0;
	struct task_struct *t;
	int bad;

	if (argc > 2 && arg_num(s, argv, 2, "ADDR", &addr))
		return -1;
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	fprintf(s->out, "%#lx\n", sys_brk(t->mm, addr));
	return 0;
}

/* prlimit PID RLIMIT_X VALUE|unlimited: the soft and hard limit at once. */
int cmd_prlimit(struct sim *s, int argc, char **argv)
{
	static const char *const names[] = { "RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_STACK",
					     "RLIMIT_MEMLOCK" };
	unsigned long v, *field;
	struct task_struct *t;
	size_t i;
	int bad;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(argv[2], names[i]))
			break;
	if (i == ARRAY_SIZE(names))
		return syntax_error(s, "prlimit: RESOURCE must be RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK or RLIMIT_MEMLOCK, got '%s'", argv[2]);
	if (!strcmp(argv[3], "unlimited"))
		v = ~0ul;
	else if (arg_num(s, argv, 3, "VALUE", &v))
		return -1;
	t = arg_task(s, argv, &bad);
	if (!t)
		return bad;
	field = i == 0 ? &t->mm->rlim_as : i == 1 ? &t->mm->rlim_data :
		i == 2 ? &t->mm->rlim_stack : &t->mm->rlim_memlock;
	*field = v;
	fprintf(s->out, "ok\n");
	return 0;
}

/* ps: one line per process, as `ps -o pid,ppid,vsz,comm` would print. */
int cmd_ps(struct sim *s, int argc, char **argv)
{
	struct task_struct *t;
	int pid = 0;

	fprintf(s->out, "%7s %7s %6s %s\n", "PID", "PPID", "VSZ", "COMMAND");
	while ((t = next_task(pid))) {
		fprintf(s->out, "%7d %7d %6lu %s\n", t->pid,
			t->real_parent ? t->real_parent->pid : 0, t->mm->total_vm << (PAGE_SHIFT - 10),
			t->comm);
		pid = t->pid;
	}
	return 0;
}

/* ---- touching memory: the CPU's accesses ---------------------------- */


static const char *sig_code_name(const struct kmm_siginfo *si)
{
	if (si->signo == SIGBUS)
		return "BUS_ADRERR";
	if (si->code == SI_KERNEL)
		return "SI_KERNEL";
	if (si->code == SEGV_PKUERR)
		return "SEGV_PKUERR";
	return si->code == SEGV_ACCERR ? "SEGV_ACCERR" : "SEGV_MAPERR";
}

/* A task's fault counts before an access line, to print what it cost. */
struct fault_snap {
	unsigned long min_flt, maj_flt;
};

static struct fault_snap snap_faults(const struct task_struct *t)
{
	return (struct fault_snap){ t->min_flt, t->maj_flt };
}

/*
 * The end of a touch/read/write line: " minflt=N" with --faults, then
 * the newline.  A signal that kills (boot segv=kill) ends the process.
 */
static void finish_access(struct sim *s, struct task_struct *t, struct fault_snap before,
			  const struct kmm_siginfo *si, int sig)
{
	if (s->show_faults) {
		fprintf(s->out, " minflt=%lu", t->min_flt - before.min_flt);
		if (t->maj_flt != before.maj_flt)
			fprintf(s->out, " majflt=%lu", t->maj_flt - before.maj_flt);
	}
	fputc('\n', s->out);
	/* The OOM killer's SIGKILL is delivered after the command. */
	if (sig && (s->k->cfg.segv_kill || sig == SIGKILL) && !fatal_signal_pending(t) &&
	    !s->k->panicked) {
		fprintf(s->out, "pid %d killed by %s\n", t->pid, sig == SIGBUS ? "SIGBUS" :
			sig == SIGKILL ? "SIGKILL" : "SIGSEGV");
		/* A fatal signal's exit code is its number (init: a panic). */
		if (do_group_exit(t, sig))
			print_panic(s);
	}
	(void)si;
}

static void print_signal(struct sim *s, const struct kmm_siginfo *si)
{
	if (si->signo == SIGKILL)
		fprintf(s->out, "SIGKILL (out of memory)");
	else
		fprintf(s->out, "%s at %#lx (%s)", si->signo == SIGBUS ? "SIGBUS" : "SIGSEGV",
			si->addr, sig_code_name(si));
}

/* PID ADDR LEN for touch and read; NULL after printing what was wrong. */
static struct task_struct *access_args(struct sim *s, char **argv, unsigned long *addr,
				       unsigned long *len, int *bad)
{
	struct task_struct *t = arg_range(s, argv, addr, len, bad);

	if (!t)
		return NULL;
	if (*len > MAX_RW || *addr + *len < *addr) {
		*bad = syntax_error(s, "%s: LEN must be at most 64M and the range must not wrap", argv[0]);
		return NULL;
	}
	return t;
}

int cmd_touch(struct sim *s, int argc, char **argv)
{
	unsigned long addr, len, a;
	struct fault_snap before;
	struct kmm_siginfo si = { 0 };
	struct task_struct *t;
	unsigned int access;
	int bad, sig = 0;

	/* r: a data read, w: a data write, x: an instruction fetch (PF_INSTR:
	 * NX and the execute-only key's PKRU bits are checked as a CPU does). */
	if (!strcmp(argv[4], "r"))
		access = 0;
	else if (!strcmp(argv[4], "w"))
		access = PF_WRITE;
	else if (!strcmp(argv[4], "x"))
		access = PF_INSTR;
	else
		return syntax_error(s, "touch: the access must be r, w or x, got '%s'", argv[4]);
	t = access_args(s, argv, &addr, &len, &bad);
	if (!t)
		return bad;
	before = snap_faults(t);
	/* One byte at the start of each page; a write stores the byte that
	 * is there (an atomic add of 0 would: one write access, no read). */
	for (a = addr & PAGE_MASK; a < addr + len && !sig; a += PAGE_SIZE) {
		phys_addr_t phys;

		sig = user_access(t, a, access, &phys, &si);
	}
	if (sig)
		print_signal(s, &si);
	else
		fprintf(s->out, "ok");
	finish_access(s, t, before, &si, sig);
	return 0;
}

void print_bytes(struct sim *s, const unsigned char *buf, unsigned long len)
{
	unsigned long i;

	if (len > 64)
		fprintf(s->out, "crc32=%08x", crc32_le(0, buf, len));
	else
		for (i = 0; i < len; i++)
			fprintf(s->out, "%s%02x", i ? " " : "", buf[i]);
}

int cmd_read(struct sim *s, int argc, char **argv)
{
	unsigned long addr, len;
	struct fault_snap before;
	struct kmm_siginfo si = { 0 };
	struct task_struct *t;
	unsigned char *buf;
	int bad, sig;

	t = access_args(s, argv, &addr, &len, &bad);
	if (!t)
		return bad;
	buf = malloc(len ? len : 1);
	if (!buf)
		return print_errno(s, -ENOMEM);
	before = snap_faults(t);
	sig = user_copy(t, addr, buf, len, false, &si);
	if (sig)
		print_signal(s, &si);
	else
		print_bytes(s, buf, len);
	free(buf);
	finish_access(s, t, before, &si, sig);
	return 0;
}

unsigned char *arg_data(struct sim *s, const char *arg, unsigned long *len)
{
	unsigned long byte = 0;
	unsigned char *buf;

	if (!strncmp(arg, "fill=", 5)) {
		const char *colon = strchr(arg + 5, ':');
		char word[32];

		if (!colon || (size_t)(colon - arg - 5) >= sizeof(word)) {
			syntax_error(s, "%s: expected fill=0xAB:LEN, got '%s'", s->line, arg);
			return NULL;
		}
		snprintf(word, sizeof(word), "%.*s", (int)(colon - arg - 5), arg + 5);
		if (parse_ulong(word, &byte, false) || byte > 0xff ||
		    parse_ulong(colon + 1, len, true) || *len > MAX_RW) {
			syntax_error(s, "%s: expected fill=BYTE:LEN with BYTE 0..0xff and LEN up to 64M",
				     s->line);
			return NULL;
		}
	} else {
		*len = strlen(arg);
	}
	buf = malloc(*len ? *len : 1);
	if (!buf) {
		print_errno(s, -ENOMEM);
		return NULL;
	}
	if (!strncmp(arg, "fill=", 5))
		memset(buf, (int)byte, *len);
	else
		memcpy(buf, arg, *len);
	return buf;
}

/* write PID ADDR "text" | write PID ADDR fill=0xAB:LEN */
int cmd_write(struct sim *s, int argc, char **argv)
{
	unsigned long addr, len;
	struct fault_snap before;
	struct kmm_siginfo si = { 0 };
	struct task_struct *t;
	unsigned char *buf;
	int bad, sig;

	buf = arg_data(s, argv[3], &len);
	if (!buf)
		return -1;
	t = NULL;
	if (arg_num(s, argv, 2, "ADDR", &addr))
		bad = -1;
	else if (addr + len < addr)
		bad = syntax_error(s, "write: the range wraps");
	else
		t = arg_task(s, argv, &bad);
	if (!t) {
		free(buf);
		return bad;
	}
	before = snap_faults(t);
	sig = user_copy(t, addr, buf, len, true, &si);
	free(buf);
	if (sig)
		print_signal(s, &si);
	else
		fprintf(s->out, "ok");
	finish_access(s, t, before, &si, sig);
	return 0;
}

int cmd_tlbstat(struct sim *s, int argc, char **argv)
{
	static char buf[4096];

	tlbstat_show(s->k, buf, sizeof(buf));
	fputs(buf, s->out);
	return 0;
}
