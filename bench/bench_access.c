/*
 * bench/bench_access.c - simulated memory accesses per second, beside the
 * host doing the same accesses in the same run:
 *
 *   tlb_hit      loads from 16 pages already in the TLB (kmm: user_access
 *                through the L1 dTLB; host: plain loads)
 *   tlb_miss     loads striding over 32,768 zero-page-mapped pages, far
 *                more than the 1,536-entry STLB: every access walks the
 *                page table (host: the same on its own zero-page mapping)
 *   first_touch  write faults on fresh anonymous pages, each allocating a
 *                zeroed page (mmap, touch every page, munmap)
 *   cow_fault    after fork, the child writes every page the parent
 *                wrote: one copy-on-write fault each
 *
 * Targets (issue 6): at least 100 million TLB-hit accesses and 1 million
 * first-touch faults per second.  The host rows are the real kernel and
 * MMU: the ratio says how far the simulation is from the machine.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include <kmm/sched.h>
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/internal.h"
#include "arch/x86/mm/fault.h"
#include "peers.h"

#define MAX_REPS	15
#define PG		4096ul
#define BASE		0x10000000ul
#define HOT_PAGES	16
#define WALK_PAGES	32768ul
#define TOUCH_PAGES	4096ul

enum row { R_HIT, R_MISS, R_TOUCH, R_COW, NR_ROWS };
static const char *const row_name[NR_ROWS] = { "tlb_hit", "tlb_miss", "first_touch", "cow_fault" };
static const char *const row_unit[NR_ROWS] = { "accesses", "accesses", "faults", "faults" };

static struct {
	int reps;
	long accesses;
	unsigned long touch_pages;
} opt = { 7, 20000000, TOUCH_PAGES };

static double result[NR_ROWS][2], spread[NR_ROWS][2];	/* per second: kmm, host */
static struct task_struct *task;
static volatile unsigned long sink;

static void die(const char *what, long err)
{
	fprintf(stderr, "bench_access: %s failed: %ld\n", what, err);
	exit(1);
}

static void kmm_access(unsigned long addr, unsigned int access)
{
	struct kmm_siginfo si;
	phys_addr_t phys;

	if (user_access(task, addr, access, &phys, &si))
		die("user_access", (long)addr);
	sink += phys;
}

/* ---- kmm -------------------------------------------------------------- */

static double kmm_hit(void)
{
	double t0;
	long i;

	for (i = 0; i < HOT_PAGES; i++)
		kmm_access(BASE + (unsigned long)i * PG, 0);
	t0 = now_ns();
	for (i = 0; i < opt.accesses; i++)
		kmm_access(BASE + ((unsigned long)i % HOT_PAGES) * PG + 64, 0);
	return opt.accesses / ((now_ns() - t0) / 1e9);
}

static double kmm_miss(void)
{
	long n = opt.accesses / 20, i;
	double t0 = now_ns();

	/* A stride of 257 pages visits all of them, never one twice in a row. */
	for (i = 0; i < n; i++)
		kmm_access(BASE + (((unsigned long)i * 257) % WALK_PAGES) * PG, 0);
	return n / ((now_ns() - t0) / 1e9);
}

static double kmm_touch(void)
{
	unsigned long n = opt.touch_pages, a, addr = BASE + (WALK_PAGES + 64) * PG;
	double t0, t;

	if (do_mmap(task->mm, addr, n * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) < 0)
		die("do_mmap", 0);
	t0 = now_ns();
	for (a = addr; a < addr + n * PG; a += PG)
		kmm_access(a, PF_WRITE);
	t = now_ns() - t0;
	do_munmap(task->mm, addr, n * PG);
	return n / (t / 1e9);
}

static double kmm_cow(void)
{
	unsigned long n = opt.touch_pages, a, addr = BASE + (WALK_PAGES + 64) * PG;
	struct task_struct *parent = task, *child;
	double t0, t;
	int err;

	if (do_mmap(parent->mm, addr, n * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) < 0)
		die("do_mmap", 0);
	for (a = addr; a < addr + n * PG; a += PG)
		kmm_access(a, PF_WRITE);
	child = kernel_fork(parent, &err);
	if (!child)
		die("kernel_fork", err);
	task = child;
	t0 = now_ns();
	for (a = addr; a < addr + n * PG; a += PG)
		kmm_access(a, PF_WRITE);
	t = now_ns() - t0;
	task = parent;
	do_exit(child);
	do_munmap(parent->mm, addr, n * PG);
	return n / (t / 1e9);
}

/* ---- host ------------------------------------------------------------- */

static char *host_walk;

static double host_hit(void)
{
	double t0;
	long i;

	for (i = 0; i < HOT_PAGES; i++)
		sink += ((volatile char *)host_walk)[(unsigned long)i * PG];
	t0 = now_ns();
	for (i = 0; i < opt.accesses; i++)
		sink += ((volatile char *)host_walk)[((unsigned long)i % HOT_PAGES) * PG + 64];
	return opt.accesses / ((now_ns() - t0) / 1e9);
}

static double host_miss(void)
{
	long n = opt.accesses / 20, i;
	double t0 = now_ns();

	for (i = 0; i < n; i++)
		sink += ((volatile char *)host_walk)[(((unsigned long)i * 257) % WALK_PAGES) * PG];
	return n / ((now_ns() - t0) / 1e9);
}

