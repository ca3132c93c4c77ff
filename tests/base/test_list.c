/*
 * tests/base/test_list.c - list_head and hlist: each operation by hand on
 * small lists, then seeded random operations on several lists checked
 * against an array model after every step (both directions, every link),
 * and the KMM_DEBUG_VM corruption checks with a recording reporter.
 */
#ifndef KMM_DEBUG_VM
#define KMM_DEBUG_VM 1		/* the corruption checks are under test */
#endif

#include <kmm/list.h>

#include <stdint.h>

#include "tests/harness.h"

struct item {
	int id;
	struct list_head node;
	struct hlist_node hnode;
};

/* ---- recording corruption reporter ------------------------------------- */

static int corruption_reports;
static const char *corruption_what;
static const void *corruption_entry;

/* Replaces the aborting default in base/list.c for this test program. */
void kmm_list_corruption(const char *what, const void *entry)
{
	corruption_reports++;
	corruption_what = what;
	corruption_entry = entry;
}

/* ---- helpers ----------------------------------------------------------- */

/* rng_next, rng_below, rng_seed: tests/harness.h */

static void init_items(struct item *items, int n)
{
	for (int i = 0; i < n; i++) {
		items[i].id = i;
		INIT_LIST_HEAD(&items[i].node);
		INIT_HLIST_NODE(&items[i].hnode);
	}
}

/*
 * Compares @head with the @n ids in @want, forwards and backwards, checking
 * every next/prev pair.  Returns 0 or the 1-based position of the mismatch
 * (n + 1 for a wrong length).
 */
static int list_differs(const struct list_head *head, const int *want, int n)
{
	const struct list_head *pos = head;
	int i;

	for (i = 0; i < n; i++) {
		if (pos->next->prev != pos)
			return i + 1;
		pos = pos->next;
		if (pos == head ||
		    list_entry(pos, struct item, node)->id != want[i])
			return i + 1;
	}
	if (pos->next != head || head->prev != pos)
		return n + 1;
	if (list_count_nodes(head) != (size_t)n)
		return n + 1;
	return 0;
}

#define ASSERT_LIST(head, ...)                                                \
	do {                                                                  \
		const int want_[] = { __VA_ARGS__ };                          \
		ASSERT_EQ(list_differs(head, want_, (int)ARRAY_SIZE(want_)), 0); \
	} while (0)

/* ---- list_head by hand ------------------------------------------------- */

TEST(list_empty_head)
{
	LIST_HEAD(head);
	struct list_head dyn;

	ASSERT_TRUE(list_empty(&head));
	ASSERT_TRUE(head.next == &head && head.prev == &head);
	ASSERT_FALSE(list_is_singular(&head));
	ASSERT_EQ(list_count_nodes(&head), 0);
	ASSERT_NULL(list_first_entry_or_null(&head, struct item, node));
	INIT_LIST_HEAD(&dyn);
	ASSERT_TRUE(list_empty(&dyn));
	ASSERT_TRUE(list_is_head(&dyn, &dyn));
}

TEST(list_add_order)
{
	struct item it[4];
	LIST_HEAD(head);

	init_items(it, 4);
	list_add(&it[1].node, &head);
	ASSERT_TRUE(list_is_singular(&head));
	ASSERT_TRUE(list_is_first(&it[1].node, &head));
	ASSERT_TRUE(list_is_last(&it[1].node, &head));
	list_add(&it[0].node, &head);		/* front */
	list_add_tail(&it[2].node, &head);	/* back */
	list_add_tail(&it[3].node, &head);
	ASSERT_LIST(&head, 0, 1, 2, 3);
	ASSERT_FALSE(list_is_singular(&head));
	ASSERT_TRUE(list_is_first(&it[0].node, &head));
	ASSERT_FALSE(list_is_first(&it[1].node, &head));
	ASSERT_TRUE(list_is_last(&it[3].node, &head));
	ASSERT_FALSE(list_is_last(&it[2].node, &head));
	ASSERT_EQ(list_first_entry(&head, struct item, node)->id, 0);
	ASSERT_EQ(list_last_entry(&head, struct item, node)->id, 3);
	ASSERT_EQ(list_first_entry_or_null(&head, struct item, node)->id, 0);
	ASSERT_EQ(list_next_entry(&it[1], node)->id, 2);
	ASSERT_EQ(list_prev_entry(&it[1], node)->id, 0);
	ASSERT_EQ(list_count_nodes(&head), 4);
}

