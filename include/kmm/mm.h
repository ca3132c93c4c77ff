/*
 * include/kmm/mm.h - pages and addresses: pfn/page/address conversions,
 * page reference counts, and the allocator entry points that are not in
 * gfp.h.
 *
 * Addresses.  Simulated RAM is a memfd mapped once into this process: the
 * direct map.  A pointer the library hands out (page_address, kmalloc, ...)
 * is the host address of that byte, so it can be used directly.  The
 * simulated kernel address of the same byte is PAGE_OFFSET + phys, as on
 * x86-64 Linux; virt_to_phys() accepts either form, since host pointers
 * are always below 0x800000000000 and kernel addresses above it.
 */
#ifndef KMM_MM_H
#define KMM_MM_H

#include <kmm/compiler.h>
#include <kmm/gfp.h>
#include <kmm/mm_types.h>
#include <kmm/mmzone.h>
#include <kmm/page-flags.h>
#include <kmm/mmdebug.h>

#define PAGE_OFFSET		0xffff888000000000ul	/* simulated direct map */
#define VMEMMAP_START		0xffffea0000000000ul	/* simulated struct pages */
#define TASK_SIZE_MAX		0x00007ffffffff000ul

/* Set at boot (and by kmm_switch) to the current machine's mappings. */
extern struct page *kmm_vmemmap;
extern char *kmm_direct_map;
extern unsigned long kmm_max_pfn;

#define pfn_to_page(pfn)	(kmm_vmemmap + (pfn))
#define page_to_pfn(page)	((unsigned long)((page) - kmm_vmemmap))
#define page_to_phys(page)	PFN_PHYS(page_to_pfn(page))
#define phys_to_page(phys)	pfn_to_page(PHYS_PFN(phys))

/* True if pfn has a struct page (RAM or a hole inside a present section). */
bool pfn_valid(unsigned long pfn);

static inline void *page_address(const struct page *page)
{
	return kmm_direct_map + (page_to_pfn(page) << PAGE_SHIFT);
}

static inline phys_addr_t virt_to_phys(const volatile void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (a >= PAGE_OFFSET)
		return a - PAGE_OFFSET;
	return (phys_addr_t)((const char *)addr - kmm_direct_map);
}

static inline void *phys_to_virt(phys_addr_t phys)
{
	return kmm_direct_map + phys;
}

#define __pa(x)			virt_to_phys((const void *)(x))
#define __va(x)			phys_to_virt((phys_addr_t)(x))
#define virt_to_page(addr)	pfn_to_page(PHYS_PFN(virt_to_phys(addr)))
#define virt_to_pfn(addr)	PHYS_PFN(virt_to_phys(addr))

/* The host window mirroring vmalloc space (mm/vmalloc.c). */
extern char *kmm_vmalloc_window;
extern unsigned long kmm_vmalloc_window_size;

/* Host pointer -> simulated kernel address (what /proc and scripts show):
 * the direct map, or vmalloc space for a vmalloc/vmap/ioremap pointer. */
static inline unsigned long kmm_kaddr(const void *host)
{
	const char *h = (const char *)host;

	if (h >= kmm_vmalloc_window && h < kmm_vmalloc_window + kmm_vmalloc_window_size)
		return 0xffffc90000000000ul + (unsigned long)(h - kmm_vmalloc_window);
	return PAGE_OFFSET + virt_to_phys(host);
}

/* True if addr (host or kernel form) lies in the direct map of RAM. */
bool virt_addr_valid(const volatile void *addr);

/* Reference counts (atomic). */
static inline int page_ref_count(const struct page *page)
{
	return __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
}

static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

static inline void set_page_count(struct page *page, int v)
{
	__atomic_store_n(&page->_refcount, v, __ATOMIC_RELAXED);
}

static inline void page_ref_inc(struct page *page)
{
	__atomic_fetch_add(&page->_refcount, 1, __ATOMIC_RELAXED);
}

/* Returns true when the count dropped to zero. */
static inline bool page_ref_dec_and_test(struct page *page)
{
	return __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL) == 0;
}

static inline int page_mapcount(const struct page *page)
{
	return page->_mapcount + 1;
}

static inline int page_zonenum(const struct page *page)
{
	return (page->flags >> ZONES_PGSHIFT) & ZONES_MASK;
}

struct zone *page_zone(const struct page *page);

void get_page(struct page *page);
/* Drops a reference; the last one frees the page (or compound page). */
void put_page(struct page *page);
/* Takes a reference unless the count is zero; returns whether it did. */
bool get_page_unless_zero(struct page *page);

/* An address space's counters, as Linux's get_mm_counter and friends. */
static inline unsigned long get_mm_counter(const struct mm_struct *mm, int member)
{
	return mm->rss_stat[member];
}

static inline unsigned long get_mm_rss(const struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}

/* VmPTE: the page-table pages below the PGD, in bytes. */
static inline unsigned long mm_pgtables_bytes(const struct mm_struct *mm)
{
	return mm->pgtables_bytes;
}

unsigned long nr_free_pages(void);
unsigned long totalram_pages(void);

/* Machine-explicit variants (the kernel-named calls use the current one). */
struct kmm;
struct page *__alloc_pages(struct kmm *k, gfp_t gfp, unsigned int order);
void ___free_pages(struct kmm *k, struct page *page, unsigned int order);

