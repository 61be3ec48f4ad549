/* sources: kernel/vm/swap_header.c lib/string.c lib/format.c */
/* test_swap_header.c - kernel/vm/swap_header.c on swap headers util-linux's mkswap makes
 * here on scratch files (sizes from its minimum of 10 pages to 32 MiB, with and without
 * a label), on headers this test lays out field by field (the same bytes as mkswap's,
 * then bad-page lists, labels of every length), on each refusal with its return code and
 * its message, at the boundaries (last_page at the partition's end and one past it, the
 * bad-page list full and one over), and on random damage to a good header. The page is
 * a malloc'd block of exactly 4096 bytes, so AddressSanitizer catches any read past it. */
#include "check.h"
#include "errors.h"
#include "lib.h"
#include "../../kernel/vm/swap_header.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MKSWAP_MIN_PAGES 10 /* mkswap refuses fewer */
#define LABEL "VLSOS-SWAP"
#define UUID_TEXT "564c534f-5357-4150-8000-000000000001"

static const uint8_t uuid_bytes[SWAP_UUID_SIZE] = { 0x56, 0x4c, 0x53, 0x4f, 0x53, 0x57, 0x41, 0x50,
						    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 };

static uint8_t *page; /* SWAP_PAGE_SIZE bytes, malloc'd: a read past it is ASan's */
static struct swap_header_info info;
static char error[SWAP_ERROR_MAX];

static void put32(unsigned offset, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		page[offset + i] = (uint8_t)(v >> 8 * i);
}

/* the header mkswap -p 4096 writes for PAGES pages, no label, UUID_TEXT */
static void good_header(uint32_t pages)
{
	memset(page, 0, SWAP_PAGE_SIZE);
	put32(SWAP_VERSION_OFFSET, SWAP_VERSION);
	put32(SWAP_LAST_PAGE_OFFSET, pages - 1);
	memcpy(page + SWAP_UUID_OFFSET, uuid_bytes, SWAP_UUID_SIZE);
	memcpy(page + SWAP_SIGNATURE_OFFSET, SWAP_SIGNATURE, SWAP_SIGNATURE_SIZE);
}

static void set_label(const char *label, size_t len)
{
	memset(page + SWAP_LABEL_OFFSET, 0, SWAP_LABEL_SIZE);
	memcpy(page + SWAP_LABEL_OFFSET, label, len);
}

static void set_bad_pages(const uint32_t *bad, uint32_t count)
{
	put32(SWAP_BAD_COUNT_OFFSET, count);
	for (uint32_t i = 0; i < count && i < SWAP_BAD_MAX; i++)
		put32(SWAP_BAD_LIST_OFFSET + 4 * i, bad[i]);
}

/* parses, and checks the message is one line that fits, and empty on success */
static int parse(uint32_t partition_pages)
{
	int err;

	memset(error, 'x', sizeof error);
	err = swap_header_parse(page, partition_pages, &info, error);
	CHECK_MSG(memchr(error, 0, sizeof error) != NULL, "the message is not terminated");
	error[sizeof error - 1] = 0;
	CHECK_MSG(strchr(error, '\n') == NULL, "the message has a newline: %s", error);
	CHECK_MSG(err == 0 ? error[0] == 0 : error[0] != 0, "returned %d with message '%s'", err, error);
	return err;
}

/* refused: parse fails with ERR and a message holding TEXT */
static bool refused(uint32_t partition_pages, int err, const char *text)
{
	int got = parse(partition_pages);

	return CHECK_MSG(got == err, "returned %d, want %d (%s)", got, err, error) &&
	       CHECK_MSG(strstr(error, text) != NULL, "message '%s' lacks '%s'", error, text);
}

/* ---- headers made by mkswap -------------------------------------------- */

/* mkswap -q -p 4096 -U UUID_TEXT [-L LABEL] on a scratch file of PAGES pages; its first
 * page into `page`. false when mkswap could not be run. */
