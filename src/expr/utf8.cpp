#include "expr/utf8.h"

namespace sluiced::expr::utf8 {

bool valid(std::string_view s) {
    std::size_t i = 0, n = s.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) { ++i; continue; }
        std::size_t len;
        char32_t cp, min;
        if ((c >> 5) == 0x6) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c >> 4) == 0xE) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c >> 3) == 0x1E) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return false;
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            unsigned char d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

}  // namespace sluiced::expr::utf8
