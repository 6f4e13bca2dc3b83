#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/err.h"
#include "lib/rbuf.h"

static const uint8_t sample[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
};

static void
rbuf_integers_big_endian(void **state)
{
	struct rbuf	rb;
	uint8_t		u8;
	uint16_t	u16;
	uint32_t	u32;
	uint64_t	u64;

	rbuf_init(&rb, sample, sizeof(sample));
	assert_int_equal(rbuf_get_u8(&rb, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(rbuf_get_u16(&rb, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(rbuf_get_u32(&rb, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(rbuf_get_u64(&rb, &u64), 0);
	assert_true(u64 == 0x08090a0b0c0d0e0fULL);
	assert_int_equal(rbuf_left(&rb), 0);
}

static void
rbuf_short_read_keeps_cursor(void **state)
{
	struct rbuf	rb;
	uint32_t	u32;
	uint64_t	u64;
	uint8_t		out[4];

	rbuf_init(&rb, sample, 3);
	assert_int_equal(rbuf_get_u32(&rb, &u32), ERR_TRUNCATED);
	assert_int_equal(rbuf_offset(&rb), 0);
	assert_int_equal(rbuf_get_u64(&rb, &u64), ERR_TRUNCATED);
	assert_int_equal(rbuf_get_bytes(&rb, out, 4), ERR_TRUNCATED);
	assert_int_equal(rbuf_skip(&rb, 4), ERR_TRUNCATED);
	assert_int_equal(rbuf_offset(&rb), 0);
	assert_int_equal(rbuf_skip(&rb, 3), 0);
	assert_int_equal(rbuf_left(&rb), 0);
}

static void
rbuf_sub_view_is_bounded(void **state)
{
	struct rbuf	rb, sub;
	uint16_t	u16;
	uint8_t		u8;

	rbuf_init(&rb, sample, sizeof(sample));
	assert_int_equal(rbuf_get_sub(&rb, 3, &sub), 0);
	assert_int_equal(rbuf_left(&rb), sizeof(sample) - 3);
	assert_int_equal(rbuf_get_u16(&sub, &u16), 0);
	assert_int_equal(u16, 0x0102);
	assert_int_equal(rbuf_get_u16(&sub, &u16), ERR_TRUNCATED);
	assert_int_equal(rbuf_get_u8(&sub, &u8), 0);
	assert_int_equal(u8, 0x03);
	assert_int_equal(rbuf_get_sub(&rb, sizeof(sample), &sub),
	    ERR_TRUNCATED);
}

static void
rbuf_peek_does_not_advance(void **state)
{
	struct rbuf	rb;
	uint16_t	u16;

	rbuf_init(&rb, sample, sizeof(sample));
	assert_int_equal(rbuf_peek_u16(&rb, &u16), 0);
	assert_int_equal(u16, 0x0102);
	assert_int_equal(rbuf_offset(&rb), 0);
}

static void
rbuf_null_data_is_empty(void **state)
{
	struct rbuf	rb;
	uint8_t		u8;

	rbuf_init(&rb, NULL, 10);
	assert_int_equal(rbuf_left(&rb), 0);
	assert_int_equal(rbuf_get_u8(&rb, &u8), ERR_TRUNCATED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rbuf_integers_big_endian),
		cmocka_unit_test(rbuf_short_read_keeps_cursor),
		cmocka_unit_test(rbuf_sub_view_is_bounded),
		cmocka_unit_test(rbuf_peek_does_not_advance),
		cmocka_unit_test(rbuf_null_data_is_empty),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
