/*
 * Valid ike.config, ike.preshared and ipsecinit.conf inputs: the values
 * the parsers produce, the defaults validation fills in, and the lookups.
 * The example files are read from IKED_SOURCE/tests/config/data.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/addr.h"
#include "config/config.h"
#include "config/diag.h"
#include "config/ipsecalgs.h"
#include "config/parse.h"
#include "lib/err.h"

static void
dump_diag(const struct config_diag *diag)
{
	size_t	i;

	for (i = 0; i < diag->cd_n; i++)
		print_error("%s\n", diag->cd_msgs[i]);
}

/* Parse text as the given kind (0 config, 1 preshared, 2 ipsecinit). */
static struct config *
parse_ok(int kind, const char *text)
{
	struct config_diag	 diag;
	struct config		*cf = config_new();
	size_t			 len = strlen(text);
	int			 rc;

	assert_non_null(cf);
	diag_init(&diag);
	if (kind == 0)
		rc = ikeconf_parse(cf, "t", text, len, &diag);
	else if (kind == 1)
		rc = preshared_parse(cf, "t", text, len, &diag);
	else
		rc = ipsecinit_parse(cf, "t", text, len, &diag);
	if (rc == 0)
		rc = config_validate(cf, &diag);
	dump_diag(&diag);
	assert_int_equal(rc, 0);
	assert_int_equal(diag_count(&diag), 0);
	diag_free(&diag);
	return (cf);
}

static char *
read_example(const char *name)
{
	const char	*src = getenv("IKED_SOURCE");
	char		 path[4096];
	char		*buf = NULL;
	size_t		 len;
	struct config_diag diag;

	if (src == NULL)
		src = ".";
	snprintf(path, sizeof(path), "%s/tests/config/data/%s", src, name);
	diag_init(&diag);
	if (parse_read_file(path, 0, &buf, &len, NULL, &diag) != 0) {
		dump_diag(&diag);
		fail_msg("cannot read %s (set IKED_SOURCE)", path);
	}
	diag_free(&diag);
	return (buf);
}

static struct config_ip
ip(const char *s)
{
	struct config_ip	a;

	assert_int_equal(addr_parse_ip(s, &a), 0);
	return (a);
}

static void
example_config_values(void **state)
{
	char			*text = read_example("example.config");
	struct config		*cf = parse_ok(0, text);
	struct config_globals	*g = &cf->cf_globals;
	struct config_rule	*r;

	assert_int_equal(g->cg_retry_timer_init.val, 500);
	assert_int_equal(g->cg_retry_timer_init.src, CONFIG_SRC_FILE);
	assert_int_equal(g->cg_retry_timer_init.line, 3);
	assert_int_equal(g->cg_retry_timer_max.val, 30000);
	assert_int_equal(g->cg_p2.p2_lifetime_secs.val, 3600);
	assert_int_equal(g->cg_p2.p2_softlife_secs.val, 3240);
	assert_int_equal(g->cg_p2.p2_softlife_secs.src, CONFIG_SRC_DEFAULT);
	assert_int_equal(g->cg_p2.p2_pfs.val, 14);
	assert_int_equal(g->cg_nxforms, 2);
	assert_int_equal(g->cg_xforms[0].px_encr, CONFIG_P1_ENCR_AES);
	assert_int_equal(g->cg_xforms[0].px_klen_min, 128);
	assert_int_equal(g->cg_xforms[0].px_klen_max, 256);
	assert_int_equal(g->cg_xforms[0].px_hash, CONFIG_P1_HASH_SHA256);
	assert_int_equal(g->cg_xforms[1].px_group, 5);
	assert_int_equal(g->cg_xforms[1].px_encr, CONFIG_P1_ENCR_3DES);
	assert_int_equal(g->cg_xforms[1].px_lifetime_secs.val, 28800);
	assert_int_equal(g->cg_xforms[1].px_lifetime_secs.src,
	    CONFIG_SRC_GLOBAL);
	assert_int_equal(cf->cf_nrules, 2);

	r = &cf->cf_rules[0];
	assert_string_equal(r->cr_label, "gw-a to gw-b");
	assert_int_equal(r->cr_cookie, 1);
	assert_true(r->cr_xforms_global);
	assert_int_equal(r->cr_nxforms, 2);
	assert_int_equal(r->cr_local_id_type.val, CONFIG_ID_IP);
	assert_int_equal(r->cr_local_id_type.src, CONFIG_SRC_DEFAULT);
	assert_int_equal(r->cr_p2.p2_pfs.val, 14);
	assert_int_equal(r->cr_p2.p2_pfs.src, CONFIG_SRC_GLOBAL);
	assert_int_equal(r->cr_p2.p2_softlife_secs.val, 3240);

	r = &cf->cf_rules[1];
	assert_string_equal(r->cr_local_id,
	    "C=US, O=Example\\, Inc., CN=gw-a.example.net");
	assert_int_equal(r->cr_nremote_ids, 1);
	assert_false(r->cr_remote_ids[0].is_exclude);
	assert_int_equal(r->cr_local_id_type.val, CONFIG_ID_DER_ASN1_DN);
	assert_int_equal(r->cr_remote.n, 2);
	assert_int_equal(r->cr_remote.ranges[1].kind, CONFIG_RANGE_RANGE);
	assert_int_equal(r->cr_p2.p2_pfs.val, 0);
	assert_int_equal(r->cr_p2.p2_pfs.src, CONFIG_SRC_FILE);
	assert_int_equal(r->cr_p2.p2_lifetime_secs.val, 1800);
	assert_int_equal(r->cr_p2.p2_softlife_secs.val, 1620);
	assert_false(r->cr_xforms_global);
	assert_int_equal(r->cr_xforms[0].px_klen_min, 256);
	assert_int_equal(r->cr_xforms[0].px_lifetime_secs.val, 14400);
	config_free(cf);
	free(text);
}

