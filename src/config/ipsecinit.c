/*
 * Parser of /etc/inet/ipsecinit.conf, the IPsec policy:
 *
 *	{ pattern } action { properties } [or action { properties }] ...
 *
 * with the old (saddr, daddr, sport, dport, apply, permit) and new (laddr,
 * raddr, lport, rport, ipsec, drop) keywords, and tsrc/tdst for tunnel
 * mode.  Host, network, service and protocol names are resolved while
 * parsing.  A
 * host name with several addresses yields one entry per address, or one
 * per pair when both sides have several.
 *
 * An entry starts on a new line and "or" follows "}" on the same line.
 * After an error the parser skips to the next entry, so that every entry
 * with an error is reported.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/addr.h"
#include "config/diag.h"
#include "config/ipsecalgs.h"
#include "config/lex.h"
#include "config/parse.h"
#include "lib/err.h"

#define IPSECINIT_LEX_FLAGS	(LEX_HASH_COMMENT | LEX_PARENS)
#define IPSECINIT_MAX_ADDRS	64	/* addresses of one host name */
/*
 * Bits of the "seen" mask of one properties block: bit n marks property n
 * of ipsecinit_prop's names, and NONE << n that its value was "none".
 */
#define IPSECINIT_SEEN_NONE	0x100u
#define IPSECINIT_SEEN_AUTH_NONE (IPSECINIT_SEEN_NONE << 2)

/* Pattern keywords; the bit of each marks it as seen in an entry. */
enum ipsecinit_pkw {
	PK_LADDR, PK_RADDR, PK_SADDR, PK_DADDR, PK_SMASK, PK_DMASK,
	PK_LPORT, PK_RPORT, PK_SPORT, PK_DPORT, PK_ULP, PK_TYPE, PK_CODE,
	PK_TUNNEL, PK_NEGOTIATE, PK_DIR, PK_TSRC, PK_TDST,
};

static const struct {
	const char	*name;
	int		 id;
} ipsecinit_pkws[] = {
	{ "laddr", PK_LADDR }, { "local", PK_LADDR },
	{ "raddr", PK_RADDR }, { "remote", PK_RADDR },
	{ "saddr", PK_SADDR }, { "src", PK_SADDR }, { "srcaddr", PK_SADDR },
	{ "daddr", PK_DADDR }, { "dst", PK_DADDR }, { "dstaddr", PK_DADDR },
	{ "smask", PK_SMASK }, { "dmask", PK_DMASK },
	{ "lport", PK_LPORT }, { "rport", PK_RPORT },
	{ "sport", PK_SPORT }, { "dport", PK_DPORT },
	{ "ulp", PK_ULP }, { "proto", PK_ULP },
	{ "type", PK_TYPE }, { "code", PK_CODE },
	{ "tunnel", PK_TUNNEL }, { "negotiate", PK_NEGOTIATE },
	{ "dir", PK_DIR }, { "tsrc", PK_TSRC }, { "tdst", PK_TDST },
};

struct ipsecinit_name {
	const char	*name;
	int		 value;
};

static const struct ipsecinit_name ipsecinit_actions[] = {
	{ "ipsec", CONFIG_SPD_IPSEC },
	{ "bypass", CONFIG_SPD_BYPASS },
	{ "pass", CONFIG_SPD_PASS },
	{ "drop", CONFIG_SPD_DROP },
	{ "apply", CONFIG_SPD_APPLY },
	{ "permit", CONFIG_SPD_PERMIT },
	{ NULL, 0 },
};

/* ICMP and ICMPv6 message types and codes (RFC 792, RFC 4443, RFC 4861). */
static const struct ipsecinit_name ipsecinit_icmp_types[] = {
	{ "echorep", 0 }, { "echo-reply", 0 }, { "unreach", 3 },
	{ "squench", 4 }, { "redir", 5 }, { "echo", 8 },
	{ "routerad", 9 }, { "router-advert", 9 }, { "routersol", 10 },
	{ "router-sol", 10 }, { "timex", 11 }, { "time-exceeded", 11 },
	{ "paramprob", 12 }, { "timest", 13 }, { "timestrep", 14 },
	{ "inforeq", 15 }, { "inforep", 16 }, { "maskreq", 17 },
	{ "maskrep", 18 },
	{ "unreach6", 1 }, { "pkttoobig6", 2 }, { "timex6", 3 },
	{ "paramprob6", 4 }, { "echo6", 128 }, { "echorep6", 129 },
	{ "router-sol6", 133 }, { "router-ad6", 134 }, { "neigh-sol6", 135 },
	{ "neigh-ad6", 136 }, { "redir6", 137 },
	{ NULL, 0 },
};

static const struct ipsecinit_name ipsecinit_icmp_codes[] = {
	{ "net-unr", 0 }, { "host-unr", 1 }, { "proto-unr", 2 },
	{ "port-unr", 3 }, { "needfrag", 4 }, { "srcfail", 5 },
	{ "net-unk", 6 }, { "host-unk", 7 }, { "isolate", 8 },
	{ "net-prohib", 9 }, { "host-prohib", 10 }, { "net-tos", 11 },
	{ "host-tos", 12 }, { "filter-prohib", 13 }, { "host-preced", 14 },
	{ "cutoff-preced", 15 },
	{ "no-route6", 0 }, { "adm-prohib6", 1 }, { "addr-unr6", 3 },
	{ "port-unr6", 4 },
	{ NULL, 0 },
};

/* Addresses of one pattern keyword (several when a name resolves so). */
struct ipsecinit_addrs {
	struct config_range	*ranges;
	size_t			 n;
	int			 prefixed;	/* written with /plen */
};

struct ipsecinit_entry {
	struct config_spd	 spd;		/* pattern and alternatives */
	struct ipsecinit_addrs	 addrs[4];	/* PK_LADDR .. PK_DADDR */
	struct config_ip	 mask[2];	/* smask, dmask */
	struct config_spd_num	 ports[4];	/* lport rport sport dport */
	uint32_t		 seen;		/* 1 << enum ipsecinit_pkw */
	unsigned int		 line;
	int			 ok;
};

struct ipsecinit {
	struct lex		 ii_lex;
	struct lex_token	 ii_tok;
	char			 ii_shown[LEX_SHOW_BUF];
	int			 ii_prev;	/* type of the previous token */
	struct config		*ii_cf;
	struct config_diag	*ii_diag;
	const char		*ii_file;
	unsigned int		 ii_flags;	/* PARSE_NUMERIC */
	int			 ii_nomem;
};

