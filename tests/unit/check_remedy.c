/* remedy's memory between the daemon's emergency passes: which filesystems
 * fell short, since when, and whether that was already reported. */
#include "autoconf.h"

#include <string.h>

#include "remedy/remedy.h"
#include "unit.h"

/* A finished pass over one target filesystem (dev 42) left at pct percent. */
static void one_fs(struct remedy *r, struct remedy_fs *f, unsigned pct)
{
	memset(r, 0, sizeof(*r));
	memset(f, 0, sizeof(*f));
	r->low = 80;
	r->high = 85;
	r->needed = 1;
	r->fs = f;
	r->n_fs = 1;
	f->name.dev = 42;
	f->target = 1;
	f->after.used = pct;
	f->after.avail = 100 - pct;
	f->after.used_pct = pct;
}

START_TEST(falling_short_is_reported_once_per_incident)
{
	struct remedy_memory m;
	struct remedy r;
	struct remedy_fs f;

	memset(&m, 0, sizeof(m));
	one_fs(&r, &f, 90);
	ck_assert_int_eq(remedy_remember(&m, &r, 1000), 1);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_uint_eq(m.v[0].pct, 90);
	ck_assert_int_eq(m.v[0].at, 1000);
	one_fs(&r, &f, 91);
	ck_assert_int_eq(remedy_remember(&m, &r, 2000), 0);
	ck_assert_uint_eq(m.v[0].pct, 91);
	ck_assert_int_eq(m.v[0].at, 2000);
	/* under low: the incident is over and forgotten */
	one_fs(&r, &f, 79);
	ck_assert_int_eq(remedy_remember(&m, &r, 3000), 0);
	ck_assert_uint_eq(m.n, 0);
	one_fs(&r, &f, 95);
	ck_assert_int_eq(remedy_remember(&m, &r, 4000), 1);
	remedy_memory_free(&m);
}
END_TEST

START_TEST(cleanup_time_is_kept_only_when_it_ran)
{
	struct remedy_memory m;
	struct remedy r;
	struct remedy_fs f;

	memset(&m, 0, sizeof(m));
	one_fs(&r, &f, 90);
	remedy_remember(&m, &r, 1000);
	ck_assert_int_eq(m.cleanup_at, 0);
	r.n_cleanup = 2;
	remedy_remember(&m, &r, 1500);
	ck_assert_int_eq(m.cleanup_at, 1500);
	r.n_cleanup = 0;
	remedy_remember(&m, &r, 1600);
	ck_assert_int_eq(m.cleanup_at, 1500);
	remedy_memory_free(&m);
}
END_TEST

/* A filesystem that was not a target (under low, or backing off) is not
 * recalled anew. */
START_TEST(only_targets_are_recalled)
{
	struct remedy_memory m;
	struct remedy r;
	struct remedy_fs f;

	memset(&m, 0, sizeof(m));
	one_fs(&r, &f, 90);
	f.target = 0;
	ck_assert_int_eq(remedy_remember(&m, &r, 1000), 0);
	ck_assert_uint_eq(m.n, 0);
	remedy_memory_free(&m);
}
END_TEST

/* The daemon's every-interval check between low and high runs no emergency
 * pass: it must not start a backoff, or the next alert would be ignored. */
START_TEST(a_check_that_did_nothing_starts_no_backoff)
{
	struct remedy_memory m;
	struct remedy r;
	struct remedy_fs f;

	memset(&m, 0, sizeof(m));
	one_fs(&r, &f, 83);
	r.needed = 0;
	ck_assert_int_eq(remedy_remember(&m, &r, 1000), 0);
	ck_assert_uint_eq(m.n, 0);
	remedy_memory_free(&m);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("remedy");
	TCase *tc = tcase_create("memory");

	tcase_add_test(tc, falling_short_is_reported_once_per_incident);
	tcase_add_test(tc, cleanup_time_is_kept_only_when_it_ran);
	tcase_add_test(tc, only_targets_are_recalled);
	tcase_add_test(tc, a_check_that_did_nothing_starts_no_backoff);
	suite_add_tcase(s, tc);
	return s;
}
