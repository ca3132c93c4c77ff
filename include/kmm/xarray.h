/*
 * include/kmm/xarray.h - the xarray: a sparse array of pointers indexed by
 * unsigned long, with Linux's API (include/linux/xarray.h, 6.x).
 *
 * The array is a radix tree of 64-slot nodes.  An entry is a pointer whose
 * low two bits are 00, or a value entry (xa_mk_value(): an integer up to
 * LONG_MAX, bit 0 set), the form reclaim uses for shadow entries.  Entries
 * whose low bits are 10 are the tree's own (node links, errors): they cannot
 * be stored.  Every present entry has three marks (XA_MARK_0..2, the page
 * cache's DIRTY, WRITEBACK and TOWRITE tags); a node's mark bit for a slot is
 * set exactly when some entry below that slot has the mark, so marked
 * searches skip unmarked subtrees.
 *
 * Locking: xa_lock is a mutex inside the array (kmm keeps Linux's spinlocks
 * as adaptive mutexes).  The normal API (xa_load, xa_store, xa_set_mark...)
 * takes it; the __xa_* and xas_* functions expect the caller to hold it.
 * There is no RCU, so xa_load takes the lock too.
 *
 * Nodes come from the array's xa_node_ops (xa_init_ops), or from the host's
 * malloc/free when it has none: base/ allocates nothing from mm/ itself.
 * Not supported (yet): multi-index entries, reserved (zero) entries, xa_alloc.
 */
#ifndef KMM_XARRAY_H
#define KMM_XARRAY_H

#include <kmm/compiler.h>
#include <kmm/gfp.h>
#include <kmm/list.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>

/* ---- entries ------------------------------------------------------------ */

/* An integer as an entry; v must not exceed LONG_MAX. */
static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}

static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}

static inline bool xa_is_value(const void *entry)
{
	return (unsigned long)entry & 1;
}

/* The tree's own entries: low bits 10. */
static inline void *xa_mk_internal(unsigned long v)
{
	return (void *)((v << 2) | 2);
}

static inline unsigned long xa_to_internal(const void *entry)
{
	return (unsigned long)entry >> 2;
}

static inline bool xa_is_internal(const void *entry)
{
	return ((unsigned long)entry & 3) == 2;
}

#define XA_MAX_ERRNO 4095

/* An errno (negative) as an entry, as xa_store returns it. */
#define XA_ERROR(errno) ((struct xa_node *)xa_mk_internal((unsigned long)(long)(errno)))

static inline bool xa_is_err(const void *entry)
{
	return xa_is_internal(entry) &&
	       (unsigned long)entry >= (unsigned long)XA_ERROR(-XA_MAX_ERRNO);
}

/* The errno xa_store's result carries: -ENOMEM, -EINVAL..., or 0. */
static inline int xa_err(const void *entry)
{
	return xa_is_err(entry) ? (int)((long)entry >> 2) : 0;
}

/* ---- marks and flags ---------------------------------------------------- */

typedef unsigned int xa_mark_t;

#define XA_MARK_0	((xa_mark_t)0U)
#define XA_MARK_1	((xa_mark_t)1U)
#define XA_MARK_2	((xa_mark_t)2U)
#define XA_PRESENT	((xa_mark_t)8U)		/* xa_find's "any entry" filter */
#define XA_MARK_MAX	XA_MARK_2
#define XA_MAX_MARKS	3

/*
 * xa_flags: the locking flags are accepted for Linux's sake (one mutex
 * serves all contexts here); XA_FLAGS_ACCOUNT adds __GFP_ACCOUNT to node
 * allocations.  Above __GFP_BITS_SHIFT, one bit per mark says whether any
 * entry in the array has it.
 */
#define XA_FLAGS_LOCK_IRQ	((gfp_t)1U)
#define XA_FLAGS_LOCK_BH	((gfp_t)2U)
#define XA_FLAGS_ACCOUNT	((gfp_t)32U)
#define XA_FLAGS_MARK(mark)	((gfp_t)((1U << __GFP_BITS_SHIFT) << (unsigned int)(mark)))
#define XA_FLAGS_MARK_MASK	(XA_FLAGS_MARK(0) | XA_FLAGS_MARK(1) | XA_FLAGS_MARK(2))

/* ---- nodes -------------------------------------------------------------- */