static void
ipsecinit_error(struct ipsecinit *ii, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Text that is not the current token, for a message (see lex.h). */
static const char *
ipsecinit_show(struct ipsecinit *ii, const char *text)
{
	lex_show_value(text, ii->ii_shown, sizeof(ii->ii_shown));
	return (ii->ii_shown);
}

static void
ipsecinit_error(struct ipsecinit *ii, unsigned int line, const char *fmt, ...)
{
	va_list	ap;
	char	msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(ii->ii_diag, ii->ii_file, line, "%s", msg);
}

static void
ipsecinit_advance(struct ipsecinit *ii)
{
	ii->ii_prev = ii->ii_tok.lt_type;
	lex_next(&ii->ii_lex, &ii->ii_tok);
}

static int
ipsecinit_lookup(const struct ipsecinit_name *names, const char *s)
{
	for (; names->name != NULL; names++) {
		if (strcasecmp(names->name, s) == 0)
			return (names->value);
	}
	return (-1);
}

/*
 * Skip to the next entry: a "{" that starts a line right after a "}".  A
 * "{" that starts a line after an action word opens wrapped properties.
 */
static void
ipsecinit_resync(struct ipsecinit *ii)
{
	while (ii->ii_tok.lt_type != LEX_EOF) {
		if (ii->ii_tok.lt_type == LEX_LBRACE && ii->ii_tok.lt_bol &&
		    ii->ii_prev == LEX_RBRACE)
			return;
		ipsecinit_advance(ii);
	}
}

static int
ipsecinit_add_range(struct ipsecinit *ii, struct ipsecinit_addrs *a,
    const struct config_range *r)
{
	struct config_range	*slot;

	slot = parse_array_add(&a->ranges, &a->n, sizeof(*slot));
	if (slot == NULL) {
		ii->ii_nomem = 1;
		return (-1);
	}
	*slot = *r;
	return (0);
}

/* Resolve a host name; every address becomes a host (or /plen) range. */
static int
ipsecinit_resolve(struct ipsecinit *ii, const char *kw, const char *name,
    int plen, struct ipsecinit_addrs *a)
{
	struct addrinfo		 hints, *res = NULL, *ai;
	struct config_range	 r;
	struct config_ip	 ip;
	size_t			 n = 0;
	int			 rc;

	if (ii->ii_flags & PARSE_NUMERIC) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: host "
		    "names are not resolved in numeric mode; write an address",
		    kw, ipsecinit_show(ii, name));
		return (-1);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: "
		    "host name not resolved (%s): write an address, or add "
		    "the name to /etc/hosts", kw, ipsecinit_show(ii, name),
		    gai_strerror(rc));
		return (-1);
	}
	for (ai = res; ai != NULL && n < IPSECINIT_MAX_ADDRS; ai = ai->ai_next) {
		if (config_ip_from_sockaddr(&ip, ai->ai_addr) != 0)
			continue;
		if (plen >= 0 && (size_t)plen > addr_len(ip.family) * 8)
			continue;
		if (plen >= 0)
			addr_prefix_range(&r, &ip, (unsigned int)plen);
		else {
			memset(&r, 0, sizeof(r));
			r.lo = r.hi = ip;
			r.kind = CONFIG_RANGE_SINGLE;
		}
		if (ipsecinit_add_range(ii, a, &r) != 0)
			break;
		n++;
	}
	freeaddrinfo(res);
	if (n == 0) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: the "
		    "name has no usable address%s", kw,
		    ipsecinit_show(ii, name),
		    plen >= 0 ? " for that prefix length" : "");
		return (-1);
	}
	return (0);
}

/*
 * Look name up in the network names (/etc/networks).  Without /plen the
 * prefix ends after the last non-zero byte, as the class of the network
 * number implies (loopback 127.0.0.0 is a /8).  Returns 1 when found.
 */
static int
ipsecinit_network(struct ipsecinit *ii, const char *name, int plen,
    struct ipsecinit_addrs *a)
{
	struct config_range	 r;
	struct config_ip	 ip;
	struct netent		*ne;
	uint32_t		 net;

	if (ii->ii_flags & PARSE_NUMERIC)
		return (0);
	if ((ne = getnetbyname(name)) == NULL || ne->n_addrtype != AF_INET)
		return (0);
	net = (uint32_t)ne->n_net;
	memset(&ip, 0, sizeof(ip));
	ip.family = AF_INET;
	ip.addr[0] = (uint8_t)(net >> 24);
	ip.addr[1] = (uint8_t)(net >> 16);
	ip.addr[2] = (uint8_t)(net >> 8);
	ip.addr[3] = (uint8_t)net;
	if (plen < 0) {
		for (plen = 32; plen > 0 && ip.addr[plen / 8 - 1] == 0;
		    plen -= 8)
			;
	}
	if (plen > 32)
		return (0);
	addr_prefix_range(&r, &ip, (unsigned int)plen);
	(void)ipsecinit_add_range(ii, a, &r);
	return (1);
}

/* Parse the "A", "A/plen" or "name[/plen]" of laddr, raddr, saddr, daddr. */
static int
ipsecinit_addr(struct ipsecinit *ii, const char *kw, struct ipsecinit_addrs *a)
{
	struct config_range	 r;
	char			 buf[LEX_MAX_TOKEN + 1], why[256], *slash;
	uint32_t		 plen = 0;
	int			 has_plen = 0;

	snprintf(buf, sizeof(buf), "%s", ii->ii_tok.lt_text);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		if (parse_u32(slash + 1, &plen) != 0 || plen > 128) {
			ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s "
			    "%s: expected a prefix length after '/'", kw,
			    ii->ii_tok.lt_shown);
			return (-1);
		}
		has_plen = 1;
		a->prefixed = 1;
	}
	if (addr_parse_range(buf, &r, why, sizeof(why)) == 0 &&
	    r.kind != CONFIG_RANGE_SINGLE) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: "
		    "address ranges are not allowed here; write A/plen", kw,
		    ii->ii_tok.lt_shown);
		return (-1);
	}
	if (addr_parse_range(buf, &r, why, sizeof(why)) == 0) {
		if (has_plen && plen > addr_len(r.lo.family) * 8) {
			ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s "
			    "%s: prefix length %u is longer than the "
			    "address", kw, ii->ii_tok.lt_shown, plen);
			return (-1);
		}
		if (has_plen)
			addr_prefix_range(&r, &r.lo, plen);
		return (ipsecinit_add_range(ii, a, &r));
	}
	/* Never send a malformed address literal to the resolver. */
	if (buf[0] == '\0' || strchr(buf, ':') != NULL ||
	    strspn(buf, "0123456789.") == strlen(buf)) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: "
		    "expected an address, A/plen or a host name", kw,
		    ii->ii_tok.lt_shown);
		return (-1);
	}
	if (ipsecinit_network(ii, buf, has_plen ? (int)plen : -1, a))
		return (0);
	return (ipsecinit_resolve(ii, kw, buf, has_plen ? (int)plen : -1, a));
}

