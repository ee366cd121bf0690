/// This build's version, printed by `mr --version` and written into every run report.
package enum Version {
    package static let mr = "0.9.0"
}
