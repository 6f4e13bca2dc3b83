/*
 * Self-signed certificates and PKCS#10 requests for ikecert.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/x509/certgen.h"
#include "crypto/x509/x509_int.h"
#include "lib/err.h"

static const char *
certgen_md_name(enum certgen_digest d)
{
	switch (d) {
	case CERTGEN_MD5:
		return ("MD5");
	case CERTGEN_SHA256:
		return ("SHA256");
	case CERTGEN_SHA384:
		return ("SHA384");
	case CERTGEN_SHA512:
		return ("SHA512");
	default:
		return ("SHA1");
	}
}

static const struct {
	const char	*tag;
	int		 type;
} certgen_alt_tags[] = {
	{ "IP=", GEN_IPADD },
	{ "DNS=", GEN_DNS },
	{ "EMAIL=", GEN_EMAIL },
	{ "URI=", GEN_URI },
	{ "DN=", GEN_DIRNAME },
	{ "RID=", GEN_RID },
};

/* Build one GENERAL_NAME from "TAG=value" (the ikecert -A syntax). */
static int
certgen_alt_one(const char *text, GENERAL_NAME **out, char *why,
    size_t whysize)
{
	X509_NAME	*dn;
	char		 what[96];
	size_t		 i, len;
	int		 rc;

	*out = NULL;
	for (i = 0; i < sizeof(certgen_alt_tags) / sizeof(certgen_alt_tags[0]);
	    i++) {
		len = strlen(certgen_alt_tags[i].tag);
		if (strncasecmp(text, certgen_alt_tags[i].tag, len) == 0)
			break;
	}
	if (i == sizeof(certgen_alt_tags) / sizeof(certgen_alt_tags[0]) ||
	    text[len] == '\0') {
		x509_why(why, whysize, "invalid subjectAltName \"%s\": use "
		    "IP=, DNS=, EMAIL=, URI=, DN= or RID= with a value", text);
		return (ERR_INVAL);
	}
	text += len;
	if (certgen_alt_tags[i].type == GEN_DIRNAME) {
		if ((rc = certsel_dn_parse(text, &dn, why, whysize)) != 0)
			return (ERR_INVAL);
		if ((*out = GENERAL_NAME_new()) == NULL) {
			X509_NAME_free(dn);
			return (ERR_NOMEM);
		}
		GENERAL_NAME_set0_value(*out, GEN_DIRNAME, dn);
		return (0);
	}
	*out = a2i_GENERAL_NAME(NULL, NULL, NULL, certgen_alt_tags[i].type,
	    text, 0);
	if (*out == NULL) {
		(void)snprintf(what, sizeof(what), "parsing subjectAltName "
		    "\"%.*s%.60s\"", (int)len, text - len, text);
		x509_why_openssl(why, whysize, what);
		return (ERR_INVAL);
	}
	return (0);
}

static int
certgen_altnames(const struct certgen_params *p, GENERAL_NAMES **out,
    char *why, size_t whysize)
{
	GENERAL_NAME	*gen;
	size_t		 i;
	int		 rc;

	*out = NULL;
	if (p->cg_naltnames == 0)
		return (0);
	if ((*out = GENERAL_NAMES_new()) == NULL)
		return (ERR_NOMEM);
	for (i = 0; i < p->cg_naltnames; i++) {
		if ((rc = certgen_alt_one(p->cg_altnames[i], &gen, why,
		    whysize)) != 0)
			goto fail;
		if (!sk_GENERAL_NAME_push(*out, gen)) {
			GENERAL_NAME_free(gen);
			rc = ERR_NOMEM;
			goto fail;
		}
	}
	return (0);
fail:
	GENERAL_NAMES_free(*out);
	*out = NULL;
	return (rc);
}

int
certgen_params_check(const struct certgen_params *p, char *why,
    size_t whysize)
{
	X509_NAME	*dn = NULL;
	GENERAL_NAMES	*alts = NULL;
	int		 rc;

	if (certsel_dn_parse(p->cg_dn, &dn, why, whysize) != 0)
		return (ERR_INVAL);
	X509_NAME_free(dn);
	rc = certgen_altnames(p, &alts, why, whysize);
	GENERAL_NAMES_free(alts);
	return (rc);
}

static int
certgen_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 v3;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return (ERR_CRYPTO);
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return (ok ? 0 : ERR_CRYPTO);
}

/* A random positive 64-bit serial number (RFC 5280 4.1.2.2 allows 20). */
static int
certgen_serial(X509 *x)
{
	BIGNUM	*bn;
	int	 ok;

	if ((bn = BN_new()) == NULL)
		return (ERR_NOMEM);
	ok = BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return (ok ? 0 : ERR_CRYPTO);
}

