/*
 * base/xarray.c - the xarray (include/kmm/xarray.h): a radix tree of
 * 64-slot nodes with three marks per entry, the page cache's index.
 *
 * Shape: xa_head is NULL, the entry at index 0 alone, or a link to the top
 * node, which covers indices 0 .. (64 << shift) - 1.  The tree is as short
 * as it can be: the top node never holds slot 0 alone (it would be
 * shrunk), and no node is empty (it would be freed).  The root's mark bits
 * live in xa_flags and are set exactly when the top node has the mark
 * somewhere (or, for a lone entry at 0, are that entry's marks).
 *
 * A store counts the nodes it needs before touching the tree and gets them
 * all first, so a failed allocation leaves the tree as it was.  Nodes kept
 * for a retry hang on xas->xa_alloc, chained through ->parent.
 */
#define _GNU_SOURCE
#include <kmm/mmdebug.h>
#include <kmm/xarray.h>

#include <stdlib.h>
#include <string.h>

#include "base/printk.h"
#include "base/smp.h"

#define XA_BITS ((unsigned int)(sizeof(long) * CHAR_BIT))

/* ---- geometry ----------------------------------------------------------- */

static inline unsigned int slot_of(const struct xa_node *node, unsigned long index)
{
	return (index >> node->shift) & XA_CHUNK_MASK;
}

/* The largest index under a top node of this shift. */
static inline unsigned long shift_max_index(unsigned int shift)
{
	if (shift + XA_CHUNK_SHIFT >= XA_BITS)
		return ULONG_MAX;
	return (XA_CHUNK_SIZE << shift) - 1;
}

/* The shift of the smallest top node that covers @index. */
static unsigned int top_shift_for(unsigned long index)
{
	unsigned int shift = 0;

	while (shift_max_index(shift) < index)
		shift += XA_CHUNK_SHIFT;
	return shift;
}

static inline unsigned int levels(unsigned int shift)
{
	return shift / XA_CHUNK_SHIFT;
}

/* ---- nodes -------------------------------------------------------------- */

static struct xa_node *node_get(struct xarray *xa, gfp_t gfp)
{
	const struct xa_node_ops *ops = xa->xa_ops;

	if (xa->xa_flags & XA_FLAGS_ACCOUNT)
		gfp |= __GFP_ACCOUNT;
	if (ops)
		return ops->alloc(ops->priv, gfp);
	return malloc(sizeof(struct xa_node));
}

static void node_put(struct xarray *xa, struct xa_node *node)
{
	const struct xa_node_ops *ops = xa->xa_ops;

	if (ops)
		ops->free(ops->priv, node);
	else
		free(node);
}

static void xas_destroy(struct xa_state *xas)
{
	struct xa_node *node = xas->xa_alloc;

	while (node) {
		struct xa_node *next = node->parent;

		node_put(xas->xa, node);
		node = next;
	}
	xas->xa_alloc = NULL;
}

/* Tops xas->xa_alloc up to @nr nodes; -ENOMEM in the cursor if it can't. */
static bool xas_reserve(struct xa_state *xas, unsigned int nr)
{
	unsigned int have = 0;
	struct xa_node *node;

	for (node = xas->xa_alloc; node && have < nr; node = node->parent)
		have++;
	while (have < nr) {
		node = node_get(xas->xa, GFP_NOWAIT | __GFP_NOWARN);
		if (!node) {
			xas_set_err(xas, -ENOMEM);
			return false;
		}
		node->parent = xas->xa_alloc;
		xas->xa_alloc = node;
		have++;
	}
	return true;
}

static struct xa_node *xas_take_node(struct xa_state *xas, unsigned int shift,
				     struct xa_node *parent, unsigned int offset)
{
	struct xa_node *node = xas->xa_alloc;

	xas->xa_alloc = node->parent;
	memset(node, 0, sizeof(*node));
	node->shift = shift;
	node->offset = offset;
	node->parent = parent;
	node->array = xas->xa;
	INIT_LIST_HEAD(&node->private_list);
	return node;
}

static inline void xas_update(struct xa_state *xas, struct xa_node *node)
{
	if (xas->xa_update)
		xas->xa_update(node);
}

