/*
 * libFuzzer target for the ike.config parser, with the checks of
 * fuzz_config.c and a round trip through config_write_rules.
 */
#include <stdint.h>

#include "config/parse.h"
#include "fuzz_config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_ikeconf_parse(struct config *cf, const uint8_t *data, size_t len,
    struct config_diag *diag)
{
	return (ikeconf_parse(cf, "fuzz", data, len, diag));
}

static const struct fuzz_config_format fuzz_ikeconf = {
	CONFIG_FILE_IKE, fuzz_ikeconf_parse, config_write_rules, NULL,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return (fuzz_config_run(&fuzz_ikeconf, data, len));
}
