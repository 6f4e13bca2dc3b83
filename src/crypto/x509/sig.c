/*
 * IKEv1 signatures over HASH_I and HASH_R (RFC 2409 5.1, RFC 4754).
 * OpenSSL produces and expects DER for DSA and ECDSA, so the fixed-size
 * r | s form of the SIG payload is converted here.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/crypto_int.h"
#include "crypto/x509/sig.h"
#include "crypto/x509/x509_int.h"
#include "lib/err.h"
#include "lib/rbuf.h"

/* Key requirements of one signature method. */
struct sig_spec {
	enum pkey_type	 ss_type;
	const char	*ss_group;	/* EC curve (OpenSSL group name) */
	size_t		 ss_half;	/* ECDSA: size of r and of s */
};

static int
sig_spec(enum sig_method m, struct sig_spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	switch (m) {
	case SIG_RSA:
		sp->ss_type = PKEY_RSA;
		return (0);
	case SIG_DSS:
		sp->ss_type = PKEY_DSA;
		return (0);
	case SIG_ECDSA_256:
		*sp = (struct sig_spec){ PKEY_EC, "prime256v1", 32 };
		return (0);
	case SIG_ECDSA_384:
		*sp = (struct sig_spec){ PKEY_EC, "secp384r1", 48 };
		return (0);
	case SIG_ECDSA_521:
		*sp = (struct sig_spec){ PKEY_EC, "secp521r1", 66 };
		return (0);
	}
	return (ERR_UNSUPPORTED);
}

const char *
sig_method_name(enum sig_method m)
{
	switch (m) {
	case SIG_DSS:
		return ("DSS");
	case SIG_RSA:
		return ("RSA");
	case SIG_ECDSA_256:
		return ("ECDSA-256");
	case SIG_ECDSA_384:
		return ("ECDSA-384");
	case SIG_ECDSA_521:
		return ("ECDSA-521");
	}
	return ("unknown");
}

static int
sig_key_group(const struct pkey *k, char *group, size_t size)
{
	group[0] = '\0';
	if (EVP_PKEY_get_utf8_string_param(k->pk_evp,
	    OSSL_PKEY_PARAM_GROUP_NAME, group, size, NULL) != 1)
		return (ERR_CRYPTO);
	return (0);
}

int
sig_method_for_key(const struct pkey *k, enum sig_method *m)
{
	static const enum sig_method	 ec[] = {
		SIG_ECDSA_256, SIG_ECDSA_384, SIG_ECDSA_521
	};
	struct sig_spec			 sp;
	char				 group[64];
	size_t				 i;

	switch (pkey_type(k)) {
	case PKEY_RSA:
		*m = SIG_RSA;
		return (0);
	case PKEY_DSA:
		*m = SIG_DSS;
		return (0);
	case PKEY_EC:
		if (sig_key_group(k, group, sizeof(group)) != 0)
			return (ERR_UNSUPPORTED);
		for (i = 0; i < sizeof(ec) / sizeof(ec[0]); i++) {
			sig_spec(ec[i], &sp);
			if (strcmp(group, sp.ss_group) == 0) {
				*m = ec[i];
				return (0);
			}
		}
		return (ERR_UNSUPPORTED);
	default:
		return (ERR_UNSUPPORTED);
	}
}

/* Check that the key has the algorithm (and curve) the method needs. */
static int
sig_check_key(const struct pkey *k, enum sig_method m, struct sig_spec *sp,
    char *why, size_t whysize)
{
	char	group[64];

	if (sig_spec(m, sp) != 0) {
		x509_why(why, whysize, "unknown signature method %d", (int)m);
		return (ERR_INVAL);
	}
	if (pkey_type(k) != sp->ss_type) {
		x509_why(why, whysize, "%s signatures need a %s key, but the "
		    "key is %s", sig_method_name(m),
		    pkey_type_name(sp->ss_type), pkey_type_name(pkey_type(k)));
		return (ERR_INVAL);
	}
	if (sp->ss_group == NULL)
		return (0);
	if (sig_key_group(k, group, sizeof(group)) != 0 ||
	    strcmp(group, sp->ss_group) != 0) {
		x509_why(why, whysize, "%s signatures need a key on curve %s, "
		    "but the key is on %s", sig_method_name(m), sp->ss_group,
		    group[0] != '\0' ? group : "an unnamed curve");
		return (ERR_INVAL);
	}
	return (0);
}

