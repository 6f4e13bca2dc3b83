/*
 * Unit tests of the ISAKMP parser, builder, printer and names: a
 * round trip for every payload, attribute edge cases, and each way a
 * message can be malformed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "isakmp/isakmp.h"
#include "isakmp/msg.h"
#include "isakmp/print.h"
#include "lib/err.h"
#include "lib/wbuf.h"

static const uint8_t icookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t rcookie[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };

static void
hdr_init(struct isakmp_hdr *h, uint8_t exchange, uint8_t flags)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->h_icookie, icookie, 8);
	memcpy(h->h_rcookie, rcookie, 8);
	h->h_major = 1;
	h->h_exchange = exchange;
	h->h_flags = flags;
	h->h_msgid = exchange == ISAKMP_EX_QUICK ? 0x0f2b7862 : 0;
}

/* A Main Mode message 1: SA with one IKE proposal, then a VID. */
static void
build_mm1(struct wbuf *wb, uint64_t life)
{
	struct isakmp_builder	b;
	struct isakmp_hdr	h;
	static const uint8_t	vid[16] = { 0x4a, 0x13, 0x1c, 0x81 };

	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	assert_int_equal(isakmp_build_init(&b, wb, &h), 0);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
	isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_ENC,
	    ISAKMP_ENC_AES_CBC);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_KEY_LENGTH, 128);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_HASH,
	    ISAKMP_HASH_SHA);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_GROUP_DESC,
	    ISAKMP_GROUP_MODP_1024);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_AUTH,
	    ISAKMP_AUTH_PSK);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_LIFE_TYPE,
	    ISAKMP_LIFE_SECONDS);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_LIFE_DURATION,
	    life);
	isakmp_build_sa_end(&b);
	isakmp_build_data(&b, ISAKMP_PL_VID, vid, sizeof(vid));
	assert_int_equal(isakmp_build_finish(&b), 0);
}

/* Offsets in build_mm1's output. */
#define MM1_SA		28
#define MM1_PROP	40
#define MM1_XF		48
#define MM1_ATTRS	56

static int
parse_ok(const struct wbuf *wb, struct isakmp_msg *msg)
{
	struct isakmp_error	err;
	int			r;

	r = isakmp_msg_parse(wb->wb_data, wb->wb_len, msg, &err);
	if (r != 0)
		fprintf(stderr, "parse: %s\n", err.ie_msg);
	return (r);
}

/* Parse bytes that must be rejected; return the error. */
static int
parse_bad(const uint8_t *p, size_t len, struct isakmp_error *err)
{
	struct isakmp_msg	msg;
	int			r;

	r = isakmp_msg_parse(p, len, &msg, err);
	assert_int_not_equal(r, 0);
	assert_int_equal(err->ie_code, r);
	assert_true(strlen(err->ie_msg) > 0);
	assert_null(msg.m_payloads);
	return (r);
}

/* Check that building a parsed message gives the same bytes back. */
static void
assert_rebuild_same(const struct wbuf *wb, const struct isakmp_msg *msg)
{
	struct wbuf	out;

	wbuf_init(&out, 0);
	assert_int_equal(isakmp_msg_build(&out, msg), 0);
	assert_int_equal(out.wb_len, wb->wb_len);
	assert_memory_equal(out.wb_data, wb->wb_data, wb->wb_len);
	wbuf_free(&out);
}

static void
hdr_parse_fields(void **state)
{
	struct isakmp_hdr	h;
	struct isakmp_error	err;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	assert_int_equal(isakmp_hdr_parse(wb.wb_data, wb.wb_len, &h, &err), 0);
	assert_memory_equal(h.h_icookie, icookie, 8);
	assert_memory_equal(h.h_rcookie, rcookie, 8);
	assert_int_equal(h.h_next, ISAKMP_PL_SA);
	assert_int_equal(h.h_major, 1);
	assert_int_equal(h.h_minor, 0);
	assert_int_equal(h.h_exchange, ISAKMP_EX_IDPROT);
	assert_int_equal(h.h_flags, 0);
	assert_int_equal(h.h_msgid, 0);
	assert_int_equal(h.h_length, wb.wb_len);
	wbuf_free(&wb);
}

static void
hdr_truncated(void **state)
{
	struct isakmp_hdr	h;
	struct isakmp_error	err;
	uint8_t			buf[27] = { 0 };

	assert_int_equal(isakmp_hdr_parse(buf, sizeof(buf), &h, &err),
	    ERR_TRUNCATED);
	assert_non_null(strstr(err.ie_msg, "27 bytes"));
	assert_int_equal(isakmp_hdr_parse(buf, 0, &h, &err), ERR_TRUNCATED);
	assert_int_equal(isakmp_hdr_parse(NULL, 0, &h, &err), ERR_TRUNCATED);
}

static void
hdr_versions(void **state)
{
	struct isakmp_error	err;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	wb.wb_data[17] = 0x20;		/* IKEv2 */
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err),
	    ERR_UNSUPPORTED);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_MAJOR_VERSION);
	assert_non_null(strstr(err.ie_msg, "IKEv2"));
	assert_non_null(strstr(err.ie_msg, "not supported"));
	wb.wb_data[17] = 0x30;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_MAJOR_VERSION);
	assert_non_null(strstr(err.ie_msg, "3.0"));
	wb.wb_data[17] = 0x11;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_MINOR_VERSION);
	wb.wb_data[17] = 0x10;
	wb.wb_data[19] = 0x08;		/* undefined flag */
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_FLAGS);
	assert_non_null(strstr(err.ie_msg, "0x08"));
	wbuf_free(&wb);
}

static void
hdr_length_mismatch(void **state)
{
	struct isakmp_error	err;
	struct wbuf		wb;
	size_t			len;

	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	len = wb.wb_len;
	/* Datagram shorter than the Length field. */
	parse_bad(wb.wb_data, len - 3, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
	assert_non_null(strstr(err.ie_msg, "3 missing"));
	/* Datagram longer than the Length field. */
	wbuf_put_zero(&wb, 5);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "5 extra"));
	/* Length field below the header size and above the limit. */
	wbuf_set_u32(&wb, 24, 20);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "Length field 20"));
	wbuf_set_u32(&wb, 24, 0x10000000);
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err), ERR_TOOBIG);
	wbuf_free(&wb);
}

static void
msg_too_large(void **state)
{
	struct isakmp_error	err;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	wbuf_put_zero(&wb, ISAKMP_MSG_MAX);
	wbuf_set_u32(&wb, 24, (uint32_t)wb.wb_len);
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err), ERR_TOOBIG);
	assert_non_null(strstr(err.ie_msg, "65536"));
	wbuf_free(&wb);
}

