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

void
ike_qm_free(struct ike_qm *qm)
{
	TAILQ_REMOVE(&qm->qm_p1->p1_qms, qm, qm_entry);
	wbuf_free(&qm->qm_ni);
	wbuf_free(&qm->qm_nr);
	wbuf_free(&qm->qm_peer_ke);
	wbuf_free(&qm->qm_peer_idi);
	wbuf_free(&qm->qm_peer_idr);
	dh_key_free(qm->qm_dh);
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

/* Address helpers for client IDs and selectors. */

static size_t
ike_ip_len(const struct config_ip *ip)
{
	return (ip->family == AF_INET ? 4 : 16);
}

static void
ike_range_single(struct config_range *r, const struct config_ip *ip)
{
	memset(r, 0, sizeof(*r));
	r->lo = *ip;
	r->hi = *ip;
	r->kind = CONFIG_RANGE_SINGLE;
	r->plen = ip->family == AF_INET ? 32 : 128;
}

/* The prefix length of [lo, hi], or -1 when it is not one prefix. */
static int
ike_range_plen(const struct config_range *r)
{
	size_t	n = ike_ip_len(&r->lo), i;
	int	plen = 0, inhost = 0;

	for (i = 0; i < n * 8; i++) {
		int lb = r->lo.addr[i / 8] >> (7 - i % 8) & 1;
		int hb = r->hi.addr[i / 8] >> (7 - i % 8) & 1;

		if (!inhost && lb == hb) {
			plen++;
			continue;
		}
		inhost = 1;
		if (lb != 0 || hb != 1)
			return (-1);
	}
	return (plen);
}

/* ID payload body for a range (RFC 2407 4.6.2). */
static int
ike_qm_id_body(const struct config_range *r, uint8_t proto, uint16_t port,
    struct wbuf *wb)
{
	size_t	n = ike_ip_len(&r->lo), i;
	int	v4 = r->lo.family == AF_INET, plen;

	wbuf_reset(wb);
	plen = ike_range_plen(r);
	if (config_ip_cmp(&r->lo, &r->hi) == 0) {
		wbuf_put_u8(wb, v4 ? ISAKMP_ID_IPV4_ADDR : ISAKMP_ID_IPV6_ADDR);
		wbuf_put_u8(wb, proto);
		wbuf_put_u16(wb, port);
		return (wbuf_put(wb, r->lo.addr, n));
	}
	if (plen >= 0) {
		wbuf_put_u8(wb, v4 ? ISAKMP_ID_IPV4_ADDR_SUBNET :
		    ISAKMP_ID_IPV6_ADDR_SUBNET);
		wbuf_put_u8(wb, proto);
		wbuf_put_u16(wb, port);
		wbuf_put(wb, r->lo.addr, n);
		for (i = 0; i < n; i++) {
			int bits = plen - (int)i * 8;

			wbuf_put_u8(wb, bits >= 8 ? 0xff : bits <= 0 ? 0 :
			    (uint8_t)(0xff << (8 - bits)));
		}
		return (0);
	}
	wbuf_put_u8(wb, v4 ? ISAKMP_ID_IPV4_ADDR_RANGE :
	    ISAKMP_ID_IPV6_ADDR_RANGE);
	wbuf_put_u8(wb, proto);
	wbuf_put_u16(wb, port);
	wbuf_put(wb, r->lo.addr, n);
	return (wbuf_put(wb, r->hi.addr, n));
}

/* A received client ID as a range; ERR_UNSUPPORTED for names. */
static int
ike_qm_id_range(const struct isakmp_id *id, struct config_range *r)
{
	struct rbuf	rb;
	size_t		n, i;
	uint8_t		mask[16];

	memset(r, 0, sizeof(*r));
	switch (id->id_type) {
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV4_ADDR_RANGE:
		r->lo.family = AF_INET;
		n = 4;
		break;
	case ISAKMP_ID_IPV6_ADDR:
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		r->lo.family = AF_INET6;
		n = 16;
		break;
	default:
		return (ERR_UNSUPPORTED);
	}
	r->hi.family = r->lo.family;
	rbuf_init(&rb, id->id_data, id->id_len);
	if (rbuf_get_bytes(&rb, r->lo.addr, n) != 0)
		return (ERR_MALFORMED);
	memcpy(r->hi.addr, r->lo.addr, n);
	r->kind = CONFIG_RANGE_SINGLE;
	switch (id->id_type) {
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
		if (rbuf_get_bytes(&rb, mask, n) != 0)
			return (ERR_MALFORMED);
		for (i = 0; i < n; i++) {
			r->lo.addr[i] &= mask[i];
			r->hi.addr[i] = r->lo.addr[i] | (uint8_t)~mask[i];
		}
		r->kind = CONFIG_RANGE_PREFIX;
		break;
	case ISAKMP_ID_IPV4_ADDR_RANGE:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		if (rbuf_get_bytes(&rb, r->hi.addr, n) != 0 ||
		    config_ip_cmp(&r->lo, &r->hi) > 0)
			return (ERR_MALFORMED);
		r->kind = CONFIG_RANGE_RANGE;
		break;
	}
	if (rbuf_left(&rb) != 0)
		return (ERR_MALFORMED);
	r->plen = ike_range_plen(r) < 0 ? 0 : ike_range_plen(r);
	return (0);
}

static int
ike_range_within(const struct config_range *outer,
    const struct config_range *inner)
{
	return (config_range_match(outer, &inner->lo) &&
	    config_range_match(outer, &inner->hi));
}

static void
ike_range_str(const struct config_range *r, char *buf, size_t len)
{
	char	lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

	inet_ntop(r->lo.family, r->lo.addr, lo, sizeof(lo));
	inet_ntop(r->hi.family, r->hi.addr, hi, sizeof(hi));
	if (config_ip_cmp(&r->lo, &r->hi) == 0)
		snprintf(buf, len, "%s", lo);
	else if (ike_range_plen(r) >= 0)
		snprintf(buf, len, "%s/%d", lo, ike_range_plen(r));
	else
		snprintf(buf, len, "%s-%s", lo, hi);
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

	while (id == 0 || ike_qm_find(p1, id) != NULL)
		if (rand_bytes(&id, sizeof(id)) != 0)
			return (0);
	return (id);
}

static uint32_t
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
	int			 rc;

	if ((qm = ike_qm_new(p1, ike_qm_msgid(p1), 1)) == NULL)
		return (ERR_NOMEM);
	qm->qm_spd = spd_idx;
	qm->qm_state = IKE_QM_I1;
	qm->qm_group = p1->p1_rule->cr_p2.p2_pfs.val;
	ike_qm_selectors(qm, spd);
	qm->qm_have_ids = 1;
	qm->qm_encap_mode = ike_natt_encap_mode(p1, qm->qm_tunnel);
	wbuf_init(&body, 0);
	if ((rc = ike_qm_iv(qm)) != 0 ||
	    (rc = kernel_get_spi(eng->e_kernel,
	    (const struct sockaddr *)&p1->p1_remote,
	    (const struct sockaddr *)&p1->p1_local, KERNEL_PROTO_ESP,
	    ike_qm_reqid(qm), &qm->qm_spi_in)) != 0 ||
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

/* Key bytes of the chosen ESP transform. */
static size_t
ike_qm_encr_keylen(const struct ike_qm *qm)
{
	switch (qm->qm_esp_id) {
	case ISAKMP_ESP_3DES:
		return (24);
	case ISAKMP_ESP_AES_CBC:
		return (qm->qm_keybits / 8);
	}
	return (0);
}

static size_t
ike_qm_auth_keylen(const struct ike_qm *qm)
{
	switch (qm->qm_auth_alg) {
	case ISAKMP_AUTH_ALG_HMAC_MD5:
		return (16);
	case ISAKMP_AUTH_ALG_HMAC_SHA:
		return (20);
	case ISAKMP_AUTH_ALG_HMAC_SHA2_256:
		return (32);
	case ISAKMP_AUTH_ALG_HMAC_SHA2_384:
		return (48);
	case ISAKMP_AUTH_ALG_HMAC_SHA2_512:
		return (64);
	}
	return (0);
}

static void
ike_sel_from_range(const struct config_range *r, uint16_t port,
    struct sockaddr_storage *ss, uint8_t *plen)
{
	int	p = ike_range_plen(r);

	ike_ip_to_sockaddr(&r->lo, port, ss);
	*plen = p < 0 ? (r->lo.family == AF_INET ? 32 : 128) : p;
}

static void
ike_qm_kernel_sel(const struct ike_qm *qm, int inbound,
    struct kernel_selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (inbound) {
		ike_sel_from_range(&qm->qm_remote, qm->qm_rport, &sel->sel_src,
		    &sel->sel_src_prefix);
		ike_sel_from_range(&qm->qm_local, qm->qm_lport, &sel->sel_dst,
		    &sel->sel_dst_prefix);
	} else {
		ike_sel_from_range(&qm->qm_local, qm->qm_lport, &sel->sel_src,
		    &sel->sel_src_prefix);
		ike_sel_from_range(&qm->qm_remote, qm->qm_rport, &sel->sel_dst,
		    &sel->sel_dst_prefix);
	}
	sel->sel_proto = qm->qm_ulp;
}

static void
ike_qm_lifetime(const struct ike_qm *qm, struct kernel_lifetime *lt)
{
	const struct config_p2	*p2 = &qm->qm_p1->p1_rule->cr_p2;

	memset(lt, 0, sizeof(*lt));
	lt->lt_hard_seconds = qm->qm_life_secs;
	lt->lt_soft_seconds = (uint64_t)qm->qm_life_secs * 9 / 10;
	if (p2->p2_softlife_secs.val != 0 &&
	    p2->p2_softlife_secs.val < qm->qm_life_secs)
		lt->lt_soft_seconds = p2->p2_softlife_secs.val;
	lt->lt_hard_kbytes = qm->qm_life_kb;
	lt->lt_soft_kbytes = (uint64_t)qm->qm_life_kb * 9 / 10;
	if (p2->p2_softlife_kb.val != 0 &&
	    p2->p2_softlife_kb.val < qm->qm_life_kb)
		lt->lt_soft_kbytes = p2->p2_softlife_kb.val;
	lt->lt_idle_seconds = p2->p2_idletime_secs.val;
}

/* One direction: KEYMAT with that SA's SPI (RFC 2409 5.5). */
static int
ike_qm_make_sa(struct ike_qm *qm, int inbound, const struct wbuf *gqm,
    struct kernel_sa *sa, struct wbuf *keymat)
{
	struct ike_p1	*p1 = qm->qm_p1;
	uint32_t	 spi = inbound ? qm->qm_spi_in : qm->qm_spi_out;
	uint32_t	 nspi = htonl(spi);
	size_t		 ek = ike_qm_encr_keylen(qm), ak = ike_qm_auth_keylen(qm);
	int		 rc;

	if ((rc = ikev1_keymat(p1->p1_hash, p1->p1_skeyid_d.wb_data,
	    p1->p1_skeyid_d.wb_len, gqm->wb_len ? gqm->wb_data : NULL,
	    gqm->wb_len, ISAKMP_PROTO_ESP, (const uint8_t *)&nspi, 4,
	    qm->qm_ni.wb_data, qm->qm_ni.wb_len, qm->qm_nr.wb_data,
	    qm->qm_nr.wb_len, ek + ak, keymat)) != 0)
		return (rc);
	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = inbound ? KERNEL_DIR_IN : KERNEL_DIR_OUT;
	sa->sa_id.id_src = inbound ? p1->p1_remote : p1->p1_local;
	sa->sa_id.id_dst = inbound ? p1->p1_local : p1->p1_remote;
	sa->sa_id.id_spi = spi;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = qm->qm_tunnel ? KERNEL_MODE_TUNNEL :
	    KERNEL_MODE_TRANSPORT;
	sa->sa_encap = qm->qm_encap;
	sa->sa_encr = qm->qm_esp_id;
	sa->sa_encr_key = keymat->wb_data;
	sa->sa_encr_keylen = ek;
	sa->sa_auth = qm->qm_auth_alg;
	sa->sa_auth_key = keymat->wb_data + ek;
	sa->sa_auth_keylen = ak;
	ike_qm_lifetime(qm, &sa->sa_lifetime);
	sa->sa_reqid = ike_qm_reqid(qm);
	ike_qm_kernel_sel(qm, inbound, &sa->sa_sel);
	return (0);
}

static int
ike_qm_add_policies(struct ike_qm *qm, struct ike_child *ch)
{
	struct ike_engine	*eng = qm->qm_p1->p1_eng;
	struct ike_p1		*p1 = qm->qm_p1;
	static const enum kernel_dir dirs[] = {
		KERNEL_DIR_OUT, KERNEL_DIR_IN, KERNEL_DIR_FWD,
	};
	size_t			 i, n = qm->qm_tunnel ? 3 : 2;
	int			 rc;

	for (i = 0; i < n; i++) {
		struct kernel_policy *pol = &ch->ch_pol[ch->ch_npol];

		memset(pol, 0, sizeof(*pol));
		pol->pol_dir = dirs[i];
		ike_qm_kernel_sel(qm, dirs[i] != KERNEL_DIR_OUT,
		    &pol->pol_sel);
		pol->pol_action = KERNEL_ACTION_IPSEC;
		pol->pol_mode = qm->qm_tunnel ? KERNEL_MODE_TUNNEL :
		    KERNEL_MODE_TRANSPORT;
		pol->pol_proto = KERNEL_PROTO_ESP;
		pol->pol_tun_src = dirs[i] == KERNEL_DIR_OUT ? p1->p1_local :
		    p1->p1_remote;
		pol->pol_tun_dst = dirs[i] == KERNEL_DIR_OUT ? p1->p1_remote :
		    p1->p1_local;
		ike_addr_set_port(&pol->pol_tun_src, 0);
		ike_addr_set_port(&pol->pol_tun_dst, 0);
		pol->pol_reqid = ike_qm_reqid(qm);
		pol->pol_priority = 1000 + (uint32_t)qm->qm_spd;
		pol->pol_index = (uint32_t)qm->qm_spd;
		rc = kernel_add_policy(eng->e_kernel, pol);
		if (rc == 0)
			ch->ch_npol++;
		else if (rc != ERR_EXISTS)
			return (rc);
	}
	return (0);
}

/* Both SAs and their policies, then the record of the pair. */
static int
ike_qm_install(struct ike_qm *qm)
{
	struct ike_p1		*p1 = qm->qm_p1;
	struct ike_engine	*eng = p1->p1_eng;
	struct kernel_sa	 in, out;
	struct ike_child	*ch;
	struct wbuf		 gqm, kin, kout;
	const char		*why = NULL;
	int			 rc;

	wbuf_init(&gqm, 1);
	wbuf_init(&kin, 1);
	wbuf_init(&kout, 1);
	if ((ch = calloc(1, sizeof(*ch))) == NULL) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (qm->qm_group != 0 && (rc = dh_key_derive(qm->qm_dh,
	    qm->qm_peer_ke.wb_data, qm->qm_peer_ke.wb_len, &gqm,
	    &why)) != 0) {
		log_warn("ISAKMP SA %s: PFS Diffie-Hellman with %s failed: %s",
		    p1->p1_cookies, p1->p1_peer, why ? why : err_str(rc));
		goto out;
	}
	if ((rc = ike_qm_make_sa(qm, 1, &gqm, &in, &kin)) != 0 ||
	    (rc = ike_qm_make_sa(qm, 0, &gqm, &out, &kout)) != 0)
		goto out;
	if ((rc = kernel_add_sa(eng->e_kernel, &in)) != 0)
		goto out;
	if ((rc = kernel_add_sa(eng->e_kernel, &out)) != 0) {
		(void)kernel_delete_sa(eng->e_kernel, &in.sa_id);
		goto out;
	}
	snprintf(ch->ch_label, sizeof(ch->ch_label), "%s", p1->p1_label);
	memcpy(ch->ch_icookie, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(ch->ch_rcookie, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	ch->ch_in = in.sa_id;
	ch->ch_out = out.sa_id;
	ch->ch_spd = qm->qm_spd;
	ch->ch_initiator = qm->qm_initiator;
	if ((rc = ike_qm_add_policies(qm, ch)) != 0)
		log_warn("ISAKMP SA %s: installing the policies for SPI "
		    "0x%08x failed: %s", p1->p1_cookies, qm->qm_spi_in,
		    err_str(rc));
	TAILQ_INSERT_TAIL(&eng->e_children, ch, ch_entry);
	ch = NULL;
	ike_keylog_esp(eng, &in);
	ike_keylog_esp(eng, &out);
	eng->e_stats.st_p2_installed++;
	p1->p1_qm_created++;
	log_info("IPsec SAs with %s installed (ISAKMP SA %s, rule \"%s\"): "
	    "ESP SPI in 0x%08x out 0x%08x, %s(%u)/%s, %s mode%s%s, "
	    "lifetime %u s", p1->p1_peer, p1->p1_cookies, p1->p1_label,
	    qm->qm_spi_in, qm->qm_spi_out,
	    isakmp_transform_id_name(ISAKMP_PROTO_ESP, qm->qm_esp_id),
	    qm->qm_keybits, isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P2,
	    ISAKMP_P2_AUTH_ALG, qm->qm_auth_alg) ? isakmp_attr_value_name(
	    ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_AUTH_ALG, qm->qm_auth_alg) :
	    "none", qm->qm_tunnel ? "tunnel" : "transport",
	    qm->qm_encap ? ", UDP-encapsulated" : "",
	    qm->qm_group ? ", PFS" : "", qm->qm_life_secs);
	rc = 0;
out:
	free(ch);
	wbuf_free(&gqm);
	wbuf_free(&kin);
	wbuf_free(&kout);
	if (rc != 0)
		log_err("ISAKMP SA %s: installing the IPsec SAs with %s "
		    "failed: %s", p1->p1_cookies, p1->p1_peer, err_str(rc));
	return (rc);
}

/* Check HASH(1) or HASH(2) over the payloads after the HASH. */
static int
ike_qm_verify(struct ike_qm *qm, const struct isakmp_msg *msg, int which)
{
	struct ike_p1			*p1 = qm->qm_p1;
	const struct isakmp_payload	*hp = &msg->m_payloads[0];
	const uint8_t			*rest = NULL;
	size_t				 rest_len = 0;
	struct wbuf			 want;
	int				 rc, ok;

	if (hp->pl_type != ISAKMP_PL_HASH)
		return (ERR_MALFORMED);
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
			log_warn("ISAKMP SA %s: HASH(%d) of Quick Mode %08x "
			    "from %s does not verify; message dropped",
			    p1->p1_cookies, which, qm->qm_msgid, p1->p1_peer);
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
	const struct isakmp_payload	*idi, *idr;
	struct config_ip		 l, r;

	(void)config_ip_from_sockaddr(&l, &p1->p1_local);
	(void)config_ip_from_sockaddr(&r, &p1->p1_remote);
	idi = isakmp_msg_find(msg, ISAKMP_PL_ID, 0);
	idr = idi ? isakmp_msg_find(msg, ISAKMP_PL_ID,
	    (size_t)(idi - msg->m_payloads) + 1) : NULL;
	if (idi == NULL) {
		ike_range_single(ri, &r);
		ike_range_single(rr, &l);
		return (0);
	}
	if (idr == NULL || ike_qm_id_range(&idi->pl_u.id, ri) != 0 ||
	    ike_qm_id_range(&idr->pl_u.id, rr) != 0 ||
	    idi->pl_u.id.id_proto != idr->pl_u.id.id_proto)
		return (ERR_MALFORMED);
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

	if (ike_qm_peer_ids(qm, msg, &ri, &rr) != 0)
		return (ERR_MALFORMED);
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
	if ((rc = kernel_get_spi(p1->p1_eng->e_kernel,
	    (const struct sockaddr *)&p1->p1_remote,
	    (const struct sockaddr *)&p1->p1_local, KERNEL_PROTO_ESP,
	    ike_qm_reqid(qm), &qm->qm_spi_in)) != 0)
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
		(void)ike_info_send_notify(p1, rc == ERR_PROPOSAL ?
		    ISAKMP_N_NO_PROPOSAL_CHOSEN :
		    ISAKMP_N_INVALID_ID_INFORMATION, ISAKMP_PROTO_ESP, NULL,
		    0);
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

	if ((rc = ike_payload_check(p1, msg, BIT(ISAKMP_PL_HASH) |
	    BIT(ISAKMP_PL_SA) | BIT(ISAKMP_PL_NONCE), BIT(ISAKMP_PL_KE) |
	    BIT(ISAKMP_PL_ID) | BIT(ISAKMP_PL_N) | BIT(ISAKMP_PL_NAT_OA),
	    "QM2")) != 0)
		return (ERR_MALFORMED);
	/* HASH(2) covers Ni_b, which we have, and the rest. */
	if (ike_qm_verify(qm, msg, 2) != 0)
		return (ERR_AUTH);
	ike_p1_peer_moved(p1, pk);
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
	if ((rc = ike_qm_install(qm)) != 0)
		return (rc);
	qm->qm_state = IKE_QM_DONE;
	qm->qm_expire = p1->p1_eng->e_now + IKE_QM_LINGER_MS;
	return (0);
}

static int
ike_qm_r_qm3(struct ike_qm *qm, const struct ike_packet *pk,
    const struct isakmp_msg *msg)
{
	int	rc;

	if (msg->m_npayloads < 1 || ike_qm_verify(qm, msg, 3) != 0)
		return (ERR_AUTH);
	ike_p1_peer_moved(qm->qm_p1, pk);
	qm->qm_xmit.x_next = 0;
	if ((rc = ike_qm_install(qm)) != 0)
		return (rc);
	qm->qm_state = IKE_QM_DONE;
	qm->qm_expire = qm->qm_p1->p1_eng->e_now + IKE_QM_LINGER_MS;
	return (0);
}

void
ike_qm_input(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_qm		*qm;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct wbuf		 plain;
	uint8_t			 iv[CIPHER_MAX_BLOCK];
	int			 rc, created = 0;

	if (p1->p1_state != IKE_P1_ESTABLISHED ||
	    !(hdr->h_flags & ISAKMP_FLAG_ENC) || hdr->h_msgid == 0) {
		eng->e_stats.st_rx_dropped++;
		return;
	}
	if ((qm = ike_qm_find(p1, hdr->h_msgid)) == NULL) {
		if ((qm = ike_qm_new(p1, hdr->h_msgid, 0)) == NULL)
			return;
		created = 1;
		qm->qm_state = -1;
		qm->qm_group = 0;
		if (ike_qm_iv(qm) != 0)
			goto drop;
	} else if (ike_xmit_is_dup(p1, &qm->qm_xmit, pk))
		return;
	if (qm->qm_state == IKE_QM_DONE) {
		eng->e_stats.st_rx_dropped++;
		return;
	}
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
		goto drop;
	}
	ike_msg_print("received Quick Mode", p1, &msg, D_P2);
	memcpy(qm->qm_iv, iv, sizeof(iv));
	/*
	 * QM1 and QM2 are answered, so a repeat of them gets the stored
	 * answer again.  QM3 is not: the responder keeps QM1 as the message
	 * its QM2 answers, or two stored replies would bounce forever.
	 */
	if (created)
		rc = ike_qm_r_qm1(qm, pk, &msg);
	else if (qm->qm_state == IKE_QM_I1)
		rc = ike_qm_i_qm2(qm, pk, &msg);
	else
		rc = ike_qm_r_qm3(qm, pk, &msg);
	isakmp_msg_free(&msg);
	wbuf_free(&plain);
	if (rc == 0) {
		if (qm->qm_initiator || created)
			ike_xmit_store_rx(&qm->qm_xmit, pk);
		return;
	}
	if (rc == ERR_AUTH || rc == ERR_MALFORMED) {
		/* A forged or broken message: wait for the real one. */
		if (!created)
			return;
	}
	if (!created && qm->qm_initiator)
		(void)ike_info_send_notify(p1, rc == ERR_PROPOSAL ?
		    ISAKMP_N_NO_PROPOSAL_CHOSEN : ISAKMP_N_PAYLOAD_MALFORMED,
		    ISAKMP_PROTO_ESP, NULL, 0);
	log_warn("ISAKMP SA %s: Quick Mode %08x with %s failed: %s",
	    p1->p1_cookies, hdr->h_msgid, p1->p1_peer, err_str(rc));
drop:
	eng->e_stats.st_rx_dropped++;
	ike_qm_free(qm);
}

void
ike_qm_timers(struct ike_p1 *p1, uint64_t now)
{
	struct ike_qm	*qm, *next;

	for (qm = TAILQ_FIRST(&p1->p1_qms); qm != NULL; qm = next) {
		next = TAILQ_NEXT(qm, qm_entry);
		if (qm->qm_state == IKE_QM_DONE) {
			if (now >= qm->qm_expire)
				ike_qm_free(qm);
			continue;
		}
		if (ike_xmit_timer(p1, &qm->qm_xmit, now)) {
			log_warn("ISAKMP SA %s: Quick Mode %08x with %s timed "
			    "out after %u retransmissions", p1->p1_cookies,
			    qm->qm_msgid, p1->p1_peer, qm->qm_xmit.x_tries);
			ike_qm_free(qm);
		}
	}
}

/* Remove an IPsec SA pair; send a Delete through its ISAKMP SA. */
void
ike_child_delete(struct ike_engine *eng, struct ike_child *ch, int send_delete)
{
	struct ike_p1	*p1;
	uint32_t	 spi = htonl(ch->ch_in.id_spi);
	size_t		 i;

	if (send_delete) {
		p1 = ike_p1_find(eng, ch->ch_icookie, ch->ch_rcookie, NULL);
		if (p1 == NULL || p1->p1_state != IKE_P1_ESTABLISHED)
			p1 = ike_p1_find_peer(eng, &ch->ch_out.id_dst);
		if (p1 != NULL && p1->p1_state == IKE_P1_ESTABLISHED)
			(void)ike_info_send_delete(p1, ISAKMP_PROTO_ESP,
			    (const uint8_t *)&spi, 4, 1);
	}
	for (i = 0; i < ch->ch_npol; i++)
		(void)kernel_delete_policy(eng->e_kernel, &ch->ch_pol[i]);
	(void)kernel_delete_sa(eng->e_kernel, &ch->ch_in);
	(void)kernel_delete_sa(eng->e_kernel, &ch->ch_out);
	log_info("IPsec SAs (rule \"%s\") removed: ESP SPI in 0x%08x out "
	    "0x%08x", ch->ch_label, ch->ch_in.id_spi, ch->ch_out.id_spi);
	TAILQ_REMOVE(&eng->e_children, ch, ch_entry);
	free(ch);
}
