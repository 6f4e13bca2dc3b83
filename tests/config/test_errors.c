/*
 * Invalid inputs of ike.config, ike.preshared and ipsecinit.conf, each
 * with the line and the message it must produce.  No input here resolves
 * a host name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/diag.h"
#include "config/parse.h"
#include "lib/err.h"

enum kind { CONF, PSK, POL };

struct bad_input {
	enum kind	 kind;
	const char	*text;
	unsigned int	 line;
	const char	*message;	/* expected substring */
};

#define XF	"p1_xform { auth_method preshared oakley_group 14 " \
		"encr_alg aes auth_alg sha256 }\n"
#define CERTXF	"p1_xform { auth_method rsa_sig oakley_group 14 " \
		"encr_alg aes auth_alg sha256 }\n"
#define RULE(body) "{\nlabel \"r\"\nlocal_addr 192.0.2.1\n" \
		"remote_addr 198.51.100.1\n" body "}\n"

static const struct bad_input bad_inputs[] = {
	/* ike.config: keywords and values */
	{ CONF, "foo 1\n", 1, "unknown keyword 'foo'" },
	/* A word that does not look like a keyword is shown as its length. */
	{ CONF, "\xc3\xa9t\xe9 1\n", 1,
	    "unknown keyword (4 characters, not shown)" },
	{ CONF, "root:*:20228:0:99999:7:::\n", 1,
	    "unknown keyword (25 characters, not shown)" },
	{ CONF, "retry_limit $6$abc\n", 1,
	    "invalid retry_limit (6 characters, not shown)" },
	{ CONF, "\n" XF "p1_xform { auth_method preshared oakley_group 13 "
	    "encr_alg aes auth_alg sha1 }\n", 3, "invalid oakley_group 13: "
	    "expected one of 1 2 5 14 15 16 17 18 19 20 21" },
	{ CONF, "p1_xform { oakley_group abc }\n", 1,
	    "invalid oakley_group 'abc'" },
	{ CONF, "p1_xform { auth_method preshared oakley_group 14\n"
	    "encr_alg rc5 auth_alg sha1 }\n", 2, "invalid encr_alg 'rc5'" },
	{ CONF, "p1_xform { auth_method preshared oakley_group 14 "
	    "encr_alg aes\nauth_alg sha3 }\n", 2, "invalid auth_alg 'sha3'" },
	{ CONF, "p1_xform { auth_method psk }\n", 1,
	    "invalid auth_method 'psk': expected one of preshared" },
	{ CONF, "p1_xform { encr_alg aes(100) }\n", 1,
	    "invalid encr_alg key size '100'" },
	{ CONF, "p1_xform { encr_alg aes(256..128) }\n", 1,
	    "write the smaller size first" },
	{ CONF, "p1_xform { encr_alg 3des(192) }\n", 1,
	    "only aes takes a key size" },
	{ CONF, "p1_xform { encr_alg aes(128 auth_alg sha1 }\n", 1,
	    "expected ')'" },
	{ CONF, "p1_xform { auth_method preshared oakley_group 14 "
	    "encr_alg aes }\n", 1, "p1_xform has no auth_alg" },
	{ CONF, "p1_xform { auth_method preshared auth_alg sha1 "
	    "encr_alg aes }\n", 1, "p1_xform has no oakley_group" },
	{ CONF, "p1_xform { auth_method preshared auth_method rsa_sig }\n", 1,
	    "duplicate auth_method" },
	{ CONF, "p1_xform auth_method preshared\n", 1,
	    "p1_xform must be followed by { ... }" },
	{ CONF, "p1_xform { p1_xform { } }\n", 1,
	    "not allowed inside another p1_xform" },
	{ CONF, "\nauth_method preshared\n", 2,
	    "auth_method is only valid inside p1_xform" },
	{ CONF, XF "{\nlabel \"r\"\noakley_group 14\n}\n", 4,
	    "oakley_group is only valid inside p1_xform" },
	{ CONF, "label \"top\"\n", 1, "label is a rule keyword" },
	{ CONF, "local_addr 192.0.2.1\n", 1, "local_addr is a rule keyword" },
	{ CONF, XF RULE("p1_nonce_len 20\n"), 6,
	    "p1_nonce_len is a global parameter and cannot be set inside "
	    "a rule" },
	{ CONF, XF RULE("p2_nonce_len 20\n"), 6,
	    "p2_nonce_len is a global parameter" },
	{ CONF, XF RULE("p1_lifetime_secs 600\n"), 6,
	    "p1_lifetime_secs cannot be set inside a rule" },
	{ CONF, XF "p1_xform { p2_pfs 2 }\n", 2,
	    "p2_pfs is not valid inside p1_xform" },

	/* ike.config: rules */
	{ CONF, XF "{\nlocal_addr 192.0.2.1\nremote_addr 192.0.2.2\n}\n", 2,
	    "rule has no label" },
	{ CONF, XF "{\nlabel \"a\"\nlocal_addr 192.0.2.1\n"
	    "remote_addr 2001:db8::1\n}\n", 2, "rule \"a\" can never match: "
	    "its local_addr and remote_addr have no address family" },
	{ CONF, XF "{\nlabel \"a\"\nremote_addr 192.0.2.2\n}\n", 2,
	    "rule has no local_addr" },
	{ CONF, XF "{\nlabel \"a\"\nlocal_addr 192.0.2.2\n}\n", 2,
	    "rule has no remote_addr" },
	{ CONF, XF RULE("") RULE(""), 7, "duplicate label \"r\": the rule at "
	    "line 2 already uses it" },
	{ CONF, RULE(""), 1, "has no p1_xform and there is no global "
	    "p1_xform" },
	{ CONF, RULE(XF CERTXF), 1, "mixes preshared and certificate" },
	{ CONF, RULE("local_id_type dn\nlocal_id \"CN=a\"\n"
	    "remote_id \"CN=b\"\n" CERTXF "p1_xform { auth_method "
	    "rsa_encrypt oakley_group 14 encr_alg aes auth_alg sha256 }\n"), 1,
	    "mixes public key encryption (rsa_encrypt, rsa_encrypt_rev) and "
	    "signature p1_xforms: one RSA key must not both decrypt and sign" },
	{ CONF, RULE("local_id_type dn\nremote_id \"CN=b\"\n" CERTXF), 1,
	    "uses certificates but has no local_id" },
	{ CONF, RULE("local_id_type dn\nlocal_id \"CN=a\"\n" CERTXF), 1,
	    "uses certificates but has no remote_id" },
	{ CONF, RULE("local_id \"CN=a\"\nremote_id \"CN=b\"\n" CERTXF), 1,
	    "uses certificates but has no local_id_type" },
	{ CONF, XF RULE("local_id \"CN=a\"\n"), 2, "remove local_id" },
	{ CONF, XF RULE("remote_id \"CN=b\"\n"), 2, "remove remote_id" },
	{ CONF, XF RULE("label \"again\"\n"), 6, "duplicate label" },
	{ CONF, XF RULE("local_id \"!CN=a\"\n"), 6, "cannot be negated" },
	{ CONF, "\ncert_trust \"ISSUER=\"\n", 2,
	    "invalid cert_trust 'ISSUER='" },
	{ CONF, XF RULE("remote_id \"EMAIL=\"\n"), 6,
	    "invalid remote_id 'EMAIL='" },
	{ CONF, XF RULE("local_id_type bogus\n"), 6,
	    "invalid local_id_type 'bogus'" },
	{ CONF, XF "{\nlabel \"\"\n}\n", 3, "empty label" },
	{ CONF, XF "{\nlabel \"r\"\nlocal_addr 192.0.2.1\n", 2,
	    "rule is not closed" },
	{ CONF, "\n}\n", 2, "unexpected '}'" },
	{ CONF, XF "{\nlabel \"r\"\n{\n}\n}\n", 4, "unexpected '{'" },

	/* ike.config: addresses */
	{ CONF, XF "{\nlocal_addr 192.0.2.300\n}\n", 3,
	    "local_addr: invalid address '192.0.2.300'" },
	{ CONF, XF "{\nlocal_addr 192.0.2.0/33\n}\n", 3,
	    "invalid prefix length '33': expected 0 to 32" },
	{ CONF, XF "{\nremote_addr 2001:db8::/129\n}\n", 3,
	    "invalid prefix length '129': expected 0 to 128" },
	{ CONF, XF "{\nlocal_addr 192.0.2.0/255.0.255.0\n}\n", 3,
	    "invalid mask '255.0.255.0'" },
	{ CONF, XF "{\nlocal_addr 192.0.2.9 - 192.0.2.1\n}\n", 3,
	    "starts after it ends" },
	{ CONF, XF "{\nlocal_addr 192.0.2.1-2001:db8::1\n}\n", 3,
	    "mixes IPv4 and IPv6" },

	/* ike.config: numbers, timers, lifetimes */
	{ CONF, "expire_timer 0\n", 1, "invalid expire_timer 0: expected 1 "
	    "to 86400 seconds" },
	{ CONF, "\nretry_limit five\n", 2, "invalid retry_limit 'five'" },
	{ CONF, "retry_limit 08\n", 1, "invalid retry_limit '08'" },
	{ CONF, "max_half_open 0\n", 1,
	    "invalid max_half_open 0: expected 1 to 4096 exchanges" },
	{ CONF, "max_half_open 4097\n", 1,
	    "invalid max_half_open 4097: expected 1 to 4096 exchanges" },
	{ CONF, "retry_timer_init 1e3\n", 1, "invalid retry_timer_init "
	    "'1e3'" },
	{ CONF, "retry_timer_init 0.0\n", 1, "invalid retry_timer_init "
	    "'0.0': expected 0.001 to 3600 seconds" },
	{ CONF, "\nretry_timer_init 0.0001\n", 2, "invalid retry_timer_init "
	    "'0.0001': expected 0.001 to 3600 seconds" },
	{ CONF, "retry_timer_init 2\nretry_timer_max 1\n", 2,
	    "invalid retry_timer_max 1000 ms" },
	{ CONF, "p1_lifetime_secs 9\n", 1, "invalid p1_lifetime_secs 9: "
	    "expected 10" },
	{ CONF, "p1_xform { auth_method preshared oakley_group 14 encr_alg "
	    "aes auth_alg sha1\np1_lifetime_secs 5 }\n", 2,
	    "invalid p1_lifetime_secs 5: expected at least 10" },
	{ CONF, "p1_nonce_len 4\n", 1, "invalid p1_nonce_len 4: expected 8 "
	    "to 256 bytes" },
	{ CONF, "p2_nonce_len 300\n", 1, "invalid p2_nonce_len 300" },
	{ CONF, "p2_pfs 3\n", 1, "invalid p2_pfs 3: expected 0 (no PFS)" },
	{ CONF, "p2_lifetime_secs 3600\np2_softlife_secs 4000\n", 2,
	    "p2_softlife_secs 4000 is larger than p2_lifetime_secs 3600" },
	{ CONF, XF RULE("p2_lifetime_secs 600\np2_softlife_secs 700\n"), 7,
	    "p2_softlife_secs 700 is larger than p2_lifetime_secs 600" },
	{ CONF, "p2_lifetime_kb 100\np2_softlife_kb 200\n", 2,
	    "p2_softlife_kb 200 is larger than p2_lifetime_kb 100" },
	{ CONF, "p2_lifetime_secs 10\n", 1, "invalid p2_lifetime_secs 10" },
	{ CONF, "dpd_retries 0\n", 1, "invalid dpd_retries 0: expected 1 to "
	    "100" },
	{ CONF, XF RULE("dpd_interval 90000\n"), 6,
	    "invalid dpd_interval 90000" },
	{ CONF, "p2_lifetime_secs 4294967296\n", 1,
	    "invalid p2_lifetime_secs '4294967296': expected 60 to 4294967295 "
	    "seconds" },
	/* A value that is no number names the keyword's own range. */
	{ CONF, "dpd_interval -1\n", 1, "invalid dpd_interval '-1': expected "
	    "0 to 86400 seconds (decimal, 0x hex or 0 octal)" },
	{ CONF, "dpd_retries x\n", 1, "invalid dpd_retries 'x': expected 1 "
	    "to 100 probes" },
	{ CONF, "expire_timer -5\n", 1, "invalid expire_timer '-5': expected "
	    "1 to 86400 seconds" },
	{ CONF, "retry_limit -1\n", 1, "invalid retry_limit '-1': expected 0 "
	    "to 100 retransmissions" },
	{ CONF, "max_half_open -1\n", 1, "invalid max_half_open '-1': "
	    "expected 1 to 4096 exchanges" },
	{ CONF, "p1_lifetime_secs -1\n", 1, "invalid p1_lifetime_secs '-1': "
	    "expected 10 to 4294967295 seconds" },
	{ CONF, "p1_nonce_len -1\n", 1, "invalid p1_nonce_len '-1': expected "
	    "8 to 256 bytes" },
	{ CONF, "p2_nonce_len 1k\n", 1, "invalid p2_nonce_len '1k': expected "
	    "8 to 256 bytes" },
	{ CONF, "p2_pfs -1\n", 1, "invalid p2_pfs '-1': expected 0 (no PFS) "
	    "or one of 1 2 5 14" },
	{ CONF, "p2_idletime_secs -1\n", 1, "invalid p2_idletime_secs '-1': "
	    "expected a number from 0 to 4294967295" },
	{ CONF, "retry_timer_init -1\n", 1, "invalid retry_timer_init '-1': "
	    "expected 0.001 to 3600 seconds, such as 2 or 0.5" },
	{ CONF, "expire_timer 30\nexpire_timer 40\n", 2,
	    "duplicate expire_timer: already set at line 1" },
	{ CONF, "expire_timer\nretry_limit 3\n", 1,
	    "missing value after expire_timer" },
	{ CONF, "ldap_server \"ldap1:389,ldap2:99999\"\n", 1,
	    "invalid port in ldap_server entry 'ldap2:99999'" },
	{ CONF, "\nproxy \"http://a\nb\"\n", 2, "unterminated string" },
	{ CONF, "retry_limit \x01\n", 1, "invalid control character 0x01" },
	/* Quoted values reach logs and ikeadm output: no control bytes. */
	{ CONF, "{\nlabel \"we\x1b[2Jird\"\n}\n", 2, "invalid control "
	    "character 0x1b in the value of label (byte 3): remove it" },
	{ CONF, RULE("remote_id \"CN=a\x07\"\n"), 5, "invalid control "
	    "character 0x07 in the value of remote_id (byte 5)" },
	{ CONF, "proxy \"http://a\tb\"\n", 1, "invalid control character "
	    "0x09 in the value of proxy (byte 9)" },
	{ CONF, "\n{\nlabel \"a\x7f\"\n}\n", 3, "invalid control "
	    "character 0x7f in the value of label (byte 2)" },

	/* ike.preshared */
	{ PSK, "{\nlocalidtype fqdn\nlocalid \"a\x1b.example.com\"\n"
	    "remoteid 192.0.2.2\nkey 0102\n}\n", 3, "invalid control "
	    "character 0x1b in the value of localid (byte 2): remove it" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteidtype dn\nremoteid "
	    "\"CN=b\x7f\"\nkey 0102\n}\n", 4, "invalid control character "
	    "0x7f in the value of remoteid (byte 5)" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\n}\n", 1,
	    "preshared entry has no key" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey abc\n}\n", 4,
	    "invalid key: expected an even number of hex digits" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey 0xzz11\n}\n", 4,
	    "invalid key" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey \"\"\n}\n", 4,
	    "empty key" },
	{ PSK, "{\nlocalid gw.example.net\nremoteid 192.0.2.2\nkey 00\n}\n",
	    2, "host names are not allowed" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey 00\n"
	    "bogus x\n}\n", 5, "unknown keyword (5 characters, not shown)" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey 00\n"
	    "ike_mode fast\n}\n", 5, "invalid ike_mode 'fast'" },
	{ PSK, "{\nlocalidtype foo\nlocalid 192.0.2.1\nremoteid 192.0.2.2\n"
	    "key 00\n}\n", 2, "invalid localidtype 'foo'" },
	{ PSK, "{\nlocalidtype ipv4\nlocalid 2001:db8::1\n"
	    "remoteid 192.0.2.2\nkey 00\n}\n", 3,
	    "does not match localidtype ipv4" },
	{ PSK, "{\nremoteidtype ipv4_prefix\nlocalid 192.0.2.1\n"
	    "remoteid 192.0.2.2\nkey 00\n}\n", 4, "expected an IPv4 prefix" },
	{ PSK, "{ localid 192.0.2.1 remoteid 192.0.2.2 key 00 }\n"
	    "{ localid 192.0.2.1 remoteid 192.0.2.2 key 01 }\n", 2,
	    "duplicate preshared entry: the entry at line 1" },
	{ PSK, "{\nlocalid 192.0.2.1\nkey 00\n}\n", 1,
	    "preshared entry has no remoteid" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey 00\n", 1,
	    "preshared entry is not closed" },
	{ PSK, "\nlocalid 192.0.2.1\n", 2, "unexpected text outside an entry" },
	{ PSK, "  # a comment not in column 1\n", 1,
	    "unexpected text outside an entry" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey 00\nkey 11\n}\n",
	    5, "duplicate key" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey 00\n"
	    "localid 192.0.2.3\n}\n", 5, "duplicate localid" },

	/* ipsecinit.conf */
	{ POL, "{ tunnel ip.tun0 laddr 192.0.2.1 } ipsec { encr_algs aes }\n",
	    1, "tsrc A tdst B" },
	{ POL, "\n{ tsrc 192.0.2.1 tdst 192.0.2.2 negotiate transport } ipsec "
	    "{ encr_algs aes }\n", 2, "negotiate transport conflicts with "
	    "tsrc/tdst" },
	{ POL, "{ laddr 192.0.2.1 negotiate tunnel } ipsec { encr_algs aes "
	    "}\n", 1, "negotiate tunnel needs the outer addresses" },
	{ POL, "{ tsrc 192.0.2.1 } ipsec { encr_algs aes }\n", 1,
	    "needs both tsrc" },
	{ POL, "{ tsrc 192.0.2.0/24 tdst 192.0.2.9 } ipsec { encr_algs aes "
	    "}\n", 1, "expected the single local tunnel endpoint" },
	{ POL, "{ tsrc 192.0.2.1 tdst 2001:db8::1 } ipsec { encr_algs aes }\n",
	    1, "tsrc and tdst are of different address families" },
	{ POL, "{ foo 1 } ipsec { encr_algs aes }\n", 1,
	    "unknown pattern keyword 'foo'" },
	{ POL, "{ lport 1 } encrypt { encr_algs aes }\n", 1,
	    "invalid action 'encrypt'" },
	{ POL, "{ lport 1 } ipsec { encr_algs rc4 }\n", 1,
	    "invalid encr_algs 'rc4'" },
	{ POL, "{ lport 1 } ipsec { encr_auth_algs none }\n", 1,
	    "encr_auth_algs none without encr_algs selects no protection" },
	{ POL, "{ lport 1 } ipsec { encr_algs null }\n", 1,
	    "encr_algs null without an encr_auth_algs algorithm allows ESP "
	    "with neither encryption nor integrity" },
	{ POL, "\n{ lport 1 } ipsec { encr_algs null encr_auth_algs none }\n",
	    2, "encr_algs null without an encr_auth_algs algorithm" },
	{ POL, "{ lport 1 } ipsec { auth_algs none }\n", 1,
	    "ipsec needs auth_algs, encr_algs or encr_auth_algs in its "
	    "properties, other than none" },
	{ POL, "{ lport 1 } ipsec { auth_algs sha3 }\n", 1,
	    "invalid auth_algs 'sha3'" },
	{ POL, "{ lport 1 } ipsec { encr_algs 99 }\n", 1,
	    "invalid encr_algs '99'" },
	{ POL, "{ lport 1 } ipsec { encr_algs aes(100) }\n", 1,
	    "invalid key size 100..100 for encr_algs aes-cbc: expected 128 "
	    "to 256 bits in steps of 64" },
	{ POL, "{ lport 1 } ipsec { encr_algs 3des(128) }\n", 1,
	    "it has only 192-bit keys" },
	{ POL, "{ lport 1 } ipsec { encr_algs aes() }\n", 1,
	    "invalid key size for encr_algs aes-cbc" },
	{ POL, "{ lport 1 } bypass { encr_algs aes }\n", 1,
	    "bypass takes no algorithms" },
	{ POL, "{ lport 1 } ipsec { sa shared }\n", 1,
	    "ipsec needs auth_algs, encr_algs or encr_auth_algs" },
	{ POL, "{ lport 1 dir both } bypass { sa unique }\n", 1,
	    "sa unique is not allowed with bypass" },
	{ POL, "{ lport 1 } ipsec { encr_algs aes sa private }\n", 1,
	    "invalid sa 'private': expected shared or unique" },
	{ POL, "{ type echo } bypass { }\n", 1, "type and code need ulp icmp" },
	{ POL, "{ ulp icmp type bogus } bypass { }\n", 1,
	    "invalid type 'bogus'" },
	{ POL, "{ ulp icmp code 255 } bypass { }\n", 1, "invalid code '255'" },
	{ POL, "{ raddr 192.0.2.0/24 } ipsec { encr_algs aes }\n"
	    "or ipsec { encr_algs 3des }\n", 2, "'or' must follow '}' on the "
	    "same line" },
	{ POL, "{ raddr 192.0.2.0/24 } ipsec { encr_algs aes } or bypass { "
	    "}\n", 1, "'or' joins only ipsec" },
	{ POL, "{ laddr 192.0.2.1 laddr 192.0.2.2 } bypass { }\n", 1,
	    "duplicate laddr" },
	{ POL, "{ lport 1 } ipsec { encr_algs aes encr_algs 3des }\n", 1,
	    "duplicate encr_algs" },
	{ POL, "{ lport 70000 } bypass { }\n", 1, "invalid lport 70000" },
	{ POL, "{ rport no-such-service } bypass { }\n", 1,
	    "invalid rport 'no-such-service'" },
	{ POL, "{ ulp no-such-protocol } bypass { }\n", 1,
	    "invalid ulp 'no-such-protocol'" },
	{ POL, "{ lport 1 } bypass { } { lport 2 } bypass { }\n", 1,
	    "a policy entry must start on a new line" },
	{ POL, "{ lport 1 }\nbypass { }\n", 1, "missing action after '}'" },
	{ POL, "{ saddr 192.0.2.1 smask 255.0.255.0 } apply { encr_algs aes "
	    "}\n", 1, "invalid smask '255.0.255.0'" },
	{ POL, "{ lport 1 dir in } apply { encr_algs aes }\n", 1,
	    "dir conflicts with the action apply" },
	{ POL, "{ laddr 192.0.2.1 raddr 2001:db8::1 } bypass { }\n", 1,
	    "laddr and raddr are of different address families" },
	{ POL, "{ laddr 192.0.2.1-192.0.2.9 } bypass { }\n", 1,
	    "address ranges are not allowed here" },
	{ POL, "{ laddr 192.0.2.1/40 } bypass { }\n", 1,
	    "prefix length 40 is longer than the address" },
	{ POL, "{ laddr 192.0.2.300 } bypass { }\n", 1,
	    "invalid laddr '192.0.2.300'" },
	{ POL, "{ laddr 192.0.2.1 saddr 192.0.2.2 } apply { encr_algs aes }\n",
	    1, "gives the local side twice" },
	{ POL, "lport 1\n", 1, "expected '{' to start a policy entry" },
	{ POL, "{ lport 1 dir $x$ } bypass { }\n", 1,
	    "invalid dir (3 characters, not shown)" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey 00\n"
	    "ike_mode $6$x\n}\n", 5, "invalid ike_mode (4 characters, not "
	    "shown)" },
	{ POL, "{ lport 1 } root:x:0 { }\n", 1,
	    "invalid action (8 characters, not shown)" },
	{ POL, "{ root:x:0 1 } bypass { }\n", 1,
	    "unknown pattern keyword (8 characters, not shown)" },
	{ POL, "{ lport 1 } ipsec { root:x:0 1 }\n", 1,
	    "unknown property (8 characters, not shown)" },
	{ PSK, "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey \"a#b\" # note\n"
	    "}\n", 4, "unknown keyword (1 character, not shown): expected "
	    "localidtype, localid, remoteidtype, remoteid, ike_mode or key "
	    "(a comment must start with '#' in column 1 of its own line)" },
};

