#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void suggest_name(const char *typed, const char *const *names, int n, const char *kind,
                  char *out, size_t cap)
{
    const char *nearest = NULL;
    int best = 0;
    for (int i = 0; i < n; i++) {
        int d = name_distance(typed, names[i]);
        if (!nearest || d < best)
            best = d, nearest = names[i];
    }
    out[0] = '\0';
    if (nearest && best == 0 && strcmp(typed, nearest))
        snprintf(out, cap, "; %s names are lower case: did you mean '%s'?", kind, nearest);
    else if (nearest && best <= 1 + (int)strlen(typed) / 3)
        snprintf(out, cap, "; did you mean '%s'?", nearest);
}
