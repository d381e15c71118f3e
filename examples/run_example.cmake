# Runs one example and checks what it printed (cmake -P):
#   cmake -DEXAMPLE=<binary> -DEXPECT_FILE=<file> [-DTIMEOUT=<s>] -P run_example.cmake
# EXPECT_FILE holds one regular expression per line; each must match the
# example's standard output somewhere. Fails on a non-zero exit, a timeout or
# a missing line, and then prints everything the example wrote.
if(NOT EXAMPLE OR NOT EXPECT_FILE)
  message(FATAL_ERROR "usage: cmake -DEXAMPLE=<binary> -DEXPECT_FILE=<file> -P run_example.cmake")
endif()
if(NOT TIMEOUT)
  set(TIMEOUT 60)
endif()

execute_process(COMMAND ${EXAMPLE}
                RESULT_VARIABLE exit_code
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err
                TIMEOUT ${TIMEOUT})

set(problems "")
if(NOT exit_code STREQUAL "0")
  string(APPEND problems "  exit: ${exit_code} (expected 0)\n")
endif()
file(STRINGS ${EXPECT_FILE} expectations)
foreach(regex IN LISTS expectations)
  if(NOT out MATCHES "${regex}")
    string(APPEND problems "  missing output line matching: ${regex}\n")
  endif()
endforeach()

if(problems)
  message(FATAL_ERROR "${EXAMPLE} failed:\n${problems}"
                      "---- stdout ----\n${out}\n---- stderr ----\n${err}")
endif()
message(STATUS "${EXAMPLE}: exit 0, every expected line present\n${out}")
