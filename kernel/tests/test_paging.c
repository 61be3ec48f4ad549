/* test_paging.c: the page tables the kernel runs on: permissions of the seed's
 * sections, the unmapped NULL and guard pages, map/unmap with TLB invalidation,
 * the region names a page-fault PANIC would print, and, under PAE with NX,
 * that code planted in .data, the heap or a stack cannot run, and large pages
 * and their splitting. The NX cases are skipped (KTAP "# SKIP") on CPUs
 * without PAE or NX, the large-page ones on CPUs without PSE or PAE. */
#include "ktest.h"
#include "errors.h"
#include "layout.h"
#include "../arch/arch.h"
#include "../kernel.h"
#include "../mm/mm.h"
#include "../mm/page.h"
#include "lib.h"

#define RET_OPCODE 0xC3u /* code that returns at once wherever it is allowed to run */

/* why an NX case is skipped: "CPU has no NX", as the boot line names it */
static const char *no_nx_reason(void)
{
	static char reason[64];
	const char *missing = paging_nx_missing();

	if (!missing)
		return "paging is not on";
	snprintf(reason, sizeof(reason), "CPU has no %s", missing);
	return reason;
}

static void touch(void *addr)
{
	(void)*(volatile uint32_t *)addr;
}

static void poke(void *addr)
{
	*(volatile uint8_t *)addr = *(volatile uint8_t *)addr;
}

/* an address no RAM or mapping is at: well above any -m the tests use */
#define SCRATCH_VIRT 0xE0000000u

static void paging_on_with_write_protect(struct ktest *t)
{
	EXPECT(t, paging_is_enabled());
	EXPECT(t, (read_cr0() & CR0_PG) != 0);
	EXPECT(t, (read_cr0() & CR0_WP) != 0);
}

static void virt_to_phys_walks_identity_map(struct ktest *t)
{
	unsigned count;
	const struct e820_entry *map = memory_map(&count);
	uint64_t top = memmap_usable_end(map, count, REGION_KERNEL_START);

	EXPECT_EQ(t, virt_to_phys(REGION_KERNEL_START + 0x123), REGION_KERNEL_START + 0x123);
	EXPECT_EQ(t, virt_to_phys(0xB8000), 0xB8000);
	EXPECT_EQ(t, virt_to_phys((uint32_t)(top - 8)), (uint32_t)(top - 8)); /* the last RAM page */
	EXPECT_EQ(t, phys_to_virt(REGION_HEAP_START), REGION_HEAP_START);
}

static void virt_to_phys_says_not_mapped(struct ktest *t)
{
	EXPECT_EQ(t, virt_to_phys(0), PAGING_NOT_MAPPED);
	EXPECT_EQ(t, virt_to_phys(REGION_STACK_GUARD_START + 4), PAGING_NOT_MAPPED);
	EXPECT_EQ(t, virt_to_phys(SCRATCH_VIRT), PAGING_NOT_MAPPED);
	EXPECT_EQ(t, phys_to_virt(SCRATCH_VIRT), PAGING_NOT_MAPPED);
}

static void null_read_faults_not_present(struct ktest *t)
{
	uint32_t error = 0xFF, cr2 = 1;
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, touch, (void *)0, &error, &cr2));
	EXPECT_EQ(t, cr2, 0);
	EXPECT_EQ(t, error & (PF_PRESENT | PF_WRITE), 0);
}

static void text_write_faults_protection(struct ktest *t)
{
	uint32_t error = 0, cr2 = 0;
	void *target = __text_start + 0x40;
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, poke, target, &error, &cr2));
	EXPECT_EQ(t, cr2, (uint32_t)target);
	EXPECT_EQ(t, error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
}

static void rodata_write_faults_protection(struct ktest *t)
{
	uint32_t error = 0, cr2 = 0;
	void *target = __rodata_start + 8;
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, poke, target, &error, &cr2));
	EXPECT_EQ(t, cr2, (uint32_t)target);
	EXPECT_EQ(t, error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
}

