/*
 * Encoding and decoding of control messages.  Each struct that travels is
 * described by a table of fields (tag, type, offset).  One encoder and one
 * decoder walk those tables, so a new field is one table line and every
 * field is length-checked in the same place.
 */
#include <stddef.h>
#include <string.h>

#include "lib/err.h"
#include "lib/rbuf.h"
#include "lib/util.h"
#include "lib/wbuf.h"
#include "control/control.h"

enum msg_type {
	MSG_U8 = 1,
	MSG_U16,
	MSG_U32,
	MSG_U64,
	MSG_STR,	/* char[size], NUL-terminated; sent without the NUL */
	MSG_BYTES,	/* uint8_t[size], length in a uint16_t at count_off */
	MSG_STRUCT,	/* a nested struct described by sub */
	MSG_ARRAY,	/* elements of sub, count in a uint32_t at count_off */
};

struct msg_table;

struct msg_field {
	uint8_t			 type;
	size_t			 off;
	size_t			 size;		/* STR, BYTES: array size;
						   ARRAY: element size */
	size_t			 count_off;	/* BYTES, ARRAY */
	size_t			 max;		/* ARRAY: element limit */
	const struct msg_table	*sub;		/* STRUCT, ARRAY */
};

/* A field's tag is its index in the table plus one. */
struct msg_table {
	const struct msg_field	*fields;
	size_t			 nfields;
};

#define F_INT(t, s, m)	{ (t), offsetof(s, m), 0, 0, 0, NULL }
#define F_STR(s, m)	{ MSG_STR, offsetof(s, m), \
			    sizeof(((s *)0)->m), 0, 0, NULL }
#define F_SUB(s, m, tb)	{ MSG_STRUCT, offsetof(s, m), 0, 0, 0, &(tb) }
#define F_ARR(s, m, n, tb) { MSG_ARRAY, offsetof(s, m), \
			    sizeof(((s *)0)->m[0]), offsetof(s, n), \
			    sizeof(((s *)0)->m) / sizeof(((s *)0)->m[0]), &(tb) }
#define TABLE(name, f)	static const struct msg_table name = \
			    { (f), sizeof(f) / sizeof((f)[0]) }

static const struct msg_field addr_fields[] = {
	F_INT(MSG_U8, struct control_addr, family),
	F_INT(MSG_U8, struct control_addr, plen),
	F_INT(MSG_U16, struct control_addr, port),
	{ MSG_BYTES, offsetof(struct control_addr, addr), 16, 0, 0, NULL },
};
TABLE(addr_table, addr_fields);

/*
 * The address bytes have a fixed size of 16 and no length field; MSG_BYTES
 * with count_off 0 means "exactly size bytes" (see msg_get_bytes).
 */

static const struct msg_field range_fields[] = {
	F_SUB(struct control_range, lo, addr_table),
	F_SUB(struct control_range, hi, addr_table),
};
TABLE(range_table, range_fields);

static const struct msg_field key_fields[] = {
	{ MSG_BYTES, offsetof(struct control_key, bytes), CONTROL_KEY_MAX,
	    offsetof(struct control_key, len), 0, NULL },
	F_INT(MSG_U16, struct control_key, bits),
};
TABLE(key_table, key_fields);

static const struct msg_field ident_fields[] = {
	F_INT(MSG_U16, struct control_ident, type),
	F_STR(struct control_ident, value),
};
TABLE(ident_table, ident_fields);

static const struct msg_field id_fields[] = {
	F_INT(MSG_U8, struct control_id, kind),
	F_SUB(struct control_id, local, addr_table),
	F_SUB(struct control_id, remote, addr_table),
	F_INT(MSG_U64, struct control_id, icookie),
	F_INT(MSG_U64, struct control_id, rcookie),
	F_STR(struct control_id, label),
	F_SUB(struct control_id, local_id, ident_table),
	F_SUB(struct control_id, remote_id, ident_table),
};
TABLE(id_table, id_fields);

