# Puts the playground page together (web/CMakeLists.txt): web/page/playground.html with its
# style, the stepping page's script and style (views/html_page.js and .css, the one page
# implementation `tcpsim run --html` writes too), the module and the playground's script in
# place of the five markers, so the page needs no other file.
# cmake -DSOURCE_DIR=web/page -DVIEWS_DIR=views -DMODULE=tcpsim_web.js -DOUTPUT=page.html
#       -P assemble.cmake
cmake_minimum_required(VERSION 3.20)  # new policies: "@NAME@" in a string stays as it is
file(READ ${SOURCE_DIR}/playground.html page)
file(READ ${SOURCE_DIR}/playground.css style)
file(READ ${SOURCE_DIR}/playground.js script)
file(READ ${VIEWS_DIR}/html_page.css page_style)
file(READ ${VIEWS_DIR}/html_page.js page_script)
file(READ ${MODULE} module)
foreach(part module script page_script)
  # Inline, "</script" would end the element early.
  string(FIND "${${part}}" "</script" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "assemble.cmake: the ${part} contains \"</script\" at ${at}")
  endif()
endforeach()
foreach(marker IN ITEMS "/*@STYLE@*/" "/*@PAGE_STYLE@*/" "/*@MODULE@*/" "/*@PAGE_SCRIPT@*/"
                       "/*@SCRIPT@*/")
  string(FIND "${page}" "${marker}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "assemble.cmake: playground.html has no ${marker}")
  endif()
endforeach()
string(REPLACE "/*@STYLE@*/" "${style}" page "${page}")
string(REPLACE "/*@PAGE_STYLE@*/" "${page_style}" page "${page}")
string(REPLACE "/*@PAGE_SCRIPT@*/" "${page_script}" page "${page}")
string(REPLACE "/*@MODULE@*/" "${module}" page "${page}")
string(REPLACE "/*@SCRIPT@*/" "${script}" page "${page}")
file(WRITE ${OUTPUT}.part "${page}")
file(RENAME ${OUTPUT}.part ${OUTPUT})
