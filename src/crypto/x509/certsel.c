/*
 * Certificate selectors (cert-sel of ike.config, certspec of ikecert) and
 * the DN string parser they use.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/x509/certsel.h"
#include "crypto/x509/x509_int.h"
#include "lib/err.h"
#include "lib/util.h"

#define CERTSEL_MAX_TEXT	1024

enum certsel_kind {
	CERTSEL_ANY,
	CERTSEL_SUBJECT,
	CERTSEL_ISSUER,
	CERTSEL_SLOT,
	CERTSEL_ALT_IP,
	CERTSEL_ALT_DNS,
	CERTSEL_ALT_EMAIL,
	CERTSEL_ALT_URI,
	CERTSEL_ALT_DN,
	CERTSEL_ALT_RID,
};

struct certsel {
	enum certsel_kind	 cs_kind;
	int			 cs_exclude;
	char			*cs_text;	/* value, after any "TYPE=" */
	X509_NAME		*cs_name;	/* DN kinds */
	uint8_t			 cs_addr[16];	/* CERTSEL_ALT_IP */
	size_t			 cs_addrlen;
	ASN1_OBJECT		*cs_oid;	/* CERTSEL_ALT_RID */
};

struct certsel_list {
	struct certsel	**csl_sels;
	size_t		  csl_n;
};

/* Attribute names that OpenSSL does not know under these spellings. */
static const struct {
	const char	*alias;
	int		 nid;
} certsel_aliases[] = {
	{ "E", NID_pkcs9_emailAddress },
	{ "EMAIL", NID_pkcs9_emailAddress },
	{ "EMAILADDRESS", NID_pkcs9_emailAddress },
	{ "S", NID_stateOrProvinceName },
	{ "SP", NID_stateOrProvinceName },
	{ "SERIALNUMBER", NID_serialNumber },
	{ "UID", NID_userId },
	{ "DC", NID_domainComponent },
};

static int
certsel_attr_nid(const char *key)
{
	char	up[64];
	size_t	i;
	int	nid;

	if ((nid = OBJ_txt2nid(key)) != NID_undef)
		return (nid);
	for (i = 0; key[i] != '\0' && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)key[i]);
	up[i] = '\0';
	for (i = 0; i < UTIL_NELEM(certsel_aliases); i++)
		if (strcmp(up, certsel_aliases[i].alias) == 0)
			return (certsel_aliases[i].nid);
	return (OBJ_txt2nid(up));
}

/*
 * The attribute type of key: a name in OpenSSL's table or certsel_aliases,
 * or a dotted object identifier such as 2.5.4.97.  NULL when it is neither.
 */
static ASN1_OBJECT *
certsel_attr_obj(const char *key)
{
	const char	*p;
	int		 nid, arcs = 1;

	if (!isdigit((unsigned char)key[0])) {
		nid = certsel_attr_nid(key);
		return (nid == NID_undef ? NULL : OBJ_nid2obj(nid));
	}
	/* OpenSSL reads "1..2" as 1.0.2, so check the arcs first. */
	for (p = key; *p != '\0'; p++) {
		if (*p == '.') {
			if (p[-1] == '.' || p[1] == '\0')
				return (NULL);
			arcs++;
		} else if (!isdigit((unsigned char)*p))
			return (NULL);
	}
	if (arcs < 2)
		return (NULL);
	return (OBJ_txt2obj(key, 1));
}

static int
certsel_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Read one attribute value starting at *sp up to an unescaped ',', ';'
 * or '+'.  Backslash escapes the next character, or gives a byte as two
 * hex digits (RFC 4514); a value may be in double quotes.  Unescaped
 * blanks around the value are dropped.
 */