static void data_and_bss_are_writable(struct ktest *t)
{
	EXPECT(t, !ktest_fault(VECTOR_PAGE_FAULT, poke, __data_start, NULL, NULL));
	EXPECT(t, !ktest_fault(VECTOR_PAGE_FAULT, poke, __bss_start, NULL, NULL));
	EXPECT(t, paging_is_writable((uint32_t)__data_start));
	EXPECT(t, !paging_is_writable((uint32_t)__text_start));
}

static void guard_page_below_stack_faults(struct ktest *t)
{
	uint32_t cr2 = 0;
	void *guard = (void *)(REGION_STACK_GUARD_END - 4); /* where an overflow first lands */
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, touch, guard, NULL, &cr2));
	EXPECT_EQ(t, cr2, (uint32_t)guard);
}

static void map_unmap_invalidates_tlb(struct ktest *t)
{
	uint32_t *a = page_alloc_zeroed(PAGE_OWNER_OTHER), *b = page_alloc_zeroed(PAGE_OWNER_OTHER);
	volatile uint32_t *v = (volatile uint32_t *)SCRATCH_VIRT;

	if (!a || !b) {
		EXPECT(t, a && b);
		return;
	}
	a[0] = 0xAAAA0001;
	b[0] = 0xBBBB0002;
	EXPECT_EQ(t, map_page(SCRATCH_VIRT, (uint32_t)a, PAGE_FLAG_WRITABLE), 0);
	EXPECT_EQ(t, v[0], 0xAAAA0001); /* the TLB now holds SCRATCH_VIRT -> a */
	v[1] = 0x12345678;
	EXPECT_EQ(t, a[1], 0x12345678);
	EXPECT_EQ(t, virt_to_phys(SCRATCH_VIRT + 4), (uint32_t)a + 4);
	EXPECT_EQ(t, unmap_page(SCRATCH_VIRT), 0);
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, touch, (void *)SCRATCH_VIRT, NULL, NULL));
	EXPECT_EQ(t, map_page(SCRATCH_VIRT, (uint32_t)b, PAGE_FLAG_WRITABLE), 0);
	EXPECT_EQ(t, v[0], 0xBBBB0002); /* not a stale translation to a */
	EXPECT_EQ(t, unmap_page(SCRATCH_VIRT), 0);
	page_free(a, PAGE_OWNER_OTHER);
	page_free(b, PAGE_OWNER_OTHER);
}

static void map_page_rejects_misuse(struct ktest *t)
{
	EXPECT_EQ(t, map_page(SCRATCH_VIRT + 1, 0x300000, PAGE_FLAG_WRITABLE), ERR_INVAL);
	EXPECT_EQ(t, map_page(REGION_KERNEL_START, REGION_KERNEL_START, 0), ERR_EXIST);
	EXPECT_EQ(t, unmap_page(SCRATCH_VIRT), ERR_NOTMAPPED);
	EXPECT_EQ(t, unmap_page(SCRATCH_VIRT + 2), ERR_INVAL);
}

static void paging_mode_matches_cpu(struct ktest *t)
{
	const struct cpu_info *cpu = cpu_info();
	bool pae_nx = cpu->pae && cpu->nx;

	EXPECT_EQ(t, paging_has_nx(), pae_nx);
	EXPECT_EQ(t, paging_nx_missing() == NULL, pae_nx);
	if (cpu->pae) /* a CPU without PAE may have no CR4 at all (a 486) */
		EXPECT_EQ(t, (read_cr4() & CR4_PAE) != 0, pae_nx);
	if (pae_nx)
		EXPECT(t, (rdmsr(MSR_EFER) & EFER_NXE) != 0);
}

