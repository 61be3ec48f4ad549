/* spin.c: SPIN loops forever (for kill and preemption tests); SPIN N loops N
 * million times, prints a checksum of the loop and exits 0. */
#include "ulib.h"

#define ITERATIONS_PER_UNIT 1000000u

int main(int argc, char **argv)
{
	uint32_t units = argc > 1 ? (uint32_t)atoi(argv[1]) : 0, checksum = 0;

	if (units == 0)
		for (;;)
			__asm__ volatile("" ::: "memory"); /* not an empty loop the compiler may drop */
	for (uint32_t u = 0; u < units; u++)
		for (uint32_t i = 0; i < ITERATIONS_PER_UNIT; i++) {
			checksum = checksum * 31 + i;
			__asm__ volatile("" : "+r"(checksum));
		}
	printf("spin: %u million iterations, checksum 0x%08x\n", units, checksum);
	return 0;
}
