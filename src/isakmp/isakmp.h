/*
 * ISAKMP (IKEv1) constants: header fields, payload types, the IPsec DOI,
 * notify types, identification types and the Phase 1 and Phase 2 SA
 * attributes with their values.  Sources: RFC 2408 (ISAKMP), RFC 2409
 * (IKE, Appendix A), RFC 2407 (IPsec DOI), RFC 3947 (NAT-T), RFC 3706
 * (DPD), RFC 4754 (ECDSA) and the IANA "Internet Key Exchange (IKE)
 * Attributes" and "ISAKMP" registries.
 *
 * Every name function returns a constant string and never NULL: an
 * unassigned value gives "Unknown", a private-use value "Private use".
 */
#ifndef IKED_ISAKMP_H
#define IKED_ISAKMP_H

#include <stddef.h>
#include <stdint.h>

/* Sizes of fixed parts (RFC 2408 section 3). */
#define ISAKMP_COOKIE_LEN	8
#define ISAKMP_HDR_LEN		28	/* fixed ISAKMP header */
#define ISAKMP_GEN_LEN		4	/* generic payload header */
#define ISAKMP_NON_ESP_MARKER_LEN 4	/* zero marker on port 4500, RFC 3948 */

/*
 * Limits of the parser.  A UDP datagram carries at most 65535 - 8 bytes
 * of payload, so a message larger than 64 KiB cannot be genuine.
 */
#define ISAKMP_MSG_MAX		65536	/* bytes in one message */
#define ISAKMP_PAYLOAD_MAX	64	/* payloads in one message */
#define ISAKMP_PROPOSAL_MAX	64	/* proposals in one SA payload */
#define ISAKMP_TRANSFORM_MAX	64	/* transforms in one proposal */
#define ISAKMP_ATTR_MAX		64	/* attributes in one transform */
#define ISAKMP_SPI_MAX		16	/* bytes of one SPI (ISAKMP SA: 16) */

#define ISAKMP_VERSION_MAJOR	1
#define ISAKMP_VERSION_MINOR	0

/* Next Payload / payload types (RFC 2408 3.1, RFC 3947 3.2 and 4). */
enum isakmp_payload_type {
	ISAKMP_PL_NONE = 0,
	ISAKMP_PL_SA = 1,		/* Security Association */
	ISAKMP_PL_P = 2,		/* Proposal (inside SA only) */
	ISAKMP_PL_T = 3,		/* Transform (inside Proposal only) */
	ISAKMP_PL_KE = 4,		/* Key Exchange */
	ISAKMP_PL_ID = 5,		/* Identification */
	ISAKMP_PL_CERT = 6,		/* Certificate */
	ISAKMP_PL_CR = 7,		/* Certificate Request */
	ISAKMP_PL_HASH = 8,
	ISAKMP_PL_SIG = 9,		/* Signature */
	ISAKMP_PL_NONCE = 10,
	ISAKMP_PL_N = 11,		/* Notification */
	ISAKMP_PL_D = 12,		/* Delete */
	ISAKMP_PL_VID = 13,		/* Vendor ID */
	/*
	 * draft-ietf-ipsec-nat-t-ike-00/01 used 15 for NAT-D, which IANA
	 * later gave to SAK (RFC 6407).  Accepted as NAT-D when its body
	 * is a plausible hash (16 to 64 bytes).
	 */
	ISAKMP_PL_NAT_D_OLD = 15,
	ISAKMP_PL_NAT_D = 20,		/* NAT Discovery, RFC 3947 */
	ISAKMP_PL_NAT_OA = 21,		/* NAT Original Address, RFC 3947 */
	ISAKMP_PL_NAT_D_DRAFT = 130,	/* NAT-D, drafts 02 to 08 */
	ISAKMP_PL_NAT_OA_DRAFT = 131,	/* NAT-OA, drafts 02 to 08 */
};

