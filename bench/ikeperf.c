/*
 * ikeperf: an IKEv1 load generator.  It plays many initiators, one per
 * source address, each running Main Mode with a preshared key and one
 * Quick Mode against a single responder, with a bounded number of
 * exchanges in flight.  Every initiator is an instance of in.iked's own
 * engine (src/ike/ike.h) with a none kernel backend, so the messages,
 * NAT-T floating and key derivation are those the daemon uses.  This
 * file only moves datagrams between the engines and two UDP sockets
 * (ports 500 and 4500, bound to the wildcard address), in batches of
 * sendmmsg and recvmmsg.  IP_PKTINFO picks the source address of each
 * datagram.  The source addresses must be local in the namespace, e.g.
 * through "ip route add local 198.18.0.0/15 dev lo".
 *
 * The generator keeps one Diffie-Hellman key pair per group for all its
 * initiators (the linker wraps dh_key_generate and dh_key_free), with a
 * short private exponent for MODP (ikeperf_dh_make()), so it spends a
 * fraction of the responder's DH time per tunnel and the responder stays
 * the bottleneck.  The responder makes a fresh key pair and computes a
 * full g^xy in every exchange, as with any peer.
 *
 * Output: one "ikeperf:" line of key=value pairs (tunnels per second,
 * latency percentiles, failures, the responder's CPU time and resident
 * memory when -P names its PID, the generator's own user+system time
 * from getrusage, with its workers, in all and per completed tunnel, and
 * the datagrams that sendmmsg did not send or that were too long for the
 * receive buffers).
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "config/diag.h"
#include "crypto/crypto.h"
#include "crypto/dh.h"
#include "crypto/rand.h"
#include "ike/ike.h"
#include "ike/ike_heap.h"
#include "ike/ike_int.h"
#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"

#define IKEPERF_GROUP_MAX	64
#define IKEPERF_WORKERS_MAX	64
#define IKEPERF_BATCH		32	/* datagrams per sendmmsg/recvmmsg */
#define IKEPERF_TX_MAX		4096	/* a queued datagram, with marker */
#define IKEPERF_RX_MAX		8192	/* a received datagram */

/* Control data of one datagram: the IP_PKTINFO of its local address. */
union ikeperf_cmsg {
	struct cmsghdr	c;
	uint8_t		b[CMSG_SPACE(sizeof(struct in_pktinfo))];
};

/*
 * Datagrams for one socket, sent with one sendmmsg call before the
 * generator waits in poll() or after it handled a batch of received
 * ones.
 */
struct ikeperf_txq {
	int			 fd;
	unsigned int		 n;
	struct mmsghdr		 msgs[IKEPERF_BATCH];
	struct iovec		 iov[IKEPERF_BATCH];
	struct sockaddr_in	 to[IKEPERF_BATCH];
	union ikeperf_cmsg	 ctl[IKEPERF_BATCH];
	uint8_t			 data[IKEPERF_BATCH][IKEPERF_TX_MAX];
};

/* Buffers of one recvmmsg call. */
struct ikeperf_rxq {
	struct mmsghdr		 msgs[IKEPERF_BATCH];
	struct iovec		 iov[IKEPERF_BATCH];
	struct sockaddr_in	 from[IKEPERF_BATCH];
	union ikeperf_cmsg	 ctl[IKEPERF_BATCH];
	uint8_t			 data[IKEPERF_BATCH][IKEPERF_RX_MAX];
};

struct ikeperf_opts {
	uint32_t	 src_base;	/* first source address, host order */
	uint32_t	 src_count;
	uint32_t	 inner_offset;	/* inner address = source + offset */
	struct in_addr	 target;	/* the responder's IKE address */
	const char	*target_inner;	/* its protected host */
	unsigned int	 total;
	unsigned int	 concurrency;
	int		 group;
	int		 pfs;
	const char	*p1_encr;
	const char	*p1_hash;
	const char	*esp;
	const char	*psk;
	unsigned int	 timeout_ms;
	unsigned int	 extra_qm;	/* Quick Modes after the first */
	unsigned int	 limit_s;	/* start no tunnel after this; 0 = none */
	int		 resp_pid;
	int		 reuse_dh;
	int		 verbose;
	unsigned int	 workers;	/* processes sharing the load */
};

struct ikeperf_slot {
	struct ikeperf		*ip;
	struct ike_engine	*eng;
	struct kernel		*kern;
	uint32_t		 addr;		/* host order */
	uint64_t		 start_us;
	uint64_t		 timer_ms;	/* engine deadline, 0 = none */
	uint64_t		 give_up_ms;
	uint64_t		 qm_start_us;	/* extra Quick Mode running */
	unsigned int		 qm_left;
	unsigned int		 p2_seen;	/* SA pairs of this tunnel */
	unsigned int		 p2_base;	/* engine counts at its start */
	unsigned int		 fail_base;
	int			 busy;
};

struct ikeperf {
	struct ikeperf_opts	 o;
	int			 fd500;
	int			 fd4500;
	struct ikeperf_slot	*slots;
	struct ikeperf_slot	**by_addr;	/* slot of a source address */
	uint32_t		 next_addr;	/* index among own addresses */
	uint32_t		 own_count;	/* addresses of this worker */
	unsigned int		 worker;	/* owns index % workers == it */
	unsigned int		 started;
	unsigned int		 ok;
	unsigned int		 failed;
	unsigned int		 active;
	uint32_t		*lat_us;
	uint32_t		*qm_us;		/* extra Quick Modes */
	unsigned int		 qm_ok;
	unsigned int		 tx_failed;	/* datagrams sendmmsg dropped */
	unsigned int		 rx_truncated;	/* longer than IKEPERF_RX_MAX */
	struct ikeperf_txq	*txq500;
	struct ikeperf_txq	*txq4500;
	struct ikeperf_rxq	*rxq;
	FILE			*out;		/* stdout; stderr takes logs */
};

/* The counts that a worker process leaves in shared memory for the parent. */
struct ikeperf_result {
	unsigned int	ok;
	unsigned int	failed;
	unsigned int	qm_ok;
	unsigned int	tx_failed;
	unsigned int	rx_truncated;
};

