/* Anti-replay window (RFC 4303 3.4.3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/replay.h"
#include "lib/err.h"

static void
accept(struct replay *rp, uint32_t seq)
{
	assert_int_equal(replay_check(rp, seq), 0);
	replay_update(rp, seq);
}

static void
replay_zero_rejected(void **state)
{
	struct replay	rp;

	replay_init(&rp, 0);
	assert_int_equal(rp.rp_size, REPLAY_DEFAULT);
	assert_int_equal(replay_check(&rp, 0), ERR_MALFORMED);
}

static void
replay_duplicates_rejected(void **state)
{
	struct replay	rp;
	uint32_t	seq;

	replay_init(&rp, 64);
	for (seq = 1; seq <= 200; seq++)
		accept(&rp, seq);
	for (seq = 137; seq <= 200; seq++)
		assert_int_equal(replay_check(&rp, seq), ERR_EXISTS);
	assert_int_equal(replay_check(&rp, 136), ERR_TOOBIG);
	assert_int_equal(replay_check(&rp, 1), ERR_TOOBIG);
	assert_int_equal(replay_check(&rp, 201), 0);
}

static void
replay_window_edges(void **state)
{
	struct replay	rp;

	replay_init(&rp, 64);
	accept(&rp, 64);
	/* Right edge 64: 1 is the left edge, still inside. */
	accept(&rp, 1);
	accept(&rp, 65);
	assert_int_equal(replay_check(&rp, 1), ERR_TOOBIG);
	assert_int_equal(replay_check(&rp, 2), 0);
	assert_int_equal(replay_check(&rp, 64), ERR_EXISTS);
}

static void
replay_gap_is_cleared(void **state)
{
	struct replay	rp;
	uint32_t	seq;

	replay_init(&rp, 1024);
	for (seq = 1; seq <= 1024; seq++)
		accept(&rp, seq);
	/* A jump of less than the bitmap clears the slots it passes. */
	accept(&rp, 1500);
	for (seq = 1025; seq < 1500; seq++)
		assert_int_equal(replay_check(&rp, seq), 0);
	assert_int_equal(replay_check(&rp, 476), ERR_TOOBIG);
	assert_int_equal(replay_check(&rp, 477), ERR_EXISTS);
	/* A jump past the whole bitmap. */
	accept(&rp, 100000);
	assert_int_equal(replay_check(&rp, 99000), 0);
	assert_int_equal(replay_check(&rp, 98976), ERR_TOOBIG);
	assert_int_equal(replay_check(&rp, 100000), ERR_EXISTS);
}

static void
replay_size_clamped(void **state)
{
	struct replay	rp;

	replay_init(&rp, 100000);
	assert_int_equal(rp.rp_size, REPLAY_MAX);
}

static void
replay_top_of_space(void **state)
{
	struct replay	rp;

	replay_init(&rp, 64);
	accept(&rp, UINT32_MAX);
	assert_int_equal(replay_check(&rp, UINT32_MAX), ERR_EXISTS);
	assert_int_equal(replay_check(&rp, UINT32_MAX - 63), 0);
	assert_int_equal(replay_check(&rp, UINT32_MAX - 64), ERR_TOOBIG);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(replay_zero_rejected),
		cmocka_unit_test(replay_duplicates_rejected),
		cmocka_unit_test(replay_window_edges),
		cmocka_unit_test(replay_gap_is_cleared),
		cmocka_unit_test(replay_size_clamped),
		cmocka_unit_test(replay_top_of_space),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
