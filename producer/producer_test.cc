// Copyright 2026 The Runnel Authors.
//
// Producer: metadata and callback order, partition choice, linger and
// batch.size under a simulated clock, back-pressure, Flush/Close, bad
// input, idempotent batch fields, configs from Kafka properties.
#include "runnel/producer.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "partition/broker_test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/mem_file_system.h"
#include "runnel/partitioner.h"

namespace runnel {
namespace {

using ::runnel::testing::ReadValues;
using ::runnel::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ProducerRecord Record(absl::string_view topic,
                      std::optional<absl::string_view> key,
                      absl::string_view value) {
  ProducerRecord record;
  record.topic = topic;
  record.key = key;
  record.value = value;
  return record;
}

// A record of 286 bytes with overhead, to partition 0 of "t".
ProducerRecord RecordOf286Bytes() {
  static const std::string& value = *new std::string(250, 'v');
  ProducerRecord record = Record("t", std::nullopt, value);
  record.partition = 0;
  return record;
}

class ProducerTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenBroker(&fs_); }

  void OpenBroker(FileSystem* fs) {
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = fs;
    options.clock = &clock_;
    options.maintenance_interval = absl::ZeroDuration();
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open(options));
    Admin admin(broker_.get());
    RUNNEL_ASSERT_OK(admin.CreateTopic({"t", 3}));
  }

  std::unique_ptr<Producer> MakeProducer(ProducerOptions options = {}) {
    absl::StatusOr<std::unique_ptr<Producer>> producer =
        Producer::Create(broker_.get(), options);
    EXPECT_TRUE(producer.ok()) << producer.status();
    return producer.ok() ? std::move(*producer) : nullptr;
  }

  // A producer whose buffer.memory (1,000 bytes) three RecordOf286Bytes
  // sends have filled: a fourth blocks, up to `max_block`. Nothing leaves
  // before a Flush (linger.ms is an hour on a clock that stands still).
  std::unique_ptr<Producer> ProducerWithFullBuffer(absl::Duration max_block) {
    ProducerOptions options;
    options.linger = absl::Hours(1);
    options.buffer_memory = 1000;
    options.max_block = max_block;
    std::unique_ptr<Producer> producer = MakeProducer(options);
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(producer->Send(RecordOf286Bytes()).ok());
    }
    return producer;
  }

  std::shared_ptr<Partition> Get(int32_t p) {
    return *broker_->GetPartition("t", p);
  }

  MemFileSystem fs_;
  SimulatedClock clock_{absl::FromUnixMillis(1700000000000)};
  std::unique_ptr<Broker> broker_;
};

TEST_F(ProducerTest, SendReportsWhereEachRecordLanded) {
  std::unique_ptr<Producer> producer = MakeProducer();
  std::vector<RecordMetadata> acked;
  std::vector<std::string> topics;
  for (int i = 0; i < 3; ++i) {
    const std::string value = absl::StrCat("v", i);  // outlives Send
    ProducerRecord record = Record("t", "key", value);
    record.partition = 1;
    RUNNEL_ASSERT_OK(
        producer->Send(record, [&](absl::StatusOr<RecordMetadata> sent) {
          ASSERT_TRUE(sent.ok()) << sent.status();
          topics.emplace_back(sent->topic);
          acked.push_back(*sent);
        }));
  }
  RUNNEL_ASSERT_OK(producer->Flush());
  ASSERT_EQ(acked.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(topics[i], "t");
    EXPECT_EQ(acked[i].partition, 1);
    EXPECT_EQ(acked[i].offset, i);
    EXPECT_EQ(acked[i].timestamp, 1700000000000);  // the clock's now
    EXPECT_EQ(acked[i].serialized_key_size, 3);
    EXPECT_EQ(acked[i].serialized_value_size, 2);
  }
  EXPECT_THAT(ReadValues(*Get(1)),
              ::runnel::testing::IsOkAndHolds(ElementsAre("v0", "v1", "v2")));
}

TEST_F(ProducerTest, KeyedRecordsGoWhereKafkaPutsThem) {
  std::unique_ptr<Producer> producer = MakeProducer();
  const std::vector<std::string> keys = {"a", "user-42", "orders", "", "k9"};
  std::vector<int32_t> partitions(keys.size(), -1);
  for (size_t i = 0; i < keys.size(); ++i) {
    RUNNEL_ASSERT_OK(producer->Send(
        Record("t", keys[i], "x"), [&, i](absl::StatusOr<RecordMetadata> m) {
          partitions[i] = m.ok() ? m->partition : -2;
        }));
  }
  RUNNEL_ASSERT_OK(producer->Flush());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(partitions[i], KafkaKeyPartition(keys[i], 3)) << keys[i];
  }
}

