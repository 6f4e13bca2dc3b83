/*
 * ikeadm input parsing: debug and privilege levels, identifiers, the
 * tokenizer and the add blocks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/log.h"
#include "control/control.h"
#include "control/names.h"
#include "ikeadm/ikeadm.h"

static void
debug_level_expressions(void **state)
{
	uint32_t	v;

	assert_int_equal(control_debug_parse("88", &v), 0);
	assert_int_equal(v, 88);
	assert_int_equal(control_debug_parse("0x58", &v), 0);
	assert_int_equal(v, 0x58);
	assert_int_equal(control_debug_parse("phase1+phase2+policy", &v), 0);
	assert_int_equal(v, 0x58);
	assert_int_equal(control_debug_parse("p1+p2+pol", &v), 0);
	assert_int_equal(v, 0x58);
	assert_int_equal(control_debug_parse("all-op", &v), 0);
	assert_int_equal(v, 0x3fb);
	assert_int_equal(control_debug_parse("all", &v), 0);
	assert_int_equal(v, D_ALL);
	assert_int_equal(control_debug_parse("ALL-Cert-key", &v), 0);
	assert_int_equal(v, 0x3fc);
	assert_int_equal(control_debug_parse("door+config", &v), 0);
	assert_int_equal(v, 0x300);
	assert_int_equal(control_debug_parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(control_debug_parse("op", &v), 0);
	assert_int_equal(v, D_OP);
}

static void
debug_level_changes(void **state)
{
	uint32_t	v = 7;

	assert_int_equal(control_debug_change("-op", D_ALL, &v), 0);
	assert_int_equal(v, 0x3fb);
	assert_int_equal(control_debug_change("+cert-key", 0x6, &v), 0);
	assert_int_equal(v, 0x5);
	assert_int_equal(control_debug_change("op", 0, &v), ERR_INVAL);
	assert_int_equal(control_debug_change("-", 0, &v), ERR_INVAL);
	assert_int_equal(control_debug_change("-0x4", 0, &v), ERR_INVAL);
	assert_int_equal(control_debug_change("+op-", 0, &v), ERR_INVAL);
	/* A level of its own starts with a keyword or a digit. */
	assert_int_equal(control_debug_parse("-op", &v), ERR_INVAL);
}

static void
debug_level_rejects(void **state)
{
	uint32_t	v = 7;

	assert_int_equal(control_debug_parse("", &v), ERR_INVAL);
	assert_int_equal(control_debug_parse("bogus", &v), ERR_INVAL);
	assert_int_equal(control_debug_parse("p1+", &v), ERR_INVAL);
	assert_int_equal(control_debug_parse("p1++p2", &v), ERR_INVAL);
	assert_int_equal(control_debug_parse("0x400", &v), ERR_INVAL);
	assert_int_equal(control_debug_parse("0xzz", &v), ERR_INVAL);
	assert_int_equal(control_debug_parse("12abc", &v), ERR_INVAL);
	assert_int_equal(control_debug_parse("99999999999", &v), ERR_INVAL);
	assert_int_equal(v, 7);
}

