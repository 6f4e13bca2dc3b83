/*
 * The userspace backend's packet batches in a private network namespace,
 * through its real TUN device and raw sockets.  Inbound: a burst of ESP
 * that one recvmmsg takes at once, with a tampered, a replayed, a
 * truncated, a too short and an unknown packet among good ones.  The
 * good ones must all arrive in order, and so must those of the same
 * burst as ESP in UDP from the daemon.
 * Outbound: a burst of IPv4 and IPv6 datagrams in turns, sent in
 * batches, each with the next sequence number and a valid UDP checksum
 * (the TUN device leaves checksums to the backend), and one packet
 * larger than a slot.  An SA that reaches its hard kilobyte lifetime in
 * the middle of a batch: its packets of the batch leave before the
 * expiry is reported.  Needs root (exits 77 otherwise).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "kernel/esp_sa.h"
#include "kernel/kernel.h"
#include "lib/err.h"

#define SPI_IN		0x5000
#define SPI_IN6		0x5006
#define SPI_OUT		0x6000
#define SPI_OUT6	0x6006
#define PORT_SINK	7000
#define PORT_SRC	6000
#define PKT_MAX		4096
#define BURST		40

static const uint8_t	gcm_key[20] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
	0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x10, 0x01, 0x02, 0x03, 0x04 };

struct fixture {
	struct event_base	*base;
	struct kernel		*k;
	int			 udp_sent;	/* ESP in UDP handed out */
	int			 esp_fd;	/* raw ESP seen by count_expire */
	int			 hard_expiries;
	uint64_t		 expired_packets;	/* counted by the SA */
	int			 sent_before_expiry;	/* in esp_fd by then */
};

static void
addr(struct sockaddr_storage *ss, const char *text, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, text, &sin6->sin6_addr),
		    1);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, text, &sin->sin_addr), 1);
	}
}

static socklen_t
addr_len(const struct sockaddr_storage *ss)
{
	return (ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6));
}

/*
 * A tunnel-mode AES-GCM SA.  Inbound ones come from the peer at
 * 198.51.100.1 (2001:db8::1) for traffic from 203.0.113.1 (2001:db8:2::1)
 * to 192.0.2.1 (2001:db8:1::1); outbound ones are the reverse.
 */
static void
make_sa(struct kernel_sa *sa, uint32_t spi, enum kernel_dir dir, int v6,
    int encap)
{
	const char	*peer = v6 ? "2001:db8::1" : "198.51.100.1";
	const char	*self = v6 ? "2001:db8::2" : "198.51.100.2";
	const char	*here = v6 ? "2001:db8:1::1" : "192.0.2.1";
	const char	*there = v6 ? "2001:db8:2::1" : "203.0.113.1";
	int		 in = dir == KERNEL_DIR_IN;
	uint16_t	 port = encap ? 4500 : 0;

	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = dir;
	addr(&sa->sa_id.id_src, in ? peer : self, port);
	addr(&sa->sa_id.id_dst, in ? self : peer, port);
	sa->sa_id.id_spi = spi;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = KERNEL_MODE_TUNNEL;
	sa->sa_encap = encap;
	sa->sa_encr = KERNEL_ENCR_AES_GCM_16;
	sa->sa_encr_key = gcm_key;
	sa->sa_encr_keylen = sizeof(gcm_key);
	/* Policies find their SA by reqid: one per family. */
	sa->sa_reqid = v6 ? 10 : 9;
	sa->sa_replay_window = 64;
	addr(&sa->sa_sel.sel_src, in ? there : here, 0);
	addr(&sa->sa_sel.sel_dst, in ? here : there, 0);
	sa->sa_sel.sel_src_prefix = v6 ? 128 : 32;
	sa->sa_sel.sel_dst_prefix = v6 ? 128 : 32;
}

static int
count_udp(void *arg, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	struct fixture	*f = arg;

	f->udp_sent++;
	return (0);
}

/*
 * kc_expire: count the SA's packets that had reached esp_fd when a hard
 * expiry was reported, which the daemon may follow with a Delete.
 */
