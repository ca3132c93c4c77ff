/*
 * mm/debug.c - reports of misuse and corruption: bad_page() and
 * dump_page() in Linux's words.  Every report goes through kmm_report
 * (base/printk.c).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/memory.h"
#include "mm/swap.h"
#include "hw/tlb.h"
#include "block/machine.h"
#include <kmm/buffer_head.h>

static const char *const pageflag_names[NR_PAGEFLAGS] = {
	"locked", "writeback", "referenced", "uptodate", "dirty", "lru",
	"head", "waiters", "active", "workingset", "owner_priv_1", "owner_2",
	"arch_1", "reserved", "private", "private_2", "reclaim", "swapbacked",
	"unevictable", "mlocked", "slab", "hwpoison", "anon_exclusive",
};

static void format_flags(unsigned long flags, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < NR_PAGEFLAGS && n < len; i++)
		if (flags & (1ul << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? "|" : "", pageflag_names[i]);
	if (n < len)
		snprintf(buf + n, len - n, "%szone=%lu", n ? "|" : "",
			 (flags >> ZONES_PGSHIFT) & ZONES_MASK);
}

void dump_page(struct kmm *k, struct page *page, const char *reason,
	       char *buf, size_t len)
{
	char flags[256];
	unsigned long pfn = page_to_pfn(page);
	size_t n;

	format_flags(page->flags, flags, sizeof(flags));
	n = (size_t)snprintf(buf, len,
		"page: refcount:%d mapcount:%d mapping:%016lx index:%#lx pfn:%#lx\n"
		"flags: %#lx(%s)\n",
		page_ref_count(page), page_has_type(page) ? 0 : page_mapcount(page),
		(unsigned long)page->mapping, page->index, pfn, page->flags, flags);
	if (n < len && page_has_type(page))
		n += (size_t)snprintf(buf + n, len - n, "page_type: %#x\n",
				      page->page_type);
	if (n < len && reason)
		snprintf(buf + n, len - n, "page dumped because: %s\n", reason);
	(void)k;
}

/*
 * A page in a state it must not be in (freed while mapped, flags left
 * set, ...).  Reported as Linux does; the caller keeps the page out of the
 * allocator, so nothing else is damaged.
 */
void bad_page(struct kmm *k, struct page *page, const char *reason)
{
	char dump[1024];

	dump_page(k, page, reason, dump, sizeof(dump));
	__atomic_fetch_add(&k->mem->nr_reports_bad_page, 1, __ATOMIC_RELAXED);
	kmm_report(k, "BUG: Bad page state in process kmm  pfn:%05lx\n%s",
		   page_to_pfn(page), dump);
	k->tainted |= 1;
	if (k->cfg.bad_page_panic)
		abort();
}

/* ------------------------------------------------------------------ */
/* check_buddy_invariants                                              */
/* ------------------------------------------------------------------ */

struct buddy_check {
	struct kmm *k;
	struct zone *zone;
	unsigned long blocks;
	unsigned long pages;
	unsigned long block_pages;	/* in blocks >= pageblock_order */
	int err;
};

__printf(2, 3) static void check_fail(struct buddy_check *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (c->err++)
		return;		/* the first failure says enough */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kmm_report(c->k, "check_buddy_invariants: zone %s: %s\n", c->zone->name, buf);
}

/* Would this free block and its buddy have merged? */
static bool should_have_merged(struct kmm *k, struct page *page,
			       unsigned long pfn, unsigned int order, int mt)
{
	unsigned long bpfn = pfn ^ (1ul << order);
	struct page *buddy = pfn_to_page(bpfn);
	int bmt;

	if (order >= MAX_PAGE_ORDER || bpfn >= k->mem->max_pfn || !pfn_valid(bpfn))
		return false;
	if (!PageBuddy(buddy) || buddy->private != order ||
	    page_zonenum(buddy) != page_zonenum(page))
		return false;
	bmt = get_pageblock_migratetype(k, bpfn);
	if (order >= pageblock_order && mt != bmt &&
	    (mt >= MIGRATE_PCPTYPES || bmt >= MIGRATE_PCPTYPES))
		return false;
	return true;
}

