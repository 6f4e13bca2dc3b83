/*
 * NAT traversal for IKEv1 (RFC 3947, and the drafts peers still speak):
 * the Vendor IDs that announce it, NAT discovery, the move to port 4500
 * and keepalives (RFC 3948 section 4).  Also the DPD Vendor ID
 * (RFC 3706), sent with the NAT-T ones.
 */
#include <string.h>

#include "crypto/hash.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

#define IKE_VID_LEN	16

struct ike_vid {
	uint8_t			 v_id[IKE_VID_LEN];
	enum ike_natt_kind	 v_kind;
	int			 v_send;
	const char		*v_name;
};

/* MD5 of the names below (RFC 3947 section 3.1, the drafts' 3.1). */
static const struct ike_vid ike_natt_vids[] = {
	{ { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57,
	    0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f }, IKE_NATT_RFC, 1,
	    "RFC 3947" },
	{ { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17,
	    0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 }, IKE_NATT_DRAFT, 1,
	    "draft-ietf-ipsec-nat-t-ike-03" },
	{ { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd,
	    0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 }, IKE_NATT_DRAFT, 1,
	    "draft-ietf-ipsec-nat-t-ike-02" },
	{ { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63,
	    0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f }, IKE_NATT_DRAFT, 1,
	    "draft-ietf-ipsec-nat-t-ike-02\\n" },
	{ { 0x99, 0x09, 0xb6, 0x4e, 0xed, 0x93, 0x7c, 0x65, 0x73, 0xde,
	    0x52, 0xac, 0xe9, 0x52, 0xfa, 0x6b }, IKE_NATT_DRAFT, 0,
	    "draft-ietf-ipsec-nat-t-ike-04" },
	{ { 0x80, 0xd0, 0xbb, 0x3d, 0xef, 0x54, 0x56, 0x5e, 0xe8, 0x46,
	    0x45, 0xd4, 0xc8, 0x5c, 0xe3, 0xee }, IKE_NATT_DRAFT, 0,
	    "draft-ietf-ipsec-nat-t-ike-05" },
	{ { 0x4d, 0x1e, 0x0e, 0x13, 0x6d, 0xea, 0xfa, 0x34, 0xc4, 0xf3,
	    0xea, 0x9f, 0x02, 0xec, 0x72, 0x85 }, IKE_NATT_DRAFT, 0,
	    "draft-ietf-ipsec-nat-t-ike-06" },
	{ { 0x43, 0x9b, 0x59, 0xf8, 0xba, 0x67, 0x6c, 0x4c, 0x77, 0x37,
	    0xae, 0x22, 0xea, 0xb8, 0xf5, 0x82 }, IKE_NATT_DRAFT, 0,
	    "draft-ietf-ipsec-nat-t-ike-07" },
	{ { 0x8f, 0x8d, 0x83, 0x82, 0x6d, 0x24, 0x6b, 0x6f, 0xc7, 0xa8,
	    0xa6, 0xa4, 0x28, 0xc1, 0x1d, 0xe8 }, IKE_NATT_DRAFT, 0,
	    "draft-ietf-ipsec-nat-t-ike-08" },
};

/* RFC 3706 section 7: 0xafcad71368a1f1c96b8696fc7757, version 1.0. */
static const uint8_t ike_dpd_vid[IKE_VID_LEN] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86,
	0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

int
ike_natt_add_vids(struct isakmp_builder *b)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; i < UTIL_NELEM(ike_natt_vids); i++)
		if (ike_natt_vids[i].v_send)
			rc = isakmp_build_data(b, ISAKMP_PL_VID,
			    ike_natt_vids[i].v_id, IKE_VID_LEN);
	if (rc == 0)
		rc = isakmp_build_data(b, ISAKMP_PL_VID, ike_dpd_vid,
		    IKE_VID_LEN);
	return (rc);
}

