/* Every walked method (qwalk.h) answers every operation it declares, and its input and
 * parameter gradients agree with finite differences of the straight-through surrogate its
 * scale op defines, under one of the conventions in use (quantizers/qcheck_fd.c says which).
 * A method with a wrong gradient is stopped: lsqflip, LSQ with its parameter gradients'
 * sign flipped (tests/support/lsqflip.h), fails with a message naming the gradient, and
 * only that check fails. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/threads.h"
#include "tests/support/lsqflip.h"
#include "qwalk.h"

Test(registry_ops, every_method_answers_every_operation_it_declares) { qwalk(QCHECK_OPS); }

static void one_thread(void) { threads_set(1); }

/* One OpenMP thread: the probes run thousands of tiny forwards. */
Test(registry_ops, every_input_gradient_matches_finite_differences, .init = one_thread)
{
    qwalk(QCHECK_INPUT_GRAD);
}

Test(registry_ops, every_parameter_gradient_matches_finite_differences, .init = one_thread)
{
    qwalk(QCHECK_PARAM_GRAD);
}

Test(registry_ops, a_flipped_step_gradient_is_stopped_by_name, .init = one_thread)
{
    const QuantizerOps *flip = lsqflip_fill();
    QbErr err = {{0}};
    int cases = 0;
    cr_assert_eq(qcheck_method(flip, QCHECK_ALL & ~QCHECK_PARAM_GRAD, &cases, &err), 0,
                 "only the parameter gradients are wrong: %s", err.msg);
    cr_assert_eq(cases, 14, "7 weight and 7 activation widths");
    cr_assert_eq(qcheck_method(flip, QCHECK_ALL, &cases, &err), -1);
    cr_assert(strstr(err.msg, "lsqflip weights 2 bits: dL/dl.wq.step has the wrong sign: it is -"),
              "%s", err.msg);
    cr_assert(strstr(err.msg, "times the finite differences, so training would move "
                              "l.wq.step uphill"), "%s", err.msg);
}
