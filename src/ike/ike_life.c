/*
 * Lifetimes of ISAKMP SAs and what a reload changes.  While IPsec SAs
 * with the peer still need it, a new Main Mode replaces an ISAKMP SA
 * before it expires, and the old SA is deleted once the new one is up.
 * The IPsec SAs stay, because they have their own lifetimes and their
 * Delete can go through any established ISAKMP SA with the peer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/rand.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/wbuf.h"

/* ISAKMP SAs shorter than this expire unrenewed: too short to rekey. */
#define IKE_LIFE_MIN_REKEY_SECS	10

/*
 * Time left at the latest when the initiator (responder) of an ISAKMP SA
 * starts its renewal.  A short lifetime would otherwise leave its Main
 * Mode a fraction of a second, and an ISAKMP SA that expires before its
 * replacement is up takes the IPsec SAs with the peer along.
 */
#define IKE_LIFE_MARGIN_I_MS	3000
#define IKE_LIFE_MARGIN_R_MS	1500

/*
 * How long a replaced ISAKMP SA stays after its successor is up.
 * strongSwan 5.9.8 moves the IPsec SAs to the new ISAKMP SA in a job
 * that it queues when Main Mode completes.  A Delete of the old SA that
 * it handles before that job removes the IPsec SAs with the old SA.
 */
#define IKE_LIFE_DELETE_DELAY_MS	2000

/*
 * How long after Main Mode a responder sends RESPONDER-LIFETIME.
 * strongSwan 5.9.8 handles a queued Informational before a queued Main
 * Mode message, so one sent right after MM6 arrives before its keys.
 */
#define IKE_LIFE_NOTIFY_DELAY_MS	500

static int
ike_life_same_peer(const struct ike_p1 *p1, const struct ike_p1 *o)
{
	struct config_ip	a, b;

	return (config_ip_from_sockaddr(&a, &p1->p1_remote) == 0 &&
	    config_ip_from_sockaddr(&b, &o->p1_remote) == 0 &&
	    config_ip_cmp(&a, &b) == 0);
}

/*
 * The first ISAKMP SA with p1's peer address, which ike_p1_peer_next
 * continues; NULL when p1 has no IP address.
 */
static struct ike_p1 *
ike_life_peer_first(const struct ike_p1 *p1)
{
	if (!p1->p1_peer_hashed)
		return (NULL);
	return (ike_p1_peer_first(p1->p1_eng, &p1->p1_peer_ip));
}

/* Whether another established ISAKMP SA with the peer takes over. */
static int
ike_life_p1_successor(const struct ike_p1 *p1)
{
	const struct ike_p1	*o;

	for (o = ike_life_peer_first(p1); o != NULL; o = ike_p1_peer_next(o))
		if (o != p1 && o->p1_state == IKE_P1_ESTABLISHED &&
		    ike_life_same_peer(p1, o))
			return (1);
	return (0);
}

/*
 * Delete an ISAKMP SA, with a Delete to the peer when it is established.
 * strongSwan 5.9 removes the IPsec SAs of a deleted ISAKMP SA unless a
 * newer ISAKMP SA with us has adopted them.  So when no other ISAKMP SA
 * with the peer is established, our IPsec SAs with it go first, each
 * with a Delete, and the next packet brings a new negotiation.
 */
void
ike_life_p1_delete(struct ike_p1 *p1, const char *why)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_child	*ch, *next;
	uint8_t			 spi[2 * ISAKMP_COOKIE_LEN];

	if (p1->p1_state == IKE_P1_ESTABLISHED &&
	    !ike_life_p1_successor(p1)) {
		for (ch = ike_child_peer_first_ss(eng, &p1->p1_remote);
		    ch != NULL; ch = next) {
			next = ike_child_peer_next(ch);
			ike_child_delete(eng, ch, 1);
		}
	}
	if (p1->p1_state == IKE_P1_ESTABLISHED) {
		memcpy(spi, p1->p1_icookie, ISAKMP_COOKIE_LEN);
		memcpy(spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie,
		    ISAKMP_COOKIE_LEN);
		(void)ike_info_send_delete(p1, ISAKMP_PROTO_ISAKMP, spi,
		    sizeof(spi), 1);
	}
	ike_p1_kill(p1, why);
}

