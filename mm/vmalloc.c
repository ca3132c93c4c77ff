/*
 * mm/vmalloc.c - virtually contiguous kernel memory made of scattered
 * frames.  Mirrors Linux mm/vmalloc.c:
 *   - free address space is a tree of vmap_areas sorted by address and
 *     augmented with the largest free size in each subtree, so the lowest
 *     fitting address is found in O(log n) (find_vmap_lowest_match);
 *   - busy areas are a second tree, for vfree to find its area;
 *   - each area has a guard page after it, left unmapped;
 *   - vfree unmaps at once but recycles the address range lazily: freed
 *     ranges wait on a purge list until lazy_max_pages() worth piles up,
 *     then one flush returns them all (__purge_vmap_area_lazy).
 * The frames are also mapped, at the same offset, into a host window
 * through the RAM memfd, so the address vmalloc returns is usable memory.
 *
 * Lock order: vmap_lock, then the page allocator's locks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <kmm/rbtree_augmented.h>
#include <kmm/vmalloc.h>
#include "mm/slab.h"
#include "base/seq_buf.h"

/* The part of vmalloc space mirrored on the host (valgrind copes with 8G). */
#define VMALLOC_HOST_SIZE (8ul << 30)

struct vmap_area {
	unsigned long va_start;		/* simulated kernel address */
	unsigned long va_end;
	struct rb_node rb_node;
	unsigned long subtree_max_size;	/* free tree: largest free size below */
	struct vm_struct *vm;		/* busy: what it holds */
	struct list_head list;		/* purge list */
};

struct kmm_vmalloc {
	pthread_mutex_t lock;
	struct rb_root free_root;	/* free ranges, augmented */
	struct rb_root busy_root;	/* live areas */
	struct list_head purge_list;	/* freed, not yet recycled */
	unsigned long lazy_pages;	/* pages waiting on the purge list */
	unsigned long nr_purges;	/* flushes done */
	unsigned long nr_vmalloc_pages;
	struct kmem_cache *vmap_area_cachep;
	char *host;			/* host address of VMALLOC_START */
	unsigned long host_size;	/* the part of vmalloc space mirrored */
};

