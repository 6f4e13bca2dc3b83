/*
 * Informational exchanges (RFC 2409 section 5.7): Notify and Delete,
 * protected by HASH(1) = prf(SKEYID_a, M-ID | N/D) once an ISAKMP SA
 * exists, and in the clear while Main Mode is still running.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ikev1_kdf.h"
#include "crypto/prf.h"
#include "crypto/rand.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/rbuf.h"
#include "lib/util.h"

static struct log_ratelimit ike_info_rl = LOG_RATELIMIT_INIT(10, 20);

/* With public key encryption, different keys mean a wrong certificate. */
#define IKE_INFO_PKE_HINT	", check that each side has the other's " \
	"current certificate in publickeys and its own private key"

static uint32_t
ike_info_msgid(void)
{
	uint32_t	id = 0;

	while (id == 0)
		if (rand_bytes(&id, sizeof(id)) != 0)
			return (1);
	return (id);
}

/* An unencrypted Notify about the message in hdr, to where it came from. */
int
ike_info_send_notify_clear(struct ike_engine *eng, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr, uint16_t type)
{
	struct isakmp_builder	b;
	struct isakmp_notify	n;
	struct isakmp_hdr	h;
	struct wbuf		wb;
	int			rc;

	memset(&h, 0, sizeof(h));
	memcpy(h.h_icookie, hdr->h_icookie, ISAKMP_COOKIE_LEN);
	memcpy(h.h_rcookie, hdr->h_rcookie, ISAKMP_COOKIE_LEN);
	h.h_major = ISAKMP_VERSION_MAJOR;
	h.h_minor = ISAKMP_VERSION_MINOR;
	h.h_exchange = ISAKMP_EX_INFO;
	h.h_msgid = ike_info_msgid();
	memset(&n, 0, sizeof(n));
	n.n_doi = ISAKMP_DOI_IPSEC;
	n.n_proto = ISAKMP_PROTO_ISAKMP;
	n.n_type = type;
	wbuf_init(&wb, 0);
	isakmp_build_init(&b, &wb, &h);
	isakmp_build_notify(&b, &n);
	if ((rc = isakmp_build_finish(&b)) == 0)
		rc = ike_send_raw(eng, &pk->pk_local, &pk->pk_remote, &wb);
	wbuf_free(&wb);
	log_debug(D_OP, "sent Notify %s to the sender of a message with "
	    "exchange %s", isakmp_notify_name(type),
	    isakmp_exchange_name(hdr->h_exchange));
	return (rc);
}

/*
 * Whether p1 has Phase 1 keys but Main Mode has not finished: MM5 or MM6
 * is on its way.  Informationals then use the keys already, so that the
 * peer can tell an authenticated rejection from a forged one.
 */
int
ike_info_mm_keyed(const struct ike_p1 *p1)
{
	return ((p1->p1_state == IKE_P1_MM_I3 ||
	    p1->p1_state == IKE_P1_MM_R2) && p1->p1_cipher != NULL &&
	    p1->p1_skeyid_a.wb_len > 0);
}

/*
 * The last CBC block of Phase 1 that Phase 2 IVs start from (RFC 2409
 * appendix B).  Before MM6 is through, it is the last block of the
 * latest Main Mode message, as strongSwan and libreswan compute it.
 */
static const uint8_t *
ike_info_last_block(const struct ike_p1 *p1)
{
	if (p1->p1_state == IKE_P1_ESTABLISHED)
		return (p1->p1_last_block);
	return (p1->p1_iv);
}

