/*
 * Output of ikeadm: the Solaris ikeadm layouts (labels, column widths and
 * number formats are an interface that scripts parse), or with -j one JSON
 * object per item and line.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/util.h"
#include "control/control.h"
#include "control/names.h"
#include "ikeadm/ikeadm.h"

/* "lo - hi" with room for two addresses and their prefix lengths. */
#define PRINT_RANGE_LEN	(2 * (INET6_ADDRSTRLEN + 8) + 8)

/* JSON helpers: print_json_* append ",\"key\":value" after the first. */

/*
 * The length of the UTF-8 sequence at p (RFC 3629 section 4: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 when it is invalid.
 */
static size_t
print_utf8_len(const unsigned char *p)
{
	size_t	n, i;
	uint8_t	lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return (1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else
		return (0);
	if (p[1] < lo || p[1] > hi)
		return (0);
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return (0);
	return (n);
}

/*
 * A JSON string that is always valid UTF-8 (RFC 8259 section 8.1): names
 * and labels are bytes, so a byte that starts no valid UTF-8 sequence
 * becomes U+FFFD, and control characters become \uXXXX escapes.
 */
static void
print_json_string(FILE *f, const char *s)
{
	const unsigned char	*p;
	size_t			 n;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		n = 1;
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else if ((n = print_utf8_len(p)) == 0) {
			fputs("\\ufffd", f);
			n = 1;
		} else
			(void)fwrite(p, 1, n, f);
	}
	fputc('"', f);
}

static void
print_json_key(FILE *f, int *first, const char *key)
{
	fputs(*first ? "{" : ",", f);
	*first = 0;
	print_json_string(f, key);
	fputc(':', f);
}

static void
print_json_str(FILE *f, int *first, const char *key, const char *val)
{
	print_json_key(f, first, key);
	print_json_string(f, val);
}

static void
print_json_u64(FILE *f, int *first, const char *key, unsigned long long v)
{
	print_json_key(f, first, key);
	fprintf(f, "%llu", v);
}

static void
print_json_end(FILE *f, int *first)
{
	fputs(*first ? "{}\n" : "}\n", f);
}

/* Names of protocol values. */

static const char *
print_xchg_name(int x)
{
	switch (x) {
	case CONTROL_XCHG_BASE:		return ("base");
	case CONTROL_XCHG_MAIN:		return ("main mode (identity protect)");
	case CONTROL_XCHG_AUTH_ONLY:	return ("authentication only");
	case CONTROL_XCHG_AGGRESSIVE:	return ("aggressive mode");
	case CONTROL_XCHG_BOTH:		return ("main and aggressive mode");
	case CONTROL_XCHG_ANY:		return ("any mode");
	default:			return ("<unknown>");
	}
}

static const char *
print_state_name(int s)
{
	switch (s) {
	case CONTROL_P1_INIT:		return ("INITIALIZING");
	case CONTROL_P1_SENT_SA:	return ("SENT FIRST MSG (SA)");
	case CONTROL_P1_SENT_KE:	return ("SENT SECOND MSG (KE)");
	case CONTROL_P1_SENT_FINAL:	return ("SENT FINAL MSG");
	case CONTROL_P1_ACTIVE:		return ("ACTIVE");
	case CONTROL_P1_DELETED:	return ("DELETED");
	default:			return ("<invalid>");
	}
}

static const char *
print_auth_name(int a)
{
	switch (a) {
	case 1:		return ("pre-shared key");
	case 2:		return ("DSS signatures");
	case 3:		return ("RSA signatures");
	case 4:		return ("RSA Encryption");
	case 5:		return ("Revised RSA Encryption");
	case 9:		return ("ECDSA P-256 signatures");
	case 10:	return ("ECDSA P-384 signatures");
	case 11:	return ("ECDSA P-521 signatures");
	default:	return ("<unknown>");
	}
}

static const char *
print_prf_name(int h)
{
	switch (h) {
	case 1:		return ("HMAC MD5");
	case 2:		return ("HMAC SHA1");
	case 4:		return ("HMAC SHA256");
	case 5:		return ("HMAC SHA384");
	case 6:		return ("HMAC SHA512");
	default:	return ("<unknown>");
	}
}

static const char *
print_idtype_name(int t)
{
	switch (t) {
	case CONTROL_IDT_IPV4:
	case CONTROL_IDT_IPV6:
	case CONTROL_IDT_IP:		return ("IP address");
	case CONTROL_IDT_IPV4_SUBNET:
	case CONTROL_IDT_IPV6_SUBNET:	return ("prefix");
	case CONTROL_IDT_FQDN:		return ("FQDN");
	case CONTROL_IDT_USER_FQDN:	return ("user-FQDN (mbox)");
	case CONTROL_IDT_DN:		return ("ASN.1 DER Distinguished Name");
	case CONTROL_IDT_GN:		return ("ASN.1 DER Generic Name");
	case CONTROL_IDT_KEY_ID:	return ("Generic key id");
	case CONTROL_IDT_IPV4_RANGE:
	case CONTROL_IDT_IPV6_RANGE:	return ("Address range");
	default:			return ("<unknown>");
	}
}

/* " (8.00 hours)": a duration in the largest unit that fits; none for 0. */
static void
print_duration(FILE *f, uint32_t secs)
{
	static const struct {
		uint32_t	 unit;
		const char	*one;
		const char	*many;
	} units[] = {
		{ 86400, "day", "days" },
		{ 3600, "hour", "hours" },
		{ 60, "minute", "minutes" },
	};
	size_t	i;
	double	v;

	if (secs == 0)
		return;
	for (i = 0; i < UTIL_NELEM(units); i++) {
		if (secs >= units[i].unit) {
			v = (double)secs / units[i].unit;
			fprintf(f, " (%.2f %s)", v, secs == units[i].unit ?
			    units[i].one : units[i].many);
			return;
		}
	}
	fprintf(f, " (%u %s)", secs, secs == 1 ? "second" : "seconds");
}

