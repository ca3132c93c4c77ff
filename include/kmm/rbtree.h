/*
 * include/kmm/rbtree.h - intrusive red-black trees with Linux's API.
 *
 * Mirrors Linux include/linux/rbtree.h (6.x, with rb_add/rb_find).  The tree
 * does no comparisons itself: the caller walks down to the insertion point,
 * links the node with rb_link_node() and rebalances with rb_insert_color(),
 * or lets rb_add()/rb_find() do the walk with a comparison callback.
 * Augmented trees (a per-subtree value kept up to date through rotations)
 * are in rbtree_augmented.h.
 *
 * A node's parent pointer and colour share __rb_parent_color: nodes are at
 * least 4-byte aligned, bit 0 is the colour (0 red, 1 black).  A node that is
 * in no tree can be marked with RB_CLEAR_NODE(), tested by RB_EMPTY_NODE().
 * Not thread safe: the caller holds whatever lock protects the tree.
 */
#ifndef KMM_RBTREE_H
#define KMM_RBTREE_H

#include <kmm/compiler.h>

#include <stdbool.h>
#include <stddef.h>

struct rb_node {
	unsigned long __rb_parent_color;	/* parent | colour bit */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));

struct rb_root {
	struct rb_node *rb_node;		/* NULL: empty tree */
};

/* A tree that also caches its leftmost (smallest) node for O(1) rb_first. */
struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;		/* NULL when empty */
};

#define RB_ROOT (struct rb_root) { NULL, }
#define RB_ROOT_CACHED (struct rb_root_cached) { { NULL, }, NULL }

#define rb_parent(r) ((struct rb_node *)((r)->__rb_parent_color & ~3UL))
#define rb_entry(ptr, type, member) container_of(ptr, type, member)

#define rb_entry_safe(ptr, type, member)                                      \
	({                                                                    \
		__typeof__(ptr) res_ptr_ = (ptr);                             \
		res_ptr_ ? rb_entry(res_ptr_, type, member) : NULL;           \
	})

#define RB_EMPTY_ROOT(root) (READ_ONCE((root)->rb_node) == NULL)

/* A node points at itself while it is in no tree (see RB_CLEAR_NODE). */
#define RB_EMPTY_NODE(node)                                                   \
	((node)->__rb_parent_color == (unsigned long)(node))
#define RB_CLEAR_NODE(node)                                                   \
	((node)->__rb_parent_color = (unsigned long)(node))

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);

/* In-order neighbours; NULL past either end or for a cleared node. */
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);

/* Post-order walk: children before parents, so nodes can be freed. */
struct rb_node *rb_first_postorder(const struct rb_root *root);
struct rb_node *rb_next_postorder(const struct rb_node *node);

/* Puts @new in @victim's place; both must sort the same. */
void rb_replace_node(struct rb_node *victim, struct rb_node *new,
		     struct rb_root *root);

/*
 * Checks the red-black rules on @root: root black, no red node with a red
 * child, every root-to-leaf path with the same number of black nodes, every
 * child's parent pointer naming its parent.  Returns that black height (0 for
 * an empty tree), or -1 with *@why naming the first broken rule.
 */
int rb_check_invariants(const struct rb_root *root, const char **why);

/* Links @node, red, as the child of @parent that *@rb_link was (NULL). */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **rb_link)
{
	node->__rb_parent_color = (unsigned long)parent;
	node->rb_left = NULL;
	node->rb_right = NULL;
	*rb_link = node;
}

/*
 * Iterates in post order with a lookahead, so @pos may be freed inside the
 * loop; the tree is not rebalanced, so this is for tearing a tree down.
 */
#define rbtree_postorder_for_each_entry_safe(pos, n, root, field)             \
	for ((pos) = rb_entry_safe(rb_first_postorder(root),                  \
				   __typeof__(*(pos)), field);                \
	     (pos) && ((n) = rb_entry_safe(rb_next_postorder(&(pos)->field), \
					   __typeof__(*(pos)), field), 1);    \
	     (pos) = (n))

