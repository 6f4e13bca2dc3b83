/*
 * Phase 2 Quick Mode (RFC 2409 section 5.5) and the IPsec SAs it
 * installs:
 *
 *   QM1 HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] [, NAT-OAi, NAT-OAr] ->
 *   <- QM2 HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, NAT-OA...]
 *   QM3 HDR*, HASH(3) ->
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dh.h"
#include "crypto/ikev1_kdf.h"
#include "crypto/prf.h"
#include "crypto/rand.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/rbuf.h"
#include "lib/util.h"

#define BIT(t)	(1u << (t))

static struct log_ratelimit ike_qm_rl = LOG_RATELIMIT_INIT(10, 20);

static struct ike_qm *
ike_qm_new(struct ike_p1 *p1, uint32_t msgid, int initiator)
{
	struct ike_qm	*qm;

	if ((qm = calloc(1, sizeof(*qm))) == NULL)
		return (NULL);
	qm->qm_p1 = p1;
	qm->qm_msgid = msgid;
	qm->qm_initiator = initiator;
	wbuf_init(&qm->qm_ni, 0);
	wbuf_init(&qm->qm_nr, 0);
	wbuf_init(&qm->qm_peer_ke, 0);
	wbuf_init(&qm->qm_peer_idi, 0);
	wbuf_init(&qm->qm_peer_idr, 0);
	ike_xmit_init(&qm->qm_xmit);
	TAILQ_INSERT_TAIL(&p1->p1_qms, qm, qm_entry);
	return (qm);
}

/*
 * Reserve our inbound SPI.  The kernel keeps the reservation (a larval
 * SA) until an SA uses it or ike_qm_free deletes it.
 */
static int
ike_qm_reserve_spi(struct ike_qm *qm)
{
	struct ike_p1	*p1 = qm->qm_p1;
	int		 rc;

	if ((rc = kernel_get_spi(p1->p1_eng->e_kernel,
	    (const struct sockaddr *)&p1->p1_remote,
	    (const struct sockaddr *)&p1->p1_local, KERNEL_PROTO_ESP,
	    ike_qm_reqid(qm), &qm->qm_spi_in)) != 0)
		return (rc);
	memset(&qm->qm_larval, 0, sizeof(qm->qm_larval));
	qm->qm_larval.id_src = p1->p1_remote;
	qm->qm_larval.id_dst = p1->p1_local;
	qm->qm_larval.id_spi = qm->qm_spi_in;
	qm->qm_larval.id_proto = KERNEL_PROTO_ESP;
	return (0);
}

/* A failed or timed-out exchange gives its reserved SPI back at once. */
static void
ike_qm_release_spi(struct ike_qm *qm)
{
	struct kernel	*k = qm->qm_p1->p1_eng->e_kernel;

	if (qm->qm_larval.id_spi == 0 || k == NULL)
		return;
	if (kernel_delete_sa(k, &qm->qm_larval) == 0)
		log_debug(D_P2, "ISAKMP SA %s: Quick Mode %08x released SPI "
		    "0x%08x", qm->qm_p1->p1_cookies, qm->qm_msgid,
		    qm->qm_larval.id_spi);
	qm->qm_larval.id_spi = 0;
}

static struct ike_qm_backoff *
ike_qm_backoff_find(struct ike_engine *eng, size_t spd,
    const struct config_ip *peer)
{
	size_t	i;

	for (i = 0; i < eng->e_nbackoff; i++)
		if (eng->e_backoff[i].bo_spd == spd &&
		    config_ip_cmp(&eng->e_backoff[i].bo_peer, peer) == 0)
			return (&eng->e_backoff[i]);
	return (NULL);
}

/* Milliseconds until a Quick Mode for spd with remote may start again. */
uint64_t
ike_qm_backoff_left(struct ike_engine *eng, size_t spd,
    const struct sockaddr_storage *remote)
{
	const struct ike_qm_backoff	*bo;
	struct config_ip		 ip;

	if (config_ip_from_sockaddr(&ip, remote) != 0 ||
	    (bo = ike_qm_backoff_find(eng, spd, &ip)) == NULL ||
	    eng->e_now >= bo->bo_until)
		return (0);
	return (bo->bo_until - eng->e_now);
}

/*
 * Record that the peer rejected our Quick Mode for qm's policy entry.
 * Returns the delay before the next attempt, in ms.  A full table gives
 * up the entry whose delay ends first.
 */
static uint64_t
ike_qm_backoff_add(struct ike_qm *qm)
{
	struct ike_engine	*eng = qm->qm_p1->p1_eng;
	struct ike_qm_backoff	*bo;
	struct config_ip	 ip;
	size_t			 i;

	if (config_ip_from_sockaddr(&ip, &qm->qm_p1->p1_remote) != 0)
		return (0);
	if ((bo = ike_qm_backoff_find(eng, qm->qm_spd, &ip)) == NULL) {
		if (eng->e_backoff == NULL && (eng->e_backoff = calloc(
		    IKE_QM_BACKOFF_SLOTS, sizeof(*eng->e_backoff))) == NULL)
			return (0);
		if (eng->e_nbackoff < IKE_QM_BACKOFF_SLOTS)
			bo = &eng->e_backoff[eng->e_nbackoff++];
		else {
			bo = &eng->e_backoff[0];
			for (i = 1; i < eng->e_nbackoff; i++)
				if (eng->e_backoff[i].bo_until < bo->bo_until)
					bo = &eng->e_backoff[i];
		}
		memset(bo, 0, sizeof(*bo));
		bo->bo_spd = qm->qm_spd;
		bo->bo_peer = ip;
	}
	if (bo->bo_delay == 0)
		bo->bo_delay = IKE_QM_BACKOFF_MIN_MS;
	else if (bo->bo_delay < IKE_QM_BACKOFF_MAX_MS / 2)
		bo->bo_delay *= 2;
	else
		bo->bo_delay = IKE_QM_BACKOFF_MAX_MS;
	bo->bo_until = eng->e_now + bo->bo_delay;
	return (bo->bo_delay);
}

/* A Quick Mode for qm's policy entry and peer succeeded. */
static void
ike_qm_backoff_forget(struct ike_qm *qm)
{
	struct ike_engine	*eng = qm->qm_p1->p1_eng;
	struct ike_qm_backoff	*bo;
	struct config_ip	 ip;

	if (eng->e_nbackoff == 0 ||
	    config_ip_from_sockaddr(&ip, &qm->qm_p1->p1_remote) != 0 ||
	    (bo = ike_qm_backoff_find(eng, qm->qm_spd, &ip)) == NULL)
		return;
	*bo = eng->e_backoff[--eng->e_nbackoff];
}

/* Policy entry numbers change with a new configuration. */
void
ike_qm_backoff_clear(struct ike_engine *eng)
{
	free(eng->e_backoff);
	eng->e_backoff = NULL;
	eng->e_nbackoff = 0;
}

