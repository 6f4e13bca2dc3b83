/*
 * Packet paths of the userspace backend.  Outbound: IP packets read from
 * the TUN device are matched against the outbound policies and leave as
 * ESP on a raw socket, or as ESP in UDP through the daemon's port 4500
 * socket (RFC 3948).  Inbound: ESP from the raw sockets or from the
 * daemon is checked and decrypted, and the inner packet is written to
 * the TUN device.  Packets are processed in two fixed buffers: nothing is
 * allocated per packet, except copies held while an SA is acquired.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "kernel/user.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/rbuf.h"

#define USER_IO_BATCH		64	/* packets read per wakeup */
#define USER_IO_RCVBUF		(4 * 1024 * 1024)	/* raw ESP sockets */

static void
user_io_drop(struct kernel_user *ku, const char *what, uint32_t spi, int r)
{
	if (log_debug_enabled(D_PFKEY) &&
	    log_ratelimit_pass(&ku->ku_ratelimit))
		log_debug(D_PFKEY, "ESP packet dropped (SPI 0x%08x): %s: %s",
		    spi, what, err_str(r));
}

int
user_io_mark_socket(struct kernel_user *ku, int fd)
{
	uint32_t	mark = ku->ku_k->k_fwmark;

	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == -1) {
		log_err("cannot set mark 0x%x on socket %d: %s; in.iked needs "
		    "CAP_NET_ADMIN", mark, fd, strerror(errno));
		return (ERR_SYSTEM);
	}
	return (0);
}

static size_t
user_io_addr_len(int family)
{
	return (family == AF_INET ? 4 : 16);
}

/* Outbound */

static void
user_io_sockaddr(struct sockaddr_storage *ss, socklen_t *len, int family,
    const uint8_t *addr)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		*len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
		*len = sizeof(*sin6);
	}
}

/* Send raw ESP from the SA's source address (IP_PKTINFO/IPV6_PKTINFO). */
static int
user_io_send_esp(struct kernel_user *ku, const struct kernel_sa *sa,
    const uint8_t *pkt, size_t len)
{
	struct sockaddr_storage	 dst;
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}			 control;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	uint8_t			 src[16], addr[16];
	int			 family, fd;

	family = flow_sockaddr_bytes(&sa->sa_id.id_dst, addr);
	if (flow_sockaddr_bytes(&sa->sa_id.id_src, src) != family)
		return (ERR_INVAL);
	fd = family == AF_INET ? ku->ku_esp4 : ku->ku_esp6;
	if (fd == -1)
		return (ERR_UNSUPPORTED);
	memset(&msg, 0, sizeof(msg));
	memset(&control, 0, sizeof(control));
	user_io_sockaddr(&dst, &msg.msg_namelen, family, addr);
	iov.iov_base = (void *)pkt;
	iov.iov_len = len;
	msg.msg_name = &dst;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	cm = (struct cmsghdr *)control.buf;
	if (family == AF_INET) {
		struct in_pktinfo	pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi_spec_dst, src, 4);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo	pi6;

		memset(&pi6, 0, sizeof(pi6));
		memcpy(&pi6.ipi6_addr, src, 16);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi6));
		memcpy(CMSG_DATA(cm), &pi6, sizeof(pi6));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi6));
	}
	if (sendmsg(fd, &msg, 0) == -1)
		return (ERR_SYSTEM);
	return (0);
}

static int
user_io_send_udp(struct kernel_user *ku, const struct kernel_sa *sa,
    const uint8_t *pkt, size_t len)
{
	struct kernel	*k = ku->ku_k;

	if (k->k_cb.kc_send_udp == NULL)
		return (ERR_UNSUPPORTED);
	return (k->k_cb.kc_send_udp(k->k_arg,
	    (const struct sockaddr *)&sa->sa_id.id_src,
	    (const struct sockaddr *)&sa->sa_id.id_dst, pkt, len));
}

