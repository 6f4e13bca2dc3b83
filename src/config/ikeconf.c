/*
 * Parser of /etc/inet/ike/config: global parameters, rules { } and
 * p1_xform { } blocks.  This pass only reads the syntax into struct config
 * and reports errors that need the position in the file (unknown or
 * misplaced keywords, invalid values, repeated keywords).  validate.c then
 * checks the result as a whole and fills in defaults.
 *
 * After an error the parser goes on with the next keyword, so that one run
 * reports every error of the file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/addr.h"
#include "config/diag.h"
#include "config/lex.h"
#include "config/parse.h"
#include "crypto/x509/certsel.h"
#include "lib/err.h"

#define IKECONF_LEX_FLAGS \
	(LEX_HASH_COMMENT | LEX_SLASH_COMMENT | LEX_ESCAPE_ANY | LEX_PARENS)

#define IKECONF_MAX_LABEL	255	/* the ikeadm label field is 256 bytes */

/* Scopes in which a keyword may appear. */
#define IC_GLOBAL	0x1
#define IC_RULE		0x2
#define IC_XFORM	0x4

enum ikeconf_kwid {
	KW_CERT_ROOT, KW_CERT_TRUST, KW_EXPIRE_TIMER, KW_IGNORE_CRLS,
	KW_LDAP_SERVER, KW_PKCS11_PATH, KW_RETRY_LIMIT, KW_RETRY_INIT,
	KW_RETRY_MAX, KW_PROXY, KW_SOCKS, KW_USE_HTTP, KW_P1_LIFETIME,
	KW_P1_NONCE, KW_P2_NONCE, KW_P2_LIFETIME, KW_P2_SOFTLIFE,
	KW_P2_IDLETIME, KW_P2_LIFETIME_KB, KW_P2_SOFTLIFE_KB, KW_P2_PFS,
	KW_LOCAL_ID_TYPE, KW_P1_XFORM, KW_LABEL, KW_LOCAL_ADDR,
	KW_REMOTE_ADDR, KW_LOCAL_ID, KW_REMOTE_ID, KW_AUTH_METHOD,
	KW_OAKLEY_GROUP, KW_ENCR_ALG, KW_AUTH_ALG, KW_DPD_INTERVAL,
	KW_DPD_RETRIES, KW_MAX_HALF_OPEN,
};

struct ikeconf_kw {
	const char	*name;
	int		 id;
	unsigned int	 scope;
};

static const struct ikeconf_kw ikeconf_kws[] = {
	{ "cert_root", KW_CERT_ROOT, IC_GLOBAL },
	{ "cert_trust", KW_CERT_TRUST, IC_GLOBAL },
	{ "expire_timer", KW_EXPIRE_TIMER, IC_GLOBAL },
	{ "ignore_crls", KW_IGNORE_CRLS, IC_GLOBAL },
	{ "ldap_server", KW_LDAP_SERVER, IC_GLOBAL },
	{ "pkcs11_path", KW_PKCS11_PATH, IC_GLOBAL },
	{ "retry_limit", KW_RETRY_LIMIT, IC_GLOBAL },
	{ "max_half_open", KW_MAX_HALF_OPEN, IC_GLOBAL },
	{ "retry_timer_init", KW_RETRY_INIT, IC_GLOBAL },
	{ "retry_timer_max", KW_RETRY_MAX, IC_GLOBAL },
	{ "proxy", KW_PROXY, IC_GLOBAL },
	{ "socks", KW_SOCKS, IC_GLOBAL },
	{ "use_http", KW_USE_HTTP, IC_GLOBAL },
	{ "p1_lifetime_secs", KW_P1_LIFETIME, IC_GLOBAL | IC_XFORM },
	{ "p1_nonce_len", KW_P1_NONCE, IC_GLOBAL },
	{ "p2_nonce_len", KW_P2_NONCE, IC_GLOBAL },
	{ "p2_lifetime_secs", KW_P2_LIFETIME, IC_GLOBAL | IC_RULE },
	{ "p2_softlife_secs", KW_P2_SOFTLIFE, IC_GLOBAL | IC_RULE },
	{ "p2_idletime_secs", KW_P2_IDLETIME, IC_GLOBAL | IC_RULE },
	{ "p2_lifetime_kb", KW_P2_LIFETIME_KB, IC_GLOBAL | IC_RULE },
	{ "p2_softlife_kb", KW_P2_SOFTLIFE_KB, IC_GLOBAL | IC_RULE },
	{ "p2_pfs", KW_P2_PFS, IC_GLOBAL | IC_RULE },
	{ "dpd_interval", KW_DPD_INTERVAL, IC_GLOBAL | IC_RULE },
	{ "dpd_retries", KW_DPD_RETRIES, IC_GLOBAL | IC_RULE },
	{ "local_id_type", KW_LOCAL_ID_TYPE, IC_GLOBAL | IC_RULE },
	{ "p1_xform", KW_P1_XFORM, IC_GLOBAL | IC_RULE },
	{ "label", KW_LABEL, IC_RULE },
	{ "local_addr", KW_LOCAL_ADDR, IC_RULE },
	{ "remote_addr", KW_REMOTE_ADDR, IC_RULE },
	{ "local_id", KW_LOCAL_ID, IC_RULE },
	{ "remote_id", KW_REMOTE_ID, IC_RULE },
	{ "auth_method", KW_AUTH_METHOD, IC_XFORM },
	{ "oakley_group", KW_OAKLEY_GROUP, IC_XFORM },
	{ "encr_alg", KW_ENCR_ALG, IC_XFORM },
	{ "auth_alg", KW_AUTH_ALG, IC_XFORM },
};