/* Diffie-Hellman keys the generator's initiators share, by group. */
static struct dh_key	*ikeperf_dh_cache[IKEPERF_GROUP_MAX];
static int		 ikeperf_dh_reuse;

int	__real_dh_key_generate(unsigned int, struct dh_key **);
void	__real_dh_key_free(struct dh_key *);
int	__wrap_dh_key_generate(unsigned int, struct dh_key **);
void	__wrap_dh_key_free(struct dh_key *);
int	__real_dh_key_public(const struct dh_key *, struct wbuf *);
int	__wrap_dh_key_public(const struct dh_key *, struct wbuf *);

/* The encoded public values of ikeperf_dh_cache's keys, once asked for. */
static uint8_t		*ikeperf_dh_pub[IKEPERF_GROUP_MAX];
static size_t		 ikeperf_dh_pub_len[IKEPERF_GROUP_MAX];

/* Whether the engines' informational messages are written (-v). */
static int		 ikeperf_log_info;

void	__real_log_info(const char *, ...);
void	__wrap_log_info(const char *, ...);

/*
 * Make the generator's key pair of a group.  For MODP its private
 * exponent is 64 bits long.  OpenSSL's constant-time exponentiation
 * takes time in proportion to the exponent's length, so each g^xy of the
 * generator costs a fraction of the responder's.  The responder's own
 * work (its exponent, the length of the prime) stays what any peer
 * causes.  The elliptic curves have no such shortcut.
 */
static int
ikeperf_dh_make(unsigned int group, struct dh_key **key)
{
	const struct dh_group_info	*gi = dh_group_lookup(group);
	uint8_t				 priv[8];

	if (gi == NULL || (gi->dg_type != DH_MODP &&
	    gi->dg_type != DH_MODP_SUBGROUP))
		return (__real_dh_key_generate(group, key));
	if (rand_bytes(priv, sizeof(priv)) != 0)
		return (ERR_CRYPTO);
	priv[0] |= 0x80;
	return (dh_key_from_private(group, priv, sizeof(priv), key));
}

/* Called instead of dh_key_generate (-Wl,--wrap): one cached key per group. */
int
__wrap_dh_key_generate(unsigned int group, struct dh_key **key)
{
	int	rc;

	if (!ikeperf_dh_reuse || group >= IKEPERF_GROUP_MAX)
		return (__real_dh_key_generate(group, key));
	if (ikeperf_dh_cache[group] == NULL &&
	    (rc = ikeperf_dh_make(group, &ikeperf_dh_cache[group])) != 0)
		return (rc);
	*key = ikeperf_dh_cache[group];
	return (0);
}

void
__wrap_dh_key_free(struct dh_key *key)
{
	unsigned int	g;

	for (g = 0; g < IKEPERF_GROUP_MAX; g++)
		if (key != NULL && ikeperf_dh_cache[g] == key)
			return;
	__real_dh_key_free(key);
}

/*
 * Called instead of dh_key_public (-Wl,--wrap): encoding a shared key's
 * public value again for every exchange took about 5% of the generator's
 * CPU time with ECP-256 (perf; OpenSSL converts the point to affine
 * coordinates each time).  The value is encoded once and copied.
 */
int
__wrap_dh_key_public(const struct dh_key *key, struct wbuf *out)
{
	unsigned int	g;
	int		rc;

	for (g = 0; g < IKEPERF_GROUP_MAX; g++)
		if (key != NULL && ikeperf_dh_cache[g] == key)
			break;
	if (g == IKEPERF_GROUP_MAX)
		return (__real_dh_key_public(key, out));
	if (ikeperf_dh_pub[g] == NULL) {
		if ((rc = __real_dh_key_public(key, out)) != 0)
			return (rc);
		if ((ikeperf_dh_pub[g] = malloc(out->wb_len)) == NULL)
			return (ERR_NOMEM);
		memcpy(ikeperf_dh_pub[g], out->wb_data, out->wb_len);
		ikeperf_dh_pub_len[g] = out->wb_len;
		return (0);
	}
	wbuf_reset(out);
	return (wbuf_put(out, ikeperf_dh_pub[g], ikeperf_dh_pub_len[g]));
}

/*
 * Called instead of log_info (-Wl,--wrap): without -v the engines'
 * messages about every exchange go nowhere, and formatting and writing
 * them to /dev/null took about 2% of the generator's CPU time in a perf
 * profile.  Warnings and errors are still written to stderr, which is
 * /dev/null without -v.
 */
void
__wrap_log_info(const char *fmt, ...)
{
	char	msg[1536];
	va_list	ap;

	if (!ikeperf_log_info)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__real_log_info("%s", msg);
}

static uint64_t
ikeperf_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

static uint64_t
ikeperf_now_ms(void)
{
	return (ikeperf_now_us() / 1000);
}

