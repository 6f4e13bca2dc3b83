/*
 * in.iked: IKEv1 key negotiation daemon for IPsec.
 *
 *	in.iked [-d] [-f config] [-p level] [-R root] [-B backend] [-K dir]
 *	in.iked -c [-v] [-f config] [-R root]
 *	in.iked -h
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/opts.h"

/* Print the usage to stdout for -h and exit 0, else to stderr, exit 1. */
static void
main_usage(int help)
{
	fprintf(help ? stdout : stderr,
	    "usage: in.iked [-d] [-f config] [-p level] [-R root] "
	    "[-B xfrm|userspace|none]\n"
	    "               [-K keyfile-dir]\n"
	    "       in.iked -c [-v] [-f config] [-R root]\n"
	    "       in.iked -h\n");
	exit(help ? 0 : 1);
}

/* -p takes 0, 1, 2 or the names base, modkeys, keymat. */
static int
main_parse_privilege(const char *arg)
{
	if (strcmp(arg, "0") == 0 || strcmp(arg, "base") == 0)
		return (0);
	if (strcmp(arg, "1") == 0 || strcmp(arg, "modkeys") == 0)
		return (1);
	if (strcmp(arg, "2") == 0 || strcmp(arg, "keymat") == 0)
		return (2);
	fprintf(stderr, "in.iked: invalid privilege level '%s': use 0 (base), "
	    "1 (modkeys) or 2 (keymat)\n", arg);
	exit(1);
}

static enum opts_backend
main_parse_backend(const char *arg)
{
	if (strcmp(arg, "xfrm") == 0)
		return (OPTS_BACKEND_XFRM);
	if (strcmp(arg, "userspace") == 0)
		return (OPTS_BACKEND_USERSPACE);
	if (strcmp(arg, "none") == 0)
		return (OPTS_BACKEND_NONE);
	fprintf(stderr, "in.iked: invalid SA backend '%s': use xfrm, "
	    "userspace or none\n", arg);
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct iked_opts	opts;
	int			ch;

	memset(&opts, 0, sizeof(opts));
	opts.o_root = "/";
	opts.o_backend = OPTS_BACKEND_AUTO;

	while ((ch = getopt(argc, argv, "cdf:hp:R:B:K:v")) != -1) {
		switch (ch) {
		case 'c':
			opts.o_check = 1;
			break;
		case 'd':
			opts.o_foreground = 1;
			break;
		case 'f':
			opts.o_config = optarg;
			break;
		case 'p':
			opts.o_privilege = main_parse_privilege(optarg);
			break;
		case 'R':
			opts.o_root = optarg;
			break;
		case 'B':
			opts.o_backend = main_parse_backend(optarg);
			break;
		case 'K':
			opts.o_keylog_dir = optarg;
			break;
		case 'v':
			opts.o_verbose = 1;
			break;
		case 'h':
			main_usage(1);
			break;
		default:
			main_usage(0);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "in.iked: unexpected argument '%s': in.iked "
		    "takes only options\n", argv[optind]);
		main_usage(0);
	}
	if (opts.o_check)
		return (check_run(&opts));
	return (daemon_run(&opts));
}
