/*
 * ESP packet processing of one SA pair (RFC 4303): build a packet and
 * parse it back.  Then every way the receiver must drop one: tampered
 * bytes, replays, the edges of the window, bad padding, a wrong next
 * header, an inner packet outside the selector, and truncation at every
 * length.  Last, the end of the sequence number space, and encapsulation
 * in place, which must produce the same packets as the copying path.
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

#include "crypto/esp/esp_cipher.h"
#include "kernel/esp_sa.h"
#include "kernel/flow.h"
#include "lib/err.h"

#define SPI		0x12345678U
#define BUF_LEN		2048

static const uint8_t	encr_key[36] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24,
};
static const uint8_t	auth_key[32] = {
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
	0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8,
	0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0 };

struct pair {
	struct esp_sa	out;
	struct esp_sa	in;
	int		family;
	uint8_t		outer_src[16];
	uint8_t		outer_dst[16];
};

/* A packet in a buffer with room for a rebuilt header before it. */
struct packet {
	uint8_t	buf[ESP_SA_HEADROOM + BUF_LEN];
	size_t	len;
};

static void
addr_set(struct sockaddr_storage *ss, const char *text)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &sin6->sin6_addr),
		    1);
	} else {
		sin->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &sin->sin_addr), 1);
	}
}

static void
sa_fill(struct kernel_sa *sa, int gcm, enum kernel_mode mode,
    const char *in_src, const char *in_dst, uint8_t prefix)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_id.id_spi = SPI;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	if (strchr(in_src, ':') != NULL) {
		addr_set(&sa->sa_id.id_src, "2001:db8::1");
		addr_set(&sa->sa_id.id_dst, "2001:db8::2");
	} else {
		addr_set(&sa->sa_id.id_src, "198.51.100.1");
		addr_set(&sa->sa_id.id_dst, "198.51.100.2");
	}
	sa->sa_mode = mode;
	if (gcm) {
		sa->sa_encr = KERNEL_ENCR_AES_GCM_16;
		sa->sa_encr_key = encr_key;
		sa->sa_encr_keylen = 20;
	} else {
		sa->sa_encr = KERNEL_ENCR_AES_CBC;
		sa->sa_encr_key = encr_key;
		sa->sa_encr_keylen = 32;
		sa->sa_auth = KERNEL_AUTH_HMAC_SHA2_256;
		sa->sa_auth_key = auth_key;
		sa->sa_auth_keylen = 32;
	}
	sa->sa_reqid = 7;
	addr_set(&sa->sa_sel.sel_src, in_src);
	addr_set(&sa->sa_sel.sel_dst, in_dst);
	sa->sa_sel.sel_src_prefix = prefix;
	sa->sa_sel.sel_dst_prefix = prefix;
}

static struct pair *
pair_new(int gcm, enum kernel_mode mode, const char *in_src,
    const char *in_dst, uint8_t prefix)
{
	struct kernel_sa	 sa;
	struct pair		*p;

	p = calloc(1, sizeof(*p));
	assert_non_null(p);
	sa_fill(&sa, gcm, mode, in_src, in_dst, prefix);
	sa.sa_dir = KERNEL_DIR_OUT;
	assert_int_equal(esp_sa_init(&p->out, &sa), 0);
	sa.sa_dir = KERNEL_DIR_IN;
	assert_int_equal(esp_sa_init(&p->in, &sa), 0);
	p->family = flow_sockaddr_bytes(&sa.sa_id.id_src, p->outer_src);
	flow_sockaddr_bytes(&sa.sa_id.id_dst, p->outer_dst);
	return (p);
}

static void
pair_free(struct pair *p)
{
	esp_sa_clear(&p->out);
	esp_sa_clear(&p->in);
	free(p);
}

/* An IPv4 packet of protocol proto with 4 bytes of ports and data. */
static size_t
ipv4_packet(uint8_t *pkt, const char *src, const char *dst, uint8_t proto,
    size_t datalen)
{
	size_t	len = 20 + 4 + datalen, i;

	memset(pkt, 0, len);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	pkt[8] = 64;
	pkt[9] = proto;
	assert_int_equal(inet_pton(AF_INET, src, pkt + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, pkt + 16), 1);
	pkt[20] = 0x30;		/* source port 12345 */
	pkt[21] = 0x39;
	pkt[22] = 0x00;		/* destination port 53 */
	pkt[23] = 0x35;
	for (i = 0; i < datalen; i++)
		pkt[24 + i] = (uint8_t)(i + 3);
	return (len);
}

