/*
 * Inbound policy of the userspace backend, enforced by the kernel.  The
 * backend receives only what the routes steer into its TUN device, so a
 * clear-text packet that arrives on another interface would reach the
 * host or be forwarded even where an inbound policy requires ESP.  The
 * inbound ("in") and forward ("fwd") policies therefore also go into
 * XFRM, which needs no ESP support in the kernel:
 *
 *   - an ipsec policy gets an ESP template.  No packet that the kernel
 *     receives carries an XFRM state, so the kernel drops every packet
 *     that matches it.  bypass and drop policies become XFRM allow and
 *     block policies of the same priority, so they keep their order.
 *   - the decrypted packets that the backend writes into the TUN device
 *     must skip these checks, for local delivery and for forwarding.
 *     A BPF program on the device's ingress sets USER_TUN_MARK on each
 *     of them, and every XFRM policy of the backend applies only to
 *     packets without that mark.  The device's IPv4 disable_policy is
 *     set too, which is enough for IPv4 where BPF is not available.
 *     IPv6 has no such per-device switch, because Linux (checked on
 *     6.18) applies IPv6 disable_policy through the route to the
 *     destination, which takes it from the device of the local address
 *     and not from the device the packet arrived on.
 *   - the backend's raw ESP sockets and the daemon's IKE sockets carry a
 *     per-socket inbound policy that allows everything, so ESP and IKE
 *     from the peer still arrive when a policy covers the peer's address
 *     (transport mode, or tunnel endpoints inside the protected range).
 *
 * Without XFRM in the kernel, or for a family whose decrypted packets
 * cannot be exempted, the policies stay in the backend's own table only,
 * and a warning at start says that clear text is not blocked.
 */
#include <sys/syscall.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "kernel/user.h"
#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"
#include "lib/log.h"

/* Set the TUN device's IPv4 disable_policy through procfs. */
static int
user_xfrm_tun_nopolicy(struct kernel_user *ku)
{
	char	path[96];
	int	fd, saved, r = ERR_SYSTEM;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/"
	    "disable_policy", ku->ku_k->k_tun_name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return (ERR_SYSTEM);
	if (write(fd, "1\n", 2) == 2)
		r = 0;
	saved = errno;
	close(fd);
	errno = saved;
	return (r);
}

/*
 * Load the program "skb->mark |= USER_TUN_MARK; return TC_ACT_OK" and
 * attach it to the TUN device's ingress.  Returns 0 or ERR_SYSTEM.
 */
static int
user_xfrm_mark_tun(struct kernel_user *ku)
{
	const int16_t	 mark_off = offsetof(struct __sk_buff, mark);
	struct bpf_insn	 prog[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_1, .off = mark_off },
		{ .code = BPF_ALU | BPF_OR | BPF_K, .dst_reg = BPF_REG_2,
		  .imm = USER_TUN_MARK },
		{ .code = BPF_STX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_REG_2, .off = mark_off },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = TC_ACT_OK },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr	 attr;
	int		 fd, r, saved;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	attr.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.license = (uint64_t)(uintptr_t)"ISC";
	if ((fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr,
	    sizeof(attr))) == -1)
		return (ERR_SYSTEM);
	r = rtnl_ingress_bpf(&ku->ku_rtnl, ku->ku_ifindex, fd, "in.iked");
	/* The filter holds its own reference to the program. */
	saved = errno;
	close(fd);
	errno = saved;
	return (r);
}

static void
user_xfrm_warn(const char *family, const char *why)
{
	log_warn("%s: clear-text %s packets that an inbound ipsec policy "
	    "requires to be protected are not blocked", why, family);
}

void
user_xfrm_open(struct kernel_user *ku)
{
	const char	*tun = ku->ku_k->k_tun_name;
	char		 why[192];

	if (xfrm_nl_open(&ku->ku_xfrm, 0) != 0) {
		snprintf(why, sizeof(why), "the kernel has no XFRM netlink "
		    "(%s; it needs CONFIG_XFRM_USER)",
		    strerror(ku->ku_xfrm.xn_errno));
		user_xfrm_warn("IPv4 and IPv6", why);
		return;
	}
	if (user_xfrm_mark_tun(ku) == 0) {
		ku->ku_tun_marked = 1;
	} else {
		snprintf(why, sizeof(why), "cannot mark the packets of %s "
		    "with a BPF program on its ingress (%s; the kernel needs "
		    "CONFIG_BPF_SYSCALL, CONFIG_NET_SCH_INGRESS and "
		    "CONFIG_NET_CLS_BPF)", tun, strerror(errno));
		user_xfrm_warn("IPv6", why);
	}
	ku->ku_inbound6 = ku->ku_tun_marked;
	ku->ku_inbound4 = ku->ku_tun_marked;
	if (user_xfrm_tun_nopolicy(ku) == 0)
		ku->ku_inbound4 = 1;
	else if (!ku->ku_tun_marked) {
		snprintf(why, sizeof(why), "cannot set disable_policy on %s "
		    "(%s)", tun, strerror(errno));
		user_xfrm_warn("IPv4", why);
	}
	if (!ku->ku_inbound4 && !ku->ku_inbound6)
		xfrm_nl_close(&ku->ku_xfrm);
	log_debug(D_PFKEY, "inbound policies in XFRM: IPv4 %s, IPv6 %s",
	    ku->ku_inbound4 ? "yes" : "no", ku->ku_inbound6 ? "yes" : "no");
}