static int
certgen_fill(X509 *x, const struct pkey *k, const struct certgen_params *p,
    char *why, size_t whysize)
{
	X509_NAME	*dn = NULL;
	GENERAL_NAMES	*alts = NULL;
	int		 rc;

	if ((rc = certsel_dn_parse(p->cg_dn, &dn, why, whysize)) != 0)
		return (ERR_INVAL);
	if ((rc = certgen_altnames(p, &alts, why, whysize)) != 0)
		goto out;
	rc = ERR_CRYPTO;
	if (!X509_set_version(x, 2) || certgen_serial(x) != 0 ||
	    !X509_set_subject_name(x, dn) || !X509_set_issuer_name(x, dn) ||
	    !X509_set_pubkey(x, k->pk_evp) ||
	    ASN1_TIME_set(X509_getm_notBefore(x),
	    (time_t)p->cg_not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x),
	    (time_t)p->cg_not_after) == NULL)
		goto fail;
	if (alts != NULL &&
	    !X509_add1_ext_i2d(x, NID_subject_alt_name, alts, 0, 0))
		goto fail;
	if (certgen_add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE")
	    != 0 ||
	    certgen_add_ext(x, x, NID_subject_key_identifier, "hash") != 0 ||
	    certgen_add_ext(x, x, NID_key_usage,
	    "digitalSignature,nonRepudiation,keyCertSign,cRLSign") != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	x509_why_openssl(why, whysize, "building the certificate");
out:
	GENERAL_NAMES_free(alts);
	X509_NAME_free(dn);
	return (rc);
}

static int
certgen_check(const struct pkey *k, const struct certgen_params *p,
    char *why, size_t whysize)
{
	if (!pkey_has_private(k)) {
		x509_why(why, whysize, "signing needs a private key");
		return (ERR_INVAL);
	}
	if (p->cg_not_after <= p->cg_not_before) {
		x509_why(why, whysize, "the end of the validity period is not "
		    "after its start");
		return (ERR_INVAL);
	}
	return (0);
}

int
certgen_self_signed(const struct pkey *k, const struct certgen_params *p,
    struct cert **out, char *why, size_t whysize)
{
	EVP_MD		*md;
	X509		*x;
	int		 rc;

	*out = NULL;
	if ((rc = certgen_check(k, p, why, whysize)) != 0)
		return (rc);
	if ((x = X509_new()) == NULL)
		return (ERR_NOMEM);
	if ((rc = certgen_fill(x, k, p, why, whysize)) != 0) {
		X509_free(x);
		return (rc);
	}
	md = EVP_MD_fetch(NULL, certgen_md_name(p->cg_digest), NULL);
	if (md == NULL || X509_sign(x, k->pk_evp, md) <= 0) {
		x509_why_openssl(why, whysize, "signing the certificate");
		EVP_MD_free(md);
		X509_free(x);
		return (ERR_CRYPTO);
	}
	EVP_MD_free(md);
	if ((*out = cert_wrap(x)) == NULL)
		return (ERR_NOMEM);
	return (0);
}

static int
certgen_req_fill(X509_REQ *req, const struct pkey *k,
    const struct certgen_params *p, char *why, size_t whysize)
{
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	X509_EXTENSION			*ext;
	GENERAL_NAMES			*alts = NULL;
	X509_NAME			*dn = NULL;
	int				 rc;

	if (certsel_dn_parse(p->cg_dn, &dn, why, whysize) != 0)
		return (ERR_INVAL);
	if ((rc = certgen_altnames(p, &alts, why, whysize)) != 0)
		goto out;
	rc = ERR_CRYPTO;
	if (!X509_REQ_set_version(req, 0) ||
	    !X509_REQ_set_subject_name(req, dn) ||
	    !X509_REQ_set_pubkey(req, k->pk_evp))
		goto out;
	if (alts != NULL) {
		if ((exts = sk_X509_EXTENSION_new_null()) == NULL ||
		    (ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, alts)) ==
		    NULL)
			goto out;
		if (!sk_X509_EXTENSION_push(exts, ext)) {
			X509_EXTENSION_free(ext);
			goto out;
		}
		if (!X509_REQ_add_extensions(req, exts))
			goto out;
	}
	rc = 0;
out:
	if (rc == ERR_CRYPTO)
		x509_why_openssl(why, whysize, "building the request");
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(alts);
	X509_NAME_free(dn);
	return (rc);
}

static int
certgen_req_encode(X509_REQ *req, enum x509_format fmt, struct wbuf *out)
{
	unsigned char	*der = NULL;
	BIO		*bio;
	int		 len, rc;

	if (fmt == X509_FORMAT_DER) {
		if ((len = i2d_X509_REQ(req, &der)) <= 0)
			return (ERR_CRYPTO);
		rc = wbuf_put(out, der, (size_t)len);
		OPENSSL_free(der);
		return (rc);
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return (ERR_NOMEM);
	rc = PEM_write_bio_X509_REQ(bio, req) == 1 ?
	    x509_bio_to_wbuf(bio, out) : ERR_CRYPTO;
	BIO_free(bio);
	return (rc);
}

int
certgen_request(const struct pkey *k, const struct certgen_params *p,
    enum x509_format fmt, struct wbuf *out, char *why, size_t whysize)
{
	X509_REQ	*req;
	EVP_MD		*md = NULL;
	int		 rc;

	if (!pkey_has_private(k)) {
		x509_why(why, whysize, "signing needs a private key");
		return (ERR_INVAL);
	}
	if ((req = X509_REQ_new()) == NULL)
		return (ERR_NOMEM);
	if ((rc = certgen_req_fill(req, k, p, why, whysize)) != 0)
		goto out;
	md = EVP_MD_fetch(NULL, certgen_md_name(p->cg_digest), NULL);
	if (md == NULL || X509_REQ_sign(req, k->pk_evp, md) <= 0) {
		x509_why_openssl(why, whysize, "signing the request");
		rc = ERR_CRYPTO;
		goto out;
	}
	rc = certgen_req_encode(req, fmt, out);
out:
	EVP_MD_free(md);
	X509_REQ_free(req);
	return (rc);
}
