/*
 * The Internet checksum (RFC 1071) of IPv4 headers and of TCP and UDP
 * segments, computed on 16-bit words in the host's byte order.  The
 * ones' complement sum does not depend on byte order (RFC 1071 2(B)),
 * so a folded sum that csum_put stores is in network order in memory.
 * Every piece summed must start at an even offset of the checksummed
 * data.
 */
#ifndef IKED_CSUM_H
#define IKED_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add the bytes p[0..len) to sum; an odd last byte is padded with zero. */
uint64_t	 csum_partial(const uint8_t *p, size_t len, uint64_t sum);
/* Add a 16-bit field given as a host-order number, e.g. a length. */
uint64_t	 csum_add16(uint64_t sum, uint16_t value);
/* Subtract such a field (ones' complement: add its complement). */
uint64_t	 csum_sub16(uint64_t sum, uint16_t value);
/* Fold sum to 16 bits, not complemented. */
uint16_t	 csum_fold(uint64_t sum);
/* The stored checksum field at p, or store one there. */
uint16_t	 csum_get(const uint8_t *p);
void		 csum_put(uint8_t *p, uint16_t folded);
/* The IPv4 header checksum field for hdr[0..len), to store with csum_put. */
uint16_t	 csum_ipv4_header(const uint8_t *hdr, size_t len);

#endif /* IKED_CSUM_H */
