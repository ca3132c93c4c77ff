/*
 * mm/memory.c - user pages: page faults and everything that changes the
 * page tables under VMAs (Linux's mm/memory.c, with the PTE parts of
 * mprotect, mremap and fork).
 *
 * A process's page table is its own PGD (the kernel half shared with
 * swapper_pg_dir) with PUD, PMD and PTE tables allocated on the first
 * fault below them and counted in VmPTE.  A fault on a PTE that is none:
 *   - anonymous VMA: a read maps the shared zero page read-only, a write
 *     gets a zeroed page of its own (do_anonymous_page);
 *   - file or shmem VMA: the page comes from the inode's page cache; a
 *     read maps it, with its cached neighbours (fault-around, 16 pages);
 *     a write to a private mapping copies it (do_cow_fault), to a shared
 *     one maps the page itself writable (do_shared_fault).
 * A write to a present read-only PTE of a writable VMA is copy-on-write
 * (do_wp_page): the page is reused when this PTE is its only mapping and
 * it is anonymous, else copied.
 *
 * Pages know their mappers: an anonymous page points to its anon_vma
 * (mapping | PAGE_MAPPING_ANON) with its linear index, a file page to its
 * address_space; _mapcount counts PTEs.  RSS per type is kept in
 * mm->rss_stat, and the node counters behind /proc/meminfo follow.
 */
#include <stdlib.h>
#include <string.h>
#include <kmm/pgtable.h>
#include <kmm/sched.h>
#include <kmm/pagemap.h>
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/swap.h"
#include <kmm/mm_inline.h>
#include "arch/x86/mm/pkeys.h"
#include "arch/x86/mm/tlb.h"

#define FAULT_AROUND_PAGES	16	/* fault_around_bytes = 64 KiB */

/* ------------------------------------------------------------------ */
/* Pages and their mappers                                             */
/* ------------------------------------------------------------------ */

/*
 * The page every untouched anonymous page reads as.  Linux's is in the
 * kernel image; kmm takes it from the buddy allocator on the first read
 * fault (as Linux does for its huge zero page) and keeps it for the
 * machine's life, so booting a machine leaves the free counts as before.
 */
struct page *zero_page(void)
{
	struct kmm *k = kmm_cur();
	struct page *page = __atomic_load_n(&k->mem->zero_page, __ATOMIC_ACQUIRE), *none = NULL;

	if (likely(page))
		return page;
	page = __alloc_pages(k, GFP_KERNEL | __GFP_ZERO, 0);
	if (!page)
		return NULL;
	if (!__atomic_compare_exchange_n(&k->mem->zero_page, &none, page, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		___free_pages(k, page, 0);
		return none;
	}
	return page;
}

static void mod_node_state(enum node_stat_item item, long delta)
{
	mod_node_page_state(kmm_cur(), item, delta);
}

static int mm_counter(const struct page *page)
{
	if (PageAnon(page))
		return MM_ANONPAGES;
	return page->mapping->host->i_shmem ? MM_SHMEMPAGES : MM_FILEPAGES;
}

static void add_mm_counter(struct mm_struct *mm, int member, long delta)
{
	unsigned long rss;

	mm->rss_stat[member] += (unsigned long)delta;
	rss = get_mm_rss(mm);
	if (rss > mm->hiwater_rss)
		mm->hiwater_rss = rss;
}

/* A new anonymous page enters its first PTE (page_add_new_anon_rmap);
 * the caller counted it in NR_ANON_PAGES. */
static void __page_add_new_anon_rmap(struct page *page, struct vm_area_struct *v,
				     unsigned long addr)
{
	page->mapping = (struct address_space *)((unsigned long)v->anon_vma | PAGE_MAPPING_ANON);
	page->index = linear_page_index(v, addr);
	WRITE_ONCE(page->_mapcount, 0);	/* page_type's word: see page-flags.h */
	__SetPageAnonExclusive(page);	/* nobody else sees the page yet */
	__SetPageSwapBacked(page);	/* reclaim would swap it, not drop it */
}

static void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *v,
				   unsigned long addr)
{
	__page_add_new_anon_rmap(page, v, addr);
	mod_node_state(NR_ANON_PAGES, 1);
}

/* One more PTE maps page (fork, fault-around, file faults). */
static void page_dup_rmap(struct page *page)
{
	WRITE_ONCE(page->_mapcount, page->_mapcount + 1);	/* read racily: page-flags.h */
	if (page->_mapcount == 0)
		mod_node_state(PageAnon(page) ? NR_ANON_PAGES : NR_MAPPED, 1);
}

/* One PTE less; an anonymous page leaves its anon_vma with the last. */
static void page_remove_rmap(struct page *page)
{
	WRITE_ONCE(page->_mapcount, page->_mapcount - 1);	/* read racily: page-flags.h */
	if (page->_mapcount >= 0)
		return;
	if (PageAnon(page)) {
		mod_node_state(NR_ANON_PAGES, -1);
		page->mapping = NULL;
		ClearPageAnonExclusive(page);
	} else {
		mod_node_state(NR_MAPPED, -1);
	}
}

/* ------------------------------------------------------------------ */
/* Page tables                                                         */
/* ------------------------------------------------------------------ */

