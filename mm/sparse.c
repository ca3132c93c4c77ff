/*
 * mm/sparse.c - memory sections (SPARSEMEM with a virtual memmap).
 *
 * Physical memory is cut into 128 MiB sections.  A present section has a
 * struct page for each of its frames; the arrays of all sections sit at
 * their place in one virtually contiguous range (vmemmap), so
 * pfn_to_page(pfn) is plain pointer arithmetic.  Each section's array is
 * backed by frames of simulated RAM that memblock (at boot) or the caller
 * (at hot-add) provides, exactly as Linux backs its vmemmap.
 */
#include <errno.h>
#include <string.h>
#include "mm/internal.h"

#define SECTION_MEMMAP_BYTES (PAGES_PER_SECTION * sizeof(struct page))

bool pfn_valid(unsigned long pfn)
{
	struct kmm *k = kmm_global;
	unsigned long nr = pfn_to_section_nr(pfn);

	if (!k || nr >= k->mem->nr_mem_sections)
		return false;
	return k->mem->mem_section[nr].flags & SECTION_IS_PRESENT;
}

bool virt_addr_valid(const volatile void *addr)
{
	struct kmm *k = kmm_global;
	unsigned long a = (unsigned long)addr;

	if (!k)
		return false;
	if (a >= PAGE_OFFSET) {
		a -= PAGE_OFFSET;
		return a < k->hw->ram.size && __pfn_valid(k, a >> PAGE_SHIFT);
	}
	return __virt_addr_valid(k, (const void *)addr);
}

/* Maps a section's struct pages onto the RAM frames at memmap_phys. */
int sparse_add_section(struct kmm *k, unsigned long nr, phys_addr_t memmap_phys)
{
	struct mem_section *ms = &k->mem->mem_section[nr];
	int err;

	if (nr >= k->mem->nr_mem_sections)
		return -ERANGE;
	if (ms->flags & SECTION_IS_PRESENT)
		return -EEXIST;
	err = hw_ram_map_vmemmap(&k->hw->ram, nr * SECTION_MEMMAP_BYTES,
				 memmap_phys, SECTION_MEMMAP_BYTES);
	if (err)
		return err;
	ms->memmap_phys = memmap_phys;
	ms->flags |= SECTION_IS_PRESENT;
	return 0;
}

static bool section_has_memory(struct kmm *k, unsigned long nr)
{
	phys_addr_t start = PFN_PHYS(nr * PAGES_PER_SECTION);
	phys_addr_t end = start + PFN_PHYS(PAGES_PER_SECTION);
	unsigned long i;

	for (i = 0; i < k->mem->memblock.memory.cnt; i++) {
		const struct memblock_region *r = &k->mem->memblock.memory.regions[i];

		if (r->base < end && start < r->base + r->size)
			return true;
	}
	return false;
}

/* Gives every section that holds RAM a memmap taken from memblock. */
int sparse_init(struct kmm *k)
{
	unsigned long nr, last = pfn_to_section_nr(k->mem->max_pfn - 1);
	phys_addr_t phys;
	int err;

	for (nr = 0; nr <= last; nr++) {
		if (!section_has_memory(k, nr))
			continue;
		phys = memblock_phys_alloc(&k->mem->memblock, SECTION_MEMMAP_BYTES,
					   SECTION_MEMMAP_BYTES);
		if (!phys)
			return -ENOMEM;
		err = sparse_add_section(k, nr, phys);
		if (err)
			return err;
	}
	return 0;
}
