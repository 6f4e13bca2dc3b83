/*
 * Phase 1 Main Mode with preshared keys (RFC 2409 section 5, 5.4), and
 * with signatures, whose CR, CERT and SIG payloads ike_cert.c adds:
 *
 *   MM1 HDR, SA                      ->
 *                                    <- MM2 HDR, SA
 *   MM3 HDR, KE, Ni [, NAT-D x2]     ->
 *                                    <- MM4 HDR, KE, Nr [, NAT-D x2]
 *   MM5 HDR*, IDii, HASH_I           ->
 *                                    <- MM6 HDR*, IDir, HASH_R
 *
 * With public key encryption, ike_pke.c builds and reads MM3 and MM4,
 * and MM5 and MM6 carry only the HASH.
 *
 * Each received message is matched against a table of steps by the SA's
 * state.  Anything else is dropped, or rejected with a Notify.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cipher.h"
#include "crypto/dh.h"
#include "crypto/ikev1_kdf.h"
#include "crypto/prf.h"
#include "crypto/rand.h"
#include "crypto/x509/certstore.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

#define BIT(t)	(1u << (t))

/*
 * Results of a step besides 0 and a Notify type: IKE_MM_FAIL ends the
 * exchange without a Notify, IKE_MM_DROP ignores the message.
 */
#define IKE_MM_FAIL	(-1)
#define IKE_MM_DROP	(-2)

typedef int	ike_mm_fn(struct ike_p1 *, const struct ike_packet *,
		    const struct isakmp_msg *);

struct ike_mm_step {
	enum ike_p1_state	 ms_state;	/* the SA's state before */
	int			 ms_initiator;
	int			 ms_encrypted;
	uint32_t		 ms_required;
	uint32_t		 ms_allowed;
	const char		*ms_name;
	ike_mm_fn		*ms_fn;
};

#define IKE_MM_AUTH_PAYLOADS	(BIT(ISAKMP_PL_HASH) | BIT(ISAKMP_PL_SIG) | \
	BIT(ISAKMP_PL_CERT) | BIT(ISAKMP_PL_CR) | BIT(ISAKMP_PL_N) | \
	BIT(ISAKMP_PL_VID))

static ike_mm_fn ike_mm_i_mm2, ike_mm_r_mm3, ike_mm_i_mm4, ike_mm_r_mm5,
    ike_mm_i_mm6;

static struct log_ratelimit ike_mm_rl = LOG_RATELIMIT_INIT(10, 20);

static const struct ike_mm_step ike_mm_steps[] = {
	{ IKE_P1_MM_I1, 1, 0, BIT(ISAKMP_PL_SA),
	    BIT(ISAKMP_PL_VID), "MM2", ike_mm_i_mm2 },
	{ IKE_P1_MM_R1, 0, 0, BIT(ISAKMP_PL_KE) | BIT(ISAKMP_PL_NONCE),
	    BIT(ISAKMP_PL_NAT_D) | BIT(ISAKMP_PL_VID) | BIT(ISAKMP_PL_CR),
	    "MM3", ike_mm_r_mm3 },
	{ IKE_P1_MM_I2, 1, 0, BIT(ISAKMP_PL_KE) | BIT(ISAKMP_PL_NONCE),
	    BIT(ISAKMP_PL_NAT_D) | BIT(ISAKMP_PL_VID) | BIT(ISAKMP_PL_CR),
	    "MM4", ike_mm_i_mm4 },
	/* HASH or SIG, by the method: ike_mm_authenticate checks. */
	{ IKE_P1_MM_R2, 0, 1, BIT(ISAKMP_PL_ID), IKE_MM_AUTH_PAYLOADS,
	    "MM5", ike_mm_r_mm5 },
	{ IKE_P1_MM_I3, 1, 1, BIT(ISAKMP_PL_ID), IKE_MM_AUTH_PAYLOADS,
	    "MM6", ike_mm_i_mm6 },
};

/* The steps with public key encryption (RFC 2409 5.2, 5.3). */
static const struct ike_mm_step ike_mm_pke_steps[] = {
	{ IKE_P1_MM_I1, 1, 0, BIT(ISAKMP_PL_SA),
	    BIT(ISAKMP_PL_VID), "MM2", ike_mm_i_mm2 },
	/* HASH(1) names the certificate the initiator encrypted to. */
	{ IKE_P1_MM_R1, 0, 0, BIT(ISAKMP_PL_KE) | BIT(ISAKMP_PL_ID) |
	    BIT(ISAKMP_PL_NONCE), BIT(ISAKMP_PL_NAT_D) | BIT(ISAKMP_PL_VID) |
	    BIT(ISAKMP_PL_HASH), "MM3", ike_mm_r_mm3 },
	{ IKE_P1_MM_I2, 1, 0, BIT(ISAKMP_PL_KE) | BIT(ISAKMP_PL_ID) |
	    BIT(ISAKMP_PL_NONCE), BIT(ISAKMP_PL_NAT_D) | BIT(ISAKMP_PL_VID),
	    "MM4", ike_mm_i_mm4 },
	{ IKE_P1_MM_R2, 0, 1, BIT(ISAKMP_PL_HASH),
	    BIT(ISAKMP_PL_N) | BIT(ISAKMP_PL_VID), "MM5", ike_mm_r_mm5 },
	{ IKE_P1_MM_I3, 1, 1, BIT(ISAKMP_PL_HASH),
	    BIT(ISAKMP_PL_N) | BIT(ISAKMP_PL_VID), "MM6", ike_mm_i_mm6 },
};

/* What to check when the two sides derived different keys. */
static const char *
ike_mm_key_hint(const struct ike_p1 *p1)
{
	if (ike_pke_is(p1->p1_auth))
		return ("check that each side has the other's current "
		    "certificate in publickeys and its own private key");
	return ("check the preshared key");
}

static const struct config_psk *
ike_mm_psk(struct ike_p1 *p1)
{
	struct config_ip	l, r;

	if (config_ip_from_sockaddr(&l, &p1->p1_local) != 0 ||
	    config_ip_from_sockaddr(&r, &p1->p1_remote) != 0)
		return (NULL);
	return (config_psk_find_addr(p1->p1_eng->e_cfg, &l, &r));
}

/* Build a whole unencrypted message with the payloads fn adds. */
static int
ike_mm_send_clear(struct ike_p1 *p1, int (*fn)(struct ike_p1 *,
    struct isakmp_builder *), int retransmit)
{
	struct isakmp_builder	b;
	struct isakmp_hdr	h;
	struct wbuf		wb;
	int			rc;

	wbuf_init(&wb, 0);
	ike_hdr_fill(p1, &h, ISAKMP_EX_IDPROT, 0, 0);
	isakmp_build_init(&b, &wb, &h);
	if ((rc = fn(p1, &b)) != 0 || (rc = isakmp_build_finish(&b)) != 0)
		goto out;
	rc = ike_xmit_send(p1, &p1->p1_xmit, &wb, retransmit);
out:
	wbuf_free(&wb);
	return (rc);
}

/* Keep SAi_b, the body of the initiator's SA payload (RFC 2409 5). */
static int
ike_mm_keep_sai(struct ike_p1 *p1, const struct isakmp_payload *pl)
{
	wbuf_reset(&p1->p1_sai_b);
	return (wbuf_put(&p1->p1_sai_b, pl->pl_body, pl->pl_body_len));
}

