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
        var texts = TextLayout(width: 760)
        var parts: [String] = []
        let title = TextLayout.shortened("mr bench \(job): \(data), \(megabytes.formatted(decimals: 1)) MB of text", size: 14, to: 740)
        parts.append(texts.fixed(svgEscaped(title), x: 380, y: 20, anchor: .middle, size: 14))
        let subtitle = TextLayout.shortened(machine + "; medians of \(repeats) rounds", size: 12, to: 740)
        parts.append(texts.fixed(svgEscaped(subtitle), x: 380, y: 38, anchor: .middle, color: "#555"))
        let speedupAxis = Axis(maximum: max(Double(maxWorkers), speedups.map(\.1).max() ?? 1))
        let speedupPanel = Panel(left: 80, top: 70, width: 270, height: 270, maxWorkers: maxWorkers, axis: speedupAxis)
        parts += speedupPanel.frame(title: "speedup over sequential", decimals: 1, texts: &texts)
        parts.append(speedupPanel.line([(1, 1), (Double(maxWorkers), Double(maxWorkers))], color: "gray", dashed: true))
        let ratePanel = Panel(left: 460, top: 70, width: 270, height: 270, maxWorkers: maxWorkers,
                              axis: Axis(maximum: max(rates.map(\.1).max() ?? 1, floorRates.map(\.rate).max() ?? 1,
                                                      zlibFloorRates.map(\.rate).max() ?? 1)))
        parts += ratePanel.frame(title: "MB/s of uncompressed input", decimals: 0, texts: &texts)
        // Every point first, so that no label is placed over one.
        let colors: [ExecutionMode: String] = [.processes: "#d62728", .threads: "#1f77b4", .sequential: "#2ca02c"]
        var labels: [(panel: Panel, workers: Double, value: Double, text: String, color: String)] = []
        var legend: [(text: String, color: String)] = [("- - ideal (speedup = workers)", "gray")]
        if !floorRates.isEmpty {
            parts.append(ratePanel.line(floorRates.map { (Double($0.workers), $0.rate) }, color: "gray", dashed: true))
            labels += floorRates.map { (ratePanel, Double($0.workers), $0.rate, $0.rate.formatted(decimals: 0), "gray") }
            legend.append(("- - inflate only, ISA-L (the floor, same workers)", "gray"))
        }
        if !zlibFloorRates.isEmpty {
            parts.append(ratePanel.line(zlibFloorRates.map { (Double($0.workers), $0.rate) }, color: "#999", dashed: true))
            labels += zlibFloorRates.map { (ratePanel, Double($0.workers), $0.rate, $0.rate.formatted(decimals: 0), "#999") }
            legend.append(("- - inflate only, zlib", "#999"))
        }
        for mode in ExecutionMode.allCases {
            let color = colors[mode] ?? "black"
            let modeSpeedups = speedups.filter { $0.0.mode == mode }.sorted { $0.0.workers < $1.0.workers }
            let modeRates = rates.filter { $0.0.mode == mode }.sorted { $0.0.workers < $1.0.workers }
            guard !modeRates.isEmpty else { continue }
            parts.append(speedupPanel.line(modeSpeedups.map { (Double($0.0.workers), $0.1) }, color: color, dashed: false))
            parts.append(ratePanel.line(modeRates.map { (Double($0.0.workers), $0.1) }, color: color, dashed: false))
            labels += modeSpeedups.map { (speedupPanel, Double($0.0.workers), $0.1, $0.1.formatted(decimals: 2) + "x", color) }
            labels += modeRates.map { (ratePanel, Double($0.0.workers), $0.1, $0.1.formatted(decimals: 0), color) }
            legend.append(("\u{25A0} \(mode.rawValue)", color))
        }
        for label in labels {
            let (x, y) = label.panel.point(label.workers, label.value)
            parts.append("<circle cx=\"\(x)\" cy=\"\(y)\" r=\"3.5\" fill=\"\(label.color)\"/>")
            texts.reserve(TextLayout.Box(x: x - 4, y: y - 4, width: 8, height: 8))
        }
        for label in labels {
            let (x, y) = label.panel.point(label.workers, label.value)
            parts.append(texts.label(label.text, near: x, y, color: label.color))
        }
        // The legend in rows under the panels, each entry after the one before.
        var legendX = 80.0, legendY = 396.0
        for entry in legend {
            let width = TextLayout.width(of: entry.text, size: 12)
            if legendX + width > 740 { (legendX, legendY) = (80, legendY + 16) }
            parts.append(texts.fixed(entry.text, x: legendX, y: legendY, anchor: .start, color: entry.color))
            legendX += width + 24
        }
        let height = Int(legendY) + 14
        return (["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">",
                 "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"] + parts + ["</svg>"]).joined(separator: "\n") + "\n"
    }
}

/// The chart's texts and where each lies, so that none is drawn over another or over a point: a
/// text's box is estimated from its length (sans-serif: at most 0.6 of the font size a
/// character, the digits' width) and written beside it (`data-box="x y width height"`), where
/// the test reads it. A point's label takes the first free place around the point.
struct TextLayout {
    struct Box: Equatable {
        let x: Double, y: Double, width: Double, height: Double

        func intersects(_ other: Box) -> Bool {
            x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
        }
    }

