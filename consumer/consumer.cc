// Copyright 2026 The Runnel Authors.
//
// Consumer: assignment, positions, Poll, commits and offset queries.
#include "runnel/consumer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "consumer/assigned_partition.h"
#include "consumer/topic_pattern.h"
#include "consumer_group/group_coordinator.h"
#include "consumer_group/offset_store.h"

namespace runnel {

std::vector<TopicPartition> ConsumerRecords::partitions() const {
  std::vector<TopicPartition> out;
  for (const ConsumerRecord& r : records_) {
    if (out.empty() || out.back().partition != r.partition ||
        out.back().topic != r.topic) {
      out.push_back({std::string(r.topic), r.partition});
    }
  }
  return out;
}

absl::Span<const ConsumerRecord> ConsumerRecords::records(
    const TopicPartition& tp) const {
  auto first = std::find_if(records_.begin(), records_.end(), [&](auto& r) {
    return r.partition == tp.partition && r.topic == tp.topic;
  });
  auto last = std::find_if(first, records_.end(), [&](auto& r) {
    return r.partition != tp.partition || r.topic != tp.topic;
  });
  return absl::MakeConstSpan(first, static_cast<size_t>(last - first));
}

// Refuses a call while another thread is inside one (Kafka's "not safe for
// multi-threaded access"); the same thread may nest.
class Consumer::UseGuard {
 public:
  explicit UseGuard(Consumer* consumer) : consumer_(consumer) {
    status_ = consumer_->Enter();
  }
  ~UseGuard() {
    if (status_.ok()) consumer_->Leave();
  }
  const absl::Status& status() const { return status_; }

 private:
  Consumer* consumer_;
  absl::Status status_;
};

absl::Status Consumer::Enter() {
  std::thread::id none;
  const std::thread::id me = std::this_thread::get_id();
  if (user_.compare_exchange_strong(none, me)) {
    depth_ = 1;
  } else if (none == me) {
    ++depth_;  // a nested call (e.g. from a commit callback)
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        "consumer ", options_.client_id,
        " is not safe for multi-threaded access: another thread is using "
        "it (only Wakeup may be called concurrently)"));
  }
  if (closed_) {
    Leave();
    return absl::FailedPreconditionError(
        absl::StrCat("consumer ", options_.client_id, " is closed"));
  }
  return absl::OkStatus();
}

void Consumer::Leave() {
  if (--depth_ == 0) user_.store(std::thread::id());
}

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(
    Broker* broker, ConsumerOptions options) {
  if (broker == nullptr) {
    return absl::InvalidArgumentError("Consumer::Create: broker is null");
  }
  if (options.max_poll_records < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consumer config max.poll.records: ", options.max_poll_records,
        " is below the minimum 1"));
  }
  std::vector<std::shared_ptr<PartitionAssignor>> assignors = options.assignors;
  if (assignors.empty()) {
    absl::StatusOr<std::vector<std::shared_ptr<PartitionAssignor>>> named =
        AssignorsFromStrategy(options.partition_assignment_strategy);
    if (!named.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("consumer config partition.assignment.strategy: ",
                       named.status().message()));
    }
    assignors = *std::move(named);
  }
  GroupCoordinator* coordinator = nullptr;
  if (!options.group_id.empty()) {
    absl::StatusOr<GroupCoordinator*> found =
        GroupCoordinator::ForBroker(broker);
    if (!found.ok()) return found.status();
    coordinator = *found;
  }
  return std::unique_ptr<Consumer>(new Consumer(
      broker, std::move(options), coordinator, std::move(assignors)));
}

namespace {
// COOPERATIVE only if every strategy supports it (Kafka's rule).
RebalanceProtocol ProtocolOf(
    const std::vector<std::shared_ptr<PartitionAssignor>>& assignors) {
  for (const auto& a : assignors) {
    std::vector<RebalanceProtocol> p = a->supported_protocols();
    if (std::find(p.begin(), p.end(), RebalanceProtocol::kCooperative) ==
        p.end()) {
      return RebalanceProtocol::kEager;
    }
  }
  return RebalanceProtocol::kCooperative;
}
}  // namespace

Consumer::Consumer(Broker* broker, ConsumerOptions options,
                   GroupCoordinator* coordinator,
                   std::vector<std::shared_ptr<PartitionAssignor>> assignors)
    : broker_(broker),
      options_(std::move(options)),
      clock_(options_.clock != nullptr            ? options_.clock
             : broker->options().clock != nullptr ? broker->options().clock
                                                  : Clock::Real()),
      coordinator_(coordinator),
      store_(coordinator == nullptr ? nullptr : coordinator->offset_store()),
      assignors_(std::move(assignors)),
      protocol_(ProtocolOf(assignors_)),
      last_auto_commit_(clock_->Now()) {}

