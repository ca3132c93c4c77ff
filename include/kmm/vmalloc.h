/*
 * include/kmm/vmalloc.h - virtually contiguous memory from scattered
 * frames: vmalloc, vmap, ioremap.
 *
 * A vmalloc area lives in the simulated kernel's vmalloc space (from
 * VMALLOC_START) and, at the same offset, in a host address window where
 * the same frames are mapped a second time through the RAM memfd: the
 * pointer vmalloc returns is that host address, a real buffer the caller
 * can use.  kmm_kaddr() gives its simulated kernel address.
 */
#ifndef KMM_VMALLOC_H
#define KMM_VMALLOC_H

#include <stddef.h>
#include <kmm/gfp.h>
#include <kmm/pgtable.h>

#define VMALLOC_START	0xffffc90000000000ul
#define VMALLOC_SIZE_TB	32ul
#define VMALLOC_END	(VMALLOC_START + (VMALLOC_SIZE_TB << 40) - 1)

/* vm_struct flags, as Linux's */
#define VM_IOREMAP	0x00000001u
#define VM_ALLOC	0x00000002u
#define VM_MAP		0x00000004u
#define VM_USERMAP	0x00000008u
#define VM_NO_GUARD	0x00000040u
#define VM_ALLOW_HUGE_VMAP 0x00000400u

struct vm_struct {
	struct vm_struct *next;
	void *addr;			/* host address of the area */
	unsigned long size;		/* with the guard page */
	unsigned int flags;
	struct page **pages;
	unsigned int nr_pages;
	unsigned int page_order;	/* 9 for huge (2 MiB) mappings */
	phys_addr_t phys_addr;		/* ioremap */
	const void *caller;
};

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void *vmalloc_huge(unsigned long size, gfp_t gfp);
void *__vmalloc(unsigned long size, gfp_t gfp);
void vfree(const void *addr);
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
void vunmap(const void *addr);
void *ioremap(phys_addr_t phys, size_t size);
void iounmap(volatile void *addr);
struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_to_pfn(const void *addr);
bool is_vmalloc_addr(const void *addr);
/* Is addr the start of a live vmalloc/vmap/ioremap area? */
bool vmalloc_area_live(const void *addr);
/* Host pointer of a vmalloc/vmap/ioremap address <-> simulated address. */
unsigned long kmm_vmalloc_kaddr(const void *host);
void *kmm_vmalloc_host(unsigned long kaddr);
/* Forces the lazy unmap purge (flushes and recycles freed ranges). */
void vm_unmap_aliases(void);
/* Bytes mapped by live areas (VmallocUsed). */
unsigned long vmalloc_nr_pages(void);

#endif /* KMM_VMALLOC_H */
