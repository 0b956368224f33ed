// Arena: a bump allocator owning the memory of one batch (records, computed
// values). Nothing allocated in it is freed one by one; reset() or the
// destructor releases everything at once. Not thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace sluiced {

class Arena {
public:
    explicit Arena(std::size_t block_bytes = 64 * 1024) : block_bytes_(block_bytes) {}
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    // Returns `bytes` bytes aligned to `align` (a power of two <= 16).
    void* allocate(std::size_t bytes, std::size_t align = alignof(std::max_align_t)) {
        std::size_t p = (used_ + (align - 1)) & ~(align - 1);
        if (cur_ == nullptr || p + bytes > cap_) return grow(bytes, align);
        used_ = p + bytes;
        return cur_ + p;
    }
    template <class T> T* alloc(std::size_t n = 1) {
        return static_cast<T*>(allocate(sizeof(T) * (n ? n : 1), alignof(T)));
    }
    // Copies `s` into the arena; the view stays valid until reset().
    std::string_view copy(std::string_view s) {
        if (s.empty()) return {};
        char* p = static_cast<char*>(allocate(s.size(), 1));
        std::memcpy(p, s.data(), s.size());
        return {p, s.size()};
    }
    // Frees every block but the first, which is kept for reuse.
    void reset() {
        if (blocks_.size() > 1) blocks_.resize(1);
        if (!blocks_.empty()) { cur_ = blocks_[0].get(); cap_ = caps_[0]; caps_.resize(1); }
        used_ = 0;
    }

private:
    void* grow(std::size_t bytes, std::size_t align) {
        std::size_t cap = bytes + align > block_bytes_ ? bytes + align : block_bytes_;
        blocks_.emplace_back(new char[cap]);
        caps_.push_back(cap);
        cur_ = blocks_.back().get();
        cap_ = cap;
        std::size_t p = (reinterpret_cast<std::uintptr_t>(cur_) % align) ? align - reinterpret_cast<std::uintptr_t>(cur_) % align : 0;
        used_ = p + bytes;
        return cur_ + p;
    }
    std::size_t block_bytes_;
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::vector<std::size_t> caps_;
    char* cur_ = nullptr;
    std::size_t cap_ = 0;
    std::size_t used_ = 0;
};

}  // namespace sluiced
