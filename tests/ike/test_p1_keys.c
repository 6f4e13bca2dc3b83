/*
 * ike_engine_p1_keys: two engines run Main Mode through memory, then both
 * ends must lend the same SKEYID_d, SKEYID_a, SKEYID_e and encryption key
 * (RFC 2409 section 5) with the sizes of SHA-1 and AES-128.  Unknown
 * cookies are not found.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/diag.h"
#include "ike/ike.h"
#include "kernel/kernel.h"
#include "lib/err.h"

#define QUEUE_MAX	32

struct packet {
	int			 from;
	struct sockaddr_storage	 local;
	struct sockaddr_storage	 remote;
	uint8_t			*data;
	size_t			 len;
};

struct pair {
	struct ike_engine	*eng[2];
	struct kernel		*kern[2];
	int			 idx[2];
	struct packet		 queue[QUEUE_MAX];
	size_t			 nqueue;
	uint64_t		 now;
};

static struct pair	*current;

static int
host_send(void *arg, const struct ike_packet *pk)
{
	struct packet	*p;

	assert_true(current->nqueue < QUEUE_MAX);
	p = &current->queue[current->nqueue++];
	p->from = *(int *)arg;
	p->local = pk->pk_local;
	p->remote = pk->pk_remote;
	p->data = malloc(pk->pk_len);
	assert_non_null(p->data);
	memcpy(p->data, pk->pk_data, pk->pk_len);
	p->len = pk->pk_len;
	return (0);
}

static void
host_timer(void *arg, uint64_t deadline)
{
	(void)arg;
	(void)deadline;
}

static const struct ike_host test_host = {
	.ih_send = host_send,
	.ih_timer_changed = host_timer,
};

static const struct kernel_callbacks test_kernel_cb = { 0 };

static struct config *
make_config(const char *local, const char *remote)
{
	struct config_diag	 diag;
	struct config		*cf = config_new();
	char			 rules[512], keys[256];
	int			 n;

	assert_non_null(cf);
	n = snprintf(rules, sizeof(rules),
	    "{ label \"peer\" local_addr %s remote_addr %s\n"
	    "  p1_xform { auth_method preshared oakley_group 14 "
	    "encr_alg aes(128..128) auth_alg sha1 } }\n", local, remote);
	assert_true(n > 0 && (size_t)n < sizeof(rules));
	n = snprintf(keys, sizeof(keys), "{ localid %s remoteid %s "
	    "key \"test-key-for-p1-keys\" }\n", local, remote);
	assert_true(n > 0 && (size_t)n < sizeof(keys));
	diag_init(&diag);
	assert_int_equal(config_parse_buf(cf, CONFIG_FILE_IKE, "rules",
	    rules, strlen(rules), &diag), 0);
	assert_int_equal(config_parse_buf(cf, CONFIG_FILE_PRESHARED, "keys",
	    keys, strlen(keys), &diag), 0);
	assert_int_equal(config_validate(cf, &diag), 0);
	assert_int_equal(diag_count(&diag), 0);
	diag_free(&diag);
	return (cf);
}

/* Deliver queued datagrams until none is left. */
static void
pair_pump(struct pair *p)
{
	struct ike_packet	in;
	struct packet		pk;
	int			rounds = 0;

	while (p->nqueue > 0 && rounds++ < 100) {
		pk = p->queue[0];
		memmove(&p->queue[0], &p->queue[1],
		    (p->nqueue - 1) * sizeof(p->queue[0]));
		p->nqueue--;
		memset(&in, 0, sizeof(in));
		in.pk_local = pk.remote;
		in.pk_remote = pk.local;
		in.pk_data = pk.data;
		in.pk_len = pk.len;
		ike_engine_input(p->eng[1 - pk.from], &in, p->now);
		free(pk.data);
	}
}

static const char *const addrs[2] = { "192.0.2.1", "192.0.2.2" };

static int
setup(void **state)
{
	struct pair	*p = calloc(1, sizeof(*p));
	int		 i;

	if (p == NULL)
		return (-1);
	current = p;
	p->now = 1000;
	for (i = 0; i < 2; i++) {
		p->idx[i] = i;
		if (kernel_open(&p->kern[i], KERNEL_BACKEND_NONE, NULL,
		    &test_kernel_cb, NULL, NULL) != 0)
			return (-1);
		p->eng[i] = ike_engine_new(&test_host, &p->idx[i],
		    p->kern[i]);
		if (p->eng[i] == NULL)
			return (-1);
		if (ike_engine_set_config(p->eng[i],
		    make_config(addrs[i], addrs[1 - i]), p->now) != 0)
			return (-1);
	}
	*state = p;
	return (0);
}

static int
teardown(void **state)
{
	struct pair	*p = *state;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		ike_engine_free(p->eng[i]);
		kernel_close(p->kern[i]);
	}
	for (i = 0; i < p->nqueue; i++)
		free(p->queue[i].data);
	free(p);
	current = NULL;
	return (0);
}

