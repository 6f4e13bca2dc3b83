/*
 * Names of ISAKMP constants, spelled as Wireshark's ISAKMP dissector
 * prints them so that debug output can be compared with tshark.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "isakmp/isakmp.h"
#include "lib/util.h"

struct isakmp_name {
	uint32_t	 value;
	const char	*name;
};

static const char	unknown[] = "Unknown";
static const char	private_use[] = "Private use";

static const char *
isakmp_lookup(const struct isakmp_name *tab, size_t n, uint32_t value)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (tab[i].value == value)
			return (tab[i].name);
	return (NULL);
}

#define LOOKUP(tab, v)	isakmp_lookup((tab), UTIL_NELEM(tab), (v))

static const struct isakmp_name payload_names[] = {
	{ ISAKMP_PL_NONE, "NONE / No Next Payload" },
	{ ISAKMP_PL_SA, "Security Association" },
	{ ISAKMP_PL_P, "Proposal" },
	{ ISAKMP_PL_T, "Transform" },
	{ ISAKMP_PL_KE, "Key Exchange" },
	{ ISAKMP_PL_ID, "Identification" },
	{ ISAKMP_PL_CERT, "Certificate" },
	{ ISAKMP_PL_CR, "Certificate Request" },
	{ ISAKMP_PL_HASH, "Hash" },
	{ ISAKMP_PL_SIG, "Signature" },
	{ ISAKMP_PL_NONCE, "Nonce" },
	{ ISAKMP_PL_N, "Notification" },
	{ ISAKMP_PL_D, "Delete" },
	{ ISAKMP_PL_VID, "Vendor ID" },
	{ ISAKMP_PL_NAT_D_OLD, "NAT-D (draft-ietf-ipsec-nat-t-ike-01)" },
	{ ISAKMP_PL_NAT_D, "NAT-D (RFC 3947)" },
	{ ISAKMP_PL_NAT_OA, "NAT-OA (RFC 3947)" },
	{ ISAKMP_PL_NAT_D_DRAFT,
	  "NAT-D (draft-ietf-ipsec-nat-t-ike-01 to 03)" },
	{ ISAKMP_PL_NAT_OA_DRAFT,
	  "NAT-OA (draft-ietf-ipsec-nat-t-ike-01 to 04)" },
};

const char *
isakmp_payload_name(uint8_t type)
{
	const char	*s;

	if ((s = LOOKUP(payload_names, type)) != NULL)
		return (s);
	return (type >= 128 ? private_use : unknown);
}

int
isakmp_payload_known(uint8_t type)
{
	if (type == ISAKMP_PL_NONE || type == ISAKMP_PL_P ||
	    type == ISAKMP_PL_T)
		return (0);
	return (LOOKUP(payload_names, type) != NULL);
}

static const struct isakmp_name exchange_names[] = {
	{ ISAKMP_EX_NONE, "NONE" },
	{ ISAKMP_EX_BASE, "Base" },
	{ ISAKMP_EX_IDPROT, "Identity Protection (Main Mode)" },
	{ ISAKMP_EX_AUTH_ONLY, "Authentication Only" },
	{ ISAKMP_EX_AGGRESSIVE, "Aggressive" },
	{ ISAKMP_EX_INFO, "Informational" },
	{ ISAKMP_EX_TRANSACTION, "Transaction (Config Mode)" },
	{ ISAKMP_EX_QUICK, "Quick Mode" },
	{ ISAKMP_EX_NEW_GROUP, "New Group Mode" },
};

const char *
isakmp_exchange_name(uint8_t type)
{
	const char	*s;

	if ((s = LOOKUP(exchange_names, type)) != NULL)
		return (s);
	if (type >= 240)
		return (private_use);
	if (type >= 34)
		return ("DOI Specific Use");
	return (unknown);
}

const char *
isakmp_doi_name(uint32_t doi)
{
	if (doi == ISAKMP_DOI_ISAKMP)
		return ("ISAKMP");
	if (doi == ISAKMP_DOI_IPSEC)
		return ("IPSEC");
	return (unknown);
}

static const struct isakmp_name proto_names[] = {
	{ ISAKMP_PROTO_ISAKMP, "ISAKMP" },
	{ ISAKMP_PROTO_AH, "IPSEC_AH" },
	{ ISAKMP_PROTO_ESP, "IPSEC_ESP" },
	{ ISAKMP_PROTO_IPCOMP, "IPCOMP" },
};

const char *
isakmp_proto_name(uint8_t proto)
{
	const char	*s;

	if ((s = LOOKUP(proto_names, proto)) != NULL)
		return (s);
	return (proto >= 249 ? private_use : unknown);
}

enum isakmp_attr_class
isakmp_proto_attr_class(uint8_t proto)
{
	return (proto == ISAKMP_PROTO_ISAKMP ? ISAKMP_ATTR_CLASS_P1 :
	    ISAKMP_ATTR_CLASS_P2);
}

static const struct isakmp_name ah_names[] = {
	{ ISAKMP_AH_MD5, "AH_MD5" },
	{ ISAKMP_AH_SHA, "AH_SHA" },
	{ ISAKMP_AH_DES, "AH_DES" },
	{ ISAKMP_AH_SHA2_256, "AH_SHA2_256" },
	{ ISAKMP_AH_SHA2_384, "AH_SHA2_384" },
	{ ISAKMP_AH_SHA2_512, "AH_SHA2_512" },
};

static const struct isakmp_name esp_names[] = {
	{ ISAKMP_ESP_DES_IV64, "ESP_DES_IV64" },
	{ ISAKMP_ESP_DES, "ESP_DES" },
	{ ISAKMP_ESP_3DES, "ESP_3DES" },
	{ ISAKMP_ESP_RC5, "ESP_RC5" },
	{ ISAKMP_ESP_IDEA, "ESP_IDEA" },
	{ ISAKMP_ESP_CAST, "ESP_CAST" },
	{ ISAKMP_ESP_BLOWFISH, "ESP_BLOWFISH" },
	{ ISAKMP_ESP_3IDEA, "ESP_3IDEA" },
	{ ISAKMP_ESP_DES_IV32, "ESP_DES_IV32" },
	{ ISAKMP_ESP_RC4, "ESP_RC4" },
	{ ISAKMP_ESP_NULL, "ESP_NULL" },
	{ ISAKMP_ESP_AES_CBC, "ESP_AES" },
	{ ISAKMP_ESP_AES_CTR, "ESP_AES-CTR" },
	{ ISAKMP_ESP_AES_CCM_8, "ESP_AES-CCM_8" },
	{ ISAKMP_ESP_AES_CCM_12, "ESP_AES-CCM_12" },
	{ ISAKMP_ESP_AES_CCM_16, "ESP_AES-CCM_16" },
	{ ISAKMP_ESP_AES_GCM_8, "ESP_AES-GCM_8" },
	{ ISAKMP_ESP_AES_GCM_12, "ESP_AES-GCM_12" },
	{ ISAKMP_ESP_AES_GCM_16, "ESP_AES-GCM_16" },
	{ ISAKMP_ESP_NULL_AUTH_AES_GMAC, "ESP_NULL_AUTH_AES-GMAC" },
};

static const struct isakmp_name ipcomp_names[] = {
	{ ISAKMP_IPCOMP_OUI, "IPCOMP_OUI" },
	{ ISAKMP_IPCOMP_DEFLATE, "IPCOMP_DEFLATE" },
	{ ISAKMP_IPCOMP_LZS, "IPCOMP_LZS" },
};

const char *
isakmp_transform_id_name(uint8_t proto, uint8_t id)
{
	const char	*s = NULL;

	switch (proto) {
	case ISAKMP_PROTO_ISAKMP:
		s = id == ISAKMP_XF_KEY_IKE ? "KEY_IKE" : NULL;
		break;
	case ISAKMP_PROTO_AH:
		s = LOOKUP(ah_names, id);
		break;
	case ISAKMP_PROTO_ESP:
		s = LOOKUP(esp_names, id);
		break;
	case ISAKMP_PROTO_IPCOMP:
		s = LOOKUP(ipcomp_names, id);
		break;
	}
	if (s != NULL)
		return (s);
	return (id >= 249 ? private_use : unknown);
}

static const struct isakmp_name notify_names[] = {
	{ ISAKMP_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
	{ ISAKMP_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
	{ ISAKMP_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
	{ ISAKMP_N_INVALID_COOKIE, "INVALID-COOKIE" },
	{ ISAKMP_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
	{ ISAKMP_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION" },
	{ ISAKMP_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
	{ ISAKMP_N_INVALID_FLAGS, "INVALID-FLAGS" },
	{ ISAKMP_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
	{ ISAKMP_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
	{ ISAKMP_N_INVALID_SPI, "INVALID-SPI" },
	{ ISAKMP_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
	{ ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
	{ ISAKMP_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
	{ ISAKMP_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
	{ ISAKMP_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
	{ ISAKMP_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
	{ ISAKMP_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
	{ ISAKMP_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING" },
	{ ISAKMP_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE" },
	{ ISAKMP_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED" },
	{ ISAKMP_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY" },
	{ ISAKMP_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
	{ ISAKMP_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
	{ ISAKMP_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
	{ ISAKMP_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION" },
	{ ISAKMP_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME" },
	{ ISAKMP_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE" },
	{ ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS" },
	{ ISAKMP_N_CONNECTED, "CONNECTED" },
	{ ISAKMP_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
	{ ISAKMP_N_REPLAY_STATUS, "REPLAY-STATUS" },
	{ ISAKMP_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	{ ISAKMP_N_R_U_THERE, "R-U-THERE" },
	{ ISAKMP_N_R_U_THERE_ACK, "R-U-THERE-ACK" },
};

const char *
isakmp_notify_name(uint16_t type)
{
	const char	*s;

	if ((s = LOOKUP(notify_names, type)) != NULL)
		return (s);
	if (type >= 8192 && type <= ISAKMP_N_ERROR_MAX)
		return ("Private Use - Errors");
	if (type >= 32768)
		return ("Private Use - Status");
	return (unknown);
}

static const struct isakmp_name id_type_names[] = {
	{ ISAKMP_ID_IPV4_ADDR, "IPV4_ADDR" },
	{ ISAKMP_ID_FQDN, "FQDN" },
	{ ISAKMP_ID_USER_FQDN, "USER_FQDN" },
	{ ISAKMP_ID_IPV4_ADDR_SUBNET, "IPV4_ADDR_SUBNET" },
	{ ISAKMP_ID_IPV6_ADDR, "IPV6_ADDR" },
	{ ISAKMP_ID_IPV6_ADDR_SUBNET, "IPV6_ADDR_SUBNET" },
	{ ISAKMP_ID_IPV4_ADDR_RANGE, "IPV4_ADDR_RANGE" },
	{ ISAKMP_ID_IPV6_ADDR_RANGE, "IPV6_ADDR_RANGE" },
	{ ISAKMP_ID_DER_ASN1_DN, "DER_ASN1_DN" },
	{ ISAKMP_ID_DER_ASN1_GN, "DER_ASN1_GN" },
	{ ISAKMP_ID_KEY_ID, "KEY_ID" },
};

const char *
isakmp_id_type_name(uint8_t type)
{
	const char	*s;

	if ((s = LOOKUP(id_type_names, type)) != NULL)
		return (s);
	return (type >= 249 ? private_use : unknown);
}

static const struct isakmp_name cert_names[] = {
	{ ISAKMP_CERT_NONE, "NONE" },
	{ ISAKMP_CERT_PKCS7, "PKCS #7 wrapped X.509 certificate" },
	{ ISAKMP_CERT_PGP, "PGP Certificate" },
	{ ISAKMP_CERT_DNS_KEY, "DNS Signed Key" },
	{ ISAKMP_CERT_X509_SIG, "X.509 Certificate - Signature" },
	{ ISAKMP_CERT_X509_KE, "X.509 Certificate - Key Exchange" },
	{ ISAKMP_CERT_KERBEROS, "Kerberos Tokens" },
	{ ISAKMP_CERT_CRL, "Certificate Revocation List (CRL)" },
	{ ISAKMP_CERT_ARL, "Authority Revocation List (ARL)" },
	{ ISAKMP_CERT_SPKI, "SPKI Certificate" },
	{ ISAKMP_CERT_X509_ATTR, "X.509 Certificate - Attribute" },
};

const char *
isakmp_cert_encoding_name(uint8_t enc)
{
	const char	*s;

	if ((s = LOOKUP(cert_names, enc)) != NULL)
		return (s);
	return (unknown);
}

static const struct isakmp_name p1_attr_names[] = {
	{ ISAKMP_P1_ENC, "Encryption-Algorithm" },
	{ ISAKMP_P1_HASH, "Hash-Algorithm" },
	{ ISAKMP_P1_AUTH, "Authentication-Method" },
	{ ISAKMP_P1_GROUP_DESC, "Group-Description" },
	{ ISAKMP_P1_GROUP_TYPE, "Group-Type" },
	{ ISAKMP_P1_GROUP_PRIME, "Group-Prime" },
	{ ISAKMP_P1_GROUP_GEN1, "Group-Generator-One" },
	{ ISAKMP_P1_GROUP_GEN2, "Group-Generator-Two" },
	{ ISAKMP_P1_GROUP_CURVE_A, "Group-Curve-A" },
	{ ISAKMP_P1_GROUP_CURVE_B, "Group-Curve-B" },
	{ ISAKMP_P1_LIFE_TYPE, "Life-Type" },
	{ ISAKMP_P1_LIFE_DURATION, "Life-Duration" },
	{ ISAKMP_P1_PRF, "PRF" },
	{ ISAKMP_P1_KEY_LENGTH, "Key-Length" },
	{ ISAKMP_P1_FIELD_SIZE, "Field-Size" },
	{ ISAKMP_P1_GROUP_ORDER, "Group-Order" },
};

static const struct isakmp_name p2_attr_names[] = {
	{ ISAKMP_P2_LIFE_TYPE, "SA-Life-Type" },
	{ ISAKMP_P2_LIFE_DURATION, "SA-Life-Duration" },
	{ ISAKMP_P2_GROUP_DESC, "Group-Description" },
	{ ISAKMP_P2_ENCAP_MODE, "Encapsulation-Mode" },
	{ ISAKMP_P2_AUTH_ALG, "Authentication-Algorithm" },
	{ ISAKMP_P2_KEY_LENGTH, "Key-Length" },
	{ ISAKMP_P2_KEY_ROUNDS, "Key-Rounds" },
	{ ISAKMP_P2_COMP_DICT_SIZE, "Compress-Dictionary-Size" },
	{ ISAKMP_P2_COMP_PRIV_ALG, "Compress-Private-Algorithm" },
	{ ISAKMP_P2_ECN_TUNNEL, "ECN-Tunnel" },
	{ ISAKMP_P2_EXT_SEQ, "Extended-Sequence-Number" },
};

const char *
isakmp_attr_name(enum isakmp_attr_class cls, uint16_t type)
{
	const char	*s;

	if (cls == ISAKMP_ATTR_CLASS_P1)
		s = LOOKUP(p1_attr_names, type);
	else
		s = LOOKUP(p2_attr_names, type);
	if (s != NULL)
		return (s);
	return (type >= 32001 ? private_use : unknown);
}

int
isakmp_attr_is_variable(enum isakmp_attr_class cls, uint16_t type)
{
	if (cls == ISAKMP_ATTR_CLASS_P1) {
		switch (type) {
		case ISAKMP_P1_GROUP_PRIME:
		case ISAKMP_P1_GROUP_GEN1:
		case ISAKMP_P1_GROUP_GEN2:
		case ISAKMP_P1_GROUP_CURVE_A:
		case ISAKMP_P1_GROUP_CURVE_B:
		case ISAKMP_P1_LIFE_DURATION:
		case ISAKMP_P1_GROUP_ORDER:
			return (1);
		}
		return (0);
	}
	return (type == ISAKMP_P2_LIFE_DURATION ||
	    type == ISAKMP_P2_COMP_PRIV_ALG);
}

int
isakmp_attr_is_integer(enum isakmp_attr_class cls, uint16_t type)
{
	if (!isakmp_attr_is_variable(cls, type))
		return (1);
	if (cls == ISAKMP_ATTR_CLASS_P1)
		return (type == ISAKMP_P1_LIFE_DURATION);
	return (type == ISAKMP_P2_LIFE_DURATION);
}

static const struct isakmp_name enc_names[] = {
	{ ISAKMP_ENC_DES_CBC, "DES-CBC" },
	{ ISAKMP_ENC_IDEA_CBC, "IDEA-CBC" },
	{ ISAKMP_ENC_BLOWFISH_CBC, "Blowfish-CBC" },
	{ ISAKMP_ENC_RC5_CBC, "RC5-R16-B64-CBC" },
	{ ISAKMP_ENC_3DES_CBC, "3DES-CBC" },
	{ ISAKMP_ENC_CAST_CBC, "CAST-CBC" },
	{ ISAKMP_ENC_AES_CBC, "AES-CBC" },
	{ ISAKMP_ENC_CAMELLIA_CBC, "CAMELLIA-CBC" },
};

static const struct isakmp_name hash_names[] = {
	{ ISAKMP_HASH_MD5, "MD5" },
	{ ISAKMP_HASH_SHA, "SHA" },
	{ ISAKMP_HASH_TIGER, "TIGER" },
	{ ISAKMP_HASH_SHA2_256, "SHA2-256" },
	{ ISAKMP_HASH_SHA2_384, "SHA2-384" },
	{ ISAKMP_HASH_SHA2_512, "SHA2-512" },
};

static const struct isakmp_name auth_names[] = {
	{ ISAKMP_AUTH_PSK, "Pre-shared key" },
	{ ISAKMP_AUTH_DSS_SIG, "DSS signatures" },
	{ ISAKMP_AUTH_RSA_SIG, "RSA signatures" },
	{ ISAKMP_AUTH_RSA_ENC, "Encryption with RSA" },
	{ ISAKMP_AUTH_RSA_ENC_REV, "Revised encryption with RSA" },
	{ ISAKMP_AUTH_ECDSA_SHA256_P256,
	  "ECDSA with SHA-256 on the P-256 curve" },
	{ ISAKMP_AUTH_ECDSA_SHA384_P384,
	  "ECDSA with SHA-384 on the P-384 curve" },
	{ ISAKMP_AUTH_ECDSA_SHA512_P521,
	  "ECDSA with SHA-512 on the P-521 curve" },
	{ ISAKMP_AUTH_XAUTH_INIT_PSK, "XAUTHInitPreShared" },
	{ ISAKMP_AUTH_XAUTH_RESP_PSK, "XAUTHRespPreShared" },
	{ ISAKMP_AUTH_XAUTH_INIT_RSA, "XAUTHInitRSA" },
	{ ISAKMP_AUTH_XAUTH_RESP_RSA, "XAUTHRespRSA" },
};

static const struct isakmp_name group_names[] = {
	{ ISAKMP_GROUP_MODP_768, "Default 768-bit MODP group" },
	{ ISAKMP_GROUP_MODP_1024, "Alternate 1024-bit MODP group" },
	{ ISAKMP_GROUP_EC2N_155, "EC2N group on GP[2^155]" },
	{ ISAKMP_GROUP_EC2N_185, "EC2N group on GP[2^185]" },
	{ ISAKMP_GROUP_MODP_1536, "1536 bit MODP group" },
	{ ISAKMP_GROUP_MODP_2048, "2048 bit MODP group" },
	{ ISAKMP_GROUP_MODP_3072, "3072 bit MODP group" },
	{ ISAKMP_GROUP_MODP_4096, "4096 bit MODP group" },
	{ ISAKMP_GROUP_MODP_6144, "6144 bit MODP group" },
	{ ISAKMP_GROUP_MODP_8192, "8192 bit MODP group" },
	{ ISAKMP_GROUP_ECP_256, "256-bit random ECP group" },
	{ ISAKMP_GROUP_ECP_384, "384-bit random ECP group" },
	{ ISAKMP_GROUP_ECP_521, "521-bit random ECP group" },
	{ ISAKMP_GROUP_MODP_1024_S160,
	  "1024-bit MODP Group with 160-bit Prime Order Subgroup" },
	{ ISAKMP_GROUP_MODP_2048_S224,
	  "2048-bit MODP Group with 224-bit Prime Order Subgroup" },
	{ ISAKMP_GROUP_MODP_2048_S256,
	  "2048-bit MODP Group with 256-bit Prime Order Subgroup" },
	{ ISAKMP_GROUP_ECP_192, "192-bit Random ECP Group" },
	{ ISAKMP_GROUP_ECP_224, "224-bit Random ECP Group" },
	{ ISAKMP_GROUP_BRAINPOOL_224, "224-bit Brainpool ECP group" },
	{ ISAKMP_GROUP_BRAINPOOL_256, "256-bit Brainpool ECP group" },
	{ ISAKMP_GROUP_BRAINPOOL_384, "384-bit Brainpool ECP group" },
	{ ISAKMP_GROUP_BRAINPOOL_512, "512-bit Brainpool ECP group" },
};

static const struct isakmp_name group_type_names[] = {
	{ ISAKMP_GROUP_TYPE_MODP, "MODP" },
	{ ISAKMP_GROUP_TYPE_ECP, "ECP" },
	{ ISAKMP_GROUP_TYPE_EC2N, "EC2N" },
};

static const struct isakmp_name life_names[] = {
	{ ISAKMP_LIFE_SECONDS, "Seconds" },
	{ ISAKMP_LIFE_KILOBYTES, "Kilobytes" },
};

static const struct isakmp_name encap_names[] = {
	{ ISAKMP_ENCAP_TUNNEL, "Tunnel" },
	{ ISAKMP_ENCAP_TRANSPORT, "Transport" },
	{ ISAKMP_ENCAP_UDP_TUNNEL, "UDP-Encapsulated-Tunnel" },
	{ ISAKMP_ENCAP_UDP_TRANSPORT, "UDP-Encapsulated-Transport" },
	{ ISAKMP_ENCAP_UDP_TUNNEL_DRAFT,
	  "UDP-Encapsulated-Tunnel (draft)" },
	{ ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT,
	  "UDP-Encapsulated-Transport (draft)" },
};

static const struct isakmp_name auth_alg_names[] = {
	{ ISAKMP_AUTH_ALG_HMAC_MD5, "HMAC-MD5" },
	{ ISAKMP_AUTH_ALG_HMAC_SHA, "HMAC-SHA" },
	{ ISAKMP_AUTH_ALG_DES_MAC, "DES-MAC" },
	{ ISAKMP_AUTH_ALG_KPDK, "KPDK" },
	{ ISAKMP_AUTH_ALG_HMAC_SHA2_256, "HMAC-SHA2-256" },
	{ ISAKMP_AUTH_ALG_HMAC_SHA2_384, "HMAC-SHA2-384" },
	{ ISAKMP_AUTH_ALG_HMAC_SHA2_512, "HMAC-SHA2-512" },
	{ ISAKMP_AUTH_ALG_HMAC_RIPEMD, "HMAC-RIPEMD" },
	{ ISAKMP_AUTH_ALG_AES_XCBC_MAC, "AES-XCBC-MAC" },
	{ ISAKMP_AUTH_ALG_SIG_RSA, "SIG-RSA" },
	{ ISAKMP_AUTH_ALG_AES_128_GMAC, "AES-128-GMAC" },
	{ ISAKMP_AUTH_ALG_AES_192_GMAC, "AES-192-GMAC" },
	{ ISAKMP_AUTH_ALG_AES_256_GMAC, "AES-256-GMAC" },
};

static const char *
isakmp_p1_value_name(uint16_t type, uint64_t value)
{
	switch (type) {
	case ISAKMP_P1_ENC:
		return (LOOKUP(enc_names, value));
	case ISAKMP_P1_HASH:
		return (LOOKUP(hash_names, value));
	case ISAKMP_P1_AUTH:
		return (LOOKUP(auth_names, value));
	case ISAKMP_P1_GROUP_DESC:
		return (LOOKUP(group_names, value));
	case ISAKMP_P1_GROUP_TYPE:
		return (LOOKUP(group_type_names, value));
	case ISAKMP_P1_LIFE_TYPE:
		return (LOOKUP(life_names, value));
	}
	return (NULL);
}

static const char *
isakmp_p2_value_name(uint16_t type, uint64_t value)
{
	switch (type) {
	case ISAKMP_P2_LIFE_TYPE:
		return (LOOKUP(life_names, value));
	case ISAKMP_P2_GROUP_DESC:
		return (LOOKUP(group_names, value));
	case ISAKMP_P2_ENCAP_MODE:
		return (LOOKUP(encap_names, value));
	case ISAKMP_P2_AUTH_ALG:
		return (LOOKUP(auth_alg_names, value));
	}
	return (NULL);
}

/* Enumerated attributes whose values have names. */
static int
isakmp_attr_is_enum(enum isakmp_attr_class cls, uint16_t type)
{
	if (cls == ISAKMP_ATTR_CLASS_P1)
		return (type == ISAKMP_P1_ENC || type == ISAKMP_P1_HASH ||
		    type == ISAKMP_P1_AUTH || type == ISAKMP_P1_GROUP_DESC ||
		    type == ISAKMP_P1_GROUP_TYPE ||
		    type == ISAKMP_P1_LIFE_TYPE);
	return (type == ISAKMP_P2_LIFE_TYPE || type == ISAKMP_P2_GROUP_DESC ||
	    type == ISAKMP_P2_ENCAP_MODE || type == ISAKMP_P2_AUTH_ALG);
}

