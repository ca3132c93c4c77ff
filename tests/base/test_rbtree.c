/*
 * tests/base/test_rbtree.c - red-black trees: seeded random insert, erase and
 * replace through every entry point (plain and leftmost-cached), checked
 * after every step against a sorted-array model, rb_check_invariants() and
 * a height bound; then augmented trees (RB_DECLARE_CALLBACKS_MAX for a
 * "largest size below" value as vmalloc uses, RB_DECLARE_CALLBACKS for a
 * subtree count) whose values are recomputed by brute force after every
 * step.  Deliberately broken trees and callbacks show the checks can fail.
 */
#include <kmm/rbtree.h>
#include <kmm/rbtree_augmented.h>

#include <stdint.h>

#include "tests/harness.h"

/* ---- random numbers ---------------------------------------------------- */

/* rng_next, rng_below, rng_seed: tests/harness.h */

/* ---- keyed nodes and the sorted-array model ---------------------------- */

#define POOL 300

struct knode {
	struct rb_node rb;
	unsigned long key;
	int id;
	bool in_tree;
};

/* The tree under test and the ids it should hold, in order. */
struct rb_model {
	struct knode nodes[POOL];
	int order[POOL];
	int n;
	struct rb_root_cached root;	/* plain mode uses root.rb_root only */
	bool cached;
};

static bool knode_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct knode, rb)->key <
	       rb_entry(b, const struct knode, rb)->key;
}

static int knode_cmp(struct rb_node *a, const struct rb_node *b)
{
	unsigned long ka = rb_entry(a, struct knode, rb)->key;
	unsigned long kb = rb_entry(b, const struct knode, rb)->key;

	return ka < kb ? -1 : ka > kb;
}

static int key_cmp(const void *key, const struct rb_node *b)
{
	unsigned long ka = *(const unsigned long *)key;
	unsigned long kb = rb_entry(b, const struct knode, rb)->key;

	return ka < kb ? -1 : ka > kb;
}

static int knode_id(const struct rb_node *node)
{
	return rb_entry(node, const struct knode, rb)->id;
}

static unsigned long model_key(const struct rb_model *m, int pos)
{
	return m->nodes[m->order[pos]].key;
}

/* First position whose key is > @key (@after) or >= @key. */
static int model_bound(const struct rb_model *m, unsigned long key, bool after)
{
	int pos = 0;

	while (pos < m->n && (model_key(m, pos) < key ||
			      (after && model_key(m, pos) == key)))
		pos++;
	return pos;
}

static void model_insert(struct rb_model *m, int pos, int id)
{
	memmove(&m->order[pos + 1], &m->order[pos],
		(size_t)(m->n - pos) * sizeof(int));
	m->order[pos] = id;
	m->n++;
	m->nodes[id].in_tree = true;
}

static void model_remove(struct rb_model *m, int pos)
{
	m->nodes[m->order[pos]].in_tree = false;
	memmove(&m->order[pos], &m->order[pos + 1],
		(size_t)(m->n - pos - 1) * sizeof(int));
	m->n--;
}

static void model_init(struct rb_model *m, bool cached)
{
	memset(m, 0, sizeof(*m));
	m->root = RB_ROOT_CACHED;
	m->cached = cached;
	for (int i = 0; i < POOL; i++) {
		m->nodes[i].id = i;
		RB_CLEAR_NODE(&m->nodes[i].rb);
	}
}

static struct rb_root *model_root(struct rb_model *m)
{
	return &m->root.rb_root;
}

/* ---- whole-tree checks ------------------------------------------------- */

static int tree_height(const struct rb_node *node)
{
	int l, r;

	if (!node)
		return 0;
	l = tree_height(node->rb_left);
	r = tree_height(node->rb_right);
	return 1 + (l > r ? l : r);
}