void
user_xfrm_close(struct kernel_user *ku)
{
	xfrm_nl_close(&ku->ku_xfrm);
	ku->ku_inbound4 = ku->ku_inbound6 = ku->ku_tun_marked = 0;
}

/*
 * Policies apply to packets without USER_TUN_MARK.  They carry this mark
 * also when no BPF program sets the bit, where it matches every packet.
 * The mark identifies the policies of this backend to a later in.iked
 * (user_xfrm_sweep).
 */
static const struct xfrm_mark	user_xfrm_unmarked = { 0, USER_TUN_MARK };

/* Whether the kernel enforces inbound policies of this family. */
static int
user_xfrm_enforced(const struct kernel_user *ku, int family)
{
	if (ku->ku_xfrm.xn_sock == NULL)
		return (0);
	if (family == AF_INET)
		return (ku->ku_inbound4);
	if (family == AF_INET6)
		return (ku->ku_inbound6);
	return (0);
}

int
user_xfrm_add(struct kernel_user *ku, struct user_policy *up)
{
	const struct kernel_policy	*pol = &up->up_pol;
	int				 r;

	if (pol->pol_dir == KERNEL_DIR_OUT ||
	    !user_xfrm_enforced(ku, pol->pol_sel.sel_dst.ss_family))
		return (0);
	if ((r = xfrm_pol_install(&ku->ku_xfrm, pol,
	    xfrm_msg_dir(pol->pol_dir), &user_xfrm_unmarked,
	    &up->up_xfrm_found)) != 0)
		return (r);
	up->up_in_kernel = 1;
	return (0);
}

void
user_xfrm_delete(struct kernel_user *ku, struct user_policy *up)
{
	if (!up->up_in_kernel || ku->ku_xfrm.xn_sock == NULL)
		return;
	/* A start that fails keeps what a killed in.iked left. */
	if (!up->up_xfrm_found || ku->ku_running)
		(void)xfrm_pol_remove(&ku->ku_xfrm, &up->up_pol,
		    xfrm_msg_dir(up->up_pol.pol_dir), &user_xfrm_unmarked);
	up->up_in_kernel = 0;
}

/* The in and fwd policies of this backend that no loaded policy uses. */
struct user_xfrm_stale {
	struct xfrm_userpolicy_id	*xs_ids;
	size_t				 xs_count;
	size_t				 xs_size;
	size_t				 xs_skipped;	/* out of memory */
	struct kernel_user		*xs_ku;
};

static int
user_xfrm_mark_attr(const struct nlattr *a, void *arg)
{
	struct xfrm_mark	*mark = arg;

	if (mnl_attr_get_type(a) == XFRMA_MARK &&
	    mnl_attr_get_payload_len(a) == sizeof(*mark))
		memcpy(mark, mnl_attr_get_payload(a), sizeof(*mark));
	return (MNL_CB_OK);
}

/* Whether the dumped policy upi is one that a loaded policy installed. */
static int
user_xfrm_used(struct kernel_user *ku, const struct xfrm_userpolicy_info *upi)
{
	struct kernel_policy	 pol;
	struct user_policy	*up;

	memset(&pol, 0, sizeof(pol));
	pol.pol_dir = upi->dir == XFRM_POLICY_IN ? KERNEL_DIR_IN :
	    KERNEL_DIR_FWD;
	xfrm_parse_selector(&pol.pol_sel, &upi->sel);
	up = user_policy_find(ku, &pol);
	return (up != NULL && up->up_in_kernel &&
	    up->up_pol.pol_priority == upi->priority);
}

