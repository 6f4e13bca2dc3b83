/*
 * ISAKMP message parser.  Structure is checked before meaning: each
 * payload's generic header, then its declared length against the bytes
 * left, then its sub-structures.  Every read goes through struct rbuf.
 * Offsets in error messages count from the first byte of the ISAKMP
 * header, so they match the offsets a packet dissector shows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isakmp/msg.h"
#include "lib/err.h"
#include "lib/rbuf.h"

/* Parser state: its input, the payload being parsed, the error to fill. */
struct isakmp_pctx {
	struct rbuf		 rb;
	size_t			 base;	/* message offset of rb's first byte */
	uint8_t			 type;	/* payload being parsed */
	size_t			 pl_off; /* message offset of that payload */
	struct isakmp_error	*err;
	int			 flags;	/* ISAKMP_PARSE_* */
};

#define NONCE_MIN	8	/* RFC 2409 section 5 */
#define NONCE_MAX	256
#define OLD_NAT_D_MIN	16	/* MD5 */
#define OLD_NAT_D_MAX	64	/* SHA2-512 */
#define PADDING_MAX	255

static const char *
isakmp_short_name(uint8_t type)
{
	switch (type) {
	case ISAKMP_PL_NONE:	return ("ISAKMP header");
	case ISAKMP_PL_SA:	return ("SA");
	case ISAKMP_PL_P:	return ("Proposal");
	case ISAKMP_PL_T:	return ("Transform");
	case ISAKMP_PL_KE:	return ("KE");
	case ISAKMP_PL_ID:	return ("ID");
	case ISAKMP_PL_CERT:	return ("CERT");
	case ISAKMP_PL_CR:	return ("CR");
	case ISAKMP_PL_HASH:	return ("HASH");
	case ISAKMP_PL_SIG:	return ("SIG");
	case ISAKMP_PL_NONCE:	return ("NONCE");
	case ISAKMP_PL_N:	return ("Notification");
	case ISAKMP_PL_D:	return ("Delete");
	case ISAKMP_PL_VID:	return ("VID");
	case ISAKMP_PL_NAT_D:
	case ISAKMP_PL_NAT_D_DRAFT:
	case ISAKMP_PL_NAT_D_OLD:
		return ("NAT-D");
	case ISAKMP_PL_NAT_OA:
	case ISAKMP_PL_NAT_OA_DRAFT:
		return ("NAT-OA");
	}
	return ("unknown");
}

/*
 * Fill in err: "<payload> payload at offset N: <message>" (or "ISAKMP
 * header: ..." for the header) and return code.
 */
static int __attribute__((format(printf, 4, 5)))
isakmp_fail(struct isakmp_pctx *p, int code, uint16_t notify,
    const char *fmt, ...)
{
	struct isakmp_error	*e = p->err;
	va_list			 ap;
	int			 n;

	if (e == NULL)
		return (code);
	e->ie_code = code;
	e->ie_notify = notify;
	e->ie_payload = p->type;
	e->ie_offset = p->pl_off;
	if (p->type == ISAKMP_PL_NONE)
		n = snprintf(e->ie_msg, sizeof(e->ie_msg), "ISAKMP header: ");
	else
		n = snprintf(e->ie_msg, sizeof(e->ie_msg),
		    "%s payload at offset %zu: ", isakmp_short_name(p->type),
		    p->pl_off);
	if (n < 0 || (size_t)n >= sizeof(e->ie_msg))
		return (code);
	va_start(ap, fmt);
	vsnprintf(e->ie_msg + n, sizeof(e->ie_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return (code);
}

#define MALFORMED(p, ...) \
	isakmp_fail((p), ERR_MALFORMED, ISAKMP_N_PAYLOAD_MALFORMED, __VA_ARGS__)

/* Message offset of the next unread byte. */
static size_t
isakmp_pos(const struct isakmp_pctx *p)
{
	return (p->base + rbuf_offset(&p->rb));
}

/* A sub-parser over the next n bytes, which the caller checked exist. */
static void
isakmp_pctx_sub(struct isakmp_pctx *p, size_t n, struct isakmp_pctx *sub)
{
	*sub = *p;
	sub->base = isakmp_pos(p);
	(void)rbuf_get_sub(&p->rb, n, &sub->rb);
}

/*
 * Number of items of at least size bytes that fit in what is left, at
 * most max, for sizing an array so that a small message cannot make the
 * parser allocate much more memory than the message itself.
 */
static size_t
isakmp_fit(const struct isakmp_pctx *p, size_t size, size_t max)
{
	size_t	n = rbuf_left(&p->rb) / size;

	if (n == 0)
		return (1);
	if (n > max)
		return (max);
	return (n);
}

/* Read the 4-byte generic header of a payload, proposal or transform. */
static int
isakmp_parse_gen(struct isakmp_pctx *p, const char *what, uint8_t *next,
    uint16_t *length)
{
	uint8_t	reserved;
	size_t	left = rbuf_left(&p->rb);

	if (left < ISAKMP_GEN_LEN)
		return (MALFORMED(p, "%s header at offset %zu needs 4 bytes, "
		    "%zu left", what, isakmp_pos(p), left));
	(void)rbuf_get_u8(&p->rb, next);
	(void)rbuf_get_u8(&p->rb, &reserved);
	(void)rbuf_get_u16(&p->rb, length);
	if (*length < ISAKMP_GEN_LEN)
		return (MALFORMED(p, "%s length %u is shorter than its 4-byte "
		    "generic header", what, *length));
	if ((size_t)(*length - ISAKMP_GEN_LEN) > rbuf_left(&p->rb))
		return (MALFORMED(p, "%s length %u exceeds the %zu bytes left",
		    what, *length, left));
	return (0);
}

static int
isakmp_parse_attr_value(struct isakmp_pctx *p, enum isakmp_attr_class cls,
    struct isakmp_attr *a)
{
	const char	*name = isakmp_attr_name(cls, a->a_type);
	size_t		 i, skip = 0;

	if (a->a_len == 0)
		return (MALFORMED(p, "attribute %s (%u) at offset %zu has an "
		    "empty TLV value", name, a->a_type, a->a_offset));
	if (!isakmp_attr_is_integer(cls, a->a_type))
		return (0);
	/* A long value with leading zeros is fine if it fits 64 bits. */
	while (skip < a->a_len && a->a_data[skip] == 0)
		skip++;
	if (a->a_len - skip > 8)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
		    "attribute %s (%u) at offset %zu: value of %u bytes does "
		    "not fit 64 bits", name, a->a_type, a->a_offset,
		    a->a_len));
	a->a_value = 0;
	for (i = skip; i < a->a_len; i++)
		a->a_value = a->a_value << 8 | a->a_data[i];
	a->a_has_value = 1;
	if (!isakmp_attr_is_variable(cls, a->a_type) &&
	    a->a_value > UINT16_MAX)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
		    "attribute %s (%u) at offset %zu: basic attribute value "
		    "%llu exceeds 16 bits", name, a->a_type, a->a_offset,
		    (unsigned long long)a->a_value));
	return (0);
}