TEST_F(ProducerTest, CallbacksOfAPartitionRunInSendOrderAcrossBatches) {
  ProducerOptions options;
  options.batch_size = 200;  // a few records per batch
  std::unique_ptr<Producer> producer = MakeProducer(options);
  std::vector<int64_t> offsets;
  for (int i = 0; i < 500; ++i) {
    const std::string value = absl::StrCat(i);
    ProducerRecord record = Record("t", std::nullopt, value);
    record.partition = 2;
    RUNNEL_ASSERT_OK(
        producer->Send(record, [&](absl::StatusOr<RecordMetadata> m) {
          offsets.push_back(m.ok() ? m->offset : -1);
        }));
  }
  RUNNEL_ASSERT_OK(producer->Flush());
  ASSERT_EQ(offsets.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(offsets[i], i);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> values, ReadValues(*Get(2)));
  EXPECT_EQ(values.front(), "0");
  EXPECT_EQ(values.back(), "499");
  // Many batches, not one per record and not one in all.
  ASSERT_OK_AND_ASSIGN(FetchResult f, Get(2)->Fetch(0, 1 << 20));
  EXPECT_GT(f.read.batches.size(), 10u);
  EXPECT_LT(f.read.batches.size(), 250u);
}

TEST_F(ProducerTest, LingerWaitsOnTheClockAndBatchSizeDoesNot) {
  ProducerOptions options;
  options.linger = absl::Hours(1);
  options.batch_size = 1000;
  std::unique_ptr<Producer> producer = MakeProducer(options);
  std::atomic<int> acked{0};
  auto count = [&](absl::StatusOr<RecordMetadata> m) {
    if (m.ok()) acked++;
  };
  ProducerRecord small = Record("t", std::nullopt, "small");
  small.partition = 0;
  RUNNEL_ASSERT_OK(producer->Send(small, count));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(acked.load(), 0);  // lingering: the clock has not moved
  EXPECT_EQ(Get(0)->high_watermark(), 0);

  // Filling the batch past batch.size sends it without waiting.
  const std::string big(400, 'x');
  ProducerRecord record = Record("t", std::nullopt, big);
  record.partition = 0;
  for (int i = 0; i < 3; ++i) RUNNEL_ASSERT_OK(producer->Send(record, count));
  for (int i = 0; i < 200 && acked.load() < 3; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(acked.load(), 3);  // the first batch: small + 2 big
  // The last record waits for linger.ms on the clock.
  clock_.Advance(absl::Hours(1));
  for (int i = 0; i < 200 && acked.load() < 4; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(acked.load(), 4);
}

TEST_F(ProducerTest, FullBufferBlocksForMaxBlockThenFails) {
  std::unique_ptr<Producer> producer =
      ProducerWithFullBuffer(absl::Milliseconds(30));
  const ProducerRecord record = RecordOf286Bytes();
  const absl::Time start = absl::Now();
  EXPECT_THAT(producer->Send(record),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr("buffer.memory (1000 bytes)")));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(30));
  RUNNEL_ASSERT_OK(producer->Flush());  // frees the buffer
  RUNNEL_EXPECT_OK(producer->Send(record));
  RUNNEL_ASSERT_OK(producer->Flush());
  EXPECT_EQ(Get(0)->high_watermark(), 4);
}

// A Send blocked on a full buffer.memory goes on once the sender frees it
// (the release must wake it; it would otherwise fail after max.block.ms).
TEST_F(ProducerTest, BlockedSendResumesWhenTheSenderFreesMemory) {
  std::unique_ptr<Producer> producer =
      ProducerWithFullBuffer(absl::Minutes(10));
  const ProducerRecord record = RecordOf286Bytes();
  absl::Status blocked_send;
  std::thread sender([&] { blocked_send = producer->Send(record); });
  RUNNEL_ASSERT_OK(producer->Flush());  // sends the 3, freeing their memory
  sender.join();
  RUNNEL_EXPECT_OK(blocked_send);
  RUNNEL_ASSERT_OK(producer->Flush());
  EXPECT_EQ(Get(0)->high_watermark(), 4);
}

