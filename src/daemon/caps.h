/*
 * Capabilities of the running daemon.  After start-up in.iked keeps only
 * what it still uses: CAP_NET_ADMIN (SA backend, routes, SO_MARK on new
 * sockets), CAP_NET_BIND_SERVICE (port 500 on addresses a reload adds)
 * and CAP_NET_RAW (raw ESP and IP sockets of the userspace backend).
 */
#ifndef IKED_DAEMON_CAPS_H
#define IKED_DAEMON_CAPS_H

/*
 * Drop every other capability.  Returns 0, or ERR_SYSTEM (logged) when
 * libcap-ng fails; without libcap-ng it logs that nothing was dropped.
 */
int	caps_drop(void);

#endif /* IKED_DAEMON_CAPS_H */