static void
priv_levels(void **state)
{
	uint32_t	v;

	assert_int_equal(control_priv_parse("base", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(control_priv_parse("MODKEYS", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(control_priv_parse("keymat", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(control_priv_parse("2", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(control_priv_parse("3", &v), ERR_INVAL);
	assert_int_equal(control_priv_parse("root", &v), ERR_INVAL);
}

static void
cookies(void **state)
{
	uint64_t	c;

	assert_int_equal(ikeadm_cookie_parse("0x1a2b3c4d5e6f7081", &c), 0);
	assert_true(c == 0x1a2b3c4d5e6f7081ULL);
	assert_int_equal(ikeadm_cookie_parse("0X1", &c), 0);
	assert_true(c == 1);
	assert_int_equal(ikeadm_cookie_parse("1a2b", &c), ERR_INVAL);
	assert_int_equal(ikeadm_cookie_parse("0x", &c), ERR_INVAL);
	assert_int_equal(ikeadm_cookie_parse("0x1a2b3c4d5e6f70811", &c),
	    ERR_INVAL);
	assert_int_equal(ikeadm_cookie_parse("0x12g4", &c), ERR_INVAL);
	assert_int_equal(ikeadm_cookie_parse("0x-1", &c), ERR_INVAL);
}

static void
idtypes(void **state)
{
	static const struct {
		const char	*word;
		uint16_t	 type;
	} cases[] = {
		{ "ip", CONTROL_IDT_IP }, { "IPv4", CONTROL_IDT_IPV4 },
		{ "ipv6", CONTROL_IDT_IPV6 },
		{ "prefix", CONTROL_IDT_IPV4_SUBNET },
		{ "ipv6-prefix", CONTROL_IDT_IPV6_SUBNET },
		{ "subnet", CONTROL_IDT_IPV4_SUBNET },
		{ "subnetv6", CONTROL_IDT_IPV6_SUBNET },
		{ "fqdn", CONTROL_IDT_FQDN }, { "DNS", CONTROL_IDT_FQDN },
		{ "domain", CONTROL_IDT_FQDN },
		{ "domainname", CONTROL_IDT_FQDN },
		{ "user_fqdn", CONTROL_IDT_USER_FQDN },
		{ "mbox", CONTROL_IDT_USER_FQDN },
		{ "mailbox", CONTROL_IDT_USER_FQDN },
		{ "dn", CONTROL_IDT_DN }, { "asn1dn", CONTROL_IDT_DN },
		{ "gn", CONTROL_IDT_GN }, { "asn1gn", CONTROL_IDT_GN },
		{ "ipv4-range", CONTROL_IDT_IPV4_RANGE },
		{ "rangev6", CONTROL_IDT_IPV6_RANGE },
		{ "keyid", CONTROL_IDT_KEY_ID },
	};
	uint16_t	t;
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ikeadm_idtype_parse(cases[i].word, &t), 0);
		assert_int_equal(t, cases[i].type);
	}
	assert_int_equal(ikeadm_idtype_parse("email", &t), ERR_INVAL);
}

static void
identities(void **state)
{
	struct control_ident	id;
	struct control_range	r;

	assert_int_equal(ikeadm_ident_parse("ip", "192.0.2.10", &id, &r), 0);
	assert_int_equal(id.type, CONTROL_IDT_IPV4);
	assert_int_equal(r.lo.family, AF_INET);
	assert_int_equal(r.lo.addr[3], 10);
	assert_int_equal(ikeadm_ident_parse("ip", "2001:db8::5", &id, &r), 0);
	assert_int_equal(id.type, CONTROL_IDT_IPV6);
	assert_int_equal(ikeadm_ident_parse("ipv4", "2001:db8::5", &id, &r),
	    ERR_INVAL);
	assert_int_equal(ikeadm_ident_parse("prefix", "192.0.2.0/24", &id,
	    &r), 0);
	assert_int_equal(id.type, CONTROL_IDT_IPV4_SUBNET);
	assert_int_equal(r.lo.plen, 24);
	assert_int_equal(ikeadm_ident_parse("prefix", "192.0.2.0/33", &id,
	    &r), ERR_INVAL);
	assert_int_equal(ikeadm_ident_parse("prefix", "192.0.2.0", &id, &r),
	    ERR_INVAL);
	assert_int_equal(ikeadm_ident_parse("ipv4-range",
	    "203.0.113.200-203.0.113.250", &id, &r), 0);
	assert_int_equal(id.type, CONTROL_IDT_IPV4_RANGE);
	assert_int_equal(r.hi.addr[3], 250);
	assert_int_equal(ikeadm_ident_parse("fqdn", "hq.example.com", &id,
	    &r), 0);
	assert_int_equal(id.type, CONTROL_IDT_FQDN);
	assert_string_equal(id.value, "hq.example.com");
	assert_int_equal(r.lo.family, 0);
	assert_int_equal(ikeadm_ident_parse("fqdn", "", &id, &r), ERR_INVAL);
	assert_int_equal(ikeadm_ident_parse("bogus", "x", &id, &r), ERR_INVAL);
}

static void
addresses_numeric(void **state)
{
	struct control_addr	a[4];
	int			n;

	assert_int_equal(ikeadm_addr_resolve("198.51.100.20", 1, a, 4, &n),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].family, AF_INET);
	assert_int_equal(a[0].addr[0], 198);
	assert_int_equal(ikeadm_addr_resolve("2001:db8::1", 1, a, 4, &n), 0);
	assert_int_equal(a[0].family, AF_INET6);
	/* With -n a name is not looked up. */
	assert_int_equal(ikeadm_addr_resolve("localhost", 1, a, 4, &n),
	    ERR_NOTFOUND);
}

static void
tokenizer(void **state)
{
	char	buf[256], *t[16];
	int	n;

	assert_int_equal(ikeadm_tokenize("  get  p1 0x1 0x2 ", buf,
	    sizeof(buf), t, 16, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(t[0], "get");
	assert_string_equal(t[3], "0x2");
	assert_int_equal(ikeadm_tokenize("add rule {label \"a b\" p1_xform"
	    "{auth_method preshared}}", buf, sizeof(buf), t, 16, &n), 0);
	assert_int_equal(n, 11);
	assert_string_equal(t[2], "{");
	assert_string_equal(t[3], "label");
	assert_string_equal(t[4], "a b");
	assert_string_equal(t[6], "{");
	assert_string_equal(t[9], "}");
	assert_int_equal(ikeadm_tokenize("token login \"my token", buf,
	    sizeof(buf), t, 16, &n), ERR_INVAL);
	assert_int_equal(ikeadm_tokenize("a b c d", buf, sizeof(buf), t, 3,
	    &n), ERR_TOOBIG);
	assert_int_equal(ikeadm_tokenize("x \"\"", buf, sizeof(buf), t, 3,
	    &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[1], "");
}

/* Tokenizer reads ike.config string escapes, and \" and \\ unquoted. */
static void
tokenizer_escapes(void **state)
{
	char	buf[256], *t[16];
	int	n;

	assert_int_equal(ikeadm_tokenize("get rule \"we\\\"ird\"", buf,
	    sizeof(buf), t, 16, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(t[2], "we\"ird");
	assert_int_equal(ikeadm_tokenize("get rule we\\\"ird", buf,
	    sizeof(buf), t, 16, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(t[2], "we\"ird");
	assert_int_equal(ikeadm_tokenize("\"a\\\\b\\x\" c\\\\d e\\,f", buf,
	    sizeof(buf), t, 16, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(t[0], "a\\bx");
	assert_string_equal(t[1], "c\\d");
	assert_string_equal(t[2], "e\\,f");
	assert_int_equal(ikeadm_tokenize("\"a\\\"", buf, sizeof(buf), t, 16,
	    &n), ERR_INVAL);
	assert_int_equal(ikeadm_tokenize("\"a\\", buf, sizeof(buf), t, 16,
	    &n), ERR_INVAL);
}

static int
split(char *line, char **t, int max)
{
	static char	buf[1024];
	int		n;

	assert_int_equal(ikeadm_tokenize(line, buf, sizeof(buf), t, max, &n),
	    0);
	return (n);
}

static void
psk_block(void **state)
{
	struct control_psk_info	p;
	char			*t[32];
	int			 n;

	n = split("{ localidtype fqdn localid hq.example.com remoteid "
	    "192.0.2.1 ike_mode both key 0x0102abcd/28 }", t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), 0);
	assert_int_equal(p.local_id.type, CONTROL_IDT_FQDN);
	assert_int_equal(p.remote_id.type, CONTROL_IDT_IPV4);
	assert_int_equal(p.remote.lo.addr[3], 1);
	assert_int_equal(p.xchg, CONTROL_XCHG_BOTH);
	assert_int_equal(p.key.len, 4);
	assert_int_equal(p.key.bits, 28);
	assert_int_equal(p.key.bytes[3], 0xcd);

	n = split("{ localid 192.0.2.1 remoteid 192.0.2.2 }", t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
	n = split("{ localid 192.0.2.1 remoteid 192.0.2.2 key 0g }", t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
	n = split("{ localid 192.0.2.1 remoteid 192.0.2.2 key 01/9 }", t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
	n = split("{ localid 192.0.2.1 remoteid 192.0.2.2 key 01 colour red }",
	    t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
	n = split("{ localid 192.0.2.1 remoteid }", t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
	n = split("localid 192.0.2.1", t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
	/* A repeated keyword is rejected, as in ike.preshared. */
	n = split("{ localid 192.0.2.1 remoteid 192.0.2.2 key 0102 key 0304 }",
	    t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
	n = split("{ localid 192.0.2.1 localid 192.0.2.3 remoteid 192.0.2.2 "
	    "key 0102 }", t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
	n = split("{ localid 192.0.2.1 remoteid 192.0.2.2 ike_mode main "
	    "ike_mode both key 0102 }", t, 32);
	assert_int_equal(ikeadm_psk_block_parse(t, n, &p), ERR_INVAL);
}

static void
rule_block(void **state)
{
	char	*t[32], out[256];
	FILE	*tmp = tmpfile();
	size_t	 len;
	int	 n;

	assert_non_null(tmp);
	n = split("{ label \"hq to branch\" local_addr 192.0.2.10 remote_id "
	    "\"CN=b, O=Example\" p1_xform { auth_method preshared } }", t, 32);
	assert_int_equal(ikeadm_rule_block_write(fileno(tmp), t, n), 0);
	rewind(tmp);
	len = fread(out, 1, sizeof(out) - 1, tmp);
	out[len] = '\0';
	assert_string_equal(out, "{ label \"hq to branch\" local_addr "
	    "192.0.2.10 remote_id \"CN=b, O=Example\" p1_xform { auth_method "
	    "preshared } }\n");
	(void)fclose(tmp);
	n = split("label x", t, 32);
	assert_int_equal(ikeadm_rule_block_write(1, t, n), ERR_INVAL);
}

static void
rule_block_escapes(void **state)
{
	char	*t[32], out[256];
	FILE	*tmp = tmpfile();
	size_t	 len;
	int	 n;

	assert_non_null(tmp);
	n = split("{ label \"we\\\"ird\\\\\" remote_id a\\,b }", t, 32);
	assert_int_equal(ikeadm_rule_block_write(fileno(tmp), t, n), 0);
	rewind(tmp);
	len = fread(out, 1, sizeof(out) - 1, tmp);
	out[len] = '\0';
	assert_string_equal(out, "{ label \"we\\\"ird\\\\\" remote_id "
	    "\"a\\\\,b\" }\n");
	(void)fclose(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(debug_level_expressions),
		cmocka_unit_test(debug_level_changes),
		cmocka_unit_test(debug_level_rejects),
		cmocka_unit_test(priv_levels),
		cmocka_unit_test(cookies),
		cmocka_unit_test(idtypes),
		cmocka_unit_test(identities),
		cmocka_unit_test(addresses_numeric),
		cmocka_unit_test(tokenizer),
		cmocka_unit_test(tokenizer_escapes),
		cmocka_unit_test(psk_block),
		cmocka_unit_test(rule_block),
		cmocka_unit_test(rule_block_escapes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
