// PII redaction: what free text loses, what it keeps, and what records lose.

#include <boost/json.hpp>
#include <cstddef>
#include <gtest/gtest.h>
#include <ostream>
#include <parley/privacy/redact.hpp>
#include <string>
#include <string_view>

namespace parley::privacy {
namespace {

namespace json = boost::json;

struct text_case {
    std::string_view input;
    std::string_view expected;
};

void PrintTo(text_case const& c, std::ostream* os) {
    *os << '"' << c.input << '"';
}

// ---- text that loses something ---------------------------------------------------------

constexpr text_case masked[] = {
    // e-mail
    {"write to anna@example.com please", "write to [email] please"},
    {"ANNA.Petrova+shop@Mail.Example.co.uk", "[email]"},
    {"mailto:ivan_1990@yandex.ru.", "mailto:[email]."},
    {"<bob-smith@sub.domain.org>", "<[email]>"},
    {"почта: ivan@mail.ru, спасибо", "почта: [email], спасибо"},
    {"메일 kim.minsu@naver.com 으로", "메일 [email] 으로"},
    {"a@b.co and c@d.io", "[email] and [email]"},
    {"(ivan.8912345678@gmail.com)", "([email])"},
    {"anna@mail.ru-thanks", "[email]-thanks"},
    {"info@my-shop.example.com", "[email]"},
    // international phones
    {"+7 912 345-67-89", "[phone]"},
    {"call +1 (555) 123-4567 now", "call [phone] now"},
    {"+44 20 7946 0958", "[phone]"},
    {"+82-10-1234-5678로 연락주세요", "[phone]로 연락주세요"},
    {"0049 30 1234567", "[phone]"},
    {"+79123456789", "[phone]"},
    {"тел.: +7(912)345-67-89", "тел.: [phone]"},
    {"+375 29 123-45-67", "[phone]"},
    {"+7 912 345 67 89.", "[phone]."},
    // local phones
    {"8 (912) 345-67-89", "[phone]"},
    {"555-123-4567", "[phone]"},
    {"(555) 123 4567", "[phone]"},
    {"555.123.4567", "[phone]"},
    {"010-1234-5678", "[phone]"},
    {"02 1234 5678", "[phone]"},
    {"89123456789", "[phone]"},
    {"01012345678", "[phone]"},
    {"Мой номер 8-912-345-67-89, звоните", "Мой номер [phone], звоните"},
    {"1-800-555-1234", "[phone]"},
    {"call 555-123-4567 2 times", "call [phone] 2 times"},
    {"345-67-89", "[phone]"},
    {"(495) 123-45-67", "[phone]"},
    {"tel:89123456789", "tel:[phone]"},
    {"8(912)3456789", "[phone]"},
    {"01 23 45 67 89", "[phone]"},
    {"555-1234", "[phone]"},
    // cards
    {"4111 1111 1111 1111", "[card]"},
    {"card 4111-1111-1111-1111 exp 12/27", "card [card] exp 12/27"},
    {"4111111111111111", "[card]"},
    {"3782 822463 10005", "[card]"},
    {"5555555555554444", "[card]"},
    {"4222222222222", "[card]"},
    {"6011000990139421237", "[card]"},
    {"карта 5555 5555 5555 4444, срок", "карта [card], срок"},
    {"4111 1111 1111 1111 2026", "[card] 2026"},
    // several kinds at once
    {"anna@example.com / +7 912 345-67-89 / 4111 1111 1111 1111", "[email] / [phone] / [card]"},
    {"주문 010-1234-5678 kim@naver.com", "주문 [phone] [email]"},
};

class redact_masks : public testing::TestWithParam<text_case> {};

TEST_P(redact_masks, replaces_exactly_the_personal_data) {
    EXPECT_EQ(redact_text(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(table, redact_masks, testing::ValuesIn(masked));

// ---- text that must survive unchanged --------------------------------------------------

constexpr std::string_view kept[] = {
    "order #12345",
    "ORD-2026-000123",
    "2026-11-21",
    "21.11.2026",
    "11/21/2026",
    "07:27:14",
    "2026-11-21 07:27:14",
    "2026-11-21T07:27:14Z",
    "on 2026-11-21 12 people came",
    "build 2026.11.21.1234",
    "born 21.11.1990 in Moscow",
    "2026-11-21, 2026-11-22",
    "$1,299.99",
    "1 299,00 ₽",
    "15000 руб",
    "1 000 000 руб",
    "+1 000 000 ₽",
    "price 12 345 678 901 ₽",
    "1,234,567,890",
    "ticket 1234567",
    "room 5551234",
    "ID 5551234567",
    "заказ №89123456789",
    "v1.2.3",
    "192.168.1.1",
    "10.250.100.200",
    "1234567812345678",
    "4111 1111 1111 1112",
    "4111-1111-1111-1112",
    "12345678901234567890123",
    "in 2026",
    "95% of 100, 50.5%",
    "x = 3.14159265358979",
    "https://example.com/users/89123456789/profile",
    "1990-1995",
    "pages 100-200",
    "ISBN 978-3-16-148410-0",
    "tracking 1Z999AA10123456784",
    "ratio 16:9, 1080p",
    "user@localhost",
    "@anna_petrova on twitter",
    "1.2.3.4.5.6.7.8.9.10",
    "+5 points",
    "Привет, как дела? Заказ 123456 готов.",
    "안녕하세요, 주문 번호는 123456입니다",
    "Время 07:27, сумма 1 299,00 ₽, заказ ORD-2026-000123",
};

class redact_keeps : public testing::TestWithParam<std::string_view> {};

TEST_P(redact_keeps, leaves_the_text_as_it_was) {
    EXPECT_EQ(redact_text(GetParam()), GetParam());
}

INSTANTIATE_TEST_SUITE_P(table, redact_keeps, testing::ValuesIn(kept));

// ---- hostile text ----------------------------------------------------------------------

std::string repeat(std::string_view unit, std::size_t size) {
    std::string s;
    while (s.size() < size) s += unit;
    return s;
}

TEST(redact_text, a_full_length_body_is_masked_throughout) {
    auto const body = repeat("tel +7 912 345-67-89, mail a@b.io, 2026-11-21 Привет ", 10000);
    auto const out = redact_text(body);
    EXPECT_EQ(out.find("912"), std::string::npos);
    EXPECT_EQ(out.find("a@b.io"), std::string::npos);
    EXPECT_NE(out.find("[phone], mail [email], 2026-11-21 Привет"), std::string::npos);
}

TEST(redact_text, inputs_that_would_make_a_backtracking_matcher_crawl_stay_fast) {
    // Every byte is a possible start of a number or an address. At this size a matcher
    // that rescans from each start (quadratic) needs around 10^11 steps and never gets
    // past the test's timeout; a linear one takes milliseconds, even under ASan.
    constexpr int n = 300000;
    std::string const hostile[] = {
        repeat("7", n),  repeat("@", n),  repeat("+", n),   repeat("(", n),
        repeat("1 ", n), repeat("a@", n), repeat("a.", n) + "@x", repeat("1-", n),
    };
    for (auto const& text : hostile) EXPECT_EQ(redact_text(text), text);
}

TEST(redact_text, invalid_utf8_passes_through) {
    std::string const in = "\xff\xfe 555-123-4567 \xc3 \xe2\x84 a@b.io\xd0";
    EXPECT_EQ(redact_text(in), "\xff\xfe [phone] \xc3 \xe2\x84 [email]\xd0");
    std::string const bytes = std::string{"\x80\x81\x82"} + "123\xc0\xaf";
    EXPECT_EQ(redact_text(bytes), bytes);
}

TEST(redact_text, empty_text_stays_empty) {
    EXPECT_EQ(redact_text(""), "");
}

// ---- records ---------------------------------------------------------------------------

json::object parse(std::string_view text) {
    return json::parse(text).as_object();
}

TEST(redact_part, masks_the_body_and_drops_the_rest_of_the_pii) {
    auto part = parse(R"({"id":7,"type":"reply_user","removed":null,
        "body":"call +7 912 345-67-89 or anna@example.com",
        "body_json":{"email":"anna@example.com"},
        "attachments":[{"name":"passport.jpg","url":"/f/1","size":1,"mime":"image/jpeg"}],
        "from":{"role":"visitor","id":"v-1","name":"Anna"},
        "meta_data":{"rating":5},"assignee":{"id":"op-1","name":"Olga"}})");
    redact_part(part);
    EXPECT_EQ(part, parse(R"({"id":7,"type":"reply_user","removed":null,
        "body":"call [phone] or [email]","body_json":null,
        "from":{"role":"visitor","id":"v-1"},
        "meta_data":{"rating":5},"assignee":{"id":"op-1","name":"Olga"}})"));
}

TEST(redact_part, adds_nothing_to_a_sparse_part) {
    auto part = parse(R"({"id":8,"type":"closed","from":"system","body":5})");
    auto const before = part;
    redact_part(part);
    EXPECT_EQ(part, before);
}

TEST(redact_conversation, drops_visitor_data_and_keeps_employees) {
    auto conv = parse(R"({"id":3,"site":"demo","visitor":{"id":"v-1","name":"Anna"},
        "assignee":{"id":"op-1","name":"Olga"},"employees":[{"id":"op-1","name":"Olga"}],
        "prechat_fields":{"phone":"+79123456789"},"visitor_variables":{"crm":"42"},
        "entry_page":"https://shop.example/?email=a@b.io","ext_referer":"https://google.com/?q=anna",
        "int_referer":"https://shop.example/cart","search_engine":"google",
        "search_query":"anna petrova","country":"RU","city":"Moscow","tags":["vip"]})");
    redact_conversation(conv);
    EXPECT_EQ(conv, parse(R"({"id":3,"site":"demo","visitor":{"id":"v-1"},
        "assignee":{"id":"op-1","name":"Olga"},"employees":[{"id":"op-1","name":"Olga"}],
        "prechat_fields":null,"visitor_variables":null,"entry_page":null,"ext_referer":null,
        "int_referer":null,"search_engine":"google","search_query":null,"country":null,
        "city":null,"tags":["vip"]})"));
}

TEST(redact_conversation, adds_no_missing_fields) {
    auto conv = parse(R"({"id":4,"visitor":{"id":"v-2"},"country":null})");
    auto const before = conv;
    redact_conversation(conv);
    EXPECT_EQ(conv, before);
}

TEST(redact_event, drops_the_page_and_the_sentence) {
    auto event = parse(R"({"id":1,"conversation":3,"event_type":"visitor-chat-open",
        "event_text":"Visitor Anna opened a chat","employee":{"id":"op-1","name":"Olga"},
        "page":"https://shop.example/?name=anna","created_at":"2026-11-21T07:27:14Z"})");
    redact_event(event);
    EXPECT_EQ(event, parse(R"({"id":1,"conversation":3,"event_type":"visitor-chat-open",
        "event_text":null,"employee":{"id":"op-1","name":"Olga"},"page":null,
        "created_at":"2026-11-21T07:27:14Z"})"));
}

TEST(erase_part_content, empties_the_part_and_marks_it_removed) {
    auto part = parse(R"({"id":7,"type":"reply_user","removed":null,"body":"anna@example.com",
        "body_json":{"a":1},"attachments":[{"name":"x"}],
        "from":{"role":"visitor","id":"v-1","name":"Anna"},"meta_data":{}})");
    erase_part_content(part, 1'800'000'000);
    auto const once = parse(R"({"id":7,"type":"reply_user","removed":1800000000,"body":"",
        "body_json":null,"from":{"role":"visitor","id":"v-1"},"meta_data":{}})");
    EXPECT_EQ(part, once);
    erase_part_content(part, 1'900'000'000);
    EXPECT_EQ(part, once) << "a second erase keeps the first removal time";
}

TEST(erase_part_content, keeps_an_earlier_removal_and_fills_the_removed_shape) {
    auto part = parse(R"({"id":9,"type":"reply_user","removed":1700000000,
        "from":{"role":"visitor","id":"v-1","name":"Anna"}})");
    erase_part_content(part, 1'800'000'000);
    EXPECT_EQ(part, parse(R"({"id":9,"type":"reply_user","removed":1700000000,
        "from":{"role":"visitor","id":"v-1"},"body":"","body_json":null})"));

    auto bare = parse(R"({"id":10})");
    erase_part_content(bare, 5);
    EXPECT_EQ(bare, parse(R"({"id":10,"removed":5,"body":"","body_json":null})"));
}

TEST(erase_visitor_pii, clears_the_visitor_fields_idempotently) {
    auto conv = parse(R"({"id":3,"visitor":{"id":"v-1","name":"Anna"},
        "assignee":{"id":"op-1","name":"Olga"},"prechat_fields":{"name":"Anna"},
        "visitor_variables":null,"entry_page":"/","ext_referer":"https://ya.ru/?text=x",
        "int_referer":"/a","search_engine":"yandex","search_query":"x","country":"RU",
        "city":"Kazan","status":"finished"})");
    erase_visitor_pii(conv);
    auto const once = parse(R"({"id":3,"visitor":{"id":"v-1"},
        "assignee":{"id":"op-1","name":"Olga"},"prechat_fields":null,
        "visitor_variables":null,"entry_page":null,"ext_referer":null,
        "int_referer":null,"search_engine":"yandex","search_query":null,"country":null,
        "city":null,"status":"finished"})");
    EXPECT_EQ(conv, once);
    erase_visitor_pii(conv);
    EXPECT_EQ(conv, once);
}

} // namespace
} // namespace parley::privacy
