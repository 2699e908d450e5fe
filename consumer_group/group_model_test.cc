// Copyright 2026 The Runnel Authors.
//
// A randomized model check of consumer groups. Consumers join, leave,
// crash (vanish without committing or leaving) and stall (stop polling past
// max.poll.interval.ms) while a producer keeps producing, on a virtual
// clock. Every consumer commits what it processed in OnPartitionsRevoked
// and now and then in between. At the end everyone left drains the topic,
// and the checker verifies:
//   - nothing is lost: every produced record was processed;
//   - a record is processed twice only if an earlier processing was not
//     covered by a successful commit of a consumer that then crashed,
//     stalled out of the group, or lost its partitions;
//   - at every step, the members of the group's current generation hold
//     disjoint assignments.
//
// Each seed is a different run. A failure names its seed; rerun just that
// one with RUNNEL_GROUP_MODEL_SEED=<n>. RUNNEL_GROUP_MODEL_SEEDS=<n> runs
// n seeds (default 24; e.g. 2000 for a long run).
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "io/test_util.h"
#include "partition/broker_test_util.h"
#include "runnel/admin.h"
#include "runnel/broker.h"
#include "runnel/clock.h"
#include "runnel/consumer.h"
#include "runnel/group_admin.h"
#include "runnel/mem_file_system.h"

namespace runnel {
namespace {

constexpr int32_t kPartitions = 6;
constexpr int kSlots = 5;
constexpr int kSteps = 300;
constexpr char kTopic[] = "events";
constexpr char kGroup[] = "model";
const char* const kStrategies[] = {"range", "roundrobin", "sticky",
                                   "cooperative-sticky"};

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  int n;
  return v != nullptr && absl::SimpleAtoi(v, &n) ? n : fallback;
}

// One processing of one record by one consumer incarnation, during one
// "episode" of its ownership of the partition (from assignment to
// revocation or loss).
struct Processing {
  int incarnation;
  TopicPartition tp;
  int64_t offset;
  int episode;
  bool covered = false;  // a commit of the same episode went past it
};

// One consumer incarnation and what it did.
struct Worker : public ConsumerRebalanceListener {
  std::vector<Processing>* processed = nullptr;
  int incarnation = 0;
  std::unique_ptr<Consumer> consumer;
  bool stalled = false;
  bool crashing = false;
  std::map<TopicPartition, int> episode;  // current episode per partition
  std::set<std::pair<TopicPartition, int>> unclean;  // episodes ended badly
  std::vector<size_t> uncovered;                     // indexes into *processed

  void Process(const ConsumerRecord& r) {
    TopicPartition tp{std::string(r.topic), r.partition};
    uncovered.push_back(processed->size());
    processed->push_back({incarnation, tp, r.offset, episode[tp]});
  }
  // Commits the positions; false if the commit failed.
  bool Commit();
  void EndEpisodes(absl::Span<const TopicPartition> partitions, bool clean) {
    for (const TopicPartition& tp : partitions) {
      if (!clean) unclean.insert({tp, episode[tp]});
      ++episode[tp];
    }
  }
  void CrashAll() {
    for (const auto& [tp, e] : episode) unclean.insert({tp, e});
  }
  void OnPartitionsRevoked(absl::Span<const TopicPartition> p) override {
    EndEpisodes(p, /*clean=*/!crashing && Commit());
  }
  void OnPartitionsAssigned(absl::Span<const TopicPartition>) override {}
  void OnPartitionsLost(absl::Span<const TopicPartition> p) override {
    EndEpisodes(p, /*clean=*/false);
  }
};

class ModelRun {
 public:
  explicit ModelRun(uint32_t seed) : seed_(seed), rng_(seed) {}

  void Run() {
    Open();
    strategy_ = kStrategies[seed_ % 4];
    for (int step = 0; step < kSteps && !::testing::Test::HasFailure();
         ++step) {
      Step();
      CheckDisjoint();
    }
    Drain();
    Check();
    for (auto& w : slots_) {
      if (w != nullptr) w->consumer->Close().IgnoreError();
    }
  }

