/*
 * The PID file ROOT/var/run/in.iked.pid.  It is held under an exclusive
 * flock(2) for the whole life of the daemon, so a second in.iked on the
 * same root is rejected, and a file left behind by a crash is reused.
 */
#ifndef IKED_DAEMON_PIDFILE_H
#define IKED_DAEMON_PIDFILE_H

#include <sys/types.h>

#define PIDFILE_PATH	"/var/run/in.iked.pid"

struct pidfile {
	int	 pf_fd;
	char	*pf_path;
};

/*
 * Create and lock the file at path, then write pid into it.  Returns 0,
 * ERR_EXISTS (logged with the running PID) when another process holds
 * the lock, or ERR_SYSTEM.
 */
int	pidfile_open(struct pidfile *, const char *path, pid_t pid);
/* Remove the file and release the lock. */
void	pidfile_close(struct pidfile *);

#endif /* IKED_DAEMON_PIDFILE_H */
