/*
 * XFRM netlink messages built from the kernel interface structs, checked
 * field by field without a kernel: algorithms and key lengths, replay
 * window, encapsulation, lifetimes, selectors and policy templates.  The
 * parsers get short input.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/udp.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>

#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"
#include "xfrm_test.h"

static uint8_t	msg_buf[XFRM_BUF_LEN];

/*
 * One byte longer than the longest key (HMAC-SHA-512, 64 bytes), because
 * the cases take the authentication key from msg_key + 1 so that it
 * differs from the encryption key.
 */
static const uint8_t	msg_key[65] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
	0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
	0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40,
};

struct msg_attrs {
	const struct nlattr	*ma[XFRMA_MAX + 1];
	int			 ma_tmpl_count;
};

static int
msg_attr_cb(const struct nlattr *attr, void *arg)
{
	struct msg_attrs	*ma = arg;
	uint16_t		 type = mnl_attr_get_type(attr);

	if (type <= XFRMA_MAX)
		ma->ma[type] = attr;
	if (type == XFRMA_TMPL)
		ma->ma_tmpl_count++;
	return (MNL_CB_OK);
}

static void
msg_attrs(const struct nlmsghdr *nlh, size_t hdrlen, struct msg_attrs *ma)
{
	memset(ma, 0, sizeof(*ma));
	assert_true(mnl_attr_parse(nlh, (unsigned int)hdrlen, msg_attr_cb,
	    ma) >= 0);
}

static void
msg_sa_base(struct kernel_sa *sa, enum kernel_dir dir)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = dir;
	xfrm_test_addr(&sa->sa_id.id_src, "198.51.100.2", 0);
	xfrm_test_addr(&sa->sa_id.id_dst, "198.51.100.1", 0);
	sa->sa_id.id_spi = 0xc0ffee01;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = KERNEL_MODE_TUNNEL;
	sa->sa_reqid = 7;
	xfrm_test_addr(&sa->sa_sel.sel_src, "203.0.113.0", 0);
	xfrm_test_addr(&sa->sa_sel.sel_dst, "192.0.2.1", 0);
	sa->sa_sel.sel_src_prefix = 24;
	sa->sa_sel.sel_dst_prefix = 32;
}

static const struct xfrm_usersa_info *
msg_build_sa(const struct kernel_sa *sa, struct msg_attrs *ma)
{
	struct nlmsghdr	*nlh;

	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWSA, 0);
	assert_int_equal(xfrm_msg_sa(nlh, sa), 0);
	msg_attrs(nlh, sizeof(struct xfrm_usersa_info), ma);
	return (mnl_nlmsg_get_payload(nlh));
}