static void
builtin_defaults(void **state)
{
	struct config		*cf = parse_ok(0, "");
	struct config_globals	*g = &cf->cf_globals;

	assert_int_equal(g->cg_expire_timer.val, 300);
	assert_int_equal(g->cg_expire_timer.src, CONFIG_SRC_DEFAULT);
	assert_int_equal(g->cg_retry_limit.val, 5);
	assert_int_equal(g->cg_max_half_open.val, 1024);
	assert_int_equal(g->cg_max_half_open.src, CONFIG_SRC_DEFAULT);
	assert_int_equal(g->cg_retry_timer_init.val, 500);
	assert_int_equal(g->cg_retry_timer_max.val, 30000);
	assert_int_equal(g->cg_p1_lifetime_secs.val, 28800);
	assert_int_equal(g->cg_min_p1_lifetime.val, 10);
	assert_int_equal(g->cg_p1_nonce_len.val, 20);
	assert_int_equal(g->cg_p2_nonce_len.val, 20);
	assert_int_equal(g->cg_p2.p2_lifetime_secs.val, 28800);
	assert_int_equal(g->cg_p2.p2_softlife_secs.val, 24000);
	assert_int_equal(g->cg_p2.p2_lifetime_kb.val, 0);
	assert_int_equal(g->cg_p2.p2_pfs.val, 0);
	assert_int_equal(g->cg_p2.p2_dpd_interval.val, 30);
	assert_int_equal(g->cg_p2.p2_dpd_retries.val, 5);
	assert_int_equal(g->cg_local_id_type.val, CONFIG_ID_IP);
	assert_string_equal(g->cg_pkcs11_path.val, "libpkcs11.so");
	config_free(cf);
}

static void
lexical_forms(void **state)
{
	static const char	 text[] =
	    "retry_limit 0x3   # hex\n"
	    "max_half_open 64\n"
	    "expire_timer 0454 // octal 300\n"
	    "retry_timer_init 2\n"
	    "retry_timer_max 2.25\n"
	    "p2_lifetime_kb 1000\n"
	    "ignore_crls use_http\n"
	    "cert_root \"CN=Root\"\n"
	    "cert_trust \"!CN=x\"\n"
	    "ldap_server \"ldap1.example.com,ldap2.example.com:636\"\n"
	    "proxy \"http://proxy.example.com:8080\"\n"
	    "p1_xform{auth_method preshared oakley_group 0x13 "
	    "encr_alg aes(256) auth_alg sha}\n"
	    "p1_xform { auth_method preshared oakley_group 2 "
	    "encr_alg blowfish-cdc auth_alg md5 }\n"
	    "p1_xform { auth_method preshared oakley_group 2 "
	    "encr_alg AES ( 128 .. 192 ) auth_alg sha512 }\n"
	    "{ label \"v6\\\"q\"\n"
	    "  local_addr 2001:db8::1\n"
	    "  local_addr 192.0.2.0 / 24\n"
	    "  local_addr 192.0.2.0/255.255.255.128\n"
	    "  remote_addr 2001:db8:1::/48\n"
	    "  remote_addr 2001:db8:2::1 -2001:db8:2::9\n"
	    "  remote_addr 198.51.100.1- 198.51.100.2\n"
	    "  p2_pfs 2 p2_lifetime_kb 500 p2_idletime_secs 60 }\n";
	struct config		*cf = parse_ok(0, text);
	struct config_globals	*g = &cf->cf_globals;
	struct config_rule	*r = &cf->cf_rules[0];

	assert_int_equal(g->cg_retry_limit.val, 3);
	assert_int_equal(g->cg_max_half_open.val, 64);
	assert_int_equal(g->cg_expire_timer.val, 300);
	assert_int_equal(g->cg_retry_timer_init.val, 2000);
	assert_int_equal(g->cg_retry_timer_max.val, 2250);
	assert_int_equal(g->cg_ignore_crls.val, 1);
	assert_int_equal(g->cg_use_http.val, 1);
	assert_int_equal(g->cg_p2.p2_softlife_kb.val, 900);
	assert_int_equal(g->cg_ldap_server.n, 2);
	assert_string_equal(g->cg_ldap_server.items[1],
	    "ldap2.example.com:636");
	assert_string_equal(g->cg_cert_trust.items[0], "!CN=x");
	assert_int_equal(g->cg_xforms[0].px_group, 19);
	assert_int_equal(g->cg_xforms[0].px_klen_min, 256);
	assert_int_equal(g->cg_xforms[0].px_klen_max, 256);
	assert_int_equal(g->cg_xforms[0].px_hash, CONFIG_P1_HASH_SHA1);
	assert_int_equal(g->cg_xforms[1].px_encr, CONFIG_P1_ENCR_BLOWFISH);
	assert_int_equal(g->cg_xforms[2].px_klen_max, 192);
	assert_string_equal(r->cr_label, "v6\"q");
	assert_int_equal(r->cr_local.n, 3);
	assert_int_equal(r->cr_local.ranges[1].kind, CONFIG_RANGE_PREFIX);
	assert_int_equal(r->cr_local.ranges[1].plen, 24);
	assert_int_equal(r->cr_local.ranges[2].plen, 25);
	assert_int_equal(r->cr_remote.n, 3);
	assert_int_equal(r->cr_remote.ranges[0].plen, 48);
	assert_int_equal(r->cr_remote.ranges[1].kind, CONFIG_RANGE_RANGE);
	assert_int_equal(r->cr_remote.ranges[2].kind, CONFIG_RANGE_RANGE);
	assert_int_equal(r->cr_p2.p2_lifetime_kb.val, 500);
	assert_int_equal(r->cr_p2.p2_softlife_kb.val, 450);
	assert_int_equal(r->cr_p2.p2_idletime_secs.val, 60);
	assert_int_equal(r->cr_p2.p2_lifetime_secs.val, 28800);
	assert_int_equal(r->cr_p2.p2_lifetime_secs.src, CONFIG_SRC_DEFAULT);
	config_free(cf);
}

static void
certificate_selectors(void **state)
{
	static const char	 text[] =
	    "{ label \"c\" local_addr 192.0.2.1 remote_addr 0.0.0.0/0\n"
	    "  local_id_type fqdn local_id \"gw.example.net\"\n"
	    "  remote_id \"ISSUER=CN=CA\" remote_id \"!CN=revoked\"\n"
	    "  remote_id \"\"\n"
	    "  p1_xform { auth_method dss_sig oakley_group 2 encr_alg des "
	    "auth_alg sha1 }\n"
	    "  p1_xform { auth_method rsa_sig oakley_group 14 "
	    "encr_alg 3des-cbc auth_alg sha384 }\n"
	    "}\n";
	struct config		*cf = parse_ok(0, text);
	struct config_rule	*r = &cf->cf_rules[0];

	assert_int_equal(r->cr_local_id_type.val, CONFIG_ID_FQDN);
	assert_int_equal(r->cr_nremote_ids, 3);
	assert_string_equal(r->cr_remote_ids[1].is_sel, "CN=revoked");
	assert_true(r->cr_remote_ids[1].is_exclude);
	assert_string_equal(r->cr_remote_ids[2].is_sel, "");
	assert_int_equal(r->cr_xforms[0].px_auth_method, CONFIG_AUTH_DSS_SIG);
	assert_int_equal(r->cr_xforms[0].px_klen_min, 0);
	assert_int_equal(r->cr_xforms[1].px_auth_method,
	    CONFIG_AUTH_RSA_SIG);
	config_free(cf);
}

