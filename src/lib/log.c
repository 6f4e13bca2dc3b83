#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

static enum log_dest	 log_dest = LOG_DEST_STDERR;
static uint32_t		 log_debug_mask;
static int		 log_debug_fd = -1;
static unsigned long	 log_debug_dropped;	/* lines the file refused */
static const char	*log_ident = "in.iked";

void
log_init(const char *ident, enum log_dest dest)
{
	log_ident = ident;
	log_dest = dest;
	if (dest == LOG_DEST_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_debug(uint32_t mask)
{
	log_debug_mask = mask & D_ALL;
}

uint32_t
log_get_debug(void)
{
	return (log_debug_mask);
}

/*
 * Send debug output to fd as well (the "ikeadm set debug LEVEL FILE"
 * file).  The log takes ownership of fd; -1 closes the current file.
 * fd is made non-blocking, because a pipe or terminal that stops reading
 * would otherwise stop the whole daemon in write(2): the lines it does
 * not take are dropped, and their count is written once it takes lines
 * again.  Returns 0, or ERR_SYSTEM when fcntl fails: fd is then closed and
 * debug output goes to the log only.
 */
int
log_set_debug_fd(int fd)
{
	int	flags, saved;

	if (log_debug_fd >= 0)
		(void)close(log_debug_fd);
	log_debug_fd = fd;
	log_debug_dropped = 0;
	if (fd < 0)
		return (0);
	if ((flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		saved = errno;
		(void)close(fd);
		log_debug_fd = -1;
		errno = saved;
		return (ERR_SYSTEM);
	}
	return (0);
}

int
log_debug_enabled(uint32_t category)
{
	return ((log_debug_mask & category) != 0);
}

/* Write one line; returns -1 when fd did not take all of it. */
static int
log_write_fd(int fd, const char *prefix, const char *msg)
{
	char		line[2048], stamp[32];
	struct tm	tm;
	time_t		now = time(NULL);
	int		n;

	(void)localtime_r(&now, &tm);
	(void)strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s %s: %s%s\n", stamp, log_ident,
	    prefix, msg);
	if (n < 0)
		return (-1);
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* Below PIPE_BUF, a pipe takes the whole line or none of it. */
	return (write(fd, line, (size_t)n) == n ? 0 : -1);
}

static void
log_write_debug_fd(const char *prefix, const char *msg)
{
	char	note[96];

	if (log_debug_dropped > 0) {
		(void)snprintf(note, sizeof(note), "%lu debug lines dropped: "
		    "the debug file did not take them", log_debug_dropped);
		if (log_write_fd(log_debug_fd, "warning: ", note) != 0) {
			log_debug_dropped++;
			return;
		}
		log_debug_dropped = 0;
	}
	if (log_write_fd(log_debug_fd, prefix, msg) != 0)
		log_debug_dropped++;
}

static void
log_vemit(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char	msg[1536];
	int	saved = errno;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_dest == LOG_DEST_SYSLOG)
		syslog(prio, "%s%s", prefix, msg);
	else
		(void)log_write_fd(STDERR_FILENO, prefix, msg);
	if (log_debug_fd >= 0)
		log_write_debug_fd(prefix, msg);
	errno = saved;
}

void
log_err(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void
log_debug(uint32_t category, const char *fmt, ...)
{
	va_list	ap;

	if ((log_debug_mask & category) == 0)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, "debug: ", fmt, ap);
	va_end(ap);
}

/* Limits with suppressed messages not yet reported. */
static struct log_ratelimit	*log_rl_pending;

static int64_t
log_now_seconds(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

void
log_ratelimit_forget(struct log_ratelimit *lr)
{
	if (lr->lr_prevp == NULL)
		return;
	*lr->lr_prevp = lr->lr_next;
	if (lr->lr_next != NULL)
		lr->lr_next->lr_prevp = lr->lr_prevp;
	lr->lr_next = NULL;
	lr->lr_prevp = NULL;
}

/* Report and reset lr if its interval has ended at now. */
static void
log_ratelimit_end(struct log_ratelimit *lr, int64_t now)
{
	if (now - lr->lr_start < (int64_t)lr->lr_interval)
		return;
	if (lr->lr_suppressed > 0)
		log_info("%u similar message%s suppressed in the last %lld "
		    "seconds", lr->lr_suppressed,
		    lr->lr_suppressed == 1 ? "" : "s",
		    (long long)(now - lr->lr_start));
	log_ratelimit_forget(lr);
	lr->lr_start = now;
	lr->lr_count = 0;
	lr->lr_suppressed = 0;
}

int
log_ratelimit_pass(struct log_ratelimit *lr)
{
	log_ratelimit_end(lr, log_now_seconds());
	if (lr->lr_count < lr->lr_burst) {
		lr->lr_count++;
		return (1);
	}
	if (lr->lr_suppressed++ == 0 && lr->lr_prevp == NULL) {
		lr->lr_next = log_rl_pending;
		if (log_rl_pending != NULL)
			log_rl_pending->lr_prevp = &lr->lr_next;
		lr->lr_prevp = &log_rl_pending;
		log_rl_pending = lr;
	}
	return (0);
}

void
log_ratelimit_flush(void)
{
	struct log_ratelimit	*lr, *next;
	int64_t			 now = log_now_seconds();

	for (lr = log_rl_pending; lr != NULL; lr = next) {
		next = lr->lr_next;
		log_ratelimit_end(lr, now);
	}
}
