/*
 * ISAKMP message parsing and building.
 *
 * Parsing validates structure before meaning: the header, then for each
 * payload its generic header, its declared length against the bytes
 * left, and then its sub-structures (proposals, transforms, attributes).
 * A rejected message leaves a struct isakmp_error naming the payload,
 * the field, the value and the byte offset from the start of the message,
 * plus the Notify type that RFC 2408 section 5 tells the receiver to send.
 *
 * Parsed structures do not copy payload data: every pointer (pl_raw,
 * pl_body, data, SPIs, attribute values) points into the buffer that was
 * parsed, which must outlive the struct isakmp_msg.  Arrays of payloads,
 * proposals, transforms and attributes are allocated and released by
 * isakmp_msg_free().
 *
 * Building writes into a struct wbuf: the header, then payloads one after
 * another, with each Next Payload field and each length back-patched.
 */
#ifndef IKED_ISAKMP_MSG_H
#define IKED_ISAKMP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "isakmp/isakmp.h"

struct wbuf;

/*
 * Reason a message was rejected.  An unknown or private-use payload type
 * gives ERR_UNSUPPORTED with ie_notify ISAKMP_N_INVALID_PAYLOAD_TYPE and
 * ie_payload set to that type (RFC 2408 section 5.2).
 */
struct isakmp_error {
	int		 ie_code;	/* negative enum err */
	uint16_t	 ie_notify;	/* Notify to send back, 0: none */
	uint8_t		 ie_payload;	/* payload type, 0 for the header */
	size_t		 ie_offset;	/* byte offset in the message */
	char		 ie_msg[256];	/* "SA payload at offset 28: ..." */
};

/* The fixed ISAKMP header (RFC 2408 3.1). */
struct isakmp_hdr {
	uint8_t		 h_icookie[ISAKMP_COOKIE_LEN];
	uint8_t		 h_rcookie[ISAKMP_COOKIE_LEN];
	uint8_t		 h_next;	/* first payload type */
	uint8_t		 h_major;
	uint8_t		 h_minor;
	uint8_t		 h_exchange;
	uint8_t		 h_flags;
	uint32_t	 h_msgid;
	uint32_t	 h_length;	/* header and payloads, in bytes */
};

/* One data attribute (RFC 2408 3.3). */
struct isakmp_attr {
	uint16_t	 a_type;	/* without the AF bit */
	uint8_t		 a_tv;		/* 1: TV form, 0: TLV form */
	uint8_t		 a_has_value;	/* a_value holds the value */
	uint64_t	 a_value;	/* TV value, or TLV integer value */
	const uint8_t	*a_data;	/* TLV value bytes, NULL for TV */
	uint16_t	 a_len;		/* TLV value length, 0 for TV */
	size_t		 a_offset;	/* offset in the message */
};

/* A Transform payload inside a Proposal (RFC 2408 3.6). */
struct isakmp_transform {
	uint8_t		 t_num;
	uint8_t		 t_id;
	struct isakmp_attr *t_attrs;
	size_t		 t_nattrs;
	const uint8_t	*t_raw;		/* whole transform, header included */
	size_t		 t_rawlen;
	size_t		 t_offset;
};

/* A Proposal payload inside an SA (RFC 2408 3.5). */
struct isakmp_proposal {
	uint8_t		 p_num;
	uint8_t		 p_proto;	/* enum isakmp_proto */
	uint8_t		 p_spi_size;
	const uint8_t	*p_spi;		/* p_spi_size bytes, NULL when 0 */
	struct isakmp_transform *p_transforms;
	size_t		 p_ntransforms;	/* equals the declared count */
	size_t		 p_offset;
	uint16_t	 p_length;	/* generic header included */
};

/* SA payload (RFC 2408 3.4, RFC 2407 4.6.1). */
struct isakmp_sa {
	uint32_t	 sa_doi;
	uint32_t	 sa_situation;
	struct isakmp_proposal *sa_proposals;
	size_t		 sa_nproposals;
};

