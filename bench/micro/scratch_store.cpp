#include "scratch_store.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace parley::micro {

namespace {

std::filesystem::path fresh_dir() {
    char const* parent = std::getenv("PARLEY_MICRO_DIR");
    auto pattern = ((parent && *parent) ? std::filesystem::path(parent) : std::filesystem::temp_directory_path()) /
                   "parley-micro-XXXXXX";
    auto text = pattern.string();
    if (!mkdtemp(text.data())) throw std::runtime_error("cannot make a scratch dir at " + pattern.string());
    return text;
}

} // namespace

scratch_store::scratch_store(bool sync) : dir_(fresh_dir()) {
    auto opened = store::rocks_store::open({dir_.string(), sync});
    if (!opened) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw std::runtime_error("cannot open a store in " + dir_.string() + ": " + opened.error().message);
    }
    store_ = std::move(*opened);
}

scratch_store::~scratch_store() {
    // A benchmark's figures are already taken: a failed final flush only loses scratch data.
    if (store_) (void)store_->close();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

} // namespace parley::micro
