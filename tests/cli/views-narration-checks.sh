#!/usr/bin/env bash
# CLI-level checks of narration, Mermaid and realtime playback, run by ctest (tests/cli.cmake)
# from the source dir.
#   views-narration-checks.sh TCPSIM realtime-same DIR   --realtime=1e6 prints the same ladder
#                                                         (with and without --explain) and
#                                                         writes the same --trace bytes as a
#                                                         normal run, for every scenario
#   views-narration-checks.sh TCPSIM realtime-signal SIG  a slow playback stopped by SIG exits
#                                                         128+SIG with the stop line
#   views-narration-checks.sh TCPSIM bad-arguments       bad --realtime / --lang / combinations:
#                                                         exit 2, one clear line, nothing run
#   views-narration-checks.sh TCPSIM outputs             --explain, --lang zh and --mermaid
#                                                         produce what they promise
set -uo pipefail

tcpsim=$1
what=$2
shift 2

work=$(mktemp -d)
player=
cleanup() {
  if [ -n "$player" ]; then kill -KILL "$player" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

case "$what" in
  realtime-same)
    dir=$1
    count=0
    for scenario in "$dir"/*.json; do
      "$tcpsim" run "$scenario" --trace "$work/plain.jsonl" >"$work/plain.out" 2>&1
      plain_status=$?
      "$tcpsim" run "$scenario" --realtime=1e6 --trace "$work/paced.jsonl" >"$work/paced.out" 2>&1
      paced_status=$?
      [ "$plain_status" -eq "$paced_status" ] ||
        fail "$scenario: exit $plain_status without --realtime, $paced_status with it"
      cmp -s "$work/plain.out" "$work/paced.out" || {
        diff "$work/plain.out" "$work/paced.out" | head -5 >&2
        fail "$scenario: --realtime changed the output"
      }
      cmp -s "$work/plain.jsonl" "$work/paced.jsonl" || fail "$scenario: --realtime changed the trace"
      "$tcpsim" run "$scenario" --explain --lang zh >"$work/plain.out" 2>&1
      "$tcpsim" run "$scenario" --explain --lang zh --realtime=1e6 >"$work/paced.out" 2>&1
      cmp -s "$work/plain.out" "$work/paced.out" || fail "$scenario: --realtime changed --explain"
      count=$((count + 1))
    done
    [ "$count" -gt 0 ] || fail "no scenarios in $dir"
    echo "$count scenarios: the same ladder and trace with --realtime=1e6"
    ;;
  realtime-signal)
    signal=$1
    # 1 s of virtual time at a tenth of the speed: 10 s of playback unless the signal stops it.
    "$tcpsim" run scenarios/three-way-handshake.json --realtime=0.1 >"$work/out" 2>"$work/err" &
    player=$!
    # Signal once playback has begun (its handler is installed before the header is printed).
    for _ in $(seq 50); do
      grep -q '^time (s)' "$work/out" 2>/dev/null && break
      sleep 0.1
    done
    grep -q '^time (s)' "$work/out" || fail "playback printed no header within 5 s"
    sleep 0.4
    kill -s "$signal" "$player"
    wait "$player"
    status=$?
    player=
    case "$signal" in
      INT) expected=130 ;;
      TERM) expected=143 ;;
      *) fail "unknown signal $signal" ;;
    esac
    cat "$work/out"
    [ "$status" -eq "$expected" ] || fail "SIG$signal: exit $status, expected $expected"
    grep -Eq "^interrupted \(SIG$signal\): playback stopped at [0-9]+\.[0-9]{6}s of virtual time, [0-9]+ of [0-9]+ events shown$" \
      "$work/out" || fail "no stop line saying where playback stopped"
    ! grep -q '^expectations:' "$work/out" || fail "an interrupted playback went on to its end"
    [ ! -s "$work/err" ] || fail "stderr: $(cat "$work/err")"
    ;;
  bad-arguments)
    scenario=scenarios/three-way-handshake.json
    expect_refusal() {  # PATTERN ARGS...
      local pattern=$1
      shift
      "$tcpsim" run "$@" --trace "$work/trace.jsonl" >"$work/out" 2>"$work/err"
      local status=$?
      [ "$status" -eq 2 ] || fail "tcpsim run $*: exit $status, expected 2"
      grep -q -- "$pattern" "$work/err" || fail "tcpsim run $*: stderr lacks '$pattern': $(cat "$work/err")"
      [ ! -e "$work/trace.jsonl" ] || fail "tcpsim run $*: ran the scenario anyway"
    }
    for speed in 0 -1 abc 0.0000001 2e9 1e; do
      expect_refusal "SPEED" "$scenario" "--realtime=$speed"
    done
    expect_refusal "unsupported language 'fr'" "$scenario" --explain --lang fr
    expect_refusal "unsupported language 'EN'" "$scenario" --lang EN
    expect_refusal "cannot be combined with --format jsonl" "$scenario" --explain --format jsonl
    expect_refusal "cannot be combined with --format jsonl" "$scenario" --realtime --format jsonl
    echo "bad arguments refused"
    ;;
  outputs)
    scenario=scenarios/three-way-handshake-stale-syn.json
    "$tcpsim" run "$scenario" >"$work/plain" || fail "plain run failed"
    "$tcpsim" run "$scenario" --explain >"$work/en" || fail "--explain failed"
    "$tcpsim" run "$scenario" --explain --lang zh >"$work/zh" || fail "--explain --lang zh failed"
    # The sentences are indented under the time column, whatever its width.
    grep -q '^ *| On server, web#2 is in SYN_RCVD and receives #8 RST, so it goes to LISTEN' \
      "$work/en" || fail "--explain lacks the English sentence"
    grep -q '^ *| server 上的连接 web#2 处于 SYN_RCVD，收到 #8 RST，于是进入 LISTEN' \
      "$work/zh" || fail "--lang zh lacks the Chinese sentence"
    # Take the sentences (and the header's note) out: what is left is the plain output.
    grep -v '^ *| ' "$work/en" | grep -v '^explain: ' | cmp -s - "$work/plain" ||
      fail "--explain changed the ladder lines"
    "$tcpsim" run "$scenario" --mermaid "$work/run.mmd" >"$work/with-mermaid" ||
      fail "--mermaid failed"
    cmp -s "$work/with-mermaid" "$work/plain" || fail "--mermaid changed stdout"
    [ "$(head -1 "$work/run.mmd")" = "sequenceDiagram" ] || fail "--mermaid wrote no sequenceDiagram"
    grep -q '^    client->>server: #35;1 SYN seq=0 win=65535 len=0 (sent at 0.1s, held until 3s' \
      "$work/run.mmd" || fail "--mermaid lacks the held SYN's arrow"
    "$tcpsim" run "$scenario" --mermaid "$work/no-such-dir/run.mmd" >/dev/null 2>"$work/err"
    [ $? -eq 2 ] || fail "--mermaid into a missing directory did not exit 2"
    echo "narration and Mermaid outputs as promised"
    ;;
  *)
    fail "unknown check '$what'"
    ;;
esac
