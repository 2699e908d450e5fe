// Copyright 2026 The Runnel Authors.
//
// ReplicaManager: three brokers (each on its own MemFileSystem) replicating
// one partition over an InMemoryNetwork on a SimulatedClock. The high
// watermark, ISR shrink and expand, truncation after a leader change, and
// acks=all with too few in-sync replicas.
#include "runnel/replica_manager.h"

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "partition/broker_test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/clock.h"
#include "runnel/in_memory_network.h"
#include "runnel/mem_file_system.h"
#include "runnel/producer.h"
#include "runnel/record_batch.h"

namespace runnel {
namespace {

using ::runnel::testing::MakeBatch;
using ::runnel::testing::ReadValues;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

const TopicPartition kTp{"t", 0};
const std::vector<int32_t> kAll = {0, 1, 2};

class ReplicationTest : public ::testing::Test {
 protected:
  struct Node {
    MemFileSystem fs;
    std::unique_ptr<Broker> broker;
    std::unique_ptr<ReplicaManager> replicas;
  };

  void SetUp() override {
    // A lost fetch is noticed after a second (the transport's timeout).
    ASSERT_TRUE(net_.SetRequestTimeout(absl::Seconds(1)).ok());
    for (int32_t id = 0; id < 3; ++id) Start(id);
  }

  void Start(int32_t id, int min_insync = 1) {
    Node& n = nodes_[id];
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = &n.fs;
    options.clock = &clock_;
    options.broker_id = id;
    options.maintenance_interval = absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options);
    ASSERT_TRUE(broker.ok()) << broker.status();
    n.broker = *std::move(broker);
    absl::Status created =
        Admin(n.broker.get())
            .CreateTopic({"t",
                          1,
                          -1,
                          {{"min.insync.replicas", absl::StrCat(min_insync)}}});
    ASSERT_TRUE(created.ok() || absl::IsAlreadyExists(created)) << created;
    ReplicaManagerOptions ro;
    ro.transport = net_.TransportFor(id);
    ro.replica_lag_time_max = absl::Seconds(10);
    ro.replica_fetch_wait_max = absl::ZeroDuration();
    ro.replica_fetch_backoff = absl::Milliseconds(100);
    ro.schedule = [this, id](absl::Duration d, std::function<void()> fn) {
      net_.RunAfter(d, std::move(fn), id);
    };
    ro.on_isr_change = [this](const TopicPartition&, int32_t,
                              const std::vector<int32_t>& isr) {
      reported_isr_ = isr;
    };
    absl::StatusOr<std::unique_ptr<ReplicaManager>> rm =
        ReplicaManager::Create(n.broker.get(), ro);
    ASSERT_TRUE(rm.ok()) << rm.status();
    n.replicas = *std::move(rm);
    net_.RegisterNode(id, n.replicas->handler());
  }

  std::shared_ptr<Partition> P(int32_t id) {
    return *nodes_[id].broker->GetPartition("t", 0);
  }

  // Leader 0 at epoch 1, followers 1 and 2.
  void Elect(int32_t leader, int32_t epoch, std::vector<int32_t> isr) {
    ASSERT_TRUE(
        nodes_[leader].replicas->BecomeLeader(kTp, epoch, kAll, isr).ok());
    for (int32_t id : kAll) {
      if (id == leader) continue;
      ASSERT_TRUE(
          nodes_[id].replicas->BecomeFollower(kTp, epoch, leader, kAll).ok());
    }
  }

  void Append(int32_t id, const std::string& prefix, int count) {
    absl::StatusOr<AppendInfo> info = P(id)->Append(MakeBatch(prefix, count));
    ASSERT_TRUE(info.ok()) << info.status();
  }

  // Every value in node `id`'s log, up to its end (not its HW).
  std::vector<std::string> LogValues(int32_t id) {
    std::vector<std::string> out;
    std::shared_ptr<Partition> p = P(id);
    for (int64_t offset = p->log_start_offset();
         offset < p->log_end_offset();) {
      absl::StatusOr<LogReadResult> read = p->ReadForReplica(offset, 1 << 20);
      EXPECT_TRUE(read.ok()) << read.status();
      if (!read.ok() || read->batches.empty()) break;
      for (absl::string_view bytes : read->batches) {
        absl::StatusOr<DecodedBatch> batch = DecodedBatch::Decode(bytes);
        EXPECT_TRUE(batch.ok());
        if (!batch.ok()) return out;
        for (const RecordView& r : batch->records()) {
          out.emplace_back(r.value.value_or("null"));
        }
        offset = batch->header().next_offset();
      }
    }
    return out;
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1700000000)};
  InMemoryNetwork net_{&clock_, /*seed=*/7};
  std::array<Node, 3> nodes_;
  std::vector<int32_t> reported_isr_;
};

TEST_F(ReplicationTest, TheHighWatermarkWaitsForEveryInSyncReplica) {
  Elect(0, 1, kAll);
  Append(0, "a", 5);
  EXPECT_EQ(P(0)->log_end_offset(), 5);
  EXPECT_EQ(P(0)->high_watermark(), 0);  // nobody else has them yet
  EXPECT_THAT(ReadValues(*P(0)),
              ::runnel::testing::IsOkAndHolds(::testing::IsEmpty()));
  net_.RunFor(absl::Seconds(1));
  for (int32_t id : kAll) {
    EXPECT_EQ(P(id)->log_end_offset(), 5) << "broker " << id;
    EXPECT_EQ(P(id)->high_watermark(), 5) << "broker " << id;
    EXPECT_THAT(ReadValues(*P(id)), ::runnel::testing::IsOkAndHolds(ElementsAre(
                                        "a-0", "a-1", "a-2", "a-3", "a-4")));
  }
  EXPECT_EQ(P(1)->state().leader, 0);
  EXPECT_EQ(P(1)->state().leader_epoch, 1);
}

