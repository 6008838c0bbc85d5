/* Checkpoint fixtures shared by the command tests: a format 2 checkpoint rewritten as the
 * format 1 that had no model record. */
#ifndef QB_TEST_CKPTFIX_H
#define QB_TEST_CKPTFIX_H

/* Writes `from` (format 2, asserted) to `to` as format 1: no record (whose length field, after
 * the config and metrics texts, is cut out), version 1, a new CRC. */
void ckptfix_as_format_1(const char *from, const char *to);

#endif
