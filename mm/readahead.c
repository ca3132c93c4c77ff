/*
 * mm/readahead.c - on-demand readahead, as Linux 6.18's mm/readahead.c
 * decides it: how many pages a cache miss reads beyond what was asked,
 * in which folio orders, and where the next read starts by itself.
 *
 * A file's state (struct file_ra_state) is its last window [start,
 * start + size), whose last async_size pages begin with a folio marked
 * PG_readahead.  A read that misses the cache (page_cache_sync_ra) opens
 * a window: at the start of the file, after the previous read's end, or
 * for a read larger than the maximum, of get_init_ra_size(request);
 * otherwise, if the pages just before it are cached (a stream the state
 * lost), as long as that run; otherwise it reads just what was asked (a
 * random read).  A read that reaches the marked folio (page_cache_async_ra)
 * moves the window past the old one, get_next_ra_size() larger (x4 while
 * small, then x2, up to ra_pages), asks for folios two orders larger and
 * trims the window's end to that order's boundary.  page_cache_ra_order
 * fills a window with folios of that order where the index is aligned
 * for it (smaller ones to get there, none past EOF), mark on the folio
 * holding start + size - async_size.
 *
 * The maximum is the disk's read_ahead_kb (boot read_ahead_kb=, default
 * 128), twice that after POSIX_FADV_SEQUENTIAL; FMODE_RANDOM
 * (POSIX_FADV_RANDOM) reads only what was asked.  Each run of new
 * consecutive pages is one disk request (read_pages), and the reads are
 * synchronous: kmm has no I/O in flight, so a window is uptodate as soon
 * as it is made.  bdi->io_pages is taken equal to ra_pages (kmm's disk
 * has no larger optimal request), and there is no cgroup congestion.
 */
#include <errno.h>
#include <stdlib.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include "mm/slab.h"
#include "mm/memory.h"

/* The largest page-cache folio: a PMD's worth, as on x86-64 Linux. */
#define MAX_PAGECACHE_ORDER	9

static unsigned long roundup_pow_of_two_ul(unsigned long n)
{
	unsigned long p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static unsigned int ilog2_ul(unsigned long n)
{
	return n ? (unsigned int)(63 - __builtin_clzl(n)) : 0;
}

/* A file's first state: the disk's maximum, no read before. */
void file_ra_state_init(struct file_ra_state *ra, struct address_space *as)
{
	ra->ra_pages = as->a_ops ? inode_ra_pages(as->host) : 0;
	ra->prev_pos = -1;
}

/* The disk's read_ahead_kb in pages (its bdi's ra_pages). */
unsigned int inode_ra_pages(const struct inode *inode)
{
	(void)inode;
	return (unsigned int)(kmm_cur()->cfg.read_ahead_kb / (PAGE_SIZE / 1024));
}

bool mapping_large_folio_support(const struct address_space *as)
{
	return as->a_ops && !kmm_cur()->cfg.no_large_folios;
}

/*
 * The first window for a read of size pages: the next power of two, x4
 * while small, x2 while medium, else the maximum.
 */
unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = roundup_pow_of_two_ul(size);

	if (newsize <= max / 32)
		return newsize * 4;
	if (newsize <= max / 4)
		return newsize * 2;
	return max;
}

