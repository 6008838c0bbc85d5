/* The paper profile end to end through make, as a user who brings CIFAR-10 runs it, on a few
 * dozen images in the CIFAR-10 binary format and a tiny schedule (make SET=...): without the
 * data one listing of what is missing and nothing run; PLAN=1 plans the pretraining and the
 * cells; the run pretrains the starting checkpoint, trains every cell and renders the table; a
 * rerun trains nothing. The same through the Slurm runner (RUNNER=slurm), against a stand-in
 * sbatch and squeue that run each job at once: the pretraining is a job like the cells. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/result.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

/* data_batch_1..5.bin with `per_file` records each and test_batch.bin with `test`, in dir. */
static void write_cifar(const char *dir, int per_file, int test)
{
    cr_assert(mkdir(dir, 0777) == 0, "%s", dir);
    for (int f = 1; f <= 6; f++) {
        char path[400];
        if (f <= 5)
            snprintf(path, sizeof path, "%s/data_batch_%d.bin", dir, f);
        else
            snprintf(path, sizeof path, "%s/test_batch.bin", dir);
        FILE *out = fopen(path, "wb");
        cr_assert(out, "%s", path);
        for (int i = 0; i < (f <= 5 ? per_file : test); i++) {
            unsigned char rec[3073];
            rec[0] = (unsigned char)((f * 7 + i) % 10);
            for (int p = 0; p < 3072; p++)  /* a class-dependent brightness, some texture */
                rec[1 + p] = (unsigned char)(rec[0] * 20 + (p * 13 + i) % 40);
            cr_assert_eq(fwrite(rec, 1, sizeof rec, out), sizeof rec);
        }
        fclose(out);
    }
}

/* make TARGET for the binary under test, with `extra` variables; exit code, output in out. */
static int run_make(const char *target, const char *extra, char *out, size_t cap)
{
    char cmd[3000];
    const char *bin = test_qbench_bin();
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "
             "-o %s %s BIN=%s PRETRAIN_THREADS=1 %s", bin, target, bin, extra);
    return shell_run(cmd, out, cap);
}

/* How many result files in dir parse. */
static int valid_results(const char *dir, int expect)
{
    char cmd[600], list[8192];
    snprintf(cmd, sizeof cmd, "ls %s/*.json", dir);
    shell_run(cmd, list, sizeof list);
    int n = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        ResultSummary s;
        QbErr err = {{0}};
        cr_assert_eq(result_read(line, &s, &err), 0, "%s", err.msg);
        n++;
    }
    cr_assert_eq(n, expect, "%s: %d results", dir, n);
    return n;
}

/* SET for a run on the data in <scratch>/<data>, with its own starting checkpoints. */
static void settings(char *out, size_t cap, const char *data, const char *ckpts)
{
    snprintf(out, cap, "SET=\"train.data_dir=%s/%s train.from=%s/%s/{net}-cifar10.ckpt "
             "train.epochs=1 train.width=0.25 train.batch=8\"", hfix_dir(), data, hfix_dir(),
             ckpts);
}

Test(paper_e2e, table4_paper_profile_pretrains_trains_and_renders_on_a_small_cifar_set,
     .timeout = 300)
{
    static char out[1 << 17];
    char extra[1500], set[800], path[600], to_train[64];
    /* what the paper profile trains, read from its file */
    int cells = hfix_cells_of("experiments/table4.yaml", "paper", NULL);
    snprintf(to_train, sizeof to_train, "%d to train", cells);
    write_cifar(strcat(strcpy(path, hfix_dir()), "/cifar"), 8, 20);

    /* no data where the run looks: one listing, nothing trained, no checkpoint */
    settings(set, sizeof set, "nodata", "ckpt");
    snprintf(extra, sizeof extra, "PROFILE=paper RESULTS=%s/results %s", hfix_dir(), set);
    cr_assert_neq(run_make("reproduce-table4", extra, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "needs 2 inputs that are not here") && strstr(out, "test_batch.bin")
              && strstr(out, "/ckpt/resnet20-cifar10.ckpt"), "%s", out);
    cr_assert_eq(hfix_count(out, "qbench needs: "), 1, "%s", out);
    snprintf(path, sizeof path, "%s/results", hfix_dir());
    cr_assert(access(path, F_OK) != 0, "%s", out);

    settings(set, sizeof set, "cifar", "ckpt");
    snprintf(extra, sizeof extra, "PROFILE=paper RESULTS=%s/results %s PLAN=1", hfix_dir(), set);
    cr_assert_eq(run_make("reproduce-table4", extra, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, to_train) && strstr(out, "1 starting checkpoint to pretrain") &&
              strstr(out, "timed here now") && strstr(out, "PLAN=1: nothing was run"), "%s", out);
    snprintf(path, sizeof path, "%s/ckpt/resnet20-cifar10.ckpt", hfix_dir());
    cr_assert(access(path, F_OK) != 0, "PLAN=1 trained: %s", out);

    snprintf(extra, sizeof extra, "PROFILE=paper RESULTS=%s/results %s", hfix_dir(), set);
    cr_assert_eq(run_make("reproduce-table4", extra, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "pretraining resnet20 on cifar10, full precision, 1 epochs"), "%s", out);
    cr_assert(access(path, F_OK) == 0, "no checkpoint: %s", out);
    cr_assert(access(strcat(path, ".partial"), F_OK) != 0, "%s", out);
    cr_assert_eq(hfix_count(out, "table4: resnet20"), cells, "%s", out);
    snprintf(path, sizeof path, "%s/results/table4", hfix_dir());
    valid_results(path, cells);
    snprintf(path, sizeof path, "%s/results/tables/table4-paper.md", hfix_dir());
    static char table[1 << 16];
    hfix_read(path, table, sizeof table);
    cr_assert(strstr(table, "Profile `paper`") && strstr(table, "changed by --set: ") &&
              strstr(table, "Schedule: 1 epochs") && strstr(table, "0 cell(s) pending"),
              "%s", table);
    cr_assert(strstr(out, "| resnet20 | ASQ | qbench |"), "%s", out);

    cr_assert_eq(run_make("reproduce-table4", extra, out, sizeof out), 0, "%s", out);
    cr_assert(!strstr(out, "pretraining") && !strstr(out, "table4: resnet20"), "a rerun "
              "trained: %s", out);
}

