/*
 * proc/task_mmu.c - /proc/PID/maps and /proc/PID/smaps, in Linux's format
 * (fs/proc/task_mmu.c): one header line per VMA, the name padded to
 * column 73, [heap] for the VMA holding the break, [stack] for the one
 * holding the initial stack pointer, and the [vsyscall] gate page, which
 * is in no mm but which x86-64 prints last.
 *
 * The page counters of smaps (Rss, Pss, ...) walk the VMA's PTEs: Pss
 * shares each page among its mappers, Shared_ and Private_ say whether
 * another PTE maps it, Dirty whether it was written; the zero page is
 * nobody's and not counted.
 */
#include <kmm/sched.h>
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/pkeys.h"
#include "proc/internal.h"

#define VSYSCALL_ADDR	0xffffffffff600000ul
#define MAPS_NAME_COLUMN	(25 + 8 * 6 - 1)	/* seq_setwidth in show_vma_header_prefix */

static void pad_to(struct seq_buf *m, size_t line_start, size_t col)
{
	while (m->len - line_start < col)
		seq_putc(m, ' ');
}

static void show_header(struct seq_buf *m, unsigned long start, unsigned long end,
			unsigned long flags, unsigned long long pgoff, unsigned int dev,
			unsigned long ino, const char *name)
{
	size_t line = m->len;

	seq_printf(m, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", start, end,
		   flags & VM_READ ? 'r' : '-', flags & VM_WRITE ? 'w' : '-',
		   flags & VM_EXEC ? 'x' : '-', flags & VM_MAYSHARE ? 's' : 'p',
		   pgoff, MAJOR(dev), MINOR(dev), ino);
	if (name) {
		pad_to(m, line, MAPS_NAME_COLUMN);
		seq_putc(m, ' ');
		seq_puts(m, name);
	}
	seq_putc(m, '\n');
}

static void show_map_vma(struct seq_buf *m, struct mm_struct *mm, struct vm_area_struct *v)
{
	char path[256];
	const char *name = NULL;
	unsigned long long pgoff = 0;
	unsigned int dev = 0;
	unsigned long ino = 0;

	if (v->vm_file) {
		dev = v->vm_file->f_inode->i_dev;
		ino = v->vm_file->f_inode->i_ino;
		pgoff = (unsigned long long)v->vm_pgoff << PAGE_SHIFT;
		file_path(v->vm_file, path, sizeof(path));
		name = path;
	} else if (v->vm_special_name) {
		name = v->vm_special_name;
	} else if (v->vm_start < mm->brk && v->vm_end > mm->start_brk) {
		name = "[heap]";
	} else if (v->vm_start <= mm->start_stack && v->vm_end >= mm->start_stack) {
		name = "[stack]";
	}
	show_header(m, v->vm_start, v->vm_end, v->vm_flags, pgoff, dev, ino, name);
}

static void show_gate_vma(struct seq_buf *m)
{
	show_header(m, VSYSCALL_ADDR, VSYSCALL_ADDR + PAGE_SIZE, VM_EXEC, 0, 0, 0, "[vsyscall]");
}

void proc_pid_maps_show(struct task_struct *t, struct seq_buf *m)
{
	struct vm_area_struct *v;

	for (v = t->mm->mmap; v; v = v->vm_next)
		show_map_vma(m, t->mm, v);
	show_gate_vma(m);
}

/* VmFlags mnemonics by bit, as show_smap_vma_flags prints them. */
static const struct {
	unsigned long flag;
	const char *name;
} vm_flag_names[] = {
	{ VM_READ, "rd" }, { VM_WRITE, "wr" }, { VM_EXEC, "ex" }, { VM_SHARED, "sh" },
	{ VM_MAYREAD, "mr" }, { VM_MAYWRITE, "mw" }, { VM_MAYEXEC, "me" },
	{ VM_MAYSHARE, "ms" }, { VM_GROWSDOWN, "gd" }, { VM_PFNMAP, "pf" },
	{ VM_LOCKED, "lo" }, { VM_IO, "io" }, { VM_SEQ_READ, "sr" }, { VM_RAND_READ, "rr" },
	{ VM_DONTCOPY, "dc" }, { VM_DONTEXPAND, "de" }, { VM_LOCKONFAULT, "lf" }, { VM_ACCOUNT, "ac" },
	{ VM_NORESERVE, "nr" }, { VM_HUGETLB, "ht" }, { VM_WIPEONFORK, "wf" },
	{ VM_DONTDUMP, "dd" }, { VM_SOFTDIRTY, "sd" }, { VM_HUGEPAGE, "hg" },
	{ VM_NOHUGEPAGE, "nh" }, { VM_MERGEABLE, "mg" },
};

static void show_smap_vma_flags(struct seq_buf *m, unsigned long flags)
{
	size_t i;

	seq_puts(m, "VmFlags: ");
	for (i = 0; i < ARRAY_SIZE(vm_flag_names); i++)
		if (flags & vm_flag_names[i].flag)
			seq_printf(m, "%s ", vm_flag_names[i].name);
	seq_putc(m, '\n');
}

/*
 * THPeligible: could a huge page back part of this VMA?  Under the
 * default "madvise" policy: anonymous private memory marked
 * MADV_HUGEPAGE that spans an aligned 2 MiB range.
 */