/* Install the IPsec SAs; the reserved SPI then belongs to the SA. */
/* Free the nonces, the peer's IDs and KE, and the PFS key of qm. */
static void
ike_qm_free_material(struct ike_qm *qm)
{
	wbuf_free(&qm->qm_ni);
	wbuf_free(&qm->qm_nr);
	wbuf_free(&qm->qm_peer_ke);
	wbuf_free(&qm->qm_peer_idi);
	wbuf_free(&qm->qm_peer_idr);
	dh_derive_cancel(qm->qm_dhjob);
	qm->qm_dhjob = NULL;
	dh_key_free(qm->qm_dh);
	qm->qm_dh = NULL;
}

static int
ike_qm_finish(struct ike_qm *qm)
{
	int	rc;

	if ((rc = ike_qm_install(qm)) != 0)
		return (rc);
	ike_qm_backoff_forget(qm);
	qm->qm_larval.id_spi = 0;
	qm->qm_state = IKE_QM_DONE;
	/*
	 * The keys are derived and HASH(3) is sent or checked, so the
	 * nonces, IDs and PFS material go now.  For a while the initiator
	 * replies to a repeated QM2 with QM3 and the responder to a
	 * repeated QM1 with QM2: ike_qm_input replaces qm by an
	 * ike_qm_done once it has stored the message it received.
	 */
	ike_qm_free_material(qm);
	return (0);
}

/*
 * Replace the finished qm by the small record that replies to a repeat
 * of the peer's last message (stored by ike_xmit_store_rx) with our last
 * one, and free qm.  Without memory for the record, repeats are dropped.
 */
static void
ike_qm_linger(struct ike_qm *qm)
{
	struct ike_p1		*p1 = qm->qm_p1;
	const struct wbuf	*reply = &qm->qm_xmit.x_msg;
	struct ike_qm_done	*qd;

	qd = malloc(sizeof(*qd) + reply->wb_len);
	if (qd == NULL) {
		log_warn("ISAKMP SA %s: Quick Mode %08x with %s finished, but "
		    "out of memory to keep its last message: a repeat of the "
		    "peer's last message is dropped", p1->p1_cookies,
		    qm->qm_msgid, p1->p1_peer);
		ike_qm_free(qm);
		return;
	}
	qd->qd_expire = p1->p1_eng->e_now + IKE_QM_LINGER_MS;
	qd->qd_msgid = qm->qm_msgid;
	qd->qd_rx_len = qm->qm_xmit.x_rx_len;
	memcpy(qd->qd_rx_digest, qm->qm_xmit.x_rx_digest,
	    sizeof(qd->qd_rx_digest));
	qd->qd_reply_len = reply->wb_len;
	if (reply->wb_len > 0)
		memcpy(qd->qd_reply, reply->wb_data, reply->wb_len);
	TAILQ_INSERT_TAIL(&p1->p1_qm_done, qd, qd_entry);
	ike_qm_free(qm);
}

static void
ike_qm_done_free(struct ike_p1 *p1, struct ike_qm_done *qd)
{
	TAILQ_REMOVE(&p1->p1_qm_done, qd, qd_entry);
	free(qd);
}

void
ike_qm_done_free_all(struct ike_p1 *p1)
{
	struct ike_qm_done	*qd;

	while ((qd = TAILQ_FIRST(&p1->p1_qm_done)) != NULL)
		ike_qm_done_free(p1, qd);
}

static struct ike_qm_done *
ike_qm_done_find(struct ike_p1 *p1, uint32_t msgid)
{
	struct ike_qm_done	*qd;

	TAILQ_FOREACH(qd, &p1->p1_qm_done, qd_entry)
		if (qd->qd_msgid == msgid)
			return (qd);
	return (NULL);
}

/*
 * A message for a finished Quick Mode: a repeat of the peer's last
 * message gets our stored reply again, anything else is dropped.
 */
static void
ike_qm_done_input(struct ike_p1 *p1, struct ike_qm_done *qd,
    const struct ike_packet *pk)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct wbuf		 reply;

	if (ike_rx_digest_match(qd->qd_rx_len, qd->qd_rx_digest, pk)) {
		log_debug(D_OP, "ISAKMP SA %s: retransmitted message from %s, "
		    "sending our stored reply again", p1->p1_cookies,
		    p1->p1_peer);
		/* To where the request came from: a NAT may have moved it. */
		reply.wb_data = qd->qd_reply;
		reply.wb_len = reply.wb_cap = qd->qd_reply_len;
		reply.wb_secret = 0;
		(void)ike_send_raw(eng, &pk->pk_local, &pk->pk_remote, &reply);
		return;
	}
	eng->e_stats.st_rx_dropped++;
	if (log_ratelimit_pass(&ike_qm_rl))
		log_warn("ISAKMP SA %s: Quick Mode %08x from %s dropped: "
		    "that exchange has finished, so this is a replay "
		    "or a late copy", p1->p1_cookies, qd->qd_msgid,
		    p1->p1_peer);
}

void
ike_qm_free(struct ike_qm *qm)
{
	ike_qm_release_spi(qm);
	TAILQ_REMOVE(&qm->qm_p1->p1_qms, qm, qm_entry);
	ike_qm_free_material(qm);
	ike_xmit_clear(&qm->qm_xmit);
	util_freezero(qm, sizeof(*qm));
}

static struct ike_qm *
ike_qm_find(struct ike_p1 *p1, uint32_t msgid)
{
	struct ike_qm	*qm;

	TAILQ_FOREACH(qm, &p1->p1_qms, qm_entry)
		if (qm->qm_msgid == msgid)
			return (qm);
	return (NULL);
}

static int
ike_qm_iv(struct ike_qm *qm)
{
	struct ike_p1	*p1 = qm->qm_p1;
	struct wbuf	 iv;
	int		 rc;

	wbuf_init(&iv, 0);
	rc = ikev1_phase2_iv(p1->p1_hash, p1->p1_last_block, p1->p1_blocklen,
	    qm->qm_msgid, &iv);
	if (rc == 0)
		memcpy(qm->qm_iv, iv.wb_data, p1->p1_blocklen);
	wbuf_free(&iv);
	return (rc);
}

/* The protected traffic of a policy entry for this ISAKMP SA. */
static void
ike_qm_selectors(struct ike_qm *qm, const struct config_spd *spd)
{
	struct ike_p1		*p1 = qm->qm_p1;
	struct config_ip	 l, r;

	(void)config_ip_from_sockaddr(&l, &p1->p1_local);
	(void)config_ip_from_sockaddr(&r, &p1->p1_remote);
	qm->qm_tunnel = spd->sd_tunnel;
	if (spd->sd_laddr_set)
		qm->qm_local = spd->sd_laddr;
	else
		ike_range_single(&qm->qm_local, &l);
	if (spd->sd_raddr_set)
		qm->qm_remote = spd->sd_raddr;
	else
		ike_range_single(&qm->qm_remote, &r);
	qm->qm_ulp = spd->sd_ulp.sn_set ? spd->sd_ulp.sn_lo : 0;
	qm->qm_lport = spd->sd_lport.sn_set ? spd->sd_lport.sn_lo : 0;
	qm->qm_rport = spd->sd_rport.sn_set ? spd->sd_rport.sn_lo : 0;
}