static void
ikeperf_addr_str(uint32_t addr, char *buf, size_t len)
{
	struct in_addr	a;

	a.s_addr = htonl(addr);
	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

/* Sends the queued datagrams of one socket. */
static void
ikeperf_txq_flush(struct ikeperf *ip, struct ikeperf_txq *q)
{
	unsigned int	done = 0;
	int		n;

	while (done < q->n) {
		n = sendmmsg(q->fd, q->msgs + done, q->n - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The engine retransmits what got lost. */
			ip->tx_failed += q->n - done;
			break;
		}
		done += (unsigned int)n;
	}
	q->n = 0;
}

static void
ikeperf_flush(struct ikeperf *ip)
{
	ikeperf_txq_flush(ip, ip->txq500);
	ikeperf_txq_flush(ip, ip->txq4500);
}

/*
 * Queues one datagram of an engine, from the local address that the
 * engine chose (IP_PKTINFO), with the non-ESP marker on port 4500
 * (RFC 3948 section 2.2).  The engine's buffer is copied because it may
 * change before the queue is sent.
 */
static int
ikeperf_send(void *arg, const struct ike_packet *pk)
{
	struct ikeperf_slot	*s = arg;
	struct ikeperf		*ip = s->ip;
	const struct sockaddr_in *l = (const struct sockaddr_in *)&pk->pk_local;
	const struct sockaddr_in *r =
	    (const struct sockaddr_in *)&pk->pk_remote;
	struct ikeperf_txq	*q;
	struct in_pktinfo	*pi;
	struct cmsghdr		*cm;
	struct msghdr		*mh;
	size_t			 marker = 0;
	unsigned int		 i;

	if (l->sin_family != AF_INET || r->sin_family != AF_INET)
		return (ERR_INVAL);
	q = ip->txq500;
	if (ntohs(l->sin_port) == 4500 || ntohs(r->sin_port) == 4500) {
		q = ip->txq4500;
		marker = 4;
	}
	if (pk->pk_len > IKEPERF_TX_MAX - marker)
		return (ERR_INVAL);
	if (q->n == IKEPERF_BATCH)
		ikeperf_txq_flush(ip, q);
	i = q->n++;
	memset(q->data[i], 0, marker);
	memcpy(q->data[i] + marker, pk->pk_data, pk->pk_len);
	q->iov[i].iov_base = q->data[i];
	q->iov[i].iov_len = marker + pk->pk_len;
	q->to[i] = *r;
	memset(&q->ctl[i], 0, sizeof(q->ctl[i]));
	mh = &q->msgs[i].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = &q->to[i];
	mh->msg_namelen = sizeof(q->to[i]);
	mh->msg_iov = &q->iov[i];
	mh->msg_iovlen = 1;
	mh->msg_control = q->ctl[i].b;
	mh->msg_controllen = sizeof(q->ctl[i].b);
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)(void *)CMSG_DATA(cm);
	pi->ipi_spec_dst = l->sin_addr;
	return (0);
}

static void
ikeperf_timer(void *arg, uint64_t deadline_ms)
{
	struct ikeperf_slot	*s = arg;

	s->timer_ms = deadline_ms;
}

static int
ikeperf_keepalive(void *arg, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote)
{
	return (0);
}

static void
ikeperf_expire(void *arg, const struct kernel_expire *exp)
{
}

static const struct ike_host ikeperf_host = {
	.ih_send = ikeperf_send,
	.ih_timer_changed = ikeperf_timer,
	.ih_send_keepalive = ikeperf_keepalive,
};

static const struct kernel_callbacks ikeperf_kernel_cb = {
	.kc_expire = ikeperf_expire,
};

/* The three files of one initiator, parsed from memory. */
static struct config *
ikeperf_config(struct ikeperf *ip, uint32_t addr)
{
	const struct ikeperf_opts *o = &ip->o;
	struct config_diag	 diag;
	struct config		*cfg;
	char			 src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	char			 inner[INET_ADDRSTRLEN], text[1024];
	int			 len, rc = 0;
	size_t			 i;

	ikeperf_addr_str(addr, src, sizeof(src));
	ikeperf_addr_str(addr + o->inner_offset, inner, sizeof(inner));
	inet_ntop(AF_INET, &o->target, dst, sizeof(dst));
	if ((cfg = config_new()) == NULL)
		return (NULL);
	diag_init(&diag);
	len = snprintf(text, sizeof(text),
	    "retry_timer_init 1\nretry_timer_max 4\nretry_limit 4\n"
	    "expire_timer 60\np2_pfs %d\n{\n label \"t\"\n local_addr %s\n"
	    " remote_addr %s\n p1_xform { auth_method preshared "
	    "oakley_group %d auth_alg %s encr_alg %s }\n}\n", o->pfs, src,
	    dst, o->group, o->p1_hash, o->p1_encr);
	rc = config_parse_buf(cfg, CONFIG_FILE_IKE, "ikeperf:ike.config",
	    text, (size_t)len, &diag);
	len = snprintf(text, sizeof(text), "{\n localidtype IP\n localid %s\n"
	    " remoteidtype IP\n remoteid %s\n key \"%s\"\n}\n", src, dst,
	    o->psk);
	if (rc == 0)
		rc = config_parse_buf(cfg, CONFIG_FILE_PRESHARED,
		    "ikeperf:ike.preshared", text, (size_t)len, &diag);
	len = snprintf(text, sizeof(text), "{ tsrc %s tdst %s laddr %s/32 "
	    "raddr %s/32 } ipsec { %s }\n", src, dst, inner, o->target_inner,
	    o->esp);
	if (rc == 0)
		rc = config_parse_buf(cfg, CONFIG_FILE_IPSECINIT,
		    "ikeperf:ipsecinit.conf", text, (size_t)len, &diag);
	if (rc == 0)
		rc = config_validate(cfg, &diag);
	for (i = 0; i < diag_count(&diag); i++)
		fprintf(ip->out, "ikeperf: config: %s\n", diag.cd_msgs[i]);
	diag_free(&diag);
	if (rc != 0) {
		config_free(cfg);
		return (NULL);
	}
	return (cfg);
}

/* Converts an IPv4 address in host order to a config_ip. */
static void
ikeperf_config_ip(struct config_ip *ci, uint32_t addr)
{
	uint32_t	be = htonl(addr);

	memset(ci, 0, sizeof(*ci));
	ci->family = AF_INET;
	memcpy(ci->addr, &be, sizeof(be));
}

/*
 * Moves a configuration that ikeperf_config() made for another source
 * address to addr.  Only the rule's local_addr, the preshared entry's
 * localid and the policy's tsrc and laddr depend on it.  Changing them in
 * place costs far less than parsing the three files again, which took
 * about a seventh of the generator's CPU time per tunnel in a perf
 * profile (Curve25519 + PFS).  ikeperf_config_check() compares the result
 * with a parsed configuration at startup.
 */
static int
ikeperf_config_move(const struct ikeperf *ip, struct config *cfg,
    uint32_t addr)
{
	struct config_range	*r;
	struct config_ip	 src, inner;

	if (cfg->cf_nrules != 1 || cfg->cf_rules[0].cr_local.n != 1 ||
	    cfg->cf_npsks != 1 || cfg->cf_nspds != 1)
		return (ERR_STATE);
	ikeperf_config_ip(&src, addr);
	ikeperf_config_ip(&inner, addr + ip->o.inner_offset);
	r = &cfg->cf_rules[0].cr_local.ranges[0];
	r->lo = r->hi = src;
	r = &cfg->cf_psks[0].ps_local.pi_range;
	r->lo = r->hi = src;
	cfg->cf_spds[0].sd_tsrc = src;
	r = &cfg->cf_spds[0].sd_laddr;
	r->lo = r->hi = inner;
	return (0);
}

