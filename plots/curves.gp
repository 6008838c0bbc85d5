# Training curves: test top-1 per epoch, one panel per bit-width, one curve per scheme and
# network (a colour per scheme, a mark and dash per network): the mean over seeds (line) and
# the band from the lowest to the highest seed (with one epoch: a point and a bar); full
# precision (grey) in every panel. From `qbench plotdata FILE --out DIR`
# (<name>-curves.dat: one block per network, scheme and bit-width, listed in its "# block"
# lines; its header names the profile, data set and seeds for the title: plots/header.gp).
# Usage:
#   gnuplot -e "data='plots/data/table4-curves.dat'; out='plots/out/table4'; name='Table 4'" plots/curves.gp
# writes <out>-curves.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
if (!exists("name")) name = ""
load "plots/header.gp"
widths = system(sprintf("awk '$2 == \"block\" && $4 > 0 { print $4 }' '%s' | sort -n | uniq | tr '\\n' ' '", data))
fps = blocks(data, 0)
n = words(widths)
stats data using 1 nooutput
epochs = STATS_max
step = epochs > 10 ? ceil(epochs / 10.0) : 1
# one top-1 range for every panel, so that the bit-widths compare at a glance
stats data using 3 nooutput
low = STATS_min
stats data using 4 nooutput
set yrange [floor(low / 10) * 10:ceil(STATS_max / 10) * 10 + (STATS_max >= 100 ? 1 : 0)]
set grid
set xlabel "epoch"
set xtics step
set xrange [0.5:epochs + 0.5]
set ylabel "test top-1 (%)"
set key bottom right noenhanced font ",8"
set style fill transparent solid 0.15 noborder

do for [fmt in "png pdf"] {
  if (fmt eq "png") { set terminal pngcairo size 200 + 380 * n,520 enhanced font ",10" } \
  else { eval sprintf('set terminal pdfcairo size %gin,3.7in enhanced font ",8"', 1.5 + 2.8 * n) }
  set output out."-curves.".fmt
  set multiplot layout 1, n title name." - test top-1 per epoch: mean over seeds (".(epochs > 1 ? "line" : "point")."), lowest to highest seed (".(epochs > 1 ? "band" : "bar").")\n".caption(data) noenhanced
  do for [w in widths] {
    set title w."-bit"
    if (epochs > 1) {
      plot for [k in blocks(data, w + 0)] data index int(k) using 1:3:4 with filledcurves lc colour(data, k) notitle, \
           for [k in blocks(data, w + 0)] data index int(k) using 1:2 with linespoints lw 2 pt mark(data, k) \
             ps 0.6 dt dash(data, k) lc colour(data, k) title label(data, k), \
           for [k in fps] data index int(k) using 1:3:4 with filledcurves lc rgb "grey" notitle, \
           for [k in fps] data index int(k) using 1:2 with lines dt dash(data, k) + 1 lw 2 lc rgb "grey50" \
             title label(data, k)
    } else {
      # one epoch: no band to draw, so the spread is a bar
      plot for [k in blocks(data, w + 0)] data index int(k) using 1:2:3:4 with yerrorbars pt mark(data, k) \
             lc colour(data, k) title label(data, k), \
           for [k in fps] data index int(k) using 1:2:3:4 with yerrorbars pt mark(data, k) lc rgb "grey50" \
             title label(data, k)
    }
  }
  unset multiplot
  set output
}
