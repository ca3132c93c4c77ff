/*
 * hw/mmu.c - the MMU's page-table walk, in software: what the hardware does
 * for every TLB miss.  Four levels, each entry read from the table page in
 * simulated RAM; the access must be allowed at every level (RW, U/S, NX
 * combine across levels as on x86); the accessed bit is set on every entry
 * used and the dirty bit on the leaf of a write, as the hardware does.
 */
#include <stdio.h>
#include <string.h>
#include <kmm/pgtable.h>

static bool canonical(unsigned long va)
{
	unsigned long top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

/* May this entry let the access through (considering only its own bits)? */
static unsigned int refuses(unsigned long e, unsigned int access)
{
	if ((access & PF_WRITE) && !(e & _PAGE_RW))
		return 1;
	if ((access & PF_USER) && !(e & _PAGE_USER))
		return 1;
	if ((access & PF_INSTR) && (e & _PAGE_NX))
		return 1;
	return 0;
}

static void set_accessed(unsigned long *entry, bool dirty)
{
	unsigned long bits = _PAGE_ACCESSED | (dirty ? _PAGE_DIRTY : 0);

	if ((READ_ONCE(*entry) & bits) != bits)
		__atomic_fetch_or(entry, bits, __ATOMIC_RELAXED);
}

int mmu_walk(pgd_t *pgd, unsigned long va, unsigned int access,
	     struct mmu_walk *w)
{
	static const unsigned int shift[4] = { PGDIR_SHIFT, PUD_SHIFT, PMD_SHIFT, PAGE_SHIFT };
	unsigned long *table = (unsigned long *)pgd;
	unsigned long *used[4];
	unsigned int refused = 0;
	bool peek = access & PF_PEEK;
	int l;

	access &= ~PF_PEEK;

	memset(w, 0, sizeof(*w));
	if (!canonical(va)) {
		w->level = PT_PGD;
		return PF_FAULT | PF_NONCANONICAL | access;
	}
	for (l = 0; l < 4; l++) {
		unsigned int idx = (va >> shift[l]) & 511;
		unsigned long e = READ_ONCE(table[idx]);

		w->index[l] = idx;
		w->entries[l] = e;
		w->levels = l + 1;
		w->level = 4 - l;
		if (!(e & _PAGE_PRESENT))
			return PF_FAULT | access;	/* not present at this level */
		refused |= refuses(e, access);
		used[l] = &table[idx];
		if (l == 3 || ((e & _PAGE_PSE) && (l == 1 || l == 2))) {
			unsigned long size = 1ul << shift[l];

			if (refused)
				return PF_FAULT | PF_PROT | access;
			for (int i = 0; i <= l && !peek; i++)
				set_accessed(used[i], i == l && (access & PF_WRITE));
			w->page_size = size;
			w->phys = (e & PTE_PFN_MASK & ~(size - 1)) | (va & (size - 1));
			return 0;
		}
		table = entry_page_vaddr(e);
	}
	return PF_FAULT | access;	/* not reached */
}

int mmu_describe(pgd_t *pgd, unsigned long va, char *buf, size_t len)
{
	static const char *const names[4] = { "pgd", "pud", "pmd", "pte" };
	struct mmu_walk w;
	int err = mmu_walk(pgd, va, PF_PEEK, &w), l;
	size_t n = 0;

	if (err & PF_NONCANONICAL)
		return snprintf(buf, len, "%#lx is not canonical", va);
	for (l = 0; l < w.levels && n < len; l++)
		n += (size_t)snprintf(buf + n, len - n, "%s[%u]=%#lx ", names[l],
				      w.index[l], w.entries[l]);
	if (n >= len)
		return (int)n;
	if (err)
		return (int)(n + (size_t)snprintf(buf + n, len - n, "-> not present at %s",
						  names[w.levels - 1]));
	return (int)(n + (size_t)snprintf(buf + n, len - n, "-> phys %#lx (%s page)", w.phys,
					  w.page_size == PUD_SIZE ? "1G" :
					  w.page_size == PMD_SIZE ? "2M" : "4K"));
}

/* ------------------------------------------------------------------ */
/* The 2-level 32-bit walk                                             */
/* ------------------------------------------------------------------ */

int mmu_walk32(uint32_t *pgd32, uint32_t va, unsigned int access,
	       struct mmu_walk *w)
{
	bool peek = access & PF_PEEK;
	uint32_t pde, pte, *pt;
	unsigned int refused;

	access &= ~PF_PEEK;
	memset(w, 0, sizeof(*w));
	w->index[0] = va >> PGDIR_SHIFT_32;
	pde = READ_ONCE(pgd32[w->index[0]]);
	w->entries[0] = pde;
	w->levels = 1;
	w->level = PT_PGD;
	if (!(pde & _PAGE_PRESENT))
		return PF_FAULT | access;
	refused = refuses(pde, access & ~PF_INSTR);	/* no NX bit without PAE */
	if (pde & _PAGE_PSE) {
		if (refused)
			return PF_FAULT | PF_PROT | access;
		if (!peek)
			__atomic_fetch_or(&pgd32[w->index[0]],
					  (uint32_t)(_PAGE_ACCESSED | ((access & PF_WRITE) ? _PAGE_DIRTY : 0)),
					  __ATOMIC_RELAXED);
		w->page_size = 4u << 20;
		w->phys = (pde & 0xffc00000u) | (va & 0x3fffffu);
		return 0;
	}
	pt = phys_to_virt(pde & 0xfffff000u);
	w->index[1] = (va >> PAGE_SHIFT) & 1023;
	pte = READ_ONCE(pt[w->index[1]]);
	w->entries[1] = pte;
	w->levels = 2;
	w->level = PT_PTE;
	if (!(pte & _PAGE_PRESENT))
		return PF_FAULT | access;
	refused |= refuses(pte, access & ~PF_INSTR);
	if (refused)
		return PF_FAULT | PF_PROT | access;
	if (!peek) {
		__atomic_fetch_or(&pgd32[w->index[0]], (uint32_t)_PAGE_ACCESSED, __ATOMIC_RELAXED);
		__atomic_fetch_or(&pt[w->index[1]],
				  (uint32_t)(_PAGE_ACCESSED | ((access & PF_WRITE) ? _PAGE_DIRTY : 0)),
				  __ATOMIC_RELAXED);
	}
	w->page_size = PAGE_SIZE;
	w->phys = (pte & 0xfffff000u) | (va & 0xfffu);
	return 0;
}

int mmu_describe32(uint32_t *pgd32, uint32_t va, char *buf, size_t len)
{
	struct mmu_walk w;
	int err = mmu_walk32(pgd32, va, PF_PEEK, &w);
	size_t n = (size_t)snprintf(buf, len, "pgd[%u]=%#lx ", w.index[0], w.entries[0]);

	if (w.levels > 1 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "pte[%u]=%#lx ", w.index[1], w.entries[1]);
	if (n >= len)
		return (int)n;
	if (err)
		return (int)(n + (size_t)snprintf(buf + n, len - n, "-> not present at %s",
						  w.levels > 1 ? "pte" : "pgd"));
	return (int)(n + (size_t)snprintf(buf + n, len - n, "-> phys %#lx (%s page)", w.phys,
					  w.page_size == PAGE_SIZE ? "4K" : "4M"));
}
