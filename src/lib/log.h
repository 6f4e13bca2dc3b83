/*
 * Logging for in.iked and its tools.  Messages go to stderr (foreground,
 * -d) or syslog, and debug messages also to the file set by
 * "ikeadm set debug".  Debug messages carry one of the Solaris debug
 * categories below, and are written only when that bit is enabled.
 *
 * Never pass a secret (key, DH value, SKEYID) to any of these functions.
 */
#ifndef IKED_LOG_H
#define IKED_LOG_H

#include <stdint.h>

/* Debug categories: the bit values of the Solaris ikeadm debug mask. */
#define D_CERT		0x001	/* certificate management */
#define D_KEY		0x002	/* key management */
#define D_OP		0x004	/* operational */
#define D_P1		0x008	/* Phase 1 SA creation */
#define D_P2		0x010	/* Phase 2 SA creation */
#define D_PFKEY		0x020	/* kernel SA interface */
#define D_POL		0x040	/* policy management */
#define D_PROP		0x080	/* proposal construction */
#define D_DOOR		0x100	/* control socket */
#define D_CONFIG	0x200	/* configuration file processing */
#define D_ALL		0x3ff

enum log_dest {
	LOG_DEST_STDERR,
	LOG_DEST_SYSLOG,
};

void	 log_init(const char *, enum log_dest);
void	 log_set_debug(uint32_t);
uint32_t log_get_debug(void);
int	 log_set_debug_fd(int);
int	 log_debug_enabled(uint32_t);

void	 log_err(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	 log_debug(uint32_t, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Rate limit for messages a peer can trigger: at most `burst' messages per
 * `interval' seconds pass; the rest are counted and reported once the
 * interval ends, by log_ratelimit_flush or by the next message.
 */
struct log_ratelimit {
	int64_t			 lr_start;
	unsigned int		 lr_interval;
	unsigned int		 lr_burst;
	unsigned int		 lr_count;
	unsigned int		 lr_suppressed;
	/* The list of limits with suppressed messages, for the flush. */
	struct log_ratelimit	*lr_next;
	struct log_ratelimit	**lr_prevp;	/* NULL when not listed */
};

#define LOG_RATELIMIT_INIT(interval, burst)	{ 0, (interval), (burst), 0, 0, \
						  NULL, NULL }

int	 log_ratelimit_pass(struct log_ratelimit *);
/*
 * Report the suppressed messages of every limit whose interval has
 * ended, with the seconds since it began.  Call it about once a second.
 */
void	 log_ratelimit_flush(void);
/* Take lr off the flush list before its memory is freed. */
void	 log_ratelimit_forget(struct log_ratelimit *);

#endif /* IKED_LOG_H */
