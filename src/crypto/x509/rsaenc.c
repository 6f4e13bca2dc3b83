/*
 * PKCS#1 v1.5 RSA encryption for IKEv1 public key encryption modes.
 * OpenSSL 3.0 has no implicit rejection for PKCS#1 v1.5 (it came in
 * 3.2), so decryption runs the bare RSA operation (RSA_NO_PADDING, with
 * OpenSSL's blinding) and removes the padding here in constant time.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/rand.h"
#include "crypto/x509/pkey.h"
#include "crypto/x509/rsaenc.h"
#include "crypto/x509/x509_int.h"
#include "lib/err.h"
#include "lib/util.h"

/* RFC 8017 7.2.1: 0x00 0x02, at least 8 padding bytes, 0x00. */
#define RSAENC_PAD_MIN		11
#define RSAENC_SIZE_BITS	(sizeof(size_t) * 8)

/* All ones when the top bit of x is set, else zero. */
static size_t
rsaenc_msb_mask(size_t x)
{
	return ((size_t)0 - (x >> (RSAENC_SIZE_BITS - 1)));
}

static size_t
rsaenc_zero_mask(size_t x)
{
	return (rsaenc_msb_mask(~x & (x - 1)));
}

static size_t
rsaenc_eq_mask(size_t a, size_t b)
{
	return (rsaenc_zero_mask(a ^ b));
}

/* a < b, for values below 2^(bits - 1), which lengths always are. */
static size_t
rsaenc_lt_mask(size_t a, size_t b)
{
	return (rsaenc_msb_mask(a - b));
}

static size_t
rsaenc_select(size_t mask, size_t a, size_t b)
{
	return ((mask & a) | (~mask & b));
}

size_t
rsaenc_size(const struct pkey *k)
{
	int	size;

	if (k == NULL || pkey_type(k) != PKEY_RSA)
		return (0);
	size = EVP_PKEY_get_size(k->pk_evp);
	return (size > 0 ? (size_t)size : 0);
}

/* A context for op (encrypt or decrypt) with the given padding. */
static EVP_PKEY_CTX *
rsaenc_ctx(const struct pkey *k, int decrypt, int padding)
{
	EVP_PKEY_CTX	*ctx;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk_evp, NULL)) == NULL)
		return (NULL);
	if ((decrypt ? EVP_PKEY_decrypt_init(ctx) :
	    EVP_PKEY_encrypt_init(ctx)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, padding) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return (NULL);
	}
	return (ctx);
}

