#include "net/curl_global.h"

#include <curl/curl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace sluiced::net {

namespace {

// Resident part of a kept block: what a small response touches.
constexpr std::size_t kKeepResident = 16 * 1024;

// libcurl may allocate and free from its resolver thread too: the cache
// has a lock; everything but blocks of exactly the buffer's size passes
// straight through to malloc/free.
struct BufferCache {
    std::atomic<std::size_t> block_size{0};  // buffer_size + 1; 0: off
    std::size_t max_blocks = 0;
    std::mutex mu;
    std::vector<void*> blocks;
};

// Never destroyed: libcurl may free memory during static destruction.
BufferCache& cache() {
    static BufferCache* c = new BufferCache;
    return *c;
}

// Gives the block's pages after the first kKeepResident bytes back to the
// kernel (they read as zeros afterwards: a receive buffer holds nothing).
void release_tail(void* p, std::size_t usable) {
    static const std::uintptr_t page = std::uintptr_t(sysconf(_SC_PAGESIZE));
    auto begin = reinterpret_cast<std::uintptr_t>(p);
    std::uintptr_t lo = (begin + kKeepResident + page - 1) & ~(page - 1);
    std::uintptr_t hi = (begin + usable) & ~(page - 1);
    if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
}

std::atomic<bool> g_hooked{false};

void* cm_malloc(std::size_t n) {
    g_hooked.store(true, std::memory_order_relaxed);
    BufferCache& c = cache();
    if (n != 0 && n == c.block_size.load(std::memory_order_relaxed)) {
        std::lock_guard<std::mutex> lock(c.mu);
        if (!c.blocks.empty()) {
            void* p = c.blocks.back();
            c.blocks.pop_back();
            return p;
        }
    }
    return std::malloc(n);
}

void cm_free(void* p) {
    if (!p) return;
    BufferCache& c = cache();
    const std::size_t want = c.block_size.load(std::memory_order_relaxed);
    if (want != 0) {
        // Every pointer libcurl frees came from malloc (directly or out of
        // this cache), so malloc_usable_size applies. A receive buffer is
        // one of exactly `want` bytes, rounded up by malloc by less than two
        // pages; nothing else libcurl allocates is that size.
        const std::size_t usable = malloc_usable_size(p);
        if (usable >= want && usable < want + 8192) {
            std::lock_guard<std::mutex> lock(c.mu);
            if (c.blocks.size() < c.max_blocks) {
                release_tail(p, usable);
                c.blocks.push_back(p);
                return;
            }
        }
    }
    std::free(p);
}

void* cm_realloc(void* p, std::size_t n) { return std::realloc(p, n); }
char* cm_strdup(const char* s) { return ::strdup(s); }
void* cm_calloc(std::size_t n, std::size_t size) { return std::calloc(n, size); }

}  // namespace

void ensure_curl_global_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, &cm_malloc, &cm_free, &cm_realloc, &cm_strdup, &cm_calloc) !=
            CURLE_OK) {
            std::fputs("sluiced: curl_global_init failed\n", stderr);
            std::abort();
        }
    });
}

void cache_curl_receive_buffers(std::size_t buffer_size, std::size_t max_blocks) {
    BufferCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.block_size.load() != 0 || buffer_size == 0) return;
    c.max_blocks = max_blocks;
    c.blocks.reserve(max_blocks);
    c.block_size.store(buffer_size + 1);
}

bool curl_memory_hooked() { return g_hooked.load(); }

std::size_t cached_curl_receive_buffers() {
    BufferCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    return c.blocks.size();
}

}  // namespace sluiced::net
