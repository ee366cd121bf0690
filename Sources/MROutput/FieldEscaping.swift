import MRBase
import MRSystem
import MapReduce

/// The one rule by which `mr` writes a key or a text value into a `key<TAB>value` line, in part
/// files and in `mr stream` alike: a backslash, tab, newline or carriage return inside the field
/// is written `\\`, `\t`, `\n`, `\r`, so every line has exactly one tab and one newline. All
/// other bytes are written as they are.
package enum FieldEscaping {
    /// Undoes the rule: appends the field's bytes to `bytes`; false for a backslash followed by
    /// anything else, or ending the field.
    package static func unescape(_ field: ByteSlice, into bytes: inout [UInt8]) -> Bool {
        var escaping = false
        for byte in field {
            if escaping {
                switch byte {
                case 0x5C: bytes.append(0x5C)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                default: return false
                }
                escaping = false
            } else if byte == 0x5C {
                escaping = true
            } else {
                bytes.append(byte)
            }
        }
        return !escaping
    }
}

extension BufferedWriter {
    /// Appends `field` by ``FieldEscaping``'s rule.
    @inline(__always)
    package func appendEscaped(_ field: ByteSlice) throws {
        var plainFrom = 0
        for (index, byte) in field.enumerated() where byte <= 0x5C {
            let escaped: UInt8
            switch byte {
            case 0x5C: escaped = 0x5C
            case 0x09: escaped = UInt8(ascii: "t")
            case 0x0A: escaped = UInt8(ascii: "n")
            case 0x0D: escaped = UInt8(ascii: "r")
            default: continue
            }
            try append(ByteSlice(rebasing: field[plainFrom..<index]))
            try append(byte: 0x5C)
            try append(byte: escaped)
            plainFrom = index + 1
        }
        try append(plainFrom == 0 ? field : ByteSlice(rebasing: field[plainFrom...]))
    }
}
