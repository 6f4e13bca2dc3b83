/*
 * libFuzzer target for the ike.preshared parser, with the checks of
 * fuzz_config.c and a round trip through config_write_preshared.
 */
#include <stdint.h>

#include "config/parse.h"
#include "fuzz_config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_preshared_parse(struct config *cf, const uint8_t *data, size_t len,
    struct config_diag *diag)
{
	return (preshared_parse(cf, "fuzz", data, len, diag));
}

static const struct fuzz_config_format fuzz_preshared = {
	CONFIG_FILE_PRESHARED, fuzz_preshared_parse, config_write_preshared,
	NULL,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return (fuzz_config_run(&fuzz_preshared, data, len));
}
