/*
 * Splitting of ikeadm command lines into tokens: white space separates,
 * "..." groups (the quotes are removed), and unquoted braces are tokens of
 * their own so that "{label" and "{ label" read the same.
 *
 * Escapes follow ike.config, so that a label can be typed as it is written
 * there: inside "..." a backslash makes the next character literal.  Outside
 * quotes only \" and \\ are escapes, which is how ikeadm prints a label, and
 * any other backslash stays (as in ike.config words and DNs like "a\,b").
 */
#include <ctype.h>
#include <string.h>

#include "lib/err.h"
#include "ikeadm/ikeadm.h"

static int
token_push(char **tokens, int max, int *n, char *start)
{
	if (*n >= max)
		return (ERR_TOOBIG);
	tokens[(*n)++] = start;
	return (0);
}

/*
 * Copy the quoted part that starts after the opening quote at *pp to *outp.
 * Returns 0, or ERR_INVAL when the closing quote is missing.
 */
static int
token_quoted(const char **pp, char **outp)
{
	const char	*p = *pp;
	char		*out = *outp;

	while (*p != '\0' && *p != '"') {
		if (*p == '\\' && p[1] != '\0')
			p++;
		*out++ = *p++;
	}
	if (*p != '"')
		return (ERR_INVAL);
	*pp = p + 1;
	*outp = out;
	return (0);
}

/*
 * Split line into tokens stored in buf (at least 2 * strlen(line) + 1
 * bytes).  Returns 0, ERR_INVAL on an unterminated quote or ERR_TOOBIG
 * when there are more than max tokens.
 */
int
ikeadm_tokenize(const char *line, char *buf, size_t buflen, char **tokens,
    int max, int *n)
{
	const char	*p = line;
	char		*out = buf, *end = buf + buflen;
	int		 rv;

	*n = 0;
	if (buflen < 2 * strlen(line) + 1)
		return (ERR_TOOBIG);
	while (*p != '\0') {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if ((rv = token_push(tokens, max, n, out)) != 0)
			return (rv);
		if (*p == '{' || *p == '}') {
			*out++ = *p++;
			*out++ = '\0';
			continue;
		}
		while (*p != '\0' && !isspace((unsigned char)*p) &&
		    *p != '{' && *p != '}') {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
				*out++ = p[1];
				p += 2;
			} else if (*p != '"')
				*out++ = *p++;
			else {
				p++;
				if ((rv = token_quoted(&p, &out)) != 0)
					return (rv);
			}
		}
		*out++ = '\0';
	}
	return (out <= end ? 0 : ERR_TOOBIG);
}
