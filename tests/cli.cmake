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
    target_link_libraries(tcpsim_fuzz_replay_${target} PRIVATE tcpsim_runner)
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
]=] $<TARGET_FILE:tcpsim> "${teaching_mechanisms}"
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
