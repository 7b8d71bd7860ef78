// The JSON work one part costs on the hot path (src/relay/parts.cpp), step by step and
// whole: decode the client's `part.create`, encode the part once, wrap that text in the
// ack and the live frame, and encode the conversation's counters stored with it (the
// whole conversation record is measured too: it is written on other changes).
// CPU only; read the whole-part figure as a per-core ceiling on parts/s.

#include "typical_part.hpp"

#include <parley/protocol/command.hpp>
#include <parley/protocol/conversation_counters.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part.hpp>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <stdexcept>
#include <vector>

namespace parley::micro {
namespace {

namespace json = boost::json;

constexpr std::uint64_t conversation_id = 42;
constexpr std::uint64_t part_id = 1'000'001;
constexpr std::int64_t created_unix = 1'700'000'100;

/// The typical part at each stage, for the steps that start part-way.
struct stages {
    std::string frame = part_create_frame(conversation_id, part_id);
    protocol::command cmd;
    protocol::part_request req;
    std::string part_json;
    protocol::conversation conversation = typical_conversation(conversation_id);

    stages() {
        auto parsed = protocol::parse_command(frame);
        if (!parsed) throw std::logic_error(parsed.error().message);
        cmd = std::move(*parsed);
        auto validated = protocol::parse_part_create(cmd, typical_visitor().role, config::limits{});
        if (!validated) throw std::logic_error(validated.error().message);
        req = std::move(*validated);
        part_json = json::serialize(make(req.content));
    }

    json::object make(json::object content) const {
        auto const& from = typical_visitor();
        return protocol::make_part(part_id, conversation_id, created_unix, req.type, std::move(content), from,
                                   protocol::sent_via_websocket(from.role), false);
    }
};

stages const& typical() {
    static stages const s;
    return s;
}

void json_decode(benchmark::State& state) {
    auto const& in = typical();
    config::limits const limits;
    for (auto _ : state) {
        auto cmd = protocol::parse_command(in.frame);
        auto req = protocol::parse_part_create(*cmd, typical_visitor().role, limits);
        benchmark::DoNotOptimize(req);
    }
    state.SetItemsProcessed(state.iterations());
}

void json_encode_part(benchmark::State& state) {
    auto const& in = typical();
    // make_part consumes the content, as the server moves it in; copies are made ahead,
    // off the clock, a thousand at a time.
    std::vector<json::object> contents;
    for (auto _ : state) {
        if (contents.empty()) {
            state.PauseTiming();
            contents.assign(1000, in.req.content);
            state.ResumeTiming();
        }
        auto text = json::serialize(in.make(std::move(contents.back())));
        contents.pop_back();
        benchmark::DoNotOptimize(text);
    }
    state.SetItemsProcessed(state.iterations());
}

void json_ack_frame(benchmark::State& state) {
    auto const& in = typical();
    for (auto _ : state) {
        auto frame = protocol::part_created_frame(in.part_json, in.req.random_id, in.cmd.ref, false);
        benchmark::DoNotOptimize(frame);
    }
    state.SetItemsProcessed(state.iterations());
}

void json_live_frame(benchmark::State& state) {
    auto const& in = typical();
    for (auto _ : state) {
        auto frame = protocol::part_frame("part", in.part_json);
        benchmark::DoNotOptimize(frame);
    }
    state.SetItemsProcessed(state.iterations());
}

// Written only when more than the counters change (status, assignee, tags...).
void json_conversation_record(benchmark::State& state) {
    auto const& in = typical();
    for (auto _ : state) {
        auto record = protocol::to_stored(in.conversation);
        benchmark::DoNotOptimize(record);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["record_bytes"] = static_cast<double>(protocol::to_stored(in.conversation).size());
}

void json_counters_record(benchmark::State& state) {
    auto const& in = typical();
    for (auto _ : state) {
        auto record = protocol::encode_counters(in.conversation);
        benchmark::DoNotOptimize(record);
    }
    state.SetItemsProcessed(state.iterations());
}

void json_whole_part(benchmark::State& state) {
    auto const& in = typical();
    config::limits const limits;
    for (auto _ : state) {
        auto cmd = protocol::parse_command(in.frame);
        auto req = protocol::parse_part_create(*cmd, typical_visitor().role, limits);
        auto const part_json = json::serialize(in.make(std::move(req->content)));
        auto ack = protocol::part_created_frame(part_json, req->random_id, cmd->ref, false);
        auto live = protocol::part_frame("part", part_json);
        auto record = protocol::encode_counters(in.conversation);
        benchmark::DoNotOptimize(ack);
        benchmark::DoNotOptimize(live);
        benchmark::DoNotOptimize(record);
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(json_decode)->Name("json/decode");
BENCHMARK(json_encode_part)->Name("json/encode_part");
BENCHMARK(json_ack_frame)->Name("json/ack_frame");
BENCHMARK(json_live_frame)->Name("json/live_frame");
BENCHMARK(json_conversation_record)->Name("json/conversation_record");
BENCHMARK(json_counters_record)->Name("json/counters_record");
BENCHMARK(json_whole_part)->Name("json/whole_part");

} // namespace
} // namespace parley::micro
