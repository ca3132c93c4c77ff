/*
 * tests/base/test_xarray.c - the xarray: seeded random store, erase,
 * cmpxchg, insert and marks over a model (a sorted table of keys from
 * index 0 to ULONG_MAX), checked after every step with xa_check(), the
 * node count and the model; iteration order of xa_find / xa_for_each* and
 * the xas_* cursor (pause, store during a walk, next/prev, the update
 * hook); value entries; allocation counting and failure injection through
 * the node ops hook; deliberately corrupted trees that xa_check must catch.
 */
#include <kmm/kmm.h>
#include <kmm/xarray.h>

#include <limits.h>

#include "tests/harness.h"

/* ---- a counting, failing node allocator -------------------------------- */

struct node_pool {
	long calls;		/* alloc calls so far */
	long live;		/* allocated and not freed */
	long fail_nth;		/* that call fails (0: none) */
	long fail_from;		/* that call and all later ones fail (0: none) */
	bool fail_atomic;	/* calls that may not block fail */
	gfp_t last_gfp;
};

static void *pool_alloc(void *priv, gfp_t gfp)
{
	struct node_pool *p = priv;
	void *node;

	p->calls++;
	p->last_gfp = gfp;
	if (p->calls == p->fail_nth || (p->fail_from && p->calls >= p->fail_from))
		return NULL;
	if (p->fail_atomic && !gfpflags_allow_blocking(gfp))
		return NULL;
	node = malloc(XA_NODE_SIZE);
	if (node) {
		memset(node, 0xa5, XA_NODE_SIZE);	/* the xarray must initialise it */
		p->live++;
	}
	return node;
}

static void pool_free(void *priv, void *node)
{
	struct node_pool *p = priv;

	p->live--;
	free(node);
}

static struct node_pool pool;
static const struct xa_node_ops pool_ops = {
	.alloc = pool_alloc, .free = pool_free, .priv = &pool,
};

static void pool_reset(void)
{
	memset(&pool, 0, sizeof(pool));
}

static void pool_fail(long nth, long from)
{
	pool.calls = 0;
	pool.fail_nth = nth;
	pool.fail_from = from;
}

static long count_nodes_below(const struct xa_node *node)
{
	long n = 1;
	unsigned int i;

	for (i = 0; node->shift && i < XA_CHUNK_SIZE; i++)
		if (node->slots[i])
			n += count_nodes_below(xa_to_node(node->slots[i]));
	return n;
}

static long count_nodes(const struct xarray *xa)
{
	return xa_is_node(xa->xa_head) ? count_nodes_below(xa_to_node(xa->xa_head)) : 0;
}

static struct xa_node *top_node(const struct xarray *xa)
{
	return xa_is_node(xa->xa_head) ? xa_to_node(xa->xa_head) : NULL;
}

/* The leaf that holds @index (NULL if none). */
static struct xa_node *leaf_of(const struct xarray *xa, unsigned long index)
{
	struct xa_node *node = top_node(xa);

	while (node && node->shift) {
		void *e = node->slots[(index >> node->shift) & XA_CHUNK_MASK];

		node = e ? xa_to_node(e) : NULL;
	}
	return node;
}

/* ---- report capture ----------------------------------------------------- */

static char last_report[1024];
static int nr_reports;

static void capture_report(const char *report, void *arg)
{
	(void)arg;
	nr_reports++;
	snprintf(last_report, sizeof(last_report), "%s", report);
}

/* ---- the model ---------------------------------------------------------- */

#define POOL 256
#define NMARKS 3

static long objects[64];		/* pointer entries point here */

struct model {
	unsigned long key[POOL];	/* sorted, distinct */
	void *val[POOL];
	bool mark[POOL][NMARKS];
};

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static unsigned long random_key(void)
{
	switch (rng_below(7)) {
	case 0: return rng_below(64);
	case 1: return rng_below(4096);
	case 2: return rng_below(1UL << 20);
	case 3: return rng_next() & ((1UL << 40) - 1);
	case 4: return ULONG_MAX - rng_below(200);
	case 5: return (1UL << 63) + rng_below(100);
	default: return rng_next();
	}
}

static void model_init(struct model *m)
{
	unsigned int i, j;

	memset(m, 0, sizeof(*m));
	m->key[0] = 0;			/* index 0 and ULONG_MAX always in play */
	m->key[1] = ULONG_MAX;
	for (i = 2; i < POOL;) {
		unsigned long k = random_key();

		for (j = 0; j < i && m->key[j] != k; j++)
			;
		if (j == i)
			m->key[i++] = k;
	}
	qsort(m->key, POOL, sizeof(m->key[0]), cmp_ulong);
}

static void *random_entry(void)
{
	if (rng_below(3) == 0)
		return xa_mk_value(rng_below(LONG_MAX));
	return &objects[rng_below(ARRAY_SIZE(objects))];
}

/* The smallest top-node shift that covers @index. */
static unsigned int want_shift(unsigned long index)
{
	unsigned int shift = 0;

	while (shift < 60 && (index >> shift) > XA_CHUNK_MASK)
		shift += XA_CHUNK_SHIFT;
	return shift;
}