static int
parse(enum kind kind, const char *text, struct config *cf,
    struct config_diag *diag)
{
	size_t	len = strlen(text);
	int	rc;

	switch (kind) {
	case CONF:
		rc = ikeconf_parse(cf, "t", text, len, diag);
		if (config_validate(cf, diag) != 0)
			rc = ERR_CONFIG;
		return (rc);
	case PSK:
		return (preshared_parse(cf, "t", text, len, diag));
	default:
		return (ipsecinit_parse(cf, "t", text, len, diag));
	}
}

static int
diag_has(const struct config_diag *diag, unsigned int line, const char *sub)
{
	char	prefix[32];
	size_t	i;

	snprintf(prefix, sizeof(prefix), "t:%u: ", line);
	for (i = 0; i < diag->cd_n; i++) {
		if (strncmp(diag->cd_msgs[i], prefix, strlen(prefix)) == 0 &&
		    strstr(diag->cd_msgs[i], sub) != NULL)
			return (1);
	}
	return (0);
}

static void
bad_inputs_are_reported(void **state)
{
	struct config_diag	 diag;
	struct config		*cf;
	size_t			 i, j, failed = 0;

	assert_true(sizeof(bad_inputs) / sizeof(bad_inputs[0]) >= 60);
	for (i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad_input	*b = &bad_inputs[i];

		cf = config_new();
		assert_non_null(cf);
		diag_init(&diag);
		if (parse(b->kind, b->text, cf, &diag) == 0 ||
		    !diag_has(&diag, b->line, b->message)) {
			print_error("case %zu: expected line %u '%s'; got:\n",
			    i, b->line, b->message);
			for (j = 0; j < diag.cd_n; j++)
				print_error("  %s\n", diag.cd_msgs[j]);
			failed++;
		}
		diag_free(&diag);
		config_free(cf);
	}
	assert_int_equal(failed, 0);
}

