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
