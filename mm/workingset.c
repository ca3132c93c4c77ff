/*
 * mm/workingset.c - refault detection, as Linux's mm/workingset.c: when
 * reclaim evicts a page-cache folio it leaves a shadow entry in the
 * folio's slot of the cache, a timestamp of the eviction; when the page
 * is read again the distance since tells whether it would have stayed
 * resident had it been on the active list.
 *
 * The clock is the node's nonresident_age, which ticks once per page
 * evicted and once per page activated: between a page's eviction and its
 * refault, the pages that left the inactive list (evicted or promoted)
 * number the refault distance.  A page that had been on the active list
 * R pages ago refaults at a distance of at most R; if the distance is no
 * larger than what could be on the active list (the active file list,
 * plus the anon lists when swap lets them shrink), the page is part of a
 * working set that thrashes through a too small inactive list: it is
 * activated at once (workingset_activate_file), and marked PG_workingset
 * so a second eviction of it counts as a restore (workingset_restore_file).
 *
 * Shadow entries cost memory: xarray nodes that hold only shadows are
 * kept on a list (workingset_update_node, told by the xarray as entries
 * come and go) and a shrinker frees them beyond 1/8 of a node per page of
 * RAM, as count_shadow_nodes does (workingset_nodes, _nodereclaim).
 *
 * Shadow layout (an xarray value entry): bit 0 PG_workingset of the
 * evicted folio, the rest the eviction time.  Linux also packs a memcg
 * id and node id; kmm has one node and no memcg.
 */
#include <kmm/mm_inline.h>
#include <kmm/pagemap.h>
#include <kmm/shrinker.h>
#include <kmm/fs.h>
#include "mm/internal.h"

#define WORKINGSET_SHIFT	1
#define EVICTION_MASK		(~0ul >> (WORKINGSET_SHIFT + 1))

static void *pack_shadow(unsigned long eviction, bool workingset)
{
	return xa_mk_value(((eviction & EVICTION_MASK) << WORKINGSET_SHIFT) | workingset);
}

static void unpack_shadow(const void *shadow, unsigned long *eviction, bool *workingset)
{
	unsigned long entry = xa_to_value(shadow);

	*workingset = entry & 1;
	*eviction = entry >> WORKINGSET_SHIFT;
}

/* The clock ticks nr_pages (workingset_age_nonresident). */
void workingset_age_nonresident(struct kmm *k, unsigned long nr_pages)
{
	__atomic_fetch_add(&k->mem->node.__lruvec.nonresident_age, nr_pages, __ATOMIC_RELAXED);
}

/*
 * workingset_eviction: reclaim is about to drop folio from the page cache;
 * the shadow to leave in its place.  The eviction itself ticks the clock.
 */
void *workingset_eviction(struct page *folio)
{
	struct kmm *k = kmm_cur();
	unsigned long eviction;

	workingset_age_nonresident(k, folio_nr_pages(folio));
	eviction = READ_ONCE(k->mem->node.__lruvec.nonresident_age);
	return pack_shadow(eviction, PageWorkingset(folio));
}

/*
 * Would the page a shadow remembers have stayed resident on the active
 * list (workingset_test_recent)?  *workingset: it was part of the working
 * set when it was evicted.
 */
bool workingset_test_recent(const void *shadow, bool file, bool *workingset)
{
	struct kmm *k = kmm_cur();
	pg_data_t *pgdat = &k->mem->node;
	unsigned long eviction, refault, distance, size;

	unpack_shadow(shadow, &eviction, workingset);
	refault = READ_ONCE(pgdat->__lruvec.nonresident_age);
	distance = (refault - eviction) & EVICTION_MASK;
	size = node_page_state(pgdat, NR_ACTIVE_FILE);
	if (!file)
		size += node_page_state(pgdat, NR_INACTIVE_FILE);
	if (get_nr_swap_pages(k) > 0) {
		size += node_page_state(pgdat, NR_ACTIVE_ANON);
		if (file)
			size += node_page_state(pgdat, NR_INACTIVE_ANON);
	}
	return distance <= size;
}

/*
 * workingset_refault: folio was just read into the slot where shadow was.
 * Counted as a refault; activated if it is recent; a restore if it was in
 * the working set.  Called before the folio joins the LRU (so it joins
 * the active list).
 */
