/* alertq: how alerts' requests for an emergency pass are queued, coalesced,
 * put back and held while the last emergency pass settles. */
#include "autoconf.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remedy/alertq.h"
#include "unit.h"

/* A queue whose wake pipe the test reads. */
struct fx {
	int pipe[2];
	struct alertq *q;
};

static void fx_init(struct fx *fx)
{
	ck_assert_int_eq(pipe2(fx->pipe, O_CLOEXEC | O_NONBLOCK), 0);
	fx->q = alertq_new(fx->pipe[1]);
}

/* How many wake-ups the loop would see now; drains them. */
static int wakeups(struct fx *fx)
{
	char buf[16];
	int n = 0;
	ssize_t got;

	while ((got = read(fx->pipe[0], buf, sizeof(buf))) > 0)
		n += (int)got;
	return n;
}

static void fx_free(struct fx *fx)
{
	alertq_free(fx->q);
	close(fx->pipe[0]);
	close(fx->pipe[1]);
}

START_TEST(requests_coalesce_into_one_pass)
{
	struct fx fx;
	unsigned requests;
	size_t alerts;
	long next_check = 1000;
	char *why;

	fx_init(&fx);
	ck_assert_ptr_null(alertq_take(fx.q, 10, &next_check, &requests, &alerts));
	ck_assert_uint_eq(requests, 0);
	ck_assert_uint_eq(alerts, 0);
	ck_assert_int_eq(alertq_ask("alert Disk for db1", 2, 1, fx.q), WEBHOOK_QUEUED);
	ck_assert_int_eq(wakeups(&fx), 1);
	/* Joining costs nothing from the bucket, so it is allowed even when empty. */
	ck_assert_int_eq(alertq_ask("alert Disk for db2", 3, 0, fx.q), WEBHOOK_COALESCED);
	ck_assert_int_eq(alertq_ask("alert Disk for db3", 1, 1, fx.q), WEBHOOK_COALESCED);
	ck_assert_int_eq(wakeups(&fx), 0);

	why = alertq_take(fx.q, 10, &next_check, &requests, &alerts);
	ck_assert_str_eq(why, "alert Disk for db1");
	ck_assert_uint_eq(requests, 3);
	ck_assert_uint_eq(alerts, 6);
	ck_assert_int_eq(next_check, 1000);
	free(why);
	ck_assert_ptr_null(alertq_take(fx.q, 10, &next_check, &requests, &alerts));
	fx_free(&fx);
}
END_TEST

START_TEST(an_empty_bucket_refuses_a_new_pass)
{
	struct fx fx;
	unsigned requests;
	size_t alerts;
	long next_check = 1000;

	fx_init(&fx);
	ck_assert_int_eq(alertq_ask("alert Disk for db1", 1, 0, fx.q), WEBHOOK_REFUSED);
	ck_assert_int_eq(wakeups(&fx), 0);
	ck_assert_ptr_null(alertq_take(fx.q, 10, &next_check, &requests, &alerts));
	fx_free(&fx);
}
END_TEST

START_TEST(a_request_put_back_keeps_its_counts)
{
	struct fx fx;
	unsigned requests;
	size_t alerts;
	long next_check = 1000;
	char *why;

	fx_init(&fx);
	alertq_ask("first", 2, 1, fx.q);
	why = alertq_take(fx.q, 10, &next_check, &requests, &alerts);
	ck_assert_str_eq(why, "first");
	/* One more arrives while the pass cannot run; the first reason stays first. */
	alertq_ask("second", 1, 1, fx.q);
	alertq_requeue(fx.q, why, requests, alerts);
	why = alertq_take(fx.q, 10, &next_check, &requests, &alerts);
	ck_assert_str_eq(why, "second");
	ck_assert_uint_eq(requests, 2);
	ck_assert_uint_eq(alerts, 3);
	/* Into an empty queue it goes back as it was. */
	alertq_requeue(fx.q, why, requests, alerts);
	why = alertq_take(fx.q, 10, &next_check, &requests, &alerts);
	ck_assert_str_eq(why, "second");
	ck_assert_uint_eq(requests, 2);
	ck_assert_uint_eq(alerts, 3);
	free(why);
	fx_free(&fx);
}
END_TEST

START_TEST(alerts_settle_after_an_emergency_pass)
{
	struct fx fx;
	unsigned requests;
	size_t alerts;
	long next_check = 1000;
	char *why;

	fx_init(&fx);
	alertq_settle(fx.q, 100);
	alertq_ask("alert Disk for db1", 1, 1, fx.q);
	/* Inside the settle time the request waits, and the check moves to its end. */
	ck_assert_ptr_null(alertq_take(fx.q, 105, &next_check, &requests, &alerts));
	ck_assert_int_gt(next_check, 105);
	ck_assert_int_lt(next_check, 1000);
	/* ... unless a pass is due anyway: then it runs as the alert's. */
	next_check = 105;
	why = alertq_take(fx.q, 105, &next_check, &requests, &alerts);
	ck_assert_str_eq(why, "alert Disk for db1");
	free(why);
	/* After the settle time it is taken at once. */
	alertq_ask("alert Disk for db2", 1, 1, fx.q);
	next_check = 1000;
	why = alertq_take(fx.q, 200, &next_check, &requests, &alerts);
	ck_assert_str_eq(why, "alert Disk for db2");
	ck_assert_int_eq(next_check, 1000);
	free(why);
	fx_free(&fx);
}
END_TEST

START_TEST(the_line_counts_the_rest)
{
	char *s;

	s = alertq_line("alert Disk for db1", 1, 1);
	ck_assert_str_eq(s, "alert Disk for db1");
	free(s);
	s = alertq_line("alert Disk for db1", 2, 2);
	ck_assert_str_eq(s, "alert Disk for db1 and 1 more alert; 1 more request coalesced");
	free(s);
	s = alertq_line("alert Disk for db1", 5, 7);
	ck_assert_str_eq(s, "alert Disk for db1 and 6 more alerts; 4 more requests coalesced");
	free(s);
}
END_TEST

START_TEST(no_receiver_without_listen)
{
	struct webhook_policy w;
	struct fx fx;

	memset(&w, 0, sizeof(w));
	fx_init(&fx);
	ck_assert_int_eq(alertq_listen(fx.q, &w), 0);
	fx_free(&fx);
	alertq_free(NULL);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("alertq");
	TCase *tc = tcase_create("alertq");

	tcase_add_test(tc, requests_coalesce_into_one_pass);
	tcase_add_test(tc, an_empty_bucket_refuses_a_new_pass);
	tcase_add_test(tc, a_request_put_back_keeps_its_counts);
	tcase_add_test(tc, alerts_settle_after_an_emergency_pass);
	tcase_add_test(tc, the_line_counts_the_rest);
	tcase_add_test(tc, no_receiver_without_listen);
	suite_add_tcase(s, tc);
	return s;
}