/* Send HDR*, HASH(1), payload (RFC 2409 5.7) with a fresh M-ID. */
static int
ike_info_send(struct ike_p1 *p1, struct wbuf *body, size_t hash_off,
    uint8_t first)
{
	struct isakmp_hdr	 h;
	struct wbuf		 hash, out, ivb;
	size_t			 hl = prf_length(p1->p1_hash);
	uint8_t			 iv[CIPHER_MAX_BLOCK];
	uint32_t		 msgid;
	int			 rc, tries = 0;

	/*
	 * A fresh ID, but not recorded: a peer may echo it in its answer
	 * (an R-U-THERE-ACK), which must not count as a replay.  The tries
	 * are bounded because ike_info_msgid returns 1 when the random
	 * generator fails.
	 */
	do
		msgid = ike_info_msgid();
	while (ike_mid_used(p1, msgid) && ++tries < 16);
	wbuf_init(&hash, 0);
	wbuf_init(&out, 0);
	wbuf_init(&ivb, 0);
	if ((rc = ikev1_info_hash(p1->p1_hash, p1->p1_skeyid_a.wb_data,
	    p1->p1_skeyid_a.wb_len, msgid, body->wb_data + hash_off + hl,
	    body->wb_len - hash_off - hl, &hash)) != 0 ||
	    (rc = ikev1_phase2_iv(p1->p1_hash, ike_info_last_block(p1),
	    p1->p1_blocklen, msgid, &ivb)) != 0)
		goto out;
	memcpy(body->wb_data + hash_off, hash.wb_data, hl);
	memcpy(iv, ivb.wb_data, p1->p1_blocklen);
	ike_hdr_fill(p1, &h, ISAKMP_EX_INFO, msgid, 1);
	h.h_next = first;
	if ((rc = ike_msg_encrypt(p1, &out, &h, body, iv)) != 0)
		goto out;
	rc = ike_send_raw(p1->p1_eng, &p1->p1_local, &p1->p1_remote, &out);
out:
	wbuf_free(&hash);
	wbuf_free(&out);
	wbuf_free(&ivb);
	return (rc);
}

int
ike_info_send_notify(struct ike_p1 *p1, uint16_t type, uint8_t proto,
    const uint8_t *spi, size_t spi_len)
{
	return (ike_info_send_notify_data(p1, type, proto, spi, spi_len, NULL,
	    0));
}

int
ike_info_send_notify_data(struct ike_p1 *p1, uint16_t type, uint8_t proto,
    const uint8_t *spi, size_t spi_len, const uint8_t *data, size_t len)
{
	struct isakmp_builder	b;
	struct isakmp_notify	n;
	struct wbuf		body;
	size_t			hash_off;
	int			rc;

	if (p1->p1_state != IKE_P1_ESTABLISHED && !ike_info_mm_keyed(p1))
		return (ERR_STATE);
	memset(&n, 0, sizeof(n));
	n.n_doi = ISAKMP_DOI_IPSEC;
	n.n_proto = proto;
	n.n_spi_size = spi_len;
	n.n_spi = spi;
	n.n_type = type;
	n.n_data = data;
	n.n_len = len;
	wbuf_init(&body, 0);
	isakmp_build_init_body(&b, &body);
	isakmp_build_reserve(&b, ISAKMP_PL_HASH, prf_length(p1->p1_hash),
	    &hash_off);
	isakmp_build_notify(&b, &n);
	if ((rc = isakmp_build_finish(&b)) == 0)
		rc = ike_info_send(p1, &body, hash_off, b.b_first);
	wbuf_free(&body);
	log_debug(D_OP, "ISAKMP SA %s: sent Notify %s to %s", p1->p1_cookies,
	    isakmp_notify_name(type), p1->p1_peer);
	return (rc);
}