/* Parsing goes on after an error, so one run reports all of them. */
static void
all_errors_reported(void **state)
{
	static const char	 text[] =
	    "retry_limit many\n"
	    "p2_pfs 3\n"
	    "bogus 1\n"
	    "p1_xform { auth_method preshared oakley_group 99 encr_alg aes "
	    "auth_alg sha1 }\n"
	    "{\n"
	    "  label \"r\"\n"
	    "  local_addr 192.0.2.999\n"
	    "  remote_addr 198.51.100.1\n"
	    "}\n"
	    "{\n"
	    "  label \"r\"\n"
	    "  local_addr 192.0.2.1\n"
	    "  remote_addr 198.51.100.1\n"
	    "}\n";
	struct config_diag	 diag;
	struct config		*cf = config_new();

	diag_init(&diag);
	assert_int_not_equal(parse(CONF, text, cf, &diag), 0);
	assert_true(diag_has(&diag, 1, "invalid retry_limit 'many'"));
	assert_true(diag_has(&diag, 2, "invalid p2_pfs 3"));
	assert_true(diag_has(&diag, 3, "unknown keyword 'bogus'"));
	assert_true(diag_has(&diag, 4, "invalid oakley_group 99"));
	assert_true(diag_has(&diag, 7, "invalid address '192.0.2.999'"));
	assert_true(diag_has(&diag, 10, "duplicate label \"r\""));
	/* The rule without a valid local_addr also lacks one. */
	assert_true(diag_has(&diag, 5, "rule has no local_addr"));
	assert_int_equal(diag_count(&diag), 7);
	diag_free(&diag);
	config_free(cf);
}

