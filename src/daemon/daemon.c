/* The daemon proper: event loop, sockets, signals and control server. */
#include <stdio.h>

#include "daemon/opts.h"

int
daemon_run(const struct iked_opts *opts)
{
	/* NOTE: the IKE engine is not linked in yet. */
	fprintf(stderr, "in.iked: the daemon is not available yet\n");
	return (1);
}