/* Red-black trees are at most 2 * log2(n + 1) high. */
static bool height_ok(const struct rb_root *root, int n)
{
	int h = tree_height(root->rb_node), bound = 0;

	while ((1 << bound) < n + 1)
		bound++;		/* ceil(log2(n + 1)) */
	return h <= 2 * bound;
}

/* Walks the tree both ways; returns 0 or a code naming the mismatch. */
static int walk_differs(struct rb_model *m)
{
	struct rb_node *node = rb_first(model_root(m));
	int pos;

	for (pos = 0; node; pos++, node = rb_next(node))
		if (pos >= m->n || knode_id(node) != m->order[pos])
			return 1;
	if (pos != m->n)
		return 2;
	node = rb_last(model_root(m));
	for (pos = m->n - 1; node; pos--, node = rb_prev(node))
		if (pos < 0 || knode_id(node) != m->order[pos])
			return 3;
	if (pos != -1)
		return 4;
	if (m->cached && rb_first_cached(&m->root) != rb_first(model_root(m)))
		return 5;
	return 0;
}

/* Looks up @key with rb_find, rb_find_first and rb_for_each. */
static int lookup_differs(struct rb_model *m, unsigned long key)
{
	int first = model_bound(m, key, false), end = model_bound(m, key, true);
	struct rb_node *node = rb_find(&key, model_root(m), key_cmp);
	int count = 0;

	if ((node != NULL) != (first < end))
		return 1;
	if (node && rb_entry(node, struct knode, rb)->key != key)
		return 2;
	node = rb_find_first(&key, model_root(m), key_cmp);
	if ((node != NULL) != (first < end) ||
	    (node && knode_id(node) != m->order[first]))
		return 3;
	rb_for_each(node, &key, model_root(m), key_cmp)
		if (knode_id(node) != m->order[first + count++])
			return 4;
	return count == end - first ? 0 : 5;
}

/* Every check, after @step (unsigned long); fails the calling test. */
#define VERIFY(m, step)                                                       \
	do {                                                                  \
		const char *why_;                                             \
		int bad_;                                                     \
		unsigned long key_ = rng_below(2 * POOL);                     \
		if (rb_check_invariants(model_root(m), &why_) < 0)            \
			TEST_FAIL_("step %lu: %s", step, why_);               \
		if (!height_ok(model_root(m), (m)->n))                        \
			TEST_FAIL_("step %lu: tree too high", step);          \
		if ((bad_ = walk_differs(m)))                                 \
			TEST_FAIL_("step %lu: walk differs (%d)", step, bad_); \
		if ((bad_ = lookup_differs(m, key_)))                         \
			TEST_FAIL_("step %lu: lookup %lu differs (%d)", step, \
				   key_, bad_);                               \
	} while (0)

/* ---- operations through each entry point ------------------------------- */

/* The caller's own walk down, as most kernel code writes it. */
static void insert_by_hand(struct rb_model *m, struct knode *kn)
{
	struct rb_node **link = &model_root(m)->rb_node, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (kn->key < rb_entry(parent, struct knode, rb)->key) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&kn->rb, parent, link);
	if (m->cached)
		rb_insert_color_cached(&kn->rb, &m->root, leftmost);
	else
		rb_insert_color(&kn->rb, model_root(m));
}

/* Returns nonzero if an entry point's return value was wrong. */
static int op_insert(struct rb_model *m, struct knode *kn, unsigned int how)
{
	int pos = model_bound(m, kn->key, true);
	struct rb_node *ret;

	if (how == 2 && !m->cached) {
		ret = rb_find_add(&kn->rb, model_root(m), knode_cmp);
		if (pos > 0 && model_key(m, pos - 1) == kn->key)
			/* Rejected: the tree and @kn stay as they were. */
			return !ret || !RB_EMPTY_NODE(&kn->rb) ||
			       rb_entry(ret, struct knode, rb)->key != kn->key;
		if (ret)
			return 1;
	} else if (how == 1) {
		insert_by_hand(m, kn);
	} else if (m->cached) {
		ret = rb_add_cached(&kn->rb, &m->root, knode_less);
		if ((ret != NULL) != (pos == 0))
			return 1;
	} else {
		rb_add(&kn->rb, model_root(m), knode_less);
	}
	model_insert(m, pos, kn->id);
	return 0;
}