/* The window after one of ra->size pages: x4 while small, then x2, to max. */
unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max)
{
	unsigned long cur = ra->size;

	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/* ---- adding folios and reading them ------------------------------------- */

/* Remembers a new folio's pages for the next read_pages (one run). */
static int ractl_add_pages(struct readahead_control *rac, struct page *head, unsigned int nr)
{
	unsigned int i;

	if (rac->_nr_pages + nr > rac->_cap) {
		unsigned int cap = max(rac->_cap * 2, rac->_nr_pages + nr);
		struct page **p = realloc(rac->_pages, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rac->_pages = p;
		rac->_cap = cap;
	}
	for (i = 0; i < nr; i++)
		rac->_pages[rac->_nr_pages++] = head + i;
	return 0;
}

/*
 * Reads the pages gathered since the last call, consecutive from
 * rac->_index, in one disk request, and moves _index past them.
 */
static void read_pages(struct readahead_control *rac)
{
	unsigned int n = rac->_nr_pages;

	if (!n)
		return;
	rac->_nr_pages = 0;
	rac->_index += n;
	if (filemap_read_folios(rac->mapping, rac->_pages, n))
		rac->err = -EIO;
	rac->nr_read += n;
}

/*
 * A folio of 2^order pages at index into the cache, marked PG_readahead
 * when it holds mark.  -EEXIST when any of its pages is cached already.
 */
static int ra_alloc_folio(struct readahead_control *rac, pgoff_t index, pgoff_t mark,
			  unsigned int order)
{
	struct page *folio;
	int err;

	if (rac->_nr_pages && rac->_index + rac->_nr_pages != index)
		read_pages(rac);
	if (!rac->_nr_pages)
		rac->_index = index;
	err = filemap_add_folio(rac->mapping, index, order, &folio);
	if (err)
		return err;
	if ((mark & ~((1ul << order) - 1)) == index)
		SetPageReadahead(folio);
	err = ractl_add_pages(rac, folio, 1u << order);
	if (err)
		filemap_remove_folio(rac->mapping, folio);
	return err;
}

/*
 * Reads nr_to_read order-0 pages from rac->_index, skipping cached ones,
 * the page lookahead_size from the end marked (page_cache_ra_unbounded).
 */
static void ra_unbounded(struct readahead_control *rac, unsigned long nr_to_read,
			 unsigned long lookahead_size)
{
	pgoff_t index = rac->_index;
	unsigned long mark = lookahead_size <= nr_to_read ? nr_to_read - lookahead_size : ~0ul;
	unsigned long i;

	for (i = 0; i < nr_to_read; i++) {
		int err;

		if (find_get_page(rac->mapping, index + i))
			continue;
		err = ra_alloc_folio(rac, index + i, i == mark ? index + i : ~0ul, 0);
		if (err == -ENOMEM)
			break;
	}
	read_pages(rac);
}

/* do_page_cache_ra: the same, not past the page holding the file's last byte. */
static void do_page_cache_ra(struct readahead_control *rac, unsigned long nr_to_read,
			     unsigned long lookahead_size)
{
	long long isize = rac->mapping->host->i_size;
	pgoff_t end_index;

	if (isize <= 0)
		return;
	end_index = (pgoff_t)((isize - 1) >> PAGE_SHIFT);
	if (rac->_index > end_index)
		return;
	if (nr_to_read > end_index - rac->_index)
		nr_to_read = end_index - rac->_index + 1;
	ra_unbounded(rac, nr_to_read, lookahead_size);
}

/*
 * POSIX_FADV_WILLNEED and reads that must not guess: nr_to_read pages
 * from rac->_index (at most the maximum window), in 2 MiB chunks.
 */
void force_page_cache_ra(struct readahead_control *rac, unsigned long nr_to_read)
{
	unsigned long max_pages = rac->ra->ra_pages ? rac->ra->ra_pages :
			inode_ra_pages(rac->mapping->host);
	unsigned long chunk = (2ul << 20) >> PAGE_SHIFT;

	if (!rac->mapping->a_ops)
		return;
	nr_to_read = min(nr_to_read, max(max_pages, 1ul));
	while (nr_to_read) {
		unsigned long n = min(chunk, nr_to_read);
		pgoff_t next = rac->_index + n;

		do_page_cache_ra(rac, n, 0);
		rac->_index = next;
		nr_to_read -= n;
	}
}

/*
 * Fills the window ra describes (from rac->_index) with folios of order
 * ra->order where aligned, smaller ones where not or near EOF; a cached
 * page stops that, and order-0 readahead fills the rest.
 */
void page_cache_ra_order(struct readahead_control *rac, struct file_ra_state *ra)
{
	struct address_space *as = rac->mapping;
	pgoff_t start = rac->_index, index = start, limit, mark;
	unsigned int new_order = ra->order;
	int err = 0;

	if (as->host->i_size <= 0)
		return;
	limit = (pgoff_t)((as->host->i_size - 1) >> PAGE_SHIFT);
	mark = index + ra->size - ra->async_size;
	if (!mapping_large_folio_support(as) || !ra->size) {
		ra->order = 0;
		goto fallback;
	}
	limit = min(limit, index + ra->size - 1);
	new_order = min(new_order, (unsigned int)MAX_PAGECACHE_ORDER);
	new_order = min(new_order, ilog2_ul(ra->size));
	ra->order = (unsigned short)new_order;
	while (index <= limit) {
		unsigned int order = new_order;

		if (index & ((1ul << order) - 1))
			order = (unsigned int)__builtin_ctzl(index);
		while (order && index + (1ul << order) - 1 > limit)
			order--;
		err = ra_alloc_folio(rac, index, mark, order);
		if (err)
			break;
		index += 1ul << order;
	}
	read_pages(rac);
	if (!err)
		return;
fallback:
	if (ra->size > index - start) {
		rac->_index = index;
		do_page_cache_ra(rac, ra->size - (index - start), ra->async_size);
	}
}

/* The first index before index (looking back at most max) not cached. */
static pgoff_t page_cache_prev_miss(struct address_space *as, pgoff_t index, unsigned long max)
{
	while (max--) {
		if (!find_get_page(as, index))
			return index;
		if (!index)
			return ~0ul;
		index--;
	}
	return index;
}

/* The first index from index (looking at most max ahead) not cached. */
static pgoff_t page_cache_next_miss(struct address_space *as, pgoff_t index, unsigned long max)
{
	while (max--) {
		if (!find_get_page(as, index))
			return index;
		if (++index == 0)
			return 0;
	}
	return index;
}

/*
 * A read of req_count pages from rac->_index missed the cache: open a
 * window, or read just what was asked (page_cache_sync_ra).
 */
void page_cache_sync_ra(struct readahead_control *rac, unsigned long req_count)
{
	struct file_ra_state *ra = rac->ra;
	pgoff_t index = rac->_index, prev_index, miss;
	unsigned long max_pages = ra->ra_pages, contig_count;
	bool forced = rac->file && (rac->file->f_mode & FMODE_RANDOM);

	if (!ra->ra_pages) {
		req_count = 1;
		forced = true;
	}
	if (forced) {
		force_page_cache_ra(rac, req_count);
		return;
	}
	prev_index = (pgoff_t)((unsigned long long)ra->prev_pos >> PAGE_SHIFT);
	if (!index || req_count > max_pages || index - prev_index <= 1ul) {
		ra->start = index;
		ra->size = (unsigned int)get_init_ra_size(req_count, max_pages);
		ra->async_size = ra->size > req_count ? ra->size - (unsigned int)req_count :
							ra->size >> 1;
		goto readit;
	}
	miss = page_cache_prev_miss(rac->mapping, index - 1, max_pages);
	contig_count = index - miss - 1;
	if (contig_count <= req_count) {
		do_page_cache_ra(rac, req_count, 0);	/* a small random read */
		return;
	}
	if (miss == ~0ul)
		contig_count *= 2;	/* cached from the start: a long stream */
	ra->start = index;
	ra->size = (unsigned int)min(contig_count + req_count, max_pages);
	ra->async_size = 1;
readit:
	ra->order = 0;
	rac->_index = ra->start;
	page_cache_ra_order(rac, ra);
}

/*
 * A read (or a fault) reached folio, marked PG_readahead: the next
 * window, before the reader gets there (page_cache_async_ra).
 */
void page_cache_async_ra(struct readahead_control *rac, struct page *folio,
			 unsigned long req_count)
{
	struct file_ra_state *ra = rac->ra;
	unsigned long max_pages = ra->ra_pages, nr = 1ul << compound_order(folio);
	pgoff_t index = rac->_index, expected, start, end, aligned_end, align;

	if (!ra->ra_pages || PageWriteback(folio))
		return;
	ClearPageReadahead(folio);
	expected = (ra->start + ra->size - ra->async_size) & ~(nr - 1);
	if (index == expected) {
		ra->start += ra->size;
		ra->size = (unsigned int)max((unsigned long)ra->size, get_next_ra_size(ra, max_pages));
		goto readit;
	}
	/* A marked folio but the state is another stream's: measure the
	 * cached run ahead, which is what the lost window left. */
	start = page_cache_next_miss(rac->mapping, index + 1, max_pages);
	if (!start || start - index > max_pages)
		return;
	ra->start = start;
	ra->size = (unsigned int)(start - index + req_count);
	ra->size = (unsigned int)get_next_ra_size(ra, max_pages);
readit:
	ra->order += 2;
	align = 1ul << min((unsigned int)ra->order, (unsigned int)__builtin_ctzl(max_pages | (1ul << 62)));
	end = ra->start + ra->size;
	aligned_end = end & ~(align - 1);
	if (aligned_end > ra->start)
		ra->size -= (unsigned int)(end - aligned_end);
	ra->async_size = ra->size;
	rac->_index = ra->start;
	page_cache_ra_order(rac, ra);
}

/*
 * The wrappers the read and fault paths call; they free the page list.
 * -EIO: a request failed (its pages left the cache again).
 */
int page_cache_sync_readahead(struct address_space *as, struct file_ra_state *ra,
			      struct file *file, pgoff_t index, unsigned long req_count)
{
	DEFINE_READAHEAD(rac, file, ra, as, index);

	page_cache_sync_ra(&rac, req_count);
	readahead_done(&rac);
	return rac.err;
}

void page_cache_async_readahead(struct address_space *as, struct file_ra_state *ra,
				struct file *file, struct page *folio, unsigned long req_count)
{
	DEFINE_READAHEAD(rac, file, ra, as, folio->index);

	page_cache_async_ra(&rac, folio, req_count);
	readahead_done(&rac);
}

void readahead_done(struct readahead_control *rac)
{
	free(rac->_pages);
	rac->_pages = NULL;
	rac->_cap = 0;
}
