/*
 * The engine object: configuration, dispatch of received messages by
 * exchange type, kernel events, timers and shutdown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

static struct log_ratelimit ike_engine_rl = LOG_RATELIMIT_INIT(10, 20);

/* Globals before any configuration is installed. */
static const struct config_globals ike_default_globals = {
	.cg_expire_timer = { CONFIG_DEF_EXPIRE_TIMER, 0, 0 },
	.cg_retry_limit = { CONFIG_DEF_RETRY_LIMIT, 0, 0 },
	.cg_max_half_open = { CONFIG_DEF_MAX_HALF_OPEN, 0, 0 },
	.cg_retry_timer_init = { CONFIG_DEF_RETRY_INIT_MS, 0, 0 },
	.cg_retry_timer_max = { CONFIG_DEF_RETRY_MAX_MS, 0, 0 },
	.cg_p1_lifetime_secs = { CONFIG_DEF_P1_LIFETIME, 0, 0 },
	.cg_p1_nonce_len = { CONFIG_DEF_NONCE_LEN, 0, 0 },
	.cg_p2_nonce_len = { CONFIG_DEF_NONCE_LEN, 0, 0 },
};

const struct config_globals *
ike_globals(const struct ike_engine *eng)
{
	if (eng->e_cfg == NULL)
		return (&ike_default_globals);
	return (&eng->e_cfg->cf_globals);
}

int
ike_spd_index(const struct ike_engine *eng, const struct config_spd *spd,
    size_t *idx)
{
	if (eng->e_cfg == NULL || spd < eng->e_cfg->cf_spds ||
	    spd >= eng->e_cfg->cf_spds + eng->e_cfg->cf_nspds)
		return (ERR_NOTFOUND);
	*idx = (size_t)(spd - eng->e_cfg->cf_spds);
	return (0);
}

int
ike_send_raw(struct ike_engine *eng, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, const struct wbuf *wb)
{
	struct ike_packet	pk;

	memset(&pk, 0, sizeof(pk));
	pk.pk_local = *local;
	pk.pk_remote = *remote;
	pk.pk_data = wb->wb_data;
	pk.pk_len = wb->wb_len;
	return (eng->e_host.ih_send(eng->e_arg, &pk));
}

static void
ike_deadline_min(uint64_t *d, uint64_t t)
{
	if (t != 0 && (*d == 0 || t < *d))
		*d = t;
}

/* The earliest timer of one ISAKMP SA and its Quick Modes. */
static void
ike_p1_deadline(const struct ike_p1 *p1, uint64_t *d)
{
	const struct ike_qm		*qm;
	const struct ike_qm_done	*qd;

	ike_deadline_min(d, p1->p1_expire);
	ike_deadline_min(d, p1->p1_xmit.x_next);
	ike_deadline_min(d, p1->p1_keepalive);
	ike_deadline_min(d, ike_life_p1_deadline(p1));
	TAILQ_FOREACH(qm, &p1->p1_qms, qm_entry)
		ike_deadline_min(d, qm->qm_xmit.x_next);
	/* The first finished Quick Mode is the first to expire. */
	if ((qd = TAILQ_FIRST(&p1->p1_qm_done)) != NULL)
		ike_deadline_min(d, qd->qd_expire);
}

/* Move an ISAKMP SA's node in the timer heap to its earliest deadline. */
static void
ike_p1_timer_set(struct ike_p1 *p1)
{
	uint64_t	d = 0;

	ike_p1_deadline(p1, &d);
	ike_heap_set(&p1->p1_eng->e_p1_timers, &p1->p1_timer, d);
}

/*
 * Only the ISAKMP SAs that an engine call touched (found, created,
 * killed or sent on) can have moved a timer, so only their nodes in the
 * heap move.  Then the earliest deadline is at the top of the two heaps,
 * and the work per datagram does not grow with the number of SAs.
 */
uint64_t
ike_touched_deadline(struct ike_engine *eng)
{
	struct ike_heap_node	*n;
	struct ike_p1		*p1;
	uint64_t		 d = 0;

	while ((p1 = TAILQ_FIRST(&eng->e_touched)) != NULL) {
		ike_p1_timer_set(p1);
		ike_p1_untouch(p1);
	}
	if ((n = ike_heap_top(&eng->e_p1_timers)) != NULL)
		d = n->hn_key;
	ike_deadline_min(&d, ike_child_deadline(eng));
	return (d);
}

static uint64_t
ike_next_deadline(struct ike_engine *eng)
{
	return (ike_touched_deadline(eng));
}

/* Tell the host when the earliest deadline moved. */
static void
ike_timer_report(struct ike_engine *eng, uint64_t d)
{
	if (d == eng->e_deadline)
		return;
	eng->e_deadline = d;
	if (eng->e_host.ih_timer_changed != NULL)
		eng->e_host.ih_timer_changed(eng->e_arg, d);
}