/* The PTE slot of addr, allocating the tables above it; NULL: no memory. */
pte_t *pte_alloc_map(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset_pgd(mm->pgd, addr);
	pud_t *pud;
	pmd_t *pmd;

	if (!pgd_present(*pgd)) {
		if (!pud_alloc(pgd, addr))
			return NULL;
		mm->pgtables_bytes += PAGE_SIZE;
	}
	pud = pud_offset(p4d_offset(pgd, addr), addr);
	if (!pud_present(*pud)) {
		if (!pmd_alloc(pud, addr))
			return NULL;
		mm->pgtables_bytes += PAGE_SIZE;
	}
	pmd = pmd_offset(pud, addr);
	return pte_alloc(mm, pmd, addr);
}

/* The PTE slot of addr if its tables exist, else NULL. */
pte_t *pte_lookup(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset_pgd(mm->pgd, addr);
	pud_t *pud;
	pmd_t *pmd;

	if (!pgd_present(*pgd))
		return NULL;
	pud = pud_offset(p4d_offset(pgd, addr), addr);
	if (!pud_present(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (!pmd_present(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

/* The PTE bits for a VMA's pages (vm_get_page_prot; write added later). */
static unsigned long vma_pte_bits(const struct vm_area_struct *v)
{
	unsigned long bits = _PAGE_USER | _PAGE_ACCESSED;

	if (v->vm_flags & VM_ACCESS_FLAGS)
		bits |= _PAGE_PRESENT;
	if (!(v->vm_flags & VM_EXEC))
		bits |= _PAGE_NX;
	bits |= (unsigned long)vma_pkey(v) << _PAGE_PKEY_SHIFT;
	return bits;
}

/* vma_pte_bits, with PROT_NONE pages kept as protnone PTEs. */
static unsigned long vma_pte_prot(const struct vm_area_struct *v)
{
	unsigned long bits = vma_pte_bits(v);

	return bits & _PAGE_PRESENT ? bits : bits | _PAGE_PROTNONE;
}

static pte_t make_pte(struct page *page, const struct vm_area_struct *v, bool write)
{
	unsigned long bits = vma_pte_prot(v);

	if (write && (bits & _PAGE_PRESENT))
		bits |= _PAGE_RW | _PAGE_DIRTY;
	return pfn_pte(page_to_pfn(page), __pgprot(bits));
}

/*
 * A shared writable mapping of shmem needs no write notification, so its
 * vm_page_prot carries write permission: a read fault maps the page
 * writable already (clean until the MMU sets D on the first write).
 */
static bool vma_wants_writenotify(const struct vm_area_struct *v);

static bool shared_writable(const struct vm_area_struct *v)
{
	return (v->vm_flags & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE) &&
	       !vma_wants_writenotify(v);
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */
/* ------------------------------------------------------------------ */

static vm_fault_t do_anonymous_page(struct vm_area_struct *v, unsigned long addr,
				    pte_t *pte, unsigned int flags)
{
	struct mm_struct *mm = v->vm_mm;
	struct page *page;

	if (!(flags & FAULT_FLAG_WRITE) && !mm->kmm->cfg.nozeropage) {
		/* Reads share the zero page until the first write. */
		struct page *z = zero_page();

		if (!z)
			return VM_FAULT_OOM;
		set_pte(pte, pfn_pte(page_to_pfn(z), __pgprot(vma_pte_bits(v))));
		return 0;
	}
	if (anon_vma_prepare(v))
		return VM_FAULT_OOM;
	/* Counted before the page is cleared: the locked add then does not
	 * wait for 4 KiB of zeroing stores to drain. */
	mod_node_state(NR_ANON_PAGES, 1);
	page = __alloc_pages(v->vm_mm->kmm, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	if (!page) {
		mod_node_state(NR_ANON_PAGES, -1);
		return VM_FAULT_OOM;
	}
	__page_add_new_anon_rmap(page, v, addr);
	add_mm_counter(mm, MM_ANONPAGES, 1);
	folio_add_lru_vma(page, v);
	/* Writable (and dirty) as soon as the VMA allows: a read fault that
	 * got here (no zero page) needs no second fault to write. */
	set_pte(pte, make_pte(page, v, v->vm_flags & VM_WRITE));
	return 0;
}

/*
 * The page-cache page behind addr in a file or shmem VMA (*major: read
 * from the disk).  A page wholly past the file's end is SIGBUS.
 */
static struct page *vma_file_page(struct vm_area_struct *v, unsigned long addr, bool *major)
{
	struct inode *inode = v->vm_file->f_inode;
	pgoff_t index = linear_page_index(v, addr);

	*major = false;
	if ((long long)index << PAGE_SHIFT >= inode->i_size)
		return ERR_PTR(-EFAULT);
	return filemap_fault(v->vm_file, v->vm_flags, index, major);
}

/*
 * vma_wants_writenotify: a shared mapping of a file whose dirty pages go
 * to a disk maps pages read-only until a write fault has marked them
 * dirty, so that writeback knows what to write.
 */
static bool vma_wants_writenotify(const struct vm_area_struct *v)
{
	return (v->vm_flags & VM_SHARED) && v->vm_file &&
	       mapping_can_writeback(&v->vm_file->f_inode->i_data);
}

static void map_file_page(struct vm_area_struct *v, unsigned long addr, pte_t *pte,
			  struct page *page, bool write)
{
	pte_t e = make_pte(page, v, write);

	if (!write && shared_writable(v) && pte_present(e))
		e = pte_mkwrite(e);		/* writable, still clean */
	get_page(page);
	page_dup_rmap(page);
	add_mm_counter(v->vm_mm, mm_counter(page), 1);
	set_pte(pte, e);
	if (unlikely((v->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED))
		mlock_folio(page);		/* mlock_vma_folio */
}

/*
 * A read fault maps the page and, as do_fault_around/filemap_map_pages
 * do, the pages already cached around it: a window of 16 pages that
 * starts at the fault's 64 KiB-aligned block, moved up to the VMA's start
 * if the block begins before it, and cut at the VMA's end and the end of
 * the PTE table.  Those pages cost no fault later.  A folio marked
 * PG_readahead is left for its own fault, which starts the next window
 * (next_uptodate_folio); each page mapped counts against mmap_miss.
 */
static void do_fault_around(struct vm_area_struct *v, unsigned long addr, pte_t *fault_pte)
{
	unsigned long pte_off = (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
	unsigned long vma_off = (addr - v->vm_start) >> PAGE_SHIFT;
	unsigned long from = max(pte_off & ~(unsigned long)(FAULT_AROUND_PAGES - 1),
				 pte_off - min(pte_off, vma_off));
	unsigned long to = min(min(from + FAULT_AROUND_PAGES, (unsigned long)PTRS_PER_PTE),
			       pte_off + ((v->vm_end - addr) >> PAGE_SHIFT));
	unsigned long base = addr & PMD_MASK, i, mapped = 0;

	for (i = from; i < to; i++) {
		unsigned long a = base + (i << PAGE_SHIFT);
		struct page *page;
		pte_t *pte;

		pte = a == addr ? fault_pte : pte_lookup(v->vm_mm, a);
		if (!pte || !pte_none(ptep_get(pte)))
			continue;
		if ((long long)linear_page_index(v, a) << PAGE_SHIFT >= v->vm_file->f_inode->i_size)
			break;		/* not past EOF, even if a folio is cached there */
		page = find_get_page(&v->vm_file->f_inode->i_data, linear_page_index(v, a));
		if (page && !PageReadahead(compound_head(page))) {
			map_file_page(v, a, pte, page, false);
			mapped++;
		}
	}
	filemap_map_pages_hit(v->vm_file, mapped);
}

/*
 * A read fault (do_read_fault): fault-around first, which maps the page
 * itself when it is cached; else the page is looked up or read
 * (filemap_fault), mapped, and after a major fault fault-around runs
 * again, as Linux's retry after the I/O does.
 */
static vm_fault_t do_read_fault(struct vm_area_struct *v, unsigned long addr, pte_t *pte)
{
	bool major;
	struct page *page;

	if ((long long)linear_page_index(v, addr) << PAGE_SHIFT < v->vm_file->f_inode->i_size) {
		do_fault_around(v, addr, pte);
		if (!pte_none(ptep_get(pte)))
			return 0;
	}
	page = vma_file_page(v, addr, &major);
	if (IS_ERR(page))
		return PTR_ERR(page) == -EFAULT || PTR_ERR(page) == -EIO ? VM_FAULT_SIGBUS :
									   VM_FAULT_OOM;
	if (!page)
		return VM_FAULT_OOM;
	/* Read-only in a private mapping (copy on write), writable in a
	 * shared one unless writes must be noticed. */
	map_file_page(v, addr, pte, page, false);
	put_page(page);			/* the fault's own reference */
	if (major)
		do_fault_around(v, addr, pte);
	return major ? VM_FAULT_MAJOR : 0;
}

/*
 * A store through a shared mapping made the file's page dirty (the
 * page_mkwrite of a filesystem): the first store since writeback counts
 * against the writer's dirty ratelimit, so that a process dirtying a file
 * through mmap is throttled by balance_dirty_pages as a write(2) caller
 * is.  The page is already mapped: a flusher that runs meanwhile write-
 * protects it again (page_mkclean), and the next store faults once more.
 */
static void fault_dirty_shared_page(struct vm_area_struct *v, struct page *page)
{
	if (page && set_page_dirty(page))
		balance_dirty_pages_ratelimited(page->mapping);
}

static vm_fault_t do_fault(struct vm_area_struct *v, unsigned long addr, pte_t *pte,
			   unsigned int flags)
{
	bool major;
	struct page *page, *copy;
	vm_fault_t ret;

	if (!(flags & FAULT_FLAG_WRITE))
		return do_read_fault(v, addr, pte);
	page = vma_file_page(v, addr, &major);
	ret = major ? VM_FAULT_MAJOR : 0;
	if (IS_ERR(page))
		return PTR_ERR(page) == -EFAULT || PTR_ERR(page) == -EIO ? VM_FAULT_SIGBUS :
									   VM_FAULT_OOM;
	if (!page)
		return VM_FAULT_OOM;
	if (v->vm_flags & VM_SHARED) {
		map_file_page(v, addr, pte, page, true);
		fault_dirty_shared_page(v, page);	/* do_shared_fault */
		put_page(page);
		return ret;
	}
	/* do_cow_fault: a private copy, anonymous from now on.  The file's
	 * page is held while the copy is allocated (that may reclaim). */
	if (anon_vma_prepare(v))
		goto oom;
	copy = __alloc_pages(v->vm_mm->kmm, GFP_HIGHUSER_MOVABLE, 0);
	if (!copy)
		goto oom;
	memcpy(page_address(copy), page_address(page), PAGE_SIZE);
	put_page(page);
	page_add_new_anon_rmap(copy, v, addr);
	add_mm_counter(v->vm_mm, MM_ANONPAGES, 1);
	folio_add_lru_vma(copy, v);
	set_pte(pte, make_pte(copy, v, true));
	return ret;
oom:
	put_page(page);
	return VM_FAULT_OOM;
}

/*
 * May a write reuse this anonymous page instead of copying it?  Only if
 * this PTE is its one reference; a reference an LRU batch holds does not
 * count, so the batch is drained to tell (wp_can_reuse_anon_folio).
 */
static bool wp_can_reuse_anon_folio(struct page *page)
{
	if (page_mapcount(page) != 1 || page_count(page) > 2)
		return false;
	if (page_count(page) == 2 && !PageLRU(page))
		lru_add_drain();
	return page_count(page) == 1;
}

/*
 * A write to a present, write-protected PTE of a writable VMA.  Shared
 * mappings just make it writable (the page is the file's).  A private
 * anonymous page mapped only here is reused (wp_can_reuse_anon_folio);
 * anything else (the zero page, a page shared since fork, a file page)
 * is copied.
 */
static vm_fault_t do_wp_page(struct vm_area_struct *v, unsigned long addr, pte_t *pte)
{
	pte_t old = ptep_get(pte);
	unsigned long pfn = pte_pfn(old);
	struct page *page = is_zero_pfn(pfn) ? NULL : pfn_to_page(pfn), *copy;

	if (v->vm_flags & VM_SHARED) {
		set_pte(pte, pte_mkdirty(pte_mkwrite(pte_mkyoung(old))));
		fault_dirty_shared_page(v, page);	/* wp_page_shared */
		return 0;
	}
	if (page && PageAnon(page) && wp_can_reuse_anon_folio(page)) {
		SetPageAnonExclusive(page);
		set_pte(pte, pte_mkdirty(pte_mkwrite(pte_mkyoung(old))));
		return 0;
	}
	if (anon_vma_prepare(v))
		return VM_FAULT_OOM;
	copy = __alloc_pages(v->vm_mm->kmm, GFP_HIGHUSER_MOVABLE | (page ? 0 : __GFP_ZERO), 0);
	if (!copy)
		return VM_FAULT_OOM;
	if (page)
		memcpy(page_address(copy), page_address(page), PAGE_SIZE);
	page_add_new_anon_rmap(copy, v, addr);
	add_mm_counter(v->vm_mm, MM_ANONPAGES, 1);
	folio_add_lru_vma(copy, v);
	if (page) {
		add_mm_counter(v->vm_mm, mm_counter(page), -1);
		page_remove_rmap(page);
		put_page(page);
	}
	set_pte(pte, make_pte(copy, v, true));
	flush_tlb_page(v->vm_mm, addr);
	return 0;
}

/*
 * do_swap_page: a fault on a swap PTE.  The page comes from the swap
 * cache (a minor fault: someone else read it, or it never left) or is
 * read from the slot (a major fault); it is mapped again and the PTE's
 * slot reference dropped.  If no other PTE refers to the slot the page is
 * this process's alone: a write fault maps it writable and gives up the
 * slot (the copy on swap is stale from now on); otherwise it is mapped
 * read-only and a write breaks copy-on-write as for any shared page.
 */
static vm_fault_t do_swap_page(struct vm_area_struct *v, unsigned long addr, pte_t *pte,
			       unsigned int flags)
{
	struct mm_struct *mm = v->vm_mm;
	swp_entry_t entry = pte_to_swp_entry(ptep_get(pte));
	bool major, exclusive, write = flags & FAULT_FLAG_WRITE;
	struct page *page;
	vm_fault_t ret;
	int err;

	if (anon_vma_prepare(v))
		return VM_FAULT_OOM;
	page = swapin_folio(v, addr, entry, &major, &err);
	if (!page)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	ret = major ? VM_FAULT_MAJOR : 0;
	if (!pte_is_swapped(ptep_get(pte))) {	/* the allocation's reclaim raced us */
		put_page(page);
		return ret;
	}
	add_mm_counter(mm, MM_SWAPENTS, -1);
	add_mm_counter(mm, MM_ANONPAGES, 1);
	swap_free(entry);
	exclusive = !__swap_count(entry) && !page_mapcount(page);
	if (!page_mapcount(page)) {
		/* A page shared with other processes' swap PTEs takes the
		 * oldest anon_vma, so rmap finds all of them (__folio_set_anon). */
		struct anon_vma *av = exclusive ? v->anon_vma : anon_vma_root(v->anon_vma);

		page->mapping = (struct address_space *)((unsigned long)av | PAGE_MAPPING_ANON);
		page->index = linear_page_index(v, addr);
		WRITE_ONCE(page->_mapcount, 0);
		mod_node_state(NR_ANON_PAGES, 1);
	} else {
		page_dup_rmap(page);
	}
	if (exclusive)
		SetPageAnonExclusive(page);
	/* should_try_to_free_swap: a write, swap half full, or mlocked. */
	if (exclusive && (write || vm_swap_full(mm->kmm) || (v->vm_flags & VM_LOCKED)))
		folio_free_swap(page);
	set_pte(pte, make_pte(page, v, exclusive && write && (v->vm_flags & VM_WRITE)));
	if (unlikely((v->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED))
		mlock_folio(page);
	/* swapin's reference is the PTE's from now on. */
	if (write && !exclusive && (v->vm_flags & VM_WRITE))
		ret |= do_wp_page(v, addr, pte);
	return ret;
}

/* swapoff's unuse_pte: the swap PTE at addr of v becomes its page again
 * (a read fault's swap-in, counted against no task). */
vm_fault_t unuse_pte(struct vm_area_struct *v, unsigned long addr, pte_t *pte)
{
	return do_swap_page(v, addr, pte, 0);
}

static vm_fault_t __handle_mm_fault(struct vm_area_struct *v, unsigned long addr,
				    unsigned int flags)
{
	pte_t *pte, entry;

	pte = pte_alloc_map(v->vm_mm, addr);
	if (!pte)
		return VM_FAULT_OOM;
	entry = ptep_get(pte);
	if (pte_guard(entry))
		return VM_FAULT_SIGSEGV;
	if (pte_is_swapped(entry))
		return do_swap_page(v, addr, pte, flags);
	if (!pte_mapped(entry)) {
		if (!v->vm_file)
			return do_anonymous_page(v, addr, pte, flags);
		return do_fault(v, addr, pte, flags);
	}
	if ((flags & FAULT_FLAG_WRITE) && !pte_write(entry))
		return do_wp_page(v, addr, pte);
	/* Spurious (another path filled it): just mark it used. */
	set_pte(pte, (flags & FAULT_FLAG_WRITE) ? pte_mkdirty(pte_mkyoung(entry)) :
						   pte_mkyoung(entry));
	return 0;
}

/*
 * Every fault counts in pgfault; one that worked also in its task's
 * min_flt (or maj_flt), whoever took it: the CPU or get_user_pages
 * (mm_account_fault).
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *v, unsigned long addr, unsigned int flags)
{
	struct kmm *k = v->vm_mm->kmm;
	struct task_struct *t = v->vm_mm->owner;
	vm_fault_t ret;

	__count_vm_events(k, smp_processor_id(k), PGFAULT, 1);
	ret = __handle_mm_fault(v, addr & PAGE_MASK, flags);
	if (ret & VM_FAULT_MAJOR)
		__count_vm_events(k, smp_processor_id(k), PGMAJFAULT, 1);
	if (t && !(ret & VM_FAULT_ERROR)) {
		if (ret & VM_FAULT_MAJOR)
			t->maj_flt++;
		else
			t->min_flt++;
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* Taking pages away: zap and free_pgtables                            */
/* ------------------------------------------------------------------ */

/* Is addr in a VM_LOCKED VMA of mm?  (Asked only of mms with locked_vm.) */
static bool vma_locked_at(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *v = find_vma(mm, addr);

	return v && v->vm_start <= addr && (v->vm_flags & VM_LOCKED);
}

static void zap_pte(struct mm_struct *mm, pte_t *pte, bool keep_guards, bool locked)
{
	pte_t old = ptep_get(pte);
	struct page *page;

	if (pte_guard(old) && !keep_guards)
		pte_clear(pte);
	if (pte_is_swapped(old)) {	/* the slot's reference goes (zap_nonpresent_ptes) */
		pte_clear(pte);
		add_mm_counter(mm, MM_SWAPENTS, -1);
		free_swap_and_cache(pte_to_swp_entry(old));
		return;
	}
	if (!pte_mapped(old))
		return;
	pte_clear(pte);
	if (is_zero_pfn(pte_pfn(old)))
		return;
	page = pte_page(old);
	if (pte_dirty(old) && !PageAnon(page))
		SetPageDirty(page);
	add_mm_counter(mm, mm_counter(page), -1);
	page_remove_rmap(page);
	if (locked)
		munlock_folio(page);	/* munlock_vma_folio: one locked mapping less */
	/* free_swap_cache: its last mapping went, so its slot can go too. */
	if (PageSwapCache(page) && !folio_mapped(page))
		folio_free_swap(page);
	if (!PageAnon(page) && page_mapcount(page) == 0 && page->mapping &&
	    xa_load(&page->mapping->i_pages, page->index) != page)
		page->mapping = NULL;	/* the cache let it go already */
	put_page(page);
}

/*
 * try_to_unmap_one for reclaim: the PTE at addr of v maps folio and goes,
 * its dirty bit passed on to the page, the TLB told.
 */
void unmap_folio_pte(struct vm_area_struct *v, unsigned long addr, struct page *folio)
{
	pte_t *pte = pte_lookup(v->vm_mm, addr);
	pte_t old = ptep_get(pte);

	pte_clear(pte);
	flush_tlb_page(v->vm_mm, addr);
	if (PageAnon(folio)) {
		/* Its slot stands in for it: a swap PTE, one slot reference. */
		swp_entry_t entry = page_swap_entry(folio);

		if (pte_dirty(old))
			SetPageDirty(folio);
		swap_duplicate(entry);
		set_pte(pte, swp_entry_to_pte(entry));
		add_mm_counter(v->vm_mm, MM_SWAPENTS, 1);
	} else if (pte_dirty(old)) {
		set_page_dirty(folio);
	}
	add_mm_counter(v->vm_mm, mm_counter(folio), -1);
	page_remove_rmap(folio);
	put_page(folio);
}

/*
 * Where the next page table that can exist after addr (which has none)
 * starts: an absent PGD or PUD entry means 512 GiB or 1 GiB hold no page,
 * so a walk over a huge sparse VMA costs its tables, not its size.
 */
static unsigned long next_table_addr(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset_pgd(mm->pgd, addr);
	unsigned long next;

	if (!pgd_present(*pgd))
		next = (addr & PGDIR_MASK) + PGDIR_SIZE;
	else if (!pud_present(*pud_offset(p4d_offset(pgd, addr), addr)))
		next = (addr & PUD_MASK) + PUD_SIZE;
	else
		next = (addr & PMD_MASK) + PMD_SIZE;
	return next > addr ? next : ~0ul;	/* the top: nothing after it */
}

/* Unmaps every page of [start, end) (Linux's zap_page_range_single);
 * guard markers go too unless keep_guards (MADV_DONTNEED keeps them). */
static void unmap_ptes(struct mm_struct *mm, unsigned long start, unsigned long end,
		       bool keep_guards)
{
	unsigned long a = start;

	while (a < end) {
		pte_t *pte = pte_lookup(mm, a);

		if (!pte) {		/* no table: skip to where one may be */
			a = next_table_addr(mm, a);
			continue;
		}
		zap_pte(mm, pte, keep_guards, mm->locked_vm && vma_locked_at(mm, a));
		a += PAGE_SIZE;
	}
}

static void __zap_page_range(struct mm_struct *mm, unsigned long start, unsigned long end,
			     bool keep_guards)
{
	unmap_ptes(mm, start, end, keep_guards);
	flush_tlb_range(mm, start, end);
	/* As tlb_finish_mmu's free_pages_and_swap_cache: drain this CPU's
	 * LRU batches, so pages unmapped here that sat in one are freed now. */
	lru_add_drain();
}

void zap_page_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	__zap_page_range(mm, start, end, false);
}

void zap_pages_keep_guards(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	__zap_page_range(mm, start, end, true);
}

/* MADV_GUARD_INSTALL on [start, end) of v: pages there go, markers come. */
int guard_install(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	unsigned long a;

	v->vm_maybe_guard = true;	/* fork must copy its page table */

	zap_pages_keep_guards(v->vm_mm, start, end);
	for (a = start; a < end; a += PAGE_SIZE) {
		pte_t *pte = pte_alloc_map(v->vm_mm, a);

		if (!pte)
			return -ENOMEM;
		set_pte(pte, __pte(_PAGE_GUARD));
	}
	return 0;
}

/* MADV_GUARD_REMOVE: the markers of [start, end) go; pages stay. */
void guard_remove(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	unsigned long a;

	for (a = start; a < end; a += PAGE_SIZE) {
		pte_t *pte = pte_lookup(v->vm_mm, a);

		if (!pte) {
			a = ((a & PMD_MASK) + PMD_SIZE) - PAGE_SIZE;
			continue;
		}
		if (pte_guard(ptep_get(pte)))
			pte_clear(pte);
	}
}

/* Is any VMA of mm in [start, end)? */
static bool range_used(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	return find_vma_intersection(mm, start, end) != NULL;
}

static void free_table(struct mm_struct *mm, unsigned long *entry)
{
	void *table = entry_page_vaddr(*entry);

	*entry = 0;
	pte_free_kernel(table);
	mm->pgtables_bytes -= PAGE_SIZE;
}

/*
 * Frees the page-table pages that served [start, end) and now serve no
 * VMA: a PTE table when no VMA is left in its 2 MiB, a PMD table in its
 * 1 GiB, a PUD table in its 512 GiB (free_pgtables' floor and ceiling).
 */
void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long a;

	if (start >= end)
		return;
	for (a = start & PGDIR_MASK; a < end; a += PGDIR_SIZE) {
		pgd_t *pgd = pgd_offset_pgd(mm->pgd, a);
		unsigned long b, pud_end = a + PGDIR_SIZE;

		if (!pgd_present(*pgd) || pgd_index(a) >= KERNEL_PGD_BOUNDARY)
			continue;
		for (b = max(a, start & PUD_MASK); b < min(pud_end, end); b += PUD_SIZE) {
			pud_t *pud = pud_offset(p4d_offset(pgd, b), b);
			unsigned long c;

			if (!pud_present(*pud))
				continue;
			for (c = max(b, start & PMD_MASK); c < min(b + PUD_SIZE, end); c += PMD_SIZE) {
				pmd_t *pmd = pmd_offset(pud, c);

				if (pmd_present(*pmd) && !range_used(mm, c, c + PMD_SIZE))
					free_table(mm, &pmd->pmd);
			}
			if (!range_used(mm, b, b + PUD_SIZE))
				free_table(mm, &pud->pud);
		}
		if (!range_used(mm, a, pud_end))
			free_table(mm, &pgd->pgd);
	}
}

/* exit_mmap's page part: every page and table of the user half. */
void exit_mm_pages(struct mm_struct *mm)
{
	struct vm_area_struct *v;

	if (!mm->pgd)
		return;
	/* One flush of the whole address space, not one per VMA (the tlb
	 * gather of exit_mmap): its PCID may be handed out again. */
	for (v = mm->mmap; v; v = v->vm_next)
		unmap_ptes(mm, v->vm_start, v->vm_end, false);
	flush_tlb_mm_range(mm, 0, ~0ul);
}

/* ------------------------------------------------------------------ */
/* PTE changes behind mprotect, mremap and fork                        */
/* ------------------------------------------------------------------ */

/*
 * mprotect's change_protection: PTEs of [start, end) in v (already
 * carrying its new flags) get the new access bits.  Write permission is
 * granted at once only where no fault is needed to decide it: a shared
 * writable mapping's dirty page, or a private page that is anonymous and
 * exclusive (can_change_pte_writable); others stay read-only and fault.
 */
void change_protection(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	unsigned long a;

	for (a = start; a < end; a += PAGE_SIZE) {
		pte_t *pte = pte_lookup(v->vm_mm, a), old, e;
		struct page *page;
		bool write = false;

		if (!pte) {
			a = ((a & PMD_MASK) + PMD_SIZE) - PAGE_SIZE;
			continue;
		}
		old = ptep_get(pte);
		if (!pte_mapped(old))
			continue;
		page = is_zero_pfn(pte_pfn(old)) ? NULL : pte_page(old);
		if ((v->vm_flags & VM_WRITE) && page)
			write = ((v->vm_flags & VM_SHARED) &&
				 (!vma_wants_writenotify(v) || pte_dirty(old))) ||
				(PageAnon(page) && PageAnonExclusive(page));
		e = __pte(vma_pte_prot(v) | (pte_val(old) & (PTE_PFN_MASK | _PAGE_DIRTY)));
		if (write && pte_present(e))
			e = pte_mkwrite(e);
		set_pte(pte, e);
	}
	flush_tlb_range(v->vm_mm, start, end);
}

/*
 * fork's copy_page_range for one VMA.  Linux copies page tables only
 * where the child could not fault the same contents back in: VMAs with
 * anonymous memory (an anon_vma).  Private pages are then shared
 * copy-on-write: both PTEs lose write permission and the page is no
 * longer exclusive to either process.
 */
int copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	bool cow = (src->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
	unsigned long a;

	/* vma_needs_copy: anonymous memory, or guard markers (which only
	 * the page table holds) in any kind of VMA. */
	if ((!src->anon_vma && !src->vm_maybe_guard) || (src->vm_flags & VM_WIPEONFORK))
		return 0;
	for (a = src->vm_start; a < src->vm_end; a += PAGE_SIZE) {
		pte_t *s = pte_lookup(src->vm_mm, a), *d, e;
		struct page *page;

		if (!s) {
			a = ((a & PMD_MASK) + PMD_SIZE) - PAGE_SIZE;
			continue;
		}
		e = ptep_get(s);
		if (!pte_mapped(e) && !pte_guard(e) && !pte_is_swapped(e))
			continue;
		d = pte_alloc_map(dst->vm_mm, a);
		if (!d)
			return -ENOMEM;
		if (pte_guard(e)) {
			set_pte(d, e);
			continue;
		}
		if (pte_is_swapped(e)) {	/* copy_nonpresent_pte: one more slot reference */
			if (swap_duplicate(pte_to_swp_entry(e)))
				return -ENOMEM;
			add_mm_counter(dst->vm_mm, MM_SWAPENTS, 1);
			set_pte(d, e);
			continue;
		}
		if (!is_zero_pfn(pte_pfn(e))) {
			page = pte_page(e);
			get_page(page);
			page_dup_rmap(page);
			if (PageAnon(page))
				ClearPageAnonExclusive(page);
			add_mm_counter(dst->vm_mm, mm_counter(page), 1);
		}
		if (cow && pte_write(e)) {
			e = pte_wrprotect(e);
			set_pte(s, e);
		}
		set_pte(d, pte_mkold(e));
	}
	if (cow)
		flush_tlb_range(src->vm_mm, src->vm_start, src->vm_end);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The TLB hooks: a PTE lost rights or its page, every TLB must forget  */
/* ------------------------------------------------------------------ */

void flush_tlb_page(struct mm_struct *mm, unsigned long addr)
{
	flush_tlb_mm_range(mm, addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE);
}

void flush_tlb_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	flush_tlb_mm_range(mm, start, end);
}

/*
 * unmap_mapping_range: pages [first, last) of a file leave every VMA that
 * maps them, in whichever process (a shmem hole punch, later truncate).
 */
void unmap_mapping_range(struct address_space *as, pgoff_t first, pgoff_t last)
{
	struct vm_area_struct *v;

	for (v = as->i_mmap; v; v = v->i_mmap_next) {
		unsigned long vfirst = v->vm_pgoff;
		unsigned long vlast = v->vm_pgoff + ((v->vm_end - v->vm_start) >> PAGE_SHIFT);
		unsigned long a = max(first, vfirst), b = min(last, vlast);

		if (a >= b)
			continue;
		zap_pages_keep_guards(v->vm_mm, v->vm_start + ((a - vfirst) << PAGE_SHIFT),
				      v->vm_start + ((b - vfirst) << PAGE_SHIFT));
	}
}

/* ------------------------------------------------------------------ */
/* The checker: page tables against RSS counters and mapcounts         */
/* ------------------------------------------------------------------ */

/*
 * Walks mm's page tables under its VMAs (absent tables skipped whole):
 * every mapped PTE of a real page is counted in rss[] by the counter it
 * was charged to, and in maps[pfn]; a mapped PTE outside every VMA is a
 * broken invariant on its own.
 */
static int count_mm_ptes(struct kmm *k, struct mm_struct *mm, unsigned long rss[NR_MM_COUNTERS],
			 unsigned int *maps)
{
	struct vm_area_struct *v;

	for (v = mm->mmap; v; v = v->vm_next) {
		unsigned long a = v->vm_start;

		while (a < v->vm_end) {
			pte_t *pte = pte_lookup(mm, a);
			pte_t e;

			if (!pte) {
				a = next_table_addr(mm, a);
				continue;
			}
			e = ptep_get(pte);
			a += PAGE_SIZE;
			if (pte_is_swapped(e))
				rss[MM_SWAPENTS]++;
			if (!pte_mapped(e) || is_zero_pfn(pte_pfn(e)))
				continue;
			if (pte_pfn(e) >= k->mem->max_pfn) {
				kmm_report(k, "check_mm_counters: pid %d: PTE at %#lx maps pfn %#lx "
					   "beyond RAM\n", mm->owner ? mm->owner->pid : 0,
					   a - PAGE_SIZE, pte_pfn(e));
				return -1;
			}
			rss[mm_counter(pte_page(e))]++;
			if (maps)
				maps[pte_pfn(e)]++;
		}
	}
	return 0;
}

/* Where pfn is mapped first (for the report): the pid and address. */
static bool find_pfn_mapping(struct kmm *k, unsigned long pfn, int *pid, unsigned long *addr)
{
	struct task_struct *t;
	struct vm_area_struct *v;

	for_each_process(k, t) {
		if (!t->mm || t->mm->owner != t)
			continue;
		for (v = t->mm->mmap; v; v = v->vm_next) {
			unsigned long a = v->vm_start;

			while (a < v->vm_end) {
				pte_t *pte = pte_lookup(t->mm, a);

				if (!pte) {
					a = next_table_addr(t->mm, a);
					continue;
				}
				if (pte_mapped(ptep_get(pte)) && pte_pfn(ptep_get(pte)) == pfn) {
					*pid = t->pid;
					*addr = a;
					return true;
				}
				a += PAGE_SIZE;
			}
		}
	}
	return false;
}

static const char *const mm_counter_names[NR_MM_COUNTERS] = {
	"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES",
};

/* One address space: its vma tree, and its page tables against its RSS. */
static int check_one_mm(struct kmm *k, struct mm_struct *mm, unsigned int *maps)
{
	unsigned long rss[NR_MM_COUNTERS] = { 0 };
	const char *why = NULL;
	int pid = mm->owner ? mm->owner->pid : 0, i, err = 0;

	if (validate_mm(mm, &why)) {
		kmm_report(k, "check_mm: pid %d: vma tree: %s\n", pid, why);
		return -1;
	}
	if (count_mm_ptes(k, mm, rss, maps))
		return -1;
	for (i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i] != mm->rss_stat[i]) {
			kmm_report(k, "check_mm: pid %d: %lu pages mapped as %s, the counter "
				   "says %lu\n", pid, rss[i], mm_counter_names[i], mm->rss_stat[i]);
			err = -1;
		}
	return err;
}

int check_mm(struct mm_struct *mm)
{
	return check_one_mm(mm->kmm, mm, NULL);
}

int check_mm_counters(struct kmm *k)
{
	unsigned int *maps = calloc(k->mem->max_pfn ? k->mem->max_pfn : 1, sizeof(*maps));
	struct task_struct *t;
	unsigned long pfn;
	int err = 0;

	if (!maps)
		return 0;	/* no memory for the check: nothing is known broken */
	for_each_process(k, t)
		if (t->mm && t->mm->owner == t)	/* each address space once */
			err |= check_one_mm(k, t->mm, maps);
	/* Every PTE that maps a page is one in its mapcount, and no more. */
	for (pfn = 0; pfn < k->mem->max_pfn && !err; pfn++) {
		struct page *page;
		int mapcount;

		if (!__pfn_valid(k, pfn)) {
			if (!maps[pfn])
				continue;
			kmm_report(k, "check_mm_counters: pfn %#lx is mapped and has no struct page\n", pfn);
			err = -1;
			break;
		}
		page = pfn_to_page(pfn);
		if (!maps[pfn] && page_has_type(page))
			continue;	/* free, or the slab's: _mapcount is its type */
		mapcount = page_has_type(page) ? 0 : page_mapcount(page);
		if ((unsigned int)mapcount != maps[pfn] && (maps[pfn] || mapcount > 0)) {
			unsigned long addr = 0;
			int pid = 0;

			char dump[512];

			find_pfn_mapping(k, pfn, &pid, &addr);
			dump_page(k, page, NULL, dump, sizeof(dump));
			kmm_report(k, "check_mm_counters: pfn %#lx: %u PTEs map it (the first: pid %d "
				   "at %#lx), its mapcount is %d\n%s", pfn, maps[pfn], pid, addr, mapcount,
				   dump);
			err = -1;
		}
	}
	free(maps);
	return err;
}
