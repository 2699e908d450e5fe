// Copyright 2026 The Runnel Authors.
//
// quickstart — a first look at Runnel's storage format.
//
//   ./bazelw run //examples:quickstart [-- --dir=/tmp/runnel-quickstart]
//
// It encodes a few records as Kafka RecordBatch v2 batches (one plain, one
// LZ4-compressed), appends them to a segment file named the way Kafka names
// them, makes them durable, then maps the file and reads every batch back,
// checking each CRC32C, and prints the records. The segment is a valid Kafka
// .log file: Kafka's DumpLogSegments can read it.
//
// This example grows with Runnel: later it will create a topic on an
// in-process broker, produce and consume.
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
          "Directory for the demo partition (created, then reused).");

namespace {

// Prints "null" for a null key or value, the text otherwise.
std::string Show(const std::optional<absl::string_view>& bytes) {
  return bytes ? absl::StrFormat("\"%s\"", *bytes) : "null";
}

// Encodes the demo records into `segment` as two batches: offsets 0-2 plain
// and 3-4 LZ4-compressed, as a producer would have sent them.
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

// Appends `bytes` to a new segment file and makes file and name durable.
absl::Status WriteSegment(runnel::FileSystem* fs, const std::string& dir,
                          const std::string& path, absl::string_view bytes) {
  if (auto s = fs->CreateDirs(dir); !s.ok()) return s;
  auto file = fs->OpenFile(path, runnel::OpenOptions::CreateTruncate());
  if (!file.ok()) return file.status();
  if (auto s = (*file)->Append(bytes); !s.ok()) return s;
  if (auto s = (*file)->Sync(); !s.ok()) return s;  // content durable
  if (auto s = (*file)->Close(); !s.ok()) return s;
  return fs->SyncDir(dir);  // the file's name durable
}

// Maps the segment read-only and prints every record of every batch.
absl::Status PrintSegment(runnel::FileSystem* fs, const std::string& path) {
  auto file = fs->OpenFile(path, runnel::OpenOptions::ReadOnly());
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  auto mapping = (*file)->Map(0, *size, runnel::MapMode::kReadOnly);
  if (!mapping.ok()) return mapping.status();
  absl::string_view rest((*mapping)->data(), (*mapping)->size());

  while (!rest.empty()) {
    auto header = runnel::ReadBatchHeader(rest);
    if (!header.ok()) return header.status();
    auto batch = runnel::DecodedBatch::Decode(
        rest.substr(0, header->size_bytes()));  // checks the CRC32C
    if (!batch.ok()) return batch.status();
    std::printf(
        "batch: offsets %lld-%lld, %zu bytes, compression %s\n",
        static_cast<long long>(header->base_offset),
        static_cast<long long>(header->base_offset + header->last_offset_delta),
        header->size_bytes(),
        std::string(runnel::CompressionName(header->compression)).c_str());
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
    rest.remove_prefix(header->size_bytes());
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_dir) + "/quickstart-0";
  const std::string path = dir + "/00000000000000000000.log";
  runnel::FileSystem* fs = runnel::FileSystem::Default();

  std::string segment;
  absl::Status status = EncodeDemoBatches(1700000000000, &segment);
  if (status.ok()) status = WriteSegment(fs, dir, path, segment);
  if (status.ok()) {
    std::printf("wrote %zu bytes to %s\n\n", segment.size(), path.c_str());
    status = PrintSegment(fs, path);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "quickstart failed: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