TEST(list_del_poisons)
{
	struct item it[3];
	LIST_HEAD(head);

	init_items(it, 3);
	for (int i = 0; i < 3; i++)
		list_add_tail(&it[i].node, &head);
	list_del(&it[1].node);
	ASSERT_LIST(&head, 0, 2);
	ASSERT_TRUE(it[1].node.next == LIST_POISON1);
	ASSERT_TRUE(it[1].node.prev == LIST_POISON2);
	list_del_init(&it[0].node);
	ASSERT_LIST(&head, 2);
	ASSERT_TRUE(list_empty(&it[0].node));
	/* list_del_init on a self-linked node is harmless. */
	list_del_init(&it[0].node);
	ASSERT_TRUE(list_empty(&it[0].node));
	list_del(&it[2].node);
	ASSERT_TRUE(list_empty(&head));
	ASSERT_EQ(corruption_reports, 0);
}

TEST(list_replace_move_rotate)
{
	struct item it[5];
	LIST_HEAD(a);
	LIST_HEAD(b);

	init_items(it, 5);
	for (int i = 0; i < 3; i++)
		list_add_tail(&it[i].node, &a);
	list_replace(&it[1].node, &it[3].node);
	ASSERT_LIST(&a, 0, 3, 2);
	list_replace_init(&it[3].node, &it[4].node);
	ASSERT_LIST(&a, 0, 4, 2);
	ASSERT_TRUE(list_empty(&it[3].node));
	list_move(&it[2].node, &a);
	ASSERT_LIST(&a, 2, 0, 4);
	list_move_tail(&it[2].node, &a);
	ASSERT_LIST(&a, 0, 4, 2);
	list_move(&it[4].node, &b);
	list_move_tail(&it[0].node, &b);
	ASSERT_LIST(&a, 2);
	ASSERT_LIST(&b, 4, 0);
	list_rotate_left(&b);
	ASSERT_LIST(&b, 0, 4);
	list_rotate_left(&a);			/* singular: unchanged */
	ASSERT_LIST(&a, 2);
	/* Replacing the only entry of a list keeps the head consistent. */
	list_replace(&it[2].node, &it[1].node);
	ASSERT_LIST(&a, 1);
}

TEST(list_splice_variants)
{
	struct item it[6];
	LIST_HEAD(a);
	LIST_HEAD(b);
	LIST_HEAD(empty);

	init_items(it, 6);
	for (int i = 0; i < 3; i++)
		list_add_tail(&it[i].node, &a);
	for (int i = 3; i < 6; i++)
		list_add_tail(&it[i].node, &b);
	list_splice_init(&empty, &a);		/* empty source: no-op */
	ASSERT_LIST(&a, 0, 1, 2);
	list_splice_init(&b, &a);
	ASSERT_LIST(&a, 3, 4, 5, 0, 1, 2);
	ASSERT_TRUE(list_empty(&b));
	list_cut_position(&b, &a, &it[5].node);
	ASSERT_LIST(&b, 3, 4, 5);
	ASSERT_LIST(&a, 0, 1, 2);
	list_splice_tail_init(&b, &a);
	ASSERT_LIST(&a, 0, 1, 2, 3, 4, 5);
	ASSERT_TRUE(list_empty(&b));
	list_cut_position(&b, &a, &it[0].node);
	ASSERT_LIST(&b, 0);
	ASSERT_LIST(&a, 1, 2, 3, 4, 5);
	/* list_splice/_tail leave the source stale: reinit it by hand. */
	list_splice(&b, &a);
	ASSERT_LIST(&a, 0, 1, 2, 3, 4, 5);
	INIT_LIST_HEAD(&b);
	list_cut_position(&b, &a, &it[2].node);
	list_splice_tail(&b, &a);
	ASSERT_LIST(&a, 3, 4, 5, 0, 1, 2);
}