static int
ike_mm_build_mm1(struct ike_p1 *p1, struct isakmp_builder *b)
{
	int	rc;

	if ((rc = ike_prop_p1_build(p1, b)) != 0)
		return (rc);
	return (ike_natt_add_vids(b));
}

int
ike_mm_initiate(struct ike_engine *eng, const struct config_rule *rule,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
    struct ike_p1 **out)
{
	const struct config_globals	*g = ike_globals(eng);
	struct ike_p1			*p1;
	struct isakmp_msg		 msg;
	struct isakmp_error		 err;
	int				 rc;

	if ((p1 = ike_p1_new(eng, 1, local, remote)) == NULL)
		return (ERR_NOMEM);
	(void)ike_p1_set_label(p1, rule->cr_label);
	p1->p1_rule = rule;
	p1->p1_expire = eng->e_now + (uint64_t)g->cg_expire_timer.val * 1000;
	if (ike_pke_rule_is(rule)) {
		if ((rc = ike_pke_prepare(p1)) != 0)
			goto fail;
	} else if (ike_cert_rule_is_sig(rule)) {
		if (eng->e_certs == NULL) {
			log_err("rule \"%s\" uses certificates but no "
			    "certificate store is loaded", p1->p1_label);
			rc = ERR_CONFIG;
			goto fail;
		}
	} else if (ike_mm_psk(p1) == NULL) {
		log_err("no preshared key for %s in ike.preshared (rule "
		    "\"%s\"); add an entry whose remoteid is the peer's "
		    "address", p1->p1_peer, p1->p1_label);
		rc = ERR_CONFIG;
		goto fail;
	}
	if ((rc = ike_cookie_make(eng, remote, p1->p1_icookie)) != 0)
		goto fail;
	ike_p1_set_cookies(p1, NULL, NULL);
	p1->p1_state = IKE_P1_MM_I1;
	if ((rc = ike_mm_send_clear(p1, ike_mm_build_mm1, 1)) != 0)
		goto fail;
	/* SAi_b is what we just sent. */
	if ((rc = isakmp_msg_parse(p1->p1_xmit.x_msg.wb_data,
	    p1->p1_xmit.x_msg.wb_len, &msg, &err)) != 0)
		goto fail;
	rc = ike_mm_keep_sai(p1, isakmp_msg_find(&msg, ISAKMP_PL_SA, 0));
	ike_msg_print("sent MM1", p1, &msg, D_P1);
	isakmp_msg_free(&msg);
	if (rc != 0)
		goto fail;
	log_info("starting Main Mode with %s for rule \"%s\" (cookies %s)",
	    p1->p1_peer, p1->p1_label, p1->p1_cookies);
	*out = p1;
	return (0);
fail:
	ike_p1_fail(p1, 0);
	return (rc);
}

/*
 * The rule for an MM1: the first whose addresses match and that allows
 * one of the offered transforms, so that a preshared rule and a
 * certificate rule may share addresses.  Without such a rule, the first
 * rule of the addresses (whose mismatch is then logged).
 */
static const struct config_rule *
ike_mm_rule(struct ike_engine *eng, const struct config_ip *l,
    const struct config_ip *r, const struct isakmp_msg *msg)
{
	const struct config_rule	*first, *cr;
	const struct isakmp_payload	*sa;
	size_t				 i;

	first = config_rule_find(eng->e_cfg, l, r);
	sa = isakmp_msg_find(msg, ISAKMP_PL_SA, 0);
	if (first == NULL || sa == NULL)
		return (first);
	for (i = 0; i < eng->e_cfg->cf_nrules; i++) {
		cr = &eng->e_cfg->cf_rules[i];
		if (config_addrlist_match(&cr->cr_local, l) &&
		    config_addrlist_match(&cr->cr_remote, r) &&
		    ike_prop_p1_offers(cr, &sa->pl_u.sa))
			return (cr);
	}
	return (first);
}

/* MM1 at the responder: a new SA, if a rule and a key exist for it. */
static void
ike_mm_r_mm1(struct ike_engine *eng, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr, const struct isakmp_msg *msg)
{
	const struct config_globals	*g = ike_globals(eng);
	const struct config_rule	*rule;
	const struct isakmp_payload	*sa;
	struct config_ip		 l, r;
	struct ike_p1			*p1;
	struct isakmp_builder		 b;
	struct isakmp_hdr		 h;
	struct wbuf			 wb;
	char				 peer[64];
	int				 rc;

	ike_addr_str(&pk->pk_remote, peer, sizeof(peer));
	if (config_ip_from_sockaddr(&l, &pk->pk_local) != 0 ||
	    config_ip_from_sockaddr(&r, &pk->pk_remote) != 0)
		return;
	if ((rule = ike_mm_rule(eng, &l, &r, msg)) == NULL) {
		eng->e_stats.st_rx_dropped++;
		if (log_ratelimit_pass(&ike_mm_rl))
			log_warn("Main Mode from %s dropped: no rule in "
			    "ike.config has this local and remote address; "
			    "add a rule with remote_addr for it", peer);
		return;
	}
	if (eng->e_half_open >= g->cg_max_half_open.val) {
		eng->e_stats.st_rx_dropped++;
		if (log_ratelimit_pass(&ike_mm_rl))
			log_warn("Main Mode from %s dropped: %zu unfinished "
			    "Phase 1 exchanges already (max_half_open %u); "
			    "they end after expire_timer", peer,
			    eng->e_half_open, g->cg_max_half_open.val);
		return;
	}
	if ((p1 = ike_p1_new(eng, 0, &pk->pk_local, &pk->pk_remote)) == NULL)
		return;
	(void)ike_p1_set_label(p1, rule->cr_label);
	p1->p1_rule = rule;
	p1->p1_expire = eng->e_now + (uint64_t)g->cg_expire_timer.val * 1000;
	if (ike_addr_port(&pk->pk_local) == IKE_NATT_PORT)
		p1->p1_floated = 1;
	memcpy(p1->p1_icookie, hdr->h_icookie, ISAKMP_COOKIE_LEN);
	if (ike_cookie_make(eng, &pk->pk_remote, p1->p1_rcookie) != 0)
		goto fail;
	ike_p1_set_cookies(p1, NULL, NULL);
	ike_msg_print("received MM1", p1, msg, D_P1);
	if ((rc = ike_payload_check(p1, msg, BIT(ISAKMP_PL_SA),
	    BIT(ISAKMP_PL_VID), "MM1")) != 0) {
		(void)ike_info_send_notify_clear(eng, pk, hdr, rc);
		goto fail;
	}
	if (ike_pke_rule_is(rule) && ike_pke_prepare(p1) != 0) {
		(void)ike_info_send_notify_clear(eng, pk, hdr,
		    ISAKMP_N_NO_PROPOSAL_CHOSEN);
		goto fail;
	}
	if (!ike_cert_rule_is_sig(rule) && !ike_pke_rule_is(rule) &&
	    ike_mm_psk(p1) == NULL) {
		log_warn("Main Mode from %s (rule \"%s\") rejected: no "
		    "preshared key for this peer address in ike.preshared",
		    p1->p1_peer, p1->p1_label);
		(void)ike_info_send_notify_clear(eng, pk, hdr,
		    ISAKMP_N_NO_PROPOSAL_CHOSEN);
		goto fail;
	}
	sa = isakmp_msg_find(msg, ISAKMP_PL_SA, 0);
	ike_natt_parse_vids(p1, msg);
	wbuf_init(&wb, 0);
	ike_hdr_fill(p1, &h, ISAKMP_EX_IDPROT, 0, 0);
	isakmp_build_init(&b, &wb, &h);
	rc = ike_prop_p1_select(p1, &sa->pl_u.sa, &b);
	if (rc == ERR_PROPOSAL) {
		wbuf_free(&wb);
		(void)ike_info_send_notify_clear(eng, pk, hdr,
		    ISAKMP_N_NO_PROPOSAL_CHOSEN);
		goto fail;
	}
	if (rc == 0)
		rc = ike_natt_add_vids(&b);
	if (rc == 0)
		rc = isakmp_build_finish(&b);
	if (rc == 0)
		rc = ike_mm_keep_sai(p1, sa);
	if (rc == 0) {
		p1->p1_state = IKE_P1_MM_R1;
		ike_xmit_store_rx(&p1->p1_xmit, pk);
		rc = ike_xmit_send(p1, &p1->p1_xmit, &wb, 1);
	}
	wbuf_free(&wb);
	if (rc != 0)
		goto fail;
	log_debug(D_P1, "ISAKMP SA %s: sent MM2 to %s for rule \"%s\"",
	    p1->p1_cookies, p1->p1_peer, p1->p1_label);
	return;
fail:
	ike_p1_fail(p1, 0);
}