/* Whether IPsec SAs or Quick Modes with the peer still need Phase 1. */
static int
ike_life_p1_needed(const struct ike_p1 *p1)
{
	const struct ike_child	*ch;

	if (!TAILQ_EMPTY(&p1->p1_pending))
		return (1);
	ch = ike_child_peer_first_ss(p1->p1_eng, &p1->p1_remote);
	return (ch != NULL);
}

/* Start the Main Mode that replaces p1. */
static void
ike_life_p1_rekey(struct ike_p1 *p1)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct sockaddr_storage	 l = p1->p1_local, r = p1->p1_remote;
	struct ike_p1		*o, *np1;
	int			 rc;

	if (p1->p1_rule == NULL || !ike_life_p1_needed(p1)) {
		log_debug(D_OP, "ISAKMP SA %s with %s: no IPsec SAs need it, "
		    "so it is not renewed", p1->p1_cookies, p1->p1_peer);
		return;
	}
	for (o = ike_life_peer_first(p1); o != NULL; o = ike_p1_peer_next(o))
		if (o != p1 && o->p1_state != IKE_P1_DEAD &&
		    o->p1_created >= p1->p1_created &&
		    ike_life_same_peer(p1, o))
			return;	/* a newer one exists or is on its way */
	/*
	 * A responder cannot reach a peer behind a NAT on port 500, and
	 * ike_life_p1_nat_notice() logged that when the SA came up.
	 * NOTE: RFC 3947 section 4 would allow a Main Mode from our port
	 * 4500 to the peer's current address and port, with the non-ESP
	 * marker, through the mapping the peer keeps open.  That is not
	 * done because it is untested against strongSwan behind a NAT.
	 */
	if (!p1->p1_initiator && p1->p1_nat_remote)
		return;
	ike_addr_set_port(&l, IKE_PORT);
	ike_addr_set_port(&r, IKE_PORT);
	if ((rc = ike_mm_initiate(eng, p1->p1_rule, &l, &r, &np1)) != 0) {
		log_warn("ISAKMP SA %s with %s (rule \"%s\"): starting its "
		    "replacement failed: %s; the next Quick Mode starts a new "
		    "one", p1->p1_cookies, p1->p1_peer, p1->p1_label,
		    err_str(rc));
		return;
	}
	p1->p1_replacing = 1;
	log_info("ISAKMP SA %s with %s (rule \"%s\") expires in %llu.%llu s: "
	    "Main Mode for its replacement started", p1->p1_cookies,
	    p1->p1_peer, p1->p1_label,
	    (unsigned long long)((p1->p1_expire - eng->e_now) / 1000),
	    (unsigned long long)((p1->p1_expire - eng->e_now) % 1000 / 100));
}

/*
 * Hand the Quick Modes that old still has to run, or that it started and
 * that have not finished, to its replacement p1: they start there as soon
 * as p1 is up, and the ones in flight on old would die with it.
 */
static void
ike_life_p1_hand_over(struct ike_p1 *old, struct ike_p1 *p1)
{
	struct ike_pending	*pd;
	struct ike_qm		*qm;

	while ((pd = TAILQ_FIRST(&old->p1_pending)) != NULL) {
		TAILQ_REMOVE(&old->p1_pending, pd, pd_entry);
		TAILQ_INSERT_TAIL(&p1->p1_pending, pd, pd_entry);
	}
	TAILQ_FOREACH(qm, &old->p1_qms, qm_entry) {
		if (!qm->qm_initiator || qm->qm_state != IKE_QM_I1)
			continue;
		if ((pd = calloc(1, sizeof(*pd))) == NULL)
			return;
		pd->pd_spd = qm->qm_spd;
		TAILQ_INSERT_TAIL(&p1->p1_pending, pd, pd_entry);
	}
}