static int
ike_qm_nonce(struct wbuf *wb, const struct ike_engine *eng)
{
	size_t	 len = ike_globals(eng)->cg_p2_nonce_len.val;
	uint8_t	*p;
	int	 rc;

	if (len < CONFIG_MIN_NONCE_LEN)
		len = CONFIG_DEF_NONCE_LEN;
	wbuf_reset(wb);
	if ((rc = wbuf_alloc(wb, len, &p)) != 0)
		return (rc);
	return (rand_bytes(p, len));
}

/*
 * Encrypt and send a Quick Mode message whose body starts with a HASH
 * payload of the PRF's length; which (1, 2 or 3) selects the HASH.
 */
static int
ike_qm_send(struct ike_qm *qm, struct isakmp_builder *b, struct wbuf *body,
    size_t hash_off, int which, int retransmit)
{
	struct ike_p1		*p1 = qm->qm_p1;
	struct isakmp_hdr	 h;
	struct wbuf		 hash, out;
	size_t			 hl = prf_length(p1->p1_hash);
	const uint8_t		*rest = body->wb_data + hash_off + hl;
	size_t			 rest_len = body->wb_len - hash_off - hl;
	int			 rc;

	wbuf_init(&hash, 0);
	wbuf_init(&out, 0);
	if (which == 1)
		rc = ikev1_qm_hash1(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, qm->qm_msgid, rest, rest_len,
		    &hash);
	else if (which == 2)
		rc = ikev1_qm_hash2(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, qm->qm_msgid, qm->qm_ni.wb_data,
		    qm->qm_ni.wb_len, rest, rest_len, &hash);
	else
		rc = ikev1_qm_hash3(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, qm->qm_msgid, qm->qm_ni.wb_data,
		    qm->qm_ni.wb_len, qm->qm_nr.wb_data, qm->qm_nr.wb_len,
		    &hash);
	if (rc != 0)
		goto out;
	memcpy(body->wb_data + hash_off, hash.wb_data, hl);
	ike_hdr_fill(p1, &h, ISAKMP_EX_QUICK, qm->qm_msgid, 1);
	h.h_next = b->b_first;
	if ((rc = ike_msg_encrypt(p1, &out, &h, body, qm->qm_iv)) != 0)
		goto out;
	rc = ike_xmit_send(p1, &qm->qm_xmit, &out, retransmit);
out:
	wbuf_free(&hash);
	wbuf_free(&out);
	return (rc);
}

/* KE, IDs and NAT-OA payloads that QM1 and QM2 share. */
static int
ike_qm_add_tail(struct ike_qm *qm, struct isakmp_builder *b)
{
	struct ike_p1		*p1 = qm->qm_p1;
	struct wbuf		 ke, idl, idr;
	struct isakmp_id	 oa;
	struct config_ip	 ip;
	int			 rc = 0;

	wbuf_init(&ke, 0);
	wbuf_init(&idl, 0);
	wbuf_init(&idr, 0);
	if (qm->qm_group != 0) {
		if (qm->qm_dh == NULL &&
		    (rc = dh_key_generate(qm->qm_group, &qm->qm_dh)) != 0)
			goto out;
		if ((rc = dh_key_public(qm->qm_dh, &ke)) != 0)
			goto out;
		isakmp_build_data(b, ISAKMP_PL_KE, ke.wb_data, ke.wb_len);
	}
	if (qm->qm_have_ids && !qm->qm_initiator) {
		/* RFC 2409 5.5: the responder returns the IDs it received. */
		isakmp_build_data(b, ISAKMP_PL_ID, qm->qm_peer_idi.wb_data,
		    qm->qm_peer_idi.wb_len);
		isakmp_build_data(b, ISAKMP_PL_ID, qm->qm_peer_idr.wb_data,
		    qm->qm_peer_idr.wb_len);
	} else if (qm->qm_have_ids) {
		if ((rc = ike_qm_id_body(&qm->qm_local, qm->qm_ulp,
		    qm->qm_lport, &idl)) != 0 ||
		    (rc = ike_qm_id_body(&qm->qm_remote, qm->qm_ulp,
		    qm->qm_rport, &idr)) != 0)
			goto out;
		/* IDci is our side, IDcr the responder's. */
		isakmp_build_data(b, ISAKMP_PL_ID, idl.wb_data, idl.wb_len);
		isakmp_build_data(b, ISAKMP_PL_ID, idr.wb_data, idr.wb_len);
	}
	/* RFC 3947 5.2: original addresses for transport mode. */
	if (!qm->qm_tunnel && p1->p1_floated) {
		memset(&oa, 0, sizeof(oa));
		(void)config_ip_from_sockaddr(&ip, qm->qm_initiator ?
		    &p1->p1_local : &p1->p1_remote);
		oa.id_type = ip.family == AF_INET ? ISAKMP_ID_IPV4_ADDR :
		    ISAKMP_ID_IPV6_ADDR;
		oa.id_data = ip.addr;
		oa.id_len = ike_ip_len(&ip);
		isakmp_build_id(b, ike_natt_natoa_type(p1), &oa);
		(void)config_ip_from_sockaddr(&ip, qm->qm_initiator ?
		    &p1->p1_remote : &p1->p1_local);
		oa.id_type = ip.family == AF_INET ? ISAKMP_ID_IPV4_ADDR :
		    ISAKMP_ID_IPV6_ADDR;
		oa.id_data = ip.addr;
		oa.id_len = ike_ip_len(&ip);
		isakmp_build_id(b, ike_natt_natoa_type(p1), &oa);
	}
	rc = b->b_err;
out:
	wbuf_free(&ke);
	wbuf_free(&idl);
	wbuf_free(&idr);
	return (rc);
}

static uint32_t
ike_qm_msgid(struct ike_p1 *p1)
{
	uint32_t	id = 0;

	while (id == 0 || ike_qm_find(p1, id) != NULL ||
	    ike_mid_used(p1, id))
		if (rand_bytes(&id, sizeof(id)) != 0)
			return (0);
	/* Recorded, so that a reflected or replayed copy is dropped. */
	(void)ike_mid_add(p1, id);
	return (id);
}

uint32_t
ike_qm_reqid(const struct ike_qm *qm)
{
	return ((uint32_t)qm->qm_spd + 1);
}

