#!/usr/bin/env bash
# `tcpsim sweep`, `check --junit` and `tcpsim explore`, run by ctest (tests/cli.cmake) from the
# source dir (docs/scale-out.md, docs/explore.md).
#   sweep-checks.sh TCPSIM same-output    --jobs 1 and --jobs 2 give the same bytes; shards
#                                         0/3, 1/3, 2/3 concatenated and sorted give them too;
#                                         one sorted JSON line per (scenario, values, seed);
#                                         progress on a terminal only
#   sweep-checks.sh TCPSIM shard-env      --shard slurm and --shard kubernetes/N read the
#                                         engines' variables as docs/scale-out.md says
#   sweep-checks.sh TCPSIM bad-input      bad --seeds, --shard, --set, --jobs: exit 2, a message
#   sweep-checks.sh TCPSIM junit          sweep --junit and check --junit: well-formed JUnit XML
#                                         with the cases, the failures, written whole
#   sweep-checks.sh TCPSIM parallel       the GNU parallel recipe of docs/scale-out.md: shards
#                                         through parallel, merged, equal one run (exit 77,
#                                         skipped, when parallel is not installed)
#   sweep-checks.sh TCPSIM explore-demo   explore finds the reset of an orderly close without
#                                         TIME_WAIT under random loss and shrinks it to one lost
#                                         final ACK; `tcpsim run` replays it
#   sweep-checks.sh TCPSIM explore-repro  a written repro fails as explore found it and passes
#                                         without its fault rules
#   sweep-checks.sh TCPSIM explore-usage  explore's bad input, and a scenario that holds
set -uo pipefail

tcpsim=$1
what=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect STATUS ARGS...: tcpsim's stdout in $work/out, stderr in $work/err.
expect() {
  local expected=$1
  shift
  "$tcpsim" "$@" >"$work/out" 2>"$work/err"
  local status=$?
  if grep -Eq 'terminate called|Aborted|Segmentation fault|what\(\):' "$work/err"; then
    cat "$work/err" >&2
    fail "crash on: tcpsim $*"
  fi
  if [ "$status" -ne "$expected" ]; then
    cat "$work/err" >&2
    fail "exit $status, expected $expected: tcpsim $*"
  fi
}

# without_faults IN OUT: scenario IN with its "faults" removed, as OUT; fails when it has none.
without_faults() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
scenario = json.load(open(sys.argv[1]))
assert scenario.pop("faults"), "no faults"
json.dump(scenario, open(sys.argv[2], "w"))
EOF
}

files=(scenarios/four-way-close.json scenarios/lost-final-ack-no-time-wait.json
       scenarios/data-lost-segment-retransmitted.json)

case $what in
  same-output)
    # lost-final-ack-no-time-wait fails with time_wait 4min (its "never TIME_WAIT"): exit 1.
    args=("${files[@]}" --seeds 1..40 --set time_wait=0s,4min --set nagle=true,false)
    expect 1 sweep "${args[@]}" --jobs 1
    cp "$work/out" "$work/one"
    [ "$(wc -l <"$work/one")" -eq $((3 * 2 * 2 * 40)) ] || fail "not one line per case"
    LC_ALL=C sort -c "$work/one" || fail "the lines are not sorted"
    expect 1 sweep "${args[@]}" --jobs 2 --out "$work/two"
    [ -s "$work/out" ] && fail "--out also wrote stdout"
    cmp "$work/one" "$work/two" || fail "--jobs 2 differs from --jobs 1"
    for index in 0 1 2; do
      "$tcpsim" sweep "${args[@]}" --shard $index/3 --jobs 2 --out "$work/shard-$index" 2>/dev/null
    done
    cat "$work"/shard-* | LC_ALL=C sort | cmp - "$work/one" || fail "merged shards differ"
    # Progress only on a terminal: none above (stderr a file), and on a pseudo-terminal
    # (util-linux's script) the count reaches the total.
    grep -q "runs, [0-9]* failed$" "$work/err" && fail "progress written to a file"
    if command -v script >/dev/null; then
      script -qec "$tcpsim sweep ${args[*]} --jobs 2 --out $work/tty.jsonl" /dev/null \
        >"$work/tty" 2>&1
      grep -q "sweep: 480/480 runs" "$work/tty" || fail "no progress on a terminal"
      cmp "$work/tty.jsonl" "$work/one" || fail "the output differs on a terminal"
    fi
    python3 - "$work/one" <<'EOF' || fail "a line is not what docs/scale-out.md says"
import json, sys
keys = ["scenario", "hash", "seed", "parameters", "result", "failure", "end_time_ns", "events",
        "counters"]