  std::vector<Processing> processed;

 private:
  void Open() {
    BrokerOptions options;
    options.data_dir = "/data";
    options.file_system = &fs_;
    options.clock = &clock_;
    options.maintenance_interval = absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Broker>> b = Broker::Open(options);
    ASSERT_TRUE(b.ok()) << b.status();
    broker_ = *std::move(b);
    ASSERT_TRUE(Admin(broker_.get()).CreateTopic({kTopic, kPartitions}).ok());
  }

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  void Step() {
    const int slot = Pick(kSlots);
    std::unique_ptr<Worker>& w = slots_[slot];
    switch (Pick(10)) {
      case 0:
      case 1:
        Produce();
        break;
      case 2:
        if (w == nullptr) Join(slot);
        break;
      case 3:
        if (w != nullptr && Pick(3) == 0) Leave(slot);
        break;
      case 4:
        if (w != nullptr && Pick(4) == 0) Crash(slot);
        break;
      case 5:
        if (w != nullptr && Pick(3) == 0) w->stalled = !w->stalled;
        break;
      case 6:
        clock_.Advance(absl::Seconds(Pick(20)));
        break;
      default:
        if (w != nullptr && !w->stalled) Poll(*w);
        break;
    }
  }

  void Produce() {
    const int32_t p = Pick(kPartitions);
    std::shared_ptr<Partition> part = *broker_->GetPartition(kTopic, p);
    const int n = 1 + Pick(4);
    ASSERT_TRUE(part->Append(testing::MakeBatch("r", n)).ok());
    produced_[{kTopic, p}] = part->high_watermark();
  }

  void Join(int slot) {
    auto w = std::make_unique<Worker>();
    w->processed = &processed;
    w->incarnation = ++incarnations_;
    ConsumerOptions o;
    o.group_id = kGroup;
    o.client_id = absl::StrCat("w", w->incarnation);
    o.enable_auto_commit = false;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.partition_assignment_strategy = strategy_;
    o.session_timeout = absl::Seconds(10);
    o.max_poll_interval = absl::Seconds(30);
    absl::StatusOr<std::unique_ptr<Consumer>> c =
        Consumer::Create(broker_.get(), o);
    ASSERT_TRUE(c.ok()) << c.status();
    w->consumer = *std::move(c);
    ASSERT_TRUE(w->consumer->Subscribe({kTopic}, w.get()).ok());
    workers_[w->incarnation] = w.get();
    slots_[slot] = std::move(w);
  }

  void Leave(int slot) {  // a clean shutdown: revoke (commit), leave
    Worker& w = *slots_[slot];
    w.consumer->Close().IgnoreError();  // a failed commit marks it unclean
    retired_.push_back(std::move(slots_[slot]));
  }

  void Crash(int slot) {  // gone without a commit or a goodbye
    Worker& w = *slots_[slot];
    w.crashing = true;
    w.CrashAll();
    w.consumer->Close(GroupMembershipOperation::kRemainInGroup).IgnoreError();
    retired_.push_back(std::move(slots_[slot]));
  }

  void Poll(Worker& w) {
    absl::StatusOr<ConsumerRecords> records =
        w.consumer->Poll(absl::ZeroDuration());
    ASSERT_TRUE(records.ok()) << records.status();
    for (const ConsumerRecord& r : *records) w.Process(r);
    if (!records->empty() && Pick(3) == 0) w.Commit();  // may fail: fenced
  }

  // Members of the current generation never share a partition.
  void CheckDisjoint() {
    absl::StatusOr<GroupDescription> d =
        GroupAdmin(broker_.get()).DescribeGroup(kGroup);
    if (!d.ok()) return;  // no group yet
    std::set<TopicPartition> held;
    for (auto& w : slots_) {
      if (w == nullptr ||
          w->consumer->GroupMetadata().generation_id != d->generation) {
        continue;
      }
      for (const TopicPartition& tp : w->consumer->Assignment()) {
        EXPECT_TRUE(held.insert(tp).second)
            << "seed " << seed_ << ": " << tp.ToString()
            << " held twice in generation " << d->generation;
      }
    }
  }

