import MapReduce
/// Small text helpers the standard library lacks without Foundation.
extension Double {
    /// Fixed-point text without Foundation.
    package func formatted(decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (self * scale).rounded()
        let whole = Int64(scaled / scale)
        guard decimals > 0 else { return String(whole) }
        let fraction = Int64(abs(scaled)) % Int64(scale)
        let digits = String(fraction)
        let sign = scaled < 0 && whole == 0 ? "-" : ""
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
}

extension StringProtocol {
    package func trimmingCharacters(in characters: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
