# Every shipped scenario is checked through `tcpsim check` (expectations and golden trace), one
# ctest each so a failure names its scenario.
file(GLOB TCPSIM_SHIPPED_SCENARIOS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/*.json)
foreach(scenario ${TCPSIM_SHIPPED_SCENARIOS})
  get_filename_component(scenario_name ${scenario} NAME_WE)
  add_test(NAME scenario:${scenario_name}
           COMMAND tcpsim check ${scenario}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()

# The whole folder in one `tcpsim check`, as a user runs it: also proves that running scenarios
# one after another in one process leaks no state into the next (the golden traces must match).
add_test(NAME scenarios:check-all COMMAND tcpsim check scenarios
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
