/*
 * The control socket end to end: the server library runs in a child
 * process with the in-memory daemon, and the real ikeadm binary (from
 * IKED_BUILD) talks to it under a temporary -R root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/err.h"
#include "lib/log.h"
#include "lib/wbuf.h"
#include "control/control.h"
#include "control/server.h"
#include "fake_ops.h"

static char	ikeadm_path[4096];

struct server {
	char	root[64];
	char	sock[100];
	pid_t	pid;
};

struct result {
	int	status;
	char	out[65536];
	char	err[8192];
};

static struct result	res;

static void
serve(const char *sock, int ready)
{
	struct event_base	*base;
	struct control_server	*cs;
	struct fake_state	*st = calloc(1, sizeof(*st));

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (st == NULL || (base = event_base_new()) == NULL)
		_exit(2);
	fake_state_init(st);
	if (control_server_open(sock, base, &fake_ops, st, &cs) != 0)
		_exit(3);
	if (write(ready, "r", 1) != 1)
		_exit(4);
	(void)close(ready);
	(void)event_base_dispatch(base);
	_exit(0);
}

static int
server_setup(void **state)
{
	struct server	*s = calloc(1, sizeof(*s));
	char		 path[128], c;
	int		 p[2];

	if (s == NULL)
		return (-1);
	(void)snprintf(s->root, sizeof(s->root), "/tmp/ctlsock.%d.XXXXXX",
	    (int)getpid());
	if (mkdtemp(s->root) == NULL || chmod(s->root, 0755) != 0)
		return (-1);
	(void)snprintf(path, sizeof(path), "%s/var", s->root);
	(void)mkdir(path, 0755);
	(void)snprintf(path, sizeof(path), "%s/var/run", s->root);
	(void)mkdir(path, 0755);
	(void)snprintf(s->sock, sizeof(s->sock), "%s/var/run/ike_door",
	    s->root);
	if (pipe(p) != 0)
		return (-1);
	if ((s->pid = fork()) == 0) {
		(void)close(p[0]);
		serve(s->sock, p[1]);
	}
	(void)close(p[1]);
	if (s->pid < 0 || read(p[0], &c, 1) != 1)
		return (-1);
	(void)close(p[0]);
	*state = s;
	return (0);
}

static int
server_teardown(void **state)
{
	struct server	*s = *state;
	char		 cmd[256];

	if (s->pid > 0) {
		(void)kill(s->pid, SIGTERM);
		(void)waitpid(s->pid, NULL, 0);
	}
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", s->root);
	free(s);
	return (0);
}

static void
read_file(int fd, char *buf, size_t len)
{
	ssize_t	n;

	(void)lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	(void)close(fd);
}

/*
 * Run ikeadm with argv (NULL-terminated), input on stdin, optionally as
 * another uid; fills res.
 */
static void
run_as(uid_t uid, const char *input, char *const argv[])
{
	FILE	*in = tmpfile(), *out = tmpfile(), *err = tmpfile();
	pid_t	 pid;
	int	 st;

	assert_non_null(in);
	assert_non_null(out);
	assert_non_null(err);
	if (input != NULL)
		(void)fputs(input, in);
	(void)fflush(in);
	rewind(in);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)dup2(fileno(in), 0);
		(void)dup2(fileno(out), 1);
		(void)dup2(fileno(err), 2);
		(void)setenv("TZ", "UTC", 1);
		(void)setenv("LC_ALL", "C", 1);
		if (uid != 0 && (setgroups(0, NULL) != 0 ||
		    setgid(uid) != 0 || setuid(uid) != 0))
			_exit(126);
		execv(ikeadm_path, argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	res.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	read_file(dup(fileno(out)), res.out, sizeof(res.out));
	read_file(dup(fileno(err)), res.err, sizeof(res.err));
	(void)fclose(in);
	(void)fclose(out);
	(void)fclose(err);
}

#define IKEADM(s, ...)	do {						\
	char *const argv_[] = { "ikeadm", "-R", (s)->root, __VA_ARGS__,	\
	    NULL };							\
	run_as(0, NULL, argv_);						\
} while (0)

#define IKEADM_IN(s, input) do {					\
	char *const argv_[] = { "ikeadm", "-R", (s)->root, NULL };	\
	run_as(0, (input), argv_);					\
} while (0)

