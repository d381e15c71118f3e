// Boost.JSON compiled into libarcp (ARCP_BOOST_JSON_FROM_SOURCE, the tsan
// preset), so ThreadSanitizer instruments it like our own code.
#include <boost/json/src.hpp>
