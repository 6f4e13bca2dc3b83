/*
 * Parser of /etc/inet/secret/ike.preshared: { name value ... } entries
 * with localidtype, localid, remoteidtype, remoteid, ike_mode and key.
 * A "#" starts a comment only in column 1, so that it may appear in keys.
 *
 * Key bytes are copied only into secret wbufs, and the token buffer that
 * held them is wiped after each token.  Messages do not echo keys, nor
 * words that may be misplaced keys.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/addr.h"
#include "config/diag.h"
#include "config/lex.h"
#include "config/parse.h"
#include "lib/err.h"
#include "lib/util.h"

#define PRESHARED_LEX_FLAGS	(LEX_HASH_COLUMN1 | LEX_ESCAPE_QUOTE)
#define PRESHARED_MAX_KEY	(LEX_MAX_TOKEN / 2)

/* An identity as written, interpreted when the entry is complete. */
struct preshared_rawid {
	int		 type;		/* -1 until localidtype/remoteidtype */
	unsigned int	 type_line;
	char		*value;
	unsigned int	 line;
};

/*
 * Open-addressing hash set of the entries of this file, by localid and
 * remoteid, so that the duplicate check stays linear in the file size.
 * Slots hold an index into cf_psks plus one, 0 when empty.
 */
struct preshared_seen {
	size_t			*ss_slots;
	size_t			 ss_size;	/* a power of two, or 0 */
	size_t			 ss_used;
};

struct preshared {
	struct lex		 ps_lex;
	struct lex_token	 ps_tok;
	char			 ps_shown[LEX_SHOW_BUF];
	struct config		*ps_cf;
	struct config_diag	*ps_diag;
	const char		*ps_file;
	struct preshared_seen	 ps_seen;
	size_t			 ps_ndups;	/* duplicate entries found */
	int			 ps_nomem;
};

