/*
 * in.iked -c: read ike.config, ike.preshared and ipsecinit.conf, report
 * every error as "file:line: message" on stderr and exit 1, or print a
 * one-line summary and exit 0.  Warnings ("file:line: warning: ...") go to
 * stderr too but leave the exit status 0.  With -v the effective configuration,
 * with the source of each value, goes to stdout.
 *
 * The preshared file may be absent when no rule uses preshared keys, and
 * ipsecinit.conf may be absent (no IPsec policy is then loaded).  The
 * summary names a file that was not found.
 */
#include <stdio.h>

#include "config/config.h"
#include "config/diag.h"
#include "daemon/opts.h"
#include "lib/paths.h"

static int
check_path(char *out, size_t len, const char *root, const char *path)
{
	if (paths_join(out, len, root, path) != 0) {
		fprintf(stderr, "in.iked: path %s under root %s is too long\n",
		    path, root);
		return (-1);
	}
	return (0);
}

static void
check_summary(const struct config *cf, const struct config_paths *p)
{
	printf("%s: configuration valid: %zu rule%s, %zu global p1_xform%s",
	    p->cp_config, cf->cf_nrules, cf->cf_nrules == 1 ? "" : "s",
	    cf->cf_globals.cg_nxforms,
	    cf->cf_globals.cg_nxforms == 1 ? "" : "s");
	if (cf->cf_missing & CONFIG_MISSING_PRESHARED)
		printf("; no %s (no rule needs it)", p->cp_preshared);
	else
		printf("; %zu preshared key%s", cf->cf_npsks,
		    cf->cf_npsks == 1 ? "" : "s");
	if (cf->cf_missing & CONFIG_MISSING_IPSECINIT)
		printf("; no %s (no IPsec policy)", p->cp_ipsecinit);
	else
		printf("; %zu policy entr%s", cf->cf_nspds,
		    cf->cf_nspds == 1 ? "y" : "ies");
	printf("\n");
}

/* Warnings go to stderr like errors but leave the exit status 0. */
static void
check_warnings(const struct config *cf, const struct config_paths *p)
{
	struct config_diag	warn;
	size_t			i;

	diag_init(&warn);
	config_warn(cf, p, &warn);
	for (i = 0; i < warn.cd_n; i++)
		fprintf(stderr, "%s\n", warn.cd_msgs[i]);
	diag_free(&warn);
}

int
check_run(const struct iked_opts *opts)
{
	char			config[4096], preshared[4096], ipsecinit[4096];
	struct config_paths	paths;
	struct config_diag	diag;
	struct config		*cf = NULL;
	size_t			i;
	int			rc;

	if (check_path(config, sizeof(config), opts->o_root,
	    PATH_IKE_CONFIG) != 0 ||
	    check_path(preshared, sizeof(preshared), opts->o_root,
	    PATH_IKE_PRESHARED) != 0 ||
	    check_path(ipsecinit, sizeof(ipsecinit), opts->o_root,
	    PATH_IPSECINIT) != 0)
		return (1);
	paths.cp_config = opts->o_config != NULL ? opts->o_config : config;
	paths.cp_preshared = preshared;
	paths.cp_ipsecinit = ipsecinit;

	diag_init(&diag);
	rc = config_load(&cf, &paths, &diag);
	for (i = 0; i < diag.cd_n; i++)
		fprintf(stderr, "%s\n", diag.cd_msgs[i]);
	if (diag_count(&diag) > diag.cd_n)
		fprintf(stderr, "in.iked: %zu more errors not shown\n",
		    diag_count(&diag) - diag.cd_n);
	if (rc != 0) {
		if (diag_count(&diag) == 0)
			fprintf(stderr, "in.iked: configuration check failed: "
			    "out of memory\n");
		diag_free(&diag);
		return (1);
	}
	check_warnings(cf, &paths);
	if (opts->o_verbose)
		config_print(stdout, cf);
	check_summary(cf, &paths);
	config_free(cf);
	diag_free(&diag);
	return (0);
}