/* the page tables are counted once, where the memory accounting counts them */
static void table_pages_are_accounted(struct ktest *t)
{
	struct memory_accounting a;

	memory_accounting(&a);
	EXPECT_EQ(t, (uint64_t)paging_table_pages() * PAGE_SIZE, a.page_tables);
	EXPECT(t, paging_table_pages() >= 2); /* a page directory and a table, at least */
}

static void call_code(void *code)
{
	((void (*)(void))code)();
}

/* The `ret` at `code` must fault as an instruction fetch from a present page,
 * at that address: with NX off it would simply return, and this fails. */
static void expect_execute_fault(struct ktest *t, void *code)
{
	uint32_t error = 0, cr2 = 0;

	EXPECT(t, !paging_is_executable((uint32_t)code));
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, call_code, code, &error, &cr2));
	EXPECT_EQ(t, cr2, (uint32_t)code);
	EXPECT_EQ(t, error & (PF_PRESENT | PF_WRITE | PF_FETCH), PF_PRESENT | PF_FETCH);
}

/* in .data by name: the compiler may not move a never-written static to .rodata */
static uint8_t data_code[4] __attribute__((section(".data"))) = { RET_OPCODE };

static void data_execute_faults_nx(struct ktest *t)
{
	if (!paging_has_nx())
		KTEST_SKIP(t, no_nx_reason());
	EXPECT(t, (char *)data_code >= __data_start && (char *)data_code < __data_end);
	expect_execute_fault(t, data_code);
	/* what `crash-exec` runs: not run here, as without NX it would be #UD */
	EXPECT(t, (char *)paging_exec_probe >= __data_start && (char *)paging_exec_probe < __data_end);
	EXPECT(t, !paging_is_executable((uint32_t)paging_exec_probe));
}

static void heap_execute_faults_nx(struct ktest *t)
{
	if (!paging_has_nx())
		KTEST_SKIP(t, no_nx_reason());
	uint8_t *code = malloc(16);
	EXPECT(t, code != NULL);
	if (!code)
		return;
	code[0] = RET_OPCODE;
	expect_execute_fault(t, code);
	free(code);
}

static void stack_execute_faults_nx(struct ktest *t)
{
	uint8_t code[4] = { RET_OPCODE };

	if (!paging_has_nx())
		KTEST_SKIP(t, no_nx_reason());
	EXPECT(t, (uint32_t)code >= REGION_BOOT_STACK_START && (uint32_t)code < REGION_BOOT_STACK_END);
	expect_execute_fault(t, code);
}

static void only_text_is_executable(struct ktest *t)
{
	uint8_t on_stack;

	if (!paging_has_nx())
		KTEST_SKIP(t, no_nx_reason());
	EXPECT(t, paging_is_executable((uint32_t)__text_start));
	EXPECT(t, paging_is_executable((uint32_t)__text_end - 1));
	EXPECT(t, !paging_is_writable((uint32_t)__text_end - 1));
	EXPECT(t, !paging_is_executable((uint32_t)__rodata_start));
	EXPECT(t, !paging_is_executable((uint32_t)__data_start));
	EXPECT(t, !paging_is_executable((uint32_t)__bss_start));
	EXPECT(t, !paging_is_executable(REGION_HEAP_START));
	EXPECT(t, !paging_is_executable((uint32_t)&on_stack));
	EXPECT(t, !paging_is_executable(0xB8000)); /* the first MiB */
	EXPECT(t, !paging_is_executable(0));       /* not mapped at all */
}

