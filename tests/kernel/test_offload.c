/*
 * The TUN offloads of the userspace backend without a device: the
 * Internet checksum against a plain RFC 1071 sum, checksum completion,
 * and TSO segments cut into packets (gso.c) as the kernel's
 * tcp_gso_segment cuts them.  Then GRO (gro.c): segments joined into one
 * TSO segment that, cut again, gives the same packets back, the cases
 * that must not join, and the order of writes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/csum.h"
#include "kernel/flow.h"
#include "kernel/gro.h"
#include "kernel/gso.h"
#include "lib/err.h"

#define SEG_MAX		64
#define PKT_MAX		70000
#define TCP_ACK		0x10
#define TCP_PSH		0x08
#define TCP_FIN		0x01
#define TCP_CWR		0x80

/* The RFC 1071 sum, one 16-bit big-endian word at a time. */
static uint16_t
ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t	i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len % 2)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)sum);
}

/* The pseudo-header sum of RFC 793 and RFC 8200 8.1, by the reference. */
static uint32_t
ref_pseudo(const uint8_t *pkt, size_t l4len, uint8_t proto)
{
	int	v6 = (pkt[0] >> 4) == 6;

	return ((uint32_t)ref_sum(pkt + (v6 ? 8 : 12), v6 ? 32 : 8, 0) +
	    proto + (uint32_t)l4len);
}

/* Whether an IP packet without options has a valid L4 checksum. */
static int
ref_l4_ok(const uint8_t *pkt, size_t len, uint8_t proto)
{
	size_t	hl = (pkt[0] >> 4) == 6 ? 40 : (size_t)(pkt[0] & 0xf) * 4;

	return (ref_sum(pkt + hl, len - hl, ref_pseudo(pkt, len - hl,
	    proto)) == 0xffff);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static uint16_t
get16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

/*
 * A TCP packet from 192.0.2.1:5000 (2001:db8:1::1) to 203.0.113.1:80
 * (2001:db8:2::1) with a 12-byte timestamp option, datalen bytes of
 * data and a valid checksum.  Returns the IP length.
 */
static size_t
tcp_packet(uint8_t *p, int v6, uint32_t seq, uint8_t flags, size_t datalen,
    uint8_t fill)
{
	size_t		ihl = v6 ? 40 : 20, thl = 32, len = ihl + thl + datalen;
	uint8_t		*th = p + ihl;
	size_t		i;
	uint16_t	c;

	memset(p, 0, ihl + thl);
	if (v6) {
		p[0] = 0x60;
		put16(p + 4, (uint16_t)(thl + datalen));
		p[6] = IPPROTO_TCP;
		p[7] = 64;
		assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::1", p + 8),
		    1);
		assert_int_equal(inet_pton(AF_INET6, "2001:db8:2::1", p + 24),
		    1);
	} else {
		p[0] = 0x45;
		put16(p + 2, (uint16_t)len);
		put16(p + 4, 0x1234);
		p[6] = 0x40;	/* DF */
		p[8] = 64;
		p[9] = IPPROTO_TCP;
		assert_int_equal(inet_pton(AF_INET, "192.0.2.1", p + 12), 1);
		assert_int_equal(inet_pton(AF_INET, "203.0.113.1", p + 16), 1);
		put16(p + 10, (uint16_t)~ref_sum(p, 20, 0));
	}
	put16(th, 5000);
	put16(th + 2, 80);
	put32(th + 4, seq);
	put32(th + 8, 0xabcdef01);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = flags;
	put16(th + 14, 501);
	/* NOP, NOP, timestamps. */
	th[20] = 1;
	th[21] = 1;
	th[22] = 8;
	th[23] = 10;
	put32(th + 24, 777);
	put32(th + 28, 888);
	for (i = 0; i < datalen; i++)
		th[thl + i] = (uint8_t)(fill + i * 7);
	c = (uint16_t)~ref_sum(th, thl + datalen, ref_pseudo(p, thl +
	    datalen, IPPROTO_TCP));
	put16(th + 16, c);
	return (len);
}

/*
 * Turn a packet into a TSO segment as the kernel hands it to the device,
 * with the pseudo-header sum over the whole length in the checksum field.
 */
static void
tso_header(uint8_t *p, size_t len, struct virtio_net_hdr *vh, size_t mss)
{
	int	v6 = (p[0] >> 4) == 6;
	size_t	ihl = v6 ? 40 : 20;

	put16(p + ihl + 16, ref_sum(NULL, 0, ref_pseudo(p, len - ihl,
	    IPPROTO_TCP)));
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
	    VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = (uint16_t)mss;
	vh->hdr_len = (uint16_t)(ihl + 32);
	vh->csum_start = (uint16_t)ihl;
	vh->csum_offset = 16;
}

