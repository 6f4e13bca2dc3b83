/*
 * XFRM netlink requests built from the kernel interface structs: SAs with
 * their algorithms, SPI allocation, policies with templates, and the
 * per-socket bypass policy.
 */
#include <netinet/in.h>
#include <linux/udp.h>

#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"
#include "lib/util.h"

#define XFRM_ESP_PORT		4500	/* RFC 3948 */
/* The legacy replay field covers 32 packets; larger windows need ESN_VAL. */
#define XFRM_LEGACY_WINDOW	32
#define XFRM_DEFAULT_WINDOW	64
#define XFRM_MAX_WINDOW		4096

static const struct {
	uint16_t	 a_id;
	const char	*a_name;
} xfrm_msg_encrs[] = {
	{ KERNEL_ENCR_3DES,		"cbc(des3_ede)" },
	{ KERNEL_ENCR_NULL,		"ecb(cipher_null)" },
	{ KERNEL_ENCR_AES_CBC,		"cbc(aes)" },
	{ KERNEL_ENCR_AES_GCM_8,	"rfc4106(gcm(aes))" },
	{ KERNEL_ENCR_AES_GCM_12,	"rfc4106(gcm(aes))" },
	{ KERNEL_ENCR_AES_GCM_16,	"rfc4106(gcm(aes))" },
};

static const struct {
	uint16_t	 a_id;
	const char	*a_name;
	unsigned int	 a_trunc_bits;	/* ICV length */
} xfrm_msg_auths[] = {
	{ KERNEL_AUTH_HMAC_MD5,		"hmac(md5)",	96 },
	{ KERNEL_AUTH_HMAC_SHA1,	"hmac(sha1)",	96 },
	{ KERNEL_AUTH_HMAC_SHA2_256,	"hmac(sha256)",	128 },	/* RFC 4868 */
	{ KERNEL_AUTH_HMAC_SHA2_384,	"hmac(sha384)",	192 },
	{ KERNEL_AUTH_HMAC_SHA2_512,	"hmac(sha512)",	256 },
};

const char *
xfrm_msg_encr_name(uint16_t encr)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(xfrm_msg_encrs); i++) {
		if (xfrm_msg_encrs[i].a_id == encr)
			return (xfrm_msg_encrs[i].a_name);
	}
	return (NULL);
}

const char *
xfrm_msg_auth_name(uint16_t auth)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(xfrm_msg_auths); i++) {
		if (xfrm_msg_auths[i].a_id == auth)
			return (xfrm_msg_auths[i].a_name);
	}
	return (NULL);
}

/* The ICV length in bits: the GCM variant or the truncated HMAC. */
size_t
xfrm_msg_icv_bits(uint16_t encr, uint16_t auth)
{
	size_t	i;

	switch (encr) {
	case KERNEL_ENCR_AES_GCM_8:
		return (64);
	case KERNEL_ENCR_AES_GCM_12:
		return (96);
	case KERNEL_ENCR_AES_GCM_16:
		return (128);
	default:
		break;
	}
	for (i = 0; i < UTIL_NELEM(xfrm_msg_auths); i++) {
		if (xfrm_msg_auths[i].a_id == auth)
			return (xfrm_msg_auths[i].a_trunc_bits);
	}
	return (0);
}

static int
xfrm_msg_is_aead(uint16_t encr)
{
	return (encr == KERNEL_ENCR_AES_GCM_8 ||
	    encr == KERNEL_ENCR_AES_GCM_12 || encr == KERNEL_ENCR_AES_GCM_16);
}

void
xfrm_msg_addr(xfrm_address_t *xa, const struct sockaddr_storage *ss)
{
	memset(xa, 0, sizeof(*xa));
	if (ss->ss_family == AF_INET)
		memcpy(&xa->a4, &((const struct sockaddr_in *)ss)->sin_addr,
		    sizeof(xa->a4));
	else if (ss->ss_family == AF_INET6)
		memcpy(xa->a6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    sizeof(xa->a6));
}

