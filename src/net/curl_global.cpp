#include "net/curl_global.h"

#include <curl/curl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace sluiced::net {

namespace {

// Resident part of a kept block: what a small response touches.
constexpr std::size_t kKeepResident = 16 * 1024;
// Receive buffers are mapped with mmap (page-aligned, no malloc header), so
// cm_free can tell the candidates from other pointers libcurl frees by one
// bit test (malloc's are page-aligned only by chance); the set `mine` then
// decides.
std::uintptr_t page_size() {
    static const std::uintptr_t page = std::uintptr_t(sysconf(_SC_PAGESIZE));
    return page;
}
std::size_t mapped_size(std::size_t n) { return (n + page_size() - 1) & ~(page_size() - 1); }

// libcurl may allocate and free from its resolver thread too: the cache
// has a lock; everything but receive buffers passes straight through to
// malloc/free.
struct BufferCache {
    std::atomic<std::size_t> block_size{0};  // buffer_size + 1; 0: off
    std::size_t max_blocks = 0;
    std::mutex mu;
    std::vector<void*> blocks;         // kept, free for the next transfer
    std::unordered_set<void*> mine;    // every receive buffer out or kept
};

// Never destroyed: libcurl may free memory during static destruction.
BufferCache& cache() {
    static BufferCache* c = new BufferCache;
    return *c;
}

std::atomic<bool> g_hooked{false};

// Gives the block's pages after the first kKeepResident bytes back to the
// kernel (they read as zeros afterwards: a receive buffer holds nothing).
void release_tail(void* p, std::size_t size) {
    const std::uintptr_t page = page_size();
    auto begin = reinterpret_cast<std::uintptr_t>(p);
    std::uintptr_t lo = (begin + kKeepResident + page - 1) & ~(page - 1);
    std::uintptr_t hi = (begin + size) & ~(page - 1);
    if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
}

bool maybe_mine(const void* p) { return (reinterpret_cast<std::uintptr_t>(p) & (page_size() - 1)) == 0; }

void* cm_malloc(std::size_t n) {
    if (!g_hooked.load(std::memory_order_relaxed)) g_hooked.store(true, std::memory_order_relaxed);
    BufferCache& c = cache();
    if (n != 0 && n == c.block_size.load(std::memory_order_relaxed)) {
        std::lock_guard<std::mutex> lock(c.mu);
        if (!c.blocks.empty()) {
            void* p = c.blocks.back();
            c.blocks.pop_back();
            return p;
        }
        void* p = ::mmap(nullptr, mapped_size(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return nullptr;
        c.mine.insert(p);
        return p;
    }
    return std::malloc(n);
}

// True when `p` was a receive buffer and is now kept or freed.
bool give_back(void* p) {
    BufferCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    if (!c.mine.count(p)) return false;
    if (c.blocks.size() < c.max_blocks) {
        release_tail(p, c.block_size.load());
        c.blocks.push_back(p);
    } else {
        c.mine.erase(p);
        ::munmap(p, mapped_size(c.block_size.load()));
    }
    return true;
}

void cm_free(void* p) {
    if (!p) return;
    if (maybe_mine(p) && give_back(p)) return;
    std::free(p);
}

void* cm_realloc(void* p, std::size_t n) {
    if (p && maybe_mine(p)) {
        BufferCache& c = cache();
        std::size_t old = 0;
        {
            std::lock_guard<std::mutex> lock(c.mu);
            if (c.mine.count(p)) old = c.block_size.load();
        }
        if (old) {  // a receive buffer resized (libcurl 7.88 does not): move it out
            void* q = std::malloc(n);
            if (!q) return nullptr;
            std::memcpy(q, p, n < old ? n : old);
            give_back(p);
            return q;
        }
    }
    return std::realloc(p, n);
}

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
