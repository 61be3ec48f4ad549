/* test_input.c: the console's input. The keyboard's translation is fed
 * scancodes directly (the bytes IRQ 1 would read); the ring's bounds are
 * filled past. And `input=N` on the command line waits (60 s at most) for N
 * bytes from the real keyboard and COM1 and prints them, for the boot test
 * that types them (test/boot/test_input.sh). */
#include "ktest.h"
#include "../arch/arch.h"
#include "../dev/dev.h"
#include "../kernel.h"
#include "lib.h"

#define RING_BYTES 256 /* input.c's INPUT_RING */
#define WAIT_NS (60ull * 1000000000ull)

static void drain(void)
{
	while (input_get() >= 0)
		;
}

/* feeds press (and release) codes, returns what came out */
static void type(const uint8_t *codes, unsigned n, char *out, unsigned size)
{
	unsigned got = 0;
	int c;

	drain();
	for (unsigned i = 0; i < n; i++)
		keyboard_scancode(codes[i]);
	while ((c = input_get()) >= 0 && got + 1 < size)
		out[got++] = (char)c;
	out[got] = 0;
}

static void keys_become_bytes(struct ktest *t)
{
	/* h i, Shift+1, Caps a Caps, Shift+a, Enter */
	static const uint8_t codes[] = { 0x23, 0xA3, 0x17, 0x97, 0x2A, 0x02, 0x82, 0xAA, 0x3A, 0xBA,
					 0x1E, 0x9E, 0x3A, 0xBA, 0x2A, 0x1E, 0x9E, 0xAA, 0x1C, 0x9C };
	char out[32];

	type(codes, sizeof(codes), out, sizeof(out));
	EXPECT(t, strcmp(out, "hi!AA\n") == 0);
}

static void ctrl_and_arrows(struct ktest *t)
{
	/* Ctrl+C, Ctrl+D, Up, PgDn, right Ctrl+U */
	static const uint8_t codes[] = { 0x1D, 0x2E, 0xAE, 0x20, 0xA0, 0x9D, 0xE0, 0x48, 0xE0, 0xC8,
					 0xE0, 0x51, 0xE0, 0xD1, 0xE0, 0x1D, 0x16, 0x96, 0xE0, 0x9D };
	char out[32];

	type(codes, sizeof(codes), out, sizeof(out));
	EXPECT(t, strcmp(out, "\x03\x04\x1b[A\x1b[6~\x15") == 0);
}

static void a_flood_drops_bytes_not_memory(struct ktest *t)
{
	uint64_t dropped = input_dropped();
	unsigned got = 0;

	drain();
	for (unsigned i = 0; i < RING_BYTES + 100; i++)
		input_put('x');
	while (input_get() >= 0)
		got++;
	EXPECT_EQ(t, got, RING_BYTES);
	EXPECT_EQ(t, input_dropped(), dropped + 100);
}

static void irqs_are_claimed(struct ktest *t)
{
	EXPECT(t, !(pic_kernel_mask() & (1u << 1))); /* keyboard */
	EXPECT(t, !(pic_kernel_mask() & (1u << 4))); /* COM1 */
}

KTEST_SUITE(input_suite, "input", KTEST_CASE(keys_become_bytes), KTEST_CASE(ctrl_and_arrows),
	    KTEST_CASE(a_flood_drops_bytes_not_memory), KTEST_CASE(irqs_are_claimed));

void input_echo_on_request(const struct boot_info *bi)
{
	char word[16];
	unsigned want = 0, got = 0;
	uint64_t deadline = clock_ns() + WAIT_NS;

	for (unsigned n = 1; n <= 64 && !want; n++) {
		snprintf(word, sizeof(word), "input=%u", n);
		if (cmdline_has(bi, word))
			want = n;
	}
	if (!want)
		return;
	kprintf("input: waiting for %u bytes\n", want);
	kprintf("input:");
	while (got < want && clock_ns() < deadline) {
		int c = input_get();
		if (c < 0) {
			__asm__ volatile("sti; hlt");
			continue;
		}
		kprintf(" %02x", (unsigned)c);
		got++;
	}
	kprintf("\ninput: %u of %u bytes, %u dropped\n", got, want, (unsigned)input_dropped());
	qemu_exit(got == want);
}
