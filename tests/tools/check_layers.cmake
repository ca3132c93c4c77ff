# tests/tools/check_layers.cmake - the include graph goes one way only.
#
#   cmake -DSRC=<source dir> [-DNO_KNOWN=1] -P tests/tools/check_layers.cmake
#
# Layers, bottom up (../shared/DESIGN.md): a file may include its own
# layer's headers, any lower layer's, and the public headers in
# include/kmm/ (which belong to no layer, as Linux's include/linux/); an
# include of a higher layer's header is an upward arrow, and two layers
# that include each other make a circle.  The check fails on every upward
# include that is not in KNOWN below, and on a KNOWN one that has gone (so
# the list only shrinks: delete its line when you fix it).  A layer's
# internal.h is private to it: including another layer's fails too.
set(LAYERS base hw arch block fs mm kernel init proc sim tools)

# The upward includes still to fix, each "file -> header" with what fixing
# it takes.  Empty since issue 12: keep it so.
set(KNOWN
)

# -DNO_KNOWN=1: no known list (the test that shows the check can fail).
if(NO_KNOWN)
  set(KNOWN "")
endif()

function(layer_rank name out)
  list(FIND LAYERS "${name}" r)
  set(${out} ${r} PARENT_SCOPE)
endfunction()

set(found "")
set(bad 0)
foreach(layer ${LAYERS})
  file(GLOB_RECURSE files RELATIVE "${SRC}" "${SRC}/${layer}/*.c" "${SRC}/${layer}/*.h")
  layer_rank(${layer} from)
  foreach(f ${files})
    file(STRINGS "${SRC}/${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
    foreach(line ${lines})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\".*" "\\1" inc "${line}")
      string(REGEX REPLACE "/.*" "" top "${inc}")
      layer_rank("${top}" to)
      # <layer>/internal.h is its layer's own (mm/internal.h: mm/'s helpers);
      # the layers above use <layer>/machine.h and include/kmm/.
      if(inc MATCHES "^[a-z0-9_]+/internal\\.h$" AND NOT top STREQUAL layer)
        message("private header: ${f} -> ${inc} (only ${top}/ may include it; use ${top}/machine.h or include/kmm/)")
        math(EXPR bad "${bad} + 1")
      endif()
      if(to GREATER from)
        set(edge "${f} -> ${inc}")
        list(APPEND found "${edge}")
        list(FIND KNOWN "${edge}" k)
        if(k EQUAL -1)
          message("upward include: ${edge} (${layer}/ is below ${top}/; use include/kmm/ or move the code)")
          math(EXPR bad "${bad} + 1")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()

foreach(edge ${KNOWN})
  list(FIND found "${edge}" k)
  if(k EQUAL -1)
    message("fixed, take it off KNOWN in tests/tools/check_layers.cmake: ${edge}")
    math(EXPR bad "${bad} + 1")
  endif()
endforeach()

list(LENGTH found n)
list(LENGTH KNOWN nk)
if(bad)
  message(FATAL_ERROR "${bad} problem(s) in the include graph")
endif()
message("include graph: ${n} upward include(s), all known (${nk} listed); no new ones")
