/*
 * ike_peer: the IKE engine on real UDP sockets, with the none kernel
 * backend, for trying the engine against strongSwan or libreswan in a
 * network namespace before the daemon is in place.
 *
 *   ike_peer -a ADDR -c DIR [-i LABEL] [-n PAIRS] [-t SECONDS] [-K DIR]
 *
 * DIR holds ike.config, ike.preshared and ipsecinit.conf.  With -i it
 * starts the rule LABEL.  It exits 0 once PAIRS (default 1) IPsec SA
 * pairs are installed, or 1 after SECONDS (default 20).  SIGTERM makes
 * it send Deletes and exit 0.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "config/diag.h"
#include "ike/ike.h"
#include "kernel/kernel.h"
#include "lib/log.h"

static int	peer_fd500 = -1, peer_fd4500 = -1;
static volatile sig_atomic_t peer_stop;

static uint64_t
peer_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int
peer_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return (ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
	return (ntohs(((const struct sockaddr_in *)ss)->sin_port));
}

static socklen_t
peer_sslen(const struct sockaddr_storage *ss)
{
	return (ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in));
}

/* Port 4500 carries the non-ESP marker (RFC 3948 section 2.2). */
static int
peer_send(void *arg, const struct ike_packet *pk)
{
	uint8_t	buf[65536 + 4];
	size_t	off = 0;
	int	fd = peer_fd500;

	if (peer_port(&pk->pk_local) == 4500 ||
	    peer_port(&pk->pk_remote) == 4500) {
		memset(buf, 0, 4);
		off = 4;
		fd = peer_fd4500;
	}
	if (pk->pk_len > sizeof(buf) - off)
		return (-1);
	memcpy(buf + off, pk->pk_data, pk->pk_len);
	if (sendto(fd, buf, pk->pk_len + off, 0,
	    (const struct sockaddr *)&pk->pk_remote,
	    peer_sslen(&pk->pk_remote)) < 0) {
		perror("ike_peer: sendto");
		return (-1);
	}
	return (0);
}

static void
peer_timer(void *arg, uint64_t deadline)
{
}

static int
peer_keepalive(void *arg, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote)
{
	uint8_t	b = 0xff;

	(void)sendto(peer_fd4500, &b, 1, 0, (const struct sockaddr *)remote,
	    peer_sslen(remote));
	return (0);
}

static int
peer_socket(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	int	fd, family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, addr, &sin->sin_addr);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
	}
	if ((fd = socket(family, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)ss, peer_sslen(ss)) != 0) {
		fprintf(stderr, "ike_peer: cannot bind %s port %u: %s\n",
		    addr, port, strerror(errno));
		exit(2);
	}
	return (fd);
}

static void
peer_on_term(int sig)
{
	peer_stop = 1;
}

