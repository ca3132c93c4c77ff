/*
 * include/kmm/list.h - intrusive lists with Linux's API: the circular doubly
 * linked list_head and the hash-bucket list hlist (one-pointer head).
 *
 * Mirrors Linux include/linux/list.h.  Header only, except the corruption
 * reporter in base/list.c.  With KMM_DEBUG_VM the add/del primitives check
 * their neighbours first, as CONFIG_DEBUG_LIST does: on corruption they call
 * kmm_list_corruption() (abort by default) and, should it return, change
 * nothing, neither the list nor the entry (Linux still poisons the entry).
 * list_del()/hlist_del() poison the removed entry so that a later use of it
 * faults on a non-canonical address.
 *
 * Not thread safe: the caller holds whatever lock protects the list.
 */
#ifndef KMM_LIST_H
#define KMM_LIST_H

#include <kmm/compiler.h>

#include <stdbool.h>
#include <stddef.h>

/*
 * Poison values: low offsets from a base that is non-canonical on 64-bit
 * machines, so dereferencing a deleted entry's links faults immediately and
 * the faulting address tells which link it was.
 */
#ifndef POISON_POINTER_DELTA
#if __SIZEOF_POINTER__ == 8
#define POISON_POINTER_DELTA 0xdead000000000000UL
#else
#define POISON_POINTER_DELTA 0UL
#endif
#endif
#define LIST_POISON1 ((void *)(0x100 + POISON_POINTER_DELTA))
#define LIST_POISON2 ((void *)(0x122 + POISON_POINTER_DELTA))

struct list_head {
	struct list_head *next;		/* the head itself when empty */
	struct list_head *prev;
};

struct hlist_node {
	struct hlist_node *next;	/* NULL at the end of the chain */
	struct hlist_node **pprev;	/* link to us; NULL: unhashed */
};

struct hlist_head {
	struct hlist_node *first;	/* NULL: empty bucket */
};

/*
 * Reports list corruption: @what names the failed check, @entry is the node
 * being added or removed.  Defined weak in base/list.c, where it prints to
 * stderr and aborts; a test may define its own to observe reports.  When it
 * returns, the operation that detected the corruption is skipped.
 */
void kmm_list_corruption(const char *what, const void *entry);

/* Slow paths of the debug checks: name the failed check, report, false. */
bool __list_add_report(struct list_head *entry, struct list_head *prev,
		       struct list_head *next);
bool __list_del_report(struct list_head *entry);

/*
 * The checks alone, without the report: for fast paths that leave a
 * corrupt list to their slow path, which checks again and reports
 * (mm/page_alloc.c's order-0 paths).  Always true without KMM_DEBUG_VM.
 */
#ifdef KMM_DEBUG_VM
static inline bool __list_add_ok(const struct list_head *entry,
				 const struct list_head *prev,
				 const struct list_head *next)
{
	return next->prev == prev && prev->next == next &&
	       entry != prev && entry != next;
}

/* Poison is tested first so a double delete is reported, not dereferenced. */
static inline bool __list_del_entry_ok(const struct list_head *entry)
{
	const struct list_head *prev = entry->prev, *next = entry->next;

	return next != LIST_POISON1 && prev != LIST_POISON2 &&
	       prev->next == entry && next->prev == entry;
}
#else
static inline bool __list_add_ok(const struct list_head *entry __maybe_unused,
				 const struct list_head *prev __maybe_unused,
				 const struct list_head *next __maybe_unused)
{
	return true;
}

static inline bool __list_del_entry_ok(const struct list_head *entry __maybe_unused)
{
	return true;
}
#endif

static inline bool __list_add_valid(struct list_head *entry,
				    struct list_head *prev,
				    struct list_head *next)
{
	if (likely(__list_add_ok(entry, prev, next)))
		return true;
	return __list_add_report(entry, prev, next);
}