struct ikeconf_name {
	const char	*name;
	int		 value;
};

static const struct ikeconf_name ikeconf_auth_methods[] = {
	{ "preshared", CONFIG_AUTH_PRESHARED },
	{ "rsa_sig", CONFIG_AUTH_RSA_SIG },
	{ "rsa_encrypt", CONFIG_AUTH_RSA_ENCRYPT },
	{ "rsa_encrypt_rev", CONFIG_AUTH_RSA_ENCRYPT_REV },
	{ "dss_sig", CONFIG_AUTH_DSS_SIG },
	{ "ecdsa_p256", CONFIG_AUTH_ECDSA_P256 },
	{ "ecdsa_p384", CONFIG_AUTH_ECDSA_P384 },
	{ "ecdsa_p521", CONFIG_AUTH_ECDSA_P521 },
	{ NULL, 0 },
};

static const struct ikeconf_name ikeconf_encr_algs[] = {
	{ "des", CONFIG_P1_ENCR_DES },
	{ "des-cbc", CONFIG_P1_ENCR_DES },
	{ "3des", CONFIG_P1_ENCR_3DES },
	{ "3des-cbc", CONFIG_P1_ENCR_3DES },
	{ "blowfish", CONFIG_P1_ENCR_BLOWFISH },
	{ "blowfish-cbc", CONFIG_P1_ENCR_BLOWFISH },
	/* A misspelling in the Solaris manual page, accepted as written. */
	{ "blowfish-cdc", CONFIG_P1_ENCR_BLOWFISH },
	{ "aes", CONFIG_P1_ENCR_AES },
	{ "aes-cbc", CONFIG_P1_ENCR_AES },
	{ NULL, 0 },
};

static const struct ikeconf_name ikeconf_hash_algs[] = {
	{ "md5", CONFIG_P1_HASH_MD5 },
	{ "sha", CONFIG_P1_HASH_SHA1 },
	{ "sha1", CONFIG_P1_HASH_SHA1 },
	{ "sha256", CONFIG_P1_HASH_SHA256 },
	{ "sha384", CONFIG_P1_HASH_SHA384 },
	{ "sha512", CONFIG_P1_HASH_SHA512 },
	{ NULL, 0 },
};

/* Destination of a keyword's value. */
struct ikeconf_target {
	struct config_globals	*g;
	struct config_rule	*r;	/* NULL at top level */
	struct config_p1_xform	*x;	/* NULL outside p1_xform */
};

struct ikeconf {
	struct lex		 ic_lex;
	struct lex_token	 ic_tok;	/* current, not yet consumed */
	char			 ic_shown[LEX_SHOW_BUF];
	struct config		*ic_cf;
	struct config_diag	*ic_diag;
	const char		*ic_file;
	struct config_rule	*ic_rule;
	struct config_p1_xform	*ic_xform;
	/* Values of misplaced keywords are parsed into these, then dropped. */
	struct config_globals	 ic_scratch_globals;
	struct config_rule	 ic_scratch_rule;
	struct config_p1_xform	 ic_scratch_xform;
	int			 ic_nomem;
};

static void	ikeconf_statement(struct ikeconf *);

static void
ikeconf_error(struct ikeconf *ic, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Text that is not the current token, for a message (see lex.h). */
static const char *
ikeconf_show(struct ikeconf *ic, const char *text)
{
	lex_show_value(text, ic->ic_shown, sizeof(ic->ic_shown));
	return (ic->ic_shown);
}

static void
ikeconf_error(struct ikeconf *ic, unsigned int line, const char *fmt, ...)
{
	va_list	ap;
	char	msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(ic->ic_diag, ic->ic_file, line, "%s", msg);
}

static void
ikeconf_nomem(struct ikeconf *ic)
{
	if (!ic->ic_nomem)
		ikeconf_error(ic, ic->ic_tok.lt_line, "out of memory");
	ic->ic_nomem = 1;
}

static void
ikeconf_advance(struct ikeconf *ic)
{
	lex_next(&ic->ic_lex, &ic->ic_tok);
}

static const struct ikeconf_kw *
ikeconf_find_kw(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(ikeconf_kws) / sizeof(ikeconf_kws[0]); i++) {
		if (strcmp(ikeconf_kws[i].name, name) == 0)
			return (&ikeconf_kws[i]);
	}
	return (NULL);
}

static int
ikeconf_lookup(const struct ikeconf_name *names, const char *s)
{
	for (; names->name != NULL; names++) {
		if (strcasecmp(names->name, s) == 0)
			return (names->value);
	}
	return (0);
}

/* Whether tok can start a statement (so it is not a keyword's value). */
static int
ikeconf_is_statement(const struct lex_token *tok)
{
	if (tok->lt_type == LEX_LBRACE || tok->lt_type == LEX_RBRACE ||
	    tok->lt_type == LEX_EOF)
		return (1);
	return (tok->lt_type == LEX_WORD && ikeconf_find_kw(tok->lt_text));
}

