/* in.iked -c: check the configuration files and report every error. */
#include <stdio.h>

#include "daemon/opts.h"

int
check_run(const struct iked_opts *opts)
{
	/* NOTE: the configuration parsers are not linked in yet. */
	fprintf(stderr, "in.iked: configuration check is not available yet\n");
	return (1);
}
