/*
 * Command-line options of in.iked, shared by the configuration check
 * (-c) and the daemon.
 */
#ifndef IKED_OPTS_H
#define IKED_OPTS_H

enum opts_backend {
	OPTS_BACKEND_AUTO,	/* xfrm where the kernel has ESP, else userspace */
	OPTS_BACKEND_XFRM,
	OPTS_BACKEND_USERSPACE,
	OPTS_BACKEND_NONE,
};

struct iked_opts {
	int			 o_foreground;	/* -d */
	int			 o_check;	/* -c */
	int			 o_verbose;	/* -v, with -c */
	int			 o_privilege;	/* -p: 0 base, 1 modkeys, 2 keymat */
	const char		*o_root;	/* -R, default "/" */
	const char		*o_config;	/* -f, NULL for the default */
	enum opts_backend	 o_backend;	/* -B */
	const char		*o_keylog_dir;	/* -K, NULL when off */
};

int	check_run(const struct iked_opts *);
int	daemon_run(const struct iked_opts *);

#endif /* IKED_OPTS_H */
