#!/usr/bin/env bash
# tshark reads the capture of every scenario in a directory (globbed now, so scenarios added
# later are covered) and must find, for each one (docs/views.md, "pcap"):
#   - one frame per `send` or `inject` event of the trace, none malformed, no expert info of
#     severity Error;
#   - every IPv4 header checksum and every TCP checksum verified good (status 1: a bad (0) or an
#     unverified (2) one fails, so the check cannot pass with validation silently off);
#   - Wireshark's retransmission analysis right on its own terms, and the trace's "retx" (what
#     the sending connection knows it sent before, from the core) inside it (docs/views.md,
#     "Retransmissions: the trace and Wireshark"). tshark's flags that count: retransmission,
#     fast retransmission, spurious retransmission, and out-of-order (Wireshark calls a
#     retransmission "out-of-order" when it comes less than the handshake's round trip after the
#     highest segment, and a capture taken where segments leave their sender holds nothing else
#     out of order: a sender sends in order). A frame tshark calls a keep-alive or a zero-window
#     probe is a probe, never a retransmission, to both. Three checks:
#       (a) tshark flags exactly the frames whose sequence space the capture shows the sender
#           sent before on that 4-tuple, as Wireshark reads a capture: one stream per 4-tuple,
#           a SYN with a new ISN starting a new one (port reuse; an active side's SYN renews
#           both directions, and so does a SYN-ACK whose ISN is not its side's first), a
#           zero-window probe's octet not counted as sent, and any segment ahead, a RST too,
#           moving the next sequence number Wireshark expects;
#       (b) every frame the trace marks "retx":true is flagged by tshark (a connection's repeat
#           is a repeat on the wire too; a probe is neither);
#       (c) on a scenario that opens no 4-tuple twice on a host, tshark flags only frames the
#           trace marks: the two agree exactly. With a 4-tuple reused with the same ISN they
#           legitimately differ: the new connection repeats nothing it sent, while on the wire
#           its SYN, SYN-ACK and data repeat the old connection's, which Wireshark, seeing one
#           stream, calls retransmissions. Likewise with injected segments: a forged segment's
#           sequence space is, on the wire, sent, and the real data after it repeats it;
#   - a comment on every frame whose segment the trace drops, delays, duplicates, expires or
#     sees discarded;
#   - the options Wireshark decodes equal to the trace's: MSS, window scale, SACK-permitted,
#     TSval and TSecr, and the SACK blocks (absolute sequence numbers), frame by frame.
# Then a negative control: a capture with one TCP checksum octet flipped must be reported bad.
# Usage: tshark-check.sh TCPSIM SCENARIO_DIR
# Exit: 0 pass, 1 fail, 77 skipped (tshark missing and TCPSIM_SKIP_TSHARK=1).
set -uo pipefail

tcpsim=$1
scenario_dir=$2

if ! command -v tshark >/dev/null 2>&1; then
  if [ "${TCPSIM_SKIP_TSHARK:-0}" = 1 ]; then
    echo "SKIP: tshark is not installed (TCPSIM_SKIP_TSHARK=1)"
    exit 77
  fi
  echo "FAIL: tshark is not installed. Install it with scripts/install-dependencies (Debian" \
       "package tshark), or set TCPSIM_SKIP_TSHARK=1 to skip this test." >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Checksum validation on; every TCP payload shown as plain data, so that an application
# dissector guessing at a scenario's bytes ("GET /" on port 80) cannot make the check fail: the
# check is about the IPv4 and TCP that tcpsim writes.
tshark_fields() {
  tshark -n -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
    -o tcp.relative_sequence_numbers:FALSE \
    -d tcp.port==1-65535,data \
    -T fields -E separator=/t -E occurrence=a -E aggregator=, \
    -e frame.number -e ip.checksum.status -e tcp.checksum.status -e _ws.malformed \
    -e _ws.expert.severity -e tcp.analysis.retransmission -e tcp.analysis.fast_retransmission \
    -e tcp.analysis.spurious_retransmission -e tcp.analysis.out_of_order \
    -e tcp.analysis.keep_alive -e tcp.analysis.zero_window_probe -e frame.comment \
    -e tcp.options.mss_val -e tcp.options.wscale.shift -e tcp.options.sack_perm \
    -e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr -e tcp.options.sack_le \
    -e tcp.options.sack_re
}

