/* lock: one pass at a time on a host. The daemon's passes and every rotd --now
 * take the same flock(2) lock for the whole pass. */
#ifndef ROTD_LOCK_H
#define ROTD_LOCK_H

/* Takes the exclusive lock on path (created 0600 if missing), waiting up to
 * wait_s seconds (0: not at all). Returns the fd that holds it (close to
 * release), -2 when another holder kept it for the whole wait (or until a
 * shutdown was requested, see shutdown.h), or -1 with
 * *err set to a new message when the file cannot be opened. */
int lock_take(const char *path, unsigned long wait_s, char **err);

#endif
