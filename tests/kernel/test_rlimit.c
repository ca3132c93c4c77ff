/*
 * tests/kernel/test_rlimit.c - RLIMIT_AS and RLIMIT_DATA (Linux's
 * may_expand_vm and check_data_rlimit, mm/mmap.c) in mmap, mprotect,
 * mremap and brk.
 *
 * Against the host: a forked child reads its own VmSize / VmData, sets
 * the limit a few pages above it, and runs a fixed script of calls; a kmm
 * process does the same relative to its own total_vm / data_vm.  The
 * errno of every call must match.  The child makes only raw system calls
 * between reading its sizes and the last call (no malloc, nothing the
 * sanitizers' runtimes intercept), so its address space moves only by
 * the script's own calls.
 *
 * brk is checked against Linux's rules as written in mm/mmap.c, not
 * against the host: its limit mixes the heap's and the data segment's
 * bytes (check_data_rlimit) with data_vm (may_expand_vm), and a host
 * process's heap and data_vm belong to libc and the sanitizers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "tests/harness.h"
#include "tests/host_features.h"
#include "tests/kmm_test.h"

#define PG	4096ul
#define NR_OPS	16

/* One call of a script, at an address relative to the script's areas. */
enum op_kind { MMAP, MMAP_FIXED, MUNMAP, MPROTECT, MREMAP };

struct op {
	enum op_kind kind;
	int area;		/* MMAP: where to keep the address; else: which area */
	unsigned long off;	/* pages into that area */
	unsigned long pages;
	unsigned long prot;
	unsigned long flags;	/* MAP_* (MMAP*), MREMAP_* (MREMAP) */
	unsigned long new_pages;	/* MREMAP */
};

struct script {
	const char *name;
	int resource;		/* RLIMIT_AS or RLIMIT_DATA */
	unsigned long slack;	/* pages of limit above the current size */
	unsigned long reserve_prot;	/* area 0: 48 pages mapped before measuring */
	struct op ops[NR_OPS];
	int nr;
};

#define RW	(PROT_READ | PROT_WRITE)
#define PRIV	(MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED	(MAP_SHARED | MAP_ANONYMOUS)
#define RESERVE	48

/* Area 0 is the reservation, where MAP_FIXED calls land; the others
 * are placed by the kernel. */
static const struct script as_script = {
	"RLIMIT_AS", RLIMIT_AS, 16, PROT_NONE, {
		{ MMAP, 1, 0, 16, RW, PRIV, 0 },		/* exactly fits */
		{ MMAP, 2, 0, 1, PROT_READ, PRIV, 0 },		/* one page over */
		{ MMAP, 2, 0, 1, PROT_NONE, SHARED, 0 },	/* any kind counts */
		{ MMAP_FIXED, 0, 0, 32, RW, PRIV, 0 },		/* over mapped pages: fits */
		{ MUNMAP, 0, 32, 8, 0, 0, 0 },			/* 8 pages of room */
		{ MMAP_FIXED, 0, 28, 13, RW, PRIV, 0 },		/* 8 new of 13: fits */
		{ MMAP, 2, 0, 1, PROT_READ, PRIV, 0 },		/* full again */
		{ MREMAP, 1, 0, 16, 0, MREMAP_MAYMOVE, 17 },	/* one more: no */
		{ MUNMAP, 1, 12, 4, 0, 0, 0 },
		{ MREMAP, 1, 0, 12, 0, MREMAP_MAYMOVE, 16 },	/* 4 more: fits */
		{ MUNMAP, 1, 0, 1, 0, 0, 0 },
		{ MMAP, 2, 0, 1, PROT_READ, PRIV, 0 },		/* the freed page */
		{ MMAP, 3, 0, 1, PROT_READ, PRIV, 0 },		/* and no more */
	}, 13,
};