/* Writes the effective configuration, keys included, to a new string. */
static char *
ikeperf_config_text(const struct config *cfg)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return (NULL);
	config_print(f, cfg);
	(void)config_write_preshared(f, cfg);
	if (fclose(f) != 0) {
		free(buf);
		return (NULL);
	}
	return (buf);
}

/* Returns whether two configurations hold the same addresses, byte for byte. */
static int
ikeperf_config_same_addrs(const struct config *a, const struct config *b)
{
	return (memcmp(&a->cf_rules[0].cr_local.ranges[0],
	    &b->cf_rules[0].cr_local.ranges[0],
	    sizeof(struct config_range)) == 0 &&
	    memcmp(&a->cf_psks[0].ps_local.pi_range,
	    &b->cf_psks[0].ps_local.pi_range,
	    sizeof(struct config_range)) == 0 &&
	    memcmp(&a->cf_spds[0].sd_tsrc, &b->cf_spds[0].sd_tsrc,
	    sizeof(struct config_ip)) == 0 &&
	    memcmp(&a->cf_spds[0].sd_laddr, &b->cf_spds[0].sd_laddr,
	    sizeof(struct config_range)) == 0);
}

/*
 * Checks that ikeperf_config_move() from the first source address to the
 * last gives what parsing the files for the last one gives, so that a
 * reused configuration makes an initiator send what a parsed one would.
 * Returns 0, or ERR_CONFIG after printing why.
 */
static int
ikeperf_config_check(struct ikeperf *ip)
{
	struct config	*moved, *parsed;
	uint32_t	 last = ip->o.src_base + ip->o.src_count - 1;
	char		*tm = NULL, *tp = NULL;
	int		 rc = ERR_CONFIG;

	moved = ikeperf_config(ip, ip->o.src_base);
	parsed = ikeperf_config(ip, last);
	if (moved != NULL && parsed != NULL &&
	    ikeperf_config_move(ip, moved, last) == 0 &&
	    (tm = ikeperf_config_text(moved)) != NULL &&
	    (tp = ikeperf_config_text(parsed)) != NULL &&
	    strcmp(tm, tp) == 0 && ikeperf_config_same_addrs(moved, parsed))
		rc = 0;
	else if (moved != NULL && parsed != NULL)
		fprintf(ip->out, "ikeperf: a configuration moved to another "
		    "source address differs from the parsed one; the "
		    "generator's template in ikeperf_config() and "
		    "ikeperf_config_move() must change together\n");
	free(tm);
	free(tp);
	config_free(moved);
	config_free(parsed);
	return (rc);
}

/*
 * Drops the SAs of a finished tunnel without sending a Delete, as a peer
 * that goes away would.  The slot keeps its engine for the next tunnel
 * because a new engine clears about 2 MB of hash tables with its first
 * SA, which took more CPU than the exchange itself in a perf profile.
 */
static void
ikeperf_engine_clear(struct ike_engine *eng)
{
	ike_engine_free_all(eng);
	ike_qm_backoff_clear(eng);
}

static void
ikeperf_slot_end(struct ikeperf_slot *s, int ok, uint64_t now_us)
{
	struct ikeperf	*ip = s->ip;

	/* ok < 0: the caller counted the result already. */
	if (ok == 0)
		ip->failed++;
	ikeperf_engine_clear(s->eng);
	ip->by_addr[s->addr - ip->o.src_base] = NULL;
	s->busy = 0;
	s->timer_ms = 0;
	ip->active--;
}

/*
 * Done once the initiator installed its IPsec SA pair.  With extra
 * Quick Modes, each further pair is negotiated on the same ISAKMP SA,
 * which times the responder's handling of a message for an existing SA.
 */
static void
ikeperf_slot_check(struct ikeperf_slot *s)
{
	struct ikeperf		*ip = s->ip;
	struct ike_stats	 st;
	uint64_t		 now_us;

	ike_engine_get_stats(s->eng, &st);
	st.st_p2_installed -= s->p2_base;
	st.st_p1_fail_init -= s->fail_base;
	if (st.st_p2_installed > s->p2_seen) {
		now_us = ikeperf_now_us();
		if (s->p2_seen > 0)
			ip->qm_us[ip->qm_ok++] =
			    (uint32_t)(now_us - s->qm_start_us);
		else
			ip->lat_us[ip->ok++] =
			    (uint32_t)(now_us - s->start_us);
		s->p2_seen = st.st_p2_installed;
		if (s->qm_left > 0) {
			s->qm_left--;
			s->qm_start_us = now_us;
			if (ike_engine_initiate(s->eng, "t",
			    now_us / 1000) == 0)
				return;
			ip->failed++;
		}
		ikeperf_slot_end(s, -1, now_us);
		return;
	}
	if (st.st_p1_fail_init > 0)
		ikeperf_slot_end(s, 0, ikeperf_now_us());
}

static int
ikeperf_slot_start(struct ikeperf *ip, struct ikeperf_slot *s)
{
	struct ike_stats st;
	struct config	*cfg;
	uint32_t	 idx;
	unsigned int	 tries;
	uint64_t	 now = ikeperf_now_ms();

	/* The next source address that no exchange in flight uses. */
	for (tries = 0; tries < ip->own_count; tries++) {
		idx = ip->worker + ip->next_addr * ip->o.workers;
		ip->next_addr = (ip->next_addr + 1) % ip->own_count;
		if (ip->by_addr[idx] == NULL)
			break;
	}
	if (tries == ip->own_count)
		return (ERR_STATE);
	s->addr = ip->o.src_base + idx;
	/* The engine keeps the configuration of the slot's last tunnel. */
	cfg = NULL;
	if (s->eng->e_cfg != NULL) {
		if (ikeperf_config_move(ip, s->eng->e_cfg, s->addr) != 0)
			return (ERR_CONFIG);
	} else if ((cfg = ikeperf_config(ip, s->addr)) == NULL)
		return (ERR_CONFIG);
	ike_engine_get_stats(s->eng, &st);
	s->p2_base = st.st_p2_installed;
	s->fail_base = st.st_p1_fail_init;
	s->busy = 1;
	s->timer_ms = 0;
	s->p2_seen = 0;
	s->qm_left = ip->o.extra_qm;
	s->start_us = ikeperf_now_us();
	s->give_up_ms = now + ip->o.timeout_ms;
	ip->by_addr[idx] = s;
	ip->active++;
	ip->started++;
	if ((cfg != NULL && ike_engine_set_config(s->eng, cfg, now) != 0) ||
	    ike_engine_initiate(s->eng, "t", now) != 0)
		ikeperf_slot_end(s, 0, ikeperf_now_us());
	return (0);
}

