#include <errno.h>
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
 */
int
log_set_debug_fd(int fd)
{
	if (log_debug_fd >= 0)
		(void)close(log_debug_fd);
	log_debug_fd = fd;
	return (0);
}

int
log_debug_enabled(uint32_t category)
{
	return ((log_debug_mask & category) != 0);
}

static void
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
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	(void)!write(fd, line, (size_t)n);
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
		log_write_fd(STDERR_FILENO, prefix, msg);
	if (log_debug_fd >= 0)
		log_write_fd(log_debug_fd, prefix, msg);
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