static void
expect_ok(const char *out, const char *err)
{
	if (res.status != 0)
		fprintf(stderr, "ikeadm failed: %s\n", res.err);
	assert_int_equal(res.status, 0);
	if (out != NULL)
		assert_string_equal(res.out, out);
	if (err != NULL)
		assert_string_equal(res.err, err);
}

static void
expect_fail(const char *err_part)
{
	assert_int_not_equal(res.status, 0);
	if (strstr(res.err, err_part) == NULL)
		fprintf(stderr, "stderr was: %s\n", res.err);
	assert_non_null(strstr(res.err, err_part));
}

static void
socket_debug(void **state)
{
	struct server	*s = *state;
	char		 log[128], text[256];
	struct stat	 sb;
	int		 fd;

	IKEADM(s, "get", "debug");
	expect_ok("Current debug level is 0x58\nDebug categories enabled:\n"
	    "\tPhase 1 SA creation\n\tPhase 2 SA creation\n"
	    "\tPolicy management\n", "");
	(void)snprintf(log, sizeof(log), "%s/debug.log", s->root);
	IKEADM(s, "set", "debug", "all-op", log);
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "Successfully changed debug level "
	    "from 0x58 to 0x3fb\nDebug categories enabled:\n"
	    "\tCertificate management\n"));
	/* The daemon wrote to the descriptor ikeadm opened. */
	fd = open(log, O_RDONLY);
	assert_true(fd >= 0);
	read_file(fd, text, sizeof(text));
	assert_string_equal(text, "fake in.iked debug log opened\n");
	assert_int_equal(stat(log, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	IKEADM(s, "set", "debug", "0");
	expect_ok("Successfully changed debug level from 0x3fb to 0x0\n"
	    "No debug categories enabled.\n", "");
	IKEADM(s, "set", "debug", "verbose");
	expect_fail("invalid debug level");

	/* Options end at the command: a leading '-' changes the level. */
	IKEADM(s, "set", "debug", "all");
	expect_ok(NULL, "");
	IKEADM(s, "set", "debug", "-op");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "from 0x3ff to 0x3fb\n"));
	IKEADM(s, "set", "debug", "--", "-cert+op");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "from 0x3fb to 0x3fe\n"));
	IKEADM(s, "-n", "--", "set", "debug", "+cert");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "from 0x3fe to 0x3ff\n"));
	IKEADM(s, "set", "debug", "-bogus");
	expect_fail("invalid debug level change");
	IKEADM(s, "set", "debug", "0");
	expect_ok(NULL, "");
}

static void
socket_priv_only_lowers(void **state)
{
	struct server	*s = *state;

	IKEADM(s, "get", "priv");
	expect_ok("Current privilege level is 0x2, access to keying material "
	    "enabled\n", "");
	IKEADM(s, "-n", "dump", "preshared");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "PSKEY: Pre-shared key (16 bytes): "
	    "9fa0a1a2a3a4a5a6a7a8a9aaabacadae/128\n"));
	IKEADM(s, "-p", "-n", "dump", "preshared");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "PSKEY: Pre-shared key (16 bytes): "
	    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/128\n"));
	assert_null(strstr(res.out, "9fa0"));

	IKEADM(s, "set", "priv", "modkeys");
	expect_ok("Successfully changed privilege level from 0x2 to 0x1\n"
	    "New privilege level 0x1 enables access to preshared key "
	    "information\n", "");
	IKEADM(s, "set", "priv", "keymat");
	expect_fail("Not allowed at current privilege level");
	IKEADM(s, "-n", "dump", "preshared");
	expect_ok(NULL, "");
	assert_null(strstr(res.out, "Pre-shared key"));
	assert_non_null(strstr(res.out, "LOCIP: AF_INET: port 0, "
	    "192.0.2.10.\n"));
	IKEADM(s, "-n", "dump", "p1");
	expect_ok(NULL, "");
	assert_null(strstr(res.out, "KEY:"));

	IKEADM(s, "set", "priv", "base");
	expect_ok(NULL, "");
	IKEADM(s, "dump", "preshared");
	expect_fail("Not allowed at current privilege level");
	IKEADM(s, "get", "preshared", "fqdn", "hq.example.com", "fqdn",
	    "branch.example.com");
	expect_fail("Not allowed at current privilege level");
	IKEADM(s, "set", "priv", "1");
	expect_fail("Not allowed at current privilege level");
	IKEADM(s, "get", "priv");
	expect_ok("Current privilege level is 0x0, base privileges "
	    "enabled\n", "");
}

