#include "directive.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.h"

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

static int source_run(const char *stage, char **out, QbErr *err)
{
    size_t n;
    if (!strncmp(stage, "include ", 8))
        return file_read_all(stage + 8, out, &n, err) < 0 ? qb_wrap(err, "include: ") : 0;
    if (!strncmp(stage, "qbench ", 7))
        return run_qbench(stage + 7, 0, out, err);
    if (!strncmp(stage, "error qbench ", 13))
        return run_qbench(stage + 13, 1, out, err);
    return qb_fail(err, "unknown source '%s': expected `include PATH`, `qbench ARGS` or `error "
                        "qbench ARGS`", stage);
}

static int filter_run(const char *stage, char **text, QbErr *err)
{
    char *next = NULL;
    if (!strncmp(stage, "match ", 6) || !strncmp(stage, "lines ", 6)) {
        if (match_lines(*text, stage + 6, stage[0] == 'l', &next, err) < 0)
            return -1;
    } else if (!strcmp(stage, "fenced")) {
        next = fenced(*text);
    } else {
        return qb_fail(err, "unknown filter '%s': expected `match REGEX`, `lines REGEX` or "
                            "`fenced`", stage);
    }
    free(*text);
    *text = next;
    return 0;
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
        rc = first ? source_run(stage, out, err) : filter_run(stage, out, err);
        stage = bar ? bar + len : NULL;
    }
    free(copy);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}
