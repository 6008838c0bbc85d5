/* libFuzzer target: a block-error claim's probe data (block_error.dat) through the claims
 * table's reader: the header and its provenance (bench/probe/provenance.c), the regime check,
 * then the rows (bench/report/probe_source.c). The regime is the reference's, so the seed
 * (the committed results/reference/probe/block_error.dat) reaches the rows. */
#include <stdint.h>
#include <string.h>

#include "report/probe_source.h"
#include "lib/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Experiment e;
    static long long seeds[] = {1};
    static GridCell a, b;
    char path[512], why[2048];
    snprintf(e.name, sizeof e.name, "table4");
    e.seeds = seeds, e.nseeds = 1;
    snprintf(e.base.data, sizeof e.base.data, "fmnist");
    snprintf(e.base.from, sizeof e.base.from, "nets/pretrained/resnet20-fmnist.ckpt");
    snprintf(a.id[0], sizeof a.id[0], "resnet20_asq_3b_s1_78e8e122d0dd");
    snprintf(b.id[0], sizeof b.id[0], "resnet20_lsq_3b_s1_d65a2582cc6d");
    fuzz_write("block_error.dat", data, size);
    fuzz_path(path, sizeof path, "block_error.dat");
    BlockSource s = {path, "quick", "results/reference", 1, &e, "resnet20", "asq", "lsq", 3,
                     &a, &b};
    BlockDiff d;
    block_source_read(&s, &d, why, sizeof why);
    return 0;
}