static size_t
ipv6_packet(uint8_t *pkt, const char *src, const char *dst, uint8_t proto,
    size_t datalen)
{
	size_t	len = 40 + 4 + datalen, i;

	memset(pkt, 0, len);
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)((len - 40) >> 8);
	pkt[5] = (uint8_t)(len - 40);
	pkt[6] = proto;
	pkt[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, src, pkt + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, pkt + 24), 1);
	pkt[40] = 0x30;
	pkt[41] = 0x39;
	pkt[42] = 0x00;
	pkt[43] = 0x35;
	for (i = 0; i < datalen; i++)
		pkt[44 + i] = (uint8_t)(i + 3);
	return (len);
}

/* Encapsulate inner through p->out into pk. */
static void
encap(struct pair *p, const uint8_t *inner, size_t len, struct packet *pk)
{
	struct flow	fl;
	size_t		payload;

	assert_int_equal(flow_parse(&fl, inner, len), 0);
	assert_int_equal(esp_sa_encap(&p->out, inner, &fl,
	    pk->buf + ESP_SA_HEADROOM, BUF_LEN, &pk->len, &payload), 0);
}

/* Encapsulate with the given sequence number. */
static void
encap_seq(struct pair *p, uint32_t seq, const uint8_t *inner, size_t len,
    struct packet *pk)
{
	p->out.es_seq = seq - 1;
	encap(p, inner, len, pk);
}

/* Decapsulate a copy of pk through p->in. */
static int
decap(struct pair *p, const struct packet *pk, struct packet *work,
    uint8_t **inner, struct flow *fl)
{
	memcpy(work, pk, sizeof(*pk));
	return (esp_sa_decap(&p->in, p->family, p->outer_src, p->outer_dst,
	    work->buf + ESP_SA_HEADROOM, work->len, inner, fl));
}

static void
tunnel_round_trip(void **state)
{
	static struct packet	pk, work;
	uint8_t			inner[256], *got;
	struct flow		fl;
	size_t			len;
	int			gcm;

	for (gcm = 0; gcm <= 1; gcm++) {
		struct pair *p = pair_new(gcm, KERNEL_MODE_TUNNEL,
		    "192.0.2.0", "203.0.113.0", 24);

		len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1",
		    IPPROTO_UDP, 37);
		encap(p, inner, len, &pk);
		assert_int_equal(pk.len, 8 + (gcm ? 8 : 16) +
		    (gcm ? 64 : 64) + (gcm ? 16 : 16));
		assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
		assert_int_equal(fl.fl_totlen, len);
		assert_memory_equal(got, inner, len);
		assert_int_equal(p->in.es_stats.st_auth_failures, 0);
		assert_int_equal(p->out.es_seq, 1);
		pair_free(p);
	}
}

static void
tunnel_ipv6_round_trip(void **state)
{
	static struct packet	 pk, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len;

	p = pair_new(1, KERNEL_MODE_TUNNEL, "2001:db8:1::", "2001:db8:2::",
	    48);
	len = ipv6_packet(inner, "2001:db8:1::5", "2001:db8:2::9",
	    IPPROTO_TCP, 100);
	encap(p, inner, len, &pk);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
	assert_int_equal(fl.fl_family, AF_INET6);
	assert_memory_equal(got, inner, len);
	pair_free(p);
}

static void
transport_round_trip(void **state)
{
	static struct packet	 pk, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len;

	p = pair_new(0, KERNEL_MODE_TRANSPORT, "198.51.100.1",
	    "198.51.100.2", 32);
	len = ipv4_packet(inner, "198.51.100.1", "198.51.100.2", IPPROTO_UDP,
	    20);
	encap(p, inner, len, &pk);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
	/* The header is rebuilt from the outer addresses. */
	assert_int_equal(fl.fl_proto, IPPROTO_UDP);
	assert_int_equal(fl.fl_totlen, len);
	assert_int_equal(fl.fl_sport, 12345);
	assert_int_equal(fl.fl_dport, 53);
	assert_memory_equal(got + 12, inner + 12, 8);
	assert_memory_equal(got + 20, inner + 20, len - 20);
	pair_free(p);
}

