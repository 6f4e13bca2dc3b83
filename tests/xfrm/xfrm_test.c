/*
 * Helpers shared by the XFRM backend tests.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_int.h"
#include "kernel/xfrm/kernel_xfrm.h"
#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"
#include "xfrm_test.h"

int
xfrm_test_open(struct kernel **out, struct event_base *base,
    const struct kernel_callbacks *cb, void *arg)
{
	struct kernel	*k;
	int		 r;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return (ERR_NOMEM);
	k->k_ops = &kernel_xfrm_ops;
	k->k_backend = KERNEL_BACKEND_XFRM;
	k->k_base = base;
	if (cb != NULL)
		k->k_cb = *cb;
	k->k_arg = arg;
	if ((r = kernel_xfrm_attach(k)) != 0) {
		free(k);
		return (r);
	}
	*out = k;
	return (0);
}

void
xfrm_test_addr(struct sockaddr_storage *ss, const char *text, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	} else {
		abort();
	}
}

const char *
xfrm_test_run(const char *cmd)
{
	static char	out[65536];
	FILE		*p;
	size_t		 n;

	out[0] = '\0';
	if ((p = popen(cmd, "r")) == NULL)
		return (out);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return (out);
}
