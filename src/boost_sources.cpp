// Beast and Asio are compiled once here instead of in every translation unit
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION): it cuts build time.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
