/*
 * The userspace backend: SA and policy tables, routes, lifetimes and
 * acquires.  The packet paths are in user_io.c.
 */
#include <sys/random.h>
#include <netinet/in.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "kernel/tun.h"
#include "kernel/user.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

/*
 * Ethernet's 1500 minus the largest overhead, 121 bytes: IPv6, UDP, ESP
 * header, AES-CBC IV and padding, HMAC-SHA-512 ICV.
 */
#define USER_TUN_MTU		1376
#define USER_LARVAL_MS		(120 * 1000)	/* unused get_spi reservation */
#define USER_ACQUIRE_RETRY_MS	(3 * 1000)
/*
 * SAs (larval ones included) the backend holds: 131,072 pairs, beyond
 * the 100,000 ISAKMP SAs with one pair each that in.iked is sized for,
 * and a bound on the memory that negotiating peers can make it spend.
 */
#define USER_MAX_SAS		262144
/*
 * Metric of the prohibit route that backs each route into the TUN
 * device.  It is worse than that of the TUN route (0 for IPv4, 1024 for
 * IPv6), so it decides only while the TUN route is missing.
 */
#define USER_PROHIBIT_METRIC	0x7fffffffU

static struct kernel_user *
user_state(const struct kernel *k)
{
	return (k->k_priv);
}

uint64_t
user_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

static const struct kernel_sa *
user_sa_kernel(const struct user_sa *us)
{
	return (&us->us_esp.es_rec.r_sa);
}

/*
 * Route table maintenance: one reference per outbound policy.
 *
 * Each route of a protected prefix into the TUN device has a prohibit
 * route to the same prefix with a worse metric.  When in.iked dies, the
 * TUN device and its routes go, but the prohibit routes stay, so packets
 * that a policy requires to be protected fail instead of leaving in the
 * clear through the main table.  Table k_route_table belongs to in.iked:
 * a new in.iked takes over the prohibit and throw routes of the prefixes
 * it routes again (user_route_add) and deletes the others once its
 * policies are loaded (user_started).
 */

static void
user_route_fill(struct kernel_user *ku, const struct user_route *ur,
    uint8_t type, struct rtnl_route *rr)
{
	memset(rr, 0, sizeof(*rr));
	rr->rr_family = ur->ur_family;
	rr->rr_dst = ur->ur_dst;
	rr->rr_prefix = ur->ur_prefix;
	rr->rr_table = ku->ku_k->k_route_table;
	rr->rr_type = type;
	if (type == RTN_UNICAST)
		rr->rr_ifindex = ku->ku_ifindex;
	if (type == RTN_PROHIBIT)
		rr->rr_metric = USER_PROHIBIT_METRIC;
}

static unsigned int
user_route_hash(int family, const uint8_t *dst, uint8_t prefix, int bypass)
{
	uint8_t		b[3];
	uint32_t	h;

	b[0] = (uint8_t)family;
	b[1] = prefix;
	b[2] = (uint8_t)bypass;
	h = util_fnv32(UTIL_FNV32_INIT, b, sizeof(b));
	h = util_fnv32(h, dst, 16);
	return (h % USER_SPI_BUCKETS);
}

static void
user_route_delete(struct kernel_user *ku, const struct user_route *ur,
    uint8_t type)
{
	struct rtnl_route	rr;

	user_route_fill(ku, ur, type, &rr);
	/* The TUN route is gone already when the TUN device was removed. */
	if (rtnl_route(&ku->ku_rtnl, 0, &rr) != 0 && errno != ESRCH &&
	    errno != ENODEV)
		log_warn("cannot delete a route in table %u: %s",
		    ku->ku_k->k_route_table, strerror(errno));
}

/* The route to a prefix of ku_routes; dst has 16 bytes. */
static struct user_route *
user_route_find(struct kernel_user *ku, int family, const uint8_t *dst,
    uint8_t prefix, int bypass)
{
	struct user_route	*ur;

	ur = ku->ku_routes[user_route_hash(family, dst, prefix, bypass)];
	for (; ur != NULL; ur = ur->ur_next) {
		if (ur->ur_family == family && ur->ur_prefix == prefix &&
		    ur->ur_throw == bypass &&
		    memcmp(ur->ur_dst, dst, sizeof(ur->ur_dst)) == 0)
			return (ur);
	}
	return (NULL);
}

/*
 * Add route rr of ur.  An equal route that is there already is taken
 * over when no loaded policy routes that prefix: it was left by an
 * earlier in.iked.  The route into the TUN device and a throw route to
 * the same prefix have the same metric, so while one of them is loaded
 * the other fails with EEXIST instead of replacing it.
 */
static int
user_route_add(struct kernel_user *ku, struct user_route *ur,
    struct rtnl_route *rr)
{
	if (rtnl_route(&ku->ku_rtnl, 1, rr) == 0)
		return (0);
	if (errno != EEXIST || (rr->rr_type != RTN_PROHIBIT &&
	    user_route_find(ku, ur->ur_family, ur->ur_dst, ur->ur_prefix,
	    !ur->ur_throw) != NULL))
		return (ERR_SYSTEM);
	rr->rr_replace = 1;
	if (rtnl_route(&ku->ku_rtnl, 1, rr) != 0)
		return (ERR_SYSTEM);
	/* The route into the TUN device goes with the device. */
	if (rr->rr_type != RTN_UNICAST)
		ur->ur_found = 1;
	return (0);
}

/*
 * Delete a prohibit or throw route, unless the backend closes before
 * the daemon started and an earlier in.iked left the route.
 */
static void
user_route_drop(struct kernel_user *ku, const struct user_route *ur,
    uint8_t type)
{
	if (!ur->ur_found || ku->ku_running)
		user_route_delete(ku, ur, type);
}

