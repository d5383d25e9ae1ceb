/* pool: runs n independent tasks on a bounded number of threads. */
#ifndef ROTD_POOL_H
#define ROTD_POOL_H

#include <stddef.h>

/* Does task i. */
typedef void (*pool_task_fn)(size_t i, void *arg);

/* Calls fn(i, arg) for every i in [0, n) on min(threads, n) threads (threads 0:
 * one per CPU) and returns when all are done. If no thread can start, runs them
 * in the caller. */
void pool_run(size_t n, unsigned threads, pool_task_fn fn, void *arg);

#endif
