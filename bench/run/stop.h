/* Stopping a run from outside: SIGINT and SIGTERM raise one flag that the training loop reads
 * between steps (train.h's `stop`), so a killed run ends at a step boundary with its
 * checkpoint written, and the caller reports how to resume it. */
#ifndef QB_STOP_H
#define QB_STOP_H

#include <signal.h>

/* Installs the handlers (once per process) and returns the flag they raise; pass it to
 * run_execute. Restarted system calls keep a read or write in flight from failing. */
volatile sig_atomic_t *run_stop_on_signals(void);

#endif
