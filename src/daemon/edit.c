/*
 * ikeadm read, add, del and write of rules and preshared keys.  The
 * running configuration cannot be changed in place, so each change builds
 * a new one from text.  The text is the running rules and keys written out
 * in their file formats, the text ikeadm sent, and ipsecinit.conf from
 * disk, because ikeadm never changes the policy.  A del parses the running
 * text and removes one entry before validation.  The new configuration is
 * validated and installed like a reload, and on any error the running
 * one stays.  The next SIGHUP reads the files on disk again.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/diag.h"
#include "config/parse.h"
#include "control/server.h"
#include "daemon/daemon.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

/* One piece of text of one file format. */
struct edit_part {
	int		 ep_kind;	/* enum config_file */
	const char	*ep_name;	/* for messages */
	int		 ep_fd;		/* read from here, or -1 */
	char		*ep_buf;	/* else this text */
	size_t		 ep_len;
};

static const char *
edit_kind_name(int kind)
{
	return (kind == CONFIG_FILE_IKE ? "rules" : "preshared keys");
}

/* The running rules or keys in their file format (keys are secret). */
static int
edit_dump(const struct config *cf, int kind, char **buf, size_t *len)
{
	FILE	*f;
	int	 rc;

	*buf = NULL;
	*len = 0;
	if ((f = open_memstream(buf, len)) == NULL)
		return (ERR_NOMEM);
	if (kind == CONFIG_FILE_IKE)
		rc = config_write_rules(f, cf);
	else
		rc = config_write_preshared(f, cf);
	if (fclose(f) != 0 && rc == 0)
		rc = ERR_NOMEM;
	return (rc);
}

static void
edit_part_free(struct edit_part *p)
{
	if (p->ep_buf != NULL)
		util_freezero(p->ep_buf, p->ep_len);
	p->ep_buf = NULL;
}

static int
edit_parse_part(struct config *cf, const struct edit_part *p,
    struct config_diag *diag)
{
	if (p->ep_fd >= 0)
		return (config_read_fd(cf, p->ep_kind, p->ep_fd, p->ep_name,
		    diag));
	if (p->ep_buf == NULL)
		return (0);
	return (config_parse_buf(cf, p->ep_kind, p->ep_name, p->ep_buf,
	    p->ep_len, diag));
}

/* ipsecinit.conf as on disk; a missing file is no policy, as at start. */
static int
edit_parse_policy(struct daemon *d, struct config *cf,
    struct config_diag *diag)
{
	char	*buf = NULL;
	size_t	 len = 0;
	int	 rc;

	/* As at a reload: a FIFO or device there is an error, not a wait. */
	rc = parse_read_file(d->d_ipsecinit_path, 0, &buf, &len, NULL, diag);
	if (rc != 0 && rc != ERR_NOTFOUND)
		return (ERR_CONFIG);
	if (rc == ERR_NOTFOUND) {
		cf->cf_missing |= CONFIG_MISSING_IPSECINIT;
		/* As on SIGHUP: losing the file must not drop the policy. */
		if (d->d_config != NULL && !(d->d_config->cf_missing &
		    CONFIG_MISSING_IPSECINIT)) {
			diag_add(diag, d->d_ipsecinit_path, 0, "not found, "
			    "but the running configuration was read from it: "
			    "keeping the running configuration; to remove all "
			    "policy, empty the file");
			return (ERR_CONFIG);
		}
		return (0);
	}
	rc = config_parse_buf(cf, CONFIG_FILE_IPSECINIT, d->d_ipsecinit_path,
	    buf, len, diag);
	util_freezero(buf, len + 1);
	return (rc);
}

/* An entry that "ikeadm del" takes out of the new configuration. */
struct edit_del {
	int		ed_kind;	/* enum config_file */
	size_t		ed_index;	/* position in the running config */
};

/*
 * The messages of a failed change for ikeadm, one a line, as many as fit;
 * the log has them all.
 */
static void
edit_detail(const struct config_diag *diag, struct control_load *ld)
{
	size_t	i, used = 0, len, left;

	if (ld == NULL || ld->detail == NULL || ld->detail_size == 0)
		return;
	ld->detail[0] = '\0';
	for (i = 0; i < diag->cd_n; i++) {
		len = strlen(diag->cd_msgs[i]);
		if (used + len + 2 > ld->detail_size)
			break;
		memcpy(ld->detail + used, diag->cd_msgs[i], len);
		used += len;
		ld->detail[used++] = '\n';
		ld->detail[used] = '\0';
	}
	left = diag->cd_n - i;
	if (diag->cd_errors > diag->cd_n)
		left += diag->cd_errors - diag->cd_n;
	if (left > 0)
		(void)snprintf(ld->detail + used, ld->detail_size - used,
		    "(%zu more in the in.iked log)\n", left);
}