/* Size of r and of s for DSS: the byte length of the subgroup order q. */
static size_t
sig_dsa_half(const struct pkey *k)
{
	BIGNUM	*q = NULL;
	size_t	 n = 0;

	if (EVP_PKEY_get_bn_param(k->pk_evp, OSSL_PKEY_PARAM_FFC_Q, &q) == 1)
		n = (size_t)BN_num_bytes(q);
	BN_free(q);
	return (n);
}

/* Convert a DER (r, s) SEQUENCE to r | s with half bytes each. */
static int
sig_der_to_raw(const unsigned char *der, size_t derlen, size_t half,
    struct wbuf *out)
{
	const unsigned char	*p = der;
	const BIGNUM		*r, *s;
	ECDSA_SIG		*es;
	uint8_t			*dst;
	int			 rc = ERR_CRYPTO;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		return (ERR_CRYPTO);
	ECDSA_SIG_get0(es, &r, &s);
	if ((size_t)BN_num_bytes(r) <= half && (size_t)BN_num_bytes(s) <= half &&
	    (rc = wbuf_alloc(out, 2 * half, &dst)) == 0) {
		BN_bn2binpad(r, dst, (int)half);
		BN_bn2binpad(s, dst + half, (int)half);
	}
	ECDSA_SIG_free(es);
	return (rc);
}

/* Convert r | s (half bytes each) to a DER (r, s) SEQUENCE. */
static int
sig_raw_to_der(const uint8_t *raw, size_t half, unsigned char **der,
    int *derlen)
{
	const uint8_t	*pr, *ps;
	struct rbuf	 rb;
	BIGNUM		*r, *s;
	ECDSA_SIG	*es;

	*der = NULL;
	rbuf_init(&rb, raw, 2 * half);
	if (rbuf_get_ptr(&rb, half, &pr) != 0 ||
	    rbuf_get_ptr(&rb, half, &ps) != 0)
		return (ERR_TRUNCATED);
	r = BN_bin2bn(pr, (int)half, NULL);
	s = BN_bin2bn(ps, (int)half, NULL);
	if (r == NULL || s == NULL || (es = ECDSA_SIG_new()) == NULL) {
		BN_free(r);
		BN_free(s);
		return (ERR_NOMEM);
	}
	ECDSA_SIG_set0(es, r, s);
	*derlen = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return (*derlen > 0 ? 0 : ERR_CRYPTO);
}

static int
sig_sign_raw(const struct pkey *k, enum sig_method m, const uint8_t *hash,
    size_t hashlen, struct wbuf *out, size_t half)
{
	EVP_PKEY_CTX	*ctx;
	unsigned char	*buf = NULL;
	uint8_t		*dst;
	size_t		 len = 0;
	int		 rc = ERR_CRYPTO;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk_evp, NULL)) == NULL)
		return (ERR_NOMEM);
	if (EVP_PKEY_sign_init(ctx) <= 0 ||
	    (m == SIG_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) ||
	    EVP_PKEY_sign(ctx, NULL, &len, hash, hashlen) <= 0 ||
	    (buf = OPENSSL_malloc(len)) == NULL ||
	    EVP_PKEY_sign(ctx, buf, &len, hash, hashlen) <= 0)
		goto out;
	if (m == SIG_RSA) {
		if ((rc = wbuf_alloc(out, len, &dst)) == 0)
			memcpy(dst, buf, len);
	} else
		rc = sig_der_to_raw(buf, len, half, out);
out:
	OPENSSL_free(buf);
	EVP_PKEY_CTX_free(ctx);
	return (rc);
}

