#include "expr/path.h"

#include <cstring>
#include <new>

#include "expr/runtime.h"

namespace sluiced::expr {

namespace {

bool key_equals(const json::Value& k, std::string_view key, Arena& arena) {
    if (k.form == json::Form::StrPlain || !k.flag)  // raw text is the decoded text
        return k.size == key.size() &&
               (key.empty() || (k.text[0] == key[0] && std::memcmp(k.text + 1, key.data() + 1, key.size() - 1) == 0));
    // Escaped key: its decoded text is never longer than the raw text.
    if (k.size < key.size()) return false;
    return json::string_text(k, arena) == key;
}

// Normalized array position or -1.
std::int64_t position(const json::Value& arr, std::int64_t index) {
    std::int64_t n = arr.size;
    if (index < 0) index += n;
    return (index < 0 || index >= n) ? -1 : index;
}

}  // namespace

const json::Value* find_key(const json::Value& object, std::string_view key, Arena& arena) {
    const json::Member* m = object.members;
    for (std::uint32_t i = 0; i < object.size; ++i)
        if (key_equals(m[i].key, key, arena)) return &m[i].value;
    return nullptr;
}

const json::Value* step(const json::Value& v, const PathSeg& s, Arena& arena) {
    if (s.is_index) {
        if (v.kind != json::Kind::Array) return nullptr;
        std::int64_t p = position(v, s.index);
        return p < 0 ? nullptr : &v.items[p];
    }
    if (v.kind != json::Kind::Object) return nullptr;
    return find_key(v, s.key, arena);
}

const json::Value* walk(const json::Value& base, const Node& n, Arena& arena) {
    const json::Value* cur = &base;
    for (std::uint32_t i = 0; i < n.nsegs && cur; ++i) cur = step(*cur, n.segs[i], arena);
    return cur;
}

PathLookup lookup(const Program& path, const json::Value& record, Arena& arena) {
    PathLookup out;
    if (!path.is_path()) {
        Context ctx{arena, 0};
        Result r = eval(path, record, ctx);
        out.value = r.value;
        out.present = r.ok();
        return out;
    }
    const json::Value* v = walk(record, path.root(), arena);
    if (v) {
        out.value = *v;
        out.present = true;
    }
    return out;
}

namespace {

// Returns `v` without the path segs[i..]; `changed` false when absent.
json::Value remove_from(const json::Value& v, const PathSeg* segs, std::uint32_t n, Arena& arena, bool& changed) {
    const PathSeg& s = segs[0];
    if (s.is_index) {
        if (v.kind != json::Kind::Array) { changed = false; return v; }
        std::int64_t p = position(v, s.index);
        if (p < 0) { changed = false; return v; }
        if (n == 1) {
            std::uint32_t size = v.size - 1;
            json::Value* items = size ? arena.alloc<json::Value>(size) : nullptr;
            for (std::uint32_t i = 0, j = 0; i < v.size; ++i)
                if (std::int64_t(i) != p) new (items + j++) json::Value(v.items[i]);
            changed = true;
            return json::Value::array(items, size);
        }
        json::Value inner = remove_from(v.items[p], segs + 1, n - 1, arena, changed);
        if (!changed) return v;
        json::Value* items = arena.alloc<json::Value>(v.size);
        for (std::uint32_t i = 0; i < v.size; ++i) new (items + i) json::Value(std::int64_t(i) == p ? inner : v.items[i]);
        return json::Value::array(items, v.size);
    }
    if (v.kind != json::Kind::Object) { changed = false; return v; }
    std::int64_t p = -1;
    for (std::uint32_t i = 0; i < v.size; ++i)
        if (key_equals(v.members[i].key, s.key, arena)) { p = i; break; }
    if (p < 0) { changed = false; return v; }
    if (n == 1) {
        std::uint32_t size = v.size - 1;
        json::Member* members = size ? arena.alloc<json::Member>(size) : nullptr;
        for (std::uint32_t i = 0, j = 0; i < v.size; ++i)
            if (std::int64_t(i) != p) new (members + j++) json::Member(v.members[i]);
        changed = true;
        return json::Value::object(members, size);
    }
    json::Value inner = remove_from(v.members[p].value, segs + 1, n - 1, arena, changed);
    if (!changed) return v;
    json::Member* members = arena.alloc<json::Member>(v.size);
    for (std::uint32_t i = 0; i < v.size; ++i) {
        new (members + i) json::Member(v.members[i]);
        if (std::int64_t(i) == p) members[i].value = inner;
    }
    return json::Value::object(members, v.size);
}

}  // namespace

json::Value remove_path(const Program& path, const json::Value& record, Arena& arena) {
    if (!path.is_path()) return record;
    const Node& n = path.root();
    if (n.nsegs == 0) return json::Value::null();  // dropping `.` leaves nothing
    bool changed = false;
    return remove_from(record, n.segs, n.nsegs, arena, changed);
}

}  // namespace sluiced::expr
