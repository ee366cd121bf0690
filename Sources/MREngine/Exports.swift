// The command line sees the whole engine through `import MREngine`, as swift-nio's `NIO`
// re-exports `NIOCore` and `NIOPosix`.
@_exported import MRBase
@_exported import MRInput
@_exported import MROutput
@_exported import MRPlugins
@_exported import MRReport
@_exported import MRShuffle
@_exported import MRStreaming
@_exported import MRSystem
@_exported import MRWorkers
