/*
 * tests/hw/test_mmu.c - page tables and the MMU walk: hand-built tables
 * for every level and leaf size, every fault reason, accessed/dirty bits,
 * and the kernel's direct map landing on the very bytes the library hands
 * out.
 */
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

static struct kmm *boot(unsigned long mem)
{
	struct kmm_config cfg = { .mem = mem, .cpus = 1, .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

#define VA_4K	0x00007f0000001000ul
#define VA_2M	0x00007f0040000000ul
#define VA_1G	0x00007f8000000000ul

TEST(hand_built_tables_every_leaf_size)
{
	struct kmm *k = boot(64ul << 20);
	unsigned long before, tables_before;
	struct page *p4k, *p2m;
	struct mmu_walk w;
	pgd_t *pgd;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	ASSERT_NOT_NULL(k);
	drain_all_pages(NULL);
	before = nr_free_pages();
	tables_before = node_page_state(&k->mem->node, NR_PAGE_TABLE_PAGES);
	pgd = pgd_alloc();
	p4k = alloc_page(GFP_KERNEL);
	p2m = alloc_pages(GFP_KERNEL, 9);
	/* A user 4K page, read-only. */
	pud = pud_alloc(pgd_offset_pgd(pgd, VA_4K), VA_4K);
	pmd = pmd_alloc(pud, VA_4K);
	pte = pte_alloc_kernel(pmd, VA_4K);
	set_pte(pte, pte_mkold(mk_pte(p4k, PAGE_READONLY)));
	ASSERT_EQ(node_page_state(&k->mem->node, NR_PAGE_TABLE_PAGES), tables_before + 4);
	/* A user 2M leaf, writable. */
	pud = pud_alloc(pgd_offset_pgd(pgd, VA_2M), VA_2M);
	pmd = pmd_alloc(pud, VA_2M);
	set_pmd(pmd, __pmd(page_to_phys(p2m) | pgprot_val(PAGE_SHARED) | _PAGE_PSE));
	/* A kernel 1G leaf (no U bit), onto physical 0. */
	pud = pud_alloc(pgd_offset_pgd(pgd, VA_1G), VA_1G);
	set_pud(pud, __pud(0 | pgprot_val(PAGE_KERNEL_LARGE)));

	ASSERT_EQ(mmu_walk(pgd, VA_4K + 0x123, PF_USER | PF_PEEK, &w), 0);
	ASSERT_FALSE(pte_young(*pte));			/* a peek changes nothing */
	ASSERT_EQ(mmu_walk(pgd, VA_4K + 0x123, PF_USER, &w), 0);
	ASSERT_EQ(w.phys, page_to_phys(p4k) + 0x123);
	ASSERT_EQ(w.page_size, PAGE_SIZE);
	ASSERT_TRUE(pte_young(*pte));			/* the MMU set A */
	ASSERT_FALSE(pte_dirty(*pte));
	ASSERT_EQ(mmu_walk(pgd, VA_4K, PF_USER | PF_WRITE, &w), PF_FAULT | PF_PROT | PF_USER | PF_WRITE);
	ASSERT_EQ(w.level, PT_PTE);
	ASSERT_EQ(mmu_walk(pgd, VA_4K, PF_USER | PF_INSTR, &w), PF_FAULT | PF_PROT | PF_USER | PF_INSTR);

	ASSERT_EQ(mmu_walk(pgd, VA_2M + 0x12345, PF_USER | PF_WRITE, &w), 0);
	ASSERT_EQ(w.phys, page_to_phys(p2m) + 0x12345);
	ASSERT_EQ(w.page_size, PMD_SIZE);
	ASSERT_TRUE(pmd_val(*pmd) & _PAGE_DIRTY);	/* a write sets D on the leaf */

	ASSERT_EQ(mmu_walk(pgd, VA_1G + 0x2345678, 0, &w), 0);
	ASSERT_EQ(w.phys, 0x2345678);
	ASSERT_EQ(w.page_size, PUD_SIZE);
	ASSERT_EQ(mmu_walk(pgd, VA_1G, PF_USER, &w), PF_FAULT | PF_PROT | PF_USER);

	/* Not present at each level, and which one. */
	ASSERT_EQ(mmu_walk(pgd, 0x0000100000000000ul, 0, &w), PF_FAULT);
	ASSERT_EQ(w.level, PT_PGD);
	ASSERT_EQ(mmu_walk(pgd, VA_4K + 2 * PUD_SIZE, PF_WRITE, &w), PF_FAULT | PF_WRITE);
	ASSERT_EQ(w.level, PT_PUD);
	ASSERT_EQ(mmu_walk(pgd, VA_4K + PMD_SIZE, 0, &w), PF_FAULT);
	ASSERT_EQ(w.level, PT_PMD);
	ASSERT_EQ(mmu_walk(pgd, VA_4K + PAGE_SIZE, 0, &w), PF_FAULT);
	ASSERT_EQ(w.level, PT_PTE);
	ASSERT_EQ(mmu_walk(pgd, 0x0000800000000000ul, 0, &w), PF_FAULT | PF_NONCANONICAL);
	/* Clearing the PTE unmaps it; freeing the tables gives every page back. */
	pte_clear(pte);
	ASSERT_EQ(mmu_walk(pgd, VA_4K, 0, &w), PF_FAULT);
	pte_free_kernel(pte);
	pmd_free(pmd_offset(pud_offset(p4d_offset(pgd_offset_pgd(pgd, VA_4K), VA_4K), VA_4K), VA_4K));
	pud_free(pud_offset(p4d_offset(pgd_offset_pgd(pgd, VA_4K), VA_4K), VA_4K));
	pmd_free(pmd);
	pud_free(pud_offset(p4d_offset(pgd_offset_pgd(pgd, VA_2M), VA_2M), VA_2M));
	pud_free(pud);
	pgd_free(pgd);
	__free_page(p4k);
	__free_pages(p2m, 9);
	ASSERT_EQ(node_page_state(&k->mem->node, NR_PAGE_TABLE_PAGES), tables_before);
	drain_all_pages(NULL);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

/* The kernel's direct map lands on the bytes the library hands out. */
TEST(direct_map_matches_host_pointers)
{
	struct kmm *k = boot(6ul << 30);
	struct mmu_walk w;
	unsigned long i, pfn;

	ASSERT_NOT_NULL(k);
	for (i = 0; i < 200; i++) {
		struct page *page = alloc_pages(GFP_KERNEL, 0);
		unsigned char *host = page_address(page);
		unsigned long kaddr = kmm_kaddr(host) + 0x77;

		ASSERT_EQ(mmu_walk(swapper_pg_dir(), kaddr, PF_WRITE, &w), 0);
		ASSERT_EQ(w.phys, page_to_phys(page) + 0x77);
		host[0x77] = (unsigned char)i;
		ASSERT_EQ(*(unsigned char *)phys_to_virt(w.phys), (unsigned char)i);
		/* Kernel pages are not for user mode, nor for execution. */
		ASSERT_EQ(mmu_walk(swapper_pg_dir(), kaddr, PF_USER, &w),
			  PF_FAULT | PF_PROT | PF_USER);
		ASSERT_EQ(mmu_walk(swapper_pg_dir(), kaddr, PF_INSTR, &w),
			  PF_FAULT | PF_PROT | PF_INSTR);
		__free_page(page);
	}
	/* Every RAM frame, in every kind of leaf, and nothing in the PCI hole. */
	for (pfn = 1; pfn < k->mem->max_pfn; pfn += 4093) {
		int err = mmu_walk(swapper_pg_dir(), PAGE_OFFSET + PFN_PHYS(pfn), 0, &w);

		if (memblock_is_memory(&k->mem->memblock, PFN_PHYS(pfn))) {
			ASSERT_EQ(err, 0);
			ASSERT_EQ(w.phys, PFN_PHYS(pfn));
		} else {
			ASSERT_EQ(err, PF_FAULT);
		}
	}
	ASSERT_TRUE(k->mem->direct_pages_count[2] > 0);	/* RAM above 4G: 1G leaves */
	ASSERT_TRUE(k->mem->direct_pages_count[1] > 0);
	ASSERT_TRUE(k->mem->direct_pages_count[0] > 0);
	kmm_shutdown(k);
}

/* A new address space shares the kernel half of swapper_pg_dir. */
TEST(pgd_alloc_shares_kernel_half)
{
	struct kmm *k = boot(64ul << 20);
	struct mmu_walk w;
	char line[256];
	pgd_t *pgd;

	ASSERT_NOT_NULL(k);
	pgd = pgd_alloc();
	ASSERT_EQ(mmu_walk(pgd, PAGE_OFFSET + 0x200000, 0, &w), 0);
	ASSERT_EQ(w.phys, 0x200000);
	ASSERT_EQ(mmu_walk(pgd, 0x400000, 0, &w), PF_FAULT);	/* user half empty */
	mmu_describe(swapper_pg_dir(), PAGE_OFFSET + 0x200123, line, sizeof(line));
	ASSERT_CONTAINS(line, "pgd[273]=");
	ASSERT_CONTAINS(line, "-> phys 0x200123 (2M page)");
	mmu_describe(swapper_pg_dir(), PAGE_OFFSET + (4ul << 30), line, sizeof(line));
	ASSERT_CONTAINS(line, "-> not present at pud");
	pgd_free(pgd);
	kmm_shutdown(k);
}

/* paging=2: the textbook i386 layout, 10/10/12, 3G/1G split. */
TEST(two_level_32bit_view)
{
	struct kmm_config cfg = { .mem = 1ul << 30, .cpus = 1, .quiet = 1, .paging = 2 };
	struct kmm *k = kmm_boot(&cfg);
	struct mmu_walk w;
	char line[256];
	uint32_t *pgd;

	ASSERT_NOT_NULL(k);
	pgd = k->mem->swapper_pg_dir32;
	ASSERT_NOT_NULL(pgd);
	ASSERT_EQ(mmu_walk32(pgd, 0xc0012345u, PF_PEEK, &w), 0);	/* first 4M: 4K pages */
	ASSERT_EQ(w.phys, 0x12345);
	ASSERT_EQ(w.page_size, PAGE_SIZE);
	ASSERT_EQ(w.index[0], 768);				/* 3G / 4M */
	ASSERT_EQ(w.index[1], 0x12);
	ASSERT_EQ(mmu_walk32(pgd, 0xc0412345u, PF_WRITE, &w), 0);	/* then 4M PSE leaves */
	ASSERT_EQ(w.page_size, 4ul << 20);
	ASSERT_EQ(w.phys, 0x412345);
	ASSERT_TRUE(pgd[769] & _PAGE_DIRTY);
	ASSERT_EQ(mmu_walk32(pgd, 0xc0412345u, PF_USER, &w), PF_FAULT | PF_PROT | PF_USER);
	ASSERT_EQ(mmu_walk32(pgd, 0xc009f000u, 0, &w), PF_FAULT);	/* the VGA hole */
	ASSERT_EQ(w.level, PT_PTE);
	ASSERT_EQ(mmu_walk32(pgd, 0xf8000000u, 0, &w), PF_FAULT);	/* past 896M lowmem */
	ASSERT_EQ(w.level, PT_PGD);
	ASSERT_EQ(mmu_walk32(pgd, 0x08048000u, 0, &w), PF_FAULT);	/* user space: empty */
	mmu_describe32(pgd, 0xc0412345u, line, sizeof(line));
	ASSERT_STR_EQ(line, "pgd[769]=0x4001e3 -> phys 0x412345 (4M page)");
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(hand_built_tables_every_leaf_size);
	RUN_TEST(direct_map_matches_host_pointers);
	RUN_TEST(pgd_alloc_shares_kernel_half);
	RUN_TEST(two_level_32bit_view);
	return harness_summary();
}
