/*
 * Error codes shared by every module of in.iked.
 *
 * Functions return 0 on success or one of these negative codes.  The
 * detailed message (which payload, which line, which peer) is logged or
 * written to an error context by the function that found the problem;
 * the code only says which kind of failure it was.
 */
#ifndef IKED_ERR_H
#define IKED_ERR_H

enum err {
	ERR_OK = 0,
	ERR_NOMEM = -1,		/* allocation failed */
	ERR_TRUNCATED = -2,	/* input shorter than a length requires */
	ERR_MALFORMED = -3,	/* input has a field with an invalid value */
	ERR_TOOBIG = -4,	/* input or output exceeds a configured limit */
	ERR_UNSUPPORTED = -5,	/* valid, but not implemented or not allowed */
	ERR_NOTFOUND = -6,	/* lookup found nothing */
	ERR_EXISTS = -7,	/* entry already present */
	ERR_CRYPTO = -8,	/* the crypto library reported a failure */
	ERR_AUTH = -9,		/* authentication or integrity check failed */
	ERR_SYSTEM = -10,	/* a system call failed; errno is set */
	ERR_STATE = -11,	/* operation not valid in the current state */
	ERR_CONFIG = -12,	/* configuration is invalid */
	ERR_PERM = -13,		/* not permitted (privilege, file mode) */
	ERR_INVAL = -14,	/* invalid argument from a caller */
	ERR_TIMEOUT = -15,	/* an exchange or request timed out */
	ERR_PROPOSAL = -16,	/* no acceptable proposal */
};

const char	*err_str(int);

#endif /* IKED_ERR_H */