Consumer::~Consumer() { Close().IgnoreError(); }

Consumer::Assigned* Consumer::Find(const TopicPartition& tp) {
  for (auto& a : assigned_) {
    if (a != nullptr && a->tp == tp) return a.get();  // null: moved on
  }
  return nullptr;
}

absl::StatusOr<Consumer::Assigned*> Consumer::FindAssigned(
    const TopicPartition& tp) {
  Assigned* a = Find(tp);
  if (a == nullptr) {
    return absl::NotFoundError(absl::StrCat("consumer ", options_.client_id,
                                            ": partition ", tp.ToString(),
                                            " is not assigned to it"));
  }
  return a;
}

absl::Status Consumer::SetAssignment(
    absl::Span<const TopicPartition> partitions) {
  std::vector<std::unique_ptr<Assigned>> next;
  for (const TopicPartition& tp : partitions) {
    absl::StatusOr<std::shared_ptr<Partition>> p =
        broker_->GetPartition(tp.topic, tp.partition);
    if (!p.ok()) return p.status();
    std::unique_ptr<Assigned> a;
    for (auto& old : assigned_) {  // kept: position, pause, fetched records
      if (old != nullptr && old->tp == tp && old->partition == *p) {
        a = std::move(old);
        break;
      }
    }
    if (a == nullptr) {
      a = std::make_unique<Assigned>(tp, *std::move(p), options_.client_id);
      if (Assigned* old = Find(tp)) {  // the topic was re-created
        a->position = old->position;
        a->paused = old->paused;
      }
    }
    next.push_back(std::move(a));
  }
  for (auto& a : assigned_) {
    if (a != nullptr) a->partition->RemoveNotifier(&notifier_);
  }
  assigned_ = std::move(next);
  for (auto& a : assigned_) a->partition->AddNotifier(&notifier_);
  next_fetch_ = 0;
  return absl::OkStatus();
}

absl::Status Consumer::Assign(absl::Span<const TopicPartition> partitions) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  if (phase_ != GroupPhase::kNone) {
    return absl::FailedPreconditionError(absl::StrCat(
        "consumer ", options_.client_id,
        ": Assign while subscribed (Unsubscribe first: subscription and "
        "manual assignment are mutually exclusive)"));
  }
  return SetAssignment(partitions);
}

std::vector<TopicPartition> Consumer::Assignment() const {
  std::vector<TopicPartition> out;
  for (const auto& a : assigned_) out.push_back(a->tp);
  return out;
}

absl::Status Consumer::Subscribe(absl::Span<const std::string> topics,
                                 ConsumerRebalanceListener* listener) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  if (absl::Status s = NeedGroup(); !s.ok()) return s;
  for (const std::string& topic : topics) {
    if (absl::Status s = broker_->GetTopic(topic).status(); !s.ok()) return s;
  }
  pattern_ = nullptr;
  return StartSubscription({topics.begin(), topics.end()}, listener);
}

absl::Status Consumer::SubscribePattern(absl::string_view regex,
                                        ConsumerRebalanceListener* listener) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  if (absl::Status s = NeedGroup(); !s.ok()) return s;
  absl::StatusOr<TopicMatcher> matcher = CompileTopicPattern(regex);
  if (!matcher.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consumer ", options_.client_id, ": ", matcher.status().message()));
  }
  pattern_ = *std::move(matcher);
  pattern_version_ = broker_->metadata_version();
  return StartSubscription(MatchingTopics(), listener);
}

std::vector<std::string> Consumer::Subscription() const {
  return subscription_;
}

absl::Status Consumer::Unsubscribe() {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  absl::Status status;
  if (phase_ != GroupPhase::kNone) {
    status = LeaveGroup(GroupMembershipOperation::kLeaveGroup);
  }
  subscription_.clear();
  pattern_ = nullptr;
  if (absl::Status s = SetAssignment({}); !s.ok()) return s;
  return status;
}

ConsumerGroupMetadata Consumer::GroupMetadata() const {
  return {options_.group_id, generation_, member_id_,
          options_.group_instance_id};
}

absl::Status Consumer::ResetPosition(Assigned& a) {
  switch (options_.auto_offset_reset) {
    case OffsetReset::kEarliest:
      a.SetPosition(a.partition->log_start_offset());
      return absl::OkStatus();
    case OffsetReset::kLatest:
      a.SetPosition(a.partition->high_watermark());
      return absl::OkStatus();
    case OffsetReset::kNone:
      break;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("consumer ", options_.client_id, ": no valid offset for ",
                   a.tp.ToString(), " and auto.offset.reset is none"));
}