/*
 * When to start the renewal, in ms after the start: the initiator at 90 %
 * of the lifetime, the responder between 93 and 97 % at random, so that
 * normally only one side starts a new Main Mode.  Each keeps at least its
 * margin, which for short lifetimes moves both points earlier.
 */
static uint64_t
ike_life_p1_rekey_delay(const struct ike_p1 *p1)
{
	uint64_t	life = (uint64_t)p1->p1_life_secs * 1000;
	uint64_t	margin, min;
	uint8_t		r = 0;

	if (p1->p1_initiator) {
		margin = life * 10 / 100;
		min = IKE_LIFE_MARGIN_I_MS;
	} else {
		(void)rand_bytes(&r, sizeof(r));
		margin = life * (3 + r % 5) / 100;
		min = IKE_LIFE_MARGIN_R_MS;
	}
	if (margin < min)
		margin = min;
	return (margin < life ? life - margin : 0);
}

/* Set the end and the renewal of an ISAKMP SA established at start. */
static void
ike_life_p1_schedule(struct ike_p1 *p1, uint64_t start)
{
	p1->p1_expire = start + (uint64_t)p1->p1_life_secs * 1000;
	p1->p1_rekey_at = 0;
	if (p1->p1_life_secs >= IKE_LIFE_MIN_REKEY_SECS)
		p1->p1_rekey_at = start + ike_life_p1_rekey_delay(p1);
}

/*
 * Responder: tell the peer the Phase 1 lifetime we cut its proposal to,
 * in a protected Informational with RESPONDER-LIFETIME (RFC 2407
 * 4.6.3.1) whose SPI is the cookie pair.  strongSwan 5.9.8 logs such a
 * notify and keeps its own lifetime.
 */