TEST_F(ReplicationTest, TheIsrShrinksOnLagAndGrowsOnCatchingUp) {
  Elect(0, 1, kAll);
  Append(0, "a", 5);
  net_.RunFor(absl::Seconds(1));
  net_.Isolate(2);
  Append(0, "b", 3);
  net_.RunFor(absl::Seconds(1));
  EXPECT_EQ(P(0)->high_watermark(), 5);  // 2 is still in the ISR
  net_.RunFor(absl::Seconds(15));        // past replica.lag.time.max
  EXPECT_THAT(P(0)->state().isr, ElementsAre(0, 1));
  EXPECT_THAT(reported_isr_, ElementsAre(0, 1));
  EXPECT_EQ(P(0)->high_watermark(), 8);
  EXPECT_EQ(P(2)->log_end_offset(), 5);

  net_.Heal();
  net_.RunFor(absl::Seconds(2));
  EXPECT_THAT(P(0)->state().isr, ElementsAre(0, 1, 2));
  EXPECT_THAT(reported_isr_, ElementsAre(0, 1, 2));
  EXPECT_EQ(LogValues(2), LogValues(0));
  EXPECT_EQ(P(2)->high_watermark(), 8);
}

// The old leader wrote records nobody else got; after the new leader took
// over and wrote others at the same offsets, the old leader comes back as a
// follower, truncates its divergent tail and copies the new leader's.
TEST_F(ReplicationTest, AFormerLeaderTruncatesWhatDivergedAfterALeaderChange) {
  Elect(0, 1, kAll);
  Append(0, "a", 5);
  net_.RunFor(absl::Seconds(1));
  ASSERT_EQ(P(0)->high_watermark(), 5);
  net_.Isolate(0);
  Append(0, "lost", 2);  // offsets 5-6, never replicated, never committed
  EXPECT_EQ(P(0)->high_watermark(), 5);

  ASSERT_TRUE(nodes_[1].replicas->BecomeLeader(kTp, 2, kAll, {1, 2}).ok());
  ASSERT_TRUE(nodes_[2].replicas->BecomeFollower(kTp, 2, 1, kAll).ok());
  Append(1, "new", 3);  // offsets 5-7 at epoch 2
  net_.RunFor(absl::Seconds(1));
  EXPECT_EQ(P(1)->high_watermark(), 8);

  net_.Heal();
  ASSERT_TRUE(nodes_[0].replicas->BecomeFollower(kTp, 2, 1, kAll).ok());
  net_.RunFor(absl::Seconds(2));
  const std::vector<std::string> expected = {"a-0", "a-1",   "a-2",   "a-3",
                                             "a-4", "new-0", "new-1", "new-2"};
  for (int32_t id : kAll) {
    EXPECT_THAT(LogValues(id), ElementsAreArray(expected)) << "broker " << id;
  }
  EXPECT_THAT(P(1)->state().isr, ElementsAre(1, 2, 0));
  EXPECT_EQ(P(0)->high_watermark(), 8);
  // A stale leader is fenced: epoch 1 is over.
  EXPECT_FALSE(nodes_[0].replicas->BecomeLeader(kTp, 1, kAll, kAll).ok());
}

TEST_F(ReplicationTest, AcksAllFailsWithTooFewInSyncReplicas) {
  for (Node& n : nodes_) {
    n.replicas.reset();
    n.broker.reset();
  }
  for (int32_t id = 0; id < 3; ++id) {
    nodes_[id].fs.RemoveAll("/data").IgnoreError();
    Start(id, /*min_insync=*/2);
  }
  Elect(0, 1, {0});  // only the leader in sync
  ProducerOptions options;
  options.acks = Acks::kAll;
  options.linger = absl::ZeroDuration();  // the clock is simulated
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create(nodes_[0].broker.get(), options);
  ASSERT_TRUE(producer.ok()) << producer.status();
  ProducerRecord record;
  record.topic = "t";
  record.value = "v";
  absl::StatusOr<RecordMetadata> sent =
      (*producer)->SendWithFuture(record).get();
  EXPECT_THAT(sent.status(),
              ::runnel::testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("NOT_ENOUGH_REPLICAS")));
  EXPECT_EQ(P(0)->log_end_offset(), 0);  // nothing appended

  // Once a follower is back in sync, acks=all succeeds after replication.
  net_.RunFor(absl::Seconds(1));
  ASSERT_THAT(P(0)->state().isr, ElementsAre(0, 1, 2));
  std::future<absl::StatusOr<RecordMetadata>> pending =
      (*producer)->SendWithFuture(record);
  for (int i = 0; i < 2000 && pending.wait_for(std::chrono::milliseconds(1)) !=
                                  std::future_status::ready;
       ++i) {
    net_.RunFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(0)),
            std::future_status::ready);
  sent = pending.get();
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->offset, 0);
  EXPECT_GE(P(0)->high_watermark(), 1);
  ASSERT_TRUE((*producer)->Close(absl::Seconds(5)).ok());
}

}  // namespace
}  // namespace runnel
