/*
 * Acquire and expire notifications from the XFRMNLGRP_ACQUIRE and
 * XFRMNLGRP_EXPIRE multicast groups, turned into the kc_acquire and
 * kc_expire callbacks for our own policies and SAs.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <event2/event.h>
#include <libmnl/libmnl.h>

#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"
#include "lib/util.h"

#define XFRM_EVENT_GROUP(g)	(1U << ((g) - 1))
#define XFRM_EVENT_MAX_TMPL	8
#define XFRM_EVENT_RCVBUF	(1024 * 1024)

static void
xfrm_event_acquire(struct kernel_xfrm *kx, const struct nlmsghdr *nlh)
{
	struct xfrm_user_acquire	 ua;
	struct xfrm_user_tmpl		 tmpl[XFRM_EVENT_MAX_TMPL];
	struct kernel_acquire		 acq;
	struct kernel_selector		 psel;
	struct xfrm_pol			*xp;
	const struct kernel_policy	*pol;
	char				 dst[INET6_ADDRSTRLEN];
	int				 ntmpl = XFRM_EVENT_MAX_TMPL;

	if (xfrm_parse_acquire(nlh, &ua, tmpl, &ntmpl) != 0) {
		if (log_ratelimit_pass(&kx->kx_ratelimit))
			log_warn("XFRM acquire of %u bytes is malformed: "
			    "ignored", nlh->nlmsg_len);
		return;
	}
	xfrm_parse_selector(&psel, &ua.policy.sel);
	if (ua.policy.dir != XFRM_POLICY_OUT ||
	    (xp = xfrm_pol_find(kx, KERNEL_DIR_OUT, &psel)) == NULL) {
		log_debug(D_PFKEY, "XFRM acquire for a policy we did not "
		    "install (index %u): ignored", ua.policy.index);
		return;
	}
	pol = &xp->xp_pol;
	memset(&acq, 0, sizeof(acq));
	xfrm_parse_selector(&acq.acq_packet, &ua.sel);
	acq.acq_policy = pol->pol_sel;
	/* The kernel fills id/saddr from the template or the packet. */
	xfrm_parse_addr(&acq.acq_src, &ua.saddr, ua.policy.sel.family, 0);
	xfrm_parse_addr(&acq.acq_dst, &ua.id.daddr, ua.policy.sel.family, 0);
	if (ntmpl > 0 && tmpl[0].mode == XFRM_MODE_TUNNEL) {
		xfrm_parse_addr(&acq.acq_src, &ua.saddr, tmpl[0].family, 0);
		xfrm_parse_addr(&acq.acq_dst, &ua.id.daddr, tmpl[0].family,
		    0);
	}
	acq.acq_mode = pol->pol_mode;
	acq.acq_proto = ua.id.proto != 0 ? ua.id.proto : pol->pol_proto;
	acq.acq_reqid = pol->pol_reqid;
	acq.acq_index = pol->pol_index;
	log_debug(D_PFKEY, "XFRM acquire: policy %u (reqid %u) to %s",
	    acq.acq_index, acq.acq_reqid,
	    kernel_addr_str(&acq.acq_dst, dst, sizeof(dst)));
	if (kx->kx_k->k_cb.kc_acquire != NULL)
		kx->kx_k->k_cb.kc_acquire(kx->kx_k->k_arg, &acq);
}

static enum kernel_expire_reason
xfrm_event_reason(const struct xfrm_usersa_info *info, int hard)
{
	uint64_t	bytes = hard ? info->lft.hard_byte_limit :
			    info->lft.soft_byte_limit;

	if (bytes != XFRM_INF && info->curlft.bytes >= bytes)
		return (KERNEL_EXPIRE_KBYTES);
	return (KERNEL_EXPIRE_SECONDS);
}

