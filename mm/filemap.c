/*
 * mm/filemap.c - the page cache, reduced to what page faults need until
 * the page-cache issue brings the radix tree, dirty tags and writeback:
 * each inode's pages by index (struct address_space), found with
 * find_get_page, added on the first fault, freed when the inode goes.
 *
 * The simulated disk has no contents yet, so a file page starts zeroed
 * (as a hole reads); shmem pages are the memory itself.  Pages held by
 * the cache count in NR_FILE_PAGES ("Cached") and, for shmem, NR_SHMEM.
 *
 * Storage: open addressing on the index, resized at half full, in the
 * simulated kernel's own memory (kvmalloc).  A mapping
 * holds one reference to each of its pages; every PTE mapping a page
 * holds one more (mm/memory.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/fs.h>
#include "mm/slab.h"
#include "mm/mmap.h"

#define EMPTY_SLOT	(~0ul)

static size_t slot_of(const struct address_space *as, pgoff_t index)
{
	return (size_t)((index * 0x9e3779b97f4a7c15ul) >> 20) & (as->cap - 1);
}

struct page *find_get_page(struct address_space *as, pgoff_t index)
{
	size_t i;

	if (!as->nrpages)
		return NULL;
	for (i = slot_of(as, index);; i = (i + 1) & (as->cap - 1)) {
		if (as->index[i] == EMPTY_SLOT)
			return NULL;
		if (as->index[i] == index)
			return as->pages[i];
	}
}

static int grow(struct address_space *as)
{
	size_t cap = as->cap ? as->cap * 2 : 16, i;
	struct page **pages = kvzalloc(cap * sizeof(*pages), GFP_KERNEL);
	pgoff_t *index = kvmalloc(cap * sizeof(*index), GFP_KERNEL);
	struct address_space old = *as;

	if (!pages || !index) {
		kvfree(pages);
		kvfree(index);
		return -ENOMEM;
	}
	for (i = 0; i < cap; i++)
		index[i] = EMPTY_SLOT;
	as->pages = pages;
	as->index = index;
	as->cap = cap;
	for (i = 0; i < old.cap; i++) {
		size_t j;

		if (old.index[i] == EMPTY_SLOT)
			continue;
		for (j = slot_of(as, old.index[i]); index[j] != EMPTY_SLOT; j = (j + 1) & (cap - 1))
			;
		index[j] = old.index[i];
		pages[j] = old.pages[i];
	}
	kvfree(old.pages);
	kvfree(old.index);
	return 0;
}

static void count_cache_page(struct address_space *as, long delta)
{
	struct kmm *k = kmm_cur();

	__atomic_fetch_add(&k->mem->node.vm_stat[NR_FILE_PAGES], delta, __ATOMIC_RELAXED);
	if (as->host->i_shmem)
		__atomic_fetch_add(&k->mem->node.vm_stat[NR_SHMEM], delta, __ATOMIC_RELAXED);
}

/*
 * The page at index, from the cache or a new zeroed one added to it.
 * The caller gets no extra reference: the cache holds the page while
 * the inode lives, and mapping it takes one more.
 */
struct page *filemap_get_page(struct address_space *as, pgoff_t index)
{
	struct page *page = find_get_page(as, index);
	size_t i;

	if (page)
		return page;
	if ((as->nrpages + 1) * 2 > as->cap && grow(as))
		return NULL;
	page = __alloc_pages(kmm_cur(), GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	if (!page)
		return NULL;
	page->mapping = as;
	page->index = index;
	SetPageUptodate(page);
	for (i = slot_of(as, index); as->index[i] != EMPTY_SLOT; i = (i + 1) & (as->cap - 1))
		;
	as->index[i] = index;
	as->pages[i] = page;
	as->nrpages++;
	count_cache_page(as, 1);
	return page;
}

/* Drops a page the cache holds, mapped or not (mapped ones live on). */
static void release_cache_page(struct address_space *as, struct page *page)
{
	count_cache_page(as, -1);
	if (page_mapcount(page) == 0)
		page->mapping = NULL;	/* the free checks it */
	put_page(page);
}

/*
 * Drops the cache's pages in [start, end) (shmem's hole punch); pages
 * still mapped somewhere live until their last PTE goes.  end ~0: all.
 */
void truncate_inode_pages_range(struct address_space *as, pgoff_t start, pgoff_t end)
{
	size_t i;

	for (i = 0; i < as->cap; i++) {
		pgoff_t idx = as->index[i];

		if (idx == EMPTY_SLOT || idx < start || idx >= end)
			continue;
		release_cache_page(as, as->pages[i]);
		as->nrpages--;
		as->index[i] = EMPTY_SLOT;
	}
	/* Deleting from open addressing breaks probe chains: rebuild. */
	if (as->cap) {
		struct address_space old = *as;

		as->pages = NULL;
		as->index = NULL;
		as->cap = 0;
		as->nrpages = 0;
		for (i = 0; i < old.cap; i++) {
			size_t j;

			if (old.index[i] == EMPTY_SLOT)
				continue;
			if ((as->nrpages + 1) * 2 > as->cap)
				grow(as);
			for (j = slot_of(as, old.index[i]); as->index[j] != EMPTY_SLOT;
			     j = (j + 1) & (as->cap - 1))
				;
			as->index[j] = old.index[i];
			as->pages[j] = old.pages[i];
			as->nrpages++;
		}
		kvfree(old.pages);
		kvfree(old.index);
	}
}

void truncate_inode_pages_final(struct address_space *as)
{
	truncate_inode_pages_range(as, 0, ~0ul);
	kvfree(as->pages);
	kvfree(as->index);
	memset(as, 0, sizeof(*as));
}
