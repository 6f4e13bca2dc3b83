/*
 * The none backend: SAs and policies are recorded in memory and logged,
 * nothing reaches the kernel.  The IKE engine tests use it to see what
 * an exchange would install, and kernel_none_expire to simulate the end
 * of a lifetime.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/queue.h>
#include <sys/types.h>

#include "kernel/kernel_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

/*
 * SAs and policies are kept in the order they were added, for the
 * kernel_none_*_at accessors of the tests.  They are also in hash
 * tables that double as they fill, so that a daemon with 100,000
 * tunnels on this backend finds each in O(1).  The records are compact
 * (addresses in 28 bytes, not 128, and keys at their length), because
 * this backend's memory counts in the daemon's memory per tunnel.
 */
#define NONE_BUCKETS_MIN	256
#define NONE_VIEWS		4	/* records the accessors rebuild */

/* An IPv4 or IPv6 socket address, or only a family. */
union none_addr {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

struct none_sel {
	union none_addr		 nl_src;
	union none_addr		 nl_dst;
	uint8_t			 nl_src_prefix;
	uint8_t			 nl_dst_prefix;
	uint8_t			 nl_proto;
};

struct none_sa {
	TAILQ_ENTRY(none_sa)	 ns_entry;
	struct none_sa		*ns_next;	/* hash chain */
	int64_t			 ns_add_time;	/* wall clock seconds */
	union none_addr		 ns_src;
	union none_addr		 ns_dst;
	struct none_sel		 ns_sel;
	struct kernel_lifetime	 ns_lifetime;
	uint32_t		 ns_spi;
	uint32_t		 ns_reqid;
	uint32_t		 ns_replay_window;
	uint16_t		 ns_encr;
	uint16_t		 ns_auth;
	uint8_t			 ns_proto;
	uint8_t			 ns_dir;
	uint8_t			 ns_mode;
	uint8_t			 ns_encap;
	uint8_t			 ns_encr_keylen;
	uint8_t			 ns_auth_keylen;
	uint8_t			 ns_keys[];	/* encryption, then auth */
};
TAILQ_HEAD(none_sa_list, none_sa);

struct none_pol {
	TAILQ_ENTRY(none_pol)	 np_entry;
	struct none_pol		*np_next;	/* hash chain */
	struct none_sel		 np_sel;
	union none_addr		 np_tun_src;
	union none_addr		 np_tun_dst;
	uint32_t		 np_reqid;
	uint32_t		 np_priority;
	uint32_t		 np_index;
	uint8_t			 np_dir;
	uint8_t			 np_action;
	uint8_t			 np_mode;
	uint8_t			 np_proto;
};
TAILQ_HEAD(none_pol_list, none_pol);

struct kernel_none {
	struct none_sa_list	  kn_sas;
	struct none_sa		**kn_sa_hash;
	size_t			  kn_nsas;
	size_t			  kn_sa_buckets;
	struct none_pol_list	  kn_pols;
	struct none_pol		**kn_pol_hash;
	size_t			  kn_npols;
	size_t			  kn_pol_buckets;
	uint32_t		  kn_next_spi;
	/* Buffers for the results of kernel_none_sa_at and _policy_at. */
	struct kernel_sa_rec	  kn_sa_views[NONE_VIEWS];
	struct kernel_policy	  kn_pol_views[NONE_VIEWS];
	unsigned int		  kn_sa_view;
	unsigned int		  kn_pol_view;
};

static void
none_addr_put(union none_addr *a, const struct sockaddr_storage *ss)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET)
		memcpy(&a->sin, ss, sizeof(a->sin));
	else if (ss->ss_family == AF_INET6)
		memcpy(&a->sin6, ss, sizeof(a->sin6));
	else
		a->sa.sa_family = ss->ss_family;
}

static void
none_addr_get(struct sockaddr_storage *ss, const union none_addr *a)
{
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, a, sizeof(*a));
}

