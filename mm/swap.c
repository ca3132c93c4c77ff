/*
 * mm/swap.c - page references: get_page, put_page and friends.  The last
 * put frees the page (Linux's __folio_put).  Named after Linux's
 * mm/swap.c, where the put path lives; the LRU batching that file also
 * holds arrives with reclaim.
 */
#include "mm/internal.h"

void get_page(struct page *page)
{
	page = compound_head(page);
	if (unlikely(page_ref_count(page) <= 0)) {
		bad_page(kmm_cur(), page, "get_page on a page with no references");
		return;
	}
	page_ref_inc(page);
}

bool get_page_unless_zero(struct page *page)
{
	int c = page_ref_count(page);

	while (c) {
		if (__atomic_compare_exchange_n(&page->_refcount, &c, c + 1, true,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

void put_page(struct page *page)
{
	struct kmm *k = kmm_cur();

	page = compound_head(page);
	if (unlikely(page_ref_count(page) <= 0)) {
		bad_page(k, page, "put_page on a page with no references");
		return;
	}
	if (page_ref_dec_and_test(page))
		free_frozen_pages(k, page, compound_order(page));
}

