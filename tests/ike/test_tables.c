/*
 * The engine's SA tables: the deadline heap, the IPsec SA pairs by peer
 * address (with removal during a walk and the rekey predecessor), and
 * the ISAKMP SAs by peer address.  The tables are large enough that
 * hash chains hold several peers, which the walks must tell apart.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ike/ike.h"
#include "ike/ike_heap.h"
#include "ike/ike_int.h"
#include "kernel/kernel.h"

#define TABLES_PEERS	100000	/* more peers than hash buckets */
#define TABLES_HEAP_N	5000

static int
tables_send(void *arg, const struct ike_packet *pk)
{
	return (0);
}

static const struct ike_host tables_host = {
	.ih_send = tables_send,
};

/* IPv4 198.18.0.0 + i, port 500. */
static void
tables_addr(struct sockaddr_storage *ss, uint32_t i)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(500);
	sin->sin_addr.s_addr = htonl(0xc6120000u + i);
}

/* Set the peer of pair ch (its outbound SA's destination) to peer i. */
static void
tables_child_peer(struct ike_child *ch, uint32_t i)
{
	struct sockaddr_storage	ss;

	tables_addr(&ss, i);
	ike_addr_pack(&ch->ch_out.sk_dst, &ss);
}

/* ---- the deadline heap */

static int
tables_heap_valid(const struct ike_heap *h)
{
	size_t	i;

	for (i = 0; i < h->h_len; i++) {
		if (h->h_nodes[i]->hn_pos != i + 1)
			return (0);
		if (i > 0 && h->h_nodes[(i - 1) / 2]->hn_key >
		    h->h_nodes[i]->hn_key)
			return (0);
	}
	return (1);
}

static void
heap_pops_in_order(void **state)
{
	struct ike_heap		 h;
	struct ike_heap_node	*nodes, *n;
	uint64_t		 last = 0;
	size_t			 i, popped = 0;

	nodes = calloc(TABLES_HEAP_N, sizeof(*nodes));
	assert_non_null(nodes);
	ike_heap_init(&h);
	assert_int_equal(ike_heap_reserve(&h, TABLES_HEAP_N), 0);
	srandom(7);
	for (i = 0; i < TABLES_HEAP_N; i++)
		ike_heap_set(&h, &nodes[i], 1 + (uint64_t)(random() % 1000));
	assert_int_equal(h.h_len, TABLES_HEAP_N);
	assert_true(tables_heap_valid(&h));
	while ((n = ike_heap_top(&h)) != NULL) {
		assert_true(n->hn_key >= last);
		last = n->hn_key;
		ike_heap_remove(&h, n);
		assert_int_equal(n->hn_pos, 0);
		popped++;
	}
	assert_int_equal(popped, TABLES_HEAP_N);
	ike_heap_free(&h);
	free(nodes);
}

static void
heap_moves_and_removes(void **state)
{
	struct ike_heap		 h;
	struct ike_heap_node	*nodes;
	size_t			 i;

	nodes = calloc(TABLES_HEAP_N, sizeof(*nodes));
	assert_non_null(nodes);
	ike_heap_init(&h);
	assert_int_equal(ike_heap_reserve(&h, TABLES_HEAP_N), 0);
	for (i = 0; i < TABLES_HEAP_N; i++)
		ike_heap_set(&h, &nodes[i], 1000 + i);
	/* Earlier, later, unchanged, and out of the heap by key 0. */
	ike_heap_set(&h, &nodes[4000], 5);
	assert_ptr_equal(ike_heap_top(&h), &nodes[4000]);
	ike_heap_set(&h, &nodes[4000], 100000);
	assert_ptr_equal(ike_heap_top(&h), &nodes[0]);
	ike_heap_set(&h, &nodes[0], 1000);
	assert_ptr_equal(ike_heap_top(&h), &nodes[0]);
	ike_heap_set(&h, &nodes[0], 0);
	assert_int_equal(nodes[0].hn_pos, 0);
	assert_ptr_equal(ike_heap_top(&h), &nodes[1]);
	assert_true(tables_heap_valid(&h));
	/* Removing from the middle, and twice, keeps the order. */
	for (i = 10; i < TABLES_HEAP_N; i += 3)
		ike_heap_remove(&h, &nodes[i]);
	ike_heap_remove(&h, &nodes[10]);
	assert_true(tables_heap_valid(&h));
	assert_int_equal(h.h_len, TABLES_HEAP_N - 1 -
	    (TABLES_HEAP_N - 10 + 2) / 3);
	ike_heap_free(&h);
	for (i = 0; i < TABLES_HEAP_N; i++)
		assert_int_equal(nodes[i].hn_pos, 0);
	free(nodes);
}

