#include <netinet/in.h>

#include <string.h>
#include <time.h>

#include "crypto/esp/esp_cipher.h"
#include "kernel/esp_sa.h"
#include "lib/err.h"
#include "lib/rbuf.h"

#define ESP_SA_TRAILER	2	/* pad length and next header */
#define ESP_SA_NH_IPV4	4	/* IP in IP: tunnel mode */
#define ESP_SA_NH_IPV6	41
#define ESP_SA_NH_DUMMY	59	/* RFC 4303 2.6: discard */
#define ESP_SA_TTL	64

int
esp_sa_init(struct esp_sa *es, const struct kernel_sa *sa)
{
	struct esp_cipher_params	p;
	int				r;

	memset(es, 0, sizeof(*es));
	if ((r = kernel_sa_rec_init(&es->es_rec, sa)) != 0)
		return (r);
	memset(&p, 0, sizeof(p));
	p.ecp_encr = sa->sa_encr;
	p.ecp_encr_key = es->es_rec.r_encr_key;
	p.ecp_encr_keylen = sa->sa_encr_keylen;
	p.ecp_auth = sa->sa_auth;
	p.ecp_auth_key = es->es_rec.r_auth_key;
	p.ecp_auth_keylen = sa->sa_auth_keylen;
	r = esp_cipher_new(&es->es_cipher, &p, sa->sa_dir == KERNEL_DIR_OUT);
	if (r != 0) {
		kernel_sa_rec_wipe(&es->es_rec);
		return (r);
	}
	replay_init(&es->es_replay, sa->sa_replay_window);
	es->es_stats.st_add_time = time(NULL);
	return (0);
}

void
esp_sa_clear(struct esp_sa *es)
{
	esp_cipher_free(es->es_cipher);
	es->es_cipher = NULL;
	kernel_sa_rec_wipe(&es->es_rec);
}

size_t
esp_sa_overhead(const struct esp_sa *es)
{
	return (ESP_CIPHER_HDR_LEN + esp_cipher_iv_len(es->es_cipher) +
	    esp_cipher_align(es->es_cipher) - 1 + ESP_SA_TRAILER +
	    esp_cipher_icv_len(es->es_cipher));
}

static void
esp_sa_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * Build the ESP packet around a payload that already lies at
 * esp + ESP_CIPHER_HDR_LEN + iv: header, IV, padding, trailer and ICV,
 * within cap bytes from esp.
 */
static int
esp_sa_seal(struct esp_sa *es, uint8_t nh, uint8_t *esp, size_t len,
    size_t cap, size_t *outlen)
{
	size_t	iv = esp_cipher_iv_len(es->es_cipher);
	size_t	align = esp_cipher_align(es->es_cipher);
	size_t	off = ESP_CIPHER_HDR_LEN + iv;
	size_t	padlen, plain, total, i;
	uint8_t	*pad;
	int	r;

	/* RFC 4303 3.3.3: the counter must not cycle within an SA. */
	if (es->es_seq == UINT32_MAX)
		return (ERR_STATE);
	padlen = (align - (len + ESP_SA_TRAILER) % align) % align;
	plain = len + padlen + ESP_SA_TRAILER;
	total = off + plain + esp_cipher_icv_len(es->es_cipher);
	if (total > cap || len > cap)
		return (ERR_TOOBIG);

	esp_sa_put_u32(esp, es->es_rec.r_sa.sa_id.id_spi);
	esp_sa_put_u32(esp + 4, es->es_seq + 1);
	/* RFC 4303 2.4: default padding is 1, 2, 3, ... */
	pad = esp + off + len;
	for (i = 0; i < padlen; i++)
		pad[i] = (uint8_t)(i + 1);
	pad[padlen] = (uint8_t)padlen;
	pad[padlen + 1] = nh;
	if ((r = esp_cipher_seal(es->es_cipher, esp, off + plain,
	    es->es_seq + 1)) != 0)
		return (r);
	es->es_seq++;
	*outlen = total;
	return (0);
}

int
esp_sa_output(struct esp_sa *es, uint8_t nh, const uint8_t *payload,
    size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t	off = ESP_CIPHER_HDR_LEN + esp_cipher_iv_len(es->es_cipher);

	if (off > cap || len > cap - off)
		return (ERR_TOOBIG);
	memmove(out + off, payload, len);
	return (esp_sa_seal(es, nh, out, len, cap, outlen));
}

/*
 * Check the trailer and the default padding of the plaintext, read in
 * place after one length check because it runs for every packet.
 */