static int
certsel_dn_value(const char **sp, char *out, size_t outsize, size_t *outlen)
{
	const char	*s = *sp;
	size_t		 n = 0, keep = 0;
	int		 quoted = 0, hi, lo;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s != '\0'; s++) {
		if (n + 1 >= outsize)
			return (ERR_TOOBIG);
		if (*s == '"') {
			quoted = !quoted;
			keep = n;
			continue;
		}
		if (!quoted && (*s == ',' || *s == ';' || *s == '+'))
			break;
		/*
		 * ike.config writes a comma inside a value as "\\,"; after
		 * the lexer that may arrive as "\,", or still doubled.
		 */
		if (s[0] == '\\' && s[1] == '\\' && s[2] == ',') {
			out[n++] = ',';
			keep = n;
			s += 2;
			continue;
		}
		if (*s == '\\') {
			if (s[1] == '\0')
				return (ERR_MALFORMED);
			hi = certsel_hexval(s[1]);
			lo = hi < 0 ? -1 : certsel_hexval(s[2]);
			if (lo >= 0) {
				out[n++] = (char)(hi << 4 | lo);
				s += 2;
			} else
				out[n++] = *++s;
			keep = n;
			continue;
		}
		out[n++] = *s;
		if (quoted || (*s != ' ' && *s != '\t'))
			keep = n;
	}
	if (quoted)
		return (ERR_MALFORMED);
	*outlen = keep;
	out[keep] = '\0';
	*sp = s;
	return (0);
}

/* Add "key=value" at *sp to name; a set plus continues the last RDN. */
static int
certsel_dn_ava(const char **sp, X509_NAME *name, int plus, char *why,
    size_t whysize)
{
	const char	*s = *sp, *eq;
	ASN1_OBJECT	*obj;
	char		 key[64], value[CERTSEL_MAX_TEXT], what[96];
	size_t		 klen, vlen;
	int		 rc;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		x509_why(why, whysize, "empty attribute at the end of the DN: "
		    "remove the last ',' or '+'");
		return (ERR_MALFORMED);
	}
	if ((eq = strchr(s, '=')) == NULL) {
		x509_why(why, whysize, "\"%.60s\" has no \"=\": expected "
		    "NAME=value, such as CN=gw", s);
		return (ERR_MALFORMED);
	}
	klen = (size_t)(eq - s);
	while (klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
		klen--;
	if (klen == 0 || klen >= sizeof(key)) {
		x509_why(why, whysize, "invalid attribute name in \"%.60s\"",
		    s);
		return (ERR_MALFORMED);
	}
	memcpy(key, s, klen);
	key[klen] = '\0';
	if ((obj = certsel_attr_obj(key)) == NULL) {
		x509_why(why, whysize, "unknown DN attribute \"%s\": use a "
		    "name such as CN or O, or a dotted object identifier",
		    key);
		return (ERR_MALFORMED);
	}
	s = eq + 1;
	rc = certsel_dn_value(&s, value, sizeof(value), &vlen);
	if (rc != 0 || vlen == 0) {
		if (rc == ERR_TOOBIG)
			x509_why(why, whysize, "value of %s longer than %d "
			    "bytes", key, CERTSEL_MAX_TEXT - 1);
		else
			x509_why(why, whysize, "invalid or empty value of %s",
			    key);
		ASN1_OBJECT_free(obj);
		return (ERR_MALFORMED);
	}
	rc = X509_NAME_add_entry_by_OBJ(name, obj, MBSTRING_UTF8,
	    (const unsigned char *)value, (int)vlen, -1, plus ? -1 : 0);
	ASN1_OBJECT_free(obj);
	if (!rc) {
		/* OpenSSL adds the reason, such as "string too long". */
		(void)snprintf(what, sizeof(what), "adding the DN attribute %s",
		    key);
		x509_why_openssl(why, whysize, what);
		return (ERR_MALFORMED);
	}
	*sp = s;
	return (0);
}

