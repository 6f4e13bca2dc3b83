/* The PID file of in.iked, locked for the daemon's lifetime. */
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/pidfile.h"
#include "lib/err.h"
#include "lib/log.h"

/* Log who holds the lock, as written in the file. */
static void
pidfile_report_holder(int fd, const char *path)
{
	char	buf[32];
	ssize_t	n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	log_err("in.iked is already running (pid %s, %s): stop it first, or "
	    "give this instance another root with -R",
	    buf[0] != '\0' ? buf : "unknown", path);
}

int
pidfile_open(struct pidfile *pf, const char *path, pid_t pid)
{
	char	buf[32];
	int	fd, n, rc = ERR_SYSTEM;

	pf->pf_fd = -1;
	pf->pf_path = NULL;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		log_err("creating the PID file %s failed: %s: create its folder "
		    "or give another root with -R", path, strerror(errno));
		return (ERR_SYSTEM);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			pidfile_report_holder(fd, path);
			rc = ERR_EXISTS;
		} else
			log_err("locking the PID file %s failed: %s", path,
			    strerror(errno));
		goto out;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		log_err("writing the PID file %s failed: %s", path,
		    strerror(errno));
		goto out;
	}
	if ((pf->pf_path = strdup(path)) == NULL) {
		rc = ERR_NOMEM;
		goto out;
	}
	pf->pf_fd = fd;
	return (0);
out:
	(void)close(fd);
	return (rc);
}

void
pidfile_close(struct pidfile *pf)
{
	if (pf->pf_fd < 0)
		return;
	/*
	 * Unlink before the close releases the lock: a daemon that locks the
	 * file after that point has created a new one.
	 */
	(void)unlink(pf->pf_path);
	(void)close(pf->pf_fd);
	free(pf->pf_path);
	pf->pf_fd = -1;
	pf->pf_path = NULL;
}
