/* libFuzzer target: lib/logtime. The first byte picks what the rest is:
 *   0: a log line for the built-in recognisers (in UTC, then Europe/Berlin);
 *   1: "FORMAT\nLINE", a strptime format and a line for it;
 *   2: a command-line time (logtime_parse_cli);
 *   3: a TZif file (read through TZDIR), then times converted in that zone.
 * The line is handed over in a buffer of exactly its size, so a read past len
 * is caught by ASan. */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/logtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REF_US (INT64_C(1795748400) * 1000000)   /* 2026-11-27 03:00:00Z */
/* Times from year 0 to year 10000, with a day and a 26-hour offset to spare. */
#define MIN_US (INT64_C(-62167219200 - 2 * 86400) * 1000000)
#define MAX_US (INT64_C(253402300800 + 2 * 86400) * 1000000)

static struct logtime_zone *berlin;
static char tzdir[64];

static void check_time(int64_t t)
{
	char buf[LOGTIME_RFC3339_SIZE];

	if (t < MIN_US || t > MAX_US)
		abort();
	if (strlen(logtime_format_rfc3339(t, buf)) >= LOGTIME_RFC3339_SIZE)
		abort();
}

/* Parses line with p twice: the answers must agree and be in range. */
static void parse(const struct logtime_parser *p, const char *line, size_t len)
{
	int64_t a = 1, b = 2;
	int ra = logtime_parse(p, line, len, &a), rb = logtime_parse(p, line, len, &b);

	if (ra != rb || (ra != 0 && ra != 1))
		abort();
	if (ra == 1) {
		if (a != b)
			abort();
		check_time(a);
	}
}

static void fuzz_builtin(const char *line, size_t len)
{
	char *err = NULL;
	struct logtime_parser *utc = logtime_parser_new(NULL, NULL, REF_US, &err);
	struct logtime_parser *local = logtime_parser_new(NULL, berlin, REF_US, &err);

	if (utc == NULL || local == NULL)
		abort();
	parse(utc, line, len);
	parse(local, line, len);
	logtime_parser_free(utc);
	logtime_parser_free(local);
}

static void fuzz_format(const char *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t flen = nl != NULL ? (size_t)(nl - data) : size;
	char *format = malloc(flen + 1);
	char *err = NULL;
	struct logtime_parser *p;
	size_t len = nl != NULL ? size - flen - 1 : 0;

	if (format == NULL)
		abort();
	memcpy(format, data, flen);
	format[flen] = '\0';
	p = logtime_parser_new(format, berlin, REF_US, &err);
	if ((p == NULL) == (err == NULL))
		abort();
	if (p != NULL) {
		char *line = malloc(len ? len : 1);

		if (line == NULL)
			abort();
		memcpy(line, nl != NULL ? nl + 1 : data, len);
		parse(p, line, len);
		free(line);
	} else if (strchr(err, '\n') != NULL) {
		abort();
	}
	free(err);
	free(format);
	logtime_parser_free(p);
}

static void fuzz_cli(const char *data, size_t size)
{
	char *text = malloc(size + 1), *err = NULL;
	int64_t t = 7;
	int rc;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	rc = logtime_parse_cli(text, REF_US, berlin, &t, &err);
	if (rc == 0 && err != NULL)
		abort();
	if (rc == -1 && (err == NULL || strchr(err, '\n') != NULL || t != 7))
		abort();
	if (rc != 0 && rc != -1)
		abort();
	if (rc == 0 && t >= MIN_US && t <= MAX_US)
		check_time(t);
	free(err);
	free(text);
}

static void fuzz_tzif(const char *data, size_t size)
{
	char path[96], *err = NULL;
	struct logtime_zone *z;
	FILE *f;

	snprintf(path, sizeof(path), "%s/Fuzz", tzdir);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	z = logtime_zone_load("Fuzz", &err);
	if ((z == NULL) == (err == NULL))
		abort();
	if (z != NULL) {
		for (int y = 1900; y <= 2200; y += 7)
			for (int m = 1; m <= 12; m += 5)
				check_time(logtime_zone_to_utc(z, y, m, 28, 2, 30, 0, 0));
	}
	free(err);
	logtime_zone_free(z);
}

static void remove_tzdir(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/Fuzz", tzdir);
	unlink(path);
	rmdir(tzdir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;

	if (berlin == NULL) {
		char *err = NULL;

		berlin = logtime_zone_load("Europe/Berlin", &err);
		if (berlin == NULL)
			berlin = logtime_zone_load("+01:00", &err);
		snprintf(tzdir, sizeof(tzdir), "/tmp/rotd-fuzz-tz.XXXXXX");
		if (berlin == NULL || mkdtemp(tzdir) == NULL)
			abort();
		atexit(remove_tzdir);
	}
	if (size < 1)
		return 0;
	line = malloc(size - 1 ? size - 1 : 1);
	if (line == NULL)
		abort();
	memcpy(line, data + 1, size - 1);
	switch (data[0] % 4) {
	case 0:
		fuzz_builtin(line, size - 1);
		break;
	case 1:
		fuzz_format(line, size - 1);
		break;
	case 2:
		fuzz_cli(line, size - 1);
		break;
	default:
		setenv("TZDIR", tzdir, 1);
		fuzz_tzif(line, size - 1);
		unsetenv("TZDIR");
		break;
	}
	free(line);
	return 0;
}