static void
print_time(FILE *f, int64_t t)
{
	char		buf[128];
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%c", &tm) == 0)
		(void)snprintf(buf, sizeof(buf), "%lld", (long long)t);
	fputs(buf, f);
}

static int
print_addr_is_zero(const struct control_addr *a)
{
	size_t	i, n = a->family == AF_INET ? 4 : 16;

	for (i = 0; i < n; i++)
		if (a->addr[i] != 0)
			return (0);
	return (1);
}

static void
print_addr_text(char *buf, size_t len, const struct control_addr *a)
{
	if (a->family != AF_INET && a->family != AF_INET6) {
		(void)snprintf(buf, len, "<unspecified>");
		return;
	}
	if (inet_ntop(a->family, a->addr, buf, (socklen_t)len) == NULL)
		(void)snprintf(buf, len, "<invalid>");
}

/*
 * The " (name)" or " <unknown>" part, nothing with -n, and " <unspecified>"
 * for the all-zero address, which needs no lookup.
 */
static void
print_addr_name(FILE *f, const struct ikeadm_opts *o,
    const struct control_addr *a)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	char			 host[NI_MAXHOST];
	socklen_t		 slen;

	if (print_addr_is_zero(a)) {
		fputs(" <unspecified>", f);
		return;
	}
	if (o->numeric)
		return;
	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->addr, 4);
		slen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->addr, 16);
		slen = sizeof(*sin6);
	}
	if (getnameinfo((struct sockaddr *)&ss, slen, host, sizeof(host),
	    NULL, 0, NI_NAMEREQD) != 0)
		fputs(" <unknown>", f);
	else
		fprintf(f, " (%s)", host);
}

/* "AF_INET: port 500, 192.0.2.10 (hq-gw)." */
void
ikeadm_print_addr(FILE *f, const struct ikeadm_opts *o,
    const struct control_addr *a)
{
	char	buf[INET6_ADDRSTRLEN + 8];

	print_addr_text(buf, sizeof(buf), a);
	fprintf(f, "%s: port %u, %s", a->family == AF_INET6 ? "AF_INET6" :
	    "AF_INET", a->port, buf);
	if (a->plen != 0)
		fprintf(f, "/%u", a->plen);
	print_addr_name(f, o, a);
	fputs(".\n", f);
}

static void
print_range_text(char *buf, size_t len, const struct control_range *r)
{
	char	lo[INET6_ADDRSTRLEN + 8], hi[INET6_ADDRSTRLEN + 8];

	print_addr_text(lo, sizeof(lo), &r->lo);
	if (r->lo.plen != 0)
		(void)snprintf(buf, len, "%s/%u", lo, r->lo.plen);
	else if (r->hi.family == 0 ||
	    memcmp(r->lo.addr, r->hi.addr, sizeof(r->lo.addr)) == 0)
		(void)snprintf(buf, len, "%s", lo);
	else {
		print_addr_text(hi, sizeof(hi), &r->hi);
		(void)snprintf(buf, len, "%s - %s", lo, hi);
	}
}

/* Hex digits and "/bits"; every byte is XX with -p. */
static void
print_key_hex(FILE *f, const struct ikeadm_opts *o,
    const struct control_key *k)
{
	uint16_t	i;

	for (i = 0; i < k->len; i++) {
		if (o->paranoid)
			fputs("XX", f);
		else
			fprintf(f, "%02x", k->bytes[i]);
	}
	fprintf(f, "/%u", k->bits != 0 ? k->bits : 8U * k->len);
}

static void
print_key(FILE *f, const struct ikeadm_opts *o, const char *name,
    const struct control_key *k)
{
	if (k->len == 0)
		return;
	fprintf(f, "KEY:   %s (%u bytes): ", name, k->len);
	print_key_hex(f, o, k);
	fputc('\n', f);
}

/* Debug and privilege. */

static void
print_debug_cats(FILE *f, uint32_t level)
{
	const struct control_debug_cat	*c;
	size_t				 n, i;

	if ((level & D_ALL) == 0) {
		fputs("No debug categories enabled.\n", f);
		return;
	}
	fputs("Debug categories enabled:\n", f);
	c = control_debug_cats_get(&n);
	for (i = 0; i < n; i++)
		if (level & c[i].bit)
			fprintf(f, "\t%s\n", c[i].desc);
}

void
ikeadm_print_debug(FILE *f, const struct ikeadm_opts *o, uint32_t level)
{
	const struct control_debug_cat	*c;
	size_t				 n, i;
	int				 first = 1;

	if (!o->json) {
		fprintf(f, "Current debug level is 0x%x\n", level);
		print_debug_cats(f, level);
		return;
	}
	print_json_u64(f, &first, "debug_level", level);
	print_json_key(f, &first, "categories");
	fputc('[', f);
	c = control_debug_cats_get(&n);
	for (i = 0, first = 1; i < n; i++) {
		if ((level & c[i].bit) == 0)
			continue;
		if (!first)
			fputc(',', f);
		first = 0;
		print_json_string(f, c[i].name);
	}
	fputs("]}\n", f);
}

void
ikeadm_print_set_debug(FILE *f, uint32_t old, uint32_t level)
{
	fprintf(f, "Successfully changed debug level from 0x%x to 0x%x\n",
	    old, level);
	print_debug_cats(f, level);
}

void
ikeadm_print_priv(FILE *f, const struct ikeadm_opts *o, uint32_t level)
{
	int	first = 1;

	if (!o->json) {
		fprintf(f, "Current privilege level is 0x%x, %s enabled\n",
		    level, control_priv_desc((int)level));
		return;
	}
	print_json_u64(f, &first, "privilege_level", level);
	print_json_str(f, &first, "name", control_priv_name((int)level));
	print_json_end(f, &first);
}

