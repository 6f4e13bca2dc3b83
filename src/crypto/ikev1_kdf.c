#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/ikev1_kdf.h"
#include "crypto/prf.h"
#include "lib/err.h"
#include "lib/util.h"
#include "lib/wbuf.h"

/* One input of a PRF or hash: a (pointer, length) pair. */
struct ikev1_part {
	const void	*ip_data;
	size_t		 ip_len;
};

/* out = prf(key, parts[0] | parts[1] | ...), replacing its contents. */
static int
ikev1_prf(enum hash_alg alg, const uint8_t *key, size_t keylen,
    const struct ikev1_part *parts, size_t nparts, struct wbuf *out)
{
	struct prf_ctx	*ctx = NULL;
	uint8_t		*p;
	size_t		 i;
	int		 r;

	wbuf_reset(out);
	if ((r = prf_init(&ctx, alg, key, keylen)) != 0)
		goto out;
	for (i = 0; i < nparts; i++)
		if ((r = prf_update(ctx, parts[i].ip_data,
		    parts[i].ip_len)) != 0)
			goto out;
	if ((r = wbuf_alloc(out, prf_length(alg), &p)) != 0)
		goto out;
	r = prf_final(ctx, p, prf_length(alg));
 out:
	if (r != 0)
		wbuf_reset(out);
	prf_free(ctx);
	return (r);
}

/* out = hash(parts...) truncated to outlen bytes. */
static int
ikev1_hash(enum hash_alg alg, const struct ikev1_part *parts,
    size_t nparts, size_t outlen, struct wbuf *out)
{
	struct hash_ctx	*ctx = NULL;
	uint8_t		 md[HASH_MAX_LEN];
	size_t		 i;
	int		 r;

	wbuf_reset(out);
	if ((r = hash_init(&ctx, alg)) != 0)
		goto out;
	if (outlen == 0 || outlen > hash_length(alg)) {
		r = ERR_INVAL;
		goto out;
	}
	for (i = 0; i < nparts; i++)
		if ((r = hash_update(ctx, parts[i].ip_data,
		    parts[i].ip_len)) != 0)
			goto out;
	if ((r = hash_final(ctx, md, sizeof(md))) != 0)
		goto out;
	r = wbuf_put(out, md, outlen);
 out:
	util_wipe(md, sizeof(md));
	hash_free(ctx);
	return (r);
}

static void
ikev1_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
ikev1_skeyid_sig(enum hash_alg alg, const uint8_t *ni, size_t ni_len,
    const uint8_t *nr, size_t nr_len, const uint8_t *gxy, size_t gxy_len,
    struct wbuf *skeyid)
{
	struct wbuf		 key;
	struct ikev1_part	 data = { gxy, gxy_len };
	int			 r;

	/* The PRF key is Ni_b | Nr_b, so join them first. */
	wbuf_init(&key, 1);
	if ((r = wbuf_put(&key, ni, ni_len)) != 0 ||
	    (r = wbuf_put(&key, nr, nr_len)) != 0)
		goto out;
	r = ikev1_prf(alg, key.wb_data, key.wb_len, &data, 1, skeyid);
 out:
	wbuf_free(&key);
	return (r);
}

int
ikev1_skeyid_psk(enum hash_alg alg, const uint8_t *psk, size_t psk_len,
    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
    struct wbuf *skeyid)
{
	const struct ikev1_part	 data[] = { { ni, ni_len }, { nr, nr_len } };

	return (ikev1_prf(alg, psk, psk_len, data, UTIL_NELEM(data),
	    skeyid));
}

int
ikev1_skeyid_pke(enum hash_alg alg, const uint8_t *ni, size_t ni_len,
    const uint8_t *nr, size_t nr_len, const uint8_t *cky_i,
    const uint8_t *cky_r, struct wbuf *skeyid)
{
	const struct ikev1_part	 nonces[] = {
		{ ni, ni_len }, { nr, nr_len }
	};
	const struct ikev1_part	 cookies[] = {
		{ cky_i, IKEV1_COOKIE_LEN }, { cky_r, IKEV1_COOKIE_LEN }
	};
	struct wbuf		 key;
	int			 r;

	wbuf_init(&key, 1);
	if ((r = ikev1_hash(alg, nonces, UTIL_NELEM(nonces),
	    hash_length(alg), &key)) != 0)
		goto out;
	r = ikev1_prf(alg, key.wb_data, key.wb_len, cookies,
	    UTIL_NELEM(cookies), skeyid);
 out:
	wbuf_free(&key);
	return (r);
}

int
ikev1_skeyid_derive(enum hash_alg alg, const uint8_t *skeyid,
    size_t skeyid_len, const uint8_t *gxy, size_t gxy_len,
    const uint8_t *cky_i, const uint8_t *cky_r, struct wbuf *skeyid_d,
    struct wbuf *skeyid_a, struct wbuf *skeyid_e)
{
	static const uint8_t	 n0 = 0, n1 = 1, n2 = 2;
	struct ikev1_part	 parts[5] = {
		{ NULL, 0 },
		{ gxy, gxy_len },
		{ cky_i, IKEV1_COOKIE_LEN },
		{ cky_r, IKEV1_COOKIE_LEN },
		{ &n0, 1 },
	};
	int			 r;