static void
msg_sa_gcm_inbound(void **state)
{
	struct kernel_sa		 sa;
	struct msg_attrs		 ma;
	const struct xfrm_usersa_info	*info;
	const struct xfrm_algo_aead	*aead;
	const struct xfrm_replay_state_esn *esn;
	uint32_t			 a4;

	msg_sa_base(&sa, KERNEL_DIR_IN);
	sa.sa_encr = KERNEL_ENCR_AES_GCM_16;
	sa.sa_encr_key = msg_key;
	sa.sa_encr_keylen = 20;		/* AES-128 key and 4-byte salt */
	info = msg_build_sa(&sa, &ma);

	assert_int_equal(info->id.spi, htonl(0xc0ffee01));
	assert_int_equal(info->id.proto, IPPROTO_ESP);
	assert_int_equal(info->family, AF_INET);
	assert_int_equal(info->mode, XFRM_MODE_TUNNEL);
	assert_int_equal(info->reqid, 7);
	inet_pton(AF_INET, "198.51.100.1", &a4);
	assert_memory_equal(&info->id.daddr.a4, &a4, 4);
	inet_pton(AF_INET, "198.51.100.2", &a4);
	assert_memory_equal(&info->saddr.a4, &a4, 4);
	inet_pton(AF_INET, "203.0.113.0", &a4);
	assert_memory_equal(&info->sel.saddr.a4, &a4, 4);
	assert_int_equal(info->sel.prefixlen_s, 24);
	assert_int_equal(info->sel.prefixlen_d, 32);
	assert_int_equal(info->sel.family, AF_INET);
	assert_int_equal(info->flags & XFRM_STATE_AF_UNSPEC, 0);
	assert_true(info->lft.soft_byte_limit == XFRM_INF);
	assert_true(info->lft.hard_add_expires_seconds == 0);

	assert_non_null(ma.ma[XFRMA_ALG_AEAD]);
	assert_null(ma.ma[XFRMA_ALG_CRYPT]);
	assert_null(ma.ma[XFRMA_ALG_AUTH_TRUNC]);
	assert_null(ma.ma[XFRMA_ENCAP]);
	aead = mnl_attr_get_payload(ma.ma[XFRMA_ALG_AEAD]);
	assert_string_equal(aead->alg_name, "rfc4106(gcm(aes))");
	assert_int_equal(aead->alg_key_len, 160);
	assert_int_equal(aead->alg_icv_len, 128);
	assert_int_equal(mnl_attr_get_payload_len(ma.ma[XFRMA_ALG_AEAD]),
	    sizeof(*aead) + 20);
	assert_memory_equal((const uint8_t *)aead + sizeof(*aead), msg_key,
	    20);

	/* The default window of 64 needs the bitmap attribute. */
	assert_int_equal(info->replay_window, 0);
	assert_non_null(ma.ma[XFRMA_REPLAY_ESN_VAL]);
	esn = mnl_attr_get_payload(ma.ma[XFRMA_REPLAY_ESN_VAL]);
	assert_int_equal(esn->replay_window, 64);
	assert_int_equal(esn->bmp_len, 2);
	assert_int_equal(mnl_attr_get_payload_len(ma.ma[XFRMA_REPLAY_ESN_VAL]),
	    sizeof(*esn) + 8);
}

static void
msg_sa_gcm_icv_lengths(void **state)
{
	static const struct {
		uint16_t	encr;
		unsigned int	icv;
	} cases[] = {
		{ KERNEL_ENCR_AES_GCM_8, 64 },
		{ KERNEL_ENCR_AES_GCM_12, 96 },
		{ KERNEL_ENCR_AES_GCM_16, 128 },
	};
	struct kernel_sa		 sa;
	struct msg_attrs		 ma;
	const struct xfrm_algo_aead	*aead;
	size_t				 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg_sa_base(&sa, KERNEL_DIR_OUT);
		sa.sa_encr = cases[i].encr;
		sa.sa_encr_key = msg_key;
		sa.sa_encr_keylen = 36;		/* AES-256 and salt */
		msg_build_sa(&sa, &ma);
		aead = mnl_attr_get_payload(ma.ma[XFRMA_ALG_AEAD]);
		assert_int_equal(aead->alg_icv_len, cases[i].icv);
		assert_int_equal(aead->alg_key_len, 288);
		/* Outbound SAs carry no replay window. */
		assert_null(ma.ma[XFRMA_REPLAY_ESN_VAL]);
	}
}