int
certsel_dn_parse(const char *text, X509_NAME **out, char *why,
    size_t whysize)
{
	X509_NAME	*name;
	const char	*s = text;
	int		 plus = 0, rc;

	*out = NULL;
	if (text[strspn(text, " \t")] == '\0') {
		x509_why(why, whysize, "empty DN: expected NAME=value pairs, "
		    "such as \"CN=gw, O=Example\"");
		return (ERR_MALFORMED);
	}
	if ((name = X509_NAME_new()) == NULL)
		return (ERR_NOMEM);
	for (;;) {
		if ((rc = certsel_dn_ava(&s, name, plus, why, whysize)) != 0)
			goto fail;
		if (*s == '\0')
			break;
		plus = *s == '+';
		s++;
	}
	*out = name;
	return (0);
fail:
	X509_NAME_free(name);
	return (rc);
}

int
certsel_dn_to_der(const char *text, struct wbuf *out, char *why,
    size_t whysize)
{
	X509_NAME	*name;
	unsigned char	*der = NULL;
	int		 len, rc;

	if ((rc = certsel_dn_parse(text, &name, why, whysize)) != 0)
		return (rc);
	len = i2d_X509_NAME(name, &der);
	X509_NAME_free(name);
	if (len <= 0)
		return (ERR_CRYPTO);
	rc = wbuf_put(out, der, (size_t)len);
	OPENSSL_free(der);
	return (rc);
}

static const struct {
	const char		*prefix;
	enum certsel_kind	 kind;
} certsel_prefixes[] = {
	{ "SUBJECT=", CERTSEL_SUBJECT },
	{ "ISSUER=", CERTSEL_ISSUER },
	{ "SLOT=", CERTSEL_SLOT },
	{ "IP=", CERTSEL_ALT_IP },
	{ "DNS=", CERTSEL_ALT_DNS },
	{ "EMAIL=", CERTSEL_ALT_EMAIL },
	{ "URI=", CERTSEL_ALT_URI },
	{ "DN=", CERTSEL_ALT_DN },
	{ "RID=", CERTSEL_ALT_RID },
};

static int
certsel_is_number(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return (0);
	return (1);
}

static int
certsel_parse_ip(struct certsel *cs)
{
	if (inet_pton(AF_INET, cs->cs_text, cs->cs_addr) == 1)
		cs->cs_addrlen = 4;
	else if (inet_pton(AF_INET6, cs->cs_text, cs->cs_addr) == 1)
		cs->cs_addrlen = 16;
	else
		return (ERR_MALFORMED);
	return (0);
}

/* Classify a selector without "TYPE=": a DN, slot, address or name. */
static enum certsel_kind
certsel_bare_kind(struct certsel *cs)
{
	if (cs->cs_text[0] == '\0')
		return (CERTSEL_ANY);
	if (certsel_is_number(cs->cs_text))
		return (CERTSEL_SLOT);
	if (certsel_parse_ip(cs) == 0)
		return (CERTSEL_ALT_IP);
	if (strchr(cs->cs_text, '=') != NULL)
		return (CERTSEL_SUBJECT);
	if (strchr(cs->cs_text, '@') != NULL)
		return (CERTSEL_ALT_EMAIL);
	return (CERTSEL_ALT_DNS);
}

static int
certsel_prepare(struct certsel *cs, char *why, size_t whysize)
{
	switch (cs->cs_kind) {
	case CERTSEL_SUBJECT:
	case CERTSEL_ISSUER:
	case CERTSEL_ALT_DN:
		return (certsel_dn_parse(cs->cs_text, &cs->cs_name, why,
		    whysize));
	case CERTSEL_SLOT:
		if (cs->cs_text[0] == '\0' || strchr(cs->cs_text, '/')) {
			x509_why(why, whysize, "invalid slot \"%s\"",
			    cs->cs_text);
			return (ERR_MALFORMED);
		}
		return (0);
	case CERTSEL_ALT_IP:
		if (certsel_parse_ip(cs) != 0) {
			x509_why(why, whysize, "invalid IP address \"%s\"",
			    cs->cs_text);
			return (ERR_MALFORMED);
		}
		return (0);
	case CERTSEL_ALT_RID:
		if ((cs->cs_oid = OBJ_txt2obj(cs->cs_text, 1)) == NULL) {
			x509_why(why, whysize, "invalid object identifier "
			    "\"%s\"", cs->cs_text);
			return (ERR_MALFORMED);
		}
		return (0);
	case CERTSEL_ALT_DNS:
	case CERTSEL_ALT_EMAIL:
	case CERTSEL_ALT_URI:
		if (cs->cs_text[0] == '\0') {
			x509_why(why, whysize, "empty subjectAltName value");
			return (ERR_MALFORMED);
		}
		return (0);
	case CERTSEL_ANY:
		return (0);
	}
	return (ERR_MALFORMED);
}

