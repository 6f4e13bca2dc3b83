#include <netinet/in.h>

#include <string.h>

#include "kernel/flow.h"
#include "lib/err.h"
#include "lib/rbuf.h"

#define FLOW_IPV4_HDR		20	/* without options */
#define FLOW_IPV6_HOP		0
#define FLOW_IPV6_ROUTING	43
#define FLOW_IPV6_FRAGMENT	44
#define FLOW_IPV6_DSTOPTS	60
#define FLOW_IPV6_MAX_EXT	8	/* extension headers walked at most */

/* Read the ports (or ICMP type and code) at the transport header. */
static void
flow_parse_ports(struct flow *fl, struct rbuf *rb)
{
	uint8_t		type, code;
	uint16_t	sport, dport;

	switch (fl->fl_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		if (rbuf_get_u16(rb, &sport) != 0 ||
		    rbuf_get_u16(rb, &dport) != 0)
			return;
		fl->fl_sport = sport;
		fl->fl_dport = dport;
		fl->fl_has_ports = 1;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (rbuf_get_u8(rb, &type) != 0 ||
		    rbuf_get_u8(rb, &code) != 0)
			return;
		fl->fl_sport = type;
		fl->fl_dport = code;
		fl->fl_has_ports = 1;
		break;
	default:
		break;
	}
}

/*
 * The fixed IPv4 header is read in place after one length check: this
 * runs two or three times per ESP packet on the userspace data path.
 */
static int
flow_parse_v4(struct flow *fl, const uint8_t *pkt, size_t len)
{
	size_t		ihl, totlen;
	uint16_t	frag;
	struct rbuf	l4;

	if (len < FLOW_IPV4_HDR)
		return (ERR_TRUNCATED);
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	totlen = (size_t)pkt[2] << 8 | pkt[3];
	frag = (uint16_t)(pkt[6] << 8 | pkt[7]);
	memcpy(fl->fl_src, pkt + 12, 4);
	memcpy(fl->fl_dst, pkt + 16, 4);
	if (ihl < FLOW_IPV4_HDR || totlen < ihl)
		return (ERR_MALFORMED);
	if (totlen > len)
		return (ERR_TRUNCATED);
	fl->fl_family = AF_INET;
	fl->fl_proto = pkt[9];
	fl->fl_ttl = pkt[8];
	fl->fl_hdrlen = ihl;
	fl->fl_totlen = totlen;
	fl->fl_fragment = (frag & 0x3fff) != 0;	/* MF or an offset */
	/* Only the first fragment (offset 0) carries the ports. */
	if ((frag & 0x1fff) != 0)
		return (0);
	rbuf_init(&l4, pkt, totlen);
	if (rbuf_skip(&l4, ihl) != 0)
		return (ERR_TRUNCATED);
	flow_parse_ports(fl, &l4);
	return (0);
}

static int
flow_is_v6_ext(uint8_t nh)
{
	return (nh == FLOW_IPV6_HOP || nh == FLOW_IPV6_ROUTING ||
	    nh == FLOW_IPV6_DSTOPTS || nh == FLOW_IPV6_FRAGMENT);
}

/* Walk the extension headers up to the upper-layer header (RFC 8200 4). */
static int
flow_parse_v6_ext(struct flow *fl, struct rbuf *rb, uint8_t nh)
{
	uint8_t		next, extlen;
	uint16_t	offset;
	int		i, first = 1;

	for (i = 0; flow_is_v6_ext(nh); i++) {
		if (i >= FLOW_IPV6_MAX_EXT)
			return (ERR_MALFORMED);
		if (rbuf_get_u8(rb, &next) != 0 ||
		    rbuf_get_u8(rb, &extlen) != 0)
			return (ERR_TRUNCATED);
		if (nh == FLOW_IPV6_FRAGMENT) {
			fl->fl_fragment = 1;
			if (rbuf_get_u16(rb, &offset) != 0 ||
			    rbuf_skip(rb, 4) != 0)
				return (ERR_TRUNCATED);
			if ((offset & 0xfff8) != 0)
				first = 0;
		} else if (rbuf_skip(rb, (size_t)extlen * 8 + 6) != 0) {
			return (ERR_TRUNCATED);
		}
		nh = next;
	}
	fl->fl_proto = nh;
	fl->fl_hdrlen = rbuf_offset(rb);
	if (first)
		flow_parse_ports(fl, rb);
	return (0);
}