static const struct msg_field xform_fields[] = {
	F_INT(MSG_U16, struct control_xform, auth_method),
	F_INT(MSG_U16, struct control_xform, encr),
	F_INT(MSG_U16, struct control_xform, encr_klen),
	F_INT(MSG_U16, struct control_xform, encr_klen_max),
	F_INT(MSG_U16, struct control_xform, hash),
	F_INT(MSG_U16, struct control_xform, group),
	F_INT(MSG_U32, struct control_xform, lifetime_secs),
	F_INT(MSG_U32, struct control_xform, lifetime_kb),
};
TABLE(xform_table, xform_fields);

#define P1	struct control_p1_info
static const struct msg_field p1_fields[] = {
	F_INT(MSG_U64, P1, icookie),
	F_INT(MSG_U64, P1, rcookie),
	F_INT(MSG_U8, P1, initiator),
	F_INT(MSG_U8, P1, xchg),
	F_INT(MSG_U8, P1, state),
	F_INT(MSG_U8, P1, dpd),
	F_INT(MSG_U64, P1, dpd_time),
	F_SUB(P1, xform, xform_table),
	F_INT(MSG_U16, P1, p2_pfs),
	F_SUB(P1, local, addr_table),
	F_SUB(P1, remote, addr_table),
	F_INT(MSG_U32, P1, lifetime_secs),
	F_INT(MSG_U32, P1, lifetime_kb),
	F_INT(MSG_U32, P1, max_keyuses),
	F_INT(MSG_U64, P1, created),
	F_INT(MSG_U32, P1, kb_used),
	F_INT(MSG_U32, P1, keyuses),
	F_INT(MSG_U64, P1, expires),
	F_INT(MSG_U32, P1, p2_created),
	F_INT(MSG_U32, P1, p2_deleted),
	F_INT(MSG_U32, P1, rx_decrypt_errs),
	F_INT(MSG_U32, P1, rx_hash_errs),
	F_INT(MSG_U32, P1, rx_other_errs),
	F_INT(MSG_U32, P1, tx_errs),
	F_SUB(P1, local_id, ident_table),
	F_SUB(P1, remote_id, ident_table),
	F_SUB(P1, psk, key_table),
	F_SUB(P1, skeyid, key_table),
	F_SUB(P1, skeyid_d, key_table),
	F_SUB(P1, skeyid_a, key_table),
	F_SUB(P1, skeyid_e, key_table),
	F_SUB(P1, enc_key, key_table),
	F_SUB(P1, iv, key_table),
};
#undef P1
TABLE(p1_table, p1_fields);

static const struct msg_field idsel_fields[] = {
	F_INT(MSG_U8, struct control_idsel, exclude),
	F_STR(struct control_idsel, sel),
};
TABLE(idsel_table, idsel_fields);

#define RI	struct control_rule_info
static const struct msg_field rule_fields[] = {
	F_STR(RI, label),
	F_INT(MSG_U32, RI, cookie),
	F_INT(MSG_U16, RI, local_idtype),
	F_INT(MSG_U8, RI, xchg),
	F_INT(MSG_U16, RI, p1_nonce_len),
	F_INT(MSG_U16, RI, p2_nonce_len),
	F_INT(MSG_U16, RI, p2_pfs),
	F_INT(MSG_U32, RI, p2_lifetime_secs),
	F_INT(MSG_U32, RI, p2_softlife_secs),
	F_INT(MSG_U32, RI, p2_idletime_secs),
	F_INT(MSG_U32, RI, p2_lifetime_kb),
	F_INT(MSG_U32, RI, p2_softlife_kb),
	F_ARR(RI, local, nlocal, range_table),
	F_ARR(RI, remote, nremote, range_table),
	F_ARR(RI, local_ids, nlocal_ids, idsel_table),
	F_ARR(RI, remote_ids, nremote_ids, idsel_table),
	F_ARR(RI, xforms, nxforms, xform_table),
};
#undef RI
TABLE(rule_table, rule_fields);