static int
isakmp_parse_attr(struct isakmp_pctx *p, enum isakmp_attr_class cls,
    struct isakmp_attr *a)
{
	uint16_t	type, v;
	size_t		left = rbuf_left(&p->rb);

	memset(a, 0, sizeof(*a));
	a->a_offset = isakmp_pos(p);
	if (left < 4)
		return (MALFORMED(p, "attribute at offset %zu needs 4 bytes, "
		    "%zu left in the transform", a->a_offset, left));
	(void)rbuf_get_u16(&p->rb, &type);
	(void)rbuf_get_u16(&p->rb, &v);
	a->a_type = type & ISAKMP_ATTR_TYPE_MASK;
	if (type & ISAKMP_ATTR_AF) {
		a->a_tv = 1;
		a->a_has_value = 1;
		a->a_value = v;
		return (0);
	}
	a->a_len = v;
	if (rbuf_get_ptr(&p->rb, v, &a->a_data) != 0)
		return (MALFORMED(p, "attribute %s (%u) at offset %zu: length "
		    "%u exceeds the %zu bytes left in the transform",
		    isakmp_attr_name(cls, a->a_type), a->a_type, a->a_offset,
		    v, left - 4));
	return (isakmp_parse_attr_value(p, cls, a));
}

static int
isakmp_parse_transform(struct isakmp_pctx *p, enum isakmp_attr_class cls,
    int last, struct isakmp_transform *t)
{
	struct isakmp_pctx	 sub;
	uint8_t			 next;
	uint16_t		 length, reserved;
	size_t			 off = isakmp_pos(p);
	int			 r;

	t->t_offset = off;
	t->t_raw = rbuf_cur(&p->rb);
	if ((r = isakmp_parse_gen(p, "transform", &next, &length)) != 0)
		return (r);
	t->t_rawlen = length;
	if (next != (last ? ISAKMP_PL_NONE : ISAKMP_PL_T))
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "transform at offset %zu: "
		    "next payload %u, expected %u for the %s transform", off,
		    next, last ? ISAKMP_PL_NONE : ISAKMP_PL_T,
		    last ? "last" : "next-to-last or earlier"));
	if (length < 8)
		return (MALFORMED(p, "transform at offset %zu: length %u is "
		    "shorter than the 8-byte transform header", off, length));
	isakmp_pctx_sub(p, length - ISAKMP_GEN_LEN, &sub);
	(void)rbuf_get_u8(&sub.rb, &t->t_num);
	(void)rbuf_get_u8(&sub.rb, &t->t_id);
	(void)rbuf_get_u16(&sub.rb, &reserved);
	if (rbuf_left(&sub.rb) == 0)
		return (0);
	t->t_attrs = calloc(isakmp_fit(&sub, 4, ISAKMP_ATTR_MAX + 1),
	    sizeof(*t->t_attrs));
	if (t->t_attrs == NULL)
		return (isakmp_fail(p, ERR_NOMEM, 0, "out of memory"));
	while (rbuf_left(&sub.rb) > 0) {
		/* This also keeps the index within the array. */
		if (rbuf_left(&sub.rb) < 4)
			return (MALFORMED(p, "attribute at offset %zu needs 4 "
			    "bytes, %zu left in the transform",
			    isakmp_pos(&sub), rbuf_left(&sub.rb)));
		if (t->t_nattrs >= ISAKMP_ATTR_MAX)
			return (isakmp_fail(p, ERR_TOOBIG,
			    ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
			    "transform at offset %zu has more than %d "
			    "attributes", off, ISAKMP_ATTR_MAX));
		r = isakmp_parse_attr(&sub, cls, &t->t_attrs[t->t_nattrs]);
		if (r != 0)
			return (r);
		t->t_nattrs++;
	}
	return (0);
}