/* Everything the xarray says agrees with the model; 0 or the failing line. */
static int model_compare(struct xarray *xa, const struct model *m, bool full)
{
	unsigned long index, max_key = 0;
	unsigned int i, k, n = 0;
	xa_mark_t mark;
	void *entry;

	if (xa_check(xa))
		return __LINE__;
	if (pool.live != count_nodes(xa))
		return __LINE__;
	for (i = 0; i < POOL; i++) {
		if (xa_load(xa, m->key[i]) != m->val[i])
			return __LINE__;
		for (mark = 0; mark < NMARKS; mark++)
			if (xa_get_mark(xa, m->key[i], mark) != m->mark[i][mark])
				return __LINE__;
		if (m->val[i]) {
			n++;
			max_key = m->key[i];
		}
	}
	if (xa_empty(xa) != (n == 0))
		return __LINE__;
	if (top_node(xa) && top_node(xa)->shift != want_shift(max_key))
		return __LINE__;
	if (!top_node(xa) && n && max_key != 0)
		return __LINE__;
	if (!full)
		return 0;
	i = 0;
	xa_for_each(xa, index, entry) {
		while (i < POOL && !m->val[i])
			i++;
		if (i == POOL || index != m->key[i] || entry != m->val[i])
			return __LINE__;
		i++;
	}
	while (i < POOL && !m->val[i])
		i++;
	if (i != POOL)
		return __LINE__;
	for (mark = 0; mark < NMARKS; mark++) {
		bool any = false;

		k = 0;
		xa_for_each_marked(xa, index, entry, mark) {
			while (k < POOL && !m->mark[k][mark])
				k++;
			if (k == POOL || index != m->key[k] || entry != m->val[k])
				return __LINE__;
			k++;
			any = true;
		}
		while (k < POOL && !m->mark[k][mark])
			k++;
		if (k != POOL || xa_marked(xa, mark) != any)
			return __LINE__;
	}
	return 0;
}

/* A random xa_find / xa_find_after against a scan of the model. */
static int model_find(struct xarray *xa, const struct model *m)
{
	unsigned long start = rng_below(2) ? m->key[rng_below(POOL)] : random_key();
	unsigned long max = rng_below(4) ? ULONG_MAX : start + rng_below(1UL << 30);
	xa_mark_t filter = rng_below(2) ? XA_PRESENT : (xa_mark_t)rng_below(NMARKS);
	bool after = rng_below(2);
	unsigned long index = start;
	unsigned int i;
	void *entry;

	if (max < start)
		max = ULONG_MAX;
	entry = after ? xa_find_after(xa, &index, max, filter) : xa_find(xa, &index, max, filter);
	for (i = 0; i < POOL; i++) {
		unsigned long k = m->key[i];

		if (k < start || (after && k == start) || k > max || !m->val[i])
			continue;
		if (filter != XA_PRESENT && !m->mark[i][filter])
			continue;
		return entry == m->val[i] && index == k ? 0 : __LINE__;
	}
	return entry == NULL && index == start ? 0 : __LINE__;
}

/* One random operation on tree and model; 0 or a failing line. */
static int model_step(struct xarray *xa, struct model *m)
{
	unsigned int i = (unsigned int)rng_below(POOL), mk;
	unsigned long key = m->key[i];
	void *entry = random_entry(), *ret;
	int err;

	switch (rng_below(10)) {
	case 0: case 1: case 2:
		if (rng_below(10) == 0)
			entry = NULL;
		ret = xa_store(xa, key, entry, GFP_KERNEL);
		if (ret != m->val[i])
			return __LINE__;
		m->val[i] = entry;
		if (!entry)
			memset(m->mark[i], 0, sizeof(m->mark[i]));
		return 0;
	case 3: case 4:
		if (xa_erase(xa, key) != m->val[i])
			return __LINE__;
		m->val[i] = NULL;
		memset(m->mark[i], 0, sizeof(m->mark[i]));
		return 0;
	case 5:
		mk = (unsigned int)rng_below(NMARKS);
		xa_set_mark(xa, key, mk);
		if (m->val[i])
			m->mark[i][mk] = true;
		return 0;
	case 6:
		mk = (unsigned int)rng_below(NMARKS);
		xa_clear_mark(xa, key, mk);
		m->mark[i][mk] = false;
		return 0;
	case 7: {
		void *old = rng_below(2) ? m->val[i] : random_entry();

		ret = xa_cmpxchg(xa, key, old, entry, GFP_KERNEL);
		if (ret != m->val[i])
			return __LINE__;
		if (old == m->val[i])
			m->val[i] = entry;
		return 0;
	}
	case 8:
		err = xa_insert(xa, key, entry, GFP_KERNEL);
		if (err != (m->val[i] ? -EBUSY : 0))
			return __LINE__;
		if (!m->val[i])
			m->val[i] = entry;
		return 0;
	default:
		return model_find(xa, m);
	}
}

TEST(test_random_against_model)
{
	unsigned long steps = 3000 * TEST_SCALE(), s;
	static struct model m;
	struct xarray xa;
	unsigned int i;
	int line;

	pool_reset();
	rng_seed(TEST_SEED());
	model_init(&m);
	xa_init_ops(&xa, 0, &pool_ops);
	for (s = 0; s < steps; s++) {
		line = model_step(&xa, &m);
		if (!line)
			line = model_compare(&xa, &m, s % 16 == 0);
		if (line)
			TEST_FAIL_("step %lu: model check at line %d", s, line);
	}
	/* Erase all in random order: the tree shrinks to nothing. */
	for (i = 0; i < POOL; i++) {
		unsigned int j = (unsigned int)((i * 97 + 13) % POOL);

		ASSERT_TRUE(xa_erase(&xa, m.key[j]) == m.val[j]);
		m.val[j] = NULL;
		memset(m.mark[j], 0, sizeof(m.mark[j]));
		ASSERT_EQ(model_compare(&xa, &m, i % 32 == 0), 0);
	}
	ASSERT_TRUE(xa_empty(&xa));
	ASSERT_EQ(pool.live, 0);
	for (i = 0; i < NMARKS; i++)
		ASSERT_FALSE(xa_marked(&xa, i));
}