static int
user_route_install(struct kernel_user *ku, struct user_route *ur,
    const struct kernel_policy *pol)
{
	struct rtnl_route	rr;
	uint8_t			src[16];
	int			r, saved;

	if (ur->ur_throw) {
		user_route_fill(ku, ur, RTN_THROW, &rr);
		return (user_route_add(ku, ur, &rr));
	}
	user_route_fill(ku, ur, RTN_PROHIBIT, &rr);
	if ((r = user_route_add(ku, ur, &rr)) != 0)
		return (r);
	user_route_fill(ku, ur, RTN_UNICAST, &rr);
	/* A single local inner address becomes the preferred source. */
	if (pol->pol_sel.sel_src_prefix ==
	    (ur->ur_family == AF_INET ? 32 : 128) &&
	    flow_sockaddr_bytes(&pol->pol_sel.sel_src, src) == ur->ur_family)
		rr.rr_prefsrc = src;
	r = user_route_add(ku, ur, &rr);
	if (r != 0 && rr.rr_prefsrc != NULL) {
		/* The address may not be local (yet); route without it. */
		rr.rr_prefsrc = NULL;
		rr.rr_replace = 0;
		r = user_route_add(ku, ur, &rr);
	}
	if (r != 0) {
		saved = errno;
		user_route_drop(ku, ur, RTN_PROHIBIT);
		errno = saved;
	}
	return (r);
}

static int
user_route_ref(struct kernel_user *ku, struct user_policy *up)
{
	const struct kernel_policy	*pol = &up->up_pol;
	struct user_route		*ur;
	uint8_t				 dst[16];
	char				 text[INET6_ADDRSTRLEN];
	int				 family, bypass, r;
	unsigned int			 h;

	memset(dst, 0, sizeof(dst));
	family = flow_sockaddr_bytes(&pol->pol_sel.sel_dst, dst);
	bypass = pol->pol_action == KERNEL_ACTION_BYPASS;
	h = user_route_hash(family, dst, pol->pol_sel.sel_dst_prefix, bypass);
	if ((ur = user_route_find(ku, family, dst,
	    pol->pol_sel.sel_dst_prefix, bypass)) != NULL) {
		ur->ur_refs++;
		up->up_route = ur;
		return (0);
	}
	if ((ur = calloc(1, sizeof(*ur))) == NULL)
		return (ERR_NOMEM);
	ur->ur_family = family;
	memcpy(ur->ur_dst, dst, sizeof(dst));
	ur->ur_prefix = pol->pol_sel.sel_dst_prefix;
	ur->ur_throw = bypass;
	ur->ur_refs = 1;
	if ((r = user_route_install(ku, ur, pol)) != 0) {
		if (inet_ntop(family, dst, text, sizeof(text)) == NULL)
			text[0] = '\0';
		log_err("cannot add route to %s/%u in table %u: %s", text,
		    ur->ur_prefix,
		    ku->ku_k->k_route_table, strerror(errno));
		free(ur);
		return (r);
	}
	ur->ur_next = ku->ku_routes[h];
	ku->ku_routes[h] = ur;
	up->up_route = ur;
	return (0);
}

static void
user_route_unref(struct kernel_user *ku, struct user_route *ur)
{
	struct user_route	**p;

	if (ur == NULL || --ur->ur_refs > 0)
		return;
	if (ur->ur_throw) {
		user_route_drop(ku, ur, RTN_THROW);
	} else {
		user_route_delete(ku, ur, RTN_UNICAST);
		user_route_drop(ku, ur, RTN_PROHIBIT);
	}
	p = &ku->ku_routes[user_route_hash(ur->ur_family, ur->ur_dst,
	    ur->ur_prefix, ur->ur_throw)];
	for (; *p != NULL; p = &(*p)->ur_next) {
		if (*p == ur) {
			*p = ur->ur_next;
			break;
		}
	}
	free(ur);
}

/* A prohibit or throw route left by an earlier in.iked, unused now. */
struct user_stale_route {
	uint8_t			 sr_dst[16];
	int			 sr_family;
	uint8_t			 sr_prefix;
	uint8_t			 sr_type;
	uint32_t		 sr_metric;
};

struct user_stale {
	struct user_stale_route	*st_routes;
	size_t			 st_count;
	size_t			 st_size;
	size_t			 st_skipped;	/* not stored: out of memory */
	struct kernel_user	*st_ku;
};

static void
user_route_stale(const struct rtnl_route *rr, void *arg)
{
	struct user_stale	*st = arg;
	struct user_stale_route	*sr, *grown;
	uint8_t			 dst[16];
	size_t			 size;

	if (rr->rr_type != RTN_THROW && (rr->rr_type != RTN_PROHIBIT ||
	    rr->rr_metric != USER_PROHIBIT_METRIC))
		return;
	/* Routes are hashed by a 16-byte address, IPv4 zero-padded. */
	memset(dst, 0, sizeof(dst));
	memcpy(dst, rr->rr_dst, rr->rr_family == AF_INET ? 4 : 16);
	if (user_route_find(st->st_ku, rr->rr_family, dst, rr->rr_prefix,
	    rr->rr_type == RTN_THROW) != NULL)
		return;
	if (st->st_count == st->st_size) {
		size = st->st_size == 0 ? 16 : st->st_size * 2;
		if ((grown = reallocarray(st->st_routes, size,
		    sizeof(*grown))) == NULL) {
			st->st_skipped++;
			return;
		}
		st->st_routes = grown;
		st->st_size = size;
	}
	sr = &st->st_routes[st->st_count++];
	memcpy(sr->sr_dst, dst, sizeof(dst));
	sr->sr_family = rr->rr_family;
	sr->sr_prefix = rr->rr_prefix;
	sr->sr_type = rr->rr_type;
	sr->sr_metric = rr->rr_metric;
}

/*
 * Delete a stale route by its own metric: an IPv6 delete does not
 * compare the route type, only the metric.
 */
static void
user_route_delete_stale(struct kernel_user *ku,
    const struct user_stale_route *sr)
{
	struct rtnl_route	rr;

	memset(&rr, 0, sizeof(rr));
	rr.rr_family = sr->sr_family;
	rr.rr_dst = sr->sr_dst;
	rr.rr_prefix = sr->sr_prefix;
	rr.rr_table = ku->ku_k->k_route_table;
	rr.rr_type = sr->sr_type;
	rr.rr_metric = sr->sr_metric;
	if (rtnl_route(&ku->ku_rtnl, 0, &rr) != 0 && errno != ESRCH)
		log_warn("cannot delete a route in table %u: %s",
		    ku->ku_k->k_route_table, strerror(errno));
}

/*
 * Delete the prohibit and throw routes and the XFRM policies that a
 * killed in.iked left and that no policy loaded at start took over.  The
 * daemon calls this once, before its event loop runs.  From then on, the
 * backend removes all its routes and policies when it closes.
 */
