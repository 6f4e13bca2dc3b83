/*
 * Key files for Wireshark (in.iked -K DIR).  The daemon appends one line
 * per SA to the user access tables (UATs) Wireshark reads from its
 * configuration folder, so that
 *
 *	WIRESHARK_CONFIG_DIR=DIR tshark -r capture.pcapng -V
 *
 * decrypts the captured IKEv1 exchanges and ESP packets:
 *
 *	DIR/ikev1_decryption_table	initiator cookie,Ka (hex, unquoted)
 *	DIR/esp_sa			"IPv4","src","dst","0xSPI",
 *					"encryption",
 *					"0xkey","authentication","0xkey"
 *
 * The files hold keys in clear: they are created mode 0600 in a folder
 * created mode 0700, and the option is off by default.  Use it only for
 * debugging and tests.
 */
#ifndef IKED_DAEMON_KEYLOG_H
#define IKED_DAEMON_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

struct kernel_sa;
struct keylog;

#define KEYLOG_IKEV1_FILE	"ikev1_decryption_table"
#define KEYLOG_ESP_FILE		"esp_sa"

/* Create dir when missing and open both files for appending. */
int	 keylog_open(struct keylog **, const char *dir);
void	 keylog_close(struct keylog *);

/* The encryption key Ka of an ISAKMP SA (RFC 2409 appendix B). */
void	 keylog_ike(struct keylog *, const uint8_t icookie[8],
	    const uint8_t *ka, size_t kalen);

/* One direction of an IPsec SA, as handed to the SA backend. */
void	 keylog_esp(struct keylog *, const struct kernel_sa *);

/* Wireshark's name of an ESP algorithm, or NULL when it has none. */
const char	*keylog_esp_encr_name(uint16_t encr);
const char	*keylog_esp_auth_name(uint16_t auth);

#endif /* IKED_DAEMON_KEYLOG_H */