static void
msg_sa_cbc_hmac(void **state)
{
	static const struct {
		uint16_t	 encr;
		size_t		 encr_keylen;
		const char	*encr_name;
		uint16_t	 auth;
		size_t		 auth_keylen;
		const char	*auth_name;
		unsigned int	 trunc;
	} cases[] = {
		{ KERNEL_ENCR_AES_CBC, 16, "cbc(aes)",
		    KERNEL_AUTH_HMAC_SHA1, 20, "hmac(sha1)", 96 },
		{ KERNEL_ENCR_AES_CBC, 24, "cbc(aes)",
		    KERNEL_AUTH_HMAC_SHA2_256, 32, "hmac(sha256)", 128 },
		{ KERNEL_ENCR_AES_CBC, 32, "cbc(aes)",
		    KERNEL_AUTH_HMAC_SHA2_384, 48, "hmac(sha384)", 192 },
		{ KERNEL_ENCR_3DES, 24, "cbc(des3_ede)",
		    KERNEL_AUTH_HMAC_SHA2_512, 64, "hmac(sha512)", 256 },
		{ KERNEL_ENCR_3DES, 24, "cbc(des3_ede)",
		    KERNEL_AUTH_HMAC_MD5, 16, "hmac(md5)", 96 },
	};
	struct kernel_sa		 sa;
	struct msg_attrs		 ma;
	const struct xfrm_algo		*crypt;
	const struct xfrm_algo_auth	*auth;
	size_t				 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg_sa_base(&sa, KERNEL_DIR_OUT);
		sa.sa_encr = cases[i].encr;
		sa.sa_encr_key = msg_key;
		sa.sa_encr_keylen = cases[i].encr_keylen;
		sa.sa_auth = cases[i].auth;
		sa.sa_auth_key = msg_key + 1;
		sa.sa_auth_keylen = cases[i].auth_keylen;
		msg_build_sa(&sa, &ma);
		assert_null(ma.ma[XFRMA_ALG_AEAD]);
		crypt = mnl_attr_get_payload(ma.ma[XFRMA_ALG_CRYPT]);
		assert_string_equal(crypt->alg_name, cases[i].encr_name);
		assert_int_equal(crypt->alg_key_len,
		    cases[i].encr_keylen * 8);
		assert_memory_equal((const uint8_t *)crypt + sizeof(*crypt),
		    msg_key, cases[i].encr_keylen);
		auth = mnl_attr_get_payload(ma.ma[XFRMA_ALG_AUTH_TRUNC]);
		assert_string_equal(auth->alg_name, cases[i].auth_name);
		assert_int_equal(auth->alg_key_len,
		    cases[i].auth_keylen * 8);
		assert_int_equal(auth->alg_trunc_len, cases[i].trunc);
		assert_memory_equal((const uint8_t *)auth + sizeof(*auth),
		    msg_key + 1, cases[i].auth_keylen);
	}
}

static void
msg_sa_encap_lifetime(void **state)
{
	struct kernel_sa		 sa;
	struct msg_attrs		 ma;
	const struct xfrm_usersa_info	*info;
	const struct xfrm_encap_tmpl	*encap;

	msg_sa_base(&sa, KERNEL_DIR_IN);
	xfrm_test_addr(&sa.sa_id.id_src, "198.51.100.2", 61000);
	sa.sa_encap = 1;
	sa.sa_mode = KERNEL_MODE_TRANSPORT;
	sa.sa_encr = KERNEL_ENCR_AES_CBC;
	sa.sa_encr_key = msg_key;
	sa.sa_encr_keylen = 16;
	sa.sa_auth = KERNEL_AUTH_HMAC_SHA2_256;
	sa.sa_auth_key = msg_key;
	sa.sa_auth_keylen = 32;
	sa.sa_replay_window = 16;
	sa.sa_lifetime.lt_soft_kbytes = 100;
	sa.sa_lifetime.lt_hard_kbytes = 200;
	sa.sa_lifetime.lt_soft_seconds = 3000;
	sa.sa_lifetime.lt_hard_seconds = 3600;
	info = msg_build_sa(&sa, &ma);

	assert_int_equal(info->mode, XFRM_MODE_TRANSPORT);
	encap = mnl_attr_get_payload(ma.ma[XFRMA_ENCAP]);
	assert_int_equal(encap->encap_type, UDP_ENCAP_ESPINUDP);
	/* The peer's floated port, and 4500 where none is given. */
	assert_int_equal(encap->encap_sport, htons(61000));
	assert_int_equal(encap->encap_dport, htons(4500));
	/* Windows up to 32 fit the legacy field. */
	assert_int_equal(info->replay_window, 16);
	assert_null(ma.ma[XFRMA_REPLAY_ESN_VAL]);
	assert_true(info->lft.soft_byte_limit == 102400);
	assert_true(info->lft.hard_byte_limit == 204800);
	assert_true(info->lft.soft_packet_limit == XFRM_INF);
	assert_true(info->lft.soft_add_expires_seconds == 3000);
	assert_true(info->lft.hard_add_expires_seconds == 3600);
}