static void
sa_phase1_round_trip(void **state)
{
	struct isakmp_msg		 msg;
	const struct isakmp_sa		*sa;
	const struct isakmp_transform	*t;
	const struct isakmp_attr	*a;
	struct wbuf			 wb;
	uint64_t			 v;

	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	assert_int_equal(msg.m_npayloads, 2);
	assert_int_equal(msg.m_payloads[0].pl_type, ISAKMP_PL_SA);
	assert_int_equal(msg.m_payloads[0].pl_offset, MM1_SA);
	assert_int_equal(msg.m_payloads[0].pl_next, ISAKMP_PL_VID);
	sa = &msg.m_payloads[0].pl_u.sa;
	assert_int_equal(sa->sa_doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(sa->sa_situation, ISAKMP_SIT_IDENTITY_ONLY);
	assert_int_equal(sa->sa_nproposals, 1);
	assert_int_equal(sa->sa_proposals[0].p_proto, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(sa->sa_proposals[0].p_offset, MM1_PROP);
	assert_null(sa->sa_proposals[0].p_spi);
	assert_int_equal(sa->sa_proposals[0].p_ntransforms, 1);
	t = &sa->sa_proposals[0].p_transforms[0];
	assert_int_equal(t->t_id, ISAKMP_XF_KEY_IKE);
	assert_int_equal(t->t_offset, MM1_XF);
	assert_int_equal(t->t_nattrs, 7);
	a = isakmp_transform_attr(t, ISAKMP_P1_ENC);
	assert_non_null(a);
	assert_true(a->a_tv);
	assert_int_equal(a->a_value, ISAKMP_ENC_AES_CBC);
	assert_int_equal(a->a_offset, MM1_ATTRS);
	a = isakmp_transform_attr(t, ISAKMP_P1_LIFE_DURATION);
	assert_non_null(a);
	assert_false(a->a_tv);
	assert_int_equal(a->a_len, 4);
	assert_int_equal(isakmp_attr_get(a, &v), 0);
	assert_int_equal(v, 86400);
	assert_null(isakmp_transform_attr(t, ISAKMP_P1_PRF));
	/* SAi_b is the body after the generic header. */
	assert_ptr_equal(msg.m_payloads[0].pl_body, wb.wb_data + MM1_SA + 4);
	assert_int_equal(msg.m_payloads[0].pl_body_len,
	    msg.m_payloads[0].pl_length - 4);
	assert_rebuild_same(&wb, &msg);
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
}

static void
attr_life_tv_and_long(void **state)
{
	struct isakmp_msg		 msg;
	const struct isakmp_attr	*a;
	struct wbuf			 wb;
	uint64_t			 v;

	/* A small life goes out as TV. */
	wbuf_init(&wb, 0);
	build_mm1(&wb, 3600);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	a = isakmp_transform_attr(
	    &msg.m_payloads[0].pl_u.sa.sa_proposals[0].p_transforms[0],
	    ISAKMP_P1_LIFE_DURATION);
	assert_true(a->a_tv);
	assert_int_equal(a->a_value, 3600);
	isakmp_msg_free(&msg);
	wbuf_free(&wb);

	/* Above 32 bits the builder writes 8 bytes. */
	wbuf_init(&wb, 0);
	build_mm1(&wb, 0x100000000ULL);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	a = isakmp_transform_attr(
	    &msg.m_payloads[0].pl_u.sa.sa_proposals[0].p_transforms[0],
	    ISAKMP_P1_LIFE_DURATION);
	assert_int_equal(a->a_len, 8);
	assert_int_equal(isakmp_attr_get(a, &v), 0);
	assert_true(v == 0x100000000ULL);
	assert_rebuild_same(&wb, &msg);
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
}

/*
 * A Main Mode message whose last attribute is Life-Duration as a TLV of
 * len bytes taken from value.
 */
static void
build_mm1_life_bytes(struct wbuf *wb, const uint8_t *value, uint16_t len)
{
	struct isakmp_builder	b;
	struct isakmp_hdr	h;

	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	isakmp_build_init(&b, wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
	isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_LIFE_TYPE,
	    ISAKMP_LIFE_SECONDS);
	isakmp_build_attr_data(&b, ISAKMP_P1_LIFE_DURATION, value, len);
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_finish(&b), 0);
}

static void
attr_life_leading_zeros(void **state)
{
	static const uint8_t	 eight[8] = { 0, 0, 0, 0, 0, 1, 0x51, 0x80 };
	static const uint8_t	 twelve[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
					0, 1, 0x51, 0x80 };
	static const uint8_t	 nine[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	const struct isakmp_attr *a;
	struct wbuf		 wb;

	wbuf_init(&wb, 0);
	build_mm1_life_bytes(&wb, eight, sizeof(eight));
	assert_int_equal(parse_ok(&wb, &msg), 0);
	a = &msg.m_payloads[0].pl_u.sa.sa_proposals[0].p_transforms[0]
	    .t_attrs[1];
	assert_int_equal(a->a_type, ISAKMP_P1_LIFE_DURATION);
	assert_int_equal(a->a_len, 8);
	assert_int_equal(a->a_value, 86400);
	/* The rebuild keeps the 8-byte form. */
	assert_rebuild_same(&wb, &msg);
	isakmp_msg_free(&msg);

	wbuf_reset(&wb);
	build_mm1_life_bytes(&wb, twelve, sizeof(twelve));
	assert_int_equal(parse_ok(&wb, &msg), 0);
	isakmp_msg_free(&msg);

	wbuf_reset(&wb);
	build_mm1_life_bytes(&wb, nine, sizeof(nine));
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED);
	assert_non_null(strstr(err.ie_msg, "does not fit 64 bits"));
	assert_non_null(strstr(err.ie_msg, "Life-Duration"));

	wbuf_reset(&wb);
	build_mm1_life_bytes(&wb, NULL, 0);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "empty TLV value"));
	wbuf_free(&wb);
}

static void
attr_basic_as_tlv(void **state)
{
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct wbuf		 wb;
	static const uint8_t	 aes[2] = { 0, 7 }, big[4] = { 0, 1, 0, 0 };

	/* A basic attribute sent as a TLV is accepted when it fits. */
	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
	isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
	isakmp_build_attr_data(&b, ISAKMP_P1_ENC, aes, sizeof(aes));
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	assert_int_equal(msg.m_payloads[0].pl_u.sa.sa_proposals[0]
	    .p_transforms[0].t_attrs[0].a_value, 7);
	isakmp_msg_free(&msg);

	/* ... and rejected when its value exceeds 16 bits. */
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
	isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
	isakmp_build_attr_data(&b, ISAKMP_P1_ENC, big, sizeof(big));
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_finish(&b), 0);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "exceeds 16 bits"));

	/* The builder refuses to write one. */
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
	isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
	assert_int_equal(isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1,
	    ISAKMP_P1_ENC, 70000), ERR_INVAL);
	assert_int_equal(isakmp_build_finish(&b), ERR_INVAL);
	wbuf_free(&wb);
}

static void
attr_truncated_and_overlong(void **state)
{
	struct isakmp_error	err;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	/* Life-Duration TLV (the 7th attribute) claims 200 bytes. */
	wbuf_set_u16(&wb, MM1_ATTRS + 6 * 4 + 2, 200);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "length 200 exceeds"));
	assert_non_null(strstr(err.ie_msg, "offset 80"));
	assert_int_equal(err.ie_payload, ISAKMP_PL_SA);
	assert_int_equal(err.ie_offset, MM1_SA);
	wbuf_free(&wb);

	/* Transform length cuts the last attribute in half. */
	wbuf_init(&wb, 0);
	build_mm1(&wb, 3600);
	wbuf_set_u16(&wb, MM1_XF + 2, 8 + 6 * 4 + 2);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_PAYLOAD_MALFORMED);
	wbuf_free(&wb);
}

static void
attr_too_many(void **state)
{
	struct isakmp_builder	b;
	struct isakmp_hdr	h;
	struct isakmp_error	err;
	struct wbuf		wb;
	int			i;

	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
	isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
	for (i = 0; i <= ISAKMP_ATTR_MAX; i++)
		isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_ENC, 7);
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err), ERR_TOOBIG);
	assert_non_null(strstr(err.ie_msg, "more than 64 attributes"));
	wbuf_free(&wb);
}