/* Parse the parts and the policy, remove del, validate, and install. */
static int
edit_build(struct daemon *d, struct edit_part *parts, size_t n,
    const struct edit_del *del, const char *why, struct control_load *ld)
{
	struct config		*cf;
	struct config_diag	 diag;
	size_t			 i;
	int			 rc = 0;

	if ((cf = config_new()) == NULL)
		return (ERR_NOMEM);
	diag_init(&diag);
	for (i = 0; i < n && rc == 0; i++)
		rc = edit_parse_part(cf, &parts[i], &diag);
	/* The running text lists the entries in their running order. */
	if (rc == 0 && del != NULL)
		rc = del->ed_kind == CONFIG_FILE_IKE ?
		    config_rule_remove(cf, del->ed_index) :
		    config_psk_remove(cf, del->ed_index);
	if (rc == 0)
		rc = edit_parse_policy(d, cf, &diag);
	if (rc == 0)
		rc = config_validate(cf, &diag);
	if (rc == 0 && diag_count(&diag) > 0)
		rc = ERR_CONFIG;
	for (i = 0; i < diag.cd_n; i++)
		log_err("%s: %s", why, diag.cd_msgs[i]);
	if (rc != 0)
		edit_detail(&diag, ld);
	diag_free(&diag);
	if (rc != 0) {
		config_free(cf);
		log_err("%s failed: the running configuration stays in use",
		    why);
		return (rc == ERR_NOMEM || rc == ERR_EXISTS ? rc : ERR_CONFIG);
	}
	return (daemon_apply(d, cf, why));
}

/*
 * The running text of the kinds not replaced: parts[0] rules, parts[1]
 * preshared keys.  replace names the kind that comes from ikeadm.
 */
static int
edit_running(struct daemon *d, int replace, struct edit_part parts[2])
{
	static const int	kinds[2] = { CONFIG_FILE_IKE,
				    CONFIG_FILE_PRESHARED };
	int			i, rc;

	memset(parts, 0, 2 * sizeof(parts[0]));
	for (i = 0; i < 2; i++) {
		parts[i].ep_kind = kinds[i];
		parts[i].ep_fd = -1;
		parts[i].ep_name = kinds[i] == CONFIG_FILE_IKE ?
		    "running rules" : "running preshared keys";
		if (kinds[i] == replace || d->d_config == NULL)
			continue;
		if ((rc = edit_dump(d->d_config, kinds[i], &parts[i].ep_buf,
		    &parts[i].ep_len)) != 0)
			return (rc);
	}
	return (0);
}

/*
 * Open the default preshared file for "ikeadm read preshared", with the
 * owner and mode checks of a start-up, because it holds the keys.
 */
