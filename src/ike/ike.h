/*
 * The IKEv1 engine: the interface between in.iked's event loop and the
 * protocol.  The engine does no I/O of its own.  The daemon hands it
 * received datagrams, kernel events and the current time; the engine sends
 * through the host callbacks below and applies SA operations through the
 * kernel interface (src/kernel/kernel.h).  Two engines can therefore talk
 * to each other in one process, through memory, in tests.
 *
 * Times are milliseconds on a monotonic clock, supplied by the caller.
 */
#ifndef IKED_IKE_H
#define IKED_IKE_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct certstore;
struct config;
struct kernel;
struct kernel_acquire;
struct kernel_expire;
struct ike_engine;

/* A datagram as received or to be sent on UDP port 500 or 4500. */
struct ike_packet {
	struct sockaddr_storage	 pk_local;	/* our address and port */
	struct sockaddr_storage	 pk_remote;	/* peer address and port */
	const uint8_t		*pk_data;	/* ISAKMP message; no non-ESP marker */
	size_t			 pk_len;
};

/* Callbacks the engine calls on its host (the daemon, or a test). */
struct ike_host {
	/*
	 * Send an ISAKMP message.  When either port is 4500 the host
	 * prepends the 4-byte non-ESP marker (RFC 3948 section 2.2).
	 * Returns 0 or a negative enum err code.
	 */
	int	(*ih_send)(void *arg, const struct ike_packet *);
	/* The earliest timer deadline changed; call ike_engine_run_timers. */
	void	(*ih_timer_changed)(void *arg, uint64_t deadline_ms);
	/*
	 * Send a NAT-T keepalive: one 0xFF byte on UDP port 4500, without
	 * the non-ESP marker (RFC 3948 section 2.3).  The engine sends one
	 * every 20 seconds while we are behind a NAT.  May be NULL.
	 */
	int	(*ih_send_keepalive)(void *arg,
		    const struct sockaddr_storage *local,
		    const struct sockaddr_storage *remote);
};

/* Phase 1 counters, as "ikeadm get stats" prints them. */
struct ike_stats {
	unsigned int	st_p1_current_init;	/* established now */
	unsigned int	st_p1_current_resp;
	unsigned int	st_p1_total_init;	/* established since start */
	unsigned int	st_p1_total_resp;
	unsigned int	st_p1_attempt_init;	/* exchanges started */
	unsigned int	st_p1_attempt_resp;
	unsigned int	st_p1_fail_init;	/* time-outs included */
	unsigned int	st_p1_fail_resp;
	unsigned int	st_p1_timeout_init;	/* peer never answered */
	unsigned int	st_p2_installed;	/* IPsec SA pairs */
	unsigned int	st_rx_dropped;		/* malformed or unexpected */
};

/* One ISAKMP SA, for "ikeadm dump p1"; no key material. */
struct ike_p1_info {
	uint8_t			 pi_icookie[8];
	uint8_t			 pi_rcookie[8];
	int			 pi_initiator;
	const char		*pi_state;	/* "ACTIVE", "SENT FINAL MSG" */
	const char		*pi_label;
	struct sockaddr_storage	 pi_local;
	struct sockaddr_storage	 pi_remote;
	unsigned int		 pi_encr;	/* Phase 1 attribute values */
	unsigned int		 pi_keybits;
	unsigned int		 pi_hash;
	unsigned int		 pi_auth;
	unsigned int		 pi_group;
	uint32_t		 pi_life_secs;
	uint32_t		 pi_life_kb;	/* 0 = no traffic limit */
	uint64_t		 pi_bytes;	/* protected with its keys */
	uint64_t		 pi_created_ms;	/* engine clock */
	uint64_t		 pi_expire_ms;
	int			 pi_nat_local;	/* we are behind a NAT */
	int			 pi_nat_remote;
	int			 pi_natt;	/* IKE moved to port 4500 */
	int			 pi_peer_dpd;	/* the peer sent the DPD VID */
	unsigned int		 pi_qm_created;
	unsigned int		 pi_qm_deleted;
	unsigned int		 pi_rx_decrypt_errs;
	unsigned int		 pi_rx_hash_errs;
	/*
	 * Identities of a signature method (ID payload type and text, a
	 * DN decoded); type 0 with preshared keys, which use addresses.
	 */
	unsigned int		 pi_local_idtype;
	const char		*pi_local_id;
	unsigned int		 pi_remote_idtype;
	const char		*pi_remote_id;
};

struct ike_engine	*ike_engine_new(const struct ike_host *, void *,
			    struct kernel *);
void			 ike_engine_free(struct ike_engine *);

