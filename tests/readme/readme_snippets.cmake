# Turns every ```cpp block of README.md into a translation unit, verbatim,
# inside the context its `<!-- snippet-context: NAME -->` line names (default
# `program`: #include lines at file scope, the rest in main()). The contexts
# declare only what the surrounding prose assumes (a runtime, a client, an
# agent's ctx); the README text itself is never edited for the test.
#
# Usage (configure time): readme_snippets(README OUT_DIR SOURCES_VAR)

set(ARCP_SNIPPET_HEADERS
"#include <arcp/agent.hpp>
#include <arcp/async.hpp>
#include <arcp/client.hpp>
#include <arcp/conformance_agents.hpp>
#include <arcp/credentials.hpp>
#include <arcp/delegation.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <arcp/serve.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
")

# Each context: text before and after the snippet's body.
set(ARCP_CONTEXT_program_BEFORE "int main() {\n")
set(ARCP_CONTEXT_program_AFTER "  return 0;\n}\n")
set(ARCP_CONTEXT_file_BEFORE "")
set(ARCP_CONTEXT_file_AFTER "")
set(ARCP_CONTEXT_runtime_BEFORE "int main() {\n  arcp::Runtime runtime;\n")
set(ARCP_CONTEXT_runtime_AFTER "  return 0;\n}\n")
set(ARCP_CONTEXT_credentials_BEFORE "int main() {\n  std::string master_key = \"from-the-environment\";\n")
set(ARCP_CONTEXT_credentials_AFTER "  return 0;\n}\n")
set(ARCP_CONTEXT_client_BEFORE
    "int main() {\n  auto client = arcp::Client::connect(\"ws://127.0.0.1:7777/arcp\", {});\n  if (!client) return 1;\n  std::string job_id;\n  std::string bytes;\n  std::ofstream out;\n")
set(ARCP_CONTEXT_client_AFTER "  return 0;\n}\n")
set(ARCP_CONTEXT_async_client_BEFORE
    "namespace asio = boost::asio;\narcp::Awaitable<void> run(std::string url, arcp::ClientOptions options,\n                          arcp::SubmitOptions submit_options) {\n")
set(ARCP_CONTEXT_async_client_AFTER "}\nint main() { return 0; }\n")
set(ARCP_CONTEXT_coroutine_agent_BEFORE
    "int main() {\n  arcp::Runtime runtime;\n  (void)runtime.register_agent(\"snippet\", [](arcp::JobContext& ctx) -> arcp::Awaitable<arcp::Result<arcp::json::value>> {\n    std::string pdf;\n")
set(ARCP_CONTEXT_coroutine_agent_AFTER "    co_return arcp::json::value{};\n  });\n  return 0;\n}\n")

function(readme_snippets readme out_dir sources_var)
  # Read whole and split by hand: CMake lists would split C++ lines at ';'.
  file(READ ${readme} rest)
  set(sources)
  set(index 0)
  set(context program)
  set(in_block OFF)
  while(NOT rest STREQUAL "")
    string(FIND "${rest}" "\n" nl)
    if(nl EQUAL -1)
      set(line "${rest}")
      set(rest "")
    else()
      string(SUBSTRING "${rest}" 0 ${nl} line)
      math(EXPR next "${nl} + 1")
      string(SUBSTRING "${rest}" ${next} -1 rest)
    endif()
    if(NOT in_block)
      if("${line}" MATCHES "^<!-- snippet-context: ([a-z_]+) -->$")
        set(context ${CMAKE_MATCH_1})
      elseif("${line}" MATCHES "^```cpp")
        set(in_block ON)
        set(includes "")
        set(body "")
      endif()
      continue()
    endif()
    if("${line}" MATCHES "^```")
      math(EXPR index "${index} + 1")
      if(NOT DEFINED ARCP_CONTEXT_${context}_BEFORE)
        message(FATAL_ERROR "README.md: unknown snippet-context '${context}'")
      endif()
      set(file ${out_dir}/readme_snippet_${index}.cpp)
      set(content "// README.md snippet ${index} (context ${context}); generated, do not edit.\n")
      string(APPEND content "${ARCP_SNIPPET_HEADERS}${includes}\n")
      string(APPEND content "${ARCP_CONTEXT_${context}_BEFORE}${body}${ARCP_CONTEXT_${context}_AFTER}")
      set(old "")
      if(EXISTS ${file})
        file(READ ${file} old)
      endif()
      if(NOT old STREQUAL content)  # rewritten only when changed: no needless rebuilds
        file(WRITE ${file} "${content}")
      endif()
      list(APPEND sources ${file})
      set(context program)
      set(in_block OFF)
    elseif("${line}" MATCHES "^#include" AND NOT context STREQUAL "file")
      string(APPEND includes "${line}\n")
    else()
      string(APPEND body "${line}\n")
    endif()
  endwhile()
  set(${sources_var} ${sources} PARENT_SCOPE)
endfunction()
