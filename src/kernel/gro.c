#include <netinet/in.h>

#include <string.h>

#include "kernel/csum.h"
#include "kernel/gro.h"
#include "lib/rbuf.h"

#define GRO_MAX_LEN	65535	/* IPv4 total length, IPv6 payload length */
#define GRO_TCP_ACK	0x10
#define GRO_TCP_PSH	0x08
#define GRO_TCP_CSUM	16

/* The TCP fields of a candidate segment. */
struct gro_seg {
	uint8_t		*gs_pkt;
	size_t		 gs_l4off;
	size_t		 gs_hdrlen;
	size_t		 gs_len;	/* IP length */
	size_t		 gs_data;	/* TCP data bytes */
	uint32_t	 gs_seq;
	uint8_t		 gs_flags;
	int		 gs_ipv4;
};

static const struct virtio_net_hdr	gro_plain_vh;

void
gro_init(struct gro *g, int vnet, gro_write_fn *write, void *arg)
{
	memset(g, 0, sizeof(*g));
	g->g_vnet = vnet;
	g->g_write = write;
	g->g_arg = arg;
}

static void
gro_write_plain(struct gro *g, uint8_t *pkt, size_t len)
{
	struct iovec	iov[2];

	iov[0].iov_base = (void *)&gro_plain_vh;
	iov[0].iov_len = sizeof(gro_plain_vh);
	iov[1].iov_base = pkt;
	iov[1].iov_len = len;
	if (g->g_vnet)
		g->g_write(g->g_arg, iov, 2);
	else
		g->g_write(g->g_arg, iov + 1, 1);
}

/*
 * Parse a TCP segment that could join or start a chain: no IP options or
 * IPv6 extension headers, no fragment.  Returns 0 when it cannot.
 */
static int
gro_parse(struct gro_seg *s, uint8_t *pkt, const struct flow *fl)
{
	struct rbuf	rb;
	uint8_t		doff;

	if (fl->fl_proto != IPPROTO_TCP || fl->fl_fragment ||
	    fl->fl_hdrlen != (fl->fl_family == AF_INET ? 20 : 40))
		return (0);
	memset(s, 0, sizeof(*s));
	rbuf_init(&rb, pkt, fl->fl_totlen);
	if (rbuf_skip(&rb, fl->fl_hdrlen + 4) != 0 ||
	    rbuf_get_u32(&rb, &s->gs_seq) != 0 || rbuf_skip(&rb, 4) != 0 ||
	    rbuf_get_u8(&rb, &doff) != 0 ||
	    rbuf_get_u8(&rb, &s->gs_flags) != 0)
		return (0);
	if ((doff >> 4) < 5 ||
	    fl->fl_hdrlen + (size_t)(doff >> 4) * 4 > fl->fl_totlen)
		return (0);
	s->gs_pkt = pkt;
	s->gs_ipv4 = fl->fl_family == AF_INET;
	s->gs_l4off = fl->fl_hdrlen;
	s->gs_hdrlen = fl->fl_hdrlen + (size_t)(doff >> 4) * 4;
	s->gs_len = fl->fl_totlen;
	s->gs_data = s->gs_len - s->gs_hdrlen;
	return (1);
}

/* The pseudo-header sum (RFC 793 3.1, RFC 8200 8.1) for tcplen bytes. */
static uint64_t
gro_pseudo(const uint8_t *pkt, int ipv4, size_t tcplen)
{
	uint64_t	sum;

	if (ipv4)
		sum = csum_partial(pkt + 12, 8, 0);
	else
		sum = csum_partial(pkt + 8, 32, 0);
	sum = csum_add16(sum, IPPROTO_TCP);
	return (csum_add16(sum, (uint16_t)tcplen));
}

static int
gro_csum_ok(const uint8_t *pkt, size_t l4off, size_t len, int ipv4)
{
	uint64_t	sum;

	sum = gro_pseudo(pkt, ipv4, len - l4off);
	return (csum_fold(csum_partial(pkt + l4off, len - l4off, sum)) ==
	    0xffff);
}

