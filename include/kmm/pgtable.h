/*
 * include/kmm/pgtable.h - x86-64 4-level page tables with the kernel's
 * accessors.
 *
 * A virtual address splits 9/9/9/9/12: PGD index (bits 47-39), PUD (38-30),
 * PMD (29-21), PTE (20-12) and the page offset; P4D is folded into the PGD,
 * as on a 4-level x86-64 kernel.  Each table is one 4 KiB page frame from
 * the page allocator holding 512 real 8-byte entries; an entry holds the
 * physical address of the next table (or of the page) and the x86 flag
 * bits.  PS in a PMD or PUD entry makes it a 2 MiB or 1 GiB leaf.
 */
#ifndef KMM_PGTABLE_H
#define KMM_PGTABLE_H

#include <stdint.h>
#include <kmm/mm.h>

typedef struct { unsigned long pgd; } pgd_t;
typedef struct { pgd_t pgd; } p4d_t;
typedef struct { unsigned long pud; } pud_t;
typedef struct { unsigned long pmd; } pmd_t;
typedef struct { unsigned long pte; } pte_t;
typedef struct { unsigned long pgprot; } pgprot_t;

#define pgd_val(x)	((x).pgd)
#define pud_val(x)	((x).pud)
#define pmd_val(x)	((x).pmd)
#define pte_val(x)	((x).pte)
#define pgprot_val(x)	((x).pgprot)
#define __pgd(x)	((pgd_t){ (x) })
#define __pud(x)	((pud_t){ (x) })
#define __pmd(x)	((pmd_t){ (x) })
#define __pte(x)	((pte_t){ (x) })
#define __pgprot(x)	((pgprot_t){ (x) })

#define PGDIR_SHIFT	39
#define PUD_SHIFT	30
#define PMD_SHIFT	21
#define PTRS_PER_PGD	512
#define PTRS_PER_PUD	512
#define PTRS_PER_PMD	512
#define PTRS_PER_PTE	512
#define PGDIR_SIZE	(1ul << PGDIR_SHIFT)
#define PUD_SIZE	(1ul << PUD_SHIFT)
#define PMD_SIZE	(1ul << PMD_SHIFT)
#define PGDIR_MASK	(~(PGDIR_SIZE - 1))
#define PUD_MASK	(~(PUD_SIZE - 1))
#define PMD_MASK	(~(PMD_SIZE - 1))
#define KERNEL_PGD_BOUNDARY	(PTRS_PER_PGD / 2)	/* entries 256..511: the kernel half */

/* x86 entry bits. */
#define _PAGE_PRESENT	0x001ul
#define _PAGE_RW	0x002ul
#define _PAGE_USER	0x004ul
#define _PAGE_PWT	0x008ul
#define _PAGE_PCD	0x010ul
#define _PAGE_ACCESSED	0x020ul
#define _PAGE_DIRTY	0x040ul
#define _PAGE_PSE	0x080ul		/* leaf at PMD or PUD level */
#define _PAGE_GLOBAL	0x100ul
#define _PAGE_NX	(1ul << 63)
/*
 * A PROT_NONE page stays mapped by a "protnone" PTE: not present to the
 * MMU, so every access faults, and marked with the global bit, which the
 * MMU reads only in present entries.  That bit is what tells a protnone
 * PTE from a swap entry (below), as on x86 Linux, whose _PAGE_PROTNONE
 * is _PAGE_GLOBAL.
 */
#define _PAGE_BIT_PROTNONE	8
#define _PAGE_PROTNONE	(1ul << _PAGE_BIT_PROTNONE)
#define _PAGE_PKEY_SHIFT 59		/* bits 59-62: the protection key (PKU) */
#define _PAGE_PKEY_MASK	(0xful << _PAGE_PKEY_SHIFT)

/* PKRU: two bits a protection key, AD (access disable) and WD (write disable). */
#define PKRU_BITS_PER_PKEY	2
#define PKRU_AD_BIT		0x1u
#define PKRU_WD_BIT		0x2u