const char *
isakmp_attr_value_name(enum isakmp_attr_class cls, uint16_t type,
    uint64_t value)
{
	const char	*s;

	if (!isakmp_attr_is_enum(cls, type))
		return (NULL);
	if (value > UINT32_MAX)
		return (unknown);
	if (cls == ISAKMP_ATTR_CLASS_P1)
		s = isakmp_p1_value_name(type, value);
	else
		s = isakmp_p2_value_name(type, value);
	if (s != NULL)
		return (s);
	return (value >= 65001 ? private_use : unknown);
}

/* Vendor IDs, each the MD5 hash (or a prefix of it) of a vendor string. */
static const struct isakmp_vendor {
	uint8_t		 v_len;
	uint8_t		 v_id[16];
	const char	*v_name;
} vendors[] = {
	{ 16, { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57,
	    0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f }, "RFC 3947 NAT-T" },
	{ 16, { 0x44, 0x85, 0x15, 0x2d, 0x18, 0xb6, 0xbb, 0xcd, 0x0b, 0xe8,
	    0xa8, 0x46, 0x95, 0x79, 0xdd, 0xcc },
	    "draft-ietf-ipsec-nat-t-ike-00" },
	{ 16, { 0x16, 0xf6, 0xca, 0x16, 0xe4, 0xa4, 0x06, 0x6d, 0x83, 0x82,
	    0x1a, 0x0f, 0x0a, 0xea, 0xa8, 0x62 },
	    "draft-ietf-ipsec-nat-t-ike-01" },
	{ 16, { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd,
	    0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 },
	    "draft-ietf-ipsec-nat-t-ike-02" },
	{ 16, { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63,
	    0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f },
	    "draft-ietf-ipsec-nat-t-ike-02\\n" },
	{ 16, { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17,
	    0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 },
	    "draft-ietf-ipsec-nat-t-ike-03" },
	{ 16, { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86,
	    0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 }, "RFC 3706 DPD" },
	{ 8, { 0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12 }, "XAUTH" },
	{ 16, { 0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d,
	    0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00 }, "Cisco Unity 1.0" },
	{ 16, { 0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7,
	    0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3 }, "Cisco Fragmentation" },
	{ 16, { 0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc, 0x22, 0x51,
	    0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb }, "strongSwan" },
};

const char *
isakmp_vendor_name(const uint8_t *vid, size_t len)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(vendors); i++)
		if (vendors[i].v_len == len &&
		    memcmp(vendors[i].v_id, vid, len) == 0)
			return (vendors[i].v_name);
	return (NULL);
}
