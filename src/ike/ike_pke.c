/*
 * Main Mode authenticated with public key encryption (RFC 2409 section
 * 5.2, method 4, auth_method rsa_encrypt) and its revised form (section
 * 5.3, method 5, rsa_encrypt_rev).  Each side encrypts its nonce and
 * identity to the other's RSA key, so only the holder of the private key
 * can compute SKEYID = prf(hash(Ni_b | Nr_b), CKY-I | CKY-R):
 *
 *   MM3 HDR, KE, [HASH(1)], <IDii_b>PubKey_r, <Ni_b>PubKey_r    ->
 *                       <- MM4 HDR, KE, <IDir_b>PubKey_i, <Nr_b>PubKey_i
 *
 * The revised form encrypts the KE and identity with the negotiated
 * cipher under Ke_i or Ke_r, derived from the nonce, so that only the
 * nonce costs an RSA operation:
 *
 *   MM3 HDR, [HASH(1)], <Ni_b>PubKey_r, <KE_b>Ke_i, <IDii_b>Ke_i ->
 *                  <- MM4 HDR, <Nr_b>PubKey_i, <KE_b>Ke_r, <IDir_b>Ke_r
 *
 * MM5 and MM6 carry only HASH_I and HASH_R.  HASH(1), the hash of the
 * certificate the initiator encrypted to, is sent when publickeys
 * contains more than one certificate for the peer.
 * NOTE: as responder we decrypt with the rule's one local key and do not
 * use a received HASH(1) to choose among several of our keys.
 *
 * No padding oracle: whatever arrives in MM3 or MM4, decryption yields
 * some nonce and identity (random ones for a malformed ciphertext, see
 * rsaenc.h), the exchange goes on without a branch or a log line that
 * depends on the result, and a wrong value shows only as MM5 or MM6
 * failing to authenticate, exactly as with a wrong key.  The identity
 * is looked at only after HASH_I or HASH_R has verified.
 *
 * Key separation: one RSA key must not both decrypt (here) and sign
 * (rsa_sig), because a decryption oracle on a key also forges its
 * signatures.  A local certificate that an encryption rule and a
 * signature rule both select is rejected when either rule runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cipher.h"
#include "crypto/dh.h"
#include "crypto/hash.h"
#include "crypto/ikev1_kdf.h"
#include "crypto/prf.h"
#include "crypto/rand.h"
#include "crypto/x509/certauth.h"
#include "crypto/x509/rsaenc.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

/*
 * Lengths of the random stand-ins for a nonce or an identity that did
 * not decrypt.  Any length in the accepted range serves, because the
 * values are never shown and only make the HASH check fail.
 */
#define IKE_PKE_FALLBACK_NONCE	32
#define IKE_PKE_FALLBACK_ID	24
#define IKE_PKE_ID_MIN		5	/* type, protocol, port, 1 byte */
#define IKE_PKE_ID_MAX		1024

struct ike_pke {
	struct cert	*pk_peer_cert;	/* from publickeys, by remote_id */
	struct cert	*pk_my_cert;
	struct pkey	*pk_my_key;
	int		 pk_hash1;	/* more than one peer certificate */
	struct wbuf	 pk_my_id;	/* IDii_b or IDir_b that we send */
	struct wbuf	 pk_peer_id;	/* the peer's, as decrypted */
};

int
ike_pke_is(unsigned int auth)
{
	return (auth == ISAKMP_AUTH_RSA_ENC || auth == ISAKMP_AUTH_RSA_ENC_REV);
}

int
ike_pke_rule_is(const struct config_rule *r)
{
	return (r->cr_nxforms > 0 &&
	    ike_pke_is((unsigned int)r->cr_xforms[0].px_auth_method));
}

