/*
 * tools/host_access.c - touch, read and write on the host: the loads and
 * stores a program makes, the signal that stops them and, with --faults,
 * the minor (and major) faults they took.
 *
 * touch reads (a volatile load) or writes (an atomic add of 0: one write
 * access that leaves the byte as it was) one byte at the start of each
 * page of the range, in ascending order; read and write copy byte by
 * byte.  A SIGSEGV or SIGBUS is caught with an SA_SIGINFO handler that
 * skips the rest with siglongjmp, as a program with a handler would, and
 * printed as the simulator prints it: `SIGSEGV at 0xPAGE (SEGV_MAPERR)`,
 * `SEGV_ACCERR`, `SEGV_PKUERR` (a protection key forbids the access, as
 * for a PROT_EXEC mapping on a CPU with keys).  siglongjmp does not give
 * back the PKRU register that the kernel reset for the handler (a
 * handler's sigreturn would), so it is saved before and written back.
 *
 * The faults are the difference of getrusage(RUSAGE_SELF) taken just
 * before and just after the accesses, so nothing in between may fault
 * but the accesses: a fork leaves every private page of the executor
 * write-protected and its text unmapped in the child, so before each
 * command the executor writes the stack below it, the buffer and the
 * handler's state, and runs the same code (accesses, a caught signal,
 * the two getrusage calls) on scratch pages of its own until that takes
 * no fault.  The access functions are not instrumented by the
 * sanitizers, whose shadow memory would fault too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cpuid.h>
#include "base/crc32.h"
#include "base/parse.h"
#include "tools/host_int.h"

/* Not inlined (the warm-up must run the very code that measures), not
 * instrumented (a sanitizer's shadow memory would fault). */
#define MEASURED __attribute__((noinline, no_sanitize("address", "undefined")))

#define STACK_PREFAULT	(64 * 1024)	/* below the caller: signal frames */
#define WARMUP_TRIES	4

enum access_kind { TOUCH_READ, TOUCH_WRITE, COPY_IN, COPY_OUT };

struct access {
	enum access_kind kind;
	unsigned long addr;
	unsigned long len;
	unsigned char *buf;	/* COPY_IN: bytes read; COPY_OUT: bytes to write */
};

struct fault_count {
	long minflt;
	long majflt;
	int signo;		/* 0, SIGSEGV or SIGBUS */
	int code;
	unsigned long addr;	/* of the signal */
};

/* The signal the accesses took; written by the handler. */
static struct trap {
	sigjmp_buf env;
	volatile sig_atomic_t armed;
	volatile int signo;
	volatile int code;
	volatile unsigned long addr;
} trap;

/* Pages of the executor's own (outside the window) for the warm-up. */
static unsigned char *scratch;		/* read-write, then PROT_NONE */
/* The bytes of a read or write, mapped once (HOST_MAX_RW). */
static unsigned char *rw_buf;
/* The CPU has protection keys and the kernel uses them (CR4.PKE). */
static bool have_pkru;

MEASURED static unsigned int read_pkru(void)
{
	unsigned int eax, edx;

	if (!have_pkru)
		return 0;
	__asm__ volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

MEASURED static void write_pkru(unsigned int pkru)
{
	if (have_pkru)
		__asm__ volatile(".byte 0x0f, 0x01, 0xef" : : "a"(pkru), "c"(0), "d"(0) : "memory");
}

static bool cpu_has_ospke(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return c & (1u << 4);	/* CPUID.(EAX=7,ECX=0):ECX.OSPKE */
}

MEASURED static void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (!trap.armed) {
		/* The executor's own bug: die of it, as without a handler. */
		signal(sig, SIG_DFL);
		return;
	}
	trap.armed = 0;
	trap.signo = sig;
	trap.code = si->si_code;
	trap.addr = (unsigned long)si->si_addr;
	siglongjmp(trap.env, 1);
}

MEASURED static void accesses(const struct access *a)
{
	unsigned long p, i, end = a->addr + a->len;
	volatile unsigned char *mem = (volatile unsigned char *)a->addr;

	switch (a->kind) {
	case TOUCH_READ:
		for (p = a->addr & ~(HOST_PAGE_SIZE - 1); p < end; p += HOST_PAGE_SIZE)
			(void)*(volatile unsigned char *)p;
		break;
	case TOUCH_WRITE:
		for (p = a->addr & ~(HOST_PAGE_SIZE - 1); p < end; p += HOST_PAGE_SIZE)
			__atomic_fetch_add((unsigned char *)p, 0, __ATOMIC_RELAXED);
		break;
	case COPY_IN:
		for (i = 0; i < a->len; i++)
			a->buf[i] = mem[i];
		break;
	case COPY_OUT:
		for (i = 0; i < a->len; i++)
			mem[i] = a->buf[i];
		break;
	}
}