int
main(int argc, char **argv)
{
	static const struct ike_host host = {
		.ih_send = peer_send,
		.ih_timer_changed = peer_timer,
		.ih_send_keepalive = peer_keepalive,
	};
	const char		*addr = NULL, *dir = NULL, *label = NULL;
	const char		*keys = NULL;
	char			 cf[1024], ps[1024], ip[1024];
	struct sockaddr_storage	 l500, l4500;
	struct config_paths	 paths;
	struct config_diag	 diag;
	struct config		*cfg = NULL;
	struct kernel		*kern;
	struct ike_engine	*eng;
	uint64_t		 end;
	size_t			 pairs = 1, i;
	int			 ch, secs = 20, rc = 1;

	while ((ch = getopt(argc, argv, "a:c:i:n:t:K:")) != -1) {
		switch (ch) {
		case 'a': addr = optarg; break;
		case 'c': dir = optarg; break;
		case 'i': label = optarg; break;
		case 'n': pairs = strtoul(optarg, NULL, 10); break;
		case 't': secs = atoi(optarg); break;
		case 'K': keys = optarg; break;
		default: return (2);
		}
	}
	if (addr == NULL || dir == NULL) {
		fprintf(stderr, "usage: ike_peer -a ADDR -c DIR [-i LABEL] "
		    "[-n PAIRS] [-t SECONDS] [-K DIR]\n");
		return (2);
	}
	log_init("ike_peer", LOG_DEST_STDERR);
	log_set_debug(D_ALL);
	snprintf(cf, sizeof(cf), "%s/ike.config", dir);
	snprintf(ps, sizeof(ps), "%s/ike.preshared", dir);
	snprintf(ip, sizeof(ip), "%s/ipsecinit.conf", dir);
	paths.cp_config = cf;
	paths.cp_preshared = ps;
	paths.cp_ipsecinit = ip;
	diag_init(&diag);
	if (config_load(&cfg, &paths, &diag) != 0) {
		for (i = 0; i < diag.cd_n; i++)
			fprintf(stderr, "%s\n", diag.cd_msgs[i]);
		return (2);
	}
	diag_free(&diag);
	peer_fd500 = peer_socket(addr, 500, &l500);
	peer_fd4500 = peer_socket(addr, 4500, &l4500);
	if (kernel_open(&kern, KERNEL_BACKEND_NONE, NULL, NULL, NULL,
	    NULL) != 0)
		return (2);
	eng = ike_engine_new(&host, NULL, kern);
	ike_engine_set_config(eng, cfg, peer_now());
	if (keys != NULL)
		ike_engine_set_keylog(eng, keys);
	signal(SIGTERM, peer_on_term);
	signal(SIGINT, peer_on_term);
	if (label != NULL && ike_engine_initiate(eng, label, peer_now()) != 0)
		return (2);
	end = peer_now() + (uint64_t)secs * 1000;
	while (!peer_stop && peer_now() < end) {
		struct pollfd	pfd[2] = {
			{ .fd = peer_fd500, .events = POLLIN },
			{ .fd = peer_fd4500, .events = POLLIN },
		};
		uint64_t	next = ike_engine_run_timers(eng, peer_now());
		int		wait = 100;

		if (next != 0 && next > peer_now() && next - peer_now() < 100)
			wait = (int)(next - peer_now());
		if (ike_engine_child_count(eng) >= pairs && label != NULL &&
		    rc != 0) {
			printf("ike_peer: %zu IPsec SA pairs installed\n",
			    ike_engine_child_count(eng));
			fflush(stdout);
			rc = 0;
		}
		if (poll(pfd, 2, wait) <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			struct ike_packet	pk;
			uint8_t			buf[65536];
			socklen_t		sl = sizeof(pk.pk_remote);
			ssize_t			n;
			size_t			off = 0;

			if (!(pfd[i].revents & POLLIN))
				continue;
			memset(&pk, 0, sizeof(pk));
			n = recvfrom(pfd[i].fd, buf, sizeof(buf), 0,
			    (struct sockaddr *)&pk.pk_remote, &sl);
			if (n <= 0)
				continue;
			pk.pk_local = i == 0 ? l500 : l4500;
			if (i == 1) {
				/* Keepalive, ESP, or marker then IKE. */
				if (n < 4 || memcmp(buf, "\0\0\0\0", 4) != 0)
					continue;
				off = 4;
			}
			pk.pk_data = buf + off;
			pk.pk_len = (size_t)n - off;
			ike_engine_input(eng, &pk, peer_now());
		}
	}
	if (ike_engine_child_count(eng) >= pairs)
		rc = 0;
	printf("ike_peer: %zu IPsec SA pairs, %zu SAs in the kernel\n",
	    ike_engine_child_count(eng), kernel_none_sa_count(kern));
	for (i = 0; i < kernel_none_sa_count(kern); i++) {
		const struct kernel_sa *sa = kernel_none_sa_at(kern, i);

		printf("ike_peer: SA %s spi 0x%08x encr %u auth %u encap %d\n",
		    sa->sa_dir == KERNEL_DIR_IN ? "in" : "out",
		    sa->sa_id.id_spi, sa->sa_encr, sa->sa_auth,
		    sa->sa_encap);
	}
	fflush(stdout);
	ike_engine_shutdown(eng, peer_now());
	ike_engine_free(eng);
	kernel_close(kern);
	return (rc);
}