int
ike_qm_initiate(struct ike_p1 *p1, size_t spd_idx)
{
	struct ike_engine	*eng = p1->p1_eng;
	const struct config_spd	*spd = &eng->e_cfg->cf_spds[spd_idx];
	struct isakmp_builder	 b;
	struct ike_qm		*qm;
	struct wbuf		 body;
	size_t			 hash_off;
	uint64_t		 wait;
	int			 rc;

	if ((wait = ike_qm_backoff_left(eng, spd_idx, &p1->p1_remote)) != 0) {
		log_debug(D_P2, "ISAKMP SA %s: no Quick Mode with %s for the "
		    "policy at %s:%u for %llu s: the peer rejected the last "
		    "one", p1->p1_cookies, p1->p1_peer, spd->sd_where.cw_file,
		    spd->sd_where.cw_line,
		    (unsigned long long)((wait + 999) / 1000));
		return (ERR_STATE);
	}
	if ((qm = ike_qm_new(p1, ike_qm_msgid(p1), 1)) == NULL)
		return (ERR_NOMEM);
	qm->qm_spd = spd_idx;
	qm->qm_state = IKE_QM_I1;
	qm->qm_group = p1->p1_rule->cr_p2.p2_pfs.val;
	ike_qm_selectors(qm, spd);
	qm->qm_have_ids = 1;
	qm->qm_encap_mode = ike_natt_encap_mode(p1, qm->qm_tunnel);
	wbuf_init(&body, 0);
	if ((rc = ike_qm_iv(qm)) != 0 || (rc = ike_qm_reserve_spi(qm)) != 0 ||
	    (rc = ike_qm_nonce(&qm->qm_ni, eng)) != 0)
		goto fail;
	isakmp_build_init_body(&b, &body);
	isakmp_build_reserve(&b, ISAKMP_PL_HASH, prf_length(p1->p1_hash),
	    &hash_off);
	if ((rc = ike_prop_p2_build(qm, spd, &b)) != 0)
		goto fail;
	isakmp_build_data(&b, ISAKMP_PL_NONCE, qm->qm_ni.wb_data,
	    qm->qm_ni.wb_len);
	if ((rc = ike_qm_add_tail(qm, &b)) != 0 ||
	    (rc = isakmp_build_finish(&b)) != 0 ||
	    (rc = ike_qm_send(qm, &b, &body, hash_off, 1, 1)) != 0)
		goto fail;
	wbuf_free(&body);
	log_info("ISAKMP SA %s: Quick Mode %08x started with %s for the "
	    "policy at %s:%u (rule \"%s\")", p1->p1_cookies, qm->qm_msgid,
	    p1->p1_peer, spd->sd_where.cw_file, spd->sd_where.cw_line,
	    p1->p1_label);
	return (0);
fail:
	log_warn("ISAKMP SA %s: cannot start Quick Mode with %s: %s",
	    p1->p1_cookies, p1->p1_peer, err_str(rc));
	wbuf_free(&body);
	ike_qm_free(qm);
	return (rc);
}

/* Check HASH(1) or HASH(2) over the payloads after the HASH. */
static int
ike_qm_verify(struct ike_qm *qm, const struct isakmp_msg *msg, int which)
{
	struct ike_p1			*p1 = qm->qm_p1;
	const struct isakmp_payload	*hp;
	const uint8_t			*rest = NULL;
	size_t				 rest_len = 0;
	struct wbuf			 want;
	int				 rc, ok;

	hp = msg->m_npayloads > 0 ? &msg->m_payloads[0] : NULL;
	if (hp == NULL || hp->pl_type != ISAKMP_PL_HASH) {
		if (log_ratelimit_pass(&ike_qm_rl))
			log_warn("ISAKMP SA %s: Quick Mode %08x from %s does "
			    "not start with a HASH payload; message dropped",
			    p1->p1_cookies, qm->qm_msgid, p1->p1_peer);
		p1->p1_rx_hash_errs++;
		return (ERR_AUTH);
	}
	if (msg->m_npayloads > 1 &&
	    (rc = isakmp_msg_span_after(msg, 0, &rest, &rest_len)) != 0)
		return (rc);
	wbuf_init(&want, 0);
	if (which == 1)
		rc = ikev1_qm_hash1(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, qm->qm_msgid, rest, rest_len,
		    &want);
	else if (which == 2)
		rc = ikev1_qm_hash2(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, qm->qm_msgid, qm->qm_ni.wb_data,
		    qm->qm_ni.wb_len, rest, rest_len, &want);
	else
		rc = ikev1_qm_hash3(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, qm->qm_msgid, qm->qm_ni.wb_data,
		    qm->qm_ni.wb_len, qm->qm_nr.wb_data, qm->qm_nr.wb_len,
		    &want);
	if (rc == 0) {
		ok = hp->pl_u.data.len == want.wb_len &&
		    util_memeq_ct(hp->pl_u.data.data, want.wb_data,
		    want.wb_len);
		if (!ok) {
			if (log_ratelimit_pass(&ike_qm_rl))
				log_warn("ISAKMP SA %s: HASH(%d) of Quick Mode "
				    "%08x from %s does not verify; message "
				    "dropped", p1->p1_cookies, which,
				    qm->qm_msgid, p1->p1_peer);
			p1->p1_rx_hash_errs++;
			rc = ERR_AUTH;
		}
	}
	wbuf_free(&want);
	return (rc);
}

/* Nonce and KE of the peer, checked against the chosen group. */
static int
ike_qm_take_peer(struct ike_qm *qm, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*n, *ke;
	struct wbuf			*peer_n;

	n = isakmp_msg_find(msg, ISAKMP_PL_NONCE, 0);
	ke = isakmp_msg_find(msg, ISAKMP_PL_KE, 0);
	if (n->pl_u.data.len < CONFIG_MIN_NONCE_LEN ||
	    n->pl_u.data.len > CONFIG_MAX_NONCE_LEN)
		return (ERR_MALFORMED);
	peer_n = qm->qm_initiator ? &qm->qm_nr : &qm->qm_ni;
	wbuf_reset(peer_n);
	if (wbuf_put(peer_n, n->pl_u.data.data, n->pl_u.data.len) != 0)
		return (ERR_NOMEM);
	if ((qm->qm_group != 0) != (ke != NULL))
		return (ERR_PROPOSAL);
	if (ke != NULL) {
		wbuf_reset(&qm->qm_peer_ke);
		if (wbuf_put(&qm->qm_peer_ke, ke->pl_u.data.data,
		    ke->pl_u.data.len) != 0)
			return (ERR_NOMEM);
	}
	return (0);
}

/* The peer's client IDs as ranges (the IKE endpoints without IDs). */
static int
ike_qm_peer_ids(struct ike_qm *qm, const struct isakmp_msg *msg,
    struct config_range *ri, struct config_range *rr)
{
	struct ike_p1			*p1 = qm->qm_p1;
	const struct isakmp_payload	*idi = NULL, *idr = NULL;
	struct config_ip		 l, r;
	size_t				 i, nids = 0;

	(void)config_ip_from_sockaddr(&l, &p1->p1_local);
	(void)config_ip_from_sockaddr(&r, &p1->p1_remote);
	for (i = 0; i < msg->m_npayloads; i++) {
		if (msg->m_payloads[i].pl_type != ISAKMP_PL_ID)
			continue;
		if (nids == 0)
			idi = &msg->m_payloads[i];
		else if (nids == 1)
			idr = &msg->m_payloads[i];
		nids++;
	}
	if (nids == 0) {
		ike_range_single(ri, &r);
		ike_range_single(rr, &l);
		return (0);
	}
	/* RFC 2409 5.5: both client IDs or none. */
	if (nids != 2) {
		if (log_ratelimit_pass(&ike_qm_rl))
			log_warn("ISAKMP SA %s: QM1 %08x from %s has %zu ID "
			    "payloads; Quick Mode carries none or exactly two "
			    "(RFC 2409 section 5.5)", p1->p1_cookies,
			    qm->qm_msgid, p1->p1_peer, nids);
		return (ERR_MALFORMED);
	}
	if (ike_qm_id_range(&idi->pl_u.id, ri) != 0 ||
	    ike_qm_id_range(&idr->pl_u.id, rr) != 0 ||
	    idi->pl_u.id.id_proto != idr->pl_u.id.id_proto)
		return (ERR_UNSUPPORTED);
	qm->qm_have_ids = 1;
	wbuf_reset(&qm->qm_peer_idi);
	wbuf_reset(&qm->qm_peer_idr);
	if (wbuf_put(&qm->qm_peer_idi, idi->pl_body, idi->pl_body_len) != 0 ||
	    wbuf_put(&qm->qm_peer_idr, idr->pl_body, idr->pl_body_len) != 0)
		return (ERR_NOMEM);
	qm->qm_ulp = idi->pl_u.id.id_proto;
	qm->qm_rport = idi->pl_u.id.id_port;
	qm->qm_lport = idr->pl_u.id.id_port;
	return (0);
}

