/*
 * One end of a static ESP tunnel on the userspace backend, for the
 * end-to-end test (esp_tunnel.sh).  Side a is 192.0.2.1 behind
 * 198.51.100.1, side b is 203.0.113.1 behind 198.51.100.2; with -6,
 * 2001:db8:1::1 behind 2001:db8::1 and 2001:db8:2::1 behind 2001:db8::2.
 *
 *   esp_peer -s a|b [-6] [-e raw|udp] [-c cbc|gcm] [-m tunnel|transport] [-q]
 *            [-l soft:hard] [-k soft:hard] [-i idle] [-r readyfile]
 *
 * -q adds the outbound SA only when the backend reports an acquire (the
 * SA is also added again after each acquire).  -l sets lifetimes in
 * seconds for both SAs, -i an idle time in seconds for both, -k
 * lifetimes in kilobytes for the outbound SA.
 * On SIGTERM the program prints the SA counters ("out packets N",
 * "in packets N"), closes the backend and exits 0.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"

#define PEER_PORT	4500
#define PEER_SPI_AB	0x0a0b0001U	/* a to b */
#define PEER_SPI_BA	0x0b0a0001U

struct peer {
	struct event_base	*p_base;
	struct kernel		*p_kernel;
	int			 p_side_a;
	int			 p_udp;
	int			 p_gcm;
	int			 p_transport;
	int			 p_ipv6;
	int			 p_fd;		/* UDP 4500, with -e udp */
	struct kernel_sa	 p_out;
	struct event		*p_add_timer;
	const char		*p_ready;
	struct kernel_lifetime	 p_lifetime;	/* -l and -i */
	uint64_t		 p_soft_kbytes;	/* -k */
	uint64_t		 p_hard_kbytes;
};

static const uint8_t peer_cbc_key[2][16] = {
	{ 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	  0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f },
	{ 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
	  0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f },
};
static const uint8_t peer_hmac_key[2][32] = {
	{ 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
	  0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45,
	  0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f },
	{ 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a,
	  0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65,
	  0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f },
};
/* AES-128 key and 4-byte salt (RFC 4106 8.1). */
static const uint8_t peer_gcm_key[2][20] = {
	{ 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79,
	  0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0xa0, 0xa1, 0xa2, 0xa3 },
	{ 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
	  0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0xb0, 0xb1, 0xb2, 0xb3 },
};

static socklen_t
peer_addr(struct sockaddr_storage *ss, const char *text, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
			abort();
		return (sizeof(*sin6));
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
		abort();
	return (sizeof(*sin));
}

/* Addresses of this side (local) or of the other side. */
static const char *
peer_outer(const struct peer *p, int local)
{
	if (p->p_ipv6)
		return (p->p_side_a == local ? "2001:db8::1" : "2001:db8::2");
	return (p->p_side_a == local ? "198.51.100.1" : "198.51.100.2");
}

static const char *
peer_inner(const struct peer *p, int local)
{
	if (p->p_transport)
		return (peer_outer(p, local));
	if (p->p_ipv6)
		return (p->p_side_a == local ? "2001:db8:1::1" :
		    "2001:db8:2::1");
	return (p->p_side_a == local ? "192.0.2.1" : "203.0.113.1");
}

static void
peer_selector(const struct peer *p, struct kernel_selector *sel, int out)
{
	memset(sel, 0, sizeof(*sel));
	peer_addr(&sel->sel_src, peer_inner(p, out), 0);
	peer_addr(&sel->sel_dst, peer_inner(p, !out), 0);
	sel->sel_src_prefix = p->p_ipv6 ? 128 : 32;
	sel->sel_dst_prefix = p->p_ipv6 ? 128 : 32;
}

static void
peer_make_sa(const struct peer *p, struct kernel_sa *sa, int out)
{
	/* Keys are indexed by sender: 0 for a, 1 for b. */
	int		sender = out ? !p->p_side_a : p->p_side_a;
	uint16_t	port = p->p_udp ? PEER_PORT : 0;

	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = out ? KERNEL_DIR_OUT : KERNEL_DIR_IN;
	peer_addr(&sa->sa_id.id_src, peer_outer(p, out), port);
	peer_addr(&sa->sa_id.id_dst, peer_outer(p, !out), port);
	sa->sa_id.id_spi = sender == 0 ? PEER_SPI_AB : PEER_SPI_BA;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = p->p_transport ? KERNEL_MODE_TRANSPORT :
	    KERNEL_MODE_TUNNEL;
	sa->sa_encap = p->p_udp;
	if (p->p_gcm) {
		sa->sa_encr = KERNEL_ENCR_AES_GCM_16;
		sa->sa_encr_key = peer_gcm_key[sender];
		sa->sa_encr_keylen = sizeof(peer_gcm_key[sender]);
	} else {
		sa->sa_encr = KERNEL_ENCR_AES_CBC;
		sa->sa_encr_key = peer_cbc_key[sender];
		sa->sa_encr_keylen = sizeof(peer_cbc_key[sender]);
		sa->sa_auth = KERNEL_AUTH_HMAC_SHA2_256;
		sa->sa_auth_key = peer_hmac_key[sender];
		sa->sa_auth_keylen = sizeof(peer_hmac_key[sender]);
	}
	sa->sa_reqid = 1;
	peer_selector(p, &sa->sa_sel, out);
	sa->sa_lifetime = p->p_lifetime;
	if (out) {
		sa->sa_lifetime.lt_soft_kbytes = p->p_soft_kbytes;
		sa->sa_lifetime.lt_hard_kbytes = p->p_hard_kbytes;
	}
}