/* Note the peer's NAT-T flavour (RFC 3947 preferred) and DPD support. */
void
ike_natt_parse_vids(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*pl;
	size_t				 i = 0, k;

	while ((pl = isakmp_msg_find(msg, ISAKMP_PL_VID, i)) != NULL) {
		i = (size_t)(pl - msg->m_payloads) + 1;
		if (pl->pl_u.data.len != IKE_VID_LEN)
			continue;
		if (memcmp(pl->pl_u.data.data, ike_dpd_vid, IKE_VID_LEN) == 0)
			p1->p1_peer_dpd = 1;
		for (k = 0; k < UTIL_NELEM(ike_natt_vids); k++) {
			if (memcmp(pl->pl_u.data.data, ike_natt_vids[k].v_id,
			    IKE_VID_LEN) != 0)
				continue;
			log_debug(D_P1, "ISAKMP SA %s: peer %s supports NAT-T "
			    "(%s)", p1->p1_cookies, p1->p1_peer,
			    ike_natt_vids[k].v_name);
			if (ike_natt_vids[k].v_kind > p1->p1_natt)
				p1->p1_natt = ike_natt_vids[k].v_kind;
		}
	}
}

uint8_t
ike_natt_natd_type(const struct ike_p1 *p1)
{
	return (p1->p1_natt == IKE_NATT_RFC ? ISAKMP_PL_NAT_D :
	    ISAKMP_PL_NAT_D_DRAFT);
}

uint8_t
ike_natt_natoa_type(const struct ike_p1 *p1)
{
	return (p1->p1_natt == IKE_NATT_RFC ? ISAKMP_PL_NAT_OA :
	    ISAKMP_PL_NAT_OA_DRAFT);
}

/* Encapsulation Mode for Quick Mode: RFC 3947 section 5.1 or the drafts. */
uint16_t
ike_natt_encap_mode(const struct ike_p1 *p1, int tunnel)
{
	if (!p1->p1_floated)
		return (tunnel ? ISAKMP_ENCAP_TUNNEL : ISAKMP_ENCAP_TRANSPORT);
	if (p1->p1_natt == IKE_NATT_RFC)
		return (tunnel ? ISAKMP_ENCAP_UDP_TUNNEL :
		    ISAKMP_ENCAP_UDP_TRANSPORT);
	return (tunnel ? ISAKMP_ENCAP_UDP_TUNNEL_DRAFT :
	    ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT);
}

/* HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash (RFC 3947 3.2). */
static int
ike_natt_hash(const struct ike_p1 *p1, const struct sockaddr_storage *ss,
    uint8_t *out, size_t *outlen)
{
	struct config_ip	 ip;
	struct hash_ctx		*ctx = NULL;
	uint8_t			 port[2];
	size_t			 alen;
	int			 rc, p = ike_addr_port(ss);

	if ((rc = config_ip_from_sockaddr(&ip, ss)) != 0)
		return (rc);
	alen = ip.family == AF_INET ? 4 : 16;
	port[0] = p >> 8;
	port[1] = p & 0xff;
	*outlen = hash_length(p1->p1_hash);
	if ((rc = hash_init(&ctx, p1->p1_hash)) != 0)
		return (rc);
	if ((rc = hash_update(ctx, p1->p1_icookie, ISAKMP_COOKIE_LEN)) == 0 &&
	    (rc = hash_update(ctx, p1->p1_rcookie, ISAKMP_COOKIE_LEN)) == 0 &&
	    (rc = hash_update(ctx, ip.addr, alen)) == 0 &&
	    (rc = hash_update(ctx, port, 2)) == 0)
		rc = hash_final(ctx, out, HASH_MAX_LEN);
	hash_free(ctx);
	return (rc);
}

/* The NAT-D pair of MM3/MM4: the peer's address first, then ours. */
int
ike_natt_add_natd(struct ike_p1 *p1, struct isakmp_builder *b)
{
	uint8_t	h[HASH_MAX_LEN];
	size_t	len;
	int	rc;

	if (p1->p1_natt == IKE_NATT_NONE)
		return (0);
	if ((rc = ike_natt_hash(p1, &p1->p1_remote, h, &len)) != 0 ||
	    (rc = isakmp_build_data(b, ike_natt_natd_type(p1), h, len)) != 0 ||
	    (rc = ike_natt_hash(p1, &p1->p1_local, h, &len)) != 0)
		return (rc);
	return (isakmp_build_data(b, ike_natt_natd_type(p1), h, len));
}

