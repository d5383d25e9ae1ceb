/* archive_name: how rotd names its archives, "<stem>-<yyyymmddThhmmssZ>[_NNN].gz|.zst",
 * and how it reads those names back. Pure: no I/O. */
#ifndef ROTD_ARCHIVE_NAME_H
#define ROTD_ARCHIVE_NAME_H

#include <stddef.h>
#include <time.h>

/* The archive name stem for a source log: its file name when its directory is the
 * parent of archive_dir (/var/log/whatsapp/web.log with archive /var/log/whatsapp/archive
 * -> "web.log"), else "<last directory component>_<file name>" (/var/log/lighttpd/error.log
 * -> "lighttpd_error.log"). New string. */
char *archive_name_stem(const char *source_path, const char *archive_dir);

/* The archive name for stem at time t (UTC): "<stem>-<yyyymmddThhmmssZ><suffix>",
 * or with seq 1..999 "<stem>-<yyyymmddThhmmssZ>_<seq as 3 digits><suffix>" for a
 * collision in the same second. Names of one stem sort by name in the order they
 * were made ('_' sorts after '.'), so `zcat web.log-*` reads them in order. New string. */
char *archive_name_make(const char *stem, time_t t, unsigned seq, const char *suffix);

/* Parses an archive name: when name is "<stem>-<ts>[_<seq>].gz|.zst" for this stem,
 * returns 1 and sets *t and *seq; else 0. */
int archive_name_parse(const char *name, const char *stem, time_t *t, unsigned *seq);

/* Splits an archive name of any stem: returns its stem (new string) and sets *t
 * and *seq, or returns NULL when name is not an archive name. */
char *archive_name_split(const char *name, time_t *t, unsigned *seq);

/* The length of archive_dir without its trailing slashes ("/" keeps its one):
 * two spellings of one archive folder are equal up to it. */
size_t archive_name_dir_len(const char *archive_dir);

#endif
