/*
 * Tokenizer shared by the ike.config, ike.preshared and ipsecinit.conf
 * parsers.  The files differ in their comment and escape rules, so the
 * reader takes flags.  Input is read through struct rbuf; a token's text
 * lives in a fixed buffer that lex_token_wipe clears, because preshared
 * keys pass through it.
 */
#ifndef IKED_CONFIG_LEX_H
#define IKED_CONFIG_LEX_H

#include <stddef.h>

#include "lib/rbuf.h"

struct config_diag;

#define LEX_MAX_TOKEN	1024	/* bytes of one word or string */
/*
 * Messages quote a word or string only when it looks like a keyword or a
 * value of the files.  Any other text may be a line of a wrong file
 * ("ikeadm read rule /etc/shadow") or a key, so only its length is shown.
 */
#define LEX_SHOW_KEYWORD_MAX	32	/* letters, digits, '_' and '-' */
#define LEX_SHOW_VALUE_MAX	128	/* also blanks and . : / , = @ + */

/* Flags: which comment, escape and punctuation rules the file uses. */
#define LEX_HASH_COMMENT	0x01	/* "#" anywhere starts a comment */
#define LEX_HASH_COLUMN1	0x02	/* "#" only in column 1 */
#define LEX_SLASH_COMMENT	0x04	/* "//" starts a comment */
#define LEX_ESCAPE_ANY		0x08	/* "\x" is x for every x */
#define LEX_ESCAPE_QUOTE	0x10	/* only \" and \\ are escapes */
#define LEX_PARENS		0x20	/* "(", ")" and ".." are tokens */

enum lex_type {
	LEX_EOF = 0,
	LEX_WORD,
	LEX_STRING,
	LEX_LBRACE,
	LEX_RBRACE,
	LEX_LPAREN,
	LEX_RPAREN,
	LEX_DOTDOT,
	LEX_ERROR,	/* already reported */
};

struct lex_token {
	int		 lt_type;	/* enum lex_type */
	unsigned int	 lt_line;
	int		 lt_bol;	/* first token on its line */
	size_t		 lt_len;
	char		 lt_text[LEX_MAX_TOKEN + 1];	/* NUL-terminated */
	/*
	 * lt_text for messages: in quotes when it looks like a value
	 * (lt_shown) or a keyword (lt_shown_kw), else "(N characters, not
	 * shown)".
	 */
	char		 lt_shown[LEX_SHOW_VALUE_MAX + 3];
	char		 lt_shown_kw[LEX_SHOW_VALUE_MAX + 3];
};

struct lex {
	struct rbuf		 lx_rb;
	unsigned int		 lx_line;
	int			 lx_bol;	/* no token yet on this line */
	int			 lx_col1;	/* cursor at column 1 */
	unsigned int		 lx_flags;
	const char		*lx_file;
	struct config_diag	*lx_diag;
	/*
	 * The error for a word or string above LEX_MAX_TOKEN bytes, which a
	 * parser may set to name the keyword and the limit of its value;
	 * NULL gives a generic one.
	 */
	const char		*lx_toolong;
};

void	lex_init(struct lex *, const void *, size_t, unsigned int flags,
	    const char *file, struct config_diag *);
void	lex_next(struct lex *, struct lex_token *);
void	lex_peek(const struct lex *, struct lex_token *);
/*
 * Read an address or range written with optional blanks around "/" and
 * "-" ("A / 24", "A - B") as one word without blanks.
 */
void	lex_next_joined(struct lex *, struct lex_token *);
void	lex_token_wipe(struct lex_token *);
/*
 * The token for a message: "end of file", "invalid token", a quoted
 * punctuation mark, or lt_shown.  lex_describe_kw gives lt_shown_kw, for
 * a word where a keyword was expected.
 */
const char *lex_describe(const struct lex_token *);
const char *lex_describe_kw(const struct lex_token *);
/* Write text as lt_shown would show it; out needs LEX_SHOW_BUF bytes. */
#define LEX_SHOW_BUF	(LEX_SHOW_VALUE_MAX + 3)
void	lex_show_value(const char *text, char *out, size_t len);

#endif /* IKED_CONFIG_LEX_H */