/* Quick Mode message 1 with an ESP and an AH proposal, SPIs, NAT-OA. */
static void
build_qm1(struct wbuf *wb)
{
	static const uint8_t	 spi1[4] = { 0xc0, 0x01, 0x02, 0x03 };
	static const uint8_t	 spi2[4] = { 0xc0, 0x04, 0x05, 0x06 };
	static const uint8_t	 nonce[16] = { 0xaa, 0xbb };
	static const uint8_t	 net[8] = { 192, 0, 2, 0, 255, 255, 255, 0 };
	static const uint8_t	 oa[4] = { 198, 51, 100, 7 };
	struct isakmp_id	 idci = { ISAKMP_ID_IPV4_ADDR_SUBNET, 17, 500,
				    net, sizeof(net) };
	struct isakmp_id	 natoa = { ISAKMP_ID_IPV4_ADDR, 0, 0, oa, 4 };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	size_t			 hash_off;

	hdr_init(&h, ISAKMP_EX_QUICK, 0);
	isakmp_build_init(&b, wb, &h);
	isakmp_build_reserve(&b, ISAKMP_PL_HASH, 20, &hash_off);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ESP, spi1, 4, 2);
	isakmp_build_transform_begin(&b, 1, ISAKMP_ESP_AES_CBC);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_LIFE_TYPE,
	    ISAKMP_LIFE_KILOBYTES);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_LIFE_DURATION,
	    4608000);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_ENCAP_MODE,
	    ISAKMP_ENCAP_UDP_TUNNEL);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_AUTH_ALG,
	    ISAKMP_AUTH_ALG_HMAC_SHA2_256);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_KEY_LENGTH, 256);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_GROUP_DESC, 14);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_EXT_SEQ, 1);
	isakmp_build_transform_begin(&b, 2, ISAKMP_ESP_3DES);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_ENCAP_MODE,
	    ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_KEY_ROUNDS, 16);
	isakmp_build_proposal_end(&b);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_AH, spi2, 4, 1);
	isakmp_build_transform_begin(&b, 1, ISAKMP_AH_SHA);
	isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_AUTH_ALG,
	    ISAKMP_AUTH_ALG_HMAC_SHA);
	isakmp_build_sa_end(&b);
	isakmp_build_data(&b, ISAKMP_PL_NONCE, nonce, sizeof(nonce));
	isakmp_build_id(&b, ISAKMP_PL_ID, &idci);
	isakmp_build_id(&b, ISAKMP_PL_ID, &idci);
	isakmp_build_id(&b, ISAKMP_PL_NAT_OA, &natoa);
	isakmp_build_id(&b, ISAKMP_PL_NAT_OA_DRAFT, &natoa);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(hash_off, ISAKMP_HDR_LEN + 4);
	memset(wb->wb_data + hash_off, 0x5a, 20);
}

static void
sa_phase2_round_trip(void **state)
{
	struct isakmp_msg		 msg;
	const struct isakmp_sa		*sa;
	const struct isakmp_proposal	*p;
	const struct isakmp_transform	*t;
	const struct isakmp_attr	*a;
	const uint8_t			*span;
	size_t				 spanlen;
	struct wbuf			 wb;

	wbuf_init(&wb, 0);
	build_qm1(&wb);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	assert_int_equal(msg.m_hdr.h_msgid, 0x0f2b7862);
	assert_int_equal(msg.m_npayloads, 7);
	assert_int_equal(msg.m_payloads[0].pl_type, ISAKMP_PL_HASH);
	assert_int_equal(msg.m_payloads[0].pl_u.data.len, 20);
	assert_int_equal(msg.m_payloads[0].pl_u.data.data[19], 0x5a);
	sa = &msg.m_payloads[1].pl_u.sa;
	assert_int_equal(sa->sa_nproposals, 2);
	p = &sa->sa_proposals[0];
	assert_int_equal(p->p_proto, ISAKMP_PROTO_ESP);
	assert_int_equal(p->p_spi_size, 4);
	assert_int_equal(p->p_spi[0], 0xc0);
	assert_int_equal(p->p_spi[3], 0x03);
	assert_int_equal(p->p_ntransforms, 2);
	t = &p->p_transforms[0];
	assert_int_equal(t->t_id, ISAKMP_ESP_AES_CBC);
	a = isakmp_transform_attr(t, ISAKMP_P2_LIFE_DURATION);
	assert_false(a->a_tv);
	assert_int_equal(a->a_value, 4608000);
	a = isakmp_transform_attr(t, ISAKMP_P2_ENCAP_MODE);
	assert_int_equal(a->a_value, ISAKMP_ENCAP_UDP_TUNNEL);
	assert_int_equal(isakmp_transform_attr(t, ISAKMP_P2_EXT_SEQ)->a_value,
	    1);
	a = isakmp_transform_attr(&p->p_transforms[1], ISAKMP_P2_ENCAP_MODE);
	assert_int_equal(a->a_value, 61444);
	p = &sa->sa_proposals[1];
	assert_int_equal(p->p_num, 1);
	assert_int_equal(p->p_proto, ISAKMP_PROTO_AH);
	assert_int_equal(p->p_transforms[0].t_id, ISAKMP_AH_SHA);
	assert_int_equal(isakmp_msg_count(&msg, ISAKMP_PL_ID), 2);
	assert_ptr_equal(isakmp_msg_find(&msg, ISAKMP_PL_ID, 0),
	    &msg.m_payloads[3]);
	assert_ptr_equal(isakmp_msg_find(&msg, ISAKMP_PL_ID, 4),
	    &msg.m_payloads[4]);
	assert_null(isakmp_msg_find(&msg, ISAKMP_PL_KE, 0));
	/* The QM HASH covers everything after the HASH payload. */
	assert_int_equal(isakmp_msg_span_after(&msg, 0, &span, &spanlen), 0);
	assert_ptr_equal(span, wb.wb_data + ISAKMP_HDR_LEN + 24);
	assert_int_equal(spanlen, wb.wb_len - ISAKMP_HDR_LEN - 24);
	assert_int_equal(isakmp_msg_span_after(&msg, 6, &span, &spanlen), 0);
	assert_null(span);
	assert_int_equal(spanlen, 0);
	assert_int_equal(isakmp_msg_span_after(&msg, 7, &span, &spanlen),
	    ERR_INVAL);
	assert_int_equal(msg.m_payloads[5].pl_u.id.id_type,
	    ISAKMP_ID_IPV4_ADDR);
	assert_int_equal(msg.m_payloads[6].pl_type, ISAKMP_PL_NAT_OA_DRAFT);
	assert_rebuild_same(&wb, &msg);
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
}

struct id_case {
	uint8_t	 type;
	size_t	 len;		/* valid data length */
	size_t	 bad_len;	/* an invalid one */
};