static int op_erase(struct rb_model *m, int pos)
{
	struct knode *kn = &m->nodes[m->order[pos]];
	struct rb_node *ret;

	if (!m->cached) {
		rb_erase(&kn->rb, model_root(m));
		RB_CLEAR_NODE(&kn->rb);
		model_remove(m, pos);
		return 0;
	}
	ret = rb_erase_cached(&kn->rb, &m->root);
	RB_CLEAR_NODE(&kn->rb);
	model_remove(m, pos);
	if (pos != 0)
		return ret != NULL;
	return ret != (m->n ? &m->nodes[m->order[0]].rb : NULL);
}

static void op_replace(struct rb_model *m, int pos, struct knode *kn)
{
	struct knode *victim = &m->nodes[m->order[pos]];

	kn->key = victim->key;
	if (m->cached)
		rb_replace_node_cached(&victim->rb, &kn->rb, &m->root);
	else
		rb_replace_node(&victim->rb, &kn->rb, model_root(m));
	RB_CLEAR_NODE(&victim->rb);
	victim->in_tree = false;
	kn->in_tree = true;
	m->order[pos] = kn->id;
}

/*
 * One random step.  The insert share swings between phases so that the tree
 * repeatedly grows large and drains to empty.
 */
static int random_rb_op(struct rb_model *m, unsigned long step)
{
	bool growing = (step / 1500) % 2 == 0;
	struct knode *kn = &m->nodes[rng_below(POOL)];
	unsigned long roll = rng_below(10);

	if (!kn->in_tree && roll < (growing ? 6u : 3u)) {
		kn->key = rng_below(2 * POOL);	/* duplicates happen */
		return op_insert(m, kn, (unsigned int)rng_below(3));
	}
	if (!m->n)
		return 0;
	if (!kn->in_tree && roll == 9) {
		op_replace(m, (int)rng_below((unsigned long)m->n), kn);
		return 0;
	}
	return op_erase(m, (int)rng_below((unsigned long)m->n));
}

static void run_random_model(bool cached)
{
	static struct rb_model m;
	unsigned long steps = 30000 * TEST_SCALE();
	struct knode *kn;

	rng_seed(TEST_SEED() + cached);
	model_init(&m, cached);
	for (unsigned long step = 0; step < steps; step++) {
		if (random_rb_op(&m, step))
			TEST_FAIL_("step %lu: wrong return value", step);
		VERIFY(&m, step);
		/* Erased and replaced nodes are cleared: RB_EMPTY_NODE agrees. */
		kn = &m.nodes[rng_below(POOL)];
		if (RB_EMPTY_NODE(&kn->rb) == kn->in_tree)
			TEST_FAIL_("step %lu: RB_EMPTY_NODE(%d)", step, kn->id);
	}
}

/* ---- tests: basic and exhaustive-order --------------------------------- */

TEST(rb_empty_tree)
{
	struct rb_root root = RB_ROOT;
	struct rb_root_cached croot = RB_ROOT_CACHED;
	struct knode kn = { .key = 7 };
	unsigned long key = 7;
	const char *why;

	ASSERT_TRUE(RB_EMPTY_ROOT(&root));
	ASSERT_NULL(rb_first(&root));
	ASSERT_NULL(rb_last(&root));
	ASSERT_NULL(rb_first_postorder(&root));
	ASSERT_NULL(rb_first_cached(&croot));
	ASSERT_NULL(rb_find(&key, &root, key_cmp));
	ASSERT_EQ(rb_check_invariants(&root, &why), 0);
	RB_CLEAR_NODE(&kn.rb);
	ASSERT_TRUE(RB_EMPTY_NODE(&kn.rb));
	ASSERT_NULL(rb_next(&kn.rb));
	ASSERT_NULL(rb_prev(&kn.rb));
	rb_add(&kn.rb, &root, knode_less);
	ASSERT_FALSE(RB_EMPTY_NODE(&kn.rb));
	ASSERT_FALSE(RB_EMPTY_ROOT(&root));
	ASSERT_NULL(rb_parent(&kn.rb));
	ASSERT_EQ(rb_check_invariants(&root, &why), 1);
	ASSERT_TRUE(rb_find(&key, &root, key_cmp) == &kn.rb);
	rb_erase(&kn.rb, &root);
	ASSERT_TRUE(RB_EMPTY_ROOT(&root));
}