/*
 * Reject a control character in a quoted value, because labels, ids and
 * names reach logs and ikeadm output as they are, where a byte such as ESC
 * would act on the terminal.  The lexer already rejects them in words.
 */
static int
ikeconf_control_char(struct ikeconf *ic, const char *kw)
{
	const unsigned char	*p;

	p = (const unsigned char *)ic->ic_tok.lt_text;
	for (; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			continue;
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid control "
		    "character 0x%02x in the value of %s (byte %zu): remove "
		    "it, because values are printed in logs and ikeadm output",
		    *p, kw, (size_t)(p - (const unsigned char *)
		    ic->ic_tok.lt_text) + 1);
		return (-1);
	}
	return (0);
}

/*
 * Move to the value of keyword kw.  Returns -1, leaving the token for the
 * next statement, when the value is missing.
 */
static int
ikeconf_value(struct ikeconf *ic, const char *kw, int joined, const char *what)
{
	unsigned int	line = ic->ic_tok.lt_line;

	if (joined)
		lex_next_joined(&ic->ic_lex, &ic->ic_tok);
	else
		ikeconf_advance(ic);
	if (ic->ic_tok.lt_type == LEX_ERROR) {
		ikeconf_advance(ic);
		return (-1);
	}
	if (ikeconf_is_statement(&ic->ic_tok) ||
	    (ic->ic_tok.lt_type != LEX_WORD &&
	    ic->ic_tok.lt_type != LEX_STRING)) {
		ikeconf_error(ic, line, "missing value after %s: expected %s",
		    kw, what);
		return (-1);
	}
	if (ikeconf_control_char(ic, kw) != 0) {
		ikeconf_advance(ic);
		return (-1);
	}
	return (0);
}

static int
ikeconf_duplicate(struct ikeconf *ic, const char *kw, unsigned int first)
{
	if (first != 0)
		ikeconf_error(ic, ic->ic_tok.lt_line, "duplicate %s: already "
		    "set at line %u; remove one of them", kw, first);
	else
		ikeconf_error(ic, ic->ic_tok.lt_line, "duplicate %s: it may "
		    "appear only once here", kw);
	return (-1);
}

static void
ikeconf_u32(struct ikeconf *ic, const char *kw, struct config_u32 *dst)
{
	char		expected[128];
	uint32_t	v;

	if (ikeconf_value(ic, kw, 0, "a number") != 0)
		return;
	if (dst->src == CONFIG_SRC_FILE)
		ikeconf_duplicate(ic, kw, dst->line);
	else if (ic->ic_tok.lt_type != LEX_WORD ||
	    parse_u32(ic->ic_tok.lt_text, &v) != 0) {
		config_u32_expected(kw, expected, sizeof(expected));
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid %s %s: "
		    "expected %s (decimal, 0x hex or 0 octal)", kw,
		    ic->ic_tok.lt_shown, expected);
	} else {
		dst->val = v;
		dst->src = CONFIG_SRC_FILE;
		dst->line = ic->ic_tok.lt_line;
	}
	ikeconf_advance(ic);
}

static void
ikeconf_seconds(struct ikeconf *ic, const char *kw, struct config_u32 *dst)
{
	uint32_t	ms;

	if (ikeconf_value(ic, kw, 0, "a number of seconds") != 0)
		return;
	if (dst->src == CONFIG_SRC_FILE)
		ikeconf_duplicate(ic, kw, dst->line);
	else if (ic->ic_tok.lt_type != LEX_WORD ||
	    parse_seconds_ms(ic->ic_tok.lt_text, &ms) != 0)
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid %s %s: "
		    "expected 0.001 to 3600 seconds, such as 2 or 0.5", kw,
		    ic->ic_tok.lt_shown);
	else if (ms == 0)
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid %s %s: "
		    "expected 0.001 to 3600 seconds", kw, ic->ic_tok.lt_shown);
	else {
		dst->val = ms;
		dst->src = CONFIG_SRC_FILE;
		dst->line = ic->ic_tok.lt_line;
	}
	ikeconf_advance(ic);
}

static void
ikeconf_flag(struct ikeconf *ic, const char *kw, struct config_u32 *dst)
{
	if (dst->src == CONFIG_SRC_FILE)
		ikeconf_duplicate(ic, kw, dst->line);
	dst->val = 1;
	dst->src = CONFIG_SRC_FILE;
	dst->line = ic->ic_tok.lt_line;
	ikeconf_advance(ic);
}

static void
ikeconf_string(struct ikeconf *ic, const char *kw, struct config_str *dst)
{
	if (ikeconf_value(ic, kw, 0, "a string") != 0)
		return;
	if (dst->src == CONFIG_SRC_FILE)
		ikeconf_duplicate(ic, kw, 0);
	else if ((dst->val = strdup(ic->ic_tok.lt_text)) == NULL)
		ikeconf_nomem(ic);
	else
		dst->src = CONFIG_SRC_FILE;
	ikeconf_advance(ic);
}

/* Check the syntax of a certificate selector; 0 when valid. */
static int
ikeconf_selector(struct ikeconf *ic, const char *kw, const char *text)
{
	struct certsel	*sel = NULL;
	char		 why[256];

	why[0] = '\0';
	if (certsel_parse(&sel, text, why, sizeof(why)) != 0) {
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid %s %s: %s", kw,
		    ikeconf_show(ic, text),
		    why[0] != '\0' ? why : "not a certificate selector");
		return (-1);
	}
	certsel_free(sel);
	return (0);
}