static void
none_sel_put(struct none_sel *nl, const struct kernel_selector *sel)
{
	none_addr_put(&nl->nl_src, &sel->sel_src);
	none_addr_put(&nl->nl_dst, &sel->sel_dst);
	nl->nl_src_prefix = sel->sel_src_prefix;
	nl->nl_dst_prefix = sel->sel_dst_prefix;
	nl->nl_proto = sel->sel_proto;
}

static void
none_sel_get(struct kernel_selector *sel, const struct none_sel *nl)
{
	memset(sel, 0, sizeof(*sel));
	none_addr_get(&sel->sel_src, &nl->nl_src);
	none_addr_get(&sel->sel_dst, &nl->nl_dst);
	sel->sel_src_prefix = nl->nl_src_prefix;
	sel->sel_dst_prefix = nl->nl_dst_prefix;
	sel->sel_proto = nl->nl_proto;
}

/* The SA id of a record, for the comparisons of kernel.c. */
static void
none_sa_id(const struct none_sa *ns, struct kernel_sa_id *id)
{
	memset(id, 0, sizeof(*id));
	none_addr_get(&id->id_src, &ns->ns_src);
	none_addr_get(&id->id_dst, &ns->ns_dst);
	id->id_spi = ns->ns_spi;
	id->id_proto = ns->ns_proto;
}

/* The SA as added; its key pointers point into rec. */
static void
none_sa_get(const struct none_sa *ns, struct kernel_sa_rec *rec)
{
	struct kernel_sa	*sa = &rec->r_sa;

	kernel_sa_rec_wipe(rec);
	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = ns->ns_dir;
	none_sa_id(ns, &sa->sa_id);
	sa->sa_mode = ns->ns_mode;
	sa->sa_encap = ns->ns_encap;
	sa->sa_encr = ns->ns_encr;
	memcpy(rec->r_encr_key, ns->ns_keys, ns->ns_encr_keylen);
	sa->sa_encr_key = rec->r_encr_key;
	sa->sa_encr_keylen = ns->ns_encr_keylen;
	sa->sa_auth = ns->ns_auth;
	memcpy(rec->r_auth_key, ns->ns_keys + ns->ns_encr_keylen,
	    ns->ns_auth_keylen);
	sa->sa_auth_key = rec->r_auth_key;
	sa->sa_auth_keylen = ns->ns_auth_keylen;
	sa->sa_lifetime = ns->ns_lifetime;
	sa->sa_replay_window = ns->ns_replay_window;
	sa->sa_reqid = ns->ns_reqid;
	none_sel_get(&sa->sa_sel, &ns->ns_sel);
}

static struct none_sa *
none_sa_new(const struct kernel_sa *sa)
{
	struct none_sa	*ns;

	if (sa->sa_encr_keylen > KERNEL_KEY_MAX ||
	    sa->sa_auth_keylen > KERNEL_KEY_MAX)
		return (NULL);
	ns = calloc(1, sizeof(*ns) + sa->sa_encr_keylen + sa->sa_auth_keylen);
	if (ns == NULL)
		return (NULL);
	ns->ns_dir = (uint8_t)sa->sa_dir;
	none_addr_put(&ns->ns_src, &sa->sa_id.id_src);
	none_addr_put(&ns->ns_dst, &sa->sa_id.id_dst);
	ns->ns_spi = sa->sa_id.id_spi;
	ns->ns_proto = sa->sa_id.id_proto;
	ns->ns_mode = (uint8_t)sa->sa_mode;
	ns->ns_encap = sa->sa_encap != 0;
	ns->ns_encr = sa->sa_encr;
	ns->ns_encr_keylen = (uint8_t)sa->sa_encr_keylen;
	if (sa->sa_encr_keylen > 0)
		memcpy(ns->ns_keys, sa->sa_encr_key, sa->sa_encr_keylen);
	ns->ns_auth = sa->sa_auth;
	ns->ns_auth_keylen = (uint8_t)sa->sa_auth_keylen;
	if (sa->sa_auth_keylen > 0)
		memcpy(ns->ns_keys + sa->sa_encr_keylen, sa->sa_auth_key,
		    sa->sa_auth_keylen);
	ns->ns_lifetime = sa->sa_lifetime;
	ns->ns_replay_window = sa->sa_replay_window;
	ns->ns_reqid = sa->sa_reqid;
	none_sel_put(&ns->ns_sel, &sa->sa_sel);
	return (ns);
}

