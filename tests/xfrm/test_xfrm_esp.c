/*
 * The XFRM backend's SA operations on a kernel with ESP: every algorithm
 * of the interface as the kernel shows it, an inbound SA over an SPI
 * reservation, port and address updates, counters, soft and hard expiry
 * callbacks, and the probe.  On a kernel without ESP the program skips.
 * guest_tunnel.sh runs this program in the qemu guest.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <event2/event.h>

#include "kernel/kernel.h"
#include "kernel/xfrm/kernel_xfrm.h"
#include "lib/err.h"
#include "lib/log.h"
#include "xfrm_test.h"

struct esp_ctx {
	struct event_base	*ec_base;
	struct kernel		*ec_kernel;
	struct kernel_expire	 ec_soft;
	struct kernel_expire	 ec_hard;
	int			 ec_softs;
	int			 ec_hards;
};

static const uint8_t	esp_key[64] = {
	0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
	0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76,
	0x77, 0x78, 0x79, 0x7a, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
	0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52,
	0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x30, 0x31, 0x32,
	0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x2b, 0x2f,
};

static void
esp_expire_cb(void *arg, const struct kernel_expire *exp)
{
	struct esp_ctx	*ec = arg;

	if (exp->exp_hard) {
		ec->ec_hard = *exp;
		ec->ec_hards++;
		event_base_loopbreak(ec->ec_base);
	} else {
		ec->ec_soft = *exp;
		ec->ec_softs++;
	}
}

static int
esp_setup(void **state)
{
	static struct esp_ctx		ec;
	struct kernel_callbacks		cb = { .kc_expire = esp_expire_cb };

	memset(&ec, 0, sizeof(ec));
	ec.ec_base = event_base_new();
	assert_non_null(ec.ec_base);
	assert_int_equal(xfrm_test_open(&ec.ec_kernel, ec.ec_base, &cb, &ec),
	    0);
	*state = &ec;
	return (0);
}

static int
esp_teardown(void **state)
{
	struct esp_ctx	*ec = *state;

	kernel_close(ec->ec_kernel);
	event_base_free(ec->ec_base);
	assert_string_equal(xfrm_test_run("ip xfrm state | grep 'spi 0x' | "
	    "grep -v 'spi 0x00000000'"), "");
	return (0);
}

static void
esp_sa(struct kernel_sa *sa, enum kernel_dir dir, uint32_t spi)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = dir;
	xfrm_test_addr(&sa->sa_id.id_src, "198.51.100.2", 0);
	xfrm_test_addr(&sa->sa_id.id_dst, "198.51.100.1", 0);
	sa->sa_id.id_spi = spi;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = KERNEL_MODE_TUNNEL;
	sa->sa_encr = KERNEL_ENCR_AES_CBC;
	sa->sa_encr_key = esp_key;
	sa->sa_encr_keylen = 16;
	sa->sa_auth = KERNEL_AUTH_HMAC_SHA1;
	sa->sa_auth_key = esp_key;
	sa->sa_auth_keylen = 20;
	sa->sa_reqid = 21;
	xfrm_test_addr(&sa->sa_sel.sel_src, "203.0.113.0", 0);
	xfrm_test_addr(&sa->sa_sel.sel_dst, "192.0.2.0", 0);
	sa->sa_sel.sel_src_prefix = 24;
	sa->sa_sel.sel_dst_prefix = 24;
}

/* The `ip xfrm state` block of one SPI. */
static const char *
esp_state_of(uint32_t spi)
{
	char	cmd[256];

	/* A block starts with "src " and ends before the next one. */
	snprintf(cmd, sizeof(cmd), "ip xfrm state | awk '"
	    "/^src / { if (m) print b; b = $0; m = 0; next } "
	    "{ b = b \"\\n\" $0 } / spi 0x%08x / { m = 1 } "
	    "END { if (m) print b }'", spi);
	return (xfrm_test_run(cmd));
}