void
ike_timer_update(struct ike_engine *eng)
{
	if (eng->e_in_input)
		return;		/* ike_engine_input updates at its end */
	ike_timer_report(eng, ike_next_deadline(eng));
}

struct ike_engine *
ike_engine_new(const struct ike_host *host, void *arg, struct kernel *kernel)
{
	struct ike_engine	*eng;

	if (host == NULL || host->ih_send == NULL)
		return (NULL);
	if ((eng = calloc(1, sizeof(*eng))) == NULL)
		return (NULL);
	eng->e_host = *host;
	eng->e_arg = arg;
	eng->e_kernel = kernel;
	TAILQ_INIT(&eng->e_p1s);
	TAILQ_INIT(&eng->e_children);
	TAILQ_INIT(&eng->e_touched);
	ike_heap_init(&eng->e_p1_timers);
	ike_heap_init(&eng->e_child_timers);
	return (eng);
}

void
ike_engine_free_all(struct ike_engine *eng)
{
	struct ike_p1		*p1;
	struct ike_child	*ch;

	while ((p1 = TAILQ_FIRST(&eng->e_p1s)) != NULL)
		ike_p1_free(p1);
	while ((ch = TAILQ_FIRST(&eng->e_children)) != NULL) {
		TAILQ_REMOVE(&eng->e_children, ch, ch_entry);
		ike_child_peer_unhash(eng, ch);
		ike_heap_remove(&eng->e_child_timers, &ch->ch_timer);
		eng->e_nchildren--;
		ike_child_free(ch);
	}
}

void
ike_engine_free(struct ike_engine *eng)
{
	if (eng == NULL)
		return;
	ike_engine_free_all(eng);
	ike_qm_backoff_clear(eng);
	free(eng->e_p1_hash);
	free(eng->e_peer_hash);
	free(eng->e_child_peer);
	ike_heap_free(&eng->e_p1_timers);
	ike_heap_free(&eng->e_child_timers);
	config_free(eng->e_cfg);
	free(eng->e_keylog_dir);
	util_freezero(eng, sizeof(*eng));
}

void
ike_engine_set_certstore(struct ike_engine *eng, struct certstore *cs)
{
	eng->e_certs = cs;
}

static int
ike_range_same(const struct config_range *a, const struct config_range *b)
{
	return (config_ip_cmp(&a->lo, &b->lo) == 0 &&
	    config_ip_cmp(&a->hi, &b->hi) == 0);
}

static int
ike_spd_num_same(const struct config_spd_num *a, const struct config_spd_num *b)
{
	return (a->sn_set == b->sn_set && a->sn_lo == b->sn_lo &&
	    a->sn_hi == b->sn_hi);
}

static int
ike_spd_alg_same(const struct config_spd_alg *a, const struct config_spd_alg *b)
{
	return (a->sa_set == b->sa_set && a->sa_id == b->sa_id &&
	    a->sa_klen_min == b->sa_klen_min &&
	    a->sa_klen_max == b->sa_klen_max);
}

static int
ike_spd_alts_same(const struct config_spd *a, const struct config_spd *b)
{
	const struct config_spd_alt	*x, *y;
	size_t				 i;

	if (a->sd_nalts != b->sd_nalts)
		return (0);
	for (i = 0; i < a->sd_nalts; i++) {
		x = &a->sd_alts[i];
		y = &b->sd_alts[i];
		if (x->sp_action != y->sp_action ||
		    x->sp_sa_unique != y->sp_sa_unique ||
		    x->sp_dir != y->sp_dir ||
		    !ike_spd_alg_same(&x->sp_ah_auth, &y->sp_ah_auth) ||
		    !ike_spd_alg_same(&x->sp_esp_encr, &y->sp_esp_encr) ||
		    !ike_spd_alg_same(&x->sp_esp_auth, &y->sp_esp_auth))
			return (0);
	}
	return (1);
}

/* Whether two policy entries select the same traffic the same way. */
static int
ike_spd_same(const struct config_spd *a, const struct config_spd *b)
{
	if (a->sd_laddr_set != b->sd_laddr_set ||
	    (a->sd_laddr_set && !ike_range_same(&a->sd_laddr, &b->sd_laddr)) ||
	    a->sd_raddr_set != b->sd_raddr_set ||
	    (a->sd_raddr_set && !ike_range_same(&a->sd_raddr, &b->sd_raddr)) ||
	    !ike_spd_num_same(&a->sd_lport, &b->sd_lport) ||
	    !ike_spd_num_same(&a->sd_rport, &b->sd_rport) ||
	    !ike_spd_num_same(&a->sd_ulp, &b->sd_ulp) ||
	    !ike_spd_num_same(&a->sd_icmp_type, &b->sd_icmp_type) ||
	    !ike_spd_num_same(&a->sd_icmp_code, &b->sd_icmp_code) ||
	    a->sd_dir != b->sd_dir || a->sd_negotiate != b->sd_negotiate ||
	    a->sd_tunnel != b->sd_tunnel)
		return (0);
	if (a->sd_tunnel && (config_ip_cmp(&a->sd_tsrc, &b->sd_tsrc) != 0 ||
	    !ike_range_same(&a->sd_tdst, &b->sd_tdst)))
		return (0);
	return (ike_spd_alts_same(a, b));
}

