/* slabinfo.c: SLABINFO: every slab cache of the kernel with its object size,
 * objects in use, slabs and magazines, as Linux's /proc/slabinfo, from
 * SYS_MEMINFO. */
#include "ulib.h"

static const struct command slabinfo_command = {
	.name = "slabinfo",
	.usage = "SLABINFO",
	.about = "Every slab cache: object size and stride (with its padding), objects per slab\n"
		 "and pages per slab, objects in use of the total, objects held in magazines (the\n"
		 "per-CPU caches) and how many magazines, slabs full/partial/empty, pages held.\n",
};

static struct vls_meminfo info;

int main(int argc, char **argv)
{
	cmd_start_no_arguments(&slabinfo_command, argc, argv);
	cmd_meminfo(&info);

	uint32_t caches = info.caches < MEMINFO_CACHES_MAX ? info.caches : MEMINFO_CACHES_MAX;
	uint32_t pages = 0, inuse = 0;
	printf("%-20s %6s %6s %5s %3s %8s %8s %9s %13s %5s\n", "cache", "size", "stride", "objs", "pgs",
	       "inuse", "total", "magazine", "full/part/emp", "pages");
	for (uint32_t i = 0; i < caches; i++) {
		const struct vls_cache_info *c = &info.cache[i];
		char slabs[24];
		char magazines[16];

		snprintf(slabs, sizeof(slabs), "%u/%u/%u", c->slabs_full, c->slabs_partial,
			 c->slabs_empty);
		snprintf(magazines, sizeof(magazines), "%u in %u", c->in_magazines, c->magazines);
		printf("%-20s %6u %6u %5u %3u %8u %8u %9s %13s %5u\n", c->name, c->object_size,
		       c->stride, c->objects_per_slab, c->pages_per_slab, c->inuse, c->total, magazines,
		       slabs, c->pages);
		pages += c->pages;
		inuse += c->inuse;
	}
	printf("%u caches, %u objects in use, %u pages held\n", caches, inuse, pages);
	return 0;
}