TEST(list_cut_position_edges)
{
	struct item it[2];
	LIST_HEAD(a);
	LIST_HEAD(b);

	init_items(it, 2);
	list_cut_position(&b, &a, &a);		/* empty source */
	ASSERT_TRUE(list_empty(&b));
	list_add_tail(&it[0].node, &a);
	list_cut_position(&b, &a, &a);		/* entry == head: nothing */
	ASSERT_TRUE(list_empty(&b));
	ASSERT_LIST(&a, 0);
	list_cut_position(&b, &a, &it[0].node);	/* singular, cut all */
	ASSERT_LIST(&b, 0);
	ASSERT_TRUE(list_empty(&a));
	list_add_tail(&it[1].node, &a);
	list_cut_position(&b, &a, &it[0].node);	/* singular, entry not on a */
	ASSERT_LIST(&a, 1);
	ASSERT_LIST(&b, 0);
	list_cut_position(&b, &a, &it[1].node);	/* b overwritten, not joined */
	ASSERT_LIST(&b, 1);
	ASSERT_TRUE(list_empty(&a));
}

TEST(list_iterators)
{
	struct item it[5], *pos, *n;
	struct list_head *p, *q;
	LIST_HEAD(head);
	int seen[5], k;

	init_items(it, 5);
	for (int i = 0; i < 5; i++)
		list_add_tail(&it[i].node, &head);
	k = 0;
	list_for_each(p, &head)
		seen[k++] = list_entry(p, struct item, node)->id;
	ASSERT_EQ(k, 5);
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(seen[i], i);
	k = 0;
	list_for_each_prev(p, &head)
		seen[k++] = list_entry(p, struct item, node)->id;
	ASSERT_EQ(seen[0], 4);
	ASSERT_EQ(seen[4], 0);
	k = 0;
	list_for_each_entry(pos, &head, node)
		ASSERT_EQ(pos->id, k++);
	ASSERT_EQ(k, 5);
	ASSERT_TRUE(list_entry_is_head(pos, &head, node));
	k = 4;
	list_for_each_entry_reverse(pos, &head, node)
		ASSERT_EQ(pos->id, k--);
	ASSERT_EQ(k, -1);
	pos = &it[1];
	k = 2;
	list_for_each_entry_continue(pos, &head, node)
		ASSERT_EQ(pos->id, k++);
	ASSERT_EQ(k, 5);
	pos = &it[3];
	k = 3;
	list_for_each_entry_from(pos, &head, node)
		ASSERT_EQ(pos->id, k++);
	ASSERT_EQ(k, 5);
	/* Deleting the cursor inside the _safe loops is allowed. */
	list_for_each_entry_safe(pos, n, &head, node)
		if (pos->id % 2)
			list_del(&pos->node);
	ASSERT_LIST(&head, 0, 2, 4);
	list_for_each_entry_safe_reverse(pos, n, &head, node)
		if (pos->id == 4)
			list_del_init(&pos->node);
	ASSERT_LIST(&head, 0, 2);
	list_for_each_safe(p, q, &head)
		list_del(p);
	ASSERT_TRUE(list_empty(&head));
	k = 0;
	list_for_each_entry(pos, &head, node)
		k++;
	list_for_each_entry_safe(pos, n, &head, node)
		k++;
	ASSERT_EQ(k, 0);
}

/* ---- list_head against a model ----------------------------------------- */

#define NLISTS	4
#define NITEMS	48

/* The lists under test and, for each, the ids it should hold in order. */
struct list_model {
	struct list_head heads[NLISTS];
	struct item items[NITEMS];
	int ids[NLISTS][NITEMS];
	int len[NLISTS];
	int where[NITEMS];		/* list holding the item, or -1 */
};