/*
 * The index in the new configuration of the old policy entry idx: the
 * first entry that is the same, or -1 when the reload removed or changed
 * it.
 * NOTE: a linear scan per pending negotiation, which is fine while few
 * negotiations are in flight at a reload.
 */
static int
ike_spd_remap(const struct config *old, const struct config *cfg,
    size_t idx, size_t *out)
{
	size_t	i;

	if (old == NULL || idx >= old->cf_nspds)
		return (-1);
	for (i = 0; i < cfg->cf_nspds; i++) {
		if (ike_spd_same(&old->cf_spds[idx], &cfg->cf_spds[i])) {
			*out = i;
			return (0);
		}
	}
	return (-1);
}

/*
 * Keep the negotiations of p1 that the new configuration still allows:
 * Quick Modes queued behind its Main Mode and those in progress, with
 * their policy entry numbered as in the new file.  The others go.
 */
static void
ike_engine_remap_qms(struct ike_p1 *p1, const struct config *old,
    const struct config *cfg)
{
	struct ike_pending	*pd, *pnext;
	struct ike_qm		*qm, *qnext;
	size_t			 idx;
	int			 keep = p1->p1_rule != NULL;

	for (pd = TAILQ_FIRST(&p1->p1_pending); pd != NULL; pd = pnext) {
		pnext = TAILQ_NEXT(pd, pd_entry);
		if (keep && ike_spd_remap(old, cfg, pd->pd_spd, &idx) == 0) {
			pd->pd_spd = idx;
			continue;
		}
		TAILQ_REMOVE(&p1->p1_pending, pd, pd_entry);
		free(pd);
	}
	for (qm = TAILQ_FIRST(&p1->p1_qms); qm != NULL; qm = qnext) {
		qnext = TAILQ_NEXT(qm, qm_entry);
		if (qm->qm_state == IKE_QM_DONE)
			continue;
		if (keep && ike_spd_remap(old, cfg, qm->qm_spd, &idx) == 0)
			qm->qm_spd = idx;
		else
			ike_qm_free(qm);
	}
}

int
ike_engine_set_config(struct ike_engine *eng, struct config *cfg,
    uint64_t now_ms)
{
	struct config		*old = eng->e_cfg;
	const struct config_rule *rule;
	struct ike_p1		*p1;
	const char		*why;
	char			 msg[192];

	if (cfg == NULL)
		return (ERR_INVAL);
	eng->e_now = now_ms;
	eng->e_cfg = cfg;
	ike_qm_backoff_clear(eng);
	/* First, while the ISAKMP SAs can still carry their Delete. */
	ike_life_reload(eng);
	TAILQ_FOREACH(p1, &eng->e_p1s, p1_entry) {
		ike_p1_touch(p1);	/* the reload may move any timer */
		rule = config_rule_find_label(cfg, p1->p1_label);
		why = NULL;
		if (rule != NULL && p1->p1_state != IKE_P1_DEAD)
			why = ike_reauth_changed(p1, old, cfg, rule);
		p1->p1_rule = rule;
		ike_engine_remap_qms(p1, old, cfg);
		if (p1->p1_state == IKE_P1_DEAD)
			continue;
		if (p1->p1_rule == NULL)
			ike_life_p1_delete(p1, "its rule is gone from the "
			    "configuration");
		else if (why != NULL) {
			snprintf(msg, sizeof(msg), "its Phase 1 authentication "
			    "changed at the reload: %s", why);
			ike_life_p1_delete(p1, msg);
		}
	}
	config_free(old);
	ike_timer_update(eng);
	return (0);
}

/*
 * Aggressive Mode is not supported, so its first message gets a clear
 * INVALID-EXCHANGE-TYPE (RFC 2408 section 3.14.1), which tells the peer
 * to use Main Mode instead of waiting for a timeout.  The answer is
 * smaller than the message and rate-limited with the log line.
 */
static void
ike_engine_reject_aggressive(struct ike_engine *eng,
    const struct ike_packet *pk, const struct isakmp_hdr *hdr)
{
	static const uint8_t	zero[ISAKMP_COOKIE_LEN];
	char			peer[64];

	eng->e_stats.st_rx_dropped++;
	if (memcmp(hdr->h_rcookie, zero, sizeof(zero)) != 0 ||
	    (hdr->h_flags & ISAKMP_FLAG_ENC) ||
	    !log_ratelimit_pass(&ike_engine_rl))
		return;
	ike_addr_str(&pk->pk_remote, peer, sizeof(peer));
	log_warn("Aggressive Mode from %s rejected with "
	    "INVALID-EXCHANGE-TYPE: only Main Mode is supported; configure "
	    "the peer for Main Mode", peer);
	(void)ike_info_send_notify_clear(eng, pk, hdr,
	    ISAKMP_N_INVALID_EXCHANGE_TYPE);
}