static void
id_every_type(void **state)
{
	static const struct id_case	cases[] = {
		{ ISAKMP_ID_IPV4_ADDR, 4, 5 },
		{ ISAKMP_ID_FQDN, 11, 0 },
		{ ISAKMP_ID_USER_FQDN, 17, 0 },
		{ ISAKMP_ID_IPV4_ADDR_SUBNET, 8, 4 },
		{ ISAKMP_ID_IPV6_ADDR, 16, 4 },
		{ ISAKMP_ID_IPV6_ADDR_SUBNET, 32, 16 },
		{ ISAKMP_ID_IPV4_ADDR_RANGE, 8, 12 },
		{ ISAKMP_ID_IPV6_ADDR_RANGE, 32, 31 },
		{ ISAKMP_ID_DER_ASN1_DN, 40, 0 },
		{ ISAKMP_ID_DER_ASN1_GN, 20, 0 },
		{ ISAKMP_ID_KEY_ID, 3, 0 },
	};
	uint8_t			data[64];
	struct isakmp_builder	b;
	struct isakmp_hdr	h;
	struct isakmp_msg	msg;
	struct isakmp_error	err;
	struct isakmp_id	id;
	struct wbuf		wb;
	size_t			i;

	memset(data, 0x20, sizeof(data));
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	wbuf_init(&wb, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		id = (struct isakmp_id){ cases[i].type, 17, 500, data,
		    cases[i].len };
		wbuf_reset(&wb);
		isakmp_build_init(&b, &wb, &h);
		isakmp_build_id(&b, ISAKMP_PL_ID, &id);
		assert_int_equal(isakmp_build_finish(&b), 0);
		assert_int_equal(parse_ok(&wb, &msg), 0);
		assert_int_equal(msg.m_payloads[0].pl_u.id.id_type,
		    cases[i].type);
		assert_int_equal(msg.m_payloads[0].pl_u.id.id_proto, 17);
		assert_int_equal(msg.m_payloads[0].pl_u.id.id_port, 500);
		assert_int_equal(msg.m_payloads[0].pl_u.id.id_len,
		    cases[i].len);
		assert_rebuild_same(&wb, &msg);
		isakmp_msg_free(&msg);

		id.id_len = cases[i].bad_len;
		wbuf_reset(&wb);
		isakmp_build_init(&b, &wb, &h);
		isakmp_build_id(&b, ISAKMP_PL_ID, &id);
		assert_int_equal(isakmp_build_finish(&b), 0);
		parse_bad(wb.wb_data, wb.wb_len, &err);
		assert_int_equal(err.ie_notify,
		    ISAKMP_N_INVALID_ID_INFORMATION);
		assert_int_equal(err.ie_payload, ISAKMP_PL_ID);
		assert_non_null(strstr(err.ie_msg, isakmp_id_type_name(
		    cases[i].type)));
	}
	/* An unassigned ID type. */
	id = (struct isakmp_id){ 12, 0, 0, data, 4 };
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_id(&b, ISAKMP_PL_ID, &id);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err),
	    ERR_UNSUPPORTED);
	assert_non_null(strstr(err.ie_msg, "ID type 12"));
	wbuf_free(&wb);
}

static void
nat_oa_checks(void **state)
{
	static const uint8_t	 v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct isakmp_id	 id = { ISAKMP_ID_IPV6_ADDR, 0, 0, v6, 16 };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct wbuf		 wb;

	hdr_init(&h, ISAKMP_EX_QUICK, 0);
	wbuf_init(&wb, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_id(&b, ISAKMP_PL_NAT_OA, &id);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	assert_int_equal(msg.m_payloads[0].pl_u.id.id_len, 16);
	assert_memory_equal(msg.m_payloads[0].pl_u.id.id_data, v6, 16);
	assert_rebuild_same(&wb, &msg);
	isakmp_msg_free(&msg);

	id.id_type = ISAKMP_ID_FQDN;
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_id(&b, ISAKMP_PL_NAT_OA_DRAFT, &id);
	assert_int_equal(isakmp_build_finish(&b), 0);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "NAT-OA payload at offset 28"));
	wbuf_free(&wb);
}

static void
data_payloads_round_trip(void **state)
{
	static const uint8_t	 bytes[300] = { 0x11, 0x22, 0x33 };
	static const uint8_t	 types[] = { ISAKMP_PL_KE, ISAKMP_PL_HASH,
		ISAKMP_PL_SIG, ISAKMP_PL_NONCE, ISAKMP_PL_VID,
		ISAKMP_PL_NAT_D, ISAKMP_PL_NAT_D_DRAFT, ISAKMP_PL_NAT_D_OLD };
	struct isakmp_cert	 cert = { ISAKMP_CERT_X509_SIG, bytes, 200 };
	struct isakmp_cert	 cr = { ISAKMP_CERT_X509_SIG, NULL, 0 };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_msg	 msg;
	struct wbuf		 wb;
	size_t			 i;

	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	wbuf_init(&wb, 0);
	isakmp_build_init(&b, &wb, &h);
	for (i = 0; i < sizeof(types); i++)
		isakmp_build_data(&b, types[i], bytes, 20);
	isakmp_build_cert(&b, ISAKMP_PL_CERT, &cert);
	isakmp_build_cert(&b, ISAKMP_PL_CR, &cr);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	assert_int_equal(msg.m_npayloads, sizeof(types) + 2);
	for (i = 0; i < sizeof(types); i++) {
		assert_int_equal(msg.m_payloads[i].pl_type, types[i]);
		assert_int_equal(msg.m_payloads[i].pl_u.data.len, 20);
		assert_memory_equal(msg.m_payloads[i].pl_u.data.data, bytes,
		    20);
	}
	assert_int_equal(msg.m_payloads[i].pl_u.cert.c_encoding,
	    ISAKMP_CERT_X509_SIG);
	assert_int_equal(msg.m_payloads[i].pl_u.cert.c_len, 200);
	assert_int_equal(msg.m_payloads[i + 1].pl_type, ISAKMP_PL_CR);
	assert_int_equal(msg.m_payloads[i + 1].pl_u.cert.c_len, 0);
	assert_rebuild_same(&wb, &msg);
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
}

static void
notify_and_delete_round_trip(void **state)
{
	static const uint8_t	 cookies[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
					9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t	 seq[4] = { 0, 0, 0, 42 };
	static const uint8_t	 spis[12] = { 0xc0, 0, 0, 1, 0xc0, 0, 0, 2,
					0xc0, 0, 0, 3 };
	struct isakmp_notify	 n = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP,
				    16, ISAKMP_N_R_U_THERE, cookies, seq, 4 };
	struct isakmp_delete	 d = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ESP, 4,
				    3, spis };
	const struct isakmp_notify *pn;
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_msg	 msg;
	struct wbuf		 wb;

	hdr_init(&h, ISAKMP_EX_INFO, 0);
	wbuf_init(&wb, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_notify(&b, &n);
	isakmp_build_delete(&b, &d);
	n = (struct isakmp_notify){ ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ESP, 0,
	    ISAKMP_N_INITIAL_CONTACT, NULL, NULL, 0 };
	isakmp_build_notify(&b, &n);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	pn = &msg.m_payloads[0].pl_u.n;
	assert_int_equal(pn->n_doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(pn->n_proto, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(pn->n_type, ISAKMP_N_R_U_THERE);
	assert_int_equal(pn->n_spi_size, 16);
	assert_memory_equal(pn->n_spi, cookies, 16);
	assert_int_equal(pn->n_len, 4);
	assert_int_equal(pn->n_data[3], 42);
	assert_int_equal(msg.m_payloads[1].pl_u.d.d_nspi, 3);
	assert_int_equal(msg.m_payloads[1].pl_u.d.d_spi_size, 4);
	assert_int_equal(msg.m_payloads[1].pl_u.d.d_spis[11], 3);
	pn = &msg.m_payloads[2].pl_u.n;
	assert_int_equal(pn->n_type, ISAKMP_N_INITIAL_CONTACT);
	assert_null(pn->n_spi);
	assert_null(pn->n_data);
	assert_rebuild_same(&wb, &msg);
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
}

/* Build header + one payload with the given raw body. */
static void
build_raw(struct wbuf *wb, uint8_t type, const void *body, size_t len)
{
	struct isakmp_builder	b;
	struct isakmp_hdr	h;

	wbuf_reset(wb);
	hdr_init(&h, ISAKMP_EX_INFO, 0);
	isakmp_build_init(&b, wb, &h);
	isakmp_build_data(&b, type, body, len);
	assert_int_equal(isakmp_build_finish(&b), 0);
}

static void
payload_bodies_too_short(void **state)
{
	static const uint8_t	 types[] = { ISAKMP_PL_SA, ISAKMP_PL_KE,
		ISAKMP_PL_ID, ISAKMP_PL_CERT, ISAKMP_PL_CR, ISAKMP_PL_HASH,
		ISAKMP_PL_SIG, ISAKMP_PL_NONCE, ISAKMP_PL_N, ISAKMP_PL_D,
		ISAKMP_PL_VID, ISAKMP_PL_NAT_D, ISAKMP_PL_NAT_OA,
		ISAKMP_PL_NAT_D_DRAFT, ISAKMP_PL_NAT_OA_DRAFT,
		ISAKMP_PL_NAT_D_OLD };
	static const uint8_t	 zeros[8];
	struct isakmp_error	 err;
	struct wbuf		 wb;
	size_t			 i;

	wbuf_init(&wb, 0);
	for (i = 0; i < sizeof(types); i++) {
		/* Empty body. */
		build_raw(&wb, types[i], NULL, 0);
		parse_bad(wb.wb_data, wb.wb_len, &err);
		assert_int_equal(err.ie_payload, types[i]);
		assert_int_equal(err.ie_offset, 28);
		/* Payload length below the generic header. */
		build_raw(&wb, types[i], zeros, 8);
		wbuf_set_u16(&wb, 30, 3);
		parse_bad(wb.wb_data, wb.wb_len, &err);
		assert_non_null(strstr(err.ie_msg, "length 3 is shorter"));
		/* Payload length beyond the message. */
		wbuf_set_u16(&wb, 30, 13);
		parse_bad(wb.wb_data, wb.wb_len, &err);
		assert_non_null(strstr(err.ie_msg,
		    "length 13 exceeds the 12 bytes left"));
		assert_int_equal(err.ie_payload, types[i]);
	}
	wbuf_free(&wb);
}

static void
nonce_length_limits(void **state)
{
	static const uint8_t	 n[257];
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct wbuf		 wb;

	wbuf_init(&wb, 0);
	build_raw(&wb, ISAKMP_PL_NONCE, n, 7);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "nonce of 7 bytes"));
	build_raw(&wb, ISAKMP_PL_NONCE, n, 257);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	build_raw(&wb, ISAKMP_PL_NONCE, n, 8);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	isakmp_msg_free(&msg);
	build_raw(&wb, ISAKMP_PL_NONCE, n, 256);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
}