static void
none_sa_free(struct none_sa *ns)
{
	util_freezero(ns, sizeof(*ns) + ns->ns_encr_keylen +
	    ns->ns_auth_keylen);
}

static void
none_pol_get(const struct none_pol *np, struct kernel_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->pol_dir = np->np_dir;
	none_sel_get(&pol->pol_sel, &np->np_sel);
	pol->pol_action = np->np_action;
	pol->pol_mode = np->np_mode;
	pol->pol_proto = np->np_proto;
	none_addr_get(&pol->pol_tun_src, &np->np_tun_src);
	none_addr_get(&pol->pol_tun_dst, &np->np_tun_dst);
	pol->pol_reqid = np->np_reqid;
	pol->pol_priority = np->np_priority;
	pol->pol_index = np->np_index;
}

static void
none_pol_put(struct none_pol *np, const struct kernel_policy *pol)
{
	np->np_dir = (uint8_t)pol->pol_dir;
	none_sel_put(&np->np_sel, &pol->pol_sel);
	np->np_action = (uint8_t)pol->pol_action;
	np->np_mode = (uint8_t)pol->pol_mode;
	np->np_proto = pol->pol_proto;
	none_addr_put(&np->np_tun_src, &pol->pol_tun_src);
	none_addr_put(&np->np_tun_dst, &pol->pol_tun_dst);
	np->np_reqid = pol->pol_reqid;
	np->np_priority = pol->pol_priority;
	np->np_index = pol->pol_index;
}

static struct kernel_none *
kernel_none_state(const struct kernel *k)
{
	return (k->k_priv);
}

static int
kernel_none_open(struct kernel *k)
{
	struct kernel_none	*kn;

	if ((kn = calloc(1, sizeof(*kn))) == NULL)
		return (ERR_NOMEM);
	TAILQ_INIT(&kn->kn_sas);
	TAILQ_INIT(&kn->kn_pols);
	/* Predictable SPIs keep engine test logs comparable. */
	kn->kn_next_spi = 0x1000;
	k->k_priv = kn;
	return (0);
}

/* The address bytes of ss, the part kernel_addr_equal compares. */
static uint64_t
kernel_none_mix_addr(uint64_t h, const struct sockaddr_storage *ss)
{
	h = util_fnv64(h, &ss->ss_family, sizeof(ss->ss_family));
	if (ss->ss_family == AF_INET)
		return (util_fnv64(h,
		    &((const struct sockaddr_in *)(const void *)ss)->sin_addr,
		    4));
	if (ss->ss_family == AF_INET6)
		return (util_fnv64(h,
		    &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr,
		    16));
	return (h);
}

/* The hash of what kernel_sa_id_match compares. */
static size_t
kernel_none_sa_bucket(const struct kernel_none *kn,
    const struct kernel_sa_id *id)
{
	uint64_t	h = UTIL_FNV64_INIT;

	h = util_fnv64(h, &id->id_spi, sizeof(id->id_spi));
	h = util_fnv64(h, &id->id_proto, sizeof(id->id_proto));
	h = kernel_none_mix_addr(h, &id->id_dst);
	return ((size_t)(h % kn->kn_sa_buckets));
}

