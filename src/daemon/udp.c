/*
 * UDP sockets on ports 500 and 4500: binding from the rules, receive with
 * the port 4500 demultiplexing of RFC 3948 section 2.2, and send.
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <ifaddrs.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config/config.h"
#include "daemon/udp.h"
#include "ike/ike.h"
#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/rbuf.h"

/*
 * Datagrams read per wakeup of one socket, in one recvmmsg, so one peer
 * cannot starve the others.
 */
#define UDP_READ_BATCH		32
/* Receive buffer: the largest UDP payload, so nothing is cut silently. */
#define UDP_RECV_BUF		65536
/* A NAT keepalive is this single byte (RFC 3948 section 2.3). */
#define UDP_KEEPALIVE_BYTE	0xff
/*
 * ESP in UDP goes out in sendmmsg calls of up to UDP_SEND_BATCH
 * messages.  Consecutive datagrams to one peer of one size (the last may
 * be shorter) share a message with UDP_SEGMENT (Linux 4.18).  Such a
 * message has at most 64 datagrams, the limit (UDP_MAX_SEGMENTS) of the
 * kernels that introduced it, and UDP_GSO_MAX bytes, below the 65,535 of
 * an IP datagram.
 */
#define UDP_SEND_BATCH		64
#define UDP_GSO_SEGS		64
#define UDP_GSO_MAX		65000

struct udp_sock {
	struct udp		*us_udp;
	int			 us_fd;
	int			 us_wildcard;	/* bound to 0.0.0.0 or :: */
	struct sockaddr_storage	 us_addr;	/* bound address and port */
	struct event		*us_ev;
	int			 us_keep;	/* used by udp_sync */
};

struct udp {
	struct event_base	*u_base;
	struct udp_ops		 u_ops;
	void			*u_arg;
	struct udp_sock		**u_socks;
	size_t			 u_nsocks;
	/*
	 * UDP_READ_BATCH buffers of UDP_RECV_BUF bytes.  calloc takes them
	 * from mmap, so pages that no datagram fills cost no memory.
	 */
	uint8_t			*u_buf;
	struct udp_recv		*u_recv;
	int			 u_no_gso;	/* UDP_SEGMENT was refused */
	struct udp_stats	 u_stats;
};

/* The recvmmsg batch of udp_sock_read: datagram i in buffer i. */
union udp_recv_ctl {
	struct cmsghdr	hdr;
	uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			    CMSG_SPACE(sizeof(struct in_pktinfo))];
};

struct udp_recv {
	struct mmsghdr		ur_msg[UDP_READ_BATCH];
	struct iovec		ur_iov[UDP_READ_BATCH];
	struct sockaddr_storage	ur_remote[UDP_READ_BATCH];
	union udp_recv_ctl	ur_ctl[UDP_READ_BATCH];
};

/* One address and port the rules need a socket for. */
struct udp_want {
	struct sockaddr_storage	 uw_addr;
	int			 uw_wildcard;
};

static struct log_ratelimit	udp_rl_drop = LOG_RATELIMIT_INIT(10, 5);
static struct log_ratelimit	udp_rl_io = LOG_RATELIMIT_INIT(10, 5);

static uint16_t
udp_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohs(((const struct sockaddr_in *)sa)->sin_port));
	if (sa->sa_family == AF_INET6)
		return (ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	return (0);
}

static void
udp_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static socklen_t
udp_salen(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (sizeof(struct sockaddr_in));
	return (sizeof(struct sockaddr_in6));
}

/* Compare family and address, not the port. */
static int
udp_addr_eq(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->sa_family)
		return (0);
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return (a4->sin_addr.s_addr == b4->sin_addr.s_addr);
	}
	if (a->sa_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return (memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0);
	}
	return (0);
}

const char *
udp_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char		 host[INET6_ADDRSTRLEN];
	const void	*src;

	if (sa->sa_family == AF_INET)
		src = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	else {
		(void)snprintf(buf, len, "(family %d)", sa->sa_family);
		return (buf);
	}
	if (inet_ntop(sa->sa_family, src, host, sizeof(host)) == NULL)
		(void)snprintf(host, sizeof(host), "?");
	(void)snprintf(buf, len, "%s[%u]", host, udp_port(sa));
	return (buf);
}

struct udp *
udp_new(struct event_base *base, const struct udp_ops *ops, void *arg)
{
	struct udp	*u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return (NULL);
	u->u_buf = calloc(UDP_READ_BATCH, UDP_RECV_BUF);
	u->u_recv = calloc(1, sizeof(*u->u_recv));
	if (u->u_buf == NULL || u->u_recv == NULL) {
		free(u->u_buf);
		free(u->u_recv);
		free(u);
		return (NULL);
	}
	u->u_base = base;
	u->u_ops = *ops;
	u->u_arg = arg;
	return (u);
}