cases = set()
for line in open(sys.argv[1]):
    record = json.loads(line)
    assert list(record) == keys, list(record)
    assert record["hash"].startswith("fnv1a64:") and len(record["hash"]) == 24
    assert set(record["parameters"]) == {"time_wait", "nagle"}
    assert record["result"] in ("pass", "fail")
    assert (record["failure"] is None) == (record["result"] == "pass")
    if record["scenario"] == "lost-final-ack-no-time-wait":
        # Its expectations hold exactly without TIME_WAIT.
        assert (record["result"] == "pass") == (record["parameters"]["time_wait"] == "0s"), line
        if record["result"] == "fail":
            assert record["failure"]["at"].startswith("$.expect"), line
    cases.add((record["scenario"], record["seed"], json.dumps(record["parameters"])))
    assert sum(v for k, v in record["counters"].items() if k.endswith(".sent")) > 0
assert len(cases) == 480
EOF
    ;;
  shard-env)
    args=(scenarios/four-way-close.json --seeds 1..30)
    expect 0 sweep "${args[@]}" --shard 1/3
    cp "$work/out" "$work/expected"
    [ "$(wc -l <"$work/expected")" -eq 10 ] || fail "shard 1/3 of 30 cases is not 10 lines"
    # Slurm: sbatch --array=4-6 gives the tasks ids 4, 5, 6 and SLURM_ARRAY_TASK_MIN 4.
    SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_COUNT=3 \
      expect 0 sweep "${args[@]}" --shard slurm
    cmp "$work/out" "$work/expected" || fail "--shard slurm is not shard 1/3"
    # --array=0-2: no SLURM_ARRAY_TASK_MIN needed when the array starts at 0.
    SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 expect 0 sweep "${args[@]}" --shard slurm
    cmp "$work/out" "$work/expected" || fail "--shard slurm from 0 is not shard 1/3"
    # Kubernetes Indexed Job: JOB_COMPLETION_INDEX counts from 0.
    JOB_COMPLETION_INDEX=1 expect 0 sweep "${args[@]}" --shard kubernetes/3
    cmp "$work/out" "$work/expected" || fail "--shard kubernetes/3 is not shard 1/3"
    expect 2 sweep "${args[@]}" --shard slurm
    grep -q "SLURM_ARRAY_TASK_ID is not set" "$work/err" || fail "no message for unset Slurm"
    SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_STEP=2 \
      expect 2 sweep "${args[@]}" --shard slurm
    grep -q "SLURM_ARRAY_TASK_STEP is 2" "$work/err" || fail "a stepped array is taken"
    JOB_COMPLETION_INDEX=3 expect 2 sweep "${args[@]}" --shard kubernetes/3
    grep -q "not below the shard count 3" "$work/err" || fail "no message for index 3 of 3"
    JOB_COMPLETION_INDEX=x expect 2 sweep "${args[@]}" --shard kubernetes/3
    grep -q "JOB_COMPLETION_INDEX is not a decimal integer" "$work/err" || fail "bad index taken"
    ;;
  bad-input)
    file=scenarios/four-way-close.json
    for seeds in "" 1 5..1 01..3 1..x -1..3 1..18446744073709551616; do
      expect 2 sweep "$file" --seeds "$seeds"
      grep -q -- "--seeds" "$work/err" || fail "no --seeds message for '$seeds'"
    done
    for shard in 3/3 1/0 a/3 1/ /3 1-3 kubernetes slurm/2; do
      expect 2 sweep "$file" --seeds 1..3 --shard "$shard"
      grep -q -- "--shard" "$work/err" || fail "no --shard message for '$shard'"
    done
    for set in time_wait tcp_wait=0s time_wait=0s,, time_wait=ten nagle=maybe; do
      expect 2 sweep "$file" --seeds 1..3 --set "$set"
      grep -q -- "--set" "$work/err" || fail "no --set message for '$set'"
    done
    expect 2 sweep "$file" --seeds 1..3 --set nagle=true --set nagle=false
    grep -q "given twice" "$work/err" || fail "a knob set twice is taken"
    for jobs in 0 -1 1025 two; do
      expect 2 sweep "$file" --seeds 1..3 --jobs "$jobs"
      grep -q -- "--jobs" "$work/err" || fail "no --jobs message for '$jobs'"
    done
    expect 2 sweep tests/bad-input/01-not-json.json --seeds 1..3
    expect 2 sweep tests/packetdrill/time-wait.pkt --seeds 1..3
    grep -q "not swept" "$work/err" || fail "a packetdrill script is swept"
    expect 2 sweep "$file" --seeds 1..3 --out "$work/x" --junit "$work/x"
    cp "$file" "$work/input.json"
    for option in --out --junit; do
      expect 2 sweep "$work/input.json" --seeds 1..3 $option "$work/input.json"
      grep -q "refusing to overwrite it" "$work/err" || fail "sweep $option overwrote its input"
    done
    expect 2 check "$work/input.json" --junit "$work/input.json"
    cmp -s "$file" "$work/input.json" || fail "an input was overwritten"
    ;;
  junit)
    expect 1 sweep scenarios/lost-final-ack-no-time-wait.json --seeds 1..3 \
      --set time_wait=0s,4min --junit "$work/sweep.xml"
    # A scenario that does not load is bad input: exit 2, and an <error> in the report.
    expect 2 check scenarios/four-way-close.json scenarios/half-close.json \
      tests/bad-input/07-unknown-key.json tests/packetdrill/time-wait.pkt --junit "$work/check.xml"
    python3 - "$work/sweep.xml" "$work/check.xml" <<'EOF' || fail "the JUnit reports are wrong"