static int
esp_sa_trailer(const uint8_t *pt, size_t ptlen, struct esp_sa_payload *pl)
{
	const uint8_t	*pad;
	size_t		 padlen, i;

	if (ptlen < ESP_SA_TRAILER)
		return (ERR_MALFORMED);
	padlen = pt[ptlen - ESP_SA_TRAILER];
	if (padlen + ESP_SA_TRAILER > ptlen)
		return (ERR_MALFORMED);
	pl->ep_next_header = pt[ptlen - 1];
	pl->ep_len = ptlen - ESP_SA_TRAILER - padlen;
	/* RFC 4303 2.4: the default padding is 1, 2, 3, ... */
	pad = pt + pl->ep_len;
	for (i = 0; i < padlen; i++) {
		if (pad[i] != (uint8_t)(i + 1))
			return (ERR_MALFORMED);
	}
	return (0);
}

static int
esp_sa_drop(struct esp_sa *es, int r)
{
	switch (r) {
	case ERR_AUTH:
		es->es_stats.st_auth_failures++;
		break;
	case ERR_EXISTS:
	case ERR_TOOBIG:
		es->es_stats.st_replay_drops++;
		break;
	default:
		es->es_stats.st_other_drops++;
		break;
	}
	return (r);
}

int
esp_sa_input(struct esp_sa *es, uint8_t *pkt, size_t len,
    struct esp_sa_payload *pl)
{
	size_t		iv = esp_cipher_iv_len(es->es_cipher);
	size_t		icv = esp_cipher_icv_len(es->es_cipher);
	size_t		off = ESP_CIPHER_HDR_LEN + iv;
	struct rbuf	rb;
	uint32_t	spi, seq;
	int		r;

	memset(pl, 0, sizeof(*pl));
	rbuf_init(&rb, pkt, len);
	if (rbuf_get_u32(&rb, &spi) != 0 || rbuf_get_u32(&rb, &seq) != 0)
		return (esp_sa_drop(es, ERR_TRUNCATED));
	/* RFC 4303 3.4.3: a cheap replay check before the ICV. */
	if ((r = replay_check(&es->es_replay, seq)) != 0)
		return (esp_sa_drop(es, r));
	if (len < off + ESP_SA_TRAILER + icv)
		return (esp_sa_drop(es, ERR_TRUNCATED));
	if ((r = esp_cipher_open(es->es_cipher, pkt, len)) != 0)
		return (esp_sa_drop(es, r));
	/* Only an authenticated packet moves the window (3.4.3). */
	replay_update(&es->es_replay, seq);
	if ((r = esp_sa_trailer(pkt + off, len - off - icv, pl)) != 0)
		return (esp_sa_drop(es, r));
	pl->ep_off = off;
	return (0);
}

void
esp_sa_count(struct esp_sa *es, size_t len, int64_t now)
{
	es->es_stats.st_bytes += len;
	es->es_stats.st_packets++;
	es->es_stats.st_use_time = now;
}

/* The next header and the protected part of pkt for the SA's mode. */
static int
esp_sa_payload(const struct esp_sa *es, const struct flow *fl, uint8_t *nh,
    size_t *skip)
{
	if (es->es_rec.r_sa.sa_mode == KERNEL_MODE_TUNNEL) {
		*nh = fl->fl_family == AF_INET ? ESP_SA_NH_IPV4 :
		    ESP_SA_NH_IPV6;
		*skip = 0;
		return (0);
	}
	/*
	 * Transport mode protects whole datagrams (RFC 4303 3.3.4).
	 * NOTE: fragments are dropped, not reassembled, and IPv6
	 * extension headers are not carried over.
	 */
	if (fl->fl_fragment)
		return (ERR_UNSUPPORTED);
	*nh = fl->fl_proto;
	*skip = fl->fl_hdrlen;
	return (0);
}

int
esp_sa_encap(struct esp_sa *es, const uint8_t *pkt, const struct flow *fl,
    uint8_t *out, size_t cap, size_t *outlen, size_t *payload_len)
{
	size_t	skip;
	uint8_t	nh;
	int	r;

	if ((r = esp_sa_payload(es, fl, &nh, &skip)) != 0)
		return (r);
	*payload_len = fl->fl_totlen - skip;
	return (esp_sa_output(es, nh, pkt + skip, fl->fl_totlen - skip, out,
	    cap, outlen));
}