/*
 * Responder: the next policy entry after spd that allows the peer's
 * client IDs ri (its side) and rr (ours).  Transport entries without
 * addresses cover only the IKE endpoints.  Behind a NAT, a transport
 * mode ID names an original address (RFC 3947 section 5.2), so the
 * address the ISAKMP SA sees takes its place; *eri and *err receive the
 * ranges that apply.
 */
static const struct config_spd *
ike_qm_next_policy(struct ike_qm *qm, const struct config_range *ri,
    const struct config_range *rr, const struct config_spd *spd,
    struct config_range *eri, struct config_range *err)
{
	struct ike_p1		*p1 = qm->qm_p1;
	const struct config	*cf = p1->p1_eng->e_cfg;
	struct config_range	 le, re;
	struct config_ip	 l, r;

	(void)config_ip_from_sockaddr(&l, &p1->p1_local);
	(void)config_ip_from_sockaddr(&r, &p1->p1_remote);
	ike_range_single(&le, &l);
	ike_range_single(&re, &r);
	while ((spd = config_spd_next_for_peer(cf, &l, &r, spd)) != NULL) {
		*eri = *ri;
		*err = *rr;
		if (!spd->sd_tunnel && p1->p1_nat_remote)
			*eri = re;
		if (!spd->sd_tunnel && p1->p1_nat_local)
			*err = le;
		if (!ike_range_within(spd->sd_raddr_set ? &spd->sd_raddr :
		    &re, eri) && (spd->sd_raddr_set || !spd->sd_tunnel))
			continue;
		if (!ike_range_within(spd->sd_laddr_set ? &spd->sd_laddr :
		    &le, err) && (spd->sd_laddr_set || !spd->sd_tunnel))
			continue;
		if (spd->sd_ulp.sn_set && spd->sd_ulp.sn_lo != qm->qm_ulp)
			continue;
		return (spd);
	}
	return (NULL);
}

/*
 * Choose the policy entry and the transform for QM1: the first entry
 * that allows the IDs and one of the peer's proposals.  The SA payload
 * of QM2 goes to b.
 */
static int
ike_qm_choose(struct ike_qm *qm, const struct isakmp_msg *msg,
    struct isakmp_builder *b)
{
	struct ike_p1			*p1 = qm->qm_p1;
	const struct isakmp_payload	*sa;
	const struct config_spd		*spd = NULL, *found = NULL;
	struct config_range		 ri, rr, eri, err;
	struct isakmp_builder		 tb;
	struct wbuf			 scratch;
	char				 a[96], bs[96];
	size_t				 idx;
	int				 rc = ERR_NOTFOUND;

	if ((rc = ike_qm_peer_ids(qm, msg, &ri, &rr)) != 0)
		return (rc);
	sa = isakmp_msg_find(msg, ISAKMP_PL_SA, 0);
	wbuf_init(&scratch, 0);
	while ((spd = ike_qm_next_policy(qm, &ri, &rr, spd, &eri,
	    &err)) != NULL) {
		found = spd;
		qm->qm_tunnel = spd->sd_tunnel;
		wbuf_reset(&scratch);
		isakmp_build_init_body(&tb, &scratch);
		if (ike_prop_p2_select(qm, spd, &sa->pl_u.sa, &tb) == 0)
			break;
	}
	wbuf_free(&scratch);
	if (spd == NULL && found == NULL) {
		ike_range_str(&ri, a, sizeof(a));
		ike_range_str(&rr, bs, sizeof(bs));
		log_warn("ISAKMP SA %s: Quick Mode from %s asks for %s <-> %s "
		    "(protocol %u), which no ipsec entry of ipsecinit.conf "
		    "for this peer allows", p1->p1_cookies, p1->p1_peer, a,
		    bs, qm->qm_ulp);
		return (ERR_NOTFOUND);
	}
	if (spd == NULL)
		return (ERR_PROPOSAL);
	(void)ike_spd_index(p1->p1_eng, spd, &idx);
	qm->qm_spd = idx;
	qm->qm_remote = eri;
	qm->qm_local = err;
	if ((rc = ike_qm_reserve_spi(qm)) != 0)
		return (rc);
	return (ike_prop_p2_select(qm, spd, &sa->pl_u.sa, b));
}

/* Notify payload RESPONDER-LIFETIME with our SPI (RFC 2407 4.6.3.1). */
static void
ike_qm_add_resp_life(struct ike_qm *qm, struct isakmp_builder *b)
{
	struct isakmp_notify	n;
	struct wbuf		data;
	uint32_t		spi = htonl(qm->qm_spi_in);

	wbuf_init(&data, 0);
	wbuf_put_u16(&data, ISAKMP_ATTR_AF | ISAKMP_P2_LIFE_TYPE);
	wbuf_put_u16(&data, ISAKMP_LIFE_SECONDS);
	wbuf_put_u16(&data, ISAKMP_P2_LIFE_DURATION);
	wbuf_put_u16(&data, 4);
	wbuf_put_u32(&data, qm->qm_life_secs);
	if (qm->qm_life_kb != 0) {
		wbuf_put_u16(&data, ISAKMP_ATTR_AF | ISAKMP_P2_LIFE_TYPE);
		wbuf_put_u16(&data, ISAKMP_LIFE_KILOBYTES);
		wbuf_put_u16(&data, ISAKMP_P2_LIFE_DURATION);
		wbuf_put_u16(&data, 4);
		wbuf_put_u32(&data, qm->qm_life_kb);
	}
	memset(&n, 0, sizeof(n));
	n.n_doi = ISAKMP_DOI_IPSEC;
	n.n_proto = ISAKMP_PROTO_ESP;
	n.n_spi_size = 4;
	n.n_spi = (const uint8_t *)&spi;
	n.n_type = ISAKMP_N_RESPONDER_LIFETIME;
	n.n_data = data.wb_data;
	n.n_len = data.wb_len;
	isakmp_build_notify(b, &n);
	wbuf_free(&data);
}