/* ID payload (RFC 2408 3.8, RFC 2407 4.6.2) and NAT-OA (RFC 3947 5.2). */
struct isakmp_id {
	uint8_t		 id_type;	/* enum isakmp_id_type */
	uint8_t		 id_proto;	/* IP protocol, 0: any; NAT-OA: 0 */
	uint16_t	 id_port;	/* 0: any; NAT-OA: 0 */
	const uint8_t	*id_data;	/* identification data */
	size_t		 id_len;
};

/* CERT and CR payloads (RFC 2408 3.9 and 3.10). */
struct isakmp_cert {
	uint8_t		 c_encoding;	/* enum isakmp_cert_encoding */
	const uint8_t	*c_data;	/* certificate, or CA name for CR */
	size_t		 c_len;
};

/* Notification payload (RFC 2408 3.14). */
struct isakmp_notify {
	uint32_t	 n_doi;
	uint8_t		 n_proto;
	uint8_t		 n_spi_size;
	uint16_t	 n_type;	/* enum isakmp_notify_type */
	const uint8_t	*n_spi;
	const uint8_t	*n_data;
	size_t		 n_len;		/* bytes of n_data */
};

/* Delete payload (RFC 2408 3.15). */
struct isakmp_delete {
	uint32_t	 d_doi;
	uint8_t		 d_proto;
	uint8_t		 d_spi_size;
	uint16_t	 d_nspi;
	const uint8_t	*d_spis;	/* d_nspi SPIs of d_spi_size bytes */
};

/* A payload that carries opaque bytes: KE, HASH, SIG, NONCE, VID, NAT-D. */
struct isakmp_data {
	const uint8_t	*data;
	size_t		 len;
};

/* One payload of a chain. */
struct isakmp_payload {
	uint8_t		 pl_type;	/* enum isakmp_payload_type */
	uint8_t		 pl_next;
	uint16_t	 pl_length;	/* generic header included */
	size_t		 pl_offset;	/* offset in the message */
	const uint8_t	*pl_raw;	/* pl_length bytes, header first */
	const uint8_t	*pl_body;	/* after the generic header ("SAi_b") */
	size_t		 pl_body_len;
	union {
		struct isakmp_sa	sa;	/* SA */
		struct isakmp_id	id;	/* ID, NAT-OA */
		struct isakmp_cert	cert;	/* CERT, CR */
		struct isakmp_notify	n;	/* N */
		struct isakmp_delete	d;	/* D */
		struct isakmp_data	data;	/* the other types */
	} pl_u;
};

/* A parsed message or decrypted payload chain. */
struct isakmp_msg {
	struct isakmp_hdr	 m_hdr;
	struct isakmp_payload	*m_payloads;
	size_t			 m_npayloads;
	size_t			 m_padding;	/* bytes after the chain */
};

/* Flag of isakmp_payloads_parse(): a decrypted body may have padding. */
#define ISAKMP_PARSE_PADDED	0x01
/*
 * Flag of isakmp_payloads_parse(): the KE, ID and Nonce bodies are
 * ciphertext, as in Main Mode messages 3 and 4 with public key encryption
 * (RFC 2409 sections 5.2 and 5.3), so they are kept as opaque data.
 */
#define ISAKMP_PARSE_ENCRYPTED_AUTH	0x02

/*
 * Parse the 28-byte header of a datagram of len bytes and check it:
 * version 1.0 (IKEv2 is rejected with its own message), known flag bits,
 * and a Length field equal to len and within ISAKMP_MSG_MAX.
 * Returns 0 or a negative enum err with *err filled in.  After a check
 * fails *h still holds the fields read (cookies, exchange, message ID),
 * so the caller can address a Notify; it is zeroed below 28 bytes.
 * Exchange types and cookies are left to the caller, which answers with
 * INVALID-EXCHANGE-TYPE or INVALID-COOKIE as its state requires.
 */
