// Copyright 2026 The Runnel Authors.
#include "util/pod_array.h"

#include <utility>

#include "gtest/gtest.h"

namespace runnel {
namespace internal {
namespace {

struct Point {
  int x;
  long y;
};

void AppendPoints(PodArray<Point>* points, int n) {
  for (int i = 0; i < n; ++i) {
    new (points->AppendUninitialized()) Point{i, 10L * i};
  }
}

TEST(PodArrayTest, StartsEmpty) {
  PodArray<Point> points;
  EXPECT_TRUE(points.empty());
  EXPECT_EQ(points.size(), 0u);
  EXPECT_EQ(points.begin(), points.end());
}

TEST(PodArrayTest, KeepsEveryElementAcrossGrowth) {
  PodArray<Point> points;
  AppendPoints(&points, 1000);  // grows from 16 several times
  ASSERT_EQ(points.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(points[i].x, i);
    EXPECT_EQ(points[i].y, 10L * i);
  }
}

TEST(PodArrayTest, ReserveKeepsElementsInPlaceUntilFull) {
  PodArray<Point> points;
  AppendPoints(&points, 3);
  points.Reserve(100);
  const Point* data = points.data();
  AppendPoints(&points, 97);
  EXPECT_EQ(points.data(), data);  // no growth within the reservation
  EXPECT_EQ(points[2].x, 2);
  EXPECT_EQ(points[99].x, 96);
}

TEST(PodArrayTest, MoveTransfersElementsAndEmptiesTheSource) {
  PodArray<Point> points;
  AppendPoints(&points, 5);
  PodArray<Point> moved(std::move(points));
  EXPECT_TRUE(points.empty());  // NOLINT(bugprone-use-after-move)
  ASSERT_EQ(moved.size(), 5u);
  EXPECT_EQ(moved[4].y, 40);
  PodArray<Point> assigned;
  AppendPoints(&assigned, 2);
  assigned = std::move(moved);
  ASSERT_EQ(assigned.size(), 5u);
  EXPECT_EQ(assigned[3].x, 3);
}

}  // namespace
}  // namespace internal
}  // namespace runnel