/* Exchange types (RFC 2408 3.1 and 4.4, RFC 2409 5 and 9). */
enum isakmp_exchange {
	ISAKMP_EX_NONE = 0,
	ISAKMP_EX_BASE = 1,
	ISAKMP_EX_IDPROT = 2,		/* Identity Protection (Main Mode) */
	ISAKMP_EX_AUTH_ONLY = 3,
	ISAKMP_EX_AGGRESSIVE = 4,
	ISAKMP_EX_INFO = 5,		/* Informational */
	ISAKMP_EX_TRANSACTION = 6,	/* Mode Config (draft) */
	ISAKMP_EX_QUICK = 32,		/* Quick Mode */
	ISAKMP_EX_NEW_GROUP = 33,	/* New Group Mode */
};

/* Header flags (RFC 2408 3.1). */
#define ISAKMP_FLAG_ENC		0x01	/* the payloads are encrypted */
#define ISAKMP_FLAG_COMMIT	0x02
#define ISAKMP_FLAG_AUTH_ONLY	0x04
#define ISAKMP_FLAG_MASK	0x07

/* Domain of Interpretation. */
#define ISAKMP_DOI_ISAKMP	0	/* generic, RFC 2408 */
#define ISAKMP_DOI_IPSEC	1	/* RFC 2407 */

/* IPsec DOI situation bits (RFC 2407 4.2). */
#define ISAKMP_SIT_IDENTITY_ONLY 0x01
#define ISAKMP_SIT_SECRECY	0x02
#define ISAKMP_SIT_INTEGRITY	0x04

/* Protocol IDs (RFC 2407 4.4.1). */
enum isakmp_proto {
	ISAKMP_PROTO_ISAKMP = 1,
	ISAKMP_PROTO_AH = 2,
	ISAKMP_PROTO_ESP = 3,
	ISAKMP_PROTO_IPCOMP = 4,
};

/* Transform ID of the ISAKMP protocol (RFC 2407 4.4.2). */
#define ISAKMP_XF_KEY_IKE	1

/* AH transform IDs (RFC 2407 4.4.3, RFC 4868). */
enum isakmp_ah_id {
	ISAKMP_AH_MD5 = 2,
	ISAKMP_AH_SHA = 3,
	ISAKMP_AH_DES = 4,
	ISAKMP_AH_SHA2_256 = 5,
	ISAKMP_AH_SHA2_384 = 6,
	ISAKMP_AH_SHA2_512 = 7,
};

/* ESP transform IDs (RFC 2407 4.4.4, RFC 3602, RFC 3686, RFC 4106). */
enum isakmp_esp_id {
	ISAKMP_ESP_DES_IV64 = 1,
	ISAKMP_ESP_DES = 2,
	ISAKMP_ESP_3DES = 3,
	ISAKMP_ESP_RC5 = 4,
	ISAKMP_ESP_IDEA = 5,
	ISAKMP_ESP_CAST = 6,
	ISAKMP_ESP_BLOWFISH = 7,
	ISAKMP_ESP_3IDEA = 8,
	ISAKMP_ESP_DES_IV32 = 9,
	ISAKMP_ESP_RC4 = 10,
	ISAKMP_ESP_NULL = 11,
	ISAKMP_ESP_AES_CBC = 12,
	ISAKMP_ESP_AES_CTR = 13,
	ISAKMP_ESP_AES_CCM_8 = 14,
	ISAKMP_ESP_AES_CCM_12 = 15,
	ISAKMP_ESP_AES_CCM_16 = 16,
	ISAKMP_ESP_AES_GCM_8 = 18,
	ISAKMP_ESP_AES_GCM_12 = 19,
	ISAKMP_ESP_AES_GCM_16 = 20,
	ISAKMP_ESP_NULL_AUTH_AES_GMAC = 23,
};

/* IPCOMP transform IDs (RFC 2407 4.4.5). */
enum isakmp_ipcomp_id {
	ISAKMP_IPCOMP_OUI = 1,
	ISAKMP_IPCOMP_DEFLATE = 2,
	ISAKMP_IPCOMP_LZS = 3,
};

