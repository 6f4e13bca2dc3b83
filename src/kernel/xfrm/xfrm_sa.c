/*
 * SAs in the kernel: SPI reservation (ALLOCSPI), add (NEWSA, or UPDSA
 * over a reservation), address and port changes, delete and counters.
 * Every SA is also kept in kx_sas with a wiped copy of its keys, because
 * XFRM cannot change the addresses of an SA in place: an update re-adds
 * it.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"
#include "lib/util.h"

struct xfrm_sa *
xfrm_sa_find(struct kernel_xfrm *kx, const struct kernel_sa_id *id)
{
	struct xfrm_sa	*xs;

	TAILQ_FOREACH(xs, &kx->kx_sas, xs_entry) {
		if (kernel_sa_id_match(&xs->xs_rec.r_sa.sa_id, id))
			return (xs);
	}
	return (NULL);
}

void
xfrm_sa_forget(struct kernel_xfrm *kx, struct xfrm_sa *xs)
{
	TAILQ_REMOVE(&kx->kx_sas, xs, xs_entry);
	kernel_sa_rec_wipe(&xs->xs_rec);
	free(xs);
}

static int
xfrm_sa_spi_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_usersa_info	info;
	uint32_t		*spi = arg;
	int			r;

	if ((r = xfrm_parse_sa(nlh, &info)) != 0)
		return (r);
	*spi = ntohl(info.id.spi);
	return (0);
}

static void
xfrm_sa_copy_addr(struct sockaddr_storage *ss, const struct sockaddr *sa)
{
	memset(ss, 0, sizeof(*ss));
	if (sa != NULL && sa->sa_family == AF_INET)
		memcpy(ss, sa, sizeof(struct sockaddr_in));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		memcpy(ss, sa, sizeof(struct sockaddr_in6));
}

int
xfrm_sa_get_spi(struct kernel *k, const struct sockaddr *src,
    const struct sockaddr *dst, uint8_t proto, uint32_t reqid, uint32_t *spi)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);
	uint8_t			 buf[XFRM_BUF_LEN];
	struct nlmsghdr		*nlh;
	struct xfrm_sa		*xs;
	struct kernel_sa	*sa;
	char			 err[256];
	uint32_t		 v = 0;

	if (dst == NULL || (dst->sa_family != AF_INET &&
	    dst->sa_family != AF_INET6))
		return (ERR_INVAL);
	if ((xs = calloc(1, sizeof(*xs))) == NULL)
		return (ERR_NOMEM);
	nlh = xfrm_nl_header(buf, XFRM_MSG_ALLOCSPI, 0);
	xfrm_msg_allocspi(nlh, src, dst, proto, reqid);
	if (xfrm_nl_request(&kx->kx_nl, nlh, xfrm_sa_spi_reply, &v) != 0 ||
	    v < 256) {
		log_err("cannot reserve an SPI (reqid %u): %s", reqid,
		    xfrm_nl_error(&kx->kx_nl, err, sizeof(err)));
		free(xs);
		return (ERR_SYSTEM);
	}
	xs->xs_larval = 1;
	sa = &xs->xs_rec.r_sa;
	sa->sa_dir = KERNEL_DIR_IN;
	xfrm_sa_copy_addr(&sa->sa_id.id_src, src);
	xfrm_sa_copy_addr(&sa->sa_id.id_dst, dst);
	sa->sa_id.id_spi = v;
	sa->sa_id.id_proto = proto;
	sa->sa_reqid = reqid;
	TAILQ_INSERT_TAIL(&kx->kx_sas, xs, xs_entry);
	*spi = v;
	log_debug(D_PFKEY, "SPI 0x%08x reserved (reqid %u)", v, reqid);
	return (0);
}

/* "cbc(aes)-128 with hmac(sha256)" for messages. */
static const char *
xfrm_sa_alg_text(const struct kernel_sa *sa, char *buf, size_t len)
{
	const char	*encr = xfrm_msg_encr_name(sa->sa_encr);
	const char	*auth = xfrm_msg_auth_name(sa->sa_auth);

	if (encr == NULL) {
		snprintf(buf, len, "ESP transform %u", sa->sa_encr);
		return (buf);
	}
	if (sa->sa_auth == KERNEL_AUTH_NONE)
		snprintf(buf, len, "%s-%zu", encr, sa->sa_encr_keylen * 8);
	else
		snprintf(buf, len, "%s-%zu with %s", encr,
		    sa->sa_encr_keylen * 8, auth != NULL ? auth : "?");
	return (buf);
}