static const struct msg_field psk_fields[] = {
	F_INT(MSG_U8, struct control_psk_info, xchg),
	F_SUB(struct control_psk_info, local_id, ident_table),
	F_SUB(struct control_psk_info, remote_id, ident_table),
	F_SUB(struct control_psk_info, local, range_table),
	F_SUB(struct control_psk_info, remote, range_table),
	F_SUB(struct control_psk_info, key, key_table),
};
TABLE(psk_table, psk_fields);

#define ST	struct control_stats
static const struct msg_field stats_fields[] = {
	F_INT(MSG_U32, ST, cur_init),
	F_INT(MSG_U32, ST, cur_resp),
	F_INT(MSG_U32, ST, total_init),
	F_INT(MSG_U32, ST, total_resp),
	F_INT(MSG_U32, ST, att_init),
	F_INT(MSG_U32, ST, att_resp),
	F_INT(MSG_U32, ST, fail_init),
	F_INT(MSG_U32, ST, fail_init_noresp),
	F_INT(MSG_U32, ST, fail_resp),
	F_STR(ST, pkcs11_lib),
};
#undef ST
TABLE(stats_table, stats_fields);

#define DF	struct control_defaults
static const struct msg_field defs_fields[] = {
	F_INT(MSG_U32, DF, p1_lifetime_secs),
	F_INT(MSG_U32, DF, p1_min_lifetime_secs),
	F_INT(MSG_U32, DF, p1_nonce_len),
	F_INT(MSG_U32, DF, p2_lifetime_secs),
	F_INT(MSG_U32, DF, p2_softlife_secs),
	F_INT(MSG_U32, DF, p2_idletime_secs),
	F_INT(MSG_U32, DF, p2_lifetime_kb),
	F_INT(MSG_U32, DF, p2_softlife_kb),
	F_INT(MSG_U32, DF, sys_p2_lifetime_secs),
	F_INT(MSG_U32, DF, sys_p2_softlife_secs),
	F_INT(MSG_U32, DF, sys_p2_idletime_secs),
	F_INT(MSG_U32, DF, sys_p2_lifetime_bytes),
	F_INT(MSG_U32, DF, sys_p2_softlife_bytes),
	F_INT(MSG_U32, DF, p2_min_lifetime_secs),
	F_INT(MSG_U32, DF, p2_min_softlife_secs),
	F_INT(MSG_U32, DF, p2_min_idletime_secs),
	F_INT(MSG_U32, DF, p2_min_lifetime_kb),
	F_INT(MSG_U32, DF, p2_min_softlife_kb),
	F_INT(MSG_U32, DF, p2_min_delta_secs),
	F_INT(MSG_U32, DF, p2_min_delta_kb),
	F_INT(MSG_U32, DF, p2_max_lifetime_secs),
	F_INT(MSG_U32, DF, p2_kb_per_sec),
	F_INT(MSG_U32, DF, p2_max_lifetime_kb),
	F_INT(MSG_U32, DF, p2_nonce_len),
	F_INT(MSG_U32, DF, p2_pfs),
	F_INT(MSG_U32, DF, max_certs),
	F_INT(MSG_U32, DF, ike_port),
	F_INT(MSG_U32, DF, natt_port),
};
#undef DF
TABLE(defs_table, defs_fields);

static const struct msg_field cert_fields[] = {
	F_INT(MSG_U32, struct control_cert_info, id),
	F_STR(struct control_cert_info, subject),
	F_STR(struct control_cert_info, issuer),
	F_INT(MSG_U8, struct control_cert_info, trusted),
	F_INT(MSG_U8, struct control_cert_info, source),
};
TABLE(cert_table, cert_fields);