/* ---- leftmost-cached trees --------------------------------------------- */

#define rb_first_cached(root) ((root)->rb_leftmost)

/* @leftmost: the caller's walk down never went right. */
static inline void rb_insert_color_cached(struct rb_node *node,
					  struct rb_root_cached *root,
					  bool leftmost)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_color(node, &root->rb_root);
}

/* Returns the new leftmost node if @node was the leftmost, else NULL. */
static inline struct rb_node *rb_erase_cached(struct rb_node *node,
					      struct rb_root_cached *root)
{
	struct rb_node *leftmost = NULL;

	if (root->rb_leftmost == node)
		leftmost = root->rb_leftmost = rb_next(node);
	rb_erase(node, &root->rb_root);
	return leftmost;
}

static inline void rb_replace_node_cached(struct rb_node *victim,
					  struct rb_node *new,
					  struct rb_root_cached *root)
{
	if (root->rb_leftmost == victim)
		root->rb_leftmost = new;
	rb_replace_node(victim, new, &root->rb_root);
}

/* ---- comparison-callback helpers (Linux 6.x) --------------------------- */

/*
 * Inserts @node after any equal nodes; @less(a, b) says a sorts before b.
 * Returns @node if it became the leftmost node, else NULL.
 */
static __always_inline struct rb_node *
rb_add_cached(struct rb_node *node, struct rb_root_cached *tree,
	      bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_root.rb_node;
	struct rb_node *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (less(node, parent)) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(node, parent, link);
	rb_insert_color_cached(node, tree, leftmost);
	return leftmost ? node : NULL;
}

static __always_inline void
rb_add(struct rb_node *node, struct rb_root *tree,
       bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node;
	struct rb_node *parent = NULL;

	while (*link) {
		parent = *link;
		if (less(node, parent))
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
}

/*
 * Inserts @node unless an equal node exists; @cmp(a, b) is <0, 0, >0 as a
 * sorts before, with, after b.  Returns the existing node, or NULL if @node
 * was inserted.
 */
static __always_inline struct rb_node *
rb_find_add(struct rb_node *node, struct rb_root *tree,
	    int (*cmp)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node;
	struct rb_node *parent = NULL;
	int c;

	while (*link) {
		parent = *link;
		c = cmp(node, parent);
		if (c < 0)
			link = &parent->rb_left;
		else if (c > 0)
			link = &parent->rb_right;
		else
			return parent;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
	return NULL;
}

/*
 * Finds a node matching @key; @cmp(key, node) is <0, 0, >0 as the key sorts
 * before, with, after the node.  With duplicates, any match may be returned.
 */
static __always_inline struct rb_node *
rb_find(const void *key, const struct rb_root *tree,
	int (*cmp)(const void *key, const struct rb_node *))
{
	struct rb_node *node = tree->rb_node;
	int c;

	while (node) {
		c = cmp(key, node);
		if (c < 0)
			node = node->rb_left;
		else if (c > 0)
			node = node->rb_right;
		else
			return node;
	}
	return NULL;
}

/* As rb_find(), but returns the leftmost (first in order) match. */
static __always_inline struct rb_node *
rb_find_first(const void *key, const struct rb_root *tree,
	      int (*cmp)(const void *key, const struct rb_node *))
{
	struct rb_node *node = tree->rb_node;
	struct rb_node *match = NULL;
	int c;

	while (node) {
		c = cmp(key, node);
		if (c <= 0) {
			if (!c)
				match = node;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return match;
}

/* The next node in order if it still matches @key, else NULL. */
static __always_inline struct rb_node *
rb_next_match(const void *key, struct rb_node *node,
	      int (*cmp)(const void *key, const struct rb_node *))
{
	node = rb_next(node);
	if (node && cmp(key, node))
		node = NULL;
	return node;
}

#define rb_for_each(node, key, tree, cmp)                                     \
	for ((node) = rb_find_first((key), (tree), (cmp)); (node);            \
	     (node) = rb_next_match((key), (node), (cmp)))

#endif /* KMM_RBTREE_H */
