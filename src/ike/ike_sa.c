/*
 * The ISAKMP SA table, cookies, retransmission and the encryption of
 * ISAKMP messages (RFC 2408, RFC 2409 Appendix B).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dh.h"
#include "crypto/hash.h"
#include "crypto/rand.h"
#include "ike/ike_int.h"
#include "isakmp/print.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/rbuf.h"
#include "lib/util.h"

static struct log_ratelimit ike_sa_rl = LOG_RATELIMIT_INIT(10, 20);

void
ike_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char	addr[INET6_ADDRSTRLEN];

	addr[0] = '\0';
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
	} else {
		snprintf(buf, len, "<no address>");
		return;
	}
	snprintf(buf, len, "%s[%d]", addr, ike_addr_port(ss));
}

int
ike_addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohs(((const struct sockaddr_in *)(const void *)ss)
		    ->sin_port));
	if (ss->ss_family == AF_INET6)
		return (ntohs(((const struct sockaddr_in6 *)(const void *)ss)
		    ->sin6_port));
	return (0);
}

void
ike_addr_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)(void *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons(port);
}

/* Same family, address and port. */
int
ike_addr_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct config_ip	ia, ib;

	if (a->ss_family != b->ss_family)
		return (0);
	if (config_ip_from_sockaddr(&ia, a) != 0 ||
	    config_ip_from_sockaddr(&ib, b) != 0)
		return (0);
	return (config_ip_cmp(&ia, &ib) == 0 &&
	    ike_addr_port(a) == ike_addr_port(b));
}

void
ike_addr_pack(struct ike_addr *ia, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const void *)ss;
	const struct sockaddr_in6	*sin6 = (const void *)ss;

	memset(ia, 0, sizeof(*ia));
	if (ss->ss_family == AF_INET) {
		ia->ia_family = AF_INET;
		memcpy(ia->ia_addr, &sin->sin_addr, 4);
		ia->ia_port = sin->sin_port;
	} else if (ss->ss_family == AF_INET6) {
		ia->ia_family = AF_INET6;
		memcpy(ia->ia_addr, &sin6->sin6_addr, 16);
		ia->ia_port = sin6->sin6_port;
		ia->ia_scope = sin6->sin6_scope_id;
	}
}

void
ike_addr_unpack(const struct ike_addr *ia, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (void *)ss;
	struct sockaddr_in6	*sin6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ia->ia_family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ia->ia_addr, 4);
		sin->sin_port = ia->ia_port;
	} else if (ia->ia_family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ia->ia_addr, 16);
		sin6->sin6_port = ia->ia_port;
		sin6->sin6_scope_id = ia->ia_scope;
	}
}

void
ike_sa_key_pack(struct ike_sa_key *sk, const struct kernel_sa_id *id)
{
	memset(sk, 0, sizeof(*sk));
	ike_addr_pack(&sk->sk_src, &id->id_src);
	ike_addr_pack(&sk->sk_dst, &id->id_dst);
	sk->sk_spi = id->id_spi;
	sk->sk_proto = id->id_proto;
}

void
ike_sa_key_unpack(const struct ike_sa_key *sk, struct kernel_sa_id *id)
{
	memset(id, 0, sizeof(*id));
	ike_addr_unpack(&sk->sk_src, &id->id_src);
	ike_addr_unpack(&sk->sk_dst, &id->id_dst);
	id->id_spi = sk->sk_spi;
	id->id_proto = sk->sk_proto;
}

void
ike_sel_pack(struct ike_sel *is, const struct kernel_selector *sel)
{
	memset(is, 0, sizeof(*is));
	ike_addr_pack(&is->is_src, &sel->sel_src);
	ike_addr_pack(&is->is_dst, &sel->sel_dst);
	is->is_src_prefix = sel->sel_src_prefix;
	is->is_dst_prefix = sel->sel_dst_prefix;
	is->is_proto = sel->sel_proto;
}

void
ike_sel_unpack(const struct ike_sel *is, struct kernel_selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	ike_addr_unpack(&is->is_src, &sel->sel_src);
	ike_addr_unpack(&is->is_dst, &sel->sel_dst);
	sel->sel_src_prefix = is->is_src_prefix;
	sel->sel_dst_prefix = is->is_dst_prefix;
	sel->sel_proto = is->is_proto;
}

void
ike_ip_to_sockaddr(const struct config_ip *ip, uint16_t port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ip->addr, 4);
		sin->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *sin6 = (void *)ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip->addr, 16);
		sin6->sin6_port = htons(port);
	}
}

/*
 * A cookie (RFC 2408 section 2.5.3): a hash of the peer's address and
 * port, a local secret that is replaced every hour, the time and a
 * counter, so it is unique and cannot be predicted by the peer.
 */
int
ike_cookie_make(struct ike_engine *eng, const struct sockaddr_storage *peer,
    uint8_t *cookie)
{
	struct hash_ctx	*ctx = NULL;
	uint8_t		 md[HASH_MAX_LEN];
	int		 rc;

	if (eng->e_secret_time == 0 ||
	    eng->e_now - eng->e_secret_time >= IKE_COOKIE_ROTATE_MS) {
		if ((rc = rand_bytes(eng->e_secret,
		    sizeof(eng->e_secret))) != 0)
			return (rc);
		eng->e_secret_time = eng->e_now ? eng->e_now : 1;
	}
	eng->e_cookie_ctr++;
	if ((rc = hash_init(&ctx, HASH_SHA256)) != 0)
		goto out;
	if ((rc = hash_update(ctx, eng->e_secret,
	    sizeof(eng->e_secret))) != 0 ||
	    (rc = hash_update(ctx, peer, sizeof(*peer))) != 0 ||
	    (rc = hash_update(ctx, &eng->e_now, sizeof(eng->e_now))) != 0 ||
	    (rc = hash_update(ctx, &eng->e_cookie_ctr,
	    sizeof(eng->e_cookie_ctr))) != 0 ||
	    (rc = hash_final(ctx, md, sizeof(md))) != 0)
		goto out;
	memcpy(cookie, md, ISAKMP_COOKIE_LEN);
out:
	hash_free(ctx);
	return (rc);
}

