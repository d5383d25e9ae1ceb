/* state: when each job last succeeded for each subject (a container, a media
 * volume, an API endpoint), and small records such as rotd --now's metric
 * totals, kept in a small JSON file written atomically
 * (temp file, fsync, rename, fsync of the folder). A missing or corrupt file
 * never blocks a run: it is reported and replaced on the next save. */
#ifndef ROTD_STATE_H
#define ROTD_STATE_H

#include <jansson.h>
#include <time.h>

struct state;

/* Reads path. Never NULL: a missing file gives an empty state; an unreadable or
 * corrupt one gives an empty state and *warning set to a new one-line message. */
struct state *state_load(const char *path, char **warning);

/* When job last succeeded for subject, or 0 if never. */
time_t state_last(const struct state *s, const char *job, const char *subject);

/* Records that job succeeded for subject at t. */
void state_set(struct state *s, const char *job, const char *subject, time_t t);

/* The record kept under key (borrowed; valid until s changes), or NULL. */
const json_t *state_record(const struct state *s, const char *key);

/* Replaces the record under key with value (the reference is taken). */
void state_set_record(struct state *s, const char *key, json_t *value);

/* Writes s to path atomically, creating its folder (mode 0700) if missing; the
 * file is mode 0600. Returns 0, or -1 with *err set to a new message. */
int state_save(const struct state *s, const char *path, char **err);

/* Frees s; NULL is allowed. */
void state_free(struct state *s);

#endif
