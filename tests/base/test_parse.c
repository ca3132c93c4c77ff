/*
 * tests/base/test_parse.c - parse_ulong (base/parse.c): decimal, 0x hex
 * and K/M/G/T suffixes as DESIGN.md documents them, and above all that a
 * leading zero is a plain digit ("010" is ten, "09" nine), never octal.
 */
#include <limits.h>
#include <kmm/compiler.h>
#include "base/parse.h"
#include "tests/harness.h"

struct good {
	const char *text;
	bool suffix;
	unsigned long want;
};

static const struct good goods[] = {
	{ "0", false, 0 },
	{ "7", false, 7 },
	{ "010", false, 10 },		/* not octal 8 */
	{ "09", false, 9 },		/* not an error, not 0 */
	{ "0009", false, 9 },
	{ "00", false, 0 },
	{ "0777", false, 777 },
	{ "0x10", false, 16 },
	{ "0X1f", false, 31 },
	{ "0x0010", false, 16 },
	{ "010K", true, 10240 },	/* 10 KiB, not 8 */
	{ "08M", true, 8ul << 20 },
	{ "4K", true, 4096 },
	{ "4KB", true, 4096 },
	{ "4KiB", true, 4096 },
	{ "1g", true, 1ul << 30 },
	{ "2T", true, 2ul << 40 },
	{ "18446744073709551615", false, ULONG_MAX },
	{ "0xffffffffffffffff", false, ULONG_MAX },
	{ "16777215T", true, 16777215ul << 40 },
};

struct bad {
	const char *text;
	bool suffix;
};

static const struct bad bads[] = {
	{ "", false }, { "x", false }, { "-1", false }, { "+1", false },
	{ " 1", false }, { "1 ", false }, { "0x", false }, { "0x-1", false },
	{ "0x 1", false }, { "0x0x10", false }, { "0xg", false }, { "1x", false },
	{ "08.5", false }, { "09a", false },
	{ "4K", false },		/* suffixes only where allowed */
	{ "0x1K", true },		/* and not after hex */
	{ "4Q", true }, { "4KK", true }, { "4Ki", true }, { "4iB", true },
	{ "18446744073709551616", false },	/* ULONG_MAX + 1 */
	{ "99999999999999999999", false },
	{ "0x10000000000000000", false },
	{ "16777216T", true },		/* 2^64 */
	{ "17179869184G", true },
};

TEST(test_numbers_read_as_documented)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(goods); i++) {
		unsigned long v = 12345;

		if (parse_ulong(goods[i].text, &v, goods[i].suffix))
			TEST_FAIL_("'%s' was refused", goods[i].text);
		if (v != goods[i].want)
			TEST_FAIL_("'%s' read as %lu, not %lu", goods[i].text, v, goods[i].want);
	}
}

TEST(test_bad_numbers_are_refused_untouched)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bads); i++) {
		unsigned long v = 12345;

		if (!parse_ulong(bads[i].text, &v, bads[i].suffix))
			TEST_FAIL_("'%s' was accepted as %lu", bads[i].text, v);
		ASSERT_EQ(v, 12345);
	}
	ASSERT_EQ(parse_ulong(NULL, &(unsigned long){ 0 }, true), -1);
}

/* Every 0..9999 written with leading zeros reads back as itself. */
TEST(test_zero_padding_never_changes_the_value)
{
	char buf[32];
	unsigned long i, v;
	int width;

	for (width = 1; width <= 8; width++)
		for (i = 0; i < 10000; i++) {
			snprintf(buf, sizeof(buf), "%0*lu", width, i);
			if (parse_ulong(buf, &v, true) || v != i)
				TEST_FAIL_("'%s' did not read as %lu", buf, i);
		}
}

int main(void)
{
	RUN_TEST(test_numbers_read_as_documented);
	RUN_TEST(test_bad_numbers_are_refused_untouched);
	RUN_TEST(test_zero_padding_never_changes_the_value);
	return harness_summary();
}
