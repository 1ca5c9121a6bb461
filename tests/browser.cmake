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