static void
user_started(struct kernel *k)
{
	struct kernel_user	*ku = user_state(k);
	struct user_stale	 st;
	size_t			 i;
	int			 family;

	ku->ku_running = 1;
	memset(&st, 0, sizeof(st));
	st.st_ku = ku;
	for (family = AF_INET; family != 0;
	    family = family == AF_INET ? AF_INET6 : 0)
		if (rtnl_route_dump(&ku->ku_rtnl, family,
		    ku->ku_k->k_route_table, user_route_stale, &st) != 0)
			log_warn("cannot list the routes of table %u: %s",
			    ku->ku_k->k_route_table, strerror(errno));
	for (i = 0; i < st.st_count; i++)
		user_route_delete_stale(ku, &st.st_routes[i]);
	if (st.st_count > 0)
		log_info("deleted %zu prohibit or throw route%s of an earlier "
		    "in.iked from table %u", st.st_count,
		    st.st_count == 1 ? "" : "s", ku->ku_k->k_route_table);
	if (st.st_skipped > 0)
		log_warn("out of memory: %zu routes of an earlier in.iked "
		    "stay in table %u; delete them with ip route del",
		    st.st_skipped, ku->ku_k->k_route_table);
	free(st.st_routes);
	user_xfrm_sweep(ku);
}

/* SA table */

static unsigned int
user_hash(uint32_t spi)
{
	return ((spi ^ (spi >> 16)) % USER_SPI_BUCKETS);
}

struct user_sa *
user_sa_lookup_spi(struct kernel_user *ku, uint32_t spi)
{
	struct user_sa	*us;

	for (us = ku->ku_hash[user_hash(spi)]; us != NULL;
	    us = us->us_hash_next) {
		if (user_sa_kernel(us)->sa_id.id_spi == spi)
			return (us);
	}
	return (NULL);
}

static void
user_hash_insert(struct kernel_user *ku, struct user_sa *us)
{
	unsigned int	h = user_hash(user_sa_kernel(us)->sa_id.id_spi);

	us->us_hash_next = ku->ku_hash[h];
	ku->ku_hash[h] = us;
	us->us_in_hash = 1;
}

static void
user_hash_remove(struct kernel_user *ku, struct user_sa *us)
{
	struct user_sa	**p;

	if (!us->us_in_hash)
		return;
	p = &ku->ku_hash[user_hash(user_sa_kernel(us)->sa_id.id_spi)];
	for (; *p != NULL; p = &(*p)->us_hash_next) {
		if (*p == us) {
			*p = us->us_hash_next;
			break;
		}
	}
	us->us_in_hash = 0;
}

/*
 * The bucket of an SA id: SPI and destination address, as
 * kernel_sa_id_match compares them.  The SPI alone is not enough for
 * outbound SAs, whose SPIs the peers choose, often alike.
 */
static unsigned int
user_id_hash(const struct kernel_sa_id *id)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)
					    &id->id_dst;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)
					    &id->id_dst;
	const uint8_t			*b = NULL;
	uint32_t			 h = id->id_spi;
	size_t				 n = 0;

	if (id->id_dst.ss_family == AF_INET) {
		b = (const uint8_t *)&s4->sin_addr;
		n = 4;
	} else if (id->id_dst.ss_family == AF_INET6) {
		b = (const uint8_t *)&s6->sin6_addr;
		n = 16;
	}
	h = util_fnv32(h, b, n);
	return ((h ^ (h >> 16)) % USER_SPI_BUCKETS);
}

static void
user_sa_id_insert(struct kernel_user *ku, struct user_sa *us)
{
	unsigned int	h = user_id_hash(&user_sa_kernel(us)->sa_id);

	us->us_id_next = ku->ku_idhash[h];
	ku->ku_idhash[h] = us;
}

static void
user_sa_id_remove(struct kernel_user *ku, struct user_sa *us)
{
	struct user_sa	**p;

	p = &ku->ku_idhash[user_id_hash(&user_sa_kernel(us)->sa_id)];
	for (; *p != NULL; p = &(*p)->us_id_next) {
		if (*p == us) {
			*p = us->us_id_next;
			break;
		}
	}
}

/* Put an SA into ku_sas and the table of all SAs by id. */
static void
user_sa_link(struct kernel_user *ku, struct user_sa *us)
{
	TAILQ_INSERT_TAIL(&ku->ku_sas, us, us_entry);
	user_sa_id_insert(ku, us);
	ku->ku_nsas++;
}

static void
user_sa_unlink(struct kernel_user *ku, struct user_sa *us)
{
	user_sa_id_remove(ku, us);
	TAILQ_REMOVE(&ku->ku_sas, us, us_entry);
	ku->ku_nsas--;
}

static struct user_sa *
user_sa_find(struct kernel_user *ku, const struct kernel_sa_id *id)
{
	struct user_sa	*us;

	for (us = ku->ku_idhash[user_id_hash(id)]; us != NULL;
	    us = us->us_id_next) {
		if (kernel_sa_id_match(&user_sa_kernel(us)->sa_id, id))
			return (us);
	}
	return (NULL);
}

/*
 * Outbound SAs and policies.  As with XFRM templates, an outbound policy
 * uses the newest outbound SA of its reqid that leads to its tunnel's
 * far end.  A policy without a tunnel end (a transport-mode entry of the
 * policy file) uses the newest SA of its reqid.  One policy file entry
 * that covers many peers gives all their SAs the same reqid, so both
 * tables are keyed by reqid and peer.
 */

static void
user_dst_set(struct user_dst *ud, const struct sockaddr_storage *ss)
{
	memset(ud, 0, sizeof(*ud));
	ud->ud_family = (uint8_t)flow_sockaddr_bytes(ss, ud->ud_addr);
}

static int
user_dst_equal(const struct user_dst *a, const struct user_dst *b)
{
	return (a->ud_family == b->ud_family &&
	    memcmp(a->ud_addr, b->ud_addr, sizeof(a->ud_addr)) == 0);
}

static unsigned int
user_out_hash(uint32_t reqid, const struct user_dst *ud)
{
	uint32_t	h;

	h = util_fnv32(UTIL_FNV32_INIT, &reqid, sizeof(reqid));
	h = util_fnv32(h, ud, sizeof(*ud));
	return (h % USER_SPI_BUCKETS);
}