/*
 * An entry that repeats one of an earlier file in the same configuration
 * (ikeadm adds to the running keys this way) is a duplicate, reported
 * with both places and the ids; only duplicates give ERR_EXISTS.
 */
static void
preshared_duplicates_across_files(void **state)
{
	static const char	 running[] =
	    "{ localid 198.51.100.1 remoteid 198.51.100.40 key 1111 }\n";
	static const char	 added[] =
	    "{\n localid 198.51.100.1\n remoteid 198.51.100.40\n key 2222\n}\n";
	static const char	 other[] =
	    "{ localid 198.51.100.1 remoteid 198.51.100.41 key 3333 }\n";
	static const char	 mixed[] =
	    "{ localid 198.51.100.1 remoteid 198.51.100.41 key 44 }\n"
	    "{ key 1 }\n";
	struct config_diag	 diag;
	struct config		*cf = config_new();

	assert_non_null(cf);
	diag_init(&diag);
	assert_int_equal(preshared_parse(cf, "running", running,
	    strlen(running), &diag), 0);
	assert_int_equal(preshared_parse(cf, "t", added, strlen(added),
	    &diag), ERR_EXISTS);
	assert_true(diag_has(&diag, 1, "duplicate preshared entry: the entry "
	    "at running:1 has the same localid 198.51.100.1 and remoteid "
	    "198.51.100.40"));
	assert_int_equal(cf->cf_npsks, 1);
	assert_int_equal(preshared_parse(cf, "t", other, strlen(other),
	    &diag), 0);
	assert_int_equal(cf->cf_npsks, 2);
	/* A duplicate with another error is invalid data, not a duplicate. */
	assert_int_equal(preshared_parse(cf, "t", mixed, strlen(mixed),
	    &diag), ERR_CONFIG);
	assert_int_equal(cf->cf_npsks, 2);
	diag_free(&diag);
	config_free(cf);
}

