/*
 * Helpers shared by the XFRM backend tests.
 */
#ifndef IKED_XFRM_TEST_H
#define IKED_XFRM_TEST_H

#include <sys/socket.h>
#include <stdint.h>

#include "kernel/kernel.h"

struct event_base;

/*
 * Open the XFRM backend like kernel_open does, but without its ESP probe,
 * so the parts that work without ESP can be tested on any kernel.
 */
int	 xfrm_test_open(struct kernel **, struct event_base *,
	    const struct kernel_callbacks *, void *);
/* An IPv4 or IPv6 address from text, with a port in host order. */
void	 xfrm_test_addr(struct sockaddr_storage *, const char *, uint16_t);
/* Run a shell command and return its output (static buffer). */
const char	*xfrm_test_run(const char *);

#endif /* IKED_XFRM_TEST_H */
