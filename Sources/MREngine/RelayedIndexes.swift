import MRBase
import MRInput
import MRSystem
import MRWorkers

/// The index of each gzip file read in relayed pieces (see ``RelayedPieceSource``), made from
/// the batons its tasks left: assembled and saved as soon as the file's last piece has left its
/// baton, while the last pieces are still mapped, rather than after the map phase with every
/// worker idle; checked with the run's other gzip pieces once every map task is committed, and
/// removed if that check fails.
final class RelayedIndexes {
    private let plan: RunPlan
    /// The indexes assembled, by file.
    private(set) var indexes: [Int: GzipIndex] = [:]
    /// Where each index was saved, by file.
    private var saved: [Int: String] = [:]
    /// Warnings for indexes that could not be saved.
    private(set) var unsaved: [String] = []

    init(plan: RunPlan) {
        self.plan = plan
    }

    /// The last piece of relayed file `fileIndex` has left its baton: every access point is known.
    func assemble(_ fileIndex: Int) throws {
        guard indexes[fileIndex] == nil, let pieces = plan.relayedFiles.first(where: { $0.fileIndex == fileIndex })?.pieces else { return }
        let entry = plan.files[fileIndex]
        // Points of a file that changed since the run was planned are not its points now.
        guard entry.identity.isEmpty || (try? FileSystem.status(entry.path))??.identity == entry.identity,
              let index = try GzipIndex.relayed(entry.path, fileIndex: fileIndex, pieces: pieces, workDirectory: plan.workDirectory)
        else { return }
        indexes[fileIndex] = index
        do {
            saved[fileIndex] = try index.save(besides: entry.path, cacheDirectory: cacheDirectory())
        } catch let error as MRError {
            unsaved.append("\(error.message); the next run inflates it once more")  // slower, not wrong
        }
    }

    /// After the map phase: the files whose last piece a killed run committed (`--resume`);
    /// files cut short as bad input get no index.
    func assembleRest(skipping skipped: Set<String>) throws {
        for (fileIndex, _) in plan.relayedFiles {
            guard skipped.contains(plan.files[fileIndex].path) else {
                try assemble(fileIndex)
                continue
            }
            indexes[fileIndex] = nil
            if let location = saved.removeValue(forKey: fileIndex) { FileSystem.remove(location) }
        }
    }

    /// The saved indexes are not to be trusted (their pieces failed the CRC check).
    func removeSaved() {
        for location in saved.values { FileSystem.remove(location) }
        saved = [:]
    }
}
