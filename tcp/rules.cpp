// The one table of the core's rules: citation, English and Chinese for every tcp::Rule. A rule
// missing here, out of order, or without a citation, English or Chinese text does not compile
// (the static_assert below).
#include "tcp/rules.hpp"

#include <array>
#include <string>

namespace tcpsim::tcp {

namespace {

using enum Cited;

constexpr std::string_view rfc9293_open = "RFC 9293 3.10.1";
constexpr std::string_view rfc9293_close = "RFC 9293 3.10.4";
constexpr std::string_view rfc1122_half_duplex = "RFC 1122 4.2.2.13";
constexpr std::string_view rfc9293_abort = "RFC 9293 3.10.5";
constexpr std::string_view rfc9293_closed = "RFC 9293 3.10.7.1";
constexpr std::string_view rfc9293_listen = "RFC 9293 3.10.7.2";
constexpr std::string_view rfc9293_syn_sent = "RFC 9293 3.10.7.3";
constexpr std::string_view teaching = "teaching variant";
constexpr std::string_view simulator = "tcpsim model";
constexpr std::string_view sockets = "as sockets do";
constexpr std::string_view bsd_and_linux = "as BSD and Linux do";
constexpr std::string_view rfc9293_send = "RFC 9293 3.10.2";
constexpr std::string_view freebsd = "as FreeBSD does";
constexpr std::string_view linux_syn_timeout = "Linux tcp_write_timeout()";

// Indexed by the enum value minus one (Rule::none has no row).
constexpr std::array<RuleText, rule_count> rules{{
    // --- OPEN ---
    {Rule::active_open, "active_open", rfc9293_open, before, "active OPEN, SYN sent",
     "主动打开，发送 SYN"},
    {Rule::active_open_in_listen, "active_open_in_listen", rfc9293_open, before,
     "active OPEN in LISTEN, SYN sent", "在 LISTEN 状态下执行主动打开，发送 SYN"},
    {Rule::passive_open, "passive_open", rfc9293_open, before, "passive OPEN",
     "被动打开，开始监听"},
    // --- CLOSE ---
    {Rule::close_in_listen, "close_in_listen", rfc9293_close, before,
     "CLOSE in LISTEN deletes the TCB", "在 LISTEN 状态下调用 CLOSE，删除 TCB"},
    {Rule::close_in_syn_sent, "close_in_syn_sent", rfc9293_close, before,
     "CLOSE in SYN_SENT deletes the TCB", "在 SYN_SENT 状态下调用 CLOSE，删除 TCB"},
    {Rule::close_in_syn_sent_with_queued_sends, "close_in_syn_sent_with_queued_sends",
     rfc9293_close, before,
     "CLOSE in SYN_SENT deletes the TCB, queued SENDs fail (error: closing)",
     "在 SYN_SENT 状态下调用 CLOSE，删除 TCB，排队中的 SEND 失败（error: closing）"},
    {Rule::close_in_syn_received, "close_in_syn_received", rfc9293_close, before,
     "CLOSE in SYN_RCVD with nothing queued, FIN sent",
     "在 SYN_RCVD 状态下调用 CLOSE，没有待发送的数据，发送 FIN"},
    {Rule::close_in_established, "close_in_established", rfc9293_close, before,
     "CLOSE in ESTABLISHED, FIN follows the queued data",
     "在 ESTABLISHED 状态下调用 CLOSE，排队的数据发完后发送 FIN"},
    {Rule::close_in_close_wait, "close_in_close_wait", rfc9293_close, before,
     "CLOSE in CLOSE_WAIT, FIN follows the queued data",
     "在 CLOSE_WAIT 状态下调用 CLOSE，排队的数据发完后发送 FIN"},
    {Rule::queued_close_takes_effect, "queued_close_takes_effect", rfc9293_close, before,
     "CLOSE queued in SYN_RCVD takes effect in ESTABLISHED",
     "在 SYN_RCVD 状态下排队的 CLOSE 在进入 ESTABLISHED 后生效"},
    {Rule::half_duplex_close_with_unread_data, "half_duplex_close_with_unread_data",
     rfc1122_half_duplex, before, "CLOSE with unread data on a half-duplex close, RST sent",
     "半双工关闭时仍有未读数据就调用 CLOSE，发送 RST"},
    {Rule::half_duplex_data_after_close, "half_duplex_data_after_close", rfc1122_half_duplex,
     before, "data arrived after CLOSE on a half-duplex close, RST sent",
     "半双工关闭后又收到数据，发送 RST 表示数据丢失"},
    // --- ABORT ---
    {Rule::abort_before_synchronization, "abort_before_synchronization", rfc9293_abort, before,
     "ABORT before synchronization, no RST", "在同步之前调用 ABORT，不发送 RST"},
    {Rule::abort_synchronized, "abort_synchronized", rfc9293_abort, before, "ABORT, RST sent",
     "调用 ABORT，发送 RST"},
    {Rule::abort_while_closing, "abort_while_closing", rfc9293_abort, before,
     "ABORT while closing, no RST", "在关闭过程中调用 ABORT，不发送 RST"},
    {Rule::listener_closed_before_accept, "listener_closed_before_accept", bsd_and_linux, after,
     "the listener was closed before accept() returned this connection: RST sent, CLOSED",
     "监听套接字在 accept() 返回这个连接之前被关闭：发送 RST，进入 CLOSED"},
    // --- SEND and CLOSE refused ---
    {Rule::send_remote_socket_unspecified, "send_remote_socket_unspecified", rfc9293_send,
     before, "SEND on a listener: error: remote socket unspecified",
     "在监听套接字上调用 SEND：error: remote socket unspecified（远端套接字未指定）"},
    {Rule::send_connection_closing, "send_connection_closing", rfc9293_send, before,
     "SEND after CLOSE: error: connection closing",
     "调用 CLOSE 之后再 SEND：error: connection closing（连接正在关闭）"},
    {Rule::close_connection_closing, "close_connection_closing", rfc9293_close, before,
     "CLOSE after CLOSE: error: connection closing, no second FIN",
     "调用 CLOSE 之后再次 CLOSE：error: connection closing（连接正在关闭），不发送第二个 FIN"},
    {Rule::configure_knob_fixed, "configure_knob_fixed", sockets, after,
     "a knob that cannot change on a live connection: nothing changed",
     "该参数在连接存在后不能修改：没有任何改变"},
    {Rule::receive_buffer_grown, "receive_buffer_grown", "RFC 9293 3.8.6.2.2", before,
     "the receive buffer grew, the window opens", "接收缓冲区变大，窗口打开"},
    // --- CLOSED, or no connection ---
    {Rule::closed_rst_discarded, "closed_rst_discarded", rfc9293_closed, before,
     "CLOSED, an arriving RST is discarded", "处于 CLOSED 状态，到达的 RST 被丢弃"},
    {Rule::closed_answered_with_reset, "closed_answered_with_reset", rfc9293_closed, before,
     "CLOSED, segment answered with RST", "处于 CLOSED 状态，用 RST 回复该报文段"},
    {Rule::closed_dropped_silently, "closed_dropped_silently", teaching, after,
     "reset_unexpected_segments = false: CLOSED, dropped silently",
     "reset_unexpected_segments = false：CLOSED 状态下静默丢弃"},
    {Rule::no_connection_rst_discarded, "no_connection_rst_discarded", rfc9293_closed, before,
     "no connection, an arriving RST is discarded", "没有对应的连接，到达的 RST 被丢弃"},
    {Rule::no_connection_answered_with_reset, "no_connection_answered_with_reset",
     rfc9293_closed, before, "no connection, answered with RST", "没有对应的连接，用 RST 回复"},
    {Rule::no_connection_dropped_silently, "no_connection_dropped_silently", teaching, after,
     "reset_unexpected_segments = false: no connection, dropped silently",
     "reset_unexpected_segments = false：没有对应的连接，静默丢弃"},
    // --- LISTEN ---
    {Rule::listen_rst_ignored, "listen_rst_ignored", rfc9293_listen, before,
     "RST in LISTEN is ignored", "LISTEN 状态收到 RST，忽略它"},
    {Rule::listen_ack_answered_with_reset, "listen_ack_answered_with_reset", rfc9293_listen,
     before, "ACK in LISTEN draws a RST", "LISTEN 状态收到 ACK，回复 RST"},
    {Rule::listen_syn_ack_dropped, "listen_syn_ack_dropped", freebsd, after,
     "listen_drops_syn_ack = true: a SYN-ACK in LISTEN is dropped silently (tcp_input)",
     "listen_drops_syn_ack = true：LISTEN 状态收到的 SYN-ACK 被静默丢弃（tcp_input）"},
    {Rule::syn_fin_dropped, "syn_fin_dropped", freebsd, after,
     "drop_syn_fin = true: a SYN-FIN is dropped silently (net.inet.tcp.drop_synfin)",
     "drop_syn_fin = true：同时带 SYN 和 FIN 的报文段被静默丢弃（net.inet.tcp.drop_synfin）"},
    {Rule::listen_ack_dropped_silently, "listen_ack_dropped_silently", teaching, after,
     "reset_unexpected_segments = false: an ACK in LISTEN is dropped silently",
     "reset_unexpected_segments = false：LISTEN 状态下的 ACK 被静默丢弃"},
    {Rule::listen_syn, "listen_syn", rfc9293_listen, before, "SYN in LISTEN, SYN-ACK sent",
     "LISTEN 状态收到连接请求报文段（SYN），发送 SYN-ACK"},
    {Rule::listen_other_dropped, "listen_other_dropped", rfc9293_listen, before,
     "neither RST, ACK nor SYN in LISTEN", "LISTEN 状态收到的报文段既没有 RST、ACK，也没有 SYN"},
    {Rule::listen_backlog_full, "listen_backlog_full", "as Linux does", after,
     "listen backlog full: SYN dropped", "监听队列（backlog）已满，丢弃 SYN"},
    {Rule::listen_backlog_full_reset, "listen_backlog_full_reset", "as Windows does", after,
     "backlog_full = reset: listen backlog full, SYN answered with a RST",
     "backlog_full = reset：监听队列（backlog）已满，用 RST 回复 SYN"},
    {Rule::syn_cookie_sent, "syn_cookie_sent", "RFC 4987 3.6", before,
     "listen backlog full: SYN answered with a SYN cookie, nothing kept",
     "监听队列（backlog）已满：用 SYN cookie 回复 SYN，不保留任何状态"},
    {Rule::syn_cookie_ack, "syn_cookie_ack", "RFC 4987 3.6", before,
     "ACK returning a valid SYN cookie: connection made, ESTABLISHED",
     "ACK 带回了有效的 SYN cookie：建立连接，进入 ESTABLISHED"},
    {Rule::two_way_listen_syn, "two_way_listen_syn", teaching, apart,
     "two-way handshake: SYN answered with SYN-ACK, ESTABLISHED without a third segment",
     "两次握手：用 SYN-ACK 回复 SYN，不等第三次握手就进入 ESTABLISHED"},
    {Rule::two_way_no_third_segment, "two_way_no_third_segment", teaching, apart,
     "two-way handshake: no third segment, not even a RST",
     "两次握手：没有第三次握手，连 RST 也不发"},
    // --- SYN_SENT ---
    {Rule::syn_sent_rst_with_bad_ack, "syn_sent_rst_with_bad_ack", rfc9293_syn_sent, before,
     "RST with an unacceptable ACK in SYN_SENT", "SYN_SENT 状态收到 ACK 不可接受的 RST"},
    {Rule::syn_sent_bad_ack_answered_with_reset, "syn_sent_bad_ack_answered_with_reset",
     rfc9293_syn_sent, before, "ACK does not acknowledge our SYN, RST sent",
     "ACK 没有确认我们的 SYN，发送 RST"},
    {Rule::syn_sent_bad_ack_dropped_silently, "syn_sent_bad_ack_dropped_silently", teaching,
     after,
     "reset_unexpected_segments = false: an ACK that does not acknowledge our SYN is dropped "
     "silently",
     "reset_unexpected_segments = false：不确认我方 SYN 的 ACK 被静默丢弃"},
    {Rule::syn_sent_rst_refused, "syn_sent_rst_refused", rfc9293_syn_sent, before,
     "RST acknowledging our SYN, connection refused", "RST 确认了我们的 SYN，连接被拒绝"},
    {Rule::syn_sent_rst_without_ack, "syn_sent_rst_without_ack", rfc9293_syn_sent, before,
     "RST without ACK in SYN_SENT is dropped", "SYN_SENT 状态收到不带 ACK 的 RST，将其丢弃"},
    {Rule::syn_sent_syn_ack, "syn_sent_syn_ack", rfc9293_syn_sent, before,
     "SYN-ACK acknowledges our SYN", "SYN-ACK 确认了我们的 SYN"},
    {Rule::simultaneous_open, "simultaneous_open", rfc9293_syn_sent, before,
     "SYN without ACK in SYN_SENT, simultaneous open, SYN-ACK sent",
     "SYN_SENT 状态收到不带 ACK 的 SYN，即同时打开，发送 SYN-ACK"},
    {Rule::syn_sent_other_dropped, "syn_sent_other_dropped", rfc9293_syn_sent, before,
     "neither SYN nor RST in SYN_SENT", "SYN_SENT 状态收到的报文段既没有 SYN 也没有 RST"},
    // --- Synchronized states ---
    {Rule::rst_outside_window, "rst_outside_window", "RFC 9293 3.10.7.4 first", after,
     "not acceptable: RST outside the receive window", "不可接受：RST 落在接收窗口之外"},
    {Rule::rst_in_window_challenge, "rst_in_window_challenge", "RFC 5961 3.2", before,
     "RST in the window but not at RCV.NXT, challenge ACK sent",
     "RST 落在接收窗口内但不等于 RCV.NXT，回复挑战 ACK（challenge ACK）"},
    {Rule::rst_in_window_reset, "rst_in_window_reset", "RFC 793 3.4", before,
     "RST in the window, connection reset (rfc5961 = false)",
     "RST 落在接收窗口内，连接被重置（rfc5961 = false）"},
    {Rule::unacceptable_zero_window, "unacceptable_zero_window", "RFC 9293 3.10.7.4 first",
     apart, "not acceptable: the receive window is zero, ACK sent",
     "不可接受：接收窗口为零，回复 ACK"},
    {Rule::unacceptable_outside_window, "unacceptable_outside_window",
     "RFC 9293 3.10.7.4 first", apart, "not acceptable: outside the receive window, ACK sent",
     "不可接受：报文段落在接收窗口之外，回复 ACK"},
    {Rule::paws_rejected, "paws_rejected", "RFC 7323 5.3", before,
     "not acceptable: its TSval is older than TS.Recent (PAWS), an old duplicate; ACK sent",
     "不可接受：其 TSval 早于 TS.Recent（PAWS），是旧的重复报文段；回复 ACK"},
    {Rule::timestamp_missing_dropped, "timestamp_missing_dropped", "RFC 7323 3.2", before,
     "dropped silently: no Timestamps option on a connection that negotiated them "
     "(timestamp_missing = \"drop\")",
     "静默丢弃：双方已协商时间戳，该报文段却没有时间戳选项（timestamp_missing = \"drop\"）"},
    {Rule::rst_in_syn_received_passive, "rst_in_syn_received_passive",
     "RFC 9293 3.10.7.4 second", before, "RST in SYN_RCVD from a passive OPEN, back to LISTEN",
     "由被动打开产生的连接在 SYN_RCVD 状态收到 RST，回到 LISTEN"},
    {Rule::rst_in_syn_received_active, "rst_in_syn_received_active",
     "RFC 9293 3.10.7.4 second", before,
     "RST in SYN_RCVD from an active OPEN, connection refused",
     "由主动打开产生的连接在 SYN_RCVD 状态收到 RST，连接被拒绝"},
    {Rule::rst_connection_reset, "rst_connection_reset", "RFC 9293 3.10.7.4 second", before,
     "RST at RCV.NXT, connection reset", "RST 的序号正好等于 RCV.NXT，连接被重置"},
    {Rule::rst_in_closing_or_last_ack, "rst_in_closing_or_last_ack", "RFC 9293 3.10.7.4 second",
     before, "RST in CLOSING or LAST_ACK, CLOSED",
     "在 CLOSING 或 LAST_ACK 状态收到 RST，进入 CLOSED"},
    {Rule::rst_in_time_wait, "rst_in_time_wait", "RFC 9293 3.10.7.4 second", before,
     "RST in TIME_WAIT, CLOSED", "在 TIME_WAIT 状态收到 RST，进入 CLOSED"},
    {Rule::rst_in_time_wait_ignored, "rst_in_time_wait_ignored", "RFC 1337", before,
     "RST in TIME_WAIT ignored (rfc1337 = true), 2 MSL continues",
     "按 RFC 1337 忽略 TIME_WAIT 状态收到的 RST，继续等待 2MSL"},
    {Rule::time_wait_syn_reopens, "time_wait_syn_reopens", "RFC 1122 4.2.2.13", before,
     "SYN above RCV.NXT reopens the 4-tuple in TIME_WAIT (time_wait_accepts_syn = true): "
     "CLOSED, the SYN goes to the listener",
     "TIME_WAIT 状态收到序号高于 RCV.NXT 的 SYN，重新打开该四元组（time_wait_accepts_syn = "
     "true）：进入 CLOSED，SYN 交给监听套接字"},
    {Rule::time_wait_syn_reopens_by_timestamp, "time_wait_syn_reopens_by_timestamp", "RFC 6191",
     before,
     "SYN with a TSval above TS.Recent reopens the 4-tuple in TIME_WAIT (time_wait_accepts_syn "
     "= true): CLOSED, the SYN goes to the listener",
     "TIME_WAIT 状态收到 TSval 高于 TS.Recent 的 SYN，重新打开该四元组（time_wait_accepts_syn = "
     "true）：进入 CLOSED，SYN 交给监听套接字"},
    {Rule::syn_in_syn_received_back_to_listen, "syn_in_syn_received_back_to_listen",
     "RFC 9293 3.10.7.4 fourth", before, "SYN in SYN_RCVD from a passive OPEN, back to LISTEN",
     "由被动打开产生的连接在 SYN_RCVD 状态收到 SYN，回到 LISTEN"},
    {Rule::syn_in_syn_received_discarded, "syn_in_syn_received_discarded",
     "RFC 9293 3.10.7.4 fourth", before, "SYN in SYN_RCVD from a passive OPEN",
     "由被动打开产生的连接在 SYN_RCVD 状态收到 SYN"},
    {Rule::syn_challenge_ack, "syn_challenge_ack", "RFC 9293 3.10.7.4 fourth", before,
     "SYN in a synchronized state, challenge ACK sent",
     "在已同步状态收到 SYN，回复挑战 ACK（challenge ACK）"},
    {Rule::syn_in_window_reset, "syn_in_window_reset", "RFC 793 3.9", before,
     "SYN in the window is an error, RST sent, connection reset (rfc5961 = false)",
     "SYN 落在接收窗口内，视为错误，发送 RST，连接被重置（rfc5961 = false）"},
    {Rule::syn_outside_window_acknowledged, "syn_outside_window_acknowledged", "RFC 793 3.9",
     before, "SYN before the window (the segment's tail is in it), ACK sent (rfc5961 = false)",
     "SYN 位于接收窗口之前（报文段尾部在窗口内），发送 ACK（rfc5961 = false）"},
    {Rule::time_wait_segment_without_ack_dropped, "time_wait_segment_without_ack_dropped",
     freebsd, after,
     "time_wait_drops_segments_without_ack = true: a segment without ACK in TIME_WAIT is "
     "dropped (tcp_twcheck)",
     "time_wait_drops_segments_without_ack = true：TIME_WAIT 状态下不带 ACK 的报文段被丢弃"
     "（tcp_twcheck）"},
    {Rule::time_wait_segment_acknowledged, "time_wait_segment_acknowledged", freebsd, after,
     "time_wait_acknowledges_segments = true: a segment in TIME_WAIT other than a duplicate "
     "ACK is acknowledged (tcp_twcheck)",
     "time_wait_acknowledges_segments = true：TIME_WAIT 状态下除重复 ACK 外的报文段都被确认"
     "（tcp_twcheck）"},
    {Rule::ack_bit_off, "ack_bit_off", "RFC 9293 3.10.7.4 fifth", before, "ACK bit off",
     "ACK 位没有置位"},
    {Rule::syn_received_bad_ack_answered_with_reset, "syn_received_bad_ack_answered_with_reset",
     "RFC 9293 3.10.7.4 fifth", before, "unacceptable ACK in SYN_RCVD, RST sent",
     "在 SYN_RCVD 状态收到不可接受的 ACK，发送 RST"},
    {Rule::syn_received_bad_ack_dropped_silently, "syn_received_bad_ack_dropped_silently",
     teaching, after,
     "reset_unexpected_segments = false: an unacceptable ACK in SYN_RCVD is dropped silently",
     "reset_unexpected_segments = false：SYN_RCVD 状态下不可接受的 ACK 被静默丢弃"},
    {Rule::syn_received_ack, "syn_received_ack", "RFC 9293 3.10.7.4 fifth", before,
     "ACK of our SYN-ACK in SYN_RCVD", "在 SYN_RCVD 状态收到对我们 SYN-ACK 的确认（第三次握手）"},
    {Rule::ack_of_unsent_data, "ack_of_unsent_data", "RFC 9293 3.10.7.4 fifth", before,
     "ACK for data not yet sent, ACK sent", "ACK 确认了尚未发送的数据，回复 ACK"},
    {Rule::ack_below_window, "ack_below_window", "RFC 5961 5.2", before,
     "ACK below SND.UNA - MAX.SND.WND, ACK sent, segment dropped",
     "ACK 低于 SND.UNA - MAX.SND.WND，回复 ACK 并丢弃该报文段"},
    {Rule::fin_acknowledged_in_fin_wait_1, "fin_acknowledged_in_fin_wait_1",
     "RFC 9293 3.10.7.4 fifth", before, "our FIN is acknowledged in FIN_WAIT_1",
     "在 FIN_WAIT_1 状态，我们的 FIN 得到确认"},
    {Rule::fin_acknowledged_in_closing, "fin_acknowledged_in_closing", "RFC 9293 3.10.7.4 fifth",
     before, "our FIN is acknowledged in CLOSING", "在 CLOSING 状态，我们的 FIN 得到确认"},
    {Rule::fin_unacknowledged_in_closing, "fin_unacknowledged_in_closing",
     "RFC 9293 3.10.7.4 fifth", before, "CLOSING and our FIN not acknowledged, ignored",
     "处于 CLOSING 状态而我们的 FIN 尚未被确认，忽略"},
    {Rule::fin_acknowledged_in_last_ack, "fin_acknowledged_in_last_ack",
     "RFC 9293 3.10.7.4 fifth", before, "our FIN is acknowledged in LAST_ACK",
     "在 LAST_ACK 状态，我们的 FIN 得到确认"},
    {Rule::text_after_fin_ignored, "text_after_fin_ignored", "RFC 9293 3.10.7.4 seventh", before,
     "text after the peer's FIN is ignored", "对方 FIN 之后的数据被忽略"},
    {Rule::out_of_order_held, "out_of_order_held", "RFC 5681 4.2", before,
     "out of order, held for reassembly, duplicate ACK at once",
     "失序的报文段：暂存等待重组，立即发出重复确认"},
    {Rule::out_of_order_fin_held, "out_of_order_fin_held", "RFC 9293 3.10.7.4 first (SHLD-31)",
     before, "FIN out of order, held with the data until the gap fills, duplicate ACK at once",
     "失序的 FIN：与失序数据一起暂存，待缺口填满后处理，立即发出重复确认"},
    {Rule::out_of_order_beyond_window, "out_of_order_beyond_window", "RFC 9293 3.10.7.4 first",
     apart, "out of order and beyond the receive window", "失序且超出接收窗口"},
    {Rule::fin_in_established, "fin_in_established", "RFC 9293 3.10.7.4 eighth", before,
     "FIN received in ESTABLISHED", "在 ESTABLISHED 状态收到连接释放报文段（FIN）"},
    {Rule::fin_in_fin_wait_1_acknowledging_ours, "fin_in_fin_wait_1_acknowledging_ours",
     "RFC 9293 3.10.7.4 eighth", before, "FIN that acknowledges our FIN in FIN_WAIT_1",
     "在 FIN_WAIT_1 状态收到的 FIN 同时确认了我们的 FIN"},
    {Rule::simultaneous_close, "simultaneous_close", "RFC 9293 3.10.7.4 eighth", before,
     "FIN in FIN_WAIT_1 before our FIN is acknowledged",
     "在 FIN_WAIT_1 状态、我们的 FIN 被确认之前收到 FIN"},
    {Rule::fin_in_fin_wait_2, "fin_in_fin_wait_2", "RFC 9293 3.10.7.4 eighth", before,
     "FIN received in FIN_WAIT_2", "在 FIN_WAIT_2 状态收到 FIN"},
    {Rule::peer_fin_end_of_stream, "peer_fin_end_of_stream", "RFC 9293 3.10.7.4 eighth", before,
     "the peer's FIN, connection closing", "收到对方的 FIN，对方不再发送数据"},
    // --- Timers, retransmission and probes ---
    {Rule::time_wait_expired, "time_wait_expired", "RFC 9293 3.10.7.4", before,
     "the 2 MSL TIME_WAIT timeout expired", "TIME_WAIT 已等待 2MSL"},
    {Rule::time_wait_disabled, "time_wait_disabled", teaching, after,
     "time_wait = 0: TIME_WAIT is disabled, CLOSED at once",
     "time_wait = 0：TIME_WAIT 被禁用，立即进入 CLOSED"},
    {Rule::retransmission_timeout, "retransmission_timeout", "RFC 6298 5.4", before,
     "the retransmission timer expired", "重传计时器超时"},
    {Rule::fast_retransmit, "fast_retransmit", "RFC 5681 3.2", before,
     "fast retransmit after duplicate ACKs", "连续收到重复确认，快重传"},
    {Rule::partial_ack_retransmit, "partial_ack_retransmit", "RFC 6582 3.2", before,
     "NewReno partial ACK: the next hole is resent in fast recovery",
     "NewReno 部分确认：快恢复中立即重传下一个空缺"},
    {Rule::sack_retransmit, "sack_retransmit", "RFC 6675 4", before,
     "SACK loss recovery resends a segment the scoreboard counts as lost",
     "SACK 丢失恢复：重传记分板判定为丢失的报文段"},
    {Rule::sack_retransmit_not_yet_lost, "sack_retransmit_not_yet_lost", "RFC 6675 4 NextSeg (3)",
     before,
     "SACK loss recovery, nothing lost and no new data to send: resends an unSACKed segment "
     "below the highest SACKed one",
     "SACK 丢失恢复：没有判定为丢失的报文段，也没有新数据可发，"
     "重传最高 SACK 块之下尚未被 SACK 的报文段"},
    {Rule::sack_rescue_retransmit, "sack_rescue_retransmit", "RFC 6675 4 NextSeg (4)", before,
     "SACK loss recovery's one rescue retransmission: the last unSACKed segment, so that a lost "
     "tail is not left to the timer",
     "SACK 丢失恢复中唯一一次“救援重传”：重传最后一个未被 SACK 的报文段，"
     "免得丢失的尾部只能等超时重传"},
    {Rule::retransmission_after_timeout, "retransmission_after_timeout", "RFC 6582 3.2", before,
     "after a retransmission timeout, the ACK shows the next hole: resent",
     "重传超时之后，确认指出了下一个空缺：立即重传"},
    {Rule::window_probe, "window_probe", "RFC 9293 3.8.6.1", before,
     "zero window, the persist timer sends a one-octet probe",
     "零窗口，持续计时器到期，发送一个字节的零窗口探测报文段"},
    {Rule::window_update, "window_update", "RFC 9293 3.8.6.2.2", before,
     "the application read, the window opens", "应用读取了数据，窗口打开"},
    {Rule::keepalive_probe, "keepalive_probe", "RFC 1122 4.2.3.6", before,
     "idle connection, keepalive probe", "连接空闲，保活计时器到期，发送探测报文段"},
    {Rule::keepalive_gave_up, "keepalive_gave_up", "RFC 1122 4.2.3.6", before,
     "keepalive probes unanswered, the peer is dead", "保活探测报文段无人应答，判定对方已出故障"},
    {Rule::user_timeout, "user_timeout", "RFC 9293 3.8.4 (RFC 5482)", before,
     "user timeout, data unacknowledged too long", "用户超时：数据太久没有得到确认"},
    {Rule::fin_wait_2_timeout, "fin_wait_2_timeout", "Linux tcp_fin_timeout", after,
     "fin_wait_2_timeout: no FIN from the peer", "fin_wait_2_timeout：对方一直没有发来 FIN"},
    {Rule::syn_retries_exhausted, "syn_retries_exhausted", "RFC 9293 3.8.3", before,
     "SYN retransmitted syn_retries times without answer", "SYN 已重传 syn_retries 次，仍没有应答"},
    {Rule::syn_linear_retries_exhausted, "syn_linear_retries_exhausted", linux_syn_timeout,
     after, "SYN retransmitted syn_retries + syn_linear_timeouts times without answer",
     "SYN 已重传 syn_retries + syn_linear_timeouts 次，仍没有应答"},
    {Rule::syn_time_budget_exhausted, "syn_time_budget_exhausted", linux_syn_timeout, after,
     "SYN unanswered as long as syn_retries retransmissions take with the RTO doubling",
     "SYN 未获应答的时间已达到按 RTO 加倍重传 syn_retries 次所需的时长"},
    {Rule::synack_retries_exhausted, "synack_retries_exhausted", "RFC 9293 3.8.3", before,
     "SYN-ACK retransmitted synack_retries times without answer",
     "SYN-ACK 已重传 synack_retries 次，仍没有应答"},
    {Rule::data_retries_exhausted, "data_retries_exhausted", "RFC 9293 3.8.3", before,
     "data or FIN retransmitted data_retries times without acknowledgment",
     "数据或 FIN 已重传 data_retries 次，仍未被确认"},
    {Rule::r1_retries_reached, "r1_retries_reached", "RFC 9293 3.8.3", before,
     "r1_retries retransmissions unacknowledged (R1): the application is told of a delivery "
     "problem, TCP keeps trying until data_retries (R2)",
     "已重传 r1_retries 次仍未被确认（R1）：通知应用程序出现投递问题，TCP 继续重试，直到 "
     "data_retries 次（R2）"},
    {Rule::syn_ack_not_retransmitted_gave_up, "syn_ack_not_retransmitted_gave_up", teaching,
     after,
     "retransmit_syn_ack = false: the SYN-ACK was never sent again; gave up after "
     "synack_retries timeouts",
     "retransmit_syn_ack = false：SYN-ACK 从未重传，超时 synack_retries 次后放弃"},
    {Rule::fin_not_retransmitted_gave_up, "fin_not_retransmitted_gave_up", teaching, after,
     "retransmit_fin = false: the FIN was never sent again; gave up after data_retries timeouts",
     "retransmit_fin = false：FIN 从未重传，超时 data_retries 次后放弃"},
    // --- The host and the simulated machine ---
    {Rule::connect_host_down, "connect_host_down", simulator, apart,
     "connect refused locally: host is down", "本地拒绝了 connect：主机已停机"},
    {Rule::connect_no_ephemeral_port, "connect_no_ephemeral_port", simulator, apart,
     "connect refused locally: no free ephemeral port", "本地拒绝了 connect：没有空闲的临时端口"},
    {Rule::connect_tuple_in_use, "connect_tuple_in_use", simulator, apart,
     "connect refused locally: the 4-tuple is in use", "本地拒绝了 connect：该四元组已被占用"},
    {Rule::connect_local_port_in_use, "connect_local_port_in_use", sockets, after,
     "connect refused locally: its local_port is held by a listener (EADDRINUSE)",
     "本地拒绝了 connect：它的 local_port 被监听套接字占用（EADDRINUSE）"},
    {Rule::listen_port_in_use, "listen_port_in_use", sockets, after,
     "listen refused locally: the port already has a listener (EADDRINUSE)",
     "本地拒绝了 listen：该端口已有监听套接字（EADDRINUSE）"},
    {Rule::listen_host_down, "listen_host_down", simulator, apart,
     "listen refused locally: host is down", "本地拒绝了 listen：主机已停机"},
    {Rule::host_down, "host_down", simulator, apart, "host is down", "主机已停机"},
    {Rule::not_addressed_to_host, "not_addressed_to_host", simulator, apart,
     "not addressed to this host", "目的地址不是本主机"},
    {Rule::lost_in_crash, "lost_in_crash", simulator, apart, "lost in crash", "在主机崩溃中丢失"},
}};

// The citations that are not RFC sections, in Chinese (an RFC citation reads the same in both).
struct CitationText {
  std::string_view english;
  std::string_view chinese;
};
constexpr std::array<CitationText, 9> citations{{
    {teaching, "教学变体"},
    {"as Linux does", "与 Linux 的做法相同"},
    {"Linux tcp_fin_timeout", "Linux 的 tcp_fin_timeout"},
    {simulator, "tcpsim 的模型"},
    {sockets, "与套接字 API 的做法相同"},
    {bsd_and_linux, "与 BSD 和 Linux 的做法相同"},
    {freebsd, "与 FreeBSD 的做法相同"},
    {linux_syn_timeout, "Linux 的 tcp_write_timeout()"},
    {"as Windows does", "与 Windows 的做法相同"},
}};

constexpr const CitationText* find_citation(std::string_view citation) {
  for (const CitationText& entry : citations) {
    if (entry.english == citation) return &entry;
  }
  return nullptr;
}

constexpr bool complete(const std::array<RuleText, rule_count>& table) {
  for (std::size_t index = 0; index < table.size(); ++index) {
    const RuleText& row = table[index];
    if (static_cast<std::size_t>(row.rule) != index + 1) return false;  // in enum order
    if (row.name.empty() || row.citation.empty() || row.english.empty() || row.chinese.empty()) {
      return false;
    }
    if (!row.citation.starts_with("RFC ") && find_citation(row.citation) == nullptr) return false;
  }
  return true;
}
static_assert(complete(rules),
              "every tcp::Rule needs a row, in enum order, with a name, a citation (an RFC, or "
              "one of `citations`), an English and a Chinese text");

constexpr RuleText no_rule{};

std::string printed_reason(const RuleText& row) {
  switch (row.cited) {
    case before: return std::string(row.citation) + ": " + std::string(row.english);
    case after: return std::string(row.english) + " (" + std::string(row.citation) + ")";
    case apart: return std::string(row.english);
  }
  return std::string(row.english);
}

}  // namespace

const RuleText& rule_text(Rule rule) {
  const auto index = static_cast<std::size_t>(rule);
  return index >= 1 && index <= rules.size() ? rules[index - 1] : no_rule;
}

std::string_view rule_name(Rule rule) {
  return rule == Rule::none ? std::string_view("none") : rule_text(rule).name;
}

std::string_view rule_reason(Rule rule) {
  // Built once: the trace asks for these on every state change and discard.
  static const std::array<std::string, rule_count> reasons = [] {
    std::array<std::string, rule_count> built;
    for (std::size_t index = 0; index < rules.size(); ++index) {
      built[index] = printed_reason(rules[index]);
    }
    return built;
  }();
  const auto index = static_cast<std::size_t>(rule);
  return index >= 1 && index <= reasons.size() ? std::string_view(reasons[index - 1])
                                                : std::string_view();
}

std::string_view rule_citation_chinese(Rule rule) {
  const std::string_view citation = rule_text(rule).citation;
  const CitationText* translated = find_citation(citation);
  return translated != nullptr ? translated->chinese : citation;
}

}  // namespace tcpsim::tcp