static void
udp_sock_free(struct udp_sock *s)
{
	char	addr[UDP_ADDRSTRLEN];

	if (s == NULL)
		return;
	log_debug(D_OP, "closing UDP socket %s",
	    udp_addr_str((struct sockaddr *)&s->us_addr, addr, sizeof(addr)));
	if (s->us_ev != NULL)
		event_free(s->us_ev);
	if (s->us_fd >= 0)
		(void)close(s->us_fd);
	free(s);
}

void
udp_free(struct udp *u)
{
	size_t	i;

	if (u == NULL)
		return;
	for (i = 0; i < u->u_nsocks; i++)
		udp_sock_free(u->u_socks[i]);
	free(u->u_socks);
	free(u->u_buf);
	free(u->u_recv);
	free(u);
}

size_t
udp_count(const struct udp *u)
{
	return (u->u_nsocks);
}

const struct udp_stats *
udp_stats(const struct udp *u)
{
	return (&u->u_stats);
}

/* Local address of a received datagram, from its PKTINFO. */
static void
udp_recv_local(const struct udp_sock *s, struct msghdr *msg,
    struct sockaddr_storage *local)
{
	struct cmsghdr		*cm;
	struct in_pktinfo	 pi4;
	struct in6_pktinfo	 pi6;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	*local = s->us_addr;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(pi4))) {
			memcpy(&pi4, CMSG_DATA(cm), sizeof(pi4));
			sin = (struct sockaddr_in *)local;
			sin->sin_addr = pi4.ipi_addr;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(pi6))) {
			memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
			sin6 = (struct sockaddr_in6 *)local;
			sin6->sin6_addr = pi6.ipi6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&pi6.ipi6_addr))
				sin6->sin6_scope_id = pi6.ipi6_ifindex;
		}
	}
}

static void
udp_drop(struct udp *u, const struct sockaddr *remote, const char *why,
    size_t len)
{
	char	addr[UDP_ADDRSTRLEN];

	u->u_stats.us_dropped++;
	if (log_ratelimit_pass(&udp_rl_drop))
		log_info("dropped a %zu-byte datagram from %s: %s", len,
		    udp_addr_str(remote, addr, sizeof(addr)), why);
}

static void
udp_input_ike(struct udp *u, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, const uint8_t *data, size_t len)
{
	struct ike_packet	pkt;
	char			why[64];

	if (len < UDP_IKE_MIN) {
		udp_drop(u, (const struct sockaddr *)remote,
		    "shorter than an ISAKMP header", len);
		return;
	}
	if (len > UDP_IKE_MAX) {
		(void)snprintf(why, sizeof(why), "larger than the ISAKMP "
		    "message limit of %d bytes", UDP_IKE_MAX);
		udp_drop(u, (const struct sockaddr *)remote, why, len);
		return;
	}
	memset(&pkt, 0, sizeof(pkt));
	pkt.pk_local = *local;
	pkt.pk_remote = *remote;
	pkt.pk_data = data;
	pkt.pk_len = len;
	u->u_stats.us_ike_in++;
	u->u_ops.uo_ike(u->u_arg, &pkt);
}

/*
 * Port 4500 carries three kinds of datagram (RFC 3948 section 2): a single
 * 0xff byte is a NAT keepalive, four zero bytes (where an SPI cannot be
 * zero) mark an ISAKMP message, anything else is ESP.
 */
static void
udp_input_natt(struct udp *u, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, const uint8_t *data, size_t len)
{
	struct rbuf	rb, peek;
	uint8_t		first;
	uint32_t	marker;

	rbuf_init(&rb, data, len);
	if (len == 1 && rbuf_peek_u8(&rb, &first) == 0 &&
	    first == UDP_KEEPALIVE_BYTE) {
		u->u_stats.us_keepalive_in++;
		return;
	}
	peek = rb;
	if (rbuf_get_u32(&peek, &marker) != 0) {
		udp_drop(u, (const struct sockaddr *)remote,
		    "too short for ESP or the non-ESP marker", len);
		return;
	}
	if (marker == 0) {
		udp_input_ike(u, local, remote, rbuf_cur(&peek),
		    rbuf_left(&peek));
		return;
	}
	if (len < UDP_ESP_MIN) {
		udp_drop(u, (const struct sockaddr *)remote,
		    "shorter than an ESP header", len);
		return;
	}
	u->u_stats.us_esp_in++;
	u->u_ops.uo_esp(u->u_arg, (const struct sockaddr *)local,
	    (const struct sockaddr *)remote, rbuf_cur(&rb), rbuf_left(&rb));
}