int
ike_info_send_delete(struct ike_p1 *p1, uint8_t proto, const uint8_t *spis,
    size_t spi_len, size_t nspi)
{
	struct isakmp_builder	b;
	struct isakmp_delete	d;
	struct wbuf		body;
	size_t			hash_off;
	int			rc;

	if (p1->p1_state != IKE_P1_ESTABLISHED)
		return (ERR_STATE);
	memset(&d, 0, sizeof(d));
	d.d_doi = ISAKMP_DOI_IPSEC;
	d.d_proto = proto;
	d.d_spi_size = spi_len;
	d.d_nspi = nspi;
	d.d_spis = spis;
	wbuf_init(&body, 0);
	isakmp_build_init_body(&b, &body);
	isakmp_build_reserve(&b, ISAKMP_PL_HASH, prf_length(p1->p1_hash),
	    &hash_off);
	isakmp_build_delete(&b, &d);
	if ((rc = isakmp_build_finish(&b)) == 0)
		rc = ike_info_send(p1, &body, hash_off, b.b_first);
	wbuf_free(&body);
	log_debug(D_OP, "ISAKMP SA %s: sent Delete for %zu %s SA(s) to %s",
	    p1->p1_cookies, nspi, isakmp_proto_name(proto), p1->p1_peer);
	return (rc);
}

/*
 * R-U-THERE or R-U-THERE-ACK (RFC 3706 section 5.3): the SPI is the
 * cookie pair, the data the 32-bit sequence number.
 */
int
ike_info_send_dpd(struct ike_p1 *p1, uint16_t type, uint32_t seq)
{
	struct isakmp_builder	b;
	struct isakmp_notify	n;
	struct wbuf		body;
	uint8_t			spi[2 * ISAKMP_COOKIE_LEN];
	uint32_t		nseq = htonl(seq);
	size_t			hash_off;
	int			rc;

	if (p1->p1_state != IKE_P1_ESTABLISHED)
		return (ERR_STATE);
	memcpy(spi, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	memset(&n, 0, sizeof(n));
	n.n_doi = ISAKMP_DOI_IPSEC;
	n.n_proto = ISAKMP_PROTO_ISAKMP;
	n.n_spi_size = sizeof(spi);
	n.n_spi = spi;
	n.n_type = type;
	n.n_data = (const uint8_t *)&nseq;
	n.n_len = sizeof(nseq);
	wbuf_init(&body, 0);
	isakmp_build_init_body(&b, &body);
	isakmp_build_reserve(&b, ISAKMP_PL_HASH, prf_length(p1->p1_hash),
	    &hash_off);
	isakmp_build_notify(&b, &n);
	if ((rc = isakmp_build_finish(&b)) == 0)
		rc = ike_info_send(p1, &body, hash_off, b.b_first);
	wbuf_free(&body);
	log_debug(D_OP, "ISAKMP SA %s: sent %s %u to %s", p1->p1_cookies,
	    isakmp_notify_name(type), seq, p1->p1_peer);
	return (rc);
}

/* An ISAKMP SA Delete: the peer may name this SA or another one of its. */
static void
ike_info_delete_p1(struct ike_p1 *p1, const struct isakmp_delete *d)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_p1		*other;
	struct config_ip	 a, b;
	struct rbuf		 rb;
	const uint8_t		*c;
	size_t			 i;

	if (d->d_spi_size != 2 * ISAKMP_COOKIE_LEN) {
		log_warn("ISAKMP SA %s: Delete from %s with an ISAKMP SPI of "
		    "%u bytes instead of 16; ignored", p1->p1_cookies,
		    p1->p1_peer, d->d_spi_size);
		return;
	}
	rbuf_init(&rb, d->d_spis, d->d_nspi * d->d_spi_size);
	for (i = 0; i < d->d_nspi; i++) {
		if (rbuf_get_ptr(&rb, 2 * ISAKMP_COOKIE_LEN, &c) != 0)
			return;
		other = ike_p1_find(eng, c, c + ISAKMP_COOKIE_LEN,
		    &p1->p1_remote);
		/* Only SAs with the same peer: nobody else's. */
		if (other != NULL && (config_ip_from_sockaddr(&a,
		    &other->p1_remote) != 0 || config_ip_from_sockaddr(&b,
		    &p1->p1_remote) != 0 || config_ip_cmp(&a, &b) != 0))
			other = NULL;
		if (other == NULL) {
			log_debug(D_OP, "ISAKMP SA %s: Delete from %s names "
			    "an ISAKMP SA we do not have", p1->p1_cookies,
			    p1->p1_peer);
			continue;
		}
		ike_p1_kill(other, "the peer sent a Delete");
	}
}

