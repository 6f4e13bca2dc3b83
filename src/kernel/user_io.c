/*
 * Packet paths of the userspace backend.  Outbound: IP packets read from
 * the TUN device are matched against the outbound policies and leave as
 * ESP on a raw socket, or as ESP in UDP through the daemon's port 4500
 * socket (RFC 3948).  Inbound: ESP from the raw sockets or from the
 * daemon is checked and decrypted, and the inner packet is written to
 * the TUN device.
 *
 * Both directions work on batches, so that system calls and the kernel's
 * per-packet work are shared by many packets.  The TUN device has
 * virtio-net headers with TSO and checksum offloads (tun.c): a read may
 * return a TCP segment of up to 64 KB, which gso.c cuts into packets of
 * the MTU.  Each packet lies in a slot of its own with headroom, is
 * encrypted in place and leaves with the others of its batch in one
 * sendmmsg.  Raw ESP arrives through recvmmsg, one slot per datagram, is
 * decrypted in place, and gro.c joins consecutive TCP segments of a
 * connection into one write.  Nothing is allocated per packet, except
 * copies held while an SA is acquired.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "kernel/gro.h"
#include "kernel/gso.h"
#include "kernel/tun.h"
#include "kernel/user.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/rbuf.h"

#define USER_IO_BATCH		64	/* datagrams per recvmmsg, sendmmsg */
#define USER_IO_BUDGET		256	/* TUN packets per wakeup */
#define USER_IO_RCVBUF		(4 * 1024 * 1024)	/* raw ESP sockets */
/*
 * Room before a packet: the outer IPv4 header of a received datagram
 * and a transport mode header rebuilt before the payload
 * (ESP_SA_HEADROOM), or the ESP header and IV of an outbound one.
 */
#define USER_IO_HEADROOM	128
#define USER_IO_IPV4_HDR	20	/* outer header without options */
#define USER_IO_TTL		64
#define USER_IO_FD_UDP		(-2)	/* through kc_send_udp(_batch) */
#define USER_IO_MAX		65536	/* largest IP datagram */
/*
 * An outbound slot has room for a packet of USER_IO_TX_DATA bytes, more
 * than the TUN device's MTU (user.c), and for ESP around it.  Larger
 * packets (a raised MTU, TSO segments) are read into io_big.
 */
#define USER_IO_TX_SLOT		2048
#define USER_IO_TX_DATA		(USER_IO_TX_SLOT - USER_IO_HEADROOM - \
				    ESP_SA_ENCAP_TAILROOM)
#define USER_IO_RX_SLOT		(USER_IO_HEADROOM + USER_IO_MAX)
#define USER_IO_BIG		(USER_IO_HEADROOM + USER_IO_MAX + \
				    ESP_SA_ENCAP_TAILROOM)

