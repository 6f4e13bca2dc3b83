/*
 * Certificate selectors (cert-sel, certspec) and the ID payload check,
 * against certificates made at test time.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "certtest.h"
#include "crypto/x509/cert.h"
#include "crypto/x509/certsel.h"
#include "lib/err.h"
#include "lib/util.h"
#include "lib/wbuf.h"

#define GW_DN	"C=US, O=Example\\, Inc., OU=VPN, CN=gw.example.com"

static struct cert	*gw;	/* self-signed with every alt-name type */
static struct cert	*other;	/* self-signed, no alt-names */

static int
group_setup(void **state)
{
	static const char *const	alts[] = {
		"IP=192.0.2.1",
		"IP=2001:db8::1",
		"DNS=gw.example.com",
		"EMAIL=vpn@example.com",
		"URI=https://gw.example.com/ike",
		"DN=C=US, O=Example\\, Inc., CN=alt",
		"RID=1.3.6.1.4.1.99999.1",
	};

	gw = certtest_self_signed(PKEY_EC, 256, GW_DN, alts, UTIL_NELEM(alts),
	    NULL);
	other = certtest_self_signed(PKEY_EC, 256,
	    "C=US, O=Other, CN=other.example.com", NULL, 0, NULL);
	return (0);
}

static int
group_teardown(void **state)
{
	cert_free(gw);
	cert_free(other);
	return (0);
}

static const struct {
	const char	*sel;
	const char	*slot;		/* slot of gw for the match */
	int		 gw;		/* expected match of gw */
	int		 other;		/* expected match of other */
} cases[] = {
	/* Subject DN, compared as a Name. */
	{ GW_DN, NULL, 1, 0 },
	{ "C=US,O=Example\\, Inc.,OU=VPN,CN=gw.example.com", NULL, 1, 0 },
	{ "c=us, o=EXAMPLE\\, INC., ou=vpn, cn=GW.example.com", NULL, 1, 0 },
	{ "  C = US ,  O = Example\\, Inc. , OU=VPN, CN=gw.example.com  ",
	    NULL, 1, 0 },
	{ "CN=gw.example.com, OU=VPN, O=Example\\, Inc., C=US", NULL, 1, 0 },
	{ "C=US, O=\"Example, Inc.\", OU=VPN, CN=gw.example.com", NULL, 1, 0 },
	{ "C=US, O=Example\\2C Inc., OU=VPN, CN=gw.example.com", NULL, 1, 0 },
	{ "C=US, O=Example\\\\, Inc., OU=VPN, CN=gw.example.com", NULL, 1, 0 },
	{ "C=US, O=Example  Inc., OU=VPN, CN=gw.example.com", NULL, 0, 0 },
	{ "C=US, O=Example\\, Inc., CN=gw.example.com", NULL, 0, 0 },
	{ "C=US, O=Example\\, Inc., OU=VPN, CN=gw.example.com, L=X", NULL,
	    0, 0 },
	{ "O=Example\\, Inc., C=US, OU=VPN, CN=gw.example.com", NULL, 0, 0 },
	{ "SUBJECT=" GW_DN, NULL, 1, 0 },
	{ "subject=C=US, O=Other, CN=other.example.com", NULL, 0, 1 },
	/* Issuer (both are self-signed). */
	{ "ISSUER=" GW_DN, NULL, 1, 0 },
	{ "ISSUER=C=US, O=Other, CN=other.example.com", NULL, 0, 1 },
	/* Slots. */
	{ "SLOT=3", "3", 1, 0 },
	{ "3", "3", 1, 0 },
	{ "SLOT=4", "3", 0, 0 },
	{ "SLOT=3", NULL, 0, 0 },
	/* subjectAltName entries, typed and bare. */
	{ "IP=192.0.2.1", NULL, 1, 0 },
	{ "192.0.2.1", NULL, 1, 0 },
	{ "192.0.2.2", NULL, 0, 0 },
	{ "IP=2001:db8::1", NULL, 1, 0 },
	{ "2001:DB8:0::1", NULL, 1, 0 },
	{ "DNS=gw.example.com", NULL, 1, 0 },
	{ "GW.Example.COM", NULL, 1, 0 },
	{ "other.example.com", NULL, 0, 0 },
	{ "EMAIL=vpn@example.com", NULL, 1, 0 },
	{ "vpn@example.com", NULL, 1, 0 },
	{ "ike@example.com", NULL, 0, 0 },
	{ "URI=https://gw.example.com/ike", NULL, 1, 0 },
	{ "URI=https://gw.example.com/IKE", NULL, 0, 0 },
	{ "DN=CN=alt, O=Example\\, Inc., C=US", NULL, 1, 0 },
	{ "DN=C=US, CN=alt", NULL, 0, 0 },
	{ "RID=1.3.6.1.4.1.99999.1", NULL, 1, 0 },
	{ "RID=1.3.6.1.4.1.99999.2", NULL, 0, 0 },
	/* The empty selector matches any certificate. */
	{ "", NULL, 1, 1 },
};

