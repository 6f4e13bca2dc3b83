/* The kernel interface with the none backend, as the engine tests use it. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/kernel.h"
#include "lib/err.h"

struct seen {
	int			expires;
	struct kernel_expire	last;
};

static void
seen_expire(void *arg, const struct kernel_expire *exp)
{
	struct seen	*s = arg;

	s->expires++;
	s->last = *exp;
}

static void
addr(struct sockaddr_storage *ss, const char *text)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &sin->sin_addr), 1);
}

static struct kernel *
open_none(struct seen *s)
{
	struct kernel_callbacks	 cb = { .kc_expire = seen_expire };
	struct kernel		*k;

	memset(s, 0, sizeof(*s));
	assert_int_equal(kernel_open(&k, KERNEL_BACKEND_NONE, NULL, &cb, s,
	    NULL), 0);
	return (k);
}

static void
make_sa(struct kernel_sa *sa, uint32_t spi, uint8_t *key)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = KERNEL_DIR_IN;
	addr(&sa->sa_id.id_src, "198.51.100.2");
	addr(&sa->sa_id.id_dst, "198.51.100.1");
	sa->sa_id.id_spi = spi;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = KERNEL_MODE_TUNNEL;
	sa->sa_encr = KERNEL_ENCR_AES_GCM_16;
	sa->sa_encr_key = key;
	sa->sa_encr_keylen = 20;
	sa->sa_reqid = 3;
}

static void
none_records_sas(void **state)
{
	struct seen		 s;
	struct kernel		*k = open_none(&s);
	struct kernel_sa	 sa;
	const struct kernel_sa	*got;
	struct kernel_sa_stats	 st;
	uint8_t			 key[20];
	uint32_t		 spi1, spi2;

	memset(key, 0x5a, sizeof(key));
	assert_int_equal(kernel_get_spi(k, NULL, NULL, KERNEL_PROTO_ESP, 3,
	    &spi1), 0);
	assert_int_equal(kernel_get_spi(k, NULL, NULL, KERNEL_PROTO_ESP, 3,
	    &spi2), 0);
	assert_int_not_equal(spi1, spi2);
	assert_true(spi1 >= 256);
	make_sa(&sa, spi1, key);
	assert_int_equal(kernel_add_sa(k, &sa), 0);
	assert_int_equal(kernel_add_sa(k, &sa), ERR_EXISTS);
	/* The backend keeps its own copy of the key. */
	memset(key, 0, sizeof(key));
	assert_int_equal(kernel_none_sa_count(k), 1);
	got = kernel_none_sa_at(k, 0);
	assert_non_null(got);
	assert_int_equal(got->sa_id.id_spi, spi1);
	assert_int_equal(got->sa_encr_keylen, 20);
	assert_int_equal(got->sa_encr_key[19], 0x5a);
	assert_null(kernel_none_sa_at(k, 1));
	assert_int_equal(kernel_query_sa(k, &sa.sa_id, &st), 0);
	assert_true(st.st_add_time > 0);
	assert_int_equal(kernel_delete_sa(k, &sa.sa_id), 0);
	assert_int_equal(kernel_delete_sa(k, &sa.sa_id), ERR_NOTFOUND);
	assert_int_equal(kernel_none_sa_count(k), 0);
	kernel_close(k);
}

static void
none_rejects_invalid_sa(void **state)
{
	struct seen		 s;
	struct kernel		*k = open_none(&s);
	struct kernel_sa	 sa;
	uint8_t			 key[KERNEL_KEY_MAX + 1] = { 0 };

	make_sa(&sa, 100, key);
	assert_int_equal(kernel_add_sa(k, &sa), ERR_INVAL);
	make_sa(&sa, 0x1000, key);
	sa.sa_encr_keylen = sizeof(key);
	assert_int_equal(kernel_add_sa(k, &sa), ERR_INVAL);
	make_sa(&sa, 0x1000, key);
	sa.sa_id.id_proto = KERNEL_PROTO_AH;
	assert_int_equal(kernel_add_sa(k, &sa), ERR_UNSUPPORTED);
	assert_int_equal(kernel_none_sa_count(k), 0);
	kernel_close(k);
}