void
user_io_output(struct kernel_user *ku, struct user_sa *us,
    const uint8_t *pkt, const struct flow *fl)
{
	const struct kernel_sa	*sa = &us->us_esp.es_rec.r_sa;
	size_t			 outlen, len;
	int			 r;

	r = esp_sa_encap(&us->us_esp, pkt, fl, ku->ku_tx, sizeof(ku->ku_tx),
	    &outlen, &len);
	if (r != 0) {
		user_io_drop(ku, "cannot build", sa->sa_id.id_spi, r);
		return;
	}
	if (sa->sa_encap)
		r = user_io_send_udp(ku, sa, ku->ku_tx, outlen);
	else
		r = user_io_send_esp(ku, sa, ku->ku_tx, outlen);
	if (r != 0) {
		user_io_drop(ku, r == ERR_SYSTEM ? strerror(errno) :
		    "cannot send", sa->sa_id.id_spi, r);
		return;
	}
	user_sa_used(ku, us, len);
}

/* Send a packet that no ipsec policy claims in the clear, around the TUN. */
static void
user_io_send_clear(struct kernel_user *ku, const uint8_t *pkt,
    const struct flow *fl)
{
	struct sockaddr_storage	dst;
	socklen_t		dstlen;
	int			fd;

	fd = fl->fl_family == AF_INET ? ku->ku_raw4 : ku->ku_raw6;
	if (fd == -1)
		return;
	user_io_sockaddr(&dst, &dstlen, fl->fl_family, fl->fl_dst);
	if (sendto(fd, pkt, fl->fl_totlen, 0, (struct sockaddr *)&dst,
	    dstlen) == -1)
		user_io_drop(ku, "cannot send in the clear", 0, ERR_SYSTEM);
}

/*
 * Multicast and IPv6 link-local traffic that the kernel sends on every
 * interface (router solicitations, MLD reports) never enters a tunnel.
 */
static int
user_io_link_scope(const struct flow *fl)
{
	if (fl->fl_family == AF_INET)
		return ((fl->fl_dst[0] & 0xf0) == 0xe0);
	return (fl->fl_dst[0] == 0xff ||
	    (fl->fl_dst[0] == 0xfe && (fl->fl_dst[1] & 0xc0) == 0x80) ||
	    (fl->fl_src[0] == 0xfe && (fl->fl_src[1] & 0xc0) == 0x80));
}

static void
user_io_outbound(struct kernel_user *ku, const uint8_t *pkt, size_t len)
{
	struct user_policy	*up;
	struct user_sa		*us;
	struct flow		 fl;
	int			 r;

	if ((r = flow_parse(&fl, pkt, len)) != 0) {
		user_io_drop(ku, "invalid packet from the TUN device", 0, r);
		return;
	}
	if (user_io_link_scope(&fl))
		return;
	up = user_policy_match(ku, &fl);
	if (up == NULL || up->up_pol.pol_action == KERNEL_ACTION_BYPASS) {
		user_io_send_clear(ku, pkt, &fl);
		return;
	}
	if (up->up_pol.pol_action == KERNEL_ACTION_DROP)
		return;
	if ((us = user_policy_sa(ku, up)) == NULL) {
		user_policy_hold(ku, up, &fl, pkt, fl.fl_totlen);
		return;
	}
	user_io_output(ku, us, pkt, &fl);
}

static void
user_io_tun_read(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_user	*ku = arg;
	uint8_t			*buf = ku->ku_rx + USER_HEADROOM;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < USER_IO_BATCH; i++) {
		n = read(fd, buf, USER_BUF_LEN);
		if (n <= 0)
			break;
		user_io_outbound(ku, buf, (size_t)n);
	}
}

/* Inbound */

static int
user_io_sa_accepts(const struct kernel_sa *sa, int family, const uint8_t *dst,
    int encap)
{
	uint8_t	addr[16];

	if (sa->sa_encap != encap)
		return (0);
	if (flow_sockaddr_bytes(&sa->sa_id.id_dst, addr) != family)
		return (0);
	return (memcmp(addr, dst, user_io_addr_len(family)) == 0);
}

