/*
 * Signature authentication of Main Mode (RFC 2409 5.1, RFC 4754):
 *
 *   MM3 HDR, KE, Ni, CR...           ->
 *                                    <- MM4 HDR, KE, Nr, CR...
 *   MM5 HDR*, IDii, CERT, SIG_I      ->
 *                                    <- MM6 HDR*, IDir, CERT, SIG_R
 *
 * The CR payloads name the subjects of the certificates that cert_root
 * and cert_trust select, or are one empty CR when there are none.  We
 * send our certificate whether or not the peer requested it: a peer
 * that trusts it through its own store (a self-signed certificate) may
 * send no CR, and one that has it already ignores the payload.  The
 * CA certificates between ours and its root follow, when publickeys has
 * them, so that a peer that trusts only the root can build the chain.
 * The peer's certificate comes from its CERT payload, or from the
 * publickeys directory when it sends none.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/x509/certauth.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"

/* Bounds on what one message carries. */
#define IKE_CERT_MAX_CR		8
#define IKE_CERT_MAX_CERTS	8
#define IKE_CERT_MAX_CHAIN	4	/* intermediate CAs we send */

/*
 * The certificates that authenticated the peer of an ISAKMP SA, kept so
 * that a reload can check them against the certificates read again.
 */
struct ike_peer_certs {
	struct cert	*pc_peer;
	struct cert	*pc_chain[IKE_CERT_MAX_CERTS];	/* as the peer sent */
	size_t		 pc_nchain;
	int		 pc_from_store;	/* the peer sent none: publickeys */
};

static void	ike_cert_keep(struct ike_p1 *, struct cert *, const uint8_t **,
		    const size_t *, size_t);

int
ike_cert_is_sig(unsigned int auth)
{
	switch (auth) {
	case ISAKMP_AUTH_DSS_SIG:
	case ISAKMP_AUTH_RSA_SIG:
	case ISAKMP_AUTH_ECDSA_SHA256_P256:
	case ISAKMP_AUTH_ECDSA_SHA384_P384:
	case ISAKMP_AUTH_ECDSA_SHA512_P521:
		return (1);
	}
	return (0);
}

/* Whether the rule authenticates with certificates (all or none do). */
int
ike_cert_rule_is_sig(const struct config_rule *r)
{
	return (r->cr_nxforms > 0 &&
	    ike_cert_is_sig((unsigned int)r->cr_xforms[0].px_auth_method));
}

int
ike_cert_add_cr(struct ike_p1 *p1, struct isakmp_builder *b)
{
	static const uint8_t	 none[1];
	struct certstore	*cs = p1->p1_eng->e_certs;
	struct certstore_entry	 e;
	struct isakmp_cert	 c;
	struct wbuf		 dn;
	size_t			 i, n = 0;
	int			 rc = 0;

	if (!ike_cert_is_sig(p1->p1_auth))
		return (0);
	memset(&c, 0, sizeof(c));
	c.c_encoding = ISAKMP_CERT_X509_SIG;
	wbuf_init(&dn, 0);
	for (i = 0; cs != NULL && n < IKE_CERT_MAX_CR &&
	    certstore_entry(cs, i, &e) == 0; i++) {
		if (!e.ce_trusted || e.ce_origin == CERTSTORE_FROM_PAYLOAD)
			continue;
		wbuf_reset(&dn);
		if ((rc = cert_subject_der(e.ce_cert, &dn)) != 0)
			goto out;
		c.c_data = dn.wb_data;
		c.c_len = dn.wb_len;
		if ((rc = isakmp_build_cert(b, ISAKMP_PL_CR, &c)) != 0)
			goto out;
		n++;
	}
	if (n == 0) {
		/* RFC 2408 3.10: an empty authority requests any certificate. */
		c.c_data = none;
		c.c_len = 0;
		rc = isakmp_build_cert(b, ISAKMP_PL_CR, &c);
	}
out:
	wbuf_free(&dn);
	return (rc);
}

/*
 * The rule's local_id or remote_id selectors as a list; remote_id
 * exclusions get their "!" back.
 */
