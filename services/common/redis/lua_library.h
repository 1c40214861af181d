#pragma once

#include <string>
#include <vector>

namespace omniroute::redis {

// omniroute's Lua scripts as one Redis Functions library (built by lua_bundle.py from
// services/*/lua and services/common/lua/include): every helper once, then each script
// registered as the function "<service>_<script>_<version>".
struct LuaLibrary {
  std::string version;               // digest of the code; also in the library's name
  std::string code;                  // what FUNCTION LOAD takes ("#!lua name=omniroute_<v>")
  std::vector<std::string> scripts;  // "routing/accept", ...
};

// The library compiled into the binary (generated embedded_scripts.cc).
const LuaLibrary& EmbeddedLuaLibrary();

}  // namespace omniroute::redis
