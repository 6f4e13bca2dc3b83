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

/*
 * A route of type RTN_UNICAST (out through rr_ifindex), RTN_THROW (the
 * lookup continues with the next rule) or RTN_PROHIBIT (the lookup fails
 * with EACCES, and a forwarded packet gets an ICMP "administratively
 * prohibited").
 */
struct rtnl_route {
	int		 rr_family;
	const uint8_t	*rr_dst;	/* 4 or 16 bytes */
	uint8_t		 rr_prefix;
	uint32_t	 rr_table;
	uint8_t		 rr_type;	/* RTN_UNICAST, RTN_THROW, ... */
	uint32_t	 rr_metric;	/* 0 for the kernel's default */
	unsigned int	 rr_ifindex;	/* RTN_UNICAST only */
	const uint8_t	*rr_prefsrc;	/* NULL for none */
	int		 rr_replace;	/* add: replace an equal route */
};

/* Called with each route of a dump; rr_dst is valid during the call. */
typedef void	(*rtnl_route_cb)(const struct rtnl_route *, void *);

int	 rtnl_open(struct rtnl *);
void	 rtnl_close(struct rtnl *);
/* Set the link up with the given MTU and a longer transmit queue. */
int	 rtnl_link_up(struct rtnl *, unsigned int ifindex, unsigned int mtu);
int	 rtnl_route(struct rtnl *, int add, const struct rtnl_route *);
/*
 * Call cb for each route of the family in the table that has protocol
 * RTPROT_STATIC, the protocol of the routes that rtnl_route adds.
 */
int	 rtnl_route_dump(struct rtnl *, int family, uint32_t table,
	    rtnl_route_cb cb, void *arg);
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
