/* layer_kinds[]: the one list of layer kinds (each defined in its own file), for code and
 * tests that walk them all; a new kind's ops go here too. */
#include "layers.h"

const LayerOps *const layer_kinds[] = {
    &conv2d_ops,  &linear_ops,  &bn2d_ops, &bn2d_relu_ops, &relu_ops,
    &relu6_ops,   &maxpool_ops, &avgpool_ops, &gap_ops,    &flatten_ops,
    &add_ops,     &add_relu_ops, &shortcut_a_ops,
};

const int layer_nkinds = (int)(sizeof layer_kinds / sizeof layer_kinds[0]);