static void
preshared_error(struct preshared *p, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Text that is not the current token, for a message (see lex.h). */
static const char *
preshared_show(struct preshared *p, const char *text)
{
	lex_show_value(text, p->ps_shown, sizeof(p->ps_shown));
	return (p->ps_shown);
}

static void
preshared_error(struct preshared *p, unsigned int line, const char *fmt, ...)
{
	va_list	ap;
	char	msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(p->ps_diag, p->ps_file, line, "%s", msg);
}

static void
preshared_advance(struct preshared *p)
{
	lex_next(&p->ps_lex, &p->ps_tok);
}

static int
preshared_parse_addr(struct preshared *p, const struct preshared_rawid *raw,
    const char *side, struct config_psk_id *id)
{
	char	why[256];

	if (addr_parse_range(raw->value, &id->pi_range, why,
	    sizeof(why)) != 0) {
		preshared_error(p, raw->line, "%sid: %s (host names are not "
		    "allowed)", side, why);
		return (-1);
	}
	return (0);
}

/* Check that the address form fits the identity type. */
static int
preshared_check_form(struct preshared *p, const struct preshared_rawid *raw,
    const char *side, struct config_psk_id *id)
{
	int		family = id->pi_range.lo.family;
	int		kind = id->pi_range.kind;
	int		want_family = 0, want_kind = -1;

	switch (id->pi_type) {
	case CONFIG_ID_IP:
		return (0);
	case CONFIG_ID_PREFIX:
		id->pi_type = family == AF_INET ? CONFIG_ID_IPV4_SUBNET :
		    CONFIG_ID_IPV6_SUBNET;
		want_kind = CONFIG_RANGE_PREFIX;
		break;
	case CONFIG_ID_IPV4_ADDR:
		want_family = AF_INET;
		want_kind = CONFIG_RANGE_SINGLE;
		break;
	case CONFIG_ID_IPV6_ADDR:
		want_family = AF_INET6;
		want_kind = CONFIG_RANGE_SINGLE;
		break;
	case CONFIG_ID_IPV4_SUBNET:
		want_family = AF_INET;
		want_kind = CONFIG_RANGE_PREFIX;
		break;
	case CONFIG_ID_IPV6_SUBNET:
		want_family = AF_INET6;
		want_kind = CONFIG_RANGE_PREFIX;
		break;
	case CONFIG_ID_IPV4_RANGE:
		want_family = AF_INET;
		want_kind = CONFIG_RANGE_RANGE;
		break;
	case CONFIG_ID_IPV6_RANGE:
		want_family = AF_INET6;
		want_kind = CONFIG_RANGE_RANGE;
		break;
	}
	if ((want_family != 0 && family != want_family) || kind != want_kind) {
		preshared_error(p, raw->line, "%sid %s does not match "
		    "%sidtype %s: expected %s%s", side,
		    preshared_show(p, raw->value), side,
		    config_idtype_name(id->pi_type),
		    want_family == AF_INET ? "an IPv4 " :
		    want_family == AF_INET6 ? "an IPv6 " : "a ",
		    want_kind == CONFIG_RANGE_SINGLE ? "address" :
		    want_kind == CONFIG_RANGE_PREFIX ? "prefix A/len" :
		    "range A-B");
		return (-1);
	}
	return (0);
}

static int
preshared_id(struct preshared *p, const struct preshared_rawid *raw,
    const char *side, unsigned int entry_line, struct config_psk_id *id)
{
	id->pi_type = raw->type < 0 ? CONFIG_ID_IP : raw->type;
	if (raw->value == NULL) {
		preshared_error(p, entry_line, "preshared entry has no %sid: "
		    "add %sid with the %s address or identity", side, side,
		    side);
		return (-1);
	}
	switch (id->pi_type) {
	case CONFIG_ID_FQDN:
	case CONFIG_ID_USER_FQDN:
	case CONFIG_ID_DER_ASN1_DN:
	case CONFIG_ID_DER_ASN1_GN:
	case CONFIG_ID_KEY_ID:
		if (raw->value[0] == '\0') {
			preshared_error(p, raw->line, "empty %sid", side);
			return (-1);
		}
		if ((id->pi_name = strdup(raw->value)) == NULL) {
			p->ps_nomem = 1;
			return (-1);
		}
		return (0);
	default:
		if (preshared_parse_addr(p, raw, side, id) != 0)
			return (-1);
		return (preshared_check_form(p, raw, side, id));
	}
}

static int
preshared_key(struct preshared *p, struct wbuf *key)
{
	const struct lex_token	*tok = &p->ps_tok;
	const char		*hex = tok->lt_text;
	uint8_t			 bytes[PRESHARED_MAX_KEY];
	size_t			 len = 0;
	int			 rc;

	if (tok->lt_type == LEX_STRING) {
		if (tok->lt_len == 0) {
			preshared_error(p, tok->lt_line, "empty key: write "
			    "the key in hex or as a quoted string");
			return (-1);
		}
		rc = wbuf_put(key, tok->lt_text, tok->lt_len);
	} else {
		if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
			hex += 2;
		if (hex[0] == '\0' || util_hex_decode(bytes, sizeof(bytes),
		    hex, &len) != 0) {
			/* The message must not echo the key. */
			preshared_error(p, tok->lt_line, "invalid key: "
			    "expected an even number of hex digits (optionally "
			    "after 0x) or a \"quoted string\"");
			return (-1);
		}
		rc = wbuf_put(key, bytes, len);
		util_wipe(bytes, sizeof(bytes));
	}
	if (rc != 0) {
		p->ps_nomem = 1;
		return (-1);
	}
	return (0);
}

static void
preshared_ike_mode(struct preshared *p, struct config_u32 *mode)
{
	const char	*v = p->ps_tok.lt_text;

	if (strcasecmp(v, "main") == 0)
		mode->val = CONFIG_IKE_MODE_MAIN;
	else if (strcasecmp(v, "aggressive") == 0)
		mode->val = CONFIG_IKE_MODE_AGGRESSIVE;
	else if (strcasecmp(v, "both") == 0)
		mode->val = CONFIG_IKE_MODE_BOTH;
	else {
		preshared_error(p, p->ps_tok.lt_line, "invalid ike_mode %s: "
		    "expected main, aggressive or both", preshared_show(p, v));
		return;
	}
	mode->src = CONFIG_SRC_FILE;
	mode->line = p->ps_tok.lt_line;
}

static void
preshared_idtype(struct preshared *p, const char *name,
    struct preshared_rawid *raw)
{
	int	type = parse_idtype(p->ps_tok.lt_text);

	if (type < 0) {
		preshared_error(p, p->ps_tok.lt_line, "invalid %s %s: "
		    "expected one of ip ipv4 ipv6 prefix ipv4_prefix "
		    "ipv6_prefix ipv4_range ipv6_range fqdn user_fqdn dn gn "
		    "keyid", name, p->ps_tok.lt_shown);
		return;
	}
	raw->type = type;
	raw->type_line = p->ps_tok.lt_line;
}

/*
 * Reject a control character in a quoted id, because ids reach logs and
 * ikeadm output as they are, where a byte such as ESC would act on the
 * terminal.  The lexer already rejects them in words.
 */
static int
preshared_control_char(struct preshared *p, const char *name)
{
	const char	*text = p->ps_tok.lt_text;
	size_t		 i;

	for (i = 0; text[i] != '\0'; i++) {
		if ((unsigned char)text[i] >= 0x20 && text[i] != 0x7f)
			continue;
		preshared_error(p, p->ps_tok.lt_line, "invalid control "
		    "character 0x%02x in the value of %s (byte %zu): remove "
		    "it, because ids are printed in logs and ikeadm output",
		    (unsigned char)text[i], name, i + 1);
		return (-1);
	}
	return (0);
}

static int
preshared_rawid_set(struct preshared *p, const char *name,
    struct preshared_rawid *raw)
{
	if (preshared_control_char(p, name) != 0)
		return (-1);
	if ((raw->value = strdup(p->ps_tok.lt_text)) == NULL) {
		p->ps_nomem = 1;
		return (-1);
	}
	raw->line = p->ps_tok.lt_line;
	return (0);
}

static int
preshared_known(const char *name)
{
	static const char	*names[] = { "localidtype", "localid",
				    "remoteidtype", "remoteid", "key",
				    "ike_mode" };
	size_t			 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(names[i], name) == 0)
			return (1);
	}
	return (0);
}

