/*
 * Writers of ike.config and ike.preshared text, for "ikeadm write rule"
 * and "ikeadm write preshared", and readers of such text from a buffer or
 * a descriptor, for "ikeadm add" and "ikeadm read".  Only values set in
 * the file are written, so that defaults stay defaults when the output is
 * read again.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/addr.h"
#include "config/config.h"
#include "config/diag.h"
#include "config/parse.h"
#include "lib/err.h"
#include "lib/util.h"

/* Write prefix and s as a quoted string, with '\' and '"' escaped. */
static void
write_quoted(FILE *fp, const char *prefix, const char *s)
{
	fputc('"', fp);
	fputs(prefix, fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void
write_u32(FILE *fp, const char *indent, const char *kw,
    const struct config_u32 *v)
{
	if (v->src == CONFIG_SRC_FILE)
		fprintf(fp, "%s%s %u\n", indent, kw, v->val);
}

static void
write_p2(FILE *fp, const char *indent, const struct config_p2 *p2)
{
	write_u32(fp, indent, "p2_pfs", &p2->p2_pfs);
	write_u32(fp, indent, "p2_lifetime_secs", &p2->p2_lifetime_secs);
	write_u32(fp, indent, "p2_softlife_secs", &p2->p2_softlife_secs);
	write_u32(fp, indent, "p2_idletime_secs", &p2->p2_idletime_secs);
	write_u32(fp, indent, "p2_lifetime_kb", &p2->p2_lifetime_kb);
	write_u32(fp, indent, "p2_softlife_kb", &p2->p2_softlife_kb);
	write_u32(fp, indent, "dpd_interval", &p2->p2_dpd_interval);
	write_u32(fp, indent, "dpd_retries", &p2->p2_dpd_retries);
}

static void
write_xform(FILE *fp, const char *indent, const struct config_p1_xform *x)
{
	fprintf(fp, "%sp1_xform { auth_method %s oakley_group %d encr_alg %s",
	    indent, config_auth_method_name(x->px_auth_method), x->px_group,
	    config_p1_encr_name(x->px_encr));
	if (x->px_encr == CONFIG_P1_ENCR_AES)
		fprintf(fp, "(%u..%u)", x->px_klen_min, x->px_klen_max);
	fprintf(fp, " auth_alg %s", config_p1_hash_name(x->px_hash));
	if (x->px_lifetime_secs.src == CONFIG_SRC_FILE)
		fprintf(fp, " p1_lifetime_secs %u", x->px_lifetime_secs.val);
	fprintf(fp, " }\n");
}

static void
write_strlist(FILE *fp, const char *kw, const struct config_strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		fprintf(fp, "%s ", kw);
		write_quoted(fp, "", l->items[i]);
		fputc('\n', fp);
	}
}

static void
write_str(FILE *fp, const char *kw, const struct config_str *s)
{
	if (s->src != CONFIG_SRC_FILE || s->val == NULL)
		return;
	fprintf(fp, "%s ", kw);
	write_quoted(fp, "", s->val);
	fputc('\n', fp);
}

static void
write_seconds(FILE *fp, const char *kw, const struct config_u32 *ms)
{
	if (ms->src == CONFIG_SRC_FILE)
		fprintf(fp, "%s %u.%03u\n", kw, ms->val / 1000, ms->val % 1000);
}

static void
write_globals(FILE *fp, const struct config_globals *g)
{
	size_t	i;

	write_strlist(fp, "cert_root", &g->cg_cert_root);
	write_strlist(fp, "cert_trust", &g->cg_cert_trust);
	for (i = 0; i < g->cg_ldap_server.n; i++) {
		fprintf(fp, "ldap_server ");
		write_quoted(fp, "", g->cg_ldap_server.items[i]);
		fputc('\n', fp);
	}
	write_u32(fp, "", "expire_timer", &g->cg_expire_timer);
	if (g->cg_ignore_crls.src == CONFIG_SRC_FILE)
		fprintf(fp, "ignore_crls\n");
	write_str(fp, "pkcs11_path", &g->cg_pkcs11_path);
	write_u32(fp, "", "retry_limit", &g->cg_retry_limit);
	write_u32(fp, "", "max_half_open", &g->cg_max_half_open);
	write_seconds(fp, "retry_timer_init", &g->cg_retry_timer_init);
	write_seconds(fp, "retry_timer_max", &g->cg_retry_timer_max);
	write_str(fp, "proxy", &g->cg_proxy);
	write_str(fp, "socks", &g->cg_socks);
	if (g->cg_use_http.src == CONFIG_SRC_FILE)
		fprintf(fp, "use_http\n");
	write_u32(fp, "", "p1_lifetime_secs", &g->cg_p1_lifetime_secs);
	write_u32(fp, "", "p1_nonce_len", &g->cg_p1_nonce_len);
	write_u32(fp, "", "p2_nonce_len", &g->cg_p2_nonce_len);
	write_p2(fp, "", &g->cg_p2);
	if (g->cg_local_id_type.src == CONFIG_SRC_FILE)
		fprintf(fp, "local_id_type %s\n",
		    config_idtype_name((int)g->cg_local_id_type.val));
	for (i = 0; i < g->cg_nxforms; i++)
		write_xform(fp, "", &g->cg_xforms[i]);
}

static void
write_rule(FILE *fp, const struct config_rule *r)
{
	char	buf[128];
	size_t	i;

	fprintf(fp, "\n{\n\tlabel ");
	write_quoted(fp, "", r->cr_label != NULL ? r->cr_label : "");
	fputc('\n', fp);
	for (i = 0; i < r->cr_local.n; i++) {
		addr_format_range(&r->cr_local.ranges[i], buf, sizeof(buf));
		fprintf(fp, "\tlocal_addr %s\n", buf);
	}
	for (i = 0; i < r->cr_remote.n; i++) {
		addr_format_range(&r->cr_remote.ranges[i], buf, sizeof(buf));
		fprintf(fp, "\tremote_addr %s\n", buf);
	}
	if (r->cr_local_id_type.src == CONFIG_SRC_FILE)
		fprintf(fp, "\tlocal_id_type %s\n",
		    config_idtype_name((int)r->cr_local_id_type.val));
	if (r->cr_local_id != NULL) {
		fprintf(fp, "\tlocal_id ");
		write_quoted(fp, "", r->cr_local_id);
		fputc('\n', fp);
	}
	for (i = 0; i < r->cr_nremote_ids; i++) {
		fprintf(fp, "\tremote_id ");
		write_quoted(fp, r->cr_remote_ids[i].is_exclude ? "!" : "",
		    r->cr_remote_ids[i].is_sel);
		fputc('\n', fp);
	}
	write_p2(fp, "\t", &r->cr_p2);
	for (i = 0; !r->cr_xforms_global && i < r->cr_nxforms; i++)
		write_xform(fp, "\t", &r->cr_xforms[i]);
	fprintf(fp, "}\n");
}

int
config_write_rules(FILE *fp, const struct config *cf)
{
	size_t	i;

	write_globals(fp, &cf->cf_globals);
	for (i = 0; i < cf->cf_nrules; i++)
		write_rule(fp, &cf->cf_rules[i]);
	return (ferror(fp) ? ERR_SYSTEM : 0);
}

static void
write_psk_id(FILE *fp, const char *side, const struct config_psk_id *id)
{
	char	buf[128];

	fprintf(fp, "\t%sidtype %s\n\t%sid ", side,
	    config_idtype_name(id->pi_type), side);
	if (id->pi_name != NULL)
		write_quoted(fp, "", id->pi_name);
	else {
		addr_format_range(&id->pi_range, buf, sizeof(buf));
		fputs(buf, fp);
	}
	fputc('\n', fp);
}

/* The keys are written in hex; the caller creates the file mode 0600. */
int
config_write_preshared(FILE *fp, const struct config *cf)
{
	const struct config_psk	*p;
	char			*hex;
	size_t			 i, hexlen;

	for (i = 0; i < cf->cf_npsks; i++) {
		p = &cf->cf_psks[i];
		hexlen = p->ps_key.wb_len * 2 + 1;
		if ((hex = malloc(hexlen)) == NULL)
			return (ERR_NOMEM);
		util_hex_encode(hex, hexlen, p->ps_key.wb_data,
		    p->ps_key.wb_len);
		fprintf(fp, "{\n");
		write_psk_id(fp, "local", &p->ps_local);
		write_psk_id(fp, "remote", &p->ps_remote);
		fprintf(fp, "\tike_mode %s\n\tkey %s\n}\n",
		    config_ike_mode_name((int)p->ps_ike_mode.val), hex);
		util_freezero(hex, hexlen);
	}
	return (ferror(fp) ? ERR_SYSTEM : 0);
}

int
config_read_fd(struct config *cf, int kind, int fd, const char *name,
    struct config_diag *diag)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0;
	int		 rc, flags;

	if (fstat(fd, &st) != 0) {
		diag_add(diag, name, 0, "fstat failed: %s", strerror(errno));
		return (ERR_SYSTEM);
	}
	/*
	 * The daemon reads in its event loop, so a pipe is read without
	 * blocking: one that is still open for writing and empty fails.
	 */
	if (S_ISFIFO(st.st_mode)) {
		if ((flags = fcntl(fd, F_GETFL)) < 0 ||
		    fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
			diag_add(diag, name, 0, "fcntl failed: %s",
			    strerror(errno));
			return (ERR_SYSTEM);
		}
	} else if (!S_ISREG(st.st_mode)) {
		diag_add(diag, name, 0, "not a regular file (a device, socket "
		    "or folder): name a regular file");
		return (ERR_CONFIG);
	}
	if ((rc = parse_read_fd(fd, name, S_ISREG(st.st_mode) ?
	    (size_t)st.st_size : 0, &buf, &len, diag)) != 0)
		return (rc);
	rc = config_parse_buf(cf, kind, name, buf, len, diag);
	util_freezero(buf, len + 1);
	return (rc);
}

int
config_parse_buf(struct config *cf, int kind, const char *name,
    const void *buf, size_t len, struct config_diag *diag)
{
	switch (kind) {
	case CONFIG_FILE_IKE:
		return (ikeconf_parse(cf, name, buf, len, diag));
	case CONFIG_FILE_PRESHARED:
		return (preshared_parse(cf, name, buf, len, diag));
	case CONFIG_FILE_IPSECINIT:
		return (ipsecinit_parse(cf, name, buf, len, diag));
	default:
		return (ERR_INVAL);
	}
}