/* The update hook sees every node it is told about freed with count 0. */
static void xas_free_node(struct xa_state *xas, struct xa_node *node)
{
	node->count = 0;
	xas_update(xas, node);
	node_put(xas->xa, node);
}

/* ---- marks -------------------------------------------------------------- */

/* Sets @mark on slot @off of @node and on the way up until already set. */
static void mark_set_up(struct xarray *xa, struct xa_node *node,
			unsigned int off, xa_mark_t mark)
{
	for (; node; off = node->offset, node = node->parent) {
		bool had_any = node->marks[mark] != 0;

		if (node->marks[mark] & (1UL << off))
			return;
		node->marks[mark] |= 1UL << off;
		if (had_any)
			return;
	}
	xa->xa_flags |= XA_FLAGS_MARK(mark);
}

/* Clears it, and on the way up while a node is left with none. */
static void mark_clear_up(struct xarray *xa, struct xa_node *node,
			  unsigned int off, xa_mark_t mark)
{
	for (; node; off = node->offset, node = node->parent) {
		if (!(node->marks[mark] & (1UL << off)))
			return;
		node->marks[mark] &= ~(1UL << off);
		if (node->marks[mark])
			return;
	}
	xa->xa_flags &= ~XA_FLAGS_MARK(mark);
}

bool xas_get_mark(const struct xa_state *xas, xa_mark_t mark)
{
	const struct xa_node *node = xas->xa_node;
	const void *head = xas->xa->xa_head;

	if (xas_invalid(xas) || mark >= XA_MAX_MARKS)
		return false;
	if (!node)
		return head && !xa_is_node(head) && xa_marked(xas->xa, mark);
	return node->marks[mark] & (1UL << xas->xa_offset);
}

void xas_set_mark(const struct xa_state *xas, xa_mark_t mark)
{
	struct xa_node *node = xas->xa_node;
	void *head = xas->xa->xa_head;

	if (xas_invalid(xas) || mark >= XA_MAX_MARKS)
		return;
	if (!node) {
		if (head && !xa_is_node(head))
			xas->xa->xa_flags |= XA_FLAGS_MARK(mark);
		return;
	}
	if (!node->shift && node->slots[xas->xa_offset])
		mark_set_up(xas->xa, node, xas->xa_offset, mark);
}

void xas_clear_mark(const struct xa_state *xas, xa_mark_t mark)
{
	struct xa_node *node = xas->xa_node;

	if (xas_invalid(xas) || mark >= XA_MAX_MARKS)
		return;
	if (!node)
		xas->xa->xa_flags &= ~XA_FLAGS_MARK(mark);
	else
		mark_clear_up(xas->xa, node, xas->xa_offset, mark);
}

/* ---- walking down ------------------------------------------------------- */

void *xas_load(struct xa_state *xas)
{
	void *entry = xas->xa->xa_head;

	if (xas_error(xas))
		return NULL;
	if (xa_is_node(entry) ?
	    xas->xa_index > shift_max_index(xa_to_node(entry)->shift) :
	    xas->xa_index != 0) {
		xas->xa_node = XAS_BOUNDS;
		return NULL;
	}
	xas->xa_node = NULL;
	while (xa_is_node(entry)) {
		struct xa_node *node = xa_to_node(entry);

		xas->xa_node = node;
		xas->xa_offset = slot_of(node, xas->xa_index);
		entry = node->slots[xas->xa_offset];
	}
	return entry;
}

/* ---- growing ------------------------------------------------------------ */

/* How many nodes a store of a non-NULL entry at xa_index must add. */
static unsigned int xas_nodes_needed(const struct xa_state *xas)
{
	unsigned long index = xas->xa_index;
	void *entry = xas->xa->xa_head;
	struct xa_node *node;
	unsigned int top;

	if (!xa_is_node(entry)) {
		if (!index)
			return 0;
		top = levels(top_shift_for(index));
		/* A path to the index, and one down to the old entry at 0. */
		return entry ? 2 * top + 1 : top + 1;
	}
	node = xa_to_node(entry);
	if (index > shift_max_index(node->shift)) {
		top = top_shift_for(index);
		return levels(top - node->shift) + levels(top);
	}
	while (node->shift) {
		entry = node->slots[slot_of(node, index)];
		if (!entry)
			return levels(node->shift);
		node = xa_to_node(entry);
	}
	return 0;
}

