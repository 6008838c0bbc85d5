#include "directive.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/nametable.h"

/* Reads fd to its end into a malloc'd string. */
static char *read_fd(int fd)
{
    char *text;
    size_t n;
    FILE *m = open_memstream(&text, &n);
    QB_ASSERT(m);
    char buf[4096];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0)
            fwrite(buf, 1, (size_t)got, m);
    fclose(m);
    return text;
}

/* The first line of what the command wrote to stderr, for the error message. */
static void first_line(FILE *f, char *out, size_t cap)
{
    rewind(f);
    if (!fgets(out, (int)cap, f))
        snprintf(out, cap, "no message");
    out[strcspn(out, "\n")] = '\0';
}

/* Runs argv, its standard output into *out (or, when must_fail, its error message). */
static int spawn_capture(char **argv, const char *args, int must_fail, char **out, QbErr *err)
{
    int pipefd[2];
    FILE *errf = tmpfile();
    if (!errf || pipe(pipefd) < 0) {
        if (errf)
            fclose(errf);
        return qb_fail(err, "`qbench %s`: cannot capture its output: %s", args, strerror(errno));
    }
    fflush(NULL); /* the child must not write this process's buffered output again */
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(fileno(errf), STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        fclose(errf);
        return qb_fail(err, "`qbench %s`: cannot start it: %s", args, strerror(errno));
    }
    *out = read_fd(pipefd[0]);
    close(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (must_fail && (code == 1 || code == 2)) {
        free(*out);
        rewind(errf);
        *out = read_fd(fileno(errf));
        fclose(errf);
        return 0;
    }
    if (must_fail && code == 0) {
        fclose(errf);
        free(*out);
        *out = NULL;
        return qb_fail(err, "`qbench %s` succeeded where the block shows its error", args);
    }
    if (code != 0) {
        char msg[512];
        first_line(errf, msg, sizeof msg);
        free(*out);
        *out = NULL;
        fclose(errf);
        return qb_fail(err, "`qbench %s` failed (%s %d): %s", args,
                       WIFEXITED(status) ? "exit" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), msg);
    }
    fclose(errf);
    return 0;
}

/* argv for execv: the binary, then args split at spaces, NULL-terminated; the words live in
 * *owner (free it, and the array). */
static char **split_args(const char *self, const char *args, char **owner)
{
    size_t words = 2; /* the binary and the terminating NULL */
    for (const char *p = args; *p; p++)
        words += *p == ' ';
    char **argv = calloc(words + 1, sizeof *argv);
    *owner = strdup(args);
    QB_ASSERT(argv && *owner);
    int argc = 0;
    argv[argc++] = (char *)self;
    for (char *save, *t = strtok_r(*owner, " ", &save); t; t = strtok_r(NULL, " ", &save))
        argv[argc++] = t;
    return argv;
}

/* `qbench ARGS`: this very binary, so a document always shows what the build it was checked
 * with prints: its standard output when it must succeed, its error message (standard error)
 * when it must fail with exit 1 or 2. */
static int run_qbench(const char *args, int must_fail, char **out, QbErr *err)
{
    char self[4096], *words;
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len < 0)
        return qb_fail(err, "cannot find the qbench binary (/proc/self/exe): %s", strerror(errno));
    self[len] = '\0';
    char **argv = split_args(self, args, &words);
    int rc = spawn_capture(argv, args, must_fail, out, err);
    free(words);
    free(argv);
    return rc;
}

/* Of every line of `in` that matches: the whole line (`lines`), or its groups joined by ", "
 * (`match`; the whole match when the pattern has none). */
static int match_lines(const char *in, const char *pattern, int whole_line, char **out,
                       QbErr *err)
{
    const char *filter = whole_line ? "lines" : "match";
    regex_t re;
    int rc = regcomp(&re, pattern, REG_EXTENDED);
    if (rc) {
        char why[256];
        regerror(rc, &re, why, sizeof why);
        return qb_fail(err, "%s %s: not a POSIX extended regular expression: %s", filter, pattern,
                       why);
    }
    size_t ngroups = whole_line ? 0 : re.re_nsub;
    regmatch_t *m = calloc(ngroups + 1, sizeof *m);
    QB_ASSERT(m);
    size_t n;
    FILE *o = open_memstream(out, &n);
    QB_ASSERT(o);
    int found = 0;
    for (const char *p = in; *p;) {
        size_t len = strcspn(p, "\n");
        char *line = strndup(p, len);
        QB_ASSERT(line);
        if (regexec(&re, line, ngroups + 1, m, 0) == 0) {
            found++;
            if (whole_line)
                m[0].rm_so = 0, m[0].rm_eo = (regoff_t)len;
            for (size_t g = ngroups ? 1 : 0; g <= ngroups; g++)
                if (m[g].rm_so >= 0)
                    fprintf(o, "%s%.*s", g > 1 ? ", " : "", (int)(m[g].rm_eo - m[g].rm_so),
                            line + m[g].rm_so);
            fputc('\n', o);
        }
        free(line);
        p += len + (p[len] == '\n');
    }
    fclose(o);
    free(m);
    regfree(&re);
    if (!found) {
        free(*out);
        *out = NULL;
        return qb_fail(err, "%s %s: no line matches", filter, pattern);
    }
    return 0;
}

