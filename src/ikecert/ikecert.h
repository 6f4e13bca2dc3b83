/*
 * ikecert: the private key, certificate and CRL stores of in.iked
 * (certlocal, certdb and certrldb).  PKCS#11 tokens are not supported.
 */
#ifndef IKED_IKECERT_H
#define IKED_IKECERT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/wbuf.h"

struct ikecert_dirs {
	char	pubdir[PATH_MAX];	/* ROOT/etc/inet/ike/publickeys */
	char	keydir[PATH_MAX];	/* ROOT/etc/inet/secret/ike.privatekeys */
	char	crldir[PATH_MAX];	/* ROOT/etc/inet/ike/crls */
};

/* Print "ikecert: MESSAGE" to stderr; returns 1, the exit status. */
int	 ikecert_error(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
int	 ikecert_no_pkcs11(char);

int	 certlocal_main(const struct ikecert_dirs *, int, char **);
int	 certdb_main(const struct ikecert_dirs *, int, char **);
int	 certrldb_main(const struct ikecert_dirs *, int, char **);

/* One file of a store directory. */
struct slots_file {
	char		*sf_name;	/* the slot */
	struct wbuf	 sf_data;
	int		 sf_mode;	/* permission bits */
};

struct slots_dir {
	struct slots_file	*sd_files;
	size_t			 sd_n;
};

/* Read every file of dir, numeric names first in numeric order. */
int	 slots_read(const char *dir, int secret, struct slots_dir *);
void	 slots_free(struct slots_dir *);
/* The smallest number that names no file in any of the n dirs. */
int	 slots_next_free(const char *const *dirs, size_t n, char *out,
	    size_t outsize);
/* Create dir/name with the given mode; fails if it exists. */
int	 slots_write(const char *dir, mode_t dirmode, const char *name,
	    const void *data, size_t len, mode_t mode);
int	 slots_remove(const char *dir, const char *name);
int	 slots_read_stdin(struct wbuf *, int secret);
int	 slots_write_stdout(const void *, size_t);

/* Parse a -S/-F time: relative "+1y2M", "-3d", or an absolute date. */
int	 validity_parse(const char *, int64_t now, int64_t *out);
/* now plus the given number of calendar years. */
int64_t	 validity_add_years(int64_t now, int years);

#endif /* IKED_IKECERT_H */