static int
ikeconf_strlist_add(struct ikeconf *ic, struct config_strlist *list,
    const char *s)
{
	char	**slot;

	slot = parse_array_add(&list->items, &list->n, sizeof(*slot));
	if (slot == NULL || (*slot = strdup(s)) == NULL) {
		if (slot != NULL)
			list->n--;
		ikeconf_nomem(ic);
		return (-1);
	}
	return (0);
}

static void
ikeconf_strlist(struct ikeconf *ic, const char *kw,
    struct config_strlist *list)
{
	if (ikeconf_value(ic, kw, 0, "a certificate selector") != 0)
		return;
	if (ikeconf_selector(ic, kw, ic->ic_tok.lt_text) == 0)
		(void)ikeconf_strlist_add(ic, list, ic->ic_tok.lt_text);
	ikeconf_advance(ic);
}

/* Check one "host[:port]" entry of ldap_server. */
static int
ikeconf_ldap_entry(struct ikeconf *ic, char *entry)
{
	char		*colon;
	uint32_t	 port;

	while (*entry == ' ')
		entry++;
	if (*entry == '\0' || *entry == ':') {
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid ldap_server "
		    "entry %s: expected host[:port]", ikeconf_show(ic, entry));
		return (-1);
	}
	if ((colon = strrchr(entry, ':')) != NULL &&
	    strchr(entry, ':') == colon) {
		if (parse_u32(colon + 1, &port) != 0 || port == 0 ||
		    port > 65535) {
			ikeconf_error(ic, ic->ic_tok.lt_line, "invalid port "
			    "in ldap_server entry %s: expected 1 to 65535",
			    ikeconf_show(ic, entry));
			return (-1);
		}
	}
	return (0);
}

static void
ikeconf_ldap(struct ikeconf *ic, struct config_strlist *list)
{
	char	*copy, *entry, *save = NULL;

	if (ikeconf_value(ic, "ldap_server", 0, "\"host[:port],...\"") != 0)
		return;
	if ((copy = strdup(ic->ic_tok.lt_text)) == NULL) {
		ikeconf_nomem(ic);
		goto out;
	}
	for (entry = strtok_r(copy, ",", &save); entry != NULL;
	    entry = strtok_r(NULL, ",", &save)) {
		if (ikeconf_ldap_entry(ic, entry) == 0)
			(void)ikeconf_strlist_add(ic, list, entry);
	}
	free(copy);
out:
	ikeconf_advance(ic);
}

static void
ikeconf_local_id_type(struct ikeconf *ic, struct config_u32 *dst)
{
	int	type;

	if (ikeconf_value(ic, "local_id_type", 0, "an identity type") != 0)
		return;
	type = parse_idtype(ic->ic_tok.lt_text);
	if (dst->src == CONFIG_SRC_FILE)
		ikeconf_duplicate(ic, "local_id_type", dst->line);
	else if (type < 0 || type == CONFIG_ID_PREFIX ||
	    type == CONFIG_ID_KEY_ID)
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid local_id_type "
		    "%s: expected one of dn dns fqdn gn ip ipv4 ipv4_prefix "
		    "ipv4_range ipv6 ipv6_prefix ipv6_range mbox user_fqdn",
		    ic->ic_tok.lt_shown);
	else {
		dst->val = (uint32_t)type;
		dst->src = CONFIG_SRC_FILE;
		dst->line = ic->ic_tok.lt_line;
	}
	ikeconf_advance(ic);
}

static void
ikeconf_label(struct ikeconf *ic, struct config_rule *r)
{
	if (ikeconf_value(ic, "label", 0, "a quoted name") != 0)
		return;
	if (r->cr_label != NULL)
		ikeconf_duplicate(ic, "label", 0);
	else if (ic->ic_tok.lt_len == 0)
		ikeconf_error(ic, ic->ic_tok.lt_line, "empty label: give the "
		    "rule a unique name");
	else if (ic->ic_tok.lt_len > IKECONF_MAX_LABEL)
		ikeconf_error(ic, ic->ic_tok.lt_line, "label longer than %d "
		    "characters: shorten it", IKECONF_MAX_LABEL);
	else if ((r->cr_label = strdup(ic->ic_tok.lt_text)) == NULL)
		ikeconf_nomem(ic);
	ikeconf_advance(ic);
}

static void
ikeconf_addr(struct ikeconf *ic, const char *kw, struct config_addrlist *l)
{
	struct config_range	 range, *slot;
	char			 why[256];

	if (ikeconf_value(ic, kw, 1, "an address, A/len, A/mask or A-B") != 0)
		return;
	if (ic->ic_tok.lt_type != LEX_WORD ||
	    addr_parse_range(ic->ic_tok.lt_text, &range, why,
	    sizeof(why)) != 0) {
		if (ic->ic_tok.lt_type != LEX_WORD)
			snprintf(why, sizeof(why), "invalid address %s",
			    ic->ic_tok.lt_shown);
		ikeconf_error(ic, ic->ic_tok.lt_line, "%s: %s", kw, why);
	} else if ((slot = parse_array_add(&l->ranges, &l->n,
	    sizeof(*slot))) == NULL)
		ikeconf_nomem(ic);
	else
		*slot = range;
	ikeconf_advance(ic);
}

