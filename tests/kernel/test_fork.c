/*
 * tests/kernel/test_fork.c - fork, exit and what they do to memory
 * (kernel/fork.c, kernel/exit.c, mm/shmem.c), by Linux's dup_mmap rules:
 *
 *   - the child has every VMA of the parent, names and inodes included,
 *     except MADV_DONTFORK ones;
 *   - locks are not inherited: VM_LOCKED areas are plain in the child,
 *     VmLck is 0, and mlockall(MCL_FUTURE) does not carry over;
 *   - Committed_AS rises by the child's accounted (VM_ACCOUNT) pages and
 *     falls back exactly when it exits; a shared anonymous object is one
 *     object in both and is charged once, until its last mapping goes;
 *   - many processes with random mappings, forked and exited, give back
 *     every slab object and every page; validate_mm holds for every mm
 *     after every step;
 *   - a parent's exit leaves its child running, adopted by init (PPid
 *     1), as Linux does; with init torn down too, by nobody (PPid 0);
 *   - init itself may not exit: do_group_exit panics the machine with
 *     Linux's "Attempted to kill init! exitcode=0x%08x".
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/slab.h"
#include "mm/vma.h"
#include "arch/x86/mm/fault.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG 4096ul

static struct kmm *boot(void)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

static char *proc(int pid, const char *file)
{
	static char bufs[4][65536];
	static int next;
	char path[64];
	char *buf = bufs[next++ % 4];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	if (kmm_proc_read(path, buf, sizeof(bufs[0])) < 0)
		return NULL;
	return buf;
}

/* The kB figure of a /proc/PID/status line, or -1. */
static long status_kb(int pid, const char *label)
{
	const char *s = proc(pid, "status"), *p;
	long kb;

	if (!s || !(p = strstr(s, label)) || sscanf(p + strlen(label), ":\t%ld kB", &kb) != 1)
		return -1;
	return kb;
}

/* The maps line starting at addr, or NULL. */
static const char *maps_line(const char *maps, unsigned long addr, char *line, size_t size)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "%08lx-", addr);
	for (p = maps; *p; p += strcspn(p, "\n") + 1)
		if (!strncmp(p, key, strlen(key))) {
			snprintf(line, size, "%.*s", (int)strcspn(p, "\n"), p);
			return line;
		}
	return NULL;
}

/* maps without the line of the VMA at addr. */
static void drop_line(const char *maps, unsigned long addr, char *out, size_t size)
{
	char line[512];
	const char *p = maps_line(maps, addr, line, sizeof(line)) ? strstr(maps, line) : NULL;

	if (!p) {
		snprintf(out, size, "%s", maps);
		return;
	}
	snprintf(out, size, "%.*s%s", (int)(p - maps), maps, p + strlen(line) + 1);
}

static long accounted_pages(struct mm_struct *mm)
{
	long n = 0;

	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		if (v->vm_flags & VM_ACCOUNT)
			n += (long)((v->vm_end - v->vm_start) >> PAGE_SHIFT);
	return n;
}

/*
 * What Committed_AS must be: every task's VM_ACCOUNT pages, plus each
 * shmem object's charge once however many VMAs map it.
 */
static long expected_committed(void)
{
	struct inode *seen[1024];
	int nseen = 0, pid = 0, i;
	struct task_struct *t;
	long n = 0;

	while ((t = next_task(pid))) {
		pid = t->pid;
		n += accounted_pages(t->mm);
		for (struct vm_area_struct *v = t->mm->mmap; v; v = v->vm_next) {
			struct inode *inode = v->vm_file ? v->vm_file->f_inode : NULL;

			if (!inode || !inode->i_shmem)
				continue;
			for (i = 0; i < nseen && seen[i] != inode; i++)
				;
			if (i == nseen && nseen < 1024) {
				seen[nseen++] = inode;
				n += (long)inode->i_acct_pages;
			}
		}
	}
	return n;
}

