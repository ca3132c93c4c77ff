/*
 * include/kmm/bitmap.h - bit arrays of unsigned long words with Linux's API:
 * single-bit operations (atomic and __non-atomic), whole-bitmap operations,
 * and the find_*_bit searches.
 *
 * Mirrors Linux include/linux/bitmap.h, bitops.h and find.h, all in one
 * header.  Bit n lives in word n / BITS_PER_LONG at position n %
 * BITS_PER_LONG.  Bit numbers and sizes are unsigned long everywhere.
 * Whole-bitmap operations never write past the last word of @nbits and
 * ignore (may clobber, as Linux's do) the unused bits of that last word; the
 * searches return @size when nothing is found.
 *
 * Atomic bit ops: set_bit/clear_bit/change_bit are relaxed; the
 * test_and_* ones are fully ordered, as value-returning atomics are in
 * Linux; the _lock/_unlock ones have acquire/release order.
 */
#ifndef KMM_BITMAP_H
#define KMM_BITMAP_H

#include <kmm/compiler.h>

#include <stdbool.h>
#include <string.h>

#define BITS_PER_BYTE		8
#define BITS_PER_LONG		(__SIZEOF_LONG__ * BITS_PER_BYTE)
#define BITS_TO_LONGS(nr)	DIV_ROUND_UP(nr, BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

#ifndef BIT
#define BIT(nr)			(1UL << (nr))
#endif
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))

/* Bits @start.. of a word, and bits ..@nbits - 1 of the last word. */
#define BITMAP_FIRST_WORD_MASK(start) (~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BITMAP_LAST_WORD_MASK(nbits) (~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

/* ---- single bits, non-atomic ------------------------------------------- */

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline void __change_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] ^= BIT_MASK(nr);
}

static inline bool __test_and_set_bit(unsigned long nr, unsigned long *addr)
{
	unsigned long old = addr[BIT_WORD(nr)];

	addr[BIT_WORD(nr)] = old | BIT_MASK(nr);
	return old & BIT_MASK(nr);
}

static inline bool __test_and_clear_bit(unsigned long nr, unsigned long *addr)
{
	unsigned long old = addr[BIT_WORD(nr)];

	addr[BIT_WORD(nr)] = old & ~BIT_MASK(nr);
	return old & BIT_MASK(nr);
}

/* A relaxed atomic load, so it may race with the atomic ops below. */
static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return (__atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_RELAXED) >>
		(nr % BITS_PER_LONG)) & 1;
}

/* ---- single bits, atomic ----------------------------------------------- */

static inline void set_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
			   __ATOMIC_RELAXED);
}

static inline void change_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_xor(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline bool test_and_set_bit(unsigned long nr, unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

static inline bool test_and_clear_bit(unsigned long nr, unsigned long *addr)
{
	return __atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
				  __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

/* Takes a bit lock: returns false if this caller set it. */
static inline bool test_and_set_bit_lock(unsigned long nr,
					 unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_ACQUIRE) & BIT_MASK(nr);
}

static inline void clear_bit_unlock(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr),
			   __ATOMIC_RELEASE);
}

/* ---- searches (base/bitmap.c) ------------------------------------------ */

/* First set/clear bit at or after @offset, below @size; @size if none. */
unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
			    unsigned long offset);
unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
				 unsigned long offset);
/* Last set bit below @size; @size if none. */
unsigned long find_last_bit(const unsigned long *addr, unsigned long size);

static inline unsigned long find_first_bit(const unsigned long *addr,
					   unsigned long size)
{
	return find_next_bit(addr, size, 0);
}

static inline unsigned long find_first_zero_bit(const unsigned long *addr,
						unsigned long size)
{
	return find_next_zero_bit(addr, size, 0);
}

#define for_each_set_bit(bit, addr, size)                                     \
	for ((bit) = 0;                                                       \
	     ((bit) = find_next_bit((addr), (size), (bit))) < (size);         \
	     (bit)++)

/* Starts from @bit's current value. */
#define for_each_set_bit_from(bit, addr, size)                                \
	for (; ((bit) = find_next_bit((addr), (size), (bit))) < (size); (bit)++)

#define for_each_clear_bit(bit, addr, size)                                   \
	for ((bit) = 0;                                                       \
	     ((bit) = find_next_zero_bit((addr), (size), (bit))) < (size);    \
	     (bit)++)

#define for_each_clear_bit_from(bit, addr, size)                              \
	for (; ((bit) = find_next_zero_bit((addr), (size), (bit))) < (size);  \
	     (bit)++)

/* ---- whole bitmaps ----------------------------------------------------- */

static inline void bitmap_zero(unsigned long *dst, unsigned long nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

/* Sets bits 0..@nbits-1; the unused tail of the last word is left clear. */
static inline void bitmap_fill(unsigned long *dst, unsigned long nbits)
{
	unsigned long words = BITS_TO_LONGS(nbits);

	if (!words)
		return;
	memset(dst, 0xff, words * sizeof(unsigned long));
	dst[words - 1] &= BITMAP_LAST_WORD_MASK(nbits);
}

static inline void bitmap_copy(unsigned long *dst, const unsigned long *src,
			       unsigned long nbits)
{
	memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

bool bitmap_equal(const unsigned long *src1, const unsigned long *src2,
		  unsigned long nbits);
bool bitmap_empty(const unsigned long *src, unsigned long nbits);
bool bitmap_full(const unsigned long *src, unsigned long nbits);
unsigned long bitmap_weight(const unsigned long *src, unsigned long nbits);

/* Sets / clears the @len bits starting at @start. */
void bitmap_set(unsigned long *map, unsigned long start, unsigned long len);
void bitmap_clear(unsigned long *map, unsigned long start, unsigned long len);

/* Word-wise logic on the first @nbits bits; the bool ones say "non-empty". */
bool bitmap_and(unsigned long *dst, const unsigned long *src1,
		const unsigned long *src2, unsigned long nbits);
void bitmap_or(unsigned long *dst, const unsigned long *src1,
	       const unsigned long *src2, unsigned long nbits);
void bitmap_xor(unsigned long *dst, const unsigned long *src1,
		const unsigned long *src2, unsigned long nbits);
bool bitmap_andnot(unsigned long *dst, const unsigned long *src1,
		   const unsigned long *src2, unsigned long nbits);
void bitmap_complement(unsigned long *dst, const unsigned long *src,
		       unsigned long nbits);
bool bitmap_intersects(const unsigned long *src1, const unsigned long *src2,
		       unsigned long nbits);
bool bitmap_subset(const unsigned long *src1, const unsigned long *src2,
		   unsigned long nbits);

/*
 * Finds @nr consecutive clear bits below @size, at or after @start, whose
 * first bit plus @align_offset is a multiple of @align_mask + 1 (a power of
 * two).  Returns the first bit of the area; when none fits, returns a value
 * greater than @size - @nr (in fact, > @size), so test "index + nr > size".
 */
unsigned long bitmap_find_next_zero_area_off(unsigned long *map,
					     unsigned long size,
					     unsigned long start,
					     unsigned long nr,
					     unsigned long align_mask,
					     unsigned long align_offset);

static inline unsigned long
bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
			   unsigned long start, unsigned long nr,
			   unsigned long align_mask)
{
	return bitmap_find_next_zero_area_off(map, size, start, nr, align_mask,
					      0);
}

#endif /* KMM_BITMAP_H */