static void
heap_full_leaves_node_out(void **state)
{
	struct ike_heap		h;
	struct ike_heap_node	a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ike_heap_init(&h);
	assert_int_equal(ike_heap_reserve(&h, 1), 0);
	h.h_alloc = 1;		/* as if only one place had been reserved */
	ike_heap_set(&h, &a, 10);
	ike_heap_set(&h, &b, 5);
	assert_int_equal(h.h_len, 1);
	assert_int_equal(b.hn_pos, 0);
	assert_ptr_equal(ike_heap_top(&h), &a);
	ike_heap_free(&h);
}

/* ---- IPsec SA pairs by peer */

struct tables {
	struct kernel		*kern;
	struct ike_engine	*eng;
	struct ike_child	**ch;
	size_t			  nch;
};

static int
tables_setup(void **state)
{
	static const struct kernel_callbacks	cb;
	struct tables				*t;

	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	assert_int_equal(kernel_open(&t->kern, KERNEL_BACKEND_NONE, NULL, &cb,
	    NULL, NULL), 0);
	t->eng = ike_engine_new(&tables_host, NULL, t->kern);
	assert_non_null(t->eng);
	*state = t;
	return (0);
}

static int
tables_teardown(void **state)
{
	struct tables	*t = *state;
	size_t		 i;

	for (i = 0; i < t->nch; i++) {
		if (t->ch[i] == NULL)
			continue;
		ike_child_peer_unhash(t->eng, t->ch[i]);
		free(t->ch[i]);
	}
	free(t->ch);
	ike_engine_free(t->eng);
	kernel_close(t->kern);
	free(t);
	return (0);
}

/* A pair with peer number peer and policy entry spd, in the index. */
static struct ike_child *
tables_child(struct tables *t, uint32_t peer, size_t spd)
{
	struct ike_child	*ch;

	ch = calloc(1, sizeof(*ch));
	assert_non_null(ch);
	tables_child_peer(ch, peer);
	ch->ch_spd = spd;
	ch->ch_in.sk_spi = (uint32_t)t->nch;
	ike_child_peer_hash(t->eng, ch);
	assert_true(ch->ch_peer_hashed);
	t->ch = realloc(t->ch, (t->nch + 1) * sizeof(*t->ch));
	assert_non_null(t->ch);
	t->ch[t->nch++] = ch;
	return (ch);
}

static size_t
tables_count_peer(struct tables *t, uint32_t peer)
{
	struct sockaddr_storage	 ss;
	struct ike_child	*ch;
	size_t			 n = 0;

	tables_addr(&ss, peer);
	for (ch = ike_child_peer_first_ss(t->eng, &ss); ch != NULL;
	    ch = ike_child_peer_next(ch)) {
		assert_true(ike_child_same_peer(ch, &ss));
		n++;
	}
	return (n);
}

static void
child_index_finds_own_peer(void **state)
{
	struct tables		*t = *state;
	struct sockaddr_storage	 ss;
	struct ike_child	*ch, *a, *b, *c;
	uint32_t		 p;

	for (p = 1; p <= TABLES_PEERS; p++)
		(void)tables_child(t, p, 0);
	/* Three pairs with peer 77, in installation order. */
	a = t->ch[76];
	b = tables_child(t, 77, 1);
	c = tables_child(t, 77, 0);
	for (p = 1; p <= TABLES_PEERS; p += 997)
		assert_int_equal(tables_count_peer(t, p), p == 77 ? 3 : 1);
	assert_int_equal(tables_count_peer(t, 77), 3);
	assert_int_equal(tables_count_peer(t, TABLES_PEERS + 1), 0);
	tables_addr(&ss, 77);
	ch = ike_child_peer_first_ss(t->eng, &ss);
	assert_ptr_equal(ch, a);
	ch = ike_child_peer_next(ch);
	assert_ptr_equal(ch, b);
	ch = ike_child_peer_next(ch);
	assert_ptr_equal(ch, c);
	assert_null(ike_child_peer_next(ch));
}

