/*
 * X.509 certificates: parsing, names, subjectAltName and the check that
 * a peer's IKE identity matches the certificate that signed.  A struct
 * cert is reference counted and immutable once parsed.
 */
#ifndef IKED_X509_CERT_H
#define IKED_X509_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/x509/pkey.h"
#include "lib/wbuf.h"

struct cert;

/* Identification types of the IKEv1 ID payload (RFC 2407 4.6.2.1). */
enum cert_idtype {
	CERT_ID_IPV4_ADDR = 1,
	CERT_ID_FQDN = 2,
	CERT_ID_USER_FQDN = 3,
	CERT_ID_IPV6_ADDR = 5,
	CERT_ID_DER_ASN1_DN = 9,
};

/* subjectAltName entry types, as named in certificate selectors. */
enum cert_alt {
	CERT_ALT_IP,
	CERT_ALT_DNS,
	CERT_ALT_EMAIL,
	CERT_ALT_URI,
	CERT_ALT_DN,
	CERT_ALT_RID,
};

/*
 * Parse one certificate in exact DER, as carried in a CERT payload
 * (encoding 4, RFC 2408 3.9).  Trailing bytes are rejected.
 */
int	 cert_parse_der(struct cert **, const uint8_t *, size_t,
	    char *why, size_t whysize);

/* Parse one certificate in PEM or DER (files and ikecert input). */
int	 cert_parse(struct cert **, const uint8_t *, size_t,
	    char *why, size_t whysize);

struct cert	*cert_ref(struct cert *);
void	 cert_free(struct cert *);

/* Append the certificate in the given encoding to out. */
int	 cert_encode(const struct cert *, enum x509_format, struct wbuf *out);

/* Returns 1 when both are the same certificate (same DER). */
int	 cert_equal(const struct cert *, const struct cert *);

/* The public key; valid as long as the certificate. */
const struct pkey	*cert_public_key(const struct cert *);

/*
 * Append the DER encoding of the subject Name to out: the body of an
 * ID_DER_ASN1_DN identity (RFC 2407 4.6.2.1).
 */
int	 cert_subject_der(const struct cert *, struct wbuf *out);

/*
 * Append the DER encoding of the issuer Name to out: what a peer's
 * Certificate Request payload names (RFC 2408 3.10).
 */
int	 cert_issuer_der(const struct cert *, struct wbuf *out);

/*
 * Write a DER Name (an ID_DER_ASN1_DN identity or a Certificate Request
 * authority) as text, like cert_subject_text().  The DER must be exact.
 * Returns 0, ERR_MALFORMED or ERR_TOOBIG.
 */
int	 cert_dn_der_text(const uint8_t *der, size_t len, char *, size_t);

/*
 * Write the subject or issuer as text, most significant RDN first, for
 * example "C=US, O=Example\, Inc., CN=gw".  A comma inside a value is
 * escaped with a backslash.  Returns ERR_TOOBIG when it does not fit.
 */
int	 cert_subject_text(const struct cert *, char *, size_t);
int	 cert_issuer_text(const struct cert *, char *, size_t);

/* Write the serial number as hex digits. */
int	 cert_serial_text(const struct cert *, char *, size_t);

/* notBefore and notAfter in seconds since the epoch (UTC). */
int	 cert_validity(const struct cert *, int64_t *not_before,
	    int64_t *not_after);

/* Returns 1 when subject and issuer are equal and the key signs itself. */
int	 cert_is_self_signed(const struct cert *);

/*
 * Write the index'th subjectAltName entry of the given type as text (an
 * address for CERT_ALT_IP, a DN for CERT_ALT_DN, a dotted OID for
 * CERT_ALT_RID).  Returns 0, ERR_NOTFOUND after the last one, or
 * ERR_TOOBIG.
 */
int	 cert_altname(const struct cert *, enum cert_alt, size_t index,
	    char *, size_t);

/*
 * Check that an IKEv1 identity names this certificate.  The identity is
 * the ID payload's type and data, after the protocol and port fields.
 * ID_DER_ASN1_DN must equal the subject (compared as a Name), and the
 * address, FQDN and user-FQDN types a subjectAltName entry.  Returns
 * 0, ERR_AUTH with the reason in why, or ERR_UNSUPPORTED for other
 * identity types.
 */
int	 cert_match_id(const struct cert *, enum cert_idtype,
	    const uint8_t *id, size_t idlen, char *why, size_t whysize);

#endif /* IKED_X509_CERT_H */
