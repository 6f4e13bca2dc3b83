/*
 * IKEv1 SIG payload signatures: round trips for every method and key
 * size, and rejection of malformed signatures and unusable keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "certtest.h"
#include "crypto/hash.h"
#include "crypto/x509/pkey.h"
#include "crypto/x509/sig.h"
#include "lib/err.h"
#include "lib/util.h"
#include "lib/wbuf.h"

/* A stand-in for HASH_I: 20 bytes, as with a SHA-1 PRF. */
static const uint8_t	hash20[20] = {
	0x3a, 0x11, 0x47, 0x09, 0xc2, 0x5e, 0x90, 0x01, 0x7b, 0xee,
	0x44, 0x21, 0x93, 0x6d, 0x0a, 0xb8, 0xf0, 0x12, 0x5c, 0x77,
};

static const uint8_t	hash32[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
	0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
	0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};

struct keycase {
	enum pkey_type	 type;
	unsigned int	 bits;
	enum sig_method	 method;
	size_t		 siglen;
};

static const struct keycase	keycases[] = {
	{ PKEY_RSA, 2048, SIG_RSA, 256 },
	{ PKEY_RSA, 3072, SIG_RSA, 384 },
	{ PKEY_DSA, 1024, SIG_DSS, 40 },
	{ PKEY_DSA, 2048, SIG_DSS, 64 },
	{ PKEY_EC, 256, SIG_ECDSA_256, 64 },
	{ PKEY_EC, 384, SIG_ECDSA_384, 96 },
	{ PKEY_EC, 521, SIG_ECDSA_521, 132 },
};

static struct pkey	*keys[UTIL_NELEM(keycases)];

static int
group_setup(void **state)
{
	char	why[X509_WHY_SIZE];
	size_t	i;

	for (i = 0; i < UTIL_NELEM(keycases); i++)
		if (pkey_generate(&keys[i], keycases[i].type,
		    keycases[i].bits, why, sizeof(why)) != 0) {
			fprintf(stderr, "pkey_generate: %s\n", why);
			return (-1);
		}
	return (0);
}

static int
group_teardown(void **state)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(keycases); i++)
		pkey_free(keys[i]);
	return (0);
}

/* The public half of a key, as a peer's certificate would give it. */
static struct pkey *
public_of(const struct pkey *k)
{
	struct pkey	*pub;
	struct wbuf	 spki;
	char		 why[X509_WHY_SIZE];

	wbuf_init(&spki, 0);
	assert_int_equal(pkey_encode_public(k, &spki), 0);
	assert_int_equal(pkey_parse_public(&pub, spki.wb_data, spki.wb_len,
	    why, sizeof(why)), 0);
	wbuf_free(&spki);
	assert_false(pkey_has_private(pub));
	return (pub);
}

static void
sign_hash(size_t i, const uint8_t *hash, size_t hashlen, struct wbuf *sig)
{
	char	why[X509_WHY_SIZE];

	wbuf_init(sig, 0);
	if (sig_sign(keys[i], keycases[i].method, hash, hashlen, sig, why,
	    sizeof(why)) != 0)
		fail_msg("sig_sign %s %u: %s", sig_method_name(
		    keycases[i].method), keycases[i].bits, why);
}

static void
sig_round_trip(void **state)
{
	struct pkey	*pub;
	struct wbuf	 sig;
	enum sig_method	 m;
	char		 why[X509_WHY_SIZE];
	size_t		 i;

	for (i = 0; i < UTIL_NELEM(keycases); i++) {
		assert_int_equal(sig_method_for_key(keys[i], &m), 0);
		assert_int_equal(m, keycases[i].method);
		sign_hash(i, hash20, sizeof(hash20), &sig);
		assert_int_equal(sig.wb_len, keycases[i].siglen);
		pub = public_of(keys[i]);
		if (sig_verify(pub, m, hash20, sizeof(hash20), sig.wb_data,
		    sig.wb_len, why, sizeof(why)) != 0)
			fail_msg("sig_verify %s %u: %s", sig_method_name(m),
			    keycases[i].bits, why);
		wbuf_free(&sig);
		/* A 32-byte HASH_I (SHA-256 PRF) works the same way. */
		sign_hash(i, hash32, sizeof(hash32), &sig);
		assert_int_equal(sig.wb_len, keycases[i].siglen);
		assert_int_equal(sig_verify(pub, m, hash32, sizeof(hash32),
		    sig.wb_data, sig.wb_len, why, sizeof(why)), 0);
		wbuf_free(&sig);
		pkey_free(pub);
	}
}