failures=0
checked=0
control_source=""  # the first capture written, for the negative control
shopt -s nullglob
scenarios=("$scenario_dir"/*.json)
if ((${#scenarios[@]} == 0)); then
  echo "FAIL: no scenarios in $scenario_dir" >&2
  exit 1
fi
# Capture and read every scenario, a few at a time (tshark spends most of its half second per
# file waiting, not computing), then judge them one by one in order.
capture_and_read() {  # SCENARIO NAME
  local capture="$work/$2.pcapng"
  "$tcpsim" run "$1" --format jsonl --pcap "$capture" >"$work/$2.jsonl" 2>"$work/$2.err"
  echo $? >"$work/$2.status"
  [ -s "$capture" ] || return 0
  tshark_fields "$capture" >"$work/$2.fields" 2>"$work/$2.tshark-err"
  echo $? >"$work/$2.tshark-status"
}
for scenario in "${scenarios[@]}"; do
  while (($(jobs -rp | wc -l) >= 4)); do wait -n; done
  capture_and_read "$scenario" "$(basename "$scenario" .json)" &
done
wait

for scenario in "${scenarios[@]}"; do
  name=$(basename "$scenario" .json)
  capture="$work/$name.pcapng"
  status=$(cat "$work/$name.status")
  # 1 is an unmet expectation: the scenario's business, not the capture's.
  if ((status != 0 && status != 1)) || [ ! -s "$capture" ]; then
    echo "FAIL $name: tcpsim run --pcap exited $status"
    sed 's/^/  /' "$work/$name.err"
    failures=$((failures + 1))
    continue
  fi
  if [ "$(cat "$work/$name.tshark-status")" != 0 ]; then
    echo "FAIL $name: tshark could not read the capture"
    sed 's/^/  /' "$work/$name.tshark-err"
    failures=$((failures + 1))
    continue
  fi
  [ -z "$control_source" ] && [ -s "$work/$name.fields" ] && control_source=$capture
  # Compare the trace (send order = frame order) with what tshark found.
  problems=$(awk -F'\t' '
    function field(line, key,    at) {  # a string or number field of the JSON line, unquoted
      if (!match(line, "\"" key "\":(\"[^\"]*\"|[0-9]+)")) return ""
      at = substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
      gsub(/"/, "", at)
      return at
    }
    function before(a, b) {  # a < b modulo 2^32 (RFC 9293 3.4)
      return (b - a + 4294967296) % 4294967296 > 0 && (b - a + 4294967296) % 4294967296 < 2147483648
    }
    FNR == NR {  # the JSON Lines trace
      if ($0 ~ /"ev":"(send|inject)"/) {
        if ($0 ~ /"ev":"inject"/) injected = 1
        ++frames
        id = field($0, "id")
        frame_of[id] = frames
        if ($0 ~ /"retx":true/) ours[frames] = 1
        direction[frames] = field($0, "src") ">" field($0, "dst")
        reverse[frames] = field($0, "dst") ">" field($0, "src")
        flags = field($0, "flags")
        seq[frames] = field($0, "seq") + 0
        space[frames] = field($0, "len") + (flags ~ /SYN/ ? 1 : 0) + (flags ~ /FIN/ ? 1 : 0)
        syn[frames] = flags ~ /SYN/
        synack[frames] = flags ~ /SYN/ && flags ~ /ACK/
        # The options as the trace has them, in tshark's spelling (absent: empty).
        options[frames] = field($0, "mss") "|" field($0, "ws") "|" \
          ($0 ~ /"sack_permitted":true/ ? "1" : "") "|" field($0, "tsval") "|" field($0, "tsecr")
        lefts = ""; rights = ""
        if (match($0, /"sack":\[[0-9,\[\]]*\]\]/)) {
          blocks = substr($0, RSTART + 8, RLENGTH - 9)
          gsub(/\[|\]/, "", blocks)
          count = split(blocks, numbers, ",")
          for (i = 1; i <= count; i += 2) {
            lefts = lefts (lefts == "" ? "" : ",") numbers[i]
            rights = rights (rights == "" ? "" : ",") numbers[i + 1]
          }
        }
        sack[frames] = lefts "|" rights
      } else if ($0 ~ /"ev":"(drop|delay|duplicate|expire|discard)"/) {
        id = field($0, "id")
        if (id in frame_of) needs_comment[frame_of[id]] = 1
      } else if ($0 ~ /"ev":"open"/ && $0 !~ /\*:\*/) {
        tuple = field($0, "host") " " field($0, "why")
        if (tuple in opened) reused = 1
        opened[tuple] = 1
      }
      next
    }
    {  # tshark: frame, ip status, tcp status, malformed, severities, retransmission, fast,
       # spurious, out-of-order, keep-alive, zero-window probe, comment
      ++seen
      f = $1
      if ($2 != "1") print "frame " f ": IPv4 header checksum status [" $2 "] (1 is good)"
      if ($3 != "1") print "frame " f ": TCP checksum status [" $3 "] (1 is good)"
      if ($4 != "") print "frame " f ": malformed"
      n = split($5, severities, ",")
      for (i = 1; i <= n; ++i) {
        if (severities[i] == 8388608) print "frame " f ": expert info of severity Error"
      }
      if ($6 != "" || $7 != "" || $8 != "" || $9 != "") theirs[f] = 1
      if ($10 != "" || $11 != "") probe[f] = 1
      # tshark's sack_perm is the option's presence (its kind, 4); its wscale.shift the shift.
      wire_options[f] = $13 "|" $14 "|" ($15 != "" ? "1" : "") "|" $16 "|" $17
      wire_sack[f] = $18 "|" $19
      if (f in needs_comment && $12 == "") {
        print "frame " f ": the trace says the link or the receiver did not simply deliver it," \
              " but it has no comment"
      }
    }
    END {
      if (seen != frames) {
        print "tshark read " seen " frames, the trace has " frames " send and inject events"
      }
      for (f = 1; f <= frames; ++f) {
        if (options[f] != wire_options[f]) {
          print "frame " f ": options mss|ws|sack_permitted|tsval|tsecr: the trace has " \
                options[f] ", tshark decodes " wire_options[f]
        }
        if (sack[f] != wire_sack[f]) {
          print "frame " f ": SACK blocks (lefts|rights): the trace has " sack[f] \
                ", tshark decodes " wire_sack[f]
        }
        # (a) the wire as Wireshark reads it: the highest sequence number each direction of a
        # 4-tuple has sent, from its ISN.
        d = direction[f]
        if (syn[f] && !((d in isn) && isn[d] == seq[f])) {
          reopened = d in isn
          isn[d] = seq[f]
          delete high[d]
          # A SYN reopening the 4-tuple with a new ISN (no ACK: the active side) starts a new
          # conversation for Wireshark: the other direction starts afresh too, even when its
          # ISN is the old one. (A first SYN each way, as in a simultaneous open, does not.)
          if (reopened && !synack[f]) {
            delete isn[reverse[f]]
            delete high[reverse[f]]
          }
          # A SYN-ACK with another ISN than the first of its direction starts a new session for
          # Wireshark too: the other direction forgets how far it had gone (a RST may have
          # moved it).
          if (synack[f] && (d in first_isn) && first_isn[d] != seq[f]) delete high[reverse[f]]
          if (!(d in first_isn)) first_isn[d] = seq[f]
        }
        repeat = 0
        if (!(f in probe)) {
          # Only a segment with sequence space can repeat; any segment ahead moves the next
          # expected sequence number of Wireshark, a RST too (an injected RST past RCV.NXT makes
          # the real data that follows it a retransmission to Wireshark).
          if (space[f] > 0) repeat = (d in high) && before(seq[f], high[d])
          end = (seq[f] + space[f]) % 4294967296
          if ((d in high) && before(high[d], end)) high[d] = end
          if (!(d in high) && space[f] > 0) high[d] = end
        }
        if ((f in theirs) && !repeat) {
          print "frame " f ": flagged as a retransmission by tshark, but the capture shows" \
                " nothing it repeats"
        }
        if (repeat && !(f in theirs)) {
          print "frame " f ": repeats sequence space sent before on the wire, not flagged by tshark"
        }
        # (b) the trace inside it
        if ((f in ours) && !(f in theirs)) {
          print "frame " f ": a retransmission in the trace, not flagged by tshark"
        }
        # (c) and equal to it when no 4-tuple is opened twice and nothing is injected
        if (!reused && !injected && (f in theirs) && !(f in ours)) {
          print "frame " f ": flagged as a retransmission by tshark, not by the trace, in a" \
                " scenario that reuses no 4-tuple"
        }
      }
    }' "$work/$name.jsonl" "$work/$name.fields")
  if [ -n "$problems" ]; then
    echo "FAIL $name"
    echo "$problems" | sed 's/^/  /'
    failures=$((failures + 1))
  else
    retransmissions=$(grep -c '"ev":"send".*"retx":true' "$work/$name.jsonl")
    flagged=$(awk -F'\t' '$6 != "" || $7 != "" || $8 != "" || $9 != ""' "$work/$name.fields" |
      wc -l)
    sacks=$(grep -c '"ev":"send".*"sack":' "$work/$name.jsonl")
    echo "PASS $name ($(wc -l <"$work/$name.fields") frames, $retransmissions retransmissions," \
         "$flagged flagged by tshark, $sacks with SACK blocks)"
    checked=$((checked + 1))
  fi
