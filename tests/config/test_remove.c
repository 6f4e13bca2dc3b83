/*
 * config_rule_remove and config_psk_remove, which "ikeadm del rule" and
 * "ikeadm del preshared" use: the right entry goes, the others keep
 * their order, and validation renumbers the rule cookies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/diag.h"
#include "lib/err.h"

#define RULES \
	"p1_xform { auth_method preshared oakley_group 14 encr_alg aes " \
	"auth_alg sha256 }\n" \
	"{ label \"one\" local_addr 192.0.2.1 remote_addr 198.51.100.1 }\n" \
	"{ label \"two\" local_addr 192.0.2.1 remote_addr 198.51.100.2 }\n" \
	"{ label \"three\" local_addr 192.0.2.1 remote_addr 198.51.100.3 }\n"
#define KEYS \
	"{ localid 192.0.2.1 remoteid 198.51.100.1 key 01 }\n" \
	"{ localid 192.0.2.1 remoteid 198.51.100.2 key 0202 }\n" \
	"{ localid 192.0.2.1 remoteid 198.51.100.3 key 030303 }\n"

static struct config *
load(void)
{
	struct config_diag	 diag;
	struct config		*cf = config_new();

	assert_non_null(cf);
	diag_init(&diag);
	assert_int_equal(config_parse_buf(cf, CONFIG_FILE_IKE, "rules",
	    RULES, strlen(RULES), &diag), 0);
	assert_int_equal(config_parse_buf(cf, CONFIG_FILE_PRESHARED, "keys",
	    KEYS, strlen(KEYS), &diag), 0);
	assert_int_equal(config_validate(cf, &diag), 0);
	assert_int_equal(diag_count(&diag), 0);
	diag_free(&diag);
	return (cf);
}

static void
test_rule_remove_middle(void **state)
{
	struct config		*cf = load();
	struct config_diag	 diag;

	(void)state;
	assert_int_equal(config_rule_remove(cf, 1), 0);
	assert_int_equal(cf->cf_nrules, 2);
	assert_string_equal(cf->cf_rules[0].cr_label, "one");
	assert_string_equal(cf->cf_rules[1].cr_label, "three");
	assert_null(config_rule_find_label(cf, "two"));
	diag_init(&diag);
	assert_int_equal(config_validate(cf, &diag), 0);
	diag_free(&diag);
	assert_int_equal(cf->cf_rules[1].cr_cookie, 2);
	config_free(cf);
}

static void
test_rule_remove_last_and_bad_index(void **state)
{
	struct config	*cf = load();

	(void)state;
	assert_int_equal(config_rule_remove(cf, 3), ERR_NOTFOUND);
	assert_int_equal(config_rule_remove(cf, 2), 0);
	assert_int_equal(config_rule_remove(cf, 0), 0);
	assert_int_equal(cf->cf_nrules, 1);
	assert_string_equal(cf->cf_rules[0].cr_label, "two");
	assert_int_equal(config_rule_remove(cf, 0), 0);
	assert_int_equal(cf->cf_nrules, 0);
	assert_int_equal(config_rule_remove(cf, 0), ERR_NOTFOUND);
	config_free(cf);
}

static void
test_psk_remove(void **state)
{
	struct config	*cf = load();

	(void)state;
	assert_int_equal(config_psk_remove(cf, 0), 0);
	assert_int_equal(cf->cf_npsks, 2);
	assert_int_equal(cf->cf_psks[0].ps_key.wb_len, 2);
	assert_int_equal(cf->cf_psks[1].ps_key.wb_len, 3);
	assert_int_equal(config_psk_remove(cf, 2), ERR_NOTFOUND);
	assert_int_equal(config_psk_remove(cf, 1), 0);
	assert_int_equal(cf->cf_npsks, 1);
	assert_int_equal(cf->cf_psks[0].ps_key.wb_data[0], 0x02);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_rule_remove_middle),
		cmocka_unit_test(test_rule_remove_last_and_bad_index),
		cmocka_unit_test(test_psk_remove),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
