/*
 * Keywords and tables shared by the control server and ikeadm: debug
 * categories, privilege names and the IKE algorithm lists (which come
 * from the crypto module).
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

/*
 * Parse a change of the current debug level: "-op" removes op from
 * current, "+cert-key" adds cert and removes key.  Returns 0 or ERR_INVAL
 * (no leading '+' or '-', unknown keyword, empty term).
 */
int	control_debug_change(const char *, uint32_t current, uint32_t *);

/* Parse "base", "modkeys", "keymat" or 0..2.  Returns 0 or ERR_INVAL. */
int	control_priv_parse(const char *, uint32_t *);

/*
 * Fill the row at index of CONTROL_DUMP_GROUPS, _ENCRALGS or _AUTHALGS
 * from the crypto module, listing only what it implements, and set *next
 * to the following index or 0 after the last row.  Returns 0 or
 * ERR_NOTFOUND.
 */
int	control_algs_row(int cmd, uint32_t index, struct control_alg_info *,
	    uint32_t *next);

/* Names for output: "aes-cbc", "hmac-sha256", "2048-bit MODP (group 14)". */
const char	*control_encr_name(uint32_t);
const char	*control_auth_name(uint32_t);
const char	*control_group_desc(uint32_t);

#endif /* IKED_CONTROL_NAMES_H */