/* Reject QM1 with a Notify that carries the peer's SPI, if it sent one. */
static void
ike_qm_r_reject(struct ike_qm *qm, const struct isakmp_msg *msg,
    uint16_t type)
{
	const struct isakmp_payload	*sa;
	const uint8_t			*spi = NULL;

	sa = isakmp_msg_find(msg, ISAKMP_PL_SA, 0);
	/* The peer's SPI identifies the exchange that failed. */
	if (sa != NULL && sa->pl_u.sa.sa_nproposals > 0 &&
	    sa->pl_u.sa.sa_proposals[0].p_spi_size == 4)
		spi = sa->pl_u.sa.sa_proposals[0].p_spi;
	(void)ike_info_send_notify(qm->qm_p1, type, ISAKMP_PROTO_ESP, spi,
	    spi != NULL ? 4 : 0);
}

/*
 * Check the peer's PFS KE before QM2 goes out (RFC 6989 section 2), and
 * start its g^xy in the Diffie-Hellman threads while QM2 travels; QM3
 * collects it (ike_qm_install()).  Without threads, or for the groups
 * that stay in the event loop, ike_qm_install() computes it.
 */
static int
ike_qm_pfs_start(struct ike_qm *qm)
{
	struct ike_p1	*p1 = qm->qm_p1;
	const char	*why = NULL;
	int		 rc;

	if (dh_derive_start(qm->qm_dh, qm->qm_peer_ke.wb_data,
	    qm->qm_peer_ke.wb_len, &qm->qm_dhjob) == 0)
		return (0);
	if ((rc = dh_key_check_peer(qm->qm_dh, qm->qm_peer_ke.wb_data,
	    qm->qm_peer_ke.wb_len, &why)) == 0)
		return (0);
	log_warn("ISAKMP SA %s: PFS Diffie-Hellman with %s failed: %s; "
	    "Quick Mode %08x rejected with INVALID-KEY-INFORMATION",
	    p1->p1_cookies, p1->p1_peer, why ? why : err_str(rc),
	    qm->qm_msgid);
	return (rc);
}

static int
ike_qm_r_qm1(struct ike_qm *qm, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	struct ike_p1			*p1 = qm->qm_p1;
	struct ike_engine		*eng = p1->p1_eng;
	struct isakmp_builder		 b;
	struct wbuf			 body;
	size_t				 hash_off;
	int				 rc;

	if (ike_qm_verify(qm, msg, 1) != 0)
		return (ERR_AUTH);
	/* Authenticated: the Message ID is now used (ike_qm_input). */
	if ((rc = ike_mid_add(p1, qm->qm_msgid)) != 0) {
		if (log_ratelimit_pass(&ike_qm_rl))
			log_warn("ISAKMP SA %s: Quick Mode %08x from %s "
			    "dropped: %s", p1->p1_cookies, qm->qm_msgid,
			    p1->p1_peer, rc == ERR_EXISTS ? "its Message ID "
			    "was used before (a replay)" : rc == ERR_TOOBIG ?
			    "this ISAKMP SA has used all the Message IDs it "
			    "can remember; a new Phase 1 is needed" :
			    err_str(rc));
		return (ERR_AUTH);
	}
	ike_p1_peer_moved(p1, pk);
	if (ike_payload_check(p1, msg, BIT(ISAKMP_PL_HASH) | BIT(ISAKMP_PL_SA)
	    | BIT(ISAKMP_PL_NONCE), BIT(ISAKMP_PL_KE) | BIT(ISAKMP_PL_ID) |
	    BIT(ISAKMP_PL_N) | BIT(ISAKMP_PL_NAT_OA), "QM1") != 0)
		return (ERR_MALFORMED);
	wbuf_init(&body, 0);
	isakmp_build_init_body(&b, &body);
	isakmp_build_reserve(&b, ISAKMP_PL_HASH, prf_length(p1->p1_hash),
	    &hash_off);
	if ((rc = ike_qm_choose(qm, msg, &b)) != 0) {
		wbuf_free(&body);
		ike_qm_r_reject(qm, msg, rc == ERR_PROPOSAL ?
		    ISAKMP_N_NO_PROPOSAL_CHOSEN : rc == ERR_MALFORMED ?
		    ISAKMP_N_PAYLOAD_MALFORMED :
		    ISAKMP_N_INVALID_ID_INFORMATION);
		return (rc);
	}
	if ((rc = ike_qm_take_peer(qm, msg)) != 0 ||
	    (rc = ike_qm_nonce(&qm->qm_nr, eng)) != 0) {
		wbuf_free(&body);
		return (rc);
	}
	isakmp_build_data(&b, ISAKMP_PL_NONCE, qm->qm_nr.wb_data,
	    qm->qm_nr.wb_len);
	if ((rc = ike_qm_add_tail(qm, &b)) == 0) {
		if (qm->qm_send_resp_life)
			ike_qm_add_resp_life(qm, &b);
		rc = isakmp_build_finish(&b);
	}
	if (rc == 0 && qm->qm_group != 0 && ike_qm_pfs_start(qm) != 0) {
		wbuf_free(&body);
		ike_qm_r_reject(qm, msg, ISAKMP_N_INVALID_KEY_INFORMATION);
		return (ERR_MALFORMED);
	}
	if (rc == 0) {
		qm->qm_state = IKE_QM_R1;
		rc = ike_qm_send(qm, &b, &body, hash_off, 2, 1);
	}
	wbuf_free(&body);
	return (rc);
}

static int
ike_qm_i_qm2(struct ike_qm *qm, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	struct ike_p1			*p1 = qm->qm_p1;
	const struct isakmp_payload	*pl;
	struct isakmp_builder		 b;
	struct wbuf			 body;
	size_t				 hash_off, i;
	int				 rc;

	/* HASH(2) covers Ni_b, which we have, and the rest. */
	if (ike_qm_verify(qm, msg, 2) != 0)
		return (ERR_AUTH);
	ike_p1_peer_moved(p1, pk);
	if ((rc = ike_payload_check(p1, msg, BIT(ISAKMP_PL_HASH) |
	    BIT(ISAKMP_PL_SA) | BIT(ISAKMP_PL_NONCE), BIT(ISAKMP_PL_KE) |
	    BIT(ISAKMP_PL_ID) | BIT(ISAKMP_PL_N) | BIT(ISAKMP_PL_NAT_OA),
	    "QM2")) != 0)
		return (ERR_MALFORMED);
	pl = isakmp_msg_find(msg, ISAKMP_PL_SA, 0);
	if (ike_prop_p2_accept(qm, &pl->pl_u.sa) != 0)
		return (ERR_PROPOSAL);
	if ((rc = ike_qm_take_peer(qm, msg)) != 0)
		return (rc);
	for (i = 0; i < msg->m_npayloads; i++) {
		pl = &msg->m_payloads[i];
		if (pl->pl_type == ISAKMP_PL_N &&
		    pl->pl_u.n.n_type == ISAKMP_N_RESPONDER_LIFETIME)
			(void)ike_prop_p2_responder_lifetime(qm, &pl->pl_u.n);
	}
	wbuf_init(&body, 0);
	isakmp_build_init_body(&b, &body);
	isakmp_build_reserve(&b, ISAKMP_PL_HASH, prf_length(p1->p1_hash),
	    &hash_off);
	qm->qm_xmit.x_next = 0;
	if ((rc = isakmp_build_finish(&b)) == 0)
		rc = ike_qm_send(qm, &b, &body, hash_off, 3, 0);
	wbuf_free(&body);
	if (rc != 0)
		return (rc);
	return (ike_qm_finish(qm));
}