static uint16_t
xfrm_msg_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return (((const struct sockaddr_in6 *)ss)->sin6_port);
	return (0);
}

/*
 * A selector of the kernel interface as XFRM's.  Ports stay in network
 * byte order; for ICMP they contain the type and code, which XFRM
 * compares in the same fields.  An unset selector (family 0) matches
 * all traffic of `family'.
 */
void
xfrm_msg_selector(struct xfrm_selector *xs, const struct kernel_selector *ks,
    int family)
{
	memset(xs, 0, sizeof(*xs));
	if (ks->sel_src.ss_family == 0 && ks->sel_dst.ss_family == 0) {
		xs->family = (uint16_t)family;
		return;
	}
	xs->family = ks->sel_src.ss_family;
	xfrm_msg_addr(&xs->saddr, &ks->sel_src);
	xfrm_msg_addr(&xs->daddr, &ks->sel_dst);
	xs->prefixlen_s = ks->sel_src_prefix;
	xs->prefixlen_d = ks->sel_dst_prefix;
	xs->proto = ks->sel_proto;
	xs->sport = xfrm_msg_port(&ks->sel_src);
	xs->dport = xfrm_msg_port(&ks->sel_dst);
	if (xs->sport != 0)
		xs->sport_mask = 0xffff;
	if (xs->dport != 0)
		xs->dport_mask = 0xffff;
}

static uint64_t
xfrm_msg_limit(uint64_t v, uint64_t scale)
{
	if (v == 0 || v > XFRM_INF / scale)
		return (XFRM_INF);
	return (v * scale);
}

static void
xfrm_msg_lifetime(struct xfrm_lifetime_cfg *lft,
    const struct kernel_lifetime *lt)
{
	lft->soft_byte_limit = xfrm_msg_limit(lt->lt_soft_kbytes, 1024);
	lft->hard_byte_limit = xfrm_msg_limit(lt->lt_hard_kbytes, 1024);
	lft->soft_packet_limit = XFRM_INF;
	lft->hard_packet_limit = XFRM_INF;
	lft->soft_add_expires_seconds = lt->lt_soft_seconds;
	lft->hard_add_expires_seconds = lt->lt_hard_seconds;
	/*
	 * NOTE: XFRM has no idle timeout (its "use" expiry counts from the
	 * first packet), so lt_idle_seconds is not installed.
	 */
}

