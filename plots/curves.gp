# Training curves of an experiment's cells: test top-1 per epoch, one curve per cell, from
# `qbench report FILE --plot-data DIR` (<name>-curves.dat). Usage:
#   gnuplot -e "data='plots/data/table4-curves.dat'; out='plots/out/table4'; name='Table 4'" plots/curves.gp
# writes <out>-curves.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
if (!exists("name")) name = ""
stats data using 1 nooutput
nblocks = STATS_blocks
set key outside right top font ",8"
set grid
set xlabel "epoch"
set xrange [0:*]
set ylabel "test top-1 (%)"
set title name." - test top-1 per epoch"
do for [fmt in "png pdf"] {
  if (fmt eq "png") { set terminal pngcairo size 1000,560 enhanced font ",11" } \
  else { set terminal pdfcairo size 6.5in,3.7in enhanced font ",8" }
  set output out."-curves.".fmt
  plot for [i=0:nblocks-1] data index i using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title columnheader(2)
  set output
}