static const struct msg_field alg_fields[] = {
	F_INT(MSG_U32, struct control_alg_info, value),
	F_INT(MSG_U32, struct control_alg_info, strength),
	F_INT(MSG_U16, struct control_alg_info, klen_min),
	F_INT(MSG_U16, struct control_alg_info, klen_max),
	F_STR(struct control_alg_info, name),
};
TABLE(alg_table, alg_fields);

/* Top-level tags of a message; each appears at most once. */
enum msg_tag {
	TAG_CURSOR = 1,
	TAG_LEVEL,
	TAG_OLD_LEVEL,
	TAG_ECODE,
	TAG_EERRNO,
	TAG_TEXT,
	TAG_HAS_FD,
	TAG_ID,
	TAG_P1,
	TAG_RULE,
	TAG_PSK,
	TAG_STATS,
	TAG_CERT,
	TAG_ALG,
	TAG_DEFS_BUILTIN,
	TAG_DEFS_EFFECTIVE,
	TAG_DETAIL,		/* after the items, so their tags stay */
	TAG_MAX,
};

static int msg_put_table(struct wbuf *, const struct msg_table *,
    const void *);
static int msg_get_table(struct rbuf *, const struct msg_table *, void *);

/* Start a field: tag and a length placeholder; *lenpos marks it. */
static int
msg_put_open(struct wbuf *wb, uint16_t tag, size_t *lenpos)
{
	int	rv;

	if ((rv = wbuf_put_u16(wb, tag)) != 0)
		return (rv);
	*lenpos = wb->wb_len;
	return (wbuf_put_u16(wb, 0));
}

static int
msg_put_close(struct wbuf *wb, size_t lenpos)
{
	size_t	len = wb->wb_len - lenpos - 2;

	if (len > UINT16_MAX)
		return (ERR_TOOBIG);
	return (wbuf_set_u16(wb, lenpos, (uint16_t)len));
}

static int
msg_put_int(struct wbuf *wb, uint8_t type, const uint8_t *p)
{
	uint8_t		u8;
	uint16_t	u16;
	uint32_t	u32;
	uint64_t	u64;

	switch (type) {
	case MSG_U8:
		memcpy(&u8, p, sizeof(u8));
		return (wbuf_put_u8(wb, u8));
	case MSG_U16:
		memcpy(&u16, p, sizeof(u16));
		return (wbuf_put_u16(wb, u16));
	case MSG_U32:
		memcpy(&u32, p, sizeof(u32));
		return (wbuf_put_u32(wb, u32));
	default:
		memcpy(&u64, p, sizeof(u64));
		return (wbuf_put_u64(wb, u64));
	}
}

static int
msg_put_field(struct wbuf *wb, const struct msg_field *f, const uint8_t *base)
{
	const uint8_t	*p = base + f->off;
	uint16_t	 n16;
	uint32_t	 n, i;
	size_t		 pos;
	int		 rv;

	switch (f->type) {
	case MSG_STR:
		return (wbuf_put(wb, p, strnlen((const char *)p, f->size - 1)));
	case MSG_BYTES:
		if (f->count_off == 0)
			return (wbuf_put(wb, p, f->size));
		memcpy(&n16, base + f->count_off, sizeof(n16));
		if (n16 > f->size)
			return (ERR_TOOBIG);
		return (wbuf_put(wb, p, n16));
	case MSG_STRUCT:
		return (msg_put_table(wb, f->sub, p));
	case MSG_ARRAY:
		memcpy(&n, base + f->count_off, sizeof(n));
		if (n > f->max)
			return (ERR_TOOBIG);
		/* One element per inner field, each tagged 1. */
		for (i = 0; i < n; i++) {
			if ((rv = msg_put_open(wb, 1, &pos)) != 0 ||
			    (rv = msg_put_table(wb, f->sub,
			    p + i * f->size)) != 0 ||
			    (rv = msg_put_close(wb, pos)) != 0)
				return (rv);
		}
		return (0);
	default:
		return (msg_put_int(wb, f->type, p));
	}
}