absl::Status Consumer::InitPosition(Assigned& a) {
  if (a.position) return absl::OkStatus();
  if (store_ != nullptr) {
    std::optional<OffsetAndMetadata> committed =
        store_->Committed(options_.group_id, a.tp);
    if (committed && committed->offset >= 0) {
      a.SetPosition(committed->offset);
      return absl::OkStatus();
    }
  }
  return ResetPosition(a);
}

namespace {

// Reads at most this much per fetch, whatever max.partition.fetch.bytes
// allows: the Log CRC-checks what it returns, and a fetch that fits in the
// L2 cache is still there when its records are decoded (8 MiB fetches
// decoded ~25% slower). Refilling more often costs one index lookup per
// ~2,000 records of 100 B.
constexpr size_t kMaxFetchChunk = size_t{256} << 10;

}  // namespace

absl::Status Consumer::FetchInto(Assigned& a, int max_records,
                                 ConsumerRecords* out) {
  if (absl::Status s = InitPosition(a); !s.ok()) return s;
  const size_t fetch_bytes =
      std::min(options_.max_partition_fetch_bytes, kMaxFetchChunk);
  // Until records come out, the buffer keeps some, or the log has nothing
  // more: a buffer can run out without a record (its last batch had just
  // been handed out, or it held only control batches or compaction gaps).
  while (true) {
    const bool fresh = a.buffer.empty();
    if (fresh) {
      absl::StatusOr<FetchResult> fetched =
          a.partition->Fetch(*a.position, fetch_bytes, &a.read_from);
      if (absl::IsOutOfRange(fetched.status())) {
        // Out of the log (retention, truncation): reset as Kafka does.
        if (absl::Status s = ResetPosition(a); !s.ok()) return s;
        fetched = a.partition->Fetch(*a.position, fetch_bytes);
      }
      if (!fetched.ok()) return fetched.status();
      if (fetched->read.batches.empty()) return absl::OkStatus();
      a.read_from = fetched->read.next;
      a.buffer.Reset(*std::move(fetched), *a.position);
    }
    const size_t before = out->records_.size();
    out->records_.Reserve(before + std::min(static_cast<size_t>(max_records),
                                            a.buffer.RecordsLeftBound()));
    const int64_t was = *a.position;
    const absl::Status taken = a.buffer.Take(max_records, *a.topic, out);
    // Past what was handed out, or up to the bad batch (Seek past it).
    a.position = std::max(*a.position, a.buffer.position());
    if (!taken.ok()) return taken;
    if (out->records_.size() > before) {
      // The records' topic views point into a.topic: pin it.
      if (out->pins_.empty() || out->pins_.back() != a.topic) {
        out->pins_.push_back(a.topic);
      }
      break;
    }
    if (!a.buffer.empty()) break;
    // A new fetch that moved nothing (Log::Read returns no batch wholly
    // below the position, so this cannot happen): stop rather than spin.
    if (fresh && *a.position == was) break;
  }
  return absl::OkStatus();
}

bool Consumer::SpinForData(absl::Time until) {
  // An append lands in the mapping and moves the high watermark before it
  // signals anyone: looking at the watermarks sees it first. The clock
  // costs more than a look at every partition (Debian's absl::Now ~50 ns),
  // so it is read once every 64 looks.
  for (uint32_t look = 1;; ++look) {
    if (wakeup_.load(std::memory_order_relaxed)) return false;
    for (const std::unique_ptr<Assigned>& a : assigned_) {
      if (!a->paused && a->position &&
          a->partition->high_watermark() > *a->position) {
        return true;
      }
    }
    if (look % 64 == 0 && absl::Now() >= until) return false;
  }
}

