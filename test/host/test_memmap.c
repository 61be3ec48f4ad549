/* uses: kernel/mm */
/* test_memmap.c: the kernel's E820 questions on maps QEMU gives (the -m 2,
 * -m 64 and -m 3584 maps) and on overlapping, unsorted,
 * zero-length ones, checked against a byte-granular model. */
#include "check.h"
#include "../../kernel/mm/mm.h"

#define U E820_USABLE
#define R E820_RESERVED

static const struct e820_entry qemu_64m[] = {
	{ 0x0, 0x9FC00, U, 1 },        { 0x9FC00, 0x400, R, 1 },     { 0xF0000, 0x10000, R, 1 },
	{ 0x100000, 0x3EE0000, U, 1 }, { 0x3FE0000, 0x20000, R, 1 }, { 0xFFFC0000, 0x40000, R, 1 },
};
static const struct e820_entry qemu_2m[] = {
	{ 0x0, 0x9FC00, U, 1 },      { 0x9FC00, 0x400, R, 1 },    { 0xF0000, 0x10000, R, 1 },
	{ 0x100000, 0xE0000, U, 1 }, { 0x1E0000, 0x20000, R, 1 }, { 0xFFFC0000, 0x40000, R, 1 },
};
static const struct e820_entry above_4g[] = {
	{ 0x100000, 0x7FEDF000, U, 1 },
	{ 0x100000000ull, 0x60000000ull, U, 1 },
};

static void heap_is_usable_with_64m(void)
{
	CHECK(memmap_range_usable(qemu_64m, 6, 0x200000, 0x300000));
	CHECK_EQ_UINT(memmap_usable_total(qemu_64m, 6), 0x9FC00 + 0x3EE0000);
	CHECK_EQ_UINT(memmap_usable_end(qemu_64m, 6, 0x100000), 0x3FE0000);
}

static void heap_is_not_usable_with_2m(void)
{
	CHECK(!memmap_range_usable(qemu_2m, 6, 0x200000, 0x300000));
	CHECK(memmap_range_usable(qemu_2m, 6, 0x100000, 0x1E0000));
	CHECK_EQ_UINT(memmap_usable_end(qemu_2m, 6, 0x100000), 0x1E0000);
}

static void ram_above_4g_counts(void)
{
	CHECK_EQ_UINT(memmap_usable_total(above_4g, 2), 0x7FEDF000ull + 0x60000000ull);
	CHECK(memmap_range_usable(above_4g, 2, 0x100000000ull, 0x100001000ull));
}

static void reserved_wins_over_usable(void)
{
	const struct e820_entry map[] = { { 0x1000, 0x9000, U, 1 }, { 0x4000, 0x1000, R, 1 } };
	CHECK(!memmap_range_usable(map, 2, 0x3000, 0x5000));
	CHECK(memmap_range_usable(map, 2, 0x1000, 0x4000));
	CHECK_EQ_UINT(memmap_usable_total(map, 2), 0x8000);
}

static void empty_range_is_not_usable(void)
{
	CHECK(!memmap_range_usable(qemu_64m, 6, 0x200000, 0x200000));
	CHECK(!memmap_range_usable(qemu_64m, 0, 0x200000, 0x300000));
	CHECK_EQ_STR(memmap_type_name(3), "ACPI reclaimable");
	CHECK_EQ_STR(memmap_type_name(77), "unknown type");
}

/* model: a byte map of 64 KiB, entries on 256-byte units */
#define MODEL_BYTES 0x10000
static void random_maps_match_byte_model(void)
{
	static unsigned char usable[MODEL_BYTES], reserved[MODEL_BYTES];
	for (int round = 0; round < 300; round++) {
		struct e820_entry map[8];
		unsigned n = 1 + (unsigned)check_rand_below(8);
		memset(usable, 0, sizeof usable);
		memset(reserved, 0, sizeof reserved);
		for (unsigned i = 0; i < n; i++) {
			uint64_t base = check_rand_below(MODEL_BYTES / 256) * 256;
			uint64_t len = check_rand_below((MODEL_BYTES - base) / 256 + 1) * 256;
			uint32_t type = check_rand_below(3) ? U : R;
			map[i] = (struct e820_entry){ base, len, type, 1 };
			memset((type == U ? usable : reserved) + base, 1, len);
		}
		uint64_t total = 0;
		for (unsigned b = 0; b < MODEL_BYTES; b++)
			total += usable[b] && !reserved[b];
		if (!CHECK_EQ_UINT(memmap_usable_total(map, n), total))
			return;
		uint64_t s = check_rand_below(MODEL_BYTES),
			 e = s + 1 + check_rand_below(MODEL_BYTES - s);
		bool want = true;
		for (uint64_t b = s; b < e; b++)
			want &= usable[b] && !reserved[b];
		if (!CHECK_MSG(memmap_range_usable(map, n, s, e) == want, "round %d [%#llx,%#llx)",
			       round, (unsigned long long)s, (unsigned long long)e))
			return;
	}
}