struct preshared_entry {
	struct preshared_rawid	 local;
	struct preshared_rawid	 remote;
	struct config_psk	 psk;
	unsigned int		 key_line;
};

/* One "name value" pair of an entry; the value is the current token. */
static void
preshared_pair(struct preshared *p, const char *name, unsigned int name_line,
    struct preshared_entry *e)
{
	struct preshared_rawid	*raw = NULL;
	int			 dup = 0;

	if (strcasecmp(name, "localidtype") == 0) {
		dup = e->local.type_line != 0;
		if (!dup)
			preshared_idtype(p, "localidtype", &e->local);
	} else if (strcasecmp(name, "remoteidtype") == 0) {
		dup = e->remote.type_line != 0;
		if (!dup)
			preshared_idtype(p, "remoteidtype", &e->remote);
	} else if (strcasecmp(name, "localid") == 0) {
		raw = &e->local;
	} else if (strcasecmp(name, "remoteid") == 0) {
		raw = &e->remote;
	} else if (strcasecmp(name, "key") == 0) {
		dup = e->key_line != 0;
		e->key_line = name_line;
		if (!dup)
			(void)preshared_key(p, &e->psk.ps_key);
	} else if (strcasecmp(name, "ike_mode") == 0) {
		dup = e->psk.ps_ike_mode.src == CONFIG_SRC_FILE;
		if (!dup)
			preshared_ike_mode(p, &e->psk.ps_ike_mode);
	} else {
		/* The word is not echoed: it may be a misplaced key. */
		preshared_error(p, name_line, "unknown keyword (%zu "
		    "character%s, not shown): expected localidtype, localid, "
		    "remoteidtype, remoteid, ike_mode or key%s", strlen(name),
		    strlen(name) == 1 ? "" : "s", name[0] == '#' ? " (a "
		    "comment must start with '#' in column 1 of its own line)" :
		    "");
		return;
	}
	if (raw != NULL) {
		dup = raw->value != NULL;
		if (!dup)
			(void)preshared_rawid_set(p, name, raw);
	}
	if (dup)
		preshared_error(p, name_line, "duplicate %s in preshared "
		    "entry: remove one of them", name);
}

