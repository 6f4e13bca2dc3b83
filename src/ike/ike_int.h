/*
 * Internals of the IKEv1 engine, shared by its files: the ISAKMP SA
 * (Phase 1) table, Quick Mode exchanges, installed IPsec SA pairs and the
 * helpers every exchange uses.  Nothing outside src/ike includes this.
 */
#ifndef IKED_IKE_INT_H
#define IKED_IKE_INT_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "ike/ike.h"
#include "ike/ike_heap.h"
#include "isakmp/msg.h"
#include "kernel/kernel.h"
#include "lib/wbuf.h"

struct certstore;
struct certstore_entry;
struct dh_key;
struct cert;
struct certsel_list;
struct ike_pke;
struct ike_peer_certs;

#define IKE_PORT		500
#define IKE_NATT_PORT		4500
#define IKE_KEEPALIVE_MS	20000	/* RFC 3948 section 4: 20 s */
#define IKE_COOKIE_ROTATE_MS	(3600 * 1000)
#define IKE_QM_LINGER_MS	60000	/* finished QM kept for retransmits */
#define IKE_LABEL_MAX		256
#define IKE_P1_BUCKETS		65536	/* ISAKMP SAs by initiator cookie */
/*
 * Make-before-break rekeying of an IPsec SA pair.  The initiator of the
 * new Quick Mode installs the new inbound SA at once but moves its
 * outbound traffic only IKE_REKEY_SWITCH_MS later, so that the peer has
 * processed QM3 and installed its inbound SA first.  IKE_REKEY_GRACE_MS
 * after that it deletes the old pair (Delete to the peer), so packets
 * still in flight on the old SAs are accepted.
 */
#define IKE_REKEY_SWITCH_MS	1000
#define IKE_REKEY_GRACE_MS	5000
/*
 * A replaced pair whose SA reaches a hard limit is deleted (Delete to
 * the peer) this much later, not at once.  strongSwan 5.9.8 handles ESP
 * and IKE in separate threads, so a Delete sent right after the SA's
 * last packet can remove the peer's inbound SA before that packet is
 * decrypted.
 */
#define IKE_REKEY_DRAIN_MS	1000
/*
 * Without p2_softlife_kb, the soft traffic limit is 90 % of the hard one
 * but at least this many kilobytes below it, or a quarter of it for hard
 * limits under twice this margin.  A fast flow then does not reach the
 * hard limit before the peer has installed the replacement: with half,
 * a flood of 1000-byte pings against strongSwan 5.9.8 at 300 KB reached
 * it right after QM3 and lost packets (tests/interop lifecycle.sh).
 */
#define IKE_SOFT_KB_MARGIN	1024
/* A rekey whose Quick Mode timed out is tried again this much later. */
#define IKE_REKEY_RETRY_MS	10000
/*
 * A Quick Mode that the peer rejects with an error Notify is not started
 * again for the same policy entry and peer before this delay, which
 * doubles with each rejection up to the maximum and is forgotten once a
 * Quick Mode for them succeeds or the configuration is reloaded.
 */
#define IKE_QM_BACKOFF_MIN_MS	(30 * 1000)
#define IKE_QM_BACKOFF_MAX_MS	(600 * 1000)
#define IKE_QM_BACKOFF_SLOTS	256	/* policy entry and peer pairs */
/* Unanswered R-U-THERE probes are repeated at most this far apart. */
#define IKE_DPD_RETRY_MS	5000
/*
 * Message IDs an ISAKMP SA remembers, sent and received, to drop replays
 * (ike_mid.c).  Beyond this many, Phase 2 messages with new IDs are
 * dropped until a new Phase 1 replaces the SA.
 */
#define IKE_MID_MAX		8192
/*
 * Unfinished Quick Modes a peer may open at once, on one ISAKMP SA and on
 * all ISAKMP SAs with the same address.  Each holds a reserved SPI.
 */
#define IKE_QM_OPEN_MAX		8
#define IKE_QM_PEER_OPEN_MAX	16
#define IKE_ID_TEXT_MAX		256	/* Phase 1 identity, as text */

/* Phase 1 states; the names are those "ikeadm dump p1" prints. */
enum ike_p1_state {
	IKE_P1_MM_I1,		/* initiator sent MM1 */
	IKE_P1_MM_I2,		/* initiator sent MM3 */
	IKE_P1_MM_I3,		/* initiator sent MM5 */
	IKE_P1_MM_R1,		/* responder sent MM2 */
	IKE_P1_MM_R2,		/* responder sent MM4 */
	IKE_P1_ESTABLISHED,
	IKE_P1_DEAD,		/* removed at the next timer run */
};

