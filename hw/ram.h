/*
 * hw/ram.h - simulated physical RAM: a memfd whose offsets are physical
 * addresses, mapped once as the direct map, plus the host range that holds
 * the struct page array (vmemmap), backed by frames of that same RAM.
 */
#ifndef KMM_HW_RAM_H
#define KMM_HW_RAM_H

#include <stddef.h>

struct hw_ram {
	int memfd;
	char *direct_map;		/* host address of physical 0 */
	unsigned long reserved;		/* bytes of host VA reserved for it */
	unsigned long size;		/* bytes of memfd mapped (phys end) */
	char *vmemmap;			/* host address of struct page[0] */
	unsigned long vmemmap_reserved;
};

/* Reserves host address space for max_phys bytes of RAM; maps nothing yet. */
int hw_ram_init(struct hw_ram *ram, unsigned long max_phys,
		unsigned long vmemmap_bytes);
/* Makes [0, end) of physical space exist and be mapped in the direct map. */
int hw_ram_grow(struct hw_ram *ram, unsigned long end);
/* Makes physical [0, end) exist in the memfd only (device windows). */
int hw_ram_extend_file(struct hw_ram *ram, unsigned long end);
/* Backs vmemmap bytes [off, off+len) with the RAM frames at phys. */
int hw_ram_map_vmemmap(struct hw_ram *ram, unsigned long off,
		       unsigned long phys, unsigned long len);
void hw_ram_exit(struct hw_ram *ram);

#endif /* KMM_HW_RAM_H */