/* Process datagram i of the batch that udp_sock_read received. */
static void
udp_sock_input(struct udp_sock *s, unsigned int i)
{
	struct udp		*u = s->us_udp;
	struct mmsghdr		*mm = &u->u_recv->ur_msg[i];
	struct sockaddr_storage	*remote = &u->u_recv->ur_remote[i];
	struct sockaddr_storage	 local;
	uint8_t			*buf = u->u_buf + (size_t)i * UDP_RECV_BUF;
	size_t			 n = mm->msg_len;

	if ((mm->msg_hdr.msg_flags & MSG_TRUNC) || n > UDP_RECV_BUF) {
		udp_drop(u, (struct sockaddr *)remote,
		    "larger than the receive buffer", n);
		return;
	}
	if (remote->ss_family != s->us_addr.ss_family)
		return;
	udp_recv_local(s, &mm->msg_hdr, &local);
	if (udp_port((struct sockaddr *)&s->us_addr) == UDP_PORT_NATT)
		udp_input_natt(u, &local, remote, buf, n);
	else
		udp_input_ike(u, &local, remote, buf, n);
}

static void
udp_sock_read(evutil_socket_t fd, short what, void *arg)
{
	struct udp_sock	*s = arg;
	struct udp	*u = s->us_udp;
	struct udp_recv	*ur = u->u_recv;
	struct msghdr	*msg;
	unsigned int	 i;
	int		 n;
	char		 addr[UDP_ADDRSTRLEN];

	for (i = 0; i < UDP_READ_BATCH; i++) {
		msg = &ur->ur_msg[i].msg_hdr;
		memset(msg, 0, sizeof(*msg));
		memset(&ur->ur_remote[i], 0, sizeof(ur->ur_remote[i]));
		ur->ur_iov[i].iov_base = u->u_buf + (size_t)i * UDP_RECV_BUF;
		ur->ur_iov[i].iov_len = UDP_RECV_BUF;
		msg->msg_name = &ur->ur_remote[i];
		msg->msg_namelen = sizeof(ur->ur_remote[i]);
		msg->msg_iov = &ur->ur_iov[i];
		msg->msg_iovlen = 1;
		msg->msg_control = ur->ur_ctl[i].buf;
		msg->msg_controllen = sizeof(ur->ur_ctl[i].buf);
	}
	/* MSG_TRUNC: msg_len is the datagram's length, even when cut. */
	n = recvmmsg(s->us_fd, ur->ur_msg, UDP_READ_BATCH,
	    MSG_DONTWAIT | MSG_TRUNC, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		u->u_stats.us_dropped++;
		if (log_ratelimit_pass(&udp_rl_io))
			log_warn("receive on UDP socket %s failed: %s",
			    udp_addr_str((struct sockaddr *)&s->us_addr, addr,
			    sizeof(addr)), strerror(errno));
		return;
	}
	for (i = 0; i < (unsigned int)n; i++)
		udp_sock_input(s, i);
}

static int
udp_setopt(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)) == 0)
		return (0);
	log_err("setting %s on a UDP socket failed: %s", what,
	    strerror(errno));
	return (ERR_SYSTEM);
}

/*
 * IP_FREEBIND lets a socket bind an address that is not configured yet
 * (or, for IPv6, still tentative during duplicate address detection), so
 * the daemon may start before its interfaces are up.
 */
static int
udp_sock_options(int fd, int family)
{
	int	rc;

	if (family == AF_INET) {
		if ((rc = udp_setopt(fd, IPPROTO_IP, IP_PKTINFO, 1,
		    "IP_PKTINFO")) != 0)
			return (rc);
		if ((rc = udp_setopt(fd, IPPROTO_IP, IP_FREEBIND, 1,
		    "IP_FREEBIND")) != 0)
			return (rc);
		/* Large IKE messages (certificates) may be fragmented. */
		return (udp_setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER,
		    IP_PMTUDISC_DONT, "IP_MTU_DISCOVER"));
	}
	if ((rc = udp_setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1,
	    "IPV6_V6ONLY")) != 0)
		return (rc);
	if ((rc = udp_setopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1,
	    "IPV6_RECVPKTINFO")) != 0)
		return (rc);
	/*
	 * IPv6 routers do not fragment, so the host must fragment datagrams
	 * above the path MTU.  IPV6_PMTUDISC_WANT does that; it is the
	 * kernel's default, set here explicitly.
	 */
	if ((rc = udp_setopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
	    IPV6_PMTUDISC_WANT, "IPV6_MTU_DISCOVER")) != 0)
		return (rc);
	return (udp_setopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1,
	    "IPV6_FREEBIND"));
}