static void
ike_engine_input_one(struct ike_engine *eng, const struct ike_packet *pk,
    uint64_t now_ms)
{
	struct isakmp_hdr	 hdr;
	struct isakmp_error	 err;
	struct ike_p1		*p1;
	char			 peer[64];

	eng->e_now = now_ms;
	if (eng->e_cfg == NULL || pk == NULL || pk->pk_data == NULL) {
		eng->e_stats.st_rx_dropped++;
		return;
	}
	if (isakmp_hdr_parse(pk->pk_data, pk->pk_len, &hdr, &err) != 0) {
		eng->e_stats.st_rx_dropped++;
		if (log_ratelimit_pass(&ike_engine_rl)) {
			ike_addr_str(&pk->pk_remote, peer, sizeof(peer));
			log_warn("malformed ISAKMP message from %s dropped: "
			    "%s", peer, err.ie_msg);
		}
		return;
	}
	switch (hdr.h_exchange) {
	case ISAKMP_EX_IDPROT:
		ike_mm_input(eng, pk, &hdr);
		break;
	case ISAKMP_EX_QUICK:
	case ISAKMP_EX_INFO:
		if (hdr.h_exchange == ISAKMP_EX_INFO &&
		    !(hdr.h_flags & ISAKMP_FLAG_ENC)) {
			ike_info_input_clear(eng, pk, &hdr);
			break;
		}
		p1 = ike_p1_find(eng, hdr.h_icookie, hdr.h_rcookie, NULL);
		/*
		 * A responder that waits for MM5 derives the Phase 1 keys
		 * only when a message needs them (ike_mm_keys()), and an
		 * encrypted Informational from the peer is such a message.
		 */
		if (p1 != NULL && hdr.h_exchange == ISAKMP_EX_INFO &&
		    p1->p1_state == IKE_P1_MM_R2 &&
		    ike_addr_eq(&pk->pk_remote, &p1->p1_remote))
			(void)ike_mm_keys(p1);
		if (p1 != NULL && hdr.h_exchange == ISAKMP_EX_INFO &&
		    ike_info_mm_keyed(p1)) {
			ike_info_input(p1, pk, &hdr);
			break;
		}
		if (p1 == NULL || p1->p1_state != IKE_P1_ESTABLISHED) {
			eng->e_stats.st_rx_dropped++;
			if (log_ratelimit_pass(&ike_engine_rl)) {
				ike_addr_str(&pk->pk_remote, peer,
				    sizeof(peer));
				log_debug(D_OP, "%s message from %s for "
				    "unknown or unfinished ISAKMP SA dropped",
				    isakmp_exchange_name(hdr.h_exchange), peer);
			}
			break;
		}
		if (hdr.h_exchange == ISAKMP_EX_QUICK)
			ike_qm_input(p1, pk, &hdr);
		else
			ike_info_input(p1, pk, &hdr);
		break;
	case ISAKMP_EX_AGGRESSIVE:
		ike_engine_reject_aggressive(eng, pk, &hdr);
		break;
	default:
		eng->e_stats.st_rx_dropped++;
		if (log_ratelimit_pass(&ike_engine_rl)) {
			ike_addr_str(&pk->pk_remote, peer, sizeof(peer));
			log_warn("%s exchange from %s is not supported; "
			    "dropped", isakmp_exchange_name(hdr.h_exchange),
			    peer);
		}
		break;
	}
}

void
ike_engine_input(struct ike_engine *eng, const struct ike_packet *pk,
    uint64_t now_ms)
{
	eng->e_in_input = 1;
	ike_engine_input_one(eng, pk, now_ms);
	eng->e_in_input = 0;
	ike_timer_report(eng, ike_touched_deadline(eng));
}

/*
 * Queue a Quick Mode for policy entry idx, or start it at once.  While
 * our Main Mode that replaces p1 runs, the Quick Mode waits for that one
 * (ike_life_p1_renewal).
 */
static int
ike_request_qm(struct ike_p1 *p1, size_t idx)
{
	struct ike_pending	*pd;
	struct ike_qm		*qm;
	struct ike_p1		*np1;

	if (p1->p1_state == IKE_P1_ESTABLISHED &&
	    (np1 = ike_life_p1_renewal(p1)) != NULL)
		p1 = np1;

	TAILQ_FOREACH(qm, &p1->p1_qms, qm_entry)
		if (qm->qm_initiator && qm->qm_spd == idx &&
		    qm->qm_state == IKE_QM_I1)
			return (0);
	if (p1->p1_state == IKE_P1_ESTABLISHED) {
		if (ike_dpd_before_qm(p1, idx))
			return (0);
		return (ike_qm_initiate(p1, idx));
	}
	TAILQ_FOREACH(pd, &p1->p1_pending, pd_entry)
		if (pd->pd_spd == idx)
			return (0);
	if ((pd = calloc(1, sizeof(*pd))) == NULL)
		return (ERR_NOMEM);
	pd->pd_spd = idx;
	TAILQ_INSERT_TAIL(&p1->p1_pending, pd, pd_entry);
	return (0);
}