static void
sig_altered_hash_rejected(void **state)
{
	struct wbuf	sig;
	uint8_t		other[sizeof(hash20)];
	char		why[X509_WHY_SIZE];
	size_t		i;

	memcpy(other, hash20, sizeof(other));
	other[7] ^= 0x01;
	for (i = 0; i < UTIL_NELEM(keycases); i++) {
		sign_hash(i, hash20, sizeof(hash20), &sig);
		assert_int_equal(sig_verify(keys[i], keycases[i].method, other,
		    sizeof(other), sig.wb_data, sig.wb_len, why, sizeof(why)),
		    ERR_AUTH);
		assert_non_null(strstr(why, "does not match the hash"));
		/* A flipped bit of the signature fails the same way. */
		sig.wb_data[sig.wb_len / 2] ^= 0x10;
		assert_int_equal(sig_verify(keys[i], keycases[i].method,
		    hash20, sizeof(hash20), sig.wb_data, sig.wb_len, why,
		    sizeof(why)), ERR_AUTH);
		wbuf_free(&sig);
	}
}

static void
sig_wrong_length_rejected(void **state)
{
	struct wbuf	sig, padded;
	char		why[X509_WHY_SIZE];
	size_t		i;

	for (i = 0; i < UTIL_NELEM(keycases); i++) {
		sign_hash(i, hash20, sizeof(hash20), &sig);
		/* Truncated by one byte. */
		assert_int_equal(sig_verify(keys[i], keycases[i].method,
		    hash20, sizeof(hash20), sig.wb_data, sig.wb_len - 1, why,
		    sizeof(why)), ERR_AUTH);
		assert_non_null(strstr(why, "needs exactly"));
		/* A leading zero byte, and a trailing one. */
		wbuf_init(&padded, 0);
		assert_int_equal(wbuf_put_u8(&padded, 0), 0);
		assert_int_equal(wbuf_put(&padded, sig.wb_data, sig.wb_len),
		    0);
		assert_int_equal(sig_verify(keys[i], keycases[i].method,
		    hash20, sizeof(hash20), padded.wb_data, padded.wb_len,
		    why, sizeof(why)), ERR_AUTH);
		assert_int_equal(sig_verify(keys[i], keycases[i].method,
		    hash20, sizeof(hash20), padded.wb_data + 1,
		    padded.wb_len, why, sizeof(why)), ERR_AUTH);
		/* Empty. */
		assert_int_equal(sig_verify(keys[i], keycases[i].method,
		    hash20, sizeof(hash20), sig.wb_data, 0, why, sizeof(why)),
		    ERR_AUTH);
		wbuf_free(&padded);
		wbuf_free(&sig);
	}
}

static void
sig_zero_r_or_s_rejected(void **state)
{
	struct wbuf	sig;
	char		why[X509_WHY_SIZE];
	size_t		i, half;

	for (i = 2; i < UTIL_NELEM(keycases); i++) {
		sign_hash(i, hash20, sizeof(hash20), &sig);
		half = sig.wb_len / 2;
		memset(sig.wb_data, 0, half);
		assert_int_equal(sig_verify(keys[i], keycases[i].method,
		    hash20, sizeof(hash20), sig.wb_data, sig.wb_len, why,
		    sizeof(why)), ERR_AUTH);
		assert_non_null(strstr(why, "r or s equal to 0"));
		/* r and s of all ones exceed the group order. */
		memset(sig.wb_data, 0xff, sig.wb_len);
		assert_int_equal(sig_verify(keys[i], keycases[i].method,
		    hash20, sizeof(hash20), sig.wb_data, sig.wb_len, why,
		    sizeof(why)), ERR_AUTH);
		wbuf_free(&sig);
	}
}

