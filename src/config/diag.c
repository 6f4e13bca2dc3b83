#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/diag.h"

void
diag_init(struct config_diag *d)
{
	d->cd_msgs = NULL;
	d->cd_n = 0;
	d->cd_errors = 0;
}

void
diag_free(struct config_diag *d)
{
	size_t	i;

	for (i = 0; i < d->cd_n; i++)
		free(d->cd_msgs[i]);
	free(d->cd_msgs);
	diag_init(d);
}

size_t
diag_count(const struct config_diag *d)
{
	return (d->cd_errors);
}

/*
 * Copy s with control and non-ASCII bytes written as \xNN, because
 * messages echo values from the file and go to a terminal or a log, and
 * the reader needs the exact bytes to find them in the file.
 */
static void
diag_sanitize(char *out, size_t len, const char *s)
{
	size_t	n = 0;

	for (; *s != '\0' && n + 5 < len; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
			n += (size_t)snprintf(out + n, len - n, "\\x%02x",
			    (unsigned int)(unsigned char)*s);
		} else
			out[n++] = *s;
	}
	out[n] = '\0';
}

void
diag_add(struct config_diag *d, const char *file, unsigned int line,
    const char *fmt, ...)
{
	va_list	  ap;
	char	  msg[512], clean[2048];
	char	 *full, **msgs;
	int	  n;

	d->cd_errors++;
	if (d->cd_n >= DIAG_MAX_MESSAGES)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_sanitize(clean, sizeof(clean), msg);
	if (line > 0)
		n = asprintf(&full, "%s:%u: %s", file, line, clean);
	else
		n = asprintf(&full, "%s: %s", file, clean);
	if (n < 0)
		return;
	msgs = realloc(d->cd_msgs, (d->cd_n + 1) * sizeof(*msgs));
	if (msgs == NULL) {
		free(full);
		return;
	}
	d->cd_msgs = msgs;
	d->cd_msgs[d->cd_n++] = full;
}

/*
 * A logger that adds its own "warning: " would print the label twice:
 * remove it from the message, which starts with the location.
 */
void
diag_strip_label(char *msg, const char *label)
{
	char	tag[32];
	char	*p;
	size_t	len;

	if ((size_t)snprintf(tag, sizeof(tag), ": %s: ", label) >= sizeof(tag))
		return;
	if ((p = strstr(msg, tag)) == NULL)
		return;
	len = strlen(tag) - 2;	/* the label, its colon and blank */
	memmove(p + 2, p + 2 + len, strlen(p + 2 + len) + 1);
}
