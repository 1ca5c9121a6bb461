# CLI-level gates (docs/testing.md): bad input through `tcpsim run`, missing files, directories,
# an event storm, determinism across processes and across orders, and the fuzz regression
# replays. Included from tests/CMakeLists.txt.
set(TCPSIM_CLI_CHECKS ${CMAKE_CURRENT_LIST_DIR}/cli/cli-checks.sh)

# Every entry of the bad-input catalogue: exit 2, one `file:line:col: error: at $...` line
# (the file's .expected), no stack trace, no trace file. Relative paths, as a user types them.
file(GLOB TCPSIM_BAD_INPUTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/bad-input/*.json)
foreach(bad_input ${TCPSIM_BAD_INPUTS})
  get_filename_component(bad_name ${bad_input} NAME_WE)
  file(RELATIVE_PATH bad_relative ${PROJECT_SOURCE_DIR} ${bad_input})
  add_test(NAME cli:bad-input:${bad_name}
           COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> bad-input ${bad_relative}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()

foreach(check missing directory)
  add_test(NAME cli:run-${check} COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> ${check}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()
add_test(NAME cli:event-storm
         COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> event-storm tests/cli/event-storm.json
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
# No input makes tcpsim abort: the memory budget stops a run whose trace would outgrow memory.
add_test(NAME cli:memory-budget
         COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> memory-budget tests/cli/never-reading-probe.json
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli:memory-budget PROPERTIES TIMEOUT 120)
if(TCPSIM_SANITIZE)
  set_tests_properties(cli:memory-budget PROPERTIES ENVIRONMENT TCPSIM_SANITIZED=1)
endif()
# No input makes tcpsim abort: a fuzz finding that reached a state change missing from the
# transition table (CLOSING before the SYN is acknowledged), recorded and unrecorded, its
# expectations met (they fail, and the old code aborted, at 63.12 s).
add_test(NAME cli:closing-before-syn-acknowledged
         COMMAND bash -c "\"$0\" run \"$1\" >/dev/null && \"$0\" run \"$1\" --format summary >/dev/null"
                 $<TARGET_FILE:tcpsim> tests/cli/closing-before-syn-acknowledged.json
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
# A streamed trace (stdout, --trace) is byte for byte the golden one.
add_test(NAME cli:streamed-trace
         COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> streamed-trace scenarios
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# --format summary: the expectations and the end-of-run summary only, recorded or not.
add_test(NAME cli:summary
         COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> summary scenarios
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME cli:summary-unrecorded
         COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> summary-unrecorded
                 tests/cli/summary-fast-path.json
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
# A SYN flood through the scenario format, its repeat held once (bench/syn-flood-million.json
# at a fifth of the size): loads within a memory budget an expanded repeat would pass, and runs
# unrecorded.
add_test(NAME cli:syn-flood-scenario
         COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> summary-flood
                 bench/syn-flood-smoke.json
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# Determinism across processes, and no state leaking from one scenario into the next whatever
# the order (the golden traces must still match).
add_test(NAME cli:determinism-two-processes
         COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> same-bytes scenarios
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME cli:check-reverse-order
         COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> reverse-check scenarios
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# Fuzz regressions: the fuzz targets' LLVMFuzzerTestOneInput with a plain main that reads files,
# built by whatever compiler this build uses (so they run in the g++ and ASan builds too). Each
# replays every input under fuzz/regressions/<target>/; the loader replay also runs the seeds.
foreach(target loader tcp)
  set(fuzz_source ${PROJECT_SOURCE_DIR}/fuzz/${target}_fuzzer.cpp)
  if(EXISTS ${fuzz_source})
    add_executable(tcpsim_fuzz_replay_${target} ${fuzz_source} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
    target_link_libraries(tcpsim_fuzz_replay_${target} PRIVATE ${TCPSIM_FUZZ_${target}_LAYER})
    add_test(NAME fuzz-regressions:${target}
             COMMAND tcpsim_fuzz_replay_${target} ${PROJECT_SOURCE_DIR}/fuzz/regressions/${target})
  endif()
endforeach()
if(TARGET tcpsim_fuzz_replay_loader)
  add_test(NAME fuzz-seeds:loader
           COMMAND tcpsim_fuzz_replay_loader ${PROJECT_SOURCE_DIR}/scenarios ${PROJECT_SOURCE_DIR}/tests/bad-input)
endif()

# Known, unfixed fuzz findings (fuzz/known-issues/README.md): replayed with TCPSIM_FUZZ_STRICT=1
# they must still fail. When one passes, the bug was fixed: move it to fuzz/regressions/.
foreach(target loader tcp)
  file(GLOB known_issues ${PROJECT_SOURCE_DIR}/fuzz/known-issues/${target}/*)
  if(known_issues AND TARGET tcpsim_fuzz_replay_${target})
    foreach(issue ${known_issues})
      get_filename_component(issue_name ${issue} NAME)
      add_test(NAME fuzz-known-issues:${target}:${issue_name}
               COMMAND bash -c "if TCPSIM_FUZZ_STRICT=1 \"$0\" \"$1\" >/dev/null 2>&1; then echo \"fixed: move $1 to fuzz/regressions/${target}/ and drop its tolerance in fuzz/${target}_fuzzer.cpp\"; exit 1; fi; echo \"still failing, as known\""
                       $<TARGET_FILE:tcpsim_fuzz_replay_${target}> ${issue})
    endforeach()
  endif()
endforeach()

# ---- pcap view (--pcap, views/pcap.hpp, docs/views.md) ----
# tshark reads the capture of every scenario (globbed when the test runs), each end (interface)
# on its own: the frames the trace puts there, no malformed packet, every checksum good,
# Wireshark's retransmissions what the wire shows and the trace's among them (equal where no
# 4-tuple is reused), its fast retransmissions the trace's, comments where the link or the
# receiver did not simply deliver. Fails without tshark unless TCPSIM_SKIP_TSHARK=1 (then skips).
set(TCPSIM_TSHARK_CHECK ${CMAKE_CURRENT_LIST_DIR}/pcap/tshark-check.sh)
add_test(NAME pcap:tshark-all-scenarios
         COMMAND bash ${TCPSIM_TSHARK_CHECK} $<TARGET_FILE:tcpsim> scenarios
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME pcap:tshark-lossy-transfers
         COMMAND bash ${TCPSIM_TSHARK_CHECK} $<TARGET_FILE:tcpsim> tests/pcap/scenarios
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(pcap:tshark-all-scenarios pcap:tshark-lossy-transfers PROPERTIES
                     SKIP_RETURN_CODE 77 TIMEOUT 300)
add_test(NAME pcap:write-error-exits-2
         COMMAND bash -c "out=$(\"$0\" run scenarios/three-way-handshake.json --pcap /nonexistent-dir/x.pcapng 2>&1 >/dev/null); status=$?; echo \"$out\"; [ $status -eq 2 ] && [[ $out == *'cannot write /nonexistent-dir/x.pcapng'* ]]"
                 $<TARGET_FILE:tcpsim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# Narration (--explain, --lang), Mermaid (--mermaid) and realtime playback (--realtime):
# tests/cli/views-narration-checks.sh.
set(TCPSIM_NARRATION_CHECKS ${CMAKE_CURRENT_LIST_DIR}/cli/views-narration-checks.sh)
add_test(NAME cli:realtime-same-output
         COMMAND bash ${TCPSIM_NARRATION_CHECKS} $<TARGET_FILE:tcpsim> realtime-same scenarios
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
foreach(signal INT TERM)
  add_test(NAME cli:realtime-stopped-by-SIG${signal}
           COMMAND bash ${TCPSIM_NARRATION_CHECKS} $<TARGET_FILE:tcpsim> realtime-signal ${signal}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(cli:realtime-stopped-by-SIG${signal} PROPERTIES TIMEOUT 30)
endforeach()
add_test(NAME cli:views-narration-bad-arguments
         COMMAND bash ${TCPSIM_NARRATION_CHECKS} $<TARGET_FILE:tcpsim> bad-arguments
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME cli:views-narration-outputs
         COMMAND bash ${TCPSIM_NARRATION_CHECKS} $<TARGET_FILE:tcpsim> outputs
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
# The terminal ladder's width and colour, and --lang and --no-window in every view
# (tests/cli/terminal-checks.sh; docs/views.md, "The terminal ladder").
foreach(check width tty lang classroom)
  add_test(NAME cli:terminal-${check}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/terminal-checks.sh $<TARGET_FILE:tcpsim>
                   ${check}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()
set_tests_properties(cli:terminal-tty PROPERTIES SKIP_RETURN_CODE 77)
# --- SVG ladder diagram and stepping HTML page (--svg, --html; docs/views.md) ---
foreach(check files stdout bad-output both-stdout)
  add_test(NAME cli:diagram-${check}
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/views/diagram_cli_checks.sh $<TARGET_FILE:tcpsim> ${check}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()

# Output lost or half-written, and the command line's rules (issue "Everything found wrong").
foreach(check full-stdout outputs arguments)
  add_test(NAME cli:${check}
           COMMAND bash ${TCPSIM_CLI_CHECKS} $<TARGET_FILE:tcpsim> ${check}
                   scenarios/three-way-handshake.json
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()

# ---- Output to a device: written to it directly, never replaced by a renamed file ----
add_test(NAME cli:output-to-device
         COMMAND bash -c "out=$(\"$0\" run scenarios/three-way-handshake.json --trace /dev/full 2>&1 >/dev/null); status=$?; [ $status -eq 2 ] && [[ $out == *'cannot write /dev/full'* ]] && [ -c /dev/full ] && \"$0\" run scenarios/three-way-handshake.json --trace /dev/stdout --format jsonl | grep -q fnv1a64"
                 $<TARGET_FILE:tcpsim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# The teaching catalogue (runner/teaching.cpp, docs/teaching.md): `tcpsim list --teaching` exits
# 0, writes nothing on stderr, and prints every mechanism as a numbered heading. The unit tests
# (tests/runner/teaching_tests.cpp) check the catalogue against the scenarios and the document;
# this list is the CLI's own check that none goes missing on the way out.
set(TCPSIM_TEACHING_MECHANISMS
    "three-way handshake" "RST on stale SYN-ACK" "SYN-ACK retransmission" "keepalive"
    "half-close" "FIN retransmission" "TIME_WAIT" "2 MSL length" "ISN choice")
string(REPLACE ";" "|" teaching_mechanisms "${TCPSIM_TEACHING_MECHANISMS}")
add_test(NAME cli:list-teaching
         COMMAND bash -c [=[
set -uo pipefail
out=$("$0" list --teaching 2>err.$$); status=$?
err=$(cat err.$$); rm -f err.$$
[ "$status" -eq 0 ] || { echo "FAIL: tcpsim list --teaching exited $status: $err"; exit 1; }
[ -z "$err" ] || { echo "FAIL: tcpsim list --teaching wrote on stderr: $err"; exit 1; }
IFS='|' read -ra mechanisms <<<"$1"
for mechanism in "${mechanisms[@]}"; do
  grep -Eq "^[0-9]+\. ${mechanism}\$" <<<"$out" ||
    { echo "FAIL: no heading for \"$mechanism\" in tcpsim list --teaching"; exit 1; }
done
echo "all ${#mechanisms[@]} mechanisms listed"
# In Chinese: the textbook's words, no English labels; --lang without --teaching is a usage error.
zh=$("$0" list --teaching --lang zh) || { echo "FAIL: --lang zh exited $?"; exit 1; }
grep -q '^1\. 三次握手$' <<<"$zh" || { echo "FAIL: no 三次握手 heading in --lang zh"; exit 1; }
grep -q '已失效的连接请求报文段' <<<"$zh" || { echo "FAIL: no 已失效的连接请求报文段"; exit 1; }
! grep -q 'Protects against\|^   with: ' <<<"$zh" || { echo "FAIL: English in --lang zh"; exit 1; }
"$0" list --lang zh >/dev/null 2>&1; status=$?
[ "$status" -eq 2 ] || { echo "FAIL: list --lang without --teaching exited $status, not 2"; exit 1; }
echo "--lang zh lists the catalogue in Chinese"
]=] $<TARGET_FILE:tcpsim> "${teaching_mechanisms}"
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})

# `tcpsim list --knobs` (tcp/knobs.cpp): the text listing, and the Markdown and schema forms are
# exactly what docs/scenario-format.md and docs/scenario.schema.json hold; a bad --format is a
# usage error (exit 2).
add_test(NAME cli:list-knobs
         COMMAND bash -c [=[
set -uo pipefail
text=$("$0" list --knobs) || { echo "FAIL: tcpsim list --knobs exited $?"; exit 1; }
grep -q '^time_wait .* teaching$' <<<"$text" || { echo "FAIL: no time_wait line"; exit 1; }
markdown=$("$0" list --knobs --format markdown) || { echo "FAIL: --format markdown"; exit 1; }
[[ $(cat docs/scenario-format.md) == *"$markdown"* ]] ||
  { echo "FAIL: the markdown table is not the one in docs/scenario-format.md"; exit 1; }
schema=$("$0" list --knobs --format schema) || { echo "FAIL: --format schema"; exit 1; }
grep -q '"handshake": {' <<<"$schema" || { echo "FAIL: no handshake in the schema"; exit 1; }
"$0" list --knobs --format yaml >/dev/null 2>&1; status=$?
[ "$status" -eq 2 ] || { echo "FAIL: --format yaml exited $status, expected 2"; exit 1; }
echo "list --knobs: text, markdown and schema"
]=] $<TARGET_FILE:tcpsim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# The transition table (tcp/transitions.cpp): `tcpsim list --transitions` prints it with its
# heading and rows; the Markdown form is exactly what docs/design.md holds (docs:generated
# checks the whole region); --format schema is a usage error.
add_test(NAME cli:list-transitions
         COMMAND bash -c [=[
set -uo pipefail
out=$("$0" list --transitions 2>&1) ||
  { echo "FAIL: tcpsim list --transitions failed: $out"; exit 1; }
head -1 <<<"$out" | grep -Eq '^state +event +new state +rule +citation +function +variant$' ||
  { echo "FAIL: unexpected heading: $(head -1 <<<"$out")"; exit 1; }
row='^LISTEN +rcv SYN +SYN_RCVD +listen_syn +RFC 9293 3\.10\.7\.2 +Connection::accept_syn$'
grep -Eq "$row" <<<"$out" || { echo "FAIL: no LISTEN --rcv SYN--> SYN_RCVD row"; exit 1; }
markdown=$("$0" list --transitions --format markdown) || { echo "FAIL: --format markdown"; exit 1; }
[[ $(cat docs/design.md) == *"$markdown"* ]] ||
  { echo "FAIL: the markdown table is not the one in docs/design.md"; exit 1; }
"$0" list --transitions --format schema >/dev/null 2>&1; status=$?
[ "$status" -eq 2 ] || { echo "FAIL: --format schema exited $status, expected 2"; exit 1; }
echo "$(($(wc -l <<<"$out") - 1)) transitions listed"
]=] $<TARGET_FILE:tcpsim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# A reactive action that never ran is a note, not an error: after the ladder on stdout (before
# the expectations line), on stderr when stdout carries the JSON Lines trace.
add_test(NAME cli:reaction-notes
         COMMAND bash -c [=[
set -uo pipefail
note='note: action "abort-on-reset" never ran: its trigger, reset on c1, never happened'
out=$("$0" run tests/cli/never-fired-reaction.json 2>/dev/null) ||
  { echo "FAIL: tcpsim run exited $?"; exit 1; }
tail -3 <<<"$out" | head -1 | grep -qxF "$note" ||
  { echo "FAIL: no note before the end: $out"; exit 1; }
tail -1 <<<"$out" | grep -qx 'expectations: 1 of 1 met' ||
  { echo "FAIL: expectations line"; exit 1; }
errors=$(mktemp)
jsonl=$("$0" run tests/cli/never-fired-reaction.json --format jsonl 2>"$errors") ||
  { echo "FAIL: --format jsonl exited $?"; rm -f "$errors"; exit 1; }
err=$(cat "$errors"); rm -f "$errors"
[ "$err" = "$note" ] || { echo "FAIL: stderr is not the note: $err"; exit 1; }
grep -qv '^{' <<<"$jsonl" && { echo "FAIL: a line of stdout is not JSON"; exit 1; }
echo "the note is printed"
]=] $<TARGET_FILE:tcpsim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# The views stay bounded with many connections (docs/performance.md): 10,000 connects, --html
# and --svg under `ulimit -v` 2 GiB, the summary lane's note in both (about 3 s; not timed:
# bench/many_connections.py measures).
add_test(NAME cli:views-many-connections
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/views/many_connections_check.sh
                 $<TARGET_FILE:tcpsim> 10000
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli:views-many-connections PROPERTIES TIMEOUT 120)
if(TCPSIM_SANITIZE)
  set_tests_properties(cli:views-many-connections PROPERTIES ENVIRONMENT TCPSIM_SANITIZED=1)
endif()

# ---- sweep, --junit and explore (docs/scale-out.md, docs/explore.md) ----
foreach(check same-output shard-env bad-input junit parallel explore-demo explore-repro
        explore-usage)
  # explore-demo -> cli:explore:demo, the others cli:sweep:NAME
  string(REGEX REPLACE "^explore-" "explore:" test_name "${check}")
  if(test_name STREQUAL check)
    set(test_name "sweep:${check}")
  endif()
  add_test(NAME cli:${test_name}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/sweep-checks.sh $<TARGET_FILE:tcpsim> ${check}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()
# Without GNU parallel the recipe's test says so and is skipped, not passed.
set_tests_properties(cli:sweep:parallel PROPERTIES SKIP_RETURN_CODE 77)
