// Copyright 2026 The Runnel Authors.
//
// examples/tcp_replica_transport.h — Runnel's replication over plain TCP:
// the part of a host program a user copies and adapts (to their RPC system,
// TLS, service discovery, ...). Runnel owns no network; it hands a host
// encoded requests (runnel::ReplicaTransport::Send) and takes encoded
// requests from it (ReplicaManager::handler()). Here each message travels as
// a frame: a 4-byte big-endian length, then the bytes.
//
//   TcpReplicaServer  listens on 127.0.0.1 (an ephemeral port), one thread
//                     per connection: read a request frame, call the
//                     broker's handler, write the response frame.
//   TcpReplicaTransport  sends each request on a fresh connection from a
//                     small pool of worker threads (simple, and enough on
//                     loopback; a production host keeps connections open).
//
// Thread-safety: both are thread-safe. Destroying a server closes its
// connections; destroying a transport answers queued requests with
// Unavailable and joins its workers.
#ifndef RUNNEL_EXAMPLES_TCP_REPLICA_TRANSPORT_H_
#define RUNNEL_EXAMPLES_TCP_REPLICA_TRANSPORT_H_

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "runnel/replica_transport.h"

namespace example {

class TcpReplicaServer {
 public:
  static absl::StatusOr<std::unique_ptr<TcpReplicaServer>> Start(
      runnel::ReplicaRequestHandler handler);
  ~TcpReplicaServer();
  int port() const { return port_; }

 private:
  TcpReplicaServer(int listen_fd, int port,
                   runnel::ReplicaRequestHandler handler);
  void AcceptLoop();
  void Serve(int fd);

  const int listen_fd_;
  const int port_;
  const runnel::ReplicaRequestHandler handler_;
  std::mutex mu_;
  std::vector<int> connections_;  // open, for shutdown
  std::vector<std::thread> threads_;
  bool stopping_ = false;
  std::thread acceptor_;
};

class TcpReplicaTransport : public runnel::ReplicaTransport {
 public:
  TcpReplicaTransport();
  ~TcpReplicaTransport() override;

  // Where broker `id` listens.
  void SetPeer(int32_t id, int port);
  void Send(int32_t to, std::string request,
            runnel::ReplicaResponseCallback done) override;

 private:
  struct Call {
    int32_t to;
    std::string request;
    runnel::ReplicaResponseCallback done;
  };
  void Work();
  absl::StatusOr<std::string> RoundTrip(int port, const std::string& request);

  std::mutex mu_;
  std::condition_variable ready_;
  std::map<int32_t, int> ports_;
  std::deque<Call> calls_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace example

#endif  // RUNNEL_EXAMPLES_TCP_REPLICA_TRANSPORT_H_