static void
ike_life_p1_send_responder_lifetime(struct ike_p1 *p1)
{
	struct wbuf	data;
	uint8_t		spi[2 * ISAKMP_COOKIE_LEN];
	int		rc;

	memcpy(spi, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	wbuf_init(&data, 0);
	wbuf_put_u16(&data, ISAKMP_ATTR_AF | ISAKMP_P1_LIFE_TYPE);
	wbuf_put_u16(&data, ISAKMP_LIFE_SECONDS);
	wbuf_put_u16(&data, ISAKMP_P1_LIFE_DURATION);
	wbuf_put_u16(&data, 4);
	wbuf_put_u32(&data, p1->p1_life_secs);
	rc = ike_info_send_notify_data(p1, ISAKMP_N_RESPONDER_LIFETIME,
	    ISAKMP_PROTO_ISAKMP, spi, sizeof(spi), data.wb_data, data.wb_len);
	wbuf_free(&data);
	if (rc != 0)
		log_warn("ISAKMP SA %s: sending RESPONDER-LIFETIME to %s "
		    "failed: %s; the peer learns the lifetime only when the "
		    "SA ends", p1->p1_cookies, p1->p1_peer, err_str(rc));
}

/*
 * Initiator: the responder cut the Phase 1 lifetime (RFC 2407 4.6.3.1).
 * Only a shorter lifetime is taken, and the renewal moves with it.
 */
void
ike_life_p1_responder_lifetime(struct ike_p1 *p1,
    const struct isakmp_notify *n)
{
	uint64_t	start;
	uint32_t	secs = p1->p1_life_secs, kb = p1->p1_life_kb;

	if (!p1->p1_initiator || p1->p1_state != IKE_P1_ESTABLISHED)
		return;
	if (ike_prop_life_attrs(n, ISAKMP_P1_LIFE_TYPE,
	    ISAKMP_P1_LIFE_DURATION, &secs, &kb) != 0) {
		log_warn("ISAKMP SA %s: malformed RESPONDER-LIFETIME from %s "
		    "ignored", p1->p1_cookies, p1->p1_peer);
		return;
	}
	/* Below that no renewal is scheduled, and the SA would just end. */
	if (secs < CONFIG_MIN_P1_LIFETIME) {
		log_warn("ISAKMP SA %s: RESPONDER-LIFETIME from %s gives %u s, "
		    "less than the minimum Phase 1 lifetime: using %u s",
		    p1->p1_cookies, p1->p1_peer, secs, CONFIG_MIN_P1_LIFETIME);
		secs = CONFIG_MIN_P1_LIFETIME;
	}
	if (secs == p1->p1_life_secs && kb == p1->p1_life_kb)
		return;
	start = p1->p1_expire - (uint64_t)p1->p1_life_secs * 1000;
	log_info("ISAKMP SA %s: peer %s shortened the Phase 1 lifetime from "
	    "%u s to %u s (RESPONDER-LIFETIME)", p1->p1_cookies, p1->p1_peer,
	    p1->p1_life_secs, secs);
	if (kb != p1->p1_life_kb)
		log_info("ISAKMP SA %s: peer %s set a Phase 1 traffic limit of "
		    "%u KB (RESPONDER-LIFETIME)", p1->p1_cookies, p1->p1_peer,
		    kb);
	p1->p1_life_secs = secs;
	p1->p1_life_kb = kb;
	ike_life_p1_schedule(p1, start);
	if (p1->p1_rekey_at != 0 && p1->p1_rekey_at < p1->p1_eng->e_now)
		p1->p1_rekey_at = p1->p1_eng->e_now;
	ike_p1_touch(p1);
}

/*
 * Count bytes protected with the keys of p1 against a traffic limit the
 * peer proposed: the renewal starts at 90 % of it and the SA ends at
 * the limit, in units of 1000 bytes as for IPsec SAs.
 */
void
ike_life_p1_count(struct ike_p1 *p1, size_t bytes)
{
	uint64_t	limit = (uint64_t)p1->p1_life_kb * 1000;
	uint64_t	now = p1->p1_eng->e_now;
	uint64_t	before = p1->p1_bytes;

	p1->p1_bytes += bytes;
	if (limit == 0 || p1->p1_state != IKE_P1_ESTABLISHED)
		return;
	if (before < limit * 9 / 10 && p1->p1_bytes >= limit * 9 / 10 &&
	    p1->p1_rekey_at > now)
		p1->p1_rekey_at = now;
	if (p1->p1_bytes >= limit && p1->p1_expire > now) {
		log_info("ISAKMP SA %s with %s: traffic limit of %u KB "
		    "reached", p1->p1_cookies, p1->p1_peer, p1->p1_life_kb);
		p1->p1_expire = now;
	}
	ike_p1_touch(p1);
}

/*
 * Tell the operator, once per SA, that a responder SA with a peer behind a
 * NAT ends at its lifetime unless the peer renews it, because
 * ike_life_p1_rekey() cannot start a Main Mode to the peer's port 500.
 */
static void
ike_life_p1_nat_notice(const struct ike_p1 *p1)
{
	if (p1->p1_initiator || !p1->p1_nat_remote)
		return;
	log_info("ISAKMP SA %s with %s (rule \"%s\"): the peer is behind a "
	    "NAT, and in.iked as the responder cannot renew the SA through "
	    "it, so this SA and its IPsec SAs end after the lifetime of %u s "
	    "unless the peer renews them earlier; give the peer a shorter "
	    "rekey time than that", p1->p1_cookies, p1->p1_peer,
	    p1->p1_label, p1->p1_life_secs);
}

/*
 * An ISAKMP SA is established: its renewal is scheduled, and older SAs
 * with the peer that our own Main Mode replaces hand their Quick Modes
 * over and are deleted IKE_LIFE_DELETE_DELAY_MS later.
 */
void
ike_life_p1_up(struct ike_p1 *p1)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_p1		*o;
	uint64_t		 end = eng->e_now + IKE_LIFE_DELETE_DELAY_MS;

	p1->p1_last_rx = eng->e_now;
	ike_life_p1_schedule(p1, eng->e_now);
	if (!p1->p1_initiator && p1->p1_resp_life)
		p1->p1_resp_life_at = eng->e_now + IKE_LIFE_NOTIFY_DELAY_MS;
	ike_life_p1_nat_notice(p1);
	for (o = ike_life_peer_first(p1); o != NULL; o = ike_p1_peer_next(o))
		if (o != p1 && o->p1_state == IKE_P1_ESTABLISHED &&
		    o->p1_replacing && o->p1_replaced_by[0] == '\0' &&
		    ike_life_same_peer(p1, o)) {
			ike_life_p1_hand_over(o, p1);
			(void)snprintf(o->p1_replaced_by,
			    sizeof(o->p1_replaced_by), "%s", p1->p1_cookies);
			if (end < o->p1_expire)
				o->p1_expire = end;
			ike_p1_touch(o);
		}
	ike_dpd_start(p1);
}

