/*
 * X.509 certificates: parsing, names, subjectAltName entries and the
 * identity check of IKEv1 Main Mode (RFC 2409 5.1: the ID payload must
 * name the certificate whose key signed).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/x509/x509_int.h"
#include "lib/err.h"
#include "lib/rbuf.h"

struct cert *
cert_wrap(X509 *x)
{
	struct cert	*c;
	EVP_PKEY	*evp;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		X509_free(x);
		return (NULL);
	}
	c->c_x509 = x;
	c->c_refs = 1;
	if ((evp = X509_get_pubkey(x)) == NULL ||
	    (c->c_key = pkey_wrap(evp)) == NULL) {
		cert_free(c);
		return (NULL);
	}
	return (c);
}

struct cert *
cert_ref(struct cert *c)
{
	c->c_refs++;
	return (c);
}

void
cert_free(struct cert *c)
{
	if (c == NULL || --c->c_refs > 0)
		return;
	pkey_free(c->c_key);
	X509_free(c->c_x509);
	free(c);
}

static int
cert_finish(struct cert **out, X509 *x, char *why, size_t whysize)
{
	if ((*out = cert_wrap(x)) == NULL) {
		x509_why(why, whysize, "certificate has no usable public key");
		return (ERR_MALFORMED);
	}
	return (0);
}

int
cert_parse_der(struct cert **out, const uint8_t *data, size_t len,
    char *why, size_t whysize)
{
	const unsigned char	*p;
	const uint8_t		*der;
	struct rbuf		 rb;
	X509			*x;

	*out = NULL;
	rbuf_init(&rb, data, len);
	if (len == 0 || len > X509_MAX_INPUT ||
	    rbuf_get_ptr(&rb, len, &der) != 0) {
		x509_why(why, whysize, "certificate of %zu bytes: expected "
		    "1 to %d", len, X509_MAX_INPUT);
		return (ERR_MALFORMED);
	}
	p = der;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		x509_why_openssl(why, whysize, "parsing the DER certificate");
		return (ERR_MALFORMED);
	}
	if (p != der + len) {
		x509_why(why, whysize, "%zu bytes after the DER certificate",
		    (size_t)(der + len - p));
		X509_free(x);
		return (ERR_MALFORMED);
	}
	return (cert_finish(out, x, why, whysize));
}

int
cert_parse(struct cert **out, const uint8_t *data, size_t len,
    char *why, size_t whysize)
{
	BIO	*bio;
	X509	*x;

	*out = NULL;
	if (!x509_is_pem(data, len))
		return (cert_parse_der(out, data, len, why, whysize));
	if (len > X509_MAX_INPUT) {
		x509_why(why, whysize, "certificate file of %zu bytes is too "
		    "large", len);
		return (ERR_MALFORMED);
	}
	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL)
		return (ERR_NOMEM);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL) {
		x509_why_openssl(why, whysize, "parsing the PEM certificate");
		return (ERR_MALFORMED);
	}
	return (cert_finish(out, x, why, whysize));
}

int
cert_encode(const struct cert *c, enum x509_format fmt, struct wbuf *out)
{
	unsigned char	*der = NULL;
	BIO		*bio;
	int		 len, rc;

	if (fmt == X509_FORMAT_DER) {
		if ((len = i2d_X509(c->c_x509, &der)) <= 0)
			return (ERR_CRYPTO);
		rc = wbuf_put(out, der, (size_t)len);
		OPENSSL_free(der);
		return (rc);
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return (ERR_NOMEM);
	rc = PEM_write_bio_X509(bio, c->c_x509) == 1 ?
	    x509_bio_to_wbuf(bio, out) : ERR_CRYPTO;
	BIO_free(bio);
	return (rc);
}

int
cert_equal(const struct cert *a, const struct cert *b)
{
	return (X509_cmp(a->c_x509, b->c_x509) == 0);
}

const struct pkey *
cert_public_key(const struct cert *c)
{
	return (c->c_key);
}

int
cert_subject_der(const struct cert *c, struct wbuf *out)
{
	unsigned char	*der = NULL;
	int		 len, rc;

	len = i2d_X509_NAME(X509_get_subject_name(c->c_x509), &der);
	if (len <= 0)
		return (ERR_CRYPTO);
	rc = wbuf_put(out, der, (size_t)len);
	OPENSSL_free(der);
	return (rc);
}

int
cert_issuer_der(const struct cert *c, struct wbuf *out)
{
	unsigned char	*der = NULL;
	int		 len, rc;

	len = i2d_X509_NAME(X509_get_issuer_name(c->c_x509), &der);
	if (len <= 0)
		return (ERR_CRYPTO);
	rc = wbuf_put(out, der, (size_t)len);
	OPENSSL_free(der);
	return (rc);
}

int
cert_dn_der_text(const uint8_t *der, size_t len, char *out, size_t outsize)
{
	const unsigned char	*p = der;
	X509_NAME		*name;
	int			 rc;

	if (len == 0 || len > X509_MAX_INPUT)
		return (ERR_MALFORMED);
	name = d2i_X509_NAME(NULL, &p, (long)len);
	if (name == NULL || p != der + len) {
		X509_NAME_free(name);
		return (ERR_MALFORMED);
	}
	rc = x509_name_text(name, out, outsize);
	X509_NAME_free(name);
	return (rc);
}

int
cert_subject_text(const struct cert *c, char *out, size_t outsize)
{
	return (x509_name_text(X509_get_subject_name(c->c_x509), out,
	    outsize));
}

int
cert_issuer_text(const struct cert *c, char *out, size_t outsize)
{
	return (x509_name_text(X509_get_issuer_name(c->c_x509), out,
	    outsize));
}

int
cert_serial_text(const struct cert *c, char *out, size_t outsize)
{
	BIGNUM	*bn;
	char	*hex;
	int	 rc = ERR_TOOBIG;

	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c->c_x509), NULL);
	if (bn == NULL || (hex = BN_bn2hex(bn)) == NULL) {
		BN_free(bn);
		return (ERR_CRYPTO);
	}
	if (strlen(hex) < outsize) {
		memcpy(out, hex, strlen(hex) + 1);
		rc = 0;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	return (rc);
}

int
cert_validity(const struct cert *c, int64_t *not_before, int64_t *not_after)
{
	int	rc;

	if ((rc = x509_time_epoch(X509_get0_notBefore(c->c_x509),
	    not_before)) != 0)
		return (rc);
	return (x509_time_epoch(X509_get0_notAfter(c->c_x509), not_after));
}

int
cert_is_self_signed(const struct cert *c)
{
	return (X509_self_signed(c->c_x509, 1) == 1);
}

static int
cert_gen_type(enum cert_alt alt)
{
	switch (alt) {
	case CERT_ALT_IP:
		return (GEN_IPADD);
	case CERT_ALT_DNS:
		return (GEN_DNS);
	case CERT_ALT_EMAIL:
		return (GEN_EMAIL);
	case CERT_ALT_URI:
		return (GEN_URI);
	case CERT_ALT_DN:
		return (GEN_DIRNAME);
	case CERT_ALT_RID:
		return (GEN_RID);
	}
	return (-1);
}

static int
cert_copy_text(char *out, size_t outsize, const void *s, size_t len)
{
	if (len >= outsize || memchr(s, '\0', len) != NULL)
		return (len >= outsize ? ERR_TOOBIG : ERR_MALFORMED);
	memcpy(out, s, len);
	out[len] = '\0';
	return (0);
}

static int
cert_gen_text(const GENERAL_NAME *gen, char *out, size_t outsize)
{
	const ASN1_STRING	*s;
	int			 af;

	switch (gen->type) {
	case GEN_IPADD:
		s = gen->d.iPAddress;
		if (ASN1_STRING_length(s) == 4)
			af = AF_INET;
		else if (ASN1_STRING_length(s) == 16)
			af = AF_INET6;
		else
			return (ERR_MALFORMED);
		if (inet_ntop(af, ASN1_STRING_get0_data(s), out,
		    (socklen_t)outsize) == NULL)
			return (ERR_TOOBIG);
		return (0);
	case GEN_DNS:
	case GEN_EMAIL:
	case GEN_URI:
		s = gen->d.ia5;
		return (cert_copy_text(out, outsize, ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s)));
	case GEN_DIRNAME:
		return (x509_name_text(gen->d.directoryName, out, outsize));
	case GEN_RID:
		if (OBJ_obj2txt(out, (int)outsize, gen->d.registeredID, 1) >=
		    (int)outsize)
			return (ERR_TOOBIG);
		return (0);
	}
	return (ERR_UNSUPPORTED);
}

/* Returns the index'th GENERAL_NAME of the given type, or NULL. */
static const GENERAL_NAME *
cert_find_gen(const GENERAL_NAMES *gens, int type, size_t index)
{
	const GENERAL_NAME	*gen;
	int			 i;

	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type != type)
			continue;
		if (index-- == 0)
			return (gen);
	}
	return (NULL);
}

