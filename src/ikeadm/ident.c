/*
 * Identifiers of get and del (addresses, cookies, identity types) and the
 * "add rule|preshared { ... }" blocks.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"
#include "control/control.h"
#include "ikeadm/ikeadm.h"

/* Kinds of identity keyword, before the address family is known. */
enum ident_kind {
	KIND_ADDR = 1,
	KIND_PREFIX,
	KIND_RANGE,
	KIND_NAME,
};

static const struct {
	const char	*word;
	int		 kind;
	uint16_t	 type;		/* for KIND_NAME, or a fixed family */
	int		 family;	/* 0: from the value */
} ident_words[] = {
	{ "ip", KIND_ADDR, 0, 0 },
	{ "ipv4", KIND_ADDR, 0, AF_INET },
	{ "ipv6", KIND_ADDR, 0, AF_INET6 },
	{ "prefix", KIND_PREFIX, 0, 0 },
	{ "ipv4-prefix", KIND_PREFIX, 0, AF_INET },
	{ "ipv6-prefix", KIND_PREFIX, 0, AF_INET6 },
	{ "subnet", KIND_PREFIX, 0, 0 },
	{ "subnetv4", KIND_PREFIX, 0, AF_INET },
	{ "subnetv6", KIND_PREFIX, 0, AF_INET6 },
	{ "fqdn", KIND_NAME, CONTROL_IDT_FQDN, 0 },
	{ "dns", KIND_NAME, CONTROL_IDT_FQDN, 0 },
	{ "domain", KIND_NAME, CONTROL_IDT_FQDN, 0 },
	{ "domainname", KIND_NAME, CONTROL_IDT_FQDN, 0 },
	{ "user_fqdn", KIND_NAME, CONTROL_IDT_USER_FQDN, 0 },
	{ "mbox", KIND_NAME, CONTROL_IDT_USER_FQDN, 0 },
	{ "mailbox", KIND_NAME, CONTROL_IDT_USER_FQDN, 0 },
	{ "dn", KIND_NAME, CONTROL_IDT_DN, 0 },
	{ "asn1dn", KIND_NAME, CONTROL_IDT_DN, 0 },
	{ "gn", KIND_NAME, CONTROL_IDT_GN, 0 },
	{ "asn1gn", KIND_NAME, CONTROL_IDT_GN, 0 },
	{ "ipv4-range", KIND_RANGE, 0, AF_INET },
	{ "ipv6-range", KIND_RANGE, 0, AF_INET6 },
	{ "rangev4", KIND_RANGE, 0, AF_INET },
	{ "rangev6", KIND_RANGE, 0, AF_INET6 },
	{ "keyid", KIND_NAME, CONTROL_IDT_KEY_ID, 0 },
};

static int
ident_word_find(const char *word)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(ident_words); i++)
		if (strcasecmp(word, ident_words[i].word) == 0)
			return ((int)i);
	return (-1);
}

/* The identity type a keyword names, with IP for the family-less ones. */
int
ikeadm_idtype_parse(const char *word, uint16_t *type)
{
	int	i = ident_word_find(word);

	if (i < 0)
		return (ERR_INVAL);
	switch (ident_words[i].kind) {
	case KIND_NAME:
		*type = ident_words[i].type;
		break;
	case KIND_ADDR:
		*type = ident_words[i].family == AF_INET6 ? CONTROL_IDT_IPV6 :
		    ident_words[i].family == AF_INET ? CONTROL_IDT_IPV4 :
		    CONTROL_IDT_IP;
		break;
	case KIND_PREFIX:
		*type = ident_words[i].family == AF_INET6 ?
		    CONTROL_IDT_IPV6_SUBNET : CONTROL_IDT_IPV4_SUBNET;
		break;
	default:
		*type = ident_words[i].family == AF_INET6 ?
		    CONTROL_IDT_IPV6_RANGE : CONTROL_IDT_IPV4_RANGE;
		break;
	}
	return (0);
}

