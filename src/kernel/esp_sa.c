#include <string.h>
#include <time.h>

#include "crypto/esp/esp_cipher.h"
#include "kernel/esp_sa.h"
#include "lib/err.h"
#include "lib/rbuf.h"

#define ESP_SA_TRAILER	2	/* pad length and next header */

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

int
esp_sa_output(struct esp_sa *es, uint8_t nh, const uint8_t *payload,
    size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t	iv = esp_cipher_iv_len(es->es_cipher);
	size_t	align = esp_cipher_align(es->es_cipher);
	size_t	off = ESP_CIPHER_HDR_LEN + iv;
	size_t	padlen, plain, total, i;
	int	r;

	/* RFC 4303 3.3.3: the counter must not cycle within an SA. */
	if (es->es_seq == UINT32_MAX)
		return (ERR_STATE);
	padlen = (align - (len + ESP_SA_TRAILER) % align) % align;
	plain = len + padlen + ESP_SA_TRAILER;
	total = off + plain + esp_cipher_icv_len(es->es_cipher);
	if (total > cap || len > cap)
		return (ERR_TOOBIG);

	esp_sa_put_u32(out, es->es_rec.r_sa.sa_id.id_spi);
	esp_sa_put_u32(out + 4, es->es_seq + 1);
	memmove(out + off, payload, len);
	/* RFC 4303 2.4: default padding is 1, 2, 3, ... */
	for (i = 0; i < padlen; i++)
		out[off + len + i] = (uint8_t)(i + 1);
	out[off + len + padlen] = (uint8_t)padlen;
	out[off + len + padlen + 1] = nh;
	if ((r = esp_cipher_seal(es->es_cipher, out, off + plain,
	    es->es_seq + 1)) != 0)
		return (r);
	es->es_seq++;
	*outlen = total;
	return (0);
}

/* Check the trailer and the default padding of the plaintext. */
static int
esp_sa_trailer(const uint8_t *pt, size_t ptlen, struct esp_sa_payload *pl)
{
	struct rbuf	rb;
	uint8_t		padlen, nh, b;
	size_t		i;

	if (ptlen < ESP_SA_TRAILER)
		return (ERR_MALFORMED);
	rbuf_init(&rb, pt, ptlen);
	if (rbuf_skip(&rb, ptlen - ESP_SA_TRAILER) != 0 ||
	    rbuf_get_u8(&rb, &padlen) != 0 || rbuf_get_u8(&rb, &nh) != 0)
		return (ERR_TRUNCATED);
	if ((size_t)padlen + ESP_SA_TRAILER > ptlen)
		return (ERR_MALFORMED);
	pl->ep_next_header = nh;
	pl->ep_len = ptlen - ESP_SA_TRAILER - padlen;
	rbuf_init(&rb, pt, ptlen);
	if (rbuf_skip(&rb, pl->ep_len) != 0)
		return (ERR_TRUNCATED);
	for (i = 1; i <= padlen; i++) {
		if (rbuf_get_u8(&rb, &b) != 0)
			return (ERR_TRUNCATED);
		if (b != (uint8_t)i)
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