/* ---- plain semantics ---------------------------------------------------- */

static DEFINE_XARRAY(static_xa);

TEST(test_basic_semantics)
{
	unsigned long flags;
	void *p = &objects[1], *q = &objects[2];

	ASSERT_TRUE(xa_empty(&static_xa));
	ASSERT_NULL(xa_load(&static_xa, 0));
	ASSERT_NULL(xa_store(&static_xa, 0, p, GFP_KERNEL));
	ASSERT_FALSE(xa_empty(&static_xa));
	ASSERT_FALSE(xa_is_node(static_xa.xa_head));	/* index 0 alone: in the head */
	ASSERT_TRUE(xa_store(&static_xa, 0, q, GFP_KERNEL) == p);
	ASSERT_NULL(xa_store(&static_xa, 1, p, GFP_KERNEL));
	ASSERT_TRUE(xa_is_node(static_xa.xa_head));
	ASSERT_EQ(xa_check(&static_xa), 0);
	ASSERT_TRUE(xa_erase(&static_xa, 1) == p);
	ASSERT_FALSE(xa_is_node(static_xa.xa_head));	/* shrunk back */
	ASSERT_NULL(xa_erase(&static_xa, 1));
	ASSERT_NULL(xa_store(&static_xa, 7, NULL, GFP_KERNEL));	/* NULL: erase */

	/* cmpxchg: stores only on a match, returns what was there. */
	ASSERT_TRUE(xa_cmpxchg(&static_xa, 0, p, NULL, GFP_KERNEL) == q);
	ASSERT_TRUE(xa_load(&static_xa, 0) == q);
	ASSERT_TRUE(xa_cmpxchg(&static_xa, 0, q, p, GFP_KERNEL) == q);
	ASSERT_TRUE(xa_load(&static_xa, 0) == p);
	ASSERT_NULL(xa_cmpxchg(&static_xa, 99, NULL, q, GFP_KERNEL));
	ASSERT_TRUE(xa_load(&static_xa, 99) == q);

	/* insert: only into an empty slot, never NULL or internal entries. */
	ASSERT_EQ(xa_insert(&static_xa, 99, p, GFP_KERNEL), -EBUSY);
	ASSERT_EQ(xa_insert(&static_xa, 100, p, GFP_KERNEL), 0);
	ASSERT_EQ(xa_insert(&static_xa, 101, NULL, GFP_KERNEL), -EINVAL);
	ASSERT_EQ(xa_insert(&static_xa, 101, xa_mk_internal(7), GFP_KERNEL), -EINVAL);
	ASSERT_EQ(xa_err(xa_store(&static_xa, 5, xa_mk_internal(7), GFP_KERNEL)), -EINVAL);
	ASSERT_EQ(xa_err(xa_cmpxchg(&static_xa, 5, NULL, xa_mk_internal(1), GFP_KERNEL)), -EINVAL);
	ASSERT_NULL(xa_load(&static_xa, 5));
	ASSERT_EQ(xa_err(p), 0);
	ASSERT_FALSE(xa_is_err(xa_mk_value(3)));

	/* The lock macros build and pair up. */
	xa_lock_irqsave(&static_xa, flags);
	ASSERT_TRUE(__xa_erase(&static_xa, 100) == p);
	xa_unlock_irqrestore(&static_xa, flags);
	xa_lock_irq(&static_xa);
	ASSERT_NULL(__xa_store(&static_xa, 100, q, GFP_NOWAIT));
	xa_unlock_irq(&static_xa);
	ASSERT_EQ(xa_check(&static_xa), 0);
	xa_destroy(&static_xa);
	ASSERT_TRUE(xa_empty(&static_xa));
}

TEST(test_value_entries)
{
	struct xarray xa;
	struct xa_node *leaf;
	unsigned long i;
	void *e;

	pool_reset();
	xa_init_ops(&xa, 0, &pool_ops);
	ASSERT_TRUE(xa_is_value(xa_mk_value(0)));
	ASSERT_FALSE(xa_is_value(&objects[0]));
	ASSERT_FALSE(xa_is_internal(xa_mk_value(LONG_MAX)));
	ASSERT_EQ(xa_to_value(xa_mk_value(LONG_MAX)), LONG_MAX);
	for (i = 0; i < 64; i++)
		ASSERT_NULL(xa_store(&xa, i, i % 2 ? xa_mk_value(i * 1000) : (void *)&objects[i],
				     GFP_KERNEL));
	ASSERT_NULL(xa_store(&xa, 1000, xa_mk_value(LONG_MAX), GFP_KERNEL));
	ASSERT_EQ(xa_check(&xa), 0);
	leaf = leaf_of(&xa, 0);
	ASSERT_NOT_NULL(leaf);
	ASSERT_EQ(leaf->count, 64);
	ASSERT_EQ(leaf->nr_values, 32);
	e = xa_load(&xa, 7);
	ASSERT_TRUE(xa_is_value(e));
	ASSERT_EQ(xa_to_value(e), 7000);
	ASSERT_EQ(xa_to_value(xa_load(&xa, 1000)), LONG_MAX);
	/* Replacing a value by a pointer and back keeps nr_values right. */
	ASSERT_TRUE(xa_store(&xa, 7, &objects[7], GFP_KERNEL) == e);
	ASSERT_EQ(leaf->nr_values, 31);
	ASSERT_TRUE(xa_erase(&xa, 9) == xa_mk_value(9000));
	ASSERT_EQ(leaf->nr_values, 30);
	ASSERT_EQ(leaf->count, 63);
	ASSERT_EQ(xa_check(&xa), 0);
	xa_destroy(&xa);
	ASSERT_EQ(pool.live, 0);
}

