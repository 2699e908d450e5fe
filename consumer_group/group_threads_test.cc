// Copyright 2026 The Runnel Authors.
//
// Consumer groups with real threads: workers in one group, each with its
// own consumer on its own thread, joining and leaving while records arrive.
// Checks exactly-once delivery across clean hand-offs (commits in
// OnPartitionsRevoked) and gives TSan the coordinator's locking to check.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "partition/broker_test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/consumer.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

constexpr int32_t kPartitions = 4;
constexpr int kBatches = 200;  // of 5 records each

// Commits the positions of what is being revoked (Kafka's pattern).
class CommitOnRevoke : public ConsumerRebalanceListener {
 public:
  Consumer* consumer = nullptr;
  void OnPartitionsRevoked(absl::Span<const TopicPartition>) override {
    EXPECT_TRUE(consumer->CommitSync().ok());
  }
  void OnPartitionsAssigned(absl::Span<const TopicPartition>) override {}
};

void RunWorkers(const std::string& strategy) {
  MemFileSystem fs;
  BrokerOptions options;
  options.data_dir = "/data";
  options.file_system = &fs;
  options.maintenance_interval = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options);
  ASSERT_TRUE(broker.ok()) << broker.status();
  ASSERT_TRUE(Admin(broker->get()).CreateTopic({"jobs", kPartitions}).ok());

  std::mutex mu;
  std::multiset<std::pair<int32_t, int64_t>> seen;
  std::atomic<bool> done{false};
  auto worker = [&](int id, absl::Duration lifetime) {
    ConsumerOptions o;
    o.group_id = "workers";
    o.client_id = absl::StrCat("w", id);
    o.enable_auto_commit = false;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.partition_assignment_strategy = strategy;
    o.heartbeat_interval = absl::Milliseconds(5);
    absl::StatusOr<std::unique_ptr<Consumer>> c =
        Consumer::Create(broker->get(), o);
    ASSERT_TRUE(c.ok()) << c.status();
    CommitOnRevoke listener;
    listener.consumer = c->get();
    ASSERT_TRUE((*c)->Subscribe({"jobs"}, &listener).ok());
    const absl::Time until = absl::Now() + lifetime;
    while (!done.load() && absl::Now() < until) {
      absl::StatusOr<ConsumerRecords> r = (*c)->Poll(absl::Milliseconds(5));
      ASSERT_TRUE(r.ok()) << r.status();
      std::lock_guard<std::mutex> lock(mu);
      for (const ConsumerRecord& rec : *r)
        seen.insert({rec.partition, rec.offset});
    }
    ASSERT_TRUE((*c)->Close().ok());  // revokes (commits) and leaves
  };

  std::vector<std::thread> threads;
  threads.emplace_back(worker, 0, absl::InfiniteDuration());
  threads.emplace_back(worker, 1, absl::Milliseconds(40));  // leaves early
  threads.emplace_back(worker, 2, absl::InfiniteDuration());
  for (int b = 0; b < kBatches; ++b) {
    std::shared_ptr<Partition> p =
        *(*broker)->GetPartition("jobs", b % kPartitions);
    ASSERT_TRUE(p->Append(testing::MakeBatch("j", 5)).ok());
    if (b == kBatches / 2)
      threads.emplace_back(worker, 3, absl::InfiniteDuration());
    absl::SleepFor(absl::Microseconds(500));
  }
  const size_t total = static_cast<size_t>(kBatches) * 5;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      std::set<std::pair<int32_t, int64_t>> distinct(seen.begin(), seen.end());
      if (distinct.size() == total) break;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  done.store(true);
  for (std::thread& t : threads) t.join();
  std::set<std::pair<int32_t, int64_t>> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), total) << "records lost";
  EXPECT_EQ(seen.size(), total) << "records delivered twice";
}

TEST(GroupThreadsTest, EagerWorkersDeliverEachRecordOnce) {
  RunWorkers("range");
}

TEST(GroupThreadsTest, CooperativeWorkersDeliverEachRecordOnce) {
  RunWorkers("cooperative-sticky");
}

}  // namespace
}  // namespace runnel
