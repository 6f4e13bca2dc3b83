#include <netinet/in.h>

#include <string.h>

#include "kernel/csum.h"
#include "kernel/flow.h"
#include "kernel/gso.h"
#include "lib/err.h"
#include "lib/rbuf.h"

#define GSO_TCP_CSUM	16	/* offset of the TCP checksum */
#define GSO_TCP_FLAGS	13
#define GSO_TCP_FIN	0x01
#define GSO_TCP_PSH	0x08
#define GSO_TCP_CWR	0x80

static void
gso_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
gso_put32(uint8_t *p, uint32_t v)
{
	gso_put16(p, (uint16_t)(v >> 16));
	gso_put16(p + 2, (uint16_t)v);
}

int
gso_csum(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len)
{
	size_t		start = vh->csum_start, offset = vh->csum_offset;
	uint16_t	c;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return (0);
	/* The sum starts at a transport header, an even offset. */
	if (start % 2 != 0 || start > len || offset > len - start ||
	    len - start - offset < 2)
		return (ERR_MALFORMED);
	/* The field contains the pseudo-header sum, so it is summed too. */
	c = (uint16_t)~csum_fold(csum_partial(pkt + start, len - start, 0));
	/* As the kernel's skb_checksum_help: 0 goes out as 0xffff. */
	csum_put(pkt + start + offset, c == 0 ? 0xffff : c);
	return (0);
}

/* Check that the IP and TCP headers agree with vh. */
static int
gso_headers(struct gso *g, const struct virtio_net_hdr *vh,
    const struct flow *fl)
{
	uint8_t	type = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	int	family = type == VIRTIO_NET_HDR_GSO_TCPV4 ? AF_INET : AF_INET6;

	if (type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    type != VIRTIO_NET_HDR_GSO_TCPV6)
		return (ERR_UNSUPPORTED);
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || vh->gso_size == 0)
		return (ERR_MALFORMED);
	if (fl->fl_family != family || fl->fl_proto != IPPROTO_TCP ||
	    fl->fl_fragment || fl->fl_hdrlen != vh->csum_start ||
	    vh->csum_offset != GSO_TCP_CSUM)
		return (ERR_MALFORMED);
	g->g_ipv4 = family == AF_INET;
	g->g_l4off = fl->fl_hdrlen;
	g->g_len = fl->fl_totlen;
	g->g_mss = vh->gso_size;
	return (0);
}

int
gso_init(struct gso *g, const struct virtio_net_hdr *vh, const uint8_t *pkt,
    size_t len)
{
	struct flow	fl;
	struct rbuf	rb;
	uint16_t	id = 0;
	uint8_t		doff;
	int		r;

	memset(g, 0, sizeof(*g));
	if ((r = flow_parse(&fl, pkt, len)) != 0)
		return (r);
	if ((r = gso_headers(g, vh, &fl)) != 0)
		return (r);
	rbuf_init(&rb, pkt, g->g_len);
	if (g->g_ipv4 && (rbuf_skip(&rb, 4) != 0 ||
	    rbuf_get_u16(&rb, &id) != 0))
		return (ERR_TRUNCATED);
	rbuf_init(&rb, pkt, g->g_len);
	/* Ports, then the sequence number; acknowledgment; data offset. */
	if (rbuf_skip(&rb, g->g_l4off + 4) != 0 ||
	    rbuf_get_u32(&rb, &g->g_seq) != 0 || rbuf_skip(&rb, 4) != 0 ||
	    rbuf_get_u8(&rb, &doff) != 0)
		return (ERR_TRUNCATED);
	if ((doff >> 4) < 5)
		return (ERR_MALFORMED);
	g->g_hdrlen = g->g_l4off + (size_t)(doff >> 4) * 4;
	if (g->g_hdrlen > g->g_len)
		return (ERR_TRUNCATED);
	/*
	 * The kernel stored the pseudo-header sum over the whole length in
	 * the checksum field (CHECKSUM_PARTIAL); each packet gets its own
	 * length instead, as in tcp_gso_segment.
	 */
	g->g_pseudo = csum_sub16(csum_get(pkt + g->g_l4off + GSO_TCP_CSUM),
	    (uint16_t)(g->g_len - g->g_l4off));
	g->g_id = id;
	g->g_pkt = pkt;
	g->g_off = g->g_hdrlen;
	return (0);
}

int
gso_next(struct gso *g, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t		seg, tcplen, len;
	uint8_t		*th;
	uint16_t	c;

	*outlen = 0;
	if (g->g_off >= g->g_len)
		return (0);
	seg = g->g_len - g->g_off;
	if (seg > g->g_mss)
		seg = g->g_mss;
	len = g->g_hdrlen + seg;
	if (len > cap)
		return (ERR_TOOBIG);
	memcpy(out, g->g_pkt, g->g_hdrlen);
	memcpy(out + g->g_hdrlen, g->g_pkt + g->g_off, seg);
	if (g->g_ipv4) {
		gso_put16(out + 2, (uint16_t)len);
		gso_put16(out + 4, (uint16_t)(g->g_id + g->g_index));
		csum_put(out + 10, csum_ipv4_header(out, g->g_l4off));
	} else {
		gso_put16(out + 4, (uint16_t)(len - 40));
	}
	th = out + g->g_l4off;
	gso_put32(th + 4, g->g_seq + (uint32_t)(g->g_off - g->g_hdrlen));
	/* FIN and PSH belong to the last packet, CWR to the first. */
	if (g->g_off + seg < g->g_len)
		th[GSO_TCP_FLAGS] &= ~(GSO_TCP_FIN | GSO_TCP_PSH);
	if (g->g_index > 0)
		th[GSO_TCP_FLAGS] &= ~GSO_TCP_CWR;
	tcplen = len - g->g_l4off;
	csum_put(th + GSO_TCP_CSUM, 0);
	c = (uint16_t)~csum_fold(csum_partial(th, tcplen,
	    csum_add16(g->g_pseudo, (uint16_t)tcplen)));
	csum_put(th + GSO_TCP_CSUM, c);
	g->g_off += seg;
	g->g_index++;
	*outlen = len;
	return (0);
}