/* KE and Nonce of MM3 or MM4: our DH key and nonce. */
static int
ike_mm_add_ke_nonce(struct ike_p1 *p1, struct isakmp_builder *b)
{
	const struct config_globals	*g = ike_globals(p1->p1_eng);
	struct wbuf			*mine_ke, *mine_n;
	size_t				 nlen = g->cg_p1_nonce_len.val;
	uint8_t				*np;
	int				 rc;

	mine_ke = p1->p1_initiator ? &p1->p1_gxi : &p1->p1_gxr;
	mine_n = p1->p1_initiator ? &p1->p1_ni : &p1->p1_nr;
	if (nlen < CONFIG_MIN_NONCE_LEN)
		nlen = CONFIG_DEF_NONCE_LEN;
	if (p1->p1_dh == NULL &&
	    (rc = dh_key_generate(p1->p1_group, &p1->p1_dh)) != 0)
		return (rc);
	if ((rc = dh_key_public(p1->p1_dh, mine_ke)) != 0)
		return (rc);
	wbuf_reset(mine_n);
	if ((rc = wbuf_alloc(mine_n, nlen, &np)) != 0 ||
	    (rc = rand_bytes(np, nlen)) != 0)
		return (rc);
	if (ike_pke_is(p1->p1_auth)) {
		if ((rc = ike_pke_add(p1, b)) != 0)
			return (rc);
		return (ike_natt_add_natd(p1, b));
	}
	if ((rc = isakmp_build_data(b, ISAKMP_PL_KE, mine_ke->wb_data,
	    mine_ke->wb_len)) != 0 ||
	    (rc = isakmp_build_data(b, ISAKMP_PL_NONCE, mine_n->wb_data,
	    mine_n->wb_len)) != 0 ||
	    (rc = ike_cert_add_cr(p1, b)) != 0)
		return (rc);
	return (ike_natt_add_natd(p1, b));
}

/* The peer's KE and nonce from MM3 or MM4. */
static int
ike_mm_take_ke_nonce(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*ke, *n;
	const struct dh_group_info	*gi;
	struct wbuf			*peer_ke, *peer_n;

	if (ike_pke_is(p1->p1_auth))
		return (ike_pke_take(p1, msg));
	ke = isakmp_msg_find(msg, ISAKMP_PL_KE, 0);
	n = isakmp_msg_find(msg, ISAKMP_PL_NONCE, 0);
	gi = dh_group_lookup(p1->p1_group);
	if (gi == NULL || ke->pl_u.data.len != gi->dg_public_len) {
		log_warn("ISAKMP SA %s: KE payload from %s has %zu bytes, "
		    "group %u needs %zu; message dropped", p1->p1_cookies,
		    p1->p1_peer, ke->pl_u.data.len, p1->p1_group,
		    gi ? gi->dg_public_len : 0);
		return (ERR_MALFORMED);
	}
	if (n->pl_u.data.len < CONFIG_MIN_NONCE_LEN ||
	    n->pl_u.data.len > CONFIG_MAX_NONCE_LEN) {
		log_warn("ISAKMP SA %s: nonce from %s has %zu bytes, outside "
		    "8..256 (RFC 2409 section 5); message dropped",
		    p1->p1_cookies, p1->p1_peer, n->pl_u.data.len);
		return (ERR_MALFORMED);
	}
	peer_ke = p1->p1_initiator ? &p1->p1_gxr : &p1->p1_gxi;
	peer_n = p1->p1_initiator ? &p1->p1_nr : &p1->p1_ni;
	wbuf_reset(peer_ke);
	wbuf_reset(peer_n);
	if (wbuf_put(peer_ke, ke->pl_u.data.data, ke->pl_u.data.len) != 0 ||
	    wbuf_put(peer_n, n->pl_u.data.data, n->pl_u.data.len) != 0)
		return (ERR_NOMEM);
	return (0);
}

/* g^xy, SKEYID, SKEYID_d/a/e, the key and the first IV (RFC 2409 5). */
static int
ike_mm_derive(struct ike_p1 *p1)
{
	const struct config_psk	*psk = NULL;
	const uint8_t		*peer;
	struct wbuf		 iv;
	const char		*why = NULL;
	size_t			 keylen, peer_len;
	int			 rc, sig = ike_cert_is_sig(p1->p1_auth);
	int			 pke = ike_pke_is(p1->p1_auth);

	if (!sig && !pke && (psk = ike_mm_psk(p1)) == NULL)
		return (ERR_CONFIG);
	peer = p1->p1_initiator ? p1->p1_gxr.wb_data : p1->p1_gxi.wb_data;
	peer_len = p1->p1_initiator ? p1->p1_gxr.wb_len : p1->p1_gxi.wb_len;
	if (p1->p1_dhjob != NULL) {
		rc = dh_derive_finish(p1->p1_dhjob, &p1->p1_gxy, &why);
		p1->p1_dhjob = NULL;
	} else
		rc = dh_key_derive(p1->p1_dh, peer, peer_len, &p1->p1_gxy,
		    &why);
	if (rc != 0) {
		log_warn("ISAKMP SA %s: Diffie-Hellman with %s failed: %s",
		    p1->p1_cookies, p1->p1_peer, why ? why : err_str(rc));
		return (rc);
	}
	/*
	 * RFC 2409 5: SKEYID = prf(Ni_b | Nr_b, g^xy) for signatures and
	 * prf(hash(Ni_b | Nr_b), CKY-I | CKY-R) for public key encryption.
	 */
	if (pke)
		rc = ikev1_skeyid_pke(p1->p1_hash, p1->p1_ni.wb_data,
		    p1->p1_ni.wb_len, p1->p1_nr.wb_data, p1->p1_nr.wb_len,
		    p1->p1_icookie, p1->p1_rcookie, &p1->p1_skeyid);
	else if (sig)
		rc = ikev1_skeyid_sig(p1->p1_hash, p1->p1_ni.wb_data,
		    p1->p1_ni.wb_len, p1->p1_nr.wb_data, p1->p1_nr.wb_len,
		    p1->p1_gxy.wb_data, p1->p1_gxy.wb_len, &p1->p1_skeyid);
	else
		rc = ikev1_skeyid_psk(p1->p1_hash, psk->ps_key.wb_data,
		    psk->ps_key.wb_len, p1->p1_ni.wb_data, p1->p1_ni.wb_len,
		    p1->p1_nr.wb_data, p1->p1_nr.wb_len, &p1->p1_skeyid);
	if (rc != 0)
		return (rc);
	if ((rc = ikev1_skeyid_derive(p1->p1_hash, p1->p1_skeyid.wb_data,
	    p1->p1_skeyid.wb_len, p1->p1_gxy.wb_data, p1->p1_gxy.wb_len,
	    p1->p1_icookie, p1->p1_rcookie, &p1->p1_skeyid_d,
	    &p1->p1_skeyid_a, &p1->p1_skeyid_e)) != 0)
		return (rc);
	if ((rc = cipher_key_length(p1->p1_encr, p1->p1_encr ==
	    CIPHER_AES_CBC ? p1->p1_keybits : 0, &keylen)) != 0 ||
	    (rc = ikev1_key_expand(p1->p1_hash, p1->p1_skeyid_e.wb_data,
	    p1->p1_skeyid_e.wb_len, keylen, &p1->p1_key)) != 0)
		return (rc);
	cipher_ctx_free(p1->p1_cipher);
	p1->p1_cipher = NULL;
	if ((rc = cipher_ctx_new(&p1->p1_cipher, p1->p1_encr,
	    p1->p1_key.wb_data, p1->p1_key.wb_len)) != 0)
		return (rc);
	p1->p1_blocklen = cipher_block_size(p1->p1_encr);
	wbuf_init(&iv, 0);
	rc = ikev1_phase1_iv(p1->p1_hash, p1->p1_gxi.wb_data,
	    p1->p1_gxi.wb_len, p1->p1_gxr.wb_data, p1->p1_gxr.wb_len,
	    p1->p1_blocklen, &iv);
	if (rc == 0)
		memcpy(p1->p1_iv, iv.wb_data, p1->p1_blocklen);
	wbuf_free(&iv);
	log_debug(D_KEY, "ISAKMP SA %s: keys derived (%s, %zu-byte key)",
	    p1->p1_cookies, cipher_name(p1->p1_encr), keylen);
	return (rc);
}

