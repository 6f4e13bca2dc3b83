/* Parsing IP packets into flows and matching them against selectors. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/flow.h"
#include "lib/err.h"

static size_t
ipv4(uint8_t *p, uint8_t proto, uint16_t frag, size_t datalen)
{
	size_t	len = 20 + datalen;

	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[6] = (uint8_t)(frag >> 8);
	p[7] = (uint8_t)frag;
	p[8] = 64;
	p[9] = proto;
	inet_pton(AF_INET, "192.0.2.10", p + 12);
	inet_pton(AF_INET, "203.0.113.20", p + 16);
	if (datalen >= 4) {
		p[20] = 0x04;	/* 1025 */
		p[21] = 0x01;
		p[22] = 0x00;	/* 80 */
		p[23] = 0x50;
	}
	return (len);
}

static void
selector(struct kernel_selector *sel, const char *src, uint8_t sp,
    const char *dst, uint8_t dp, uint8_t proto, uint16_t sport,
    uint16_t dport)
{
	struct sockaddr_in	*s = (struct sockaddr_in *)&sel->sel_src;
	struct sockaddr_in	*d = (struct sockaddr_in *)&sel->sel_dst;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&sel->sel_src;
	struct sockaddr_in6	*d6 = (struct sockaddr_in6 *)&sel->sel_dst;

	memset(sel, 0, sizeof(*sel));
	if (strchr(src, ':') != NULL) {
		s6->sin6_family = d6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, src, &s6->sin6_addr);
		inet_pton(AF_INET6, dst, &d6->sin6_addr);
		s6->sin6_port = htons(sport);
		d6->sin6_port = htons(dport);
	} else {
		s->sin_family = d->sin_family = AF_INET;
		inet_pton(AF_INET, src, &s->sin_addr);
		inet_pton(AF_INET, dst, &d->sin_addr);
		s->sin_port = htons(sport);
		d->sin_port = htons(dport);
	}
	sel->sel_src_prefix = sp;
	sel->sel_dst_prefix = dp;
	sel->sel_proto = proto;
}

static void
flow_ipv4_tcp_ports(void **state)
{
	uint8_t			p[64];
	struct flow		fl;
	struct kernel_selector	sel;
	size_t			len = ipv4(p, IPPROTO_TCP, 0, 20);

	assert_int_equal(flow_parse(&fl, p, len), 0);
	assert_int_equal(fl.fl_family, AF_INET);
	assert_int_equal(fl.fl_proto, IPPROTO_TCP);
	assert_true(fl.fl_has_ports);
	assert_int_equal(fl.fl_sport, 1025);
	assert_int_equal(fl.fl_dport, 80);
	assert_int_equal(fl.fl_hdrlen, 20);
	assert_int_equal(fl.fl_totlen, len);
	selector(&sel, "192.0.2.0", 24, "203.0.113.0", 24, IPPROTO_TCP, 0, 80);
	assert_true(flow_match(&fl, &sel));
	selector(&sel, "192.0.2.0", 24, "203.0.113.0", 24, IPPROTO_TCP, 0, 81);
	assert_false(flow_match(&fl, &sel));
	selector(&sel, "192.0.2.0", 24, "203.0.113.0", 24, IPPROTO_UDP, 0, 0);
	assert_false(flow_match(&fl, &sel));
	selector(&sel, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, 0);
	assert_true(flow_match(&fl, &sel));
}

static void
flow_prefix_bits(void **state)
{
	uint8_t			p[64];
	struct flow		fl;
	struct kernel_selector	sel;

	assert_int_equal(flow_parse(&fl, p, ipv4(p, IPPROTO_UDP, 0, 8)), 0);
	/* 192.0.2.10 is in 192.0.2.8/29 but not in 192.0.2.0/29. */
	selector(&sel, "192.0.2.8", 29, "203.0.113.20", 32, 0, 0, 0);
	assert_true(flow_match(&fl, &sel));
	selector(&sel, "192.0.2.0", 29, "203.0.113.20", 32, 0, 0, 0);
	assert_false(flow_match(&fl, &sel));
	selector(&sel, "192.0.2.10", 32, "203.0.113.21", 32, 0, 0, 0);
	assert_false(flow_match(&fl, &sel));
	/* An IPv6 selector never matches an IPv4 packet. */
	selector(&sel, "::", 0, "::", 0, 0, 0, 0);
	assert_false(flow_match(&fl, &sel));
}

