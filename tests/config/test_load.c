/*
 * config_load on real files in a temporary directory: the mode check of
 * the preshared file, and which missing files are errors.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/diag.h"
#include "lib/err.h"

#define PSK_CONFIG \
	"p1_xform { auth_method preshared oakley_group 14 encr_alg aes " \
	"auth_alg sha256 }\n" \
	"{ label \"psk\" local_addr 192.0.2.1 remote_addr 198.51.100.1 }\n"
#define CERT_CONFIG \
	"{ label \"cert\" local_addr 192.0.2.1 remote_addr 198.51.100.1\n" \
	"  local_id_type dn local_id \"CN=a\" remote_id \"CN=b\"\n" \
	"  p1_xform { auth_method rsa_sig oakley_group 14 encr_alg aes " \
	"auth_alg sha256 } }\n"
#define PSK_FILE \
	"{ localid 192.0.2.1 remoteid 198.51.100.1 key 00112233 }\n"

struct files {
	char	dir[64];
	char	config[128];
	char	preshared[128];
	char	ipsecinit[128];
};

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int
setup(void **state)
{
	struct files	*f = calloc(1, sizeof(*f));

	if (f == NULL)
		return (-1);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_load.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return (-1);
	snprintf(f->config, sizeof(f->config), "%s/config", f->dir);
	snprintf(f->preshared, sizeof(f->preshared), "%s/ike.preshared",
	    f->dir);
	snprintf(f->ipsecinit, sizeof(f->ipsecinit), "%s/ipsecinit.conf",
	    f->dir);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct files	*f = *state;

	unlink(f->config);
	unlink(f->preshared);
	unlink(f->ipsecinit);
	rmdir(f->dir);
	free(f);
	return (0);
}

/* Load the three files; returns the config_load code. */
static int
load(struct files *f, struct config_diag *diag, struct config **cf)
{
	struct config_paths	paths;

	paths.cp_config = f->config;
	paths.cp_preshared = f->preshared;
	paths.cp_ipsecinit = f->ipsecinit;
	diag_init(diag);
	return (config_load(cf, &paths, diag));
}

static int
diag_has(const struct config_diag *diag, const char *sub)
{
	size_t	i;

	for (i = 0; i < diag->cd_n; i++) {
		if (strstr(diag->cd_msgs[i], sub) != NULL)
			return (1);
	}
	return (0);
}

static void
preshared_mode_rejected(void **state)
{
	struct files		*f = *state;
	struct config_diag	 diag;
	struct config		*cf;
	char			 expect[512];

	write_file(f->config, PSK_CONFIG, 0644);
	write_file(f->preshared, PSK_FILE, 0644);
	assert_int_equal(load(f, &diag, &cf), ERR_CONFIG);
	assert_null(cf);
	snprintf(expect, sizeof(expect), "%s: file is readable or writable "
	    "by group or others (mode 0644): run chmod 600 %s", f->preshared,
	    f->preshared);
	assert_true(diag_has(&diag, expect));
	diag_free(&diag);

	assert_int_equal(chmod(f->preshared, 0620), 0);
	assert_int_equal(load(f, &diag, &cf), ERR_CONFIG);
	assert_true(diag_has(&diag, "chmod 600"));
	diag_free(&diag);

	assert_int_equal(chmod(f->preshared, 0600), 0);
	assert_int_equal(load(f, &diag, &cf), 0);
	assert_non_null(cf);
	assert_int_equal(cf->cf_npsks, 1);
	/* No ipsecinit.conf: not an error, but recorded. */
	assert_int_equal(cf->cf_missing, CONFIG_MISSING_IPSECINIT);
	diag_free(&diag);
	config_free(cf);
}

static void
preshared_owner_rejected(void **state)
{
	struct files		*f = *state;
	struct config_diag	 diag;
	struct config		*cf;

	if (geteuid() != 0)
		skip();
	write_file(f->config, PSK_CONFIG, 0644);
	write_file(f->preshared, PSK_FILE, 0600);
	assert_int_equal(chown(f->preshared, 4242, 4242), 0);
	assert_int_equal(load(f, &diag, &cf), ERR_CONFIG);
	assert_true(diag_has(&diag, "file is owned by uid 4242, which could "
	    "change the keys: run chown root"));
	diag_free(&diag);
}

static void
missing_preshared_needed(void **state)
{
	struct files		*f = *state;
	struct config_diag	 diag;
	struct config		*cf;

	write_file(f->config, PSK_CONFIG, 0644);
	assert_int_equal(load(f, &diag, &cf), ERR_CONFIG);
	assert_true(diag_has(&diag, "rule \"psk\" uses preshared "
	    "authentication but"));
	assert_true(diag_has(&diag, f->preshared));
	diag_free(&diag);
}

static void
missing_preshared_unneeded(void **state)
{
	struct files		*f = *state;
	struct config_diag	 diag;
	struct config		*cf;

	write_file(f->config, CERT_CONFIG, 0644);
	write_file(f->ipsecinit, "{ lport 53 } bypass { }\n", 0644);
	assert_int_equal(load(f, &diag, &cf), 0);
	assert_int_equal(cf->cf_missing, CONFIG_MISSING_PRESHARED);
	assert_int_equal(cf->cf_nspds, 1);
	diag_free(&diag);
	config_free(cf);
}

static void
missing_config_reported(void **state)
{
	struct files		*f = *state;
	struct config_diag	 diag;
	struct config		*cf;
	char			 expect[512];

	assert_int_equal(load(f, &diag, &cf), ERR_CONFIG);
	snprintf(expect, sizeof(expect), "%s: file not found", f->config);
	assert_true(diag_has(&diag, expect));
	diag_free(&diag);
}

/* Errors in all three files are reported in one run. */
static void
errors_of_all_files(void **state)
{
	struct files		*f = *state;
	struct config_diag	 diag;
	struct config		*cf;
	char			 expect[512];

	write_file(f->config, PSK_CONFIG "p2_pfs 7\n", 0644);
	write_file(f->preshared, "{ localid 192.0.2.1 key 00 }\n", 0600);
	write_file(f->ipsecinit, "\n{ lport 1 } ipsec { encr_algs rc4 }\n",
	    0644);
	assert_int_equal(load(f, &diag, &cf), ERR_CONFIG);
	snprintf(expect, sizeof(expect), "%s:3: invalid p2_pfs 7", f->config);
	assert_true(diag_has(&diag, expect));
	snprintf(expect, sizeof(expect), "%s:1: preshared entry has no "
	    "remoteid", f->preshared);
	assert_true(diag_has(&diag, expect));
	snprintf(expect, sizeof(expect), "%s:2: invalid encr_algs 'rc4'",
	    f->ipsecinit);
	assert_true(diag_has(&diag, expect));
	assert_int_equal(diag_count(&diag), 3);
	diag_free(&diag);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(preshared_mode_rejected,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(preshared_owner_rejected,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(missing_preshared_needed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(missing_preshared_unneeded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(missing_config_reported,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(errors_of_all_files,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