/* A Delete whose HASH verified. */
static void
ike_info_delete(struct ike_p1 *p1, const struct isakmp_delete *d)
{
	struct ike_engine	*eng = p1->p1_eng;
	struct ike_child	*ch, *next;
	struct rbuf		 rb;
	uint32_t		 spi;
	size_t			 i;
	int			 found;

	if (d->d_proto == ISAKMP_PROTO_ISAKMP) {
		ike_info_delete_p1(p1, d);
		return;
	}
	if (d->d_proto != ISAKMP_PROTO_ESP || d->d_spi_size != 4) {
		log_warn("ISAKMP SA %s: Delete from %s for %s SAs with %u-byte "
		    "SPIs; only ESP SAs exist here, so it is ignored",
		    p1->p1_cookies, p1->p1_peer, isakmp_proto_name(d->d_proto),
		    d->d_spi_size);
		return;
	}
	rbuf_init(&rb, d->d_spis, d->d_nspi * 4);
	for (i = 0; i < d->d_nspi; i++) {
		if (rbuf_get_u32(&rb, &spi) != 0)
			return;
		found = 0;
		for (ch = ike_child_peer_first_ss(eng, &p1->p1_remote);
		    ch != NULL; ch = next) {
			next = ike_child_peer_next(ch);
			/* The peer names its inbound SA: our outbound one. */
			if (ch->ch_out.sk_spi != spi)
				continue;
			log_info("ISAKMP SA %s: peer %s deleted ESP SPI "
			    "0x%08x", p1->p1_cookies, p1->p1_peer, spi);
			p1->p1_qm_deleted++;
			found = 1;
			ike_child_delete(eng, ch, 0);
		}
		if (!found)
			log_debug(D_OP, "ISAKMP SA %s: Delete from %s for ESP "
			    "SPI 0x%08x, which is not ours or already gone",
			    p1->p1_cookies, p1->p1_peer, spi);
	}
}

/*
 * Whether an error Notify reports that the peer rejected the authentication
 * of Phase 1 (RFC 2408 section 3.14.1): our certificate, signature or
 * HASH.  INVALID-ID-INFORMATION and INVALID-KEY-INFORMATION are not here,
 * because peers also send them about a Quick Mode.
 */
static int
ike_info_p1_auth_error(uint16_t type)
{
	switch (type) {
	case ISAKMP_N_INVALID_CERT_ENCODING:
	case ISAKMP_N_INVALID_CERTIFICATE:
	case ISAKMP_N_CERT_TYPE_UNSUPPORTED:
	case ISAKMP_N_INVALID_CERT_AUTHORITY:
	case ISAKMP_N_INVALID_HASH_INFORMATION:
	case ISAKMP_N_AUTHENTICATION_FAILED:
	case ISAKMP_N_INVALID_SIGNATURE:
	case ISAKMP_N_CERTIFICATE_UNAVAILABLE:
		return (1);
	default:
		return (0);
	}
}

/*
 * The peer rejected our authentication in a Notify protected by p1
 * itself, typically right after our MM6: p1 is of no use to the peer,
 * so it goes with the Quick Modes waiting on it.
 */
