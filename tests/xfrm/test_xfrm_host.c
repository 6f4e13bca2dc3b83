/*
 * The XFRM backend against the running kernel, in a network namespace
 * that xfrm_host.sh creates.  Cases: policies read back with `ip xfrm
 * policy`, SPI reservation, the error for a kernel without ESP, acquires
 * for a policy without SA, the socket options, and cleanup on close.
 *
 * The namespace has 192.0.2.1/32 on lo and a veth device with
 * 198.51.100.1/24 and a route to 203.0.113.0/24, so packets to
 * 203.0.113.1 leave through policy lookup without leaving the host.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "kernel/kernel_int.h"
#include "kernel/xfrm/kernel_xfrm.h"
#include "lib/err.h"
#include "lib/log.h"
#include "xfrm_test.h"

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP	2
#endif

struct host_ctx {
	struct event_base	*hc_base;
	struct kernel		*hc_kernel;
	struct kernel_acquire	 hc_acq;
	int			 hc_acquires;
};

static void
host_acquire_cb(void *arg, const struct kernel_acquire *acq)
{
	struct host_ctx	*hc = arg;

	hc->hc_acq = *acq;
	hc->hc_acquires++;
	event_base_loopbreak(hc->hc_base);
}

static int
host_setup(void **state)
{
	static struct host_ctx		hc;
	struct kernel_callbacks		cb = { .kc_acquire = host_acquire_cb };

	memset(&hc, 0, sizeof(hc));
	hc.hc_base = event_base_new();
	assert_non_null(hc.hc_base);
	assert_int_equal(xfrm_test_open(&hc.hc_kernel, hc.hc_base, &cb, &hc),
	    0);
	*state = &hc;
	return (0);
}

static int
host_teardown(void **state)
{
	struct host_ctx	*hc = *state;

	kernel_close(hc->hc_kernel);
	event_base_free(hc->hc_base);
	/*
	 * Every test leaves the namespace as it found it, except for the
	 * kernel's own acquire placeholders (SPI 0), which expire by
	 * themselves.
	 */
	assert_string_equal(xfrm_test_run("ip xfrm policy"), "");
	assert_string_equal(xfrm_test_run("ip xfrm state | grep 'spi 0x' | "
	    "grep -v 'spi 0x00000000'"), "");
	return (0);
}

/*
 * The `ip xfrm policy` block whose first line starts with head and which
 * contains "dir <dir> "; NULL when there is none.
 */
static char *
host_policy_block(const char *dump, const char *head, const char *dir)
{
	static char	 block[4096];
	char		 want[32];
	const char	*p = dump, *end;
	size_t		 len;

	snprintf(want, sizeof(want), "dir %s ", dir);
	while ((p = strstr(p, "src ")) != NULL) {
		if (p != dump && p[-1] != '\n') {
			p++;
			continue;
		}
		for (end = p + 1; *end != '\0'; end++) {
			if (end[-1] == '\n' && strncmp(end, "src ", 4) == 0)
				break;
		}
		len = (size_t)(end - p);
		if (len >= sizeof(block))
			len = sizeof(block) - 1;
		memcpy(block, p, len);
		block[len] = '\0';
		if (strncmp(block, head, strlen(head)) == 0 &&
		    strstr(block, want) != NULL)
			return (block);
		p = end;
	}
	return (NULL);
}

static void
host_policy(struct kernel_policy *pol, enum kernel_dir dir, const char *src,
    uint8_t src_prefix, const char *dst, uint8_t dst_prefix)
{
	memset(pol, 0, sizeof(*pol));
	pol->pol_dir = dir;
	xfrm_test_addr(&pol->pol_sel.sel_src, src, 0);
	xfrm_test_addr(&pol->pol_sel.sel_dst, dst, 0);
	pol->pol_sel.sel_src_prefix = src_prefix;
	pol->pol_sel.sel_dst_prefix = dst_prefix;
	pol->pol_action = KERNEL_ACTION_IPSEC;
	pol->pol_mode = KERNEL_MODE_TUNNEL;
	pol->pol_proto = KERNEL_PROTO_ESP;
}