void
ikeadm_print_set_priv(FILE *f, uint32_t old, uint32_t level)
{
	fprintf(f, "Successfully changed privilege level from 0x%x to 0x%x\n",
	    old, level);
	fprintf(f, "New privilege level 0x%x enables %s\n", level,
	    control_priv_desc((int)level));
}

/* Statistics. */

static void
print_stats_json(FILE *f, const struct control_stats *s)
{
	int	first = 1;

	print_json_u64(f, &first, "current_initiator", s->cur_init);
	print_json_u64(f, &first, "current_responder", s->cur_resp);
	print_json_u64(f, &first, "total_initiator", s->total_init);
	print_json_u64(f, &first, "total_responder", s->total_resp);
	print_json_u64(f, &first, "attempted_initiator", s->att_init);
	print_json_u64(f, &first, "attempted_responder", s->att_resp);
	print_json_u64(f, &first, "failed_initiator",
	    (unsigned long long)s->fail_init + s->fail_init_noresp);
	print_json_u64(f, &first, "failed_responder", s->fail_resp);
	print_json_u64(f, &first, "initiator_timeouts", s->fail_init_noresp);
	if (s->pkcs11_lib[0] != '\0')
		print_json_str(f, &first, "pkcs11_library", s->pkcs11_lib);
	print_json_end(f, &first);
}

void
ikeadm_print_stats(FILE *f, const struct ikeadm_opts *o,
    const struct control_stats *s)
{
	if (o->json) {
		print_stats_json(f, s);
		return;
	}
	fputs("Phase 1 SA counts:\n", f);
	fprintf(f, "Current:   initiator: %10u   responder: %10u\n",
	    s->cur_init, s->cur_resp);
	fprintf(f, "Total:     initiator: %10u   responder: %10u\n",
	    s->total_init, s->total_resp);
	fprintf(f, "Attempted: initiator: %10u   responder: %10u\n",
	    s->att_init, s->att_resp);
	fprintf(f, "Failed:    initiator: %10u   responder: %10u\n",
	    s->fail_init + s->fail_init_noresp, s->fail_resp);
	fprintf(f, "           initiator fails include %u time-out(s)\n",
	    s->fail_init_noresp);
	if (s->pkcs11_lib[0] != '\0')
		fprintf(f, "PKCS#11 library linked in from %s\n",
		    s->pkcs11_lib);
}

/* Defaults: one row per value, in the Solaris order. */

struct print_defrow {
	const char	*token;		/* "-" when not tunable */
	size_t		 off;
	const char	*unit;
	const char	*desc;
};

#define DEFROW(t, m, u, d) { (t), offsetof(struct control_defaults, m), \
	(u), (d) }

static const struct print_defrow print_defrows[] = {
	DEFROW("p1_lifetime_secs", p1_lifetime_secs, "seconds",
	    "phase 1 lifetime"),
	DEFROW("-", p1_min_lifetime_secs, "seconds",
	    "minimum phase 1 lifetime"),
	DEFROW("p1_nonce_len", p1_nonce_len, "bytes",
	    "phase 1 nonce length"),
	DEFROW("p2_lifetime_secs", p2_lifetime_secs, "seconds",
	    "phase 2 lifetime"),
	DEFROW("p2_softlife_secs", p2_softlife_secs, "seconds",
	    "phase 2 soft lifetime"),
	DEFROW("p2_idletime_secs", p2_idletime_secs, "seconds",
	    "phase 2 idle time"),
	DEFROW("p2_lifetime_kb", p2_lifetime_kb, "kbytes",
	    "phase 2 lifetime"),
	DEFROW("p2_softlife_kb", p2_softlife_kb, "kbytes",
	    "phase 2 soft lifetime"),
	DEFROW("-", sys_p2_lifetime_secs, "seconds",
	    "system phase 2 lifetime"),
	DEFROW("-", sys_p2_softlife_secs, "seconds",
	    "system phase 2 soft lifetime"),
	DEFROW("-", sys_p2_idletime_secs, "seconds",
	    "system phase 2 idle time"),
	DEFROW("-", sys_p2_lifetime_bytes, "bytes",
	    "system phase 2 lifetime"),
	DEFROW("-", sys_p2_softlife_bytes, "bytes",
	    "system phase 2 soft lifetime"),
	DEFROW("-", p2_min_lifetime_secs, "seconds",
	    "minimum phase 2 hard lifetime"),
	DEFROW("-", p2_min_softlife_secs, "seconds",
	    "minimum phase 2 soft lifetime"),
	DEFROW("-", p2_min_idletime_secs, "seconds",
	    "minimum phase 2 idle lifetime"),
	DEFROW("-", p2_min_lifetime_kb, "kbytes",
	    "minimum phase 2 hard lifetime"),
	DEFROW("-", p2_min_softlife_kb, "kbytes",
	    "minimum phase 2 soft lifetime"),
	DEFROW("-", p2_min_delta_secs, "seconds",
	    "minimum phase 2 delta"),
	DEFROW("-", p2_min_delta_kb, "kbytes",
	    "minimum phase 2 delta"),
	DEFROW("-", p2_max_lifetime_secs, "seconds",
	    "maximum phase 2 lifetime"),
	DEFROW("-", p2_kb_per_sec, "kbytes/s",
	    "conversion factor"),
	DEFROW("-", p2_max_lifetime_kb, "kbytes",
	    "maximum phase 2 lifetime"),
	DEFROW("p2_nonce_len", p2_nonce_len, "bytes",
	    "phase 2 nonce length"),
	DEFROW("p2_pfs", p2_pfs, "group",
	    "phase 2 PFS group (0: none)"),
	DEFROW("max_certs", max_certs, "certs",
	    "maximum certificates cached"),
	DEFROW("-", ike_port, "port",
	    "IKE port number"),
	DEFROW("-", natt_port, "port",
	    "NAT-T port number"),
};