absl::StatusOr<ConsumerRecords> Consumer::Poll(absl::Duration timeout) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  // The clock is read only once a pass found nothing (Debian's absl::Now
  // costs ~50 ns, a tenth of a one-record Poll); such a pass is quick, so
  // the timeout still runs from about the call.
  std::optional<absl::Time> deadline;
  const auto deadline_from = [&](absl::Time now) {
    if (!deadline) deadline = now + timeout;
    return *deadline;
  };
  if (absl::Status s = MaybeAutoCommit(); !s.ok()) return s;
  while (true) {
    if (wakeup_.exchange(false)) {
      return absl::CancelledError(
          absl::StrCat("consumer ", options_.client_id, ": woken up"));
    }
    if (phase_ != GroupPhase::kNone) {
      absl::StatusOr<bool> ready = PollGroup();
      if (!ready.ok()) return ready.status();
      if (!*ready) {  // a rebalance is under way: wait for the group
        const absl::Time now = absl::Now();
        if (now >= deadline_from(now)) return ConsumerRecords();
        notifier_.WaitUntil(
            std::min(*deadline, now + options_.heartbeat_interval));
        continue;
      }
    }
    ConsumerRecords records;
    int left = options_.max_poll_records;
    const size_t n = assigned_.size();
    for (size_t i = 0; i < n && left > 0; ++i) {
      Assigned& a = *assigned_[(next_fetch_ + i) % n];
      if (a.paused) continue;
      const size_t before = records.count();
      if (absl::Status s = FetchInto(a, left, &records); !s.ok()) {
        // Records already taken moved their positions: return them. The
        // error comes back at the next Poll, which reads from where it hit.
        if (records.empty()) return s;
        break;
      }
      left -= static_cast<int>(records.count() - before);
    }
    if (n > 0) next_fetch_ = (next_fetch_ + 1) % n;
    if (!records.empty()) return records;
    const absl::Time now = absl::Now();
    if (now >= deadline_from(now)) return records;
    if (options_.poll_spin > absl::ZeroDuration() &&
        SpinForData(std::min(*deadline, now + options_.poll_spin))) {
      continue;  // fetch it now: no wakeup to wait for
    }
    // In a group, wake each heartbeat interval to see to the group.
    notifier_.WaitUntil(
        phase_ == GroupPhase::kNone
            ? *deadline
            : std::min(*deadline, absl::Now() + options_.heartbeat_interval));
  }
}

absl::StatusOr<int64_t> Consumer::Position(const TopicPartition& tp) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  absl::StatusOr<Assigned*> a = FindAssigned(tp);
  if (!a.ok()) return a.status();
  if (absl::Status s = InitPosition(**a); !s.ok()) return s;
  return *(*a)->position;
}

absl::Status Consumer::Seek(const TopicPartition& tp, int64_t offset) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  absl::StatusOr<Assigned*> a = FindAssigned(tp);
  if (!a.ok()) return a.status();
  if (offset < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("consumer ", options_.client_id, ": seek of ",
                     tp.ToString(), " to negative offset ", offset));
  }
  (*a)->SetPosition(offset);  // out of range: reset at the next Poll
  return absl::OkStatus();
}

absl::Status Consumer::SeekToBeginning(
    absl::Span<const TopicPartition> partitions) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  for (const TopicPartition& tp : partitions) {
    absl::StatusOr<Assigned*> a = FindAssigned(tp);
    if (!a.ok()) return a.status();
    (*a)->SetPosition((*a)->partition->log_start_offset());
  }
  return absl::OkStatus();
}

absl::Status Consumer::SeekToEnd(absl::Span<const TopicPartition> partitions) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  for (const TopicPartition& tp : partitions) {
    absl::StatusOr<Assigned*> a = FindAssigned(tp);
    if (!a.ok()) return a.status();
    (*a)->SetPosition((*a)->partition->high_watermark());
  }
  return absl::OkStatus();
}

absl::Status Consumer::NeedGroup() const {
  if (store_ != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("consumer ", options_.client_id,
                   ": committing and subscribing need a group.id"));
}

absl::Status Consumer::CommitOffsets(
    absl::Span<const std::pair<TopicPartition, int64_t>> offsets) {
  if (absl::Status s = NeedGroup(); !s.ok()) return s;
  std::vector<std::pair<TopicPartition, OffsetAndMetadata>> commits;
  for (const auto& [tp, offset] : offsets) {
    OffsetAndMetadata m;
    m.offset = offset;
    commits.emplace_back(tp, std::move(m));
  }
  if (phase_ == GroupPhase::kNone) {  // manual assignment
    return coordinator_->Commit(options_.group_id, "", -1, commits);
  }
  return coordinator_->Commit(options_.group_id, member_id_, generation_,
                              commits);
}

absl::Status Consumer::CommitPositions() {
  std::vector<std::pair<TopicPartition, int64_t>> offsets;
  for (const auto& a : assigned_) {
    if (a->position) offsets.emplace_back(a->tp, *a->position);
  }
  if (offsets.empty()) return absl::OkStatus();
  return CommitOffsets(offsets);
}

absl::Status Consumer::MaybeAutoCommit() {
  if (!options_.enable_auto_commit || store_ == nullptr) {
    return absl::OkStatus();
  }
  const absl::Time now = clock_->Now();
  if (now - last_auto_commit_ < options_.auto_commit_interval) {
    return absl::OkStatus();
  }
  last_auto_commit_ = now;
  absl::Status status = CommitPositions();
  // A rebalance under way: the next one commits (Kafka logs and goes on).
  if (GroupErrorOf(status) != GroupError::kNone) return absl::OkStatus();
  return status;
}