/* NAT-T flavour of the peer's Vendor ID. */
enum ike_natt_kind {
	IKE_NATT_NONE = 0,
	IKE_NATT_DRAFT,		/* draft-ietf-ipsec-nat-t-ike-02/02n/03 */
	IKE_NATT_RFC,		/* RFC 3947 */
};

/*
 * A socket address packed into 24 bytes instead of the 128 of a
 * sockaddr_storage, for records kept per SA.  Only AF_INET and AF_INET6
 * are kept: any other family packs as AF_UNSPEC.  sin6_flowinfo is not
 * kept.
 */
struct ike_addr {
	uint8_t			 ia_addr[16];	/* IPv4 in the first 4 bytes */
	uint32_t		 ia_scope;	/* sin6_scope_id */
	uint16_t		 ia_port;	/* network byte order */
	uint8_t			 ia_family;
};

/* A struct kernel_sa_id packed with struct ike_addr. */
struct ike_sa_key {
	struct ike_addr		 sk_src;
	struct ike_addr		 sk_dst;
	uint32_t		 sk_spi;
	uint8_t			 sk_proto;	/* KERNEL_PROTO_* */
};

/* A struct kernel_selector packed with struct ike_addr. */
struct ike_sel {
	struct ike_addr		 is_src;
	struct ike_addr		 is_dst;
	uint8_t			 is_src_prefix;
	uint8_t			 is_dst_prefix;
	uint8_t			 is_proto;
};

#define IKE_RX_DIGEST_LEN	32	/* SHA-256 */

/*
 * Our last message of an exchange, for retransmission (RFC 2408 5.x).
 * Of the message it answered only the length and SHA-256 digest are
 * kept, which identify a repeat.
 */
struct ike_xmit {
	struct wbuf		 x_msg;		/* the datagram as sent */
	uint32_t		 x_rx_len;	/* 0: none */
	uint8_t			 x_rx_digest[IKE_RX_DIGEST_LEN];
	struct ike_addr		 x_local;	/* the addresses it went on */
	struct ike_addr		 x_remote;
	unsigned int		 x_tries;	/* retransmissions done */
	uint64_t		 x_interval;	/* ms until the next one */
	uint64_t		 x_next;	/* deadline; 0 = not armed */
};

/* A Phase 2 request waiting for its ISAKMP SA. */
struct ike_pending {
	TAILQ_ENTRY(ike_pending)	 pd_entry;
	size_t				 pd_spd;	/* index in cf_spds */
	struct kernel_selector		 pd_packet;	/* narrowing; unused */
};
TAILQ_HEAD(ike_pending_list, ike_pending);

struct ike_p1;

/* One Quick Mode exchange, from QM1 until it finishes. */
struct ike_qm {
	TAILQ_ENTRY(ike_qm)	 qm_entry;
	struct ike_p1		*qm_p1;
	uint32_t		 qm_msgid;
	int			 qm_initiator;
	int			 qm_state;	/* enum ike_qm_state */
	uint8_t			 qm_iv[CIPHER_MAX_BLOCK];
	size_t			 qm_spd;	/* index in cf_spds */
	int			 qm_tunnel;
	int			 qm_encap;	/* UDP encapsulation (NAT-T) */
	uint32_t		 qm_spi_in;	/* ours, host order */
	uint32_t		 qm_spi_out;	/* the peer's */
	/* Chosen transform. */
	uint8_t			 qm_esp_id;
	uint16_t		 qm_auth_alg;
	uint16_t		 qm_keybits;
	uint16_t		 qm_encap_mode;	/* attribute value sent */
	unsigned int		 qm_group;	/* PFS group, 0 = none */
	uint32_t		 qm_life_secs;
	uint32_t		 qm_life_kb;
	int			 qm_send_resp_life;
	/* Protected traffic as seen from here: local -> remote. */
	struct config_range	 qm_local;
	struct config_range	 qm_remote;
	uint8_t			 qm_ulp;
	uint16_t		 qm_lport;
	uint16_t		 qm_rport;
	int			 qm_have_ids;
	struct wbuf		 qm_peer_idi;	/* QM1 ID bodies, echoed */
	struct wbuf		 qm_peer_idr;
	struct wbuf		 qm_ni;		/* nonce bodies */
	struct wbuf		 qm_nr;
	struct dh_key		*qm_dh;
	struct dh_job		*qm_dhjob;	/* PFS g^xy being computed */
	struct wbuf		 qm_peer_ke;
	struct ike_xmit		 qm_xmit;
	/* The inbound SPI reserved for this exchange; id_spi 0 = none. */
	struct kernel_sa_id	 qm_larval;
};
TAILQ_HEAD(ike_qm_list, ike_qm);