static void
transport_ipv6_round_trip(void **state)
{
	static struct packet	 pk, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len;

	p = pair_new(1, KERNEL_MODE_TRANSPORT, "2001:db8::1", "2001:db8::2",
	    128);
	len = ipv6_packet(inner, "2001:db8::1", "2001:db8::2", IPPROTO_UDP,
	    9);
	encap(p, inner, len, &pk);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
	assert_int_equal(fl.fl_family, AF_INET6);
	assert_memory_equal(got, inner, len);
	pair_free(p);
}

static void
transport_fragment_rejected(void **state)
{
	static struct packet	 pk;
	uint8_t			 inner[256];
	struct flow		 fl;
	struct pair		*p;
	size_t			 len, payload;

	p = pair_new(0, KERNEL_MODE_TRANSPORT, "198.51.100.1",
	    "198.51.100.2", 32);
	len = ipv4_packet(inner, "198.51.100.1", "198.51.100.2", IPPROTO_UDP,
	    20);
	inner[6] = 0x20;	/* more fragments */
	assert_int_equal(flow_parse(&fl, inner, len), 0);
	assert_int_equal(esp_sa_encap(&p->out, inner, &fl,
	    pk.buf + ESP_SA_HEADROOM, BUF_LEN, &pk.len, &payload),
	    ERR_UNSUPPORTED);
	assert_int_equal(p->out.es_seq, 0);
	pair_free(p);
}

static void
tampered_byte_dropped(void **state)
{
	static struct packet	 pk, bad, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len, i;
	int			 r;

	p = pair_new(0, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 30);
	encap(p, inner, len, &pk);
	/* Bytes 4 to 7 are the sequence number, then IV, data, ICV. */
	for (i = 4; i < pk.len; i++) {
		memcpy(&bad, &pk, sizeof(pk));
		bad.buf[ESP_SA_HEADROOM + i] ^= 0x80;
		r = decap(p, &bad, &work, &got, &fl);
		assert_int_equal(r, ERR_AUTH);
	}
	assert_int_equal(p->in.es_stats.st_auth_failures, pk.len - 4);
	/* The failures did not move the window: the original passes. */
	assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
	pair_free(p);
}

static void
replayed_packet_rejected(void **state)
{
	static struct packet	 pk, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len;

	p = pair_new(1, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 10);
	encap(p, inner, len, &pk);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), ERR_EXISTS);
	assert_int_equal(p->in.es_stats.st_replay_drops, 1);
	pair_free(p);
}

/*
 * Window of 64 after packet 100: 37 is inside, 36 is not (3.4.3).  After
 * 101, 37 has fallen out too.
 */
static void
sequence_window_edges(void **state)
{
	static struct packet	 pk[6], work;
	static const uint32_t	 seqs[] = { 100, 37, 36, 101, 100, 37 };
	static const int	 want[] = { 0, 0, ERR_TOOBIG, 0, ERR_EXISTS,
				    ERR_TOOBIG };
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len, i;

	p = pair_new(1, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 10);
	for (i = 0; i < 6; i++)
		encap_seq(p, seqs[i], inner, len, &pk[i]);
	for (i = 0; i < 6; i++)
		assert_int_equal(decap(p, &pk[i], &work, &got, &fl), want[i]);
	assert_int_equal(p->in.es_stats.st_replay_drops, 3);
	pair_free(p);
}