/* A single tunnel endpoint (tsrc), or an address, prefix or range (tdst). */
static int
ipsecinit_tunnel_addr(struct ipsecinit *ii, const char *kw, int single,
    struct config_range *out)
{
	struct ipsecinit_addrs	a;
	char			why[256];
	int			rc = -1;

	memset(&a, 0, sizeof(a));
	if (addr_parse_range(ii->ii_tok.lt_text, out, why, sizeof(why)) == 0) {
		if (!single || out->kind == CONFIG_RANGE_SINGLE)
			return (0);
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: "
		    "expected the single local tunnel endpoint address", kw,
		    ii->ii_tok.lt_shown);
		return (-1);
	}
	if (strchr(ii->ii_tok.lt_text, '/') != NULL ||
	    strchr(ii->ii_tok.lt_text, ':') != NULL ||
	    strspn(ii->ii_tok.lt_text, "0123456789.-") ==
	    ii->ii_tok.lt_len) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s: %s", kw,
		    why);
		return (-1);
	}
	if (ipsecinit_resolve(ii, kw, ii->ii_tok.lt_text, -1, &a) != 0)
		goto out;
	if (a.n != 1) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: the "
		    "name has %zu addresses; a tunnel endpoint needs exactly "
		    "one, so write the address", kw, ii->ii_tok.lt_shown, a.n);
		goto out;
	}
	*out = a.ranges[0];
	rc = 0;
out:
	free(a.ranges);
	return (rc);
}

static int
ipsecinit_mask(struct ipsecinit *ii, const char *kw, struct config_ip *mask)
{
	uint32_t	v;

	if (parse_u32(ii->ii_tok.lt_text, &v) == 0 &&
	    (ii->ii_tok.lt_text[1] == 'x' || ii->ii_tok.lt_text[1] == 'X')) {
		memset(mask, 0, sizeof(*mask));
		mask->family = AF_INET;
		mask->addr[0] = (uint8_t)(v >> 24);
		mask->addr[1] = (uint8_t)(v >> 16);
		mask->addr[2] = (uint8_t)(v >> 8);
		mask->addr[3] = (uint8_t)v;
	} else if (addr_parse_ip(ii->ii_tok.lt_text, mask) != 0 ||
	    mask->family != AF_INET) {
		mask->family = 0;
	}
	if (mask->family == 0 || addr_mask_plen(mask) < 0) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: "
		    "expected a contiguous IPv4 mask such as 255.255.255.0 or "
		    "0xffffff00", kw, ii->ii_tok.lt_shown);
		mask->family = 0;
		return (-1);
	}
	return (0);
}

static int
ipsecinit_port(struct ipsecinit *ii, const char *kw, struct config_spd_num *n)
{
	struct servent	*se;
	uint32_t	 v;

	if (parse_u32(ii->ii_tok.lt_text, &v) == 0) {
		if (v > 65535) {
			ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s "
			    "%u: expected a port from 0 to 65535", kw, v);
			return (-1);
		}
	} else if ((se = getservbyname(ii->ii_tok.lt_text, NULL)) != NULL) {
		v = ntohs((uint16_t)se->s_port);
	} else {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: "
		    "expected a port number or a service name from "
		    "/etc/services", kw, ii->ii_tok.lt_shown);
		return (-1);
	}
	n->sn_set = 1;
	n->sn_lo = n->sn_hi = (uint16_t)v;
	return (0);
}

static int
ipsecinit_ulp(struct ipsecinit *ii, struct config_spd_num *n)
{
	struct protoent	*pe;
	uint32_t	 v;

	if (parse_u32(ii->ii_tok.lt_text, &v) == 0) {
		if (v > 255) {
			ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid ulp "
			    "%u: expected a protocol from 0 to 255", v);
			return (-1);
		}
	} else if ((pe = getprotobyname(ii->ii_tok.lt_text)) != NULL) {
		v = (uint32_t)pe->p_proto;
	} else {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid ulp %s: "
		    "expected a protocol number or a name from /etc/protocols",
		    ii->ii_tok.lt_shown);
		return (-1);
	}
	n->sn_set = 1;
	n->sn_lo = n->sn_hi = (uint16_t)v;
	return (0);
}

static int
ipsecinit_icmp_value(const char *s, const struct ipsecinit_name *names,
    uint32_t max, uint16_t *out)
{
	uint32_t	v;
	int		named;

	if (parse_u32(s, &v) != 0) {
		if ((named = ipsecinit_lookup(names, s)) < 0)
			return (-1);
		v = (uint32_t)named;
	}
	if (v > max)
		return (-1);
	*out = (uint16_t)v;
	return (0);
}

/*
 * "type T", "type T1-T2", "code C", "code C1-C2".  Names contain dashes
 * too ("port-unr"), so every dash is tried as the range separator.
 */
static int
ipsecinit_icmp(struct ipsecinit *ii, const char *kw,
    const struct ipsecinit_name *names, uint32_t max,
    struct config_spd_num *n)
{
	char	buf[LEX_MAX_TOKEN + 1], *dash;

	snprintf(buf, sizeof(buf), "%s", ii->ii_tok.lt_text);
	if (ipsecinit_icmp_value(buf, names, max, &n->sn_lo) == 0) {
		n->sn_hi = n->sn_lo;
		n->sn_set = 1;
		return (0);
	}
	for (dash = strchr(buf, '-'); dash != NULL;
	    dash = strchr(dash + 1, '-')) {
		*dash = '\0';
		if (ipsecinit_icmp_value(buf, names, max, &n->sn_lo) == 0 &&
		    ipsecinit_icmp_value(dash + 1, names, max,
		    &n->sn_hi) == 0 && n->sn_lo <= n->sn_hi) {
			n->sn_set = 1;
			return (0);
		}
		*dash = '-';
	}
	ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: expected a "
	    "number from 0 to %u, a range N-M or a name such as %s", kw,
	    ii->ii_tok.lt_shown, max,
	    names == ipsecinit_icmp_types ? "echo" : "port-unr");
	return (-1);
}