enum ike_qm_state {
	IKE_QM_I1,		/* initiator sent QM1 */
	IKE_QM_R1,		/* responder sent QM2 */
	IKE_QM_DONE,		/* SAs installed; becomes an ike_qm_done */
};

/*
 * A finished Quick Mode, kept IKE_QM_LINGER_MS so that a repeat of the
 * peer's last message (QM1 at the responder, QM2 at the initiator) gets
 * our last one (QM2 or QM3) again.  Of the peer's message only the
 * length and SHA-256 digest are kept, as in struct ike_xmit.
 */
struct ike_qm_done {
	TAILQ_ENTRY(ike_qm_done) qd_entry;
	uint64_t		 qd_expire;
	uint32_t		 qd_msgid;
	uint32_t		 qd_rx_len;	/* 0: matches nothing */
	uint8_t			 qd_rx_digest[IKE_RX_DIGEST_LEN];
	size_t			 qd_reply_len;
	uint8_t			 qd_reply[];	/* the datagram we sent */
};
TAILQ_HEAD(ike_qm_done_list, ike_qm_done);

/* A policy entry whose Quick Modes with one peer were rejected. */
struct ike_qm_backoff {
	size_t			 bo_spd;	/* index in cf_spds */
	struct config_ip	 bo_peer;
	uint64_t		 bo_until;	/* no new Quick Mode before */
	uint64_t		 bo_delay;	/* ms; doubles per rejection */
};