static int
udp_sock_open(struct udp *u, const struct udp_want *w, struct udp_sock **out)
{
	struct udp_sock	*s;
	const struct sockaddr *sa = (const struct sockaddr *)&w->uw_addr;
	char		 addr[UDP_ADDRSTRLEN];
	int		 rc = ERR_SYSTEM;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (ERR_NOMEM);
	s->us_udp = u;
	s->us_addr = w->uw_addr;
	s->us_wildcard = w->uw_wildcard;
	(void)udp_addr_str(sa, addr, sizeof(addr));

	s->us_fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_UDP);
	if (s->us_fd < 0) {
		log_err("creating a UDP socket for %s failed: %s", addr,
		    strerror(errno));
		goto out;
	}
	if ((rc = udp_sock_options(s->us_fd, sa->sa_family)) != 0)
		goto out;
	if (bind(s->us_fd, sa, udp_salen(sa)) != 0) {
		rc = ERR_SYSTEM;
		log_err("binding UDP %s failed: %s: stop the other IKE daemon "
		    "using this port, or change local_addr in the rules",
		    addr, strerror(errno));
		goto out;
	}
	if ((rc = u->u_ops.uo_opened(u->u_arg, s->us_fd, sa->sa_family,
	    udp_port(sa))) != 0) {
		log_err("preparing UDP socket %s for IPsec failed: %s", addr,
		    err_str(rc));
		goto out;
	}
	s->us_ev = event_new(u->u_base, s->us_fd, EV_READ | EV_PERSIST,
	    udp_sock_read, s);
	if (s->us_ev == NULL || event_add(s->us_ev, NULL) != 0) {
		rc = ERR_NOMEM;
		goto out;
	}
	log_info("listening on UDP %s%s", addr,
	    s->us_wildcard ? " (any local address)" : "");
	*out = s;
	s = NULL;
	rc = 0;
out:
	udp_sock_free(s);
	return (rc);
}

/* Add (addr, port) to wants unless present. */
static int
udp_want_add(struct udp_want **wants, size_t *n, const struct udp_want *w)
{
	struct udp_want	*nw;
	size_t		 i;

	for (i = 0; i < *n; i++)
		if ((*wants)[i].uw_wildcard == w->uw_wildcard &&
		    udp_addr_eq((struct sockaddr *)&(*wants)[i].uw_addr,
		    (const struct sockaddr *)&w->uw_addr) &&
		    udp_port((struct sockaddr *)&(*wants)[i].uw_addr) ==
		    udp_port((const struct sockaddr *)&w->uw_addr))
			return (0);
	if ((nw = reallocarray(*wants, *n + 1, sizeof(*nw))) == NULL)
		return (ERR_NOMEM);
	nw[*n] = *w;
	*wants = nw;
	(*n)++;
	return (0);
}

static void
udp_want_set(struct udp_want *w, const struct config_ip *ip, int wildcard,
    uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&w->uw_addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&w->uw_addr;

	memset(w, 0, sizeof(*w));
	w->uw_wildcard = wildcard;
	if (ip->family == AF_INET) {
		sin->sin_family = AF_INET;
		if (!wildcard)
			memcpy(&sin->sin_addr, ip->addr, 4);
	} else {
		sin6->sin6_family = AF_INET6;
		if (!wildcard)
			memcpy(&sin6->sin6_addr, ip->addr, 16);
	}
	udp_set_port(&w->uw_addr, port);
}

static int
udp_range_single(const struct config_range *r)
{
	size_t	alen = r->lo.family == AF_INET ? 4 : 16;

	return (r->lo.family == r->hi.family &&
	    memcmp(r->lo.addr, r->hi.addr, alen) == 0);
}

/* Does some rule have a local prefix or range of this family? */
static int
udp_family_wildcard(const struct config *cf, int family)
{
	const struct config_addrlist	*al;
	size_t				 i, j;

	for (i = 0; i < cf->cf_nrules; i++) {
		al = &cf->cf_rules[i].cr_local;
		for (j = 0; j < al->n; j++)
			if (al->ranges[j].lo.family == family &&
			    !udp_range_single(&al->ranges[j]))
				return (1);
	}
	return (0);
}