/* map_page's pages are NX unless PAGE_FLAG_EXECUTABLE asks otherwise */
static void map_page_executable_only_on_request(struct ktest *t)
{
	void *code = (void *)(SCRATCH_VIRT + 0x10);

	if (!paging_has_nx())
		KTEST_SKIP(t, no_nx_reason());
	uint8_t *frame = page_alloc_zeroed(PAGE_OWNER_OTHER);
	EXPECT(t, frame != NULL);
	if (!frame)
		return;
	frame[0x10] = RET_OPCODE;
	EXPECT_EQ(t, map_page(SCRATCH_VIRT, (uint32_t)frame, PAGE_FLAG_WRITABLE), 0);
	EXPECT_EQ(t, virt_to_phys((uint32_t)code), (uint32_t)frame + 0x10);
	EXPECT(t, paging_is_writable(SCRATCH_VIRT));
	expect_execute_fault(t, code);
	EXPECT_EQ(t, unmap_page(SCRATCH_VIRT), 0);
	EXPECT_EQ(t, map_page(SCRATCH_VIRT, (uint32_t)frame, PAGE_FLAG_EXECUTABLE), 0);
	EXPECT(t, paging_is_executable(SCRATCH_VIRT));
	EXPECT(t, !paging_is_writable(SCRATCH_VIRT));
	EXPECT(t, !ktest_fault(VECTOR_PAGE_FAULT, call_code, code, NULL, NULL)); /* no stale NX entry */
	EXPECT_EQ(t, unmap_page(SCRATCH_VIRT), 0);
	page_free(frame, PAGE_OWNER_OTHER);
}

/* the large page size this CPU's tables have, or 0 when they have none */
static uint32_t large_page_size(void)
{
	if (paging_has_nx())
		return 2u << 20; /* PAE */
	return cpu_info()->pse ? 4u << 20 : 0;
}

/* the second-last large page below the top of RAM: a whole one, all RAM */
static uint32_t whole_large_page(uint32_t large)
{
	unsigned count;
	const struct e820_entry *map = memory_map(&count);
	uint32_t top = (uint32_t)memmap_usable_end(map, count, REGION_KERNEL_START);

	return (top & ~(large - 1)) - large;
}

/* RAM past the first large page is mapped by large pages; the first one,
 * which holds the NULL page, the stack guard and the kernel's sections, in
 * 4 KiB pages. */
static void ram_is_mapped_with_large_pages(struct ktest *t)
{
	uint32_t large = large_page_size();
	unsigned count;
	const struct e820_entry *map = memory_map(&count);

	if (!large)
		KTEST_SKIP(t, "32-bit tables on a CPU without PSE: no large pages");
	EXPECT_EQ(t, paging_mapping_size(REGION_KERNEL_START), PAGE_SIZE);
	EXPECT_EQ(t, paging_mapping_size((uint32_t)__text_start), PAGE_SIZE);
	EXPECT_EQ(t, paging_mapping_size(0), 0);
	EXPECT_EQ(t, paging_mapping_size(SCRATCH_VIRT), 0);
	uint32_t start = whole_large_page(large), inside = start + 0x1234;
	EXPECT(t, memmap_range_usable(map, count, start, start + large));
	EXPECT_EQ(t, paging_mapping_size(inside), large);
	EXPECT_EQ(t, virt_to_phys(inside), inside);
	EXPECT(t, paging_is_writable(inside));
	EXPECT_EQ(t, paging_is_executable(inside), !paging_has_nx());
}

/* Unmapping one page of a large page splits it into a table of 4 KiB pages:
 * the page faults, its neighbours keep their frames and permissions. */
