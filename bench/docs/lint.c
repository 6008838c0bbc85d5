#include "lint.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

typedef struct {
    const char *pattern; /* POSIX extended; spelled so that this file does not match itself */
    int icase;
    const char *why;
} LintRule;

static const LintRule rules[] = {
    {.pattern = "\\bsess[i]ons?\\b", .icase = 1,
     .why = "a period of work: say what was measured, when and on what machine"},
    {.pattern = "\\b[Pp]ass [A-D]\\b", .icase = 0,
     .why = "a numbered pass of development: name the commit or the measurement"},
    {.pattern = "\\b(four|fif|six|seven)th\\b", .icase = 1,
     .why = "an ordinal of the development log: name the commit or the date"},
    {.pattern = "\\biss[u]es? #?[0-9]+", .icase = 1,
     .why = "a tracker number users cannot look up: say what the change is"},
    {.pattern = "\\bsp[e]c (§|section)", .icase = 1,
     .why = "a document users do not have: cite quantizers/FORMULAS.md's section"},
    {.pattern = "/w[o]rk/|\\.\\./sh[a]red/", .icase = 0,
     .why = "a path outside the repository: users' clones do not have it"},
    {.pattern = "\\bf[a]rm-(bench|studio)\\b", .icase = 0,
     .why = "a tool of the development environment, not of the project"},
};

int lint_text(const char *path, const char *text, FILE *report)
{
    const int nrules = (int)(sizeof rules / sizeof rules[0]);
    regex_t re[sizeof rules / sizeof rules[0]];
    for (int r = 0; r < nrules; r++) {
        int flags = REG_EXTENDED | (rules[r].icase ? REG_ICASE : 0);
        QB_ASSERT(regcomp(&re[r], rules[r].pattern, flags) == 0);
    }
    int hits = 0, line = 1;
    for (const char *p = text; *p; line++) {
        size_t len = strcspn(p, "\n");
        char *s = strndup(p, len);
        QB_ASSERT(s);
        for (int r = 0; r < nrules; r++) {
            regmatch_t m;
            if (regexec(&re[r], s, 1, &m, 0) == 0) {
                hits++;
                fprintf(report, "%s:%d: '%.*s': %s\n", path, line, (int)(m.rm_eo - m.rm_so),
                        s + m.rm_so, rules[r].why);
            }
        }
        free(s);
        p += len + (p[len] == '\n');
    }
    for (int r = 0; r < nrules; r++)
        regfree(&re[r]);
    return hits;
}