static inline unsigned long va_size(struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

RB_DECLARE_CALLBACKS_MAX(static, free_vmap_area_rb_augment_cb, struct vmap_area,
			 rb_node, unsigned long, subtree_max_size, va_size);

static struct kmm_vmalloc *vm_of(struct kmm *k)
{
	return k->mem->vmalloc;
}

unsigned long kmm_vmalloc_kaddr(const void *host)
{
	struct kmm_vmalloc *v = vm_of(kmm_cur());

	return VMALLOC_START + (unsigned long)((const char *)host - v->host);
}

void *kmm_vmalloc_host(unsigned long kaddr)
{
	return vm_of(kmm_cur())->host + (kaddr - VMALLOC_START);
}

/* Host pointer or simulated address, to the simulated address; 0 if neither. */
static unsigned long to_kaddr(struct kmm_vmalloc *v, const void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (a >= VMALLOC_START && a < VMALLOC_START + v->host_size)
		return a;
	if ((const char *)addr >= v->host && (const char *)addr < v->host + v->host_size)
		return VMALLOC_START + (unsigned long)((const char *)addr - v->host);
	return 0;
}

bool is_vmalloc_addr(const void *addr)
{
	struct kmm *k = kmm_global;

	return k && k->mem->vmalloc && to_kaddr(vm_of(k), addr) != 0;
}

/* ------------------------------------------------------------------ */
/* Address space: the free tree and the busy tree                      */
/* ------------------------------------------------------------------ */

static struct vmap_area *va_alloc(struct kmm_vmalloc *v)
{
	return __kmem_cache_alloc(v->vmap_area_cachep, GFP_KERNEL | __GFP_ZERO, 0);
}

static void va_free(struct kmm_vmalloc *v, struct vmap_area *va)
{
	__kmem_cache_free(v->vmap_area_cachep, va, 0);
}

static void insert_free(struct kmm_vmalloc *v, struct vmap_area *va)
{
	struct rb_node **link = &v->free_root.rb_node, *parent = NULL;

	while (*link) {
		struct vmap_area *t = rb_entry(*link, struct vmap_area, rb_node);

		parent = *link;
		link = va->va_start < t->va_start ? &parent->rb_left : &parent->rb_right;
	}
	va->subtree_max_size = va_size(va);
	rb_link_node(&va->rb_node, parent, link);
	free_vmap_area_rb_augment_cb.propagate(parent, NULL);
	rb_insert_augmented(&va->rb_node, &v->free_root, &free_vmap_area_rb_augment_cb);
}

static void erase_free(struct kmm_vmalloc *v, struct vmap_area *va)
{
	rb_erase_augmented(&va->rb_node, &v->free_root, &free_vmap_area_rb_augment_cb);
}

/* Returns a range [start, end) to the free tree, merging with neighbours. */
static void merge_or_add_free(struct kmm_vmalloc *v, struct vmap_area *va)
{
	struct rb_node *n = v->free_root.rb_node;
	struct vmap_area *prev = NULL, *next = NULL;

	while (n) {
		struct vmap_area *t = rb_entry(n, struct vmap_area, rb_node);

		if (t->va_start < va->va_start) {
			prev = t;
			n = n->rb_right;
		} else {
			next = t;
			n = n->rb_left;
		}
	}
	if (next && next->va_start == va->va_end) {
		next->va_start = va->va_start;
		free_vmap_area_rb_augment_cb.propagate(&next->rb_node, NULL);
		va_free(v, va);
		va = next;
		if (prev && prev->va_end == va->va_start) {
			prev->va_end = va->va_end;
			erase_free(v, va);
			va_free(v, va);
			free_vmap_area_rb_augment_cb.propagate(&prev->rb_node, NULL);
		}
		return;
	}
	if (prev && prev->va_end == va->va_start) {
		prev->va_end = va->va_end;
		free_vmap_area_rb_augment_cb.propagate(&prev->rb_node, NULL);
		va_free(v, va);
		return;
	}
	insert_free(v, va);
}

/* Does [ALIGN(va_start, align), +size) fit in this free area? */
static bool fits(struct vmap_area *va, unsigned long size, unsigned long align)
{
	unsigned long start = ALIGN(va->va_start, align);

	return start >= va->va_start && start + size <= va->va_end && start + size > start;
}

/*
 * The free area holding the lowest address where size bytes aligned to
 * align fit: go left while the left subtree could hold it.
 */
static struct vmap_area *find_vmap_lowest_match(struct kmm_vmalloc *v,
						unsigned long size,
						unsigned long align)
{
	unsigned long need = size + align - PAGE_SIZE;	/* enough wherever it starts */
	struct rb_node *n = v->free_root.rb_node;

	while (n) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);
		struct rb_node *left = n->rb_left;

		if (left && rb_entry(left, struct vmap_area, rb_node)->subtree_max_size >= need) {
			n = left;
			continue;
		}
		if (fits(va, size, align))
			return va;
		if (n->rb_right && rb_entry(n->rb_right, struct vmap_area, rb_node)->subtree_max_size >= need) {
			n = n->rb_right;
			continue;
		}
		/* Only exact-fit candidates remain: check in address order. */
		break;
	}
	for (n = rb_first(&v->free_root); n; n = rb_next(n)) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);

		if (va->subtree_max_size >= size && fits(va, size, align))
			return va;
	}
	return NULL;
}

/* Carves [start, start + size) out of free area fva. */
static int clip_free(struct kmm_vmalloc *v, struct vmap_area *fva,
		     unsigned long start, unsigned long size)
{
	unsigned long end = start + size;

	if (fva->va_start == start && fva->va_end == end) {
		erase_free(v, fva);
		va_free(v, fva);
	} else if (fva->va_start == start) {
		fva->va_start = end;
		free_vmap_area_rb_augment_cb.propagate(&fva->rb_node, NULL);
	} else if (fva->va_end == end) {
		fva->va_end = start;
		free_vmap_area_rb_augment_cb.propagate(&fva->rb_node, NULL);
	} else {
		struct vmap_area *rest = va_alloc(v);

		if (!rest)
			return -ENOMEM;
		rest->va_start = end;
		rest->va_end = fva->va_end;
		fva->va_end = start;
		free_vmap_area_rb_augment_cb.propagate(&fva->rb_node, NULL);
		insert_free(v, rest);
	}
	return 0;
}

static void insert_busy(struct kmm_vmalloc *v, struct vmap_area *va)
{
	struct rb_node **link = &v->busy_root.rb_node, *parent = NULL;

	while (*link) {
		struct vmap_area *t = rb_entry(*link, struct vmap_area, rb_node);

		parent = *link;
		link = va->va_start < t->va_start ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&va->rb_node, parent, link);
	rb_insert_color(&va->rb_node, &v->busy_root);
}

static struct vmap_area *find_busy(struct kmm_vmalloc *v, unsigned long addr)
{
	struct rb_node *n = v->busy_root.rb_node;