/*
 * Process one ESP packet (SPI to ICV) addressed from src to dst.  esp
 * lies in ku_rx with USER_HEADROOM bytes before it.
 */
static void
user_io_esp_input(struct kernel_user *ku, int family, const uint8_t *src,
    const uint8_t *dst, int encap, uint8_t *esp, size_t len)
{
	const struct kernel_sa	*sa;
	struct user_sa		*us;
	struct flow		 fl;
	struct rbuf		 rb;
	uint8_t			*inner;
	uint32_t		 spi;
	int			 r;

	rbuf_init(&rb, esp, len);
	if (rbuf_get_u32(&rb, &spi) != 0) {
		user_io_drop(ku, "too short", 0, ERR_TRUNCATED);
		return;
	}
	us = user_sa_lookup_spi(ku, spi);
	if (us == NULL || us->us_larval) {
		user_io_drop(ku, "no SA", spi, ERR_NOTFOUND);
		return;
	}
	sa = &us->us_esp.es_rec.r_sa;
	if (!user_io_sa_accepts(sa, family, dst, encap)) {
		us->us_esp.es_stats.st_other_drops++;
		user_io_drop(ku, "wrong destination or encapsulation", spi,
		    ERR_MALFORMED);
		return;
	}
	r = esp_sa_decap(&us->us_esp, family, src, dst, esp, len, &inner, &fl);
	if (r == ERR_NOTFOUND)
		return;
	if (r != 0) {
		user_io_drop(ku, "check failed", spi, r);
		return;
	}
	if (write(ku->ku_tun, inner, fl.fl_totlen) == -1) {
		user_io_drop(ku, "cannot write to the TUN device", spi,
		    ERR_SYSTEM);
		return;
	}
	user_sa_used(ku, us, fl.fl_totlen);
}

static void
user_io_esp4_read(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_user	*ku = arg;
	uint8_t			*buf = ku->ku_rx + USER_HEADROOM;
	struct flow		 outer;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < USER_IO_BATCH; i++) {
		/* An IPv4 raw socket returns the IP header too. */
		n = recv(fd, buf, USER_BUF_LEN, 0);
		if (n <= 0)
			break;
		if (flow_parse(&outer, buf, (size_t)n) != 0 ||
		    outer.fl_proto != IPPROTO_ESP)
			continue;
		user_io_esp_input(ku, AF_INET, outer.fl_src, outer.fl_dst, 0,
		    buf + outer.fl_hdrlen, outer.fl_totlen - outer.fl_hdrlen);
	}
}

static int
user_io_pktinfo6(struct msghdr *msg, uint8_t *dst)
{
	struct cmsghdr		*cm;
	struct in6_pktinfo	 pi;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(dst, &pi.ipi6_addr, 16);
			return (0);
		}
	}
	return (ERR_NOTFOUND);
}

static void
user_io_esp6_read(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_user	*ku = arg;
	uint8_t			*buf = ku->ku_rx + USER_HEADROOM;
	struct sockaddr_in6	 from;
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}			 control;
	struct msghdr		 msg;
	struct iovec		 iov;
	uint8_t			 dst[16];
	ssize_t			 n;
	int			 i;

	for (i = 0; i < USER_IO_BATCH; i++) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = buf;
		iov.iov_len = USER_BUF_LEN;
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		/* An IPv6 raw socket returns the payload only. */
		if ((n = recvmsg(fd, &msg, 0)) <= 0)
			break;
		if (user_io_pktinfo6(&msg, dst) != 0)
			continue;
		user_io_esp_input(ku, AF_INET6, from.sin6_addr.s6_addr, dst,
		    0, buf, (size_t)n);
	}
}

