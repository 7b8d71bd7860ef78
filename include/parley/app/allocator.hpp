#pragma once

namespace parley::app {

/// Sets glibc's allocator up for a server that runs for months, before any thread starts.
///
/// With glibc's defaults, a long run's RSS creeps up although what the server holds is
/// bounded: RocksDB's memtable arenas and block-cache blocks are freed and allocated
/// again all day, the mmap threshold rises after the first large free so those blocks
/// land on the heap and fragment it, and each of up to 8 arenas per CPU keeps its own
/// free memory. A fixed 128 KiB mmap threshold hands large blocks back to the kernel when
/// they are freed, and one arena per CPU bounds the free memory arenas keep.
/// @note Does nothing when `GLIBC_TUNABLES` names malloc settings: the operator's win.
void tune_allocator();

} // namespace parley::app
