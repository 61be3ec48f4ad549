/* test_paging.c: the seed's paging interface on the live page tables. */
#include "ktest.h"
#include "../arch/arch.h"
#include "layout.h"

static void touch(void *addr)
{
	(void)*(volatile uint32_t *)addr;
}

static void paging_is_on(struct ktest *t)
{
	EXPECT(t, paging_is_enabled());
	EXPECT(t, (read_cr0() & CR0_PG) != 0);
}

static void virt_to_phys_identity(struct ktest *t)
{
	EXPECT_EQ(t, virt_to_phys(REGION_KERNEL_START + 0x123), REGION_KERNEL_START + 0x123);
	EXPECT_EQ(t, virt_to_phys(REGION_HEAP_START), REGION_HEAP_START);
	EXPECT_EQ(t, phys_to_virt(REGION_HEAP_START), REGION_HEAP_START);
}

static void virt_to_phys_unmapped(struct ktest *t)
{
	EXPECT_EQ(t, virt_to_phys(0), PAGING_NOT_MAPPED);
	EXPECT_EQ(t, virt_to_phys(0x40000000), PAGING_NOT_MAPPED);
}

static void null_read_faults(struct ktest *t)
{
	uint32_t error = 0, cr2 = 1;
	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, touch, (void *)0, &error, &cr2));
	EXPECT_EQ(t, cr2, 0);
	EXPECT_EQ(t, error & 1, 0); /* not-present page */
}

KTEST_SUITE(paging_suite, "paging",
	KTEST_CASE(paging_is_on),
	KTEST_CASE(virt_to_phys_identity),
	KTEST_CASE(virt_to_phys_unmapped),
	KTEST_CASE(null_read_faults));