static int
isakmp_parse_proposal_body(struct isakmp_pctx *p, size_t off,
    struct isakmp_proposal *pr)
{
	enum isakmp_attr_class	cls;
	uint8_t			ntrans;
	size_t			i;
	int			r;

	(void)rbuf_get_u8(&p->rb, &pr->p_num);
	(void)rbuf_get_u8(&p->rb, &pr->p_proto);
	(void)rbuf_get_u8(&p->rb, &pr->p_spi_size);
	(void)rbuf_get_u8(&p->rb, &ntrans);
	if (pr->p_spi_size > ISAKMP_SPI_MAX)
		return (isakmp_fail(p, ERR_MALFORMED, ISAKMP_N_INVALID_SPI,
		    "proposal at offset %zu: SPI size %u exceeds %d", off,
		    pr->p_spi_size, ISAKMP_SPI_MAX));
	if (rbuf_get_ptr(&p->rb, pr->p_spi_size, &pr->p_spi) != 0)
		return (MALFORMED(p, "proposal at offset %zu: SPI size %u "
		    "exceeds the %zu bytes left", off, pr->p_spi_size,
		    rbuf_left(&p->rb)));
	if (pr->p_spi_size == 0)
		pr->p_spi = NULL;
	if (ntrans == 0)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		    "proposal at offset %zu has no transform", off));
	/* Each transform takes 8 bytes or more: check before allocating. */
	if ((size_t)ntrans * 8 > rbuf_left(&p->rb))
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal at offset %zu "
		    "declares %u transforms, which need %u bytes, but %zu "
		    "are left", off, ntrans, ntrans * 8u, rbuf_left(&p->rb)));
	pr->p_transforms = calloc(ntrans, sizeof(*pr->p_transforms));
	if (pr->p_transforms == NULL)
		return (isakmp_fail(p, ERR_NOMEM, 0, "out of memory"));
	cls = isakmp_proto_attr_class(pr->p_proto);
	for (i = 0; i < ntrans; i++) {
		if (rbuf_left(&p->rb) == 0)
			return (isakmp_fail(p, ERR_MALFORMED,
			    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal at offset "
			    "%zu declares %u transforms but contains %zu",
			    off, ntrans, i));
		r = isakmp_parse_transform(p, cls, i + 1 == ntrans,
		    &pr->p_transforms[i]);
		pr->p_ntransforms = i + 1;
		if (r != 0)
			return (r);
	}
	if (rbuf_left(&p->rb) > 0)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal at offset %zu: "
		    "%zu bytes after its %u transforms", off,
		    rbuf_left(&p->rb), ntrans));
	return (0);
}

static int
isakmp_parse_proposal(struct isakmp_pctx *p, struct isakmp_proposal *pr,
    uint8_t *next)
{
	struct isakmp_pctx	sub;
	uint16_t		length;
	size_t			off = isakmp_pos(p);
	int			r;

	pr->p_offset = off;
	if ((r = isakmp_parse_gen(p, "proposal", next, &length)) != 0)
		return (r);
	if (*next != ISAKMP_PL_NONE && *next != ISAKMP_PL_P)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal at offset %zu: "
		    "next payload %u is neither Proposal (2) nor NONE (0)",
		    off, *next));
	if (length < 8)
		return (MALFORMED(p, "proposal at offset %zu: length %u is "
		    "shorter than the 8-byte proposal header", off, length));
	pr->p_length = length;
	isakmp_pctx_sub(p, length - ISAKMP_GEN_LEN, &sub);
	return (isakmp_parse_proposal_body(&sub, off, pr));
}