/* The sockets the rules of cf need, per the policy of udp.h. */
static int
udp_wants(const struct config *cf, struct udp_want **wants, size_t *n)
{
	static const uint16_t		 ports[] = { UDP_PORT_IKE,
					    UDP_PORT_NATT };
	const struct config_range	*r;
	struct udp_want			 w;
	size_t				 i, j, p;
	int				 wild, rc;

	*wants = NULL;
	*n = 0;
	for (i = 0; i < cf->cf_nrules; i++) {
		for (j = 0; j < cf->cf_rules[i].cr_local.n; j++) {
			r = &cf->cf_rules[i].cr_local.ranges[j];
			wild = udp_family_wildcard(cf, r->lo.family);
			for (p = 0; p < 2; p++) {
				udp_want_set(&w, &r->lo, wild, ports[p]);
				if ((rc = udp_want_add(wants, n, &w)) != 0)
					return (rc);
			}
		}
	}
	return (0);
}

static int
udp_sock_matches(const struct udp_sock *s, const struct udp_want *w)
{
	return (s->us_wildcard == w->uw_wildcard &&
	    udp_addr_eq((const struct sockaddr *)&s->us_addr,
	    (const struct sockaddr *)&w->uw_addr) &&
	    udp_port((const struct sockaddr *)&s->us_addr) ==
	    udp_port((const struct sockaddr *)&w->uw_addr));
}

/* Close the sockets no want matches; mark the kept ones. */
static void
udp_close_unwanted(struct udp *u, const struct udp_want *wants, size_t n)
{
	size_t	i, j, kept = 0;

	for (i = 0; i < u->u_nsocks; i++) {
		u->u_socks[i]->us_keep = 0;
		for (j = 0; j < n; j++)
			if (udp_sock_matches(u->u_socks[i], &wants[j]))
				u->u_socks[i]->us_keep = 1;
		if (u->u_socks[i]->us_keep)
			u->u_socks[kept++] = u->u_socks[i];
		else
			udp_sock_free(u->u_socks[i]);
	}
	u->u_nsocks = kept;
}

static int
udp_have(const struct udp *u, const struct udp_want *w)
{
	size_t	i;

	for (i = 0; i < u->u_nsocks; i++)
		if (udp_sock_matches(u->u_socks[i], w))
			return (1);
	return (0);
}

/* Whether some interface has ip as an address. */
static int
udp_ip_configured(const struct ifaddrs *ifs, const struct config_ip *ip)
{
	const struct ifaddrs	*ifa;
	struct config_ip	 have;

	for (ifa = ifs; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL ||
		    config_ip_from_sockaddr(&have, ifa->ifa_addr) != 0)
			continue;
		if (config_ip_cmp(&have, ip) == 0)
			return (1);
	}
	return (0);
}

/*
 * IP_FREEBIND lets the sockets bind a local_addr that no interface has,
 * but nothing can be sent from it until it is added, so say so once per
 * address.  Prefixes and ranges are not checked.
 */
static void
udp_warn_unconfigured(const struct config *cf)
{
	const struct config_range	*r;
	const struct config_rule	*rule;
	struct ifaddrs			*ifs;
	struct config_ip		*warned = NULL, *nw;
	size_t				 nwarned = 0, i, j, k;
	char				 text[INET6_ADDRSTRLEN];

	if (getifaddrs(&ifs) != 0) {
		log_warn("listing the interface addresses failed: %s: local "
		    "addresses are not checked", strerror(errno));
		return;
	}
	for (i = 0; i < cf->cf_nrules; i++) {
		rule = &cf->cf_rules[i];
		for (j = 0; j < rule->cr_local.n; j++) {
			r = &rule->cr_local.ranges[j];
			if (!udp_range_single(r) ||
			    udp_ip_configured(ifs, &r->lo))
				continue;
			for (k = 0; k < nwarned; k++)
				if (config_ip_cmp(&warned[k], &r->lo) == 0)
					break;
			if (k < nwarned)
				continue;
			if ((nw = reallocarray(warned, nwarned + 1,
			    sizeof(*nw))) == NULL)
				goto out;
			warned = nw;
			warned[nwarned++] = r->lo;
			(void)inet_ntop(r->lo.family, r->lo.addr, text,
			    sizeof(text));
			log_warn("local_addr %s of rule \"%s\" is not "
			    "configured on any interface; in.iked listens on "
			    "it but cannot send from it until it is added",
			    text, rule->cr_label != NULL ? rule->cr_label : "");
		}
	}
out:
	free(warned);
	freeifaddrs(ifs);
}

