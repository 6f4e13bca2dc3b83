/*
 * libFuzzer target for the ipsecinit.conf parser, with the checks of
 * fuzz_config.c (there is no writer, so no round trip).  Host names are
 * not resolved (numeric mode), so no input sends a DNS query.
 */
#include <stdint.h>

#include "config/parse.h"
#include "fuzz_config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_ipsecinit_parse(struct config *cf, const uint8_t *data, size_t len,
    struct config_diag *diag)
{
	return (ipsecinit_parse_flags(cf, "fuzz", data, len, PARSE_NUMERIC,
	    diag));
}

static const struct fuzz_config_format fuzz_ipsecinit = {
	CONFIG_FILE_IPSECINIT, fuzz_ipsecinit_parse, NULL,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return (fuzz_config_run(&fuzz_ipsecinit, data, len));
}