const char *
ike_p1_state_name(enum ike_p1_state st)
{
	switch (st) {
	case IKE_P1_MM_I1:
	case IKE_P1_MM_R1:
		return ("SENT FIRST MSG (SA)");
	case IKE_P1_MM_I2:
	case IKE_P1_MM_R2:
		return ("SENT SECOND MSG (KE)");
	case IKE_P1_MM_I3:
		return ("SENT FINAL MSG");
	case IKE_P1_ESTABLISHED:
		return ("ACTIVE");
	case IKE_P1_DEAD:
		return ("DELETED");
	}
	return ("<invalid>");
}

/* The label of an SA whose rule is not known yet. */
static char ike_p1_no_label[] = "";

/*
 * Store the rule's label, allocated at its length.  Returns 0, or
 * ERR_NOMEM with the label unchanged.
 */
int
ike_p1_set_label(struct ike_p1 *p1, const char *label)
{
	char	*copy;

	if ((copy = strdup(label)) == NULL)
		return (ERR_NOMEM);
	if (p1->p1_label != ike_p1_no_label)
		free(p1->p1_label);
	p1->p1_label = copy;
	return (0);
}

/*
 * Store an identity as text for "ikeadm dump p1", allocated at its
 * length; without memory the old text stays.
 */
void
ike_p1_set_id_text(char **text, uint8_t type, const uint8_t *data,
    size_t len)
{
	char	 buf[IKE_ID_TEXT_MAX];
	char	*copy;

	ike_cert_id_text(type, data, len, buf, sizeof(buf));
	if ((copy = strdup(buf)) == NULL)
		return;
	free(*text);
	*text = copy;
}

void
ike_xmit_init(struct ike_xmit *x)
{
	memset(x, 0, sizeof(*x));
	wbuf_init(&x->x_msg, 0);
}

void
ike_xmit_clear(struct ike_xmit *x)
{
	wbuf_free(&x->x_msg);
	x->x_rx_len = 0;
	x->x_next = 0;
}

static void
ike_p1_cookie_text(struct ike_p1 *p1)
{
	char	i[17], r[17];

	util_hex_encode(i, sizeof(i), p1->p1_icookie, ISAKMP_COOKIE_LEN);
	util_hex_encode(r, sizeof(r), p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	snprintf(p1->p1_cookies, sizeof(p1->p1_cookies), "%s:%s", i, r);
}

/*
 * The bucket of an initiator cookie.  A peer chooses its cookies, so the
 * hash is keyed with a secret of the engine (multiply-shift with a
 * random odd multiplier) to keep it from filling one chain on purpose.
 */
static unsigned int
ike_p1_bucket(const struct ike_engine *eng, const uint8_t *icky)
{
	uint64_t	v;

	memcpy(&v, icky, sizeof(v));
	v = (v ^ eng->e_hash_key[1]) * eng->e_hash_key[0];
	return ((unsigned int)(v >> 48) % IKE_P1_BUCKETS);
}

static void
ike_p1_unhash(struct ike_p1 *p1)
{
	struct ike_p1	**pp;

	if (!p1->p1_hashed)
		return;
	pp = &p1->p1_eng->e_p1_hash[p1->p1_bucket];
	for (; *pp != NULL; pp = &(*pp)->p1_hash_next)
		if (*pp == p1) {
			*pp = p1->p1_hash_next;
			break;
		}
	p1->p1_hashed = 0;
}

/*
 * Chain an SA under its current initiator cookie, at the end so that
 * SAs with the same cookie are found oldest first, as in e_p1s.
 */
static int
ike_p1_hash(struct ike_p1 *p1)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_p1		**pp;
	unsigned int		  b;
	int			  rc;

	if ((rc = ike_tables_init(eng)) != 0)
		return (rc);
	b = ike_p1_bucket(eng, p1->p1_icookie);
	if (p1->p1_hashed && p1->p1_bucket == b)
		return (0);
	ike_p1_unhash(p1);
	for (pp = &eng->e_p1_hash[b]; *pp != NULL; pp = &(*pp)->p1_hash_next)
		;
	*pp = p1;
	p1->p1_hash_next = NULL;
	p1->p1_bucket = b;
	p1->p1_hashed = 1;
	return (0);
}

/*
 * The hash tables of ISAKMP SAs (by initiator cookie and by peer) and of
 * IPsec SA pairs (by peer), allocated with the first SA.
 */
int
ike_tables_init(struct ike_engine *eng)
{
	size_t	i;

	if (eng->e_p1_hash != NULL && eng->e_peer_hash != NULL &&
	    eng->e_child_peer != NULL)
		return (0);
	if (eng->e_p1_hash == NULL && eng->e_peer_hash == NULL &&
	    eng->e_child_peer == NULL) {
		if (rand_bytes(eng->e_hash_key, sizeof(eng->e_hash_key)) != 0)
			return (ERR_CRYPTO);
		eng->e_hash_key[0] |= 1;
	}
	if (eng->e_p1_hash == NULL)
		eng->e_p1_hash = calloc(IKE_P1_BUCKETS,
		    sizeof(*eng->e_p1_hash));
	if (eng->e_peer_hash == NULL)
		eng->e_peer_hash = calloc(IKE_P1_BUCKETS,
		    sizeof(*eng->e_peer_hash));
	if (eng->e_child_peer == NULL &&
	    (eng->e_child_peer = calloc(IKE_P1_BUCKETS,
	    sizeof(*eng->e_child_peer))) != NULL)
		for (i = 0; i < IKE_P1_BUCKETS; i++)
			TAILQ_INIT(&eng->e_child_peer[i]);
	if (eng->e_p1_hash == NULL || eng->e_peer_hash == NULL ||
	    eng->e_child_peer == NULL)
		return (ERR_NOMEM);
	return (0);
}