/* What to do about the errno of a rejected SA. */
static const char *
xfrm_sa_hint(int e)
{
	switch (e) {
	case EPROTONOSUPPORT:
	case ENOPROTOOPT:
	case ESRCH:
		return ("this kernel has no ESP: load the esp4 and esp6 "
		    "modules, or run in.iked with -B userspace");
	case ENOSYS:
	case ENOENT:
		return ("the kernel lacks this algorithm: load its crypto "
		    "module, choose another transform, or run in.iked with "
		    "-B userspace");
	case EEXIST:
		return ("an SA with this SPI and destination exists already: "
		    "delete it with ip xfrm state delete");
	case EPERM:
		return ("in.iked needs CAP_NET_ADMIN to install SAs");
	default:
		return ("check the SA parameters in the kernel log, or run "
		    "in.iked with -B userspace");
	}
}

static void
xfrm_sa_log_error(struct kernel_xfrm *kx, const char *what,
    const struct kernel_sa *sa)
{
	char	src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char	alg[96], err[256];

	log_err("cannot %s %s ESP SA 0x%08x from %s to %s (%s): %s: %s",
	    what, sa->sa_dir == KERNEL_DIR_IN ? "inbound" : "outbound",
	    sa->sa_id.id_spi,
	    kernel_addr_str(&sa->sa_id.id_src, src, sizeof(src)),
	    kernel_addr_str(&sa->sa_id.id_dst, dst, sizeof(dst)),
	    xfrm_sa_alg_text(sa, alg, sizeof(alg)),
	    xfrm_nl_error(&kx->kx_nl, err, sizeof(err)),
	    xfrm_sa_hint(kx->kx_nl.xn_errno));
}

static int
xfrm_sa_install(struct kernel_xfrm *kx, const struct kernel_sa *sa,
    uint16_t type)
{
	uint8_t		 buf[XFRM_BUF_LEN];
	struct nlmsghdr	*nlh;
	int		 r;

	nlh = xfrm_nl_header(buf, type, 0);
	if ((r = xfrm_msg_sa(nlh, sa)) == 0)
		r = xfrm_nl_request(&kx->kx_nl, nlh, NULL, NULL);
	util_wipe(buf, sizeof(buf));
	return (r);
}

/* Map the errno of a failed request to the interface's codes. */
static int
xfrm_sa_errcode(int e)
{
	switch (e) {
	case EEXIST:
		return (ERR_EXISTS);
	case ESRCH:
	case ENOENT:
		return (ERR_NOTFOUND);
	case EPROTONOSUPPORT:
	case ENOPROTOOPT:
	case ENOSYS:
		return (ERR_UNSUPPORTED);
	case EPERM:
		return (ERR_PERM);
	case EINVAL:
		return (ERR_INVAL);
	default:
		return (ERR_SYSTEM);
	}
}

