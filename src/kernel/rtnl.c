#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/if_ether.h>
#include <arpa/inet.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "kernel/rtnl.h"
#include "lib/err.h"

/*
 * Packets the kernel queues on the TUN device for the backend to read;
 * TUN's default of 500 drops bursts of TCP while the backend encrypts.
 */
#define RTNL_TXQLEN	2048

int
rtnl_open(struct rtnl *rt)
{
	memset(rt, 0, sizeof(*rt));
	if ((rt->rt_nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) ==
	    NULL)
		return (ERR_SYSTEM);
	if (mnl_socket_bind(rt->rt_nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(rt->rt_nl);
		rt->rt_nl = NULL;
		return (ERR_SYSTEM);
	}
	rt->rt_portid = mnl_socket_get_portid(rt->rt_nl);
	rt->rt_seq = (uint32_t)time(NULL);
	return (0);
}

void
rtnl_close(struct rtnl *rt)
{
	if (rt->rt_nl != NULL)
		mnl_socket_close(rt->rt_nl);
	rt->rt_nl = NULL;
}

/* Send one request and wait for its acknowledgement (NLM_F_ACK). */
static int
rtnl_talk(struct rtnl *rt, struct nlmsghdr *nlh)
{
	uint8_t	buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t	n;
	int	ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++rt->rt_seq;
	if (mnl_socket_sendto(rt->rt_nl, nlh, nlh->nlmsg_len) < 0)
		return (ERR_SYSTEM);
	for (;;) {
		n = mnl_socket_recvfrom(rt->rt_nl, buf, sizeof(buf));
		if (n < 0)
			return (ERR_SYSTEM);
		/* libmnl checks each message length against n. */
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, rt->rt_portid,
		    NULL, NULL);
		if (ret == MNL_CB_ERROR)
			return (ERR_SYSTEM);
		if (ret == MNL_CB_STOP)
			return (0);
	}
}

int
rtnl_link_up(struct rtnl *rt, unsigned int ifindex, unsigned int mtu)
{
	uint8_t			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifi;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, RTNL_TXQLEN);
	return (rtnl_talk(rt, nlh));
}

static size_t
rtnl_addr_len(int family)
{
	return (family == AF_INET ? 4 : 16);
}

int
rtnl_route(struct rtnl *rt, int add, const struct rtnl_route *rr)
{
	uint8_t		 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	if (add)
		nlh->nlmsg_flags = NLM_F_CREATE |
		    (rr->rr_replace ? NLM_F_REPLACE : NLM_F_EXCL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)rr->rr_family;
	rtm->rtm_dst_len = rr->rr_prefix;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = rr->rr_type;
	rtm->rtm_scope = rr->rr_type == RTN_UNICAST ? RT_SCOPE_LINK :
	    RT_SCOPE_UNIVERSE;
	mnl_attr_put_u32(nlh, RTA_TABLE, rr->rr_table);
	if (rr->rr_prefix > 0)
		mnl_attr_put(nlh, RTA_DST, rtnl_addr_len(rr->rr_family),
		    rr->rr_dst);
	if (rr->rr_type == RTN_UNICAST)
		mnl_attr_put_u32(nlh, RTA_OIF, rr->rr_ifindex);
	if (rr->rr_metric != 0)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, rr->rr_metric);
	if (rr->rr_prefsrc != NULL)
		mnl_attr_put(nlh, RTA_PREFSRC, rtnl_addr_len(rr->rr_family),
		    rr->rr_prefsrc);
	return (rtnl_talk(rt, nlh));
}

struct rtnl_dump {
	uint32_t	 rd_table;
	rtnl_route_cb	 rd_cb;
	void		*rd_arg;
};

static int
rtnl_route_attr(const struct nlattr *a, void *arg)
{
	const struct nlattr	**tb = arg;
	uint16_t		  type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, RTA_MAX) > 0)
		tb[type] = a;
	return (MNL_CB_OK);
}