void
ike_pke_free(struct ike_p1 *p1)
{
	struct ike_pke	*pk = p1->p1_pke;

	if (pk == NULL)
		return;
	cert_free(pk->pk_peer_cert);
	cert_free(pk->pk_my_cert);
	pkey_free(pk->pk_my_key);
	wbuf_free(&pk->pk_my_id);
	wbuf_free(&pk->pk_peer_id);
	free(pk);
	p1->p1_pke = NULL;
}

/* The local certificate a rule selects for its method, or NULL. */
static const struct cert *
ike_pke_rule_cert(const struct ike_engine *eng, const struct config_rule *r)
{
	struct certsel_list	*sels = NULL;
	struct certstore_entry	 e;
	enum sig_method		 m;
	char			 why[X509_WHY_SIZE];
	unsigned int		 auth;
	const struct cert	*c = NULL;

	if (r->cr_nxforms == 0 || r->cr_local_id == NULL)
		return (NULL);
	auth = (unsigned int)r->cr_xforms[0].px_auth_method;
	m = ike_pke_is(auth) ? SIG_RSA : (enum sig_method)auth;
	if (ike_cert_sels(r, 0, &sels, why, sizeof(why)) == 0 &&
	    certauth_find_local(eng->e_certs, sels, m, &e, why,
	    sizeof(why)) == 0)
		c = e.ce_cert;
	certsel_list_free(sels);
	return (c);
}

int
ike_pke_key_conflict(struct ike_p1 *p1, const struct cert *mine)
{
	const struct ike_engine	*eng = p1->p1_eng;
	const struct config_rule	*r;
	const struct cert	*other;
	int			 pke = ike_pke_rule_is(p1->p1_rule);
	size_t			 i;

	if (eng->e_certs == NULL || eng->e_cfg == NULL)
		return (0);
	for (i = 0; i < eng->e_cfg->cf_nrules; i++) {
		r = &eng->e_cfg->cf_rules[i];
		if (pke ? !ike_cert_rule_is_sig(r) : !ike_pke_rule_is(r))
			continue;
		if ((other = ike_pke_rule_cert(eng, r)) == NULL ||
		    !cert_equal(other, mine))
			continue;
		log_err("ISAKMP SA %s: rule \"%s\" (%s) and rule \"%s\" (%s) "
		    "select the same local certificate (local_id \"%s\"); "
		    "an RSA key that decrypts must not also sign, so neither "
		    "rule may use it: give one of them its own key with "
		    "ikecert certlocal -ks", p1->p1_cookies, p1->p1_label,
		    pke ? "public key encryption" : "signatures",
		    r->cr_label ? r->cr_label : "",
		    pke ? "signatures" : "public key encryption",
		    p1->p1_rule->cr_local_id ? p1->p1_rule->cr_local_id : "");
		return (1);
	}
	return (0);
}

/*
 * The peer's certificate: the publickeys entries that remote_id selects.
 * Returns the first and counts them in *n.
 */
static const struct cert *
ike_pke_peer_cert(struct ike_p1 *p1, const struct certsel_list *rsel,
    size_t *n)
{
	struct certstore_entry	 e;
	const struct cert	*first = NULL;
	size_t			 i;

	*n = 0;
	for (i = 0; certstore_entry(p1->p1_eng->e_certs, i, &e) == 0; i++) {
		if (e.ce_origin == CERTSTORE_FROM_PAYLOAD ||
		    !certsel_list_match(rsel, e.ce_cert, e.ce_slot) ||
		    pkey_type(cert_public_key(e.ce_cert)) != PKEY_RSA)
			continue;
		if (first == NULL)
			first = e.ce_cert;
		(*n)++;
	}
	return (first);
}