/* The ISAKMP SA. */
struct ike_p1 {
	TAILQ_ENTRY(ike_p1)	 p1_entry;
	TAILQ_ENTRY(ike_p1)	 p1_touch_entry;	/* in e_touched */
	int			 p1_touched;
	struct ike_heap_node	 p1_timer;	/* in e_p1_timers */
	struct ike_p1		*p1_hash_next;	/* chain of e_p1_hash */
	unsigned int		 p1_bucket;
	int			 p1_hashed;
	struct ike_p1		*p1_peer_next;	/* chain of e_peer_hash */
	struct config_ip	 p1_peer_ip;	/* p1_remote's address */
	uint64_t		 p1_seq;	/* creation order */
	unsigned int		 p1_peer_bucket;
	int			 p1_peer_hashed;
	struct ike_engine	*p1_eng;
	uint8_t			 p1_icookie[ISAKMP_COOKIE_LEN];
	uint8_t			 p1_rcookie[ISAKMP_COOKIE_LEN];
	char			 p1_cookies[40];	/* "icky:rcky" hex */
	char			*p1_label;	/* the rule's; never NULL */
	const struct config_rule *p1_rule;
	int			 p1_initiator;
	enum ike_p1_state	 p1_state;
	struct sockaddr_storage	 p1_local;
	struct sockaddr_storage	 p1_remote;
	char			 p1_peer[64];	/* "addr[port]" for logs */
	uint64_t		 p1_created;
	uint64_t		 p1_expire;	/* half-open give-up or lifetime */
	/* The chosen transform. */
	uint16_t		 p1_encr;	/* enum cipher_alg */
	uint16_t		 p1_keybits;
	uint16_t		 p1_hash;	/* enum hash_alg */
	uint16_t		 p1_auth;
	unsigned int		 p1_group;
	uint32_t		 p1_life_secs;
	uint32_t		 p1_life_kb;	/* 0 = no traffic limit */
	uint64_t		 p1_bytes;	/* protected with its keys */
	int			 p1_resp_life;	/* we shortened the proposal */
	uint64_t		 p1_resp_life_at;	/* its notify; 0 = none */
	/* Exchange material. */
	struct wbuf		 p1_sai_b;	/* initiator's SA body */
	struct dh_key		*p1_dh;
	struct dh_job		*p1_dhjob;	/* g^xy being computed */
	struct wbuf		 p1_gxi;
	struct wbuf		 p1_gxr;
	struct wbuf		 p1_ni;
	struct wbuf		 p1_nr;
	struct wbuf		 p1_gxy;	/* secret */
	struct wbuf		 p1_skeyid;	/* secret */
	struct wbuf		 p1_skeyid_d;	/* secret */
	struct wbuf		 p1_skeyid_a;	/* secret */
	struct wbuf		 p1_skeyid_e;	/* secret */
	struct wbuf		 p1_key;	/* secret: encryption key */
	struct cipher_ctx	*p1_cipher;
	size_t			 p1_blocklen;
	uint8_t			 p1_iv[CIPHER_MAX_BLOCK];
	uint8_t			 p1_last_block[CIPHER_MAX_BLOCK];
	/* NAT traversal (RFC 3947). */
	enum ike_natt_kind	 p1_natt;
	int			 p1_peer_dpd;	/* RFC 3706 VID seen */
	int			 p1_nat_local;	/* we are behind a NAT */
	int			 p1_nat_remote;	/* the peer is behind a NAT */
	int			 p1_floated;	/* IKE runs on port 4500 */
	/* Identities of signature methods, for "ikeadm dump p1". */
	uint8_t			 p1_local_idtype;	/* ID payload type */
	uint8_t			 p1_remote_idtype;
	char			*p1_local_id;	/* NULL: none */
	char			*p1_remote_id;
	uint64_t		 p1_keepalive;	/* next keepalive, 0 = none */
	struct ike_xmit		 p1_xmit;
	struct ike_qm_list	 p1_qms;
	/* Finished Quick Modes, oldest (first to expire) first. */
	struct ike_qm_done_list	 p1_qm_done;
	struct ike_pending_list	 p1_pending;
	unsigned int		 p1_qm_created;
	unsigned int		 p1_qm_deleted;
	/* Messages under this SA's keys that failed, for ikeadm. */
	unsigned int		 p1_rx_decrypt_errs;	/* or no payloads */
	unsigned int		 p1_rx_hash_errs;
	/* Lifetime: a new Main Mode replaces this SA before it expires. */
	uint64_t		 p1_rekey_at;	/* 0 = not (or no longer) */
	int			 p1_replacing;	/* our new Main Mode runs */
	char			 p1_replaced_by[40];	/* its successor's cookies */
	uint64_t		 p1_last_rx;	/* last authenticated message */
	/* Dead Peer Detection (RFC 3706). */
	uint64_t		 p1_dpd_next;	/* next check, 0 = off */
	uint32_t		 p1_dpd_seq;	/* last R-U-THERE sent */
	uint32_t		 p1_dpd_first;	/* first unanswered one */
	unsigned int		 p1_dpd_tries;	/* unanswered, 0 = none */
	uint64_t		 p1_dpd_packets; /* inbound ESP at last check */
	uint64_t		 p1_dpd_checked; /* time of the last check */
	/* Message IDs used on this SA, sorted (ike_mid.c). */
	uint32_t		*p1_mids;
	size_t			 p1_nmids;
	size_t			 p1_mids_alloc;
	/* Public key encryption state (ike_pke.c), NULL for other methods. */
	struct ike_pke		*p1_pke;
	/* The peer's certificates of a signature method (ike_cert.c). */
	struct ike_peer_certs	*p1_peer_certs;
};
TAILQ_HEAD(ike_p1_list, ike_p1);

/* The outbound SA of a rekey, held back until ch_switch_at. */
struct ike_child_defer {
	struct kernel_sa	 df_sa;
	struct wbuf		 df_key;	/* secret: its key bytes */
};

/* An installed pair of IPsec SAs. */
struct ike_child {
	TAILQ_ENTRY(ike_child)	 ch_entry;
	TAILQ_ENTRY(ike_child)	 ch_peer_entry;	/* in e_child_peer */
	struct config_ip	 ch_peer_ip;	/* ch_out.id_dst's address */
	unsigned int		 ch_peer_bucket;
	int			 ch_peer_hashed;
	struct ike_heap_node	 ch_timer;	/* in e_child_timers */
	char			*ch_label;	/* of the rule */
	uint8_t			 ch_icookie[ISAKMP_COOKIE_LEN];
	uint8_t			 ch_rcookie[ISAKMP_COOKIE_LEN];
	struct ike_sa_key	 ch_in;
	struct ike_sa_key	 ch_out;
	/*
	 * The policies this pair owns, a bit per direction of
	 * ike_child_pol_dirs (out, in, fwd); ike_child_policy rebuilds
	 * them from ch_sel and the fields below.
	 */
	uint8_t			 ch_pol_dirs;
	uint8_t			 ch_tunnel;
	uint32_t		 ch_reqid;
	uint32_t		 ch_pol_spd;	/* ch_spd when they were made */
	size_t			 ch_spd;
	int			 ch_initiator;
	int			 ch_rekeyed;	/* replacement requested */
	int			 ch_replaced;	/* a newer pair took over */
	struct ike_sel		 ch_sel;	/* outbound traffic */
	uint64_t		 ch_delete_at;	/* replaced: delete then */
	uint64_t		 ch_retry_at;	/* rekey again, 0 = no */
	/* Rekey initiator: the outbound SA, installed at ch_switch_at. */
	struct ike_child_defer	*ch_defer;
	uint64_t		 ch_switch_at;	/* 0 = installed */
};
TAILQ_HEAD(ike_child_list, ike_child);

