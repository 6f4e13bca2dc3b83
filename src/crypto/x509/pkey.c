/*
 * Keys: generation, parsing, encoding and the public key sanity checks
 * applied before a peer's signature is verified.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dsa.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/x509/x509_int.h"
#include "lib/err.h"
#include "lib/util.h"

/* Smallest RSA modulus accepted for a peer's signature. */
#define PKEY_RSA_MIN_BITS	1024

struct pkey *
pkey_wrap(EVP_PKEY *evp)
{
	struct pkey	*k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(evp);
		return (NULL);
	}
	k->pk_evp = evp;
	k->pk_refs = 1;
	return (k);
}

struct pkey *
pkey_ref(struct pkey *k)
{
	k->pk_refs++;
	return (k);
}

void
pkey_free(struct pkey *k)
{
	if (k == NULL || --k->pk_refs > 0)
		return;
	EVP_PKEY_free(k->pk_evp);
	free(k);
}

static const char *
pkey_curve_for_bits(unsigned int bits)
{
	switch (bits) {
	case 256:
		return ("P-256");
	case 384:
		return ("P-384");
	case 521:
		return ("P-521");
	default:
		return (NULL);
	}
}

static int
pkey_generate_dsa(EVP_PKEY **out, unsigned int bits)
{
	EVP_PKEY_CTX	*pctx = NULL, *kctx = NULL;
	EVP_PKEY	*params = NULL;
	int		 rc = ERR_CRYPTO;

	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL)) == NULL ||
	    EVP_PKEY_paramgen_init(pctx) <= 0)
		goto out;
	/* FIPS 186-2 generation allows the classic 512..1024/160 sizes. */
	if (bits <= 1024 &&
	    EVP_PKEY_CTX_set_dsa_paramgen_type(pctx, "fips186_2") <= 0)
		goto out;
	if (EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx, (int)bits) <= 0 ||
	    EVP_PKEY_CTX_set_dsa_paramgen_q_bits(pctx,
	    bits <= 1024 ? 160 : 256) <= 0 ||
	    EVP_PKEY_paramgen(pctx, &params) <= 0)
		goto out;
	if ((kctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(kctx) <= 0 ||
	    EVP_PKEY_generate(kctx, out) <= 0)
		goto out;
	rc = 0;
out:
	EVP_PKEY_free(params);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_CTX_free(kctx);
	return (rc);
}

static int
pkey_generate_rsa(EVP_PKEY **out, unsigned int bits)
{
	EVP_PKEY_CTX	*ctx;
	int		 rc = ERR_CRYPTO;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL)
		return (ERR_CRYPTO);
	if (EVP_PKEY_keygen_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) > 0 &&
	    EVP_PKEY_generate(ctx, out) > 0)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	return (rc);
}

int
pkey_generate(struct pkey **out, enum pkey_type type, unsigned int bits,
    char *why, size_t whysize)
{
	EVP_PKEY	*evp = NULL;
	const char	*curve;
	int		 rc;

	*out = NULL;
	switch (type) {
	case PKEY_RSA:
		if (bits != 512 && bits != 1024 && bits != 2048 &&
		    bits != 3072 && bits != 4096 && bits != 8192) {
			x509_why(why, whysize, "invalid RSA key size %u: use "
			    "512, 1024, 2048, 3072, 4096 or 8192", bits);
			return (ERR_INVAL);
		}
		rc = pkey_generate_rsa(&evp, bits);
		break;
	case PKEY_DSA:
		if (bits != 512 && bits != 1024 && bits != 2048 &&
		    bits != 3072) {
			x509_why(why, whysize, "invalid DSA key size %u: use "
			    "512, 1024, 2048 or 3072", bits);
			return (ERR_INVAL);
		}
		rc = pkey_generate_dsa(&evp, bits);
		break;
	case PKEY_EC:
		if ((curve = pkey_curve_for_bits(bits)) == NULL) {
			x509_why(why, whysize, "invalid ECDSA key size %u: "
			    "use 256, 384 or 521", bits);
			return (ERR_INVAL);
		}
		evp = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
		rc = evp == NULL ? ERR_CRYPTO : 0;
		break;
	default:
		x509_why(why, whysize, "unknown key type %d", (int)type);
		return (ERR_INVAL);
	}
	if (rc != 0) {
		x509_why_openssl(why, whysize, "key generation");
		return (rc);
	}
	if ((*out = pkey_wrap(evp)) == NULL)
		return (ERR_NOMEM);
	return (0);
}

