/*
 * ikeadm output: the exact Solaris layouts for fixed info structs, -p
 * masking and -j JSON lines.  Times print in UTC and the C locale.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/control.h"
#include "control/names.h"
#include "ikeadm/ikeadm.h"
#include "fake_ops.h"

struct capture {
	char	*buf;
	size_t	 len;
	FILE	*f;
};

static FILE *
cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return (c->f);
}

/* Close the stream, compare with the expected text and free it. */
static void
cap_check(struct capture *c, const char *expected)
{
	(void)fclose(c->f);
	assert_string_equal(c->buf, expected);
	free(c->buf);
}

static struct fake_state st;

static void
assert_prefix(const char *s, const char *prefix)
{
	assert_memory_equal(s, prefix, strlen(prefix));
}

static int
count_lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return (n);
}
static const struct ikeadm_opts numeric = { 1, 0, 0, 0, "/", 0 };
static const struct ikeadm_opts paranoid = { 1, 1, 0, 0, "/", 0 };
static const struct ikeadm_opts names = { 0, 0, 0, 0, "/", 0 };
static const struct ikeadm_opts json = { 1, 0, 1, 0, "/", 0 };
static const struct ikeadm_opts json_paranoid = { 1, 1, 1, 0, "/", 0 };

static int
setup(void **state)
{
	(void)setenv("TZ", "UTC", 1);
	tzset();
	(void)setlocale(LC_ALL, "C");
	fake_state_init(&st);
	return (0);
}

static void
print_debug_levels(void **state)
{
	struct capture	c;

	ikeadm_print_debug(cap_open(&c), &numeric, 0x58);
	cap_check(&c, "Current debug level is 0x58\n"
	    "Debug categories enabled:\n"
	    "\tPhase 1 SA creation\n"
	    "\tPhase 2 SA creation\n"
	    "\tPolicy management\n");
	ikeadm_print_debug(cap_open(&c), &numeric, 0);
	cap_check(&c, "Current debug level is 0x0\n"
	    "No debug categories enabled.\n");
	ikeadm_print_set_debug(cap_open(&c), 0x58, 0x3fb);
	cap_check(&c, "Successfully changed debug level from 0x58 to 0x3fb\n"
	    "Debug categories enabled:\n"
	    "\tCertificate management\n"
	    "\tKey management\n"
	    "\tPhase 1 SA creation\n"
	    "\tPhase 2 SA creation\n"
	    "\tPF_KEY interface\n"
	    "\tPolicy management\n"
	    "\tProposal construction\n"
	    "\tDoor interface\n"
	    "\tConfig file processing\n");
	ikeadm_print_debug(cap_open(&c), &json, 0x58);
	cap_check(&c, "{\"debug_level\":88,\"categories\":[\"p1\",\"p2\","
	    "\"pol\"]}\n");
}

static void
print_priv_levels(void **state)
{
	struct capture	c;

	ikeadm_print_priv(cap_open(&c), &numeric, 0);
	cap_check(&c, "Current privilege level is 0x0, base privileges "
	    "enabled\n");
	ikeadm_print_priv(cap_open(&c), &numeric, 2);
	cap_check(&c, "Current privilege level is 0x2, access to keying "
	    "material enabled\n");
	ikeadm_print_set_priv(cap_open(&c), 2, 1);
	cap_check(&c, "Successfully changed privilege level from 0x2 to 0x1\n"
	    "New privilege level 0x1 enables access to preshared key "
	    "information\n");
	ikeadm_print_priv(cap_open(&c), &json, 1);
	cap_check(&c, "{\"privilege_level\":1,\"name\":\"modkeys\"}\n");
}

static void
print_stats_layout(void **state)
{
	struct control_stats	s;
	struct capture		c;

	memset(&s, 0, sizeof(s));
	fake_ops.get_stats(&st, &s);
	ikeadm_print_stats(cap_open(&c), &numeric, &s);
	cap_check(&c, "Phase 1 SA counts:\n"
	    "Current:   initiator:          1   responder:          1\n"
	    "Total:     initiator:         21   responder:         27\n"
	    "Attempted: initiator:         24   responder:         27\n"
	    "Failed:    initiator:          3   responder:          0\n"
	    "           initiator fails include 2 time-out(s)\n");
	(void)snprintf(s.pkcs11_lib, sizeof(s.pkcs11_lib),
	    "/usr/lib/libpkcs11.so");
	s.cur_init = 4000000000U;
	ikeadm_print_stats(cap_open(&c), &numeric, &s);
	cap_check(&c, "Phase 1 SA counts:\n"
	    "Current:   initiator: 4000000000   responder:          1\n"
	    "Total:     initiator:         21   responder:         27\n"
	    "Attempted: initiator:         24   responder:         27\n"
	    "Failed:    initiator:          3   responder:          0\n"
	    "           initiator fails include 2 time-out(s)\n"
	    "PKCS#11 library linked in from /usr/lib/libpkcs11.so\n");
}