/* Pass one route of a dump on to the caller's callback. */
static int
rtnl_route_dumped(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr	*tb[RTA_MAX + 1];
	struct rtnl_dump	*rd = arg;
	struct rtmsg		*rtm = mnl_nlmsg_get_payload(nlh);
	struct rtnl_route	 rr;
	uint8_t			 zero[16];
	size_t			 alen;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) ||
	    rtm->rtm_protocol != RTPROT_STATIC ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return (MNL_CB_OK);
	memset(tb, 0, sizeof(tb));
	if (mnl_attr_parse(nlh, sizeof(*rtm), rtnl_route_attr, tb) !=
	    MNL_CB_OK)
		return (MNL_CB_OK);
	memset(&rr, 0, sizeof(rr));
	rr.rr_family = rtm->rtm_family;
	rr.rr_table = tb[RTA_TABLE] != NULL ?
	    mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (rr.rr_table != rd->rd_table)
		return (MNL_CB_OK);
	alen = rtnl_addr_len(rr.rr_family);
	memset(zero, 0, sizeof(zero));
	rr.rr_dst = zero;
	if (tb[RTA_DST] != NULL) {
		if (mnl_attr_get_payload_len(tb[RTA_DST]) != alen)
			return (MNL_CB_OK);
		rr.rr_dst = mnl_attr_get_payload(tb[RTA_DST]);
	}
	rr.rr_prefix = rtm->rtm_dst_len;
	rr.rr_type = rtm->rtm_type;
	if (tb[RTA_PRIORITY] != NULL)
		rr.rr_metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_OIF] != NULL)
		rr.rr_ifindex = mnl_attr_get_u32(tb[RTA_OIF]);
	rd->rd_cb(&rr, rd->rd_arg);
	return (MNL_CB_OK);
}

int
rtnl_route_dump(struct rtnl *rt, int family, uint32_t table,
    rtnl_route_cb cb, void *arg)
{
	uint8_t			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;
	struct rtmsg		*rtm;
	struct rtnl_dump	 rd = { table, cb, arg };
	ssize_t			 n;
	int			 ret;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++rt->rt_seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	if (mnl_socket_sendto(rt->rt_nl, nlh, nlh->nlmsg_len) < 0)
		return (ERR_SYSTEM);
	for (;;) {
		n = mnl_socket_recvfrom(rt->rt_nl, buf, sizeof(buf));
		if (n < 0)
			return (ERR_SYSTEM);
		ret = mnl_cb_run(buf, (size_t)n, rt->rt_seq, rt->rt_portid,
		    rtnl_route_dumped, &rd);
		if (ret == MNL_CB_ERROR)
			return (ERR_SYSTEM);
		if (ret == MNL_CB_STOP)
			return (0);
	}
}

int
rtnl_rule(struct rtnl *rt, int add, int family, uint32_t table,
    uint32_t fwmark, uint32_t priority)
{
	uint8_t			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;
	struct fib_rule_hdr	*frh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
	if (add)
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = RT_TABLE_UNSPEC;
	frh->flags = FIB_RULE_INVERT;
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, priority);
	mnl_attr_put_u32(nlh, FRA_FWMARK, fwmark);
	mnl_attr_put_u32(nlh, FRA_FWMASK, fwmark);
	return (rtnl_talk(rt, nlh));
}

static struct tcmsg *
rtnl_tc_header(struct nlmsghdr *nlh, uint16_t type, unsigned int ifindex)
{
	struct tcmsg	*tcm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;
	return (tcm);
}

/*
 * The clsact qdisc and one cls_bpf filter in direct-action mode on the
 * ingress hook; both go away with the device.  A persistent device may
 * still have them from an earlier run, so both are replaced.
 */
int
rtnl_ingress_bpf(struct rtnl *rt, unsigned int ifindex, int prog_fd,
    const char *name)
{
	uint8_t		 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr	*nlh;
	struct nlattr	*opts;
	struct tcmsg	*tcm;
	int		 r;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	tcm = rtnl_tc_header(nlh, RTM_NEWQDISC, ifindex);
	tcm->tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	tcm->tcm_parent = TC_H_CLSACT;
	mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
	if ((r = rtnl_talk(rt, nlh)) != 0)
		return (r);

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	tcm = rtnl_tc_header(nlh, RTM_NEWTFILTER, ifindex);
	tcm->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
	tcm->tcm_handle = 1;
	/* Priority 1, every protocol. */
	tcm->tcm_info = TC_H_MAKE(1U << 16, htons(ETH_P_ALL));
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_BPF_FD, (uint32_t)prog_fd);
	mnl_attr_put_strz(nlh, TCA_BPF_NAME, name);
	mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	mnl_attr_nest_end(nlh, opts);
	return (rtnl_talk(rt, nlh));
}