/* The hash of the policy key: direction and selector, without ports. */
static size_t
kernel_none_pol_bucket(const struct kernel_none *kn,
    const struct kernel_policy *pol)
{
	uint64_t	h = UTIL_FNV64_INIT;
	uint8_t		k[3];

	k[0] = (uint8_t)pol->pol_dir;
	k[1] = pol->pol_sel.sel_src_prefix;
	k[2] = pol->pol_sel.sel_dst_prefix;
	h = util_fnv64(h, k, sizeof(k));
	h = util_fnv64(h, &pol->pol_sel.sel_proto, 1);
	h = kernel_none_mix_addr(h, &pol->pol_sel.sel_src);
	h = kernel_none_mix_addr(h, &pol->pol_sel.sel_dst);
	return ((size_t)(h % kn->kn_pol_buckets));
}

static size_t
kernel_none_sa_rec_bucket(const struct kernel_none *kn,
    const struct none_sa *ns)
{
	struct kernel_sa_id	id;

	none_sa_id(ns, &id);
	return (kernel_none_sa_bucket(kn, &id));
}

static size_t
kernel_none_pol_rec_bucket(const struct kernel_none *kn,
    const struct none_pol *np)
{
	struct kernel_policy	pol;

	none_pol_get(np, &pol);
	return (kernel_none_pol_bucket(kn, &pol));
}

/* Double the SA table once it contains more SAs than buckets. */
static int
kernel_none_grow_sas(struct kernel_none *kn)
{
	struct none_sa	**hash, *ns;
	size_t		  n, b;

	if (kn->kn_nsas < kn->kn_sa_buckets)
		return (0);
	n = kn->kn_sa_buckets ? kn->kn_sa_buckets * 2 : NONE_BUCKETS_MIN;
	if ((hash = calloc(n, sizeof(*hash))) == NULL)
		return (kn->kn_sa_buckets ? 0 : ERR_NOMEM);
	free(kn->kn_sa_hash);
	kn->kn_sa_hash = hash;
	kn->kn_sa_buckets = n;
	TAILQ_FOREACH(ns, &kn->kn_sas, ns_entry) {
		b = kernel_none_sa_rec_bucket(kn, ns);
		ns->ns_next = hash[b];
		hash[b] = ns;
	}
	return (0);
}

static int
kernel_none_grow_pols(struct kernel_none *kn)
{
	struct none_pol	**hash, *np;
	size_t		  n, b;

	if (kn->kn_npols < kn->kn_pol_buckets)
		return (0);
	n = kn->kn_pol_buckets ? kn->kn_pol_buckets * 2 : NONE_BUCKETS_MIN;
	if ((hash = calloc(n, sizeof(*hash))) == NULL)
		return (kn->kn_pol_buckets ? 0 : ERR_NOMEM);
	free(kn->kn_pol_hash);
	kn->kn_pol_hash = hash;
	kn->kn_pol_buckets = n;
	TAILQ_FOREACH(np, &kn->kn_pols, np_entry) {
		b = kernel_none_pol_rec_bucket(kn, np);
		np->np_next = hash[b];
		hash[b] = np;
	}
	return (0);
}

static struct none_sa *
kernel_none_find_sa(const struct kernel_none *kn, const struct kernel_sa_id *id)
{
	struct none_sa		*ns;
	struct kernel_sa_id	 cur;

	if (kn->kn_sa_buckets == 0)
		return (NULL);
	for (ns = kn->kn_sa_hash[kernel_none_sa_bucket(kn, id)]; ns != NULL;
	    ns = ns->ns_next) {
		if (ns->ns_spi != id->id_spi)
			continue;
		none_sa_id(ns, &cur);
		if (kernel_sa_id_match(&cur, id))
			return (ns);
	}
	return (NULL);
}

static void
kernel_none_unhash_sa(struct kernel_none *kn, struct none_sa *ns)
{
	struct none_sa	**pp;

	pp = &kn->kn_sa_hash[kernel_none_sa_rec_bucket(kn, ns)];
	for (; *pp != NULL; pp = &(*pp)->ns_next)
		if (*pp == ns) {
			*pp = ns->ns_next;
			break;
		}
}