static void
ike_info_p1_rejected(struct ike_p1 *p1, const struct isakmp_notify *n)
{
	const char	*hint;

	switch (n->n_type) {
	case ISAKMP_N_AUTHENTICATION_FAILED:
	case ISAKMP_N_INVALID_SIGNATURE:
	case ISAKMP_N_INVALID_HASH_INFORMATION:
		hint = ike_cert_is_sig(p1->p1_auth) ? "check our certificate "
		    "and private key" : "check the preshared key";
		break;
	default:
		hint = "check that the peer trusts our certificate and its "
		    "CA, and that it gets the certificates it requests";
		break;
	}
	log_err("ISAKMP SA %s: peer %s rejected our Phase 1 authentication "
	    "with %s (rule \"%s\"); deleting the ISAKMP SA: %s",
	    p1->p1_cookies, p1->p1_peer, isakmp_notify_name(n->n_type),
	    p1->p1_label, hint);
	ike_life_p1_delete(p1, "the peer rejected its authentication");
}

static void
ike_info_notify(struct ike_p1 *p1, const struct isakmp_notify *n)
{
	struct isakmp_notify	ack;
	struct isakmp_builder	b;
	struct wbuf		body;
	size_t			hash_off;

	if (n->n_type == ISAKMP_N_R_U_THERE_ACK) {
		ike_dpd_ack(p1, n);
		return;
	}
	if (n->n_type == ISAKMP_N_R_U_THERE) {
		log_debug(D_OP, "ISAKMP SA %s: R-U-THERE from %s",
		    p1->p1_cookies, p1->p1_peer);
		/* RFC 3706 section 5.3: echo the sequence number. */
		ack = *n;
		ack.n_type = ISAKMP_N_R_U_THERE_ACK;
		wbuf_init(&body, 0);
		isakmp_build_init_body(&b, &body);
		isakmp_build_reserve(&b, ISAKMP_PL_HASH,
		    prf_length(p1->p1_hash), &hash_off);
		isakmp_build_notify(&b, &ack);
		if (isakmp_build_finish(&b) == 0)
			(void)ike_info_send(p1, &body, hash_off, b.b_first);
		wbuf_free(&body);
		return;
	}
	if (n->n_type == ISAKMP_N_RESPONDER_LIFETIME &&
	    n->n_proto == ISAKMP_PROTO_ISAKMP) {
		ike_life_p1_responder_lifetime(p1, n);
		return;
	}
	/* A 4-byte SPI names an IPsec SA, so the error is about Phase 2. */
	if (ike_info_p1_auth_error(n->n_type) && n->n_spi_size != 4) {
		ike_info_p1_rejected(p1, n);
		return;
	}
	/* An error about a Quick Mode ends it (ike_qm_peer_error logs). */
	if (n->n_type <= ISAKMP_N_ERROR_MAX && ike_qm_peer_error(p1, n))
		return;
	if (n->n_type <= ISAKMP_N_ERROR_MAX)
		log_warn("ISAKMP SA %s: peer %s reports %s (rule \"%s\")",
		    p1->p1_cookies, p1->p1_peer, isakmp_notify_name(n->n_type),
		    p1->p1_label);
	else
		log_debug(D_OP, "ISAKMP SA %s: Notify %s from %s",
		    p1->p1_cookies, isakmp_notify_name(n->n_type),
		    p1->p1_peer);
}

/*
 * Whether an authenticated Informational must be dropped because its
 * Message ID was used before on this ISAKMP SA (RFC 2408 section 3.1):
 * acting on a replay again could move a NAT-T peer back to an old
 * address or count as a sign of life for DPD.  New IDs are recorded.
 * ID 0, which some peers send, cannot be checked; such a message is
 * acted on but never moves the peer (ike_info_input).
 */
static int
ike_info_replayed(struct ike_p1 *p1, uint32_t msgid)
{
	int	rc;

	if (msgid == 0)
		return (0);
	if ((rc = ike_mid_add(p1, msgid)) == 0)
		return (0);
	if (log_ratelimit_pass(&ike_info_rl))
		log_warn("ISAKMP SA %s: Informational %08x from %s dropped: "
		    "%s", p1->p1_cookies, msgid, p1->p1_peer,
		    rc == ERR_EXISTS ? "its Message ID was used before on "
		    "this ISAKMP SA (a replay)" : rc == ERR_TOOBIG ?
		    "this ISAKMP SA has used all the Message IDs it can "
		    "remember; a new Phase 1 is needed" : err_str(rc));
	return (1);
}

