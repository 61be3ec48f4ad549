/* format.c - printf-style formatting into a character sink, and snprintf.
 * Follows the ISO C11 7.21.6.1 rules for the subset listed in lib.h. */
#include "lib.h"

struct out {
	format_sink_fn sink;
	void *ctx;
	int count;
};

/* One parsed conversion specification. */
struct spec {
	bool left; /* '-' */
	bool zero; /* '0' */
	int width; /* 0 when absent */
	int prec;  /* negative when absent */
	char len;  /* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z' */
	char conv;
};

static void put(struct out *o, char c)
{
	o->sink(c, o->ctx);
	o->count++;
}

static void put_n(struct out *o, const char *s, size_t n)
{
	while (n-- > 0)
		put(o, *s++);
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/*
 * Divides *n by base and returns the remainder using only 32-bit divisions,
 * because the kernel links no libgcc (__udivdi3/__umoddi3).  Long division
 * in 16-bit digits: each partial dividend is below base << 16, so it fits
 * in 32 bits as long as base < 2^16.
 */
static uint32_t divmod64(uint64_t *n, uint32_t base)
{
	uint32_t hi = (uint32_t)(*n >> 32), lo = (uint32_t)*n;
	uint32_t qhi = hi / base, r = hi % base;
	uint32_t part = (r << 16) | (lo >> 16);
	uint32_t qmid = part / base;

	part = ((part % base) << 16) | (lo & 0xFFFF);
	*n = ((uint64_t)qhi << 32) | (qmid << 16) | (part / base);
	return part % base;
}

/* Writes the digits of v backwards ending at `end`; returns the count. */
static int to_digits(char *end, uint64_t v, uint32_t base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	while (v != 0) {
		*--end = digits[divmod64(&v, base)];
		n++;
	}
	return n;
}

/* Lays out [pad][prefix][zeros][digits][pad]; min_digits is the effective
 * precision, and '0' pads only when no precision was given (C 7.21.6.1). */
static void emit_number(struct out *o, const struct spec *sp, const char *prefix, uint64_t v,
			uint32_t base, int min_digits)
{
	char buf[24]; /* 2^64 needs 22 octal or 20 decimal digits */
	int nd = to_digits(buf + sizeof buf, v, base, sp->conv == 'X');
	int plen = (int)LIB_NAME(strlen)(prefix);
	int zeros = min_digits > nd ? min_digits - nd : 0;
	int fill;

	if (sp->zero && !sp->left && sp->prec < 0 && sp->width - plen - nd > zeros)
		zeros = sp->width - plen - nd;
	fill = sp->width - plen - zeros - nd;
	if (!sp->left)
		pad(o, ' ', fill);
	put_n(o, prefix, (size_t)plen);
	pad(o, '0', zeros);
	put_n(o, buf + sizeof buf - nd, (size_t)nd);
	if (sp->left)
		pad(o, ' ', fill);
}

static void emit_text(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	int fill = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!sp->left)
		pad(o, ' ', fill);
	put_n(o, s, n);
	if (sp->left)
		pad(o, ' ', fill);
}