	while (n) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);

		if (addr < va->va_start)
			n = n->rb_left;
		else if (addr >= va->va_end)
			n = n->rb_right;
		else
			return va;
	}
	return NULL;
}

static unsigned long lazy_max_pages(struct kmm *k)
{
	/* 32 MiB per log2(CPUs) + 1, as Linux. */
	return ((32ul << 20) >> PAGE_SHIFT) * (unsigned long)(64 - __builtin_clzl(k->nr_cpus));
}

/* The flush: every lazily freed range goes back to the free tree. */
static void purge_vmap_area_lazy(struct kmm_vmalloc *v)
{
	struct vmap_area *va, *tmp;

	if (list_empty(&v->purge_list))
		return;
	list_for_each_entry_safe(va, tmp, &v->purge_list, list) {
		list_del(&va->list);
		merge_or_add_free(v, va);
	}
	v->lazy_pages = 0;
	v->nr_purges++;
}

/* Reserves size bytes (+ guard) of vmalloc space. Caller holds v->lock. */
static struct vmap_area *alloc_vmap_area(struct kmm *k, unsigned long size,
					 unsigned long align)
{
	struct kmm_vmalloc *v = vm_of(k);
	struct vmap_area *fva, *va;
	unsigned long start;

	fva = find_vmap_lowest_match(v, size, align);
	if (!fva) {
		purge_vmap_area_lazy(v);	/* maybe the lazy ranges fit */
		fva = find_vmap_lowest_match(v, size, align);
		if (!fva)
			return NULL;
	}
	va = va_alloc(v);
	if (!va)
		return NULL;
	start = ALIGN(fva->va_start, align);
	if (clip_free(v, fva, start, size)) {
		va_free(v, va);
		return NULL;
	}
	va->va_start = start;
	va->va_end = start + size;
	insert_busy(v, va);
	return va;
}

/* ------------------------------------------------------------------ */
/* Mapping: the simulated page table and the host window               */
/* ------------------------------------------------------------------ */

static int map_kernel_page(unsigned long va, phys_addr_t phys, pgprot_t prot)
{
	pgd_t *pgd = pgd_offset_k(va);
	pud_t *pud = pud_alloc(pgd, va);
	pmd_t *pmd = pud ? pmd_alloc(pud, va) : NULL;
	pte_t *pte = pmd ? pte_alloc_kernel(pmd, va) : NULL;

	if (!pte)
		return -ENOMEM;
	set_pte(pte, pfn_pte(PHYS_PFN(phys), prot));
	return 0;
}

static bool table_empty(const unsigned long *table)
{
	int i;

	for (i = 0; i < 512; i++)
		if (table[i])
			return false;
	return true;
}

/* Clears va's entry in a present pmd; true if the pmd entry went too. */
static bool unmap_pmd_entry(pmd_t *pmd, unsigned long va)
{
	pte_t *pte;

	if (pmd_leaf(*pmd)) {
		pmd_clear(pmd);		/* a 2 MiB mapping goes at once */
		return true;
	}
	pte = pte_offset_kernel(pmd, va);
	pte_clear(pte);
	if (!table_empty((unsigned long *)((unsigned long)pte & PAGE_MASK)))
		return false;
	pte_free_kernel(pte);
	pmd_clear(pmd);
	return true;
}

/*
 * Clears the PTE of va and frees the tables that become empty, bottom up.
 * A table can be empty with no entry below it to clear: map_kernel_page
 * fills the levels top down, and when a lower table cannot be allocated
 * the new one above it is left with nothing in it.
 */
static void unmap_kernel_page(unsigned long va)
{
	pgd_t *pgd = pgd_offset_k(va);
	pud_t *pud;
	pmd_t *pmd;

	if (!pgd_present(*pgd))
		return;
	pud = pud_offset(p4d_offset(pgd, va), va);
	if (pud_present(*pud)) {
		pmd = pmd_offset(pud, va);
		if (pmd_present(*pmd) && !unmap_pmd_entry(pmd, va))
			return;		/* the tables above still map something */
		if (!table_empty((unsigned long *)((unsigned long)pmd & PAGE_MASK)))
			return;
		pmd_free(pmd);
		pud_clear(pud);
	}
	if (!table_empty((unsigned long *)((unsigned long)pud & PAGE_MASK)))
		return;
	pud_free(pud);
	set_pgd(pgd, __pgd(0));
}