static int
ike_mm_i_mm2(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*sa;
	int				 rc;

	sa = isakmp_msg_find(msg, ISAKMP_PL_SA, 0);
	if ((rc = ike_prop_p1_accept(p1, &sa->pl_u.sa)) != 0)
		return (ISAKMP_N_NO_PROPOSAL_CHOSEN);
	ike_natt_parse_vids(p1, msg);
	p1->p1_state = IKE_P1_MM_I2;
	if ((rc = ike_mm_send_clear(p1, ike_mm_add_ke_nonce, 1)) != 0)
		return (IKE_MM_FAIL);
	return (0);
}

/*
 * The responder needs the keys only when MM5 arrives, so g^xy is
 * computed in the Diffie-Hellman threads while MM4 travels.  Without
 * threads, without a preshared key, or when the peer's value fails a
 * check, ike_mm_derive() runs now and logs what failed.
 */
static int
ike_mm_derive_later(struct ike_p1 *p1)
{
	if ((ike_cert_is_sig(p1->p1_auth) || ike_pke_is(p1->p1_auth) ||
	    ike_mm_psk(p1) != NULL) && dh_derive_start(p1->p1_dh,
	    p1->p1_gxi.wb_data, p1->p1_gxi.wb_len, &p1->p1_dhjob) == 0)
		return (0);
	return (ike_mm_derive(p1));
}

int
ike_mm_keys(struct ike_p1 *p1)
{
	if (p1->p1_dhjob == NULL)
		return (0);
	return (ike_mm_derive(p1));
}

static int
ike_mm_r_mm3(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	if (ike_mm_take_ke_nonce(p1, msg) != 0)
		return (ISAKMP_N_INVALID_KEY_INFORMATION);
	if (ike_natt_check_natd(p1, msg) != 0)
		return (IKE_MM_FAIL);
	p1->p1_state = IKE_P1_MM_R2;
	if (ike_mm_send_clear(p1, ike_mm_add_ke_nonce, 1) != 0)
		return (IKE_MM_FAIL);
	if (ike_mm_derive_later(p1) != 0)
		return (IKE_MM_FAIL);
	if (p1->p1_nat_local && p1->p1_natt != IKE_NATT_NONE)
		p1->p1_keepalive = p1->p1_eng->e_now + IKE_KEEPALIVE_MS;
	return (0);
}

/* The ID payload body of Phase 1: our address (RFC 2407 4.6.2). */
static int
ike_mm_id_body(struct ike_p1 *p1, struct wbuf *id)
{
	struct config_ip	ip;
	int			rc;

	if ((rc = config_ip_from_sockaddr(&ip, &p1->p1_local)) != 0)
		return (rc);
	wbuf_reset(id);
	wbuf_put_u8(id, ip.family == AF_INET ? ISAKMP_ID_IPV4_ADDR :
	    ISAKMP_ID_IPV6_ADDR);
	wbuf_put_u8(id, 0);
	wbuf_put_u16(id, 0);
	return (wbuf_put(id, ip.addr, ip.family == AF_INET ? 4 : 16));
}

/*
 * HASH_I or HASH_R over the ID payload body id_b.  With an ECDSA method
 * the PRF is HMAC with the method's hash (SHA-256, SHA-384, SHA-512),
 * not the negotiated one, so that the signed hash fits the curve
 * (RFC 4754 section 4; strongSwan does the same).
 */
static int
ike_mm_auth_hash(struct ike_p1 *p1, int of_initiator, const uint8_t *id_b,
    size_t id_len, struct wbuf *out)
{
	struct ikev1_auth_input	in;
	enum hash_alg		prf = (enum hash_alg)p1->p1_hash;

	switch (p1->p1_auth) {
	case ISAKMP_AUTH_ECDSA_SHA256_P256:
		prf = HASH_SHA256;
		break;
	case ISAKMP_AUTH_ECDSA_SHA384_P384:
		prf = HASH_SHA384;
		break;
	case ISAKMP_AUTH_ECDSA_SHA512_P521:
		prf = HASH_SHA512;
		break;
	}

	memset(&in, 0, sizeof(in));
	in.ai_gxi = p1->p1_gxi.wb_data;
	in.ai_gxi_len = p1->p1_gxi.wb_len;
	in.ai_gxr = p1->p1_gxr.wb_data;
	in.ai_gxr_len = p1->p1_gxr.wb_len;
	in.ai_cky_i = p1->p1_icookie;
	in.ai_cky_r = p1->p1_rcookie;
	in.ai_sai_b = p1->p1_sai_b.wb_data;
	in.ai_sai_b_len = p1->p1_sai_b.wb_len;
	in.ai_id_b = id_b;
	in.ai_id_b_len = id_len;
	if (of_initiator)
		return (ikev1_hash_i(prf, p1->p1_skeyid.wb_data,
		    p1->p1_skeyid.wb_len, &in, out));
	return (ikev1_hash_r(prf, p1->p1_skeyid.wb_data,
	    p1->p1_skeyid.wb_len, &in, out));
}

/*
 * Whether remote is the same peer as p1's: the address, and behind a NAT
 * also the port, because several peers may share the NAT's address.
 */
