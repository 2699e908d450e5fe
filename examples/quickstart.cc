// Copyright 2026 The Runnel Authors.
//
// quickstart — a first look at Runnel: an in-process broker, a topic,
// records in Kafka's own format.
//
//   ./bazelw run //examples:quickstart [-- --dir=/tmp/runnel-quickstart]
//
// It opens a broker on a data directory (Kafka's log.dirs), creates the topic
// "quickstart" (3 partitions, 1 day of retention) unless an earlier run did,
// and describes it as kafka-topics.sh --describe would. It then encodes a few
// records as Kafka RecordBatch v2 batches (one plain, one LZ4-compressed),
// appends them to partition 0, makes them durable, and fetches every batch
// back from the start, checking each CRC32C, printing the records. Run it
// again: the topic and the earlier records are still there, and the new
// batches get the next offsets. The partition directory
// (<dir>/quickstart-0/) is a Kafka log directory: Kafka's DumpLogSegments
// can read it.
//
// Last, a Producer (Kafka's KafkaProducer) sends keyed records to the topic
// "orders" and prints where each landed: a key always goes to the same
// partition, the one Kafka's own client would pick (murmur2).
//
// Then a Consumer of the group "quickstart" reads them back and commits: run
// it again and it reads only the new ones.
//
// This example grows with Runnel: consumer groups with rebalancing come
// next.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "runnel/runnel.h"

ABSL_FLAG(std::string, dir, "/tmp/runnel-quickstart",
          "The broker's data directory (created, then reused).");