static void
socket_stats_defaults(void **state)
{
	struct server	*s = *state;

	IKEADM(s, "get", "stats");
	expect_ok("Phase 1 SA counts:\n"
	    "Current:   initiator:          1   responder:          1\n"
	    "Total:     initiator:         21   responder:         27\n"
	    "Attempted: initiator:         24   responder:         27\n"
	    "Failed:    initiator:          3   responder:          0\n"
	    "           initiator fails include 2 time-out(s)\n", "");
	IKEADM(s, "get", "defaults");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "Global defaults. Some values can "
	    "be over-ridden on a per rule basis.\n\nSystem defaults are "
	    "time delayed.\n\n"));
	assert_non_null(strstr(res.out, "p1_lifetime_secs  config          "
	    "14400 seconds   phase 1 lifetime"));
	IKEADM(s, "-j", "get", "stats");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "{\"current_initiator\":1,"));
	IKEADM(s, "get", "stats", "extra");
	expect_fail("too many arguments");
}

static void
socket_p1(void **state)
{
	struct server	*s = *state;

	IKEADM(s, "-n", "dump", "p1");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "\nIKESA: Cookies: Initiator "
	    "0x1a2b3c4d5e6f7081  Responder 0x92a3b4c5d6e7f809\n"));
	assert_non_null(strstr(res.out, "KEY:   SKEYID (20 bytes): "
	    "202122232425262728292a2b2c2d2e2f30313233/160\n"));
	assert_non_null(strstr(res.out, "\nIKESA: Cookies: Initiator "
	    "0x1111111111111111  Responder 0x2222222222222222\n"));
	assert_non_null(strstr(res.out, "REMID: branch.example.com\n\n"
	    "Completed dump of phase 1 SA info\n"));
	assert_non_null(strstr(res.out, "127.0.0.1."));
	/*
	 * Without -n the loopback address gets its name from the hosts
	 * file; other addresses would ask DNS, so tests always pass -n.
	 */
	IKEADM(s, "get", "p1", "0x1111111111111111", "0x2222222222222222");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "127.0.0.1 (localhost)."));

	IKEADM(s, "-n", "get", "p1", "0x1a2b3c4d5e6f7081",
	    "0x92a3b4c5d6e7f809");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "LOCIP: AF_INET: port 500, "
	    "192.0.2.10.\n"));
	assert_null(strstr(res.out, "Completed"));
	IKEADM(s, "-n", "get", "p1", "192.0.2.10", "198.51.100.20");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "Initiator 0x1a2b3c4d5e6f7081"));
	IKEADM(s, "-n", "get", "p1", "192.0.2.99", "198.51.100.20");
	expect_fail("Could not find requested phase 1 SA.\n");
	IKEADM(s, "get", "p1", "0x1", "zz");
	expect_fail("invalid responder cookie 'zz': expected 0x followed");
	IKEADM(s, "get", "p1", "0x1");
	expect_fail("expected two addresses or two cookies");

	IKEADM(s, "-j", "-p", "dump", "p1");
	expect_ok(NULL, "");
	assert_int_equal(res.out[0], '{');
	assert_non_null(strstr(res.out, "}\n{"));
	assert_non_null(strstr(res.out, "\"skeyid\":\"XXXX"));
	assert_null(strstr(res.out, "Completed"));

	IKEADM(s, "del", "p1", "0x1111111111111111", "0x2222222222222222");
	expect_ok("", "Successfully deleted selected phase 1 SA.\n");
	IKEADM(s, "del", "p1", "0x1111111111111111", "0x2222222222222222");
	expect_fail("Could not find requested phase 1 SA.\n");
	IKEADM(s, "flush", "p1");
	expect_ok("", "Successfully flushed P1 SAs.\n");
	IKEADM(s, "dump", "p1");
	expect_ok("\nCompleted dump of phase 1 SA info\n", "");
}