/* Notify message types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706). */
enum isakmp_notify_type {
	ISAKMP_N_INVALID_PAYLOAD_TYPE = 1,
	ISAKMP_N_DOI_NOT_SUPPORTED = 2,
	ISAKMP_N_SITUATION_NOT_SUPPORTED = 3,
	ISAKMP_N_INVALID_COOKIE = 4,
	ISAKMP_N_INVALID_MAJOR_VERSION = 5,
	ISAKMP_N_INVALID_MINOR_VERSION = 6,
	ISAKMP_N_INVALID_EXCHANGE_TYPE = 7,
	ISAKMP_N_INVALID_FLAGS = 8,
	ISAKMP_N_INVALID_MESSAGE_ID = 9,
	ISAKMP_N_INVALID_PROTOCOL_ID = 10,
	ISAKMP_N_INVALID_SPI = 11,
	ISAKMP_N_INVALID_TRANSFORM_ID = 12,
	ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED = 13,
	ISAKMP_N_NO_PROPOSAL_CHOSEN = 14,
	ISAKMP_N_BAD_PROPOSAL_SYNTAX = 15,
	ISAKMP_N_PAYLOAD_MALFORMED = 16,
	ISAKMP_N_INVALID_KEY_INFORMATION = 17,
	ISAKMP_N_INVALID_ID_INFORMATION = 18,
	ISAKMP_N_INVALID_CERT_ENCODING = 19,
	ISAKMP_N_INVALID_CERTIFICATE = 20,
	ISAKMP_N_CERT_TYPE_UNSUPPORTED = 21,
	ISAKMP_N_INVALID_CERT_AUTHORITY = 22,
	ISAKMP_N_INVALID_HASH_INFORMATION = 23,
	ISAKMP_N_AUTHENTICATION_FAILED = 24,
	ISAKMP_N_INVALID_SIGNATURE = 25,
	ISAKMP_N_ADDRESS_NOTIFICATION = 26,
	ISAKMP_N_NOTIFY_SA_LIFETIME = 27,
	ISAKMP_N_CERTIFICATE_UNAVAILABLE = 28,
	ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE = 29,
	ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS = 30,
	ISAKMP_N_CONNECTED = 16384,		/* status, RFC 2408 */
	ISAKMP_N_RESPONDER_LIFETIME = 24576,	/* RFC 2407 4.6.3.1 */
	ISAKMP_N_REPLAY_STATUS = 24577,		/* RFC 2407 4.6.3.2 */
	ISAKMP_N_INITIAL_CONTACT = 24578,	/* RFC 2407 4.6.3.3 */
	ISAKMP_N_R_U_THERE = 36136,		/* RFC 3706 */
	ISAKMP_N_R_U_THERE_ACK = 36137,		/* RFC 3706 */
};
/* Notify types below this value are errors (RFC 2408 3.14.1). */
#define ISAKMP_N_ERROR_MAX	16383

/* Identification types (RFC 2407 4.6.2.1). */
enum isakmp_id_type {
	ISAKMP_ID_IPV4_ADDR = 1,
	ISAKMP_ID_FQDN = 2,
	ISAKMP_ID_USER_FQDN = 3,
	ISAKMP_ID_IPV4_ADDR_SUBNET = 4,
	ISAKMP_ID_IPV6_ADDR = 5,
	ISAKMP_ID_IPV6_ADDR_SUBNET = 6,
	ISAKMP_ID_IPV4_ADDR_RANGE = 7,
	ISAKMP_ID_IPV6_ADDR_RANGE = 8,
	ISAKMP_ID_DER_ASN1_DN = 9,
	ISAKMP_ID_DER_ASN1_GN = 10,
	ISAKMP_ID_KEY_ID = 11,
};