/* A 64-bit cookie written as 0x and up to 16 hex digits. */
int
ikeadm_cookie_parse(const char *s, uint64_t *out)
{
	unsigned long long	v;
	char			*end;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s[2] == '\0' ||
	    strlen(s + 2) > 16 || strspn(s + 2, "0123456789abcdefABCDEF") !=
	    strlen(s + 2))
		return (ERR_INVAL);
	errno = 0;
	v = strtoull(s + 2, &end, 16);
	if (errno != 0 || *end != '\0')
		return (ERR_INVAL);
	*out = v;
	return (0);
}

static int
ident_addr_parse(const char *s, int family, struct control_addr *a)
{
	memset(a, 0, sizeof(*a));
	if ((family == 0 || family == AF_INET) &&
	    inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = AF_INET;
		return (0);
	}
	if ((family == 0 || family == AF_INET6) &&
	    inet_pton(AF_INET6, s, a->addr) == 1) {
		a->family = AF_INET6;
		return (0);
	}
	return (ERR_INVAL);
}

static void
ident_addr_from_sockaddr(struct control_addr *a, const struct sockaddr *sa)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->addr, &((const struct sockaddr_in *)sa)->sin_addr,
		    4);
	} else {
		a->family = AF_INET6;
		memcpy(a->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    16);
	}
}

/*
 * Resolve a host name or address into at most max addresses, without
 * duplicates.  With numeric set only literal addresses are accepted, so
 * no name service is asked.
 */
int
ikeadm_addr_resolve(const char *host, int numeric, struct control_addr *out,
    int max, int *n)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct control_addr a;
	int		 i, rv;

	*n = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = numeric ? AI_NUMERICHOST : 0;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return (ERR_NOTFOUND);
	for (ai = res; ai != NULL && *n < max; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		ident_addr_from_sockaddr(&a, ai->ai_addr);
		for (i = 0; i < *n; i++)
			if (memcmp(&out[i], &a, sizeof(a)) == 0)
				break;
		if (i == *n)
			out[(*n)++] = a;
	}
	freeaddrinfo(res);
	rv = *n > 0 ? 0 : ERR_NOTFOUND;
	return (rv);
}

static int
ident_prefix_parse(const char *s, int family, struct control_range *r)
{
	char		buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long	plen;
	int		rv;

	(void)snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) == NULL)
		return (ERR_INVAL);
	*slash++ = '\0';
	if ((rv = ident_addr_parse(buf, family, &r->lo)) != 0)
		return (rv);
	plen = strtoul(slash, &end, 10);
	if (*slash == '\0' || *end != '\0' ||
	    plen > (r->lo.family == AF_INET ? 32U : 128U))
		return (ERR_INVAL);
	r->lo.plen = (uint8_t)plen;
	r->hi = r->lo;
	return (0);
}

static int
ident_range_parse(const char *s, int family, struct control_range *r)
{
	char	buf[2 * INET6_ADDRSTRLEN + 8], *dash;
	int	rv;

	(void)snprintf(buf, sizeof(buf), "%s", s);
	if ((dash = strchr(buf, '-')) == NULL)
		return (ERR_INVAL);
	*dash++ = '\0';
	if ((rv = ident_addr_parse(buf, family, &r->lo)) != 0 ||
	    (rv = ident_addr_parse(dash, r->lo.family, &r->hi)) != 0)
		return (rv);
	return (0);
}

/*
 * Parse "<type> <value>" of a preshared identity.  Address forms also
 * fill *r, so that the daemon and the output see the parsed address.
 */
int
ikeadm_ident_parse(const char *type, const char *value,
    struct control_ident *id, struct control_range *r)
{
	int	i = ident_word_find(type), fam, rv;

