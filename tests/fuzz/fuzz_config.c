/*
 * The body shared by the libFuzzer targets of the configuration parsers:
 * parse, validate, print the result and free it.  Any input must give
 * either a configuration or error messages, never a crash, a leak or
 * undefined behaviour.  Where the format has a writer, a valid
 * configuration, written out again, must parse and validate without
 * errors to the same number of items.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_config.h"

static void
fuzz_config_round_trip(const struct fuzz_config_format *fmt,
    const struct config *cf)
{
	struct config_diag	 diag;
	struct config		*again;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		return;
	if (fmt->fcf_write(fp, cf) != 0 || fclose(fp) != 0)
		abort();
	if ((again = config_new()) == NULL) {
		free(text);
		return;
	}
	diag_init(&diag);
	if (config_parse_buf(again, fmt->fcf_kind, "again", text, len,
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
fuzz_config_run(const struct fuzz_config_format *fmt, const uint8_t *data,
    size_t len)
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
	rc = fmt->fcf_parse(cf, data, len, &diag);
	/* Validation runs after parse errors too, as in config_load. */
	if (config_validate(cf, &diag) == 0 && rc == 0) {
		config_print(sink, cf);
		if (fmt->fcf_write != NULL)
			fuzz_config_round_trip(fmt, cf);
		if (fmt->fcf_check != NULL)
			fmt->fcf_check(cf);
	}
	diag_free(&diag);
	config_free(cf);
	return (0);
}
