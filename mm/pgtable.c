/*
 * mm/pgtable.c - page-table pages and the kernel's own page table.
 *
 * Table pages are ordinary frames: from memblock while the machine boots
 * (the direct map must exist before the buddy allocator), from the page
 * allocator afterwards, zeroed, typed PageTable and counted in
 * nr_page_table_pages ("PageTables" in /proc/meminfo) like Linux's
 * pagetable_alloc.  swapper_pg_dir maps all RAM at PAGE_OFFSET with the
 * largest leaves alignment allows (1 GiB, 2 MiB, else 4 KiB), as x86-64's
 * kernel_physical_mapping_init does; /proc/meminfo's DirectMap lines count
 * what it built.
 */
#include <errno.h>
#include <string.h>
#include "mm/internal.h"
#include <kmm/pgtable.h>

static void *alloc_table_page(struct kmm *k)
{
	struct page *page;
	void *p;

	if (!k->mem->pgtable_after_boot) {
		phys_addr_t phys = memblock_phys_alloc(&k->mem->memblock, PAGE_SIZE, PAGE_SIZE);

		if (!phys)
			return NULL;
		p = phys_to_virt(phys);
		memset(p, 0, PAGE_SIZE);
		return p;
	}
	page = __alloc_pages(k, GFP_KERNEL | __GFP_ZERO, 0);
	if (!page)
		return NULL;
	__SetPageTable(page);
	__atomic_fetch_add(&k->mem->node.vm_stat[NR_PAGE_TABLE_PAGES], 1, __ATOMIC_RELAXED);
	return page_address(page);
}

static void free_table_page(struct kmm *k, void *table)
{
	struct page *page = virt_to_page(table);

	if (!PageTable(page))
		return;		/* boot tables stay: memblock owns them */
	__ClearPageTable(page);
	__atomic_fetch_sub(&k->mem->node.vm_stat[NR_PAGE_TABLE_PAGES], 1, __ATOMIC_RELAXED);
	___free_pages(k, page, 0);
}

pgd_t *pgd_alloc(void)
{
	struct kmm *k = kmm_cur();
	pgd_t *pgd = alloc_table_page(k);

	/* Every address space shares the kernel half of swapper_pg_dir. */
	if (pgd && k->mem->swapper_pg_dir)
		memcpy(pgd + KERNEL_PGD_BOUNDARY, k->mem->swapper_pg_dir + KERNEL_PGD_BOUNDARY,
		       KERNEL_PGD_BOUNDARY * sizeof(pgd_t));
	return pgd;
}

void pgd_free(pgd_t *pgd)
{
	free_table_page(kmm_cur(), pgd);
}

/* Allocates the next-level table if the entry is empty; 0 or -ENOMEM. */
static int populate(struct kmm *k, unsigned long *entry, unsigned long flags)
{
	void *table;

	if (READ_ONCE(*entry) & _PAGE_PRESENT)
		return 0;
	table = alloc_table_page(k);
	if (!table)
		return -ENOMEM;
	WRITE_ONCE(*entry, virt_to_phys(table) | flags);
	return 0;
}

/* Tables on the way to user pages carry U, as Linux's _PAGE_TABLE. */
static unsigned long table_flags(unsigned long addr)
{
	return addr < TASK_SIZE_MAX ? _PAGE_TABLE : _KERNPG_TABLE;
}

pud_t *pud_alloc(pgd_t *pgd, unsigned long addr)
{
	if (populate(kmm_cur(), &pgd->pgd, table_flags(addr)))
		return NULL;
	return pud_offset(p4d_offset(pgd, addr), addr);
}

pmd_t *pmd_alloc(pud_t *pud, unsigned long addr)
{
	if (populate(kmm_cur(), &pud->pud, table_flags(addr)))
		return NULL;
	return pmd_offset(pud, addr);
}

