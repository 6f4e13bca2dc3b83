/*
 * The IPsec algorithm table of /etc/inet/ipsecalgs: AH and ESP algorithm
 * numbers (the IPsec DOI transform ids of RFC 2407 section 4.4.5 and the
 * IANA registry), their names and key sizes.  ipsecinit.conf names
 * algorithms through this table; the kernel backends map the numbers to
 * their own algorithms.
 */
#ifndef IKED_IPSECALGS_H
#define IKED_IPSECALGS_H

#include <stdint.h>

enum ipsecalgs_proto {
	IPSECALGS_AH = 2,
	IPSECALGS_ESP = 3,
};

#define IPSECALGS_ANY		0	/* "any": the peer picks */

/* AH (and ESP integrity) algorithm numbers. */
#define IPSECALGS_AUTH_HMAC_MD5		2
#define IPSECALGS_AUTH_HMAC_SHA1	3
#define IPSECALGS_AUTH_HMAC_SHA256	5
#define IPSECALGS_AUTH_HMAC_SHA384	6
#define IPSECALGS_AUTH_HMAC_SHA512	7

/* ESP encryption algorithm numbers. */
#define IPSECALGS_ENCR_DES		2
#define IPSECALGS_ENCR_3DES		3
#define IPSECALGS_ENCR_BLOWFISH		7
#define IPSECALGS_ENCR_NULL		11
#define IPSECALGS_ENCR_AES		12
#define IPSECALGS_ENCR_AES_CCM8		14
#define IPSECALGS_ENCR_AES_CCM12	15
#define IPSECALGS_ENCR_AES_CCM16	16
#define IPSECALGS_ENCR_AES_GCM8		18
#define IPSECALGS_ENCR_AES_GCM12	19
#define IPSECALGS_ENCR_AES_GCM16	20

#define IPSECALGS_MAX_NAMES	7

struct ipsecalgs_alg {
	uint8_t		 ia_proto;	/* enum ipsecalgs_proto */
	uint8_t		 ia_id;
	const char	*ia_names[IPSECALGS_MAX_NAMES]; /* first is canonical */
	uint16_t	 ia_key_default;	/* bits; 0 = no key */
	uint16_t	 ia_key_min;
	uint16_t	 ia_key_max;
	uint16_t	 ia_key_step;	/* 0 = only the default size */
	uint8_t		 ia_mac_len;	/* ICV bytes (AH and ESP integrity) */
};

/* Look up by name (case-insensitive) or by number; NULL when unknown. */
const struct ipsecalgs_alg *ipsecalgs_find_name(int proto, const char *);
const struct ipsecalgs_alg *ipsecalgs_find_id(int proto, int id);
/* Whether bits is a valid key size of alg. */
int	ipsecalgs_key_valid(const struct ipsecalgs_alg *, unsigned int bits);
/* Call fn for each algorithm of proto, in table order. */
void	ipsecalgs_foreach(int proto,
	    void (*fn)(const struct ipsecalgs_alg *, void *), void *arg);

#endif /* IKED_IPSECALGS_H */
