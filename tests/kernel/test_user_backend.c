/*
 * The userspace backend's control plane in a private network namespace:
 * the TUN device, the routing rule and the routes that follow outbound
 * policies, SPI reservations, SA add, update, query and delete, socket
 * marks, and the cleanup on close.  Needs root (exits 77 otherwise).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <sched.h>
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

#include "kernel/esp_sa.h"
#include "kernel/kernel.h"
#include "lib/err.h"

struct fixture {
	struct event_base	*base;
	struct kernel		*k;
};

/* Run ip(8) or tc(8) and return the first 4 KB of its output. */
static const char *
tool_output(const char *tool, const char *args)
{
	static char	out[4096];
	char		cmd[256];
	FILE		*f;
	size_t		n;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", tool, args);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	return (out);
}

static const char *
ip_output(const char *args)
{
	return (tool_output("ip", args));
}

static void
addr(struct sockaddr_storage *ss, const char *text)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &sin->sin_addr), 1);
}

static void
policy(struct kernel_policy *pol, const char *dst, uint8_t prefix,
    enum kernel_action action)
{
	memset(pol, 0, sizeof(*pol));
	pol->pol_dir = KERNEL_DIR_OUT;
	addr(&pol->pol_sel.sel_src, "192.0.2.0");
	pol->pol_sel.sel_src_prefix = 24;
	addr(&pol->pol_sel.sel_dst, dst);
	pol->pol_sel.sel_dst_prefix = prefix;
	pol->pol_action = action;
	pol->pol_mode = KERNEL_MODE_TUNNEL;
	pol->pol_proto = KERNEL_PROTO_ESP;
	addr(&pol->pol_tun_src, "198.51.100.1");
	addr(&pol->pol_tun_dst, "198.51.100.2");
	pol->pol_reqid = 5;
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->base = event_base_new();
	assert_non_null(f->base);
	assert_int_equal(kernel_open(&f->k, KERNEL_BACKEND_USERSPACE,
	    f->base, NULL, NULL, NULL), 0);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	kernel_close(f->k);
	event_base_free(f->base);
	free(f);
	return (0);
}

static void
user_device_and_rule(void **state)
{
	assert_int_not_equal(if_nametoindex(KERNEL_DEFAULT_TUN), 0);
	assert_non_null(strstr(ip_output("link show iked0"), "UP"));
	assert_non_null(strstr(ip_output("-4 rule show"),
	    "not from all fwmark 0x4500/0x4500 lookup 4500"));
	assert_non_null(strstr(ip_output("-6 rule show"), "lookup 4500"));
}

static void
user_policy_routes(void **state)
{
	struct fixture		*f = *state;
	struct kernel_policy	 a, b, bypass;

	policy(&a, "203.0.113.0", 24, KERNEL_ACTION_IPSEC);
	policy(&b, "203.0.113.0", 24, KERNEL_ACTION_IPSEC);
	addr(&b.pol_sel.sel_src, "192.0.2.128");
	policy(&bypass, "203.0.113.64", 26, KERNEL_ACTION_BYPASS);
	assert_int_equal(kernel_add_policy(f->k, &a), 0);
	assert_int_equal(kernel_add_policy(f->k, &a), ERR_EXISTS);
	assert_int_equal(kernel_add_policy(f->k, &b), 0);
	assert_int_equal(kernel_add_policy(f->k, &bypass), 0);
	assert_non_null(strstr(ip_output("route show table 4500"),
	    "203.0.113.0/24 dev iked0"));
	assert_non_null(strstr(ip_output("route show table 4500"),
	    "throw 203.0.113.64/26"));
	/* The route stays while another policy needs it. */
	assert_int_equal(kernel_delete_policy(f->k, &a), 0);
	assert_non_null(strstr(ip_output("route show table 4500"),
	    "203.0.113.0/24 dev iked0"));
	assert_int_equal(kernel_delete_policy(f->k, &b), 0);
	assert_null(strstr(ip_output("route show table 4500"),
	    "203.0.113.0/24"));
	assert_int_equal(kernel_delete_policy(f->k, &b), ERR_NOTFOUND);
	assert_int_equal(kernel_flush(f->k), 0);
	assert_string_equal(ip_output("route show table 4500"), "");
}