static void check_free_block(struct buddy_check *c, struct page *page,
			     unsigned int order, int mt)
{
	struct kmm *k = c->k;
	unsigned long pfn = page_to_pfn(page), i;

	if (!PageBuddy(page) || page->private != order)
		return check_fail(c, "pfn %#lx on the order-%u list is not a buddy of that order", pfn, order);
	if (pfn & ((1ul << order) - 1))
		return check_fail(c, "pfn %#lx is not aligned to order %u", pfn, order);
	if (!zone_spans_pfn(c->zone, pfn) || !zone_spans_pfn(c->zone, pfn + (1ul << order) - 1))
		return check_fail(c, "block %#lx order %u leaves the zone", pfn, order);
	if (page_ref_count(page))
		return check_fail(c, "free pfn %#lx has refcount %d", pfn, page_ref_count(page));
	for (i = 0; i < max(1ul, (1ul << order) >> pageblock_order); i++)
		if (get_pageblock_migratetype(k, pfn + i * pageblock_nr_pages) != mt)
			return check_fail(c, "block %#lx order %u is on the %s list but its pageblock is %s",
					  pfn, order, migratetype_names[mt],
					  migratetype_names[get_pageblock_migratetype(k, pfn + i * pageblock_nr_pages)]);
	for (i = 1; i < (1ul << order); i++)
		if (PageBuddy(page + i))
			return check_fail(c, "pfn %#lx inside free block %#lx is marked buddy", pfn + i, pfn);
	if (should_have_merged(k, page, pfn, order, mt))
		return check_fail(c, "block %#lx and its buddy %#lx are both free at order %u",
				  pfn, pfn ^ (1ul << order), order);
	c->blocks++;
	if (mt != MIGRATE_ISOLATE) {
		c->pages += 1ul << order;
		if (order >= pageblock_order)
			c->block_pages += 1ul << order;
	}
}

static void check_zone_lists(struct buddy_check *c)
{
	struct zone *zone = c->zone;
	unsigned int order;
	int mt;

	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		struct free_area *area = &zone->free_area[order];
		unsigned long total = 0;

		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			unsigned long n = 0;
			struct page *page;

			list_for_each_entry(page, &area->free_list[mt], lru) {
				check_free_block(c, page, order, mt);
				n++;
			}
			if (n != area->nr_free_mt[mt])
				check_fail(c, "order %u %s: %lu blocks listed, nr_free_mt says %lu",
					   order, migratetype_names[mt], n, area->nr_free_mt[mt]);
			total += n;
		}
		if (total != area->nr_free)
			check_fail(c, "order %u: %lu blocks listed, nr_free says %lu",
				   order, total, area->nr_free);
	}
}

/* Every PageBuddy head in the zone must be on a list, and only those. */
static void check_zone_scan(struct buddy_check *c)
{
	struct zone *zone = c->zone;
	unsigned long pfn, heads = 0;

	for (pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone);) {
		struct page *page;

		if (!pfn_valid(pfn)) {
			pfn = ALIGN(pfn + 1, PAGES_PER_SECTION);
			continue;
		}
		page = pfn_to_page(pfn);
		if (PageBuddy(page)) {
			heads++;
			pfn += 1ul << page->private;
			continue;
		}
		pfn++;
	}
	if (heads != c->blocks)
		check_fail(c, "%lu buddy heads in the memmap, %lu on the lists", heads, c->blocks);
}

static void check_zone_pcp(struct buddy_check *c)
{
	struct kmm *k = c->k;
	struct zone *zone = c->zone;
	unsigned int cpu, i;

	for (cpu = 0; cpu < k->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		unsigned long n = 0;

		local_lock_remote(&pcp->ll);
		for (i = 0; i < NR_PCP_LISTS; i++) {
			unsigned int order = i == NR_LOWORDER_PCP_LISTS ?
					     pageblock_order : i / MIGRATE_PCPTYPES;
			struct page *page;

			list_for_each_entry(page, &pcp->lists[i], lru) {
				if (PageBuddy(page) || page_ref_count(page) ||
				    page_zone(page) != zone)
					check_fail(c, "pcp page %#lx (cpu %u) is not a free page of this zone",
						   page_to_pfn(page), cpu);
				n += 1ul << order;
			}
		}
		if (n != (unsigned long)pcp->count)
			check_fail(c, "cpu %u pcp holds %lu pages, count says %d", cpu, n, pcp->count);
		local_unlock_remote(&pcp->ll);
	}
}

int __check_buddy_invariants(struct kmm *k)
{
	int i, err = 0;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct buddy_check c = { .k = k, .zone = &k->mem->node.node_zones[i] };

		if (!populated_zone(c.zone))
			continue;
		check_zone_pcp(&c);
		pthread_mutex_lock(&c.zone->lock);
		check_zone_lists(&c);
		check_zone_scan(&c);
		if (c.pages != zone_page_state(c.zone, NR_FREE_PAGES))
			check_fail(&c, "%lu pages on the lists, NR_FREE_PAGES says %lu",
				   c.pages, zone_page_state(c.zone, NR_FREE_PAGES));
		if (c.block_pages != zone_page_state(c.zone, NR_FREE_PAGES_BLOCKS))
			check_fail(&c, "%lu pages in pageblock-sized blocks, NR_FREE_PAGES_BLOCKS says %lu",
				   c.block_pages, zone_page_state(c.zone, NR_FREE_PAGES_BLOCKS));
		pthread_mutex_unlock(&c.zone->lock);
		err |= c.err;
	}
	return err ? -1 : 0;
}

