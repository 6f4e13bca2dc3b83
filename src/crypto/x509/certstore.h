/*
 * The certificate store of in.iked: the certificates of
 * ROOT/etc/inet/ike/publickeys, the private keys of
 * ROOT/etc/inet/secret/ike.privatekeys (each linked to the certificate
 * with the same file name) and the CRLs of ROOT/etc/inet/ike/crls, with
 * the trust settings cert_root, cert_trust and ignore_crls.
 *
 * Every entry has a cache id (shown by "ikeadm dump certcache") and a
 * slot, the name of its file.  A file that cannot be used (unparsable,
 * a key readable by group or others, a key with no certificate) is
 * skipped, and its message is logged and kept in the store's error list.
 */
#ifndef IKED_X509_CERTSTORE_H
#define IKED_X509_CERTSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/x509/cert.h"
#include "crypto/x509/certsel.h"
#include "crypto/x509/crl.h"
#include "crypto/x509/pkey.h"
#include "lib/wbuf.h"

struct certstore;

/* Origin of an entry, shown by "dump certcache". */
enum certstore_origin {
	CERTSTORE_PUBLIC_ONLY,		/* publickeys file, no private key */
	CERTSTORE_PRIVATE_KEY,		/* publickeys file with its key */
	CERTSTORE_FROM_PAYLOAD,		/* received in a CERT payload */
};

struct certstore_entry {
	unsigned int		 ce_id;		/* cache id, from 1 */
	const char		*ce_slot;	/* file name; NULL if received */
	const struct cert	*ce_cert;
	const struct pkey	*ce_key;	/* NULL without a private key */
	int			 ce_trusted;	/* named by cert_root/trust */
	enum certstore_origin	 ce_origin;
};

/* The trust settings of ike.config. */
struct certstore_trust {
	const char *const	*ct_roots;	/* cert_root selectors */
	size_t			 ct_nroots;
	const char *const	*ct_trusted;	/* cert_trust selectors */
	size_t			 ct_ntrusted;
	int			 ct_ignore_crls;
};

/*
 * Read the three stores under root (NULL or "/" for the real root).
 * Missing directories are empty stores.  Returns 0, ERR_NOMEM, or
 * ERR_SYSTEM when a directory exists but cannot be read.
 */
int	 certstore_load(struct certstore **, const char *root);
void	 certstore_free(struct certstore *);

/*
 * Read the stores again (SIGHUP, "ikeadm flush certcache") and apply the
 * trust settings again.  Received certificates are dropped and ids
 * restart from 1.  On failure the old contents stay.
 */
int	 certstore_reload(struct certstore *, char *why, size_t whysize);

/* Messages about skipped files of the last load. */
size_t	 certstore_nerrors(const struct certstore *);
const char	*certstore_error(const struct certstore *, size_t);

/*
 * Apply cert_root, cert_trust and ignore_crls.  Every selector must
 * match a certificate of the store: a root CA (cert_root) or a trusted
 * certificate (cert_trust).  Returns 0 or ERR_CONFIG with the reason.
 * The selectors are copied.
 */
int	 certstore_set_trust(struct certstore *,
	    const struct certstore_trust *, char *why, size_t whysize);

size_t	 certstore_count(const struct certstore *);
size_t	 certstore_crl_count(const struct certstore *);
/* Fill e with the index'th entry (0-based); ERR_NOTFOUND past the end. */
int	 certstore_entry(const struct certstore *, size_t index,
	    struct certstore_entry *e);
/* The CRL at index, and its slot; NULL past the end. */
const struct crl	*certstore_crl(const struct certstore *, size_t index,
	    const char **slot);

/*
 * Find the first entry whose certificate matches the selector list
 * (certsel_list_match) and, when need_key is set, has a private key:
 * the local certificate for local_id.  Returns 0 or ERR_NOTFOUND.
 */
int	 certstore_find(const struct certstore *,
	    const struct certsel_list *, int need_key,
	    struct certstore_entry *e);

/*
 * Add a certificate received in a CERT payload to the cache (shown by
 * "dump certcache" as obtained via certificate payload).  A certificate
 * already present is not added twice.  Takes a reference.
 */
int	 certstore_add_received(struct certstore *, struct cert *);

/*
 * Verify a peer certificate at time now (seconds since the epoch; 0 for
 * the current time).  chain contains the other certificates the peer sent
 * (intermediate CAs), and the certificates of the store serve as
 * intermediates as well.
 *
 * A certificate that cert_root or cert_trust names is accepted when it
 * is within its validity period.  Any other certificate must chain to
 * such a certificate, and every certificate on the chain must be valid
 * at now.  Unless ignore_crls is set, none may be revoked, and the crls
 * store must contain the CRL of every issuer on the chain.  Nothing is
 * fetched over the network.  Returns 0, or ERR_AUTH with the reason in
 * why ("expired on ...", "revoked by the CRL of ...", "unknown issuer
 * ...").
 */
int	 certstore_verify(const struct certstore *, const struct cert *peer,
	    struct cert *const *chain, size_t nchain, int64_t now,
	    char *why, size_t whysize);

/*
 * Append the "dump certcache" text of every entry to out.  The closing
 * "Completed dump of certcache" line is left to ikeadm.
 */
int	 certstore_dump(const struct certstore *, struct wbuf *out);

#endif /* IKED_X509_CERTSTORE_H */