static void
esp_every_algorithm(void **state)
{
	static const struct {
		uint16_t	 encr;
		size_t		 encr_keylen;
		uint16_t	 auth;
		size_t		 auth_keylen;
		const char	*shown;
	} cases[] = {
		{ KERNEL_ENCR_AES_CBC, 16, KERNEL_AUTH_HMAC_SHA1, 20,
		    "auth-trunc hmac(sha1) 0x6162636465666768696a6b6c6d6e6f70"
		    "71727374 96" },
		{ KERNEL_ENCR_AES_CBC, 24, KERNEL_AUTH_HMAC_SHA2_256, 32,
		    "enc cbc(aes) 0x6162636465666768696a6b6c6d6e6f70717273"
		    "7475767778" },
		{ KERNEL_ENCR_AES_CBC, 32, KERNEL_AUTH_HMAC_SHA2_384, 48,
		    " 192\n" },
		{ KERNEL_ENCR_AES_CBC, 32, KERNEL_AUTH_HMAC_SHA2_512, 64,
		    "auth-trunc hmac(sha512) " },
		{ KERNEL_ENCR_3DES, 24, KERNEL_AUTH_HMAC_MD5, 16,
		    "auth-trunc hmac(md5) 0x6162636465666768696a6b6c6d6e6f70"
		    " 96" },
		{ KERNEL_ENCR_3DES, 24, KERNEL_AUTH_HMAC_SHA2_256, 32,
		    "enc cbc(des3_ede) " },
		{ KERNEL_ENCR_AES_GCM_8, 20, KERNEL_AUTH_NONE, 0,
		    "aead rfc4106(gcm(aes)) 0x6162636465666768696a6b6c6d6e6f"
		    "7071727374 64" },
		{ KERNEL_ENCR_AES_GCM_12, 28, KERNEL_AUTH_NONE, 0,
		    "aead rfc4106(gcm(aes)) 0x6162636465666768696a6b6c6d6e6f"
		    "707172737475767778797a4142 96" },
		{ KERNEL_ENCR_AES_GCM_16, 36, KERNEL_AUTH_NONE, 0,
		    " 128\n" },
		{ KERNEL_ENCR_NULL, 0, KERNEL_AUTH_HMAC_SHA2_256, 32,
		    "enc ecb(cipher_null) " },
	};
	struct esp_ctx		*ec = *state;
	struct kernel_sa	 sa;
	size_t			 i;
	uint32_t		 spi;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spi = 0x51000100 + (uint32_t)i;
		esp_sa(&sa, KERNEL_DIR_OUT, spi);
		sa.sa_encr = cases[i].encr;
		sa.sa_encr_keylen = cases[i].encr_keylen;
		sa.sa_auth = cases[i].auth;
		sa.sa_auth_keylen = cases[i].auth_keylen;
		assert_int_equal(kernel_add_sa(ec->ec_kernel, &sa), 0);
		if (strstr(esp_state_of(spi), cases[i].shown) == NULL)
			fail_msg("SA 0x%08x: \"%s\" not in:\n%s", spi,
			    cases[i].shown, esp_state_of(spi));
		assert_int_equal(kernel_delete_sa(ec->ec_kernel, &sa.sa_id),
		    0);
		assert_string_equal(esp_state_of(spi), "");
	}
}

static void
esp_inbound_over_reservation(void **state)
{
	struct esp_ctx		*ec = *state;
	struct kernel_sa	 sa;
	struct kernel_sa_stats	 st;
	const char		*text;
	char			 want[64];
	uint32_t		 spi;

	esp_sa(&sa, KERNEL_DIR_IN, 0);
	assert_int_equal(kernel_get_spi(ec->ec_kernel,
	    (struct sockaddr *)&sa.sa_id.id_src,
	    (struct sockaddr *)&sa.sa_id.id_dst, KERNEL_PROTO_ESP, 21, &spi),
	    0);
	sa.sa_id.id_spi = spi;
	sa.sa_encap = 1;
	assert_int_equal(kernel_add_sa(ec->ec_kernel, &sa), 0);
	text = esp_state_of(spi);
	/* UPDSA replaced the larval SA: one SA, now with keys. */
	snprintf(want, sizeof(want), "spi 0x%08x ", spi);
	assert_non_null(strstr(text, want));
	assert_null(strstr(strstr(text, want) + 1, want));
	assert_non_null(strstr(text, "mode tunnel"));
	assert_non_null(strstr(text, "enc cbc(aes) "));
	assert_non_null(strstr(text, "encap type espinudp sport 4500 "
	    "dport 4500"));
	assert_non_null(strstr(text, "replay_window 64"));
	assert_non_null(strstr(text, "sel src 203.0.113.0/24 "
	    "dst 192.0.2.0/24"));
	assert_int_equal(kernel_query_sa(ec->ec_kernel, &sa.sa_id, &st), 0);
	assert_true(st.st_packets == 0);
	assert_true(st.st_add_time > 0);
	assert_int_equal(kernel_add_sa(ec->ec_kernel, &sa), ERR_EXISTS);
	assert_int_equal(kernel_delete_sa(ec->ec_kernel, &sa.sa_id), 0);
	assert_int_equal(kernel_query_sa(ec->ec_kernel, &sa.sa_id, &st),
	    ERR_NOTFOUND);
}