#define XA_CHUNK_SHIFT	6
#define XA_CHUNK_SIZE	(1UL << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK	(XA_CHUNK_SIZE - 1)
/* Levels of a full tree: shifts 0, 6, ..., 60 cover 64 index bits. */
#define XA_MAX_HEIGHT	((int)DIV_ROUND_UP(sizeof(long) * CHAR_BIT, XA_CHUNK_SHIFT))

struct xarray;

/*
 * One level of the tree.  Slot i of a node of shift s covers the indices
 * whose bits s..s+5 are i; leaves (shift 0) hold entries, other nodes hold
 * links to their children.  576 bytes on 64-bit hosts, as in Linux.
 */
struct xa_node {
	unsigned char shift;		/* index bits below this level */
	unsigned char offset;		/* slot in parent (0 for the top) */
	unsigned char count;		/* non-NULL slots */
	unsigned char nr_values;	/* value entries among them (leaves) */
	struct xa_node *parent;		/* NULL for the top node */
	struct xarray *array;		/* the array it belongs to */
	struct list_head private_list;	/* the user's (workingset's shadow LRU) */
	void *slots[XA_CHUNK_SIZE];
	unsigned long marks[XA_MAX_MARKS];	/* bit i: slot i is (holds) marked */
};

#define XA_NODE_SIZE sizeof(struct xa_node)

/*
 * Where nodes come from: alloc returns XA_NODE_SIZE bytes (any contents;
 * the xarray initialises them) or NULL, free takes them back.  gfp is the
 * caller's, or GFP_NOWAIT | __GFP_NOWARN when the array's lock is held.
 * mm/ passes a "radix_tree_node" kmem_cache this way.
 */
struct xa_node_ops {
	void *(*alloc)(void *priv, gfp_t gfp);
	void (*free)(void *priv, void *node);
	void *priv;
};

/* Node links in slots and in xa_head: the node's address with bits 10. */
static inline bool xa_is_node(const void *entry)
{
	return xa_is_internal(entry) && (unsigned long)entry > 4096 && !xa_is_err(entry);
}

static inline struct xa_node *xa_to_node(const void *entry)
{
	return (struct xa_node *)((unsigned long)entry - 2);
}

static inline void *xa_mk_node(const struct xa_node *node)
{
	return (void *)((unsigned long)node | 2);
}

/* ---- the array ---------------------------------------------------------- */

struct xarray {
	pthread_mutex_t xa_lock;
	gfp_t xa_flags;			/* XA_FLAGS_*, the root's mark bits */
	void *xa_head;			/* NULL, the entry at 0, or the top node */
	const struct xa_node_ops *xa_ops;	/* NULL: malloc/free */
};

#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
#define XA_LOCK_INITIALIZER PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
#else
#define XA_LOCK_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#endif

#define XARRAY_INIT(name, flags) {					\
	.xa_lock = XA_LOCK_INITIALIZER,					\
	.xa_flags = (flags),						\
	.xa_head = NULL,						\
	.xa_ops = NULL,							\
}
#define DEFINE_XARRAY_FLAGS(name, flags) struct xarray name = XARRAY_INIT(name, flags)
#define DEFINE_XARRAY(name) DEFINE_XARRAY_FLAGS(name, 0)

void xa_init_ops(struct xarray *xa, gfp_t flags, const struct xa_node_ops *ops);

static inline void xa_init_flags(struct xarray *xa, gfp_t flags)
{
	xa_init_ops(xa, flags, NULL);
}

static inline void xa_init(struct xarray *xa)
{
	xa_init_flags(xa, 0);
}

#define xa_lock(xa)		pthread_mutex_lock(&(xa)->xa_lock)
#define xa_unlock(xa)		pthread_mutex_unlock(&(xa)->xa_lock)
#define xa_trylock(xa)		(pthread_mutex_trylock(&(xa)->xa_lock) == 0)
#define xa_lock_bh(xa)		xa_lock(xa)
#define xa_unlock_bh(xa)	xa_unlock(xa)
#define xa_lock_irq(xa)		xa_lock(xa)
#define xa_unlock_irq(xa)	xa_unlock(xa)
#define xa_lock_irqsave(xa, flags)	do { (flags) = 0; xa_lock(xa); } while (0)
#define xa_unlock_irqrestore(xa, flags)	do { (void)(flags); xa_unlock(xa); } while (0)

static inline bool xa_empty(const struct xarray *xa)
{
	return READ_ONCE(xa->xa_head) == NULL;
}