/* Sorted input is the classic worst case for an unbalanced tree. */
TEST(rb_sequential_orders)
{
	static struct rb_model m;
	const char *why;

	for (int pattern = 0; pattern < 4; pattern++) {
		model_init(&m, pattern & 1);
		for (int i = 0; i < POOL; i++) {
			struct knode *kn = &m.nodes[i];

			kn->key = pattern < 2 ? (unsigned long)i :
						(unsigned long)(POOL - i);
			ASSERT_EQ(op_insert(&m, kn, (unsigned int)i % 2), 0);
			ASSERT_LE(0, rb_check_invariants(model_root(&m), &why));
		}
		ASSERT_TRUE(height_ok(model_root(&m), m.n));
		ASSERT_EQ(walk_differs(&m), 0);
		/* Drain from the front, the back, then the middle. */
		while (m.n) {
			int pos = m.n % 3 == 0 ? 0 :
				  m.n % 3 == 1 ? m.n - 1 : m.n / 2;

			ASSERT_EQ(op_erase(&m, pos), 0);
			ASSERT_LE(0, rb_check_invariants(model_root(&m), &why));
			ASSERT_EQ(walk_differs(&m), 0);
		}
		ASSERT_TRUE(RB_EMPTY_ROOT(model_root(&m)));
	}
}

TEST(rb_random_vs_model)
{
	run_random_model(false);
}

TEST(rb_cached_random_vs_model)
{
	run_random_model(true);
}

TEST(rb_find_add_rejects_duplicates)
{
	struct knode a = { .key = 5 }, b = { .key = 5 }, c = { .key = 6 };
	struct rb_root root = RB_ROOT;

	ASSERT_NULL(rb_find_add(&a.rb, &root, knode_cmp));
	ASSERT_TRUE(rb_find_add(&b.rb, &root, knode_cmp) == &a.rb);
	ASSERT_NULL(rb_find_add(&c.rb, &root, knode_cmp));
	ASSERT_TRUE(rb_first(&root) == &a.rb);
	ASSERT_TRUE(rb_next(&a.rb) == &c.rb);
	ASSERT_NULL(rb_next(&c.rb));
}

/* ---- post-order teardown ----------------------------------------------- */

struct pnode {
	struct rb_node rb;
	unsigned long key;
	bool visited;
};

static bool pnode_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct pnode, rb)->key <
	       rb_entry(b, const struct pnode, rb)->key;
}

static bool child_unvisited(const struct rb_node *child)
{
	return child && !rb_entry(child, const struct pnode, rb)->visited;
}

