/*
 * tests/sim/test_oom_host.c - kmm's OOM arithmetic against the host
 * kernel: children of this test touch known amounts of anonymous, file
 * and shared memory and set their oom_score_adj; for each, the host's
 * /proc/PID/oom_score and oom_adj must be exactly what kmm's oom_badness,
 * proc_oom_score_points and proc_oom_adj_show make of the numbers the
 * host's /proc/PID/status shows (RssAnon, RssFile, RssShmem, VmSwap,
 * VmPTE) with the host's totalram_pages (MemTotal) and total_swap_pages
 * (SwapTotal).  And the same bytes written to the host's and to kmm's
 * oom_score_adj are refused, or taken, alike.
 *
 * The host's oom_badness reads the RSS counters without summing the
 * per-CPU parts (percpu_counter_read_positive, up to 31 pages a CPU and
 * counter away from what status sums), so a child whose score sits that
 * close to a step of the 0..2000 scale touches more pages until it is in
 * the middle of one: then the comparison is exact, whatever the slack.
 *
 * Negative oom_score_adj values need CAP_SYS_RESOURCE (kmm's tasks all
 * have it): without it, children with one are left out, and a write of
 * one must be the host's -EACCES where kmm takes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <kmm/oom.h>
#include <kmm/sched.h>
#include "base/seq_buf.h"
#include "proc/internal.h"
#include "tests/harness.h"

#define MAX_EXTRA_PAGES	16384ul		/* what a child may touch to leave a step's edge */

struct child {
	pid_t pid;
	int cmd, ack;			/* pipes: pages to touch -> child, done -> parent */
};

struct host_numbers {
	unsigned long anon, file, shmem, swap;	/* pages */
	unsigned long pte_bytes;
	int adj;
	long oom_score, oom_adj;
};

static long page_kb;

/* CAP_SYS_RESOURCE (24) in this process's effective set. */
static bool has_cap_sys_resource(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	bool yes = false;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			yes = (strtoull(line + 7, NULL, 16) >> 24) & 1;
	if (f)
		fclose(f);
	return yes;
}

/* "Key:   N kB" of a /proc file; -1 if absent. */
static long proc_kb(const char *path, const char *key)
{
	char line[256];
	FILE *f = fopen(path, "r");
	long v = -1;
	size_t n = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long proc_long(pid_t pid, const char *file)
{
	char path[64], buf[32];
	FILE *f;
	long v = LONG_MIN;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "r");
	if (!f)
		return LONG_MIN;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

static int read_numbers(pid_t pid, struct host_numbers *h)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	h->anon = (unsigned long)proc_kb(path, "RssAnon") / page_kb;
	h->file = (unsigned long)proc_kb(path, "RssFile") / page_kb;
	h->shmem = (unsigned long)proc_kb(path, "RssShmem") / page_kb;
	h->swap = (unsigned long)proc_kb(path, "VmSwap") / page_kb;
	h->pte_bytes = (unsigned long)proc_kb(path, "VmPTE") << 10;
	h->adj = (int)proc_long(pid, "oom_score_adj");
	h->oom_score = proc_long(pid, "oom_score");
	h->oom_adj = proc_long(pid, "oom_adj");
	return h->oom_score == LONG_MIN || proc_kb(path, "RssAnon") < 0 ? -1 : 0;
}

/* A task of kmm's with the host child's counters. */
struct fake {
	struct task_struct t;
	struct mm_struct mm;
};

static struct task_struct *fake_of(struct fake *f, const struct host_numbers *h)
{
	memset(f, 0, sizeof(*f));
	f->t.pid = 2;			/* not init */
	f->t.mm = &f->mm;
	f->t.oom_score_adj = h->adj;
	f->mm.rss_stat[MM_ANONPAGES] = h->anon;
	f->mm.rss_stat[MM_FILEPAGES] = h->file;
	f->mm.rss_stat[MM_SHMEMPAGES] = h->shmem;
	f->mm.rss_stat[MM_SWAPENTS] = h->swap;
	f->mm.pgtables_bytes = h->pte_bytes;
	return &f->t;
}

/* How far, in steps of the 0..2000 scale, badness sits from the nearest
 * edge of its step (badness * 1000 / totalpages truncates). */