static void
example_preshared_values(void **state)
{
	static const uint8_t	 key0[] = {
		0x9f, 0x2c, 0x4e, 0x6a, 0x81, 0xb3, 0xd5, 0xf7,
		0x0a, 0x1c, 0x3e, 0x5b, 0x7d, 0x9f, 0x1a, 0x2b,
	};
	char			*text = read_example("example.preshared");
	struct config		*cf = parse_ok(1, text);
	struct config_psk	*p;

	assert_int_equal(cf->cf_npsks, 2);
	p = &cf->cf_psks[0];
	assert_int_equal(p->ps_where.cw_line, 2);
	assert_int_equal(p->ps_local.pi_type, CONFIG_ID_IP);
	assert_int_equal(p->ps_ike_mode.val, CONFIG_IKE_MODE_MAIN);
	assert_true(p->ps_key.wb_secret);
	assert_int_equal(p->ps_key.wb_len, sizeof(key0));
	assert_memory_equal(p->ps_key.wb_data, key0, sizeof(key0));
	p = &cf->cf_psks[1];
	assert_int_equal(p->ps_remote.pi_range.kind, CONFIG_RANGE_PREFIX);
	assert_int_equal(p->ps_remote.pi_range.plen, 24);
	assert_int_equal(p->ps_key.wb_len, 30);
	assert_memory_equal(p->ps_key.wb_data,
	    "correct horse # battery staple", 30);
	config_free(cf);
	free(text);
}

static void
preshared_forms(void **state)
{
	static const char	 text[] =
	    "#comment\n"
	    "{ localidtype FQDN localid gw.example.net\n"
	    "  remoteidtype user_fqdn remoteid \"ops@example.net\"\n"
	    "  ike_mode both key 0xA0b1 }\n"
	    "{ localidtype ipv4_range localid 192.0.2.1 - 192.0.2.9\n"
	    "  remoteidtype ipv6_prefix remoteid 2001:db8::/32\n"
	    "  key \"q\\\"b\\\\s\\n\" }\n"
	    "{ localidtype DN localid \"CN=a, O=b\" remoteidtype prefix\n"
	    "  remoteid 198.51.100.0/24 ike_mode aggressive key 00 }\n"
	    "{ localidtype keyid localid k1 remoteidtype ipv6\n"
	    "  remoteid 2001:db8::2 key 01 }\n";
	struct config		*cf = parse_ok(1, text);
	struct config_psk	*p = cf->cf_psks;

	assert_int_equal(cf->cf_npsks, 4);
	assert_int_equal(p[0].ps_local.pi_type, CONFIG_ID_FQDN);
	assert_string_equal(p[0].ps_local.pi_name, "gw.example.net");
	assert_int_equal(p[0].ps_remote.pi_type, CONFIG_ID_USER_FQDN);
	assert_int_equal(p[0].ps_ike_mode.val, CONFIG_IKE_MODE_BOTH);
	assert_int_equal(p[0].ps_key.wb_len, 2);
	assert_int_equal(p[0].ps_key.wb_data[0], 0xa0);
	assert_int_equal(p[1].ps_local.pi_type, CONFIG_ID_IPV4_RANGE);
	assert_int_equal(p[1].ps_remote.pi_type, CONFIG_ID_IPV6_SUBNET);
	/* Only \" and \\ are escapes; other backslashes stay. */
	assert_int_equal(p[1].ps_key.wb_len, 7);
	assert_memory_equal(p[1].ps_key.wb_data, "q\"b\\s\\n", 7);
	assert_int_equal(p[2].ps_local.pi_type, CONFIG_ID_DER_ASN1_DN);
	assert_string_equal(p[2].ps_local.pi_name, "CN=a, O=b");
	assert_int_equal(p[2].ps_remote.pi_type, CONFIG_ID_IPV4_SUBNET);
	assert_int_equal(p[2].ps_ike_mode.val, CONFIG_IKE_MODE_AGGRESSIVE);
	assert_int_equal(p[3].ps_local.pi_type, CONFIG_ID_KEY_ID);
	assert_int_equal(p[3].ps_remote.pi_type, CONFIG_ID_IPV6_ADDR);
	config_free(cf);
}

/*
 * Read 300 entries (about 30 KB) through a pipe: the size is unknown
 * then, so the reader grows its buffer several times from 4 KB.
 */
static void
preshared_read_through_pipe(void **state)
{
	struct config_diag	 diag;
	struct config		*cf = config_new();
	char			 entry[160];
	int			 fds[2], i, len;

	assert_non_null(cf);
	assert_int_equal(pipe(fds), 0);
	for (i = 0; i < 300; i++) {
		len = snprintf(entry, sizeof(entry), "{ localidtype IP "
		    "localid 192.0.2.1 remoteidtype IP remoteid 198.18.%d.%d "
		    "key \"key-number-%03d-padding-padding\" }\n",
		    i / 256, i % 256, i);
		assert_int_equal(write(fds[1], entry, (size_t)len), len);
	}
	close(fds[1]);
	diag_init(&diag);
	assert_int_equal(config_read_fd(cf, CONFIG_FILE_PRESHARED, fds[0],
	    "pipe", &diag), 0);
	close(fds[0]);
	dump_diag(&diag);
	assert_int_equal(diag_count(&diag), 0);
	assert_int_equal(cf->cf_npsks, 300);
	assert_int_equal(cf->cf_psks[299].ps_key.wb_len, 30);
	assert_memory_equal(cf->cf_psks[299].ps_key.wb_data,
	    "key-number-299-padding-padding", 30);
	diag_free(&diag);
	config_free(cf);
}

/*
 * The daemon reads files that ikeadm sends in its event loop: a pipe still
 * open for writing, or a device, must fail at once instead of blocking.
 */