static void
peer_make_policy(const struct peer *p, struct kernel_policy *pol, int out)
{
	memset(pol, 0, sizeof(*pol));
	pol->pol_dir = out ? KERNEL_DIR_OUT : KERNEL_DIR_IN;
	peer_selector(p, &pol->pol_sel, out);
	pol->pol_action = KERNEL_ACTION_IPSEC;
	pol->pol_mode = p->p_transport ? KERNEL_MODE_TRANSPORT :
	    KERNEL_MODE_TUNNEL;
	pol->pol_proto = KERNEL_PROTO_ESP;
	peer_addr(&pol->pol_tun_src, peer_outer(p, out), 0);
	peer_addr(&pol->pol_tun_dst, peer_outer(p, !out), 0);
	pol->pol_reqid = 1;
	pol->pol_index = out ? 1 : 2;
}

static int
peer_send_udp(void *arg, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	struct peer	*p = arg;

	if (sendto(p->p_fd, pkt, len, 0, remote, remote->sa_family ==
	    AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in)) == -1)
		return (ERR_SYSTEM);
	return (0);
}

static void
peer_udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct peer		*p = arg;
	struct sockaddr_storage	 from, local;
	socklen_t		 fromlen = sizeof(from);
	uint8_t			 buf[65536];
	ssize_t			 n;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &fromlen);
	/* RFC 3948 2.2: a zero first word is the non-ESP marker. */
	if (n < 8 || (buf[0] | buf[1] | buf[2] | buf[3]) == 0)
		return;
	peer_addr(&local, peer_outer(p, 1), PEER_PORT);
	kernel_esp_udp_input(p->p_kernel, (struct sockaddr *)&local,
	    (struct sockaddr *)&from, buf, (size_t)n);
}

static void
peer_add_out(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;
	int		 r;

	if ((r = kernel_add_sa(p->p_kernel, &p->p_out)) != 0)
		fprintf(stderr, "esp_peer: add outbound SA: %s\n", err_str(r));
	else
		printf("outbound SA added\n");
	fflush(stdout);
}

static void
peer_acquire(void *arg, const struct kernel_acquire *acq)
{
	struct peer	*p = arg;
	struct timeval	 tv = { 0, 300 * 1000 };
	const struct sockaddr_storage	*ss = &acq->acq_packet.sel_dst;
	char				 dst[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->
		    sin6_addr, dst, sizeof(dst));
	else
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
		    dst, sizeof(dst));
	printf("acquire reqid %u index %u dst %s\n", acq->acq_reqid,
	    acq->acq_index, dst);
	fflush(stdout);
	/* Add the SA later, as a negotiation would, so the packet is held. */
	evtimer_add(p->p_add_timer, &tv);
}

static void
peer_expire(void *arg, const struct kernel_expire *exp)
{
	static const char	*reasons[] = { "seconds", "kbytes", "idle",
				    "sequence" };

	printf("expire spi 0x%08x hard %d reason %s\n", exp->exp_id.id_spi,
	    exp->exp_hard, reasons[exp->exp_reason]);
	fflush(stdout);
}

