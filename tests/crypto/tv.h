/*
 * Reader for the line-oriented test vector files (NIST CAVP .fax/.rsp
 * and the RFC vector files): "name = hex" lines, "[section]" lines,
 * "#" comments, CRLF or LF line ends.
 */
#ifndef IKED_TESTS_TV_H
#define IKED_TESTS_TV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tv_file {
	FILE		*tf_fp;
	char		 tf_path[512];
	char		*tf_line;
	size_t		 tf_cap;
	unsigned int	 tf_lineno;
	const char	*tf_name;	/* "COUNT", or the text inside [ ] */
	const char	*tf_value;	/* after "= ", NULL on a section line */
};

/*
 * Returns the vector folder ($IKED_VECTORS) when it exists, else prints
 * why to stderr and returns NULL.
 */
const char	*tv_dir(void);

/*
 * Returns 1 when relpath exists below the vector folder, else prints
 * "skipped: ..." to stderr and returns 0.
 */
int	 tv_exists(const char *relpath);

/* Open a file below the vector folder; returns 0 or -1 (message printed). */
int	 tv_open(struct tv_file *, const char *relpath);
void	 tv_close(struct tv_file *);

/* Read the next name/value or section line; returns 1, or 0 at the end. */
int	 tv_next(struct tv_file *);

/* Decode the current value as hex into a malloc'ed buffer (aborts on error). */
uint8_t	*tv_hex(const struct tv_file *, size_t *len);

/* Decode a hex string; the caller frees the result. */
uint8_t	*tv_hex_str(const char *, size_t *len);

#endif /* IKED_TESTS_TV_H */