static int
isakmp_parse_sa(struct isakmp_pctx *p, struct isakmp_sa *sa)
{
	struct isakmp_proposal	*pr;
	uint8_t			 next = ISAKMP_PL_P;
	int			 r;

	if (rbuf_left(&p->rb) < 8)
		return (MALFORMED(p, "body of %zu bytes is shorter than the "
		    "8 bytes of DOI and situation", rbuf_left(&p->rb)));
	(void)rbuf_get_u32(&p->rb, &sa->sa_doi);
	(void)rbuf_get_u32(&p->rb, &sa->sa_situation);
	if (sa->sa_doi != ISAKMP_DOI_IPSEC)
		return (isakmp_fail(p, ERR_UNSUPPORTED,
		    ISAKMP_N_DOI_NOT_SUPPORTED, "DOI %u is not supported; "
		    "only IPsec (1) is", sa->sa_doi));
	/* Secrecy and integrity add labelled-domain fields (RFC 2407 4.6.1). */
	if (sa->sa_situation != ISAKMP_SIT_IDENTITY_ONLY)
		return (isakmp_fail(p, ERR_UNSUPPORTED,
		    ISAKMP_N_SITUATION_NOT_SUPPORTED, "situation 0x%08x is "
		    "not supported; only SIT_IDENTITY_ONLY (1) is",
		    sa->sa_situation));
	if (rbuf_left(&p->rb) == 0)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "no proposal"));
	sa->sa_proposals = calloc(isakmp_fit(p, 16, ISAKMP_PROPOSAL_MAX + 1),
	    sizeof(*pr));
	if (sa->sa_proposals == NULL)
		return (isakmp_fail(p, ERR_NOMEM, 0, "out of memory"));
	while (next == ISAKMP_PL_P) {
		if (rbuf_left(&p->rb) == 0)
			return (isakmp_fail(p, ERR_MALFORMED,
			    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "the last proposal "
			    "names another proposal (2) as next, but the SA "
			    "payload ends at offset %zu", isakmp_pos(p)));
		/* This also keeps the index within the array. */
		if (rbuf_left(&p->rb) < 16)
			return (MALFORMED(p, "proposal at offset %zu needs at "
			    "least 16 bytes with its transform, %zu left",
			    isakmp_pos(p), rbuf_left(&p->rb)));
		if (sa->sa_nproposals == ISAKMP_PROPOSAL_MAX)
			return (isakmp_fail(p, ERR_TOOBIG,
			    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "more than %d "
			    "proposals", ISAKMP_PROPOSAL_MAX));
		pr = &sa->sa_proposals[sa->sa_nproposals++];
		if ((r = isakmp_parse_proposal(p, pr, &next)) != 0)
			return (r);
		/* Proposal numbers increase monotonically (RFC 2408 4.2). */
		if (sa->sa_nproposals > 1 && pr->p_num < pr[-1].p_num)
			return (isakmp_fail(p, ERR_MALFORMED,
			    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal at offset "
			    "%zu: number %u follows number %u", pr->p_offset,
			    pr->p_num, pr[-1].p_num));
	}
	if (rbuf_left(&p->rb) > 0)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_BAD_PROPOSAL_SYNTAX, "%zu bytes after the last "
		    "proposal, whose next payload is NONE (0)",
		    rbuf_left(&p->rb)));
	return (0);
}

/* Length of the identification data of each address type, 0: variable. */
static int
isakmp_id_data_len(uint8_t type, size_t *len)
{
	switch (type) {
	case ISAKMP_ID_IPV4_ADDR:
		*len = 4;
		return (0);
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV4_ADDR_RANGE:
		*len = 8;
		return (0);
	case ISAKMP_ID_IPV6_ADDR:
		*len = 16;
		return (0);
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		*len = 32;
		return (0);
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
	case ISAKMP_ID_DER_ASN1_DN:
	case ISAKMP_ID_DER_ASN1_GN:
	case ISAKMP_ID_KEY_ID:
		*len = 0;
		return (0);
	}
	return (ERR_UNSUPPORTED);
}

static int
isakmp_check_id_data(struct isakmp_pctx *p, const struct isakmp_id *id)
{
	size_t	want;

	if (isakmp_id_data_len(id->id_type, &want) != 0)
		return (isakmp_fail(p, ERR_UNSUPPORTED,
		    ISAKMP_N_INVALID_ID_INFORMATION, "ID type %u is not "
		    "supported", id->id_type));
	if (want != 0 && id->id_len != want)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_INVALID_ID_INFORMATION, "ID type %s needs %zu "
		    "bytes of data, the payload has %zu",
		    isakmp_id_type_name(id->id_type), want, id->id_len));
	if (want == 0 && id->id_len == 0)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_INVALID_ID_INFORMATION, "ID type %s has no data",
		    isakmp_id_type_name(id->id_type)));
	return (0);
}

static int
isakmp_parse_id(struct isakmp_pctx *p, struct isakmp_id *id)
{
	if (rbuf_left(&p->rb) < 4)
		return (MALFORMED(p, "body of %zu bytes is shorter than the "
		    "4 bytes of ID type, protocol and port",
		    rbuf_left(&p->rb)));
	(void)rbuf_get_u8(&p->rb, &id->id_type);
	(void)rbuf_get_u8(&p->rb, &id->id_proto);
	(void)rbuf_get_u16(&p->rb, &id->id_port);
	id->id_len = rbuf_left(&p->rb);
	(void)rbuf_get_ptr(&p->rb, id->id_len, &id->id_data);
	return (isakmp_check_id_data(p, id));
}