static void
esp_update_port_and_address(void **state)
{
	struct esp_ctx		*ec = *state;
	struct kernel_sa	 sa;
	struct kernel_sa_update	 su;
	const char		*text;

	esp_sa(&sa, KERNEL_DIR_IN, 0x51000200);
	sa.sa_encap = 1;
	assert_int_equal(kernel_add_sa(ec->ec_kernel, &sa), 0);

	/* The peer's NAT moved it to port 61000. */
	memset(&su, 0, sizeof(su));
	su.su_id = sa.sa_id;
	xfrm_test_addr(&su.su_new_src, "198.51.100.2", 61000);
	xfrm_test_addr(&su.su_new_dst, "198.51.100.1", 4500);
	su.su_encap = 1;
	assert_int_equal(kernel_update_sa(ec->ec_kernel, &su), 0);
	text = esp_state_of(0x51000200);
	assert_non_null(strstr(text, "encap type espinudp sport 61000 "
	    "dport 4500"));

	/* A new address: the SA is re-added under it, keys and all. */
	su.su_id.id_src = su.su_new_src;
	xfrm_test_addr(&su.su_new_src, "198.51.100.7", 4500);
	assert_int_equal(kernel_update_sa(ec->ec_kernel, &su), 0);
	text = esp_state_of(0x51000200);
	assert_non_null(strstr(text, "src 198.51.100.7 dst 198.51.100.1"));
	assert_non_null(strstr(text, "auth-trunc hmac(sha1) "));
	assert_null(strstr(text, "src 198.51.100.2 "));

	su.su_id.id_spi = 0x51000201;
	assert_int_equal(kernel_update_sa(ec->ec_kernel, &su), ERR_NOTFOUND);
	/* teardown checks that close removes the moved SA */
}

static void
esp_expiry_callbacks(void **state)
{
	struct esp_ctx		*ec = *state;
	struct kernel_sa	 sa;
	struct timeval		 tv = { 10, 0 };

	esp_sa(&sa, KERNEL_DIR_OUT, 0x51000300);
	sa.sa_lifetime.lt_soft_seconds = 1;
	sa.sa_lifetime.lt_hard_seconds = 2;
	assert_int_equal(kernel_add_sa(ec->ec_kernel, &sa), 0);
	event_base_loopexit(ec->ec_base, &tv);
	event_base_dispatch(ec->ec_base);
	assert_int_equal(ec->ec_softs, 1);
	assert_int_equal(ec->ec_hards, 1);
	assert_int_equal(ec->ec_soft.exp_id.id_spi, 0x51000300);
	assert_int_equal(ec->ec_soft.exp_dir, KERNEL_DIR_OUT);
	assert_int_equal(ec->ec_soft.exp_reqid, 21);
	assert_int_equal(ec->ec_soft.exp_reason, KERNEL_EXPIRE_SECONDS);
	assert_int_equal(ec->ec_hard.exp_id.id_spi, 0x51000300);
	assert_int_equal(ec->ec_hard.exp_reason, KERNEL_EXPIRE_SECONDS);
	/* The kernel removed the SA, and the backend forgot it. */
	assert_string_equal(esp_state_of(0x51000300), "");
	assert_int_equal(kernel_delete_sa(ec->ec_kernel, &sa.sa_id),
	    ERR_NOTFOUND);
}

static void
esp_probe_leaves_nothing(void **state)
{
	assert_int_equal(kernel_xfrm_probe(), 1);
	assert_null(strstr(xfrm_test_run("ip xfrm state"), "192.0.2.0"));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(esp_every_algorithm,
		    esp_setup, esp_teardown),
		cmocka_unit_test_setup_teardown(esp_inbound_over_reservation,
		    esp_setup, esp_teardown),
		cmocka_unit_test_setup_teardown(esp_update_port_and_address,
		    esp_setup, esp_teardown),
		cmocka_unit_test_setup_teardown(esp_expiry_callbacks,
		    esp_setup, esp_teardown),
		cmocka_unit_test_setup_teardown(esp_probe_leaves_nothing,
		    esp_setup, esp_teardown),
	};

	log_init("test_xfrm_esp", LOG_DEST_STDERR);
	log_set_debug(D_PFKEY);
	if (!kernel_xfrm_probe()) {
		printf("test_xfrm_esp: skipped: this kernel has no ESP\n");
		return (77);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
