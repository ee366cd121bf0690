import MapReduce
import TestSupport
import XCTest

/// Fields of TSV and RFC 4180 CSV records, and numbers parsed from them, without allocating.
final class FieldsTests: XCTestCase {
    private func fields(_ line: String, _ format: FieldFormat) -> [String] {
        var found: [String] = []
        Array(line.utf8).withUnsafeBytes { record in
            forEachField(in: record, format: format) { number, field in
                XCTAssertEqual(number, found.count)
                found.append(String(decoding: field, as: UTF8.self))
                return true
            }
        }
        return found
    }

    func testSeparatedFields() {
        XCTAssertEqual(fields("a\tbb\t\tc", .tsv), ["a", "bb", "", "c"])
        XCTAssertEqual(fields("", .tsv), [""])
        XCTAssertEqual(fields("x\t", .tsv), ["x", ""])
        XCTAssertEqual(fields("a,\"b,c\"", .separated(by: UInt8(ascii: ","))), ["a", "\"b", "c\""], "no quoting")
    }

    func testCSVFieldsAsRFC4180Reads() {
        XCTAssertEqual(fields("1,\"New York, NY\",5", .commaSeparated), ["1", "New York, NY", "5"])
        XCTAssertEqual(fields("\"say \"\"hi\"\"\",x", .commaSeparated), ["say \"hi\"", "x"])
        XCTAssertEqual(fields("\"\"\"\"", .commaSeparated), ["\""])
        XCTAssertEqual(fields(",,", .commaSeparated), ["", "", ""])
        XCTAssertEqual(fields("\"\",a", .commaSeparated), ["", "a"])
        XCTAssertEqual(fields("a;\"b;c\"", .csv(separator: UInt8(ascii: ";"))), ["a", "b;c"])
        XCTAssertEqual(fields("\"open", .commaSeparated), ["open"], "an unclosed quote ends the last field")
    }

    func testOneFieldByNumber() {
        Array("k,\"v,1\",3".utf8).withUnsafeBytes { record in
            XCTAssertEqual(withField(1, of: record, format: .commaSeparated) { String(decoding: $0, as: UTF8.self) }, "v,1")
            XCTAssertEqual(withField(2, of: record, format: .commaSeparated) { parseInteger($0) }, 3)
            XCTAssertNil(withField(3, of: record, format: .commaSeparated) { _ in true })
        }
    }

    func testIntegersAndDoublesParseExactlyOrNotAtAll() {
        func integer(_ text: String) -> Int64? { Array(text.utf8).withUnsafeBytes { parseInteger($0) } }
        func double(_ text: String) -> Double? { Array(text.utf8).withUnsafeBytes { parseDouble($0) } }
        XCTAssertEqual(integer("42"), 42)
        XCTAssertEqual(integer("-9223372036854775808"), Int64.min)
        XCTAssertEqual(integer("+7"), 7)
        XCTAssertNil(integer("9223372036854775808"), "past Int64: not wrapped")
        XCTAssertNil(integer(""))
        XCTAssertNil(integer("1.5"))
        XCTAssertNil(integer(" 1"))
        XCTAssertEqual(double("1.5"), 1.5)
        XCTAssertEqual(double("-2e3"), -2000)
        XCTAssertNil(double("1.5x"))
        XCTAssertNil(double(""))
        XCTAssertNil(double("."))
        XCTAssertNil(double("1.2.3"))
        XCTAssertEqual(double("-0")?.sign, .minus)
        XCTAssertEqual(double("9007199254740993"), 9007199254740992, "past 2^53: left to strtod, rounded to even")
        // The fast path for plain decimals against Swift's own parser (correctly rounded), on
        // digits of every length up to 17 and up to 22 after the point.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let digits = String(generator.next() % 100_000_000_000_000_000)
            let point = Int(generator.next() % UInt64(digits.count + 1))
            var text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if generator.next() % 3 == 0 { text = "-" + text }
            if generator.next() % 5 == 0 { text = "0.00000" + digits }
            XCTAssertEqual(double(text), Double(text), text)
        }
    }
}
