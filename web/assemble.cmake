# Puts the playground page together (web/CMakeLists.txt): web/page/playground.html with its
# style, the module and its script in place of the three markers, so the page needs no other
# file. cmake -DSOURCE_DIR=web/page -DMODULE=tcpsim_web.js -DOUTPUT=page.html -P assemble.cmake
cmake_minimum_required(VERSION 3.20)  # new policies: "@NAME@" in a string stays as it is
file(READ ${SOURCE_DIR}/playground.html page)
file(READ ${SOURCE_DIR}/playground.css style)
file(READ ${SOURCE_DIR}/playground.js script)
file(READ ${MODULE} module)
foreach(part module script)
  # Inline, "</script" would end the element early.
  string(FIND "${${part}}" "</script" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "assemble.cmake: the ${part} contains \"</script\" at ${at}")
  endif()
endforeach()
foreach(marker IN ITEMS "/*@STYLE@*/" "/*@MODULE@*/" "/*@SCRIPT@*/")
  string(FIND "${page}" "${marker}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "assemble.cmake: playground.html has no ${marker}")
  endif()
endforeach()
string(REPLACE "/*@STYLE@*/" "${style}" page "${page}")
string(REPLACE "/*@MODULE@*/" "${module}" page "${page}")
string(REPLACE "/*@SCRIPT@*/" "${script}" page "${page}")
file(WRITE ${OUTPUT}.part "${page}")
file(RENAME ${OUTPUT}.part ${OUTPUT})
