#!/usr/bin/env bash
# tshark reads the capture of every scenario in a directory (globbed now, so scenarios added
# later are covered). The capture has one interface at each host (views/pcap.hpp): a segment
# is a frame where it leaves its sender and another where it reaches its receiver. Wireshark
# (4.0) analyses a TCP conversation across interfaces, so each end is read on its own, as a
# capture taken at that host (split-interfaces.py), and must give, for each scenario
# (docs/views.md, "pcap"):
#   - exactly the frames the trace puts at that end, in its order: one per `send` or `inject`
#     from that host and one per `deliver` to it (matched by IP id, the segment's number, and
#     direction), so a segment the link lost is sent at one end and never received at the
#     other; none malformed, no expert info of severity Error;
#   - every IPv4 header checksum and every TCP checksum verified good (status 1: a bad (0) or an
#     unverified (2) one fails, so the check cannot pass with validation silently off);
#   - Wireshark's retransmission analysis right on its own terms, and the trace's "retx" (what
#     the sending connection knows it sent before, from the core) inside it (docs/views.md,
#     "Retransmissions: the trace and Wireshark"). tshark's flags that count: retransmission,
#     fast retransmission, spurious retransmission, and out-of-order (Wireshark calls a
#     retransmission "out-of-order" when it comes less than the handshake's round trip after the
#     highest segment; at a receiver, a segment the link held back arrives out of order). A
#     frame tshark calls a keep-alive or a zero-window probe is a probe, never a retransmission,
#     to both. Four checks:
#       (a) at each end, tshark flags exactly the frames whose sequence space that end's wire
#           carried before on that 4-tuple, as Wireshark reads a capture: one stream per
#           4-tuple, a SYN without ACK with a new ISN starting a new one (port reuse; an active
#           side's SYN renews both directions, and a SYN-ACK whose ISN is not its side's first
#           the other direction), a zero-window probe's octet not counted as sent, and any
#           segment ahead, a RST too, moving the next sequence number Wireshark expects (a
#           SYN-ACK is measured against what its direction carried). Sent frames always; received
#           frames when the link holds back or copies nothing (a late SYN among reordered
#           arrivals is judged by heuristics of Wireshark's that this check does not model);
#       (b) every frame the trace marks "retx":true is flagged by tshark at its sender's end (a
#           connection's repeat is a repeat on the wire too; a probe is neither);
#       (c) on a scenario that opens no 4-tuple twice on a host, tshark flags only sent frames
#           the trace marks: the two agree exactly at each sender. With a 4-tuple reused with
#           the same ISN they legitimately differ: the new connection repeats nothing it sent,
#           while on the wire its SYN, SYN-ACK and data repeat the old connection's, which
#           Wireshark, seeing one stream, calls retransmissions. Likewise with injected
#           segments: a forged segment's sequence space is, on the wire, sent, and the real data
#           after it repeats it;
#       (d) every fast retransmit of the trace is a fast retransmission to tshark at its
#           sender's end, judged with that end's timing: the duplicate ACKs as it received them
#           (Wireshark wants two in a row, the last less than 20 ms before). Checked when the
#           link holds back or copies nothing: an older ACK that reaches the sender late among
#           the duplicates resets Wireshark's count, not TCP's (RFC 5681 2: it is no duplicate);
#   - a comment on every sent frame whose segment the trace drops, delays, duplicates, expires
#     or sees discarded, and on every arrival of a held segment, of a copy the link made, or of
#     a segment the receiver discards;
#   - the options Wireshark decodes equal to the trace's, frame by frame at each end: MSS,
#     window scale, SACK-permitted, TSval and TSecr, and the SACK blocks (absolute sequence
#     numbers), the first one a D-SACK to Wireshark exactly when RFC 2883 makes it one.
# Then a negative control: a capture with one TCP checksum octet flipped must be reported bad.
# Usage: tshark-check.sh TCPSIM SCENARIO_DIR
# Exit: 0 pass, 1 fail, 77 skipped (tshark missing and TCPSIM_SKIP_TSHARK=1).
set -uo pipefail

