/* Wireshark key files (in.iked -K DIR). */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/keylog.h"
#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/util.h"

struct keylog {
	int	kl_ikev1_fd;
	int	kl_esp_fd;
	char	kl_dir[4096];
};

/* Hex of the longest key, with its NUL. */
#define KEYLOG_HEX_MAX		(2 * KERNEL_KEY_MAX + 1)

const char *
keylog_esp_encr_name(uint16_t encr)
{
	switch (encr) {
	case KERNEL_ENCR_3DES:
		return ("TripleDES-CBC [RFC2451]");
	case KERNEL_ENCR_NULL:
		return ("NULL");
	case KERNEL_ENCR_AES_CBC:
		return ("AES-CBC [RFC3602]");
	case KERNEL_ENCR_AES_GCM_8:
		return ("AES-GCM with 8 octet ICV [RFC4106]");
	case KERNEL_ENCR_AES_GCM_12:
		return ("AES-GCM with 12 octet ICV [RFC4106]");
	case KERNEL_ENCR_AES_GCM_16:
		return ("AES-GCM with 16 octet ICV [RFC4106]");
	}
	return (NULL);
}

const char *
keylog_esp_auth_name(uint16_t auth)
{
	switch (auth) {
	case KERNEL_AUTH_NONE:
		return ("NULL");
	case KERNEL_AUTH_HMAC_MD5:
		return ("HMAC-MD5-96 [RFC2403]");
	case KERNEL_AUTH_HMAC_SHA1:
		return ("HMAC-SHA-1-96 [RFC2404]");
	case KERNEL_AUTH_HMAC_SHA2_256:
		return ("HMAC-SHA-256-128 [RFC4868]");
	case KERNEL_AUTH_HMAC_SHA2_384:
		return ("HMAC-SHA-384-192 [RFC4868]");
	case KERNEL_AUTH_HMAC_SHA2_512:
		return ("HMAC-SHA-512-256 [RFC4868]");
	}
	return (NULL);
}

static int
keylog_open_file(const char *dir, const char *name, int *fd)
{
	char	path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		log_err("key file folder name too long: %s: use a shorter -K", dir);
		return (ERR_TOOBIG);
	}
	*fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (*fd < 0) {
		log_err("opening the key file %s failed: %s: check the folder "
		    "given with -K", path, strerror(errno));
		return (ERR_SYSTEM);
	}
	return (0);
}

int
keylog_open(struct keylog **out, const char *dir)
{
	struct keylog	*kl;
	int		 rc;

	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_err("creating the key file folder %s failed: %s", dir,
		    strerror(errno));
		return (ERR_SYSTEM);
	}
	if ((kl = calloc(1, sizeof(*kl))) == NULL)
		return (ERR_NOMEM);
	kl->kl_ikev1_fd = kl->kl_esp_fd = -1;
	(void)snprintf(kl->kl_dir, sizeof(kl->kl_dir), "%s", dir);
	if ((rc = keylog_open_file(dir, KEYLOG_IKEV1_FILE,
	    &kl->kl_ikev1_fd)) != 0 ||
	    (rc = keylog_open_file(dir, KEYLOG_ESP_FILE, &kl->kl_esp_fd)) != 0) {
		keylog_close(kl);
		return (rc);
	}
	log_warn("writing IKE and ESP keys in clear to %s (-K): use this "
	    "only for debugging", dir);
	*out = kl;
	return (0);
}

void
keylog_close(struct keylog *kl)
{
	if (kl == NULL)
		return;
	if (kl->kl_ikev1_fd >= 0)
		(void)close(kl->kl_ikev1_fd);
	if (kl->kl_esp_fd >= 0)
		(void)close(kl->kl_esp_fd);
	free(kl);
}

/* Append one line with a single write, so lines never interleave. */
static void
keylog_write(struct keylog *kl, int fd, const char *line, size_t len)
{
	if (write(fd, line, len) != (ssize_t)len)
		log_warn("appending to a key file in %s failed: %s", kl->kl_dir,
		    strerror(errno));
}

void
keylog_ike(struct keylog *kl, const uint8_t icookie[8], const uint8_t *ka,
    size_t kalen)
{
	char	cookie[2 * 8 + 1], key[KEYLOG_HEX_MAX];
	char	line[sizeof(cookie) + sizeof(key) + 2];
	int	n;

	if (kl == NULL || kalen > KERNEL_KEY_MAX)
		return;
	(void)util_hex_encode(cookie, sizeof(cookie), icookie, 8);
	(void)util_hex_encode(key, sizeof(key), ka, kalen);
	n = snprintf(line, sizeof(line), "%s,%s\n", cookie, key);
	if (n > 0 && (size_t)n < sizeof(line))
		keylog_write(kl, kl->kl_ikev1_fd, line, (size_t)n);
	util_wipe(key, sizeof(key));
	util_wipe(line, sizeof(line));
}

static int
keylog_host(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void	*src;

	if (ss->ss_family == AF_INET)
		src = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	else
		return (ERR_INVAL);
	if (inet_ntop(ss->ss_family, src, buf, (socklen_t)len) == NULL)
		return (ERR_INVAL);
	return (0);
}

void
keylog_esp(struct keylog *kl, const struct kernel_sa *sa)
{
	char		 src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char		 ekey[KEYLOG_HEX_MAX], akey[KEYLOG_HEX_MAX];
	char		 line[2 * INET6_ADDRSTRLEN + 2 * KEYLOG_HEX_MAX + 160];
	const char	*ename, *aname;
	int		 n;

	if (kl == NULL || sa->sa_id.id_proto != KERNEL_PROTO_ESP)
		return;
	ename = keylog_esp_encr_name(sa->sa_encr);
	aname = keylog_esp_auth_name(sa->sa_auth);
	if (ename == NULL || aname == NULL ||
	    sa->sa_encr_keylen > KERNEL_KEY_MAX ||
	    sa->sa_auth_keylen > KERNEL_KEY_MAX ||
	    keylog_host(&sa->sa_id.id_src, src, sizeof(src)) != 0 ||
	    keylog_host(&sa->sa_id.id_dst, dst, sizeof(dst)) != 0) {
		log_warn("no Wireshark key line for ESP SA 0x%08x: algorithm "
		    "or address not known to Wireshark", sa->sa_id.id_spi);
		return;
	}
	ekey[0] = akey[0] = '\0';
	if (sa->sa_encr_keylen > 0)
		(void)util_hex_encode(ekey, sizeof(ekey), sa->sa_encr_key,
		    sa->sa_encr_keylen);
	if (sa->sa_auth_keylen > 0)
		(void)util_hex_encode(akey, sizeof(akey), sa->sa_auth_key,
		    sa->sa_auth_keylen);
	n = snprintf(line, sizeof(line),
	    "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"0x%s\"\n",
	    sa->sa_id.id_src.ss_family == AF_INET ? "IPv4" : "IPv6", src, dst,
	    sa->sa_id.id_spi, ename, ekey, aname, akey);
	if (n > 0 && (size_t)n < sizeof(line))
		keylog_write(kl, kl->kl_esp_fd, line, (size_t)n);
	util_wipe(ekey, sizeof(ekey));
	util_wipe(akey, sizeof(akey));
	util_wipe(line, sizeof(line));
}
