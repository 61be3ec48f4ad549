/* errors.c: a name for every error in include/errors.h, for messages (the
 * kernel's, the user programs', the host tools'). */
#include "lib.h"
#include "errors.h"

static const char *const names[ERR_COUNT + 1] = {
	[-ERR_INVAL] = "invalid argument",
	[-ERR_NOMEM] = "out of memory",
	[-ERR_EXIST] = "already exists",
	[-ERR_NOTMAPPED] = "not mapped",
	[-ERR_BUSY] = "busy",
	[-ERR_IO] = "I/O error",
	[-ERR_NOENT] = "no such file or directory",
	[-ERR_NOTDIR] = "not a directory",
	[-ERR_ISDIR] = "is a directory",
	[-ERR_CORRUPT] = "corrupt data on disk",
	[-ERR_RANGE] = "out of range",
	[-ERR_NOSPC] = "no space left",
	[-ERR_FAULT] = "bad address",
	[-ERR_BADF] = "bad file descriptor",
	[-ERR_NOEXEC] = "not an executable",
	[-ERR_CHILD] = "no such child",
	[-ERR_SRCH] = "no such process",
	[-ERR_AGAIN] = "limit reached, try again",
	[-ERR_TOOBIG] = "too big",
	[-ERR_NOSYS] = "no such system call",
	[-ERR_PERM] = "not permitted",
};

const char *error_name(int err)
{
	if (err < -ERR_COUNT || err >= 0 || !names[-err])
		return "unknown error";
	return names[-err];
}
