/*
 * Dead Peer Detection (RFC 3706) for peers that sent the DPD Vendor ID.
 * When no IPsec traffic has arrived from the peer for dpd_interval
 * seconds, an R-U-THERE with the next sequence number goes out, and
 * unanswered ones are repeated every IKE_DPD_RETRY_MS (or dpd_interval
 * when shorter).  Only an R-U-THERE-ACK with our cookies and the
 * sequence number of an unanswered probe, or new inbound ESP traffic,
 * proves the peer alive.  After dpd_retries unanswered probes every SA
 * with the peer is removed.  The kernel policies stay, so the next packet
 * of protected traffic brings an ACQUIRE and a new negotiation.
 *
 * An ISAKMP SA with no IPsec SAs under it has no ESP traffic to watch, so
 * it is checked when a Quick Mode needs it.  A Quick Mode over it that
 * times out sends an R-U-THERE.  A new Quick Mode over it after more than
 * dpd_interval without a message from the peer waits for an
 * R-U-THERE-ACK first.  Without DPD, a timed-out Quick Mode makes the
 * ISAKMP SA dead at once, because a live peer that rejects a Quick Mode
 * answers with a Notify.  Either way the Quick Modes that waited then go
 * to a new Main Mode.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/rand.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/rbuf.h"

static struct log_ratelimit ike_dpd_rl = LOG_RATELIMIT_INIT(10, 20);

static void	ike_dpd_restart(struct ike_p1 *, const char *);

static uint64_t
ike_dpd_interval_ms(const struct ike_p1 *p1)
{
	if (p1->p1_rule == NULL)
		return (0);
	return ((uint64_t)p1->p1_rule->cr_p2.p2_dpd_interval.val * 1000);
}

static unsigned int
ike_dpd_retries(const struct ike_p1 *p1)
{
	return (p1->p1_rule != NULL ? p1->p1_rule->cr_p2.p2_dpd_retries.val :
	    CONFIG_DEF_DPD_RETRIES);
}

/*
 * Count the ESP packets received on the inbound SAs with the peer, from
 * the kernel's counters.  *npairs receives the number of SA pairs.
 */
static uint64_t
ike_dpd_inbound_packets(const struct ike_p1 *p1, size_t *npairs)
{
	struct ike_engine	*eng = p1->p1_eng;
	const struct ike_child	*ch;
	struct kernel_sa_id	 id;
	struct kernel_sa_stats	 st;
	uint64_t		 sum = 0;

	*npairs = 0;
	for (ch = ike_child_peer_first_ss(eng, &p1->p1_remote); ch != NULL;
	    ch = ike_child_peer_next(ch)) {
		(*npairs)++;
		memset(&st, 0, sizeof(st));
		ike_sa_key_unpack(&ch->ch_in, &id);
		if (kernel_query_sa(eng->e_kernel, &id, &st) == 0)
			sum += st.st_packets;
	}
	return (sum);
}

/* Arm DPD on a newly established ISAKMP SA. */
void
ike_dpd_start(struct ike_p1 *p1)
{
	uint64_t	interval = ike_dpd_interval_ms(p1);
	size_t		n;

	p1->p1_dpd_next = 0;
	p1->p1_dpd_tries = 0;
	if (!p1->p1_peer_dpd || interval == 0)
		return;
	/* A random start keeps old acknowledgements from matching. */
	(void)rand_bytes(&p1->p1_dpd_seq, sizeof(p1->p1_dpd_seq));
	p1->p1_dpd_seq &= 0x7fffffff;
	p1->p1_dpd_packets = ike_dpd_inbound_packets(p1, &n);
	p1->p1_dpd_checked = p1->p1_eng->e_now;
	p1->p1_dpd_next = p1->p1_eng->e_now + interval;
}

/* The peer is alive: the next check is a full interval away. */
static void
ike_dpd_alive(struct ike_p1 *p1, uint64_t packets, uint64_t now)
{
	p1->p1_dpd_tries = 0;
	p1->p1_dpd_packets = packets;
	p1->p1_dpd_checked = now;
	p1->p1_dpd_next = now + ike_dpd_interval_ms(p1);
	/* Quick Modes that waited for the R-U-THERE-ACK can start. */
	if (p1->p1_state == IKE_P1_ESTABLISHED)
		ike_pending_run(p1);
}

static void
ike_dpd_probe(struct ike_p1 *p1, uint64_t now)
{
	uint64_t	retry = ike_dpd_interval_ms(p1);

	if (retry > IKE_DPD_RETRY_MS)
		retry = IKE_DPD_RETRY_MS;
	p1->p1_dpd_seq++;
	if (p1->p1_dpd_tries == 0)
		p1->p1_dpd_first = p1->p1_dpd_seq;
	p1->p1_dpd_tries++;
	p1->p1_dpd_next = now + retry;
	log_debug(D_OP, "ISAKMP SA %s: no traffic from %s since the last "
	    "check; R-U-THERE %u (probe %u of %u)", p1->p1_cookies, p1->p1_peer,
	    p1->p1_dpd_seq, p1->p1_dpd_tries, ike_dpd_retries(p1));
	(void)ike_info_send_dpd(p1, ISAKMP_N_R_U_THERE, p1->p1_dpd_seq);
}