static void
child_index_remove_while_walking(void **state)
{
	struct tables		*t = *state;
	struct sockaddr_storage	 ss;
	struct ike_child	*ch, *next;
	size_t			 i, seen = 0;

	for (i = 0; i < 10; i++)
		(void)tables_child(t, 5, i);
	(void)tables_child(t, 6, 0);
	tables_addr(&ss, 5);
	/* Remove every other pair during the walk, as deletions do. */
	for (ch = ike_child_peer_first_ss(t->eng, &ss); ch != NULL;
	    ch = next) {
		next = ike_child_peer_next(ch);
		if (seen++ % 2 == 0) {
			ike_child_peer_unhash(t->eng, ch);
			assert_false(ch->ch_peer_hashed);
		}
	}
	assert_int_equal(seen, 10);
	assert_int_equal(tables_count_peer(t, 5), 5);
	assert_int_equal(tables_count_peer(t, 6), 1);
	for (ch = ike_child_peer_first_ss(t->eng, &ss); ch != NULL;
	    ch = ike_child_peer_next(ch))
		assert_int_equal(ch->ch_spd % 2, 1);
	/* Removing all of them leaves the peer without pairs. */
	for (ch = ike_child_peer_first_ss(t->eng, &ss); ch != NULL;
	    ch = next) {
		next = ike_child_peer_next(ch);
		ike_child_peer_unhash(t->eng, ch);
	}
	assert_null(ike_child_peer_first_ss(t->eng, &ss));
	assert_int_equal(tables_count_peer(t, 6), 1);
}

/* ---- packed addresses */

/* An IPv6 address with port and scope ID survives packing. */
static void
addr_pack_ipv6_round_trip(void **state)
{
	struct sockaddr_storage	 ss, back;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct ike_addr		 ia;

	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(4500);
	sin6->sin6_scope_id = 7;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::17",
	    &sin6->sin6_addr), 1);
	ike_addr_pack(&ia, &ss);
	ike_addr_unpack(&ia, &back);
	assert_memory_equal(&back, &ss, sizeof(ss));
	assert_int_equal(ike_addr_port(&back), 4500);
}

/* A kernel SA key and a selector survive packing, IPv4 and none. */
static void
sa_key_and_sel_pack_round_trip(void **state)
{
	struct kernel_sa_id	 id, id_back;
	struct kernel_selector	 sel, sel_back;
	struct ike_sa_key	 sk;
	struct ike_sel		 is;

	memset(&id, 0, sizeof(id));
	tables_addr(&id.id_src, 1);
	tables_addr(&id.id_dst, 2);
	ike_addr_set_port(&id.id_dst, 4500);
	id.id_spi = 0xc0ffee01;
	id.id_proto = KERNEL_PROTO_ESP;
	ike_sa_key_pack(&sk, &id);
	ike_sa_key_unpack(&sk, &id_back);
	assert_memory_equal(&id_back, &id, sizeof(id));

	memset(&sel, 0, sizeof(sel));
	tables_addr(&sel.sel_src, 3);
	sel.sel_src_prefix = 24;
	sel.sel_dst_prefix = 0;		/* sel_dst stays AF_UNSPEC */
	sel.sel_proto = 17;
	ike_sel_pack(&is, &sel);
	ike_sel_unpack(&is, &sel_back);
	assert_memory_equal(&sel_back, &sel, sizeof(sel));
}

static void
child_index_moves_with_peer(void **state)
{
	struct tables	*t = *state;
	struct ike_child *ch = tables_child(t, 8, 0);

	tables_child_peer(ch, 9);
	ike_child_peer_hash(t->eng, ch);
	assert_int_equal(tables_count_peer(t, 8), 0);
	assert_int_equal(tables_count_peer(t, 9), 1);
}

