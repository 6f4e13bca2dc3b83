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
#include <string.h>
#include <unistd.h>

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

/* Policies apply to packets without USER_TUN_MARK, when it is set. */
static const struct xfrm_mark *
user_xfrm_mark(const struct kernel_user *ku)
{
	static const struct xfrm_mark	unmarked = { 0, USER_TUN_MARK };

	return (ku->ku_tun_marked ? &unmarked : NULL);
}

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
	    xfrm_msg_dir(pol->pol_dir), user_xfrm_mark(ku))) != 0)
		return (r);
	up->up_in_kernel = 1;
	return (0);
}

void
user_xfrm_delete(struct kernel_user *ku, struct user_policy *up)
{
	if (!up->up_in_kernel || ku->ku_xfrm.xn_sock == NULL)
		return;
	(void)xfrm_pol_remove(&ku->ku_xfrm, &up->up_pol,
	    xfrm_msg_dir(up->up_pol.pol_dir), user_xfrm_mark(ku));
	up->up_in_kernel = 0;
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
