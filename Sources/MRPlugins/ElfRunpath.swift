import MRBase
import MRSystem
import MapReduce
/// Rewrites the library search path (DT_RUNPATH) recorded in a 64-bit little-endian ELF file, in
/// place: `mr package` points the copies of mr and of the job at the package's own `lib/`
/// instead of the toolchain's folder, so that a packed run never looks there. The new path
/// must not be longer than the old one (the string table keeps its size; the rest is zeroed).
enum ElfRunpath {
    static func rewrite(_ bytes: inout [UInt8], to path: String) throws {
        func read<T: FixedWidthInteger>(_ offset: Int, as: T.Type) throws -> T {
            guard offset >= 0, offset + MemoryLayout<T>.size <= bytes.count else { throw malformed }
            return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        }
        guard bytes.count > 64, bytes[0..<4] == [0x7F, 0x45, 0x4C, 0x46], bytes[4] == 2, bytes[5] == 1 else { throw malformed }
        let programHeaders = Int(try read(0x20, as: UInt64.self))
        let headerSize = Int(try read(0x36, as: UInt16.self))
        let headerCount = Int(try read(0x38, as: UInt16.self))
        var dynamic: (offset: Int, size: Int)?
        var loads: [(address: UInt64, offset: UInt64, size: UInt64)] = []
        for index in 0..<headerCount {
            let header = programHeaders + index * headerSize
            let type = try read(header, as: UInt32.self)
            let offset = try read(header + 8, as: UInt64.self), address = try read(header + 16, as: UInt64.self)
            let fileSize = try read(header + 32, as: UInt64.self)
            if type == 2 { dynamic = (Int(offset), Int(fileSize)) }                  // PT_DYNAMIC
            if type == 1 { loads.append((address, offset, fileSize)) }               // PT_LOAD
        }
        guard let dynamic else { throw malformed }
        var stringTable: UInt64?, runpath: UInt64?
        for entry in stride(from: dynamic.offset, to: dynamic.offset + dynamic.size, by: 16) {
            let tag = try read(entry, as: UInt64.self), value = try read(entry + 8, as: UInt64.self)
            if tag == 0 { break }
            if tag == 5 { stringTable = value }                                      // DT_STRTAB
            if tag == 29 || tag == 15 { runpath = value }                            // DT_RUNPATH, DT_RPATH
        }
        guard let stringTable, let runpath,
              let load = loads.first(where: { stringTable >= $0.address && stringTable < $0.address + $0.size }) else { return }
        let start = Int(stringTable - load.address + load.offset + runpath)
        guard let end = bytes[start...].firstIndex(of: 0) else { throw malformed }
        let replacement = Array(path.utf8)
        guard replacement.count <= end - start else {
            throw MRError(.internal, "cannot record the library path '\(path)': longer than the one it replaces")
        }
        bytes.replaceSubrange(start..<end, with: replacement + [UInt8](repeating: 0, count: end - start - replacement.count))
    }

    private static var malformed: MRError { MRError(.internal, "not a 64-bit little-endian ELF file with a dynamic section") }
}