static void
socket_rules(void **state)
{
	struct server	*s = *state;
	char		 file[128], text[512];
	struct stat	 sb;
	int		 fd;

	IKEADM(s, "-n", "get", "rule", "hq-gw to branch-gw");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "GLOBL: Label 'hq-gw to branch-gw', "
	    "key manager cookie 1\n"));
	IKEADM(s, "get", "rule", "nonexistent");
	expect_fail("Could not find requested policy rule.\n");

	IKEADM(s, "add", "rule", "{", "label", "new rule", "local_addr",
	    "192.0.2.1", "remote_addr", "192.0.2.2", "p1_xform", "{",
	    "auth_method", "preshared", "}", "}");
	expect_ok("", "Successfully created new policy rule.\n");
	IKEADM(s, "get", "rule", "new rule");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "GLOBL: Label 'new rule'"));
	IKEADM(s, "add", "rule", "{ label \"new rule\" }");
	expect_fail("Duplicate entry");

	(void)snprintf(file, sizeof(file), "%s/more.conf", s->root);
	fd = open(file, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_true(dprintf(fd, "{ label \"from file\" }\n") > 0);
	(void)close(fd);
	IKEADM(s, "add", "rule", file);
	expect_ok("", "Successfully created new policy rule.\n");
	/* The parser's messages come back and name the file. */
	IKEADM(s, "add", "rule", file);
	expect_fail("Duplicate entry\n");
	(void)snprintf(text, sizeof(text), "\nikeadm: %s:1: duplicate label "
	    "\"from file\"\n", file);
	assert_non_null(strstr(res.err, text));
	IKEADM(s, "del", "rule", "lab");
	expect_ok("", "Successfully deleted selected policy rule.\n");

	IKEADM(s, "dump", "rule");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "Label 'from file'"));
	assert_null(strstr(res.out, "Label 'lab'"));
	assert_non_null(strstr(res.out, "\nCompleted dump of policy "
	    "rules\n"));

	(void)snprintf(file, sizeof(file), "%s/out.conf", s->root);
	IKEADM(s, "write", "rule", file);
	expect_ok("", "Completed write of policy rule configuration "
	    "information.\n");
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	fd = open(file, O_RDONLY);
	read_file(fd, text, sizeof(text));
	assert_non_null(strstr(text, "{ label \"new rule\" }\n"));
	IKEADM(s, "write", "rule", file);
	expect_fail("File exists");

	IKEADM(s, "read", "rule", file);
	expect_ok("", "Completed read of policy rule configuration "
	    "information.\n");
	IKEADM(s, "read", "rule");
	expect_ok("", "Completed read of policy rule configuration "
	    "information.\n");
	IKEADM(s, "get", "rule", "lab");
	expect_ok(NULL, "");

	/* With no rules, write reports it and leaves no file behind. */
	IKEADM(s, "del", "rule", "lab");
	IKEADM(s, "del", "rule", "hq-gw to branch-gw");
	(void)snprintf(file, sizeof(file), "%s/empty.conf", s->root);
	IKEADM(s, "write", "rule", file);
	expect_fail("No policy rule information to write.\n");
	assert_int_not_equal(stat(file, &sb), 0);
	IKEADM(s, "dump", "rule");
	expect_ok("\nCompleted dump of policy rules\n", "");
}

static void
socket_preshared(void **state)
{
	struct server	*s = *state;
	char		 file[128];

	IKEADM(s, "-n", "get", "preshared", "192.0.2.10", "198.51.100.20");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "PSKEY: For main mode (identity "
	    "protect) exchanges\n"));
	IKEADM(s, "get", "preshared", "FQDN", "hq.example.com", "dns",
	    "branch.example.com");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "PSKEY: Pre-shared key (4 bytes): "
	    "a0a1a2a3/28\n"));
	IKEADM(s, "get", "preshared", "fqdn", "x.example.com", "fqdn",
	    "y.example.com");
	expect_fail("Could not find requested preshared key.\n");
	IKEADM(s, "get", "preshared", "email", "x", "fqdn", "y");
	expect_fail("unknown identity type");

	IKEADM(s, "add", "preshared", "{", "localid", "192.0.2.1",
	    "remoteid", "192.0.2.2", "key", "0102", "}");
	expect_fail("Must be in interactive mode to add key info.\n");

	IKEADM_IN(s, "add preshared { localidtype ip localid 192.0.2.1 \\\n"
	    "remoteid 192.0.2.2 ike_mode main key 0a0b0c0d }\nquit\n");
	expect_ok(NULL, "Successfully created new preshared key.\n");
	IKEADM(s, "-n", "get", "preshared", "192.0.2.1", "192.0.2.2");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "PSKEY: Pre-shared key (4 bytes): "
	    "0a0b0c0d/32\n"));

	IKEADM(s, "-n", "del", "preshared", "192.0.2.1", "192.0.2.2");
	expect_ok("", "Successfully deleted selected preshared key.\n");
	(void)snprintf(file, sizeof(file), "%s/psk.out", s->root);
	IKEADM(s, "write", "preshared", file);
	expect_ok("", "Completed write of preshared key configuration "
	    "information.\n");
	IKEADM(s, "read", "preshared", file);
	expect_ok("", "Completed read of preshared key configuration "
	    "information.\n");
	IKEADM(s, "add", "preshared", file);
	expect_ok("", "Successfully created new preshared key.\n");
	IKEADM(s, "-n", "dump", "preshared");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "\nCompleted dump of preshared "
	    "keys\n"));
}