static void
child_predecessor_newest_unreplaced(void **state)
{
	struct tables		*t = *state;
	struct sockaddr_storage	 ss;
	struct ike_child	*old1, *old2, *other;

	tables_addr(&ss, 40);
	assert_null(ike_child_predecessor(t->eng, 0, &ss));
	old1 = tables_child(t, 40, 0);
	other = tables_child(t, 40, 1);
	(void)tables_child(t, 41, 0);
	assert_ptr_equal(ike_child_predecessor(t->eng, 0, &ss), old1);
	assert_ptr_equal(ike_child_predecessor(t->eng, 1, &ss), other);
	/* A rekey: the new pair is the one the next rekey replaces. */
	old2 = tables_child(t, 40, 0);
	old1->ch_replaced = 1;
	assert_ptr_equal(ike_child_predecessor(t->eng, 0, &ss), old2);
	old2->ch_replaced = 1;
	assert_null(ike_child_predecessor(t->eng, 0, &ss));
	assert_null(ike_child_predecessor(t->eng, 2, &ss));
}

/* ---- ISAKMP SAs by peer */

/* An ISAKMP SA with distinct cookies, as Main Mode sets them. */
static struct ike_p1 *
tables_p1(struct tables *t, int initiator, uint32_t peer)
{
	struct sockaddr_storage	 local, remote;
	struct ike_p1		*p1;
	uint8_t			 icky[ISAKMP_COOKIE_LEN];
	uint32_t		 n = (uint32_t)t->eng->e_p1_seq;

	tables_addr(&local, 0xffff);
	tables_addr(&remote, peer);
	p1 = ike_p1_new(t->eng, initiator, &local, &remote);
	assert_non_null(p1);
	memset(icky, 0xa5, sizeof(icky));
	memcpy(icky, &n, sizeof(n));
	ike_p1_set_cookies(p1, icky, NULL);
	return (p1);
}

static void
p1_index_creation_order(void **state)
{
	struct tables		*t = *state;
	struct sockaddr_storage	 remote;
	struct ike_p1		*p1, *a, *b;
	struct config_ip	 ip;
	uint32_t		 i;
	size_t			 n;

	for (i = 1; i <= TABLES_PEERS; i++)
		(void)tables_p1(t, 0, i);
	a = tables_p1(t, 1, 300);
	b = tables_p1(t, 0, 300);
	tables_addr(&remote, 300);
	memset(&ip, 0, sizeof(ip));
	assert_int_equal(config_ip_from_sockaddr(&ip, &remote), 0);
	n = 0;
	for (p1 = ike_p1_peer_first(t->eng, &ip); p1 != NULL;
	    p1 = ike_p1_peer_next(p1)) {
		assert_int_equal(config_ip_cmp(&ip, &p1->p1_peer_ip), 0);
		n++;
	}
	assert_int_equal(n, 3);
	p1 = ike_p1_peer_first(t->eng, &ip);
	assert_ptr_equal(ike_p1_peer_next(p1), a);
	assert_ptr_equal(ike_p1_peer_next(a), b);
	/* The oldest SA, or the newest established one if any. */
	assert_ptr_equal(ike_p1_find_peer(t->eng, &remote), p1);
	a->p1_state = IKE_P1_ESTABLISHED;
	assert_ptr_equal(ike_p1_find_peer(t->eng, &remote), a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(heap_pops_in_order),
		cmocka_unit_test(heap_moves_and_removes),
		cmocka_unit_test(heap_full_leaves_node_out),
		cmocka_unit_test(addr_pack_ipv6_round_trip),
		cmocka_unit_test(sa_key_and_sel_pack_round_trip),
		cmocka_unit_test_setup_teardown(child_index_finds_own_peer,
		    tables_setup, tables_teardown),
		cmocka_unit_test_setup_teardown(
		    child_index_remove_while_walking, tables_setup,
		    tables_teardown),
		cmocka_unit_test_setup_teardown(child_index_moves_with_peer,
		    tables_setup, tables_teardown),
		cmocka_unit_test_setup_teardown(
		    child_predecessor_newest_unreplaced, tables_setup,
		    tables_teardown),
		cmocka_unit_test_setup_teardown(p1_index_creation_order,
		    tables_setup, tables_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