struct ike_engine {
	struct ike_host		 e_host;
	void			*e_arg;
	struct kernel		*e_kernel;
	struct config		*e_cfg;
	struct certstore	*e_certs;	/* not owned; may be NULL */
	struct ike_p1_list	 e_p1s;
	struct ike_child_list	 e_children;
	/* ISAKMP SAs whose timers may have moved since the last update. */
	struct ike_p1_list	 e_touched;
	int			 e_in_input;	/* updates wait for the end */
	struct ike_p1		**e_p1_hash;	/* IKE_P1_BUCKETS chains */
	uint64_t		 e_hash_key[2];
	struct ike_p1		**e_peer_hash;	/* by peer address */
	/* IPsec SA pairs by peer address, oldest first in each chain. */
	struct ike_child_list	*e_child_peer;	/* IKE_P1_BUCKETS chains */
	uint64_t		 e_p1_seq;
	struct ike_p1		*e_p1_walk;	/* ike_engine_p1_at's place */
	size_t			 e_p1_walk_pos;	/* its position in e_p1s */
	size_t			 e_half_open;
	uint8_t			 e_secret[32];	/* cookie secret */
	uint64_t		 e_secret_time;
	uint64_t		 e_cookie_ctr;
	uint64_t		 e_now;
	uint64_t		 e_deadline;	/* last one reported */
	/*
	 * Earliest timers: each ISAKMP SA with its Quick Modes, and each
	 * pair, has one node keyed by its earliest deadline.  A key may
	 * be earlier than the SA's real deadline (then the run finds
	 * nothing due and moves it), never later, because whatever
	 * moves a timer earlier touches the SA (ike_p1_touch) or updates
	 * the pair's node.
	 */
	struct ike_heap		 e_p1_timers;
	struct ike_heap		 e_child_timers;
	size_t			 e_np1;		/* room reserved in the heaps */
	size_t			 e_nchildren;
	char			*e_keylog_dir;
	struct ike_stats	 e_stats;
	struct ike_qm_backoff	*e_backoff;	/* IKE_QM_BACKOFF_SLOTS */
	size_t			 e_nbackoff;
	uint32_t		 e_trap_reqid_base;
	int			 e_traps_installed;
};

/* ike_engine.c */
/* Free every ISAKMP SA and IPsec SA pair of eng without sending Deletes. */
void	 ike_engine_free_all(struct ike_engine *);
void	 ike_timer_update(struct ike_engine *);
uint64_t ike_touched_deadline(struct ike_engine *);
int	 ike_send_raw(struct ike_engine *, const struct sockaddr_storage *,
	    const struct sockaddr_storage *, const struct wbuf *);
const struct config_globals *ike_globals(const struct ike_engine *);
int	 ike_spd_index(const struct ike_engine *, const struct config_spd *,
	    size_t *);
void	 ike_pending_run(struct ike_p1 *);
void	 ike_child_rekey(struct ike_engine *, struct ike_child *);

/* ike_sa.c */
int	 ike_cookie_make(struct ike_engine *, const struct sockaddr_storage *,
	    uint8_t *);
struct ike_p1	*ike_p1_new(struct ike_engine *, int initiator,
		    const struct sockaddr_storage *local,
		    const struct sockaddr_storage *remote);
void	 ike_p1_free(struct ike_p1 *);
void	 ike_p1_set_cookies(struct ike_p1 *, const uint8_t *,
	    const uint8_t *);
void	 ike_p1_kill(struct ike_p1 *, const char *why);
void	 ike_p1_touch(struct ike_p1 *);
void	 ike_p1_untouch(struct ike_p1 *);
void	 ike_p1_peer_rehash(struct ike_p1 *);
void	 ike_p1_fail(struct ike_p1 *, int timeout);
void	 ike_p1_established(struct ike_p1 *);
void	 ike_p1_peer_moved(struct ike_p1 *, const struct ike_packet *);
struct ike_p1	*ike_p1_find(struct ike_engine *, const uint8_t *icky,
		    const uint8_t *rcky, const struct sockaddr_storage *);
