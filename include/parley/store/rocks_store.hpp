#pragma once

#include <parley/expected.hpp>

#include <memory>
#include <string>

namespace parley::store {

/// Why the store could not do what was asked. `rocksdb::Status` never leaves store/.
struct store_error {
    enum class kind {
        locked,     ///< another process holds the data directory
        io,         ///< the file system refused (permissions, disk full, ...)
        corruption, ///< the data on disk is not readable as parley's database
    };
    kind kind;
    std::string message;
};

struct store_options {
    /// Directory of the database; created (with parents) when missing.
    std::string path;
    /// fsync the WAL on every commit batch. Default: false
    bool sync = false;
};

/// The RocksDB database holding everything parley stores (SPEC §7).
/// @note Thread-safe: RocksDB handles concurrent reads and writes internally.
class rocks_store {
public:
    /// Opens (or creates) the database at `options.path` with every column family.
    /// A new database gets a fresh epoch; an existing one keeps its own.
    /// @return the open store, or `locked` when another process has it open.
    static expected<std::unique_ptr<rocks_store>, store_error> open(store_options const& options);

    ~rocks_store();
    rocks_store(rocks_store const&) = delete;
    rocks_store& operator=(rocks_store const&) = delete;

    /// The epoch of this data directory: ids are comparable only within one epoch.
    std::string const& epoch() const;

    /// Flushes the WAL and closes the database. Further calls are no-ops.
    /// @return an error when the final WAL flush fails.
    [[nodiscard]] std::optional<store_error> close();

    struct impl;

private:
    explicit rocks_store(std::unique_ptr<impl> impl);
    std::unique_ptr<impl> impl_;
};

} // namespace parley::store
