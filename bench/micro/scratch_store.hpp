#pragma once

#include <parley/store/rocks_store.hpp>

#include <filesystem>
#include <memory>

namespace parley::micro {

/// A rocks_store on a fresh data dir, closed and deleted with everything in it when the
/// object goes away, so every benchmark run starts from an empty database as BENCH.md
/// asks. The dir is made under $PARLEY_MICRO_DIR, else the system temp dir: point it at
/// the disk being measured (a tmpfs would make `sync` free).
class scratch_store {
public:
    /// @throws std::runtime_error when the dir cannot be made or the store opened.
    explicit scratch_store(bool sync);
    ~scratch_store();
    scratch_store(scratch_store const&) = delete;
    scratch_store& operator=(scratch_store const&) = delete;

    store::rocks_store& get() { return *store_; }

private:
    std::filesystem::path dir_;
    std::unique_ptr<store::rocks_store> store_;
};

} // namespace parley::micro