/* Same addresses and ports: the segment's connection has this chain. */
static int
gro_same_flow(const struct gro_chain *c, const struct gro_seg *s)
{
	size_t	addr = s->gs_ipv4 ? 12 : 8, alen = s->gs_ipv4 ? 8 : 32;

	return (c->gc_ipv4 == s->gs_ipv4 &&
	    memcmp(c->gc_pkt + addr, s->gs_pkt + addr, alen) == 0 &&
	    memcmp(c->gc_pkt + c->gc_l4off, s->gs_pkt + s->gs_l4off, 4) == 0);
}

/* The IP and TCP header fields that must be equal, as tcp_gro_receive. */
static int
gro_same_headers(const struct gro_chain *c, const struct gro_seg *s)
{
	const uint8_t	*a = c->gc_pkt, *b = s->gs_pkt;
	const uint8_t	*ta = a + c->gc_l4off, *tb = b + s->gs_l4off;

	if (c->gc_hdrlen != s->gs_hdrlen)
		return (0);
	if (s->gs_ipv4) {
		/* Version and length, TOS; flags and offset; TTL. */
		if (a[0] != b[0] || a[1] != b[1] ||
		    memcmp(a + 6, b + 6, 3) != 0)
			return (0);
	} else if (memcmp(a, b, 4) != 0 || a[7] != b[7]) {
		/* Version, traffic class and flow label; hop limit. */
		return (0);
	}
	/* Acknowledgment, data offset, window; then the options. */
	return (memcmp(ta + 8, tb + 8, 5) == 0 &&
	    memcmp(ta + 14, tb + 14, 2) == 0 &&
	    memcmp(ta + 20, tb + 20, s->gs_hdrlen - s->gs_l4off - 20) == 0);
}

static int
gro_can_join(const struct gro_chain *c, const struct gro_seg *s)
{
	return (c->gc_nseg < GRO_SEGS &&
	    (s->gs_flags == GRO_TCP_ACK ||
	    s->gs_flags == (GRO_TCP_ACK | GRO_TCP_PSH)) &&
	    s->gs_data > 0 && s->gs_data <= c->gc_mss &&
	    s->gs_seq == c->gc_next_seq &&
	    c->gc_len + s->gs_data <= GRO_MAX_LEN &&
	    gro_same_headers(c, s));
}

static void
gro_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Turn the first segment's headers into those of the whole chain and
 * describe it as a TSO segment.  The checksum field gets the
 * pseudo-header sum, as CHECKSUM_PARTIAL requires.
 */
static void
gro_finish(struct gro_chain *c)
{
	uint8_t	*p = c->gc_pkt, *th = p + c->gc_l4off;

	if (c->gc_ipv4) {
		gro_put16(p + 2, (uint16_t)c->gc_len);
		csum_put(p + 10, csum_ipv4_header(p, c->gc_l4off));
	} else {
		gro_put16(p + 4, (uint16_t)(c->gc_len - 40));
	}
	if (c->gc_psh)
		th[13] |= GRO_TCP_PSH;
	csum_put(th + GRO_TCP_CSUM, csum_fold(gro_pseudo(p, c->gc_ipv4,
	    c->gc_len - c->gc_l4off)));
	memset(&c->gc_vh, 0, sizeof(c->gc_vh));
	c->gc_vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	c->gc_vh.gso_type = c->gc_ipv4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
	    VIRTIO_NET_HDR_GSO_TCPV6;
	c->gc_vh.hdr_len = (uint16_t)c->gc_hdrlen;
	c->gc_vh.gso_size = (uint16_t)c->gc_mss;
	c->gc_vh.csum_start = (uint16_t)c->gc_l4off;
	c->gc_vh.csum_offset = GRO_TCP_CSUM;
	c->gc_iov[0].iov_base = &c->gc_vh;
	c->gc_iov[0].iov_len = sizeof(c->gc_vh);
}