static void
sig_rsa_above_modulus_rejected(void **state)
{
	uint8_t	sig[256];
	char	why[X509_WHY_SIZE];

	memset(sig, 0xff, sizeof(sig));
	assert_int_equal(sig_verify(keys[0], SIG_RSA, hash20, sizeof(hash20),
	    sig, sizeof(sig), why, sizeof(why)), ERR_AUTH);
	memset(sig, 0, sizeof(sig));
	assert_int_equal(sig_verify(keys[0], SIG_RSA, hash20, sizeof(hash20),
	    sig, sizeof(sig), why, sizeof(why)), ERR_AUTH);
}

/*
 * IKEv1 RSA signatures carry no DigestInfo.  A signature over
 * DigestInfo(SHA-1, hash), the PKCS#1 form of other protocols, must not
 * verify as a signature of the bare hash.
 */
static void
sig_rsa_digestinfo_rejected(void **state)
{
	static const uint8_t	prefix[] = {
		0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02,
		0x1a, 0x05, 0x00, 0x04, 0x14,
	};
	uint8_t			di[sizeof(prefix) + sizeof(hash20)];
	struct wbuf		sig;
	char			why[X509_WHY_SIZE];

	memcpy(di, prefix, sizeof(prefix));
	memcpy(di + sizeof(prefix), hash20, sizeof(hash20));
	sign_hash(0, di, sizeof(di), &sig);
	assert_int_equal(sig_verify(keys[0], SIG_RSA, hash20, sizeof(hash20),
	    sig.wb_data, sig.wb_len, why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "does not match"));
	assert_int_equal(sig_verify(keys[0], SIG_RSA, di, sizeof(di),
	    sig.wb_data, sig.wb_len, why, sizeof(why)), 0);
	wbuf_free(&sig);
}

static void
sig_wrong_key_type_rejected(void **state)
{
	struct wbuf	sig;
	char		why[X509_WHY_SIZE];

	/* An ECDSA-256 signature checked as RSA with the EC key. */
	sign_hash(4, hash20, sizeof(hash20), &sig);
	assert_int_equal(sig_verify(keys[4], SIG_RSA, hash20, sizeof(hash20),
	    sig.wb_data, sig.wb_len, why, sizeof(why)), ERR_AUTH);
	assert_string_equal(why, "RSA signatures need a rsa key, but the key "
	    "is ecdsa");
	/* The same bytes checked as RSA with an RSA key. */
	assert_int_equal(sig_verify(keys[0], SIG_RSA, hash20, sizeof(hash20),
	    sig.wb_data, sig.wb_len, why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "needs exactly 256"));
	/* DSS with an RSA key, ECDSA-256 with a P-384 key. */
	assert_int_equal(sig_verify(keys[0], SIG_DSS, hash20, sizeof(hash20),
	    sig.wb_data, 40, why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "need a dsa key"));
	assert_int_equal(sig_verify(keys[5], SIG_ECDSA_256, hash20,
	    sizeof(hash20), sig.wb_data, sig.wb_len, why, sizeof(why)),
	    ERR_AUTH);
	assert_non_null(strstr(why, "curve prime256v1"));
	assert_non_null(strstr(why, "secp384r1"));
	wbuf_free(&sig);
	/* Signing checks the same. */
	wbuf_init(&sig, 0);
	assert_int_equal(sig_sign(keys[4], SIG_ECDSA_384, hash20,
	    sizeof(hash20), &sig, why, sizeof(why)), ERR_INVAL);
	assert_int_equal(sig_sign(keys[2], SIG_RSA, hash20, sizeof(hash20),
	    &sig, why, sizeof(why)), ERR_INVAL);
	assert_int_equal(sig.wb_len, 0);
	wbuf_free(&sig);
}