/* Puts new top nodes over xa_head (slot 0 each) until it covers xa_index. */
static void xas_expand(struct xa_state *xas)
{
	struct xarray *xa = xas->xa;
	unsigned int want = top_shift_for(xas->xa_index), shift;
	void *head = xa->xa_head;
	struct xa_node *node;
	xa_mark_t mark;

	if (!head) {
		node = xas_take_node(xas, want, NULL, 0);
		xa->xa_head = xa_mk_node(node);
		return;
	}
	if (xa_is_node(head)) {
		if (xa_to_node(head)->shift >= want)
			return;
		shift = xa_to_node(head)->shift + XA_CHUNK_SHIFT;
	} else {
		shift = 0;
	}
	for (;; shift += XA_CHUNK_SHIFT) {
		node = xas_take_node(xas, shift, NULL, 0);
		node->slots[0] = head;
		node->count = 1;
		if (xa_is_node(head))
			xa_to_node(head)->parent = node;
		else
			node->nr_values = xa_is_value(head);
		for (mark = 0; mark < XA_MAX_MARKS; mark++)
			if (xa_marked(xa, mark))
				node->marks[mark] = 1;
		head = xa_mk_node(node);
		xa->xa_head = head;
		if (shift >= want)
			return;
	}
}

/*
 * Makes the slot for xa_index exist, positions the cursor on it and
 * returns what it holds; NULL with -ENOMEM in the cursor (tree untouched).
 */
static void *xas_create(struct xa_state *xas)
{
	struct xa_node *node, *child;
	unsigned int off;
	void *entry;

	if (!xas_reserve(xas, xas_nodes_needed(xas)))
		return NULL;
	if (!xas->xa_index && !xa_is_node(xas->xa->xa_head)) {
		xas->xa_node = NULL;
		return xas->xa->xa_head;
	}
	xas_expand(xas);
	node = xa_to_node(xas->xa->xa_head);
	for (;;) {
		off = slot_of(node, xas->xa_index);
		if (!node->shift)
			break;
		entry = node->slots[off];
		if (!entry) {
			child = xas_take_node(xas, node->shift - XA_CHUNK_SHIFT, node, off);
			node->slots[off] = xa_mk_node(child);
			node->count++;
			entry = node->slots[off];
		}
		node = xa_to_node(entry);
	}
	xas->xa_node = node;
	xas->xa_offset = off;
	return node->slots[off];
}

/* ---- shrinking ---------------------------------------------------------- */

/* Replaces a top node that holds slot 0 alone by that slot; true if any. */
static bool xas_shrink(struct xa_state *xas)
{
	struct xarray *xa = xas->xa;
	bool freed = false;

	while (xa_is_node(xa->xa_head)) {
		struct xa_node *node = xa_to_node(xa->xa_head);
		void *entry = node->slots[0];

		if (node->count != 1 || !entry)
			break;
		if (xa_is_node(entry))
			xa_to_node(entry)->parent = NULL;
		xa->xa_head = entry;
		xas_free_node(xas, node);
		freed = true;
	}
	return freed;
}

/* Frees @node if empty and each ancestor left empty, then shrinks. */
static void xas_delete_empty(struct xa_state *xas, struct xa_node *node)
{
	struct xarray *xa = xas->xa;
	bool freed = false;

	while (node && !node->count) {
		struct xa_node *parent = node->parent;

		if (parent) {
			parent->slots[node->offset] = NULL;
			parent->count--;
		} else {
			xa->xa_head = NULL;
		}
		xas_free_node(xas, node);
		freed = true;
		node = parent;
	}
	if ((!node || !node->parent) && xas_shrink(xas))
		freed = true;
	if (freed)
		xas->xa_node = XAS_RESTART;
}

/*
 * xa_delete_node: a leaf whose entries are all values nobody needs (the
 * page cache's shadow entries, which workingset's shrinker drops) goes
 * with its entries; ancestors left empty go too and the tree shrinks.
 * update is told, as xas_store would tell it.  Caller holds xa_lock.
 */
