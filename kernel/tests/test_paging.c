/* test_paging.c: the page tables the kernel runs on: permissions of the seed's
 * sections, the unmapped NULL and guard pages, map/unmap with TLB invalidation,
 * and the region names a page-fault PANIC would print. */
#include "ktest.h"
#include "errors.h"
#include "layout.h"
#include "../arch/arch.h"
#include "../kernel.h"
#include "../mm/mm.h"
#include "lib.h"

#define PF_PRESENT 0x1u /* error code: a protection violation, not a missing page */
#define PF_WRITE   0x2u

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
	EXPECT_EQ(t, v[0], 0xAAAA0001);          /* the TLB now holds SCRATCH_VIRT -> a */
	v[1] = 0x12345678;
	EXPECT_EQ(t, a[1], 0x12345678);
	EXPECT_EQ(t, virt_to_phys(SCRATCH_VIRT + 4), (uint32_t)a + 4);
	EXPECT_EQ(t, unmap_page(SCRATCH_VIRT), 0);
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, touch, (void *)SCRATCH_VIRT, NULL, NULL));
	EXPECT_EQ(t, map_page(SCRATCH_VIRT, (uint32_t)b, PAGE_FLAG_WRITABLE), 0);
	EXPECT_EQ(t, v[0], 0xBBBB0002);          /* not a stale translation to a */
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

static void fault_regions_are_named(struct ktest *t)
{
	EXPECT(t, strcmp(paging_region_name(0x10), "the NULL page") == 0);
	EXPECT(t, strchr(paging_region_name(REGION_STACK_GUARD_START), '(') != NULL); /* "(stack overflow)" */
	EXPECT(t, strcmp(paging_region_name((uint32_t)__text_start), "kernel .text (read/execute)") == 0);
	EXPECT(t, strcmp(paging_region_name((uint32_t)__rodata_start), "kernel .rodata (read-only)") == 0);
	EXPECT(t, strcmp(paging_region_name(SCRATCH_VIRT), "no RAM here (unmapped)") == 0);
}

KTEST_SUITE(paging_suite, "paging",
	KTEST_CASE(paging_on_with_write_protect),
	KTEST_CASE(virt_to_phys_walks_identity_map),
	KTEST_CASE(virt_to_phys_says_not_mapped),
	KTEST_CASE(null_read_faults_not_present),
	KTEST_CASE(text_write_faults_protection),
	KTEST_CASE(rodata_write_faults_protection),
	KTEST_CASE(data_and_bss_are_writable),
	KTEST_CASE(guard_page_below_stack_faults),
	KTEST_CASE(map_unmap_invalidates_tlb),
	KTEST_CASE(map_page_rejects_misuse),
	KTEST_CASE(fault_regions_are_named));
