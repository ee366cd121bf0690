import MRBase

/// One attempt of a task as it ran: on which worker, from when to when (seconds from the run's
/// start), and how it ended. The run report lists them (`timeline`); `--timeline FILE.svg` and
/// `mr bench` draw them.
package struct AttemptSpan: Codable, Equatable, Sendable {
    package enum Outcome: String, Codable, Sendable {
        /// Its output is the task's.
        case committed
        /// It failed (or its worker died) and the task was run again.
        case failed
        /// Stopped: another attempt of its task was committed first.
        case killed
        /// Finished after another attempt of its task was committed: its output was dropped.
        case discarded
    }

    package var task: String
    package var attempt: Int
    package var worker: Int
    package var start: Double
    package var end: Double
    package var outcome: Outcome
    /// Started as a backup of a straggling attempt of the same task.
    package var backup: Bool
    /// Seconds at the end of a map attempt spent sorting and writing spills, and at the start of
    /// a reduce attempt spent merging spills before reducing.
    package var spill: Double
    package var merge: Double

    package init(task: TaskID, attempt: Int, worker: Int, start: Double, end: Double, outcome: Outcome, backup: Bool,
                 spill: Double = 0, merge: Double = 0) {
        self.task = task.description
        self.attempt = attempt
        self.worker = worker
        self.start = roundedToMilliseconds(start)
        self.end = roundedToMilliseconds(end)
        self.outcome = outcome
        self.backup = backup
        self.spill = roundedToMilliseconds(spill)
        self.merge = roundedToMilliseconds(merge)
    }
}

/// The picture of a run, as Spark's event timeline: a row per worker, a bar per attempt (map
/// blue with its spill darker at its end, reduce orange with its merge passes darker at its
/// start; failed red, killed and discarded grey, a backup outlined), the end of the map phase,
/// and a reference line (the inflate-only floor, in `mr bench`) when given.
package enum TimelineChart {
    package static func svg(_ spans: [AttemptSpan], workers: Int, title: String, reference: (seconds: Double, label: String)? = nil) -> String {
        let left = 90.0, top = 50.0, rowHeight = 22.0, width = 660.0
        let total = max(spans.map(\.end).max() ?? 0, reference?.seconds ?? 0, 0.001)
        func x(_ seconds: Double) -> Double { ((left + seconds / total * width) * 10).rounded() / 10 }
        var parts = [
            "",  // the <svg> element, once the legend's height is known
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"390\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(svgEscaped(title))</text>",
        ]
        for worker in 0..<max(workers, 1) {
            let y = top + Double(worker) * rowHeight
            parts.append("<text x=\"\(left - 8)\" y=\"\(y + 15)\" text-anchor=\"end\">worker \(worker + 1)</text>")
            parts.append("<line x1=\"\(left)\" y1=\"\(y + rowHeight)\" x2=\"\(left + width)\" y2=\"\(y + rowHeight)\" stroke=\"#eee\"/>")
        }
        for span in spans {
            let y = top + Double(span.worker) * rowHeight + 3
            let fill = switch span.outcome {
            case .committed: span.task.hasPrefix("map") ? "#1f77b4" : "#ff7f0e"
            case .failed: "#d62728"
            case .killed, .discarded: "#bbbbbb"
            }
            let outline = span.backup ? " stroke=\"black\" stroke-dasharray=\"3 2\"" : " stroke=\"white\""
            parts.append("<rect x=\"\(x(span.start))\" y=\"\(y)\" width=\"\(max(x(span.end) - x(span.start), 0.5))\" height=\"\(rowHeight - 6)\" "
                + "fill=\"\(fill)\"\(outline) data-task=\"\(span.task)\" data-attempt=\"\(span.attempt)\" data-start=\"\(span.start)\" "
                + "data-end=\"\(span.end)\"><title>\(span.task) attempt \(span.attempt): \(span.outcome.rawValue)\(span.backup ? ", backup" : "")</title></rect>")
            // The spill at a map bar's end, the merge passes at a reduce bar's start.
            if span.outcome == .committed && span.spill > 0 {
                let from = x(max(span.end - span.spill, span.start))
                parts.append("<rect x=\"\(from)\" y=\"\(y)\" width=\"\(max(x(span.end) - from, 0.5))\" height=\"\(rowHeight - 6)\" fill=\"#0b3c5d\" data-spill=\"\(span.spill)\"/>")
            }
            if span.outcome == .committed && span.merge > 0 {
                let to = x(min(span.start + span.merge, span.end))
                parts.append("<rect x=\"\(x(span.start))\" y=\"\(y)\" width=\"\(max(to - x(span.start), 0.5))\" height=\"\(rowHeight - 6)\" fill=\"#a04000\" data-merge=\"\(span.merge)\"/>")
            }
        }
        let axisY = top + Double(max(workers, 1)) * rowHeight
        parts.append("<line x1=\"\(left)\" y1=\"\(axisY)\" x2=\"\(left + width)\" y2=\"\(axisY)\" stroke=\"black\"/>")
        for tick in 0...4 {
            let seconds = total * Double(tick) / 4
            parts.append("<text x=\"\(x(seconds))\" y=\"\(axisY + 16)\" text-anchor=\"middle\">\(seconds.formatted(decimals: seconds < 10 ? 2 : 1)) s</text>")
        }
        if let mapEnd = spans.filter({ $0.task.hasPrefix("map") && $0.outcome == .committed }).map(\.end).max(),
           spans.contains(where: { $0.task.hasPrefix("reduce") }) {
            parts.append("<line x1=\"\(x(mapEnd))\" y1=\"\(top - 6)\" x2=\"\(x(mapEnd))\" y2=\"\(axisY)\" stroke=\"black\" stroke-dasharray=\"2 2\"/>")
            parts.append("<text x=\"\(x(mapEnd))\" y=\"\(top - 10)\" text-anchor=\"middle\">map phase ends</text>")
        }
        if let reference {
            parts.append("<line x1=\"\(x(reference.seconds))\" y1=\"\(top)\" x2=\"\(x(reference.seconds))\" y2=\"\(axisY)\" stroke=\"gray\" stroke-dasharray=\"6 3\"/>")
        }
        var legend = [("\u{25A0} map", "#1f77b4"), ("\u{25A0} spill", "#0b3c5d"), ("\u{25A0} merge", "#a04000"),
                      ("\u{25A0} reduce", "#ff7f0e"), ("\u{25A0} failed", "#d62728"),
                      ("\u{25A0} killed or dropped", "#bbbbbb"), ("\u{25A1} dashed: a backup", "black")]
        if let reference { legend.append(("- - " + reference.label, "gray")) }
        // In rows under the axis, each entry after the one before (about 0.6 of the font size a character).
        var (legendX, legendY) = (left, axisY + 40)
        for (text, color) in legend {
            let textWidth = Double(text.count) * 7.2
            if legendX + textWidth > 770 { (legendX, legendY) = (left, legendY + 16) }
            parts.append("<text x=\"\(legendX)\" y=\"\(legendY)\" fill=\"\(color)\">\(svgEscaped(text))</text>")
            legendX += textWidth + 18
        }
        parts[0] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"780\" height=\"\(Int(legendY + 14))\" font-family=\"sans-serif\" font-size=\"12\">"
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }
}

/// Text as SVG must hold it: `&`, `<` and `>` escaped (titles name input paths).
package func svgEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        default: out.append(character)
        }
    }
    return out
}
