/*
 * base/rbtree.c - red-black tree rebalancing (insert and erase fix-ups),
 * in-order and post-order walks, node replacement and the invariant checker.
 *
 * Mirrors Linux lib/rbtree.c in API and in what the augment callbacks see,
 * but is written as the textbook algorithm (Cormen et al., ch. 13) around a
 * single direction-free primitive, rotate_up(), which reports every rotation
 * to the augment callbacks.  The rules kept:
 *   1. every node is red or black; the root is black;
 *   2. a red node has no red child;
 *   3. every path from a node down to a NULL link meets as many black nodes.
 */
#include <kmm/rbtree_augmented.h>

static inline void rb_set_black(struct rb_node *rb)
{
	rb->__rb_parent_color |= RB_BLACK;
}

static inline void rb_set_red(struct rb_node *rb)
{
	rb->__rb_parent_color &= ~(unsigned long)RB_BLACK;
}

static inline void rb_set_color(struct rb_node *rb, unsigned long color)
{
	rb->__rb_parent_color = (rb->__rb_parent_color & ~1UL) | color;
}

/* NULL links count as black leaves. */
static inline bool rb_is_black_or_null(const struct rb_node *rb)
{
	return !rb || rb_is_black(rb);
}

/*
 * Rotates @child above its parent, on whichever side it is.  The in-order
 * sequence is unchanged and every node keeps its colour; the augment rotate
 * callback then fixes the two nodes whose subtrees changed.
 */
static void rotate_up(struct rb_node *child, struct rb_root *root,
		      const struct rb_augment_callbacks *aug)
{
	struct rb_node *node = rb_parent(child);
	struct rb_node *gparent = rb_parent(node);
	struct rb_node *inner;

	if (child == node->rb_right) {
		inner = child->rb_left;
		WRITE_ONCE(node->rb_right, inner);
		WRITE_ONCE(child->rb_left, node);
	} else {
		inner = child->rb_right;
		WRITE_ONCE(node->rb_left, inner);
		WRITE_ONCE(child->rb_right, node);
	}
	if (inner)
		rb_set_parent(inner, node);
	rb_set_parent(node, child);
	rb_set_parent(child, gparent);
	__rb_change_child(node, child, gparent, root);
	if (aug)
		aug->rotate(node, child);
}

/* ---- insertion --------------------------------------------------------- */

/*
 * Red @node under red @parent whose sibling (the uncle) is black: rotate
 * @node's branch up once or twice so the red pair hangs under a black node.
 */
static void insert_rotate(struct rb_node *node, struct rb_node *parent,
			  struct rb_node *gparent, struct rb_root *root,
			  const struct rb_augment_callbacks *aug)
{
	/* A zig-zag is first straightened so that @node is the outer child. */
	if ((node == parent->rb_right) != (parent == gparent->rb_right)) {
		rotate_up(node, root, aug);
		parent = node;
	}
	rotate_up(parent, root, aug);
	rb_set_black(parent);
	rb_set_red(gparent);
}

/* @node is linked red; restore rule 2, walking up while uncles are red. */
static void insert_fixup(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *aug)
{
	struct rb_node *parent, *gparent, *uncle;

	for (;;) {
		parent = rb_parent(node);
		if (!parent) {
			rb_set_black(node);
			return;
		}
		if (rb_is_black(parent))
			return;
		/* A red parent is never the root, so gparent exists. */
		gparent = rb_parent(parent);
		uncle = parent == gparent->rb_left ? gparent->rb_right :
						     gparent->rb_left;
		if (rb_is_black_or_null(uncle)) {
			insert_rotate(node, parent, gparent, root, aug);
			return;
		}
		/* Red uncle: push gparent's black down a level, retry there. */
		rb_set_black(parent);
		rb_set_black(uncle);
		rb_set_red(gparent);
		node = gparent;
	}
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	insert_fixup(node, root, NULL);
}

void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment)
{
	insert_fixup(node, root, augment);
}

/* ---- erase ------------------------------------------------------------- */

/*
 * Unlinks @node, which has at most one child.  Returns the parent of the
 * spot that is now one black short, or NULL if the rules still hold.
 */
