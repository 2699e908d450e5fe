// Copyright 2026 The Runnel Authors.
#include "io/path.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ParsePathTest, NormalizesLexically) {
  ParsedPath p = ParsePath("/a//b/./c/../d/");
  EXPECT_TRUE(p.absolute);
  EXPECT_THAT(p.parts, ElementsAre("a", "b", "d"));
  p = ParsePath("x/y");
  EXPECT_FALSE(p.absolute);
  EXPECT_THAT(p.parts, ElementsAre("x", "y"));
}

TEST(ParsePathTest, DotDotAtTheTop) {
  EXPECT_THAT(ParsePath("/../a").parts, ElementsAre("a"));
  EXPECT_THAT(ParsePath("../a").parts, ElementsAre("..", "a"));
  EXPECT_THAT(ParsePath("../../a").parts, ElementsAre("..", "..", "a"));
  EXPECT_THAT(ParsePath("/").parts, IsEmpty());
  EXPECT_THAT(ParsePath("").parts, IsEmpty());
}

TEST(JoinPathTest, AddsOneSlash) {
  EXPECT_EQ(JoinPath("/a", "b"), "/a/b");
  EXPECT_EQ(JoinPath("/a/", "b"), "/a/b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
}

}  // namespace
}  // namespace internal
}  // namespace runnel
