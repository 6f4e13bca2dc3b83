/*
 * Certificate selectors: the cert-sel strings of ike.config (cert_root,
 * cert_trust, local_id, remote_id) and the certspec arguments of ikecert.
 *
 *   C=US, O=Example\, Inc., CN=gw   a subject DN (also "SUBJECT=<DN>")
 *   ISSUER=<DN>                     the issuer DN
 *   SLOT=n, or a bare number        the store slot (file name) n
 *   IP=, DNS=, EMAIL=, URI=,        a subjectAltName entry of that type
 *   DN=, RID=
 *   gw@example.com, 192.0.2.1,      a bare e-mail address, IP address or
 *   gw.example.com                  host name: a subjectAltName entry
 *   ""                              any certificate
 *   !<selector>                     excludes what the selector matches
 *
 * DNs are compared as X.509 Names, not as strings.  Attribute names are
 * case-insensitive, and values are compared in the canonical form of
 * RFC 5280 7.1 (case and inner whitespace folded).  A DN written in the
 * reverse (RFC 4514) order matches too.
 */
#ifndef IKED_X509_CERTSEL_H
#define IKED_X509_CERTSEL_H

#include <stddef.h>

#include "crypto/x509/cert.h"
#include "crypto/x509/crl.h"

struct certsel;
struct certsel_list;

/*
 * Parse one selector; a leading "!" makes it an exclusion.  Returns 0,
 * or ERR_MALFORMED with the reason in why.
 */
int	 certsel_parse(struct certsel **, const char *text,
	    char *why, size_t whysize);
void	 certsel_free(struct certsel *);
int	 certsel_is_exclude(const struct certsel *);

/*
 * Returns 1 when the certificate matches the selector, ignoring its "!"
 * (the caller applies exclusion), else 0.  slot is the store slot (file
 * name) of the certificate, or NULL when it has none.
 */
int	 certsel_match(const struct certsel *, const struct cert *,
	    const char *slot);

/*
 * Returns 1 when a CRL matches the selector: a DN, SUBJECT= or ISSUER=
 * selector is compared with the CRL's issuer, SLOT= with its slot.
 */
int	 certsel_match_crl(const struct certsel *, const struct crl *,
	    const char *slot);

/* Parse n selectors, each possibly starting with "!". */
int	 certsel_list_parse(struct certsel_list **, const char *const *texts,
	    size_t n, char *why, size_t whysize);
void	 certsel_list_free(struct certsel_list *);
size_t	 certsel_list_count(const struct certsel_list *);

/*
 * Returns 1 when the certificate matches the list: no exclusion matches,
 * and some inclusion matches (or the list has no inclusions).  An empty
 * list matches nothing.
 */
int	 certsel_list_match(const struct certsel_list *, const struct cert *,
	    const char *slot);

/*
 * Parse a DN string into DER (an X.509 Name).  Used for -D in ikecert
 * and for DN comparisons.  Returns 0 or ERR_MALFORMED with the reason.
 */
int	 certsel_dn_to_der(const char *text, struct wbuf *out,
	    char *why, size_t whysize);

#endif /* IKED_X509_CERTSEL_H */