int
certsel_parse(struct certsel **out, const char *text, char *why,
    size_t whysize)
{
	struct certsel	*cs;
	const char	*s = text;
	size_t		 i, plen;
	int		 rc, typed = 0;

	*out = NULL;
	if (strlen(text) >= CERTSEL_MAX_TEXT) {
		x509_why(why, whysize, "certificate selector longer than %d "
		    "characters", CERTSEL_MAX_TEXT - 1);
		return (ERR_MALFORMED);
	}
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return (ERR_NOMEM);
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '!') {
		cs->cs_exclude = 1;
		s++;
		while (*s == ' ' || *s == '\t')
			s++;
	}
	for (i = 0; i < UTIL_NELEM(certsel_prefixes); i++) {
		plen = strlen(certsel_prefixes[i].prefix);
		if (strncasecmp(s, certsel_prefixes[i].prefix, plen) == 0) {
			cs->cs_kind = certsel_prefixes[i].kind;
			s += plen;
			typed = 1;
			break;
		}
	}
	if ((cs->cs_text = strdup(s)) == NULL) {
		rc = ERR_NOMEM;
		goto fail;
	}
	plen = strlen(cs->cs_text);
	while (plen > 0 && (cs->cs_text[plen - 1] == ' ' ||
	    cs->cs_text[plen - 1] == '\t') &&
	    (plen < 2 || cs->cs_text[plen - 2] != '\\'))
		cs->cs_text[--plen] = '\0';
	if (!typed)
		cs->cs_kind = certsel_bare_kind(cs);
	if ((rc = certsel_prepare(cs, why, whysize)) != 0)
		goto fail;
	*out = cs;
	return (0);
fail:
	certsel_free(cs);
	return (rc);
}

void
certsel_free(struct certsel *cs)
{
	if (cs == NULL)
		return;
	free(cs->cs_text);
	X509_NAME_free(cs->cs_name);
	ASN1_OBJECT_free(cs->cs_oid);
	free(cs);
}

int
certsel_is_exclude(const struct certsel *cs)
{
	return (cs->cs_exclude);
}

/* Returns 1 when a GENERAL_NAME of the certificate matches cs. */
static int
certsel_gen_match(const struct certsel *cs, const GENERAL_NAME *gen)
{
	const ASN1_STRING	*s;
	size_t			 len;

	switch (cs->cs_kind) {
	case CERTSEL_ALT_IP:
		s = gen->d.iPAddress;
		return (gen->type == GEN_IPADD &&
		    (size_t)ASN1_STRING_length(s) == cs->cs_addrlen &&
		    memcmp(ASN1_STRING_get0_data(s), cs->cs_addr,
		    cs->cs_addrlen) == 0);
	case CERTSEL_ALT_DNS:
	case CERTSEL_ALT_EMAIL:
	case CERTSEL_ALT_URI:
		if (gen->type != (cs->cs_kind == CERTSEL_ALT_DNS ? GEN_DNS :
		    cs->cs_kind == CERTSEL_ALT_EMAIL ? GEN_EMAIL : GEN_URI))
			return (0);
		s = gen->d.ia5;
		len = strlen(cs->cs_text);
		if ((size_t)ASN1_STRING_length(s) != len)
			return (0);
		/* Host names and mail domains compare without case. */
		if (cs->cs_kind == CERTSEL_ALT_URI)
			return (memcmp(ASN1_STRING_get0_data(s), cs->cs_text,
			    len) == 0);
		return (strncasecmp((const char *)ASN1_STRING_get0_data(s),
		    cs->cs_text, len) == 0);
	case CERTSEL_ALT_DN:
		return (gen->type == GEN_DIRNAME &&
		    x509_name_equal(cs->cs_name, gen->d.directoryName));
	case CERTSEL_ALT_RID:
		return (gen->type == GEN_RID &&
		    OBJ_cmp(gen->d.registeredID, cs->cs_oid) == 0);
	default:
		return (0);
	}
}