/*
 * Compare the peer's NAT-D payloads with the addresses we see (RFC 3947
 * section 3.2): the first is our address as the peer sent to it, the
 * others are the peer's own.  A mismatch on either side means a NAT.
 * A peer that fakes a NAT to force UDP encapsulation (strongSwan with
 * kernel-libipsec) is therefore treated as being behind one.
 */
int
ike_natt_check_natd(struct ike_p1 *p1, const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*pl;
	uint8_t				 ours[HASH_MAX_LEN],
					 theirs[HASH_MAX_LEN];
	size_t				 len, i, n = 0;
	int				 rc, remote_ok = 0;

	if (p1->p1_natt == IKE_NATT_NONE)
		return (0);
	if ((rc = ike_natt_hash(p1, &p1->p1_local, ours, &len)) != 0 ||
	    (rc = ike_natt_hash(p1, &p1->p1_remote, theirs, &len)) != 0)
		return (rc);
	for (i = 0; i < msg->m_npayloads; i++) {
		pl = &msg->m_payloads[i];
		if (pl->pl_type != ISAKMP_PL_NAT_D &&
		    pl->pl_type != ISAKMP_PL_NAT_D_DRAFT &&
		    pl->pl_type != ISAKMP_PL_NAT_D_OLD)
			continue;
		if (n++ == 0) {
			p1->p1_nat_local = pl->pl_u.data.len != len ||
			    memcmp(pl->pl_u.data.data, ours, len) != 0;
			continue;
		}
		if (pl->pl_u.data.len == len &&
		    memcmp(pl->pl_u.data.data, theirs, len) == 0)
			remote_ok = 1;
	}
	if (n == 0) {
		/* NAT-T announced but no NAT-D: no NAT handling. */
		p1->p1_natt = IKE_NATT_NONE;
		return (0);
	}
	p1->p1_nat_remote = !remote_ok;
	log_debug(D_P1, "ISAKMP SA %s: NAT discovery with %s: %s, %s",
	    p1->p1_cookies, p1->p1_peer,
	    p1->p1_nat_local ? "we are behind a NAT" : "no NAT on our side",
	    p1->p1_nat_remote ? "the peer is behind a NAT" :
	    "no NAT on the peer's side");
	return (0);
}

/*
 * Move IKE to port 4500 when NAT-T is negotiated and a NAT was found
 * (RFC 3947 section 4), and start keepalives when we are behind it.
 */
void
ike_natt_float(struct ike_p1 *p1)
{
	if (p1->p1_natt == IKE_NATT_NONE ||
	    (!p1->p1_nat_local && !p1->p1_nat_remote))
		return;
	if (!p1->p1_floated) {
		p1->p1_floated = 1;
		if (p1->p1_initiator) {
			ike_addr_set_port(&p1->p1_local, IKE_NATT_PORT);
			if (ike_addr_port(&p1->p1_remote) == IKE_PORT)
				ike_addr_set_port(&p1->p1_remote,
				    IKE_NATT_PORT);
			ike_addr_str(&p1->p1_remote, p1->p1_peer,
			    sizeof(p1->p1_peer));
		}
	}
	if (p1->p1_nat_local && p1->p1_keepalive == 0)
		p1->p1_keepalive = p1->p1_eng->e_now + IKE_KEEPALIVE_MS;
}

void
ike_natt_keepalive(struct ike_p1 *p1, uint64_t now)
{
	struct ike_engine	*eng = p1->p1_eng;

	if (p1->p1_keepalive == 0 || now < p1->p1_keepalive)
		return;
	p1->p1_keepalive = now + IKE_KEEPALIVE_MS;
	if (eng->e_host.ih_send_keepalive == NULL ||
	    ike_addr_port(&p1->p1_local) != IKE_NATT_PORT)
		return;
	(void)eng->e_host.ih_send_keepalive(eng->e_arg, &p1->p1_local,
	    &p1->p1_remote);
}
