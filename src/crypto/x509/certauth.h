/*
 * Signature authentication of IKEv1 Main Mode (RFC 2409 5.1) in one
 * place: choosing the local certificate and key, and checking everything
 * a peer presents (CERT payloads, ID payload, SIG payload) against the
 * certificate store and the rule's remote_id selectors.
 */
#ifndef IKED_X509_CERTAUTH_H
#define IKED_X509_CERTAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/x509/cert.h"
#include "crypto/x509/certsel.h"
#include "crypto/x509/certstore.h"
#include "crypto/x509/sig.h"

/* The payloads of a peer's last Main Mode message. */
struct certauth_peer {
	/*
	 * Bodies of the CERT payloads with encoding 4 (X.509 signature),
	 * the peer's own certificate first, then any CA certificates.
	 * There may be none when the peer's certificate is in the store.
	 */
	const uint8_t *const	*cp_certs;
	const size_t		*cp_certlens;
	size_t			 cp_ncerts;
	enum cert_idtype	 cp_idtype;	/* ID payload */
	const uint8_t		*cp_id;
	size_t			 cp_idlen;
	enum sig_method		 cp_method;	/* negotiated auth method */
	const uint8_t		*cp_hash;	/* HASH_I or HASH_R */
	size_t			 cp_hashlen;
	const uint8_t		*cp_sig;	/* SIG payload body */
	size_t			 cp_siglen;
};

/*
 * Find the local certificate: the first store entry that matches the
 * local_id selectors and has a private key that signs with method.
 * Returns 0 or ERR_NOTFOUND with the reason in why.
 */
int	 certauth_find_local(const struct certstore *,
	    const struct certsel_list *local_id, enum sig_method,
	    struct certstore_entry *e, char *why, size_t whysize);

/*
 * Authenticate a peer.  The peer's certificate is the first CERT
 * payload or, without one, the store certificate that its identity
 * names.  It must be trusted (certstore_verify() at now), match the
 * remote_id selectors, be named by the ID payload (cert_match_id()), and
 * its key must verify the signature of the hash.  The certificates of an
 * authenticated peer are added to the certificate cache.  On success
 * *peer holds a reference to the peer's certificate (NULL may be
 * passed).  Returns 0, ERR_MALFORMED for an unparsable CERT payload, or
 * ERR_AUTH, each with the reason in why.
 */
int	 certauth_verify_peer(struct certstore *,
	    const struct certsel_list *remote_id,
	    const struct certauth_peer *, int64_t now, struct cert **peer,
	    char *why, size_t whysize);

/*
 * The check that failed, so that the caller can reply with the Notify of
 * RFC 2408 3.14.1 that fits it.
 */
enum certauth_fail {
	CERTAUTH_OK = 0,
	CERTAUTH_BAD_CERT,	/* a CERT payload does not parse */
	CERTAUTH_NO_CERT,	/* no certificate sent, none in the store */
	CERTAUTH_UNTRUSTED,	/* chain, validity or revocation */
	CERTAUTH_REMOTE_ID,	/* no remote_id selector matches */
	CERTAUTH_ID,		/* the ID payload does not name it */
	CERTAUTH_SIGNATURE,	/* the signature does not verify */
};

/* certauth_verify_peer(), telling in *fail which check failed. */
int	 certauth_verify_peer_fail(struct certstore *,
	    const struct certsel_list *remote_id,
	    const struct certauth_peer *, int64_t now, struct cert **peer,
	    enum certauth_fail *fail, char *why, size_t whysize);

#endif /* IKED_X509_CERTAUTH_H */
