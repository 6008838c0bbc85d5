#include "result.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "core/jsonr.h"
#include "core/nametable.h"
#include "run/converge.h"

extern char *openblas_get_config(void);

/* First line of a shell command's output ("" when it fails). */
static void command_line(const char *cmd, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    if (!fgets(out, (int)cap, p))
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

static void cpu_model(char *out, size_t cap)
{
    command_line("grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'",
                 out, cap);
}

/* "vendor family model stepping" from /proc/cpuinfo: the model name alone ("AMD EPYC") can
 * cover several generations whose kernels round differently. */
static void cpu_id(char *out, size_t cap)
{
    command_line("awk -F': *' '/^vendor_id/ && !v {v=$2} /^cpu family/ && !f {f=$2} "
                 "/^model[ \t]*:/ && m == \"\" {m=$2} /^stepping/ && s == \"\" {s=$2} "
                 "END {if (v != \"\") print v, f, m, s}' /proc/cpuinfo 2>/dev/null",
                 out, cap);
}

/* The vector extensions this binary was compiled to use (-march): with the BLAS core, what
 * decides how the arithmetic rounds. */
static const char *isa_compiled(void)
{
    return ""
#ifdef __SSE4_2__
           " sse4.2"
#endif
#ifdef __AVX__
           " avx"
#endif
#ifdef __AVX2__
           " avx2"
#endif
#ifdef __FMA__
           " fma"
#endif
#ifdef __F16C__
           " f16c"
#endif
#ifdef __AVX512F__
           " avx512f"
#endif
#ifdef __AVX512BW__
           " avx512bw"
#endif
#ifdef __AVX512DQ__
           " avx512dq"
#endif
#ifdef __AVX512VL__
           " avx512vl"
#endif
#ifdef __AVX512VNNI__
           " avx512vnni"
#endif
#ifdef __AVX512BF16__
           " avx512bf16"
#endif
#ifdef __ARM_NEON
           " neon"
#endif
#ifdef __ARM_FEATURE_SVE
           " sve"
#endif
        ;
}

/* "0.3.21" out of OpenBLAS's configuration string ("OpenBLAS 0.3.21 NO_LAPACKE ..."). */
static void openblas_version(const char *config, char *out, size_t cap)
{
    char v[32];
    snprintf(out, cap, "%s", sscanf(config, "OpenBLAS %31s", v) == 1 ? v : "unknown");
}

static void provenance_json(JsonW *w, const RunResult *res)
{
    char commit[64], dirty[8], cpu[128], cpuid[128], date[32], blasv[32];
    const char *isa = isa_compiled();
    struct utsname u;
    time_t now = time(NULL);
    command_line("git rev-parse HEAD 2>/dev/null", commit, sizeof commit);
    command_line("git status --porcelain --untracked-files=no 2>/dev/null | head -1 | wc -l",
                 dirty, sizeof dirty);
    cpu_model(cpu, sizeof cpu);
    cpu_id(cpuid, sizeof cpuid);
    openblas_version(openblas_get_config(), blasv, sizeof blasv);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    uname(&u);
    jw_obj(w, "provenance");
    jw_str(w, "blas_core", res->blas_core);
    jw_str(w, "compiler", __VERSION__);
#ifdef __clang__
    jw_str(w, "compiler_family", "clang");
#else
    jw_str(w, "compiler_family", "gcc");
#endif
    jw_str(w, "cpu", cpu);
    jw_str(w, "cpu_id", cpuid);
    jw_int(w, "cpus_online", sysconf(_SC_NPROCESSORS_ONLN));
    jw_str(w, "date", date);
    jw_str(w, "git_commit", commit[0] ? commit : "unknown");
    if (commit[0])
        jw_bool(w, "git_dirty", atoi(dirty) > 0);
    else
        jw_null(w, "git_dirty");
    jw_str(w, "isa", isa[0] ? isa + 1 : "");
    jw_str(w, "kernel", u.release);
    jw_str(w, "libyaml", yaml_get_version_string());
    jw_str(w, "machine", u.machine);
    jw_str(w, "openblas", openblas_get_config());
    jw_str(w, "openblas_version", blasv);
    jw_int(w, "threads", res->threads);
    jw_str(w, "zlib", zlibVersion());
    jw_obj_end(w);
}

static void epochs_json(JsonW *w, const RunResult *res)
{
    jw_arr(w, "epochs");
    for (int i = 0; i < res->n_epochs; i++) {
        const EpochRecord *e = &res->epochs[i];
        jw_obj(w, NULL);
        jw_int(w, "epoch", e->epoch + 1);
        jw_num(w, "images_per_s", e->images_per_s);
        jw_num(w, "lr", e->lr);
        jw_num(w, "seconds", e->seconds);
        jw_num(w, "test_loss", e->test_loss);
        jw_num(w, "test_top1", e->test_top1);
        jw_num(w, "test_top5", e->test_top5);
        jw_num(w, "train_loss", e->train_loss);
        jw_num(w, "train_top1", e->train_top1);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void metric_json(JsonW *w, const char *key, const RunResult *res, int i)
{
    jw_obj(w, key);
    if (i >= 0 && i < res->n_epochs) {
        jw_int(w, "epoch", i + 1);
        jw_num(w, "test_loss", res->epochs[i].test_loss);
        jw_num(w, "test_top1", res->epochs[i].test_top1);
        jw_num(w, "test_top5", res->epochs[i].test_top5);
    }
    jw_obj_end(w);
}

static void timing_json(JsonW *w, const RunResult *res)
{
    double train = 0, images = 0;
    for (int i = 0; i < res->n_epochs; i++) {
        train += res->epochs[i].seconds;
        images += res->epochs[i].seconds * res->epochs[i].images_per_s;
    }
    jw_obj(w, "timing");
    jw_num(w, "images_per_s", train > 0 ? images / train : 0);
    jw_num(w, "train_seconds", train);
    jw_num(w, "wall_seconds_last_invocation", res->wall_seconds);
    jw_obj_end(w);
}

static void cost_json(JsonW *w, const RunResult *res)
{
    jw_obj(w, "cost");
    jw_num(w, "bitops", res->bitops);
    jw_num(w, "macs", res->macs);
    jw_num(w, "params", res->params);
    jw_num(w, "quant_params", res->quant_params);
    jw_num(w, "size_bytes", res->size_bytes);
    jw_obj_end(w);
}

/* The run's training curve, window by window (absent when not recorded). */
static void curve_json(JsonW *w, const TrainCurve *c)
{
    if (!c->total_steps)
        return;
    jw_obj(w, "curve");
    jw_int(w, "steps", c->total_steps);
    jw_arr(w, "windows");
    for (int i = 0; i < c->nwindows; i++) {
        const CurveWindow *cw = &c->w[i];
        jw_obj(w, NULL);
        jw_int(w, "first_step", curve_window_first(c, i) + 1);
        jw_int(w, "last_step", curve_window_first(c, i + 1));
        jw_int(w, "steps", cw->steps);
        jw_num(w, "train_loss", cw->steps ? cw->loss_mean : NAN);
        jw_num(w, "train_loss_sd", curve_sd(cw->steps, cw->loss_m2));
        jw_num(w, "train_top1", cw->steps ? cw->top1_mean : NAN);
        jw_num(w, "train_top1_sd", curve_sd(cw->steps, cw->top1_m2));
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

/* The convergence rule's verdict on the curve and the numbers it rests on. */
static void convergence_json(JsonW *w, const TrainCurve *c)
{
    ConvCheck k;
    convergence_check(c, &k);
    jw_obj(w, "convergence");
    jw_str(w, "verdict", conv_verdict_name(k.verdict));
    if (k.verdict == CONV_NOT_RECORDED) {
        jw_str(w, "reason", k.reason);
    } else {
        jw_num(w, "earlier_loss", k.earlier_loss);
        jw_int(w, "earlier_steps", k.earlier_steps);
        jw_num(w, "last_loss", k.last_loss);
        jw_int(w, "last_steps", k.last_steps);
        jw_num(w, "fall", k.fall);
        jw_num(w, "fall_se", k.fall_se);
        jw_num(w, "allowed", k.allowed);
    }
    jw_str(w, "rule", CONVERGENCE_RULE);
    jw_obj_end(w);
}

int result_write(const char *path, const Experiment *e, const Cell *cell, const RunConfig *ran,
                 const RunResult *res, const char *failure, QbErr *err)
{
    JsonW w;
    jw_init(&w, 1);
    jw_obj(&w, NULL);
    jw_int(&w, "bits", cell->bits);
    jw_int(&w, "budget", e->budget);
    jw_str(&w, "cell", cell->id);
    runcfg_to_json(ran, &w, "config");
    jw_raw(&w, "conventions", cell->conventions);
    convergence_json(&w, &res->curve);
    cost_json(&w, res);
    curve_json(&w, &res->curve);
    epochs_json(&w, res);
    jw_str(&w, "experiment", e->name);
    metric_json(&w, "best", res, run_best_epoch(res));
    metric_json(&w, "final", res, res->n_epochs - 1);
    jw_str(&w, "format", "qbench-result");
    jw_int(&w, "format_version", RESULT_FORMAT_VERSION);
    jw_raw(&w, "identity", cell->identity);
    jw_str(&w, "net", cell->net);
    jw_str(&w, "profile", e->profile);
    provenance_json(&w, res);
    jw_str(&w, "reason", failure ? failure : res->reason);
    jw_str(&w, "scheme", cell->scheme);
    jw_int(&w, "seed", cell->seed);
    jw_str(&w, "status", failure ? "failed" : res->status == RUN_OK ? "ok" : "failed");
    timing_json(&w, res);
    jw_obj_end(&w);
    int rc = atomic_write(path, w.buf, w.len, err);
    jw_free(&w);
    return rc;
}

/* best and final name epochs of the file's own list: the first of its highest test top-1 and
 * its last. A file that contradicts its epochs (a best taken from part of the history names
 * its first epoch) is refused rather than put a wrong number into a table. */
static int metrics_match_epochs(const char *path, const JsonV *v, QbErr *err)
{
    const JsonV *ep = json_at(v, "epochs");
    if (!ep || ep->type != JV_ARR || ep->n == 0)
        return 0;
    int best = 0;
    for (int i = 1; i < ep->n; i++)
        if (json_num_at(&ep->items[i], "test_top1", NAN) >
            json_num_at(&ep->items[best], "test_top1", NAN))
            best = i;
    double named = json_num_at(v, "best.epoch", NAN), final = json_num_at(v, "final.epoch", NAN);
    if (named != best + 1)
        return qb_fail(err, "%s: best.epoch is %g, but epoch %d has the highest test_top1 of its "
                            "epochs (%g): the file is inconsistent; delete it and rerun, which "
                            "rewrites it from the cell's checkpoint (or retrains the cell)",
                       path, named, best + 1, json_num_at(&ep->items[best], "test_top1", NAN));
    if (final != ep->n)
        return qb_fail(err, "%s: final.epoch is %g, but the file has %d epochs: the file is "
                            "inconsistent; delete it and rerun", path, final, ep->n);
    return 0;
}

/* FNV-1a over a JSON value's type tags, keys, numbers (their bits) and strings, leaving out
 * the per-epoch timing (seconds, images_per_s), which differs between bit-identical runs. */
static unsigned long long digest_bytes(unsigned long long h, const void *data, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((const unsigned char *)data)[i]) * 0x100000001b3ULL;
    return h;
}

static unsigned long long digest_value(unsigned long long h, const JsonV *v)
{
    unsigned char type = v ? (unsigned char)v->type : 0xff;
    h = digest_bytes(h, &type, 1);
    if (!v)
        return h;
    if (v->type == JV_NUM || v->type == JV_BOOL)
        return digest_bytes(h, &v->num, sizeof v->num);
    if (v->type == JV_STR)
        return digest_bytes(h, v->str, strlen(v->str) + 1);
    for (int i = 0; (v->type == JV_ARR || v->type == JV_OBJ) && i < v->n; i++) {
        if (v->type == JV_OBJ && (!strcmp(v->keys[i], "seconds") ||
                                  !strcmp(v->keys[i], "images_per_s")))
            continue;
        if (v->type == JV_OBJ)
            h = digest_bytes(h, v->keys[i], strlen(v->keys[i]) + 1);
        h = digest_value(h, &v->items[i]);
    }
    return h;
}

static unsigned long long metrics_digest(const JsonV *v)
{
    unsigned long long h = 0xcbf29ce484222325ULL;
    h = digest_value(h, json_at(v, "epochs"));
    h = digest_value(h, json_at(v, "final"));
    return digest_value(h, json_at(v, "best"));
}

/* The recorded verdict; a file without one predates training curves: not recorded. */
static int convergence_read(const char *path, const JsonV *v, ResultSummary *s, QbErr *err)
{
    const JsonV *c = json_at(v, "convergence");
    const char *name = json_str_at(v, "convergence.verdict", NULL);
    int verdict = name ? conv_verdict_parse(name) : -1;
    if (c && verdict < 0)
        return qb_fail(err, "%s: convergence.verdict is %s%s%s; expected \"converged\", "
                            "\"unconverged\" or \"not recorded\"", path, name ? "\"" : "",
                       name ? name : "missing or not a string", name ? "\"" : "");
    s->convergence = c ? (ConvVerdict)verdict : CONV_NOT_RECORDED;
    return 0;
}

int result_read(const char *path, ResultSummary *s, QbErr *err)
{
    JsonV *v;
    memset(s, 0, sizeof *s);
    if (json_load(path, &v, err) < 0)
        return -1;
    int rc = 0;
    const char *status = json_str_at(v, "status", NULL);
    if (strcmp(json_str_at(v, "format", ""), "qbench-result") || !status ||
        json_num_at(v, "format_version", 0) != RESULT_FORMAT_VERSION)
        rc = qb_fail(err, "%s: not a qbench result file of format version %d", path,
                     RESULT_FORMAT_VERSION);
    if (rc == 0) {
        snprintf(s->status, sizeof s->status, "%s", status);
        snprintf(s->reason, sizeof s->reason, "%s", json_str_at(v, "reason", ""));
        s->ok = !strcmp(status, "ok");
        snprintf(s->cell, sizeof s->cell, "%s", json_str_at(v, "cell", ""));
        snprintf(s->net, sizeof s->net, "%s", json_str_at(v, "net", ""));
        snprintf(s->scheme, sizeof s->scheme, "%s", json_str_at(v, "scheme", ""));
        snprintf(s->profile, sizeof s->profile, "%s", json_str_at(v, "profile", ""));
        /* files made before budgets existed trained the profile's length: 1x; a budget that
         * is there but no number (a string, null) is an error, never read as 1x */
        const JsonV *b = json_at(v, "budget");
        double budget = !b ? 1 : b->type == JV_NUM ? b->num : NAN;
        char found[32] = "(not a number)";
        if (!isnan(budget))
            snprintf(found, sizeof found, "%g", budget);
        if (!(budget >= 1 && budget <= EXP_BUDGET_MAX && budget == floor(budget)))
            rc = qb_fail(err, "%s: budget %s is not a whole multiple 1..%d", path, found,
                         EXP_BUDGET_MAX);
        else
            s->budget = (int)budget;
        /* out-of-range doubles make no position (their conversion would be undefined) */
        double bits = json_num_at(v, "bits", -1), seed = json_num_at(v, "seed", -1);
        s->bits = bits >= 0 && bits <= 64 ? (int)bits : -1;
        s->seed = seed >= 0 && seed <= 9007199254740992.0 ? (long long)seed : -1;
        s->final_top1 = json_num_at(v, "final.test_top1", NAN);
        s->final_top5 = json_num_at(v, "final.test_top5", NAN);
        s->best_top1 = json_num_at(v, "best.test_top1", NAN);
        s->best_top5 = json_num_at(v, "best.test_top5", NAN);
        /* checked before the conversion: a double out of int's range is undefined there */
        double best_epoch = json_num_at(v, "best.epoch", 0);
        if (!(best_epoch >= 0 && best_epoch <= INT_MAX && best_epoch == floor(best_epoch)))
            rc = qb_fail(err, "%s: best.epoch %g is not an epoch number", path, best_epoch);
        else
            s->best_epoch = (int)best_epoch;
        const JsonV *ep = json_at(v, "epochs");
        s->epochs = ep && ep->type == JV_ARR ? ep->n : 0;
        s->metrics_digest = metrics_digest(v);
        s->bitops = json_num_at(v, "cost.bitops", NAN);
        s->params = json_num_at(v, "cost.params", NAN);
        s->size_bytes = json_num_at(v, "cost.size_bytes", NAN);
        s->train_seconds = json_num_at(v, "timing.train_seconds", NAN);
        s->images_per_s = json_num_at(v, "timing.images_per_s", NAN);
        if (rc == 0 && s->ok && (isnan(s->final_top1) || isnan(s->best_top1)))
            rc = qb_fail(err, "%s: status ok but no final/best metrics", path);
        if (rc == 0)
            rc = metrics_match_epochs(path, v, err);
        if (rc == 0)
            rc = convergence_read(path, v, s, err);
    }
    json_free(v);
    return rc;
}

int result_dir_reserved(const char *name)
{
    static const char *const reserved[] = {"reference", "tables", "bench"};
    return nametable_index(NAMETABLE_STRINGS(reserved), name) >= 0;
}
