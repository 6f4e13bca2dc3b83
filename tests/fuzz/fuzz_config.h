/*
 * The body shared by the libFuzzer targets of the configuration parsers.
 */
#ifndef FUZZ_CONFIG_H
#define FUZZ_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "config/diag.h"

/* One file format: how a target parses it and writes it out again. */
struct fuzz_config_format {
	int	 fcf_kind;	/* CONFIG_FILE_*, to parse the output again */
	int	(*fcf_parse)(struct config *, const uint8_t *, size_t,
		    struct config_diag *);
	int	(*fcf_write)(FILE *, const struct config *); /* NULL: none */
	/* Aborts unless a valid configuration keeps an invariant, or NULL. */
	void	(*fcf_check)(const struct config *);
};

int	fuzz_config_run(const struct fuzz_config_format *, const uint8_t *,
	    size_t);

#endif