	/* SKEYID_d has no previous key in front: leave parts[0] empty. */
	if ((r = ikev1_prf(alg, skeyid, skeyid_len, parts, 5,
	    skeyid_d)) != 0)
		goto out;
	parts[0].ip_data = skeyid_d->wb_data;
	parts[0].ip_len = skeyid_d->wb_len;
	parts[4].ip_data = &n1;
	if ((r = ikev1_prf(alg, skeyid, skeyid_len, parts, 5,
	    skeyid_a)) != 0)
		goto out;
	parts[0].ip_data = skeyid_a->wb_data;
	parts[0].ip_len = skeyid_a->wb_len;
	parts[4].ip_data = &n2;
	r = ikev1_prf(alg, skeyid, skeyid_len, parts, 5, skeyid_e);
 out:
	if (r != 0) {
		wbuf_reset(skeyid_d);
		wbuf_reset(skeyid_a);
		wbuf_reset(skeyid_e);
	}
	return (r);
}

/*
 * out = K1 | K2 | ... truncated to len, with K1 = prf(key, seed | data)
 * and Kn = prf(key, Kn-1 | data).  Both RFC 2409 Appendix B (seed 0,
 * no data) and KEYMAT (RFC 2409 section 5.5: no seed) have this form.
 */
static int
ikev1_expand(enum hash_alg alg, const uint8_t *key, size_t keylen,
    const struct ikev1_part *seed, const struct ikev1_part *data,
    size_t ndata, size_t len, struct wbuf *out)
{
	struct prf_ctx	*ctx = NULL;
	uint8_t		*prev = NULL, *p;
	size_t		 blk = prf_length(alg), i, n;
	int		 r;

	wbuf_reset(out);
	if ((r = prf_init(&ctx, alg, key, keylen)) != 0)
		goto out;
	while (out->wb_len < len) {
		if (prev == NULL)
			r = prf_update(ctx, seed->ip_data, seed->ip_len);
		else
			r = prf_update(ctx, prev, blk);
		for (i = 0; r == 0 && i < ndata; i++)
			r = prf_update(ctx, data[i].ip_data, data[i].ip_len);
		if (r != 0)
			goto out;
		/* Keep whole blocks: Kn-1 must be whole for Kn. */
		if ((r = wbuf_alloc(out, blk, &p)) != 0 ||
		    (r = prf_final(ctx, p, blk)) != 0)
			goto out;
		n = out->wb_len - blk;
		prev = out->wb_data + n;
	}
	/* Drop the tail: the secret bytes past len are wiped by reset. */
	if (out->wb_len > len) {
		util_wipe(out->wb_data + len, out->wb_len - len);
		out->wb_len = len;
	}
 out:
	if (r != 0)
		wbuf_reset(out);
	prf_free(ctx);
	return (r);
}

int
ikev1_key_expand(enum hash_alg alg, const uint8_t *skeyid_e,
    size_t skeyid_e_len, size_t keylen, struct wbuf *key)
{
	static const uint8_t	 zero = 0;
	struct ikev1_part	 seed = { &zero, 1 };

	if (prf_length(alg) == 0)
		return (ERR_UNSUPPORTED);
	if (keylen == 0)
		return (ERR_INVAL);
	if (skeyid_e_len >= keylen) {
		wbuf_reset(key);
		return (wbuf_put(key, skeyid_e, keylen));
	}
	return (ikev1_expand(alg, skeyid_e, skeyid_e_len, &seed, NULL, 0,
	    keylen, key));
}

int
ikev1_phase1_iv(enum hash_alg alg, const uint8_t *gxi, size_t gxi_len,
    const uint8_t *gxr, size_t gxr_len, size_t blocklen, struct wbuf *iv)
{
	const struct ikev1_part	 parts[] = {
		{ gxi, gxi_len }, { gxr, gxr_len }
	};

	return (ikev1_hash(alg, parts, UTIL_NELEM(parts), blocklen, iv));
}

int
ikev1_phase2_iv(enum hash_alg alg, const uint8_t *last_block,
    size_t blocklen, uint32_t msgid, struct wbuf *iv)
{
	uint8_t			 mid[4];
	const struct ikev1_part	 parts[] = {
		{ last_block, blocklen }, { mid, sizeof(mid) }
	};

	ikev1_put_u32(mid, msgid);
	return (ikev1_hash(alg, parts, UTIL_NELEM(parts), blocklen, iv));
}

/*
 * HASH_I and HASH_R differ only in the order of the DH values and of the
 * cookies (RFC 2409 section 5).
 */