struct segs {
	uint8_t		buf[SEG_MAX][2048];
	size_t		len[SEG_MAX];
	unsigned int	n;
};

/* Cut pkt with gso into s. */
static int
cut(const struct virtio_net_hdr *vh, const uint8_t *pkt, size_t len,
    struct segs *s)
{
	struct gso	g;
	int		r;

	s->n = 0;
	if ((r = gso_init(&g, vh, pkt, len)) != 0)
		return (r);
	for (;;) {
		assert_true(s->n < SEG_MAX);
		assert_int_equal(gso_next(&g, s->buf[s->n], sizeof(s->buf[0]),
		    &s->len[s->n]), 0);
		if (s->len[s->n] == 0)
			return (0);
		s->n++;
	}
}

/* What GRO wrote: each write as one buffer, with its header apart. */
struct writes {
	struct virtio_net_hdr	vh[SEG_MAX * 2];
	uint8_t			*pkt[SEG_MAX * 2];
	size_t			len[SEG_MAX * 2];
	int			has_vh;
	unsigned int		n;
};

static void
capture(void *arg, const struct iovec *iov, int iovcnt)
{
	struct writes	*w = arg;
	size_t		 off = 0;
	int		 i = 0;

	assert_true(w->n < SEG_MAX * 2);
	if (w->has_vh) {
		assert_int_equal(iov[0].iov_len, sizeof(struct virtio_net_hdr));
		memcpy(&w->vh[w->n], iov[0].iov_base, sizeof(w->vh[0]));
		i = 1;
	}
	w->pkt[w->n] = malloc(PKT_MAX);
	assert_non_null(w->pkt[w->n]);
	for (; i < iovcnt; i++) {
		assert_true(off + iov[i].iov_len <= PKT_MAX);
		memcpy(w->pkt[w->n] + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	w->len[w->n++] = off;
}

static void
writes_free(struct writes *w)
{
	unsigned int	i;

	for (i = 0; i < w->n; i++)
		free(w->pkt[i]);
	memset(w, 0, sizeof(*w));
}

static void
gro_feed(struct gro *g, uint8_t *pkt, size_t len)
{
	struct flow	fl;

	assert_int_equal(flow_parse(&fl, pkt, len), 0);
	gro_add(g, pkt, &fl);
}

static void
csum_matches_reference(void **state)
{
	/* An IPv4 header with checksum 0xb861. */
	static const uint8_t	hdr[20] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint8_t		buf[1100], field[2];
	size_t		len, i;

	csum_put(field, csum_ipv4_header(hdr, sizeof(hdr)));
	assert_int_equal(field[0], 0xb8);
	assert_int_equal(field[1], 0x61);
	srandom(7);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)random();
	for (len = 0; len <= sizeof(buf); len += len < 40 ? 1 : 37) {
		csum_put(field, csum_fold(csum_partial(buf, len, 0)));
		assert_int_equal(get16(field), ref_sum(buf, len, 0));
	}
	/* Adding a length and taking it out again. */
	csum_put(field, csum_fold(csum_sub16(csum_add16(csum_partial(buf,
	    64, 0), 1400), 1400)));
	assert_int_equal(get16(field), ref_sum(buf, 64, 0));
}

static void
csum_completes_udp(void **state)
{
	struct virtio_net_hdr	vh;
	uint8_t			p[128];
	size_t			len = 20 + 8 + 33;

	memset(p, 0x5a, sizeof(p));
	memset(p, 0, 28);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)len);
	p[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "192.0.2.1", p + 12);
	inet_pton(AF_INET, "203.0.113.1", p + 16);
	put16(p + 20, 4000);
	put16(p + 22, 53);
	put16(p + 24, (uint16_t)(len - 20));
	/* The pseudo-header sum, as the kernel leaves it. */
	put16(p + 26, ref_sum(NULL, 0, ref_pseudo(p, len - 20, IPPROTO_UDP)));
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = 20;
	vh.csum_offset = 6;
	assert_int_equal(gso_csum(&vh, p, len), 0);
	assert_true(ref_l4_ok(p, len, IPPROTO_UDP));

	/* The field must lie inside the packet. */
	vh.csum_offset = (uint16_t)(len - 20 - 1);
	assert_int_equal(gso_csum(&vh, p, len), ERR_MALFORMED);
	vh.csum_start = (uint16_t)(len + 2);
	vh.csum_offset = 0;
	assert_int_equal(gso_csum(&vh, p, len), ERR_MALFORMED);
	/* Without the flag nothing changes. */
	vh.flags = 0;
	p[26] = p[27] = 0;
	assert_int_equal(gso_csum(&vh, p, len), 0);
	assert_int_equal(get16(p + 26), 0);
}

