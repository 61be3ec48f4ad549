/* e820.c: a name for each E820 type (include/boot_info.h), for the kernel's
 * boot report and the user programs that print the map (memmap). */
#include "lib.h"
#include "boot_info.h"

const char *e820_type_name(uint32_t type)
{
	switch (type) {
	case E820_USABLE: return "usable";
	case E820_RESERVED: return "reserved";
	case E820_ACPI_RECLAIM: return "ACPI reclaimable";
	case E820_ACPI_NVS: return "ACPI NVS";
	case E820_BAD: return "bad memory";
	default: return "unknown type";
	}
}
