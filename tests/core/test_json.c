#include <criterion/criterion.h>
#include <math.h>

#include "core/json.h"

Test(json, nested_values_escaping_and_non_finite_numbers)
{
    JsonW w;
    jw_init(&w, 0);
    jw_obj(&w, NULL);
    jw_str(&w, "name", "a\"b\\c\nd");
    jw_num(&w, "x", 0.1f);
    jw_num(&w, "nan", NAN);
    jw_arr(&w, "list");
    jw_int(&w, NULL, 3);
    jw_bool(&w, NULL, 0);
    jw_obj(&w, NULL);
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_raw(&w, "raw", "[1,2]");
    jw_obj_end(&w);
    cr_assert_str_eq(w.buf, "{\"name\":\"a\\\"b\\\\c\\nd\",\"x\":0.1000000015,\"nan\":null,"
                            "\"list\":[3,false,{}],\"raw\":[1,2]}");
    jw_free(&w);
}
