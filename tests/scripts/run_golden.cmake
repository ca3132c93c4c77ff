# Runs one script through `kmm run` (or `kmm ARGS`) and compares its
# standard output byte for byte with EXPECTED; the exit status must be 0
# unless ALLOW_FAIL is set.
if(DEFINED ARGS)
  set(cmd ${KMM} ${ARGS})
else()
  set(cmd ${KMM} run ${SCRIPT})
endif()
execute_process(COMMAND ${cmd}
  OUTPUT_VARIABLE actual ERROR_VARIABLE err RESULT_VARIABLE rc)
file(READ ${EXPECTED} expected)
if(NOT rc EQUAL 0 AND NOT ALLOW_FAIL)
  message(FATAL_ERROR "exit status ${rc}\nstderr: ${err}")
endif()
if(NOT actual STREQUAL expected)
  file(WRITE ${EXPECTED}.actual "${actual}")
  message(FATAL_ERROR "output differs from ${EXPECTED} (see ${EXPECTED}.actual; rc=${rc})\nstderr: ${err}")
endif()