static char *fenced(const char *in)
{
    size_t len = strlen(in);
    char *out;
    int rc = asprintf(&out, "```\n%s%s```\n", in, len && in[len - 1] != '\n' ? "\n" : "");
    QB_ASSERT(rc >= 0);
    return out;
}

/* A stage makes the text from its argument: a source from nothing (in is NULL), a filter
 * from the text of the stages before it. */
typedef int (*StageRun)(const char *arg, const char *in, char **out, QbErr *err);

static int include_stage(const char *arg, const char *in, char **out, QbErr *err)
{
    (void)in;
    size_t n;
    return file_read_all(arg, out, &n, err) < 0 ? qb_wrap(err, "include: ") : 0;
}

static int qbench_stage(const char *arg, const char *in, char **out, QbErr *err)
{
    (void)in;
    return run_qbench(arg, 0, out, err);
}

static int error_qbench_stage(const char *arg, const char *in, char **out, QbErr *err)
{
    (void)in;
    return run_qbench(arg, 1, out, err);
}

static int match_stage(const char *arg, const char *in, char **out, QbErr *err)
{
    return match_lines(in, arg, 0, out, err);
}

static int lines_stage(const char *arg, const char *in, char **out, QbErr *err)
{
    return match_lines(in, arg, 1, out, err);
}

static int fenced_stage(const char *arg, const char *in, char **out, QbErr *err)
{
    (void)arg, (void)err;
    *out = fenced(in);
    return 0;
}

/* One kind of stage: a stage's text is its prefix then the argument, or the prefix alone
 * when `bare`. */
typedef struct {
    const char *prefix;
    int bare;
    const char *usage; /* how the list of expected stages shows it */
    StageRun run;
} StageKind;

static const StageKind sources[] = {
    {.prefix = "include ", .usage = "`include PATH`", .run = include_stage},
    {.prefix = "qbench ", .usage = "`qbench ARGS`", .run = qbench_stage},
    {.prefix = "error qbench ", .usage = "`error qbench ARGS`", .run = error_qbench_stage},
};

static const StageKind filters[] = {
    {.prefix = "match ", .usage = "`match REGEX`", .run = match_stage},
    {.prefix = "lines ", .usage = "`lines REGEX`", .run = lines_stage},
    {.prefix = "fenced", .bare = 1, .usage = "`fenced`", .run = fenced_stage},
};

/* The stage's kind among kinds (what: "source" or "filter"), its text replacing *text. */
static int stage_run(NameTable kinds, const char *what, const char *stage, char **text,
                     QbErr *err)
{
    for (int i = 0; i < nametable_size(kinds); i++) {
        const StageKind *k = nametable_entry(kinds, i);
        size_t n = strlen(k->prefix);
        if (k->bare ? strcmp(stage, k->prefix) : strncmp(stage, k->prefix, n))
            continue;
        char *next = NULL;
        if (k->run(stage + n, *text, &next, err) < 0) {
            free(next);
            return -1;
        }
        free(*text);
        *text = next;
        return 0;
    }
    char expected[160];
    nametable_join(kinds, ", ", " or ", expected, sizeof expected);
    return qb_fail(err, "unknown %s '%s': expected %s", what, stage, expected);
}

/* The next stage separator: " | ", or " \| " (inside a Markdown table cell, where a bare
 * bar would split the cell); NULL when none. *len gets its length. */
static char *next_bar(char *s, size_t *len)
{
    char *plain = strstr(s, " | "), *escaped = strstr(s, " \\| ");
    if (escaped && (!plain || escaped < plain)) {
        *len = 4;
        return escaped;
    }
    *len = 3;
    return plain;
}

int directive_run(const char *directive, char **out, QbErr *err)
{
    char *copy = strdup(directive), *stage = copy;
    QB_ASSERT(copy);
    *out = NULL;
    int rc = 0;
    for (int first = 1; stage && rc == 0; first = 0) {
        size_t len;
        char *bar = next_bar(stage, &len);
        if (bar)
            *bar = '\0';
        rc = first ? stage_run(NAMETABLE(sources, StageKind, usage), "source", stage, out, err)
                   : stage_run(NAMETABLE(filters, StageKind, usage), "filter", stage, out, err);
        stage = bar ? bar + len : NULL;
    }
    free(copy);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}