static int
ikev1_hash_auth(enum hash_alg alg, const uint8_t *skeyid,
    size_t skeyid_len, const struct ikev1_auth_input *in, int responder,
    struct wbuf *out)
{
	struct ikev1_part	 gi = { in->ai_gxi, in->ai_gxi_len };
	struct ikev1_part	 gr = { in->ai_gxr, in->ai_gxr_len };
	struct ikev1_part	 ci = { in->ai_cky_i, IKEV1_COOKIE_LEN };
	struct ikev1_part	 cr = { in->ai_cky_r, IKEV1_COOKIE_LEN };
	struct ikev1_part	 parts[6];

	parts[0] = responder ? gr : gi;
	parts[1] = responder ? gi : gr;
	parts[2] = responder ? cr : ci;
	parts[3] = responder ? ci : cr;
	parts[4].ip_data = in->ai_sai_b;
	parts[4].ip_len = in->ai_sai_b_len;
	parts[5].ip_data = in->ai_id_b;
	parts[5].ip_len = in->ai_id_b_len;
	return (ikev1_prf(alg, skeyid, skeyid_len, parts, 6, out));
}

int
ikev1_hash_i(enum hash_alg alg, const uint8_t *skeyid, size_t skeyid_len,
    const struct ikev1_auth_input *in, struct wbuf *out)
{
	return (ikev1_hash_auth(alg, skeyid, skeyid_len, in, 0, out));
}

int
ikev1_hash_r(enum hash_alg alg, const uint8_t *skeyid, size_t skeyid_len,
    const struct ikev1_auth_input *in, struct wbuf *out)
{
	return (ikev1_hash_auth(alg, skeyid, skeyid_len, in, 1, out));
}

int
ikev1_qm_hash1(enum hash_alg alg, const uint8_t *skeyid_a,
    size_t skeyid_a_len, uint32_t msgid, const uint8_t *rest,
    size_t rest_len, struct wbuf *out)
{
	uint8_t			 mid[4];
	const struct ikev1_part	 parts[] = {
		{ mid, sizeof(mid) }, { rest, rest_len }
	};

	ikev1_put_u32(mid, msgid);
	return (ikev1_prf(alg, skeyid_a, skeyid_a_len, parts,
	    UTIL_NELEM(parts), out));
}

int
ikev1_qm_hash2(enum hash_alg alg, const uint8_t *skeyid_a,
    size_t skeyid_a_len, uint32_t msgid, const uint8_t *ni, size_t ni_len,
    const uint8_t *rest, size_t rest_len, struct wbuf *out)
{
	uint8_t			 mid[4];
	const struct ikev1_part	 parts[] = {
		{ mid, sizeof(mid) }, { ni, ni_len }, { rest, rest_len }
	};

	ikev1_put_u32(mid, msgid);
	return (ikev1_prf(alg, skeyid_a, skeyid_a_len, parts,
	    UTIL_NELEM(parts), out));
}

int
ikev1_qm_hash3(enum hash_alg alg, const uint8_t *skeyid_a,
    size_t skeyid_a_len, uint32_t msgid, const uint8_t *ni, size_t ni_len,
    const uint8_t *nr, size_t nr_len, struct wbuf *out)
{
	static const uint8_t	 zero = 0;
	uint8_t			 mid[4];
	const struct ikev1_part	 parts[] = {
		{ &zero, 1 }, { mid, sizeof(mid) }, { ni, ni_len },
		{ nr, nr_len }
	};

	ikev1_put_u32(mid, msgid);
	return (ikev1_prf(alg, skeyid_a, skeyid_a_len, parts,
	    UTIL_NELEM(parts), out));
}

int
ikev1_info_hash(enum hash_alg alg, const uint8_t *skeyid_a,
    size_t skeyid_a_len, uint32_t msgid, const uint8_t *payload,
    size_t payload_len, struct wbuf *out)
{
	return (ikev1_qm_hash1(alg, skeyid_a, skeyid_a_len, msgid, payload,
	    payload_len, out));
}

int
ikev1_keymat(enum hash_alg alg, const uint8_t *skeyid_d,
    size_t skeyid_d_len, const uint8_t *gqm_xy, size_t gqm_xy_len,
    uint8_t protocol, const uint8_t *spi, size_t spi_len,
    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
    size_t keymat_len, struct wbuf *keymat)
{
	static const struct ikev1_part	 none = { NULL, 0 };
	const struct ikev1_part		 data[] = {
		{ gqm_xy, gqm_xy_len }, { &protocol, 1 }, { spi, spi_len },
		{ ni, ni_len }, { nr, nr_len }
	};

	if (prf_length(alg) == 0)
		return (ERR_UNSUPPORTED);
	if (keymat_len == 0)
		return (ERR_INVAL);
	return (ikev1_expand(alg, skeyid_d, skeyid_d_len, &none, data,
	    UTIL_NELEM(data), keymat_len, keymat));
}