static double edge_distance(long badness, unsigned long totalpages)
{
	double x = (double)badness * 1000.0 / (double)totalpages, frac = x - (double)(long)x;

	if (frac < 0)
		frac = -frac;
	return frac < 0.5 ? frac : 1.0 - frac;
}

/*
 * The child: anon_pages of anonymous memory, a page of its executable
 * read (RssFile), shmem_pages of shared anonymous memory (RssShmem), its
 * oom_score_adj; then it touches what the parent asks, until killed.
 */
static void child_main(int cmd, int ack, unsigned long anon_pages, unsigned long shmem_pages,
		       int adj)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *anon = mmap(NULL, (anon_pages + MAX_EXTRA_PAGES) * (unsigned long)pg,
			  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shm = shmem_pages ? mmap(NULL, shmem_pages * (unsigned long)pg, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0) : NULL;
	unsigned long i, touched = anon_pages, more;
	char buf[16];
	int fd, n;

	if (anon == MAP_FAILED || shm == MAP_FAILED)
		_exit(2);
	for (i = 0; i < anon_pages; i++)
		anon[i * (unsigned long)pg] = 1;
	for (i = 0; i < shmem_pages; i++)
		shm[i * (unsigned long)pg] = 1;
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	n = snprintf(buf, sizeof(buf), "%d", adj);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		_exit(3);
	close(fd);
	for (;;) {
		if (write(ack, "k", 1) != 1 || read(cmd, &more, sizeof(more)) != sizeof(more))
			_exit(0);
		for (i = 0; i < more && touched < anon_pages + MAX_EXTRA_PAGES; i++, touched++)
			anon[touched * (unsigned long)pg] = 1;
	}
}

static int start_child(struct child *c, unsigned long anon_pages, unsigned long shmem_pages, int adj)
{
	int cmd[2], ack[2];
	char ok;

	if (pipe(cmd) || pipe(ack))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		child_main(cmd[0], ack[1], anon_pages, shmem_pages, adj);
	}
	close(cmd[0]);
	close(ack[1]);
	c->cmd = cmd[1];
	c->ack = ack[0];
	return read(c->ack, &ok, 1) == 1 ? 0 : -1;
}

static int child_touch(struct child *c, unsigned long pages)
{
	char ok;

	if (write(c->cmd, &pages, sizeof(pages)) != sizeof(pages))
		return -1;
	return read(c->ack, &ok, 1) == 1 ? 0 : -1;
}

static void stop_child(struct child *c)
{
	close(c->cmd);
	close(c->ack);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
}

static unsigned long host_totalpages(void)
{
	return (unsigned long)(proc_kb("/proc/meminfo", "MemTotal") +
			       proc_kb("/proc/meminfo", "SwapTotal")) / (unsigned long)page_kb;
}

