// Process-wide libcurl initialisation (curl_global_init), done once.
#pragma once
#include <cstddef>

namespace sluiced::net {

// Calls curl_global_init_mem(CURL_GLOBAL_DEFAULT, ...) the first time; later
// calls do nothing. Safe from any thread. Aborts the process if libcurl
// cannot initialise (nothing HTTP would work). libcurl's memory goes through
// malloc/free as before, with the one exception below.
void ensure_curl_global_init();

// Keeps up to `max_blocks` freed blocks of libcurl's receive buffer (the
// allocation of `buffer_size` + 1 bytes it makes at the start of every
// transfer and frees at its end, CURLOPT_BUFFERSIZE) for the next transfers
// instead of freeing them. A buffer over the mmap threshold is otherwise
// mapped, faulted in and unmapped once per request. These blocks are mapped
// with mmap directly (page-aligned: libcurl's other frees are told apart by
// one bit test); of a kept block only its first 16 KiB stay resident (the
// rest is released with madvise(MADV_DONTNEED) when it is given back), so
// the cache holds at most max_blocks x 16 KiB of memory. The first call wins; call it before
// transfers start. Works only when ensure_curl_global_init() initialised
// libcurl (not when something else called curl_global_init first).
void cache_curl_receive_buffers(std::size_t buffer_size, std::size_t max_blocks);

// Blocks in that cache now (tests).
std::size_t cached_curl_receive_buffers();
// Whether libcurl allocates through the functions above (tests: false when
// libcurl was initialised by someone else first).
bool curl_memory_hooked();

}  // namespace sluiced::net
