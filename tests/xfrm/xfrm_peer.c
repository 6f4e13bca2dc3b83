/*
 * One end of a static ESP tunnel for the guest test (guest_tunnel.sh):
 * the same program runs with -B xfrm in the qemu guest and -B userspace
 * on the host, so both ends install matching SAs from fixed keys.
 * Side a is 192.0.2.1 behind 198.51.100.1, side b 203.0.113.1 behind
 * 198.51.100.2.
 *
 *   xfrm_peer -s a|b [-6] [-B xfrm|userspace] [-e raw|udp]
 *             [-c cbc|gcm|3des] [-l soft-seconds] [-r readyfile]
 *
 * -6 uses 2001:db8:a::1 behind 2001:db8:1::1 (a) and 2001:db8:b::1
 * behind 2001:db8:1::2 (b).
 *
 * SIGUSR1 rekeys: a new SA pair with the next SPIs and keys is added,
 * then the old outbound SA is deleted, and the old inbound SA one second
 * later.  SIGTERM prints the counters of the current SAs ("out spi 0x..
 * packets N", "in spi 0x.. packets N"), closes the backend and exits 0.
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
#include "xfrm_test.h"

#define PEER_PORT	4500
#define PEER_SPI_A	0x0a0b0100U	/* sent by a; + generation */
#define PEER_SPI_B	0x0b0a0100U
#define PEER_REQID	1

struct peer {
	struct event_base	*p_base;
	struct kernel		*p_kernel;
	enum kernel_backend	 p_backend;
	int			 p_side_a;
	int			 p_v6;
	int			 p_udp;
	const char		*p_cipher;
	unsigned int		 p_soft;
	unsigned int		 p_gen;		/* SA generation */
	int			 p_fd;		/* UDP 4500, with -e udp */
	struct kernel_sa_id	 p_old_in;	/* deleted after a rekey */
	struct event		*p_old_timer;
	const char		*p_ready;
};

static const char *
peer_outer(const struct peer *p, int local)
{
	if (p->p_v6)
		return (p->p_side_a == local ? "2001:db8:1::1" :
		    "2001:db8:1::2");
	return (p->p_side_a == local ? "198.51.100.1" : "198.51.100.2");
}

static const char *
peer_inner(const struct peer *p, int local)
{
	if (p->p_v6)
		return (p->p_side_a == local ? "2001:db8:a::1" :
		    "2001:db8:b::1");
	return (p->p_side_a == local ? "192.0.2.1" : "203.0.113.1");
}

static int
peer_family(const struct peer *p)
{
	return (p->p_v6 ? AF_INET6 : AF_INET);
}

static socklen_t
peer_addrlen(const struct peer *p)
{
	return (p->p_v6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in));
}

static void
peer_selector(const struct peer *p, struct kernel_selector *sel, int out)
{
	memset(sel, 0, sizeof(*sel));
	xfrm_test_addr(&sel->sel_src, peer_inner(p, out), 0);
	xfrm_test_addr(&sel->sel_dst, peer_inner(p, !out), 0);
	sel->sel_src_prefix = p->p_v6 ? 128 : 32;
	sel->sel_dst_prefix = p->p_v6 ? 128 : 32;
}

/* Key bytes depend on sender, generation and use, never on the side. */
static void
peer_key(uint8_t *key, size_t len, int sender_a, unsigned int gen,
    uint8_t use)
{
	size_t	i;

	for (i = 0; i < len; i++)
		key[i] = (uint8_t)(use + i * 7 + gen * 13 +
		    (sender_a ? 0 : 101));
}

static void
peer_sa_id(const struct peer *p, struct kernel_sa_id *id, int out,
    unsigned int gen)
{
	int		sender_a = out ? p->p_side_a : !p->p_side_a;
	uint16_t	port = p->p_udp ? PEER_PORT : 0;

	memset(id, 0, sizeof(*id));
	xfrm_test_addr(&id->id_src, peer_outer(p, out), port);
	xfrm_test_addr(&id->id_dst, peer_outer(p, !out), port);
	id->id_spi = (sender_a ? PEER_SPI_A : PEER_SPI_B) + gen;
	id->id_proto = KERNEL_PROTO_ESP;
}