static int
ike_qm_r_qm3(struct ike_qm *qm, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	if (ike_qm_verify(qm, msg, 3) != 0)
		return (ERR_AUTH);
	ike_p1_peer_moved(qm->qm_p1, pk);
	qm->qm_xmit.x_next = 0;
	return (ike_qm_finish(qm));
}

/* Unfinished Quick Modes that the peer started on one ISAKMP SA. */
static size_t
ike_qm_count_peer_started(const struct ike_p1 *p1)
{
	const struct ike_qm	*qm;
	size_t			 n = 0;

	TAILQ_FOREACH(qm, &p1->p1_qms, qm_entry)
		if (qm->qm_state != IKE_QM_DONE && !qm->qm_initiator)
			n++;
	return (n);
}

/*
 * Unfinished Quick Modes that the peer of p1 started, on p1 and on every
 * ISAKMP SA with the same peer address.  Our own count separately: they
 * are bounded by the policy entries.
 */
static void
ike_qm_count_open(const struct ike_p1 *p1, size_t *on_sa, size_t *on_peer)
{
	const struct ike_p1	*it;

	*on_sa = *on_peer = ike_qm_count_peer_started(p1);
	if (!p1->p1_peer_hashed)
		return;		/* no IP address: only p1 has it */
	for (it = ike_p1_peer_first(p1->p1_eng, &p1->p1_peer_ip); it != NULL;
	    it = ike_p1_peer_next(it))
		if (it != p1)
			*on_peer += ike_qm_count_peer_started(it);
}

/*
 * Whether a Quick Mode message may be looked at at all; logs why not.
 * RFC 2409 5.5: Quick Mode is encrypted and its Message ID is not 0.
 */
static int
ike_qm_acceptable(struct ike_p1 *p1, const struct isakmp_hdr *hdr)
{
	const char	*why = NULL;

	if (p1->p1_state != IKE_P1_ESTABLISHED)
		why = "the ISAKMP SA is not established";
	else if (!(hdr->h_flags & ISAKMP_FLAG_ENC))
		why = "it is not encrypted";
	else if (hdr->h_msgid == 0)
		why = "message ID 0 is for Phase 1 only";
	if (why == NULL)
		return (1);
	p1->p1_eng->e_stats.st_rx_dropped++;
	if (log_ratelimit_pass(&ike_qm_rl))
		log_warn("ISAKMP SA %s: Quick Mode %08x from %s dropped: %s "
		    "(RFC 2409 section 5.5)", p1->p1_cookies, hdr->h_msgid,
		    p1->p1_peer, why);
	return (0);
}

/*
 * A responder exchange for a Message ID we have no Quick Mode for, or
 * NULL (logged) when the ID was used before on this ISAKMP SA or the
 * peer already has too many Quick Modes open.  Nothing is recorded
 * until HASH(1) verifies, so a forged QM1 leaves no trace.
 */
static struct ike_qm *
ike_qm_open(struct ike_p1 *p1, const struct isakmp_hdr *hdr)
{
	struct ike_qm	*qm;
	size_t		 on_sa, on_peer;
	char		 why[96];

	why[0] = '\0';
	ike_qm_count_open(p1, &on_sa, &on_peer);
	if (ike_mid_used(p1, hdr->h_msgid))
		snprintf(why, sizeof(why), "its Message ID was used before on "
		    "this ISAKMP SA (a replay)");
	else if (on_sa >= IKE_QM_OPEN_MAX)
		snprintf(why, sizeof(why), "%zu Quick Modes are already open "
		    "on this ISAKMP SA", on_sa);
	else if (on_peer >= IKE_QM_PEER_OPEN_MAX)
		snprintf(why, sizeof(why), "%zu Quick Modes are already open "
		    "with this peer", on_peer);
	if (why[0] != '\0') {
		p1->p1_eng->e_stats.st_rx_dropped++;
		if (log_ratelimit_pass(&ike_qm_rl))
			log_warn("ISAKMP SA %s: Quick Mode %08x from %s "
			    "dropped: %s", p1->p1_cookies, hdr->h_msgid,
			    p1->p1_peer, why);
		return (NULL);
	}
	if ((qm = ike_qm_new(p1, hdr->h_msgid, 0)) == NULL)
		return (NULL);
	qm->qm_state = -1;
	qm->qm_group = 0;
	if (ike_qm_iv(qm) != 0) {
		ike_qm_free(qm);
		return (NULL);
	}
	return (qm);
}

/* Run the step of qm that msg, decrypted and parsed, belongs to. */
static int
ike_qm_step(struct ike_qm *qm, const struct ike_packet *pk,
    const struct isakmp_msg *msg, int created)
{
	if (created)
		return (ike_qm_r_qm1(qm, pk, msg));
	if (qm->qm_state == IKE_QM_I1)
		return (ike_qm_i_qm2(qm, pk, msg));
	return (ike_qm_r_qm3(qm, pk, msg));
}

/*
 * A Quick Mode message.  A message that does not decrypt or whose HASH
 * does not verify is dropped and leaves the exchange, its IV included,
 * as it was: anyone can send one with a running exchange's Message ID.
 */
void
ike_qm_input(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_qm		*qm;
	struct ike_qm_done	*qd;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct wbuf		 plain;
	uint8_t			 iv[CIPHER_MAX_BLOCK];
	uint8_t			 old_iv[CIPHER_MAX_BLOCK];
	int			 rc, created = 0;

	if (!ike_qm_acceptable(p1, hdr))
		return;
	if ((qd = ike_qm_done_find(p1, hdr->h_msgid)) != NULL) {
		ike_qm_done_input(p1, qd, pk);
		return;
	}
	if ((qm = ike_qm_find(p1, hdr->h_msgid)) == NULL) {
		if ((qm = ike_qm_open(p1, hdr)) == NULL)
			return;
		created = 1;
	} else if (ike_xmit_is_dup(p1, &qm->qm_xmit, pk))
		return;
	memcpy(iv, qm->qm_iv, sizeof(iv));
	wbuf_init(&plain, 1);
	rc = ike_msg_decrypt(p1, pk, hdr, iv, &plain, &msg, &err);
	if (rc != 0) {
		wbuf_free(&plain);
		if (log_ratelimit_pass(&ike_qm_rl))
			log_warn("ISAKMP SA %s: Quick Mode %08x from %s does "
			    "not decrypt to valid payloads (%s); dropped",
			    p1->p1_cookies, hdr->h_msgid, p1->p1_peer,
			    err.ie_msg);
		rc = ERR_AUTH;
		goto unauthenticated;
	}
	ike_msg_print("received Quick Mode", p1, &msg, D_P2);
	memcpy(old_iv, qm->qm_iv, sizeof(old_iv));
	memcpy(qm->qm_iv, iv, sizeof(iv));
	/*
	 * QM1 and QM2 are answered, so a repeat of them gets the stored
	 * answer again.  QM3 is not: the responder keeps QM1 as the message
	 * its QM2 answers, or two stored replies would bounce forever.
	 */
	rc = ike_qm_step(qm, pk, &msg, created);
	isakmp_msg_free(&msg);
	wbuf_free(&plain);
	if (rc == 0) {
		if (qm->qm_initiator || created)
			ike_xmit_store_rx(&qm->qm_xmit, pk);
		if (qm->qm_state == IKE_QM_DONE)
			ike_qm_linger(qm);
		return;
	}
	if (rc == ERR_AUTH) {
		memcpy(qm->qm_iv, old_iv, sizeof(old_iv));
		goto unauthenticated;
	}
	if (!created && qm->qm_initiator)
		(void)ike_info_send_notify(p1, rc == ERR_PROPOSAL ?
		    ISAKMP_N_NO_PROPOSAL_CHOSEN : ISAKMP_N_PAYLOAD_MALFORMED,
		    ISAKMP_PROTO_ESP, NULL, 0);
	log_warn("ISAKMP SA %s: Quick Mode %08x with %s failed: %s",
	    p1->p1_cookies, hdr->h_msgid, p1->p1_peer, err_str(rc));
	eng->e_stats.st_rx_dropped++;
	ike_qm_free(qm);
	return;
unauthenticated:
	/* A forged or broken message: wait for the real one. */
	eng->e_stats.st_rx_dropped++;
	if (created)
		ike_qm_free(qm);
}