TEST(test_iteration_order)
{
	static const unsigned long keys[] = {
		0, 1, 2, 63, 64, 65, 4095, 4096, 1UL << 32, (1UL << 63) - 1,
		1UL << 63, ULONG_MAX - 64, ULONG_MAX - 1, ULONG_MAX,
	};
	unsigned long index, n = ARRAY_SIZE(keys), i;
	struct xarray xa;
	void *entry;

	pool_reset();
	xa_init_ops(&xa, 0, &pool_ops);
	/* Stored backwards; found in index order. */
	for (i = n; i-- > 0;)
		ASSERT_NULL(xa_store(&xa, keys[i], &objects[i], GFP_KERNEL));
	ASSERT_EQ(xa_check(&xa), 0);
	ASSERT_EQ(top_node(&xa)->shift, 60);
	i = 0;
	xa_for_each(&xa, index, entry) {
		ASSERT_TRUE(i < n);
		ASSERT_EQ(index, keys[i]);
		ASSERT_TRUE(entry == &objects[i]);
		i++;
	}
	ASSERT_EQ(i, n);		/* no wrap past ULONG_MAX */
	i = 5;
	xa_for_each_start(&xa, index, entry, 65) {
		ASSERT_EQ(index, keys[i]);
		i++;
	}
	ASSERT_EQ(i, n);
	i = 3;
	xa_for_each_range(&xa, index, entry, 3, 4096) {
		ASSERT_EQ(index, keys[i]);
		i++;
	}
	ASSERT_EQ(i, 8);
	index = ULONG_MAX;
	ASSERT_NULL(xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT));
	ASSERT_TRUE(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT) == &objects[n - 1]);
	index = 66;
	ASSERT_NULL(xa_find(&xa, &index, 4094, XA_PRESENT));
	ASSERT_EQ(index, 66);		/* untouched when nothing is found */

	/* Marks: every other key; the marked walk sees just those. */
	for (i = 0; i < n; i += 2)
		xa_set_mark(&xa, keys[i], XA_MARK_1);
	i = 0;
	xa_for_each_marked(&xa, index, entry, XA_MARK_1) {
		ASSERT_EQ(index, keys[i]);
		i += 2;
	}
	ASSERT_EQ(i, n);
	ASSERT_FALSE(xa_marked(&xa, XA_MARK_0));
	ASSERT_TRUE(xa_marked(&xa, XA_MARK_1));

	/* Erasing from the top end shrinks the tree level by level. */
	for (i = n; i-- > 0;) {
		ASSERT_TRUE(xa_erase(&xa, keys[i]) == &objects[i]);
		ASSERT_EQ(xa_check(&xa), 0);
		ASSERT_EQ(pool.live, count_nodes(&xa));
		if (top_node(&xa) && i > 1)
			ASSERT_EQ(top_node(&xa)->shift, want_shift(keys[i - 1]));
	}
	ASSERT_TRUE(xa_empty(&xa));
	ASSERT_EQ(pool.live, 0);
	ASSERT_FALSE(xa_marked(&xa, XA_MARK_1));
}

TEST(test_sparse_near_ulong_max)
{
	struct xarray xa;

	pool_reset();
	xa_init_ops(&xa, 0, &pool_ops);
	ASSERT_NULL(xa_store(&xa, ULONG_MAX, &objects[0], GFP_KERNEL));
	/* One path of 11 nodes (shifts 60 down to 0). */
	ASSERT_EQ(count_nodes(&xa), 11);
	ASSERT_EQ(pool.live, 11);
	ASSERT_NULL(xa_load(&xa, ULONG_MAX - 1));
	ASSERT_NULL(xa_load(&xa, 0));
	ASSERT_NULL(xa_store(&xa, 0, &objects[1], GFP_KERNEL));
	ASSERT_EQ(count_nodes(&xa), 21);
	ASSERT_NULL(xa_store(&xa, ULONG_MAX - 1, &objects[2], GFP_KERNEL));
	ASSERT_EQ(count_nodes(&xa), 21);
	xa_set_mark(&xa, ULONG_MAX, XA_MARK_2);
	ASSERT_TRUE(xa_get_mark(&xa, ULONG_MAX, XA_MARK_2));
	ASSERT_FALSE(xa_get_mark(&xa, ULONG_MAX - 1, XA_MARK_2));
	ASSERT_EQ(xa_check(&xa), 0);
	ASSERT_TRUE(xa_erase(&xa, ULONG_MAX) == &objects[0]);
	ASSERT_FALSE(xa_marked(&xa, XA_MARK_2));
	ASSERT_TRUE(xa_erase(&xa, ULONG_MAX - 1) == &objects[2]);
	/* Only index 0 left: back in the head, no nodes. */
	ASSERT_EQ(pool.live, 0);
	ASSERT_TRUE(xa_load(&xa, 0) == &objects[1]);
	ASSERT_EQ(xa_check(&xa), 0);
	xa_destroy(&xa);
}