static uint32_t
print_defval(const struct control_defaults *d, size_t off)
{
	uint32_t	v;

	memcpy(&v, (const uint8_t *)d + off, sizeof(v));
	return (v);
}

void
ikeadm_print_defaults(FILE *f, const struct ikeadm_opts *o,
    const struct control_defaults *builtin,
    const struct control_defaults *eff)
{
	const struct print_defrow	*r;
	const char			*src;
	uint32_t			 v;
	size_t				 i;
	int				 first;

	if (!o->json) {
		fputs("Global defaults. Some values can be over-ridden on a "
		    "per rule basis.\n\nSystem defaults are time delayed.\n\n",
		    f);
		fprintf(f, "%-18s%-10s%-12s%-10s%-26s\n", "Token:", "Source:",
		    "Value:", "Unit:", "Description:");
	}
	for (i = 0; i < UTIL_NELEM(print_defrows); i++) {
		r = &print_defrows[i];
		v = print_defval(eff, r->off);
		src = v == print_defval(builtin, r->off) ? "default" :
		    "config";
		if (!o->json) {
			fprintf(f, "%-18s%-10s%11u %-10s%-26s\n", r->token,
			    src, v, r->unit, r->desc);
			continue;
		}
		first = 1;
		print_json_str(f, &first, "token", r->token);
		print_json_str(f, &first, "source", src);
		print_json_u64(f, &first, "value", v);
		print_json_u64(f, &first, "default",
		    print_defval(builtin, r->off));
		print_json_str(f, &first, "unit", r->unit);
		print_json_str(f, &first, "description", r->desc);
		print_json_end(f, &first);
	}
}

/* Phase 1 SAs and transforms. */

static void
print_group(FILE *f, uint16_t group)
{
	const char	*desc = control_group_desc(group);

	if (strcmp(desc, "<unknown>") != 0)
		fputs(desc, f);
	else
		fprintf(f, "<unknown> (group %u)", group);
}

static void
print_xform(FILE *f, const char *pfx, const struct control_xform *x)
{
	fprintf(f, "%sAuthentication method: %s\n", pfx,
	    print_auth_name(x->auth_method));
	fprintf(f, "%sEncryption alg: %s", pfx,
	    control_encr_name(x->encr));
	if (x->encr_klen != 0 && x->encr_klen_max > x->encr_klen)
		fprintf(f, "(%u..%u)", x->encr_klen, x->encr_klen_max);
	else if (x->encr_klen != 0)
		fprintf(f, "(%u)", x->encr_klen);
	fprintf(f, "; Authentication alg: %s\n",
	    control_auth_name(x->hash));
	fprintf(f, "%sPRF: %s ; Oakley Group: ", pfx, print_prf_name(x->hash));
	print_group(f, x->group);
	fputc('\n', f);
}

static void
print_lifetime(FILE *f, const char *pfx, uint32_t secs, uint32_t kb)
{
	fprintf(f, "%sLifetime limits:\n", pfx);
	fprintf(f, "%s%u seconds", pfx, secs);
	print_duration(f, secs);
	/* A kilobyte lifetime of 0 is no limit, not a limit of 0 kbytes. */
	if (kb == 0)
		fputs("; no kilobyte limit\n", f);
	else
		fprintf(f, "; %u kbytes protected\n", kb);
}

static void
print_p1_head(FILE *f, const struct control_p1_info *p)
{
	fprintf(f, "IKESA: Cookies: Initiator 0x%016llx  Responder "
	    "0x%016llx\n", (unsigned long long)p->icookie,
	    (unsigned long long)p->rcookie);
	fprintf(f, "IKESA: The local host is the %s.\n",
	    p->initiator ? "initiator" : "responder");
	fprintf(f, "IKESA: ISAKMP version 1.0; %s exchange\n",
	    print_xchg_name(p->xchg));
	fprintf(f, "IKESA: Current state is %s\n",
	    print_state_name(p->state));
	if (p->dpd == CONTROL_DPD_NONE)
		return;
	fputs("IKESA: Dead Peer Detection (RFC 3706) enabled\n", f);
	if (p->dpd == CONTROL_DPD_SUCCESS || p->dpd == CONTROL_DPD_FAILED) {
		fprintf(f, "IKESA: Dead Peer Detection handshake %s at ",
		    p->dpd == CONTROL_DPD_SUCCESS ? "was successful" :
		    "failed");
		print_time(f, p->dpd_time);
		fputc('\n', f);
	} else if (p->dpd == CONTROL_DPD_IN_PROGRESS) {
		fputs("IKESA: Dead Peer Detection handshake is in "
		    "progress.\n", f);
	}
}

static void
print_p1_lifetimes(FILE *f, const struct control_p1_info *p)
{
	time_t	now = time(NULL);
	int64_t	left = p->expires - (int64_t)now;

	print_lifetime(f, "LIFTM: ", p->lifetime_secs, p->lifetime_kb);
	fprintf(f, "LIFTM: keying material for IPsec SAs can be provided "
	    "%u times", p->max_keyuses);
	fputs(p->max_keyuses == 0 ? " (no limit)\n" : "\n", f);
	fputs("LIFTM: Current usage:\nLIFTM: SA was created at ", f);
	print_time(f, p->created);
	fprintf(f, "\nLIFTM: %u kbytes protected\n", p->kb_used);
	fprintf(f, "LIFTM: keying material for IPsec SAs provided %u times\n",
	    p->keyuses);
	fputs("LIFTM: Expiration info:\n", f);
	if (left > 0) {
		fprintf(f, "LIFTM: SA expires in %lld seconds",
		    (long long)left);
		print_duration(f, left > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)left);
		fputs("\nLIFTM: Time of expiration: ", f);
	} else {
		fputs("LIFTM: SA Expired at ", f);
	}
	print_time(f, p->expires);
	fputc('\n', f);
}

