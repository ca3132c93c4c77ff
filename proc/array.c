/*
 * proc/array.c - /proc/PID/status, as fs/proc/array.c and task_mem()
 * print it: the identity lines, then the memory lines (VmPeak .. VmSwap),
 * then the few after them that concern memory.  The signal, capability
 * and cpuset lines that follow on Linux are not modelled and not printed.
 */
#include <kmm/sched.h>
#include "mm/vma.h"
#include "mm/mmap.h"
#include "proc/internal.h"

static void show_vm(struct seq_buf *m, const char *label, unsigned long kb)
{
	seq_printf(m, "%s\t%8lu kB\n", label, kb);
}

static unsigned long get_mm_rss(const struct mm_struct *mm)
{
	return mm->rss_stat[MM_FILEPAGES] + mm->rss_stat[MM_ANONPAGES] +
	       mm->rss_stat[MM_SHMEMPAGES];
}

/* task_mem: every figure in kB, from the counters the mm keeps. */
static void task_mem(struct seq_buf *m, const struct mm_struct *mm)
{
	unsigned long kb = PAGE_SIZE >> 10, rss = get_mm_rss(mm);
	unsigned long text, lib;

	text = PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK);
	text = min(text, mm->exec_vm << PAGE_SHIFT);
	lib = (mm->exec_vm << PAGE_SHIFT) - text;
	show_vm(m, "VmPeak:", max(mm->hiwater_vm, mm->total_vm) * kb);
	show_vm(m, "VmSize:", mm->total_vm * kb);
	show_vm(m, "VmLck:", mm->locked_vm * kb);
	show_vm(m, "VmPin:", mm->pinned_vm * kb);
	show_vm(m, "VmHWM:", max(mm->hiwater_rss, rss) * kb);
	show_vm(m, "VmRSS:", rss * kb);
	show_vm(m, "RssAnon:", mm->rss_stat[MM_ANONPAGES] * kb);
	show_vm(m, "RssFile:", mm->rss_stat[MM_FILEPAGES] * kb);
	show_vm(m, "RssShmem:", mm->rss_stat[MM_SHMEMPAGES] * kb);
	show_vm(m, "VmData:", mm->data_vm * kb);
	show_vm(m, "VmStk:", mm->stack_vm * kb);
	show_vm(m, "VmExe:", text >> 10);
	show_vm(m, "VmLib:", lib >> 10);
	show_vm(m, "VmPTE:", mm->pgtables_bytes >> 10);
	show_vm(m, "VmSwap:", mm->rss_stat[MM_SWAPENTS] * kb);
}

void proc_pid_status_show(struct task_struct *t, struct seq_buf *m)
{
	int ppid = t->real_parent ? t->real_parent->pid : 0;

	seq_printf(m, "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\n", t->comm);
	seq_printf(m, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		   t->pid, t->pid, ppid);
	seq_printf(m, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t \n");
	seq_printf(m, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n",
		   t->pid, t->pid, t->pid, t->pid);
	task_mem(m, t->mm);
	seq_printf(m, "HugetlbPages:\t%8d kB\nCoreDumping:\t0\nTHP_enabled:\t%d\n", 0,
		   !(t->mm->def_flags & VM_NOHUGEPAGE));
	seq_printf(m, "untag_mask:\t0xffffffffffffffff\nThreads:\t1\n");
}
