/*
 * Signature authentication of IKEv1 Main Mode: the local certificate,
 * and the checks of a peer's certificate, identity and signature.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/x509/certauth.h"
#include "crypto/x509/x509_int.h"

/* Upper bound on CERT payloads taken from one message. */
#define CERTAUTH_MAX_CERTS	8

int
certauth_find_local(const struct certstore *cs,
    const struct certsel_list *local_id, enum sig_method method,
    struct certstore_entry *e, char *why, size_t whysize)
{
	enum sig_method	m;
	size_t		i;
	int		matched = 0;

	for (i = 0; certstore_entry(cs, i, e) == 0; i++) {
		if (e->ce_key == NULL ||
		    !certsel_list_match(local_id, e->ce_cert, e->ce_slot))
			continue;
		matched++;
		if (sig_method_for_key(e->ce_key, &m) == 0 && m == method)
			return (0);
	}
	if (matched == 0)
		x509_why(why, whysize, "no certificate with a private key "
		    "matches local_id; create one with ikecert certlocal -ks "
		    "or check the selector");
	else
		x509_why(why, whysize, "%d certificate(s) with a private key "
		    "match local_id, but none has a key for %s signatures",
		    matched, sig_method_name(method));
	return (ERR_NOTFOUND);
}

/* Parse the CERT payloads: the peer's certificate, then the others. */
static int
certauth_parse(const struct certauth_peer *p, struct cert **certs,
    size_t *n, char *why, size_t whysize)
{
	char	detail[X509_WHY_SIZE];
	size_t	i;
	int	rc;

	*n = 0;
	if (p->cp_ncerts > CERTAUTH_MAX_CERTS) {
		x509_why(why, whysize, "%zu CERT payloads: at most %d are "
		    "accepted", p->cp_ncerts, CERTAUTH_MAX_CERTS);
		return (ERR_MALFORMED);
	}
	for (i = 0; i < p->cp_ncerts; i++) {
		rc = cert_parse_der(&certs[i], p->cp_certs[i],
		    p->cp_certlens[i], detail, sizeof(detail));
		if (rc != 0) {
			x509_why(why, whysize, "CERT payload %zu: %s", i + 1,
			    detail);
			return (ERR_MALFORMED);
		}
		(*n)++;
	}
	return (0);
}

/* Without a CERT payload: the store certificate the identity names. */
static struct cert *
certauth_from_store(const struct certstore *cs, const struct certauth_peer *p)
{
	struct certstore_entry	e;
	size_t			i;

	for (i = 0; certstore_entry(cs, i, &e) == 0; i++)
		if (cert_match_id(e.ce_cert, p->cp_idtype, p->cp_id,
		    p->cp_idlen, NULL, 0) == 0)
			return (cert_ref((struct cert *)e.ce_cert));
	return (NULL);
}

static int
certauth_check(struct certstore *cs, const struct certsel_list *remote_id,
    const struct certauth_peer *p, struct cert *peer, struct cert **chain,
    size_t nchain, int64_t now, enum certauth_fail *fail, char *why,
    size_t whysize)
{
	char	detail[X509_WHY_SIZE], subject[512];
	int	rc;

	if (cert_subject_text(peer, subject, sizeof(subject)) != 0)
		strcpy(subject, "(name too long)");
	*fail = CERTAUTH_UNTRUSTED;
	if (certstore_verify(cs, peer, chain, nchain, now, why, whysize) != 0)
		return (ERR_AUTH);
	*fail = CERTAUTH_REMOTE_ID;
	if (!certsel_list_match(remote_id, peer, NULL)) {
		x509_why(why, whysize, "certificate \"%s\" does not match the "
		    "rule's remote_id", subject);
		return (ERR_AUTH);
	}
	*fail = CERTAUTH_ID;
	rc = cert_match_id(peer, p->cp_idtype, p->cp_id, p->cp_idlen, detail,
	    sizeof(detail));
	if (rc != 0) {
		x509_why(why, whysize, "ID payload does not name certificate "
		    "\"%s\": %s", subject, detail);
		return (ERR_AUTH);
	}
	*fail = CERTAUTH_SIGNATURE;
	if (sig_verify(cert_public_key(peer), p->cp_method, p->cp_hash,
	    p->cp_hashlen, p->cp_sig, p->cp_siglen, detail,
	    sizeof(detail)) != 0) {
		x509_why(why, whysize, "certificate \"%s\": %s", subject,
		    detail);
		return (ERR_AUTH);
	}
	*fail = CERTAUTH_OK;
	return (0);
}

int
certauth_verify_peer(struct certstore *cs,
    const struct certsel_list *remote_id, const struct certauth_peer *p,
    int64_t now, struct cert **peerp, char *why, size_t whysize)
{
	enum certauth_fail	fail;

	return (certauth_verify_peer_fail(cs, remote_id, p, now, peerp,
	    &fail, why, whysize));
}

int
certauth_verify_peer_fail(struct certstore *cs,
    const struct certsel_list *remote_id, const struct certauth_peer *p,
    int64_t now, struct cert **peerp, enum certauth_fail *fail, char *why,
    size_t whysize)
{
	struct cert	*certs[CERTAUTH_MAX_CERTS], *peer = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if (peerp != NULL)
		*peerp = NULL;
	*fail = CERTAUTH_BAD_CERT;
	if ((rc = certauth_parse(p, certs, &n, why, whysize)) != 0)
		goto out;
	if (n > 0)
		peer = cert_ref(certs[0]);
	else if ((peer = certauth_from_store(cs, p)) == NULL) {
		x509_why(why, whysize, "the peer sent no certificate and none "
		    "in the publickeys directory matches its identity");
		*fail = CERTAUTH_NO_CERT;
		rc = ERR_AUTH;
		goto out;
	}
	rc = certauth_check(cs, remote_id, p, peer, n > 1 ? certs + 1 : NULL,
	    n > 1 ? n - 1 : 0, now, fail, why, whysize);
	for (i = 0; rc == 0 && i < n; i++)
		(void)certstore_add_received(cs, certs[i]);
	if (rc == 0 && peerp != NULL)
		*peerp = cert_ref(peer);
out:
	for (i = 0; i < n; i++)
		cert_free(certs[i]);
	cert_free(peer);
	return (rc);
}