static void
flow_fragment_has_no_ports(void **state)
{
	uint8_t			p[64];
	struct flow		fl;
	struct kernel_selector	sel;

	/* Offset 8 (in units of 8 bytes): a non-first fragment. */
	assert_int_equal(flow_parse(&fl, p, ipv4(p, IPPROTO_TCP, 8, 20)), 0);
	assert_false(fl.fl_has_ports);
	assert_true(fl.fl_fragment);
	selector(&sel, "192.0.2.0", 24, "203.0.113.0", 24, IPPROTO_TCP, 0, 80);
	assert_false(flow_match(&fl, &sel));
	selector(&sel, "192.0.2.0", 24, "203.0.113.0", 24, IPPROTO_TCP, 0, 0);
	assert_true(flow_match(&fl, &sel));
}

static void
flow_first_fragment_has_ports(void **state)
{
	uint8_t		p[64];
	struct flow	fl;

	/* More fragments (0x2000), offset 0. */
	assert_int_equal(flow_parse(&fl, p, ipv4(p, IPPROTO_TCP, 0x2000,
	    20)), 0);
	assert_true(fl.fl_has_ports);
	assert_true(fl.fl_fragment);
	/* Don't fragment (0x4000) is not a fragment. */
	assert_int_equal(flow_parse(&fl, p, ipv4(p, IPPROTO_TCP, 0x4000,
	    20)), 0);
	assert_false(fl.fl_fragment);
}

static void
flow_icmp_type_code(void **state)
{
	uint8_t			p[64];
	struct flow		fl;
	struct kernel_selector	sel;
	size_t			len = ipv4(p, IPPROTO_ICMP, 0, 8);

	p[20] = 8;	/* echo request */
	p[21] = 0;
	assert_int_equal(flow_parse(&fl, p, len), 0);
	assert_int_equal(fl.fl_sport, 8);
	assert_int_equal(fl.fl_dport, 0);
	selector(&sel, "192.0.2.10", 32, "203.0.113.20", 32, IPPROTO_ICMP, 8,
	    0);
	assert_true(flow_match(&fl, &sel));
	selector(&sel, "192.0.2.10", 32, "203.0.113.20", 32, IPPROTO_ICMP, 0,
	    0);
	assert_true(flow_match(&fl, &sel));
	selector(&sel, "192.0.2.10", 32, "203.0.113.20", 32, IPPROTO_ICMP, 3,
	    0);
	assert_false(flow_match(&fl, &sel));
}

static void
flow_ipv6_extension_headers(void **state)
{
	uint8_t			p[128];
	struct flow		fl;
	struct kernel_selector	sel;

	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	p[5] = 8 + 8 + 8;	/* payload length */
	p[6] = 0;		/* hop-by-hop options */
	p[7] = 64;
	inet_pton(AF_INET6, "2001:db8:1::1", p + 8);
	inet_pton(AF_INET6, "2001:db8:2::2", p + 24);
	p[40] = 44;		/* next: fragment */
	p[41] = 0;		/* 8 bytes */
	p[48] = IPPROTO_UDP;	/* fragment header, offset 0 */
	p[56] = 0x13;		/* ports 5000 -> 53 */
	p[57] = 0x88;
	p[58] = 0x00;
	p[59] = 0x35;
	assert_int_equal(flow_parse(&fl, p, 64), 0);
	assert_int_equal(fl.fl_family, AF_INET6);
	assert_int_equal(fl.fl_proto, IPPROTO_UDP);
	assert_int_equal(fl.fl_hdrlen, 56);
	assert_int_equal(fl.fl_sport, 5000);
	assert_int_equal(fl.fl_dport, 53);
	assert_true(fl.fl_fragment);
	selector(&sel, "2001:db8:1::", 48, "2001:db8:2::", 48, IPPROTO_UDP,
	    0, 53);
	assert_true(flow_match(&fl, &sel));
	/* A later fragment: no ports. */
	p[50] = 0x01;
	assert_int_equal(flow_parse(&fl, p, 64), 0);
	assert_false(fl.fl_has_ports);
	assert_false(flow_match(&fl, &sel));
	/* The extension chain must lie inside the payload length. */
	p[5] = 12;
	assert_int_not_equal(flow_parse(&fl, p, 64), 0);
}