static void
host_tunnel(struct kernel_policy *pol, const char *src, const char *dst)
{
	xfrm_test_addr(&pol->pol_tun_src, src, 0);
	xfrm_test_addr(&pol->pol_tun_dst, dst, 0);
}

static void
host_policies_read_back(void **state)
{
	struct host_ctx		*hc = *state;
	struct kernel_policy	 out, in, tr6, byp, drop;
	const char		*dump;
	char			*b;

	host_policy(&out, KERNEL_DIR_OUT, "192.0.2.0", 24, "203.0.113.0", 24);
	xfrm_test_addr(&out.pol_sel.sel_dst, "203.0.113.0", 443);
	out.pol_sel.sel_proto = IPPROTO_TCP;
	host_tunnel(&out, "198.51.100.1", "198.51.100.2");
	out.pol_reqid = 5;
	out.pol_priority = 1234;
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &out), 0);

	host_policy(&in, KERNEL_DIR_IN, "203.0.113.0", 24, "192.0.2.0", 24);
	host_tunnel(&in, "198.51.100.2", "198.51.100.1");
	in.pol_reqid = 5;
	in.pol_priority = 1234;
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &in), 0);

	host_policy(&tr6, KERNEL_DIR_OUT, "2001:db8::1", 128, "2001:db8::2",
	    128);
	tr6.pol_mode = KERNEL_MODE_TRANSPORT;
	tr6.pol_reqid = 6;
	tr6.pol_priority = 2000;
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &tr6), 0);

	/* IKE to the peer passes in the clear, ahead of the tunnel. */
	host_policy(&byp, KERNEL_DIR_OUT, "198.51.100.1", 32, "198.51.100.2",
	    32);
	xfrm_test_addr(&byp.pol_sel.sel_dst, "198.51.100.2", 500);
	byp.pol_sel.sel_proto = IPPROTO_UDP;
	byp.pol_action = KERNEL_ACTION_BYPASS;
	byp.pol_priority = 100;
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &byp), 0);

	host_policy(&drop, KERNEL_DIR_IN, "198.51.100.0", 24, "192.0.2.0", 24);
	drop.pol_action = KERNEL_ACTION_DROP;
	drop.pol_priority = 3000;
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &drop), 0);

	/* (dir, selector) is the key. */
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &out), ERR_EXISTS);

	dump = xfrm_test_run("ip xfrm policy");
	b = host_policy_block(dump,
	    "src 192.0.2.0/24 dst 203.0.113.0/24 proto tcp dport 443", "out");
	assert_non_null(b);
	assert_non_null(strstr(b, "priority 1234 "));
	assert_non_null(strstr(b,
	    "tmpl src 198.51.100.1 dst 198.51.100.2"));
	assert_non_null(strstr(b, "proto esp reqid 5 mode tunnel"));

	b = host_policy_block(dump, "src 203.0.113.0/24 dst 192.0.2.0/24 ",
	    "in");
	assert_non_null(b);
	assert_non_null(strstr(b,
	    "tmpl src 198.51.100.2 dst 198.51.100.1"));
	assert_non_null(strstr(b, "proto esp reqid 5 mode tunnel"));
	/* The FWD twin for traffic to a subnet behind us. */
	b = host_policy_block(dump, "src 203.0.113.0/24 dst 192.0.2.0/24 ",
	    "fwd");
	assert_non_null(b);
	assert_non_null(strstr(b, "proto esp reqid 5 mode tunnel"));

	b = host_policy_block(dump, "src 2001:db8::1/128 dst 2001:db8::2/128",
	    "out");
	assert_non_null(b);
	assert_non_null(strstr(b, "priority 2000 "));
	assert_non_null(strstr(b, "proto esp reqid 6 mode transport"));

	b = host_policy_block(dump,
	    "src 198.51.100.1/32 dst 198.51.100.2/32 proto udp dport 500",
	    "out");
	assert_non_null(b);
	assert_non_null(strstr(b, "priority 100 "));
	assert_null(strstr(b, "tmpl"));

	b = host_policy_block(dump, "src 198.51.100.0/24 dst 192.0.2.0/24 ",
	    "in");
	assert_non_null(b);
	assert_non_null(strstr(b, "action block"));

	/* Delete removes the policy and its FWD twin, nothing else. */
	assert_int_equal(kernel_delete_policy(hc->hc_kernel, &in), 0);
	assert_int_equal(kernel_delete_policy(hc->hc_kernel, &in),
	    ERR_NOTFOUND);
	dump = xfrm_test_run("ip xfrm policy");
	assert_null(host_policy_block(dump,
	    "src 203.0.113.0/24 dst 192.0.2.0/24 ", "in"));
	assert_null(host_policy_block(dump,
	    "src 203.0.113.0/24 dst 192.0.2.0/24 ", "fwd"));
	assert_non_null(host_policy_block(dump,
	    "src 192.0.2.0/24 dst 203.0.113.0/24 proto tcp dport 443", "out"));
}