int
sig_sign(const struct pkey *k, enum sig_method m, const uint8_t *hash,
    size_t hashlen, struct wbuf *out, char *why, size_t whysize)
{
	struct sig_spec	sp;
	size_t		half = 0;
	int		rc;

	if ((rc = sig_check_key(k, m, &sp, why, whysize)) != 0)
		return (rc);
	if (!pkey_has_private(k)) {
		x509_why(why, whysize, "signing needs a private key");
		return (ERR_INVAL);
	}
	if (hashlen == 0 || hashlen > EVP_MAX_MD_SIZE) {
		x509_why(why, whysize, "hash of %zu bytes", hashlen);
		return (ERR_INVAL);
	}
	if (m == SIG_DSS && (half = sig_dsa_half(k)) == 0) {
		x509_why(why, whysize, "DSA key without subgroup order");
		return (ERR_INVAL);
	}
	if (m != SIG_DSS)
		half = sp.ss_half;
	rc = sig_sign_raw(k, m, hash, hashlen, out, half);
	if (rc != 0)
		x509_why_openssl(why, whysize, "signing");
	return (rc);
}

/* Length of a SIG payload for the method and key. */
static size_t
sig_expected_length(const struct pkey *k, enum sig_method m,
    const struct sig_spec *sp)
{
	if (m == SIG_RSA)
		return ((size_t)EVP_PKEY_get_size(k->pk_evp));
	if (m == SIG_DSS)
		return (2 * sig_dsa_half(k));
	return (2 * sp->ss_half);
}

static int
sig_verify_raw(const struct pkey *k, enum sig_method m, const uint8_t *hash,
    size_t hashlen, const unsigned char *sig, size_t siglen)
{
	EVP_PKEY_CTX	*ctx;
	int		 ok = 0;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pk_evp, NULL)) == NULL)
		return (0);
	if (EVP_PKEY_verify_init(ctx) > 0 &&
	    (m != SIG_RSA ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0))
		ok = EVP_PKEY_verify(ctx, sig, siglen, hash, hashlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return (ok);
}

/* Returns 1 when r | s has an all-zero half, which no signer produces. */
static int
sig_has_zero_half(const uint8_t *sig, size_t half)
{
	size_t	i;
	uint8_t	r = 0, s = 0;

	for (i = 0; i < half; i++) {
		r |= sig[i];
		s |= sig[half + i];
	}
	return (r == 0 || s == 0);
}

int
sig_verify(const struct pkey *k, enum sig_method m, const uint8_t *hash,
    size_t hashlen, const uint8_t *sig, size_t siglen, char *why,
    size_t whysize)
{
	struct sig_spec	 sp;
	unsigned char	*der = NULL;
	size_t		 want;
	int		 derlen = 0, ok, rc;

	if (sig_check_key(k, m, &sp, why, whysize) != 0)
		return (ERR_AUTH);
	if (pkey_check_public(k, why, whysize) != 0)
		return (ERR_AUTH);
	if (hashlen == 0 || hashlen > EVP_MAX_MD_SIZE) {
		x509_why(why, whysize, "hash of %zu bytes", hashlen);
		return (ERR_AUTH);
	}
	want = sig_expected_length(k, m, &sp);
	if (want == 0 || siglen != want) {
		x509_why(why, whysize, "%s signature is %zu bytes, but the "
		    "%u-bit key needs exactly %zu", sig_method_name(m), siglen,
		    pkey_bits(k), want);
		return (ERR_AUTH);
	}
	if (m == SIG_RSA)
		ok = sig_verify_raw(k, m, hash, hashlen, sig, siglen);
	else if (sig_has_zero_half(sig, want / 2)) {
		x509_why(why, whysize, "%s signature has r or s equal to 0",
		    sig_method_name(m));
		return (ERR_AUTH);
	} else {
		if ((rc = sig_raw_to_der(sig, want / 2, &der, &derlen)) != 0) {
			x509_why(why, whysize, "cannot decode the %s "
			    "signature", sig_method_name(m));
			return (ERR_AUTH);
		}
		ok = sig_verify_raw(k, m, hash, hashlen, der, (size_t)derlen);
		OPENSSL_free(der);
	}
	ERR_clear_error();
	if (!ok) {
		x509_why(why, whysize, "%s signature does not match the hash "
		    "with the peer's %u-bit %s key (wrong key, altered "
		    "message or another signature format)", sig_method_name(m),
		    pkey_bits(k), pkey_type_name(pkey_type(k)));
		return (ERR_AUTH);
	}
	return (0);
}
