/*
 * Options, output and slot lookups shared by the ikecert subcommands:
 * certdb and certrldb take -a, -l, -e and -r alike.
 */
#ifndef IKED_IKECERT_STORE_H
#define IKED_IKECERT_STORE_H

#include <stdint.h>

#include "crypto/x509/pkey.h"
#include "ikecert/ikecert.h"

struct store_opts {
	char		 action;	/* 'a', 'l', 'e' or 'r' */
	const char	*format;	/* -f, or NULL */
	int		 verbose;	/* -v */
};

/*
 * Apply option ch of command cmd ("certdb").  Returns 0 when applied, 1
 * (the exit status) after an error, or -1 when ch is not a store option.
 */
int	 store_opt(struct store_opts *, int ch, const char *cmd,
	    void (*usage)(void));
/* Check -f.  Returns 0, or 1 (the exit status) after an error message. */
int	 store_check_format(const struct store_opts *, const char *cmd);
/* The encoding -f selects: PEM unless "ber" or "der". */
enum x509_format store_format(const struct store_opts *);
/* Print "\tLABELtime" with t, seconds since the epoch, in UTC. */
void	 store_print_time(const char *label, int64_t t);
/*
 * Read the store dir with slots_read.  Returns 0, or 1 (the exit status)
 * after an error message that names dir and the reason.
 */
int	 store_read(const char *dir, int secret, struct slots_dir *);
/* The slot of the private key in keys whose public key is pub, or NULL. */
const char *store_key_slot(const struct slots_dir *keys,
	    const struct pkey *pub);

#endif /* IKED_IKECERT_STORE_H */