/* validate_mm on every task's mm; NULL or what is wrong. */
static const char *validate_all(int *bad_pid)
{
	struct task_struct *t;
	const char *why = NULL;
	int pid = 0;

	while ((t = next_task(pid))) {
		pid = t->pid;
		if (validate_mm(t->mm, &why)) {
			*bad_pid = pid;
			return why ? why : "validate_mm";
		}
	}
	return NULL;
}

#define ASSERT_VALID()                                                        \
	do {                                                                  \
		int bad_pid_ = 0;                                             \
		const char *why_ = validate_all(&bad_pid_);                   \
		if (why_)                                                     \
			TEST_FAIL_("pid %d: %s", bad_pid_, why_);             \
	} while (0)

static long mmap_file(struct mm_struct *mm, const char *path, unsigned long len,
		      unsigned long prot, unsigned long flags, unsigned long pgoff)
{
	int err;
	struct file *f = filp_open_rootfs(path, &err);
	long r;

	if (!f)
		return err;
	r = do_mmap_pgoff(mm, f, 0, len, prot, flags, pgoff);
	fput(f);
	return r;
}

TEST(fork_copies_every_vma_but_dontfork)
{
	static char parent[65536], child[65536], want[65536];
	struct kmm *k = boot();
	struct task_struct *p, *c;
	long a, sh, f, d;
	char line[512];
	int err;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	a = do_mmap(p->mm, 0, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	sh = do_mmap(p->mm, 0, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
	f = mmap_file(p->mm, "/usr/bin/cat", 3 * PG, PROT_READ, MAP_PRIVATE, 2);
	d = do_mmap(p->mm, 0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0 && sh > 0 && f > 0 && d > 0);
	ASSERT_EQ(do_mprotect(p->mm, (unsigned long)a + 4 * PG, 4 * PG, PROT_READ), 0);
	ASSERT_NE(sys_brk(p->mm, p->mm->brk + 5 * PG + 123), p->mm->start_brk);
	ASSERT_EQ(do_madvise(p->mm, (unsigned long)d, 4 * PG, MADV_DONTFORK), 0);
	snprintf(parent, sizeof(parent), "%s", proc(p->pid, "maps"));
	ASSERT_NOT_NULL(maps_line(parent, (unsigned long)sh, line, sizeof(line)));
	ASSERT_CONTAINS(line, " 00:01 ");
	ASSERT_CONTAINS(line, "/dev/zero (deleted)");
	ASSERT_CONTAINS(parent, "[heap]");

	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_VALID();
	snprintf(child, sizeof(child), "%s", proc(c->pid, "maps"));
	drop_line(parent, (unsigned long)d, want, sizeof(want));
	ASSERT_TRUE(strcmp(want, parent) != 0);		/* the DONTFORK line was there */
	ASSERT_STR_EQ(child, want);
	/* The parent is unchanged by the fork. */
	ASSERT_STR_EQ(proc(p->pid, "maps"), parent);
	/* The DONTFORK area is not in the child's sizes either. */
	ASSERT_EQ(status_kb(c->pid, "VmSize"), status_kb(p->pid, "VmSize") - 16);
	ASSERT_EQ(status_kb(c->pid, "VmData"), status_kb(p->pid, "VmData") - 16);
	ASSERT_EQ(status_kb(c->pid, "VmExe"), status_kb(p->pid, "VmExe"));
	ASSERT_EQ(status_kb(c->pid, "VmLib"), status_kb(p->pid, "VmLib"));
	ASSERT_EQ(status_kb(c->pid, "VmStk"), status_kb(p->pid, "VmStk"));
	ASSERT_EQ(c->mm->brk, p->mm->brk);
	ASSERT_EQ(c->mm->start_brk, p->mm->start_brk);
	/* The child's own calls do not touch the parent. */
	ASSERT_EQ(do_munmap(c->mm, (unsigned long)a, 16 * PG), 0);
	ASSERT_STR_EQ(proc(p->pid, "maps"), parent);
	do_exit(c);
	do_exit(p);
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

/* The VmFlags line of the smaps entry at addr contains flag. */
static int smaps_has_flag(int pid, unsigned long addr, const char *flag)
{
	const char *s = proc(pid, "smaps"), *p, *vmflags;
	char key[32];

	snprintf(key, sizeof(key), "%08lx-", addr);
	if (!s || !(p = strstr(s, key)) || !(vmflags = strstr(p, "VmFlags:")))
		return -1;
	return memmem(vmflags, strcspn(vmflags, "\n"), flag, strlen(flag)) != NULL;
}

TEST(locks_are_not_inherited)
{
	static char parent[65536];
	struct kmm *k = boot();
	struct task_struct *p, *c, *c2;
	long a, b, c2b;
	int err;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("sh", &err);
	ASSERT_NOT_NULL(p);
	a = do_mmap(p->mm, 0, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0);
	ASSERT_EQ(do_mlock(p->mm, (unsigned long)a + 2 * PG, 3 * PG, VM_LOCKED), 0);
	ASSERT_EQ(status_kb(p->pid, "VmLck"), 12);
	ASSERT_EQ(smaps_has_flag(p->pid, (unsigned long)a + 2 * PG, " lo "), 1);
	snprintf(parent, sizeof(parent), "%s", proc(p->pid, "maps"));

	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_VALID();
	ASSERT_EQ(status_kb(c->pid, "VmLck"), 0);
	ASSERT_EQ(status_kb(p->pid, "VmLck"), 12);
	/* The split the lock made stays; only the flag is gone. */
	ASSERT_STR_EQ(proc(c->pid, "maps"), parent);
	ASSERT_EQ(smaps_has_flag(c->pid, (unsigned long)a + 2 * PG, " lo "), 0);
	ASSERT_EQ(smaps_has_flag(p->pid, (unsigned long)a + 2 * PG, " lo "), 1);

	/* MCL_FUTURE: the parent's new mappings are locked, not the child's. */
	ASSERT_EQ(do_mlockall(p->mm, MCL_FUTURE), 0);
	c2 = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c2);
	c2b = do_mmap(c2->mm, 0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(c2b > 0);
	ASSERT_EQ(status_kb(c2->pid, "VmLck"), 0);
	ASSERT_EQ(smaps_has_flag(c2->pid, (unsigned long)c2b, " lo "), 0);
	b = do_mmap(p->mm, 0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(b > 0);
	ASSERT_EQ(status_kb(p->pid, "VmLck"), 12 + 16);
	ASSERT_EQ(smaps_has_flag(p->pid, (unsigned long)b, " lo "), 1);
	/* And the child's brk growth is not locked either. */
	ASSERT_NE(sys_brk(c2->mm, c2->mm->brk + 2 * PG), c2->mm->start_brk);
	ASSERT_EQ(status_kb(c2->pid, "VmLck"), 0);
	/* mlock2(MLOCK_ONFAULT): the flags in Linux's bit order, as a host
	 * shows them ("rd wr mr mw me lo lf ac"). */
	ASSERT_EQ(do_mlock2(c2->mm, (unsigned long)c2b, PG, MLOCK_ONFAULT), 0);
	ASSERT_EQ(smaps_has_flag(c2->pid, (unsigned long)c2b, " me lo lf ac "), 1);
	ASSERT_VALID();
	do_exit(p);
	do_exit(c);
	do_exit(c2);
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
	kmm_shutdown(k);
}

static long meminfo_committed_kb(void)
{
	static char buf[16384];
	const char *p;
	long kb;

	if (kmm_proc_read("/proc/meminfo", buf, sizeof(buf)) < 0 ||
	    !(p = strstr(buf, "Committed_AS:")) || sscanf(p, "Committed_AS: %ld kB", &kb) != 1)
		return -1;
	return kb;
}

TEST(committed_as_follows_fork_and_exit)
{
	struct kmm *k = boot();
	struct task_struct *p, *c;
	long a, c0, parent_acct;
	int err;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	a = do_mmap(p->mm, 0, 100 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0);
	ASSERT_TRUE(do_mmap(p->mm, 0, 50 * PG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE) > 0);
	ASSERT_TRUE(do_mmap(p->mm, 0, 30 * PG, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS) > 0);
	ASSERT_TRUE(do_mmap(p->mm, 0, 7 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	ASSERT_NE(sys_brk(p->mm, p->mm->brk + 10 * PG), p->mm->start_brk);
	ASSERT_EQ(do_madvise(p->mm, (unsigned long)a + 40 * PG, 20 * PG, MADV_DONTFORK), 0);
	c0 = k->mem->vm_committed_as;
	parent_acct = accounted_pages(p->mm);
	ASSERT_EQ(c0, parent_acct + 30);		/* the shmem object once */
	ASSERT_EQ(meminfo_committed_kb(), c0 * 4);

	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(accounted_pages(c->mm), parent_acct - 20);
	ASSERT_EQ(k->mem->vm_committed_as, c0 + parent_acct - 20);
	ASSERT_EQ(meminfo_committed_kb(), (c0 + parent_acct - 20) * 4);
	ASSERT_EQ(k->mem->vm_committed_as, expected_committed());
	do_exit(c);
	ASSERT_EQ(k->mem->vm_committed_as, c0);
	ASSERT_EQ(meminfo_committed_kb(), c0 * 4);

	/* A fork refused for want of memory leaves nothing charged (the
	 * reserves set to 0 so that the limit is simply CommitLimit). */
	k->mem->sysctl_overcommit_memory = OVERCOMMIT_NEVER;
	k->mem->sysctl_admin_reserve_kbytes = k->mem->sysctl_user_reserve_kbytes = 0;
	{
		long limit = (long)vm_commit_limit(k);

		ASSERT_TRUE(limit > c0 + parent_acct);
		ASSERT_TRUE(do_mmap(p->mm, 0, (unsigned long)(limit - c0 - parent_acct / 2) * PG,
				    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
		c0 = k->mem->vm_committed_as;
		c = kernel_fork(p, &err);
		ASSERT_NULL(c);
		ASSERT_EQ(err, -ENOMEM);
		ASSERT_EQ(k->mem->vm_committed_as, c0);
		ASSERT_EQ(next_task(p->pid), NULL);
	}
	k->mem->sysctl_overcommit_memory = OVERCOMMIT_GUESS;
	ASSERT_VALID();
	do_exit(p);
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
	kmm_shutdown(k);
}

static unsigned long shmem_ino(int pid, unsigned long addr)
{
	char line[512];
	unsigned long ino = 0;
	unsigned int maj, min;
	const char *maps = proc(pid, "maps");

	if (maps && maps_line(maps, addr, line, sizeof(line)))
		sscanf(line, "%*s %*s %*s %x:%x %lu", &maj, &min, &ino);
	return ino;
}

TEST(shared_anon_is_one_object_charged_until_last_unmap)
{
	struct kmm *k = boot();
	struct task_struct *p, *c;
	long sh, sh2, c1;
	unsigned long ino;
	int err;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	sh = do_mmap(p->mm, 0, 30 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
	sh2 = do_mmap(p->mm, 0, 30 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
	ASSERT_TRUE(sh > 0 && sh2 > 0);
	ino = shmem_ino(p->pid, (unsigned long)sh);
	ASSERT_NE(ino, 0);
	ASSERT_NE(ino, shmem_ino(p->pid, (unsigned long)sh2));	/* one object per mmap */
	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(shmem_ino(c->pid, (unsigned long)sh), ino);
	ASSERT_EQ(c->mm->mmap != NULL, 1);
	c1 = k->mem->vm_committed_as;
	ASSERT_EQ(c1, expected_committed());
	ASSERT_EQ(c1, accounted_pages(p->mm) + accounted_pages(c->mm) + 60);

	/* Parent unmaps: the child still maps the object, nothing given back. */
	ASSERT_EQ(do_munmap(p->mm, (unsigned long)sh, 30 * PG), 0);
	ASSERT_EQ(k->mem->vm_committed_as, c1);
	/* The child splits and unmaps part of it: still there. */
	ASSERT_EQ(do_munmap(c->mm, (unsigned long)sh + 10 * PG, 10 * PG), 0);
	ASSERT_EQ(k->mem->vm_committed_as, c1);
	ASSERT_EQ(shmem_ino(c->pid, (unsigned long)sh + 20 * PG), ino);
	ASSERT_EQ(do_munmap(c->mm, (unsigned long)sh, 10 * PG), 0);
	ASSERT_EQ(k->mem->vm_committed_as, c1);
	/* The last piece goes: the whole object's charge with it. */
	ASSERT_EQ(do_munmap(c->mm, (unsigned long)sh + 20 * PG, 10 * PG), 0);
	ASSERT_EQ(k->mem->vm_committed_as, c1 - 30);

	/* The other object: the parent exits first, the child keeps it. */
	do_exit(p);
	ASSERT_EQ(k->mem->vm_committed_as, accounted_pages(c->mm) + 30);
	ASSERT_EQ(k->mem->vm_committed_as, expected_committed());
	do_exit(c);
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
	kmm_shutdown(k);
}

TEST(parent_exit_leaves_child)
{
	struct kmm *k = boot();
	struct task_struct *p, *c, *g;
	char maps[65536];
	int err, cpid;

	ASSERT_NOT_NULL(k);
	p = kernel_spawn("sh", &err);
	ASSERT_NOT_NULL(p);
	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	g = kernel_fork(c, &err);
	ASSERT_NOT_NULL(g);
	cpid = c->pid;
	ASSERT_CONTAINS(proc(g->pid, "status"), "\nPPid:\t2\n");
	snprintf(maps, sizeof(maps), "%s", proc(g->pid, "maps"));
	do_exit(c);
	ASSERT_NULL(find_task_by_vpid(cpid));
	ASSERT_NULL(proc(cpid, "maps"));
	ASSERT_EQ(find_task_by_vpid(g->pid), g);
	ASSERT_CONTAINS(proc(g->pid, "status"), "\nPPid:\t1\n");	/* init took it */
	ASSERT_STR_EQ(proc(g->pid, "maps"), maps);
	ASSERT_CONTAINS(proc(p->pid, "status"), "\nPPid:\t0\n");
	/* The child's mm was its own: the parent still works. */
	ASSERT_TRUE(do_mmap(p->mm, 0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	ASSERT_VALID();
	do_exit(p);
	ASSERT_CONTAINS(proc(g->pid, "status"), "\nPPid:\t0\n");	/* init is gone */
	do_exit(g);
	ASSERT_NULL(next_task(0));
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
	kmm_shutdown(k);
}

/*
 * exit_group in init is a kernel panic, as in Linux's do_exit: the
 * message has Linux's exit code (status << 8, or a signal's number), init
 * stays with its memory, and the machine still shuts down clean.
 */
TEST(init_may_not_exit)
{
	struct kmm *k = boot();
	struct task_struct *init, *c;
	int err;

	ASSERT_NOT_NULL(k);
	init = kernel_spawn(NULL, &err);
	ASSERT_NOT_NULL(init);
	ASSERT_TRUE(is_global_init(init));
	c = kernel_fork(init, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(do_group_exit(c, EXIT_CODE(3)), 0);		/* anyone else may */
	ASSERT_NULL(find_task_by_vpid(2));
	ASSERT_FALSE(k->panicked);
	ASSERT_EQ(reports_seen, 0);
	ASSERT_EQ(do_group_exit(init, EXIT_CODE(1)), -EPERM);
	ASSERT_TRUE(k->panicked);
	ASSERT_EQ(reports_seen, 1);
	ASSERT_STR_EQ(last_report,
		      "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n"
		      "---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100 ]---\n");
	ASSERT_EQ(find_task_by_vpid(1), init);			/* nothing was torn down */
	ASSERT_NOT_NULL(proc(1, "maps"));
	ASSERT_EQ(do_group_exit(init, 11), -EPERM);		/* SIGSEGV: its number */
	ASSERT_CONTAINS(last_report, "exitcode=0x0000000b\n");
	ASSERT_EQ(EXIT_CODE(255), 0xff00);
	ASSERT_EQ(EXIT_CODE(256), 0);				/* exit_group keeps 8 bits */
	do_exit(init);			/* the machine's own teardown */
	ASSERT_NULL(next_task(0));
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
	kmm_shutdown(k);
}

/* Active objects per cache and free pages, after giving back what can be. */
struct snapshot {
	char names[128][32];
	unsigned long active[128];
	int n;
	unsigned long free_pages;
};

static void take_snapshot(struct kmm *k, struct snapshot *s)
{
	static char buf[65536];
	const char *p;

	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	s->free_pages = nr_free_pages();
	s->n = 0;
	kmm_proc_read("/proc/slabinfo", buf, sizeof(buf));
	for (p = buf; *p && s->n < 128; p += strcspn(p, "\n") + 1) {
		if (!strncmp(p, "slabinfo", 8) || *p == '#')
			continue;
		if (sscanf(p, "%31s %lu", s->names[s->n], &s->active[s->n]) == 2)
			s->n++;
	}
}

static unsigned long snapshot_active(const struct snapshot *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return s->active[i];
	return 0;
}

static struct task_struct *random_task(void)
{
	struct task_struct *t, *pick = NULL;
	int pid = 0, n = 0;

	while ((t = next_task(pid))) {
		pid = t->pid;
		if (rnd() % (unsigned)++n == 0)
			pick = t;
	}
	return pick;
}

/* One random call by t somewhere in its mmap area or heap. */
static void random_call(struct task_struct *t)
{
	static const char *const files[] = { "/usr/bin/cat", "/usr/bin/dash" };
	struct mm_struct *mm = t->mm;
	unsigned long len = ((rnd() % 32) + 1) * PG;
	unsigned long addr = (mm->mmap_base - (rnd() % 256) * PG - len) & PAGE_MASK;
	unsigned long prot = rnd() % 2 ? PROT_READ | PROT_WRITE : PROT_READ;

	switch (rnd() % 10) {
	case 0:
		do_mmap(mm, addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			(rnd() % 4 ? 0 : MAP_NORESERVE) | (rnd() % 4 ? 0 : MAP_POPULATE));
		break;
	case 1:
		do_mmap(mm, addr, len, prot, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED |
			(rnd() % 4 ? 0 : MAP_NORESERVE));
		break;
	case 2:
		do_munmap(mm, addr, len);
		break;
	case 3: {
		int err;
		struct file *f = filp_open_rootfs(files[rnd() % 2], &err);

		if (f) {
			do_mmap_pgoff(mm, f, addr, len, prot, MAP_PRIVATE | MAP_FIXED, rnd() % 8);
			fput(f);
		}
		break;
	}
	case 4:
		do_mprotect(mm, addr, len, prot);
		break;
	case 5:
		do_mremap(mm, addr, len, ((rnd() % 32) + 1) * PG, MREMAP_MAYMOVE, 0);
		break;
	case 6:
		do_madvise(mm, addr, len, rnd() % 2 ? MADV_DONTFORK : MADV_WIPEONFORK);
		break;
	case 7:
		if (rnd() % 2)
			do_mlock(mm, addr, len, VM_LOCKED);
		else
			do_munlock(mm, addr, len);
		break;
	default:
		sys_brk(mm, mm->start_brk + (rnd() % 64) * PG + rnd() % PG);
		break;
	}
}

TEST(many_processes_give_everything_back)
{
	static const char *const names[] = { "cat", "sh", "dash", "ls" };
	static struct snapshot before, after;
	struct kmm *k = boot();
	int steps = 4000 * (int)TEST_SCALE(), i, spawned = 0, forked = 0;
	struct mm_struct *warm;

	ASSERT_NOT_NULL(k);
	rnd_state = TEST_SEED() * 0x9e3779b97f4a7c15ull + 11;
	/* The vm_area_struct cache is made on first use and lives as long
	 * as the machine (Linux makes it at boot): make it now. */
	warm = mm_alloc();
	ASSERT_NOT_NULL(warm);
	ASSERT_TRUE(do_mmap(warm, 0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	mmput(warm);
	/* So is the zero page (on the first read fault). */
	ASSERT_NOT_NULL(zero_page());
	take_snapshot(k, &before);
	ASSERT_TRUE(before.n > 0);

	for (i = 0; i < steps; i++) {
		struct task_struct *t = random_task();
		unsigned int op = (unsigned int)(rnd() % 16);
		int err;

		if (!t || op == 0) {
			if (kernel_spawn(names[rnd() % 4], &err))
				spawned++;
		} else if (op == 1) {
			if (kernel_fork(t, &err))
				forked++;
		} else if (op == 2 || op == 3) {
			do_exit(t);
		} else {
			random_call(t);
		}
		{
			int bad_pid = 0;
			const char *why = validate_all(&bad_pid);

			if (why)
				TEST_FAIL_("step %d: pid %d: %s", i, bad_pid, why);
		}
		if (k->mem->vm_committed_as != expected_committed())
			TEST_FAIL_("step %d: Committed_AS %ld pages, mappings say %ld", i,
				   k->mem->vm_committed_as, expected_committed());
	}
	ASSERT_TRUE(spawned > 10 && forked > 10);
	while (next_task(0))
		do_exit(next_task(0));
	ASSERT_EQ(k->mem->vm_committed_as, 0l);
	take_snapshot(k, &after);
	for (i = 0; i < after.n; i++)
		if (after.active[i] != snapshot_active(&before, after.names[i]))
			TEST_FAIL_("%s: %lu active objects, %lu before the first spawn",
				   after.names[i], after.active[i],
				   snapshot_active(&before, after.names[i]));
	ASSERT_EQ(after.n, before.n);
	ASSERT_EQ(after.free_pages, before.free_pages);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

/*
 * A fork that fails at any of its allocations leaves the parent whole.
 * A VMA copy whose anon_vma could not be had was freed with a file
 * reference it never took: the parent's mapped file went with it, and
 * the parent's exit walked a freed inode.  Each allocation fails in turn
 * (fail-nth); the parent then exits and everything comes back.
 */
TEST(failed_fork_leaves_the_parent_whole)
{
	struct kmm *k = boot();
	struct task_struct *p, *c;
	unsigned long free_before;
	unsigned int n, left = 0;
	struct kmm_siginfo si;
	phys_addr_t phys;
	int err;
	long a;

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(kernel_spawn(NULL, &err));	/* init */
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	a = do_mmap(p->mm, 0, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0);
	for (long off = 0; off < (long)(16 * PG); off += PG)
		ASSERT_EQ(user_access(p, (unsigned long)(a + off), PF_WRITE, &phys, &si), 0);
	kmm_fault_write("fail_page_alloc", "ignore-gfp-wait", 0);
	kmm_fault_write("fail_page_alloc", "min-order", 0);
	kmm_fault_write("fail_page_alloc", "verbose", 0);
	kmm_fault_write("failslab", "ignore-gfp-wait", 0);
	kmm_fault_write("failslab", "verbose", 0);
	for (n = 1; n < 10000 && !left; n++) {
		kmm_fail_nth_write(n);
		c = kernel_fork(p, &err);
		left = kmm_fail_nth_read();
		kmm_fail_nth_write(0);
		if (c)
			do_exit(c);
		else
			ASSERT_EQ(err, -ENOMEM);
		ASSERT_EQ(kmm_check_invariants(k), 0);
	}
	ASSERT_TRUE(left);
	ASSERT_TRUE(n > 10);
	do_exit(p);
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), free_before);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(fork_copies_every_vma_but_dontfork);
	RUN_TEST(locks_are_not_inherited);
	RUN_TEST(committed_as_follows_fork_and_exit);
	RUN_TEST(shared_anon_is_one_object_charged_until_last_unmap);
	RUN_TEST(parent_exit_leaves_child);
	RUN_TEST(init_may_not_exit);
	RUN_TEST(many_processes_give_everything_back);
	RUN_TEST(failed_fork_leaves_the_parent_whole);
	return harness_summary();
}
