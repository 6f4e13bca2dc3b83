/*
 * in.iked -c: read ike.config, ike.preshared and ipsecinit.conf, report
 * every error as "file:line: message" on stderr and exit 1, or print a
 * one-line summary and exit 0.  Warnings ("file:line: warning: ...") go to
 * stderr too but leave the exit status 0.  With -v the effective configuration,
 * with the source of each value, goes to stdout.
 *
 * The preshared file may be absent when no rule uses preshared keys, and
 * ipsecinit.conf may be absent (no IPsec policy is then loaded).  The
 * summary names a file that was not found.  A rule with public key
 * encryption whose peer has no certificate in publickeys gets a warning.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config/diag.h"
#include "crypto/x509/certstore.h"
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

/*
 * Whether publickeys has an RSA certificate that the rule's remote_id
 * selects.  Returns 1, 0, or -1 when the selectors do not parse.
 */
static int
check_pke_peer(const struct certstore *cs, const struct config_rule *r,
    char *sels, size_t selsize)
{
	struct certsel_list	*list = NULL;
	struct certstore_entry	 e;
	const char		*texts[16];
	char			 buf[16][512], why[256];
	size_t			 i, n = 0, used = 0;
	int			 found = 0;

	sels[0] = '\0';
	for (i = 0; i < r->cr_nremote_ids && n < 16; i++, n++) {
		snprintf(buf[n], sizeof(buf[n]), "%s%s",
		    r->cr_remote_ids[i].is_exclude ? "!" : "",
		    r->cr_remote_ids[i].is_sel);
		texts[n] = buf[n];
		if (used < selsize)
			used += (size_t)snprintf(sels + used, selsize - used,
			    "%s\"%s\"", n ? ", " : "", buf[n]);
	}
	if (n == 0 || certsel_list_parse(&list, texts, n, why,
	    sizeof(why)) != 0)
		return (-1);
	for (i = 0; !found && certstore_entry(cs, i, &e) == 0; i++)
		found = e.ce_origin != CERTSTORE_FROM_PAYLOAD &&
		    certsel_list_match(list, e.ce_cert, e.ce_slot) &&
		    pkey_type(cert_public_key(e.ce_cert)) == PKEY_RSA;
	certsel_list_free(list);
	return (found);
}

/* Rules with rsa_encrypt need the peer's certificate before they run. */
static void
check_pke_peers(const struct config *cf, const char *root)
{
	struct certstore		*cs = NULL;
	const struct config_rule	*r;
	char				 sels[512], dir[4096];
	size_t				 i;
	int				 m;

	for (i = 0; i < cf->cf_nrules; i++) {
		r = &cf->cf_rules[i];
		m = r->cr_nxforms > 0 ? r->cr_xforms[0].px_auth_method : 0;
		if (m != CONFIG_AUTH_RSA_ENCRYPT &&
		    m != CONFIG_AUTH_RSA_ENCRYPT_REV)
			continue;
		if (cs == NULL && certstore_load(&cs, root) != 0) {
			fprintf(stderr, "in.iked: warning: the certificate "
			    "stores under %s cannot be read, so rules with "
			    "public key encryption were not checked\n", root);
			return;
		}
		if (check_pke_peer(cs, r, sels, sizeof(sels)) != 0)
			continue;
		if (paths_join(dir, sizeof(dir), root, PATH_IKE_PUBLICKEYS) != 0)
			snprintf(dir, sizeof(dir), "%s", PATH_IKE_PUBLICKEYS);
		fprintf(stderr, "%s:%u: warning: rule \"%s\" uses %s but no "
		    "certificate for the peer matching remote_id %s is in %s: "
		    "import it with ikecert certdb -a\n", r->cr_where.cw_file,
		    r->cr_where.cw_line, r->cr_label ? r->cr_label : "",
		    config_auth_method_name(m), sels, dir);
	}
	certstore_free(cs);
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
	check_pke_peers(cf, opts->o_root != NULL ? opts->o_root : "/");
	if (opts->o_verbose)
		config_print(stdout, cf);
	check_summary(cf, &paths);
	config_free(cf);
	diag_free(&diag);
	return (0);
}
