#include <parley/privacy/redact.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

// The text scanner works on bytes and only ever matches ASCII, so it cannot split a UTF-8
// sequence. It runs two passes: e-mails first (anchored on '@'), then numbers in the
// text between them. A number is read as a short list of digit groups and the longest
// prefix of that list that forms a card, else a phone, wins. Each attempt reads at most
// `max_digits + 1` digits, which keeps the scan linear.

namespace parley::privacy {
namespace {

using std::size_t;

constexpr std::string_view email_mark = "[email]";
constexpr std::string_view phone_mark = "[phone]";
constexpr std::string_view card_mark = "[card]";

// Cards are at most 19 digits; anything longer is some other kind of number.
constexpr size_t max_digits = 19;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
bool is_one_of(char c, std::string_view set) { return set.find(c) != std::string_view::npos; }

// ---- e-mail ----------------------------------------------------------------------------

struct range {
    size_t begin;
    size_t end;
};

bool is_local_char(char c) { return is_alnum(c) || is_one_of(c, "._%+-"); }
bool is_domain_char(char c) { return is_alnum(c) || c == '.' || c == '-'; }

/// Length of the longest prefix of `d` that is a domain: two or more labels of letters,
/// digits and inner dashes, the last one all letters (a TLD). 0 when there is none.
size_t domain_length(std::string_view d) {
    size_t best = 0;
    size_t labels = 0;
    size_t start = 0;
    while (start < d.size()) {
        size_t stop = d.find('.', start);
        if (stop == std::string_view::npos) stop = d.size();
        auto const label = d.substr(start, stop - start);
        size_t letters = 0;
        while (letters < label.size() && is_alpha(label[letters]))
            ++letters;
        // `mail.ru-` or `mail.ru-thanks`: the TLD ends at the dash, the rest is prose.
        if (labels >= 1 && letters >= 2 && letters < label.size() && label[letters] == '-')
            best = start + letters;
        if (label.empty() || label.front() == '-' || label.back() == '-') break;
        ++labels;
        if (labels >= 2 && letters >= 2 && letters == label.size()) best = stop;
        start = stop + 1;
    }
    return best;
}

/// The address around the '@' at `at`, not reaching left of `floor`.
std::optional<range> email_at(std::string_view s, size_t at, size_t floor) {
    size_t begin = at;
    while (begin > floor && is_local_char(s[begin - 1]))
        --begin;
    while (begin < at && s[begin] == '.')
        ++begin; // a local part never starts with a dot
    if (begin == at || s[at - 1] == '.') return std::nullopt;
    size_t end = at + 1;
    while (end < s.size() && is_domain_char(s[end]))
        ++end;
    auto const domain = domain_length(s.substr(at + 1, end - at - 1));
    if (domain == 0) return std::nullopt;
    return range{begin, at + 1 + domain};
}

std::vector<range> find_emails(std::string_view s) {
    std::vector<range> found;
    size_t floor = 0;
    for (size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
        if (auto const r = email_at(s, at, floor)) {
            found.push_back(*r);
            floor = r->end;
            at = r->end - 1;
        }
    }
    return found;
}

// ---- numbers ---------------------------------------------------------------------------

/// One run of digits, possibly in parentheses, and the separator that came before it.
struct group {
    size_t digits_begin;
    size_t digits;
    size_t end; // one past the last byte, ')' included
    bool paren;
    char gap; // ' ', '-', '.', or 0 when glued to a parenthesis
};

/// A number as read from the text: an optional '+' and up to `max_digits` digits in groups.
struct number {
    bool plus = false;
    std::array<group, max_digits> groups{};
    size_t count = 0;
};

/// Whether a number may start at `p`: not inside a word, an id (`#12`, `ORD-12`), a
/// decimal, a date, a time or a path.
bool starts_clean(std::string_view s, size_t p) {
    if (p == 0) return true;
    char const prev = s[p - 1];
    char const before = p >= 2 ? s[p - 2] : ' ';
    if (is_alnum(prev) || is_one_of(prev, "#$@&=_+\\")) return false;
    if (is_one_of(prev, "-/") && is_alnum(before)) return false;
    if (is_one_of(prev, ".,:") && is_digit(before)) return false;
    // "№" (U+2116), glued or after one space, labels a document or order number.
    constexpr std::string_view numero = "\xE2\x84\x96";
    size_t const label_end = prev == ' ' ? p - 1 : p;
    return !(label_end >= 3 && s.substr(label_end - 3, 3) == numero);
}

/// Whether a number may end at `e`: not followed by a letter or more of a number
/// (`…-12`, `….5`, `…%`), only by a separator or punctuation.
bool ends_clean(std::string_view s, size_t e) {
    if (e == s.size()) return true;
    char const next = s[e];
    if (is_alnum(next) || is_one_of(next, "@_%")) return false;
    bool const more = e + 1 < s.size() && is_digit(s[e + 1]);
    return !(more && is_one_of(next, "-./:,"));
}

/// Reads digit groups from `p`, not past `limit`. Stops at the first byte that does not
/// continue the number, or once there are more digits than any card or phone has.
number read_number(std::string_view s, size_t p, size_t limit) {
    number n;
    size_t i = p;
    if (i < limit && s[i] == '+') {
        n.plus = true;
        ++i;
    }
    size_t total = 0;
    char gap = 0;
    while (n.count < n.groups.size()) {
        group g{0, 0, 0, false, gap};
        size_t j = i;
        if (j < limit && s[j] == '(') {
            g.paren = true;
            ++j;
        }
        g.digits_begin = j;
        while (j < limit && is_digit(s[j]) && total + g.digits <= max_digits) {
            ++g.digits;
            ++j;
        }
        if (g.digits == 0 || total + g.digits > max_digits) break;
        if (g.paren) {
            if (j >= limit || s[j] != ')') break;
            ++j;
        }
        g.end = j;
        total += g.digits;
        n.groups[n.count++] = g;
        bool const opens = j + 1 < limit && (is_digit(s[j + 1]) || s[j + 1] == '(');
        if (j < limit && is_one_of(s[j], " -.") && opens) {
            gap = s[j];
            i = j + 1;
        } else if (j < limit && (s[j] == '(' || (g.paren && is_digit(s[j])))) {
            gap = 0;
            i = j;
        } else {
            break;
        }
    }
    return n;
}

size_t total_digits(number const& n, size_t k) {
    size_t total = 0;
    for (size_t i = 0; i < k; ++i)
        total += n.groups[i].digits;
    return total;
}

bool luhn(std::string_view s, number const& n, size_t k) {
    unsigned sum = 0;
    bool twice = false;
    for (size_t gi = k; gi-- > 0;) {
        auto const& g = n.groups[gi];
        for (size_t d = g.digits; d-- > 0;) {
            unsigned v = static_cast<unsigned>(s[g.digits_begin + d] - '0');
            if (twice) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
            sum += v;
            twice = !twice;
        }
    }
    return sum % 10 == 0;
}

/// Cards are printed plain or in the issuers' layouts: 4-4-4-4 (up to 4-4-4-4-3) or
/// Amex/Diners 4-6-5 / 4-6-4, with one kind of separator.
bool is_card(std::string_view s, number const& n, size_t k) {
    auto const total = total_digits(n, k);
    if (n.plus || total < 13 || total > max_digits) return false;
    for (size_t i = 0; i < k; ++i) {
        auto const& g = n.groups[i];
        if (g.paren || (i > 0 && (g.gap != n.groups[1].gap || g.gap == '.'))) return false;
    }
    bool layout = k == 1;
    if (k >= 3) {
        bool fours = n.groups[k - 1].digits <= 4;
        for (size_t i = 0; i + 1 < k; ++i)
            fours = fours && n.groups[i].digits == 4;
        bool const amex = k == 3 && n.groups[0].digits == 4 && n.groups[1].digits == 6 &&
                          n.groups[2].digits >= 4 && n.groups[2].digits <= 5;
        layout = fours || amex;
    }
    return layout && luhn(s, n, k);
}

/// `12 345 678`: a 1–3 digit head and 3-digit groups split by spaces is an amount.
bool is_thousands(number const& n, size_t k) {
    if (k < 2 || n.groups[0].digits > 3) return false;
    for (size_t i = 1; i < k; ++i)
        if (n.groups[i].gap != ' ' || n.groups[i].digits != 3 || n.groups[i].paren) return false;
    return !n.groups[0].paren;
}

unsigned value_of(std::string_view s, group const& g) {
    unsigned v = 0;
    for (size_t d = 0; d < g.digits; ++d)
        v = v * 10 + static_cast<unsigned>(s[g.digits_begin + d] - '0');
    return v;
}

/// `2026-11-21`, `21.11.2026`, `11-21-2026` at the head of the groups.
bool is_date(std::string_view s, number const& n, size_t k) {
    if (k < 3 || n.groups[0].paren || n.groups[1].paren || n.groups[2].paren) return false;
    auto const& a = n.groups[0];
    auto const& b = n.groups[1];
    auto const& c = n.groups[2];
    auto const year = [&](group const& g) {
        return g.digits == 4 && value_of(s, g) >= 1900 && value_of(s, g) < 2100;
    };
    if (year(a) && b.digits == 2 && c.digits == 2)
        return value_of(s, b) <= 12 && value_of(s, c) <= 31;
    if (year(c) && a.digits == 2 && b.digits == 2)
        return value_of(s, a) <= 31 && value_of(s, b) <= 31;
    return false;
}

/// Numbers dialled within a country: area code groups, the last group long enough
/// (or the Russian `-67-89` tail), no date or amount shape.
bool is_local_phone(std::string_view s, number const& n, size_t k, size_t total, bool parens) {
    if (total < 7 || total > 13 || is_thousands(n, k) || is_date(s, n, k)) return false;
    auto const& first = n.groups[0];
    auto const& last = n.groups[k - 1];
    bool const trunk = s[first.digits_begin] == '0' || parens;
    if (first.digits > 5 || last.digits < 2 || last.digits > (trunk ? 8u : 4u)) return false;
    bool all_fours = true;
    bool dots = false;
    bool other = false;
    for (size_t i = 0; i < k; ++i) {
        auto const& g = n.groups[i];
        all_fours = all_fours && g.digits == 4;
        if (i > 0) (g.gap == '.' ? dots : other) = true;
        if (i > 0 && i + 1 < k && (g.digits < 2 || g.digits > (g.paren ? 5u : 4u))) return false;
    }
    if (all_fours) return false; // year lists, fragments of a card
    if (dots) return !other && total >= 10 && last.digits == 4;
    // The first group of four and a two-digit second looks like `2026-11`, a year.
    if (first.digits == 4 && n.groups[1].digits == 2 && !trunk) return false;
    if (total <= 8) { // no area code: only `345-67-89` and `555-1234`
        bool const dashes = n.groups[1].gap == '-' && (k < 3 || n.groups[2].gap == '-');
        bool const ru = k == 3 && first.digits == 3 && n.groups[1].digits == 2 && last.digits == 2;
        bool const us = k == 2 && first.digits == 3 && last.digits == 4;
        return dashes && (ru || us);
    }
    return last.digits >= 4 || (k >= 3 && last.digits == 2 && n.groups[k - 2].digits == 2);
}

bool is_phone(std::string_view s, number const& n, size_t k) {
    auto const total = total_digits(n, k);
    size_t parens = 0;
    for (size_t i = 0; i < k; ++i)
        parens += n.groups[i].paren ? 1 : 0;
    auto const& first = n.groups[0];
    // An area code in parentheses comes first or right after a country or trunk code.
    bool const paren_ok =
        parens == 0 || (parens == 1 && k >= 2 && !n.groups[k - 1].paren &&
                        (first.paren || (n.groups[1].paren && first.digits <= 3)));
    if (!paren_ok) return false;
    for (size_t i = 0; i < k; ++i)
        if (n.groups[i].paren && (n.groups[i].digits < 2 || n.groups[i].digits > 5)) return false;
    // International: E.164 allows 15 digits after the `+` or `00`.
    bool const amount = is_thousands(n, k) && total <= 10;
    if (n.plus) return total >= 7 && total <= 15 && !amount;
    bool const zero_zero = !first.paren && first.digits >= 3 && first.digits <= 5 &&
                           s[first.digits_begin] == '0' && s[first.digits_begin + 1] == '0';
    if (zero_zero && k >= 2 && total - 2 >= 7 && total - 2 <= 15 && !amount) return true;
    if (k == 1) {
        char const lead = s[first.digits_begin];
        return !first.paren && (total == 10 || total == 11) && (lead == '0' || lead == '8');
    }
    return is_local_phone(s, n, k, total, parens > 0);
}

/// The placeholder and the end of the number starting at `p`, if it is a card or a phone.
std::optional<std::pair<std::string_view, size_t>> match_number(std::string_view s, size_t p,
                                                                size_t limit) {
    auto const n = read_number(s, p, limit);
    for (size_t k = n.count; k > 0; --k)
        if (ends_clean(s, n.groups[k - 1].end) && is_card(s, n, k))
            return std::pair{card_mark, n.groups[k - 1].end};
    for (size_t k = n.count; k > 0; --k)
        if (ends_clean(s, n.groups[k - 1].end) && is_phone(s, n, k))
            return std::pair{phone_mark, n.groups[k - 1].end};
    return std::nullopt;
}

bool may_open_number(std::string_view s, size_t i, size_t limit) {
    char const c = s[i];
    if (is_digit(c)) return true;
    if (i + 1 >= limit) return false;
    char const next = s[i + 1];
    if (c == '(') return is_digit(next);
    return c == '+' && (is_digit(next) || (next == '(' && i + 2 < limit && is_digit(s[i + 2])));
}

/// Copies `s[from, to)` to `out`, replacing cards and phones.
void redact_numbers(std::string_view s, size_t from, size_t to, std::string& out) {
    size_t i = from;
    while (i < to) {
        if (may_open_number(s, i, to) && starts_clean(s, i)) {
            if (auto const m = match_number(s, i, to)) {
                out += m->first;
                i = m->second;
                continue;
            }
        }
        out += s[i++];
    }
}

// ---- records ---------------------------------------------------------------------------

/// Conversation fields the widget or the referer filled in about the visitor (SPEC §2.4).
constexpr std::array<std::string_view, 8> visitor_fields{
    "prechat_fields", "visitor_variables", "entry_page", "ext_referer",
    "int_referer",    "search_query",      "country",    "city",
};

void null_if_present(boost::json::object& o, std::string_view key) {
    if (auto* v = o.if_contains(key)) *v = nullptr;
}

void drop_name(boost::json::object& o, std::string_view key) {
    if (auto* v = o.if_contains(key); v && v->is_object()) v->get_object().erase("name");
}

/// What redaction and erasure both take from a part besides its text.
void drop_part_extras(boost::json::object& part) {
    null_if_present(part, "body_json");
    part.erase("attachments");
    drop_name(part, "from");
}

void drop_visitor_fields(boost::json::object& conv) {
    drop_name(conv, "visitor");
    for (auto const key : visitor_fields)
        null_if_present(conv, key);
}

} // namespace

std::string redact_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    for (auto const& email : find_emails(s)) {
        redact_numbers(s, i, email.begin, out);
        out += email_mark;
        i = email.end;
    }
    redact_numbers(s, i, s.size(), out);
    return out;
}

void redact_part(boost::json::object& part) {
    if (auto* body = part.if_contains("body"); body && body->is_string()) {
        auto& text = body->get_string();
        text = redact_text(std::string_view(text.data(), text.size()));
    }
    drop_part_extras(part);
}

void redact_conversation(boost::json::object& conv) { drop_visitor_fields(conv); }

void redact_event(boost::json::object& event) {
    null_if_present(event, "page");
    null_if_present(event, "event_text");
}

void erase_part_content(boost::json::object& part, std::int64_t now_unix) {
    if (auto const* removed = part.if_contains("removed"); !removed || removed->is_null())
        part["removed"] = now_unix;
    part["body"] = "";
    part["body_json"] = nullptr;
    drop_part_extras(part);
}

void erase_visitor_pii(boost::json::object& conv) { drop_visitor_fields(conv); }

} // namespace parley::privacy