static void
large_window_accepts_old(void **state)
{
	static struct packet	 pk[2], work;
	struct kernel_sa	 sa;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len;

	p = pair_new(1, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	esp_sa_clear(&p->in);
	sa_fill(&sa, 1, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	sa.sa_dir = KERNEL_DIR_IN;
	sa.sa_replay_window = 1024;
	assert_int_equal(esp_sa_init(&p->in, &sa), 0);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 10);
	encap_seq(p, 2000, inner, len, &pk[0]);
	encap_seq(p, 977, inner, len, &pk[1]);
	assert_int_equal(decap(p, &pk[0], &work, &got, &fl), 0);
	assert_int_equal(decap(p, &pk[1], &work, &got, &fl), 0);
	pair_free(p);
}

/*
 * Seal a hand-made plaintext (payload, padding, pad length, next header)
 * with the outbound cipher.
 */
static void
seal_raw(struct pair *p, struct packet *pk, const uint8_t *payload,
    size_t len, const uint8_t *pad, size_t padlen, uint8_t padfield,
    uint8_t nh)
{
	uint8_t	*esp = pk->buf + ESP_SA_HEADROOM;
	size_t	 iv = esp_cipher_iv_len(p->out.es_cipher), off = 8 + iv;
	uint32_t seq = ++p->out.es_seq;

	memset(pk, 0, sizeof(*pk));
	esp[0] = SPI >> 24;
	esp[1] = (SPI >> 16) & 0xff;
	esp[2] = (SPI >> 8) & 0xff;
	esp[3] = SPI & 0xff;
	esp[4] = seq >> 24;
	esp[5] = (seq >> 16) & 0xff;
	esp[6] = (seq >> 8) & 0xff;
	esp[7] = seq & 0xff;
	memcpy(esp + off, payload, len);
	memcpy(esp + off + len, pad, padlen);
	esp[off + len + padlen] = padfield;
	esp[off + len + padlen + 1] = nh;
	assert_int_equal(esp_cipher_seal(p->out.es_cipher, esp,
	    off + len + padlen + 2, seq), 0);
	pk->len = off + len + padlen + 2 +
	    esp_cipher_icv_len(p->out.es_cipher);
}

static void
bad_padding_rejected(void **state)
{
	static struct packet	 pk, work;
	static const uint8_t	 good[] = { 1, 2, 3, 4 };
	static const uint8_t	 wrong[] = { 1, 2, 4, 4 };
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len;

	/* GCM aligns to 4 bytes, so any padding length fits. */
	p = pair_new(1, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 10);
	seal_raw(p, &pk, inner, len, good, 4, 4, 4);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
	seal_raw(p, &pk, inner, len, wrong, 4, 4, 4);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), ERR_MALFORMED);
	/* A pad length longer than the plaintext. */
	seal_raw(p, &pk, inner, 2, good, 0, 250, 4);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), ERR_MALFORMED);
	assert_int_equal(p->in.es_stats.st_other_drops, 2);
	pair_free(p);
}

static void
wrong_next_header_rejected(void **state)
{
	static struct packet	 pk, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len;

	p = pair_new(1, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 10);
	/* Tunnel mode carries only IPv4 (4) or IPv6 (41). */
	seal_raw(p, &pk, inner, len, inner, 0, 0, IPPROTO_UDP);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), ERR_MALFORMED);
	/* Next header 41 promises IPv6, but the packet is IPv4. */
	seal_raw(p, &pk, inner, len, inner, 0, 0, 41);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), ERR_MALFORMED);
	assert_int_equal(p->in.es_stats.st_other_drops, 2);
	/* A dummy packet (59) is discarded without counting. */
	seal_raw(p, &pk, inner, len, inner, 0, 0, 59);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), ERR_NOTFOUND);
	assert_null(got);
	assert_int_equal(p->in.es_stats.st_other_drops, 2);
	pair_free(p);
}

static void
selector_mismatch_dropped(void **state)
{
	static struct packet	 pk, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len;

	p = pair_new(0, KERNEL_MODE_TUNNEL, "192.0.2.0", "203.0.113.0", 25);
	len = ipv4_packet(inner, "192.0.2.200", "203.0.113.1", IPPROTO_UDP,
	    10);
	encap(p, inner, len, &pk);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), ERR_MALFORMED);
	assert_null(got);
	len = ipv4_packet(inner, "192.0.2.127", "203.0.113.127",
	    IPPROTO_UDP, 10);
	encap(p, inner, len, &pk);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
	assert_int_equal(p->in.es_stats.st_other_drops, 1);
	pair_free(p);
}

