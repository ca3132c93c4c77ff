/*
 * mm/memblock.c - boot-time memory bookkeeping, before the buddy allocator
 * exists: which physical ranges are RAM, and which of them are already
 * taken (the first megabyte, the struct page arrays, ...).
 * Mirrors Linux mm/memblock.c: sorted region arrays, top-down allocation.
 */
#include <errno.h>
#include <string.h>
#include "mm/internal.h"

static phys_addr_t region_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

/* Inserts [base, base+size) keeping the array sorted and merged. */
static int memblock_add_range(struct memblock_type *type, phys_addr_t base,
			      phys_addr_t size)
{
	phys_addr_t end = base + size;
	unsigned long i, j;

	if (!size)
		return 0;
	for (i = 0; i < type->cnt && region_end(&type->regions[i]) < base; i++)
		;
	/* Merge every region that overlaps or touches the new one. */
	for (j = i; j < type->cnt && type->regions[j].base <= end; j++) {
		base = min(base, type->regions[j].base);
		end = max(end, region_end(&type->regions[j]));
	}
	if (j == i && type->cnt == MEMBLOCK_MAX_REGIONS)
		return -ENOSPC;
	memmove(&type->regions[i + 1], &type->regions[j],
		(type->cnt - j) * sizeof(type->regions[0]));
	type->cnt = type->cnt - (j - i) + 1;
	type->regions[i].base = base;
	type->regions[i].size = end - base;
	return 0;
}

int memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	mb->memory.name = "memory";
	return memblock_add_range(&mb->memory, base, size);
}

int memblock_reserve(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	mb->reserved.name = "reserved";
	return memblock_add_range(&mb->reserved, base, size);
}

static const struct memblock_region *
find_overlap(const struct memblock_type *type, phys_addr_t base,
	     phys_addr_t end)
{
	unsigned long i;

	for (i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		if (r->base < end && base < region_end(r))
			return r;
	}
	return NULL;
}

/*
 * Allocates size bytes aligned to align from the top of RAM down, as
 * memblock does by default.  Returns the physical address, or 0 (physical
 * page 0 is never handed out, so 0 can mean failure).
 */
phys_addr_t memblock_phys_alloc(struct memblock *mb, phys_addr_t size,
				phys_addr_t align)
{
	unsigned long i = mb->memory.cnt;

	while (i--) {
		const struct memblock_region *m = &mb->memory.regions[i];
		phys_addr_t cand;

		if (m->size < size)
			continue;
		cand = ALIGN_DOWN(region_end(m) - size, align);
		while (cand >= m->base && cand > 0) {
			const struct memblock_region *r =
				find_overlap(&mb->reserved, cand, cand + size);

			if (!r) {
				if (memblock_reserve(mb, cand, size))
					return 0;
				return cand;
			}
			if (r->base < m->base + size)
				break;
			cand = ALIGN_DOWN(r->base - size, align);
		}
	}
	return 0;
}

static bool type_contains(const struct memblock_type *type, phys_addr_t addr)
{
	return find_overlap(type, addr, addr + 1) != NULL;
}

bool memblock_is_memory(const struct memblock *mb, phys_addr_t addr)
{
	return type_contains(&mb->memory, addr);
}

bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr)
{
	return type_contains(&mb->reserved, addr);
}

phys_addr_t memblock_phys_mem_size(const struct memblock *mb)
{
	phys_addr_t total = 0;
	unsigned long i;

	for (i = 0; i < mb->memory.cnt; i++)
		total += mb->memory.regions[i].size;
	return total;
}

phys_addr_t memblock_end_of_DRAM(const struct memblock *mb)
{
	if (!mb->memory.cnt)
		return 0;
	return region_end(&mb->memory.regions[mb->memory.cnt - 1]);
}