static void
kernel_none_remove_sa(struct kernel_none *kn, struct none_sa *ns)
{
	kernel_none_unhash_sa(kn, ns);
	TAILQ_REMOVE(&kn->kn_sas, ns, ns_entry);
	kn->kn_nsas--;
	none_sa_free(ns);
}

static void
kernel_none_remove_pol(struct kernel_none *kn, struct none_pol *np)
{
	struct none_pol	**pp;

	pp = &kn->kn_pol_hash[kernel_none_pol_rec_bucket(kn, np)];
	for (; *pp != NULL; pp = &(*pp)->np_next)
		if (*pp == np) {
			*pp = np->np_next;
			break;
		}
	TAILQ_REMOVE(&kn->kn_pols, np, np_entry);
	kn->kn_npols--;
	free(np);
}

static int
kernel_none_flush(struct kernel *k)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct none_sa		*ns;
	struct none_pol		*np;

	while ((ns = TAILQ_LAST(&kn->kn_sas, none_sa_list)) != NULL)
		kernel_none_remove_sa(kn, ns);
	while ((np = TAILQ_LAST(&kn->kn_pols, none_pol_list)) != NULL)
		kernel_none_remove_pol(kn, np);
	log_debug(D_PFKEY, "none backend: flushed all SAs and policies");
	return (0);
}

static void
kernel_none_close(struct kernel *k)
{
	struct kernel_none	*kn = kernel_none_state(k);
	size_t			 i;

	kernel_none_flush(k);
	for (i = 0; i < NONE_VIEWS; i++)
		kernel_sa_rec_wipe(&kn->kn_sa_views[i]);
	free(kn->kn_sa_hash);
	free(kn->kn_pol_hash);
	free(kn);
	k->k_priv = NULL;
}

static int
kernel_none_get_spi(struct kernel *k, const struct sockaddr *src,
    const struct sockaddr *dst, uint8_t proto, uint32_t reqid, uint32_t *spi)
{
	struct kernel_none	*kn = kernel_none_state(k);

	*spi = kn->kn_next_spi++;
	log_debug(D_PFKEY, "none backend: SPI 0x%08x reserved (reqid %u)",
	    *spi, reqid);
	return (0);
}

static int
kernel_none_add_sa(struct kernel *k, const struct kernel_sa *sa)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct none_sa		*ns;
	char			 src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	size_t			 b;
	int			 r;

	if (kernel_none_find_sa(kn, &sa->sa_id) != NULL)
		return (ERR_EXISTS);
	if ((r = kernel_none_grow_sas(kn)) != 0)
		return (r);
	if (sa->sa_encr_keylen > KERNEL_KEY_MAX ||
	    sa->sa_auth_keylen > KERNEL_KEY_MAX)
		return (ERR_INVAL);
	if ((ns = none_sa_new(sa)) == NULL)
		return (ERR_NOMEM);
	ns->ns_add_time = time(NULL);
	b = kernel_none_sa_bucket(kn, &sa->sa_id);
	ns->ns_next = kn->kn_sa_hash[b];
	kn->kn_sa_hash[b] = ns;
	TAILQ_INSERT_TAIL(&kn->kn_sas, ns, ns_entry);
	kn->kn_nsas++;
	log_debug(D_PFKEY, "none backend: %s SA 0x%08x %s -> %s, encr %u "
	    "auth %u, reqid %u", sa->sa_dir == KERNEL_DIR_IN ? "inbound" :
	    "outbound", sa->sa_id.id_spi,
	    kernel_addr_str(&sa->sa_id.id_src, src, sizeof(src)),
	    kernel_addr_str(&sa->sa_id.id_dst, dst, sizeof(dst)),
	    sa->sa_encr, sa->sa_auth, sa->sa_reqid);
	return (0);
}

