/*
 * A binary min-heap of timer deadlines.  The nodes live inside the
 * objects that own the timers (ISAKMP SAs, IPsec SA pairs), so the
 * earliest deadline is found in O(1) and a deadline moves in O(log n).
 */
#ifndef IKED_IKE_HEAP_H
#define IKED_IKE_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct ike_heap_node {
	uint64_t	hn_key;		/* deadline, ms */
	size_t		hn_pos;		/* index + 1 in h_nodes; 0 = out */
};

struct ike_heap {
	struct ike_heap_node	**h_nodes;
	size_t			  h_len;
	size_t			  h_alloc;
};

void	 ike_heap_init(struct ike_heap *);
void	 ike_heap_free(struct ike_heap *);
int	 ike_heap_reserve(struct ike_heap *, size_t n);
void	 ike_heap_set(struct ike_heap *, struct ike_heap_node *,
	    uint64_t key);
void	 ike_heap_remove(struct ike_heap *, struct ike_heap_node *);
struct ike_heap_node *ike_heap_top(const struct ike_heap *);

#endif /* IKED_IKE_HEAP_H */
