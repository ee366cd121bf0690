import MREngine

/// `mr bench`'s chart, `speedup.svg`: two panels against the worker count, one line per mode,
/// every point labelled with its value. Left, the speedup over the sequential run, with the
/// ideal (speedup = workers) dashed; right, MB/s of uncompressed input, with the inflate-only
/// floors dashed (ISA-L's, which the runs use, and zlib's). The title names the job, the data
/// and the machine.
extension BenchReport {
    var svg: String {
        let plain = rows.filter { $0.variant == nil }
        let maxWorkers = max(plain.map(\.workers).max() ?? 1, 2)
        let speedups = plain.compactMap { row in speedup(row).map { (row, $0) } }
        let rates = plain.map { ($0, megabytes / $0.seconds) }
        let floorRates = floor.sorted { $0.key < $1.key }.map { (workers: $0.key, rate: megabytes / $0.value) }
        let zlibFloorRates = zlibFloor.sorted { $0.key < $1.key }.map { (workers: $0.key, rate: megabytes / $0.value) }
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"430\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"380\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(escaped("mr bench \(job): \(data), \(megabytes.formatted(decimals: 1)) MB of text"))</text>",
            "<text x=\"380\" y=\"38\" text-anchor=\"middle\" fill=\"#555\">\(escaped(machine)); medians of \(repeats) rounds</text>",
        ]
        let speedupAxis = Axis(maximum: max(Double(maxWorkers), speedups.map(\.1).max() ?? 1))
        let speedupPanel = Panel(left: 80, top: 70, width: 270, height: 270, maxWorkers: maxWorkers, axis: speedupAxis)
        parts += speedupPanel.frame(title: "speedup over sequential", decimals: 1)
        parts.append(speedupPanel.line([(1, 1), (Double(maxWorkers), Double(maxWorkers))], color: "gray", dashed: true))
        parts.append("<text x=\"80\" y=\"418\" fill=\"gray\">- - ideal (speedup = workers)</text>")
        let ratePanel = Panel(left: 460, top: 70, width: 270, height: 270, maxWorkers: maxWorkers,
                              axis: Axis(maximum: max(rates.map(\.1).max() ?? 1, floorRates.map(\.rate).max() ?? 1,
                                                      zlibFloorRates.map(\.rate).max() ?? 1)))
        parts += ratePanel.frame(title: "MB/s of uncompressed input", decimals: 0)
        if !floorRates.isEmpty {
            parts.append(ratePanel.line(floorRates.map { (Double($0.workers), $0.rate) }, color: "gray", dashed: true))
            for floor in floorRates {
                parts += ratePanel.labelledPoint(Double(floor.workers), floor.rate, text: floor.rate.formatted(decimals: 0), color: "gray", place: .above)
            }
            parts.append("<text x=\"460\" y=\"404\" fill=\"gray\">- - inflate only, ISA-L (the floor, same workers)</text>")
        }
        if !zlibFloorRates.isEmpty {
            parts.append(ratePanel.line(zlibFloorRates.map { (Double($0.workers), $0.rate) }, color: "#999", dashed: true))
            for floor in zlibFloorRates {
                parts += ratePanel.labelledPoint(Double(floor.workers), floor.rate, text: floor.rate.formatted(decimals: 0), color: "#999", place: .below)
            }
            parts.append("<text x=\"460\" y=\"418\" fill=\"#999\">- - inflate only, zlib</text>")
        }
        let colors: [ExecutionMode: String] = [.processes: "#d62728", .threads: "#1f77b4", .sequential: "#2ca02c"]
        // Each mode's labels on their own side of its points, so equal values stay readable.
        let places: [ExecutionMode: Panel.Place] = [.processes: .below, .threads: .above, .sequential: .right]
        for (index, mode) in ExecutionMode.allCases.enumerated() {
            let color = colors[mode] ?? "black"
            let modeSpeedups = speedups.filter { $0.0.mode == mode }.sorted { $0.0.workers < $1.0.workers }
            let modeRates = rates.filter { $0.0.mode == mode }.sorted { $0.0.workers < $1.0.workers }
            guard !modeRates.isEmpty else { continue }
            parts.append(speedupPanel.line(modeSpeedups.map { (Double($0.0.workers), $0.1) }, color: color, dashed: false))
            for (row, value) in modeSpeedups {
                parts += speedupPanel.labelledPoint(Double(row.workers), value, text: value.formatted(decimals: 2) + "x", color: color, place: places[mode]!)
            }
            parts.append(ratePanel.line(modeRates.map { (Double($0.0.workers), $0.1) }, color: color, dashed: false))
            for (row, value) in modeRates {
                parts += ratePanel.labelledPoint(Double(row.workers), value, text: value.formatted(decimals: 0), color: color, place: places[mode]!)
            }
            parts.append("<text x=\"\(240 + 110 * index)\" y=\"398\" fill=\"\(color)\">\u{25A0} \(mode.rawValue)</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private func escaped(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
    }
}

/// A value axis from 0 with about five ticks at round steps (1, 2 or 5 times a power of ten).
private struct Axis {
    let top: Double
    let step: Double

