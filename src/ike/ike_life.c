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

/* ISAKMP SAs shorter than this expire unrenewed: too short to rekey. */
#define IKE_LIFE_MIN_REKEY_SECS	10

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
	/* A responder cannot reach a peer behind a NAT on port 500. */
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
	log_info("ISAKMP SA %s with %s (rule \"%s\") expires in %llu s: "
	    "Main Mode for its replacement started", p1->p1_cookies,
	    p1->p1_peer, p1->p1_label, (unsigned long long)
	    ((p1->p1_expire - eng->e_now) / 1000));
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
 * An ISAKMP SA is established.  The initiator renews it at 90 % of its
 * lifetime, the responder between 93 and 97 % at random, so normally
 * only one side starts a new Main Mode.  Older SAs with the peer that
 * our own Main Mode replaces are deleted now.
 */
void
ike_life_p1_up(struct ike_p1 *p1)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_p1		*o;
	uint64_t		 life = (uint64_t)p1->p1_life_secs * 1000;
	uint8_t			 r = 0;
	char			 why[96];

	p1->p1_last_rx = eng->e_now;
	p1->p1_rekey_at = 0;
	if (p1->p1_life_secs >= IKE_LIFE_MIN_REKEY_SECS) {
		(void)rand_bytes(&r, sizeof(r));
		p1->p1_rekey_at = eng->e_now + life * (p1->p1_initiator ? 90 :
		    93 + r % 5) / 100;
	}
	snprintf(why, sizeof(why), "replaced by ISAKMP SA %s",
	    p1->p1_cookies);
	for (o = ike_life_peer_first(p1); o != NULL; o = ike_p1_peer_next(o))
		if (o != p1 && o->p1_state == IKE_P1_ESTABLISHED &&
		    o->p1_replacing && ike_life_same_peer(p1, o)) {
			ike_life_p1_hand_over(o, p1);
			ike_life_p1_delete(o, why);
		}
	ike_dpd_start(p1);
}

void
ike_life_p1_timers(struct ike_p1 *p1, uint64_t now)
{
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
	return (d);
}

/* The policy entry of a pair in the new configuration, by its traffic. */
static int
ike_life_child_spd(const struct ike_engine *eng, const struct ike_child *ch,
    size_t *idx)
{
	const struct config_spd	*spd;
	struct config_selector	 sel;

	memset(&sel, 0, sizeof(sel));
	if (config_ip_from_sockaddr(&sel.cs_local, &ch->ch_sel.sel_src) != 0 ||
	    config_ip_from_sockaddr(&sel.cs_remote,
	    &ch->ch_sel.sel_dst) != 0)
		return (ERR_NOTFOUND);
	sel.cs_proto = ch->ch_sel.sel_proto;
	sel.cs_dir = CONFIG_DIR_OUT;
	spd = config_spd_find(eng->e_cfg, &sel);
	if (spd == NULL || spd->sd_nalts == 0 ||
	    !config_spd_is_ipsec(&spd->sd_alts[0]))
		return (ERR_NOTFOUND);
	return (ike_spd_index(eng, spd, idx));
}

/*
 * A new configuration is in place: IPsec SAs whose rule or policy entry
 * is gone are deleted (with a Delete to the peer), the others now refer
 * to the policy entry of the new file that covers their traffic.
 * NOTE: an installed SA keeps the reqid of its old entry number.  When a
 * reload moves its entry, the kernel policy of the new number finds no SA
 * and its next packet brings an ACQUIRE and a new pair.
 */
void
ike_life_reload(struct ike_engine *eng)
{
	struct ike_child	*ch, *next;
	const char		*why;
	size_t			 idx;

	for (ch = TAILQ_FIRST(&eng->e_children); ch != NULL; ch = next) {
		next = TAILQ_NEXT(ch, ch_entry);
		why = NULL;
		if (config_rule_find_label(eng->e_cfg, ch->ch_label) == NULL)
			why = "its rule is gone from ike.config";
		else if (ike_life_child_spd(eng, ch, &idx) != 0)
			why = "no ipsec entry of ipsecinit.conf covers its "
			    "traffic any more";
		else
			ch->ch_spd = idx;
		if (why == NULL)
			continue;
		log_info("IPsec SAs (rule \"%s\") with ESP SPI in 0x%08x: "
		    "deleting them after the reload: %s", ch->ch_label,
		    ch->ch_in.id_spi, why);
		ike_child_delete(eng, ch, 1);
	}
}