pte_t *pte_alloc_kernel(pmd_t *pmd, unsigned long addr)
{
	if (populate(kmm_cur(), &pmd->pmd, table_flags(addr)))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

/*
 * Linux's pte_alloc: the PTE table under a user pmd, made if there is
 * none and charged to mm's page tables (VmPTE); NULL without memory.
 */
pte_t *pte_alloc(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	if (!pmd_present(*pmd)) {
		if (populate(mm->kmm, &pmd->pmd, _PAGE_TABLE))
			return NULL;
		mm->pgtables_bytes += PAGE_SIZE;
	}
	return pte_offset_kernel(pmd, addr);
}

void pte_free_kernel(pte_t *pte)
{
	free_table_page(kmm_cur(), (void *)((unsigned long)pte & PAGE_MASK));
}

void pmd_free(pmd_t *pmd)
{
	free_table_page(kmm_cur(), (void *)((unsigned long)pmd & PAGE_MASK));
}

void pud_free(pud_t *pud)
{
	free_table_page(kmm_cur(), (void *)((unsigned long)pud & PAGE_MASK));
}

pgd_t *swapper_pg_dir(void)
{
	return kmm_cur()->mem->swapper_pg_dir;
}

/* Maps [phys, phys + size) at PAGE_OFFSET + phys in the largest leaves. */
static int map_direct_range(struct kmm *k, phys_addr_t phys, phys_addr_t end)
{
	while (phys < end) {
		unsigned long va = PAGE_OFFSET + phys;
		pgd_t *pgd = k->mem->swapper_pg_dir + pgd_index(va);
		pud_t *pud;
		pmd_t *pmd;
		pte_t *pte;

		if (populate(k, &pgd->pgd, _KERNPG_TABLE))
			return -ENOMEM;
		pud = pud_offset(p4d_offset(pgd, va), va);
		if (!k->cfg.nogbpages && IS_ALIGNED(phys, PUD_SIZE) && phys + PUD_SIZE <= end) {
			set_pud(pud, __pud(phys | pgprot_val(PAGE_KERNEL_LARGE)));
			k->mem->direct_pages_count[2]++;
			phys += PUD_SIZE;
			continue;
		}
		if (populate(k, &pud->pud, _KERNPG_TABLE))
			return -ENOMEM;
		pmd = pmd_offset(pud, va);
		if (IS_ALIGNED(phys, PMD_SIZE) && phys + PMD_SIZE <= end) {
			set_pmd(pmd, __pmd(phys | pgprot_val(PAGE_KERNEL_LARGE)));
			k->mem->direct_pages_count[1]++;
			phys += PMD_SIZE;
			continue;
		}
		if (populate(k, &pmd->pmd, _KERNPG_TABLE))
			return -ENOMEM;
		pte = pte_offset_kernel(pmd, va);
		set_pte(pte, pfn_pte(PHYS_PFN(phys), PAGE_KERNEL));
		k->mem->direct_pages_count[0]++;
		phys += PAGE_SIZE;
	}
	return 0;
}

int map_direct_memory(struct kmm *k, phys_addr_t start, phys_addr_t end)
{
	return map_direct_range(k, start, end);
}

static bool table_is_empty(const void *entry)
{
	const unsigned long *table = (const unsigned long *)((unsigned long)entry & PAGE_MASK);

	for (int i = 0; i < 512; i++)
		if (table[i])
			return false;
	return true;
}

/*
 * One step of unmap_direct_memory at phys, in a present pud: clears the
 * leaf there (a 2 MiB one or a 4 KiB one, freeing a PTE table left
 * empty); returns where the next step starts.
 */
static phys_addr_t unmap_direct_pmd(struct kmm *k, pud_t *pud, phys_addr_t phys)
{
	unsigned long va = PAGE_OFFSET + phys;
	pmd_t *pmd = pmd_offset(pud, va);
	pte_t *pte;

	if (!pmd_present(*pmd))
		return ALIGN_DOWN(phys, PMD_SIZE) + PMD_SIZE;
	if (pmd_leaf(*pmd)) {
		pmd_clear(pmd);
		k->mem->direct_pages_count[1]--;
		return phys + PMD_SIZE;
	}
	pte = pte_offset_kernel(pmd, va);
	if (pte_present(*pte)) {
		pte_clear(pte);
		k->mem->direct_pages_count[0]--;
	}
	if (table_is_empty(pte)) {
		pte_free_kernel(pte);
		pmd_clear(pmd);
	}
	return phys + PAGE_SIZE;
}

/*
 * Takes [start, end) out of the direct map again (a hot-add that failed):
 * the leaves map_direct_range made go, and the PMD and PTE tables left
 * empty.  The PUD tables stay: every address space's pgd points at them.
 */
void unmap_direct_memory(struct kmm *k, phys_addr_t start, phys_addr_t end)
{
	phys_addr_t phys = start;

	while (phys < end) {
		unsigned long va = PAGE_OFFSET + phys;
		pgd_t *pgd = k->mem->swapper_pg_dir + pgd_index(va);
		pud_t *pud;

		if (!(READ_ONCE(pgd->pgd) & _PAGE_PRESENT)) {
			phys = ALIGN_DOWN(phys, PGDIR_SIZE) + PGDIR_SIZE;
			continue;
		}
		pud = pud_offset(p4d_offset(pgd, va), va);
		if (!pud_present(*pud)) {
			phys = ALIGN_DOWN(phys, PUD_SIZE) + PUD_SIZE;
		} else if (pud_leaf(*pud)) {
			pud_clear(pud);
			k->mem->direct_pages_count[2]--;
			phys += PUD_SIZE;
		} else {
			phys = unmap_direct_pmd(k, pud, phys);
			if (table_is_empty(pmd_offset(pud, va))) {
				pmd_free(pmd_offset(pud, va));
				pud_clear(pud);
			}
		}
	}
}

/*
 * paging=2: the i386 view.  Lowmem (RAM below 896 MiB) at 0xC0000000, in
 * 4 MiB PSE pages where a whole aligned 4 MiB is RAM, else 4 KiB pages.
 */
static int init_mem_mapping32(struct kmm *k)
{
	uint32_t *pgd = alloc_table_page(k);
	phys_addr_t phys;

	if (!pgd)
		return -ENOMEM;
	k->mem->swapper_pg_dir32 = pgd;
	for (phys = 0; phys < LOWMEM_LIMIT_32 && phys < PFN_PHYS(k->mem->max_pfn);) {
		unsigned int idx = (unsigned int)((PAGE_OFFSET_32 + phys) >> PGDIR_SHIFT_32);
		uint32_t *pt;

		if (!memblock_is_memory(&k->mem->memblock, phys)) {
			phys += PAGE_SIZE;
			continue;
		}
		if (IS_ALIGNED(phys, 4ul << 20) && memblock_is_memory(&k->mem->memblock, phys + (4ul << 20) - 1) &&
		    phys + (4ul << 20) <= LOWMEM_LIMIT_32) {
			pgd[idx] = (uint32_t)(phys | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED |
					      _PAGE_DIRTY | _PAGE_PSE | _PAGE_GLOBAL);
			phys += 4ul << 20;
			continue;
		}
		if (!(pgd[idx] & _PAGE_PRESENT)) {
			pt = alloc_table_page(k);
			if (!pt)
				return -ENOMEM;
			pgd[idx] = (uint32_t)(virt_to_phys(pt) | _KERNPG_TABLE);
		}
		pt = phys_to_virt(pgd[idx] & 0xfffff000u);
		pt[(phys >> PAGE_SHIFT) & 1023] = (uint32_t)(phys | _PAGE_PRESENT | _PAGE_RW |
							     _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL);
		phys += PAGE_SIZE;
	}
	return 0;
}

/* Boot: swapper_pg_dir and the direct map of every RAM range. */
int init_mem_mapping(struct kmm *k)
{
	unsigned long i;
	int err;

	k->mem->swapper_pg_dir = alloc_table_page(k);
	if (!k->mem->swapper_pg_dir)
		return -ENOMEM;
	for (i = 0; i < k->mem->memblock.memory.cnt; i++) {
		const struct memblock_region *r = &k->mem->memblock.memory.regions[i];

		err = map_direct_range(k, r->base, r->base + r->size);
		if (err)
			return err;
	}
	return k->cfg.paging == 2 ? init_mem_mapping32(k) : 0;
}