static void
certsel_table(void **state)
{
	struct certsel	*cs;
	char		 why[X509_WHY_SIZE];
	size_t		 i;

	for (i = 0; i < UTIL_NELEM(cases); i++) {
		if (certsel_parse(&cs, cases[i].sel, why, sizeof(why)) != 0)
			fail_msg("\"%s\": %s", cases[i].sel, why);
		if (certsel_match(cs, gw, cases[i].slot) != cases[i].gw)
			fail_msg("\"%s\" on gw: expected %d", cases[i].sel,
			    cases[i].gw);
		if (certsel_match(cs, other, NULL) != cases[i].other)
			fail_msg("\"%s\" on other: expected %d", cases[i].sel,
			    cases[i].other);
		assert_false(certsel_is_exclude(cs));
		certsel_free(cs);
	}
}

static void
certsel_exclude_lists(void **state)
{
	static const struct {
		const char	*sels[3];
		size_t		 n;
		int		 gw, other;
	} lists[] = {
		{ { "" }, 1, 1, 1 },
		{ { "", "!" GW_DN }, 2, 0, 1 },
		{ { "!DNS=gw.example.com" }, 1, 0, 1 },
		{ { "! 192.0.2.1" }, 1, 0, 1 },
		{ { "!ISSUER=C=US, O=Nobody, CN=x" }, 1, 1, 1 },
		{ { "DNS=gw.example.com", "other.example.com" }, 2, 1, 0 },
		{ { "C=US, O=Other, CN=other.example.com",
		    "!SLOT=9", "vpn@example.com" }, 3, 0, 1 },
		{ { "SLOT=9", "!SLOT=9" }, 2, 0, 0 },
		{ { NULL }, 0, 0, 0 },
	};
	struct certsel_list	*l;
	char			 why[X509_WHY_SIZE];
	size_t			 i;

	for (i = 0; i < UTIL_NELEM(lists); i++) {
		assert_int_equal(certsel_list_parse(&l, lists[i].sels,
		    lists[i].n, why, sizeof(why)), 0);
		assert_int_equal(certsel_list_count(l), lists[i].n);
		if (certsel_list_match(l, gw, "9") != lists[i].gw)
			fail_msg("list %zu on gw: expected %d", i, lists[i].gw);
		if (certsel_list_match(l, other, NULL) != lists[i].other)
			fail_msg("list %zu on other: expected %d", i,
			    lists[i].other);
		certsel_list_free(l);
	}
}

