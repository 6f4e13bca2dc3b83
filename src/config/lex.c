#include <stdio.h>
#include <string.h>

#include "config/diag.h"
#include "config/lex.h"
#include "lib/util.h"

void
lex_init(struct lex *lx, const void *buf, size_t len, unsigned int flags,
    const char *file, struct config_diag *diag)
{
	rbuf_init(&lx->lx_rb, buf, len);
	lx->lx_line = 1;
	lx->lx_bol = 1;
	lx->lx_col1 = 1;
	lx->lx_flags = flags;
	lx->lx_file = file;
	lx->lx_diag = diag;
}

void
lex_token_wipe(struct lex_token *tok)
{
	util_wipe(tok->lt_text, sizeof(tok->lt_text));
	util_wipe(tok->lt_shown, sizeof(tok->lt_shown));
	util_wipe(tok->lt_shown_kw, sizeof(tok->lt_shown_kw));
	tok->lt_len = 0;
}

static int
lex_is_keyword_char(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-');
}

static int
lex_is_value_char(int c)
{
	return (lex_is_keyword_char(c) || (c != '\0' &&
	    strchr(" .:/,=@+", c) != NULL));
}

static void
lex_show(const char *text, size_t textlen, char *out, size_t len,
    size_t max, int (*allowed)(int))
{
	size_t	i;

	for (i = 0; i < textlen && allowed((unsigned char)text[i]); i++)
		;
	if (textlen > 0 && textlen <= max && i == textlen)
		(void)snprintf(out, len, "'%.*s'", (int)max, text);
	else
		(void)snprintf(out, len, "(%zu character%s, not shown)",
		    textlen, textlen == 1 ? "" : "s");
}

void
lex_show_value(const char *text, char *out, size_t len)
{
	lex_show(text, strlen(text), out, len, LEX_SHOW_VALUE_MAX,
	    lex_is_value_char);
}

/* Fill lt_shown and lt_shown_kw once the text is complete. */
static void
lex_set_shown(struct lex_token *tok)
{
	lex_show(tok->lt_text, tok->lt_len, tok->lt_shown,
	    sizeof(tok->lt_shown), LEX_SHOW_VALUE_MAX, lex_is_value_char);
	lex_show(tok->lt_text, tok->lt_len, tok->lt_shown_kw,
	    sizeof(tok->lt_shown_kw), LEX_SHOW_KEYWORD_MAX,
	    lex_is_keyword_char);
}

static void
lex_error(struct lex *lx, const char *msg, int c)
{
	if (lx->lx_diag == NULL)
		return;
	if (c >= 0)
		diag_add(lx->lx_diag, lx->lx_file, lx->lx_line, "%s 0x%02x",
		    msg, c);
	else
		diag_add(lx->lx_diag, lx->lx_file, lx->lx_line, "%s", msg);
}

static int
lex_peekc(const struct lex *lx, size_t ahead)
{
	struct rbuf	rb = lx->lx_rb;
	uint8_t		c;

	if (rbuf_skip(&rb, ahead) != 0 || rbuf_get_u8(&rb, &c) != 0)
		return (-1);
	return (c);
}

static int
lex_getc(struct lex *lx)
{
	uint8_t	c;

	if (rbuf_get_u8(&lx->lx_rb, &c) != 0)
		return (-1);
	if (c == '\n') {
		lx->lx_line++;
		lx->lx_bol = 1;
		lx->lx_col1 = 1;
	} else
		lx->lx_col1 = 0;
	return (c);
}

static int
lex_is_space(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f');
}

static void
lex_skip_line(struct lex *lx)
{
	int	c;

	while ((c = lex_peekc(lx, 0)) != -1 && c != '\n')
		(void)lex_getc(lx);
}

/* Whether the cursor is at a comment, under the file's rules. */
static int
lex_at_comment(const struct lex *lx)
{
	int	c = lex_peekc(lx, 0);

	if (c == '#') {
		if (lx->lx_flags & LEX_HASH_COMMENT)
			return (1);
		if ((lx->lx_flags & LEX_HASH_COLUMN1) && lx->lx_col1)
			return (1);
	}
	if (c == '/' && (lx->lx_flags & LEX_SLASH_COMMENT) &&
	    lex_peekc(lx, 1) == '/')
		return (1);
	return (0);
}

