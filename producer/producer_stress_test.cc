// Copyright 2026 The Runnel Authors.
//
// Many threads sharing one producer (Kafka's advice): every record is
// acknowledged exactly once, each partition's offsets are dense, and each
// thread's records keep their send order within a partition. Run under
// TSan by CI (tag "concurrency"). Threads × records per thread default to
// 8 × 100,000; RUNNEL_STRESS_RECORDS_PER_THREAD=1000000 gives the 8 × 1M
// run of the acceptance.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/mem_file_system.h"
#include "runnel/producer.h"

namespace runnel {
namespace {

constexpr int kThreads = 8;
constexpr int kPartitions = 3;

int RecordsPerThread() {
  int n = 100000;
  if (const char* env = std::getenv("RUNNEL_STRESS_RECORDS_PER_THREAD")) {
    if (!absl::SimpleAtoi(env, &n) || n < 1) n = 100000;
  }
  return n;
}

struct Landed {
  int32_t partition = -1;
  int64_t offset = -1;
  std::atomic<int> acks{0};
};

TEST(ProducerStressTest, SharedProducerAcksEveryRecordOnceInOrder) {
  MemFileSystem fs;
  BrokerOptions broker_options;
  broker_options.data_dir = "/data";
  broker_options.file_system = &fs;
  broker_options.maintenance_interval = absl::ZeroDuration();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker,
                       Broker::Open(broker_options));
  RUNNEL_ASSERT_OK(Admin(broker.get()).CreateTopic({"stress", kPartitions}));
  ProducerOptions options;
  options.linger = absl::ZeroDuration();
  options.batch_size = 64 << 10;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Producer> producer,
                       Producer::Create(broker.get(), options));

  const int per_thread = RecordsPerThread();
  std::vector<std::unique_ptr<Landed[]>> landed;
  for (int t = 0; t < kThreads; ++t) {
    landed.push_back(std::make_unique<Landed[]>(per_thread));
  }
  std::atomic<int> send_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string value(100, static_cast<char>('a' + t));
      for (int i = 0; i < per_thread; ++i) {
        const std::string key = absl::StrCat(t, "-", i % 16);
        ProducerRecord record;
        record.topic = "stress";
        record.key = key;
        record.value = value;
        Landed* slot = &landed[t][i];
        absl::Status s =
            producer->Send(record, [slot](absl::StatusOr<RecordMetadata> m) {
              if (m.ok()) {
                slot->partition = m->partition;
                slot->offset = m->offset;
              }
              slot->acks.fetch_add(1);
            });
        if (!s.ok()) send_errors++;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  RUNNEL_ASSERT_OK(producer->Flush());
  ASSERT_EQ(send_errors.load(), 0);

  std::vector<std::vector<bool>> seen(kPartitions);
  for (int p = 0; p < kPartitions; ++p) {
    seen[p].resize((*broker->GetPartition("stress", p))->high_watermark());
  }
  int64_t total = 0;
  for (int t = 0; t < kThreads; ++t) {
    std::vector<int64_t> last(kPartitions, -1);
    for (int i = 0; i < per_thread; ++i) {
      const Landed& l = landed[t][i];
      ASSERT_EQ(l.acks.load(), 1) << "thread " << t << " record " << i;
      ASSERT_GE(l.partition, 0);
      ASSERT_LT(l.offset, static_cast<int64_t>(seen[l.partition].size()));
      ASSERT_FALSE(seen[l.partition][l.offset]) << "offset given twice";
      seen[l.partition][l.offset] = true;
      ASSERT_GT(l.offset, last[l.partition]) << "send order broken";
      last[l.partition] = l.offset;
      ++total;
    }
  }
  int64_t stored = 0;
  for (int p = 0; p < kPartitions; ++p) {
    stored += static_cast<int64_t>(seen[p].size());
    EXPECT_TRUE(
        std::all_of(seen[p].begin(), seen[p].end(), [](bool b) { return b; }))
        << "offsets of partition " << p << " are not dense";
  }
  EXPECT_EQ(total, int64_t{kThreads} * per_thread);
  EXPECT_EQ(stored, total);
  RUNNEL_EXPECT_OK(producer->Close());
}

}  // namespace
}  // namespace runnel