static void
print_p1_ids(FILE *f, const struct control_p1_info *p)
{
	const char	*li = p->initiator ? "Initiator" : "Responder";
	const char	*ri = p->initiator ? "Responder" : "Initiator";

	fprintf(f, "LOCID: %s identity, uid=0, type %s\n", li,
	    print_idtype_name(p->local_id.type));
	fprintf(f, "LOCID: %s\n", p->local_id.value);
	fprintf(f, "REMID: %s identity, uid=0, type %s\n", ri,
	    print_idtype_name(p->remote_id.type));
	fprintf(f, "REMID: %s\n", p->remote_id.value);
}

static void
print_p1_text(FILE *f, const struct ikeadm_opts *o,
    const struct control_p1_info *p)
{
	fputc('\n', f);
	print_p1_head(f, p);
	print_xform(f, "XFORM: ", &p->xform);
	if (p->p2_pfs != 0) {
		fputs("XFORM: Phase 2 PFS is required (Oakley Group: ", f);
		print_group(f, p->p2_pfs);
		fputs(")\n", f);
	} else {
		fputs("XFORM: Phase 2 PFS is not used\n", f);
	}
	fprintf(f, "LOCIP: Address (%s):\nLOCIP: ", p->initiator ?
	    "Initiator" : "Responder");
	ikeadm_print_addr(f, o, &p->local);
	fprintf(f, "REMIP: Address (%s):\nREMIP: ", p->initiator ?
	    "Responder" : "Initiator");
	ikeadm_print_addr(f, o, &p->remote);
	print_p1_lifetimes(f, p);
	fprintf(f, "STATS: %u Quick Mode SAs created; %u Quick Mode SAs "
	    "deleted\n", p->p2_created, p->p2_deleted);
	fprintf(f, "ERRS:  %u RX errors: %u decryption, %u hash, %u other\n",
	    p->rx_decrypt_errs + p->rx_hash_errs + p->rx_other_errs,
	    p->rx_decrypt_errs, p->rx_hash_errs, p->rx_other_errs);
	fprintf(f, "ERRS:  %u TX errors\n", p->tx_errs);
	print_p1_ids(f, p);
	print_key(f, o, "Pre-shared key", &p->psk);
	print_key(f, o, "SKEYID", &p->skeyid);
	print_key(f, o, "SKEYID_d", &p->skeyid_d);
	print_key(f, o, "SKEYID_a", &p->skeyid_a);
	print_key(f, o, "SKEYID_e", &p->skeyid_e);
	print_key(f, o, "Encryption key", &p->enc_key);
	print_key(f, o, "Initialization vector", &p->iv);
}

static void
print_json_addr(FILE *f, int *first, const char *key,
    const struct control_addr *a)
{
	char	buf[INET6_ADDRSTRLEN + 8];

	print_addr_text(buf, sizeof(buf), a);
	print_json_str(f, first, key, buf);
}

static void
print_json_key_bytes(FILE *f, int *first, const struct ikeadm_opts *o,
    const char *name, const struct control_key *k)
{
	uint16_t	i;

	if (k->len == 0)
		return;
	print_json_key(f, first, name);
	fputc('"', f);
	for (i = 0; i < k->len; i++) {
		if (o->paranoid)
			fputs("XX", f);
		else
			fprintf(f, "%02x", k->bytes[i]);
	}
	fputc('"', f);
}

static const char *
print_dpd_name(int dpd)
{
	switch (dpd) {
	case CONTROL_DPD_ENABLED:	return ("enabled");
	case CONTROL_DPD_SUCCESS:	return ("successful");
	case CONTROL_DPD_FAILED:	return ("failed");
	case CONTROL_DPD_IN_PROGRESS:	return ("in progress");
	default:			return ("none");
	}
}

/* The transform as a nested object {"auth_method":...}. */
static void
print_json_xform(FILE *f, const struct control_xform *x)
{
	int	first = 1;

	print_json_str(f, &first, "auth_method",
	    print_auth_name(x->auth_method));
	print_json_str(f, &first, "encr_alg", control_encr_name(x->encr));
	print_json_u64(f, &first, "encr_keylen", x->encr_klen);
	if (x->encr_klen_max != 0)
		print_json_u64(f, &first, "encr_keylen_max",
		    x->encr_klen_max);
	print_json_str(f, &first, "auth_alg", control_auth_name(x->hash));
	print_json_str(f, &first, "prf", print_prf_name(x->hash));
	print_json_u64(f, &first, "oakley_group", x->group);
	print_json_str(f, &first, "oakley_group_desc",
	    control_group_desc(x->group));
	print_json_u64(f, &first, "lifetime_secs", x->lifetime_secs);
	print_json_u64(f, &first, "lifetime_kb", x->lifetime_kb);
	fputc('}', f);
}

static void
print_p1_json_keys(FILE *f, int *first, const struct ikeadm_opts *o,
    const struct control_p1_info *p)
{
	print_json_key_bytes(f, first, o, "psk", &p->psk);
	print_json_key_bytes(f, first, o, "skeyid", &p->skeyid);
	print_json_key_bytes(f, first, o, "skeyid_d", &p->skeyid_d);
	print_json_key_bytes(f, first, o, "skeyid_a", &p->skeyid_a);
	print_json_key_bytes(f, first, o, "skeyid_e", &p->skeyid_e);
	print_json_key_bytes(f, first, o, "enc_key", &p->enc_key);
	print_json_key_bytes(f, first, o, "iv", &p->iv);
}