/* Does pkru let a data access (a write if write) use pkey?  The CPU's check. */
static inline int pkru_allows_pkey(unsigned int pkru, int pkey, int write)
{
	unsigned int bits = pkru >> (pkey * PKRU_BITS_PER_PKEY);

	if (bits & PKRU_AD_BIT)
		return 0;
	return !(write && (bits & PKRU_WD_BIT));
}
#define PTE_PFN_MASK	0x000ffffffffff000ul
#define PTE_FLAGS_MASK	(~PTE_PFN_MASK)

#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_NONE	__pgprot(_PAGE_ACCESSED)
#define PAGE_KERNEL	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_RO	__pgprot(_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_EXEC __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL)
#define PAGE_KERNEL_LARGE __pgprot(pgprot_val(PAGE_KERNEL) | _PAGE_PSE)
#define PAGE_SHARED	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_READONLY	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)

static inline unsigned long pgd_index(unsigned long a) { return (a >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1); }
static inline unsigned long pud_index(unsigned long a) { return (a >> PUD_SHIFT) & (PTRS_PER_PUD - 1); }
static inline unsigned long pmd_index(unsigned long a) { return (a >> PMD_SHIFT) & (PTRS_PER_PMD - 1); }
static inline unsigned long pte_index(unsigned long a) { return (a >> PAGE_SHIFT) & (PTRS_PER_PTE - 1); }

/* Entries -> the host address of the table or page they point to. */
static inline void *entry_page_vaddr(unsigned long v) { return phys_to_virt(v & PTE_PFN_MASK); }

static inline int pgd_none(pgd_t p) { return !pgd_val(p); }
static inline int pgd_present(pgd_t p) { return pgd_val(p) & _PAGE_PRESENT; }
static inline int pud_none(pud_t p) { return !pud_val(p); }
static inline int pud_present(pud_t p) { return pud_val(p) & _PAGE_PRESENT; }
static inline int pud_leaf(pud_t p) { return (pud_val(p) & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE); }
static inline int pmd_none(pmd_t p) { return !pmd_val(p); }
static inline int pmd_present(pmd_t p) { return pmd_val(p) & _PAGE_PRESENT; }
static inline int pmd_leaf(pmd_t p) { return (pmd_val(p) & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE); }

static inline p4d_t *p4d_offset(pgd_t *pgd, unsigned long a) { (void)a; return (p4d_t *)pgd; }
static inline pud_t *pud_offset(p4d_t *p4d, unsigned long a)
{
	return (pud_t *)entry_page_vaddr(pgd_val(p4d->pgd)) + pud_index(a);
}
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long a)
{
	return (pmd_t *)entry_page_vaddr(pud_val(*pud)) + pmd_index(a);
}
static inline pte_t *pte_offset_kernel(pmd_t *pmd, unsigned long a)
{
	return (pte_t *)entry_page_vaddr(pmd_val(*pmd)) + pte_index(a);
}
static inline pgd_t *pgd_offset_pgd(pgd_t *pgd, unsigned long a) { return pgd + pgd_index(a); }