static int
certsel_alt_match(const struct certsel *cs, const struct cert *c)
{
	GENERAL_NAMES	*gens;
	int		 i, found = 0;

	gens = X509_get_ext_d2i(c->c_x509, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return (0);
	for (i = 0; !found && i < sk_GENERAL_NAME_num(gens); i++)
		found = certsel_gen_match(cs, sk_GENERAL_NAME_value(gens, i));
	GENERAL_NAMES_free(gens);
	return (found);
}

int
certsel_match(const struct certsel *cs, const struct cert *c,
    const char *slot)
{
	switch (cs->cs_kind) {
	case CERTSEL_ANY:
		return (1);
	case CERTSEL_SUBJECT:
		return (x509_name_equal(cs->cs_name,
		    X509_get_subject_name(c->c_x509)));
	case CERTSEL_ISSUER:
		return (x509_name_equal(cs->cs_name,
		    X509_get_issuer_name(c->c_x509)));
	case CERTSEL_SLOT:
		return (slot != NULL && strcmp(slot, cs->cs_text) == 0);
	default:
		return (certsel_alt_match(cs, c));
	}
}

int
certsel_match_crl(const struct certsel *cs, const struct crl *crl,
    const char *slot)
{
	switch (cs->cs_kind) {
	case CERTSEL_ANY:
		return (1);
	case CERTSEL_SUBJECT:
	case CERTSEL_ISSUER:
		return (x509_name_equal(cs->cs_name,
		    X509_CRL_get_issuer(crl->cr_x509)));
	case CERTSEL_SLOT:
		return (slot != NULL && strcmp(slot, cs->cs_text) == 0);
	default:
		return (0);
	}
}

int
certsel_list_parse(struct certsel_list **out, const char *const *texts,
    size_t n, char *why, size_t whysize)
{
	struct certsel_list	*l;
	size_t			 i;
	int			 rc;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return (ERR_NOMEM);
	if (n > 0 && (l->csl_sels = calloc(n, sizeof(*l->csl_sels))) == NULL) {
		free(l);
		return (ERR_NOMEM);
	}
	for (i = 0; i < n; i++) {
		if ((rc = certsel_parse(&l->csl_sels[i], texts[i], why,
		    whysize)) != 0) {
			certsel_list_free(l);
			return (rc);
		}
		l->csl_n++;
	}
	*out = l;
	return (0);
}

void
certsel_list_free(struct certsel_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->csl_n; i++)
		certsel_free(l->csl_sels[i]);
	free(l->csl_sels);
	free(l);
}

size_t
certsel_list_count(const struct certsel_list *l)
{
	return (l->csl_n);
}

int
certsel_list_match(const struct certsel_list *l, const struct cert *c,
    const char *slot)
{
	size_t	i;
	int	includes = 0, included = 0;

	if (l->csl_n == 0)
		return (0);
	for (i = 0; i < l->csl_n; i++) {
		if (l->csl_sels[i]->cs_exclude) {
			if (certsel_match(l->csl_sels[i], c, slot))
				return (0);
			continue;
		}
		includes++;
		if (!included && certsel_match(l->csl_sels[i], c, slot))
			included = 1;
	}
	return (includes == 0 || included);
}
