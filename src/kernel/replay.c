#include <string.h>

#include "kernel/replay.h"
#include "lib/err.h"

void
replay_init(struct replay *rp, uint32_t size)
{
	memset(rp, 0, sizeof(*rp));
	if (size == 0)
		size = REPLAY_DEFAULT;
	rp->rp_size = size > REPLAY_MAX ? REPLAY_MAX : size;
}

static int
replay_bit(const struct replay *rp, uint32_t seq)
{
	uint32_t	i = seq % REPLAY_MAX;

	return ((rp->rp_bits[i / 64] >> (i % 64)) & 1);
}

int
replay_check(const struct replay *rp, uint32_t seq)
{
	/* The first packet of an SA carries 1 (RFC 4303 3.3.3). */
	if (seq == 0)
		return (ERR_MALFORMED);
	if (seq > rp->rp_top)
		return (0);
	if (rp->rp_top - seq >= rp->rp_size)
		return (ERR_TOOBIG);
	return (replay_bit(rp, seq) ? ERR_EXISTS : 0);
}

void
replay_update(struct replay *rp, uint32_t seq)
{
	uint32_t	i;

	if (seq > rp->rp_top) {
		/* Slide: forget the numbers that fell out of the bitmap. */
		if (seq - rp->rp_top >= REPLAY_MAX) {
			memset(rp->rp_bits, 0, sizeof(rp->rp_bits));
		} else {
			for (i = rp->rp_top + 1; i != seq; i++) {
				rp->rp_bits[(i % REPLAY_MAX) / 64] &=
				    ~(1ULL << (i % 64));
			}
		}
		rp->rp_top = seq;
	}
	i = seq % REPLAY_MAX;
	rp->rp_bits[i / 64] |= 1ULL << (i % 64);
}