static const struct script data_script = {
	"RLIMIT_DATA", RLIMIT_DATA, 16, PROT_READ, {
		{ MMAP, 1, 0, 16, RW, PRIV, 0 },		/* exactly fits */
		{ MMAP, 2, 0, 1, RW, PRIV, 0 },			/* one page over */
		{ MMAP, 2, 0, 64, PROT_READ, PRIV, 0 },		/* read-only: not data */
		{ MMAP, 3, 0, 64, RW, SHARED, 0 },		/* shared: not data */
		{ MMAP, 4, 0, 4, RW, PRIV | MAP_GROWSDOWN, 0 },	/* stack: not data */
		{ MPROTECT, 2, 0, 1, RW, 0, 0 },		/* would become data */
		{ MPROTECT, 3, 0, 64, PROT_READ, 0, 0 },	/* shared: fine */
		{ MUNMAP, 1, 15, 1, 0, 0, 0 },
		{ MPROTECT, 2, 0, 1, RW, 0, 0 },		/* now fits */
		{ MREMAP, 1, 0, 15, 0, MREMAP_MAYMOVE, 16 },	/* full: no */
		{ MMAP_FIXED, 1, 0, 15, RW, PRIV, 0 },		/* over itself: fits */
		/* Over a mapped page: Linux counts the overlap whatever its kind,
		 * so a read-only page becoming data fits (data_vm passes the limit). */
		{ MMAP_FIXED, 0, 0, 1, RW, PRIV, 0 },
		{ MREMAP, 2, 1, 63, 0, MREMAP_MAYMOVE, 32 },	/* shrinking: always */
	}, 13,
};