int
xfrm_sa_add(struct kernel *k, const struct kernel_sa *sa)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);
	struct xfrm_sa		*xs, *larval;
	char			 dst[INET6_ADDRSTRLEN];
	int			 r;

	larval = xfrm_sa_find(kx, &sa->sa_id);
	if (larval != NULL && (!larval->xs_larval ||
	    sa->sa_dir != KERNEL_DIR_IN))
		return (ERR_EXISTS);
	if (xfrm_msg_encr_name(sa->sa_encr) == NULL ||
	    (sa->sa_auth != KERNEL_AUTH_NONE &&
	    xfrm_msg_auth_name(sa->sa_auth) == NULL)) {
		log_err("SA 0x%08x: ESP transform %u with authentication "
		    "%u is not supported by the XFRM backend",
		    sa->sa_id.id_spi, sa->sa_encr, sa->sa_auth);
		return (ERR_UNSUPPORTED);
	}
	if ((xs = calloc(1, sizeof(*xs))) == NULL)
		return (ERR_NOMEM);
	if ((r = kernel_sa_rec_init(&xs->xs_rec, sa)) != 0)
		goto out;
	/*
	 * An inbound SA replaces the larval SA of its SPI reservation.
	 * When that has expired (net.core.xfrm_acq_expires, 30 s by
	 * default), the SA is added afresh.
	 */
	r = ERR_NOTFOUND;
	if (larval != NULL)
		r = xfrm_sa_install(kx, sa, XFRM_MSG_UPDSA);
	if (r != 0 && (larval == NULL || kx->kx_nl.xn_errno == ESRCH))
		r = xfrm_sa_install(kx, sa, XFRM_MSG_NEWSA);
	if (r != 0) {
		if (r == ERR_SYSTEM) {
			xfrm_sa_log_error(kx, "install", sa);
			r = xfrm_sa_errcode(kx->kx_nl.xn_errno);
		}
		goto out;
	}
	if (larval != NULL)
		xfrm_sa_forget(kx, larval);
	TAILQ_INSERT_TAIL(&kx->kx_sas, xs, xs_entry);
	log_debug(D_PFKEY, "%s SA 0x%08x to %s added (reqid %u)",
	    sa->sa_dir == KERNEL_DIR_IN ? "inbound" : "outbound",
	    sa->sa_id.id_spi, kernel_addr_str(&sa->sa_id.id_dst, dst,
	    sizeof(dst)), sa->sa_reqid);
	xs = NULL;
out:
	if (xs != NULL) {
		kernel_sa_rec_wipe(&xs->xs_rec);
		free(xs);
	}
	return (r);
}

static int
xfrm_sa_remove(struct kernel_xfrm *kx, const struct kernel_sa_id *id)
{
	uint8_t		 buf[XFRM_BUF_LEN];
	struct nlmsghdr	*nlh;

	nlh = xfrm_nl_header(buf, XFRM_MSG_DELSA, 0);
	xfrm_msg_sa_id(nlh, id);
	if (xfrm_nl_request(&kx->kx_nl, nlh, NULL, NULL) == 0)
		return (0);
	/* Gone already: a hard expiry raced with us. */
	if (kx->kx_nl.xn_errno == ESRCH || kx->kx_nl.xn_errno == ENOENT)
		return (0);
	return (ERR_SYSTEM);
}

/*
 * A port float (both old and new in UDP) changes only the encapsulation,
 * which UPDSA can do in place.  Other changes remove the SA and add it
 * with the new addresses; if that fails, the old SA is restored.
 */
