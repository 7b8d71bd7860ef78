#include <parley/store/keyspace.hpp>
#include <parley/store/rocks_store.hpp>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <filesystem>
#include <random>
#include <vector>

namespace parley::store {

struct rocks_store::impl {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::string epoch;
    bool sync = false;

    rocksdb::ColumnFamilyHandle* family(std::string_view name) const {
        for (auto* h : handles)
            if (h->GetName() == name) return h;
        return nullptr;
    }
};

namespace {

store_error from_status(rocksdb::Status const& s, std::string const& path) {
    // RocksDB reports a held LOCK file as an IOError; say what it means for the operator.
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
        return {store_error::kind::locked,
                "storage.path " + path + ": data directory is in use by another process"};
    if (s.IsCorruption())
        return {store_error::kind::corruption, "storage.path " + path + ": " + s.ToString()};
    return {store_error::kind::io, "storage.path " + path + ": " + s.ToString()};
}

std::string new_epoch() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> nibble(0, 15);
    std::string e(16, '0');
    for (auto& c : e) c = "0123456789abcdef"[nibble(rd)];
    return e;
}

} // namespace

expected<std::unique_ptr<rocks_store>, store_error> rocks_store::open(store_options const& options) {
    std::error_code fs_ec;
    std::filesystem::create_directories(options.path, fs_ec);
    if (fs_ec)
        return unexpected{store_error{store_error::kind::io,
                                      "storage.path " + options.path + ": " + fs_ec.message()}};

    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    // The server logs its own events; RocksDB's LOG file stays in the data dir.
    db_options.keep_log_file_num = 5;

    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{});
    for (auto name : all_columns)
        families.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions{});

    auto state = std::make_unique<impl>();
    state->sync = options.sync;
    rocksdb::DB* raw = nullptr;
    auto status = rocksdb::DB::Open(db_options, options.path, families, &state->handles, &raw);
    if (!status.ok()) return unexpected{from_status(status, options.path)};
    state->db.reset(raw);

    auto* meta = state->family(column::meta);
    std::string epoch;
    status = state->db->Get(rocksdb::ReadOptions{}, meta, std::string(meta_key::epoch), &epoch);
    if (status.IsNotFound()) {
        epoch = new_epoch();
        rocksdb::WriteOptions durable;
        durable.sync = true;
        status = state->db->Put(durable, meta, std::string(meta_key::epoch), epoch);
    }
    if (!status.ok()) {
        auto err = from_status(status, options.path);
        for (auto* h : state->handles) state->db->DestroyColumnFamilyHandle(h);
        state->handles.clear();
        return unexpected{std::move(err)};
    }
    state->epoch = std::move(epoch);
    return std::unique_ptr<rocks_store>(new rocks_store(std::move(state)));
}

rocks_store::rocks_store(std::unique_ptr<impl> impl) : impl_(std::move(impl)) {}

rocks_store::~rocks_store() {
    // A failure here has nowhere to go; close() is the path that reports it.
    (void)close();
}

std::string const& rocks_store::epoch() const { return impl_->epoch; }

std::optional<store_error> rocks_store::close() {
    if (!impl_->db) return std::nullopt;
    std::optional<store_error> result;
    auto status = impl_->db->FlushWAL(true);
    if (!status.ok()) result = from_status(status, impl_->db->GetName());
    for (auto* h : impl_->handles) impl_->db->DestroyColumnFamilyHandle(h);
    impl_->handles.clear();
    status = impl_->db->Close();
    if (!status.ok() && !result) result = from_status(status, impl_->db->GetName());
    impl_->db.reset();
    return result;
}

} // namespace parley::store