/* The kB figure of label in /proc/self/status, with raw calls only. */
static long host_status_kb(const char *label)
{
	char buf[8192], *p;
	long fd = syscall(SYS_open, "/proc/self/status", O_RDONLY), n, total = 0;

	if (fd < 0)
		return -1;
	while (total < (long)sizeof(buf) - 1 &&
	       (n = syscall(SYS_read, fd, buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
		total += n;
	syscall(SYS_close, fd);
	buf[total] = 0;
	p = strstr(buf, label);
	if (!p)
		return -1;
	p += strlen(label) + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	for (n = 0; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (*p - '0');
	return n;
}

/* Runs s with raw calls; ret[i] is 0 or -errno. */
static void host_run(const struct script *s, unsigned long reserve, long *ret)
{
	unsigned long area[5] = { reserve };
	int i;

	for (i = 0; i < s->nr; i++) {
		const struct op *o = &s->ops[i];
		unsigned long at = area[o->area] + o->off * PG;
		long r = 0;

		switch (o->kind) {
		case MMAP:
			r = syscall(SYS_mmap, 0, o->pages * PG, o->prot, o->flags, -1, 0);
			if (r != -1)
				area[o->area] = (unsigned long)r;
			break;
		case MMAP_FIXED:
			r = syscall(SYS_mmap, at, o->pages * PG, o->prot, o->flags | MAP_FIXED, -1, 0);
			break;
		case MUNMAP:
			r = syscall(SYS_munmap, at, o->pages * PG);
			break;
		case MPROTECT:
			r = syscall(SYS_mprotect, at, o->pages * PG, o->prot);
			break;
		case MREMAP:
			r = syscall(SYS_mremap, at, o->pages * PG, o->new_pages * PG, o->flags, 0);
			if (r != -1)
				area[o->area] = (unsigned long)r;
			break;
		}
		ret[i] = r == -1 ? -errno : 0;
	}
}

/*
 * The host child's results, through a pipe.  0, or 1 with reason set
 * when the host cannot run the script (limit not settable).
 */
static int host_results(const struct script *s, long *ret, char *reason, size_t len)
{
	int fds[2], st;
	pid_t pid;
	long n;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		long reserve = syscall(SYS_mmap, 0, RESERVE * PG, s->reserve_prot, PRIV, -1, 0);
		long kb = host_status_kb(s->resource == RLIMIT_AS ? "VmSize:" : "VmData:");
		struct rlimit rl;
		long out[NR_OPS + 1] = { 0 };

		if (reserve == -1 || kb < 0 || getrlimit(s->resource, &rl)) {
			out[NR_OPS] = 1;
		} else {
			rl.rlim_cur = (unsigned long)kb * 1024 + s->slack * PG;
			if (rl.rlim_cur > rl.rlim_max || setrlimit(s->resource, &rl))
				out[NR_OPS] = 2;
			else
				host_run(s, (unsigned long)reserve, out);
		}
		if (write(fds[1], out, sizeof(out)) != (ssize_t)sizeof(out))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	{
		long in[NR_OPS + 1];

		n = read(fds[0], in, sizeof(in));
		close(fds[0]);
		waitpid(pid, &st, 0);
		if (n != (long)sizeof(in))
			return -1;
		if (in[NR_OPS]) {
			snprintf(reason, len, "%s", in[NR_OPS] == 1 ? "cannot read the host child's sizes" :
				 "the host's hard limit is below the test's soft limit");
			return 1;
		}
		memcpy(ret, in, sizeof(long) * NR_OPS);
	}
	return 0;
}

/* The same script in a kmm process, limit set the same way. */
static void kmm_run(struct mm_struct *mm, const struct script *s, long *ret)
{
	unsigned long area[5] = { 0 };
	int i;

	area[0] = (unsigned long)do_mmap(mm, 0, RESERVE * PG, s->reserve_prot, PRIV);
	if (s->resource == RLIMIT_AS)
		mm->rlim_as = (mm->total_vm + s->slack) * PG;
	else
		mm->rlim_data = (mm->data_vm + s->slack) * PG;
	for (i = 0; i < s->nr; i++) {
		const struct op *o = &s->ops[i];
		unsigned long at = area[o->area] + o->off * PG;
		long r = 0;

		switch (o->kind) {
		case MMAP:
			r = do_mmap(mm, 0, o->pages * PG, o->prot, o->flags);
			if (r >= 0)
				area[o->area] = (unsigned long)r;
			break;
		case MMAP_FIXED:
			r = do_mmap(mm, at, o->pages * PG, o->prot, o->flags | MAP_FIXED);
			break;
		case MUNMAP:
			r = do_munmap(mm, at, o->pages * PG);
			break;
		case MPROTECT:
			r = do_mprotect(mm, at, o->pages * PG, o->prot);
			break;
		case MREMAP:
			r = do_mremap(mm, at, o->pages * PG, o->new_pages * PG, o->flags, 0);
			if (r >= 0)
				area[o->area] = (unsigned long)r;
			break;
		}
		ret[i] = r < 0 ? r : 0;
	}
}

/* What Linux says for each call of the scripts (mm/mmap.c's rules). */
static const long as_expected[] = {
	0, -ENOMEM, -ENOMEM, 0, 0, 0, -ENOMEM, -ENOMEM, 0, 0, 0, 0, -ENOMEM,
};
static const long data_expected[] = {
	0, -ENOMEM, 0, 0, 0, -ENOMEM, 0, 0, 0, -ENOMEM, 0, 0, 0,
};

/* A machine with the host's features (pku=), as the host child has. */
static struct kmm *boot_like_host(void)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct host_features hf;

	host_features_read(&hf);
	host_features_config(&hf, &cfg);
	return kmm_boot(&cfg);
}

static void check_script(const struct script *s, const long *expected)
{
	struct kmm *k = boot_like_host();
	struct task_struct *t;
	long host[NR_OPS], kmm[NR_OPS];
	char reason[128];
	int err, i, r;

	ASSERT_NOT_NULL(k);
	t = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(t);
	kmm_run(t->mm, s, kmm);
	for (i = 0; i < s->nr; i++)
		if (kmm[i] != expected[i])
			TEST_FAIL_("%s call %d: kmm %ld, Linux's rules say %ld", s->name, i,
				   kmm[i], expected[i]);
	{
		const char *why;

		ASSERT_EQ(validate_mm(t->mm, &why), 0);
	}
	do_exit(t);
	kmm_shutdown(k);

	r = host_results(s, host, reason, sizeof(reason));
	if (r == 1) {
		printf("SKIP host comparison: %s\n", reason);
		return;
	}
	ASSERT_EQ(r, 0);
	for (i = 0; i < s->nr; i++)
		if (host[i] != kmm[i])
			TEST_FAIL_("%s call %d: host %ld, kmm %ld", s->name, i, host[i], kmm[i]);
}

TEST(rlimit_as_as_host)
{
	check_script(&as_script, as_expected);
}

TEST(rlimit_data_as_host)
{
	check_script(&data_script, data_expected);
}

/*
 * sys_brk under RLIMIT_DATA: the new break is refused when the heap's
 * bytes plus the data segment's exceed the limit (check_data_rlimit), or
 * when the heap's new pages would take data_vm past it (may_expand_vm in
 * do_brk_flags).  A refused brk returns the old break.
 */
TEST(brk_refused_past_rlimit_data)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k = kmm_boot(&cfg);
	unsigned long limits[] = { 0, PG, 7 * PG + 100, 12 * PG, 12 * PG + 3000, 40 * PG };
	unsigned long grow, i, variant;
	int err, allowed = 0, by_bytes = 0, by_pages = 0;

	ASSERT_NOT_NULL(k);
	for (i = 0; i < ARRAY_SIZE(limits) * 2; i++) {
		for (grow = 0; grow <= 40 * PG; grow += PG / 4 + 1) {
			struct task_struct *t = kernel_spawn(i % 2 ? "cat" : "sh", &err);
			struct mm_struct *mm;
			unsigned long old, want, data_bytes, ret;
			bool bytes_ok, pages_ok, ok;

			ASSERT_NOT_NULL(t);
			mm = t->mm;
			/* Half the runs make every data area read-only first:
			 * data_vm 0, so the byte rule is the stricter one. */
			variant = i / ARRAY_SIZE(limits);
			for (struct vm_area_struct *v = mm->mmap; variant && v; v = v->vm_next)
				if ((v->vm_flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE)
					ASSERT_EQ(do_mprotect(mm, v->vm_start, v->vm_end - v->vm_start,
							      PROT_READ), 0);
			ASSERT_EQ(mm->data_vm, variant ? 0 : mm->data_vm);
			old = mm->brk;
			want = old + grow;
			mm->rlim_data = limits[i % ARRAY_SIZE(limits)];
			data_bytes = mm->end_data - mm->start_data;
			bytes_ok = (want - mm->start_brk) + data_bytes <= mm->rlim_data;
			pages_ok = mm->data_vm + (PAGE_ALIGN(want) - PAGE_ALIGN(old)) / PG <=
				   mm->rlim_data / PG;
			ok = bytes_ok && pages_ok;
			ret = sys_brk(mm, want);
			if (ret != (ok ? want : old))
				TEST_FAIL_("limit %lu, data_vm %lu, brk +%lu: got %#lx, want %#lx",
					   mm->rlim_data, mm->data_vm, grow, ret, ok ? want : old);
			allowed += ok;
			by_bytes += !bytes_ok && pages_ok;
			by_pages += bytes_ok && !pages_ok;
			/* Read-only and shared mappings are never data. */
			ASSERT_TRUE(do_mmap(mm, 0, 64 * PG, PROT_READ, PRIV) > 0);
			ASSERT_TRUE(do_mmap(mm, 0, 64 * PG, RW, SHARED) > 0);
			ASSERT_EQ(do_mmap(mm, 0, (mm->rlim_data / PG + 1) * PG, RW, PRIV), -ENOMEM);
			do_exit(t);
		}
	}
	/* Calls were allowed, and each rule alone refused some. */
	ASSERT_TRUE(allowed > 20);
	ASSERT_TRUE(by_bytes > 0);
	ASSERT_TRUE(by_pages > 0);
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
	kmm_shutdown(k);
}

/* Lifting the limit (unlimited, or raised) lets the same calls through. */
TEST(rlimit_as_counts_every_kind_and_lifts)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k = kmm_boot(&cfg);
	struct task_struct *t;
	unsigned long total;
	int err;

	ASSERT_NOT_NULL(k);
	t = kernel_spawn("sh", &err);
	ASSERT_NOT_NULL(t);
	total = t->mm->total_vm;
	t->mm->rlim_as = total * PG;
	ASSERT_EQ(do_mmap(t->mm, 0, PG, PROT_READ, PRIV), -ENOMEM);
	ASSERT_EQ(do_mmap(t->mm, 0, PG, PROT_NONE, PRIV | MAP_NORESERVE), -ENOMEM);
	ASSERT_EQ(sys_brk(t->mm, t->mm->brk + PG), t->mm->brk);
	ASSERT_EQ(t->mm->total_vm, total);
	/* mmap of nothing new and mprotect never grow total_vm. */
	ASSERT_EQ(do_mprotect(t->mm, t->mm->start_code & PAGE_MASK, PG, PROT_READ), 0);
	t->mm->rlim_as = ~0ul;
	ASSERT_TRUE(do_mmap(t->mm, 0, 1ul << 30, PROT_READ, PRIV | MAP_NORESERVE) > 0);
	ASSERT_EQ(t->mm->total_vm, total + (1ul << 30) / PG);
	do_exit(t);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(rlimit_as_as_host);
	RUN_TEST(rlimit_data_as_host);
	RUN_TEST(brk_refused_past_rlimit_data);
	RUN_TEST(rlimit_as_counts_every_kind_and_lifts);
	return harness_summary();
}