/* Certificate encodings for CERT and CR (RFC 2408 3.9). */
enum isakmp_cert_encoding {
	ISAKMP_CERT_NONE = 0,
	ISAKMP_CERT_PKCS7 = 1,
	ISAKMP_CERT_PGP = 2,
	ISAKMP_CERT_DNS_KEY = 3,
	ISAKMP_CERT_X509_SIG = 4,
	ISAKMP_CERT_X509_KE = 5,
	ISAKMP_CERT_KERBEROS = 6,
	ISAKMP_CERT_CRL = 7,
	ISAKMP_CERT_ARL = 8,
	ISAKMP_CERT_SPKI = 9,
	ISAKMP_CERT_X509_ATTR = 10,
};

/*
 * Data attributes (RFC 2408 3.3): the high bit of the type word selects
 * the TV form (Attribute Format bit set, 16-bit value in place of the
 * length) or the TLV form (16-bit length, then the value).
 */
#define ISAKMP_ATTR_AF		0x8000
#define ISAKMP_ATTR_TYPE_MASK	0x7fff

/* Attribute space of a transform, chosen by its proposal's protocol. */
enum isakmp_attr_class {
	ISAKMP_ATTR_CLASS_P1 = 1,	/* ISAKMP SA, RFC 2409 Appendix A */
	ISAKMP_ATTR_CLASS_P2 = 2,	/* AH, ESP, IPCOMP: RFC 2407 4.5 */
};

/* Phase 1 attribute types (RFC 2409 Appendix A). */
enum isakmp_p1_attr {
	ISAKMP_P1_ENC = 1,		/* Encryption Algorithm */
	ISAKMP_P1_HASH = 2,		/* Hash Algorithm */
	ISAKMP_P1_AUTH = 3,		/* Authentication Method */
	ISAKMP_P1_GROUP_DESC = 4,	/* Group Description */
	ISAKMP_P1_GROUP_TYPE = 5,
	ISAKMP_P1_GROUP_PRIME = 6,	/* Group Prime/Irreducible Polynomial */
	ISAKMP_P1_GROUP_GEN1 = 7,	/* Group Generator One */
	ISAKMP_P1_GROUP_GEN2 = 8,	/* Group Generator Two */
	ISAKMP_P1_GROUP_CURVE_A = 9,
	ISAKMP_P1_GROUP_CURVE_B = 10,
	ISAKMP_P1_LIFE_TYPE = 11,
	ISAKMP_P1_LIFE_DURATION = 12,
	ISAKMP_P1_PRF = 13,
	ISAKMP_P1_KEY_LENGTH = 14,
	ISAKMP_P1_FIELD_SIZE = 15,
	ISAKMP_P1_GROUP_ORDER = 16,
};

/* Phase 1 encryption algorithms. */
enum isakmp_p1_enc {
	ISAKMP_ENC_DES_CBC = 1,
	ISAKMP_ENC_IDEA_CBC = 2,
	ISAKMP_ENC_BLOWFISH_CBC = 3,
	ISAKMP_ENC_RC5_CBC = 4,
	ISAKMP_ENC_3DES_CBC = 5,
	ISAKMP_ENC_CAST_CBC = 6,
	ISAKMP_ENC_AES_CBC = 7,		/* RFC 3602 */
	ISAKMP_ENC_CAMELLIA_CBC = 8,	/* RFC 4312 */
};

/* Phase 1 hash algorithms. */
enum isakmp_p1_hash {
	ISAKMP_HASH_MD5 = 1,
	ISAKMP_HASH_SHA = 2,
	ISAKMP_HASH_TIGER = 3,
	ISAKMP_HASH_SHA2_256 = 4,
	ISAKMP_HASH_SHA2_384 = 5,
	ISAKMP_HASH_SHA2_512 = 6,
};

