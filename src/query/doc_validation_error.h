// GenerateValidationError: the `errInfo` of a DocumentValidationFailure (121), in the shape of
// mongod 5.0+ (src/mongo/db/matcher/doc_validation_error.cpp):
//
//   {failingDocumentId: <_id>, details: {operatorName: "$jsonSchema" | "$and" | "$eq" | ...,
//    specifiedAs, reason, consideredValue(s), clausesNotSatisfied, schemaRulesNotSatisfied, ...}}
//
// It works from the validator document itself (already accepted by ParseMatchExpression), and
// decides which clauses failed by evaluating each clause with the ordinary matcher, so it never
// disagrees with enforcement. It runs only after a document failed validation: nothing here is on
// the write fast path. Stateless and thread-safe.
#pragma once

#include "bson/document.h"

namespace dds::query {

// Returns {failingDocumentId, details} explaining why `doc` does not satisfy `validator`.
// REQUIRES: ParseMatchExpression(validator) succeeds.
bson::BsonDocument GenerateValidationError(const bson::BsonView& validator,
                                           const bson::BsonView& doc);

}  // namespace dds::query