static int
xfrm_msg_put_algs(struct nlmsghdr *nlh, const struct kernel_sa *sa)
{
	union {
		struct xfrm_algo	a;
		struct xfrm_algo_auth	au;
		struct xfrm_algo_aead	ae;
		uint8_t			raw[sizeof(struct xfrm_algo_auth) +
					    KERNEL_KEY_MAX];
	}		 alg;
	const char	*encr = xfrm_msg_encr_name(sa->sa_encr);
	const char	*auth = xfrm_msg_auth_name(sa->sa_auth);

	if (encr == NULL)
		return (ERR_UNSUPPORTED);
	if (sa->sa_encr_keylen > KERNEL_KEY_MAX ||
	    sa->sa_auth_keylen > KERNEL_KEY_MAX)
		return (ERR_INVAL);
	memset(&alg, 0, sizeof(alg));
	if (xfrm_msg_is_aead(sa->sa_encr)) {
		if (sa->sa_auth != KERNEL_AUTH_NONE)
			return (ERR_INVAL);
		snprintf(alg.ae.alg_name, sizeof(alg.ae.alg_name), "%s", encr);
		alg.ae.alg_key_len = (unsigned int)sa->sa_encr_keylen * 8;
		alg.ae.alg_icv_len = (unsigned int)xfrm_msg_icv_bits(
		    sa->sa_encr, 0);
		memcpy(alg.raw + sizeof(alg.ae), sa->sa_encr_key,
		    sa->sa_encr_keylen);
		mnl_attr_put(nlh, XFRMA_ALG_AEAD,
		    sizeof(alg.ae) + sa->sa_encr_keylen, &alg);
		goto out;
	}
	snprintf(alg.a.alg_name, sizeof(alg.a.alg_name), "%s", encr);
	alg.a.alg_key_len = (unsigned int)sa->sa_encr_keylen * 8;
	if (sa->sa_encr_keylen > 0)
		memcpy(alg.raw + sizeof(alg.a), sa->sa_encr_key,
		    sa->sa_encr_keylen);
	mnl_attr_put(nlh, XFRMA_ALG_CRYPT, sizeof(alg.a) + sa->sa_encr_keylen,
	    &alg);
	if (sa->sa_auth == KERNEL_AUTH_NONE)
		goto out;
	if (auth == NULL) {
		util_wipe(&alg, sizeof(alg));
		return (ERR_UNSUPPORTED);
	}
	memset(&alg, 0, sizeof(alg));
	snprintf(alg.au.alg_name, sizeof(alg.au.alg_name), "%s", auth);
	alg.au.alg_key_len = (unsigned int)sa->sa_auth_keylen * 8;
	alg.au.alg_trunc_len = (unsigned int)xfrm_msg_icv_bits(0, sa->sa_auth);
	memcpy(alg.raw + sizeof(alg.au), sa->sa_auth_key, sa->sa_auth_keylen);
	mnl_attr_put(nlh, XFRMA_ALG_AUTH_TRUNC,
	    sizeof(alg.au) + sa->sa_auth_keylen, &alg);
out:
	util_wipe(&alg, sizeof(alg));
	return (0);
}

/* Windows above 32 packets need the bitmap attribute (legacy field 0). */
static void
xfrm_msg_put_replay(struct nlmsghdr *nlh, struct xfrm_usersa_info *info,
    uint32_t window)
{
	union {
		struct xfrm_replay_state_esn	esn;
		uint8_t				raw[sizeof(struct
						    xfrm_replay_state_esn) +
						    XFRM_MAX_WINDOW / 8];
	}	rs;

	if (window == 0)
		window = XFRM_DEFAULT_WINDOW;
	if (window > XFRM_MAX_WINDOW)
		window = XFRM_MAX_WINDOW;
	if (window <= XFRM_LEGACY_WINDOW) {
		info->replay_window = (uint8_t)window;
		return;
	}
	memset(&rs, 0, sizeof(rs));
	rs.esn.replay_window = window;
	rs.esn.bmp_len = (window + 31) / 32;
	mnl_attr_put(nlh, XFRMA_REPLAY_ESN_VAL,
	    sizeof(rs.esn) + rs.esn.bmp_len * sizeof(uint32_t), &rs);
}

static void
xfrm_msg_put_encap(struct nlmsghdr *nlh, const struct kernel_sa_id *id)
{
	struct xfrm_encap_tmpl	encap;

	memset(&encap, 0, sizeof(encap));
	encap.encap_type = UDP_ENCAP_ESPINUDP;
	encap.encap_sport = xfrm_msg_port(&id->id_src);
	encap.encap_dport = xfrm_msg_port(&id->id_dst);
	if (encap.encap_sport == 0)
		encap.encap_sport = htons(XFRM_ESP_PORT);
	if (encap.encap_dport == 0)
		encap.encap_dport = htons(XFRM_ESP_PORT);
	mnl_attr_put(nlh, XFRMA_ENCAP, sizeof(encap), &encap);
}

