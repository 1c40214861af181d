#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace omniroute::classification::model {

// std::allocator, except that blocks of 2 MiB or more are aligned to 2 MiB and, on Linux, their
// whole 2 MiB pages are marked for transparent huge pages (madvise, honoured when the kernel's
// THP mode is "madvise" or "always"; the tail beyond the last whole page keeps 4 KiB pages, so
// the block costs no more memory than its size). For the input layer's weights: inference reads
// a few hundred rows scattered over megabytes, and with 4 KiB pages nearly every row costs a TLB
// miss as well as a cache miss.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHugePage = size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT(google-explicit-constructor)

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return std::allocator<T>().allocate(n);
    void* p = nullptr;  // posix_memalign: unlike aligned_alloc, any size
    if (posix_memalign(&p, kHugePage, bytes) != 0) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(p, bytes / kHugePage * kHugePage, MADV_HUGEPAGE);  // advice: nothing to do on failure
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHugePage) return std::allocator<T>().deallocate(p, n);
    std::free(p);
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>&) const {
    return false;
  }
};

}  // namespace omniroute::classification::model
