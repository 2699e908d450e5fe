// Copyright 2026 The Runnel Authors.
#include "runnel/in_memory_network.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace runnel {

// The ReplicaTransport of one node: forwards to the network.
class InMemoryNetwork::NodeTransport final : public ReplicaTransport {
 public:
  NodeTransport(InMemoryNetwork* network, int32_t from)
      : network_(network), from_(from) {}

  void Send(int32_t to, std::string request,
            ReplicaResponseCallback done) override {
    network_->Send(from_, to, std::move(request), std::move(done));
  }

 private:
  InMemoryNetwork* const network_;
  const int32_t from_;
};

namespace {

absl::Status ValidateFaults(const LinkFaults& f) {
  auto probability_ok = [](double p) { return p >= 0 && p <= 1; };  // no NaN
  if (f.min_delay < absl::ZeroDuration() || f.max_delay < f.min_delay) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link faults: need 0 <= min_delay <= max_delay, got min_delay ",
        absl::FormatDuration(f.min_delay), " and max_delay ",
        absl::FormatDuration(f.max_delay)));
  }
  if (!probability_ok(f.drop_probability) ||
      !probability_ok(f.duplicate_probability)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "link faults: probabilities must be in [0, 1], got drop ",
        f.drop_probability, " and duplicate ", f.duplicate_probability));
  }
  return absl::OkStatus();
}

const char* MessageName(bool is_request) {
  return is_request ? "request" : "response";
}

}  // namespace

InMemoryNetwork::InMemoryNetwork(SimulatedClock* clock, uint64_t seed)
    : clock_(clock),
      start_(clock->Now()),
      rng_(seed),
      request_timeout_(absl::Seconds(30)) {}

InMemoryNetwork::~InMemoryNetwork() = default;

// ---- Configuration ---------------------------------------------------------

void InMemoryNetwork::RegisterNode(int32_t id, ReplicaRequestHandler handler) {
  MutexLock lock(&mu_);
  Node& node = NodeFor(id);
  node.handler =
      handler
          ? std::make_shared<const ReplicaRequestHandler>(std::move(handler))
          : nullptr;
}

ReplicaTransport* InMemoryNetwork::TransportFor(int32_t from) {
  MutexLock lock(&mu_);
  NodeFor(from);
  std::unique_ptr<NodeTransport>& transport = transports_[from];
  if (transport == nullptr) {
    transport = std::make_unique<NodeTransport>(this, from);
  }
  return transport.get();
}

absl::Status InMemoryNetwork::SetRequestTimeout(absl::Duration timeout) {
  if (timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request timeout must be > 0, got ", absl::FormatDuration(timeout)));
  }
  MutexLock lock(&mu_);
  request_timeout_ = timeout;
  return absl::OkStatus();
}

absl::Status InMemoryNetwork::SetDefaultFaults(const LinkFaults& faults) {
  absl::Status valid = ValidateFaults(faults);
  if (!valid.ok()) return valid;
  MutexLock lock(&mu_);
  default_faults_ = faults;
  return absl::OkStatus();
}

absl::Status InMemoryNetwork::SetLinkFaults(int32_t from, int32_t to,
                                            const LinkFaults& faults) {
  absl::Status valid = ValidateFaults(faults);
  if (!valid.ok()) return valid;
  MutexLock lock(&mu_);
  link_faults_[{from, to}] = faults;
  return absl::OkStatus();
}

void InMemoryNetwork::ClearLinkFaults() {
  MutexLock lock(&mu_);
  link_faults_.clear();
}

void InMemoryNetwork::Partition(const std::set<int32_t>& side_a) {
  MutexLock lock(&mu_);
  partitions_.push_back(side_a);
  Trace("partition {", absl::StrJoin(side_a, ","), "} from the rest");
}

void InMemoryNetwork::Isolate(int32_t id) { Partition({id}); }

void InMemoryNetwork::Heal() {
  MutexLock lock(&mu_);
  partitions_.clear();
  Trace("heal");
}

void InMemoryNetwork::SetTraceSink(
    std::function<void(absl::string_view line)> sink) {
  MutexLock lock(&mu_);
  trace_ = std::move(sink);
}

// ---- Crashes
// -----------------------------------------------------------------

