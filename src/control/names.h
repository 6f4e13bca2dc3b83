/*
 * Keywords and tables shared by the control server and ikeadm: debug
 * categories, privilege names and the IKE algorithm lists.
 */
#ifndef IKED_CONTROL_NAMES_H
#define IKED_CONTROL_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "control/control.h"

/* A debug category: its bit, keywords and the text "get debug" prints. */
struct control_debug_cat {
	uint32_t	 bit;
	const char	*name;
	const char	*alias;		/* NULL when none */
	const char	*desc;
};

const struct control_debug_cat *control_debug_cats_get(size_t *);

/*
 * Parse a debug level: "88", "0x58", or "phase1+phase2+policy",
 * "all-op".  Returns 0 or ERR_INVAL (unknown keyword, bits outside
 * 0x3ff, empty term).
 */
int	control_debug_parse(const char *, uint32_t *);

/* Parse "base", "modkeys", "keymat" or 0..2.  Returns 0 or ERR_INVAL. */
int	control_priv_parse(const char *, uint32_t *);

/* The rows of CONTROL_DUMP_GROUPS, _ENCRALGS or _AUTHALGS. */
const struct control_alg_info *control_algs_get(int cmd, size_t *n);
const struct control_alg_info *control_algs_find(int cmd, uint32_t value);

#endif /* IKED_CONTROL_NAMES_H */