/* What the administrator should check when the peer rejects our QM1. */
static const char *
ike_qm_reject_hint(const struct ike_qm *qm, uint16_t type)
{
	switch (type) {
	case ISAKMP_N_NO_PROPOSAL_CHOSEN:
	case ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED:
	case ISAKMP_N_INVALID_TRANSFORM_ID:
		return (qm->qm_group != 0 ? "check that the peer's ESP "
		    "proposal has this Diffie-Hellman group, or set p2_pfs "
		    "of the rule to what the peer uses (0 for none)" :
		    "check the peer's ESP proposal: it may require PFS "
		    "(p2_pfs in the rule) or other algorithms");
	case ISAKMP_N_INVALID_ID_INFORMATION:
		return ("the peer does not accept this traffic: check laddr "
		    "and raddr of the policy against the peer's subnets");
	}
	return ("the peer's log tells why");
}

/*
 * The peer rejected qm with an error Notify: the exchange ends now, its
 * SPI goes back, and when it was ours, the policy entry waits (see
 * IKE_QM_BACKOFF_MIN_MS) instead of retrying the same proposal at once.
 */
static void
ike_qm_rejected(struct ike_qm *qm, uint16_t type)
{
	struct ike_p1		*p1 = qm->qm_p1;
	struct ike_engine	*eng = p1->p1_eng;
	const struct config_spd	*spd = NULL;
	char			 prop[512], l[96], r[96];
	uint64_t		 delay;

	if (eng->e_cfg != NULL && qm->qm_spd < eng->e_cfg->cf_nspds)
		spd = &eng->e_cfg->cf_spds[qm->qm_spd];
	if (!qm->qm_initiator || spd == NULL) {
		log_warn("ISAKMP SA %s: peer %s rejected Quick Mode %08x with "
		    "%s; the exchange ends (rule \"%s\")", p1->p1_cookies,
		    p1->p1_peer, qm->qm_msgid, isakmp_notify_name(type),
		    p1->p1_label);
		ike_qm_free(qm);
		return;
	}
	ike_prop_p2_describe(qm, spd, prop, sizeof(prop));
	ike_range_str(&qm->qm_local, l, sizeof(l));
	ike_range_str(&qm->qm_remote, r, sizeof(r));
	delay = ike_qm_backoff_add(qm);
	log_err("ISAKMP SA %s: peer %s rejected Quick Mode %08x with %s: our "
	    "proposal for the policy at %s:%u (rule \"%s\", %s <-> %s) was "
	    "ESP %s; %s; next attempt in %llu s", p1->p1_cookies,
	    p1->p1_peer, qm->qm_msgid, isakmp_notify_name(type),
	    spd->sd_where.cw_file, spd->sd_where.cw_line, p1->p1_label, l, r,
	    prop, ike_qm_reject_hint(qm, type),
	    (unsigned long long)(delay / 1000));
	ike_child_rekey_failed(eng, qm->qm_spd, &p1->p1_remote);
	ike_qm_free(qm);
}

/*
 * An error Notify whose HASH(1) verified (ike_info.c).  It ends the
 * unfinished Quick Mode on p1 that it names by an SPI (ours or the
 * peer's), or, when it carries no SPI, the only unfinished one.  A
 * Notify about the ISAKMP SA itself names none.  Returns 1 when it
 * ended an exchange, 0 otherwise.
 */
int
ike_qm_peer_error(struct ike_p1 *p1, const struct isakmp_notify *n)
{
	struct ike_qm	*qm, *found = NULL;
	struct rbuf	 rb;
	uint32_t	 spi = 0;
	size_t		 open = 0;

	if (n->n_proto == ISAKMP_PROTO_ISAKMP && n->n_spi_size != 0)
		return (0);
	if (n->n_spi_size == 4) {
		rbuf_init(&rb, n->n_spi, 4);
		if (rbuf_get_u32(&rb, &spi) != 0)
			return (0);
	} else if (n->n_spi_size != 0)
		return (0);
	TAILQ_FOREACH(qm, &p1->p1_qms, qm_entry) {
		if (qm->qm_state == IKE_QM_DONE)
			continue;
		open++;
		if (spi != 0 && (spi == qm->qm_spi_in ||
		    (qm->qm_spi_out != 0 && spi == qm->qm_spi_out)))
			found = qm;
		else if (spi == 0)
			found = qm;
	}
	if (found == NULL || (spi == 0 && open != 1))
		return (0);
	ike_qm_rejected(found, n->n_type);
	return (1);
}

void
ike_qm_timers(struct ike_p1 *p1, uint64_t now)
{
	struct ike_qm		*qm, *next;
	struct ike_qm_done	*qd;
	size_t			 spd;
	int			 initiator;

	/* All linger equally long, so the list is in expiry order. */
	while ((qd = TAILQ_FIRST(&p1->p1_qm_done)) != NULL &&
	    now >= qd->qd_expire)
		ike_qm_done_free(p1, qd);
	for (qm = TAILQ_FIRST(&p1->p1_qms); qm != NULL; qm = next) {
		next = TAILQ_NEXT(qm, qm_entry);
		if (ike_xmit_timer(p1, &qm->qm_xmit, now)) {
			log_warn("ISAKMP SA %s: Quick Mode %08x with %s timed "
			    "out after %u retransmissions", p1->p1_cookies,
			    qm->qm_msgid, p1->p1_peer, qm->qm_xmit.x_tries);
			initiator = qm->qm_initiator;
			spd = qm->qm_spd;
			if (initiator)
				ike_child_rekey_failed(p1->p1_eng, spd,
				    &p1->p1_remote);
			ike_qm_free(qm);
			if (initiator)
				ike_dpd_qm_timeout(p1, spd);
			if (p1->p1_state == IKE_P1_DEAD)
				return;
		}
	}
}
