# Installs the built tree into a scratch prefix, then configures, builds and
# runs a tiny consumer project that does find_package(arcp), built with the
# same compiler and flags (sanitizer builds need the same runtime).
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${WORK_DIR}/build
                        -G Ninja -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release
                        -DCMAKE_CXX_COMPILER=${CONSUMER_CXX} "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "consumer configure failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "consumer build failed")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "result: \\{\"hello\":\"installed\"\\}"
   OR NOT out MATCHES "arcp ${PROJECT_VERSION} \\(")
  message(FATAL_ERROR "consumer run failed: ${rc} ${out}")
endif()
# serve_main: every `arcp serve` flag, with its defaults, in the program's own --help.
execute_process(COMMAND ${WORK_DIR}/build/serve_consumer --help RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "--token-file" OR NOT out MATCHES "--data-dir"
   OR NOT out MATCHES "serve_consumer")
  message(FATAL_ERROR "serve_consumer --help failed: ${rc} ${out}")
endif()
# pkg-config: the same program built with `pkg-config --cflags --libs --static arcp`.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} "${WORK_DIR}/prefix/${LIBDIR}/pkgconfig")
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs --static arcp RESULT_VARIABLE rc
                OUTPUT_VARIABLE pc_flags OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config arcp failed")
endif()
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
separate_arguments(consumer_flags UNIX_COMMAND "${CONSUMER_CXX_FLAGS}")
execute_process(COMMAND ${CONSUMER_CXX} ${consumer_flags} ${SOURCE_DIR}/tests/install/consumer/main.cpp
                        -o ${WORK_DIR}/pc_consumer ${pc_flags}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config consumer build failed: ${err}")
endif()
execute_process(COMMAND ${WORK_DIR}/pc_consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "result: \\{\"hello\":\"installed\"\\}")
  message(FATAL_ERROR "pkg-config consumer run failed: ${rc} ${out}")
endif()