/*
 * Address spaces: what code outside mm/ (arch/, fs/, the simulator) uses
 * of the VMAs and the mapping calls, as Linux's include/linux/mm.h has it;
 * mm/vma.h, mm/mmap.h and mm/memory.h keep what only mm/ shares.
 */
#define TASK_SIZE		TASK_SIZE_MAX	/* one size for every task: x86-64, 4 levels */

/* vm_flags, with Linux's values */
#define VM_NONE		0x00000000ul
#define VM_READ		0x00000001ul
#define VM_WRITE	0x00000002ul
#define VM_EXEC		0x00000004ul
#define VM_SHARED	0x00000008ul
#define VM_MAYREAD	0x00000010ul
#define VM_MAYWRITE	0x00000020ul
#define VM_MAYEXEC	0x00000040ul
#define VM_MAYSHARE	0x00000080ul
#define VM_GROWSDOWN	0x00000100ul
#define VM_STACK	VM_GROWSDOWN	/* x86: stacks grow down */
#define VM_LOCKED	0x00002000ul
#define VM_SEQ_READ	0x00008000ul
#define VM_RAND_READ	0x00010000ul
#define VM_DONTCOPY	0x00020000ul
#define VM_DONTEXPAND	0x00040000ul
#define VM_ACCOUNT	0x00100000ul
#define VM_NORESERVE	0x00200000ul
#define VM_IO		0x00004000ul
#define VM_PFNMAP	0x00000400ul
#define VM_HUGETLB	0x00400000ul
#define VM_WIPEONFORK	0x02000000ul
#define VM_DONTDUMP	0x04000000ul
#define VM_SOFTDIRTY	0x08000000ul
#define VM_HUGEPAGE	0x20000000ul
#define VM_NOHUGEPAGE	0x40000000ul
#define VM_MERGEABLE	0x80000000ul
#define VM_LOCKONFAULT	0x00080000ul
/* x86 protection keys: four high architecture bits (VM_HIGH_ARCH_BIT_0..3)
 * hold the VMA's key, so a key splits and merges VMAs like a flag. */
#define VM_PKEY_SHIFT	32
#define VM_PKEY_BIT0	(1ul << 32)
#define VM_PKEY_BIT1	(1ul << 33)
#define VM_PKEY_BIT2	(1ul << 34)
#define VM_PKEY_BIT3	(1ul << 35)
#define ARCH_VM_PKEY_FLAGS (VM_PKEY_BIT0 | VM_PKEY_BIT1 | VM_PKEY_BIT2 | VM_PKEY_BIT3)
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP)

#define STACK_GUARD_GAP	(256ul << PAGE_SHIFT)	/* stack_guard_gap's default */
/* Where next's reach starts: its start, less the guard gap for a stack. */
static inline unsigned long vm_start_gap(const struct vm_area_struct *next)
{
	unsigned long start = next->vm_start;

	if (unlikely(next->vm_flags & VM_GROWSDOWN))
		start = start > STACK_GUARD_GAP ? start - STACK_GUARD_GAP : 0;
	return start;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start, unsigned long end);
/* The vma containing addr, or NULL (a hole). */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);

struct file;
struct address_space;

/* Returns the address, or -errno. */
long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags);
/* The same with a file (NULL: anonymous) at page offset pgoff; flags
 * without MAP_ANONYMOUS are fine here (the caller opened the file). */
long do_mmap_pgoff(struct mm_struct *mm, struct file *file, unsigned long addr,
		   unsigned long len, unsigned long prot, unsigned long flags,
		   unsigned long pgoff);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
int install_special_mapping(struct mm_struct *mm, unsigned long addr, unsigned long len,
			    unsigned long vm_flags, const char *name);
int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long flags);
/* Where len bytes of file (NULL: anonymous) at page pgoff go, for MAP_*
 * flags; the address or -errno (Linux's __get_unmapped_area). */
long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
		       unsigned long len, unsigned long pgoff, unsigned long flags);
int expand_stack(struct mm_struct *mm, struct vm_area_struct *v, unsigned long addr);
bool may_expand_vm(struct mm_struct *mm, unsigned long flags, unsigned long npages);
/* total_vm and the exec/stack/data counters for npages of a vma with
 * flags (negative: going away), as Linux's vm_stat_account. */
void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages);
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
void vm_area_free(struct vm_area_struct *v);
/*
 * Puts a VMA made by vm_area_alloc into mm's tree, uncharged (exec's
 * stack; Linux's exec calls insert_vm_struct, which also charges it).
 */
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);

vm_fault_t handle_mm_fault(struct vm_area_struct *v, unsigned long addr, unsigned int flags);
/* mm/mlock.c: one page of get_user_pages (0, -ENOMEM, -EFAULT). */
int faultin_page(struct vm_area_struct *v, unsigned long addr, bool write);

/* mm/filemap.c: a file's cached pages go (a range; all, at its last iput). */
void truncate_inode_pages_range(struct address_space *as, pgoff_t start, pgoff_t end);
void truncate_inode_pages_final(struct address_space *as);

#endif /* KMM_MM_H */