static int
ipsecinit_keyword(struct ipsecinit *ii, const char *kw, const char *a,
    const char *b, const char *c, int *out, int va, int vb, int vc)
{
	const char	*v = ii->ii_tok.lt_text;

	if (strcasecmp(v, a) == 0)
		*out = va;
	else if (strcasecmp(v, b) == 0)
		*out = vb;
	else if (c != NULL && strcasecmp(v, c) == 0)
		*out = vc;
	else {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: "
		    "expected %s%s%s%s%s", kw, ipsecinit_show(ii, v), a,
		    c != NULL ? ", " : " or ",
		    b, c != NULL ? " or " : "", c != NULL ? c : "");
		return (-1);
	}
	return (0);
}

static int
ipsecinit_pattern_value(struct ipsecinit *ii, struct ipsecinit_entry *e,
    int id, const char *kw)
{
	struct config_spd	*s = &e->spd;
	struct config_range	 r;

	switch (id) {
	case PK_LADDR:
	case PK_RADDR:
	case PK_SADDR:
	case PK_DADDR:
		return (ipsecinit_addr(ii, kw, &e->addrs[id - PK_LADDR]));
	case PK_SMASK:
	case PK_DMASK:
		return (ipsecinit_mask(ii, kw, &e->mask[id - PK_SMASK]));
	case PK_LPORT:
	case PK_RPORT:
	case PK_SPORT:
	case PK_DPORT:
		return (ipsecinit_port(ii, kw, &e->ports[id - PK_LPORT]));
	case PK_ULP:
		return (ipsecinit_ulp(ii, &s->sd_ulp));
	case PK_TYPE:
		return (ipsecinit_icmp(ii, kw, ipsecinit_icmp_types, 255,
		    &s->sd_icmp_type));
	case PK_CODE:
		return (ipsecinit_icmp(ii, kw, ipsecinit_icmp_codes, 254,
		    &s->sd_icmp_code));
	case PK_TUNNEL:
		ipsecinit_error(ii, ii->ii_tok.lt_line, "tunnel %s: tunnel "
		    "interfaces are not used on Linux; give the outer "
		    "addresses in the pattern with tsrc A tdst B instead",
		    ii->ii_tok.lt_shown);
		return (-1);
	case PK_NEGOTIATE:
		return (ipsecinit_keyword(ii, kw, "tunnel", "transport", NULL,
		    &s->sd_negotiate, CONFIG_NEGOTIATE_TUNNEL,
		    CONFIG_NEGOTIATE_TRANSPORT, 0));
	case PK_DIR:
		return (ipsecinit_keyword(ii, kw, "in", "out", "both",
		    &s->sd_dir, CONFIG_DIR_IN, CONFIG_DIR_OUT,
		    CONFIG_DIR_BOTH));
	case PK_TSRC:
		if (ipsecinit_tunnel_addr(ii, kw, 1, &r) != 0)
			return (-1);
		s->sd_tsrc = r.lo;
		s->sd_tunnel = 1;
		return (0);
	default:
		if (ipsecinit_tunnel_addr(ii, kw, 0, &s->sd_tdst) != 0)
			return (-1);
		s->sd_tunnel = 1;
		return (0);
	}
}

static void
ipsecinit_pattern_pair(struct ipsecinit *ii, struct ipsecinit_entry *e)
{
	char		kw[32];
	unsigned int	line = ii->ii_tok.lt_line;
	size_t		i;
	int		id = -1;

	snprintf(kw, sizeof(kw), "%.31s", ii->ii_tok.lt_text);
	for (i = 0; i < sizeof(ipsecinit_pkws) / sizeof(ipsecinit_pkws[0]);
	    i++) {
		if (strcasecmp(ipsecinit_pkws[i].name, ii->ii_tok.lt_text) ==
		    0)
			id = ipsecinit_pkws[i].id;
	}
	if (id < 0) {
		ipsecinit_error(ii, line, "unknown pattern keyword %s",
		    ii->ii_tok.lt_shown_kw);
		e->ok = 0;
	}
	if (id == PK_TSRC || id == PK_TDST) {
		ii->ii_prev = ii->ii_tok.lt_type;
		lex_next_joined(&ii->ii_lex, &ii->ii_tok);
	} else
		ipsecinit_advance(ii);
	if (ii->ii_tok.lt_type != LEX_WORD) {
		if (id >= 0)
			ipsecinit_error(ii, line, "missing value after %s", kw);
		e->ok = 0;
		return;
	}
	if (id >= 0 && (e->seen & (1u << id))) {
		ipsecinit_error(ii, line, "duplicate %s in pattern: each "
		    "pattern keyword may appear only once", kw);
		e->ok = 0;
	} else if (id >= 0) {
		e->seen |= 1u << id;
		if (ipsecinit_pattern_value(ii, e, id, kw) != 0)
			e->ok = 0;
	}
	ipsecinit_advance(ii);
}

/* Key sizes "( N )", "( N .. )", "( .. M )", "( N .. M )" after an alg. */
static int
ipsecinit_keylen(struct ipsecinit *ii, const char *kw,
    const struct ipsecalgs_alg *alg, struct config_spd_alg *out)
{
	unsigned int	line = ii->ii_tok.lt_line;
	uint32_t	lo = 0, hi = 0;
	int		range = 0, ok = 1;

	ipsecinit_advance(ii);			/* "(" */
	if (ii->ii_tok.lt_type == LEX_WORD) {
		ok = parse_u32(ii->ii_tok.lt_text, &lo) == 0 && lo <= 65535;
		ipsecinit_advance(ii);
	}
	if (ii->ii_tok.lt_type == LEX_DOTDOT) {
		range = 1;
		ipsecinit_advance(ii);
		if (ii->ii_tok.lt_type == LEX_WORD) {
			ok = ok && parse_u32(ii->ii_tok.lt_text, &hi) == 0 &&
			    hi <= 65535;
			ipsecinit_advance(ii);
		}
	}
	if (ii->ii_tok.lt_type != LEX_RPAREN || (lo == 0 && hi == 0 && ok) ||
	    !ok) {
		ipsecinit_error(ii, line, "invalid key size for %s %s: "
		    "expected (N), (N..), (..M) or (N..M) in bits", kw,
		    alg->ia_names[0]);
		while (ii->ii_tok.lt_type != LEX_RPAREN &&
		    ii->ii_tok.lt_type != LEX_EOF &&
		    ii->ii_tok.lt_type != LEX_RBRACE)
			ipsecinit_advance(ii);
		if (ii->ii_tok.lt_type == LEX_RPAREN)
			ipsecinit_advance(ii);
		return (-1);
	}
	ipsecinit_advance(ii);			/* ")" */
	if (!range)
		hi = lo;
	if (lo == 0)
		lo = alg->ia_key_min;
	if (hi == 0)
		hi = alg->ia_key_max;
	if (alg->ia_key_default == 0 || lo > hi ||
	    !ipsecalgs_key_valid(alg, lo) || !ipsecalgs_key_valid(alg, hi)) {
		if (alg->ia_key_step != 0)
			ipsecinit_error(ii, line, "invalid key size %u..%u for "
			    "%s %s: expected %u to %u bits in steps of %u", lo,
			    hi, kw, alg->ia_names[0], alg->ia_key_min,
			    alg->ia_key_max, alg->ia_key_step);
		else if (alg->ia_key_default != 0)
			ipsecinit_error(ii, line, "invalid key size for %s "
			    "%s: it has only %u-bit keys", kw,
			    alg->ia_names[0], alg->ia_key_default);
		else
			ipsecinit_error(ii, line, "invalid key size for %s "
			    "%s: it takes no key", kw, alg->ia_names[0]);
		return (-1);
	}
	out->sa_klen_min = (uint16_t)lo;
	out->sa_klen_max = (uint16_t)hi;
	return (0);
}

