/*
 * mm/slab_debug.c - the slab's debug options and their reports: red
 * zones (SLAB_RED_ZONE), poison (SLAB_POISON) and the owner track
 * (SLAB_STORE_USER), per cache or for all with slab_debug=1.  Linux keeps
 * them in mm/slub.c; they are apart here so that mm/slab.c stays the
 * allocator.  A red zone found overwritten is reported in the layout of
 * SLUB's object reports: what was hit, where the first bad byte is, who
 * allocated and freed the object, and a hex dump of it.
 *
 * An object's slot, with every option on:
 *
 *   [red zone 1][pad to align][object][pad to 8][red zone 2][alloc][free]
 *    8 bytes                                     8 bytes    callers
 *
 * The red zones hold RED_ACTIVE while the object is out, RED_INACTIVE
 * while it is free; free objects are POISON_FREE bytes and a POISON_END.
 */
#include <string.h>
#include "base/seq_buf.h"
#include "mm/slab.h"

#define DUMP_MAX	128	/* object bytes shown, next to the red zone */

static unsigned long long *redzone1(struct kmem_cache *s, void *slot)
{
	return (unsigned long long *)slot;
}

static unsigned long long *redzone2(struct kmem_cache *s, void *slot)
{
	return (unsigned long long *)((char *)slot + s->obj_offset +
				      ALIGN(s->object_size, 8));
}

/* [0]: who allocated the object, [1]: who freed it last (0: nobody). */
static unsigned long *user_slots(struct kmem_cache *s, void *slot)
{
	char *p = (char *)slot + s->obj_offset + ALIGN(s->object_size, 8);

	if (s->flags & SLAB_RED_ZONE)
		p += 8;
	return (unsigned long *)p;
}

static void poison_obj(struct kmem_cache *s, void *slot)
{
	unsigned char *p = slot_to_obj(s, slot);

	memset(p, POISON_FREE, s->object_size - 1);
	p[s->object_size - 1] = POISON_END;
}

/* Returns the offset of the first byte that is not poison, or -1. */
static long check_poison(struct kmem_cache *s, void *slot)
{
	unsigned char *p = slot_to_obj(s, slot);
	unsigned int i;

	for (i = 0; i + 1 < s->object_size; i++)
		if (p[i] != POISON_FREE)
			return i;
	return p[s->object_size - 1] == POISON_END ? -1 : (long)s->object_size - 1;
}

/* ------------------------------------------------------------------ */
/* The red-zone report                                                 */
/* ------------------------------------------------------------------ */

/* A code address as Linux's %pS would print it, and the address itself. */
static void print_caller(struct seq_buf *m, const char *what, unsigned long caller)
{
	char sym[256];

	if (!caller) {
		seq_printf(m, "%s: none recorded\n", what);
		return;
	}
	sprint_caller(sym, sizeof(sym), caller);
	seq_printf(m, "%s %s\n", what, sym);
}

/* Rows of 16 bytes: kernel address, hex, printable characters. */
static void print_section(struct seq_buf *m, const char *label,
			  const unsigned char *p, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i += 16) {
		size_t n = len - i < 16 ? len - i : 16;

		seq_printf(m, "%-8s %#lx: ", label, kmm_kaddr(p + i));
		for (j = 0; j < 16; j++)
			if (j < n)
				seq_printf(m, "%02x ", p[i + j]);
			else
				seq_puts(m, "   ");
		seq_putc(m, ' ');
		for (j = 0; j < n; j++)
			seq_putc(m, p[i + j] >= 0x20 && p[i + j] < 0x7f ? (char)p[i + j] : '.');
		seq_putc(m, '\n');
	}
}

/* The object's bytes, at most DUMP_MAX of them on the red zone's side. */
static void print_object(struct seq_buf *m, struct kmem_cache *s, void *slot,
			 bool right)
{
	unsigned char *obj = slot_to_obj(s, slot);
	size_t len = s->object_size < DUMP_MAX ? s->object_size : DUMP_MAX;
	size_t start = right ? s->object_size - len : 0;

	if (start)
		seq_printf(m, "(the first %zu bytes of the object are not shown)\n", start);
	print_section(m, "Object", obj + start, len);
	if (!right && len < s->object_size)
		seq_printf(m, "(the last %zu bytes of the object are not shown)\n",
			   s->object_size - len);
}

/*
 * The red zone at zone (Left or Right of the object in slot) does not hold
 * want.  Found by `when` (alloc or free) in caller.  The report, in
 * SLUB's words: what was overwritten, the bad bytes and the first of
 * them, the owner track, the slab, and a dump of the object and its red
 * zones; then the red zone is restored.
 */
