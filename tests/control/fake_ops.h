/*
 * A small in-memory daemon behind struct control_ops, with fixed test data,
 * for the dispatch and socket tests.
 */
#ifndef IKED_TEST_FAKE_OPS_H
#define IKED_TEST_FAKE_OPS_H

#include "control/server.h"

#define FAKE_MAX	8

struct fake_state {
	uint32_t			debug;
	int				debug_fd;
	uint32_t			priv;
	struct control_p1_info		p1[FAKE_MAX];
	uint32_t			np1;
	struct control_rule_info	rules[FAKE_MAX];
	uint32_t			nrules;
	struct control_psk_info		psks[FAKE_MAX];
	uint32_t			npsks;
	uint32_t			ncerts;
	uint32_t			rule_logs;
};

extern const struct control_ops fake_ops;

/* Fill st with the test data: 2 Phase 1 SAs, 2 rules, 2 keys, 1 cert. */
void	fake_state_init(struct fake_state *st);

#endif /* IKED_TEST_FAKE_OPS_H */