int
udp_sync(struct udp *u, const struct config *cf)
{
	struct udp_want	*wants = NULL;
	struct udp_sock	*s, **ns;
	size_t		 n, i;
	int		 rc, first = 0;

	if ((rc = udp_wants(cf, &wants, &n)) != 0)
		goto out;
	/* Close first: a wildcard bind fails while a specific one exists. */
	udp_close_unwanted(u, wants, n);
	for (i = 0; i < n; i++) {
		if (udp_have(u, &wants[i]))
			continue;
		if ((rc = udp_sock_open(u, &wants[i], &s)) != 0) {
			if (first == 0)
				first = rc;
			continue;
		}
		ns = reallocarray(u->u_socks, u->u_nsocks + 1, sizeof(*ns));
		if (ns == NULL) {
			udp_sock_free(s);
			rc = ERR_NOMEM;
			goto out;
		}
		ns[u->u_nsocks++] = s;
		u->u_socks = ns;
	}
	if (u->u_nsocks == 0)
		log_warn("no rule has a local_addr: not listening for IKE");
	udp_warn_unconfigured(cf);
	rc = first;
out:
	free(wants);
	return (rc);
}

/*
 * The socket for sending from local: the one bound to that address and
 * port, else the wildcard socket of the family on that port.
 */
static struct udp_sock *
udp_find(const struct udp *u, const struct sockaddr *local, uint16_t port)
{
	struct udp_sock	*s, *wild = NULL;
	size_t		 i;

	for (i = 0; i < u->u_nsocks; i++) {
		s = u->u_socks[i];
		if (s->us_addr.ss_family != local->sa_family ||
		    udp_port((struct sockaddr *)&s->us_addr) != port)
			continue;
		if (s->us_wildcard)
			wild = s;
		else if (udp_addr_eq((struct sockaddr *)&s->us_addr, local))
			return (s);
	}
	return (wild);
}

/* Add the source address as PKTINFO; the kernel picks the interface. */
static void
udp_send_pktinfo(struct msghdr *msg, void *cbuf, size_t cbuflen,
    const struct sockaddr *local)
{
	struct cmsghdr		*cm;
	struct in_pktinfo	 pi4;
	struct in6_pktinfo	 pi6;
	const struct sockaddr_in6 *sin6;

	memset(cbuf, 0, cbuflen);
	msg->msg_control = cbuf;
	cm = (struct cmsghdr *)cbuf;
	if (local->sa_family == AF_INET) {
		memset(&pi4, 0, sizeof(pi4));
		pi4.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi4));
		memcpy(CMSG_DATA(cm), &pi4, sizeof(pi4));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi4));
	} else {
		sin6 = (const struct sockaddr_in6 *)local;
		memset(&pi6, 0, sizeof(pi6));
		pi6.ipi6_addr = sin6->sin6_addr;
		pi6.ipi6_ifindex = sin6->sin6_scope_id;
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi6));
		memcpy(CMSG_DATA(cm), &pi6, sizeof(pi6));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi6));
	}
}

static int
udp_sendv(struct udp *u, const struct sockaddr *local, uint16_t lport,
    const struct sockaddr *remote, struct iovec *iov, size_t iovcnt)
{
	struct udp_sock	*s;
	struct msghdr	 msg;
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}		 cbuf;
	char		 la[UDP_ADDRSTRLEN], ra[UDP_ADDRSTRLEN];

	if ((s = udp_find(u, local, lport)) == NULL) {
		u->u_stats.us_send_errors++;
		if (log_ratelimit_pass(&udp_rl_io))
			log_warn("no UDP socket on %s port %u to send to %s: "
			    "add the address to local_addr of a rule",
			    udp_addr_str(local, la, sizeof(la)), lport,
			    udp_addr_str(remote, ra, sizeof(ra)));
		return (ERR_NOTFOUND);
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = (void *)remote;
	msg.msg_namelen = udp_salen(remote);
	msg.msg_iov = iov;
	msg.msg_iovlen = iovcnt;
	if (s->us_wildcard)
		udp_send_pktinfo(&msg, cbuf.buf, sizeof(cbuf.buf), local);
	if (sendmsg(s->us_fd, &msg, 0) >= 0)
		return (0);
	u->u_stats.us_send_errors++;
	if (log_ratelimit_pass(&udp_rl_io))
		log_warn("send from %s to %s failed: %s",
		    udp_addr_str((struct sockaddr *)&s->us_addr, la, sizeof(la)),
		    udp_addr_str(remote, ra, sizeof(ra)), strerror(errno));
	return (ERR_SYSTEM);
}

