/*
 * ikeadm: the administration client of in.iked.  cmd.c runs commands,
 * client.c talks to the control socket, print.c formats replies, ident.c
 * parses identifiers and add blocks, token.c splits command lines.
 */
#ifndef IKED_IKEADM_H
#define IKED_IKEADM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "control/control.h"

#define IKEADM_TOKENS_MAX	512
#define IKEADM_LINE_MAX		8192
#define IKEADM_ADDRS_MAX	16	/* addresses per host name */
/*
 * Seconds ikeadm waits for in.iked to accept the connection and to reply
 * (-t).  The daemon replies from its event loop at once, so only a
 * stopped or hung daemon takes this long.
 */
#define IKEADM_TIMEOUT_DEFAULT	10
#define IKEADM_TIMEOUT_MAX	3600

struct ikeadm_opts {
	int		 numeric;	/* -n: no name lookups */
	int		 paranoid;	/* -p: key bytes print as XX */
	int		 json;		/* -j: JSON lines for get and dump */
	int		 interactive;
	const char	*root;		/* -R */
	unsigned int	 timeout;	/* -t: seconds, 0 waits forever */
};

struct ikeadm_client;

/* client.c */
/* timeout: seconds for connect and for each reply, 0 for none. */
int	ikeadm_client_open(const char *root, unsigned int timeout,
	    struct ikeadm_client **);
void	ikeadm_client_close(struct ikeadm_client *);
/*
 * Send req (with fd, or -1) and read the reply into rep.  Returns 0, or a
 * negative enum err when the daemon cannot be reached or the reply is
 * malformed (the message is printed here).
 */
int	ikeadm_client_call(struct ikeadm_client *, const struct control_msg *,
	    int fd, struct control_msg *rep);

/* token.c: split a line into tokens, honouring quotes and braces. */
int	ikeadm_tokenize(const char *line, char *buf, size_t buflen,
	    char **tokens, int max, int *ntokens);

/* ident.c */
int	ikeadm_idtype_parse(const char *, uint16_t *);
int	ikeadm_cookie_parse(const char *, uint64_t *);
int	ikeadm_addr_resolve(const char *, int numeric,
	    struct control_addr *out, int max, int *n);
int	ikeadm_ident_parse(const char *type, const char *value,
	    struct control_ident *, struct control_range *);
int	ikeadm_psk_block_parse(char **tokens, int ntokens,
	    struct control_psk_info *);
int	ikeadm_rule_block_write(int fd, char **tokens, int ntokens);

/* print.c: text (4.5 layouts) or JSON lines, chosen by opts->json. */
void	ikeadm_print_debug(FILE *, const struct ikeadm_opts *, uint32_t);
void	ikeadm_print_set_debug(FILE *, uint32_t old, uint32_t level);
void	ikeadm_print_priv(FILE *, const struct ikeadm_opts *, uint32_t);
void	ikeadm_print_set_priv(FILE *, uint32_t old, uint32_t level);
void	ikeadm_print_stats(FILE *, const struct ikeadm_opts *,
	    const struct control_stats *);
void	ikeadm_print_defaults(FILE *, const struct ikeadm_opts *,
	    const struct control_defaults *builtin,
	    const struct control_defaults *effective);
void	ikeadm_print_p1(FILE *, const struct ikeadm_opts *,
	    const struct control_p1_info *);
void	ikeadm_print_rule(FILE *, const struct ikeadm_opts *,
	    const struct control_rule_info *);
void	ikeadm_print_psk(FILE *, const struct ikeadm_opts *,
	    const struct control_psk_info *);
void	ikeadm_print_cert(FILE *, const struct ikeadm_opts *,
	    const struct control_cert_info *);
void	ikeadm_print_alg_header(FILE *, const struct ikeadm_opts *, int cmd);
void	ikeadm_print_alg(FILE *, const struct ikeadm_opts *, int cmd,
	    const struct control_alg_info *);
void	ikeadm_print_addr(FILE *, const struct ikeadm_opts *,
	    const struct control_addr *);

/* cmd.c: run one tokenized command; returns 0 or 1 (failure). */
int	ikeadm_cmd_run(struct ikeadm_client **, const struct ikeadm_opts *,
	    char **tokens, int ntokens);
void	ikeadm_usage(FILE *);
void	ikeadm_help(FILE *, const char *cmd);

#endif /* IKED_IKEADM_H */
