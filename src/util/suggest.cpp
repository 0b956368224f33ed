#include "util/suggest.h"

#include <algorithm>
#include <cctype>

namespace sluiced {

std::size_t edit_distance(std::string_view a, std::string_view b, bool ignore_case) {
    auto same = [ignore_case](char x, char y) {
        return ignore_case ? std::tolower((unsigned char)x) == std::tolower((unsigned char)y) : x == y;
    };
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[m];
}

std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
    for (std::string_view c : candidates)
        if (c != word && edit_distance(c, word, true) == 0 && c.size() == word.size()) return std::string(c);
    std::string best;
    std::size_t best_d = static_cast<std::size_t>(-1);
    for (std::string_view c : candidates) {
        if (c == word) continue;
        std::size_t d = edit_distance(word, c);
        std::size_t len = std::min(word.size(), c.size());
        std::size_t allowed = len >= 5 ? 2 : len >= 3 ? 1 : 0;
        if (d <= allowed && d < best_d) {
            best = std::string(c);
            best_d = d;
        }
    }
    return best;
}

}  // namespace sluiced