/* Maps frames [phys, +len) at host window offset off. */
static int host_map(struct kmm *k, unsigned long off, phys_addr_t phys, unsigned long len)
{
	/* Populated now: the frames are the caller's already, and the
	 * simulated kernel has mapped them too, so nothing is left to fault. */
	void *p = mmap(vm_of(k)->host + off, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED | MAP_POPULATE, k->hw->ram.memfd, (off_t)phys);

	return p == MAP_FAILED ? -errno : 0;
}

static void host_unmap(struct kmm *k, unsigned long off, unsigned long len)
{
	mmap(vm_of(k)->host + off, len, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

/* 2 MiB leaves: one PMD entry and one host mapping per chunk. */
static int map_area_huge(struct kmm *k, struct vmap_area *va, pgprot_t prot,
			 unsigned long nr)
{
	struct vm_struct *vm = va->vm;
	unsigned long i;

	for (i = 0; i < nr; i += PTRS_PER_PTE) {
		unsigned long addr = va->va_start + (i << PAGE_SHIFT);
		phys_addr_t phys = page_to_phys(vm->pages[i]);
		pud_t *pud = pud_alloc(pgd_offset_k(addr), addr);
		pmd_t *pmd = pud ? pmd_alloc(pud, addr) : NULL;

		if (!pmd)
			return -ENOMEM;
		set_pmd(pmd, __pmd(phys | pgprot_val(prot) | _PAGE_PSE));
		if (host_map(k, addr - VMALLOC_START, phys, PMD_SIZE))
			return -ENOMEM;
	}
	return 0;
}

/* Maps the area's pages (or phys range) in both page tables. */
static int map_area(struct kmm *k, struct vmap_area *va, pgprot_t prot)
{
	struct vm_struct *vm = va->vm;
	unsigned long off = va->va_start - VMALLOC_START, i;
	unsigned long nr = (vm->size - ((vm->flags & VM_NO_GUARD) ? 0 : PAGE_SIZE)) >> PAGE_SHIFT;

	if (vm->page_order)
		return map_area_huge(k, va, prot, nr);
	for (i = 0; i < nr; i++) {
		phys_addr_t phys = vm->pages ? page_to_phys(vm->pages[i]) :
			vm->phys_addr + (i << PAGE_SHIFT);

		if (map_kernel_page(va->va_start + (i << PAGE_SHIFT), phys, prot))
			return -ENOMEM;
		/* Coalesce physically contiguous runs into one host mapping. */
		if (i && (vm->pages ? page_to_phys(vm->pages[i - 1]) + PAGE_SIZE == phys : 1))
			continue;
		{
			unsigned long run = 1;

			while (i + run < nr && (vm->pages ?
			       page_to_phys(vm->pages[i + run]) == phys + (run << PAGE_SHIFT) : 1))
				run++;
			if (host_map(k, off + (i << PAGE_SHIFT), phys, run << PAGE_SHIFT))
				return -ENOMEM;
		}
	}
	return 0;
}

static void unmap_area(struct kmm *k, struct vmap_area *va)
{
	unsigned long a;

	for (a = va->va_start; a < va->va_end; a += PAGE_SIZE)
		unmap_kernel_page(a);
	host_unmap(k, va->va_start - VMALLOC_START, va_size(va));
}

/* ------------------------------------------------------------------ */
/* The API                                                             */
/* ------------------------------------------------------------------ */

/*
 * Order-9 blocks for a huge area (size a multiple of 2 MiB); on any
 * failure, none are kept and the caller falls back to single pages.
 * Returns 0 when the area got huge pages.
 */
static int alloc_huge_pages(struct kmm *k, struct vm_struct *vm,
			    unsigned long nr, gfp_t gfp)
{
	unsigned long i, j;

	if (nr % PTRS_PER_PTE)
		return -1;
	for (i = 0; i < nr; i += PTRS_PER_PTE) {
		struct page *p = __alloc_pages(k, (gfp & ~__GFP_COMP) | __GFP_NOWARN |
					       __GFP_NORETRY, pageblock_order);

		if (!p) {
			for (j = 0; j < i; j += PTRS_PER_PTE)
				___free_pages(k, vm->pages[j], pageblock_order);
			memset(vm->pages, 0, nr * sizeof(*vm->pages));
			return -1;
		}
		for (j = 0; j < PTRS_PER_PTE; j++)
			vm->pages[i + j] = p + j;
	}
	vm->nr_pages = (unsigned int)nr;
	vm->page_order = pageblock_order;
	return 0;
}

static void free_area_pages(struct kmm *k, struct vm_struct *vm)
{
	unsigned int i, step = 1u << vm->page_order;

	for (i = 0; i < vm->nr_pages; i += step)
		___free_pages(k, vm->pages[i], vm->page_order);
}

static void free_pages_array(struct vm_struct *vm)
{
	if (is_vmalloc_addr(vm->pages))
		vfree(vm->pages);
	else
		kfree(vm->pages);
}

/*
 * One area: address space, a vm_struct, and (for vmalloc) the pages,
 * mapped.  Returns the host address or NULL (nothing is left allocated).
 */
static void *__vmalloc_area(struct kmm *k, unsigned long size, gfp_t gfp,
			    unsigned int flags, struct page **pages,
			    phys_addr_t phys, pgprot_t prot, const void *caller)
{
	struct kmm_vmalloc *v = vm_of(k);
	unsigned long nr = size >> PAGE_SHIFT, i, align = PAGE_SIZE;
	unsigned long total = size + ((flags & VM_NO_GUARD) ? 0 : PAGE_SIZE);
	struct vm_struct *vm;
	struct vmap_area *va;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return NULL;
	vm->flags = flags;
	vm->size = total;
	vm->caller = caller;
	vm->phys_addr = phys;
	if (flags & VM_ALLOC) {
		size_t bytes = nr * sizeof(struct page *);

		/* A big array is itself vmalloc'ed, as Linux does. */
		vm->pages = bytes > PAGE_SIZE ? __vmalloc(bytes, GFP_KERNEL | __GFP_ZERO) :
						kzalloc(bytes, GFP_KERNEL);
		if (!vm->pages)
			goto out_vm;
		if ((flags & VM_ALLOW_HUGE_VMAP) && !alloc_huge_pages(k, vm, nr, gfp))
			align = PMD_SIZE;
		for (i = vm->nr_pages; i < nr; i++) {
			struct page *p = __alloc_pages(k, (gfp & ~__GFP_COMP) | __GFP_NOWARN, 0);

			if (!p)
				goto out_pages;
			vm->pages[i] = p;
			vm->nr_pages++;
		}
	} else if (pages) {
		vm->pages = pages;
		vm->nr_pages = (unsigned int)nr;
	}
	pthread_mutex_lock(&v->lock);
	va = alloc_vmap_area(k, total, align);
	if (!va) {
		pthread_mutex_unlock(&v->lock);
		goto out_pages;
	}
	va->vm = vm;
	vm->addr = v->host + (va->va_start - VMALLOC_START);
	if (map_area(k, va, prot)) {
		unmap_area(k, va);
		rb_erase(&va->rb_node, &v->busy_root);
		merge_or_add_free(v, va);
		pthread_mutex_unlock(&v->lock);
		goto out_pages;
	}
	if (flags & VM_ALLOC)
		v->nr_vmalloc_pages += nr;
	pthread_mutex_unlock(&v->lock);
	return vm->addr;
out_pages:
	if (flags & VM_ALLOC) {
		free_area_pages(k, vm);
		free_pages_array(vm);
	}
out_vm:
	kfree(vm);
	if (!(gfp & __GFP_NOWARN))
		kmm_report(k, "kmm: vmalloc error: size %lu, vm_struct allocation failed, mode:%#x\n",
			   size, gfp);
	return NULL;
}

static void *vmalloc_caller(unsigned long size, gfp_t gfp, const void *caller)
{
	struct kmm *k = kmm_cur();

	if (!size || size > (k->mem->vmalloc->host_size >> 1)) {
		if (!(gfp & __GFP_NOWARN))
			kmm_report(k, "kmm: vmalloc error: size %lu, %s\n", size,
				   size ? "exceeds the vmalloc space" : "zero size");
		return NULL;
	}
	size = ALIGN(size, PAGE_SIZE);
	return __vmalloc_area(k, size, gfp, VM_ALLOC, NULL, 0, PAGE_KERNEL, caller);
}

void *__vmalloc(unsigned long size, gfp_t gfp)
{
	return vmalloc_caller(size, gfp, __builtin_return_address(0));
}

void *vmalloc(unsigned long size)
{
	return vmalloc_caller(size, GFP_KERNEL, __builtin_return_address(0));
}

void *vzalloc(unsigned long size)
{
	return vmalloc_caller(size, GFP_KERNEL | __GFP_ZERO, __builtin_return_address(0));
}

/* 2 MiB leaves when the size allows and order-9 blocks exist. */
void *vmalloc_huge(unsigned long size, gfp_t gfp)
{
	struct kmm *k = kmm_cur();

	if (!size || size > (k->mem->vmalloc->host_size >> 1))
		return vmalloc_caller(size, gfp, __builtin_return_address(0));
	if (size >= PMD_SIZE)
		size = ALIGN(size, PMD_SIZE);
	return __vmalloc_area(k, ALIGN(size, PAGE_SIZE), gfp, VM_ALLOC | VM_ALLOW_HUGE_VMAP,
			      NULL, 0, PAGE_KERNEL, __builtin_return_address(0));
}

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	if (!count)
		return NULL;
	return __vmalloc_area(kmm_cur(), (unsigned long)count << PAGE_SHIFT, GFP_KERNEL,
			      VM_MAP | (unsigned int)flags, pages, 0, prot,
			      __builtin_return_address(0));
}

void *ioremap(phys_addr_t phys, size_t size)
{
	struct kmm *k = kmm_cur();
	unsigned long off = phys & ~PAGE_MASK;
	void *p;

	/* Device memory only: RAM is reached through the direct map. */
	if (!size || memblock_is_memory(&k->mem->memblock, phys)) {
		kmm_report(k, "ioremap on RAM at %#lx - use the direct map\n", phys);
		return NULL;
	}
	if (hw_ram_extend_file(&k->hw->ram, ALIGN(phys + size, PAGE_SIZE)))
		return NULL;
	p = __vmalloc_area(k, ALIGN(size + off, PAGE_SIZE), GFP_KERNEL, VM_IOREMAP, NULL,
			   phys & PAGE_MASK,
			   __pgprot(pgprot_val(PAGE_KERNEL) | _PAGE_PCD | _PAGE_PWT),
			   __builtin_return_address(0));
	return p ? (char *)p + off : NULL;
}

/*
 * The three ways to make a vm area and the call that undoes each, so that
 * a warning names the call that was made: Linux's own texts are "Trying to
 * vfree() nonexistent vm area (%p)", "Trying to vunmap() ..." and, on x86,
 * "iounmap: bad address %p".
 */
enum { KIND_VMALLOC, KIND_VMAP, KIND_IOREMAP };

static const struct vm_kind {
	unsigned long flag;
	const char *make;	/* what made the area */
	const char *undo;	/* the call that takes it down */
	const char *done;	/* what that call did to it */
} vm_kinds[] = {
	[KIND_VMALLOC] = { VM_ALLOC, "vmalloc", "vfree", "freed" },
	[KIND_VMAP] = { VM_MAP, "vmap", "vunmap", "unmapped" },
	[KIND_IOREMAP] = { VM_IOREMAP, "ioremap", "iounmap", "unmapped" },
};

static const struct vm_kind *kind_of_area(const struct vm_struct *vm)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vm_kinds); i++)
		if (vm->flags & vm_kinds[i].flag)
			return &vm_kinds[i];
	return &vm_kinds[0];
}

