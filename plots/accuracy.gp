# Top-1 against bit-width and against BitOPs, one curve per scheme (mean ± std over seeds),
# from `qbench report FILE --plot-data DIR` (<name>-bits.dat). Usage:
#   gnuplot -e "data='plots/data/table4-bits.dat'; out='plots/out/table4'; name='Table 4'" plots/accuracy.gp
# writes <out>-accuracy-bits.{png,pdf} and <out>-accuracy-bitops.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
if (!exists("name")) name = ""
stats data using 1 nooutput
nblocks = STATS_blocks
set key outside right top
set grid
set ylabel "top-1 (%)"

do for [fmt in "png pdf"] {
  if (fmt eq "png") { set terminal pngcairo size 900,560 enhanced font ",11" } \
  else { set terminal pdfcairo size 6in,3.7in enhanced font ",9" }
  set output out."-accuracy-bits.".fmt
  set title name." - top-1 against bit-width (FP at 32)"
  set xlabel "bits (weights and activations)"
  set logscale x 2
  set xtics (2, 3, 4, 8, 32)
  set xrange [1.8:45]
  plot for [i=0:nblocks-1] data index i using 1:2:3 with yerrorlines lw 2 pt 7 title columnheader(2)
  unset logscale x
  set xtics autofreq
  set autoscale x
  set output out."-accuracy-bitops.".fmt
  set title name." - top-1 against BitOPs (the Pareto view)"
  set xlabel "BitOPs per image"
  set logscale x 10
  set format x "10^{%L}"
  plot for [i=0:nblocks-1] data index i using 5:2:3 with yerrorbars pt 7 ps 1.2 title columnheader(2)
  unset logscale x
  set format x "% h"
  set output
}