void InMemoryNetwork::Crash(int32_t id) {
  std::vector<ReplicaResponseCallback> orphans;
  {
    MutexLock lock(&mu_);
    auto node = nodes_.find(id);
    if (node == nodes_.end() || !node->second.up) return;
    node->second.up = false;
    ++node->second.incarnation;
    Trace("crash node ", id);
    // Messages to or from it that are on the wire, and its timers, vanish.
    for (auto it = events_.begin(); it != events_.end();) {
      const Event& e = it->second;
      const bool message =
          e.type == Event::Type::kRequest || e.type == Event::Type::kResponse;
      if ((message && (e.from == id || e.to == id)) ||
          (e.type == Event::Type::kTimer && e.from == id)) {
        if (message) ++stats_.lost;
        it = events_.erase(it);
      } else {
        ++it;
      }
    }
    // Its own calls end now: nobody is left to wait for them.
    std::vector<uint64_t> ids;
    for (const auto& [call_id, call] : calls_) {
      if (call.from == id) ids.push_back(call_id);
    }
    for (uint64_t call_id : ids) orphans.push_back(TakeCall(call_id));
    stats_.unavailable += orphans.size();
  }
  for (ReplicaResponseCallback& done : orphans) {
    done(absl::UnavailableError(
        absl::StrCat("in-memory network: node ", id, " crashed")));
  }
}

void InMemoryNetwork::Restart(int32_t id) {
  MutexLock lock(&mu_);
  auto node = nodes_.find(id);
  if (node == nodes_.end() || node->second.up) return;
  node->second.up = true;
  Trace("restart node ", id);
}

bool InMemoryNetwork::IsUp(int32_t id) const {
  MutexLock lock(&mu_);
  auto node = nodes_.find(id);
  return node != nodes_.end() && node->second.up;
}

// ---- Sending
// -------------------------------------------------------------------

void InMemoryNetwork::Send(int32_t from, int32_t to, std::string request,
                           ReplicaResponseCallback done) {
  {
    MutexLock lock(&mu_);
    ++stats_.requests;
    Node& sender = NodeFor(from);
    if (sender.up) {
      const uint64_t id = next_call_id_++;
      Event timeout;
      timeout.type = Event::Type::kTimeout;
      timeout.from = from;
      timeout.to = to;
      timeout.call_id = id;
      const EventKey timeout_key =
          Schedule(clock_->Now() + request_timeout_, std::move(timeout));
      calls_[id] = Call{from, to, std::move(done), timeout_key};
      Trace("send request #", id, " ", from, "->", to, " (", request.size(),
            " bytes)");
      Transmit(/*is_request=*/true, from, to, id,
               std::make_shared<const std::string>(std::move(request)));
      return;
    }
    ++stats_.unavailable;
  }
  done(absl::UnavailableError(absl::StrCat("in-memory network: node ", from,
                                           " is crashed and cannot send")));
}

void InMemoryNetwork::Transmit(bool is_request, int32_t from, int32_t to,
                               uint64_t call_id,
                               std::shared_ptr<const std::string> payload) {
  ++stats_.messages;
  const LinkFaults& faults = FaultsFor(from, to);
  // Always the same draws per message, whatever happens to it, so one
  // message's fate does not shift the randomness of the others.
  const double drop = Uniform();
  const absl::Duration delay = DelayFor(faults);
  const double duplicate = Uniform();
  const absl::Duration second_delay = DelayFor(faults);

  const auto receiver = nodes_.find(to);
  const char* const kind = MessageName(is_request);
  if (Cut(from, to) || (receiver != nodes_.end() && !receiver->second.up)) {
    ++stats_.lost;
    Trace("lose ", kind, " #", call_id, " ", from, "->", to,
          " (partition or node down)");
    return;
  }
  if (drop < faults.drop_probability) {
    ++stats_.dropped;
    Trace("drop ", kind, " #", call_id, " ", from, "->", to);
    return;
  }
  Event e;
  e.type = is_request ? Event::Type::kRequest : Event::Type::kResponse;
  e.from = from;
  e.to = to;
  e.from_incarnation = NodeFor(from).incarnation;
  e.to_incarnation =
      receiver == nodes_.end() ? 0 : receiver->second.incarnation;
  e.call_id = call_id;
  e.payload = std::move(payload);
  const absl::Time now = clock_->Now();
  if (duplicate < faults.duplicate_probability) {
    ++stats_.duplicated;
    Trace("duplicate ", kind, " #", call_id, " ", from, "->", to);
    Schedule(now + second_delay, e);
  }
  Schedule(now + delay, std::move(e));
}