/*
 * call (vfree, vunmap, iounmap) was given addr, which starts no live area:
 * it is offset bytes into a live area made by inside (NULL: in none), or
 * the start of one already taken down and waiting for the lazy purge
 * (gone), or nothing at all.
 */
static void report_bad_area(struct kmm *k, const struct vm_kind *call, const void *addr,
			    const char *inside, unsigned long offset, bool gone)
{
	char head[128];

	if (call->flag == VM_IOREMAP)
		snprintf(head, sizeof(head), "WARNING: iounmap: bad address (%p)", addr);
	else
		snprintf(head, sizeof(head), "WARNING: %s: Trying to %s() %s (%p)", call->undo,
			 call->undo, inside ? "bad address" : "nonexistent vm area", addr);
	if (gone)
		kmm_report(k, "%s: already %s\n", head, call->done);
	else if (inside)
		kmm_report(k, "%s: %#lx bytes into a %s() area, not its start\n", head, offset, inside);
	else
		kmm_report(k, "%s\n", head);
}

/* Removes the area starting at addr for call; its vm_struct or NULL. */
static struct vm_struct *remove_vm_area(struct kmm *k, const void *addr,
					const struct vm_kind *call)
{
	struct kmm_vmalloc *v = vm_of(k);
	unsigned long ka = to_kaddr(v, addr);
	struct vmap_area *va, *p;
	struct vm_struct *vm;

	pthread_mutex_lock(&v->lock);
	va = ka ? find_busy(v, ka) : NULL;
	if (!va || va->va_start != ka) {
		const char *inside = va && va->vm ? kind_of_area(va->vm)->make : NULL;
		unsigned long offset = va ? ka - va->va_start : 0;
		bool gone = false;

		list_for_each_entry(p, &v->purge_list, list)
			if (ka && p->va_start == ka)
				gone = true;
		pthread_mutex_unlock(&v->lock);
		report_bad_area(k, call, addr, inside, offset, gone);
		return NULL;
	}
	vm = va->vm;
	rb_erase(&va->rb_node, &v->busy_root);
	unmap_area(k, va);
	va->vm = NULL;
	list_add_tail(&va->list, &v->purge_list);
	v->lazy_pages += va_size(va) >> PAGE_SHIFT;
	if (vm->flags & VM_ALLOC)
		v->nr_vmalloc_pages -= vm->nr_pages;
	if (v->lazy_pages > lazy_max_pages(k))
		purge_vmap_area_lazy(v);
	pthread_mutex_unlock(&v->lock);
	return vm;
}