union user_io_ctl {
	struct cmsghdr	hdr;
	uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

struct user_io {
	int			 io_vnet;	/* TUN has virtio-net headers */
	uint16_t		 io_ip_id;	/* last outer IPv4 ID */
	/*
	 * Outbound batch: entry i lies in slot i, or in io_big.  It leaves
	 * on the raw socket io_tx_fd[i], or as ESP in UDP for
	 * USER_IO_FD_UDP, with the entries next to it that go the same way.
	 */
	struct mmsghdr		 io_tx_msg[USER_IO_BATCH];
	struct iovec		 io_tx_iov[USER_IO_BATCH];
	struct sockaddr_in6	 io_tx_dst[USER_IO_BATCH];
	union user_io_ctl	 io_tx_ctl[USER_IO_BATCH];
	uint32_t		 io_tx_spi[USER_IO_BATCH];
	struct iovec		 io_tx_esp[USER_IO_BATCH];	/* no header */
	int			 io_tx_fd[USER_IO_BATCH];
	struct kernel_udp_datagram io_tx_udp[USER_IO_BATCH];
	struct sockaddr_storage	 io_tx_local[USER_IO_BATCH];
	struct sockaddr_storage	 io_tx_remote[USER_IO_BATCH];
	unsigned int		 io_tx_count;
	uint8_t			*io_tx_slots;
	uint8_t			*io_big;
	int			 io_big_queued;	/* io_big is in the batch */
	/* A packet of a TSO segment that is too large for a slot. */
	uint8_t			*io_seg;
	int			 io_seg_queued;	/* io_seg is in the batch */
	uint8_t			*io_single;	/* user_io_output */
	/* Inbound batch: datagram i in slot i. */
	struct mmsghdr		 io_rx_msg[USER_IO_BATCH];
	struct iovec		 io_rx_iov[USER_IO_BATCH];
	struct sockaddr_in6	 io_rx_from[USER_IO_BATCH];
	union user_io_ctl	 io_rx_ctl[USER_IO_BATCH];
	uint8_t			*io_rx_slots;
	unsigned int		 io_rx_udp;	/* slots used by ESP in UDP */
	struct event		*io_ev_flush;	/* writes held ESP in UDP */
	struct gro		 io_gro;
};

static void
user_io_drop(struct kernel_user *ku, const char *what, uint32_t spi, int r)
{
	if (log_debug_enabled(D_PFKEY) &&
	    log_ratelimit_pass(&ku->ku_ratelimit))
		log_debug(D_PFKEY, "ESP packet dropped (SPI 0x%08x): %s: %s",
		    spi, what, err_str(r));
}

static void
user_io_send_failed(struct kernel_user *ku, uint32_t spi, int r)
{
	user_io_drop(ku, r == ERR_SYSTEM ? strerror(errno) : "cannot send",
	    spi, r);
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

static uint8_t *
user_io_tx_slot(struct user_io *io, unsigned int i)
{
	return (io->io_tx_slots + (size_t)i * USER_IO_TX_SLOT +
	    USER_IO_HEADROOM);
}

static uint8_t *
user_io_rx_slot(struct user_io *io, unsigned int i)
{
	return (io->io_rx_slots + (size_t)i * USER_IO_RX_SLOT +
	    USER_IO_HEADROOM);
}

/* Outbound */

static socklen_t
user_io_sockaddr(struct sockaddr_in6 *ss, int family, const uint8_t *addr)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		return (sizeof(*sin));
	}
	ss->sin6_family = AF_INET6;
	memcpy(&ss->sin6_addr, addr, 16);
	return (sizeof(*ss));
}

static int
user_io_esp_fd(struct kernel_user *ku, const struct kernel_sa *sa)
{
	return (sa->sa_id.id_dst.ss_family == AF_INET ? ku->ku_esp4 :
	    ku->ku_esp6);
}

/*
 * Describe raw ESP from the SA's source address (IP_PKTINFO or
 * IPV6_PKTINFO) to its destination in msg.  Returns the socket or -1.
 */
static int
user_io_esp_msg(struct kernel_user *ku, const struct kernel_sa *sa,
    struct msghdr *msg, struct sockaddr_in6 *dst, union user_io_ctl *ctl)
{
	struct cmsghdr	*cm = &ctl->hdr;
	uint8_t		 src[16], addr[16];
	int		 family, fd;

	family = flow_sockaddr_bytes(&sa->sa_id.id_dst, addr);
	if (flow_sockaddr_bytes(&sa->sa_id.id_src, src) != family)
		return (-1);
	if ((fd = user_io_esp_fd(ku, sa)) == -1)
		return (-1);
	memset(msg, 0, sizeof(*msg));
	memset(ctl, 0, sizeof(*ctl));
	msg->msg_namelen = user_io_sockaddr(dst, family, addr);
	msg->msg_name = dst;
	msg->msg_control = ctl->buf;
	if (family == AF_INET) {
		struct in_pktinfo	pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi_spec_dst, src, 4);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo	pi6;

		memset(&pi6, 0, sizeof(pi6));
		memcpy(&pi6.ipi6_addr, src, 16);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi6));
		memcpy(CMSG_DATA(cm), &pi6, sizeof(pi6));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi6));
	}
	return (fd);
}

/*
 * Resend entry i of a batch on the IPv4 raw socket without its IP header
 * (the raw socket rejects a datagram above the device's MTU instead of
 * fragmenting it), or drop it.
 */