struct ike_p1	*ike_p1_find_peer(struct ike_engine *,
		    const struct sockaddr_storage *remote);
struct ike_p1	*ike_p1_peer_first(const struct ike_engine *,
		    const struct config_ip *);
struct ike_p1	*ike_p1_peer_next(const struct ike_p1 *);
int	 ike_tables_init(struct ike_engine *);
unsigned int ike_peer_bucket(const struct ike_engine *,
	    const struct config_ip *);
const char	*ike_p1_state_name(enum ike_p1_state);
int	 ike_p1_set_label(struct ike_p1 *, const char *);
void	 ike_p1_set_id_text(char **, uint8_t type, const uint8_t *,
	    size_t);
void	 ike_xmit_init(struct ike_xmit *);
void	 ike_xmit_clear(struct ike_xmit *);
int	 ike_xmit_send(struct ike_p1 *, struct ike_xmit *, struct wbuf *,
	    int retransmit);
int	 ike_xmit_is_dup(struct ike_p1 *, struct ike_xmit *,
	    const struct ike_packet *);
int	 ike_rx_digest_match(uint32_t len, const uint8_t *digest,
	    const struct ike_packet *);
void	 ike_xmit_store_rx(struct ike_xmit *, const struct ike_packet *);
int	 ike_xmit_timer(struct ike_p1 *, struct ike_xmit *, uint64_t now);
void	 ike_hdr_fill(struct ike_p1 *, struct isakmp_hdr *, uint8_t exchange,
	    uint32_t msgid, int encrypted);
int	 ike_msg_encrypt(struct ike_p1 *, struct wbuf *out,
	    const struct isakmp_hdr *, const struct wbuf *body, uint8_t *iv);
int	 ike_msg_decrypt(struct ike_p1 *, const struct ike_packet *,
	    const struct isakmp_hdr *, uint8_t *iv, struct wbuf *plain,
	    struct isakmp_msg *, struct isakmp_error *);
void	 ike_msg_print(const char *what, const struct ike_p1 *,
	    const struct isakmp_msg *, uint32_t category);
int	 ike_payload_bit(uint8_t type, uint32_t *bit);
int	 ike_payload_check(struct ike_p1 *, const struct isakmp_msg *,
	    uint32_t required, uint32_t allowed, const char *what);
void	 ike_addr_str(const struct sockaddr_storage *, char *, size_t);
int	 ike_addr_port(const struct sockaddr_storage *);
void	 ike_addr_set_port(struct sockaddr_storage *, uint16_t);
int	 ike_addr_eq(const struct sockaddr_storage *,
	    const struct sockaddr_storage *);
void	 ike_addr_pack(struct ike_addr *, const struct sockaddr_storage *);
void	 ike_addr_unpack(const struct ike_addr *, struct sockaddr_storage *);
void	 ike_sa_key_pack(struct ike_sa_key *, const struct kernel_sa_id *);
void	 ike_sa_key_unpack(const struct ike_sa_key *, struct kernel_sa_id *);
void	 ike_sel_pack(struct ike_sel *, const struct kernel_selector *);
void	 ike_sel_unpack(const struct ike_sel *, struct kernel_selector *);
void	 ike_ip_to_sockaddr(const struct config_ip *, uint16_t port,
	    struct sockaddr_storage *);

/* ike_prop.c */
int	 ike_prop_p1_build(struct ike_p1 *, struct isakmp_builder *);
int	 ike_prop_p1_select(struct ike_p1 *, const struct isakmp_sa *,
	    struct isakmp_builder *);
int	 ike_prop_p1_accept(struct ike_p1 *, const struct isakmp_sa *);
int	 ike_prop_p1_offers(const struct config_rule *,
	    const struct isakmp_sa *);
int	 ike_prop_p2_build(struct ike_qm *, const struct config_spd *,
	    struct isakmp_builder *);
int	 ike_prop_p2_select(struct ike_qm *, const struct config_spd *,
	    const struct isakmp_sa *, struct isakmp_builder *);
int	 ike_prop_p2_accept(struct ike_qm *, const struct isakmp_sa *);
int	 ike_prop_life_attrs(const struct isakmp_notify *, uint16_t type_attr,
	    uint16_t duration_attr, uint32_t *secs, uint32_t *kb);
int	 ike_prop_p2_responder_lifetime(struct ike_qm *,
	    const struct isakmp_notify *);