static void
host_spi_reserved(void **state)
{
	struct host_ctx		*hc = *state;
	struct sockaddr_storage	 peer, me;
	struct kernel_sa_id	 id;
	uint32_t		 spi1 = 0, spi2 = 0;
	char			 want[32];

	xfrm_test_addr(&peer, "198.51.100.2", 0);
	xfrm_test_addr(&me, "198.51.100.1", 0);
	assert_int_equal(kernel_get_spi(hc->hc_kernel,
	    (struct sockaddr *)&peer, (struct sockaddr *)&me,
	    KERNEL_PROTO_ESP, 11, &spi1), 0);
	assert_int_equal(kernel_get_spi(hc->hc_kernel,
	    (struct sockaddr *)&peer, (struct sockaddr *)&me,
	    KERNEL_PROTO_ESP, 11, &spi2), 0);
	assert_true(spi1 >= 256);
	assert_true(spi2 >= 256);
	assert_int_not_equal(spi1, spi2);
	snprintf(want, sizeof(want), "spi 0x%08x reqid 11", spi1);
	assert_non_null(strstr(xfrm_test_run("ip xfrm state"), want));

	memset(&id, 0, sizeof(id));
	id.id_src = peer;
	id.id_dst = me;
	id.id_spi = spi1;
	id.id_proto = KERNEL_PROTO_ESP;
	assert_int_equal(kernel_delete_sa(hc->hc_kernel, &id), 0);
	assert_null(strstr(xfrm_test_run("ip xfrm state"), want));
	assert_int_equal(kernel_delete_sa(hc->hc_kernel, &id), ERR_NOTFOUND);
	/* spi2 stays reserved; teardown checks that close removes it. */
}

/* Run kernel_add_sa with stderr in a file; returns the log text. */
static const char *
host_add_sa_logged(struct kernel *k, const struct kernel_sa *sa, int *r)
{
	static char	 text[4096];
	char		 path[] = "/tmp/xfrm_host_log.XXXXXX";
	int		 fd, saved;
	ssize_t		 n;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	saved = dup(2);
	dup2(fd, 2);
	*r = kernel_add_sa(k, sa);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	fprintf(stderr, "%s", text);
	return (text);
}

