/* Shared by the unit-test programs: each defines unit_suite(); unit_main.c runs it.
 * Results go to stdout as TAP when CK_TAP_LOG_FILE_NAME=- (as `make check` sets). */
#ifndef ROTD_TESTS_UNIT_H
#define ROTD_TESTS_UNIT_H

#include <check.h>
#include <stddef.h>

/* Returns the suite this program runs. */
Suite *unit_suite(void);

/* Writes text to a new file under a fresh temp dir; returns its path (static buffer
 * reused by the next call). Aborts the test on failure. */
const char *unit_write_temp(const char *name, const char *text);

/* The number of entries in folder dir, "." and ".." excepted. Aborts the test
 * when dir cannot be read. */
size_t unit_count_entries(const char *dir);

#endif
