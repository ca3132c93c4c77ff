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

/*
 * /proc/PID/stat: one line of 52 fields (do_task_stat).  The ones memory
 * management keeps are real (faults, sizes, the layout's addresses);
 * scheduling and signal fields are 0 in a machine that runs no code.
 */
void proc_pid_stat_show(struct task_struct *t, struct seq_buf *m)
{
	const struct mm_struct *mm = t->mm;
	unsigned long rss = get_mm_rss(mm);

	seq_printf(m, "%d (%s) S %d %d %d 0 -1 4194304 %lu 0 %lu 0 0 0 0 0 20 0 1 0 0 %lu %lu "
		   "18446744073709551615 %lu %lu %lu 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 "
		   "%lu %lu %lu %lu %lu %lu %lu 0\n",
		   t->pid, t->comm, t->real_parent ? t->real_parent->pid : 0, t->pid, t->pid,
		   t->min_flt, t->maj_flt, mm->total_vm << PAGE_SHIFT, rss,
		   mm->start_code, mm->end_code, mm->start_stack,
		   mm->start_data, mm->end_data, mm->start_brk, mm->arg_start, mm->arg_end,
		   mm->env_start, mm->env_end);
}

/* /proc/PID/io: proc_pid_io_accounting's seven lines. */
void proc_pid_io_show(struct task_struct *t, struct seq_buf *m)
{
	const struct task_io_accounting *io = &t->ioac;

	seq_printf(m, "rchar: %llu\nwchar: %llu\nsyscr: %llu\nsyscw: %llu\n"
		   "read_bytes: %llu\nwrite_bytes: %llu\ncancelled_write_bytes: %llu\n",
		   io->rchar, io->wchar, io->syscr, io->syscw, io->read_bytes, io->write_bytes,
		   io->cancelled_write_bytes);
}