int
udp_send_ike(struct udp *u, const struct ike_packet *pkt)
{
	static const uint8_t	 marker[4] = { 0, 0, 0, 0 };
	const struct sockaddr	*local = (const struct sockaddr *)&pkt->pk_local;
	const struct sockaddr	*remote =
				    (const struct sockaddr *)&pkt->pk_remote;
	struct iovec		 iov[2];
	uint16_t		 lport = udp_port(local);
	size_t			 n = 0;
	int			 rc;

	if (local->sa_family != remote->sa_family)
		return (ERR_INVAL);
	if (lport == 0)
		lport = udp_port(remote) == UDP_PORT_NATT ? UDP_PORT_NATT :
		    UDP_PORT_IKE;
	if (lport == UDP_PORT_NATT || udp_port(remote) == UDP_PORT_NATT) {
		iov[n].iov_base = (void *)marker;
		iov[n++].iov_len = sizeof(marker);
	}
	iov[n].iov_base = (void *)pkt->pk_data;
	iov[n++].iov_len = pkt->pk_len;
	rc = udp_sendv(u, local, lport, remote, iov, n);
	if (rc == 0)
		u->u_stats.us_ike_out++;
	return (rc);
}

int
udp_send_natt(struct udp *u, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *data, size_t len)
{
	struct iovec	iov;
	int		rc;

	if (local->sa_family != remote->sa_family)
		return (ERR_INVAL);
	iov.iov_base = (void *)data;
	iov.iov_len = len;
	rc = udp_sendv(u, local, UDP_PORT_NATT, remote, &iov, 1);
	if (rc == 0)
		u->u_stats.us_esp_out++;
	return (rc);
}

/* The control data of one message of udp_send_natt_batch. */
union udp_batch_ctl {
	struct cmsghdr	hdr;
	uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			    CMSG_SPACE(sizeof(uint16_t))];
};

struct udp_batch {
	struct mmsghdr		 ub_msg[UDP_SEND_BATCH];
	struct iovec		 ub_iov[UDP_SEND_BATCH];
	union udp_batch_ctl	 ub_ctl[UDP_SEND_BATCH];
	size_t			 ub_count[UDP_SEND_BATCH];  /* datagrams */
	unsigned int		 ub_nmsg;
};

/* Whether d can follow prev in one UDP_SEGMENT message of first's size. */
static int
udp_gso_joins(const struct kernel_udp_datagram *first,
    const struct kernel_udp_datagram *prev,
    const struct kernel_udp_datagram *d, size_t count, size_t total)
{
	return (count < UDP_GSO_SEGS && prev->kud_len == first->kud_len &&
	    d->kud_len <= first->kud_len && total + d->kud_len <= UDP_GSO_MAX &&
	    udp_addr_eq(d->kud_local, first->kud_local) &&
	    udp_addr_eq(d->kud_remote, first->kud_remote) &&
	    udp_port(d->kud_remote) == udp_port(first->kud_remote));
}

/*
 * Describe datagrams d[0..count) as one message of b: PKTINFO on a
 * wildcard socket, UDP_SEGMENT for more than one datagram.
 */
static void
udp_batch_msg(struct udp_batch *b, const struct udp_sock *s,
    const struct kernel_udp_datagram *d, size_t count, struct iovec *iov)
{
	struct msghdr	*msg = &b->ub_msg[b->ub_nmsg].msg_hdr;
	union udp_batch_ctl *ctl = &b->ub_ctl[b->ub_nmsg];
	struct cmsghdr	*cm;
	uint16_t	 seg = (uint16_t)d->kud_len;
	size_t		 i;

	memset(msg, 0, sizeof(*msg));
	for (i = 0; i < count; i++) {
		iov[i].iov_base = (void *)d[i].kud_pkt;
		iov[i].iov_len = d[i].kud_len;
	}
	msg->msg_name = (void *)d->kud_remote;
	msg->msg_namelen = udp_salen(d->kud_remote);
	msg->msg_iov = iov;
	msg->msg_iovlen = count;
	if (s->us_wildcard)
		udp_send_pktinfo(msg, ctl->buf, sizeof(ctl->buf),
		    d->kud_local);
	else
		memset(ctl->buf, 0, sizeof(ctl->buf));
	if (count > 1) {
		msg->msg_control = ctl->buf;
		cm = (struct cmsghdr *)(ctl->buf + msg->msg_controllen);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
		msg->msg_controllen += CMSG_SPACE(sizeof(seg));
	}
	b->ub_count[b->ub_nmsg++] = count;
}

static void
udp_batch_failed(struct udp *u, const struct udp_sock *s,
    const struct msghdr *msg)
{
	char	la[UDP_ADDRSTRLEN], ra[UDP_ADDRSTRLEN];

	u->u_stats.us_send_errors++;
	if (log_ratelimit_pass(&udp_rl_io))
		log_warn("send from %s to %s failed: %s",
		    udp_addr_str((struct sockaddr *)&s->us_addr, la, sizeof(la)),
		    udp_addr_str(msg->msg_name, ra, sizeof(ra)),
		    strerror(errno));
}

