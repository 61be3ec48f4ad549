/* memmap.c: layer: frames (beside the stack: calls nothing else in
 * kernel/mm). Answers about the E820 map the loader recorded (ACPI 6.x 15.1).
 * Where entries overlap, anything not usable wins, as in Linux's sanitiser. */
#include "mm.h"

static bool overlaps(const struct e820_entry *e, uint64_t start, uint64_t end)
{
	return e->base < end && start < e->base + e->length;
}

static bool reserved_overlaps(const struct e820_entry *map, unsigned count, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < count; i++)
		if (map[i].type != E820_USABLE && map[i].length && overlaps(&map[i], start, end))
			return true;
	return false;
}

/* furthest end of a usable entry that contains pos, or pos when none does */
static uint64_t usable_reach(const struct e820_entry *map, unsigned count, uint64_t pos)
{
	uint64_t reach = pos;

	for (unsigned i = 0; i < count; i++) {
		uint64_t end = map[i].base + map[i].length;
		if (map[i].type == E820_USABLE && map[i].base <= pos && pos < end && end > reach)
			reach = end;
	}
	return reach;
}

bool memmap_range_usable(const struct e820_entry *map, unsigned count, uint64_t start, uint64_t end)
{
	if (start >= end || reserved_overlaps(map, count, start, end))
		return false;
	for (uint64_t pos = start; pos < end;) {
		uint64_t reach = usable_reach(map, count, pos);
		if (reach == pos)
			return false;
		pos = reach;
	}
	return true;
}

uint64_t memmap_usable_end(const struct e820_entry *map, unsigned count, uint64_t addr)
{
	uint64_t pos = addr;

	for (uint64_t reach; (reach = usable_reach(map, count, pos)) != pos;)
		pos = reach;
	return pos;
}

/* Sums usable bytes once each, however the entries overlap, minus what a
 * reserved entry also claims: a sweep over the sorted entry boundaries. */
uint64_t memmap_usable_total(const struct e820_entry *map, unsigned count)
{
	uint64_t total = 0, pos = 0;

	for (;;) {
		uint64_t next = UINT64_MAX;
		for (unsigned i = 0; i < count; i++) {
			uint64_t b = map[i].base, e = map[i].base + map[i].length;
			if (b > pos && b < next)
				next = b;
			if (e > pos && e < next)
				next = e;
		}
		if (next == UINT64_MAX)
			return total;
		if (memmap_range_usable(map, count, pos, next))
			total += next - pos;
		pos = next;
	}
}

const char *memmap_type_name(uint32_t type)
{
	return e820_type_name(type); /* lib/e820.c: the user programs name the types too */
}

static void sort_points(uint64_t *p, unsigned n)
{
	for (unsigned i = 1; i < n; i++) /* insertion sort: n <= 2 * BOOT_E820_MAX */
		for (unsigned j = i; j > 0 && p[j - 1] > p[j]; j--) {
			uint64_t t = p[j];
			p[j] = p[j - 1];
			p[j - 1] = t;
		}
}

/* the type that owns [start, end): the largest type of the entries covering it
 * (Linux's rule: usable 1 loses to anything else), 0 when none covers it */
static uint32_t owner(const struct e820_entry *map, unsigned count, uint64_t start, uint64_t end)
{
	uint32_t type = 0;

	for (unsigned i = 0; i < count; i++)
		if (map[i].length && overlaps(&map[i], start, end) && map[i].type > type)
			type = map[i].type;
	return type;
}

unsigned memmap_sanitize(const struct e820_entry *in, unsigned count, struct e820_entry *out,
			 unsigned max)
{
	uint64_t points[2 * BOOT_E820_MAX];
	unsigned n = 0, used = 0;

	for (unsigned i = 0; i < count && i < BOOT_E820_MAX; i++) {
		if (!in[i].length || in[i].base + in[i].length < in[i].base)
			continue; /* empty, or wraps past 2^64: nothing to believe */
		points[n++] = in[i].base;
		points[n++] = in[i].base + in[i].length;
	}
	sort_points(points, n);
	for (unsigned i = 0; i + 1 < n; i++) {
		uint64_t start = points[i], end = points[i + 1];
		uint32_t type = start < end ? owner(in, count, start, end) : 0;
		if (!type)
			continue;
		struct e820_entry *last = used ? &out[used - 1] : NULL;
		if (last && last->type == type && last->base + last->length == start) {
			last->length += end - start;
		} else if (used < max) {
			out[used++] = (struct e820_entry){ start, end - start, type, 1 };
		}
	}
	return used;
}