static void
ikeconf_local_id(struct ikeconf *ic, struct config_rule *r)
{
	const char	*text;

	if (ikeconf_value(ic, "local_id", 0, "a certificate selector") != 0)
		return;
	text = ic->ic_tok.lt_text;
	if (r->cr_local_id != NULL)
		ikeconf_duplicate(ic, "local_id", 0);
	else if (text[0] == '!')
		ikeconf_error(ic, ic->ic_tok.lt_line, "local_id %s cannot "
		    "be negated with '!': name our own certificate",
		    ic->ic_tok.lt_shown);
	else if (ikeconf_selector(ic, "local_id", text) == 0 &&
	    (r->cr_local_id = strdup(text)) == NULL)
		ikeconf_nomem(ic);
	ikeconf_advance(ic);
}

static void
ikeconf_remote_id(struct ikeconf *ic, struct config_rule *r)
{
	struct config_idsel	*sel;
	const char		*text;
	int			 exclude;

	if (ikeconf_value(ic, "remote_id", 0, "a certificate selector") != 0)
		return;
	text = ic->ic_tok.lt_text;
	if (ikeconf_selector(ic, "remote_id", text) != 0) {
		ikeconf_advance(ic);
		return;
	}
	exclude = text[0] == '!';
	if (exclude)
		text++;
	sel = parse_array_add(&r->cr_remote_ids, &r->cr_nremote_ids,
	    sizeof(*sel));
	if (sel == NULL || (sel->is_sel = strdup(text)) == NULL) {
		if (sel != NULL)
			r->cr_nremote_ids--;
		ikeconf_nomem(ic);
	} else
		sel->is_exclude = exclude;
	ikeconf_advance(ic);
}

static void
ikeconf_xform_name(struct ikeconf *ic, const char *kw, int *dst,
    const struct ikeconf_name *names, const char *expected)
{
	int	v;

	if (ikeconf_value(ic, kw, 0, expected) != 0)
		return;
	v = ikeconf_lookup(names, ic->ic_tok.lt_text);
	if (*dst != 0)
		ikeconf_duplicate(ic, kw, 0);
	else if (v == 0 || ic->ic_tok.lt_type != LEX_WORD)
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid %s %s: "
		    "expected one of %s", kw, ic->ic_tok.lt_shown, expected);
	else
		*dst = v;
	ikeconf_advance(ic);
}

static void
ikeconf_group(struct ikeconf *ic, struct config_p1_xform *x)
{
	uint32_t	v;

	if (ikeconf_value(ic, "oakley_group", 0, "a group number") != 0)
		return;
	if (x->px_group != 0)
		ikeconf_duplicate(ic, "oakley_group", x->px_group_line);
	else if (parse_u32(ic->ic_tok.lt_text, &v) != 0 || v == 0 ||
	    v > 0xffff)
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid oakley_group "
		    "%s: expected a group number such as 14",
		    ic->ic_tok.lt_shown);
	else {
		x->px_group = (int)v;
		x->px_group_line = ic->ic_tok.lt_line;
	}
	ikeconf_advance(ic);
}

/* One AES key size in a "( lo .. hi )" list. */
static int
ikeconf_keybits(struct ikeconf *ic, uint16_t *bits)
{
	uint32_t	v;

	if (ic->ic_tok.lt_type != LEX_WORD ||
	    parse_u32(ic->ic_tok.lt_text, &v) != 0 ||
	    (v != 128 && v != 192 && v != 256)) {
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid encr_alg key "
		    "size %s: expected 128, 192 or 256",
		    lex_describe(&ic->ic_tok));
		return (-1);
	}
	*bits = (uint16_t)v;
	return (0);
}

/*
 * Parse "( N )" or "( N .. M )" after an encr_alg name.  Tokens up to the
 * closing ")" are consumed even after an error.
 */
static void
ikeconf_keyrange(struct ikeconf *ic, struct config_p1_xform *x, int encr)
{
	unsigned int	line = ic->ic_tok.lt_line;
	uint16_t	lo = 0, hi = 0;
	int		ok = 1;

	ikeconf_advance(ic);		/* "(" */
	if (ikeconf_keybits(ic, &lo) != 0)
		ok = 0;
	else {
		ikeconf_advance(ic);
		hi = lo;
		if (ic->ic_tok.lt_type == LEX_DOTDOT) {
			ikeconf_advance(ic);
			if (ikeconf_keybits(ic, &hi) != 0)
				ok = 0;
			else
				ikeconf_advance(ic);
		}
	}
	if (ok && ic->ic_tok.lt_type != LEX_RPAREN) {
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid encr_alg key "
		    "size list: expected ')' before %s",
		    lex_describe(&ic->ic_tok));
		ok = 0;
	}
	/* Resynchronise after an error: skip to ")" on this line. */
	while (ic->ic_tok.lt_type != LEX_RPAREN &&
	    ic->ic_tok.lt_type != LEX_EOF &&
	    !ikeconf_is_statement(&ic->ic_tok) &&
	    ic->ic_tok.lt_line == line)
		ikeconf_advance(ic);
	if (ic->ic_tok.lt_type == LEX_RPAREN)
		ikeconf_advance(ic);
	if (!ok)
		return;
	if (lo > hi)
		ikeconf_error(ic, line, "invalid encr_alg key size range "
		    "%u..%u: write the smaller size first", lo, hi);
	else if (encr != 0 && encr != CONFIG_P1_ENCR_AES)
		ikeconf_error(ic, line, "encr_alg %s has a fixed key size: "
		    "only aes takes a key size list such as aes(128..256)",
		    config_p1_encr_name(encr));
	else {
		x->px_klen_min = lo;
		x->px_klen_max = hi;
	}
}

