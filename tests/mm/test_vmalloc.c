/*
 * tests/mm/test_vmalloc.c - vmalloc: big buffers out of fragmented RAM,
 * guard pages, page tables given back, lazy purge, vmap, ioremap, bad
 * input, /proc/vmallocinfo.
 */
#include <stdint.h>
#include "mm/slab.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

static struct kmm *boot(unsigned long mem)
{
	struct kmm_config cfg = { .mem = mem, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

/* Everything the machine has, then every other half-block freed: no free
 * block above order 2 remains.  Returns the pages still held. */
static struct page **fragment(unsigned long *n)
{
	struct page **held = NULL, *p;
	unsigned long cap = 0, i, kept = 0;

	*n = 0;
	while ((p = alloc_page(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN))) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8192;
			held = realloc(held, cap * sizeof(*held));
		}
		held[(*n)++] = p;
	}
	for (i = 0; i < *n; i++) {
		if ((page_to_pfn(held[i]) & 7) < 4)
			__free_page(held[i]);
		else
			held[kept++] = held[i];
	}
	*n = kept;
	drain_all_pages(NULL);
	return held;
}

TEST(vmalloc_64m_from_fragmented_ram)
{
	struct kmm *k = boot(256ul << 20);
	char before[4096], after[4096];
	unsigned long n, off;
	struct page **held;
	unsigned char *buf;

	ASSERT_NOT_NULL(k);
	held = fragment(&n);
	ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 3));	/* nothing above order 2 */
	ASSERT_NULL(kmalloc(4ul << 20, GFP_KERNEL | __GFP_NOWARN));
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	kmm_proc_read("/proc/buddyinfo", before, sizeof(before));
	buf = vmalloc(64ul << 20);
	ASSERT_NOT_NULL(buf);
	ASSERT_TRUE(is_vmalloc_addr(buf));
	/* Written through the vmalloc pointer, read through each frame. */
	for (off = 0; off < (64ul << 20); off += PAGE_SIZE)
		*(uint64_t *)(buf + off + 8) = off ^ 0xfeedfacecafef00dull;
	for (off = 0; off < (64ul << 20); off += PAGE_SIZE) {
		struct page *p = vmalloc_to_page(buf + off);

		ASSERT_NOT_NULL(p);
		if (*(uint64_t *)((char *)page_address(p) + 8) != (off ^ 0xfeedfacecafef00dull))
			TEST_FAIL_("offset %#lx: frame %#lx holds other bytes", off, page_to_pfn(p));
	}
	/* The buffer and its 128 KiB page array, itself vmalloc()ed. */
	ASSERT_EQ(vmalloc_nr_pages(), ((64ul << 20) >> PAGE_SHIFT) + 32);
	vfree(buf);
	vm_unmap_aliases();
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	kmm_proc_read("/proc/buddyinfo", after, sizeof(after));
	ASSERT_STR_EQ(after, before);
	ASSERT_EQ(check_vmalloc_invariants(), 0);
	while (n)
		__free_page(held[--n]);
	free(held);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(guard_page_after_each_area)
{
	struct kmm *k = boot(64ul << 20);
	struct mmu_walk w;
	char *a, *b;
	unsigned long ka;

	ASSERT_NOT_NULL(k);
	a = vmalloc(3 * PAGE_SIZE);
	b = vmalloc(PAGE_SIZE);
	ka = kmm_kaddr(a);
	ASSERT_TRUE(ka >= VMALLOC_START);
	ASSERT_EQ(mmu_walk(swapper_pg_dir(), ka + 2 * PAGE_SIZE, PF_WRITE, &w), 0);
	ASSERT_EQ(mmu_walk(swapper_pg_dir(), ka + 3 * PAGE_SIZE, 0, &w), PF_FAULT);
	ASSERT_EQ(w.level, PT_PTE);
	ASSERT_EQ(kmm_kaddr(b), ka + 4 * PAGE_SIZE);	/* lowest fit, after the guard */
	vfree(a);
	vfree(b);
	kmm_shutdown(k);
}