static void
truncated_every_length(void **state)
{
	static struct packet	 pk, cut, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	size_t			 len, n;
	int			 gcm;

	for (gcm = 0; gcm <= 1; gcm++) {
		struct pair *p = pair_new(gcm, KERNEL_MODE_TUNNEL,
		    "192.0.2.1", "203.0.113.1", 32);

		len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1",
		    IPPROTO_UDP, 50);
		encap(p, inner, len, &pk);
		for (n = 0; n < pk.len; n++) {
			memcpy(&cut, &pk, sizeof(pk));
			cut.len = n;
			assert_int_not_equal(decap(p, &cut, &work, &got, &fl),
			    0);
			assert_null(got);
		}
		assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
		pair_free(p);
	}
}

/* Random bytes after a valid SPI: always dropped, never accepted. */
static void
random_packets_dropped(void **state)
{
	static struct packet	 pk, work;
	uint8_t			*got;
	struct flow		 fl;
	uint32_t		 x = 12345;
	size_t			 i, j;
	int			 gcm;

	for (gcm = 0; gcm <= 1; gcm++) {
		struct pair *p = pair_new(gcm, KERNEL_MODE_TRANSPORT,
		    "198.51.100.1", "198.51.100.2", 32);

		for (i = 0; i < 2000; i++) {
			memset(&pk, 0, sizeof(pk));
			x = x * 1103515245 + 12345;
			pk.len = (x >> 16) % 200;
			for (j = 0; j < pk.len; j++) {
				x = x * 1103515245 + 12345;
				pk.buf[ESP_SA_HEADROOM + j] = (uint8_t)(x >> 16);
			}
			assert_int_not_equal(decap(p, &pk, &work, &got, &fl),
			    0);
			assert_null(got);
		}
		pair_free(p);
	}
}

static void
sequence_space_exhausted(void **state)
{
	static struct packet	 pk, work;
	uint8_t			 inner[256], *got;
	struct flow		 fl;
	struct pair		*p;
	size_t			 len, payload;

	p = pair_new(1, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 10);
	encap_seq(p, UINT32_MAX, inner, len, &pk);
	assert_int_equal(p->out.es_seq, UINT32_MAX);
	assert_int_equal(decap(p, &pk, &work, &got, &fl), 0);
	/* RFC 4303 3.3.3: the counter must not cycle. */
	assert_int_equal(flow_parse(&fl, inner, len), 0);
	assert_int_equal(esp_sa_encap(&p->out, inner, &fl,
	    pk.buf + ESP_SA_HEADROOM, BUF_LEN, &pk.len, &payload), ERR_STATE);
	pair_free(p);
}

static void
output_buffer_too_small(void **state)
{
	static struct packet	 pk;
	uint8_t			 inner[256];
	struct flow		 fl;
	struct pair		*p;
	size_t			 len, payload;

	p = pair_new(0, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 10);
	assert_int_equal(flow_parse(&fl, inner, len), 0);
	assert_int_equal(esp_sa_encap(&p->out, inner, &fl, pk.buf,
	    len + esp_sa_overhead(&p->out) - 16, &pk.len, &payload),
	    ERR_TOOBIG);
	assert_int_equal(p->out.es_seq, 0);
	pair_free(p);
}

/*
 * In place: the same bytes as the copying path (AES-GCM's IV is the
 * sequence number, so two SAs with one key agree), in both modes and
 * families, and the receiver gets the packet back.
 */
