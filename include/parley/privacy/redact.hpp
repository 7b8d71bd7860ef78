#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

/// Removing personal data (SPEC §2.4) from stored records: `redact_*` for exports made
/// with `redact=pii` (SPEC §5.6), `erase_*` for the GDPR erase of a visitor (SPEC §5.7).
///
/// Every function here is pure: it touches only its argument and keeps no state, so any
/// number of threads may call them at once on different objects. None of them throws
/// except `std::bad_alloc`. They never add a key the object did not have, except where
/// noted, so a redacted record keeps the shape clients already parse.
namespace parley::privacy {

/// Masks contact and payment data inside free text, in one pass over the bytes.
///
/// * e-mail addresses → `[email]` (`local@domain.tld`, the TLD all letters);
/// * payment card numbers → `[card]`: 13–19 digits, plain or grouped by single spaces or
///   dashes in the usual 4-4-4-4(-3) / 4-6-5 layouts, that pass the Luhn check. Cards are
///   tried before phones so that a card is never reported as a phone;
/// * phone numbers → `[phone]`: 7–15 digits with a phone's structure: a leading `+` or
///   `00` country prefix, or digit groups split by spaces, dashes, dots or an area code
///   in parentheses (`555-123-4567`, `8 (912) 345-67-89`, `02 1234 5678`), or a plain run
///   of 10–11 digits starting with `0` or `8`.
///
/// Everything else is copied byte for byte: order numbers (`#12345`, `ORD-2026-000123`),
/// dates, times, prices and thousands (`1 299,00`, `12 345 678`), versions, IP addresses,
/// bare ids under 10 digits, digit runs glued to letters, and 16 digits failing Luhn —
/// a false `[phone]` in an export destroys data the reader needs, so ambiguous numbers
/// are kept. Only ASCII is matched, so Cyrillic, Korean and even invalid UTF-8 pass
/// through untouched.
///
/// @return the text with the matches replaced. Linear in the input; no regex, no
///         recursion, so a 10000-character body costs microseconds.
std::string redact_text(std::string_view utf8);

/// Redacts a stored part (SPEC §2.1) for an export.
/// Masked: `body` (through `redact_text`, so the conversation stays readable).
/// Dropped: `body_json` → `null` (bot cards and popups echo what the visitor typed),
/// `attachments` → key removed (file names and URLs identify people), `from.name` → key
/// removed (`from.role` and `from.id` stay: who spoke matters, not their name).
/// Kept: everything else, including `meta_data` and `assignee.name` (employees' names are
/// not visitor data).
void redact_part(boost::json::object& part);

/// Redacts a stored conversation (SPEC §2.3) for an export.
/// Dropped: `visitor.name` → key removed (`visitor.id` stays, the export must still say
/// whose conversation it is); `prechat_fields`, `visitor_variables`, `entry_page`,
/// `ext_referer`, `int_referer`, `search_query`, `country`, `city` → `null`, key kept.
/// Kept: `search_engine` (which engine, not what was searched), employees' names.
void redact_conversation(boost::json::object& conv);

/// Redacts a stored event (SPEC §2.2) for an export.
/// Dropped: `page` → `null` (URLs carry names, e-mails and tokens in their queries) and
/// `event_text` → `null` (the server's sentence names the visitor). Keys are kept.
/// Kept: `event_type`, `created_at`, `employee`.
void redact_event(boost::json::object& event);

/// Erases a part the visitor wrote, in place (SPEC §5.7): the part keeps its id and type
/// and reads as removed (SPEC §2.1).
/// Sets `removed` to `now_unix` when it is `null` or absent (an earlier removal time is
/// kept, so erasing twice changes nothing); `body` → `""` and `body_json` → `null`
/// (both set even when absent: that is the shape of a removed part); `attachments` and
/// `from.name` → keys removed.
void erase_part_content(boost::json::object& part, std::int64_t now_unix);

/// Erases the visitor's personal data from one of their conversations (SPEC §5.7).
/// Same fields and the same treatment as `redact_conversation`: `visitor.name` removed,
/// the widget and referer fields set to `null`, `search_engine` and employees kept.
/// Idempotent.
void erase_visitor_pii(boost::json::object& conv);

} // namespace parley::privacy
