/* vmstat.c: VMSTAT: paging and swap at work, from the kernel's counters. */
#include "ulib.h"

static const struct command vmstat_command = {
	.name = "vmstat",
	.usage = "VMSTAT",
	.about = "Free memory, page faults (minor: a first touch given a zeroed frame;\n"
		 "major: a page read back from swap), pages swapped in and out, swap in use,\n"
		 "and the clock hand's work since boot (docs/memory.md, \"Virtual memory\").\n",
};

#define KIB_PER_SLOT 4u

static uint64_t average(uint64_t total, uint64_t count)
{
	return count ? udiv64_32(total, (uint32_t)count) : 0;
}

int main(int argc, char **argv)
{
	struct vls_vmstat v;

	cmd_start_no_arguments(&vmstat_command, argc, argv);
	int err = sys_vmstat(&v, sizeof v);
	if (err < 0)
		cmd_fail("no figures: %s", error_name(err));
	printf("memory:  %llu KiB free, %llu KiB in user pages (reclaim below %u frames, up to %u)\n",
	       (unsigned long long)(v.free_bytes >> 10), (unsigned long long)(v.user_bytes >> 10),
	       v.low_frames, v.high_frames);
	printf("faults:  %llu minor, %llu major; cycles each: %llu minor, %llu major\n",
	       (unsigned long long)v.minor_faults, (unsigned long long)v.major_faults,
	       (unsigned long long)average(v.minor_cycles, v.minor_faults),
	       (unsigned long long)average(v.major_cycles, v.major_faults));
	printf("text:    %u pages of %u programs in memory; %llu read from files, %llu shared\n",
	       v.text_pages, v.text_images, (unsigned long long)v.text_reads,
	       (unsigned long long)v.text_shares);
	printf("pages:   %llu swapped in, %llu swapped out, %llu dropped clean\n",
	       (unsigned long long)v.swap_reads, (unsigned long long)v.swap_outs,
	       (unsigned long long)v.dropped_clean);
	if (v.swap_devices)
		printf("swap:    %u of %u KiB used on %u device%s, %u slots bad\n",
		       v.swap_used * KIB_PER_SLOT, v.swap_slots * KIB_PER_SLOT, v.swap_devices,
		       v.swap_devices == 1 ? "" : "s", v.swap_bad);
	else
		printf("swap:    none\n");
	printf("errors:  %llu swap reads, %llu swap writes failed\n",
	       (unsigned long long)v.swap_read_errors, (unsigned long long)v.swap_write_errors);
	printf("clock:   %llu frames looked at, %llu sweeps, %llu second chances, %llu reclaims\n",
	       (unsigned long long)v.scans, (unsigned long long)v.sweeps, (unsigned long long)v.spared,
	       (unsigned long long)v.reclaims);
	printf("oom:     %llu faults found no frame\n", (unsigned long long)v.oom);
	return 0;
}