/* NAT-OA: ID type, 3 reserved bytes, an address (RFC 3947 5.2). */
static int
isakmp_parse_nat_oa(struct isakmp_pctx *p, struct isakmp_id *id)
{
	uint8_t		res8;
	uint16_t	res16;

	if (rbuf_left(&p->rb) < 4)
		return (MALFORMED(p, "body of %zu bytes is shorter than the "
		    "4 bytes of ID type and reserved fields",
		    rbuf_left(&p->rb)));
	(void)rbuf_get_u8(&p->rb, &id->id_type);
	(void)rbuf_get_u8(&p->rb, &res8);
	(void)rbuf_get_u16(&p->rb, &res16);
	id->id_len = rbuf_left(&p->rb);
	(void)rbuf_get_ptr(&p->rb, id->id_len, &id->id_data);
	if (id->id_type != ISAKMP_ID_IPV4_ADDR &&
	    id->id_type != ISAKMP_ID_IPV6_ADDR)
		return (MALFORMED(p, "ID type %u is not IPV4_ADDR (1) or "
		    "IPV6_ADDR (5)", id->id_type));
	return (isakmp_check_id_data(p, id));
}

static int
isakmp_parse_cert(struct isakmp_pctx *p, struct isakmp_cert *c)
{
	if (rbuf_get_u8(&p->rb, &c->c_encoding) != 0)
		return (MALFORMED(p, "empty body, the encoding byte is "
		    "missing"));
	c->c_len = rbuf_left(&p->rb);
	(void)rbuf_get_ptr(&p->rb, c->c_len, &c->c_data);
	/* A CR may name no authority, a CERT must carry one. */
	if (p->type == ISAKMP_PL_CERT && c->c_len == 0)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_INVALID_CERTIFICATE, "no certificate data"));
	return (0);
}

static int
isakmp_parse_notify(struct isakmp_pctx *p, struct isakmp_notify *n)
{
	if (rbuf_left(&p->rb) < 8)
		return (MALFORMED(p, "body of %zu bytes is shorter than the "
		    "8 bytes of DOI, protocol, SPI size and type",
		    rbuf_left(&p->rb)));
	(void)rbuf_get_u32(&p->rb, &n->n_doi);
	(void)rbuf_get_u8(&p->rb, &n->n_proto);
	(void)rbuf_get_u8(&p->rb, &n->n_spi_size);
	(void)rbuf_get_u16(&p->rb, &n->n_type);
	if (n->n_spi_size > ISAKMP_SPI_MAX)
		return (isakmp_fail(p, ERR_MALFORMED, ISAKMP_N_INVALID_SPI,
		    "SPI size %u exceeds %d", n->n_spi_size, ISAKMP_SPI_MAX));
	if (rbuf_get_ptr(&p->rb, n->n_spi_size, &n->n_spi) != 0)
		return (MALFORMED(p, "SPI size %u exceeds the %zu bytes left",
		    n->n_spi_size, rbuf_left(&p->rb)));
	if (n->n_spi_size == 0)
		n->n_spi = NULL;
	n->n_len = rbuf_left(&p->rb);
	(void)rbuf_get_ptr(&p->rb, n->n_len, &n->n_data);
	if (n->n_len == 0)
		n->n_data = NULL;
	return (0);
}

static int
isakmp_parse_delete(struct isakmp_pctx *p, struct isakmp_delete *d)
{
	size_t	left;

	if (rbuf_left(&p->rb) < 8)
		return (MALFORMED(p, "body of %zu bytes is shorter than the "
		    "8 bytes of DOI, protocol, SPI size and SPI count",
		    rbuf_left(&p->rb)));
	(void)rbuf_get_u32(&p->rb, &d->d_doi);
	(void)rbuf_get_u8(&p->rb, &d->d_proto);
	(void)rbuf_get_u8(&p->rb, &d->d_spi_size);
	(void)rbuf_get_u16(&p->rb, &d->d_nspi);
	left = rbuf_left(&p->rb);
	if (d->d_spi_size == 0 || d->d_spi_size > ISAKMP_SPI_MAX)
		return (isakmp_fail(p, ERR_MALFORMED, ISAKMP_N_INVALID_SPI,
		    "SPI size %u is not between 1 and %d", d->d_spi_size,
		    ISAKMP_SPI_MAX));
	if (d->d_nspi == 0)
		return (MALFORMED(p, "SPI count is 0"));
	if ((size_t)d->d_spi_size * d->d_nspi != left)
		return (MALFORMED(p, "%u SPIs of %u bytes need %zu bytes, "
		    "the payload has %zu", d->d_nspi, d->d_spi_size,
		    (size_t)d->d_spi_size * d->d_nspi, left));
	(void)rbuf_get_ptr(&p->rb, left, &d->d_spis);
	return (0);
}

