/*
 * Error list of the configuration parsers.  Every message reads
 * "file:line: message", so that in.iked -c and a reload report all errors
 * of a file at once, not only the first.
 */
#ifndef IKED_CONFIG_DIAG_H
#define IKED_CONFIG_DIAG_H

#include <stddef.h>

#define DIAG_MAX_MESSAGES	1000	/* later errors are only counted */

struct config_diag {
	char	**cd_msgs;
	size_t	 cd_n;		/* messages stored */
	size_t	 cd_errors;	/* errors found, stored or not */
};

void	diag_init(struct config_diag *);
void	diag_free(struct config_diag *);
/* Add an error; line 0 leaves the line out ("file: message"). */
void	diag_add(struct config_diag *, const char *file, unsigned int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
size_t	diag_count(const struct config_diag *);
/* Remove "label: " after the "file:line: " of a message, in place. */
void	diag_strip_label(char *msg, const char *label);

#endif /* IKED_CONFIG_DIAG_H */
