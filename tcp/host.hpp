// A host: an address, its connections keyed by 4-tuple (O(1) demultiplexing), its listeners,
// ephemeral ports, and what a host does with segments no connection wants (RFC 9293 3.10.7.1).
// Sans-IO like the connection: every call takes `now` and appends effects to an Output.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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
  // Returns the new connection's id, or no_connection when it cannot be made (RFC 9293 3.10.1:
  // OPEN fails before a TCB exists): the host is down, no ephemeral port is free, or the
  // 4-tuple is in use; an app_event effect connect_failed (for no_connection) says which.
  // `automatic_read` sets the connection's read mode (Connection::set_automatic_read). `tcp`,
  // when given, is the connection's own config instead of the host's (per-connection knobs).
  ConnectionId connect(Time now, Address remote, Port remote_port, Port local_port, Output& out,
                       bool automatic_read = true,
                       const std::optional<TcpConfig>& tcp = std::nullopt);
  // Passive open on `port` (RFC 9293 3.10.1): a TCB in LISTEN with the remote socket
  // unspecified, the listener, which is a connection of the host with an id of its own (its
  // connection_open effect says `listener`), CLOSED -> LISTEN by the passive OPEN. Each SYN
  // that arrives for the port spawns a connection born in LISTEN as a copy of the listener (its
  // connection_open effect names the listener port), which the SYN takes to SYN_RCVD.
  // `backlog` bounds the spawned connections not yet ESTABLISHED; a SYN beyond it is discarded
  // (as Linux does). Every spawned connection starts in the read mode `automatic_read`.
  // Returns the listener's id, or no_connection when the port is taken or the host is down.
  // The listener stays in LISTEN until the host crashes: closing a listener is not modelled
  // (close and abort refuse it). `tcp`, when given, is the config of the listener and of every
  // connection it spawns instead of the host's.
  ConnectionId listen(Time now, Port port, int backlog, Output& out, bool automatic_read = true,
                      const std::optional<TcpConfig>& tcp = std::nullopt);
  // SEND: how many bytes the send buffer took (Connection::send); nullopt when the connection
  // is unknown, gone, or cannot send.
  std::optional<std::size_t> send(Time now, ConnectionId id, std::span<const std::uint8_t> data,
                                  Output& out);
  // RECEIVE in manual read mode; returns the bytes read (0 for an unknown connection).
  std::size_t read(Time now, ConnectionId id, std::size_t max_bytes, Output& out);
  bool set_automatic_read(Time now, ConnectionId id, bool automatic, Output& out);
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
  // Live connections, listeners not counted.
  std::size_t connection_count() const;
  bool is_listener(ConnectionId id) const;

 private:
  // Implementation detail; see host.cpp.
  HostConfig config_;
  std::function<std::uint32_t()> isn_source_;
  bool up_ = true;

  struct Record;  // a connection and what the host knows about it
  struct Listener {
    ConnectionId id = no_connection;  // the listening TCB
    int backlog = 0;
    int pending = 0;  // spawned connections not yet ESTABLISHED
    bool automatic_read = true;
    TcpConfig tcp;  // the listener's and its connections' config
  };
  SeqNum next_isn(const TcpConfig& tcp);
  Port allocate_ephemeral_port();
  Record* find_record(ConnectionId id);
  // A new TCB, born in `born` (CLOSED; LISTEN for a listener's connection).
  Record& create(Time now, const TcpConfig& tcp, FourTuple tuple, Port listener_port, State born,
                 bool listener, Output& out);
  void connect_failed(Rule rule, Output& out);
  void settle(Record& record, Output& out);  // after each call: backlog count, deletion
  void arrive_at_listener(Time now, const Packet& packet, Listener& listener, Output& out);
  void answer_without_connection(const Packet& packet, Output& out);
  void discard(const Packet& packet, Rule rule, Output& out);
  static std::uint64_t tuple_key(Port local_port, Address remote, Port remote_port);

  ConnectionId next_id_ = 1;
  // Indexed by id - 1 (ids are never reused); null once deleted. The only structure iterated.
  std::vector<std::unique_ptr<Record>> records_;
  std::size_t live_connections_ = 0;
  // Lookup only, never iterated: 4-tuple -> id, port -> listener, port -> connections using it.
  std::unordered_map<std::uint64_t, ConnectionId> by_tuple_;
  std::unordered_map<Port, Listener> listeners_;
  std::unordered_map<Port, int> local_port_users_;
  Port next_ephemeral_ = 0;
};

}  // namespace tcpsim::tcp