TEST(rb_postorder)
{
	struct rb_root root = RB_ROOT;
	struct pnode *pos, *n;
	struct rb_node *node;
	int count = 0, freed = 0, total = 200;

	rng_seed(TEST_SEED() + 7);
	rbtree_postorder_for_each_entry_safe(pos, n, &root, rb)
		count++;
	ASSERT_EQ(count, 0);
	for (int i = 0; i < total; i++) {
		pos = calloc(1, sizeof(*pos));
		ASSERT_NOT_NULL(pos);
		pos->key = rng_below(1000);
		rb_add(&pos->rb, &root, pnode_less);
	}
	/* Children come before their parent, and every node comes once. */
	for (node = rb_first_postorder(&root); node;
	     node = rb_next_postorder(node)) {
		pos = rb_entry(node, struct pnode, rb);
		ASSERT_FALSE(pos->visited);
		ASSERT_FALSE(child_unvisited(node->rb_left));
		ASSERT_FALSE(child_unvisited(node->rb_right));
		pos->visited = true;
		count++;
	}
	ASSERT_EQ(count, total);
	/* Freeing inside the loop is the point of _safe (ASan watches). */
	rbtree_postorder_for_each_entry_safe(pos, n, &root, rb) {
		free(pos);
		freed++;
	}
	ASSERT_EQ(freed, total);
}

/* ---- the checker itself must catch broken trees ------------------------ */

/* A red node below a non-root black parent, or NULL. */
static struct rb_node *find_red_grandchild(struct rb_node *node)
{
	struct rb_node *hit;

	if (!node)
		return NULL;
	if (rb_is_red(node) && rb_parent(node) && rb_parent(rb_parent(node)))
		return node;
	hit = find_red_grandchild(node->rb_left);
	return hit ? hit : find_red_grandchild(node->rb_right);
}

TEST(rb_checker_catches_breakage)
{
	static struct rb_model m;
	struct rb_node *root, *red, *parent;
	const char *why;
	int bh;

	model_init(&m, false);
	for (int i = 0; i < 64; i++) {
		m.nodes[i].key = (unsigned long)i;
		op_insert(&m, &m.nodes[i], 0);
	}
	root = model_root(&m)->rb_node;
	bh = rb_check_invariants(model_root(&m), &why);
	ASSERT_LE(1, bh);
	ASSERT_NULL(why);

	root->__rb_parent_color &= ~1UL;		/* root red */
	ASSERT_EQ(rb_check_invariants(model_root(&m), &why), -1);
	ASSERT_CONTAINS(why, "root");
	root->__rb_parent_color |= 1UL;

	red = find_red_grandchild(root);
	ASSERT_NOT_NULL(red);
	parent = rb_parent(red);
	parent->__rb_parent_color &= ~1UL;		/* red-red */
	ASSERT_EQ(rb_check_invariants(model_root(&m), &why), -1);
	ASSERT_NOT_NULL(why);
	parent->__rb_parent_color |= 1UL;

	red->__rb_parent_color |= 1UL;			/* an extra black */
	ASSERT_EQ(rb_check_invariants(model_root(&m), &why), -1);
	ASSERT_CONTAINS(why, "black heights");
	red->__rb_parent_color &= ~1UL;

	rb_set_parent(red, root);			/* not its parent */
	ASSERT_EQ(rb_check_invariants(model_root(&m), &why), -1);
	ASSERT_CONTAINS(why, "parent");
	rb_set_parent(red, parent);

	ASSERT_EQ(rb_check_invariants(model_root(&m), &why), bh);
	ASSERT_EQ(rb_check_invariants(model_root(&m), NULL), bh);
	ASSERT_EQ(walk_differs(&m), 0);
}

/* ---- augmented: largest size in the subtree (vmalloc's free-area tree) --- */

struct anode {
	struct rb_node rb;
	unsigned long start;		/* key */
	unsigned long size;		/* own value */
	unsigned long subtree_max_size;	/* augmented: max size below */
	unsigned long subtree_count;	/* second augmented value, see below */
	int id;
	bool in_tree;
};

static unsigned long anode_size(const struct anode *an)
{
	return an->size;
}

RB_DECLARE_CALLBACKS_MAX(static, max_cb, struct anode, rb, unsigned long,
			 subtree_max_size, anode_size);

/* A deliberately broken table: rotate forgets to recompute the old node. */
static void broken_rotate(struct rb_node *old, struct rb_node *new)
{
	max_cb_copy(old, new);
}