	memset(id, 0, sizeof(*id));
	memset(r, 0, sizeof(*r));
	if (i < 0)
		return (ERR_INVAL);
	if (strlen(value) >= sizeof(id->value))
		return (ERR_TOOBIG);
	(void)snprintf(id->value, sizeof(id->value), "%s", value);
	fam = ident_words[i].family;
	switch (ident_words[i].kind) {
	case KIND_NAME:
		id->type = ident_words[i].type;
		return (value[0] != '\0' ? 0 : ERR_INVAL);
	case KIND_ADDR:
		if ((rv = ident_addr_parse(value, fam, &r->lo)) != 0)
			return (rv);
		r->hi = r->lo;
		id->type = r->lo.family == AF_INET ? CONTROL_IDT_IPV4 :
		    CONTROL_IDT_IPV6;
		return (0);
	case KIND_PREFIX:
		if ((rv = ident_prefix_parse(value, fam, r)) != 0)
			return (rv);
		id->type = r->lo.family == AF_INET ? CONTROL_IDT_IPV4_SUBNET :
		    CONTROL_IDT_IPV6_SUBNET;
		return (0);
	default:
		if ((rv = ident_range_parse(value, fam, r)) != 0)
			return (rv);
		id->type = r->lo.family == AF_INET ? CONTROL_IDT_IPV4_RANGE :
		    CONTROL_IDT_IPV6_RANGE;
		return (0);
	}
}

/* "hex[/bits]", with an optional 0x. */
static int
ident_key_parse(const char *s, struct control_key *k)
{
	char		hex[2 * CONTROL_KEY_MAX + 1], *slash, *end;
	unsigned long	bits = 0;
	size_t		len;
	int		rv = ERR_INVAL;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if ((len = strcspn(s, "/")) >= sizeof(hex))
		return (ERR_TOOBIG);
	memcpy(hex, s, len);
	hex[len] = '\0';
	if ((slash = strchr(s, '/')) != NULL) {
		bits = strtoul(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0')
			goto out;
	}
	if ((rv = util_hex_decode(k->bytes, sizeof(k->bytes), hex, &len)) != 0)
		goto out;
	rv = ERR_INVAL;
	if (len == 0 || (slash != NULL && (bits > 8 * len ||
	    bits <= 8 * (len - 1))))
		goto out;
	k->len = (uint16_t)len;
	k->bits = (uint16_t)bits;
	rv = 0;
out:
	util_wipe(hex, sizeof(hex));
	return (rv);
}

static int
ident_xchg_parse(const char *s, uint8_t *x)
{
	if (strcasecmp(s, "main") == 0)
		*x = CONTROL_XCHG_MAIN;
	else if (strcasecmp(s, "aggressive") == 0)
		*x = CONTROL_XCHG_AGGRESSIVE;
	else if (strcasecmp(s, "both") == 0)
		*x = CONTROL_XCHG_BOTH;
	else
		return (ERR_INVAL);
	return (0);
}

/*
 * Parse "{ localidtype T localid V remoteidtype T remoteid V ike_mode M
 * key HEX }".  The id types default to IP; localid, remoteid and key are
 * required.  Errors are printed with the keyword at fault.
 */
int
ikeadm_psk_block_parse(char **tok, int n, struct control_psk_info *p)
{
	static const char *const	 words[] = { "localidtype",
	    "remoteidtype", "localid", "remoteid", "ike_mode", "key" };
	const char	*ltype = "ip", *rtype = "ip", *lid = NULL, *rid = NULL;
	unsigned int	 seen = 0;
	size_t		 w;
	int		 i, rv = ERR_INVAL, have_key = 0;

	memset(p, 0, sizeof(*p));
	p->xchg = CONTROL_XCHG_MAIN;
	if (n < 2 || strcmp(tok[0], "{") != 0 || strcmp(tok[n - 1], "}") != 0) {
		fprintf(stderr, "ikeadm: preshared key definition must be "
		    "enclosed in { }\n");
		goto out;
	}
	for (i = 1; i + 1 < n - 1; i += 2) {
		/* As in ike.preshared: a repeated keyword is an error. */
		for (w = 0; w < UTIL_NELEM(words); w++)
			if (strcmp(tok[i], words[w]) == 0)
				break;
		if (w < UTIL_NELEM(words) && (seen & (1u << w)) != 0) {
			fprintf(stderr, "ikeadm: duplicate %s in preshared key "
			    "definition: remove one of them\n", words[w]);
			goto out;
		}
		seen |= 1u << w;
		if (strcmp(tok[i], "localidtype") == 0)
			ltype = tok[i + 1];
		else if (strcmp(tok[i], "remoteidtype") == 0)
			rtype = tok[i + 1];
		else if (strcmp(tok[i], "localid") == 0)
			lid = tok[i + 1];
		else if (strcmp(tok[i], "remoteid") == 0)
			rid = tok[i + 1];
		else if (strcmp(tok[i], "ike_mode") == 0) {
			if (ident_xchg_parse(tok[i + 1], &p->xchg) != 0) {
				fprintf(stderr, "ikeadm: invalid ike_mode "
				    "'%s': use main, aggressive or both\n",
				    tok[i + 1]);
				goto out;
			}
		} else if (strcmp(tok[i], "key") == 0) {
			if (ident_key_parse(tok[i + 1], &p->key) != 0) {
				fprintf(stderr, "ikeadm: invalid key: use "
				    "hex digits with an optional /bits\n");
				goto out;
			}
			have_key = 1;
		} else {
			fprintf(stderr, "ikeadm: unknown preshared key "
			    "keyword '%s'\n", tok[i]);
			goto out;
		}
	}
	if (i != n - 1) {
		fprintf(stderr, "ikeadm: keyword '%s' has no value\n", tok[i]);
		goto out;
	}
	if (lid == NULL || rid == NULL || !have_key) {
		fprintf(stderr, "ikeadm: preshared key definition needs "
		    "localid, remoteid and key\n");
		goto out;
	}
	if (ikeadm_ident_parse(ltype, lid, &p->local_id, &p->local) != 0 ||
	    ikeadm_ident_parse(rtype, rid, &p->remote_id, &p->remote) != 0) {
		fprintf(stderr, "ikeadm: invalid identity '%s' or '%s' for "
		    "types '%s' and '%s'\n", lid, rid, ltype, rtype);
		goto out;
	}
	rv = 0;
out:
	if (rv != 0)
		util_wipe(&p->key, sizeof(p->key));
	return (rv);
}

static int
ident_write_all(int fd, const char *s, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (ERR_SYSTEM);
		s += n;
		len -= (size_t)n;
	}
	return (0);
}