static void
socket_certcache_algs(void **state)
{
	struct server	*s = *state;

	IKEADM(s, "dump", "certcache");
	expect_ok("\nCERTIFICATE CACHE ID: 1\n"
	    "\tSubject Name: C=US, O=Example, CN=hq\n"
	    "\t Issuer Name: C=US, O=Example, CN=ca\n"
	    "\t\t[trusted certificate]\n"
	    "\t\t[Private key available]\n"
	    "\nCompleted dump of certcache\n", "");
	IKEADM(s, "flush", "certcache");
	expect_ok("", "Successfully flushed cert cache.\n");
	IKEADM(s, "dump", "certcache");
	expect_ok("\nCompleted dump of certcache\n", "");

	IKEADM(s, "dump", "groups");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "List of Diffie-Hellman groups for "
	    "setting up IKE SAs\nThe values match the IPsec attribute "
	    "assigned numbers published by IANA\n\nValue Strength "
	    "Description"));
	assert_non_null(strstr(res.out, "\n14    "));
	assert_non_null(strstr(res.out, "2048-bit MODP (group 14)"));
	assert_non_null(strstr(res.out, "\n\nCompleted dump of groups\n"));
	IKEADM(s, "dump", "encralgs");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "\n7     aes-cbc             "
	    "128-256        \n"));
	assert_non_null(strstr(res.out, "Completed dump of encralgs\n"));
	IKEADM(s, "dump", "authalgs");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "\n2     hmac-sha1           \n"));
	assert_non_null(strstr(res.out, "Completed dump of authalgs\n"));
	IKEADM(s, "-j", "dump", "groups");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "{\"value\":14,\"strength\":"));
	assert_non_null(strstr(res.out, "\"description\":\"2048-bit MODP "
	    "(group 14)\"}\n"));

	IKEADM(s, "token", "login", "my token");
	expect_fail("PKCS#11 tokens are not supported");
	IKEADM(s, "dbg", "rbdump");
	expect_ok("", "");
}

static void
socket_cli_errors(void **state)
{
	struct server	*s = *state;
	char *const	 argv_nodaemon[] = { "ikeadm", "-R", "/nonexistent",
	    "get", "debug", NULL };

	IKEADM(s, "frob", "p1");
	expect_fail("ikeadm: Unrecognized command 'frob'\nUsage: ikeadm "
	    "[ -jnp ] [ -R root ] [ -t seconds ] cmd obj "
	    "[cmd-specific options]\n       ikeadm [ -hjnp ] [ -R root ] "
	    "[ -t seconds ]  (interactive)\n");
	assert_int_equal(strncmp(res.err, "ikeadm: ", 8), 0);
	IKEADM(s, "get", "frob");
	expect_fail("ikeadm: Unrecognized object 'frob'\nUsage: ikeadm");
	assert_int_equal(strncmp(res.err, "ikeadm: ", 8), 0);
	IKEADM(s, "help", "frob");
	expect_fail("ikeadm: Unrecognized command 'frob'\nUsage: ikeadm");
	assert_string_equal(res.out, "");
	IKEADM(s, "dump", "stats");
	expect_fail("Unrecognized object 'stats'");
	IKEADM(s, "get");
	expect_fail("needs an object");
	run_as(0, NULL, argv_nodaemon);
	expect_fail("Unable to communicate with in.iked\n");
	IKEADM(s, "help");
	expect_ok(NULL, "");
	assert_non_null(strstr(res.out, "dump p1|rule|preshared|certcache|"
	    "groups|encralgs|authalgs"));
	IKEADM(s, "help", "write");
	expect_ok("\twrite rule|preshared <file>\n", "");
	IKEADM(s, "help", "help");
	expect_ok(NULL, "");
}