/* The local_idtype, local_id, remote_idtype and remote_id members. */
static void
print_json_ident_pair(FILE *f, int *first, const struct control_ident *local,
    const struct control_ident *remote)
{
	print_json_str(f, first, "local_idtype",
	    print_idtype_name(local->type));
	print_json_str(f, first, "local_id", local->value);
	print_json_str(f, first, "remote_idtype",
	    print_idtype_name(remote->type));
	print_json_str(f, first, "remote_id", remote->value);
}

static void
print_p1_json(FILE *f, const struct ikeadm_opts *o,
    const struct control_p1_info *p)
{
	char	buf[32];
	int	first = 1;

	(void)snprintf(buf, sizeof(buf), "0x%016llx",
	    (unsigned long long)p->icookie);
	print_json_str(f, &first, "initiator_cookie", buf);
	(void)snprintf(buf, sizeof(buf), "0x%016llx",
	    (unsigned long long)p->rcookie);
	print_json_str(f, &first, "responder_cookie", buf);
	print_json_str(f, &first, "role", p->initiator ? "initiator" :
	    "responder");
	print_json_str(f, &first, "exchange", print_xchg_name(p->xchg));
	print_json_str(f, &first, "state", print_state_name(p->state));
	print_json_str(f, &first, "dpd", print_dpd_name(p->dpd));
	if (p->dpd == CONTROL_DPD_SUCCESS || p->dpd == CONTROL_DPD_FAILED)
		print_json_u64(f, &first, "dpd_time",
		    (unsigned long long)p->dpd_time);
	print_json_key(f, &first, "xform");
	print_json_xform(f, &p->xform);
	print_json_u64(f, &first, "p2_pfs", p->p2_pfs);
	print_json_addr(f, &first, "local_addr", &p->local);
	print_json_u64(f, &first, "local_port", p->local.port);
	print_json_addr(f, &first, "remote_addr", &p->remote);
	print_json_u64(f, &first, "remote_port", p->remote.port);
	print_json_u64(f, &first, "lifetime_secs", p->lifetime_secs);
	print_json_u64(f, &first, "lifetime_kb", p->lifetime_kb);
	print_json_u64(f, &first, "max_keyuses", p->max_keyuses);
	print_json_u64(f, &first, "created", (unsigned long long)p->created);
	print_json_u64(f, &first, "kb_used", p->kb_used);
	print_json_u64(f, &first, "keyuses", p->keyuses);
	print_json_u64(f, &first, "expires", (unsigned long long)p->expires);
	print_json_u64(f, &first, "qm_created", p->p2_created);
	print_json_u64(f, &first, "qm_deleted", p->p2_deleted);
	print_json_u64(f, &first, "rx_decrypt_errors", p->rx_decrypt_errs);
	print_json_u64(f, &first, "rx_hash_errors", p->rx_hash_errs);
	print_json_u64(f, &first, "rx_other_errors", p->rx_other_errs);
	print_json_u64(f, &first, "tx_errors", p->tx_errs);
	print_json_ident_pair(f, &first, &p->local_id, &p->remote_id);
	print_p1_json_keys(f, &first, o, p);
	print_json_end(f, &first);
}

void
ikeadm_print_p1(FILE *f, const struct ikeadm_opts *o,
    const struct control_p1_info *p)
{
	if (o->json)
		print_p1_json(f, o, p);
	else
		print_p1_text(f, o, p);
}

/* Rules. */

static void
print_rule_ranges(FILE *f, const char *pfx, const struct control_range *r,
    uint32_t n)
{
	char		buf[PRINT_RANGE_LEN];
	uint32_t	i;

	fprintf(f, "%s: IP address range(s):\n", pfx);
	for (i = 0; i < n && i < CONTROL_RANGES_MAX; i++) {
		print_range_text(buf, sizeof(buf), &r[i]);
		fprintf(f, "%s: %s\n", pfx, buf);
	}
}

static void
print_rule_ids(FILE *f, const char *pfx, const struct control_idsel *ids,
    uint32_t n)
{
	uint32_t	i;
	int		pass;

	fprintf(f, "%s: Identity descriptors:\n", pfx);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n && i < CONTROL_IDS_MAX; i++)
			if (ids[i].exclude == pass)
				break;
		if (i == n || i == CONTROL_IDS_MAX)
			continue;
		fprintf(f, "%s: %s:\n", pfx, pass ? "Excludes" : "Includes");
		for (; i < n && i < CONTROL_IDS_MAX; i++)
			if (ids[i].exclude == pass)
				fprintf(f, "%s:    %s\n", pfx, ids[i].sel);
	}
}

/*
 * Print a label with each quote and backslash escaped by a backslash, the
 * form that ikeadm's tokenizer reads back, so that the label can be copied
 * into "get rule" or "del rule" with or without quotes.
 */
static void
print_label(FILE *f, const char *label)
{
	for (; *label != '\0'; label++) {
		if (*label == '"' || *label == '\\')
			fputc('\\', f);
		fputc(*label, f);
	}
}