/* A label that a rule of an earlier file uses is named with that file. */
static void
labels_duplicate_across_files(void **state)
{
	static const char	 rule[] =
	    "{ label \"r\" local_addr 192.0.2.1 remote_addr 198.51.100.1\n"
	    "  p1_xform { auth_method preshared oakley_group 14 "
	    "encr_alg aes auth_alg sha256 } }\n";
	struct config_diag	 diag;
	struct config		*cf = config_new();
	size_t			 i;
	int			 found = 0;

	assert_non_null(cf);
	diag_init(&diag);
	assert_int_equal(ikeconf_parse(cf, "running", rule, strlen(rule),
	    &diag), 0);
	assert_int_equal(ikeconf_parse(cf, "t", rule, strlen(rule), &diag),
	    0);
	assert_int_not_equal(config_validate(cf, &diag), 0);
	for (i = 0; i < diag.cd_n; i++)
		if (strcmp(diag.cd_msgs[i], "t:1: duplicate label \"r\": the "
		    "rule at running:1 already uses it; labels must be "
		    "unique") == 0)
			found = 1;
	assert_true(found);
	diag_free(&diag);
	config_free(cf);
}

static void
policy_errors_resynchronise(void **state)
{
	static const char	 text[] =
	    "{ lport bogus-service } bypass { }\n"
	    "{ laddr 192.0.2.1 } ipsec\n"
	    "    { encr_algs rc4 }\n"
	    "{ lport 53 } bypass { }\n"
	    "{ rport 1 } drop { encr_algs aes }\n";
	struct config_diag	 diag;
	struct config		*cf = config_new();

	diag_init(&diag);
	assert_int_not_equal(parse(POL, text, cf, &diag), 0);
	assert_true(diag_has(&diag, 1, "invalid lport 'bogus-service'"));
	assert_true(diag_has(&diag, 3, "invalid encr_algs 'rc4'"));
	assert_true(diag_has(&diag, 5, "drop takes no algorithms"));
	assert_int_equal(diag_count(&diag), 3);
	/* The valid entry is kept. */
	assert_int_equal(cf->cf_nspds, 1);
	diag_free(&diag);
	config_free(cf);
}