/* The accesses of a between two getrusage calls, and nothing else. */
MEASURED static void measure(const struct access *a, struct rusage *before,
			     struct rusage *after)
{
	unsigned int pkru = read_pkru();

	syscall(SYS_getrusage, RUSAGE_SELF, before);
	if (!sigsetjmp(trap.env, 1)) {
		trap.armed = 1;
		accesses(a);
		trap.armed = 0;
	} else {
		write_pkru(pkru);
	}
	syscall(SYS_getrusage, RUSAGE_SELF, after);
}

/* Writes the stack the measurement and a signal frame will use. */
MEASURED static void prefault_stack(void)
{
	volatile unsigned char pad[STACK_PREFAULT];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 512)
		pad[i] = 0;
}

/* Runs a measured; its faults and signal in c. */
static void run_measured(const struct access *a, struct fault_count *c)
{
	struct rusage before, after;

	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	memset(&trap, 0, sizeof(trap));
	prefault_stack();
	measure(a, &before, &after);
	c->minflt = after.ru_minflt - before.ru_minflt;
	c->majflt = after.ru_majflt - before.ru_majflt;
	c->signo = trap.signo;
	c->code = trap.code;
	c->addr = trap.addr;
}

/*
 * Runs every path of the measurement on the scratch pages until a whole
 * round takes no fault: after it, the executor's own pages (stack,
 * data, text, the handler's) are in place.  Returns -1 if they never
 * settle.
 */
static int warm_up(void)
{
	unsigned char byte = 0;
	const struct access paths[] = {
		{ TOUCH_READ, (unsigned long)scratch, 1, NULL },
		{ TOUCH_WRITE, (unsigned long)scratch, 1, NULL },
		{ COPY_IN, (unsigned long)scratch, 1, &byte },
		{ COPY_OUT, (unsigned long)scratch, 1, &byte },
		{ TOUCH_READ, (unsigned long)scratch + HOST_PAGE_SIZE, 1, NULL },
	};
	int tries;
	size_t i;

	for (tries = 0; tries < WARMUP_TRIES; tries++) {
		long faults = 0;

		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			struct fault_count c;

			run_measured(&paths[i], &c);
			faults += c.minflt + c.majflt;
		}
		if (!faults)
			return 0;
	}
	return -1;
}