tcpsim=$1
scenario_dir=$2
split_interfaces=$(dirname "$0")/split-interfaces.py

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
    -e ip.id -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
    -e tcp.options.mss_val -e tcp.options.wscale.shift -e tcp.options.sack_perm \
    -e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr -e tcp.options.sack_le \
    -e tcp.options.sack_re -e tcp.options.sack.dsack_le -e tcp.options.sack.dsack_re
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
  local interfaces interface status=0
  if ! interfaces=$(python3 "$split_interfaces" "$capture" "$work/$2" 2>"$work/$2.tshark-err")
  then
    echo 1 >"$work/$2.tshark-status"
    return 0
  fi
  echo "$interfaces" >"$work/$2.interfaces"
  for ((interface = 0; interface < interfaces; ++interface)); do
    tshark_fields "$work/$2.$interface.pcapng" >"$work/$2.$interface.fields" \
      2>>"$work/$2.tshark-err" || status=1
  done
  echo $status >"$work/$2.tshark-status"
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
  [ -z "$control_source" ] && control_source=$capture
  interfaces=$(cat "$work/$name.interfaces")
  inputs=()
  for ((interface = 0; interface < interfaces; ++interface)); do
    inputs+=("end=$interface" "$work/$name.$interface.fields")
  done
  # Compare the trace (each end's frames in trace order) with what tshark found at each end.
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
    function hex(text,    value, i, c) {  # "0x001a" -> 26
      value = 0
      text = tolower(text)
      sub(/^0x/, "", text)
      for (i = 1; i <= length(text); ++i) {
        c = index("0123456789abcdef", substr(text, i, 1)) - 1
        if (c < 0) return -1
        value = value * 16 + c
      }
      return value
    }
    # One frame the trace puts at end k: its attributes, indexed by (k, n).
    function expect(k, line, outgoing,    n, flags) {
      n = ++count[k]
      id = field(line, "id")
      expected_id[k, n] = id % 65536
      direction[k, n] = field(line, "src") ">" field(line, "dst")
      reverse[k, n] = field(line, "dst") ">" field(line, "src")
      flags = field(line, "flags")
      seq[k, n] = field(line, "seq") + 0
      space[k, n] = field(line, "len") + (flags ~ /SYN/ ? 1 : 0) + (flags ~ /FIN/ ? 1 : 0)
      syn[k, n] = flags ~ /SYN/
      synack[k, n] = flags ~ /SYN/ && flags ~ /ACK/
      sent[k, n] = outgoing
      copy = line ~ /"copy":true/
      # The options as the trace has them, in the terms of tshark (absent: empty).
      options[k, n] = field(line, "mss") "|" field(line, "ws") "|" \
        (line ~ /"sack_permitted":true/ ? "1" : "") "|" field(line, "tsval") "|" \
        field(line, "tsecr")
      lefts = ""
      rights = ""
      if (match(line, /"sack":\[[][0-9,]*\]\]/)) {
        blocks = substr(line, RSTART + 8, RLENGTH - 9)
        gsub(/[][]/, "", blocks)
        numbers_count = split(blocks, numbers, ",")
        for (i = 1; i <= numbers_count; i += 2) {
          lefts = lefts (lefts == "" ? "" : ",") numbers[i]
          rights = rights (rights == "" ? "" : ",") numbers[i + 1]
        }
      }
      sack[k, n] = lefts "|" rights
      # RFC 2883 4: a first block below the ACK, or inside the second, is a D-SACK, which
      # Wireshark decodes as such too.
      dsack[k, n] = "|"
      if (lefts != "" && (before(numbers[1], field(line, "ack")) ||
                          (numbers_count >= 4 && !before(numbers[1], numbers[3]) &&
                           !before(numbers[4], numbers[2])))) {
        dsack[k, n] = numbers[1] "|" numbers[2]
      }
      return n
    }
    FNR == NR {  # the JSON Lines trace
      if ($0 ~ /"ev":"run"/) {
        list = $0
        sub(/.*"hosts":\[/, "", list)
        sub(/\].*/, "", list)
        gsub(/"/, "", list)
        hosts = split(list, names, ",")
        for (i = 1; i <= hosts; ++i) end_of[names[i]] = i - 1
        next
      }
      host = field($0, "host")
      if ($0 ~ /"ev":"(send|inject)"/) {
        if ($0 ~ /"ev":"inject"/) injected = 1
        k = end_of[host]
        n = expect(k, $0, 1)
        sent_at[id] = k SUBSEP n
        if ($0 ~ /"retx":true/) ours[k, n] = 1
        if ($0 ~ /fast retransmit/) fast_ours[k, n] = 1
      } else if ($0 ~ /"ev":"deliver"/) {
        k = end_of[host]
        n = expect(k, $0, 0)
        arrived[id, copy] = k SUBSEP n
        if (copy || (id in held)) needs_comment[k, n] = 1
      } else if ($0 ~ /"ev":"(drop|delay|duplicate|expire|discard)"/) {
        id = field($0, "id")
        if (id in sent_at) needs_comment[sent_at[id]] = 1
        if ($0 ~ /"ev":"delay"/) held[id] = 1
        if ($0 ~ /"ev":"(delay|duplicate)"/) reordered = 1
        copy = $0 ~ /"copy":true/
        if ($0 ~ /"ev":"discard"/ && ((id, copy) in arrived)) needs_comment[arrived[id, copy]] = 1
      } else if ($0 ~ /"ev":"open"/ && $0 !~ /\*:\*/) {
        tuple = host " " field($0, "why")
        if (tuple in opened) reused = 1
        opened[tuple] = 1
      }
      next
    }
    {  # tshark at one end: frame, ip status, tcp status, malformed, severities,
       # retransmission, fast, spurious, out-of-order, keep-alive, zero-window probe, comment,
       # ip id, source, source port, destination, destination port
      f = $1
      k = end
      seen[k] = f
      where = "end " k " frame " f
      if ($2 != "1") print where ": IPv4 header checksum status [" $2 "] (1 is good)"
      if ($3 != "1") print where ": TCP checksum status [" $3 "] (1 is good)"
      if ($4 != "") print where ": malformed"
      n = split($5, severities, ",")
      for (i = 1; i <= n; ++i) {
        if (severities[i] == 8388608) print where ": expert info of severity Error"
      }
      if (!((k, f) in expected_id)) {
        print where ": a frame the trace does not put at this end"
        next
      }
      if (hex($13) != expected_id[k, f] || $14 ":" $15 ">" $16 ":" $17 != direction[k, f]) {
        print where ": IP id " $13 " " $14 ":" $15 ">" $16 ":" $17 ", the trace has segment " \
              "id " expected_id[k, f] " " direction[k, f] " here"
      }
      # tshark gives sack_perm when the option is present, wscale.shift as the shift count.
      wire_options = $18 "|" $19 "|" ($20 != "" ? "1" : "") "|" $21 "|" $22
      if (wire_options != options[k, f]) {
        print where ": options mss|ws|sack_permitted|tsval|tsecr: the trace has " \
              options[k, f] ", tshark decodes " wire_options
      }
      if ($23 "|" $24 != sack[k, f]) {
        print where ": SACK blocks (lefts|rights): the trace has " sack[k, f] \
              ", tshark decodes " $23 "|" $24
      }
      if ($25 "|" $26 != dsack[k, f]) {
        print where ": D-SACK block (left|right): the trace has " dsack[k, f] \
              ", tshark decodes " $25 "|" $26
      }
      if ($6 != "" || $7 != "" || $8 != "" || $9 != "") theirs[k, f] = 1
      if ($7 != "") fast_theirs[k, f] = 1
      if ($10 != "" || $11 != "") probe[k, f] = 1
      if (((k, f) in needs_comment) && $12 == "") {
        print where ": the trace says the link or the receiver did not simply carry it," \
              " but it has no comment"
      }
    }
    END {
      for (k = 0; k < hosts; ++k) {
        if (seen[k] + 0 != count[k] + 0) {
          print "end " k ": tshark read " seen[k] + 0 " frames, the trace puts " count[k] + 0 \
                " there"
        }
        split("", isn)
        split("", first_isn)
        split("", high)
        for (f = 1; f <= count[k]; ++f) {
          where = "end " k " frame " f
          # (a) the wire as Wireshark reads it: the highest sequence number each direction of
          # a 4-tuple has carried at this end, from its ISN.
          d = direction[k, f]
          if (syn[k, f] && !((d in isn) && isn[d] == seq[k, f])) {
            reopened = d in isn
            isn[d] = seq[k, f]
            # Only a SYN without ACK starts the direction afresh: Wireshark measures a SYN-ACK
            # against what that direction carried before it (a forged SYN-ACK, or a segment the
            # link let overtake it).
            if (!synack[k, f]) delete high[d]
            # A SYN reopening the 4-tuple with a new ISN (no ACK: the active side) starts a new
            # conversation for Wireshark: the other direction starts afresh too, even when its
            # ISN is the old one. (A first SYN each way, as in a simultaneous open, does not.)
            if (reopened && !synack[k, f]) {
              delete isn[reverse[k, f]]
              delete high[reverse[k, f]]
            }
            # A SYN-ACK with another ISN than the first of its direction starts a new session
            # for Wireshark too: the other direction forgets how far it had gone (a RST may
            # have moved it).
            if (synack[k, f] && (d in first_isn) && first_isn[d] != seq[k, f]) {
              delete high[reverse[k, f]]
            }
            if (!(d in first_isn)) first_isn[d] = seq[k, f]
          }
          repeat = 0
          if (space[k, f] > 0 && !((k, f) in probe)) {
            repeat = (d in high) && before(seq[k, f], high[d])
            last = (seq[k, f] + space[k, f]) % 4294967296
            if (!(d in high) || before(high[d], last)) high[d] = last
          } else if (!((k, f) in probe) && (!(d in high) || before(high[d], seq[k, f]))) {
            # An empty segment ahead, a RST too, moves the next sequence number Wireshark
            # expects (after a gap the link made; an injected RST past RCV.NXT makes the real
            # data that follows it a retransmission to Wireshark).
            high[d] = seq[k, f]
          }
          # Where the link reordered segments, what a receiver makes of a late SYN is left
          # up to heuristics of Wireshark: its arrivals are judged only where nothing was.
          if (sent[k, f] || !reordered) {
            if (((k, f) in theirs) && !repeat) {
              print where ": flagged as a retransmission by tshark, but this end saw nothing" \
                    " it repeats"
            }
            if (repeat && !((k, f) in theirs)) {
              print where ": repeats sequence space this end saw before, not flagged by tshark"
            }
          }
          # (b) the trace inside it
          if (((k, f) in ours) && !((k, f) in theirs)) {
            print where ": a retransmission in the trace, not flagged by tshark"
          }
          # (c) and equal to it at the sender when no 4-tuple is opened twice and nothing is
          # injected
          if (!reused && !injected && sent[k, f] && ((k, f) in theirs) && !((k, f) in ours)) {
            print where ": flagged as a retransmission by tshark, not by the trace, in a" \
                  " scenario that reuses no 4-tuple"
          }
          # (d) a fast retransmit is a fast retransmission where it is sent
          if (!reordered && ((k, f) in fast_ours) && !((k, f) in fast_theirs)) {
            print where ": a fast retransmit in the trace, not a fast retransmission to tshark"
          }
        }
      }
    }' "$work/$name.jsonl" "${inputs[@]}")
  if [ -n "$problems" ]; then
    echo "FAIL $name"
    echo "$problems" | sed 's/^/  /'
    failures=$((failures + 1))
  else
    retransmissions=$(grep -c '"ev":"send".*"retx":true' "$work/$name.jsonl")
    fast=$(grep -c '"ev":"send".*fast retransmit' "$work/$name.jsonl")
    frames=$(cat "$work/$name".*.fields | wc -l)
    lost=$(grep -c '"ev":"drop"' "$work/$name.jsonl")
    echo "PASS $name ($frames frames at $interfaces ends, $retransmissions retransmissions," \
         "$fast fast, $lost lost)"
    checked=$((checked + 1))
  fi
done

# Negative control: flip the high octet of the first packet's TCP checksum (packet data starts
# 28 octets into the first Enhanced Packet Block, which follows the SHB and the IDBs; the TCP
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
  offset=$(le32_at "$control" 4)  # past the SHB
  while (($(le32_at "$control" "$offset") == 1)); do  # past every IDB
    offset=$((offset + $(le32_at "$control" $((offset + 4)))))
  done
  offset=$((offset + 28 + 20 + 16))
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