  // Everyone left stops stalling and reads to the end.
  void Drain() {
    bool any = false;
    for (auto& w : slots_) any |= w != nullptr;
    if (!any) Join(0);
    for (auto& w : slots_) {
      if (w != nullptr) w->stalled = false;
    }
    clock_.Advance(absl::Seconds(60));  // crashed members' sessions end
    for (int round = 0; round < 200; ++round) {
      for (auto& w : slots_) {
        if (w != nullptr) Poll(*w);
      }
    }
    for (auto& w : slots_) {
      if (w != nullptr) w->Commit();
    }
  }

  void Check() {
    // Each record's processings in order; all but the last must be excused.
    std::map<std::pair<TopicPartition, int64_t>, std::vector<size_t>> seen;
    for (size_t i = 0; i < processed.size(); ++i) {
      seen[{processed[i].tp, processed[i].offset}].push_back(i);
    }
    for (const auto& [tp, end] : produced_) {
      for (int64_t o = 0; o < end; ++o) {
        auto it = seen.find({tp, o});
        ASSERT_NE(it, seen.end()) << "seed " << seed_ << " (" << strategy_
                                  << "): lost " << tp.ToString() << "@" << o;
        const std::vector<size_t>& by = it->second;
        for (size_t i = 0; i + 1 < by.size(); ++i) {
          const Processing& p = processed[by[i]];
          const Worker& w = *workers_.at(p.incarnation);
          const bool unclean = w.unclean.count({p.tp, p.episode}) != 0;
          EXPECT_TRUE(unclean && !p.covered)
              << "seed " << seed_ << " (" << strategy_ << "): " << tp.ToString()
              << "@" << o << " processed by w" << p.incarnation
              << " and again by w" << processed[by[i + 1]].incarnation
              << (p.covered ? " although w committed past it"
                            : " although w gave it up cleanly");
        }
      }
    }
  }

  const uint32_t seed_;
  std::mt19937 rng_;
  std::string strategy_;
  MemFileSystem fs_;
  SimulatedClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<Worker> slots_[kSlots];
  std::vector<std::unique_ptr<Worker>> retired_;
  std::map<int, Worker*> workers_;
  int incarnations_ = 0;
  std::map<TopicPartition, int64_t> produced_;  // high watermark
};

bool Worker::Commit() {
  std::map<TopicPartition, int64_t> positions;
  for (const TopicPartition& tp : consumer->Assignment()) {
    absl::StatusOr<int64_t> p = consumer->Position(tp);
    if (p.ok()) positions[tp] = *p;
  }
  if (positions.empty()) return true;
  // e.g. fenced after a stall: the next owner redoes what this one did.
  const std::vector<std::pair<TopicPartition, int64_t>> offsets(
      positions.begin(), positions.end());
  if (!consumer->CommitSync(offsets).ok()) {
    return false;
  }
  std::vector<size_t> still;
  for (size_t i : uncovered) {
    Processing& p = (*processed)[i];
    auto it = positions.find(p.tp);
    if (it != positions.end() && p.episode == episode[p.tp] &&
        p.offset < it->second) {
      p.covered = true;
    } else if (p.episode == episode[p.tp]) {
      still.push_back(i);
    }
  }
  uncovered = std::move(still);
  return true;
}

TEST(GroupModelTest, NoLossAndOnlyExcusedDuplicates) {
  const int one = EnvInt("RUNNEL_GROUP_MODEL_SEED", -1);
  const int seeds = EnvInt("RUNNEL_GROUP_MODEL_SEEDS", 24);
  const int first = one >= 0 ? one : 1;
  const int last = one >= 0 ? one : seeds;
  for (int seed = first; seed <= last && !::testing::Test::HasFailure();
       ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed,
                              " (rerun: RUNNEL_GROUP_MODEL_SEED=", seed, ")"));
    ModelRun(static_cast<uint32_t>(seed)).Run();
  }
}

}  // namespace
}  // namespace runnel