static bool mkswap_header(uint32_t pages, const char *label)
{
	const char *dir = getenv("BUILD") ? getenv("BUILD") : "/tmp";
	char path[512];
	int fd, status;
	pid_t pid;

	snprintf(path, sizeof path, "%s/tmp/swap_header.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		snprintf(path, sizeof path, "/tmp/swap_header.XXXXXX");
		fd = mkstemp(path);
	}
	if (!CHECK_MSG(fd >= 0, "no scratch file") ||
	    !CHECK(ftruncate(fd, (off_t)pages * SWAP_PAGE_SIZE) == 0)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	pid = fork();
	if (pid == 0) {
		const char *argv[] = { "mkswap", "-q",      "-p", "4096",
				       "-U",     UUID_TEXT, path, label ? "-L" : NULL,
				       label,    NULL };
		/* util-linux's system tools live in sbin, often off PATH */
		execv("/usr/sbin/mkswap", (char *const *)argv);
		execv("/sbin/mkswap", (char *const *)argv);
		execvp("mkswap", (char *const *)argv);
		_exit(127);
	}
	bool ran =
		CHECK(pid > 0) && CHECK(waitpid(pid, &status, 0) == pid) &&
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "mkswap failed (status 0x%x; 127: not found, install util-linux)", status) &&
		CHECK(pread(fd, page, SWAP_PAGE_SIZE, 0) == SWAP_PAGE_SIZE);
	close(fd);
	unlink(path);
	return ran;
}

static void check_mkswap_size(uint32_t pages, const char *label)
{
	if (!mkswap_header(pages, label) || !CHECK_EQ_INT(parse(pages), 0))
		return;
	CHECK_EQ_UINT(info.last_page, pages - 1);
	CHECK_EQ_UINT(info.pages, pages - 1);
	CHECK_EQ_UINT(info.bad_pages, 0);
	CHECK_EQ_STR(info.label, label ? label : "");
	CHECK_EQ_MEM(info.uuid, uuid_bytes, SWAP_UUID_SIZE);
}

static void test_mkswap_sizes(void)
{
	check_mkswap_size(MKSWAP_MIN_PAGES, NULL);
	check_mkswap_size(4099, LABEL);
	check_mkswap_size(8192, LABEL); /* the image's 32 MiB */
	check_mkswap_size(300, "fifteen-chars15");
}

/* what this test lays out is what mkswap writes, byte for byte */
static void test_layout_is_mkswaps(void)
{
	static uint8_t made[SWAP_PAGE_SIZE];

	if (!mkswap_header(4099, LABEL))
		return;
	memcpy(made, page, sizeof made);
	good_header(4099);
	set_label(LABEL, strlen(LABEL));
	CHECK_EQ_MEM(page, made, SWAP_PAGE_SIZE);
}

/* the partition may be larger than the area mkswap made, never smaller */
static void test_partition_larger(void)
{
	if (!mkswap_header(100, NULL))
		return;
	CHECK_EQ_INT(parse(101), 0);
	CHECK_EQ_INT(parse(0xFFFFFFFFu), 0);
	CHECK_EQ_UINT(info.pages, 99);
	refused(99, ERR_RANGE, "last_page 99 is beyond the partition (99 pages: slots 1..98 at most)");
}

/* ---- headers laid out here ---------------------------------------------- */

static void test_bad_pages_sorted(void)
{
	const uint32_t bad[] = { 500, 2, 999, 1, 77 };
	const uint32_t sorted[] = { 1, 2, 77, 500, 999 };

	good_header(1000);
	set_bad_pages(bad, 5);
	if (!CHECK_EQ_INT(parse(1000), 0))
		return;
	CHECK_EQ_UINT(info.bad_pages, 5);
	CHECK_EQ_UINT(info.pages, 999 - 5);
	CHECK_EQ_MEM(info.bad, sorted, sizeof sorted);
}

static void test_bad_pages_full(void)
{
	static uint32_t bad[SWAP_BAD_MAX + 1];

	for (uint32_t i = 0; i <= SWAP_BAD_MAX; i++)
		bad[i] = SWAP_BAD_MAX + 1 - i; /* descending: the sort's worst case */
	good_header(2000);
	set_bad_pages(bad, SWAP_BAD_MAX);
	CHECK_EQ_UINT(SWAP_BAD_MAX, 637);
	if (!CHECK_EQ_INT(parse(2000), 0))
		return;
	CHECK_EQ_UINT(info.bad_pages, SWAP_BAD_MAX);
	CHECK_EQ_UINT(info.bad[0], 2);
	CHECK_EQ_UINT(info.bad[SWAP_BAD_MAX - 1], SWAP_BAD_MAX + 1);
	put32(SWAP_BAD_COUNT_OFFSET, SWAP_BAD_MAX + 1);
	refused(2000, ERR_CORRUPT, "638 bad pages listed: the header holds at most 637");
	put32(SWAP_BAD_COUNT_OFFSET, 0xFFFFFFFFu);
	refused(2000, ERR_CORRUPT, "4294967295 bad pages listed");
}