// Partitions added after the producer first saw the topic are found.
TEST_F(ProducerTest, SendFindsPartitionsAddedLater) {
  std::unique_ptr<Producer> producer = MakeProducer();
  ProducerRecord record = Record("t", std::nullopt, "v");
  record.partition = 2;
  RUNNEL_ASSERT_OK(producer->Send(record));
  record.partition = 4;
  EXPECT_THAT(producer->Send(record),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("t-4")));
  Admin admin(broker_.get());
  std::vector<absl::Status> grown = admin.CreatePartitions({{"t", 5}});
  ASSERT_EQ(grown.size(), 1u);
  RUNNEL_ASSERT_OK(grown[0]);
  RUNNEL_ASSERT_OK(producer->Send(record));
  RUNNEL_ASSERT_OK(producer->Flush());
  EXPECT_EQ(Get(2)->high_watermark(), 1);
  EXPECT_EQ((*broker_->GetPartition("t", 4))->high_watermark(), 1);
}

TEST_F(ProducerTest, BadRecordsFailAtOnceAndWriteNothing) {
  ProducerOptions options;
  options.max_request_size = 500;
  std::unique_ptr<Producer> producer = MakeProducer(options);
  EXPECT_THAT(producer->Send(Record("nope", "k", "v")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'nope'")));
  ProducerRecord record = Record("t", "k", "v");
  record.partition = 3;
  EXPECT_THAT(producer->Send(record),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("t-3")));
  record.partition = -1;
  EXPECT_THAT(producer->Send(record),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("t--1")));
  const std::string big(600, 'x');
  EXPECT_THAT(producer->Send(Record("t", "k", big)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max.request.size (500)")));
  record = Record("t", "k", "v");
  record.timestamp = -5;
  EXPECT_THAT(producer->Send(record),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-5")));
  // The topic's max.message.bytes applies too.
  Admin admin(broker_.get());
  RUNNEL_ASSERT_OK(
      admin.CreateTopic({"small", 1, 1, {{"max.message.bytes", "200"}}}));
  std::unique_ptr<Producer> fresh = MakeProducer();
  EXPECT_THAT(fresh->Send(Record("small", "k", std::string(300, 'y'))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max.message.bytes (200)")));
  RUNNEL_ASSERT_OK(producer->Flush());
  RUNNEL_ASSERT_OK(fresh->Flush());
  for (int p = 0; p < 3; ++p) EXPECT_EQ(Get(p)->high_watermark(), 0);
}

TEST_F(ProducerTest, CloseSendsWhatIsQueuedThenRefuses) {
  ProducerOptions options;
  options.linger = absl::Hours(1);
  std::unique_ptr<Producer> producer = MakeProducer(options);
  std::atomic<int> acked{0};
  for (int i = 0; i < 10; ++i) {
    RUNNEL_ASSERT_OK(producer->Send(Record("t", "k", "v"),
                                    [&](absl::StatusOr<RecordMetadata> m) {
                                      if (m.ok()) acked++;
                                    }));
  }
  RUNNEL_ASSERT_OK(producer->Close());
  EXPECT_EQ(acked.load(), 10);  // none dropped, no linger wait
  EXPECT_THAT(
      producer->Send(Record("t", "k", "v")),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
  RUNNEL_EXPECT_OK(producer->Close());  // again: nothing to do
}

TEST_F(ProducerTest, SendWithFutureResolves) {
  ProducerOptions options;
  options.linger = absl::ZeroDuration();  // the simulated clock stands still
  std::unique_ptr<Producer> producer = MakeProducer(options);
  ProducerRecord record = Record("t", "k", "v");
  record.partition = 0;
  std::future<absl::StatusOr<RecordMetadata>> sent =
      producer->SendWithFuture(record);
  absl::StatusOr<RecordMetadata> metadata = sent.get();
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_EQ(metadata->offset, 0);
  record.partition = 7;
  EXPECT_THAT(producer->SendWithFuture(record).get().status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("t-7")));
}

TEST_F(ProducerTest, AcksZeroReportsNoOffset) {
  ProducerOptions options;
  options.acks = Acks::kNone;
  options.linger = absl::ZeroDuration();
  std::unique_ptr<Producer> producer = MakeProducer(options);
  absl::StatusOr<RecordMetadata> m =
      producer->SendWithFuture(Record("t", "k", "v")).get();
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->offset, -1);
}

TEST_F(ProducerTest, BatchesCarryProducerIdAndConsecutiveSequences) {
  ProducerOptions options;
  options.batch_size = 100;
  std::unique_ptr<Producer> producer = MakeProducer(options);
  ASSERT_GE(producer->producer_id(), 0);
  for (int i = 0; i < 20; ++i) {
    ProducerRecord record = Record("t", std::nullopt, "0123456789");
    record.partition = 0;
    RUNNEL_ASSERT_OK(producer->Send(record));
  }
  RUNNEL_ASSERT_OK(producer->Flush());
  ASSERT_OK_AND_ASSIGN(FetchResult f, Get(0)->Fetch(0, 1 << 20));
  ASSERT_GT(f.read.batches.size(), 1u);
  int32_t next_sequence = 0;
  for (absl::string_view bytes : f.read.batches) {
    ASSERT_OK_AND_ASSIGN(RecordBatchView batch, RecordBatchView::Parse(bytes));
    EXPECT_EQ(batch.header().producer_id, producer->producer_id());
    EXPECT_EQ(batch.header().producer_epoch, 0);
    EXPECT_EQ(batch.header().base_sequence, next_sequence);
    next_sequence += batch.header().record_count;
  }
  EXPECT_EQ(next_sequence, 20);
  // Disabled: Kafka's "no producer" values.
  options.enable_idempotence = false;
  std::unique_ptr<Producer> plain = MakeProducer(options);
  EXPECT_EQ(plain->producer_id(), -1);
}

TEST_F(ProducerTest, FullDiskIsRetriedUntilDeliveryTimeout) {
  MemFileSystem::Options limited;
  limited.capacity_bytes = 512 << 10;
  MemFileSystem small(limited);
  broker_.reset();
  OpenBroker(&small);
  ProducerOptions options;
  options.clock = Clock::Real();
  options.delivery_timeout = absl::Milliseconds(100);
  options.retry_backoff = absl::Milliseconds(5);
  std::unique_ptr<Producer> producer = MakeProducer(options);
  const std::string value(8 << 10, 'z');
  ProducerRecord record = Record("t", std::nullopt, value);
  record.partition = 0;
  absl::Status last = absl::OkStatus();
  int ok = 0;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 200 && last.ok(); ++i) {
    absl::StatusOr<RecordMetadata> m = producer->SendWithFuture(record).get();
    if (m.ok()) {
      ++ok;
    } else {
      last = m.status();
    }
  }
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));  // retried
  EXPECT_GT(ok, 0);
  EXPECT_THAT(last,
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("t-0")));
  // What was acknowledged is there.
  EXPECT_EQ(Get(0)->high_watermark(), ok);
  producer.reset();
  broker_.reset();  // before `small` goes
}

