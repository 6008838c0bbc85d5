# One layer's full-precision weights under each weight method: the histogram of w in the
# method's normalised coordinate (w over the per-channel scale its initialised quantizer uses;
# APoT after its weight normalisation), the method's levels (dashed) and how many weights the
# quantizer mapped to each (points, right axis). From `qbench probe` (weights_hist.dat,
# levels_overlay_<method>.dat). Usage:
#   gnuplot -e "data='plots/data'; out='plots/out'" plots/weights.gp
# writes <out>/weights.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
hist = data."/weights_hist.dat"
methods = "uniform lsq pot post apot"
titles = "uniform LSQ POT POST APoT"
info = system("awk 'NR == 2 { print $3, $5; exit }' ".hist)
layer = word(info, 1)
bits = word(info, 2)

do for [fmt in "png pdf"] {
  if (fmt eq "png") { set terminal pngcairo size 900,1200 enhanced font ",10" } \
  else { set terminal pdfcairo size 6in,8in enhanced font ",8" }
  set output out."/weights.".fmt
  set multiplot layout words(methods), 1 title sprintf("%s: %s-bit weight levels on the pretrained weights\n(quantizers initialised on them, not trained)", layer, bits) noenhanced
  set key top right
  set style fill solid 0.35 noborder
  set ytics nomirror
  set y2tics
  set ylabel "weights per bin"
  set y2label "weights per level"
  do for [i=1:words(methods)] {
    overlay = data."/levels_overlay_".word(methods, i).".dat"
    stats hist using (column(3 + i)) nooutput
    top = STATS_max
    set yrange [0:top * 1.1]
    set y2range [0:*]
    set xlabel (i == words(methods) ? "w / scale (normalised; levels at their exact positions)" : "")
    plot hist using 3:(column(3 + i)):($2 - $1) with boxes lc rgb "#4a7ab0" title word(titles, i), \
         overlay using 2:(top * 1.1) with impulses dt 2 lc rgb "#c03030" title "levels", \
         overlay using 2:3 axes x1y2 with points pt 7 ps 0.8 lc rgb "#c03030" title "weights per level"
  }
  unset multiplot
  set output
}
