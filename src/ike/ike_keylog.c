/*
 * Key log for Wireshark: its "ikev1_decryption_table" and "esp_sa" UAT
 * files, so a capture of our traffic can be decrypted.  A debugging aid
 * that writes secrets to disk; off unless ike_engine_set_keylog() names
 * a directory.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

static FILE *
ike_keylog_open(struct ike_engine *eng, const char *name)
{
	struct stat	st;
	char		path[4096];
	FILE		*f;
	int		fd;

	if (eng->e_keylog_dir == NULL)
		return (NULL);
	snprintf(path, sizeof(path), "%s/%s", eng->e_keylog_dir, name);
	/*
	 * The folder may be shared, such as /tmp: a link or a file that
	 * someone else made there must not receive the keys.
	 */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		log_warn("cannot open the key log %s: %m; no keys logged",
		    path);
		return (NULL);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1 ||
	    (st.st_mode & 077) != 0) {
		log_warn("key log %s is not a regular file of ours with mode "
		    "0600 and one link; no keys logged: remove it, or use a "
		    "folder of its own with -K", path);
		(void)close(fd);
		return (NULL);
	}
	if ((f = fdopen(fd, "a")) == NULL)
		(void)close(fd);
	return (f);
}

void
ike_keylog_p1(struct ike_engine *eng, const struct ike_p1 *p1)
{
	char	cky[17], key[2 * CIPHER_MAX_KEY + 1];
	FILE	*f;

	if ((f = ike_keylog_open(eng, "ikev1_decryption_table")) == NULL)
		return;
	util_hex_encode(cky, sizeof(cky), p1->p1_icookie, ISAKMP_COOKIE_LEN);
	util_hex_encode(key, sizeof(key), p1->p1_key.wb_data,
	    p1->p1_key.wb_len);
	fprintf(f, "%s,%s\n", cky, key);
	util_wipe(key, sizeof(key));
	fclose(f);
}

/* Algorithm names as Wireshark 4.0's ESP preferences spell them. */
static const char *
ike_keylog_encr(const struct kernel_sa *sa)
{
	switch (sa->sa_encr) {
	case KERNEL_ENCR_3DES:
		return ("TripleDES-CBC [RFC2451]");
	case KERNEL_ENCR_AES_CBC:
		return ("AES-CBC [RFC3602]");
	case KERNEL_ENCR_NULL:
		return ("NULL");
	case KERNEL_ENCR_AES_GCM_8:
		return ("AES-GCM with 8 octet ICV [RFC4106]");
	case KERNEL_ENCR_AES_GCM_12:
		return ("AES-GCM with 12 octet ICV [RFC4106]");
	case KERNEL_ENCR_AES_GCM_16:
		return ("AES-GCM with 16 octet ICV [RFC4106]");
	}
	return (NULL);
}

static const char *
ike_keylog_auth(const struct kernel_sa *sa)
{
	switch (sa->sa_auth) {
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

void
ike_keylog_esp(struct ike_engine *eng, const struct kernel_sa *sa)
{
	char		 src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char		 ek[2 * KERNEL_KEY_MAX + 1], ak[2 * KERNEL_KEY_MAX + 1];
	struct config_ip a, b;
	const char	*en = ike_keylog_encr(sa), *an = ike_keylog_auth(sa);
	FILE		*f;

	if (eng->e_keylog_dir == NULL || en == NULL || an == NULL ||
	    sa->sa_encr_keylen > KERNEL_KEY_MAX ||
	    sa->sa_auth_keylen > KERNEL_KEY_MAX)
		return;
	if (config_ip_from_sockaddr(&a, &sa->sa_id.id_src) != 0 ||
	    config_ip_from_sockaddr(&b, &sa->sa_id.id_dst) != 0)
		return;
	if ((f = ike_keylog_open(eng, "esp_sa")) == NULL)
		return;
	inet_ntop(a.family, a.addr, src, sizeof(src));
	inet_ntop(b.family, b.addr, dst, sizeof(dst));
	util_hex_encode(ek, sizeof(ek), sa->sa_encr_key, sa->sa_encr_keylen);
	util_hex_encode(ak, sizeof(ak), sa->sa_auth_key, sa->sa_auth_keylen);
	fprintf(f, "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\","
	    "\"0x%s\"\n", a.family == AF_INET ? "IPv4" : "IPv6", src, dst,
	    sa->sa_id.id_spi, en, ek, an, ak);
	util_wipe(ek, sizeof(ek));
	util_wipe(ak, sizeof(ak));
	fclose(f);
}
