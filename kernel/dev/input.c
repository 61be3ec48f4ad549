/* input.c: the console's input, one bounded ring that the keyboard's and
 * COM1's interrupt handlers fill and a reader empties. A flood loses bytes,
 * counted, never memory. Interrupt handlers put; callers get with interrupts
 * as they like (a get turns them off for its few instructions). */
#include "dev.h"

#define INPUT_RING 256 /* a power of two: indices wrap by masking */
#define EFLAGS_IF 0x200u

static volatile char ring[INPUT_RING];
static volatile uint32_t head, tail; /* head: next to write; tail: next to read */
static volatile uint64_t dropped;
static void (*notify)(void);

void input_set_notify(void (*hook)(void))
{
	notify = hook;
}

void input_put(char c)
{
	if (head - tail == INPUT_RING) {
		dropped++;
		return;
	}
	ring[head % INPUT_RING] = c;
	head++;
	if (notify)
		notify();
}

int input_get(void)
{
	uint32_t flags;
	int c = -1;

	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	if (tail != head) {
		c = (unsigned char)ring[tail % INPUT_RING];
		tail++;
	}
	if (flags & EFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
	return c;
}

uint64_t input_dropped(void)
{
	return dropped;
}