static int
isakmp_parse_data(struct isakmp_pctx *p, struct isakmp_data *d)
{
	d->len = rbuf_left(&p->rb);
	(void)rbuf_get_ptr(&p->rb, d->len, &d->data);
	if (d->len == 0)
		return (MALFORMED(p, "empty body"));
	if (p->type == ISAKMP_PL_NONCE &&
	    (d->len < NONCE_MIN || d->len > NONCE_MAX))
		return (MALFORMED(p, "nonce of %zu bytes; RFC 2409 requires "
		    "%d to %d", d->len, NONCE_MIN, NONCE_MAX));
	/* Type 15 is NAT-D only in old drafts; anything else is unknown. */
	if (p->type == ISAKMP_PL_NAT_D_OLD &&
	    (d->len < OLD_NAT_D_MIN || d->len > OLD_NAT_D_MAX))
		return (isakmp_fail(p, ERR_UNSUPPORTED,
		    ISAKMP_N_INVALID_PAYLOAD_TYPE, "payload type 15 with a "
		    "body of %zu bytes is not a draft NAT-D hash (%d to %d "
		    "bytes)", d->len, OLD_NAT_D_MIN, OLD_NAT_D_MAX));
	return (0);
}

static int
isakmp_parse_body(struct isakmp_pctx *p, struct isakmp_payload *pl)
{
	if ((p->flags & ISAKMP_PARSE_ENCRYPTED_AUTH) &&
	    pl->pl_type == ISAKMP_PL_ID) {
		/* Ciphertext, shown as an ID of type 0 with opaque data. */
		pl->pl_u.id.id_len = rbuf_left(&p->rb);
		(void)rbuf_get_ptr(&p->rb, pl->pl_u.id.id_len,
		    &pl->pl_u.id.id_data);
		if (pl->pl_u.id.id_len == 0)
			return (MALFORMED(p, "empty body"));
		return (0);
	}
	if ((p->flags & ISAKMP_PARSE_ENCRYPTED_AUTH) &&
	    (pl->pl_type == ISAKMP_PL_KE || pl->pl_type == ISAKMP_PL_NONCE)) {
		/* Ciphertext: only its length is known here. */
		pl->pl_u.data.len = rbuf_left(&p->rb);
		(void)rbuf_get_ptr(&p->rb, pl->pl_u.data.len,
		    &pl->pl_u.data.data);
		if (pl->pl_u.data.len == 0)
			return (MALFORMED(p, "empty body"));
		return (0);
	}
	switch (pl->pl_type) {
	case ISAKMP_PL_SA:
		return (isakmp_parse_sa(p, &pl->pl_u.sa));
	case ISAKMP_PL_ID:
		return (isakmp_parse_id(p, &pl->pl_u.id));
	case ISAKMP_PL_NAT_OA:
	case ISAKMP_PL_NAT_OA_DRAFT:
		return (isakmp_parse_nat_oa(p, &pl->pl_u.id));
	case ISAKMP_PL_CERT:
	case ISAKMP_PL_CR:
		return (isakmp_parse_cert(p, &pl->pl_u.cert));
	case ISAKMP_PL_N:
		return (isakmp_parse_notify(p, &pl->pl_u.n));
	case ISAKMP_PL_D:
		return (isakmp_parse_delete(p, &pl->pl_u.d));
	}
	return (isakmp_parse_data(p, &pl->pl_u.data));
}

static void
isakmp_payload_free(struct isakmp_payload *pl)
{
	struct isakmp_sa	*sa = &pl->pl_u.sa;
	size_t			 i, j;

	if (pl->pl_type != ISAKMP_PL_SA || sa->sa_proposals == NULL)
		return;
	for (i = 0; i < sa->sa_nproposals; i++) {
		for (j = 0; j < sa->sa_proposals[i].p_ntransforms; j++)
			free(sa->sa_proposals[i].p_transforms[j].t_attrs);
		free(sa->sa_proposals[i].p_transforms);
	}
	free(sa->sa_proposals);
	sa->sa_proposals = NULL;
}

static void
isakmp_msg_free_payloads(struct isakmp_msg *msg)
{
	size_t	i;

	for (i = 0; i < msg->m_npayloads; i++)
		isakmp_payload_free(&msg->m_payloads[i]);
	free(msg->m_payloads);
	msg->m_payloads = NULL;
	msg->m_npayloads = 0;
	msg->m_padding = 0;
}

void
isakmp_msg_free(struct isakmp_msg *msg)
{
	if (msg == NULL)
		return;
	isakmp_msg_free_payloads(msg);
	memset(msg, 0, sizeof(*msg));
}

static int
isakmp_parse_payload(struct isakmp_pctx *p, uint8_t type,
    struct isakmp_payload *pl)
{
	struct isakmp_pctx	sub;
	int			r;

	pl->pl_type = type;
	pl->pl_offset = p->pl_off;
	pl->pl_raw = rbuf_cur(&p->rb);
	if ((r = isakmp_parse_gen(p, "payload", &pl->pl_next,
	    &pl->pl_length)) != 0)
		return (r);
	pl->pl_body = rbuf_cur(&p->rb);
	pl->pl_body_len = pl->pl_length - ISAKMP_GEN_LEN;
	isakmp_pctx_sub(p, pl->pl_body_len, &sub);
	return (isakmp_parse_body(&sub, pl));
}