/* Read a sysctl under /proc/sys/net; returns its first line. */
static const char *
sysctl_net(const char *name)
{
	static char	value[64];
	char		path[128];
	FILE		*f;

	snprintf(path, sizeof(path), "/proc/sys/net/%s", name);
	value[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(value, sizeof(value), f) == NULL)
			value[0] = '\0';
		fclose(f);
	}
	return (value);
}

/* Decrypted packets skip the inbound policies: mark, disable_policy. */
static void
user_tun_exempt(void **state)
{
	assert_string_equal(sysctl_net("ipv4/conf/iked0/disable_policy"),
	    "1\n");
	assert_non_null(strstr(tool_output("tc", "filter show dev iked0 "
	    "ingress"), "bpf chain 0 handle 0x1 in.iked direct-action"));
}

/*
 * Inbound and forward policies become XFRM policies (the kernel drops
 * clear text that matches them); outbound ones only get routes.
 */
static void
user_inbound_in_xfrm(void **state)
{
	struct fixture		*f = *state;
	struct kernel_policy	 out, in, fwd, bypass, drop;
	const char		*xp;

	policy(&out, "203.0.113.0", 24, KERNEL_ACTION_IPSEC);
	policy(&in, "192.0.2.0", 24, KERNEL_ACTION_IPSEC);
	in.pol_dir = KERNEL_DIR_IN;
	addr(&in.pol_sel.sel_src, "203.0.113.0");
	addr(&in.pol_tun_src, "198.51.100.2");
	addr(&in.pol_tun_dst, "198.51.100.1");
	in.pol_priority = 1000;
	fwd = in;
	fwd.pol_dir = KERNEL_DIR_FWD;
	bypass = in;
	bypass.pol_action = KERNEL_ACTION_BYPASS;
	bypass.pol_sel.sel_proto = IPPROTO_ICMP;
	bypass.pol_priority = 1;
	drop = in;
	drop.pol_action = KERNEL_ACTION_DROP;
	drop.pol_sel.sel_proto = IPPROTO_UDP;
	drop.pol_priority = 2;
	/* The raw ESP sockets bypass inbound policies. */
	xp = ip_output("xfrm policy show");
	assert_non_null(strstr(xp, "src 0.0.0.0/0 dst 0.0.0.0/0 \n"
	    "\tsocket in"));
	assert_non_null(strstr(xp, "src ::/0 dst ::/0 \n\tsocket in"));
	assert_int_equal(kernel_add_policy(f->k, &out), 0);
	assert_null(strstr(ip_output("xfrm policy show"), "\tdir "));
	assert_int_equal(kernel_add_policy(f->k, &in), 0);
	assert_int_equal(kernel_add_policy(f->k, &fwd), 0);
	assert_int_equal(kernel_add_policy(f->k, &bypass), 0);
	assert_int_equal(kernel_add_policy(f->k, &drop), 0);
	xp = ip_output("xfrm policy show dir in");
	assert_non_null(strstr(xp, "src 203.0.113.0/24 dst 192.0.2.0/24 \n"
	    "\tdir in priority 1000"));
	/* Decrypted packets carry the mark, so the policies skip them. */
	assert_non_null(strstr(xp, "priority 1000 ptype main \n"
	    "\tmark 0/0x400000"));
	assert_non_null(strstr(xp, "tmpl src 198.51.100.2 dst 198.51.100.1"
	    "\n\t\tproto esp reqid 5 mode tunnel"));
	assert_non_null(strstr(xp, "proto icmp \n\tdir in priority 1 ptype"));
	assert_non_null(strstr(xp, "proto udp \n\tdir in action block "
	    "priority 2"));
	assert_non_null(strstr(ip_output("xfrm policy show dir fwd"),
	    "src 203.0.113.0/24 dst 192.0.2.0/24"));
	assert_null(strstr(ip_output("xfrm policy show"), "dir out"));
	assert_null(strstr(ip_output("xfrm policy show"),
	    "src 192.0.2.0/24 dst 203.0.113.0/24"));
	assert_int_equal(kernel_delete_policy(f->k, &in), 0);
	assert_string_equal(ip_output("xfrm policy show dir in "
	    "src 203.0.113.0/24 dst 192.0.2.0/24 proto any"), "");
	assert_non_null(strstr(ip_output("xfrm policy show dir fwd"),
	    "dst 192.0.2.0/24"));
	assert_int_equal(kernel_flush(f->k), 0);
	assert_null(strstr(ip_output("xfrm policy show"), "\tdir "));
}