/* The bucket of a peer address, keyed like ike_p1_bucket. */
unsigned int
ike_peer_bucket(const struct ike_engine *eng, const struct config_ip *a)
{
	uint64_t	v, w;

	memcpy(&v, a->addr, sizeof(v));
	memcpy(&w, a->addr + 8, sizeof(w));
	v = (v ^ eng->e_hash_key[1]) * eng->e_hash_key[0];
	v = (v ^ (v >> 29) ^ w ^ (uint64_t)a->family) * eng->e_hash_key[0];
	return ((unsigned int)(v >> 48) % IKE_P1_BUCKETS);
}

static void
ike_p1_peer_unhash(struct ike_p1 *p1)
{
	struct ike_p1	**pp;

	if (!p1->p1_peer_hashed)
		return;
	pp = &p1->p1_eng->e_peer_hash[p1->p1_peer_bucket];
	for (; *pp != NULL; pp = &(*pp)->p1_peer_next)
		if (*pp == p1) {
			*pp = p1->p1_peer_next;
			break;
		}
	p1->p1_peer_hashed = 0;
}

/*
 * Chain an SA under its peer's address (without the port), in creation
 * order as in e_p1s, which ike_p1_find_peer's choice depends on.
 */
static void
ike_p1_peer_hash(struct ike_p1 *p1)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_p1		**pp;

	ike_p1_peer_unhash(p1);
	memset(&p1->p1_peer_ip, 0, sizeof(p1->p1_peer_ip));
	if (config_ip_from_sockaddr(&p1->p1_peer_ip, &p1->p1_remote) != 0)
		return;		/* no address family ike_p1_find_peer knows */
	p1->p1_peer_bucket = ike_peer_bucket(eng, &p1->p1_peer_ip);
	pp = &eng->e_peer_hash[p1->p1_peer_bucket];
	while (*pp != NULL && (*pp)->p1_seq < p1->p1_seq)
		pp = &(*pp)->p1_peer_next;
	p1->p1_peer_next = *pp;
	*pp = p1;
	p1->p1_peer_hashed = 1;
}

/* p1_remote changed (NAT-T float, NAT mapping change). */
void
ike_p1_peer_rehash(struct ike_p1 *p1)
{
	ike_p1_peer_hash(p1);
}

/*
 * Callers that write p1_icookie themselves call this with icky NULL
 * afterwards, which moves the SA to the chain of its new cookie.
 */
void
ike_p1_set_cookies(struct ike_p1 *p1, const uint8_t *icky, const uint8_t *rcky)
{
	if (icky != NULL)
		memcpy(p1->p1_icookie, icky, ISAKMP_COOKIE_LEN);
	if (rcky != NULL)
		memcpy(p1->p1_rcookie, rcky, ISAKMP_COOKIE_LEN);
	ike_p1_cookie_text(p1);
	(void)ike_p1_hash(p1);
}

struct ike_p1 *
ike_p1_new(struct ike_engine *eng, int initiator,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	struct ike_p1	*p1;

	if (ike_heap_reserve(&eng->e_p1_timers, eng->e_np1 + 1) != 0 ||
	    (p1 = calloc(1, sizeof(*p1))) == NULL)
		return (NULL);
	p1->p1_eng = eng;
	p1->p1_label = ike_p1_no_label;
	p1->p1_initiator = initiator;
	p1->p1_local = *local;
	p1->p1_remote = *remote;
	ike_addr_str(remote, p1->p1_peer, sizeof(p1->p1_peer));
	p1->p1_created = eng->e_now;
	wbuf_init(&p1->p1_sai_b, 0);
	wbuf_init(&p1->p1_gxi, 0);
	wbuf_init(&p1->p1_gxr, 0);
	wbuf_init(&p1->p1_ni, 0);
	wbuf_init(&p1->p1_nr, 0);
	wbuf_init(&p1->p1_gxy, 1);
	wbuf_init(&p1->p1_skeyid, 1);
	wbuf_init(&p1->p1_skeyid_d, 1);
	wbuf_init(&p1->p1_skeyid_a, 1);
	wbuf_init(&p1->p1_skeyid_e, 1);
	wbuf_init(&p1->p1_key, 1);
	ike_xmit_init(&p1->p1_xmit);
	TAILQ_INIT(&p1->p1_qms);
	TAILQ_INIT(&p1->p1_qm_done);
	TAILQ_INIT(&p1->p1_pending);
	ike_p1_cookie_text(p1);
	if (ike_p1_hash(p1) != 0) {
		free(p1);
		return (NULL);
	}
	p1->p1_seq = eng->e_p1_seq++;
	ike_p1_peer_hash(p1);
	TAILQ_INSERT_TAIL(&eng->e_p1s, p1, p1_entry);
	eng->e_np1++;
	ike_p1_touch(p1);
	if (initiator)
		eng->e_stats.st_p1_attempt_init++;
	else {
		eng->e_stats.st_p1_attempt_resp++;
		eng->e_half_open++;
	}
	return (p1);
}

