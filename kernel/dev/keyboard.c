/* keyboard.c: the PS/2 keyboard on IRQ 1, scancode set 1 as the 8042 hands it
 * over (translated), US layout. Shift, Ctrl and Caps Lock are tracked; keys
 * become bytes on the console's input: letters, digits and punctuation,
 * Enter, Backspace, Tab, Escape, Ctrl-A..Ctrl-Z as 01h-1Ah, and the arrows
 * and PgUp/PgDn as the escape sequences a VT100 sends (ESC [ A, ESC [ 5 ~).
 * Shift+PgUp and Shift+PgDn page the screen's scrollback instead (vga.c), and
 * any other key brings the screen back to the bottom first. */
#include "dev.h"
#include "../arch/arch.h"

#define KBD_DATA 0x60
#define KBD_STATUS 0x64
#define KBD_STATUS_OUTPUT_FULL 0x01
#define KBD_IRQ 1
#define KBD_DRAIN_MAX 16 /* the 8042's buffer holds one byte; a few more for a fussy one */
#define SC_RELEASE 0x80  /* set 1: a key's release is its press with bit 7 */
#define SC_EXTENDED 0xE0 /* the next code is an extended key's */
#define SC_LSHIFT 0x2A
#define SC_RSHIFT 0x36
#define SC_CTRL 0x1D
#define SC_CAPS 0x3A
#define SC_UP 0x48 /* after E0 */
#define SC_DOWN 0x50
#define SC_LEFT 0x4B
#define SC_RIGHT 0x4D
#define SC_PGUP 0x49
#define SC_PGDN 0x51
#define ASCII_CTRL_MASK 0x1F
#define SCROLL_PAGE 24 /* rows Shift+PgUp moves: a screen, less the row kept for context */

/* set 1 make codes 00h-39h, unshifted and shifted (0: no byte) */
static const char plain[0x3A] = {
	0,    27,  '1', '2', '3', '4', '5', '6', '7', '8', '9',  '0', '-', '=',  '\b',
	'\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p',  '[', ']', '\n', 0,
	'a',  's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,   '\\', 'z',
	'x',  'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,   '*',  0,   ' ',
};
static const char shifted[0x3A] = {
	0,    27,  '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+',  '\b',
	'\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n', 0,
	'A',  'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0,   '|',  'Z',
	'X',  'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,   '*', 0,   ' ',
};

static bool shift, ctrl, caps, extended;
static uint64_t unknown; /* codes with no byte: counted, for a test to see */

static void put_string(const char *s)
{
	while (*s)
		input_put(*s++);
}

static void extended_key(uint8_t code)
{
	if (code != SC_PGUP && code != SC_PGDN && code != SC_CTRL)
		vga_scroll_to_bottom();
	switch (code) {
	case SC_UP: put_string("\x1b[A"); break;
	case SC_DOWN: put_string("\x1b[B"); break;
	case SC_RIGHT: put_string("\x1b[C"); break;
	case SC_LEFT: put_string("\x1b[D"); break;
	case SC_PGUP: shift ? vga_scroll_back(SCROLL_PAGE) : put_string("\x1b[5~"); return;
	case SC_PGDN: shift ? vga_scroll_back(-SCROLL_PAGE) : put_string("\x1b[6~"); return;
	case SC_CTRL: ctrl = true; break; /* the right Ctrl */
	default: unknown++; break;
	}
}

/* one scancode byte */
void keyboard_scancode(uint8_t code)
{
	bool release = code & SC_RELEASE;
	uint8_t key = code & ~SC_RELEASE;

	if (code == SC_EXTENDED) {
		extended = true;
		return;
	}
	if (extended) {
		extended = false;
		if (key == SC_CTRL)
			ctrl = !release;
		else if (!release)
			extended_key(key);
		return;
	}
	if (key == SC_LSHIFT || key == SC_RSHIFT) {
		shift = !release;
		return;
	}
	if (key == SC_CTRL) {
		ctrl = !release;
		return;
	}
	if (release)
		return;
	vga_scroll_to_bottom();
	if (key == SC_CAPS) {
		caps = !caps;
		return;
	}
	char c = key < sizeof(plain) ? (shift ? shifted : plain)[key] : 0;
	if (!c) {
		unknown++;
		return;
	}
	if (caps && c >= 'a' && c <= 'z' && !shift)
		c = (char)(c - 'a' + 'A');
	else if (caps && c >= 'A' && c <= 'Z' && shift)
		c = (char)(c - 'A' + 'a');
	if (ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c = (char)(c & ASCII_CTRL_MASK);
	input_put(c);
}

static void keyboard_irq(unsigned irq)
{
	(void)irq;
	if (inb(KBD_STATUS) & KBD_STATUS_OUTPUT_FULL)
		keyboard_scancode(inb(KBD_DATA));
}

void keyboard_init(void)
{
	/* what the BIOS left unread; bounded: with no 8042 (QEMU's i8042=off) the
	 * status port reads FFh for ever */
	for (unsigned i = 0; i < KBD_DRAIN_MAX && (inb(KBD_STATUS) & KBD_STATUS_OUTPUT_FULL); i++)
		(void)inb(KBD_DATA);
	irq_set_handler(KBD_IRQ, keyboard_irq);
	irq_poll_after_bios(KBD_IRQ);
}