/* The peer responded to none of the probes: remove every SA with it. */
static void
ike_dpd_dead(struct ike_p1 *p1)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_child	*ch, *next;
	struct ike_p1		*o;
	struct config_ip	 a;

	log_warn("ISAKMP SA %s: peer %s answered none of %u DPD probes "
	    "(rule \"%s\"); removing every SA with it", p1->p1_cookies,
	    p1->p1_peer, p1->p1_dpd_tries, p1->p1_label);
	memset(&a, 0, sizeof(a));
	if (config_ip_from_sockaddr(&a, &p1->p1_remote) == 0) {
		for (ch = ike_child_peer_first(eng, &a); ch != NULL;
		    ch = next) {
			next = ike_child_peer_next(ch);
			ike_child_delete(eng, ch, 0);
		}
		for (o = ike_p1_peer_first(eng, &a); o != NULL;
		    o = ike_p1_peer_next(o))
			if (o != p1)
				ike_p1_kill(o, "the peer did not answer Dead "
				    "Peer Detection");
	}
	ike_dpd_restart(p1, "the peer did not answer Dead Peer Detection");
}

/* Queue a Quick Mode for policy entry spd on p1, once. */
static int
ike_dpd_queue(struct ike_p1 *p1, size_t spd)
{
	struct ike_pending	*pd;

	TAILQ_FOREACH(pd, &p1->p1_pending, pd_entry)
		if (pd->pd_spd == spd)
			return (0);
	if ((pd = calloc(1, sizeof(*pd))) == NULL)
		return (ERR_NOMEM);
	pd->pd_spd = spd;
	TAILQ_INSERT_TAIL(&p1->p1_pending, pd, pd_entry);
	return (0);
}

/* Send the first R-U-THERE now, unless probes are already out. */
static void
ike_dpd_probe_now(struct ike_p1 *p1)
{
	size_t	npairs;

	if (p1->p1_dpd_tries != 0)
		return;
	p1->p1_dpd_packets = ike_dpd_inbound_packets(p1, &npairs);
	p1->p1_dpd_checked = p1->p1_eng->e_now;
	ike_dpd_probe(p1, p1->p1_eng->e_now);
	ike_p1_touch(p1);
}

/*
 * p1 is dead: remove it and move the Quick Modes waiting on it to a new
 * Main Mode with the same rule and addresses.
 */
static void
ike_dpd_restart(struct ike_p1 *p1, const char *why)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct sockaddr_storage	 l = p1->p1_local, r = p1->p1_remote;
	const struct config_rule *rule = p1->p1_rule;
	struct ike_pending	*pd;
	struct ike_p1		*np1;
	int			 rc;

	ike_p1_kill(p1, why);
	if (TAILQ_EMPTY(&p1->p1_pending) || rule == NULL)
		return;
	/* A responder cannot reach a peer behind a NAT on port 500. */
	if (!p1->p1_initiator && p1->p1_nat_remote)
		return;
	ike_addr_set_port(&l, IKE_PORT);
	ike_addr_set_port(&r, IKE_PORT);
	if ((rc = ike_mm_initiate(eng, rule, &l, &r, &np1)) != 0) {
		log_warn("ISAKMP SA %s with %s (rule \"%s\"): starting a new "
		    "Main Mode for its waiting Quick Modes failed: %s",
		    p1->p1_cookies, p1->p1_peer, p1->p1_label, err_str(rc));
		return;
	}
	log_info("ISAKMP SA %s with %s (rule \"%s\") is dead: new Main Mode "
	    "started for its waiting Quick Modes", p1->p1_cookies,
	    p1->p1_peer, p1->p1_label);
	while ((pd = TAILQ_FIRST(&p1->p1_pending)) != NULL) {
		TAILQ_REMOVE(&p1->p1_pending, pd, pd_entry);
		TAILQ_INSERT_TAIL(&np1->p1_pending, pd, pd_entry);
	}
}

static int
ike_dpd_usable(const struct ike_p1 *p1)
{
	return (p1->p1_peer_dpd && ike_dpd_interval_ms(p1) != 0);
}

/*
 * A Quick Mode for policy entry spd that we started on p1 timed out.
 * The entry waits for the outcome of DPD when the peer supports it;
 * without DPD p1 is dead now.
 */
