/*
 * Debug printer for ISAKMP messages.  It names every field the way
 * Wireshark's ISAKMP dissector does ("Next payload: Security Association
 * (1)", "Encryption-Algorithm: AES-CBC (7)") and hands each line, without
 * a newline, to a callback, so the daemon can send them to log_debug().
 *
 * KE, NONCE, HASH and SIG contents are printed in hex: they are public
 * protocol values, not secrets.
 */
#ifndef IKED_ISAKMP_PRINT_H
#define IKED_ISAKMP_PRINT_H

#include "isakmp/msg.h"

typedef void	isakmp_print_fn(void *arg, const char *line);

void	isakmp_print_hdr(const struct isakmp_hdr *, isakmp_print_fn *, void *);

/* One payload; attributes are named by the class of the proposal's protocol. */
void	isakmp_print_payload(const struct isakmp_payload *, isakmp_print_fn *,
	    void *);

/* Header (when msg->m_hdr.h_length is not 0) and every payload. */
void	isakmp_print_msg(const struct isakmp_msg *, isakmp_print_fn *, void *);

#endif /* IKED_ISAKMP_PRINT_H */