/* Text of the rule's remote_id selectors, for messages. */
static void
ike_pke_remote_text(const struct config_rule *r, char *out, size_t size)
{
	size_t	i, n = 0;

	out[0] = '\0';
	for (i = 0; i < r->cr_nremote_ids && n + 1 < size; i++) {
		int w = snprintf(out + n, size - n, "%s\"%s%s\"", i ? ", " : "",
		    r->cr_remote_ids[i].is_exclude ? "!" : "",
		    r->cr_remote_ids[i].is_sel);

		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
}

/* Our certificate and key, and our identity body. */
static int
ike_pke_prepare_local(struct ike_p1 *p1, struct ike_pke *pk)
{
	struct certsel_list	*sels = NULL;
	struct certstore_entry	 e;
	char			 why[X509_WHY_SIZE];
	int			 rc;

	rc = ike_cert_sels(p1->p1_rule, 0, &sels, why, sizeof(why));
	if (rc == 0)
		rc = certauth_find_local(p1->p1_eng->e_certs, sels, SIG_RSA,
		    &e, why, sizeof(why));
	certsel_list_free(sels);
	if (rc != 0) {
		log_err("ISAKMP SA %s: rule \"%s\" uses %s but has no local "
		    "certificate with an RSA private key (local_id \"%s\"): "
		    "%s", p1->p1_cookies, p1->p1_label,
		    config_auth_method_name(p1->p1_rule->cr_xforms[0].
		    px_auth_method), p1->p1_rule->cr_local_id ?
		    p1->p1_rule->cr_local_id : "", why);
		return (ERR_CONFIG);
	}
	if (ike_pke_key_conflict(p1, e.ce_cert))
		return (ERR_CONFIG);
	pk->pk_my_cert = cert_ref((struct cert *)e.ce_cert);
	pk->pk_my_key = pkey_ref((struct pkey *)e.ce_key);
	return (ike_cert_id_body(p1, &e, &pk->pk_my_id));
}

/* The peer's certificate, which must be trusted before we encrypt. */
static int
ike_pke_prepare_peer(struct ike_p1 *p1, struct ike_pke *pk)
{
	struct certstore	*cs = p1->p1_eng->e_certs;
	struct certsel_list	*rsel = NULL;
	const struct cert	*c = NULL;
	char			 why[X509_WHY_SIZE], sels[512], subj[256];
	size_t			 n = 0;
	int			 rc;

	ike_pke_remote_text(p1->p1_rule, sels, sizeof(sels));
	if ((rc = ike_cert_sels(p1->p1_rule, 1, &rsel, why,
	    sizeof(why))) == 0)
		c = ike_pke_peer_cert(p1, rsel, &n);
	certsel_list_free(rsel);
	if (c == NULL) {
		log_err("rule \"%s\" uses %s but no certificate for the peer "
		    "%s matching remote_id %s is in publickeys: import it "
		    "with ikecert certdb -a", p1->p1_label,
		    config_auth_method_name(p1->p1_rule->cr_xforms[0].
		    px_auth_method), p1->p1_peer, sels[0] ? sels : "(none)");
		return (ERR_CONFIG);
	}
	if (certstore_verify(cs, c, NULL, 0, 0, why, sizeof(why)) != 0) {
		if (cert_subject_text(c, subj, sizeof(subj)) != 0)
			snprintf(subj, sizeof(subj), "(name too long)");
		log_err("rule \"%s\": the certificate \"%s\" of the peer %s in "
		    "publickeys is not trusted (%s); name it with cert_trust "
		    "or cert_root", p1->p1_label, subj, p1->p1_peer, why);
		return (ERR_CONFIG);
	}
	pk->pk_peer_cert = cert_ref((struct cert *)c);
	pk->pk_hash1 = n > 1;
	return (0);
}

int
ike_pke_prepare(struct ike_p1 *p1)
{
	struct ike_pke	*pk;
	int		 rc;

	if (p1->p1_eng->e_certs == NULL) {
		log_err("rule \"%s\" uses public key encryption but no "
		    "certificate store is loaded", p1->p1_label);
		return (ERR_CONFIG);
	}
	ike_pke_free(p1);
	if ((pk = calloc(1, sizeof(*pk))) == NULL)
		return (ERR_NOMEM);
	wbuf_init(&pk->pk_my_id, 0);
	wbuf_init(&pk->pk_peer_id, 1);
	p1->p1_pke = pk;
	if ((rc = ike_pke_prepare_peer(p1, pk)) != 0 ||
	    (rc = ike_pke_prepare_local(p1, pk)) != 0)
		ike_pke_free(p1);
	return (rc);
}

/* Ke_i or Ke_r (RFC 2409 5.3): prf(nonce, cookie), expanded to keylen. */
static int
ike_pke_sym_key(struct ike_p1 *p1, const struct wbuf *nonce,
    const uint8_t *cookie, struct wbuf *key)
{
	uint8_t	ne[HASH_MAX_LEN];
	size_t	nelen = prf_length(p1->p1_hash), keylen;
	int	rc;

	if ((rc = cipher_key_length(p1->p1_encr, p1->p1_encr ==
	    CIPHER_AES_CBC ? p1->p1_keybits : 0, &keylen)) != 0 ||
	    (rc = prf_compute(p1->p1_hash, nonce->wb_data, nonce->wb_len,
	    cookie, ISAKMP_COOKIE_LEN, ne, sizeof(ne))) != 0)
		goto out;
	rc = ikev1_key_expand(p1->p1_hash, ne, nelen, keylen, key);
out:
	util_wipe(ne, sizeof(ne));
	return (rc);
}

/*
 * Encrypt a payload body for the revised mode.  The padding is zeros
 * and a last byte counting the padding bytes before it, always at least
 * that byte (RFC 2409 5.3).  iv is the previous payload's last block,
 * zero for the first, and is advanced.
 */
static int
ike_pke_sym_encrypt(struct cipher_ctx *ctx, size_t bl, uint8_t *iv,
    const uint8_t *in, size_t len, struct wbuf *out)
{
	size_t	padded = (len / bl + 1) * bl;
	uint8_t	*p;
	int	rc;

	wbuf_reset(out);
	if ((rc = wbuf_alloc(out, padded, &p)) != 0)
		return (rc);
	memset(p, 0, padded);
	memcpy(p, in, len);
	p[padded - 1] = (uint8_t)(padded - len - 1);
	return (cipher_ctx_encrypt(ctx, iv, p, padded, p, iv));
}

/*
 * Decrypt a revised-mode payload body into out.  Returns 0 or ERR_AUTH
 * when the length or the padding is invalid, which the caller treats
 * like any other wrong value.
 */
static int
ike_pke_sym_decrypt(struct cipher_ctx *ctx, size_t bl, uint8_t *iv,
    const uint8_t *in, size_t len, struct wbuf *out)
{
	uint8_t	*p;
	size_t	pad;
	int	rc;

	wbuf_reset(out);
	if (len == 0 || len % bl != 0)
		return (ERR_AUTH);
	if ((rc = wbuf_alloc(out, len, &p)) != 0 ||
	    (rc = cipher_ctx_decrypt(ctx, iv, in, len, p, iv)) != 0)
		return (rc);
	pad = (size_t)p[len - 1] + 1;
	if (pad > len)
		return (ERR_AUTH);
	out->wb_len = len - pad;
	return (0);
}

/* HASH(1): the hash of the peer's certificate we encrypt to. */
static int
ike_pke_add_hash1(struct ike_p1 *p1, struct isakmp_builder *b)
{
	struct wbuf	der;
	uint8_t		h[HASH_MAX_LEN];
	int		rc;

	wbuf_init(&der, 0);
	if ((rc = cert_encode(p1->p1_pke->pk_peer_cert, X509_FORMAT_DER,
	    &der)) == 0 &&
	    (rc = hash_digest(p1->p1_hash, der.wb_data, der.wb_len, h,
	    sizeof(h))) == 0)
		rc = isakmp_build_data(b, ISAKMP_PL_HASH, h,
		    hash_length(p1->p1_hash));
	wbuf_free(&der);
	return (rc);
}

/* <X>PubKey: RSA encryption to the peer's certificate. */
static int
ike_pke_add_rsa(struct ike_p1 *p1, struct isakmp_builder *b, uint8_t type,
    const struct wbuf *plain)
{
	const struct pkey	*pub;
	struct wbuf		 ct;
	int			 rc;

	pub = cert_public_key(p1->p1_pke->pk_peer_cert);
	wbuf_init(&ct, 0);
	rc = rsaenc_encrypt(pub, plain->wb_data, plain->wb_len, &ct);
	if (rc == ERR_INVAL)
		log_err("ISAKMP SA %s: %zu bytes do not fit the peer's "
		    "%u-bit RSA key (rule \"%s\"); use a larger key or a "
		    "shorter identity", p1->p1_cookies, plain->wb_len,
		    pkey_bits(pub), p1->p1_label);
	if (rc == 0)
		rc = isakmp_build_data(b, type, ct.wb_data, ct.wb_len);
	wbuf_free(&ct);
	return (rc);
}

/* <KE_b>Ke and <ID_b>Ke of the revised mode. */
static int
ike_pke_add_sym(struct ike_p1 *p1, struct isakmp_builder *b,
    const struct wbuf *nonce, const uint8_t *cookie, const struct wbuf *ke)
{
	struct cipher_ctx	*ctx = NULL;
	struct wbuf		 key, ct;
	uint8_t			 iv[CIPHER_MAX_BLOCK];
	size_t			 bl = cipher_block_size(p1->p1_encr);
	int			 rc;

	wbuf_init(&key, 1);
	wbuf_init(&ct, 0);
	memset(iv, 0, sizeof(iv));
	if ((rc = ike_pke_sym_key(p1, nonce, cookie, &key)) != 0 ||
	    (rc = cipher_ctx_new(&ctx, p1->p1_encr, key.wb_data,
	    key.wb_len)) != 0)
		goto out;
	if ((rc = ike_pke_sym_encrypt(ctx, bl, iv, ke->wb_data, ke->wb_len,
	    &ct)) != 0 ||
	    (rc = isakmp_build_data(b, ISAKMP_PL_KE, ct.wb_data,
	    ct.wb_len)) != 0)
		goto out;
	if ((rc = ike_pke_sym_encrypt(ctx, bl, iv, p1->p1_pke->pk_my_id.wb_data,
	    p1->p1_pke->pk_my_id.wb_len, &ct)) != 0)
		goto out;
	rc = isakmp_build_data(b, ISAKMP_PL_ID, ct.wb_data, ct.wb_len);
out:
	cipher_ctx_free(ctx);
	wbuf_free(&key);
	wbuf_free(&ct);
	return (rc);
}

int
ike_pke_add(struct ike_p1 *p1, struct isakmp_builder *b)
{
	const struct wbuf	*ke, *nonce;
	const uint8_t		*cookie;
	int			 rc;

	ke = p1->p1_initiator ? &p1->p1_gxi : &p1->p1_gxr;
	nonce = p1->p1_initiator ? &p1->p1_ni : &p1->p1_nr;
	cookie = p1->p1_initiator ? p1->p1_icookie : p1->p1_rcookie;
	if (p1->p1_pke == NULL)
		return (ERR_STATE);
	if (p1->p1_auth == ISAKMP_AUTH_RSA_ENC_REV) {
		if ((p1->p1_initiator && p1->p1_pke->pk_hash1 &&
		    (rc = ike_pke_add_hash1(p1, b)) != 0) ||
		    (rc = ike_pke_add_rsa(p1, b, ISAKMP_PL_NONCE,
		    nonce)) != 0)
			return (rc);
		return (ike_pke_add_sym(p1, b, nonce, cookie, ke));
	}
	if ((rc = isakmp_build_data(b, ISAKMP_PL_KE, ke->wb_data,
	    ke->wb_len)) != 0)
		return (rc);
	if (p1->p1_initiator && p1->p1_pke->pk_hash1 &&
	    (rc = ike_pke_add_hash1(p1, b)) != 0)
		return (rc);
	if ((rc = ike_pke_add_rsa(p1, b, ISAKMP_PL_ID,
	    &p1->p1_pke->pk_my_id)) != 0)
		return (rc);
	return (ike_pke_add_rsa(p1, b, ISAKMP_PL_NONCE, nonce));
}

/* <X>PubKey from the peer: a value, or a random one, never an error. */
static int
ike_pke_take_rsa(struct ike_p1 *p1, const struct isakmp_payload *pl,
    size_t min, size_t max, size_t fallback, struct wbuf *out)
{
	return (rsaenc_decrypt(p1->p1_pke->pk_my_key, pl->pl_body,
	    pl->pl_body_len, min, max, fallback, out));
}

/*
 * The revised mode's KE and identity.  A wrong key, padding or length
 * gives a random identity and our own public value as the peer's, so
 * that Diffie-Hellman still works and only the HASH check fails.
 */
static int
ike_pke_take_sym(struct ike_p1 *p1, const struct isakmp_msg *msg,
    const struct wbuf *nonce, const uint8_t *cookie, struct wbuf *peer_ke)
{
	const struct isakmp_payload	*kep, *idp;
	const struct dh_group_info	*gi = dh_group_lookup(p1->p1_group);
	struct cipher_ctx		*ctx = NULL;
	struct wbuf			 key, *id = &p1->p1_pke->pk_peer_id;
	uint8_t				 iv[CIPHER_MAX_BLOCK], *r;
	size_t				 bl = cipher_block_size(p1->p1_encr);
	int				 rc, bad = 0;

	kep = isakmp_msg_find(msg, ISAKMP_PL_KE, 0);
	idp = isakmp_msg_find(msg, ISAKMP_PL_ID, 0);
	wbuf_init(&key, 1);
	memset(iv, 0, sizeof(iv));
	if ((rc = ike_pke_sym_key(p1, nonce, cookie, &key)) != 0 ||
	    (rc = cipher_ctx_new(&ctx, p1->p1_encr, key.wb_data,
	    key.wb_len)) != 0)
		goto out;
	if (ike_pke_sym_decrypt(ctx, bl, iv, kep->pl_body, kep->pl_body_len,
	    peer_ke) != 0 || gi == NULL || peer_ke->wb_len != gi->dg_public_len)
		bad = 1;
	if (ike_pke_sym_decrypt(ctx, bl, iv, idp->pl_body, idp->pl_body_len,
	    id) != 0 || id->wb_len < IKE_PKE_ID_MIN ||
	    id->wb_len > IKE_PKE_ID_MAX)
		bad = 1;
	if (bad) {
		wbuf_reset(peer_ke);
		wbuf_reset(id);
		if ((rc = dh_key_public(p1->p1_dh, peer_ke)) != 0 ||
		    (rc = wbuf_alloc(id, IKE_PKE_FALLBACK_ID, &r)) != 0 ||
		    (rc = rand_bytes(r, IKE_PKE_FALLBACK_ID)) != 0)
			goto out;
	}
out:
	cipher_ctx_free(ctx);
	wbuf_free(&key);
	return (rc);
}

int
ike_pke_take(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*kep, *idp, *np;
	const struct dh_group_info	*gi = dh_group_lookup(p1->p1_group);
	struct wbuf			*peer_ke, *peer_n;
	const uint8_t			*cookie;

	kep = isakmp_msg_find(msg, ISAKMP_PL_KE, 0);
	idp = isakmp_msg_find(msg, ISAKMP_PL_ID, 0);
	np = isakmp_msg_find(msg, ISAKMP_PL_NONCE, 0);
	if (p1->p1_pke == NULL || kep == NULL || idp == NULL || np == NULL)
		return (ERR_STATE);
	peer_ke = p1->p1_initiator ? &p1->p1_gxr : &p1->p1_gxi;
	peer_n = p1->p1_initiator ? &p1->p1_nr : &p1->p1_ni;
	cookie = p1->p1_initiator ? p1->p1_rcookie : p1->p1_icookie;
	/* The revised mode may stand in our public value for the peer's. */
	if (p1->p1_dh == NULL &&
	    dh_key_generate(p1->p1_group, &p1->p1_dh) != 0)
		return (ERR_CRYPTO);
	wbuf_reset(peer_ke);
	wbuf_reset(peer_n);
	/* The ciphertext's length is public, so it may be checked openly. */
	if (p1->p1_auth == ISAKMP_AUTH_RSA_ENC &&
	    (gi == NULL || kep->pl_u.data.len != gi->dg_public_len)) {
		log_warn("ISAKMP SA %s: KE payload from %s has %zu bytes, "
		    "group %u needs %zu; message dropped", p1->p1_cookies,
		    p1->p1_peer, kep->pl_u.data.len, p1->p1_group,
		    gi ? gi->dg_public_len : 0);
		return (ERR_MALFORMED);
	}
	if (ike_pke_take_rsa(p1, np, CONFIG_MIN_NONCE_LEN,
	    CONFIG_MAX_NONCE_LEN, IKE_PKE_FALLBACK_NONCE, peer_n) != 0)
		return (ERR_CRYPTO);
	if (p1->p1_auth == ISAKMP_AUTH_RSA_ENC_REV)
		return (ike_pke_take_sym(p1, msg, peer_n, cookie, peer_ke));
	if (wbuf_put(peer_ke, kep->pl_u.data.data, kep->pl_u.data.len) != 0)
		return (ERR_NOMEM);
	if (ike_pke_take_rsa(p1, idp, IKE_PKE_ID_MIN, IKE_PKE_ID_MAX,
	    IKE_PKE_FALLBACK_ID, &p1->p1_pke->pk_peer_id) != 0)
		return (ERR_CRYPTO);
	return (0);
}

const struct wbuf *
ike_pke_id(const struct ike_p1 *p1, int mine)
{
	if (p1->p1_pke == NULL)
		return (NULL);
	return (mine ? &p1->p1_pke->pk_my_id : &p1->p1_pke->pk_peer_id);
}

int
ike_pke_check_peer(struct ike_p1 *p1)
{
	const struct wbuf	*id = &p1->p1_pke->pk_peer_id;
	char			 why[X509_WHY_SIZE], subj[256];

	/* The HASH verified, so the identity is the peer's own. */
	if (id->wb_len < IKE_PKE_ID_MIN ||
	    cert_match_id(p1->p1_pke->pk_peer_cert,
	    (enum cert_idtype)id->wb_data[0], id->wb_data + 4,
	    id->wb_len - 4, why, sizeof(why)) != 0) {
		log_err("authentication failed for peer %s (cookies %s, rule "
		    "\"%s\"): its identity does not name the certificate we "
		    "encrypted to: %s", p1->p1_peer, p1->p1_cookies,
		    p1->p1_label, id->wb_len < IKE_PKE_ID_MIN ? "too short" :
		    why);
		return (ISAKMP_N_INVALID_ID_INFORMATION);
	}
	p1->p1_remote_idtype = id->wb_data[0];
	ike_p1_set_id_text(&p1->p1_remote_id, id->wb_data[0],
	    id->wb_data + 4, id->wb_len - 4);
	if (cert_subject_text(p1->p1_pke->pk_peer_cert, subj,
	    sizeof(subj)) != 0)
		snprintf(subj, sizeof(subj), "(name too long)");
	log_info("ISAKMP SA %s: peer %s authenticated by %sRSA encryption "
	    "with certificate \"%s\"", p1->p1_cookies, p1->p1_peer,
	    p1->p1_auth == ISAKMP_AUTH_RSA_ENC_REV ? "revised " : "", subj);
	return (0);
}
