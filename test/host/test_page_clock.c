/* sources: kernel/vm/page_clock.c */
/* test_page_clock.c: the clock (second-chance) policy of kernel/vm/page_clock.c
 * over scripted places: the first unused candidate taken and the hand just
 * past it, a used one spared once (its use forgotten) and taken on the next
 * turn, places without a candidate passed by, -1 after two whole turns, the
 * hand's wrap and the counts of steps, sweeps and second chances. */
#include "check.h"

#include "../../kernel/vm/page_clock.h"

#define PLACES_MAX 16
#define ASKED_MAX 64

/* what each place holds, as reclaim.c's look() would find it */
enum place_state { FREE, USED, UNUSED };

struct script {
	enum place_state state[PLACES_MAX];
	uint32_t asked[ASKED_MAX]; /* the places look() was asked about, in order */
	unsigned asks;
	bool never_forget; /* a broken look that spares and never clears the use */
};

static enum clock_look look(void *ctx, uint32_t place)
{
	struct script *s = ctx;

	if (s->asks < ASKED_MAX)
		s->asked[s->asks] = place;
	s->asks++;
	switch (s->state[place]) {
	case FREE: return CLOCK_SKIP;
	case USED:
		if (!s->never_forget)
			s->state[place] = UNUSED;
		return CLOCK_SPARED;
	case UNUSED: break;
	}
	return CLOCK_TAKE;
}

/* the clock's hand and counts, each checked */
static bool clock_is(const struct page_clock *c, uint32_t hand, uint64_t steps, uint64_t sweeps,
		     uint64_t spared)
{
	return CHECK_EQ_UINT(c->hand, hand) & CHECK_EQ_UINT(c->steps, steps) &
	       CHECK_EQ_UINT(c->sweeps, sweeps) & CHECK_EQ_UINT(c->spared, spared);
}

static void test_init(void)
{
	struct page_clock c;

	memset(&c, 0xAA, sizeof c);
	page_clock_init(&c, 5);
	CHECK_EQ_UINT(c.positions, 5);
	clock_is(&c, 0, 0, 0, 0);
}

static void test_no_positions(void)
{
	struct page_clock c;
	struct script s = { 0 };

	page_clock_init(&c, 0);
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), -1);
	CHECK_EQ_UINT(s.asks, 0);
	clock_is(&c, 0, 0, 0, 0);
}

/* skips the free place, spares the used one, takes the first unused */
static void test_takes_first_unused(void)
{
	struct page_clock c;
	struct script s = { .state = { USED, FREE, UNUSED, UNUSED } };

	page_clock_init(&c, 4);
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), 2);
	clock_is(&c, 3, 3, 0, 1);
	CHECK_EQ_UINT(s.asks, 3);
	CHECK_EQ_UINT(s.asked[0], 0);
	CHECK_EQ_UINT(s.asked[1], 1);
	CHECK_EQ_UINT(s.asked[2], 2);
	CHECK_EQ_INT(s.state[0], UNUSED); /* its second chance used up */
}

/* every place used: one turn spares them all, the next takes where it began */
static void test_second_chance(void)
{
	struct page_clock c;
	struct script s = { .state = { USED, USED, USED, USED } };

	page_clock_init(&c, 4);
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), 0);
	clock_is(&c, 1, 5, 1, 4);
	/* the others lost their use on that turn: the next comes at once */
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), 1);
	clock_is(&c, 2, 6, 1, 4);
}

/* a spared page is not taken while an unused one lies ahead, but is on the
 * next turn */
static void test_spared_then_taken(void)
{
	struct page_clock c;
	struct script s = { .state = { USED, UNUSED, USED, UNUSED } };

	page_clock_init(&c, 4);
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), 1);
	s.state[1] = FREE;
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), 3);
	s.state[3] = FREE;
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), 0);
	clock_is(&c, 1, 5, 1, 2);
}

/* no candidate anywhere: two whole turns, then -1, the hand where it was */
static void test_nothing_to_take(void)
{
	struct page_clock c;
	struct script s = { .state = { FREE, FREE, FREE } };

	page_clock_init(&c, 3);
	c.hand = 1;
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), -1);
	CHECK_EQ_UINT(s.asks, 6);
	clock_is(&c, 1, 6, 2, 0);
}

/* a look that spares for ever (the use never forgotten) cannot keep the
 * hand turning: two turns and -1 */
static void test_gives_up_after_two_turns(void)
{
	struct page_clock c;
	struct script s = { .state = { USED, USED, FREE, USED, USED }, .never_forget = true };

	page_clock_init(&c, 5);
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), -1);
	CHECK_EQ_UINT(s.asks, 10);
	clock_is(&c, 0, 10, 2, 8);
}

/* the hand wraps after the last place, and a sweep is counted just then */
static void test_wrap_and_sweeps(void)
{
	struct page_clock c;
	struct script s = { .state = { UNUSED, UNUSED, UNUSED, UNUSED } };
	const int64_t want[] = { 3, 0, 1, 2, 3, 0, 1 };

	page_clock_init(&c, 4);
	c.hand = 3;
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		CHECK_EQ_INT(page_clock_choose(&c, look, &s), want[i]);
		CHECK_EQ_UINT(c.hand, (want[i] + 1) % 4);
	}
	clock_is(&c, 2, 7, 2, 0); /* the sweeps after the first and the fifth */
}

/* one place: spared, then taken on the second look */
static void test_one_place(void)
{
	struct page_clock c;
	struct script s = { .state = { USED } };

	page_clock_init(&c, 1);
	CHECK_EQ_INT(page_clock_choose(&c, look, &s), 0);
	clock_is(&c, 0, 2, 2, 1);
}

int main(void)
{
	RUN(test_init);
	RUN(test_no_positions);
	RUN(test_takes_first_unused);
	RUN(test_second_chance);
	RUN(test_spared_then_taken);
	RUN(test_nothing_to_take);
	RUN(test_gives_up_after_two_turns);
	RUN(test_wrap_and_sweeps);
	RUN(test_one_place);
	return check_done();
}
