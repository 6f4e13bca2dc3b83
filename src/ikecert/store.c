/*
 * Options, output and slot lookups shared by the ikecert subcommands.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ikecert/ikecert.h"
#include "ikecert/store.h"
#include "lib/err.h"

int
store_opt(struct store_opts *o, int ch, const char *cmd, void (*usage)(void))
{
	switch (ch) {
	case 'a':
	case 'l':
	case 'e':
	case 'r':
		if (o->action != '\0' && o->action != ch) {
			usage();
			return (ikecert_error("%s: give only one of -a, -l, "
			    "-e, -r", cmd));
		}
		o->action = (char)ch;
		return (0);
	case 'f':
		o->format = optarg;
		return (0);
	case 'v':
		o->verbose = 1;
		return (0);
	default:
		return (-1);
	}
}

int
store_check_format(const struct store_opts *o, const char *cmd)
{
	if (o->format != NULL && strcmp(o->format, "pem") != 0 &&
	    strcmp(o->format, "ber") != 0 && strcmp(o->format, "der") != 0)
		return (ikecert_error("%s: invalid format \"%s\" for -f: use "
		    "pem or ber", cmd, o->format));
	return (0);
}

enum x509_format
store_format(const struct store_opts *o)
{
	if (o->format != NULL && (strcmp(o->format, "ber") == 0 ||
	    strcmp(o->format, "der") == 0))
		return (X509_FORMAT_DER);
	return (X509_FORMAT_PEM);
}

void
store_print_time(const char *label, int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;
	char		buf[64];

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, sizeof(buf), "%lld", (long long)t);
	printf("\t%s%s\n", label, buf);
}

const char *
store_key_slot(const struct slots_dir *keys, const struct pkey *pub)
{
	struct pkey	*k;
	const char	*slot = NULL;
	size_t		 i;

	for (i = 0; i < keys->sd_n && slot == NULL; i++) {
		if (pkey_parse_private(&k, keys->sd_files[i].sf_data.wb_data,
		    keys->sd_files[i].sf_data.wb_len, NULL, 0) != 0)
			continue;
		if (pkey_public_equal(k, pub))
			slot = keys->sd_files[i].sf_name;
		pkey_free(k);
	}
	return (slot);
}

int
store_read(const char *dir, int secret, struct slots_dir *sd)
{
	int	rc;

	if ((rc = slots_read(dir, secret, sd)) == 0)
		return (0);
	return (ikecert_error("cannot read %s: %s", dir,
	    rc == ERR_SYSTEM ? strerror(errno) : err_str(rc)));
}
