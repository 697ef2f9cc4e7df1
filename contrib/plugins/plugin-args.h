/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Argument helpers shared by the contrib plugins: QEMU 5.2 passes
 * "-plugin lib.so,arg=key=value" as "key=value" and "arg=flag" as "flag",
 * QEMU 7.2 passes "key=value" and rewrites a bare flag to "flag=on"; these
 * read both forms.
 */
#ifndef CONTRIB_PLUGIN_ARGS_H
#define CONTRIB_PLUGIN_ARGS_H

#include <stdbool.h>
#include <string.h>

/* True when @arg is @key alone or "@key=value"; *value is NULL when bare. */
static inline bool arg_has_key(const char *arg, const char *key, const char **value)
{
    size_t len = strlen(key);

    if (strncmp(arg, key, len) != 0 || (arg[len] != '\0' && arg[len] != '=')) {
        return false;
    }
    *value = arg[len] ? arg + len + 1 : NULL;
    return true;
}

/* Parses on/off/true/false/yes/no; a bare key (NULL) means on. */
static inline bool parse_bool(const char *value, bool *out)
{
    if (!value || !strcmp(value, "on") || !strcmp(value, "true") ||
        !strcmp(value, "yes")) {
        *out = true;
        return true;
    }
    if (!strcmp(value, "off") || !strcmp(value, "false") ||
        !strcmp(value, "no")) {
        *out = false;
        return true;
    }
    return false;
}

#endif