static const struct rb_augment_callbacks broken_max_cb = {
	.propagate = max_cb_propagate,
	.copy = max_cb_copy,
	.rotate = broken_rotate,
};

static bool anode_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct anode, rb)->start <
	       rb_entry(b, const struct anode, rb)->start;
}

#define APOOL 256

struct aug_model {
	struct anode nodes[APOOL];
	int order[APOOL];		/* ids sorted by start, ties by age */
	int n;
	struct rb_root_cached root;
	bool cached;
	const struct rb_augment_callbacks *cb;
};

static struct rb_root *aug_root(struct aug_model *m)
{
	return &m->root.rb_root;
}

static void aug_init(struct aug_model *m, bool cached,
		     const struct rb_augment_callbacks *cb)
{
	memset(m, 0, sizeof(*m));
	m->root = RB_ROOT_CACHED;
	m->cached = cached;
	m->cb = cb;
	for (int i = 0; i < APOOL; i++)
		m->nodes[i].id = i;
}

/* Brute force: the largest size in @node's subtree, checked on the way. */
static unsigned long max_check(const struct rb_node *node, int *bad)
{
	const struct anode *an;
	unsigned long l, r, max;

	if (!node)
		return 0;
	an = rb_entry(node, const struct anode, rb);
	l = max_check(node->rb_left, bad);
	r = max_check(node->rb_right, bad);
	max = an->size;
	if (l > max)
		max = l;
	if (r > max)
		max = r;
	if (an->subtree_max_size != max)
		(*bad)++;
	return max;
}

/* The manual insert: raise the maxima on the path, link, rebalance. */
static void aug_insert_by_hand(struct aug_model *m, struct anode *an)
{
	struct rb_node **link = &aug_root(m)->rb_node, *parent = NULL;
	bool leftmost = true;

	an->subtree_max_size = an->size;
	while (*link) {
		struct anode *p = rb_entry(*link, struct anode, rb);

		parent = *link;
		if (p->subtree_max_size < an->size)
			p->subtree_max_size = an->size;
		if (an->start < p->start) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&an->rb, parent, link);
	if (m->cached)
		rb_insert_augmented_cached(&an->rb, &m->root, leftmost, m->cb);
	else
		rb_insert_augmented(&an->rb, aug_root(m), m->cb);
}

static void aug_insert(struct aug_model *m, struct anode *an)
{
	int pos = 0;

	while (pos < m->n && m->nodes[m->order[pos]].start <= an->start)
		pos++;
	if (m->cached && rng_below(2)) {
		an->subtree_max_size = an->size;
		rb_add_augmented_cached(&an->rb, &m->root, anode_less, m->cb);
	} else {
		aug_insert_by_hand(m, an);
	}
	memmove(&m->order[pos + 1], &m->order[pos],
		(size_t)(m->n - pos) * sizeof(int));
	m->order[pos] = an->id;
	m->n++;
	an->in_tree = true;
}

static void aug_erase(struct aug_model *m, int pos)
{
	struct anode *an = &m->nodes[m->order[pos]];

	if (m->cached)
		rb_erase_augmented_cached(&an->rb, &m->root, m->cb);
	else
		rb_erase_augmented(&an->rb, aug_root(m), m->cb);
	memmove(&m->order[pos], &m->order[pos + 1],
		(size_t)(m->n - pos - 1) * sizeof(int));
	m->n--;
	an->in_tree = false;
}

/* Changes a node's own value in place, then propagates, as vmalloc does. */
static void aug_resize(struct aug_model *m, int pos, unsigned long size)
{
	struct anode *an = &m->nodes[m->order[pos]];

	an->size = size;
	m->cb->propagate(&an->rb, NULL);
}

static unsigned long subtree_max(const struct rb_node *node)
{
	return node ? rb_entry(node, const struct anode, rb)->subtree_max_size :
		      0;
}

/*
 * The lowest-start node with size >= @want, steered by the maxima alone,
 * as vmalloc's find_vmap_lowest_match() is.
 */