/*
 * A policy left by a run that crashed is replaced, not duplicated.  A
 * backend that closes before kernel_started() (a start that failed)
 * keeps it; after kernel_started(), closing removes it.
 */
static void
user_inbound_stale_replaced(void **state)
{
	struct fixture		*f = *state;
	struct kernel_policy	 in;
	const char		*xp;

	policy(&in, "192.0.2.0", 24, KERNEL_ACTION_IPSEC);
	in.pol_dir = KERNEL_DIR_IN;
	addr(&in.pol_sel.sel_src, "203.0.113.0");
	in.pol_priority = 1000;
	assert_string_equal(ip_output("xfrm policy add dir in "
	    "src 203.0.113.0/24 dst 192.0.2.0/24 priority 7 action block "
	    "mark 0 mask 0x400000"), "");
	assert_non_null(strstr(ip_output("xfrm policy show"), "priority 7"));
	assert_int_equal(kernel_add_policy(f->k, &in), 0);
	xp = ip_output("xfrm policy show");
	assert_non_null(strstr(xp, "priority 1000"));
	assert_null(strstr(xp, "priority 7"));
	kernel_close(f->k);
	f->k = NULL;
	assert_non_null(strstr(ip_output("xfrm policy show"),
	    "priority 1000"));
	assert_int_equal(kernel_open(&f->k, KERNEL_BACKEND_USERSPACE,
	    f->base, NULL, NULL, NULL), 0);
	assert_int_equal(kernel_add_policy(f->k, &in), 0);
	kernel_started(f->k);
	kernel_close(f->k);
	f->k = NULL;
	assert_string_equal(ip_output("xfrm policy show"), "");
	assert_int_equal(kernel_open(&f->k, KERNEL_BACKEND_USERSPACE,
	    f->base, NULL, NULL, NULL), 0);
}

/* The sweep deletes a marked policy that no loaded policy uses. */
static void
user_inbound_stale_swept(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(ip_output("xfrm policy add dir in "
	    "src 203.0.113.7/32 dst 192.0.2.0/24 priority 3 action allow "
	    "mark 0 mask 0x400000"), "");
	assert_string_equal(ip_output("xfrm policy add dir in "
	    "src 203.0.113.8/32 dst 192.0.2.0/24 priority 3 action allow"),
	    "");
	kernel_started(f->k);
	assert_null(strstr(ip_output("xfrm policy show"), "203.0.113.7"));
	/* Without the backend's mark, it belongs to another program. */
	assert_non_null(strstr(ip_output("xfrm policy show"),
	    "203.0.113.8"));
	assert_string_equal(ip_output("xfrm policy flush"), "");
}

static void
make_sa(struct kernel_sa *sa, uint32_t spi, enum kernel_dir dir,
    const uint8_t *key)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = dir;
	addr(&sa->sa_id.id_src, dir == KERNEL_DIR_IN ? "198.51.100.2" :
	    "198.51.100.1");
	addr(&sa->sa_id.id_dst, dir == KERNEL_DIR_IN ? "198.51.100.1" :
	    "198.51.100.2");
	sa->sa_id.id_spi = spi;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = KERNEL_MODE_TUNNEL;
	sa->sa_encr = KERNEL_ENCR_AES_GCM_16;
	sa->sa_encr_key = key;
	sa->sa_encr_keylen = 20;
	sa->sa_reqid = 5;
}