/* Whether outbound policy up may use an SA of reqid to ud. */
static int
user_policy_takes(const struct user_policy *up, uint32_t reqid,
    const struct user_dst *ud)
{
	return (up->up_pol.pol_reqid == reqid &&
	    (up->up_out_dst.ud_family == 0 ||
	    user_dst_equal(&up->up_out_dst, ud)));
}

/*
 * The outbound policies that may use an SA of reqid to ud: those with
 * that tunnel end (chain 0) and those without one (chain 1).
 */
static void
user_policy_chains(struct kernel_user *ku, uint32_t reqid,
    const struct user_dst *ud, struct user_policy **chains)
{
	static const struct user_dst	none;
	unsigned int			h0, h1;

	h0 = user_out_hash(reqid, ud);
	h1 = user_out_hash(reqid, &none);
	chains[0] = ku->ku_polout[h0];
	chains[1] = h1 != h0 ? ku->ku_polout[h1] : NULL;
}

/*
 * The outbound SAs of reqid to ud changed: the policies that may use
 * them forget the SA they cached.
 */
static void
user_policy_uncache(struct kernel_user *ku, uint32_t reqid,
    const struct user_dst *ud)
{
	struct user_policy	*chains[2], *up;
	int			 i;

	user_policy_chains(ku, reqid, ud, chains);
	for (i = 0; i < 2; i++)
		for (up = chains[i]; up != NULL; up = up->up_out_next)
			if (user_policy_takes(up, reqid, ud))
				up->up_sa = NULL;
}

static void
user_out_insert(struct kernel_user *ku, struct user_sa *us)
{
	const struct kernel_sa	*sa = user_sa_kernel(us);
	unsigned int		 h;

	user_dst_set(&us->us_out_dst, &sa->sa_id.id_dst);
	h = user_out_hash(sa->sa_reqid, &us->us_out_dst);
	us->us_out_next = ku->ku_outsa[h];
	ku->ku_outsa[h] = us;
	us->us_in_out = 1;
	user_policy_uncache(ku, sa->sa_reqid, &us->us_out_dst);
}

static void
user_out_remove(struct kernel_user *ku, struct user_sa *us)
{
	uint32_t	  reqid = user_sa_kernel(us)->sa_reqid;
	struct user_sa	**p;

	if (!us->us_in_out)
		return;
	p = &ku->ku_outsa[user_out_hash(reqid, &us->us_out_dst)];
	for (; *p != NULL; p = &(*p)->us_out_next) {
		if (*p == us) {
			*p = us->us_out_next;
			break;
		}
	}
	us->us_in_out = 0;
	user_policy_uncache(ku, reqid, &us->us_out_dst);
}

static void
user_sa_destroy(struct kernel_user *ku, struct user_sa *us)
{
	user_out_remove(ku, us);
	user_hash_remove(ku, us);
	user_sa_unlink(ku, us);
	if (us->us_timer != NULL)
		event_free(us->us_timer);
	if (!us->us_larval)
		esp_sa_clear(&us->us_esp);
	free(us);
}

/* Lifetimes */

static void	user_sa_timer(evutil_socket_t, short, void *);

static uint64_t
user_deadline(uint64_t base, uint64_t seconds, uint64_t best)
{
	uint64_t	when;

	if (seconds == 0)
		return (best);
	/* Lifetimes beyond 136 years are as good as none, and cannot wrap. */
	if (seconds > UINT32_MAX)
		seconds = UINT32_MAX;
	when = base + seconds * 1000;
	return (best == 0 || when < best ? when : best);
}

static void
user_sa_schedule(struct user_sa *us)
{
	const struct kernel_lifetime	*lt = &user_sa_kernel(us)->sa_lifetime;
	uint64_t			 when = 0, now;
	uint64_t			 last;
	struct timeval			 tv;

	if (us->us_larval) {
		when = us->us_add_ms + USER_LARVAL_MS;
	} else {
		if (!us->us_soft_sent)
			when = user_deadline(us->us_add_ms,
			    lt->lt_soft_seconds, when);
		when = user_deadline(us->us_add_ms, lt->lt_hard_seconds, when);
		last = us->us_use_ms != 0 ? us->us_use_ms : us->us_add_ms;
		when = user_deadline(last, lt->lt_idle_seconds, when);
	}
	if (when == 0) {
		evtimer_del(us->us_timer);
		return;
	}
	now = user_now_ms();
	when = when > now ? when - now : 0;
	tv.tv_sec = (time_t)(when / 1000);
	tv.tv_usec = (suseconds_t)(when % 1000) * 1000;
	evtimer_add(us->us_timer, &tv);
}

/*
 * Report an expiry.  A hard expiry removes the SA first.  The callback
 * may add or delete SAs, so this is the caller's last use of us.
 */
static void
user_sa_expire(struct kernel_user *ku, struct user_sa *us, int hard,
    enum kernel_expire_reason reason)
{
	struct kernel		*k = ku->ku_k;
	const struct kernel_sa	*sa = user_sa_kernel(us);
	struct kernel_expire	 exp;

	memset(&exp, 0, sizeof(exp));
	exp.exp_id = sa->sa_id;
	exp.exp_dir = sa->sa_dir;
	exp.exp_reqid = sa->sa_reqid;
	exp.exp_hard = hard;
	exp.exp_reason = reason;
	exp.exp_stats = us->us_esp.es_stats;
	log_debug(D_PFKEY, "SA 0x%08x reached its %s lifetime (reason %d)",
	    sa->sa_id.id_spi, hard ? "hard" : "soft", reason);
	if (hard) {
		user_sa_destroy(ku, us);
	} else {
		us->us_soft_sent = 1;
		user_sa_schedule(us);
	}
	/*
	 * ESP still queued for the SA leaves first, so that the peer does
	 * not get a Delete for the SA before the SA's last packets.
	 */
	user_io_flush(ku);
	if (k->k_cb.kc_expire != NULL)
		k->k_cb.kc_expire(k->k_arg, &exp);
}

static int
user_reached(uint64_t base, uint64_t seconds, uint64_t now)
{
	if (seconds > UINT32_MAX)
		seconds = UINT32_MAX;
	return (seconds != 0 && now >= base + seconds * 1000);
}