static void
sig_sign_needs_private_key(void **state)
{
	struct pkey	*pub = public_of(keys[0]);
	struct wbuf	 sig;
	char		 why[X509_WHY_SIZE];

	wbuf_init(&sig, 0);
	assert_int_equal(sig_sign(pub, SIG_RSA, hash20, sizeof(hash20), &sig,
	    why, sizeof(why)), ERR_INVAL);
	assert_string_equal(why, "signing needs a private key");
	assert_int_equal(sig_sign(keys[0], SIG_RSA, hash20, 0, &sig, why,
	    sizeof(why)), ERR_INVAL);
	wbuf_free(&sig);
	pkey_free(pub);
}

/*
 * Signatures of every length from a fixed-seed generator are rejected
 * without a crash (run under ASan too).
 */
static void
sig_random_bytes_rejected(void **state)
{
	uint8_t	sig[384];	/* the longest: RSA 3072 */
	char	why[X509_WHY_SIZE];
	size_t	i, j, k, len;

	srand(2409);
	for (i = 0; i < 400; i++) {
		k = i % UTIL_NELEM(keycases);
		len = i < 300 ? i : keycases[k].siglen;
		for (j = 0; j < len; j++)
			sig[j] = (uint8_t)rand();
		assert_int_equal(sig_verify(keys[k], keycases[k].method,
		    hash20, sizeof(hash20), sig, len, why, sizeof(why)),
		    ERR_AUTH);
	}
}

/* DER helpers for hand-made RSA public keys. */
static void
der_len(struct wbuf *out, size_t len)
{
	if (len < 0x80)
		assert_int_equal(wbuf_put_u8(out, (uint8_t)len), 0);
	else if (len < 0x100) {
		assert_int_equal(wbuf_put_u8(out, 0x81), 0);
		assert_int_equal(wbuf_put_u8(out, (uint8_t)len), 0);
	} else {
		assert_int_equal(wbuf_put_u8(out, 0x82), 0);
		assert_int_equal(wbuf_put_u16(out, (uint16_t)len), 0);
	}
}

static void
der_tlv(struct wbuf *out, uint8_t tag, const uint8_t *v, size_t len)
{
	assert_int_equal(wbuf_put_u8(out, tag), 0);
	der_len(out, len);
	assert_int_equal(wbuf_put(out, v, len), 0);
}

/* A positive INTEGER of the big-endian bytes v. */
static void
der_uint(struct wbuf *out, const uint8_t *v, size_t len)
{
	struct wbuf	tmp;

	wbuf_init(&tmp, 0);
	if (len == 0 || (v[0] & 0x80))
		assert_int_equal(wbuf_put_u8(&tmp, 0), 0);
	assert_int_equal(wbuf_put(&tmp, v, len), 0);
	der_tlv(out, 0x02, tmp.wb_data, tmp.wb_len);
	wbuf_free(&tmp);
}

/* SubjectPublicKeyInfo of an rsaEncryption key with modulus n, exponent e. */
static struct pkey *
rsa_public(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
    int *parsed)
{
	static const uint8_t	alg[] = {
		0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
		0x01, 0x01, 0x01, 0x05, 0x00,
	};
	struct wbuf		ints, rsakey, bits, spki, body;
	struct pkey		*k = NULL;
	char			 why[X509_WHY_SIZE];

	wbuf_init(&ints, 0);
	wbuf_init(&rsakey, 0);
	wbuf_init(&bits, 0);
	wbuf_init(&body, 0);
	wbuf_init(&spki, 0);
	der_uint(&ints, n, nlen);
	der_uint(&ints, e, elen);
	der_tlv(&rsakey, 0x30, ints.wb_data, ints.wb_len);
	assert_int_equal(wbuf_put_u8(&bits, 0), 0);
	assert_int_equal(wbuf_put(&bits, rsakey.wb_data, rsakey.wb_len), 0);
	assert_int_equal(wbuf_put(&body, alg, sizeof(alg)), 0);
	der_tlv(&body, 0x03, bits.wb_data, bits.wb_len);
	der_tlv(&spki, 0x30, body.wb_data, body.wb_len);
	*parsed = pkey_parse_public(&k, spki.wb_data, spki.wb_len, why,
	    sizeof(why)) == 0;
	wbuf_free(&ints);
	wbuf_free(&rsakey);
	wbuf_free(&bits);
	wbuf_free(&body);
	wbuf_free(&spki);
	return (k);
}