static void
user_io_tx_failed(struct kernel_user *ku, unsigned int i)
{
	struct user_io	*io = ku->ku_io;
	struct msghdr	 msg = io->io_tx_msg[i].msg_hdr;

	if (errno == EMSGSIZE && io->io_tx_fd[i] == ku->ku_raw4) {
		msg.msg_iov = &io->io_tx_esp[i];
		if (sendmsg(ku->ku_esp4, &msg, 0) != -1)
			return;
	}
	user_io_drop(ku, strerror(errno), io->io_tx_spi[i], ERR_SYSTEM);
}

/*
 * Send entries [i, end) on one raw socket.  sendmmsg stops at the first
 * datagram that fails: that one is resent or dropped, and the rest go in
 * the next call.
 */
static void
user_io_tx_raw(struct kernel_user *ku, unsigned int i, unsigned int end)
{
	struct user_io	*io = ku->ku_io;
	int		 n;

	while (i < end) {
		n = sendmmsg(io->io_tx_fd[i], io->io_tx_msg + i, end - i, 0);
		if (n > 0) {
			i += (unsigned int)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		user_io_tx_failed(ku, i);
		i++;
	}
}

/* Hand entries [i, end) of ESP in UDP to the daemon. */
static void
user_io_tx_udp(struct kernel_user *ku, unsigned int i, unsigned int end)
{
	struct kernel			*k = ku->ku_k;
	const struct kernel_udp_datagram *d = ku->ku_io->io_tx_udp;
	int				 r;

	if (k->k_cb.kc_send_udp_batch != NULL) {
		k->k_cb.kc_send_udp_batch(k->k_arg, d + i, end - i);
		return;
	}
	for (; i < end; i++) {
		r = k->k_cb.kc_send_udp == NULL ? ERR_UNSUPPORTED :
		    k->k_cb.kc_send_udp(k->k_arg, d[i].kud_local,
		    d[i].kud_remote, d[i].kud_pkt, d[i].kud_len);
		if (r != 0)
			user_io_send_failed(ku, ku->ku_io->io_tx_spi[i], r);
	}
}

/* Send the outbound batch, each run of entries that go one way at once. */
static void
user_io_tx_flush(struct kernel_user *ku)
{
	struct user_io	*io = ku->ku_io;
	unsigned int	 i = 0, end;

	while (i < io->io_tx_count) {
		for (end = i + 1; end < io->io_tx_count &&
		    io->io_tx_fd[end] == io->io_tx_fd[i]; end++)
			continue;
		if (io->io_tx_fd[i] == USER_IO_FD_UDP)
			user_io_tx_udp(ku, i, end);
		else
			user_io_tx_raw(ku, i, end);
		i = end;
	}
	io->io_tx_count = 0;
	io->io_big_queued = 0;
	io->io_seg_queued = 0;
}

void
user_io_flush(struct kernel_user *ku)
{
	if (ku->ku_io != NULL)
		user_io_tx_flush(ku);
}

/*
 * Put an outer IPv4 header for the raw socket before esp (IP_HDRINCL
 * skips the kernel's corking and checksumming copy).  The kernel fills
 * in the header checksum.  DF is clear, one of the choices of RFC 4301
 * 8.1, so that a path with a smaller MTU fragments the datagram instead
 * of dropping it, and fragments need an identification (RFC 6864 4.1).
 * A counter of our own gives it: the kernel fills in only a zero ID, and
 * its ip_select_ident took 3 % of the daemons' CPU time in an iperf3 run
 * through two in.iked (Linux 6.18, bench.sh).
 */
static uint8_t *
user_io_ipv4_header(struct user_io *io, uint8_t *esp, size_t len,
    const struct kernel_sa *sa)
{
	uint8_t	*h = esp - USER_IO_IPV4_HDR;

	if (++io->io_ip_id == 0)
		io->io_ip_id = 1;
	memset(h, 0, USER_IO_IPV4_HDR);
	h[0] = 0x45;
	h[2] = (uint8_t)((len + USER_IO_IPV4_HDR) >> 8);
	h[3] = (uint8_t)(len + USER_IO_IPV4_HDR);
	h[4] = (uint8_t)(io->io_ip_id >> 8);
	h[5] = (uint8_t)io->io_ip_id;
	h[8] = USER_IO_TTL;
	h[9] = IPPROTO_ESP;
	flow_sockaddr_bytes(&sa->sa_id.id_src, h + 12);
	flow_sockaddr_bytes(&sa->sa_id.id_dst, h + 16);
	return (h);
}

/* Add ESP in UDP to the outbound batch as entry i. */
static void
user_io_tx_queue_udp(struct user_io *io, unsigned int i,
    const struct kernel_sa *sa, uint8_t *esp, size_t len)
{
	struct kernel_udp_datagram	*d = &io->io_tx_udp[i];

	io->io_tx_local[i] = sa->sa_id.id_src;
	io->io_tx_remote[i] = sa->sa_id.id_dst;
	d->kud_local = (const struct sockaddr *)&io->io_tx_local[i];
	d->kud_remote = (const struct sockaddr *)&io->io_tx_remote[i];
	d->kud_pkt = esp;
	d->kud_len = len;
	io->io_tx_fd[i] = USER_IO_FD_UDP;
}

/*
 * Add the ESP packet esp[0..len) of sa to the outbound batch; esp has room
 * for an IPv4 header before it.  The entry keeps copies of the
 * addresses, so the SA may go before the batch leaves.
 */
static int
user_io_tx_queue(struct kernel_user *ku, const struct kernel_sa *sa,
    uint8_t *esp, size_t len)
{
	struct user_io	*io = ku->ku_io;
	struct msghdr	 msg;
	unsigned int	 i = io->io_tx_count;
	int		 fd;

	io->io_tx_spi[i] = sa->sa_id.id_spi;
	if (sa->sa_encap) {
		user_io_tx_queue_udp(io, i, sa, esp, len);
		io->io_tx_count++;
		return (0);
	}
	fd = user_io_esp_msg(ku, sa, &msg, &io->io_tx_dst[i],
	    &io->io_tx_ctl[i]);
	if (fd == -1)
		return (ERR_UNSUPPORTED);
	io->io_tx_esp[i].iov_base = esp;
	io->io_tx_esp[i].iov_len = len;
	io->io_tx_iov[i] = io->io_tx_esp[i];
	if (fd == ku->ku_esp4 && ku->ku_raw4 != -1 &&
	    len <= USER_IO_MAX - USER_IO_IPV4_HDR) {
		fd = ku->ku_raw4;
		io->io_tx_iov[i].iov_base = user_io_ipv4_header(io, esp, len,
		    sa);
		io->io_tx_iov[i].iov_len = len + USER_IO_IPV4_HDR;
	}
	msg.msg_iov = &io->io_tx_iov[i];
	msg.msg_iovlen = 1;
	io->io_tx_msg[i].msg_hdr = msg;
	io->io_tx_fd[i] = fd;
	io->io_tx_count++;
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

/* Send one ESP packet now, outside any batch. */
static int
user_io_send_now(struct kernel_user *ku, const struct kernel_sa *sa,
    uint8_t *esp, size_t len)
{
	union user_io_ctl	ctl;
	struct sockaddr_in6	dst;
	struct msghdr		msg;
	struct iovec		iov;
	int			fd;

	if (sa->sa_encap)
		return (user_io_send_udp(ku, sa, esp, len));
	if ((fd = user_io_esp_msg(ku, sa, &msg, &dst, &ctl)) == -1)
		return (ERR_UNSUPPORTED);
	iov.iov_base = esp;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (sendmsg(fd, &msg, 0) == -1)
		return (ERR_SYSTEM);
	return (0);
}

/* Encapsulate and send a packet held for an SA (user.c), right away. */
void
user_io_output(struct kernel_user *ku, struct user_sa *us,
    const uint8_t *pkt, const struct flow *fl)
{
	const struct kernel_sa	*sa = &us->us_esp.es_rec.r_sa;
	uint8_t			*out = ku->ku_io->io_single;
	size_t			 outlen, len;
	int			 r;

	r = esp_sa_encap(&us->us_esp, pkt, fl, out, USER_IO_BIG, &outlen,
	    &len);
	if (r != 0) {
		user_io_drop(ku, "cannot build", sa->sa_id.id_spi, r);
		return;
	}
	if ((r = user_io_send_now(ku, sa, out, outlen)) != 0) {
		user_io_send_failed(ku, sa->sa_id.id_spi, r);
		return;
	}
	user_sa_used(ku, us, len);
}

/*
 * Encapsulate pkt in place for us and add it to the batch; returns 1
 * when the batch took the buffer.  A packet is counted when it is
 * queued, as the kernel's XFRM counts before it transmits, because
 * user_sa_used may remove the SA.
 */
static int
user_io_encap(struct kernel_user *ku, struct user_sa *us, uint8_t *pkt,
    size_t tailroom, const struct flow *fl)
{
	const struct kernel_sa	*sa = &us->us_esp.es_rec.r_sa;
	uint8_t			*esp;
	size_t			 esplen, len;
	int			 r;

	r = esp_sa_encap_inplace(&us->us_esp, pkt, USER_IO_HEADROOM,
	    tailroom, fl, &esp, &esplen, &len);
	if (r != 0) {
		user_io_drop(ku, "cannot build", sa->sa_id.id_spi, r);
		return (0);
	}
	if ((r = user_io_tx_queue(ku, sa, esp, esplen)) != 0) {
		user_io_send_failed(ku, sa->sa_id.id_spi, r);
		return (0);
	}
	user_sa_used(ku, us, len);
	return (1);
}

/* Send a packet that no ipsec policy claims in the clear, around the TUN. */
static void
user_io_send_clear(struct kernel_user *ku, const uint8_t *pkt,
    const struct flow *fl)
{
	struct sockaddr_in6	dst;
	socklen_t		dstlen;
	int			fd;

	fd = fl->fl_family == AF_INET ? ku->ku_raw4 : ku->ku_raw6;
	if (fd == -1)
		return;
	dstlen = user_io_sockaddr(&dst, fl->fl_family, fl->fl_dst);
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

/*
 * One packet from the TUN device, with USER_IO_HEADROOM bytes before it
 * and tailroom after it.  Returns 1 when the batch took its buffer.
 */
static int
user_io_outbound(struct kernel_user *ku, uint8_t *pkt, size_t len,
    size_t tailroom)
{
	struct user_policy	*up;
	struct user_sa		*us;
	struct flow		 fl;
	int			 r;

	if ((r = flow_parse(&fl, pkt, len)) != 0) {
		user_io_drop(ku, "invalid packet from the TUN device", 0, r);
		return (0);
	}
	if (user_io_link_scope(&fl))
		return (0);
	up = user_policy_match(ku, &fl);
	if (up == NULL || up->up_pol.pol_action == KERNEL_ACTION_BYPASS) {
		user_io_send_clear(ku, pkt, &fl);
		return (0);
	}
	if (up->up_pol.pol_action == KERNEL_ACTION_DROP)
		return (0);
	if ((us = user_policy_sa(ku, up)) == NULL) {
		user_policy_hold(ku, up, &fl, pkt, fl.fl_totlen);
		return (0);
	}
	return (user_io_encap(ku, us, pkt, tailroom + (len - fl.fl_totlen),
	    &fl));
}

/*
 * Cut the next packet of a TSO segment into the next slot, or into
 * io_seg when the MSS is too large for a slot (the TUN device's MTU was
 * raised), and pass it on.  Returns 0 when the segment is used up.
 */
static int
user_io_segment_next(struct kernel_user *ku, struct gso *g)
{
	struct user_io	*io = ku->ku_io;
	uint8_t		*pkt;
	size_t		 len;
	int		 r;

	if (io->io_tx_count == USER_IO_BATCH || io->io_seg_queued)
		user_io_tx_flush(ku);
	pkt = user_io_tx_slot(io, io->io_tx_count);
	r = gso_next(g, pkt, USER_IO_TX_DATA, &len);
	if (r == ERR_TOOBIG) {
		pkt = io->io_seg + USER_IO_HEADROOM;
		r = gso_next(g, pkt, USER_IO_MAX, &len);
	}
	if (r != 0) {
		user_io_drop(ku, "TSO segment too large", 0, r);
		return (0);
	}
	if (len == 0)
		return (0);
	if (pkt != io->io_seg + USER_IO_HEADROOM) {
		user_io_outbound(ku, pkt, len, ESP_SA_ENCAP_TAILROOM);
		return (1);
	}
	if (user_io_outbound(ku, pkt, len, USER_IO_BIG - USER_IO_HEADROOM -
	    len))
		io->io_seg_queued = 1;
	return (1);
}

/*
 * Cut a TSO segment in io_big into packets; returns the number of
 * packets.
 */
static unsigned int
user_io_segment(struct kernel_user *ku, const struct virtio_net_hdr *vh,
    const uint8_t *pkt, size_t len)
{
	struct gso	 g;
	unsigned int	 n = 0;
	int		 r;

	if ((r = gso_init(&g, vh, pkt, len)) != 0) {
		user_io_drop(ku, "invalid TSO segment from the TUN device", 0,
		    r);
		return (0);
	}
	while (user_io_segment_next(ku, &g))
		n++;
	return (n);
}

/*
 * Read one packet from the TUN device into the next slot.  What does not
 * fit there continues in io_big, and then the whole packet is moved to
 * io_big.  Returns the packets it produced, or -1 when the device is
 * drained.
 */
static int
user_io_tun_read_one(struct kernel_user *ku)
{
	struct user_io		*io = ku->ku_io;
	struct virtio_net_hdr	 vh;
	struct iovec		 iov[3];
	uint8_t			*slot, *pkt;
	size_t			 len, tail = ESP_SA_ENCAP_TAILROOM;
	ssize_t			 n;
	int			 r;

	if (io->io_tx_count == USER_IO_BATCH || io->io_big_queued)
		user_io_tx_flush(ku);
	slot = user_io_tx_slot(io, io->io_tx_count);
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = slot;
	iov[1].iov_len = USER_IO_TX_DATA;
	iov[2].iov_base = io->io_big + USER_IO_HEADROOM + USER_IO_TX_DATA;
	iov[2].iov_len = USER_IO_MAX - USER_IO_TX_DATA;
	memset(&vh, 0, sizeof(vh));
	n = readv(ku->ku_tun, io->io_vnet ? iov : iov + 1,
	    io->io_vnet ? 3 : 2);
	if (n <= 0)
		return (-1);
	if (io->io_vnet && (size_t)n < sizeof(vh))
		return (0);
	len = (size_t)n - (io->io_vnet ? sizeof(vh) : 0);
	pkt = slot;
	/* The packets of a TSO segment go to the slots, so it moves too. */
	if (len > USER_IO_TX_DATA ||
	    vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		pkt = io->io_big + USER_IO_HEADROOM;
		memcpy(pkt, slot, len < USER_IO_TX_DATA ? len :
		    USER_IO_TX_DATA);
		tail = USER_IO_BIG - USER_IO_HEADROOM - len;
	}
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return ((int)user_io_segment(ku, &vh, pkt, len));
	if ((r = gso_csum(&vh, pkt, len)) != 0) {
		user_io_drop(ku, "invalid checksum offset from the TUN device",
		    0, r);
		return (1);
	}
	if (user_io_outbound(ku, pkt, len, tail) && pkt != slot)
		io->io_big_queued = 1;
	return (1);
}

static void
user_io_tun_read(evutil_socket_t fd, short what, void *arg)
{
	struct kernel_user	*ku = arg;
	int			 n, reads, total = 0;

	for (reads = 0; reads < USER_IO_BATCH && total < USER_IO_BUDGET;
	    reads++) {
		if ((n = user_io_tun_read_one(ku)) < 0)
			break;
		total += n;
	}
	user_io_tx_flush(ku);
}

/* Inbound */

static void
user_io_tun_write(void *arg, const struct iovec *iov, int iovcnt)
{
	struct kernel_user	*ku = arg;

	if (writev(ku->ku_tun, iov, iovcnt) == -1)
		user_io_drop(ku, "cannot write to the TUN device", 0,
		    ERR_SYSTEM);
}

/* Write what GRO holds, so that the slots may take new datagrams. */
static void
user_io_rx_flush(struct kernel_user *ku)
{
	struct user_io	*io = ku->ku_io;

	gro_flush(&io->io_gro);
	io->io_rx_udp = 0;
}

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
 * lies in a slot with at least ESP_SA_HEADROOM bytes before it, and the
 * inner packet stays there until user_io_rx_flush.
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
	/* Counted before user_sa_used, which may remove the SA. */
	user_sa_used(ku, us, fl.fl_totlen);
	gro_add(&ku->ku_io->io_gro, inner, &fl);
}

/* Datagram i of a recvmmsg batch on the IPv4 raw socket. */
static void
user_io_esp4_one(struct kernel_user *ku, unsigned int i)
{
	struct user_io	*io = ku->ku_io;
	uint8_t		*buf = user_io_rx_slot(io, i);
	size_t		 n = io->io_rx_msg[i].msg_len;
	struct flow	 outer;

	if (io->io_rx_msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
		user_io_drop(ku, "larger than the receive buffer", 0,
		    ERR_TOOBIG);
		return;
	}
	/* An IPv4 raw socket returns the IP header too. */
	if (flow_parse(&outer, buf, n) != 0 || outer.fl_proto != IPPROTO_ESP)
		return;
	user_io_esp_input(ku, AF_INET, outer.fl_src, outer.fl_dst, 0,
	    buf + outer.fl_hdrlen, outer.fl_totlen - outer.fl_hdrlen);
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

/* Datagram i of a recvmmsg batch on the IPv6 raw socket. */
static void
user_io_esp6_one(struct kernel_user *ku, unsigned int i)
{
	struct user_io	*io = ku->ku_io;
	struct msghdr	*msg = &io->io_rx_msg[i].msg_hdr;
	uint8_t		 dst[16];

	if (msg->msg_flags & MSG_TRUNC) {
		user_io_drop(ku, "larger than the receive buffer", 0,
		    ERR_TOOBIG);
		return;
	}
	if (msg->msg_namelen < sizeof(struct sockaddr_in6) ||
	    user_io_pktinfo6(msg, dst) != 0)
		return;
	/* An IPv6 raw socket returns the payload only. */
	user_io_esp_input(ku, AF_INET6, io->io_rx_from[i].sin6_addr.s6_addr,
	    dst, 0, user_io_rx_slot(io, i), io->io_rx_msg[i].msg_len);
}

/* Receive one batch of raw ESP; returns the datagrams received. */
static int
user_io_esp_recv(struct kernel_user *ku, int fd, int family)
{
	struct user_io	*io = ku->ku_io;
	struct msghdr	*msg;
	unsigned int	 i;
	int		 n;

	user_io_rx_flush(ku);
	for (i = 0; i < USER_IO_BATCH; i++) {
		msg = &io->io_rx_msg[i].msg_hdr;
		memset(msg, 0, sizeof(*msg));
		io->io_rx_iov[i].iov_base = user_io_rx_slot(io, i);
		io->io_rx_iov[i].iov_len = USER_IO_MAX;
		msg->msg_iov = &io->io_rx_iov[i];
		msg->msg_iovlen = 1;
		if (family == AF_INET6) {
			msg->msg_name = &io->io_rx_from[i];
			msg->msg_namelen = sizeof(io->io_rx_from[i]);
			msg->msg_control = io->io_rx_ctl[i].buf;
			msg->msg_controllen = sizeof(io->io_rx_ctl[i].buf);
		}
	}
	if ((n = recvmmsg(fd, io->io_rx_msg, USER_IO_BATCH, MSG_DONTWAIT,
	    NULL)) <= 0)
		return (0);
	for (i = 0; i < (unsigned int)n; i++) {
		if (family == AF_INET)
			user_io_esp4_one(ku, i);
		else
			user_io_esp6_one(ku, i);
	}
	user_io_rx_flush(ku);
	return (n);
}

static void
user_io_esp4_read(evutil_socket_t fd, short what, void *arg)
{
	user_io_esp_recv(arg, fd, AF_INET);
}

static void
user_io_esp6_read(evutil_socket_t fd, short what, void *arg)
{
	user_io_esp_recv(arg, fd, AF_INET6);
}

static void
user_io_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	user_io_rx_flush(arg);
}

/*
 * ESP in UDP from the daemon's port 4500 socket, one datagram per call.
 * The daemon reads a batch at a time, so the inner packets wait in the
 * slots for io_ev_flush, which runs after the daemon's read callback, and
 * GRO may join them.
 */
void
user_io_udp_input(struct kernel_user *ku, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	struct user_io		*io = ku->ku_io;
	struct sockaddr_storage	 l, r;
	uint8_t			 src[16], dst[16], *buf;
	int			 family;

	if (len > USER_IO_MAX || local->sa_family != remote->sa_family)
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
	if (io->io_rx_udp == USER_IO_BATCH)
		user_io_rx_flush(ku);
	buf = user_io_rx_slot(io, io->io_rx_udp++);
	memcpy(buf, pkt, len);
	user_io_esp_input(ku, family, src, dst, 1, buf, len);
	event_active(io->io_ev_flush, EV_TIMEOUT, 0);
}

/* Setup */

static int
user_io_socket(struct kernel_user *ku, int family, int proto)
{
	int	fd, on = 1, size = USER_IO_RCVBUF, dont = IP_PMTUDISC_DONT;

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
	/* DF stays clear, as in the headers of user_io_ipv4_header. */
	if (family == AF_INET && proto == IPPROTO_ESP &&
	    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont,
	    sizeof(dont)) == -1)
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

/*
 * The slots: calloc takes memory this large straight from mmap, so an
 * inbound slot costs resident memory only for the bytes that datagrams
 * fill, a page each for the usual sizes.
 */
static int
user_io_alloc(struct kernel_user *ku)
{
	struct user_io	*io;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return (ERR_NOMEM);
	ku->ku_io = io;
	/* Start at random, so a restarted daemon rarely reuses recent IDs. */
	if (getrandom(&io->io_ip_id, sizeof(io->io_ip_id), 0) !=
	    sizeof(io->io_ip_id))
		io->io_ip_id = (uint16_t)getpid();
	io->io_tx_slots = calloc(USER_IO_BATCH, USER_IO_TX_SLOT);
	io->io_rx_slots = calloc(USER_IO_BATCH, USER_IO_RX_SLOT);
	io->io_big = malloc(USER_IO_BIG);
	io->io_seg = malloc(USER_IO_BIG);
	io->io_single = malloc(USER_IO_BIG);
	io->io_ev_flush = event_new(ku->ku_k->k_base, -1, 0,
	    user_io_flush_cb, ku);
	if (io->io_tx_slots == NULL || io->io_rx_slots == NULL ||
	    io->io_big == NULL || io->io_seg == NULL ||
	    io->io_single == NULL || io->io_ev_flush == NULL)
		return (ERR_NOMEM);
	return (0);
}

int
user_io_open(struct kernel_user *ku)
{
	int	r;

	if ((r = user_io_alloc(ku)) != 0)
		return (r);
	ku->ku_io->io_vnet = tun_offload(ku->ku_tun) == 0;
	gro_init(&ku->ku_io->io_gro, ku->ku_io->io_vnet, user_io_tun_write,
	    ku);
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
	struct user_io	*io = ku->ku_io;

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
	if (io == NULL)
		return;
	if (io->io_ev_flush != NULL)
		event_free(io->io_ev_flush);
	free(io->io_tx_slots);
	free(io->io_rx_slots);
	free(io->io_big);
	free(io->io_seg);
	free(io->io_single);
	free(io);
	ku->ku_io = NULL;
}