int
cert_altname(const struct cert *c, enum cert_alt alt, size_t index,
    char *out, size_t outsize)
{
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*gen;
	int			 rc = ERR_NOTFOUND;

	gens = X509_get_ext_d2i(c->c_x509, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return (ERR_NOTFOUND);
	if ((gen = cert_find_gen(gens, cert_gen_type(alt), index)) != NULL)
		rc = cert_gen_text(gen, out, outsize);
	GENERAL_NAMES_free(gens);
	return (rc);
}

/* Returns 1 when the certificate has a subjectAltName of type with value. */
static int
cert_has_gen(const struct cert *c, int type, const uint8_t *v, size_t len,
    int nocase)
{
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*gen;
	const ASN1_STRING	*s;
	size_t			 i;
	int			 found = 0;

	gens = X509_get_ext_d2i(c->c_x509, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return (0);
	for (i = 0; !found && (gen = cert_find_gen(gens, type, i)) != NULL;
	    i++) {
		s = type == GEN_IPADD ? gen->d.iPAddress : gen->d.ia5;
		if ((size_t)ASN1_STRING_length(s) != len)
			continue;
		if (nocase)
			found = strncasecmp((const char *)
			    ASN1_STRING_get0_data(s), (const char *)v,
			    len) == 0;
		else
			found = memcmp(ASN1_STRING_get0_data(s), v, len) == 0;
	}
	GENERAL_NAMES_free(gens);
	return (found);
}

static int
cert_match_dn(const struct cert *c, const uint8_t *id, size_t idlen,
    char *why, size_t whysize)
{
	const unsigned char	*p = id;
	X509_NAME		*name;
	char			 want[512], have[512];
	int			 eq;

	if ((name = d2i_X509_NAME(NULL, &p, (long)idlen)) == NULL ||
	    p != id + idlen) {
		X509_NAME_free(name);
		x509_why(why, whysize, "ID_DER_ASN1_DN identity is not a "
		    "valid DER Name");
		return (ERR_AUTH);
	}
	eq = X509_NAME_cmp(name, X509_get_subject_name(c->c_x509)) == 0;
	if (!eq) {
		if (x509_name_text(name, want, sizeof(want)) != 0)
			strcpy(want, "(too long)");
		if (cert_subject_text(c, have, sizeof(have)) != 0)
			strcpy(have, "(too long)");
		x509_why(why, whysize, "identity \"%s\" is not the "
		    "certificate subject \"%s\"", want, have);
	}
	X509_NAME_free(name);
	return (eq ? 0 : ERR_AUTH);
}

static int
cert_match_text(const struct cert *c, int type, const uint8_t *id,
    size_t idlen, const char *what, char *why, size_t whysize)
{
	if (idlen == 0 || memchr(id, '\0', idlen) != NULL) {
		x509_why(why, whysize, "%s identity is empty or contains "
		    "a NUL byte", what);
		return (ERR_AUTH);
	}
	if (cert_has_gen(c, type, id, idlen, 1))
		return (0);
	x509_why(why, whysize, "%s identity \"%.*s\" is not a subjectAltName "
	    "of the certificate", what, (int)(idlen > 200 ? 200 : idlen),
	    (const char *)id);
	return (ERR_AUTH);
}

static int
cert_match_ip(const struct cert *c, const uint8_t *id, size_t idlen,
    size_t want, char *why, size_t whysize)
{
	char	text[INET6_ADDRSTRLEN];

	if (idlen != want) {
		x509_why(why, whysize, "IP address identity of %zu bytes: "
		    "expected %zu", idlen, want);
		return (ERR_AUTH);
	}
	if (cert_has_gen(c, GEN_IPADD, id, idlen, 0))
		return (0);
	inet_ntop(want == 4 ? AF_INET : AF_INET6, id, text, sizeof(text));
	x509_why(why, whysize, "IP address identity %s is not a "
	    "subjectAltName of the certificate", text);
	return (ERR_AUTH);
}

int
cert_match_id(const struct cert *c, enum cert_idtype type, const uint8_t *id,
    size_t idlen, char *why, size_t whysize)
{
	switch (type) {
	case CERT_ID_DER_ASN1_DN:
		return (cert_match_dn(c, id, idlen, why, whysize));
	case CERT_ID_FQDN:
		return (cert_match_text(c, GEN_DNS, id, idlen, "FQDN", why,
		    whysize));
	case CERT_ID_USER_FQDN:
		return (cert_match_text(c, GEN_EMAIL, id, idlen, "user-FQDN",
		    why, whysize));
	case CERT_ID_IPV4_ADDR:
		return (cert_match_ip(c, id, idlen, 4, why, whysize));
	case CERT_ID_IPV6_ADDR:
		return (cert_match_ip(c, id, idlen, 16, why, whysize));
	}
	x509_why(why, whysize, "identity type %d cannot be checked against "
	    "a certificate", (int)type);
	return (ERR_UNSUPPORTED);
}
