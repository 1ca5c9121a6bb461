// A host's TCP: demultiplexing by 4-tuple, listeners spawning connections, ephemeral ports, and
// the RFC 9293 3.10.7.1 answer for segments that belong to no connection.
#include "tcp/host.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include "tcp/syn_cookie.hpp"

namespace tcpsim::tcp {

Host::Host(HostConfig config, IsnSource isn_source)
    : config_(std::move(config)),
      default_tcp_(std::make_shared<const TcpConfig>(config_.tcp)),
      isn_source_(std::move(isn_source)) {
  next_ephemeral_ = config_.ephemeral_first;
}

Host::~Host() {
  for (Record* record : records_) {
    if (record != nullptr) std::destroy_at(record);
  }
  for (Record* record : pooled_records_) std::destroy_at(record);
}

Host::RecordSlot* Host::allocate_record_slot() {
  if (!free_record_slots_.empty()) {
    RecordSlot* slot = free_record_slots_.back();
    free_record_slots_.pop_back();
    return slot;
  }
  if (block_used_ == block_size_) {
    block_size_ = block_size_ == 0 ? 4 : std::min(2 * block_size_, max_record_block);
    // new[] of raw bytes: nothing is zeroed; each record is constructed in its slot.
    record_blocks_.emplace_back(new RecordSlot[block_size_]);
    block_used_ = 0;
  }
  return &record_blocks_.back()[block_used_++];
}

void Host::destroy_record(Record* record) {
  std::destroy_at(record);
  free_record_slots_.push_back(reinterpret_cast<RecordSlot*>(record));
}

std::uint64_t Host::tuple_key(Port local_port, Address remote, Port remote_port) {
  // The local address is always the host's, so 16 + 32 + 16 bits identify the connection.
  return (static_cast<std::uint64_t>(local_port) << 48) | (static_cast<std::uint64_t>(remote) << 16) |
         static_cast<std::uint64_t>(remote_port);
}

// `tcp`: the config of the connection being opened (the host's, or its own).
SeqNum Host::next_isn(const TcpConfig& tcp, Time now, const FourTuple& tuple) const {
  return isn_source_.next(tcp, now, tuple);
}

Port Host::allocate_ephemeral_port() {
  const Port first = config_.ephemeral_first;
  const Port last = config_.ephemeral_last < first ? first : config_.ephemeral_last;
  const std::uint32_t range = static_cast<std::uint32_t>(last - first) + 1;
  if (next_ephemeral_ < first || next_ephemeral_ > last) next_ephemeral_ = first;
  for (std::uint32_t tried = 0; tried < range; ++tried) {
    const Port candidate = next_ephemeral_;
    next_ephemeral_ = candidate == last ? first : static_cast<Port>(candidate + 1);
    if (candidate == 0) continue;
    // A client host has no listener: the port users' probe alone decides.
    if (local_port_users_.contains(candidate) ||
        (!listeners_.empty() && listeners_.contains(candidate))) {
      continue;
    }
    return candidate;
  }
  return 0;
}

std::size_t Host::connection_count() const { return live_connections_; }

bool Host::is_listener(ConnectionId id) const {
  if (id == no_connection || id > records_.size()) return false;
  const Record* record = records_[id - 1];
  return record != nullptr && record->listener;
}

Host::Record& Host::create(Time /*now*/, const std::shared_ptr<const TcpConfig>& tcp,
                           FourTuple tuple, Port listener_port, State born, bool listener,
                           Output& out) {
  const ConnectionId id = next_id_++;
  if (pooled_records_.empty()) {
    records_.push_back(std::construct_at(reinterpret_cast<Record*>(allocate_record_slot()), id,
                                         tcp, tuple, listener_port));
  } else {
    // A deleted connection's record, remade in place exactly as a new one is, with the storage
    // its buffers kept (the Connection constructor allocates nothing and cannot throw).
    Record* record = pooled_records_.back();
    pooled_bytes_ -= pooled_size(*record);
    Connection::Storage storage = record->connection.take_storage();
    storage.push_points.release_above(max_pooled_buffers);
    std::destroy_at(record);
    std::construct_at(record, id, tcp, tuple, listener_port, std::move(storage));
    records_.push_back(record);
    pooled_records_.pop_back();
  }
  Record& made = *records_.back();
  made.connection.use_buffer_arena(&buffer_arena_);
  made.connection.set_timestamp_offset(isn_source_.timestamp_offset_for(*tcp, tuple));
  made.listener = listener;
  made.counted_buffers = made.connection.buffer_capacity();  // a pooled record's storage
  live_bytes_ += sizeof(Connection) + made.counted_buffers;
  if (!listener) {
    // A listener owns its port through listeners_; no 4-tuple leads to it.
    ++live_connections_;
    by_tuple_.emplace(tuple_key(tuple.local.port, tuple.remote.address, tuple.remote.port), id);
    ++local_port_users_[tuple.local.port];
  }
  out.connection_open(id, tuple, born, listener_port, listener);
  return made;
}

void Host::release(ConnectionId id) {
  Record*& record = records_[id - 1];
  live_bytes_ -= sizeof(Connection) + record->counted_buffers;
  const std::uint64_t held = pooled_size(*record);
  if (pooled_records_.size() < max_pooled_records &&
      record->connection.buffer_capacity() <= max_pooled_buffers) {
    pooled_bytes_ += held;
    pooled_records_.push_back(record);
  } else {
    destroy_record(record);
  }
  record = nullptr;
}

void Host::settle_changed(Record& record, Output& out) {
  const Connection& connection = record.connection;
  const State state = connection.state();
  if (record.pending_accept && state != State::syn_received && state != State::listen) {
    record.pending_accept = false;
    if (auto listener = listeners_.find(record.listener_port); listener != listeners_.end()) {
      --listener->second.pending;
    }
  }
  // A spawned connection that fell back to LISTEN (RFC 9293 3.10.7.4: RST or SYN in SYN_RCVD)
  // is not a listener of its own: the host's listener already is. It goes, like a CLOSED one.
  const bool back_to_listen = record.listener_port != 0 && state == State::listen;
  if (!connection.finished() && !back_to_listen) return;
  if (record.pending_accept) {
    if (auto listener = listeners_.find(record.listener_port); listener != listeners_.end()) {
      --listener->second.pending;
    }
  }
  const ConnectionId id = connection.id();
  const FourTuple tuple = connection.tuple();
  if (record.listener) {
    // A closed listener gives its port back (no 4-tuple leads to it).
    listeners_.erase(tuple.local.port);
  } else {
    const std::uint64_t key = tuple_key(tuple.local.port, tuple.remote.address, tuple.remote.port);
    by_tuple_.erase(key);
    if (key == last_arrival_key_) last_arrival_ = nullptr;
    if (int* users = local_port_users_.find(tuple.local.port); users != nullptr) {
      if (--*users <= 0) local_port_users_.erase(tuple.local.port);
    }
    --live_connections_;
  }
  release(id);  // `record` is gone from here on
  out.connection_free(id, tuple);
}

void Host::open_failed(AppEventKind kind, Rule rule, Output& out) {
  // RFC 9293 3.10.1: OPEN returns an error to the caller, and no TCB is created.
  out.app_event(no_connection, kind, rule);
}

void Host::discard(const Packet& packet, Rule rule, Output& out) {
  out.discard(no_connection, packet.source, packet.destination, packet.segment, rule);
}

// ---------------------------------------------------------------------------------------------
// Application calls
// ---------------------------------------------------------------------------------------------

ConnectionId Host::connect(Time now, Address remote, Port remote_port, Port local_port, Output& out,
                           bool automatic_read, const std::optional<TcpConfig>& tcp) {
  if (!up_) {
    open_failed(AppEventKind::connect_failed, Rule::connect_host_down, out);
    return no_connection;
  }
  if (local_port == 0) {
    local_port = allocate_ephemeral_port();
    if (local_port == 0) {
      open_failed(AppEventKind::connect_failed, Rule::connect_no_ephemeral_port, out);
      return no_connection;
    }
  } else if (listeners_.contains(local_port)) {
    // The given port's listener owns it: bind() fails before connect() (EADDRINUSE).
    open_failed(AppEventKind::connect_failed, Rule::connect_local_port_in_use, out);
    return no_connection;
  }
  if (by_tuple_.contains(tuple_key(local_port, remote, remote_port))) {
    open_failed(AppEventKind::connect_failed, Rule::connect_tuple_in_use, out);
    return no_connection;
  }
  const FourTuple tuple{{config_.address, local_port}, {remote, remote_port}};
  // The host's config by reference (no count taken and dropped), or the connection's own.
  std::shared_ptr<const TcpConfig> own;
  if (tcp) own = std::make_shared<const TcpConfig>(*tcp);
  const std::shared_ptr<const TcpConfig>& config = tcp ? own : default_tcp_;
  Record& record = create(now, config, tuple, 0, State::closed, false, out);
  const ConnectionId id = record.connection.id();
  if (!automatic_read) record.connection.set_automatic_read(now, false, out);
  record.connection.open_active(now, next_isn(*config, now, tuple), out);
  settle(record, out);
  return id;
}

ConnectionId Host::listen(Time now, Port port, int backlog, Output& out, bool automatic_read,
                          const std::optional<TcpConfig>& tcp) {
  if (port == 0 || backlog < 0) return no_connection;  // not a listen (the loader refuses it)
  if (!up_) {
    open_failed(AppEventKind::listen_failed, Rule::listen_host_down, out);
    return no_connection;
  }
  if (listeners_.contains(port)) {
    // One listener per port, as sockets have it (EADDRINUSE); a port that only connections
    // use may take a listener (SO_REUSEADDR), as a connect may share a port.
    open_failed(AppEventKind::listen_failed, Rule::listen_port_in_use, out);
    return no_connection;
  }
  // RFC 9293 3.10.1: a passive OPEN with the remote socket unspecified. The listener's own ISN
  // is never used (each connection it spawns draws its own), so none is drawn for it.
  const FourTuple tuple{{config_.address, port}, {0, 0}};
  const std::shared_ptr<const TcpConfig> config =
      tcp ? std::make_shared<const TcpConfig>(*tcp) : default_tcp_;
  Record& record = create(now, config, tuple, 0, State::closed, true, out);
  record.connection.open_passive(now, 0, out);
  count_buffers(record);  // a listener is not settled: LISTEN deletes nothing
  listeners_.emplace(port, Listener{record.connection.id(), backlog, 0, automatic_read, config});
  return record.connection.id();
}

std::optional<std::size_t> Host::send(Time now, ConnectionId id, std::span<const std::uint8_t> data,
                                      Output& out) {
  Record* record = up_ ? find_record(id) : nullptr;
  if (record == nullptr) return std::nullopt;
  const std::optional<std::size_t> accepted = record->connection.send(now, data, out);
  settle(*record, out);
  return accepted;
}

std::size_t Host::read(Time now, ConnectionId id, std::size_t max_bytes, Output& out) {
  Record* record = up_ ? find_record(id) : nullptr;
  if (record == nullptr) return 0;
  const std::size_t count = record->connection.read(now, max_bytes, out);
  settle(*record, out);
  return count;
}

bool Host::set_automatic_read(Time now, ConnectionId id, bool automatic, Output& out) {
  Record* record = up_ ? find_record(id) : nullptr;
  if (record == nullptr) return false;
  record->connection.set_automatic_read(now, automatic, out);
  settle(*record, out);
  return true;
}

void Host::close_listener(Time now, Record& record, bool abort, Output& out) {
  const Port port = record.connection.tuple().local.port;
  // RFC 9293 3.10.4 (CLOSE) and 3.10.5 (ABORT) in LISTEN: delete the TCB.
  if (abort) {
    record.connection.abort(now, out);
  } else {
    record.connection.close(now, out);
  }
  settle(record, out);  // the listener and its port are gone from here on
  // Then its connections that accept() has not returned, in the order they came.
  for (Record* child : records_) {
    if (!child || child->listener_port != port || !child->pending_accept) continue;
    Record& unaccepted = *child;
    unaccepted.connection.abort_unaccepted(now, out);
    settle(unaccepted, out);
  }
}

bool Host::close(Time now, ConnectionId id, Output& out) {
  Record* record = up_ ? find_record(id) : nullptr;
  if (record == nullptr) return false;
  if (record->listener) {
    close_listener(now, *record, false, out);
    return true;
  }
  const bool accepted = record->connection.close(now, out);
  settle(*record, out);
  return accepted;
}

bool Host::configure(Time now, ConnectionId id, const TcpConfig& config, Output& out) {
  Record* record = up_ ? find_record(id) : nullptr;
  if (record == nullptr) return false;
  const bool accepted = record->connection.configure(now, config, out);
  if (accepted && record->listener) {
    if (auto listener = listeners_.find(record->connection.tuple().local.port);
        listener != listeners_.end()) {
      listener->second.tcp = record->connection.shared_config();
    }
  }
  settle(*record, out);
  return accepted;
}

bool Host::abort(Time now, ConnectionId id, Output& out) {
  Record* record = up_ ? find_record(id) : nullptr;
  if (record == nullptr) return false;
  if (record->listener) {
    close_listener(now, *record, true, out);
    return true;
  }
  record->connection.abort(now, out);
  settle(*record, out);
  return true;
}

void Host::crash(Time /*now*/, Output& out) {
  // Silent: no segment leaves. The driver still learns which records are gone, in id order.
  for (Record*& record : records_) {
    if (record == nullptr) continue;
    out.connection_free(record->connection.id(), record->connection.tuple());
    destroy_record(record);
    record = nullptr;
  }
  live_connections_ = 0;
  live_bytes_ = 0;
  by_tuple_.clear();
  last_arrival_ = nullptr;
  listeners_.clear();
  local_port_users_.clear();
  up_ = false;
}

void Host::reboot(Time /*now*/, Output& /*out*/) {
  // A fresh start: no connections, no listeners, the port allocator from the beginning (so a
  // rebooted client may reuse the port of a half-open connection, RFC 9293 3.5.2). Ids go on.
  up_ = true;
  next_ephemeral_ = config_.ephemeral_first;
}

// ---------------------------------------------------------------------------------------------
// Network and timers
// ---------------------------------------------------------------------------------------------

void Host::packet_arrives(Time now, const Packet& packet, Output& out) {
  if (!up_) {
    discard(packet, Rule::host_down, out);
    return;
  }
  if (packet.destination != config_.address) {
    discard(packet, Rule::not_addressed_to_host, out);
    return;
  }
  const Segment& segment = packet.segment;
  // Exact 4-tuple match first: the connection of the previous segment, most often, or a probe.
  const std::uint64_t key = tuple_key(segment.destination_port, packet.source, segment.source_port);
  Record* found = key == last_arrival_key_ ? last_arrival_ : nullptr;
  if (found == nullptr) {
    if (const ConnectionId* id = by_tuple_.find(key); id != nullptr) {
      found = records_[*id - 1];
      last_arrival_key_ = key;
      last_arrival_ = found;
    }
  }
  if (found != nullptr) {
    Record& record = *found;
    record.connection.segment_arrives(now, segment, out);
    if (!record.connection.reopening_isn()) [[likely]] {
      settle(record, out);
      return;
    }
    // The ISN read before settle, which deletes the connection the SYN closed (the 4-tuple is
    // free). RFC 1122 4.2.2.13: the SYN reopens the 4-tuple, as a SYN for no connection: the
    // port's listener takes it, or there is none and it is answered as without a connection.
    const std::optional<SeqNum> reopening_isn = record.connection.reopening_isn();
    settle(record, out);
    if (auto listener = listeners_.find(segment.destination_port); listener != listeners_.end()) {
      arrive_at_listener(now, packet, listener->second, out, reopening_isn);
    } else {
      answer_without_connection(packet, out);
    }
    return;
  }
  // No connection owns it. RFC 9293 3.5 figure 8: the RST answering an unexpected SYN-ACK is
  // the third segment that rejects an old duplicate SYN; the two-way variant has no third
  // segment at all, whether or not a listener has the port.
  if (config_.tcp.handshake == Handshake::two_way && segment.has(flag::syn) &&
      segment.has(flag::ack)) {
    discard(packet, Rule::two_way_no_third_segment, out);
    return;
  }
  // Then a listener on the destination port: LISTEN decides, once.
  if (auto listener = listeners_.find(segment.destination_port); listener != listeners_.end()) {
    arrive_at_listener(now, packet, listener->second, out);
    return;
  }
  answer_without_connection(packet, out);
}

void Host::arrive_at_listener(Time now, const Packet& packet, Listener& listener, Output& out,
                              std::optional<SeqNum> isn) {
  const Segment& segment = packet.segment;
  const FourTuple tuple{{config_.address, segment.destination_port},
                        {packet.source, segment.source_port}};
  const ListenDecision decision = listen_decision(segment, *listener.tcp);
  switch (decision.action) {
    case ListenDecision::Action::discard:
      discard(packet, decision.rule, out);
      return;
    case ListenDecision::Action::answer_with_reset:
      // RFC 4987 3.6: an ACK (no SYN) may return a SYN cookie; a valid one makes the connection.
      if (listener.tcp->syn_cookies && !segment.has(flag::syn)) {
        if (const auto mss = check_syn_cookie(isn_source_.key(), now, tuple, segment.seq,
                                              segment.ack)) {
          Record& record =
              create(now, listener.tcp, tuple, segment.destination_port, State::listen, false, out);
          if (!listener.automatic_read) record.connection.set_automatic_read(now, false, out);
          record.connection.open_from_cookie(now, segment, *mss, out);
          settle(record, out);
          return;
        }
      }
      answer_with_reset(*listener.tcp, no_connection, packet, decision.rule, out);
      return;
    case ListenDecision::Action::accept_syn:
      break;
  }
  if (listener.pending >= listener.backlog) {
    backlog_full(now, packet, listener, out);
    return;
  }
  Record& record =
      create(now, listener.tcp, tuple, segment.destination_port, State::listen, false, out);
  record.pending_accept = true;
  ++listener.pending;
  if (!listener.automatic_read) record.connection.set_automatic_read(now, false, out);
  // The SYN goes down once: the new connection takes it as LISTEN does, without judging it again.
  record.connection.open_from_listener(now, isn ? *isn : next_isn(*listener.tcp, now, tuple),
                                       segment, out);
  settle(record, out);
}

void Host::backlog_full(Time now, const Packet& packet, const Listener& listener, Output& out) {
  const Segment& syn = packet.segment;
  if (listener.tcp->syn_cookies) {
    // RFC 4987 3.6: <SEQ=cookie><ACK=SEG.SEQ+1><CTL=SYN,ACK> with our MSS, and no TCB.
    const FourTuple tuple{{config_.address, syn.destination_port},
                          {packet.source, syn.source_port}};
    Segment syn_ack;
    syn_ack.source_port = syn.destination_port;
    syn_ack.destination_port = syn.source_port;
    syn_ack.seq = syn_cookie(isn_source_.key(), now, tuple, syn.seq, syn.mss);
    syn_ack.ack = syn.seq + 1;
    syn_ack.flags = flag::syn | flag::ack;
    syn_ack.window =
        static_cast<std::uint16_t>(std::min<std::uint32_t>(listener.tcp->receive_buffer, 0xFFFFU));
    syn_ack.mss = listener.tcp->mss;
    out.transmit(no_connection, packet.destination, packet.source, std::move(syn_ack),
                 SendPurpose::normal, false, Rule::syn_cookie_sent);
    return;
  }
  if (listener.tcp->backlog_full == BacklogFull::reset) {
    answer_with_reset(*listener.tcp, no_connection, packet, Rule::listen_backlog_full_reset,
                      out);
    return;
  }
  discard(packet, Rule::listen_backlog_full, out);
}

void Host::answer_without_connection(const Packet& packet, Output& out) {
  // RFC 9293 3.10.7.1: no connection: a RST answers anything but a RST.
  if (packet.segment.has(flag::rst)) {
    discard(packet, Rule::no_connection_rst_discarded, out);
    return;
  }
  answer_with_reset(config_.tcp, no_connection, packet, Rule::no_connection_answered_with_reset,
                    out);
}

void Host::timer_expired(Time now, ConnectionId id, TimerKind kind, Output& out) {
  Record* record = up_ ? find_record(id) : nullptr;
  if (record == nullptr) return;  // deleted or unknown: nothing to do
  record->connection.timer_expired(now, kind, out);
  settle(*record, out);
}

}  // namespace tcpsim::tcp