static struct rb_node *erase_simple(struct rb_node *node, struct rb_root *root,
				    const struct rb_augment_callbacks *aug)
{
	struct rb_node *child = node->rb_left ? node->rb_left : node->rb_right;
	struct rb_node *parent = rb_parent(node);
	struct rb_node *rebalance = NULL;

	__rb_change_child(node, child, parent, root);
	if (child)
		/* A lone child is red under a black node: it takes over. */
		child->__rb_parent_color = node->__rb_parent_color;
	else if (rb_is_black(node))
		rebalance = parent;
	if (aug && parent)
		aug->propagate(parent, NULL);
	return rebalance;
}

/*
 * Unlinks @node, which has two children, by moving its in-order successor
 * (leftmost of the right subtree, no left child) into its place and colour.
 * Returns as erase_simple() does, for the successor's old spot.
 */
static struct rb_node *erase_two(struct rb_node *node, struct rb_root *root,
				 const struct rb_augment_callbacks *aug)
{
	struct rb_node *succ = node->rb_right;
	struct rb_node *parent, *child;
	bool succ_was_black;

	while (succ->rb_left)
		succ = succ->rb_left;
	child = succ->rb_right;
	succ_was_black = rb_is_black(succ);
	if (succ == node->rb_right) {
		parent = succ;		/* succ keeps its right subtree */
	} else {
		parent = rb_parent(succ);
		WRITE_ONCE(parent->rb_left, child);
		succ->rb_right = node->rb_right;
		rb_set_parent(node->rb_right, succ);
	}
	succ->rb_left = node->rb_left;
	rb_set_parent(node->rb_left, succ);
	succ->__rb_parent_color = node->__rb_parent_color;
	__rb_change_child(node, succ, rb_parent(node), root);
	if (child)
		rb_set_parent_color(child, parent, RB_BLACK);
	if (aug) {
		/* succ's subtree is node's minus node: start from its value. */
		aug->copy(node, succ);
		if (parent != succ)
			aug->propagate(parent, succ);
		aug->propagate(succ, NULL);
	}
	return !child && succ_was_black ? parent : NULL;
}

/*
 * One step of the erase fix-up: the subtree hanging from @parent where
 * @node is (black, or NULL) has one black node fewer than its sibling's.
 * Returns the node now carrying the deficit, or NULL when it is resolved.
 * The sibling is never NULL: its side holds at least one more black node.
 */
static struct rb_node *erase_fixup_step(struct rb_node *node,
					struct rb_node *parent,
					struct rb_root *root,
					const struct rb_augment_callbacks *aug)
{
	bool left = node == parent->rb_left;
	struct rb_node *sibling = left ? parent->rb_right : parent->rb_left;
	struct rb_node *near, *far;

	if (rb_is_red(sibling)) {
		/* Turn a red sibling into a black one by rotating it up. */
		rotate_up(sibling, root, aug);
		rb_set_black(sibling);
		rb_set_red(parent);
		sibling = left ? parent->rb_right : parent->rb_left;
	}
	near = left ? sibling->rb_left : sibling->rb_right;
	far = left ? sibling->rb_right : sibling->rb_left;
	if (rb_is_black_or_null(near) && rb_is_black_or_null(far)) {
		/* Take a black from the sibling's side too: parent is short. */
		rb_set_red(sibling);
		if (rb_is_black(parent))
			return parent;
		rb_set_black(parent);
		return NULL;
	}
	if (rb_is_black_or_null(far)) {
		/*
		 * Red near nephew, black far one: rotate the near nephew up
		 * into the sibling's place.  No recolouring here: the step
		 * below gives both nodes their final colours.
		 */
		rotate_up(near, root, aug);
		far = sibling;
		sibling = near;
	}
	/* Red far nephew: the sibling moves up, giving @node's side a black. */
	rotate_up(sibling, root, aug);
	rb_set_color(sibling, rb_color(parent));
	rb_set_black(parent);
	rb_set_black(far);
	return NULL;
}