/* A rejected argument is quoted in the message with its limit or form. */
static void
socket_cli_bad_values(void **state)
{
	struct server	*s = *state;
	char		 label[301];

	IKEADM(s, "set", "debug", "0xffffffffffff");
	expect_fail("invalid debug level '0xffffffffffff': use a number or "
	    "0x mask from 0 to 0x3ff");
	IKEADM(s, "set", "debug", "-zz");
	expect_fail("invalid debug level change '-zz'");
	IKEADM(s, "set", "priv", "root");
	expect_fail("invalid privilege level 'root'");
	IKEADM(s, "get", "p1", "0xzz", "0x1");
	expect_fail("invalid initiator cookie '0xzz': expected 0x followed "
	    "by 1 to 16 hex digits");
	IKEADM(s, "get", "p1", "0x1", "0x11112222333344445");
	expect_fail("invalid responder cookie '0x11112222333344445'");
	memset(label, 'a', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	IKEADM(s, "get", "rule", label);
	expect_fail("label 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' (300 "
	    "characters) is too long: the maximum is 255 characters");
	IKEADM(s, "get", "rule", "\"we\"ird\"");
	expect_fail("unterminated quote: add the closing \", and write \\\" "
	    "for a quote inside quotes\n");
	IKEADM(s, "get", "rule", "\"we\\\"ird\"");
	expect_fail("Could not find requested policy rule.\n");
}

/*
 * A stopped daemon accepts connections into the listen backlog but never
 * replies: ikeadm gives up after -t seconds and says what to check.
 */
static void
socket_timeout(void **state)
{
	struct server	*s = *state;
	char *const	 argv_bad[] = { "ikeadm", "-t", "soon", "get", "stats",
	    NULL };

	assert_int_equal(kill(s->pid, SIGSTOP), 0);
	IKEADM(s, "-t", "1", "get", "stats");
	assert_int_equal(kill(s->pid, SIGCONT), 0);
	expect_fail("ikeadm: in.iked did not reply within 1 second on ");
	assert_non_null(strstr(res.err, "check that in.iked is running and "
	    "not stopped"));
	assert_non_null(strstr(res.err, "the request GET_STATS only reads, "
	    "so it changes nothing\n"));
	IKEADM(s, "-t", "5", "get", "debug");
	expect_ok(NULL, "");
	/* The daemon drops a request whose ikeadm gave up and closed. */
	assert_int_equal(kill(s->pid, SIGSTOP), 0);
	IKEADM(s, "-t", "1", "del", "rule", "hq-gw to branch-gw");
	assert_int_equal(kill(s->pid, SIGCONT), 0);
	expect_fail("ikeadm: the request DEL_RULE may still be carried out "
	    "when in.iked resumes: check the result before you repeat it\n");
	IKEADM(s, "-t", "5", "get", "debug");
	expect_ok(NULL, "");
	IKEADM(s, "-t", "5", "get", "rule", "hq-gw to branch-gw");
	expect_ok(NULL, "");
	run_as(0, NULL, argv_bad);
	expect_fail("ikeadm: invalid -t 'soon': expected 0 (wait forever) "
	    "to 3600 seconds\n");
}

static void
socket_interactive(void **state)
{
	struct server	*s = *state;

	IKEADM_IN(s, "# a comment line\n"
	    "get \\\n  priv\n"
	    "bogus\n"
	    "get rule \"hq-gw to branch-gw\"\n"
	    "exit\n"
	    "get debug\n");
	assert_int_not_equal(res.status, 0);	/* "bogus" failed */
	assert_non_null(strstr(res.out, "ikeadm> Current privilege level is "
	    "0x2, access to keying material enabled\nikeadm> ikeadm> \n"
	    "GLOBL: Label 'hq-gw to branch-gw'"));
	assert_null(strstr(res.out, "Current debug level"));
	assert_non_null(strstr(res.err, "Unrecognized command 'bogus'"));

	/* A block may span lines without a backslash. */
	IKEADM_IN(s, "add rule {\n label \"multi line\"\n}\nquit\n");
	expect_ok(NULL, "Successfully created new policy rule.\n");
	IKEADM_IN(s, "get debug\n");
	expect_ok("ikeadm> Current debug level is 0x58\nDebug categories "
	    "enabled:\n\tPhase 1 SA creation\n\tPhase 2 SA creation\n"
	    "\tPolicy management\nikeadm> ", "");
}

/* Raw requests on the socket, as a buggy or hostile client sends them. */

static int
raw_connect(const struct server *s)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->sock);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	return (fd);
}

