#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/diag.h"
#include "config/parse.h"
#include "lib/err.h"
#include "lib/util.h"

#define PARSE_MAX_FILE	(16 * 1024 * 1024)

void *
parse_array_add(void *arrp, size_t *n, size_t size)
{
	void	**arr = arrp;
	char	 *p;

	if (*n >= (SIZE_MAX / size) - 1)
		return (NULL);
	p = realloc(*arr, (*n + 1) * size);
	if (p == NULL)
		return (NULL);
	*arr = p;
	p += *n * size;
	memset(p, 0, size);
	(*n)++;
	return (p);
}

int
parse_u32(const char *s, uint32_t *out)
{
	unsigned long long	 v;
	char			*end;

	if (s[0] < '0' || s[0] > '9')
		return (ERR_MALFORMED);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return (ERR_MALFORMED);
	*out = (uint32_t)v;
	return (0);
}

int
parse_seconds_ms(const char *s, uint32_t *ms)
{
	uint32_t	 v;
	double		 d;
	char		*end;
	size_t		 i;

	if (parse_u32(s, &v) == 0) {
		if (v > UINT32_MAX / 1000)
			return (ERR_MALFORMED);
		*ms = v * 1000;
		return (0);
	}
	/* Only plain decimal fractions: no exponent, hex float, inf, nan. */
	for (i = 0; s[i] != '\0'; i++) {
		if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
			return (ERR_MALFORMED);
	}
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || end == s || !isfinite(d) ||
	    d < 0 || d > UINT32_MAX / 1000)
		return (ERR_MALFORMED);
	*ms = (uint32_t)(d * 1000 + 0.5);
	return (0);
}

const char *
parse_intern_file(struct config *cf, const char *name)
{
	char	**slot;
	size_t	  i;

	for (i = 0; i < cf->cf_nfiles; i++) {
		if (strcmp(cf->cf_files[i], name) == 0)
			return (cf->cf_files[i]);
	}
	slot = parse_array_add(&cf->cf_files, &cf->cf_nfiles, sizeof(*slot));
	if (slot == NULL)
		return (NULL);
	if ((*slot = strdup(name)) == NULL) {
		cf->cf_nfiles--;
		return (NULL);
	}
	return (*slot);
}

static const struct {
	const char	*name;
	int		 type;
} parse_idtypes[] = {
	{ "ip", CONFIG_ID_IP },
	{ "ipv4", CONFIG_ID_IPV4_ADDR },
	{ "ipv6", CONFIG_ID_IPV6_ADDR },
	{ "prefix", CONFIG_ID_PREFIX },
	{ "subnet", CONFIG_ID_PREFIX },
	{ "ipv4_prefix", CONFIG_ID_IPV4_SUBNET },
	{ "ipv4-prefix", CONFIG_ID_IPV4_SUBNET },
	{ "subnetv4", CONFIG_ID_IPV4_SUBNET },
	{ "ipv6_prefix", CONFIG_ID_IPV6_SUBNET },
	{ "ipv6-prefix", CONFIG_ID_IPV6_SUBNET },
	{ "subnetv6", CONFIG_ID_IPV6_SUBNET },
	{ "ipv4_range", CONFIG_ID_IPV4_RANGE },
	{ "ipv4-range", CONFIG_ID_IPV4_RANGE },
	{ "rangev4", CONFIG_ID_IPV4_RANGE },
	{ "ipv6_range", CONFIG_ID_IPV6_RANGE },
	{ "ipv6-range", CONFIG_ID_IPV6_RANGE },
	{ "rangev6", CONFIG_ID_IPV6_RANGE },
	{ "fqdn", CONFIG_ID_FQDN },
	{ "dns", CONFIG_ID_FQDN },
	{ "domain", CONFIG_ID_FQDN },
	{ "domainname", CONFIG_ID_FQDN },
	{ "user_fqdn", CONFIG_ID_USER_FQDN },
	{ "user-fqdn", CONFIG_ID_USER_FQDN },
	{ "mbox", CONFIG_ID_USER_FQDN },
	{ "mailbox", CONFIG_ID_USER_FQDN },
	{ "dn", CONFIG_ID_DER_ASN1_DN },
	{ "asn1dn", CONFIG_ID_DER_ASN1_DN },
	{ "gn", CONFIG_ID_DER_ASN1_GN },
	{ "asn1gn", CONFIG_ID_DER_ASN1_GN },
	{ "keyid", CONFIG_ID_KEY_ID },
};

int
parse_idtype(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(parse_idtypes) / sizeof(parse_idtypes[0]);
	    i++) {
		if (strcasecmp(parse_idtypes[i].name, name) == 0)
			return (parse_idtypes[i].type);
	}
	return (-1);
}

/*
 * Read the whole file.  The first buffer is sized from st_size, so a key
 * file is normally read without growing it.  The caller wipes the result.
 */
int
parse_read_fd(int fd, const char *path, size_t size, char **bufp,
    size_t *lenp, struct config_diag *diag)
{
	char	*buf = NULL, *nbuf;
	size_t	 len = 0, cap = size > 0 && size < PARSE_MAX_FILE ? size + 1 :
		    4096;
	ssize_t	 n;

	/*
	 * The text may be ike.preshared, so the buffer is wiped whenever it
	 * is released, and it grows by copying: realloc could leave the old
	 * copy of the keys in freed memory.
	 */
	if ((buf = malloc(cap + 1)) == NULL)
		return (ERR_NOMEM);
	for (;;) {
		if (len == cap) {
			if (cap >= PARSE_MAX_FILE) {
				diag_add(diag, path, 0, "file larger than "
				    "16 MB");
				util_freezero(buf, cap + 1);
				return (ERR_TOOBIG);
			}
			if ((nbuf = malloc(cap * 2 + 1)) == NULL) {
				util_freezero(buf, cap + 1);
				return (ERR_NOMEM);
			}
			memcpy(nbuf, buf, len);
			util_freezero(buf, cap + 1);
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* Only a pipe that config_read_fd made non-blocking. */
			diag_add(diag, path, 0, "pipe has no more data but is "
			    "still open for writing: close it first, or send "
			    "a regular file");
			util_freezero(buf, cap + 1);
			return (ERR_CONFIG);
		}
		if (n < 0) {
			diag_add(diag, path, 0, "read failed: %s",
			    strerror(errno));
			util_freezero(buf, cap + 1);
			return (ERR_SYSTEM);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return (0);
}

int
parse_read_file(const char *path, unsigned int flags, char **bufp,
    size_t *lenp, struct stat *stp, struct config_diag *diag)
{
	struct stat	st;
	int		fd, rc;

	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    ((flags & PARSE_NOFOLLOW) ? O_NOFOLLOW : 0));
	if (fd < 0) {
		if (errno == ENOENT)
			return (ERR_NOTFOUND);
		if (errno == ELOOP && (flags & PARSE_NOFOLLOW)) {
			diag_add(diag, path, 0, "is a symbolic link, which "
			    "is not followed for a key file: replace the link "
			    "with the file itself (owned by root, mode 600)");
			return (ERR_PERM);
		}
		diag_add(diag, path, 0, "cannot open: %s", strerror(errno));
		return (ERR_SYSTEM);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_add(diag, path, 0, "not a regular file (a FIFO, device or "
		    "folder): name a regular file");
		close(fd);
		return (ERR_CONFIG);
	}
	if (stp != NULL)
		*stp = st;
	rc = parse_read_fd(fd, path, (size_t)st.st_size, bufp, lenp, diag);
	close(fd);
	return (rc);
}