/* Whether any entry has @mark. */
static inline bool xa_marked(const struct xarray *xa, xa_mark_t mark)
{
	return READ_ONCE(xa->xa_flags) & XA_FLAGS_MARK(mark);
}

/* ---- the normal API: takes xa_lock ------------------------------------- */

void *xa_load(struct xarray *xa, unsigned long index);
/* Returns the old entry, or an xa_err() entry (-EINVAL, -ENOMEM) with the
 * array unchanged.  Storing NULL erases. */
void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *xa_erase(struct xarray *xa, unsigned long index);
/* Stores @entry if the entry at @index is @old; returns what was there. */
void *xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		 void *entry, gfp_t gfp);
/* 0, -EBUSY (occupied), -ENOMEM or -EINVAL (NULL or internal entry). */
int xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
/* Frees every node; the array is empty and usable again. */
void xa_destroy(struct xarray *xa);

bool xa_get_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);
/* Marks only present entries; storing NULL clears an index's marks. */
void xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);
void xa_clear_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);

/*
 * The first entry at or after *@indexp and at most @max that matches
 * @filter (XA_PRESENT or a mark); *@indexp is set to its index.  NULL,
 * and *@indexp untouched, when there is none.  xa_find_after looks
 * strictly after *@indexp.
 */
void *xa_find(struct xarray *xa, unsigned long *indexp, unsigned long max,
	      xa_mark_t filter);
void *xa_find_after(struct xarray *xa, unsigned long *indexp,
		    unsigned long max, xa_mark_t filter);

#define xa_for_each_range(xa, index, entry, start, last)		\
	for ((index) = (start),						\
	     (entry) = xa_find(xa, &(index), last, XA_PRESENT);		\
	     (entry);							\
	     (entry) = xa_find_after(xa, &(index), last, XA_PRESENT))
#define xa_for_each_start(xa, index, entry, start)			\
	xa_for_each_range(xa, index, entry, start, ULONG_MAX)
#define xa_for_each(xa, index, entry)					\
	xa_for_each_start(xa, index, entry, 0)
#define xa_for_each_marked(xa, index, entry, filter)			\
	for ((index) = 0,						\
	     (entry) = xa_find(xa, &(index), ULONG_MAX, filter);	\
	     (entry);							\
	     (entry) = xa_find_after(xa, &(index), ULONG_MAX, filter))

/* The same with xa_lock held by the caller (dropped while __xa_store and
 * friends allocate, when @gfp may block). */
void *__xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *__xa_erase(struct xarray *xa, unsigned long index);
void *__xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		   void *entry, gfp_t gfp);
int __xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void __xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);
void __xa_clear_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);

/*
 * Checks the tree: each node's shift, offset, parent and array, its
 * count and nr_values against its slots, marks only on present entries
 * and set in a parent exactly when set below, the root's mark flags, no
 * empty node and no top node that could be shrunk.  Returns 0, or -EINVAL
 * after reporting (kmm_report) what is wrong.  Caller holds xa_lock or
 * owns the array.
 */
int xa_check(const struct xarray *xa);

/* ---- the advanced API: caller holds xa_lock ---------------------------- */

typedef void (*xa_update_node_t)(struct xa_node *node);

/*
 * A cursor.  xa_node is a leaf (or interior node) and xa_offset the slot
 * there; NULL when the entry is xa_head itself; XAS_RESTART to walk from
 * the top on next use; XAS_BOUNDS past the end; an XA_ERROR() after a
 * failure.  xa_alloc chains (through ->parent) nodes kept for a retry.
 */
struct xa_state {
	struct xarray *xa;
	unsigned long xa_index;
	unsigned char xa_offset;
	struct xa_node *xa_node;
	struct xa_node *xa_alloc;
	xa_update_node_t xa_update;	/* told when a leaf's count changes */
};

#define XAS_BOUNDS	((struct xa_node *)xa_mk_internal(1))
#define XAS_RESTART	((struct xa_node *)xa_mk_internal(3))

#define XA_STATE(name, array, index)					\
	struct xa_state name = {					\
		.xa = (array),						\
		.xa_index = (index),					\
		.xa_offset = 0,						\
		.xa_node = XAS_RESTART,					\
		.xa_alloc = NULL,					\
		.xa_update = NULL,					\
	}