static void
read_fd_never_blocks(void **state)
{
	static const char	 entry[] = "{ localidtype IP localid 192.0.2.1 "
	    "remoteidtype IP remoteid 198.51.100.2 key \"k-0123456789\" }\n";
	struct config_diag	 diag;
	struct config		*cf = config_new();
	int			 fds[2], fd;

	assert_non_null(cf);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], entry, sizeof(entry) - 1),
	    (ssize_t)(sizeof(entry) - 1));
	/* SIGALRM ends the test if the read blocks on the open pipe. */
	alarm(20);
	diag_init(&diag);
	assert_int_equal(config_read_fd(cf, CONFIG_FILE_PRESHARED, fds[0],
	    "open pipe", &diag), ERR_CONFIG);
	assert_int_equal(diag_count(&diag), 1);
	assert_non_null(strstr(diag.cd_msgs[0], "open pipe: pipe has no more "
	    "data but is still open for writing"));
	diag_free(&diag);
	close(fds[0]);
	close(fds[1]);

	fd = open("/dev/zero", O_RDONLY);
	assert_true(fd >= 0);
	diag_init(&diag);
	assert_int_equal(config_read_fd(cf, CONFIG_FILE_PRESHARED, fd,
	    "/dev/zero", &diag), ERR_CONFIG);
	alarm(0);
	assert_int_equal(diag_count(&diag), 1);
	assert_non_null(strstr(diag.cd_msgs[0], "not a regular file"));
	diag_free(&diag);
	close(fd);
	assert_int_equal(cf->cf_npsks, 0);
	config_free(cf);
}

static void
example_policy_values(void **state)
{
	char			*text = read_example("example.ipsecinit");
	struct config		*cf = parse_ok(2, text);
	struct config_spd	*s = cf->cf_spds;

	assert_int_equal(cf->cf_nspds, 7);
	/*
	 * Pass and bypass entries come first, in file order.  The ESP
	 * entries of lines 12 and 14 then move ahead of the older AH entry
	 * of line 10.
	 */
	assert_int_equal(s[0].sd_alts[0].sp_action, CONFIG_SPD_PASS);
	assert_int_equal(s[0].sd_ulp.sn_lo, IPPROTO_ICMPV6);
	assert_int_equal(s[0].sd_icmp_type.sn_lo, 133);
	assert_int_equal(s[0].sd_icmp_type.sn_hi, 137);
	assert_int_equal(s[1].sd_lport.sn_lo, 53);
	assert_int_equal(s[2].sd_rport.sn_lo, 53);
	assert_int_equal(s[3].sd_alts[0].sp_esp_encr.sa_id,
	    IPSECALGS_ENCR_AES);
	assert_int_equal(s[3].sd_alts[0].sp_esp_encr.sa_klen_min, 128);
	assert_int_equal(s[3].sd_alts[0].sp_esp_encr.sa_klen_max, 256);
	assert_int_equal(s[3].sd_alts[0].sp_esp_auth.sa_id,
	    IPSECALGS_AUTH_HMAC_SHA256);
	assert_int_equal(s[4].sd_nalts, 2);
	assert_int_equal(s[4].sd_alts[1].sp_esp_encr.sa_id,
	    IPSECALGS_ENCR_3DES);
	assert_int_equal(s[4].sd_alts[1].sp_esp_auth.sa_id,
	    IPSECALGS_AUTH_HMAC_MD5);
	assert_true(s[5].sd_tunnel);
	assert_int_equal(s[5].sd_negotiate, CONFIG_NEGOTIATE_TUNNEL);
	assert_int_equal(s[5].sd_alts[0].sp_esp_encr.sa_klen_min, 256);
	assert_int_equal(s[5].sd_alts[0].sp_esp_encr.sa_klen_max, 256);
	/* Old style: dport of an inbound (permit) entry is the local port. */
	assert_int_equal(s[6].sd_alts[0].sp_action, CONFIG_SPD_PERMIT);
	assert_true(s[6].sd_lport.sn_set);
	assert_int_equal(s[6].sd_lport.sn_lo, 23);
	assert_int_equal(s[6].sd_alts[0].sp_ah_auth.sa_id,
	    IPSECALGS_AUTH_HMAC_SHA1);
	config_free(cf);
	free(text);
}

static void
policy_forms(void **state)
{
	static const char	 text[] =
	    "{ saddr 192.0.2.7 smask 255.255.255.0 sport 1000 dport www } "
	    "apply { encr_algs aes-gcm(128..) auth_algs any }\n"
	    "{ src 192.0.2.8 dst 198.51.100.0/24 ulp tcp } permit "
	    "{ encr_auth_algs hmac-sha512 sa unique }\n"
	    "{ ulp icmp type echo-reply-echo code 0-3 } drop { }\n"
	    "{ raddr localhost dir out } ipsec { encr_algs 12 (..192) }\n"
	    "{ tsrc 198.51.100.1 tdst 198.51.100.10 - 198.51.100.20 } ipsec "
	    "{ encr_algs aes-ccm12 }\n"
	    "{ laddr 2001:db8::/64 negotiate transport } ipsec "
	    "{ encr_algs null encr_auth_algs sha1 }\n"
	    "{ ulp ipv6-icmp type neigh-sol6 } bypass { dir in }\n";
	struct config		*cf = parse_ok(2, text);
	struct config_spd	*s = cf->cf_spds;
	struct config_ip	 lo;

	assert_int_equal(cf->cf_nspds, 7);
	/* The bypass entry moved to the front. */
	assert_int_equal(s[0].sd_alts[0].sp_action, CONFIG_SPD_BYPASS);
	assert_int_equal(s[0].sd_alts[0].sp_dir, CONFIG_DIR_IN);
	/* apply: the source is local; smask makes a /24. */
	assert_true(s[1].sd_laddr_set);
	assert_int_equal(s[1].sd_laddr.plen, 24);
	lo = ip("192.0.2.0");
	assert_int_equal(config_ip_cmp(&s[1].sd_laddr.lo, &lo), 0);
	assert_int_equal(s[1].sd_lport.sn_lo, 1000);
	assert_int_equal(s[1].sd_rport.sn_lo, 80);
	assert_int_equal(s[1].sd_alts[0].sp_esp_encr.sa_id,
	    IPSECALGS_ENCR_AES_GCM16);
	assert_int_equal(s[1].sd_alts[0].sp_esp_encr.sa_klen_min, 128);
	assert_int_equal(s[1].sd_alts[0].sp_esp_encr.sa_klen_max, 256);
	assert_int_equal(s[1].sd_alts[0].sp_ah_auth.sa_id, IPSECALGS_ANY);
	/* permit: the source is remote. */
	assert_true(s[2].sd_raddr_set);
	assert_int_equal(s[2].sd_raddr.kind, CONFIG_RANGE_SINGLE);
	assert_int_equal(s[2].sd_laddr.plen, 24);
	assert_int_equal(s[2].sd_ulp.sn_lo, IPPROTO_TCP);
	assert_true(s[2].sd_alts[0].sp_sa_unique);
	/* encr_auth_algs alone is ESP with null encryption. */
	assert_int_equal(s[2].sd_alts[0].sp_esp_encr.sa_id,
	    IPSECALGS_ENCR_NULL);
	assert_int_equal(s[3].sd_icmp_code.sn_hi, 3);
	/* "localhost" comes from /etc/hosts. */
	assert_true(s[4].sd_raddr_set);
	assert_int_equal(s[4].sd_alts[0].sp_esp_encr.sa_klen_max, 192);
	assert_int_equal(s[5].sd_tdst.kind, CONFIG_RANGE_RANGE);
	assert_int_equal(s[6].sd_negotiate, CONFIG_NEGOTIATE_TRANSPORT);
	config_free(cf);
}

