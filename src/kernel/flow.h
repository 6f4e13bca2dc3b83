/*
 * The addresses, protocol and ports of an IP packet (v4 or v6), parsed
 * through struct rbuf, and their match against a traffic selector.
 */
#ifndef IKED_FLOW_H
#define IKED_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

struct flow {
	int		fl_family;	/* AF_INET or AF_INET6 */
	uint8_t		fl_src[16];	/* IPv4 uses the first 4 bytes */
	uint8_t		fl_dst[16];
	uint8_t		fl_proto;	/* upper-layer protocol */
	int		fl_has_ports;	/* 0 for non-first fragments */
	int		fl_fragment;	/* any fragment, the first too */
	uint16_t	fl_sport;	/* host order; ICMP: type */
	uint16_t	fl_dport;	/* host order; ICMP: code */
	size_t		fl_hdrlen;	/* IP header and IPv6 extensions */
	size_t		fl_totlen;	/* packet length from the IP header */
	uint8_t		fl_ttl;		/* TTL or hop limit */
};

/*
 * Parse the packet's IP header.  Returns ERR_TRUNCATED when pkt is shorter
 * than the header or the length it declares, ERR_MALFORMED for a bad
 * version or header length.  Bytes after fl_totlen are allowed (ESP
 * traffic flow confidentiality padding, RFC 4303 2.7).
 */
int	 flow_parse(struct flow *, const uint8_t *pkt, size_t len);
/* Returns 1 when the flow lies inside the selector. */
int	 flow_match(const struct flow *, const struct kernel_selector *);
/* Fill a selector of host prefixes with the flow's addresses and ports. */
void	 flow_to_selector(const struct flow *, struct kernel_selector *);
/* Copy a sockaddr's address bytes (4 or 16); returns the family or 0. */
int	 flow_sockaddr_bytes(const struct sockaddr_storage *, uint8_t *);

#endif /* IKED_FLOW_H */