static int
preshared_same_id(const struct config_psk_id *a, const struct config_psk_id *b)
{
	if (a->pi_type != b->pi_type)
		return (0);
	if (a->pi_name != NULL || b->pi_name != NULL)
		return (a->pi_name != NULL && b->pi_name != NULL &&
		    strcmp(a->pi_name, b->pi_name) == 0);
	return (config_ip_cmp(&a->pi_range.lo, &b->pi_range.lo) == 0 &&
	    config_ip_cmp(&a->pi_range.hi, &b->pi_range.hi) == 0);
}

/* Hash of what preshared_same_id compares. */
static uint64_t
preshared_hash_id(uint64_t h, const struct config_psk_id *id)
{
	h = util_fnv64(h, &id->pi_type, sizeof(id->pi_type));
	if (id->pi_name != NULL)
		return (util_fnv64(h, id->pi_name,
		    strlen(id->pi_name)));
	h = util_fnv64(h, &id->pi_range.lo.family,
	    sizeof(id->pi_range.lo.family));
	h = util_fnv64(h, id->pi_range.lo.addr,
	    sizeof(id->pi_range.lo.addr));
	return (util_fnv64(h, id->pi_range.hi.addr,
	    sizeof(id->pi_range.hi.addr)));
}

static size_t
preshared_seen_slot(const struct preshared_seen *ss, const struct config *cf,
    const struct config_psk *psk)
{
	const struct config_psk	*other;
	uint64_t		 h = UTIL_FNV64_INIT;
	size_t			 i;

	h = preshared_hash_id(h, &psk->ps_local);
	h = preshared_hash_id(h, &psk->ps_remote);
	for (i = (size_t)h & (ss->ss_size - 1); ss->ss_slots[i] != 0;
	    i = (i + 1) & (ss->ss_size - 1)) {
		other = &cf->cf_psks[ss->ss_slots[i] - 1];
		if (preshared_same_id(&other->ps_local, &psk->ps_local) &&
		    preshared_same_id(&other->ps_remote, &psk->ps_remote))
			break;
	}
	return (i);
}

/* Keep the set at most half full; returns -1 when out of memory. */
static int
preshared_seen_grow(struct preshared_seen *ss, const struct config *cf)
{
	struct preshared_seen	 bigger;
	size_t			 i, slot;

	if (ss->ss_size != 0 && (ss->ss_used + 1) * 2 <= ss->ss_size)
		return (0);
	bigger.ss_size = ss->ss_size != 0 ? ss->ss_size * 2 : 64;
	bigger.ss_used = ss->ss_used;
	if ((bigger.ss_slots = calloc(bigger.ss_size,
	    sizeof(*bigger.ss_slots))) == NULL)
		return (-1);
	for (i = 0; i < ss->ss_size; i++) {
		if (ss->ss_slots[i] == 0)
			continue;
		slot = preshared_seen_slot(&bigger, cf,
		    &cf->cf_psks[ss->ss_slots[i] - 1]);
		bigger.ss_slots[slot] = ss->ss_slots[i];
	}
	free(ss->ss_slots);
	*ss = bigger;
	return (0);
}

/*
 * Look up an entry with the same localid and remoteid earlier in this
 * file.  Returns it, or NULL after noting the new entry's slot in *slotp.
 */
static const struct config_psk *
preshared_seen_find(struct preshared *p, const struct config_psk *psk,
    size_t *slotp)
{
	struct preshared_seen	*ss = &p->ps_seen;

	if (preshared_seen_grow(ss, p->ps_cf) != 0) {
		p->ps_nomem = 1;
		return (NULL);
	}
	*slotp = preshared_seen_slot(ss, p->ps_cf, psk);
	if (ss->ss_slots[*slotp] != 0)
		return (&p->ps_cf->cf_psks[ss->ss_slots[*slotp] - 1]);
	return (NULL);
}