/*
 * Match order of ipsecinit.conf entries: the text of each case, and the
 * file lines of its entries in the order expected.  AH is "auth_algs",
 * ESP "encr_algs" or "encr_auth_algs".
 */
static const struct {
	const char	*name;
	const char	*text;
	unsigned int	 lines[8];	/* 0 ends the list */
} policy_order_cases[] = {
	{ "ties keep file order",
	  "{ raddr 192.0.2.1 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.2 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.3 } ipsec { encr_algs 3des }\n",
	  { 1, 2, 3 } },
	{ "AH+ESP before ESP before AH",
	  "{ raddr 192.0.2.1 } ipsec { auth_algs sha1 }\n"
	  "{ raddr 192.0.2.2 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.3 } ipsec { auth_algs sha1 encr_algs aes }\n",
	  { 3, 2, 1 } },
	{ "stronger stays ahead of weaker later",
	  "{ raddr 192.0.2.1 } ipsec { auth_algs sha1 encr_algs aes }\n"
	  "{ raddr 192.0.2.2 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.3 } ipsec { auth_algs sha1 }\n",
	  { 1, 2, 3 } },
	{ "stronger moves ahead of weaker only",
	  "{ raddr 192.0.2.1 } ipsec { auth_algs sha1 }\n"
	  "{ raddr 192.0.2.2 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.3 } ipsec { auth_algs md5 }\n"
	  "{ raddr 192.0.2.4 } ipsec { encr_auth_algs sha1 }\n",
	  { 2, 4, 1, 3 } },
	{ "not ahead of bypass",
	  "{ raddr 192.0.2.1 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.2 } bypass { }\n"
	  "{ raddr 192.0.2.3 } ipsec { auth_algs sha1 encr_algs aes }\n"
	  "{ raddr 192.0.2.4 } pass { dir out }\n",
	  { 2, 4, 3, 1 } },
	{ "or counts its weakest alternative",
	  "{ raddr 192.0.2.1 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.2 } ipsec { auth_algs sha1 encr_algs aes } "
	  "or ipsec { auth_algs sha1 }\n"
	  "{ raddr 192.0.2.3 } ipsec { auth_algs md5 }\n"
	  "{ raddr 192.0.2.4 } ipsec { encr_algs aes } "
	  "or ipsec { auth_algs sha1 encr_algs aes }\n",
	  { 1, 4, 2, 3 } },
	{ "old-style apply and permit",
	  "{ daddr 192.0.2.1 } permit { auth_algs sha1 }\n"
	  "{ daddr 192.0.2.2 } apply { encr_algs aes }\n",
	  { 2, 1 } },
	{ "nothing moves across drop",
	  "{ raddr 192.0.2.1 } ipsec { auth_algs sha1 }\n"
	  "{ raddr 192.0.2.2 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.0/24 } drop { }\n"
	  "{ raddr 192.0.2.4 } ipsec { encr_algs aes }\n"
	  "{ raddr 192.0.2.5 } ipsec { auth_algs sha1 encr_algs aes }\n"
	  "{ } drop { }\n",
	  { 2, 1, 3, 5, 4, 6 } },
};

static void
policy_match_order(void **state)
{
	struct config	*cf;
	size_t		 i, k, n;

	for (i = 0; i < sizeof(policy_order_cases) /
	    sizeof(policy_order_cases[0]); i++) {
		print_message("case: %s\n", policy_order_cases[i].name);
		cf = parse_ok(2, policy_order_cases[i].text);
		for (n = 0; policy_order_cases[i].lines[n] != 0; n++)
			;
		assert_int_equal(cf->cf_nspds, n);
		for (k = 0; k < n; k++)
			assert_int_equal(cf->cf_spds[k].sd_where.cw_line,
			    policy_order_cases[i].lines[k]);
		config_free(cf);
	}
}

/* A stronger later entry matches before an older, wider, weaker one. */
static void
policy_order_lookup(void **state)
{
	struct config			*cf;
	const struct config_spd		*s;
	struct config_selector		 sel;

	cf = parse_ok(2, "{ raddr 192.0.2.0/24 } ipsec { auth_algs sha1 }\n"
	    "{ raddr 192.0.2.7 } ipsec { encr_algs aes }\n");
	memset(&sel, 0, sizeof(sel));
	sel.cs_local = ip("198.51.100.1");
	sel.cs_remote = ip("192.0.2.7");
	sel.cs_proto = IPPROTO_TCP;
	sel.cs_dir = CONFIG_DIR_OUT;
	s = config_spd_find(cf, &sel);
	assert_non_null(s);
	assert_int_equal(s->sd_where.cw_line, 2);
	sel.cs_remote = ip("192.0.2.8");
	s = config_spd_find(cf, &sel);
	assert_non_null(s);
	assert_int_equal(s->sd_where.cw_line, 1);
	config_free(cf);
}