    enum Anchor: String { case start, middle, end }

    let width: Double
    private(set) var boxes: [Box] = []

    init(width: Double) { self.width = width }

    static func width(of text: String, size: Double) -> Double {
        (Double(text.count) * size * 0.6 * 10).rounded(.up) / 10
    }

    /// `text`, its middle replaced by `...` if it would be wider than `width` (a long input path).
    static func shortened(_ text: String, size: Double, to width: Double) -> String {
        let fitting = Int(width / (size * 0.6))
        guard text.count > fitting else { return text }
        let kept = max(fitting - 3, 2)
        return String(text.prefix(kept / 2)) + "..." + String(text.suffix(kept - kept / 2))
    }

    /// The box of `text` drawn at (`x`, baseline `y`) with `anchor`.
    static func box(_ text: String, x: Double, y: Double, anchor: Anchor, size: Double) -> Box {
        let width = Self.width(of: text, size: size)
        let left = switch anchor {
        case .start: x
        case .middle: x - width / 2
        case .end: x - width
        }
        return Box(x: left, y: y - size, width: width, height: size * 1.25)
    }

    /// Keeps other texts off `box` (a point).
    mutating func reserve(_ box: Box) { boxes.append(box) }

    /// A text at a place of its own (titles, ticks, the legend).
    mutating func fixed(_ text: String, x: Double, y: Double, anchor: Anchor, size: Double = 12, color: String? = nil,
                        bold: Bool = false) -> String {
        element(text, box: Self.box(text, x: x, y: y, anchor: anchor, size: size), x: x, y: y, anchor: anchor, size: size,
                color: color, bold: bold)
    }

    /// A point's label: right and a little below or above it, then left, then further away,
    /// the first place no text or point holds.
    mutating func label(_ text: String, near x: Double, _ y: Double, color: String) -> String {
        let offsets: [(Double, Double, Anchor)] = [(7, 16, .start), (7, -7, .start), (9, 4, .start), (-7, 16, .end), (-7, -7, .end),
                                                   (-9, 4, .end)]
        for distance in 0..<6 {
            let spread = Double(distance) * 12
            for (dx, dy, anchor) in offsets {
                let (lx, ly) = (x + dx, y + dy + (dy > 0 ? spread : dy < 0 ? -spread : 0))
                let box = Self.box(text, x: lx, y: ly, anchor: anchor, size: 12)
                if box.x >= 0 && box.x + box.width <= width && !boxes.contains(where: { $0.intersects(box) }) {
                    return element(text, box: box, x: lx, y: ly, anchor: anchor, size: 12, color: color, bold: false)
                }
            }
        }
        // No free place near the point (more lines than fit): stack it under everything placed.
        let bottom = (boxes.map { $0.y + $0.height }.max() ?? 0) + 14
        return element(text, box: Self.box(text, x: x, y: bottom, anchor: .start, size: 12), x: x, y: bottom, anchor: .start,
                       size: 12, color: color, bold: false)
    }

    private mutating func element(_ text: String, box: Box, x: Double, y: Double, anchor: Anchor, size: Double,
                                  color: String?, bold: Bool) -> String {
        boxes.append(box)
        let attributes = [
            "x=\"\(x)\" y=\"\(y)\"", anchor == .start ? nil : "text-anchor=\"\(anchor.rawValue)\"",
            size == 12 ? nil : "font-size=\"\(Int(size))\"", bold ? "font-weight=\"bold\"" : nil,
            color.map { "fill=\"\($0)\"" }, "data-box=\"\(box.x) \(box.y) \(box.width) \(box.height)\"",
        ].compactMap { $0 }
        return "<text " + attributes.joined(separator: " ") + ">" + text + "</text>"
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

    func frame(title: String, decimals: Int, texts: inout TextLayout) -> [String] {
        let bottom = top + height
        var parts = [
            texts.fixed(title, x: left + width / 2, y: top - 8, anchor: .middle, bold: true),
            "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(left + width)\" y2=\"\(bottom)\" stroke=\"black\"/>",
            "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(bottom)\" stroke=\"black\"/>",
            texts.fixed("workers", x: left + width / 2, y: bottom + 32, anchor: .middle),
        ]
        for workers in 1...maxWorkers {
            let x = point(Double(workers), 0).x
            parts.append("<line x1=\"\(x)\" y1=\"\(bottom)\" x2=\"\(x)\" y2=\"\(bottom + 4)\" stroke=\"black\"/>")
            parts.append(texts.fixed(String(workers), x: x, y: bottom + 16, anchor: .middle))
        }
        var value = 0.0
        while value <= axis.top + axis.step / 1000 {
            let y = point(1, value).y
            parts.append("<line x1=\"\(left - 4)\" y1=\"\(y)\" x2=\"\(left + width)\" y2=\"\(y)\" stroke=\"#ddd\"/>")
            parts.append(texts.fixed(value.formatted(decimals: axis.step < 1 ? 1 : decimals), x: left - 8, y: y + 4, anchor: .end))
            value += axis.step
        }
        return parts
    }

    func line(_ points: [(Double, Double)], color: String, dashed: Bool) -> String {
        let coordinates = points.map { point($0.0, $0.1) }.map { "\($0.x),\($0.y)" }.joined(separator: " ")
        return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"5 4\"" : "")/>"
    }
}