InMemoryNetwork::EventKey InMemoryNetwork::Schedule(absl::Time at,
                                                    Event event) {
  const EventKey key{at, next_sequence_++};
  events_.emplace(key, std::move(event));
  return key;
}

void InMemoryNetwork::RunAfter(absl::Duration delay, std::function<void()> fn,
                               int32_t owner) {
  MutexLock lock(&mu_);
  Event timer;
  timer.type = Event::Type::kTimer;
  timer.from = owner;
  if (owner != kNoOwner) timer.from_incarnation = NodeFor(owner).incarnation;
  timer.timer = std::move(fn);
  Schedule(clock_->Now() + std::max(delay, absl::ZeroDuration()),
           std::move(timer));
}

// ---- Driving
// -------------------------------------------------------------------

bool InMemoryNetwork::Step() { return StepUntil(absl::InfiniteFuture()); }

bool InMemoryNetwork::StepUntil(absl::Time limit) {
  std::function<void()> work;
  {
    MutexLock lock(&mu_);
    if (events_.empty() || events_.begin()->first.first > limit) return false;
    auto handle = events_.extract(events_.begin());
    const absl::Time due = handle.key().first;
    if (due > clock_->Now()) clock_->SetTime(due);
    Event& event = handle.mapped();
    switch (event.type) {
      case Event::Type::kRequest:
        work = DeliverRequest(event);
        break;
      case Event::Type::kResponse:
        work = DeliverResponse(event);
        break;
      case Event::Type::kTimeout:
        work = FireTimeout(event);
        break;
      case Event::Type::kTimer:
        work = FireTimer(event);
        break;
    }
  }
  if (work) work();
  return true;
}

size_t InMemoryNetwork::RunUntilIdle(size_t max_events) {
  size_t n = 0;
  while (n < max_events && Step()) ++n;
  return n;
}

size_t InMemoryNetwork::RunFor(absl::Duration duration) {
  const absl::Time end = clock_->Now() + duration;
  size_t n = 0;
  while (StepUntil(end)) ++n;
  if (clock_->Now() < end) clock_->SetTime(end);
  return n;
}

size_t InMemoryNetwork::pending_events() const {
  MutexLock lock(&mu_);
  return events_.size();
}

InMemoryNetworkStats InMemoryNetwork::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

// ---- Event handlers
// ----------------------------------------------------------

std::function<void()> InMemoryNetwork::DeliverRequest(Event& event) {
  const int32_t from = event.from;
  const int32_t to = event.to;
  const uint64_t call_id = event.call_id;
  const auto server = nodes_.find(to);
  if (!Alive(from, event.from_incarnation) || Cut(from, to) ||
      (server != nodes_.end() &&
       (!server->second.up ||
        server->second.incarnation != event.to_incarnation))) {
    ++stats_.lost;
    Trace("lose request #", call_id, " ", from, "->", to, " on arrival");
    return nullptr;
  }
  if (server == nodes_.end() || server->second.handler == nullptr) {
    // Nobody listens there: the caller learns at once ("connection
    // refused"), if it still waits.
    ReplicaResponseCallback done = TakeCall(call_id);
    if (!done) return nullptr;
    ++stats_.unavailable;
    Trace("refuse request #", call_id, " ", from, "->", to, " (no handler)");
    return [done = std::move(done), to] {
      done(absl::UnavailableError(absl::StrCat("in-memory network: node ", to,
                                               " has no request handler")));
    };
  }
  ++stats_.delivered;
  Trace("deliver request #", call_id, " ", from, "->", to);
  return [this, handler = server->second.handler, server_id = event.to,
          incarnation = server->second.incarnation, client = event.from,
          call_id = event.call_id, request = std::move(event.payload)] {
    RunHandler(handler, server_id, incarnation, client, call_id, request);
  };
}