static int
user_xfrm_stale_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct user_xfrm_stale		*xs = arg;
	struct xfrm_userpolicy_info	 upi;
	struct xfrm_userpolicy_id	*grown;
	struct xfrm_mark		 mark = { 0, 0 };
	size_t				 size;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(upi))
		return (0);
	memcpy(&upi, mnl_nlmsg_get_payload(nlh), sizeof(upi));
	(void)mnl_attr_parse(nlh, sizeof(upi), user_xfrm_mark_attr, &mark);
	if ((upi.dir != XFRM_POLICY_IN && upi.dir != XFRM_POLICY_FWD) ||
	    mark.v != user_xfrm_unmarked.v || mark.m != user_xfrm_unmarked.m ||
	    user_xfrm_used(xs->xs_ku, &upi))
		return (0);
	if (xs->xs_count == xs->xs_size) {
		size = xs->xs_size == 0 ? 16 : xs->xs_size * 2;
		if ((grown = reallocarray(xs->xs_ids, size,
		    sizeof(*grown))) == NULL) {
			xs->xs_skipped++;
			return (0);
		}
		xs->xs_ids = grown;
		xs->xs_size = size;
	}
	grown = &xs->xs_ids[xs->xs_count++];
	memset(grown, 0, sizeof(*grown));
	grown->sel = upi.sel;
	grown->index = upi.index;
	grown->dir = upi.dir;
	return (0);
}

/* Delete one policy by its index, which the kernel chose. */
static int
user_xfrm_delete_id(struct kernel_user *ku, const struct xfrm_userpolicy_id *id)
{
	uint8_t				 buf[XFRM_BUF_LEN];
	struct nlmsghdr			*nlh;
	struct xfrm_userpolicy_id	*pid;

	nlh = xfrm_nl_header(buf, XFRM_MSG_DELPOLICY, 0);
	pid = mnl_nlmsg_put_extra_header(nlh, sizeof(*pid));
	*pid = *id;
	mnl_attr_put(nlh, XFRMA_MARK, sizeof(user_xfrm_unmarked),
	    &user_xfrm_unmarked);
	if (xfrm_nl_request(&ku->ku_xfrm, nlh, NULL, NULL) == 0 ||
	    ku->ku_xfrm.xn_errno == ENOENT)
		return (0);
	return (ERR_SYSTEM);
}

/*
 * Delete the in and fwd policies with this backend's mark that an
 * earlier in.iked left and that no policy loaded at start replaced.
 * These are the policies of entries removed from the policy file while
 * no in.iked ran, and those of the SAs that in.iked had negotiated.
 */
void
user_xfrm_sweep(struct kernel_user *ku)
{
	struct user_xfrm_stale	 xs;
	struct nlmsghdr		*nlh;
	uint8_t			 buf[XFRM_BUF_LEN];
	char			 err[256];
	size_t			 i, deleted = 0;

	if (ku->ku_xfrm.xn_sock == NULL)
		return;
	memset(&xs, 0, sizeof(xs));
	xs.xs_ku = ku;
	nlh = xfrm_nl_header(buf, XFRM_MSG_GETPOLICY, NLM_F_DUMP);
	if (xfrm_nl_request(&ku->ku_xfrm, nlh, user_xfrm_stale_cb, &xs) != 0)
		log_warn("cannot list the XFRM policies: %s",
		    xfrm_nl_error(&ku->ku_xfrm, err, sizeof(err)));
	for (i = 0; i < xs.xs_count; i++) {
		if (user_xfrm_delete_id(ku, &xs.xs_ids[i]) == 0)
			deleted++;
		else
			log_warn("cannot delete the XFRM %s policy of index %u "
			    "of an earlier in.iked: %s",
			    xfrm_pol_dir_name(xs.xs_ids[i].dir),
			    xs.xs_ids[i].index,
			    xfrm_nl_error(&ku->ku_xfrm, err, sizeof(err)));
	}
	if (deleted > 0)
		log_info("deleted %zu XFRM polic%s of an earlier in.iked",
		    deleted, deleted == 1 ? "y" : "ies");
	if (xs.xs_skipped > 0)
		log_warn("out of memory: %zu XFRM policies of an earlier "
		    "in.iked stay; delete them with ip xfrm policy delete",
		    xs.xs_skipped);
	free(xs.xs_ids);
}

/*
 * Only inbound: the backend installs no outbound XFRM policies, and the
 * fwmark already keeps the socket's packets out of the tunnel routes.
 */
int
user_xfrm_bypass_socket(struct kernel_user *ku, int fd, int family)
{
	if (!user_xfrm_enforced(ku, family))
		return (0);
	return (kernel_xfrm_socket_bypass(fd, family, XFRM_POLICY_IN));
}