static void
certsel_invalid(void **state)
{
	static const char *const	bad[] = {
		"IP=192.0.2.300",
		"IP=",
		"FOO=bar, CN=x",
		"C=US, =x",
		"C=US, CN=",
		"C=US, O=\"unterminated",
		"RID=not-an-oid",
		"DNS=",
		"ISSUER=",
		"SLOT=",
		"DN=CN",
	};
	struct certsel_list	*l;
	struct certsel		*cs;
	char			 why[X509_WHY_SIZE];
	size_t			 i;

	for (i = 0; i < UTIL_NELEM(bad); i++) {
		why[0] = '\0';
		if (certsel_parse(&cs, bad[i], why, sizeof(why)) !=
		    ERR_MALFORMED)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_null(cs);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(certsel_list_parse(&l, bad, 2, why, sizeof(why)),
	    ERR_MALFORMED);
	assert_null(l);
}

static void
certsel_dn_der_matches_subject(void **state)
{
	struct wbuf	der, subj;
	char		why[X509_WHY_SIZE];

	wbuf_init(&der, 0);
	wbuf_init(&subj, 0);
	assert_int_equal(certsel_dn_to_der(GW_DN, &der, why, sizeof(why)), 0);
	assert_int_equal(cert_subject_der(gw, &subj), 0);
	assert_int_equal(der.wb_len, subj.wb_len);
	assert_memory_equal(der.wb_data, subj.wb_data, der.wb_len);
	wbuf_free(&der);
	wbuf_free(&subj);
}

/* ikecert -D and certificate selectors accept dotted OIDs as attributes. */
static void
certsel_dn_dotted_oid(void **state)
{
	static const char *const	bad[] = {
		"1=x", "1..2=x", "1.2.=x", "1.2a=x", "FOO=x",
	};
	const char	*dn = "1.3.6.1.4.1.99999.1=z, CN=oid";
	struct cert	*c;
	struct wbuf	der, subj, cn;
	char		why[X509_WHY_SIZE], buf[256];
	size_t		i;

	c = certtest_self_signed(PKEY_EC, 256, dn, NULL, 0, NULL);
	assert_non_null(c);
	assert_int_equal(cert_subject_text(c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, dn);

	wbuf_init(&der, 0);
	wbuf_init(&subj, 0);
	assert_int_equal(certsel_dn_to_der(dn, &der, why, sizeof(why)), 0);
	assert_int_equal(cert_subject_der(c, &subj), 0);
	assert_int_equal(der.wb_len, subj.wb_len);
	assert_memory_equal(der.wb_data, subj.wb_data, der.wb_len);
	cert_free(c);

	/* A known attribute by number is the same as by name. */
	wbuf_init(&cn, 0);
	wbuf_reset(&der);
	assert_int_equal(certsel_dn_to_der("2.5.4.3=oid", &der, why,
	    sizeof(why)), 0);
	assert_int_equal(certsel_dn_to_der("CN=oid", &cn, why, sizeof(why)),
	    0);
	assert_int_equal(der.wb_len, cn.wb_len);
	assert_memory_equal(der.wb_data, cn.wb_data, der.wb_len);

	for (i = 0; i < UTIL_NELEM(bad); i++) {
		wbuf_reset(&der);
		why[0] = '\0';
		if (certsel_dn_to_der(bad[i], &der, why, sizeof(why)) !=
		    ERR_MALFORMED)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(strstr(why, "unknown DN attribute"));
	}
	wbuf_free(&der);
	wbuf_free(&subj);
	wbuf_free(&cn);
}

/* A malformed DN gets an error that names the text and the form. */
static void
certsel_dn_syntax_errors(void **state)
{
	static const struct {
		const char	*dn;
		const char	*why;
	} dns[] = {
		{ "", "empty DN: expected NAME=value pairs" },
		{ "  ", "empty DN: expected NAME=value pairs" },
		{ "CN=gw,", "empty attribute at the end of the DN" },
		{ "CN=gw, O", "\"O\" has no \"=\": expected NAME=value" },
	};
	struct wbuf	der;
	char		why[X509_WHY_SIZE];
	size_t		i;

	wbuf_init(&der, 0);
	for (i = 0; i < UTIL_NELEM(dns); i++) {
		why[0] = '\0';
		wbuf_reset(&der);
		if (certsel_dn_to_der(dns[i].dn, &der, why, sizeof(why)) !=
		    ERR_MALFORMED)
			fail_msg("\"%s\" was accepted", dns[i].dn);
		if (strstr(why, dns[i].why) == NULL)
			fail_msg("\"%s\": got \"%s\", expected \"%s\"",
			    dns[i].dn, why, dns[i].why);
	}
	wbuf_free(&der);
}

/* The error for a value over the limit states the limit. */
static void
certsel_dn_value_too_long(void **state)
{
	char		dn[2048], why[X509_WHY_SIZE];
	struct wbuf	der;

	memcpy(dn, "CN=", 3);
	memset(dn + 3, 'a', sizeof(dn) - 4);
	dn[sizeof(dn) - 1] = '\0';
	wbuf_init(&der, 0);
	assert_int_equal(certsel_dn_to_der(dn, &der, why, sizeof(why)),
	    ERR_MALFORMED);
	assert_non_null(strstr(why, "value of CN longer than 1023 bytes"));
	wbuf_free(&der);
}

static void
cert_names_as_text(void **state)
{
	char	buf[256];

	assert_int_equal(cert_subject_text(gw, buf, sizeof(buf)), 0);
	assert_string_equal(buf, GW_DN);
	assert_int_equal(cert_issuer_text(gw, buf, sizeof(buf)), 0);
	assert_string_equal(buf, GW_DN);
	assert_int_equal(cert_subject_text(gw, buf, 10), ERR_TOOBIG);
	assert_int_equal(cert_altname(gw, CERT_ALT_IP, 0, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "192.0.2.1");
	assert_int_equal(cert_altname(gw, CERT_ALT_IP, 1, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(cert_altname(gw, CERT_ALT_IP, 2, buf, sizeof(buf)),
	    ERR_NOTFOUND);
	assert_int_equal(cert_altname(gw, CERT_ALT_DN, 0, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "C=US, O=Example\\, Inc., CN=alt");
	assert_int_equal(cert_altname(gw, CERT_ALT_RID, 0, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "1.3.6.1.4.1.99999.1");
	assert_int_equal(cert_altname(other, CERT_ALT_DNS, 0, buf,
	    sizeof(buf)), ERR_NOTFOUND);
	assert_true(cert_is_self_signed(gw));
}

static void
cert_dn_der_round_trip(void **state)
{
	struct wbuf	der;
	char		buf[256];

	wbuf_init(&der, 0);
	assert_int_equal(cert_issuer_der(gw, &der), 0);
	assert_int_equal(cert_dn_der_text(der.wb_data, der.wb_len, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, GW_DN);
	assert_int_equal(cert_dn_der_text(der.wb_data, der.wb_len - 1, buf,
	    sizeof(buf)), ERR_MALFORMED);
	assert_int_equal(cert_dn_der_text(der.wb_data, der.wb_len, buf, 8),
	    ERR_TOOBIG);
	assert_int_equal(cert_dn_der_text(der.wb_data, 0, buf, sizeof(buf)),
	    ERR_MALFORMED);
	wbuf_free(&der);
}

/*
 * Every truncation of a certificate, and bytes from a fixed-seed
 * generator, must be rejected without a crash (run under ASan too).
 */
static void
cert_parse_survives_junk(void **state)
{
	struct wbuf	 der;
	struct cert	*c;
	struct certsel	*cs;
	uint8_t		 junk[600];
	char		 text[64], why[X509_WHY_SIZE];
	size_t		 i, j, len;

	wbuf_init(&der, 0);
	assert_int_equal(cert_encode(gw, X509_FORMAT_DER, &der), 0);
	for (len = 0; len < der.wb_len; len++) {
		assert_int_equal(cert_parse_der(&c, der.wb_data, len, why,
		    sizeof(why)), ERR_MALFORMED);
		assert_null(c);
	}
	srand(4754);
	for (i = 0; i < 2000; i++) {
		memcpy(junk, der.wb_data, sizeof(junk) < der.wb_len ?
		    sizeof(junk) : der.wb_len);
		junk[rand() % sizeof(junk)] = (uint8_t)rand();
		junk[rand() % 8] = (uint8_t)rand();
		len = (size_t)rand() % sizeof(junk);
		if (cert_parse_der(&c, junk, len, why, sizeof(why)) == 0)
			cert_free(c);
		for (j = 0; j < sizeof(text) - 1; j++)
			text[j] = (char)(1 + rand() % 127);
		text[rand() % sizeof(text)] = '\0';
		text[sizeof(text) - 1] = '\0';
		if (certsel_parse(&cs, text, why, sizeof(why)) == 0) {
			(void)certsel_match(cs, gw, "1");
			certsel_free(cs);
		}
	}
	wbuf_free(&der);
}

static void
cert_id_matches(void **state)
{
	struct wbuf	subj;
	uint8_t		v4[4], v6[16];
	char		why[X509_WHY_SIZE];

	wbuf_init(&subj, 0);
	assert_int_equal(cert_subject_der(gw, &subj), 0);
	assert_int_equal(cert_match_id(gw, CERT_ID_DER_ASN1_DN, subj.wb_data,
	    subj.wb_len, why, sizeof(why)), 0);
	assert_int_equal(cert_match_id(other, CERT_ID_DER_ASN1_DN,
	    subj.wb_data, subj.wb_len, why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "is not the certificate subject"));
	/* Truncated DER, and DER with a trailing byte. */
	assert_int_equal(cert_match_id(gw, CERT_ID_DER_ASN1_DN, subj.wb_data,
	    subj.wb_len - 1, why, sizeof(why)), ERR_AUTH);
	assert_int_equal(wbuf_put_u8(&subj, 0), 0);
	assert_int_equal(cert_match_id(gw, CERT_ID_DER_ASN1_DN, subj.wb_data,
	    subj.wb_len, why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "not a valid DER Name"));
	wbuf_free(&subj);

	inet_pton(AF_INET, "192.0.2.1", v4);
	assert_int_equal(cert_match_id(gw, CERT_ID_IPV4_ADDR, v4, 4, why,
	    sizeof(why)), 0);
	v4[3] = 2;
	assert_int_equal(cert_match_id(gw, CERT_ID_IPV4_ADDR, v4, 4, why,
	    sizeof(why)), ERR_AUTH);
	assert_string_equal(why, "IP address identity 192.0.2.2 is not a "
	    "subjectAltName of the certificate");
	assert_int_equal(cert_match_id(gw, CERT_ID_IPV4_ADDR, v4, 3, why,
	    sizeof(why)), ERR_AUTH);
	inet_pton(AF_INET6, "2001:db8::1", v6);
	assert_int_equal(cert_match_id(gw, CERT_ID_IPV6_ADDR, v6, 16, why,
	    sizeof(why)), 0);
	assert_int_equal(cert_match_id(gw, CERT_ID_IPV4_ADDR, v6, 16, why,
	    sizeof(why)), ERR_AUTH);

	assert_int_equal(cert_match_id(gw, CERT_ID_FQDN,
	    (const uint8_t *)"GW.example.com", 14, why, sizeof(why)), 0);
	assert_int_equal(cert_match_id(gw, CERT_ID_FQDN,
	    (const uint8_t *)"gw.example.co", 13, why, sizeof(why)), ERR_AUTH);
	assert_int_equal(cert_match_id(gw, CERT_ID_FQDN,
	    (const uint8_t *)"gw.example.com\0x", 16, why, sizeof(why)),
	    ERR_AUTH);
	assert_int_equal(cert_match_id(gw, CERT_ID_USER_FQDN,
	    (const uint8_t *)"vpn@example.com", 15, why, sizeof(why)), 0);
	assert_int_equal(cert_match_id(gw, CERT_ID_USER_FQDN,
	    (const uint8_t *)"gw.example.com", 14, why, sizeof(why)),
	    ERR_AUTH);
	assert_int_equal(cert_match_id(gw, (enum cert_idtype)11,
	    (const uint8_t *)"x", 1, why, sizeof(why)), ERR_UNSUPPORTED);
}

static void
cert_parse_rejects_garbage(void **state)
{
	struct wbuf	 der;
	struct cert	*c;
	char		 why[X509_WHY_SIZE];

	wbuf_init(&der, 0);
	assert_int_equal(cert_encode(gw, X509_FORMAT_DER, &der), 0);
	assert_int_equal(cert_parse_der(&c, der.wb_data, der.wb_len, why,
	    sizeof(why)), 0);
	assert_true(cert_equal(c, gw));
	assert_false(cert_equal(c, other));
	cert_free(c);
	assert_int_equal(cert_parse_der(&c, der.wb_data, der.wb_len - 1, why,
	    sizeof(why)), ERR_MALFORMED);
	assert_null(c);
	assert_int_equal(wbuf_put_u8(&der, 0), 0);
	assert_int_equal(cert_parse_der(&c, der.wb_data, der.wb_len, why,
	    sizeof(why)), ERR_MALFORMED);
	assert_string_equal(why, "1 bytes after the DER certificate");
	assert_int_equal(cert_parse_der(&c, der.wb_data, 0, why, sizeof(why)),
	    ERR_MALFORMED);
	assert_int_equal(cert_parse(&c, (const uint8_t *)"hello", 5, why,
	    sizeof(why)), ERR_MALFORMED);
	wbuf_free(&der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(certsel_table),
		cmocka_unit_test(certsel_exclude_lists),
		cmocka_unit_test(certsel_invalid),
		cmocka_unit_test(certsel_dn_der_matches_subject),
		cmocka_unit_test(certsel_dn_dotted_oid),
		cmocka_unit_test(certsel_dn_syntax_errors),
		cmocka_unit_test(certsel_dn_value_too_long),
		cmocka_unit_test(cert_names_as_text),
		cmocka_unit_test(cert_dn_der_round_trip),
		cmocka_unit_test(cert_parse_survives_junk),
		cmocka_unit_test(cert_id_matches),
		cmocka_unit_test(cert_parse_rejects_garbage),
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