static struct anode *aug_lowest_fit(struct aug_model *m, unsigned long want)
{
	struct rb_node *node = aug_root(m)->rb_node;

	while (node) {
		struct anode *an = rb_entry(node, struct anode, rb);

		if (node->rb_left && subtree_max(node->rb_left) >= want)
			node = node->rb_left;
		else if (an->size >= want)
			return an;
		else if (subtree_max(node->rb_right) >= want)
			node = node->rb_right;
		else
			return NULL;
	}
	return NULL;
}

static int aug_model_fit(const struct aug_model *m, unsigned long want)
{
	for (int pos = 0; pos < m->n; pos++)
		if (m->nodes[m->order[pos]].size >= want)
			return m->order[pos];
	return -1;
}

/* Returns 0, or a code naming the first mismatch. */
static int aug_differs(struct aug_model *m)
{
	struct rb_node *node = rb_first(aug_root(m));
	unsigned long want = rng_below(1100);
	struct anode *fit;
	int pos, bad = 0;

	if (rb_check_invariants(aug_root(m), NULL) < 0)
		return 1;
	for (pos = 0; node; pos++, node = rb_next(node))
		if (pos >= m->n ||
		    rb_entry(node, struct anode, rb)->id != m->order[pos])
			return 2;
	if (pos != m->n)
		return 2;
	if (m->cached && rb_first_cached(&m->root) != rb_first(aug_root(m)))
		return 3;
	max_check(aug_root(m)->rb_node, &bad);
	if (bad)
		return 4;
	fit = aug_lowest_fit(m, want);
	if ((fit ? fit->id : -1) != aug_model_fit(m, want))
		return 5;
	return 0;
}

static void aug_random_op(struct aug_model *m, unsigned long step)
{
	bool growing = (step / 1000) % 2 == 0;
	struct anode *an = &m->nodes[rng_below(APOOL)];
	unsigned long roll = rng_below(10);

	if (!an->in_tree && roll < (growing ? 6u : 3u)) {
		an->start = rng_below(4 * APOOL);
		an->size = rng_below(1000);
		aug_insert(m, an);
	} else if (m->n && roll == 9) {
		aug_resize(m, (int)rng_below((unsigned long)m->n), rng_below(1000));
	} else if (m->n) {
		aug_erase(m, (int)rng_below((unsigned long)m->n));
	}
}

/* Runs random steps; returns the first failing step's code, or 0. */
static int aug_run(struct aug_model *m, unsigned long steps, unsigned long *at)
{
	int bad;

	for (*at = 0; *at < steps; (*at)++) {
		aug_random_op(m, *at);
		bad = aug_differs(m);
		if (bad)
			return bad;
	}
	return 0;
}

TEST(rb_augmented_max_vs_brute_force)
{
	static struct aug_model m;
	unsigned long steps = 20000 * TEST_SCALE(), at;
	int bad;

	for (int cached = 0; cached < 2; cached++) {
		rng_seed(TEST_SEED() + 11 + (unsigned long)cached);
		aug_init(&m, cached, &max_cb);
		bad = aug_run(&m, steps, &at);
		if (bad)
			TEST_FAIL_("cached=%d step %lu: mismatch %d", cached,
				   at, bad);
	}
}

/* The brute-force check must notice callbacks that skip a recompute. */
TEST(rb_augmented_check_catches_broken_rotate)
{
	static struct aug_model m;
	unsigned long at;

	rng_seed(TEST_SEED() + 13);
	aug_init(&m, false, &broken_max_cb);
	ASSERT_EQ(aug_run(&m, 20000, &at), 4);
}

/* ---- augmented: subtree sizes via the general RB_DECLARE_CALLBACKS ----- */

static unsigned long count_of(const struct rb_node *node)
{
	return node ? rb_entry(node, const struct anode, rb)->subtree_count : 0;
}