static void
print_rule_text(FILE *f, const struct control_rule_info *r)
{
	char		pfx[16];
	uint32_t	i;

	fputs("\nGLOBL: Label '", f);
	print_label(f, r->label);
	fprintf(f, "', key manager cookie %u\n", r->cookie);
	fprintf(f, "GLOBL: local_idtype=%s, ike_mode=%s\n",
	    print_idtype_name(r->local_idtype), print_xchg_name(r->xchg));
	fprintf(f, "GLOBL: p1_nonce_len=%u, p2_nonce_len=%u, p2_pfs=",
	    r->p1_nonce_len, r->p2_nonce_len);
	if (r->p2_pfs != 0)
		fprintf(f, "true (group %u)\n", r->p2_pfs);
	else
		fputs("false\n", f);
	fprintf(f, "GLOBL: p2_lifetime=%u seconds", r->p2_lifetime_secs);
	print_duration(f, r->p2_lifetime_secs);
	fprintf(f, "\nGLOBL: p2_softlife=%u seconds", r->p2_softlife_secs);
	print_duration(f, r->p2_softlife_secs);
	fprintf(f, "\nGLOBL: p2_idletime=%u seconds", r->p2_idletime_secs);
	print_duration(f, r->p2_idletime_secs);
	fprintf(f, "\nGLOBL: p2_lifetime_kb=%u kilobytes\n",
	    r->p2_lifetime_kb);
	fprintf(f, "GLOBL: p2_softlife_kb=%u kilobytes\n", r->p2_softlife_kb);
	print_rule_ranges(f, "LOCIP", r->local, r->nlocal);
	print_rule_ranges(f, "REMIP", r->remote, r->nremote);
	print_rule_ids(f, "LOCID", r->local_ids, r->nlocal_ids);
	print_rule_ids(f, "REMID", r->remote_ids, r->nremote_ids);
	fputs("XFRMS: Available Transforms:\n", f);
	for (i = 0; i < r->nxforms && i < CONTROL_XFORMS_MAX; i++) {
		(void)snprintf(pfx, sizeof(pfx), "XF %2u: ", i);
		print_xform(f, pfx, &r->xforms[i]);
		print_lifetime(f, pfx, r->xforms[i].lifetime_secs,
		    r->xforms[i].lifetime_kb);
	}
}

static void
print_json_ranges(FILE *f, int *first, const char *key,
    const struct control_range *r, uint32_t n)
{
	char		buf[PRINT_RANGE_LEN];
	uint32_t	i;

	print_json_key(f, first, key);
	fputc('[', f);
	for (i = 0; i < n && i < CONTROL_RANGES_MAX; i++) {
		if (i > 0)
			fputc(',', f);
		print_range_text(buf, sizeof(buf), &r[i]);
		print_json_string(f, buf);
	}
	fputc(']', f);
}

static void
print_json_ids(FILE *f, int *first, const char *key,
    const struct control_idsel *ids, uint32_t n)
{
	char		buf[CONTROL_STR_MAX + 1];
	uint32_t	i;

	print_json_key(f, first, key);
	fputc('[', f);
	for (i = 0; i < n && i < CONTROL_IDS_MAX; i++) {
		if (i > 0)
			fputc(',', f);
		(void)snprintf(buf, sizeof(buf), "%s%s",
		    ids[i].exclude ? "!" : "", ids[i].sel);
		print_json_string(f, buf);
	}
	fputc(']', f);
}

static void
print_rule_json(FILE *f, const struct control_rule_info *r)
{
	uint32_t	i;
	int		first = 1;

	print_json_str(f, &first, "label", r->label);
	print_json_u64(f, &first, "cookie", r->cookie);
	print_json_str(f, &first, "local_idtype",
	    print_idtype_name(r->local_idtype));
	print_json_str(f, &first, "ike_mode", print_xchg_name(r->xchg));
	print_json_u64(f, &first, "p1_nonce_len", r->p1_nonce_len);
	print_json_u64(f, &first, "p2_nonce_len", r->p2_nonce_len);
	print_json_u64(f, &first, "p2_pfs", r->p2_pfs);
	print_json_u64(f, &first, "p2_lifetime_secs", r->p2_lifetime_secs);
	print_json_u64(f, &first, "p2_softlife_secs", r->p2_softlife_secs);
	print_json_u64(f, &first, "p2_idletime_secs", r->p2_idletime_secs);
	print_json_u64(f, &first, "p2_lifetime_kb", r->p2_lifetime_kb);
	print_json_u64(f, &first, "p2_softlife_kb", r->p2_softlife_kb);
	print_json_ranges(f, &first, "local_addr", r->local, r->nlocal);
	print_json_ranges(f, &first, "remote_addr", r->remote, r->nremote);
	print_json_ids(f, &first, "local_id", r->local_ids, r->nlocal_ids);
	print_json_ids(f, &first, "remote_id", r->remote_ids,
	    r->nremote_ids);
	print_json_key(f, &first, "xforms");
	fputc('[', f);
	for (i = 0; i < r->nxforms && i < CONTROL_XFORMS_MAX; i++) {
		if (i > 0)
			fputc(',', f);
		print_json_xform(f, &r->xforms[i]);
	}
	fputc(']', f);
	print_json_end(f, &first);
}

void
ikeadm_print_rule(FILE *f, const struct ikeadm_opts *o,
    const struct control_rule_info *r)
{
	if (o->json)
		print_rule_json(f, r);
	else
		print_rule_text(f, r);
}

/* Preshared keys. */

static void
print_psk_side(FILE *f, const struct ikeadm_opts *o, const char *ip,
    const char *id, const struct control_ident *ident,
    const struct control_range *r)
{
	char	buf[PRINT_RANGE_LEN];

	if (r->lo.family == 0) {
		fprintf(f, "%s: Identity, uid=0, type %s\n", id,
		    print_idtype_name(ident->type));
		fprintf(f, "%s: %s\n", id, ident->value);
		return;
	}
	if (r->hi.family != 0 && r->lo.plen == 0 &&
	    memcmp(r->lo.addr, r->hi.addr, sizeof(r->lo.addr)) != 0) {
		print_range_text(buf, sizeof(buf), r);
		fprintf(f, "%s: Address range:\n%s: %s\n", ip, ip, buf);
		return;
	}
	fprintf(f, "%s: Address:\n%s: ", ip, ip);
	ikeadm_print_addr(f, o, &r->lo);
}