static void
print_defaults_layout(void **state)
{
	struct control_defaults	b, e;
	struct capture		c;
	const char		*head = "Global defaults. Some values can be "
	    "over-ridden on a per rule basis.\n\n"
	    "System defaults are time delayed.\n\n"
	    "Token:            Source:   Value:      Unit:     "
	    "Description:              \n";

	fake_ops.get_defaults(&st, &b, &e);
	ikeadm_print_defaults(cap_open(&c), &numeric, &b, &e);
	(void)fclose(c.f);
	assert_memory_equal(c.buf, head, strlen(head));
	/* "%-18s%-10s%11u %-10s%-26s", in the Solaris row order. */
	assert_non_null(strstr(c.buf, "\n"
	    "p1_lifetime_secs  config          14400 seconds   "
	    "phase 1 lifetime          \n"
	    "-                 default            10 seconds   "
	    "minimum phase 1 lifetime  \n"
	    "p1_nonce_len      default            20 bytes     "
	    "phase 1 nonce length      \n"
	    "p2_lifetime_secs  default         28800 seconds   "
	    "phase 2 lifetime          \n"));
	assert_non_null(strstr(c.buf, "\n"
	    "-                 default           500 port      "
	    "IKE port number           \n"
	    "-                 default          4500 port      "
	    "NAT-T port number         \n"));
	assert_int_equal(count_lines(c.buf + strlen(head)), 28);
	free(c.buf);
	ikeadm_print_defaults(cap_open(&c), &json, &b, &e);
	(void)fclose(c.f);
	assert_prefix(c.buf, "{\"token\":\"p1_lifetime_secs\","
	    "\"source\":\"config\",\"value\":14400,\"default\":28800,"
	    "\"unit\":\"seconds\",\"description\":\"phase 1 lifetime\"}\n");
	assert_int_equal(count_lines(c.buf), 28);
	free(c.buf);
}

static const char p1_expected[] =
    "\n"
    "IKESA: Cookies: Initiator 0x1a2b3c4d5e6f7081  Responder "
    "0x92a3b4c5d6e7f809\n"
    "IKESA: The local host is the initiator.\n"
    "IKESA: ISAKMP version 1.0; main mode (identity protect) exchange\n"
    "IKESA: Current state is ACTIVE\n"
    "XFORM: Authentication method: pre-shared key\n"
    "XFORM: Encryption alg: aes-cbc(256); Authentication alg: hmac-sha256\n"
    "XFORM: PRF: HMAC SHA256 ; Oakley Group: 2048-bit MODP (group 14)\n"
    "XFORM: Phase 2 PFS is required (Oakley Group: 2048-bit MODP "
    "(group 14))\n"
    "LOCIP: Address (Initiator):\n"
    "LOCIP: AF_INET: port 500, 192.0.2.10.\n"
    "REMIP: Address (Responder):\n"
    "REMIP: AF_INET: port 500, 198.51.100.20.\n"
    "LIFTM: Lifetime limits:\n"
    "LIFTM: 28800 seconds (8.00 hours); no kilobyte limit\n"
    "LIFTM: keying material for IPsec SAs can be provided 0 times "
    "(no limit)\n"
    "LIFTM: Current usage:\n"
    "LIFTM: SA was created at Sun Sep  9 01:46:40 2001\n"
    "LIFTM: 0 kbytes protected\n"
    "LIFTM: keying material for IPsec SAs provided 2 times\n"
    "LIFTM: Expiration info:\n"
    "LIFTM: SA Expired at Sun Sep  9 09:46:40 2001\n"
    "STATS: 2 Quick Mode SAs created; 0 Quick Mode SAs deleted\n"
    "ERRS:  1 RX errors: 0 decryption, 1 hash, 0 other\n"
    "ERRS:  0 TX errors\n"
    "LOCID: Initiator identity, uid=0, type IP address\n"
    "LOCID: 192.0.2.10\n"
    "REMID: Responder identity, uid=0, type IP address\n"
    "REMID: 198.51.100.20\n";