void
ike_p1_free(struct ike_p1 *p1)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_qm		*qm;
	struct ike_pending	*pd;

	while ((qm = TAILQ_FIRST(&p1->p1_qms)) != NULL)
		ike_qm_free(qm);
	ike_qm_done_free_all(p1);
	ike_mid_free(p1);
	while ((pd = TAILQ_FIRST(&p1->p1_pending)) != NULL) {
		TAILQ_REMOVE(&p1->p1_pending, pd, pd_entry);
		free(pd);
	}
	if (p1->p1_state == IKE_P1_ESTABLISHED) {
		if (p1->p1_initiator)
			eng->e_stats.st_p1_current_init--;
		else
			eng->e_stats.st_p1_current_resp--;
	} else if (!p1->p1_initiator && p1->p1_state != IKE_P1_DEAD)
		eng->e_half_open--;
	/* The SAs after p1 move up one place. */
	if (eng->e_p1_walk == p1)
		eng->e_p1_walk = TAILQ_NEXT(p1, p1_entry);
	else if (eng->e_p1_walk != NULL &&
	    p1->p1_seq < eng->e_p1_walk->p1_seq)
		eng->e_p1_walk_pos--;
	TAILQ_REMOVE(&eng->e_p1s, p1, p1_entry);
	eng->e_np1--;
	ike_heap_remove(&eng->e_p1_timers, &p1->p1_timer);
	ike_p1_untouch(p1);
	ike_p1_unhash(p1);
	ike_p1_peer_unhash(p1);
	ike_pke_free(p1);
	ike_cert_free_peer(p1);
	if (p1->p1_label != ike_p1_no_label)
		free(p1->p1_label);
	free(p1->p1_local_id);
	free(p1->p1_remote_id);
	wbuf_free(&p1->p1_sai_b);
	wbuf_free(&p1->p1_gxi);
	wbuf_free(&p1->p1_gxr);
	wbuf_free(&p1->p1_ni);
	wbuf_free(&p1->p1_nr);
	wbuf_free(&p1->p1_gxy);
	wbuf_free(&p1->p1_skeyid);
	wbuf_free(&p1->p1_skeyid_d);
	wbuf_free(&p1->p1_skeyid_a);
	wbuf_free(&p1->p1_skeyid_e);
	wbuf_free(&p1->p1_key);
	dh_derive_cancel(p1->p1_dhjob);
	dh_key_free(p1->p1_dh);
	cipher_ctx_free(p1->p1_cipher);
	ike_xmit_clear(&p1->p1_xmit);
	util_wipe(p1->p1_iv, sizeof(p1->p1_iv));
	util_freezero(p1, sizeof(*p1));
}

/*
 * Mark the SA dead: it processes no more messages, and the next timer run
 * frees it.  The counters change here, once.
 */
void
ike_p1_kill(struct ike_p1 *p1, const char *why)
{
	struct ike_engine	*eng = p1->p1_eng;

	if (p1->p1_state == IKE_P1_DEAD)
		return;
	log_info("ISAKMP SA %s with %s (rule \"%s\") removed: %s",
	    p1->p1_cookies, p1->p1_peer, p1->p1_label, why);
	if (p1->p1_state == IKE_P1_ESTABLISHED) {
		if (p1->p1_initiator)
			eng->e_stats.st_p1_current_init--;
		else
			eng->e_stats.st_p1_current_resp--;
	} else if (!p1->p1_initiator)
		eng->e_half_open--;
	p1->p1_state = IKE_P1_DEAD;
	p1->p1_expire = eng->e_now;
	p1->p1_xmit.x_next = 0;
	p1->p1_keepalive = 0;
	ike_p1_touch(p1);
	ike_timer_update(eng);
}

/* An unfinished Phase 1 failed: count it, then remove it. */
void
ike_p1_fail(struct ike_p1 *p1, int timeout)
{
	struct ike_engine	*eng = p1->p1_eng;

	if (p1->p1_state == IKE_P1_DEAD || p1->p1_state == IKE_P1_ESTABLISHED)
		return;
	if (p1->p1_initiator) {
		eng->e_stats.st_p1_fail_init++;
		if (timeout)
			eng->e_stats.st_p1_timeout_init++;
	} else
		eng->e_stats.st_p1_fail_resp++;
	ike_p1_kill(p1, timeout ? "Phase 1 timed out" : "Phase 1 failed");
	ike_life_p1_failed(p1);
}

/*
 * Main Mode is over: the Diffie-Hellman key and values, the nonces and
 * the SA payload served only to derive SKEYID and the HASH payloads
 * (RFC 2409 section 5).  A repeated MM5 is answered from p1_xmit and
 * Phase 2 uses the SKEYID_* keys, so they go.
 */
static void
ike_p1_drop_exchange(struct ike_p1 *p1)
{
	wbuf_free(&p1->p1_sai_b);
	wbuf_free(&p1->p1_gxi);
	wbuf_free(&p1->p1_gxr);
	wbuf_free(&p1->p1_ni);
	wbuf_free(&p1->p1_nr);
	wbuf_free(&p1->p1_gxy);
	dh_derive_cancel(p1->p1_dhjob);
	p1->p1_dhjob = NULL;
	dh_key_free(p1->p1_dh);
	p1->p1_dh = NULL;
	/*
	 * The OpenSSL contexts of the cipher take about 1 kB (an estimate
	 * for AES-CBC with OpenSSL 3.0).  Phase 2 and Informational
	 * messages are few, so each makes its own from p1_key
	 * (ike_msg_cipher).
	 */
	cipher_ctx_free(p1->p1_cipher);
	p1->p1_cipher = NULL;
	/*
	 * The stored messages stay for repeats, and the keys for Phase 2
	 * and "ikeadm dump p1", in buffers of their size.
	 */
	wbuf_trim(&p1->p1_xmit.x_msg);
	wbuf_trim(&p1->p1_skeyid);
	wbuf_trim(&p1->p1_skeyid_d);
	wbuf_trim(&p1->p1_skeyid_a);
	wbuf_trim(&p1->p1_skeyid_e);
	wbuf_trim(&p1->p1_key);
}

