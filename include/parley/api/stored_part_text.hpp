#pragma once
// A history page served from the stored parts' own text: parsing each part to check
// its type and set its `read`, then serializing it again, was most of a page's cost.

#include <parley/protocol/conversation.hpp>

#include <string>
#include <string_view>

namespace parley::api {

enum class stored_part_result {
    served,      ///< appended to the output
    hidden,      ///< a part this reader may not see (a note or tag part, for a visitor)
    unrecognized ///< not in the layout make_part() writes: parse it instead
};

/// Appends `stored` (a part as make_part() wrote it, possibly edited since) to `out`
/// with its `read` set from `c`'s cursors, unless `visitor` may not see it.
///
/// Reads only the fields that make_part() writes before any content and the `read`
/// it writes after: `{"id":N,...,"type":"T",...,"from":{"role":"R",...},...,"read":B}`
/// (and `,"first":true` after it). A string value can never hold `"type":"` or
/// `"read":` unescaped, so the first `,"type":"` and `,"from":{"role":"` and the last
/// `,"read":` are the part's own.
stored_part_result append_stored_part(std::string_view stored, protocol::conversation const& c, bool visitor,
                                      std::string& out);

} // namespace parley::api