TEST(no_leak_across_10000_cycles)
{
	struct kmm *k = boot(64ul << 20);
	unsigned long before, tables, i;

	ASSERT_NOT_NULL(k);
	vfree(vmalloc(PAGE_SIZE));	/* warm the slab caches it uses */
	vm_unmap_aliases();
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	before = nr_free_pages();
	tables = node_page_state(&k->mem->node, NR_PAGE_TABLE_PAGES);
	for (i = 0; i < 10000; i++) {
		char *p = vmalloc((i % 17 + 1) * PAGE_SIZE);

		ASSERT_NOT_NULL(p);
		p[0] = 1;
		vfree(p);
	}
	vm_unmap_aliases();
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	ASSERT_EQ(node_page_state(&k->mem->node, NR_PAGE_TABLE_PAGES), tables);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_EQ(check_vmalloc_invariants(), 0);
	kmm_shutdown(k);
}

TEST(random_sizes_keep_the_free_tree_right)
{
	struct kmm *k = boot(128ul << 20);
	static void *live[300];
	uint64_t r = TEST_SEED() * 31 + 5;
	int i, step;

	ASSERT_NOT_NULL(k);
	for (step = 0; step < 3000; step++) {
		i = (int)((r = r * 6364136223846793005ull + 1442695040888963407ull) >> 40) % 300;
		if (live[i]) {
			vfree(live[i]);
			live[i] = NULL;
		} else {
			live[i] = vmalloc(((r >> 20) % 64 + 1) * PAGE_SIZE);
			ASSERT_NOT_NULL(live[i]);
		}
		if (step % 100 == 0)
			ASSERT_EQ(check_vmalloc_invariants(), 0);
	}
	for (i = 0; i < 300; i++)
		vfree(live[i]);
	vm_unmap_aliases();
	ASSERT_EQ(check_vmalloc_invariants(), 0);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(bad_input_is_reported)
{
	struct kmm *k = boot(64ul << 20);
	char *p;

	ASSERT_NOT_NULL(k);
	ASSERT_NULL(vmalloc(0));
	ASSERT_CONTAINS(last_report, "zero size");
	ASSERT_NULL(vmalloc(~0ul - 100));
	ASSERT_CONTAINS(last_report, "exceeds");
	p = vmalloc(2 * PAGE_SIZE);
	vfree(p + PAGE_SIZE);
	ASSERT_CONTAINS(last_report, "Trying to vfree() bad address (");
	ASSERT_CONTAINS(last_report, "): 0x1000 bytes into a vmalloc() area, not its start\n");
	vfree(p);
	vfree(p);
	ASSERT_CONTAINS(last_report, "Trying to vfree() nonexistent vm area (");
	ASSERT_CONTAINS(last_report, "): already freed\n");
	vfree((void *)0x1234);
	ASSERT_STR_EQ(last_report, "WARNING: vfree: Trying to vfree() nonexistent vm area (0x1234)\n");
	ASSERT_EQ(check_vmalloc_invariants(), 0);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

/*
 * Each call's warning names that call, in Linux's words ("Trying to
 * vunmap() nonexistent vm area (%p)", x86's "iounmap: bad address %p"),
 * and an area given to the wrong call says what made it.
 */
TEST(bad_unmaps_name_their_call)
{
	struct kmm *k = boot(64ul << 20);
	unsigned long before;
	struct page *pages[2];
	char want[160];
	char *v, *m, *io;

	ASSERT_NOT_NULL(k);
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	v = vmap(pages, 2, 0, PAGE_KERNEL);
	ASSERT_NOT_NULL(v);
	vunmap((void *)0x1234);
	ASSERT_STR_EQ(last_report, "WARNING: vunmap: Trying to vunmap() nonexistent vm area (0x1234)\n");
	vunmap(v + PAGE_SIZE);
	snprintf(want, sizeof(want), "WARNING: vunmap: Trying to vunmap() bad address (%p): "
		 "0x1000 bytes into a vmap() area, not its start\n", v + PAGE_SIZE);
	ASSERT_STR_EQ(last_report, want);
	vfree(v);		/* the wrong call: unmapped, the pages stay ours */
	snprintf(want, sizeof(want), "WARNING: vfree: vm area (%p) was made by vmap(), not "
		 "vmalloc(): unmapped, its pages left to their owner (use vunmap())\n", v);
	ASSERT_STR_EQ(last_report, want);
	vunmap(v);
	snprintf(want, sizeof(want), "WARNING: vunmap: Trying to vunmap() nonexistent vm area "
		 "(%p): already unmapped\n", v);
	ASSERT_STR_EQ(last_report, want);
	ASSERT_EQ(page_ref_count(pages[0]), 1);
	__free_page(pages[0]);
	__free_page(pages[1]);

	/* vunmap of a vmalloc area: its pages are freed, not leaked. */
	vm_unmap_aliases();
	drain_all_pages(NULL);
	before = nr_free_pages();
	m = vmalloc(8 * PAGE_SIZE);
	ASSERT_NOT_NULL(m);
	vunmap(m);
	snprintf(want, sizeof(want), "WARNING: vunmap: vm area (%p) was made by vmalloc(), not "
		 "vmap(): unmapped and its pages freed (use vfree())\n", m);
	ASSERT_STR_EQ(last_report, want);
	vm_unmap_aliases();
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), before);

	io = ioremap(3ul << 30, PAGE_SIZE);
	ASSERT_NOT_NULL(io);
	iounmap(io);
	iounmap(io);
	snprintf(want, sizeof(want), "WARNING: iounmap: bad address (%p): already unmapped\n", io);
	ASSERT_STR_EQ(last_report, want);
	iounmap((void *)0x5000);
	ASSERT_STR_EQ(last_report, "WARNING: iounmap: bad address (0x5000)\n");
	ASSERT_EQ(reports_seen, 7);
	ASSERT_EQ(check_vmalloc_invariants(), 0);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

TEST(vmap_ioremap_and_vmallocinfo)
{
	struct kmm *k = boot(64ul << 20);
	struct page *pages[4];
	char info[8192];
	unsigned char *v, *io;
	struct mmu_walk w;
	int i;

	ASSERT_NOT_NULL(k);
	for (i = 0; i < 4; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		memset(page_address(pages[i]), 'a' + i, PAGE_SIZE);
	}
	v = vmap(pages, 4, 0, PAGE_KERNEL);
	ASSERT_NOT_NULL(v);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(v[i * PAGE_SIZE + 100], 'a' + i);	/* one contiguous view */
	v[PAGE_SIZE * 2] = 'Z';
	ASSERT_EQ(((unsigned char *)page_address(pages[2]))[0], 'Z');
	for (i = 0; i < 4; i++)		/* the simulated walk agrees */
		ASSERT_TRUE(vmalloc_to_page(v + i * PAGE_SIZE) == pages[i]);
	io = ioremap(3ul << 30, 2 * PAGE_SIZE);			/* the PCI window */
	ASSERT_NOT_NULL(io);
	io[5] = 0x42;
	ASSERT_EQ(mmu_walk(swapper_pg_dir(), kmm_kaddr(io), 0, &w), 0);
	ASSERT_EQ(w.phys, 3ul << 30);
	ASSERT_TRUE(w.entries[3] & _PAGE_PCD);			/* uncached */
	ASSERT_NULL(ioremap(0x200000, PAGE_SIZE));		/* RAM: refused */
	kmm_proc_read("/proc/vmallocinfo", info, sizeof(info));
	ASSERT_CONTAINS(info, "   20480 ");
	ASSERT_CONTAINS(info, " pages=4 vmap N0=4\n");
	ASSERT_CONTAINS(info, " phys=0x00000000c0000000 ioremap\n");
	ASSERT_EQ(strncmp(info, "0xffffc90000000000-0xffffc90000005000 ", 38), 0);
	vunmap(v);
	iounmap(io);
	for (i = 0; i < 4; i++)
		__free_page(pages[i]);
	kmm_proc_read("/proc/vmallocinfo", info, sizeof(info));
	ASSERT_CONTAINS(info, "unpurged vm_area");
	vm_unmap_aliases();
	kmm_proc_read("/proc/vmallocinfo", info, sizeof(info));
	ASSERT_STR_EQ(info, "");
	kmm_shutdown(k);
}

TEST(kvmalloc_falls_back_to_vmalloc)
{
	struct kmm *k = boot(64ul << 20);
	unsigned long n;
	struct page **held;
	char *p;

	ASSERT_NOT_NULL(k);
	held = fragment(&n);
	p = kvmalloc(1ul << 20, GFP_KERNEL);		/* 1 MiB: no order-8 block left */
	ASSERT_NOT_NULL(p);
	ASSERT_TRUE(is_vmalloc_addr(p));
	memset(p, 7, 1ul << 20);
	kvfree(p);
	p = kvmalloc(100, GFP_KERNEL);			/* small: kmalloc */
	ASSERT_FALSE(is_vmalloc_addr(p));
	kvfree(p);
	while (n)
		__free_page(held[--n]);
	free(held);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

TEST(vmalloc_huge_uses_2m_leaves)
{
	struct kmm *k = boot(256ul << 20);
	struct mmu_walk w;
	unsigned long before, off;
	unsigned char *p;

	ASSERT_NOT_NULL(k);
	drain_all_pages(NULL);
	before = nr_free_pages();
	p = vmalloc_huge(5ul << 20, GFP_KERNEL);	/* rounded up to 6 MiB */
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(kmm_kaddr(p) & (PMD_SIZE - 1), 0);
	ASSERT_EQ(mmu_walk(swapper_pg_dir(), kmm_kaddr(p) + 0x300123, PF_WRITE, &w), 0);
	ASSERT_EQ(w.page_size, PMD_SIZE);
	for (off = 0; off < (6ul << 20); off += 4096)
		p[off] = (unsigned char)(off >> 12);
	for (off = 0; off < (6ul << 20); off += 4096)
		ASSERT_EQ(*(unsigned char *)page_address(vmalloc_to_page(p + off)), (unsigned char)(off >> 12));
	vfree(p);
	vm_unmap_aliases();
	kmm_slab_shrink_all(k);
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_EQ(check_buddy_invariants(), 0);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

/*
 * A mapping that fails part way leaves no page table behind: the levels
 * are filled top down, and a table allocated above one that could not be
 * had nothing under it, which the unmap did not free (one page per
 * failure).  Each allocation of vmalloc fails in turn (fail-nth).
 */
TEST(failed_mapping_leaves_no_empty_table)
{
	struct kmm *k = boot(64ul << 20);
	long tables;
	unsigned int n, left = 0;

	ASSERT_NOT_NULL(k);
	kmm_fault_write("fail_page_alloc", "ignore-gfp-wait", 0);
	kmm_fault_write("fail_page_alloc", "min-order", 0);
	kmm_fault_write("fail_page_alloc", "verbose", 0);
	kmm_fault_write("failslab", "ignore-gfp-wait", 0);
	kmm_fault_write("failslab", "verbose", 0);
	tables = (long)k->mem->node.vm_stat[NR_PAGE_TABLE_PAGES];
	for (n = 1; n < 1000 && !left; n++) {
		void *p;

		kmm_fail_nth_write(n);
		p = vmalloc(64 << 10);
		left = kmm_fail_nth_read();
		kmm_fail_nth_write(0);
		vfree(p);
		vm_unmap_aliases();
		if ((long)k->mem->node.vm_stat[NR_PAGE_TABLE_PAGES] != tables)
			TEST_FAIL_("allocation %u failed: %ld page tables more", n,
				   (long)k->mem->node.vm_stat[NR_PAGE_TABLE_PAGES] - tables);
	}
	ASSERT_TRUE(left);
	ASSERT_EQ(check_vmalloc_invariants(), 0);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(vmalloc_64m_from_fragmented_ram);
	RUN_TEST(guard_page_after_each_area);
	RUN_TEST(no_leak_across_10000_cycles);
	RUN_TEST(random_sizes_keep_the_free_tree_right);
	RUN_TEST(bad_input_is_reported);
	RUN_TEST(bad_unmaps_name_their_call);
	RUN_TEST(vmap_ioremap_and_vmallocinfo);
	RUN_TEST(kvmalloc_falls_back_to_vmalloc);
	RUN_TEST(vmalloc_huge_uses_2m_leaves);
	RUN_TEST(failed_mapping_leaves_no_empty_table);
	return harness_summary();
}
