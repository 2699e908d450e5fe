// Copyright 2026 The Runnel Authors.
#include "runnel/in_memory_network.h"

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runnel/clock.h"
#include "runnel/replica_transport.h"

namespace runnel {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// A node that answers "echo:<request>" and records what it saw, and when.
struct EchoNode {
  explicit EchoNode(const SimulatedClock* clock) : clock(clock) {}
  ReplicaRequestHandler Handler() {
    return [this](absl::string_view request) {
      seen.emplace_back(request);
      seen_at.push_back(clock->Now());
      return absl::StrCat("echo:", request);
    };
  }
  const SimulatedClock* clock;
  std::vector<std::string> seen;
  std::vector<absl::Time> seen_at;
};

// Collects the outcome of one Send.
struct Outcome {
  int calls = 0;
  absl::StatusOr<std::string> result = absl::UnknownError("not called");
  absl::Time at;
};

ReplicaResponseCallback Record(Outcome* out, const SimulatedClock* clock) {
  return [out, clock](absl::StatusOr<std::string> r) {
    ++out->calls;
    out->result = std::move(r);
    out->at = clock->Now();
  };
}

LinkFaults Delay(absl::Duration min, absl::Duration max) {
  LinkFaults f;
  f.min_delay = min;
  f.max_delay = max;
  return f;
}

LinkFaults FixedDelay(absl::Duration d) { return Delay(d, d); }

class InMemoryNetworkTest : public ::testing::Test {
 protected:
  InMemoryNetworkTest() : clock_(kStart), net_(&clock_, 1) {
    for (int id = 1; id <= 3; ++id) {
      nodes_.emplace(id, std::make_unique<EchoNode>(&clock_));
      net_.RegisterNode(id, nodes_[id]->Handler());
    }
  }
  EchoNode& node(int id) { return *nodes_[id]; }
  void Send(int from, int to, std::string request, Outcome* out) {
    net_.TransportFor(from)->Send(to, std::move(request), Record(out, &clock_));
  }