done

# Negative control: flip the high octet of the first packet's TCP checksum (packet data starts
# 28 octets into the first Enhanced Packet Block, which follows the SHB and the IDB; the TCP
# checksum is 20 + 16 octets into the packet). tshark must now call it bad.
le32_at() {  # the little-endian 32-bit value at offset $2 of file $1
  local b
  read -r -a b < <(od -An -tu1 -j "$2" -N4 "$1")
  echo $((b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24))
}
control="$work/control.pcapng"
if [ -z "$control_source" ]; then
  echo "FAIL control: no capture was written"
  failures=$((failures + 1))
else
  cp "$control_source" "$control"
  shb_length=$(le32_at "$control" 4)
  idb_length=$(le32_at "$control" $((shb_length + 4)))
  offset=$((shb_length + idb_length + 28 + 20 + 16))
  octet=$(od -An -tu1 -j "$offset" -N1 "$control" | tr -d ' ')
  printf "$(printf '\\%03o' $((octet ^ 0xFF)))" |
    dd of="$control" bs=1 seek="$offset" conv=notrunc status=none
  control_status=$(tshark_fields "$control" 2>/dev/null | awk -F'\t' 'NR == 1 { print $3 }')
  if [ "$control_status" != "0" ]; then
    echo "FAIL control: a capture with a corrupted TCP checksum was not reported bad" \
         "(status '$control_status')"
    failures=$((failures + 1))
  else
    echo "PASS control: a corrupted TCP checksum is reported bad"
  fi
fi

echo "$checked scenarios passed, $failures failed"
((failures == 0))