static int
ike_mm_same_peer(const struct ike_p1 *p1, const struct sockaddr_storage *ss)
{
	struct config_ip	a, b;

	if (p1->p1_nat_remote)
		return (ike_addr_eq(&p1->p1_remote, ss));
	if (config_ip_from_sockaddr(&a, &p1->p1_remote) != 0 ||
	    config_ip_from_sockaddr(&b, ss) != 0)
		return (0);
	return (config_ip_cmp(&a, &b) == 0);
}

static int
ike_mm_same_child_peer(const struct ike_p1 *p1, const struct ike_child *ch)
{
	struct sockaddr_storage	remote;

	ike_child_remote(ch, &remote);
	return (ike_mm_same_peer(p1, &remote));
}

/* No other SA with this peer exists: MM5 carries INITIAL-CONTACT. */
static int
ike_mm_first_contact(const struct ike_p1 *p1)
{
	const struct ike_engine	*eng = p1->p1_eng;
	const struct ike_p1	*o;
	const struct ike_child	*ch;

	if (!p1->p1_peer_hashed)
		return (1);
	for (o = ike_p1_peer_first(eng, &p1->p1_peer_ip); o != NULL;
	    o = ike_p1_peer_next(o))
		if (o != p1 && o->p1_state != IKE_P1_DEAD &&
		    ike_mm_same_peer(p1, &o->p1_remote))
			return (0);
	for (ch = ike_child_peer_first(eng, &p1->p1_peer_ip); ch != NULL;
	    ch = ike_child_peer_next(ch))
		if (ike_mm_same_child_peer(p1, ch))
			return (0);
	return (1);
}

/*
 * INITIAL-CONTACT (RFC 2407 4.6.3.3): the peer has no state from before
 * this SA, so every other SA with it is stale.  They go without a
 * Delete, which the peer could not read anyway.
 */
static void
ike_mm_initial_contact(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	struct ike_engine		*eng = p1->p1_eng;
	const struct isakmp_payload	*pl;
	struct ike_child		*ch, *next;
	struct ike_p1			*o;
	size_t				 i;
	unsigned int			 np1 = 0, nchild = 0;

	for (i = 0; i < msg->m_npayloads; i++) {
		pl = &msg->m_payloads[i];
		if (pl->pl_type == ISAKMP_PL_N &&
		    pl->pl_u.n.n_type == ISAKMP_N_INITIAL_CONTACT)
			break;
	}
	if (i == msg->m_npayloads)
		return;
	if (p1->p1_peer_hashed) {
		for (o = ike_p1_peer_first(eng, &p1->p1_peer_ip); o != NULL;
		    o = ike_p1_peer_next(o))
			if (o != p1 && o->p1_state != IKE_P1_DEAD &&
			    ike_mm_same_peer(p1, &o->p1_remote)) {
				ike_p1_kill(o,
				    "the peer restarted (INITIAL-CONTACT)");
				np1++;
			}
		for (ch = ike_child_peer_first(eng, &p1->p1_peer_ip);
		    ch != NULL; ch = next) {
			next = ike_child_peer_next(ch);
			if (ike_mm_same_child_peer(p1, ch)) {
				ike_child_delete(eng, ch, 0);
				nchild++;
			}
		}
	}
	/*
	 * Many peers send it on every first contact, so only removals are
	 * logged at info.
	 */
	if (np1 == 0 && nchild == 0)
		log_debug(D_P1, "ISAKMP SA %s: INITIAL-CONTACT from %s (rule "
		    "\"%s\"): no older SAs with this peer", p1->p1_cookies,
		    p1->p1_peer, p1->p1_label);
	else
		log_info("ISAKMP SA %s: INITIAL-CONTACT from %s (rule \"%s\"): "
		    "removed %u older ISAKMP SAs and %u IPsec SA pairs with "
		    "this peer", p1->p1_cookies, p1->p1_peer, p1->p1_label,
		    np1, nchild);
}

/* MM5 or MM6: ID and HASH, or ID, CERT and SIG; encrypted. */
static int
ike_mm_send_auth(struct ike_p1 *p1, int retransmit)
{
	struct certstore_entry	e;
	struct isakmp_builder	b;
	struct isakmp_hdr	h;
	struct wbuf		body, id, hash, out;
	int			rc, sig = ike_cert_is_sig(p1->p1_auth);
	int			pke = ike_pke_is(p1->p1_auth);

	wbuf_init(&body, 0);
	wbuf_init(&id, 0);
	wbuf_init(&hash, 1);
	wbuf_init(&out, 0);
	/* With public key encryption the identity went in MM3 or MM4. */
	if (pke)
		rc = wbuf_put(&id, ike_pke_id(p1, 1)->wb_data,
		    ike_pke_id(p1, 1)->wb_len);
	else if (sig)
		rc = ike_cert_local(p1, &e);
	else
		rc = ike_mm_id_body(p1, &id);
	if (rc != 0 || (sig && (rc = ike_cert_id_body(p1, &e, &id)) != 0) ||
	    (rc = ike_mm_auth_hash(p1, p1->p1_initiator, id.wb_data,
	    id.wb_len, &hash)) != 0)
		goto out;
	isakmp_build_init_body(&b, &body);
	if (!pke)
		isakmp_build_data(&b, ISAKMP_PL_ID, id.wb_data, id.wb_len);
	if (sig)
		ike_cert_add_auth(p1, &e, &b, hash.wb_data, hash.wb_len);
	else
		isakmp_build_data(&b, ISAKMP_PL_HASH, hash.wb_data,
		    hash.wb_len);
	if (p1->p1_initiator && ike_mm_first_contact(p1)) {
		struct isakmp_notify	n;
		uint8_t			spi[2 * ISAKMP_COOKIE_LEN];

		memcpy(spi, p1->p1_icookie, ISAKMP_COOKIE_LEN);
		memcpy(spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie,
		    ISAKMP_COOKIE_LEN);
		memset(&n, 0, sizeof(n));
		n.n_doi = ISAKMP_DOI_IPSEC;
		n.n_proto = ISAKMP_PROTO_ISAKMP;
		n.n_spi_size = sizeof(spi);
		n.n_spi = spi;
		n.n_type = ISAKMP_N_INITIAL_CONTACT;
		isakmp_build_notify(&b, &n);
	}
	if ((rc = isakmp_build_finish(&b)) != 0)
		goto out;
	ike_hdr_fill(p1, &h, ISAKMP_EX_IDPROT, 0, 1);
	h.h_next = b.b_first;
	if ((rc = ike_msg_encrypt(p1, &out, &h, &body, p1->p1_iv)) != 0)
		goto out;
	rc = ike_xmit_send(p1, &p1->p1_xmit, &out, retransmit);
out:
	wbuf_free(&body);
	wbuf_free(&id);
	wbuf_free(&hash);
	wbuf_free(&out);
	return (rc);
}

static int
ike_mm_i_mm4(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	if (ike_mm_take_ke_nonce(p1, msg) != 0)
		return (ISAKMP_N_INVALID_KEY_INFORMATION);
	if (ike_natt_check_natd(p1, msg) != 0 || ike_mm_derive(p1) != 0)
		return (IKE_MM_FAIL);
	ike_natt_float(p1);
	p1->p1_state = IKE_P1_MM_I3;
	if (ike_mm_send_auth(p1, 1) != 0)
		return (IKE_MM_FAIL);
	return (0);
}

/*
 * Check the peer's HASH_I or HASH_R.  A mismatch with a preshared key
 * almost always means the two sides have different keys.
 */
