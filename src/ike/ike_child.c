/*
 * IPsec SA pairs: the keys of each direction from KEYMAT (RFC 2409
 * section 5.5), their installation with policies through the kernel
 * interface, and their removal.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dh.h"
#include "crypto/ikev1_kdf.h"
#include "crypto/rand.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

/* Key bytes of the chosen ESP transform. */
static size_t
ike_qm_encr_keylen(const struct ike_qm *qm)
{
	switch (qm->qm_esp_id) {
	case ISAKMP_ESP_3DES:
		return (24);
	case ISAKMP_ESP_AES_CBC:
		return (qm->qm_keybits / 8);
	case ISAKMP_ESP_AES_GCM_8:
	case ISAKMP_ESP_AES_GCM_12:
	case ISAKMP_ESP_AES_GCM_16:
		return (qm->qm_keybits / 8 + 4);	/* RFC 4106 8.1: salt */
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
	if (p >= 0)
		*plen = p;
	else if (r->lo.family == AF_INET)
		*plen = 32;
	else
		*plen = 128;
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

/*
 * A soft limit of the Quick Mode responder: 30 to 60 % of the way from
 * the soft to the hard limit, at random.  The initiator of the pair
 * renegotiates at the soft limit itself, so normally only one side
 * rekeys; the responder steps in only when the initiator did not.
 */
static uint64_t
ike_qm_responder_soft(uint64_t soft, uint64_t hard)
{
	uint8_t	r = 0;

	if (soft == 0 || hard <= soft)
		return (soft);
	(void)rand_bytes(&r, sizeof(r));
	return (soft + (hard - soft) * (30 + r % 31) / 100);
}

static void
ike_qm_lifetime(const struct ike_qm *qm, int inbound,
    struct kernel_lifetime *lt)
{
	const struct config_p2	*p2 = &qm->qm_p1->p1_rule->cr_p2;

	memset(lt, 0, sizeof(*lt));
	lt->lt_hard_seconds = qm->qm_life_secs;
	lt->lt_soft_seconds = (uint64_t)qm->qm_life_secs * 9 / 10;
	if (p2->p2_softlife_secs.val != 0 &&
	    p2->p2_softlife_secs.val < qm->qm_life_secs)
		lt->lt_soft_seconds = p2->p2_softlife_secs.val;
	/*
	 * The kernel counts units of 1024 bytes, strongSwan 5.9 takes the
	 * negotiated value in units of 1000 bytes.  An outbound SA gets the
	 * limit rounded down, so that our side stops sending on it before
	 * the peer rejects its packets.  An inbound SA gets it rounded up,
	 * so that it accepts every packet the peer sends on it.
	 */
	lt->lt_hard_kbytes = (uint64_t)qm->qm_life_kb * 1000 / 1024;
	if (inbound)
		lt->lt_hard_kbytes = ((uint64_t)qm->qm_life_kb * 1000 + 1023) /
		    1024;
	if (qm->qm_life_kb != 0 && lt->lt_hard_kbytes == 0)
		lt->lt_hard_kbytes = 1;
	lt->lt_soft_kbytes = lt->lt_hard_kbytes * 9 / 10;
	if (lt->lt_hard_kbytes - lt->lt_soft_kbytes < IKE_SOFT_KB_MARGIN) {
		if (lt->lt_hard_kbytes > 2 * IKE_SOFT_KB_MARGIN)
			lt->lt_soft_kbytes = lt->lt_hard_kbytes -
			    IKE_SOFT_KB_MARGIN;
		else
			lt->lt_soft_kbytes = lt->lt_hard_kbytes / 4;
	}
	/* Only a p2_softlife_kb written in the file overrides the margin. */
	if ((p2->p2_softlife_kb.src == CONFIG_SRC_FILE ||
	    p2->p2_softlife_kb.src == CONFIG_SRC_GLOBAL) &&
	    p2->p2_softlife_kb.val != 0 &&
	    p2->p2_softlife_kb.val < qm->qm_life_kb)
		lt->lt_soft_kbytes = p2->p2_softlife_kb.val;
	lt->lt_idle_seconds = p2->p2_idletime_secs.val;
	if (!qm->qm_initiator) {
		lt->lt_soft_seconds = ike_qm_responder_soft(lt->lt_soft_seconds,
		    lt->lt_hard_seconds);
		lt->lt_soft_kbytes = ike_qm_responder_soft(lt->lt_soft_kbytes,
		    lt->lt_hard_kbytes);
	}
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
	ike_qm_lifetime(qm, inbound, &sa->sa_lifetime);
	sa->sa_reqid = ike_qm_reqid(qm);
	ike_qm_kernel_sel(qm, inbound, &sa->sa_sel);
	return (0);
}

/*
 * A policy of the pair, as ike_qm_add_policies added it: outbound with
 * the pair's selector, inbound and forward with its reverse.  Rebuilt
 * from the pair instead of stored, because a kernel_policy is over
 * 500 bytes and a pair owns up to three.
 */
static void
ike_child_policy(const struct ike_child *ch, enum kernel_dir dir,
    struct kernel_policy *pol)
{
	const struct ike_sel	*sel = &ch->ch_sel;
	struct ike_sel		 rev;
	int			 out = dir == KERNEL_DIR_OUT;

	memset(pol, 0, sizeof(*pol));
	pol->pol_dir = dir;
	if (!out) {
		rev = ch->ch_sel;
		rev.is_src = ch->ch_sel.is_dst;
		rev.is_dst = ch->ch_sel.is_src;
		rev.is_src_prefix = ch->ch_sel.is_dst_prefix;
		rev.is_dst_prefix = ch->ch_sel.is_src_prefix;
		sel = &rev;
	}
	ike_sel_unpack(sel, &pol->pol_sel);
	pol->pol_action = KERNEL_ACTION_IPSEC;
	pol->pol_mode = ch->ch_tunnel ? KERNEL_MODE_TUNNEL :
	    KERNEL_MODE_TRANSPORT;
	pol->pol_proto = KERNEL_PROTO_ESP;
	ike_addr_unpack(out ? &ch->ch_out.sk_src : &ch->ch_out.sk_dst,
	    &pol->pol_tun_src);
	ike_addr_unpack(out ? &ch->ch_out.sk_dst : &ch->ch_out.sk_src,
	    &pol->pol_tun_dst);
	ike_addr_set_port(&pol->pol_tun_src, 0);
	ike_addr_set_port(&pol->pol_tun_dst, 0);
	pol->pol_reqid = ch->ch_reqid;
	pol->pol_priority = 1000 + ch->ch_pol_spd;
	pol->pol_index = ch->ch_pol_spd;
}

#define IKE_CHILD_NDIRS	3
static const enum kernel_dir ike_child_pol_dirs[IKE_CHILD_NDIRS] = {
	KERNEL_DIR_OUT, KERNEL_DIR_IN, KERNEL_DIR_FWD,
};

/*
 * The policies of a new pair; ch_sel, ch_out, ch_tunnel, ch_reqid and
 * ch_pol_spd are set.  One that exists already belongs to another pair.
 */
static int
ike_qm_add_policies(struct ike_child *ch, struct kernel *kernel)
{
	struct kernel_policy	pol;
	size_t			i, n = ch->ch_tunnel ? 3 : 2;
	int			rc;

	for (i = 0; i < n; i++) {
		ike_child_policy(ch, ike_child_pol_dirs[i], &pol);
		rc = kernel_add_policy(kernel, &pol);
		if (rc == 0)
			ch->ch_pol_dirs |= 1u << i;
		else if (rc != ERR_EXISTS)
			return (rc);
	}
	return (0);
}

/* The peer's address of a pair: the destination of its outbound SA. */
void
ike_child_remote(const struct ike_child *ch, struct sockaddr_storage *ss)
{
	ike_addr_unpack(&ch->ch_out.sk_dst, ss);
}

int
ike_child_same_peer(const struct ike_child *ch,
    const struct sockaddr_storage *remote)
{
	struct config_ip	a;

	memset(&a, 0, sizeof(a));
	return (ch->ch_peer_hashed &&
	    config_ip_from_sockaddr(&a, remote) == 0 &&
	    config_ip_cmp(&a, &ch->ch_peer_ip) == 0);
}

/* Chain a pair under its peer's address, after the older ones. */
void
ike_child_peer_hash(struct ike_engine *eng, struct ike_child *ch)
{
	struct sockaddr_storage	remote;

	ike_child_peer_unhash(eng, ch);
	memset(&ch->ch_peer_ip, 0, sizeof(ch->ch_peer_ip));
	ike_child_remote(ch, &remote);
	if (ike_tables_init(eng) != 0 ||
	    config_ip_from_sockaddr(&ch->ch_peer_ip, &remote) != 0)
		return;		/* then no peer lookup finds it */
	ch->ch_peer_bucket = ike_peer_bucket(eng, &ch->ch_peer_ip);
	TAILQ_INSERT_TAIL(&eng->e_child_peer[ch->ch_peer_bucket], ch,
	    ch_peer_entry);
	ch->ch_peer_hashed = 1;
}

void
ike_child_peer_unhash(struct ike_engine *eng, struct ike_child *ch)
{
	if (!ch->ch_peer_hashed)
		return;
	TAILQ_REMOVE(&eng->e_child_peer[ch->ch_peer_bucket], ch,
	    ch_peer_entry);
	ch->ch_peer_hashed = 0;
}

/*
 * The oldest pair with a peer address; with ike_child_peer_next, every
 * pair with it, in installation order.  A caller that deletes the pair
 * it is at takes the next one first.
 */
struct ike_child *
ike_child_peer_first(const struct ike_engine *eng, const struct config_ip *a)
{
	struct ike_child	*ch;

	if (eng->e_child_peer == NULL)
		return (NULL);
	ch = TAILQ_FIRST(&eng->e_child_peer[ike_peer_bucket(eng, a)]);
	while (ch != NULL && config_ip_cmp(a, &ch->ch_peer_ip) != 0)
		ch = TAILQ_NEXT(ch, ch_peer_entry);
	return (ch);
}

/* The same for the address of a socket address; NULL for other kinds. */
struct ike_child *
ike_child_peer_first_ss(const struct ike_engine *eng,
    const struct sockaddr_storage *ss)
{
	struct config_ip	a;

	memset(&a, 0, sizeof(a));
	if (config_ip_from_sockaddr(&a, ss) != 0)
		return (NULL);
	return (ike_child_peer_first(eng, &a));
}

struct ike_child *
ike_child_peer_next(const struct ike_child *ch)
{
	struct ike_child	*o;

	for (o = TAILQ_NEXT(ch, ch_peer_entry); o != NULL;
	    o = TAILQ_NEXT(o, ch_peer_entry))
		if (config_ip_cmp(&ch->ch_peer_ip, &o->ch_peer_ip) == 0)
			return (o);
	return (NULL);
}

/*
 * The pair that a new pair of policy entry spd with the peer at remote
 * replaces: the newest one not replaced yet.
 */
struct ike_child *
ike_child_predecessor(struct ike_engine *eng, size_t spd,
    const struct sockaddr_storage *remote)
{
	struct ike_child	*ch, *found = NULL;

	for (ch = ike_child_peer_first_ss(eng, remote); ch != NULL;
	    ch = ike_child_peer_next(ch))
		if (!ch->ch_replaced && ch->ch_spd == spd)
			found = ch;
	return (found);
}

/*
 * Hold the outbound SA of a rekey back for IKE_REKEY_SWITCH_MS.  The key
 * bytes move into the child's own wiped buffer.
 */
static int
ike_child_defer_out(struct ike_child *ch, const struct kernel_sa *out,
    uint64_t now)
{
	struct ike_child_defer	*df;
	int			 rc;

	if (ch->ch_defer == NULL) {
		if ((df = calloc(1, sizeof(*df))) == NULL)
			return (ERR_NOMEM);
		wbuf_init(&df->df_key, 1);
		ch->ch_defer = df;
	}
	df = ch->ch_defer;
	df->df_sa = *out;
	wbuf_reset(&df->df_key);
	if ((rc = wbuf_put(&df->df_key, out->sa_encr_key,
	    out->sa_encr_keylen)) != 0 ||
	    (rc = wbuf_put(&df->df_key, out->sa_auth_key,
	    out->sa_auth_keylen)) != 0)
		return (rc);
	df->df_sa.sa_encr_key = df->df_key.wb_data;
	df->df_sa.sa_auth_key = df->df_key.wb_data + out->sa_encr_keylen;
	ch->ch_switch_at = now + IKE_REKEY_SWITCH_MS;
	return (0);
}

/*
 * The new pair takes over from old: it becomes the owner of the policies
 * (so that deleting the old pair leaves them), and the side that ran the
 * Quick Mode deletes the old pair after the grace period.  The other
 * side waits twice as long for that Delete, then deletes the old pair
 * itself: some peers (strongSwan's IKEv1) let replaced SAs run to their
 * hard lifetime instead.
 */
static void
ike_child_take_over(struct ike_child *ch, struct ike_child *old,
    const struct ike_qm *qm, uint64_t now)
{
	old->ch_replaced = 1;
	old->ch_rekeyed = 1;
	/*
	 * All of ch's policies existed, so old's have ch's selectors, the
	 * key of a policy: ch can delete them as its own.
	 */
	if (ch->ch_pol_dirs == 0) {
		ch->ch_pol_dirs = old->ch_pol_dirs;
		old->ch_pol_dirs = 0;
	}
	old->ch_delete_at = now + IKE_REKEY_SWITCH_MS + IKE_REKEY_GRACE_MS *
	    (qm->qm_initiator ? 1 : 2);
	log_info("IPsec SAs (rule \"%s\") with ESP SPI in 0x%08x out 0x%08x "
	    "replaced by SPI in 0x%08x out 0x%08x%s", old->ch_label,
	    old->ch_in.sk_spi, old->ch_out.sk_spi, ch->ch_in.sk_spi,
	    ch->ch_out.sk_spi, qm->qm_initiator ? "; outbound traffic "
	    "moves in 1 s, the old pair is deleted 5 s later" : "");
}

/*
 * Both SAs and their policies, then the record of the pair.  A pair that
 * replaces an older one is installed make-before-break: see
 * IKE_REKEY_SWITCH_MS.
 */
int
ike_qm_install(struct ike_qm *qm)
{
	struct ike_p1		*p1 = qm->qm_p1;
	struct ike_engine	*eng = p1->p1_eng;
	struct kernel_sa	 in, out;
	struct kernel_selector	 sel;
	struct ike_child	*ch = NULL, *old;
	struct wbuf		 gqm, kin, kout;
	const char		*why = NULL;
	int			 rc;

	wbuf_init(&gqm, 1);
	wbuf_init(&kin, 1);
	wbuf_init(&kout, 1);
	if ((rc = ike_heap_reserve(&eng->e_child_timers,
	    eng->e_nchildren + 1)) != 0)
		goto out;
	if ((ch = calloc(1, sizeof(*ch))) == NULL ||
	    (ch->ch_label = strdup(p1->p1_label)) == NULL) {
		rc = ERR_NOMEM;
		goto out;
	}
	old = ike_child_predecessor(eng, qm->qm_spd, &p1->p1_remote);
	rc = 0;
	if (qm->qm_dhjob != NULL) {
		rc = dh_derive_finish(qm->qm_dhjob, &gqm, &why);
		qm->qm_dhjob = NULL;
	} else if (qm->qm_group != 0)
		rc = dh_key_derive(qm->qm_dh, qm->qm_peer_ke.wb_data,
		    qm->qm_peer_ke.wb_len, &gqm, &why);
	if (rc != 0) {
		log_warn("ISAKMP SA %s: PFS Diffie-Hellman with %s failed: %s",
		    p1->p1_cookies, p1->p1_peer, why ? why : err_str(rc));
		goto out;
	}
	if ((rc = ike_qm_make_sa(qm, 1, &gqm, &in, &kin)) != 0 ||
	    (rc = ike_qm_make_sa(qm, 0, &gqm, &out, &kout)) != 0)
		goto out;
	if ((rc = kernel_add_sa(eng->e_kernel, &in)) != 0)
		goto out;
	/*
	 * The switch waits for QM3 to reach the peer, because responders
	 * (in.iked, strongSwan 5.9) install their inbound SA only then.  An
	 * old SA that reaches its hard limit first hands over at once
	 * (ike_child_switch_successor).
	 * NOTE: traffic on the new inbound SA would show the peer is ready
	 * earlier, but the kernel interface does not report it.
	 */
	if (old != NULL && qm->qm_initiator)
		rc = ike_child_defer_out(ch, &out, eng->e_now);
	else
		rc = kernel_add_sa(eng->e_kernel, &out);
	if (rc != 0) {
		(void)kernel_delete_sa(eng->e_kernel, &in.sa_id);
		goto out;
	}
	memcpy(ch->ch_icookie, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(ch->ch_rcookie, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	ike_sa_key_pack(&ch->ch_in, &in.sa_id);
	ike_sa_key_pack(&ch->ch_out, &out.sa_id);
	ch->ch_spd = qm->qm_spd;
	ch->ch_initiator = qm->qm_initiator;
	ike_qm_kernel_sel(qm, 0, &sel);
	ike_sel_pack(&ch->ch_sel, &sel);
	ch->ch_tunnel = qm->qm_tunnel != 0;
	ch->ch_reqid = ike_qm_reqid(qm);
	ch->ch_pol_spd = (uint32_t)qm->qm_spd;
	if ((rc = ike_qm_add_policies(ch, eng->e_kernel)) != 0)
		log_warn("ISAKMP SA %s: installing the policies for SPI "
		    "0x%08x failed: %s", p1->p1_cookies, qm->qm_spi_in,
		    err_str(rc));
	if (old != NULL)
		ike_child_take_over(ch, old, qm, eng->e_now);
	TAILQ_INSERT_TAIL(&eng->e_children, ch, ch_entry);
	eng->e_nchildren++;
	ike_child_peer_hash(eng, ch);
	ike_child_note(eng, ch);
	if (old != NULL)
		ike_child_note(eng, old);
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
	    qm->qm_keybits, qm->qm_auth_alg != 0 ? isakmp_attr_value_name(
	    ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_AUTH_ALG, qm->qm_auth_alg) :
	    "none", qm->qm_tunnel ? "tunnel" : "transport",
	    qm->qm_encap ? ", UDP-encapsulated" : "",
	    qm->qm_group ? ", PFS" : "", qm->qm_life_secs);
	rc = 0;
out:
	if (ch != NULL)
		ike_child_free(ch);
	wbuf_free(&gqm);
	wbuf_free(&kin);
	wbuf_free(&kout);
	if (rc != 0)
		log_err("ISAKMP SA %s: installing the IPsec SAs with %s "
		    "failed: %s", p1->p1_cookies, p1->p1_peer, err_str(rc));
	return (rc);
}

/* Remove an IPsec SA pair; send a Delete through its ISAKMP SA. */
void
ike_child_delete(struct ike_engine *eng, struct ike_child *ch, int send_delete)
{
	struct ike_p1		*p1;
	struct kernel_policy	 pol;
	struct kernel_sa_id	 id;
	struct sockaddr_storage	 remote;
	uint32_t		 spi = htonl(ch->ch_in.sk_spi);
	size_t			 i;

	if (send_delete) {
		p1 = ike_p1_find(eng, ch->ch_icookie, ch->ch_rcookie, NULL);
		if (p1 == NULL || p1->p1_state != IKE_P1_ESTABLISHED) {
			ike_child_remote(ch, &remote);
			p1 = ike_p1_find_peer(eng, &remote);
		}
		if (p1 != NULL && p1->p1_state == IKE_P1_ESTABLISHED)
			(void)ike_info_send_delete(p1, ISAKMP_PROTO_ESP,
			    (const uint8_t *)&spi, 4, 1);
	}
	for (i = 0; i < IKE_CHILD_NDIRS; i++) {
		if (!(ch->ch_pol_dirs & (1u << i)))
			continue;
		ike_child_policy(ch, ike_child_pol_dirs[i], &pol);
		(void)kernel_delete_policy(eng->e_kernel, &pol);
	}
	ike_sa_key_unpack(&ch->ch_in, &id);
	(void)kernel_delete_sa(eng->e_kernel, &id);
	if (ch->ch_switch_at == 0) {
		ike_sa_key_unpack(&ch->ch_out, &id);
		(void)kernel_delete_sa(eng->e_kernel, &id);
	}
	log_info("IPsec SAs (rule \"%s\") removed: ESP SPI in 0x%08x out "
	    "0x%08x", ch->ch_label, ch->ch_in.sk_spi, ch->ch_out.sk_spi);
	TAILQ_REMOVE(&eng->e_children, ch, ch_entry);
	ike_child_peer_unhash(eng, ch);
	ike_heap_remove(&eng->e_child_timers, &ch->ch_timer);
	eng->e_nchildren--;
	ike_child_free(ch);
}

void
ike_child_free(struct ike_child *ch)
{
	if (ch->ch_defer != NULL) {
		wbuf_free(&ch->ch_defer->df_key);
		util_freezero(ch->ch_defer, sizeof(*ch->ch_defer));
	}
	free(ch->ch_label);
	util_freezero(ch, sizeof(*ch));
}

/* Move outbound traffic to a rekeyed pair: install its outbound SA. */
static void
ike_child_switch(struct ike_engine *eng, struct ike_child *ch)
{
	int	rc;

	ch->ch_switch_at = 0;
	if (ch->ch_defer == NULL)
		return;
	rc = kernel_add_sa(eng->e_kernel, &ch->ch_defer->df_sa);
	wbuf_free(&ch->ch_defer->df_key);
	util_freezero(ch->ch_defer, sizeof(*ch->ch_defer));
	ch->ch_defer = NULL;
	if (rc != 0) {
		log_err("IPsec SAs (rule \"%s\"): installing the outbound SA "
		    "0x%08x failed: %s; traffic stays on the old SAs until "
		    "they expire", ch->ch_label, ch->ch_out.sk_spi,
		    err_str(rc));
		return;
	}
	log_debug(D_P2, "IPsec SAs (rule \"%s\"): outbound traffic moved to "
	    "ESP SPI 0x%08x", ch->ch_label, ch->ch_out.sk_spi);
}

/*
 * An SA of the replaced pair ch reached a hard limit and is gone: delete
 * the rest of the pair IKE_REKEY_DRAIN_MS later unless that is due
 * earlier anyway.
 */
void
ike_child_drain(struct ike_engine *eng, struct ike_child *ch)
{
	uint64_t	at = eng->e_now + IKE_REKEY_DRAIN_MS;

	if (ch->ch_delete_at == 0 || at < ch->ch_delete_at)
		ch->ch_delete_at = at;
	ike_child_note(eng, ch);
}

/*
 * Install the deferred outbound SA of old's successor now.  The replaced
 * pair old reached its hard limit before the switch was due, and
 * outbound traffic must not wait for the switch without any SA.  With
 * several pairs waiting (a fast flow rekeys faster than the switch), only
 * the oldest one moves: the peer has most likely installed it, while the
 * QM3 of a newer one may still be on its way.
 */
void
ike_child_switch_successor(struct ike_engine *eng, const struct ike_child *old)
{
	struct ike_child	*ch, *next = NULL;
	struct sockaddr_storage	 remote;

	if (!old->ch_replaced)
		return;
	ike_child_remote(old, &remote);
	for (ch = ike_child_peer_first_ss(eng, &remote);
	    ch != NULL; ch = ike_child_peer_next(ch))
		if (ch != old && ch->ch_switch_at != 0 &&
		    ch->ch_spd == old->ch_spd &&
		    (next == NULL || ch->ch_switch_at < next->ch_switch_at))
			next = ch;
	if (next == NULL)
		return;
	ike_child_switch(eng, next);
	ike_child_note(eng, next);
}

/*
 * A Quick Mode we started for policy entry spd with the peer timed out
 * or was rejected.  A pair waiting for its replacement gets another
 * attempt later, because the kernel reports its soft expiry only once.
 * After a rejection, that attempt waits until the back-off ends.
 */
void
ike_child_rekey_failed(struct ike_engine *eng, size_t spd,
    const struct sockaddr_storage *remote)
{
	struct ike_child	*ch;
	uint64_t		 delay;

	delay = ike_qm_backoff_left(eng, spd, remote);
	if (delay < IKE_REKEY_RETRY_MS)
		delay = IKE_REKEY_RETRY_MS;
	for (ch = ike_child_peer_first_ss(eng, remote); ch != NULL;
	    ch = ike_child_peer_next(ch)) {
		if (ch->ch_spd != spd || !ch->ch_rekeyed || ch->ch_replaced ||
		    ch->ch_retry_at != 0)
			continue;
		ch->ch_retry_at = eng->e_now + delay;
		ike_child_note(eng, ch);
		log_warn("IPsec SAs (rule \"%s\") with ESP SPI in 0x%08x: "
		    "their replacement failed; trying again in %llu s",
		    ch->ch_label, ch->ch_in.sk_spi,
		    (unsigned long long)(delay / 1000));
	}
}

/* The timers of one pair that are due. */
static void
ike_child_run(struct ike_engine *eng, struct ike_child *ch, uint64_t now)
{
	if (ch->ch_retry_at != 0 && now >= ch->ch_retry_at) {
		ch->ch_retry_at = 0;
		if (!ch->ch_replaced)
			ike_child_rekey(eng, ch);
	}
	if (ch->ch_switch_at != 0 && now >= ch->ch_switch_at)
		ike_child_switch(eng, ch);
	if (ch->ch_delete_at != 0 && now >= ch->ch_delete_at) {
		log_info("IPsec SAs (rule \"%s\") with ESP SPI in 0x%08x: "
		    "deleting the replaced pair", ch->ch_label,
		    ch->ch_in.sk_spi);
		ike_child_delete(eng, ch, 1);
		return;
	}
	ike_child_note(eng, ch);
}

/*
 * Deferred outbound SAs, rekey retries and replaced pairs' deletion.
 * Only the pairs that are due are looked at, each at most once per run.
 */
void
ike_child_timers(struct ike_engine *eng, uint64_t now)
{
	struct ike_heap_node	*n;
	size_t			 left = eng->e_child_timers.h_len;

	while (left-- > 0 && (n = ike_heap_top(&eng->e_child_timers)) !=
	    NULL && n->hn_key <= now) {
		ike_heap_remove(&eng->e_child_timers, n);
		ike_child_run(eng, (struct ike_child *)(void *)((char *)n -
		    offsetof(struct ike_child, ch_timer)), now);
	}
}

static void
ike_child_min(uint64_t *d, uint64_t t)
{
	if (t != 0 && (*d == 0 || t < *d))
		*d = t;
}

/* A pair's timers were set or cleared: move its node in the heap. */
void
ike_child_note(struct ike_engine *eng, struct ike_child *ch)
{
	uint64_t	d = 0;

	ike_child_min(&d, ch->ch_switch_at);
	ike_child_min(&d, ch->ch_delete_at);
	ike_child_min(&d, ch->ch_retry_at);
	ike_heap_set(&eng->e_child_timers, &ch->ch_timer, d);
}

/* The earliest timer of all IPsec SA pairs, 0 for none. */
uint64_t
ike_child_deadline(struct ike_engine *eng)
{
	struct ike_heap_node	*n = ike_heap_top(&eng->e_child_timers);

	return (n != NULL ? n->hn_key : 0);
}