static void
msg_sa_ipv6_inner_over_ipv4(void **state)
{
	struct kernel_sa		 sa;
	struct msg_attrs		 ma;
	const struct xfrm_usersa_info	*info;

	msg_sa_base(&sa, KERNEL_DIR_OUT);
	xfrm_test_addr(&sa.sa_sel.sel_src, "2001:db8:1::", 0);
	xfrm_test_addr(&sa.sa_sel.sel_dst, "2001:db8:2::", 0);
	sa.sa_sel.sel_src_prefix = 48;
	sa.sa_sel.sel_dst_prefix = 48;
	sa.sa_encr = KERNEL_ENCR_AES_GCM_16;
	sa.sa_encr_key = msg_key;
	sa.sa_encr_keylen = 20;
	info = msg_build_sa(&sa, &ma);
	assert_int_equal(info->family, AF_INET);
	assert_int_equal(info->sel.family, AF_INET6);
	assert_int_equal(info->flags & XFRM_STATE_AF_UNSPEC,
	    XFRM_STATE_AF_UNSPEC);
}

static void
msg_sa_rejects_unknown(void **state)
{
	struct kernel_sa	sa;
	struct nlmsghdr		*nlh;

	msg_sa_base(&sa, KERNEL_DIR_OUT);
	sa.sa_encr = 99;
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWSA, 0);
	assert_int_equal(xfrm_msg_sa(nlh, &sa), ERR_UNSUPPORTED);

	msg_sa_base(&sa, KERNEL_DIR_OUT);
	sa.sa_encr = KERNEL_ENCR_AES_CBC;
	sa.sa_encr_key = msg_key;
	sa.sa_encr_keylen = 16;
	sa.sa_auth = 99;
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWSA, 0);
	assert_int_equal(xfrm_msg_sa(nlh, &sa), ERR_UNSUPPORTED);

	/* GCM carries its own ICV: an HMAC next to it is a caller error. */
	msg_sa_base(&sa, KERNEL_DIR_OUT);
	sa.sa_encr = KERNEL_ENCR_AES_GCM_16;
	sa.sa_encr_key = msg_key;
	sa.sa_encr_keylen = 20;
	sa.sa_auth = KERNEL_AUTH_HMAC_SHA1;
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWSA, 0);
	assert_int_equal(xfrm_msg_sa(nlh, &sa), ERR_INVAL);
}

static void
msg_policy_base(struct kernel_policy *pol, enum kernel_dir dir)
{
	memset(pol, 0, sizeof(*pol));
	pol->pol_dir = dir;
	xfrm_test_addr(&pol->pol_sel.sel_src, "203.0.113.0", 0);
	xfrm_test_addr(&pol->pol_sel.sel_dst, "192.0.2.0", 443);
	pol->pol_sel.sel_src_prefix = 24;
	pol->pol_sel.sel_dst_prefix = 25;
	pol->pol_sel.sel_proto = IPPROTO_TCP;
	pol->pol_action = KERNEL_ACTION_IPSEC;
	pol->pol_mode = KERNEL_MODE_TUNNEL;
	pol->pol_proto = KERNEL_PROTO_ESP;
	xfrm_test_addr(&pol->pol_tun_src, "198.51.100.2", 0);
	xfrm_test_addr(&pol->pol_tun_dst, "198.51.100.1", 0);
	pol->pol_reqid = 9;
	pol->pol_priority = 1500;
}

