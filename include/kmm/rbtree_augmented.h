/*
 * include/kmm/rbtree_augmented.h - red-black trees that keep a per-subtree
 * value (say, the largest free gap below a node) up to date through
 * insertion, erase and every rotation; plus the colour/parent helpers that
 * code manipulating nodes directly needs.
 *
 * Mirrors Linux include/linux/rbtree_augmented.h.  The callbacks:
 *   propagate(node, stop)  recompute node's value and its ancestors' values,
 *                          stopping before @stop (NULL: go up to the root);
 *                          may stop early once a value comes out unchanged.
 *   copy(old, new)         new takes old's place in the tree: new->value =
 *                          old->value (new's subtree is old's, give or take).
 *   rotate(old, new)       new has been rotated into old's place: new->value
 *                          = old->value, then recompute old's from its
 *                          (new) children.
 * RB_DECLARE_CALLBACKS() and RB_DECLARE_CALLBACKS_MAX() write all three.
 *
 * Insertion: the caller sets the new node's value, updates the values on the
 * path it walked down (or calls propagate(parent, NULL) after linking), links
 * the node and calls rb_insert_augmented().  Erase: rb_erase_augmented() does
 * everything.  Here the augmented entry points are out of line (base/rbtree.c)
 * and call the callbacks through the table; Linux inlines the erase.
 */
#ifndef KMM_RBTREE_AUGMENTED_H
#define KMM_RBTREE_AUGMENTED_H

#include <kmm/compiler.h>
#include <kmm/rbtree.h>

struct rb_augment_callbacks {
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	void (*copy)(struct rb_node *old, struct rb_node *new);
	void (*rotate)(struct rb_node *old, struct rb_node *new);
};

/* Rebalances after rb_link_node(); values on the path are already right. */
void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment);

/* Erases @node and brings every affected value up to date. */
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *augment);

static inline void
rb_insert_augmented_cached(struct rb_node *node, struct rb_root_cached *root,
			   bool newleft,
			   const struct rb_augment_callbacks *augment)
{
	if (newleft)
		root->rb_leftmost = node;
	rb_insert_augmented(node, &root->rb_root, augment);
}

static inline void
rb_erase_augmented_cached(struct rb_node *node, struct rb_root_cached *root,
			  const struct rb_augment_callbacks *augment)
{
	if (root->rb_leftmost == node)
		root->rb_leftmost = rb_next(node);
	rb_erase_augmented(node, &root->rb_root, augment);
}

/*
 * rb_add_cached() for augmented trees: the caller has set @node's own value;
 * the values of its new ancestors are brought up to date here.
 */
static __always_inline struct rb_node *
rb_add_augmented_cached(struct rb_node *node, struct rb_root_cached *tree,
			bool (*less)(struct rb_node *, const struct rb_node *),
			const struct rb_augment_callbacks *augment)
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
	augment->propagate(parent, NULL);
	rb_insert_augmented_cached(node, tree, leftmost, augment);
	return leftmost ? node : NULL;
}

/*
 * RB_DECLARE_CALLBACKS - define the callbacks table @rbname.
 * @rbcompute(node, stop_if_same) recomputes node->@rbaugmented from the node
 * and its children; with @stop_if_same it returns true, storing nothing, if
 * the value would not change, which lets propagate stop early.
 */