/* A copy of the keys one engine lends. */
struct copied {
	uint8_t	skeyid[64], skeyid_d[64], skeyid_a[64], skeyid_e[64];
	uint8_t	enc[64], iv[32];
	size_t	skeyid_len, skeyid_d_len, skeyid_a_len, skeyid_e_len;
	size_t	enc_len, iv_len;
	int	calls;
};

static void
copy_view(uint8_t *out, size_t *len, const struct ike_key_view *kv)
{
	assert_true(kv->kv_len <= 64);
	memcpy(out, kv->kv_data, kv->kv_len);
	*len = kv->kv_len;
}

static int
copy_keys(void *arg, const struct ike_p1_keys *k)
{
	struct copied	*c = arg;

	copy_view(c->skeyid, &c->skeyid_len, &k->pk_skeyid);
	copy_view(c->skeyid_d, &c->skeyid_d_len, &k->pk_skeyid_d);
	copy_view(c->skeyid_a, &c->skeyid_a_len, &k->pk_skeyid_a);
	copy_view(c->skeyid_e, &c->skeyid_e_len, &k->pk_skeyid_e);
	copy_view(c->enc, &c->enc_len, &k->pk_enc_key);
	assert_true(k->pk_iv.kv_len <= sizeof(c->iv));
	memcpy(c->iv, k->pk_iv.kv_data, k->pk_iv.kv_len);
	c->iv_len = k->pk_iv.kv_len;
	c->calls++;
	return (0);
}

static int
first_cookies(void *arg, const struct ike_p1_info *pi)
{
	uint8_t	*cookies = arg;

	memcpy(cookies, pi->pi_icookie, 8);
	memcpy(cookies + 8, pi->pi_rcookie, 8);
	return (1);
}

static void
keys_match_at_both_ends(void **state)
{
	struct pair	*p = *state;
	struct copied	 k[2];
	uint8_t		 cookies[2][16];
	int		 i;

	assert_int_equal(ike_engine_initiate(p->eng[0], "peer", p->now), 0);
	pair_pump(p);
	memset(k, 0, sizeof(k));
	memset(cookies, 0, sizeof(cookies));
	for (i = 0; i < 2; i++) {
		ike_engine_foreach_p1(p->eng[i], first_cookies, cookies[i]);
		assert_int_equal(ike_engine_p1_keys(p->eng[i], cookies[i],
		    cookies[i] + 8, copy_keys, &k[i]), 0);
		assert_int_equal(k[i].calls, 1);
	}
	assert_memory_equal(cookies[0], cookies[1], 16);
	/* SHA-1 makes 20-byte SKEYIDs, AES-128 a 16-byte key and IV. */
	assert_int_equal(k[0].skeyid_len, 20);
	assert_int_equal(k[0].skeyid_d_len, 20);
	assert_int_equal(k[0].skeyid_a_len, 20);
	assert_int_equal(k[0].skeyid_e_len, 20);
	assert_int_equal(k[0].enc_len, 16);
	assert_int_equal(k[0].iv_len, 16);
	assert_int_equal(k[1].skeyid_d_len, 20);
	assert_memory_equal(k[0].skeyid, k[1].skeyid, 20);
	assert_memory_equal(k[0].skeyid_d, k[1].skeyid_d, 20);
	assert_memory_equal(k[0].skeyid_a, k[1].skeyid_a, 20);
	assert_memory_equal(k[0].skeyid_e, k[1].skeyid_e, 20);
	assert_memory_equal(k[0].enc, k[1].enc, 16);
	assert_memory_not_equal(k[0].skeyid_d, k[0].skeyid_a, 20);
}

static void
unknown_cookies_not_found(void **state)
{
	struct pair	*p = *state;
	struct copied	 k;
	uint8_t		 icookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t		 rcookie[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };

	memset(&k, 0, sizeof(k));
	assert_int_equal(ike_engine_p1_keys(p->eng[0], icookie, rcookie,
	    copy_keys, &k), ERR_NOTFOUND);
	assert_int_equal(k.calls, 0);
}

static void
half_open_sa_has_no_keys(void **state)
{
	struct pair	*p = *state;
	struct copied	 k;
	uint8_t		 cookies[16];

	/* The first message is never delivered: Main Mode stays open. */
	assert_int_equal(ike_engine_initiate(p->eng[0], "peer", p->now), 0);
	memset(&k, 0, sizeof(k));
	memset(cookies, 0, sizeof(cookies));
	ike_engine_foreach_p1(p->eng[0], first_cookies, cookies);
	assert_int_equal(ike_engine_p1_keys(p->eng[0], cookies, cookies + 8,
	    copy_keys, &k), ERR_STATE);
	assert_int_equal(k.calls, 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(keys_match_at_both_ends,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_cookies_not_found,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(half_open_sa_has_no_keys,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