static int
kernel_none_update_sa(struct kernel *k, const struct kernel_sa_update *su)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct none_sa		*ns;
	size_t			 b;

	if ((ns = kernel_none_find_sa(kn, &su->su_id)) == NULL)
		return (ERR_NOTFOUND);
	/* The destination is part of the key: the SA moves in the table. */
	kernel_none_unhash_sa(kn, ns);
	none_addr_put(&ns->ns_src, &su->su_new_src);
	none_addr_put(&ns->ns_dst, &su->su_new_dst);
	ns->ns_encap = su->su_encap != 0;
	b = kernel_none_sa_rec_bucket(kn, ns);
	ns->ns_next = kn->kn_sa_hash[b];
	kn->kn_sa_hash[b] = ns;
	log_debug(D_PFKEY, "none backend: SA 0x%08x updated", ns->ns_spi);
	return (0);
}

static int
kernel_none_delete_sa(struct kernel *k, const struct kernel_sa_id *id)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct none_sa		*ns;

	if ((ns = kernel_none_find_sa(kn, id)) == NULL)
		return (ERR_NOTFOUND);
	kernel_none_remove_sa(kn, ns);
	log_debug(D_PFKEY, "none backend: SA 0x%08x deleted", id->id_spi);
	return (0);
}

static int
kernel_none_query_sa(struct kernel *k, const struct kernel_sa_id *id,
    struct kernel_sa_stats *st)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct none_sa		*ns;

	if ((ns = kernel_none_find_sa(kn, id)) == NULL)
		return (ERR_NOTFOUND);
	st->st_add_time = ns->ns_add_time;
	return (0);
}

static struct none_pol *
kernel_none_find_policy(const struct kernel_none *kn,
    const struct kernel_policy *pol)
{
	struct none_pol		*np;
	struct kernel_selector	 sel;

	if (kn->kn_pol_buckets == 0)
		return (NULL);
	for (np = kn->kn_pol_hash[kernel_none_pol_bucket(kn, pol)];
	    np != NULL; np = np->np_next) {
		if (np->np_dir != (uint8_t)pol->pol_dir)
			continue;
		none_sel_get(&sel, &np->np_sel);
		if (kernel_selector_equal(&sel, &pol->pol_sel))
			return (np);
	}
	return (NULL);
}

static int
kernel_none_add_policy(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct none_pol		*np;
	size_t			 b;
	int			 r;

	if (kernel_none_find_policy(kn, pol) != NULL)
		return (ERR_EXISTS);
	if ((r = kernel_none_grow_pols(kn)) != 0)
		return (r);
	if ((np = calloc(1, sizeof(*np))) == NULL)
		return (ERR_NOMEM);
	none_pol_put(np, pol);
	b = kernel_none_pol_bucket(kn, pol);
	np->np_next = kn->kn_pol_hash[b];
	kn->kn_pol_hash[b] = np;
	TAILQ_INSERT_TAIL(&kn->kn_pols, np, np_entry);
	kn->kn_npols++;
	log_debug(D_PFKEY, "none backend: policy added (reqid %u, index %u)",
	    pol->pol_reqid, pol->pol_index);
	return (0);
}

static int
kernel_none_delete_policy(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct none_pol		*np;

	if ((np = kernel_none_find_policy(kn, pol)) == NULL)
		return (ERR_NOTFOUND);
	kernel_none_remove_pol(kn, np);
	log_debug(D_PFKEY, "none backend: policy deleted (reqid %u)",
	    pol->pol_reqid);
	return (0);
}

static int
kernel_none_bypass_socket(struct kernel *k, int fd, int family)
{
	return (0);
}

static int
kernel_none_enable_udp_decap(struct kernel *k, int fd, int family,
    uint16_t port)
{
	return (0);
}