/* Check that the chain may continue with a payload of this type here. */
static int
isakmp_check_next(struct isakmp_pctx *p, uint8_t type, size_t count)
{
	if (count == ISAKMP_PAYLOAD_MAX)
		return (isakmp_fail(p, ERR_TOOBIG, ISAKMP_N_PAYLOAD_MALFORMED,
		    "more than %d payloads", ISAKMP_PAYLOAD_MAX));
	if (!isakmp_payload_known(type))
		return (isakmp_fail(p, ERR_UNSUPPORTED,
		    ISAKMP_N_INVALID_PAYLOAD_TYPE, "payload type %u (%s) is "
		    "not supported", type, isakmp_payload_name(type)));
	if (rbuf_left(&p->rb) == 0)
		return (MALFORMED(p, "the chain names a %s payload (%u) next, "
		    "but the data ends here", isakmp_payload_name(type),
		    type));
	return (0);
}

static int
isakmp_parse_chain(struct isakmp_pctx *p, struct isakmp_msg *msg,
    uint8_t first, int flags)
{
	struct isakmp_payload	*pl;
	uint8_t			 next = first;
	size_t			 left;
	int			 r;

	while (next != ISAKMP_PL_NONE) {
		p->type = next;
		p->pl_off = isakmp_pos(p);
		if ((r = isakmp_check_next(p, next, msg->m_npayloads)) != 0)
			return (r);
		pl = &msg->m_payloads[msg->m_npayloads++];
		if ((r = isakmp_parse_payload(p, next, pl)) != 0)
			return (r);
		next = pl->pl_next;
	}
	left = rbuf_left(&p->rb);
	if (left == 0)
		return (0);
	p->pl_off = isakmp_pos(p);
	if (!(flags & ISAKMP_PARSE_PADDED))
		return (MALFORMED(p, "%zu bytes after the last payload, whose "
		    "next payload is NONE (0)", left));
	if (left > PADDING_MAX)
		return (MALFORMED(p, "%zu bytes of padding after the last "
		    "payload exceed %d", left, PADDING_MAX));
	msg->m_padding = left;
	return (0);
}

int
isakmp_payloads_parse(struct isakmp_msg *msg, uint8_t first,
    const uint8_t *buf, size_t len, size_t base, int flags,
    struct isakmp_error *err)
{
	struct isakmp_pctx	p;
	int			r;

	memset(&p, 0, sizeof(p));
	rbuf_init(&p.rb, buf, len);
	p.base = base;
	p.pl_off = base;
	p.err = err;
	p.flags = flags;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (len > ISAKMP_MSG_MAX) {
		r = isakmp_fail(&p, ERR_TOOBIG, ISAKMP_N_PAYLOAD_MALFORMED,
		    "%zu bytes of payloads exceed the %d-byte limit", len,
		    ISAKMP_MSG_MAX);
		goto out;
	}
	if (msg->m_payloads == NULL) {
		msg->m_payloads = calloc(ISAKMP_PAYLOAD_MAX,
		    sizeof(*msg->m_payloads));
		if (msg->m_payloads == NULL) {
			r = isakmp_fail(&p, ERR_NOMEM, 0, "out of memory");
			goto out;
		}
	}
	r = isakmp_parse_chain(&p, msg, first, flags);
out:
	if (r != 0)
		isakmp_msg_free_payloads(msg);
	return (r);
}

static int
isakmp_hdr_check(struct isakmp_pctx *p, const struct isakmp_hdr *h,
    size_t len)
{
	if (h->h_major == 2)
		return (isakmp_fail(p, ERR_UNSUPPORTED,
		    ISAKMP_N_INVALID_MAJOR_VERSION, "IKEv2 (version %u.%u) is "
		    "not supported; in.iked speaks IKEv1 (1.0) only",
		    h->h_major, h->h_minor));
	if (h->h_major != ISAKMP_VERSION_MAJOR)
		return (isakmp_fail(p, ERR_UNSUPPORTED,
		    ISAKMP_N_INVALID_MAJOR_VERSION, "version %u.%u is not "
		    "supported; expected 1.0", h->h_major, h->h_minor));
	if (h->h_minor != ISAKMP_VERSION_MINOR)
		return (isakmp_fail(p, ERR_UNSUPPORTED,
		    ISAKMP_N_INVALID_MINOR_VERSION, "minor version %u is not "
		    "supported; expected 1.0", h->h_minor));
	if (h->h_flags & ~ISAKMP_FLAG_MASK)
		return (isakmp_fail(p, ERR_MALFORMED, ISAKMP_N_INVALID_FLAGS,
		    "flags 0x%02x have undefined bits 0x%02x set",
		    h->h_flags, h->h_flags & ~ISAKMP_FLAG_MASK));
	if (h->h_length < ISAKMP_HDR_LEN)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "Length field %u is "
		    "shorter than the 28-byte header", h->h_length));
	if (h->h_length > ISAKMP_MSG_MAX)
		return (isakmp_fail(p, ERR_TOOBIG,
		    ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "Length field %u "
		    "exceeds the %d-byte limit", h->h_length,
		    ISAKMP_MSG_MAX));
	if (h->h_length != len)
		return (isakmp_fail(p, ERR_MALFORMED,
		    ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "Length field %u but "
		    "the datagram has %zu bytes (%zu %s)", h->h_length, len,
		    h->h_length > len ? h->h_length - len : len - h->h_length,
		    h->h_length > len ? "missing" : "extra"));
	return (0);
}

