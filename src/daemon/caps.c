/* Dropping the capabilities in.iked no longer needs after start-up. */
#include <unistd.h>

#ifdef IKED_HAVE_CAPNG
#include <cap-ng.h>
#endif

#include "daemon/caps.h"
#include "lib/err.h"
#include "lib/log.h"

#ifdef IKED_HAVE_CAPNG
int
caps_drop(void)
{
	if (geteuid() != 0)
		return (0);
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW, -1) != 0 ||
	    capng_apply(CAPNG_SELECT_BOTH) != 0) {
		log_err("dropping capabilities failed: in.iked keeps running "
		    "with all of root's capabilities");
		return (ERR_SYSTEM);
	}
	log_debug(D_OP, "capabilities reduced to CAP_NET_ADMIN, "
	    "CAP_NET_BIND_SERVICE and CAP_NET_RAW");
	return (0);
}
#else
int
caps_drop(void)
{
	log_info("built without libcap-ng: in.iked keeps all of root's "
	    "capabilities");
	return (0);
}
#endif
