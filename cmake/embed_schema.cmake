# Writes OUT: a C++ file defining sluiced_schema_text(), the bytes of IN.
file(READ ${IN} _hex HEX)
string(LENGTH "${_hex}" _len)
math(EXPR _n "${_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
file(WRITE ${OUT} "// Generated from schemas/pipeline.schema.json by cmake/embed_schema.cmake.\n#include <string_view>\nstatic const unsigned char kSchema[] = {${_bytes}};\nstd::string_view sluiced_schema_text() { return {reinterpret_cast<const char*>(kSchema), ${_n}}; }\n")
