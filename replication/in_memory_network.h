// Copyright 2026 The Runnel Authors.
//
// runnel/in_memory_network.h — a deterministic, simulated network of nodes
// for tests and simulations of replication: every node gets a
// ReplicaTransport (runnel/replica_transport.h), and every message travels
// through one event queue on a SimulatedClock, with the faults a real network
// has — delay (and so reordering), loss, duplication, partitions and node
// crashes. Nothing happens until the test drives the queue (Step, RunFor,
// RunUntilIdle), and the same seed and the same calls give the same events in
// the same order at the same simulated times.
//
// Example:
//
//   runnel::SimulatedClock clock;
//   runnel::InMemoryNetwork net(&clock, /*seed=*/42);
//   net.RegisterNode(1, leader_handler);      // a ReplicaRequestHandler
//   net.RegisterNode(2, follower_handler);
//   runnel::LinkFaults faults;
//   faults.min_delay = absl::Milliseconds(1);
//   faults.max_delay = absl::Milliseconds(20);  // random delay: reordering
//   faults.drop_probability = 0.05;
//   net.SetDefaultFaults(faults).IgnoreError();
//
//   net.TransportFor(2)->Send(1, request_bytes, [](auto response) { ... });
//   net.RunFor(absl::Seconds(1));             // deliver what is due
//   net.Isolate(1);                           // the leader drops off
//   net.RunUntilIdle();                       // its requests time out
//   net.Heal();
//
// MESSAGES. A request is one message from the sender to `to`; when it is
// delivered, `to`'s handler runs and its return value travels back as the
// response message. Each message independently gets the link's faults: it is
// dropped with drop_probability, otherwise delivered after a delay drawn
// uniformly from [min_delay, max_delay], and with duplicate_probability a
// second copy follows with its own delay (a duplicated request runs the
// handler twice; the extra response is discarded). Faults come from
// SetLinkFaults for that directed link, else SetDefaultFaults.
//
// CALLBACKS. Every Send's `done` runs exactly once: with the response; with
// Unavailable if `to` is not a registered node with a handler or the sender
// is crashed (then inline, inside Send) or crashes while waiting (inside
// Crash); or with DeadlineExceeded when no response arrived within the
// request timeout (SetRequestTimeout, default 30 s) — whatever was lost on the
// way. A response that arrives after that is discarded.
//
// PARTITIONS AND CRASHES. Partition(side_a) cuts every link between a node in
// side_a and one outside it, in both directions; partitions accumulate until
// Heal. Isolate(id) is Partition({id}). A message is lost if its link is cut
// when it is sent or when it arrives. Crash(id) takes a node down: messages
// to and from it that are in flight are lost, its pending calls complete
// with Unavailable, its timers (RunAfter with owner id) never fire, and
// messages sent to it while it is down are lost. Restart(id) brings it back
// with the same handler; a host that rebuilds the node's objects calls
// RegisterNode with the new handler before Restart.
//
// TIME. Each event has a due time; Step delivers the earliest (ties in the
// order they were created) and first advances the clock to its time if that
// is later. Nothing else moves the clock except RunFor, which ends at its
// deadline. RunAfter schedules a callback in the same queue, so simulated
// brokers can run their periodic work deterministically.
//
// Thread-safety: every method is thread-safe. Handlers, callbacks and timers
// never run under the network's lock, so they may call back into the network
// (Send, Crash, ...). Determinism needs one thread driving the queue and no
// other thread sending.
//
// Lifetimes: `clock` is not owned and must outlive the network. Transports
// returned by TransportFor live as long as the network. Destroying the
// network destroys pending callbacks without calling them (drain with
// RunUntilIdle first if they must run); it must not happen while a handler
// or callback is running.
#ifndef RUNNEL_REPLICATION_IN_MEMORY_NETWORK_H_
#define RUNNEL_REPLICATION_IN_MEMORY_NETWORK_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runnel/clock.h"
#include "runnel/replica_transport.h"
#include "util/mutex.h"

namespace runnel {

// The faults of a link (or of every link without its own).
struct LinkFaults {
  absl::Duration min_delay = absl::ZeroDuration();
  absl::Duration max_delay = absl::ZeroDuration();
  double drop_probability = 0;       // in [0, 1]
  double duplicate_probability = 0;  // in [0, 1]
};

// What happened so far (for tests and simulation reports).
struct InMemoryNetworkStats {
  uint64_t requests = 0;     // Send calls
  uint64_t messages = 0;     // requests and responses put on the wire
  uint64_t delivered = 0;    // messages that reached a handler or `done`
  uint64_t dropped = 0;      // lost to drop_probability
  uint64_t duplicated = 0;   // extra copies made
  uint64_t lost = 0;         // lost to a partition or a crash
  uint64_t discarded = 0;    // responses after their call completed
  uint64_t timeouts = 0;     // calls completed with DeadlineExceeded
  uint64_t unavailable = 0;  // calls completed with Unavailable
};

class InMemoryNetwork {
 public:
  // A RunAfter owner meaning "no node": the timer survives every crash.
  static constexpr int32_t kNoOwner = -1;

  InMemoryNetwork(SimulatedClock* clock, uint64_t seed);
  ~InMemoryNetwork();
  InMemoryNetwork(const InMemoryNetwork&) = delete;
  InMemoryNetwork& operator=(const InMemoryNetwork&) = delete;

  // Adds node `id` (up) or replaces its handler. The handler may be empty
  // for a node that only sends.
  void RegisterNode(int32_t id, ReplicaRequestHandler handler);