/*
 * Report an entry with the localid and remoteid of dup, which is earlier
 * in this file or in a file parsed before it into the same configuration
 * (the running keys when ikeadm adds one).
 */
static void
preshared_duplicate(struct preshared *p, const struct preshared_entry *e,
    const struct config_psk *dup, unsigned int line)
{
	const char	*file = dup->ps_where.cw_file;

	p->ps_ndups++;
	if (file == NULL || file == p->ps_file)
		preshared_error(p, line, "duplicate preshared entry: the "
		    "entry at line %u has the same localid %s and remoteid "
		    "%s; remove one of them", dup->ps_where.cw_line,
		    e->local.value, e->remote.value);
	else
		preshared_error(p, line, "duplicate preshared entry: the "
		    "entry at %s:%u has the same localid %s and remoteid %s; "
		    "delete that one first", file, dup->ps_where.cw_line,
		    e->local.value, e->remote.value);
}

/* Check a complete entry and add it to the configuration. */
static void
preshared_finish(struct preshared *p, struct preshared_entry *e,
    unsigned int line)
{
	const struct config_psk	*dup;
	struct config_psk	*slot;
	size_t			 seen = SIZE_MAX;
	int			 ok = 1;

	if (preshared_id(p, &e->local, "local", line, &e->psk.ps_local) != 0)
		ok = 0;
	if (preshared_id(p, &e->remote, "remote", line,
	    &e->psk.ps_remote) != 0)
		ok = 0;
	if (e->key_line == 0) {
		preshared_error(p, line, "preshared entry has no key: add "
		    "key with hex digits or a \"quoted string\"");
		ok = 0;
	}
	if (ok && (dup = preshared_seen_find(p, &e->psk, &seen)) != NULL) {
		preshared_duplicate(p, e, dup, line);
		ok = 0;
	}
	if (p->ps_nomem)
		ok = 0;
	if (e->psk.ps_key.wb_len == 0)
		ok = 0;		/* an invalid key, already reported */
	if (ok && e->psk.ps_ike_mode.src == CONFIG_SRC_DEFAULT)
		e->psk.ps_ike_mode.val = CONFIG_IKE_MODE_MAIN;
	if (ok) {
		slot = parse_array_add(&p->ps_cf->cf_psks, &p->ps_cf->cf_npsks,
		    sizeof(*slot));
		if (slot == NULL)
			p->ps_nomem = 1;
		else {
			e->psk.ps_where.cw_file = p->ps_file;
			e->psk.ps_where.cw_line = line;
			*slot = e->psk;
			memset(&e->psk, 0, sizeof(e->psk));
			p->ps_seen.ss_slots[seen] = p->ps_cf->cf_npsks;
			p->ps_seen.ss_used++;
		}
	}
	config_psk_clear(&e->psk);
	free(e->local.value);
	free(e->remote.value);
}