/* Network names come from /etc/networks, with the classful prefix. */
static void
policy_network_names(void **state)
{
	struct config		*cf;
	struct config_ip	 lo, hi;

	if (getnetbyname("loopback") == NULL)
		skip();
	cf = parse_ok(2, "{ raddr loopback } bypass { }\n"
	    "{ laddr loopback/16 } bypass { }\n");
	lo = ip("127.0.0.0");
	hi = ip("127.255.255.255");
	assert_int_equal(cf->cf_nspds, 2);
	assert_int_equal(cf->cf_spds[0].sd_raddr.plen, 8);
	assert_int_equal(config_ip_cmp(&cf->cf_spds[0].sd_raddr.lo, &lo), 0);
	assert_int_equal(config_ip_cmp(&cf->cf_spds[0].sd_raddr.hi, &hi), 0);
	assert_int_equal(cf->cf_spds[1].sd_laddr.plen, 16);
	config_free(cf);
}

static void
rule_and_psk_lookup(void **state)
{
	static const char	 conf[] =
	    "p1_xform { auth_method preshared oakley_group 14 encr_alg aes "
	    "auth_alg sha256 }\n"
	    "{ label \"one\" local_addr 192.0.2.1 remote_addr 198.51.100.0/24 }"
	    "\n{ label \"v6\" local_addr 2001:db8::1 remote_addr "
	    "2001:db8:1::1-2001:db8:1::ff }\n";
	static const char	 psk[] =
	    "{ localid 192.0.2.0/24 remoteid 198.51.100.0/24 key 01 }\n"
	    "{ localid 192.0.2.1 remoteid 198.51.100.7 key 02 }\n"
	    "{ localidtype fqdn localid a.example remoteidtype fqdn "
	    "remoteid B.Example key 03 }\n";
	struct config_diag		 diag;
	struct config			*cf = parse_ok(0, conf);
	const struct config_psk		*p;
	struct config_psk_id		 id;
	struct config_ip		 l, r;

	diag_init(&diag);
	assert_int_equal(preshared_parse(cf, "p", psk, strlen(psk), &diag),
	    0);
	diag_free(&diag);

	l = ip("192.0.2.1");
	r = ip("198.51.100.9");
	assert_string_equal(config_rule_find(cf, &l, &r)->cr_label, "one");
	assert_null(config_rule_find(cf, &r, &l));
	l = ip("2001:db8::1");
	r = ip("2001:db8:1::80");
	assert_string_equal(config_rule_find(cf, &l, &r)->cr_label, "v6");
	r = ip("2001:db8:1::100");
	assert_null(config_rule_find(cf, &l, &r));
	assert_non_null(config_rule_find_label(cf, "v6"));
	assert_null(config_rule_find_label(cf, "none"));

	/* An entry for the single address wins over a prefix. */
	l = ip("192.0.2.1");
	r = ip("198.51.100.7");
	p = config_psk_find_addr(cf, &l, &r);
	assert_non_null(p);
	assert_int_equal(p->ps_key.wb_data[0], 2);
	r = ip("198.51.100.8");
	p = config_psk_find_addr(cf, &l, &r);
	assert_int_equal(p->ps_key.wb_data[0], 1);
	r = ip("203.0.113.1");
	assert_null(config_psk_find_addr(cf, &l, &r));

	memset(&id, 0, sizeof(id));
	id.pi_type = CONFIG_ID_FQDN;
	id.pi_name = "b.example";
	p = config_psk_find_id(cf, NULL, &id);
	assert_non_null(p);
	assert_int_equal(p->ps_key.wb_data[0], 3);
	id.pi_name = "c.example";
	assert_null(config_psk_find_id(cf, NULL, &id));
	config_free(cf);
}

static void
policy_lookup(void **state)
{
	char				*text = read_example("example.ipsecinit");
	struct config			*cf = parse_ok(2, text);
	const struct config_spd		*s;
	struct config_selector		 sel;
	struct config_ip		 l, r;

	memset(&sel, 0, sizeof(sel));
	sel.cs_local = ip("192.0.2.10");
	sel.cs_remote = ip("198.51.100.20");
	sel.cs_proto = IPPROTO_UDP;
	sel.cs_lport = 40000;
	sel.cs_rport = 53;
	sel.cs_dir = CONFIG_DIR_OUT;
	s = config_spd_find(cf, &sel);
	assert_non_null(s);
	assert_int_equal(s->sd_alts[0].sp_action, CONFIG_SPD_BYPASS);
	/* A bypass entry without dir applies to both directions. */
	sel.cs_dir = CONFIG_DIR_IN;
	s = config_spd_find(cf, &sel);
	assert_non_null(s);
	assert_int_equal(s->sd_alts[0].sp_action, CONFIG_SPD_BYPASS);
	sel.cs_dir = CONFIG_DIR_OUT;

	sel.cs_rport = 443;
	sel.cs_proto = IPPROTO_TCP;
	s = config_spd_find(cf, &sel);
	assert_non_null(s);
	assert_int_equal(s->sd_alts[0].sp_action, CONFIG_SPD_IPSEC);
	assert_int_equal(s->sd_where.cw_line, 7);

	/* permit applies inbound only. */
	sel.cs_local = ip("192.0.2.99");
	sel.cs_remote = ip("192.0.2.98");
	sel.cs_lport = 23;
	sel.cs_dir = CONFIG_DIR_OUT;
	assert_null(config_spd_find(cf, &sel));
	sel.cs_dir = CONFIG_DIR_IN;
	s = config_spd_find(cf, &sel);
	assert_non_null(s);
	assert_int_equal(s->sd_alts[0].sp_action, CONFIG_SPD_PERMIT);

	sel.cs_proto = IPPROTO_ICMPV6;
	sel.cs_lport = 135;
	sel.cs_rport = 0;
	s = config_spd_find(cf, &sel);
	assert_non_null(s);
	assert_int_equal(s->sd_alts[0].sp_action, CONFIG_SPD_PASS);

	/* Peers: the tunnel entry by its endpoints, transport by address. */
	l = ip("198.51.100.1");
	r = ip("198.51.100.2");
	s = config_spd_next_for_peer(cf, &l, &r, NULL);
	assert_non_null(s);
	assert_true(s->sd_tunnel);
	/*
	 * The old-style permit entry has no addresses, so it serves any
	 * peer.  It comes last because AH is weaker than ESP.
	 */
	s = config_spd_next_for_peer(cf, &l, &r, s);
	assert_non_null(s);
	assert_int_equal(s->sd_alts[0].sp_action, CONFIG_SPD_PERMIT);
	assert_null(config_spd_next_for_peer(cf, &l, &r, s));
	config_free(cf);
	free(text);
}

