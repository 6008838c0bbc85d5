/* Names in const tables: one NameTable describes where the names of a registry sit (an
 * array of structs with a name field, an array of pointers to such structs, an array of
 * names, or of fixed-size texts), and every lookup by name, every "expected one of a, b, c"
 * list and every "did you mean" suggestion walks it the same way. So each registry states its names once, and an
 * unknown name anywhere is answered with what was expected and the nearest known name. */
#ifndef QB_NAMETABLE_H
#define QB_NAMETABLE_H

#include <stddef.h>

typedef struct {
    const void *base;   /* the first entry */
    int count;          /* entries; NAMETABLE_UNTIL_NULL: up to the first one without a name */
    size_t stride;      /* bytes from one entry to the next */
    size_t name_off;    /* where the name (a const char *) sits in a struct */
    int indirect;       /* the entries are pointers to the structs */
    int inline_text;    /* the name is a char array inside the entry, not a pointer */
    /* Entries that belong to the table; NULL: all of them. Entries whose name is NULL never
     * do (a settings row without a YAML key). */
    int (*keep)(const void *entry, const void *ctx);
    const void *ctx;
} NameTable;

#define NAMETABLE_UNTIL_NULL (-1)

/* The element count of array arr, after a compile-time check that `name` (an expression on
 * one element) is a string: a table whose name field is not one does not compile. */
#define NAMETABLE_COUNT_(arr, name)                                                          \
    (int)(sizeof(arr) / sizeof((arr)[0]) + 0 * sizeof(_Generic((name), const char *: 1,     \
                                                               char *: 1)))
#define NAMETABLE_TYPE_(p, Type) (0 * sizeof(_Generic((p), const Type *: 1, Type *: 1)))

/* Braced initializers, for a NameTable that is itself a table entry or a static:
 *   NAMETABLE_INIT(nets, NetEntry, name)   an array of NetEntry, names in .name
 *   NAMETABLE_STRINGS_INIT(kind_names)     an array of names (NULL entries skipped) */
#define NAMETABLE_INIT(arr, Type, field)                                                     \
    {.base = (arr), .count = NAMETABLE_COUNT_(arr, (arr)[0].field),                          \
     .stride = sizeof((arr)[0]) + NAMETABLE_TYPE_(&(arr)[0], Type),                          \
     .name_off = offsetof(Type, field)}
#define NAMETABLE_STRINGS_INIT(arr)                                                          \
    {.base = (arr), .count = NAMETABLE_COUNT_(arr, (arr)[0]), .stride = sizeof((arr)[0])}

/* The same as values, for calls: nametable_find(NAMETABLE(nets, NetEntry, name), "resnet20"). */
#define NAMETABLE(arr, Type, field) ((NameTable)NAMETABLE_INIT(arr, Type, field))
#define NAMETABLE_STRINGS(arr) ((NameTable)NAMETABLE_STRINGS_INIT(arr))
/* An array of pointers to structs (the quantizer registry's methods[]). */
#define NAMETABLE_POINTERS(arr, Type, field)                                                 \
    ((NameTable){.base = (arr), .count = NAMETABLE_COUNT_(arr, (arr)[0]->field),             \
                 .stride = sizeof((arr)[0]) + NAMETABLE_TYPE_((arr)[0], Type),               \
                 .name_off = offsetof(Type, field), .indirect = 1})
/* A pointer to structs ending with one whose name is NULL (a method's option specs). */
#define NAMETABLE_LIST(ptr, Type, field)                                                     \
    ((NameTable){.base = (ptr), .count = NAMETABLE_UNTIL_NULL,                               \
                 .stride = sizeof(Type) + NAMETABLE_TYPE_(ptr, Type),                        \
                 .name_off = offsetof(Type, field)})
/* A pointer to names ending with NULL (a list of allowed keys). */
#define NAMETABLE_NULL_ENDED(names)                                                          \
    ((NameTable){.base = (names), .count = NAMETABLE_UNTIL_NULL,                             \
                 .stride = sizeof(*(names)) + NAMETABLE_TYPE_(*(names), char)})
/* The first n names of an array of fixed-size texts (char names[N][32]), e.g. a list read
 * from a file. */
#define NAMETABLE_TEXTS(arr, n)                                                              \
    ((NameTable){.base = (arr),                                                              \
                 .count = (n) + (int)(0 * sizeof(_Generic(&(arr)[0][0], char *: 1,          \
                                                          const char *: 1))),                \
                 .stride = sizeof((arr)[0]), .inline_text = 1})

/* Entry i (the struct, also for an indirect table) and its name; NULL past the end. An
 * entry the table does not keep still has its name here: i is a position, not a rank. */
const void *nametable_entry(NameTable t, int i);
const char *nametable_name(NameTable t, int i);
/* Whether entry i belongs to the table (named and kept). */
int nametable_has(NameTable t, int i);
/* How many entries belong to the table. */
int nametable_size(NameTable t);
/* The position of the entry called name (exact match), or -1. */
int nametable_index(NameTable t, const char *name);
/* The entry called name, or NULL. */
const void *nametable_find(NameTable t, const char *name);
/* The names joined into out: "a, b, c" with sep ", ", or "a, b or c" with last_sep " or "
 * (NULL: sep throughout); "" for an empty table. Returns the length the whole list needs
 * (as snprintf), so a caller sees truncation. */
size_t nametable_join(NameTable t, const char *sep, const char *last_sep, char *out, size_t cap);
/* Into out: "; did you mean 'lsq'?" for the name of the tables ts[0..nt) nearest `typed`
 * (edit distance, case-insensitive; the first of equals) when it is near enough: at most
 * 1 + len/3 edits for a typed name of len characters, so 'lqs' finds 'lsq' but 'x' finds
 * nothing in a table of long names. "; did you mean 'lsq'? (names are case-sensitive)"
 * when only the case differs; "" when nothing is near. */
void nametable_suggest_any(const NameTable *ts, int nt, const char *typed, char *out, size_t cap);
void nametable_suggest(NameTable t, const char *typed, char *out, size_t cap);
/* The message for a name the table does not have, into out: "unknown WHAT 'typed'; expected
 * one of: a, b, c; did you mean 'a'?" (the suggestion only when one is near). */
void nametable_unknown(NameTable t, const char *what, const char *typed, char *out, size_t cap);

#endif