static void
msg_policy_tunnel(void **state)
{
	struct kernel_policy			 pol;
	struct msg_attrs			 ma;
	struct nlmsghdr				*nlh;
	const struct xfrm_userpolicy_info	*upi;
	const struct xfrm_user_tmpl		*tmpl;
	uint32_t				 a4;

	msg_policy_base(&pol, KERNEL_DIR_IN);
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWPOLICY, 0);
	assert_int_equal(xfrm_msg_policy(nlh, &pol, XFRM_POLICY_IN), 0);
	upi = mnl_nlmsg_get_payload(nlh);
	msg_attrs(nlh, sizeof(*upi), &ma);
	assert_int_equal(upi->dir, XFRM_POLICY_IN);
	assert_int_equal(upi->action, XFRM_POLICY_ALLOW);
	assert_int_equal(upi->priority, 1500);
	assert_int_equal(upi->index, 0);	/* the kernel assigns it */
	assert_int_equal(upi->sel.proto, IPPROTO_TCP);
	assert_int_equal(upi->sel.dport, htons(443));
	assert_int_equal(upi->sel.dport_mask, 0xffff);
	assert_int_equal(upi->sel.sport, 0);
	assert_int_equal(upi->sel.sport_mask, 0);
	assert_int_equal(upi->sel.prefixlen_d, 25);
	assert_true(upi->lft.hard_byte_limit == XFRM_INF);
	assert_int_equal(ma.ma_tmpl_count, 1);
	tmpl = mnl_attr_get_payload(ma.ma[XFRMA_TMPL]);
	assert_int_equal(tmpl->mode, XFRM_MODE_TUNNEL);
	assert_int_equal(tmpl->id.proto, IPPROTO_ESP);
	assert_int_equal(tmpl->reqid, 9);
	assert_int_equal(tmpl->family, AF_INET);
	assert_int_equal(tmpl->ealgos, ~0U);
	inet_pton(AF_INET, "198.51.100.2", &a4);
	assert_memory_equal(&tmpl->saddr.a4, &a4, 4);
	inet_pton(AF_INET, "198.51.100.1", &a4);
	assert_memory_equal(&tmpl->id.daddr.a4, &a4, 4);
}

static void
msg_policy_actions(void **state)
{
	struct kernel_policy			 pol;
	struct msg_attrs			 ma;
	struct nlmsghdr				*nlh;
	const struct xfrm_userpolicy_info	*upi;
	const struct xfrm_user_tmpl		*tmpl;

	msg_policy_base(&pol, KERNEL_DIR_OUT);
	pol.pol_action = KERNEL_ACTION_BYPASS;
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWPOLICY, 0);
	assert_int_equal(xfrm_msg_policy(nlh, &pol, XFRM_POLICY_OUT), 0);
	upi = mnl_nlmsg_get_payload(nlh);
	msg_attrs(nlh, sizeof(*upi), &ma);
	assert_int_equal(upi->action, XFRM_POLICY_ALLOW);
	assert_int_equal(ma.ma_tmpl_count, 0);

	pol.pol_action = KERNEL_ACTION_DROP;
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWPOLICY, 0);
	assert_int_equal(xfrm_msg_policy(nlh, &pol, XFRM_POLICY_OUT), 0);
	upi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(upi->action, XFRM_POLICY_BLOCK);

	/* Transport mode: the template has no endpoints. */
	msg_policy_base(&pol, KERNEL_DIR_OUT);
	pol.pol_mode = KERNEL_MODE_TRANSPORT;
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWPOLICY, 0);
	assert_int_equal(xfrm_msg_policy(nlh, &pol, XFRM_POLICY_OUT), 0);
	msg_attrs(nlh, sizeof(*upi), &ma);
	tmpl = mnl_attr_get_payload(ma.ma[XFRMA_TMPL]);
	assert_int_equal(tmpl->mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(tmpl->id.daddr.a4, 0);

	pol.pol_proto = 17;
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_NEWPOLICY, 0);
	assert_int_equal(xfrm_msg_policy(nlh, &pol, XFRM_POLICY_OUT),
	    ERR_INVAL);
}

