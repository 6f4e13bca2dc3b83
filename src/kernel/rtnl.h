/*
 * Route netlink requests of the userspace backend (libmnl): bring the
 * TUN link up, add and remove routes and the policy routing rule, and
 * attach a BPF program to the TUN device's ingress.
 * Every request waits for the kernel's acknowledgement.
 */
#ifndef IKED_RTNL_H
#define IKED_RTNL_H

#include <stdint.h>

struct mnl_socket;

struct rtnl {
	struct mnl_socket	*rt_nl;
	uint32_t		 rt_seq;
	uint32_t		 rt_portid;
};

struct rtnl_route {
	int		 rr_family;
	const uint8_t	*rr_dst;	/* 4 or 16 bytes */
	uint8_t		 rr_prefix;
	uint32_t	 rr_table;
	unsigned int	 rr_ifindex;	/* 0 for a throw route */
	const uint8_t	*rr_prefsrc;	/* NULL for none */
	int		 rr_throw;	/* continue with the next rule */
};

int	 rtnl_open(struct rtnl *);
void	 rtnl_close(struct rtnl *);
/* Set the link up with the given MTU and a longer transmit queue. */
int	 rtnl_link_up(struct rtnl *, unsigned int ifindex, unsigned int mtu);
int	 rtnl_route(struct rtnl *, int add, const struct rtnl_route *);
/*
 * Run the BPF program prog_fd (BPF_PROG_TYPE_SCHED_CLS, direct action)
 * on every packet the device receives.
 */
int	 rtnl_ingress_bpf(struct rtnl *, unsigned int ifindex, int prog_fd,
	    const char *name);
/* "not fwmark mark/mark lookup table" at the given priority. */
int	 rtnl_rule(struct rtnl *, int add, int family, uint32_t table,
	    uint32_t fwmark, uint32_t priority);

#endif /* IKED_RTNL_H */