/*
 * Decrypt an Informational for p1 with the Phase 2 IV of its M-ID and
 * check its HASH(1).  Returns 0, ERR_AUTH when it does not decrypt to
 * valid payloads under a valid HASH(1), or another error.
 */
static int
ike_info_open(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr, struct wbuf *plain, struct isakmp_msg *msg)
{
	const struct isakmp_payload	*hp;
	struct isakmp_error		 err;
	struct wbuf			 ivb, want;
	const uint8_t			*rest;
	size_t				 rest_len;
	uint8_t				 iv[CIPHER_MAX_BLOCK];
	int				 rc;

	wbuf_init(&ivb, 0);
	wbuf_init(&want, 0);
	memset(msg, 0, sizeof(*msg));
	if ((rc = ikev1_phase2_iv(p1->p1_hash, ike_info_last_block(p1),
	    p1->p1_blocklen, hdr->h_msgid, &ivb)) != 0)
		goto out;
	memcpy(iv, ivb.wb_data, p1->p1_blocklen);
	if (ike_msg_decrypt(p1, pk, hdr, iv, plain, msg, &err) != 0) {
		rc = ERR_AUTH;
		goto out;
	}
	hp = msg->m_npayloads > 1 ? &msg->m_payloads[0] : NULL;
	rc = ERR_AUTH;
	if (hp == NULL || hp->pl_type != ISAKMP_PL_HASH ||
	    isakmp_msg_span_after(msg, 0, &rest, &rest_len) != 0 ||
	    ikev1_info_hash(p1->p1_hash, p1->p1_skeyid_a.wb_data,
	    p1->p1_skeyid_a.wb_len, hdr->h_msgid, rest, rest_len,
	    &want) != 0)
		goto out;
	if (hp->pl_u.data.len == want.wb_len &&
	    util_memeq_ct(hp->pl_u.data.data, want.wb_data, want.wb_len))
		rc = 0;
out:
	wbuf_free(&ivb);
	wbuf_free(&want);
	return (rc);
}

/*
 * An encrypted Informational while Main Mode waits for MM5 or MM6: the
 * peer rejected our MM5 or MM6 (RFC 2409 section 5.7).  Only an error
 * Notify under a HASH(1) that verifies ends the exchange.  Anything else
 * is dropped, because nothing unauthenticated may end an exchange that
 * the keys already protect.
 */
static void
ike_info_input_mm(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr)
{
	struct ike_engine		*eng = p1->p1_eng;
	const struct isakmp_payload	*pl;
	struct isakmp_msg		 msg;
	struct wbuf			 plain;
	int				 psk = !ike_cert_is_sig(p1->p1_auth);

	wbuf_init(&plain, 1);
	memset(&msg, 0, sizeof(msg));
	if (!ike_addr_eq(&pk->pk_remote, &p1->p1_remote) ||
	    ike_info_open(p1, pk, hdr, &plain, &msg) != 0) {
		isakmp_msg_free(&msg);
		eng->e_stats.st_rx_dropped++;
		if (log_ratelimit_pass(&ike_info_rl))
			log_debug(D_OP, "Informational message for unknown "
			    "or unfinished ISAKMP SA dropped: ISAKMP SA %s "
			    "with %s is still in Main Mode, and the message "
			    "does not decrypt to payloads under a valid "
			    "HASH(1)", p1->p1_cookies, p1->p1_peer);
		goto out;
	}
	ike_msg_print("received Informational", p1, &msg, D_OP);
	pl = isakmp_msg_find(&msg, ISAKMP_PL_N, 0);
	if (pl == NULL || pl->pl_u.n.n_type > ISAKMP_N_ERROR_MAX) {
		log_debug(D_OP, "ISAKMP SA %s: Informational from %s before "
		    "Main Mode finished carries no error Notify; ignored",
		    p1->p1_cookies, p1->p1_peer);
		isakmp_msg_free(&msg);
		goto out;
	}
	log_err("peer %s rejected Phase 1 (cookies %s, rule \"%s\"): %s%s",
	    p1->p1_peer, p1->p1_cookies, p1->p1_label,
	    isakmp_notify_name(pl->pl_u.n.n_type),
	    pl->pl_u.n.n_type != ISAKMP_N_INVALID_HASH_INFORMATION ? "" :
	    ike_pke_is(p1->p1_auth) ? IKE_INFO_PKE_HINT :
	    psk ? ", check the preshared key" : "");
	isakmp_msg_free(&msg);
	ike_p1_fail(p1, 0);
out:
	wbuf_free(&plain);
}

