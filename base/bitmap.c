/*
 * base/bitmap.c - the out-of-line bitmap operations: find_*_bit searches,
 * range set/clear, whole-bitmap compare/count/logic, and the aligned
 * zero-area search used by allocators that hand out runs of bits.
 *
 * Mirrors Linux lib/bitmap.c and lib/find_bit.c.  Bits past @nbits in the
 * last word are masked off wherever they could change a result.
 */
#include <kmm/bitmap.h>

/* The bits of word @k that belong to an @nbits-bit map. */
static inline unsigned long word_mask(unsigned long k, unsigned long nbits)
{
	if (k < nbits / BITS_PER_LONG)
		return ~0UL;
	return BITMAP_LAST_WORD_MASK(nbits);
}

/*
 * First bit at or after @start, below @size, that is set in word ^ @invert
 * (@invert is 0 to find set bits, ~0UL to find clear ones); @size if none.
 */
static unsigned long find_next(const unsigned long *addr, unsigned long size,
			       unsigned long start, unsigned long invert)
{
	unsigned long word;

	if (start >= size)
		return size;
	word = (addr[BIT_WORD(start)] ^ invert) & BITMAP_FIRST_WORD_MASK(start);
	start -= start % BITS_PER_LONG;
	while (!word) {
		start += BITS_PER_LONG;
		if (start >= size)
			return size;
		word = addr[BIT_WORD(start)] ^ invert;
	}
	/* The hit may be a tail bit past @size in the last word. */
	return min(start + (unsigned long)__builtin_ctzl(word), size);
}

unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
			    unsigned long offset)
{
	return find_next(addr, size, offset, 0);
}

unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
				 unsigned long offset)
{
	return find_next(addr, size, offset, ~0UL);
}

unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
	unsigned long k, word;

	if (!size)
		return size;
	k = BIT_WORD(size - 1);
	word = addr[k] & BITMAP_LAST_WORD_MASK(size);
	while (!word) {
		if (!k)
			return size;
		word = addr[--k];
	}
	return k * BITS_PER_LONG + BITS_PER_LONG - 1 -
	       (unsigned long)__builtin_clzl(word);
}

bool bitmap_equal(const unsigned long *src1, const unsigned long *src2,
		  unsigned long nbits)
{
	unsigned long k;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++)
		if ((src1[k] ^ src2[k]) & word_mask(k, nbits))
			return false;
	return true;
}

bool bitmap_empty(const unsigned long *src, unsigned long nbits)
{
	return find_first_bit(src, nbits) >= nbits;
}

bool bitmap_full(const unsigned long *src, unsigned long nbits)
{
	return find_first_zero_bit(src, nbits) >= nbits;
}

unsigned long bitmap_weight(const unsigned long *src, unsigned long nbits)
{
	unsigned long k, weight = 0;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++) {
		unsigned long word = src[k] & word_mask(k, nbits);

		weight += (unsigned long)__builtin_popcountl(word);
	}
	return weight;
}

/* Sets (@set) or clears the @len bits from @start, a word at a time. */
static void bitmap_update_range(unsigned long *map, unsigned long start,
				unsigned long len, bool set)
{
	unsigned long *p = map + BIT_WORD(start);
	unsigned long room = BITS_PER_LONG - start % BITS_PER_LONG;
	unsigned long mask = BITMAP_FIRST_WORD_MASK(start);

	while (len) {
		if (len < room)
			mask &= BITMAP_LAST_WORD_MASK(start + len);
		if (set)
			*p |= mask;
		else
			*p &= ~mask;
		if (len <= room)
			return;
		len -= room;
		start += room;
		room = BITS_PER_LONG;
		mask = ~0UL;
		p++;
	}
}

void bitmap_set(unsigned long *map, unsigned long start, unsigned long len)
{
	bitmap_update_range(map, start, len, true);
}

void bitmap_clear(unsigned long *map, unsigned long start, unsigned long len)
{
	bitmap_update_range(map, start, len, false);
}

bool bitmap_and(unsigned long *dst, const unsigned long *src1,
		const unsigned long *src2, unsigned long nbits)
{
	unsigned long k, any = 0;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++) {
		dst[k] = src1[k] & src2[k];
		any |= dst[k] & word_mask(k, nbits);
	}
	return any != 0;
}

void bitmap_or(unsigned long *dst, const unsigned long *src1,
	       const unsigned long *src2, unsigned long nbits)
{
	unsigned long k;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = src1[k] | src2[k];
}

void bitmap_xor(unsigned long *dst, const unsigned long *src1,
		const unsigned long *src2, unsigned long nbits)
{
	unsigned long k;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = src1[k] ^ src2[k];
}

bool bitmap_andnot(unsigned long *dst, const unsigned long *src1,
		   const unsigned long *src2, unsigned long nbits)
{
	unsigned long k, any = 0;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++) {
		dst[k] = src1[k] & ~src2[k];
		any |= dst[k] & word_mask(k, nbits);
	}
	return any != 0;
}

void bitmap_complement(unsigned long *dst, const unsigned long *src,
		       unsigned long nbits)
{
	unsigned long k;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = ~src[k];
}

bool bitmap_intersects(const unsigned long *src1, const unsigned long *src2,
		       unsigned long nbits)
{
	unsigned long k;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++)
		if (src1[k] & src2[k] & word_mask(k, nbits))
			return true;
	return false;
}

/* True when every bit of @src1 is also set in @src2. */
bool bitmap_subset(const unsigned long *src1, const unsigned long *src2,
		   unsigned long nbits)
{
	unsigned long k;

	for (k = 0; k < BITS_TO_LONGS(nbits); k++)
		if (src1[k] & ~src2[k] & word_mask(k, nbits))
			return false;
	return true;
}

unsigned long bitmap_find_next_zero_area_off(unsigned long *map,
					     unsigned long size,
					     unsigned long start,
					     unsigned long nr,
					     unsigned long align_mask,
					     unsigned long align_offset)
{
	unsigned long index, end, busy;

	for (;;) {
		index = find_next_zero_bit(map, size, start);
		/* Round up so that index + align_offset is aligned. */
		index = ((index + align_offset + align_mask) & ~align_mask) -
			align_offset;
		end = index + nr;
		if (end > size)
			return end;
		busy = find_next_bit(map, end, index);
		if (busy >= end)
			return index;
		/* Nothing starting before the busy bit can fit. */
		start = busy + 1;
	}
}