void InMemoryNetwork::RunHandler(
    std::shared_ptr<const ReplicaRequestHandler> handler, int32_t server,
    uint64_t server_incarnation, int32_t client, uint64_t call_id,
    std::shared_ptr<const std::string> request) {
  std::string response = (*handler)(*request);
  MutexLock lock(&mu_);
  if (!Alive(server, server_incarnation)) {
    ++stats_.lost;  // the server crashed while it was answering
    Trace("lose response #", call_id, " ", server, "->", client,
          " (server crashed while handling)");
    return;
  }
  Transmit(/*is_request=*/false, server, client, call_id,
           std::make_shared<const std::string>(std::move(response)));
}

std::function<void()> InMemoryNetwork::DeliverResponse(Event& event) {
  const int32_t from = event.from;
  const int32_t to = event.to;
  const uint64_t call_id = event.call_id;
  if (calls_.find(call_id) == calls_.end()) {
    ++stats_.discarded;  // a duplicate, or after the timeout
    Trace("discard response #", call_id, " ", from, "->", to,
          " (call already completed)");
    return nullptr;
  }
  if (!Alive(from, event.from_incarnation) ||
      !Alive(to, event.to_incarnation) || Cut(from, to)) {
    ++stats_.lost;
    Trace("lose response #", call_id, " ", from, "->", to, " on arrival");
    return nullptr;
  }
  ++stats_.delivered;
  Trace("deliver response #", call_id, " ", from, "->", to);
  return [done = TakeCall(event.call_id), response = std::move(event.payload)] {
    done(*response);
  };
}

std::function<void()> InMemoryNetwork::FireTimeout(const Event& event) {
  ReplicaResponseCallback done = TakeCall(event.call_id);
  if (!done) return nullptr;
  ++stats_.timeouts;
  Trace("time out request #", event.call_id, " ", event.from, "->", event.to);
  const absl::Duration timeout = request_timeout_;
  return [done = std::move(done), from = event.from, to = event.to, timeout] {
    done(absl::DeadlineExceededError(absl::StrCat(
        "in-memory network: request from node ", from, " to node ", to,
        " got no response within ", absl::FormatDuration(timeout))));
  };
}

std::function<void()> InMemoryNetwork::FireTimer(Event& event) {
  if (event.from != kNoOwner && !Alive(event.from, event.from_incarnation)) {
    return nullptr;  // its node crashed (Crash removes these; a safety net)
  }
  return std::move(event.timer);
}

// ---- Helpers
// -------------------------------------------------------------------

ReplicaResponseCallback InMemoryNetwork::TakeCall(uint64_t call_id) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return nullptr;
  ReplicaResponseCallback done = std::move(it->second.done);
  events_.erase(it->second.timeout);
  calls_.erase(it);
  return done;
}

bool InMemoryNetwork::Cut(int32_t a, int32_t b) const {
  if (a == b) return false;
  for (const std::set<int32_t>& side : partitions_) {
    if ((side.count(a) > 0) != (side.count(b) > 0)) return true;
  }
  return false;
}

bool InMemoryNetwork::Alive(int32_t id, uint64_t incarnation) const {
  auto node = nodes_.find(id);
  return node != nodes_.end() && node->second.up &&
         node->second.incarnation == incarnation;
}

InMemoryNetwork::Node& InMemoryNetwork::NodeFor(int32_t id) {
  return nodes_[id];
}

const LinkFaults& InMemoryNetwork::FaultsFor(int32_t from, int32_t to) const {
  auto it = link_faults_.find({from, to});
  return it == link_faults_.end() ? default_faults_ : it->second;
}

double InMemoryNetwork::Uniform() {
  // The top 53 bits as a double in [0, 1).
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

absl::Duration InMemoryNetwork::DelayFor(const LinkFaults& faults) {
  const uint64_t draw = rng_();
  const int64_t span = absl::ToInt64Nanoseconds(faults.max_delay) -
                       absl::ToInt64Nanoseconds(faults.min_delay);
  if (span <= 0) return faults.min_delay;
  return faults.min_delay + absl::Nanoseconds(static_cast<int64_t>(
                                draw % (static_cast<uint64_t>(span) + 1)));
}

void InMemoryNetwork::EmitTrace(absl::string_view what) {
  trace_(absl::StrCat("t=+", absl::FormatDuration(clock_->Now() - start_), " ",
                      what));
}

}  // namespace runnel
