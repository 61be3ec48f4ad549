/* sources: lib/errors.c */
/* test_errors.c: every ERR_* in errors.h has a name of its own, and anything
 * else is "unknown error". */
#include "check.h"
#include "errors.h"
#include "lib.h"

static void test_every_error_named(void)
{
	for (int err = -1; err >= -ERR_COUNT; err--) {
		const char *name = error_name(err);
		if (!CHECK_MSG(name && name[0] != '\0', "error %d has no name", err))
			continue;
		CHECK_MSG(strcmp(name, "unknown error") != 0, "error %d is \"unknown error\"", err);
	}
}

static void test_names_distinct(void)
{
	for (int a = -1; a >= -ERR_COUNT; a--)
		for (int b = a - 1; b >= -ERR_COUNT; b--)
			CHECK_MSG(strcmp(error_name(a), error_name(b)) != 0,
				  "errors %d and %d are both \"%s\"", a, b, error_name(a));
}

static void test_unknown(void)
{
	CHECK_EQ_STR(error_name(0), "unknown error");
	CHECK_EQ_STR(error_name(1), "unknown error");
	CHECK_EQ_STR(error_name(-ERR_COUNT - 1), "unknown error");
	CHECK_EQ_STR(error_name(-4095), "unknown error");
	CHECK_EQ_STR(error_name(-2147483647 - 1), "unknown error");
}

static void test_some_names(void)
{
	CHECK_EQ_STR(error_name(ERR_BADF), "bad file descriptor");
	CHECK_EQ_STR(error_name(ERR_NOENT), "no such file or directory");
}

int main(void)
{
	RUN(test_every_error_named);
	RUN(test_names_distinct);
	RUN(test_unknown);
	RUN(test_some_names);
	return check_done();
}
