/*
 * Internal to src/crypto/x509: the OpenSSL objects behind the opaque
 * types of the public headers, and helpers the files share.
 */
#ifndef IKED_X509_INT_H
#define IKED_X509_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/types.h>
#include <openssl/x509.h>

/*
 * OpenSSL's types.h declares a type named ERR_STATE, and lib/err.h uses
 * the same name for an error code: seen here as ERR_STATE_CODE.
 */
#define ERR_STATE	ERR_STATE_CODE
#include "lib/err.h"
#undef ERR_STATE

#include "crypto/x509/cert.h"
#include "crypto/x509/crl.h"
#include "crypto/x509/pkey.h"

/* Largest certificate, key or CRL file or payload this module reads. */
#define X509_MAX_INPUT	(256 * 1024)

struct pkey {
	EVP_PKEY	*pk_evp;
	int		 pk_refs;
};

struct cert {
	X509		*c_x509;
	struct pkey	*c_key;
	int		 c_refs;
};

struct crl {
	X509_CRL	*cr_x509;
	int		 cr_refs;
};

/* Wrap an EVP_PKEY, taking over the caller's reference. */
struct pkey	*pkey_wrap(EVP_PKEY *);
/* Wrap an X509, taking over the caller's reference. */
struct cert	*cert_wrap(X509 *);

void	 x509_why(char *why, size_t whysize, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 x509_why_openssl(char *why, size_t whysize, const char *what);
int	 x509_name_text(const X509_NAME *, char *, size_t);
int	 x509_name_equal(const X509_NAME *, const X509_NAME *);
int	 x509_time_epoch(const ASN1_TIME *, int64_t *);
void	 x509_time_text(int64_t, char *, size_t);
int	 x509_is_pem(const uint8_t *, size_t);
int	 x509_bio_to_wbuf(BIO *, struct wbuf *);

/* Chain and validity checks (trust.c). */
int	 trust_verify(X509 *, STACK_OF(X509) *anchors,
	    STACK_OF(X509) *untrusted, STACK_OF(X509_CRL) *crls,
	    int check_crls, int64_t now, char *why, size_t whysize);
int	 trust_check_validity(X509 *, int64_t now, char *why,
	    size_t whysize);

/* Parse a DN string into a new X509_NAME (certsel.c). */
int	 certsel_dn_parse(const char *, X509_NAME **, char *why,
	    size_t whysize);

#endif /* IKED_X509_INT_H */