/*
 * Whether the kernel rejected a UDP_SEGMENT message for its segment size
 * only: a segment larger than the path MTU (the TUN device's MTU was
 * raised) gets EMSGSIZE from Linux 6.18 and EINVAL from the udp_send_skb
 * of Linux 5.x.  Smaller datagrams may still share a message.
 */
static int
udp_gso_too_large(int error)
{
	return (error == EMSGSIZE || error == EINVAL);
}

/*
 * Send one by one the datagrams of a UDP_SEGMENT message that the kernel
 * rejected with error.  An error other than the segment size (EIO: no
 * checksum offload) turns UDP_SEGMENT off.
 */
static void
udp_batch_unsegment(struct udp *u, const struct udp_sock *s,
    const struct msghdr *msg, size_t count, int error)
{
	struct msghdr	 one;
	size_t		 i;

	if (!udp_gso_too_large(error)) {
		log_info("UDP_SEGMENT failed (%s); ESP in UDP goes out one "
		    "datagram per message", strerror(error));
		u->u_no_gso = 1;
	}
	/* The same message without its UDP_SEGMENT, the last. */
	one = *msg;
	one.msg_iovlen = 1;
	one.msg_controllen -= CMSG_SPACE(sizeof(uint16_t));
	if (one.msg_controllen == 0)
		one.msg_control = NULL;
	for (i = 0; i < count; i++, one.msg_iov++) {
		if (sendmsg(s->us_fd, &one, 0) >= 0)
			u->u_stats.us_esp_out++;
		else
			udp_batch_failed(u, s, &one);
	}
}

/*
 * Send the messages of b on s.  A UDP_SEGMENT message that the kernel
 * rejects is sent again one datagram at a time.
 */
static void
udp_batch_send(struct udp *u, const struct udp_sock *s, struct udp_batch *b)
{
	unsigned int	 m = 0;
	int		 n;

	while (m < b->ub_nmsg) {
		n = sendmmsg(s->us_fd, b->ub_msg + m, b->ub_nmsg - m, 0);
		if (n > 0) {
			for (; n > 0; n--)
				u->u_stats.us_esp_out += b->ub_count[m++];
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (b->ub_count[m] > 1 && (udp_gso_too_large(errno) ||
		    errno == ENOPROTOOPT || errno == EIO))
			udp_batch_unsegment(u, s, &b->ub_msg[m].msg_hdr,
			    b->ub_count[m], errno);
		else
			udp_batch_failed(u, s, &b->ub_msg[m].msg_hdr);
		m++;
	}
	b->ub_nmsg = 0;
}

/* The port 4500 socket for d, or NULL (counted and logged). */
static struct udp_sock *
udp_batch_sock(struct udp *u, const struct kernel_udp_datagram *d)
{
	struct udp_sock	*s;
	char		 la[UDP_ADDRSTRLEN], ra[UDP_ADDRSTRLEN];

	if (d->kud_local->sa_family == d->kud_remote->sa_family &&
	    (s = udp_find(u, d->kud_local, UDP_PORT_NATT)) != NULL)
		return (s);
	u->u_stats.us_send_errors++;
	if (log_ratelimit_pass(&udp_rl_io))
		log_warn("no UDP socket on %s port %u to send ESP to %s: add "
		    "the address to local_addr of a rule",
		    udp_addr_str(d->kud_local, la, sizeof(la)), UDP_PORT_NATT,
		    udp_addr_str(d->kud_remote, ra, sizeof(ra)));
	return (NULL);
}

void
udp_send_natt_batch(struct udp *u, const struct kernel_udp_datagram *d,
    size_t n)
{
	struct udp_batch	 b;
	struct udp_sock		*s, *cur = NULL;
	size_t			 i = 0, count, total, used = 0;

	b.ub_nmsg = 0;
	while (i < n) {
		if ((s = udp_batch_sock(u, &d[i])) == NULL) {
			i++;
			continue;
		}
		if (b.ub_nmsg == UDP_SEND_BATCH || used == UDP_SEND_BATCH ||
		    (cur != NULL && s != cur)) {
			udp_batch_send(u, cur, &b);
			used = 0;
		}
		cur = s;
		count = 1;
		total = d[i].kud_len;
		while (!u->u_no_gso && i + count < n && used + count <
		    UDP_SEND_BATCH && udp_gso_joins(&d[i], &d[i + count - 1],
		    &d[i + count], count, total)) {
			total += d[i + count].kud_len;
			count++;
		}
		udp_batch_msg(&b, s, d + i, count, b.ub_iov + used);
		used += count;
		i += count;
	}
	if (b.ub_nmsg > 0)
		udp_batch_send(u, cur, &b);
}
