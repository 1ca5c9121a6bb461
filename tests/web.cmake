# The playground (web/, docs/views.md "The playground"): its WebAssembly build, its trace
# against the command line's, and the page in a browser. web:playground-build builds it
# (scripts/playground --check, preset wasm, build-wasm/: about 2 minutes from clean on 2
# cores, nothing when it is up to date); every test here is skipped (exit 77) when emcc is not
# installed. Included from tests/CMakeLists.txt.
set(TCPSIM_PLAYGROUND_DIR ${PROJECT_SOURCE_DIR}/build-wasm/web)
add_test(NAME web:playground-build
         COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/playground --check
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(web:playground-build PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200
                     FIXTURES_SETUP tcpsim_playground)

# Every shipped scenario, at its seed and another: the module's trace is tcpsim run's, byte
# for byte.
add_test(NAME web:trace-identity
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/web/node-test
                 ${TCPSIM_PLAYGROUND_DIR}/tcpsim_web.js
                 ${CMAKE_CURRENT_LIST_DIR}/web/trace_identity.js
                 $<TARGET_FILE:tcpsim> ${PROJECT_SOURCE_DIR})
set_tests_properties(web:trace-identity PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
                     FIXTURES_REQUIRED tcpsim_playground)

# The page driven in headless chromium (tests/browser/playground.py); its screenshots are left
# in the build's tests/ directory.
add_test(NAME browser:playground
         COMMAND ${TCPSIM_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/browser/playground.py
                 ${TCPSIM_PLAYGROUND_DIR}/tcpsim-playground.html $<TARGET_FILE:tcpsim>
                 ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(browser:playground PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 200
                     FIXTURES_REQUIRED tcpsim_playground)