static void
old_nat_d_must_look_like_hash(void **state)
{
	static const uint8_t	 h[65];
	struct isakmp_error	 err;
	struct wbuf		 wb;

	wbuf_init(&wb, 0);
	build_raw(&wb, ISAKMP_PL_NAT_D_OLD, h, 8);
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err),
	    ERR_UNSUPPORTED);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_PAYLOAD_TYPE);
	build_raw(&wb, ISAKMP_PL_NAT_D_OLD, h, 65);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_PAYLOAD_TYPE);
	wbuf_free(&wb);
}

static void
notify_errors(void **state)
{
	uint8_t			body[12] = { 0, 0, 0, 1, 1, 17, 0x8d, 0x28 };
	struct isakmp_error	err;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	/* SPI size 17 exceeds the maximum. */
	build_raw(&wb, ISAKMP_PL_N, body, sizeof(body));
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_SPI);
	/* SPI size 16 but only 4 bytes follow. */
	body[5] = 16;
	build_raw(&wb, ISAKMP_PL_N, body, sizeof(body));
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "SPI size 16 exceeds the 4 bytes"));
	wbuf_free(&wb);
}

static void
delete_errors(void **state)
{
	uint8_t			body[16] = { 0, 0, 0, 1, 3, 4, 0, 2 };
	struct isakmp_msg	msg;
	struct isakmp_error	err;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	build_raw(&wb, ISAKMP_PL_D, body, 16);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	isakmp_msg_free(&msg);
	/* Three SPIs announced, two present. */
	body[7] = 3;
	build_raw(&wb, ISAKMP_PL_D, body, 16);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "3 SPIs of 4 bytes need 12"));
	body[7] = 0;
	build_raw(&wb, ISAKMP_PL_D, body, 8);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "SPI count is 0"));
	body[7] = 1;
	body[5] = 0;
	build_raw(&wb, ISAKMP_PL_D, body, 8);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_SPI);
	/* 65535 SPIs of 16 bytes: the product must not wrap. */
	body[5] = 16;
	body[6] = 0xff;
	body[7] = 0xff;
	build_raw(&wb, ISAKMP_PL_D, body, 16);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	wbuf_free(&wb);
}

static void
sa_header_errors(void **state)
{
	struct isakmp_error	err;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	wbuf_set_u32(&wb, MM1_SA + 4, 2);
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err),
	    ERR_UNSUPPORTED);
	assert_int_equal(err.ie_notify, ISAKMP_N_DOI_NOT_SUPPORTED);
	assert_non_null(strstr(err.ie_msg, "DOI 2"));
	wbuf_set_u32(&wb, MM1_SA + 4, 1);
	wbuf_set_u32(&wb, MM1_SA + 8, 3);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_SITUATION_NOT_SUPPORTED);
	wbuf_free(&wb);

	/* An SA with no proposal. */
	wbuf_init(&wb, 0);
	build_raw(&wb, ISAKMP_PL_SA, (uint8_t[]){ 0, 0, 0, 1, 0, 0, 0, 1 }, 8);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	assert_non_null(strstr(err.ie_msg, "no proposal"));
	wbuf_free(&wb);
}

static void
proposal_errors(void **state)
{
	struct isakmp_error	err;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	/* Proposal length 72 with 48 bytes left in the SA. */
	wbuf_set_u16(&wb, MM1_PROP + 2, 72);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_string_equal(err.ie_msg, "SA payload at offset 28: proposal "
	    "length 72 exceeds the 48 bytes left");
	assert_int_equal(err.ie_offset, 28);
	wbuf_set_u16(&wb, MM1_PROP + 2, 7);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "shorter than the 8-byte"));
	wbuf_set_u16(&wb, MM1_PROP + 2, 48);
	/* Next payload neither 2 nor 0. */
	wb.wb_data[MM1_PROP] = 5;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	/* Next payload 2 but nothing follows. */
	wb.wb_data[MM1_PROP] = 2;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "the SA payload ends"));
	wb.wb_data[MM1_PROP] = 0;
	/* A second proposal too short to hold a transform. */
	wb.wb_data[MM1_PROP] = 2;
	wbuf_set_u16(&wb, MM1_PROP + 2, 48 - 12);
	wbuf_set_u16(&wb, MM1_XF + 2, 40 - 12);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "needs at least 16 bytes with its "
	    "transform, 12 left"));
	wb.wb_data[MM1_PROP] = 0;
	wbuf_set_u16(&wb, MM1_PROP + 2, 48);
	wbuf_set_u16(&wb, MM1_XF + 2, 40);
	/* SPI size too large, then larger than what is left. */
	wb.wb_data[MM1_PROP + 6] = 17;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_SPI);
	wb.wb_data[MM1_PROP + 6] = 0;
	/* Two transforms declared, one present. */
	wb.wb_data[MM1_PROP + 7] = 2;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "next payload 0, expected 3"));
	/* More transforms declared than could fit in the bytes left. */
	wb.wb_data[MM1_PROP + 7] = 200;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "declares 200 transforms, which "
	    "need 1600 bytes, but 40 are left"));
	/* No transform declared. */
	wb.wb_data[MM1_PROP + 7] = 0;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "has no transform"));
	wb.wb_data[MM1_PROP + 7] = 1;
	/* Transform next payload must be 0 for the last one. */
	wb.wb_data[MM1_XF] = 3;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "expected 0"));
	wb.wb_data[MM1_XF] = 0;
	wbuf_set_u16(&wb, MM1_XF + 2, 6);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "shorter than the 8-byte"));
	wbuf_free(&wb);
}

