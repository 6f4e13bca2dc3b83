/*
 * Anti-replay window of an inbound SA (RFC 4303 3.4.3), 32-bit sequence
 * numbers.  A bitmap indexed by sequence number modulo REPLAY_MAX records
 * which of the last rp_size numbers up to rp_top were received.
 */
#ifndef IKED_REPLAY_H
#define IKED_REPLAY_H

#include <stdint.h>

#define REPLAY_DEFAULT	64
#define REPLAY_MAX	1024	/* largest window, in packets */

struct replay {
	uint32_t	rp_top;		/* highest number accepted, 0 if none */
	uint32_t	rp_size;
	uint64_t	rp_bits[REPLAY_MAX / 64];
};

/* size 0 selects REPLAY_DEFAULT; sizes above REPLAY_MAX are clamped. */
void	 replay_init(struct replay *, uint32_t size);
/*
 * Returns 0 when seq may be new, ERR_EXISTS when it was received already,
 * ERR_TOOBIG when it lies left of the window, ERR_MALFORMED for 0.
 */
int	 replay_check(const struct replay *, uint32_t seq);
/* Record seq after its ICV was verified. */
void	 replay_update(struct replay *, uint32_t seq);

#endif /* IKED_REPLAY_H */
