/* crashpoint: named points where the tests make rotd die at once (SIGKILL), to
 * prove that a crash anywhere leaves a state the next pass completes.
 * ROTD_CRASH_AT=NAME in the environment arms the point NAME; unset, it is a no-op.
 * ROTD_STALL_AT=NAME makes the thread that reaches NAME hang there instead
 * (sleeping for ever, pinging nothing), so that the systemd watchdog must
 * kill the daemon mid-rotation. */
#ifndef ROTD_CRASHPOINT_H
#define ROTD_CRASHPOINT_H

/* Kills the process with SIGKILL when ROTD_CRASH_AT equals name; never returns
 * when ROTD_STALL_AT equals name. */
void crashpoint(const char *name);

#endif