/* Whether c (at the cursor) ends a word. */
static int
lex_ends_word(const struct lex *lx, int c)
{
	if (c == -1 || lex_is_space(c) || c == '{' || c == '}' || c == '"')
		return (1);
	if (lx->lx_flags & LEX_PARENS) {
		if (c == '(' || c == ')')
			return (1);
		if (c == '.' && lex_peekc(lx, 1) == '.')
			return (1);
	}
	if (c == '#' && (lx->lx_flags & LEX_HASH_COMMENT))
		return (1);
	if (c == '/' && (lx->lx_flags & LEX_SLASH_COMMENT) &&
	    lex_peekc(lx, 1) == '/')
		return (1);
	return (0);
}

static int
lex_append(struct lex *lx, struct lex_token *tok, int c)
{
	if (tok->lt_len >= LEX_MAX_TOKEN) {
		lex_error(lx, lx->lx_toolong != NULL ? lx->lx_toolong :
		    "word or string longer than 1024 bytes, the maximum: "
		    "shorten it", -1);
		return (-1);
	}
	tok->lt_text[tok->lt_len++] = (char)c;
	tok->lt_text[tok->lt_len] = '\0';
	return (0);
}

static void
lex_string(struct lex *lx, struct lex_token *tok)
{
	int	c, next;

	tok->lt_type = LEX_STRING;
	for (;;) {
		c = lex_peekc(lx, 0);
		if (c == -1 || c == '\n') {
			lex_error(lx, "unterminated string: add the closing "
			    "\" before the end of the line", -1);
			tok->lt_type = LEX_ERROR;
			return;
		}
		(void)lex_getc(lx);
		if (c == '"')
			return;
		if (c == '\0') {
			lex_error(lx, "invalid NUL byte in string", -1);
			tok->lt_type = LEX_ERROR;
			continue;
		}
		if (c == '\\') {
			next = lex_peekc(lx, 0);
			if ((lx->lx_flags & LEX_ESCAPE_ANY) && next != -1 &&
			    next != '\n' && next != '\0') {
				c = lex_getc(lx);
			} else if ((lx->lx_flags & LEX_ESCAPE_QUOTE) &&
			    (next == '"' || next == '\\')) {
				c = lex_getc(lx);
			}
		}
		if (lex_append(lx, tok, c) != 0) {
			tok->lt_type = LEX_ERROR;
			/* Skip the rest of the string. */
			while ((c = lex_peekc(lx, 0)) != -1 && c != '\n' &&
			    c != '"')
				(void)lex_getc(lx);
			if (c == '"')
				(void)lex_getc(lx);
			return;
		}
	}
}

static void
lex_word(struct lex *lx, struct lex_token *tok)
{
	int	c;

	tok->lt_type = LEX_WORD;
	while (!lex_ends_word(lx, c = lex_peekc(lx, 0))) {
		(void)lex_getc(lx);
		if (c < 0x20 || c == 0x7f) {
			lex_error(lx, "invalid control character", c);
			tok->lt_type = LEX_ERROR;
			continue;
		}
		if (tok->lt_type == LEX_WORD && lex_append(lx, tok, c) != 0)
			tok->lt_type = LEX_ERROR;
	}
}