/*
 * Write tok to buf as an ike.config string: in quotes, with each quote and
 * backslash escaped.  Returns the new length, or -1 when buf is full.
 */
static int
ident_quote(char *buf, size_t len, const char *tok)
{
	size_t	used = 0;

	if (2 * strlen(tok) + 2 >= len)
		return (-1);
	buf[used++] = '"';
	for (; *tok != '\0'; tok++) {
		if (*tok == '"' || *tok == '\\')
			buf[used++] = '\\';
		buf[used++] = *tok;
	}
	buf[used++] = '"';
	return ((int)used);
}

/*
 * Write the tokens of "{ ... }" to fd as ike.config text.  The tokenizer
 * removed the quotes and escapes, so they are put back around the values
 * that the config grammar wants quoted (label, local_id, remote_id).
 */
int
ikeadm_rule_block_write(int fd, char **tok, int n)
{
	char	buf[2 * IKEADM_LINE_MAX + 4];
	int	i, quote, len, rv;

	if (n < 2 || strcmp(tok[0], "{") != 0 || strcmp(tok[n - 1], "}") != 0)
		return (ERR_INVAL);
	for (i = 0; i < n; i++) {
		quote = i > 0 && (strcmp(tok[i - 1], "label") == 0 ||
		    strcmp(tok[i - 1], "local_id") == 0 ||
		    strcmp(tok[i - 1], "remote_id") == 0);
		if (quote)
			len = ident_quote(buf, sizeof(buf), tok[i]);
		else
			len = snprintf(buf, sizeof(buf), "%s", tok[i]);
		if (len < 0 || (size_t)len + 1 >= sizeof(buf))
			return (ERR_TOOBIG);
		buf[len++] = i + 1 < n ? ' ' : '\n';
		if ((rv = ident_write_all(fd, buf, (size_t)len)) != 0)
			return (rv);
	}
	return (0);
}
