/* fuzz_elf.c: libFuzzer target for kernel/proc/elf.c. The input is the file. Each input
 * is parsed twice: with VlsOs's user space and a 64 MiB limit, and with a user space of
 * 1 MiB and a 256 KiB limit (so sizes and ends near the edges are reached by small
 * numbers too). The target aborts when the parser reads past the file or reads 0 bytes,
 * reads more than twice, returns a value elf.h does not name, leaves no message or an
 * unterminated one, leaves *out filled after a refusal, or accepts an image that breaks
 * a promise to the loader (test/host/elf_promises.h). ASan and UBSan catch the rest.
 * Built and run by test/host/test_fuzz_elf.sh. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "lib.h"
#include "vm_layout.h"
#include "../../kernel/proc/elf.h"
#include "../host/elf_promises.h"

#define SMALL_USER_SIZE (1u << 20)
#define SMALL_LIMIT (256u << 10)
#define LIMIT (64u << 20)

static struct {
	const uint8_t *data;
	uint32_t size;
	unsigned reads;
} file;

static char why[ELF_WHY_MAX];

#define FAIL(...)                                                        \
	do {                                                             \
		fprintf(stderr, "fuzz_elf: " __VA_ARGS__);               \
		fprintf(stderr, " (message: %.*s)\n", ELF_WHY_MAX, why); \
		abort();                                                 \
	} while (0)

static int file_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
	(void)ctx;
	if (len == 0 || offset > file.size || len > file.size - offset)
		FAIL("read of %u bytes at %u, in a file of %u", len, offset, file.size);
	if (++file.reads > 2)
		FAIL("a third read");
	memcpy(buf, file.data + offset, len);
	return 0;
}

static void parse(uint32_t user_start, uint32_t user_end, uint32_t limit)
{
	static const struct elf_image zero;
	struct elf_image img;
	const char *broken;
	int err;

	file.reads = 0;
	memset(why, 'x', sizeof why);
	err = elf_parse(file_read, NULL, file.size, user_start, user_end, limit, &img, why, sizeof why);
	if (strnlen(why, sizeof why) == sizeof why)
		FAIL("an unterminated message");
	if (err == 0) {
		if (why[0] != '\0')
			FAIL("a message on success");
		broken = elf_broken_promise(&img, file.size, user_start, user_end, limit);
		if (broken != NULL)
			FAIL("accepted, but %s", broken);
		return;
	}
	if (err != ERR_NOEXEC && err != ERR_TOOBIG)
		FAIL("returned %d", err);
	if (why[0] == '\0' || strchr(why, '\n') != NULL)
		FAIL("no message, or more than a line");
	if (memcmp(&img, &zero, sizeof img) != 0)
		FAIL("the image is left filled after a refusal");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	file.data = data;
	file.size = (uint32_t)size;
	parse(VM_USER_START, VM_USER_END, LIMIT);
	parse(VM_USER_START, VM_USER_START + SMALL_USER_SIZE, SMALL_LIMIT);
	return 0;
}