static void
user_sa_lifecycle(void **state)
{
	struct fixture		*f = *state;
	struct kernel_sa	 in, out;
	struct kernel_sa_update	 su;
	struct kernel_sa_stats	 st;
	struct sockaddr_storage	 peer, us;
	uint8_t			 key[20] = { 1, 2, 3 };
	uint32_t		 spi, spi2;

	addr(&peer, "198.51.100.2");
	addr(&us, "198.51.100.1");
	assert_int_equal(kernel_get_spi(f->k, (struct sockaddr *)&peer,
	    (struct sockaddr *)&us, KERNEL_PROTO_ESP, 5, &spi), 0);
	assert_int_equal(kernel_get_spi(f->k, (struct sockaddr *)&peer,
	    (struct sockaddr *)&us, KERNEL_PROTO_ESP, 5, &spi2), 0);
	assert_true(spi >= 256);
	assert_int_not_equal(spi, spi2);
	/* A reservation has no counters yet. */
	make_sa(&in, spi, KERNEL_DIR_IN, key);
	assert_int_equal(kernel_query_sa(f->k, &in.sa_id, &st), ERR_NOTFOUND);
	assert_int_equal(kernel_add_sa(f->k, &in), 0);
	assert_int_equal(kernel_add_sa(f->k, &in), ERR_EXISTS);
	assert_int_equal(kernel_query_sa(f->k, &in.sa_id, &st), 0);
	assert_int_equal(st.st_packets, 0);
	assert_true(st.st_add_time > 0);
	make_sa(&out, spi, KERNEL_DIR_OUT, key);
	assert_int_equal(kernel_add_sa(f->k, &out), 0);
	/* Move the outbound SA to UDP encapsulation (NAT-T). */
	memset(&su, 0, sizeof(su));
	su.su_id = out.sa_id;
	su.su_new_src = out.sa_id.id_src;
	su.su_new_dst = out.sa_id.id_dst;
	((struct sockaddr_in *)&su.su_new_dst)->sin_port = htons(4500);
	su.su_encap = 1;
	assert_int_equal(kernel_update_sa(f->k, &su), 0);
	assert_int_equal(kernel_delete_sa(f->k, &out.sa_id), 0);
	assert_int_equal(kernel_delete_sa(f->k, &out.sa_id), ERR_NOTFOUND);
	assert_int_equal(kernel_delete_sa(f->k, &in.sa_id), 0);
	/* An unknown transform is rejected, and nothing is left behind. */
	make_sa(&in, spi2, KERNEL_DIR_IN, key);
	in.sa_encr = 2;
	assert_int_not_equal(kernel_add_sa(f->k, &in), 0);
	assert_int_equal(kernel_query_sa(f->k, &in.sa_id, &st), ERR_NOTFOUND);
}

static void
user_bypass_marks_socket(void **state)
{
	struct fixture	*f = *state;
	uint32_t	 mark = 0;
	socklen_t	 len = sizeof(mark);
	int		 fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(kernel_bypass_socket(f->k, fd, AF_INET), 0);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &len), 0);
	assert_int_equal(mark, KERNEL_DEFAULT_FWMARK);
	close(fd);
}

static void
user_close_cleans_up(void **state)
{
	struct event_base	*base = event_base_new();
	struct kernel_options	 opts = { .ko_tun_name = "espclose0",
		.ko_route_table = 4600, .ko_fwmark = 0x4600,
		.ko_rule_priority = 4600 };
	struct kernel_policy	 pol;
	struct kernel		*k;

	assert_int_equal(kernel_open(&k, KERNEL_BACKEND_USERSPACE, base, NULL,
	    NULL, &opts), 0);
	assert_int_not_equal(if_nametoindex("espclose0"), 0);
	policy(&pol, "203.0.113.0", 24, KERNEL_ACTION_IPSEC);
	assert_int_equal(kernel_add_policy(k, &pol), 0);
	assert_non_null(strstr(ip_output("route show table 4600"),
	    "dev espclose0"));
	kernel_close(k);
	event_base_free(base);
	assert_int_equal(if_nametoindex("espclose0"), 0);
	assert_string_equal(ip_output("route show table 4600"), "");
	assert_null(strstr(ip_output("rule show"), "lookup 4600"));
}

struct captured {
	int			acquires;
	uint8_t			pkts[16][256];
	size_t			lens[16];
	struct sockaddr_in	remotes[16];
	int			count;
};

static void
capture_acquire(void *arg, const struct kernel_acquire *acq)
{
	struct captured	*c = arg;

	c->acquires++;
	assert_int_equal(acq->acq_reqid, 5);
	assert_int_equal(acq->acq_packet.sel_proto, IPPROTO_UDP);
}

static int
capture_send_udp(void *arg, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	struct captured	*c = arg;

	assert_true(c->count < 16);
	assert_true(len <= sizeof(c->pkts[0]));
	assert_int_equal(remote->sa_family, AF_INET);
	memcpy(&c->remotes[c->count], remote, sizeof(c->remotes[0]));
	memcpy(c->pkts[c->count], pkt, len);
	c->lens[c->count++] = len;
	return (0);
}

