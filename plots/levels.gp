# Weight level sets of uniform, POT, POST and APoT (normalised to [-1, 1]), one figure per
# bit-width, with an inset zoomed near zero where the methods differ most (ASQ paper Fig. 3).
# From `qbench probe` (levels_3.dat, levels_4.dat). Usage:
#   gnuplot -e "data='plots/data'; out='plots/out'" plots/levels.gp
# writes <out>/levels_3.{png,pdf} and <out>/levels_4.{png,pdf}.
if (!exists("data") || !exists("out")) { print "set data and out with -e"; exit status 2 }
names = "uniform POT POST APoT"
set ytics (word(names, 1) 0, word(names, 2) 1, word(names, 3) 2, word(names, 4) 3)
set grid xtics
set key off
# one short vertical stroke per level, coloured by method (column 2: the method's row)
stroke(f) = sprintf("plot '%s' using 3:($2-0.3):(0):(0.6):($2+1) with vectors nohead lw 2 lc variable, '' using 3:2:($2+1) with points pt 7 ps 0.6 lc variable", f)

do for [bits in "3 4"] {
  file = data."/levels_".bits.".dat"
  zoom = bits == 3 ? 0.3 : 0.1
  do for [fmt in "png pdf"] {
    if (fmt eq "png") { set terminal pngcairo size 900,560 enhanced font ",11" } \
    else { set terminal pdfcairo size 6in,3.7in enhanced font ",9" }
    set output out."/levels_".bits.".".fmt
    set multiplot
    set origin 0, 0
    set size 1, 1
    set title bits."-bit weight levels (normalised: {/Symbol a} = 1)"
    set xlabel "level"
    set xrange [-1.08:1.08]
    set yrange [-0.6:6.6]
    eval stroke(file)
    # the inset sits in the empty rows above the four level sets
    set origin 0.3, 0.5
    set size 0.45, 0.38
    set title sprintf("zoom: [0, %g]", zoom) font ",9"
    unset xlabel
    set xrange [-0.02 * zoom:1.02 * zoom]
    set yrange [-0.6:3.6]
    set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb "white" fs solid
    eval stroke(file)
    unset object 1
    unset title
    unset multiplot
    set output
  }
}