/* An encrypted Informational exchange on an established ISAKMP SA. */
void
ike_info_input(struct ike_p1 *p1, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr)
{
	struct ike_engine		*eng = p1->p1_eng;
	const struct isakmp_payload	*hp;
	struct isakmp_msg		 msg;
	struct isakmp_error		 err;
	struct wbuf			 plain, ivb, want;
	const uint8_t			*rest;
	size_t				 rest_len, i;
	uint8_t				 iv[CIPHER_MAX_BLOCK];
	int				 ok;

	if (ike_info_mm_keyed(p1)) {
		ike_info_input_mm(p1, pk, hdr);
		return;
	}
	if (p1->p1_state != IKE_P1_ESTABLISHED) {
		eng->e_stats.st_rx_dropped++;
		return;
	}
	wbuf_init(&plain, 1);
	wbuf_init(&ivb, 0);
	wbuf_init(&want, 0);
	memset(&msg, 0, sizeof(msg));
	if (ikev1_phase2_iv(p1->p1_hash, p1->p1_last_block, p1->p1_blocklen,
	    hdr->h_msgid, &ivb) != 0)
		goto drop;
	memcpy(iv, ivb.wb_data, p1->p1_blocklen);
	if (ike_msg_decrypt(p1, pk, hdr, iv, &plain, &msg, &err) != 0) {
		if (log_ratelimit_pass(&ike_info_rl))
			log_warn("ISAKMP SA %s: Informational from %s does "
			    "not decrypt to valid payloads (%s); dropped",
			    p1->p1_cookies, p1->p1_peer, err.ie_msg);
		goto drop;
	}
	ike_msg_print("received Informational", p1, &msg, D_OP);
	hp = msg.m_npayloads > 1 ? &msg.m_payloads[0] : NULL;
	if (hp == NULL || hp->pl_type != ISAKMP_PL_HASH ||
	    isakmp_msg_span_after(&msg, 0, &rest, &rest_len) != 0 ||
	    ikev1_info_hash(p1->p1_hash, p1->p1_skeyid_a.wb_data,
	    p1->p1_skeyid_a.wb_len, hdr->h_msgid, rest, rest_len,
	    &want) != 0)
		goto bad_hash;
	ok = hp->pl_u.data.len == want.wb_len &&
	    util_memeq_ct(hp->pl_u.data.data, want.wb_data, want.wb_len);
	if (!ok)
		goto bad_hash;
	if (ike_info_replayed(p1, hdr->h_msgid))
		goto drop;
	/*
	 * RFC 3947 5.2.2: only a new, authenticated message moves the peer
	 * or shows that it is alive, and with ID 0 that cannot be known.
	 */
	if (hdr->h_msgid != 0)
		ike_p1_peer_moved(p1, pk);
	for (i = 1; i < msg.m_npayloads; i++) {
		const struct isakmp_payload *pl = &msg.m_payloads[i];

		if (p1->p1_state == IKE_P1_DEAD)
			break;	/* a Notify ended it */
		if (pl->pl_type == ISAKMP_PL_N)
			ike_info_notify(p1, &pl->pl_u.n);
		else if (pl->pl_type == ISAKMP_PL_D)
			ike_info_delete(p1, &pl->pl_u.d);
	}
	goto out;
bad_hash:
	p1->p1_rx_hash_errs++;
	if (log_ratelimit_pass(&ike_info_rl))
		log_warn("ISAKMP SA %s: Informational from %s without a valid "
		    "HASH(1); ignored (RFC 2409 section 5.7)", p1->p1_cookies,
		    p1->p1_peer);
drop:
	eng->e_stats.st_rx_dropped++;
out:
	isakmp_msg_free(&msg);
	wbuf_free(&plain);
	wbuf_free(&ivb);
	wbuf_free(&want);
}