static int
msg_put_table(struct wbuf *wb, const struct msg_table *t, const void *obj)
{
	size_t	i, pos;
	int	rv;

	for (i = 0; i < t->nfields; i++) {
		if ((rv = msg_put_open(wb, (uint16_t)(i + 1), &pos)) != 0)
			return (rv);
		if ((rv = msg_put_field(wb, &t->fields[i], obj)) != 0)
			return (rv);
		if ((rv = msg_put_close(wb, pos)) != 0)
			return (rv);
	}
	return (0);
}

static int
msg_put_u32_field(struct wbuf *wb, uint16_t tag, uint32_t v)
{
	size_t	pos;
	int	rv;

	if ((rv = msg_put_open(wb, tag, &pos)) != 0 ||
	    (rv = wbuf_put_u32(wb, v)) != 0)
		return (rv);
	return (msg_put_close(wb, pos));
}

static int
msg_put_sub(struct wbuf *wb, uint16_t tag, const struct msg_table *t,
    const void *obj)
{
	size_t	pos;
	int	rv;

	if ((rv = msg_put_open(wb, tag, &pos)) != 0 ||
	    (rv = msg_put_table(wb, t, obj)) != 0)
		return (rv);
	return (msg_put_close(wb, pos));
}

static int
msg_put_item(struct wbuf *wb, const struct control_msg *m)
{
	switch (m->item) {
	case CONTROL_ITEM_P1:
		return (msg_put_sub(wb, TAG_P1, &p1_table, &m->u.p1));
	case CONTROL_ITEM_RULE:
		return (msg_put_sub(wb, TAG_RULE, &rule_table, &m->u.rule));
	case CONTROL_ITEM_PSK:
		return (msg_put_sub(wb, TAG_PSK, &psk_table, &m->u.psk));
	case CONTROL_ITEM_STATS:
		return (msg_put_sub(wb, TAG_STATS, &stats_table,
		    &m->u.stats));
	case CONTROL_ITEM_CERT:
		return (msg_put_sub(wb, TAG_CERT, &cert_table, &m->u.cert));
	case CONTROL_ITEM_ALG:
		return (msg_put_sub(wb, TAG_ALG, &alg_table, &m->u.alg));
	case CONTROL_ITEM_DEFS:
		if (msg_put_sub(wb, TAG_DEFS_BUILTIN, &defs_table,
		    &m->u.defs.builtin) != 0)
			return (ERR_TOOBIG);
		return (msg_put_sub(wb, TAG_DEFS_EFFECTIVE, &defs_table,
		    &m->u.defs.effective));
	default:
		return (0);
	}
}

/* A top-level string field; an empty string is left out. */
static int
msg_put_str(struct wbuf *wb, uint16_t tag, const char *s, size_t size)
{
	size_t	pos;
	int	rv;

	if (s[0] == '\0')
		return (0);
	if ((rv = msg_put_open(wb, tag, &pos)) != 0 ||
	    (rv = wbuf_put(wb, s, strnlen(s, size - 1))) != 0)
		return (rv);
	return (msg_put_close(wb, pos));
}

static int
msg_put_body(struct wbuf *wb, const struct control_msg *m)
{
	int	rv = 0;

	if (m->has_cursor)
		rv = msg_put_u32_field(wb, TAG_CURSOR, m->cursor);
	if (rv == 0 && m->has_level)
		rv = msg_put_u32_field(wb, TAG_LEVEL, m->level);
	if (rv == 0 && m->has_level && m->old_level != 0)
		rv = msg_put_u32_field(wb, TAG_OLD_LEVEL, m->old_level);
	if (rv == 0 && m->cmd == CONTROL_ERROR) {
		rv = msg_put_u32_field(wb, TAG_ECODE, m->ecode);
		if (rv == 0)
			rv = msg_put_u32_field(wb, TAG_EERRNO, m->eerrno);
	}
	if (rv == 0)
		rv = msg_put_str(wb, TAG_TEXT, m->text, sizeof(m->text));
	if (rv == 0)
		rv = msg_put_str(wb, TAG_DETAIL, m->detail,
		    sizeof(m->detail));
	if (rv == 0 && m->has_fd)
		rv = msg_put_u32_field(wb, TAG_HAS_FD, 1);
	if (rv == 0 && m->id.kind != CONTROL_ID_NONE)
		rv = msg_put_sub(wb, TAG_ID, &id_table, &m->id);
	if (rv == 0)
		rv = msg_put_item(wb, m);
	return (rv);
}

