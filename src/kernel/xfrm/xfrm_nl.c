/*
 * XFRM netlink sockets: one request at a time with its acknowledgement,
 * and the kernel's extended error text (NETLINK_EXT_ACK) for messages.
 */
#include <sys/socket.h>
#include <linux/netlink.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"
#include "lib/rbuf.h"
#include "lib/util.h"

int
xfrm_nl_open(struct xfrm_nl *xn, unsigned int groups)
{
	int	on = 1, r = ERR_SYSTEM;

	memset(xn, 0, sizeof(*xn));
	if ((xn->xn_sock = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC)) ==
	    NULL) {
		xn->xn_errno = errno;
		return (ERR_SYSTEM);
	}
	/*
	 * CAP_ACK keeps the kernel from echoing a failed request, which
	 * would copy its keys into our receive buffer once more.  EXT_ACK
	 * adds the kernel's error text.  Kernels before 4.12 lack both,
	 * and then errors carry only errno.
	 */
	(void)mnl_socket_setsockopt(xn->xn_sock, NETLINK_CAP_ACK, &on,
	    sizeof(on));
	(void)mnl_socket_setsockopt(xn->xn_sock, NETLINK_EXT_ACK, &on,
	    sizeof(on));
	if (mnl_socket_bind(xn->xn_sock, groups, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	xn->xn_portid = mnl_socket_get_portid(xn->xn_sock);
	xn->xn_seq = (uint32_t)time(NULL);
	r = 0;
out:
	if (r != 0) {
		xn->xn_errno = errno;
		mnl_socket_close(xn->xn_sock);
		xn->xn_sock = NULL;
		errno = xn->xn_errno;
	}
	return (r);
}

void
xfrm_nl_close(struct xfrm_nl *xn)
{
	if (xn->xn_sock != NULL)
		mnl_socket_close(xn->xn_sock);
	xn->xn_sock = NULL;
}

int
xfrm_nl_fd(const struct xfrm_nl *xn)
{
	return (mnl_socket_get_fd(xn->xn_sock));
}

struct nlmsghdr *
xfrm_nl_header(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr	*nlh;

	memset(buf, 0, XFRM_BUF_LEN);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return (nlh);
}

static int
xfrm_nl_extack_attr(const struct nlattr *attr, void *arg)
{
	struct xfrm_nl	*xn = arg;
	struct rbuf	 rb;
	size_t		 len;

	if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG)
		return (MNL_CB_OK);
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return (MNL_CB_OK);
	rbuf_init(&rb, mnl_attr_get_payload(attr),
	    mnl_attr_get_payload_len(attr));
	len = rbuf_left(&rb);
	if (len >= sizeof(xn->xn_msg))
		len = sizeof(xn->xn_msg) - 1;
	if (rbuf_get_bytes(&rb, xn->xn_msg, len) == 0)
		xn->xn_msg[len] = '\0';
	/* Drop the trailing newline some messages carry. */
	len = strlen(xn->xn_msg);
	if (len > 0 && xn->xn_msg[len - 1] == '\n')
		xn->xn_msg[len - 1] = '\0';
	return (MNL_CB_OK);
}

struct xfrm_nl_ctx {
	struct xfrm_nl	*xc_xn;
	int		(*xc_cb)(const struct nlmsghdr *, void *);
	void		*xc_arg;
};

/* NLMSG_ERROR: an acknowledgement (error 0) or the request's errno. */
static int
xfrm_nl_error_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_nl	*xn = ((struct xfrm_nl_ctx *)arg)->xc_xn;
	struct nlmsgerr	 err;
	struct rbuf	 rb;
	size_t		 skip;

	rbuf_init(&rb, mnl_nlmsg_get_payload(nlh),
	    mnl_nlmsg_get_payload_len(nlh));
	if (rbuf_get_bytes(&rb, &err, sizeof(err)) != 0) {
		errno = EBADMSG;
		xn->xn_errno = errno;
		return (MNL_CB_ERROR);
	}
	if (err.error == 0)
		return (MNL_CB_STOP);
	errno = err.error < 0 ? -err.error : err.error;
	xn->xn_errno = errno;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* Without NLM_F_CAPPED the request follows the header. */
		skip = sizeof(err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    err.msg.nlmsg_len >= sizeof(err.msg))
			skip += NLMSG_ALIGN(err.msg.nlmsg_len -
			    sizeof(err.msg));
		if (skip <= mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse(nlh, (unsigned int)skip,
			    xfrm_nl_extack_attr, xn);
	}
	errno = xn->xn_errno;
	return (MNL_CB_ERROR);
}

/* NLMSG_DONE: the end of a dump. */
static int
xfrm_nl_done_cb(const struct nlmsghdr *nlh, void *arg)
{
	return (MNL_CB_STOP);
}

static int
xfrm_nl_data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_nl_ctx	*xc = arg;

	if (xc->xc_cb == NULL)
		return (MNL_CB_OK);
	return (xc->xc_cb(nlh, xc->xc_arg) == 0 ? MNL_CB_OK : MNL_CB_ERROR);
}

int
xfrm_nl_request(struct xfrm_nl *xn, struct nlmsghdr *nlh,
    int (*cb)(const struct nlmsghdr *, void *), void *arg)
{
	static mnl_cb_t		 ctl[NLMSG_MIN_TYPE];
	struct xfrm_nl_ctx	 xc = { xn, cb, arg };
	uint8_t			 buf[XFRM_BUF_LEN];
	ssize_t			 n;
	int			 ret, r = ERR_SYSTEM;

	ctl[NLMSG_ERROR] = xfrm_nl_error_cb;
	ctl[NLMSG_DONE] = xfrm_nl_done_cb;
	xn->xn_errno = 0;
	xn->xn_msg[0] = '\0';
	/* A dump ends with NLMSG_DONE instead of an acknowledgement. */
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++xn->xn_seq;
	if (mnl_socket_sendto(xn->xn_sock, nlh, nlh->nlmsg_len) < 0) {
		xn->xn_errno = errno;
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(xn->xn_sock, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xn->xn_errno = errno;
			goto out;
		}
		/* libmnl checks every message length against n. */
		ret = mnl_cb_run2(buf, (size_t)n, nlh->nlmsg_seq,
		    xn->xn_portid, xfrm_nl_data_cb, &xc, ctl,
		    (unsigned int)UTIL_NELEM(ctl));
		if (ret == MNL_CB_STOP)
			break;
		if (ret < 0) {
			if (xn->xn_errno == 0)
				xn->xn_errno = errno;
			goto out;
		}
	}
	r = 0;
out:
	/* Replies to GETSA carry the SA's keys. */
	util_wipe(buf, sizeof(buf));
	errno = xn->xn_errno;
	return (r);
}

/* The kernel's text when it gave one, else strerror. */
const char *
xfrm_nl_error(const struct xfrm_nl *xn, char *buf, size_t len)
{
	if (xn->xn_msg[0] != '\0')
		snprintf(buf, len, "%s (%s)", xn->xn_msg,
		    strerror(xn->xn_errno));
	else
		snprintf(buf, len, "%s", strerror(xn->xn_errno));
	return (buf);
}