static int
peer_add_sa(struct peer *p, int out, unsigned int gen)
{
	static uint8_t		encr[36], auth[32];
	struct kernel_sa	sa;
	int			sender_a = out ? p->p_side_a : !p->p_side_a;

	memset(&sa, 0, sizeof(sa));
	sa.sa_dir = out ? KERNEL_DIR_OUT : KERNEL_DIR_IN;
	peer_sa_id(p, &sa.sa_id, out, gen);
	sa.sa_mode = KERNEL_MODE_TUNNEL;
	sa.sa_encap = p->p_udp;
	if (strcmp(p->p_cipher, "gcm") == 0) {
		sa.sa_encr = KERNEL_ENCR_AES_GCM_16;
		sa.sa_encr_keylen = 20;		/* AES-128 and salt */
	} else if (strcmp(p->p_cipher, "3des") == 0) {
		sa.sa_encr = KERNEL_ENCR_3DES;
		sa.sa_encr_keylen = 24;
		sa.sa_auth = KERNEL_AUTH_HMAC_SHA1;
		sa.sa_auth_keylen = 20;
	} else {
		sa.sa_encr = KERNEL_ENCR_AES_CBC;
		sa.sa_encr_keylen = 32;
		sa.sa_auth = KERNEL_AUTH_HMAC_SHA2_256;
		sa.sa_auth_keylen = 32;
	}
	peer_key(encr, sa.sa_encr_keylen, sender_a, gen, 1);
	peer_key(auth, sa.sa_auth_keylen, sender_a, gen, 2);
	sa.sa_encr_key = encr;
	sa.sa_auth_key = sa.sa_auth_keylen > 0 ? auth : NULL;
	sa.sa_lifetime.lt_soft_seconds = p->p_soft;
	sa.sa_lifetime.lt_hard_seconds = p->p_soft != 0 ? 600 : 0;
	sa.sa_reqid = PEER_REQID;
	peer_selector(p, &sa.sa_sel, out);
	return (kernel_add_sa(p->p_kernel, &sa));
}

static int
peer_add_policy(struct peer *p, int out)
{
	struct kernel_policy	pol;

	memset(&pol, 0, sizeof(pol));
	pol.pol_dir = out ? KERNEL_DIR_OUT : KERNEL_DIR_IN;
	peer_selector(p, &pol.pol_sel, out);
	pol.pol_action = KERNEL_ACTION_IPSEC;
	pol.pol_mode = KERNEL_MODE_TUNNEL;
	pol.pol_proto = KERNEL_PROTO_ESP;
	xfrm_test_addr(&pol.pol_tun_src, peer_outer(p, out), 0);
	xfrm_test_addr(&pol.pol_tun_dst, peer_outer(p, !out), 0);
	pol.pol_reqid = PEER_REQID;
	pol.pol_priority = 1000;
	pol.pol_index = out ? 1 : 2;
	return (kernel_add_policy(p->p_kernel, &pol));
}

static void
peer_delete_old_in(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;
	int		 r;

	if ((r = kernel_delete_sa(p->p_kernel, &p->p_old_in)) != 0)
		printf("delete old inbound SA failed: %s\n", err_str(r));
	fflush(stdout);
}

/* Make before break: new pair first, then the old outbound SA. */
static void
peer_rekey(evutil_socket_t sig, short what, void *arg)
{
	struct peer		*p = arg;
	struct kernel_sa_id	 old_out;
	struct timeval		 tv = { 1, 0 };
	int			 r;

	peer_sa_id(p, &old_out, 1, p->p_gen);
	peer_sa_id(p, &p->p_old_in, 0, p->p_gen);
	if ((r = peer_add_sa(p, 0, p->p_gen + 1)) != 0 ||
	    (r = peer_add_sa(p, 1, p->p_gen + 1)) != 0) {
		printf("rekey failed: %s\n", err_str(r));
		fflush(stdout);
		return;
	}
	p->p_gen++;
	if ((r = kernel_delete_sa(p->p_kernel, &old_out)) != 0)
		printf("delete old outbound SA failed: %s\n", err_str(r));
	evtimer_add(p->p_old_timer, &tv);
	printf("rekeyed to generation %u\n", p->p_gen);
	fflush(stdout);
}

static void
peer_expire(void *arg, const struct kernel_expire *exp)
{
	printf("expire spi 0x%08x %s reason %d bytes %llu\n",
	    exp->exp_id.id_spi, exp->exp_hard ? "hard" : "soft",
	    (int)exp->exp_reason, (unsigned long long)exp->exp_stats.st_bytes);
	fflush(stdout);
}

static int
peer_send_udp(void *arg, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	struct peer	*p = arg;

	if (sendto(p->p_fd, pkt, len, 0, remote, peer_addrlen(p)) == -1)
		return (ERR_SYSTEM);
	return (0);
}

/* The userspace backend gets ESP in UDP from our socket. */
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
	if (n < 8 || (buf[0] | buf[1] | buf[2] | buf[3]) == 0)
		return;
	xfrm_test_addr(&local, peer_outer(p, 1), PEER_PORT);
	kernel_esp_udp_input(p->p_kernel, (struct sockaddr *)&local,
	    (struct sockaddr *)&from, buf, (size_t)n);
}

static int
peer_open_udp(struct peer *p)
{
	struct sockaddr_storage	local;
	int			r;

	xfrm_test_addr(&local, peer_outer(p, 1), PEER_PORT);
	if ((p->p_fd = socket(peer_family(p), SOCK_DGRAM, 0)) == -1 ||
	    bind(p->p_fd, (struct sockaddr *)&local, peer_addrlen(p)) == -1) {
		fprintf(stderr, "xfrm_peer: UDP socket: %s\n",
		    strerror(errno));
		return (ERR_SYSTEM);
	}
	if ((r = kernel_bypass_socket(p->p_kernel, p->p_fd,
	    peer_family(p))) != 0)
		return (r);
	return (kernel_enable_udp_decap(p->p_kernel, p->p_fd, peer_family(p),
	    PEER_PORT));
}