/*
 * Return the Main Mode under way that replaces p1, or NULL: ours, or the
 * peer's once it sent MM3 with our cookie.  Quick Modes wait for it
 * (ike_request_qm).  strongSwan 5.9 moves the IPsec SAs of an ISAKMP SA
 * to its successor once that is established.  It deletes the ones that
 * come up on the old SA after that moment together with the old SA.
 */
struct ike_p1 *
ike_life_p1_renewal(const struct ike_p1 *p1)
{
	struct ike_p1	*o;

	if (p1->p1_replaced_by[0] != '\0')
		return (NULL);
	for (o = ike_life_peer_first(p1); o != NULL; o = ike_p1_peer_next(o)) {
		if (o == p1 || o->p1_created < p1->p1_created ||
		    !ike_life_same_peer(p1, o))
			continue;
		if (o->p1_initiator ? p1->p1_replacing &&
		    o->p1_state != IKE_P1_ESTABLISHED &&
		    o->p1_state != IKE_P1_DEAD : o->p1_state == IKE_P1_MM_R2)
			return (o);
	}
	return (NULL);
}

/*
 * Run the Quick Modes that waited for p1, a Main Mode that failed, on an
 * established ISAKMP SA with the peer if there is one.
 */
void
ike_life_p1_failed(struct ike_p1 *p1)
{
	struct ike_pending	*pd;
	struct ike_p1		*o;

	if (TAILQ_EMPTY(&p1->p1_pending))
		return;
	o = ike_p1_find_peer(p1->p1_eng, &p1->p1_remote);
	if (o == NULL || o == p1 || o->p1_state != IKE_P1_ESTABLISHED)
		return;
	while ((pd = TAILQ_FIRST(&p1->p1_pending)) != NULL) {
		TAILQ_REMOVE(&p1->p1_pending, pd, pd_entry);
		TAILQ_INSERT_TAIL(&o->p1_pending, pd, pd_entry);
	}
	log_info("ISAKMP SA %s with %s (rule \"%s\"): its Quick Modes run "
	    "on ISAKMP SA %s instead", p1->p1_cookies, p1->p1_peer,
	    p1->p1_label, o->p1_cookies);
	ike_pending_run(o);
}

/* The lifetime of an established ISAKMP SA ended, or its successor is up. */
void
ike_life_p1_expired(struct ike_p1 *p1)
{
	char	why[96];

	if (p1->p1_replaced_by[0] == '\0') {
		ike_life_p1_delete(p1, "its lifetime ended");
		return;
	}
	(void)snprintf(why, sizeof(why), "replaced by ISAKMP SA %s",
	    p1->p1_replaced_by);
	ike_life_p1_delete(p1, why);
}