void xa_delete_node(struct xa_node *node, xa_update_node_t update)
{
	struct xa_state xas = {
		.xa = node->array, .xa_index = 0, .xa_offset = 0,
		.xa_node = XAS_RESTART, .xa_alloc = NULL, .xa_update = update,
	};
	unsigned int i;

	for (i = 0; i < XA_CHUNK_SIZE; i++)
		node->slots[i] = NULL;
	memset(node->marks, 0, sizeof(node->marks));
	node->count = 0;
	node->nr_values = 0;
	xas_delete_empty(&xas, node);
}

/* ---- storing ------------------------------------------------------------ */

void *xas_store(struct xa_state *xas, void *entry)
{
	struct xa_node *node;
	xa_mark_t mark;
	void *old;

	if (xas_error(xas))
		return NULL;
	old = entry ? xas_create(xas) : xas_load(xas);
	if (xas_invalid(xas) || (!entry && !old))
		return old;
	node = xas->xa_node;
	if (!node) {
		xas->xa->xa_head = entry;
		if (!entry)
			xas->xa->xa_flags &= ~XA_FLAGS_MARK_MASK;
		return old;
	}
	node->slots[xas->xa_offset] = entry;
	node->count = node->count + !!entry - !!old;
	node->nr_values = node->nr_values + xa_is_value(entry) - xa_is_value(old);
	xas_update(xas, node);
	if (!entry) {
		for (mark = 0; mark < XA_MAX_MARKS; mark++)
			mark_clear_up(xas->xa, node, xas->xa_offset, mark);
		xas_delete_empty(xas, node);
	}
	return old;
}

/* ---- searching ---------------------------------------------------------- */

/* The first slot at or after @off that holds an entry matching @filter. */
static unsigned int next_slot(const struct xa_node *node, unsigned int off,
			      xa_mark_t filter)
{
	unsigned long bits;

	if (off >= XA_CHUNK_SIZE)
		return XA_CHUNK_SIZE;
	if (filter < XA_MAX_MARKS) {
		bits = node->marks[filter] & (~0UL << off);
		return bits ? (unsigned int)__builtin_ctzl(bits) : XA_CHUNK_SIZE;
	}
	while (off < XA_CHUNK_SIZE && !node->slots[off])
		off++;
	return off;
}

/*
 * Positions the cursor on the first entry in [start, max] matching
 * @filter and returns it; XAS_BOUNDS and NULL if there is none.  Down the
 * path of @start while the slots taken are its own, then leftmost.
 */
static void *xas_find_from(struct xa_state *xas, unsigned long start,
			   unsigned long max, xa_mark_t filter)
{
	void *entry = xas->xa->xa_head;
	unsigned long base = 0, first;
	bool on_path = true;
	struct xa_node *node;
	unsigned int off, found;

	if (start > max || !entry)
		goto none;
	if (!xa_is_node(entry)) {
		if (start || (filter < XA_MAX_MARKS && !xa_marked(xas->xa, filter)))
			goto none;
		xas->xa_node = NULL;
		xas->xa_index = 0;
		return entry;
	}
	node = xa_to_node(entry);
	if (start > shift_max_index(node->shift))
		goto none;
	off = slot_of(node, start);
	for (;;) {
		found = next_slot(node, off, filter);
		if (found == XA_CHUNK_SIZE) {
			if (!node->parent)
				goto none;
			off = node->offset + 1;
			base -= (unsigned long)node->offset << node->parent->shift;
			node = node->parent;
			on_path = false;
			continue;
		}
		first = base + ((unsigned long)found << node->shift);
		if (first > max)
			goto none;
		if (found != off)
			on_path = false;
		entry = node->slots[found];
		if (!node->shift) {
			xas->xa_node = node;
			xas->xa_offset = found;
			xas->xa_index = first;
			return entry;
		}
		node = xa_to_node(entry);
		base = first;
		off = on_path ? slot_of(node, start) : 0;
	}
none:
	xas->xa_node = XAS_BOUNDS;
	return NULL;
}