static int
ike_mm_verify(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*id, *hp;
	struct wbuf			 want;
	int				 rc, ok;

	id = isakmp_msg_find(msg, ISAKMP_PL_ID, 0);
	hp = isakmp_msg_find(msg, ISAKMP_PL_HASH, 0);
	wbuf_init(&want, 1);
	if ((rc = ike_mm_auth_hash(p1, !p1->p1_initiator, id->pl_body,
	    id->pl_body_len, &want)) != 0)
		goto out;
	ok = hp->pl_u.data.len == want.wb_len &&
	    util_memeq_ct(hp->pl_u.data.data, want.wb_data, want.wb_len);
	if (!ok) {
		log_err("authentication failed for peer %s (cookies %s, rule "
		    "\"%s\"): %s mismatch, check the preshared key",
		    p1->p1_peer, p1->p1_cookies, p1->p1_label,
		    p1->p1_initiator ? "HASH_R" : "HASH_I");
		p1->p1_rx_hash_errs++;
		rc = ERR_AUTH;
	}
out:
	wbuf_free(&want);
	return (rc);
}

/*
 * Printable text of identity data from the peer for a log line: quotes
 * and backslashes get a backslash, other bytes outside printable ASCII
 * become \xNN.  Data that does not fit ends in "...".
 */
static void
ike_mm_id_escape(const uint8_t *p, size_t len, char *out, size_t outsize)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++) {
		if (n + 8 >= outsize) {
			(void)snprintf(out + n, outsize - n, "...");
			return;
		}
		if (p[i] == '"' || p[i] == '\\')
			n += (size_t)snprintf(out + n, outsize - n, "\\%c",
			    p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			out[n++] = (char)p[i];
		else
			n += (size_t)snprintf(out + n, outsize - n, "\\x%02x",
			    p[i]);
	}
	out[n] = '\0';
}

/* The ike.preshared remoteidtype keyword of a name identity. */
static const char *
ike_mm_id_keyword(uint8_t type)
{
	switch (type) {
	case ISAKMP_ID_FQDN:
		return ("fqdn");
	case ISAKMP_ID_USER_FQDN:
		return ("user_fqdn");
	case ISAKMP_ID_KEY_ID:
		return ("keyid");
	}
	return (NULL);
}

/* Log a rejected name identity with the entry that would accept it. */
static void
ike_mm_log_bad_id(struct ike_p1 *p1, const struct isakmp_id *id)
{
	char		 text[160], local[64];
	const char	*kw = ike_mm_id_keyword(id->id_type);

	ike_mm_id_escape(id->id_data, id->id_len, text, sizeof(text));
	ike_addr_str(&p1->p1_local, local, sizeof(local));
	if (strchr(local, '[') != NULL)
		*strchr(local, '[') = '\0';
	if (kw == NULL) {
		log_warn("ISAKMP SA %s: peer %s sent a %s identity that no "
		    "ike.preshared entry for this peer names: \"%s\"; "
		    "rejected (rule \"%s\"); with preshared keys the peer "
		    "must identify itself by its address or an FQDN, "
		    "USER_FQDN or KEY_ID identity", p1->p1_cookies,
		    p1->p1_peer, isakmp_id_type_name(id->id_type), text,
		    p1->p1_label);
		return;
	}
	log_warn("ISAKMP SA %s: peer %s sent a %s identity that no "
	    "ike.preshared entry for this peer names: \"%s\"; rejected (rule "
	    "\"%s\"); to accept it, add an entry with localidtype IP, "
	    "localid %s, remoteidtype %s, remoteid \"%s\" and the key of "
	    "this peer's address entry", p1->p1_cookies, p1->p1_peer,
	    isakmp_id_type_name(id->id_type), text, p1->p1_label, local, kw,
	    text);
}

/*
 * Whether a name identity is named by an ike.preshared entry with the
 * key that Main Mode used, which the peer has just proven to know.
 */
static int
ike_mm_id_has_key(const struct config_psk *by_id, const struct config_psk *used)
{
	if (by_id == NULL || used == NULL)
		return (0);
	if (by_id == used)
		return (1);
	return (by_id->ps_key.wb_len == used->ps_key.wb_len &&
	    util_memeq_ct(by_id->ps_key.wb_data, used->ps_key.wb_data,
	    used->ps_key.wb_len));
}

/*
 * The peer's Phase 1 identity.  With preshared keys the key was chosen
 * by address, so an address identity must be the peer's address, unless
 * a NAT is in between (the identity is then its private address).  A
 * name identity must be named by an entry for our address with the same
 * key.
 */
static int
ike_mm_check_id(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*pl;
	const struct isakmp_id		*id;
	const struct config_psk		*by_id;
	struct config_psk_id		 lid, rid;
	struct config_ip		 ip, l;
	char				 name[256];
	size_t				 alen;

	pl = isakmp_msg_find(msg, ISAKMP_PL_ID, 0);
	id = &pl->pl_u.id;
	if (id->id_type == ISAKMP_ID_IPV4_ADDR ||
	    id->id_type == ISAKMP_ID_IPV6_ADDR) {
		memset(&ip, 0, sizeof(ip));
		ip.family = id->id_type == ISAKMP_ID_IPV4_ADDR ? AF_INET :
		    AF_INET6;
		alen = ip.family == AF_INET ? 4 : 16;
		if (id->id_len != alen)
			return (ERR_MALFORMED);
		memcpy(ip.addr, id->id_data, alen);
		if (config_ip_from_sockaddr(&l, &p1->p1_remote) != 0)
			return (ERR_MALFORMED);
		if (p1->p1_nat_remote || config_ip_cmp(&ip, &l) == 0)
			return (0);
		log_warn("ISAKMP SA %s: peer %s identifies itself by another "
		    "address; rejected (rule \"%s\"); with preshared keys the "
		    "identity must be the peer's address", p1->p1_cookies,
		    p1->p1_peer, p1->p1_label);
		return (ERR_AUTH);
	}
	if (id->id_type != ISAKMP_ID_FQDN &&
	    id->id_type != ISAKMP_ID_USER_FQDN &&
	    id->id_type != ISAKMP_ID_KEY_ID)
		goto bad;
	if (id->id_len == 0 || id->id_len >= sizeof(name))
		goto bad;
	memcpy(name, id->id_data, id->id_len);
	name[id->id_len] = '\0';
	memset(&lid, 0, sizeof(lid));
	memset(&rid, 0, sizeof(rid));
	if (config_ip_from_sockaddr(&l, &p1->p1_local) != 0)
		return (ERR_MALFORMED);
	lid.pi_type = l.family == AF_INET ? CONFIG_ID_IPV4_ADDR :
	    CONFIG_ID_IPV6_ADDR;
	lid.pi_range.lo = lid.pi_range.hi = l;
	rid.pi_type = id->id_type;
	rid.pi_name = name;
	by_id = config_psk_find_id(p1->p1_eng->e_cfg, &lid, &rid);
	if (ike_mm_id_has_key(by_id, ike_mm_psk(p1)))
		return (0);
bad:
	ike_mm_log_bad_id(p1, id);
	return (ERR_AUTH);
}

/*
 * Authenticate MM5 or MM6 with public key encryption: HASH_I or HASH_R
 * over the identity decrypted from MM3 or MM4.  A nonce or identity that
 * did not decrypt, or decrypted to a wrong value, fails here (or earlier,
 * as an MM5 or MM6 that does not decrypt) exactly as a wrong key does.
 */