#define RB_DECLARE_CALLBACKS(rbstatic, rbname, rbstruct, rbfield,             \
			     rbaugmented, rbcompute)                          \
	static inline void rbname##_propagate(struct rb_node *rb,             \
					      struct rb_node *stop)           \
	{                                                                     \
		while (rb != stop) {                                          \
			rbstruct *node_ = rb_entry(rb, rbstruct, rbfield);    \
			if (rbcompute(node_, true))                           \
				break;                                        \
			rb = rb_parent(&node_->rbfield);                      \
		}                                                             \
	}                                                                     \
	static inline void rbname##_copy(struct rb_node *rb_old,              \
					 struct rb_node *rb_new)              \
	{                                                                     \
		rbstruct *old_ = rb_entry(rb_old, rbstruct, rbfield);         \
		rbstruct *new_ = rb_entry(rb_new, rbstruct, rbfield);         \
		new_->rbaugmented = old_->rbaugmented;                        \
	}                                                                     \
	static void rbname##_rotate(struct rb_node *rb_old,                   \
				    struct rb_node *rb_new)                   \
	{                                                                     \
		rbstruct *old_ = rb_entry(rb_old, rbstruct, rbfield);         \
		rbstruct *new_ = rb_entry(rb_new, rbstruct, rbfield);         \
		new_->rbaugmented = old_->rbaugmented;                        \
		rbcompute(old_, false);                                       \
	}                                                                     \
	rbstatic const struct rb_augment_callbacks rbname = {                 \
		.propagate = rbname##_propagate,                              \
		.copy = rbname##_copy,                                        \
		.rotate = rbname##_rotate,                                    \
	}

/*
 * RB_DECLARE_CALLBACKS_MAX - callbacks for "largest @rbcompute(node) in the
 * subtree" kept in node->@rbaugmented, of type @rbtype.  Also defines
 * @rbname##_compute_max(node, stop_if_same), which callers may use directly.
 */
#define RB_DECLARE_CALLBACKS_MAX(rbstatic, rbname, rbstruct, rbfield,         \
				 rbtype, rbaugmented, rbcompute)              \
	static inline bool rbname##_compute_max(rbstruct *node,               \
						bool stop_if_same)            \
	{                                                                     \
		rbstruct *child_;                                             \
		rbtype max_ = rbcompute(node);                                \
		if (node->rbfield.rb_left) {                                  \
			child_ = rb_entry(node->rbfield.rb_left, rbstruct,    \
					  rbfield);                           \
			if (child_->rbaugmented > max_)                       \
				max_ = child_->rbaugmented;                   \
		}                                                             \
		if (node->rbfield.rb_right) {                                 \
			child_ = rb_entry(node->rbfield.rb_right, rbstruct,   \
					  rbfield);                           \
			if (child_->rbaugmented > max_)                       \
				max_ = child_->rbaugmented;                   \
		}                                                             \
		if (stop_if_same && node->rbaugmented == max_)                \
			return true;                                          \
		node->rbaugmented = max_;                                     \
		return false;                                                 \
	}                                                                     \
	RB_DECLARE_CALLBACKS(rbstatic, rbname, rbstruct, rbfield,             \
			     rbaugmented, rbname##_compute_max)

/* ---- colour and parent helpers ----------------------------------------- */

#define RB_RED		0
#define RB_BLACK	1

#define __rb_parent(pc) ((struct rb_node *)((pc) & ~3UL))
#define __rb_color(pc) ((pc) & 1)
#define __rb_is_black(pc) __rb_color(pc)
#define __rb_is_red(pc) (!__rb_color(pc))
#define rb_color(rb) __rb_color((rb)->__rb_parent_color)
#define rb_is_red(rb) __rb_is_red((rb)->__rb_parent_color)
#define rb_is_black(rb) __rb_is_black((rb)->__rb_parent_color)

/* Keeps @rb's colour. */
static inline void rb_set_parent(struct rb_node *rb, struct rb_node *p)
{
	rb->__rb_parent_color = rb_color(rb) | (unsigned long)p;
}

static inline void rb_set_parent_color(struct rb_node *rb, struct rb_node *p,
				       int color)
{
	rb->__rb_parent_color = (unsigned long)p | (unsigned long)color;
}

/* Makes @new the child of @parent that @old was, or the root. */
static inline void __rb_change_child(struct rb_node *old, struct rb_node *new,
				     struct rb_node *parent,
				     struct rb_root *root)
{
	if (!parent)
		WRITE_ONCE(root->rb_node, new);
	else if (parent->rb_left == old)
		WRITE_ONCE(parent->rb_left, new);
	else
		WRITE_ONCE(parent->rb_right, new);
}

#endif /* KMM_RBTREE_AUGMENTED_H */
