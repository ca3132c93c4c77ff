# Runs one script through `kmm run` and compares its output byte for byte.
execute_process(COMMAND ${KMM} run ${SCRIPT}
  OUTPUT_VARIABLE actual ERROR_VARIABLE err RESULT_VARIABLE rc)
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${EXPECTED}.actual "${actual}")
  message(FATAL_ERROR "output differs from ${EXPECTED} (see ${EXPECTED}.actual; rc=${rc})\nstderr: ${err}")
endif()
