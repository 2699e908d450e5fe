// Copyright 2026 The Runnel Authors.
//
// PodArray<T>: a growable array of a trivially copyable T whose append is a
// compare, an add and a store, small enough to inline into a decode loop.
//
// Why not std::vector: Consumer::Poll appends one ConsumerRecord per record
// decoded, and there GCC -O2 does not inline vector::emplace_back (a call
// per record), which also value-initializes every field before the caller
// overwrites it. AppendUninitialized hands out raw storage instead; the
// caller constructs the element in place, writing each field once.
//
//   PodArray<Point> points;
//   points.Reserve(n);
//   new (points.AppendUninitialized()) Point{x, y};
//
// Not thread-safe. Pointers into the array are invalidated by growth.
#ifndef RUNNEL_UTIL_POD_ARRAY_H_
#define RUNNEL_UTIL_POD_ARRAY_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"

namespace runnel {
namespace internal {

template <typename T>
class PodArray {
  static_assert(std::is_trivially_copyable<T>::value &&
                    std::is_trivially_destructible<T>::value,
                "PodArray moves elements with memcpy and never destroys them");
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__,
                "PodArray allocates with the default operator new");

 public:
  PodArray() = default;
  PodArray(PodArray&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  PodArray& operator=(PodArray&& other) noexcept {
    if (this != &other) {
      ::operator delete(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  PodArray(const PodArray&) = delete;
  PodArray& operator=(const PodArray&) = delete;
  ~PodArray() { ::operator delete(data_); }

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const T* data() const { return data_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T& operator[](size_t i) const { return data_[i]; }

  // Makes room for `n` elements in all, so appends up to n do not grow.
  void Reserve(size_t n) {
    if (n > capacity_) Grow(n);
  }
  // Storage for one more element, counted in size() at once: the caller
  // must construct it there (placement new) before anything reads it.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void* AppendUninitialized() {
    if (ABSL_PREDICT_FALSE(size_ == capacity_)) {
      Grow(std::max<size_t>(16, 2 * capacity_));
    }
    return data_ + size_++;
  }

 private:
  ABSL_ATTRIBUTE_NOINLINE void Grow(size_t capacity) {
    T* grown = static_cast<T*>(::operator new(capacity * sizeof(T)));
    if (size_ > 0) {
      std::memcpy(static_cast<void*>(grown), data_, size_ * sizeof(T));
    }
    ::operator delete(data_);
    data_ = grown;
    capacity_ = capacity;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_UTIL_POD_ARRAY_H_