int
control_msg_encode(const struct control_msg *m, struct wbuf *wb)
{
	size_t	start = wb->wb_len;
	int	rv;

	if ((rv = wbuf_put_u8(wb, CONTROL_VERSION)) != 0 ||
	    (rv = wbuf_put_u8(wb, m->cmd)) != 0 ||
	    (rv = wbuf_put_u16(wb, 0)) != 0 ||
	    (rv = wbuf_put_u32(wb, 0)) != 0)
		goto out;
	if ((rv = msg_put_body(wb, m)) != 0)
		goto out;
	if (wb->wb_len - start > CONTROL_MSG_MAX) {
		rv = ERR_TOOBIG;
		goto out;
	}
	rv = wbuf_set_u32(wb, start + 4, (uint32_t)(wb->wb_len - start));
out:
	return (rv);
}

/* Decoding. */

static int
msg_get_int(struct rbuf *v, uint8_t type, uint8_t *p)
{
	uint8_t		u8;
	uint16_t	u16;
	uint32_t	u32;
	uint64_t	u64;
	size_t		want;
	int		rv;

	want = type == MSG_U8 ? 1 : type == MSG_U16 ? 2 :
	    type == MSG_U32 ? 4 : 8;
	if (rbuf_left(v) != want)
		return (ERR_MALFORMED);
	switch (type) {
	case MSG_U8:
		if ((rv = rbuf_get_u8(v, &u8)) == 0)
			memcpy(p, &u8, sizeof(u8));
		return (rv);
	case MSG_U16:
		if ((rv = rbuf_get_u16(v, &u16)) == 0)
			memcpy(p, &u16, sizeof(u16));
		return (rv);
	case MSG_U32:
		if ((rv = rbuf_get_u32(v, &u32)) == 0)
			memcpy(p, &u32, sizeof(u32));
		return (rv);
	default:
		if ((rv = rbuf_get_u64(v, &u64)) == 0)
			memcpy(p, &u64, sizeof(u64));
		return (rv);
	}
}

/* A string must fit with its NUL and contain no NUL of its own. */
static int
msg_get_str(struct rbuf *v, char *p, size_t size)
{
	size_t	n = rbuf_left(v);
	int	rv;

	if (n >= size)
		return (ERR_TOOBIG);
	if ((rv = rbuf_get_bytes(v, p, n)) != 0)
		return (rv);
	p[n] = '\0';
	if (strlen(p) != n)
		return (ERR_MALFORMED);
	return (0);
}

static int
msg_get_bytes(struct rbuf *v, const struct msg_field *f, uint8_t *base)
{
	size_t		n = rbuf_left(v);
	uint16_t	n16;

	if (f->count_off == 0) {
		if (n != f->size)
			return (ERR_MALFORMED);
	} else {
		if (n > f->size)
			return (ERR_TOOBIG);
		n16 = (uint16_t)n;
		memcpy(base + f->count_off, &n16, sizeof(n16));
	}
	return (rbuf_get_bytes(v, base + f->off, n));
}

