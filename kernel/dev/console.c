/* console.c: the kernel's console is every output device at once, so a line on
 * the screen is also in the serial log the tests read. It also keeps a copy of
 * the boot report, from the first line to "VlsOs ready", for `bootlog`: the
 * screen's scrollback has a limit and COM1 may have no one listening. */
#include "dev.h"
#include "lib.h"

#define BOOT_REPORT_MAX (32 * 1024)

static char boot_report[BOOT_REPORT_MAX];
static uint32_t boot_report_len;
static bool capturing = true;
static uint64_t boot_report_lost;

void console_init(uint16_t com1_port, unsigned cursor_row, unsigned cursor_col)
{
	serial_init(com1_port);
	vga_init(cursor_row, cursor_col);
	kprintf_set_output(console_write);
}

void console_write(const char *s, size_t n)
{
	if (capturing) {
		size_t room = BOOT_REPORT_MAX - boot_report_len, take = n < room ? n : room;
		memcpy(boot_report + boot_report_len, s, take);
		boot_report_len += (uint32_t)take;
		boot_report_lost += n - take;
	}
	serial_write(s, n);
	vga_write(s, n);
}

void console_end_boot_report(void)
{
	capturing = false;
	if (boot_report_lost)
		kprintf("console: the boot report's copy lost its last %llu bytes\n",
			(unsigned long long)boot_report_lost);
}

uint32_t console_boot_report(uint32_t offset, const char **text)
{
	*text = boot_report + (offset < boot_report_len ? offset : boot_report_len);
	return offset < boot_report_len ? boot_report_len - offset : 0;
}
