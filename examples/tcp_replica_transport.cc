// Copyright 2026 The Runnel Authors.
#include "examples/tcp_replica_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace example {
namespace {

constexpr int kWorkers = 4;
constexpr uint32_t kMaxFrameBytes = 64u << 20;  // refuse absurd lengths

absl::Status Errno(const char* what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool ReadAll(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteFrame(int fd, const std::string& bytes) {
  const uint32_t length = htonl(static_cast<uint32_t>(bytes.size()));
  return WriteAll(fd, reinterpret_cast<const char*>(&length), 4) &&
         WriteAll(fd, bytes.data(), bytes.size());
}

bool ReadFrame(int fd, std::string* bytes) {
  uint32_t length = 0;
  if (!ReadAll(fd, reinterpret_cast<char*>(&length), 4)) return false;
  length = ntohl(length);
  if (length > kMaxFrameBytes) return false;
  bytes->resize(length);
  return ReadAll(fd, bytes->data(), length);
}

}  // namespace

// ---- Server -----------------------------------------------------------------

absl::StatusOr<std::unique_ptr<TcpReplicaServer>> TcpReplicaServer::Start(
    runnel::ReplicaRequestHandler handler) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Errno("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // any free port
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    absl::Status error = Errno("bind/listen on 127.0.0.1");
    ::close(fd);
    return error;
  }
  return std::unique_ptr<TcpReplicaServer>(
      new TcpReplicaServer(fd, ntohs(addr.sin_port), std::move(handler)));
}

TcpReplicaServer::TcpReplicaServer(int listen_fd, int port,
                                   runnel::ReplicaRequestHandler handler)
    : listen_fd_(listen_fd),
      port_(port),
      handler_(std::move(handler)),
      acceptor_([this] { AcceptLoop(); }) {}

TcpReplicaServer::~TcpReplicaServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
  }
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  acceptor_.join();
  ::close(listen_fd_);
  for (std::thread& t : threads_) t.join();
}

void TcpReplicaServer::AcceptLoop() {
  while (true) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    std::lock_guard<std::mutex> lock(mu_);
    if (fd < 0 || stopping_) {
      if (fd >= 0) ::close(fd);
      if (stopping_ || (errno != EINTR && errno != ECONNABORTED)) return;
      continue;
    }
    connections_.push_back(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

// One connection: request frames in, response frames out, until EOF.
void TcpReplicaServer::Serve(int fd) {
  std::string request;
  while (ReadFrame(fd, &request)) {
    if (!WriteFrame(fd, handler_(request))) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (*it == fd) {
      connections_.erase(it);
      break;
    }
  }
  ::close(fd);
}

// ---- Transport
// ----------------------------------------------------------------

TcpReplicaTransport::TcpReplicaTransport() {
  for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this] { Work(); });
}

TcpReplicaTransport::~TcpReplicaTransport() {
  std::deque<Call> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    left.swap(calls_);
  }
  ready_.notify_all();
  for (std::thread& t : workers_) t.join();
  for (Call& call : left) {
    call.done(absl::UnavailableError("transport shut down"));
  }
}

void TcpReplicaTransport::SetPeer(int32_t id, int port) {
  std::lock_guard<std::mutex> lock(mu_);
  ports_[id] = port;
}

void TcpReplicaTransport::Send(int32_t to, std::string request,
                               runnel::ReplicaResponseCallback done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      calls_.push_back({to, std::move(request), std::move(done)});
      ready_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("transport shut down"));
}

void TcpReplicaTransport::Work() {
  while (true) {
    Call call;
    int port = -1;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !calls_.empty(); });
      if (stopping_) return;
      call = std::move(calls_.front());
      calls_.pop_front();
      auto it = ports_.find(call.to);
      if (it != ports_.end()) port = it->second;
    }
    if (port < 0) {
      call.done(absl::UnavailableError(
          absl::StrCat("no address for broker ", call.to)));
      continue;
    }
    call.done(RoundTrip(port, call.request));
  }
}

absl::StatusOr<std::string> TcpReplicaTransport::RoundTrip(
    int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Errno("socket");
  timeval timeout{5, 0};  // a dead peer answers nothing
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string response;
  absl::Status status;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    status = Errno("connect");
  } else if (!WriteFrame(fd, request) || !ReadFrame(fd, &response)) {
    status =
        absl::UnavailableError(absl::StrCat("no answer from 127.0.0.1:", port));
  }
  ::close(fd);
  if (!status.ok()) return status;
  return response;
}

}  // namespace example
