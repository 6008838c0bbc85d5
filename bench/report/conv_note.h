/* Convergence marks (run/converge.h) in the tables: ↘ after a table entry one of whose
 * finished runs had not converged by its own training curve, the note under the table that
 * explains the mark and counts the cells unconverged and not recorded, those counts per
 * table row for the CSV, and the claims table's note on the verdicts resting on them. */
#ifndef QB_CONV_NOTE_H
#define QB_CONV_NOTE_H

#include "grid.h"

#define CONV_MARK "↘"

/* Appends " ↘" to the text at out (cap bytes) when one of c's finished runs is unconverged. */
void conv_mark_append(const GridCell *c, char *out, size_t cap);
/* The note: what ↘ means (the rule's document) and how many of the table's finished cells
 * are unconverged or have no verdict recorded (results written before training curves),
 * compactly when none is recorded; "" without finished cells. */
void conv_note(const Grid *g, char *out, size_t cap);

/* The claims table's note: of `measured` accuracy claims, how many rest on an unconverged run
 * (their rows carry ↘) and how many on runs without a verdict; compactly when none of them
 * has one; "" when no claim rests on a run. */
void conv_claims_note(int measured, int unconverged, int unrecorded, char *out, size_t cap);

#endif