/* A stand-in for Slurm's sbatch: runs the job's --wrap at once, its output to --output, and
 * prints its id, numbered under a lock (make submits two at a time); squeue says every job
 * completed. */
static void fake_slurm(const char *dir)
{
    char path[700];
    cr_assert(mkdir(dir, 0777) == 0, "%s", dir);
    snprintf(path, sizeof path, "%s/sbatch", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "#!/bin/sh\nout=/dev/null wrap= cpus=\nfor a; do case $a in --output=*) "
               "out=${a#--output=} ;; --wrap=*) wrap=${a#--wrap=} ;; --cpus-per-task=*) "
               "cpus=${a#--cpus-per-task=} ;; esac; done\n"
               "n=$( (flock 9; n=$(( $(cat %s/jobs 2>/dev/null || echo 0) + 1 )); "
               "echo $n > %s/jobs; echo \"$n cpus=$cpus\" >> %s/submitted; echo $n) 9>%s/lock)\n"
               "SLURM_JOB_ID=$n sh -c \"$wrap\" >> \"$out\" 2>&1\necho $n\n", dir, dir, dir,
            dir);
    fclose(f);
    snprintf(path, sizeof path, "%s/squeue", dir);
    f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "#!/bin/sh\necho 'COMPLETED||'\n");
    fclose(f);
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "chmod +x %s/sbatch %s/squeue", dir, dir);
    cr_assert_eq(system(cmd), 0);
}

Test(paper_e2e, the_slurm_runner_pretrains_as_a_job_like_the_cells, .timeout = 300)
{
    static char out[1 << 16];
    char extra[2000], set[800], path[600], slurm[400];
    write_cifar(strcat(strcpy(path, hfix_dir()), "/cifar-s"), 8, 20);
    snprintf(slurm, sizeof slurm, "%s/slurm", hfix_dir());
    fake_slurm(slurm);
    settings(set, sizeof set, "cifar-s", "ckpt-s");
    snprintf(extra, sizeof extra, "PROFILE=paper RESULTS=%s/results-s %s RUNNER=slurm "
             "PATH=%s:$PATH", hfix_dir(), set, slurm);
    cr_assert_eq(run_make("reproduce-lsq4", extra, out, sizeof out), 0, "%s", out);
    snprintf(path, sizeof path, "%s/ckpt-s/resnet20-cifar10.ckpt", hfix_dir());
    cr_assert(access(path, F_OK) == 0, "no checkpoint: %s", out);
    cr_assert(access(strcat(path, ".slurm"), F_OK) == 0, "the pretraining was no job: %s", out);
    snprintf(path, sizeof path, "%s/results-s/lsq4", hfix_dir());
    valid_results(path, 2);
    /* three jobs: the pretraining at PRETRAIN_THREADS CPUs, then the two cells */
    snprintf(path, sizeof path, "%s/submitted", slurm);
    char submitted[1024];
    hfix_read(path, submitted, sizeof submitted);
    cr_assert(strstr(submitted, "1 cpus=1\n2 cpus=1\n3 cpus=1\n") && !strstr(submitted, "4 "),
              "%s", submitted);
}