int
ike_cert_sels(const struct config_rule *r, int remote,
    struct certsel_list **out, char *why, size_t whysize)
{
	const char	**texts;
	char		**owned;
	size_t		  i, n, len;
	int		  rc = ERR_NOMEM;

	*out = NULL;
	n = remote ? r->cr_nremote_ids : (r->cr_local_id != NULL);
	if (n == 0) {
		snprintf(why, whysize, "the rule has no %s",
		    remote ? "remote_id" : "local_id");
		return (ERR_CONFIG);
	}
	texts = calloc(n, sizeof(*texts));
	owned = calloc(n, sizeof(*owned));
	if (texts == NULL || owned == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (!remote) {
			texts[i] = r->cr_local_id;
			continue;
		}
		len = strlen(r->cr_remote_ids[i].is_sel) + 2;
		if ((owned[i] = malloc(len)) == NULL)
			goto out;
		snprintf(owned[i], len, "%s%s",
		    r->cr_remote_ids[i].is_exclude ? "!" : "",
		    r->cr_remote_ids[i].is_sel);
		texts[i] = owned[i];
	}
	rc = certsel_list_parse(out, texts, n, why, whysize);
out:
	for (i = 0; owned != NULL && i < n; i++)
		free(owned[i]);
	free(owned);
	free(texts);
	return (rc);
}

int
ike_cert_local(struct ike_p1 *p1, struct certstore_entry *e)
{
	struct certsel_list	*sels = NULL;
	char			 why[X509_WHY_SIZE];
	int			 rc;

	if (p1->p1_eng->e_certs == NULL) {
		log_err("ISAKMP SA %s: rule \"%s\" uses certificates but no "
		    "certificate store is loaded", p1->p1_cookies,
		    p1->p1_label);
		return (ERR_CONFIG);
	}
	rc = ike_cert_sels(p1->p1_rule, 0, &sels, why, sizeof(why));
	if (rc == 0)
		rc = certauth_find_local(p1->p1_eng->e_certs, sels,
		    (enum sig_method)p1->p1_auth, e, why, sizeof(why));
	certsel_list_free(sels);
	if (rc != 0)
		log_err("ISAKMP SA %s: no local certificate for rule \"%s\" "
		    "(local_id \"%s\", %s signatures): %s", p1->p1_cookies,
		    p1->p1_label, p1->p1_rule->cr_local_id ?
		    p1->p1_rule->cr_local_id : "", sig_method_name(
		    (enum sig_method)p1->p1_auth), why);
	if (rc == 0 && ike_pke_key_conflict(p1, e->ce_cert))
		rc = ERR_CONFIG;
	return (rc);
}