/* A PEM password callback that refuses: encrypted keys are not read. */
static int
pkey_no_password(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)arg = 1;
	return (-1);
}

int
pkey_parse_private(struct pkey **out, const uint8_t *data, size_t len,
    char *why, size_t whysize)
{
	const unsigned char	*p = data;
	EVP_PKEY		*evp = NULL;
	BIO			*bio;
	int			 asked = 0;

	*out = NULL;
	if (len == 0 || len > X509_MAX_INPUT) {
		x509_why(why, whysize, "key of %zu bytes: expected 1 to %d",
		    len, X509_MAX_INPUT);
		return (ERR_MALFORMED);
	}
	if (x509_is_pem(data, len)) {
		if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL)
			return (ERR_NOMEM);
		evp = PEM_read_bio_PrivateKey(bio, NULL, pkey_no_password,
		    &asked);
		BIO_free(bio);
	} else {
		evp = d2i_AutoPrivateKey(NULL, &p, (long)len);
		if (evp != NULL && p != data + len) {
			x509_why(why, whysize, "%zu bytes after the DER key",
			    (size_t)(data + len - p));
			EVP_PKEY_free(evp);
			return (ERR_MALFORMED);
		}
	}
	if (evp == NULL) {
		if (asked) {
			ERR_clear_error();
			x509_why(why, whysize, "the key is encrypted: import "
			    "it without a passphrase");
			return (ERR_UNSUPPORTED);
		}
		x509_why_openssl(why, whysize, "parsing the private key "
		    "(PEM, or unencrypted PKCS#8 DER)");
		return (ERR_MALFORMED);
	}
	if ((*out = pkey_wrap(evp)) == NULL)
		return (ERR_NOMEM);
	if (pkey_type(*out) == PKEY_NONE) {
		x509_why(why, whysize, "unsupported key algorithm %s",
		    EVP_PKEY_get0_type_name(evp));
		pkey_free(*out);
		*out = NULL;
		return (ERR_UNSUPPORTED);
	}
	return (0);
}

int
pkey_parse_public(struct pkey **out, const uint8_t *data, size_t len,
    char *why, size_t whysize)
{
	const unsigned char	*p = data;
	EVP_PKEY		*evp;

	*out = NULL;
	if (len == 0 || len > X509_MAX_INPUT) {
		x509_why(why, whysize, "public key of %zu bytes", len);
		return (ERR_MALFORMED);
	}
	if ((evp = d2i_PUBKEY(NULL, &p, (long)len)) == NULL) {
		x509_why_openssl(why, whysize, "parsing the public key");
		return (ERR_MALFORMED);
	}
	if (p != data + len) {
		x509_why(why, whysize, "%zu bytes after the public key",
		    (size_t)(data + len - p));
		EVP_PKEY_free(evp);
		return (ERR_MALFORMED);
	}
	if ((*out = pkey_wrap(evp)) == NULL)
		return (ERR_NOMEM);
	return (0);
}

enum pkey_type
pkey_type(const struct pkey *k)
{
	switch (EVP_PKEY_get_base_id(k->pk_evp)) {
	case EVP_PKEY_RSA:
		return (PKEY_RSA);
	case EVP_PKEY_DSA:
		return (PKEY_DSA);
	case EVP_PKEY_EC:
		return (PKEY_EC);
	default:
		return (PKEY_NONE);
	}
}

const char *
pkey_type_name(enum pkey_type t)
{
	switch (t) {
	case PKEY_RSA:
		return ("rsa");
	case PKEY_DSA:
		return ("dsa");
	case PKEY_EC:
		return ("ecdsa");
	default:
		return ("unknown");
	}
}

unsigned int
pkey_bits(const struct pkey *k)
{
	int	bits = EVP_PKEY_get_bits(k->pk_evp);

	return (bits > 0 ? (unsigned int)bits : 0);
}