static int
ike_mm_authenticate_pke(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*hp;
	const struct wbuf		*id = ike_pke_id(p1, 0);
	struct wbuf			 want;
	int				 ok;

	hp = isakmp_msg_find(msg, ISAKMP_PL_HASH, 0);
	wbuf_init(&want, 1);
	if (ike_mm_auth_hash(p1, !p1->p1_initiator, id->wb_data, id->wb_len,
	    &want) != 0) {
		wbuf_free(&want);
		return (IKE_MM_FAIL);
	}
	ok = hp->pl_u.data.len == want.wb_len &&
	    util_memeq_ct(hp->pl_u.data.data, want.wb_data, want.wb_len);
	wbuf_free(&want);
	if (!ok) {
		log_err("authentication failed for peer %s (cookies %s, rule "
		    "\"%s\"): %s mismatch, %s", p1->p1_peer, p1->p1_cookies,
		    p1->p1_label, p1->p1_initiator ? "HASH_R" : "HASH_I",
		    ike_mm_key_hint(p1));
		p1->p1_rx_hash_errs++;
		return (ISAKMP_N_INVALID_HASH_INFORMATION);
	}
	return (ike_pke_check_peer(p1));
}

/*
 * Authenticate MM5 or MM6: the HASH with a preshared key, the SIG and
 * certificate otherwise.  Returns 0 or the Notify type to answer with.
 */
static int
ike_mm_authenticate(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*id;
	struct wbuf			 want;
	int				 rc;

	if (ike_pke_is(p1->p1_auth))
		return (ike_mm_authenticate_pke(p1, msg));
	if (!ike_cert_is_sig(p1->p1_auth)) {
		if (isakmp_msg_find(msg, ISAKMP_PL_HASH, 0) == NULL) {
			log_err("authentication failed for peer %s (cookies "
			    "%s, rule \"%s\"): no HASH payload, but preshared "
			    "keys were agreed", p1->p1_peer, p1->p1_cookies,
			    p1->p1_label);
			return (ISAKMP_N_PAYLOAD_MALFORMED);
		}
		if (ike_mm_verify(p1, msg) != 0)
			return (ISAKMP_N_INVALID_HASH_INFORMATION);
		if (ike_mm_check_id(p1, msg) != 0)
			return (ISAKMP_N_INVALID_ID_INFORMATION);
		return (0);
	}
	id = isakmp_msg_find(msg, ISAKMP_PL_ID, 0);
	wbuf_init(&want, 1);
	if (ike_mm_auth_hash(p1, !p1->p1_initiator, id->pl_body,
	    id->pl_body_len, &want) != 0)
		rc = IKE_MM_FAIL;
	else
		rc = ike_cert_verify(p1, msg, want.wb_data, want.wb_len);
	wbuf_free(&want);
	return (rc);
}

static void
ike_mm_take_float(struct ike_p1 *p1, const struct ike_packet *pk)
{
	/* RFC 3947 section 4: follow the peer to port 4500. */
	if (ike_addr_port(&pk->pk_local) != IKE_NATT_PORT)
		return;
	p1->p1_floated = 1;
	p1->p1_local = pk->pk_local;
	p1->p1_remote = pk->pk_remote;
	ike_p1_peer_rehash(p1);
	ike_addr_str(&p1->p1_remote, p1->p1_peer, sizeof(p1->p1_peer));
}

static int
ike_mm_r_mm5(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	int	rc;

	if ((rc = ike_mm_authenticate(p1, msg)) != 0)
		return (rc);
	ike_mm_take_float(p1, pk);
	ike_mm_initial_contact(p1, msg);
	p1->p1_xmit.x_next = 0;
	if (ike_mm_send_auth(p1, 0) != 0)
		return (IKE_MM_FAIL);
	memcpy(p1->p1_last_block, p1->p1_iv, p1->p1_blocklen);
	ike_p1_established(p1);
	return (0);
}

static int
ike_mm_i_mm6(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	int	rc;

	if ((rc = ike_mm_authenticate(p1, msg)) != 0)
		return (rc);
	ike_mm_initial_contact(p1, msg);
	/* MM6 gets no response, so a repeat of it must not resend MM5. */
	p1->p1_xmit.x_next = 0;
	wbuf_reset(&p1->p1_xmit.x_msg);
	memcpy(p1->p1_last_block, p1->p1_iv, p1->p1_blocklen);
	ike_p1_established(p1);
	return (0);
}

static const struct ike_mm_step *
ike_mm_step_find(const struct ike_p1 *p1)
{
	const struct ike_mm_step	*steps = ike_mm_steps;
	size_t				 i, n = UTIL_NELEM(ike_mm_steps);

	if (ike_pke_is(p1->p1_auth)) {
		steps = ike_mm_pke_steps;
		n = UTIL_NELEM(ike_mm_pke_steps);
	}
	for (i = 0; i < n; i++)
		if (steps[i].ms_state == p1->p1_state &&
		    steps[i].ms_initiator == p1->p1_initiator)
			return (&steps[i]);
	return (NULL);
}

/* An unencrypted MM3 or MM4 whose KE, ID and Nonce are ciphertext. */
static int
ike_mm_parse_pke(const struct ike_packet *pk, struct isakmp_msg *msg,
    struct isakmp_error *err)
{
	int	rc;

	memset(msg, 0, sizeof(*msg));
	if ((rc = isakmp_hdr_parse(pk->pk_data, pk->pk_len, &msg->m_hdr,
	    err)) != 0)
		return (rc);
	rc = isakmp_payloads_parse(msg, msg->m_hdr.h_next,
	    pk->pk_data + ISAKMP_HDR_LEN, pk->pk_len - ISAKMP_HDR_LEN,
	    ISAKMP_HDR_LEN, ISAKMP_PARSE_ENCRYPTED_AUTH, err);
	if (rc != 0)
		isakmp_msg_free(msg);
	return (rc);
}

/* Decrypt or parse a message for a step; logs and returns non-zero. */
static int
ike_mm_open(struct ike_p1 *p1, const struct ike_mm_step *st,
    const struct ike_packet *pk, const struct isakmp_hdr *hdr,
    struct wbuf *plain, struct isakmp_msg *msg)
{
	struct isakmp_error	err;
	int			rc;