void
ike_p1_established(struct ike_p1 *p1)
{
	struct ike_engine	*eng = p1->p1_eng;

	if (p1->p1_initiator) {
		eng->e_stats.st_p1_current_init++;
		eng->e_stats.st_p1_total_init++;
	} else {
		eng->e_stats.st_p1_current_resp++;
		eng->e_stats.st_p1_total_resp++;
		eng->e_half_open--;
	}
	p1->p1_state = IKE_P1_ESTABLISHED;
	ike_p1_drop_exchange(p1);
	p1->p1_expire = eng->e_now + (uint64_t)p1->p1_life_secs * 1000;
	log_info("ISAKMP SA %s established with %s (rule \"%s\"): %s(%u) "
	    "%s group %u, lifetime %u s%s%s", p1->p1_cookies, p1->p1_peer,
	    p1->p1_label, cipher_name(p1->p1_encr), p1->p1_keybits,
	    hash_name(p1->p1_hash), p1->p1_group, p1->p1_life_secs,
	    p1->p1_floated ? ", NAT-T on port 4500" : "",
	    p1->p1_nat_local ? ", we are behind a NAT" : "");
	ike_keylog_p1(eng, p1);
	ike_life_p1_up(p1);
	ike_pending_run(p1);
	ike_p1_touch(p1);
	ike_timer_update(eng);
}

/*
 * Find the SA of a message.  A responder cookie of zero matches an SA
 * whose responder cookie is not known yet, only from the same peer
 * address (the initiator's retransmitted MM1).
 */
static struct ike_p1 *
ike_p1_find_scan(struct ike_engine *eng, const uint8_t *icky,
    const uint8_t *rcky, const struct sockaddr_storage *remote)
{
	static const uint8_t	 zero[ISAKMP_COOKIE_LEN];
	struct ike_p1		*p1;
	int			 rzero;

	if (eng->e_p1_hash == NULL)
		return (NULL);
	rzero = memcmp(rcky, zero, ISAKMP_COOKIE_LEN) == 0;
	for (p1 = eng->e_p1_hash[ike_p1_bucket(eng, icky)]; p1 != NULL;
	    p1 = p1->p1_hash_next) {
		if (memcmp(p1->p1_icookie, icky, ISAKMP_COOKIE_LEN) != 0)
			continue;
		if (memcmp(p1->p1_rcookie, rcky, ISAKMP_COOKIE_LEN) == 0) {
			if (!rzero)
				return (p1);
			/* Only the initiator's first message has rcky 0. */
			if (remote != NULL) {
				struct config_ip a, b;

				if (config_ip_from_sockaddr(&a, remote) ||
				    config_ip_from_sockaddr(&b,
				    &p1->p1_remote) ||
				    config_ip_cmp(&a, &b) != 0)
					continue;
			}
			return (p1);
		}
		if (rzero && !p1->p1_initiator && remote != NULL &&
		    ike_addr_eq(remote, &p1->p1_remote))
			return (p1);
		/* MM2: our SA does not know the responder cookie yet. */
		if (p1->p1_initiator && p1->p1_state == IKE_P1_MM_I1 &&
		    memcmp(p1->p1_rcookie, zero, ISAKMP_COOKIE_LEN) == 0)
			return (p1);
	}
	return (NULL);
}

/*
 * The SA found is what the caller works on: its timers are looked at
 * again once the caller is done (ike_timer_update).
 */
struct ike_p1 *
ike_p1_find(struct ike_engine *eng, const uint8_t *icky, const uint8_t *rcky,
    const struct sockaddr_storage *remote)
{
	struct ike_p1	*p1 = ike_p1_find_scan(eng, icky, rcky, remote);

	if (p1 != NULL)
		ike_p1_touch(p1);
	return (p1);
}

/*
 * Preference of ISAKMP SAs with one peer: established ones, and among
 * them one that no successor replaces yet.
 */
static int
ike_p1_peer_rank(const struct ike_p1 *p1)
{
	if (p1->p1_state != IKE_P1_ESTABLISHED)
		return (0);
	return (p1->p1_replaced_by[0] == '\0' ? 2 : 1);
}

/* The newest usable or unfinished ISAKMP SA with a peer address. */
struct ike_p1 *
ike_p1_find_peer(struct ike_engine *eng, const struct sockaddr_storage *remote)
{
	struct ike_p1	*p1, *best = NULL;
	struct config_ip a;

	memset(&a, 0, sizeof(a));
	if (eng->e_peer_hash == NULL ||
	    config_ip_from_sockaddr(&a, remote) != 0)
		return (NULL);
	for (p1 = eng->e_peer_hash[ike_peer_bucket(eng, &a)]; p1 != NULL;
	    p1 = p1->p1_peer_next) {
		if (p1->p1_state == IKE_P1_DEAD)
			continue;
		if (config_ip_cmp(&a, &p1->p1_peer_ip) != 0)
			continue;
		/* The list is oldest first: a later one of a rank wins. */
		if (best == NULL ||
		    ike_p1_peer_rank(p1) > ike_p1_peer_rank(best) ||
		    (ike_p1_peer_rank(p1) != 0 &&
		    ike_p1_peer_rank(p1) == ike_p1_peer_rank(best)))
			best = p1;
	}
	if (best != NULL)
		ike_p1_touch(best);
	return (best);
}

/*
 * The oldest ISAKMP SA with a peer address, dead ones included; with
 * ike_p1_peer_next, the SAs with that address in creation order.
 */
struct ike_p1 *
ike_p1_peer_first(const struct ike_engine *eng, const struct config_ip *a)
{
	struct ike_p1	*p1;

	if (eng->e_peer_hash == NULL)
		return (NULL);
	p1 = eng->e_peer_hash[ike_peer_bucket(eng, a)];
	while (p1 != NULL && config_ip_cmp(a, &p1->p1_peer_ip) != 0)
		p1 = p1->p1_peer_next;
	return (p1);
}