/* Write cf in the given format and parse the text again. */
static struct config *
round_trip(const struct config *cf, int kind)
{
	struct config	*again;
	char		*text = NULL;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&text, &len);

	assert_non_null(fp);
	if (kind == CONFIG_FILE_IKE)
		assert_int_equal(config_write_rules(fp, cf), 0);
	else
		assert_int_equal(config_write_preshared(fp, cf), 0);
	assert_int_equal(fclose(fp), 0);
	again = parse_ok(kind == CONFIG_FILE_IKE ? 0 : 1, text);
	free(text);
	return (again);
}

static void
assert_u32_same(const struct config_u32 *a, const struct config_u32 *b)
{
	assert_int_equal(a->val, b->val);
	assert_int_equal(a->src, b->src);
}

static void
assert_p2_same(const struct config_p2 *a, const struct config_p2 *b)
{
	assert_u32_same(&a->p2_pfs, &b->p2_pfs);
	assert_u32_same(&a->p2_lifetime_secs, &b->p2_lifetime_secs);
	assert_u32_same(&a->p2_softlife_secs, &b->p2_softlife_secs);
	assert_u32_same(&a->p2_idletime_secs, &b->p2_idletime_secs);
	assert_u32_same(&a->p2_lifetime_kb, &b->p2_lifetime_kb);
	assert_u32_same(&a->p2_softlife_kb, &b->p2_softlife_kb);
}

static void
assert_xforms_same(const struct config_p1_xform *a,
    const struct config_p1_xform *b, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		assert_int_equal(a[i].px_auth_method, b[i].px_auth_method);
		assert_int_equal(a[i].px_group, b[i].px_group);
		assert_int_equal(a[i].px_encr, b[i].px_encr);
		assert_int_equal(a[i].px_klen_min, b[i].px_klen_min);
		assert_int_equal(a[i].px_klen_max, b[i].px_klen_max);
		assert_int_equal(a[i].px_hash, b[i].px_hash);
		assert_u32_same(&a[i].px_lifetime_secs, &b[i].px_lifetime_secs);
	}
}

static void
assert_rules_same(const struct config_rule *a, const struct config_rule *b)
{
	size_t	i;

	assert_string_equal(a->cr_label, b->cr_label);
	assert_int_equal(a->cr_local.n, b->cr_local.n);
	assert_memory_equal(a->cr_local.ranges, b->cr_local.ranges,
	    a->cr_local.n * sizeof(*a->cr_local.ranges));
	assert_int_equal(a->cr_remote.n, b->cr_remote.n);
	assert_memory_equal(a->cr_remote.ranges, b->cr_remote.ranges,
	    a->cr_remote.n * sizeof(*a->cr_remote.ranges));
	assert_u32_same(&a->cr_local_id_type, &b->cr_local_id_type);
	if (a->cr_local_id != NULL)
		assert_string_equal(a->cr_local_id, b->cr_local_id);
	else
		assert_null(b->cr_local_id);
	assert_int_equal(a->cr_nremote_ids, b->cr_nremote_ids);
	for (i = 0; i < a->cr_nremote_ids; i++) {
		assert_string_equal(a->cr_remote_ids[i].is_sel,
		    b->cr_remote_ids[i].is_sel);
		assert_int_equal(a->cr_remote_ids[i].is_exclude,
		    b->cr_remote_ids[i].is_exclude);
	}
	assert_p2_same(&a->cr_p2, &b->cr_p2);
	assert_int_equal(a->cr_xforms_global, b->cr_xforms_global);
	assert_int_equal(a->cr_nxforms, b->cr_nxforms);
	assert_xforms_same(a->cr_xforms, b->cr_xforms, a->cr_nxforms);
}

static void
rules_write_round_trip(void **state)
{
	static const char	 extra[] =
	    "cert_root \"CN=Root \\\"A\\\"\"\nignore_crls\n"
	    "ldap_server \"l1,l2:636\"\nproxy \"http://p\"\n"
	    "socks \"socks://relay\"\nlocal_id_type fqdn\n"
	    "{ label \"c\" local_addr 2001:db8::/64 remote_addr ::/0\n"
	    "  local_id_type dn local_id \"CN=a\\\\, b\"\n"
	    "  remote_id \"!CN=x\" remote_id \"\"\n"
	    "  p2_softlife_secs 100 p2_lifetime_kb 9 p2_idletime_secs 5\n"
	    "  dpd_interval 0 dpd_retries 3\n"
	    "  p1_xform { auth_method rsa_sig oakley_group 21 encr_alg des "
	    "auth_alg sha512 p1_lifetime_secs 999 } }\n";
	char			*text = read_example("example.config");
	char			*both;
	struct config		*cf, *again;
	size_t			 i;

	assert_true(asprintf(&both, "%s%s", text, extra) > 0);
	cf = parse_ok(0, both);
	again = round_trip(cf, CONFIG_FILE_IKE);
	assert_int_equal(again->cf_nrules, cf->cf_nrules);
	for (i = 0; i < cf->cf_nrules; i++)
		assert_rules_same(&cf->cf_rules[i], &again->cf_rules[i]);
	assert_int_equal(again->cf_globals.cg_nxforms,
	    cf->cf_globals.cg_nxforms);
	assert_xforms_same(cf->cf_globals.cg_xforms,
	    again->cf_globals.cg_xforms, cf->cf_globals.cg_nxforms);
	assert_p2_same(&cf->cf_globals.cg_p2, &again->cf_globals.cg_p2);
	assert_u32_same(&cf->cf_globals.cg_retry_timer_init,
	    &again->cf_globals.cg_retry_timer_init);
	assert_u32_same(&cf->cf_globals.cg_ignore_crls,
	    &again->cf_globals.cg_ignore_crls);
	assert_u32_same(&cf->cf_globals.cg_local_id_type,
	    &again->cf_globals.cg_local_id_type);
	assert_string_equal(again->cf_globals.cg_cert_root.items[0],
	    "CN=Root \"A\"");
	assert_int_equal(again->cf_globals.cg_ldap_server.n, 2);
	assert_string_equal(again->cf_globals.cg_proxy.val, "http://p");
	config_free(again);
	config_free(cf);
	free(both);
	free(text);
}