/* The body of XFRM_MSG_NEWSA or _UPDSA (type set by the caller). */
int
xfrm_msg_sa(struct nlmsghdr *nlh, const struct kernel_sa *sa)
{
	struct xfrm_usersa_info	*info;
	int			 family = sa->sa_id.id_dst.ss_family;

	info = mnl_nlmsg_put_extra_header(nlh, sizeof(*info));
	xfrm_msg_selector(&info->sel, &sa->sa_sel, family);
	xfrm_msg_addr(&info->id.daddr, &sa->sa_id.id_dst);
	info->id.spi = htonl(sa->sa_id.id_spi);
	info->id.proto = sa->sa_id.id_proto;
	xfrm_msg_addr(&info->saddr, &sa->sa_id.id_src);
	xfrm_msg_lifetime(&info->lft, &sa->sa_lifetime);
	info->reqid = sa->sa_reqid;
	info->family = (uint16_t)family;
	info->mode = sa->sa_mode == KERNEL_MODE_TUNNEL ? XFRM_MODE_TUNNEL :
	    XFRM_MODE_TRANSPORT;
	/* Inner traffic of another family (IPv6 over IPv4 and back). */
	if (info->sel.family != family)
		info->flags |= XFRM_STATE_AF_UNSPEC;
	if (sa->sa_dir == KERNEL_DIR_IN)
		xfrm_msg_put_replay(nlh, info, sa->sa_replay_window);
	if (sa->sa_encap)
		xfrm_msg_put_encap(nlh, &sa->sa_id);
	return (xfrm_msg_put_algs(nlh, sa));
}

/* The body of XFRM_MSG_DELSA or _GETSA. */
void
xfrm_msg_sa_id(struct nlmsghdr *nlh, const struct kernel_sa_id *id)
{
	struct xfrm_usersa_id	*sid;
	xfrm_address_t		 src;

	sid = mnl_nlmsg_put_extra_header(nlh, sizeof(*sid));
	xfrm_msg_addr(&sid->daddr, &id->id_dst);
	sid->spi = htonl(id->id_spi);
	sid->family = id->id_dst.ss_family;
	sid->proto = id->id_proto;
	if (id->id_src.ss_family == id->id_dst.ss_family) {
		xfrm_msg_addr(&src, &id->id_src);
		mnl_attr_put(nlh, XFRMA_SRCADDR, sizeof(src), &src);
	}
}

static void
xfrm_msg_sockaddr(struct sockaddr_storage *ss, const struct sockaddr *sa)
{
	memset(ss, 0, sizeof(*ss));
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		memcpy(ss, sa, sizeof(struct sockaddr_in));
	else if (sa->sa_family == AF_INET6)
		memcpy(ss, sa, sizeof(struct sockaddr_in6));
}

/*
 * XFRM_MSG_ALLOCSPI: the kernel reserves a random SPI of [256, 2^32-1]
 * in a larval SA from src (peer) to dst (us).
 */
void
xfrm_msg_allocspi(struct nlmsghdr *nlh, const struct sockaddr *src,
    const struct sockaddr *dst, uint8_t proto, uint32_t reqid)
{
	struct xfrm_userspi_info	*usi;
	struct sockaddr_storage		 s, d;

	xfrm_msg_sockaddr(&s, src);
	xfrm_msg_sockaddr(&d, dst);
	usi = mnl_nlmsg_put_extra_header(nlh, sizeof(*usi));
	xfrm_msg_addr(&usi->info.id.daddr, &d);
	xfrm_msg_addr(&usi->info.saddr, &s);
	usi->info.id.proto = proto;
	usi->info.family = d.ss_family;
	usi->info.reqid = reqid;
	usi->info.sel.family = d.ss_family;
	usi->min = 256;		/* 1-255 are reserved (RFC 4303 2.1) */
	usi->max = 0xffffffff;
}

uint8_t
xfrm_msg_dir(enum kernel_dir dir)
{
	switch (dir) {
	case KERNEL_DIR_IN:
		return (XFRM_POLICY_IN);
	case KERNEL_DIR_FWD:
		return (XFRM_POLICY_FWD);
	default:
		return (XFRM_POLICY_OUT);
	}
}