/* Fetches an unsigned argument and truncates it to the length modifier. */
static uint64_t arg_unsigned(char len, va_list *ap)
{
	switch (len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(char len, va_list *ap)
{
	switch (len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (ptrdiff_t)va_arg(*ap, size_t); /* signed size_t */
	default: return va_arg(*ap, int);
	}
}

static void conv_integer(struct out *o, const struct spec *sp, va_list *ap)
{
	int min_digits = sp->prec >= 0 ? sp->prec : 1;
	uint32_t base = (sp->conv == 'x' || sp->conv == 'X') ? 16 : 10;
	uint64_t v;

	if (sp->conv == 'd' || sp->conv == 'i') {
		int64_t s = arg_signed(sp->len, ap);
		/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
		v = s < 0 ? 0 - (uint64_t)s : (uint64_t)s;
		emit_number(o, sp, s < 0 ? "-" : "", v, base, min_digits);
		return;
	}
	v = arg_unsigned(sp->len, ap);
	emit_number(o, sp, "", v, base, min_digits);
}

static void conv_pointer(struct out *o, const struct spec *sp, va_list *ap)
{
	/* Fixed width so addresses line up in logs: 8 digits on i386. */
	int min_digits = (int)(2 * sizeof(void *));
	uintptr_t p = (uintptr_t)va_arg(*ap, void *);

	if (sp->prec > min_digits)
		min_digits = sp->prec;
	emit_number(o, sp, "0x", p, 16, min_digits);
}

static void conv_string(struct out *o, const struct spec *sp, va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t max = sp->prec >= 0 ? (size_t)sp->prec : (size_t)-1;

	if (s == NULL)
		s = "(null)";
	emit_text(o, sp, s, LIB_NAME(strnlen)(s, max));
}

/* Returns false for an unknown conversion, which the caller prints as is. */
static bool convert(struct out *o, const struct spec *sp, va_list *ap)
{
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
	case 'u':
	case 'x':
	case 'X': conv_integer(o, sp, ap); return true;
	case 'p': conv_pointer(o, sp, ap); return true;
	case 's': conv_string(o, sp, ap); return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_text(o, sp, &c, 1);
		return true;
	case '%': put(o, '%'); return true;
	default: return false;
	}
}

/* Widths and precisions saturate here rather than overflow int. */
#define MAX_FIELD 100000000

static const char *parse_num(const char *f, int *val)
{
	int v = 0;

	for (; *f >= '0' && *f <= '9'; f++)
		v = v > MAX_FIELD ? v : v * 10 + (*f - '0');
	*val = v;
	return f;
}

/* Parses the flags and the field width; returns what follows them. */
static const char *parse_width(const char *f, struct spec *sp, va_list *ap)
{
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f != '*')
		return parse_num(f, &sp->width);
	sp->width = va_arg(*ap, int);
	if (sp->width < 0) { /* C: a negative '*' width means '-' */
		sp->left = true;
		sp->width = sp->width < -MAX_FIELD ? MAX_FIELD : -sp->width;
	}
	return f + 1;
}

/* Parses the precision digits or '*' after the '.'. */
static const char *parse_prec(const char *f, struct spec *sp, va_list *ap)
{
	if (*f != '*')
		return parse_num(f, &sp->prec); /* a bare '.' means 0 */
	sp->prec = va_arg(*ap, int);            /* negative counts as absent */
	return f + 1;
}

/* Parses one specification after the '%'; returns what follows it. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	f = parse_width(f, sp, ap);
	if (*f == '.')
		f = parse_prec(f + 1, sp, ap);
	if (*f == 'h' || *f == 'l') {
		sp->len = *f++;
		if (*f == sp->len) { /* hh -> 'H', ll -> 'L' */
			sp->len = sp->len == 'h' ? 'H' : 'L';
			f++;
		}
	} else if (*f == 'z') {
		sp->len = *f++;
	}
	sp->conv = *f;
	return *f != '\0' ? f + 1 : f;
}

int format(format_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { sink, ctx, 0 };
	struct spec sp;
	va_list args;

	/* A copy we can pass by pointer: va_list may be an array type. */
	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *start = fmt;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		if (!convert(&o, &sp, &args))
			put_n(&o, start, (size_t)(fmt - start));
	}
	va_end(args);
	return o.count;
}

struct strbuf {
	char *buf;
	size_t size;
	size_t pos;
};

static void strbuf_put(char c, void *ctx)
{
	struct strbuf *b = ctx;

	if (b->pos + 1 < b->size) /* keep the last byte for the NUL */
		b->buf[b->pos] = c;
	b->pos++;
}

int LIB_NAME(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct strbuf b = { buf, size, 0 };
	int n = format(strbuf_put, &b, fmt, ap);

	if (size > 0)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int LIB_NAME(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = LIB_NAME(vsnprintf)(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