struct ike_p1 *
ike_p1_peer_next(const struct ike_p1 *p1)
{
	struct ike_p1	*o;

	for (o = p1->p1_peer_next; o != NULL; o = o->p1_peer_next)
		if (config_ip_cmp(&p1->p1_peer_ip, &o->p1_peer_ip) == 0)
			return (o);
	return (NULL);
}

/* Mark an SA whose timers the current engine call may move. */
void
ike_p1_touch(struct ike_p1 *p1)
{
	if (p1->p1_touched)
		return;
	TAILQ_INSERT_TAIL(&p1->p1_eng->e_touched, p1, p1_touch_entry);
	p1->p1_touched = 1;
}

void
ike_p1_untouch(struct ike_p1 *p1)
{
	if (!p1->p1_touched)
		return;
	TAILQ_REMOVE(&p1->p1_eng->e_touched, p1, p1_touch_entry);
	p1->p1_touched = 0;
}

/*
 * Send a message of the exchange and keep it.  With retransmit set the
 * message is sent again after retry_timer_init, doubling up to
 * retry_timer_max, retry_limit times, until a response disarms it.
 */
int
ike_xmit_send(struct ike_p1 *p1, struct ike_xmit *x, struct wbuf *msg,
    int retransmit)
{
	const struct config_globals	*g = ike_globals(p1->p1_eng);
	int				 rc;

	wbuf_reset(&x->x_msg);
	if ((rc = wbuf_copy(&x->x_msg, msg)) != 0)
		return (rc);
	ike_addr_pack(&x->x_local, &p1->p1_local);
	ike_addr_pack(&x->x_remote, &p1->p1_remote);
	x->x_tries = 0;
	x->x_next = 0;
	if (retransmit) {
		x->x_interval = g->cg_retry_timer_init.val;
		if (x->x_interval == 0)
			x->x_interval = CONFIG_DEF_RETRY_INIT_MS;
		x->x_next = p1->p1_eng->e_now + x->x_interval;
	}
	rc = ike_send_raw(p1->p1_eng, &p1->p1_local, &p1->p1_remote,
	    &x->x_msg);
	ike_p1_touch(p1);
	ike_timer_update(p1->p1_eng);
	return (rc);
}

/*
 * Store the length and digest of the request that our stored reply
 * responds to.  Without a digest, no repeat is recognised.
 */
void
ike_xmit_store_rx(struct ike_xmit *x, const struct ike_packet *pk)
{
	x->x_rx_len = 0;
	if (pk->pk_len == 0 || pk->pk_len > UINT32_MAX ||
	    hash_digest(HASH_SHA256, pk->pk_data, pk->pk_len, x->x_rx_digest,
	    sizeof(x->x_rx_digest)) != 0)
		return;
	x->x_rx_len = (uint32_t)pk->pk_len;
}

/* Whether pk has this length (0 matches nothing) and SHA-256 digest. */
int
ike_rx_digest_match(uint32_t len, const uint8_t *digest,
    const struct ike_packet *pk)
{
	uint8_t	d[IKE_RX_DIGEST_LEN];

	return (len != 0 && pk->pk_len == len &&
	    hash_digest(HASH_SHA256, pk->pk_data, pk->pk_len, d,
	    sizeof(d)) == 0 && memcmp(d, digest, sizeof(d)) == 0);
}

/*
 * A retransmitted request is answered with the stored reply and not
 * processed again.  Returns 1 when pk was such a duplicate.
 */
int
ike_xmit_is_dup(struct ike_p1 *p1, struct ike_xmit *x,
    const struct ike_packet *pk)
{
	if (!ike_rx_digest_match(x->x_rx_len, x->x_rx_digest, pk))
		return (0);
	if (x->x_msg.wb_len > 0) {
		log_debug(D_OP, "ISAKMP SA %s: retransmitted message from %s, "
		    "sending our stored reply again", p1->p1_cookies,
		    p1->p1_peer);
		/* To where the request came from: a NAT may have moved it. */
		(void)ike_send_raw(p1->p1_eng, &pk->pk_local, &pk->pk_remote,
		    &x->x_msg);
	}
	return (1);
}

/*
 * Retransmit when due.  Returns 1 when retry_limit is exhausted and the
 * caller must give up the exchange.
 */
int
ike_xmit_timer(struct ike_p1 *p1, struct ike_xmit *x, uint64_t now)
{
	const struct config_globals	*g = ike_globals(p1->p1_eng);
	struct sockaddr_storage		 local, remote;
	uint64_t			 max;

	if (x->x_next == 0 || now < x->x_next)
		return (0);
	if (x->x_tries >= g->cg_retry_limit.val) {
		x->x_next = 0;
		return (1);
	}
	x->x_tries++;
	log_debug(D_OP, "ISAKMP SA %s: no response from %s, retransmission "
	    "%u of %u", p1->p1_cookies, p1->p1_peer, x->x_tries,
	    g->cg_retry_limit.val);
	ike_addr_unpack(&x->x_local, &local);
	ike_addr_unpack(&x->x_remote, &remote);
	(void)ike_send_raw(p1->p1_eng, &local, &remote, &x->x_msg);
	max = g->cg_retry_timer_max.val ? g->cg_retry_timer_max.val :
	    CONFIG_DEF_RETRY_MAX_MS;
	x->x_interval *= 2;
	if (x->x_interval > max)
		x->x_interval = max;
	x->x_next = now + x->x_interval;
	return (0);
}

void
ike_hdr_fill(struct ike_p1 *p1, struct isakmp_hdr *h, uint8_t exchange,
    uint32_t msgid, int encrypted)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->h_icookie, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(h->h_rcookie, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	h->h_major = ISAKMP_VERSION_MAJOR;
	h->h_minor = ISAKMP_VERSION_MINOR;
	h->h_exchange = exchange;
	h->h_flags = encrypted ? ISAKMP_FLAG_ENC : 0;
	h->h_msgid = msgid;
}