    init(maximum: Double) {
        var magnitude = 1.0
        while magnitude * 10 <= maximum { magnitude *= 10 }
        while magnitude > maximum && magnitude > 0.01 { magnitude /= 10 }
        let step = [0.1, 0.2, 0.5, 1, 2, 5, 10].map { $0 * magnitude }.first { maximum / $0 <= 6 } ?? magnitude * 10
        self.step = step
        top = (maximum / step).rounded(.up) * step
    }
}

/// One plot: workers 1...maxWorkers across, `axis` up.
private struct Panel {
    let left: Double, top: Double, width: Double, height: Double
    let maxWorkers: Int
    let axis: Axis

    func point(_ workers: Double, _ value: Double) -> (x: Double, y: Double) {
        let x = left + (workers - 1) / Double(maxWorkers - 1) * width
        let y = top + height - value / axis.top * height
        return ((x * 10).rounded() / 10, (y * 10).rounded() / 10)
    }

    func frame(title: String, decimals: Int) -> [String] {
        let bottom = top + height
        var parts = [
            "<text x=\"\(left + width / 2)\" y=\"\(top - 8)\" text-anchor=\"middle\" font-weight=\"bold\">\(title)</text>",
            "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(left + width)\" y2=\"\(bottom)\" stroke=\"black\"/>",
            "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(bottom)\" stroke=\"black\"/>",
            "<text x=\"\(left + width / 2)\" y=\"\(bottom + 32)\" text-anchor=\"middle\">workers</text>",
        ]
        for workers in 1...maxWorkers {
            let x = point(Double(workers), 0).x
            parts.append("<line x1=\"\(x)\" y1=\"\(bottom)\" x2=\"\(x)\" y2=\"\(bottom + 4)\" stroke=\"black\"/>")
            parts.append("<text x=\"\(x)\" y=\"\(bottom + 16)\" text-anchor=\"middle\">\(workers)</text>")
        }
        var value = 0.0
        while value <= axis.top + axis.step / 1000 {
            let y = point(1, value).y
            parts.append("<line x1=\"\(left - 4)\" y1=\"\(y)\" x2=\"\(left + width)\" y2=\"\(y)\" stroke=\"#ddd\"/>")
            parts.append("<text x=\"\(left - 8)\" y=\"\(y + 4)\" text-anchor=\"end\">\(value.formatted(decimals: axis.step < 1 ? 1 : decimals))</text>")
            value += axis.step
        }
        return parts
    }

    func line(_ points: [(Double, Double)], color: String, dashed: Bool) -> String {
        let coordinates = points.map { point($0.0, $0.1) }.map { "\($0.x),\($0.y)" }.joined(separator: " ")
        return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"5 4\"" : "")/>"
    }

    enum Place { case above, below, right }

    func labelledPoint(_ workers: Double, _ value: Double, text: String, color: String, place: Place) -> [String] {
        let (x, y) = point(workers, value)
        let label = switch place {
        case .above: "x=\"\(x + 6)\" y=\"\(y - 7)\""
        case .below: "x=\"\(x + 6)\" y=\"\(y + 16)\""
        case .right: "x=\"\(x + 8)\" y=\"\(y + 4)\""
        }
        return ["<circle cx=\"\(x)\" cy=\"\(y)\" r=\"3.5\" fill=\"\(color)\"/>", "<text \(label) fill=\"\(color)\">\(text)</text>"]
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