static void
user_sa_timer(evutil_socket_t fd, short what, void *arg)
{
	struct user_sa			*us = arg;
	struct kernel_user		*ku = us->us_ku;
	const struct kernel_lifetime	*lt = &user_sa_kernel(us)->sa_lifetime;
	uint64_t			 now = user_now_ms(), last;

	if (us->us_larval) {
		log_debug(D_PFKEY, "SPI 0x%08x was reserved but never used",
		    user_sa_kernel(us)->sa_id.id_spi);
		user_sa_destroy(ku, us);
		return;
	}
	last = us->us_use_ms != 0 ? us->us_use_ms : us->us_add_ms;
	if (user_reached(us->us_add_ms, lt->lt_hard_seconds, now))
		user_sa_expire(ku, us, 1, KERNEL_EXPIRE_SECONDS);
	else if (user_reached(last, lt->lt_idle_seconds, now))
		user_sa_expire(ku, us, 1, KERNEL_EXPIRE_IDLE);
	else if (!us->us_soft_sent &&
	    user_reached(us->us_add_ms, lt->lt_soft_seconds, now))
		user_sa_expire(ku, us, 0, KERNEL_EXPIRE_SECONDS);
	else
		user_sa_schedule(us);
}

/* Count traffic and check the byte and sequence number limits. */
void
user_sa_used(struct kernel_user *ku, struct user_sa *us, size_t len)
{
	const struct kernel_lifetime	*lt = &user_sa_kernel(us)->sa_lifetime;
	uint64_t			 kbytes;
	uint32_t			 seq = us->us_esp.es_seq;

	esp_sa_count(&us->us_esp, len, time(NULL));
	us->us_use_ms = user_now_ms();
	kbytes = us->us_esp.es_stats.st_bytes / 1024;
	if (lt->lt_hard_kbytes != 0 && kbytes >= lt->lt_hard_kbytes)
		user_sa_expire(ku, us, 1, KERNEL_EXPIRE_KBYTES);
	else if (seq == UINT32_MAX)
		user_sa_expire(ku, us, 1, KERNEL_EXPIRE_SEQUENCE);
	else if (!us->us_soft_sent && lt->lt_soft_kbytes != 0 &&
	    kbytes >= lt->lt_soft_kbytes)
		user_sa_expire(ku, us, 0, KERNEL_EXPIRE_KBYTES);
	else if (!us->us_soft_sent && seq >= ESP_SA_SEQ_SOFT)
		user_sa_expire(ku, us, 0, KERNEL_EXPIRE_SEQUENCE);
}

static struct user_sa *
user_sa_new(struct kernel_user *ku)
{
	struct user_sa	*us;

	if (ku->ku_nsas >= USER_MAX_SAS)
		return (NULL);
	if ((us = calloc(1, sizeof(*us))) == NULL)
		return (NULL);
	us->us_ku = ku;
	us->us_add_ms = user_now_ms();
	us->us_timer = evtimer_new(ku->ku_k->k_base, user_sa_timer, us);
	if (us->us_timer == NULL) {
		free(us);
		return (NULL);
	}
	return (us);
}

/* Policies */

static void
user_policy_drop_queue(struct user_policy *up)
{
	while (up->up_queue_count > 0) {
		free(up->up_queue[up->up_queue_head]);
		up->up_queue[up->up_queue_head] = NULL;
		up->up_queue_head = (up->up_queue_head + 1) % USER_QUEUE_MAX;
		up->up_queue_count--;
	}
}

struct user_policy *
user_policy_match(struct kernel_user *ku, const struct flow *fl)
{
	struct user_policy	*up;

	TAILQ_FOREACH(up, &ku->ku_pols, up_entry) {
		if (up->up_pol.pol_dir == KERNEL_DIR_OUT &&
		    flow_match(fl, &up->up_pol.pol_sel))
			return (up);
	}
	return (NULL);
}

/* The newest outbound SA that the policy takes, or NULL. */
struct user_sa *
user_policy_sa(struct kernel_user *ku, struct user_policy *up)
{
	uint32_t	 reqid = up->up_pol.pol_reqid;
	struct user_sa	*us;

	if (up->up_sa != NULL)
		return (up->up_sa);
	if (up->up_out_dst.ud_family != 0) {
		us = ku->ku_outsa[user_out_hash(reqid, &up->up_out_dst)];
		for (; us != NULL; us = us->us_out_next) {
			if (user_sa_kernel(us)->sa_reqid == reqid &&
			    user_dst_equal(&us->us_out_dst, &up->up_out_dst)) {
				up->up_sa = us;
				return (us);
			}
		}
		return (NULL);
	}
	TAILQ_FOREACH_REVERSE(us, &ku->ku_sas, user_sa_head, us_entry) {
		if (!us->us_larval &&
		    user_sa_kernel(us)->sa_dir == KERNEL_DIR_OUT &&
		    user_sa_kernel(us)->sa_reqid == up->up_pol.pol_reqid) {
			up->up_sa = us;
			return (us);
		}
	}
	return (NULL);
}

static void
user_policy_acquire(struct kernel_user *ku, struct user_policy *up,
    const struct flow *fl)
{
	struct kernel		*k = ku->ku_k;
	struct kernel_acquire	 acq;

	memset(&acq, 0, sizeof(acq));
	flow_to_selector(fl, &acq.acq_packet);
	acq.acq_policy = up->up_pol.pol_sel;
	if (up->up_pol.pol_mode == KERNEL_MODE_TUNNEL) {
		acq.acq_src = up->up_pol.pol_tun_src;
		acq.acq_dst = up->up_pol.pol_tun_dst;
	} else {
		acq.acq_src = acq.acq_packet.sel_src;
		acq.acq_dst = acq.acq_packet.sel_dst;
	}
	acq.acq_mode = up->up_pol.pol_mode;
	acq.acq_proto = up->up_pol.pol_proto;
	acq.acq_reqid = up->up_pol.pol_reqid;
	acq.acq_index = up->up_pol.pol_index;
	log_debug(D_PFKEY, "acquire for reqid %u (policy index %u)",
	    acq.acq_reqid, acq.acq_index);
	if (k->k_cb.kc_acquire != NULL)
		k->k_cb.kc_acquire(k->k_arg, &acq);
}

/*
 * Hold a packet that needs an SA that does not exist yet, and ask the
 * daemon for it.  The queue keeps the newest USER_QUEUE_MAX packets.
 */