int check_buddy_invariants(void)
{
	return __check_buddy_invariants(kmm_cur());
}

/* ---- VM_BUG_ON and VM_WARN_ON (include/kmm/mmdebug.h) -------------- */

/* Linux's dump_vma: where, whose, what it maps and how. */
static size_t dump_vma(const struct vm_area_struct *v, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len,
		"vma %p start %#018lx end %#018lx mm %p\n"
		"prot %#lx anon_vma %p file %p pgoff %#lx\n"
		"flags: %#lx\n",
		(const void *)v, v->vm_start, v->vm_end, (void *)v->vm_mm, v->vm_page_prot,
		(void *)v->anon_vma, (void *)v->vm_file, v->vm_pgoff, v->vm_flags);
}

/* Linux's dump_mm, the fields kmm has. */
static size_t dump_mm(const struct mm_struct *mm, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len,
		"mm %p task_size %lu mmap_base %#lx pgd %p map_count %d\n"
		"total_vm %lu locked_vm %lu start_brk %#lx brk %#lx\n",
		(const void *)mm, mm->task_size, mm->mmap_base, mm->pgd, mm->map_count,
		mm->total_vm, mm->locked_vm, mm->start_brk, mm->brk);
}

static void vm_debug_report(const char *head, const char *cond, const char *file, int line,
			    const char *func, enum vm_dump_kind kind, const void *obj)
{
	struct kmm *k = kmm_cur();
	char dump[1024] = "";

	if (obj && kind == VM_DUMP_PAGE)
		dump_page(k, (struct page *)obj, NULL, dump, sizeof(dump));
	else if (obj && kind == VM_DUMP_VMA)
		dump_vma(obj, dump, sizeof(dump));
	else if (obj && kind == VM_DUMP_MM)
		dump_mm(obj, dump, sizeof(dump));
	kmm_report(k, "%s at %s:%d!\n%s: %s\n%s", head, file, line, func, cond, dump);
}

void __vm_bug(const char *cond, const char *file, int line, const char *func,
	      enum vm_dump_kind kind, const void *obj)
{
	vm_debug_report("kernel BUG", cond, file, line, func, kind, obj);
	abort();	/* BUG(): the machine cannot go on */
}

void __vm_warn(const char *cond, const char *file, int line, const char *func,
	       enum vm_dump_kind kind, const void *obj)
{
	vm_debug_report("WARNING", cond, file, line, func, kind, obj);
}

/* ---- every checker at once ------------------------------------------ */

/* Each CPU's TLB: its sets and their replacement state (hw/tlb.c). */
static int check_cpu_tlbs(struct kmm *k)
{
	char why[160];
	unsigned int cpu;

	for (cpu = 0; k->hw->cpus.tlbs && cpu < k->hw->cpus.nr; cpu++)
		if (tlb_check(&k->hw->cpus.tlbs[cpu], why, sizeof(why))) {
			kmm_report(k, "check_cpu_tlbs: cpu %u: %s\n", cpu, why);
			return -1;
		}
	return 0;
}

/* Every slab cache of the machine (the caches' list is the slab's). */
static int check_slab_caches(struct kmm *k)
{
	struct kmem_cache *s;
	int err = 0;

	if (!k->mem->slab)
		return 0;
	list_for_each_entry(s, &k->mem->slab->slab_caches, list)
		err |= check_slab_invariants(s);
	return err;
}

/*
 * The machine's invariant checkers, one signature (0, or -1 after a
 * report naming what is broken): the buddy allocator, every slab cache,
 * vmalloc space, every address space's vma tree, page tables, RSS
 * counters and mapcounts, the LRU lists, and the TLBs.
 */
int kmm_check_invariants(struct kmm *k)
{
	struct kmm *prev = kmm_switch(k);
	int err = 0;

	err |= __check_buddy_invariants(k);
	err |= check_slab_caches(k);
	if (k->mem->vmalloc)
		err |= check_vmalloc_invariants();
	err |= check_mm_counters(k);
	err |= check_lru_invariants(k);
	err |= check_cpu_tlbs(k);
	err |= check_swap_invariants(k);
	if (k->block->kda && k->block->kda->bd_inode)
		err |= check_buffer_invariants(k->block->kda);
	kmm_switch(prev);
	return err ? -1 : 0;
}