static void
print_p1_layout(void **state)
{
	struct capture	c;
	char		expected[4096];

	(void)snprintf(expected, sizeof(expected), "%s%s", p1_expected,
	    "KEY:   Pre-shared key (16 bytes): "
	    "101112131415161718191a1b1c1d1e1f/128\n"
	    "KEY:   SKEYID (20 bytes): "
	    "202122232425262728292a2b2c2d2e2f30313233/160\n");
	ikeadm_print_p1(cap_open(&c), &numeric, &st.p1[0]);
	cap_check(&c, expected);

	(void)snprintf(expected, sizeof(expected), "%s%s", p1_expected,
	    "KEY:   Pre-shared key (16 bytes): "
	    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/128\n"
	    "KEY:   SKEYID (20 bytes): "
	    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/160\n");
	ikeadm_print_p1(cap_open(&c), &paranoid, &st.p1[0]);
	cap_check(&c, expected);

	/* Without keys (below keymat) no KEY lines. */
	memset(&st.p1[0].psk, 0, sizeof(st.p1[0].psk));
	memset(&st.p1[0].skeyid, 0, sizeof(st.p1[0].skeyid));
	ikeadm_print_p1(cap_open(&c), &numeric, &st.p1[0]);
	cap_check(&c, p1_expected);
	fake_state_init(&st);
}

static void
print_p1_responder_dpd(void **state)
{
	struct capture	c;

	st.p1[1].lifetime_kb = 100000;
	ikeadm_print_p1(cap_open(&c), &names, &st.p1[1]);
	(void)fclose(c.f);
	/* A kilobyte limit keeps the Solaris wording. */
	assert_non_null(strstr(c.buf, "LIFTM: 3600 seconds (1.00 hour); "
	    "100000 kbytes protected\n"));
	assert_non_null(strstr(c.buf,
	    "IKESA: The local host is the responder.\n"
	    "IKESA: ISAKMP version 1.0; main mode (identity protect) "
	    "exchange\n"
	    "IKESA: Current state is SENT SECOND MSG (KE)\n"
	    "IKESA: Dead Peer Detection (RFC 3706) enabled\n"
	    "IKESA: Dead Peer Detection handshake is in progress.\n"
	    "XFORM: Authentication method: RSA signatures\n"
	    "XFORM: Encryption alg: 3des-cbc; Authentication alg: hmac-sha1\n"
	    "XFORM: PRF: HMAC SHA1 ; Oakley Group: 256-bit ECP (group 19)\n"
	    "XFORM: Phase 2 PFS is not used\n"
	    "LOCIP: Address (Responder):\n"
	    "LOCIP: AF_INET: port 4500, 127.0.0.1 (localhost).\n"
	    "REMIP: Address (Initiator):\n"));
	assert_non_null(strstr(c.buf,
	    "LOCID: Responder identity, uid=0, type ASN.1 DER Distinguished "
	    "Name\nLOCID: C=US, O=Example, CN=hq\n"
	    "REMID: Initiator identity, uid=0, type FQDN\n"
	    "REMID: branch.example.com\n"));
	assert_null(strstr(c.buf, "KEY:"));
	free(c.buf);
	fake_state_init(&st);
}

static void
print_p1_json_line(void **state)
{
	struct capture	c;

	ikeadm_print_p1(cap_open(&c), &json_paranoid, &st.p1[0]);
	(void)fclose(c.f);
	assert_non_null(strstr(c.buf, "{\"initiator_cookie\":"
	    "\"0x1a2b3c4d5e6f7081\",\"responder_cookie\":"
	    "\"0x92a3b4c5d6e7f809\",\"role\":\"initiator\","));
	assert_non_null(strstr(c.buf, "\"local_addr\":\"192.0.2.10\","
	    "\"local_port\":500,"));
	assert_non_null(strstr(c.buf, "\"dpd\":\"none\",\"xform\":{"
	    "\"auth_method\":\"pre-shared key\",\"encr_alg\":\"aes-cbc\","
	    "\"encr_keylen\":256,\"auth_alg\":\"hmac-sha256\",\"prf\":"
	    "\"HMAC SHA256\",\"oakley_group\":14,\"oakley_group_desc\":"
	    "\"2048-bit MODP (group 14)\",\"lifetime_secs\":28800,"
	    "\"lifetime_kb\":0},\"p2_pfs\":14,"));
	assert_non_null(strstr(c.buf, "\"rx_hash_errors\":1,"));
	assert_non_null(strstr(c.buf, "\"psk\":"
	    "\"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\""));
	assert_null(strstr(c.buf, "101112"));
	assert_non_null(strchr(c.buf, '\n'));
	assert_int_equal(strchr(c.buf, '\n')[1], '\0');
	free(c.buf);
}

static void
print_rule_layout(void **state)
{
	struct capture	c;

	ikeadm_print_rule(cap_open(&c), &numeric, &st.rules[0]);
	cap_check(&c, "\n"
	    "GLOBL: Label 'hq-gw to branch-gw', key manager cookie 1\n"
	    "GLOBL: local_idtype=IP address, ike_mode=main mode "
	    "(identity protect)\n"
	    "GLOBL: p1_nonce_len=20, p2_nonce_len=20, p2_pfs=true (group 14)\n"
	    "GLOBL: p2_lifetime=3600 seconds (1.00 hour)\n"
	    "GLOBL: p2_softlife=3240 seconds (54.00 minutes)\n"
	    "GLOBL: p2_idletime=0 seconds\n"
	    "GLOBL: p2_lifetime_kb=0 kilobytes\n"
	    "GLOBL: p2_softlife_kb=0 kilobytes\n"
	    "LOCIP: IP address range(s):\n"
	    "LOCIP: 192.0.2.10\n"
	    "REMIP: IP address range(s):\n"
	    "REMIP: 203.0.113.200 - 203.0.113.250\n"
	    "LOCID: Identity descriptors:\n"
	    "REMID: Identity descriptors:\n"
	    "REMID: Includes:\n"
	    "REMID:    CN=branch\n"
	    "REMID: Excludes:\n"
	    "REMID:    CN=revoked\n"
	    "XFRMS: Available Transforms:\n"
	    "XF  0: Authentication method: pre-shared key\n"
	    "XF  0: Encryption alg: aes-cbc(128..256); Authentication alg: "
	    "hmac-sha256\n"
	    "XF  0: PRF: HMAC SHA256 ; Oakley Group: 2048-bit MODP "
	    "(group 14)\n"
	    "XF  0: Lifetime limits:\n"
	    "XF  0: 28800 seconds (8.00 hours); no kilobyte limit\n");
	ikeadm_print_rule(cap_open(&c), &numeric, &st.rules[1]);
	(void)fclose(c.f);
	assert_non_null(strstr(c.buf, "GLOBL: p1_nonce_len=20, "
	    "p2_nonce_len=20, p2_pfs=false\n"));
	assert_non_null(strstr(c.buf, "LOCIP: 192.0.2.0/24\n"
	    "REMIP: IP address range(s):\nREMIP: 2001:db8::1\n"
	    "LOCID: Identity descriptors:\nLOCID: Includes:\n"
	    "LOCID:    CN=hq\n"));
	free(c.buf);
}

static void
print_rule_json_escapes(void **state)
{
	struct capture	c;

	(void)snprintf(st.rules[1].label, sizeof(st.rules[1].label),
	    "a \"b\"\\\n");
	ikeadm_print_rule(cap_open(&c), &json, &st.rules[1]);
	(void)fclose(c.f);
	assert_prefix(c.buf, "{\"label\":\"a \\\"b\\\"\\\\\\u000a\","
	    "\"cookie\":2,");
	assert_non_null(strstr(c.buf, "\"local_addr\":[\"192.0.2.0/24\"],"
	    "\"remote_addr\":[\"2001:db8::1\"],\"local_id\":[\"CN=hq\"],"
	    "\"remote_id\":[],\"xforms\":[]}\n"));
	free(c.buf);
	fake_state_init(&st);
}

/* A label prints in the form that "get rule" reads back. */
static void
print_rule_label_escapes(void **state)
{
	struct capture	c;

	(void)snprintf(st.rules[1].label, sizeof(st.rules[1].label),
	    "we\"ird\\");
	ikeadm_print_rule(cap_open(&c), &numeric, &st.rules[1]);
	(void)fclose(c.f);
	assert_prefix(c.buf, "\nGLOBL: Label 'we\\\"ird\\\\', key manager "
	    "cookie 2\n");
	free(c.buf);
	fake_state_init(&st);
}

/*
 * Labels are bytes: JSON output stays valid UTF-8, each byte that starts
 * no valid sequence (a lone 0xff, an overlong '/', a surrogate, a cut-off
 * sequence) printing as U+FFFD, while valid sequences pass unchanged.
 */
static void
print_rule_json_utf8(void **state)
{
	struct capture	c;

	(void)snprintf(st.rules[1].label, sizeof(st.rules[1].label),
	    "\xff|\xc3\xa9|\xc0\xaf|\xed\xa0\x80|\xf0\x9f\x94\x91|"
	    "\xf4\x90\x80\x80|\xe2\x82");
	ikeadm_print_rule(cap_open(&c), &json, &st.rules[1]);
	(void)fclose(c.f);
	assert_prefix(c.buf, "{\"label\":\"\\ufffd|\xc3\xa9|"
	    "\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\xf0\x9f\x94\x91|"
	    "\\ufffd\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\",");
	free(c.buf);
	fake_state_init(&st);
}

static void
print_psk_layout(void **state)
{
	struct capture	c;

	ikeadm_print_psk(cap_open(&c), &numeric, &st.psks[0]);
	cap_check(&c, "\n"
	    "PSKEY: For main mode (identity protect) exchanges\n"
	    "PSKEY: Pre-shared key (16 bytes): "
	    "9fa0a1a2a3a4a5a6a7a8a9aaabacadae/128\n"
	    "LOCIP: Address:\n"
	    "LOCIP: AF_INET: port 0, 192.0.2.10.\n"
	    "REMIP: Address:\n"
	    "REMIP: AF_INET: port 0, 198.51.100.20.\n");
	ikeadm_print_psk(cap_open(&c), &paranoid, &st.psks[1]);
	cap_check(&c, "\n"
	    "PSKEY: For main and aggressive mode exchanges\n"
	    "PSKEY: Pre-shared key (4 bytes): XXXXXXXX/28\n"
	    "LOCID: Identity, uid=0, type FQDN\n"
	    "LOCID: hq.example.com\n"
	    "REMID: Identity, uid=0, type FQDN\n"
	    "REMID: branch.example.com\n");
}

static void
print_json_psk_and_xforms(void **state)
{
	struct capture	c;

	ikeadm_print_psk(cap_open(&c), &json, &st.psks[0]);
	cap_check(&c, "{\"ike_mode\":\"main mode (identity protect)\","
	    "\"local_idtype\":\"IP address\",\"local_id\":\"192.0.2.10\","
	    "\"remote_idtype\":\"IP address\",\"remote_id\":"
	    "\"198.51.100.20\",\"local_addr\":\"192.0.2.10\","
	    "\"remote_addr\":\"198.51.100.20\",\"key\":"
	    "\"9fa0a1a2a3a4a5a6a7a8a9aaabacadae\"}\n");
	ikeadm_print_rule(cap_open(&c), &json, &st.rules[0]);
	(void)fclose(c.f);
	assert_non_null(strstr(c.buf, "\"xforms\":[{\"auth_method\":"
	    "\"pre-shared key\",\"encr_alg\":\"aes-cbc\",\"encr_keylen\":128,"
	    "\"encr_keylen_max\":256,\"auth_alg\":\"hmac-sha256\","));
	assert_non_null(strstr(c.buf, "\"remote_id\":[\"CN=branch\","
	    "\"!CN=revoked\"],"));
	free(c.buf);
}

static void
print_cert_layout(void **state)
{
	struct control_cert_info	ci;
	struct capture			c;
	uint32_t			next;

	memset(&ci, 0, sizeof(ci));
	assert_int_equal(fake_ops.certcache_dump(&st, 0, &ci, &next), 0);
	ikeadm_print_cert(cap_open(&c), &numeric, &ci);
	cap_check(&c, "\n"
	    "CERTIFICATE CACHE ID: 1\n"
	    "\tSubject Name: C=US, O=Example, CN=hq\n"
	    "\t Issuer Name: C=US, O=Example, CN=ca\n"
	    "\t\t[trusted certificate]\n"
	    "\t\t[Private key available]\n");
	ci.trusted = 0;
	ci.source = CONTROL_CERT_PAYLOAD;
	ikeadm_print_cert(cap_open(&c), &numeric, &ci);
	cap_check(&c, "\n"
	    "CERTIFICATE CACHE ID: 1\n"
	    "\tSubject Name: C=US, O=Example, CN=hq\n"
	    "\t Issuer Name: C=US, O=Example, CN=ca\n"
	    "\t\t[Obtained via certificate payload]\n");
}

static void
print_alg_tables(void **state)
{
	static const struct control_alg_info	group14 = { 14, 112, 0, 0,
	    "2048-bit MODP (group 14)" };
	static const struct control_alg_info	des = { 1, 0, 0, 0,
	    "des-cbc" };
	static const struct control_alg_info	aes = { 7, 0, 128, 256,
	    "aes-cbc" };
	static const struct control_alg_info	sha256 = { 4, 0, 0, 0,
	    "hmac-sha256" };
	struct capture				c;

	ikeadm_print_alg_header(cap_open(&c), &numeric, CONTROL_DUMP_GROUPS);
	ikeadm_print_alg(c.f, &numeric, CONTROL_DUMP_GROUPS, &group14);
	cap_check(&c, "List of Diffie-Hellman groups for setting up IKE SAs\n"
	    "The values match the IPsec attribute assigned numbers published "
	    "by IANA\n\n"
	    "Value Strength Description                                       "
	    "\n"
	    "14    112      2048-bit MODP (group 14)                          "
	    "\n");
	ikeadm_print_alg_header(cap_open(&c), &numeric,
	    CONTROL_DUMP_ENCRALGS);
	ikeadm_print_alg(c.f, &numeric, CONTROL_DUMP_ENCRALGS, &des);
	ikeadm_print_alg(c.f, &numeric, CONTROL_DUMP_ENCRALGS, &aes);
	cap_check(&c, "List of encryption algorithms for IKE\n"
	    "The values match the IPsec attribute assigned numbers published "
	    "by IANA\n\n"
	    "Value Name                Keylen range   \n"
	    "1     des-cbc             N/A            \n"
	    "7     aes-cbc             128-256        \n");
	ikeadm_print_alg_header(cap_open(&c), &numeric,
	    CONTROL_DUMP_AUTHALGS);
	ikeadm_print_alg(c.f, &numeric, CONTROL_DUMP_AUTHALGS, &sha256);
	cap_check(&c, "List of authentication algorithms for IKE\n"
	    "The values match the IPsec attribute assigned numbers published "
	    "by IANA\n\n"
	    "Value Name                \n"
	    "4     hmac-sha256         \n");
	ikeadm_print_alg(cap_open(&c), &json, CONTROL_DUMP_ENCRALGS, &aes);
	cap_check(&c, "{\"value\":7,\"name\":\"aes-cbc\",\"keylen_min\":128,"
	    "\"keylen_max\":256}\n");
}

static void
print_addresses(void **state)
{
	struct control_addr	a;
	struct capture		c;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	ikeadm_print_addr(cap_open(&c), &names, &a);
	cap_check(&c, "AF_INET: port 0, 0.0.0.0 <unspecified>.\n");
	ikeadm_print_addr(cap_open(&c), &numeric, &a);
	cap_check(&c, "AF_INET: port 0, 0.0.0.0 <unspecified>.\n");
	a.family = AF_INET6;
	a.port = 500;
	a.addr[0] = 0x20;
	a.addr[1] = 0x01;
	a.addr[2] = 0x0d;
	a.addr[3] = 0xb8;
	a.plen = 32;
	ikeadm_print_addr(cap_open(&c), &numeric, &a);
	cap_check(&c, "AF_INET6: port 500, 2001:db8::/32.\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(print_debug_levels),
		cmocka_unit_test(print_priv_levels),
		cmocka_unit_test(print_stats_layout),
		cmocka_unit_test(print_defaults_layout),
		cmocka_unit_test(print_p1_layout),
		cmocka_unit_test(print_p1_responder_dpd),
		cmocka_unit_test(print_p1_json_line),
		cmocka_unit_test(print_rule_layout),
		cmocka_unit_test(print_rule_json_escapes),
		cmocka_unit_test(print_rule_label_escapes),
		cmocka_unit_test(print_rule_json_utf8),
		cmocka_unit_test(print_psk_layout),
		cmocka_unit_test(print_json_psk_and_xforms),
		cmocka_unit_test(print_cert_layout),
		cmocka_unit_test(print_alg_tables),
		cmocka_unit_test(print_addresses),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