void
user_policy_hold(struct kernel_user *ku, struct user_policy *up,
    const struct flow *fl, const uint8_t *pkt, size_t len)
{
	unsigned int	slot;
	uint8_t		*copy;
	uint64_t	 now = user_now_ms();

	if ((copy = malloc(len)) != NULL) {
		if (up->up_queue_count == USER_QUEUE_MAX) {
			free(up->up_queue[up->up_queue_head]);
			up->up_queue_head = (up->up_queue_head + 1) %
			    USER_QUEUE_MAX;
			up->up_queue_count--;
		}
		memcpy(copy, pkt, len);
		slot = (up->up_queue_head + up->up_queue_count) %
		    USER_QUEUE_MAX;
		up->up_queue[slot] = copy;
		up->up_queue_len[slot] = len;
		up->up_queue_count++;
	}
	if (up->up_acquire_ms != 0 &&
	    now - up->up_acquire_ms < USER_ACQUIRE_RETRY_MS)
		return;
	up->up_acquire_ms = now;
	user_policy_acquire(ku, up, fl);
}

/* Send the packets queued on policy up through its SA, if it has one. */
static void
user_policy_flush_queue(struct kernel_user *ku, struct user_policy *up)
{
	struct user_sa	*us;
	struct flow	 fl;
	uint8_t		*pkt;
	size_t		 len;

	up->up_acquire_ms = 0;
	while (up->up_queue_count > 0 &&
	    (us = user_policy_sa(ku, up)) != NULL) {
		pkt = up->up_queue[up->up_queue_head];
		len = up->up_queue_len[up->up_queue_head];
		up->up_queue[up->up_queue_head] = NULL;
		up->up_queue_head = (up->up_queue_head + 1) % USER_QUEUE_MAX;
		up->up_queue_count--;
		if (flow_parse(&fl, pkt, len) == 0)
			user_io_output(ku, us, pkt, &fl);
		free(pkt);
	}
}

/* Send the packets held for the policies that take the new SA us. */
static void
user_policy_release(struct kernel_user *ku, struct user_sa *us)
{
	struct user_policy	*chains[2], *up;
	uint32_t		 reqid = user_sa_kernel(us)->sa_reqid;
	int			 i;

	user_policy_chains(ku, reqid, &us->us_out_dst, chains);
	for (i = 0; i < 2; i++)
		for (up = chains[i]; up != NULL; up = up->up_out_next)
			if (user_policy_takes(up, reqid, &us->us_out_dst))
				user_policy_flush_queue(ku, up);
}

/* FNV-1a over what kernel_selector_equal compares, and the direction. */
static uint32_t
user_sel_addr(uint32_t h, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return (util_fnv32(h, &s4->sin_addr, 4));
	if (ss->ss_family == AF_INET6)
		return (util_fnv32(h, &s6->sin6_addr, 16));
	return (h);
}

static unsigned int
user_sel_hash(const struct kernel_policy *pol)
{
	const struct kernel_selector	*sel = &pol->pol_sel;
	uint32_t			 h = UTIL_FNV32_INIT;
	uint8_t				 b[4];

	b[0] = (uint8_t)pol->pol_dir;
	b[1] = sel->sel_src_prefix;
	b[2] = sel->sel_dst_prefix;
	b[3] = sel->sel_proto;
	h = util_fnv32(h, b, sizeof(b));
	h = user_sel_addr(h, &sel->sel_src);
	h = user_sel_addr(h, &sel->sel_dst);
	return (h % USER_SPI_BUCKETS);
}

/* The policy with pol's direction and selector. */
struct user_policy *
user_policy_find(struct kernel_user *ku, const struct kernel_policy *pol)
{
	struct user_policy	*up;

	for (up = ku->ku_polsel[user_sel_hash(pol)]; up != NULL;
	    up = up->up_sel_next) {
		if (up->up_pol.pol_dir == pol->pol_dir &&
		    kernel_selector_equal(&up->up_pol.pol_sel, &pol->pol_sel))
			return (up);
	}
	return (NULL);
}

/*
 * Chain a policy by selector, and an outbound one by reqid and tunnel
 * end, at the end of its chain so that held packets leave in the order
 * of their policies.
 */
static void
user_policy_hash(struct kernel_user *ku, struct user_policy *up)
{
	struct user_policy	**pp;
	unsigned int		  h = user_sel_hash(&up->up_pol);

	up->up_sel_next = ku->ku_polsel[h];
	ku->ku_polsel[h] = up;
	if (up->up_pol.pol_dir != KERNEL_DIR_OUT)
		return;
	pp = &ku->ku_polout[user_out_hash(up->up_pol.pol_reqid,
	    &up->up_out_dst)];
	while (*pp != NULL)
		pp = &(*pp)->up_out_next;
	up->up_out_next = NULL;
	*pp = up;
}

static void
user_policy_unhash(struct kernel_user *ku, struct user_policy *up)
{
	struct user_policy	**pp;

	pp = &ku->ku_polsel[user_sel_hash(&up->up_pol)];
	for (; *pp != NULL; pp = &(*pp)->up_sel_next)
		if (*pp == up) {
			*pp = up->up_sel_next;
			break;
		}
	if (up->up_pol.pol_dir != KERNEL_DIR_OUT)
		return;
	pp = &ku->ku_polout[user_out_hash(up->up_pol.pol_reqid,
	    &up->up_out_dst)];
	for (; *pp != NULL; pp = &(*pp)->up_out_next)
		if (*pp == up) {
			*pp = up->up_out_next;
			break;
		}
}

static void
user_policy_destroy(struct kernel_user *ku, struct user_policy *up)
{
	TAILQ_REMOVE(&ku->ku_pols, up, up_entry);
	user_policy_unhash(ku, up);
	user_xfrm_delete(ku, up);
	user_route_unref(ku, up->up_route);
	user_policy_drop_queue(up);
	free(up);
}

/* Ops */

