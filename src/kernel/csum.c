#include <arpa/inet.h>

#include <string.h>

#include "kernel/csum.h"

#define CSUM_IPV4_FIELD	10	/* offset of the header checksum */

/*
 * 32-bit words go into a 64-bit accumulator, whose carries csum_fold
 * adds back: 2^32 words (16 GB) fit before it could overflow.
 */
uint64_t
csum_partial(const uint8_t *p, size_t len, uint64_t sum)
{
	uint32_t	w[4];
	uint16_t	half = 0;

	while (len >= sizeof(w)) {
		memcpy(w, p, sizeof(w));
		sum += (uint64_t)w[0] + w[1] + w[2] + w[3];
		p += sizeof(w);
		len -= sizeof(w);
	}
	while (len >= 4) {
		memcpy(w, p, 4);
		sum += w[0];
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&half, p, 2);
		sum += half;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		half = 0;
		memcpy(&half, p, 1);
		sum += half;
	}
	return (sum);
}

uint64_t
csum_add16(uint64_t sum, uint16_t value)
{
	return (sum + htons(value));
}

uint64_t
csum_sub16(uint64_t sum, uint16_t value)
{
	return (sum + (uint16_t)~htons(value));
}

uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)sum);
}

uint16_t
csum_get(const uint8_t *p)
{
	uint16_t	v;

	memcpy(&v, p, sizeof(v));
	return (v);
}

void
csum_put(uint8_t *p, uint16_t folded)
{
	memcpy(p, &folded, sizeof(folded));
}

uint16_t
csum_ipv4_header(const uint8_t *hdr, size_t len)
{
	uint64_t	sum;

	sum = csum_partial(hdr, CSUM_IPV4_FIELD, 0);
	sum = csum_partial(hdr + CSUM_IPV4_FIELD + 2,
	    len - CSUM_IPV4_FIELD - 2, sum);
	return ((uint16_t)~csum_fold(sum));
}