static void sanitize_sorts_merges_and_resolves(void)
{
	const struct e820_entry messy[] = {
		{ 0x100000, 0x100000, U, 1 },                       /* unsorted */
		{ 0x0, 0x9FC00, U, 1 },       { 0x50000, 0, R, 1 }, /* zero length */
		{ 0x180000, 0x1000, R, 1 },                         /* reserved inside usable */
		{ 0x200000, 0x100000, U, 1 },                       /* touches the first: merges */
		{ 0x9F000, 0x2000, R, 1 },                          /* overlaps the end of low memory */
	};
	struct e820_entry out[MEMMAP_SANITIZED_MAX];
	unsigned n = memmap_sanitize(messy, 6, out, MEMMAP_SANITIZED_MAX);
	const struct e820_entry want[] = {
		{ 0x0, 0x9F000, U, 1 },     { 0x9F000, 0x2000, R, 1 },    { 0x100000, 0x80000, U, 1 },
		{ 0x180000, 0x1000, R, 1 }, { 0x181000, 0x17F000, U, 1 },
	};
	if (!CHECK_EQ_UINT(n, 5))
		return;
	for (unsigned i = 0; i < n; i++)
		CHECK_MSG(out[i].base == want[i].base && out[i].length == want[i].length &&
				  out[i].type == want[i].type,
			  "entry %u: %#llx+%#llx type %u", i, (unsigned long long)out[i].base,
			  (unsigned long long)out[i].length, out[i].type);
}

static void sanitize_keeps_ram_above_4g_and_drops_wrapping(void)
{
	const struct e820_entry map[] = {
		{ 0x100000000ull, 0x60000000ull, U, 1 },
		{ 0xFFFFFFFFFFFFF000ull, 0x2000, U, 1 }, /* wraps past 2^64 */
	};
	struct e820_entry out[4];
	CHECK_EQ_UINT(memmap_sanitize(map, 2, out, 4), 1);
	CHECK_EQ_UINT(out[0].base, 0x100000000ull);
}

static void sanitize_matches_byte_model(void)
{
	static unsigned char model[MODEL_BYTES];
	for (int round = 0; round < 300; round++) {
		struct e820_entry map[10], out[MEMMAP_SANITIZED_MAX];
		unsigned n = 1 + (unsigned)check_rand_below(10);
		memset(model, 0, sizeof model);
		for (unsigned i = 0; i < n; i++) {
			uint64_t base = check_rand_below(MODEL_BYTES / 256) * 256;
			uint64_t len = check_rand_below((MODEL_BYTES - base) / 256 + 1) * 256;
			uint32_t type = 1 + (uint32_t)check_rand_below(5);
			map[i] = (struct e820_entry){ base, len, type, 1 };
			for (uint64_t b = base; b < base + len; b++)
				if (type > model[b])
					model[b] = (unsigned char)type;
		}
		unsigned m = memmap_sanitize(map, n, out, MEMMAP_SANITIZED_MAX);
		static unsigned char got[MODEL_BYTES];
		memset(got, 0, sizeof got);
		bool sorted = true;
		for (unsigned i = 0; i < m; i++) {
			if (i && out[i].base < out[i - 1].base + out[i - 1].length)
				sorted = false;
			if (i && out[i].type == out[i - 1].type &&
			    out[i].base == out[i - 1].base + out[i - 1].length)
				sorted = false; /* should have merged */
			for (uint64_t b = out[i].base; b < out[i].base + out[i].length; b++)
				got[b] = (unsigned char)out[i].type;
		}
		if (!CHECK_MSG(sorted, "round %d: output overlaps, is unsorted or unmerged", round))
			return;
		if (!CHECK_EQ_MEM(got, model, sizeof model))
			return;
	}
}

int main(void)
{
	check_seed(4242);
	RUN(heap_is_usable_with_64m);
	RUN(heap_is_not_usable_with_2m);
	RUN(ram_above_4g_counts);
	RUN(reserved_wins_over_usable);
	RUN(empty_range_is_not_usable);
	RUN(random_maps_match_byte_model);
	RUN(sanitize_sorts_merges_and_resolves);
	RUN(sanitize_keeps_ram_above_4g_and_drops_wrapping);
	RUN(sanitize_matches_byte_model);
	return check_done();
}
