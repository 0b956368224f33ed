#include "net/curl_global.h"

#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace sluiced::net {

void ensure_curl_global_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            std::fputs("sluiced: curl_global_init failed\n", stderr);
            std::abort();
        }
    });
}

}  // namespace sluiced::net
