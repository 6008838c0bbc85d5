# The summary of `make bench-vs-pytorch`: reads the `ratio qbench/best-pytorch CASE: X ...`
# lines of every round's output and prints, per case, the median of its per-round ratios
# (each against that round's fastest PyTorch configuration) with their range. Rounds
# alternate qbench and PyTorch, so a drift in the machine's speed moves both sides of most
# rounds alike; the median and range say how much one round can be trusted. Each line ends
# with the case's speed target and whether the median meets it: LSQ-4 training at least 1.6x
# PyTorch's fastest configuration, every other case at least 1.3x (docs/benchmarks.md).
/^ratio qbench\/best-pytorch / {
    name = $3
    sub(/:$/, "", name)
    if (!(name in n))
        order[++ncases] = name
    v[name, ++n[name]] = $4 + 0
}

# The median of the case's k ratios; sets lo and hi to their range as it sorts them.
function median(name, k,    i, j, t, a) {
    for (i = 1; i <= k; i++)
        a[i] = v[name, i]
    for (i = 2; i <= k; i++)
        for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
        }
    lo = a[1]
    hi = a[k]
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}

END {
    for (c = 1; c <= ncases; c++) {
        name = order[c]
        m = median(name, n[name])
        target = (name ~ /^train-lsq/) ? 1.6 : 1.3
        printf "ratio qbench/best-pytorch %s: %.2f (median of %d rounds, range %.2f-%.2f); " \
            "target >= %.2f: %s\n", name, m, n[name], lo, hi, target, \
            (m >= target ? "met" : "NOT MET")
    }
}
