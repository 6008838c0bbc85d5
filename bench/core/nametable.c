#include "nametable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const void *raw_entry(NameTable t, int i)
{
    const char *slot = (const char *)t.base + (size_t)i * t.stride;
    return t.indirect ? *(const void *const *)slot : slot;
}

static const char *raw_name(NameTable t, int i)
{
    const char *e = raw_entry(t, i);
    if (!e || t.inline_text)
        return e ? e + t.name_off : NULL;
    return *(const char *const *)(e + t.name_off);
}

/* Whether position i is inside the table (for an UNTIL_NULL one: before its end). */
static int in_range(NameTable t, int i)
{
    if (!t.base || i < 0)
        return 0;
    if (t.count != NAMETABLE_UNTIL_NULL)
        return i < t.count;
    for (int k = 0; k <= i; k++)
        if (!raw_name(t, k))
            return 0;
    return 1;
}

const void *nametable_entry(NameTable t, int i) { return in_range(t, i) ? raw_entry(t, i) : NULL; }

const char *nametable_name(NameTable t, int i) { return in_range(t, i) ? raw_name(t, i) : NULL; }

/* Whether entry i, known to be in range, belongs to the table. */
static int kept(NameTable t, int i)
{
    return raw_name(t, i) && (!t.keep || t.keep(raw_entry(t, i), t.ctx));
}

int nametable_has(NameTable t, int i) { return in_range(t, i) && kept(t, i); }

/* The positions to walk: [0, end) holds every entry (an UNTIL_NULL table ends at its first
 * unnamed one). */
static int table_end(NameTable t)
{
    if (!t.base)
        return 0;
    if (t.count != NAMETABLE_UNTIL_NULL)
        return t.count;
    int n = 0;
    while (raw_name(t, n))
        n++;
    return n;
}

int nametable_size(NameTable t)
{
    int n = 0, end = table_end(t);
    for (int i = 0; i < end; i++)
        n += kept(t, i);
    return n;
}

int nametable_index(NameTable t, const char *name)
{
    int end = table_end(t);
    for (int i = 0; name && i < end; i++)
        if (kept(t, i) && !strcmp(raw_name(t, i), name))
            return i;
    return -1;
}

const void *nametable_find(NameTable t, const char *name)
{
    int i = nametable_index(t, name);
    return i < 0 ? NULL : raw_entry(t, i);
}

size_t nametable_join(NameTable t, const char *sep, const char *last_sep, char *out, size_t cap)
{
    int end = table_end(t), total = nametable_size(t), k = 0;
    size_t len = 0;
    if (cap)
        out[0] = '\0';
    for (int i = 0; i < end; i++) {
        if (!kept(t, i))
            continue;
        const char *between = k == 0 ? "" : k == total - 1 && last_sep ? last_sep : sep;
        len += (size_t)snprintf(len < cap ? out + len : NULL, len < cap ? cap - len : 0, "%s%s",
                                between, raw_name(t, i));
        k++;
    }
    return len;
}

/* Edit distance between two names, case-insensitively; one row of the table at a time. */
static int name_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    int *row = malloc(((size_t)lb + 1) * sizeof *row);
    if (!row)
        return la > lb ? la : lb;
    for (int j = 0; j <= lb; j++)
        row[j] = j;
    for (int i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= lb; j++) {
            int up = row[j];
            int same = (a[i - 1] | 32) == (b[j - 1] | 32);
            int best = diag + !same;
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    int d = row[lb];
    free(row);
    return d;
}

void nametable_suggest_any(const NameTable *ts, int nt, const char *typed, char *out, size_t cap)
{
    const char *nearest = NULL;
    int best = 0;
    for (int k = 0; k < nt; k++)
        for (int i = 0, end = table_end(ts[k]); i < end; i++) {
            if (!kept(ts[k], i))
                continue;
            int d = name_distance(typed, raw_name(ts[k], i));
            if (!nearest || d < best)
                best = d, nearest = raw_name(ts[k], i);
        }
    if (cap)
        out[0] = '\0';
    if (nearest && best == 0 && strcmp(typed, nearest))
        snprintf(out, cap, "; did you mean '%s'? (names are case-sensitive)", nearest);
    else if (nearest && best > 0 && best <= 1 + (int)strlen(typed) / 3)
        snprintf(out, cap, "; did you mean '%s'?", nearest);
}

void nametable_suggest(NameTable t, const char *typed, char *out, size_t cap)
{
    nametable_suggest_any(&t, 1, typed, out, cap);
}

void nametable_unknown(NameTable t, const char *what, const char *typed, char *out, size_t cap)
{
    size_t need = nametable_join(t, ", ", NULL, NULL, 0) + 1;
    char *known = malloc(need), hint[160];
    if (known)
        nametable_join(t, ", ", NULL, known, need);
    nametable_suggest(t, typed, hint, sizeof hint);
    snprintf(out, cap, "unknown %s '%s'; expected one of: %s%s", what, typed, known ? known : "?",
             hint);
    free(known);
}
