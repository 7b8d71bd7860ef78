#include <parley/app/allocator.hpp>

#include <cstdlib>
#include <string_view>
#include <thread>

#include <malloc.h>

namespace parley::app {

void tune_allocator() {
#if defined(__GLIBC__)
    if (auto const* tunables = std::getenv("GLIBC_TUNABLES");
        tunables && std::string_view(tunables).find("glibc.malloc.") != std::string_view::npos)
        return;
    // Setting the threshold also turns off glibc's dynamic raising of it.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    auto const cpus = std::thread::hardware_concurrency();
    mallopt(M_ARENA_MAX, static_cast<int>(cpus < 2 ? 2 : cpus));
#endif
}

} // namespace parley::app