static void
ikeconf_encr(struct ikeconf *ic, struct config_p1_xform *x)
{
	const char	*expected = "des 3des blowfish aes (or des-cbc "
			    "3des-cbc blowfish-cbc aes-cbc)";
	int		 v, dup;

	if (ikeconf_value(ic, "encr_alg", 0, expected) != 0)
		return;
	v = ikeconf_lookup(ikeconf_encr_algs, ic->ic_tok.lt_text);
	dup = x->px_encr != 0;
	if (dup)
		ikeconf_duplicate(ic, "encr_alg", 0);
	else if (v == 0 || ic->ic_tok.lt_type != LEX_WORD)
		ikeconf_error(ic, ic->ic_tok.lt_line, "invalid encr_alg %s: "
		    "expected one of %s", ic->ic_tok.lt_shown, expected);
	else {
		x->px_encr = v;
		if (v == CONFIG_P1_ENCR_AES) {
			x->px_klen_min = 128;
			x->px_klen_max = 256;
		}
	}
	ikeconf_advance(ic);
	if (ic->ic_tok.lt_type == LEX_LPAREN)
		ikeconf_keyrange(ic, dup || v == 0 ? &ic->ic_scratch_xform : x,
		    v);
}

static void
ikeconf_block_skip(struct ikeconf *ic)
{
	int	depth = 0;

	do {
		if (ic->ic_tok.lt_type == LEX_LBRACE)
			depth++;
		else if (ic->ic_tok.lt_type == LEX_RBRACE)
			depth--;
		ikeconf_advance(ic);
	} while (depth > 0 && ic->ic_tok.lt_type != LEX_EOF);
}

static void
ikeconf_xform(struct ikeconf *ic, struct ikeconf_target *t, int scratch)
{
	struct config_p1_xform	*x, *saved = ic->ic_xform;
	unsigned int		 line = ic->ic_tok.lt_line;

	ikeconf_advance(ic);
	if (ic->ic_tok.lt_type != LEX_LBRACE) {
		ikeconf_error(ic, line, "p1_xform must be followed by "
		    "{ ... }, not %s", lex_describe(&ic->ic_tok));
		return;
	}
	if (scratch) {
		x = &ic->ic_scratch_xform;
	} else if (t->r != NULL) {
		x = parse_array_add(&t->r->cr_xforms, &t->r->cr_nxforms,
		    sizeof(*x));
	} else {
		x = parse_array_add(&t->g->cg_xforms, &t->g->cg_nxforms,
		    sizeof(*x));
	}
	if (x == NULL) {
		ikeconf_nomem(ic);
		ikeconf_block_skip(ic);
		return;
	}
	memset(x, 0, sizeof(*x));
	x->px_where.cw_file = ic->ic_file;
	x->px_where.cw_line = line;
	ic->ic_xform = x;
	ikeconf_advance(ic);
	while (ic->ic_tok.lt_type != LEX_RBRACE &&
	    ic->ic_tok.lt_type != LEX_EOF)
		ikeconf_statement(ic);
	if (ic->ic_tok.lt_type == LEX_EOF)
		ikeconf_error(ic, line, "p1_xform is not closed: add '}' at "
		    "its end");
	else
		ikeconf_advance(ic);
	ic->ic_xform = saved;
}

static unsigned int
ikeconf_scope(const struct ikeconf *ic)
{
	if (ic->ic_xform != NULL)
		return (IC_XFORM);
	if (ic->ic_rule != NULL)
		return (IC_RULE);
	return (IC_GLOBAL);
}

/*
 * Report a keyword used where it does not belong, and point the target at
 * scratch items so that its value is still read (and checked) and then
 * dropped.
 */
static void
ikeconf_misplaced(struct ikeconf *ic, const struct ikeconf_kw *kw,
    struct ikeconf_target *t)
{
	unsigned int	line = ic->ic_tok.lt_line;
	unsigned int	scope = ikeconf_scope(ic);

	if (kw->id == KW_P1_XFORM)
		ikeconf_error(ic, line, "p1_xform is not allowed inside "
		    "another p1_xform: close the first one with '}'");
	else if (kw->scope == IC_XFORM)
		ikeconf_error(ic, line, "%s is only valid inside "
		    "p1_xform { }", kw->name);
	else if (kw->scope == IC_RULE)
		ikeconf_error(ic, line, "%s is a rule keyword: put it inside "
		    "a rule { }", kw->name);
	else if (scope == IC_RULE && (kw->scope & IC_XFORM))
		ikeconf_error(ic, line, "%s cannot be set inside a rule: put "
		    "it inside p1_xform { } or before the first rule",
		    kw->name);
	else if (scope == IC_RULE)
		ikeconf_error(ic, line, "%s is a global parameter and cannot "
		    "be set inside a rule: move it before the first rule",
		    kw->name);
	else
		ikeconf_error(ic, line, "%s is not valid inside "
		    "p1_xform { }", kw->name);

