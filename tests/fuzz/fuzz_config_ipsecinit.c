/*
 * libFuzzer target for the ipsecinit.conf parser, with the checks of
 * fuzz_config.c (there is no writer, so no round trip) and of the match
 * order.  Host names are not resolved (numeric mode), so no input sends
 * a DNS query.
 */
#include <stdint.h>
#include <stdlib.h>

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

/* AH+ESP 3, ESP 2, AH 1; an entry counts its weakest alternative. */
static int
fuzz_ipsecinit_strength(const struct config_spd *s)
{
	size_t	i;
	int	min = 3, v;

	for (i = 0; i < s->sd_nalts; i++) {
		v = (s->sd_alts[i].sp_esp_encr.sa_set ? 2 : 0) +
		    (s->sd_alts[i].sp_ah_auth.sa_set ? 1 : 0);
		if (v < min)
			min = v;
	}
	return (min);
}

/*
 * Abort unless bypass and pass entries come first and, between two drop
 * entries, no entry is stronger than the one before it.
 */
static void
fuzz_ipsecinit_check(const struct config *cf)
{
	const struct config_spd	*s;
	size_t			 i;
	int			 act, clear = 1, prev = 3, v;

	for (i = 0; i < cf->cf_nspds; i++) {
		s = &cf->cf_spds[i];
		act = s->sd_alts[0].sp_action;
		if (act == CONFIG_SPD_BYPASS || act == CONFIG_SPD_PASS) {
			if (!clear)
				abort();
			continue;
		}
		clear = 0;
		if (act == CONFIG_SPD_DROP) {
			prev = 3;
			continue;
		}
		v = fuzz_ipsecinit_strength(s);
		if (v > prev)
			abort();
		prev = v;
	}
}

static const struct fuzz_config_format fuzz_ipsecinit = {
	CONFIG_FILE_IPSECINIT, fuzz_ipsecinit_parse, NULL,
	fuzz_ipsecinit_check,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return (fuzz_config_run(&fuzz_ipsecinit, data, len));
}
