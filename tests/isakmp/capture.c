/*
 * pcap (libpcap format, microsecond or nanosecond) and pcapng reader for
 * the capture tests.  Only what the ISAKMP tests need: the link layers
 * below, IPv4 (first fragments only), IPv6 without extension headers,
 * UDP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "lib/err.h"
#include "lib/rbuf.h"

#define LINK_NULL	0
#define LINK_ETHERNET	1
#define LINK_RAW	101
#define LINK_RAW_OLD	12
#define LINK_LOOP	108
#define LINK_SLL	113
#define LINK_IPV4	228
#define LINK_IPV6	229
#define LINK_SLL2	276

#define PORT_IKE	500
#define PORT_NATT	4500

struct capture_walker {
	capture_fn	*fn;
	void		*arg;
	size_t		 frame;
	int		 count;
	int		 stop;
};

/* Little- or big-endian reads for the file headers. */
static int
capture_u16(struct rbuf *rb, int swap, uint16_t *v)
{
	int	r;

	if ((r = rbuf_get_u16(rb, v)) != 0)
		return (r);
	if (swap)
		*v = (uint16_t)(*v >> 8 | *v << 8);
	return (0);
}

static int
capture_u32(struct rbuf *rb, int swap, uint32_t *v)
{
	int	r;

	if ((r = rbuf_get_u32(rb, v)) != 0)
		return (r);
	if (swap)
		*v = __builtin_bswap32(*v);
	return (0);
}

/* Shrink the view to the next n bytes when fewer are left than that. */
static void
capture_limit(struct rbuf *rb, size_t n)
{
	struct rbuf	sub;

	if (n < rbuf_left(rb) && rbuf_get_sub(rb, n, &sub) == 0)
		*rb = sub;
}

static void
capture_udp(struct capture_walker *w, struct rbuf *rb)
{
	struct capture_msg	m;
	uint16_t		ulen, sum;
	uint32_t		marker;

	memset(&m, 0, sizeof(m));
	m.cm_frame = w->frame;
	if (rbuf_get_u16(rb, &m.cm_sport) != 0 ||
	    rbuf_get_u16(rb, &m.cm_dport) != 0 ||
	    rbuf_get_u16(rb, &ulen) != 0 || rbuf_get_u16(rb, &sum) != 0)
		return;
	if (ulen < 8)
		return;
	m.cm_udp_len = ulen - 8u;
	capture_limit(rb, m.cm_udp_len);	/* drop an Ethernet trailer */
	if (m.cm_sport == PORT_NATT || m.cm_dport == PORT_NATT) {
		/* RFC 3948: 0xff is a keepalive, a non-zero SPI is ESP. */
		if (rbuf_peek_u8(rb, &(uint8_t){ 0 }) != 0 ||
		    rbuf_left(rb) < 4 || rbuf_get_u32(rb, &marker) != 0 ||
		    marker != 0)
			return;
		m.cm_udp_len -= 4;
	} else if (m.cm_sport != PORT_IKE && m.cm_dport != PORT_IKE)
		return;
	m.cm_len = rbuf_left(rb);
	m.cm_data = rbuf_cur(rb);
	w->count++;
	if (w->fn(w->arg, &m) != 0)
		w->stop = 1;
}

static void
capture_ipv4(struct capture_walker *w, struct rbuf *rb)
{
	uint8_t		vhl, proto;
	uint16_t	total, frag;
	size_t		hlen, start = rbuf_offset(rb);

	if (rbuf_peek_u8(rb, &vhl) != 0 || (vhl >> 4) != 4)
		return;
	hlen = (size_t)(vhl & 0x0f) * 4;
	if (hlen < 20 || rbuf_skip(rb, 2) != 0 ||
	    rbuf_get_u16(rb, &total) != 0 || rbuf_skip(rb, 2) != 0 ||
	    rbuf_get_u16(rb, &frag) != 0 || rbuf_skip(rb, 1) != 0 ||
	    rbuf_get_u8(rb, &proto) != 0)
		return;
	/*
	 * Later fragments carry no UDP header and are skipped; a first
	 * fragment is passed on with the bytes it has.
	 */
	if (proto != 17 || (frag & 0x1fff) != 0)
		return;
	if (rbuf_skip(rb, hlen - (rbuf_offset(rb) - start)) != 0)
		return;
	if (total >= hlen)
		capture_limit(rb, total - hlen);
	capture_udp(w, rb);
}

static void
capture_ipv6(struct capture_walker *w, struct rbuf *rb)
{
	uint8_t		vtc, next;
	uint16_t	plen;

	if (rbuf_peek_u8(rb, &vtc) != 0 || (vtc >> 4) != 6)
		return;
	if (rbuf_skip(rb, 4) != 0 || rbuf_get_u16(rb, &plen) != 0 ||
	    rbuf_get_u8(rb, &next) != 0 || rbuf_skip(rb, 33) != 0)
		return;
	if (next != 17)
		return;
	capture_limit(rb, plen);
	capture_udp(w, rb);
}

static void
capture_ip(struct capture_walker *w, struct rbuf *rb)
{
	uint8_t	v;

	if (rbuf_peek_u8(rb, &v) != 0)
		return;
	if ((v >> 4) == 4)
		capture_ipv4(w, rb);
	else if ((v >> 4) == 6)
		capture_ipv6(w, rb);
}

static void
capture_ethertype(struct capture_walker *w, struct rbuf *rb, uint16_t type)
{
	/* 802.1Q tags: skip the tag control, read the inner type. */
	while (type == 0x8100 || type == 0x88a8) {
		if (rbuf_skip(rb, 2) != 0 || rbuf_get_u16(rb, &type) != 0)
			return;
	}
	if (type == 0x0800 || type == 0x86dd)
		capture_ip(w, rb);
}

