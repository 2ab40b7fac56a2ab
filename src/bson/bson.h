// Convenience header: the whole bson layer.
#pragma once

#include "bson/bson_types.h"
#include "bson/builder.h"
#include "bson/compare.h"
#include "bson/decimal128.h"
#include "bson/document.h"
#include "bson/element.h"
#include "bson/extjson.h"
#include "bson/object_id.h"
#include "bson/validate.h"
