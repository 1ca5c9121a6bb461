# The stepping HTML page in a real browser (views/html.hpp, docs/views.md): Debian's chromium,
# headless, driven through chromedriver by tests/browser/html_stepping.py (python3 standard
# library only). Without chromium the test fails, unless TCPSIM_SKIP_BROWSER=1 (then it is
# reported as skipped). Its screenshot is left in the build's tests/ directory.
# Included from tests/CMakeLists.txt.
find_program(TCPSIM_PYTHON3 NAMES python3)
if(NOT TCPSIM_PYTHON3)
  set(TCPSIM_PYTHON3 python3)  # fails at test time with a clear "not found"
endif()
add_test(NAME browser:html-stepping
         COMMAND ${TCPSIM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/browser/html_stepping.py
                 $<TARGET_FILE:tcpsim> ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(browser:html-stepping PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 150)

# The page as a teacher projects it (tests/browser/html_classroom.py): the reveal, textbook
# labels, the window switch, autoplay across an idle gap, presentation mode at 1024x768 in
# English and Chinese. Its screenshots (browser-html-presentation.png, -zh.png) are left in the
# build's tests/ directory.
add_test(NAME browser:html-classroom
         COMMAND ${TCPSIM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/browser/html_classroom.py
                 $<TARGET_FILE:tcpsim> ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(browser:html-classroom PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 200)

# The SVG diagram renders the same in rsvg-convert (librsvg2-bin) as in chromium, for every
# shipped scenario (tests/browser/svg_renderers.py); on a failure both pictures and a map of
# the differing blocks are left in the build's tests/ directory. In three shards, every third
# diagram each: the whole took 165 s on one core, the longest test of the suite.
foreach(shard 1 2 3)
  add_test(NAME browser:svg-renderers-${shard}-of-3
           COMMAND ${TCPSIM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/browser/svg_renderers.py
                   $<TARGET_FILE:tcpsim> ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR} ${shard}/3
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(browser:svg-renderers-${shard}-of-3 PROPERTIES SKIP_RETURN_CODE 77
                       TIMEOUT 300)
endforeach()