#define xas_lock(xas)		xa_lock((xas)->xa)
#define xas_unlock(xas)		xa_unlock((xas)->xa)
#define xas_lock_irq(xas)	xa_lock_irq((xas)->xa)
#define xas_unlock_irq(xas)	xa_unlock_irq((xas)->xa)
#define xas_lock_bh(xas)	xa_lock_bh((xas)->xa)
#define xas_unlock_bh(xas)	xa_unlock_bh((xas)->xa)
#define xas_lock_irqsave(xas, flags)	xa_lock_irqsave((xas)->xa, flags)
#define xas_unlock_irqrestore(xas, flags) xa_unlock_irqrestore((xas)->xa, flags)

static inline int xas_error(const struct xa_state *xas)
{
	return xa_err(xas->xa_node);
}

static inline void xas_set_err(struct xa_state *xas, long err)
{
	xas->xa_node = XA_ERROR(err);
}

/* An error, XAS_BOUNDS or XAS_RESTART: not positioned on a slot. */
static inline bool xas_invalid(const struct xa_state *xas)
{
	return (unsigned long)xas->xa_node & 3;
}

static inline bool xas_valid(const struct xa_state *xas)
{
	return !xas_invalid(xas);
}

/* Re-aims the cursor at @index (clearing any error). */
static inline void xas_set(struct xa_state *xas, unsigned long index)
{
	xas->xa_index = index;
	xas->xa_node = XAS_RESTART;
}

static inline void xas_reset(struct xa_state *xas)
{
	xas->xa_node = XAS_RESTART;
}

static inline void xas_set_update(struct xa_state *xas, xa_update_node_t update)
{
	xas->xa_update = update;
}

/* Linux retries entries a concurrent RCU walk met; there are none here. */
static inline bool xas_retry(struct xa_state *xas, const void *entry)
{
	(void)xas;
	(void)entry;
	return false;
}

void *xas_load(struct xa_state *xas);
/* A leaf holding only value entries goes, with them (workingset). */
void xa_delete_node(struct xa_node *node, xa_update_node_t update);
/* Returns the old entry; on failure (xas_error: -ENOMEM) the tree is
 * unchanged.  Storing NULL may free nodes: the cursor then restarts. */
void *xas_store(struct xa_state *xas, void *entry);
/* Next present entry at most @max: at xa_index after xas_set/xas_pause,
 * after the current index otherwise.  NULL (cursor XAS_BOUNDS) at the end. */
void *xas_find(struct xa_state *xas, unsigned long max);
void *xas_find_marked(struct xa_state *xas, unsigned long max, xa_mark_t mark);
/* The entry at xa_index + 1 (wrapping), present or not; and at - 1. */
void *xas_next(struct xa_state *xas);
void *xas_prev(struct xa_state *xas);
bool xas_get_mark(const struct xa_state *xas, xa_mark_t mark);
void xas_set_mark(const struct xa_state *xas, xa_mark_t mark);
void xas_clear_mark(const struct xa_state *xas, xa_mark_t mark);
/* Lets the caller drop xa_lock: the next find resumes after this entry. */
void xas_pause(struct xa_state *xas);
/*
 * After an -ENOMEM, allocates a node with @gfp (lock not held) and returns
 * true: call again.  Otherwise frees the nodes kept and returns false.
 */
bool xas_nomem(struct xa_state *xas, gfp_t gfp);

/* The next present entry after the current one, at most @max: a scan of
 * the current leaf, the full search (xas_find) past its end. */
static inline void *xas_next_entry(struct xa_state *xas, unsigned long max)
{
	struct xa_node *node = xas->xa_node;
	void *entry;

	if (unlikely(!node || xas_invalid(xas) || node->shift ||
		     xas->xa_offset != (xas->xa_index & XA_CHUNK_MASK)))
		return xas_find(xas, max);
	while (xas->xa_offset < XA_CHUNK_MASK && xas->xa_index < max) {
		xas->xa_offset++;
		xas->xa_index++;
		entry = node->slots[xas->xa_offset];
		if (entry)
			return entry;
	}
	return xas_find(xas, max);
}

#define xas_for_each(xas, entry, max)					\
	for ((entry) = xas_find(xas, max); (entry);			\
	     (entry) = xas_next_entry(xas, max))
#define xas_for_each_marked(xas, entry, max, mark)			\
	for ((entry) = xas_find_marked(xas, max, mark); (entry);	\
	     (entry) = xas_find_marked(xas, max, mark))

#endif /* KMM_XARRAY_H */
