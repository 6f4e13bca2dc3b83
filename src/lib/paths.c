#include <stdio.h>
#include <string.h>

#include "err.h"
#include "paths.h"

/*
 * Write ROOT/PATH to out.  A NULL or empty root, or "/", means the real
 * root.  Returns ERR_TOOBIG when the result does not fit.
 */
int
paths_join(char *out, size_t outlen, const char *root, const char *path)
{
	size_t	rlen;
	int	n;

	if (root == NULL || root[0] == '\0' || strcmp(root, "/") == 0)
		root = "";
	rlen = strlen(root);
	while (rlen > 0 && root[rlen - 1] == '/')
		rlen--;
	n = snprintf(out, outlen, "%.*s%s", (int)rlen, root, path);
	if (n < 0 || (size_t)n >= outlen)
		return (ERR_TOOBIG);
	return (0);
}
