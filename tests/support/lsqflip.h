/* lsqflip: LSQ with the sign of every parameter gradient flipped (its input gradient is
 * LSQ's), the mistake of a new method whose step gradient has the wrong sign. It trains,
 * to a number that can look like a result; the registry checks (quantizers/qcheck.h) must
 * stop it. A test-only method: the quantizer tests check it directly, and the fixture
 * tests/fixtures/qbench_lsqflip.c registers it in a qbench of its own for `make compare`. */
#ifndef QB_TEST_LSQFLIP_H
#define QB_TEST_LSQFLIP_H

#include "core/quantizer.h"

/* LSQ's table with name "lsqflip" and the flipped backward; filled by lsqflip_fill() (its
 * fields come from lsq_ops, which is no constant expression). */
extern QuantizerOps lsqflip_ops;
const QuantizerOps *lsqflip_fill(void);

#endif
