// Copyright 2026 The Runnel Authors.
//
// log/cleaner_swap.h — how the log cleaner replaces a group of sealed
// segments with their cleaned copy so that a crash at ANY point leaves a
// directory that CompleteInterruptedCleaning turns into either the old
// segments or the new one, never a mix. Internal to log/; used by
// log/log_cleaner.h, and CompleteInterruptedCleaning by the Log at Open.
//
//   // at Log::Open, before listing segment files:
//   absl::StatusOr<InterruptedCleaning> done =
//       runnel::internal::CompleteInterruptedCleaning(fs, dir);
//   if (!done.ok()) return done.status();
//
// Names (log/format.h): b0 < b1 < … < bk are the base offsets of the group's
// old segments; the cleaned segment is named by b0 (it holds offsets of all
// of them: compaction keeps offsets). "X.cleaned" is X with the suffix
// ".cleaned" (e.g. 00000000000000000000.log.cleaned), likewise ".swap" and
// ".deleted".
//
// THE SWAP (SwapInCleanedSegment; step 1 is the cleaner's):
//   1. write b0.{log,index,timeindex}.cleaned completely; fsync each.
//   2. rename b0.log.cleaned → b0.log.swap, then the two index files
//      likewise; fsync the directory.
//   3. rename to ".deleted" every file of b1..bk (.log .index .timeindex
//      .txnindex, those that exist) and b0's .index, .timeindex and
//      .txnindex — not b0.log; fsync the directory.
//   4. COMMIT: rename b0.log.swap → b0.log (atomically replacing the old
//      b0.log); fsync the directory. Then rename b0.index.swap → b0.index
//      and b0.timeindex.swap → b0.timeindex; fsync the directory.
//   5. remove the ".deleted" files; fsync the directory.
// Groups are swapped one at a time, in ascending offset order; a group's
// step 5 ends before the next group's step 1 begins.
//
// THE STATE MACHINE (CompleteInterruptedCleaning). Invariants the swap
// keeps: at most one group is between steps 2 and 5 (the "in-flight" group,
// identified by its .swap files); any ".deleted" file present while a
// ".swap" file exists belongs to that group (a cleaning pass starts with
// this very function, which removes older ".deleted" files durably before
// step 2); b0.log.swap or b0.log.cleaned exists exactly until the commit
// rename; old b0.index/.timeindex are gone (".deleted") before the commit,
// and new ones appear only after it, so an index never describes the wrong
// .log. From the files present:
//   (a) no ".swap" file: nothing was committed, or the commit and step 4
//       are complete. Remove every ".cleaned" and ".deleted" file.
//                                                          → kNone
//   (b) ".swap" files of more than one base offset: not made by this
//       protocol → DataLoss, nothing changed.
//   (c) ".swap" files of base b0, and b0.log.swap or b0.log.cleaned exists:
//       NOT COMMITTED → roll back: rename every ".deleted" file back to its
//       name (old segments complete again); fsync dir; remove every
//       ".cleaned" file and every ".swap" file but b0.log.swap; fsync dir;
//       remove b0.log.swap last (it marks the state); fsync dir.
//                                                          → kRolledBack
//   (d) ".swap" files of base b0 and neither of those two: COMMITTED → roll
//       forward: rename each ".swap" file to its name; fsync dir; remove
//       every ".deleted" and ".cleaned" file; fsync dir.  → kRolledForward
// Each of (a), (c), (d) is idempotent and re-entrant: a crash inside it
// leaves a state that is again (a), (c) or (d) with the same outcome, so
// the function may be run again after a crash during it.
//
// Thread-safety: none of these functions may run concurrently with another
// one for the same directory, nor with anything that creates, renames or
// deletes segment files there (the Log's roll of the active segment only
// creates a new base offset's files and is fine).
#ifndef RUNNEL_LOG_CLEANER_SWAP_H_
#define RUNNEL_LOG_CLEANER_SWAP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runnel/file_system.h"

namespace runnel {
namespace internal {

// What CompleteInterruptedCleaning found and did.
struct InterruptedCleaning {
  enum class Action {
    kNone,           // no swap was in flight (stray temp files removed)
    kRolledBack,     // a swap had not committed: the old segments are back
    kRolledForward,  // a swap had committed: the cleaned segment is in place
  };
  Action action = Action::kNone;
  int64_t base_offset = -1;  // b0 of the in-flight swap, -1 for kNone
  int files_removed = 0;
  int files_renamed = 0;
};

// Brings `dir` to a consistent state after a cleaning that was cut short
// (see THE STATE MACHINE). Non-segment files are left alone. Errors: the
// file system's (then run it again; nothing is lost), DataLoss for (b).
absl::StatusOr<InterruptedCleaning> CompleteInterruptedCleaning(
    FileSystem* fs, absl::string_view dir);

// One group's swap: the cleaned segment b0 == replaced.front() replaces the
// segments `replaced` (ascending base offsets).
struct SwapPlan {
  std::string dir;
  std::vector<int64_t> replaced;
};

struct SwapOutcome {
  // b0.log is the cleaned segment now (the commit rename happened), even if
  // a later step failed.
  bool committed = false;
  // OK if every step succeeded. On failure the swap was rolled back (not
  // committed) or forward (committed) with CompleteInterruptedCleaning; if
  // that failed too, the message says so and the next
  // CompleteInterruptedCleaning finishes the job.
  absl::Status status;
};

// Steps 2-5 of THE SWAP. The three b0.*.cleaned files must be complete and
// synced.
SwapOutcome SwapInCleanedSegment(FileSystem* fs, const SwapPlan& plan);

// "<dir>/<20-digit base><suffix>", e.g. (dir, 0, ".log.cleaned").
std::string SegmentFilePath(absl::string_view dir, int64_t base_offset,
                            absl::string_view suffix);

}  // namespace internal
}  // namespace runnel

#endif  // RUNNEL_LOG_CLEANER_SWAP_H_