TEST(test_marks_propagate)
{
	unsigned long deep = (5UL << 24) | (3UL << 12) | 7;
	struct xa_node *node;
	struct xarray xa;

	pool_reset();
	xa_init_ops(&xa, 0, &pool_ops);
	ASSERT_NULL(xa_store(&xa, deep, &objects[0], GFP_KERNEL));
	ASSERT_NULL(xa_store(&xa, 1, &objects[1], GFP_KERNEL));
	xa_set_mark(&xa, 2, XA_MARK_0);		/* absent: no effect */
	ASSERT_FALSE(xa_marked(&xa, XA_MARK_0));
	xa_set_mark(&xa, deep, XA_MARK_0);
	for (node = leaf_of(&xa, deep); node; node = node->parent) {
		unsigned long off = (deep >> node->shift) & XA_CHUNK_MASK;

		ASSERT_EQ(node->marks[XA_MARK_0], 1UL << off);
	}
	ASSERT_TRUE(xa_marked(&xa, XA_MARK_0));
	/* A store over a marked entry keeps the mark; NULL clears it. */
	ASSERT_TRUE(xa_store(&xa, deep, &objects[2], GFP_KERNEL) == &objects[0]);
	ASSERT_TRUE(xa_get_mark(&xa, deep, XA_MARK_0));
	xa_set_mark(&xa, 1, XA_MARK_0);
	xa_clear_mark(&xa, deep, XA_MARK_0);
	for (node = leaf_of(&xa, deep); node->parent; node = node->parent)
		ASSERT_EQ(node->marks[XA_MARK_0], 0);
	ASSERT_TRUE(xa_marked(&xa, XA_MARK_0));	/* index 1 still has it */
	xa_set_mark(&xa, deep, XA_MARK_2);
	ASSERT_TRUE(xa_erase(&xa, deep) == &objects[2]);
	ASSERT_FALSE(xa_marked(&xa, XA_MARK_2));
	/* Index 1 alone: a single leaf whose marks match the root's. */
	ASSERT_EQ(count_nodes(&xa), 1);
	ASSERT_EQ(xa_check(&xa), 0);
	ASSERT_TRUE(xa_erase(&xa, 1) == &objects[1]);
	ASSERT_FALSE(xa_marked(&xa, XA_MARK_0));
	/* The entry at 0 in the head carries its marks into a new tree. */
	ASSERT_NULL(xa_store(&xa, 0, &objects[3], GFP_KERNEL));
	xa_set_mark(&xa, 0, XA_MARK_1);
	ASSERT_TRUE(xa_get_mark(&xa, 0, XA_MARK_1));
	ASSERT_NULL(xa_store(&xa, 1UL << 40, &objects[4], GFP_KERNEL));
	ASSERT_TRUE(xa_get_mark(&xa, 0, XA_MARK_1));
	ASSERT_FALSE(xa_get_mark(&xa, 1UL << 40, XA_MARK_1));
	ASSERT_EQ(xa_check(&xa), 0);
	ASSERT_TRUE(xa_erase(&xa, 1UL << 40) == &objects[4]);
	ASSERT_TRUE(xa_get_mark(&xa, 0, XA_MARK_1));
	ASSERT_EQ(pool.live, 0);
	xa_destroy(&xa);
	ASSERT_FALSE(xa_marked(&xa, XA_MARK_1));
}

TEST(test_destroy_frees_everything)
{
	struct xarray xa;
	unsigned long i;

	pool_reset();
	rng_seed(TEST_SEED() + 7);
	xa_init_ops(&xa, XA_FLAGS_ACCOUNT, &pool_ops);
	for (i = 0; i < 5000; i++) {
		unsigned long k = random_key();

		ASSERT_FALSE(xa_is_err(xa_store(&xa, k, &objects[i % 64], GFP_KERNEL)));
		if (i % 3 == 0)
			xa_set_mark(&xa, k, XA_MARK_0);
	}
	ASSERT_TRUE(pool.last_gfp & __GFP_ACCOUNT);
	ASSERT_EQ(xa_check(&xa), 0);
	ASSERT_TRUE(pool.live > 100);
	ASSERT_EQ(pool.live, count_nodes(&xa));
	xa_destroy(&xa);
	ASSERT_EQ(pool.live, 0);
	ASSERT_TRUE(xa_empty(&xa));
	ASSERT_FALSE(xa_marked(&xa, XA_MARK_0));
	/* Usable again. */
	ASSERT_NULL(xa_store(&xa, 77, &objects[0], GFP_KERNEL));
	ASSERT_TRUE(xa_load(&xa, 77) == &objects[0]);
	xa_destroy(&xa);
	ASSERT_EQ(pool.live, 0);

	/* Host allocation (no ops) works the same way (ASan checks the frees). */
	xa_init(&xa);
	for (i = 0; i < 1000; i++)
		ASSERT_NULL(xa_store(&xa, i * 4099, xa_mk_value(i), GFP_KERNEL));
	ASSERT_EQ(xa_check(&xa), 0);
	xa_destroy(&xa);
	ASSERT_TRUE(xa_empty(&xa));
}

