/*
 * Certificate revocation lists of the crls store.
 */
#ifndef IKED_X509_CRL_H
#define IKED_X509_CRL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/x509/pkey.h"
#include "lib/wbuf.h"

struct crl;

/* Parse one CRL in PEM or DER. */
int	 crl_parse(struct crl **, const uint8_t *, size_t,
	    char *why, size_t whysize);
struct crl	*crl_ref(struct crl *);
void	 crl_free(struct crl *);
int	 crl_encode(const struct crl *, enum x509_format, struct wbuf *out);
int	 crl_issuer_text(const struct crl *, char *, size_t);
/* Returns 1 when both are the same CRL (same DER). */
int	 crl_equal(const struct crl *, const struct crl *);
/* thisUpdate and nextUpdate (0 when absent), seconds since the epoch. */
int	 crl_dates(const struct crl *, int64_t *this_update,
	    int64_t *next_update);
size_t	 crl_revoked_count(const struct crl *);

#endif /* IKED_X509_CRL_H */