static void
count_expire(void *arg, const struct kernel_expire *exp)
{
	struct fixture	*f = arg;
	uint8_t		 buf[PKT_MAX];
	ssize_t		 n;

	if (!exp->exp_hard)
		return;
	f->hard_expiries++;
	f->expired_packets = exp->exp_stats.st_packets;
	/* An IPv4 raw socket returns the IP header, then SPI_OUT. */
	while ((n = recv(f->esp_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (n >= 28 && buf[20] == 0 && buf[21] == 0 &&
		    buf[22] == (SPI_OUT >> 8) && buf[23] == (SPI_OUT & 0xff))
			f->sent_before_expiry++;
	}
}

static int
setup(void **state)
{
	struct kernel_callbacks	 cb = { .kc_send_udp = count_udp,
		.kc_expire = count_expire };
	struct kernel_options	 opts = { .ko_tun_name = "espbatch0",
		.ko_route_table = 4800, .ko_fwmark = 0x4800,
		.ko_rule_priority = 4800 };
	struct fixture		*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->esp_fd = -1;
	f->base = event_base_new();
	assert_non_null(f->base);
	assert_int_equal(kernel_open(&f->k, KERNEL_BACKEND_USERSPACE, f->base,
	    &cb, f, &opts), 0);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	kernel_close(f->k);
	event_base_free(f->base);
	free(f);
	return (0);
}

/* An IPv4 UDP datagram of len bytes, data byte tag, checksum 0 (none). */
static size_t
inner_udp4(uint8_t *p, const char *src, const char *dst, uint8_t tag,
    size_t len)
{
	memset(p, tag, len);
	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	assert_int_equal(inet_pton(AF_INET, src, p + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, p + 16), 1);
	p[20] = PORT_SRC >> 8;
	p[21] = PORT_SRC & 0xff;
	p[22] = PORT_SINK >> 8;
	p[23] = PORT_SINK & 0xff;
	p[24] = (uint8_t)((len - 20) >> 8);
	p[25] = (uint8_t)(len - 20);
	/* The IPv4 header checksum. */
	{
		uint32_t	sum = 0;
		int		i;

		for (i = 0; i < 20; i += 2)
			sum += (uint32_t)(p[i] << 8 | p[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		p[10] = (uint8_t)(~sum >> 8);
		p[11] = (uint8_t)~sum;
	}
	return (len);
}

/* An ESP packet of the twin SA es around a datagram tagged tag. */
static size_t
esp_packet(struct esp_sa *es, uint8_t tag, uint8_t *out)
{
	uint8_t		inner[256];
	struct flow	fl;
	size_t		len, outlen, payload;

	len = inner_udp4(inner, "203.0.113.1", "192.0.2.1", tag, 100);
	assert_int_equal(flow_parse(&fl, inner, len), 0);
	assert_int_equal(esp_sa_encap(es, inner, &fl, out, PKT_MAX, &outlen,
	    &payload), 0);
	return (outlen);
}

static int
sink_open(const char *where, int family)
{
	struct sockaddr_storage	ss;
	int			fd;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	addr(&ss, where, PORT_SINK);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, addr_len(&ss)), 0);
	return (fd);
}

/* Run the loop until the sink has n datagrams; returns their tags. */
static int
sink_collect(struct fixture *f, int fd, uint8_t *tags, int n)
{
	uint8_t	buf[2048];
	ssize_t	r;
	int	got = 0, i;

	for (i = 0; i < 500 && got < n; i++) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		while (got < n && (r = recv(fd, buf, sizeof(buf), 0)) > 0)
			tags[got++] = buf[r - 1];
		if (got < n)
			usleep(2000);
	}
	/* Nothing more may come. */
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	usleep(20000);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
		got++;
	return (got);
}

/*
 * The burst: good packets 1 to 10 around every kind of bad one.  Returns
 * the number of packets written to pkts.
 */
static int
bad_burst(struct esp_sa *twin, uint8_t pkts[][PKT_MAX], size_t *lens)
{
	uint8_t		good[12][PKT_MAX];
	size_t		glen[12];
	int		n = 0, i;

	for (i = 1; i <= 11; i++)
		glen[i] = esp_packet(twin, (uint8_t)i, good[i]);
	for (i = 1; i <= 10; i++) {
		memcpy(pkts[n], good[i], glen[i]);
		lens[n++] = glen[i];
		switch (i) {
		case 2:
			/* Tampered: packet 11 with one bit of data changed. */
			memcpy(pkts[n], good[11], glen[11]);
			pkts[n][30] ^= 0x01;
			lens[n++] = glen[11];
			break;
		case 4:
			/* Replayed: packet 3 again. */
			memcpy(pkts[n], good[3], glen[3]);
			lens[n++] = glen[3];
			break;
		case 5:
			/* Truncated: the header and part of the IV. */
			memcpy(pkts[n], good[11], 12);
			lens[n++] = 12;
			break;
		case 7:
			/* Shorter than an SPI. */
			memcpy(pkts[n], good[11], 3);
			lens[n++] = 3;
			break;
		case 8:
			/* An SPI without an SA. */
			memcpy(pkts[n], good[11], glen[11]);
			pkts[n][3] ^= 0x77;
			lens[n++] = glen[11];
			break;
		}
	}
	return (n);
}

static void
check_stats(struct fixture *f, const struct kernel_sa *sa)
{
	struct kernel_sa_stats	st;

	assert_int_equal(kernel_query_sa(f->k, &sa->sa_id, &st), 0);
	assert_int_equal(st.st_packets, 10);
	assert_int_equal(st.st_bytes, 10 * 100);
	assert_int_equal(st.st_auth_failures, 1);
	assert_int_equal(st.st_replay_drops, 1);
	assert_int_equal(st.st_other_drops, 1);
}

/*
 * Add the inbound SA (ESP in UDP with encap) and write the burst for it
 * to pkts; returns its length.
 */
static int
burst_prepare(struct fixture *f, int encap, struct kernel_sa *sa,
    uint8_t pkts[][PKT_MAX], size_t *lens)
{
	struct kernel_sa	out;
	struct esp_sa		twin;
	int			n;

	make_sa(sa, SPI_IN, KERNEL_DIR_IN, 0, encap);
	assert_int_equal(kernel_add_sa(f->k, sa), 0);
	out = *sa;
	out.sa_dir = KERNEL_DIR_OUT;
	assert_int_equal(esp_sa_init(&twin, &out), 0);
	n = bad_burst(&twin, pkts, lens);
	esp_sa_clear(&twin);
	return (n);
}

/* The good packets arrived once each, in order, and the bad ones count. */
static void
burst_check(struct fixture *f, const struct kernel_sa *sa, int sink)
{
	uint8_t	tags[20];
	int	i;

	assert_int_equal(sink_collect(f, sink, tags, 10), 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(tags[i], i + 1);
	check_stats(f, sa);
}

/* Raw ESP: the whole burst waits in the socket for one recvmmsg. */
static void
inbound_burst_raw(void **state)
{
	static uint8_t		 pkts[20][PKT_MAX];
	struct fixture		*f = *state;
	struct sockaddr_storage	 peer, self;
	struct kernel_sa	 sa;
	size_t			 lens[20];
	int			 n, i, fd, sink;

	n = burst_prepare(f, 0, &sa, pkts, lens);
	sink = sink_open("192.0.2.1", AF_INET);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ESP);
	assert_true(fd >= 0);
	addr(&peer, "198.51.100.1", 0);
	addr(&self, "198.51.100.2", 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&peer, addr_len(&peer)),
	    0);
	for (i = 0; i < n; i++)
		assert_int_equal(sendto(fd, pkts[i], lens[i], 0,
		    (struct sockaddr *)&self, addr_len(&self)),
		    (ssize_t)lens[i]);
	close(fd);
	burst_check(f, &sa, sink);
	close(sink);
}