/* ---- allocation failure ------------------------------------------------- */

static const unsigned long fail_keys[] = { 0, 5, 64, 1000, 1UL << 30 };

static void fill_fail_tree(struct xarray *xa)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fail_keys); i++) {
		xa_store(xa, fail_keys[i], &objects[i], GFP_KERNEL);
		xa_set_mark(xa, fail_keys[i], i % NMARKS);
	}
}

/* The tree still holds exactly fill_fail_tree's entries and nodes. */
static int fail_tree_intact(struct xarray *xa, long nodes, unsigned long extra)
{
	unsigned long index;
	unsigned int i = 0;
	void *entry;

	if (xa_check(xa) || count_nodes(xa) != nodes || pool.live != nodes)
		return __LINE__;
	xa_for_each(xa, index, entry) {
		if (i == ARRAY_SIZE(fail_keys) || index != fail_keys[i] ||
		    entry != &objects[i] || !xa_get_mark(xa, index, i % NMARKS))
			return __LINE__;
		i++;
	}
	if (i != ARRAY_SIZE(fail_keys) || xa_load(xa, extra))
		return __LINE__;
	return 0;
}

TEST(test_alloc_failure_leaves_tree_unchanged)
{
	static const unsigned long new_keys[] = { 1UL << 31, ULONG_MAX, 65 << 6, 1UL << 50 };
	struct xarray xa;
	unsigned int k;
	long nodes, n;
	void *ret;

	pool_reset();
	xa_init_ops(&xa, 0, &pool_ops);
	fill_fail_tree(&xa);
	nodes = count_nodes(&xa);
	for (k = 0; k < ARRAY_SIZE(new_keys); k++) {
		unsigned long key = new_keys[k];

		/* Every allocation fails: -ENOMEM, nothing changed, no leak. */
		pool_fail(0, 1);
		ret = xa_store(&xa, key, &objects[9], GFP_KERNEL);
		ASSERT_TRUE(xa_is_err(ret));
		ASSERT_EQ(xa_err(ret), -ENOMEM);
		ASSERT_EQ(fail_tree_intact(&xa, nodes, key), 0);
		ASSERT_EQ(xa_insert(&xa, key, &objects[9], GFP_NOWAIT), -ENOMEM);
		ASSERT_EQ(xa_err(xa_cmpxchg(&xa, key, NULL, &objects[9], GFP_KERNEL)), -ENOMEM);
		ASSERT_EQ(fail_tree_intact(&xa, nodes, key), 0);
		/* Erasing an absent index needs nothing. */
		ASSERT_NULL(xa_erase(&xa, key));

		/* Allocations fail from the n-th on: each n short of what the
		 * store needs fails cleanly; then it succeeds. */
		for (n = 1;; n++) {
			pool_fail(0, n);
			ret = xa_store(&xa, key, &objects[9], GFP_KERNEL);
			if (!xa_is_err(ret))
				break;
			ASSERT_EQ(xa_err(ret), -ENOMEM);
			ASSERT_EQ(fail_tree_intact(&xa, nodes, key), 0);
			ASSERT_TRUE(n < 40);
		}
		ASSERT_NULL(ret);
		ASSERT_TRUE(n > 1);
		ASSERT_TRUE(xa_load(&xa, key) == &objects[9]);
		ASSERT_EQ(pool.live, count_nodes(&xa));
		ASSERT_TRUE(xa_erase(&xa, key) == &objects[9]);
		ASSERT_EQ(fail_tree_intact(&xa, nodes, key), 0);

		/* Just the n-th fails: the retry (xas_nomem) gets past it. */
		for (n = 1; n < 25; n++) {
			pool_fail(n, 0);
			ret = xa_store(&xa, key, &objects[9], GFP_KERNEL);
			ASSERT_NULL(ret);
			ASSERT_EQ(pool.live, count_nodes(&xa));
			ASSERT_EQ(xa_check(&xa), 0);
			ASSERT_TRUE(xa_erase(&xa, key) == &objects[9]);
			ASSERT_EQ(fail_tree_intact(&xa, nodes, key), 0);
		}
	}
	pool_fail(0, 0);
	xa_destroy(&xa);
	ASSERT_EQ(pool.live, 0);
}

TEST(test_xas_nomem_loop)
{
	XA_STATE(xas, NULL, ULONG_MAX);
	struct xarray xa;
	int rounds = 0;
	void *old;

	pool_reset();
	xa_init_ops(&xa, 0, &pool_ops);
	xas.xa = &xa;
	ASSERT_NULL(xa_store(&xa, 0, &objects[0], GFP_KERNEL));
	/* Nothing can be had under the lock, only from xas_nomem: a node a
	 * round until the 21 the path to ULONG_MAX takes are there. */
	pool.fail_atomic = true;
	do {
		xas_lock(&xas);
		old = xas_store(&xas, &objects[1]);
		xas_unlock(&xas);
		rounds++;
	} while (xas_nomem(&xas, GFP_KERNEL));
	pool.fail_atomic = false;
	ASSERT_EQ(xas_error(&xas), 0);
	ASSERT_NULL(old);
	ASSERT_EQ(rounds, 22);
	ASSERT_NULL(xas.xa_alloc);	/* leftovers freed */
	ASSERT_EQ(pool.live, count_nodes(&xa));
	ASSERT_TRUE(xa_load(&xa, ULONG_MAX) == &objects[1]);
	ASSERT_EQ(xa_check(&xa), 0);

	/* A failing xas_nomem gives up and keeps nothing. */
	xas_set(&xas, 1UL << 40);
	pool_fail(0, 1);
	xas_lock(&xas);
	xas_store(&xas, &objects[2]);
	xas_unlock(&xas);
	ASSERT_EQ(xas_error(&xas), -ENOMEM);
	ASSERT_FALSE(xas_nomem(&xas, GFP_KERNEL));
	ASSERT_NULL(xas.xa_alloc);
	ASSERT_EQ(pool.live, count_nodes(&xa));
	pool_fail(0, 0);
	xa_destroy(&xa);
	ASSERT_EQ(pool.live, 0);
}