int
isakmp_hdr_parse(const uint8_t *buf, size_t len, struct isakmp_hdr *h,
    struct isakmp_error *err)
{
	struct isakmp_pctx	p;
	uint8_t			version;

	memset(&p, 0, sizeof(p));
	memset(h, 0, sizeof(*h));
	rbuf_init(&p.rb, buf, len);
	p.err = err;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (len > ISAKMP_MSG_MAX)
		return (isakmp_fail(&p, ERR_TOOBIG,
		    ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "datagram of %zu bytes "
		    "exceeds the %d-byte limit", len, ISAKMP_MSG_MAX));
	if (len < ISAKMP_HDR_LEN)
		return (isakmp_fail(&p, ERR_TRUNCATED,
		    ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "datagram of %zu bytes "
		    "is shorter than the 28-byte header", len));
	(void)rbuf_get_bytes(&p.rb, h->h_icookie, ISAKMP_COOKIE_LEN);
	(void)rbuf_get_bytes(&p.rb, h->h_rcookie, ISAKMP_COOKIE_LEN);
	(void)rbuf_get_u8(&p.rb, &h->h_next);
	(void)rbuf_get_u8(&p.rb, &version);
	(void)rbuf_get_u8(&p.rb, &h->h_exchange);
	(void)rbuf_get_u8(&p.rb, &h->h_flags);
	(void)rbuf_get_u32(&p.rb, &h->h_msgid);
	(void)rbuf_get_u32(&p.rb, &h->h_length);
	h->h_major = version >> 4;
	h->h_minor = version & 0x0f;
	return (isakmp_hdr_check(&p, h, len));
}

int
isakmp_msg_parse(const uint8_t *buf, size_t len, struct isakmp_msg *msg,
    struct isakmp_error *err)
{
	int	r;

	memset(msg, 0, sizeof(*msg));
	if ((r = isakmp_hdr_parse(buf, len, &msg->m_hdr, err)) != 0)
		goto out;
	if (msg->m_hdr.h_flags & ISAKMP_FLAG_ENC) {
		r = ERR_UNSUPPORTED;
		if (err != NULL) {
			err->ie_code = r;
			snprintf(err->ie_msg, sizeof(err->ie_msg),
			    "ISAKMP header: the body is encrypted; decrypt "
			    "it, then parse the payloads");
		}
		goto out;
	}
	r = isakmp_payloads_parse(msg, msg->m_hdr.h_next,
	    buf + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, ISAKMP_HDR_LEN, 0,
	    err);
out:
	if (r != 0)
		isakmp_msg_free(msg);
	return (r);
}

const struct isakmp_payload *
isakmp_msg_find(const struct isakmp_msg *msg, uint8_t type, size_t start)
{
	size_t	i;

	for (i = start; i < msg->m_npayloads; i++)
		if (msg->m_payloads[i].pl_type == type)
			return (&msg->m_payloads[i]);
	return (NULL);
}

size_t
isakmp_msg_count(const struct isakmp_msg *msg, uint8_t type)
{
	size_t	i, n = 0;

	for (i = 0; i < msg->m_npayloads; i++)
		if (msg->m_payloads[i].pl_type == type)
			n++;
	return (n);
}

int
isakmp_msg_span_after(const struct isakmp_msg *msg, size_t idx,
    const uint8_t **p, size_t *len)
{
	size_t	i;

	if (idx >= msg->m_npayloads)
		return (ERR_INVAL);
	*p = NULL;
	*len = 0;
	/* Payloads lie back to back, so the span starts at the next one. */
	if (idx + 1 < msg->m_npayloads)
		*p = msg->m_payloads[idx + 1].pl_raw;
	for (i = idx + 1; i < msg->m_npayloads; i++)
		*len += msg->m_payloads[i].pl_length;
	return (0);
}

int
isakmp_attr_get(const struct isakmp_attr *a, uint64_t *v)
{
	if (!a->a_has_value)
		return (ERR_MALFORMED);
	*v = a->a_value;
	return (0);
}

const struct isakmp_attr *
isakmp_transform_attr(const struct isakmp_transform *t, uint16_t type)
{
	size_t	i;

	for (i = 0; i < t->t_nattrs; i++)
		if (t->t_attrs[i].a_type == type)
			return (&t->t_attrs[i]);
	return (NULL);
}
