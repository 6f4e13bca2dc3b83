/*
 * ISAKMP message builder.  Payloads are appended to a struct wbuf.  The
 * Next Payload field of the previous payload (or of the header) is patched
 * when the next item starts, and each length when its item ends.  The
 * first failure is stored in the builder and every later call returns it,
 * so a caller can check once, at isakmp_build_finish().
 */
#include <stdint.h>
#include <string.h>

#include "isakmp/msg.h"
#include "lib/err.h"
#include "lib/wbuf.h"

#define NONE	SIZE_MAX

static int
isakmp_build_fail(struct isakmp_builder *b, int r)
{
	if (b->b_err == 0)
		b->b_err = r;
	return (b->b_err);
}

/* Record r when it is an error; return the builder's state. */
static int
isakmp_build_check(struct isakmp_builder *b, int r)
{
	if (r != 0)
		return (isakmp_build_fail(b, r));
	return (b->b_err);
}

static void
isakmp_builder_reset(struct isakmp_builder *b, struct wbuf *wb)
{
	memset(b, 0, sizeof(*b));
	b->b_wb = wb;
	b->b_hdr = NONE;
	b->b_next = NONE;
	b->b_pl = NONE;
	b->b_prop = NONE;
	b->b_xf = NONE;
	b->b_prop_prev = NONE;
	b->b_xf_prev = NONE;
}

int
isakmp_hdr_write(struct wbuf *wb, const struct isakmp_hdr *h)
{
	int	r;

	if ((r = wbuf_put(wb, h->h_icookie, ISAKMP_COOKIE_LEN)) != 0 ||
	    (r = wbuf_put(wb, h->h_rcookie, ISAKMP_COOKIE_LEN)) != 0 ||
	    (r = wbuf_put_u8(wb, h->h_next)) != 0 ||
	    (r = wbuf_put_u8(wb, (uint8_t)(h->h_major << 4 |
	    (h->h_minor & 0x0f)))) != 0 ||
	    (r = wbuf_put_u8(wb, h->h_exchange)) != 0 ||
	    (r = wbuf_put_u8(wb, h->h_flags)) != 0 ||
	    (r = wbuf_put_u32(wb, h->h_msgid)) != 0 ||
	    (r = wbuf_put_u32(wb, h->h_length)) != 0)
		return (r);
	return (0);
}

int
isakmp_build_init(struct isakmp_builder *b, struct wbuf *wb,
    const struct isakmp_hdr *h)
{
	struct isakmp_hdr	hdr = *h;

	isakmp_builder_reset(b, wb);
	hdr.h_next = ISAKMP_PL_NONE;
	hdr.h_length = 0;
	b->b_hdr = wb->wb_len;
	b->b_next = b->b_hdr + 2 * ISAKMP_COOKIE_LEN;
	return (isakmp_build_check(b, isakmp_hdr_write(wb, &hdr)));
}

void
isakmp_build_init_body(struct isakmp_builder *b, struct wbuf *wb)
{
	isakmp_builder_reset(b, wb);
}

/* Patch the 16-bit length at off+2 to cover everything from off on. */
static int
isakmp_build_patch_len(struct isakmp_builder *b, size_t off)
{
	size_t	len = b->b_wb->wb_len - off;

	if (len > UINT16_MAX)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (isakmp_build_check(b,
	    wbuf_set_u16(b->b_wb, off + 2, (uint16_t)len)));
}

int
isakmp_build_end(struct isakmp_builder *b)
{
	size_t	off = b->b_pl;

	if (b->b_err != 0 || off == NONE)
		return (b->b_err);
	if (b->b_prop != NONE)
		return (isakmp_build_fail(b, ERR_STATE));
	b->b_pl = NONE;
	return (isakmp_build_patch_len(b, off));
}

int
isakmp_build_begin(struct isakmp_builder *b, uint8_t type)
{
	struct wbuf	*wb = b->b_wb;
	int		 r;

	if (isakmp_build_end(b) != 0)
		return (b->b_err);
	if (b->b_npayloads == 0)
		b->b_first = type;
	if (b->b_next != NONE &&
	    (r = wbuf_set_u8(wb, b->b_next, type)) != 0)
		return (isakmp_build_fail(b, r));
	b->b_pl = wb->wb_len;
	b->b_next = wb->wb_len;
	b->b_npayloads++;
	return (isakmp_build_check(b, wbuf_put_u32(wb, 0)));
}