static int
ikeperf_socket(uint16_t port, int shared)
{
	struct sockaddr_in	sin;
	int			fd, on = 1, sz = 4 << 20;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) < 0)
		return (-1);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (shared &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) != 0)
		goto fail;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		goto fail;
	return (fd);
fail:
	close(fd);
	return (-1);
}

/* Feeds one received datagram to the engine of its local address. */
static void
ikeperf_input(struct ikeperf *ip, struct mmsghdr *m, uint16_t port)
{
	struct msghdr		*mh = &m->msg_hdr;
	const uint8_t		*buf = mh->msg_iov->iov_base;
	struct sockaddr_in	*loc;
	struct ikeperf_slot	*s;
	struct ike_packet	 pk;
	struct cmsghdr		*cm;
	uint32_t		 dst = 0, idx;
	size_t			 n = m->msg_len, skip = 0;

	if (mh->msg_flags & MSG_TRUNC) {
		ip->rx_truncated++;
		return;
	}
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO)
			dst = ntohl(((struct in_pktinfo *)(void *)
			    CMSG_DATA(cm))->ipi_addr.s_addr);
	if (port == 4500) {
		/* Keepalives and ESP have no zero marker. */
		if (n < 8 || buf[0] != 0 || buf[1] != 0 || buf[2] != 0 ||
		    buf[3] != 0)
			return;
		skip = 4;
	}
	idx = dst - ip->o.src_base;
	if (dst < ip->o.src_base || idx >= ip->o.src_count ||
	    (s = ip->by_addr[idx]) == NULL)
		return;
	memset(&pk, 0, sizeof(pk));
	loc = (struct sockaddr_in *)&pk.pk_local;
	loc->sin_family = AF_INET;
	loc->sin_port = htons(port);
	loc->sin_addr.s_addr = htonl(dst);
	memcpy(&pk.pk_remote, mh->msg_name, sizeof(struct sockaddr_in));
	pk.pk_data = buf + skip;
	pk.pk_len = n - skip;
	ike_engine_input(s->eng, &pk, ikeperf_now_ms());
	ikeperf_slot_check(s);
}

/*
 * Reads every waiting datagram of one socket, a batch per recvmmsg call,
 * feeds each to its engine and sends the replies of each batch.
 */
static void
ikeperf_recv(struct ikeperf *ip, int fd, uint16_t port)
{
	struct ikeperf_rxq	*q = ip->rxq;
	struct msghdr		*mh;
	unsigned int		 i;
	int			 n;

	do {
		for (i = 0; i < IKEPERF_BATCH; i++) {
			q->iov[i].iov_base = q->data[i];
			q->iov[i].iov_len = IKEPERF_RX_MAX;
			mh = &q->msgs[i].msg_hdr;
			memset(mh, 0, sizeof(*mh));
			mh->msg_name = &q->from[i];
			mh->msg_namelen = sizeof(q->from[i]);
			mh->msg_iov = &q->iov[i];
			mh->msg_iovlen = 1;
			mh->msg_control = q->ctl[i].b;
			mh->msg_controllen = sizeof(q->ctl[i].b);
		}
		if ((n = recvmmsg(fd, q->msgs, IKEPERF_BATCH, 0, NULL)) <= 0)
			return;
		for (i = 0; i < (unsigned int)n; i++)
			ikeperf_input(ip, &q->msgs[i], port);
		ikeperf_flush(ip);
	} while (n == IKEPERF_BATCH);
}

/* Run the timers and give-ups that are due; return the next deadline. */
static uint64_t
ikeperf_timers(struct ikeperf *ip, uint64_t now)
{
	struct ikeperf_slot	*s;
	uint64_t		 next = now + 50;
	unsigned int		 i;

	for (i = 0; i < ip->o.concurrency; i++) {
		s = &ip->slots[i];
		if (!s->busy)
			continue;
		if (now >= s->give_up_ms) {
			ikeperf_slot_end(s, 0, ikeperf_now_us());
			continue;
		}
		if (s->timer_ms != 0 && now >= s->timer_ms) {
			s->timer_ms = ike_engine_run_timers(s->eng, now);
			ikeperf_slot_check(s);
			if (!s->busy)
				continue;
		}
		if (s->timer_ms != 0 && s->timer_ms < next)
			next = s->timer_ms;
		if (s->give_up_ms < next)
			next = s->give_up_ms;
	}
	return (next);
}

/* utime+stime in seconds and VmRSS in kB of a process; 0 on error. */
static void
ikeperf_proc(int pid, double *cpu, long *rss_kb)
{
	char		 path[64], buf[4096], *p;
	unsigned long	 ut = 0, st = 0;
	FILE		*f;
	ssize_t		 n;
	int		 fd, field;

	*cpu = 0;
	*rss_kb = 0;
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fd = open(path, O_RDONLY)) >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			/* Fields after the command name, which may hold spaces. */
			if ((p = strrchr(buf, ')')) != NULL) {
				field = 2;
				for (p = strtok(p + 1, " "); p != NULL;
				    p = strtok(NULL, " ")) {
					field++;
					if (field == 14)
						ut = strtoul(p, NULL, 10);
					if (field == 15) {
						st = strtoul(p, NULL, 10);
						break;
					}
				}
			}
		}
		*cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	}
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(buf, sizeof(buf), f) != NULL)
			if (strncmp(buf, "VmRSS:", 6) == 0)
				*rss_kb = strtol(buf + 6, NULL, 10);
		fclose(f);
	}
}

