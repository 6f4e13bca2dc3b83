/*
 * State of the running in.iked, shared by the daemon's own files.
 * daemon.c starts, configures and stops it.  hooks.c joins the IKE
 * engine, the SA backend and the sockets.  policy.c loads ipsecinit.conf
 * into the backend, certs.c keeps the certificate store, and admin.c and
 * edit.c serve ikeadm.
 */
#ifndef IKED_DAEMON_DAEMON_H
#define IKED_DAEMON_DAEMON_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/pidfile.h"

struct certstore;
struct config;
struct control_cert_info;
struct control_server;
struct event;
struct event_base;
struct ike_engine;
struct iked_opts;
struct kernel;
struct kernel_policy;
struct udp;

/* Kernel policies loaded from ipsecinit.conf. */
struct policy_set {
	struct kernel_policy	*ps_pols;
	size_t			 ps_n;
};

struct daemon {
	const struct iked_opts	*d_opts;
	struct event_base	*d_base;
	struct ike_engine	*d_engine;
	struct kernel		*d_kernel;
	struct udp		*d_udp;
	struct control_server	*d_admin;	/* ikeadm socket */
	/* The configuration in use, owned by the engine. */
	const struct config	*d_config;
	uint32_t		 d_priv;	/* ikeadm privilege level */
	struct policy_set	 d_policies;
	struct certstore	*d_certs;	/* owned; the engine borrows it */
	struct event		*d_timer;	/* the engine's next deadline */
	struct event		*d_sig_hup;
	struct event		*d_sig_term;
	struct event		*d_sig_int;
	struct event		*d_sig_usr1;
	struct event		*d_log_flush;	/* rate-limit summaries */
	struct pidfile		 d_pidfile;
	/* Absolute paths, resolved before the daemon changes to "/". */
	char			 d_root[PATH_MAX];
	char			 d_config_path[PATH_MAX];
	char			 d_preshared_path[PATH_MAX];
	char			 d_ipsecinit_path[PATH_MAX];
	char			 d_pid_path[PATH_MAX];
	char			 d_door_path[PATH_MAX];
	char			 d_keylog_dir[PATH_MAX];
};

/* Monotonic clock in milliseconds, the engine's time base. */
uint64_t	daemon_now_ms(void);

/* Re-read the configuration files; the running one stays on failure. */
int		daemon_reload(struct daemon *, const char *why);
/* Install a validated configuration (taken over, also on failure). */
int		daemon_apply(struct daemon *, struct config *, const char *why);

/*
 * edit.c: ikeadm read, add and write of rules and preshared keys.  Read
 * and add take the source from a struct control_load and put the parser's
 * messages into its detail when they fail.
 */
struct control_load;
int	edit_read(struct daemon *, int kind, struct control_load *);
int	edit_add(struct daemon *, int kind, struct control_load *,
	    const char *text);
int	edit_write(struct daemon *, int kind, int fd);
int	edit_del(struct daemon *, int kind, size_t index);

/* policy.c: ipsecinit.conf in the SA backend. */
int	policy_sync(struct daemon *, const struct config *);
void	policy_free(struct daemon *);

/* certs.c: certificates, keys and CRLs for the signature methods. */
int	certs_open(struct daemon *, const struct config *);
int	certs_reload(struct daemon *, const struct config *);
void	certs_close(struct daemon *);
int	certs_dump(struct daemon *, uint32_t index,
	    struct control_cert_info *, uint32_t *next);
int	certs_flush(struct daemon *);

/* admin.c: the ikeadm control socket. */
int	admin_open(struct daemon *);
void	admin_close(struct daemon *);

/* hooks.c: wire the engine, backend and sockets to each other. */
int	hooks_kernel_open(struct daemon *);
int	hooks_udp_new(struct daemon *);
int	hooks_engine_new(struct daemon *);
void	hooks_timer_arm(struct daemon *, uint64_t deadline_ms);

#endif /* IKED_DAEMON_DAEMON_H */