/* Printable text of a name identity, for dumps and logs. */
static void
ike_cert_name_text(const uint8_t *p, size_t len, char *out, size_t outsize)
{
	size_t	i, n = 0;

	for (i = 0; i < len && n + 1 < outsize; i++)
		out[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[n] = '\0';
}

/* Text of an identity (type and data after the ID payload's ports). */
void
ike_cert_id_text(uint8_t type, const uint8_t *p, size_t len, char *out,
    size_t outsize)
{
	snprintf(out, outsize, "(unreadable)");
	switch (type) {
	case ISAKMP_ID_IPV4_ADDR:
		if (len == 4)
			(void)inet_ntop(AF_INET, p, out, outsize);
		break;
	case ISAKMP_ID_IPV6_ADDR:
		if (len == 16)
			(void)inet_ntop(AF_INET6, p, out, outsize);
		break;
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
		ike_cert_name_text(p, len, out, outsize);
		break;
	case ISAKMP_ID_DER_ASN1_DN:
		if (cert_dn_der_text(p, len, out, outsize) != 0)
			snprintf(out, outsize, "(unreadable DN)");
		break;
	}
}

/* The first subjectAltName address of our address family. */
static int
ike_cert_san_ip(struct ike_p1 *p1, const struct cert *c, int type,
    struct wbuf *id)
{
	char	text[INET6_ADDRSTRLEN + 8];
	uint8_t	addr[16];
	size_t	i;
	int	family;

	family = type == CONFIG_ID_IPV4_ADDR ? AF_INET :
	    type == CONFIG_ID_IPV6_ADDR ? AF_INET6 : p1->p1_local.ss_family;
	for (i = 0; cert_altname(c, CERT_ALT_IP, i, text, sizeof(text)) ==
	    0; i++) {
		if (inet_pton(family, text, addr) != 1)
			continue;
		wbuf_put_u8(id, family == AF_INET ? ISAKMP_ID_IPV4_ADDR :
		    ISAKMP_ID_IPV6_ADDR);
		wbuf_put_u8(id, 0);
		wbuf_put_u16(id, 0);
		return (wbuf_put(id, addr, family == AF_INET ? 4 : 16));
	}
	return (ERR_NOTFOUND);
}

/* The first subjectAltName of a name type: FQDN or user FQDN. */
static int
ike_cert_san_name(const struct cert *c, enum cert_alt alt, uint8_t idtype,
    struct wbuf *id)
{
	char	text[256];

	if (cert_altname(c, alt, 0, text, sizeof(text)) != 0)
		return (ERR_NOTFOUND);
	wbuf_put_u8(id, idtype);
	wbuf_put_u8(id, 0);
	wbuf_put_u16(id, 0);
	return (wbuf_put(id, text, strlen(text)));
}

int
ike_cert_id_body(struct ike_p1 *p1, const struct certstore_entry *e,
    struct wbuf *id)
{
	int	type = (int)p1->p1_rule->cr_local_id_type.val;
	int	rc;

	wbuf_reset(id);
	switch (type) {
	case CONFIG_ID_DER_ASN1_DN:
		wbuf_put_u8(id, ISAKMP_ID_DER_ASN1_DN);
		wbuf_put_u8(id, 0);
		wbuf_put_u16(id, 0);
		rc = cert_subject_der(e->ce_cert, id);
		break;
	case CONFIG_ID_IP:
	case CONFIG_ID_IPV4_ADDR:
	case CONFIG_ID_IPV6_ADDR:
		rc = ike_cert_san_ip(p1, e->ce_cert, type, id);
		break;
	case CONFIG_ID_FQDN:
		rc = ike_cert_san_name(e->ce_cert, CERT_ALT_DNS,
		    ISAKMP_ID_FQDN, id);
		break;
	case CONFIG_ID_USER_FQDN:
		rc = ike_cert_san_name(e->ce_cert, CERT_ALT_EMAIL,
		    ISAKMP_ID_USER_FQDN, id);
		break;
	default:
		log_err("ISAKMP SA %s: local_id_type %s of rule \"%s\" cannot "
		    "name a certificate: use dn, ip, fqdn or user_fqdn",
		    p1->p1_cookies, config_idtype_name(type), p1->p1_label);
		return (ERR_CONFIG);
	}
	if (rc == ERR_NOTFOUND)
		log_err("ISAKMP SA %s: our certificate (slot %s) has no "
		    "subjectAltName for local_id_type %s of rule \"%s\": add "
		    "one, or use local_id_type dn", p1->p1_cookies,
		    e->ce_slot ? e->ce_slot : "?", config_idtype_name(type),
		    p1->p1_label);
	if (rc == 0 && id->wb_len >= 4) {
		p1->p1_local_idtype = id->wb_data[0];
		ike_p1_set_id_text(&p1->p1_local_id, id->wb_data[0],
		    id->wb_data + 4, id->wb_len - 4);
	}
	return (rc);
}

/* The store certificate, not self-signed, whose subject is c's issuer. */
static const struct cert *
ike_cert_issuer(const struct certstore *cs, const struct cert *c)
{
	struct certstore_entry	 e;
	struct wbuf		 want, dn;
	const struct cert	*found = NULL;
	size_t			 i;

	wbuf_init(&want, 0);
	wbuf_init(&dn, 0);
	if (cert_issuer_der(c, &want) != 0)
		goto out;
	for (i = 0; certstore_entry(cs, i, &e) == 0; i++) {
		if (e.ce_origin == CERTSTORE_FROM_PAYLOAD ||
		    e.ce_cert == c || cert_is_self_signed(e.ce_cert))
			continue;
		wbuf_reset(&dn);
		if (cert_subject_der(e.ce_cert, &dn) == 0 &&
		    dn.wb_len == want.wb_len &&
		    memcmp(dn.wb_data, want.wb_data, dn.wb_len) == 0) {
			found = e.ce_cert;
			break;
		}
	}
out:
	wbuf_free(&want);
	wbuf_free(&dn);
	return (found);
}

/* A CERT payload (X.509 signature) with the DER of c. */
static int
ike_cert_add_cert(struct isakmp_builder *b, const struct cert *c)
{
	struct isakmp_cert	ic;
	struct wbuf		der;
	int			rc;

	wbuf_init(&der, 0);
	if ((rc = cert_encode(c, X509_FORMAT_DER, &der)) == 0) {
		memset(&ic, 0, sizeof(ic));
		ic.c_encoding = ISAKMP_CERT_X509_SIG;
		ic.c_data = der.wb_data;
		ic.c_len = der.wb_len;
		rc = isakmp_build_cert(b, ISAKMP_PL_CERT, &ic);
	}
	wbuf_free(&der);
	return (rc);
}

int
ike_cert_add_auth(struct ike_p1 *p1, const struct certstore_entry *e,
    struct isakmp_builder *b, const uint8_t *hash, size_t hashlen)
{
	const struct cert	*c = e->ce_cert;
	struct wbuf		 sig;
	char			 why[X509_WHY_SIZE];
	size_t			 depth;
	int			 rc;

	wbuf_init(&sig, 0);
	rc = sig_sign(e->ce_key, (enum sig_method)p1->p1_auth, hash, hashlen,
	    &sig, why, sizeof(why));
	if (rc != 0) {
		log_err("ISAKMP SA %s: signing with the key of slot %s "
		    "failed: %s", p1->p1_cookies, e->ce_slot ? e->ce_slot :
		    "?", why);
		goto out;
	}
	if ((rc = ike_cert_add_cert(b, c)) != 0)
		goto out;
	for (depth = 0; depth < IKE_CERT_MAX_CHAIN &&
	    (c = ike_cert_issuer(p1->p1_eng->e_certs, c)) != NULL; depth++)
		if ((rc = ike_cert_add_cert(b, c)) != 0)
			goto out;
	rc = isakmp_build_data(b, ISAKMP_PL_SIG, sig.wb_data, sig.wb_len);
out:
	wbuf_free(&sig);
	return (rc);
}

/* The Notify that answers a failed check (RFC 2408 3.14.1). */
static int
ike_cert_notify(enum certauth_fail fail)
{
	switch (fail) {
	case CERTAUTH_BAD_CERT:
	case CERTAUTH_UNTRUSTED:
		return (ISAKMP_N_INVALID_CERTIFICATE);
	case CERTAUTH_NO_CERT:
		return (ISAKMP_N_CERTIFICATE_UNAVAILABLE);
	case CERTAUTH_ID:
		return (ISAKMP_N_INVALID_ID_INFORMATION);
	case CERTAUTH_SIGNATURE:
		return (ISAKMP_N_INVALID_SIGNATURE);
	default:
		return (ISAKMP_N_AUTHENTICATION_FAILED);
	}
}

/* Collect the bodies of the X.509 CERT payloads. */
static int
ike_cert_collect(struct ike_p1 *p1, const struct isakmp_msg *msg,
    const uint8_t **certs, size_t *lens, size_t *n)
{
	const struct isakmp_payload	*pl;
	size_t				 i;

	*n = 0;
	for (i = 0; i < msg->m_npayloads; i++) {
		pl = &msg->m_payloads[i];
		if (pl->pl_type != ISAKMP_PL_CERT)
			continue;
		if (pl->pl_u.cert.c_encoding != ISAKMP_CERT_X509_SIG) {
			log_debug(D_CERT, "ISAKMP SA %s: CERT payload with "
			    "encoding %u from %s ignored", p1->p1_cookies,
			    pl->pl_u.cert.c_encoding, p1->p1_peer);
			continue;
		}
		if (*n == IKE_CERT_MAX_CERTS) {
			log_warn("ISAKMP SA %s: %s sent more than %d "
			    "certificates; rejected", p1->p1_cookies,
			    p1->p1_peer, IKE_CERT_MAX_CERTS);
			return (ERR_TOOBIG);
		}
		certs[*n] = pl->pl_u.cert.c_data;
		lens[*n] = pl->pl_u.cert.c_len;
		(*n)++;
	}
	return (0);
}

/* The peer's ID payload as an identity certauth can check. */
static int
ike_cert_peer_id(struct ike_p1 *p1, const struct isakmp_id *id,
    struct certauth_peer *cp)
{
	switch (id->id_type) {
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
	case ISAKMP_ID_IPV6_ADDR:
	case ISAKMP_ID_DER_ASN1_DN:
		cp->cp_idtype = (enum cert_idtype)id->id_type;
		cp->cp_id = id->id_data;
		cp->cp_idlen = id->id_len;
		return (0);
	}
	log_err("authentication failed for peer %s (cookies %s, rule \"%s\"): "
	    "its identity is of type %s, which no certificate names; it must "
	    "be a DN, an address, an FQDN or a user FQDN", p1->p1_peer,
	    p1->p1_cookies, p1->p1_label, isakmp_id_type_name(id->id_type));
	return (ERR_UNSUPPORTED);
}

int
ike_cert_verify(struct ike_p1 *p1, const struct isakmp_msg *msg,
    const uint8_t *hash, size_t hashlen)
{
	const struct isakmp_payload	*idp, *sigp;
	const uint8_t			*certs[IKE_CERT_MAX_CERTS];
	size_t				 lens[IKE_CERT_MAX_CERTS];
	struct certauth_peer		 cp;
	struct certsel_list		*rsel = NULL;
	struct cert			*peer = NULL;
	enum certauth_fail		 fail = CERTAUTH_OK;
	char				 why[X509_WHY_SIZE], subj[256];
	int				 rc;

	idp = isakmp_msg_find(msg, ISAKMP_PL_ID, 0);
	sigp = isakmp_msg_find(msg, ISAKMP_PL_SIG, 0);
	if (sigp == NULL) {
		log_err("authentication failed for peer %s (cookies %s, rule "
		    "\"%s\"): %s has no SIG payload, but %s signatures were "
		    "agreed", p1->p1_peer, p1->p1_cookies, p1->p1_label,
		    p1->p1_initiator ? "MM6" : "MM5",
		    sig_method_name((enum sig_method)p1->p1_auth));
		return (ISAKMP_N_PAYLOAD_MALFORMED);
	}
	memset(&cp, 0, sizeof(cp));
	if (ike_cert_collect(p1, msg, certs, lens, &cp.cp_ncerts) != 0)
		return (ISAKMP_N_INVALID_CERTIFICATE);
	if (ike_cert_peer_id(p1, &idp->pl_u.id, &cp) != 0)
		return (ISAKMP_N_INVALID_ID_INFORMATION);
	cp.cp_certs = certs;
	cp.cp_certlens = lens;
	cp.cp_method = (enum sig_method)p1->p1_auth;
	cp.cp_hash = hash;
	cp.cp_hashlen = hashlen;
	cp.cp_sig = sigp->pl_u.data.data;
	cp.cp_siglen = sigp->pl_u.data.len;
	if (p1->p1_eng->e_certs == NULL) {
		snprintf(why, sizeof(why), "no certificate store is loaded");
		rc = ERR_CONFIG;
	} else if ((rc = ike_cert_sels(p1->p1_rule, 1, &rsel, why,
	    sizeof(why))) == 0)
		rc = certauth_verify_peer_fail(p1->p1_eng->e_certs, rsel, &cp,
		    0, &peer, &fail, why, sizeof(why));
	certsel_list_free(rsel);
	if (rc != 0) {
		log_err("authentication failed for peer %s (cookies %s, rule "
		    "\"%s\"): %s", p1->p1_peer, p1->p1_cookies, p1->p1_label,
		    why);
		return (ike_cert_notify(fail));
	}
	p1->p1_remote_idtype = idp->pl_u.id.id_type;
	ike_p1_set_id_text(&p1->p1_remote_id, idp->pl_u.id.id_type,
	    idp->pl_u.id.id_data, idp->pl_u.id.id_len);
	if (cert_subject_text(peer, subj, sizeof(subj)) != 0)
		snprintf(subj, sizeof(subj), "(name too long)");
	log_info("ISAKMP SA %s: peer %s authenticated by %s signature with "
	    "certificate \"%s\"", p1->p1_cookies, p1->p1_peer,
	    sig_method_name((enum sig_method)p1->p1_auth), subj);
	ike_cert_keep(p1, peer, certs, lens, cp.cp_ncerts);
	return (0);
}

/*
 * Keep the peer's certificate (taking over the reference) and the other
 * certificates it sent, for ike_cert_recheck.  Without memory nothing is
 * kept, and a reload then cannot check the SA.
 */
static void
ike_cert_keep(struct ike_p1 *p1, struct cert *peer, const uint8_t **certs,
    const size_t *lens, size_t ncerts)
{
	struct ike_peer_certs	*pc;
	char			 why[X509_WHY_SIZE];
	size_t			 i;

	ike_cert_free_peer(p1);
	if ((pc = calloc(1, sizeof(*pc))) == NULL) {
		cert_free(peer);
		return;
	}
	pc->pc_peer = peer;
	pc->pc_from_store = ncerts == 0;
	for (i = 1; i < ncerts; i++)
		if (cert_parse_der(&pc->pc_chain[pc->pc_nchain], certs[i],
		    lens[i], why, sizeof(why)) == 0)
			pc->pc_nchain++;
	p1->p1_peer_certs = pc;
}

void
ike_cert_free_peer(struct ike_p1 *p1)
{
	struct ike_peer_certs	*pc = p1->p1_peer_certs;
	size_t			 i;

	if (pc == NULL)
		return;
	cert_free(pc->pc_peer);
	for (i = 0; i < pc->pc_nchain; i++)
		cert_free(pc->pc_chain[i]);
	free(pc);
	p1->p1_peer_certs = NULL;
}

/* Whether the store has a certificate equal to c. */
static int
ike_cert_in_store(const struct certstore *cs, const struct cert *c)
{
	struct certstore_entry	e;
	size_t			i;

	for (i = 0; certstore_entry(cs, i, &e) == 0; i++)
		if (cert_equal(e.ce_cert, c))
			return (1);
	return (0);
}

/*
 * Check the peer's certificate of p1 again, against the certificate
 * store as it is now and the remote_id of rule.  Returns 0 when it still
 * authenticates the peer or p1 kept none, ERR_AUTH with the reason in
 * why otherwise.
 */
int
ike_cert_recheck(const struct ike_p1 *p1, const struct config_rule *rule,
    char *why, size_t whysize)
{
	const struct ike_peer_certs	*pc = p1->p1_peer_certs;
	const struct certstore		*cs = p1->p1_eng->e_certs;
	struct certsel_list		*rsel = NULL;
	char				 reason[X509_WHY_SIZE];
	int				 rc = ERR_AUTH;

	if (pc == NULL)
		return (0);
	reason[0] = '\0';
	if (cs == NULL)
		snprintf(reason, sizeof(reason), "no certificate store is "
		    "loaded");
	else if (pc->pc_from_store && !ike_cert_in_store(cs, pc->pc_peer))
		snprintf(reason, sizeof(reason), "it is no longer in the "
		    "publickeys directory");
	else if (certstore_verify(cs, pc->pc_peer, pc->pc_chain,
	    pc->pc_nchain, 0, reason, sizeof(reason)) != 0)
		;	/* reason set */
	else if (ike_cert_sels(rule, 1, &rsel, reason, sizeof(reason)) != 0)
		;	/* reason set */
	else if (!certsel_list_match(rsel, pc->pc_peer, NULL))
		snprintf(reason, sizeof(reason), "it no longer matches the "
		    "rule's remote_id");
	else
		rc = 0;
	certsel_list_free(rsel);
	if (rc != 0)
		snprintf(why, whysize, "the peer's certificate no longer "
		    "verifies: %s", reason);
	return (rc);
}