static int
ikeperf_cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

static double
ikeperf_pct(const uint32_t *v, unsigned int n, double pct)
{
	size_t	i;

	if (n == 0)
		return (0);
	i = (size_t)(pct / 100.0 * (double)(n - 1) + 0.5);
	return ((double)v[i] / 1000.0);
}

static double
ikeperf_self_cpu(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

/* Runs the tunnels of one process and returns 0, or 1 after a fatal error. */
static int
ikeperf_loop(struct ikeperf *ip)
{
	struct pollfd	 pfd[2];
	uint64_t	 t0, now, next;
	unsigned int	 i;
	int		 timeout;

	t0 = ikeperf_now_us();
	pfd[0].fd = ip->txq500->fd = ip->fd500;
	pfd[1].fd = ip->txq4500->fd = ip->fd4500;
	pfd[0].events = pfd[1].events = POLLIN;
	while (ip->started < ip->o.total || ip->active > 0) {
		if (ip->o.limit_s > 0 &&
		    ikeperf_now_us() - t0 > (uint64_t)ip->o.limit_s * 1000000)
			ip->o.total = ip->started;
		for (i = 0; i < ip->o.concurrency &&
		    ip->started < ip->o.total; i++)
			if (!ip->slots[i].busy &&
			    ikeperf_slot_start(ip, &ip->slots[i]) ==
			    ERR_CONFIG)
				return (1);
		now = ikeperf_now_ms();
		next = ikeperf_timers(ip, now);
		now = ikeperf_now_ms();
		timeout = next > now ? (int)(next - now) : 0;
		ikeperf_flush(ip);
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			return (1);
		if (pfd[0].revents & POLLIN)
			ikeperf_recv(ip, ip->fd500, 500);
		if (pfd[1].revents & POLLIN)
			ikeperf_recv(ip, ip->fd4500, 4500);
	}
	ikeperf_flush(ip);
	return (0);
}

/* Prints the result line and returns the exit status. */
static int
ikeperf_report(struct ikeperf *ip, uint64_t t0, double cpu0, long rss0,
    double gen_cpu)
{
	uint64_t	t1;
	double		cpu1 = 0;
	long		rss1 = 0;

	t1 = ikeperf_now_us();
	ikeperf_proc(ip->o.resp_pid, &cpu1, &rss1);
	qsort(ip->lat_us, ip->ok, sizeof(ip->lat_us[0]), ikeperf_cmp_u32);
	qsort(ip->qm_us, ip->qm_ok, sizeof(ip->qm_us[0]), ikeperf_cmp_u32);
	fprintf(ip->out, "ikeperf: ok=%u fail=%u wall_s=%.3f rate=%.1f "
	    "p50_ms=%.2f p99_ms=%.2f resp_cpu_s=%.2f resp_rss_kb_start=%ld "
	    "resp_rss_kb_end=%ld gen_cpu_s=%.3f gen_cpu_ms_per_tunnel=%.4f "
	    "qm_ok=%u qm_p50_ms=%.3f qm_p99_ms=%.3f tx_failed=%u "
	    "rx_truncated=%u\n", ip->ok, ip->failed,
	    (double)(t1 - t0) / 1e6,
	    ip->ok / ((double)(t1 - t0) / 1e6),
	    ikeperf_pct(ip->lat_us, ip->ok, 50),
	    ikeperf_pct(ip->lat_us, ip->ok, 99), cpu1 - cpu0, rss0, rss1,
	    gen_cpu, ip->ok > 0 ? gen_cpu * 1000 / ip->ok : 0, ip->qm_ok,
	    ikeperf_pct(ip->qm_us, ip->qm_ok, 50),
	    ikeperf_pct(ip->qm_us, ip->qm_ok, 99), ip->tx_failed,
	    ip->rx_truncated);
	return (ip->failed == 0 ? 0 : 2);
}

static int
ikeperf_run(struct ikeperf *ip)
{
	uint64_t	t0;
	double		cpu0, self0;
	long		rss0;

	ikeperf_proc(ip->o.resp_pid, &cpu0, &rss0);
	self0 = ikeperf_self_cpu();
	t0 = ikeperf_now_us();
	if (ikeperf_loop(ip) != 0)
		return (1);
	return (ikeperf_report(ip, t0, cpu0, rss0,
	    ikeperf_self_cpu() - self0));
}

static void
ikeperf_usage(void)
{
	fprintf(stderr, "usage: ikeperf -t RESPONDER [-T INNER] "
	    "[-s FIRST_SRC] [-a N_ADDRS]\n"
	    "               [-n TUNNELS] [-c IN_FLIGHT] [-g GROUP] "
	    "[-f PFS_GROUP]\n"
	    "               [-e P1_ENCR] [-h P1_HASH] [-E ESP_PROPS] "
	    "[-k PSK] [-w TIMEOUT_MS]\n"
	    "               [-i INNER_OFFSET] [-q EXTRA_QM] [-L SECONDS] "
	    "[-P PID] [-W WORKERS] [-F] [-v]\n");
	exit(64);
}

static int
ikeperf_parse_addr(const char *s, uint32_t *out)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return (ERR_INVAL);
	*out = ntohl(a.s_addr);
	return (0);
}

