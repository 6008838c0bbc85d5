# Per residual block, how far the quantized net's block output lies from the full-precision
# net's on the same images (ASQ paper Fig. 5): the L2 norm of the difference per image
# (batch mean), and the same relative to the full-precision norm. From `qbench probe`
# (block_error.dat; its provenance, in the title, says whether each net's quantizers were
# trained: plots/header.gp). Usage:
#   gnuplot -e "data='plots/data'; out='plots/out'" plots/block_error.gp
#   (schemes='lsq asq' by default: the --schemes given to the probe, space-separated)
# writes <out>/block_error.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
if (!exists("schemes")) schemes = "lsq asq"
n = words(schemes)
file = data."/block_error.dat"
bits = system("awk 'NR == 2 { print $3; exit }' ".file)
load "plots/header.gp"

do for [fmt in "png pdf"] {
  if (fmt eq "png") { set terminal pngcairo size 900,700 enhanced font ",10" } \
  else { set terminal pdfcairo size 6in,4.7in enhanced font ",8" }
  set output out."/block_error.".fmt
  set multiplot layout 2, 1 title sprintf("block outputs, %s-bit nets against full precision\n%s", bits, probe_caption(file)) noenhanced
  set grid
  set key top left
  set xtics rotate by -30
  set yrange [0:*]
  set ylabel "||y_{q} - y_{fp}||_2 per image"
  plot for [i=1:n] file using 1:(column(1 + 2 * i)):xtic(2) with linespoints lw 2 pt 7 title word(schemes, i)
  set ylabel "||y_{q} - y_{fp}|| / ||y_{fp}||"
  set xlabel "block"
  plot for [i=1:n] file using 1:(column(2 + 2 * i)):xtic(2) with linespoints lw 2 pt 7 title word(schemes, i)
  unset multiplot
  set output
}
