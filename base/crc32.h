/* base/crc32.h - zlib's CRC-32 (crc32_le(0, buf, len) is zlib.crc32). */
#ifndef KMM_BASE_CRC32_H
#define KMM_BASE_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_le(uint32_t crc, const void *buf, size_t len);

#endif
