#include <parley/api/reader_pool.hpp>

#include <boost/asio/post.hpp>

namespace parley::api {

reader_pool::reader_pool(unsigned threads) : pool_(threads) {}

reader_pool::~reader_pool() { join(); }

void reader_pool::post(std::function<void()> work) { boost::asio::post(pool_, std::move(work)); }

void reader_pool::join() { pool_.join(); }

} // namespace parley::api