TEST(oom_score_matches_the_host)
{
	static const struct {
		unsigned long anon_mb, shmem_mb;
		int adj;
		bool needs_cap;		/* a negative adj: CAP_SYS_RESOURCE */
	} kids[] = {
		{ 0, 0, 0, false }, { 64, 0, 0, false }, { 16, 8, 0, false },
		{ 32, 0, 500, false }, { 0, 0, 1000, false }, { 8, 0, 1, false },
		{ 64, 0, -500, true }, { 4, 0, -999, true }, { 4, 0, -1000, true },
	};
	bool cap = has_cap_sys_resource();
	unsigned long totalpages = host_totalpages(), pages_per_mb = 1024 / (unsigned long)page_kb;
	unsigned long swap = (unsigned long)proc_kb("/proc/meminfo", "SwapTotal") / (unsigned long)page_kb;
	int checked = 0;
	size_t i;

	printf("  host: MemTotal %lu pages + SwapTotal %lu pages = %lu totalpages%s\n",
	       totalpages - swap, swap, totalpages,
	       cap ? "" : " (no CAP_SYS_RESOURCE: adj >= 0 only)");
	for (i = 0; i < ARRAY_SIZE(kids); i++) {
		struct host_numbers h;
		struct child c;
		struct fake f;
		char adj_line[16];
		struct seq_buf m;
		long badness;
		int tries;

		if (kids[i].needs_cap && !cap)
			continue;
		ASSERT_EQ(start_child(&c, kids[i].anon_mb * pages_per_mb, kids[i].shmem_mb * pages_per_mb,
				      kids[i].adj), 0);
		/* Away from a step's edge by more than the per-CPU slack. */
		for (tries = 0; tries < 4; tries++) {
			double d;

			ASSERT_EQ(read_numbers(c.pid, &h), 0);
			badness = oom_badness(fake_of(&f, &h), totalpages);
			d = badness == LONG_MIN ? 0.5 : edge_distance(badness, totalpages);
			if (d >= 0.2)
				break;
			ASSERT_EQ(child_touch(&c, (unsigned long)((0.5 - d) * (double)totalpages / 1000.0) + 1), 0);
		}
		ASSERT_EQ(h.adj, kids[i].adj);
		printf("  pid %d: anon %lu file %lu shmem %lu swap %lu pages, VmPTE %lu kB, adj %d:"
		       " oom_score %ld (kmm %lu), oom_adj %ld\n", (int)c.pid, h.anon, h.file, h.shmem,
		       h.swap, h.pte_bytes >> 10, h.adj, h.oom_score,
		       proc_oom_score_points(badness, totalpages), h.oom_adj);
		if ((long)proc_oom_score_points(badness, totalpages) != h.oom_score) {
			stop_child(&c);
			TEST_FAIL_("child %zu: kmm's oom_score %lu, the host's %ld", i,
				   proc_oom_score_points(badness, totalpages), h.oom_score);
		}
		seq_buf_init(&m, adj_line, sizeof(adj_line));
		proc_oom_adj_show(&f.t, &m);
		if (strtol(adj_line, NULL, 10) != h.oom_adj) {
			stop_child(&c);
			TEST_FAIL_("child %zu: kmm's oom_adj %ld, the host's %ld", i,
				   strtol(adj_line, NULL, 10), h.oom_adj);
		}
		stop_child(&c);
		checked++;
	}
	ASSERT_LE(6, checked);
}

/* One write of exactly these bytes to the host's file: 0 or -errno. */
static int host_write(pid_t pid, const char *file, const char *bytes)
{
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, bytes, strlen(bytes)) < 0)
		err = -errno;
	close(fd);
	return err;
}

TEST(oom_score_adj_writes_match_the_host)
{
	static const char *const inputs[] = {
		"500", "-1000", "1000", "0", " 12\n", "0x10", "010", "+7", "-0", "1001", "-1001",
		"abc", "5 6", "12abc", "-+5", "0x", "08", "99999999999", "-2147483649",
		"2147483647", "000000000001000000", "\t-3\t\n", "1\n\n", "0X1f", "-0x10",
	};
	bool cap = has_cap_sys_resource();
	struct child c;
	struct fake f;
	size_t i;

	ASSERT_EQ(start_child(&c, 0, 0, 0), 0);
	memset(&f, 0, sizeof(f));
	f.t.mm = &f.mm;
	for (i = 0; i < ARRAY_SIZE(inputs); i++) {
		int before = f.t.oom_score_adj;
		int host = host_write(c.pid, "oom_score_adj", inputs[i]);
		int kmm = proc_oom_score_adj_write(&f.t, inputs[i]);
		long host_adj = proc_long(c.pid, "oom_score_adj");

		/* Below oom_score_adj_min (0) without the capability. */
		if (!cap && !kmm && f.t.oom_score_adj < 0) {
			kmm = -EACCES;
			f.t.oom_score_adj = before;
		}

		if (host != kmm || host_adj != f.t.oom_score_adj) {
			stop_child(&c);
			TEST_FAIL_("write '%s': host %d (adj %ld), kmm %d (adj %d)", inputs[i], host,
				   host_adj, kmm, f.t.oom_score_adj);
		}
	}
	stop_child(&c);
}

int main(void)
{
	page_kb = sysconf(_SC_PAGESIZE) / 1024;
	if (proc_long(getpid(), "oom_score") == LONG_MIN) {
		printf("  skipped: no /proc/PID/oom_score on this host\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	RUN_TEST(oom_score_matches_the_host);
	RUN_TEST(oom_score_adj_writes_match_the_host);
	return harness_summary();
}