static void *xas_find_filtered(struct xa_state *xas, unsigned long max,
			       xa_mark_t filter)
{
	unsigned long start = xas->xa_index;

	if (xas_error(xas) || xas->xa_node == XAS_BOUNDS)
		return NULL;
	if (xas->xa_node != XAS_RESTART) {
		if (start >= max) {
			xas->xa_node = XAS_BOUNDS;
			return NULL;
		}
		start++;
	}
	return xas_find_from(xas, start, max, filter);
}

void *xas_find(struct xa_state *xas, unsigned long max)
{
	return xas_find_filtered(xas, max, XA_PRESENT);
}

void *xas_find_marked(struct xa_state *xas, unsigned long max, xa_mark_t mark)
{
	return xas_find_filtered(xas, max, mark);
}

void *xas_next(struct xa_state *xas)
{
	struct xa_node *node = xas->xa_node;

	if (node && xas_valid(xas) && !node->shift &&
	    xas->xa_offset == (xas->xa_index & XA_CHUNK_MASK) &&
	    xas->xa_offset < XA_CHUNK_MASK) {
		xas->xa_offset++;
		xas->xa_index++;
		return node->slots[xas->xa_offset];
	}
	if (xas_error(xas))
		return NULL;
	if (xas_valid(xas))
		xas->xa_index++;
	return xas_load(xas);
}

void *xas_prev(struct xa_state *xas)
{
	struct xa_node *node = xas->xa_node;

	if (node && xas_valid(xas) && !node->shift &&
	    xas->xa_offset == (xas->xa_index & XA_CHUNK_MASK) &&
	    xas->xa_offset > 0) {
		xas->xa_offset--;
		xas->xa_index--;
		return node->slots[xas->xa_offset];
	}
	if (xas_error(xas))
		return NULL;
	if (xas_valid(xas))
		xas->xa_index--;
	return xas_load(xas);
}

void xas_pause(struct xa_state *xas)
{
	if (xas_invalid(xas))
		return;
	if (xas->xa_index == ULONG_MAX) {
		xas->xa_node = XAS_BOUNDS;
		return;
	}
	xas->xa_index++;
	xas->xa_node = XAS_RESTART;
}

/* ---- retrying after -ENOMEM --------------------------------------------- */

/* xas_nomem, dropping xa_lock around the allocation if @unlock. */
static bool xas_nomem_locked(struct xa_state *xas, gfp_t gfp, bool unlock)
{
	struct xa_node *node;

	if (xas_error(xas) != -ENOMEM) {
		xas_destroy(xas);
		return false;
	}
	if (unlock)
		xas_unlock(xas);
	node = node_get(xas->xa, gfp);
	if (unlock)
		xas_lock(xas);
	if (!node) {
		xas_destroy(xas);
		return false;
	}
	node->parent = xas->xa_alloc;
	xas->xa_alloc = node;
	xas->xa_node = XAS_RESTART;
	return true;
}

bool xas_nomem(struct xa_state *xas, gfp_t gfp)
{
	return xas_nomem_locked(xas, gfp, false);
}

/* The callers of the normal API hold the lock; a blocking gfp drops it. */
static bool __xas_nomem(struct xa_state *xas, gfp_t gfp)
{
	return xas_nomem_locked(xas, gfp, gfpflags_allow_blocking(gfp));
}

static inline void *xas_result(const struct xa_state *xas, void *curr)
{
	return xas_error(xas) ? xas->xa_node : curr;
}

/* ---- the normal API ----------------------------------------------------- */

void xa_init_ops(struct xarray *xa, gfp_t flags, const struct xa_node_ops *ops)
{
	spin_lock_init(&xa->xa_lock);
	xa->xa_flags = flags & ~XA_FLAGS_MARK_MASK;
	xa->xa_head = NULL;
	xa->xa_ops = ops;
}

void *xa_load(struct xarray *xa, unsigned long index)
{
	XA_STATE(xas, xa, index);
	void *entry;

	xa_lock(xa);
	entry = xas_load(&xas);
	xa_unlock(xa);
	return entry;
}

void *__xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	XA_STATE(xas, xa, index);
	void *curr;

	if (xa_is_internal(entry))
		return XA_ERROR(-EINVAL);
	do {
		curr = xas_store(&xas, entry);
	} while (__xas_nomem(&xas, gfp));
	VM_CHECK(xa_check(xa));
	return xas_result(&xas, curr);
}

