/* ubsan.c: the handlers clang's -fsanitize=undefined calls in the test kernel
 * (build.sh builds kernel-test with -DVLSOS_UBSAN; the other kernels get only
 * the stubs at the end). The data layouts are the compiler's side of the
 * interface, as compiler-rt declares them (lib/ubsan/ubsan_handlers.h,
 * ubsan_value.h). Every report is one "UBSAN: <kind> at <file>:<line>:<col>"
 * line and one line of values; the kernel then goes on, except for
 * __builtin_unreachable, which has nothing to go on to. */
#include "ubsan.h"
#include "kernel.h"
#include "lib.h"

#ifdef VLSOS_UBSAN

/* The runtime must not check itself: a report from inside a report would
 * recurse. Code it calls (kprintf) is checked; `reporting` stops the loop. */
#pragma clang attribute push(__attribute__((no_sanitize("undefined"))), apply_to = function)

struct source_location {
	const char *file;
	uint32_t line;
	uint32_t column; /* COLUMN_REPORTED once reported, as compiler-rt marks it */
};

struct type_descriptor {
	uint16_t kind; /* TYPE_KIND_* */
	uint16_t info; /* integers: bit 0 signed, bits 1-15 log2 of the bit width */
	char name[];   /* quoted as the source spells it, e.g. "'int'" */
};

#define TYPE_KIND_INTEGER 0
#define COLUMN_REPORTED 0xFFFFFFFFu

struct type_mismatch_data {
	struct source_location loc;
	const struct type_descriptor *type;
	uint8_t log_alignment;
	uint8_t type_check_kind; /* index into type_check_kinds */
};

struct overflow_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

struct shift_out_of_bounds_data {
	struct source_location loc;
	const struct type_descriptor *lhs_type, *rhs_type;
};

struct out_of_bounds_data {
	struct source_location loc;
	const struct type_descriptor *array_type, *index_type;
};

struct unreachable_data {
	struct source_location loc;
};

struct invalid_value_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

struct pointer_overflow_data {
	struct source_location loc;
};

struct nonnull_arg_data {
	struct source_location loc, attr_loc;
	int arg_index;
};

struct vla_bound_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

struct invalid_builtin_data {
	struct source_location loc;
	uint8_t kind; /* 0: ctz, 1: clz */
};

/* compiler-rt's TypeCheckKind order */
static const char *const type_check_kinds[] = {
	"load of",
	"store to",
	"reference binding to",
	"member access within",
	"member call on",
	"constructor call on",
	"downcast of",
	"downcast of",
	"upcast of",
	"cast to virtual base of",
	"_Nonnull binding to",
	"dynamic operation on",
};

static unsigned report_count;
static struct ubsan_report last;
static bool reporting;

/* Starts a report unless this location was reported already (a loop would
 * repeat it without end) or a report is under way; false means stay quiet. */
static bool begin(struct source_location *loc, const char *kind)
{
	if (reporting || loc->column == COLUMN_REPORTED)
		return false;
	reporting = true;
	last.kind = kind;
	last.file = loc->file;
	last.line = loc->line;
	last.column = loc->column;
	loc->column = COLUMN_REPORTED;
	report_count++;
	kprintf("UBSAN: %s at %s:%u:%u\n", kind, last.file, (unsigned)last.line, (unsigned)last.column);
	return true;
}

static void end(void)
{
	reporting = false;
}

static unsigned bit_width(const struct type_descriptor *type)
{
	return 1u << (type->info >> 1);
}

static bool is_signed(const struct type_descriptor *type)
{
	return type->kind == TYPE_KIND_INTEGER && (type->info & 1);
}

