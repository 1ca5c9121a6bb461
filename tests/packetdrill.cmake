# The project's own packetdrill scripts (tests/packetdrill/*.pkt, docs/packetdrill.md), each run
# by `tcpsim run` from the source directory, and the FreeBSD state-event suite. Included from
# tests/CMakeLists.txt.
set(TCPSIM_PKT_CHECKS ${CMAKE_CURRENT_LIST_DIR}/packetdrill/pkt-checks.sh)
file(GLOB TCPSIM_PKT_SCRIPTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/packetdrill/*.pkt)
foreach(script ${TCPSIM_PKT_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR} ${script})
  set(expected tests/packetdrill/${name})
  if(name MATCHES "^failing-")
    # A failing script: its report is the golden .expected.
    add_test(NAME packetdrill:${name}
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> fail ${relative}
                     ${expected}.expected)
  elseif(name STREQUAL "option-lenient-options")
    add_test(NAME packetdrill:${name}
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> pass ${relative}
                     --lenient-options)
    # Strictly the rfc9293 profile sends only the MSS: the first line fails on its length.
    add_test(NAME packetdrill:${name}-strict
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> fail ${relative}
                     ${expected}.strict.expected)
    # The freebsd profile sends FreeBSD's options in FreeBSD's layout: strict passes.
    add_test(NAME packetdrill:${name}-freebsd
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> pass ${relative}
                     --profile freebsd
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  elseif(name STREQUAL "option-ipv6-as-ipv4")
    add_test(NAME packetdrill:${name}
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> pass ${relative}
                     --ipv6-as-ipv4)
    add_test(NAME packetdrill:${name}-without
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> skip ${relative}
                     ${expected}.without.expected)
  elseif(name STREQUAL "option-knob")
    add_test(NAME packetdrill:${name}
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> pass ${relative}
                     --knob rfc1337=true)
    add_test(NAME packetdrill:${name}-without
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> fail ${relative}
                     ${expected}.without.expected)
  else()
    add_test(NAME packetdrill:${name}
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> pass ${relative})
  endif()
  set_tests_properties(packetdrill:${name} PROPERTIES WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  # Each script that runs converts to a scenario that replays it (docs/packetdrill.md).
  if(NOT name MATCHES "^failing-")
    set(convert_options)
    if(name STREQUAL "option-lenient-options")
      set(convert_options --lenient-options)
    elseif(name STREQUAL "option-knob")
      set(convert_options --knob rfc1337=true)
    elseif(name STREQUAL "option-ipv6-as-ipv4")
      set(convert_options --ipv6-as-ipv4)
    endif()
    add_test(NAME packetdrill:convert:${name}
             COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> convert ${relative}
                     ${convert_options}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  endif()
endforeach()
foreach(test packetdrill:option-lenient-options-strict packetdrill:option-knob-without
             packetdrill:option-ipv6-as-ipv4-without)
  set_tests_properties(${test} PROPERTIES WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()
# The ISNs are drawn from the seed: the scripts pass with any.
add_test(NAME packetdrill:handshake-active-other-seed
         COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> pass
                 tests/packetdrill/handshake-active.pkt --seed 12345
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# Syntax errors: exit 2 and exactly the .expected message.
file(GLOB TCPSIM_PKT_BAD CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/packetdrill/bad-syntax/*.pkt)
foreach(script ${TCPSIM_PKT_BAD})
  get_filename_component(name ${script} NAME_WE)
  file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR} ${script})
  add_test(NAME packetdrill:bad-syntax:${name}
           COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> bad ${relative}
                   tests/packetdrill/bad-syntax/${name}.expected
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()

# `check` picks .pkt files up beside .json ones, and counts each verdict.
add_test(NAME packetdrill:check-counts
         COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> check 0
                 "3 passed, 0 failed, 0 skipped" --lenient-options
                 tests/packetdrill/handshake-active.pkt tests/packetdrill/option-lenient-options.pkt
                 scenarios/three-way-handshake.json
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME packetdrill:check-counts-failed-skipped
         COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> check 1
                 "0 passed, 1 failed, 1 skipped"
                 tests/packetdrill/option-ipv6-as-ipv4.pkt tests/packetdrill/failing-seq.pkt
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# `validate` parses a script without running it.
add_test(NAME packetdrill:validate
         COMMAND bash ${TCPSIM_PKT_CHECKS} $<TARGET_FILE:tcpsim> validate
                 tests/packetdrill/handshake-active.pkt
                 "tests/packetdrill/handshake-active.pkt: ok (packetdrill script, 22 events)"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# The FreeBSD TCP test suite's state-event scripts (../shared/corpora/freebsd-tcp-testsuite,
# never copied here): scripts/conformance --check runs them strictly and with --lenient-options
# and fails when docs/conformance.md, the matrix of their verdicts and reasons, is not what the
# run gives. Without the corpus the test is skipped with a message.
find_program(TCPSIM_PYTHON3 NAMES python3)
if(NOT TCPSIM_PYTHON3)
  set(TCPSIM_PYTHON3 python3)  # fails at test time with a clear "not found"
endif()
add_test(NAME freebsd:state-event
         COMMAND ${TCPSIM_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/conformance --check
                 $<TARGET_FILE:tcpsim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(freebsd:state-event PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