/* Phase 1 authentication methods (RFC 2409, RFC 4754). */
enum isakmp_p1_auth {
	ISAKMP_AUTH_PSK = 1,
	ISAKMP_AUTH_DSS_SIG = 2,
	ISAKMP_AUTH_RSA_SIG = 3,
	ISAKMP_AUTH_RSA_ENC = 4,
	ISAKMP_AUTH_RSA_ENC_REV = 5,
	ISAKMP_AUTH_ECDSA_SHA256_P256 = 9,
	ISAKMP_AUTH_ECDSA_SHA384_P384 = 10,
	ISAKMP_AUTH_ECDSA_SHA512_P521 = 11,
	/* XAUTH methods, draft-ietf-ipsec-isakmp-xauth, named for display. */
	ISAKMP_AUTH_XAUTH_INIT_PSK = 65001,
	ISAKMP_AUTH_XAUTH_RESP_PSK = 65002,
	ISAKMP_AUTH_XAUTH_INIT_RSA = 65005,
	ISAKMP_AUTH_XAUTH_RESP_RSA = 65006,
};

/* Group descriptions (RFC 2409, RFC 3526, RFC 5903, RFC 5114, RFC 6932). */
enum isakmp_group {
	ISAKMP_GROUP_MODP_768 = 1,
	ISAKMP_GROUP_MODP_1024 = 2,
	ISAKMP_GROUP_EC2N_155 = 3,
	ISAKMP_GROUP_EC2N_185 = 4,
	ISAKMP_GROUP_MODP_1536 = 5,
	ISAKMP_GROUP_MODP_2048 = 14,
	ISAKMP_GROUP_MODP_3072 = 15,
	ISAKMP_GROUP_MODP_4096 = 16,
	ISAKMP_GROUP_MODP_6144 = 17,
	ISAKMP_GROUP_MODP_8192 = 18,
	ISAKMP_GROUP_ECP_256 = 19,
	ISAKMP_GROUP_ECP_384 = 20,
	ISAKMP_GROUP_ECP_521 = 21,
	ISAKMP_GROUP_MODP_1024_S160 = 22,
	ISAKMP_GROUP_MODP_2048_S224 = 23,
	ISAKMP_GROUP_MODP_2048_S256 = 24,
	ISAKMP_GROUP_ECP_192 = 25,
	ISAKMP_GROUP_ECP_224 = 26,
	ISAKMP_GROUP_BRAINPOOL_224 = 27,
	ISAKMP_GROUP_BRAINPOOL_256 = 28,
	ISAKMP_GROUP_BRAINPOOL_384 = 29,
	ISAKMP_GROUP_BRAINPOOL_512 = 30,
};

/* Group types. */
#define ISAKMP_GROUP_TYPE_MODP	1
#define ISAKMP_GROUP_TYPE_ECP	2
#define ISAKMP_GROUP_TYPE_EC2N	3

/* Life types, in Phase 1 and Phase 2. */
#define ISAKMP_LIFE_SECONDS	1
#define ISAKMP_LIFE_KILOBYTES	2

/* Phase 2 attribute types (RFC 2407 4.5, RFC 4304). */
enum isakmp_p2_attr {
	ISAKMP_P2_LIFE_TYPE = 1,
	ISAKMP_P2_LIFE_DURATION = 2,
	ISAKMP_P2_GROUP_DESC = 3,
	ISAKMP_P2_ENCAP_MODE = 4,
	ISAKMP_P2_AUTH_ALG = 5,
	ISAKMP_P2_KEY_LENGTH = 6,
	ISAKMP_P2_KEY_ROUNDS = 7,
	ISAKMP_P2_COMP_DICT_SIZE = 8,
	ISAKMP_P2_COMP_PRIV_ALG = 9,
	ISAKMP_P2_ECN_TUNNEL = 10,	/* RFC 3168 */
	ISAKMP_P2_EXT_SEQ = 11,		/* RFC 4304 */
};