static int
msg_get_array(struct rbuf *v, const struct msg_field *f, uint8_t *base)
{
	struct rbuf	elem;
	uint32_t	n;
	uint16_t	tag, len;
	int		rv;

	for (n = 0; rbuf_left(v) > 0; n++) {
		if (n >= f->max)
			return (ERR_TOOBIG);
		if ((rv = rbuf_get_u16(v, &tag)) != 0 ||
		    (rv = rbuf_get_u16(v, &len)) != 0 ||
		    (rv = rbuf_get_sub(v, len, &elem)) != 0)
			return (rv);
		if (tag != 1)
			return (ERR_MALFORMED);
		rv = msg_get_table(&elem, f->sub, base + f->off + n * f->size);
		if (rv != 0)
			return (rv);
	}
	memcpy(base + f->count_off, &n, sizeof(n));
	return (0);
}

static int
msg_get_field(struct rbuf *v, const struct msg_field *f, uint8_t *base)
{
	switch (f->type) {
	case MSG_STR:
		return (msg_get_str(v, (char *)(base + f->off), f->size));
	case MSG_BYTES:
		return (msg_get_bytes(v, f, base));
	case MSG_STRUCT:
		return (msg_get_table(v, f->sub, base + f->off));
	case MSG_ARRAY:
		return (msg_get_array(v, f, base));
	default:
		return (msg_get_int(v, f->type, base + f->off));
	}
}

/* Read the next tag-length-value; the value becomes the view *val. */
static int
msg_get_tlv(struct rbuf *rb, uint16_t *tag, struct rbuf *val)
{
	uint16_t	len;
	int		rv;

	if ((rv = rbuf_get_u16(rb, tag)) != 0 ||
	    (rv = rbuf_get_u16(rb, &len)) != 0)
		return (rv);
	return (rbuf_get_sub(rb, len, val));
}

static int
msg_get_table(struct rbuf *rb, const struct msg_table *t, void *obj)
{
	struct rbuf	val;
	uint64_t	seen = 0;
	uint16_t	tag;
	int		rv;

	while (rbuf_left(rb) > 0) {
		if ((rv = msg_get_tlv(rb, &tag, &val)) != 0)
			return (rv);
		if (tag == 0 || tag > t->nfields || tag > 64)
			return (ERR_MALFORMED);
		if (seen & (1ULL << (tag - 1)))
			return (ERR_MALFORMED);
		seen |= 1ULL << (tag - 1);
		if ((rv = msg_get_field(&val, &t->fields[tag - 1], obj)) != 0)
			return (rv);
		if (rbuf_left(&val) != 0)
			return (ERR_MALFORMED);
	}
	return (0);
}

static int
msg_get_u32(struct rbuf *v, uint32_t *out)
{
	if (rbuf_left(v) != 4)
		return (ERR_MALFORMED);
	return (rbuf_get_u32(v, out));
}

static int
msg_set_item(struct control_msg *m, uint8_t item)
{
	/* Two effective-defaults fields share the one item. */
	if (m->item != CONTROL_ITEM_NONE && m->item != item)
		return (ERR_MALFORMED);
	m->item = item;
	return (0);
}

static int
msg_get_top(struct control_msg *m, uint16_t tag, struct rbuf *v)
{
	uint32_t	flag;
	int		rv;

	switch (tag) {
	case TAG_CURSOR:
		m->has_cursor = 1;
		return (msg_get_u32(v, &m->cursor));
	case TAG_LEVEL:
		m->has_level = 1;
		return (msg_get_u32(v, &m->level));
	case TAG_OLD_LEVEL:
		return (msg_get_u32(v, &m->old_level));
	case TAG_ECODE:
		return (msg_get_u32(v, &m->ecode));
	case TAG_EERRNO:
		return (msg_get_u32(v, &m->eerrno));
	case TAG_TEXT:
		return (msg_get_str(v, m->text, sizeof(m->text)));
	case TAG_DETAIL:
		return (msg_get_str(v, m->detail, sizeof(m->detail)));
	case TAG_HAS_FD:
		if ((rv = msg_get_u32(v, &flag)) != 0)
			return (rv);
		if (flag != 1)
			return (ERR_MALFORMED);
		m->has_fd = 1;
		return (0);
	case TAG_ID:
		rv = msg_get_table(v, &id_table, &m->id);
		if (rv == 0 && m->id.kind == CONTROL_ID_NONE)
			rv = ERR_MALFORMED;
		return (rv);
	default:
		break;
	}
	return (ERR_MALFORMED);
}

