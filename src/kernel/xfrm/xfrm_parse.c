/*
 * Kernel messages of the XFRM family, read through struct rbuf: the fixed
 * header of each message is copied out only after its length is checked,
 * and attributes are validated by libmnl before their payload is read.
 */
#include <netinet/in.h>

#include <string.h>

#include <libmnl/libmnl.h>

#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"
#include "lib/rbuf.h"

static int
xfrm_parse_fixed(const struct nlmsghdr *nlh, void *out, size_t len)
{
	struct rbuf	rb;

	rbuf_init(&rb, mnl_nlmsg_get_payload(nlh),
	    mnl_nlmsg_get_payload_len(nlh));
	return (rbuf_get_bytes(&rb, out, len));
}

/* XFRM_MSG_NEWSA (replies to ALLOCSPI and GETSA): the SA without keys. */
int
xfrm_parse_sa(const struct nlmsghdr *nlh, struct xfrm_usersa_info *info)
{
	if (nlh->nlmsg_type != XFRM_MSG_NEWSA)
		return (ERR_MALFORMED);
	return (xfrm_parse_fixed(nlh, info, sizeof(*info)));
}

struct xfrm_parse_tmpls {
	struct xfrm_user_tmpl	*pt_tmpl;
	int			 pt_max;
	int			 pt_n;
};

static int
xfrm_parse_tmpl_attr(const struct nlattr *attr, void *arg)
{
	struct xfrm_parse_tmpls	*pt = arg;
	struct rbuf		 rb;

	if (mnl_attr_type_valid(attr, XFRMA_MAX) < 0 ||
	    mnl_attr_get_type(attr) != XFRMA_TMPL)
		return (MNL_CB_OK);
	rbuf_init(&rb, mnl_attr_get_payload(attr),
	    mnl_attr_get_payload_len(attr));
	while (pt->pt_n < pt->pt_max &&
	    rbuf_get_bytes(&rb, &pt->pt_tmpl[pt->pt_n],
	    sizeof(pt->pt_tmpl[0])) == 0)
		pt->pt_n++;
	return (MNL_CB_OK);
}

/* XFRM_MSG_ACQUIRE with up to *ntmpl templates of its policy. */
int
xfrm_parse_acquire(const struct nlmsghdr *nlh, struct xfrm_user_acquire *acq,
    struct xfrm_user_tmpl *tmpl, int *ntmpl)
{
	struct xfrm_parse_tmpls	pt = { tmpl, *ntmpl, 0 };
	int			r;

	*ntmpl = 0;
	if ((r = xfrm_parse_fixed(nlh, acq, sizeof(*acq))) != 0)
		return (r);
	if (mnl_attr_parse(nlh, sizeof(*acq), xfrm_parse_tmpl_attr, &pt) < 0)
		return (ERR_MALFORMED);
	*ntmpl = pt.pt_n;
	return (0);
}

/* XFRM_MSG_EXPIRE: the SA's state, counters and the hard flag. */
int
xfrm_parse_expire(const struct nlmsghdr *nlh, struct xfrm_user_expire *exp)
{
	return (xfrm_parse_fixed(nlh, exp, sizeof(*exp)));
}

void
xfrm_parse_addr(struct sockaddr_storage *ss, const xfrm_address_t *xa,
    int family, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		memcpy(&sin->sin_addr, &xa->a4, sizeof(sin->sin_addr));
	} else if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		memcpy(&sin6->sin6_addr, xa->a6, sizeof(sin6->sin6_addr));
	}
}

/* The inverse of xfrm_msg_selector; masked-out ports read as 0 (any). */
void
xfrm_parse_selector(struct kernel_selector *ks, const struct xfrm_selector *xs)
{
	uint16_t	sport = xs->sport & xs->sport_mask;
	uint16_t	dport = xs->dport & xs->dport_mask;

	memset(ks, 0, sizeof(*ks));
	xfrm_parse_addr(&ks->sel_src, &xs->saddr, xs->family, sport);
	xfrm_parse_addr(&ks->sel_dst, &xs->daddr, xs->family, dport);
	ks->sel_src_prefix = xs->prefixlen_s;
	ks->sel_dst_prefix = xs->prefixlen_d;
	ks->sel_proto = xs->proto;
}