absl::Status Consumer::CommitSync() {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  if (absl::Status s = NeedGroup(); !s.ok()) return s;
  return CommitPositions();
}

absl::Status Consumer::CommitSync(
    absl::Span<const std::pair<TopicPartition, int64_t>> offsets) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  return CommitOffsets(offsets);
}

void Consumer::CommitAsync(CommitCallback callback) {
  absl::Status status;
  {
    UseGuard guard(this);
    status = guard.status();
    if (status.ok()) status = NeedGroup();
    if (status.ok()) status = CommitPositions();
  }
  if (callback != nullptr) callback(status);
}

absl::StatusOr<std::vector<std::optional<int64_t>>> Consumer::Committed(
    absl::Span<const TopicPartition> partitions) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  if (absl::Status s = NeedGroup(); !s.ok()) return s;
  std::vector<std::optional<int64_t>> out;
  for (const TopicPartition& tp : partitions) {
    std::optional<OffsetAndMetadata> c =
        store_->Committed(options_.group_id, tp);
    out.push_back(c ? std::optional<int64_t>(c->offset) : std::nullopt);
  }
  return out;
}

absl::StatusOr<std::vector<std::optional<OffsetAndTimestamp>>>
Consumer::OffsetsForTimes(
    absl::Span<const std::pair<TopicPartition, int64_t>> timestamps) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  std::vector<std::optional<OffsetAndTimestamp>> out;
  for (const auto& [tp, ts] : timestamps) {
    absl::StatusOr<std::shared_ptr<Partition>> p =
        broker_->GetPartition(tp.topic, tp.partition);
    if (!p.ok()) return p.status();
    absl::StatusOr<OffsetAndTimestamp> found = (*p)->OffsetForTimestamp(ts);
    if (absl::IsNotFound(found.status())) {
      out.push_back(std::nullopt);
    } else if (!found.ok()) {
      return found.status();
    } else {
      out.push_back(*found);
    }
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> Consumer::Offsets(
    absl::Span<const TopicPartition> partitions, bool begin) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  std::vector<int64_t> out;
  for (const TopicPartition& tp : partitions) {
    absl::StatusOr<std::shared_ptr<Partition>> p =
        broker_->GetPartition(tp.topic, tp.partition);
    if (!p.ok()) return p.status();
    out.push_back(begin ? (*p)->log_start_offset() : (*p)->high_watermark());
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> Consumer::BeginningOffsets(
    absl::Span<const TopicPartition> partitions) {
  return Offsets(partitions, /*begin=*/true);
}

absl::StatusOr<std::vector<int64_t>> Consumer::EndOffsets(
    absl::Span<const TopicPartition> partitions) {
  return Offsets(partitions, /*begin=*/false);
}

absl::Status Consumer::SetPaused(absl::Span<const TopicPartition> partitions,
                                 bool paused) {
  UseGuard guard(this);
  if (!guard.status().ok()) return guard.status();
  for (const TopicPartition& tp : partitions) {  // all known, or no change
    if (absl::Status s = FindAssigned(tp).status(); !s.ok()) return s;
  }
  for (const TopicPartition& tp : partitions) Find(tp)->paused = paused;
  return absl::OkStatus();
}

absl::Status Consumer::Pause(absl::Span<const TopicPartition> partitions) {
  return SetPaused(partitions, true);
}

absl::Status Consumer::Resume(absl::Span<const TopicPartition> partitions) {
  return SetPaused(partitions, false);
}

std::vector<TopicPartition> Consumer::Paused() const {
  std::vector<TopicPartition> out;
  for (const auto& a : assigned_) {
    if (a->paused) out.push_back(a->tp);
  }
  return out;
}

void Consumer::Wakeup() {
  wakeup_.store(true);
  notifier_.Notify();
}

absl::Status Consumer::Close(GroupMembershipOperation membership) {
  UseGuard guard(this);
  if (!guard.status().ok()) {
    return closed_ ? absl::OkStatus() : guard.status();
  }
  absl::Status status;
  if (phase_ != GroupPhase::kNone) {
    status = LeaveGroup(membership);
  } else if (options_.enable_auto_commit && store_ != nullptr) {
    status = CommitPositions();
  }
  for (auto& a : assigned_) a->partition->RemoveNotifier(&notifier_);
  assigned_.clear();
  closed_ = true;
  return status;
}

}  // namespace runnel
