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
 */
#include <string.h>

#include "crypto/rand.h"
#include "ike/ike_int.h"
#include "lib/log.h"
#include "lib/rbuf.h"

static struct log_ratelimit ike_dpd_rl = LOG_RATELIMIT_INIT(10, 20);

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
	struct kernel_sa_stats	 st;
	uint64_t		 sum = 0;

	*npairs = 0;
	for (ch = ike_child_peer_first_ss(eng, &p1->p1_remote); ch != NULL;
	    ch = ike_child_peer_next(ch)) {
		(*npairs)++;
		memset(&st, 0, sizeof(st));
		if (kernel_query_sa(eng->e_kernel, &ch->ch_in, &st) == 0)
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
	if (config_ip_from_sockaddr(&a, &p1->p1_remote) != 0)
		return;
	for (ch = ike_child_peer_first(eng, &a); ch != NULL; ch = next) {
		next = ike_child_peer_next(ch);
		ike_child_delete(eng, ch, 0);
	}
	for (o = ike_p1_peer_first(eng, &a); o != NULL;
	    o = ike_p1_peer_next(o))
		ike_p1_kill(o, "the peer did not answer Dead Peer "
		    "Detection");
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