static void
peer_stop(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

static void
peer_print_stats(struct peer *p)
{
	struct kernel_sa	in;
	struct kernel_sa_stats	st;

	if (kernel_query_sa(p->p_kernel, &p->p_out.sa_id, &st) == 0)
		printf("out packets %llu\n", (unsigned long long)st.st_packets);
	peer_make_sa(p, &in, 0);
	if (kernel_query_sa(p->p_kernel, &in.sa_id, &st) == 0)
		printf("in packets %llu drops %llu\n",
		    (unsigned long long)st.st_packets,
		    (unsigned long long)(st.st_auth_failures +
		    st.st_replay_drops + st.st_other_drops));
	fflush(stdout);
}

static int
peer_open_udp(struct peer *p)
{
	struct sockaddr_storage	local;
	socklen_t		len;

	len = peer_addr(&local, peer_outer(p, 1), PEER_PORT);
	if ((p->p_fd = socket(local.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    bind(p->p_fd, (struct sockaddr *)&local, len) == -1) {
		fprintf(stderr, "esp_peer: UDP socket: %s\n", strerror(errno));
		return (-1);
	}
	if (kernel_bypass_socket(p->p_kernel, p->p_fd, local.ss_family) != 0)
		return (-1);
	return (0);
}

static int
peer_install(struct peer *p, int acquire_mode)
{
	struct kernel_policy	pol;
	struct kernel_sa	in;
	int			r;

	peer_make_policy(p, &pol, 1);
	if ((r = kernel_add_policy(p->p_kernel, &pol)) != 0)
		return (r);
	peer_make_policy(p, &pol, 0);
	if ((r = kernel_add_policy(p->p_kernel, &pol)) != 0)
		return (r);
	peer_make_sa(p, &in, 0);
	if ((r = kernel_add_sa(p->p_kernel, &in)) != 0)
		return (r);
	peer_make_sa(p, &p->p_out, 1);
	if (acquire_mode)
		return (0);
	return (kernel_add_sa(p->p_kernel, &p->p_out));
}

static void
peer_usage(void)
{
	fprintf(stderr, "usage: esp_peer -s a|b [-6] [-e raw|udp] [-c cbc|gcm] "
	    "[-m tunnel|transport] [-q] [-l soft:hard] [-k soft:hard] "
	    "[-i idle] [-r readyfile]\n");
	exit(2);
}

static void
peer_pair(const char *arg, uint64_t *soft, uint64_t *hard)
{
	unsigned long long	s, h;

	if (sscanf(arg, "%llu:%llu", &s, &h) != 2)
		peer_usage();
	*soft = s;
	*hard = h;
}

static void
peer_options(struct peer *p, int *acquire_mode, int argc, char **argv)
{
	int	ch;

	while ((ch = getopt(argc, argv, "6c:e:i:k:l:m:qr:s:")) != -1) {
		switch (ch) {
		case '6':
			p->p_ipv6 = 1;
			break;
		case 'i':
			p->p_lifetime.lt_idle_seconds = strtoull(optarg, NULL,
			    10);
			break;
		case 'k':
			peer_pair(optarg, &p->p_soft_kbytes,
			    &p->p_hard_kbytes);
			break;
		case 'l':
			peer_pair(optarg, &p->p_lifetime.lt_soft_seconds,
			    &p->p_lifetime.lt_hard_seconds);
			break;
		case 'c':
			p->p_gcm = strcmp(optarg, "gcm") == 0;
			break;
		case 'e':
			p->p_udp = strcmp(optarg, "udp") == 0;
			break;
		case 'm':
			p->p_transport = strcmp(optarg, "transport") == 0;
			break;
		case 'q':
			*acquire_mode = 1;
			break;
		case 'r':
			p->p_ready = optarg;
			break;
		case 's':
			p->p_side_a = strcmp(optarg, "a") == 0;
			break;
		default:
			peer_usage();
		}
	}
}

int
main(int argc, char **argv)
{
	struct kernel_callbacks	 cb = { .kc_acquire = peer_acquire,
				    .kc_expire = peer_expire,
				    .kc_send_udp = peer_send_udp };
	struct peer		 p;
	struct event		*sigterm, *sigint, *udp = NULL;
	int			 acquire_mode = 0, r;
	FILE			*f;

	memset(&p, 0, sizeof(p));
	p.p_fd = -1;
	peer_options(&p, &acquire_mode, argc, argv);
	log_init("esp_peer", LOG_DEST_STDERR);
	log_set_debug(D_PFKEY);
	p.p_base = event_base_new();
	if ((r = kernel_open(&p.p_kernel, KERNEL_BACKEND_USERSPACE, p.p_base,
	    &cb, &p, NULL)) != 0) {
		fprintf(stderr, "esp_peer: kernel_open: %s\n", err_str(r));
		return (1);
	}
	p.p_add_timer = evtimer_new(p.p_base, peer_add_out, &p);
	if (p.p_udp) {
		if (peer_open_udp(&p) != 0)
			return (1);
		udp = event_new(p.p_base, p.p_fd, EV_READ | EV_PERSIST,
		    peer_udp_read, &p);
		event_add(udp, NULL);
	}
	if ((r = peer_install(&p, acquire_mode)) != 0) {
		fprintf(stderr, "esp_peer: install: %s\n", err_str(r));
		kernel_close(p.p_kernel);
		return (1);
	}
	kernel_started(p.p_kernel);
	sigterm = evsignal_new(p.p_base, SIGTERM, peer_stop, p.p_base);
	sigint = evsignal_new(p.p_base, SIGINT, peer_stop, p.p_base);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	if (p.p_ready != NULL && (f = fopen(p.p_ready, "w")) != NULL)
		fclose(f);
	printf("ready\n");
	fflush(stdout);

	event_base_dispatch(p.p_base);

	peer_print_stats(&p);
	kernel_close(p.p_kernel);
	if (udp != NULL)
		event_free(udp);
	if (p.p_fd != -1)
		close(p.p_fd);
	event_free(p.p_add_timer);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(p.p_base);
	printf("closed\n");
	return (0);
}