/*
 * The ECDSA test vectors of RFC 4754 section 8: the signatures of the
 * message "abc" with the given public keys, in the r | s form that the
 * SIG payload carries.  The vectors sign SHA-2 of "abc"; sig_verify takes
 * that digest as it takes HASH_I in IKEv1, which it does not hash again.
 * They check the digest handling and the fixed-size encoding of r and s.
 */
static const struct {
	enum sig_method	 method;
	enum hash_alg	 md;
	const char	*curve_oid;	/* DER of the named curve OID */
	const char	*x, *y, *r, *s;
} rfc4754[] = {
	{ SIG_ECDSA_256, HASH_SHA256, "06082a8648ce3d030107",
	  "2442A5CC0ECD015FA3CA31DC8E2BBC70BF42D60CBCA20085E0822CB04235E970",
	  "6FC98BD7E50211A4A27102FA3549DF79EBCB4BF246B80945CDDFE7D509BBFD7D",
	  "CB28E0999B9C7715FD0A80D8E47A77079716CBBF917DD72E97566EA1C066957C",
	  "86FA3BB4E26CAD5BF90B7F81899256CE7594BB1EA0C89212748BFF3B3D5B0315" },
	{ SIG_ECDSA_384, HASH_SHA384, "06052b81040022",
	  "96281BF8DD5E0525CA049C048D345D3082968D10FEDF5C5ACA0C64E6465A97EA"
	  "5CE10C9DFEC21797415710721F437922",
	  "447688BA94708EB6E2E4D59F6AB6D7EDFF9301D249FE49C33096655F5D502FAD"
	  "3D383B91C5E7EDAA2B714CC99D5743CA",
	  "FB017B914E29149432D8BAC29A514640B46F53DDAB2C69948084E2930F1C8F7E"
	  "08E07C9C63F2D21A07DCB56A6AF56EB3",
	  "B263A1305E057F984D38726A1B46874109F417BCA112674C528262A40A629AF1"
	  "CBB9F516CE0FA7D2FF630863A00E8B9F" },
	{ SIG_ECDSA_521, HASH_SHA512, "06052b81040023",
	  "0151518F1AF0F563517EDD5485190DF95A4BF57B5CBA4CF2A9A3F6474725A35F"
	  "7AFE0A6DDEB8BEDBCD6A197E592D40188901CECD650699C9B5E456AEA5ADD190"
	  "52A8",
	  "006F3B142EA1BFFF7E2837AD44C9E4FF6D2D34C73184BBAD90026DD5E6E85317"
	  "D9DF45CAD7803C6C20035B2F3FF63AFF4E1BA64D1C077577DA3F4286C58F0AEA"
	  "E643",
	  "0154FD3836AF92D0DCA57DD5341D3053988534FDE8318FC6AAAAB68E2E6F4339"
	  "B19F2F281A7E0B22C269D93CF8794A9278880ED7DBB8D9362CAEACEE54432055"
	  "2251",
	  "017705A7030290D1CEB605A9A1BB03FF9CDD521E87A696EC926C8C10C8362DF4"
	  "975367101F67D1CF9BCCBF2F3D239534FA509E70AAC851AE01AAC68D62F86647"
	  "2660" },
};

static void
hex_append(struct wbuf *out, const char *hex)
{
	uint8_t	buf[80];
	size_t	len;

	assert_int_equal(util_hex_decode(buf, sizeof(buf), hex, &len), 0);
	assert_int_equal(wbuf_put(out, buf, len), 0);
}