static void
proposal_count_mismatch(void **state)
{
	struct isakmp_builder	b;
	struct isakmp_hdr	h;
	struct isakmp_error	err;
	struct wbuf		wb;

	/* One transform declared, two present: bytes follow it. */
	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 2);
	isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
	isakmp_build_transform_begin(&b, 2, ISAKMP_XF_KEY_IKE);
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_finish(&b), 0);
	wb.wb_data[MM1_PROP + 7] = 1;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "expected 0"));
	/* With a proper last-transform marker, extra bytes are reported. */
	wb.wb_data[MM1_XF] = 0;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "8 bytes after its 1 transforms"));
	/* Builder: the count must match. */
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 2);
	isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_finish(&b), ERR_INVAL);
	wbuf_free(&wb);
}

static void
proposal_numbers_and_limit(void **state)
{
	struct isakmp_builder	b;
	struct isakmp_hdr	h;
	struct isakmp_error	err;
	struct wbuf		wb;
	int			i;

	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	for (i = 2; i >= 1; i--) {
		isakmp_build_proposal_begin(&b, (uint8_t)i,
		    ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
		isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
		isakmp_build_proposal_end(&b);
	}
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_finish(&b), 0);
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "number 1 follows number 2"));

	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	for (i = 0; i <= ISAKMP_PROPOSAL_MAX; i++) {
		isakmp_build_proposal_begin(&b, (uint8_t)i,
		    ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
		isakmp_build_transform_begin(&b, 1, ISAKMP_XF_KEY_IKE);
		isakmp_build_proposal_end(&b);
	}
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err), ERR_TOOBIG);
	assert_non_null(strstr(err.ie_msg, "more than 64 proposals"));
	wbuf_free(&wb);
}

static void
chain_unknown_types(void **state)
{
	static const uint8_t	 vid[4] = { 1, 2, 3, 4 };
	static const uint8_t	 types[] = { 2, 3, 14, 16, 19, 22, 127, 128,
					200, 255 };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_error	 err;
	struct wbuf		 wb;
	size_t			 i;

	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	for (i = 0; i < sizeof(types); i++) {
		wbuf_reset(&wb);
		isakmp_build_init(&b, &wb, &h);
		isakmp_build_data(&b, ISAKMP_PL_VID, vid, 4);
		isakmp_build_data(&b, types[i], vid, 4);
		assert_int_equal(isakmp_build_finish(&b), 0);
		assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err),
		    ERR_UNSUPPORTED);
		assert_int_equal(err.ie_notify, ISAKMP_N_INVALID_PAYLOAD_TYPE);
		assert_int_equal(err.ie_payload, types[i]);
		assert_int_equal(err.ie_offset, 36);
		assert_non_null(strstr(err.ie_msg, "is not supported"));
	}
	wbuf_free(&wb);
}

static void
chain_does_not_end(void **state)
{
	static const uint8_t	 vid[4] = { 1, 2, 3, 4 };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_error	 err;
	struct wbuf		 wb;

	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_data(&b, ISAKMP_PL_VID, vid, 4);
	isakmp_build_data(&b, ISAKMP_PL_VID, vid, 4);
	assert_int_equal(isakmp_build_finish(&b), 0);
	/* The last VID names another VID. */
	wb.wb_data[36] = ISAKMP_PL_VID;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "but the data ends here"));
	assert_int_equal(err.ie_offset, 44);
	/* The header names a first payload, the message has none. */
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	assert_int_equal(isakmp_build_finish(&b), 0);
	wb.wb_data[16] = ISAKMP_PL_SA;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "but the data ends here"));
	/* A payload that ends the chain early, then stray bytes. */
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_data(&b, ISAKMP_PL_VID, vid, 4);
	isakmp_build_data(&b, ISAKMP_PL_VID, vid, 4);
	assert_int_equal(isakmp_build_finish(&b), 0);
	wb.wb_data[28] = 0;
	parse_bad(wb.wb_data, wb.wb_len, &err);
	assert_non_null(strstr(err.ie_msg, "8 bytes after the last payload"));
	wbuf_free(&wb);
}

static void
chain_too_many_payloads(void **state)
{
	static const uint8_t	 vid[1] = { 1 };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct wbuf		 wb;
	int			 i;

	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	isakmp_build_init(&b, &wb, &h);
	for (i = 0; i < ISAKMP_PAYLOAD_MAX; i++)
		isakmp_build_data(&b, ISAKMP_PL_VID, vid, 1);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	assert_int_equal(msg.m_npayloads, ISAKMP_PAYLOAD_MAX);
	isakmp_msg_free(&msg);
	isakmp_build_init(&b, &wb, &h);
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	for (i = 0; i <= ISAKMP_PAYLOAD_MAX; i++)
		isakmp_build_data(&b, ISAKMP_PL_VID, vid, 1);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_bad(wb.wb_data, wb.wb_len, &err), ERR_TOOBIG);
	assert_non_null(strstr(err.ie_msg, "more than 64 payloads"));
	wbuf_free(&wb);
}

static void
encrypted_body_with_padding(void **state)
{
	static const uint8_t	 hash[20] = { 7 };
	static const uint8_t	 nonce[16] = { 8 };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct wbuf		 body, whole;
	size_t			 i;

	/* The body is built alone, as the engine does before encrypting. */
	wbuf_init(&body, 0);
	isakmp_build_init_body(&b, &body);
	isakmp_build_data(&b, ISAKMP_PL_HASH, hash, sizeof(hash));
	isakmp_build_data(&b, ISAKMP_PL_NONCE, nonce, sizeof(nonce));
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(b.b_first, ISAKMP_PL_HASH);
	assert_int_equal(body.wb_len, 44);
	wbuf_put_zero(&body, 4);	/* padding to the 16-byte block */

	hdr_init(&h, ISAKMP_EX_QUICK, ISAKMP_FLAG_ENC);
	h.h_next = b.b_first;
	h.h_length = (uint32_t)(ISAKMP_HDR_LEN + body.wb_len);
	wbuf_init(&whole, 0);
	assert_int_equal(isakmp_hdr_write(&whole, &h), 0);
	wbuf_put(&whole, body.wb_data, body.wb_len);

	/* The whole-message parser stops at the encrypted body. */
	assert_int_equal(isakmp_msg_parse(whole.wb_data, whole.wb_len, &msg,
	    &err), ERR_UNSUPPORTED);
	assert_non_null(strstr(err.ie_msg, "encrypted"));
	assert_int_equal(isakmp_hdr_parse(whole.wb_data, whole.wb_len,
	    &msg.m_hdr, &err), 0);
	assert_int_equal(msg.m_hdr.h_next, ISAKMP_PL_HASH);

	/* Without the padding flag the trailing zeros are an error. */
	memset(&msg, 0, sizeof(msg));
	assert_int_equal(isakmp_payloads_parse(&msg, ISAKMP_PL_HASH,
	    body.wb_data, body.wb_len, ISAKMP_HDR_LEN, 0, &err),
	    ERR_MALFORMED);
	assert_non_null(strstr(err.ie_msg, "4 bytes after the last payload"));
	assert_int_equal(err.ie_offset, ISAKMP_HDR_LEN + 44);
	assert_null(msg.m_payloads);
	assert_int_equal(isakmp_payloads_parse(&msg, ISAKMP_PL_HASH,
	    body.wb_data, body.wb_len, ISAKMP_HDR_LEN, ISAKMP_PARSE_PADDED,
	    &err), 0);
	assert_int_equal(msg.m_npayloads, 2);
	assert_int_equal(msg.m_padding, 4);
	assert_int_equal(msg.m_payloads[1].pl_offset, ISAKMP_HDR_LEN + 24);
	isakmp_msg_free(&msg);

	/* Padding is bounded. */
	for (i = 0; i < 256; i++)
		wbuf_put_u8(&body, 0);
	assert_int_equal(isakmp_payloads_parse(&msg, ISAKMP_PL_HASH,
	    body.wb_data, body.wb_len, ISAKMP_HDR_LEN, ISAKMP_PARSE_PADDED,
	    &err), ERR_MALFORMED);
	assert_non_null(strstr(err.ie_msg, "padding"));
	wbuf_free(&body);
	wbuf_free(&whole);
}