int	isakmp_hdr_parse(const uint8_t *buf, size_t len, struct isakmp_hdr *,
	    struct isakmp_error *err);

/*
 * Parse the chain of payloads in buf[0..len), starting with payload type
 * first.  base is the offset of buf in the message, used in messages and
 * in pl_offset (ISAKMP_HDR_LEN for the body after the header).  Without
 * ISAKMP_PARSE_PADDED the chain must end exactly at len.  With it, up to
 * 255 bytes after the last payload are counted in m_padding, because
 * RFC 2409 lets a sender pad the plaintext to the cipher block.  Payloads are
 * appended to msg, which must be zeroed or previously parsed; the header
 * is left untouched.  On error the payloads of msg are released.
 */
int	isakmp_payloads_parse(struct isakmp_msg *msg, uint8_t first,
	    const uint8_t *buf, size_t len, size_t base, int flags,
	    struct isakmp_error *err);

/*
 * Parse a whole unencrypted datagram: isakmp_hdr_parse() then
 * isakmp_payloads_parse().  A message with the encryption flag set is
 * parsed only as far as the header and gives ERR_UNSUPPORTED; decrypt the
 * body and call isakmp_payloads_parse() instead.
 * On error msg is released; on success release it with isakmp_msg_free().
 */
int	isakmp_msg_parse(const uint8_t *buf, size_t len, struct isakmp_msg *,
	    struct isakmp_error *err);

void	isakmp_msg_free(struct isakmp_msg *);

/* First payload of a type at index start or later, or NULL. */
const struct isakmp_payload *isakmp_msg_find(const struct isakmp_msg *,
	    uint8_t type, size_t start);

/* Number of payloads of a type. */
size_t	isakmp_msg_count(const struct isakmp_msg *, uint8_t type);

/*
 * Bytes from the payload after index idx to the end of the last payload,
 * padding excluded: what the Quick Mode HASH(1..3) covers when idx is the
 * HASH payload (RFC 2409 section 5.5).  *p is NULL when idx is the last
 * payload.  Returns 0 or ERR_INVAL.
 */
int	isakmp_msg_span_after(const struct isakmp_msg *, size_t idx,
	    const uint8_t **p, size_t *len);

/*
 * Integer value of an attribute (TV, or TLV of up to 8 significant bytes).
 * Returns 0, or ERR_MALFORMED when the attribute has no integer value.
 */
int	isakmp_attr_get(const struct isakmp_attr *, uint64_t *);

/*
 * First attribute of a type in a transform, or NULL.  Life-Type and
 * Life-Duration may come in several pairs (seconds and kilobytes, RFC 2407
 * section 4.5), so walk t_attrs in order for those.
 */
const struct isakmp_attr *isakmp_transform_attr(const struct isakmp_transform *,
	    uint16_t type);

/*
 * Builder.  Any failure is remembered, later calls do nothing, and the
 * first error comes back from isakmp_build_finish().
 */
struct isakmp_builder {
	struct wbuf	*b_wb;
	size_t		 b_hdr;		/* header offset, SIZE_MAX: none */
	size_t		 b_next;	/* Next Payload byte to patch */
	size_t		 b_pl;		/* open payload, SIZE_MAX: none */
	size_t		 b_prop;	/* offset of the open proposal */
	size_t		 b_xf;		/* offset of the open transform */
	uint8_t		 b_first;	/* type of the first payload */
	uint8_t		 b_nxf;		/* transforms in the open proposal */
	uint8_t		 b_nxf_want;	/* transforms it declares */
	size_t		 b_prop_prev;	/* previous proposal of the open SA */
	size_t		 b_xf_prev;	/* previous transform of the proposal */
	size_t		 b_npayloads;
	int		 b_err;
};

/*
 * Start a message: write the header h (its h_next and h_length are
 * ignored and back-patched) at the end of wb.
 */
int	isakmp_build_init(struct isakmp_builder *, struct wbuf *wb,
	    const struct isakmp_hdr *h);