static inline bool __list_del_entry_valid(struct list_head *entry)
{
	if (likely(__list_del_entry_ok(entry)))
		return true;
	return __list_del_report(entry);
}

/* ---- list_head --------------------------------------------------------- */

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	list->prev = list;
}

/* Links @entry between two known-consecutive entries. */
static inline void __list_add(struct list_head *entry, struct list_head *prev,
			      struct list_head *next)
{
	if (!__list_add_valid(entry, prev, next))
		return;
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	WRITE_ONCE(prev->next, entry);
}

/* Adds @entry right after @head: a stack push. */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head, head->next);
}

/* Adds @entry right before @head, i.e. at the tail: a queue push. */
static inline void list_add_tail(struct list_head *entry,
				 struct list_head *head)
{
	__list_add(entry, head->prev, head);
}

/* Joins @prev and @next, dropping whatever lay between them. */
static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	WRITE_ONCE(prev->next, next);
}

/*
 * Unlinks @entry, leaving its own links as they were.  Returns false, having
 * changed nothing, if the debug check found the neighbours corrupt.
 */
static inline bool __list_del_checked(struct list_head *entry)
{
	if (!__list_del_entry_valid(entry))
		return false;
	__list_del(entry->prev, entry->next);
	return true;
}

static inline void __list_del_entry(struct list_head *entry)
{
	__list_del_checked(entry);
}

/* Unlinks @entry and poisons it: it must not be used until re-added. */
static inline void list_del(struct list_head *entry)
{
	if (!__list_del_checked(entry))
		return;
	entry->next = LIST_POISON1;
	entry->prev = LIST_POISON2;
}

/* Unlinks @entry and makes it an empty list, so list_empty(entry) holds. */
static inline void list_del_init(struct list_head *entry)
{
	if (__list_del_checked(entry))
		INIT_LIST_HEAD(entry);
}

/* Puts @new in @old's place; @old's links are left stale. */
static inline void list_replace(struct list_head *old, struct list_head *new)
{
	new->next = old->next;
	new->next->prev = new;
	new->prev = old->prev;
	new->prev->next = new;
}

static inline void list_replace_init(struct list_head *old,
				     struct list_head *new)
{
	list_replace(old, new);
	INIT_LIST_HEAD(old);
}

/* Moves @entry from its list to just after @head. */
static inline void list_move(struct list_head *entry, struct list_head *head)
{
	if (__list_del_checked(entry))
		list_add(entry, head);
}

/* Moves @entry from its list to the tail of @head. */
static inline void list_move_tail(struct list_head *entry,
				  struct list_head *head)
{
	if (__list_del_checked(entry))
		list_add_tail(entry, head);
}

/* Makes the first entry the last one (round-robin). */
static inline void list_rotate_left(struct list_head *head)
{
	if (head->next != head)
		list_move_tail(head->next, head);
}

static inline bool list_is_first(const struct list_head *entry,
				 const struct list_head *head)
{
	return entry->prev == head;
}

static inline bool list_is_last(const struct list_head *entry,
				const struct list_head *head)
{
	return entry->next == head;
}

static inline bool list_is_head(const struct list_head *entry,
				const struct list_head *head)
{
	return entry == head;
}

static inline bool list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}

static inline bool list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

/* Inserts the non-empty @list's entries between @prev and @next. */
static inline void __list_splice(const struct list_head *list,
				 struct list_head *prev,
				 struct list_head *next)
{
	struct list_head *first = list->next;
	struct list_head *last = list->prev;

	first->prev = prev;
	prev->next = first;
	last->next = next;
	next->prev = last;
}

/* Puts @list's entries at the front of @head; @list is left stale. */
static inline void list_splice(const struct list_head *list,
			       struct list_head *head)
{
	if (!list_empty(list))
		__list_splice(list, head, head->next);
}

/* Puts @list's entries at the back of @head; @list is left stale. */
static inline void list_splice_tail(const struct list_head *list,
				    struct list_head *head)
{
	if (!list_empty(list))
		__list_splice(list, head->prev, head);
}

