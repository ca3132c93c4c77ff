/*
 * base/crc32.c - the CRC-32 of zlib, gzip and PNG (reflected polynomial
 * 0xEDB88320, initial and final value ~0), so `read` output can be
 * checked with any tool (python3 -c 'import zlib; ...').
 */
#include "base/crc32.h"

uint32_t crc32_le(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = buf;
	size_t i;

	if (!table[1]) {
		for (uint32_t n = 0; n < 256; n++) {
			uint32_t c = n;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[n] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}