void
ike_dpd_qm_timeout(struct ike_p1 *p1, size_t spd)
{
	if (p1->p1_state != IKE_P1_ESTABLISHED)
		return;
	(void)ike_dpd_queue(p1, spd);
	if (ike_dpd_usable(p1)) {
		log_info("ISAKMP SA %s: checking with R-U-THERE whether %s "
		    "is alive after the Quick Mode timed out",
		    p1->p1_cookies, p1->p1_peer);
		ike_dpd_probe_now(p1);
		return;
	}
	ike_dpd_restart(p1, "a Quick Mode over it timed out and the peer "
	    "does not support Dead Peer Detection");
}

/*
 * Check p1 before a new Quick Mode for policy entry spd over it.  Returns
 * 1 when the entry waits for an R-U-THERE-ACK, because probes are out or
 * the peer has sent no message and no ESP for longer than dpd_interval.
 * Returns 0 when the Quick Mode can start now.
 */
int
ike_dpd_before_qm(struct ike_p1 *p1, size_t spd)
{
	uint64_t	interval = ike_dpd_interval_ms(p1);
	size_t		npairs;

	if (p1->p1_state != IKE_P1_ESTABLISHED || !ike_dpd_usable(p1) ||
	    ike_qm_backoff_left(p1->p1_eng, spd, &p1->p1_remote) != 0)
		return (0);
	if (p1->p1_dpd_tries == 0 &&
	    (p1->p1_eng->e_now < p1->p1_last_rx + interval ||
	    ike_dpd_inbound_packets(p1, &npairs) != p1->p1_dpd_packets))
		return (0);
	if (ike_dpd_queue(p1, spd) != 0)
		return (0);
	if (p1->p1_dpd_tries == 0)
		log_info("ISAKMP SA %s: no message from %s for %llu s, so "
		    "R-U-THERE before the next Quick Mode", p1->p1_cookies,
		    p1->p1_peer, (unsigned long long)
		    ((p1->p1_eng->e_now - p1->p1_last_rx) / 1000));
	ike_dpd_probe_now(p1);
	return (1);
}

void
ike_dpd_timer(struct ike_p1 *p1, uint64_t now)
{
	uint64_t	packets;
	size_t		npairs;

	if (p1->p1_dpd_next == 0 || now < p1->p1_dpd_next)
		return;
	packets = ike_dpd_inbound_packets(p1, &npairs);
	if (packets != p1->p1_dpd_packets ||
	    (p1->p1_dpd_tries == 0 && p1->p1_last_rx > p1->p1_dpd_checked)) {
		ike_dpd_alive(p1, packets, now);
		return;
	}
	if (p1->p1_dpd_tries == 0 && npairs == 0) {
		/* Nothing to protect, so nothing to probe for. */
		ike_dpd_alive(p1, packets, now);
		return;
	}
	if (p1->p1_dpd_tries >= ike_dpd_retries(p1)) {
		p1->p1_dpd_next = 0;
		ike_dpd_dead(p1);
		return;
	}
	ike_dpd_probe(p1, now);
}

/* R-U-THERE-ACK, after its HASH verified. */
void
ike_dpd_ack(struct ike_p1 *p1, const struct isakmp_notify *n)
{
	struct rbuf	rb;
	uint32_t	seq;
	size_t		npairs;

	rbuf_init(&rb, n->n_data, n->n_len);
	if (n->n_spi_size != 2 * ISAKMP_COOKIE_LEN || n->n_spi == NULL ||
	    memcmp(n->n_spi, p1->p1_icookie, ISAKMP_COOKIE_LEN) != 0 ||
	    memcmp(n->n_spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie,
	    ISAKMP_COOKIE_LEN) != 0 || n->n_len != 4 ||
	    rbuf_get_u32(&rb, &seq) != 0) {
		if (log_ratelimit_pass(&ike_dpd_rl))
			log_warn("ISAKMP SA %s: R-U-THERE-ACK from %s without "
			    "our cookies or a 4-byte sequence number; "
			    "ignored", p1->p1_cookies, p1->p1_peer);
		return;
	}
	/* Serial arithmetic: seq must lie in [first, last]. */
	if (p1->p1_dpd_tries == 0 ||
	    seq - p1->p1_dpd_first > p1->p1_dpd_seq - p1->p1_dpd_first) {
		if (log_ratelimit_pass(&ike_dpd_rl))
			log_warn("ISAKMP SA %s: R-U-THERE-ACK %u from %s "
			    "answers no probe of ours; ignored",
			    p1->p1_cookies, seq, p1->p1_peer);
		return;
	}
	log_debug(D_OP, "ISAKMP SA %s: R-U-THERE-ACK %u from %s",
	    p1->p1_cookies, seq, p1->p1_peer);
	ike_dpd_alive(p1, ike_dpd_inbound_packets(p1, &npairs),
	    p1->p1_eng->e_now);
}