static void
host_esp_rejected_clearly(void **state)
{
	struct host_ctx		*hc = *state;
	static const uint8_t	 key[32];
	struct kernel_sa	 sa;
	const char		*text;
	int			 r;

	if (kernel_xfrm_probe()) {
		skip();
		return;		/* this kernel has ESP */
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_dir = KERNEL_DIR_OUT;
	xfrm_test_addr(&sa.sa_id.id_src, "198.51.100.1", 0);
	xfrm_test_addr(&sa.sa_id.id_dst, "198.51.100.2", 0);
	sa.sa_id.id_spi = 0x0a0b0c0d;
	sa.sa_id.id_proto = KERNEL_PROTO_ESP;
	sa.sa_mode = KERNEL_MODE_TUNNEL;
	sa.sa_encr = KERNEL_ENCR_AES_CBC;
	sa.sa_encr_key = key;
	sa.sa_encr_keylen = 16;
	sa.sa_auth = KERNEL_AUTH_HMAC_SHA2_256;
	sa.sa_auth_key = key;
	sa.sa_auth_keylen = 32;
	text = host_add_sa_logged(hc->hc_kernel, &sa, &r);
	assert_int_not_equal(r, 0);
	assert_non_null(strstr(text, "outbound ESP SA 0x0a0b0c0d"));
	assert_non_null(strstr(text, "from 198.51.100.1 to 198.51.100.2"));
	assert_non_null(strstr(text, "cbc(aes)-128 with hmac(sha256)"));
	assert_non_null(strstr(text, "load the esp4 and esp6 modules"));
	assert_non_null(strstr(text, "-B userspace"));
	/* A rejected SA is not recorded, so a retry is not "exists". */
	text = host_add_sa_logged(hc->hc_kernel, &sa, &r);
	assert_int_not_equal(r, ERR_EXISTS);
}

static int
host_udp_socket(const char *addr, uint16_t port)
{
	struct sockaddr_storage	ss;
	int			fd;

	xfrm_test_addr(&ss, addr, port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in)), 0);
	return (fd);
}

static void
host_send(int fd, const char *addr, uint16_t port)
{
	struct sockaddr_storage	ss;

	xfrm_test_addr(&ss, addr, port);
	/* Dropped while the SA is missing; only the acquire matters. */
	(void)sendto(fd, "x", 1, 0, (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in));
}

static void
host_wait_acquire(struct host_ctx *hc, long ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(hc->hc_base, &tv);
	event_base_dispatch(hc->hc_base);
}

static void
host_acquire_reported(void **state)
{
	struct host_ctx		*hc = *state;
	struct kernel_policy	 pol, other;
	struct sockaddr_in	*sin;
	char			 text[INET_ADDRSTRLEN];
	int			 fd, byp;

	/* A policy of another program: its acquires are not ours. */
	assert_int_equal(system("ip xfrm policy add src 192.0.2.1/32 "
	    "dst 203.0.113.2/32 dir out tmpl src 198.51.100.1 "
	    "dst 198.51.100.3 proto esp reqid 99 mode tunnel"), 0);

	host_policy(&pol, KERNEL_DIR_OUT, "192.0.2.1", 32, "203.0.113.1", 32);
	pol.pol_sel.sel_proto = IPPROTO_UDP;
	host_tunnel(&pol, "198.51.100.1", "198.51.100.2");
	pol.pol_reqid = 3;
	pol.pol_index = 42;
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &pol), 0);
	other = pol;
	other.pol_dir = KERNEL_DIR_IN;
	xfrm_test_addr(&other.pol_sel.sel_src, "203.0.113.1", 0);
	xfrm_test_addr(&other.pol_sel.sel_dst, "192.0.2.1", 0);
	other.pol_index = 43;
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &other), 0);

	fd = host_udp_socket("192.0.2.1", 0);
	host_send(fd, "203.0.113.2", 9);
	host_wait_acquire(hc, 1000);
	assert_int_equal(hc->hc_acquires, 0);

	host_send(fd, "203.0.113.1", 9);
	host_wait_acquire(hc, 5000);
	assert_int_equal(hc->hc_acquires, 1);
	assert_int_equal(hc->hc_acq.acq_index, 42);
	assert_int_equal(hc->hc_acq.acq_reqid, 3);
	assert_int_equal(hc->hc_acq.acq_mode, KERNEL_MODE_TUNNEL);
	assert_int_equal(hc->hc_acq.acq_proto, KERNEL_PROTO_ESP);
	assert_true(kernel_selector_equal(&hc->hc_acq.acq_policy,
	    &pol.pol_sel));
	sin = (struct sockaddr_in *)&hc->hc_acq.acq_dst;
	inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
	assert_string_equal(text, "198.51.100.2");
	sin = (struct sockaddr_in *)&hc->hc_acq.acq_src;
	inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
	assert_string_equal(text, "198.51.100.1");
	/* The packet: host prefixes, protocol and destination port. */
	sin = (struct sockaddr_in *)&hc->hc_acq.acq_packet.sel_dst;
	inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
	assert_string_equal(text, "203.0.113.1");
	assert_int_equal(ntohs(sin->sin_port), 9);
	assert_int_equal(hc->hc_acq.acq_packet.sel_dst_prefix, 32);
	assert_int_equal(hc->hc_acq.acq_packet.sel_proto, IPPROTO_UDP);

	/* A bypassed socket sends past the policy: no acquire. */
	byp = host_udp_socket("192.0.2.1", 0);
	assert_int_equal(kernel_bypass_socket(hc->hc_kernel, byp, AF_INET),
	    0);
	hc->hc_acquires = 0;
	host_send(byp, "203.0.113.1", 10);
	host_wait_acquire(hc, 1000);
	assert_int_equal(hc->hc_acquires, 0);
	close(byp);
	close(fd);
	assert_int_equal(system("ip xfrm policy delete src 192.0.2.1/32 "
	    "dst 203.0.113.2/32 dir out"), 0);
}