int
isakmp_build_finish(struct isakmp_builder *b)
{
	size_t	len;

	if (isakmp_build_end(b) != 0 || b->b_hdr == NONE)
		return (b->b_err);
	len = b->b_wb->wb_len - b->b_hdr;
	if (len > ISAKMP_MSG_MAX)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (isakmp_build_check(b, wbuf_set_u32(b->b_wb,
	    b->b_hdr + ISAKMP_HDR_LEN - 4, (uint32_t)len)));
}

int
isakmp_build_data(struct isakmp_builder *b, uint8_t type, const void *data,
    size_t len)
{
	if (isakmp_build_begin(b, type) != 0)
		return (b->b_err);
	return (isakmp_build_check(b, wbuf_put(b->b_wb, data, len)));
}

int
isakmp_build_reserve(struct isakmp_builder *b, uint8_t type, size_t len,
    size_t *off)
{
	if (isakmp_build_begin(b, type) != 0)
		return (b->b_err);
	*off = b->b_wb->wb_len;
	return (isakmp_build_check(b, wbuf_put_zero(b->b_wb, len)));
}

int
isakmp_build_id(struct isakmp_builder *b, uint8_t type,
    const struct isakmp_id *id)
{
	struct wbuf	*wb = b->b_wb;
	int		 r;

	if (isakmp_build_begin(b, type) != 0)
		return (b->b_err);
	if ((r = wbuf_put_u8(wb, id->id_type)) != 0)
		return (isakmp_build_fail(b, r));
	if (type == ISAKMP_PL_ID)
		r = wbuf_put_u8(wb, id->id_proto) ||
		    wbuf_put_u16(wb, id->id_port);
	else
		r = wbuf_put_zero(wb, 3);	/* NAT-OA reserved fields */
	if (r != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (isakmp_build_check(b, wbuf_put(wb, id->id_data, id->id_len)));
}

int
isakmp_build_cert(struct isakmp_builder *b, uint8_t type,
    const struct isakmp_cert *c)
{
	if (isakmp_build_begin(b, type) != 0)
		return (b->b_err);
	if (wbuf_put_u8(b->b_wb, c->c_encoding) != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (isakmp_build_check(b, wbuf_put(b->b_wb, c->c_data,
	    c->c_len)));
}

int
isakmp_build_notify(struct isakmp_builder *b, const struct isakmp_notify *n)
{
	struct wbuf	*wb = b->b_wb;

	if (isakmp_build_begin(b, ISAKMP_PL_N) != 0)
		return (b->b_err);
	if (wbuf_put_u32(wb, n->n_doi) != 0 ||
	    wbuf_put_u8(wb, n->n_proto) != 0 ||
	    wbuf_put_u8(wb, n->n_spi_size) != 0 ||
	    wbuf_put_u16(wb, n->n_type) != 0 ||
	    wbuf_put(wb, n->n_spi, n->n_spi_size) != 0 ||
	    wbuf_put(wb, n->n_data, n->n_len) != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (0);
}

int
isakmp_build_delete(struct isakmp_builder *b, const struct isakmp_delete *d)
{
	struct wbuf	*wb = b->b_wb;

	if (isakmp_build_begin(b, ISAKMP_PL_D) != 0)
		return (b->b_err);
	if (wbuf_put_u32(wb, d->d_doi) != 0 ||
	    wbuf_put_u8(wb, d->d_proto) != 0 ||
	    wbuf_put_u8(wb, d->d_spi_size) != 0 ||
	    wbuf_put_u16(wb, d->d_nspi) != 0 ||
	    wbuf_put(wb, d->d_spis, (size_t)d->d_spi_size * d->d_nspi) != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (0);
}

int
isakmp_build_sa_begin(struct isakmp_builder *b, uint32_t doi,
    uint32_t situation)
{
	if (isakmp_build_begin(b, ISAKMP_PL_SA) != 0)
		return (b->b_err);
	b->b_prop_prev = NONE;
	if (wbuf_put_u32(b->b_wb, doi) != 0 ||
	    wbuf_put_u32(b->b_wb, situation) != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (0);
}

int
isakmp_build_proposal_begin(struct isakmp_builder *b, uint8_t num,
    uint8_t proto, const uint8_t *spi, uint8_t spi_size, uint8_t ntransforms)
{
	struct wbuf	*wb = b->b_wb;
	int		 r;

	if (b->b_err != 0)
		return (b->b_err);
	if (b->b_pl == NONE || b->b_prop != NONE)
		return (isakmp_build_fail(b, ERR_STATE));
	/* Proposals chain with Next Payload 2, the last one with 0. */
	if (b->b_prop_prev != NONE &&
	    (r = wbuf_set_u8(wb, b->b_prop_prev, ISAKMP_PL_P)) != 0)
		return (isakmp_build_fail(b, r));
	b->b_prop = wb->wb_len;
	b->b_xf_prev = NONE;
	b->b_nxf = 0;
	b->b_nxf_want = ntransforms;
	if (wbuf_put_u32(wb, 0) != 0 || wbuf_put_u8(wb, num) != 0 ||
	    wbuf_put_u8(wb, proto) != 0 || wbuf_put_u8(wb, spi_size) != 0 ||
	    wbuf_put_u8(wb, ntransforms) != 0 ||
	    wbuf_put(wb, spi, spi_size) != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (0);
}

int
isakmp_build_transform_begin(struct isakmp_builder *b, uint8_t num,
    uint8_t id)
{
	struct wbuf	*wb = b->b_wb;
	int		 r;

	if (b->b_err != 0)
		return (b->b_err);
	if (b->b_prop == NONE)
		return (isakmp_build_fail(b, ERR_STATE));
	if (b->b_xf != NONE && isakmp_build_transform_end(b) != 0)
		return (b->b_err);
	if (b->b_xf_prev != NONE &&
	    (r = wbuf_set_u8(wb, b->b_xf_prev, ISAKMP_PL_T)) != 0)
		return (isakmp_build_fail(b, r));
	b->b_xf = wb->wb_len;
	b->b_nxf++;
	if (wbuf_put_u32(wb, 0) != 0 || wbuf_put_u8(wb, num) != 0 ||
	    wbuf_put_u8(wb, id) != 0 || wbuf_put_u16(wb, 0) != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (0);
}

static int
isakmp_build_attr_tlv(struct isakmp_builder *b, uint16_t type,
    const void *data, uint16_t len)
{
	if (b->b_err != 0)
		return (b->b_err);
	if (b->b_xf == NONE || (type & ISAKMP_ATTR_AF))
		return (isakmp_build_fail(b, ERR_STATE));
	if (wbuf_put_u16(b->b_wb, type) != 0 ||
	    wbuf_put_u16(b->b_wb, len) != 0 ||
	    wbuf_put(b->b_wb, data, len) != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (0);
}

static int
isakmp_build_attr_tv(struct isakmp_builder *b, uint16_t type, uint16_t v)
{
	if (b->b_err != 0)
		return (b->b_err);
	if (b->b_xf == NONE || (type & ISAKMP_ATTR_AF))
		return (isakmp_build_fail(b, ERR_STATE));
	if (wbuf_put_u16(b->b_wb, ISAKMP_ATTR_AF | type) != 0 ||
	    wbuf_put_u16(b->b_wb, v) != 0)
		return (isakmp_build_fail(b, ERR_TOOBIG));
	return (0);
}

int
isakmp_build_attr(struct isakmp_builder *b, enum isakmp_attr_class cls,
    uint16_t type, uint64_t value)
{
	uint8_t	v[8];
	size_t	n, i;

	if (value <= UINT16_MAX)
		return (isakmp_build_attr_tv(b, type, (uint16_t)value));
	if (!isakmp_attr_is_variable(cls, type))
		return (isakmp_build_fail(b, ERR_INVAL));
	n = value <= UINT32_MAX ? 4 : 8;
	for (i = 0; i < n; i++)
		v[i] = (uint8_t)(value >> (8 * (n - 1 - i)));
	return (isakmp_build_attr_tlv(b, type, v, (uint16_t)n));
}

int
isakmp_build_attr_data(struct isakmp_builder *b, uint16_t type,
    const void *data, uint16_t len)
{
	return (isakmp_build_attr_tlv(b, type, data, len));
}

int
isakmp_build_transform_end(struct isakmp_builder *b)
{
	size_t	off = b->b_xf;

	if (b->b_err != 0)
		return (b->b_err);
	if (off == NONE)
		return (isakmp_build_fail(b, ERR_STATE));
	b->b_xf = NONE;
	b->b_xf_prev = off;
	return (isakmp_build_patch_len(b, off));
}

int
isakmp_build_proposal_end(struct isakmp_builder *b)
{
	size_t	off = b->b_prop;

	if (b->b_err != 0)
		return (b->b_err);
	if (off == NONE)
		return (isakmp_build_fail(b, ERR_STATE));
	if (b->b_xf != NONE && isakmp_build_transform_end(b) != 0)
		return (b->b_err);
	if (b->b_nxf != b->b_nxf_want)
		return (isakmp_build_fail(b, ERR_INVAL));
	b->b_prop = NONE;
	b->b_prop_prev = off;
	return (isakmp_build_patch_len(b, off));
}

int
isakmp_build_sa_end(struct isakmp_builder *b)
{
	if (b->b_err != 0)
		return (b->b_err);
	if (b->b_prop != NONE && isakmp_build_proposal_end(b) != 0)
		return (b->b_err);
	b->b_prop_prev = NONE;
	return (isakmp_build_end(b));
}

/* An attribute in the form it was parsed in: TV, TLV bytes or integer. */
static int
isakmp_build_attr_copy(struct isakmp_builder *b, enum isakmp_attr_class cls,
    const struct isakmp_attr *a)
{
	if (a->a_tv)
		return (isakmp_build_attr_tv(b, a->a_type,
		    (uint16_t)a->a_value));
	if (a->a_data != NULL)
		return (isakmp_build_attr_tlv(b, a->a_type, a->a_data,
		    a->a_len));
	return (isakmp_build_attr(b, cls, a->a_type, a->a_value));
}

static int
isakmp_build_proposal(struct isakmp_builder *b,
    const struct isakmp_proposal *pr)
{
	const struct isakmp_transform	*t;
	enum isakmp_attr_class		 cls;
	size_t				 i, j;

	if (pr->p_ntransforms > UINT8_MAX)
		return (isakmp_build_fail(b, ERR_INVAL));
	cls = isakmp_proto_attr_class(pr->p_proto);
	isakmp_build_proposal_begin(b, pr->p_num, pr->p_proto, pr->p_spi,
	    pr->p_spi_size, (uint8_t)pr->p_ntransforms);
	for (i = 0; i < pr->p_ntransforms; i++) {
		t = &pr->p_transforms[i];
		isakmp_build_transform_begin(b, t->t_num, t->t_id);
		for (j = 0; j < t->t_nattrs; j++)
			isakmp_build_attr_copy(b, cls, &t->t_attrs[j]);
		isakmp_build_transform_end(b);
	}
	return (isakmp_build_proposal_end(b));
}

int
isakmp_build_sa(struct isakmp_builder *b, const struct isakmp_sa *sa)
{
	size_t	i;

	isakmp_build_sa_begin(b, sa->sa_doi, sa->sa_situation);
	for (i = 0; i < sa->sa_nproposals; i++)
		isakmp_build_proposal(b, &sa->sa_proposals[i]);
	return (isakmp_build_sa_end(b));
}

int
isakmp_build_payload(struct isakmp_builder *b,
    const struct isakmp_payload *pl)
{
	switch (pl->pl_type) {
	case ISAKMP_PL_SA:
		return (isakmp_build_sa(b, &pl->pl_u.sa));
	case ISAKMP_PL_ID:
	case ISAKMP_PL_NAT_OA:
	case ISAKMP_PL_NAT_OA_DRAFT:
		return (isakmp_build_id(b, pl->pl_type, &pl->pl_u.id));
	case ISAKMP_PL_CERT:
	case ISAKMP_PL_CR:
		return (isakmp_build_cert(b, pl->pl_type, &pl->pl_u.cert));
	case ISAKMP_PL_N:
		return (isakmp_build_notify(b, &pl->pl_u.n));
	case ISAKMP_PL_D:
		return (isakmp_build_delete(b, &pl->pl_u.d));
	}
	return (isakmp_build_data(b, pl->pl_type, pl->pl_u.data.data,
	    pl->pl_u.data.len));
}

int
isakmp_msg_build(struct wbuf *wb, const struct isakmp_msg *msg)
{
	struct isakmp_builder	b;
	size_t			i;

	isakmp_build_init(&b, wb, &msg->m_hdr);
	for (i = 0; i < msg->m_npayloads; i++)
		isakmp_build_payload(&b, &msg->m_payloads[i]);
	return (isakmp_build_finish(&b));
}