import sys, xml.etree.ElementTree as ET
sweep = ET.parse(sys.argv[1]).getroot()
assert sweep.tag == "testsuites"
suite = sweep.find("testsuite")
assert suite.get("tests") == "6" and suite.get("failures") == "3", suite.attrib
cases = suite.findall("testcase")
assert [c.get("name") for c in cases][:2] == ["seed 1 time_wait=0s", "seed 1 time_wait=4min"]
for case in cases:
    failure = case.find("failure")
    assert (failure is not None) == case.get("name").endswith("4min"), case.get("name")
    if failure is not None:
        assert "TIME_WAIT" in failure.get("message") and "tcpsim run" in failure.text
        assert "with time_wait=4min" in failure.text
check = ET.parse(sys.argv[2]).getroot().find("testsuite")
assert check.get("tests") == "4" and check.get("errors") == "1", check.attrib
names = [c.get("name") for c in check.findall("testcase")]
assert "four-way-close" in names and "half-close" in names, names
error = [c for c in check.findall("testcase") if c.find("error") is not None][0]
assert "unknown key" in error.find("error").get("message"), error.find("error").attrib
EOF
    # Written whole or not at all: a JUnit path in a missing directory is refused before running.
    expect 2 check scenarios/four-way-close.json --junit "$work/missing/check.xml"
    [ -e "$work/missing" ] && fail "a directory was made"
    expect 2 sweep scenarios/four-way-close.json --seeds 1..2 --junit "$work/missing/s.xml"
    ;;
  parallel)
    if ! command -v parallel >/dev/null; then
      echo "GNU parallel is not installed (Debian package parallel: scripts/install-dependencies" \
           "test): skipped"
      exit 77
    fi
    args=(scenarios/four-way-close.json scenarios/data-lost-segment-retransmitted.json
          --seeds 1..200 --set time_wait=0s,4min)
    expect 1 sweep "${args[@]}" --out "$work/one.jsonl"
    # docs/scale-out.md's recipe, as written there.
    parallel --will-cite --jobs 2 "$tcpsim" sweep "${args[@]}" --shard {}/4 \
      --out "$work/shard-{}.jsonl" ::: 0 1 2 3 2>"$work/parallel.err"
    status=$?
    if [ "$status" -ne 4 ]; then
      cat "$work/parallel.err" >&2
      fail "parallel: exit $status, not 4 (each shard fails)"
    fi
    cat "$work"/shard-*.jsonl | LC_ALL=C sort >"$work/merged.jsonl"
    cmp "$work/merged.jsonl" "$work/one.jsonl" || fail "shards merged through parallel differ"
    ;;
  explore-demo)
    expect 1 explore scenarios/orderly-close-no-time-wait.json --seeds 1..100 \
      --out "$work/shrunk.json"
    cp "$work/out" "$work/explore.txt"
    grep -q "breaks the expectations invariant: \$.expect.never\[0\]" "$work/explore.txt" ||
      fail "explore did not find the reset"
    grep -Eq "shrunk in [0-9]+ runs: [0-9]+ -> 1 fault rules, [0-9]+ -> 0 bytes sent" \
      "$work/explore.txt" || fail "not shrunk to one rule and no bytes"
    grep -q "wrote $work/shrunk.json" "$work/explore.txt" || fail "no file named"
    grep -q "RST" "$work/explore.txt" || fail "no ladder with the RST"
    # The shrunk scenario replays the failure, and it is one lost final ACK: the client's last
    # segment, which acknowledges the server's FIN, is the only one lost; the server's FIN comes
    # again and draws a RST.
    expect 1 run "$work/shrunk.json"
    grep -q "never\[0\]" "$work/err" || fail "tcpsim run does not fail the same way"
    expect 1 run "$work/shrunk.json" --format jsonl
    python3 - "$work/shrunk.json" "$work/out" <<'EOF' || fail "not one lost final ACK"