void
user_io_udp_input(struct kernel_user *ku, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	uint8_t			*buf = ku->ku_rx + USER_HEADROOM;
	struct sockaddr_storage	 l, r;
	uint8_t			 src[16], dst[16];
	int			 family;

	if (len > USER_BUF_LEN || local->sa_family != remote->sa_family)
		return;
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	memcpy(&l, local, local->sa_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	memcpy(&r, remote, remote->sa_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	if ((family = flow_sockaddr_bytes(&r, src)) == 0 ||
	    flow_sockaddr_bytes(&l, dst) != family)
		return;
	memcpy(buf, pkt, len);
	user_io_esp_input(ku, family, src, dst, 1, buf, len);
}

/* Setup */

static int
user_io_socket(struct kernel_user *ku, int family, int proto)
{
	int	fd, on = 1, size = USER_IO_RCVBUF;

	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd == -1)
		return (-1);
	if (user_io_mark_socket(ku, fd) != 0)
		goto fail;
	/* ESP from a peer that an inbound policy covers must arrive. */
	if (proto == IPPROTO_ESP &&
	    user_xfrm_bypass_socket(ku, fd, family) != 0)
		goto fail;
	/*
	 * Bursts of ESP overflow the default receive buffer while a packet
	 * is decrypted.  FORCE passes net.core.rmem_max (CAP_NET_ADMIN).
	 */
	if (proto == IPPROTO_ESP && setsockopt(fd, SOL_SOCKET,
	    SO_RCVBUFFORCE, &size, sizeof(size)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
	if (family == AF_INET6 && proto == IPPROTO_ESP &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)) == -1)
		goto fail;
	return (fd);
fail:
	close(fd);
	return (-1);
}

static struct event *
user_io_watch(struct kernel_user *ku, int fd, event_callback_fn cb)
{
	struct event	*ev;

	if ((ev = event_new(ku->ku_k->k_base, fd, EV_READ | EV_PERSIST, cb,
	    ku)) == NULL)
		return (NULL);
	if (event_add(ev, NULL) != 0) {
		event_free(ev);
		return (NULL);
	}
	return (ev);
}

int
user_io_open(struct kernel_user *ku)
{
	if ((ku->ku_esp4 = user_io_socket(ku, AF_INET, IPPROTO_ESP)) == -1 ||
	    (ku->ku_raw4 = user_io_socket(ku, AF_INET, IPPROTO_RAW)) == -1) {
		log_err("cannot open raw IPv4 sockets: %s; the userspace "
		    "backend needs CAP_NET_RAW and CAP_NET_ADMIN",
		    strerror(errno));
		return (ERR_SYSTEM);
	}
	ku->ku_esp6 = user_io_socket(ku, AF_INET6, IPPROTO_ESP);
	ku->ku_raw6 = user_io_socket(ku, AF_INET6, IPPROTO_RAW);
	if (ku->ku_esp6 == -1 || ku->ku_raw6 == -1)
		log_warn("cannot open raw IPv6 sockets: %s; ESP over IPv6 "
		    "will not work", strerror(errno));
	ku->ku_ev_tun = user_io_watch(ku, ku->ku_tun, user_io_tun_read);
	ku->ku_ev_esp4 = user_io_watch(ku, ku->ku_esp4, user_io_esp4_read);
	if (ku->ku_ev_tun == NULL || ku->ku_ev_esp4 == NULL)
		return (ERR_NOMEM);
	if (ku->ku_esp6 != -1 && (ku->ku_ev_esp6 = user_io_watch(ku,
	    ku->ku_esp6, user_io_esp6_read)) == NULL)
		return (ERR_NOMEM);
	return (0);
}

static void
user_io_close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

void
user_io_close(struct kernel_user *ku)
{
	if (ku->ku_ev_tun != NULL)
		event_free(ku->ku_ev_tun);
	if (ku->ku_ev_esp4 != NULL)
		event_free(ku->ku_ev_esp4);
	if (ku->ku_ev_esp6 != NULL)
		event_free(ku->ku_ev_esp6);
	ku->ku_ev_tun = ku->ku_ev_esp4 = ku->ku_ev_esp6 = NULL;
	user_io_close_fd(&ku->ku_tun);
	user_io_close_fd(&ku->ku_esp4);
	user_io_close_fd(&ku->ku_esp6);
	user_io_close_fd(&ku->ku_raw4);
	user_io_close_fd(&ku->ku_raw6);
}
