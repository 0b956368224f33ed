// The number of CPUs this process may run on, for deciding whether a second
// thread can help (a big page split over two threads, a body faulted in
// while it arrives; issue 6).
#pragma once
#include <sched.h>

#include <thread>

namespace sluiced {

// CPUs in the process's affinity mask (cpusets and taskset count; a CFS
// quota does not), read once; hardware_concurrency() if the mask is
// unreadable.
inline unsigned usable_cpus() {
    static const unsigned n = [] {
        cpu_set_t set;
        if (::sched_getaffinity(0, sizeof set, &set) == 0) return unsigned(CPU_COUNT(&set));
        return std::thread::hardware_concurrency();
    }();
    return n;
}

}  // namespace sluiced
