/*
 * ikeadm [-hnpj] [-R root] [command object ...]: administer in.iked
 * through its control socket.  Without a command it reads commands from
 * standard input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/util.h"
#include "ikeadm/ikeadm.h"

/* Unquoted "{" minus "}" in s, to know whether a block continues. */
static int
main_brace_depth(const char *s)
{
	int	depth = 0, quoted = 0;

	for (; *s != '\0'; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '{')
			depth++;
		else if (!quoted && *s == '}')
			depth--;
	}
	return (depth);
}

/*
 * Read one logical line: a trailing backslash or an open "{" block joins
 * the next line.  Returns 0, or -1 at end of input.
 */
static int
main_read_line(char *line, size_t len, int prompt)
{
	char	part[IKEADM_LINE_MAX];
	size_t	n, used = 0;
	int	more;

	line[0] = '\0';
	do {
		if (prompt && used == 0) {
			fputs("ikeadm> ", stdout);
			(void)fflush(stdout);
		}
		if (fgets(part, sizeof(part), stdin) == NULL)
			return (used > 0 ? 0 : -1);
		/* A comment line is skipped, also inside a continuation. */
		if (part[0] == '#')
			continue;
		n = strcspn(part, "\n");
		part[n] = '\0';
		more = n > 0 && part[n - 1] == '\\';
		if (more)
			part[--n] = '\0';
		if (used + n + 2 > len) {
			fprintf(stderr, "ikeadm: line longer than %zu bytes\n",
			    len);
			return (-1);
		}
		memcpy(line + used, part, n);
		line[used + n] = ' ';
		used += n + 1;
		line[used] = '\0';
		util_wipe(part, sizeof(part));
		if (!more && main_brace_depth(line) > 0)
			more = 1;
	} while (more);
	return (0);
}

static int
main_run_line(struct ikeadm_client **client, const struct ikeadm_opts *o,
    const char *line)
{
	static char	 buf[2 * IKEADM_LINE_MAX + 1];
	char		*tokens[IKEADM_TOKENS_MAX];
	int		 n, rv;

	if ((rv = ikeadm_tokenize(line, buf, sizeof(buf), tokens,
	    IKEADM_TOKENS_MAX, &n)) != 0) {
		if (rv == ERR_INVAL)
			fprintf(stderr, "ikeadm: unterminated quote: add the "
			    "closing \", and write \\\" for a quote inside "
			    "quotes\n");
		else
			fprintf(stderr, "ikeadm: more than %d words: split "
			    "the command\n", IKEADM_TOKENS_MAX);
		return (1);
	}
	rv = ikeadm_cmd_run(client, o, tokens, n);
	util_wipe(buf, sizeof(buf));
	return (rv);
}

static int
main_is_exit(const char *line)
{
	char	word[8];

	if (sscanf(line, " %7s", word) != 1)
		return (0);
	return (strcmp(word, "exit") == 0 || strcmp(word, "quit") == 0);
}

static int
main_interactive(const struct ikeadm_opts *o)
{
	static char		 line[IKEADM_LINE_MAX];
	struct ikeadm_client	*client = NULL;
	int			 failed = 0;

	while (main_read_line(line, sizeof(line), 1) == 0) {
		if (main_is_exit(line))
			break;
		failed |= main_run_line(&client, o, line);
		util_wipe(line, sizeof(line));
	}
	util_wipe(line, sizeof(line));
	ikeadm_client_close(client);
	return (failed);
}

/* Join argv into one line so that blocks tokenize as in interactive use. */
static int
main_command(const struct ikeadm_opts *o, int argc, char **argv)
{
	static char		 line[IKEADM_LINE_MAX];
	struct ikeadm_client	*client = NULL;
	size_t			 used = 0, n;
	int			 i, rv;

	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (used + n + 4 > sizeof(line)) {
			fprintf(stderr, "ikeadm: command longer than %zu "
			    "bytes\n", sizeof(line));
			return (1);
		}
		/* Keep an argument with blanks as one token. */
		if (strpbrk(argv[i], " \t") != NULL &&
		    strpbrk(argv[i], "{}\"") == NULL)
			used += (size_t)snprintf(line + used,
			    sizeof(line) - used, "\"%s\" ", argv[i]);
		else
			used += (size_t)snprintf(line + used,
			    sizeof(line) - used, "%s ", argv[i]);
	}
	rv = main_run_line(&client, o, line);
	util_wipe(line, sizeof(line));
	ikeadm_client_close(client);
	return (rv);
}

static int
main_parse_timeout(const char *arg, unsigned int *out)
{
	unsigned long	 v;
	char		*end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 ||
	    v > IKEADM_TIMEOUT_MAX) {
		fprintf(stderr, "ikeadm: invalid -t '%s': expected 0 (wait "
		    "forever) to %d seconds\n", arg, IKEADM_TIMEOUT_MAX);
		return (-1);
	}
	*out = (unsigned int)v;
	return (0);
}

int
main(int argc, char **argv)
{
	struct ikeadm_opts	o;
	int			ch;

	memset(&o, 0, sizeof(o));
	o.root = "/";
	o.timeout = IKEADM_TIMEOUT_DEFAULT;
	/* "+": options end at the command, so "set debug -op" is a level. */
	while ((ch = getopt(argc, argv, "+hnpjR:t:")) != -1) {
		switch (ch) {
		case 'h':
			ikeadm_help(stdout, NULL);
			return (0);
		case 'n':
			o.numeric = 1;
			break;
		case 'p':
			o.paranoid = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'R':
			o.root = optarg;
			break;
		case 't':
			if (main_parse_timeout(optarg, &o.timeout) != 0)
				return (1);
			break;
		default:
			ikeadm_usage(stderr);
			return (1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		o.interactive = 1;
		return (main_interactive(&o));
	}
	return (main_command(&o, argc, argv));
}
