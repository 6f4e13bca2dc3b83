/*
 * libFuzzer target for the ipsecinit.conf parser: parse, validate, print the
 * result and free it.  Any input must give either a configuration or
 * error messages, never a crash, a leak or undefined behaviour.  Host
 * names are not resolved (numeric mode), so no input sends a DNS query.
 */
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "config/diag.h"
#include "config/parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static FILE		*sink;
	struct config_diag	 diag;
	struct config		*cf;
	int			 rc;

	if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
		return (0);
	if ((cf = config_new()) == NULL)
		return (0);
	diag_init(&diag);
	rc = ipsecinit_parse_flags(cf, "fuzz", data, len,
	    PARSE_NUMERIC, &diag);
	/* Validation runs after parse errors too, as in config_load. */
	if (config_validate(cf, &diag) == 0 && rc == 0)
		config_print(sink, cf);
	diag_free(&diag);
	config_free(cf);
	return (0);
}