static const char *
ipsecinit_alg_names(int proto)
{
	if (proto == IPSECALGS_AH)
		return ("any md5 hmac-md5 sha1 hmac-sha1 hmac-sha256 "
		    "hmac-sha384 hmac-sha512");
	return ("any null aes aes-cbc aes-ccm aes-gcm des des-cbc 3des "
	    "3des-cbc blowfish blowfish-cbc");
}

static int
ipsecinit_alg(struct ipsecinit *ii, const char *kw, int proto,
    struct config_spd_alg *out)
{
	const struct ipsecalgs_alg	*alg;
	uint32_t			 id;

	if (parse_u32(ii->ii_tok.lt_text, &id) == 0)
		alg = id >= 1 && id <= 255 ?
		    ipsecalgs_find_id(proto, (int)id) : NULL;
	else
		alg = ipsecalgs_find_name(proto, ii->ii_tok.lt_text);
	if (alg == NULL) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "invalid %s %s: "
		    "expected one of %s (or a number from /etc/inet/ipsecalgs)",
		    kw, ii->ii_tok.lt_shown, ipsecinit_alg_names(proto));
		ipsecinit_advance(ii);
		return (-1);
	}
	out->sa_set = 1;
	out->sa_id = alg->ia_id;
	out->sa_klen_min = alg->ia_key_min;
	out->sa_klen_max = alg->ia_key_max;
	if (alg->ia_key_step == 0)
		out->sa_klen_min = out->sa_klen_max = alg->ia_key_default;
	ipsecinit_advance(ii);
	if (ii->ii_tok.lt_type == LEX_LPAREN)
		return (ipsecinit_keylen(ii, kw, alg, out));
	return (0);
}

/* One "name value" of the properties; returns -1 on an error. */
static int
ipsecinit_prop(struct ipsecinit *ii, struct config_spd_alt *alt,
    uint32_t *seen)
{
	static const char	*names[] = { "auth_algs", "encr_algs",
				    "encr_auth_algs", "sa", "dir" };
	char			 kw[32], shown[LEX_SHOW_VALUE_MAX + 3];
	unsigned int		 line = ii->ii_tok.lt_line;
	size_t			 i;
	int			 id = -1, v;

	snprintf(kw, sizeof(kw), "%.31s", ii->ii_tok.lt_text);
	snprintf(shown, sizeof(shown), "%s", ii->ii_tok.lt_shown_kw);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(names[i], kw) == 0)
			id = (int)i;
	}
	ipsecinit_advance(ii);
	if (id < 0 || ii->ii_tok.lt_type != LEX_WORD) {
		if (id < 0)
			ipsecinit_error(ii, line, "unknown property %s: "
			    "expected auth_algs, encr_algs, encr_auth_algs, "
			    "sa or dir", shown);
		else
			ipsecinit_error(ii, line, "missing value after %s", kw);
		if (ii->ii_tok.lt_type == LEX_WORD)
			ipsecinit_advance(ii);
		return (-1);
	}
	if (*seen & (1u << id)) {
		ipsecinit_error(ii, line, "duplicate %s in properties: each "
		    "property may appear only once", kw);
		ipsecinit_advance(ii);
		return (-1);
	}
	*seen |= 1u << id;
	/*
	 * "none" asks for no algorithm of that kind, which is what leaving
	 * the property out means; it is not an alias of "any".
	 */
	if ((id == 0 || id == 2) && strcasecmp(ii->ii_tok.lt_text, "none") == 0) {
		*seen |= IPSECINIT_SEEN_NONE << id;
		ipsecinit_advance(ii);
		return (0);
	}
	switch (id) {
	case 0:
		return (ipsecinit_alg(ii, kw, IPSECALGS_AH, &alt->sp_ah_auth));
	case 1:
		return (ipsecinit_alg(ii, kw, IPSECALGS_ESP,
		    &alt->sp_esp_encr));
	case 2:
		return (ipsecinit_alg(ii, kw, IPSECALGS_AH,
		    &alt->sp_esp_auth));
	case 3:
		v = ipsecinit_keyword(ii, kw, "shared", "unique", NULL,
		    &alt->sp_sa_unique, 0, 1, 0);
		ipsecinit_advance(ii);
		return (v);
	default:
		v = ipsecinit_keyword(ii, kw, "in", "out", NULL, &alt->sp_dir,
		    CONFIG_DIR_IN, CONFIG_DIR_OUT, 0);
		ipsecinit_advance(ii);
		return (v);
	}
}

/*
 * ESP with neither encryption nor integrity protects nothing, so an
 * entry must not allow it.
 */
static int
ipsecinit_check_esp(struct ipsecinit *ii, const struct config_spd_alt *alt,
    uint32_t seen, unsigned int line)
{
	if (!alt->sp_esp_encr.sa_set && (seen & IPSECINIT_SEEN_AUTH_NONE) &&
	    !alt->sp_ah_auth.sa_set) {
		ipsecinit_error(ii, line, "encr_auth_algs none without "
		    "encr_algs selects no protection: add encr_algs, or name "
		    "an integrity algorithm");
		return (-1);
	}
	if (alt->sp_esp_encr.sa_set &&
	    alt->sp_esp_encr.sa_id == IPSECALGS_ENCR_NULL &&
	    !alt->sp_esp_auth.sa_set) {
		ipsecinit_error(ii, line, "encr_algs null without an "
		    "encr_auth_algs algorithm allows ESP with neither "
		    "encryption nor integrity: add encr_auth_algs ALG, such "
		    "as hmac-sha256, or use a cipher");
		return (-1);
	}
	return (0);
}

