/*
 * tests/mm/test_mmdebug.c - the debug assertions of include/kmm/mmdebug.h
 * at the KMM_DEBUG_VM level: a VM_WARN_ON reports and says it fired, a
 * VM_WARN_ON_ONCE reports once, a failed VM_BUG_ON_PAGE / _VMA / _MM
 * prints "kernel BUG at", the condition and the object, and aborts (in a
 * child, so the test goes on); so does a VM_CHECK whose checker finds a
 * broken invariant, and one that finds none costs nothing else.  test_mmdebug_off.c has the other level.
 */
#ifndef KMM_DEBUG_VM
#define KMM_DEBUG_VM 1
#endif
#ifndef KMM_DEBUG_VM_FULL
#define KMM_DEBUG_VM_FULL 1	/* VM_CHECK is under test too */
#endif
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include "mm/mmap.h"
#include "tests/harness.h"

static char reports[8192];
static int nr_reports;

static void record(const char *r, void *arg)
{
	(void)arg;
	nr_reports++;
	strncat(reports, r, sizeof(reports) - strlen(reports) - 1);
}

static struct kmm *boot_quiet(void)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1 };

	reports[0] = 0;
	nr_reports = 0;
	kmm_set_report_hook(record, NULL);
	return kmm_boot(&cfg);
}

TEST(warn_reports_and_returns_whether_it_fired)
{
	struct kmm *k = boot_quiet();
	int i, fired = 0, evaluated = 0;

	ASSERT_NOT_NULL(k);
	ASSERT_FALSE(VM_WARN_ON(1 + 1 == 3));
	ASSERT_EQ(nr_reports, 0);
	ASSERT_TRUE(VM_WARN_ON(evaluated++ == 0));
	ASSERT_EQ(evaluated, 1);
	ASSERT_EQ(nr_reports, 1);
	ASSERT_CONTAINS(reports, "WARNING at ");
	ASSERT_CONTAINS(reports, "test_mmdebug.c:");
	ASSERT_CONTAINS(reports, "evaluated++ == 0");
	for (i = 0; i < 5; i++)
		fired += VM_WARN_ON_ONCE(i >= 0);
	ASSERT_EQ(fired, 5);		/* it fires each time ... */
	ASSERT_EQ(nr_reports, 2);	/* ... and says so once */
	kmm_shutdown(k);
	kmm_set_report_hook(NULL, NULL);
}

/* Runs fn in a child with stderr in a pipe: its exit signal and output. */
static int in_child(void (*fn)(void), char *out, size_t len)
{
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		fn();
		_exit(0);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void bug_on_page(void)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1 };
	struct page *page;

	kmm_boot(&cfg);
	page = alloc_pages(GFP_KERNEL, 0);
	VM_BUG_ON_PAGE(page_ref_count(page) != 0, page);
}

static void bug_on_vma(void)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1 };
	struct mm_struct *mm;

	kmm_boot(&cfg);
	mm = mm_alloc();
	do_mmap(mm, 0x10000000, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	VM_BUG_ON_VMA(mm->map_count == 1, find_vma(mm, 0x10000000));
}

static void bug_on_mm(void)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1 };
	struct mm_struct *mm;

	kmm_boot(&cfg);
	mm = mm_alloc();
	VM_BUG_ON_MM(mm->map_count == 0, mm);
}

static int checks_run;

static int broken_checker(void)
{
	checks_run++;
	return -1;
}

static int sound_checker(void)
{
	checks_run++;
	return 0;
}

static void check_fails(void)
{
	VM_CHECK(broken_checker());
}

TEST(vm_check_runs_the_checker)
{
	char out[4096];

	VM_CHECK(sound_checker());
	ASSERT_EQ(checks_run, 1);
	ASSERT_EQ(in_child(check_fails, out, sizeof(out)), SIGABRT);
	ASSERT_CONTAINS(out, "broken_checker() found a broken invariant");
}

TEST(bug_prints_the_object_and_aborts)
{
	char out[8192];

	ASSERT_EQ(in_child(bug_on_page, out, sizeof(out)), SIGABRT);
	ASSERT_CONTAINS(out, "kernel BUG at ");
	ASSERT_CONTAINS(out, "bug_on_page: page_ref_count(page) != 0");
	ASSERT_CONTAINS(out, "page: refcount:1 mapcount:0");
	ASSERT_EQ(in_child(bug_on_vma, out, sizeof(out)), SIGABRT);
	ASSERT_CONTAINS(out, "bug_on_vma: mm->map_count == 1");
	ASSERT_CONTAINS(out, "vma ");
	ASSERT_CONTAINS(out, "start 0x0000000010000000 end 0x0000000010002000");
	ASSERT_EQ(in_child(bug_on_mm, out, sizeof(out)), SIGABRT);
	ASSERT_CONTAINS(out, "bug_on_mm: mm->map_count == 0");
	ASSERT_CONTAINS(out, "map_count 0");
}

int main(void)
{
	RUN_TEST(warn_reports_and_returns_whether_it_fired);
	RUN_TEST(bug_prints_the_object_and_aborts);
	RUN_TEST(vm_check_runs_the_checker);
	return harness_summary();
}