static int
user_get_spi(struct kernel *k, const struct sockaddr *src,
    const struct sockaddr *dst, uint8_t proto, uint32_t reqid, uint32_t *spi)
{
	struct kernel_user	*ku = user_state(k);
	struct user_sa		*us;
	struct kernel_sa	*sa;
	uint32_t		 v;
	int			 tries;

	for (tries = 0; tries < 64; tries++) {
		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			return (ERR_SYSTEM);
		if (v >= 256 && user_sa_lookup_spi(ku, v) == NULL)
			break;
	}
	if (tries == 64)
		return (ERR_EXISTS);
	if ((us = user_sa_new(ku)) == NULL)
		return (ERR_NOMEM);
	us->us_larval = 1;
	sa = &us->us_esp.es_rec.r_sa;
	sa->sa_dir = KERNEL_DIR_IN;
	sa->sa_id.id_spi = v;
	sa->sa_id.id_proto = proto;
	sa->sa_reqid = reqid;
	if (src != NULL && (src->sa_family == AF_INET ||
	    src->sa_family == AF_INET6))
		memcpy(&sa->sa_id.id_src, src, src->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	if (dst != NULL && (dst->sa_family == AF_INET ||
	    dst->sa_family == AF_INET6))
		memcpy(&sa->sa_id.id_dst, dst, dst->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	user_sa_link(ku, us);
	user_hash_insert(ku, us);
	user_sa_schedule(us);
	*spi = v;
	log_debug(D_PFKEY, "SPI 0x%08x reserved (reqid %u)", v, reqid);
	return (0);
}

/* An inbound SA takes over the reservation get_spi made for its SPI. */
static struct user_sa *
user_sa_claim(struct kernel_user *ku, const struct kernel_sa *sa, int *r)
{
	struct user_sa	*us;

	*r = 0;
	if (sa->sa_dir == KERNEL_DIR_IN &&
	    (us = user_sa_lookup_spi(ku, sa->sa_id.id_spi)) != NULL) {
		if (!us->us_larval) {
			*r = ERR_EXISTS;
			return (NULL);
		}
		user_hash_remove(ku, us);
		user_sa_unlink(ku, us);
		us->us_larval = 0;
		us->us_add_ms = user_now_ms();
		return (us);
	}
	if (user_sa_find(ku, &sa->sa_id) != NULL) {
		*r = ERR_EXISTS;
		return (NULL);
	}
	if ((us = user_sa_new(ku)) == NULL)
		*r = ERR_NOMEM;
	return (us);
}

static int
user_add_sa(struct kernel *k, const struct kernel_sa *sa)
{
	struct kernel_user	*ku = user_state(k);
	struct user_sa		*us;
	char			 dst[INET6_ADDRSTRLEN];
	int			 r;

	if ((us = user_sa_claim(ku, sa, &r)) == NULL)
		goto out;
	if ((r = esp_sa_init(&us->us_esp, sa)) != 0) {
		event_free(us->us_timer);
		free(us);
		goto out;
	}
	user_sa_link(ku, us);
	if (sa->sa_dir == KERNEL_DIR_IN)
		user_hash_insert(ku, us);
	else
		user_out_insert(ku, us);
	user_sa_schedule(us);
	log_debug(D_PFKEY, "%s SA 0x%08x to %s added (reqid %u)",
	    sa->sa_dir == KERNEL_DIR_IN ? "inbound" : "outbound",
	    sa->sa_id.id_spi, kernel_addr_str(&sa->sa_id.id_dst, dst,
	    sizeof(dst)), sa->sa_reqid);
	if (sa->sa_dir == KERNEL_DIR_OUT)
		user_policy_release(ku, us);
out:
	if (r != 0)
		log_warn("cannot add SA 0x%08x to %s (ESP transform %u, "
		    "authentication %u, reqid %u): %s", sa->sa_id.id_spi,
		    kernel_addr_str(&sa->sa_id.id_dst, dst, sizeof(dst)),
		    sa->sa_encr, sa->sa_auth, sa->sa_reqid, err_str(r));
	return (r);
}

static int
user_update_sa(struct kernel *k, const struct kernel_sa_update *su)
{
	struct user_sa		*us;
	struct kernel_sa	*sa;

	if ((us = user_sa_find(user_state(k), &su->su_id)) == NULL)
		return (ERR_NOTFOUND);
	sa = &us->us_esp.es_rec.r_sa;
	user_sa_id_remove(user_state(k), us);
	sa->sa_id.id_src = su->su_new_src;
	sa->sa_id.id_dst = su->su_new_dst;
	sa->sa_encap = su->su_encap;
	user_sa_id_insert(user_state(k), us);
	return (0);
}

static int
user_delete_sa(struct kernel *k, const struct kernel_sa_id *id)
{
	struct kernel_user	*ku = user_state(k);
	struct user_sa		*us;

	if ((us = user_sa_find(ku, id)) == NULL)
		return (ERR_NOTFOUND);
	user_sa_destroy(ku, us);
	log_debug(D_PFKEY, "SA 0x%08x deleted", id->id_spi);
	return (0);
}

static int
user_query_sa(struct kernel *k, const struct kernel_sa_id *id,
    struct kernel_sa_stats *st)
{
	struct user_sa	*us;

	if ((us = user_sa_find(user_state(k), id)) == NULL || us->us_larval)
		return (ERR_NOTFOUND);
	*st = us->us_esp.es_stats;
	return (0);
}

static void
user_policy_insert(struct kernel_user *ku, struct user_policy *up)
{
	struct user_policy	*it;

	/*
	 * Sorted by priority; equal priorities keep insertion order.  From
	 * the end, since policies mostly come with the same priority or in
	 * rising order.
	 */
	TAILQ_FOREACH_REVERSE(it, &ku->ku_pols, user_policy_head, up_entry) {
		if (it->up_pol.pol_priority <= up->up_pol.pol_priority) {
			TAILQ_INSERT_AFTER(&ku->ku_pols, it, up, up_entry);
			return;
		}
	}
	TAILQ_INSERT_HEAD(&ku->ku_pols, up, up_entry);
}

static int
user_add_policy(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_user	*ku = user_state(k);
	struct user_policy	*up;
	int			 r;

	if (user_policy_find(ku, pol) != NULL)
		return (ERR_EXISTS);
	if ((up = calloc(1, sizeof(*up))) == NULL)
		return (ERR_NOMEM);
	up->up_pol = *pol;
	if (pol->pol_dir == KERNEL_DIR_OUT &&
	    pol->pol_action == KERNEL_ACTION_IPSEC)
		user_dst_set(&up->up_out_dst, &pol->pol_tun_dst);
	/*
	 * Only outbound traffic is steered into the TUN device.  Inbound
	 * and forward policies go to XFRM, which drops the clear text that
	 * they require to be protected, and the SA selectors check what
	 * arrives through ESP.
	 */
	if (pol->pol_dir == KERNEL_DIR_OUT)
		r = user_route_ref(ku, up);
	else
		r = user_xfrm_add(ku, up);
	if (r != 0) {
		free(up);
		return (r);
	}
	user_policy_insert(ku, up);
	user_policy_hash(ku, up);
	log_debug(D_PFKEY, "policy added (reqid %u, index %u, priority %u)",
	    pol->pol_reqid, pol->pol_index, pol->pol_priority);
	return (0);
}

static int
user_delete_policy(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_user	*ku = user_state(k);
	struct user_policy	*up;

	if ((up = user_policy_find(ku, pol)) == NULL)
		return (ERR_NOTFOUND);
	user_policy_destroy(ku, up);
	return (0);
}

static int
user_flush(struct kernel *k)
{
	struct kernel_user	*ku = user_state(k);

	while (!TAILQ_EMPTY(&ku->ku_sas))
		user_sa_destroy(ku, TAILQ_FIRST(&ku->ku_sas));
	while (!TAILQ_EMPTY(&ku->ku_pols))
		user_policy_destroy(ku, TAILQ_FIRST(&ku->ku_pols));
	return (0);
}

static int
user_rule(struct kernel_user *ku, int add, int family)
{
	struct kernel	*k = ku->ku_k;

	return (rtnl_rule(&ku->ku_rtnl, add, family, k->k_route_table,
	    k->k_fwmark, k->k_rule_priority));
}

/*
 * Install the rule.  An equal one (EEXIST compares every attribute) was
 * left by an in.iked that was killed: it is kept, as deleting and adding
 * it again would let traffic out in the clear in between.
 */
static int
user_rules_add(struct kernel_user *ku, int family, int *found)
{
	*found = 0;
	if (user_rule(ku, 1, family) == 0)
		return (0);
	if (errno != EEXIST)
		return (ERR_SYSTEM);
	*found = 1;
	return (0);
}

static void	user_close(struct kernel *);

static int
user_open(struct kernel *k)
{
	struct kernel_user	*ku;
	int			 r;

	if (k->k_base == NULL)
		return (ERR_INVAL);
	if ((ku = calloc(1, sizeof(*ku))) == NULL)
		return (ERR_NOMEM);
	k->k_priv = ku;
	ku->ku_k = k;
	ku->ku_tun = ku->ku_esp4 = ku->ku_esp6 = -1;
	ku->ku_raw4 = ku->ku_raw6 = -1;
	TAILQ_INIT(&ku->ku_sas);
	TAILQ_INIT(&ku->ku_pols);
	ku->ku_ratelimit = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
	if ((r = rtnl_open(&ku->ku_rtnl)) != 0) {
		log_err("cannot open a route netlink socket: %s",
		    strerror(errno));
		goto out;
	}
	if ((r = tun_open(k->k_tun_name, &ku->ku_tun, &ku->ku_ifindex)) != 0)
		goto out;
	if ((r = rtnl_link_up(&ku->ku_rtnl, ku->ku_ifindex,
	    USER_TUN_MTU)) != 0) {
		log_err("cannot set %s up: %s", k->k_tun_name,
		    strerror(errno));
		goto out;
	}
	/* XFRM first: the raw ESP sockets get a per-socket policy. */
	user_xfrm_open(ku);
	if ((r = user_io_open(ku)) != 0)
		goto out;
	/* Last, so that the steps that may fail come before. */
	if ((r = user_rules_add(ku, AF_INET, &ku->ku_rule4_found)) != 0) {
		log_err("cannot add the IPv4 rule for table %u: %s",
		    k->k_route_table, strerror(errno));
		goto out;
	}
	ku->ku_rule4 = 1;
	if (user_rules_add(ku, AF_INET6, &ku->ku_rule6_found) == 0)
		ku->ku_rule6 = 1;
	else
		log_warn("cannot add the IPv6 rule for table %u: %s; IPv6 "
		    "policies will not work", k->k_route_table,
		    strerror(errno));
out:
	if (r != 0)
		user_close(k);
	return (r);
}

static void
user_close(struct kernel *k)
{
	struct kernel_user	*ku = user_state(k);

	if (ku == NULL)
		return;
	user_flush(k);
	user_io_close(ku);
	/* A start that fails keeps the rule of a killed in.iked. */
	if (!ku->ku_running && ku->ku_rule4_found)
		ku->ku_rule4 = 0;
	if (!ku->ku_running && ku->ku_rule6_found)
		ku->ku_rule6 = 0;
	if (ku->ku_rule4 && user_rule(ku, 0, AF_INET) != 0)
		log_warn("cannot delete the IPv4 rule for table %u: %s",
		    k->k_route_table, strerror(errno));
	if (ku->ku_rule6 && user_rule(ku, 0, AF_INET6) != 0)
		log_warn("cannot delete the IPv6 rule for table %u: %s",
		    k->k_route_table, strerror(errno));
	user_xfrm_close(ku);
	rtnl_close(&ku->ku_rtnl);
	log_ratelimit_forget(&ku->ku_ratelimit);
	free(ku);
	k->k_priv = NULL;
}

static int
user_bypass_socket(struct kernel *k, int fd, int family)
{
	int	r;

	if ((r = user_io_mark_socket(user_state(k), fd)) != 0)
		return (r);
	return (user_xfrm_bypass_socket(user_state(k), fd, family));
}

/* The daemon passes ESP-in-UDP packets on; nothing to set up. */
static int
user_enable_udp_decap(struct kernel *k, int fd, int family, uint16_t port)
{
	return (0);
}

static void
user_esp_udp_input(struct kernel *k, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	user_io_udp_input(user_state(k), local, remote, pkt, len);
}

const struct kernel_ops kernel_user_ops = {
	.ko_name = "userspace",
	.ko_open = user_open,
	.ko_close = user_close,
	.ko_started = user_started,
	.ko_get_spi = user_get_spi,
	.ko_add_sa = user_add_sa,
	.ko_update_sa = user_update_sa,
	.ko_delete_sa = user_delete_sa,
	.ko_query_sa = user_query_sa,
	.ko_add_policy = user_add_policy,
	.ko_delete_policy = user_delete_policy,
	.ko_flush = user_flush,
	.ko_bypass_socket = user_bypass_socket,
	.ko_enable_udp_decap = user_enable_udp_decap,
	.ko_esp_udp_input = user_esp_udp_input,
};