/* ESP in UDP: the daemon hands over one datagram after the other. */
static void
inbound_burst_udp(void **state)
{
	static uint8_t		 pkts[20][PKT_MAX];
	struct fixture		*f = *state;
	struct sockaddr_storage	 peer, self;
	struct kernel_sa	 sa;
	size_t			 lens[20];
	int			 n, i, sink;

	n = burst_prepare(f, 1, &sa, pkts, lens);
	sink = sink_open("192.0.2.1", AF_INET);
	addr(&peer, "198.51.100.1", 4500);
	addr(&self, "198.51.100.2", 4500);
	for (i = 0; i < n; i++)
		kernel_esp_udp_input(f->k, (struct sockaddr *)&self,
		    (struct sockaddr *)&peer, pkts[i], lens[i]);
	burst_check(f, &sa, sink);
	close(sink);
}

static void
add_outbound(struct fixture *f, int v6, uint64_t hard_kbytes)
{
	struct kernel_policy	pol;
	struct kernel_sa	sa;

	make_sa(&sa, v6 ? SPI_OUT6 : SPI_OUT, KERNEL_DIR_OUT, v6, 0);
	sa.sa_lifetime.lt_hard_kbytes = hard_kbytes;
	memset(&pol, 0, sizeof(pol));
	pol.pol_dir = KERNEL_DIR_OUT;
	pol.pol_sel = sa.sa_sel;
	pol.pol_action = KERNEL_ACTION_IPSEC;
	pol.pol_mode = KERNEL_MODE_TUNNEL;
	pol.pol_proto = KERNEL_PROTO_ESP;
	pol.pol_tun_src = sa.sa_id.id_src;
	pol.pol_tun_dst = sa.sa_id.id_dst;
	pol.pol_reqid = sa.sa_reqid;
	pol.pol_index = v6 ? 12 : 11;
	assert_int_equal(kernel_add_policy(f->k, &pol), 0);
	assert_int_equal(kernel_add_sa(f->k, &sa), 0);
}