static void
host_udp_decap_option(void **state)
{
	struct host_ctx	*hc = *state;
	int		 fd, v = 0;
	socklen_t	 len = sizeof(v);

	fd = host_udp_socket("198.51.100.1", 4500);
	assert_int_equal(kernel_enable_udp_decap(hc->hc_kernel, fd, AF_INET,
	    4500), 0);
	assert_int_equal(getsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &v, &len), 0);
	assert_int_equal(v, UDP_ENCAP_ESPINUDP);
	close(fd);
}

/* The backend's own open refuses a kernel that rejects ESP SAs. */
static void
host_open_requires_esp(void **state)
{
	struct kernel	k;
	int		esp = kernel_xfrm_probe();

	memset(&k, 0, sizeof(k));
	k.k_ops = &kernel_xfrm_ops;
	k.k_backend = KERNEL_BACKEND_XFRM;
	if (esp) {
		assert_int_equal(kernel_xfrm_ops.ko_open(&k), 0);
		kernel_xfrm_ops.ko_close(&k);
	} else {
		assert_int_equal(kernel_xfrm_ops.ko_open(&k),
		    ERR_UNSUPPORTED);
		assert_null(k.k_priv);
	}
}

static void
host_close_keeps_foreign_policies(void **state)
{
	struct host_ctx		*hc = *state;
	struct kernel_policy	 pol;

	assert_int_equal(system("ip xfrm policy add src 192.0.2.9/32 "
	    "dst 203.0.113.9/32 dir out action block"), 0);
	host_policy(&pol, KERNEL_DIR_OUT, "192.0.2.8", 32, "203.0.113.8", 32);
	host_tunnel(&pol, "198.51.100.1", "198.51.100.2");
	assert_int_equal(kernel_add_policy(hc->hc_kernel, &pol), 0);
	assert_int_equal(kernel_flush(hc->hc_kernel), 0);
	assert_null(strstr(xfrm_test_run("ip xfrm policy"), "192.0.2.8"));
	assert_non_null(strstr(xfrm_test_run("ip xfrm policy"),
	    "src 192.0.2.9/32 dst 203.0.113.9/32"));
	assert_int_equal(system("ip xfrm policy delete src 192.0.2.9/32 "
	    "dst 203.0.113.9/32 dir out"), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(host_policies_read_back,
		    host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(host_spi_reserved,
		    host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(host_esp_rejected_clearly,
		    host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(host_acquire_reported,
		    host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(host_udp_decap_option,
		    host_setup, host_teardown),
		cmocka_unit_test_setup_teardown(
		    host_close_keeps_foreign_policies, host_setup,
		    host_teardown),
		cmocka_unit_test(host_open_requires_esp),
	};

	log_init("test_xfrm_host", LOG_DEST_STDERR);
	log_set_debug(D_PFKEY);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