static int
edit_open_preshared(struct daemon *d, int *fdp)
{
	const char	*path = d->d_preshared_path;
	struct stat	 st;
	int		 fd, saved;

	/* As at start: a symbolic link is not followed for the key file. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 &&
	    errno == ELOOP) {
		log_err("ikeadm read preshared: %s is a symbolic link, which "
		    "is not followed for a key file: replace the link with "
		    "the file itself (owned by root, mode 600)", path);
		return (ERR_CONFIG);
	}
	if (fd < 0 || fstat(fd, &st) != 0) {
		saved = errno;
		log_err("ikeadm read preshared: cannot open %s: %s", path,
		    strerror(saved));
		if (fd >= 0)
			(void)close(fd);
		errno = saved;
		return (ERR_SYSTEM);
	}
	if ((st.st_mode & 066) != 0 ||
	    (st.st_uid != 0 && st.st_uid != geteuid())) {
		log_err("ikeadm read preshared: %s is open to group or others "
		    "(mode %04o) or owned by uid %u: run chmod 600 and chown "
		    "root on it", path, (unsigned int)(st.st_mode & 07777),
		    (unsigned int)st.st_uid);
		(void)close(fd);
		return (ERR_CONFIG);
	}
	*fdp = fd;
	return (0);
}

/*
 * "ikeadm read rule|preshared [FILE]": replace the rules or the keys.
 * Without a file, read rule reloads every file as SIGHUP does, and read
 * preshared reads only the preshared file, keeping the running rules.
 */
int
edit_read(struct daemon *d, int kind, struct control_load *ld)
{
	struct control_load	own;
	struct edit_part	parts[3];
	char			why[64];
	int			rc;

	if (ld->fd < 0 && kind == CONFIG_FILE_PRESHARED) {
		own = *ld;
		own.name = d->d_preshared_path;
		if ((rc = edit_open_preshared(d, &own.fd)) != 0)
			return (rc);
		rc = edit_read(d, kind, &own);
		(void)close(own.fd);
		return (rc);
	}
	if (ld->fd < 0)
		return (daemon_reload(d, "ikeadm read"));
	(void)snprintf(why, sizeof(why), "ikeadm read %s",
	    edit_kind_name(kind));
	if ((rc = edit_running(d, kind, parts)) == 0) {
		memset(&parts[2], 0, sizeof(parts[2]));
		parts[2].ep_kind = kind;
		parts[2].ep_name = ld->name != NULL ? ld->name : why;
		parts[2].ep_fd = ld->fd;
		rc = edit_build(d, parts, 3, NULL, why, ld);
	}
	edit_part_free(&parts[0]);
	edit_part_free(&parts[1]);
	return (rc);
}

/* "ikeadm add rule|preshared": text from ld->fd, or text when fd is -1. */
int
edit_add(struct daemon *d, int kind, struct control_load *ld,
    const char *text)
{
	struct edit_part	parts[3];
	char			why[64];
	int			fd = ld->fd, rc;

	(void)snprintf(why, sizeof(why), "ikeadm add %s",
	    kind == CONFIG_FILE_IKE ? "rule" : "preshared");
	memset(&parts[2], 0, sizeof(parts[2]));
	if ((rc = edit_running(d, -1, parts)) == 0) {
		parts[2].ep_kind = kind;
		parts[2].ep_name = ld->name != NULL ? ld->name : why;
		parts[2].ep_fd = fd;
		if (fd < 0 && text != NULL) {
			parts[2].ep_len = strlen(text);
			parts[2].ep_buf = strdup(text);
			if (parts[2].ep_buf == NULL)
				rc = ERR_NOMEM;
		}
		if (rc == 0)
			rc = edit_build(d, parts, 3, NULL, why, ld);
	}
	edit_part_free(&parts[0]);
	edit_part_free(&parts[1]);
	edit_part_free(&parts[2]);
	return (rc);
}

/*
 * "ikeadm del rule|preshared": the running rules and keys without the
 * entry at index of the running configuration.
 */
int
edit_del(struct daemon *d, int kind, size_t index)
{
	struct edit_part	parts[2];
	struct edit_del		del;
	char			why[64];
	int			rc;

	if (d->d_config == NULL)
		return (ERR_NOTFOUND);
	(void)snprintf(why, sizeof(why), "ikeadm del %s",
	    kind == CONFIG_FILE_IKE ? "rule" : "preshared");
	del.ed_kind = kind;
	del.ed_index = index;
	if ((rc = edit_running(d, -1, parts)) == 0)
		rc = edit_build(d, parts, 2, &del, why, NULL);
	edit_part_free(&parts[0]);
	edit_part_free(&parts[1]);
	return (rc);
}

/* "ikeadm write rule|preshared FILE": ERR_NOTFOUND when there is none. */
int
edit_write(struct daemon *d, int kind, int fd)
{
	struct stat	 st;
	FILE		*f;
	int		 nfd, rc;

	if (d->d_config == NULL ||
	    (kind == CONFIG_FILE_IKE ? d->d_config->cf_nrules :
	    d->d_config->cf_npsks) == 0)
		return (ERR_NOTFOUND);
	/*
	 * ikeadm sends a file it created; a pipe or terminal whose reader
	 * stalls would block the event loop in write(2).
	 */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		log_warn("ikeadm write: the descriptor sent is not a regular "
		    "file: %s not written", edit_kind_name(kind));
		return (ERR_INVAL);
	}
	/* The server closes fd itself, so the stream gets a duplicate. */
	if ((nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return (ERR_SYSTEM);
	if ((f = fdopen(nfd, "w")) == NULL) {
		(void)close(nfd);
		return (ERR_SYSTEM);
	}
	if (kind == CONFIG_FILE_IKE)
		rc = config_write_rules(f, d->d_config);
	else
		rc = config_write_preshared(f, d->d_config);
	if (fclose(f) != 0 && rc == 0)
		rc = ERR_SYSTEM;
	log_info("ikeadm write: %s written", edit_kind_name(kind));
	return (rc);
}