static bool count_compute(struct anode *an, bool stop_if_same)
{
	unsigned long count = 1 + count_of(an->rb.rb_left) +
			      count_of(an->rb.rb_right);

	if (stop_if_same && an->subtree_count == count)
		return true;
	an->subtree_count = count;
	return false;
}

RB_DECLARE_CALLBACKS(static, count_cb, struct anode, rb, subtree_count,
		     count_compute);

/* Brute force count, flagging nodes whose stored count is wrong. */
static unsigned long count_check(const struct rb_node *node, int *bad)
{
	unsigned long count;

	if (!node)
		return 0;
	count = 1 + count_check(node->rb_left, bad) +
		count_check(node->rb_right, bad);
	if (count != count_of(node))
		(*bad)++;
	return count;
}

/* The @k-th node in order (0-based), found with the counts alone. */
static struct anode *count_select(struct rb_root *root, unsigned long k)
{
	struct rb_node *node = root->rb_node;

	while (node) {
		unsigned long left = count_of(node->rb_left);

		if (k == left)
			return rb_entry(node, struct anode, rb);
		if (k < left) {
			node = node->rb_left;
		} else {
			k -= left + 1;
			node = node->rb_right;
		}
	}
	return NULL;
}

static void count_insert(struct aug_model *m, struct anode *an)
{
	struct rb_node **link = &aug_root(m)->rb_node, *parent = NULL;
	int pos = 0;

	while (pos < m->n && m->nodes[m->order[pos]].start <= an->start)
		pos++;
	an->subtree_count = 1;
	while (*link) {
		parent = *link;
		rb_entry(parent, struct anode, rb)->subtree_count++;
		if (an->start < rb_entry(parent, struct anode, rb)->start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&an->rb, parent, link);
	rb_insert_augmented(&an->rb, aug_root(m), &count_cb);
	memmove(&m->order[pos + 1], &m->order[pos],
		(size_t)(m->n - pos) * sizeof(int));
	m->order[pos] = an->id;
	m->n++;
	an->in_tree = true;
}

TEST(rb_augmented_count_vs_brute_force)
{
	static struct aug_model m;
	unsigned long steps = 20000 * TEST_SCALE();
	int bad = 0;

	rng_seed(TEST_SEED() + 17);
	aug_init(&m, false, &count_cb);
	for (unsigned long step = 0; step < steps; step++) {
		struct anode *an = &m.nodes[rng_below(APOOL)];
		bool growing = (step / 1000) % 2 == 0;

		if (!an->in_tree && rng_below(10) < (growing ? 6u : 3u)) {
			an->start = rng_below(4 * APOOL);
			count_insert(&m, an);
		} else if (m.n) {
			aug_erase(&m, (int)rng_below((unsigned long)m.n));
		}
		if (rb_check_invariants(aug_root(&m), NULL) < 0)
			TEST_FAIL_("step %lu: invariants", step);
		if (count_check(aug_root(&m)->rb_node, &bad) !=
		    (unsigned long)m.n || bad)
			TEST_FAIL_("step %lu: %d wrong counts", step, bad);
		for (int k = 0; k < m.n; k += 1 + m.n / 8) {
			struct anode *kth = count_select(aug_root(&m),
							 (unsigned long)k);

			if (kth->id != m.order[k])
				TEST_FAIL_("step %lu: select(%d)", step, k);
		}
	}
}

int main(void)
{
	RUN_TEST(rb_empty_tree);
	RUN_TEST(rb_sequential_orders);
	RUN_TEST(rb_random_vs_model);
	RUN_TEST(rb_cached_random_vs_model);
	RUN_TEST(rb_find_add_rejects_duplicates);
	RUN_TEST(rb_postorder);
	RUN_TEST(rb_checker_catches_breakage);
	RUN_TEST(rb_augmented_max_vs_brute_force);
	RUN_TEST(rb_augmented_check_catches_broken_rotate);
	RUN_TEST(rb_augmented_count_vs_brute_force);
	return harness_summary();
}