	t->g = &ic->ic_scratch_globals;
	t->r = (kw->scope & IC_RULE) ? &ic->ic_scratch_rule : NULL;
	t->x = &ic->ic_scratch_xform;
}

static struct config_u32 *
ikeconf_p2_field(struct ikeconf_target *t, int id)
{
	struct config_p2	*p2 = t->r != NULL ? &t->r->cr_p2 :
				    &t->g->cg_p2;

	switch (id) {
	case KW_P2_LIFETIME:
		return (&p2->p2_lifetime_secs);
	case KW_P2_SOFTLIFE:
		return (&p2->p2_softlife_secs);
	case KW_P2_IDLETIME:
		return (&p2->p2_idletime_secs);
	case KW_P2_LIFETIME_KB:
		return (&p2->p2_lifetime_kb);
	case KW_P2_SOFTLIFE_KB:
		return (&p2->p2_softlife_kb);
	case KW_DPD_INTERVAL:
		return (&p2->p2_dpd_interval);
	case KW_DPD_RETRIES:
		return (&p2->p2_dpd_retries);
	default:
		return (&p2->p2_pfs);
	}
}

static void
ikeconf_global_kw(struct ikeconf *ic, const struct ikeconf_kw *kw,
    struct config_globals *g)
{
	switch (kw->id) {
	case KW_CERT_ROOT:
		ikeconf_strlist(ic, kw->name, &g->cg_cert_root);
		break;
	case KW_CERT_TRUST:
		ikeconf_strlist(ic, kw->name, &g->cg_cert_trust);
		break;
	case KW_EXPIRE_TIMER:
		ikeconf_u32(ic, kw->name, &g->cg_expire_timer);
		break;
	case KW_IGNORE_CRLS:
		ikeconf_flag(ic, kw->name, &g->cg_ignore_crls);
		break;
	case KW_LDAP_SERVER:
		ikeconf_ldap(ic, &g->cg_ldap_server);
		break;
	case KW_PKCS11_PATH:
		ikeconf_string(ic, kw->name, &g->cg_pkcs11_path);
		break;
	case KW_RETRY_LIMIT:
		ikeconf_u32(ic, kw->name, &g->cg_retry_limit);
		break;
	case KW_MAX_HALF_OPEN:
		ikeconf_u32(ic, kw->name, &g->cg_max_half_open);
		break;
	case KW_RETRY_INIT:
		ikeconf_seconds(ic, kw->name, &g->cg_retry_timer_init);
		break;
	case KW_RETRY_MAX:
		ikeconf_seconds(ic, kw->name, &g->cg_retry_timer_max);
		break;
	case KW_PROXY:
		ikeconf_string(ic, kw->name, &g->cg_proxy);
		break;
	case KW_SOCKS:
		ikeconf_string(ic, kw->name, &g->cg_socks);
		break;
	case KW_USE_HTTP:
		ikeconf_flag(ic, kw->name, &g->cg_use_http);
		break;
	case KW_P1_NONCE:
		ikeconf_u32(ic, kw->name, &g->cg_p1_nonce_len);
		break;
	case KW_P2_NONCE:
		ikeconf_u32(ic, kw->name, &g->cg_p2_nonce_len);
		break;
	}
}

static void
ikeconf_xform_kw(struct ikeconf *ic, const struct ikeconf_kw *kw,
    struct config_p1_xform *x)
{
	switch (kw->id) {
	case KW_AUTH_METHOD:
		ikeconf_xform_name(ic, kw->name, &x->px_auth_method,
		    ikeconf_auth_methods,
		    "preshared rsa_sig rsa_encrypt rsa_encrypt_rev dss_sig "
		    "ecdsa_p256 ecdsa_p384 ecdsa_p521");
		break;
	case KW_OAKLEY_GROUP:
		ikeconf_group(ic, x);
		break;
	case KW_ENCR_ALG:
		ikeconf_encr(ic, x);
		break;
	case KW_AUTH_ALG:
		ikeconf_xform_name(ic, kw->name, &x->px_hash,
		    ikeconf_hash_algs, "md5 sha sha1 sha256 sha384 sha512");
		break;
	}
}

