/* crash.c: CRASH MODE commits the one fault MODE names and must not survive
 * it; UTESTS spawns it for each and checks the status wait gives (the kernel
 * kills it with STATUS_FAULT(vector)). With no or an unknown MODE it prints
 * the modes and exits USAGE_STATUS. */
#include "ulib.h"

#define USAGE_STATUS 2
#define RAN_DATA_STATUS 99        /* exec-data/exec-stack ran its `ret`: the CPU has no NX */
#define SURVIVED_STATUS 98        /* the fault did not happen */
#define KERNEL_ADDRESS 0x00100000 /* the kernel's image (disk.img.layout's region kernel) */
#define X86_RET 0xC3

/* in .data, writable, so never executable; not static, or the compiler, seeing
 * no write, would make it a constant in .rodata */
unsigned char crash_data_code[] = { X86_RET };

static void fault_null(void)
{
	*(volatile uint32_t *)0 = 1;
}

static void fault_kernel_read(void)
{
	(void)*(volatile uint32_t *)KERNEL_ADDRESS;
}

static void fault_kernel_write(void)
{
	*(volatile uint32_t *)KERNEL_ADDRESS = 1;
}

int main(int argc, char **argv);

static void fault_text(void)
{
	*(volatile unsigned char *)(uintptr_t)main = X86_RET;
}

static void exec_data(void)
{
	((void (*)(void))(uintptr_t)crash_data_code)();
	exit(RAN_DATA_STATUS);
}

static void exec_stack(void)
{
	volatile unsigned char code[16];

	code[0] = X86_RET;
	((void (*)(void))(uintptr_t)code)();
	exit(RAN_DATA_STATUS);
}

/* Each frame takes a page and touches it, so the stack runs down page by page
 * through its 1 MiB and into the gap below; the depth limit is far past that
 * (and keeps the compiler from calling it infinite recursion). */
static int recurse(uint32_t depth)
{
	volatile char frame[4096];

	frame[0] = (char)depth;
	__asm__ volatile(""
			 :
			 : "r"(frame)
			 : "memory"); /* the page escapes: the compiler keeps it whole */
	if (depth > 2 * VM_USER_STACK_MAX / sizeof(frame))
		return frame[0];
	return recurse(depth + 1) + frame[0];
}

static void fault_guard(void)
{
	recurse(0);
}

/* in assembly: the compiler turns 1 / x into a comparison, no division */
static void fault_div0(void)
{
	__asm__ volatile("divl %[divisor]" : : "a"(1), "d"(0), [divisor] "r"(0) : "cc");
}

static void fault_ud2(void)
{
	__asm__ volatile("ud2");
}

/* cli needs IOPL 3; ring 3 with IOPL 0 gets #GP */
static void fault_gpf(void)
{
	__asm__ volatile("cli");
}

static void fault_hlt(void)
{
	__asm__ volatile("hlt");
}

static void fault_munmap_touch(void)
{
	volatile uint32_t *page = sys_mmap(4096, PROT_READ | PROT_WRITE);

	if (sys_error((void *)page)) {
		printf("crash: mmap: %s\n", error_name(sys_error((void *)page)));
		exit(SURVIVED_STATUS);
	}
	page[0] = 1;
	if (sys_munmap((void *)page, 4096) != 0) {
		printf("crash: munmap failed\n");
		exit(SURVIVED_STATUS);
	}
	(void)page[0];
}

static const struct {
	const char *name;
	void (*commit)(void);
	const char *what;
} modes[] = {
	{ "null", fault_null, "write to address 0" },
	{ "kernel-read", fault_kernel_read, "read the kernel's memory" },
	{ "kernel-write", fault_kernel_write, "write the kernel's memory" },
	{ "text", fault_text, "write its own code" },
	{ "exec-data", exec_data, "run code in its data (exits 99 if it runs: no NX)" },
	{ "exec-stack", exec_stack, "run code on its stack (exits 99 if it runs: no NX)" },
	{ "guard", fault_guard, "run past the stack's 1 MiB into the guard gap" },
	{ "div0", fault_div0, "divide by zero" },
	{ "ud2", fault_ud2, "an invalid opcode" },
	{ "gpf", fault_gpf, "cli in ring 3: general protection" },
	{ "hlt", fault_hlt, "hlt in ring 3: general protection" },
	{ "munmap-touch", fault_munmap_touch, "touch a page after munmap" },
};
#define MODE_COUNT (sizeof(modes) / sizeof(modes[0]))

int main(int argc, char **argv)
{
	for (uint32_t i = 0; argc > 1 && i < MODE_COUNT; i++)
		if (strcmp(argv[1], modes[i].name) == 0) {
			modes[i].commit();
			printf("crash: %s did not fault\n", modes[i].name);
			return SURVIVED_STATUS;
		}
	if (argc > 1)
		printf("crash: no mode '%s'\n", argv[1]);
	printf("usage: CRASH MODE, one of:\n");
	for (uint32_t i = 0; i < MODE_COUNT; i++)
		printf("  %-13s %s\n", modes[i].name, modes[i].what);
	return USAGE_STATUS;
}