static int thp_eligible(const struct vm_area_struct *v)
{
	unsigned long huge = 2ul << 20;

	if (v->vm_file || (v->vm_flags & (VM_SPECIAL | VM_NOHUGEPAGE | VM_SHARED)) ||
	    !(v->vm_flags & VM_HUGEPAGE))
		return 0;
	return ALIGN(v->vm_start, huge) + huge <= v->vm_end;
}

static void show_smap_kb(struct seq_buf *m, const char *label, unsigned long kb)
{
	seq_printf(m, "%-16s%8lu kB\n", label, kb);
}

/* What smaps adds up over a VMA's PTEs (smaps_pte_entry). */
struct mem_size_stats {
	unsigned long resident, shared_clean, shared_dirty, private_clean, private_dirty;
	unsigned long referenced, anonymous;
	unsigned long long pss, pss_dirty;	/* bytes << PSS_SHIFT */
};

#define PSS_SHIFT	12

static void smaps_account(struct mem_size_stats *mss, struct page *page, bool young, bool dirty)
{
	int mapcount = page_mapcount(page);
	unsigned long long pss = (unsigned long long)PAGE_SIZE << PSS_SHIFT;

	dirty = dirty || PageDirty(page);
	mss->resident += PAGE_SIZE;
	if (young || PageReferenced(page))
		mss->referenced += PAGE_SIZE;
	if ((unsigned long)page->mapping & 1)
		mss->anonymous += PAGE_SIZE;
	if (mapcount >= 2) {
		pss /= (unsigned long)mapcount;
		if (dirty)
			mss->shared_dirty += PAGE_SIZE;
		else
			mss->shared_clean += PAGE_SIZE;
	} else if (dirty) {
		mss->private_dirty += PAGE_SIZE;
	} else {
		mss->private_clean += PAGE_SIZE;
	}
	mss->pss += pss;
	if (dirty)
		mss->pss_dirty += pss;
}

/* The zero page is no one's memory: smaps does not count it. */
static void smaps_walk(struct vm_area_struct *v, struct mem_size_stats *mss)
{
	unsigned long a, zero = v->vm_mm->kmm->mem->zero_page ? page_to_pfn(v->vm_mm->kmm->mem->zero_page) : ~0ul;

	for (a = v->vm_start; a < v->vm_end; a += PAGE_SIZE) {
		pte_t *pte = pte_lookup(v->vm_mm, a), e;

		if (!pte) {
			a = ((a & PMD_MASK) + PMD_SIZE) - PAGE_SIZE;
			continue;
		}
		e = ptep_get(pte);
		if (!pte_mapped(e) || pte_pfn(e) == zero)
			continue;
		smaps_account(mss, pte_page(e), pte_young(e), pte_dirty(e));
	}
}

/* The lines after the header of one VMA (or of the gate page, mss empty). */
static void show_smap(struct seq_buf *m, unsigned long size, const struct mem_size_stats *mss,
		      bool locked, int thp, int pkey)
{
	unsigned long pss_kb = (unsigned long)(mss->pss >> (10 + PSS_SHIFT));
	static const char *const none[] = {
		"KSM:", "LazyFree:", "AnonHugePages:", "ShmemPmdMapped:", "FilePmdMapped:",
		"Shared_Hugetlb:", "Private_Hugetlb:", "Swap:", "SwapPss:",
	};
	size_t i;

	show_smap_kb(m, "Size:", size >> 10);
	show_smap_kb(m, "KernelPageSize:", PAGE_SIZE >> 10);
	show_smap_kb(m, "MMUPageSize:", PAGE_SIZE >> 10);
	show_smap_kb(m, "Rss:", mss->resident >> 10);
	show_smap_kb(m, "Pss:", pss_kb);
	show_smap_kb(m, "Pss_Dirty:", (unsigned long)(mss->pss_dirty >> (10 + PSS_SHIFT)));
	show_smap_kb(m, "Shared_Clean:", mss->shared_clean >> 10);
	show_smap_kb(m, "Shared_Dirty:", mss->shared_dirty >> 10);
	show_smap_kb(m, "Private_Clean:", mss->private_clean >> 10);
	show_smap_kb(m, "Private_Dirty:", mss->private_dirty >> 10);
	show_smap_kb(m, "Referenced:", mss->referenced >> 10);
	show_smap_kb(m, "Anonymous:", mss->anonymous >> 10);
	for (i = 0; i < ARRAY_SIZE(none); i++)	/* no KSM, THP, hugetlb or swap yet */
		show_smap_kb(m, none[i], 0);
	show_smap_kb(m, "Locked:", locked ? pss_kb : 0);
	seq_printf(m, "THPeligible:    %8d\n", thp);
	if (arch_pkeys_enabled())
		seq_printf(m, "ProtectionKey:  %8d\n", pkey);
}

void proc_pid_smaps_show(struct task_struct *t, struct seq_buf *m)
{
	static const struct mem_size_stats gate;
	struct vm_area_struct *v;

	for (v = t->mm->mmap; v; v = v->vm_next) {
		struct mem_size_stats mss = { 0 };

		smaps_walk(v, &mss);
		show_map_vma(m, t->mm, v);
		show_smap(m, v->vm_end - v->vm_start, &mss, v->vm_flags & VM_LOCKED, thp_eligible(v),
			  vma_pkey(v));
		show_smap_vma_flags(m, v->vm_flags);
	}
	show_gate_vma(m);
	show_smap(m, PAGE_SIZE, &gate, false, 0, 0);
	show_smap_vma_flags(m, VM_EXEC);
}