static int
flow_parse_v6(struct flow *fl, struct rbuf *rb, const uint8_t *pkt)
{
	uint32_t	vtcfl;
	uint16_t	plen;
	uint8_t		nh, hlim;
	struct rbuf	ext;

	if (rbuf_get_u32(rb, &vtcfl) != 0 || rbuf_get_u16(rb, &plen) != 0 ||
	    rbuf_get_u8(rb, &nh) != 0 || rbuf_get_u8(rb, &hlim) != 0 ||
	    rbuf_get_bytes(rb, fl->fl_src, 16) != 0 ||
	    rbuf_get_bytes(rb, fl->fl_dst, 16) != 0)
		return (ERR_TRUNCATED);
	fl->fl_family = AF_INET6;
	fl->fl_ttl = hlim;
	fl->fl_totlen = 40 + (size_t)plen;
	/* The extensions are read only inside the declared payload. */
	if (rbuf_left(rb) < plen)
		return (ERR_TRUNCATED);
	rbuf_init(&ext, pkt, fl->fl_totlen);
	if (rbuf_skip(&ext, 40) != 0)
		return (ERR_TRUNCATED);
	return (flow_parse_v6_ext(fl, &ext, nh));
}

int
flow_parse(struct flow *fl, const uint8_t *pkt, size_t len)
{
	struct rbuf	rb;
	uint8_t		version;

	memset(fl, 0, sizeof(*fl));
	rbuf_init(&rb, pkt, len);
	if (rbuf_peek_u8(&rb, &version) != 0)
		return (ERR_TRUNCATED);
	switch (version >> 4) {
	case 4:
		return (flow_parse_v4(fl, pkt, len));
	case 6:
		return (flow_parse_v6(fl, &rb, pkt));
	default:
		return (ERR_MALFORMED);
	}
}

int
flow_sockaddr_bytes(const struct sockaddr_storage *ss, uint8_t *out)
{
	if (ss->ss_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return (AF_INET);
	}
	if (ss->ss_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return (AF_INET6);
	}
	return (0);
}

static uint16_t
flow_sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohs(((const struct sockaddr_in *)ss)->sin_port));
	return (ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
}

static int
flow_prefix_match(const uint8_t *addr, const uint8_t *net, unsigned prefix)
{
	unsigned	bytes = prefix / 8, bits = prefix % 8;
	uint8_t		mask;

	if (memcmp(addr, net, bytes) != 0)
		return (0);
	if (bits == 0)
		return (1);
	mask = (uint8_t)(0xff << (8 - bits));
	return ((addr[bytes] & mask) == (net[bytes] & mask));
}

static int
flow_addr_match(const struct flow *fl, const uint8_t *addr,
    const struct sockaddr_storage *ss, unsigned prefix)
{
	uint8_t	net[16];

	if (flow_sockaddr_bytes(ss, net) != fl->fl_family)
		return (0);
	if (prefix > (fl->fl_family == AF_INET ? 32U : 128U))
		return (0);
	return (flow_prefix_match(addr, net, prefix));
}

/* A selector port of 0 matches anything; else the packet must have one. */
static int
flow_port_match(const struct flow *fl, uint16_t want, uint16_t have)
{
	if (want == 0)
		return (1);
	return (fl->fl_has_ports && want == have);
}

int
flow_match(const struct flow *fl, const struct kernel_selector *sel)
{
	if (!flow_addr_match(fl, fl->fl_src, &sel->sel_src,
	    sel->sel_src_prefix) ||
	    !flow_addr_match(fl, fl->fl_dst, &sel->sel_dst,
	    sel->sel_dst_prefix))
		return (0);
	if (sel->sel_proto == 0)
		return (1);
	if (sel->sel_proto != fl->fl_proto)
		return (0);
	return (flow_port_match(fl, flow_sockaddr_port(&sel->sel_src),
	    fl->fl_sport) &&
	    flow_port_match(fl, flow_sockaddr_port(&sel->sel_dst),
	    fl->fl_dport));
}

static void
flow_fill_sockaddr(struct sockaddr_storage *ss, int family,
    const uint8_t *addr, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		sin->sin_port = htons(port);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
		sin6->sin6_port = htons(port);
	}
}

void
flow_to_selector(const struct flow *fl, struct kernel_selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	flow_fill_sockaddr(&sel->sel_src, fl->fl_family, fl->fl_src,
	    fl->fl_sport);
	flow_fill_sockaddr(&sel->sel_dst, fl->fl_family, fl->fl_dst,
	    fl->fl_dport);
	sel->sel_src_prefix = sel->sel_dst_prefix =
	    fl->fl_family == AF_INET ? 32 : 128;
	sel->sel_proto = fl->fl_proto;
}
