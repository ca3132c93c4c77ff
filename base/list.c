/*
 * base/list.c - the slow path of the list debug checks (KMM_DEBUG_VM): work
 * out which check failed, print it with the pointers involved, and hand over
 * to kmm_list_corruption().
 *
 * Mirrors Linux lib/list_debug.c.  The lists themselves are in
 * include/kmm/list.h.
 */
#include <kmm/list.h>

#include <stdio.h>
#include <stdlib.h>

/*
 * Default reporter: a corrupted list cannot be trusted any further, so stop
 * here while the evidence is intact.  Weak so that a test can replace it with
 * one that records the report and returns.
 */
__attribute__((weak)) void kmm_list_corruption(const char *what,
					       const void *entry)
{
	fprintf(stderr, "kmm: list corruption at %p: %s\n", entry, what);
	fflush(stderr);
	abort();
}

bool __list_add_report(struct list_head *entry, struct list_head *prev,
		       struct list_head *next)
{
	const char *what;

	if (next->prev != prev)
		what = "list_add: next->prev should be prev";
	else if (prev->next != next)
		what = "list_add: prev->next should be next";
	else if (entry == prev || entry == next)
		what = "list_add: double add (entry is prev or next)";
	else
		return true;
	fprintf(stderr,
		"kmm: %s (entry=%p prev=%p prev->next=%p next=%p "
		"next->prev=%p)\n", what, (void *)entry, (void *)prev,
		(void *)prev->next, (void *)next, (void *)next->prev);
	kmm_list_corruption(what, entry);
	return false;
}

/* The poison checks come first: a poisoned link must not be followed. */
static const char *list_del_check(const struct list_head *entry)
{
	if (entry->next == LIST_POISON1)
		return "list_del: entry->next is LIST_POISON1 (deleted)";
	if (entry->prev == LIST_POISON2)
		return "list_del: entry->prev is LIST_POISON2 (deleted)";
	if (entry->prev->next != entry)
		return "list_del: prev->next should be entry";
	if (entry->next->prev != entry)
		return "list_del: next->prev should be entry";
	return NULL;
}

bool __list_del_report(struct list_head *entry)
{
	const char *what = list_del_check(entry);

	if (!what)
		return true;
	fprintf(stderr, "kmm: %s (entry=%p prev=%p next=%p)\n", what,
		(void *)entry, (void *)entry->prev, (void *)entry->next);
	kmm_list_corruption(what, entry);
	return false;
}