  // The transport node `from` sends with (owned by the network; the node is
  // added, up and without handler, if it is new).
  ReplicaTransport* TransportFor(int32_t from);

  // How long a call waits for its response before DeadlineExceeded (> 0).
  absl::Status SetRequestTimeout(absl::Duration timeout);
  // InvalidArgument for a negative delay, min > max, or a probability
  // outside [0, 1].
  absl::Status SetDefaultFaults(const LinkFaults& faults);
  absl::Status SetLinkFaults(int32_t from, int32_t to,
                             const LinkFaults& faults);
  // Drops every per-link setting (the defaults stay).
  void ClearLinkFaults();

  void Partition(const std::set<int32_t>& side_a);
  void Isolate(int32_t id);
  void Heal();

  // No-ops for an unknown node or one already in that state.
  void Crash(int32_t id);
  void Restart(int32_t id);
  bool IsUp(int32_t id) const;

  // Runs `fn` (outside the lock) once the clock reaches now + delay, in
  // queue order with the messages. With an owner, the timer is dropped if
  // that node crashes before it is due.
  void RunAfter(absl::Duration delay, std::function<void()> fn,
                int32_t owner = kNoOwner);

  // Processes the earliest event; false if there is none.
  bool Step();
  // Steps until the queue is empty or `max_events` were processed; returns
  // how many were.
  size_t RunUntilIdle(size_t max_events = 10000000);
  // Processes every event due within `duration` from now (including those
  // they create), then sets the clock to now + duration. Returns the count.
  size_t RunFor(absl::Duration duration);

  size_t pending_events() const;
  InMemoryNetworkStats stats() const;

  // Receives one line per network event ("t=+1.5ms deliver request #3
  // 2->1 ..."), for debugging failing seeds. Runs under the network's
  // lock: it must not call back into the network. Empty to disable.
  void SetTraceSink(std::function<void(absl::string_view line)> sink);

 private:
  class NodeTransport;
  using EventKey = std::pair<absl::Time, uint64_t>;  // due time, sequence

  struct Node {
    std::shared_ptr<const ReplicaRequestHandler> handler;  // may be null
    bool up = true;
    uint64_t incarnation = 0;  // +1 at every crash
  };

  // A Send waiting for its response.
  struct Call {
    int32_t from = 0;
    int32_t to = 0;
    ReplicaResponseCallback done;
    EventKey timeout;  // its kTimeout event
  };

  struct Event {
    enum class Type { kRequest, kResponse, kTimeout, kTimer };
    Type type = Type::kTimer;
    // Messages: the endpoints and their incarnations when it was sent.
    // Timers: `from` is the owner.
    int32_t from = kNoOwner;
    int32_t to = kNoOwner;
    uint64_t from_incarnation = 0;
    uint64_t to_incarnation = 0;
    uint64_t call_id = 0;                        // messages, timeouts
    std::shared_ptr<const std::string> payload;  // messages
    std::function<void()> timer;                 // timers
  };

  // Puts one request or response message for call `call_id` on the from->to
  // link, applying the link's faults.
  void Transmit(bool is_request, int32_t from, int32_t to, uint64_t call_id,
                std::shared_ptr<const std::string> payload)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  EventKey Schedule(absl::Time at, Event event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Send(int32_t from, int32_t to, std::string request,
            ReplicaResponseCallback done);

  // Event handlers: each runs with the lock held and returns the work to do
  // once it is released.
  std::function<void()> DeliverRequest(Event& event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::function<void()> DeliverResponse(Event& event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::function<void()> FireTimeout(const Event& event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::function<void()> FireTimer(Event& event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Pops and processes the earliest event if it is due by `limit`.
  bool StepUntil(absl::Time limit);
  // Runs a handler outside the lock and sends its response.
  void RunHandler(std::shared_ptr<const ReplicaRequestHandler> handler,
                  int32_t server, uint64_t server_incarnation, int32_t client,
                  uint64_t call_id, std::shared_ptr<const std::string> request);
  // Removes a pending call (and its timeout event) and returns its callback.
  ReplicaResponseCallback TakeCall(uint64_t call_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  bool Cut(int32_t a, int32_t b) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True if the node exists, is up and still in `incarnation`.
  bool Alive(int32_t id, uint64_t incarnation) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Node& NodeFor(int32_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const LinkFaults& FaultsFor(int32_t from, int32_t to) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Uniform in [0, 1), from the seeded generator (portable: no std
  // distributions, whose output differs between standard libraries).
  double Uniform() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration DelayFor(const LinkFaults& faults)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends StrCat(args...) to the trace sink, if there is one (nothing is
  // formatted otherwise).
  template <typename... Args>
  void Trace(const Args&... args) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (trace_) EmitTrace(absl::StrCat(args...));
  }
  void EmitTrace(absl::string_view what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  SimulatedClock* const clock_;
  const absl::Time start_;
  mutable Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  absl::Duration request_timeout_ ABSL_GUARDED_BY(mu_);
  LinkFaults default_faults_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<int32_t, int32_t>, LinkFaults> link_faults_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::set<int32_t>> partitions_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, Node> nodes_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, std::unique_ptr<NodeTransport>> transports_
      ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, Call> calls_ ABSL_GUARDED_BY(mu_);
  std::map<EventKey, Event> events_ ABSL_GUARDED_BY(mu_);
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_call_id_ ABSL_GUARDED_BY(mu_) = 1;
  InMemoryNetworkStats stats_ ABSL_GUARDED_BY(mu_);
  std::function<void(absl::string_view)> trace_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runnel

#endif  // RUNNEL_REPLICATION_IN_MEMORY_NETWORK_H_
