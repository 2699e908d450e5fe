// Copyright 2026 The Runnel Authors.
//
// runnel/replica_transport.h — the seam between Runnel's replication and the
// host's network. Runnel owns no sockets: a host that wants a partition's log
// on several machines implements ReplicaTransport over whatever it already
// has (gRPC, its own TCP, shared memory) and hands arriving requests to the
// receiving broker's ReplicaRequestHandler. Runnel runs Kafka's replication
// protocol through these two pieces; the bytes are the messages of
// runnel/replica_messages.h, and the transport never needs to look inside.
//
// Example: a host with an asynchronous RPC client (`MyRpc`, the host's own)
//
//   class RpcReplicaTransport : public runnel::ReplicaTransport {
//    public:
//     void Send(int32_t to, std::string request,
//               runnel::ReplicaResponseCallback done) override {
//       rpc_->Call(AddressOf(to), "runnel.replica", std::move(request),
//                  /*timeout=*/absl::Seconds(30),
//                  [done = std::move(done)](MyRpc::Result r) {
//                    if (r.timed_out) {
//                      done(absl::DeadlineExceededError("no answer"));
//                    } else if (!r.ok) {
//                      done(absl::UnavailableError(r.error));
//                    } else {
//                      done(std::move(r.reply));
//                    }
//                  });
//     }
//    private:
//     MyRpc* rpc_;
//   };
//
//   // On the receiving machine, the RPC server's method body:
//   std::string reply = handler(request_bytes);   // the broker's handler
//   return reply;
//
// For tests and simulations, runnel/in_memory_network.h provides a
// deterministic implementation with delays, loss, duplication, partitions
// and crashes.
//
// Thread-safety: Send is called from several threads at once; `done` may
// run on any thread, including inline inside Send, so callers never hold a
// lock that `done` takes. A ReplicaRequestHandler is called concurrently
// from any number of threads.
#ifndef RUNNEL_REPLICATION_REPLICA_TRANSPORT_H_
#define RUNNEL_REPLICATION_REPLICA_TRANSPORT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runnel {

// Receives the encoded response, or why there is none.
using ReplicaResponseCallback =
    std::function<void(absl::StatusOr<std::string> response)>;

// The receiving side: turns one encoded request into its encoded response.
// Provided by the broker; the host calls it with the bytes that arrived.
using ReplicaRequestHandler =
    std::function<std::string(absl::string_view request)>;

class ReplicaTransport {
 public:
  virtual ~ReplicaTransport() = default;

  // Sends an encoded request to broker `to` and calls `done` exactly once:
  // with the encoded response, or with Unavailable (the broker could not be
  // reached) or DeadlineExceeded (no response in time). A transport may
  // deliver a request more than once (e.g. when it retries) and responses to
  // different requests in any order: replication must tolerate both (the
  // in-memory network injects them).
  virtual void Send(int32_t to, std::string request,
                    ReplicaResponseCallback done) = 0;
};

}  // namespace runnel

#endif  // RUNNEL_REPLICATION_REPLICA_TRANSPORT_H_