static void
ikeperf_opts(struct ikeperf_opts *o, int argc, char **argv)
{
	uint32_t	a;
	int		ch;

	memset(o, 0, sizeof(*o));
	(void)ikeperf_parse_addr("198.18.0.1", &o->src_base);
	o->src_count = 1000;
	o->inner_offset = 0x10000;	/* 198.18.x.y -> 198.19.x.y */
	o->target_inner = "203.0.113.1";
	o->total = 100;
	o->concurrency = 16;
	o->group = 14;
	o->pfs = 14;
	o->p1_encr = "aes(128..128)";
	o->p1_hash = "sha256";
	o->esp = "encr_algs aes(128) encr_auth_algs hmac-sha256 sa shared";
	o->psk = "ikeperf-psk-0123456789";
	o->timeout_ms = 20000;
	o->reuse_dh = 1;
	o->workers = 1;
	while ((ch = getopt(argc, argv, "a:c:e:E:f:Fg:h:i:k:L:n:P:q:s:t:T:vw:W:"))
	    != -1) {
		switch (ch) {
		case 'a': o->src_count = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'c': o->concurrency = (unsigned)atoi(optarg); break;
		case 'e': o->p1_encr = optarg; break;
		case 'E': o->esp = optarg; break;
		case 'f': o->pfs = atoi(optarg); break;
		case 'F': o->reuse_dh = 0; break;
		case 'g': o->group = atoi(optarg); break;
		case 'h': o->p1_hash = optarg; break;
		case 'i': o->inner_offset = (uint32_t)strtoul(optarg, NULL,
		    0);
			break;
		case 'k': o->psk = optarg; break;
		case 'n': o->total = (unsigned)atoi(optarg); break;
		case 'L': o->limit_s = (unsigned)atoi(optarg); break;
		case 'q': o->extra_qm = (unsigned)atoi(optarg); break;
		case 'P': o->resp_pid = atoi(optarg); break;
		case 's':
			if (ikeperf_parse_addr(optarg, &o->src_base) != 0)
				ikeperf_usage();
			break;
		case 't':
			if (ikeperf_parse_addr(optarg, &a) != 0)
				ikeperf_usage();
			o->target.s_addr = htonl(a);
			break;
		case 'T': o->target_inner = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'w': o->timeout_ms = (unsigned)atoi(optarg); break;
		case 'W': o->workers = (unsigned)atoi(optarg); break;
		default: ikeperf_usage();
		}
	}
	if (o->target.s_addr == 0 || o->concurrency == 0 ||
	    o->src_count < o->concurrency)
		ikeperf_usage();
	if (o->workers < 1 || o->workers > IKEPERF_WORKERS_MAX ||
	    o->workers > o->concurrency) {
		fprintf(stderr, "ikeperf: invalid worker count %u: give 1 to "
		    "%d and no more than the exchanges in flight (-c %u)\n",
		    o->workers, IKEPERF_WORKERS_MAX, o->concurrency);
		exit(64);
	}
}

/* Returns worker k's share of n, spread as evenly as possible. */
static unsigned int
ikeperf_share(unsigned int n, unsigned int k, unsigned int workers)
{
	return (n / workers + (k < n % workers ? 1 : 0));
}

/*
 * Sends each datagram to the socket of the worker that owns its
 * destination address, (address - first) % workers, through a classic
 * BPF program on the SO_REUSEPORT group.  Its return value indexes the
 * group's sockets in the order they were bound.
 */
static int
ikeperf_steer(int fd, uint32_t base, unsigned int workers)
{
	struct sock_filter	code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 16),
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, base),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, workers),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog	prog;

	prog.len = sizeof(code) / sizeof(code[0]);
	prog.filter = code;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
	    sizeof(prog)) != 0)
		return (ERR_SYSTEM);
	return (0);
}

/*
 * Makes a slot's engine and its none kernel backend before the run
 * starts.  The engine's hash tables (about 2 MB) are allocated and
 * written here too, not with its first SAs.  Faulting in their pages
 * for every slot during the run took about a tenth of the generator's
 * CPU time in a run of 1,500 tunnels (perf stat: about 13,000 page
 * faults).
 */
static int
ikeperf_slot_prepare(struct ikeperf *ip, struct ikeperf_slot *s)
{
	s->ip = ip;
	if (kernel_open(&s->kern, KERNEL_BACKEND_NONE, NULL,
	    &ikeperf_kernel_cb, s, NULL) != 0)
		return (ERR_NOMEM);
	if ((s->eng = ike_engine_new(&ikeperf_host, s, s->kern)) == NULL)
		return (ERR_NOMEM);
	if (ike_tables_init(s->eng) != 0)
		return (ERR_NOMEM);
	/* Each new cookie lands in another page of the table. */
	memset(s->eng->e_p1_hash, 0, IKE_P1_BUCKETS *
	    sizeof(*s->eng->e_p1_hash));
	memset(s->eng->e_peer_hash, 0, IKE_P1_BUCKETS *
	    sizeof(*s->eng->e_peer_hash));
	return (0);
}

/* Sets up the slots and buffers of one process. */
static int
ikeperf_alloc(struct ikeperf *ip)
{
	unsigned int	i;

	ip->slots = calloc(ip->o.concurrency, sizeof(*ip->slots));
	ip->by_addr = calloc(ip->o.src_count, sizeof(*ip->by_addr));
	ip->txq500 = calloc(1, sizeof(*ip->txq500));
	ip->txq4500 = calloc(1, sizeof(*ip->txq4500));
	ip->rxq = calloc(1, sizeof(*ip->rxq));
	if (ip->lat_us == NULL)
		ip->lat_us = calloc(ip->o.total + 1, sizeof(*ip->lat_us));
	if (ip->qm_us == NULL)
		ip->qm_us = calloc((size_t)ip->o.total * ip->o.extra_qm + 1,
		    sizeof(*ip->qm_us));
	if (ip->slots == NULL || ip->by_addr == NULL || ip->lat_us == NULL ||
	    ip->qm_us == NULL || ip->txq500 == NULL || ip->txq4500 == NULL ||
	    ip->rxq == NULL) {
		fprintf(ip->out, "ikeperf: out of memory\n");
		return (ERR_NOMEM);
	}
	for (i = 0; i < ip->o.concurrency; i++)
		if (ikeperf_slot_prepare(ip, &ip->slots[i]) != 0) {
			fprintf(ip->out, "ikeperf: out of memory\n");
			return (ERR_NOMEM);
		}
	return (0);
}

/* Runs worker k in a child process, which never returns. */
static void
ikeperf_worker(struct ikeperf *ip, unsigned int k, const int *fds,
    struct ikeperf_result *res, uint32_t *lat, uint32_t *qm)
{
	unsigned int	w = ip->o.workers, i;