/* Phase 1 is up: run the Quick Modes that waited for it. */
void
ike_pending_run(struct ike_p1 *p1)
{
	struct ike_pending	*pd;

	struct ike_qm		*qm;

	while ((pd = TAILQ_FIRST(&p1->p1_pending)) != NULL) {
		TAILQ_REMOVE(&p1->p1_pending, pd, pd_entry);
		TAILQ_FOREACH(qm, &p1->p1_qms, qm_entry)
			if (qm->qm_initiator && qm->qm_spd == pd->pd_spd &&
			    qm->qm_state == IKE_QM_I1)
				break;
		if (qm == NULL && p1->p1_eng->e_cfg != NULL &&
		    pd->pd_spd < p1->p1_eng->e_cfg->cf_nspds)
			(void)ike_qm_initiate(p1, pd->pd_spd);
		free(pd);
	}
}

/* The ISAKMP SA to use with a peer: an existing one, or a new one. */
static int
ike_p1_for_peer(struct ike_engine *eng, const struct config_rule *rule,
    const struct config_ip *local, const struct config_ip *remote,
    struct ike_p1 **out)
{
	struct sockaddr_storage	 l, r;
	struct ike_p1		*p1;

	ike_ip_to_sockaddr(local, IKE_PORT, &l);
	ike_ip_to_sockaddr(remote, IKE_PORT, &r);
	if ((p1 = ike_p1_find_peer(eng, &r)) != NULL &&
	    (p1->p1_state == IKE_P1_ESTABLISHED || p1->p1_initiator)) {
		*out = p1;
		return (0);
	}
	return (ike_mm_initiate(eng, rule, &l, &r, out));
}

/* Negotiate the pair that replaces ch, over a new Main Mode if need be. */
void
ike_child_rekey(struct ike_engine *eng, struct ike_child *ch)
{
	const struct config_rule	*rule;
	struct ike_p1			*p1;
	struct config_ip		 l, r;
	struct kernel_sa_id		 out;

	ike_sa_key_unpack(&ch->ch_out, &out);
	if (eng->e_cfg == NULL || ch->ch_spd >= eng->e_cfg->cf_nspds ||
	    config_ip_from_sockaddr(&l, &out.id_src) != 0 ||
	    config_ip_from_sockaddr(&r, &out.id_dst) != 0)
		return;
	p1 = ike_p1_find_peer(eng, &out.id_dst);
	if (p1 == NULL || p1->p1_state == IKE_P1_DEAD) {
		rule = config_rule_find_label(eng->e_cfg, ch->ch_label);
		if (rule == NULL || ike_p1_for_peer(eng, rule, &l, &r,
		    &p1) != 0)
			return;
	}
	(void)ike_request_qm(p1, ch->ch_spd);
}

void
ike_engine_acquire(struct ike_engine *eng, const struct kernel_acquire *acq,
    uint64_t now_ms)
{
	const struct config_rule	*rule;
	const struct config_spd		*spd;
	struct config_selector		 sel;
	struct config_ip		 l, r;
	struct ike_p1			*p1;
	size_t				 idx;

	eng->e_now = now_ms;
	if (eng->e_cfg == NULL)
		return;
	memset(&sel, 0, sizeof(sel));
	if (config_ip_from_sockaddr(&sel.cs_local,
	    &acq->acq_packet.sel_src) != 0 ||
	    config_ip_from_sockaddr(&sel.cs_remote,
	    &acq->acq_packet.sel_dst) != 0 ||
	    config_ip_from_sockaddr(&l, &acq->acq_src) != 0 ||
	    config_ip_from_sockaddr(&r, &acq->acq_dst) != 0)
		return;
	sel.cs_proto = acq->acq_packet.sel_proto;
	sel.cs_dir = CONFIG_DIR_OUT;
	spd = config_spd_find(eng->e_cfg, &sel);
	if (spd == NULL || spd->sd_nalts == 0 ||
	    !config_spd_is_ipsec(&spd->sd_alts[0]) ||
	    ike_spd_index(eng, spd, &idx) != 0) {
		log_warn("kernel ACQUIRE for traffic that no ipsec entry of "
		    "ipsecinit.conf covers; ignored");
		return;
	}
	if ((rule = config_rule_find(eng->e_cfg, &l, &r)) == NULL) {
		log_warn("kernel ACQUIRE for the policy at %s:%u: no rule in "
		    "ike.config for its endpoints; add one",
		    spd->sd_where.cw_file, spd->sd_where.cw_line);
		return;
	}
	if (ike_p1_for_peer(eng, rule, &l, &r, &p1) == 0)
		(void)ike_request_qm(p1, idx);
	ike_timer_update(eng);
}

