#include "qwalk.h"

#include <criterion/criterion.h>

#include "quantizers/registry.h"

extern const QuantizerOps affine_template_ops;

void qwalk(unsigned checks)
{
    for (int i = 0; i <= quantizer_count(); i++) {
        /* the registry's methods, then the template, which is in no registry */
        const QuantizerOps *ops = i < quantizer_count() ? quantizer_at(i) : &affine_template_ops;
        QbErr err = {{0}};
        int cases = 0;
        cr_assert_eq(qcheck_method(ops, checks, &cases, &err), 0, "%s", err.msg);
        cr_assert_gt(cases, 0, "%s", ops->name);
    }
}