/* SubjectPublicKeyInfo of an EC key on the curve with point (x, y). */
static struct pkey *
ec_public(const char *curve_oid, const char *x, const char *y)
{
	struct wbuf	 alg, bits, body, spki;
	struct pkey	*k;
	char		 why[X509_WHY_SIZE];

	wbuf_init(&alg, 0);
	wbuf_init(&bits, 0);
	wbuf_init(&body, 0);
	wbuf_init(&spki, 0);
	hex_append(&alg, "06072a8648ce3d0201");	/* id-ecPublicKey */
	hex_append(&alg, curve_oid);
	hex_append(&bits, "0004");	/* no unused bits; uncompressed */
	hex_append(&bits, x);
	hex_append(&bits, y);
	der_tlv(&body, 0x30, alg.wb_data, alg.wb_len);
	der_tlv(&body, 0x03, bits.wb_data, bits.wb_len);
	der_tlv(&spki, 0x30, body.wb_data, body.wb_len);
	if (pkey_parse_public(&k, spki.wb_data, spki.wb_len, why,
	    sizeof(why)) != 0)
		fail_msg("EC public key: %s", why);
	wbuf_free(&alg);
	wbuf_free(&bits);
	wbuf_free(&body);
	wbuf_free(&spki);
	return (k);
}

static void
sig_ecdsa_rfc4754_vectors(void **state)
{
	struct pkey	*k;
	struct wbuf	 sig;
	char		 why[X509_WHY_SIZE];
	uint8_t		 md[64];
	size_t		 i, mdlen;

	for (i = 0; i < UTIL_NELEM(rfc4754); i++) {
		mdlen = hash_length(rfc4754[i].md);
		assert_int_equal(hash_digest(rfc4754[i].md, "abc", 3, md,
		    sizeof(md)), 0);
		k = ec_public(rfc4754[i].curve_oid, rfc4754[i].x,
		    rfc4754[i].y);
		wbuf_init(&sig, 0);
		hex_append(&sig, rfc4754[i].r);
		hex_append(&sig, rfc4754[i].s);
		if (sig_verify(k, rfc4754[i].method, md, mdlen, sig.wb_data,
		    sig.wb_len, why, sizeof(why)) != 0)
			fail_msg("RFC 4754 %s: %s",
			    sig_method_name(rfc4754[i].method), why);
		sig.wb_data[sig.wb_len - 1] ^= 0x01;
		assert_int_equal(sig_verify(k, rfc4754[i].method, md, mdlen,
		    sig.wb_data, sig.wb_len, why, sizeof(why)), ERR_AUTH);
		wbuf_free(&sig);
		pkey_free(k);
	}
}

/*
 * Keys no signature may be accepted with.  OpenSSL parses these public
 * keys without complaint, so the check must come from pkey_check_public.
 * The modulus is 0xc5c5...c5 (odd) or ...c4 (even); it need not be a
 * product of two primes for these checks.
 */
static void
sig_bad_rsa_keys_rejected(void **state)
{
	static const struct {
		int		 even_n;
		uint8_t		 e[3];
		size_t		 elen;
		const char	*reason;
	} cases[] = {
		{ 0, { 0x00 }, 1, "RSA public exponent is 0" },
		{ 0, { 0x01 }, 1, "RSA public exponent is 1" },
		{ 0, { 0x01, 0x00, 0x00 }, 3, "RSA public exponent is even" },
		{ 1, { 0x01, 0x00, 0x01 }, 3, "RSA modulus is even" },
	};
	uint8_t		 n[256], sig[256];
	struct pkey	*k;
	char		 why[X509_WHY_SIZE];
	size_t		 i;
	int		 parsed;

	memset(sig, 0x5a, sizeof(sig));
	for (i = 0; i < UTIL_NELEM(cases); i++) {
		memset(n, 0xc5, sizeof(n));
		n[sizeof(n) - 1] = cases[i].even_n ? 0xc4 : 0xc5;
		k = rsa_public(n, sizeof(n), cases[i].e, cases[i].elen,
		    &parsed);
		/* OpenSSL 3.0 decodes all of these (checked here). */
		assert_true(parsed);
		assert_int_equal(pkey_check_public(k, why, sizeof(why)),
		    ERR_CRYPTO);
		assert_string_equal(why, cases[i].reason);
		assert_int_equal(sig_verify(k, SIG_RSA, hash20,
		    sizeof(hash20), sig, sizeof(sig), why, sizeof(why)),
		    ERR_AUTH);
		assert_string_equal(why, cases[i].reason);
		pkey_free(k);
	}
}

