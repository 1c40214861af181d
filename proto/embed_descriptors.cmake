# Writes the FileDescriptorSet IN as a C++ byte array (omniroute::PublishedDescriptorSet) to OUT.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" length)
math(EXPR size "${length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){24})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT}.tmp
"// Generated from ${IN} by proto/embed_descriptors.cmake.\n#include <cstddef>\n#include <string_view>\n
namespace omniroute {
namespace {
const unsigned char kSet[${size}] = {\n${bytes}};
}  // namespace
std::string_view PublishedDescriptorSet() {
  return std::string_view(reinterpret_cast<const char*>(kSet), sizeof(kSet));
}
}  // namespace omniroute\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
