#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/err.h"
#include "lib/wbuf.h"

static void
wbuf_integers_big_endian(void **state)
{
	static const uint8_t	expect[] = {
		0xab, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08
	};
	struct wbuf		wb;

	wbuf_init(&wb, 0);
	assert_int_equal(wbuf_put_u8(&wb, 0xab), 0);
	assert_int_equal(wbuf_put_u16(&wb, 0x1234), 0);
	assert_int_equal(wbuf_put_u32(&wb, 0xdeadbeef), 0);
	assert_int_equal(wbuf_put_u64(&wb, 0x0102030405060708ULL), 0);
	assert_int_equal(wb.wb_len, sizeof(expect));
	assert_memory_equal(wb.wb_data, expect, sizeof(expect));
	wbuf_free(&wb);
}

static void
wbuf_backpatch_length(void **state)
{
	struct wbuf	wb;

	wbuf_init(&wb, 0);
	assert_int_equal(wbuf_put_zero(&wb, 4), 0);
	assert_int_equal(wbuf_set_u16(&wb, 2, 0x0102), 0);
	assert_int_equal(wb.wb_data[2], 0x01);
	assert_int_equal(wb.wb_data[3], 0x02);
	assert_int_equal(wbuf_set_u16(&wb, 3, 1), ERR_INVAL);
	assert_int_equal(wbuf_set_u32(&wb, 1, 1), ERR_INVAL);
	assert_int_equal(wbuf_set_u8(&wb, 4, 1), ERR_INVAL);
	wbuf_free(&wb);
}

static void
wbuf_grows_secret_buffer(void **state)
{
	struct wbuf	wb;
	uint8_t		chunk[100];
	int		i;

	memset(chunk, 0x5a, sizeof(chunk));
	wbuf_init(&wb, 1);
	for (i = 0; i < 50; i++)
		assert_int_equal(wbuf_put(&wb, chunk, sizeof(chunk)), 0);
	assert_int_equal(wb.wb_len, 5000);
	assert_int_equal(wb.wb_data[4999], 0x5a);
	wbuf_reset(&wb);
	assert_int_equal(wb.wb_len, 0);
	wbuf_free(&wb);
	assert_null(wb.wb_data);
}

static void
wbuf_rejects_oversize(void **state)
{
	struct wbuf	wb;

	wbuf_init(&wb, 0);
	assert_int_equal(wbuf_reserve(&wb, WBUF_MAX + 1), ERR_TOOBIG);
	assert_int_equal(wbuf_put_zero(&wb, WBUF_MAX), 0);
	assert_int_equal(wbuf_put_u8(&wb, 0), ERR_TOOBIG);
	wbuf_free(&wb);
}

/* Zero bytes into a buffer without storage: no pointer arithmetic on NULL. */
static void
wbuf_empty_append(void **state)
{
	struct wbuf	 wb;
	uint8_t		*p;

	wbuf_init(&wb, 1);
	assert_int_equal(wbuf_put_zero(&wb, 0), 0);
	assert_int_equal(wbuf_put(&wb, "", 0), 0);
	assert_int_equal(wbuf_alloc(&wb, 0, &p), 0);
	assert_int_equal(wb.wb_len, 0);
	wbuf_free(&wb);
}

static void
wbuf_trim_to_contents(void **state)
{
	struct wbuf	wb;
	int		secret;

	for (secret = 0; secret < 2; secret++) {
		wbuf_init(&wb, secret);
		assert_int_equal(wbuf_put(&wb, "abcdefgh", 8), 0);
		assert_true(wb.wb_cap > 8);
		wbuf_trim(&wb);
		assert_int_equal(wb.wb_cap, 8);
		assert_int_equal(wb.wb_len, 8);
		assert_memory_equal(wb.wb_data, "abcdefgh", 8);
		/* It still grows after a trim. */
		assert_int_equal(wbuf_put_u8(&wb, 'i'), 0);
		assert_int_equal(wb.wb_len, 9);
		assert_memory_equal(wb.wb_data, "abcdefghi", 9);
		wbuf_reset(&wb);
		wbuf_trim(&wb);
		assert_null(wb.wb_data);
		assert_int_equal(wb.wb_cap, 0);
		wbuf_free(&wb);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wbuf_integers_big_endian),
		cmocka_unit_test(wbuf_backpatch_length),
		cmocka_unit_test(wbuf_grows_secret_buffer),
		cmocka_unit_test(wbuf_trim_to_contents),
		cmocka_unit_test(wbuf_rejects_oversize),
		cmocka_unit_test(wbuf_empty_append),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
