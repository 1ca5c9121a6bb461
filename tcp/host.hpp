// A host: an address, its connections keyed by 4-tuple (O(1) demultiplexing), its listeners,
// ephemeral ports, and what a host does with segments no connection wants (RFC 9293 3.10.7.1).
// Sans-IO like the connection: every call takes `now` and appends effects to an Output.
#pragma once

#include <cstddef>
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
#include "tcp/flat_map.hpp"
#include "tcp/isn.hpp"
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
  // `isn_source` chooses the ISN of each connection opened, by the config's `isn` policy, told
  // the time and the new connection's 4-tuple (tcp/isn.hpp); the simulator gives it the
  // seeded generator and the RFC 6528 key.
  Host(HostConfig config, IsnSource isn_source);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // --- Application calls ---
  // Active open to (remote, remote_port) from `local_port` (0: the next ephemeral port).
  // Returns the new connection's id, or no_connection when it cannot be made (RFC 9293 3.10.1:
  // OPEN fails before a TCB exists): the host is down, no ephemeral port is free, the given
  // `local_port` is held by a listener (as bind() fails with EADDRINUSE; a port shared with
  // other connections is fine, as with SO_REUSEADDR), or the 4-tuple is in use; an app_event
  // effect connect_failed (for no_connection) says which.
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
  // Returns the listener's id, or no_connection when the port has a listener already or the
  // host is down: an app_event effect listen_failed (for no_connection) says which.
  // close and abort of the listener take it from LISTEN to CLOSED (RFC 9293 3.10.4, 3.10.5) and
  // free its port; its spawned connections that accept() has not returned yet (in SYN_RCVD:
  // the runner's application accepts at ESTABLISHED) are reset, as BSD and Linux do
  // (Connection::abort_unaccepted). Its accepted connections live on. `tcp`, when given, is the
  // config of the listener and of every connection it spawns instead of the host's.
  ConnectionId listen(Time now, Port port, int backlog, Output& out, bool automatic_read = true,
                      const std::optional<TcpConfig>& tcp = std::nullopt);
  // SEND: how many bytes the send buffer took (Connection::send); nullopt when the connection
  // is unknown, gone, or cannot send (then a send_failed app event says why). close and abort:
  // false when the connection is unknown or gone, or TCP refused (a close_failed event).
  std::optional<std::size_t> send(Time now, ConnectionId id, std::span<const std::uint8_t> data,
                                  Output& out);
  // RECEIVE in manual read mode; returns the bytes read (0 for an unknown connection).
  std::size_t read(Time now, ConnectionId id, std::size_t max_bytes, Output& out);
  bool set_automatic_read(Time now, ConnectionId id, bool automatic, Output& out);
  bool close(Time now, ConnectionId id, Output& out);
  // Socket options changed on a live connection or listener (Connection::configure): false
  // when the connection is unknown or gone, or TCP refused (a configure_failed event). A
  // listener's new knobs go to the connections it spawns from then on, as accepted sockets
  // inherit the listening socket's options.
  bool configure(Time now, ConnectionId id, const TcpConfig& config, Output& out);
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
  const Connection* find(ConnectionId id) const {
    const Record* record = find_record(id);
    return record != nullptr ? &record->connection : nullptr;
  }
  // Live connections, listeners not counted.
  std::size_t connection_count() const;
  bool is_listener(ConnectionId id) const;
  // What the records kept for reuse hold (their connections and buffer storage), for a driver
  // that accounts for memory: freed connections' records serve the next ones made.
  // The buffer arena's idle blocks are counted here too.
  std::uint64_t pooled_bytes() const { return pooled_bytes_ + buffer_arena_.idle_bytes(); }
  // What the live connections and listeners hold (control blocks and buffer storage), as of
  // the end of the last call: counted where a call settles, so a driver reads one number.
  std::uint64_t live_bytes() const { return live_bytes_; }

 private:
  // Implementation detail; see host.cpp.
  HostConfig config_;
  // config_.tcp, shared by every connection opened without a config of its own.
  std::shared_ptr<const TcpConfig> default_tcp_;
  IsnSource isn_source_;
  bool up_ = true;
  // The connections' buffer blocks (tcp/buffer_arena.hpp). Declared before the records, so it
  // outlives every connection.
  BufferArena buffer_arena_;

  // A connection and what the host knows about it.
  struct Record {
    // The storage by reference: moved once, into the connection (it is three vectors).
    Record(ConnectionId id, const std::shared_ptr<const TcpConfig>& config, FourTuple tuple,
           Port listener, Connection::Storage&& storage = {})
        : connection(id, config, tuple, std::move(storage)), listener_port(listener) {}
    Connection connection;
    Port listener_port = 0;       // non-zero for a connection a listener spawned
    bool pending_accept = false;  // counted in its listener's backlog
    bool listener = false;        // the listening TCB of a passive OPEN (Host::listen)
    std::size_t counted_buffers = 0;  // its buffer capacity as live_bytes_ counts it
  };
  struct Listener {
    ConnectionId id = no_connection;  // the listening TCB
    int backlog = 0;
    int pending = 0;  // spawned connections not yet ESTABLISHED
    bool automatic_read = true;
    std::shared_ptr<const TcpConfig> tcp;  // the listener's and its connections' config
  };
  // The ISN of a new connection on `tuple` with config `tcp` (per-connection knobs).
  SeqNum next_isn(const TcpConfig& tcp, Time now, const FourTuple& tuple) const;
  Port allocate_ephemeral_port();
  // A SYN for a listener whose backlog is full: a SYN cookie, a RST or nothing, by its knobs.
  void backlog_full(Time now, const Packet& packet, const Listener& listener, Output& out);
  Record* find_record(ConnectionId id) {
    return id == no_connection || id > records_.size() ? nullptr : records_[id - 1];
  }
  const Record* find_record(ConnectionId id) const {
    return id == no_connection || id > records_.size() ? nullptr : records_[id - 1];
  }
  // A new TCB, born in `born` (CLOSED; LISTEN for a listener's connection).
  Record& create(Time now, const std::shared_ptr<const TcpConfig>& tcp, FourTuple tuple,
                 Port listener_port, State born, bool listener, Output& out);
  // A connect or listen that failed before any TCB existed: `kind` (connect_failed,
  // listen_failed) for no_connection, `rule` says why.
  void open_failed(AppEventKind kind, Rule rule, Output& out);
  // After each call: the backlog count and deletion, when either has something to do (most
  // calls leave a record as it was: checked inline).
  void settle(Record& record, Output& out) {
    count_buffers(record);
    if (record.pending_accept || record.connection.finished() ||
        (record.listener_port != 0 && record.connection.state() == State::listen)) {
      settle_changed(record, out);
    }
  }
  void settle_changed(Record& record, Output& out);
  // live_bytes_ follows a record's buffers (they grow in a call; most calls leave them as they
  // were: a load and a compare).
  void count_buffers(Record& record) {
    const std::size_t capacity = record.connection.buffer_capacity();
    if (capacity != record.counted_buffers) [[unlikely]] {
      live_bytes_ += capacity;
      live_bytes_ -= record.counted_buffers;
      record.counted_buffers = capacity;
    }
  }
  // The record `id` was, deleted: kept for reuse (its storage too) or freed.
  void release(ConnectionId id);
  // What a pooled record holds, as a driver counts a live connection.
  static std::uint64_t pooled_size(const Record& record) {
    return sizeof(Connection) + record.connection.buffer_capacity();
  }
  // close (`abort` false) or abort of a listener, then the reset of its un-accepted connections.
  void close_listener(Time now, Record& record, bool abort, Output& out);
  // `isn`: the new connection's ISN when it is chosen already (a SYN that reopened a 4-tuple
  // in TIME_WAIT); otherwise the host draws one.
  void arrive_at_listener(Time now, const Packet& packet, Listener& listener, Output& out,
                          std::optional<SeqNum> isn = std::nullopt);
  void answer_without_connection(const Packet& packet, Output& out);
  void discard(const Packet& packet, Rule rule, Output& out);
  static std::uint64_t tuple_key(Port local_port, Address remote, Port remote_port);

  ConnectionId next_id_ = 1;
  // Indexed by id - 1 (ids are never reused); null once deleted. The only structure iterated.
  // The host owns every record it points to, in record_blocks_ (~Host destroys them).
  std::vector<Record*> records_;
  // Deleted connections' records, the next create()'s before a new allocation (most recent
  // first), each remade in place with the storage its buffers kept. At most
  // max_pooled_records, and only those whose buffers hold at most max_pooled_buffers bytes,
  // so what a burst of connections left behind stays bounded.
  std::vector<Record*> pooled_records_;
  static constexpr std::size_t max_pooled_records = 1024;
  static constexpr std::size_t max_pooled_buffers = 32 * 1024;
  std::uint64_t pooled_bytes_ = 0;
  std::uint64_t live_bytes_ = 0;
  // Records are made in blocks, so a new connection is no allocation of its own (a wave of
  // connections at once frees none for the pool to reuse); blocks grow from 4 records to 256
  // and are freed with the host. Slots of deleted records not pooled wait in free_record_slots_.
  struct alignas(Record) RecordSlot {
    std::byte bytes[sizeof(Record)];
  };
  std::vector<std::unique_ptr<RecordSlot[]>> record_blocks_;
  std::size_t block_size_ = 0;  // slots in the last block
  std::size_t block_used_ = 0;  // of those, handed out
  std::vector<RecordSlot*> free_record_slots_;
  static constexpr std::size_t max_record_block = 256;
  RecordSlot* allocate_record_slot();
  // Destroys `record`; its slot serves a later record.
  void destroy_record(Record* record);
  std::size_t live_connections_ = 0;
  // Lookup only, never iterated: 4-tuple -> id, port -> listener, port -> connections using it.
  FlatMap<std::uint64_t, ConnectionId> by_tuple_;  // tcp/flat_map.hpp: no node per entry
  // The record the last segment arrived for, by its 4-tuple key (consecutive segments mostly
  // go to one connection: no probe). Null when that connection is gone.
  std::uint64_t last_arrival_key_ = 0;
  Record* last_arrival_ = nullptr;
  std::unordered_map<Port, Listener> listeners_;
  FlatMap<Port, int> local_port_users_;
  Port next_ephemeral_ = 0;
};

}  // namespace tcpsim::tcp
