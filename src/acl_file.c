/* acl_file.c -- users from outside: `user` lines of redis.conf (applied at
 * start) and the `aclfile` (loaded at start and by ACL LOAD, written by
 * ACL SAVE).
 *
 * Loading is all or nothing: the file is applied to a scratch user list
 * and only swapped in when every line is good, with Redis's error texts
 * otherwise. Saving writes a temporary file and renames it over the old
 * one, so a crash never leaves half a file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "log.h"
#include "util.h"
#include "zmalloc.h"

#define ACL_LOAD_WARNING "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"

/* Applies one line's rules (words after the user name) to the new user
 * u; errors are appended to errs as Redis 7.0 words them: every unknown
 * command or category, but only the first error of any other kind, since
 * it may change what the later rules mean. */
static sds apply_line_rules(acl_user *u, sds *words, int n, const char *path, int lineno, sds errs) {
    int merged, syntax_error = 0;
    sds merr = NULL;
    sds *rules = acl_merge_selector_args(words, n, &merged, &merr);
    if (rules == NULL) {
        sds_free(merr);
        return sds_cat_printf(errs, "%s:%d: Unmatched parenthesis in selector definition. ", path, lineno);
    }
    for (int j = 0; j < merged; j++) {
        rules[j] = sds_trim(rules[j], "\t\r\n");
        const char *why;
        if (acl_apply_rule(u, rules[j], sds_len(rules[j]), &why) == 0) continue;
        if (strcmp(why, ACL_ERR_UNKNOWN_CMD) == 0)
            errs = sds_cat_printf(errs, "%s:%d: Error in applying operation '%s': %s. ", path, lineno, rules[j], why);
        else if (!syntax_error)
            errs = sds_cat_printf(errs, "%s:%d: %s. ", path, lineno, why);
        syntax_error |= strcmp(why, ACL_ERR_UNKNOWN_CMD) != 0;
    }
    for (int j = 0; j < merged; j++) sds_free(rules[j]);
    zfree(rules);
    return errs;
}

/* Parses text (an ACL file) into the current user list, which the caller
 * has emptied. As Redis 7.0: lines split on single spaces (no quoting, no
 * comments), every line looked at and all errors collected. Returns NULL,
 * or the errors (new sds) as ACL LOAD says them. */
static sds load_text(const char *path, const char *text) {
    int nlines;
    sds *lines = sds_split_len(text, (ssize_t)strlen(text), "\n", 1, &nlines);
    sds errs = sds_empty();
    for (int i = 0; i < nlines; i++) {
        sds line = sds_trim(lines[i], " \t\r\n");
        if (sds_len(line) == 0) continue;
        int n;
        sds *words = sds_split_len(line, (ssize_t)sds_len(line), " ", 1, &n);
        if (n < 2 || strcmp(words[0], "user") != 0) {
            errs = sds_cat_printf(errs, "%s:%d should start with user keyword followed by the username. ", path, i + 1);
        } else {
            acl_user *u = acl_create_user(words[1], sds_len(words[1]));
            if (u == NULL) errs = sds_cat_printf(errs, "WARNING: Duplicate user '%s' found on line %d. ", words[1], i + 1);
            else errs = apply_line_rules(u, words + 2, n - 2, path, i + 1, errs);
        }
        sds_free_split_res(words, n);
    }
    sds_free_split_res(lines, nlines);
    if (sds_len(errs)) return errs;
    sds_free(errs);
    return NULL;
}

static sds read_file(const char *path, sds *err) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        *err = sds_cat_printf(sds_empty(), "Error loading ACLs, opening file '%s': %s", path, strerror(errno));
        return NULL;
    }
    sds text = sds_empty();
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) text = sds_cat_len(text, buf, n);
    fclose(f);
    return text;
}

sds acl_load_file(const char *path) {
    sds err = NULL;
    sds text = read_file(path, &err);
    if (text == NULL) return err;
    acl_snapshot *old = acl_snapshot_take();
    err = load_text(path, text);
    sds_free(text);
    if (err) {
        acl_snapshot_restore(old);
        return sds_cat(err, ACL_LOAD_WARNING);
    }
    /* A file without the default user leaves it as a fresh server has it. */
    if (acl_find_user("default", 7) == NULL) acl_snapshot_keep_default(old);
    acl_snapshot_release(old);
    return NULL;
}

/* One "user name rules" line per user, as ACL SAVE writes them. */
static sds users_text(void) {
    acl_user **all;
    int n = acl_users(&all);
    sds out = sds_empty();
    for (int i = 0; i < n; i++) {
        sds rules = acl_describe_user(all[i]);
        out = sds_cat_printf(out, "user %s %s\n", all[i]->name, rules);
        sds_free(rules);
    }
    return out;
}

sds acl_config_user_lines(void) {
    return cfg.aclfile ? sds_empty() : users_text();
}

sds acl_save_file(const char *path) {
    sds tmp = sds_cat_printf(sds_empty(), "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        sds err = sds_cat_printf(sds_empty(), "Opening temp ACL file for ACL SAVE: %s", strerror(errno));
        sds_free(tmp);
        return err;
    }
    sds text = users_text();
    int ok = fwrite(text, 1, sds_len(text), f) == sds_len(text);
    sds_free(text);
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) == -1) {
        sds err = sds_cat_printf(sds_empty(), "Writing ACL file for ACL SAVE: %s", strerror(errno));
        unlink(tmp);
        sds_free(tmp);
        return err;
    }
    sds_free(tmp);
    return NULL;
}

int acl_load_startup(void) {
    int nlines;
    const char *const *lines = config_user_lines(&nlines);
    if (nlines && cfg.aclfile) {
        log_warning("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is "
                    "invalid. This setup is very likely to lead to configuration errors and security holes, please "
                    "define either an ACL file or declare users directly in your redis.conf, but not both.");
        return -1;
    }
    for (int i = 0; i < nlines; i++) {
        int n;
        sds *words = sds_split_args(lines[i], &n);
        if (words == NULL || n < 1) {
            log_warning("Error in user declaration '%s': Syntax error", lines[i]);
            if (words) sds_free_split_res(words, n);
            return -1;
        }
        /* A declared user starts from nothing: an existing one (default)
         * is reset first, as Redis does. */
        acl_user *u = acl_find_user(words[0], sds_len(words[0]));
        const char *ignored;
        if (u) acl_apply_rule(u, "reset", 5, &ignored);
        else u = acl_create_user(words[0], sds_len(words[0]));
        /* Selectors come split on spaces ("(~a*" "+get)"), as CONFIG
         * REWRITE writes them. */
        int merged = 0, rc = 0;
        sds merr = NULL;
        sds *rules = acl_merge_selector_args(words + 1, n - 1, &merged, &merr);
        if (rules == NULL) {
            log_warning("Error in user declaration '%s': %s", lines[i], merr);
            sds_free(merr);
            rc = -1;
        }
        for (int j = 0; j < merged && rc == 0; j++) {
            const char *why;
            if (acl_apply_rule(u, rules[j], sds_len(rules[j]), &why) == -1) {
                log_warning("Error in user declaration '%s': %s", rules[j], why);
                rc = -1;
            }
        }
        for (int j = 0; j < merged; j++) sds_free(rules[j]);
        zfree(rules);
        sds_free_split_res(words, n);
        if (rc) return -1;
    }
    if (cfg.aclfile) {
        sds err = acl_load_file(cfg.aclfile);
        if (err) {
            log_warning("Aborting Redis startup because of ACL errors: %s", err);
            sds_free(err);
            return -1;
        }
    }
    return 0;
}