/* Cut a 10,000-byte TSO segment, IPv4 and IPv6, with PSH, FIN and CWR. */
static void
gso_cuts_like_kernel(void **state)
{
	static uint8_t		pkt[PKT_MAX];
	static struct segs	s;
	struct virtio_net_hdr	vh;
	size_t			len, ihl, off, i, data = 10000;
	int			v6;

	for (v6 = 0; v6 <= 1; v6++) {
		ihl = v6 ? 40 : 20;
		len = tcp_packet(pkt, v6, 1000000, TCP_ACK | TCP_PSH |
		    TCP_FIN | TCP_CWR, data, 1);
		tso_header(pkt, len, &vh, 1448);
		assert_int_equal(cut(&vh, pkt, len, &s), 0);
		assert_int_equal(s.n, 7);
		for (i = 0, off = 0; i < s.n; i++) {
			const uint8_t *q = s.buf[i], *th = q + ihl;
			size_t seg = i < 6 ? 1448 : data - 6 * 1448;

			assert_int_equal(s.len[i], ihl + 32 + seg);
			if (v6) {
				assert_int_equal(get16(q + 4), 32 + seg);
			} else {
				assert_int_equal(get16(q + 2), s.len[i]);
				assert_int_equal(get16(q + 4), 0x1234 + i);
				assert_int_equal(ref_sum(q, 20, 0), 0xffff);
			}
			assert_int_equal(get32(th + 4), 1000000 + off);
			assert_int_equal(th[13] & (TCP_PSH | TCP_FIN),
			    i == s.n - 1 ? TCP_PSH | TCP_FIN : 0);
			assert_int_equal(th[13] & TCP_CWR,
			    i == 0 ? TCP_CWR : 0);
			assert_int_equal(th[13] & TCP_ACK, TCP_ACK);
			assert_memory_equal(th + 20, pkt + ihl + 20, 12);
			assert_memory_equal(th + 32, pkt + ihl + 32 + off, seg);
			assert_true(ref_l4_ok(q, s.len[i], IPPROTO_TCP));
			off += seg;
		}
		assert_int_equal(off, data);
	}
}

static void
gso_rejects_bad_headers(void **state)
{
	static uint8_t		pkt[PKT_MAX];
	struct virtio_net_hdr	vh, bad;
	struct gso		g;
	size_t			len, out;
	uint8_t			small[100];

	len = tcp_packet(pkt, 0, 1, TCP_ACK, 3000, 2);
	tso_header(pkt, len, &vh, 1000);

	bad = vh;
	bad.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(gso_init(&g, &bad, pkt, len), ERR_UNSUPPORTED);
	bad = vh;
	bad.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_int_equal(gso_init(&g, &bad, pkt, len), ERR_MALFORMED);
	bad = vh;
	bad.flags = 0;
	assert_int_equal(gso_init(&g, &bad, pkt, len), ERR_MALFORMED);
	bad = vh;
	bad.gso_size = 0;
	assert_int_equal(gso_init(&g, &bad, pkt, len), ERR_MALFORMED);
	bad = vh;
	bad.csum_start = 24;
	assert_int_equal(gso_init(&g, &bad, pkt, len), ERR_MALFORMED);
	bad = vh;
	bad.csum_offset = 6;
	assert_int_equal(gso_init(&g, &bad, pkt, len), ERR_MALFORMED);
	/* Shorter than its IP total length, then a cut TCP header. */
	assert_int_equal(gso_init(&g, &vh, pkt, len - 1), ERR_TRUNCATED);
	put16(pkt + 2, 20 + 10);
	assert_int_equal(gso_init(&g, &vh, pkt, 20 + 10), ERR_TRUNCATED);
	put16(pkt + 2, (uint16_t)len);
	/* A data offset below five words. */
	pkt[20 + 12] = 0x40;
	assert_int_equal(gso_init(&g, &vh, pkt, len), ERR_MALFORMED);
	pkt[20 + 12] = 0x80;
	/* Not a TCP packet. */
	pkt[9] = IPPROTO_UDP;
	assert_int_equal(gso_init(&g, &vh, pkt, len), ERR_MALFORMED);
	pkt[9] = IPPROTO_TCP;
	/* The output buffer must hold the headers and one segment. */
	assert_int_equal(gso_init(&g, &vh, pkt, len), 0);
	assert_int_equal(gso_next(&g, small, sizeof(small), &out),
	    ERR_TOOBIG);
}