/* No message may contain key material, whatever the mistake. */
static void
preshared_errors_hide_keys(void **state)
{
	static const char	 text[] =
	    "deadbeefcafe\n"
	    "{\n"
	    "localid 192.0.2.1\n"
	    "remoteid 192.0.2.2\n"
	    "key 0123456789abcdef0\n"
	    "}\n"
	    "{ localid 192.0.2.3 remoteid 192.0.2.4 feedfacefeed }\n";
	struct config_diag	 diag;
	struct config		*cf = config_new();
	size_t			 i;

	diag_init(&diag);
	assert_int_not_equal(parse(PSK, text, cf, &diag), 0);
	assert_int_equal(diag_count(&diag), 4);
	for (i = 0; i < diag.cd_n; i++) {
		assert_null(strstr(diag.cd_msgs[i], "deadbeef"));
		assert_null(strstr(diag.cd_msgs[i], "0123456789"));
		assert_null(strstr(diag.cd_msgs[i], "feedface"));
	}
	diag_free(&diag);
	config_free(cf);
}

/*
 * Lines of a file given by mistake (ikeadm read rule /etc/shadow) must
 * not reach a message or the log, in any of the three formats.
 */
static void
file_contents_not_echoed(void **state)
{
	static const char	 shadow[] =
	    "root:*:20228:0:99999:7:::\n"
	    "daemon:$y$j9T$secrethash:20228::::::\n"
	    "root:x:0:0:root:/root:/bin/bash\n";
	static const enum kind	 kinds[] = { CONF, PSK, POL };
	struct config_diag	 diag;
	struct config		*cf;
	size_t			 i, j;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cf = config_new();
		assert_non_null(cf);
		diag_init(&diag);
		assert_int_not_equal(parse(kinds[i], shadow, cf, &diag), 0);
		assert_true(diag.cd_n > 0);
		for (j = 0; j < diag.cd_n; j++) {
			if (strstr(diag.cd_msgs[j], "root") != NULL ||
			    strstr(diag.cd_msgs[j], "secrethash") != NULL ||
			    strstr(diag.cd_msgs[j], "20228") != NULL)
				print_error("kind %zu echoes: %s\n", i,
				    diag.cd_msgs[j]);
			assert_null(strstr(diag.cd_msgs[j], "root"));
			assert_null(strstr(diag.cd_msgs[j], "secrethash"));
			assert_null(strstr(diag.cd_msgs[j], "20228"));
		}
		diag_free(&diag);
		config_free(cf);
	}
}