static int
msg_get_item(struct control_msg *m, uint16_t tag, struct rbuf *v)
{
	static const struct {
		const struct msg_table	*table;
		uint8_t			 item;
		size_t			 off;
	} items[] = {
		[TAG_P1] = { &p1_table, CONTROL_ITEM_P1,
		    offsetof(struct control_msg, u.p1) },
		[TAG_RULE] = { &rule_table, CONTROL_ITEM_RULE,
		    offsetof(struct control_msg, u.rule) },
		[TAG_PSK] = { &psk_table, CONTROL_ITEM_PSK,
		    offsetof(struct control_msg, u.psk) },
		[TAG_STATS] = { &stats_table, CONTROL_ITEM_STATS,
		    offsetof(struct control_msg, u.stats) },
		[TAG_CERT] = { &cert_table, CONTROL_ITEM_CERT,
		    offsetof(struct control_msg, u.cert) },
		[TAG_ALG] = { &alg_table, CONTROL_ITEM_ALG,
		    offsetof(struct control_msg, u.alg) },
		[TAG_DEFS_BUILTIN] = { &defs_table, CONTROL_ITEM_DEFS,
		    offsetof(struct control_msg, u.defs.builtin) },
		[TAG_DEFS_EFFECTIVE] = { &defs_table, CONTROL_ITEM_DEFS,
		    offsetof(struct control_msg, u.defs.effective) },
	};
	int	rv;

	if ((rv = msg_set_item(m, items[tag].item)) != 0)
		return (rv);
	return (msg_get_table(v, items[tag].table,
	    (uint8_t *)m + items[tag].off));
}

int
control_msg_decode(struct control_msg *m, const uint8_t *data, size_t len)
{
	struct rbuf	rb, body, val;
	uint32_t	seen = 0, total;
	uint16_t	tag, reserved;
	uint8_t		version, cmd;
	int		rv;

	memset(m, 0, sizeof(*m));
	rbuf_init(&rb, data, len);
	if ((rv = rbuf_get_u8(&rb, &version)) != 0 ||
	    (rv = rbuf_get_u8(&rb, &cmd)) != 0 ||
	    (rv = rbuf_get_u16(&rb, &reserved)) != 0 ||
	    (rv = rbuf_get_u32(&rb, &total)) != 0)
		goto out;
	rv = ERR_MALFORMED;
	if (version != CONTROL_VERSION || cmd > CONTROL_ERROR ||
	    reserved != 0 || total != len || total > CONTROL_MSG_MAX)
		goto out;
	m->cmd = cmd;
	if ((rv = rbuf_get_sub(&rb, rbuf_left(&rb), &body)) != 0)
		goto out;
	while (rbuf_left(&body) > 0) {
		if ((rv = msg_get_tlv(&body, &tag, &val)) != 0)
			goto out;
		rv = ERR_MALFORMED;
		if (tag == 0 || tag >= TAG_MAX || (seen & (1U << tag)))
			goto out;
		seen |= 1U << tag;
		if (tag >= TAG_P1 && tag <= TAG_DEFS_EFFECTIVE)
			rv = msg_get_item(m, tag, &val);
		else
			rv = msg_get_top(m, tag, &val);
		if (rv == 0 && rbuf_left(&val) != 0)
			rv = ERR_MALFORMED;
		if (rv != 0)
			goto out;
	}
	rv = 0;
out:
	if (rv != 0)
		control_msg_wipe(m);
	return (rv);
}

/* The union is wiped whole: a failed decode may have left key bytes. */
void
control_msg_wipe(struct control_msg *m)
{
	util_wipe(&m->u, sizeof(m->u));
}
