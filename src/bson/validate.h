// Strict validation of untrusted BSON bytes. Nothing in bson/ reads bytes that did not pass
// here first. Never throws, never reads outside [data, data + available).
#pragma once

#include <cstddef>

#include "bson/bson_types.h"
#include "common/status.h"

namespace dds::bson {

// Checks that `data` holds exactly one well-formed BSON document of at most `available` bytes:
// lengths consistent, known type tags, NUL-terminated names and strings, bools 0/1, nesting no
// deeper than `max_depth`. Returns InvalidBSON (22) describing the first problem.
// On success, *document_size (if given) receives the document's length.
Status ValidateBson(const char* data, size_t available, int max_depth = kMaxBsonDepth + 50,
                    size_t* document_size = nullptr);

// Returns the nesting depth of a validated document (a flat document has depth 1).
int NestingDepth(const char* data);

}  // namespace dds::bson