static void test_bad_page_range(void)
{
	uint32_t bad[2] = { 3, 0 };

	good_header(10); /* slots 1..9 */
	set_bad_pages(bad, 2);
	refused(10, ERR_CORRUPT, "bad page 0 (entry 2 of the list) is outside the slots 1..9");
	bad[1] = 10;
	set_bad_pages(bad, 2);
	refused(10, ERR_CORRUPT, "bad page 10 (entry 2 of the list) is outside the slots 1..9");
	bad[1] = 9;
	set_bad_pages(bad, 2);
	CHECK_EQ_INT(parse(10), 0);
	CHECK_EQ_UINT(info.pages, 7);
	bad[1] = 3;
	set_bad_pages(bad, 2);
	refused(10, ERR_CORRUPT, "bad page 3 is listed twice");
}

static void test_all_bad(void)
{
	const uint32_t bad[] = { 2, 1 };

	good_header(3);
	set_bad_pages(bad, 2);
	refused(3, ERR_CORRUPT, "all 2 slots are listed as bad");
	set_bad_pages(bad, 1);
	CHECK_EQ_INT(parse(3), 0);
	CHECK_EQ_UINT(info.pages, 1);
}

static void test_labels(void)
{
	good_header(20);
	set_label("ABCDEFGHIJKLMNOP", 16); /* the whole field, no NUL: still read */
	CHECK_EQ_INT(parse(20), 0);
	CHECK_EQ_STR(info.label, "ABCDEFGHIJKLMNOP");
	set_label("a\nb\x1b[2J\x80", 8);
	CHECK_EQ_INT(parse(20), 0);
	CHECK_EQ_STR(info.label, "a?b?[2J?");
	set_label("", 0);
	page[SWAP_LABEL_OFFSET + 5] = 'X'; /* after the NUL: not part of it */
	CHECK_EQ_INT(parse(20), 0);
	CHECK_EQ_STR(info.label, "");
}

/* ---- refusals ------------------------------------------------------------ */

static void test_not_swap(void)
{
	memset(page, 0, SWAP_PAGE_SIZE);
	refused(100, ERR_CORRUPT, "no swap signature \"SWAPSPACE2\" at the end of the first 4 KiB");
	good_header(100);
	memcpy(page + SWAP_SIGNATURE_OFFSET, SWAP_SIGNATURE_V0, SWAP_SIGNATURE_SIZE);
	refused(100, ERR_CORRUPT, "old swap format (version 0, \"SWAP-SPACE\"): not supported");
	good_header(100);
	page[SWAP_PAGE_SIZE - 1] = '3';
	refused(100, ERR_CORRUPT, "no swap signature");
	/* the signature where 64 KiB pages would leave it is not at 4086 */
	good_header(100);
	memset(page + SWAP_SIGNATURE_OFFSET, 0, SWAP_SIGNATURE_SIZE);
	refused(100, ERR_CORRUPT, "or made for other pages");
}

static void test_version(void)
{
	good_header(100);
	put32(SWAP_VERSION_OFFSET, 2);
	refused(100, ERR_CORRUPT, "swap version 2: only version 1 is supported");
	put32(SWAP_VERSION_OFFSET, 0);
	refused(100, ERR_CORRUPT, "swap version 0: only version 1");
	put32(SWAP_VERSION_OFFSET, 0x01000000u);
	refused(100, ERR_CORRUPT, "swap version field 0x01000000: a big-endian machine's swap area");
}

static void test_last_page(void)
{
	good_header(100);
	put32(SWAP_LAST_PAGE_OFFSET, 0);
	refused(100, ERR_CORRUPT, "last_page 0: the swap area has no slot");
	put32(SWAP_LAST_PAGE_OFFSET, 100);
	refused(100, ERR_RANGE,
		"last_page 100 is beyond the partition (100 pages: slots 1..99 at most)");
	put32(SWAP_LAST_PAGE_OFFSET, 0xFFFFFFFFu);
	refused(100, ERR_RANGE, "last_page 4294967295 is beyond the partition");
	put32(SWAP_LAST_PAGE_OFFSET, 99);
	CHECK_EQ_INT(parse(100), 0);
	put32(SWAP_LAST_PAGE_OFFSET, 1); /* the smallest area: one slot */
	CHECK_EQ_INT(parse(2), 0);
	CHECK_EQ_UINT(info.pages, 1);
}