/* Checks of one "action { properties }" that need all of it. */
static int
ipsecinit_check_alt(struct ipsecinit *ii, struct config_spd_alt *alt,
    const char *action, unsigned int line, uint32_t seen)
{
	int	algs = alt->sp_ah_auth.sa_set || alt->sp_esp_encr.sa_set ||
		    alt->sp_esp_auth.sa_set;

	if (!config_spd_is_ipsec(alt)) {
		if (algs) {
			ipsecinit_error(ii, line, "%s takes no algorithms: "
			    "remove them, or use ipsec", action);
			return (-1);
		}
		if (alt->sp_sa_unique) {
			ipsecinit_error(ii, line, "sa unique is not allowed "
			    "with %s: remove it", action);
			return (-1);
		}
		return (0);
	}
	if (ipsecinit_check_esp(ii, alt, seen, line) != 0)
		return (-1);
	if (!algs) {
		ipsecinit_error(ii, line, "%s needs auth_algs, encr_algs or "
		    "encr_auth_algs in its properties, other than none",
		    action);
		return (-1);
	}
	/* encr_auth_algs alone means ESP with null encryption. */
	if (alt->sp_esp_auth.sa_set && !alt->sp_esp_encr.sa_set) {
		alt->sp_esp_encr.sa_set = 1;
		alt->sp_esp_encr.sa_id = IPSECALGS_ENCR_NULL;
	}
	return (0);
}

/* Parse "action { properties }"; the action word is the current token. */
static int
ipsecinit_alt(struct ipsecinit *ii, struct ipsecinit_entry *e)
{
	struct config_spd_alt	 alt, *slot;
	char			 action[32];
	unsigned int		 line = ii->ii_tok.lt_line;
	uint32_t		 seen = 0;
	int			 ok = 1;

	memset(&alt, 0, sizeof(alt));
	snprintf(action, sizeof(action), "%.31s", ii->ii_tok.lt_text);
	alt.sp_action = ipsecinit_lookup(ipsecinit_actions, action);
	if (alt.sp_action < 0) {
		ipsecinit_error(ii, line, "invalid action %s: expected "
		    "ipsec, bypass, pass, drop, apply or permit",
		    ii->ii_tok.lt_shown_kw);
		return (-1);
	}
	ipsecinit_advance(ii);
	if (ii->ii_tok.lt_type != LEX_LBRACE) {
		ipsecinit_error(ii, line, "missing '{' after action %s: write "
		    "%s { properties }", action, action);
		return (-1);
	}
	ipsecinit_advance(ii);
	while (ii->ii_tok.lt_type == LEX_WORD) {
		if (ipsecinit_prop(ii, &alt, &seen) != 0)
			ok = 0;
	}
	if (ii->ii_tok.lt_type != LEX_RBRACE) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "unexpected %s in "
		    "properties of %s: expected a property or '}'",
		    lex_describe_kw(&ii->ii_tok), action);
		return (-1);
	}
	if (ok && ipsecinit_check_alt(ii, &alt, action, line, seen) != 0)
		ok = 0;
	if (ok && e->spd.sd_nalts > 0 && (!config_spd_is_ipsec(&alt) ||
	    !config_spd_is_ipsec(&e->spd.sd_alts[0]))) {
		ipsecinit_error(ii, line, "'or' joins only ipsec, apply or "
		    "permit alternatives, not %s", action);
		ok = 0;
	}
	if (ok) {
		slot = parse_array_add(&e->spd.sd_alts, &e->spd.sd_nalts,
		    sizeof(*slot));
		if (slot == NULL)
			ii->ii_nomem = 1;
		else
			*slot = alt;
	}
	if (!ok)
		e->ok = 0;
	return (0);
}

/* The direction the entry applies to, for old-style src/dst mapping. */
static int
ipsecinit_entry_dir(const struct ipsecinit_entry *e)
{
	const struct config_spd_alt	*alt = &e->spd.sd_alts[0];

	if (alt->sp_action == CONFIG_SPD_APPLY)
		return (CONFIG_DIR_OUT);
	if (alt->sp_action == CONFIG_SPD_PERMIT)
		return (CONFIG_DIR_IN);
	if (alt->sp_dir != 0)
		return (alt->sp_dir);
	return (e->spd.sd_dir != 0 ? e->spd.sd_dir : CONFIG_DIR_BOTH);
}

/*
 * Apply smask/dmask to saddr/daddr, then map the old source/destination
 * keywords to local/remote: outbound the source is local, inbound the
 * source is remote.
 */
static int
ipsecinit_map_old(struct ipsecinit *ii, struct ipsecinit_entry *e)
{
	struct ipsecinit_addrs	*a, *to;
	struct config_spd_num	*p, *pto;
	int			 in = ipsecinit_entry_dir(e) == CONFIG_DIR_IN;
	size_t			 side, i;

	for (side = 0; side < 2; side++) {
		a = &e->addrs[PK_SADDR + side];
		if (e->mask[side].family != 0) {
			for (i = 0; i < a->n; i++) {
				if (a->ranges[i].lo.family != AF_INET ||
				    a->prefixed) {
					ipsecinit_error(ii, e->line, "%s "
					    "applies only to an IPv4 %s "
					    "without /plen", side ? "dmask" :
					    "smask", side ? "daddr" : "saddr");
					return (-1);
				}
				addr_prefix_range(&a->ranges[i],
				    &a->ranges[i].lo,
				    (unsigned int)addr_mask_plen(&e->mask[side]));
			}
		}
		to = &e->addrs[(side == 0) != in ? PK_LADDR : PK_RADDR];
		p = &e->ports[PK_SPORT - PK_LPORT + side];
		pto = &e->ports[(side == 0) != in ? 0 : 1];
		if ((a->n > 0 && to->n > 0) || (p->sn_set && pto->sn_set)) {
			ipsecinit_error(ii, e->line, "pattern gives the %s "
			    "side twice, with old and new keywords: keep one",
			    (side == 0) != in ? "local" : "remote");
			return (-1);
		}
		if (a->n > 0) {
			*to = *a;
			memset(a, 0, sizeof(*a));
		}
		if (p->sn_set)
			*pto = *p;
	}
	return (0);
}

