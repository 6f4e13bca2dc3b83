/*
 * Address forms of the configuration files: A, A/len, A/MASK and A-B, for
 * IPv4 and IPv6, turned into inclusive ranges.
 */
#ifndef IKED_CONFIG_ADDR_H
#define IKED_CONFIG_ADDR_H

#include <stddef.h>

#include "config/config.h"

/* Bytes of an address of this family: 4 or 16 (0 when unknown). */
size_t	addr_len(int family);
int	addr_parse_ip(const char *, struct config_ip *);
/* Prefix length of a contiguous mask, or -1. */
int	addr_mask_plen(const struct config_ip *);
void	addr_prefix_range(struct config_range *, const struct config_ip *,
	    unsigned int plen);
/*
 * Parse "A", "A/len", "A/MASK" or "A-B".  On error returns ERR_MALFORMED
 * and writes the reason, ready for a message, to why.
 */
int	addr_parse_range(const char *, struct config_range *, char *why,
	    size_t whylen);
/* Write a range as it was written ("A", "A/len", "A - B"). */
void	addr_format_ip(const struct config_ip *, char *, size_t);
void	addr_format_range(const struct config_range *, char *, size_t);

#endif /* IKED_CONFIG_ADDR_H */