/*
 * Takes down the area at addr for call.  An area made another way than
 * call undoes is reported and taken down all the same; a vmalloc area's
 * pages are freed whichever call it was (Linux's vunmap would leak them:
 * nobody else can free them once the area is gone).
 */
static void free_vm_area_as(struct kmm *k, const void *addr, const struct vm_kind *call)
{
	struct vm_struct *vm = remove_vm_area(k, addr, call);
	const struct vm_kind *made;

	if (!vm)
		return;
	made = kind_of_area(vm);
	if (made != call)
		kmm_report(k, "WARNING: %s: vm area (%p) was made by %s(), not %s(): %s (use %s())\n",
			   call->undo, addr, made->make, call->make,
			   made->flag == VM_ALLOC ? "unmapped and its pages freed" :
			   "unmapped, its pages left to their owner", made->undo);
	if (vm->flags & VM_ALLOC) {
		free_area_pages(k, vm);
		free_pages_array(vm);
	}
	kfree(vm);
}

void vfree(const void *addr)
{
	if (addr)
		free_vm_area_as(kmm_cur(), addr, &vm_kinds[KIND_VMALLOC]);
}

void vunmap(const void *addr)
{
	if (addr)
		free_vm_area_as(kmm_cur(), addr, &vm_kinds[KIND_VMAP]);
}

