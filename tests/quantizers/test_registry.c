/* Walks every registry entry (and the unregistered template) x role x bit-width, at default
 * options and under each value of each declared choice option (qwalk.h,
 * the checks themselves are quantizers/qcheck.c): level sets sorted, unique and in the
 * normalised range; forward output on the method's grid through its declared scale op
 * (affine grids included: y = offset + scale·level), or, for a method without one, times one
 * inferred scale per channel or sample; idempotent; gradients finite. test_registry_ops.c
 * checks every declared operation and the gradients against finite differences. A method
 * added to the table is tested here unchanged. Also the registry's own errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "quantizers/registry.h"
#include "qwalk.h"

Test(registry, every_level_set_is_sorted_unique_and_normalised) { qwalk(QCHECK_LEVELS); }

Test(registry, every_forward_lands_on_levels_and_is_idempotent) { qwalk(QCHECK_FORWARD); }

Test(registry, every_gradient_is_finite_and_assigned) { qwalk(QCHECK_FINITE); }

/* The walk covers option values: LSQ with one more option, "skew", whose value "on" moves
 * every output 1% off the grid, passes at default options and is stopped with "on", by
 * name. */
extern const QuantizerOps lsq_ops;
static QuantizerOps skewed_ops;
static QuantOptionSpec skewed_options[8];

static void skewed_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    lsq_ops.forward(q, x, y);
    if (!strcmp(quantizer_opt(q, "skew"), "on"))
        for (size_t i = 0; i < tensor_numel(y); i++)
            y->data[i] *= 1.01f;
}

Test(registry, the_walk_checks_every_option_value)
{
    int n = 0;
    for (const QuantOptionSpec *o = lsq_ops.options; o->name; o++)
        skewed_options[n++] = *o;
    skewed_options[n++] = (QuantOptionSpec){"skew", "off|on", "off", "outputs 1% off the grid"};
    skewed_options[n] = (QuantOptionSpec){NULL, NULL, NULL, NULL};
    skewed_ops = lsq_ops;
    skewed_ops.name = "skewed";
    skewed_ops.options = skewed_options;
    skewed_ops.forward = skewed_forward;
    QbErr err = {{0}};
    cr_assert_eq(qcheck_method(&skewed_ops, QCHECK_LEVELS | QCHECK_FINITE, NULL, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(qcheck_method(&skewed_ops, QCHECK_FORWARD, NULL, &err), -1);
    cr_assert(strstr(err.msg, "skewed weights 2 bits with skew: on: output"), "%s", err.msg);
}

Test(registry, unknown_method_lists_the_known_ones)
{
    QbErr err = {{0}};
    cr_assert_null(quantizer_new("lsqq", QROLE_ACT, 4, 0, NULL, 0, &err));
    cr_assert(strstr(err.msg, "unknown quantizer method 'lsqq'"), "%s", err.msg);
    for (int i = 0; i < quantizer_count(); i++)
        cr_assert(strstr(err.msg, quantizer_at(i)->name), "%s misses %s", err.msg, quantizer_at(i)->name);
}

Test(registry, bit_range_error_names_the_supported_range)
{
    QbErr err = {{0}};
    cr_assert_null(quantizer_new("lsq", QROLE_WEIGHT, 9, 0, NULL, 0, &err));
    cr_assert_str_eq(err.msg, "lsq needs 2..8 bits for weights, got 9");
    cr_assert_null(quantizer_new("pact", QROLE_ACT, 1, 0, NULL, 0, &err));
    cr_assert_str_eq(err.msg, "pact needs 2..8 bits for activations, got 1");
}

Test(registry, role_a_method_lacks_is_an_error)
{
    QbErr err = {{0}};
    cr_assert_null(quantizer_new("pact", QROLE_WEIGHT, 4, 0, NULL, 0, &err));
    cr_assert_str_eq(err.msg, "pact does not quantize weights");
}

Test(registry, unknown_option_lists_the_methods_options)
{
    QbErr err = {{0}};
    QuantOption o = {"lsq_grad", "batch"};
    cr_assert_null(quantizer_new("lsq", QROLE_ACT, 4, 0, &o, 1, &err));
    cr_assert(strstr(err.msg, "lsq has no option 'lsq_grad'") && strstr(err.msg, "lsq_grad_scale"),
              "%s", err.msg);
    extern const QuantizerOps affine_template_ops; /* a method without options */
    cr_assert_null(quantizer_new_ops(&affine_template_ops, QROLE_ACT, 4, 0, &o, 1, &err));
    cr_assert(strstr(err.msg, "it takes none"), "%s", err.msg);
}

Test(registry, bad_option_value_names_the_choices)
{
    QbErr err = {{0}};
    QuantOption o = {"lsq_grad_scale", "sample"};
    cr_assert_null(quantizer_new("lsq", QROLE_ACT, 4, 0, &o, 1, &err));
    cr_assert_str_eq(err.msg, "lsq option lsq_grad_scale: expected batch|per_sample, got 'sample'");
    QuantOption r = {"adapter_ratio", "4x"};
    cr_assert_null(quantizer_new("asq", QROLE_ACT, 4, 0, &r, 1, &err));
    cr_assert(strstr(err.msg, "expected int"), "%s", err.msg);
}

Test(registry, option_defaults_come_from_the_method)
{
    QbErr err = {{0}};
    Quantizer *q = quantizer_new("lsq", QROLE_WEIGHT, 4, 0, NULL, 0, &err);
    cr_assert(q, "%s", err.msg);
    cr_assert_str_eq(quantizer_opt(q, "lsq_weight_granularity"), "per_channel");
    cr_assert_null(quantizer_opt(q, "no_such_option"));
    quantizer_delete(q);
}