/*
 * Start a payload chain without a header, for a body that will be
 * encrypted.  The type of its first payload is b_first after the first
 * payload is added.
 */
void	isakmp_build_init_body(struct isakmp_builder *, struct wbuf *wb);

/*
 * Finish: close the open payload, and when there is a header set its
 * Length.  Returns 0 or the first error of the build.
 */
int	isakmp_build_finish(struct isakmp_builder *);

/*
 * Append header h to wb as given, h_next and h_length included, for a
 * message whose encrypted body is built separately.
 */
int	isakmp_hdr_write(struct wbuf *wb, const struct isakmp_hdr *h);

/*
 * Generic payload.  begin writes the generic header and links it to the
 * previous payload, then the caller appends the body to b_wb.  end (or
 * the next begin, or finish) sets the Payload Length.
 */
int	isakmp_build_begin(struct isakmp_builder *, uint8_t type);
int	isakmp_build_end(struct isakmp_builder *);

/* KE, HASH, SIG, NONCE, VID, NAT-D or any opaque payload. */
int	isakmp_build_data(struct isakmp_builder *, uint8_t type,
	    const void *data, size_t len);

/*
 * An opaque payload of len zero bytes to be filled in later, for HASH
 * payloads computed over what follows them.  *off is the offset of the
 * body in b_wb.
 */
int	isakmp_build_reserve(struct isakmp_builder *, uint8_t type, size_t len,
	    size_t *off);

/* ID (type ISAKMP_PL_ID) or NAT-OA (ISAKMP_PL_NAT_OA or _DRAFT). */
int	isakmp_build_id(struct isakmp_builder *, uint8_t type,
	    const struct isakmp_id *);

/* CERT or CR. */
int	isakmp_build_cert(struct isakmp_builder *, uint8_t type,
	    const struct isakmp_cert *);
int	isakmp_build_notify(struct isakmp_builder *,
	    const struct isakmp_notify *);
int	isakmp_build_delete(struct isakmp_builder *,
	    const struct isakmp_delete *);

/*
 * SA payload in steps: sa_begin, then for each proposal proposal_begin,
 * for each transform transform_begin and attributes, and ends in reverse
 * order.  ntransforms must equal the number of transforms that follow.
 */
int	isakmp_build_sa_begin(struct isakmp_builder *, uint32_t doi,
	    uint32_t situation);
int	isakmp_build_proposal_begin(struct isakmp_builder *, uint8_t num,
	    uint8_t proto, const uint8_t *spi, uint8_t spi_size,
	    uint8_t ntransforms);
int	isakmp_build_transform_begin(struct isakmp_builder *, uint8_t num,
	    uint8_t id);

/*
 * Integer attribute: the TV form when value fits 16 bits, otherwise the
 * TLV form with a 4-byte value (8 bytes above 32 bits).  A basic ("B")
 * attribute whose value does not fit 16 bits gives ERR_INVAL.
 */
int	isakmp_build_attr(struct isakmp_builder *, enum isakmp_attr_class,
	    uint16_t type, uint64_t value);

/* TLV attribute with a byte string value (Group-Prime...). */
int	isakmp_build_attr_data(struct isakmp_builder *, uint16_t type,
	    const void *data, uint16_t len);

int	isakmp_build_transform_end(struct isakmp_builder *);
int	isakmp_build_proposal_end(struct isakmp_builder *);
int	isakmp_build_sa_end(struct isakmp_builder *);

/* A whole SA payload from a parsed or hand-filled struct. */
int	isakmp_build_sa(struct isakmp_builder *, const struct isakmp_sa *);

/*
 * Any parsed payload, rebuilt from its decoded fields (not copied from
 * pl_raw).  Attributes keep their TV or TLV form and length.
 */
int	isakmp_build_payload(struct isakmp_builder *,
	    const struct isakmp_payload *);

/* A whole parsed message: header and every payload. */
int	isakmp_msg_build(struct wbuf *wb, const struct isakmp_msg *);

#endif /* IKED_ISAKMP_MSG_H */
