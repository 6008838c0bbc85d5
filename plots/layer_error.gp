# Each layer's quantization error split into rounding (values inside the clip range) and
# clipping (values beyond it), for the input and the weight quantizer, one bar per scheme
# (ASQ paper Fig. 6). Each part is sum(e^2) / sum(x^2) over the tensor, so a bar's height
# is the quantizer's noise-to-signal ratio and its dark part the rounding share. From
# `qbench probe` (layer_error.dat; its provenance, in the title, says whether each net's
# quantizers were trained: plots/header.gp). Usage:
#   gnuplot -e "data='plots/data'; out='plots/out'" plots/layer_error.gp
#   (schemes='lsq asq' by default: the --schemes given to the probe, space-separated)
# writes <out>/layer_error.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
if (!exists("schemes")) schemes = "lsq asq"
n = words(schemes)
file = data."/layer_error.dat"
bits = system("awk 'NR == 2 { print $3; exit }' ".file)
load "plots/header.gp"
w = 0.8 / n
at(i) = (i - (n + 1) / 2.0) * w
# column of scheme i's part k (0 w_round, 1 w_clip, 2 a_round, 3 a_clip)
col(i, k) = 3 + 4 * (i - 1) + k
dark = "#1f4e79 #7f2704 #2d6a2d #4b2c6b"
light = "#9dc3e6 #fdae6b #a1d99b #bcbddc"

do for [fmt in "png pdf"] {
  if (fmt eq "png") { set terminal pngcairo size 1000,800 enhanced font ",10" } \
  else { set terminal pdfcairo size 6.5in,5.2in enhanced font ",8" }
  set output out."/layer_error.".fmt
  set multiplot layout 2, 1 title sprintf("%s-bit quantization error per layer: rounding (dark) + clipping (light)\n%s", bits, probe_caption(file)) noenhanced
  set grid ytics
  set key outside top center horizontal
  set style fill solid 1.0 noborder
  set boxwidth w
  set xtics rotate by -40 font ",8"
  set yrange [0:*]
  do for [part in "a w"] {
    k = part eq "a" ? 2 : 0
    set ylabel (part eq "a" ? "input: error / signal" : "weights: error / signal")
    plot file using 1:(NaN):xtic(2) notitle, \
         for [i=1:n] file using ($1 + at(i)):(column(col(i, k)) + column(col(i, k + 1))) \
           with boxes lc rgb word(light, i) title word(schemes, i)." clipping", \
         for [i=1:n] file using ($1 + at(i)):(column(col(i, k))) with boxes lc rgb word(dark, i) \
           title word(schemes, i)." rounding"
  }
  unset multiplot
  set output
}
