/* crc32.c - CRC-32 as used by IEEE 802.3, zlib and PNG: reflected,
 * polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF. */
#include "lib.h"

#define POLY 0xEDB88320u

/*
 * Processing four bits per step needs only a 16-entry table, built here by
 * the compiler from the bitwise definition: entry i is i shifted through
 * four single-bit steps.  No large table, no first-use initialisation race.
 */
#define STEP1(c) (((c) >> 1) ^ (((c)&1u) ? POLY : 0u))
#define STEP4(i) STEP1(STEP1(STEP1(STEP1((uint32_t)(i)))))

static const uint32_t nibble_table[16] = {
	STEP4(0), STEP4(1), STEP4(2),  STEP4(3),  STEP4(4),  STEP4(5),  STEP4(6),  STEP4(7),
	STEP4(8), STEP4(9), STEP4(10), STEP4(11), STEP4(12), STEP4(13), STEP4(14), STEP4(15),
};

uint32_t LIB_NAME(crc32_update)(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	/* The running value is kept post-xor so callers can chain calls the
     * same way as zlib's crc32(): crc = crc32_update(crc, ...), from 0. */
	crc = ~crc;
	while (len-- > 0) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble_table[crc & 0xF];
		crc = (crc >> 4) ^ nibble_table[crc & 0xF];
	}
	return ~crc;
}

uint32_t LIB_NAME(crc32)(const void *buf, size_t len)
{
	return LIB_NAME(crc32_update)(0, buf, len);
}