static void
none_expire_reports(void **state)
{
	struct seen		 s;
	struct kernel		*k = open_none(&s);
	struct kernel_sa	 sa;
	uint8_t			 key[20] = { 0 };

	make_sa(&sa, 0x2000, key);
	assert_int_equal(kernel_add_sa(k, &sa), 0);
	assert_int_equal(kernel_none_expire(k, &sa.sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	assert_int_equal(s.expires, 1);
	assert_int_equal(s.last.exp_hard, 0);
	assert_int_equal(s.last.exp_reqid, 3);
	assert_int_equal(s.last.exp_id.id_spi, 0x2000);
	assert_int_equal(kernel_none_sa_count(k), 1);
	assert_int_equal(kernel_none_expire(k, &sa.sa_id, 1,
	    KERNEL_EXPIRE_KBYTES), 0);
	assert_int_equal(s.expires, 2);
	assert_int_equal(s.last.exp_hard, 1);
	assert_int_equal(s.last.exp_reason, KERNEL_EXPIRE_KBYTES);
	assert_int_equal(kernel_none_sa_count(k), 0);
	assert_int_equal(kernel_none_expire(k, &sa.sa_id, 1,
	    KERNEL_EXPIRE_KBYTES), ERR_NOTFOUND);
	kernel_close(k);
}

static void
none_records_policies(void **state)
{
	struct seen			 s;
	struct kernel			*k = open_none(&s);
	struct kernel_policy		 pol;
	const struct kernel_policy	*got;

	memset(&pol, 0, sizeof(pol));
	pol.pol_dir = KERNEL_DIR_OUT;
	addr(&pol.pol_sel.sel_src, "192.0.2.0");
	addr(&pol.pol_sel.sel_dst, "203.0.113.0");
	pol.pol_sel.sel_src_prefix = 24;
	pol.pol_sel.sel_dst_prefix = 24;
	pol.pol_action = KERNEL_ACTION_IPSEC;
	pol.pol_mode = KERNEL_MODE_TUNNEL;
	addr(&pol.pol_tun_src, "198.51.100.1");
	addr(&pol.pol_tun_dst, "198.51.100.2");
	pol.pol_reqid = 9;
	assert_int_equal(kernel_add_policy(k, &pol), 0);
	assert_int_equal(kernel_add_policy(k, &pol), ERR_EXISTS);
	pol.pol_dir = KERNEL_DIR_IN;
	assert_int_equal(kernel_add_policy(k, &pol), 0);
	assert_int_equal(kernel_none_policy_count(k), 2);
	got = kernel_none_policy_at(k, 0);
	assert_non_null(got);
	assert_int_equal(got->pol_reqid, 9);
	assert_int_equal(got->pol_dir, KERNEL_DIR_OUT);
	assert_int_equal(kernel_delete_policy(k, &pol), 0);
	assert_int_equal(kernel_none_policy_count(k), 1);
	pol.pol_sel.sel_dst_prefix = 33;
	assert_int_equal(kernel_add_policy(k, &pol), ERR_INVAL);
	assert_int_equal(kernel_flush(k), 0);
	assert_int_equal(kernel_none_policy_count(k), 0);
	kernel_close(k);
}

static void
backend_names(void **state)
{
	enum kernel_backend	 b;
	struct kernel		*k;

	assert_int_equal(kernel_backend_parse("userspace", &b), 0);
	assert_int_equal(b, KERNEL_BACKEND_USERSPACE);
	assert_int_equal(kernel_backend_parse("xfrm", &b), 0);
	assert_int_equal(b, KERNEL_BACKEND_XFRM);
	assert_int_equal(kernel_backend_parse("pfkey", &b), ERR_INVAL);
	assert_string_equal(kernel_backend_name(KERNEL_BACKEND_NONE), "none");
	assert_int_equal(kernel_open(&k, KERNEL_BACKEND_XFRM, NULL, NULL,
	    NULL, NULL), ERR_UNSUPPORTED);
	assert_null(k);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(none_records_sas),
		cmocka_unit_test(none_rejects_invalid_sa),
		cmocka_unit_test(none_expire_reports),
		cmocka_unit_test(none_records_policies),
		cmocka_unit_test(backend_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
