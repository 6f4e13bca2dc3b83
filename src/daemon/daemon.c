/*
 * The daemon proper: start-up, the event loop, configuration reload on
 * SIGHUP and a clean stop on SIGTERM or SIGINT.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "config/config.h"
#include "config/diag.h"
#include "crypto/crypto.h"
#include "crypto/dh.h"
#include "daemon/caps.h"
#include "daemon/daemon.h"
#include "daemon/opts.h"
#include "daemon/udp.h"
#include "ike/ike.h"
#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/paths.h"

/* Debug categories of -d: all but the control socket's traffic. */
#define DAEMON_DEBUG_MASK	(D_ALL & ~D_DOOR)

uint64_t
daemon_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* Make path absolute against the current folder, which "/" replaces. */
static int
daemon_abspath(char *out, size_t len, const char *path)
{
	char	cwd[PATH_MAX];
	int	n;

	if (path[0] == '/')
		n = snprintf(out, len, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return (ERR_SYSTEM);
	else
		n = snprintf(out, len, "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= len)
		return (ERR_TOOBIG);
	return (0);
}

static int
daemon_paths(struct daemon *d)
{
	const struct iked_opts	*o = d->d_opts;
	char			*root = d->d_root;
	int			 rc;

	if ((rc = daemon_abspath(root, sizeof(d->d_root), o->o_root)) != 0)
		goto out;
	if (o->o_config != NULL)
		rc = daemon_abspath(d->d_config_path,
		    sizeof(d->d_config_path), o->o_config);
	else
		rc = paths_join(d->d_config_path, sizeof(d->d_config_path),
		    root, PATH_IKE_CONFIG);
	if (rc != 0 ||
	    (rc = paths_join(d->d_preshared_path,
	    sizeof(d->d_preshared_path), root, PATH_IKE_PRESHARED)) != 0 ||
	    (rc = paths_join(d->d_ipsecinit_path,
	    sizeof(d->d_ipsecinit_path), root, PATH_IPSECINIT)) != 0 ||
	    (rc = paths_join(d->d_pid_path, sizeof(d->d_pid_path), root,
	    PIDFILE_PATH)) != 0 ||
	    (rc = paths_join(d->d_door_path, sizeof(d->d_door_path), root,
	    PATH_IKE_DOOR)) != 0)
		goto out;
	if (o->o_keylog_dir != NULL)
		rc = daemon_abspath(d->d_keylog_dir, sizeof(d->d_keylog_dir),
		    o->o_keylog_dir);
out:
	if (rc != 0)
		log_err("a file name under root %s is too long: use a "
		    "shorter -R, -f or -K", o->o_root);
	return (rc);
}

/*
 * Read config, preshared keys and policy; log every error found, and the
 * warnings of a configuration that loads.
 */
static int
daemon_load(struct daemon *d, struct config **out)
{
	struct config_paths	paths;
	struct config_diag	diag;
	size_t			i;
	int			root_opt, rc;

	root_opt = strcmp(d->d_root, "/") != 0;
	memset(&paths, 0, sizeof(paths));
	paths.cp_config = d->d_config_path;
	paths.cp_preshared = d->d_preshared_path;
	paths.cp_ipsecinit = d->d_ipsecinit_path;
	diag_init(&diag);
	rc = config_load(out, &paths, &diag);
	for (i = 0; i < diag.cd_n; i++)
		log_err("%s", diag.cd_msgs[i]);
	if (diag.cd_errors > diag.cd_n)
		log_err("%zu more errors not shown",
		    diag.cd_errors - diag.cd_n);
	if (rc == 0 && *out == NULL)
		rc = ERR_CONFIG;
	if (rc != 0)
		log_err("the configuration has errors: fix them, then check "
		    "with in.iked -c%s%s -f %s", root_opt ? " -R " : "",
		    root_opt ? d->d_root : "", d->d_config_path);
	diag_free(&diag);
	if (rc == 0) {
		diag_init(&diag);
		config_warn(*out, &paths, &diag);
		for (i = 0; i < diag.cd_n; i++) {
			diag_strip_label(diag.cd_msgs[i], "warning");
			log_warn("%s", diag.cd_msgs[i]);
		}
		diag_free(&diag);
	}
	return (rc);
}

/* Write "N rules, N preshared keys, N policy entries", singular for 1. */
static const char *
daemon_counts(char *buf, size_t len, const struct config *cf)
{
	snprintf(buf, len, "%zu rule%s, %zu preshared key%s, %zu policy "
	    "entr%s", cf->cf_nrules, cf->cf_nrules == 1 ? "" : "s",
	    cf->cf_npsks, cf->cf_npsks == 1 ? "" : "s", cf->cf_nspds,
	    cf->cf_nspds == 1 ? "y" : "ies");
	return (buf);
}

/*
 * Put a validated configuration in place of the running one.  The engine
 * goes first and keeps the SAs whose rule still exists, because the
 * Deletes for the others leave through the old sockets.  Then the sockets
 * follow the new local addresses and the policy its ipsecinit.conf.
 */
int
daemon_apply(struct daemon *d, struct config *cf, const char *why)
{
	char	counts[128];
	int	rc;

	if ((rc = ike_engine_set_config(d->d_engine, cf,
	    daemon_now_ms())) != 0) {
		log_err("%s: the IKE engine rejected the new configuration: "
		    "%s", why, err_str(rc));
		config_free(cf);
		return (rc);
	}
	d->d_config = cf;
	if (udp_sync(d->d_udp, cf) != 0)
		log_warn("%s: some local addresses have no socket (see "
		    "above); their rules cannot negotiate", why);
	if (policy_sync(d, cf) != 0)
		log_warn("%s: some policy entries are not loaded (see above)",
		    why);
	log_info("%s: configuration in use: %s, %zu UDP socket%s", why,
	    daemon_counts(counts, sizeof(counts), cf), udp_count(d->d_udp),
	    udp_count(d->d_udp) == 1 ? "" : "s");
	return (0);
}

/*
 * A file that the running configuration was read from and that is gone
 * now is most likely being replaced or was moved by mistake.  Loading
 * without it would delete every key or policy entry, and with them the
 * SAs they protect, so the reload fails instead; an empty file removes
 * them on purpose.
 */
static int
daemon_file_vanished(const char *why, const char *path, const char *what)
{
	log_err("%s: %s not found, but the running configuration was read "
	    "from it: keeping the running configuration; to remove all %s, "
	    "empty the file", why, path, what);
	return (ERR_NOTFOUND);
}

static int
daemon_file_absent(const char *path)
{
	return (access(path, F_OK) != 0 && errno == ENOENT);
}

/*
 * Before the load, so that its message is the first; the load itself
 * records the files it did not find, which catches a file removed in
 * between.
 */
static int
daemon_check_vanished(const struct daemon *d, const struct config *cf,
    const char *why)
{
	unsigned int	had, gone;

	had = d->d_config != NULL ? ~d->d_config->cf_missing : 0;
	gone = cf != NULL ? cf->cf_missing : 0;
	if (daemon_file_absent(d->d_config_path))
		return (daemon_file_vanished(why, d->d_config_path, "rules"));
	if ((had & CONFIG_MISSING_PRESHARED) &&
	    ((gone & CONFIG_MISSING_PRESHARED) ||
	    daemon_file_absent(d->d_preshared_path)))
		return (daemon_file_vanished(why, d->d_preshared_path,
		    "preshared keys"));
	if ((had & CONFIG_MISSING_IPSECINIT) &&
	    ((gone & CONFIG_MISSING_IPSECINIT) ||
	    daemon_file_absent(d->d_ipsecinit_path)))
		return (daemon_file_vanished(why, d->d_ipsecinit_path,
		    "policy"));
	return (0);
}

/* SIGHUP: a configuration that fails to load leaves the running one. */
int
daemon_reload(struct daemon *d, const char *why)
{
	struct config	*cf = NULL;

	log_info("%s: reading %s, %s and %s again", why, d->d_config_path,
	    d->d_preshared_path, d->d_ipsecinit_path);
	if (daemon_check_vanished(d, NULL, why) != 0)
		return (ERR_CONFIG);
	if (daemon_load(d, &cf) != 0 || daemon_check_vanished(d, cf,
	    why) != 0 || certs_reload(d, cf) != 0) {
		config_free(cf);
		log_err("%s: reload failed: the previous configuration stays "
		    "in use", why);
		return (ERR_CONFIG);
	}
	return (daemon_apply(d, cf, why));
}

static void
daemon_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;
	char		 counts[128];

	if (sig == SIGHUP) {
		(void)daemon_reload(d, "SIGHUP");
		return;
	}
	if (sig == SIGUSR1) {
		log_info("SIGUSR1: running with %s, %zu UDP socket%s from %s",
		    daemon_counts(counts, sizeof(counts), d->d_config),
		    udp_count(d->d_udp), udp_count(d->d_udp) == 1 ? "" : "s",
		    d->d_config_path);
		return;
	}
	log_info("%s: deleting SAs and stopping",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	if (d->d_engine != NULL)
		ike_engine_shutdown(d->d_engine, daemon_now_ms());
	(void)event_base_loopbreak(d->d_base);
}

/*
 * SIGHUP reloads, SIGTERM and SIGINT stop, SIGUSR1 logs a status line.
 * Signals whose default action would end the daemon without deleting
 * its SAs, and that it has no use for, are ignored.
 */
/* Report suppressed log messages when their interval ends. */
static void
daemon_log_flush(evutil_socket_t fd, short what, void *arg)
{
	log_ratelimit_flush();
}

static int
daemon_log_flush_start(struct daemon *d)
{
	struct timeval	tv = { 1, 0 };

	d->d_log_flush = event_new(d->d_base, -1, EV_PERSIST,
	    daemon_log_flush, d);
	if (d->d_log_flush == NULL || event_add(d->d_log_flush, &tv) != 0) {
		log_err("starting the log flush timer failed");
		return (ERR_SYSTEM);
	}
	return (0);
}

static int
daemon_signals(struct daemon *d)
{
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGUSR2, SIG_IGN);
	(void)signal(SIGALRM, SIG_IGN);
	d->d_sig_hup = evsignal_new(d->d_base, SIGHUP, daemon_signal, d);
	d->d_sig_term = evsignal_new(d->d_base, SIGTERM, daemon_signal, d);
	d->d_sig_int = evsignal_new(d->d_base, SIGINT, daemon_signal, d);
	d->d_sig_usr1 = evsignal_new(d->d_base, SIGUSR1, daemon_signal, d);
	if (d->d_sig_hup == NULL || d->d_sig_term == NULL ||
	    d->d_sig_int == NULL || d->d_sig_usr1 == NULL ||
	    evsignal_add(d->d_sig_hup, NULL) != 0 ||
	    evsignal_add(d->d_sig_term, NULL) != 0 ||
	    evsignal_add(d->d_sig_int, NULL) != 0 ||
	    evsignal_add(d->d_sig_usr1, NULL) != 0) {
		log_err("installing the signal handlers failed");
		return (ERR_SYSTEM);
	}
	return (0);
}

/*
 * Detach from the terminal: fork, setsid, fork again.  The first parent
 * waits on a pipe until the daemon reports its start-up, so that errors
 * still reach the terminal and the exit status shows whether it started.
 * Returns 0 in the daemon, with *notify the pipe's write end.
 */
static int
daemon_detach(int *notify)
{
	int	p[2];
	pid_t	pid;
	char	status;

	if (pipe2(p, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		log_err("detaching from the terminal failed: %s: run in.iked "
		    "with -d to stay in the foreground", strerror(errno));
		return (ERR_SYSTEM);
	}
	if (pid > 0) {
		(void)close(p[1]);
		(void)waitpid(pid, NULL, 0);
		if (read(p[0], &status, 1) != 1)
			_exit(1);
		_exit(status);
	}
	(void)close(p[0]);
	if (setsid() < 0 || (pid = fork()) < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	(void)umask(022);
	if (chdir("/") != 0)
		_exit(1);
	*notify = p[1];
	return (0);
}

/* The daemon is up: leave the terminal and release the waiting parent. */
static void
daemon_detach_done(int notify)
{
	char	ok = 0;
	int	fd;

	log_init("in.iked", LOG_DEST_SYSLOG);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			(void)close(fd);
	}
	(void)!write(notify, &ok, 1);
	(void)close(notify);
}

/* -K: the key files hold keys in clear, so their folder is private. */
static int
daemon_keylog(struct daemon *d)
{
	int	rc;

	if (mkdir(d->d_keylog_dir, 0700) != 0 && errno != EEXIST) {
		log_err("creating the key file folder %s failed: %s",
		    d->d_keylog_dir, strerror(errno));
		return (ERR_SYSTEM);
	}
	if ((rc = ike_engine_set_keylog(d->d_engine, d->d_keylog_dir)) != 0)
		log_err("writing key files to %s failed: %s",
		    d->d_keylog_dir, err_str(rc));
	return (rc);
}

static int
daemon_start(struct daemon *d)
{
	struct config	*cf = NULL;
	char		 counts[128];
	int		 rc;

	if ((rc = pidfile_open(&d->d_pidfile, d->d_pid_path, getpid())) != 0)
		goto out;
	if ((d->d_base = event_base_new()) == NULL) {
		rc = ERR_NOMEM;
		goto out;
	}
	if ((rc = daemon_load(d, &cf)) != 0 ||
	    (rc = daemon_signals(d)) != 0 ||
	    (rc = daemon_log_flush_start(d)) != 0 ||
	    (rc = hooks_kernel_open(d)) != 0 ||
	    (rc = hooks_udp_new(d)) != 0 ||
	    (rc = udp_sync(d->d_udp, cf)) != 0 ||
	    (rc = hooks_engine_new(d)) != 0)
		goto out;
	if ((d->d_keylog_dir[0] != '\0' && (rc = daemon_keylog(d)) != 0) ||
	    (rc = certs_open(d, cf)) != 0)
		goto out;
	log_info("in.iked starting: %s from %s",
	    daemon_counts(counts, sizeof(counts), cf), d->d_config_path);
	d->d_config = cf;
	rc = ike_engine_set_config(d->d_engine, cf, daemon_now_ms());
	cf = NULL;
	if (rc != 0) {
		log_err("the IKE engine rejected the configuration of %s: %s",
		    d->d_config_path, err_str(rc));
		goto out;
	}
	if ((rc = policy_sync(d, d->d_config)) != 0)
		goto out;
	rc = admin_open(d);
out:
	config_free(cf);
	return (rc);
}

static void
daemon_stop(struct daemon *d)
{
	admin_close(d);
	certs_close(d);
	if (d->d_engine != NULL)
		ike_engine_free(d->d_engine);
	if (d->d_kernel != NULL)
		kernel_close(d->d_kernel);
	policy_free(d);
	udp_free(d->d_udp);
	if (d->d_timer != NULL)
		event_free(d->d_timer);
	if (d->d_sig_hup != NULL)
		event_free(d->d_sig_hup);
	if (d->d_sig_term != NULL)
		event_free(d->d_sig_term);
	if (d->d_sig_int != NULL)
		event_free(d->d_sig_int);
	if (d->d_sig_usr1 != NULL)
		event_free(d->d_sig_usr1);
	if (d->d_log_flush != NULL)
		event_free(d->d_log_flush);
	if (d->d_base != NULL)
		event_base_free(d->d_base);
	pidfile_close(&d->d_pidfile);
	crypto_shutdown();
}

/*
 * With more than one core, Diffie-Hellman runs in one thread per core
 * beside the event loop (dh_pool_start()).  The threads start after the
 * fork of daemon_detach().
 */
static void
daemon_start_pool(void)
{
	long	 cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < 2)
		return;
	if (dh_pool_start((unsigned int)cores) != 0)
		log_warn("cannot start the Diffie-Hellman threads (%s); the "
		    "event loop does all Diffie-Hellman itself",
		    strerror(errno));
}

int
daemon_run(const struct iked_opts *opts)
{
	struct daemon	d;
	int		notify = -1, rc;

	memset(&d, 0, sizeof(d));
	d.d_opts = opts;
	d.d_priv = (uint32_t)opts->o_privilege;
	d.d_pidfile.pf_fd = -1;
	log_init("in.iked", LOG_DEST_STDERR);
	if (opts->o_foreground)
		log_set_debug(DAEMON_DEBUG_MASK);
	if (daemon_paths(&d) != 0)
		return (1);
	if (crypto_init() != 0) {
		log_err("initialising OpenSSL failed: check that the OpenSSL 3 "
		    "default provider is installed");
		return (1);
	}
	if (!opts->o_foreground && daemon_detach(&notify) != 0)
		return (1);
	if ((rc = daemon_start(&d)) != 0) {
		daemon_stop(&d);
		return (1);
	}
	(void)caps_drop();
	kernel_started(d.d_kernel);
	daemon_start_pool();
	if (notify >= 0)
		daemon_detach_done(notify);
	log_info("in.iked running (pid %ld)", (long)getpid());
	rc = event_base_dispatch(d.d_base);
	daemon_stop(&d);
	log_info("in.iked stopped");
	return (rc < 0 ? 1 : 0);
}