int
pkey_has_private(const struct pkey *k)
{
	BIGNUM	*bn = NULL;
	int	 has = 0;

	switch (pkey_type(k)) {
	case PKEY_RSA:
		has = EVP_PKEY_get_bn_param(k->pk_evp,
		    OSSL_PKEY_PARAM_RSA_D, &bn) == 1;
		break;
	case PKEY_DSA:
	case PKEY_EC:
		has = EVP_PKEY_get_bn_param(k->pk_evp,
		    OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1;
		break;
	default:
		break;
	}
	BN_clear_free(bn);
	return (has);
}

int
pkey_public_equal(const struct pkey *a, const struct pkey *b)
{
	return (EVP_PKEY_eq(a->pk_evp, b->pk_evp) == 1);
}

static int
pkey_check_rsa(const struct pkey *k, char *why, size_t whysize)
{
	BIGNUM	*n = NULL, *e = NULL;
	int	 rc = ERR_CRYPTO;

	if (EVP_PKEY_get_bn_param(k->pk_evp, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(k->pk_evp, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
		x509_why(why, whysize, "RSA key without modulus or exponent");
		goto out;
	}
	if (BN_is_zero(e))
		x509_why(why, whysize, "RSA public exponent is 0");
	else if (BN_is_one(e))
		x509_why(why, whysize, "RSA public exponent is 1");
	else if (!BN_is_odd(e))
		x509_why(why, whysize, "RSA public exponent is even");
	else if (!BN_is_odd(n))
		x509_why(why, whysize, "RSA modulus is even");
	else if (BN_num_bits(n) < PKEY_RSA_MIN_BITS)
		x509_why(why, whysize, "RSA modulus of %d bits is too short: "
		    "at least %d are required", BN_num_bits(n),
		    PKEY_RSA_MIN_BITS);
	else if (BN_cmp(e, n) >= 0)
		x509_why(why, whysize, "RSA public exponent is not smaller "
		    "than the modulus");
	else
		rc = 0;
out:
	BN_free(n);
	BN_free(e);
	return (rc);
}

int
pkey_check_public(const struct pkey *k, char *why, size_t whysize)
{
	EVP_PKEY_CTX	*ctx;
	int		 ok;

	switch (pkey_type(k)) {
	case PKEY_RSA:
		return (pkey_check_rsa(k, why, whysize));
	case PKEY_DSA:
	case PKEY_EC:
		break;
	default:
		x509_why(why, whysize, "unsupported key algorithm %s",
		    EVP_PKEY_get0_type_name(k->pk_evp));
		return (ERR_CRYPTO);
	}
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk_evp, NULL)) == NULL)
		return (ERR_NOMEM);
	ok = EVP_PKEY_public_check(ctx);
	EVP_PKEY_CTX_free(ctx);
	if (ok != 1) {
		x509_why_openssl(why, whysize, pkey_type(k) == PKEY_DSA ?
		    "DSA public key check" : "EC public key check");
		return (ERR_CRYPTO);
	}
	return (0);
}

int
pkey_encode_private(const struct pkey *k, enum x509_format fmt,
    struct wbuf *out)
{
	OSSL_ENCODER_CTX	*ectx;
	unsigned char		*data = NULL;
	size_t			 len = 0;
	int			 rc = ERR_CRYPTO;

	ectx = OSSL_ENCODER_CTX_new_for_pkey(k->pk_evp, EVP_PKEY_KEYPAIR,
	    fmt == X509_FORMAT_PEM ? "PEM" : "DER", "PrivateKeyInfo", NULL);
	if (ectx == NULL)
		return (ERR_CRYPTO);
	if (OSSL_ENCODER_to_data(ectx, &data, &len) == 1)
		rc = wbuf_put(out, data, len);
	OSSL_ENCODER_CTX_free(ectx);
	if (data != NULL)
		OPENSSL_clear_free(data, len);
	return (rc);
}

int
pkey_encode_public(const struct pkey *k, struct wbuf *out)
{
	unsigned char	*der = NULL;
	int		 len, rc;

	if ((len = i2d_PUBKEY(k->pk_evp, &der)) <= 0)
		return (ERR_CRYPTO);
	rc = wbuf_put(out, der, (size_t)len);
	OPENSSL_free(der);
	return (rc);
}

int
pkey_public_hash(const struct pkey *k, char *out, size_t outsize)
{
	struct wbuf	spki;
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;
	size_t		i;
	int		rc;

	if (outsize < 33)
		return (ERR_TOOBIG);
	wbuf_init(&spki, 0);
	if ((rc = pkey_encode_public(k, &spki)) != 0)
		goto out;
	if (EVP_Digest(spki.wb_data, spki.wb_len, md, &mdlen, EVP_sha256(),
	    NULL) != 1) {
		rc = ERR_CRYPTO;
		goto out;
	}
	util_hex_encode(out, outsize, md, 16);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'a' && out[i] <= 'f')
			out[i] = (char)(out[i] - 'a' + 'A');
out:
	wbuf_free(&spki);
	return (rc);
}