static void erase_fixup(struct rb_node *parent, struct rb_root *root,
			const struct rb_augment_callbacks *aug)
{
	struct rb_node *node = NULL;

	/* A deficit that reaches the root is shared by every path: done. */
	do {
		node = erase_fixup_step(node, parent, root, aug);
	} while (node && (parent = rb_parent(node)));
}

static void __rb_erase(struct rb_node *node, struct rb_root *root,
		       const struct rb_augment_callbacks *aug)
{
	struct rb_node *rebalance;

	if (node->rb_left && node->rb_right)
		rebalance = erase_two(node, root, aug);
	else
		rebalance = erase_simple(node, root, aug);
	if (rebalance)
		erase_fixup(rebalance, root, aug);
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
	__rb_erase(node, root, NULL);
}

void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *augment)
{
	__rb_erase(node, root, augment);
}

/* ---- walks and replacement --------------------------------------------- */

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_left)
		n = n->rb_left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	if (!n)
		return NULL;
	while (n->rb_right)
		n = n->rb_right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *n, *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_right) {
		n = node->rb_right;
		while (n->rb_left)
			n = n->rb_left;
		return n;
	}
	/* Climb while we are a right child: those ancestors come before us. */
	while ((parent = rb_parent(node)) && node == parent->rb_right)
		node = parent;
	return parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *n, *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_left) {
		n = node->rb_left;
		while (n->rb_right)
			n = n->rb_right;
		return n;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_left)
		node = parent;
	return parent;
}

/* The first node in post order below @node: go down, left if possible. */
static struct rb_node *rb_left_deepest(const struct rb_node *node)
{
	for (;;) {
		if (node->rb_left)
			node = node->rb_left;
		else if (node->rb_right)
			node = node->rb_right;
		else
			return (struct rb_node *)node;
	}
}

struct rb_node *rb_first_postorder(const struct rb_root *root)
{
	if (!root->rb_node)
		return NULL;
	return rb_left_deepest(root->rb_node);
}

struct rb_node *rb_next_postorder(const struct rb_node *node)
{
	struct rb_node *parent;

	if (!node)
		return NULL;
	parent = rb_parent(node);
	/* From a left child, the right sibling's subtree comes next. */
	if (parent && node == parent->rb_left && parent->rb_right)
		return rb_left_deepest(parent->rb_right);
	return parent;
}

void rb_replace_node(struct rb_node *victim, struct rb_node *new,
		     struct rb_root *root)
{
	struct rb_node *parent = rb_parent(victim);

	*new = *victim;
	if (victim->rb_left)
		rb_set_parent(victim->rb_left, new);
	if (victim->rb_right)
		rb_set_parent(victim->rb_right, new);
	__rb_change_child(victim, new, parent, root);
}

/* ---- invariant checker ------------------------------------------------- */

/* Returns the black height of @node's subtree, or -1 with *@why set. */
static int check_subtree(const struct rb_node *node,
			 const struct rb_node *parent, const char **why)
{
	int left, right;

	if (!node)
		return 0;
	if (rb_parent(node) != parent) {
		*why = "a node's parent pointer does not name its parent";
		return -1;
	}
	if (node->__rb_parent_color & 2UL) {
		*why = "stray bit 1 set in __rb_parent_color";
		return -1;
	}
	if (node->rb_left && node->rb_left == node->rb_right) {
		*why = "a node is linked as both children of its parent";
		return -1;
	}
	if (rb_is_red(node) && parent && rb_is_red(parent)) {
		*why = "a red node has a red child";
		return -1;
	}
	left = check_subtree(node->rb_left, node, why);
	if (left < 0)
		return -1;
	right = check_subtree(node->rb_right, node, why);
	if (right < 0)
		return -1;
	if (left != right) {
		*why = "black heights of sibling subtrees differ";
		return -1;
	}
	return left + (int)rb_is_black(node);
}

int rb_check_invariants(const struct rb_root *root, const char **why)
{
	const struct rb_node *n = root->rb_node;
	const char *ignored;

	if (!why)
		why = &ignored;
	*why = NULL;
	if (n && rb_is_red(n)) {
		*why = "the root is red";
		return -1;
	}
	return check_subtree(n, NULL, why);
}