static void model_init(struct list_model *m)
{
	memset(m, 0, sizeof(*m));
	for (int l = 0; l < NLISTS; l++)
		INIT_LIST_HEAD(&m->heads[l]);
	init_items(m->items, NITEMS);
	for (int i = 0; i < NITEMS; i++)
		m->where[i] = -1;
}

static int model_index(const struct list_model *m, int id)
{
	int l = m->where[id];

	for (int i = 0; i < m->len[l]; i++)
		if (m->ids[l][i] == id)
			return i;
	return -1;
}

static void model_insert(struct list_model *m, int l, int at, int id)
{
	memmove(&m->ids[l][at + 1], &m->ids[l][at],
		(size_t)(m->len[l] - at) * sizeof(int));
	m->ids[l][at] = id;
	m->len[l]++;
	m->where[id] = l;
}

static void model_remove(struct list_model *m, int id)
{
	int l = m->where[id], at = model_index(m, id);

	memmove(&m->ids[l][at], &m->ids[l][at + 1],
		(size_t)(m->len[l] - at - 1) * sizeof(int));
	m->len[l]--;
	m->where[id] = -1;
}

/* Moves the first @count ids of @from to the front or back of @to. */
static void model_splice(struct list_model *m, int from, int to, int count,
			 bool tail)
{
	int moved[NITEMS];

	memcpy(moved, m->ids[from], (size_t)count * sizeof(int));
	for (int i = 0; i < count; i++)
		model_remove(m, moved[i]);
	for (int i = 0; i < count; i++)
		model_insert(m, to, tail ? m->len[to] : i, moved[i]);
}

static int pick_on(const struct list_model *m, int l)
{
	return m->len[l] ? m->ids[l][rng_below((unsigned int)m->len[l])] : -1;
}

static int pick_free(const struct list_model *m)
{
	int id = (int)rng_below(NITEMS);

	return m->where[id] < 0 ? id : -1;
}

static void op_add(struct list_model *m, int l, int id, bool tail)
{
	if (tail) {
		list_add_tail(&m->items[id].node, &m->heads[l]);
		model_insert(m, l, m->len[l], id);
	} else {
		list_add(&m->items[id].node, &m->heads[l]);
		model_insert(m, l, 0, id);
	}
}

static void op_move(struct list_model *m, int to, int id, bool tail)
{
	model_remove(m, id);
	if (tail) {
		list_move_tail(&m->items[id].node, &m->heads[to]);
		model_insert(m, to, m->len[to], id);
	} else {
		list_move(&m->items[id].node, &m->heads[to]);
		model_insert(m, to, 0, id);
	}
}

static void op_splice(struct list_model *m, int l, int to, bool tail)
{
	if (tail)
		list_splice_tail_init(&m->heads[l], &m->heads[to]);
	else
		list_splice_init(&m->heads[l], &m->heads[to]);
	model_splice(m, l, to, m->len[l], tail);
}

/* Cuts @l up to @id onto a fresh head, then appends that to @to. */
static void op_cut(struct list_model *m, int l, int to, int id)
{
	LIST_HEAD(cut);
	int count = model_index(m, id) + 1;

	list_cut_position(&cut, &m->heads[l], &m->items[id].node);
	list_splice_tail(&cut, &m->heads[to]);
	model_splice(m, l, to, count, true);
}

static void op_replace(struct list_model *m, int old, int id)
{
	int l = m->where[old], at = model_index(m, old);

	list_replace_init(&m->items[old].node, &m->items[id].node);
	model_remove(m, old);
	model_insert(m, l, at, id);
}