/* ---- the cursor --------------------------------------------------------- */

static int updates;

static void count_update(struct xa_node *node)
{
	(void)node;
	updates++;
}

TEST(test_xas_walks)
{
	struct xarray xa;
	unsigned long i, seen;
	void *entry;

	pool_reset();
	xa_init_ops(&xa, 0, &pool_ops);
	for (i = 0; i < 300; i += 3)
		ASSERT_NULL(xa_store(&xa, i, xa_mk_value(i), GFP_KERNEL));
	for (i = 0; i < 300; i += 9)
		xa_set_mark(&xa, i, XA_MARK_0);

	/* xas_for_each over [10, 200]: inclusive of a present start. */
	{
		XA_STATE(xas, &xa, 12);

		seen = 12;
		xa_lock(&xa);
		xas_for_each(&xas, entry, 200) {
			ASSERT_EQ(xas.xa_index, seen);
			ASSERT_EQ(xa_to_value(entry), seen);
			seen += 3;
		}
		xa_unlock(&xa);
		ASSERT_EQ(seen, 201);
		ASSERT_TRUE(xas.xa_node == XAS_BOUNDS);
	}
	/* The marked walk, pausing and dropping the lock every few entries. */
	{
		XA_STATE(xas, &xa, 0);

		seen = 0;
		xa_lock(&xa);
		xas_for_each_marked(&xas, entry, ULONG_MAX, XA_MARK_0) {
			ASSERT_EQ(xas.xa_index, seen);
			ASSERT_TRUE(xas_get_mark(&xas, XA_MARK_0));
			seen += 9;
			if (seen % 4 == 0) {
				xas_pause(&xas);
				xa_unlock(&xa);
				xa_lock(&xa);
			}
		}
		xa_unlock(&xa);
		ASSERT_EQ(seen, 306);
	}
	/* xas_next / xas_prev step over every index, present or not. */
	{
		XA_STATE(xas, &xa, 60);

		xa_lock(&xa);
		entry = xas_load(&xas);
		ASSERT_EQ(xa_to_value(entry), 60);
		for (i = 61; i < 140; i++) {
			entry = xas_next(&xas);
			ASSERT_EQ(xas.xa_index, i);
			ASSERT_TRUE(entry == (i % 3 ? NULL : xa_mk_value(i)));
		}
		for (i = 138; i > 50; i--) {
			entry = xas_prev(&xas);
			ASSERT_EQ(xas.xa_index, i);
			ASSERT_TRUE(entry == (i % 3 ? NULL : xa_mk_value(i)));
		}
		xas_set(&xas, 299);
		ASSERT_NULL(xas_load(&xas));
		xas_set(&xas, 1UL << 40);
		ASSERT_NULL(xas_load(&xas));
		ASSERT_TRUE(xas.xa_node == XAS_BOUNDS);
		ASSERT_NULL(xas_find(&xas, ULONG_MAX));
		xa_unlock(&xa);
	}
	/* Marks through the cursor. */
	{
		XA_STATE(xas, &xa, 30);

		xa_lock(&xa);
		xas_load(&xas);
		xas_set_mark(&xas, XA_MARK_2);
		ASSERT_TRUE(xas_get_mark(&xas, XA_MARK_2));
		xas_clear_mark(&xas, XA_MARK_2);
		ASSERT_FALSE(xas_get_mark(&xas, XA_MARK_2));
		xas_set(&xas, 31);		/* absent: not marked */
		xas_load(&xas);
		xas_set_mark(&xas, XA_MARK_2);
		ASSERT_FALSE(xas_get_mark(&xas, XA_MARK_2));
		ASSERT_FALSE(xa_marked(&xa, XA_MARK_2));
		xa_unlock(&xa);
	}
	/* Erase [100, 250] while walking it; the update hook sees the leaves. */
	{
		XA_STATE(xas, &xa, 100);

		updates = 0;
		xas_set_update(&xas, count_update);
		xa_lock(&xa);
		xas_for_each(&xas, entry, 250)
			ASSERT_TRUE(xas_store(&xas, NULL) == entry);
		xa_unlock(&xa);
		ASSERT_TRUE(updates >= 50);
		ASSERT_EQ(xa_check(&xa), 0);
		for (i = 0; i < 300; i++)
			ASSERT_TRUE(xa_load(&xa, i) ==
				    (i % 3 || (i >= 100 && i <= 250) ? NULL : xa_mk_value(i)));
		ASSERT_EQ(pool.live, count_nodes(&xa));
	}
	/* Erase all of it the same way: nothing is left. */
	{
		XA_STATE(xas, &xa, 0);

		xa_lock(&xa);
		xas_for_each(&xas, entry, ULONG_MAX)
			xas_store(&xas, NULL);
		xa_unlock(&xa);
		ASSERT_TRUE(xa_empty(&xa));
		ASSERT_EQ(pool.live, 0);
	}
	xa_destroy(&xa);
}

