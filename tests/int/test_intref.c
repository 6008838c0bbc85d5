/* The reference checks must pass the integer paths and catch what is wrong: an accumulator
 * off by one, a level off the grid, a rescaled value outside the float32 bound, a table
 * beyond its error bound. */
#include <criterion/criterion.h>
#include <math.h>

#include "int/intref.h"
#include "inttest.h"

#define K 6
#define N 200

typedef struct {
    IntBook b;
    IntWeights w;
    uint8_t a[N];
    int64_t acc[2 * K];
    IntOps ops;
} Layer;

static void layer_make(Layer *l, const char *method, int bits, int abits, uint64_t seed)
{
    l->b = inttest_book(method, bits);
    l->ops = (IntOps){0};
    inttest_random(&l->w, l->a, &l->b, K, N, abits, seed);
    int_dot_shift(&l->b, &l->w, l->a, l->acc, &l->ops);
}

Test(intref, random_layers_pass_the_grid_check_at_3_to_6_bits)
{
    const char *methods[] = {"pot", "post", "apot"};
    for (int m = 0; m < 3; m++)
        for (int bits = 3; bits <= 6; bits++)
            for (int abits = 2; abits <= 8; abits += 3) {
                Layer l;
                layer_make(&l, methods[m], bits, abits, (uint64_t)(bits * 10 + abits));
                cr_assert_eq(int_ref_grid(&l.b, &l.w, l.a, l.acc), 0, "%s w%d a%d", methods[m],
                             bits, abits);
                int_weights_free(&l.w);
            }
}

Test(intref, an_accumulator_off_by_one_is_caught_in_each_method)
{
    const char *methods[] = {"pot", "post", "apot"};
    for (int m = 0; m < 3; m++) {
        Layer l;
        layer_make(&l, methods[m], 4, 4, 7);
        l.acc[2 * 3] += 1;
        if (m == 1)
            l.acc[2 * 5 + 1] -= 1; /* POST's odd accumulator too */
        cr_assert_eq(int_ref_grid(&l.b, &l.w, l.a, l.acc), m == 1 ? 2 : 1, "%s", methods[m]);
        int_weights_free(&l.w);
    }
}

/* A book whose level drifted from mult/denom (what a changed level set would do). */
Test(intref, a_level_off_the_integer_grid_is_caught)
{
    Layer l;
    layer_make(&l, "apot", 4, 4, 3);
    l.b.mag[3] *= 1.0 + 1e-9;
    cr_assert_gt(int_ref_grid(&l.b, &l.w, l.a, l.acc), 0);
    int_weights_free(&l.w);
}

Test(intref, the_uniform_baseline_passes_and_fails_the_same_way)
{
    Layer l;
    int_book_uniform(&l.b, 4);
    inttest_random(&l.w, l.a, &l.b, K, N, 4, 5);
    int_dot_mul(&l.b, &l.w, l.a, l.acc, &l.ops);
    cr_assert_eq(int_ref_grid(&l.b, &l.w, l.a, l.acc), 0);
    l.acc[0] -= 1;
    cr_assert_eq(int_ref_grid(&l.b, &l.w, l.a, l.acc), 1);
    int_weights_free(&l.w);
}

/* x_hat and w_hat as the quantizers round them; the rescaled integer result must sit within
 * the float32 bound, and a value moved by 1e-5 must not. */
Test(intref, float_check_holds_within_and_fails_outside_the_bound)
{
    Layer l;
    layer_make(&l, "post", 4, 4, 11);
    const float s = 0.037f;
    static float x_hat[N], w_hat[K * N];
    for (int i = 0; i < N; i++)
        x_hat[i] = (float)l.a[i] * s;
    for (int c = 0; c < K; c++) {
        l.w.scale[c] = (float)l.w.scale[c];
        for (int i = 0; i < N; i++) {
            int at = c * N + i;
            w_hat[at] = (float)l.w.scale[c] * (float)(l.w.sign[at] * l.b.mag[l.w.code[at]]);
        }
    }
    double v[K], rel;
    int_rescale(&l.b, &l.w, s, l.acc, v, &l.ops);
    cr_assert_eq(int_ref_float(x_hat, w_hat, v, K, N, int_ref_float_bound(N), &rel), 0);
    cr_assert_lt(rel, int_ref_float_bound(N));
    cr_assert_gt(rel, 0.0, "float32 rounding of w_hat should show");
    v[2] *= 1.0 + 1e-5;
    cr_assert_eq(int_ref_float(x_hat, w_hat, v, K, N, int_ref_float_bound(N), &rel), 1);
    int_weights_free(&l.w);
}

/* The table's error: within 1/2 LSB per odd term, not zero, shrinking with more fraction
 * bits; an accumulator pushed past the bound is caught. */
Test(intref, lut_error_stays_within_its_bound)
{
    Layer l;
    layer_make(&l, "post", 4, 4, 13);
    double last = INFINITY;
    for (int g = 3; g <= 19; g += 8) {
        IntLut t;
        QbErr err = {{0}};
        cr_assert_eq(int_lut_build(&t, &l.b, 4, g, &err), 0, "%s", err.msg);
        int64_t acc_lut[K];
        IntOps o = {0};
        IntLutErr e;
        int_dot_lut(&t, &l.b, &l.w, l.a, acc_lut, &o);
        cr_assert_eq(int_ref_lut(&t, &l.b, &l.w, l.a, l.acc, acc_lut, &e), 0, "G = %d", g);
        cr_assert_gt(e.max_err, 0.0);
        cr_assert_leq(e.max_err, e.max_bound);
        cr_assert_lt(e.max_rel, last, "G = %d", g);
        last = e.max_rel;
        acc_lut[1] += 2 * (int64_t)ceil(e.max_bound) + 1;
        cr_assert_eq(int_ref_lut(&t, &l.b, &l.w, l.a, l.acc, acc_lut, &e), 1);
        int_lut_free(&t);
    }
    int_weights_free(&l.w);
}