/* As list_splice(), and @list is reinitialised empty. */
static inline void list_splice_init(struct list_head *list,
				    struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head, head->next);
		INIT_LIST_HEAD(list);
	}
}

/* As list_splice_tail(), and @list is reinitialised empty. */
static inline void list_splice_tail_init(struct list_head *list,
					 struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head->prev, head);
		INIT_LIST_HEAD(list);
	}
}

/* Moves @head's entries up to and including @entry onto @list. */
static inline void __list_cut_position(struct list_head *list,
				       struct list_head *head,
				       struct list_head *entry)
{
	struct list_head *rest = entry->next;

	list->next = head->next;
	list->next->prev = list;
	list->prev = entry;
	entry->next = list;
	head->next = rest;
	rest->prev = head;
}

/*
 * Moves the entries of @head from the first up to and including @entry onto
 * @list, whose previous contents are overwritten (pass an empty or unused
 * head).  @entry == @head moves nothing and leaves @list empty.
 */
static inline void list_cut_position(struct list_head *list,
				     struct list_head *head,
				     struct list_head *entry)
{
	if (list_empty(head))
		return;
	if (list_is_singular(head) && head->next != entry && head != entry)
		return;
	if (entry == head)
		INIT_LIST_HEAD(list);
	else
		__list_cut_position(list, head, entry);
}

/* O(n): counts the entries of @head. */
static inline size_t list_count_nodes(const struct list_head *head)
{
	const struct list_head *pos;
	size_t count = 0;

	for (pos = head->next; pos != head; pos = pos->next)
		count++;
	return count;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member)                                   \
	list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member)                                    \
	list_entry((ptr)->prev, type, member)

#define list_first_entry_or_null(ptr, type, member)                           \
	({                                                                    \
		struct list_head *lfeon_head_ = (ptr);                        \
		struct list_head *lfeon_pos_ = READ_ONCE(lfeon_head_->next);  \
		lfeon_pos_ != lfeon_head_ ?                                   \
			list_entry(lfeon_pos_, type, member) : NULL;          \
	})

#define list_next_entry(pos, member)                                          \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member)                                          \
	list_entry((pos)->member.prev, __typeof__(*(pos)), member)

/* True when the cursor @pos has come back round to the list head. */
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))

#define list_for_each(pos, head)                                              \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define list_for_each_prev(pos, head)                                         \
	for ((pos) = (head)->prev; (pos) != (head); (pos) = (pos)->prev)

/* @n holds the next node, so @pos may be deleted inside the loop. */
#define list_for_each_safe(pos, n, head)                                      \
	for ((pos) = (head)->next, (n) = (pos)->next; (pos) != (head);        \
	     (pos) = (n), (n) = (pos)->next)

#define list_for_each_entry(pos, head, member)                                \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member);      \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = list_next_entry(pos, member))

#define list_for_each_entry_reverse(pos, head, member)                        \
	for ((pos) = list_last_entry(head, __typeof__(*(pos)), member);       \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = list_prev_entry(pos, member))

/* Continues after @pos (which must be an entry or the head). */
#define list_for_each_entry_continue(pos, head, member)                       \
	for ((pos) = list_next_entry(pos, member);                            \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = list_next_entry(pos, member))

/* Continues from @pos itself. */
#define list_for_each_entry_from(pos, head, member)                           \
	for (; !list_entry_is_head(pos, head, member);                        \
	     (pos) = list_next_entry(pos, member))

/* @n holds the next entry, so @pos may be deleted inside the loop. */
#define list_for_each_entry_safe(pos, n, head, member)                        \
	for ((pos) = list_first_entry(head, __typeof__(*(pos)), member),      \
	     (n) = list_next_entry(pos, member);                              \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = (n), (n) = list_next_entry(n, member))