static double host_touch(void)
{
	unsigned long n = opt.touch_pages, i;
	char *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0, t;

	if (p == MAP_FAILED)
		die("mmap", 0);
	madvise(p, n * PG, MADV_NOHUGEPAGE);		/* 4 KiB faults, as kmm's */
	t0 = now_ns();
	for (i = 0; i < n; i++)
		__atomic_fetch_add(&p[i * PG], 0, __ATOMIC_RELAXED);
	t = now_ns() - t0;
	munmap(p, n * PG);
	return n / (t / 1e9);
}

static double host_cow(void)
{
	unsigned long n = opt.touch_pages, i;
	char *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd[2];
	double rate = 0;
	pid_t pid;

	if (p == MAP_FAILED || pipe(fd))
		die("mmap/pipe", 0);
	madvise(p, n * PG, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		p[i * PG] = 1;
	pid = fork();
	if (pid < 0)
		die("fork", 0);
	if (!pid) {
		double t0 = now_ns(), r;

		for (i = 0; i < n; i++)
			__atomic_fetch_add(&p[i * PG], 0, __ATOMIC_RELAXED);
		r = n / ((now_ns() - t0) / 1e9);
		if (write(fd[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	if (read(fd[0], &rate, sizeof(rate)) != sizeof(rate))
		die("read from the child", 0);
	waitpid(pid, NULL, 0);
	close(fd[0]);
	close(fd[1]);
	munmap(p, n * PG);
	return rate;
}

/*
 * The simulated RAM is a memfd the host backs lazily: the first write to
 * each frame costs the host a page fault (about 1 us here), which is not
 * kmm's work.  Touch every frame once, as a machine that has run a while
 * has, so the rows time kmm's fault path alone.
 */
static void warm_ram(void)
{
	struct kmm *k = kmm_current();
	struct page *head = NULL, *page;
	unsigned long n = 0;

	while ((page = __alloc_pages(k, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, 0))) {
		*(struct page **)page_address(page) = head;
		head = page;
		n++;
	}
	while (head) {
		page = head;
		head = *(struct page **)page_address(page);
		___free_pages(k, page, 0);
	}
	drain_all_pages(NULL);
	printf("# warmed %lu frames of simulated RAM\n", n);
}

static double (*const kmm_fn[NR_ROWS])(void) = { kmm_hit, kmm_miss, kmm_touch, kmm_cow };
static double (*const host_fn[NR_ROWS])(void) = { host_hit, host_miss, host_touch, host_cow };

/* bench_peer_rounds' run: variant 0 kmm, 1 the host. */
static double run_row(void *arg, int row, int v)
{
	return v ? host_fn[row]() : kmm_fn[row]();
}

static void *bench(void *arg)
{
	int err;

	(void)arg;
	if (!kmm_boot(&(struct kmm_config){ .mem = 512ul << 20, .cpus = 1, .quiet = 1,
					    .norandmaps = 1 }))
		die("kmm_boot", 0);
	warm_ram();
	task = kernel_spawn("cat", &err);
	if (!task)
		die("kernel_spawn", err);
	/* The walk area: read-faulted once, so it maps the zero page. */
	if (do_mmap(task->mm, BASE, WALK_PAGES * PG, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) < 0)
		die("do_mmap", 0);
	for (unsigned long i = 0; i < WALK_PAGES; i++)
		kmm_access(BASE + i * PG, 0);
	host_walk = mmap(NULL, WALK_PAGES * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (host_walk == MAP_FAILED)
		die("mmap", 0);
	madvise(host_walk, WALK_PAGES * PG, MADV_NOHUGEPAGE);
	for (unsigned long i = 0; i < WALK_PAGES; i++)
		sink += ((volatile char *)host_walk)[i * PG];
	/* Rep by rep, every row, kmm and the host taking turns to go first. */
	if (bench_peer_rounds(opt.reps, NR_ROWS, 2, run_row, NULL, &result[0][0], &spread[0][0]))
		die("bench_peer_rounds", 0);
	do_exit(task);
	munmap(host_walk, WALK_PAGES * PG);
	return NULL;
}

int main(int argc, char **argv)
{
	char model[128];
	double scale = 1;

	if (bench_simple_options(argc, argv, "bench_access", MAX_REPS, 1.0 / 20, &opt.reps, &scale))
		return 2;
	opt.accesses = (long)(opt.accesses * scale);
	if (opt.accesses < 100) {
		fprintf(stderr, "bench_access: --scale too small\n");
		return 2;
	}
	cpu_model(model, sizeof(model));
	printf("# bench_access: simulated accesses and faults per second, and the host's\n");
	printf("# host: %s; reps %d, median (spread = (max - min) / median)\n", model, opt.reps);
	run_on_kmm_thread(bench, NULL);
	printf("\n%-12s %-9s | %14s %6s | %14s %6s | %s\n", "row", "unit", "kmm /s", "spread",
	       "host /s", "spread", "kmm/host");
	for (int row = 0; row < NR_ROWS; row++)
		printf("%-12s %-9s | %14.0f %5.0f%% | %14.0f %5.0f%% | %7.3fx\n", row_name[row],
		       row_unit[row], result[row][0], 100 * spread[row][0], result[row][1],
		       100 * spread[row][1], result[row][0] / result[row][1]);
	printf("\n# targets: tlb_hit >= 100000000/s, first_touch >= 1000000/s\n");
	for (int row = 0; row < NR_ROWS; row++)
		printf("%s_per_s=%.0f\n%s_vs_host=%.3f\n", row_name[row], result[row][0],
		       row_name[row], result[row][0] / result[row][1]);
	return 0;
}