static void
sig_short_rsa_key_rejected(void **state)
{
	struct pkey	*k;
	struct wbuf	 sig;
	char		 why[X509_WHY_SIZE];

	assert_int_equal(pkey_generate(&k, PKEY_RSA, 512, why, sizeof(why)),
	    0);
	wbuf_init(&sig, 0);
	assert_int_equal(sig_sign(k, SIG_RSA, hash20, sizeof(hash20), &sig,
	    why, sizeof(why)), 0);
	assert_int_equal(sig_verify(k, SIG_RSA, hash20, sizeof(hash20),
	    sig.wb_data, sig.wb_len, why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "512 bits is too short"));
	wbuf_free(&sig);
	pkey_free(k);
}

static void
sig_garbage_public_key_rejected(void **state)
{
	static const uint8_t	junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	struct pkey		*k;
	char			 why[X509_WHY_SIZE];

	assert_int_equal(pkey_parse_public(&k, junk, sizeof(junk), why,
	    sizeof(why)), ERR_MALFORMED);
	assert_null(k);
	assert_int_equal(pkey_parse_public(&k, junk, 0, why, sizeof(why)),
	    ERR_MALFORMED);
}

/*
 * RSA PKCS#1 v1.5 signatures are deterministic: the openssl command's
 * raw PKCS#1 signature of the same bytes must be identical, which shows
 * that no DigestInfo is added.
 */
static void
sig_rsa_matches_openssl_pkeyutl(void **state)
{
	const char	*dir = certtest_tmpdir();
	struct wbuf	 keypem, sig;
	char		 cmd[1024], path[256];
	uint8_t		*theirs;
	size_t		 len;

	wbuf_init(&keypem, 1);
	assert_int_equal(pkey_encode_private(keys[0], X509_FORMAT_PEM,
	    &keypem), 0);
	certtest_write(dir, "key.pem", keypem.wb_data, keypem.wb_len, 0600);
	certtest_write(dir, "hash", hash20, sizeof(hash20), 0600);
	wbuf_free(&keypem);
	snprintf(cmd, sizeof(cmd), "openssl pkeyutl -sign -inkey %s/key.pem "
	    "-in %s/hash -out %s/sig -pkeyopt rsa_padding_mode:pkcs1", dir,
	    dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/sig", dir);
	certtest_read(path, &theirs, &len);
	sign_hash(0, hash20, sizeof(hash20), &sig);
	assert_int_equal(len, sig.wb_len);
	assert_memory_equal(theirs, sig.wb_data, len);
	free(theirs);
	wbuf_free(&sig);
	certtest_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sig_round_trip),
		cmocka_unit_test(sig_altered_hash_rejected),
		cmocka_unit_test(sig_wrong_length_rejected),
		cmocka_unit_test(sig_zero_r_or_s_rejected),
		cmocka_unit_test(sig_rsa_above_modulus_rejected),
		cmocka_unit_test(sig_random_bytes_rejected),
		cmocka_unit_test(sig_rsa_digestinfo_rejected),
		cmocka_unit_test(sig_ecdsa_rfc4754_vectors),
		cmocka_unit_test(sig_wrong_key_type_rejected),
		cmocka_unit_test(sig_sign_needs_private_key),
		cmocka_unit_test(sig_bad_rsa_keys_rejected),
		cmocka_unit_test(sig_short_rsa_key_rejected),
		cmocka_unit_test(sig_garbage_public_key_rejected),
		cmocka_unit_test(sig_rsa_matches_openssl_pkeyutl),
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
