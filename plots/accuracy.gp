# Top-1 against bit-width and against BitOPs, one curve per scheme (a colour per scheme, a mark
# per network): the mean over seeds, bars from the lowest to the highest seed; full precision
# as its own black marker. The bit-width axis has the widths measured, in order, and FP after
# them. From `qbench plotdata FILE --out DIR` (<name>-bits.dat), whose header names the
# profile, data set and seeds for the titles (plots/header.gp). Usage:
#   gnuplot -e "data='plots/data/table4-bits.dat'; out='plots/out/table4'; name='Table 4'" plots/accuracy.gp
# writes <out>-accuracy-bits.{png,pdf} and <out>-accuracy-bitops.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
if (!exists("name")) name = ""
load "plots/header.gp"
schemes = blocks(data, -1)
fps = blocks(data, 0)
stats data using 8 nooutput
last = STATS_max
# the axis: each measured width at its position (column 8), FP last
tics = system(sprintf("awk '$1 ~ /^[0-9]/ { print \"\\\"\" ($1 == 32 ? \"FP\" : $1) \"\\\" \" $8 }' '%s' | sort -u -k2n | paste -sd, -", data))
# the networks' points side by side at each width
nudge(k) = 0.1 * block_field(data, k, 6)
about = caption(data)."\nmean over seeds, bars from the lowest to the highest seed"
set key outside right top noenhanced
set grid
set ylabel "top-1 (%)"

do for [fmt in "png pdf"] {
  if (fmt eq "png") { set terminal pngcairo size 900,560 enhanced font ",11" } \
  else { set terminal pdfcairo size 6in,3.7in enhanced font ",9" }
  set output out."-accuracy-bits.".fmt
  set title name." - top-1 against bit-width\n".about noenhanced
  set xlabel "bits (weights and activations); FP: full precision"
  set xrange [-0.5:last + 0.5]
  eval "set xtics (".tics.")"
  plot for [k in schemes] data index int(k) using ($8 + nudge(k)):2:6:7 with yerrorlines \
         lw 2 pt mark(data, k) dt dash(data, k) lc colour(data, k) title label(data, k), \
       for [k in fps] data index int(k) using ($8 + nudge(k)):2:6:7 with yerrorbars lc rgb "black" \
         pt mark(data, k) ps 1.6 title label(data, k)
  set xtics autofreq
  set autoscale x
  set output out."-accuracy-bitops.".fmt
  set title name." - top-1 against BitOPs (the Pareto view)\n".about noenhanced
  set xlabel "BitOPs per image"
  set logscale x 10
  set format x "10^{%L}"
  plot for [k in schemes] data index int(k) using 5:2:6:7 with yerrorbars pt mark(data, k) ps 1.2 \
         lc colour(data, k) title label(data, k), \
       for [k in fps] data index int(k) using 5:2:6:7 with yerrorbars lc rgb "black" \
         pt mark(data, k) ps 1.6 title label(data, k)
  unset logscale x
  set format x "% h"
  set output
}
