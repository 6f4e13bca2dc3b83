/*
 * The deadline heap of ike_heap.h: h_nodes[0] has the smallest key, and
 * every node's key is at most its children's (at 2i + 1 and 2i + 2).
 */
#include <stdlib.h>

#include "ike/ike_heap.h"
#include "lib/err.h"

void
ike_heap_init(struct ike_heap *h)
{
	h->h_nodes = NULL;
	h->h_len = 0;
	h->h_alloc = 0;
}

/* Frees the array only; the nodes belong to their owners. */
void
ike_heap_free(struct ike_heap *h)
{
	size_t	i;

	for (i = 0; i < h->h_len; i++)
		h->h_nodes[i]->hn_pos = 0;
	free(h->h_nodes);
	ike_heap_init(h);
}

/*
 * Make room for n nodes in all, so that ike_heap_set cannot fail while
 * the heap holds at most n.  Returns 0 or ERR_NOMEM.
 */
int
ike_heap_reserve(struct ike_heap *h, size_t n)
{
	struct ike_heap_node	**nodes;
	size_t			  alloc;

	if (n <= h->h_alloc)
		return (0);
	alloc = h->h_alloc < 64 ? 64 : h->h_alloc;
	while (alloc < n)
		alloc *= 2;
	if ((nodes = reallocarray(h->h_nodes, alloc, sizeof(*nodes))) == NULL)
		return (ERR_NOMEM);
	h->h_nodes = nodes;
	h->h_alloc = alloc;
	return (0);
}

static void
ike_heap_place(struct ike_heap *h, struct ike_heap_node *n, size_t i)
{
	h->h_nodes[i] = n;
	n->hn_pos = i + 1;
}

static void
ike_heap_up(struct ike_heap *h, size_t i)
{
	struct ike_heap_node	*n = h->h_nodes[i];
	size_t			 parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (h->h_nodes[parent]->hn_key <= n->hn_key)
			break;
		ike_heap_place(h, h->h_nodes[parent], i);
		i = parent;
	}
	ike_heap_place(h, n, i);
}

static void
ike_heap_down(struct ike_heap *h, size_t i)
{
	struct ike_heap_node	*n = h->h_nodes[i];
	size_t			 child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= h->h_len)
			break;
		if (child + 1 < h->h_len &&
		    h->h_nodes[child + 1]->hn_key < h->h_nodes[child]->hn_key)
			child++;
		if (n->hn_key <= h->h_nodes[child]->hn_key)
			break;
		ike_heap_place(h, h->h_nodes[child], i);
		i = child;
	}
	ike_heap_place(h, n, i);
}

/*
 * Set a node's deadline: a key of 0 takes the node out, any other key
 * puts it in or moves it.  A node that is not in the heap yet needs a
 * free place from ike_heap_reserve; without one it stays out.
 */
void
ike_heap_set(struct ike_heap *h, struct ike_heap_node *n, uint64_t key)
{
	uint64_t	old = n->hn_key;

	if (key == 0) {
		ike_heap_remove(h, n);
		return;
	}
	n->hn_key = key;
	if (n->hn_pos == 0) {
		if (h->h_len >= h->h_alloc)
			return;
		ike_heap_place(h, n, h->h_len++);
		ike_heap_up(h, h->h_len - 1);
	} else if (key < old)
		ike_heap_up(h, n->hn_pos - 1);
	else if (key > old)
		ike_heap_down(h, n->hn_pos - 1);
}

void
ike_heap_remove(struct ike_heap *h, struct ike_heap_node *n)
{
	struct ike_heap_node	*last;
	size_t			 i;

	n->hn_key = 0;
	if (n->hn_pos == 0)
		return;
	i = n->hn_pos - 1;
	n->hn_pos = 0;
	last = h->h_nodes[--h->h_len];
	if (last == n)
		return;
	ike_heap_place(h, last, i);
	ike_heap_up(h, i);
	ike_heap_down(h, last->hn_pos - 1);
}

/* The node with the earliest deadline, or NULL when the heap is empty. */
struct ike_heap_node *
ike_heap_top(const struct ike_heap *h)
{
	return (h->h_len > 0 ? h->h_nodes[0] : NULL);
}