/* Segments joined and cut again give the same bytes back. */
static void
gro_round_trip(void **state)
{
	static uint8_t		pkt[PKT_MAX];
	static struct segs	s, orig, again;
	static struct writes	w;
	struct virtio_net_hdr	vh;
	struct gro		g;
	size_t			len, ihl;
	unsigned int		i;
	int			v6;

	for (v6 = 0; v6 <= 1; v6++) {
		ihl = v6 ? 40 : 20;
		len = tcp_packet(pkt, v6, 5, TCP_ACK | TCP_PSH, 20 * 1000 + 300,
		    3);
		tso_header(pkt, len, &vh, 1000);
		assert_int_equal(cut(&vh, pkt, len, &s), 0);
		assert_int_equal(s.n, 21);
		/* GRO rewrites the first segment's headers in place. */
		memcpy(&orig, &s, sizeof(s));

		w.has_vh = 1;
		gro_init(&g, 1, capture, &w);
		for (i = 0; i < s.n; i++)
			gro_feed(&g, s.buf[i], s.len[i]);
		/* The short last segment with PSH wrote the chain. */
		assert_int_equal(w.n, 1);
		gro_flush(&g);
		assert_int_equal(w.n, 1);
		assert_int_equal(g.g_coalesced, 20);
		assert_int_equal(w.vh[0].gso_type, v6 ?
		    VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
		assert_int_equal(w.vh[0].flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		assert_int_equal(w.vh[0].gso_size, 1000);
		assert_int_equal(w.vh[0].hdr_len, ihl + 32);
		assert_int_equal(w.vh[0].csum_start, ihl);
		assert_int_equal(w.vh[0].csum_offset, 16);
		assert_int_equal(w.len[0], len);
		/* PSH is back on the whole; the data are unchanged. */
		assert_int_equal(w.pkt[0][ihl + 13], TCP_ACK | TCP_PSH);
		assert_memory_equal(w.pkt[0] + ihl + 32, pkt + ihl + 32,
		    len - ihl - 32);

		assert_int_equal(cut(&w.vh[0], w.pkt[0], w.len[0], &again), 0);
		assert_int_equal(again.n, orig.n);
		for (i = 0; i < orig.n; i++) {
			assert_int_equal(again.len[i], orig.len[i]);
			assert_memory_equal(again.buf[i], orig.buf[i],
			    orig.len[i]);
		}
		writes_free(&w);
	}
}

/* One write per joined run, and a packet that cannot join goes alone. */
static void
gro_keeps_order(void **state)
{
	static uint8_t		seg[12][1600];
	static struct writes	w;
	size_t			len[12];
	struct gro		g;
	uint32_t		seq = 100;
	int			i;

	/* 0-2 join; 3 leaves a gap; 4 joins 3; 5 has another ACK;
	 * 6 is a FIN; 7-8 are pure ACKs; 9 has a bad checksum; 10-11 join. */
	for (i = 0; i < 12; i++) {
		uint8_t flags = i == 6 ? TCP_ACK | TCP_FIN : TCP_ACK;
		size_t data = (i == 7 || i == 8) ? 0 : 1000;

		if (i == 3)
			seq += 500;
		len[i] = tcp_packet(seg[i], 0, seq, flags, data, (uint8_t)i);
		seq += (uint32_t)data;
		if (i == 5) {
			put32(seg[i] + 20 + 8, 0x12345678);
			/* Keep its checksum right after the change. */
			put16(seg[i] + 36, 0);
			put16(seg[i] + 36, (uint16_t)~ref_sum(seg[i] + 20,
			    len[i] - 20, ref_pseudo(seg[i], len[i] - 20,
			    IPPROTO_TCP)));
		}
		if (i == 9)
			seg[i][60] ^= 1;
	}
	w.has_vh = 1;
	gro_init(&g, 1, capture, &w);
	for (i = 0; i < 12; i++)
		gro_feed(&g, seg[i], len[i]);
	gro_flush(&g);

	/* 0-2, 3-4, 5, 6, 7, 8, 9, 10-11. */
	assert_int_equal(w.n, 8);
	assert_int_equal(w.len[0], 52 + 3000);
	assert_int_equal(w.vh[0].gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(get32(w.pkt[0] + 24), 100);
	assert_int_equal(w.len[1], 52 + 2000);
	assert_int_equal(get32(w.pkt[1] + 24), 3600);
	for (i = 2; i <= 6; i++) {
		assert_int_equal(w.vh[i].gso_type, VIRTIO_NET_HDR_GSO_NONE);
		assert_int_equal(w.vh[i].flags, 0);
		assert_int_equal(w.len[i], len[i + 3]);
		assert_memory_equal(w.pkt[i], seg[i + 3], len[i + 3]);
	}
	assert_int_equal(w.len[7], 52 + 2000);
	assert_int_equal(get32(w.pkt[7] + 24), get32(seg[10] + 24));
	writes_free(&w);
}

/* Two connections interleaved, a UDP packet between them. */
static void
gro_two_connections(void **state)
{
	static uint8_t		a[4][1600], b[4][1600], udp[64];
	static struct writes	w;
	size_t			la[4], lb[4], lu = 20 + 8 + 4;
	struct gro		g;
	int			i;

	for (i = 0; i < 4; i++) {
		la[i] = tcp_packet(a[i], 0, 1000 + 500 * (uint32_t)i, TCP_ACK,
		    500, 1);
		lb[i] = tcp_packet(b[i], 1, 9000 + 700 * (uint32_t)i, TCP_ACK,
		    700, 2);
	}
	memset(udp, 0, sizeof(udp));
	udp[0] = 0x45;
	put16(udp + 2, (uint16_t)lu);
	udp[9] = IPPROTO_UDP;
	w.has_vh = 1;
	gro_init(&g, 1, capture, &w);
	for (i = 0; i < 4; i++) {
		gro_feed(&g, a[i], la[i]);
		gro_feed(&g, b[i], lb[i]);
		if (i == 1)
			gro_feed(&g, udp, lu);
	}
	/* The UDP packet went at once; both chains wait. */
	assert_int_equal(w.n, 1);
	assert_int_equal(w.len[0], lu);
	gro_flush(&g);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.len[1] + w.len[2], 52 + 2000 + 72 + 2800);
	writes_free(&w);
}

/* 65,535 bytes per packet and GRO_SEGS segments at most. */
static void
gro_limits(void **state)
{
	static uint8_t		seg[150][600];
	static struct writes	w;
	size_t			len[150], total = 0;
	struct gro		g;
	unsigned int		i;

	w.has_vh = 1;
	gro_init(&g, 1, capture, &w);
	for (i = 0; i < 150; i++) {
		len[i] = tcp_packet(seg[i], 0, 1 + 500 * i, TCP_ACK, 500, 4);
		gro_feed(&g, seg[i], len[i]);
	}
	gro_flush(&g);
	assert_int_equal(w.n, 3);
	for (i = 0; i < w.n; i++) {
		assert_true(w.len[i] <= 65535);
		assert_true(w.len[i] <= 52 + GRO_SEGS * 500);
		total += w.len[i] - 52;
	}
	assert_int_equal(total, 150 * 500);
	writes_free(&w);

	/* 1,400-byte segments: the 46th would pass 65,535 bytes. */
	{
		static uint8_t	big[50][1500];

		gro_init(&g, 1, capture, &w);
		w.has_vh = 1;
		for (i = 0; i < 50; i++) {
			len[i] = tcp_packet(big[i], 0, 1 + 1400 * i, TCP_ACK,
			    1400, 5);
			gro_feed(&g, big[i], len[i]);
		}
		gro_flush(&g);
		assert_int_equal(w.n, 2);
		assert_int_equal(w.len[0], 52 + 46 * 1400);
		writes_free(&w);
	}
}

/* A device without virtio-net headers gets every packet as it is. */
static void
gro_without_vnet(void **state)
{
	static uint8_t		seg[3][1600];
	static struct writes	w;
	size_t			len;
	struct gro		g;
	int			i;

	w.has_vh = 0;
	gro_init(&g, 0, capture, &w);
	for (i = 0; i < 3; i++) {
		len = tcp_packet(seg[i], 0, 1 + 1000 * (uint32_t)i, TCP_ACK,
		    1000, 6);
		gro_feed(&g, seg[i], len);
		assert_int_equal(w.n, (unsigned int)i + 1);
		assert_memory_equal(w.pkt[i], seg[i], len);
	}
	gro_flush(&g);
	assert_int_equal(w.n, 3);
	writes_free(&w);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(csum_matches_reference),
		cmocka_unit_test(csum_completes_udp),
		cmocka_unit_test(gso_cuts_like_kernel),
		cmocka_unit_test(gso_rejects_bad_headers),
		cmocka_unit_test(gro_round_trip),
		cmocka_unit_test(gro_keeps_order),
		cmocka_unit_test(gro_two_connections),
		cmocka_unit_test(gro_limits),
		cmocka_unit_test(gro_without_vnet),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