/* A value too wide for a pointer-sized handle is passed by address. */
static int64_t value_of(const struct type_descriptor *type, uintptr_t handle)
{
	unsigned width = bit_width(type);

	if (width > 8 * sizeof(uintptr_t))
		return *(const int64_t *)handle;
	if (!is_signed(type))
		return (int64_t)(uint64_t)handle;
	if (width == 32)
		return (int32_t)handle;
	if (width == 16)
		return (int16_t)handle;
	if (width == 8)
		return (int8_t)handle;
	return (int64_t)handle;
}

static bool is_negative(const struct type_descriptor *type, uintptr_t handle)
{
	return is_signed(type) && value_of(type, handle) < 0;
}

/* prints an integer as the type says (decimal), anything else in hex */
static void print_value(const struct type_descriptor *type, uintptr_t handle)
{
	if (type->kind != TYPE_KIND_INTEGER)
		kprintf("0x%08x", (unsigned)handle);
	else if (is_signed(type))
		kprintf("%lld", (long long)value_of(type, handle));
	else
		kprintf("%llu", (unsigned long long)value_of(type, handle));
}

void __ubsan_handle_type_mismatch_v1(struct type_mismatch_data *data, uintptr_t ptr)
{
	uint32_t alignment = 1u << data->log_alignment;
	const char *what = data->type_check_kind < sizeof(type_check_kinds) / sizeof(type_check_kinds[0])
				   ? type_check_kinds[data->type_check_kind]
				   : "access to";

	if (ptr == 0) {
		if (!begin(&data->loc, "null pointer access"))
			return;
		kprintf("  %s null pointer of type %s\n", what, data->type->name);
	} else if (ptr & (alignment - 1)) {
		if (!begin(&data->loc, "misaligned access"))
			return;
		kprintf("  %s address 0x%08x with alignment %u for type %s, which needs %u\n", what,
			(unsigned)ptr, (unsigned)(ptr & -ptr), data->type->name, (unsigned)alignment);
	} else {
		if (!begin(&data->loc, "object too small"))
			return;
		kprintf("  %s address 0x%08x with too little space for an object of type %s\n", what,
			(unsigned)ptr, data->type->name);
	}
	end();
}

static void overflow(struct overflow_data *data, uintptr_t lhs, uintptr_t rhs, char op)
{
	if (!begin(&data->loc,
		   is_signed(data->type) ? "signed integer overflow" : "unsigned integer overflow"))
		return;
	kprintf("  ");
	print_value(data->type, lhs);
	kprintf(" %c ", op);
	print_value(data->type, rhs);
	kprintf(" cannot be represented in type %s\n", data->type->name);
	end();
}

void __ubsan_handle_add_overflow(struct overflow_data *data, uintptr_t lhs, uintptr_t rhs)
{
	overflow(data, lhs, rhs, '+');
}

void __ubsan_handle_sub_overflow(struct overflow_data *data, uintptr_t lhs, uintptr_t rhs)
{
	overflow(data, lhs, rhs, '-');
}

void __ubsan_handle_mul_overflow(struct overflow_data *data, uintptr_t lhs, uintptr_t rhs)
{
	overflow(data, lhs, rhs, '*');
}

void __ubsan_handle_negate_overflow(struct overflow_data *data, uintptr_t old)
{
	if (!begin(&data->loc, "signed integer overflow"))
		return;
	kprintf("  negation of ");
	print_value(data->type, old);
	kprintf(" cannot be represented in type %s\n", data->type->name);
	end();
}

void __ubsan_handle_divrem_overflow(struct overflow_data *data, uintptr_t lhs, uintptr_t rhs)
{
	if (value_of(data->type, rhs) == 0) {
		if (!begin(&data->loc, "division by zero"))
			return;
		kprintf("  ");
		print_value(data->type, lhs);
		kprintf(" divided by zero\n");
	} else {
		if (!begin(&data->loc, "signed integer overflow"))
			return;
		kprintf("  ");
		print_value(data->type, lhs);
		kprintf(" / ");
		print_value(data->type, rhs);
		kprintf(" cannot be represented in type %s\n", data->type->name);
	}
	end();
}