/*
 * Say why an unused pair goes.  The idle time is the rule's in the
 * configuration now in use.
 */
static void
ike_engine_log_idle(const struct ike_engine *eng, const struct ike_child *ch)
{
	const struct config_rule	*r;

	r = config_rule_find_label(eng->e_cfg, ch->ch_label);
	if (r != NULL)
		log_info("IPsec SAs (rule \"%s\") with ESP SPI in 0x%08x "
		    "idle for %u seconds (p2_idletime_secs): deleting them",
		    ch->ch_label, ch->ch_in.sk_spi,
		    r->cr_p2.p2_idletime_secs.val);
	else
		log_info("IPsec SAs (rule \"%s\") with ESP SPI in 0x%08x "
		    "idle for their p2_idletime_secs: deleting them",
		    ch->ch_label, ch->ch_in.sk_spi);
}

static int
ike_expire_matches(const struct ike_child *ch, const struct kernel_expire *exp)
{
	return ((ch->ch_in.sk_spi == exp->exp_id.id_spi ||
	    ch->ch_out.sk_spi == exp->exp_id.id_spi) &&
	    ch->ch_in.sk_proto == exp->exp_id.id_proto);
}

/*
 * The pair of an expiring SA.  The peer is the source of an inbound SA
 * and the destination of an outbound one, so its chain is searched
 * first; the walk over every pair is for backends that report no
 * addresses.
 */
static struct ike_child *
ike_expire_find(struct ike_engine *eng, const struct kernel_expire *exp)
{
	struct ike_child	*ch;

	for (ch = ike_child_peer_first_ss(eng, &exp->exp_id.id_dst);
	    ch != NULL; ch = ike_child_peer_next(ch))
		if (ike_expire_matches(ch, exp))
			return (ch);
	for (ch = ike_child_peer_first_ss(eng, &exp->exp_id.id_src);
	    ch != NULL; ch = ike_child_peer_next(ch))
		if (ike_expire_matches(ch, exp))
			return (ch);
	TAILQ_FOREACH(ch, &eng->e_children, ch_entry)
		if (ike_expire_matches(ch, exp))
			return (ch);
	return (NULL);
}

void
ike_engine_expire(struct ike_engine *eng, const struct kernel_expire *exp,
    uint64_t now_ms)
{
	struct ike_child	*ch;

	eng->e_now = now_ms;
	if ((ch = ike_expire_find(eng, exp)) == NULL)
		return;
	if (exp->exp_hard && exp->exp_reason == KERNEL_EXPIRE_IDLE)
		ike_engine_log_idle(eng, ch);
	if (exp->exp_hard) {
		ike_child_switch_successor(eng, ch);
		if (ch->ch_replaced && exp->exp_reason != KERNEL_EXPIRE_IDLE)
			ike_child_drain(eng, ch);
		else
			ike_child_delete(eng, ch, 1);
		ike_timer_update(eng);
		return;
	}
	/*
	 * Soft expiry: negotiate the replacement once.  The responder's soft
	 * limit is later (ike_qm_lifetime), so it gets here only when the
	 * initiator has not rekeyed; a pair already replaced needs nothing.
	 */
	if (ch->ch_rekeyed || ch->ch_replaced || eng->e_cfg == NULL ||
	    ch->ch_spd >= eng->e_cfg->cf_nspds)
		return;
	log_info("IPsec SAs (rule \"%s\") with ESP SPI in 0x%08x reached "
	    "their soft %s limit: renegotiating", ch->ch_label,
	    ch->ch_in.sk_spi, exp->exp_reason == KERNEL_EXPIRE_KBYTES ?
	    "traffic" : "lifetime");
	ch->ch_rekeyed = 1;
	ike_child_rekey(eng, ch);
	ike_timer_update(eng);
}

int
ike_engine_initiate(struct ike_engine *eng, const char *label,
    uint64_t now_ms)
{
	const struct config_rule	*rule;
	const struct config_spd		*spd = NULL;
	struct ike_p1			*p1;
	size_t				 idx;
	int				 rc;

	eng->e_now = now_ms;
	if (eng->e_cfg == NULL || label == NULL)
		return (ERR_STATE);
	if ((rule = config_rule_find_label(eng->e_cfg, label)) == NULL) {
		log_warn("no rule with label \"%s\" in ike.config", label);
		return (ERR_NOTFOUND);
	}
	if (rule->cr_local.n == 0 || rule->cr_remote.n == 0 ||
	    rule->cr_remote.ranges[0].kind != CONFIG_RANGE_SINGLE) {
		log_warn("rule \"%s\" has no single remote_addr to start a "
		    "negotiation with; it can only respond", label);
		return (ERR_CONFIG);
	}
	if ((rc = ike_p1_for_peer(eng, rule, &rule->cr_local.ranges[0].lo,
	    &rule->cr_remote.ranges[0].lo, &p1)) != 0)
		return (rc);
	while ((spd = config_spd_next_for_peer(eng->e_cfg,
	    &rule->cr_local.ranges[0].lo, &rule->cr_remote.ranges[0].lo,
	    spd)) != NULL) {
		if (ike_spd_index(eng, spd, &idx) == 0)
			(void)ike_request_qm(p1, idx);
	}
	ike_timer_update(eng);
	return (0);
}