/* Encapsulation modes (RFC 2407, RFC 3947, NAT-T drafts). */
enum isakmp_encap {
	ISAKMP_ENCAP_TUNNEL = 1,
	ISAKMP_ENCAP_TRANSPORT = 2,
	ISAKMP_ENCAP_UDP_TUNNEL = 3,
	ISAKMP_ENCAP_UDP_TRANSPORT = 4,
	ISAKMP_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

/* Phase 2 authentication algorithms (RFC 2407 4.5, RFC 4868, RFC 4543). */
enum isakmp_auth_alg {
	ISAKMP_AUTH_ALG_HMAC_MD5 = 1,
	ISAKMP_AUTH_ALG_HMAC_SHA = 2,
	ISAKMP_AUTH_ALG_DES_MAC = 3,
	ISAKMP_AUTH_ALG_KPDK = 4,
	ISAKMP_AUTH_ALG_HMAC_SHA2_256 = 5,
	ISAKMP_AUTH_ALG_HMAC_SHA2_384 = 6,
	ISAKMP_AUTH_ALG_HMAC_SHA2_512 = 7,
	ISAKMP_AUTH_ALG_HMAC_RIPEMD = 8,
	ISAKMP_AUTH_ALG_AES_XCBC_MAC = 9,
	ISAKMP_AUTH_ALG_SIG_RSA = 10,
	ISAKMP_AUTH_ALG_AES_128_GMAC = 11,
	ISAKMP_AUTH_ALG_AES_192_GMAC = 12,
	ISAKMP_AUTH_ALG_AES_256_GMAC = 13,
};

/* Extended sequence number attribute value (RFC 4304). */
#define ISAKMP_EXT_SEQ_64	1

const char	*isakmp_payload_name(uint8_t);
const char	*isakmp_exchange_name(uint8_t);
const char	*isakmp_doi_name(uint32_t);
const char	*isakmp_proto_name(uint8_t);
const char	*isakmp_transform_id_name(uint8_t proto, uint8_t id);
const char	*isakmp_notify_name(uint16_t);
const char	*isakmp_id_type_name(uint8_t);
const char	*isakmp_cert_encoding_name(uint8_t);
const char	*isakmp_attr_name(enum isakmp_attr_class, uint16_t type);

/*
 * Name of an attribute value for attributes whose values are enumerated
 * (algorithms, groups, life type, encapsulation mode...).  Returns NULL
 * for attributes whose value is a number (Life-Duration, Key-Length) or
 * a byte string (Group-Prime).
 */
const char	*isakmp_attr_value_name(enum isakmp_attr_class, uint16_t type,
		    uint64_t value);

/*
 * Name of a well-known Vendor ID (NAT-T RFC 3947 and drafts 00 to 03,
 * RFC 3706 DPD, XAUTH, Cisco Unity, strongSwan...), or NULL when the bytes
 * match none exactly.
 */
const char	*isakmp_vendor_name(const uint8_t *vid, size_t len);

/* Attribute class of the transforms of a protocol ID. */
enum isakmp_attr_class isakmp_proto_attr_class(uint8_t proto);

/*
 * Whether a payload type may appear in a payload chain: 1 for every type
 * this parser decodes (including the NAT-T draft numbers), 0 for
 * unassigned and private-use types, which RFC 2408 5.2 answers with
 * INVALID-PAYLOAD-TYPE.  Proposal and Transform only nest inside an SA
 * payload and give 0.
 */
int		 isakmp_payload_known(uint8_t);

/*
 * Whether an attribute is variable length by definition (the "V" of
 * RFC 2409 Appendix A and RFC 2407 4.5).  Such an attribute may use the
 * TLV form, while the others ("B", basic) must use the TV form.
 */
int		 isakmp_attr_is_variable(enum isakmp_attr_class, uint16_t type);

/*
 * Whether an attribute value is an integer (every basic attribute, and
 * Life-Duration) rather than a byte string (Group-Prime, Group-Order ...).
 */
int		 isakmp_attr_is_integer(enum isakmp_attr_class, uint16_t type);

#endif /* IKED_ISAKMP_H */
