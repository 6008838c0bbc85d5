# One layer's input before (bars) and after (spikes) its activation quantizer, one panel per
# scheme (LSQ: one step for the layer; ASQ: a step per sample), and how many inputs each
# integer level received. From `qbench probe` (act_hist_<scheme>.dat, act_codes_<scheme>.dat;
# the histograms' provenance, in the title, says whether each scheme's quantizers were trained).
# Usage:
#   gnuplot -e "data='plots/data'; out='plots/out'" plots/act_hist.gp
#   (schemes='lsq asq' by default: the --schemes given to the probe, space-separated)
# writes <out>/act_hist.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
if (!exists("schemes")) schemes = "lsq asq"
n = words(schemes)
file(s) = data."/act_hist_".s.".dat"
codes(s) = data."/act_codes_".s.".dat"
info = system("awk 'NR == 2 { print $3, $7; exit }' ".file(word(schemes, 1)))
layer = word(info, 1)
bits = word(info, 2)
load "plots/header.gp"
# the probe's profile and data, and per scheme whether its quantizers were trained
about = sprintf("profile %s, %s data", prov(file(word(schemes, 1)), "profile"), prov(file(word(schemes, 1)), "data"))
do for [i=1:n] { about = about."\n".trained(file(word(schemes, i))) }
# one x range for every scheme's panel
xmin = 1e30
xmax = -1e30
do for [i=1:n] {
  stats file(word(schemes, i)) using 1:2 nooutput
  xmin = STATS_min_x < xmin ? STATS_min_x : xmin
  xmax = STATS_max_y > xmax ? STATS_max_y : xmax
}

do for [fmt in "png pdf"] {
  if (fmt eq "png") { set terminal pngcairo size 900,300 * (n + 1) enhanced font ",10" } \
  else { eval sprintf('set terminal pdfcairo size 6in,%gin enhanced font ",8"', 2 * (n + 1)) }
  set output out."/act_hist.".fmt
  set multiplot layout n + 1, 1 title sprintf("%s input, %s-bit activations\n%s", layer, bits, about) noenhanced
  set key top right
  set logscale y
  set ylabel "values per bin"
  set style fill solid 0.35 noborder
  do for [i=1:n] {
    s = word(schemes, i)
    set xlabel (i == n ? "activation (input units)" : "")
    set xrange [xmin:xmax]
    plot file(s) using 3:($4 > 0 ? $4 : NaN):($2 - $1) with boxes lc rgb "#4a7ab0" title s." input (full precision)", \
         file(s) using 3:($5 > 0 ? $5 : NaN) with impulses lw 3 lc rgb "#c03030" title s." quantized"
  }
  unset logscale y
  set autoscale x
  set ylabel "inputs per level"
  set xlabel "level index (integer code)"
  set xtics 1
  set boxwidth 0.8 / n
  set style fill solid 0.7 border -1
  plot for [i=1:n] codes(word(schemes, i)) using ($1 + (i - (n + 1) / 2.0) * 0.8 / n):3 with boxes title word(schemes, i)
  set xtics autofreq
  unset multiplot
  set output
}