static void
print_psk_text(FILE *f, const struct ikeadm_opts *o,
    const struct control_psk_info *p)
{
	fprintf(f, "\nPSKEY: For %s exchanges\n", print_xchg_name(p->xchg));
	if (p->key.len != 0) {
		fprintf(f, "PSKEY: Pre-shared key (%u bytes): ", p->key.len);
		print_key_hex(f, o, &p->key);
		fputc('\n', f);
	}
	print_psk_side(f, o, "LOCIP", "LOCID", &p->local_id, &p->local);
	print_psk_side(f, o, "REMIP", "REMID", &p->remote_id, &p->remote);
}

static void
print_json_psk_range(FILE *f, int *first, const char *key,
    const struct control_range *r)
{
	char	buf[PRINT_RANGE_LEN];

	if (r->lo.family == 0)
		return;
	print_range_text(buf, sizeof(buf), r);
	print_json_str(f, first, key, buf);
}

static void
print_psk_json(FILE *f, const struct ikeadm_opts *o,
    const struct control_psk_info *p)
{
	int	first = 1;

	print_json_str(f, &first, "ike_mode", print_xchg_name(p->xchg));
	print_json_ident_pair(f, &first, &p->local_id, &p->remote_id);
	print_json_psk_range(f, &first, "local_addr", &p->local);
	print_json_psk_range(f, &first, "remote_addr", &p->remote);
	print_json_key_bytes(f, &first, o, "key", &p->key);
	print_json_end(f, &first);
}

void
ikeadm_print_psk(FILE *f, const struct ikeadm_opts *o,
    const struct control_psk_info *p)
{
	if (o->json)
		print_psk_json(f, o, p);
	else
		print_psk_text(f, o, p);
}

/* Certificate cache and algorithm lists. */

static const char *
print_cert_source(int s)
{
	switch (s) {
	case CONTROL_CERT_PAYLOAD:	return ("Obtained via certificate payload");
	case CONTROL_CERT_KEY_LOCKED:	return ("Private key linked but locked");
	case CONTROL_CERT_KEY:		return ("Private key available");
	default:			return ("Public certificate only");
	}
}

void
ikeadm_print_cert(FILE *f, const struct ikeadm_opts *o,
    const struct control_cert_info *c)
{
	int	first = 1;

	if (o->json) {
		print_json_u64(f, &first, "id", c->id);
		print_json_str(f, &first, "subject", c->subject);
		print_json_str(f, &first, "issuer", c->issuer);
		print_json_u64(f, &first, "trusted", c->trusted);
		print_json_str(f, &first, "source",
		    print_cert_source(c->source));
		print_json_end(f, &first);
		return;
	}
	fprintf(f, "\nCERTIFICATE CACHE ID: %u\n", c->id);
	fprintf(f, "\tSubject Name: %s\n", c->subject);
	fprintf(f, "\t Issuer Name: %s\n", c->issuer);
	if (c->trusted)
		fputs("\t\t[trusted certificate]\n", f);
	fprintf(f, "\t\t[%s]\n", print_cert_source(c->source));
}

void
ikeadm_print_alg_header(FILE *f, const struct ikeadm_opts *o, int cmd)
{
	if (o->json)
		return;
	switch (cmd) {
	case CONTROL_DUMP_GROUPS:
		fputs("List of Diffie-Hellman groups for setting up IKE SAs\n",
		    f);
		break;
	case CONTROL_DUMP_ENCRALGS:
		fputs("List of encryption algorithms for IKE\n", f);
		break;
	default:
		fputs("List of authentication algorithms for IKE\n", f);
		break;
	}
	fputs("The values match the IPsec attribute assigned numbers "
	    "published by IANA\n\n", f);
	if (cmd == CONTROL_DUMP_GROUPS)
		fprintf(f, "%-6s%-9s%-50s\n", "Value", "Strength",
		    "Description");
	else if (cmd == CONTROL_DUMP_ENCRALGS)
		fprintf(f, "%-6s%-20s%-15s\n", "Value", "Name",
		    "Keylen range");
	else
		fprintf(f, "%-6s%-20s\n", "Value", "Name");
}

static void
print_alg_json(FILE *f, int cmd, const struct control_alg_info *a)
{
	int	first = 1;

	print_json_u64(f, &first, "value", a->value);
	if (cmd == CONTROL_DUMP_GROUPS) {
		print_json_u64(f, &first, "strength", a->strength);
		print_json_str(f, &first, "description", a->name);
	} else {
		print_json_str(f, &first, "name", a->name);
	}
	if (cmd == CONTROL_DUMP_ENCRALGS && a->klen_min != 0) {
		print_json_u64(f, &first, "keylen_min", a->klen_min);
		print_json_u64(f, &first, "keylen_max", a->klen_max);
	}
	print_json_end(f, &first);
}

void
ikeadm_print_alg(FILE *f, const struct ikeadm_opts *o, int cmd,
    const struct control_alg_info *a)
{
	char	klen[32];

	if (o->json) {
		print_alg_json(f, cmd, a);
		return;
	}
	if (cmd == CONTROL_DUMP_GROUPS) {
		fprintf(f, "%-6u%-9u%-50s\n", a->value, a->strength, a->name);
	} else if (cmd == CONTROL_DUMP_ENCRALGS) {
		if (a->klen_min != 0)
			(void)snprintf(klen, sizeof(klen), "%u-%u",
			    a->klen_min, a->klen_max);
		else
			(void)snprintf(klen, sizeof(klen), "N/A");
		fprintf(f, "%-6u%-20s%-15s\n", a->value, a->name, klen);
	} else {
		fprintf(f, "%-6u%-20s\n", a->value, a->name);
	}
}