void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	void *curr;

	xa_lock(xa);
	curr = __xa_store(xa, index, entry, gfp);
	xa_unlock(xa);
	return curr;
}

void *__xa_erase(struct xarray *xa, unsigned long index)
{
	XA_STATE(xas, xa, index);
	void *old = xas_store(&xas, NULL);

	VM_CHECK(xa_check(xa));
	return old;
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	void *old;

	xa_lock(xa);
	old = __xa_erase(xa, index);
	xa_unlock(xa);
	return old;
}

void *__xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		   void *entry, gfp_t gfp)
{
	XA_STATE(xas, xa, index);
	void *curr;

	if (xa_is_internal(entry))
		return XA_ERROR(-EINVAL);
	do {
		curr = xas_load(&xas);
		if (curr == old)
			xas_store(&xas, entry);
	} while (__xas_nomem(&xas, gfp));
	VM_CHECK(xa_check(xa));
	return xas_result(&xas, curr);
}

void *xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		 void *entry, gfp_t gfp)
{
	void *curr;

	xa_lock(xa);
	curr = __xa_cmpxchg(xa, index, old, entry, gfp);
	xa_unlock(xa);
	return curr;
}

int __xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	XA_STATE(xas, xa, index);

	if (!entry || xa_is_internal(entry))
		return -EINVAL;
	do {
		if (xas_load(&xas))
			xas_set_err(&xas, -EBUSY);
		else
			xas_store(&xas, entry);
	} while (__xas_nomem(&xas, gfp));
	VM_CHECK(xa_check(xa));
	return xas_error(&xas);
}

int xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	int err;

	xa_lock(xa);
	err = __xa_insert(xa, index, entry, gfp);
	xa_unlock(xa);
	return err;
}

bool xa_get_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
	XA_STATE(xas, xa, index);
	bool marked;

	xa_lock(xa);
	marked = xas_load(&xas) && xas_get_mark(&xas, mark);
	xa_unlock(xa);
	return marked;
}

void __xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
	XA_STATE(xas, xa, index);

	if (xas_load(&xas))
		xas_set_mark(&xas, mark);
}

void __xa_clear_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
	XA_STATE(xas, xa, index);

	if (xas_load(&xas))
		xas_clear_mark(&xas, mark);
}

void xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
	xa_lock(xa);
	__xa_set_mark(xa, index, mark);
	xa_unlock(xa);
}

void xa_clear_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
	xa_lock(xa);
	__xa_clear_mark(xa, index, mark);
	xa_unlock(xa);
}

static void *xa_find_from(struct xarray *xa, unsigned long start,
			  unsigned long *indexp, unsigned long max, xa_mark_t filter)
{
	XA_STATE(xas, xa, start);
	void *entry;

	xa_lock(xa);
	entry = xas_find_filtered(&xas, max, filter);
	xa_unlock(xa);
	if (entry)
		*indexp = xas.xa_index;
	return entry;
}

void *xa_find(struct xarray *xa, unsigned long *indexp, unsigned long max,
	      xa_mark_t filter)
{
	return xa_find_from(xa, *indexp, indexp, max, filter);
}

void *xa_find_after(struct xarray *xa, unsigned long *indexp,
		    unsigned long max, xa_mark_t filter)
{
	if (*indexp == ULONG_MAX)
		return NULL;
	return xa_find_from(xa, *indexp + 1, indexp, max, filter);
}

static void free_subtree(struct xarray *xa, struct xa_node *node)
{
	unsigned int i;

	for (i = 0; node->shift && i < XA_CHUNK_SIZE; i++)
		if (node->slots[i])
			free_subtree(xa, xa_to_node(node->slots[i]));
	node_put(xa, node);
}

void xa_destroy(struct xarray *xa)
{
	void *head;

	xa_lock(xa);
	head = xa->xa_head;
	xa->xa_head = NULL;
	xa->xa_flags &= ~XA_FLAGS_MARK_MASK;
	if (xa_is_node(head))
		free_subtree(xa, xa_to_node(head));
	xa_unlock(xa);
}

