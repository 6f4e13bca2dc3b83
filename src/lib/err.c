#include "err.h"

const char *
err_str(int code)
{
	switch (code) {
	case ERR_OK:
		return ("success");
	case ERR_NOMEM:
		return ("out of memory");
	case ERR_TRUNCATED:
		return ("input truncated");
	case ERR_MALFORMED:
		return ("malformed input");
	case ERR_TOOBIG:
		return ("size limit exceeded");
	case ERR_UNSUPPORTED:
		return ("not supported");
	case ERR_NOTFOUND:
		return ("not found");
	case ERR_EXISTS:
		return ("already exists");
	case ERR_CRYPTO:
		return ("cryptographic operation failed");
	case ERR_AUTH:
		return ("authentication failed");
	case ERR_SYSTEM:
		return ("system call failed");
	case ERR_STATE:
		return ("invalid state");
	case ERR_CONFIG:
		return ("invalid configuration");
	case ERR_PERM:
		return ("permission denied");
	case ERR_INVAL:
		return ("invalid argument");
	case ERR_TIMEOUT:
		return ("timed out");
	case ERR_PROPOSAL:
		return ("no acceptable proposal");
	}
	return ("unknown error");
}