static void
ike_p1_timers(struct ike_p1 *p1, uint64_t now)
{
	if (p1->p1_state == IKE_P1_DEAD)
		return;
	if (p1->p1_state != IKE_P1_ESTABLISHED) {
		if (ike_xmit_timer(p1, &p1->p1_xmit, now)) {
			/*
			 * A peer that cannot decrypt or verify MM5 drops it
			 * without a reply, so silence after MM5 usually
			 * means the keys differ.
			 */
			log_warn("ISAKMP SA %s: no answer from %s after %u "
			    "retransmissions (rule \"%s\"), giving up%s",
			    p1->p1_cookies, p1->p1_peer,
			    p1->p1_xmit.x_tries, p1->p1_label,
			    p1->p1_state == IKE_P1_MM_I3 ? "; the "
			    "unanswered message was MM5 (our encrypted "
			    "identity and HASH_I), which the peer usually "
			    "drops when its preshared key differs or it "
			    "rejects our certificate: compare the keys, or "
			    "check the peer's log" : "");
			ike_p1_fail(p1, 1);
			return;
		}
		if (now >= p1->p1_expire) {
			log_warn("ISAKMP SA %s: Main Mode with %s did not "
			    "finish within expire_timer (rule \"%s\")",
			    p1->p1_cookies, p1->p1_peer, p1->p1_label);
			ike_p1_fail(p1, 1);
		}
		return;
	}
	(void)ike_xmit_timer(p1, &p1->p1_xmit, now);
	if (now >= p1->p1_expire) {
		ike_life_p1_expired(p1);
		return;
	}
	ike_qm_timers(p1, now);
	if (p1->p1_state == IKE_P1_DEAD)
		return;		/* a Quick Mode timeout proved it dead */
	ike_natt_keepalive(p1, now);
	ike_life_p1_timers(p1, now);
}

static struct ike_p1 *
ike_p1_of_timer(struct ike_heap_node *n)
{
	return ((struct ike_p1 *)(void *)((char *)n -
	    offsetof(struct ike_p1, p1_timer)));
}

/*
 * The ISAKMP SAs whose earliest deadline has come run their timers, each
 * once.  They, and every SA their timers touched, get their node in the
 * heap back afterwards; those that are dead by then are freed, as no
 * engine call holds a pointer to them any more.
 */
uint64_t
ike_engine_run_timers(struct ike_engine *eng, uint64_t now_ms)
{
	struct ike_heap_node	*n;
	struct ike_p1		*p1;
	size_t			 left = eng->e_p1_timers.h_len;

	eng->e_now = now_ms;
	eng->e_in_input = 1;		/* the heap is updated at the end */
	ike_child_timers(eng, now_ms);
	while (left-- > 0 && (n = ike_heap_top(&eng->e_p1_timers)) != NULL &&
	    n->hn_key <= now_ms) {
		p1 = ike_p1_of_timer(n);
		ike_heap_remove(&eng->e_p1_timers, n);
		ike_p1_touch(p1);
		ike_p1_timers(p1, now_ms);
	}
	while ((p1 = TAILQ_FIRST(&eng->e_touched)) != NULL) {
		ike_p1_untouch(p1);
		if (p1->p1_state == IKE_P1_DEAD)
			ike_p1_free(p1);
		else
			ike_p1_timer_set(p1);
	}
	eng->e_in_input = 0;
	eng->e_deadline = ike_next_deadline(eng);
	return (eng->e_deadline);
}

int
ike_engine_delete_p1(struct ike_engine *eng, const uint8_t *icookie,
    const uint8_t *rcookie, uint64_t now_ms)
{
	struct ike_p1	*p1;

	eng->e_now = now_ms;
	p1 = ike_p1_find(eng, icookie, rcookie, NULL);
	if (p1 == NULL || p1->p1_state == IKE_P1_DEAD)
		return (ERR_NOTFOUND);
	ike_life_p1_delete(p1, "deleted by the administrator");
	ike_timer_update(eng);
	return (0);
}

