/*
 * Creation of self-signed certificates and PKCS#10 certificate requests,
 * for ikecert certlocal -ks and -kc.
 */
#ifndef IKED_X509_CERTGEN_H
#define IKED_X509_CERTGEN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/x509/cert.h"
#include "crypto/x509/pkey.h"
#include "lib/wbuf.h"

/* Signature digest of the new certificate or request. */
enum certgen_digest {
	CERTGEN_SHA1,
	CERTGEN_MD5,
	CERTGEN_SHA256,
	CERTGEN_SHA384,
	CERTGEN_SHA512,
};

struct certgen_params {
	const char		*cg_dn;		/* subject, certsel DN syntax */
	const char *const	*cg_altnames;	/* "IP=...", "DNS=..." ... */
	size_t			 cg_naltnames;
	int64_t			 cg_not_before;	/* seconds since the epoch */
	int64_t			 cg_not_after;
	enum certgen_digest	 cg_digest;
};

/*
 * Parse the subject DN and the subjectAltNames of p without making anything,
 * so that a mistake shows before a key is generated.  Returns 0, or
 * ERR_INVAL with the reason in why.
 */
int	 certgen_params_check(const struct certgen_params *, char *why,
	    size_t whysize);

/* Make a self-signed certificate for key (a private key). */
int	 certgen_self_signed(const struct pkey *,
	    const struct certgen_params *, struct cert **,
	    char *why, size_t whysize);

/* Make a PKCS#10 request for key and append it to out. */
int	 certgen_request(const struct pkey *, const struct certgen_params *,
	    enum x509_format, struct wbuf *out, char *why, size_t whysize);

#endif /* IKED_X509_CERTGEN_H */
