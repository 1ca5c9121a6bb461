// A host: an address, its connections keyed by 4-tuple (O(1) demultiplexing), its listeners,
// ephemeral ports, and what a host does with segments no connection wants (RFC 9293 3.10.7.1).
// Sans-IO like the connection: every call takes `now` and appends effects to an Output.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "tcp/config.hpp"
#include "tcp/connection.hpp"
#include "tcp/types.hpp"

namespace tcpsim::tcp {

struct HostConfig {
  Address address = 0;
  TcpConfig tcp;
  // Ephemeral ports are handed out in order from `ephemeral_first`, wrapping at
  // `ephemeral_last`, skipping ports in use (deterministic, RFC 6056 is not modelled).
  Port ephemeral_first = 49152;
  Port ephemeral_last = 65535;
};

class Host {
 public:
  // `isn_source` is asked for an ISN whenever a connection is opened and the config has no
  // fixed ISN; the simulator passes its seeded generator.
  Host(HostConfig config, std::function<std::uint32_t()> isn_source);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // --- Application calls ---
  // Active open to (remote, remote_port) from `local_port` (0: the next ephemeral port).
  // Returns the new connection's id, or no_connection if the 4-tuple is in use (a discard effect
  // explains it).
  ConnectionId connect(Time now, Address remote, Port remote_port, Port local_port, Output& out);
  // Passive open on `port`: each SYN that arrives for it spawns a connection (its
  // connection_open effect names the listener port). `backlog` bounds the spawned connections
  // not yet ESTABLISHED; a SYN beyond it is discarded (as Linux does).
  bool listen(Time now, Port port, int backlog, Output& out);
  bool send(Time now, ConnectionId id, std::span<const std::uint8_t> data, Output& out);
  bool close(Time now, ConnectionId id, Output& out);
  bool abort(Time now, ConnectionId id, Output& out);
  // All state is lost silently (no segment is sent); the host is down and discards whatever
  // arrives until reboot().
  void crash(Time now, Output& out);
  // The host is up again, with no connections and no listeners.
  void reboot(Time now, Output& out);

  // --- Network and timers ---
  void packet_arrives(Time now, const Packet& packet, Output& out);
  void timer_expired(Time now, ConnectionId id, TimerKind kind, Output& out);

  // --- Inspection ---
  const HostConfig& config() const { return config_; }
  bool is_up() const { return up_; }
  // nullptr when the id is unknown or the connection was deleted.
  const Connection* find(ConnectionId id) const;
  std::size_t connection_count() const;

 private:
  // Implementation detail; see host.cpp.
  HostConfig config_;
  std::function<std::uint32_t()> isn_source_;
  bool up_ = true;
};

}  // namespace tcpsim::tcp
