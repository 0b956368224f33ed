// The one-pass path of a page (spec §4, issue 6): each record is checked,
// decoded and put through the stages as it is read, so a response is read
// once and no more than one record is decoded at a time. A big page is
// split over two threads (the loop thread and one more).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "config/pipeline_config.h"

namespace sluiced::run {

class BatchBuilder;

struct PageOutcome {
    bool ok = true;
    std::string error;          // the run's error when !ok ("response is not valid JSON: ...")
    std::uint64_t records = 0;  // records of the page (NDJSON lines that failed included)
    int threads = 1;            // 2 when a second thread's part was used
};

// Pages at least this big (bytes) are split over two threads.
constexpr std::size_t kSplitPageBytes = 4u << 20;

// Streams one page into `batch`. `source.format` picks NDJSON (every
// non-blank line a record; a line that is not JSON a record error) or JSON
// (a top-level array's elements; another value is one record, `null` none).
// The page's records are taken only while `batch.stopped` is false; after
// a stop the rest is still checked and counted. When !ok, `batch` holds
// records of a response that is not valid: the caller must drop the batch.
// `split_bytes`: pages at least this big use a second thread (0: never).
PageOutcome stream_page(std::string_view body, const config::HttpSource& source, BatchBuilder& batch,
                        std::size_t split_bytes = kSplitPageBytes);

}  // namespace sluiced::run
