#pragma once

#include <utility>
#include <variant>

namespace parley {

/// Wraps an error value so that `expected` can be constructed from it unambiguously.
template <class E> struct unexpected {
    E error;
};
template <class E> unexpected(E) -> unexpected<E>;

/// A value or an error, for calls whose failure is an ordinary outcome (bad input, a
/// locked data dir, a refused token). A small stand-in for C++23 `std::expected`.
template <class T, class E> class [[nodiscard]] expected {
public:
    expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    expected(unexpected<E> e) : state_(std::in_place_index<1>, std::move(e.error)) {}

    bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    /// @note Precondition: has_value().
    T& value() & { return std::get<0>(state_); }
    T const& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    T const* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    T const& operator*() const& { return value(); }

    /// @note Precondition: !has_value().
    E const& error() const& { return std::get<1>(state_); }

private:
    std::variant<T, E> state_;
};

} // namespace parley
