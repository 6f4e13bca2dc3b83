/*
 * Store directories of ikecert: every file is one slot, named by its
 * slot number.  Files are written under a temporary dot-name (which the
 * daemon skips) and renamed, so a reader never sees half a file.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ikecert/ikecert.h"
#include "lib/err.h"
#include "lib/util.h"

#define SLOTS_MAX_FILE	(256 * 1024)
#define SLOTS_MAX	100000

static int
slots_number(const char *name, long *n)
{
	char	*end;

	if (name[0] < '0' || name[0] > '9')
		return (0);
	*n = strtol(name, &end, 10);
	return (*end == '\0');
}

/* Numeric names first, in numeric order, then the rest by name. */
static int
slots_compare(const void *a, const void *b)
{
	const struct slots_file	*fa = a, *fb = b;
	long			 na, nb;
	int			 ia, ib;

	ia = slots_number(fa->sf_name, &na);
	ib = slots_number(fb->sf_name, &nb);
	if (ia && ib)
		return (na < nb ? -1 : na > nb);
	if (ia != ib)
		return (ia ? -1 : 1);
	return (strcmp(fa->sf_name, fb->sf_name));
}

static int
slots_read_fd(int fd, struct wbuf *out, size_t size)
{
	uint8_t	*dst;
	ssize_t	 n;
	size_t	 got = 0;
	int	 rc;

	if ((rc = wbuf_alloc(out, size, &dst)) != 0)
		return (rc);
	while (got < size) {
		n = read(fd, dst + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (ERR_SYSTEM);
		if (n == 0)
			return (ERR_TRUNCATED);	/* the file shrank */
		got += (size_t)n;
	}
	return (0);
}

static int
slots_read_one(const char *dir, const char *name, int secret,
    struct slots_file *f)
{
	struct stat	st;
	char		path[PATH_MAX];
	int		fd, rc = ERR_SYSTEM;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return (ERR_TOOBIG);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return (ERR_SYSTEM);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (ERR_NOTFOUND);
	}
	wbuf_init(&f->sf_data, secret);
	f->sf_mode = (int)(st.st_mode & 07777);
	if (st.st_size > SLOTS_MAX_FILE)
		rc = ERR_TOOBIG;
	else
		rc = slots_read_fd(fd, &f->sf_data, (size_t)st.st_size);
	close(fd);
	if (rc == 0 && (f->sf_name = strdup(name)) == NULL)
		rc = ERR_NOMEM;
	if (rc != 0)
		wbuf_free(&f->sf_data);
	return (rc);
}

int
slots_read(const char *dir, int secret, struct slots_dir *sd)
{
	struct slots_file	*files;
	struct dirent		*de;
	DIR			*d;
	int			 rc = 0, saved_errno;

	memset(sd, 0, sizeof(*sd));
	if ((d = opendir(dir)) == NULL)
		return (errno == ENOENT ? 0 : ERR_SYSTEM);
	while ((de = readdir(d)) != NULL && sd->sd_n < SLOTS_MAX) {
		if (de->d_name[0] == '.')
			continue;
		files = realloc(sd->sd_files, (sd->sd_n + 1) * sizeof(*files));
		if (files == NULL) {
			rc = ERR_NOMEM;
			break;
		}
		sd->sd_files = files;
		rc = slots_read_one(dir, de->d_name, secret,
		    &files[sd->sd_n]);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		sd->sd_n++;
	}
	saved_errno = errno;
	closedir(d);
	if (rc != 0) {
		slots_free(sd);
		errno = saved_errno;	/* for the caller's message */
		return (rc);
	}
	if (sd->sd_n > 1)
		qsort(sd->sd_files, sd->sd_n, sizeof(*sd->sd_files),
		    slots_compare);
	return (0);
}

void
slots_free(struct slots_dir *sd)
{
	size_t	i;

	for (i = 0; i < sd->sd_n; i++) {
		free(sd->sd_files[i].sf_name);
		wbuf_free(&sd->sd_files[i].sf_data);
	}
	free(sd->sd_files);
	memset(sd, 0, sizeof(*sd));
}

int
slots_next_free(const char *const *dirs, size_t ndirs, char *out,
    size_t outsize)
{
	struct stat	st;
	char		path[PATH_MAX];
	size_t		i;
	long		n;
	int		used;

	for (n = 0; n < SLOTS_MAX; n++) {
		used = 0;
		for (i = 0; i < ndirs && !used; i++) {
			snprintf(path, sizeof(path), "%s/%ld", dirs[i], n);
			used = lstat(path, &st) == 0;
		}
		if (!used) {
			snprintf(out, outsize, "%ld", n);
			return (0);
		}
	}
	return (ERR_TOOBIG);
}

/* mkdir -p, with mode for the last component and 0755 above it. */
static int
slots_mkdirs(const char *dir, mode_t mode)
{
	char	path[PATH_MAX];
	char	*p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return (ERR_TOOBIG);
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return (ERR_SYSTEM);
		*p = '/';
	}
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return (ERR_SYSTEM);
	return (0);
}

static int
slots_write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (ERR_SYSTEM);
		if (n == 0)
			return (ERR_TRUNCATED);	/* the file shrank */
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

int
slots_write(const char *dir, mode_t dirmode, const char *name,
    const void *data, size_t len, mode_t mode)
{
	char	tmp[PATH_MAX], path[PATH_MAX];
	int	fd, rc;

	if ((rc = slots_mkdirs(dir, dirmode)) != 0)
		return (rc);
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >=
	    (int)sizeof(tmp))
		return (ERR_TOOBIG);
	if (access(path, F_OK) == 0) {
		errno = EEXIST;
		return (ERR_EXISTS);
	}
	if ((fd = mkstemp(tmp)) < 0)
		return (ERR_SYSTEM);
	if (fchmod(fd, mode) != 0 ||
	    (rc = slots_write_all(fd, data, len)) != 0 || fsync(fd) != 0)
		rc = ERR_SYSTEM;
	else
		rc = 0;
	close(fd);
	if (rc == 0 && link(tmp, path) != 0)
		rc = errno == EEXIST ? ERR_EXISTS : ERR_SYSTEM;
	unlink(tmp);
	return (rc);
}

int
slots_remove(const char *dir, const char *name)
{
	char	path[PATH_MAX];

	if (strchr(name, '/') != NULL || name[0] == '.')
		return (ERR_INVAL);
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return (ERR_TOOBIG);
	return (unlink(path) == 0 ? 0 : ERR_SYSTEM);
}

int
slots_read_stdin(struct wbuf *out, int secret)
{
	uint8_t	buf[4096];
	ssize_t	n;
	int	rc = 0;

	wbuf_init(out, secret);
	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ERR_SYSTEM;
			break;
		}
		if (n == 0)
			break;
		if (out->wb_len + (size_t)n > SLOTS_MAX_FILE) {
			rc = ERR_TOOBIG;
			break;
		}
		if ((rc = wbuf_put(out, buf, (size_t)n)) != 0)
			break;
	}
	util_wipe(buf, sizeof(buf));
	if (rc != 0)
		wbuf_free(out);
	return (rc);
}

int
slots_write_stdout(const void *data, size_t len)
{
	int	rc;

	rc = slots_write_all(STDOUT_FILENO, data, len);
	return (rc);
}
