#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"
#include "tv.h"

const char *
tv_dir(void)
{
	const char	*dir = getenv("IKED_VECTORS");
	struct stat	 st;

	if (dir == NULL || *dir == '\0') {
		fprintf(stderr, "skipped: IKED_VECTORS is not set\n");
		return (NULL);
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "skipped: vector folder %s is absent\n", dir);
		return (NULL);
	}
	return (dir);
}

int
tv_exists(const char *relpath)
{
	const char	*dir;
	char		 path[512];
	struct stat	 st;

	if ((dir = tv_dir()) == NULL)
		return (0);
	snprintf(path, sizeof(path), "%s/%s", dir, relpath);
	if (stat(path, &st) != 0) {
		fprintf(stderr, "skipped: %s is absent\n", path);
		return (0);
	}
	return (1);
}

int
tv_open(struct tv_file *tf, const char *relpath)
{
	const char	*dir;

	memset(tf, 0, sizeof(*tf));
	if ((dir = tv_dir()) == NULL)
		return (-1);
	snprintf(tf->tf_path, sizeof(tf->tf_path), "%s/%s", dir, relpath);
	if ((tf->tf_fp = fopen(tf->tf_path, "r")) == NULL) {
		fprintf(stderr, "skipped: cannot open %s\n", tf->tf_path);
		return (-1);
	}
	return (0);
}

void
tv_close(struct tv_file *tf)
{
	if (tf->tf_fp != NULL)
		fclose(tf->tf_fp);
	free(tf->tf_line);
	memset(tf, 0, sizeof(*tf));
}

static char *
tv_trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' ||
	    e[-1] == '\t'))
		*--e = '\0';
	return (s);
}

int
tv_next(struct tv_file *tf)
{
	char	*s, *eq, *end;

	while (getline(&tf->tf_line, &tf->tf_cap, tf->tf_fp) != -1) {
		tf->tf_lineno++;
		s = tv_trim(tf->tf_line);
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[' && (end = strchr(s, ']')) != NULL) {
			*end = '\0';
			tf->tf_name = tv_trim(s + 1);
			tf->tf_value = NULL;
			return (1);
		}
		if ((eq = strchr(s, '=')) == NULL)
			continue;
		*eq = '\0';
		tf->tf_name = tv_trim(s);
		tf->tf_value = tv_trim(eq + 1);
		return (1);
	}
	return (0);
}

uint8_t *
tv_hex_str(const char *hex, size_t *len)
{
	size_t	 n = strlen(hex);
	uint8_t	*buf;

	/* malloc(0) may return NULL; keep one byte for empty values. */
	if ((buf = malloc(n / 2 + 1)) == NULL)
		abort();
	if (util_hex_decode(buf, n / 2 + 1, hex, len) != 0) {
		fprintf(stderr, "invalid hex value: %.40s\n", hex);
		abort();
	}
	return (buf);
}

uint8_t *
tv_hex(const struct tv_file *tf, size_t *len)
{
	if (tf->tf_value == NULL) {
		fprintf(stderr, "%s:%u: expected a value\n", tf->tf_path,
		    tf->tf_lineno);
		abort();
	}
	return (tv_hex_str(tf->tf_value, len));
}