static void
peer_print_sa(struct peer *p, const char *label, int out)
{
	struct kernel_sa_id	id;
	struct kernel_sa_stats	st;
	int			r;

	peer_sa_id(p, &id, out, p->p_gen);
	if ((r = kernel_query_sa(p->p_kernel, &id, &st)) != 0) {
		printf("%s spi 0x%08x query failed: %s\n", label, id.id_spi,
		    err_str(r));
		return;
	}
	printf("%s spi 0x%08x packets %llu bytes %llu drops %llu\n", label,
	    id.id_spi, (unsigned long long)st.st_packets,
	    (unsigned long long)st.st_bytes,
	    (unsigned long long)(st.st_auth_failures + st.st_replay_drops +
	    st.st_other_drops));
}

static void
peer_stop(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

static void
peer_usage(void)
{
	fprintf(stderr, "usage: xfrm_peer -s a|b [-6] [-B xfrm|userspace] "
	    "[-e raw|udp] [-c cbc|gcm|3des] [-l soft-seconds] "
	    "[-r readyfile]\n");
	exit(2);
}

static void
peer_options(struct peer *p, int argc, char **argv)
{
	int	ch;

	while ((ch = getopt(argc, argv, "6B:c:e:l:r:s:")) != -1) {
		switch (ch) {
		case '6':
			p->p_v6 = 1;
			break;
		case 'B':
			if (kernel_backend_parse(optarg, &p->p_backend) != 0)
				peer_usage();
			break;
		case 'c':
			p->p_cipher = optarg;
			break;
		case 'e':
			p->p_udp = strcmp(optarg, "udp") == 0;
			break;
		case 'l':
			p->p_soft = (unsigned int)strtoul(optarg, NULL, 10);
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

static int
peer_open(struct peer *p)
{
	struct kernel_callbacks	cb = { .kc_expire = peer_expire,
				    .kc_send_udp = peer_send_udp };

	if (p->p_backend == KERNEL_BACKEND_XFRM)
		return (xfrm_test_open(&p->p_kernel, p->p_base, &cb, p));
	return (kernel_open(&p->p_kernel, p->p_backend, p->p_base, &cb, p,
	    NULL));
}

static int
peer_install(struct peer *p)
{
	int	r;

	if ((r = peer_add_policy(p, 1)) != 0 ||
	    (r = peer_add_policy(p, 0)) != 0 ||
	    (r = peer_add_sa(p, 0, 0)) != 0)
		return (r);
	return (peer_add_sa(p, 1, 0));
}

int
main(int argc, char **argv)
{
	struct peer	 p;
	struct event	*ev_term, *ev_int, *ev_usr1, *ev_udp = NULL;
	FILE		*f;
	int		 r;

	memset(&p, 0, sizeof(p));
	p.p_fd = -1;
	p.p_cipher = "cbc";
	p.p_backend = KERNEL_BACKEND_XFRM;
	peer_options(&p, argc, argv);
	log_init("xfrm_peer", LOG_DEST_STDERR);
	log_set_debug(D_PFKEY);
	p.p_base = event_base_new();
	if ((r = peer_open(&p)) != 0) {
		fprintf(stderr, "xfrm_peer: open: %s\n", err_str(r));
		return (1);
	}
	p.p_old_timer = evtimer_new(p.p_base, peer_delete_old_in, &p);
	if (p.p_udp) {
		if (peer_open_udp(&p) != 0)
			goto fail;
		ev_udp = event_new(p.p_base, p.p_fd, EV_READ | EV_PERSIST,
		    peer_udp_read, &p);
		event_add(ev_udp, NULL);
	}
	if ((r = peer_install(&p)) != 0) {
		fprintf(stderr, "xfrm_peer: install: %s\n", err_str(r));
		goto fail;
	}
	ev_term = evsignal_new(p.p_base, SIGTERM, peer_stop, p.p_base);
	ev_int = evsignal_new(p.p_base, SIGINT, peer_stop, p.p_base);
	ev_usr1 = evsignal_new(p.p_base, SIGUSR1, peer_rekey, &p);
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_usr1, NULL);
	printf("ready\n");
	fflush(stdout);
	if (p.p_ready != NULL && (f = fopen(p.p_ready, "w")) != NULL)
		fclose(f);

	event_base_dispatch(p.p_base);

	peer_print_sa(&p, "out", 1);
	peer_print_sa(&p, "in", 0);
	fflush(stdout);
	kernel_close(p.p_kernel);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_usr1);
	if (ev_udp != NULL)
		event_free(ev_udp);
	if (p.p_fd != -1)
		close(p.p_fd);
	event_free(p.p_old_timer);
	event_base_free(p.p_base);
	printf("closed\n");
	return (0);
fail:
	kernel_close(p.p_kernel);
	return (1);
}