static int
ipsecinit_check_pattern(struct ipsecinit *ii, struct ipsecinit_entry *e)
{
	struct config_spd	*s = &e->spd;
	int			 dir = ipsecinit_entry_dir(e);
	int			 act = s->sd_alts[0].sp_action;
	int			 ulp = s->sd_ulp.sn_set ? s->sd_ulp.sn_lo : -1;

	if ((s->sd_icmp_type.sn_set || s->sd_icmp_code.sn_set) &&
	    ulp != IPPROTO_ICMP && ulp != IPPROTO_ICMPV6) {
		ipsecinit_error(ii, e->line, "type and code need ulp icmp or "
		    "ulp ipv6-icmp in the same pattern");
		return (-1);
	}
	if ((act == CONFIG_SPD_APPLY || act == CONFIG_SPD_PERMIT) &&
	    s->sd_dir != 0 && s->sd_dir != dir) {
		ipsecinit_error(ii, e->line, "dir conflicts with the action "
		    "%s, which is %s only", act == CONFIG_SPD_APPLY ?
		    "apply" : "permit", act == CONFIG_SPD_APPLY ? "outbound" :
		    "inbound");
		return (-1);
	}
	if (e->seen & ((1u << PK_TSRC) | (1u << PK_TDST))) {
		if (!(e->seen & (1u << PK_TSRC)) ||
		    !(e->seen & (1u << PK_TDST))) {
			ipsecinit_error(ii, e->line, "tunnel mode needs both "
			    "tsrc (local endpoint) and tdst (remote endpoint)");
			return (-1);
		}
		if (s->sd_negotiate == CONFIG_NEGOTIATE_TRANSPORT) {
			ipsecinit_error(ii, e->line, "negotiate transport "
			    "conflicts with tsrc/tdst, which select tunnel "
			    "mode: remove one of them");
			return (-1);
		}
		if (s->sd_tsrc.family != s->sd_tdst.lo.family) {
			ipsecinit_error(ii, e->line, "tsrc and tdst are of "
			    "different address families");
			return (-1);
		}
		s->sd_negotiate = CONFIG_NEGOTIATE_TUNNEL;
	} else if (s->sd_negotiate == CONFIG_NEGOTIATE_TUNNEL) {
		ipsecinit_error(ii, e->line, "negotiate tunnel needs the outer "
		    "addresses: add tsrc A tdst B to the pattern");
		return (-1);
	}
	return (0);
}

/* Add one entry per (laddr, raddr) combination of the same family. */
static void
ipsecinit_expand(struct ipsecinit *ii, struct ipsecinit_entry *e)
{
	struct ipsecinit_addrs	*l = &e->addrs[PK_LADDR];
	struct ipsecinit_addrs	*r = &e->addrs[PK_RADDR];
	struct config_spd	*slot;
	size_t			 nl = l->n > 0 ? l->n : 1;
	size_t			 nr = r->n > 0 ? r->n : 1, i, j, added = 0;

	e->spd.sd_lport = e->ports[0];
	e->spd.sd_rport = e->ports[1];
	for (i = 0; i < nl; i++) {
		for (j = 0; j < nr; j++) {
			if (l->n > 0 && r->n > 0 &&
			    l->ranges[i].lo.family != r->ranges[j].lo.family)
				continue;
			slot = parse_array_add(&ii->ii_cf->cf_spds,
			    &ii->ii_cf->cf_nspds, sizeof(*slot));
			if (slot == NULL) {
				ii->ii_nomem = 1;
				return;
			}
			*slot = e->spd;
			slot->sd_laddr_set = l->n > 0;
			if (l->n > 0)
				slot->sd_laddr = l->ranges[i];
			slot->sd_raddr_set = r->n > 0;
			if (r->n > 0)
				slot->sd_raddr = r->ranges[j];
			slot->sd_alts = calloc(e->spd.sd_nalts,
			    sizeof(*slot->sd_alts));
			if (slot->sd_alts == NULL) {
				ii->ii_cf->cf_nspds--;
				ii->ii_nomem = 1;
				return;
			}
			memcpy(slot->sd_alts, e->spd.sd_alts,
			    e->spd.sd_nalts * sizeof(*slot->sd_alts));
			added++;
		}
	}
	if (added == 0)
		ipsecinit_error(ii, e->line, "laddr and raddr are of different "
		    "address families: the entry can match no packet");
}

static void
ipsecinit_finish(struct ipsecinit *ii, struct ipsecinit_entry *e)
{
	size_t	i;

	if (e->ok && e->spd.sd_nalts > 0 && ipsecinit_map_old(ii, e) == 0 &&
	    ipsecinit_check_pattern(ii, e) == 0)
		ipsecinit_expand(ii, e);
	for (i = 0; i < 4; i++)
		free(e->addrs[i].ranges);
	free(e->spd.sd_alts);
}

static void
ipsecinit_entry(struct ipsecinit *ii)
{
	struct ipsecinit_entry	e;
	unsigned int		rbrace_line;

	memset(&e, 0, sizeof(e));
	e.line = ii->ii_tok.lt_line;
	e.ok = 1;
	e.spd.sd_where.cw_file = ii->ii_file;
	e.spd.sd_where.cw_line = e.line;
	if (!ii->ii_tok.lt_bol)
		ipsecinit_error(ii, e.line, "a policy entry must start on a "
		    "new line");
	ipsecinit_advance(ii);
	while (ii->ii_tok.lt_type == LEX_WORD)
		ipsecinit_pattern_pair(ii, &e);
	if (ii->ii_tok.lt_type != LEX_RBRACE) {
		ipsecinit_error(ii, ii->ii_tok.lt_line, "unexpected %s in "
		    "pattern: expected a pattern keyword or '}'",
		    lex_describe_kw(&ii->ii_tok));
		goto fail;
	}
	rbrace_line = ii->ii_tok.lt_line;
	ipsecinit_advance(ii);
	for (;;) {
		if (ii->ii_tok.lt_type != LEX_WORD ||
		    ii->ii_tok.lt_line != rbrace_line) {
			ipsecinit_error(ii, rbrace_line, "missing action after "
			    "'}': expected ipsec, bypass, pass, drop, apply or "
			    "permit on the same line");
			goto fail;
		}
		if (ipsecinit_alt(ii, &e) != 0)
			goto fail;
		rbrace_line = ii->ii_tok.lt_line;
		ipsecinit_advance(ii);
		if (ii->ii_tok.lt_type != LEX_WORD ||
		    strcasecmp(ii->ii_tok.lt_text, "or") != 0 ||
		    ii->ii_tok.lt_line != rbrace_line)
			break;
		ipsecinit_advance(ii);
	}
	ipsecinit_finish(ii, &e);
	return;
fail:
	e.ok = 0;
	ipsecinit_finish(ii, &e);
	ipsecinit_resync(ii);
}