/*
 * Install a configuration (the engine takes ownership).  On reload, SAs
 * whose rule still exists are kept, the others are deleted, and so are
 * IPsec SAs whose traffic no ipsec entry of the new policy covers.
 */
int	ike_engine_set_config(struct ike_engine *, struct config *,
	    uint64_t now_ms);

/*
 * The certificates, keys and CRLs of signature methods (rsa_sig,
 * dss_sig, ecdsa_*).  The caller keeps ownership and may reload the store
 * in place; NULL leaves the engine without one.
 */
void	ike_engine_set_certstore(struct ike_engine *, struct certstore *);

/* A datagram arrived; malformed input is logged, counted and dropped. */
void	ike_engine_input(struct ike_engine *, const struct ike_packet *,
	    uint64_t now_ms);

/* Outbound traffic needs an IPsec SA that does not exist yet. */
void	ike_engine_acquire(struct ike_engine *, const struct kernel_acquire *,
	    uint64_t now_ms);

/* An IPsec SA reached its soft or hard lifetime (time, bytes or idle). */
void	ike_engine_expire(struct ike_engine *, const struct kernel_expire *,
	    uint64_t now_ms);

/* Start Phase 1 (and Phase 2 where policy requires it) for the rule now. */
int	ike_engine_initiate(struct ike_engine *, const char *label,
	    uint64_t now_ms);

/*
 * Run the timers that are due: retransmissions, give-ups, lifetimes,
 * rekeying, Dead Peer Detection and NAT-T keepalives.  Returns the next
 * deadline, or 0 when none is armed.
 */
uint64_t ike_engine_run_timers(struct ike_engine *, uint64_t now_ms);

/*
 * Delete one ISAKMP SA (a Delete to the peer) or all of them; the IPsec
 * SAs they created stay.  Returns 0 or ERR_NOTFOUND.
 */
int	ike_engine_delete_p1(struct ike_engine *, const uint8_t *icookie,
	    const uint8_t *rcookie, uint64_t now_ms);
void	ike_engine_flush_p1(struct ike_engine *, uint64_t now_ms);

/* Send Delete for every SA, remove the installed SAs and policies. */
void	ike_engine_shutdown(struct ike_engine *, uint64_t now_ms);

/*
 * Write Wireshark decryption tables into dir (NULL turns it off): lines
 * "<initiator cookie>,<encryption key>" to ikev1_decryption_table and
 * UAT lines to esp_sa, both created with mode 0600.  The files contain
 * keys: a debugging aid, off by default.  Returns 0 or ERR_NOMEM.
 */
int	ike_engine_set_keylog(struct ike_engine *, const char *dir);

void	ike_engine_get_stats(const struct ike_engine *, struct ike_stats *);

/* Call fn for every ISAKMP SA; stops early when fn returns non-zero. */
void	ike_engine_foreach_p1(const struct ike_engine *,
	    int (*fn)(void *arg, const struct ike_p1_info *), void *arg);

/*
 * The ISAKMP SA at a position in creation order, and in *more whether
 * another follows, as "ikeadm dump p1" pages through them.  The strings
 * of *pi stay valid until the next engine call.  Returns 0 or
 * ERR_NOTFOUND.
 */
int	ike_engine_p1_at(struct ike_engine *, size_t index,
	    struct ike_p1_info *pi, int *more);

/* A key of an ISAKMP SA, borrowed from the engine for one call. */
struct ike_key_view {
	const uint8_t	*kv_data;
	size_t		 kv_len;
};

/* The keys of an ISAKMP SA (RFC 2409 section 5), for ikeadm at keymat. */
struct ike_p1_keys {
	struct ike_key_view	 pk_skeyid;
	struct ike_key_view	 pk_skeyid_d;
	struct ike_key_view	 pk_skeyid_a;
	struct ike_key_view	 pk_skeyid_e;
	struct ike_key_view	 pk_enc_key;	/* derived from SKEYID_e */
	struct ike_key_view	 pk_iv;		/* the current Phase 1 IV */
};

/*
 * Call fn with the keys of the established ISAKMP SA with these cookies;
 * the views are valid only during the call.  Returns what fn returns,
 * ERR_NOTFOUND, or ERR_STATE when Main Mode has not finished.
 */
int	ike_engine_p1_keys(struct ike_engine *, const uint8_t *icookie,
	    const uint8_t *rcookie,
	    int (*fn)(void *arg, const struct ike_p1_keys *), void *arg);

/* Number of installed IPsec SA pairs. */
size_t	ike_engine_child_count(const struct ike_engine *);

#endif /* IKED_IKE_H */