/* A global soft lifetime above the hard one is one error, not one per rule. */
static void
softlife_reported_once(void **state)
{
	static const char	 text[] =
	    "p2_lifetime_secs 3600\n"
	    "p2_softlife_secs 4000\n"
	    XF
	    "{ label \"a\" local_addr 192.0.2.1 remote_addr 198.51.100.1 }\n"
	    "{ label \"b\" local_addr 192.0.2.1 remote_addr 198.51.100.2 }\n";
	struct config_diag	 diag;
	struct config		*cf = config_new();

	assert_non_null(cf);
	diag_init(&diag);
	assert_int_not_equal(parse(CONF, text, cf, &diag), 0);
	assert_true(diag_has(&diag, 2, "p2_softlife_secs 4000 is larger than "
	    "p2_lifetime_secs 3600"));
	assert_int_equal(diag_count(&diag), 1);
	diag_free(&diag);
	config_free(cf);
}

/* An entry without its '{' gives one message, not one per word. */
static void
preshared_missing_brace_once(void **state)
{
	static const char	 text[] =
	    "localid 192.0.2.1\n"
	    "remoteid 192.0.2.2\n"
	    "key 00\n"
	    "}\n"
	    "{ localid 192.0.2.1 remoteid 192.0.2.3 key 11 }\n";
	struct config_diag	 diag;
	struct config		*cf = config_new();

	assert_non_null(cf);
	diag_init(&diag);
	assert_int_equal(parse(PSK, text, cf, &diag), ERR_CONFIG);
	assert_true(diag_has(&diag, 1, "unexpected text outside an entry: "
	    "expected '{' to start a preshared entry"));
	assert_int_equal(diag_count(&diag), 1);
	/* The entry after the stray text is read. */
	assert_int_equal(cf->cf_npsks, 1);
	diag_free(&diag);
	config_free(cf);
}