void iounmap(volatile void *addr)
{
	if (addr)
		free_vm_area_as(kmm_cur(), (void *)((unsigned long)addr & PAGE_MASK), &vm_kinds[KIND_IOREMAP]);
}

struct page *vmalloc_to_page(const void *addr)
{
	struct kmm *k = kmm_cur();
	unsigned long ka = to_kaddr(vm_of(k), addr);
	struct mmu_walk w;

	if (!ka || mmu_walk(k->mem->swapper_pg_dir, ka, PF_PEEK, &w))
		return NULL;
	if (!memblock_is_memory(&k->mem->memblock, w.phys))
		return NULL;	/* ioremap: no struct page */
	return pfn_to_page(PHYS_PFN(w.phys));
}

unsigned long vmalloc_to_pfn(const void *addr)
{
	struct page *p = vmalloc_to_page(addr);

	return p ? page_to_pfn(p) : 0;
}

/* Is addr the start of a live vmalloc/vmap/ioremap area? */
bool vmalloc_area_live(const void *addr)
{
	struct kmm_vmalloc *v = vm_of(kmm_cur());
	unsigned long ka = to_kaddr(v, addr);
	struct vmap_area *va;

	if (!ka)
		return false;
	pthread_mutex_lock(&v->lock);
	va = find_busy(v, ka);
	pthread_mutex_unlock(&v->lock);
	return va && va->va_start == ka;
}

void vm_unmap_aliases(void)
{
	struct kmm_vmalloc *v = vm_of(kmm_cur());

	pthread_mutex_lock(&v->lock);
	purge_vmap_area_lazy(v);
	pthread_mutex_unlock(&v->lock);
}

unsigned long kmm_vmalloc_mirror_size(void)
{
	return VMALLOC_HOST_SIZE;
}

unsigned long vmalloc_nr_pages(void)
{
	return READ_ONCE(vm_of(kmm_cur())->nr_vmalloc_pages);
}

/* ------------------------------------------------------------------ */
/* /proc/vmallocinfo                                                   */
/* ------------------------------------------------------------------ */

static void show_caller(struct seq_buf *m, const void *caller)
{
	Dl_info info;

	/* Linux prints %pS: the symbol and offset of the caller. */
	if (caller && dladdr(caller, &info) && info.dli_sname)
		seq_printf(m, " %s+0x%lx", info.dli_sname,
			   (unsigned long)((const char *)caller - (const char *)info.dli_saddr));
	else
		seq_puts(m, " 0x0");	/* unknown: no address, so output stays reproducible */
}