/*
 * Sort key of one entry in match order.  Group 0 contains the bypass and
 * pass entries, and every drop entry starts a new group of the others.
 * Within a group the stronger entries come first, and ties keep the file
 * order.
 */
struct ipsecinit_order_key {
	size_t		ok_group;
	int		ok_strength;
	size_t		ok_index;
};

#define IPSECINIT_STRENGTH_DROP	4	/* above AH+ESP: first of its group */

/* Protection of one alternative: AH+ESP 3, ESP 2, AH 1, none 0. */
static int
ipsecinit_alt_strength(const struct config_spd_alt *alt)
{
	if (!config_spd_is_ipsec(alt))
		return (0);
	return ((alt->sp_esp_encr.sa_set ? 2 : 0) +
	    (alt->sp_ah_auth.sa_set ? 1 : 0));
}

/*
 * An entry with "or" alternatives is as strong as its weakest one,
 * because a responder accepts any of them.
 */
static int
ipsecinit_strength(const struct config_spd *s)
{
	size_t	i;
	int	min, v;

	if (s->sd_nalts == 0)
		return (0);
	if (s->sd_alts[0].sp_action == CONFIG_SPD_DROP)
		return (IPSECINIT_STRENGTH_DROP);
	min = ipsecinit_alt_strength(&s->sd_alts[0]);
	for (i = 1; i < s->sd_nalts; i++) {
		v = ipsecinit_alt_strength(&s->sd_alts[i]);
		if (v < min)
			min = v;
	}
	return (min);
}

static int
ipsecinit_is_clear(const struct config_spd *s)
{
	int	act = s->sd_nalts > 0 ? s->sd_alts[0].sp_action : 0;

	return (act == CONFIG_SPD_BYPASS || act == CONFIG_SPD_PASS);
}

static int
ipsecinit_order_cmp(const void *a, const void *b)
{
	const struct ipsecinit_order_key	*x = a, *y = b;

	if (x->ok_group != y->ok_group)
		return (x->ok_group < y->ok_group ? -1 : 1);
	if (x->ok_strength != y->ok_strength)
		return (x->ok_strength > y->ok_strength ? -1 : 1);
	if (x->ok_index != y->ok_index)
		return (x->ok_index < y->ok_index ? -1 : 1);
	return (0);
}

/*
 * Sort the entries from first on into match order, as if each were added
 * in file order by the ipsecconf rule: bypass and pass entries go first,
 * and a new entry goes before the older ones that are weaker (AH+ESP >
 * ESP > AH).  No entry moves across a drop entry, so that a drop keeps
 * the traffic it covers from the entries after it, and a final catch-all
 * drop stays last.
 */
static int
ipsecinit_order(struct config *cf, size_t first)
{
	struct ipsecinit_order_key	*keys;
	const struct config_spd		*s;
	struct config_spd		*sorted;
	size_t				 n = cf->cf_nspds - first, i;
	size_t				 group = 1;
	int				 rc = ERR_NOMEM;

	if (n < 2)
		return (0);
	keys = calloc(n, sizeof(*keys));
	sorted = calloc(n, sizeof(*sorted));
	if (keys == NULL || sorted == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		s = &cf->cf_spds[first + i];
		keys[i].ok_index = i;
		keys[i].ok_strength = ipsecinit_strength(s);
		if (ipsecinit_is_clear(s))
			continue;
		if (keys[i].ok_strength == IPSECINIT_STRENGTH_DROP)
			group++;
		keys[i].ok_group = group;
	}
	qsort(keys, n, sizeof(*keys), ipsecinit_order_cmp);
	for (i = 0; i < n; i++)
		sorted[i] = cf->cf_spds[first + keys[i].ok_index];
	memcpy(cf->cf_spds + first, sorted, n * sizeof(*sorted));
	rc = 0;
out:
	free(sorted);
	free(keys);
	return (rc);
}

int
ipsecinit_parse(struct config *cf, const char *file, const void *buf,
    size_t len, struct config_diag *diag)
{
	return (ipsecinit_parse_flags(cf, file, buf, len, 0, diag));
}

int
ipsecinit_parse_flags(struct config *cf, const char *file, const void *buf,
    size_t len, unsigned int flags, struct config_diag *diag)
{
	struct ipsecinit	*ii;
	size_t			 before = diag_count(diag);
	size_t			 first = cf->cf_nspds;
	int			 rc;

	if ((ii = calloc(1, sizeof(*ii))) == NULL)
		return (ERR_NOMEM);
	ii->ii_cf = cf;
	ii->ii_diag = diag;
	ii->ii_flags = flags;
	ii->ii_prev = LEX_RBRACE;
	if ((ii->ii_file = parse_intern_file(cf, file)) == NULL) {
		free(ii);
		return (ERR_NOMEM);
	}
	lex_init(&ii->ii_lex, buf, len, IPSECINIT_LEX_FLAGS, ii->ii_file, diag);
	lex_next(&ii->ii_lex, &ii->ii_tok);
	while (ii->ii_tok.lt_type != LEX_EOF) {
		if (ii->ii_tok.lt_type == LEX_LBRACE) {
			ipsecinit_entry(ii);
			continue;
		}
		if (ii->ii_tok.lt_type == LEX_WORD &&
		    strcasecmp(ii->ii_tok.lt_text, "or") == 0)
			ipsecinit_error(ii, ii->ii_tok.lt_line, "'or' must "
			    "follow '}' on the same line");
		else if (ii->ii_tok.lt_type != LEX_ERROR)
			ipsecinit_error(ii, ii->ii_tok.lt_line, "unexpected "
			    "%s: expected '{' to start a policy entry",
			    lex_describe_kw(&ii->ii_tok));
		ipsecinit_advance(ii);
		ipsecinit_resync(ii);
	}
	if (ipsecinit_order(cf, first) != 0)
		ii->ii_nomem = 1;
	rc = ii->ii_nomem ? ERR_NOMEM :
	    diag_count(diag) != before ? ERR_CONFIG : 0;
	lex_token_wipe(&ii->ii_tok);
	free(ii);
	return (rc);
}