static void
ikeconf_keyword(struct ikeconf *ic, const struct ikeconf_kw *kw)
{
	struct ikeconf_target	t;
	int			misplaced;

	t.g = &ic->ic_cf->cf_globals;
	t.r = ic->ic_rule;
	t.x = ic->ic_xform;
	misplaced = !(kw->scope & ikeconf_scope(ic));
	if (misplaced)
		ikeconf_misplaced(ic, kw, &t);

	switch (kw->id) {
	case KW_P1_LIFETIME:
		ikeconf_u32(ic, kw->name, t.x != NULL ?
		    &t.x->px_lifetime_secs : &t.g->cg_p1_lifetime_secs);
		break;
	case KW_P2_LIFETIME:
	case KW_P2_SOFTLIFE:
	case KW_P2_IDLETIME:
	case KW_P2_LIFETIME_KB:
	case KW_P2_SOFTLIFE_KB:
	case KW_P2_PFS:
	case KW_DPD_INTERVAL:
	case KW_DPD_RETRIES:
		ikeconf_u32(ic, kw->name, ikeconf_p2_field(&t, kw->id));
		break;
	case KW_LOCAL_ID_TYPE:
		ikeconf_local_id_type(ic, t.r != NULL ?
		    &t.r->cr_local_id_type : &t.g->cg_local_id_type);
		break;
	case KW_P1_XFORM:
		ikeconf_xform(ic, &t, misplaced);
		break;
	case KW_LABEL:
		ikeconf_label(ic, t.r);
		break;
	case KW_LOCAL_ADDR:
		ikeconf_addr(ic, kw->name, &t.r->cr_local);
		break;
	case KW_REMOTE_ADDR:
		ikeconf_addr(ic, kw->name, &t.r->cr_remote);
		break;
	case KW_LOCAL_ID:
		ikeconf_local_id(ic, t.r);
		break;
	case KW_REMOTE_ID:
		ikeconf_remote_id(ic, t.r);
		break;
	case KW_AUTH_METHOD:
	case KW_OAKLEY_GROUP:
	case KW_ENCR_ALG:
	case KW_AUTH_ALG:
		ikeconf_xform_kw(ic, kw, t.x);
		break;
	default:
		ikeconf_global_kw(ic, kw, t.g);
	}
	if (misplaced) {
		config_rule_clear(&ic->ic_scratch_rule);
		config_globals_clear(&ic->ic_scratch_globals);
		memset(&ic->ic_scratch_xform, 0, sizeof(ic->ic_scratch_xform));
	}
}

static void
ikeconf_rule(struct ikeconf *ic)
{
	struct config_rule	*r;
	unsigned int		 line = ic->ic_tok.lt_line;

	r = parse_array_add(&ic->ic_cf->cf_rules, &ic->ic_cf->cf_nrules,
	    sizeof(*r));
	if (r == NULL) {
		ikeconf_nomem(ic);
		ikeconf_block_skip(ic);
		return;
	}
	r->cr_where.cw_file = ic->ic_file;
	r->cr_where.cw_line = line;
	ic->ic_rule = r;
	ikeconf_advance(ic);
	while (ic->ic_tok.lt_type != LEX_RBRACE &&
	    ic->ic_tok.lt_type != LEX_EOF)
		ikeconf_statement(ic);
	if (ic->ic_tok.lt_type == LEX_EOF)
		ikeconf_error(ic, line, "rule is not closed: add '}' at its "
		    "end");
	else
		ikeconf_advance(ic);
	ic->ic_rule = NULL;
}

/* Skip an unknown keyword and its value(s) up to the next statement. */
static void
ikeconf_skip_unknown(struct ikeconf *ic)
{
	ikeconf_advance(ic);
	if (ic->ic_tok.lt_type == LEX_LBRACE) {
		ikeconf_block_skip(ic);
		return;
	}
	while (!ikeconf_is_statement(&ic->ic_tok))
		ikeconf_advance(ic);
}

static void
ikeconf_statement(struct ikeconf *ic)
{
	const struct ikeconf_kw	*kw;
	struct lex_token	*tok = &ic->ic_tok;

	switch (tok->lt_type) {
	case LEX_LBRACE:
		if (ic->ic_rule == NULL && ic->ic_xform == NULL) {
			ikeconf_rule(ic);
			return;
		}
		ikeconf_error(ic, tok->lt_line, "unexpected '{': a rule "
		    "cannot contain another block except p1_xform { }");
		ikeconf_block_skip(ic);
		return;
	case LEX_RBRACE:
		ikeconf_error(ic, tok->lt_line, "unexpected '}' with no "
		    "open rule or p1_xform");
		ikeconf_advance(ic);
		return;
	case LEX_WORD:
		if ((kw = ikeconf_find_kw(tok->lt_text)) != NULL) {
			ikeconf_keyword(ic, kw);
			return;
		}
		ikeconf_error(ic, tok->lt_line, "unknown keyword %s",
		    tok->lt_shown_kw);
		ikeconf_skip_unknown(ic);
		return;
	case LEX_ERROR:
		ikeconf_advance(ic);
		return;
	default:
		ikeconf_error(ic, tok->lt_line, "unexpected %s: expected a "
		    "keyword", lex_describe_kw(tok));
		ikeconf_advance(ic);
		return;
	}
}

int
ikeconf_parse(struct config *cf, const char *file, const void *buf,
    size_t len, struct config_diag *diag)
{
	struct ikeconf	*ic;
	size_t		 before = diag_count(diag);
	int		 rc;

	if ((ic = calloc(1, sizeof(*ic))) == NULL)
		return (ERR_NOMEM);
	ic->ic_cf = cf;
	ic->ic_diag = diag;
	if ((ic->ic_file = parse_intern_file(cf, file)) == NULL) {
		free(ic);
		return (ERR_NOMEM);
	}
	cf->cf_config_file = ic->ic_file;
	lex_init(&ic->ic_lex, buf, len, IKECONF_LEX_FLAGS, ic->ic_file, diag);
	ikeconf_advance(ic);
	while (ic->ic_tok.lt_type != LEX_EOF)
		ikeconf_statement(ic);
	config_rule_clear(&ic->ic_scratch_rule);
	config_globals_clear(&ic->ic_scratch_globals);
	rc = ic->ic_nomem ? ERR_NOMEM :
	    diag_count(diag) != before ? ERR_CONFIG : 0;
	lex_token_wipe(&ic->ic_tok);
	free(ic);
	return (rc);
}