void workingset_refault(struct page *folio, const void *shadow)
{
	struct kmm *k = kmm_cur();
	bool file = folio_is_file_lru(folio), workingset;
	long nr = (long)folio_nr_pages(folio);

	mod_node_page_state(k, file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON, nr);
	if (!workingset_test_recent(shadow, file, &workingset))
		return;
	SetPageActive(folio);
	workingset_age_nonresident(k, (unsigned long)nr);
	mod_node_page_state(k, file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON, nr);
	if (workingset) {
		SetPageWorkingset(folio);
		/* A restore costs its type (lru_note_cost_refault). */
		if (file)
			k->mem->node.__lruvec.file_cost += (unsigned long)nr;
		else
			k->mem->node.__lruvec.anon_cost += (unsigned long)nr;
		mod_node_page_state(k, file ? WORKINGSET_RESTORE_FILE : WORKINGSET_RESTORE_ANON, nr);
	}
}

/* A folio was promoted to the active list by a use: the clock ticks. */
void workingset_activation(struct page *folio)
{
	workingset_age_nonresident(kmm_cur(), folio_nr_pages(folio));
}

/* ---- shadow nodes -------------------------------------------------------- */

/*
 * The xarray tells of each leaf whose count changed (caller holds its
 * xa_lock): one holding only shadows joins the list, one holding a page
 * again or freed leaves it.
 */
void workingset_update_node(struct xa_node *node)
{
	struct kmm *k = kmm_cur();
	bool shadows_only = node->shift == 0 && node->count && node->count == node->nr_values;

	if (shadows_only == !list_empty(&node->private_list))
		return;
	pthread_mutex_lock(&k->mem->shadow_nodes_lock);
	if (shadows_only && list_empty(&node->private_list)) {
		list_add_tail(&node->private_list, &k->mem->shadow_nodes);
		mod_node_page_state(k, WORKINGSET_NODES, 1);
	} else if (!shadows_only && !list_empty(&node->private_list)) {
		list_del_init(&node->private_list);
		mod_node_page_state(k, WORKINGSET_NODES, -1);
	}
	pthread_mutex_unlock(&k->mem->shadow_nodes_lock);
}

/* count_shadow_nodes: those beyond 1/8 of a node per page of RAM. */
static unsigned long count_shadow_nodes(struct shrinker *s, struct shrink_control *sc)
{
	struct kmm *k = s->k;
	unsigned long nodes = node_page_state(&k->mem->node, WORKINGSET_NODES);
	unsigned long max_nodes = k->mem->node.node_present_pages >> (XA_CHUNK_SHIFT - 3);

	(void)sc;
	if (!nodes)
		return SHRINK_EMPTY;
	return nodes > max_nodes ? nodes - max_nodes : 0;
}

/*
 * scan_shadow_nodes: the oldest shadow-only nodes go, entries and all
 * (shadow_lru_isolate).  A node's array is locked with a trylock, as
 * Linux does: the update hook takes the list lock under xa_lock.
 */
static unsigned long scan_shadow_nodes(struct shrinker *s, struct shrink_control *sc)
{
	struct kmm *k = s->k;
	unsigned long freed = 0, scanned = 0;

	while (scanned < sc->nr_to_scan) {
		struct xa_node *node;
		struct xarray *xa;

		pthread_mutex_lock(&k->mem->shadow_nodes_lock);
		if (list_empty(&k->mem->shadow_nodes)) {
			pthread_mutex_unlock(&k->mem->shadow_nodes_lock);
			break;
		}
		node = list_first_entry(&k->mem->shadow_nodes, struct xa_node, private_list);
		xa = node->array;
		scanned++;
		if (!xa_trylock(xa)) {
			list_move_tail(&node->private_list, &k->mem->shadow_nodes);
			pthread_mutex_unlock(&k->mem->shadow_nodes_lock);
			continue;
		}
		list_del_init(&node->private_list);
		mod_node_page_state(k, WORKINGSET_NODES, -1);
		pthread_mutex_unlock(&k->mem->shadow_nodes_lock);
		xa_delete_node(node, workingset_update_node);
		xa_unlock(xa);
		mod_node_page_state(k, WORKINGSET_NODERECLAIM, 1);
		freed++;
	}
	sc->nr_scanned = scanned;
	return freed;
}

int workingset_init(struct kmm *k)
{
	struct shrinker *s;

	INIT_LIST_HEAD(&k->mem->shadow_nodes);
	pthread_mutex_init(&k->mem->shadow_nodes_lock, NULL);
	s = shrinker_alloc(0, "mm-shadow");
	if (!s)
		return -1;
	s->count_objects = count_shadow_nodes;
	s->scan_objects = scan_shadow_nodes;
	s->seeks = 0;	/* Linux: cheap to recreate, dropped readily */
	shrinker_register(s);
	k->mem->shadow_shrinker = s;
	return 0;
}

void workingset_exit(struct kmm *k)
{
	shrinker_free(k->mem->shadow_shrinker);
	k->mem->shadow_shrinker = NULL;
}
