/*
 * salookup: the cost of the engine's per-message table work as the
 * ISAKMP SA table grows.  It fills one engine with N ISAKMP SAs (random
 * cookies, distinct peer addresses, no key material) through the
 * engine's own ike_p1_new, then times what the engine does for every
 * datagram.  That is the lookup by cookies (ike_p1_find), the lookup by
 * peer (ike_p1_find_peer, used by Main Mode and INITIAL-CONTACT), the
 * lookup of the IPsec SA pair a new pair with a peer replaces
 * (ike_child_predecessor, one pair per peer) and the next timer deadline
 * after a datagram (ike_touched_deadline).  Apart, it times a timer
 * update after an administrative call (ike_timer_update, timer_run_us)
 * and a timer run with nothing due (ike_engine_run_timers, run_empty_us).
 *
 * Output: one "salookup:" line per table size, times in microseconds
 * per call (CPU time), and the sizes of struct ike_p1 and ike_child.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/ike.h"
#include "ike/ike_int.h"
#include "kernel/kernel.h"

#define SALOOKUP_CALLS	2000

static double
salookup_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static int
salookup_send(void *arg, const struct ike_packet *pk)
{
	return (0);
}

static const struct ike_host salookup_host = {
	.ih_send = salookup_send,
};

static const struct kernel_callbacks salookup_kernel_cb;

/* IPv4 198.18.0.0 + i, port 500. */
static void
salookup_addr(struct sockaddr_storage *ss, uint32_t i)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(500);
	sin->sin_addr.s_addr = htonl(0xc6120000u + i);
}

/*
 * An IPsec SA pair record with the peer of p1, in the engine's tables
 * but not in the kernel backend: only its lookup is timed.
 */
static int
salookup_child(struct ike_engine *eng, const struct ike_p1 *p1)
{
	struct ike_child	*ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return (-1);
	ike_addr_pack(&ch->ch_out.sk_dst, &p1->p1_remote);
	TAILQ_INSERT_TAIL(&eng->e_children, ch, ch_entry);
	eng->e_nchildren++;
	ike_child_peer_hash(eng, ch);
	return (0);
}

/*
 * Add ISAKMP SAs, each with one pair, until the engine has n, recording
 * their cookies.
 */
static int
salookup_fill(struct ike_engine *eng, uint8_t (*cookies)[16], size_t *have,
    size_t n)
{
	struct sockaddr_storage	 local, remote;
	struct ike_p1		*p1;
	size_t			 j;

	salookup_addr(&local, 0xffff);
	for (; *have < n; (*have)++) {
		salookup_addr(&remote, (uint32_t)*have + 1);
		if ((p1 = ike_p1_new(eng, 0, &local, &remote)) == NULL)
			return (-1);
		for (j = 0; j < 16; j++)
			cookies[*have][j] = (uint8_t)random();
		ike_p1_set_cookies(p1, cookies[*have], cookies[*have] + 8);
		if (salookup_child(eng, p1) != 0)
			return (-1);
	}
	/* The new SAs are touched: their timers go in before timing. */
	(void)ike_touched_deadline(eng);
	return (0);
}

int
main(int argc, char **argv)
{
	static const size_t	 sizes[] = { 1000, 10000, 100000 };
	struct sockaddr_storage	 remote;
	struct ike_engine	*eng;
	struct kernel		*kern;
	uint8_t			(*cookies)[16];
	size_t			 have = 0, i, k, idx;
	double			 t0, find_us, peer_us, child_us, timer_us;
	double			 run_us, empty_us;
	unsigned int		 misses;

	cookies = calloc(sizes[2], sizeof(*cookies));
	if (cookies == NULL || kernel_open(&kern, KERNEL_BACKEND_NONE, NULL,
	    &salookup_kernel_cb, NULL, NULL) != 0 ||
	    (eng = ike_engine_new(&salookup_host, NULL, kern)) == NULL) {
		printf("salookup: cannot create an engine\n");
		return (1);
	}
	srandom(1);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		if (salookup_fill(eng, cookies, &have, sizes[k]) != 0) {
			printf("salookup: out of memory at %zu SAs\n", have);
			return (1);
		}
		misses = 0;
		t0 = salookup_now();
		for (i = 0; i < SALOOKUP_CALLS; i++) {
			idx = (size_t)random() % have;
			if (ike_p1_find(eng, cookies[idx], cookies[idx] + 8,
			    NULL) == NULL)
				misses++;
		}
		find_us = (salookup_now() - t0) * 1e6 / SALOOKUP_CALLS;
		t0 = salookup_now();
		for (i = 0; i < SALOOKUP_CALLS; i++) {
			salookup_addr(&remote, (uint32_t)(random() % have) + 1);
			if (ike_p1_find_peer(eng, &remote) == NULL)
				misses++;
		}
		peer_us = (salookup_now() - t0) * 1e6 / SALOOKUP_CALLS;
		t0 = salookup_now();
		for (i = 0; i < SALOOKUP_CALLS; i++) {
			salookup_addr(&remote, (uint32_t)(random() % have) + 1);
			if (ike_child_predecessor(eng, 0, &remote) == NULL)
				misses++;
		}
		child_us = (salookup_now() - t0) * 1e6 / SALOOKUP_CALLS;
		t0 = salookup_now();
		for (i = 0; i < SALOOKUP_CALLS; i++) {
			idx = (size_t)random() % have;
			(void)ike_p1_find(eng, cookies[idx], cookies[idx] + 8,
			    NULL);
			(void)ike_touched_deadline(eng);
		}
		timer_us = (salookup_now() - t0) * 1e6 / SALOOKUP_CALLS -
		    find_us;
		t0 = salookup_now();
		for (i = 0; i < SALOOKUP_CALLS / 10; i++)
			ike_timer_update(eng);
		run_us = (salookup_now() - t0) * 1e6 / (SALOOKUP_CALLS / 10);
		t0 = salookup_now();
		for (i = 0; i < SALOOKUP_CALLS / 10; i++)
			(void)ike_engine_run_timers(eng, 1);
		empty_us = (salookup_now() - t0) * 1e6 / (SALOOKUP_CALLS / 10);
		printf("salookup: sas=%zu find_cookies_us=%.3f find_peer_us=%.3f "
		    "find_child_peer_us=%.3f timer_update_us=%.3f "
		    "timer_run_us=%.3f run_empty_us=%.3f misses=%u "
		    "p1_struct_bytes=%zu child_struct_bytes=%zu\n", have,
		    find_us, peer_us, child_us, timer_us < 0 ? 0 : timer_us,
		    run_us, empty_us, misses, sizeof(struct ike_p1),
		    sizeof(struct ike_child));
	}
	ike_engine_free(eng);
	kernel_close(kern);
	free(cookies);
	return (0);
}