void	 ike_prop_p2_describe(const struct ike_qm *, const struct config_spd *,
	    char *, size_t);

/* ike_mm.c */
int	 ike_mm_initiate(struct ike_engine *, const struct config_rule *,
	    const struct sockaddr_storage *local,
	    const struct sockaddr_storage *remote, struct ike_p1 **);
void	 ike_mm_input(struct ike_engine *, const struct ike_packet *,
	    const struct isakmp_hdr *);
/*
 * Finish the responder's key derivation that waits for g^xy from the
 * Diffie-Hellman threads, before anything uses the Phase 1 keys.
 * Returns 0 (also when nothing waits) or the error, which it logs.
 */
int	 ike_mm_keys(struct ike_p1 *);

/* ike_cert.c */
int	 ike_cert_is_sig(unsigned int auth);
int	 ike_cert_rule_is_sig(const struct config_rule *);
int	 ike_cert_add_cr(struct ike_p1 *, struct isakmp_builder *);
int	 ike_cert_local(struct ike_p1 *, struct certstore_entry *);
int	 ike_cert_id_body(struct ike_p1 *, const struct certstore_entry *,
	    struct wbuf *id);
int	 ike_cert_add_auth(struct ike_p1 *, const struct certstore_entry *,
	    struct isakmp_builder *, const uint8_t *hash, size_t hashlen);
int	 ike_cert_verify(struct ike_p1 *, const struct isakmp_msg *,
	    const uint8_t *hash, size_t hashlen);
int	 ike_cert_sels(const struct config_rule *, int remote,
	    struct certsel_list **, char *why, size_t whysize);
void	 ike_cert_id_text(uint8_t type, const uint8_t *, size_t, char *,
	    size_t);
void	 ike_cert_free_peer(struct ike_p1 *);
int	 ike_cert_recheck(const struct ike_p1 *, const struct config_rule *,
	    char *why, size_t whysize);

/* ike_pke.c */
int	 ike_pke_is(unsigned int auth);
int	 ike_pke_rule_is(const struct config_rule *);
int	 ike_pke_prepare(struct ike_p1 *);
void	 ike_pke_free(struct ike_p1 *);
int	 ike_pke_key_conflict(struct ike_p1 *, const struct cert *mine);
int	 ike_pke_add(struct ike_p1 *, struct isakmp_builder *);
int	 ike_pke_take(struct ike_p1 *, const struct isakmp_msg *);
const struct wbuf *ike_pke_id(const struct ike_p1 *, int mine);
int	 ike_pke_check_peer(struct ike_p1 *);

/* ike_id.c */
size_t	 ike_ip_len(const struct config_ip *);
void	 ike_range_single(struct config_range *, const struct config_ip *);
int	 ike_range_plen(const struct config_range *);
int	 ike_qm_id_body(const struct config_range *, uint8_t proto,
	    uint16_t port, struct wbuf *);
int	 ike_qm_id_range(const struct isakmp_id *, struct config_range *);
int	 ike_range_within(const struct config_range *outer,
	    const struct config_range *inner);
void	 ike_range_str(const struct config_range *, char *, size_t);

/* ike_child.c */
int	 ike_qm_install(struct ike_qm *);
void	 ike_child_free(struct ike_child *);
void	 ike_child_note(struct ike_engine *, struct ike_child *);
void	 ike_child_timers(struct ike_engine *, uint64_t now);
uint64_t ike_child_deadline(struct ike_engine *);
void	 ike_child_remote(const struct ike_child *,
	    struct sockaddr_storage *);
int	 ike_child_same_peer(const struct ike_child *,
	    const struct sockaddr_storage *remote);
struct ike_child *ike_child_peer_first(const struct ike_engine *,
		    const struct config_ip *);
struct ike_child *ike_child_peer_first_ss(const struct ike_engine *,
		    const struct sockaddr_storage *);
struct ike_child *ike_child_peer_next(const struct ike_child *);
struct ike_child *ike_child_predecessor(struct ike_engine *, size_t spd,
		    const struct sockaddr_storage *remote);
void	 ike_child_peer_hash(struct ike_engine *, struct ike_child *);
void	 ike_child_peer_unhash(struct ike_engine *, struct ike_child *);
void	 ike_child_rekey_failed(struct ike_engine *, size_t spd,
	    const struct sockaddr_storage *remote);
void	 ike_child_drain(struct ike_engine *, struct ike_child *);
void	 ike_child_switch_successor(struct ike_engine *,
	    const struct ike_child *old);