/* Encrypt in (of inlen bytes) into out, which receives k bytes. */
static int
rsaenc_public_op(const struct pkey *pub, int padding, const uint8_t *in,
    size_t inlen, struct wbuf *out)
{
	EVP_PKEY_CTX	*ctx;
	size_t		 k = rsaenc_size(pub), outlen = k;
	uint8_t		*p;
	int		 rc;

	if ((ctx = rsaenc_ctx(pub, 0, padding)) == NULL) {
		ERR_clear_error();
		return (ERR_CRYPTO);
	}
	wbuf_reset(out);
	if ((rc = wbuf_alloc(out, k, &p)) != 0)
		goto out;
	if (EVP_PKEY_encrypt(ctx, p, &outlen, in, inlen) != 1 ||
	    outlen != k) {
		ERR_clear_error();
		wbuf_reset(out);
		rc = ERR_CRYPTO;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	return (rc);
}

int
rsaenc_encrypt(const struct pkey *pub, const uint8_t *msg, size_t len,
    struct wbuf *out)
{
	size_t	k = rsaenc_size(pub);

	if (k == 0 || len == 0 || len > k - RSAENC_PAD_MIN)
		return (ERR_INVAL);
	return (rsaenc_public_op(pub, RSA_PKCS1_PADDING, msg, len, out));
}

int
rsaenc_raw_public(const struct pkey *pub, const uint8_t *block, size_t len,
    struct wbuf *out)
{
	size_t	k = rsaenc_size(pub);

	if (k == 0 || len != k)
		return (ERR_INVAL);
	return (rsaenc_public_op(pub, RSA_NO_PADDING, block, len, out));
}

/*
 * The bare RSA private operation into em (k bytes).  A ciphertext of the
 * wrong length or not below the modulus leaves em zero, which the
 * padding check rejects like any other bad padding.  Both conditions
 * depend only on public values (ct and the modulus).
 */
static int
rsaenc_private_op(const struct pkey *priv, const uint8_t *ct, size_t ct_len,
    uint8_t *em, size_t k)
{
	EVP_PKEY_CTX	*ctx;
	size_t		 outlen = k;

	memset(em, 0, k);
	if ((ctx = rsaenc_ctx(priv, 1, RSA_NO_PADDING)) == NULL) {
		ERR_clear_error();
		return (ERR_CRYPTO);
	}
	if (ct_len != k || EVP_PKEY_decrypt(ctx, em, &outlen, ct,
	    ct_len) != 1 || outlen != k) {
		ERR_clear_error();
		memset(em, 0, k);
	}
	EVP_PKEY_CTX_free(ctx);
	return (0);
}

/*
 * The length of the message in em if the padding is valid and the length
 * is in [min_len, max_len]; *good is all ones then, zero otherwise.  No
 * branch and no memory access depends on the bytes of em.
 */
static size_t
rsaenc_unpad(const uint8_t *em, size_t k, size_t min_len, size_t max_len,
    size_t *good)
{
	size_t	ok, found = 0, zero_at = 0, is_zero, mlen, i;

	ok = rsaenc_eq_mask(em[0], 0) & rsaenc_eq_mask(em[1], 2);
	for (i = 2; i < k; i++) {
		is_zero = rsaenc_zero_mask(em[i]);
		zero_at = rsaenc_select(~found & is_zero, i, zero_at);
		found |= is_zero;
	}
	ok &= found;
	/* At least 8 padding bytes: the separator is at index 10 or later. */
	ok &= ~rsaenc_lt_mask(zero_at, RSAENC_PAD_MIN - 1);
	mlen = k - zero_at - 1;
	ok &= ~rsaenc_lt_mask(mlen, min_len);
	ok &= ~rsaenc_lt_mask(max_len, mlen);
	*good = ok;
	return (mlen);
}

int
rsaenc_decrypt(const struct pkey *priv, const uint8_t *ct, size_t ct_len,
    size_t min_len, size_t max_len, size_t fallback_len, struct wbuf *out)
{
	uint8_t	em[RSAENC_MAX_BYTES], rnd[RSAENC_MAX_BYTES];
	uint8_t	buf[RSAENC_MAX_BYTES], mask8;
	size_t	k = rsaenc_size(priv), good, mlen, len, i;
	int	rc;

	if (k < RSAENC_PAD_MIN + 1 || k > RSAENC_MAX_BYTES ||
	    !pkey_has_private(priv))
		return (ERR_INVAL);
	if (max_len > k - RSAENC_PAD_MIN)
		max_len = k - RSAENC_PAD_MIN;
	if (min_len == 0 || min_len > max_len || fallback_len < min_len ||
	    fallback_len > max_len)
		return (ERR_INVAL);
	/* The random message is drawn every time, used or not. */
	if ((rc = rand_bytes(rnd, max_len)) != 0 ||
	    (rc = rsaenc_private_op(priv, ct, ct_len, em, k)) != 0)
		goto out;
	mlen = rsaenc_unpad(em, k, min_len, max_len, &good);
	mask8 = (uint8_t)good;
	/* The message is the tail of em: take the last max_len bytes. */
	for (i = 0; i < max_len; i++)
		buf[i] = (uint8_t)((em[k - max_len + i] & mask8) |
		    (rnd[i] & ~mask8));
	len = rsaenc_select(good, mlen, fallback_len);
	wbuf_reset(out);
	rc = wbuf_put(out, buf + max_len - len, len);
out:
	util_wipe(em, sizeof(em));
	util_wipe(rnd, sizeof(rnd));
	util_wipe(buf, sizeof(buf));
	return (rc);
}
