#include "agg_test_util.h"

namespace dds::agg {
namespace {

constexpr const char* kDoc = R"({"d": {"$date": "2021-03-04T05:06:07.089Z"}, "j": {"$date": "2021-01-01T12:00:00Z"}})";

TEST(DateExpression, PartsAndTimezones) {
  EXPECT_EQ(Eval(R"({"$isoDayOfWeek": "$d"})", kDoc), "4");
  EXPECT_EQ(Eval(R"({"$week": "$d"})", kDoc), "9");
  EXPECT_EQ(Eval(R"({"$isoWeek": "$d"})", kDoc), "9");
  EXPECT_EQ(Eval(R"({"$isoWeek": "$j"})", kDoc), "53");
  EXPECT_EQ(Eval(R"({"$isoWeekYear": "$j"})", kDoc), "2020");
  EXPECT_EQ(Eval(R"({"$hour": {"date": "$d", "timezone": "+05:30"}})", kDoc), "10");
  EXPECT_EQ(Eval(R"({"$minute": {"date": "$d", "timezone": "+0530"}})", kDoc), "36");
  EXPECT_EQ(Eval(R"({"$dayOfMonth": {"date": "$d", "timezone": "-06"}})", kDoc), "3");
  EXPECT_EQ(Eval(R"({"$hour": {"date": "$d", "timezone": "Mars/Base"}})", kDoc), "error:238");
  EXPECT_EQ(Eval(R"({"$hour": {"date": "$d", "timezone": "nowhere"}})", kDoc), "error:40485");
  EXPECT_EQ(Eval(R"({"$year": "$missing"})", kDoc), "null");
  EXPECT_EQ(Eval(R"({"$year": "x"})", kDoc), "error:16006");
  EXPECT_EQ(Eval(R"({"$dateToString": {"date": "$d", "timezone": "+01:00", "format": "%H:%M %z"}})", kDoc),
            R"("06:06 +0100")");
  EXPECT_EQ(Eval(R"({"$dateToString": {"date": "$d", "format": "%G-W%V-%u"}})", kDoc), R"("2021-W09-4")");
}

TEST(DateExpression, ArithmeticAndTruncation) {
  EXPECT_EQ(Eval(R"({"$dateAdd": {"startDate": {"$date": "2021-01-31T00:00:00Z"}, "unit": "month", "amount": 1}})"),
            R"({"$date":"2021-02-28T00:00:00.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateSubtract": {"startDate": "$d", "unit": "hour", "amount": 5}})", kDoc),
            R"({"$date":"2021-03-04T00:06:07.089Z"})");
  EXPECT_EQ(Eval(R"({"$dateDiff": {"startDate": {"$date": "2021-01-31T23:00:00Z"}, "endDate": {"$date": "2021-02-01T01:00:00Z"}, "unit": "month"}})"),
            "1");
  EXPECT_EQ(Eval(R"({"$dateDiff": {"startDate": {"$date": "2021-01-31T23:00:00Z"}, "endDate": {"$date": "2021-02-01T01:00:00Z"}, "unit": "day"}})"),
            "1");
  EXPECT_EQ(Eval(R"({"$dateDiff": {"startDate": {"$date": "2021-01-31T23:00:00Z"}, "endDate": {"$date": "2021-02-01T01:00:00Z"}, "unit": "hour"}})"),
            "2");
  EXPECT_EQ(Eval(R"({"$dateTrunc": {"date": "$d", "unit": "day"}})", kDoc), R"({"$date":"2021-03-04T00:00:00.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateTrunc": {"date": "$d", "unit": "week"}})", kDoc), R"({"$date":"2021-02-28T00:00:00.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateTrunc": {"date": "$d", "unit": "month"}})", kDoc), R"({"$date":"2021-03-01T00:00:00.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateTrunc": {"date": "$d", "unit": "hour", "binSize": 2}})", kDoc), R"({"$date":"2021-03-04T04:00:00.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateAdd": {"startDate": "$d", "unit": "fortnight", "amount": 1}})", kDoc), "error:9");
}

TEST(DateExpression, ParsingAndParts) {
  EXPECT_EQ(Eval(R"({"$dateFromString": {"dateString": "2021-03-04T05:06:07.5+01:00"}})"),
            R"({"$date":"2021-03-04T04:06:07.500Z"})");
  EXPECT_EQ(Eval(R"({"$dateFromString": {"dateString": "2021-03-04"}})"), R"({"$date":"2021-03-04T00:00:00.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateFromString": {"dateString": "2021-03-04 10:00", "timezone": "+02:00"}})"),
            R"({"$date":"2021-03-04T08:00:00.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateFromString": {"dateString": "nope"}})"), "error:241");
  EXPECT_EQ(Eval(R"({"$dateFromString": {"dateString": "nope", "onError": 0}})"), "0");
  EXPECT_EQ(Eval(R"({"$toDate": "2021-03-04T05:06:07Z"})"), R"({"$date":"2021-03-04T05:06:07.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateToParts": {"date": "$d"}})", kDoc),
            R"({"year":2021,"month":3,"day":4,"hour":5,"minute":6,"second":7,"millisecond":89})");
  EXPECT_EQ(Eval(R"({"$dateFromParts": {"year": 2021, "month": 14, "day": 1}})"), R"({"$date":"2022-02-01T00:00:00.000Z"})");
  EXPECT_EQ(Eval(R"({"$dateFromParts": {"year": 2021, "hour": 1, "timezone": "+01:00"}})"),
            R"({"$date":"2021-01-01T00:00:00.000Z"})");
}

}  // namespace
}  // namespace dds::agg