static void
capture_frame(struct capture_walker *w, uint32_t link, struct rbuf *rb)
{
	uint16_t	type;

	w->frame++;
	switch (link) {
	case LINK_ETHERNET:
		if (rbuf_skip(rb, 12) == 0 && rbuf_get_u16(rb, &type) == 0)
			capture_ethertype(w, rb, type);
		return;
	case LINK_SLL:
		if (rbuf_skip(rb, 14) == 0 && rbuf_get_u16(rb, &type) == 0)
			capture_ethertype(w, rb, type);
		return;
	case LINK_SLL2:
		if (rbuf_get_u16(rb, &type) == 0 && rbuf_skip(rb, 18) == 0)
			capture_ethertype(w, rb, type);
		return;
	case LINK_NULL:
	case LINK_LOOP:
		if (rbuf_skip(rb, 4) == 0)
			capture_ip(w, rb);
		return;
	case LINK_RAW:
	case LINK_RAW_OLD:
	case LINK_IPV4:
	case LINK_IPV6:
		capture_ip(w, rb);
		return;
	}
}

static int
capture_pcap(struct capture_walker *w, struct rbuf *rb, int swap)
{
	struct rbuf	pkt;
	uint32_t	link, caplen;

	if (rbuf_skip(rb, 20) != 0 || capture_u32(rb, swap, &link) != 0)
		return (ERR_MALFORMED);
	while (!w->stop && rbuf_left(rb) >= 16) {
		if (rbuf_skip(rb, 8) != 0 ||
		    capture_u32(rb, swap, &caplen) != 0 ||
		    rbuf_skip(rb, 4) != 0)
			break;
		/* A record cut short by the end of the file is still read. */
		if (caplen > rbuf_left(rb))
			caplen = (uint32_t)rbuf_left(rb);
		(void)rbuf_get_sub(rb, caplen, &pkt);
		capture_frame(w, link & 0xffff, &pkt);
	}
	return (w->count);
}

/* One pcapng block body; links[] holds the link type of each interface. */
static void
capture_ng_block(struct capture_walker *w, uint32_t type, struct rbuf *body,
    int swap, uint32_t *links, uint32_t *nlinks)
{
	struct rbuf	pkt;
	uint32_t	ifid = 0, caplen, origlen;
	uint16_t	link16;

	switch (type) {
	case 1:		/* Interface Description Block */
		if (capture_u16(body, swap, &link16) == 0 && *nlinks < 64)
			links[(*nlinks)++] = link16;
		return;
	case 6:		/* Enhanced Packet Block */
		if (capture_u32(body, swap, &ifid) != 0 ||
		    rbuf_skip(body, 8) != 0 ||
		    capture_u32(body, swap, &caplen) != 0 ||
		    rbuf_skip(body, 4) != 0)
			return;
		break;
	case 3:		/* Simple Packet Block */
		if (capture_u32(body, swap, &origlen) != 0)
			return;
		caplen = origlen < rbuf_left(body) ? origlen :
		    (uint32_t)rbuf_left(body);
		break;
	default:
		return;
	}
	if (ifid >= *nlinks || rbuf_get_sub(body, caplen, &pkt) != 0)
		return;
	capture_frame(w, links[ifid], &pkt);
}

static int
capture_pcapng(struct capture_walker *w, struct rbuf *rb)
{
	struct rbuf	body;
	uint32_t	type, len, magic, links[64], nlinks = 0;
	int		swap = 0;

	while (!w->stop && rbuf_left(rb) >= 12) {
		if (rbuf_get_u32(rb, &type) != 0)
			break;
		if (type == 0x0a0d0d0a) {
			/* Section header: the byte-order magic follows. */
			struct rbuf	peek = *rb;

			if (rbuf_skip(&peek, 4) != 0 ||
			    rbuf_get_u32(&peek, &magic) != 0)
				break;
			swap = magic == 0x4d3c2b1a;
			nlinks = 0;
		} else if (swap)
			type = __builtin_bswap32(type);
		if (capture_u32(rb, swap, &len) != 0 || len < 12 ||
		    len % 4 != 0 || rbuf_get_sub(rb, len - 12, &body) != 0 ||
		    rbuf_skip(rb, 4) != 0)
			break;
		capture_ng_block(w, type, &body, swap, links, &nlinks);
	}
	return (w->count);
}

static int
capture_read(const char *path, uint8_t **data, size_t *len)
{
	FILE	*f;
	long	 size;
	int	 r = ERR_SYSTEM;

	*data = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return (ERR_SYSTEM);
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((*data = malloc((size_t)size + 1)) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	if (fread(*data, 1, (size_t)size, f) != (size_t)size)
		goto out;
	*len = (size_t)size;
	r = 0;
out:
	fclose(f);
	if (r != 0) {
		free(*data);
		*data = NULL;
	}
	return (r);
}

int
capture_walk(const char *path, capture_fn *fn, void *arg)
{
	struct capture_walker	w = { fn, arg, 0, 0, 0 };
	struct rbuf		rb, peek;
	uint8_t			*data;
	size_t			 len;
	uint32_t		 magic;
	int			 r;

	if ((r = capture_read(path, &data, &len)) != 0)
		return (r);
	rbuf_init(&rb, data, len);
	peek = rb;
	if (rbuf_get_u32(&peek, &magic) != 0)
		r = ERR_MALFORMED;
	else if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		r = capture_pcap(&w, &rb, 0);
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		r = capture_pcap(&w, &rb, 1);
	else if (magic == 0x0a0d0d0a)
		r = capture_pcapng(&w, &rb);
	else
		r = ERR_MALFORMED;
	free(data);
	return (r);
}