static void random_list_op(struct list_model *m)
{
	int l = (int)rng_below(NLISTS), to = (int)rng_below(NLISTS);
	int id = pick_free(m), on = pick_on(m, l);

	switch (rng_below(8)) {
	case 0:
	case 1:
		if (id >= 0)
			op_add(m, l, id, rng_below(2));
		break;
	case 2:
		if (on < 0)
			break;
		if (rng_below(2))
			list_del(&m->items[on].node);
		else
			list_del_init(&m->items[on].node);
		model_remove(m, on);
		break;
	case 3:
		if (on >= 0)
			op_move(m, to, on, rng_below(2));
		break;
	case 4:
		if (l != to)
			op_splice(m, l, to, rng_below(2));
		break;
	case 5:
		if (on >= 0 && l != to)
			op_cut(m, l, to, on);
		break;
	case 6:
		if (on >= 0 && id >= 0)
			op_replace(m, on, id);
		break;
	default:
		list_rotate_left(&m->heads[l]);
		if (m->len[l])
			model_splice(m, l, l, 1, true);
		break;
	}
}

TEST(list_random_vs_model)
{
	static struct list_model m;
	unsigned long steps = 20000 * TEST_SCALE();

	rng_seed(TEST_SEED());
	model_init(&m);
	for (unsigned long step = 0; step < steps; step++) {
		random_list_op(&m);
		for (int l = 0; l < NLISTS; l++) {
			int bad = list_differs(&m.heads[l], m.ids[l], m.len[l]);

			if (bad)
				TEST_FAIL_("step %lu list %d differs at %d", step,
					   l, bad);
		}
	}
	ASSERT_EQ(corruption_reports, 0);
}

/* ---- hlist ------------------------------------------------------------- */

/* Checks the chain's ids and that every pprev points at the link to it. */
static int hlist_differs(const struct hlist_head *head, const int *want, int n)
{
	struct hlist_node *const *link = &head->first;
	const struct hlist_node *pos;
	int i = 0;

	hlist_for_each(pos, head) {
		if (i == n || pos->pprev != link ||
		    hlist_entry(pos, struct item, hnode)->id != want[i])
			return i + 1;
		link = &pos->next;
		i++;
	}
	return i == n ? 0 : n + 1;
}

#define ASSERT_HLIST(head, ...)                                               \
	do {                                                                  \
		const int want_[] = { __VA_ARGS__ };                          \
		ASSERT_EQ(hlist_differs(head, want_, (int)ARRAY_SIZE(want_)), 0); \
	} while (0)

TEST(hlist_by_hand)
{
	struct item it[5], *pos;
	struct hlist_node *n;
	HLIST_HEAD(head);
	struct hlist_head other;
	int k;

	init_items(it, 5);
	INIT_HLIST_HEAD(&other);
	ASSERT_TRUE(hlist_empty(&head));
	ASSERT_TRUE(hlist_empty(&other));
	ASSERT_TRUE(hlist_unhashed(&it[0].hnode));
	hlist_add_head(&it[2].hnode, &head);
	hlist_add_head(&it[0].hnode, &head);
	ASSERT_FALSE(hlist_empty(&head));
	ASSERT_FALSE(hlist_unhashed(&it[0].hnode));
	ASSERT_HLIST(&head, 0, 2);
	hlist_add_behind(&it[1].hnode, &it[0].hnode);
	hlist_add_behind(&it[4].hnode, &it[2].hnode);	/* at the end */
	hlist_add_before(&it[3].hnode, &it[4].hnode);
	ASSERT_HLIST(&head, 0, 1, 2, 3, 4);
	k = 0;
	hlist_for_each_entry(pos, &head, hnode)
		ASSERT_EQ(pos->id, k++);
	ASSERT_EQ(k, 5);
	hlist_del(&it[0].hnode);			/* the first */
	ASSERT_TRUE(it[0].hnode.next == LIST_POISON1);
	ASSERT_TRUE((void *)it[0].hnode.pprev == LIST_POISON2);
	ASSERT_HLIST(&head, 1, 2, 3, 4);
	hlist_del_init(&it[4].hnode);			/* the last */
	ASSERT_TRUE(hlist_unhashed(&it[4].hnode));
	hlist_del_init(&it[4].hnode);			/* twice is fine */
	ASSERT_HLIST(&head, 1, 2, 3);
	hlist_add_before(&it[0].hnode, &it[1].hnode);	/* before the first */
	ASSERT_HLIST(&head, 0, 1, 2, 3);
	hlist_for_each_entry_safe(pos, n, &head, hnode)
		if (pos->id != 2)
			hlist_del_init(&pos->hnode);
	ASSERT_HLIST(&head, 2);
	hlist_for_each_entry_safe(pos, n, &head, hnode)
		hlist_del(&pos->hnode);
	ASSERT_TRUE(hlist_empty(&head));
	k = 0;
	hlist_for_each_entry(pos, &head, hnode)
		k++;
	ASSERT_EQ(k, 0);
}