/* ---- invariant checker -------------------------------------------------- */

static int xa_bad(const struct xarray *xa, const struct xa_node *node,
		  unsigned long base, const char *what)
{
	kmm_report(NULL, "xa_check: xarray %p, node %p (indices from %#lx): %s\n",
		   (const void *)xa, (const void *)node, base, what);
	return -EINVAL;
}

static int check_slot_marks(const struct xarray *xa, const struct xa_node *node,
			    unsigned int i, unsigned long base)
{
	const void *entry = node->slots[i];
	xa_mark_t mark;

	for (mark = 0; mark < XA_MAX_MARKS; mark++) {
		bool bit = node->marks[mark] & (1UL << i);

		if (!entry && bit)
			return xa_bad(xa, node, base, "a mark on an empty slot");
		if (node->shift && entry && bit != (xa_to_node(entry)->marks[mark] != 0))
			return xa_bad(xa, node, base,
				      "a slot's mark bit disagrees with its child's marks");
	}
	return 0;
}

static int check_node(const struct xarray *xa, const struct xa_node *node,
		      const struct xa_node *parent, unsigned int offset,
		      unsigned int shift, unsigned long base)
{
	unsigned int i, count = 0, values = 0;
	int err;

	if (node->shift != shift)
		return xa_bad(xa, node, base, "shift is not one level below its parent's");
	if (node->parent != parent)
		return xa_bad(xa, node, base, "parent pointer does not name its parent");
	if (node->offset != offset)
		return xa_bad(xa, node, base, "offset is not its slot in the parent");
	if (node->array != xa)
		return xa_bad(xa, node, base, "node names another array");
	for (i = 0; i < XA_CHUNK_SIZE; i++) {
		const void *entry = node->slots[i];
		unsigned long first = base + ((unsigned long)i << shift);

		if (entry) {
			count++;
			if (!parent && shift + XA_CHUNK_SHIFT > XA_BITS &&
			    (i >> (XA_BITS - shift)))
				return xa_bad(xa, node, base, "a slot past ULONG_MAX is used");
			if (shift && !xa_is_node(entry))
				return xa_bad(xa, node, base, "an interior slot holds an entry");
			if (!shift && xa_is_internal(entry))
				return xa_bad(xa, node, base, "a leaf slot holds an internal entry");
			values += xa_is_value(entry);
			if (shift) {
				err = check_node(xa, xa_to_node(entry), node, i,
						 shift - XA_CHUNK_SHIFT, first);
				if (err)
					return err;
			}
		}
		err = check_slot_marks(xa, node, i, base);
		if (err)
			return err;
	}
	if (!count)
		return xa_bad(xa, node, base, "an empty node is left in the tree");
	if (count != node->count)
		return xa_bad(xa, node, base, "count does not match the slots in use");
	if (values != node->nr_values)
		return xa_bad(xa, node, base, "nr_values does not match the value entries");
	return 0;
}

int xa_check(const struct xarray *xa)
{
	const void *head = xa->xa_head;
	const struct xa_node *top;
	xa_mark_t mark;
	int err;

	if (!head) {
		if (xa->xa_flags & XA_FLAGS_MARK_MASK)
			return xa_bad(xa, NULL, 0, "an empty array has root mark flags");
		return 0;
	}
	if (!xa_is_node(head)) {
		if (xa_is_internal(head))
			return xa_bad(xa, NULL, 0, "xa_head is an internal entry");
		return 0;
	}
	top = xa_to_node(head);
	if (top->shift % XA_CHUNK_SHIFT || top->shift >= XA_BITS)
		return xa_bad(xa, top, 0, "the top node's shift is not a level");
	err = check_node(xa, top, NULL, 0, top->shift, 0);
	if (err)
		return err;
	if (top->count == 1 && top->slots[0])
		return xa_bad(xa, top, 0, "the top node holds slot 0 alone: not shrunk");
	for (mark = 0; mark < XA_MAX_MARKS; mark++)
		if (xa_marked(xa, mark) != (top->marks[mark] != 0))
			return xa_bad(xa, top, 0, "a root mark flag disagrees with the top node");
	return 0;
}