/*
 * Twelve datagrams wait for an SA: one acquire, and the newest eight
 * leave through the SA once it is added.
 */
static void
user_queue_keeps_newest(void **state)
{
	struct kernel_callbacks	 cb = { .kc_acquire = capture_acquire,
				    .kc_send_udp = capture_send_udp };
	struct kernel_options	 opts = { .ko_tun_name = "espqueue0",
		.ko_route_table = 4700, .ko_fwmark = 0x4700,
		.ko_rule_priority = 4700 };
	struct event_base	*base = event_base_new();
	static struct captured	 c;
	struct kernel_policy	 pol;
	struct kernel_sa	 sa;
	struct esp_sa		 in;
	struct sockaddr_in	 dst;
	struct flow		 fl;
	static uint8_t		 buf[ESP_SA_HEADROOM + 256];
	uint8_t			 key[20] = { 9 }, *inner, i;
	struct kernel		*k;
	int			 fd, n;

	memset(&c, 0, sizeof(c));
	assert_int_equal(system("ip link set lo up && "
	    "ip addr add 192.0.2.1/32 dev lo"), 0);
	assert_int_equal(kernel_open(&k, KERNEL_BACKEND_USERSPACE, base, &cb,
	    &c, &opts), 0);
	policy(&pol, "203.0.113.0", 24, KERNEL_ACTION_IPSEC);
	addr(&pol.pol_sel.sel_src, "192.0.2.1");
	pol.pol_sel.sel_src_prefix = 32;
	assert_int_equal(kernel_add_policy(k, &pol), 0);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons(9);
	inet_pton(AF_INET, "203.0.113.1", &dst.sin_addr);
	for (i = 0; i < 12; i++)
		assert_int_equal(sendto(fd, &i, 1, 0, (struct sockaddr *)&dst,
		    sizeof(dst)), 1);
	close(fd);
	for (n = 0; n < 100 && c.acquires == 0; n++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(c.acquires, 1);
	assert_int_equal(c.count, 0);

	make_sa(&sa, 0x7000, KERNEL_DIR_OUT, key);
	addr(&sa.sa_sel.sel_src, "192.0.2.1");
	addr(&sa.sa_sel.sel_dst, "203.0.113.0");
	sa.sa_sel.sel_src_prefix = 32;
	sa.sa_sel.sel_dst_prefix = 24;
	sa.sa_encap = 1;
	assert_int_equal(kernel_add_sa(k, &sa), 0);
	assert_int_equal(c.count, 8);

	/* Decrypt what left: datagrams 4 to 11, in order. */
	sa.sa_dir = KERNEL_DIR_IN;
	assert_int_equal(esp_sa_init(&in, &sa), 0);
	for (n = 0; n < 8; n++) {
		memcpy(buf + ESP_SA_HEADROOM, c.pkts[n], c.lens[n]);
		assert_int_equal(esp_sa_decap(&in, AF_INET, NULL, NULL,
		    buf + ESP_SA_HEADROOM, c.lens[n], &inner, &fl), 0);
		assert_int_equal(fl.fl_totlen, 20 + 8 + 1);
		assert_int_equal(inner[28], n + 4);
	}
	esp_sa_clear(&in);
	kernel_close(k);
	event_base_free(base);
}

/* Send one UDP datagram to dst and run the loop until it is handled. */
static void
send_through(struct event_base *base, struct captured *c, const char *dst)
{
	struct sockaddr_in	sin;
	int			fd, n, count = c->count, acq = c->acquires;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	assert_int_equal(inet_pton(AF_INET, dst, &sin.sin_addr), 1);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, "x", 1, 0, (struct sockaddr *)&sin,
	    sizeof(sin)), 1);
	close(fd);
	for (n = 0; n < 1000 && c->count == count && c->acquires == acq;
	    n++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

static uint32_t
captured_spi(const struct captured *c, int i)
{
	uint32_t	spi;

	memcpy(&spi, c->pkts[i], sizeof(spi));
	return (ntohl(spi));
}

static const char *
captured_remote(const struct captured *c, int i)
{
	static char	text[INET_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, &c->remotes[i].sin_addr, text,
	    sizeof(text)));
	return (text);
}

