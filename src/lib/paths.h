/*
 * Default file locations.  Every program takes -R ROOT, and every default
 * path is looked up under that root; an explicit path (-f FILE) is used as
 * given.
 */
#ifndef IKED_PATHS_H
#define IKED_PATHS_H

#include <stddef.h>

#define PATH_IKE_CONFIG		"/etc/inet/ike/config"
#define PATH_IKE_PRESHARED	"/etc/inet/secret/ike.preshared"
#define PATH_IKE_PRIVATEKEYS	"/etc/inet/secret/ike.privatekeys"
#define PATH_IKE_PUBLICKEYS	"/etc/inet/ike/publickeys"
#define PATH_IKE_CRLS		"/etc/inet/ike/crls"
#define PATH_IPSECINIT		"/etc/inet/ipsecinit.conf"
#define PATH_IKE_DOOR		"/var/run/ike_door"
#define PATH_IKE_KEYLOG		"/var/run/in.iked"

int	paths_join(char *, size_t, const char *, const char *);

#endif /* IKED_PATHS_H */