int
xfrm_sa_update(struct kernel *k, const struct kernel_sa_update *su)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);
	struct xfrm_sa		*xs;
	struct kernel_sa	 sa;
	const struct kernel_sa_id *old;
	int			 r;

	if ((xs = xfrm_sa_find(kx, &su->su_id)) == NULL || xs->xs_larval)
		return (ERR_NOTFOUND);
	sa = xs->xs_rec.r_sa;
	sa.sa_id.id_src = su->su_new_src;
	sa.sa_id.id_dst = su->su_new_dst;
	sa.sa_encap = su->su_encap;
	old = &xs->xs_rec.r_sa.sa_id;
	if (sa.sa_encap && xs->xs_rec.r_sa.sa_encap &&
	    kernel_addr_equal(&sa.sa_id.id_src, &old->id_src) &&
	    kernel_addr_equal(&sa.sa_id.id_dst, &old->id_dst))
		r = xfrm_sa_install(kx, &sa, XFRM_MSG_UPDSA);
	else if ((r = xfrm_sa_remove(kx, &xs->xs_rec.r_sa.sa_id)) == 0 &&
	    (r = xfrm_sa_install(kx, &sa, XFRM_MSG_NEWSA)) != 0) {
		xfrm_sa_log_error(kx, "move", &sa);
		if (xfrm_sa_install(kx, &xs->xs_rec.r_sa, XFRM_MSG_NEWSA) != 0)
			xfrm_sa_forget(kx, xs);
		return (r);
	}
	if (r != 0) {
		xfrm_sa_log_error(kx, "update", &sa);
		return (r);
	}
	xs->xs_rec.r_sa.sa_id.id_src = sa.sa_id.id_src;
	xs->xs_rec.r_sa.sa_id.id_dst = sa.sa_id.id_dst;
	xs->xs_rec.r_sa.sa_encap = sa.sa_encap;
	log_debug(D_PFKEY, "SA 0x%08x updated", sa.sa_id.id_spi);
	return (0);
}

int
xfrm_sa_delete(struct kernel *k, const struct kernel_sa_id *id)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);
	struct xfrm_sa		*xs;
	char			 err[256];

	if ((xs = xfrm_sa_find(kx, id)) == NULL)
		return (ERR_NOTFOUND);
	if (xfrm_sa_remove(kx, &xs->xs_rec.r_sa.sa_id) != 0) {
		log_err("cannot delete SA 0x%08x: %s", id->id_spi,
		    xfrm_nl_error(&kx->kx_nl, err, sizeof(err)));
		return (xfrm_sa_errcode(kx->kx_nl.xn_errno));
	}
	xfrm_sa_forget(kx, xs);
	log_debug(D_PFKEY, "SA 0x%08x deleted", id->id_spi);
	return (0);
}

static int
xfrm_sa_stats_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct kernel_sa_stats	*st = arg;
	struct xfrm_usersa_info	 info;
	int			 r;

	if ((r = xfrm_parse_sa(nlh, &info)) != 0)
		return (r);
	st->st_bytes = info.curlft.bytes;
	st->st_packets = info.curlft.packets;
	st->st_add_time = (int64_t)info.curlft.add_time;
	st->st_use_time = (int64_t)info.curlft.use_time;
	st->st_auth_failures = info.stats.integrity_failed;
	st->st_replay_drops = info.stats.replay;
	return (0);
}

int
xfrm_sa_query(struct kernel *k, const struct kernel_sa_id *id,
    struct kernel_sa_stats *st)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);
	uint8_t			 buf[XFRM_BUF_LEN];
	struct nlmsghdr		*nlh;
	struct xfrm_sa		*xs;

	if ((xs = xfrm_sa_find(kx, id)) == NULL || xs->xs_larval)
		return (ERR_NOTFOUND);
	nlh = xfrm_nl_header(buf, XFRM_MSG_GETSA, 0);
	xfrm_msg_sa_id(nlh, &xs->xs_rec.r_sa.sa_id);
	if (xfrm_nl_request(&kx->kx_nl, nlh, xfrm_sa_stats_reply, st) != 0)
		return (xfrm_sa_errcode(kx->kx_nl.xn_errno));
	return (0);
}

/* Remove every SA and reservation of this handle from the kernel. */
void
xfrm_sa_flush(struct kernel_xfrm *kx)
{
	struct xfrm_sa	*xs;
	char		 err[256];

	while ((xs = TAILQ_FIRST(&kx->kx_sas)) != NULL) {
		if (xfrm_sa_remove(kx, &xs->xs_rec.r_sa.sa_id) != 0)
			log_warn("cannot delete SA 0x%08x: %s",
			    xs->xs_rec.r_sa.sa_id.id_spi,
			    xfrm_nl_error(&kx->kx_nl, err, sizeof(err)));
		xfrm_sa_forget(kx, xs);
	}
}
