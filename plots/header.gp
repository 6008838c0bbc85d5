# What the figures read from the header of the data file they plot ('#' lines, which gnuplot
# itself skips); loaded by the scripts beside it (load "plots/header.gp", from the
# repository root).
#
# The plot data of `qbench plotdata` (bench/report/plotdata.h):
#   head(file, key)      the value of the first "# KEY VALUE" line ("" when none)
#   caption(file)        "profile quick, Fashion-MNIST, seeds 1, 2, 3" (and the budget above 1x)
#   blocks(file, bits)   the indices of the blocks at that bit-width (0: full precision; the
#                        bits file's schemes: -1), from the "# block K BITS SCHEME NET LABEL" lines
#   colour(file, k), mark(file, k), dash(file, k), label(file, k)
#                        block k's line colour (one per scheme), point type and dash type (one
#                        per network) and its label
# The probe's files (bench/probe/provenance.h):
#   prov(file, key)      the value of its "# provenance KEY VALUE" line
#   trained(file)        per scheme, one line each, whether its quantizers were trained:
#                        "lsq 3-bit: untrained quantizers on the full-precision net" or
#                        "asq 3-bit: trained, cell table4/<id>"
#   probe_caption(file)  its profile and data, then trained(file)
head(file, key) = system(sprintf("awk '$1 == \"#\" && $2 == \"%s\" { $1 = $2 = \"\"; sub(/^ +/, \"\"); print; exit }' '%s'", key, file))
budget_text(b) = (b eq "1x" || b eq "") ? "" : ", budget ".b
caption(file) = sprintf("profile %s, %s, seeds %s%s", head(file, "profile"), head(file, "data"), \
                        head(file, "seeds"), budget_text(head(file, "budget")))
blocks(file, bits) = system(sprintf("awk '$2 == \"block\" && $4 == %d { printf \" %%s\", $3 }' '%s'", bits, file))
block_field(file, k, col) = system(sprintf("awk '$2 == \"block\" && $3 == %s { print $%d }' '%s'", k, col, file))
colour(file, k) = 1 + block_field(file, k, 5)
mark(file, k) = int(word("7 5 9 11 13", 1 + block_field(file, k, 6)))
dash(file, k) = 1 + 2 * block_field(file, k, 6)
label(file, k) = system(sprintf("awk '$2 == \"block\" && $3 == %s { $1 = $2 = $3 = $4 = $5 = $6 = \"\"; sub(/^ +/, \"\"); print }' '%s'", k, file))
prov(file, key) = system(sprintf("awk '$1 == \"#\" && $2 == \"provenance\" && $3 == \"%s\" { print $4; exit }' '%s'", key, file))
trained(file) = system(sprintf("awk '$2 == \"provenance\" && $3 == \"scheme\" { printf \"%%s%%s %%s-bit: %%s\", sep, $4, $6, $7 == \"untrained\" ? \"untrained quantizers on the full-precision net\" : \"trained, \" $7 \" \" $8; sep = \"\\n\" }' '%s'", file))
probe_caption(file) = sprintf("profile %s, %s data\n%s", prov(file, "profile"), prov(file, "data"), trained(file))
