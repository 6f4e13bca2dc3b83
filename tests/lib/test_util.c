#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/err.h"
#include "lib/paths.h"
#include "lib/util.h"

static void
util_hex_round_trip(void **state)
{
	static const uint8_t	in[] = { 0x00, 0x9f, 0xa0, 0xff };
	uint8_t			out[8];
	char			hex[16];
	size_t			len;

	assert_int_equal(util_hex_encode(hex, sizeof(hex), in, sizeof(in)), 8);
	assert_string_equal(hex, "009fa0ff");
	assert_int_equal(util_hex_decode(out, sizeof(out), "009FA0ff", &len),
	    0);
	assert_int_equal(len, 4);
	assert_memory_equal(out, in, 4);
	assert_int_equal(util_hex_decode(out, sizeof(out), "0g", &len),
	    ERR_MALFORMED);
	assert_int_equal(util_hex_decode(out, sizeof(out), "abc", &len),
	    ERR_MALFORMED);
	assert_int_equal(util_hex_decode(out, 1, "abcd", &len), ERR_TOOBIG);
}

static void
util_hex_encode_truncates(void **state)
{
	static const uint8_t	in[] = { 0x12, 0x34, 0x56 };
	char			hex[5];

	assert_int_equal(util_hex_encode(hex, sizeof(hex), in, sizeof(in)), 4);
	assert_string_equal(hex, "1234");
}

static void
util_memeq_ct_compares(void **state)
{
	assert_true(util_memeq_ct("abcd", "abcd", 4));
	assert_false(util_memeq_ct("abcd", "abce", 4));
	assert_false(util_memeq_ct("xbcd", "abcd", 4));
	assert_true(util_memeq_ct("a", "b", 0));
}

static void
paths_join_under_root(void **state)
{
	char	out[64];

	assert_int_equal(paths_join(out, sizeof(out), "/", PATH_IKE_CONFIG), 0);
	assert_string_equal(out, "/etc/inet/ike/config");
	assert_int_equal(paths_join(out, sizeof(out), "/tmp/r/",
	    PATH_IKE_CONFIG), 0);
	assert_string_equal(out, "/tmp/r/etc/inet/ike/config");
	assert_int_equal(paths_join(out, sizeof(out), NULL, "/x"), 0);
	assert_string_equal(out, "/x");
	assert_int_equal(paths_join(out, 8, "/tmp/r", PATH_IKE_CONFIG),
	    ERR_TOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(util_hex_round_trip),
		cmocka_unit_test(util_hex_encode_truncates),
		cmocka_unit_test(util_memeq_ct_compares),
		cmocka_unit_test(paths_join_under_root),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