/*
 * The cipher of the SA's messages: the one kept during Main Mode, or a
 * new one from p1_key that the caller frees (*made set).
 */
static int
ike_msg_cipher(struct ike_p1 *p1, struct cipher_ctx **ctx, int *made)
{
	*made = 0;
	if ((*ctx = p1->p1_cipher) != NULL)
		return (0);
	if (p1->p1_key.wb_len == 0)
		return (ERR_STATE);
	*made = 1;
	return (cipher_ctx_new(ctx, p1->p1_encr, p1->p1_key.wb_data,
	    p1->p1_key.wb_len));
}

/*
 * Encrypt body under the SA's key with iv, and write header and
 * ciphertext to out.  The plaintext is padded with zeros to the block
 * size (RFC 2409 section 5.3).  iv receives the last ciphertext block,
 * the IV of the next message.
 */
int
ike_msg_encrypt(struct ike_p1 *p1, struct wbuf *out,
    const struct isakmp_hdr *hdr, const struct wbuf *body, uint8_t *iv)
{
	struct isakmp_hdr	 h = *hdr;
	struct cipher_ctx	*cc;
	struct wbuf		 plain;
	size_t			 bl = p1->p1_blocklen, padded;
	uint8_t			*ct;
	int			 rc, made = 0;

	wbuf_init(&plain, 1);
	if (body->wb_len == 0 || body->wb_len > WBUF_MAX / 2)
		return (ERR_INVAL);
	padded = (body->wb_len + bl - 1) / bl * bl;
	if ((rc = wbuf_copy(&plain, body)) != 0 ||
	    (rc = wbuf_put_zero(&plain, padded - body->wb_len)) != 0)
		goto out;
	h.h_flags |= ISAKMP_FLAG_ENC;
	h.h_length = ISAKMP_HDR_LEN + padded;
	wbuf_reset(out);
	if ((rc = isakmp_hdr_write(out, &h)) != 0 ||
	    (rc = wbuf_alloc(out, padded, &ct)) != 0)
		goto out;
	if ((rc = ike_msg_cipher(p1, &cc, &made)) != 0)
		goto out;
	rc = cipher_ctx_encrypt(cc, iv, plain.wb_data, padded, ct, iv);
	if (made)
		cipher_ctx_free(cc);
	if (rc == 0)
		ike_life_p1_count(p1, padded);
out:
	wbuf_free(&plain);
	return (rc);
}

/*
 * Decrypt the body of pk with iv and parse its payload chain.  iv is
 * replaced with the last ciphertext block only on success, so a forged
 * or corrupt message does not break the IV chain.
 */
int
ike_msg_decrypt(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr, uint8_t *iv, struct wbuf *plain,
    struct isakmp_msg *msg, struct isakmp_error *err)
{
	struct rbuf		 rb;
	struct cipher_ctx	*cc;
	const uint8_t		*ct;
	uint8_t			*pt, last[CIPHER_MAX_BLOCK];
	uint8_t			 tmpiv[CIPHER_MAX_BLOCK];
	size_t			 len, bl = p1->p1_blocklen;
	int			 rc, made = 0;

	memset(err, 0, sizeof(*err));
	if (ike_mm_keys(p1) != 0) {
		snprintf(err->ie_msg, sizeof(err->ie_msg),
		    "the Phase 1 keys could not be derived");
		return (ERR_CRYPTO);
	}
	if (p1->p1_cipher == NULL && p1->p1_key.wb_len == 0) {
		snprintf(err->ie_msg, sizeof(err->ie_msg),
		    "encrypted message before the keys are known");
		return (ERR_STATE);
	}
	rbuf_init(&rb, pk->pk_data, pk->pk_len);
	len = pk->pk_len - ISAKMP_HDR_LEN;
	if (len == 0 || len % bl != 0 || rbuf_skip(&rb, ISAKMP_HDR_LEN) ||
	    rbuf_get_ptr(&rb, len, &ct) != 0) {
		snprintf(err->ie_msg, sizeof(err->ie_msg),
		    "encrypted body of %zu bytes is not a multiple of the "
		    "%zu-byte cipher block", len, bl);
		p1->p1_rx_decrypt_errs++;
		return (ERR_MALFORMED);
	}
	wbuf_reset(plain);
	memcpy(tmpiv, iv, bl);
	if ((rc = wbuf_alloc(plain, len, &pt)) != 0 ||
	    (rc = ike_msg_cipher(p1, &cc, &made)) != 0)
		return (rc);
	rc = cipher_ctx_decrypt(cc, tmpiv, ct, len, pt, last);
	if (made)
		cipher_ctx_free(cc);
	if (rc != 0)
		return (rc);
	memset(msg, 0, sizeof(*msg));
	msg->m_hdr = *hdr;
	rc = isakmp_payloads_parse(msg, hdr->h_next, plain->wb_data,
	    plain->wb_len, ISAKMP_HDR_LEN, ISAKMP_PARSE_PADDED, err);
	if (rc != 0) {
		/* A wrong key or a forged message decrypts to garbage. */
		p1->p1_rx_decrypt_errs++;
		isakmp_msg_free(msg);
		return (rc);
	}
	memcpy(iv, last, bl);
	ike_life_p1_count(p1, len);
	return (0);
}

static void
ike_print_line(void *arg, const char *line)
{
	uint32_t	*cat = arg;

	log_debug(*cat, "  %s", line);
}

