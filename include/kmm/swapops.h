/*
 * include/kmm/swapops.h - swap entries (Linux's include/linux/swapops.h
 * and the type numbers of include/linux/swap.h): what a page-table entry
 * holds for a page that is not in memory.
 *
 * Two forms of one entry.  The arch-independent swp_entry_t the swap code
 * passes around keeps the type in its top bits and the offset below, so
 * that it is also an xarray value (the swap cache indexes by it):
 *
 *   62      58 57                                                    0
 *  +----------+------------------------------------------------------+
 *  |   TYPE   |                      OFFSET                          |
 *  +----------+------------------------------------------------------+
 *
 * The PTE form is the architecture's (__swp_entry in <kmm/pgtable.h>:
 * x86-64's type-high, offset-inverted layout); swp_entry_to_pte and
 * pte_to_swp_entry convert between the two, so the offset a PTE can hold
 * (50 bits on x86-64) bounds a swap area's size.
 *
 * Types.  The five type bits give 32 types; the top ones are not swap
 * areas but markers Linux keeps in swap-format PTEs (a page under
 * migration, a device-private page, a poisoned page, a PTE marker such as
 * a guard region's).  kmm numbers them as an x86-64 kernel with
 * DEVICE_PRIVATE, MIGRATION and MEMORY_FAILURE does, which leaves
 * MAX_SWAPFILES = 23 swap areas.
 */
#ifndef KMM_SWAPOPS_H
#define KMM_SWAPOPS_H

#include <stdbool.h>
#include <kmm/pgtable.h>

#define MAX_SWAPFILES_SHIFT	5
#define SWP_DEVICE_NUM		4	/* device-private: write, read, exclusive w/r */
#define SWP_MIGRATION_NUM	3	/* migration: read, read-exclusive, write */
#define SWP_HWPOISON_NUM	1
#define SWP_PTE_MARKER_NUM	1
#define MAX_SWAPFILES \
	((1 << MAX_SWAPFILES_SHIFT) - SWP_DEVICE_NUM - SWP_MIGRATION_NUM - \
	 SWP_HWPOISON_NUM - SWP_PTE_MARKER_NUM)
#define SWP_HWPOISON		MAX_SWAPFILES
#define SWP_MIGRATION_READ	(SWP_HWPOISON + SWP_HWPOISON_NUM)
#define SWP_MIGRATION_READ_EXCLUSIVE (SWP_MIGRATION_READ + 1)
#define SWP_MIGRATION_WRITE	(SWP_MIGRATION_READ + 2)
#define SWP_DEVICE_WRITE	(SWP_MIGRATION_READ + SWP_MIGRATION_NUM)
#define SWP_DEVICE_READ		(SWP_DEVICE_WRITE + 1)
#define SWP_DEVICE_EXCLUSIVE_WRITE (SWP_DEVICE_WRITE + 2)
#define SWP_DEVICE_EXCLUSIVE_READ (SWP_DEVICE_WRITE + 3)
#define SWP_PTE_MARKER		(SWP_DEVICE_WRITE + SWP_DEVICE_NUM)

_Static_assert(SWP_PTE_MARKER == (1 << MAX_SWAPFILES_SHIFT) - 1, "swap types: 32 in all");
_Static_assert(MAX_SWAPFILES_SHIFT <= SWP_TYPE_BITS, "the PTE holds every type");

/* The arch-independent entry: the type above bit 57 (63 bits of an
 * xarray value, less the type's five). */
#define SWP_TYPE_SHIFT		(63 - MAX_SWAPFILES_SHIFT)
#define SWP_OFFSET_MASK		((1ul << SWP_TYPE_SHIFT) - 1)

static inline swp_entry_t swp_entry(unsigned long type, pgoff_t offset)
{
	return (swp_entry_t){ type << SWP_TYPE_SHIFT | (offset & SWP_OFFSET_MASK) };
}

static inline unsigned int swp_type(swp_entry_t entry)
{
	return (unsigned int)(entry.val >> SWP_TYPE_SHIFT);
}

static inline pgoff_t swp_offset(swp_entry_t entry)
{
	return entry.val & SWP_OFFSET_MASK;
}

/*
 * The entry a swap PTE holds.  Linux clears the PTE's software flags
 * first (pte_swp_clear_flags); kmm's swap PTEs carry none yet.
 */
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	swp_entry_t arch = __pte_to_swp_entry(pte);

	return swp_entry(__swp_type(arch), __swp_offset(arch));
}

static inline pte_t swp_entry_to_pte(swp_entry_t entry)
{
	return __swp_entry_to_pte(__swp_entry(swp_type(entry), swp_offset(entry)));
}

/*
 * A PTE in swap format: neither empty nor mapping a page (present, or
 * protnone).  That includes the markers (non_swap_entry) as in Linux.
 */
static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !(pte_val(pte) & (_PAGE_PRESENT | _PAGE_PROTNONE));
}

/* A marker, not a slot of a swap area. */
static inline bool non_swap_entry(swp_entry_t entry)
{
	return swp_type(entry) >= MAX_SWAPFILES;
}

/*
 * PTE markers (Linux 6.13's): a swap-format PTE of type SWP_PTE_MARKER
 * whose offset is a set of bits saying what the empty PTE must remember.
 */
typedef unsigned long pte_marker;

#define PTE_MARKER_UFFD_WP	(1ul << 0)
#define PTE_MARKER_POISONED	(1ul << 1)
#define PTE_MARKER_GUARD	(1ul << 2)	/* MADV_GUARD_INSTALL: any access is SIGSEGV */

static inline pte_t make_pte_marker(pte_marker marker)
{
	return swp_entry_to_pte(swp_entry(SWP_PTE_MARKER, marker));
}

static inline bool is_pte_marker(pte_t pte)
{
	return is_swap_pte(pte) && swp_type(pte_to_swp_entry(pte)) == SWP_PTE_MARKER;
}

static inline pte_marker pte_marker_get(pte_t pte)
{
	return swp_offset(pte_to_swp_entry(pte));
}

#endif /* KMM_SWAPOPS_H */