/*
 * One policy file entry for many peers gives their SAs one reqid: each
 * policy takes the SA to its own tunnel end, whichever SA came last.
 */
static void
user_sa_per_peer(void **state)
{
	struct kernel_callbacks	 cb = { .kc_acquire = capture_acquire,
				    .kc_send_udp = capture_send_udp };
	struct kernel_options	 opts = { .ko_tun_name = "esppeer0",
		.ko_route_table = 4800, .ko_fwmark = 0x4800,
		.ko_rule_priority = 4800 };
	struct event_base	*base = event_base_new();
	static struct captured	 c;
	struct kernel_policy	 pa, pb;
	struct kernel_sa	 sa, sb;
	uint8_t			 key[20] = { 7 };
	struct kernel		*k;

	memset(&c, 0, sizeof(c));
	assert_int_equal(system("ip link set lo up && "
	    "ip addr replace 192.0.2.1/32 dev lo"), 0);
	assert_int_equal(kernel_open(&k, KERNEL_BACKEND_USERSPACE, base, &cb,
	    &c, &opts), 0);
	policy(&pa, "203.0.113.0", 25, KERNEL_ACTION_IPSEC);
	policy(&pb, "203.0.113.128", 25, KERNEL_ACTION_IPSEC);
	addr(&pb.pol_tun_dst, "198.51.100.3");
	assert_int_equal(kernel_add_policy(k, &pa), 0);
	assert_int_equal(kernel_add_policy(k, &pb), 0);
	make_sa(&sa, 0x7100, KERNEL_DIR_OUT, key);
	sa.sa_encap = 1;
	sb = sa;
	sb.sa_id.id_spi = 0x7200;
	addr(&sb.sa_id.id_dst, "198.51.100.3");
	assert_int_equal(kernel_add_sa(k, &sa), 0);
	assert_int_equal(kernel_add_sa(k, &sb), 0);

	send_through(base, &c, "203.0.113.1");
	send_through(base, &c, "203.0.113.129");
	assert_int_equal(c.count, 2);
	assert_int_equal(captured_spi(&c, 0), 0x7100);
	assert_string_equal(captured_remote(&c, 0), "198.51.100.2");
	assert_int_equal(captured_spi(&c, 1), 0x7200);
	assert_string_equal(captured_remote(&c, 1), "198.51.100.3");

	/* Without an SA of its own, a policy sends an acquire. */
	assert_int_equal(kernel_delete_sa(k, &sb.sa_id), 0);
	send_through(base, &c, "203.0.113.129");
	assert_int_equal(c.count, 2);
	assert_int_equal(c.acquires, 1);
	send_through(base, &c, "203.0.113.2");
	assert_int_equal(c.count, 3);
	assert_int_equal(captured_spi(&c, 2), 0x7100);
	kernel_close(k);
	event_base_free(base);
}

static void
user_open_errors(void **state)
{
	struct event_base	*base = event_base_new();
	struct kernel_options	 opts = {
		.ko_tun_name = "a-name-longer-than-ifnamsiz" };
	struct kernel		*k;

	assert_int_equal(kernel_open(&k, KERNEL_BACKEND_USERSPACE, NULL, NULL,
	    NULL, NULL), ERR_INVAL);
	assert_int_equal(kernel_open(&k, KERNEL_BACKEND_USERSPACE, base, NULL,
	    NULL, &opts), ERR_INVAL);
	assert_null(k);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(user_device_and_rule, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(user_policy_routes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(user_tun_exempt, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(user_inbound_in_xfrm, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(user_inbound_stale_swept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(user_inbound_stale_replaced,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(user_sa_lifecycle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(user_bypass_marks_socket, setup,
		    teardown),
		cmocka_unit_test(user_close_cleans_up),
		cmocka_unit_test(user_queue_keeps_newest),
		cmocka_unit_test(user_sa_per_peer),
		cmocka_unit_test(user_open_errors),
	};

	if (geteuid() != 0) {
		printf("skipped: needs root for a network namespace and TUN\n");
		return (77);
	}
	/* A namespace of our own: nothing here touches the host's routes. */
	if (unshare(CLONE_NEWNET) != 0) {
		printf("skipped: cannot create a network namespace\n");
		return (77);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