void
ike_engine_flush_p1(struct ike_engine *eng, uint64_t now_ms)
{
	struct ike_p1	*p1;

	eng->e_now = now_ms;
	TAILQ_FOREACH(p1, &eng->e_p1s, p1_entry)
		if (p1->p1_state != IKE_P1_DEAD)
			ike_life_p1_delete(p1, "flushed by the administrator");
	ike_timer_update(eng);
}

void
ike_engine_shutdown(struct ike_engine *eng, uint64_t now_ms)
{
	struct ike_child	*ch;
	struct ike_p1		*p1;

	eng->e_now = now_ms;
	while ((ch = TAILQ_FIRST(&eng->e_children)) != NULL)
		ike_child_delete(eng, ch, 1);
	TAILQ_FOREACH(p1, &eng->e_p1s, p1_entry)
		if (p1->p1_state != IKE_P1_DEAD)
			ike_life_p1_delete(p1, "shutting down");
	ike_engine_free_all(eng);
	eng->e_deadline = 0;
}

int
ike_engine_set_keylog(struct ike_engine *eng, const char *dir)
{
	char	*copy = NULL;

	if (dir != NULL && (copy = strdup(dir)) == NULL)
		return (ERR_NOMEM);
	free(eng->e_keylog_dir);
	eng->e_keylog_dir = copy;
	if (copy != NULL)
		log_warn("writing IKE and ESP keys to %s for Wireshark; "
		    "anyone who can read them can decrypt the traffic", copy);
	return (0);
}

void
ike_engine_get_stats(const struct ike_engine *eng, struct ike_stats *st)
{
	*st = eng->e_stats;
}

static void
ike_p1_info_fill(const struct ike_p1 *p1, struct ike_p1_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	memcpy(pi->pi_icookie, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(pi->pi_rcookie, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	pi->pi_initiator = p1->p1_initiator;
	pi->pi_state = ike_p1_state_name(p1->p1_state);
	pi->pi_label = p1->p1_label;
	pi->pi_local = p1->p1_local;
	pi->pi_remote = p1->p1_remote;
	pi->pi_encr = p1->p1_encr;
	pi->pi_keybits = p1->p1_keybits;
	pi->pi_hash = p1->p1_hash;
	pi->pi_auth = p1->p1_auth;
	pi->pi_group = p1->p1_group;
	pi->pi_life_secs = p1->p1_life_secs;
	pi->pi_life_kb = p1->p1_life_kb;
	pi->pi_bytes = p1->p1_bytes;
	pi->pi_created_ms = p1->p1_created;
	pi->pi_expire_ms = p1->p1_expire;
	pi->pi_nat_local = p1->p1_nat_local;
	pi->pi_nat_remote = p1->p1_nat_remote;
	pi->pi_natt = p1->p1_floated;
	pi->pi_peer_dpd = p1->p1_peer_dpd;
	pi->pi_qm_created = p1->p1_qm_created;
	pi->pi_qm_deleted = p1->p1_qm_deleted;
	pi->pi_rx_decrypt_errs = p1->p1_rx_decrypt_errs;
	pi->pi_rx_hash_errs = p1->p1_rx_hash_errs;
	pi->pi_local_idtype = p1->p1_local_idtype;
	pi->pi_local_id = p1->p1_local_id != NULL ? p1->p1_local_id : "";
	pi->pi_remote_idtype = p1->p1_remote_idtype;
	pi->pi_remote_id = p1->p1_remote_id != NULL ? p1->p1_remote_id :
	    "";
}

void
ike_engine_foreach_p1(const struct ike_engine *eng,
    int (*fn)(void *, const struct ike_p1_info *), void *arg)
{
	const struct ike_p1	*p1;
	struct ike_p1_info	 pi;

	TAILQ_FOREACH(p1, &eng->e_p1s, p1_entry) {
		ike_p1_info_fill(p1, &pi);
		if (fn(arg, &pi) != 0)
			break;
	}
}

/*
 * The walk resumes at the SA the last call returned, whose position
 * ike_p1_free keeps up to date, so a dump that asks for the SAs one by
 * one costs O(1) per SA, not O(n).
 */
int
ike_engine_p1_at(struct ike_engine *eng, size_t index,
    struct ike_p1_info *pi, int *more)
{
	struct ike_p1	*p1 = eng->e_p1_walk;
	size_t		 pos = eng->e_p1_walk_pos;

	if (p1 == NULL || pos > index) {
		p1 = TAILQ_FIRST(&eng->e_p1s);
		pos = 0;
	}
	for (; p1 != NULL && pos < index; pos++)
		p1 = TAILQ_NEXT(p1, p1_entry);
	eng->e_p1_walk = p1;
	eng->e_p1_walk_pos = pos;
	if (p1 == NULL)
		return (ERR_NOTFOUND);
	ike_p1_info_fill(p1, pi);
	*more = TAILQ_NEXT(p1, p1_entry) != NULL;
	return (0);
}

size_t
ike_engine_child_count(const struct ike_engine *eng)
{
	return (eng->e_nchildren);
}