  SimulatedClock clock_;
  InMemoryNetwork net_;
  std::map<int, std::unique_ptr<EchoNode>> nodes_;
};

TEST_F(InMemoryNetworkTest, DeliversInOrderOfDelay) {
  ASSERT_TRUE(
      net_.SetLinkFaults(1, 2, FixedDelay(absl::Milliseconds(30))).ok());
  ASSERT_TRUE(
      net_.SetLinkFaults(3, 2, FixedDelay(absl::Milliseconds(10))).ok());
  ASSERT_TRUE(net_.SetLinkFaults(2, 1, FixedDelay(absl::Milliseconds(5))).ok());
  Outcome from1, from3;
  Send(1, 2, "a", &from1);
  Send(3, 2, "b", &from3);
  EXPECT_EQ(from1.calls + from3.calls, 0);  // nothing happens inline
  EXPECT_EQ(clock_.Now(), kStart);

  ASSERT_TRUE(net_.Step());  // b arrives first
  EXPECT_THAT(node(2).seen, ElementsAre("b"));
  EXPECT_EQ(clock_.Now(), kStart + absl::Milliseconds(10));
  ASSERT_TRUE(net_.Step());  // b's response, default link: no delay
  EXPECT_EQ(from3.calls, 1);
  EXPECT_EQ(from3.result.value(), "echo:b");
  EXPECT_EQ(from3.at, kStart + absl::Milliseconds(10));
  ASSERT_TRUE(net_.Step());  // a arrives
  EXPECT_THAT(node(2).seen, ElementsAre("b", "a"));
  EXPECT_EQ(clock_.Now(), kStart + absl::Milliseconds(30));
  ASSERT_TRUE(net_.Step());  // a's response, 5 ms back
  EXPECT_EQ(from1.calls, 1);
  EXPECT_EQ(from1.result.value(), "echo:a");
  EXPECT_EQ(from1.at, kStart + absl::Milliseconds(35));
  // Only the (cancelled) timeouts are gone too: nothing is left.
  EXPECT_FALSE(net_.Step());
  EXPECT_EQ(net_.pending_events(), 0u);
  EXPECT_EQ(clock_.Now(), kStart + absl::Milliseconds(35));
}

TEST_F(InMemoryNetworkTest, RandomDelaysReorderWithinBounds) {
  ASSERT_TRUE(net_.SetDefaultFaults(
                      Delay(absl::Milliseconds(1), absl::Milliseconds(100)))
                  .ok());
  std::vector<Outcome> outs(50);
  for (int i = 0; i < 50; ++i) Send(1, 2, absl::StrCat(i), &outs[i]);
  net_.RunUntilIdle();
  ASSERT_EQ(node(2).seen.size(), 50u);
  std::vector<std::string> in_send_order;
  for (int i = 0; i < 50; ++i) in_send_order.push_back(absl::StrCat(i));
  EXPECT_NE(node(2).seen, in_send_order);  // reordered
  for (size_t i = 0; i < 50; ++i) {
    EXPECT_GE(node(2).seen_at[i], kStart + absl::Milliseconds(1));
    EXPECT_LE(node(2).seen_at[i], kStart + absl::Milliseconds(100));
    if (i > 0) {
      EXPECT_GE(node(2).seen_at[i], node(2).seen_at[i - 1]);
    }
    EXPECT_EQ(outs[i].calls, 1);
    EXPECT_EQ(outs[i].result.value(), absl::StrCat("echo:", i));
    EXPECT_LE(outs[i].at, kStart + absl::Milliseconds(200));
  }
}

TEST_F(InMemoryNetworkTest, DroppedRequestOrResponseTimesOut) {
  ASSERT_TRUE(net_.SetRequestTimeout(absl::Seconds(5)).ok());
  LinkFaults drop_all;
  drop_all.drop_probability = 1;
  ASSERT_TRUE(net_.SetLinkFaults(1, 2, drop_all).ok());
  ASSERT_TRUE(net_.SetLinkFaults(2, 3, drop_all).ok());  // 3's responses

  Outcome request_lost, response_lost;
  Send(1, 2, "x", &request_lost);
  Send(3, 2, "y", &response_lost);
  EXPECT_EQ(net_.RunUntilIdle(), 3u);           // y delivered, two timeouts
  EXPECT_THAT(node(2).seen, ElementsAre("y"));  // x never arrived
  for (const Outcome* o : {&request_lost, &response_lost}) {
    EXPECT_EQ(o->calls, 1);
    EXPECT_EQ(o->result.status().code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_THAT(o->result.status().message(), HasSubstr("5s"));
    EXPECT_EQ(o->at, kStart + absl::Seconds(5));
  }
  const InMemoryNetworkStats stats = net_.stats();
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_EQ(stats.timeouts, 2u);
}

TEST_F(InMemoryNetworkTest, DuplicateRunsHandlerTwiceAndDoneOnce) {
  LinkFaults dup;
  dup.duplicate_probability = 1;
  dup.min_delay = absl::Milliseconds(1);
  dup.max_delay = absl::Milliseconds(9);
  ASSERT_TRUE(net_.SetDefaultFaults(dup).ok());
  Outcome out;
  Send(1, 2, "once", &out);
  net_.RunUntilIdle();
  EXPECT_THAT(node(2).seen, ElementsAre("once", "once"));
  EXPECT_EQ(out.calls, 1);
  EXPECT_EQ(out.result.value(), "echo:once");
  const InMemoryNetworkStats stats = net_.stats();
  // The request and both responses were duplicated: 4 responses, 1 used.
  EXPECT_EQ(stats.duplicated, 3u);
  EXPECT_EQ(stats.discarded, 3u);
}

TEST_F(InMemoryNetworkTest, PartitionCutsBothWaysUntilHeal) {
  ASSERT_TRUE(net_.SetRequestTimeout(absl::Seconds(1)).ok());
  net_.Partition({1});
  Outcome to1, from1, inside;
  Send(2, 1, "to1", &to1);
  Send(1, 3, "from1", &from1);
  Send(2, 3, "inside", &inside);
  net_.RunUntilIdle();
  EXPECT_TRUE(node(1).seen.empty());
  EXPECT_THAT(node(3).seen, ElementsAre("inside"));
  EXPECT_EQ(to1.result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(from1.result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(inside.result.value(), "echo:inside");

  net_.Heal();
  Outcome healed;
  Send(2, 1, "again", &healed);
  net_.RunUntilIdle();
  EXPECT_EQ(healed.result.value(), "echo:again");

  // Partitions accumulate: {1,2} | {3}, then isolating 2 as well.
  net_.Partition({1, 2});
  net_.Isolate(2);
  Outcome same_side, cut_by_second, cut_by_first;
  Send(1, 1, "self", &same_side);  // a node always reaches itself
  Send(1, 2, "12", &cut_by_second);
  Send(3, 1, "31", &cut_by_first);
  net_.RunUntilIdle();
  EXPECT_EQ(same_side.result.value(), "echo:self");
  EXPECT_FALSE(cut_by_second.result.ok());
  EXPECT_FALSE(cut_by_first.result.ok());
}

TEST_F(InMemoryNetworkTest, PartitionLosesMessagesInFlight) {
  ASSERT_TRUE(net_.SetDefaultFaults(FixedDelay(absl::Milliseconds(10))).ok());
  Outcome out;
  Send(1, 2, "late", &out);
  net_.RunFor(absl::Milliseconds(5));
  net_.Isolate(2);  // the request is on the wire
  net_.RunFor(absl::Milliseconds(10));
  net_.Heal();  // too late for it
  net_.RunUntilIdle();
  EXPECT_TRUE(node(2).seen.empty());
  EXPECT_EQ(out.result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(net_.stats().lost, 1u);
}

TEST_F(InMemoryNetworkTest, CrashLosesInFlightAndEndsTheNodesCalls) {
  ASSERT_TRUE(net_.SetDefaultFaults(FixedDelay(absl::Milliseconds(10))).ok());
  Outcome to2, from2;
  Send(1, 2, "to2", &to2);
  Send(2, 3, "from2", &from2);
  bool owned_timer = false, free_timer = false;
  net_.RunAfter(
      absl::Milliseconds(20), [&] { owned_timer = true; }, 2);
  net_.RunAfter(absl::Milliseconds(20), [&] { free_timer = true; });
  net_.RunFor(absl::Milliseconds(5));

  net_.Crash(2);
  EXPECT_FALSE(net_.IsUp(2));
  // 2's own call ends inside Crash, with Unavailable.
  EXPECT_EQ(from2.calls, 1);
  EXPECT_EQ(from2.result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(from2.result.status().message(), HasSubstr("node 2 crashed"));
  // A crashed node cannot send: Unavailable at once.
  Outcome while_down;
  Send(2, 1, "zombie", &while_down);
  EXPECT_EQ(while_down.calls, 1);
  EXPECT_EQ(while_down.result.status().code(), absl::StatusCode::kUnavailable);

  net_.RunUntilIdle();
  EXPECT_TRUE(node(2).seen.empty());  // "to2" was lost with the crash
  EXPECT_TRUE(node(3).seen.empty());  // so was "from2"
  EXPECT_EQ(to2.calls, 1);
  EXPECT_EQ(to2.result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(owned_timer);
  EXPECT_TRUE(free_timer);

  // Requests to a node that is down are lost too.
  Outcome to_down;
  Send(1, 2, "down", &to_down);
  net_.RunUntilIdle();
  EXPECT_EQ(to_down.result.status().code(),
            absl::StatusCode::kDeadlineExceeded);

  net_.Restart(2);
  EXPECT_TRUE(net_.IsUp(2));
  Outcome back;
  Send(1, 2, "back", &back);
  net_.RunUntilIdle();
  EXPECT_EQ(back.result.value(), "echo:back");
  EXPECT_THAT(node(2).seen, ElementsAre("back"));
}

TEST_F(InMemoryNetworkTest, CrashLosesTheResponseOnTheWire) {
  ASSERT_TRUE(net_.SetDefaultFaults(FixedDelay(absl::Milliseconds(10))).ok());
  Outcome out;
  Send(1, 2, "q", &out);
  net_.RunFor(absl::Milliseconds(15));  // handled at 10 ms, response due 20
  ASSERT_THAT(node(2).seen, ElementsAre("q"));
  net_.Crash(2);
  net_.Restart(2);  // a new incarnation does not revive the old response
  net_.RunUntilIdle();
  EXPECT_EQ(out.calls, 1);
  EXPECT_EQ(out.result.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(InMemoryNetworkTest, NoHandlerOrUnknownNodeIsUnavailable) {
  net_.RegisterNode(4, nullptr);  // sends only
  Outcome to4, to9;
  Send(1, 4, "x", &to4);
  Send(1, 9, "y", &to9);
  net_.RunUntilIdle();
  EXPECT_EQ(to4.result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(to4.result.status().message(), HasSubstr("node 4"));
  EXPECT_EQ(to9.result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(clock_.Now(), kStart);  // refused at once, no timeout waited
  Outcome from4;
  Send(4, 1, "z", &from4);
  net_.RunUntilIdle();
  EXPECT_EQ(from4.result.value(), "echo:z");
}

TEST_F(InMemoryNetworkTest, RunForAndTimersShareTheQueue) {
  ASSERT_TRUE(net_.SetDefaultFaults(FixedDelay(absl::Milliseconds(3))).ok());
  std::vector<std::string> order;
  net_.RunAfter(absl::Milliseconds(5), [&] { order.push_back("timer@5"); });
  Outcome out;
  net_.TransportFor(1)->Send(2, "m", [&](absl::StatusOr<std::string> r) {
    order.push_back(absl::StrCat(
        *r, "@", absl::ToInt64Milliseconds(clock_.Now() - kStart)));
  });
  EXPECT_EQ(net_.RunFor(absl::Milliseconds(4)), 1u);  // the request at 3
  EXPECT_EQ(clock_.Now(), kStart + absl::Milliseconds(4));
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(net_.RunFor(absl::Milliseconds(10)), 2u);
  EXPECT_THAT(order, ElementsAre("timer@5", "echo:m@6"));
  EXPECT_EQ(clock_.Now(), kStart + absl::Milliseconds(14));
  // Nothing pending: RunFor still moves time.
  EXPECT_EQ(net_.RunFor(absl::Seconds(1)), 0u);
  EXPECT_EQ(clock_.Now(), kStart + absl::Milliseconds(1014));
}

TEST_F(InMemoryNetworkTest, CallbacksMayCallBackIntoTheNetwork) {
  // A ping-pong chain: each response triggers the next request, and the
  // handler of node 3 sends a request of its own.
  int rounds = 0;
  std::function<void(absl::StatusOr<std::string>)> next =
      [&](absl::StatusOr<std::string> r) {
        ASSERT_TRUE(r.ok()) << r.status();
        if (++rounds < 10) net_.TransportFor(1)->Send(2, "ping", next);
      };
  net_.TransportFor(1)->Send(2, "ping", next);
  Outcome nested;
  net_.RegisterNode(3, [&](absl::string_view) {
    net_.TransportFor(3)->Send(2, "from-handler", Record(&nested, &clock_));
    return std::string("ok");
  });
  Outcome direct;
  Send(1, 3, "go", &direct);
  net_.RunUntilIdle();
  EXPECT_EQ(rounds, 10);
  EXPECT_EQ(direct.result.value(), "ok");
  EXPECT_EQ(nested.result.value(), "echo:from-handler");
}

TEST_F(InMemoryNetworkTest, RejectsBadSettings) {
  EXPECT_EQ(net_.SetRequestTimeout(absl::ZeroDuration()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      net_.SetDefaultFaults(Delay(absl::Milliseconds(5), absl::Milliseconds(1)))
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(net_.SetDefaultFaults(
                    Delay(absl::Milliseconds(-1), absl::Milliseconds(1)))
                .code(),
            absl::StatusCode::kInvalidArgument);
  LinkFaults f;
  f.drop_probability = 1.5;
  EXPECT_EQ(net_.SetLinkFaults(1, 2, f).code(),
            absl::StatusCode::kInvalidArgument);
  f.drop_probability = 0;
  f.duplicate_probability = -0.1;
  EXPECT_EQ(net_.SetDefaultFaults(f).code(),
            absl::StatusCode::kInvalidArgument);
  f.duplicate_probability = std::nan("");
  EXPECT_EQ(net_.SetDefaultFaults(f).code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- Determinism and the exactly-once property ------------------------------

// A random workload over 4 nodes with every kind of fault. Returns a trace
// of everything observable (handler runs, callbacks, network events) and
// checks that every `done` ran exactly once with the right answer.
std::vector<std::string> RunRandomWorkload(
    uint64_t seed, int operations, InMemoryNetworkStats* stats_out = nullptr) {
  SimulatedClock clock(kStart);
  InMemoryNetwork net(&clock, seed);
  std::vector<std::string> trace;
  net.SetTraceSink(
      [&trace](absl::string_view line) { trace.emplace_back(line); });
  LinkFaults faults;
  faults.min_delay = absl::Milliseconds(1);
  faults.max_delay = absl::Milliseconds(50);
  faults.drop_probability = 0.1;
  faults.duplicate_probability = 0.1;
  EXPECT_TRUE(net.SetDefaultFaults(faults).ok());
  EXPECT_TRUE(net.SetRequestTimeout(absl::Milliseconds(200)).ok());

  // The workload's own choices come from a separate generator, so they do
  // not depend on the network's draws.
  std::mt19937_64 rng(seed * 7919 + 1);
  std::vector<int> done_calls;
  int sent = 0;
  std::function<void(int, int)> send = [&](int from, int to) {
    const int id = sent++;
    done_calls.push_back(0);
    const std::string request = absl::StrCat("r", id);
    net.TransportFor(from)->Send(
        to, request, [&, id, request, from](absl::StatusOr<std::string> r) {
          ++done_calls[static_cast<size_t>(id)];
          trace.push_back(
              absl::StrCat("done r", id, " at ",
                           absl::ToInt64Microseconds(clock.Now() - kStart),
                           ": ", r.ok() ? *r : r.status().ToString()));
          if (r.ok()) {
            EXPECT_EQ(*r, absl::StrCat("echo:", request));
          }
          // Sometimes a callback sends again (a fetch loop).
          if (id % 3 == 0 && sent < 3 * 4000) send(from, (from % 4) + 1);
        });
  };
  for (int id = 1; id <= 4; ++id) {
    net.RegisterNode(id, [&trace, id, &clock](absl::string_view request) {
      trace.push_back(
          absl::StrCat("node ", id, " handles ", request, " at ",
                       absl::ToInt64Microseconds(clock.Now() - kStart)));
      return absl::StrCat("echo:", request);
    });
  }
  for (int op = 0; op < operations; ++op) {
    const uint64_t r = rng() % 100;
    const int a = static_cast<int>(rng() % 4) + 1;
    const int b = static_cast<int>(rng() % 4) + 1;
    if (r < 55) {
      send(a, b);
    } else if (r < 62) {
      net.Crash(a);
    } else if (r < 70) {
      net.Restart(a);
    } else if (r < 74) {
      net.Partition({a, b});
    } else if (r < 77) {
      net.Isolate(a);
    } else if (r < 82) {
      net.Heal();
    } else {
      net.RunFor(absl::Milliseconds(static_cast<int64_t>(rng() % 100)));
    }
  }
  net.RunUntilIdle();
  EXPECT_EQ(net.pending_events(), 0u) << "seed " << seed;
  for (size_t id = 0; id < done_calls.size(); ++id) {
    EXPECT_EQ(done_calls[id], 1) << "seed " << seed << " request r" << id;
  }
  const InMemoryNetworkStats stats = net.stats();
  EXPECT_EQ(stats.requests, done_calls.size()) << "seed " << seed;
  if (stats_out != nullptr) *stats_out = stats;
  return trace;
}

TEST(InMemoryNetworkPropertyTest, SameSeedSameTrace) {
  const std::vector<std::string> a = RunRandomWorkload(7, 400);
  const std::vector<std::string> b = RunRandomWorkload(7, 400);
  ASSERT_GT(a.size(), 400u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, RunRandomWorkload(8, 400));
}

TEST(InMemoryNetworkPropertyTest, DoneExactlyOnceUnderRandomFaults) {
  InMemoryNetworkStats total;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    InMemoryNetworkStats stats;
    RunRandomWorkload(seed, 300, &stats);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "first failing seed: " << seed;
      break;
    }
    total.requests += stats.requests;
    total.delivered += stats.delivered;
    total.dropped += stats.dropped;
    total.duplicated += stats.duplicated;
    total.lost += stats.lost;
    total.discarded += stats.discarded;
    total.timeouts += stats.timeouts;
    total.unavailable += stats.unavailable;
  }
  // Every path was taken, many times.
  EXPECT_GT(total.requests, 20000u);
  EXPECT_GT(total.delivered, 10000u);
  EXPECT_GT(total.dropped, 1000u);
  EXPECT_GT(total.duplicated, 1000u);
  EXPECT_GT(total.lost, 1000u);
  EXPECT_GT(total.discarded, 500u);
  EXPECT_GT(total.timeouts, 1000u);
  EXPECT_GT(total.unavailable, 500u);
  // Successes + timeouts + unavailable account for every request.
  EXPECT_LT(total.timeouts + total.unavailable, total.requests);
}

}  // namespace
}  // namespace runnel