/* ---- corruption: the checker can fail ----------------------------------- */

/* Breaks something, expects xa_check to name it, mends it. */
#define EXPECT_CORRUPT(xa, what, breakit, mendit)			\
	do {								\
		nr_reports = 0;						\
		breakit;						\
		ASSERT_EQ(xa_check(xa), -EINVAL);			\
		ASSERT_EQ(nr_reports, 1);				\
		ASSERT_CONTAINS(last_report, what);			\
		mendit;							\
		ASSERT_EQ(xa_check(xa), 0);				\
	} while (0)

TEST(test_check_catches_corruption)
{
	struct xa_node *leaf, *mid, *top;
	struct xarray xa;
	unsigned long i;
	void *saved;

	pool_reset();
	kmm_set_report_hook(capture_report, NULL);
	xa_init_ops(&xa, 0, &pool_ops);
	for (i = 0; i < 100; i++)
		ASSERT_NULL(xa_store(&xa, i, &objects[i % 64], GFP_KERNEL));
	ASSERT_NULL(xa_store(&xa, 5000, xa_mk_value(5), GFP_KERNEL));
	xa_set_mark(&xa, 5000, XA_MARK_0);
	ASSERT_EQ(xa_check(&xa), 0);
	top = top_node(&xa);
	leaf = leaf_of(&xa, 70);
	mid = leaf->parent;
	ASSERT_EQ(top->shift, 12);
	ASSERT_TRUE(mid != top);

	EXPECT_CORRUPT(&xa, "count", leaf->count++, leaf->count--);
	EXPECT_CORRUPT(&xa, "nr_values", leaf->nr_values++, leaf->nr_values--);
	EXPECT_CORRUPT(&xa, "parent pointer", leaf->parent = top, leaf->parent = mid);
	EXPECT_CORRUPT(&xa, "offset", leaf->offset ^= 3, leaf->offset ^= 3);
	EXPECT_CORRUPT(&xa, "shift", leaf->shift = 6, leaf->shift = 0);
	EXPECT_CORRUPT(&xa, "another array", leaf->array = NULL, leaf->array = &xa);
	EXPECT_CORRUPT(&xa, "a mark on an empty slot",
		       leaf->marks[XA_MARK_1] |= 1UL << 50, leaf->marks[XA_MARK_1] = 0);
	EXPECT_CORRUPT(&xa, "disagrees with its child",
		       leaf->marks[XA_MARK_2] |= 1UL << 6, leaf->marks[XA_MARK_2] = 0);
	EXPECT_CORRUPT(&xa, "root mark flag", xa.xa_flags |= XA_FLAGS_MARK(XA_MARK_1),
		       xa.xa_flags &= ~XA_FLAGS_MARK(XA_MARK_1));
	EXPECT_CORRUPT(&xa, "internal entry", saved = leaf->slots[7];
		       leaf->slots[7] = xa_mk_internal(300), leaf->slots[7] = saved);
	/* A leaf emptied behind the tree's back. */
	saved = leaf_of(&xa, 5000)->slots[5000 & XA_CHUNK_MASK];
	EXPECT_CORRUPT(&xa, "empty node",
		       { struct xa_node *l = leaf_of(&xa, 5000);
			 l->slots[5000 & XA_CHUNK_MASK] = NULL; l->count = 0;
			 l->nr_values = 0; l->marks[XA_MARK_0] = 0; },
		       { struct xa_node *l = leaf_of(&xa, 5000);
			 l->slots[5000 & XA_CHUNK_MASK] = saved; l->count = 1;
			 l->nr_values = 1; l->marks[XA_MARK_0] = 1UL << (5000 & XA_CHUNK_MASK); });
	/* A top node left holding slot 0 alone. */
	saved = top->slots[1];
	EXPECT_CORRUPT(&xa, "not shrunk",
		       { top->slots[1] = NULL; top->count--; top->marks[XA_MARK_0] = 0;
			 xa.xa_flags &= ~XA_FLAGS_MARK(XA_MARK_0); },
		       { top->slots[1] = saved; top->count++; top->marks[XA_MARK_0] = 2;
			 xa.xa_flags |= XA_FLAGS_MARK(XA_MARK_0); });
	kmm_set_report_hook(NULL, NULL);
	xa_destroy(&xa);
	ASSERT_EQ(pool.live, 0);
}

int main(void)
{
	BUILD_BUG_ON(XA_NODE_SIZE != 576);
	RUN_TEST(test_basic_semantics);
	RUN_TEST(test_value_entries);
	RUN_TEST(test_iteration_order);
	RUN_TEST(test_sparse_near_ulong_max);
	RUN_TEST(test_marks_propagate);
	RUN_TEST(test_destroy_frees_everything);
	RUN_TEST(test_alloc_failure_leaves_tree_unchanged);
	RUN_TEST(test_xas_nomem_loop);
	RUN_TEST(test_xas_walks);
	RUN_TEST(test_check_catches_corruption);
	RUN_TEST(test_random_against_model);
	return harness_summary();
}
