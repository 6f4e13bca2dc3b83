/*
 * The Message IDs an ISAKMP SA has used.  RFC 2408 section 3.1 and
 * RFC 2409 section 5.5 make each Phase 2 Message ID unique within its
 * ISAKMP SA.  So an authenticated message that repeats a used ID and
 * belongs to no running exchange is a replay.  The set is a sorted array
 * that keeps IDs for the whole life of the SA, at most IKE_MID_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "lib/err.h"

/* Returns the index of msgid in the set, or where it would go. */
static size_t
ike_mid_slot(const struct ike_p1 *p1, uint32_t msgid)
{
	size_t	lo = 0, hi = p1->p1_nmids, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (p1->p1_mids[mid] < msgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

int
ike_mid_used(const struct ike_p1 *p1, uint32_t msgid)
{
	size_t	i = ike_mid_slot(p1, msgid);

	return (i < p1->p1_nmids && p1->p1_mids[i] == msgid);
}

/*
 * Record msgid.  Returns 0, ERR_EXISTS when it is already used, ERR_NOMEM,
 * or ERR_TOOBIG when the SA has used IKE_MID_MAX IDs.  The caller then
 * drops the message, and only a new Phase 1 starts a fresh set.
 */
int
ike_mid_add(struct ike_p1 *p1, uint32_t msgid)
{
	uint32_t	*grown;
	size_t		 i = ike_mid_slot(p1, msgid), n;

	if (i < p1->p1_nmids && p1->p1_mids[i] == msgid)
		return (ERR_EXISTS);
	if (p1->p1_nmids == IKE_MID_MAX)
		return (ERR_TOOBIG);
	if (p1->p1_nmids == p1->p1_mids_alloc) {
		n = p1->p1_mids_alloc ? p1->p1_mids_alloc * 2 : 16;
		if (n > IKE_MID_MAX)
			n = IKE_MID_MAX;
		if ((grown = reallocarray(p1->p1_mids, n,
		    sizeof(*grown))) == NULL)
			return (ERR_NOMEM);
		p1->p1_mids = grown;
		p1->p1_mids_alloc = n;
	}
	memmove(&p1->p1_mids[i + 1], &p1->p1_mids[i],
	    (p1->p1_nmids - i) * sizeof(*p1->p1_mids));
	p1->p1_mids[i] = msgid;
	p1->p1_nmids++;
	return (0);
}

void
ike_mid_free(struct ike_p1 *p1)
{
	free(p1->p1_mids);
	p1->p1_mids = NULL;
	p1->p1_nmids = 0;
	p1->p1_mids_alloc = 0;
}