TEST(ProducerOptionsTest, KafkaPropertiesMapOntoOptions) {
  std::unique_ptr<Partitioner> partitioner;
  absl::StatusOr<ProducerOptions> options = ProducerOptions::FromProperties(
      {{"acks", "1"},
       {"linger.ms", " 20 "},
       {"batch.size", "65536"},
       {"buffer.memory", "1048576"},
       {"max.block.ms", "100"},
       {"compression.type", "lz4"},
       {"enable.idempotence", "false"},
       {"client.id", "svc"},
       {"partitioner.class",
        "org.apache.kafka.clients.producer.RoundRobinPartitioner"},
       {"bootstrap.servers", "localhost:9092"},
       {"key.serializer",
        "org.apache.kafka.common.serialization.StringSerializer"},
       {"runnel.sync.before.ack", "true"}},
      &partitioner, ProducerOptions());
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->acks, Acks::kLeader);
  EXPECT_EQ(options->linger, absl::Milliseconds(20));
  EXPECT_EQ(options->batch_size, 65536u);
  EXPECT_EQ(options->buffer_memory, 1048576u);
  EXPECT_EQ(options->max_block, absl::Milliseconds(100));
  EXPECT_EQ(options->compression, Compression::kLz4);
  EXPECT_FALSE(options->enable_idempotence);
  EXPECT_EQ(options->client_id, "svc");
  EXPECT_TRUE(options->sync_before_ack);
  ASSERT_NE(partitioner, nullptr);
  EXPECT_EQ(options->partitioner, partitioner.get());
}

TEST(ProducerOptionsTest, BadKeysAndValuesAreNamed) {
  std::unique_ptr<Partitioner> partitioner;
  auto parse = [&](const std::string& key, const std::string& value) {
    return ProducerOptions::FromProperties({{key, value}}, &partitioner,
                                           ProducerOptions())
        .status();
  };
  EXPECT_THAT(parse("acks", "2"), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("acks: \"2\"")));
  EXPECT_THAT(
      parse("linger.ms", "-1"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("linger.ms")));
  EXPECT_THAT(
      parse("batch.size", "big"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch.size")));
  EXPECT_THAT(
      parse("compression.type", "zstd"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not available")));
  EXPECT_THAT(parse("enable.idempotence", "yes"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("enable.idempotence")));
  EXPECT_THAT(parse("partitioner.class", "com.example.Mine"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("com.example.Mine")));
  EXPECT_THAT(
      parse("linger.msec", "5"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("linger.msec")));
}

}  // namespace
}  // namespace runnel