	for (i = 0; i < 2 * w; i++)
		if (i != k && i != w + k)
			close(fds[i]);
	ip->fd500 = fds[k];
	ip->fd4500 = fds[w + k];
	ip->worker = k;
	ip->own_count = ikeperf_share(ip->o.src_count, k, w);
	ip->lat_us = lat + (size_t)k * (ip->o.total + 1);
	ip->qm_us = qm + (size_t)k * ((size_t)ip->o.total * ip->o.extra_qm + 1);
	ip->o.total = ikeperf_share(ip->o.total, k, w);
	ip->o.concurrency = ikeperf_share(ip->o.concurrency, k, w);
	if (ikeperf_alloc(ip) != 0 || ikeperf_loop(ip) != 0)
		_exit(1);
	res[k].ok = ip->ok;
	res[k].failed = ip->failed;
	res[k].qm_ok = ip->qm_ok;
	res[k].tx_failed = ip->tx_failed;
	res[k].rx_truncated = ip->rx_truncated;
	_exit(0);
}

/* Appends n values of src to the merged array at *at. */
static void
ikeperf_merge(uint32_t *dst, unsigned int *at, const uint32_t *src,
    unsigned int n)
{
	memcpy(dst + *at, src, (size_t)n * sizeof(*src));
	*at += n;
}

/*
 * Runs the load in o.workers processes, each with its own pair of
 * sockets and every workers-th source address, and prints one merged
 * result line with the CPU time of all of them.
 */
static int
ikeperf_run_workers(struct ikeperf *ip)
{
	unsigned int		 w = ip->o.workers, k, failed_workers = 0;
	size_t			 lat_n, qm_n;
	struct ikeperf_result	*res;
	struct rusage		 ru;
	uint32_t		*lat, *qm;
	uint64_t		 t0;
	double			 cpu0, self0;
	long			 rss0;
	int			 fds[2 * IKEPERF_WORKERS_MAX], status;
	pid_t			 pids[IKEPERF_WORKERS_MAX];

	lat_n = (size_t)w * (ip->o.total + 1);
	qm_n = (size_t)w * ((size_t)ip->o.total * ip->o.extra_qm + 1);
	res = mmap(NULL, w * sizeof(*res) + (lat_n + qm_n) * sizeof(*lat),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		fprintf(ip->out, "ikeperf: out of memory\n");
		return (1);
	}
	memset(res, 0, w * sizeof(*res));
	lat = (uint32_t *)(void *)(res + w);
	qm = lat + lat_n;
	for (k = 0; k < 2 * w; k++)
		if ((fds[k] = ikeperf_socket(k < w ? 500 : 4500, 1)) < 0) {
			fprintf(ip->out, "ikeperf: cannot bind UDP ports 500 "
			    "and 4500: %s; run it as root in its own "
			    "namespace\n", strerror(errno));
			return (1);
		}
	if (ikeperf_steer(fds[0], ip->o.src_base, w) != 0 ||
	    ikeperf_steer(fds[w], ip->o.src_base, w) != 0) {
		fprintf(ip->out, "ikeperf: cannot attach the reuseport "
		    "filter: %s; use -W 1\n", strerror(errno));
		return (1);
	}
	ikeperf_proc(ip->o.resp_pid, &cpu0, &rss0);
	self0 = ikeperf_self_cpu();
	t0 = ikeperf_now_us();
	fflush(NULL);
	for (k = 0; k < w; k++) {
		if ((pids[k] = fork()) < 0) {
			fprintf(ip->out, "ikeperf: fork failed: %s\n",
			    strerror(errno));
			return (1);
		}
		if (pids[k] == 0)
			ikeperf_worker(ip, k, fds, res, lat, qm);
	}
	for (k = 0; k < 2 * w; k++)
		close(fds[k]);
	for (k = 0; k < w; k++)
		if (waitpid(pids[k], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed_workers++;
	if (failed_workers > 0) {
		fprintf(ip->out, "ikeperf: %u of %u workers failed\n",
		    failed_workers, w);
		return (1);
	}
	if ((ip->lat_us = calloc(ip->o.total + 1, sizeof(*lat))) == NULL ||
	    (ip->qm_us = calloc((size_t)ip->o.total * ip->o.extra_qm + 1,
	    sizeof(*qm))) == NULL) {
		fprintf(ip->out, "ikeperf: out of memory\n");
		return (1);
	}
	for (k = 0; k < w; k++) {
		ikeperf_merge(ip->lat_us, &ip->ok,
		    lat + (size_t)k * (ip->o.total + 1), res[k].ok);
		ikeperf_merge(ip->qm_us, &ip->qm_ok, qm + (size_t)k *
		    ((size_t)ip->o.total * ip->o.extra_qm + 1), res[k].qm_ok);
		ip->failed += res[k].failed;
		ip->tx_failed += res[k].tx_failed;
		ip->rx_truncated += res[k].rx_truncated;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	return (ikeperf_report(ip, t0, cpu0, rss0, ikeperf_self_cpu() -
	    self0 + (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6));
}

int
main(int argc, char **argv)
{
	struct ikeperf	ip;
	int		null;

	memset(&ip, 0, sizeof(ip));
	ikeperf_opts(&ip.o, argc, argv);
	ikeperf_dh_reuse = ip.o.reuse_dh;
	ikeperf_log_info = ip.o.verbose;
	ip.out = stdout;
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("ikeperf", LOG_DEST_STDERR);
	/* The engines log every exchange; keep that off the terminal. */
	if (!ip.o.verbose && (null = open("/dev/null", O_WRONLY)) >= 0) {
		dup2(null, 2);
		close(null);
	}
	if (crypto_init() != 0) {
		fprintf(ip.out, "ikeperf: the crypto module did not start\n");
		return (1);
	}
	if (ikeperf_config_check(&ip) != 0)
		return (1);
	if (ip.o.workers > 1)
		return (ikeperf_run_workers(&ip));
	ip.own_count = ip.o.src_count;
	if (ikeperf_alloc(&ip) != 0)
		return (1);
	if ((ip.fd500 = ikeperf_socket(500, 0)) < 0 ||
	    (ip.fd4500 = ikeperf_socket(4500, 0)) < 0) {
		fprintf(ip.out, "ikeperf: cannot bind UDP ports 500 and 4500: "
		    "%s; run it as root in its own namespace\n",
		    strerror(errno));
		return (1);
	}
	return (ikeperf_run(&ip));
}
