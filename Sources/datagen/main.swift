// datagen: writes English-like text to stdout, the same bytes for the same seed on every machine.
//
//   datagen [--seed N] [--bytes N]
//
// Words follow a Zipf distribution over a vocabulary built from syllables (a few words carry
// non-ASCII letters: accented Latin, Greek, Cyrillic, CJK), in sentences with punctuation, wrapped
// into lines and paragraphs. Used by `make datasets` and for the small files in datasets/.
#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64: a tiny, well-mixed, portable PRNG.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

func parseArguments() -> (seed: UInt64, bytes: Int) {
    var seed: UInt64 = 1
    var bytes = 1 << 20
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let flag = arguments.next() {
        guard let value = arguments.next() else { usage() }
        switch flag {
        case "--seed": if let number = UInt64(value) { seed = number } else { usage() }
        case "--bytes": if let number = Int(value) { bytes = number } else { usage() }
        default: usage()
        }
    }
    return (seed, bytes)
}

func usage() -> Never {
    let text = "usage: datagen [--seed N] [--bytes N] > file.txt\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(64)
}

let (seed, targetBytes) = parseArguments()
// The vocabulary depends only on a fixed seed, so every file shares it; the text uses `seed`.
var vocabularyRandom = SplitMix64(state: 42)
let onsets = ["", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
              "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr", "wh"]
let vowels = ["a", "e", "i", "o", "u", "ea", "ou", "ai", "ee", "oo", "y"]
let codas = ["", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck", "rd", "th"]
let foreign = ["café", "naïve", "Straße", "über", "façade", "λόγος", "ψυχή", "мир", "слово", "数据", "東京",
               "señor", "Ærø", "jalapeño", "rôle", "Dvořák", "smörgåsbord", "Ελλάδα", "Москва", "ﬁne"]
let common = ["the", "of", "and", "to", "a", "in", "that", "it", "was", "he", "I", "his", "with", "as",
              "for", "had", "you", "not", "be", "her", "on", "at", "by", "which", "have", "or", "from",
              "this", "him", "but", "all", "she", "they", "were", "my", "are", "me", "one", "their", "so"]
var vocabulary = common
var seen = Set(common)
while vocabulary.count < 30_000 {
    var word = ""
    for _ in 0..<(1 + vocabularyRandom.below(3)) {
        word += onsets[vocabularyRandom.below(onsets.count)] + vowels[vocabularyRandom.below(vowels.count)]
            + codas[vocabularyRandom.below(codas.count)]
    }
    if vocabularyRandom.below(400) == 0 { word += foreign[vocabularyRandom.below(foreign.count)] }
    if seen.insert(word).inserted { vocabulary.append(word) }
}
for word in foreign where seen.insert(word).inserted { vocabulary.insert(word, at: 200) }

// Zipf(s = 1.05) over ranks: cumulative weights, sampled by binary search.
var cumulative: [Double] = []
var total = 0.0
for rank in 1...vocabulary.count {
    total += 1 / pow(Double(rank), 1.05)
    cumulative.append(total)
}
var random = SplitMix64(state: seed)
func sampleWord() -> String {
    let target = random.unit() * total
    var low = 0, high = cumulative.count - 1
    while low < high {
        let middle = (low + high) / 2
        if cumulative[middle] < target { low = middle + 1 } else { high = middle }
    }
    return vocabulary[low]
}

var output: [UInt8] = []
output.reserveCapacity(1 << 17)
var written = 0
var line = ""
func flushOutput() {
    output.withUnsafeBytes { raw in
        var sent = 0
        while sent < raw.count {
            let n = write(1, raw.baseAddress! + sent, raw.count - sent)
            if n <= 0 { exit(74) }
            sent += n
        }
    }
    output.removeAll(keepingCapacity: true)
}
func emitLine(_ text: String) {
    output.append(contentsOf: text.utf8)
    output.append(0x0A)
    written += text.utf8.count + 1
    if output.count >= 1 << 16 { flushOutput() }
}
func addToken(_ token: String) {
    if !line.isEmpty && line.utf8.count + 1 + token.utf8.count > 72 {
        emitLine(line)
        line = ""
    }
    line += line.isEmpty ? token : " " + token
}

while written < targetBytes {
    for _ in 0..<(2 + random.below(6)) {  // sentences per paragraph
        let length = 4 + random.below(16)
        for index in 0..<length {
            var word = sampleWord()
            if index == 0, let first = word.first { word = first.uppercased() + word.dropFirst() }
            if random.below(60) == 0 { word = String(1 + random.below(2025)) }
            if random.below(80) == 0 { word = "\"" + word + "\"" }
            if index == length - 1 {
                word += [".", ".", ".", "!", "?", "...", ";"][random.below(7)]
            } else if random.below(9) == 0 {
                word += [",", ",", ",", ";", ":", " -", "'s"][random.below(7)]
            }
            addToken(word)
        }
    }
    if !line.isEmpty { emitLine(line) }
    line = ""
    emitLine("")
}
flushOutput()