/*
 * An unencrypted Informational.  Only an error Notify about a Main Mode
 * that has not finished is acted on: it ends that exchange.  Nothing
 * unauthenticated touches an established SA.
 */
void
ike_info_input_clear(struct ike_engine *eng, const struct ike_packet *pk,
    const struct isakmp_hdr *hdr)
{
	const struct isakmp_payload	*pl;
	struct isakmp_msg		 msg;
	struct isakmp_error		 err;
	struct ike_p1			*p1;

	if (isakmp_msg_parse(pk->pk_data, pk->pk_len, &msg, &err) != 0) {
		eng->e_stats.st_rx_dropped++;
		return;
	}
	p1 = ike_p1_find(eng, hdr->h_icookie, hdr->h_rcookie, &pk->pk_remote);
	if (p1 == NULL) {
		static const uint8_t	zero[ISAKMP_COOKIE_LEN];

		/* A Notify about MM1 carries a zero responder cookie. */
		p1 = ike_p1_find(eng, hdr->h_icookie, zero, NULL);
	}
	pl = isakmp_msg_find(&msg, ISAKMP_PL_N, 0);
	if (p1 != NULL && pl != NULL && p1->p1_state == IKE_P1_ESTABLISHED &&
	    pl->pl_u.n.n_type <= ISAKMP_N_ERROR_MAX) {
		eng->e_stats.st_rx_dropped++;
		if (log_ratelimit_pass(&ike_info_rl))
			log_warn("ISAKMP SA %s: unencrypted Notify %s from %s "
			    "ignored: only a Notify protected by the "
			    "established ISAKMP SA can end it",
			    p1->p1_cookies,
			    isakmp_notify_name(pl->pl_u.n.n_type),
			    p1->p1_peer);
		isakmp_msg_free(&msg);
		return;
	}
	if (p1 == NULL || pl == NULL || p1->p1_state == IKE_P1_ESTABLISHED ||
	    p1->p1_state == IKE_P1_DEAD ||
	    !ike_addr_eq(&pk->pk_remote, &p1->p1_remote) ||
	    pl->pl_u.n.n_type > ISAKMP_N_ERROR_MAX) {
		eng->e_stats.st_rx_dropped++;
		if (log_ratelimit_pass(&ike_info_rl))
			log_debug(D_OP, "unencrypted Informational from a "
			    "peer without an unfinished Main Mode dropped");
		isakmp_msg_free(&msg);
		return;
	}
	log_err("peer %s rejected Phase 1 (cookies %s, rule \"%s\"): %s%s",
	    p1->p1_peer, p1->p1_cookies, p1->p1_label,
	    isakmp_notify_name(pl->pl_u.n.n_type),
	    pl->pl_u.n.n_type != ISAKMP_N_INVALID_HASH_INFORMATION &&
	    pl->pl_u.n.n_type != ISAKMP_N_PAYLOAD_MALFORMED ? "" :
	    ike_pke_is(p1->p1_auth) ? IKE_INFO_PKE_HINT :
	    ", check the preshared key");
	isakmp_msg_free(&msg);
	ike_p1_fail(p1, 0);
}