static void __cold redzone_report(struct kmem_cache *s, void *slot, bool right,
				  unsigned long long want, const char *when,
				  unsigned long caller)
{
	unsigned long long *zone = right ? redzone2(s, slot) : redzone1(s, slot);
	const unsigned char *have = (const unsigned char *)zone;
	const unsigned char *w = (const unsigned char *)&want;
	struct page *page = compound_head(virt_to_page(slot));
	unsigned char *obj = slot_to_obj(s, slot);
	char *base = page_address(page);
	const char *side = right ? "Right" : "Left";
	unsigned int first = 0, last = 0, i;
	struct seq_buf m;
	char buf[4096];

	for (i = 8; i-- > 0;)
		if (have[i] != w[i])
			first = i;
	for (i = 0; i < 8; i++)
		if (have[i] != w[i])
			last = i;
	seq_buf_init(&m, buf, sizeof(buf));
	seq_puts(&m, "=============================================================================\n");
	seq_printf(&m, "BUG %s (Not tainted): %s Redzone overwritten\n", s->name, side);
	seq_puts(&m, "-----------------------------------------------------------------------------\n\n");
	seq_printf(&m, "%#lx-%#lx @offset=%lu. First byte %#x instead of %#x (object%+ld)\n",
		   kmm_kaddr(have + first), kmm_kaddr(have + last),
		   (unsigned long)((const char *)have + first - base), have[first], w[first],
		   (long)((const unsigned char *)have + first - obj));
	if (s->flags & SLAB_STORE_USER) {
		print_caller(&m, "Allocated in", user_slots(s, slot)[0]);
		print_caller(&m, "Freed in", user_slots(s, slot)[1]);
	} else {
		seq_puts(&m, "Allocated in / Freed in: not recorded (no SLAB_STORE_USER)\n");
	}
	print_caller(&m, when, caller);
	seq_printf(&m, "Slab %#lx objects=%u used=%u order=%u\n", kmm_kaddr(base),
		   page->slab ? page->slab->num : 0,
		   page->slab ? READ_ONCE(page->slab->inuse) : 0, compound_order(page));
	seq_printf(&m, "Object %#lx @offset=%lu size=%u\n\n", kmm_kaddr(obj),
		   (unsigned long)((char *)obj - base), s->object_size);
	print_section(&m, "Redzone", (unsigned char *)redzone1(s, slot), 8);
	print_object(&m, s, slot, right);
	if (ALIGN(s->object_size, 8) > s->object_size)
		print_section(&m, "Padding", obj + s->object_size,
			      ALIGN(s->object_size, 8) - s->object_size);
	print_section(&m, "Redzone", (unsigned char *)redzone2(s, slot), 8);
	seq_printf(&m, "FIX %s: Restoring %s Redzone %#lx-%#lx=%#llx\n", s->name, side,
		   kmm_kaddr(zone), kmm_kaddr((char *)zone + 7), want);
	__atomic_fetch_add(&s->nr_reports, 1, __ATOMIC_RELAXED);
	kmm_report(s->k, "%s", buf);
}

/* Both red zones must hold want; reports each that does not. */
static void check_redzones(struct kmem_cache *s, void *slot, unsigned long long want,
			   const char *when, unsigned long caller)
{
	if (unlikely(*redzone1(s, slot) != want))
		redzone_report(s, slot, false, want, when, caller);
	if (unlikely(*redzone2(s, slot) != want))
		redzone_report(s, slot, true, want, when, caller);
}

/* ------------------------------------------------------------------ */
/* The allocator's hooks                                               */
/* ------------------------------------------------------------------ */

/* A newly carved object, before its constructor: in its free state. */
void slab_debug_init_object(struct kmem_cache *s, void *slot)
{
	if (s->flags & SLAB_RED_ZONE) {
		*redzone1(s, slot) = RED_INACTIVE;
		*redzone2(s, slot) = RED_INACTIVE;
	}
	if (s->flags & SLAB_STORE_USER)
		user_slots(s, slot)[0] = user_slots(s, slot)[1] = 0;
	if ((s->flags & SLAB_POISON) && !s->ctor)
		poison_obj(s, slot);
}

/* The object leaves the allocator: check its free state, arm it. */
void slab_debug_alloc(struct kmem_cache *s, void *obj, unsigned long caller)
{
	void *slot = obj_to_slot(s, obj);

	if (s->flags & SLAB_POISON && !s->ctor) {
		long bad = check_poison(s, slot);

		if (bad >= 0)
			slab_report(s, obj, "use after free: poison overwritten at offset %ld", bad);
		memset(obj, POISON_INUSE, s->object_size);
	}
	if (s->flags & SLAB_RED_ZONE) {
		/* Written while free: someone overran a neighbour, or kept
		 * a pointer after kfree. */
		check_redzones(s, slot, RED_INACTIVE, "Found at allocation by", caller);
		*redzone1(s, slot) = RED_ACTIVE;
		*redzone2(s, slot) = RED_ACTIVE;
	}
	if (s->flags & SLAB_STORE_USER)
		user_slots(s, slot)[0] = caller;
}

/* The object comes back: check what its owner may have overrun. */
void slab_debug_free(struct kmem_cache *s, void *obj, unsigned long caller)
{
	void *slot = obj_to_slot(s, obj);

	if (s->flags & SLAB_RED_ZONE) {
		check_redzones(s, slot, RED_ACTIVE, "Found at free by", caller);
		*redzone1(s, slot) = RED_INACTIVE;
		*redzone2(s, slot) = RED_INACTIVE;
	}
	if (s->flags & SLAB_STORE_USER)
		user_slots(s, slot)[1] = caller;
	/* Constructed objects keep their state while free: no poison. */
	if ((s->flags & SLAB_POISON) && !s->ctor)
		poison_obj(s, slot);
}

/* A slab about to be given back: its free objects must hold their poison. */
void slab_debug_check_slab(struct kmem_cache *s, struct slab *slabp)
{
	unsigned int i;

	if (!(s->flags & SLAB_POISON) || s->ctor)
		return;
	for (i = 0; i < slabp->num; i++) {
		void *slot = index_to_obj(s, slabp, i);
		long bad = check_poison(s, slot);

		if (bad >= 0)
			slab_report(s, slot_to_obj(s, slot),
				    "use after free: poison overwritten at offset %ld", bad);
	}
}