static void
xfrm_msg_put_tmpl(struct nlmsghdr *nlh, const struct kernel_policy *pol)
{
	struct xfrm_user_tmpl	tmpl;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.id.proto = pol->pol_proto;
	tmpl.reqid = pol->pol_reqid;
	tmpl.aalgos = ~0U;
	tmpl.ealgos = ~0U;
	tmpl.calgos = ~0U;
	if (pol->pol_mode == KERNEL_MODE_TUNNEL) {
		tmpl.mode = XFRM_MODE_TUNNEL;
		tmpl.family = pol->pol_tun_dst.ss_family;
		xfrm_msg_addr(&tmpl.saddr, &pol->pol_tun_src);
		xfrm_msg_addr(&tmpl.id.daddr, &pol->pol_tun_dst);
	} else {
		tmpl.mode = XFRM_MODE_TRANSPORT;
		tmpl.family = pol->pol_sel.sel_dst.ss_family;
	}
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(tmpl), &tmpl);
}

/*
 * The body of XFRM_MSG_NEWPOLICY or _UPDPOLICY in direction dir (the
 * policy's own, or FWD for the twin of an inbound tunnel policy).
 */
int
xfrm_msg_policy(struct nlmsghdr *nlh, const struct kernel_policy *pol,
    uint8_t dir)
{
	struct xfrm_userpolicy_info	*upi;

	upi = mnl_nlmsg_put_extra_header(nlh, sizeof(*upi));
	xfrm_msg_selector(&upi->sel, &pol->pol_sel,
	    pol->pol_sel.sel_dst.ss_family);
	upi->lft.soft_byte_limit = XFRM_INF;
	upi->lft.hard_byte_limit = XFRM_INF;
	upi->lft.soft_packet_limit = XFRM_INF;
	upi->lft.hard_packet_limit = XFRM_INF;
	upi->priority = pol->pol_priority;
	upi->dir = dir;
	switch (pol->pol_action) {
	case KERNEL_ACTION_IPSEC:
		if (pol->pol_proto != KERNEL_PROTO_ESP &&
		    pol->pol_proto != KERNEL_PROTO_AH)
			return (ERR_INVAL);
		upi->action = XFRM_POLICY_ALLOW;
		xfrm_msg_put_tmpl(nlh, pol);
		break;
	case KERNEL_ACTION_BYPASS:
		upi->action = XFRM_POLICY_ALLOW;
		break;
	case KERNEL_ACTION_DROP:
		upi->action = XFRM_POLICY_BLOCK;
		break;
	default:
		return (ERR_INVAL);
	}
	return (0);
}

/* The body of XFRM_MSG_DELPOLICY. */
void
xfrm_msg_policy_id(struct nlmsghdr *nlh, const struct kernel_policy *pol,
    uint8_t dir)
{
	struct xfrm_userpolicy_id	*pid;

	pid = mnl_nlmsg_put_extra_header(nlh, sizeof(*pid));
	xfrm_msg_selector(&pid->sel, &pol->pol_sel,
	    pol->pol_sel.sel_dst.ss_family);
	pid->dir = dir;
}

/*
 * The per-socket policy for IP_XFRM_POLICY / IPV6_XFRM_POLICY: allow
 * without templates, so the socket's traffic skips every global policy.
 */
int
xfrm_msg_socket_policy(struct xfrm_userpolicy_info *upi, int family,
    uint8_t dir)
{
	if (family != AF_INET && family != AF_INET6)
		return (ERR_INVAL);
	memset(upi, 0, sizeof(*upi));
	upi->sel.family = (uint16_t)family;
	upi->lft.soft_byte_limit = XFRM_INF;
	upi->lft.hard_byte_limit = XFRM_INF;
	upi->lft.soft_packet_limit = XFRM_INF;
	upi->lft.hard_packet_limit = XFRM_INF;
	upi->dir = dir;
	upi->action = XFRM_POLICY_ALLOW;
	return (0);
}