int host_access_init(void)
{
	struct sigaction sa;

	have_pkru = cpu_has_ospke();
	rw_buf = mmap(NULL, HOST_MAX_RW, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (rw_buf == MAP_FAILED)
		return -errno;
	scratch = mmap(NULL, 2 * HOST_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		return -errno;
	if (mprotect(scratch + HOST_PAGE_SIZE, HOST_PAGE_SIZE, PROT_NONE))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return -errno;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The commands                                                        */
/* ------------------------------------------------------------------ */

static const char *sig_code_name(int signo, int code)
{
	static char other[32];

	if (signo == SIGSEGV && code == SEGV_MAPERR)
		return "SEGV_MAPERR";
	if (signo == SIGSEGV && code == SEGV_ACCERR)
		return "SEGV_ACCERR";
	if (signo == SIGSEGV && code == 4)	/* SEGV_PKUERR, not in every libc */
		return "SEGV_PKUERR";
	if (signo == SIGBUS && code == BUS_ADRERR)
		return "BUS_ADRERR";
	if (signo == SIGBUS && code == BUS_OBJERR)
		return "BUS_OBJERR";
	snprintf(other, sizeof(other), "si_code %d", code);
	return other;
}

/* A buffer of len bytes of the executor's own (written before the
 * accesses, so resident): the one mapped at start, since a mapping made
 * now could land in the window (tools/host_plug.c). */
unsigned char *host_rw_buffer(unsigned long len)
{
	return len <= HOST_MAX_RW ? rw_buf : NULL;
}

static unsigned char *buffer(unsigned long len)
{
	return host_rw_buffer(len);
}

static void buffer_free(unsigned char *buf, unsigned long len)
{
}

/*
 * Runs a with its faults counted; prints the signal line if it took one
 * (returns 1) or nothing (returns 0).  -1 if the executor could not
 * make its own pages settle (said on err).
 */
static int do_access(struct host_exec *h, const struct access *a, struct fault_count *c)
{
	if (a->buf)
		memset(a->buf, 0, a->kind == COPY_IN ? a->len : 0);
	if (warm_up()) {
		fprintf(h->err, "kmm-host: %s:%lu: the executor's own pages keep faulting; the counts may be off\n",
			h->source, h->lineno);
	}
	run_measured(a, c);
	if (!c->signo)
		return 0;
	fprintf(h->out, "%s at %#lx (%s)", c->signo == SIGBUS ? "SIGBUS" : "SIGSEGV",
		c->addr & ~(HOST_PAGE_SIZE - 1), sig_code_name(c->signo, c->code));
	return 1;
}

/* The end of a touch/read/write line: the faults with --faults. */
static void finish(struct host_exec *h, const struct fault_count *c)
{
	if (h->show_faults) {
		fprintf(h->out, " minflt=%ld", c->minflt);
		if (c->majflt)
			fprintf(h->out, " majflt=%ld", c->majflt);
	}
	fputc('\n', h->out);
}

/* PID ADDR LEN of touch and read: 0, 1 after printing ESRCH, -1. */
static int access_args(struct host_exec *h, char **argv, unsigned long *addr,
		       unsigned long *len)
{
	int r;

	if (host_parse_num(h, "ADDR", argv[2], addr, true) ||
	    host_parse_num(h, "LEN", argv[3], len, true))
		return -1;
	r = host_parse_pid(h, argv[1]);
	if (r)
		return r;
	if (*len > HOST_MAX_RW || *addr + *len < *addr)
		return host_syntax_error(h, "%s: LEN must be at most 64M and the range must not wrap",
					 argv[0]);
	if (!host_in_window(*addr, *len, ~(u128)0))
		return host_refuse(h, argv[0]);
	return 0;
}

int host_cmd_touch(struct host_exec *h, int argc, char **argv)
{
	struct access a = { 0 };
	struct fault_count c;
	int r;

	/* x (an instruction fetch) is the simulator's only: the host would
	 * have to run whatever bytes the page holds. */
	if (!strcmp(argv[4], "x"))
		return host_syntax_error(h, "touch: the access x (an instruction fetch) is not run on the host");
	if (strcmp(argv[4], "r") && strcmp(argv[4], "w"))
		return host_syntax_error(h, "touch: the access must be r or w, got '%s'", argv[4]);
	r = access_args(h, argv, &a.addr, &a.len);
	if (r)
		return r < 0 ? r : 0;
	a.kind = argv[4][0] == 'w' ? TOUCH_WRITE : TOUCH_READ;
	if (do_access(h, &a, &c) == 0)
		fprintf(h->out, "ok");
	finish(h, &c);
	return 0;
}

int host_cmd_read(struct host_exec *h, int argc, char **argv)
{
	struct access a = { .kind = COPY_IN };
	struct fault_count c;
	unsigned long i;
	int r;

	r = access_args(h, argv, &a.addr, &a.len);
	if (r)
		return r < 0 ? r : 0;
	a.buf = buffer(a.len);
	if (!a.buf) {
		host_print_errno(h, ENOMEM);
		return 0;
	}
	if (do_access(h, &a, &c) == 0) {
		if (a.len > 64)
			fprintf(h->out, "crc32=%08x", crc32_le(0, a.buf, a.len));
		else
			for (i = 0; i < a.len; i++)
				fprintf(h->out, "%s%02x", i ? " " : "", a.buf[i]);
	}
	buffer_free(a.buf, a.len);
	finish(h, &c);
	return 0;
}

int host_parse_fill(const char *arg, unsigned long *byte, unsigned long *len)
{
	char word[64];
	char *colon;

	if (strlen(arg) >= sizeof(word))
		return -1;
	strcpy(word, arg + 5);
	colon = strchr(word, ':');
	if (!colon)
		return -1;
	*colon = 0;
	if (parse_ulong(word, byte, false) || *byte > 0xff ||
	    parse_ulong(colon + 1, len, true) || *len > HOST_MAX_RW)
		return -1;
	return 0;
}

/* write PID ADDR "text" | write PID ADDR fill=0xAB:LEN */
int host_cmd_write(struct host_exec *h, int argc, char **argv)
{
	struct access a = { .kind = COPY_OUT };
	bool fill = !strncmp(argv[3], "fill=", 5);
	unsigned long byte = 0;
	struct fault_count c;
	int r;

	if (fill && host_parse_fill(argv[3], &byte, &a.len))
		return host_syntax_error(h, "write: expected fill=BYTE:LEN with BYTE 0..0xff and LEN up to 64M");
	if (!fill)
		a.len = strlen(argv[3]);
	if (host_parse_num(h, "ADDR", argv[2], &a.addr, true))
		return -1;
	if (a.addr + a.len < a.addr)
		return host_syntax_error(h, "write: the range wraps");
	r = host_parse_pid(h, argv[1]);
	if (r)
		return r < 0 ? r : 0;
	if (!host_in_window(a.addr, a.len, ~(u128)0))
		return host_refuse(h, "write");
	a.buf = buffer(a.len);
	if (!a.buf) {
		host_print_errno(h, ENOMEM);
		return 0;
	}
	if (fill)
		memset(a.buf, (int)byte, a.len);
	else
		memcpy(a.buf, argv[3], a.len);
	if (do_access(h, &a, &c) == 0)
		fprintf(h->out, "ok");
	buffer_free(a.buf, a.len);
	finish(h, &c);
	return 0;
}
