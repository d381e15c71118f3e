#include <arcp/connection.hpp>

namespace arcp {

Frame make_frame(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

}  // namespace arcp