static void
preshared_entry(struct preshared *p)
{
	struct preshared_entry	e;
	char			name[LEX_MAX_TOKEN + 1];
	unsigned int		line = p->ps_tok.lt_line, name_line;

	memset(&e, 0, sizeof(e));
	e.local.type = -1;
	e.remote.type = -1;
	wbuf_init(&e.psk.ps_key, 1);
	preshared_advance(p);
	while (p->ps_tok.lt_type == LEX_WORD) {
		snprintf(name, sizeof(name), "%s", p->ps_tok.lt_text);
		name_line = p->ps_tok.lt_line;
		if (strcasecmp(name, "key") == 0)
			p->ps_lex.lx_toolong = "key longer than 1024 "
			    "characters, the maximum: use a shorter key (a "
			    "key in hex digits has at most 512 bytes)";
		if (strcasecmp(name, "localid") == 0 ||
		    strcasecmp(name, "remoteid") == 0)
			lex_next_joined(&p->ps_lex, &p->ps_tok);
		else
			preshared_advance(p);
		p->ps_lex.lx_toolong = NULL;
		if (p->ps_tok.lt_type != LEX_WORD &&
		    p->ps_tok.lt_type != LEX_STRING) {
			if (p->ps_tok.lt_type != LEX_ERROR)
				preshared_error(p, name_line, "missing value "
				    "after %s", preshared_known(name) ? name :
				    "an unknown keyword (not shown)");
			else if (strcasecmp(name, "key") == 0)
				/* Reported: not also "entry has no key". */
				e.key_line = name_line;
			break;
		}
		preshared_pair(p, name, name_line, &e);
		preshared_advance(p);
	}
	if (p->ps_tok.lt_type == LEX_RBRACE)
		preshared_advance(p);
	else {
		if (p->ps_tok.lt_type == LEX_EOF)
			preshared_error(p, line, "preshared entry is not "
			    "closed: add '}' at its end");
		else if (p->ps_tok.lt_type != LEX_ERROR)
			preshared_error(p, p->ps_tok.lt_line, "unexpected "
			    "%s in preshared entry: expected a name and "
			    "value or '}'", p->ps_tok.lt_type == LEX_STRING ?
			    "string" : lex_describe_kw(&p->ps_tok));
		/* Resynchronise at the end of this entry. */
		while (p->ps_tok.lt_type != LEX_RBRACE &&
		    p->ps_tok.lt_type != LEX_LBRACE &&
		    p->ps_tok.lt_type != LEX_EOF)
			preshared_advance(p);
		if (p->ps_tok.lt_type == LEX_RBRACE)
			preshared_advance(p);
	}
	util_wipe(name, sizeof(name));
	preshared_finish(p, &e, line);
}

/*
 * Enter the entries that earlier files put into the configuration, so that
 * an entry of this file that repeats one of them is a duplicate too.
 */
static int
preshared_seen_seed(struct preshared *p)
{
	struct preshared_seen	*ss = &p->ps_seen;
	size_t			 i, slot;

	for (i = 0; i < p->ps_cf->cf_npsks; i++) {
		if (preshared_seen_grow(ss, p->ps_cf) != 0)
			return (ERR_NOMEM);
		slot = preshared_seen_slot(ss, p->ps_cf, &p->ps_cf->cf_psks[i]);
		if (ss->ss_slots[slot] != 0)
			continue;
		ss->ss_slots[slot] = i + 1;
		ss->ss_used++;
	}
	return (0);
}

int
preshared_parse(struct config *cf, const char *file, const void *buf,
    size_t len, struct config_diag *diag)
{
	struct preshared	*p;
	size_t			 before = diag_count(diag);
	int			 rc;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (ERR_NOMEM);
	p->ps_cf = cf;
	p->ps_diag = diag;
	if ((p->ps_file = parse_intern_file(cf, file)) == NULL) {
		free(p);
		return (ERR_NOMEM);
	}
	if (preshared_seen_seed(p) != 0)
		p->ps_nomem = 1;
	lex_init(&p->ps_lex, buf, len, PRESHARED_LEX_FLAGS, p->ps_file, diag);
	preshared_advance(p);
	while (p->ps_tok.lt_type != LEX_EOF) {
		if (p->ps_tok.lt_type == LEX_LBRACE) {
			preshared_entry(p);
			continue;
		}
		/*
		 * Stray text is not echoed: it may be a misplaced key.  One
		 * message covers it up to the next '{', because an entry
		 * that lacks its '{' would otherwise give one per word.
		 */
		if (p->ps_tok.lt_type != LEX_ERROR)
			preshared_error(p, p->ps_tok.lt_line, "unexpected "
			    "text outside an entry: expected '{' to start a "
			    "preshared entry (comments start with '#' in "
			    "column 1); skipped up to the next '{'");
		while (p->ps_tok.lt_type != LEX_LBRACE &&
		    p->ps_tok.lt_type != LEX_EOF)
			preshared_advance(p);
	}
	/* Only duplicates: ikeadm reports "Duplicate entry". */
	rc = p->ps_nomem ? ERR_NOMEM : diag_count(diag) == before ? 0 :
	    diag_count(diag) - before == p->ps_ndups ? ERR_EXISTS : ERR_CONFIG;
	lex_token_wipe(&p->ps_tok);
	free(p->ps_seen.ss_slots);
	free(p);
	return (rc);
}