static void
builder_state_errors(void **state)
{
	struct isakmp_builder	b;
	struct isakmp_hdr	h;
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	/* A transform outside a proposal. */
	isakmp_build_init(&b, &wb, &h);
	assert_int_equal(isakmp_build_transform_begin(&b, 1, 1), ERR_STATE);
	assert_int_equal(isakmp_build_finish(&b), ERR_STATE);
	/* A payload while a proposal is open. */
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
	assert_int_equal(isakmp_build_data(&b, ISAKMP_PL_VID, "x", 1),
	    ERR_STATE);
	/* An attribute outside a transform. */
	wbuf_reset(&wb);
	isakmp_build_init(&b, &wb, &h);
	assert_int_equal(isakmp_build_attr(&b, ISAKMP_ATTR_CLASS_P1, 1, 1),
	    ERR_STATE);
	wbuf_free(&wb);
}

struct lines {
	char	text[8192];
	int	count;
};

static void
collect_line(void *arg, const char *line)
{
	struct lines	*l = arg;

	strncat(l->text, line, sizeof(l->text) - strlen(l->text) - 2);
	strcat(l->text, "\n");
	l->count++;
}

static void
print_names_fields(void **state)
{
	struct isakmp_msg	 msg;
	struct lines		*l;
	struct wbuf		 wb;

	l = calloc(1, sizeof(*l));
	assert_non_null(l);
	wbuf_init(&wb, 0);
	build_mm1(&wb, 86400);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	isakmp_print_msg(&msg, collect_line, l);
	assert_non_null(strstr(l->text, "Initiator SPI: 0102030405060708\n"));
	assert_non_null(strstr(l->text,
	    "Next payload: Security Association (1)\n"));
	assert_non_null(strstr(l->text,
	    "Exchange type: Identity Protection (Main Mode) (2)\n"));
	assert_non_null(strstr(l->text, "Version: 1.0\n"));
	assert_non_null(strstr(l->text, "\n    Payload length: 60\n"));
	assert_non_null(strstr(l->text, "\n    Domain of interpretation: "
	    "IPSEC (1)\n"));
	assert_non_null(strstr(l->text, "\n            IKE Attribute (t=1,l=2):"
	    " Encryption-Algorithm: AES-CBC (7)\n"));
	assert_non_null(strstr(l->text,
	    "IKE Attribute (t=14,l=2): Key-Length: 128\n"));
	assert_non_null(strstr(l->text,
	    "IKE Attribute (t=12,l=4): Life-Duration: 86400\n"));
	assert_non_null(strstr(l->text, "Authentication-Method: Pre-shared "
	    "key (1)\n"));
	assert_non_null(strstr(l->text, "Transform ID: KEY_IKE (1)\n"));
	assert_non_null(strstr(l->text, "Payload: Vendor ID (13)\n"));
	isakmp_msg_free(&msg);

	memset(l, 0, sizeof(*l));
	wbuf_reset(&wb);
	build_qm1(&wb);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	isakmp_print_msg(&msg, collect_line, l);
	assert_non_null(strstr(l->text, "Exchange type: Quick Mode (32)\n"));
	assert_non_null(strstr(l->text, "IPsec Attribute (t=4,l=2): "
	    "Encapsulation-Mode: UDP-Encapsulated-Tunnel (3)\n"));
	assert_non_null(strstr(l->text, "IPsec Attribute (t=2,l=4): "
	    "SA-Life-Duration: 4608000\n"));
	assert_non_null(strstr(l->text, "Transform ID: ESP_AES (12)\n"));
	assert_non_null(strstr(l->text, "Protocol ID: IPSEC_AH (2)\n"));
	assert_non_null(strstr(l->text, "SPI: c0010203\n"));
	assert_non_null(strstr(l->text,
	    "Identification Data: 192.0.2.0/255.255.255.0\n"));
	assert_non_null(strstr(l->text, "Payload: NAT-OA (RFC 3947) (21)\n"));
	assert_non_null(strstr(l->text, "Identification Data: 198.51.100.7\n"));
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
	free(l);
}

static void
print_notify_delete(void **state)
{
	static const uint8_t	 spi[4] = { 0xc0, 0, 0, 1 };
	struct isakmp_notify	 n = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP,
				    0, ISAKMP_N_R_U_THERE_ACK, NULL, spi, 4 };
	struct isakmp_delete	 d = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ESP, 4,
				    1, spi };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_msg	 msg;
	struct lines		*l;
	struct wbuf		 wb;

	l = calloc(1, sizeof(*l));
	assert_non_null(l);
	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_INFO, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_notify(&b, &n);
	isakmp_build_delete(&b, &d);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	isakmp_print_msg(&msg, collect_line, l);
	assert_non_null(strstr(l->text,
	    "Notify Message Type: R-U-THERE-ACK (36137)\n"));
	assert_non_null(strstr(l->text, "Notification DATA: c0000001\n"));
	assert_non_null(strstr(l->text, "Number of SPIs: 1\n"));
	assert_non_null(strstr(l->text, "Delete SPI: c0000001\n"));
	assert_non_null(strstr(l->text, "Exchange type: Informational (5)\n"));
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
	free(l);
}