/* Write chain i and put the last chain in its place. */
static void
gro_write_chain(struct gro *g, unsigned int i)
{
	struct gro_chain	*c = &g->g_chains[i];

	if (c->gc_nseg == 1) {
		gro_write_plain(g, c->gc_pkt, c->gc_len);
	} else {
		gro_finish(c);
		g->g_write(g->g_arg, c->gc_iov, (int)c->gc_nseg + 1);
	}
	if (i != --g->g_nchains)
		*c = g->g_chains[g->g_nchains];
}

static void
gro_start(struct gro *g, const struct gro_seg *s)
{
	struct gro_chain	*c;

	/* All in use: the first one goes, whichever connection it is. */
	if (g->g_nchains == GRO_CHAINS)
		gro_write_chain(g, 0);
	c = &g->g_chains[g->g_nchains++];
	c->gc_pkt = s->gs_pkt;
	c->gc_l4off = s->gs_l4off;
	c->gc_hdrlen = s->gs_hdrlen;
	c->gc_mss = s->gs_data;
	c->gc_len = s->gs_len;
	c->gc_next_seq = s->gs_seq + (uint32_t)s->gs_data;
	c->gc_nseg = 1;
	c->gc_ipv4 = s->gs_ipv4;
	c->gc_checked = 0;
	c->gc_psh = 0;
	c->gc_iov[1].iov_base = s->gs_pkt;
	c->gc_iov[1].iov_len = s->gs_len;
}

/*
 * Join s to chain i.  Returns 0 when a checksum fails: the chain (the
 * first segment alone, when its sum failed) is then written, and s is
 * left to the caller.
 */
static int
gro_join(struct gro *g, unsigned int i, const struct gro_seg *s)
{
	struct gro_chain	*c = &g->g_chains[i];

	/* The first segment is verified only once a second one comes. */
	if (!c->gc_checked) {
		if (!gro_csum_ok(c->gc_pkt, c->gc_l4off, c->gc_len,
		    c->gc_ipv4)) {
			gro_write_chain(g, i);
			return (0);
		}
		c->gc_checked = 1;
	}
	if (!gro_csum_ok(s->gs_pkt, s->gs_l4off, s->gs_len, s->gs_ipv4)) {
		gro_write_chain(g, i);
		return (0);
	}
	c->gc_iov[c->gc_nseg + 1].iov_base = s->gs_pkt + s->gs_hdrlen;
	c->gc_iov[c->gc_nseg + 1].iov_len = s->gs_data;
	c->gc_nseg++;
	c->gc_len += s->gs_data;
	c->gc_next_seq += (uint32_t)s->gs_data;
	g->g_coalesced++;
	/* A short segment or a PSH ends the chain (tcp_gro_receive). */
	if (s->gs_data < c->gc_mss || (s->gs_flags & GRO_TCP_PSH)) {
		c->gc_psh = (s->gs_flags & GRO_TCP_PSH) != 0;
		gro_write_chain(g, i);
	}
	return (1);
}

void
gro_add(struct gro *g, uint8_t *pkt, const struct flow *fl)
{
	struct gro_seg	s;
	unsigned int	i;

	if (!g->g_vnet || !gro_parse(&s, pkt, fl)) {
		gro_write_plain(g, pkt, fl->fl_totlen);
		return;
	}
	for (i = 0; i < g->g_nchains; i++) {
		if (!gro_same_flow(&g->g_chains[i], &s))
			continue;
		if (gro_can_join(&g->g_chains[i], &s)) {
			if (gro_join(g, i, &s))
				return;
		} else {
			gro_write_chain(g, i);
		}
		break;
	}
	/* A data segment with no flag but ACK may start a chain. */
	if (s.gs_flags == GRO_TCP_ACK && s.gs_data > 0)
		gro_start(g, &s);
	else
		gro_write_plain(g, pkt, fl->fl_totlen);
}

void
gro_flush(struct gro *g)
{
	while (g->g_nchains > 0)
		gro_write_chain(g, 0);
}