static inline int pte_none(pte_t p) { return !pte_val(p); }
static inline int pte_present(pte_t p) { return pte_val(p) & _PAGE_PRESENT; }
static inline int pte_write(pte_t p) { return !!(pte_val(p) & _PAGE_RW); }
static inline int pte_dirty(pte_t p) { return !!(pte_val(p) & _PAGE_DIRTY); }
static inline int pte_young(pte_t p) { return !!(pte_val(p) & _PAGE_ACCESSED); }
static inline int pte_exec(pte_t p) { return !(pte_val(p) & _PAGE_NX); }
static inline int pte_user(pte_t p) { return !!(pte_val(p) & _PAGE_USER); }
static inline unsigned long pte_pfn(pte_t p) { return (pte_val(p) & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot) { return __pte(PFN_PHYS(pfn) | pgprot_val(prot)); }
#define mk_pte(page, prot) pfn_pte(page_to_pfn(page), prot)
#define pte_page(p) pfn_to_page(pte_pfn(p))
static inline pte_t pte_mkwrite(pte_t p) { return __pte(pte_val(p) | _PAGE_RW); }
static inline pte_t pte_wrprotect(pte_t p) { return __pte(pte_val(p) & ~_PAGE_RW); }
static inline pte_t pte_mkold(pte_t p) { return __pte(pte_val(p) & ~_PAGE_ACCESSED); }
static inline pte_t pte_mkyoung(pte_t p) { return __pte(pte_val(p) | _PAGE_ACCESSED); }
static inline pte_t pte_mkdirty(pte_t p) { return __pte(pte_val(p) | _PAGE_DIRTY); }
static inline pte_t pte_mkclean(pte_t p) { return __pte(pte_val(p) & ~_PAGE_DIRTY); }
static inline pte_t pte_mkexec(pte_t p) { return __pte(pte_val(p) & ~_PAGE_NX); }

/*
 * Swap entries in non-present PTEs, in x86-64 Linux's layout
 * (arch/x86/include/asm/pgtable_64.h):
 *
 *   63    59 58                                     9  8  7         1  0
 *  +--------+----------------------------------------+---+------------+---+
 *  |  TYPE  |           ~OFFSET (50 bits)            | 0 |  0 ... 0   | 0 |
 *  +--------+----------------------------------------+---+------------+---+
 *                                                  PROTNONE           PRESENT
 *
 * P clear: the MMU faults on it and never reads the rest.  Bit 8 clear:
 * not a protnone PTE (which has a page).  The offset is stored inverted,
 * so a small offset sets the high bits of what the MMU would take for a
 * frame number: an address far above any RAM, which is Linux's defence
 * against L1TF (a CPU that speculates through a non-present entry).
 * Bits 1-7 are kept for the software flags Linux puts there (soft-dirty,
 * uffd-wp, anon-exclusive); kmm sets none of them yet.  These are the
 * arch's entries, the PTE's own bits; <kmm/swapops.h> converts them to
 * and from the arch-independent swp_entry_t the swap code uses.
 */
#define SWP_TYPE_BITS		5
#define SWP_OFFSET_FIRST_BIT	(_PAGE_BIT_PROTNONE + 1)
#define SWP_OFFSET_BITS		(64 - SWP_TYPE_BITS - SWP_OFFSET_FIRST_BIT)

static inline unsigned long __swp_type(swp_entry_t arch)
{
	return arch.val >> (64 - SWP_TYPE_BITS);
}

static inline unsigned long __swp_offset(swp_entry_t arch)
{
	unsigned long field = ~arch.val >> SWP_OFFSET_FIRST_BIT;

	return field & ((1ul << SWP_OFFSET_BITS) - 1);
}

/* type and offset in the PTE format; offset bits above the 50 are lost. */
static inline swp_entry_t __swp_entry(unsigned long type, unsigned long offset)
{
	unsigned long field = ~offset & ((1ul << SWP_OFFSET_BITS) - 1);

	return (swp_entry_t){ type << (64 - SWP_TYPE_BITS) | field << SWP_OFFSET_FIRST_BIT };
}

static inline swp_entry_t __pte_to_swp_entry(pte_t pte) { return (swp_entry_t){ pte_val(pte) }; }
static inline pte_t __swp_entry_to_pte(swp_entry_t arch) { return __pte(arch.val); }

/* Entries are written whole, as the hardware may read them at any time. */
static inline void set_pte(pte_t *ptep, pte_t p) { WRITE_ONCE(ptep->pte, pte_val(p)); }
static inline void pte_clear(pte_t *ptep) { WRITE_ONCE(ptep->pte, 0ul); }
static inline pte_t ptep_get(pte_t *ptep) { return __pte(READ_ONCE(ptep->pte)); }
static inline void set_pmd(pmd_t *p, pmd_t v) { WRITE_ONCE(p->pmd, pmd_val(v)); }
static inline void set_pud(pud_t *p, pud_t v) { WRITE_ONCE(p->pud, pud_val(v)); }
static inline void set_pgd(pgd_t *p, pgd_t v) { WRITE_ONCE(p->pgd, pgd_val(v)); }
static inline void pmd_clear(pmd_t *p) { WRITE_ONCE(p->pmd, 0ul); }
static inline void pud_clear(pud_t *p) { WRITE_ONCE(p->pud, 0ul); }

/* Table pages: from the page allocator, zeroed, counted as PageTables. */
pgd_t *pgd_alloc(void);
void pgd_free(pgd_t *pgd);
pud_t *pud_alloc(pgd_t *pgd, unsigned long addr);
pmd_t *pmd_alloc(pud_t *pud, unsigned long addr);
pte_t *pte_alloc_kernel(pmd_t *pmd, unsigned long addr);
struct mm_struct;
/* A user PTE table, charged to mm (mm/pgtable.c). */
pte_t *pte_alloc(struct mm_struct *mm, pmd_t *pmd, unsigned long addr);
void pte_free_kernel(pte_t *pte);
void pmd_free(pmd_t *pmd);
void pud_free(pud_t *pud);

/* The kernel's page table: the direct map and (later) vmalloc space. */
pgd_t *swapper_pg_dir(void);
#define pgd_offset_k(addr) pgd_offset_pgd(swapper_pg_dir(), (addr))

/*
 * The MMU's walk of one access (hw/mmu.c).  access: the PF_* bits of the
 * access (PF_WRITE, PF_USER, PF_INSTR).  Returns 0 and fills the result, or
 * a fault: PF_FAULT | the x86 page-fault error code (PF_PROT or not, plus
 * the access bits); level then names where the walk stopped.
 */
#define PF_PROT		0x01	/* a present entry refused the access */
#define PF_WRITE	0x02
#define PF_USER		0x04
#define PF_RSVD		0x08
#define PF_INSTR	0x10
#define PF_PK		0x20	/* the protection key (PKRU) refused a data access */
#define PF_NONCANONICAL	0x100	/* kmm: would be #GP, not #PF */
#define PF_PEEK		0x400	/* kmm: look only: leave accessed/dirty alone */
#define PF_FAULT	0x200	/* kmm: set in every fault, so a not-present
				 * kernel read (error code 0) is not success */

enum pt_level { PT_PGD = 4, PT_PUD = 3, PT_PMD = 2, PT_PTE = 1 };

struct mmu_walk {
	unsigned long entries[4];	/* PGD, PUD, PMD, PTE as read (0 if not reached) */
	unsigned int index[4];
	int levels;			/* how many entries were read */
	int level;			/* where the walk ended (pt_level) */
	unsigned long page_size;	/* 4K, 2M or 1G on success */
	phys_addr_t phys;
};

int mmu_walk(pgd_t *pgd, unsigned long vaddr, unsigned int access,
	     struct mmu_walk *w);
/* One line describing a walk of vaddr in the kernel's table (`translate`). */
int mmu_describe(pgd_t *pgd, unsigned long vaddr, char *buf, size_t len);

/*
 * The classic 32-bit layout (i386 without PAE): 2 levels of 1024 4-byte
 * entries, 10/10/12, with 4 MiB PSE leaves; the kernel's lowmem (up to
 * 896 MiB) mapped at 0xC0000000 (the 3G/1G split).  Selected at boot with
 * paging=2 as a second view of the machine: `translate` walks it, while the
 * simulated x86-64 kernel keeps using its 4-level tables (docs/pgtable.md).
 */
#define PAGE_OFFSET_32		0xc0000000u
#define LOWMEM_LIMIT_32		(896u << 20)
#define PTRS_PER_PGD_32		1024
#define PGDIR_SHIFT_32		22

int mmu_walk32(uint32_t *pgd32, uint32_t vaddr, unsigned int access,
	       struct mmu_walk *w);
int mmu_describe32(uint32_t *pgd32, uint32_t vaddr, char *buf, size_t len);

#endif /* KMM_PGTABLE_H */
