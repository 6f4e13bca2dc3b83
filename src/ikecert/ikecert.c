/*
 * ikecert [-R root] certlocal|certdb|certrldb|tokens ...
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ikecert/ikecert.h"
#include "lib/err.h"
#include "lib/paths.h"

static void
ikecert_usage(void)
{
	fprintf(stderr,
	    "Usage: ikecert { certdb | certrldb | certlocal | tokens } "
	    "<options>\n"
	    "       -R root, before the subcommand: look up the stores "
	    "under root\n");
}

int
ikecert_error(const char *fmt, ...)
{
	va_list	ap;

	fputs("ikecert: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return (1);
}

int
ikecert_no_pkcs11(char opt)
{
	if (opt == '\0')
		return (ikecert_error("PKCS#11 tokens are not supported: keys "
		    "and certificates are kept only in files"));
	return (ikecert_error("-%c: PKCS#11 tokens are not supported: keys "
	    "and certificates are kept only in files", opt));
}

static int
ikecert_dirs(const char *root, struct ikecert_dirs *d)
{
	if (paths_join(d->pubdir, sizeof(d->pubdir), root,
	    PATH_IKE_PUBLICKEYS) != 0 ||
	    paths_join(d->keydir, sizeof(d->keydir), root,
	    PATH_IKE_PRIVATEKEYS) != 0 ||
	    paths_join(d->crldir, sizeof(d->crldir), root,
	    PATH_IKE_CRLS) != 0)
		return (ikecert_error("-R %s: path too long", root));
	return (0);
}

int
main(int argc, char **argv)
{
	struct ikecert_dirs	 dirs;
	const char		*root = "/", *cmd;
	int			 ch;

	while ((ch = getopt(argc, argv, "+R:h")) != -1) {
		switch (ch) {
		case 'R':
			root = optarg;
			break;
		default:
			ikecert_usage();
			return (1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		ikecert_usage();
		return (1);
	}
	if (ikecert_dirs(root, &dirs) != 0)
		return (1);
	cmd = argv[0];
	optind = 1;
	if (strcmp(cmd, "certlocal") == 0)
		return (certlocal_main(&dirs, argc, argv));
	if (strcmp(cmd, "certdb") == 0)
		return (certdb_main(&dirs, argc, argv));
	if (strcmp(cmd, "certrldb") == 0)
		return (certrldb_main(&dirs, argc, argv));
	if (strcmp(cmd, "tokens") == 0)
		return (ikecert_no_pkcs11('\0'));
	ikecert_error("unknown subcommand \"%s\"", cmd);
	ikecert_usage();
	return (1);
}