static void
msg_selector_round_trip(void **state)
{
	struct kernel_selector	ks, back;
	struct xfrm_selector	xs;

	memset(&ks, 0, sizeof(ks));
	xfrm_test_addr(&ks.sel_src, "2001:db8:a::1", 0);
	xfrm_test_addr(&ks.sel_dst, "2001:db8:b::", 0);
	/* ICMPv6 echo request: type 128 in the source port field. */
	((struct sockaddr_in6 *)&ks.sel_src)->sin6_port = htons(128);
	ks.sel_src_prefix = 128;
	ks.sel_dst_prefix = 64;
	ks.sel_proto = IPPROTO_ICMPV6;
	xfrm_msg_selector(&xs, &ks, AF_INET6);
	assert_int_equal(xs.family, AF_INET6);
	assert_int_equal(xs.sport, htons(128));
	assert_int_equal(xs.sport_mask, 0xffff);
	assert_int_equal(xs.dport_mask, 0);
	xfrm_parse_selector(&back, &xs);
	assert_true(kernel_selector_equal(&ks, &back));
	assert_int_equal(back.sel_src.ss_family, AF_INET6);

	/* An unset selector matches all traffic of the SA's family. */
	memset(&ks, 0, sizeof(ks));
	xfrm_msg_selector(&xs, &ks, AF_INET);
	assert_int_equal(xs.family, AF_INET);
	assert_int_equal(xs.prefixlen_s, 0);
	assert_int_equal(xs.prefixlen_d, 0);
}

static void
msg_parse_short_messages(void **state)
{
	struct xfrm_user_acquire	 acq;
	struct xfrm_user_tmpl		 tmpl[2];
	struct xfrm_user_expire		 exp;
	struct xfrm_usersa_info		 info;
	struct nlmsghdr			*nlh;
	int				 ntmpl = 2;

	/* A header with 8 bytes of payload is shorter than any body. */
	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_ACQUIRE, 0);
	mnl_nlmsg_put_extra_header(nlh, 8);
	assert_int_equal(xfrm_parse_acquire(nlh, &acq, tmpl, &ntmpl),
	    ERR_TRUNCATED);
	assert_int_equal(ntmpl, 0);
	nlh->nlmsg_type = XFRM_MSG_EXPIRE;
	assert_int_equal(xfrm_parse_expire(nlh, &exp), ERR_TRUNCATED);
	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	assert_int_equal(xfrm_parse_sa(nlh, &info), ERR_TRUNCATED);
	nlh->nlmsg_type = XFRM_MSG_DELSA;
	assert_int_equal(xfrm_parse_sa(nlh, &info), ERR_MALFORMED);
}

static void
msg_parse_acquire_templates(void **state)
{
	struct xfrm_user_acquire	*ua, acq;
	struct xfrm_user_tmpl		 tmpl[2], out[1];
	struct nlmsghdr			*nlh;
	int				 ntmpl = 1;

	nlh = xfrm_nl_header(msg_buf, XFRM_MSG_ACQUIRE, 0);
	ua = mnl_nlmsg_put_extra_header(nlh, sizeof(*ua));
	ua->policy.dir = XFRM_POLICY_OUT;
	ua->policy.sel.family = AF_INET;
	memset(tmpl, 0, sizeof(tmpl));
	tmpl[0].reqid = 5;
	tmpl[1].reqid = 6;
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(tmpl), tmpl);
	/* Only as many templates as the caller has room for. */
	assert_int_equal(xfrm_parse_acquire(nlh, &acq, out, &ntmpl), 0);
	assert_int_equal(ntmpl, 1);
	assert_int_equal(out[0].reqid, 5);
	assert_int_equal(acq.policy.dir, XFRM_POLICY_OUT);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(msg_sa_gcm_inbound),
		cmocka_unit_test(msg_sa_gcm_icv_lengths),
		cmocka_unit_test(msg_sa_cbc_hmac),
		cmocka_unit_test(msg_sa_encap_lifetime),
		cmocka_unit_test(msg_sa_ipv6_inner_over_ipv4),
		cmocka_unit_test(msg_sa_rejects_unknown),
		cmocka_unit_test(msg_policy_tunnel),
		cmocka_unit_test(msg_policy_actions),
		cmocka_unit_test(msg_selector_round_trip),
		cmocka_unit_test(msg_parse_short_messages),
		cmocka_unit_test(msg_parse_acquire_templates),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