import json, sys
scenario = json.load(open(sys.argv[1]))
faults = scenario["faults"]
assert len(faults) == 1, faults
assert faults[0]["action"] == "drop" and faults[0]["match"]["from"] == "client", faults
assert faults[0]["match"]["flags"] == "ACK", faults
assert all(a["action"] != "send" for a in scenario["timeline"]), scenario["timeline"]
events = [json.loads(line) for line in open(sys.argv[2])]
drops = [e for e in events if e["ev"] == "drop"]
assert len(drops) == 1, drops
sends = [e for e in events if e["ev"] == "send"]
lost = [i for i, e in enumerate(sends) if e["seg"]["id"] == drops[0]["seg"]["id"]][0]
flags = lambda e: e["seg"]["flags"]
fin_before = [e for e in sends[:lost] if e["host"] == "server" and "FIN" in flags(e)]
assert flags(sends[lost]) == "ACK" and sends[lost]["host"] == "client" and fin_before
# The client's FIN went before it; after the loss: the server's FIN again, the client's RST.
assert [flags(e) for e in sends[:lost] if e["host"] == "client"][-1] == "FIN,ACK"
after = [(e["host"], flags(e)) for e in sends[lost + 1:]]
assert after[0] == ("server", "FIN,ACK") and ("client", "RST") in after, after
EOF
    ;;
  explore-repro)
    # A written repro of an invariant that is not the file's own expectation (here delivery:
    # without TIME_WAIT an old duplicate's data reaches the next incarnation, seed 2) names it
    # under "invariants", so that tcpsim run fails on the same violation, and passes once the
    # fault rules (the scenario's wandering copy) are removed.
    expect 1 explore scenarios/old-duplicate-data-no-time-wait.json --seeds 2..2 \
      --invariant delivery --out "$work/repro.json"
    grep -q "breaks the delivery invariant" "$work/out" || fail "explore found no delivery failure"
    grep -q '"invariants": \[ "delivery" \]' "$work/repro.json" || fail "no invariants written"
    expect 1 run "$work/repro.json"
    grep -q 'at \$.expect.invariants\[0\]: the delivery invariant is broken: new to web#2' \
      "$work/err" "$work/out" || fail "tcpsim run does not fail on the delivery invariant"
    without_faults "$work/repro.json" "$work/unfaulted.json" || fail "no fault rules to remove"
    expect 0 run "$work/unfaulted.json"
    # A smaller or shorter timeline must still need its faults (docs/explore.md): the repro of
    # blind-syn-challenge-ack under loss keeps its lost SYN-ACK, and passes without it.
    expect 1 explore scenarios/blind-syn-challenge-ack.json --seeds 1..100 \
      --out "$work/blind.json"
    expect 1 run "$work/blind.json"
    without_faults "$work/blind.json" "$work/blind-unfaulted.json" || fail "no fault rule kept"
    expect 0 run "$work/blind-unfaulted.json"
    ;;
  explore-usage)
    expect 2 explore scenarios/four-way-close.json --seeds 1..x
    grep -q -- "--seeds" "$work/err" || fail "no --seeds message"
    expect 2 explore scenarios/four-way-close.json --seeds 1..3 --faults loss,jitter
    grep -q -- "--faults" "$work/err" || fail "no --faults message"
    expect 2 explore scenarios/four-way-close.json --seeds 1..3 --faults loss,loss
    expect 2 explore scenarios/four-way-close.json --seeds 1..3 --invariant delivery,speed
    grep -q -- "--invariant" "$work/err" || fail "no --invariant message"
    expect 2 explore tests/bad-input/01-not-json.json --seeds 1..3
    cp scenarios/orderly-close-no-time-wait.json "$work/input.json"
    expect 2 explore "$work/input.json" --seeds 1..3 --out "$work/input.json"
    grep -q "refusing to overwrite it" "$work/err" || fail "explore --out overwrote its input"
    # Every fault at once, 30 seeds: TCP's own invariants hold (its expectations are not asked).
    expect 0 explore scenarios/orderly-close-no-time-wait.json --seeds 1..30 \
      --faults loss,duplicate,reorder,delay --invariant delivery,progress,ack_storm,window
    grep -q "30 seeds, every invariant held" "$work/out" || fail "no summary"
    ;;
  *)
    fail "unknown check $what"
    ;;
esac
echo "ok: $what"