int
esp_sa_encap_inplace(struct esp_sa *es, uint8_t *pkt, size_t headroom,
    size_t tailroom, const struct flow *fl, uint8_t **esp, size_t *esplen,
    size_t *payload_len)
{
	size_t	off = ESP_CIPHER_HDR_LEN + esp_cipher_iv_len(es->es_cipher);
	size_t	skip, len;
	uint8_t	nh;
	int	r;

	*esp = NULL;
	if ((r = esp_sa_payload(es, fl, &nh, &skip)) != 0)
		return (r);
	if (headroom + skip < off)
		return (ERR_TOOBIG);
	len = fl->fl_totlen - skip;
	*payload_len = len;
	*esp = pkt + skip - off;
	return (esp_sa_seal(es, nh, *esp, len, off + len + tailroom, esplen));
}

static uint16_t
esp_sa_checksum(const uint8_t *p, size_t len)
{
	uint32_t	sum = 0;
	size_t		i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

/*
 * Transport mode: put an IP header with the outer addresses in front of
 * the payload, in the headroom the caller guarantees.
 */
static uint8_t *
esp_sa_rebuild(int family, const uint8_t *src, const uint8_t *dst,
    uint8_t nh, uint8_t *payload, size_t len, size_t *pktlen)
{
	uint8_t		*h;
	uint16_t	 csum;

	if (family == AF_INET) {
		if (len > 65535 - 20)
			return (NULL);
		h = payload - 20;
		memset(h, 0, 20);
		h[0] = 0x45;
		h[2] = (uint8_t)((len + 20) >> 8);
		h[3] = (uint8_t)(len + 20);
		h[8] = ESP_SA_TTL;
		h[9] = nh;
		memcpy(h + 12, src, 4);
		memcpy(h + 16, dst, 4);
		csum = esp_sa_checksum(h, 20);
		h[10] = (uint8_t)(csum >> 8);
		h[11] = (uint8_t)csum;
		*pktlen = len + 20;
		return (h);
	}
	if (len > 65535)
		return (NULL);
	h = payload - 40;
	memset(h, 0, 40);
	h[0] = 0x60;
	h[4] = (uint8_t)(len >> 8);
	h[5] = (uint8_t)len;
	h[6] = nh;
	h[7] = ESP_SA_TTL;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	*pktlen = len + 40;
	return (h);
}

/* Find the inner packet: the payload itself, or rebuilt for transport. */
static uint8_t *
esp_sa_inner(const struct kernel_sa *sa, int family, const uint8_t *src,
    const uint8_t *dst, const struct esp_sa_payload *pl, uint8_t *esp,
    size_t *len)
{
	uint8_t	*payload = esp + pl->ep_off;

	if (sa->sa_mode == KERNEL_MODE_TUNNEL) {
		if (pl->ep_next_header != ESP_SA_NH_IPV4 &&
		    pl->ep_next_header != ESP_SA_NH_IPV6)
			return (NULL);
		*len = pl->ep_len;
		return (payload);
	}
	return (esp_sa_rebuild(family, src, dst, pl->ep_next_header,
	    payload, pl->ep_len, len));
}

static int
esp_sa_version_ok(const struct kernel_sa *sa, uint8_t nh,
    const struct flow *fl)
{
	if (sa->sa_mode != KERNEL_MODE_TUNNEL)
		return (1);
	if (nh == ESP_SA_NH_IPV4)
		return (fl->fl_family == AF_INET);
	return (fl->fl_family == AF_INET6);
}

int
esp_sa_decap(struct esp_sa *es, int family, const uint8_t *src,
    const uint8_t *dst, uint8_t *esp, size_t len, uint8_t **inner,
    struct flow *fl)
{
	const struct kernel_sa	*sa = &es->es_rec.r_sa;
	struct esp_sa_payload	 pl;
	uint8_t			*pkt;
	size_t			 pktlen;
	int			 r;

	*inner = NULL;
	if ((r = esp_sa_input(es, esp, len, &pl)) != 0)
		return (r);
	if (pl.ep_next_header == ESP_SA_NH_DUMMY)
		return (ERR_NOTFOUND);
	pkt = esp_sa_inner(sa, family, src, dst, &pl, esp, &pktlen);
	if (pkt == NULL || flow_parse(fl, pkt, pktlen) != 0 ||
	    !esp_sa_version_ok(sa, pl.ep_next_header, fl))
		return (esp_sa_drop(es, ERR_MALFORMED));
	if (!flow_match(fl, &sa->sa_sel))
		return (esp_sa_drop(es, ERR_MALFORMED));
	*inner = pkt;
	return (0);
}
