/*
 * tests/mm/test_mmdebug_off.c - include/kmm/mmdebug.h with KMM_DEBUG_VM
 * off (a release build): the assertions compile, type-check their
 * condition and never evaluate it, so a condition's side effects and
 * cost are gone; VM_CHECK runs nothing either.
 */
#undef KMM_DEBUG_VM
#undef KMM_DEBUG_VM_FULL
#include <kmm/mmdebug.h>
#include "tests/harness.h"

static int calls;

static int __maybe_unused checker(void)	/* referenced only unevaluated */
{
	calls++;
	return -1;	/* broken: would stop the machine if it ran */
}

TEST(nothing_is_evaluated)
{
	int n = 0;

	VM_BUG_ON(n++ == 0);
	VM_BUG_ON_PAGE(n++ == 0, NULL);
	VM_WARN_ON(n++ == 0);
	VM_WARN_ON_ONCE(n++ == 0);
	VM_CHECK(checker());
	ASSERT_EQ(n, 0);
	ASSERT_EQ(calls, 0);
#ifdef CONFIG_DEBUG_VM
	TEST_FAIL_("CONFIG_DEBUG_VM is set without KMM_DEBUG_VM");
#endif
}

int main(void)
{
	RUN_TEST(nothing_is_evaluated);
	return harness_summary();
}
