/*
 * Helpers shared by the three configuration parsers (not part of the
 * public configuration API).
 */
#ifndef IKED_CONFIG_PARSE_H
#define IKED_CONFIG_PARSE_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct config_diag;

/* Append a zeroed element to a dynamic array; NULL when out of memory. */
void	*parse_array_add(void *arrp, size_t *n, size_t size);
/* C-style unsigned integer: decimal, 0x hex or leading-0 octal. */
int	 parse_u32(const char *, uint32_t *);
/* Seconds as an integer or a decimal fraction, returned in milliseconds. */
int	 parse_seconds_ms(const char *, uint32_t *);
/* Keep a copy of a file name for config_where; NULL when out of memory. */
const char *parse_intern_file(struct config *, const char *);
/* Identity type by name (case-insensitive), or -1. */
int	 parse_idtype(const char *);

/* Release what one item owns (used for scratch items of the parsers). */
void	 config_rule_clear(struct config_rule *);
void	 config_globals_clear(struct config_globals *);
void	 config_psk_clear(struct config_psk *);
void	 config_spd_clear(struct config_spd *);

/* Parsers of one file each; errors go to diag, the result is added to cf. */
int	 ikeconf_parse(struct config *, const char *file, const void *,
	    size_t, struct config_diag *);
int	 preshared_parse(struct config *, const char *file, const void *,
	    size_t, struct config_diag *);
int	 ipsecinit_parse(struct config *, const char *file, const void *,
	    size_t, struct config_diag *);
/* As ipsecinit_parse; with PARSE_NUMERIC host names are errors. */
#define PARSE_NUMERIC	0x1
int	 ipsecinit_parse_flags(struct config *, const char *file,
	    const void *, size_t, unsigned int flags, struct config_diag *);
/*
 * Read all of fd (at most 16 MB) into a NUL-terminated buffer; size is a
 * hint for the first allocation, 0 when unknown.
 */
int	 parse_read_fd(int fd, const char *name, size_t size, char **,
	    size_t *, struct config_diag *);
/*
 * Read a whole file (at most 16 MB); ERR_NOTFOUND when it is absent.
 * With PARSE_NOFOLLOW a symbolic link is an error (ERR_PERM), because the
 * checks of a key file's owner and mode would not cover the folder of
 * the link's target.
 */
#define PARSE_NOFOLLOW	0x1
int	 parse_read_file(const char *, unsigned int flags, char **, size_t *,
	    struct stat *, struct config_diag *);

#endif /* IKED_CONFIG_PARSE_H */