	if (st->ms_encrypted != ((hdr->h_flags & ISAKMP_FLAG_ENC) != 0)) {
		if (log_ratelimit_pass(&ike_mm_rl))
			log_warn("ISAKMP SA %s: %s from %s is %sencrypted, "
			    "which RFC 2409 does not allow; dropped",
			    p1->p1_cookies, st->ms_name, p1->p1_peer,
			    st->ms_encrypted ? "not " : "");
		return (ISAKMP_N_INVALID_FLAGS);
	}
	if (st->ms_encrypted && ike_mm_keys(p1) != 0)
		return (IKE_MM_FAIL);
	if (!st->ms_encrypted && ike_pke_is(p1->p1_auth))
		rc = ike_mm_parse_pke(pk, msg, &err);
	else if (!st->ms_encrypted)
		rc = isakmp_msg_parse(pk->pk_data, pk->pk_len, msg, &err);
	else
		rc = ike_msg_decrypt(p1, pk, hdr, p1->p1_iv, plain, msg,
		    &err);
	if (rc == 0)
		return (0);
	if (st->ms_encrypted && ike_pke_is(p1->p1_auth)) {
		/*
		 * The keys differ.  The parse error is left out, because it
		 * depends only on random bytes and would tell nothing.
		 */
		log_err("authentication failed for peer %s (cookies %s, rule "
		    "\"%s\"): %s does not decrypt to valid payloads, %s",
		    p1->p1_peer, p1->p1_cookies, p1->p1_label, st->ms_name,
		    ike_mm_key_hint(p1));
		return (ISAKMP_N_PAYLOAD_MALFORMED);
	}
	if (st->ms_encrypted) {
		/* Garbage after decryption: the keys differ. */
		log_err("authentication failed for peer %s (cookies %s, rule "
		    "\"%s\"): %s does not decrypt to valid payloads (%s), "
		    "check the preshared key", p1->p1_peer, p1->p1_cookies,
		    p1->p1_label, st->ms_name, err.ie_msg);
		return (ISAKMP_N_PAYLOAD_MALFORMED);
	}
	if (log_ratelimit_pass(&ike_mm_rl))
		log_warn("ISAKMP SA %s: malformed %s from %s dropped: %s",
		    p1->p1_cookies, st->ms_name, p1->p1_peer, err.ie_msg);
	return (IKE_MM_DROP);
}

/*
 * Send the Notify that rejects a message.  When the message decrypted
 * with the Phase 1 keys, the Notify goes encrypted under HASH(1) with
 * the cookies as its SPI, because strongSwan and libreswan ignore an
 * unencrypted Notify once the keys exist.  Before MM4, or when the
 * message did not decrypt (the keys differ, so the peer could not read
 * an encrypted Notify either), it goes unencrypted.
 */
static void
ike_mm_reject(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr, int type, int decrypted)
{
	uint8_t	spi[2 * ISAKMP_COOKIE_LEN];

	if (!decrypted || !ike_info_mm_keyed(p1)) {
		(void)ike_info_send_notify_clear(p1->p1_eng, pk, hdr,
		    (uint16_t)type);
		return;
	}
	memcpy(spi, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	(void)ike_info_send_notify(p1, (uint16_t)type, ISAKMP_PROTO_ISAKMP,
	    spi, sizeof(spi));
}

static void
ike_mm_drop_cookie(struct ike_engine *eng, const struct ike_packet *pk,
    const char *which)
{
	char	peer[64];

	eng->e_stats.st_rx_dropped++;
	if (!log_ratelimit_pass(&ike_mm_rl))
		return;
	ike_addr_str(&pk->pk_remote, peer, sizeof(peer));
	log_warn("Main Mode message from %s dropped: its %s cookie is zero, "
	    "which RFC 2408 section 2.5.3 does not allow", peer, which);
}

void
ike_mm_input(struct ike_engine *eng, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr)
{
	static const uint8_t		 zero[ISAKMP_COOKIE_LEN];
	const struct ike_mm_step	*st;
	struct ike_p1			*p1;
	struct isakmp_msg		 msg;
	struct isakmp_error		 err;
	struct wbuf			 plain;
	char				 what[32], peer[64];
	int				 rc, decrypted = 0;

	/*
	 * RFC 2408 2.5.3: a cookie is never zero.  Only MM1 and its
	 * retransmissions (and a Notify about it) carry a zero responder
	 * cookie, so a message to our own initiator SA must not.
	 */
	if (memcmp(hdr->h_icookie, zero, ISAKMP_COOKIE_LEN) == 0) {
		ike_mm_drop_cookie(eng, pk, "initiator");
		return;
	}
	p1 = ike_p1_find(eng, hdr->h_icookie, hdr->h_rcookie, &pk->pk_remote);
	if (p1 != NULL && p1->p1_initiator &&
	    memcmp(hdr->h_rcookie, zero, ISAKMP_COOKIE_LEN) == 0) {
		ike_mm_drop_cookie(eng, pk, "responder");
		return;
	}
	if (p1 == NULL) {
		if (memcmp(hdr->h_rcookie, zero, ISAKMP_COOKIE_LEN) != 0 ||
		    (hdr->h_flags & ISAKMP_FLAG_ENC) != 0) {
			eng->e_stats.st_rx_dropped++;
			if (log_ratelimit_pass(&ike_mm_rl)) {
				ike_addr_str(&pk->pk_remote, peer,
				    sizeof(peer));
				log_debug(D_P1, "Main Mode message from %s for "
				    "unknown cookies dropped", peer);
			}
			return;
		}
		if (isakmp_msg_parse(pk->pk_data, pk->pk_len, &msg,
		    &err) != 0) {
			eng->e_stats.st_rx_dropped++;
			if (log_ratelimit_pass(&ike_mm_rl)) {
				ike_addr_str(&pk->pk_remote, peer,
				    sizeof(peer));
				log_warn("malformed MM1 from %s dropped: %s",
				    peer, err.ie_msg);
			}
			return;
		}
		ike_mm_r_mm1(eng, pk, hdr, &msg);
		isakmp_msg_free(&msg);
		return;
	}
	if (p1->p1_state == IKE_P1_DEAD)
		return;
	if (ike_xmit_is_dup(p1, &p1->p1_xmit, pk))
		return;
	if ((st = ike_mm_step_find(p1)) == NULL) {
		eng->e_stats.st_rx_dropped++;
		log_debug(D_P1, "ISAKMP SA %s: Main Mode message from %s in "
		    "state %s dropped", p1->p1_cookies, p1->p1_peer,
		    ike_p1_state_name(p1->p1_state));
		return;
	}
	if (p1->p1_state == IKE_P1_MM_I1)
		ike_p1_set_cookies(p1, NULL, hdr->h_rcookie);
	wbuf_init(&plain, 1);
	rc = ike_mm_open(p1, st, pk, hdr, &plain, &msg);
	if (rc == 0) {
		decrypted = st->ms_encrypted;
		snprintf(what, sizeof(what), "received %s", st->ms_name);
		ike_msg_print(what, p1, &msg, D_P1);
		rc = ike_payload_check(p1, &msg, st->ms_required,
		    st->ms_allowed, st->ms_name);
		if (rc == 0) {
			ike_xmit_store_rx(&p1->p1_xmit, pk);
			rc = st->ms_fn(p1, pk, &msg);
		}
		isakmp_msg_free(&msg);
	}
	wbuf_free(&plain);
	if (rc == 0)
		return;
	eng->e_stats.st_rx_dropped++;
	if (p1->p1_state == IKE_P1_MM_I1)
		ike_p1_set_cookies(p1, NULL, zero);
	/*
	 * A stray or malformed message leaves the SA waiting for the real
	 * one; a wrong key, no common proposal or our own failure ends the
	 * exchange.
	 */
	switch (rc) {
	case IKE_MM_DROP:
	case ISAKMP_N_INVALID_FLAGS:
		break;
	case ISAKMP_N_INVALID_PAYLOAD_TYPE:
		ike_mm_reject(p1, pk, hdr, rc, decrypted);
		break;
	case ISAKMP_N_PAYLOAD_MALFORMED:
		ike_mm_reject(p1, pk, hdr, rc, decrypted);
		if (st->ms_encrypted)
			ike_p1_fail(p1, 0);
		break;
	case IKE_MM_FAIL:
		ike_p1_fail(p1, 0);
		break;
	default:
		ike_mm_reject(p1, pk, hdr, rc, decrypted);
		ike_p1_fail(p1, 0);
		break;
	}
}