static void
xfrm_event_expire(struct kernel_xfrm *kx, const struct nlmsghdr *nlh)
{
	struct xfrm_user_expire	 ue;
	struct kernel_sa_id	 id;
	struct kernel_expire	 exp;
	struct xfrm_sa		*xs;
	const struct kernel_sa	*sa;

	if (xfrm_parse_expire(nlh, &ue) != 0) {
		if (log_ratelimit_pass(&kx->kx_ratelimit))
			log_warn("XFRM expire of %u bytes is malformed: "
			    "ignored", nlh->nlmsg_len);
		return;
	}
	memset(&id, 0, sizeof(id));
	xfrm_parse_addr(&id.id_dst, &ue.state.id.daddr, ue.state.family, 0);
	xfrm_parse_addr(&id.id_src, &ue.state.saddr, ue.state.family, 0);
	id.id_spi = ntohl(ue.state.id.spi);
	id.id_proto = ue.state.id.proto;
	if ((xs = xfrm_sa_find(kx, &id)) == NULL)
		return;		/* not ours */
	if (xs->xs_larval) {
		/*
		 * The kernel drops an unused SPI reservation after
		 * net.core.xfrm_acq_expires seconds (30 by default).
		 */
		log_debug(D_PFKEY, "SPI 0x%08x reservation expired",
		    id.id_spi);
		if (ue.hard)
			xfrm_sa_forget(kx, xs);
		return;
	}
	sa = &xs->xs_rec.r_sa;
	memset(&exp, 0, sizeof(exp));
	exp.exp_id = sa->sa_id;
	exp.exp_dir = sa->sa_dir;
	exp.exp_reqid = sa->sa_reqid;
	exp.exp_hard = ue.hard != 0;
	exp.exp_reason = xfrm_event_reason(&ue.state, exp.exp_hard);
	exp.exp_stats.st_bytes = ue.state.curlft.bytes;
	exp.exp_stats.st_packets = ue.state.curlft.packets;
	exp.exp_stats.st_add_time = (int64_t)ue.state.curlft.add_time;
	exp.exp_stats.st_use_time = (int64_t)ue.state.curlft.use_time;
	exp.exp_stats.st_auth_failures = ue.state.stats.integrity_failed;
	exp.exp_stats.st_replay_drops = ue.state.stats.replay;
	log_debug(D_PFKEY, "XFRM %s expire of SA 0x%08x (reqid %u)",
	    exp.exp_hard ? "hard" : "soft", id.id_spi, exp.exp_reqid);
	/* On a hard expiry the kernel has deleted the SA already. */
	if (exp.exp_hard)
		xfrm_sa_forget(kx, xs);
	if (kx->kx_k->k_cb.kc_expire != NULL)
		kx->kx_k->k_cb.kc_expire(kx->kx_k->k_arg, &exp);
}

void
xfrm_event_dispatch(struct kernel_xfrm *kx, const struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case XFRM_MSG_ACQUIRE:
		xfrm_event_acquire(kx, nlh);
		break;
	case XFRM_MSG_EXPIRE:
		xfrm_event_expire(kx, nlh);
		break;
	default:
		break;		/* policy expiries and others */
	}
}

static int
xfrm_event_msg(const struct nlmsghdr *nlh, void *arg)
{
	xfrm_event_dispatch(arg, nlh);
	return (MNL_CB_OK);
}

static void
xfrm_event_read(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_xfrm	*kx = arg;
	uint8_t			 buf[XFRM_BUF_LEN];
	ssize_t			 n;

	for (;;) {
		n = mnl_socket_recvfrom(kx->kx_events.xn_sock, buf,
		    sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			/* ENOBUFS: the kernel dropped notifications. */
			if (log_ratelimit_pass(&kx->kx_ratelimit))
				log_warn("XFRM notifications lost: %s",
				    strerror(errno));
			break;
		}
		/* Sequence and port 0: multicast messages are not checked. */
		(void)mnl_cb_run(buf, (size_t)n, 0, 0, xfrm_event_msg, kx);
	}
	util_wipe(buf, sizeof(buf));
}

int
xfrm_event_open(struct kernel_xfrm *kx)
{
	int	fd, r, rcvbuf = XFRM_EVENT_RCVBUF;

	if (kx->kx_k->k_base == NULL)
		return (0);	/* no event loop: no notifications */
	if ((r = xfrm_nl_open(&kx->kx_events,
	    XFRM_EVENT_GROUP(XFRMNLGRP_ACQUIRE) |
	    XFRM_EVENT_GROUP(XFRMNLGRP_EXPIRE))) != 0)
		return (r);
	fd = xfrm_nl_fd(&kx->kx_events);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		return (ERR_SYSTEM);
	/*
	 * A burst of acquires (many policies hit at once) must not
	 * overrun the default buffer; the kernel caps this at rmem_max.
	 */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	kx->kx_ev = event_new(kx->kx_k->k_base, fd, EV_READ | EV_PERSIST,
	    xfrm_event_read, kx);
	if (kx->kx_ev == NULL || event_add(kx->kx_ev, NULL) != 0)
		return (ERR_NOMEM);
	return (0);
}

void
xfrm_event_close(struct kernel_xfrm *kx)
{
	if (kx->kx_ev != NULL)
		event_free(kx->kx_ev);
	kx->kx_ev = NULL;
	xfrm_nl_close(&kx->kx_events);
}