static void
raw_send(int sock, const void *data, size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(4 * sizeof(int))];
	} cbuf;
	struct msghdr	 msg;
	struct iovec	 iov = { (void *)data, len };
	struct cmsghdr	*cmsg;

	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
	}
	assert_true(sendmsg(sock, &msg, 0) == (ssize_t)len);
}

static void
raw_reply(int sock, struct control_msg *rep)
{
	static uint8_t	buf[CONTROL_MSG_MAX];
	ssize_t		n = recv(sock, buf, sizeof(buf), 0);

	assert_true(n > 0);
	assert_int_equal(control_msg_decode(rep, buf, (size_t)n), 0);
}

static void
raw_request(int sock, const struct control_msg *req, const int *fds,
    int nfds)
{
	struct wbuf	wb;

	wbuf_init(&wb, 0);
	assert_int_equal(control_msg_encode(req, &wb), 0);
	raw_send(sock, wb.wb_data, wb.wb_len, fds, nfds);
	wbuf_free(&wb);
}

static void
socket_malformed_requests(void **state)
{
	struct server		*s = *state;
	struct control_msg	*req = calloc(1, sizeof(*req));
	struct control_msg	*rep = calloc(1, sizeof(*rep));
	static uint8_t		 big[CONTROL_MSG_MAX + 100];
	int			 sock = raw_connect(s), fds[2];

	assert_non_null(req);
	assert_non_null(rep);
	raw_send(sock, "\x02\x00\x00", 3, NULL, 0);
	raw_reply(sock, rep);
	assert_int_equal(rep->cmd, CONTROL_ERROR);
	assert_int_equal(rep->ecode, CONTROL_E_REQ_INVALID);

	/* Larger than any request: truncated, rejected, not a crash. */
	memset(big, 0xff, sizeof(big));
	raw_send(sock, big, sizeof(big), NULL, 0);
	raw_reply(sock, rep);
	assert_int_equal(rep->ecode, CONTROL_E_REQ_INVALID);

	/* Two descriptors: both closed, request rejected. */
	fds[0] = open("/dev/null", O_RDONLY);
	fds[1] = open("/dev/null", O_RDONLY);
	req->cmd = CONTROL_READ_RULES;
	req->has_fd = 1;
	raw_request(sock, req, fds, 2);
	raw_reply(sock, rep);
	assert_int_equal(rep->ecode, CONTROL_E_REQ_INVALID);

	/* Descriptor announced but missing. */
	raw_request(sock, req, NULL, 0);
	raw_reply(sock, rep);
	assert_int_equal(rep->ecode, CONTROL_E_REQ_INVALID);

	/* The same connection still serves a valid request. */
	memset(req, 0, sizeof(*req));
	req->cmd = CONTROL_GET_DBG;
	raw_request(sock, req, NULL, 0);
	raw_reply(sock, rep);
	assert_int_equal(rep->cmd, CONTROL_GET_DBG);
	assert_int_equal(rep->level, 0x58);
	(void)close(fds[0]);
	(void)close(fds[1]);
	(void)close(sock);
	free(req);
	free(rep);
	IKEADM(s, "get", "priv");
	expect_ok(NULL, "");
}

/*
 * Idle connections (interactive ikeadm sessions) fill the server's 16
 * slots.  The next ikeadm gets the limit as the reason, not a message
 * that in.iked is not running.
 */