static void
print_escapes_peer_names(void **state)
{
	static const uint8_t	 name[] = "a.example\nLOG: x\\y\x01";
	struct isakmp_id	 id = { ISAKMP_ID_FQDN, 0, 0, name,
				    sizeof(name) - 1 };
	struct isakmp_builder	 b;
	struct isakmp_hdr	 h;
	struct isakmp_msg	 msg;
	struct lines		*l;
	struct wbuf		 wb;

	l = calloc(1, sizeof(*l));
	assert_non_null(l);
	wbuf_init(&wb, 0);
	hdr_init(&h, ISAKMP_EX_IDPROT, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_id(&b, ISAKMP_PL_ID, &id);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_int_equal(parse_ok(&wb, &msg), 0);
	isakmp_print_msg(&msg, collect_line, l);
	assert_non_null(strstr(l->text, "Identification Data: "
	    "a.example\\x0aLOG: x\\x5cy\\x01\n"));
	isakmp_msg_free(&msg);
	wbuf_free(&wb);
	free(l);
}

static void
names_tables(void **state)
{
	uint16_t	n;

	assert_string_equal(isakmp_payload_name(1), "Security Association");
	assert_string_equal(isakmp_payload_name(20), "NAT-D (RFC 3947)");
	assert_string_equal(isakmp_payload_name(50), "Unknown");
	assert_string_equal(isakmp_payload_name(200), "Private use");
	assert_true(isakmp_payload_known(ISAKMP_PL_NAT_OA_DRAFT));
	assert_false(isakmp_payload_known(ISAKMP_PL_P));
	assert_false(isakmp_payload_known(14));
	assert_string_equal(isakmp_exchange_name(2),
	    "Identity Protection (Main Mode)");
	assert_string_equal(isakmp_exchange_name(32), "Quick Mode");
	assert_string_equal(isakmp_exchange_name(250), "Private use");
	/* Every RFC 2408 error notify type has a name. */
	for (n = 1; n <= 30; n++)
		assert_string_not_equal(isakmp_notify_name(n), "Unknown");
	assert_string_equal(isakmp_notify_name(24576), "RESPONDER-LIFETIME");
	assert_string_equal(isakmp_notify_name(24577), "REPLAY-STATUS");
	assert_string_equal(isakmp_notify_name(24578), "INITIAL-CONTACT");
	assert_string_equal(isakmp_notify_name(36136), "R-U-THERE");
	assert_string_equal(isakmp_notify_name(36137), "R-U-THERE-ACK");
	assert_string_equal(isakmp_notify_name(14), "NO-PROPOSAL-CHOSEN");
	assert_string_equal(isakmp_id_type_name(11), "KEY_ID");
	assert_string_equal(isakmp_transform_id_name(3, 12), "ESP_AES");
	assert_string_equal(isakmp_transform_id_name(1, 1), "KEY_IKE");
	assert_string_equal(isakmp_attr_name(ISAKMP_ATTR_CLASS_P1, 12),
	    "Life-Duration");
	assert_string_equal(isakmp_attr_name(ISAKMP_ATTR_CLASS_P2, 4),
	    "Encapsulation-Mode");
	assert_string_equal(isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P1, 3,
	    ISAKMP_AUTH_ECDSA_SHA384_P384),
	    "ECDSA with SHA-384 on the P-384 curve");
	assert_string_equal(isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P1, 3,
	    ISAKMP_AUTH_RSA_ENC_REV), "Revised encryption with RSA");
	assert_string_equal(isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P2, 4,
	    61443), "UDP-Encapsulated-Tunnel (draft)");
	assert_string_equal(isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P1, 4,
	    14), "2048 bit MODP group");
	assert_null(isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P1, 14, 128));
	assert_true(isakmp_attr_is_variable(ISAKMP_ATTR_CLASS_P1, 12));
	assert_false(isakmp_attr_is_variable(ISAKMP_ATTR_CLASS_P1, 14));
	assert_false(isakmp_attr_is_integer(ISAKMP_ATTR_CLASS_P1, 6));
	assert_int_equal(isakmp_proto_attr_class(ISAKMP_PROTO_ESP),
	    ISAKMP_ATTR_CLASS_P2);
}

static void
vendor_names(void **state)
{
	static const uint8_t	rfc3947[16] = { 0x4a, 0x13, 0x1c, 0x81, 0x07,
		0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45,
		0x2f };
	static const uint8_t	dpd[16] = { 0xaf, 0xca, 0xd7, 0x13, 0x68,
		0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01,
		0x00 };
	static const uint8_t	xauth[8] = { 0x09, 0x00, 0x26, 0x89, 0xdf,
		0xd6, 0xb7, 0x12 };

	assert_string_equal(isakmp_vendor_name(rfc3947, 16), "RFC 3947 NAT-T");
	assert_string_equal(isakmp_vendor_name(dpd, 16), "RFC 3706 DPD");
	assert_string_equal(isakmp_vendor_name(xauth, 8), "XAUTH");
	/* A prefix or a longer string is another vendor. */
	assert_null(isakmp_vendor_name(rfc3947, 15));
	assert_null(isakmp_vendor_name(dpd, 8));
	assert_null(isakmp_vendor_name(NULL, 0));
}

/*
 * Main Mode message 3 with public key encryption: KE, ID and Nonce hold
 * ciphertext, which parses only as opaque data.
 */
static void
parse_encrypted_auth_opaque(void **state)
{
	struct isakmp_builder	b;
	struct isakmp_msg	msg;
	struct isakmp_error	err;
	struct wbuf		body;
	uint8_t			ct[384];
	const struct isakmp_payload *id, *nonce;

	memset(ct, 0xa5, sizeof(ct));
	wbuf_init(&body, 0);
	isakmp_build_init_body(&b, &body);
	isakmp_build_data(&b, ISAKMP_PL_KE, ct, 256);
	isakmp_build_data(&b, ISAKMP_PL_ID, ct, 3);
	isakmp_build_data(&b, ISAKMP_PL_NONCE, ct, sizeof(ct));
	assert_int_equal(isakmp_build_finish(&b), 0);
	/* A 3-byte ID and a 384-byte nonce are invalid in the clear. */
	memset(&msg, 0, sizeof(msg));
	assert_int_not_equal(isakmp_payloads_parse(&msg, b.b_first,
	    body.wb_data, body.wb_len, ISAKMP_HDR_LEN, 0, &err), 0);
	memset(&msg, 0, sizeof(msg));
	assert_int_equal(isakmp_payloads_parse(&msg, b.b_first, body.wb_data,
	    body.wb_len, ISAKMP_HDR_LEN, ISAKMP_PARSE_ENCRYPTED_AUTH, &err), 0);
	id = isakmp_msg_find(&msg, ISAKMP_PL_ID, 0);
	nonce = isakmp_msg_find(&msg, ISAKMP_PL_NONCE, 0);
	assert_non_null(id);
	assert_non_null(nonce);
	assert_int_equal(id->pl_u.id.id_type, 0);
	assert_int_equal(id->pl_u.id.id_len, 3);
	assert_ptr_equal(id->pl_u.id.id_data, id->pl_body);
	assert_int_equal(nonce->pl_u.data.len, sizeof(ct));
	assert_memory_equal(nonce->pl_u.data.data, ct, sizeof(ct));
	isakmp_msg_free(&msg);
	wbuf_free(&body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hdr_parse_fields),
		cmocka_unit_test(hdr_truncated),
		cmocka_unit_test(hdr_versions),
		cmocka_unit_test(hdr_length_mismatch),
		cmocka_unit_test(msg_too_large),
		cmocka_unit_test(sa_phase1_round_trip),
		cmocka_unit_test(attr_life_tv_and_long),
		cmocka_unit_test(attr_life_leading_zeros),
		cmocka_unit_test(attr_basic_as_tlv),
		cmocka_unit_test(attr_truncated_and_overlong),
		cmocka_unit_test(attr_too_many),
		cmocka_unit_test(sa_phase2_round_trip),
		cmocka_unit_test(id_every_type),
		cmocka_unit_test(nat_oa_checks),
		cmocka_unit_test(data_payloads_round_trip),
		cmocka_unit_test(notify_and_delete_round_trip),
		cmocka_unit_test(payload_bodies_too_short),
		cmocka_unit_test(nonce_length_limits),
		cmocka_unit_test(old_nat_d_must_look_like_hash),
		cmocka_unit_test(notify_errors),
		cmocka_unit_test(delete_errors),
		cmocka_unit_test(sa_header_errors),
		cmocka_unit_test(proposal_errors),
		cmocka_unit_test(proposal_count_mismatch),
		cmocka_unit_test(proposal_numbers_and_limit),
		cmocka_unit_test(chain_unknown_types),
		cmocka_unit_test(chain_does_not_end),
		cmocka_unit_test(chain_too_many_payloads),
		cmocka_unit_test(encrypted_body_with_padding),
		cmocka_unit_test(builder_state_errors),
		cmocka_unit_test(print_names_fields),
		cmocka_unit_test(print_notify_delete),
		cmocka_unit_test(print_escapes_peer_names),
		cmocka_unit_test(names_tables),
		cmocka_unit_test(vendor_names),
		cmocka_unit_test(parse_encrypted_auth_opaque),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
