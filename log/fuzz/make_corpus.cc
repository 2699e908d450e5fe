// Writes the seed corpus for record_batch_fuzzer into the directory given as
// argv[1] (log/fuzz/corpus/ in the source tree):
//   ./bazelw run //log/fuzz:make_corpus -- "$PWD/log/fuzz/corpus"
// Seeds: small uncompressed and LZ4 batches, control batches, every header
// flag, a kafkajs-style LZ4 frame, and a two-batch "segment".
#include <lz4frame.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "runnel/record_batch.h"

namespace {

using runnel::Compression;
using runnel::Record;
using runnel::RecordBatchOptions;

std::vector<Record> Records(int n) {
  std::vector<Record> records;
  for (int i = 0; i < n; ++i) {
    Record r;
    r.timestamp = 1700000000000 + (i % 3 == 1 ? -50 : 10 * i);
    if (i % 4 != 3) r.key = "key-" + std::to_string(i);
    if (i % 5 != 4) r.value = std::string(static_cast<size_t>(i * 7), 'v');
    if (i % 2 == 0) r.headers.push_back({"h", std::string("x")});
    if (i % 3 == 0) r.headers.push_back({"null", std::nullopt});
    records.push_back(r);
  }
  return records;
}

bool Write(const std::string& dir, const std::string& name,
           const std::string& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), name.c_str());
    return false;
  }
  return true;
}

std::string Encode(const RecordBatchOptions& options, int n) {
  absl::StatusOr<std::string> batch =
      runnel::EncodeRecordBatch(options, Records(n));
  if (!batch.ok()) {
    std::fprintf(stderr, "%s\n", batch.status().ToString().c_str());
    std::exit(1);
  }
  return *batch;
}

// The records of `plain` re-compressed as kafkajs-lz4 would (FLG 0x64, BD
// 0x70), with the batch length, attributes and CRC fixed up.
std::string KafkajsLz4(const std::string& plain) {
  const std::string records = plain.substr(61);
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.blockSizeID = LZ4F_max4MB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  LZ4F_cctx* cctx = nullptr;
  LZ4F_createCompressionContext(&cctx, LZ4F_VERSION);
  std::string frame(LZ4F_compressBound(records.size(), &prefs) + 32, '\0');
  size_t n = LZ4F_compressBegin(cctx, &frame[0], frame.size(), &prefs);
  n += LZ4F_compressUpdate(cctx, &frame[n], frame.size() - n, records.data(),
                           records.size(), nullptr);
  n += LZ4F_compressEnd(cctx, &frame[n], frame.size() - n, nullptr);
  LZ4F_freeCompressionContext(cctx);
  frame.resize(n);
  std::string batch = plain.substr(0, 61) + frame;
  // Fix batchLength, the codec bits and the CRC by hand (bit-wise CRC-32C).
  const uint32_t length = static_cast<uint32_t>(batch.size() - 12);
  for (int i = 0; i < 4; ++i) {
    batch[8 + i] = static_cast<char>(length >> (24 - 8 * i));
  }
  batch[22] = static_cast<char>((batch[22] & ~7) | 3);
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 21; i < batch.size(); ++i) {
    crc ^= static_cast<unsigned char>(batch[i]);
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  crc = ~crc;
  for (int i = 0; i < 4; ++i) {
    batch[17 + i] = static_cast<char>(crc >> (24 - 8 * i));
  }
  return batch;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus <output directory>\n");
    return 2;
  }
  const std::string dir = argv[1];
  RecordBatchOptions plain;
  plain.base_offset = 42;
  RecordBatchOptions lz4 = plain;
  lz4.compression = Compression::kLz4;
  RecordBatchOptions flags;
  flags.is_transactional = true;
  flags.producer_id = 1234;
  flags.producer_epoch = 2;
  flags.base_sequence = 17;
  flags.partition_leader_epoch = 9;
  RecordBatchOptions append_time = plain;
  append_time.log_append_time = 1700000009999;
  RecordBatchOptions horizon = plain;
  horizon.delete_horizon_ms = 1700000005000;

  runnel::ControlBatchOptions commit;
  commit.type = runnel::ControlRecordType::kCommit;
  commit.producer_id = 1234;
  commit.producer_epoch = 2;
  commit.coordinator_epoch = 7;
  commit.base_offset = 100;
  commit.timestamp = 1700000000000;
  runnel::ControlBatchOptions abort = commit;
  abort.type = runnel::ControlRecordType::kAbort;

  const std::string one = Encode(plain, 1);
  const std::string five = Encode(plain, 5);
  bool ok =
      Write(dir, "plain_1.bin", one) && Write(dir, "plain_5.bin", five) &&
      Write(dir, "lz4_5.bin", Encode(lz4, 5)) &&
      Write(dir, "lz4_20.bin", Encode(lz4, 20)) &&
      Write(dir, "transactional_3.bin", Encode(flags, 3)) &&
      Write(dir, "log_append_time_3.bin", Encode(append_time, 3)) &&
      Write(dir, "delete_horizon_3.bin", Encode(horizon, 3)) &&
      Write(dir, "control_commit.bin", *runnel::EncodeControlBatch(commit)) &&
      Write(dir, "control_abort.bin", *runnel::EncodeControlBatch(abort)) &&
      Write(dir, "kafkajs_lz4_5.bin", KafkajsLz4(five)) &&
      Write(dir, "segment_2_batches.bin", one + Encode(lz4, 3));
  return ok ? 0 : 1;
}