static void
kernel_none_esp_udp_input(struct kernel *k, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	log_debug(D_PFKEY, "none backend: ESP-in-UDP packet of %zu bytes "
	    "ignored", len);
}

const struct kernel_ops kernel_none_ops = {
	.ko_name = "none",
	.ko_open = kernel_none_open,
	.ko_close = kernel_none_close,
	.ko_get_spi = kernel_none_get_spi,
	.ko_add_sa = kernel_none_add_sa,
	.ko_update_sa = kernel_none_update_sa,
	.ko_delete_sa = kernel_none_delete_sa,
	.ko_query_sa = kernel_none_query_sa,
	.ko_add_policy = kernel_none_add_policy,
	.ko_delete_policy = kernel_none_delete_policy,
	.ko_flush = kernel_none_flush,
	.ko_bypass_socket = kernel_none_bypass_socket,
	.ko_enable_udp_decap = kernel_none_enable_udp_decap,
	.ko_esp_udp_input = kernel_none_esp_udp_input,
};

size_t
kernel_none_sa_count(const struct kernel *k)
{
	if (k->k_ops != &kernel_none_ops)
		return (0);
	return (kernel_none_state(k)->kn_nsas);
}

/*
 * The i-th SA in the order added, rebuilt in one of NONE_VIEWS buffers
 * that are used in turn; O(i), for tests with few SAs.
 */
const struct kernel_sa *
kernel_none_sa_at(const struct kernel *k, size_t i)
{
	struct kernel_none	*kn;
	struct kernel_sa_rec	*rec;
	struct none_sa		*ns;

	if (i >= kernel_none_sa_count(k))
		return (NULL);
	kn = kernel_none_state(k);
	TAILQ_FOREACH(ns, &kn->kn_sas, ns_entry)
		if (i-- == 0)
			break;
	rec = &kn->kn_sa_views[kn->kn_sa_view++ % NONE_VIEWS];
	none_sa_get(ns, rec);
	return (&rec->r_sa);
}

size_t
kernel_none_policy_count(const struct kernel *k)
{
	if (k->k_ops != &kernel_none_ops)
		return (0);
	return (kernel_none_state(k)->kn_npols);
}

const struct kernel_policy *
kernel_none_policy_at(const struct kernel *k, size_t i)
{
	struct kernel_none	*kn;
	struct kernel_policy	*pol;
	struct none_pol		*np;

	if (i >= kernel_none_policy_count(k))
		return (NULL);
	kn = kernel_none_state(k);
	TAILQ_FOREACH(np, &kn->kn_pols, np_entry)
		if (i-- == 0)
			break;
	pol = &kn->kn_pol_views[kn->kn_pol_view++ % NONE_VIEWS];
	none_pol_get(np, pol);
	return (pol);
}

int
kernel_none_expire(struct kernel *k, const struct kernel_sa_id *id, int hard,
    enum kernel_expire_reason reason)
{
	struct kernel_none	*kn;
	struct kernel_expire	 exp;
	struct none_sa		*ns;

	if (k->k_ops != &kernel_none_ops)
		return (ERR_STATE);
	kn = kernel_none_state(k);
	if ((ns = kernel_none_find_sa(kn, id)) == NULL)
		return (ERR_NOTFOUND);
	memset(&exp, 0, sizeof(exp));
	none_sa_id(ns, &exp.exp_id);
	exp.exp_dir = ns->ns_dir;
	exp.exp_reqid = ns->ns_reqid;
	exp.exp_hard = hard ? 1 : 0;
	exp.exp_reason = reason;
	exp.exp_stats.st_add_time = ns->ns_add_time;
	/* As in a real backend, a hard expiry removes the SA first. */
	if (hard)
		kernel_none_remove_sa(kn, ns);
	if (k->k_cb.kc_expire != NULL)
		k->k_cb.kc_expire(k->k_arg, &exp);
	return (0);
}