void
lex_next(struct lex *lx, struct lex_token *tok)
{
	int	c;

	lex_token_wipe(tok);
	for (;;) {
		c = lex_peekc(lx, 0);
		if (c != -1 && lex_is_space(c)) {
			(void)lex_getc(lx);
			continue;
		}
		if (c != -1 && lex_at_comment(lx)) {
			lex_skip_line(lx);
			continue;
		}
		break;
	}
	tok->lt_line = lx->lx_line;
	tok->lt_bol = lx->lx_bol;
	lx->lx_bol = 0;
	switch (c) {
	case -1:
		tok->lt_type = LEX_EOF;
		return;
	case '{':
		tok->lt_type = LEX_LBRACE;
		break;
	case '}':
		tok->lt_type = LEX_RBRACE;
		break;
	case '"':
		(void)lex_getc(lx);
		lex_string(lx, tok);
		lex_set_shown(tok);
		return;
	default:
		if ((lx->lx_flags & LEX_PARENS) && (c == '(' || c == ')')) {
			tok->lt_type = c == '(' ? LEX_LPAREN : LEX_RPAREN;
			break;
		}
		if ((lx->lx_flags & LEX_PARENS) && c == '.' &&
		    lex_peekc(lx, 1) == '.') {
			(void)lex_getc(lx);
			tok->lt_type = LEX_DOTDOT;
			break;
		}
		lex_word(lx, tok);
		lex_set_shown(tok);
		return;
	}
	(void)lex_getc(lx);
	tok->lt_text[0] = (char)c;
	tok->lt_text[1] = c == '.' ? '.' : '\0';
	tok->lt_text[2] = '\0';
	tok->lt_len = strlen(tok->lt_text);
	(void)snprintf(tok->lt_shown, sizeof(tok->lt_shown), "'%.2s'",
	    tok->lt_text);
	memcpy(tok->lt_shown_kw, tok->lt_shown, sizeof(tok->lt_shown));
}

void
lex_peek(const struct lex *lx, struct lex_token *tok)
{
	struct lex	copy = *lx;

	copy.lx_diag = NULL;
	lex_next(&copy, tok);
}

static int
lex_ends_with_sep(const struct lex_token *tok)
{
	char	last;

	if (tok->lt_len == 0)
		return (0);
	last = tok->lt_text[tok->lt_len - 1];
	return (last == '/' || last == '-');
}

static int
lex_has_sep(const struct lex_token *tok)
{
	return (strchr(tok->lt_text, '/') != NULL ||
	    strchr(tok->lt_text, '-') != NULL);
}

/* Append the next word to tok; 0 on success. */
static int
lex_join_next(struct lex *lx, struct lex_token *tok)
{
	struct lex_token	next;
	int			rc = -1;

	lex_next(lx, &next);
	if (next.lt_type != LEX_WORD)
		goto out;
	if (tok->lt_len + next.lt_len > LEX_MAX_TOKEN) {
		lex_error(lx, "address longer than 1024 bytes", -1);
		goto out;
	}
	memcpy(tok->lt_text + tok->lt_len, next.lt_text, next.lt_len + 1);
	tok->lt_len += next.lt_len;
	rc = 0;
out:
	lex_token_wipe(&next);
	return (rc);
}

void
lex_next_joined(struct lex *lx, struct lex_token *tok)
{
	struct lex_token	peek;
	int			joins = 0;

	memset(&peek, 0, sizeof(peek));
	lex_next(lx, tok);
	if (tok->lt_type != LEX_WORD)
		return;
	/* At most "A", "-" and "B" (or "/", "len") are joined. */
	while (joins < 2) {
		if (lex_ends_with_sep(tok)) {
			lex_peek(lx, &peek);
			if (peek.lt_type != LEX_WORD)
				break;
			if (lex_join_next(lx, tok) != 0)
				break;
		} else {
			lex_peek(lx, &peek);
			if (peek.lt_type != LEX_WORD || lex_has_sep(tok) ||
			    (peek.lt_text[0] != '/' && peek.lt_text[0] != '-'))
				break;
			if (lex_join_next(lx, tok) != 0)
				break;
		}
		joins++;
	}
	lex_token_wipe(&peek);
	lex_set_shown(tok);
}

const char *
lex_describe(const struct lex_token *tok)
{
	switch (tok->lt_type) {
	case LEX_EOF:
		return ("end of file");
	case LEX_ERROR:
		return ("invalid token");
	default:
		return (tok->lt_shown);
	}
}

const char *
lex_describe_kw(const struct lex_token *tok)
{
	if (tok->lt_type == LEX_WORD || tok->lt_type == LEX_STRING)
		return (tok->lt_shown_kw);
	return (lex_describe(tok));
}
