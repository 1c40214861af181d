# Generates a C++ file holding every Lua script, with lib.lua prepended to each.
# Inputs: LIB (path of lib.lua), SCRIPTS (list of name=path), OUT.
file(READ ${LIB} lib)
set(body "#include <map>\n#include <string>\nnamespace omniroute::redis {\nconst std::map<std::string, std::string>& EmbeddedScriptSources() {\n  static const auto* m = new std::map<std::string, std::string>{\n")
foreach(pair ${SCRIPTS})
  string(REPLACE "=" ";" parts ${pair})
  list(GET parts 0 name)
  list(GET parts 1 path)
  file(READ ${path} src)
  string(APPEND body "    {\"${name}\", R\"OMNILUA(${lib}\n-- ${name}.lua\n${src})OMNILUA\"},\n")
endforeach()
string(APPEND body "  };\n  return *m;\n}\n}  // namespace omniroute::redis\n")
file(WRITE ${OUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
