// Copyright 2026 The Runnel Authors.
//
// The torn-write function behind CrashOptions::tear_last_unsynced_page.
#include "io/crash_model.h"

#include <string>

#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

TEST(TearLastPageTest, NothingNewMeansTheDurableContent) {
  EXPECT_EQ(TearLastPage("abc", "abc", 5), "abc");
  EXPECT_EQ(TearLastPage("abcdef", "abc", 5), "abcdef");  // Only shrunk.
  EXPECT_EQ(TearLastPage("", "", 5), "");
}

TEST(TearLastPageTest, KeepsAStrictPrefixOfTheAppendedBytes) {
  // 10 new bytes; random 3 keeps 3 of them, random 13 keeps 13 % 10 = 3.
  EXPECT_EQ(TearLastPage("old", "old0123456789", 3), "old012");
  EXPECT_EQ(TearLastPage("old", "old0123456789", 13), "old012");
  EXPECT_EQ(TearLastPage("old", "old0123456789", 0), "old");
  EXPECT_EQ(TearLastPage("old", "old0123456789", 9), "old012345678");
}

TEST(TearLastPageTest, PrefixStartsAtTheFirstDifferenceInThePage) {
  const std::string durable(100, '.');
  std::string current = durable;
  current.replace(40, 10, "0123456789");
  // Differing span [40, 50): keep 4 bytes of it.
  std::string expected = durable;
  expected.replace(40, 4, "0123");
  EXPECT_EQ(TearLastPage(durable, current, 4), expected);
}

TEST(TearLastPageTest, OnlyTheLastDifferingPageIsTorn) {
  const std::string durable(3 * 4096, '.');
  std::string current = durable;
  current[10] = 'x';                    // Page 0: lost.
  current.replace(8192 + 5, 3, "abc");  // Page 2: torn.
  std::string expected = durable;
  expected.replace(8192 + 5, 2, "ab");
  EXPECT_EQ(TearLastPage(durable, current, 2), expected);
}

TEST(TearLastPageTest, GapBeforeAPageBeyondTheDurableEndIsZeros) {
  const std::string durable = "abc";
  const std::string current = durable + std::string(4096 + 10, 'n');
  // Last page is [4096, 4109): all of it is new; keep 5 bytes.
  std::string expected = durable + std::string(4093, '\0') + "nnnnn";
  EXPECT_EQ(TearLastPage(durable, current, 5), expected);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