namespace {

// Prints "null" for a null key or value, the text otherwise.
std::string Show(const std::optional<absl::string_view>& bytes) {
  return bytes ? absl::StrFormat("\"%s\"", *bytes) : "null";
}

// Encodes the demo records into `segment` as two batches, three plain
// records and two LZ4-compressed ones, as a producer would send them (the
// log assigns their real offsets).
absl::Status EncodeDemoBatches(int64_t now_ms, std::string* segment) {
  runnel::RecordBatchOptions plain;
  plain.base_offset = 0;
  runnel::RecordBatchBuilder first(plain, segment);
  const runnel::RecordHeaderView trace[] = {{"trace-id", "7f3a"}};
  if (auto s = first.Append(now_ms, "user-1", "signed up", trace); !s.ok()) {
    return s;
  }
  if (auto s = first.Append(now_ms + 1, "user-2", "signed up"); !s.ok()) {
    return s;
  }
  if (auto s = first.Append(now_ms + 2, "user-1", "bought a kettle"); !s.ok()) {
    return s;
  }
  if (auto header = first.Finish(); !header.ok()) return header.status();

  runnel::RecordBatchOptions compressed;
  compressed.base_offset = 3;
  compressed.compression = runnel::Compression::kLz4;
  runnel::RecordBatchBuilder second(compressed, segment);
  if (auto s = second.Append(now_ms + 3, std::nullopt, "a keyless record");
      !s.ok()) {
    return s;
  }
  if (auto s = second.Append(now_ms + 4, "user-2", std::nullopt); !s.ok()) {
    return s;  // a tombstone: null value
  }
  return second.Finish().status();
}

// Creates the demo topic unless it exists, then prints its description.
absl::Status CreateAndDescribeTopic(runnel::Admin& admin) {
  runnel::NewTopic topic("quickstart", /*num_partitions=*/3);
  topic.configs = {{"retention.ms", "86400000"}};
  absl::Status created = admin.CreateTopic(topic);
  if (absl::IsAlreadyExists(created)) {
    std::printf("topic quickstart exists (made by an earlier run)\n");
  } else if (!created.ok()) {
    return created;
  } else {
    std::printf("created topic quickstart\n");
  }
  auto description = admin.DescribeTopic("quickstart");
  if (!description.ok()) return description.status();
  std::printf("Topic: %s\tTopicId: %s\tPartitionCount: %zu\n",
              description->name.c_str(), description->topic_id.c_str(),
              description->partitions.size());
  for (const runnel::PartitionDescription& p : description->partitions) {
    std::printf(
        "\tPartition: %d\tLeader: %d\tLogStartOffset: %lld\t"
        "HighWatermark: %lld\n",
        p.partition, p.leader, static_cast<long long>(p.log_start_offset),
        static_cast<long long>(p.high_watermark));
  }
  auto configs = admin.DescribeConfigs("quickstart");
  if (!configs.ok()) return configs.status();
  for (const runnel::ConfigEntry& entry : *configs) {
    if (!entry.is_default) {
      std::printf("\tConfig: %s=%s\n", entry.name.c_str(), entry.value.c_str());
    }
  }
  std::printf("\n");
  return absl::OkStatus();
}

// Prints every record of one batch.
absl::Status PrintBatch(absl::string_view bytes) {
  auto batch = runnel::DecodedBatch::Decode(bytes);  // checks the CRC32C
  if (!batch.ok()) return batch.status();
  const runnel::RecordBatchHeader& header = batch->header();
  std::printf(
      "batch: offsets %lld-%lld, %zu bytes, compression %s\n",
      static_cast<long long>(header.base_offset),
      static_cast<long long>(header.base_offset + header.last_offset_delta),
      header.size_bytes(),
      std::string(runnel::CompressionName(header.compression)).c_str());
  for (const runnel::RecordView& r : batch->records()) {
    std::printf("  offset %lld  ts %lld  key %s  value %s",
                static_cast<long long>(r.offset),
                static_cast<long long>(r.timestamp), Show(r.key).c_str(),
                Show(r.value).c_str());
    for (const runnel::RecordHeaderView& h : r.headers) {
      std::printf("  header %s=%s", std::string(h.key).c_str(),
                  Show(h.value).c_str());
    }
    std::printf("\n");
  }
  return absl::OkStatus();
}

// Appends the demo batches to partition 0, syncs, reads it all back.
absl::Status ProduceAndFetch(runnel::Partition& partition) {
  std::string batches;
  if (auto s = EncodeDemoBatches(1700000000000, &batches); !s.ok()) return s;
  auto appended = partition.Append(batches);  // offsets assigned here
  if (!appended.ok()) return appended.status();
  if (auto s = partition.Sync(); !s.ok()) return s;  // now durable
  std::printf("appended offsets %lld-%lld to %s and synced\n\n",
              static_cast<long long>(appended->first_offset),
              static_cast<long long>(appended->last_offset),
              partition.topic_partition().ToString().c_str());
  for (int64_t offset = partition.log_start_offset();
       offset < partition.high_watermark();) {
    auto fetched = partition.Fetch(offset, 1 << 20);
    if (!fetched.ok()) return fetched.status();
    for (absl::string_view batch : fetched->read.batches) {
      if (auto s = PrintBatch(batch); !s.ok()) return s;
      auto header = runnel::ReadBatchHeader(batch);
      if (!header.ok()) return header.status();
      offset = header->base_offset + header->last_offset_delta + 1;
    }
  }
  return absl::OkStatus();
}

// Sends keyed records with a Producer; each callback prints where its
// record landed.
absl::Status ProduceKeyed(runnel::Broker* broker) {
  runnel::Admin admin(broker);
  absl::Status created = admin.CreateTopic({"orders", /*num_partitions=*/3});
  if (!created.ok() && !absl::IsAlreadyExists(created)) return created;
  auto producer = runnel::Producer::Create(broker, runnel::ProducerOptions());
  if (!producer.ok()) return producer.status();
  std::printf("\nproducing to topic orders:\n");
  const std::vector<std::pair<std::string, std::string>> orders = {
      {"alice", "kettle"}, {"dave", "teapot"}, {"carol", "mug"},
      {"alice", "tea"},    {"dave", "milk"},   {"carol", "sugar"}};
  for (const auto& [key, value] : orders) {
    runnel::ProducerRecord record;
    record.topic = "orders";
    record.key = key;
    record.value = value;
    const std::string shown =
        absl::StrFormat("key \"%s\" value \"%s\"", key, value);
    absl::Status sent = (*producer)->Send(
        record, [shown](absl::StatusOr<runnel::RecordMetadata> m) {
          if (!m.ok()) {
            std::printf("  %s failed: %s\n", shown.c_str(),
                        m.status().ToString().c_str());
            return;
          }
          std::printf("  %s -> %s-%d offset %lld\n", shown.c_str(),
                      std::string(m->topic).c_str(), m->partition,
                      static_cast<long long>(m->offset));
        });
    if (!sent.ok()) return sent;
  }
  return (*producer)->Close();  // sends what is queued, runs the callbacks
}

// Consumes "orders" as the group "quickstart" and commits: a second run
// only sees the records produced since (the group resumes where it left).
absl::Status ConsumeAndCommit(runnel::Broker* broker) {
  runnel::ConsumerOptions options;
  options.group_id = "quickstart";
  options.auto_offset_reset = runnel::OffsetReset::kEarliest;
  auto consumer = runnel::Consumer::Create(broker, options);
  if (!consumer.ok()) return consumer.status();
  if (auto s = (*consumer)->Subscribe({"orders"}); !s.ok()) return s;
  std::printf("\nconsuming orders as group quickstart:\n");
  int consumed = 0;
  while (true) {
    auto records = (*consumer)->Poll(absl::ZeroDuration());
    if (!records.ok()) return records.status();
    if (records->empty()) break;
    for (const runnel::ConsumerRecord& r : *records) {
      std::printf("  %s-%d offset %lld: %s\n", std::string(r.topic).c_str(),
                  r.partition, static_cast<long long>(r.offset),
                  Show(r.value).c_str());
      ++consumed;
    }
  }
  if (auto s = (*consumer)->CommitSync(); !s.ok()) return s;
  std::printf("consumed %d records and committed\n", consumed);
  return (*consumer)->Close();
}

absl::Status Run(const std::string& dir) {
  runnel::BrokerOptions options;
  options.data_dir = dir;
  auto broker = runnel::Broker::Open(options);
  if (!broker.ok()) return broker.status();
  std::printf("broker open on %s\n", dir.c_str());
  runnel::Admin admin(broker->get());
  if (auto s = CreateAndDescribeTopic(admin); !s.ok()) return s;
  auto partition = (*broker)->GetPartition("quickstart", 0);
  if (!partition.ok()) return partition.status();
  if (auto s = ProduceAndFetch(**partition); !s.ok()) return s;
  if (auto s = ProduceKeyed(broker->get()); !s.ok()) return s;
  if (auto s = ConsumeAndCommit(broker->get()); !s.ok()) return s;
  return (*broker)->Close();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (absl::Status status = Run(absl::GetFlag(FLAGS_dir)); !status.ok()) {
    std::fprintf(stderr, "quickstart failed: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