void
ike_life_p1_timers(struct ike_p1 *p1, uint64_t now)
{
	if (p1->p1_resp_life_at != 0 && now >= p1->p1_resp_life_at) {
		p1->p1_resp_life_at = 0;
		ike_life_p1_send_responder_lifetime(p1);
	}
	if (p1->p1_rekey_at != 0 && now >= p1->p1_rekey_at) {
		p1->p1_rekey_at = 0;
		ike_life_p1_rekey(p1);
	}
	if (p1->p1_state == IKE_P1_ESTABLISHED)
		ike_dpd_timer(p1, now);
}

uint64_t
ike_life_p1_deadline(const struct ike_p1 *p1)
{
	uint64_t	d = p1->p1_rekey_at;

	if (p1->p1_state != IKE_P1_ESTABLISHED)
		return (0);
	if (p1->p1_dpd_next != 0 && (d == 0 || p1->p1_dpd_next < d))
		d = p1->p1_dpd_next;
	if (p1->p1_resp_life_at != 0 && (d == 0 || p1->p1_resp_life_at < d))
		d = p1->p1_resp_life_at;
	return (d);
}

/* The policy entry of a pair in the new configuration, by its traffic. */
static int
ike_life_child_spd(const struct ike_engine *eng, const struct ike_child *ch,
    size_t *idx)
{
	const struct config_spd	*spd;
	struct config_selector	 sel;
	struct kernel_selector	 ksel;

	memset(&sel, 0, sizeof(sel));
	ike_sel_unpack(&ch->ch_sel, &ksel);
	if (config_ip_from_sockaddr(&sel.cs_local, &ksel.sel_src) != 0 ||
	    config_ip_from_sockaddr(&sel.cs_remote, &ksel.sel_dst) != 0)
		return (ERR_NOTFOUND);
	sel.cs_proto = ksel.sel_proto;
	sel.cs_dir = CONFIG_DIR_OUT;
	spd = config_spd_find(eng->e_cfg, &sel);
	if (spd == NULL || spd->sd_nalts == 0 ||
	    !config_spd_is_ipsec(&spd->sd_alts[0]))
		return (ERR_NOTFOUND);
	return (ike_spd_index(eng, spd, idx));
}

/*
 * A new configuration is in place: IPsec SAs whose rule or policy entry
 * is gone are deleted (with a Delete to the peer).  So are those whose
 * entry moved to another position, because an installed SA keeps the
 * reqid of its old position (ike_qm_reqid).  The userspace backend picks
 * the outbound SA of a policy by reqid alone, so the policy that now has
 * that position would send its traffic through them.  Their own traffic
 * negotiates a new pair.
 */
void
ike_life_reload(struct ike_engine *eng)
{
	struct ike_child	*ch, *next;
	const char		*why;
	char			 moved[128];
	size_t			 idx;

	for (ch = TAILQ_FIRST(&eng->e_children); ch != NULL; ch = next) {
		next = TAILQ_NEXT(ch, ch_entry);
		why = NULL;
		if (config_rule_find_label(eng->e_cfg, ch->ch_label) == NULL)
			why = "its rule is gone from ike.config";
		else if (ike_life_child_spd(eng, ch, &idx) != 0)
			why = "no ipsec entry of ipsecinit.conf covers its "
			    "traffic any more";
		else if (idx != ch->ch_spd) {
			(void)snprintf(moved, sizeof(moved), "its entry of "
			    "ipsecinit.conf moved from position %zu to %zu, "
			    "which changes its reqid", ch->ch_spd + 1,
			    idx + 1);
			why = moved;
		}
		if (why == NULL)
			continue;
		log_info("IPsec SAs (rule \"%s\") with ESP SPI in 0x%08x: "
		    "deleting them after the reload: %s", ch->ch_label,
		    ch->ch_in.sk_spi, why);
		ike_child_delete(eng, ch, 1);
	}
}