static void
socket_connection_limit(void **state)
{
	struct server		*s = *state;
	struct control_msg	*req = calloc(1, sizeof(*req));
	struct control_msg	*rep = calloc(1, sizeof(*rep));
	int			 socks[16];
	size_t			 i;

	assert_non_null(req);
	assert_non_null(rep);
	req->cmd = CONTROL_GET_DBG;
	for (i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		socks[i] = raw_connect(s);
		/* A reply shows that the server accepted the connection. */
		raw_request(socks[i], req, NULL, 0);
		raw_reply(socks[i], rep);
		assert_int_equal(rep->cmd, CONTROL_GET_DBG);
	}
	IKEADM(s, "get", "debug");
	expect_fail("in.iked already has 16 ikeadm connections open, the "
	    "maximum: quit an idle interactive ikeadm");
	assert_null(strstr(res.err, "check that in.iked is running"));

	(void)close(socks[0]);
	/* The server notices the close in its own time. */
	for (i = 0; i < 50; i++) {
		IKEADM(s, "get", "debug");
		if (res.status == 0)
			break;
		(void)usleep(100000);
	}
	expect_ok(NULL, NULL);
	for (i = 1; i < sizeof(socks) / sizeof(socks[0]); i++)
		(void)close(socks[i]);
	free(req);
	free(rep);
}

static void
socket_rejects_other_users(void **state)
{
	struct server	*s = *state;
	char *const	 argv[] = { "ikeadm", "-R", s->root, "get", "debug",
	    NULL };

	if (geteuid() != 0)
		skip();
	/* Mode 0600 keeps other users out at connect. */
	run_as(65534, NULL, argv);
	expect_fail("Unable to communicate with in.iked");
	expect_fail("Permission denied; ikeadm must run as root");
	/* Past the mode, SO_PEERCRED still rejects them. */
	assert_int_equal(chmod(s->sock, 0666), 0);
	run_as(65534, NULL, argv);
	expect_fail("User not authorized");
	assert_null(strstr(res.out, "Current debug level"));
}

static void
socket_open_checks_ownership(void **state)
{
	struct server		*s = *state;
	struct event_base	*base = event_base_new();
	struct control_server	*cs = NULL;
	char			 dir[128], path[160];
	int			 fd;

	assert_non_null(base);
	/* A live socket is not taken over. */
	assert_int_equal(control_server_open(s->sock, base, &fake_ops, NULL,
	    &cs), ERR_EXISTS);
	assert_null(cs);

	(void)snprintf(dir, sizeof(dir), "%s/open", s->root);
	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	(void)snprintf(path, sizeof(path), "%s/ike_door", dir);
	assert_int_equal(control_server_open(path, base, &fake_ops, NULL,
	    &cs), ERR_PERM);
	assert_int_equal(chmod(dir, 0755), 0);

	/* A regular file in the way is not removed. */
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	(void)close(fd);
	assert_int_equal(control_server_open(path, base, &fake_ops, NULL,
	    &cs), ERR_PERM);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(unlink(path), 0);

	/* A stale socket is replaced; the new one has mode 0600. */
	assert_int_equal(control_server_open(path, base, &fake_ops, NULL,
	    &cs), 0);
	control_server_close(cs);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(control_server_open(path, base, &fake_ops, NULL,
	    &cs), 0);
	{
		struct stat	sb;

		assert_int_equal(stat(path, &sb), 0);
		assert_true(S_ISSOCK(sb.st_mode));
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	control_server_close(cs);
	event_base_free(base);
}

int
main(void)
{
	const char	*build = getenv("IKED_BUILD");
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, server_setup, server_teardown)
		T(socket_debug),
		T(socket_priv_only_lowers),
		T(socket_stats_defaults),
		T(socket_p1),
		T(socket_rules),
		T(socket_preshared),
		T(socket_certcache_algs),
		T(socket_cli_errors),
		T(socket_cli_bad_values),
		T(socket_timeout),
		T(socket_interactive),
		T(socket_malformed_requests),
		T(socket_connection_limit),
		T(socket_rejects_other_users),
		T(socket_open_checks_ownership),
#undef T
	};

	if (build == NULL) {
		printf("IKED_BUILD is not set: cannot find ikeadm\n");
		return (77);
	}
	(void)snprintf(ikeadm_path, sizeof(ikeadm_path),
	    "%s/src/ikeadm/ikeadm", build);
	if (access(ikeadm_path, X_OK) != 0) {
		printf("%s is not built\n", ikeadm_path);
		return (77);
	}
	log_init("test_socket", LOG_DEST_STDERR);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