static void
inplace_matches_copy(void **state)
{
	static struct packet	 copy, work;
	static uint8_t		 slot[ESP_SA_ENCAP_HEADROOM + 256 +
				    ESP_SA_ENCAP_TAILROOM];
	struct kernel_sa	 sa;
	struct esp_sa		 twin;
	struct pair		*p;
	struct flow		 fl;
	uint8_t			*inner = slot + ESP_SA_ENCAP_HEADROOM, *esp;
	uint8_t			*got;
	size_t			 len, esplen, payload, copy_payload;
	int			 transport, v6;

	for (transport = 0; transport <= 1; transport++) {
		for (v6 = 0; v6 <= 1; v6++) {
			const char *a = v6 ? (transport ? "2001:db8::1" :
			    "2001:db8:1::1") : (transport ? "198.51.100.1" :
			    "192.0.2.1");
			const char *b = v6 ? (transport ? "2001:db8::2" :
			    "2001:db8:2::1") : (transport ? "198.51.100.2" :
			    "203.0.113.1");
			enum kernel_mode mode = transport ?
			    KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;

			p = pair_new(1, mode, a, b, v6 ? 128 : 32);
			sa_fill(&sa, 1, mode, a, b, v6 ? 128 : 32);
			sa.sa_dir = KERNEL_DIR_OUT;
			assert_int_equal(esp_sa_init(&twin, &sa), 0);
			len = v6 ? ipv6_packet(inner, a, b, IPPROTO_UDP, 61) :
			    ipv4_packet(inner, a, b, IPPROTO_UDP, 61);
			assert_int_equal(flow_parse(&fl, inner, len), 0);
			assert_int_equal(esp_sa_encap(&twin, inner, &fl,
			    copy.buf + ESP_SA_HEADROOM, BUF_LEN, &copy.len,
			    &copy_payload), 0);
			assert_int_equal(esp_sa_encap_inplace(&p->out, inner,
			    ESP_SA_ENCAP_HEADROOM, ESP_SA_ENCAP_TAILROOM, &fl,
			    &esp, &esplen, &payload), 0);
			assert_int_equal(esplen, copy.len);
			assert_int_equal(payload, copy_payload);
			assert_memory_equal(esp, copy.buf + ESP_SA_HEADROOM,
			    esplen);
			assert_true(esp >= slot);
			assert_true(esp + esplen <= slot + sizeof(slot));
			assert_int_equal(decap(p, &copy, &work, &got, &fl), 0);
			assert_int_equal(fl.fl_totlen, len);
			esp_sa_clear(&twin);
			pair_free(p);
		}
	}
}

/* Too little room before or after the packet, for CBC's IV and ICV. */
static void
inplace_room_too_small(void **state)
{
	static uint8_t	 slot[ESP_SA_ENCAP_HEADROOM + 256 +
			    ESP_SA_ENCAP_TAILROOM];
	uint8_t		*inner = slot + ESP_SA_ENCAP_HEADROOM, *esp;
	struct flow	 fl;
	struct pair	*p;
	size_t		 len, esplen, payload;

	p = pair_new(0, KERNEL_MODE_TUNNEL, "192.0.2.1", "203.0.113.1", 32);
	len = ipv4_packet(inner, "192.0.2.1", "203.0.113.1", IPPROTO_UDP, 10);
	assert_int_equal(flow_parse(&fl, inner, len), 0);
	/* ESP header and a 16-byte IV need 24 bytes. */
	assert_int_equal(esp_sa_encap_inplace(&p->out, inner, 23,
	    ESP_SA_ENCAP_TAILROOM, &fl, &esp, &esplen, &payload), ERR_TOOBIG);
	/* 34 bytes: 12 of padding, the trailer and a 16-byte ICV follow. */
	assert_int_equal(esp_sa_encap_inplace(&p->out, inner,
	    ESP_SA_ENCAP_HEADROOM, 29, &fl, &esp, &esplen, &payload),
	    ERR_TOOBIG);
	assert_int_equal(p->out.es_seq, 0);
	assert_int_equal(esp_sa_encap_inplace(&p->out, inner,
	    ESP_SA_ENCAP_HEADROOM, 30, &fl, &esp, &esplen, &payload), 0);
	assert_int_equal(esplen, 24 + len + 12 + 2 + 16);
	assert_int_equal(p->out.es_seq, 1);
	pair_free(p);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(tunnel_round_trip),
		cmocka_unit_test(tunnel_ipv6_round_trip),
		cmocka_unit_test(transport_round_trip),
		cmocka_unit_test(transport_ipv6_round_trip),
		cmocka_unit_test(transport_fragment_rejected),
		cmocka_unit_test(tampered_byte_dropped),
		cmocka_unit_test(replayed_packet_rejected),
		cmocka_unit_test(sequence_window_edges),
		cmocka_unit_test(large_window_accepts_old),
		cmocka_unit_test(bad_padding_rejected),
		cmocka_unit_test(wrong_next_header_rejected),
		cmocka_unit_test(selector_mismatch_dropped),
		cmocka_unit_test(truncated_every_length),
		cmocka_unit_test(random_packets_dropped),
		cmocka_unit_test(sequence_space_exhausted),
		cmocka_unit_test(output_buffer_too_small),
		cmocka_unit_test(inplace_matches_copy),
		cmocka_unit_test(inplace_room_too_small),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