/* ike_life.c */
void	 ike_life_p1_up(struct ike_p1 *);
void	 ike_life_p1_timers(struct ike_p1 *, uint64_t now);
uint64_t ike_life_p1_deadline(const struct ike_p1 *);
void	 ike_life_p1_delete(struct ike_p1 *, const char *why);
void	 ike_life_p1_expired(struct ike_p1 *);
struct ike_p1 *ike_life_p1_renewal(const struct ike_p1 *);
void	 ike_life_p1_failed(struct ike_p1 *);
void	 ike_life_p1_count(struct ike_p1 *, size_t bytes);
void	 ike_life_p1_responder_lifetime(struct ike_p1 *,
	    const struct isakmp_notify *);
void	 ike_life_reload(struct ike_engine *);

/* ike_reauth.c */
const char *ike_reauth_changed(const struct ike_p1 *, const struct config *old,
	    const struct config *cfg, const struct config_rule *rule);

/* ike_dpd.c */
void	 ike_dpd_start(struct ike_p1 *);
void	 ike_dpd_timer(struct ike_p1 *, uint64_t now);
void	 ike_dpd_ack(struct ike_p1 *, const struct isakmp_notify *);
void	 ike_dpd_qm_timeout(struct ike_p1 *, size_t spd);
int	 ike_dpd_before_qm(struct ike_p1 *, size_t spd);

/* ike_qm.c */
uint32_t ike_qm_reqid(const struct ike_qm *);
int	 ike_qm_initiate(struct ike_p1 *, size_t spd);
void	 ike_qm_input(struct ike_p1 *, const struct ike_packet *,
	    const struct isakmp_hdr *);
void	 ike_qm_free(struct ike_qm *);
void	 ike_qm_done_free_all(struct ike_p1 *);
void	 ike_qm_timers(struct ike_p1 *, uint64_t now);
int	 ike_qm_peer_error(struct ike_p1 *, const struct isakmp_notify *);
uint64_t ike_qm_backoff_left(struct ike_engine *, size_t spd,
	    const struct sockaddr_storage *remote);
void	 ike_qm_backoff_clear(struct ike_engine *);
void	 ike_child_delete(struct ike_engine *, struct ike_child *,
	    int send_delete);

/* ike_mid.c */
int	 ike_mid_used(const struct ike_p1 *, uint32_t msgid);
int	 ike_mid_add(struct ike_p1 *, uint32_t msgid);
void	 ike_mid_free(struct ike_p1 *);

/* ike_info.c */
void	 ike_info_input(struct ike_p1 *, const struct ike_packet *,
	    const struct isakmp_hdr *);
void	 ike_info_input_clear(struct ike_engine *, const struct ike_packet *,
	    const struct isakmp_hdr *);
int	 ike_info_send_notify_data(struct ike_p1 *, uint16_t type,
	    uint8_t proto, const uint8_t *spi, size_t spi_len,
	    const uint8_t *data, size_t len);
int	 ike_info_send_notify(struct ike_p1 *, uint16_t type,
	    uint8_t proto, const uint8_t *spi, size_t spi_len);
int	 ike_info_send_notify_clear(struct ike_engine *,
	    const struct ike_packet *, const struct isakmp_hdr *,
	    uint16_t type);
int	 ike_info_send_delete(struct ike_p1 *, uint8_t proto,
	    const uint8_t *spis, size_t spi_len, size_t nspi);
int	 ike_info_send_dpd(struct ike_p1 *, uint16_t type, uint32_t seq);
int	 ike_info_mm_keyed(const struct ike_p1 *);

/* ike_natt.c */
int	 ike_natt_add_vids(struct isakmp_builder *);
void	 ike_natt_parse_vids(struct ike_p1 *, const struct isakmp_msg *);
int	 ike_natt_add_natd(struct ike_p1 *, struct isakmp_builder *);
int	 ike_natt_check_natd(struct ike_p1 *, const struct isakmp_msg *);
void	 ike_natt_float(struct ike_p1 *);
void	 ike_natt_keepalive(struct ike_p1 *, uint64_t now);
uint8_t	 ike_natt_natd_type(const struct ike_p1 *);
uint8_t	 ike_natt_natoa_type(const struct ike_p1 *);
uint16_t ike_natt_encap_mode(const struct ike_p1 *, int tunnel);

/* ike_keylog.c */
void	 ike_keylog_p1(struct ike_engine *, const struct ike_p1 *);
void	 ike_keylog_esp(struct ike_engine *, const struct kernel_sa *);

#endif /* IKED_IKE_INT_H */