/* The ones' complement sum of RFC 1071 over p[0..len). */
static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t	i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len % 2)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (sum);
}

/* Whether the inner datagram has a UDP checksum, and a valid one. */
static int
udp_csum_ok(const uint8_t *ip, size_t len)
{
	int		v6 = (ip[0] >> 4) == 6;
	size_t		hl = v6 ? 40 : 20;
	uint32_t	sum;

	if (ip[hl + 6] == 0 && ip[hl + 7] == 0)
		return (0);
	sum = sum16(ip + (v6 ? 8 : 12), v6 ? 32 : 8, 0) + IPPROTO_UDP +
	    (uint32_t)(len - hl);
	return (sum16(ip + hl, len - hl, sum) == 0xffff);
}

struct decoder {
	struct esp_sa	v4;
	struct esp_sa	v6;
	uint32_t	next_seq[2];
	int		fds[2];
	int		count[2];
	size_t		last_len[2];
};

static void
decoder_open(struct decoder *d)
{
	struct kernel_sa	sa;
	int			on = 1;

	memset(d, 0, sizeof(*d));
	make_sa(&sa, SPI_OUT, KERNEL_DIR_OUT, 0, 0);
	sa.sa_dir = KERNEL_DIR_IN;
	assert_int_equal(esp_sa_init(&d->v4, &sa), 0);
	make_sa(&sa, SPI_OUT6, KERNEL_DIR_OUT, 1, 0);
	sa.sa_dir = KERNEL_DIR_IN;
	assert_int_equal(esp_sa_init(&d->v6, &sa), 0);
	d->fds[0] = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ESP);
	d->fds[1] = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ESP);
	assert_true(d->fds[0] >= 0 && d->fds[1] >= 0);
	assert_int_equal(setsockopt(d->fds[1], IPPROTO_IPV6,
	    IPV6_RECVPKTINFO, &on, sizeof(on)), 0);
	d->next_seq[0] = d->next_seq[1] = 1;
}

static void
decoder_close(struct decoder *d)
{
	esp_sa_clear(&d->v4);
	esp_sa_clear(&d->v6);
	close(d->fds[0]);
	close(d->fds[1]);
}

/*
 * Decrypt what the backend sent to 198.51.100.1 and 2001:db8::1: each
 * packet must carry the next sequence number, a tag one above the last
 * and a valid inner UDP checksum.
 */
static void
decoder_read(struct decoder *d, uint8_t *last_tag)
{
	static uint8_t	buf[ESP_SA_HEADROOM + 70000];
	uint8_t		*esp = buf + ESP_SA_HEADROOM, *inner;
	uint8_t		src[16], dst[16];
	struct flow	fl;
	ssize_t		n;
	size_t		off;
	int		v6;

	memset(src, 0, sizeof(src));
	memset(dst, 0, sizeof(dst));
	for (v6 = 0; v6 <= 1; v6++) {
		while ((n = recv(d->fds[v6], esp, 70000, 0)) > 0) {
			off = 0;
			if (!v6) {
				/* DF clear, TTL 64, from the SA's source. */
				assert_int_equal(esp[6] & 0x40, 0);
				assert_int_equal(esp[8], 64);
				memcpy(src, esp + 12, 4);
				memcpy(dst, esp + 16, 4);
				off = 20;
			}
			if (esp[off] != 0 || esp[off + 1] != 0 ||
			    esp[off + 2] != 0x60)
				continue;	/* not one of ours */
			assert_int_equal(esp_sa_decap(v6 ? &d->v6 : &d->v4,
			    v6 ? AF_INET6 : AF_INET, src, dst, esp + off,
			    (size_t)n - off, &inner, &fl), 0);
			assert_int_equal(esp[off + 7], d->next_seq[v6] & 0xff);
			d->next_seq[v6]++;
			assert_true(udp_csum_ok(inner, fl.fl_totlen));
			assert_int_equal(inner[fl.fl_totlen - 1],
			    (uint8_t)(last_tag[v6] + 1));
			last_tag[v6]++;
			d->last_len[v6] = fl.fl_totlen;
			d->count[v6]++;
		}
	}
}

