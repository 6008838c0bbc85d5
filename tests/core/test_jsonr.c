/* The JSON reader: values, escapes, lookups, and located errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/jsonr.h"

Test(jsonr, parses_nested_values_and_looks_them_up)
{
    JsonV *v;
    QbErr err = {{0}};
    const char *text = "{\"a\": {\"b\": [1, 2.5e1, -3], \"s\": \"x\\n\\u00e9\\\"\"}, \"t\": true, "
                       "\"n\": null}";
    cr_assert_eq(json_parse(text, "t.json", &v, &err), 0, "%s", err.msg);
    const JsonV *b = json_at(v, "a.b");
    cr_assert(b && b->type == JV_ARR && b->n == 3);
    cr_assert_float_eq(b->items[1].num, 25.0, 1e-12);
    cr_assert_float_eq(b->items[2].num, -3.0, 1e-12);
    cr_assert_str_eq(json_str_at(v, "a.s", ""), "x\n\xc3\xa9\"");
    cr_assert_eq(json_at(v, "t")->type, JV_BOOL);
    cr_assert_eq(json_at(v, "n")->type, JV_NULL);
    cr_assert_null(json_at(v, "a.zz"));
    cr_assert_float_eq(json_num_at(v, "a.s", 7.0), 7.0, 0);
    json_free(v);
}

static void expect(const char *text, const char *want)
{
    JsonV *v = NULL;
    QbErr err = {{0}};
    cr_assert_eq(json_parse(text, "bad.json", &v, &err), -1, "parsed: %s", text);
    cr_assert(strstr(err.msg, want), "'%s' not in '%s'", want, err.msg);
}

Test(jsonr, errors_give_line_and_column)
{
    expect("{\"a\": 1,\n \"b\": }", "bad.json:2:7: unexpected token");
    expect("{\"a\": 1, \"a\": 2}", "bad.json:1:12: duplicate object key");
    expect("[1, 2", "bad.json:1:6: ']' expected near end of file");
    expect("\"abc", "bad.json:1:4: premature end of input");
    expect("{} x", "bad.json:1:4: end of file expected");
    expect("\"\\q\"", "bad.json:1:3: invalid escape");
    expect("", "bad.json:1:1: unexpected token near end of file");
    char deep[201];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    expect(deep, "nesting deeper than 64");
}

Test(jsonr, object_keys_keep_the_file_order)
{
    JsonV *v;
    QbErr err = {{0}};
    cr_assert_eq(json_parse("{\"z\": 1, \"a\": 2, \"m\": 3}", "t.json", &v, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(v->n, 3);
    cr_assert_str_eq(v->keys[0], "z");
    cr_assert_str_eq(v->keys[1], "a");
    cr_assert_str_eq(v->keys[2], "m");
    json_free(v);
}