/* An overlong key: one message that names key and its limit. */
static void
preshared_long_key(void **state)
{
	static const char	 head[] =
	    "{\nlocalid 192.0.2.1\nremoteid 192.0.2.2\nkey ";
	struct config_diag	 diag;
	struct config		*cf = config_new();
	size_t			 keylen = 100 * 1024, len;
	char			*text;

	assert_non_null(cf);
	len = strlen(head) + keylen + 3;
	text = malloc(len + 1);
	assert_non_null(text);
	memcpy(text, head, strlen(head));
	memset(text + strlen(head), 'a', keylen);
	memcpy(text + strlen(head) + keylen, "\n}\n", 4);
	diag_init(&diag);
	assert_int_equal(preshared_parse(cf, "t", text, len, &diag),
	    ERR_CONFIG);
	assert_true(diag_has(&diag, 4, "key longer than 1024 characters, "
	    "the maximum: use a shorter key"));
	assert_int_equal(diag_count(&diag), 1);
	diag_free(&diag);
	config_free(cf);
	free(text);
}

/* A warning logged by a logger that adds "warning: " carries it once. */
static void
diag_label_stripped(void **state)
{
	struct config_diag	diag;

	(void)state;
	diag_init(&diag);
	diag_add(&diag, "/etc/inet/ike/config", 8, "warning: p1_lifetime_secs "
	    "12 is shorter than 3600 seconds");
	diag_add(&diag, "/etc/inet/ipsecinit.conf", 0, "warning: file not "
	    "found");
	diag_add(&diag, "/etc/inet/ike/config", 9, "unknown keyword "
	    "'warning'");
	diag_strip_label(diag.cd_msgs[0], "warning");
	diag_strip_label(diag.cd_msgs[1], "warning");
	diag_strip_label(diag.cd_msgs[2], "warning");
	assert_string_equal(diag.cd_msgs[0], "/etc/inet/ike/config:8: "
	    "p1_lifetime_secs 12 is shorter than 3600 seconds");
	assert_string_equal(diag.cd_msgs[1], "/etc/inet/ipsecinit.conf: "
	    "file not found");
	assert_string_equal(diag.cd_msgs[2], "/etc/inet/ike/config:9: "
	    "unknown keyword 'warning'");
	diag_free(&diag);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_inputs_are_reported),
		cmocka_unit_test(all_errors_reported),
		cmocka_unit_test(policy_errors_resynchronise),
		cmocka_unit_test(preshared_duplicates_across_files),
		cmocka_unit_test(labels_duplicate_across_files),
		cmocka_unit_test(preshared_errors_hide_keys),
		cmocka_unit_test(file_contents_not_echoed),
		cmocka_unit_test(preshared_missing_brace_once),
		cmocka_unit_test(softlife_reported_once),
		cmocka_unit_test(preshared_long_key),
		cmocka_unit_test(diag_label_stripped),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