static void
flow_invalid_headers(void **state)
{
	uint8_t		p[64];
	struct flow	fl;
	size_t		len = ipv4(p, IPPROTO_UDP, 0, 8), n;

	for (n = 0; n < len; n++)
		assert_int_not_equal(flow_parse(&fl, p, n), 0);
	p[0] = 0x44;		/* header length 16 */
	assert_int_equal(flow_parse(&fl, p, len), ERR_MALFORMED);
	p[0] = 0x55;		/* version 5 */
	assert_int_equal(flow_parse(&fl, p, len), ERR_MALFORMED);
	p[0] = 0x45;
	p[3] = 10;		/* total length below the header */
	assert_int_equal(flow_parse(&fl, p, len), ERR_MALFORMED);
	/* Bytes past the total length (ESP TFC padding) are allowed. */
	ipv4(p, IPPROTO_UDP, 0, 8);
	assert_int_equal(flow_parse(&fl, p, len + 10), 0);
	assert_int_equal(fl.fl_totlen, len);
}

/* Random bytes with a plausible first byte: parsed or rejected, no more. */
static void
flow_random_bytes(void **state)
{
	static const uint8_t	 first[] = { 0x45, 0x46, 0x4f, 0x60 };
	uint8_t			 p[128];
	struct flow		 fl;
	uint32_t		 x = 777;
	size_t			 i, j, len;

	for (i = 0; i < 20000; i++) {
		x = x * 1103515245 + 12345;
		len = (x >> 16) % sizeof(p);
		for (j = 0; j < len; j++) {
			x = x * 1103515245 + 12345;
			p[j] = (uint8_t)(x >> 16);
		}
		if (len > 0)
			p[0] = first[i % 4];
		if (flow_parse(&fl, p, len) == 0) {
			assert_true(fl.fl_totlen <= len);
			assert_true(fl.fl_hdrlen <= fl.fl_totlen);
		}
	}
}

static void
flow_selector_from_packet(void **state)
{
	uint8_t			p[64];
	struct flow		fl;
	struct kernel_selector	sel;

	assert_int_equal(flow_parse(&fl, p, ipv4(p, IPPROTO_TCP, 0, 20)), 0);
	flow_to_selector(&fl, &sel);
	assert_int_equal(sel.sel_src_prefix, 32);
	assert_int_equal(sel.sel_proto, IPPROTO_TCP);
	assert_int_equal(ntohs(((struct sockaddr_in *)&sel.sel_dst)->sin_port),
	    80);
	assert_true(flow_match(&fl, &sel));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(flow_ipv4_tcp_ports),
		cmocka_unit_test(flow_prefix_bits),
		cmocka_unit_test(flow_fragment_has_no_ports),
		cmocka_unit_test(flow_first_fragment_has_ports),
		cmocka_unit_test(flow_icmp_type_code),
		cmocka_unit_test(flow_ipv6_extension_headers),
		cmocka_unit_test(flow_invalid_headers),
		cmocka_unit_test(flow_random_bytes),
		cmocka_unit_test(flow_selector_from_packet),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