static void
outbound_burst(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 to[2], from[2];
	struct decoder		 d;
	uint8_t			 data[3000], last_tag[2] = { 0, 0 };
	int			 fd[2], i, v6;

	add_outbound(f, 0, 0);
	add_outbound(f, 1, 0);
	decoder_open(&d);
	addr(&from[0], "192.0.2.1", PORT_SRC);
	addr(&from[1], "2001:db8:1::1", PORT_SRC);
	addr(&to[0], "203.0.113.1", PORT_SINK);
	addr(&to[1], "2001:db8:2::1", PORT_SINK);
	for (v6 = 0; v6 <= 1; v6++) {
		fd[v6] = socket(to[v6].ss_family, SOCK_DGRAM, 0);
		assert_true(fd[v6] >= 0);
		assert_int_equal(bind(fd[v6], (struct sockaddr *)&from[v6],
		    addr_len(&from[v6])), 0);
	}
	/* 2 x BURST datagrams in turns, queued before the loop runs. */
	for (i = 1; i <= BURST; i++) {
		for (v6 = 0; v6 <= 1; v6++) {
			memset(data, i, 200);
			assert_int_equal(sendto(fd[v6], data, 200, 0,
			    (struct sockaddr *)&to[v6], addr_len(&to[v6])),
			    200);
		}
	}
	for (i = 0; i < 200 && d.count[0] + d.count[1] < 2 * BURST; i++) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		decoder_read(&d, last_tag);
		usleep(2000);
	}
	assert_int_equal(d.count[0], BURST);
	assert_int_equal(d.count[1], BURST);

	/* Larger than an outbound slot: the TUN device's MTU goes up. */
	assert_int_equal(system("ip link set espbatch0 mtu 4000"), 0);
	memset(data, BURST + 1, sizeof(data));
	assert_int_equal(sendto(fd[0], data, sizeof(data), 0,
	    (struct sockaddr *)&to[0], addr_len(&to[0])), sizeof(data));
	for (i = 0; i < 200 && d.count[0] < BURST + 1; i++) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		decoder_read(&d, last_tag);
		usleep(2000);
	}
	assert_int_equal(d.count[0], BURST + 1);
	assert_int_equal(d.last_len[0], 20 + 8 + sizeof(data));
	decoder_close(&d);
	close(fd[0]);
	close(fd[1]);
}

/*
 * 40 datagrams of 228 bytes (IP header included) in one TUN batch, for
 * an SA with a hard lifetime of 2 KB: the 9th reaches 2,048 bytes, and
 * the SA expires with its 9 packets already sent.
 */
static void
outbound_sent_before_expiry(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 to, from;
	uint8_t			 data[200];
	int			 fd, i;

	add_outbound(f, 0, 2);
	f->esp_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ESP);
	assert_true(f->esp_fd >= 0);
	addr(&from, "192.0.2.1", PORT_SRC);
	addr(&to, "203.0.113.1", PORT_SINK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, addr_len(&from)),
	    0);
	for (i = 1; i <= BURST; i++) {
		memset(data, i, sizeof(data));
		assert_int_equal(sendto(fd, data, sizeof(data), 0,
		    (struct sockaddr *)&to, addr_len(&to)), sizeof(data));
	}
	for (i = 0; i < 200 && f->hard_expiries == 0; i++) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		usleep(2000);
	}
	assert_int_equal(f->hard_expiries, 1);
	assert_int_equal(f->expired_packets, 9);
	assert_int_equal(f->sent_before_expiry, 9);
	close(f->esp_fd);
	f->esp_fd = -1;
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(inbound_burst_raw, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(inbound_burst_udp, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(outbound_burst, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(outbound_sent_before_expiry,
		    setup, teardown),
	};

	if (geteuid() != 0) {
		printf("skipped: needs root for a network namespace and TUN\n");
		return (77);
	}
	/* A namespace of our own: nothing here touches the host's routes. */
	if (unshare(CLONE_NEWNET) != 0) {
		printf("skipped: cannot create a network namespace\n");
		return (77);
	}
	if (system("ip link set lo up && "
	    "ip addr add 198.51.100.1/32 dev lo && "
	    "ip addr add 198.51.100.2/32 dev lo && "
	    "ip addr add 192.0.2.1/32 dev lo && "
	    "ip addr add 2001:db8::1/128 dev lo nodad && "
	    "ip addr add 2001:db8::2/128 dev lo nodad && "
	    "ip addr add 2001:db8:1::1/128 dev lo nodad && "
	    "sysctl -qw net.ipv4.conf.all.rp_filter=0 && "
	    "sysctl -qw net.ipv4.conf.default.rp_filter=0") != 0) {
		printf("cannot set up the namespace's addresses\n");
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