static void unmap_in_large_page_splits_it(struct ktest *t)
{
	uint32_t large = large_page_size();

	if (!large)
		KTEST_SKIP(t, "32-bit tables on a CPU without PSE: no large pages");
	/* a large page's size from malloc is a buddy block aligned to its size:
	 * one whole large page of free RAM */
	uint8_t *block = malloc(large);
	EXPECT(t, block != NULL);
	if (!block)
		return;
	uint8_t *page = block + 16 * PAGE_SIZE;
	uint32_t v = (uint32_t)page;
	unsigned tables_before = paging_table_pages();
	EXPECT_EQ(t, paging_mapping_size(v), large);
	page[0] = 0x5A;
	EXPECT_EQ(t, unmap_page(v), 0);
	EXPECT_EQ(t, paging_table_pages(), tables_before + 1);
	uint32_t error = 0xFF;
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, touch, page, &error, NULL));
	EXPECT_EQ(t, error & PF_PRESENT, 0);
	EXPECT_EQ(t, virt_to_phys(v), PAGING_NOT_MAPPED);
	for (int side = -1; side <= 1; side += 2) {
		uint32_t near = v + (uint32_t)side * PAGE_SIZE;
		EXPECT_EQ(t, paging_mapping_size(near), PAGE_SIZE);
		EXPECT_EQ(t, virt_to_phys(near + 8), near + 8);
		EXPECT(t, paging_is_writable(near));
		EXPECT_EQ(t, paging_is_executable(near), !paging_has_nx());
		EXPECT(t, !ktest_fault(VECTOR_PAGE_FAULT, poke, (void *)near, NULL, NULL));
	}
	EXPECT_EQ(t, map_page(v, v, PAGE_FLAG_WRITABLE), 0);
	EXPECT_EQ(t, page[0], 0x5A); /* the same frame back, and no stale entry */
	EXPECT_EQ(t, map_page(v + PAGE_SIZE, v + PAGE_SIZE, PAGE_FLAG_WRITABLE), ERR_EXIST);
	EXPECT_EQ(t, paging_table_pages(), tables_before + 1); /* split once */
	free(block);
}

/* map_page over a large page says it is mapped, and splits nothing */
static void map_over_large_page_is_refused(struct ktest *t)
{
	uint32_t large = large_page_size();

	if (!large)
		KTEST_SKIP(t, "32-bit tables on a CPU without PSE: no large pages");
	uint32_t v = whole_large_page(large);
	unsigned tables_before = paging_table_pages();
	EXPECT_EQ(t, paging_mapping_size(v), large);
	EXPECT_EQ(t, map_page(v, v, PAGE_FLAG_WRITABLE), ERR_EXIST);
	EXPECT_EQ(t, paging_table_pages(), tables_before);
	EXPECT_EQ(t, paging_mapping_size(v), large);
}

static void fault_regions_are_named(struct ktest *t)
{
	EXPECT(t, strcmp(paging_region_name(0x10), "the NULL page") == 0);
	EXPECT(t, strchr(paging_region_name(REGION_STACK_GUARD_START), '(') !=
			  NULL); /* "(stack overflow)" */
	EXPECT(t,
	       strcmp(paging_region_name((uint32_t)__text_start), "kernel .text (read/execute)") == 0);
	EXPECT(t,
	       strcmp(paging_region_name((uint32_t)__rodata_start), "kernel .rodata (read-only)") == 0);
	EXPECT(t, strcmp(paging_region_name(SCRATCH_VIRT), "no RAM here (unmapped)") == 0);
}

KTEST_SUITE(paging_suite, "paging", KTEST_CASE(paging_on_with_write_protect),
	    KTEST_CASE(virt_to_phys_walks_identity_map), KTEST_CASE(virt_to_phys_says_not_mapped),
	    KTEST_CASE(null_read_faults_not_present), KTEST_CASE(text_write_faults_protection),
	    KTEST_CASE(rodata_write_faults_protection), KTEST_CASE(data_and_bss_are_writable),
	    KTEST_CASE(guard_page_below_stack_faults), KTEST_CASE(map_unmap_invalidates_tlb),
	    KTEST_CASE(map_page_rejects_misuse), KTEST_CASE(paging_mode_matches_cpu),
	    KTEST_CASE(table_pages_are_accounted), KTEST_CASE(data_execute_faults_nx),
	    KTEST_CASE(heap_execute_faults_nx), KTEST_CASE(stack_execute_faults_nx),
	    KTEST_CASE(only_text_is_executable), KTEST_CASE(map_page_executable_only_on_request),
	    KTEST_CASE(ram_is_mapped_with_large_pages), KTEST_CASE(map_over_large_page_is_refused),
	    KTEST_CASE(unmap_in_large_page_splits_it), KTEST_CASE(fault_regions_are_named));
