/*
 * proc/meminfo.c - /proc/meminfo in Linux 6.18's format (x86-64 with the
 * usual configuration).  Lines for subsystems kmm does not have yet print
 * what this machine really has of them: zero.
 */
#include "proc/internal.h"
#include "block/machine.h"
#include <kmm/vmalloc.h>
#include <kmm/swap.h>

static void show_val_kb(struct seq_buf *m, const char *label, unsigned long pages)
{
	seq_printf(m, "%-16s%8lu kB\n", label, pages << (PAGE_SHIFT - 10));
}

static void show_kb(struct seq_buf *m, const char *label, unsigned long kb)
{
	seq_printf(m, "%-16s%8lu kB\n", label, kb);
}

/* Linux's si_mem_available(): what could be had without swapping. */
static long si_mem_available(struct kmm *k)
{
	unsigned long wmark_low = 0, pagecache, reclaimable;
	long available;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		wmark_low += low_wmark_pages(&k->mem->node.node_zones[i]);
	available = (long)__global_zone_page_state(k, NR_FREE_PAGES) -
		    (long)k->mem->totalreserve_pages;
	pagecache = node_page_state(&k->mem->node, NR_ACTIVE_FILE) +
		    node_page_state(&k->mem->node, NR_INACTIVE_FILE);
	pagecache -= min(pagecache / 2, wmark_low);
	available += (long)pagecache;
	reclaimable = node_page_state(&k->mem->node, NR_SLAB_RECLAIMABLE) +
		      node_page_state(&k->mem->node, NR_KERNEL_MISC_RECLAIMABLE);
	available += (long)(reclaimable - min(reclaimable / 2, wmark_low));
	return available < 0 ? 0 : available;
}

void meminfo_show(struct kmm *k, struct seq_buf *m)
{
	const pg_data_t *n = &k->mem->node;
	unsigned long swap_total, swap_free;

	show_val_kb(m, "MemTotal:", __totalram_pages(k));
	show_val_kb(m, "MemFree:", __global_zone_page_state(k, NR_FREE_PAGES));
	show_val_kb(m, "MemAvailable:", (unsigned long)si_mem_available(k));
	/* The block devices' caches are Buffers, not Cached (nr_blockdev_pages). */
	show_val_kb(m, "Buffers:", nr_blockdev_pages(k));
	show_val_kb(m, "Cached:", node_page_state(n, NR_FILE_PAGES) - nr_blockdev_pages(k));
	show_val_kb(m, "SwapCached:", node_page_state(n, NR_SWAPCACHED));
	show_val_kb(m, "Active:", node_page_state(n, NR_ACTIVE_ANON) + node_page_state(n, NR_ACTIVE_FILE));
	show_val_kb(m, "Inactive:", node_page_state(n, NR_INACTIVE_ANON) + node_page_state(n, NR_INACTIVE_FILE));
	show_val_kb(m, "Active(anon):", node_page_state(n, NR_ACTIVE_ANON));
	show_val_kb(m, "Inactive(anon):", node_page_state(n, NR_INACTIVE_ANON));
	show_val_kb(m, "Active(file):", node_page_state(n, NR_ACTIVE_FILE));
	show_val_kb(m, "Inactive(file):", node_page_state(n, NR_INACTIVE_FILE));
	show_val_kb(m, "Unevictable:", node_page_state(n, NR_UNEVICTABLE));
	show_val_kb(m, "Mlocked:", __global_zone_page_state(k, NR_MLOCK));
	si_swapinfo(k, &swap_total, &swap_free);
	show_val_kb(m, "SwapTotal:", swap_total);
	show_val_kb(m, "SwapFree:", swap_free);
	show_val_kb(m, "Zswap:", 0);
	show_val_kb(m, "Zswapped:", 0);
	show_val_kb(m, "Dirty:", node_page_state(n, NR_DIRTY));
	show_val_kb(m, "Writeback:", node_page_state(n, NR_WRITEBACK));
	show_val_kb(m, "AnonPages:", node_page_state(n, NR_ANON_PAGES));
	show_val_kb(m, "Mapped:", node_page_state(n, NR_MAPPED));
	show_val_kb(m, "Shmem:", node_page_state(n, NR_SHMEM));
	show_val_kb(m, "KReclaimable:", node_page_state(n, NR_SLAB_RECLAIMABLE) +
		    node_page_state(n, NR_KERNEL_MISC_RECLAIMABLE));
	show_val_kb(m, "Slab:", node_page_state(n, NR_SLAB_RECLAIMABLE) +
		    node_page_state(n, NR_SLAB_UNRECLAIMABLE));
	show_val_kb(m, "SReclaimable:", node_page_state(n, NR_SLAB_RECLAIMABLE));
	show_val_kb(m, "SUnreclaim:", node_page_state(n, NR_SLAB_UNRECLAIMABLE));
	show_kb(m, "KernelStack:", node_page_state(n, NR_KERNEL_STACK));
	show_val_kb(m, "PageTables:", node_page_state(n, NR_PAGE_TABLE_PAGES));
	show_val_kb(m, "SecPageTables:", node_page_state(n, NR_SEC_PAGE_TABLE_PAGES));
	show_val_kb(m, "NFS_Unstable:", 0);
	show_val_kb(m, "Bounce:", 0);
	show_val_kb(m, "WritebackTmp:", 0);
	show_val_kb(m, "CommitLimit:", vm_commit_limit(k));
	show_val_kb(m, "Committed_AS:", k->mem->vm_committed_as > 0 ? (unsigned long)k->mem->vm_committed_as : 0);
	show_kb(m, "VmallocTotal:", (32ul << 30) - 1);
	show_val_kb(m, "VmallocUsed:", vmalloc_nr_pages());
	show_val_kb(m, "VmallocChunk:", 0);
	show_val_kb(m, "Percpu:", READ_ONCE(k->mem->percpu_pages));
	show_val_kb(m, "AnonHugePages:", 0);
	show_val_kb(m, "ShmemHugePages:", 0);
	show_val_kb(m, "ShmemPmdMapped:", 0);
	show_val_kb(m, "FileHugePages:", 0);
	show_val_kb(m, "FilePmdMapped:", 0);
	show_val_kb(m, "Balloon:", 0);
	seq_printf(m, "HugePages_Total:   %5lu\n", 0ul);
	seq_printf(m, "HugePages_Free:    %5lu\n", 0ul);
	seq_printf(m, "HugePages_Rsvd:    %5lu\n", 0ul);
	seq_printf(m, "HugePages_Surp:    %5lu\n", 0ul);
	show_kb(m, "Hugepagesize:", 2048);
	show_kb(m, "Hugetlb:", 0);
	/* What swapper_pg_dir's direct map was built with (mm/pgtable.c). */
	show_kb(m, "DirectMap4k:", k->mem->direct_pages_count[0] << 2);
	show_kb(m, "DirectMap2M:", k->mem->direct_pages_count[1] << 11);
	if (!k->cfg.nogbpages)		/* only a CPU with gbpages has the line */
		show_kb(m, "DirectMap1G:", k->mem->direct_pages_count[2] << 20);
}