static void test_arguments(void)
{
	good_header(100);
	refused(1, ERR_INVAL, "a partition of 1 pages has no room for swap");
	refused(0, ERR_INVAL, "a partition of 0 pages");
	CHECK_EQ_INT(swap_header_parse(NULL, 100, &info, error), ERR_INVAL);
	CHECK(strstr(error, "no page") != NULL);
	CHECK_EQ_INT(swap_header_parse(page, 100, NULL, error), ERR_INVAL);
	CHECK_EQ_INT(swap_header_parse(page, 100, &info, NULL), ERR_INVAL);
	CHECK_EQ_INT(swap_header_parse(page, 100, &info, error), 0);
}

/* ---- random damage ------------------------------------------------------- */

/* what an accepted header promises the swap code */
static const char *broken_promise(uint32_t partition_pages)
{
	if (info.last_page < 1 || info.last_page >= partition_pages)
		return "last_page outside 1..partition_pages-1";
	if (info.bad_pages > SWAP_BAD_MAX || info.pages != info.last_page - info.bad_pages ||
	    info.pages == 0)
		return "the counts do not add up";
	for (uint32_t i = 0; i < info.bad_pages; i++)
		if (info.bad[i] < 1 || info.bad[i] > info.last_page ||
		    (i > 0 && info.bad[i] <= info.bad[i - 1]))
			return "the bad pages are not ascending within the slots";
	if (memchr(info.label, 0, sizeof info.label) == NULL)
		return "the label is not terminated";
	for (const char *c = info.label; *c; c++)
		if (*c < ' ' || *c > '~')
			return "the label has an unprintable byte";
	return NULL;
}

static void test_random_damage(void)
{
	/* where damage tells: the fields, the start of the bad-page list, the signature */
	static const unsigned spots[][2] = { { SWAP_VERSION_OFFSET, SWAP_LABEL_OFFSET + 16 },
					     { SWAP_BAD_LIST_OFFSET, SWAP_BAD_LIST_OFFSET + 64 },
					     { SWAP_SIGNATURE_OFFSET, SWAP_PAGE_SIZE } };
	unsigned accepts = 0;

	for (int round = 0; round < 50000; round++) {
		uint32_t partition_pages = 2 + (uint32_t)check_rand_below(5000);
		uint32_t bad[8];
		uint32_t nbad = (uint32_t)check_rand_below(8);
		int err;

		for (uint32_t i = 0; i < nbad; i++)
			bad[i] = 1 + (uint32_t)check_rand_below(partition_pages);
		good_header(partition_pages);
		set_bad_pages(bad, nbad);
		for (uint64_t n = check_rand_below(4); n > 0; n--) {
			const unsigned *spot = spots[check_rand_below(3)];
			unsigned at = spot[0] + (unsigned)check_rand_below(spot[1] - spot[0]);

			page[at] = (uint8_t)check_rand();
		}
		if (check_rand_below(8) == 0) /* a partition smaller than the header says */
			partition_pages = (uint32_t)check_rand_below(partition_pages + 1);
		err = parse(partition_pages);
		if (!CHECK_MSG(err == 0 || err == ERR_CORRUPT || err == ERR_RANGE || err == ERR_INVAL,
			       "returned %d", err))
			return;
		if (err == 0) {
			const char *broken = broken_promise(partition_pages);

			accepts++;
			if (!CHECK_MSG(broken == NULL, "accepted, but %s", broken))
				return;
		}
	}
	CHECK_MSG(accepts > 1000, "only %u damaged headers accepted", accepts);
}

int main(void)
{
	check_seed(16);
	page = malloc(SWAP_PAGE_SIZE);
	if (!page)
		return 1;
	RUN(test_mkswap_sizes);
	RUN(test_layout_is_mkswaps);
	RUN(test_partition_larger);
	RUN(test_bad_pages_sorted);
	RUN(test_bad_pages_full);
	RUN(test_bad_page_range);
	RUN(test_all_bad);
	RUN(test_labels);
	RUN(test_not_swap);
	RUN(test_version);
	RUN(test_last_page);
	RUN(test_arguments);
	RUN(test_random_damage);
	free(page);
	return check_done();
}