#define NBUCKETS 5

struct hlist_model {
	struct hlist_head heads[NBUCKETS];
	struct item items[NITEMS];
	int ids[NBUCKETS][NITEMS];
	int len[NBUCKETS];
	int where[NITEMS];		/* bucket, or -1 */
};

static int hmodel_index(const struct hlist_model *m, int id)
{
	int b = m->where[id];

	for (int i = 0; i < m->len[b]; i++)
		if (m->ids[b][i] == id)
			return i;
	return -1;
}

static void hmodel_insert(struct hlist_model *m, int b, int at, int id)
{
	memmove(&m->ids[b][at + 1], &m->ids[b][at],
		(size_t)(m->len[b] - at) * sizeof(int));
	m->ids[b][at] = id;
	m->len[b]++;
	m->where[id] = b;
}

static void hmodel_remove(struct hlist_model *m, int id)
{
	int b = m->where[id], at = hmodel_index(m, id);

	memmove(&m->ids[b][at], &m->ids[b][at + 1],
		(size_t)(m->len[b] - at - 1) * sizeof(int));
	m->len[b]--;
	m->where[id] = -1;
}

/* Adds free item @id to bucket @b: at the head, before or after @on. */
static void hlist_op_add(struct hlist_model *m, int b, int id, int on)
{
	unsigned int how = on < 0 ? 0 : rng_below(3);

	if (how == 0) {
		hlist_add_head(&m->items[id].hnode, &m->heads[b]);
		hmodel_insert(m, b, 0, id);
	} else if (how == 1) {
		hlist_add_before(&m->items[id].hnode, &m->items[on].hnode);
		hmodel_insert(m, b, hmodel_index(m, on), id);
	} else {
		hlist_add_behind(&m->items[id].hnode, &m->items[on].hnode);
		hmodel_insert(m, b, hmodel_index(m, on) + 1, id);
	}
}

static void random_hlist_op(struct hlist_model *m)
{
	int b = (int)rng_below(NBUCKETS);
	int id = (int)rng_below(NITEMS);
	int on = m->len[b] ? m->ids[b][rng_below((unsigned int)m->len[b])] : -1;

	if (m->where[id] < 0) {
		hlist_op_add(m, b, id, on);
		return;
	}
	if (rng_below(2))
		hlist_del(&m->items[id].hnode);
	else
		hlist_del_init(&m->items[id].hnode);
	hmodel_remove(m, id);
}

TEST(hlist_random_vs_model)
{
	static struct hlist_model m;
	unsigned long steps = 20000 * TEST_SCALE();

	rng_seed(TEST_SEED() + 1);
	memset(&m, 0, sizeof(m));
	init_items(m.items, NITEMS);
	for (int b = 0; b < NBUCKETS; b++)
		INIT_HLIST_HEAD(&m.heads[b]);
	for (int i = 0; i < NITEMS; i++)
		m.where[i] = -1;
	for (unsigned long step = 0; step < steps; step++) {
		random_hlist_op(&m);
		for (int b = 0; b < NBUCKETS; b++) {
			int bad = hlist_differs(&m.heads[b], m.ids[b], m.len[b]);

			if (bad)
				TEST_FAIL_("step %lu bucket %d differs at %d",
					   step, b, bad);
			if (hlist_empty(&m.heads[b]) != (m.len[b] == 0))
				TEST_FAIL_("step %lu bucket %d hlist_empty", step,
					   b);
		}
	}
}

/* ---- KMM_DEBUG_VM corruption checks ------------------------------------ */