#define list_for_each_entry_safe_reverse(pos, n, head, member)                \
	for ((pos) = list_last_entry(head, __typeof__(*(pos)), member),       \
	     (n) = list_prev_entry(pos, member);                              \
	     !list_entry_is_head(pos, head, member);                          \
	     (pos) = (n), (n) = list_prev_entry(n, member))

/* ---- hlist ------------------------------------------------------------- */

#define HLIST_HEAD_INIT { .first = NULL }
#define HLIST_HEAD(name) struct hlist_head name = HLIST_HEAD_INIT
#define INIT_HLIST_HEAD(ptr) ((ptr)->first = NULL)

static inline void INIT_HLIST_NODE(struct hlist_node *node)
{
	node->next = NULL;
	node->pprev = NULL;
}

/* True when @node is on no hlist (never added, or removed with _init). */
static inline bool hlist_unhashed(const struct hlist_node *node)
{
	return !node->pprev;
}

static inline bool hlist_empty(const struct hlist_head *head)
{
	return !READ_ONCE(head->first);
}

static inline void __hlist_del(struct hlist_node *node)
{
	struct hlist_node *next = node->next;

	WRITE_ONCE(*node->pprev, next);
	if (next)
		next->pprev = node->pprev;
}

/* Unlinks @node and poisons it: it must not be used until re-added. */
static inline void hlist_del(struct hlist_node *node)
{
	__hlist_del(node);
	node->next = LIST_POISON1;
	node->pprev = LIST_POISON2;
}

/* Unlinks @node if hashed and leaves it unhashed; safe to call twice. */
static inline void hlist_del_init(struct hlist_node *node)
{
	if (hlist_unhashed(node))
		return;
	__hlist_del(node);
	INIT_HLIST_NODE(node);
}

static inline void hlist_add_head(struct hlist_node *node,
				  struct hlist_head *head)
{
	struct hlist_node *first = head->first;

	node->next = first;
	if (first)
		first->pprev = &node->next;
	WRITE_ONCE(head->first, node);
	node->pprev = &head->first;
}

/* Adds @node just before @next, which is on a list. */
static inline void hlist_add_before(struct hlist_node *node,
				    struct hlist_node *next)
{
	node->pprev = next->pprev;
	node->next = next;
	next->pprev = &node->next;
	WRITE_ONCE(*node->pprev, node);
}

/* Adds @node just after @prev, which is on a list. */
static inline void hlist_add_behind(struct hlist_node *node,
				    struct hlist_node *prev)
{
	node->next = prev->next;
	WRITE_ONCE(prev->next, node);
	node->pprev = &prev->next;
	if (node->next)
		node->next->pprev = &node->next;
}

#define hlist_entry(ptr, type, member) container_of(ptr, type, member)

#define hlist_entry_safe(ptr, type, member)                                   \
	({                                                                    \
		__typeof__(ptr) hes_ptr_ = (ptr);                             \
		hes_ptr_ ? hlist_entry(hes_ptr_, type, member) : NULL;        \
	})

#define hlist_for_each(pos, head)                                             \
	for ((pos) = (head)->first; (pos); (pos) = (pos)->next)

#define hlist_for_each_entry(pos, head, member)                               \
	for ((pos) = hlist_entry_safe((head)->first, __typeof__(*(pos)),      \
				      member);                                \
	     (pos);                                                           \
	     (pos) = hlist_entry_safe((pos)->member.next, __typeof__(*(pos)), \
				      member))

/* @n (a struct hlist_node *) holds the next node, so @pos may be deleted. */
#define hlist_for_each_entry_safe(pos, n, head, member)                       \
	for ((pos) = hlist_entry_safe((head)->first, __typeof__(*(pos)),      \
				      member);                                \
	     (pos) && ((n) = (pos)->member.next, 1);                          \
	     (pos) = hlist_entry_safe(n, __typeof__(*(pos)), member))

#endif /* KMM_LIST_H */