void
ike_msg_print(const char *what, const struct ike_p1 *p1,
    const struct isakmp_msg *msg, uint32_t category)
{
	if (!log_debug_enabled(category))
		return;
	log_debug(category, "%s, ISAKMP SA %s, peer %s:", what,
	    p1 != NULL ? p1->p1_cookies : "-", p1 != NULL ? p1->p1_peer : "-");
	isakmp_print_msg(msg, ike_print_line, &category);
}

/* The bit of a payload type in the required/allowed masks. */
int
ike_payload_bit(uint8_t type, uint32_t *bit)
{
	switch (type) {
	case ISAKMP_PL_NAT_D:
	case ISAKMP_PL_NAT_D_DRAFT:
	case ISAKMP_PL_NAT_D_OLD:
		*bit = 1u << ISAKMP_PL_NAT_D;
		return (0);
	case ISAKMP_PL_NAT_OA:
	case ISAKMP_PL_NAT_OA_DRAFT:
		*bit = 1u << ISAKMP_PL_NAT_OA;
		return (0);
	default:
		if (type >= 1 && type <= ISAKMP_PL_VID) {
			*bit = 1u << type;
			return (0);
		}
	}
	return (ERR_UNSUPPORTED);
}

/*
 * Check a message against what its exchange step expects.  Returns 0,
 * or the Notify type to answer with (INVALID-PAYLOAD-TYPE for a payload
 * that does not belong, PAYLOAD-MALFORMED for a missing one).
 */
int
ike_payload_check(struct ike_p1 *p1, const struct isakmp_msg *msg,
    uint32_t required, uint32_t allowed, const char *what)
{
	uint32_t	seen = 0, bit;
	size_t		i;

	for (i = 0; i < msg->m_npayloads; i++) {
		uint8_t t = msg->m_payloads[i].pl_type;

		if (ike_payload_bit(t, &bit) != 0 ||
		    (bit & (allowed | required)) == 0) {
			if (log_ratelimit_pass(&ike_sa_rl))
				log_warn("ISAKMP SA %s: %s from %s has an "
				    "unexpected %s payload (type %u); "
				    "message dropped", p1->p1_cookies, what,
				    p1->p1_peer, isakmp_payload_name(t), t);
			return (ISAKMP_N_INVALID_PAYLOAD_TYPE);
		}
		seen |= bit;
	}
	if ((seen & required) != required) {
		for (i = 1; i < 32; i++)
			if ((required & ~seen) & (1u << i))
				break;
		if (log_ratelimit_pass(&ike_sa_rl))
			log_warn("ISAKMP SA %s: %s from %s lacks the %s "
			    "payload; message dropped", p1->p1_cookies, what,
			    p1->p1_peer, isakmp_payload_name((uint8_t)i));
		return (ISAKMP_N_PAYLOAD_MALFORMED);
	}
	return (0);
}

/* Move one installed SA to the peer's new address and port. */
static void
ike_child_move(struct ike_engine *eng, struct ike_sa_key *sk,
    const struct sockaddr_storage *src, const struct sockaddr_storage *dst)
{
	struct kernel_sa_update	su;
	int			rc;

	memset(&su, 0, sizeof(su));
	ike_sa_key_unpack(sk, &su.su_id);
	su.su_new_src = *src;
	su.su_new_dst = *dst;
	su.su_encap = 1;
	if ((rc = kernel_update_sa(eng->e_kernel, &su)) != 0) {
		log_warn("moving ESP SPI 0x%08x to the peer's new address "
		    "failed: %s", sk->sk_spi, err_str(rc));
		return;
	}
	ike_addr_pack(&sk->sk_src, src);
	ike_addr_pack(&sk->sk_dst, dst);
}

/* Whether p1 negotiated ch and ch still goes to p1's peer address. */
static int
ike_p1_made_child(const struct ike_p1 *p1, const struct ike_child *ch)
{
	struct sockaddr_storage	remote;

	if (memcmp(ch->ch_icookie, p1->p1_icookie, ISAKMP_COOKIE_LEN) != 0 ||
	    memcmp(ch->ch_rcookie, p1->p1_rcookie, ISAKMP_COOKIE_LEN) != 0)
		return (0);
	ike_child_remote(ch, &remote);
	return (ike_addr_eq(&remote, &p1->p1_remote));
}

/*
 * An authenticated message came from an address or port other than the
 * SA's: a NAT in front of the peer changed its mapping.  IKE and the
 * UDP-encapsulated IPsec SAs follow it (RFC 3947 section 5, RFC 3948).
 */
void
ike_p1_peer_moved(struct ike_p1 *p1, const struct ike_packet *pk)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_child	*ch, *next;
	char			 was[64];

	/* Callers pass only authenticated messages: the peer is alive. */
	p1->p1_last_rx = eng->e_now;
	if (!p1->p1_floated || !p1->p1_nat_remote ||
	    ike_addr_eq(&pk->pk_remote, &p1->p1_remote))
		return;
	snprintf(was, sizeof(was), "%s", p1->p1_peer);
	for (ch = ike_child_peer_first_ss(eng, &p1->p1_remote); ch != NULL;
	    ch = next) {
		next = ike_child_peer_next(ch);
		if (!ike_p1_made_child(p1, ch))
			continue;
		ike_child_move(eng, &ch->ch_out, &pk->pk_local,
		    &pk->pk_remote);
		ike_child_move(eng, &ch->ch_in, &pk->pk_remote,
		    &pk->pk_local);
		ike_child_peer_hash(eng, ch);
	}
	p1->p1_local = pk->pk_local;
	p1->p1_remote = pk->pk_remote;
	ike_p1_peer_rehash(p1);
	ike_addr_str(&p1->p1_remote, p1->p1_peer, sizeof(p1->p1_peer));
	log_info("ISAKMP SA %s (rule \"%s\"): peer moved from %s to %s "
	    "behind its NAT; IKE and its IPsec SAs follow", p1->p1_cookies,
	    p1->p1_label, was, p1->p1_peer);
}