static void reset_reports(void)
{
	corruption_reports = 0;
	corruption_what = "";
	corruption_entry = NULL;
}

TEST(list_debug_double_del)
{
	struct item it[2];
	LIST_HEAD(head);

	init_items(it, 2);
	list_add_tail(&it[0].node, &head);
	list_add_tail(&it[1].node, &head);
	reset_reports();
	list_del(&it[0].node);
	ASSERT_EQ(corruption_reports, 0);
	list_del(&it[0].node);		/* poisoned: reported, not followed */
	ASSERT_EQ(corruption_reports, 1);
	ASSERT_TRUE(corruption_entry == &it[0].node);
	ASSERT_CONTAINS(corruption_what, "LIST_POISON1");
	ASSERT_LIST(&head, 1);
	list_move(&it[0].node, &head);	/* deleted entry: reported, not added */
	ASSERT_EQ(corruption_reports, 2);
	ASSERT_LIST(&head, 1);
	ASSERT_TRUE(it[0].node.next == LIST_POISON1);
	reset_reports();
}

TEST(list_debug_bad_neighbours_on_del)
{
	struct item it[3];
	LIST_HEAD(head);

	init_items(it, 3);
	for (int i = 0; i < 3; i++)
		list_add_tail(&it[i].node, &head);
	reset_reports();
	it[0].node.next = &it[2].node;		/* a lost update */
	list_del(&it[1].node);
	ASSERT_EQ(corruption_reports, 1);
	ASSERT_CONTAINS(corruption_what, "prev->next should be entry");
	ASSERT_TRUE(it[0].node.next == &it[2].node);	/* not touched */
	ASSERT_TRUE(it[2].node.prev == &it[1].node);
	it[0].node.next = &it[1].node;
	ASSERT_LIST(&head, 0, 1, 2);
	it[2].node.prev = &it[0].node;
	reset_reports();
	list_del_init(&it[1].node);
	ASSERT_EQ(corruption_reports, 1);
	ASSERT_CONTAINS(corruption_what, "next->prev should be entry");
	it[2].node.prev = &it[1].node;
	ASSERT_LIST(&head, 0, 1, 2);
	reset_reports();
}

TEST(list_debug_bad_add)
{
	struct item it[3];
	LIST_HEAD(head);

	init_items(it, 3);
	list_add_tail(&it[0].node, &head);
	reset_reports();
	list_add(&it[0].node, &head);		/* already first: double add */
	ASSERT_EQ(corruption_reports, 1);
	ASSERT_CONTAINS(corruption_what, "double add");
	ASSERT_TRUE(corruption_entry == &it[0].node);
	ASSERT_LIST(&head, 0);
	it[0].node.prev = &it[2].node;		/* next->prev is wrong */
	list_add(&it[1].node, &head);
	ASSERT_EQ(corruption_reports, 2);
	ASSERT_CONTAINS(corruption_what, "next->prev should be prev");
	ASSERT_TRUE(head.next == &it[0].node);	/* not linked */
	it[0].node.prev = &head;
	head.prev = &it[2].node;		/* prev->next is wrong */
	list_add_tail(&it[1].node, &head);
	ASSERT_EQ(corruption_reports, 3);
	head.prev = &it[0].node;
	ASSERT_LIST(&head, 0);
	reset_reports();
}

int main(void)
{
	RUN_TEST(list_empty_head);
	RUN_TEST(list_add_order);
	RUN_TEST(list_del_poisons);
	RUN_TEST(list_replace_move_rotate);
	RUN_TEST(list_splice_variants);
	RUN_TEST(list_cut_position_edges);
	RUN_TEST(list_iterators);
	RUN_TEST(list_random_vs_model);
	RUN_TEST(hlist_by_hand);
	RUN_TEST(hlist_random_vs_model);
	RUN_TEST(list_debug_double_del);
	RUN_TEST(list_debug_bad_neighbours_on_del);
	RUN_TEST(list_debug_bad_add);
	return harness_summary();
}
