/*
 * Certificate revocation lists of the crls store and of ikecert certrldb.
 */
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/x509/x509_int.h"
#include "lib/err.h"

int
crl_parse(struct crl **out, const uint8_t *data, size_t len, char *why,
    size_t whysize)
{
	const unsigned char	*p = data;
	X509_CRL		*x;
	BIO			*bio;

	*out = NULL;
	if (len == 0 || len > X509_MAX_INPUT) {
		x509_why(why, whysize, "CRL of %zu bytes: expected 1 to %d",
		    len, X509_MAX_INPUT);
		return (ERR_MALFORMED);
	}
	if (x509_is_pem(data, len)) {
		if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL)
			return (ERR_NOMEM);
		x = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		x = d2i_X509_CRL(NULL, &p, (long)len);
		if (x != NULL && p != data + len) {
			X509_CRL_free(x);
			x509_why(why, whysize, "%zu bytes after the DER CRL",
			    (size_t)(data + len - p));
			return (ERR_MALFORMED);
		}
	}
	if (x == NULL) {
		x509_why_openssl(why, whysize, "parsing the CRL");
		return (ERR_MALFORMED);
	}
	if ((*out = calloc(1, sizeof(**out))) == NULL) {
		X509_CRL_free(x);
		return (ERR_NOMEM);
	}
	(*out)->cr_x509 = x;
	(*out)->cr_refs = 1;
	return (0);
}

struct crl *
crl_ref(struct crl *c)
{
	c->cr_refs++;
	return (c);
}

void
crl_free(struct crl *c)
{
	if (c == NULL || --c->cr_refs > 0)
		return;
	X509_CRL_free(c->cr_x509);
	free(c);
}

int
crl_encode(const struct crl *c, enum x509_format fmt, struct wbuf *out)
{
	unsigned char	*der = NULL;
	BIO		*bio;
	int		 len, rc;

	if (fmt == X509_FORMAT_DER) {
		if ((len = i2d_X509_CRL(c->cr_x509, &der)) <= 0)
			return (ERR_CRYPTO);
		rc = wbuf_put(out, der, (size_t)len);
		OPENSSL_free(der);
		return (rc);
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return (ERR_NOMEM);
	rc = PEM_write_bio_X509_CRL(bio, c->cr_x509) == 1 ?
	    x509_bio_to_wbuf(bio, out) : ERR_CRYPTO;
	BIO_free(bio);
	return (rc);
}

int
crl_issuer_text(const struct crl *c, char *out, size_t outsize)
{
	return (x509_name_text(X509_CRL_get_issuer(c->cr_x509), out,
	    outsize));
}

int
crl_equal(const struct crl *a, const struct crl *b)
{
	return (X509_CRL_match(a->cr_x509, b->cr_x509) == 0);
}

int
crl_dates(const struct crl *c, int64_t *this_update, int64_t *next_update)
{
	const ASN1_TIME	*next;
	int		 rc;

	if ((rc = x509_time_epoch(X509_CRL_get0_lastUpdate(c->cr_x509),
	    this_update)) != 0)
		return (rc);
	*next_update = 0;
	if ((next = X509_CRL_get0_nextUpdate(c->cr_x509)) != NULL)
		return (x509_time_epoch(next, next_update));
	return (0);
}

size_t
crl_revoked_count(const struct crl *c)
{
	STACK_OF(X509_REVOKED)	*revs = X509_CRL_get_REVOKED(c->cr_x509);

	return (revs == NULL ? 0 : (size_t)sk_X509_REVOKED_num(revs));
}
