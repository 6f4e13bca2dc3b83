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

/* What the engine needs from its host (the daemon, or a test). */
struct ike_host {
	/*
	 * Send an ISAKMP message.  When either port is 4500 the host
	 * prepends the 4-byte non-ESP marker (RFC 3948 section 2.2).
	 * Returns 0 or a negative enum err code.
	 */
	int	(*ih_send)(void *arg, const struct ike_packet *);
	/* The earliest timer deadline changed; call ike_engine_run_timers. */
	void	(*ih_timer_changed)(void *arg, uint64_t deadline_ms);
};

struct ike_engine	*ike_engine_new(const struct ike_host *, void *,
			    struct kernel *);
void			 ike_engine_free(struct ike_engine *);

/*
 * Install a configuration (the engine takes ownership).  On reload, SAs
 * whose rule still exists are kept, the others are deleted.
 */
int	ike_engine_set_config(struct ike_engine *, struct config *,
	    uint64_t now_ms);

/* A datagram arrived; malformed input is logged, counted and dropped. */
void	ike_engine_input(struct ike_engine *, const struct ike_packet *,
	    uint64_t now_ms);

/* Outbound traffic needs an IPsec SA that does not exist yet. */
void	ike_engine_acquire(struct ike_engine *, const struct kernel_acquire *,
	    uint64_t now_ms);

/* An IPsec SA reached its soft or hard lifetime (time, bytes or idle). */
void	ike_engine_expire(struct ike_engine *, const struct kernel_expire *,
	    uint64_t now_ms);

/* Start Phase 1 (and Phase 2 where policy asks) for the rule now. */
int	ike_engine_initiate(struct ike_engine *, const char *label,
	    uint64_t now_ms);

/*
 * Run the timers that are due: retransmissions, give-ups, lifetimes,
 * keepalives, DPD.  Returns the next deadline, or 0 when none is armed.
 */
uint64_t ike_engine_run_timers(struct ike_engine *, uint64_t now_ms);

/* Send Delete for every SA, remove the installed SAs and policies. */
void	ike_engine_shutdown(struct ike_engine *, uint64_t now_ms);

#endif /* IKED_IKE_H */
