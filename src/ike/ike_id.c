/*
 * Client identities of Quick Mode (RFC 2407 section 4.6.2) as address
 * ranges, and the range arithmetic that policy matching and kernel
 * selectors need.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/rbuf.h"
#include "lib/wbuf.h"

size_t
ike_ip_len(const struct config_ip *ip)
{
	return (ip->family == AF_INET ? 4 : 16);
}

void
ike_range_single(struct config_range *r, const struct config_ip *ip)
{
	memset(r, 0, sizeof(*r));
	r->lo = *ip;
	r->hi = *ip;
	r->kind = CONFIG_RANGE_SINGLE;
	r->plen = ip->family == AF_INET ? 32 : 128;
}

/* The prefix length of [lo, hi], or -1 when it is not one prefix. */
int
ike_range_plen(const struct config_range *r)
{
	size_t	n = ike_ip_len(&r->lo), i;
	int	plen = 0, inhost = 0;

	for (i = 0; i < n * 8; i++) {
		int lb = r->lo.addr[i / 8] >> (7 - i % 8) & 1;
		int hb = r->hi.addr[i / 8] >> (7 - i % 8) & 1;

		if (!inhost && lb == hb) {
			plen++;
			continue;
		}
		inhost = 1;
		if (lb != 0 || hb != 1)
			return (-1);
	}
	return (plen);
}

/* ID payload body for a range (RFC 2407 4.6.2). */
int
ike_qm_id_body(const struct config_range *r, uint8_t proto, uint16_t port,
    struct wbuf *wb)
{
	size_t	n = ike_ip_len(&r->lo), i;
	int	v4 = r->lo.family == AF_INET, plen;

	wbuf_reset(wb);
	plen = ike_range_plen(r);
	if (config_ip_cmp(&r->lo, &r->hi) == 0) {
		wbuf_put_u8(wb, v4 ? ISAKMP_ID_IPV4_ADDR : ISAKMP_ID_IPV6_ADDR);
		wbuf_put_u8(wb, proto);
		wbuf_put_u16(wb, port);
		return (wbuf_put(wb, r->lo.addr, n));
	}
	if (plen >= 0) {
		wbuf_put_u8(wb, v4 ? ISAKMP_ID_IPV4_ADDR_SUBNET :
		    ISAKMP_ID_IPV6_ADDR_SUBNET);
		wbuf_put_u8(wb, proto);
		wbuf_put_u16(wb, port);
		wbuf_put(wb, r->lo.addr, n);
		for (i = 0; i < n; i++) {
			int bits = plen - (int)i * 8;

			wbuf_put_u8(wb, bits >= 8 ? 0xff : bits <= 0 ? 0 :
			    (uint8_t)(0xff << (8 - bits)));
		}
		return (0);
	}
	wbuf_put_u8(wb, v4 ? ISAKMP_ID_IPV4_ADDR_RANGE :
	    ISAKMP_ID_IPV6_ADDR_RANGE);
	wbuf_put_u8(wb, proto);
	wbuf_put_u16(wb, port);
	wbuf_put(wb, r->lo.addr, n);
	return (wbuf_put(wb, r->hi.addr, n));
}

/* A received client ID as a range; ERR_UNSUPPORTED for names. */
int
ike_qm_id_range(const struct isakmp_id *id, struct config_range *r)
{
	struct rbuf	rb;
	size_t		n, i;
	uint8_t		mask[16];

	memset(r, 0, sizeof(*r));
	switch (id->id_type) {
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV4_ADDR_RANGE:
		r->lo.family = AF_INET;
		n = 4;
		break;
	case ISAKMP_ID_IPV6_ADDR:
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		r->lo.family = AF_INET6;
		n = 16;
		break;
	default:
		return (ERR_UNSUPPORTED);
	}
	r->hi.family = r->lo.family;
	rbuf_init(&rb, id->id_data, id->id_len);
	if (rbuf_get_bytes(&rb, r->lo.addr, n) != 0)
		return (ERR_MALFORMED);
	memcpy(r->hi.addr, r->lo.addr, n);
	r->kind = CONFIG_RANGE_SINGLE;
	switch (id->id_type) {
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
		if (rbuf_get_bytes(&rb, mask, n) != 0)
			return (ERR_MALFORMED);
		for (i = 0; i < n; i++) {
			r->lo.addr[i] &= mask[i];
			r->hi.addr[i] = r->lo.addr[i] | (uint8_t)~mask[i];
		}
		r->kind = CONFIG_RANGE_PREFIX;
		break;
	case ISAKMP_ID_IPV4_ADDR_RANGE:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		if (rbuf_get_bytes(&rb, r->hi.addr, n) != 0 ||
		    config_ip_cmp(&r->lo, &r->hi) > 0)
			return (ERR_MALFORMED);
		r->kind = CONFIG_RANGE_RANGE;
		break;
	}
	if (rbuf_left(&rb) != 0)
		return (ERR_MALFORMED);
	r->plen = ike_range_plen(r) < 0 ? 0 : ike_range_plen(r);
	return (0);
}

int
ike_range_within(const struct config_range *outer,
    const struct config_range *inner)
{
	return (config_range_match(outer, &inner->lo) &&
	    config_range_match(outer, &inner->hi));
}

void
ike_range_str(const struct config_range *r, char *buf, size_t len)
{
	char	lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

	inet_ntop(r->lo.family, r->lo.addr, lo, sizeof(lo));
	inet_ntop(r->hi.family, r->hi.addr, hi, sizeof(hi));
	if (config_ip_cmp(&r->lo, &r->hi) == 0)
		snprintf(buf, len, "%s", lo);
	else if (ike_range_plen(r) >= 0)
		snprintf(buf, len, "%s/%d", lo, ike_range_plen(r));
	else
		snprintf(buf, len, "%s-%s", lo, hi);
}