void __ubsan_handle_shift_out_of_bounds(struct shift_out_of_bounds_data *data, uintptr_t lhs,
					uintptr_t rhs)
{
	if (!begin(&data->loc, "shift out of bounds"))
		return;
	kprintf("  ");
	if (is_negative(data->rhs_type, rhs)) {
		kprintf("shift exponent ");
		print_value(data->rhs_type, rhs);
		kprintf(" is negative\n");
	} else if ((uint64_t)value_of(data->rhs_type, rhs) >= bit_width(data->lhs_type)) {
		kprintf("shift exponent ");
		print_value(data->rhs_type, rhs);
		kprintf(" is too large for %u-bit type %s\n", bit_width(data->lhs_type),
			data->lhs_type->name);
	} else if (is_negative(data->lhs_type, lhs)) {
		kprintf("left shift of negative value ");
		print_value(data->lhs_type, lhs);
		kprintf("\n");
	} else {
		kprintf("left shift of ");
		print_value(data->lhs_type, lhs);
		kprintf(" by ");
		print_value(data->rhs_type, rhs);
		kprintf(" places cannot be represented in type %s\n", data->lhs_type->name);
	}
	end();
}

void __ubsan_handle_out_of_bounds(struct out_of_bounds_data *data, uintptr_t index)
{
	if (!begin(&data->loc, "array index out of bounds"))
		return;
	kprintf("  index ");
	print_value(data->index_type, index);
	kprintf(" is out of range for type %s\n", data->array_type->name);
	end();
}

void __ubsan_handle_load_invalid_value(struct invalid_value_data *data, uintptr_t value)
{
	if (!begin(&data->loc, "invalid value"))
		return;
	kprintf("  load of value ");
	print_value(data->type, value);
	kprintf(", which is not a valid value for type %s\n", data->type->name);
	end();
}

void __ubsan_handle_pointer_overflow(struct pointer_overflow_data *data, uintptr_t base,
				     uintptr_t result)
{
	if (!begin(&data->loc, "pointer overflow"))
		return;
	if (base == 0 && result == 0)
		kprintf("  applying zero offset to null pointer\n");
	else if (base == 0)
		kprintf("  applying non-zero offset 0x%08x to null pointer\n", (unsigned)result);
	else
		kprintf("  pointer arithmetic on 0x%08x gives 0x%08x, which wraps\n", (unsigned)base,
			(unsigned)result);
	end();
}

void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *data)
{
	if (!begin(&data->loc, "null pointer argument"))
		return;
	kprintf("  null pointer passed as argument %d, which is declared never null\n", data->arg_index);
	end();
}

void __ubsan_handle_vla_bound_not_positive(struct vla_bound_data *data, uintptr_t bound)
{
	if (!begin(&data->loc, "variable-length array bound not positive"))
		return;
	kprintf("  bound ");
	print_value(data->type, bound);
	kprintf("\n");
	end();
}

void __ubsan_handle_invalid_builtin(struct invalid_builtin_data *data)
{
	if (!begin(&data->loc, "invalid builtin use"))
		return;
	kprintf("  passing zero to %s, which is not a valid argument\n", data->kind ? "clz" : "ctz");
	end();
}

void __attribute__((noreturn)) __ubsan_handle_builtin_unreachable(struct unreachable_data *data)
{
	begin(&data->loc, "unreachable code reached");
	panic("UBSAN: execution reached __builtin_unreachable() at %s:%u", data->loc.file,
	      (unsigned)data->loc.line);
}

#pragma clang attribute pop

bool ubsan_enabled(void)
{
	return true;
}

#else /* kernels without -fsanitize=undefined: nothing can report */

bool ubsan_enabled(void)
{
	return false;
}

static const struct ubsan_report last;
static const unsigned report_count;

#endif

unsigned ubsan_report_count(void)
{
	return report_count;
}

const struct ubsan_report *ubsan_last_report(void)
{
	return &last;
}