static void show_area(struct seq_buf *m, struct vmap_area *va)
{
	struct vm_struct *vm = va->vm;

	seq_printf(m, "0x%016lx-0x%016lx %7ld", va->va_start, va->va_end, (long)va_size(va));
	show_caller(m, vm->caller);
	if (vm->nr_pages)
		seq_printf(m, " pages=%u", vm->nr_pages);
	if (vm->phys_addr)
		seq_printf(m, " phys=0x%016lx", vm->phys_addr);
	if (vm->flags & VM_IOREMAP)
		seq_puts(m, " ioremap");
	if (vm->flags & VM_ALLOC)
		seq_puts(m, " vmalloc");
	if (vm->flags & VM_MAP)
		seq_puts(m, " vmap");
	if (vm->pages && is_vmalloc_addr(vm->pages))
		seq_puts(m, " vpages");
	if (vm->nr_pages)
		seq_printf(m, " N0=%u", vm->nr_pages);
	seq_putc(m, '\n');
}

static void show_busy(struct seq_buf *m, struct rb_node *n)
{
	if (!n)
		return;
	show_busy(m, n->rb_left);
	show_area(m, rb_entry(n, struct vmap_area, rb_node));
	show_busy(m, n->rb_right);
}

void vmallocinfo_show(struct kmm *k, struct seq_buf *m)
{
	struct kmm_vmalloc *v = vm_of(k);
	struct vmap_area *va;

	pthread_mutex_lock(&v->lock);
	show_busy(m, v->busy_root.rb_node);
	list_for_each_entry(va, &v->purge_list, list)
		seq_printf(m, "0x%016lx-0x%016lx %7ld unpurged vm_area\n",
			   va->va_start, va->va_end, (long)va_size(va));
	pthread_mutex_unlock(&v->lock);
}

/* ------------------------------------------------------------------ */
/* Boot                                                                */
/* ------------------------------------------------------------------ */


int vmalloc_init(struct kmm *k)
{
	struct kmm_vmalloc *v = calloc(1, sizeof(*v));
	struct vmap_area *all;

	if (!v)
		return -ENOMEM;
	k->mem->vmalloc = v;
	pthread_mutex_init(&v->lock, NULL);
	v->free_root = RB_ROOT;
	v->busy_root = RB_ROOT;
	INIT_LIST_HEAD(&v->purge_list);
	v->host_size = VMALLOC_HOST_SIZE;
	v->host = mmap(NULL, v->host_size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->host == MAP_FAILED) {
		v->host = NULL;
		return -ENOMEM;
	}
	/* Not SLAB_PANIC as in Linux: a boot that fails here returns NULL
	 * from kmm_boot, the library does not abort its caller. */
	v->vmap_area_cachep = __kmem_cache_create(k, "vmap_area", sizeof(struct vmap_area),
						  0, 0, NULL);
	if (!v->vmap_area_cachep)
		return -ENOMEM;
	v->vmap_area_cachep->flags |= CFLGS_PERMANENT;
	all = va_alloc(v);
	if (!all)
		return -ENOMEM;
	all->va_start = VMALLOC_START;
	all->va_end = VMALLOC_START + v->host_size;
	insert_free(v, all);
	kmm_vmalloc_window = v->host;
	kmm_vmalloc_window_size = v->host_size;
	return 0;
}

void vmalloc_exit(struct kmm *k)
{
	struct kmm_vmalloc *v = k->mem->vmalloc;

	if (!v)
		return;
	if (v->host)
		munmap(v->host, v->host_size);
	if (kmm_vmalloc_window == v->host)
		kmm_vmalloc_window = NULL;
	free(v);
	k->mem->vmalloc = NULL;
}

/* Checks the free tree: sorted, disjoint, augmented values right. */
int check_vmalloc_invariants(void)
{
	struct kmm_vmalloc *v = vm_of(kmm_cur());
	struct rb_node *n;
	unsigned long last_end = 0;
	int err = 0;

	pthread_mutex_lock(&v->lock);
	for (n = rb_first(&v->free_root); n; n = rb_next(n)) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);
		unsigned long max = va_size(va);

		if (va->va_start >= va->va_end || va->va_start < last_end)
			err = -1;
		if (n->rb_left)
			max = max(max, rb_entry(n->rb_left, struct vmap_area, rb_node)->subtree_max_size);
		if (n->rb_right)
			max = max(max, rb_entry(n->rb_right, struct vmap_area, rb_node)->subtree_max_size);
		if (max != va->subtree_max_size)
			err = -1;
		if (last_end && va->va_start == last_end)
			err = -1;	/* adjacent free ranges must have merged */
		last_end = va->va_end;
	}
	pthread_mutex_unlock(&v->lock);
	return err;
}