static void
preshared_write_round_trip(void **state)
{
	char			*text = read_example("example.preshared");
	struct config		*cf, *again;
	size_t			 i;

	cf = parse_ok(1, text);
	again = round_trip(cf, CONFIG_FILE_PRESHARED);
	assert_int_equal(again->cf_npsks, cf->cf_npsks);
	for (i = 0; i < cf->cf_npsks; i++) {
		assert_int_equal(again->cf_psks[i].ps_local.pi_type,
		    cf->cf_psks[i].ps_local.pi_type);
		assert_memory_equal(&again->cf_psks[i].ps_remote.pi_range,
		    &cf->cf_psks[i].ps_remote.pi_range,
		    sizeof(struct config_range));
		assert_int_equal(again->cf_psks[i].ps_ike_mode.val,
		    cf->cf_psks[i].ps_ike_mode.val);
		assert_int_equal(again->cf_psks[i].ps_key.wb_len,
		    cf->cf_psks[i].ps_key.wb_len);
		assert_memory_equal(again->cf_psks[i].ps_key.wb_data,
		    cf->cf_psks[i].ps_key.wb_data,
		    cf->cf_psks[i].ps_key.wb_len);
	}
	config_free(again);
	config_free(cf);
	free(text);
}

static void
ipsecalgs_table(void **state)
{
	const struct ipsecalgs_alg	*a;

	a = ipsecalgs_find_name(IPSECALGS_AH, "HMAC-SHA");
	assert_non_null(a);
	assert_int_equal(a->ia_id, 3);
	assert_int_equal(a->ia_mac_len, 12);
	assert_null(ipsecalgs_find_name(IPSECALGS_AH, "aes"));
	a = ipsecalgs_find_name(IPSECALGS_ESP, "aes-gcm16");
	assert_int_equal(a->ia_id, 20);
	a = ipsecalgs_find_id(IPSECALGS_ESP, 12);
	assert_string_equal(a->ia_names[0], "aes-cbc");
	assert_true(ipsecalgs_key_valid(a, 192));
	assert_false(ipsecalgs_key_valid(a, 160));
	assert_false(ipsecalgs_key_valid(a, 320));
	a = ipsecalgs_find_id(IPSECALGS_ESP, 3);
	assert_true(ipsecalgs_key_valid(a, 192));
	assert_false(ipsecalgs_key_valid(a, 128));
	assert_null(ipsecalgs_find_id(IPSECALGS_ESP, 13));
	assert_non_null(ipsecalgs_find_id(IPSECALGS_AH, 7));
}

/* Dead Peer Detection settings: defaults, inheritance and limits. */
/* Every group the crypto module implements is accepted, and only those. */
static void
oakley_groups(void **state)
{
	static const int	 good[] = { 1, 2, 5, 14, 19, 20, 21, 31, 32 };
	struct config		*cf;
	char			 buf[160];
	size_t			 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "p1_xform { auth_method preshared "
		    "oakley_group %d encr_alg aes auth_alg sha }\n", good[i]);
		cf = parse_ok(0, buf);
		assert_int_equal(cf->cf_globals.cg_xforms[0].px_group,
		    good[i]);
		config_free(cf);
	}
	assert_false(config_group_known(3));
	assert_false(config_group_known(4));
	assert_false(config_group_known(0));
	assert_false(config_group_known(33));
	assert_true(config_group_known(31));
	assert_true(config_group_known(32));
}

static void
dpd_keywords(void **state)
{
	static const char *const bad[] = {
		"dpd_interval 86401\n", "dpd_retries 0\n", "dpd_retries 101\n",
	};
	const char		*text =
	    "dpd_interval 10\n"
	    "p1_xform { auth_method preshared oakley_group 14 "
	    "encr_alg aes auth_alg sha }\n"
	    "{ label \"a\" local_addr 192.0.2.1 remote_addr 192.0.2.2 "
	    "dpd_retries 2 }\n"
	    "{ label \"b\" local_addr 192.0.2.1 remote_addr 192.0.2.3 "
	    "dpd_interval 0 }\n";
	struct config		*cf = parse_ok(0, text);
	struct config_diag	 diag;
	char			 buf[256];
	size_t			 i;
	int			 rc;

	assert_int_equal(cf->cf_globals.cg_p2.p2_dpd_interval.val, 10);
	assert_int_equal(cf->cf_globals.cg_p2.p2_dpd_retries.val,
	    CONFIG_DEF_DPD_RETRIES);
	assert_int_equal(cf->cf_rules[0].cr_p2.p2_dpd_interval.val, 10);
	assert_int_equal(cf->cf_rules[0].cr_p2.p2_dpd_retries.val, 2);
	assert_int_equal(cf->cf_rules[1].cr_p2.p2_dpd_interval.val, 0);
	assert_int_equal(cf->cf_rules[1].cr_p2.p2_dpd_retries.val,
	    CONFIG_DEF_DPD_RETRIES);
	config_free(cf);
	cf = parse_ok(0, "p1_xform { auth_method preshared oakley_group 14 "
	    "encr_alg aes auth_alg sha }\n");
	assert_int_equal(cf->cf_globals.cg_p2.p2_dpd_interval.val,
	    CONFIG_DEF_DPD_INTERVAL);
	config_free(cf);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%sp1_xform { auth_method "
		    "preshared oakley_group 14 encr_alg aes auth_alg sha }\n",
		    bad[i]);
		cf = config_new();
		assert_non_null(cf);
		diag_init(&diag);
		rc = ikeconf_parse(cf, "t", buf, strlen(buf), &diag);
		if (rc == 0)
			rc = config_validate(cf, &diag);
		assert_true(rc != 0 || diag_count(&diag) > 0);
		diag_free(&diag);
		config_free(cf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_config_values),
		cmocka_unit_test(oakley_groups),
		cmocka_unit_test(dpd_keywords),
		cmocka_unit_test(builtin_defaults),
		cmocka_unit_test(lexical_forms),
		cmocka_unit_test(certificate_selectors),
		cmocka_unit_test(example_preshared_values),
		cmocka_unit_test(preshared_forms),
		cmocka_unit_test(preshared_read_through_pipe),
		cmocka_unit_test(read_fd_never_blocks),
		cmocka_unit_test(example_policy_values),
		cmocka_unit_test(policy_forms),
		cmocka_unit_test(policy_network_names),
		cmocka_unit_test(rule_and_psk_lookup),
		cmocka_unit_test(policy_lookup),
		cmocka_unit_test(policy_match_order),
		cmocka_unit_test(policy_order_lookup),
		cmocka_unit_test(rules_write_round_trip),
		cmocka_unit_test(preshared_write_round_trip),
		cmocka_unit_test(ipsecalgs_table),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
