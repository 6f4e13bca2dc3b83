/*
 * libFuzzer target for the ike.config parser: parse, validate, print the
 * result and free it.  Any input must give either a configuration or
 * error messages, never a crash, a leak or undefined behaviour.  A valid
 * configuration, written out again, must parse and validate without
 * errors to the same number of items.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "config/diag.h"
#include "config/parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_round_trip(const struct config *cf)
{
	struct config_diag	 diag;
	struct config		*again;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		return;
	if (config_write_rules(fp, cf) != 0 || fclose(fp) != 0)
		abort();
	if ((again = config_new()) == NULL) {
		free(text);
		return;
	}
	diag_init(&diag);
	if (config_parse_buf(again, CONFIG_FILE_IKE, "again", text, len,
	    &diag) != 0 || config_validate(again, &diag) != 0)
		abort();
	if (again->cf_nrules != cf->cf_nrules ||
	    again->cf_npsks != cf->cf_npsks)
		abort();
	diag_free(&diag);
	config_free(again);
	free(text);
}

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
	rc = ikeconf_parse(cf, "fuzz", data, len, &diag);
	/* Validation runs after parse errors too, as in config_load. */
	if (config_validate(cf, &diag) == 0 && rc == 0) {
		config_print(sink, cf);
		fuzz_round_trip(cf);
	}
	diag_free(&diag);
	config_free(cf);
	return (0);
}
